"""Every write of a meeting and of the agreements register: scheduling and changing a meeting,
its agenda, the invitations (with their iCalendar file), attendance, holding the meeting (and
the ties it records), the minutes and their approval, agreements and their follow-up notes.

Rules kept here
---------------
* Scheduling a meeting puts "approval of the previous minutes" first on the agenda when an
  earlier meeting's minutes are still to approve, then one follow-up item per unresolved
  agreement of the body (kind follow-up, carried over), then the items given. The database
  keeps an agreement on one meeting's agenda at most once.
* A meeting's iCalendar identity is its `uid`; `sequence` grows with every change sent out.
  Invitations go to every current seat holder and alternate with an e-mail address, each in
  their own language, once per sequence: sending again without a change sends nothing. A
  change of date, time or place of an invited meeting e-mails the update at once; a change of
  the agenda waits for the coordinator to send it.
* Attendance is one row per seat (present, excused, absent; the alternate may come instead)
  plus one row per guest organization. Seat holders check themselves in, for their own seat
  only, from an hour before the start until three hours after the end. Once the meeting is
  marked as held its attendance is closed: the quorum, the ties and the minutes rest on it.
* Marking a meeting as held records a tie between every two organizations present when the
  body records ties from meetings: the body's type, at the body's intensity or the intensity
  the pair already had if stronger (a tie is never weakened, and its trust, value and note are
  kept). Marking it again records nothing twice.
* Minutes are drafted by coordinators and approved in a later meeting of the same body;
  approved minutes never change.
* Agreements are numbered per body (1, 2, 3...) under a lock on the body; a follow-up note may
  change the status, and closing (done or cancelled) dates the agreement.

Services check the permission they need and raise `PermissionDenied` without it; a refusal on
the data raises `ValidationError` with a translated message, and changes nothing.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind
from tejido.core.audit import audit_log
from tejido.core.mail import DEFAULT_EMAIL_LANGUAGE, recipient_language
from tejido.core.models import AuditEntry
from tejido.network.models import Provenance, Tie
from tejido.network.services import tie_create

from ..models import (
    AgendaItem,
    AgendaItemKind,
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    Need,
    Poll,
)
from . import ical

MANAGE = "governance.manage_body"
CHECK_IN = "governance.check_in"
WRITE_MINUTES = "governance.write_minutes"
FOLLOW_UP = "governance.follow_up_agreement"

# Members check themselves in from this long before the start until this long after the end.
CHECK_IN_OPENS = datetime.timedelta(hours=1)
CHECK_IN_CLOSES = datetime.timedelta(hours=3)
LONGEST_MEETING = datetime.timedelta(hours=12)
LONGEST_ITEM_MINUTES = 600
CLOSED_AGREEMENT_STATUSES = (AgreementStatus.DONE, AgreementStatus.CANCELLED)
INVITATION_ACTIONS = ("meeting.invitations", "meeting.update_sent", "meeting.cancel_sent")


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def meeting_day(meeting: Meeting) -> datetime.date:
    """The local date a meeting takes place on: the day its mandates are read for."""
    return timezone.localdate(meeting.starts_at)


def _when(meeting: Meeting) -> str:
    return date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT")


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("body__program").get(pk=meeting.pk)


def _require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it can no longer be changed."))
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(
            _("This meeting has been held: its date, agenda and attendance are closed.")
        )


# -- scheduling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaEntry:
    """One item given when scheduling a meeting."""

    title: str
    kind: str = AgendaItemKind.DISCUSSION
    duration_minutes: int = 15
    description: str = ""
    need: Need | None = None


def _entry(value: AgendaEntry | Mapping[str, Any]) -> AgendaEntry:
    return value if isinstance(value, AgendaEntry) else AgendaEntry(**value)


def _validate_meeting_fields(
    *,
    body: Body,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    online_url: str,
    exclude: Meeting | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the meeting a title, such as “Ordinary session”.")]
    elif len(title.strip()) > 200:
        errors["title"] = [_("Keep the title under 200 characters.")]
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Meeting times must be aware datetimes.")
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    elif ends_at - starts_at > LONGEST_MEETING:
        errors["ends_at"] = [_("A meeting lasts at most 12 hours. Check the end time.")]
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            errors["online_url"] = [_("Write the whole link, starting with https://.")]
    if not errors:
        overlapping = Meeting.objects.filter(
            body=body, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exclude(status=MeetingStatus.CANCELLED)
        if exclude is not None:
            overlapping = overlapping.exclude(pk=exclude.pk)
        clash = overlapping.first()
        if clash is not None:
            errors["starts_at"] = [
                _("%(body)s already meets at that time (%(meeting)s).")
                % {"body": body.name, "meeting": clash.title}
            ]
    return errors


def _validate_item(
    *,
    body: Body,
    title: str,
    kind: str,
    duration_minutes: int,
    need: Need | None = None,
    agreement: Agreement | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the agenda item a title.")]
    elif len(title.strip()) > 200:
        errors["title"] = [_("Keep the title under 200 characters.")]
    if kind not in AgendaItemKind.values:
        errors["kind"] = [_("Choose a kind of item.")]
    if not isinstance(duration_minutes, int) or not 1 <= duration_minutes <= LONGEST_ITEM_MINUTES:
        errors["duration_minutes"] = [
            _("Give the item from 1 to %(most)s minutes.") % {"most": LONGEST_ITEM_MINUTES}
        ]
    if need is not None and need.program_id != body.program_id:
        errors["need"] = [_("Choose a need of this program.")]
    if agreement is not None and agreement.body_id != body.pk:
        errors["agreement"] = [_("Choose an agreement of this body.")]
    return errors


def _pending_minutes_meeting(body: Body, before: datetime.datetime) -> Meeting | None:
    """The latest earlier meeting whose minutes are still to approve."""
    return (
        Meeting.objects.filter(body=body, starts_at__lt=before)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(minutes_status=MinutesStatus.APPROVED)
        .order_by("-starts_at", "-id")
        .first()
    )


def _minutes_item(previous: Meeting) -> AgendaItem:
    return AgendaItem(
        kind=AgendaItemKind.MINUTES,
        title=_("Approval of the previous minutes"),
        description=_("Minutes of “%(title)s”, %(day)s.")
        % {"title": previous.title, "day": _when(previous)},
        duration_minutes=10,
    )


def _follow_up_item(agreement: Agreement) -> AgendaItem:
    label = _("Follow-up of agreement no. %(number)s") % {"number": agreement.number}
    return AgendaItem(
        kind=AgendaItemKind.FOLLOW_UP,
        title=Truncator(f"{label}: {agreement.text}").chars(200),
        description=agreement.text,
        duration_minutes=5,
        agreement=agreement,
        carried_over=True,
    )


def unresolved_not_on_agenda(meeting: Meeting) -> list[Agreement]:
    """The body's open or in-progress agreements the meeting's agenda does not follow up yet
    (those adopted at this very meeting aside)."""
    on_agenda = AgendaItem.objects.filter(meeting=meeting, agreement__isnull=False).values(
        "agreement_id"
    )
    return list(
        Agreement.objects.unresolved()
        .filter(body_id=meeting.body_id)
        .exclude(meeting=meeting)
        .exclude(pk__in=on_agenda)
        .order_by("number")
    )


def _renumber(items: Sequence[AgendaItem]) -> None:
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        AgendaItem.objects.bulk_update(changed, ["position"])


@transaction.atomic
def meeting_schedule(
    *,
    user: Any,
    body: Body,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    online_url: str = "",
    agenda: Iterable[AgendaEntry | Mapping[str, Any]] = (),
) -> Meeting:
    """Schedule a meeting of `body` with its agenda.

    The agenda starts with the approval of the previous minutes (when an earlier meeting's
    minutes are still to approve) and the follow-up of every unresolved agreement of the body.
    """
    _require(user, MANAGE, body, _("Only the program's coordinators schedule meetings."))
    # The lock orders concurrent schedulings of one body: each sees the other's meeting.
    body = Body.objects.select_for_update().select_related("program").get(pk=body.pk)
    entries = [_entry(e) for e in agenda]
    errors = _validate_meeting_fields(
        body=body, title=title, starts_at=starts_at, ends_at=ends_at, online_url=online_url
    )
    for index, entry in enumerate(entries, start=1):
        item_errors = _validate_item(
            body=body,
            title=entry.title,
            kind=entry.kind,
            duration_minutes=entry.duration_minutes,
            need=entry.need,
        )
        for message in itertools.chain.from_iterable(item_errors.values()):
            errors.setdefault("agenda", []).append(
                _("Item %(number)s: %(problem)s") % {"number": index, "problem": message}
            )
    if len(place.strip()) > 255:
        errors["place"] = [_("Keep the place under 255 characters.")]
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        body=body,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_url=online_url.strip(),
        created_by=_user_or_none(user),
    )
    items: list[AgendaItem] = []
    previous = _pending_minutes_meeting(body, starts_at)
    if previous is not None and not any(e.kind == AgendaItemKind.MINUTES for e in entries):
        items.append(_minutes_item(previous))
    items.extend(_follow_up_item(agreement) for agreement in unresolved_not_on_agenda(meeting))
    items.extend(
        AgendaItem(
            title=entry.title.strip(),
            kind=entry.kind,
            duration_minutes=entry.duration_minutes,
            description=entry.description.strip(),
            need=entry.need,
        )
        for entry in entries
    )
    for position, item in enumerate(items, start=1):
        item.meeting = meeting
        item.position = position
    AgendaItem.objects.bulk_create(items)
    audit_log(
        user=user,
        action="meeting.schedule",
        target=meeting,
        program=body.program,
        data={"agenda_items": len(items), "carried_over": sum(i.carried_over for i in items)},
    )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    user: Any,
    meeting: Meeting,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    online_url: str = "",
    base_url: str = "",
) -> Meeting:
    """Change a scheduled meeting. Its sequence grows, and members already invited get the
    change by e-mail with the updated calendar entry."""
    _require(user, MANAGE, meeting.body, _("Only the program's coordinators change meetings."))
    meeting = _locked(meeting)
    _require_open(meeting)
    errors = _validate_meeting_fields(
        body=meeting.body,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        online_url=online_url,
        exclude=meeting,
    )
    if len(place.strip()) > 255:
        errors["place"] = [_("Keep the place under 255 characters.")]
    if errors:
        raise ValidationError(errors)
    values = {
        "title": title.strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place.strip(),
        "online_url": online_url.strip(),
    }
    changed = sorted(k for k, v in values.items() if getattr(meeting, k) != v)
    if not changed:
        return meeting
    for key in changed:
        setattr(meeting, key, values[key])
    meeting.sequence += 1
    fields = [*changed, "sequence", "updated_at"]
    sent = 0
    if meeting.invitations_sent_at is not None:
        sent = _send(meeting, kind="update", user=user, base_url=base_url)
        meeting.invitations_sent_at = timezone.now()
        fields.append("invitations_sent_at")
    meeting.save(update_fields=fields)
    audit_log(
        user=user,
        action="meeting.update",
        target=meeting,
        program=meeting.body.program,
        data={"fields": changed, "sequence": meeting.sequence, "emails": sent},
    )
    return meeting


@transaction.atomic
def meeting_cancel(
    *, user: Any, meeting: Meeting, base_url: str = "", send_emails: bool = True
) -> Meeting:
    """Cancel a scheduled meeting; members already invited get the cancellation by e-mail, and
    their calendars remove the meeting (`send_emails=False`: recorded, not e-mailed)."""
    _require(user, MANAGE, meeting.body, _("Only the program's coordinators cancel meetings."))
    meeting = _locked(meeting)
    _require_open(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    fields = ["status", "sequence", "updated_at"]
    sent = 0
    if meeting.invitations_sent_at is not None:
        sent = _send(meeting, kind="cancel", user=user, base_url=base_url, send_emails=send_emails)
    meeting.save(update_fields=fields)
    audit_log(
        user=user,
        action="meeting.cancel",
        target=meeting,
        program=meeting.body.program,
        data={"sequence": meeting.sequence, "emails": sent},
    )
    return meeting


# -- agenda ------------------------------------------------------------------------------------


def _agenda_changed(meeting: Meeting) -> None:
    """An invited meeting's calendar entry changes with its agenda (its description)."""
    if meeting.invitations_sent_at is not None:
        meeting.sequence += 1
        meeting.save(update_fields=["sequence", "updated_at"])


