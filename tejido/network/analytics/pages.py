"""What the analytics pages show, shaped from the stored snapshots in a few queries each (no
query per actor, per row or per cycle beyond a handful), with every figure put into words."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.rules import can_view_people
from tejido.core.models import Cycle, Program, Territory, Theme

from ..analysis import BROKERAGE_ROLES
from ..models import (
    ActorMetrics,
    AnalysisRun,
    NetworkSnapshot,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)
from . import explain
from .graph import ties_at
from .selectors import METRIC_FIELDS, latest_snapshot

LIST_LIMIT = 12
OPPORTUNITIES_PER_PAGE = 20


def _url_maker(name: str, program: Program) -> Callable[[int], str]:
    """A fast `reverse()` for many actors of one program."""
    marker = 987654321
    head, tail = reverse(name, kwargs={"program": program.slug, "pk": marker}).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


@dataclass
class Figure:
    code: str
    name: str
    meaning: str
    advice: str
    value: str
    raw: Any = None


def figure(code: str, value: Any, table: Mapping[str, explain.Explanation]) -> Figure:
    text = table[code]
    return Figure(
        code,
        str(text.name),
        str(text.meaning),
        str(text.advice),
        explain.format_value(value, text.unit),
        value,
    )


@dataclass
class ActorItem:
    id: int
    name: str
    url: str
    sector: str
    sector_label: str
    detail: str = ""


@dataclass
class ActorList:
    code: str
    title: str
    meaning: str
    advice: str
    items: list[ActorItem]
    total: int


@dataclass
class ScopeTable:
    scope: str
    title: str
    columns: list[tuple[str, str, str]]  # code, name, meaning
    rows: list[tuple[str, list[tuple[str, str]]]]  # label, (column name, formatted value)


@dataclass
class Community:
    id: int
    size: int
    sectors: list[tuple[str, str, int]]  # code, label, count
    members: list[ActorItem]


@dataclass
class CriticalTie:
    a: ActorItem
    b: ActorItem


@dataclass
class Overview:
    snapshot: NetworkSnapshot
    stage: str
    stage_text: explain.Explanation
    figures: list[Figure]
    tables: list[ScopeTable]
    lists: list[ActorList] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)
    critical_ties: list[CriticalTie] = field(default_factory=list)
    critical_tie_count: int = 0
    people_hidden: bool = False
    named: bool = False  # the viewer may see which actors are which (members)


def _scope(summary: Mapping[str, Any], scope: str, key: str = "") -> dict[str, Any] | None:
    for entry in summary.get("networks", ()):
        if entry.get("scope") == scope and str(entry.get("key", "")) == key:
            return dict(entry)
    return None


def _value(entry: Mapping[str, Any] | None, code: str) -> Any:
    if entry is None:
        return None
    if code in entry.get("metrics", {}):
        return entry["metrics"][code]
    return entry.get("actors", {}).get(code)


def _names_of_places(summary: Mapping[str, Any]) -> tuple[dict[int, str], dict[int, str]]:
    territory_ids, theme_ids = set(), set()
    for entry in summary.get("networks", ()):
        if entry.get("scope") == "territory":
            territory_ids.add(int(entry["key"]))
        elif entry.get("scope") == "theme":
            theme_ids.add(int(entry["key"]))
    territories = dict(Territory.objects.filter(pk__in=territory_ids).values_list("pk", "name"))
    return territories, theme_labels(theme_ids)


def theme_labels(ids: Iterable[int]) -> dict[int, str]:
    return {
        theme.pk: theme.label
        for theme in Theme.objects.filter(pk__in=set(ids)).only("pk", "name", "transition")
    }


def _scope_tables(summary: Mapping[str, Any]) -> list[ScopeTable]:
    territories, themes = _names_of_places(summary)
    columns = [
        (code, str(explain.NETWORK_FIGURES[code].name), str(explain.NETWORK_FIGURES[code].meaning))
        for code in explain.SCOPE_COLUMNS
    ]
    tables = []
    for scope, title in explain.SCOPES.items():
        rows = []
        for entry in summary.get("networks", ()):
            if entry.get("scope") != scope:
                continue
            label = explain.scope_label(scope, str(entry["key"]), territories, themes)
            values = [
                (
                    name,
                    explain.format_value(_value(entry, code), explain.NETWORK_FIGURES[code].unit),
                )
                for code, name, _meaning in columns
            ]
            rows.append((label, values))
        if rows:
            tables.append(ScopeTable(scope, str(title), columns, rows))
    return tables


def _metrics_of(snapshot: NetworkSnapshot, people_hidden: bool) -> QuerySet[ActorMetrics]:
    rows = ActorMetrics.objects.filter(snapshot=snapshot)
    if people_hidden:
        rows = rows.exclude(actor__kind=ActorKind.PERSON)
    return rows


def _item(
    row: Mapping[str, Any], url: Callable[[int], str], sectors: Mapping[str, str]
) -> ActorItem:
    return ActorItem(
        row["actor_id"],
        row["actor__name"],
        url(row["actor_id"]),
        row["actor__sector"],
        sectors.get(row["actor__sector"], ""),
    )


def network_overview(program: Program, user: Any, snapshot: NetworkSnapshot) -> Overview:
    """The network page: stage, key figures, the tables per scope and, for the program's
    members, the lists that name actors (brokers, isolated, peripheral, critical)."""
    summary = snapshot.summary or {}
    whole = _scope(summary, "all")
    stage = str(_value(whole, "stage") or "")
    figures = [
        figure(code, _value(whole, code), explain.NETWORK_FIGURES) for code in explain.KEY_FIGURES
    ]
    overview = Overview(
        snapshot=snapshot,
        stage=stage,
        stage_text=explain.STAGE_TEXTS.get(stage, explain.STAGE_TEXTS["fragmented"]),
        figures=figures,
        tables=_scope_tables(summary),
        critical_tie_count=int(summary.get("bridge_count", 0)),
    )
    if not user.has_perm("network.view_actor_analysis", program):
        return overview
    overview.named = True
    people_hidden = not can_view_people(user, program)
    overview.people_hidden = people_hidden
    url = _url_maker("network:actor", program)
    sectors = {code: str(label) for code, label in Sector.choices}
    metrics = _metrics_of(snapshot, people_hidden)
    # The same threshold as the key figure "Brokers" (stored with the snapshot).
    broker_threshold = float(summary.get("broker_threshold", 0.05))
    counts = metrics.aggregate(
        brokers=Count("pk", filter=Q(betweenness__gte=broker_threshold)),
        isolates=Count("pk", filter=Q(is_isolate=True)),
        peripheral=Count("pk", filter=Q(is_peripheral=True)),
        critical=Count("pk", filter=Q(is_critical=True)),
    )
    columns = ("actor_id", "actor__name", "actor__sector", "betweenness", "degree")
    lists = (
        (
            "brokers",
            Q(betweenness__gte=broker_threshold),
            ("-betweenness", "actor__name"),
            "betweenness",
        ),
        ("critical", Q(is_critical=True), ("-betweenness", "actor__name"), "betweenness"),
        ("isolates", Q(is_isolate=True), ("actor__name",), None),
        ("peripheral", Q(is_peripheral=True), ("degree", "actor__name"), "degree"),
    )
    for code, condition, order, detail in lists:
        items = []
        for row in metrics.filter(condition).order_by(*order).values(*columns)[:LIST_LIMIT]:
            item = _item(row, url, sectors)
            if detail:
                text = explain.ACTOR_INDICATORS[detail]
                item.detail = f"{text.name}: {explain.format_value(row[detail], text.unit)}"
            items.append(item)
        text = explain.NETWORK_FIGURES[code]
        overview.lists.append(
            ActorList(
                code, str(text.name), str(text.meaning), str(text.advice), items, counts[code]
            )
        )
    overview.communities = _communities(summary, metrics, url, sectors)
    overview.critical_ties = _critical_ties(summary, program, people_hidden, url, sectors)
    return overview


def _communities(
    summary: Mapping[str, Any],
    metrics: QuerySet[ActorMetrics],
    url: Callable[[int], str],
    sectors: Mapping[str, str],
    shown: int = 8,
    members: int = 3,
) -> list[Community]:
    stored = list(summary.get("communities", ()))[:shown]
    if not stored:
        return []
    ids = [int(c["id"]) for c in stored]
    # The best-connected members of each community, in one query.
    ranked = (
        metrics.filter(community__in=ids, is_isolate=False)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("community")],
                order_by=[F("degree").desc(), F("actor__name").asc()],
            )
        )
        .filter(rank__lte=members)
        .values("community", "actor_id", "actor__name", "actor__sector")
    )
    by_community: dict[int, list[ActorItem]] = {}
    for row in ranked:
        if row["community"] is not None:
            by_community.setdefault(row["community"], []).append(_item(row, url, sectors))
    return [
        Community(
            int(c["id"]),
            int(c["size"]),
            [(code, sectors.get(code, code), int(n)) for code, n in c.get("sectors", {}).items()][
                :3
            ],
            by_community.get(int(c["id"]), []),
        )
        for c in stored
    ]


def _critical_ties(
    summary: Mapping[str, Any],
    program: Program,
    people_hidden: bool,
    url: Callable[[int], str],
    sectors: Mapping[str, str],
    shown: int = LIST_LIMIT,
) -> list[CriticalTie]:
    pairs = [(int(a), int(b)) for a, b in summary.get("bridges", ())]
    actors = Actor.objects.filter(program=program, pk__in={i for pair in pairs for i in pair})
    if people_hidden:
        actors = actors.exclude(kind=ActorKind.PERSON)
    known = {
        pk: ActorItem(pk, name, url(pk), sector, sectors.get(sector, ""))
        for pk, name, sector in actors.values_list("pk", "name", "sector")
    }
    ties = [CriticalTie(known[a], known[b]) for a, b in pairs if a in known and b in known]
    return ties[:shown]


# --- the actor profile's panel ---------------------------------------------------------------


@dataclass
class ActorPanel:
    snapshot: NetworkSnapshot | None
    figures: list[Figure] = field(default_factory=list)
    percentiles: dict[str, int] = field(default_factory=dict)
    roles: list[Figure] = field(default_factory=list)
    flags: list[Figure] = field(default_factory=list)
    community: Community | None = None
    suggestions: list[OpportunityRow] = field(default_factory=list)
    suggestions_url: str = ""


PANEL_FIGURES = (
    "degree",
    "two_step_reach",
    "betweenness",
    "effective_size",
    "constraint",
    "bonding",
    "bridging",
    "linking",
    "coreness",
)
# Figures compared with the rest of the network ("more than 80 % of the actors").
COMPARED = ("degree", "two_step_reach", "betweenness", "effective_size")


def actor_panel(actor: Actor, user: Any, *, suggestions: int = 3) -> ActorPanel | None:
    """An actor's indicators for its profile, or None for viewers who may not see them."""
    program = actor.program
    if not user.has_perm("network.view_actor_analysis", program):
        return None
    snapshot = latest_snapshot(program)
    panel = ActorPanel(snapshot)
    if snapshot is None:
        return panel
    row = ActorMetrics.objects.filter(snapshot=snapshot, actor=actor).values(*METRIC_FIELDS).first()
    if row is None:
        return panel
    panel.figures = [figure(code, row[code], explain.ACTOR_INDICATORS) for code in PANEL_FIGURES]
    comparison = ActorMetrics.objects.filter(snapshot=snapshot).aggregate(
        total=Count("pk"),
        **{
            f"below_{code}": Count("pk", filter=Q(**{f"{code}__lt": row[code]}))
            for code in COMPARED
        },
    )
    if comparison["total"] > 1:
        panel.percentiles = {
            code: round(100 * comparison[f"below_{code}"] / (comparison["total"] - 1))
            for code in COMPARED
        }
    for figure_ in panel.figures:
        figure_.raw = panel.percentiles.get(figure_.code)
    panel.roles = [
        figure(role, row[role], explain.ACTOR_INDICATORS) for role in BROKERAGE_ROLES if row[role]
    ]
    panel.flags = [
        figure(flag, True, explain.ACTOR_INDICATORS)
        for flag in ("is_isolate", "is_peripheral", "is_critical")
        if row[flag]
    ]
    if row["community"] is not None and not row["is_isolate"]:
        stored = next(
            (
                c
                for c in snapshot.summary.get("communities", ())
                if int(c["id"]) == row["community"]
            ),
            None,
        )
        if stored is not None:
            sectors = {code: str(label) for code, label in Sector.choices}
            panel.community = Community(
                int(stored["id"]),
                int(stored["size"]),
                [
                    (code, sectors.get(code, code), int(n))
                    for code, n in stored.get("sectors", {}).items()
                ][:3],
                [],
            )
    if user.has_perm("network.view_opportunities", program):
        rows = opportunity_queryset(program, user).filter(
            Q(actor_a=actor) | Q(actor_b=actor), status=OpportunityStatus.OPEN
        )[:suggestions]
        panel.suggestions = opportunity_rows(program, list(rows), user, focus=actor.pk)
        panel.suggestions_url = reverse(
            "network:actor_opportunities", kwargs={"program": program.slug, "pk": actor.pk}
        )
    return panel


