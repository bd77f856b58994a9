"""Pages of governance bodies: the hub, a body's page, and the coordinators' pages to create a
body, edit it, and manage its seats, mandates and quorum rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tejido.actors.models import Actor
from tejido.core.forms import add_service_error
from tejido.core.http import is_htmx, optional_url, program_for_request, url_maker

from ..decisions.services import polls_close_due
from ..http import VIEW_BODY, body_for_request
from ..models import Body, Mandate, Seat, SectorQuorum
from . import selectors, services
from .forms import (
    BodyForm,
    MandateEndForm,
    MandateForm,
    OrganizationSearchForm,
    SeatForm,
    SectorQuorumForm,
)

VIEW = VIEW_BODY
MANAGE = "governance.manage_body"


# -- helpers -------------------------------------------------------------------------------------


def _body(request: HttpRequest, slug: str, pk: int, perm: str = VIEW) -> Body:
    return body_for_request(request, slug, pk, perm)


def _seat(body: Body, pk: int) -> Seat:
    seat = Seat.objects.filter(body=body, pk=pk).first()
    if seat is None:
        raise Http404
    seat.body = body
    return seat


def _mandate(body: Body, pk: int) -> Mandate:
    mandate = (
        Mandate.objects.select_related("seat", "organization", "holder", "alternate")
        .filter(seat__body=body, pk=pk)
        .first()
    )
    if mandate is None:
        raise Http404
    mandate.seat.body = body
    return mandate


def _body_url(body: Body) -> str:
    return reverse("governance:body", args=[body.program.slug, body.pk])


def _seats_url(body: Body) -> str:
    return reverse("governance:body_seats", args=[body.program.slug, body.pk])


# -- the hub -------------------------------------------------------------------------------------


@require_safe
def hub(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program)
    today, now = timezone.localdate(), timezone.now()
    # Open polls whose closing time has passed are closed (and counted) before they are shown.
    for body in selectors.bodies_with_polls_due(program_obj, request.user, now):
        polls_close_due(body=body, now=now)
    data = selectors.hub(program_obj, request.user, today, now=now)
    body_url = url_maker("governance:body", program_obj)
    meeting_url = url_maker("governance:meeting", program_obj)
    poll_url = url_maker("governance:poll", program_obj)
    for row in data.bodies:
        row.url = body_url(row.body.pk) if body_url else ""
        if meeting_url and row.next_meeting_id:
            row.meeting_url = meeting_url(row.next_meeting_id)
    for poll in data.polls_waiting:
        poll.url = poll_url(poll.pk) if poll_url else ""  # type: ignore[attr-defined]
    return render(
        request,
        "governance/hub.html",
        {
            "program": program_obj,
            "hub": data,
            "today": today,
            "can_create": request.user.has_perm(MANAGE, program_obj),
            "body_url": body_url,
        },
    )


# -- the body page -------------------------------------------------------------------------------


@require_safe
def body_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk)
    today = timezone.localdate()
    page = selectors.body_page(body, request.user, today, past_page=request.GET.get("page") or 1)
    slug = body.program.slug
    meeting_url = url_maker("governance:meeting", body.program)
    poll_url = url_maker("governance:poll", body.program)
    for meeting in [*page.upcoming, *page.past.object_list]:
        meeting.url = meeting_url(meeting.pk) if meeting_url else ""
    for row in page.polls:
        row.url = poll_url(row.poll.pk) if poll_url else ""
    for agreement in page.agreements.open:
        agreement.meeting_url = (  # type: ignore[attr-defined]
            meeting_url(agreement.meeting_id) if meeting_url and agreement.meeting_id else ""
        )
    manage = page.can_manage
    # A calendar application cannot log in: the feed of a members-only body carries its secret.
    private_feed = not (body.is_public and body.program.is_public)
    calendar = optional_url("governance:body_calendar", slug, body.pk)
    if calendar and private_feed:
        calendar += "?" + urlencode({"token": body.feed_token})
    links = {
        "schedule": optional_url("governance:meeting_create", slug, body.pk) if manage else "",
        "calendar": calendar,
        "agreements": optional_url("governance:agreements", slug, body.pk),
        "poll_create": optional_url("governance:poll_create", slug, body.pk) if manage else "",
        "edit": reverse("governance:body_edit", args=[slug, body.pk]) if manage else "",
        "seats": _seats_url(body) if manage else "",
    }
    context = {
        "program": body.program,
        "body": body,
        "page": page,
        "composition": page.composition,
        "today": today,
        "links": links,
        "private_feed": private_feed,
    }
    template = "governance/bodies/detail.html"
    if is_htmx(request) and request.GET.get("section") == "past":
        template += "#past-meetings"
    return render(request, template, context)


# -- creating and editing a body -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def body_create(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, MANAGE)
    form = BodyForm(request.POST or None, program=program_obj)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_create(user=request.user, program=program_obj, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Body created. Now add its seats."))
            return redirect("governance:body_seats", program_obj.slug, body.pk)
    return render(
        request,
        "governance/bodies/form.html",
        {"program": program_obj, "form": form, "body": None},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def body_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    form = BodyForm(request.POST or None, program=body.program, initial=BodyForm.initial_for(body))
    if request.method == "POST" and form.is_valid():
        try:
            services.body_update(user=request.user, body=body, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_body_url(body))
    return render(
        request,
        "governance/bodies/form.html",
        {"program": body.program, "form": form, "body": body},
        status=422 if form.errors else 200,
    )


# -- seats, mandates and quorum rules (coordinators) -------------------------------------------


def _quorum_form(body: Body, data: Any = None) -> SectorQuorumForm:
    voting = dict(
        Seat.objects.filter(body=body, is_voting=True)
        .order_by()
        .values_list("sector")
        .annotate(n=Count("*"))
        .values_list("sector", "n")
    )
    minimums = dict(SectorQuorum.objects.filter(body=body).values_list("sector", "minimum_present"))
    return SectorQuorumForm(data, voting_by_sector=voting, minimums=minimums)


def _seats_page(
    request: HttpRequest,
    body: Body,
    *,
    seat_form: SeatForm | None = None,
    quorum_form: SectorQuorumForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    slug = body.program.slug
    rows = selectors.seat_management(body, today)
    for row in rows:
        args = [slug, body.pk, row.seat.pk]
        row.edit_url = reverse("governance:seat_edit", args=args)
        row.assign_url = reverse("governance:mandate_assign", args=args)
        if not row.has_history:
            row.remove_url = reverse("governance:seat_remove", args=args)
    return render(
        request,
        "governance/bodies/seats.html",
        {
            "program": body.program,
            "body": body,
            "rows": rows,
            "today": today,
            "seat_form": seat_form or SeatForm(),
            "quorum_form": quorum_form or _quorum_form(body),
            "show_people": True,
        },
        status=status,
    )


@require_safe
def body_seats(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    return _seats_page(request, body)


@require_http_methods(["POST"])
def seat_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    form = SeatForm(request.POST)
    if form.is_valid():
        try:
            seat = services.seat_create(user=request.user, body=body, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Seat “%(label)s” added.") % {"label": seat.label})
            return redirect(_seats_url(body))
    return _seats_page(request, body, seat_form=form, status=422)


@require_http_methods(["GET", "POST"])
def seat_edit(request: HttpRequest, program: str, pk: int, seat: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    seat_obj = _seat(body, seat)
    initial = {"label": seat_obj.label, "sector": seat_obj.sector, "is_voting": seat_obj.is_voting}
    form = SeatForm(request.POST or None, seat=seat_obj, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_update(user=request.user, seat=seat_obj, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Seat saved."))
            return redirect(_seats_url(body))
    return render(
        request,
        "governance/bodies/seat_form.html",
        {"program": body.program, "body": body, "seat": seat_obj, "form": form},
        status=422 if form.errors else 200,
    )


def _confirm_removal(
    request: HttpRequest,
    body: Body,
    *,
    problem: str,
    remove: Callable[[], object],
    done: str,
    title: str,
    explanation: str,
    action: str,
) -> HttpResponse:
    """Ask before removing a seat or a mandate: `problem` says why it cannot be (then nothing
    is removed); a POST without one calls `remove` and goes back to the seats page."""
    if request.method == "POST" and not problem:
        try:
            remove()
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect(_seats_url(body))
    return render(
        request,
        "governance/bodies/confirm.html",
        {
            "program": body.program,
            "body": body,
            "title": title,
            "explanation": explanation,
            "error": problem,
            "action": action,
            "danger": True,
        },
        status=422 if problem and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def seat_remove(request: HttpRequest, program: str, pk: int, seat: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    seat_obj = _seat(body, seat)
    return _confirm_removal(
        request,
        body,
        problem=services.seat_removal_problem(seat_obj),
        remove=lambda: services.seat_remove(user=request.user, seat=seat_obj),
        done=_("Seat “%(label)s” removed.") % {"label": seat_obj.label},
        title=_("Remove the seat “%(label)s”?") % {"label": seat_obj.label},
        explanation=_(
            "The seat has not been held yet; a mandate assigned to start later is removed with it."
        ),
        action=_("Remove the seat"),
    )


@require_http_methods(["POST"])
def sector_quorums(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    form = _quorum_form(body, request.POST)
    if form.is_valid():
        try:
            services.sector_quorums_set(user=request.user, body=body, minimums=form.minimums())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Quorum rules saved."))
            return redirect(_seats_url(body))
    return _seats_page(request, body, quorum_form=form, status=422)


def _selected(value: Any) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def mandate_assign(request: HttpRequest, program: str, pk: int, seat: int) -> HttpResponse:
    """Give a seat to an organization: first find it, then name the people and the term."""
    body = _body(request, program, pk, MANAGE)
    seat_obj = _seat(body, seat)
    source = request.POST if request.method == "POST" else request.GET
    selected = _selected(source.get("organization"))
    organization = (
        Actor.objects.filter(program=body.program, pk=selected).organizations().first()
        if selected
        else None
    )
    search = OrganizationSearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    form = MandateForm(
        request.POST if request.method == "POST" else None,
        program=body.program,
        organization=organization,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mandate_assign(user=request.user, seat=seat_obj, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The seat “%(seat)s” is assigned to %(organization)s.")
                % {"seat": seat_obj.label, "organization": form.cleaned_data["organization"].name},
            )
            return redirect(_seats_url(body))
    options, more, local = selectors.organization_options(
        body, query, sector=seat_obj.sector, selected=selected
    )
    current = (
        Mandate.objects.current()
        .filter(seat=seat_obj)
        .select_related("organization", "holder", "alternate")
        .first()
    )
    context = {
        "program": body.program,
        "body": body,
        "seat": seat_obj,
        "current_mandate": current,
        "form": form,
        "search": search,
        "query": query,
        "options": options,
        "more": more,
        "local": local,
        "organization": organization,
        "action_url": reverse(
            "governance:mandate_assign", args=[body.program.slug, body.pk, seat_obj.pk]
        ),
    }
    template = "governance/bodies/mandate_form.html"
    if is_htmx(request) and request.method == "GET" and request.GET.get("section") == "options":
        template += "#organization-options"
    return render(request, template, context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def mandate_end(request: HttpRequest, program: str, pk: int, mandate: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    mandate_obj = _mandate(body, mandate)
    form = MandateEndForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.mandate_end(user=request.user, mandate=mandate_obj, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The mandate's end is recorded."))
            return redirect(_seats_url(body))
    return render(
        request,
        "governance/bodies/mandate_end.html",
        {"program": body.program, "body": body, "mandate": mandate_obj, "form": form},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def mandate_remove(request: HttpRequest, program: str, pk: int, mandate: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    mandate_obj = _mandate(body, mandate)
    return _confirm_removal(
        request,
        body,
        problem=services.mandate_removal_problem(mandate_obj),
        remove=lambda: services.mandate_remove(user=request.user, mandate=mandate_obj),
        done=_("The mandate was deleted."),
        title=_("Delete the mandate of %(organization)s on the seat “%(seat)s”?")
        % {"organization": mandate_obj.organization.name, "seat": mandate_obj.seat.label},
        explanation=_(
            "Use this only for a mandate recorded by mistake: it disappears from the "
            "seat's history. To record that a term ended, end the mandate instead."
        ),
        action=_("Delete the mandate"),
    )