def _agenda_meeting(user: Any, meeting: Meeting) -> Meeting:
    _require(user, MANAGE, meeting.body, _("Only the program's coordinators change the agenda."))
    meeting = _locked(meeting)
    _require_open(meeting)
    return meeting


def _check_item(
    meeting: Meeting,
    item: AgendaItem | None,
    title: str,
    kind: str,
    duration_minutes: int,
    need: Need | None,
    agreement: Agreement | None,
) -> None:
    """Refuse an agenda item (new, or `item` changed) that is invalid or repeats an agreement
    already on the meeting's agenda."""
    errors = _validate_item(
        body=meeting.body,
        title=title,
        kind=kind,
        duration_minutes=duration_minutes,
        need=need,
        agreement=agreement,
    )
    if agreement is not None and "agreement" not in errors:
        others = AgendaItem.objects.filter(meeting=meeting, agreement=agreement)
        if item is not None:
            others = others.exclude(pk=item.pk)
        if others.exists():
            errors["agreement"] = [_("This agreement is already on the agenda.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_item_add(
    *,
    user: Any,
    meeting: Meeting,
    title: str,
    kind: str = AgendaItemKind.DISCUSSION,
    duration_minutes: int = 15,
    description: str = "",
    need: Need | None = None,
    agreement: Agreement | None = None,
) -> AgendaItem:
    """Add an item at the end of the agenda."""
    meeting = _agenda_meeting(user, meeting)
    _check_item(meeting, None, title, kind, duration_minutes, need, agreement)
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(last=Max("position"))["last"]
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=(last or 0) + 1,
        title=title.strip(),
        kind=kind,
        duration_minutes=duration_minutes,
        description=description.strip(),
        need=need,
        agreement=agreement,
    )
    _agenda_changed(meeting)
    audit_log(
        user=user,
        action="meeting.agenda_add",
        target=meeting,
        program=meeting.body.program,
        data={"item": item.pk},
    )
    return item