# --- suggested introductions -----------------------------------------------------------------


@dataclass
class OpportunityRow:
    opportunity: Opportunity
    a: ActorItem
    b: ActorItem
    kind_label: str
    kind_advice: str
    reasons: list[str]
    status_label: str
    partner: ActorItem | None = None  # on an actor's page: the other one


def opportunity_queryset(program: Program, user: Any) -> QuerySet[Opportunity]:
    rows = Opportunity.objects.filter(program=program).select_related(
        "actor_a", "actor_b", "actor_a__territory", "tie"
    )
    if not can_view_people(user, program):
        rows = rows.exclude(actor_a__kind=ActorKind.PERSON).exclude(actor_b__kind=ActorKind.PERSON)
    return rows.order_by("-score", "id")


def filtered_opportunities(
    program: Program,
    user: Any,
    *,
    kind: str = "",
    status: str = OpportunityStatus.OPEN,
    territory: Territory | None = None,
    actor: Actor | None = None,
) -> QuerySet[Opportunity]:
    rows = opportunity_queryset(program, user)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if territory is not None:
        rows = rows.filter(
            Q(actor_a__territory__path__startswith=territory.path)
            | Q(actor_b__territory__path__startswith=territory.path)
        )
    if actor is not None:
        rows = rows.filter(Q(actor_a=actor) | Q(actor_b=actor))
    return rows


