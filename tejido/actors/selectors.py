"""Reads of the actor registry shaped for pages: the directory with its facets, territory pages.

The directory must stay fast with 100,000 actors in a program, on SQLite and PostgreSQL, with a
fixed number of queries whatever the data size (eight, nine with a text search). How:

* One grouped query over (sector, kind, base territory), the "cube", gives after a little
  arithmetic in Python the sector, kind and territory facets and the number of results: no
  COUNT(*), no scan per facet. Without a text search it reads only the (program, sector, kind,
  territory) index.
* Facets are disjunctive: the counts of a facet apply every filter except the facet's own, so a
  reader who picked "Community" still sees how many "Public" actors they would add.
* Theme counts need one look-up per actor; above THEME_COUNT_EXACT_LIMIT actors they are
  estimated from an evenly spread sample and marked as approximate. Everything else is exact.
* A text search is a substring match on `Actor.search_text` (lower case, no accents). A first
  query fetches the ids of up to TEXT_MATCH_CAP matches: a rare word is then answered by id
  without reading the table again; a common word is filtered again in each query, which the
  indexes below keep to index-only scans.

Indexes this relies on (see the actors model): (program, sector, kind, territory) for the cube,
and on SQLite (program, sector, kind, territory, search_text) and (program, name, id, kind,
search_text) so that text filters, the cube and the name order never touch the table (kind:
see below); on PostgreSQL a trigram index on search_text finds rare words without a scan, and
the facet index carries the id and the themes table has (theme, actor) (migration 0005) so that
the cube of the selected themes and the theme counts read indexes only.
* The page is read as 25 ids in name order, then those 25 rows with their territory and themes.

People are shown only to those who may see them (`actors.view_people`: the program's members).
For everyone else every read here starts from `Actor.objects.visible_to(user, program)`, which
leaves them out: one more condition on `kind`, a column of each index above (migration 0004
added it to the name index), so the queries and their plans stay the same. Counts of people are
then shown only in aggregate, and only from PEOPLE_COUNT_MIN up (`people_count_public`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OrderBy, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from tejido.core.models import Program, Territory, Theme
from tejido.core.pagination import CountedPage
from tejido.core.text import normalize_for_search

from .models import Actor, ActorKind, Representative, Sector
from .rules import can_view_people as can_view_people  # re-exported for other apps' selectors

DIRECTORY_PAGE_SIZE = 25
# A query is split into words that must all appear; more words than this only cost time.
MAX_QUERY_WORDS = 8
# A text search matching at most this many actors is answered by id after one scan.
TEXT_MATCH_CAP = 2_000
# Theme counts need one look-up per actor. Above this many actors they are estimated from a
# sample of this size (shown as approximate) so that a whole large program stays fast.
THEME_COUNT_EXACT_LIMIT = 5_000

# A count of people shown to someone who may not see people is suppressed below this: a count of
# one or two points at individuals. The same threshold as sensitive aggregates (DESIGN §5).
PEOPLE_COUNT_MIN = 5

ActorThemes = Actor.themes.through
ActorServes = Actor.territories_served.through


# ---------------------------------------------------------------------------------------------
# Who sees people


def visible_actors(program: Program, user: Any) -> QuerySet[Actor]:
    """The actors of `program` that `user` may see (people only with `actors.view_people`)."""
    return Actor.objects.visible_to(user, program)


def people_count_public(count: int) -> int | None:
    """A count of people as it may be shown to someone who may not see people: the count from
    PEOPLE_COUNT_MIN up, None (say nothing, not even "fewer than five") below."""
    return count if count >= PEOPLE_COUNT_MIN else None


# ---------------------------------------------------------------------------------------------
# Directory: input and output


@dataclass(frozen=True)
class DirectoryFilters:
    """What the reader narrowed the directory to. Values are codes and slugs, as in the URL.

    Within a facet the values are alternatives (OR); facets combine with AND. `territory` is one
    territory slug and includes its whole subtree.
    """

    sectors: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    territory: str = ""
    themes: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.sectors or self.kinds or self.territory or self.themes)


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False
    # Territory options are drawn as a tree: 0 for "all", 1 for the top shown level, +1 below.
    depth: int = 0
    sector: str = ""  # sector options carry their code for the colour swatch
    # Counts of a very large set may be estimated from a sample (theme facet only).
    approximate: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption] = field(default_factory=list)

    @property
    def selected_count(self) -> int:
        return sum(1 for option in self.options if option.selected and option.value)


@dataclass
class DirectoryPage(CountedPage):
    """One page of results. The total comes from the facet query, so it costs no COUNT(*)."""

    actors: list[Actor]


@dataclass
class Directory:
    page: DirectoryPage
    sector: Facet
    kind: Facet
    territory: Facet
    theme: Facet
    # The territory the reader filtered by (None if none or unknown).
    selected_territory: Territory | None = None
    query: str = ""
    filters: DirectoryFilters = field(default_factory=DirectoryFilters)

    @property
    def facets(self) -> list[Facet]:
        return [self.sector, self.kind, self.territory, self.theme]


# ---------------------------------------------------------------------------------------------
# Directory: the selector


def search_words(query: str) -> list[str]:
    """The words of a query, normalized as `Actor.search_text` is (no case, no accents).

    Single characters are dropped: contained in nearly every name, they narrow nothing and
    would only cost a scan.
    """
    words = [word for word in normalize_for_search(query).split() if len(word) > 1]
    return words[:MAX_QUERY_WORDS]


def actor_search(queryset: QuerySet[Actor], query: str | Sequence[str]) -> QuerySet[Actor]:
    """Actors whose name, legal form or description contain every word of `query`."""
    words = search_words(query) if isinstance(query, str) else query
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def actor_directory(
    *,
    program: Program,
    viewer: Any,
    query: str = "",
    filters: DirectoryFilters | None = None,
    page: int = 1,
    page_size: int = DIRECTORY_PAGE_SIZE,
    descending: bool = False,
) -> Directory:
    """One page of a program's actor directory with its facet counts.

    `query` is free text, matched accent- and case-insensitively against name, legal form and
    description; every word of two letters or more must appear. `filters` narrows by sector,
    kind, territory (with its subtree) and theme; unknown codes and slugs are ignored. `page`
    is 1-based and clamped to the last page. Results are sorted by name (Z to A when
    `descending`).

    People are listed, counted and searched only for a `viewer` who may see them; for anyone
    else they are not in the results nor in any facet count (the "person" kind disappears).

    Eight queries, plus one for a text search and one for a theme filter: themes, [text
    matches], cube, [cube of the selected themes], territories, theme counts, page ids, page
    rows, their themes (the last three only when something matches).
    """
    filters = filters or DirectoryFilters()
    themes = sorted(Theme.objects.all(), key=lambda t: (not t.transition, t.label.casefold()))
    kinds = set(ActorKind.values) if can_view_people(viewer, program) else _PUBLIC_KINDS
    selection = _Selection(
        sectors={s for s in filters.sectors if s in Sector.values},
        kinds={k for k in filters.kinds if k in kinds},
        theme_ids={t.pk for t in themes if t.slug in filters.themes},
    )

    in_program: QuerySet[Actor] = visible_actors(program, viewer)
    many = False
    actors = in_program
    sample_from = in_program
    words = search_words(query)
    if words:
        sample_from = actor_search(in_program, words)
        ids = list(sample_from.order_by().values_list("pk", flat=True)[: TEXT_MATCH_CAP + 1])
        # Few matches: everything else is read by id. Many: by the text filter, which the
        # (program, sector, kind, territory, search_text) index answers without the table.
        many = len(ids) > TEXT_MATCH_CAP
        actors = sample_from if many else Actor.objects.filter(pk__in=ids)

    # 1. The cube, read from the (program, sector, kind, territory) index alone. With a theme
    # filter, a second one counts the actors having a selected theme, reached from the theme
    # side (a few thousand look-ups rather than a membership test on every actor).
    with_theme = ActorThemes.objects.filter(theme_id__in=selection.theme_ids).values("actor_id")
    cube: list[CubeRow] = [
        (sector, kind, territory_id, n, n) for sector, kind, territory_id, n in _grouped(actors)
    ]
    if selection.theme_ids:
        themed = {
            (sector, kind, territory_id): n
            for sector, kind, territory_id, n in _grouped(actors.filter(pk__in=with_theme))
        }
        cube = [(s, k, t, n_all, themed.get((s, k, t), 0)) for s, k, t, n_all, _n in cube]

    # 2. Territories, to roll counts up the hierarchy and to resolve the selected one.
    places = _places()
    selected = next((p for p in places.values() if p.slug == filters.territory), None)
    if filters.territory and selected is not None:
        selection.territory_ids = {
            pk for pk, p in places.items() if p.path.startswith(selected.path)
        }
    counts = _count_cube(cube, selection, places)

    # 3. Theme counts over the actors passing every other filter.
    narrowed = _narrow(actors, selection)
    approximate = counts.untheme_total > THEME_COUNT_EXACT_LIMIT
    base = narrowed.order_by().values("pk")
    if approximate:
        # The first ids of the (same) set in id order: a plain filter stops at the limit.
        base = _narrow(sample_from, selection).order_by("pk").values("pk")[:THEME_COUNT_EXACT_LIMIT]
    theme_counts: dict[int, int] = dict(
        ActorThemes.objects.filter(actor_id__in=base)
        .order_by()
        .values_list("theme_id")
        # COUNT(*), not of the through table's id: the (actor, theme) index alone answers it.
        .annotate(n=Count("*"))
        .values_list("theme_id", "n")  # type: ignore[misc]  # the stubs miss the annotation
    )
    if approximate:
        scale = counts.untheme_total / THEME_COUNT_EXACT_LIMIT
        theme_counts = {pk: _round_estimate(n * scale) for pk, n in theme_counts.items()}

    # 4. The page: 25 ids in name order, then those rows with their territory and themes.
    total = counts.total
    number = min(max(1, page), max(1, math.ceil(total / page_size)))
    start = (number - 1) * page_size
    name: Concat | str = "name"
    if many:
        # Sorting an expression of the name (the same order) makes the database collect the
        # matches and sort them, instead of walking the name index and reading row after row
        # until enough match: common words cluster ("Junta de Vecinos ...") and that walk can
        # read most of the table first.
        name = Concat("name", Value(""))
    ordering = (
        (OrderBy(_expression(name), descending=True), "-id")
        if descending
        else (OrderBy(_expression(name)), "id")
    )
    results = narrowed.filter(pk__in=with_theme) if selection.theme_ids else narrowed
    page_actors: list[Actor] = []
    if total:
        page_ids = list(
            results.order_by(*ordering).values_list("pk", flat=True)[start : start + page_size]
        )
        by_id = (
            Actor.objects.select_related("territory").prefetch_related("themes").in_bulk(page_ids)
        )
        page_actors = [by_id[pk] for pk in page_ids if pk in by_id]

    sectors, kinds, theme_ids = selection.sectors, selection.kinds, selection.theme_ids
    return Directory(
        page=DirectoryPage(actors=page_actors, number=number, page_size=page_size, count=total),
        sector=Facet(
            "sector",
            str(_("Sector")),
            [
                FacetOption(code, str(label), counts.sector[code], code in sectors, sector=code)
                for code, label in Sector.choices
                if counts.sector.get(code) or code in sectors
            ],
        ),
        kind=Facet(
            "kind",
            str(_("Kind")),
            [
                FacetOption(code, str(label), counts.kind[code], code in kinds)
                for code, label in ActorKind.choices
                if counts.kind.get(code) or code in kinds
            ],
        ),
        territory=Facet(
            "territory",
            str(_("Territory")),
            _territory_options(places, counts.territory, selected),
        ),
        theme=Facet(
            "theme",
            str(_("Theme")),
            [
                FacetOption(
                    t.slug,
                    t.label,
                    theme_counts.get(t.pk, 0),
                    t.pk in theme_ids,
                    approximate=approximate,
                )
                for t in themes
                if theme_counts.get(t.pk) or t.pk in theme_ids
            ],
        ),
        selected_territory=selected.as_territory() if selected else None,
        query=query,
        filters=filters,
    )


_PUBLIC_KINDS = {kind for kind in ActorKind.values if kind != ActorKind.PERSON}


# One cell of the facet cube: actors with this sector, kind and base territory, how many, and
# how many of them have one of the selected themes (all of them when no theme is selected).
CubeRow = tuple[str, str, int | None, int, int]


@dataclass
class _Selection:
    sectors: set[str]
    kinds: set[str]
    theme_ids: set[int]
    # Ids of the territories in the selected subtree (None: no territory filter).
    territory_ids: set[int] | None = None


@dataclass
class _Counts:
    sector: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    territory: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    total: int = 0
    # Actors passing every filter but the theme filter: the base of the theme counts.
    untheme_total: int = 0


@dataclass(frozen=True)
class _Place:
    """A territory as the facet needs it (read for all territories in one light query)."""

    pk: int
    name: str
    slug: str
    level: int
    parent_id: int | None
    path: str

    def lineage(self) -> list[int]:
        return _path_ids(self.path)

    def as_territory(self) -> Territory:
        return Territory(
            pk=self.pk,
            name=self.name,
            slug=self.slug,
            level=self.level,
            parent_id=self.parent_id,
            path=self.path,
        )


def _places() -> dict[int, _Place]:
    # Territories number in the hundreds or thousands, not with the actors: one query for all
    # of them keeps the count fixed and saves a look-up of ancestors.
    return {
        row[0]: _Place(*row)
        for row in Territory.objects.order_by().values_list(
            "pk", "name", "slug", "level", "parent_id", "path"
        )
    }


def _count_cube(
    cube: Iterable[CubeRow], selection: _Selection, places: dict[int, _Place]
) -> _Counts:
    """Disjunctive facet counts from the cube: each facet ignores its own filter only."""
    counts = _Counts()
    sectors, kinds, in_subtree = selection.sectors, selection.kinds, selection.territory_ids
    lineage: dict[int, list[int]] = {}
    for sector, kind, territory_id, n_all, n in cube:
        sector_ok = not sectors or sector in sectors
        kind_ok = not kinds or kind in kinds
        territory_ok = in_subtree is None or territory_id in in_subtree
        if kind_ok and territory_ok:
            counts.sector[sector] += n
        if sector_ok and territory_ok:
            counts.kind[kind] += n
        if sector_ok and kind_ok and territory_id in places:
            # A territory counts the actors of its whole subtree.
            if territory_id not in lineage:
                lineage[territory_id] = places[territory_id].lineage()
            for ancestor_id in lineage[territory_id]:
                counts.territory[ancestor_id] += n
        if sector_ok and kind_ok and territory_ok:
            counts.untheme_total += n_all
            counts.total += n
    return counts


def _grouped(actors: QuerySet[Actor]) -> list[tuple[str, str, int | None, int]]:
    return list(
        actors.order_by()
        .values_list("sector", "kind", "territory_id")
        .annotate(n=Count("*"))
        .values_list("sector", "kind", "territory_id", "n")
    )


def _expression(name: Concat | str) -> Concat | F:
    return F(name) if isinstance(name, str) else name


def _narrow(queryset: QuerySet[Actor], selection: _Selection) -> QuerySet[Actor]:
    """Apply the sector, kind and territory filters (not the theme filter)."""
    if selection.sectors:
        queryset = queryset.filter(sector__in=selection.sectors)
    if selection.kinds:
        queryset = queryset.filter(kind__in=selection.kinds)
    if selection.territory_ids is not None:
        queryset = queryset.filter(territory_id__in=selection.territory_ids)
    return queryset


def _round_estimate(value: float) -> int:
    """An estimate to two significant digits: 12,345.6 is shown as 12,000."""
    if value < 100:
        return round(value)
    magnitude = 10 ** (len(str(int(value))) - 2)
    return int(round(value / magnitude) * magnitude)


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _territory_options(
    places: dict[int, _Place], counts: dict[int, int], selected: _Place | None
) -> list[FacetOption]:
    """The territory facet as a drill-down: the trail to the selection, then its children.

    With nothing selected the tree starts at the first level with a choice to make: a program
    working only in Chile starts at its regions, not at "Chile".
    """
    children: dict[int | None, list[_Place]] = defaultdict(list)
    for place in places.values():
        if counts.get(place.pk):
            children[place.parent_id].append(place)
    for siblings in children.values():
        siblings.sort(key=lambda p: p.name.casefold())

    def option(place: _Place, depth: int) -> FacetOption:
        return FacetOption(
            place.slug,
            place.name,
            counts.get(place.pk, 0),
            selected is not None and place.pk == selected.pk,
            depth=depth,
        )

    options = [FacetOption("", str(_("All territories")), 0, selected is None)]
    if selected is None:
        level = children.get(None, [])
        while len(level) == 1 and children.get(level[0].pk):
            level = children[level[0].pk]
        options += [option(p, 1) for p in level]
        return options
    trail = [places[pk] for pk in selected.lineage() if pk in places]
    options += [option(p, depth) for depth, p in enumerate(trail, start=1)]
    options += [option(p, len(trail) + 1) for p in children.get(selected.pk, [])]
    return options


# ---------------------------------------------------------------------------------------------
# Territory pages


@dataclass
class TerritorySummary:
    territory: Territory
    ancestors: list[Territory]
    # Child territories with the number of the program's actors based in each one's subtree.
    children: list[tuple[Territory, int]]
    # Actors based anywhere in the subtree, by sector: (code, label, count), non-zero only.
    by_sector: list[tuple[str, str, int]]
    based_count: int
    serving_count: int
    page: DirectoryPage
    # For a viewer who may not see people, who are then left out of everything above: how many
    # people are based in the subtree, if at least PEOPLE_COUNT_MIN (None otherwise, and always
    # None for those who see people).
    people_count: int | None = None
    people_hidden: bool = False

    @property
    def sector_shares(self) -> list[tuple[str, str, int, float]]:
        """Sectors with their share of the actors based here, in percent, for a bar."""
        total = self.based_count or 1
        return [(code, label, n, round(100 * n / total, 1)) for code, label, n in self.by_sector]


def territory_summary(
    *,
    program: Program,
    territory: Territory,
    viewer: Any,
    page: int = 1,
    page_size: int = DIRECTORY_PAGE_SIZE,
) -> TerritorySummary:
    """A territory seen from a program: where it sits, what is in it, who is based or works there.

    For a `viewer` who may not see people they are left out of the lists and the counts, and
    only their number (from PEOPLE_COUNT_MIN up) is given.

    Seven queries whatever the size: ancestors, the subtree, actor counts by (territory,
    sector, kind), actors serving the subtree, and the page (ids, rows, themes).
    """
    include_people = can_view_people(viewer, program)
    ancestor_ids = territory.ancestor_ids()
    ancestors_by_id = Territory.objects.in_bulk(ancestor_ids) if ancestor_ids else {}
    ancestors = [ancestors_by_id[pk] for pk in ancestor_ids if pk in ancestors_by_id]
    subtree = list(
        Territory.objects.filter(path__startswith=territory.path).only(
            "pk", "name", "slug", "level", "parent_id", "path"
        )
    )
    subtree_ids = [t.pk for t in subtree]
    visible = visible_actors(program, viewer)
    based = visible.filter(territory_id__in=subtree_ids)
    per_territory: dict[int, int] = defaultdict(int)
    per_sector: dict[str, int] = defaultdict(int)
    people = 0
    # All actors are counted in one grouped read; people a viewer may not see go to their own
    # total, not to the figures shown next to names.
    for territory_id, sector, kind, n in (
        Actor.objects.filter(program=program, territory_id__in=subtree_ids)
        .order_by()
        .values_list("territory_id", "sector", "kind")
        .annotate(n=Count("pk"))
        .values_list("territory_id", "sector", "kind", "n")
    ):
        if kind == ActorKind.PERSON and not include_people:
            people += n
            continue
        per_territory[territory_id] += n
        per_sector[sector] += n
    by_sector = [
        (code, str(label), per_sector[code]) for code, label in Sector.choices if per_sector[code]
    ]
    based_count = sum(per_sector.values())

    # Each subtree territory's count goes to the child of `territory` on its path.
    depth = len(_path_ids(territory.path))
    per_child: dict[int, int] = defaultdict(int)
    for place in subtree:
        lineage = _path_ids(place.path)
        if len(lineage) > depth and per_territory.get(place.pk):
            per_child[lineage[depth]] += per_territory[place.pk]
    children = sorted(
        (t for t in subtree if t.parent_id == territory.pk), key=lambda t: t.name.casefold()
    )
    child_counts = [(child, per_child[child.pk]) for child in children]

    serving_count = visible.filter(
        pk__in=ActorServes.objects.filter(territory_id__in=subtree_ids).values("actor_id")
    ).count()

    number = min(max(1, page), max(1, math.ceil(based_count / page_size)))
    start = (number - 1) * page_size
    actors: list[Actor] = []
    if based_count:
        page_ids = list(
            based.order_by("name", "id").values_list("pk", flat=True)[start : start + page_size]
        )
        actors = list(
            Actor.objects.filter(pk__in=page_ids)
            .select_related("territory")
            .prefetch_related("themes")
            .order_by("name", "id")
        )
    return TerritorySummary(
        territory=territory,
        ancestors=ancestors,
        children=child_counts,
        by_sector=by_sector,
        based_count=based_count,
        serving_count=serving_count,
        page=DirectoryPage(actors=actors, number=number, page_size=page_size, count=based_count),
        people_count=None if include_people else people_count_public(people),
        people_hidden=not include_people,
    )


# ---------------------------------------------------------------------------------------------
# Pickers for forms


def territories_for_picker() -> list[Territory]:
    """Every territory in tree order (by path), for pickers grouped by parent."""
    return list(Territory.objects.order_by("path").only("pk", "name", "level", "parent_id", "path"))


def organizations_for_picker(program: Program) -> QuerySet[Actor]:
    """Organizations and informal groups of a program: where a person can hold a post."""
    return Actor.objects.filter(program=program).organizations().order_by("name", "id")


def person_memberships(person: Actor) -> Sequence:
    return list(
        person.memberships.select_related("organization", "post").order_by(
            "-start_date", "organization__name"
        )
    )


def representatives_of(organization_id: int) -> list[Any]:
    """The active users who speak for an organization and have an e-mail address, oldest
    representative first (one query)."""
    return [
        r.user
        for r in Representative.objects.filter(organization_id=organization_id)
        .select_related("user")
        .order_by("pk")
        if r.user.is_active and r.user.email
    ]