@transaction.atomic
def agenda_item_update(
    *,
    user: Any,
    item: AgendaItem,
    title: str,
    kind: str,
    duration_minutes: int,
    description: str = "",
    need: Need | None = None,
    agreement: Agreement | None = None,
) -> AgendaItem:
    meeting = _agenda_meeting(user, item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk, meeting=meeting)
    _check_item(meeting, item, title, kind, duration_minutes, need, agreement)
    item.title, item.kind = title.strip(), kind
    item.duration_minutes, item.description = duration_minutes, description.strip()
    item.need, item.agreement = need, agreement
    item.save()
    _agenda_changed(meeting)
    audit_log(
        user=user,
        action="meeting.agenda_update",
        target=meeting,
        program=meeting.body.program,
        data={"item": item.pk},
    )
    return item


@transaction.atomic
def agenda_item_remove(*, user: Any, item: AgendaItem) -> None:
    meeting = _agenda_meeting(user, item.meeting)
    deleted, _detail = AgendaItem.objects.filter(pk=item.pk, meeting=meeting).delete()
    if not deleted:
        raise ValidationError(_("This item is no longer on the agenda."))
    _renumber(list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id")))
    _agenda_changed(meeting)
    audit_log(
        user=user,
        action="meeting.agenda_remove",
        target=meeting,
        program=meeting.body.program,
        data={"item": item.pk, "title": item.title},
    )


@transaction.atomic
def agenda_reorder(*, user: Any, meeting: Meeting, item_ids: Sequence[int]) -> list[AgendaItem]:
    """Put the agenda in the order given: every item of the meeting, each once."""
    meeting = _agenda_meeting(user, meeting)
    items = {i.pk: i for i in AgendaItem.objects.filter(meeting=meeting)}
    ids = [int(i) for i in item_ids]
    if len(ids) != len(set(ids)) or set(ids) != set(items):
        raise ValidationError(
            _("The agenda changed while you were ordering it. Reload the page and try again.")
        )
    ordered = [items[i] for i in ids]
    before = [i.pk for i in sorted(items.values(), key=lambda i: (i.position, i.pk))]
    _renumber(ordered)
    if before != ids:
        _agenda_changed(meeting)
        audit_log(
            user=user,
            action="meeting.agenda_reorder",
            target=meeting,
            program=meeting.body.program,
            data={"order": ids},
        )
    return ordered


@transaction.atomic
def agenda_carry_over(*, user: Any, meeting: Meeting) -> list[AgendaItem]:
    """Add to the agenda the follow-up of every unresolved agreement not on it yet (adopted
    since the meeting was scheduled, say), right after the earlier follow-ups."""
    meeting = _agenda_meeting(user, meeting)
    agreements = unresolved_not_on_agenda(meeting)
    if not agreements:
        return []
    existing = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))
    new = [_follow_up_item(a) for a in agreements]
    for item in new:
        item.meeting = meeting
        item.position = 0
    try:
        with transaction.atomic():
            AgendaItem.objects.bulk_create(new)
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone else just added these agreements to the agenda. Reload the page.")
        ) from exc
    # After the minutes and the follow-ups already there, before everything else.
    cut = 0
    for index, item in enumerate(existing):
        if item.kind in (AgendaItemKind.MINUTES, AgendaItemKind.FOLLOW_UP):
            cut = index + 1
    _renumber([*existing[:cut], *new, *existing[cut:]])
    _agenda_changed(meeting)
    audit_log(
        user=user,
        action="meeting.agenda_carry_over",
        target=meeting,
        program=meeting.body.program,
        data={"agreements": [a.pk for a in agreements]},
    )
    return new