def opportunity_rows(
    program: Program, opportunities: Sequence[Opportunity], user: Any, *, focus: int | None = None
) -> list[OpportunityRow]:
    """Each suggestion with its reasons in sentences; names loaded in two queries for all."""
    reasons = [r for o in opportunities for r in o.reasons or ()]
    mentioned = explain.reason_actor_ids(reasons)
    people_hidden = not can_view_people(user, program)
    names_query = Actor.objects.filter(program=program, pk__in=mentioned)
    if people_hidden:
        names_query = names_query.exclude(kind=ActorKind.PERSON)
    names = dict(names_query.values_list("pk", "name"))
    themes = theme_labels(explain.reason_theme_ids(reasons)) if reasons else {}
    url = _url_maker("network:actor", program)
    sectors = {code: str(label) for code, label in Sector.choices}
    kinds = dict(OpportunityKind.choices)
    statuses = dict(OpportunityStatus.choices)
    rows = []
    for o in opportunities:
        a, b = o.actor_a, o.actor_b
        pair_names = {**names, a.pk: a.name, b.pk: b.name}
        same_place = a.territory_id is not None and a.territory_id == b.territory_id
        ctx = explain.ReasonContext(
            actors=pair_names,
            themes=themes,
            a=a.pk,
            b=b.pk,
            place=a.territory.name if same_place and a.territory else "",
        )
        item_a = ActorItem(a.pk, a.name, url(a.pk), a.sector, sectors.get(a.sector, ""))
        item_b = ActorItem(b.pk, b.name, url(b.pk), b.sector, sectors.get(b.sector, ""))
        sentences = list(dict.fromkeys(explain.reason_sentence(r, ctx) for r in o.reasons or ()))
        rows.append(
            OpportunityRow(
                opportunity=o,
                a=item_a,
                b=item_b,
                kind_label=str(kinds.get(o.kind, o.kind)),
                kind_advice=str(explain.KIND_ADVICE.get(o.kind, "")),
                reasons=sentences,
                status_label=str(statuses.get(o.status, o.status)),
                partner=(item_b if focus == a.pk else item_a) if focus else None,
            )
        )
    return rows


