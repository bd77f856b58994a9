"""Every write of a network survey: opening it, inviting, reminding, answering, submitting, and
reviewing the actors respondents proposed.

How answers become ties
-----------------------
A submitted answer writes the tie between the respondent's organization and the partner through
`tie_create` (provenance "survey", the survey's cycle), so an existing tie of that type gets a new
version and history is kept. When both organizations answered about each other (same tie type),
the tie reflects both sides: its intensity, trust and value are the means of the two answers,
rounded half up (each side's trust is first the mean of its openness, reliability and shared
mission scores; its value the mean of influence, resources and involvement; scores left blank do
not count). Whichever side submits last writes the version that combines both.

Submitting again before the survey closes replaces the earlier submission's effect: the answers
are written again (a new version only where a value changed, so a double submission writes
nothing twice), and a partner dropped since the last submission has its tie recomputed from the
other side's answer, or ended today if the survey was the only source of its current version.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Representative, Sector
from tejido.actors.services import actor_create
from tejido.core.audit import audit_log
from tejido.core.models import AuditEntry, Cycle, Program, Territory

from ..models import (
    Frequency,
    Intensity,
    NominationStatus,
    Provenance,
    ResourceKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyNomination,
    SurveyStatus,
    Tie,
    TieType,
)
from ..services import tie_create, tie_end, tie_update

TOKEN_SALT = "tejido.network.surveys.invitation"
# A reminder goes to an invitation at most once in this interval, however often one is asked.
REMINDER_INTERVAL = datetime.timedelta(hours=24)
TRUST_FIELDS = ("trust_openness", "trust_reliability", "trust_mission")
VALUE_FIELDS = ("value_influence", "value_resources", "value_involvement")
SCORE_FIELDS = TRUST_FIELDS + VALUE_FIELDS
ANSWER_FIELDS = ("tie_type", "intensity", "frequency", *SCORE_FIELDS, "resources", "note")
# Who may be invited or named as a partner: organizations and informal groups, never people.
SURVEY_KINDS = (ActorKind.ORGANIZATION, ActorKind.INFORMAL_GROUP)


# -- links ------------------------------------------------------------------------------------


class InvalidLink(Exception):
    """A personal link that cannot be used: forged, for a removed invitation, or a closed survey."""

    FORGED = "forged"
    REMOVED = "removed"
    CLOSED = "closed"
    NOT_OPEN = "not_open"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return {
            self.FORGED: _(
                "This link is not valid. Check that you copied the whole link from the e-mail,"
                " or ask the program's coordination for a new one."
            ),
            self.REMOVED: _(
                "This invitation no longer exists. If you think this is a mistake, contact the"
                " program's coordination."
            ),
            self.CLOSED: _("This survey is closed: answers can no longer be sent or changed."),
            self.NOT_OPEN: _("This survey is not open yet. Please come back when it opens."),
        }[self.reason]


def invitation_token(invitation: SurveyInvitation) -> str:
    """The signed reference to an invitation carried by its personal link.

    No timestamp: the invitation and every reminder carry the same link, which works as long as
    the invitation exists and the survey is open.
    """
    return signing.Signer(salt=TOKEN_SALT).sign_object([invitation.pk, invitation.survey_id])


def invitation_url(invitation: SurveyInvitation, base_url: str = "") -> str:
    path = reverse("network:survey_respond", args=[invitation_token(invitation)])
    return base_url.rstrip("/") + path if base_url else path


def invitation_from_token(token: str, *, today: datetime.date | None = None) -> SurveyInvitation:
    """The invitation a personal link points to, if the link may still be used."""
    try:
        pk, survey_id = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
        pk, survey_id = int(pk), int(survey_id)
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise InvalidLink(InvalidLink.FORGED) from exc
    invitation = (
        SurveyInvitation.objects.select_related(
            "survey__program", "survey__cycle", "organization__territory"
        )
        .filter(pk=pk, survey_id=survey_id)
        .first()
    )
    if invitation is None:
        raise InvalidLink(InvalidLink.REMOVED)
    problem = link_problem(invitation.survey, today=today)
    if problem:
        raise InvalidLink(problem)
    return invitation


def link_problem(survey: Survey, *, today: datetime.date | None = None) -> str:
    """Why the survey takes no answers now ("" when it does)."""
    today = today or timezone.localdate()
    if survey.status == SurveyStatus.DRAFT:
        return InvalidLink.NOT_OPEN
    if survey.status == SurveyStatus.CLOSED or today > survey.closes_on:
        return InvalidLink.CLOSED
    return ""


def _require_accepting(survey: Survey) -> None:
    problem = link_problem(survey)
    if problem:
        raise ValidationError(InvalidLink(problem).message, code=problem)


# -- e-mails ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def invitation_recipients(
    invitations: Sequence[SurveyInvitation],
) -> dict[int, list[Recipient]]:
    """Who receives each invitation's e-mails: the organization's representatives, each in their
    own language, and the organization's address, in the site's default language."""
    by_org: dict[int, list[Recipient]] = {inv.organization_id: [] for inv in invitations}
    representatives = (
        Representative.objects.filter(organization_id__in=by_org, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    for rep in representatives:
        if rep.user.email:
            language = rep.user.preferred_language or settings.LANGUAGE_CODE
            by_org[rep.organization_id].append(Recipient(rep.user.email, language))
    result: dict[int, list[Recipient]] = {}
    for inv in invitations:
        recipients = list(by_org[inv.organization_id])
        known = {r.email.lower() for r in recipients}
        if inv.organization.email and inv.organization.email.lower() not in known:
            recipients.append(Recipient(inv.organization.email, settings.LANGUAGE_CODE))
        result[inv.pk] = recipients
    return result


def _messages(
    invitations: Sequence[SurveyInvitation], *, kind: str, base_url: str
) -> list[EmailMessage]:
    messages: list[EmailMessage] = []
    recipients = invitation_recipients(invitations)
    for invitation in invitations:
        survey = invitation.survey
        context = {
            "survey": survey,
            "program": survey.program,
            "organization": invitation.organization,
            "url": invitation_url(invitation, base_url),
            "reminder": kind == "reminder",
        }
        for recipient in recipients[invitation.pk]:
            with translation.override(recipient.language):
                subject = render_to_string("network/surveys/email/subject.txt", context)
                body = render_to_string("network/surveys/email/invitation.txt", context)
            messages.append(EmailMessage(" ".join(subject.split()), body, to=[recipient.email]))
    return messages


def _send_on_commit(invitation_ids: list[int], *, kind: str, base_url: str) -> None:
    def send() -> None:
        invitations = list(
            SurveyInvitation.objects.filter(pk__in=invitation_ids).select_related(
                "survey__program", "organization"
            )
        )
        messages = _messages(invitations, kind=kind, base_url=base_url)
        if messages:
            mailers.default.send_messages(messages)

    if invitation_ids:
        transaction.on_commit(send)


# -- the coordinator's side -------------------------------------------------------------------


def _validate_dates(opens_on: datetime.date, closes_on: datetime.date) -> None:
    # Not checked against the cycle's dates: a survey may run a little outside them.
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The survey cannot close before it opens.")})


@transaction.atomic
def survey_create(
    *,
    user: Any,
    program: Program,
    cycle: Cycle,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    instructions: str = "",
) -> Survey:
    if cycle.program_id != program.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this program.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the survey a title.")})
    _validate_dates(opens_on, closes_on)
    survey = Survey.objects.create(
        program=program,
        cycle=cycle,
        title=title.strip(),
        instructions=instructions.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_log(user=user, action="survey.create", target=survey, program=program)
    return survey


@transaction.atomic
def survey_update(
    *,
    user: Any,
    survey: Survey,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    instructions: str = "",
) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError(_("A closed survey cannot be changed."))
    if not title.strip():
        raise ValidationError({"title": _("Give the survey a title.")})
    _validate_dates(opens_on, closes_on)
    survey.title, survey.instructions = title.strip(), instructions.strip()
    survey.opens_on, survey.closes_on = opens_on, closes_on
    survey.save(update_fields=["title", "instructions", "opens_on", "closes_on"])
    audit_log(user=user, action="survey.update", target=survey, program=survey.program)
    return survey


@dataclass(frozen=True)
class InvitationChange:
    added: int
    removed: int
    kept_submitted: int  # asked to remove, but already answered: kept


@transaction.atomic
def survey_set_invitations(
    *,
    user: Any,
    survey: Survey,
    add: Iterable[Actor] = (),
    remove: Iterable[Actor] = (),
    base_url: str = "",
) -> InvitationChange:
    """Invite organizations and withdraw invitations. In an open survey the new invitations are
    e-mailed at once; an invitation already submitted is never withdrawn (its ties exist)."""
    survey = Survey.objects.select_for_update().select_related("program").get(pk=survey.pk)
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError(_("A closed survey cannot be changed."))
    add, remove = list(add), list(remove)
    for actor in add:
        if actor.program_id != survey.program_id:
            raise ValidationError(_("Only organizations of this program can be invited."))
        if actor.kind not in SURVEY_KINDS:
            raise ValidationError(
                _("Only organizations and informal groups are invited, never people.")
            )
    existing = set(survey.invitations.values_list("organization_id", flat=True))
    new = [
        SurveyInvitation(survey=survey, organization=a)
        for a in {a.pk: a for a in add}.values()
        if a.pk not in existing
    ]
    created = SurveyInvitation.objects.bulk_create(new)
    if survey.status == SurveyStatus.OPEN and created:
        # bulk_create sets primary keys on SQLite and PostgreSQL alike.
        _send_on_commit([inv.pk for inv in created], kind="invitation", base_url=base_url)
    to_remove = survey.invitations.filter(organization_id__in=[a.pk for a in remove])
    kept = to_remove.filter(submitted_at__isnull=False).count()
    removed, _detail = to_remove.filter(submitted_at__isnull=True).delete()
    removed_invitations = _detail.get(SurveyInvitation._meta.label, 0)
    if created or removed:
        audit_log(
            user=user,
            action="survey.invitations",
            target=survey,
            program=survey.program,
            data={
                "added": sorted(inv.organization_id for inv in created),
                "removed": removed_invitations,
            },
        )
    return InvitationChange(added=len(created), removed=removed_invitations, kept_submitted=kept)


@transaction.atomic
def survey_open(
    *, user: Any, survey: Survey, base_url: str = "", send_emails: bool = True
) -> Survey:
    """Open the survey and e-mail each invited organization its personal link."""
    survey = Survey.objects.select_for_update().select_related("program").get(pk=survey.pk)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    if survey.closes_on < timezone.localdate():
        raise ValidationError(
            {"closes_on": _("The closing date has passed: move it later before opening.")}
        )
    ids = list(survey.invitations.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("Invite at least one organization before opening the survey."))
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status"])
    if send_emails:
        _send_on_commit(ids, kind="invitation", base_url=base_url)
    audit_log(
        user=user,
        action="survey.open",
        target=survey,
        program=survey.program,
        data={"invitations": len(ids), "emails": send_emails},
    )
    return survey


@transaction.atomic
def survey_close(*, user: Any, survey: Survey) -> Survey:
    """Close the survey: links stop working; answers saved but never submitted stay drafts and
    write no ties."""
    survey = Survey.objects.select_for_update().select_related("program").get(pk=survey.pk)
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.status = SurveyStatus.CLOSED
    survey.save(update_fields=["status"])
    audit_log(user=user, action="survey.close", target=survey, program=survey.program)
    return survey


@dataclass(frozen=True)
class ReminderResult:
    sent: int  # invitations reminded now
    too_recent: int  # reminded less than REMINDER_INTERVAL ago: skipped
    unreachable: int  # reminded, but nobody with an e-mail address to write to


@transaction.atomic
def survey_remind(*, user: Any, survey: Survey, base_url: str = "") -> ReminderResult:
    """Remind the invited organizations that have not submitted, at most once a day each."""
    survey = Survey.objects.select_for_update().select_related("program").get(pk=survey.pk)
    _require_accepting(survey)
    now = timezone.now()
    pending = list(
        survey.invitations.select_for_update(of=("self",))
        .filter(submitted_at__isnull=True)
        .select_related("organization")
    )
    due = [
        inv
        for inv in pending
        if inv.last_reminded_at is None or inv.last_reminded_at <= now - REMINDER_INTERVAL
    ]
    for inv in due:
        inv.reminders_sent += 1
        inv.last_reminded_at = now
    SurveyInvitation.objects.bulk_update(due, ["reminders_sent", "last_reminded_at"])
    for inv in due:
        inv.survey = survey
    recipients = invitation_recipients(due)
    unreachable = sum(1 for inv in due if not recipients[inv.pk])
    _send_on_commit([inv.pk for inv in due], kind="reminder", base_url=base_url)
    audit_log(
        user=user,
        action="survey.remind",
        target=survey,
        program=survey.program,
        data={"reminded": [inv.pk for inv in due]},
    )
    return ReminderResult(
        sent=len(due), too_recent=len(pending) - len(due), unreachable=unreachable
    )


# -- the respondent's side --------------------------------------------------------------------


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check an answer's ratings; a refusal names each wrong field."""
    unknown = set(values) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"unexpected answer fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    clean = dict(values)
    if clean.get("tie_type", TieType.COLLABORATION) not in TieType.values:
        errors["tie_type"] = _("Choose a type of tie from the list.")
    intensity = clean.get("intensity", Intensity.COOPERATION)
    if intensity not in Intensity.values:
        errors["intensity"] = _("Choose an intensity from 0 to 4.")
    frequency = clean.get("frequency")
    if frequency is not None and frequency not in Frequency.values:
        errors["frequency"] = _("Choose how often from the list.")
    for name in SCORE_FIELDS:
        score = clean.get(name)
        if score is not None and (not isinstance(score, int) or not 1 <= score <= 5):
            errors[name] = _("Choose a value from %(low)s to %(high)s.") % {"low": 1, "high": 5}
    resources = clean.get("resources", [])
    if not isinstance(resources, list | tuple) or set(resources) - set(ResourceKind.values):
        errors["resources"] = _("Choose the resources from the list.")
    else:
        clean["resources"] = sorted(set(resources), key=ResourceKind.values.index)
    if errors:
        raise ValidationError(errors)
    clean["note"] = (clean.get("note") or "").strip()
    return clean


