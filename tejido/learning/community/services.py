"""Every write of the learning community: experiences and their evidence, comments, questions
and answers, reactions, exchange meetings and digest subscriptions.

Experiences are told by organizations: a member who represents one (or a coordinator) writes a
draft on its behalf, then publishes it. Members comment, ask and answer; they mark an
experience "useful" or say "we tried this too" on behalf of their own organization, which links
the two organizations with a tie (provenance "learning community") when the program records
them. Coordinators hide comments that break the community's rules and record the exchange
meetings between territories, which also link the organizations of different territories that
took part. A tie is never weakened: when the pair already has a tie of that type as strong or
stronger, it stays as it is.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.actors.rules import represented_ids
from tejido.core.audit import audit_log
from tejido.core.mail import recipient_language
from tejido.core.models import Program, Territory, Theme
from tejido.core.uploads import check_document
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import LOOK_UP, tie_strengthen

from ..models import (
    Comment,
    CommentKind,
    ContentLanguage,
    DigestFrequency,
    DigestSubscription,
    EvidenceFile,
    Exchange,
    Experience,
    LearningSettings,
    ProgramStage,
    PublicationStatus,
    Reaction,
    ReactionKind,
    Visibility,
)
from . import searching

EVIDENCE_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
MAX_EVIDENCE_FILES = 10
MAX_COMMENT_LENGTH = 5000
MAX_NOTE_LENGTH = 2000
MAX_SECTION_LENGTH = 20000
MAX_PEOPLE = 100000
TIE_TYPE = TieType.INFORMATION
TIE_INTENSITY = Intensity.COOPERATION

PUBLISH = "learning.publish_experience"
CHANGE = "learning.change_experience"
VIEW = "learning.view_experience"
TAKE_PART = "learning.take_part"
MODERATE = "learning.moderate"
MANAGE_EXCHANGES = "learning.manage_exchanges"


# -- helpers ----------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def organizations_for(user: Any, program: Program) -> list[Actor]:
    """The organizations of `program` the user may speak for: those they represent, and every
    organization of the program for its coordinators (who record on others' behalf)."""
    organizations = Actor.objects.organizations().filter(program=program).order_by("name")
    if user.has_perm(MANAGE_EXCHANGES, program):
        return list(organizations)
    mine = represented_ids(user)
    return list(organizations.filter(pk__in=mine)) if mine else []


def represented_in(user: Any, program: Program) -> list[Actor]:
    """Only the organizations of `program` the user represents (never all of them)."""
    mine = represented_ids(user)
    if not mine:
        return []
    return list(Actor.objects.organizations().filter(program=program, pk__in=mine).order_by("name"))


def _clean_text(value: str | None, field: str, *, required: bool, max_length: int) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This section cannot be empty.")}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": max_length, "length": len(text)}
            },
            code="max_length",
        )
    return text


def _check_files(files: Sequence[UploadedFile], already: int = 0) -> list[tuple[UploadedFile, str]]:
    if already + len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {
                "evidence_files": _("An experience may have at most %(count)s files.")
                % {"count": MAX_EVIDENCE_FILES}
            },
            code="too_many_files",
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_document(upload, allowed=EVIDENCE_EXTENSIONS)))
        except ValidationError as error:
            raise ValidationError({"evidence_files": error.messages}, code="file") from error
    return checked


def _save_files(experience: Experience, checked: list[tuple[UploadedFile, str]]) -> None:
    for upload, content_type in checked:
        evidence = EvidenceFile(
            experience=experience,
            name=(upload.name or "")[:255],
            content_type=content_type,
            size=upload.size or 0,
        )
        evidence.file.save(upload.name or "evidence", upload, save=False)
        evidence.save()


