"""Training sessions as iCalendar (RFC 5545): one cohort's file and the program's feed.

Every session keeps one UID for its whole life; SEQUENCE and LAST-MODIFIED grow when it changes,
so calendar applications replace the event they already have instead of adding another. Times
are written in the program's time zone (settings.TIME_ZONE) with its VTIMEZONE, so a session at
"18:00 in Santiago" stays at 18:00 there across daylight-saving changes.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event

from ..models import Session

PRODID = "-//Tejido//Training sessions//ES"


def session_uid(session: Session) -> str:
    return f"learning-session-{session.pk}@tejido"


def session_sequence(session: Session) -> int:
    """Grows with every change: seconds between the session's creation and its last change."""
    if not session.created_at or not session.updated_at:
        return 0
    return max(int((session.updated_at - session.created_at).total_seconds()), 0)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def session_event(session: Session, *, url: str = "", with_facilitator: bool = True) -> Event:
    """A session as a VEVENT. `session.cohort.course` and `session.module` should be loaded."""
    cohort = session.cohort
    title = session.title or (session.module.title if session.module else "")
    summary = f"{title} · {cohort.course.title}" if title else cohort.course.title
    lines = [cohort.name]
    if session.module is not None and session.title:
        lines.append(_("Module: %(module)s") % {"module": session.module.title})
    if with_facilitator and session.facilitator_name:
        lines.append(_("Facilitator: %(name)s") % {"name": session.facilitator_name})
    if session.online_url:
        lines.append(_("Join online: %(url)s") % {"url": session.online_url})
    if url:
        lines.append(_("Details: %(url)s") % {"url": url})
    return Event.new(
        uid=session_uid(session),
        sequence=session_sequence(session),
        start=_local(session.starts_at),
        end=_local(session.ends_at),
        stamp=timezone.now().astimezone(datetime.UTC),
        created=session.created_at.astimezone(datetime.UTC) if session.created_at else None,
        last_modified=session.updated_at.astimezone(datetime.UTC) if session.updated_at else None,
        summary=summary,
        location=session.place or session.online_url or None,
        description="\n".join(lines),
        url=url or None,
    )


def calendar_ics(
    *,
    name: str,
    sessions: Iterable[Session],
    url_for: Callable[[Session], str],
    with_facilitator: bool = True,
) -> bytes:
    events = [session_event(s, url=url_for(s), with_facilitator=with_facilitator) for s in sessions]
    count = len(events)
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name=name,
        description=ngettext("%(count)s training session", "%(count)s training sessions", count)
        % {"count": count},
        refresh_interval=datetime.timedelta(hours=6),
        subcomponents=events,
    )
    # A calendar's own UID is optional; a fresh one in every download would look like a change.
    calendar.pop("UID", None)
    calendar.add_missing_timezones()
    return calendar.to_ical()