def _check_partner(invitation: SurveyInvitation, partner: Actor) -> None:
    if partner.program_id != invitation.survey.program_id:
        raise ValidationError(
            {
                "partner": _(
                    "This organization is not part of the program. Choose one from the list."
                )
            }
        )
    if partner.kind not in SURVEY_KINDS:
        raise ValidationError({"partner": _("Name organizations or groups only, not people.")})
    if partner.pk == invitation.organization_id:
        raise ValidationError(
            {"partner": _("Your own organization cannot be one of its partners.")}
        )


def _mark_started(invitation: SurveyInvitation) -> None:
    if invitation.started_at is None:
        invitation.started_at = timezone.now()
        invitation.save(update_fields=["started_at"])


@transaction.atomic
def answer_save(
    *,
    user: Any,
    invitation: SurveyInvitation,
    partner: Actor | None = None,
    answer: SurveyAnswer | None = None,
    **values: Any,
) -> SurveyAnswer:
    """Save one partner's ratings as a draft: nothing is a tie until the response is submitted.
    Naming a partner already answered updates that answer."""
    _require_accepting(invitation.survey)
    clean = _clean_values(values)
    if answer is None:
        if partner is None:
            raise ValidationError({"partner": _("Choose an organization from the list.")})
        _check_partner(invitation, partner)
        answer = SurveyAnswer.objects.filter(invitation=invitation, partner=partner).first()
        if answer is None:
            answer = SurveyAnswer(invitation=invitation, partner=partner)
    elif answer.invitation_id != invitation.pk:
        raise ValidationError(_("This answer belongs to another response."))
    for key, value in clean.items():
        setattr(answer, key, value)
    answer.save()
    _mark_started(invitation)
    return answer


