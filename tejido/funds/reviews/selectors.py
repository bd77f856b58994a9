"""Reads of a call's reviews, shaped for their pages, each in a fixed number of queries.

`scores_for_call` and `assignments_for_user` are used by other areas too (ranking, the funds
hub). A review counts once it is submitted, for an eligible application, by a reviewer with no
conflict of interest recorded with it; a conflicted reviewer's work is shown to coordinators
only, as flagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.accounts.models import ProgramRole, Role, User
from tejido.actors.models import Actor
from tejido.core.models import Program
from tejido.governance.models import Body
from tejido.network.models import Intensity

from .. import conflicts as detector
from .. import scoring
from ..models import (
    Application,
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

# -- scores -----------------------------------------------------------------------------------


def criterion_specs(criteria: Iterable[Criterion]) -> list[scoring.CriterionSpec]:
    return [
        scoring.CriterionSpec(
            id=c.pk,
            weight=float(c.weight),
            scale_max=c.scale_max,
            minimum=float(c.minimum) if c.minimum is not None else None,
        )
        for c in criteria
    ]


def _conflicted() -> Exists:
    """For a query on Assignment: a conflict is recorded between its reviewer and application."""
    return Exists(
        Conflict.objects.filter(
            reviewer_id=OuterRef("reviewer_id"), application_id=OuterRef("application_id")
        )
    )


def counted_reviews(call: Call, criteria: list[Criterion]) -> list[scoring.ReviewScores]:
    """The reviews that count for the call's ranking (2 queries)."""
    eligible = Application.objects.eligible().filter(call=call).values("pk")
    counted = (
        Assignment.objects.submitted()
        .filter(application_id__in=eligible)
        .filter(~_conflicted())
        .order_by("pk")
    )
    pairs = list(counted.values_list("pk", "reviewer_id", "application_id"))
    values: dict[int, dict[int, float]] = defaultdict(dict)
    criterion_ids = {c.pk for c in criteria}
    for assignment_id, criterion_id, value in Score.objects.filter(
        assignment__in=counted.values("pk")
    ).values_list("assignment_id", "criterion_id", "value"):
        if criterion_id in criterion_ids:
            values[assignment_id][criterion_id] = float(value)
    return [
        scoring.ReviewScores(reviewer_id=reviewer, application_id=application, values=values[pk])
        for pk, reviewer, application in pairs
    ]


def scores_for_call(call: Call) -> dict[int, scoring.ApplicationScore]:
    """Application id → its score, for every eligible application with a counted review: the
    mean overall score (0-100, normalized per reviewer when the call says so), the mean per
    criterion, the criteria whose minimum it misses and whether its reviewers disagree.
    Three queries whatever the size of the call."""
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    reviews = counted_reviews(call, criteria)
    return scoring.summarize(
        criterion_specs(criteria),
        reviews,
        normalize=call.normalize_scores,
        disagreement_threshold=float(call.disagreement_threshold),
    )


# -- the reviewer's side ----------------------------------------------------------------------


def assignments_for_user(user: Any, program: Program) -> list[Assignment]:
    """The user's reviews in the program's calls, pending first (then by call and reference):
    only while they are an active reviewer, never one with a conflict of interest."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Assignment.objects.filter(
            reviewer__user=user,
            reviewer__is_active=True,
            application__call__program=program,
        )
        .filter(~_conflicted())
        .select_related("application__call", "application__applicant", "reviewer")
        .annotate(
            scored=Count("scores"),
            pending_first=Case(
                When(submitted_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("pending_first", "application__call__closes_at", "application__reference")
    )


def review_window_open(call: Call) -> bool:
    """Reviews can be written and changed: the call closed, not decided, evaluation not over."""
    if call.phase() != CallPhase.EVALUATION:
        return False
    return call.evaluation_ends_on is None or timezone.localdate() <= call.evaluation_ends_on


@dataclass
class ReviewerCall:
    call: Call
    reviewer: CallReviewer
    pending: list[Assignment] = field(default_factory=list)
    done: list[Assignment] = field(default_factory=list)
    declarations: int = 0

    @property
    def total(self) -> int:
        return len(self.pending) + len(self.done)

    @property
    def open(self) -> bool:
        return review_window_open(self.call)

    @property
    def can_declare(self) -> bool:
        return self.call.phase() not in (CallPhase.DECIDED, CallPhase.RESULTS)


def my_reviews(user: Any, program: Program) -> list[ReviewerCall]:
    """The calls of the program whose pool the user is in, with their reviews (4 queries)."""
    pools = list(
        CallReviewer.objects.filter(user=user, is_active=True, call__program=program)
        .select_related("call")
        .annotate(declared=Count("declarations"))
        .order_by("-call__closes_at", "call__title")
    )
    blocks = {
        reviewer.call_id: ReviewerCall(
            call=reviewer.call,
            reviewer=reviewer,
            declarations=reviewer.declared,
        )
        for reviewer in pools
    }
    for each in blocks.values():
        each.call.program = program
    for assignment in assignments_for_user(user, program):
        block = blocks.get(assignment.application.call_id)
        if block is None:
            continue
        (block.pending if assignment.submitted_at is None else block.done).append(assignment)
    return list(blocks.values())


@dataclass
class CriterionRow:
    criterion: Criterion
    value: Decimal | None
    comment: str

    @property
    def choices(self) -> list[int]:
        return list(range(self.criterion.scale_max + 1))


def review_assignment(program: Program, pk: int) -> Assignment | None:
    return (
        Assignment.objects.select_related(
            "reviewer__user",
            "application__call",
            "application__applicant",
            "application__territory",
            "application__theme",
        )
        .filter(pk=pk, application__call__program=program)
        .first()
    )


def review_rows(assignment: Assignment) -> list[CriterionRow]:
    """Each criterion of the call with this review's score and comment so far (2 queries)."""
    scores = {s.criterion_id: s for s in Score.objects.filter(assignment=assignment)}
    rows = []
    for criterion in Criterion.objects.filter(call_id=assignment.application.call_id).order_by(
        "position", "pk"
    ):
        score = scores.get(criterion.pk)
        rows.append(
            CriterionRow(
                criterion=criterion,
                value=score.value if score else None,
                comment=score.comment if score else "",
            )
        )
    return rows


