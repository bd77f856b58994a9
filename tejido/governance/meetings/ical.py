"""Meetings as iCalendar (RFC 5545): the invitation attached to e-mails (METHOD:REQUEST, or
CANCEL), a meeting's own file and the body's calendar feed (METHOD:PUBLISH).

A meeting keeps one UID for its whole life and its SEQUENCE grows with every change sent out, so
calendar applications update (or remove) the entry they already have instead of adding another.
Times are written in UTC: every calendar application shows them in its own time zone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event, vCalAddress
from icalendar.enums import STATUS

from ..models import AgendaItem, Body, Meeting, MeetingStatus

PRODID = "-//Tejido//Governance meetings//ES"


def duration_text(minutes: int) -> str:
    """ "1 h 30 min", "45 min": how long an agenda (or an item) takes."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": rest}


def agenda_text(meeting: Meeting, agenda: Sequence[AgendaItem], url: str = "") -> str:
    """The agenda as plain text, in the active language: the event's DESCRIPTION."""
    lines = [_("Agenda:")]
    lines.extend(
        f"{number}. {item.title} ({duration_text(item.duration_minutes)})"
        for number, item in enumerate(agenda, start=1)
    )
    if agenda:
        total = sum(item.duration_minutes for item in agenda)
        lines.append(_("Total: %(duration)s") % {"duration": duration_text(total)})
    else:
        lines.append(_("The agenda will be sent before the meeting."))
    if meeting.online_url:
        lines.extend(["", _("Join online: %(url)s") % {"url": meeting.online_url}])
    if url:
        lines.extend(["", _("Details, attendance and minutes: %(url)s") % {"url": url}])
    return "\n".join(lines)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def meeting_event(
    meeting: Meeting,
    *,
    agenda: Sequence[AgendaItem],
    url: str = "",
    attendee: tuple[str, str] | None = None,
) -> Event:
    """The meeting as a VEVENT. `attendee` is (e-mail, name) of the invitation's recipient."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    summary = f"{meeting.title} · {meeting.body.name}"
    if cancelled:
        summary = _("Cancelled: %(title)s") % {"title": summary}
    event = Event.new(
        uid=str(meeting.uid),
        sequence=meeting.sequence,
        start=_utc(meeting.starts_at),
        end=_utc(meeting.ends_at),
        stamp=timezone.now().astimezone(datetime.UTC),
        last_modified=_utc(meeting.updated_at) if meeting.updated_at else None,
        summary=summary,
        location=meeting.place or meeting.online_url or None,
        description=agenda_text(meeting, agenda, url),
        url=url or None,
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        organizer=_organizer(meeting.body),
        attendees=[_attendee(*attendee)] if attendee else None,
    )
    return event


def _organizer(body: Body) -> vCalAddress:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return vCalAddress.new(address or "no-reply@tejido.local", cn=body.name)


def _attendee(email: str, name: str) -> vCalAddress:
    return vCalAddress.new(
        email, cn=name or None, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False
    )


def _calendar(*, method: str, name: str, events: Iterable[Event]) -> bytes:
    calendar = Calendar.new(prodid=PRODID, method=method, name=name, subcomponents=list(events))
    # A calendar's own UID is optional; a fresh one in every download would look like a change.
    calendar.pop("UID", None)
    return calendar.to_ical()


def invitation_ics(
    meeting: Meeting,
    *,
    agenda: Sequence[AgendaItem],
    url: str,
    method: str,
    attendee: tuple[str, str],
) -> bytes:
    """The file attached to an invitation (REQUEST) or a cancellation (CANCEL)."""
    event = meeting_event(meeting, agenda=agenda, url=url, attendee=attendee)
    return _calendar(method=method, name=meeting.body.name, events=[event])


def meeting_ics(meeting: Meeting, *, agenda: Sequence[AgendaItem], url: str) -> bytes:
    """One meeting, to add to a calendar by hand."""
    event = meeting_event(meeting, agenda=agenda, url=url)
    return _calendar(method="PUBLISH", name=meeting.body.name, events=[event])


def body_calendar_ics(
    body: Body, meetings: Iterable[Meeting], *, url_for: Callable[[Meeting], str]
) -> bytes:
    """The body's feed: its meetings, cancelled ones marked STATUS:CANCELLED so subscribed
    calendars remove them. Each meeting's `agenda_items` should be prefetched."""
    events = [
        meeting_event(meeting, agenda=list(meeting.agenda_items.all()), url=url_for(meeting))
        for meeting in meetings
    ]
    count = len(events)
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name=body.name,
        description=ngettext(
            "%(count)s meeting of %(body)s", "%(count)s meetings of %(body)s", count
        )
        % {"count": count, "body": body.name},
        refresh_interval=datetime.timedelta(hours=6),
        subcomponents=events,
    )
    calendar.pop("UID", None)
    return calendar.to_ical()