@transaction.atomic
def answer_remove(*, user: Any, invitation: SurveyInvitation, answer: SurveyAnswer) -> None:
    _require_accepting(invitation.survey)
    if answer.invitation_id != invitation.pk:
        raise ValidationError(_("This answer belongs to another response."))
    nomination_id = answer.nomination_id
    answer.delete()
    if nomination_id is not None:
        # A proposed actor nobody names any more has nothing left to review.
        SurveyNomination.objects.filter(
            pk=nomination_id, status=NominationStatus.PENDING, answers__isnull=True
        ).delete()


@transaction.atomic
def nomination_create(
    *,
    user: Any,
    invitation: SurveyInvitation,
    name: str,
    kind: str,
    sector: str,
    territory: Territory | None = None,
    **values: Any,
) -> SurveyNomination:
    """Propose a partner missing from the registry; its answer waits for a coordinator."""
    _require_accepting(invitation.survey)
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = _("Write the name of the organization or group.")
    if kind not in SURVEY_KINDS:
        errors["kind"] = _("Choose organization or informal group.")
    if sector not in Sector.values:
        errors["sector"] = _("Choose a sector from the list.")
    if errors:
        raise ValidationError(errors)
    clean = _clean_values(values)
    nomination = SurveyNomination.objects.create(
        invitation=invitation, name=name[:200], kind=kind, sector=sector, territory=territory
    )
    SurveyAnswer.objects.create(invitation=invitation, nomination=nomination, **clean)
    _mark_started(invitation)
    audit_log(
        user=user,
        action="survey.nominate",
        target=nomination,
        program=invitation.survey.program,
        data={"invitation": invitation.pk},
    )
    return nomination


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _side_score(answer: SurveyAnswer, fields: Sequence[str]) -> float | None:
    scores = [getattr(answer, f) for f in fields if getattr(answer, f) is not None]
    return sum(scores) / len(scores) if scores else None


