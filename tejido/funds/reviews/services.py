"""Every write of a call's reviews: the reviewer pool, conflicts of interest (detected from the
network and declared), the assignment of applications to reviewers, extra reviews when the
first ones disagree, and the reviews themselves.

The life of a review
--------------------
Coordinators build the pool (any time before the decision). Once the call has closed,
`reviews_assign` detects conflicts again and gives every eligible application its reviewers
with balanced loads (`funds.assignment`); each reviewer gets an e-mail. A reviewer saves a
draft as often as they like and submits it; until the evaluation ends they may change it and
submit again. A form opened before another change of the same review (another tab, another
window) is refused rather than overwriting it. A conflict found or declared later withdraws a
pending assignment at once; a review already submitted stays on record, does not count, and
is shown to the coordinators.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tejido.accounts.models import ProgramRole, Role
from tejido.accounts.services import role_grant
from tejido.actors.models import Actor, Representative
from tejido.core.audit import audit_log
from tejido.core.mail import recipient_language
from tejido.governance.models import BodyKind, Mandate
from tejido.network.models import Tie

from .. import assignment as optimizer
from .. import conflicts as detector
from .. import scoring
from ..models import (
    Application,
    ApplicationStatus,
    Assignment,
    Call,
    CallPhase,
    CallReviewer,
    Conflict,
    ConflictDeclaration,
    Criterion,
    Partner,
    Score,
)

COMMENT_LIMIT = 5000
REASON_LIMIT = 300


# -- helpers ----------------------------------------------------------------------------------


def _locked_call(call: Call) -> Call:
    return Call.objects.select_for_update(of=("self",)).select_related("program").get(pk=call.pk)


def _require_not_decided(call: Call) -> None:
    if call.phase() in (CallPhase.DECIDED, CallPhase.RESULTS):
        raise ValidationError(
            _("The committee has already decided on this call: its reviews are closed."),
            code="decided",
        )


def _require_evaluation(call: Call, *, at: datetime.datetime | None = None) -> None:
    """Refuse unless the call has closed and is not decided yet."""
    _require_not_decided(call)
    at = at or timezone.now()
    if call.phase(at) in (CallPhase.DRAFT, CallPhase.UPCOMING, CallPhase.OPEN):
        raise ValidationError(
            _("Reviews start once the call has closed for applications (it closes on %(date)s).")
            % {"date": date_format(timezone.localtime(call.closes_at), "DATE_FORMAT")},
            code="not_closed",
        )


def _require_before_evaluation_end(call: Call, at: datetime.datetime) -> None:
    end = call.evaluation_ends_on
    if end is not None and timezone.localdate(at) > end:
        raise ValidationError(
            _(
                "The evaluation ended on %(date)s: reviews can no longer change. Ask the"
                " coordination if you need more time."
            )
            % {"date": date_format(end, "DATE_FORMAT")},
            code="evaluation_over",
        )


def _clean_max_load(value: int | None) -> int | None:
    if value is None:
        return None
    if value < 1:
        raise ValidationError(
            {"max_load": _("Leave it empty for no limit, or enter 1 or more applications.")}
        )
    return value


def _clean_organization(call: Call, organization: Actor | None) -> Actor | None:
    if organization is None:
        return None
    if organization.program_id != call.program_id or organization.kind == "person":
        raise ValidationError(
            {"organization": _("Choose an organization of this program's directory.")}
        )
    return organization


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path if base_url else path


def _conflicted_pairs(call: Call) -> set[tuple[int, int]]:
    return set(
        Conflict.objects.filter(reviewer__call=call).values_list("reviewer_id", "application_id")
    )


# -- the pool ---------------------------------------------------------------------------------


@transaction.atomic
def reviewer_add(
    *,
    actor: Any,
    call: Call,
    user: Any,
    organization: Actor | None = None,
    max_load: int | None = None,
) -> CallReviewer:
    """Put `user` in the call's reviewer pool (giving them the evaluator role in the program
    if they lack it). Someone who left the pool comes back with the new details."""
    call = _locked_call(call)
    _require_not_decided(call)
    if not getattr(user, "is_active", False):
        raise ValidationError(
            {"email": _("This account is deactivated: it cannot review applications.")}
        )
    organization = _clean_organization(call, organization)
    max_load = _clean_max_load(max_load)
    reviewer = CallReviewer.objects.filter(call=call, user=user).first()
    if reviewer is not None and reviewer.is_active:
        raise ValidationError(
            {"email": _("%(name)s is already in this call's pool.") % {"name": user}},
            code="duplicate",
        )
    if reviewer is None:
        try:
            with transaction.atomic():
                reviewer = CallReviewer.objects.create(
                    call=call, user=user, organization=organization, max_load=max_load
                )
        except IntegrityError as exc:  # pragma: no cover - the call row lock prevents it
            raise ValidationError(
                {"email": _("%(name)s is already in this call's pool.") % {"name": user}}
            ) from exc
    else:
        reviewer.is_active = True
        reviewer.organization = organization
        reviewer.max_load = max_load
        reviewer.save(update_fields=["is_active", "organization", "max_load", "updated_at"])
    if not ProgramRole.objects.filter(
        user=user, program=call.program, role=Role.EVALUATOR
    ).exists():
        role_grant(actor=actor, user=user, program=call.program, role=Role.EVALUATOR)
    audit_log(
        user=actor,
        action="funds.reviewer.add",
        target=reviewer,
        program=call.program,
        data={
            "call": call.pk,
            "user": user.pk,
            "organization": organization.pk if organization else None,
            "max_load": max_load,
        },
    )
    return reviewer


@transaction.atomic
def reviewer_update(
    *,
    actor: Any,
    reviewer: CallReviewer,
    organization: Actor | None,
    max_load: int | None,
) -> CallReviewer:
    """Change where a reviewer works (for conflicts) and the most applications they take.
    A limit below what they already have keeps their assignments and gives them no more."""
    call = _locked_call(reviewer.call)
    _require_not_decided(call)
    reviewer = CallReviewer.objects.select_for_update().get(pk=reviewer.pk)
    organization = _clean_organization(call, organization)
    reviewer.organization = organization
    reviewer.max_load = _clean_max_load(max_load)
    reviewer.save(update_fields=["organization", "max_load", "updated_at"])
    audit_log(
        user=actor,
        action="funds.reviewer.update",
        target=reviewer,
        program=call.program,
        data={
            "organization": organization.pk if organization else None,
            "max_load": reviewer.max_load,
        },
    )
    return reviewer


@transaction.atomic
def reviewer_set_active(*, actor: Any, reviewer: CallReviewer, active: bool) -> int:
    """Take a reviewer out of the pool (or back in). Leaving withdraws their unfinished
    reviews, so that the next assignment gives those applications to others; reviews they
    submitted still count. Returns the number of withdrawn assignments."""
    call = _locked_call(reviewer.call)
    _require_not_decided(call)
    reviewer = CallReviewer.objects.select_for_update().get(pk=reviewer.pk)
    withdrawn = 0
    if not active:
        _total, deleted = Assignment.objects.filter(reviewer=reviewer).pending().delete()
        # Draft scores go with their assignment: count the assignments only.
        withdrawn = deleted.get(Assignment._meta.label, 0)
    reviewer.is_active = active
    reviewer.save(update_fields=["is_active", "updated_at"])
    audit_log(
        user=actor,
        action="funds.reviewer.activate" if active else "funds.reviewer.deactivate",
        target=reviewer,
        program=call.program,
        data={"withdrawn": withdrawn},
    )
    return withdrawn


# -- conflicts of interest --------------------------------------------------------------------


@dataclass(frozen=True)
class _CallFacts:
    applications: list[detector.ApplicationFacts]
    reviewers: list[detector.ReviewerFacts]
    ties: list[detector.TieFact]
    bodies: dict[int, set[int]]
    declarations: dict[int, set[int]]
    declared_reasons: dict[tuple[int, int], str]


def _call_facts(call: Call, day: datetime.date) -> _CallFacts:
    """Everything the detector needs, in a fixed number of queries."""
    applications = list(
        Application.objects.submitted().filter(call=call).values_list("pk", "applicant_id")
    )
    partners: dict[int, set[int]] = defaultdict(set)
    for application_id, organization_id in Partner.objects.filter(
        application__call=call
    ).values_list("application_id", "organization_id"):
        partners[application_id].add(organization_id)
    pool = list(
        CallReviewer.objects.filter(call=call).values_list("pk", "user_id", "organization_id")
    )
    user_ids = {user_id for _pk, user_id, _org in pool}
    links: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for user_id, organization_id in Representative.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "organization_id"
    ):
        links[user_id].append((organization_id, detector.REPRESENTS))
    for holder, alternate, organization_id in (
        Mandate.objects.current(day)
        .filter(Q(holder_user_id__in=user_ids) | Q(alternate_user_id__in=user_ids))
        .values_list("holder_user_id", "alternate_user_id", "organization_id")
    ):
        for user_id in {holder, alternate} & user_ids:
            links[user_id].append((organization_id, detector.HOLDS_SEAT))
    reviewers = []
    own_organizations: set[int] = set()
    for pk, user_id, organization_id in pool:
        pairs = list(links[user_id])
        if organization_id is not None:
            pairs.append((organization_id, detector.WORKS_AT))
        organizations = detector.strongest_links(pairs)
        own_organizations |= set(organizations)
        reviewers.append(detector.ReviewerFacts(pk, organizations))
    ties = [
        detector.TieFact(a, b, intensity)
        for a, b, intensity in Tie.objects.active(day)
        .filter(program_id=call.program_id, intensity__gte=call.conflict_tie_intensity)
        .filter(Q(source_id__in=own_organizations) | Q(target_id__in=own_organizations))
        .values_list("source_id", "target_id", "intensity")
    ]
    bodies: dict[int, set[int]] = defaultdict(set)
    for organization_id, body_id in (
        Mandate.objects.current(day)
        .filter(seat__body__program_id=call.program_id, seat__body__kind=BodyKind.DIRECTORATE)
        .values_list("organization_id", "seat__body_id")
    ):
        bodies[organization_id].add(body_id)
    declarations: dict[int, set[int]] = defaultdict(set)
    reasons: dict[tuple[int, int], str] = {}
    for reviewer_id, organization_id, reason in ConflictDeclaration.objects.filter(
        reviewer__call=call
    ).values_list("reviewer_id", "organization_id", "reason"):
        declarations[reviewer_id].add(organization_id)
        reasons[(reviewer_id, organization_id)] = reason
    return _CallFacts(
        applications=[
            detector.ApplicationFacts(pk, applicant, frozenset(partners[pk]))
            for pk, applicant in applications
        ],
        reviewers=reviewers,
        ties=ties,
        bodies=bodies,
        declarations=declarations,
        declared_reasons=reasons,
    )


def _store_conflicts(call: Call, wanted: Mapping[tuple[int, int, str], dict[str, Any]]) -> None:
    """Make the call's Conflict rows exactly `wanted` (reviewer, application, source → detail)."""
    existing = {
        (c.reviewer_id, c.application_id, c.source): c
        for c in Conflict.objects.filter(reviewer__call=call)
    }
    stale = [c.pk for key, c in existing.items() if key not in wanted]
    if stale:
        Conflict.objects.filter(pk__in=stale).delete()
    changed = []
    now = timezone.now()
    for key, detail in wanted.items():
        row = existing.get(key)
        if row is not None and row.detail != detail:
            row.detail = detail
            row.updated_at = now
            changed.append(row)
    if changed:
        Conflict.objects.bulk_update(changed, ["detail", "updated_at"])
    Conflict.objects.bulk_create(
        [
            Conflict(reviewer_id=r, application_id=a, source=s, detail=detail)
            for (r, a, s), detail in wanted.items()
            if (r, a, s) not in existing
        ]
    )