def _experience_fields(
    *,
    user: Any,
    program: Program,
    organization: Actor,
    title: str,
    context: str,
    what_was_done: str,
    what_happened: str,
    lessons: str,
    evidence: str,
    territory: Territory | None,
    stage: str,
    language: str,
    visibility: str,
    current_organization_id: int | None = None,
) -> dict[str, Any]:
    allowed = {a.pk for a in organizations_for(user, program)}
    if organization.pk not in allowed and organization.pk != current_organization_id:
        raise ValidationError(
            {"organization": _("You can only tell experiences of organizations you represent.")},
            code="organization",
        )
    if organization.program_id != program.pk:
        raise ValidationError({"organization": _("This organization is not in the program.")})
    values: dict[str, Any] = {
        "organization": organization,
        "title": " ".join((title or "").split()),
        "context": _clean_text(context, "context", required=True, max_length=MAX_SECTION_LENGTH),
        "what_was_done": _clean_text(
            what_was_done, "what_was_done", required=True, max_length=MAX_SECTION_LENGTH
        ),
        "what_happened": _clean_text(
            what_happened, "what_happened", required=True, max_length=MAX_SECTION_LENGTH
        ),
        "lessons": _clean_text(lessons, "lessons", required=True, max_length=MAX_SECTION_LENGTH),
        "evidence": _clean_text(
            evidence, "evidence", required=False, max_length=MAX_SECTION_LENGTH
        ),
        "territory": territory,
        "stage": stage or "",
        "language": language or ContentLanguage.SPANISH,
        "visibility": visibility or Visibility.PUBLIC,
    }
    if not values["title"]:
        raise ValidationError({"title": _("Give the experience a title.")}, code="required")
    if len(values["title"]) > 200:
        raise ValidationError({"title": _("Keep the title under 200 characters.")})
    if values["stage"] and values["stage"] not in ProgramStage.values:
        raise ValidationError({"stage": _("Choose a stage of the program.")})
    if values["language"] not in ContentLanguage.values:
        raise ValidationError({"language": _("Choose a language.")})
    if values["visibility"] not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who can read it.")})
    return values


# -- experiences ------------------------------------------------------------------------------


@transaction.atomic
def experience_create(
    *,
    user: Any,
    program: Program,
    organization: Actor,
    title: str,
    context: str,
    what_was_done: str,
    what_happened: str,
    lessons: str,
    evidence: str = "",
    territory: Territory | None = None,
    themes: Iterable[Theme] = (),
    stage: str = "",
    language: str = ContentLanguage.SPANISH,
    visibility: str = Visibility.PUBLIC,
    files: Sequence[UploadedFile] = (),
    publish: bool = False,
) -> Experience:
    """A new experience, as a draft (or published at once with `publish`), told on behalf of
    one of the user's organizations."""
    _require(
        user,
        PUBLISH,
        program,
        _("Only members who represent an organization can tell its experiences."),
    )
    values = _experience_fields(
        user=user,
        program=program,
        organization=organization,
        title=title,
        context=context,
        what_was_done=what_was_done,
        what_happened=what_happened,
        lessons=lessons,
        evidence=evidence,
        territory=territory,
        stage=stage,
        language=language,
        visibility=visibility,
    )
    checked = _check_files(files)
    experience = Experience.objects.create(program=program, author=user, **values)
    experience.themes.set(list(themes))
    _save_files(experience, checked)
    if publish:
        experience.status = PublicationStatus.PUBLISHED
        experience.published_at = timezone.now()
        experience.save(update_fields=["status", "published_at"])
    searching.reindex([experience])
    audit_log(
        user=user,
        action="learning.experience.create",
        target=experience,
        program=program,
        data={"organization": organization.pk, "published": publish},
    )
    return experience