class TieValues(NamedTuple):
    intensity: int
    trust: int | None
    value: int | None


def tie_values(answers: Sequence[SurveyAnswer]) -> TieValues:
    """The tie's intensity, trust and value from one or both sides' answers (see the module)."""
    scores: dict[str, int | None] = {}
    for key, fields in (("trust", TRUST_FIELDS), ("value", VALUE_FIELDS)):
        sides = [s for a in answers if (s := _side_score(a, fields)) is not None]
        scores[key] = _half_up(sum(sides) / len(sides)) if sides else None
    return TieValues(
        intensity=_half_up(sum(a.intensity for a in answers) / len(answers)),
        trust=scores["trust"],
        value=scores["value"],
    )


def _counterparts(
    survey: Survey, organization_id: int, partner_ids: Iterable[int]
) -> dict[tuple[int, str], SurveyAnswer]:
    """The partners' submitted answers about this organization, by (partner, tie type)."""
    found = SurveyAnswer.objects.filter(
        invitation__survey=survey,
        invitation__submitted_at__isnull=False,
        invitation__organization_id__in=list(partner_ids),
        partner_id=organization_id,
    ).select_related("invitation")
    return {(a.invitation.organization_id, a.tie_type): a for a in found}


def _write_tie(
    *, user: Any, survey: Survey, organization: Actor, partner: Actor, answers: list[SurveyAnswer]
) -> Tie:
    return tie_create(
        user=user,
        source=organization,
        target=partner,
        tie_type=answers[0].tie_type,
        directed=False,
        provenance=Provenance.SURVEY,
        cycle=survey.cycle,
        **tie_values(answers)._asdict(),
    )