# -- invitations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str


def current_mandates(body: Body, day: datetime.date) -> list[Mandate]:
    """Every mandate of the body in force on `day`, voting or not, in seat order."""
    return list(
        Mandate.objects.current(day)
        .filter(seat__body=body)
        .select_related(
            "seat", "organization", "holder", "alternate", "holder_user", "alternate_user"
        )
        .order_by("seat__position", "seat_id", "-starts_on")
    )


def meeting_recipients(meeting: Meeting) -> tuple[list[Recipient], list[Mandate]]:
    """Who is invited: every current holder and alternate with an e-mail address (the account's,
    else the person's), each once; and the mandates whose holder has no address at all."""
    recipients: dict[str, Recipient] = {}
    unreachable: list[Mandate] = []
    for mandate in current_mandates(meeting.body, meeting_day(meeting)):
        people = (
            (mandate.holder_user, mandate.holder, True),
            (mandate.alternate_user, mandate.alternate, False),
        )
        for account, person, is_holder in people:
            if account is not None and account.is_active and account.email:
                email, language = account.email, recipient_language(account)
                name = person.name if person is not None else account.get_full_name()
            elif person is not None and person.email:
                email, language, name = person.email, DEFAULT_EMAIL_LANGUAGE, person.name
            else:
                if is_holder:
                    unreachable.append(mandate)
                continue
            recipients.setdefault(email.lower(), Recipient(email, language, name))
    return list(recipients.values()), unreachable


def meeting_url(meeting: Meeting, base_url: str = "") -> str:
    path = reverse("governance:meeting", args=[meeting.body.program.slug, meeting.pk])
    return base_url.rstrip("/") + path if base_url else path


def _messages(meeting: Meeting, *, kind: str, base_url: str) -> list[EmailMessage]:
    recipients, _unreachable = meeting_recipients(meeting)
    agenda = list(meeting.agenda_items.order_by("position", "id"))
    url = meeting_url(meeting, base_url)
    method = "CANCEL" if kind == "cancel" else "REQUEST"
    messages = []
    for recipient in recipients:
        with translation.override(recipient.language):
            context = {
                "meeting": meeting,
                "body": meeting.body,
                "program": meeting.body.program,
                "agenda": agenda,
                "total_minutes": sum(i.duration_minutes for i in agenda),
                "url": url,
                "kind": kind,
                "recipient": recipient,
            }
            subject = render_to_string("governance/meetings/email/subject.txt", context)
            text = render_to_string("governance/meetings/email/invitation.txt", context)
            calendar = ical.invitation_ics(
                meeting,
                agenda=agenda,
                url=url if base_url else "",
                method=method,
                attendee=(recipient.email, recipient.name),
            )
        message = EmailMessage(" ".join(subject.split()), text, to=[recipient.email])
        message.attach(
            "cancellation.ics" if kind == "cancel" else "invitation.ics",
            calendar,
            f"text/calendar; method={method}",
        )
        messages.append(message)
    return messages


def _send(
    meeting: Meeting, *, kind: str, user: Any, base_url: str, send_emails: bool = True
) -> int:
    """Record the sending of this sequence and e-mail it once the transaction commits."""
    recipients, _unreachable = meeting_recipients(meeting)
    meeting_id = meeting.pk

    def send() -> None:
        current = Meeting.objects.select_related("body__program").get(pk=meeting_id)
        messages = _messages(current, kind=kind, base_url=base_url)
        if messages:
            mailers.default.send_messages(messages)

    if send_emails:
        transaction.on_commit(send)
    action = {
        "invitation": "meeting.invitations",
        "update": "meeting.update_sent",
        "cancel": "meeting.cancel_sent",
    }[kind]
    audit_log(
        user=user,
        action=action,
        target=meeting,
        program=meeting.body.program,
        data={"sequence": meeting.sequence, "recipients": len(recipients), "emails": send_emails},
    )
    return len(recipients)


def sent_sequences(meeting: Meeting) -> set[int]:
    """The sequences of this meeting already e-mailed (invitations, updates, cancellation)."""
    entries = AuditEntry.objects.filter(
        action__in=INVITATION_ACTIONS,
        target_type=Meeting._meta.label_lower,
        target_id=str(meeting.pk),
    ).values_list("data", flat=True)
    return {int(data["sequence"]) for data in entries if "sequence" in data}