@transaction.atomic
def experience_update(
    *,
    user: Any,
    experience: Experience,
    organization: Actor,
    title: str,
    context: str,
    what_was_done: str,
    what_happened: str,
    lessons: str,
    evidence: str = "",
    territory: Territory | None = None,
    themes: Iterable[Theme] = (),
    stage: str = "",
    language: str = ContentLanguage.SPANISH,
    visibility: str = Visibility.PUBLIC,
    files: Sequence[UploadedFile] = (),
    remove_files: Iterable[int] = (),
) -> Experience:
    """Change an experience's text, tags and evidence."""
    _require(user, CHANGE, experience, _("You cannot change this experience."))
    locked = (
        Experience.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=experience.pk)
    )
    values = _experience_fields(
        user=user,
        program=locked.program,
        organization=organization,
        title=title,
        context=context,
        what_was_done=what_was_done,
        what_happened=what_happened,
        lessons=lessons,
        evidence=evidence,
        territory=territory,
        stage=stage,
        language=language,
        visibility=visibility,
        current_organization_id=locked.organization_id,
    )
    removed = list(EvidenceFile.objects.filter(experience=locked, pk__in=list(remove_files)))
    remaining = EvidenceFile.objects.filter(experience=locked).count() - len(removed)
    checked = _check_files(files, already=remaining)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save()
    locked.themes.set(list(themes))
    for evidence_file in removed:
        stored = evidence_file.file.name
        evidence_file.delete()
        storage = evidence_file.file.storage
        transaction.on_commit(lambda name=stored, s=storage: s.delete(name))  # type: ignore[misc]
    _save_files(locked, checked)
    searching.reindex([locked])
    audit_log(
        user=user,
        action="learning.experience.update",
        target=locked,
        program=locked.program,
        data={"removed_files": [f.pk for f in removed], "added_files": len(checked)},
    )
    return locked


@transaction.atomic
def experience_publish(*, user: Any, experience: Experience) -> Experience:
    """Publish a draft: from now on its readers (per its visibility) find it."""
    _require(user, CHANGE, experience, _("You cannot publish this experience."))
    locked = (
        Experience.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=experience.pk)
    )
    if locked.status == PublicationStatus.PUBLISHED:
        return locked
    locked.status = PublicationStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(
        user=user, action="learning.experience.publish", target=locked, program=locked.program
    )
    searching.reindex([locked])
    return locked


# -- comments, questions and answers ----------------------------------------------------------


def experience_url(experience: Experience, base_url: str = "") -> str:
    path = reverse("learning:experience", args=[experience.program.slug, experience.pk])
    return base_url.rstrip("/") + path if base_url else path


@transaction.atomic
def comment_add(
    *,
    user: Any,
    experience: Experience,
    body: str,
    kind: str = CommentKind.COMMENT,
    parent: Comment | None = None,
    organization: Actor | None = None,
    base_url: str = "",
) -> Comment:
    """A comment, question or answer by a member of the community. A new question is e-mailed
    to the experience's author, an answer to whoever asked, in their language, once saved."""
    if user is None or not user.has_perm(VIEW, experience):
        raise PermissionDenied(_("This experience does not exist or you cannot read it."))
    _require(
        user,
        TAKE_PART,
        experience,
        _("Only members of the program's learning community can comment and ask."),
    )
    if experience.status != PublicationStatus.PUBLISHED:
        raise ValidationError(_("Comments open once the experience is published."))
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Write something first.")}, code="required")
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": MAX_COMMENT_LENGTH, "length": len(text)}
            },
            code="max_length",
        )
    if kind not in CommentKind.values:
        raise ValidationError({"kind": _("Choose a comment, a question or an answer.")})
    if kind == CommentKind.ANSWER:
        if (
            parent is None
            or parent.experience_id != experience.pk
            or parent.kind != CommentKind.QUESTION
            or parent.hidden_at is not None
        ):
            raise ValidationError(_("This answer has no question to answer."), code="parent")
    else:
        parent = None
    if organization is not None and organization.pk not in {
        a.pk for a in represented_in(user, experience.program)
    }:
        raise ValidationError(
            {"organization": _("You can only speak for organizations you represent.")}
        )
    comment = Comment.objects.create(
        experience=experience,
        author=user,
        organization=organization,
        kind=kind,
        parent=parent,
        body=text,
    )
    recipient = None
    if kind == CommentKind.QUESTION:
        recipient = experience.author
    elif parent is not None:
        recipient = parent.author
    if (
        recipient is not None
        and recipient.pk != user.pk
        and recipient.is_active
        and recipient.email
    ):
        comment_id = comment.pk
        transaction.on_commit(lambda: send_comment_notice(comment_id, base_url=base_url))
    return comment


