"""Meeting pages: scheduling and the agenda, invitations, attendance and check-in, holding the
meeting, minutes (and their PDF), the agreements register, and the calendar files."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.rules import can_view_people
from tejido.core.forms import add_service_error
from tejido.core.http import is_htmx, optional_url, program_for_request

from ..http import VIEW_BODY, body_for_request, require_body_perm
from ..models import (
    AgendaItem,
    AgendaItemKind,
    Agreement,
    AgreementStatus,
    Body,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from . import ical, pdf, selectors, services
from .forms import (
    AgendaItemForm,
    AgendaRowFormSet,
    AgreementForm,
    AgreementNoteForm,
    AttendanceSheetForm,
    MeetingForm,
    MinutesApproveForm,
    MinutesForm,
    RegisterFilterForm,
    agenda_rows_total,
)

VIEW = VIEW_BODY
MANAGE = services.MANAGE
WRITE_MINUTES = services.WRITE_MINUTES
FOLLOW_UP = services.FOLLOW_UP
INTERNAL = "core.view_program_internal"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _meeting(request: HttpRequest, slug: str, pk: int, perm: str = VIEW) -> Meeting:
    program = program_for_request(request, slug)
    try:
        meeting = selectors.meeting_get(program, pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    require_body_perm(request, meeting.body, perm)
    return meeting


def _body(request: HttpRequest, slug: str, pk: int, perm: str = VIEW) -> Body:
    return body_for_request(request, slug, pk, perm)


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("governance:meeting", args=[meeting.body.program.slug, meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _common(request: HttpRequest, body: Body) -> dict[str, Any]:
    program = body.program
    return {
        "program": program,
        "body": body,
        "hub_url": optional_url("governance:hub", program.slug),
        "body_url": optional_url("governance:body", program.slug, body.pk),
        "show_people": can_view_people(request.user, program),
    }


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# -- scheduling --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    if data is not None and "more_rows" in data:
        # "More rows" without JavaScript: the same data, three more empty rows.
        data = data.copy()
        data["agenda-TOTAL_FORMS"] = str(int(data.get("agenda-TOTAL_FORMS", "0") or 0) + 3)
    form = MeetingForm(data)
    agenda = AgendaRowFormSet(data, prefix="agenda")
    if data is not None and is_htmx(request) and request.GET.get("total"):
        return render(
            request,
            "governance/meetings/form.html#agenda-total",
            {"total_minutes": agenda_rows_total(agenda)},
        )
    if data is not None and "more_rows" not in data and form.is_valid() and agenda.is_valid():
        entries = [e for e in (f.entry() for f in agenda.forms) if e is not None]
        try:
            meeting = services.meeting_schedule(
                user=request.user, body=body, agenda=entries, **form.service_values()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Meeting scheduled. Check the agenda, then send the invitations from the "
                    "meeting's page."
                ),
            )
            return redirect(_meeting_url(meeting))
    if data is None:
        form.initial = {"title": _("Ordinary session")}
    return render(
        request,
        "governance/meetings/form.html",
        {
            **_common(request, body),
            "form": form,
            "agenda": agenda,
            "total_minutes": agenda_rows_total(agenda),
            "meeting": None,
            "open_agreements": Agreement.objects.unresolved().filter(body=body).count(),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.error(request, _("Only a scheduled meeting can be changed."))
        return redirect(_meeting_url(meeting))
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.meeting_update(
                user=request.user,
                meeting=meeting,
                base_url=_base_url(request),
                **form.service_values(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if updated.invitations_sent_at and updated.sequence != meeting.sequence:
                messages.success(
                    request, _("Meeting saved. The members invited were sent the change.")
                )
            else:
                messages.success(request, _("Meeting saved."))
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "governance/meetings/form.html",
        {**_common(request, meeting.body), "form": form, "meeting": meeting, "agenda": None},
    )


@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    if request.method == "POST":
        try:
            services.meeting_cancel(user=request.user, meeting=meeting, base_url=_base_url(request))
        except ValidationError as error:
            _refusal(request, error)
        else:
            if meeting.invitations_sent_at:
                messages.success(
                    request,
                    _(
                        "Meeting cancelled. The members invited were told, and their calendars "
                        "updated."
                    ),
                )
            else:
                messages.success(request, _("Meeting cancelled."))
        return redirect(_meeting_url(meeting))
    return render(
        request,
        "governance/meetings/cancel.html",
        {**_common(request, meeting.body), "meeting": meeting},
    )


# -- the meeting page --------------------------------------------------------------------------


def _invitation_state(meeting: Meeting) -> str:
    if meeting.invitations_sent_at is None:
        return "never"
    return "current" if meeting.sequence in services.sent_sequences(meeting) else "outdated"


@require_safe
def meeting_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk)
    body, user = meeting.body, request.user
    common = _common(request, body)
    manages = user.has_perm(MANAGE, body)
    internal = user.has_perm(INTERNAL, body.program)
    page = selectors.meeting_page(meeting, people=common["show_people"], include_drafts=manages)
    now = timezone.now()
    my_row = page.sheet.row_for_user(user)
    can_check_in = bool(
        my_row
        and not my_row.present
        and meeting.status == MeetingStatus.SCHEDULED
        and services.check_in_open(meeting, now)
    )
    writes_minutes = user.has_perm(WRITE_MINUTES, body)
    approve_form, candidates = None, []
    if (
        writes_minutes
        and meeting.status == MeetingStatus.HELD
        and meeting.minutes_status == MinutesStatus.DRAFT
    ):
        candidates = selectors.approval_candidates(meeting, now)
        approve_form = MinutesApproveForm(candidates=candidates)
    context = {
        **common,
        **_attendance_card(request, meeting, page.sheet, now),
        "meeting": meeting,
        "page": page,
        "internal": internal,
        "writes_minutes": writes_minutes,
        "minutes_visible": meeting.minutes_status == MinutesStatus.APPROVED or internal,
        "my_row": my_row,
        "can_check_in": can_check_in,
        "invitation_state": _invitation_state(meeting) if manages else "",
        "approve_form": approve_form,
        "approval_candidates": candidates,
        "poll_create_url": optional_url("governance:poll_create", body.program.slug, body.pk),
        # Items a poll may decide (not the minutes, follow-ups, information or other business).
        "poll_kinds": (AgendaItemKind.DECISION, AgendaItemKind.DISCUSSION, AgendaItemKind.PLAN),
        "calendar_url": _feed_url(request, body, internal),
    }
    return render(request, "governance/meetings/detail.html", context)


def _attendance_card(
    request: HttpRequest, meeting: Meeting, sheet: selectors.AttendanceSheet, now: datetime.datetime
) -> dict[str, Any]:
    """What the attendance card of the meeting page shows (also sent after a check-in)."""
    manages = request.user.has_perm(MANAGE, meeting.body)
    return {
        "sheet": sheet,
        "manages": manages,
        "can_hold": manages
        and meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at <= now,
        "shortfalls": selectors.sector_shortfalls(sheet.quorum),
    }


def _feed_url(request: HttpRequest, body: Body, internal: bool) -> str:
    """The body's calendar feed to subscribe to: with its secret for members, bare for a public
    body's visitors, none for others."""
    url = request.build_absolute_uri(
        reverse("governance:body_calendar", args=[body.program.slug, body.pk])
    )
    if internal:
        return f"{url}?{urlencode({'token': body.feed_token})}"
    return url if body.is_public and body.program.is_public else ""