@dataclass(frozen=True)
class InvitationResult:
    sent: int  # e-mails queued (0 when this version was already sent)
    already_sent: bool
    without_email: list[Mandate] = field(default_factory=list)


@transaction.atomic
def invitations_send(
    *, user: Any, meeting: Meeting, base_url: str = "", send_emails: bool = True
) -> InvitationResult:
    """E-mail the invitation (or the updated agenda) to every current holder and alternate, with
    the meeting as an iCalendar file. Once per version of the meeting: again, it sends nothing.

    `send_emails=False` records the invitation without e-mailing it (members told another way,
    or the demo)."""
    _require(user, MANAGE, meeting.body, _("Only the program's coordinators send invitations."))
    meeting = _locked(meeting)
    _require_open(meeting)
    recipients, unreachable = meeting_recipients(meeting)
    if meeting.sequence in sent_sequences(meeting):
        return InvitationResult(sent=0, already_sent=True, without_email=unreachable)
    if not recipients:
        raise ValidationError(
            _("Nobody can be invited: no current seat holder or alternate has an e-mail address.")
        )
    kind = "invitation" if meeting.invitations_sent_at is None else "update"
    sent = _send(meeting, kind=kind, user=user, base_url=base_url, send_emails=send_emails)
    meeting.invitations_sent_at = timezone.now()
    meeting.save(update_fields=["invitations_sent_at", "updated_at"])
    return InvitationResult(sent=sent, already_sent=False, without_email=unreachable)


# -- attendance --------------------------------------------------------------------------------


def check_in_open(meeting: Meeting, now: datetime.datetime) -> bool:
    """Whether members may check themselves in at `now`."""
    return meeting.starts_at - CHECK_IN_OPENS <= now <= meeting.ends_at + CHECK_IN_CLOSES


def require_attendance_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: there is no attendance to record."))
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(_("The meeting has been marked as held: its attendance is closed."))


def _mandate_of_meeting(meeting: Meeting, mandate: Mandate) -> Mandate:
    found = (
        Mandate.objects.select_related("seat", "organization", "holder", "alternate")
        .filter(pk=mandate.pk, seat__body_id=meeting.body_id)
        .first()
    )
    if found is None or not found.is_current(meeting_day(meeting)):
        raise ValidationError(
            {"mandate": _("This seat is not held by this organization on the meeting's day.")}
        )
    return found


def _check_guest(meeting: Meeting, organization: Actor) -> None:
    if organization.program_id != meeting.body.program_id:
        raise ValidationError({"organization": _("Choose an organization of this program.")})
    if organization.kind == ActorKind.PERSON:
        raise ValidationError(
            {"organization": _("A guest comes for an organization or group, not as a person.")}
        )
    holds = Mandate.objects.current(meeting_day(meeting)).filter(
        seat__body_id=meeting.body_id, organization=organization
    )
    if holds.exists():
        raise ValidationError(
            {
                "organization": _(
                    "%(name)s holds a seat in this body: record it in its seat's row."
                )
                % {"name": organization.name}
            }
        )


def _check_person(meeting: Meeting, person: Actor | None) -> None:
    if person is not None and (
        person.kind != ActorKind.PERSON or person.program_id != meeting.body.program_id
    ):
        raise ValidationError({"person": _("Choose a person of this program.")})


@transaction.atomic
def attendance_record(
    *,
    user: Any,
    meeting: Meeting,
    mandate: Mandate | None = None,
    organization: Actor | None = None,
    person: Actor | None = None,
    status: str = AttendanceStatus.PRESENT,
    as_alternate: bool = False,
) -> Attendance:
    """Record who came for a seat (`mandate`) or for a guest `organization`.

    Coordinators record anyone; a seat holder or alternate checks in for their own seat only.
    Recording a seat again replaces its row.
    """
    body = meeting.body
    manages = user.has_perm(MANAGE, body)
    if not manages and not user.has_perm(CHECK_IN, body):
        raise PermissionDenied(_("Only the body's members check in, for their own seat."))
    meeting = _locked(meeting)
    require_attendance_open(meeting)
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Choose present, excused or absent.")})
    if mandate is None and organization is None:
        raise ValidationError(_("Say which seat or which guest organization this is."))
    if mandate is not None:
        mandate = _mandate_of_meeting(meeting, mandate)
        if organization is not None and organization.pk != mandate.organization_id:
            raise ValidationError(
                {"organization": _("This seat is held for another organization.")}
            )
        organization = mandate.organization
        if not manages:
            acting_as = {mandate.holder_user_id: False, mandate.alternate_user_id: True}
            if user.pk not in acting_as or user.pk is None:
                raise PermissionDenied(_("You can only check in for your own seat."))
            if status != AttendanceStatus.PRESENT:
                raise PermissionDenied(
                    _("Members only check themselves in; the coordinators record absences.")
                )
            if not check_in_open(meeting, timezone.now()):
                raise ValidationError(
                    _(
                        "Check-in opens an hour before the meeting starts and closes three "
                        "hours after it ends."
                    )
                )
            as_alternate = acting_as[user.pk] and mandate.holder_user_id != user.pk
            person = None  # who checks in is who holds the account, never someone named
        as_alternate = as_alternate and status == AttendanceStatus.PRESENT
        if as_alternate and mandate.alternate_id is None and mandate.alternate_user_id is None:
            raise ValidationError({"as_alternate": _("This seat has no alternate.")})
        if person is None:
            person = mandate.alternate if as_alternate else mandate.holder
    else:
        if not manages:
            raise PermissionDenied(_("Only the program's coordinators record guests."))
        assert organization is not None
        _check_guest(meeting, organization)
        if as_alternate:
            raise ValidationError({"as_alternate": _("Only a seat has an alternate.")})
    _check_person(meeting, person)
    existing = Attendance.objects.select_for_update().filter(meeting=meeting)
    existing = (
        existing.filter(mandate=mandate)
        if mandate is not None
        else existing.filter(mandate__isnull=True, organization=organization)
    )
    attendance = existing.first() or Attendance(meeting=meeting, mandate=mandate)
    attendance.organization = organization
    attendance.person = person
    attendance.status = status
    attendance.as_alternate = as_alternate
    attendance.recorded_at = timezone.now()
    attendance.recorded_by = _user_or_none(user)
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone recorded this attendance at the same moment. Reload the page.")
        ) from exc
    audit_log(
        user=user,
        action="attendance.record" if manages else "attendance.check_in",
        target=meeting,
        program=body.program,
        data={"attendance": attendance.pk, "status": status},
    )
    return attendance