def opportunity_page(rows: QuerySet[Opportunity], number: int) -> Page:
    return Paginator(rows, OPPORTUNITIES_PER_PAGE).get_page(number)


# --- evolution by cycle ----------------------------------------------------------------------

EVOLUTION_FIGURES = (
    "size",
    "ties",
    "cross_sector_share",
    "mean_reach",
    "brokers",
    "communities",
    "isolates",
    "components",
)


@dataclass
class CycleColumn:
    cycle: Cycle
    snapshot: NetworkSnapshot | None
    values: dict[str, Any] = field(default_factory=dict)
    new_ties: int | None = None
    lost_ties: int | None = None
    brought_in: int | None = None


@dataclass
class EvolutionRow:
    code: str
    name: str
    meaning: str
    values: list[str]


@dataclass
class Evolution:
    columns: list[CycleColumn]
    baseline: CycleColumn | None
    rows: list[EvolutionRow]
    chart: dict[str, Any]
    missing: list[Cycle]  # cycles that have started but have no snapshot yet
    territories: list[tuple[int, str]]


def latest_cycle_snapshots(program: Program) -> dict[int, NetworkSnapshot]:
    """Cycle id → its latest snapshot, in two queries whatever the number of snapshots."""
    latest: dict[int, int] = {}
    for pk, cycle_id in (
        NetworkSnapshot.objects.filter(program=program, cycle__isnull=False)
        .order_by("cycle_id", "-computed_at", "-id")
        .values_list("pk", "cycle_id")
    ):
        latest.setdefault(cycle_id, pk)
    snapshots = NetworkSnapshot.objects.filter(pk__in=latest.values())
    return {s.cycle_id: s for s in snapshots if s.cycle_id is not None}