def _withdraw_conflicted(call: Call) -> tuple[int, int]:
    """Delete pending assignments of conflicted pairs; count the submitted ones kept."""
    conflicted = Conflict.objects.filter(
        reviewer_id=OuterRef("reviewer_id"), application_id=OuterRef("application_id")
    )
    pending = Assignment.objects.filter(reviewer__call=call).pending().filter(Exists(conflicted))
    _total, detail = pending.delete()
    kept = (
        Assignment.objects.filter(reviewer__call=call)
        .submitted()
        .filter(Exists(conflicted))
        .count()
    )
    return detail.get(Assignment._meta.label, 0), kept


def _detect(call: Call, day: datetime.date) -> tuple[int, int, int]:
    facts = _call_facts(call, day)
    found = detector.detect(
        facts.reviewers,
        facts.applications,
        ties=facts.ties,
        threshold=call.conflict_tie_intensity,
        body_memberships=facts.bodies,
        declarations=facts.declarations,
    )
    wanted: dict[tuple[int, int, str], dict[str, Any]] = {}
    for (reviewer_id, application_id), reasons in found.items():
        by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for reason in reasons:
            detail = dict(reason.detail)
            if reason.source == detector.DECLARED:
                detail["note"] = facts.declared_reasons.get(
                    (reviewer_id, detail["organization"]), ""
                )
            by_source[reason.source].append(detail)
        for source, details in by_source.items():
            first, *more = details
            wanted[(reviewer_id, application_id, source)] = (
                {**first, "more": more} if more else first
            )
    _store_conflicts(call, wanted)
    withdrawn, flagged = _withdraw_conflicted(call)
    return len(found), withdrawn, flagged


