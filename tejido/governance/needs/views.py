"""Pages of the needs register and of prioritization sessions.

Everyone who may see the program's needs sees the register, the sessions and their results;
coordinators and directorate members record needs; coordinators run sessions; participants
(the body's seat holders, or the program's coordinators and directorate members) give inputs.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import add_service_error
from tejido.core.http import LoginRequired, is_htmx, optional_url, program_for_request
from tejido.core.models import Program, Territory

from ..models import (
    Need,
    PlanStatus,
    PrioritizationMethod,
    PrioritizationSession,
    SessionStatus,
)
from . import selectors, services
from .forms import (
    CloseForm,
    CriterionFormSet,
    InputForm,
    NeedFilterForm,
    NeedForm,
    NeedImportForm,
    NeedStatusForm,
    SessionForm,
)
from .importer import import_needs

VIEW = "governance.view_needs"
ADD = "governance.add_need"
MANAGE = "governance.manage_prioritization"
GIVE_INPUT = "governance.give_priority_input"
VIEW_PEOPLE = "actors.view_people"


def _need(request: HttpRequest, slug: str, pk: int, perm: str = VIEW) -> tuple[Program, Need]:
    program = program_for_request(request, slug, perm)
    try:
        return program, selectors.need_get(program, pk)
    except Need.DoesNotExist as exc:
        raise Http404 from exc


def _session(
    request: HttpRequest, slug: str, pk: int, perm: str = VIEW
) -> tuple[Program, PrioritizationSession]:
    program = program_for_request(request, slug, perm)
    try:
        session = selectors.session_get(program, pk)
    except PrioritizationSession.DoesNotExist as exc:
        raise Http404 from exc
    # A draft is the coordinators' work in progress.
    if session.status == SessionStatus.DRAFT and not request.user.has_perm(MANAGE, program):
        raise Http404
    return program, session


def _takes_part(request: HttpRequest, session: PrioritizationSession) -> bool:
    # The rule itself, not `has_perm`: Django grants superusers every permission, but only a
    # participant gives an input (the service would refuse anyone else).
    return bool(rules.has_perm(GIVE_INPUT, request.user, session))


def _require_participant(request: HttpRequest, session: PrioritizationSession) -> None:
    if not _takes_part(request, session):
        if not request.user.is_authenticated:
            raise LoginRequired
        raise PermissionDenied


def _session_url(session: PrioritizationSession) -> str:
    return reverse("governance:session", args=[session.program.slug, session.pk])


# -- the needs register -----------------------------------------------------------------------


@require_safe
def needs(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, VIEW)
    form = NeedFilterForm(request.GET, program=program_obj)
    filters = form.filters()
    manages = request.user.has_perm(MANAGE, program_obj)
    data = selectors.needs_page(
        program_obj, filters, page_number=request.GET.get("page", 1), show_drafts=manages
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program_obj,
        "form": form,
        "filters": filters,
        "data": data,
        "query": query.urlencode(),
        "can_add": request.user.has_perm(ADD, program_obj),
        "manages": manages,
    }
    template = "governance/needs/needs.html"
    if is_htmx(request):
        return render(request, f"{template}#results", context)
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, ADD)
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("territory", "").isdigit():
        initial["territory"] = int(request.GET["territory"])
    form = NeedForm(request.POST or None, program=program_obj, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(user=request.user, program=program_obj, **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Need recorded."))
            return redirect("governance:need", program_obj.slug, need.pk)
    return render(
        request,
        "governance/needs/need_form.html",
        {"program": program_obj, "form": form, "need": None},
    )


@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, need = _need(request, program, pk, ADD)
    form = NeedForm(request.POST or None, program=program_obj, initial=NeedForm.initial_from(need))
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(user=request.user, need=need, **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Need saved."))
            return redirect("governance:need", program_obj.slug, need.pk)
    return render(
        request,
        "governance/needs/need_form.html",
        {"program": program_obj, "form": form, "need": need},
    )


@require_safe
def need_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, need = _need(request, program, pk)
    manages = request.user.has_perm(MANAGE, program_obj)
    detail = selectors.need_detail(need, show_drafts=manages)
    meeting = need.source_meeting
    meeting_visible = meeting is not None and request.user.has_perm(
        "governance.view_body", meeting.body
    )
    # Draft plans are the members' work in progress; visitors see approved ones.
    internal = request.user.has_perm("core.view_program_internal", program_obj)
    objectives = [
        (o, optional_url("governance:plan", program_obj.slug, o.plan_id))
        for o in detail.objectives
        if internal or o.plan.status == PlanStatus.APPROVED
    ]
    agenda_items = [
        item
        for item in detail.agenda_items
        if request.user.has_perm("governance.view_body", item.meeting.body)
    ]
    return render(
        request,
        "governance/needs/need.html",
        {
            "program": program_obj,
            "need": need,
            "detail": detail,
            "need_trail": [(reverse("governance:needs", args=[program_obj.slug]), _("Needs"))],
            "meeting_visible": meeting_visible,
            "meeting_url": optional_url("governance:meeting", program_obj.slug, meeting.pk)
            if meeting_visible and meeting
            else "",
            "objectives": objectives,
            "agenda_items": agenda_items,
            "can_edit": request.user.has_perm(ADD, program_obj),
            "manages": manages,
            "can_view_people": request.user.has_perm(VIEW_PEOPLE, program_obj),
            "status_form": NeedStatusForm(initial={"status": need.status}) if manages else None,
        },
    )


@require_POST
def need_status(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, need = _need(request, program, pk, MANAGE)
    form = NeedStatusForm(request.POST)
    if form.is_valid():
        try:
            need = services.need_set_status(
                user=request.user, need=need, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”.") % {"status": need.get_status_display()},
            )
    else:
        messages.error(request, _("Choose a status from the list."))
    return redirect("governance:need", program_obj.slug, need.pk)


@require_http_methods(["GET", "POST"])
def need_import(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, ADD)
    form = NeedImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_needs(
            user=request.user,
            program=program_obj,
            data=upload.read(),
            name=upload.name,
            check_only=form.cleaned_data["check_only"],
        )
        if report.imported:
            messages.success(
                request,
                ngettext("%(count)s need imported.", "%(count)s needs imported.", report.created)
                % {"count": report.created},
            )
            return redirect("governance:needs", program_obj.slug)
    return render(
        request,
        "governance/needs/import.html",
        {"program": program_obj, "form": form, "report": report},
    )


# -- prioritization sessions ------------------------------------------------------------------


@require_safe
def sessions(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, VIEW)
    manages = request.user.has_perm(MANAGE, program_obj)
    return render(
        request,
        "governance/needs/sessions.html",
        {
            "program": program_obj,
            "sessions": selectors.session_list(program_obj, show_drafts=manages),
            "manages": manages,
        },
    )


def _chosen_territory(program: Program, raw: str | None) -> Territory | None:
    if not raw or not str(raw).isdigit():
        return None
    return selectors.program_area(program).filter(pk=int(raw)).first()


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, program: str) -> HttpResponse:
    """One form. Choosing the territory (a GET, or htmx on change) lists its open needs."""
    program_obj = program_for_request(request, program, MANAGE)
    source = request.POST if request.method == "POST" else request.GET
    territory = _chosen_territory(program_obj, source.get("territory"))
    listing = "list_needs" in source  # "List its open needs": redisplay, do not create yet
    if request.method == "POST" and not listing:
        form = SessionForm(request.POST, program=program_obj, territory=territory)
        criteria = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and criteria.is_valid():
            data = form.cleaned_data
            specs = [f.spec() for f in criteria.forms]
            try:
                session = services.session_create(
                    user=request.user,
                    program=program_obj,
                    territory=data["territory"],
                    title=data["title"],
                    method=data["method"],
                    needs=list(data["needs"]),
                    body=data.get("body"),
                    meeting=data.get("meeting"),
                    dots_per_participant=data.get("dots_per_participant") or 5,
                    criteria=[s for s in specs if s]
                    if data["method"] == PrioritizationMethod.CRITERIA
                    else (),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Session created as a draft. Check it and open it for the participants."),
                )
                return redirect(_session_url(session))
    else:
        # The needs list follows the territory; what was typed so far is kept.
        initial: dict[str, Any] = {
            key: source.get(key) for key in ("title", "body", "meeting", "method")
        }
        initial = {k: v for k, v in initial.items() if v}
        if territory is not None:
            initial["territory"] = territory.pk
        if source.get("dots_per_participant", "").isdigit():
            initial["dots_per_participant"] = int(source["dots_per_participant"])
        form = SessionForm(program=program_obj, territory=territory, initial=initial)
        criteria = CriterionFormSet(
            request.POST if listing and request.method == "POST" else None, prefix="criteria"
        )
    context = {
        "program": program_obj,
        "form": form,
        "criteria": criteria,
        "territory": territory,
        "new_need_url": reverse("governance:need_create", args=[program_obj.slug]),
    }
    if is_htmx(request) and listing:
        return render(request, "governance/needs/session_form.html#needs", context)
    return render(request, "governance/needs/session_form.html", context)


def _session_page(
    request: HttpRequest,
    program: Program,
    session: PrioritizationSession,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manages = request.user.has_perm(MANAGE, program)
    show_names = request.user.has_perm(VIEW_PEOPLE, program)
    view = selectors.session_view(session, request.user, show_names=show_names)
    if close_form is None and manages and session.status == SessionStatus.OPEN:
        close_form = CloseForm(need_count=len(view.needs))
    meeting = session.meeting
    meeting_url = ""
    if meeting is not None and request.user.has_perm("governance.view_body", meeting.body):
        meeting_url = optional_url("governance:meeting", program.slug, meeting.pk)
    body_url = ""
    if session.body is not None and request.user.has_perm("governance.view_body", session.body):
        body_url = optional_url("governance:body", program.slug, session.body.pk)
    return render(
        request,
        "governance/needs/session.html",
        {
            "program": program,
            "session": session,
            "view": view,
            "manages": manages,
            "show_names": show_names,
            "close_form": close_form,
            "can_give_input": _takes_part(request, session),
            "meeting_url": meeting_url,
            "body_url": body_url,
            "hanlon": session.method == PrioritizationMethod.HANLON,
            "criteria_labels": [selectors.criterion_label(c) for c in view.criteria],
        },
        status=status,
    )


@require_safe
def session_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, session = _session(request, program, pk)
    return _session_page(request, program_obj, session)


@require_POST
def session_open(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    _program, session = _session(request, program, pk, MANAGE)
    try:
        services.session_open(user=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The session is open: participants can give their input."))
    return redirect(_session_url(session))


@require_POST
def session_close(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, session = _session(request, program, pk, MANAGE)
    form = CloseForm(request.POST, need_count=session.needs.count())
    if form.is_valid():
        try:
            services.session_close(user=request.user, session=session, top=form.cleaned_data["top"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The session is closed and its result is below."))
            return redirect(_session_url(session))
    return _session_page(request, program_obj, session, close_form=form, status=400)


def _dots_context(input_form: InputForm, **extra: Any) -> dict[str, Any]:
    """The dots placed so far and how many are left (dot voting only)."""
    session = input_form.session
    if session.method != PrioritizationMethod.DOTS:
        return extra
    placed = input_form.dots_placed()
    return {
        **extra,
        "placed": placed,
        "dots_left": session.dots_per_participant - placed,
        "dots_over": placed - session.dots_per_participant,
    }


@require_http_methods(["GET", "POST"])
def session_input(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, session = _session(request, program, pk)
    _require_participant(request, session)
    if session.status != SessionStatus.OPEN:
        messages.error(
            request,
            _("This session is closed: inputs can no longer be given.")
            if session.status == SessionStatus.CLOSED
            else _("This session is not open yet."),
        )
        return redirect(_session_url(session))
    needs_list = list(session.needs.select_related("territory").order_by("title", "pk"))
    criteria = list(session.criteria.all())
    existing = session.inputs.filter(participant_id=request.user.pk).first()
    if is_htmx(request) and request.method == "POST" and "count" in request.POST:
        # The "dots left" counter, recomputed as the participant types; nothing is saved.
        form = InputForm(request.POST, session=session, needs=needs_list, criteria=criteria)
        return render(
            request,
            "governance/needs/input.html#dots-left",
            _dots_context(form, form=form, session=session),
        )
    form = InputForm(
        request.POST or None,
        session=session,
        needs=needs_list,
        criteria=criteria,
        existing=existing,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.input_submit(user=request.user, session=session, content=form.content())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Your input has been replaced. You can change it until the session closes.")
                if existing
                else _(
                    "Thank you: your input has been saved. You can change it until the session"
                    " closes."
                ),
            )
            return redirect(_session_url(session))
    return render(
        request,
        "governance/needs/input.html",
        {
            "program": program_obj,
            "session": session,
            "form": form,
            "existing": existing,
            "hanlon": session.method == PrioritizationMethod.HANLON,
            **_dots_context(form),
        },
        status=400 if request.method == "POST" else 200,
    )
