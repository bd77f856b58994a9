"""Study mission views: the list, planning and editing a mission, its page with its effect on
the network, recording contacts, and the six-month follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.rules import represented_ids
from tejido.core.forms import service_attempt
from tejido.core.http import is_htmx, program_for_request

from ..http import VIEW_COOPERATION, object_for_request
from ..models import MissionContact, StudyMission
from . import selectors, services
from .forms import ContactForm, FollowUpForm, MissionForm, TravellersForm
from .services import ADD, MANAGE, RECORD, NewContact

MEMBER = "cooperation.view_program_board"


def _status(form: Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _mission(request: HttpRequest, slug: str, pk: int, perm: str | None = None) -> StudyMission:
    return object_for_request(
        request, slug, StudyMission.objects.select_related("created_by"), pk, perm=perm
    )


def _mission_url(mission: StudyMission, anchor: str = "") -> str:
    url = reverse("cooperation:mission", args=[mission.program.slug, mission.pk])
    return f"{url}#{anchor}" if anchor else url


@require_safe
def missions(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_COOPERATION)
    upcoming, past = selectors.mission_list(current)
    return render(
        request,
        "cooperation/missions/list.html",
        {
            "program": current,
            "upcoming": upcoming,
            "past": past,
            "today": timezone.localdate(),
            "can_add": request.user.has_perm(ADD, current),
        },
    )


def _form_page(
    request: HttpRequest, form: MissionForm, mission: StudyMission | None, program: object
) -> HttpResponse:
    return render(
        request,
        "cooperation/missions/form.html",
        {"program": program, "form": form, "mission": mission},
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def mission_new(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, ADD)
    form = MissionForm(request.POST or None, program=current)
    created: list[StudyMission] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.mission_create(user=request.user, program=current, **form.values())
        ),
    ):
        messages.success(request, _("Mission saved."))
        created[0].program = current
        return redirect(_mission_url(created[0]))
    return _form_page(request, form, None, current)


@require_http_methods(["GET", "POST"])
def mission_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    mission = _mission(request, program, pk, MANAGE)
    form = MissionForm(
        request.POST or None,
        program=mission.program,
        with_status=True,
        initial=MissionForm.initial_from(mission),
    )
    if request.method == "POST" and service_attempt(
        form, lambda: services.mission_update(user=request.user, mission=mission, **form.values())
    ):
        messages.success(request, _("Mission saved."))
        return redirect(_mission_url(mission))
    return _form_page(request, form, mission, mission.program)


@require_safe
def mission(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _mission(request, program, pk)
    user = request.user
    page = selectors.mission_page(found)
    can_manage = user.has_perm(MANAGE, found)
    # The rules are asked once, not once per participant: the page's queries stay fixed.
    may_record = user.is_authenticated and user.has_perm(RECORD, found)
    mine = (
        {p.pk for p in page.participants if can_manage or p.actor_id in represented_ids(user)}
        if may_record
        else set()
    )
    return render(
        request,
        "cooperation/missions/mission.html",
        {
            "program": found.program,
            "mission": found,
            "page": page,
            "today": timezone.localdate(),
            "can_manage": can_manage,
            "can_record": bool(mine),
            "mine": mine,
            "show_notes": user.has_perm(MEMBER, found.program) or bool(mine),
        },
    )


@require_POST
def mission_travellers(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _mission(request, program, pk, RECORD)
    form = TravellersForm(request.POST)
    participant = None
    if form.is_valid():
        participant = (
            found.participants.select_related("actor")
            .filter(pk=form.cleaned_data["participant"])
            .first()
        )
    if participant is None or not services.speaks_for_participant(request.user, found, participant):
        messages.error(request, _("You cannot say who went for this entity."))
        return redirect(_mission_url(found, "participants"))
    participant.mission = found
    try:
        services.participant_set_travellers(
            user=request.user, participant=participant, travellers=form.cleaned_data["travellers"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved who went."))
    return redirect(_mission_url(found, "participants"))


@require_http_methods(["GET", "POST"])
def mission_contacts(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _mission(request, program, pk, RECORD)
    manage = request.user.has_perm(MANAGE, found)
    participants = selectors.participants_for(request.user, found, manage=manage)
    form = ContactForm(request.POST or None, program=found.program, participants=participants)

    def record() -> None:
        data = form.cleaned_data
        participant = data["participant"]
        participant.mission = found
        new = None
        if not data.get("contact"):
            new = NewContact(
                name=data["new_name"],
                sector=data["new_sector"],
                country=data["new_country"],
                territory=data["new_territory"],
            )
        services.contact_record(
            user=request.user,
            participant=participant,
            contact=data.get("contact"),
            new_contact=new,
            note=data["note"],
            next_steps=data["next_steps"],
        )

    if request.method == "POST" and service_attempt(form, record):
        messages.success(request, _("Contact recorded. It now appears as a tie on the map."))
        return redirect(reverse("cooperation:mission_contacts", args=[program, found.pk]))
    ids = {p.pk for p in participants}
    recorded = [c for c in selectors.mission_contacts(found) if c.participant_id in ids]
    return render(
        request,
        "cooperation/missions/contacts.html",
        {
            "program": found.program,
            "mission": found,
            "form": form,
            "participants": participants,
            "recorded": recorded,
            "today": timezone.localdate(),
        },
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def mission_follow_up(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _mission(request, program, pk, RECORD)
    manage = request.user.has_perm(MANAGE, found)
    ids = {p.pk for p in selectors.participants_for(request.user, found, manage=manage)}
    contacts = [c for c in selectors.mission_contacts(found) if c.participant_id in ids]
    forms = {
        c.pk: FollowUpForm(
            prefix=f"c{c.pk}",
            initial={"contact": c.pk, "outcome": c.outcome, "outcome_note": c.outcome_note},
        )
        for c in contacts
    }
    status = 200
    if request.method == "POST":
        contact_id = request.POST.get("contact_id", "")
        chosen: MissionContact | None = next((c for c in contacts if str(c.pk) == contact_id), None)
        if chosen is None:
            messages.error(request, _("You cannot follow up this contact."))
            return redirect(reverse("cooperation:mission_follow_up", args=[program, found.pk]))
        form = FollowUpForm(request.POST, prefix=f"c{chosen.pk}")
        forms[chosen.pk] = form
        chosen.mission = found
        if service_attempt(
            form,
            lambda: services.contact_follow_up(
                user=request.user,
                contact=chosen,
                outcome=form.cleaned_data["outcome"],
                outcome_note=form.cleaned_data["outcome_note"],
            ),
        ):
            chosen.refresh_from_db()
            forms[chosen.pk] = FollowUpForm(
                prefix=f"c{chosen.pk}",
                initial={
                    "contact": chosen.pk,
                    "outcome": chosen.outcome,
                    "outcome_note": chosen.outcome_note,
                },
            )
            if not is_htmx(request):
                messages.success(request, _("Follow-up saved."))
                return redirect(
                    reverse("cooperation:mission_follow_up", args=[program, found.pk])
                    + f"#contact-{chosen.pk}"
                )
        else:
            status = 400
        if is_htmx(request):
            return render(
                request,
                "cooperation/missions/_follow_up_row.html",
                {
                    "program": found.program,
                    "mission": found,
                    "contact": chosen,
                    "form": forms[chosen.pk],
                    "saved": status == 200,
                },
                status=status,
            )
    rows = [(c, forms[c.pk]) for c in contacts]
    return render(
        request,
        "cooperation/missions/follow_up.html",
        {
            "program": found.program,
            "mission": found,
            "rows": rows,
            "answered": sum(1 for c in contacts if c.outcome),
            "today": timezone.localdate(),
            "is_open": found.ends_on <= timezone.localdate(),
        },
        status=status,
    )