@dataclass(frozen=True)
class SeatMark:
    """One row of the attendance sheet. An empty status leaves (or makes) the seat unrecorded."""

    mandate_id: int
    status: str
    as_alternate: bool = False


@dataclass(frozen=True)
class SheetResult:
    recorded: int
    cleared: int
    guests_added: int
    guests_removed: int


@transaction.atomic
def attendance_sheet_record(
    *,
    user: Any,
    meeting: Meeting,
    seats: Iterable[SeatMark],
    guests: Iterable[Actor] | None = None,
) -> SheetResult:
    """Record the whole attendance sheet at once: every seat's status, and the guest
    organizations present (`None` leaves the guests as they are)."""
    _require(
        user, MANAGE, meeting.body, _("Only the program's coordinators record the attendance.")
    )
    meeting = _locked(meeting)
    require_attendance_open(meeting)
    mandates = {m.pk: m for m in current_mandates(meeting.body, meeting_day(meeting))}
    marks = list(seats)
    errors: list[str] = []
    for mark in marks:
        mandate = mandates.get(mark.mandate_id)
        if mandate is None:
            errors.append(_("One of the seats is not held on the meeting's day. Reload the page."))
        elif mark.status not in ("", *AttendanceStatus.values):
            errors.append(_("Choose present, excused or absent."))
        elif mark.as_alternate and mandate.alternate_id is None:
            errors.append(
                _("%(organization)s has no alternate for this seat.")
                % {"organization": mandate.organization.name}
            )
    guest_list = None if guests is None else list({g.pk: g for g in guests}.values())
    for guest in guest_list or ():
        if guest.pk in {m.organization_id for m in mandates.values()}:
            errors.append(
                _("%(name)s holds a seat in this body: record it in its seat's row.")
                % {"name": guest.name}
            )
        elif guest.program_id != meeting.body.program_id or guest.kind == ActorKind.PERSON:
            errors.append(_("Guests are organizations or groups of this program."))
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    now, recorder = timezone.now(), _user_or_none(user)
    rows = Attendance.objects.select_for_update().filter(meeting=meeting)
    by_mandate = {a.mandate_id: a for a in rows if a.mandate_id is not None}
    new, changed, clear = [], [], []
    for mark in marks:
        mandate = mandates[mark.mandate_id]
        row = by_mandate.get(mandate.pk)
        if not mark.status:
            if row is not None:
                clear.append(row.pk)
            continue
        as_alternate = mark.as_alternate and mark.status == AttendanceStatus.PRESENT
        person = mandate.alternate if as_alternate else mandate.holder
        if row is None:
            new.append(
                Attendance(
                    meeting=meeting,
                    mandate=mandate,
                    organization=mandate.organization,
                    person=person,
                    status=mark.status,
                    as_alternate=as_alternate,
                    recorded_at=now,
                    recorded_by=recorder,
                )
            )
        elif (row.status, row.as_alternate, row.person_id) != (
            mark.status,
            as_alternate,
            person.pk if person else None,
        ):
            row.status, row.as_alternate, row.person = mark.status, as_alternate, person
            row.recorded_at, row.recorded_by = now, recorder
            changed.append(row)
    added = removed = 0
    if guest_list is not None:
        present_guests = {a.organization_id: a for a in rows if a.mandate_id is None}
        wanted = {g.pk for g in guest_list}
        gone = [a.pk for org, a in present_guests.items() if org not in wanted]
        clear.extend(gone)
        removed = len(gone)
        for guest in guest_list:
            if guest.pk not in present_guests:
                new.append(
                    Attendance(
                        meeting=meeting,
                        organization=guest,
                        status=AttendanceStatus.PRESENT,
                        recorded_at=now,
                        recorded_by=recorder,
                    )
                )
                added += 1
    if clear:
        Attendance.objects.filter(pk__in=clear).delete()
    if changed:
        Attendance.objects.bulk_update(
            changed, ["status", "as_alternate", "person", "recorded_at", "recorded_by"]
        )
    try:
        with transaction.atomic():
            Attendance.objects.bulk_create(new)
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone recorded attendance at the same moment. Reload the page and try again.")
        ) from exc
    result = SheetResult(
        recorded=len(new) - added + len(changed),
        cleared=len(clear) - removed,
        guests_added=added,
        guests_removed=removed,
    )
    audit_log(
        user=user,
        action="attendance.sheet",
        target=meeting,
        program=meeting.body.program,
        data={
            "recorded": result.recorded,
            "cleared": result.cleared,
            "guests_added": added,
            "guests_removed": removed,
        },
    )
    return result


# -- holding the meeting and its ties ------------------------------------------------------------