@transaction.atomic
def conflicts_detect(*, actor: Any, call: Call) -> int:
    """Recompute the call's conflicts of interest from the network, the governance seats and
    the reviewers' declarations (idempotent). Pending assignments of a conflicted pair are
    withdrawn; submitted ones stay and are flagged. Returns the number of conflicted
    (reviewer, application) pairs."""
    call = _locked_call(call)
    pairs, withdrawn, flagged = _detect(call, timezone.localdate())
    audit_log(
        user=actor,
        action="funds.conflicts.detect",
        target=call,
        program=call.program,
        data={"pairs": pairs, "withdrawn": withdrawn, "flagged": flagged},
    )
    return pairs


@transaction.atomic
def conflict_declare(
    *, actor: Any, call: Call, organization: Actor, reason: str
) -> ConflictDeclaration:
    """A reviewer declares a conflict with one of the call's applicant or partner
    organizations: they will not see nor review any application it takes part in."""
    call = _locked_call(call)
    _require_not_decided(call)
    reviewer = (
        CallReviewer.objects.select_for_update()
        .filter(call=call, user=actor, is_active=True)
        .first()
    )
    if reviewer is None:
        raise PermissionDenied
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say in a few words why: the coordination reads it.")})
    if len(reason) > REASON_LIMIT:
        raise ValidationError(
            {
                "reason": _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": REASON_LIMIT, "length": len(reason)}
            }
        )
    if organization.pk not in set(call_organization_ids(call)):
        raise ValidationError(
            {"organization": _("Choose one of the organizations that applied to this call.")}
        )
    if ConflictDeclaration.objects.filter(reviewer=reviewer, organization=organization).exists():
        raise ValidationError(
            {
                "organization": _("You already declared a conflict with %(name)s.")
                % {"name": organization.name}
            },
            code="duplicate",
        )
    declaration = ConflictDeclaration.objects.create(
        reviewer=reviewer, organization=organization, reason=reason
    )
    _pairs, withdrawn, flagged = _detect(call, timezone.localdate())
    audit_log(
        user=actor,
        action="funds.conflicts.declare",
        target=declaration,
        program=call.program,
        data={"organization": organization.pk, "withdrawn": withdrawn, "flagged": flagged},
    )
    return declaration


