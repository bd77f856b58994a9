"""Reads for the territory selection pages, each in a fixed number of queries however many
territories and criteria a scorecard has."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import formats

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.core.models import Program, Territory

from .. import scoring
from ..models import Candidate, Criterion, CriterionValue, Scorecard, ScorecardStatus

# Who counts as an active community organization of a territory.
ORGANIZATION_KINDS = (ActorKind.ORGANIZATION, ActorKind.INFORMAL_GROUP)
# Colours of the criteria in the score bars (gov-selection.css): cycled when there are more.
PALETTE_SIZE = 6


def scorecard_list(program: Program, *, include_drafts: bool) -> list[Scorecard]:
    """The program's scorecards, newest first, with how many territories each weighs and chose.
    Visitors see only decided ones."""
    scorecards = Scorecard.objects.filter(program=program)
    if not include_drafts:
        scorecards = scorecards.filter(status=ScorecardStatus.DECIDED)
    return list(
        scorecards.select_related("cycle")
        .annotate(
            candidate_count=Count("candidates", distinct=True),
            selected_count=Count("candidates", filter=Q(candidates__selected=True), distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def scorecard_get(program: Program, pk: int, *, include_drafts: bool) -> Scorecard:
    scorecards = Scorecard.objects.select_related("program", "cycle", "decided_by")
    if not include_drafts:
        scorecards = scorecards.filter(status=ScorecardStatus.DECIDED)
    return scorecards.get(program=program, pk=pk)


def criteria_of(scorecard: Scorecard) -> list[Criterion]:
    return list(scorecard.criteria.order_by("position", "pk"))


def candidates_of(scorecard: Scorecard) -> list[Candidate]:
    return list(scorecard.candidates.select_related("territory").order_by("territory__name", "pk"))


def values_of(scorecard: Scorecard) -> dict[tuple[int, int], CriterionValue]:
    """The scorecard's values by (candidate id, criterion id)."""
    return {
        (v.candidate_id, v.criterion_id): v
        for v in CriterionValue.objects.filter(candidate__scorecard=scorecard)
    }


def number_text(value: Decimal) -> str:
    """A stored value as the reader writes numbers, without trailing zeros (78,4 not 78,4000)."""
    return formats.number_format(Decimal(f"{value.normalize():f}"), use_l10n=True)


@dataclass
class Cell:
    criterion: Criterion
    value: CriterionValue | None
    contribution: scoring.Contribution
    colour: int = 0

    @property
    def display(self) -> str:
        return "" if self.value is None else number_text(self.value.value)


@dataclass
class Row:
    candidate: Candidate
    ranked: scoring.Ranked
    cells: list[Cell]
    in_top: bool
    moved: int = 0  # places gained (+) or lost (−) under the what-if weights
    entering: bool = False
    leaving: bool = False
    tied: bool = False  # shares its rank with another territory
    last_in_top: bool = False  # the cut: the rows below are outside the top N

    @property
    def moved_by(self) -> int:
        return abs(self.moved)

    @property
    def missing_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.value is None]

    @property
    def bar(self) -> list[tuple[int, scoring.Contribution, Criterion]]:
        """The score bar's segments: (colour index, contribution, criterion), the empty left out."""
        return [
            (index % PALETTE_SIZE, cell.contribution, cell.criterion)
            for index, cell in enumerate(self.cells)
            if cell.contribution.points > 0
        ]


@dataclass
class CriterionColumn:
    criterion: Criterion
    colour: int
    share: float  # of the total weight, 0–1, under the weights shown
    saved_share: float  # under the saved weights
    missing: int  # territories without a value

    @property
    def percent(self) -> float:
        return round(self.share * 100, 1)

    @property
    def saved_percent(self) -> float:
        return round(self.saved_share * 100, 1)


@dataclass
class Board:
    """A scorecard's ranking as the page shows it, under the saved weights or what-if ones."""

    scorecard: Scorecard
    columns: list[CriterionColumn]
    rows: list[Row]
    ranking: scoring.Ranking
    whatif: scoring.WhatIf | None = None
    weights: dict[int, float] = field(default_factory=dict)  # the weights shown, per criterion

    @property
    def top_n(self) -> int:
        return self.scorecard.seats_to_fill

    @property
    def saved_ranking(self) -> scoring.Ranking:
        return self.whatif.base if self.whatif else self.ranking

    @property
    def missing(self) -> int:
        return sum(column.missing for column in self.columns)

    @property
    def tied_at_cut(self) -> bool:
        return len(self.ranking.top(self.top_n)) > self.top_n


def scoring_inputs(
    criteria: Sequence[Criterion],
    candidates: Sequence[Candidate],
    values: Mapping[tuple[int, int], CriterionValue],
) -> tuple[list[scoring.Criterion], list[scoring.Candidate]]:
    return (
        [
            scoring.Criterion(key=c.pk, weight=float(c.weight), higher_is_better=c.higher_is_better)
            for c in criteria
        ],
        [
            scoring.Candidate(
                key=candidate.pk,
                label=candidate.territory.name,
                values={
                    c.pk: float(values[candidate.pk, c.pk].value)
                    for c in criteria
                    if (candidate.pk, c.pk) in values
                },
            )
            for candidate in candidates
        ],
    )