def _tie_key_exists(program: Program, cycle: Cycle) -> Exists:
    return Exists(
        ties_at(program, cycle).filter(
            source_id=OuterRef("source_id"),
            target_id=OuterRef("target_id"),
            tie_type=OuterRef("tie_type"),
        )
    )


def _in_territory(prefix: str, territory: Territory | None) -> Q:
    if territory is None:
        return Q()
    return Q(**{f"{prefix}source__territory__path__startswith": territory.path}) | Q(
        **{f"{prefix}target__territory__path__startswith": territory.path}
    )


def evolution(program: Program, *, territory: Territory | None = None) -> Evolution:
    """The program's network cycle by cycle, compared with the baseline (the first cycle with
    figures); for one territory when given."""
    today_cycles = list(Cycle.objects.filter(program=program).order_by("number"))
    snapshots = latest_cycle_snapshots(program)
    columns = [CycleColumn(c, snapshots.get(c.pk)) for c in today_cycles]
    computed = [c for c in columns if c.snapshot is not None]
    baseline = computed[0] if computed else None
    scope, key = ("territory", str(territory.pk)) if territory else ("all", "")
    for column in computed:
        assert column.snapshot is not None
        entry = _scope(column.snapshot.summary or {}, scope, key)
        column.values = {code: _value(entry, code) for code in EVOLUTION_FIGURES}
    if baseline is not None:
        base_cycle = baseline.cycle
        for column in computed:
            if column is baseline:
                column.new_ties = column.lost_ties = column.brought_in = 0
                continue
            later = ties_at(program, column.cycle).filter(_in_territory("", territory))
            earlier = ties_at(program, base_cycle).filter(_in_territory("", territory))
            column.new_ties = later.exclude(_tie_key_exists(program, base_cycle)).count()
            column.lost_ties = earlier.exclude(_tie_key_exists(program, column.cycle)).count()
            isolated_then = ActorMetrics.objects.filter(
                snapshot=baseline.snapshot, is_isolate=True
            ).values("actor_id")
            brought = ActorMetrics.objects.filter(
                snapshot=column.snapshot, is_isolate=False, actor_id__in=isolated_then
            )
            if territory is not None:
                brought = brought.filter(actor__territory__path__startswith=territory.path)
            column.brought_in = brought.count()
    rows = [
        EvolutionRow(
            code,
            str(explain.NETWORK_FIGURES[code].name),
            str(explain.NETWORK_FIGURES[code].meaning),
            [
                explain.format_value(c.values.get(code), explain.NETWORK_FIGURES[code].unit)
                if c.snapshot
                else "—"
                for c in columns
            ],
        )
        for code in EVOLUTION_FIGURES
    ]
    for code, name, meaning, attr in (
        (
            "new_ties",
            _("New ties since the baseline"),
            _("Ties that did not exist in the baseline cycle."),
            "new_ties",
        ),
        (
            "lost_ties",
            _("Ties lost since the baseline"),
            _("Ties of the baseline cycle that no longer exist."),
            "lost_ties",
        ),
        (
            "brought_in",
            _("Isolated actors brought in"),
            _("Actors without ties in the baseline who now have some."),
            "brought_in",
        ),
    ):
        rows.append(
            EvolutionRow(
                code,
                name,
                meaning,
                [
                    explain.format_value(getattr(c, attr), "count") if c.snapshot else "—"
                    for c in columns
                ],
            )
        )
    chart = {
        "labels": [str(c.cycle) for c in computed],
        "counts": {
            "label": _("Brokers, communities and isolated actors"),
            "series": [
                *(
                    {
                        "label": str(explain.NETWORK_FIGURES[code].name),
                        "data": [c.values.get(code) for c in computed],
                    }
                    for code in ("brokers", "communities", "isolates")
                ),
                {
                    "label": str(_("Isolated actors brought in")),
                    "data": [c.brought_in for c in computed],
                },
            ],
        },
        "shares": {
            "label": _("Cross-sector ties and reach (%)"),
            "series": [
                {
                    "label": str(explain.NETWORK_FIGURES[code].name),
                    "data": [
                        None
                        if c.values.get(code) is None
                        else round(100 * float(c.values[code]), 1)
                        for c in computed
                    ],
                }
                for code in ("cross_sector_share", "mean_reach")
            ],
        },
        "ties": {
            "label": _("Ties, and changes since the baseline"),
            "series": [
                {
                    "label": str(explain.NETWORK_FIGURES["ties"].name),
                    "data": [c.values.get("ties") for c in computed],
                },
                {"label": str(_("New ties")), "data": [c.new_ties for c in computed]},
                {"label": str(_("Lost ties")), "data": [c.lost_ties for c in computed]},
            ],
        },
    }
    today = timezone.localdate()
    missing = [c.cycle for c in columns if c.snapshot is None and c.cycle.starts_on <= today]
    territories: list[tuple[int, str]] = []
    latest = computed[-1].snapshot if computed else None
    if latest is not None:
        keys = [
            int(e["key"])
            for e in latest.summary.get("networks", ())
            if e.get("scope") == "territory"
        ]
        names = dict(Territory.objects.filter(pk__in=keys).values_list("pk", "name"))
        territories = sorted(((k, names[k]) for k in keys if k in names), key=lambda t: t[1])
    return Evolution(columns, baseline, rows, chart, missing, territories)


def runs_in_progress(program: Program) -> list[AnalysisRun]:
    from ..models import AnalysisStatus

    return list(
        AnalysisRun.objects.filter(
            program=program, status__in=(AnalysisStatus.QUEUED, AnalysisStatus.RUNNING)
        )
        .select_related("cycle")
        .order_by("requested_at", "id")
    )