def call_organization_ids(call: Call) -> list[int]:
    """The organizations that take part in the call's submitted applications."""
    applicants = (
        Application.objects.submitted().filter(call=call).values_list("applicant_id", flat=True)
    )
    partners = Partner.objects.filter(
        application__call=call, application__status=ApplicationStatus.SUBMITTED
    ).values_list("organization_id", flat=True)
    return sorted(set(applicants) | set(partners))


# -- assignment -------------------------------------------------------------------------------


def _problem(
    call: Call, application_ids: list[int], extra_for: int | None = None
) -> optimizer.Problem:
    """The optimizer's problem for `application_ids` of the call, with the rest of the call's
    assignments as the reviewers' other load."""
    wanted_ids = set(application_ids)
    conflicted = _conflicted_pairs(call)
    rows = list(
        Assignment.objects.filter(reviewer__call=call).values_list(
            "reviewer_id", "application_id", "is_extra"
        )
    )
    existing: set[tuple[int, int]] = set()
    blocked = set(conflicted)
    extras: dict[int, int] = defaultdict(int)
    other: dict[int, int] = defaultdict(int)
    for reviewer_id, application_id, is_extra in rows:
        pair = (reviewer_id, application_id)
        if application_id not in wanted_ids:
            other[reviewer_id] += 1
        elif pair in conflicted:
            blocked.add(pair)  # kept on record, never counted, never given again
        else:
            existing.add(pair)
            if is_extra:
                extras[application_id] += 1
    have: dict[int, int] = defaultdict(int)
    for _reviewer_id, application_id in existing:
        have[application_id] += 1
    needs = []
    for application_id in sorted(wanted_ids):
        if application_id == extra_for:
            wanted = have[application_id] + 1
        else:
            wanted = call.reviewers_per_application + extras[application_id]
        needs.append(optimizer.ApplicationNeed(application_id, wanted))
    reviewers = tuple(
        optimizer.ReviewerSlot(pk, max_load=max_load, other_load=other[pk])
        for pk, max_load in CallReviewer.objects.filter(call=call, is_active=True)
        .order_by("pk")
        .values_list("pk", "max_load")
    )
    return optimizer.Problem(
        applications=tuple(needs),
        reviewers=reviewers,
        existing=frozenset(existing),
        conflicts=frozenset(blocked),
    )