def _last_submitted_pairs(invitation: SurveyInvitation) -> set[tuple[int, str]]:
    entry = (
        AuditEntry.objects.filter(
            action="survey.submit",
            target_type=SurveyInvitation._meta.label_lower,
            target_id=str(invitation.pk),
        )
        .order_by("-at", "-id")
        .first()
    )
    if entry is None:
        return set()
    return {(int(p), str(t)) for p, t in entry.data.get("pairs", [])}


def response_changed(invitation: SurveyInvitation, answers: Sequence[SurveyAnswer]) -> bool:
    """Whether a submitted response has changes not submitted yet (edited, added or removed
    answers)."""
    if invitation.submitted_at is None:
        return False
    if any(a.updated_at > invitation.submitted_at for a in answers):
        return True
    current = {(a.partner_id, a.tie_type) for a in answers if a.partner_id is not None}
    return bool(_last_submitted_pairs(invitation) - current)


@dataclass(frozen=True)
class Submission:
    ties_written: int  # ties created or given a new version
    withdrawn: int  # ties of partners dropped since the last submission
    waiting: int  # answers about proposed actors, written when a coordinator reviews them


def _request_analysis(user: Any, program: Program, cycle: Cycle) -> None:
    # Imported here: the analytics package imports the network models and services.
    from tejido.network.analytics.services import analysis_request

    analysis_request(user=user, program=program, cycle=cycle)
    if cycle.starts_on <= timezone.localdate() <= cycle.ends_on:
        analysis_request(user=user, program=program, cycle=None)