# -- invitations -------------------------------------------------------------------------------


@require_POST
def meeting_invite(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    try:
        result = services.invitations_send(
            user=request.user, meeting=meeting, base_url=_base_url(request)
        )
    except ValidationError as error:
        _refusal(request, error)
    else:
        if result.already_sent:
            messages.success(request, _("The members already have this version of the meeting."))
        else:
            messages.success(
                request,
                ngettext(
                    "Invitation sent to %(count)s person, with the meeting for their calendar.",
                    "Invitations sent to %(count)s people, with the meeting for their calendar.",
                    result.sent,
                )
                % {"count": result.sent},
            )
        if result.without_email:
            names = ", ".join(m.organization.name for m in result.without_email)
            messages.warning(
                request,
                _("Without an e-mail address, tell them another way: %(seats)s.")
                % {"seats": names},
            )
    return redirect(_meeting_url(meeting, "invitations"))


# -- agenda ------------------------------------------------------------------------------------


def _orders(items: list[AgendaItem]) -> list[tuple[AgendaItem, str, str]]:
    """Each item with the agenda's order if it moved up, and if it moved down ("" at the ends)."""
    ids = [i.pk for i in items]
    rows = []
    for index, item in enumerate(items):
        up = down = ""
        if index > 0:
            moved = ids[:]
            moved[index - 1], moved[index] = moved[index], moved[index - 1]
            up = ",".join(map(str, moved))
        if index < len(ids) - 1:
            moved = ids[:]
            moved[index + 1], moved[index] = moved[index], moved[index + 1]
            down = ",".join(map(str, moved))
        rows.append((item, up, down))
    return rows


def _agenda_context(request: HttpRequest, meeting: Meeting, form: AgendaItemForm) -> dict[str, Any]:
    items = selectors.agenda_items(meeting)
    missing = services.unresolved_not_on_agenda(meeting)
    return {
        **_common(request, meeting.body),
        "meeting": meeting,
        "rows": _orders(items),
        "total_minutes": sum(i.duration_minutes for i in items),
        "form": form,
        "missing_agreements": missing,
        "editable": meeting.status == MeetingStatus.SCHEDULED,
    }


def _agenda_response(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    if is_htmx(request):
        context = _agenda_context(request, meeting, AgendaItemForm(body=meeting.body))
        return render(request, "governance/meetings/agenda.html#agenda-list", context)
    return redirect(
        reverse("governance:meeting_agenda", args=[meeting.body.program.slug, meeting.pk])
    )


@require_http_methods(["GET", "POST"])
def meeting_agenda(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    form = AgendaItemForm(request.POST or None, body=meeting.body)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(user=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Item added to the agenda."))
            return redirect(reverse("governance:meeting_agenda", args=[program, meeting.pk]))
    return render(
        request, "governance/meetings/agenda.html", _agenda_context(request, meeting, form)
    )


@require_http_methods(["GET", "POST"])
def agenda_item_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    agenda_item = get_object_or_404(AgendaItem, pk=item, meeting=meeting)
    initial = {
        "title": agenda_item.title,
        "kind": agenda_item.kind,
        "duration_minutes": agenda_item.duration_minutes,
        "description": agenda_item.description,
        "need": agenda_item.need_id,
        "agreement": agenda_item.agreement_id,
    }
    form = AgendaItemForm(request.POST or None, body=meeting.body, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(user=request.user, item=agenda_item, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Agenda item saved."))
            return redirect(reverse("governance:meeting_agenda", args=[program, meeting.pk]))
    return render(
        request,
        "governance/meetings/agenda_item.html",
        {**_common(request, meeting.body), "meeting": meeting, "item": agenda_item, "form": form},
    )


@require_POST
def agenda_item_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    agenda_item = get_object_or_404(AgendaItem, pk=item, meeting=meeting)
    try:
        services.agenda_item_remove(user=request.user, item=agenda_item)
    except ValidationError as error:
        _refusal(request, error)
    else:
        if not is_htmx(request):
            messages.success(
                request, _("“%(title)s” removed from the agenda.") % {"title": agenda_item.title}
            )
    return _agenda_response(request, meeting)


@require_POST
def agenda_reorder(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    try:
        order = [int(v) for v in request.POST.get("order", "").split(",") if v.strip()]
        services.agenda_reorder(user=request.user, meeting=meeting, item_ids=order)
    except ValueError:
        messages.error(
            request, _("The agenda could not be ordered. Reload the page and try again.")
        )
    except ValidationError as error:
        _refusal(request, error)
    return _agenda_response(request, meeting)


@require_POST
def agenda_carry_over(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    try:
        added = services.agenda_carry_over(user=request.user, meeting=meeting)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s open agreement added to the agenda.",
                "%(count)s open agreements added to the agenda.",
                len(added),
            )
            % {"count": len(added)},
        )
    return redirect(reverse("governance:meeting_agenda", args=[program, meeting.pk]))


# -- attendance --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    if meeting.status != MeetingStatus.SCHEDULED:
        # Held (or cancelled): say why the sheet is closed, on the page that explains it.
        try:
            services.require_attendance_open(meeting)
        except ValidationError as error:
            _refusal(request, error)
        return redirect(_meeting_url(meeting, "attendance"))
    sheet = selectors.attendance_sheet(meeting)
    form = AttendanceSheetForm(
        request.POST or None,
        rows=sheet.rows,
        body=meeting.body,
        guests=sheet.guests,
        fill_present=request.GET.get("fill") == "present",
    )
    context = {**_common(request, meeting.body), "meeting": meeting, "sheet": sheet, "form": form}
    if request.method == "POST" and is_htmx(request) and request.POST.get("preview"):
        # The quorum as the sheet stands, before saving it.
        quorum = selectors.quorum_for(meeting.body, form.present_ids(), sheet.day)
        context.update(quorum=quorum, shortfalls=selectors.sector_shortfalls(quorum))
        return render(request, "governance/meetings/attendance.html#quorum", context)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_sheet_record(
                user=request.user,
                meeting=meeting,
                seats=form.marks(),
                guests=form.cleaned_data["guests"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect(_meeting_url(meeting, "attendance"))
    context.update(quorum=sheet.quorum, shortfalls=selectors.sector_shortfalls(sheet.quorum))
    return render(request, "governance/meetings/attendance.html", context)


@require_POST
def meeting_check_in(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, services.CHECK_IN)
    sheet = selectors.attendance_sheet(meeting)
    row = sheet.row_for_user(request.user)
    if row is None:
        raise PermissionDenied(_("You do not hold a seat in this body on the meeting's day."))
    error_message = ""
    try:
        services.attendance_record(
            user=request.user, meeting=meeting, mandate=row.mandate, status="present"
        )
    except ValidationError as error:
        error_message = " ".join(error.messages)
    if is_htmx(request):
        # The check-in box, and the attendance card further down swapped out of band, so the
        # member's seat and the quorum show the check-in at once.
        sheet = selectors.attendance_sheet(meeting)
        context = {
            **_common(request, meeting.body),
            **_attendance_card(request, meeting, sheet, timezone.now()),
            "meeting": meeting,
            "my_row": sheet.row_for_user(request.user),
            "can_check_in": False,
            "check_in_error": error_message,
            "oob": True,
        }
        template = "governance/meetings/detail.html"
        return HttpResponse(
            render_to_string(f"{template}#check-in", context, request)
            + render_to_string(f"{template}#attendance-card", context, request)
        )
    if error_message:
        messages.error(request, error_message)
    else:
        messages.success(request, _("You are checked in. Welcome!"))
    return redirect(_meeting_url(meeting, "attendance"))


@require_POST
def meeting_held(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, MANAGE)
    try:
        result = services.meeting_hold(user=request.user, meeting=meeting)
    except ValidationError as error:
        _refusal(request, error)
        return redirect(_meeting_url(meeting))
    if result.already_held and not result.ties:
        messages.success(request, _("This meeting was already marked as held."))
    elif result.ties:
        messages.success(
            request,
            ngettext(
                "Meeting marked as held. %(ties)s tie recorded among the %(orgs)s "
                "organizations present (%(new)s new, %(stronger)s strengthened).",
                "Meeting marked as held. %(ties)s ties recorded among the %(orgs)s "
                "organizations present (%(new)s new, %(stronger)s strengthened).",
                result.ties,
            )
            % {
                "ties": result.ties,
                "orgs": result.organizations,
                "new": result.ties_created,
                "stronger": result.ties_strengthened,
            },
        )
    else:
        messages.success(request, _("Meeting marked as held."))
    return redirect(_meeting_url(meeting))


# -- minutes -----------------------------------------------------------------------------------


def _outline(items: list[AgendaItem]) -> str:
    return "\n\n".join(f"{n}. {item.title}\n" for n, item in enumerate(items, start=1))


@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, WRITE_MINUTES)
    if meeting.minutes_status == MinutesStatus.APPROVED:
        messages.error(request, _("These minutes are approved: they can no longer be changed."))
        return redirect(_meeting_url(meeting, "minutes"))
    items = selectors.agenda_items(meeting)
    initial = {"text": meeting.minutes or _outline(items)}
    form = MinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(
                user=request.user, meeting=meeting, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Minutes saved as a draft."))
            return redirect(_meeting_url(meeting, "minutes"))
    return render(
        request,
        "governance/meetings/minutes.html",
        {
            **_common(request, meeting.body),
            "meeting": meeting,
            "form": form,
            "agenda": items,
            "sheet": selectors.attendance_sheet(meeting),
        },
    )


@require_POST
def minutes_approve(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk, WRITE_MINUTES)
    form = MinutesApproveForm(request.POST, candidates=selectors.approval_candidates(meeting))
    if form.is_valid():
        try:
            services.minutes_approve(
                user=request.user, meeting=meeting, approved_in=form.cleaned_data["approved_in"]
            )
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Minutes approved."))
    else:
        messages.error(request, _("Choose the later meeting that approved these minutes."))
    return redirect(_meeting_url(meeting, "minutes"))


@require_safe
def minutes_pdf(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk)
    body = meeting.body
    internal = request.user.has_perm(INTERNAL, body.program)
    if meeting.minutes_status != MinutesStatus.APPROVED and not internal:
        raise Http404
    show_people = can_view_people(request.user, body.program)
    page = selectors.meeting_page(meeting, people=show_people, include_drafts=False)
    content = pdf.minutes_pdf(page, show_people=show_people)
    response = HttpResponse(content, content_type="application/pdf")
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    response["Content-Disposition"] = f'inline; filename="minutes-{day}-{meeting.pk}.pdf"'
    return response


# -- calendar files ----------------------------------------------------------------------------


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def meeting_ics(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, program, pk)
    url = request.build_absolute_uri(_meeting_url(meeting))
    content = ical.meeting_ics(meeting, agenda=selectors.agenda_items(meeting), url=url)
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    return _ics_response(content, f"meeting-{day}-{meeting.pk}.ics")


@require_safe
def body_calendar(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """The body's calendar feed, for calendar applications: the secret token in the address
    opens it without logging in; a public body's feed needs no token."""
    body = Body.objects.select_related("program").filter(pk=pk, program__slug=program).first()
    if body is None:
        raise Http404
    token = request.GET.get("token")
    if token is not None:
        if not constant_time_compare(token, body.feed_token):
            raise Http404
    elif not (body.is_public and body.program.is_public) and not request.user.has_perm(VIEW, body):
        raise Http404
    base = request.build_absolute_uri("/").rstrip("/")
    content = ical.body_calendar_ics(
        body,
        selectors.feed_meetings(body),
        url_for=lambda m: base + reverse("governance:meeting", args=[program, m.pk]),
    )
    response = _ics_response(content, f"{body.program.slug}-{body.pk}.ics")
    response["Content-Disposition"] = f'inline; filename="{body.program.slug}-{body.pk}.ics"'
    return response


# -- agreements --------------------------------------------------------------------------------


@require_safe
def agreement_register(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk)
    common = _common(request, body)
    today = timezone.localdate()
    options = selectors.responsible_options(body, people=common["show_people"])
    form = RegisterFilterForm(request.GET or None, options=options)
    filters = selectors.RegisterFilters()
    if request.GET and form.is_valid():
        filters = selectors.RegisterFilters(
            status=form.cleaned_data["status"],
            overdue=form.cleaned_data["overdue"],
            responsible=form.cleaned_data["responsible"],
        )
    register = selectors.agreement_register(
        body, filters, people=common["show_people"], today=today, page=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **common,
        "register": register,
        "form": form,
        "filtered": filters != selectors.RegisterFilters(),
        "page_query": f"{query.urlencode()}&" if query else "",
        "manages": request.user.has_perm(MANAGE, body),
        "statuses": AgreementStatus,
    }
    if is_htmx(request):
        return render(request, "governance/meetings/agreements.html#register", context)
    return render(request, "governance/meetings/agreements.html", context)


@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    body = _body(request, program, pk, MANAGE)
    initial: dict[str, Any] = {}
    meeting_id = request.GET.get("meeting", "")
    if meeting_id.isdigit():
        initial["meeting"] = int(meeting_id)
    form = AgreementForm(request.POST or None, body=body, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(user=request.user, body=body, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Agreement no. %(number)s recorded.") % {"number": agreement.number},
            )
            if agreement.meeting_id:
                return redirect(_meeting_url(agreement.meeting, "agreements"))  # type: ignore[arg-type]
            return redirect(reverse("governance:agreements", args=[program, body.pk]))
    return render(
        request, "governance/meetings/agreement_form.html", {**_common(request, body), "form": form}
    )


@require_safe
def agreement_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj = program_for_request(request, program)
    show_people = can_view_people(request.user, program_obj)
    try:
        agreement = selectors.agreement_get(program_obj, pk, people=show_people)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc
    body = agreement.body
    require_body_perm(request, body)
    can_follow = request.user.has_perm(FOLLOW_UP, body)
    return render(
        request,
        "governance/meetings/agreement.html",
        {
            **_common(request, body),
            "agreement": agreement,
            "can_follow": can_follow,
            "internal": request.user.has_perm(INTERNAL, body.program),
            "note_form": AgreementNoteForm(body=body) if can_follow else None,
        },
    )


@require_POST
def agreement_note(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj = program_for_request(request, program)
    agreement = get_object_or_404(
        Agreement.objects.select_related("body__program"), pk=pk, body__program=program_obj
    )
    require_body_perm(request, agreement.body, FOLLOW_UP)
    form = AgreementNoteForm(request.POST, body=agreement.body)
    if form.is_valid():
        try:
            services.agreement_note_add(user=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect(reverse("governance:agreement", args=[program, agreement.pk]))
    show_people = can_view_people(request.user, program_obj)
    agreement = selectors.agreement_get(program_obj, pk, people=show_people)
    return render(
        request,
        "governance/meetings/agreement.html",
        {
            **_common(request, agreement.body),
            "agreement": agreement,
            "can_follow": True,
            "internal": request.user.has_perm(INTERNAL, program_obj),
            "note_form": form,
        },
        status=400,
    )