def _notify_assigned(call: Call, counts: Mapping[int, int], base_url: str) -> None:
    """E-mail each reviewer how many applications they were given, once the transaction
    commits, in their own language."""
    if not counts:
        return
    call_id = call.pk
    reviewer_counts = dict(counts)

    def send() -> None:
        current = Call.objects.select_related("program").get(pk=call_id)
        path = reverse("funds:my_reviews", args=[current.program.slug])
        messages = []
        for reviewer in CallReviewer.objects.select_related("user").filter(
            pk__in=reviewer_counts, is_active=True
        ):
            user = reviewer.user
            if not user.is_active or not user.email:
                continue
            with translation.override(recipient_language(user)):
                context = {
                    "call": current,
                    "program": current.program,
                    "count": reviewer_counts[reviewer.pk],
                    "name": user.get_full_name(),
                    "url": _absolute(base_url, path),
                    "ends_on": current.evaluation_ends_on,
                }
                subject = render_to_string("funds/reviews/email/assigned_subject.txt", context)
                text = render_to_string("funds/reviews/email/assigned.txt", context)
            messages.append(EmailMessage(" ".join(subject.split()), text, to=[user.email]))
        if messages:
            mailers.default.send_messages(messages)

    transaction.on_commit(send)


@transaction.atomic
def reviews_assign(*, actor: Any, call: Call, base_url: str = "") -> int:
    """After the call closes: detect conflicts, withdraw pending reviews of applications that
    are no longer eligible, and give every eligible application its reviewers (balanced loads,
    no conflicted pair, the assignments already made kept). Returns the number of new
    assignments; each reviewer with new ones gets an e-mail."""
    call = _locked_call(call)
    _require_evaluation(call)
    _pairs, withdrawn_conflicts, _flagged = _detect(call, timezone.localdate())
    eligible = list(
        Application.objects.eligible().filter(call=call).order_by("pk").values_list("pk", flat=True)
    )
    _total, detail = (
        Assignment.objects.filter(reviewer__call=call)
        .pending()
        .exclude(application_id__in=eligible)
        .delete()
    )
    withdrawn_ineligible = detail.get(Assignment._meta.label, 0)
    result = optimizer.assign(_problem(call, eligible))
    Assignment.objects.bulk_create(
        [
            Assignment(application_id=application_id, reviewer_id=reviewer_id, assigned_by=actor)
            for reviewer_id, application_id in result.new
        ]
    )
    counts: dict[int, int] = defaultdict(int)
    for reviewer_id, _application_id in result.new:
        counts[reviewer_id] += 1
    _notify_assigned(call, counts, base_url)
    audit_log(
        user=actor,
        action="funds.reviews.assign",
        target=call,
        program=call.program,
        data={
            "new": len(result.new),
            "applications": len(eligible),
            "short": result.short,
            "max_load": result.max_load,
            "withdrawn_conflicts": withdrawn_conflicts,
            "withdrawn_ineligible": withdrawn_ineligible,
        },
    )
    return len(result.new)