@transaction.atomic
def survey_submit(*, user: Any, invitation: SurveyInvitation) -> Submission:
    """Turn the response's answers into ties. Safe to call twice: the invitation row is locked,
    and answers already written produce no new tie version."""
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey__program", "survey__cycle", "organization")
        .get(pk=invitation.pk)
    )
    survey, organization = invitation.survey, invitation.organization
    _require_accepting(survey)
    answers = list(
        invitation.answers.filter(partner__isnull=False).select_related("partner").order_by("id")
    )
    waiting = invitation.answers.filter(partner__isnull=True).count()
    for answer in answers:
        assert answer.partner is not None
        _check_partner(invitation, answer.partner)
        _clean_values({f: getattr(answer, f) for f in ANSWER_FIELDS})
    if not answers and not waiting:
        raise ValidationError(
            _("Add at least one partner before submitting, or tell the coordination you have none.")
        )
    pairs = {(a.partner_id, a.tie_type) for a in answers if a.partner_id is not None}
    partner_ids = {p for p, _t in pairs}
    previous = _last_submitted_pairs(invitation)
    dropped = previous - pairs
    others = _counterparts(survey, organization.pk, partner_ids | {p for p, _t in dropped})
    before = set(Tie.objects.current().involving(organization).values_list("pk", flat=True))
    for answer in answers:
        assert answer.partner is not None
        other = others.get((answer.partner.pk, answer.tie_type))
        _write_tie(
            user=user,
            survey=survey,
            organization=organization,
            partner=answer.partner,
            answers=[answer] if other is None else [answer, other],
        )
    withdrawn = _withdraw(
        user=user, survey=survey, organization=organization, pairs=dropped, counterparts=others
    )
    after = set(Tie.objects.current().involving(organization).values_list("pk", flat=True))
    invitation.submitted_at = timezone.now()
    invitation.submitted_by = user if getattr(user, "is_authenticated", False) else None
    if invitation.started_at is None:
        invitation.started_at = invitation.submitted_at
    invitation.save(update_fields=["submitted_at", "submitted_by", "started_at"])
    audit_log(
        user=user,
        action="survey.submit",
        target=invitation,
        program=survey.program,
        data={"pairs": sorted([p, t] for p, t in pairs), "withdrawn": withdrawn},
    )
    written = len(after - before) - withdrawn
    if written or withdrawn:
        transaction.on_commit(
            lambda: _request_analysis(user, survey.program, survey.cycle), robust=True
        )
    return Submission(ties_written=written, withdrawn=withdrawn, waiting=waiting)


def _withdraw(
    *,
    user: Any,
    survey: Survey,
    organization: Actor,
    pairs: set[tuple[int, str]],
    counterparts: dict[tuple[int, str], SurveyAnswer],
) -> int:
    if not pairs:
        return 0
    partners = {a.pk: a for a in Actor.objects.filter(pk__in={p for p, _t in pairs})}
    count = 0
    for partner_id, tie_type in sorted(pairs):
        partner = partners.get(partner_id)
        if partner is None:
            continue
        low, high = sorted((organization.pk, partner_id))
        tie = (
            Tie.objects.current()
            .filter(source_id=low, target_id=high, tie_type=tie_type, directed=False)
            .first()
        )
        if tie is None or tie.provenance != Provenance.SURVEY or tie.cycle_id != survey.cycle_id:
            continue  # recorded by other means since: the survey no longer speaks for it
        other = counterparts.get((partner_id, tie_type))
        if other is not None:
            new = tie_update(
                user=user, tie=tie, provenance=Provenance.SURVEY, **tie_values([other])._asdict()
            )
        elif tie.ended_on is None:
            new = tie_end(user=user, tie=tie)
        else:
            continue
        count += new.pk != tie.pk
    return count


# -- reviewing proposed actors ----------------------------------------------------------------


def _lock_pending(nomination: SurveyNomination) -> SurveyNomination:
    nomination = (
        SurveyNomination.objects.select_for_update(of=("self",))
        .select_related("invitation__survey__program", "invitation__survey__cycle")
        .get(pk=nomination.pk)
    )
    if nomination.status != NominationStatus.PENDING:
        raise ValidationError(_("This proposed actor has already been reviewed."))
    return nomination