def send_comment_notice(comment_id: int, *, base_url: str = "") -> int:
    """E-mail a new question to the experience's author, or an answer to who asked."""
    comment = (
        Comment.objects.select_related(
            "experience__program", "experience__author", "organization", "parent__author"
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    experience = comment.experience
    recipient = experience.author if comment.kind == CommentKind.QUESTION else None
    if comment.kind == CommentKind.ANSWER and comment.parent is not None:
        recipient = comment.parent.author
    if recipient is None or not recipient.email:
        return 0
    with translation.override(recipient_language(recipient)):
        context = {
            "comment": comment,
            "experience": experience,
            "program": experience.program,
            "url": experience_url(experience, base_url) + f"#comment-{comment.pk}",
            "digest_url": (base_url.rstrip("/") if base_url else "")
            + reverse("learning:digest", args=[experience.program.slug]),
        }
        subject = render_to_string("learning/community/email/comment_subject.txt", context)
        text = render_to_string("learning/community/email/comment.txt", context)
    message = EmailMessage(" ".join(subject.split()), text, to=[recipient.email])
    return mailers.default.send_messages([message]) or 0


@transaction.atomic
def comment_hide(*, user: Any, comment: Comment, reason: str = "") -> Comment:
    """Hide a comment (a coordinator's moderation); it stays on record and in the audit."""
    experience = comment.experience
    _require(user, MODERATE, experience, _("Only coordinators moderate comments."))
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.hidden_at is not None:
        return locked
    locked.hidden_at = timezone.now()
    locked.hidden_by = user
    locked.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
    audit_log(
        user=user,
        action="learning.comment.hide",
        target=locked,
        program=experience.program,
        data={"experience": experience.pk, "reason": reason[:500]},
    )
    return locked


# -- reactions --------------------------------------------------------------------------------


def tried_too_records_ties(program: Program) -> bool:
    setting = (
        LearningSettings.objects.filter(program=program)
        .values_list("tried_too_ties", flat=True)
        .first()
    )
    return True if setting is None else bool(setting)


def _strengthen(
    user: Any,
    source: Actor,
    target: Actor,
    *,
    day: datetime.date,
    note: str,
    existing: dict[tuple[int, int], Tie] | None = None,
) -> tuple[Tie, bool]:
    """Record an information-exchange tie between two organizations, or keep the current one
    when it is already at least as strong: a learning exchange never weakens a tie. Returns the
    tie and whether it was written."""
    ends = (min(source.pk, target.pk), max(source.pk, target.pk))
    tie, written = tie_strengthen(
        user=user,
        source=source,
        target=target,
        tie_type=TIE_TYPE,
        intensity=TIE_INTENSITY,
        provenance=Provenance.LEARNING,
        started_on=day,
        note=note,
        current=LOOK_UP if existing is None else existing.get(ends),
    )
    if existing is not None:
        existing[ends] = tie
    return tie, written


@transaction.atomic
def reaction_set(
    *,
    user: Any,
    experience: Experience,
    kind: str,
    on: bool = True,
    organization: Actor | None = None,
    note: str = "",
) -> Reaction | None:
    """Mark (`on`) or unmark an experience "useful", or say "we tried this too" on behalf of
    an organization. Saying it twice keeps one reaction (a double click changes nothing).
    "We tried this too" ties the two organizations when the program records such ties; taking
    it back leaves the tie, which records an exchange that happened."""
    if user is None or not user.has_perm(VIEW, experience):
        raise PermissionDenied(_("This experience does not exist or you cannot read it."))
    _require(
        user,
        TAKE_PART,
        experience,
        _("Only members of the program's learning community can react to experiences."),
    )
    if experience.status != PublicationStatus.PUBLISHED:
        raise ValidationError(_("Reactions open once the experience is published."))
    if kind not in ReactionKind.values:
        raise ValidationError(_("Choose “useful” or “we tried this too”."))
    if not on:
        Reaction.objects.filter(experience=experience, user=user, kind=kind).delete()
        return None
    if kind == ReactionKind.USEFUL:
        reaction, _created = _get_or_create_reaction(experience=experience, user=user, kind=kind)
        return reaction
    if organization is None:
        raise ValidationError(
            {"organization": _("Say on behalf of which of your organizations.")},
            code="organization",
        )
    if organization.pk not in {a.pk for a in represented_in(user, experience.program)}:
        raise ValidationError(
            {"organization": _("You can only speak for organizations you represent.")},
            code="organization",
        )
    if organization.pk == experience.organization_id:
        raise ValidationError(
            {
                "organization": _(
                    "This is your own organization's experience: “we tried this too” links "
                    "two different organizations."
                )
            },
            code="own_organization",
        )
    note = _clean_text(note, "note", required=False, max_length=MAX_NOTE_LENGTH)
    reaction, created = _get_or_create_reaction(
        experience=experience,
        user=user,
        kind=kind,
        defaults={"organization": organization, "note": note},
    )
    if not created:
        reaction.organization = organization
        reaction.note = note
    if tried_too_records_ties(experience.program) and (
        created or reaction.tie_id is None or reaction.organization_id != organization.pk
    ):
        tie, _written = _strengthen(
            user,
            organization,
            experience.organization,
            day=timezone.localdate(),
            note=_("They tried the same: “%(title)s” (learning community).")
            % {"title": experience.title},
        )
        reaction.tie = tie
    reaction.save()
    audit_log(
        user=user,
        action="learning.reaction.tried_too",
        target=reaction,
        program=experience.program,
        data={
            "experience": experience.pk,
            "organization": organization.pk,
            "tie": reaction.tie_id,
        },
    )
    return reaction


def _get_or_create_reaction(
    *, experience: Experience, user: Any, kind: str, defaults: dict[str, Any] | None = None
) -> tuple[Reaction, bool]:
    # The database's unique constraint settles a double click: the second insert fails inside
    # its savepoint and reads the first one's row.
    try:
        with transaction.atomic():
            return Reaction.objects.get_or_create(
                experience=experience, user=user, kind=kind, defaults=defaults or {}
            )
    except IntegrityError:
        return Reaction.objects.get(experience=experience, user=user, kind=kind), False


# -- exchange meetings ------------------------------------------------------------------------


def _exchange_values(
    *,
    program: Program,
    title: str,
    held_on: datetime.date,
    place: str,
    people_count: int,
    outcomes: str,
    participants: Sequence[Actor],
    experiences: Sequence[Experience],
) -> dict[str, Any]:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the meeting a title.")}, code="required")
    if held_on is None:
        raise ValidationError({"held_on": _("Enter the date of the meeting.")}, code="required")
    if people_count is None or people_count < 0 or people_count > MAX_PEOPLE:
        raise ValidationError({"people_count": _("Enter how many people took part.")})
    for actor in participants:
        if actor.program_id != program.pk:
            raise ValidationError(
                {"participants": _("Every organization must belong to the program.")}
            )
    for experience in experiences:
        if experience.program_id != program.pk:
            raise ValidationError(
                {"experiences": _("Every experience must belong to the program.")}
            )
    return {
        "title": title[:200],
        "held_on": held_on,
        "place": (place or "").strip()[:255],
        "people_count": people_count,
        "outcomes": _clean_text(outcomes, "outcomes", required=False, max_length=20000),
    }


def _exchange_ties(
    user: Any, exchange: Exchange, participants: Sequence[Actor], territories: Sequence[Territory]
) -> int:
    """Tie the participating organizations of different territories; returns how many ties
    were recorded or strengthened (existing stronger ties are left alone).

    An organization belongs to the meeting's territory its own place lies in (a neighbourhood
    inside a comuna that took part counts as that comuna), else to its own place; one with no
    place recorded is not tied."""
    ids = [a.pk for a in participants]
    places = {
        a.pk: a.territory for a in Actor.objects.filter(pk__in=ids).select_related("territory")
    }

    def side(actor: Actor) -> int | None:
        place = places.get(actor.pk)
        if place is None:
            return None
        for territory in territories:
            if place.path.startswith(territory.path):
                return territory.pk
        return place.pk

    existing = {
        (min(t.source_id, t.target_id), max(t.source_id, t.target_id)): t
        for t in Tie.objects.current().filter(
            tie_type=TIE_TYPE, source_id__in=ids, target_id__in=ids
        )
    }
    note = _("Exchange meeting “%(title)s”.") % {"title": exchange.title}
    written = 0
    ordered = sorted(participants, key=lambda a: a.pk)
    for source, target in itertools.combinations(ordered, 2):
        source_side, target_side = side(source), side(target)
        if source_side is None or target_side is None or source_side == target_side:
            continue
        _tie, was_written = _strengthen(
            user, source, target, day=exchange.held_on, note=note, existing=existing
        )
        written += int(was_written)
    return written


@transaction.atomic
def exchange_create(
    *,
    user: Any,
    program: Program,
    title: str,
    held_on: datetime.date,
    place: str = "",
    territories: Sequence[Territory] = (),
    participants: Sequence[Actor] = (),
    people_count: int = 0,
    outcomes: str = "",
    experiences: Sequence[Experience] = (),
    records_ties: bool = True,
) -> Exchange:
    """Record an exchange meeting between territories (coordinators)."""
    _require(user, MANAGE_EXCHANGES, program, _("Only coordinators record exchange meetings."))
    values = _exchange_values(
        program=program,
        title=title,
        held_on=held_on,
        place=place,
        people_count=people_count,
        outcomes=outcomes,
        participants=participants,
        experiences=experiences,
    )
    exchange = Exchange.objects.create(
        program=program, records_ties=records_ties, recorded_by=user, **values
    )
    exchange.territories.set(list(territories))
    exchange.participants.set(list(participants))
    exchange.experiences.set(list(experiences))
    ties = _exchange_ties(user, exchange, participants, territories) if records_ties else 0
    audit_log(
        user=user,
        action="learning.exchange.create",
        target=exchange,
        program=program,
        data={"ties": ties, "participants": [a.pk for a in participants]},
    )
    return exchange


@transaction.atomic
def exchange_update(
    *,
    user: Any,
    exchange: Exchange,
    title: str,
    held_on: datetime.date,
    place: str = "",
    territories: Sequence[Territory] = (),
    participants: Sequence[Actor] = (),
    people_count: int = 0,
    outcomes: str = "",
    experiences: Sequence[Experience] = (),
    records_ties: bool = True,
) -> Exchange:
    """Change an exchange meeting. Ties already recorded stay (they record what happened);
    organizations added to a meeting that records ties get theirs."""
    _require(user, MANAGE_EXCHANGES, exchange, _("Only coordinators change exchange meetings."))
    locked = (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=exchange.pk)
    )
    values = _exchange_values(
        program=locked.program,
        title=title,
        held_on=held_on,
        place=place,
        people_count=people_count,
        outcomes=outcomes,
        participants=participants,
        experiences=experiences,
    )
    for key, value in values.items():
        setattr(locked, key, value)
    locked.records_ties = records_ties
    locked.save()
    locked.territories.set(list(territories))
    locked.participants.set(list(participants))
    locked.experiences.set(list(experiences))
    ties = _exchange_ties(user, locked, participants, territories) if records_ties else 0
    audit_log(
        user=user,
        action="learning.exchange.update",
        target=locked,
        program=locked.program,
        data={"ties": ties, "participants": [a.pk for a in participants]},
    )
    return locked


# -- the digest -------------------------------------------------------------------------------


@transaction.atomic
def digest_subscribe(*, user: Any, program: Program, frequency: str) -> DigestSubscription:
    """How often the user wants the digest of what is new in the program's community."""
    _require(
        user,
        TAKE_PART,
        program,
        _("Only members of the program's learning community receive its digest."),
    )
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": _("Choose how often.")}, code="frequency")
    subscription, _created = DigestSubscription.objects.update_or_create(
        user=user, program=program, defaults={"frequency": frequency}
    )
    return subscription