@transaction.atomic
def review_extra(*, actor: Any, application: Application, base_url: str = "") -> Assignment:
    """One more review of `application` (its reviews disagree): the least-loaded active
    reviewer without a conflict who does not review it yet, within their limit."""
    call = _locked_call(application.call)
    _require_evaluation(call)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if (
        application.call_id != call.pk
        or application.status != ApplicationStatus.SUBMITTED
        or not application.is_eligible
    ):
        raise ValidationError(
            _("Only eligible applications of this call are reviewed."), code="not_eligible"
        )
    _detect(call, timezone.localdate())
    result = optimizer.assign(_problem(call, [application.pk], extra_for=application.pk))
    if not result.new:
        raise ValidationError(
            _(
                "No reviewer is free for one more review of %(reference)s: every active"
                " reviewer already reviews it, has a conflict of interest with it, or has"
                " reached their limit. Add someone to the pool or raise a limit."
            )
            % {"reference": application.reference},
            code="nobody_free",
        )
    ((reviewer_id, _application_id),) = result.new
    assignment = Assignment.objects.create(
        application=application, reviewer_id=reviewer_id, is_extra=True, assigned_by=actor
    )
    _notify_assigned(call, {reviewer_id: 1}, base_url)
    audit_log(
        user=actor,
        action="funds.reviews.extra",
        target=assignment,
        program=call.program,
        data={"application": application.pk, "reviewer": reviewer_id},
    )
    return assignment


# -- the review -------------------------------------------------------------------------------


def _parse_scores(
    criteria: list[Criterion], scores: Mapping[int, Any], *, complete: bool
) -> dict[int, Decimal]:
    errors: dict[str, list[str]] = {}
    values: dict[int, Decimal] = {}
    for criterion in criteria:
        field = f"score_{criterion.pk}"
        raw = scores.get(criterion.pk)
        if raw in (None, ""):
            if complete:
                errors[field] = [
                    _("Give a score from 0 to %(max)s.") % {"max": criterion.scale_max}
                ]
            continue
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors[field] = [_("Enter a number.")]
            continue
        if not value.is_finite() or value < 0 or value > criterion.scale_max:
            errors[field] = [_("The score goes from 0 to %(max)s.") % {"max": criterion.scale_max}]
            continue
        if value != value.quantize(Decimal("0.01")):
            errors[field] = [_("Use at most two decimals.")]
            continue
        values[criterion.pk] = value.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    return values


def _clean_comments(
    criteria: list[Criterion], comments: Mapping[int, str], comment: str
) -> tuple[dict[int, str], str]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, str] = {}
    for criterion in criteria:
        text = (comments.get(criterion.pk) or "").strip()
        if len(text) > COMMENT_LIMIT:
            errors[f"comment_{criterion.pk}"] = [
                _("Keep it under %(count)s characters.") % {"count": COMMENT_LIMIT}
            ]
        cleaned[criterion.pk] = text
    overall = (comment or "").strip()
    if len(overall) > COMMENT_LIMIT:
        errors["comment"] = [_("Keep it under %(count)s characters.") % {"count": COMMENT_LIMIT}]
    if errors:
        raise ValidationError(errors)
    return cleaned, overall


def _locked_assignment(actor: Any, assignment: Assignment) -> Assignment:
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("reviewer__user", "application__call__program")
        .get(pk=assignment.pk)
    )
    reviewer = locked.reviewer
    if (
        reviewer.user_id != getattr(actor, "pk", None)
        or not reviewer.is_active
        or Conflict.objects.filter(
            reviewer_id=reviewer.pk, application_id=locked.application_id
        ).exists()
    ):
        raise PermissionDenied
    return locked


def _require_fresh(assignment: Assignment, seen: datetime.datetime | None) -> None:
    if seen is not None and assignment.updated_at != seen:
        if assignment.submitted_at is not None:
            message = _(
                "This review was submitted at %(time)s, after you opened this page (perhaps in"
                " another tab or window). Nothing was changed: reload the page to see it, then"
                " make your changes again."
            ) % {
                "time": date_format(timezone.localtime(assignment.submitted_at), "DATETIME_FORMAT")
            }
        else:
            message = _(
                "This review was saved in another tab or window after you opened this page."
                " Nothing was changed: reload the page to see the latest version."
            )
        raise ValidationError(message, code="stale")