def _attach(*, user: Any, nomination: SurveyNomination, actor: Actor) -> int:
    """Point the nomination's answers at `actor`; submitted ones become ties now."""
    survey = nomination.invitation.survey
    written = 0
    answers = list(nomination.answers.select_related("invitation__organization").order_by("id"))
    named = set(
        SurveyAnswer.objects.filter(
            invitation_id__in={a.invitation_id for a in answers}, partner=actor
        ).values_list("invitation_id", flat=True)
    )
    # The actor's own submitted answers about the respondents, by (respondent, tie type).
    counterparts = {
        (a.partner_id, a.tie_type): a
        for a in SurveyAnswer.objects.filter(
            invitation__survey=survey,
            invitation__submitted_at__isnull=False,
            invitation__organization=actor,
            partner_id__in={a.invitation.organization_id for a in answers},
        )
    }
    for answer in answers:
        invitation = answer.invitation
        if invitation.organization_id == actor.pk or invitation.pk in named:
            # The respondent named itself, or already rated this actor: keep their rating.
            answer.delete()
            continue
        answer.partner, answer.nomination = actor, None
        # update(), not save(): the respondent did not change their answer (auto_now stays).
        SurveyAnswer.objects.filter(pk=answer.pk).update(partner=actor, nomination=None)
        named.add(invitation.pk)
        if invitation.submitted_at is not None:
            other = counterparts.get((invitation.organization_id, answer.tie_type))
            _write_tie(
                user=user,
                survey=survey,
                organization=invitation.organization,
                partner=actor,
                answers=[answer] if other is None else [answer, other],
            )
            written += 1
    if written:
        transaction.on_commit(
            lambda: _request_analysis(user, survey.program, survey.cycle), robust=True
        )
    return written


def _reviewed(nomination: SurveyNomination, user: Any, status: str, actor: Actor | None) -> None:
    nomination.status = status
    nomination.actor = actor
    nomination.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    nomination.reviewed_at = timezone.now()
    nomination.save(update_fields=["status", "actor", "reviewed_by", "reviewed_at"])
    audit_log(
        user=user,
        action=f"survey.nomination.{status}",
        target=nomination,
        program=nomination.invitation.survey.program,
        data={"actor": actor.pk if actor else None},
    )


@transaction.atomic
def nomination_approve(*, user: Any, nomination: SurveyNomination) -> Actor:
    """Add the proposed actor to the registry; the answers naming it become ties."""
    nomination = _lock_pending(nomination)
    actor = actor_create(
        user=user,
        program=nomination.invitation.survey.program,
        kind=nomination.kind,
        name=nomination.name,
        sector=nomination.sector,
        territory=nomination.territory,
    )
    _reviewed(nomination, user, NominationStatus.APPROVED, actor)
    _attach(user=user, nomination=nomination, actor=actor)
    return actor


@transaction.atomic
def nomination_match(*, user: Any, nomination: SurveyNomination, actor: Actor) -> Actor:
    """The proposed actor is one already in the registry: its answers name that actor."""
    nomination = _lock_pending(nomination)
    if actor.program_id != nomination.invitation.survey.program_id:
        raise ValidationError({"actor": _("Choose an actor of this program.")})
    if actor.kind not in SURVEY_KINDS:
        raise ValidationError({"actor": _("Choose an organization or group, not a person.")})
    _reviewed(nomination, user, NominationStatus.MERGED, actor)
    _attach(user=user, nomination=nomination, actor=actor)
    return actor


@transaction.atomic
def nomination_reject(*, user: Any, nomination: SurveyNomination) -> None:
    """Not an actor of the program: its answers are dropped and no tie is written."""
    nomination = _lock_pending(nomination)
    nomination.answers.all().delete()
    _reviewed(nomination, user, NominationStatus.REJECTED, None)


__all__ = [
    "InvalidLink",
    "ReminderResult",
    "Submission",
    "answer_remove",
    "answer_save",
    "invitation_from_token",
    "invitation_token",
    "invitation_url",
    "nomination_approve",
    "nomination_create",
    "nomination_match",
    "nomination_reject",
    "survey_close",
    "survey_create",
    "survey_open",
    "survey_remind",
    "survey_set_invitations",
    "survey_submit",
    "survey_update",
    "tie_values",
]