@dataclass(frozen=True)
class HeldResult:
    meeting: Meeting
    already_held: bool
    organizations: int = 0  # organizations present
    ties_created: int = 0
    ties_strengthened: int = 0  # raised to the body's intensity
    ties_kept: int = 0  # already as strong or stronger: intensity unchanged

    @property
    def ties(self) -> int:
        return self.ties_created + self.ties_strengthened + self.ties_kept


def _record_ties(meeting: Meeting, user: Any) -> tuple[int, int, int, int]:
    body = meeting.body
    present = list(
        Actor.objects.filter(
            pk__in=Attendance.objects.filter(
                meeting=meeting, status=AttendanceStatus.PRESENT
            ).values("organization_id")
        )
        .exclude(kind=ActorKind.PERSON)
        .order_by("pk")
    )
    if len(present) < 2:
        return len(present), 0, 0, 0
    ids = [a.pk for a in present]
    existing = {
        (t.source_id, t.target_id): t
        for t in Tie.objects.current().filter(
            tie_type=body.meeting_tie_type, source_id__in=ids, target_id__in=ids
        )
    }
    day = meeting_day(meeting)
    note = _("Met at “%(meeting)s” of %(body)s, %(day)s.") % {
        "meeting": meeting.title,
        "body": body.name,
        "day": _when(meeting),
    }
    created = strengthened = kept = 0
    for source, target in itertools.combinations(present, 2):
        tie = existing.get((source.pk, target.pk))
        if tie is None:
            created += 1
            tie_create(
                user=user,
                source=source,
                target=target,
                tie_type=body.meeting_tie_type,
                intensity=body.meeting_tie_intensity,
                started_on=day,
                provenance=Provenance.MEETING,
                note=note,
            )
            continue
        if tie.intensity < body.meeting_tie_intensity:
            strengthened += 1
        else:
            kept += 1
        # An existing tie keeps what it had: never weaker, its scores and its note unchanged.
        tie_create(
            user=user,
            source=source,
            target=target,
            tie_type=body.meeting_tie_type,
            directed=tie.directed,
            intensity=max(tie.intensity, body.meeting_tie_intensity),
            trust=tie.trust,
            value=tie.value,
            provenance=Provenance.MEETING,
        )
    return len(present), created, strengthened, kept


@transaction.atomic
def meeting_hold(*, user: Any, meeting: Meeting) -> HeldResult:
    """Mark a meeting as held and, when its body says so, record the ties among the
    organizations present. Marking it again changes nothing."""
    _require(
        user, MANAGE, meeting.body, _("Only the program's coordinators mark meetings as held.")
    )
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it cannot be marked as held."))
    already = meeting.status == MeetingStatus.HELD
    if not already:
        if meeting.starts_at > timezone.now():
            raise ValidationError(_("A meeting can be marked as held once it has started."))
        if not Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT).exists():
            raise ValidationError(_("Record who attended before marking the meeting as held."))
    record = meeting.body.meeting_ties and meeting.ties_recorded_at is None
    if already and not record:
        return HeldResult(meeting=meeting, already_held=True)
    organizations = created = strengthened = kept = 0
    fields = []
    if record:
        organizations, created, strengthened, kept = _record_ties(meeting, user)
        meeting.ties_recorded_at = timezone.now()
        fields.append("ties_recorded_at")
    if not already:
        meeting.status = MeetingStatus.HELD
        fields.append("status")
    meeting.save(update_fields=[*fields, "updated_at"])
    result = HeldResult(
        meeting=meeting,
        already_held=already,
        organizations=organizations,
        ties_created=created,
        ties_strengthened=strengthened,
        ties_kept=kept,
    )
    audit_log(
        user=user,
        action="meeting.held",
        target=meeting,
        program=meeting.body.program,
        data={
            "organizations": organizations,
            "ties_created": created,
            "ties_strengthened": strengthened,
            "ties_kept": kept,
        },
    )
    return result


def meeting_mark_held(*, user: Any, meeting: Meeting) -> Meeting:
    """Mark a meeting as held (see `meeting_hold`, which also reports the ties recorded)."""
    return meeting_hold(user=user, meeting=meeting).meeting


# -- minutes -----------------------------------------------------------------------------------


@transaction.atomic
def minutes_save(*, user: Any, meeting: Meeting, text: str) -> Meeting:
    """Save the draft minutes. Approved minutes never change."""
    _require(user, WRITE_MINUTES, meeting.body, _("Only the program's coordinators write minutes."))
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it has no minutes."))
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise ValidationError(_("These minutes are approved: they can no longer be changed."))
    text = text.strip()
    status = MinutesStatus.DRAFT if text else MinutesStatus.NONE
    if (meeting.minutes, meeting.minutes_status) == (text, status):
        return meeting
    meeting.minutes, meeting.minutes_status = text, status
    meeting.save(update_fields=["minutes", "minutes_status", "updated_at"])
    audit_log(
        user=user,
        action="minutes.save",
        target=meeting,
        program=meeting.body.program,
        data={"characters": len(text)},
    )
    return meeting