def _write(
    assignment: Assignment,
    criteria: list[Criterion],
    values: dict[int, Decimal],
    comments: dict[int, str],
    comment: str,
) -> None:
    existing = {s.criterion_id: s for s in Score.objects.filter(assignment=assignment)}
    gone = [s.pk for cid, s in existing.items() if cid not in values]
    if gone:
        Score.objects.filter(pk__in=gone).delete()
    changed = []
    for criterion in criteria:
        if criterion.pk not in values:
            continue
        row = existing.get(criterion.pk)
        if row is None:
            Score.objects.create(
                assignment=assignment,
                criterion=criterion,
                value=values[criterion.pk],
                comment=comments[criterion.pk],
            )
        elif row.value != values[criterion.pk] or row.comment != comments[criterion.pk]:
            row.value = values[criterion.pk]
            row.comment = comments[criterion.pk]
            changed.append(row)
    if changed:
        Score.objects.bulk_update(changed, ["value", "comment"])
    assignment.comment = comment


@transaction.atomic
def review_save(
    *,
    actor: Any,
    assignment: Assignment,
    scores: Mapping[int, Any],
    comments: Mapping[int, str],
    comment: str,
    seen: datetime.datetime | None = None,
    at: datetime.datetime | None = None,
) -> Assignment:
    """Save a draft of a review: scores may be missing, and nobody else sees it yet."""
    assignment = _locked_assignment(actor, assignment)
    at = at or timezone.now()
    call = assignment.application.call
    _require_evaluation(call, at=at)
    _require_before_evaluation_end(call, at)
    _require_fresh(assignment, seen)
    if assignment.submitted_at is not None:
        raise ValidationError(
            _("This review is already submitted: submit your changes instead."),
            code="submitted",
        )
    criteria = list(call.criteria.order_by("position", "pk"))
    values = _parse_scores(criteria, scores, complete=False)
    cleaned, overall = _clean_comments(criteria, comments, comment)
    _write(assignment, criteria, values, cleaned, overall)
    assignment.save(update_fields=["comment", "updated_at"])
    audit_log(
        user=actor,
        action="funds.review.save",
        target=assignment,
        program=call.program,
        data={"scored": len(values), "of": len(criteria)},
    )
    return assignment


@transaction.atomic
def review_submit(
    *,
    actor: Any,
    assignment: Assignment,
    scores: Mapping[int, Decimal],
    comments: Mapping[int, str],
    comment: str,
    seen: datetime.datetime | None = None,
    at: datetime.datetime | None = None,
) -> Assignment:
    """Submit a review (or changes to a submitted one) with every criterion scored and an
    overall comment. `seen` is when the form was loaded (the review's `updated_at` then): a
    form older than the last change is refused. `at` dates the submission (now by default)."""
    assignment = _locked_assignment(actor, assignment)
    at = at or timezone.now()
    call = assignment.application.call
    _require_evaluation(call, at=at)
    _require_before_evaluation_end(call, at)
    _require_fresh(assignment, seen)
    criteria = list(call.criteria.order_by("position", "pk"))
    if not criteria:
        raise ValidationError(
            _("This call has no evaluation criteria: ask the coordination to add them."),
            code="no_criteria",
        )
    errors: dict[str, list[str]] = {}
    try:
        values = _parse_scores(criteria, scores, complete=True)
    except ValidationError as error:
        errors.update(error.message_dict)
        values = {}
    try:
        cleaned, overall = _clean_comments(criteria, comments, comment)
    except ValidationError as error:
        errors.update(error.message_dict)
        cleaned, overall = {}, ""
    if "comment" not in errors and not overall:
        errors["comment"] = [
            _("Write an overall comment: the committee reads it to understand your scores.")
        ]
    if errors:
        raise ValidationError(errors)
    _write(assignment, criteria, values, cleaned, overall)
    specs = [
        scoring.CriterionSpec(
            id=c.pk,
            weight=float(c.weight),
            scale_max=c.scale_max,
            minimum=float(c.minimum) if c.minimum is not None else None,
        )
        for c in criteria
    ]
    total = scoring.review_total(specs, {k: float(v) for k, v in values.items()})
    was_submitted = assignment.submitted_at is not None
    assignment.total = Decimal(str(total)).quantize(Decimal("0.01"))
    assignment.submitted_at = at
    assignment.save(update_fields=["comment", "total", "submitted_at", "updated_at"])
    audit_log(
        user=actor,
        action="funds.review.resubmit" if was_submitted else "funds.review.submit",
        target=assignment,
        program=call.program,
        data={"total": str(assignment.total)},
    )
    return assignment