def scorecard_board(
    scorecard: Scorecard,
    *,
    weights: Mapping[int, float] | None = None,
    criteria: Sequence[Criterion] | None = None,
) -> Board:
    """The ranking under the saved weights or, with `weights`, under those (what-if).
    `criteria`: the scorecard's criteria when the caller has them already."""
    criteria = criteria_of(scorecard) if criteria is None else list(criteria)
    candidates = candidates_of(scorecard)
    values = values_of(scorecard)
    score_criteria, score_candidates = scoring_inputs(criteria, candidates, values)
    whatif = None
    if weights is not None:
        whatif = scoring.what_if(
            score_criteria, score_candidates, weights, top_n=scorecard.seats_to_fill
        )
        ranking, saved = whatif.alternative, whatif.base
    else:
        ranking = saved = scoring.rank(score_criteria, score_candidates)
    by_pk = {c.pk: c for c in candidates}
    entering = {r.key for r in whatif.entering} if whatif else set()
    leaving = {r.key for r in whatif.leaving} if whatif else set()
    top = {r.key for r in ranking.top(scorecard.seats_to_fill)}
    rows = []
    for ranked in ranking.rows:
        candidate = by_pk[ranked.key]  # type: ignore[index]
        rows.append(
            Row(
                candidate=candidate,
                ranked=ranked,
                cells=[
                    Cell(
                        criterion=criterion,
                        value=values.get((candidate.pk, criterion.pk)),
                        contribution=ranked.contributions[index],
                        colour=index % PALETTE_SIZE,
                    )
                    for index, criterion in enumerate(criteria)
                ],
                in_top=ranked.key in top,
                moved=whatif.moved(ranked.key) if whatif else 0,
                entering=ranked.key in entering,
                leaving=ranked.key in leaving,
            )
        )
    rank_counts: dict[int, int] = {}
    for row in rows:
        rank_counts[row.ranked.rank] = rank_counts.get(row.ranked.rank, 0) + 1
    for index, row in enumerate(rows):
        row.tied = rank_counts[row.ranked.rank] > 1
        row.last_in_top = row.in_top and (index + 1 == len(rows) or not rows[index + 1].in_top)
    columns = [
        CriterionColumn(
            criterion=criterion,
            colour=index % PALETTE_SIZE,
            share=ranking.weights[criterion.pk],
            saved_share=saved.weights[criterion.pk],
            missing=sum(1 for c in candidates if (c.pk, criterion.pk) not in values),
        )
        for index, criterion in enumerate(criteria)
    ]
    shown = {c.pk: float(c.weight) for c in criteria}
    if weights is not None:
        shown.update({k: float(v) for k, v in weights.items() if k in shown})
    return Board(
        scorecard=scorecard,
        columns=columns,
        rows=rows,
        ranking=ranking,
        whatif=whatif,
        weights=shown,
    )


def organization_counts(program: Program, territories: Iterable[Territory]) -> dict[int, int]:
    """Active community organizations per territory: the program's organizations and informal
    groups of the community sector based in, or serving, the territory or any place within it.

    Two queries whatever the number of territories: the actors' own places and the places they
    serve, matched against each territory's materialized path.
    """
    territories = list(territories)
    actors = Actor.objects.filter(
        program=program, kind__in=ORGANIZATION_KINDS, sector=Sector.COMMUNITY
    )
    places: dict[int, set[str]] = {}
    for actor_id, path in actors.filter(territory__isnull=False).values_list(
        "pk", "territory__path"
    ):
        places.setdefault(actor_id, set()).add(path)
    served = Actor.territories_served.through.objects.filter(
        actor__program=program,
        actor__kind__in=ORGANIZATION_KINDS,
        actor__sector=Sector.COMMUNITY,
    ).values_list("actor_id", "territory__path")
    for actor_id, path in served:
        places.setdefault(actor_id, set()).add(path)
    return {
        territory.pk: sum(
            1 for paths in places.values() if any(p.startswith(territory.path) for p in paths)
        )
        for territory in territories
    }


def selectable_territories(program: Program) -> QuerySet[Territory]:
    """Territories a scorecard may weigh: the program's own and every place within them, or the
    whole tree when the program has none yet."""
    paths = list(program.territories.values_list("path", flat=True))
    if not paths:
        return Territory.objects.order_by("path")
    within = Q()
    for path in paths:
        within |= Q(path__startswith=path)
    return Territory.objects.filter(within).order_by("path")


def area_territories() -> QuerySet[Territory]:
    """Territories whose places a scorecard may weigh all at once: countries, regions and
    municipalities (neighbourhoods have no places within)."""
    return Territory.objects.filter(level__lt=Territory.Level.NEIGHBOURHOOD).order_by("path")


def territories_at_level(root: Territory, level: int) -> QuerySet[Territory]:
    """The places of `level` within `root` (the root itself when it is of that level)."""
    return Territory.objects.filter(path__startswith=root.path, level=level).order_by("name")


def decision_rows(scorecard: Scorecard) -> list[dict[str, Any]]:
    """The ranking recorded with the decision, as stored (names as they were then)."""
    return list(scorecard.decision_snapshot.get("ranking", []))