@transaction.atomic
def minutes_approve(*, user: Any, meeting: Meeting, approved_in: Meeting) -> Meeting:
    """Record that `approved_in`, a later meeting of the same body, approved these minutes."""
    _require(
        user, WRITE_MINUTES, meeting.body, _("Only the program's coordinators record approvals.")
    )
    meeting = _locked(meeting)
    approved_in = Meeting.objects.select_for_update().get(pk=approved_in.pk)
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise ValidationError(_("These minutes are already approved."))
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Only the minutes of a meeting that was held are approved."))
    if meeting.minutes_status != MinutesStatus.DRAFT or not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before they are approved."))
    if approved_in.body_id != meeting.body_id or approved_in.pk == meeting.pk:
        raise ValidationError(
            {"approved_in": _("Minutes are approved in another meeting of the same body.")}
        )
    if approved_in.starts_at <= meeting.starts_at:
        raise ValidationError(
            {"approved_in": _("Minutes are approved in a later meeting of the same body.")}
        )
    if approved_in.status == MeetingStatus.CANCELLED:
        raise ValidationError({"approved_in": _("That meeting was cancelled.")})
    if approved_in.starts_at > timezone.now():
        raise ValidationError({"approved_in": _("That meeting has not started yet.")})
    meeting.minutes_status = MinutesStatus.APPROVED
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_in = approved_in
    meeting.save(
        update_fields=["minutes_status", "minutes_approved_at", "minutes_approved_in", "updated_at"]
    )
    # The approving meeting's agenda shows the approval, even if the item had been removed.
    if not AgendaItem.objects.filter(meeting=approved_in, kind=AgendaItemKind.MINUTES).exists():
        item = _minutes_item(meeting)
        item.meeting, item.position = approved_in, 0
        item.save()
        _renumber(list(AgendaItem.objects.filter(meeting=approved_in).order_by("position", "id")))
    audit_log(
        user=user,
        action="minutes.approve",
        target=meeting,
        program=meeting.body.program,
        data={"approved_in": approved_in.pk},
    )
    return meeting


# -- agreements --------------------------------------------------------------------------------


def _check_responsible(body: Body, responsible: Sequence[Actor]) -> None:
    for actor in responsible:
        if actor.program_id != body.program_id or actor.kind == ActorKind.PERSON:
            raise ValidationError(
                {
                    "responsible": _(
                        "Responsible actors are organizations or groups of this program."
                    )
                }
            )


@transaction.atomic
def agreement_create(
    *,
    user: Any,
    body: Body,
    text: str,
    meeting: Meeting | None = None,
    responsible: Iterable[Actor] = (),
    due_on: datetime.date | None = None,
    poll: Poll | None = None,
) -> Agreement:
    """Add an agreement to the body's register, with the next number of the body."""
    _require(user, MANAGE, body, _("Only the program's coordinators record agreements."))
    # The lock on the body numbers concurrent agreements one after the other.
    body = Body.objects.select_for_update().select_related("program").get(pk=body.pk)
    responsible = list({a.pk: a for a in responsible}.values())
    errors: dict[str, list[str]] = {}
    text = text.strip()
    if not text:
        errors["text"] = [_("Write what was agreed.")]
    if meeting is not None:
        if meeting.body_id != body.pk:
            errors["meeting"] = [_("Choose a meeting of this body.")]
        elif meeting.status == MeetingStatus.CANCELLED:
            errors["meeting"] = [_("That meeting was cancelled.")]
    if poll is not None and poll.body_id != body.pk:
        errors["poll"] = [_("Choose a decision of this body.")]
    adopted_on = meeting_day(meeting) if meeting is not None else timezone.localdate()
    if due_on is not None and due_on < adopted_on:
        errors["due_on"] = [_("The due date cannot be before the agreement was adopted.")]
    try:
        _check_responsible(body, responsible)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    last = Agreement.objects.filter(body=body).aggregate(last=Max("number"))["last"]
    agreement = Agreement(
        body=body, meeting=meeting, number=(last or 0) + 1, text=text, due_on=due_on, poll=poll
    )
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Another agreement took this number at the same moment. Please save again.")
        ) from exc
    if responsible:
        agreement.responsible.set(responsible)
    audit_log(
        user=user,
        action="agreement.create",
        target=agreement,
        program=body.program,
        data={"number": agreement.number, "meeting": meeting.pk if meeting else None},
    )
    return agreement


@transaction.atomic
def agreement_note_add(
    *,
    user: Any,
    agreement: Agreement,
    text: str,
    new_status: str = "",
    meeting: Meeting | None = None,
) -> AgreementNote:
    """Add a follow-up note; it may change the agreement's status (closing it dates it)."""
    _require(
        user,
        FOLLOW_UP,
        agreement.body,
        _("Only the body's members and the coordinators follow up agreements."),
    )
    agreement = (
        Agreement.objects.select_for_update().select_related("body__program").get(pk=agreement.pk)
    )
    errors: dict[str, list[str]] = {}
    text = text.strip()
    if not text:
        errors["text"] = [_("Write the note: what was done, or why the status changes.")]
    if new_status and new_status not in AgreementStatus.values:
        errors["new_status"] = [_("Choose a status.")]
    if meeting is not None and meeting.body_id != agreement.body_id:
        errors["meeting"] = [_("Choose a meeting of this body.")]
    if errors:
        raise ValidationError(errors)
    if new_status == agreement.status:
        new_status = ""
    note = AgreementNote.objects.create(
        agreement=agreement,
        meeting=meeting,
        text=text,
        new_status=new_status,
        author=_user_or_none(user),
    )
    if new_status:
        agreement.status = new_status
        # Closed on the day of the meeting where it was reported, else today.
        closed = meeting_day(meeting) if meeting is not None else timezone.localdate()
        agreement.closed_on = (
            min(closed, timezone.localdate()) if new_status in CLOSED_AGREEMENT_STATUSES else None
        )
        agreement.save(update_fields=["status", "closed_on", "updated_at"])
    audit_log(
        user=user,
        action="agreement.note",
        target=agreement,
        program=agreement.body.program,
        data={"note": note.pk, "new_status": new_status},
    )
    return note