def partner_names(application: Application) -> list[str]:
    return list(
        Partner.objects.filter(application=application)
        .order_by("organization__name")
        .values_list("organization__name", flat=True)
    )


def declaration_choices(call: Call, reviewer: CallReviewer) -> list[tuple[int, str]]:
    """(id, name) of the organizations in the call's submitted applications the reviewer has
    not declared a conflict with yet, by name."""
    from .services import call_organization_ids

    declared = ConflictDeclaration.objects.filter(reviewer=reviewer).values("organization_id")
    return list(
        Actor.objects.filter(pk__in=call_organization_ids(call))
        .exclude(pk__in=declared)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


def declarations_of(reviewer: CallReviewer) -> list[ConflictDeclaration]:
    return list(
        ConflictDeclaration.objects.filter(reviewer=reviewer)
        .select_related("organization")
        .order_by("-created_at", "-pk")
    )


# -- the coordinators' side -------------------------------------------------------------------


@dataclass
class PoolRow:
    reviewer: CallReviewer
    assigned: int
    done: int
    conflicts: int

    @property
    def name(self) -> str:
        return reviewer_name(self.reviewer.user)


def reviewer_name(user: User) -> str:
    return user.get_full_name() or user.email


def pool_rows(call: Call) -> list[PoolRow]:
    """The pool, active reviewers first, with their loads and conflicts (3 queries)."""
    reviewers = list(
        CallReviewer.objects.filter(call=call)
        .select_related("user", "organization")
        .order_by("-is_active", "user__first_name", "user__last_name", "user__email")
    )
    loads: dict[int, tuple[int, int]] = {
        reviewer_id: (assigned, done)
        for reviewer_id, assigned, done in Assignment.objects.filter(reviewer__call=call)
        .values("reviewer_id")
        .annotate(n=Count("pk"), d=Count("pk", filter=Q(submitted_at__isnull=False)))
        .values_list("reviewer_id", "n", "d")
    }
    conflicts = dict(
        Conflict.objects.filter(reviewer__call=call)
        .values("reviewer_id")
        .annotate(n=Count("application_id", distinct=True))
        .values_list("reviewer_id", "n")
    )
    return [
        PoolRow(
            reviewer=r,
            assigned=loads.get(r.pk, (0, 0))[0],
            done=loads.get(r.pk, (0, 0))[1],
            conflicts=conflicts.get(r.pk, 0),
        )
        for r in reviewers
    ]


def evaluators_outside_pool(call: Call) -> QuerySet[User]:
    """Users with the evaluator role in the call's program who are not active in its pool."""
    in_pool = CallReviewer.objects.filter(call=call, is_active=True).values("user_id")
    evaluators = ProgramRole.objects.filter(program_id=call.program_id, role=Role.EVALUATOR).values(
        "user_id"
    )
    return (
        User.objects.filter(pk__in=evaluators, is_active=True)
        .exclude(pk__in=in_pool)
        .order_by("first_name", "last_name", "email")
    )


def pool_organizations(program: Program) -> list[Actor]:
    return list(
        Actor.objects.organizations().filter(program=program).order_by("name").only("pk", "name")
    )


@dataclass
class ReviewCell:
    assignment: Assignment
    reviewer: str
    normalized: float | None = None
    conflicted: bool = False


@dataclass
class ApplicationRow:
    application: Application
    reviews: list[ReviewCell]
    needed: int
    score: scoring.ApplicationScore | None
    disqualified_by: list[str]
    # The application's page (set by the view when that page exists).
    url: str = ""

    @property
    def done(self) -> int:
        return sum(
            1 for c in self.reviews if c.assignment.submitted_at is not None and not c.conflicted
        )

    @property
    def assigned(self) -> int:
        return sum(1 for c in self.reviews if not c.conflicted)

    @property
    def short(self) -> int:
        return max(0, self.needed - self.assigned)

    @property
    def has_extra(self) -> bool:
        return any(c.assignment.is_extra and not c.conflicted for c in self.reviews)

    @property
    def flagged(self) -> list[ReviewCell]:
        return [c for c in self.reviews if c.conflicted]


@dataclass
class ReviewerProgress:
    reviewer: CallReviewer
    name: str
    assigned: int = 0
    done: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0


@dataclass
class ConflictRow:
    conflict: Conflict
    reviewer: str
    sentences: list[str]
    submitted: bool = False


@dataclass
class Overview:
    call: Call
    criteria: list[Criterion]
    applications: list[ApplicationRow]
    reviewers: list[ReviewerProgress]
    conflicts: list[ConflictRow]
    eligible: int

    @property
    def assigned(self) -> int:
        return sum(r.assigned for r in self.reviewers)

    @property
    def done(self) -> int:
        return sum(r.done for r in self.reviewers)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0

    @property
    def disagreements(self) -> int:
        return sum(1 for row in self.applications if row.score and row.score.disagreement)

    @property
    def short(self) -> int:
        return sum(1 for row in self.applications if row.short)

    @property
    def flagged(self) -> int:
        return sum(1 for c in self.conflicts if c.submitted)

    @property
    def max_load(self) -> int:
        return max((r.assigned for r in self.reviewers), default=0)


def overview(call: Call) -> Overview:
    """The coordinators' view of the call's reviews, in a fixed number of queries: progress by
    reviewer, each eligible application with its reviews and scores, and every conflict of
    interest in words."""
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    applications = list(
        Application.objects.eligible()
        .filter(call=call)
        .select_related("applicant")
        .order_by("reference")
    )
    assignments = list(
        Assignment.objects.filter(reviewer__call=call)
        .select_related("reviewer__user")
        .annotate(conflicted=_conflicted())
        .order_by("application_id", "pk")
    )
    specs = criterion_specs(criteria)
    reviews = counted_reviews(call, criteria)
    summaries = scoring.summarize(
        specs,
        reviews,
        normalize=call.normalize_scores,
        disagreement_threshold=float(call.disagreement_threshold),
    )
    raw = [
        (r.reviewer_id, r.application_id, scoring.review_total(specs, r.values)) for r in reviews
    ]
    normalized = scoring.normalized_totals(raw) if call.normalize_scores else {}
    names = {c.pk: c.name for c in criteria}

    by_application: dict[int, list[ReviewCell]] = defaultdict(list)
    progress: dict[int, ReviewerProgress] = {}
    for reviewer in CallReviewer.objects.filter(call=call, is_active=True).select_related("user"):
        progress[reviewer.pk] = ReviewerProgress(reviewer, reviewer_name(reviewer.user))
    extras: dict[int, int] = defaultdict(int)
    for assignment in assignments:
        conflicted = bool(assignment.conflicted)
        cell = ReviewCell(
            assignment=assignment,
            reviewer=reviewer_name(assignment.reviewer.user),
            normalized=normalized.get((assignment.reviewer_id, assignment.application_id)),
            conflicted=conflicted,
        )
        by_application[assignment.application_id].append(cell)
        if assignment.is_extra and not conflicted:
            extras[assignment.application_id] += 1
        row = progress.get(assignment.reviewer_id)
        if row is not None and not conflicted:
            row.assigned += 1
            row.done += assignment.submitted_at is not None
    rows = []
    for application in applications:
        summary = summaries.get(application.pk)
        rows.append(
            ApplicationRow(
                application=application,
                reviews=by_application.get(application.pk, []),
                needed=call.reviewers_per_application + extras[application.pk],
                score=summary,
                disqualified_by=[names[c] for c in summary.disqualified_by] if summary else [],
            )
        )
    submitted_pairs = {
        (a.reviewer_id, a.application_id) for a in assignments if a.submitted_at is not None
    }
    return Overview(
        call=call,
        criteria=criteria,
        applications=rows,
        reviewers=sorted(progress.values(), key=lambda r: (-r.assigned, r.name)),
        conflicts=conflict_rows(call, submitted_pairs),
        eligible=len(applications),
    )


# -- conflicts in words -----------------------------------------------------------------------


def intensity_label(value: Any) -> str:
    """An intensity's name in lower case ("coordination"), or the number if unknown."""
    try:
        return str(Intensity(value).label).lower()
    except ValueError:
        return str(value)


def _link_clause(link: str, reviewer: str, organization: str) -> str:
    if link == detector.WORKS_AT:
        return _("%(reviewer)s works at %(organization)s") % {
            "reviewer": reviewer,
            "organization": organization,
        }
    if link == detector.REPRESENTS:
        return _("%(reviewer)s speaks for %(organization)s") % {
            "reviewer": reviewer,
            "organization": organization,
        }
    return _("%(reviewer)s holds a governance seat for %(organization)s") % {
        "reviewer": reviewer,
        "organization": organization,
    }


def conflict_sentence(
    source: str,
    detail: Mapping[str, Any],
    *,
    reviewer: str,
    names: Mapping[int, str],
    bodies: Mapping[int, str],
) -> str:
    """One reason of a conflict of interest, in the reader's language."""
    unknown = _("an organization no longer in the directory")
    organization = names.get(detail.get("organization", 0), unknown)
    if source == detector.DECLARED:
        note = detail.get("note") or ""
        if detail.get("role") == detector.ROLE_PARTNER:
            text = _(
                "%(reviewer)s declared a conflict of interest with %(organization)s, a partner"
                " in the project"
            )
        else:
            text = _(
                "%(reviewer)s declared a conflict of interest with %(organization)s, the applicant"
            )
        text = text % {"reviewer": reviewer, "organization": organization}
        return _("%(text)s: “%(note)s”") % {"text": text, "note": note} if note else f"{text}."
    clause = _link_clause(detail.get("link", detector.WORKS_AT), reviewer, organization)
    if source == detector.APPLICANT:
        return _("%(clause)s, the applicant.") % {"clause": clause}
    if source == detector.PARTNER:
        return _("%(clause)s, a partner in the project.") % {"clause": clause}
    other = names.get(detail.get("via", 0), unknown)
    partner = detail.get("role") == detector.ROLE_PARTNER
    if source == detector.TIE:
        strength = intensity_label(detail.get("intensity"))
        if partner:
            return _(
                "%(clause)s, whose tie with %(other)s, a partner in the project, is of"
                " “%(strength)s” intensity."
            ) % {"clause": clause, "strength": strength, "other": other}
        return _(
            "%(clause)s, whose tie with the applicant, %(other)s, is of “%(strength)s” intensity."
        ) % {"clause": clause, "strength": strength, "other": other}
    body = bodies.get(detail.get("body", 0), _("a directorate"))
    if partner:
        return _("%(clause)s, which sits on %(body)s with %(other)s, a partner in the project.") % {
            "clause": clause,
            "body": body,
            "other": other,
        }
    return _("%(clause)s, which sits on %(body)s with the applicant, %(other)s.") % {
        "clause": clause,
        "body": body,
        "other": other,
    }


def _source_order(source: str) -> int:
    return detector.SOURCES.index(source) if source in detector.SOURCES else len(detector.SOURCES)


def _details(conflict: Conflict) -> list[dict[str, Any]]:
    detail = dict(conflict.detail or {})
    more = detail.pop("more", []) or []
    return [detail, *more]


def conflict_rows(
    call: Call, submitted_pairs: set[tuple[int, int]] | None = None
) -> list[ConflictRow]:
    """Every conflict of the call, by reviewer and application, with its reasons in words
    (3 queries)."""
    conflicts = list(
        Conflict.objects.filter(reviewer__call=call)
        .select_related("reviewer__user", "application__applicant")
        .order_by("reviewer_id", "application__reference")
    )
    conflicts.sort(key=lambda c: (c.reviewer_id, c.application.reference, _source_order(c.source)))
    organization_ids: set[int] = set()
    body_ids: set[int] = set()
    for conflict in conflicts:
        for detail in _details(conflict):
            organization_ids.update(x for x in (detail.get("organization"), detail.get("via")) if x)
            if detail.get("body"):
                body_ids.add(detail["body"])
    names = dict(Actor.objects.filter(pk__in=organization_ids).values_list("pk", "name"))
    bodies = (
        dict(Body.objects.filter(pk__in=body_ids).values_list("pk", "name")) if body_ids else {}
    )
    grouped: dict[tuple[int, int], ConflictRow] = {}
    for conflict in conflicts:
        name = reviewer_name(conflict.reviewer.user)
        key = (conflict.reviewer_id, conflict.application_id)
        row = grouped.get(key)
        if row is None:
            row = grouped[key] = ConflictRow(
                conflict=conflict,
                reviewer=name,
                sentences=[],
                submitted=submitted_pairs is not None and key in submitted_pairs,
            )
        for detail in _details(conflict):
            row.sentences.append(
                conflict_sentence(
                    conflict.source, detail, reviewer=name, names=names, bodies=bodies
                )
            )
    return list(grouped.values())
