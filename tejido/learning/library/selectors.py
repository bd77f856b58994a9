"""Reads of the knowledge library shaped for pages: the search page with its facets, an item
with its files, links and related items.

The search page reads in a fixed number of queries whatever the size of the library (about
fifteen: themes, [text matches], one grouped count per facet, names of the authors and
territories shown, the total, the page and what it shows of each item). How it stays fast:

* A text search (`search.matching`) runs once: it yields the ids and ranks of at most
  `search.MAX_MATCHES` matches (the newest), and every other query reads those rows by id. When
  a common word reaches that cap and filters are set, a second search finds the newest matches
  among the filtered items, so that the results are not only those of the first thousand.
* Without a query, a library larger than FACET_EXACT_LIMIT items is counted on an even sample
  (every n-th id) and the counts are scaled up and shown as approximate; the number of results
  stays exact.
* Facets are disjunctive: the counts of a facet apply every filter except the facet's own, so a
  reader who picked "Report" still sees how many guides they would add. Each facet is one
  GROUP BY over the items passing the other filters (a subquery of ids, never a join that
  multiplies rows); themes, territories and authors are counted on the through tables.
* Only the top AUTHOR_FACET_SIZE authors and TERRITORY_FACET_SIZE territories are listed (and
  those selected), then named in one query each.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, Mod, Substr
from django.utils.translation import gettext_lazy as _

from tejido.accounts.rules import is_coordinator, is_program_member, is_superuser
from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme
from tejido.core.pagination import CountedPage

from .. import search
from ..models import (
    ContentLanguage,
    ItemKind,
    LibraryItem,
    Licence,
    PublicationStatus,
    Visibility,
)

PAGE_SIZE = 20
# Facets count at most this many items; above, an even sample of them, scaled up.
FACET_EXACT_LIMIT = 2_000
AUTHOR_FACET_SIZE = 10
TERRITORY_FACET_SIZE = 12
THEME_FACET_SIZE = 15
RELATED_COUNT = 5
# How much each kind of kinship weighs when looking for related items.
RELATED_WEIGHTS = {"authors": 3.0, "themes": 2.0, "territories": 1.0, "kind": 0.5}

ItemAuthors = LibraryItem.authors.through
ItemThemes = LibraryItem.themes.through
ItemTerritories = LibraryItem.territories.through


# ---------------------------------------------------------------------------------------------
# Who reads what


def readable_items(program: Program, user: Any) -> QuerySet[LibraryItem]:
    """The items of `program` that `user` may read, as `learning.view_item` decides one by one:
    public published items of a public program for everyone, every published item for the
    program's members, everything for coordinators, and what a user added themselves."""
    items = LibraryItem.objects.filter(program=program)
    if is_coordinator.test(user, program):
        return items
    allowed = Q(pk__in=[])
    if (is_program_member | is_superuser).test(user, program):
        allowed = Q(status=PublicationStatus.PUBLISHED)
    elif program.is_public:
        allowed = Q(status=PublicationStatus.PUBLISHED, visibility=Visibility.PUBLIC)
    if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False):
        allowed |= Q(created_by=user)
    return items.filter(allowed)


# ---------------------------------------------------------------------------------------------
# The search page: input and output


@dataclass(frozen=True)
class LibraryFilters:
    """What the reader narrowed the library to. Within a facet values are alternatives (OR);
    facets combine with AND. Values are codes, slugs and ids, as in the URL."""

    kinds: frozenset[str] = frozenset()
    transitions: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    territories: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    licences: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    authors: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.kinds,
                self.transitions,
                self.themes,
                self.territories,
                self.languages,
                self.licences,
                self.years,
                self.authors,
            )
        )


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption] = field(default_factory=list)


@dataclass
class LibraryPage(CountedPage):
    items: list[LibraryItem]


@dataclass
class LibrarySearch:
    page: LibraryPage
    facets: list[Facet]
    # Facet counts estimated from a sample (a very large library or a very common word).
    approximate: bool = False
    # The query matched more items than a search returns (search.MAX_MATCHES, the newest):
    # the results and counts are those of the newest matches.
    many_matches: bool = False
    query: str = ""
    filters: LibraryFilters = field(default_factory=LibraryFilters)


# ---------------------------------------------------------------------------------------------
# The search page: the selector


@dataclass
class _Selection:
    """The filters resolved to what the database holds (unknown values dropped)."""

    kinds: set[str]
    transition_ids: set[int]
    theme_ids: set[int]
    territory_ids: set[int]
    languages: set[str]
    licences: set[str]
    years: set[int]
    author_ids: set[int]

    @classmethod
    def empty(cls) -> _Selection:
        return cls(set(), set(), set(), set(), set(), set(), set(), set())


def _narrow(
    items: QuerySet[LibraryItem], selection: _Selection, *, but: str = ""
) -> QuerySet[LibraryItem]:
    """`items` passing every filter of `selection` except the facet `but`."""
    if but != "columns":
        if selection.kinds:
            items = items.filter(kind__in=selection.kinds)
        if selection.languages:
            items = items.filter(language__in=selection.languages)
        if selection.licences:
            items = items.filter(licence__in=selection.licences)
        if selection.years:
            years = Q()
            for year in sorted(selection.years):
                # A range on the date, not a year function: the index on the date serves it.
                years |= Q(published_on__gte=datetime.date(year, 1, 1)) & Q(
                    published_on__lte=datetime.date(year, 12, 31)
                )
            items = items.filter(years)
    if selection.transition_ids and but != "transition":
        tagged = ItemThemes.objects.filter(theme_id__in=selection.transition_ids)
        items = items.filter(pk__in=tagged.values("libraryitem_id"))
    if selection.theme_ids and but != "theme":
        tagged = ItemThemes.objects.filter(theme_id__in=selection.theme_ids)
        items = items.filter(pk__in=tagged.values("libraryitem_id"))
    if selection.territory_ids and but != "territory":
        placed = ItemTerritories.objects.filter(territory_id__in=selection.territory_ids)
        items = items.filter(pk__in=placed.values("libraryitem_id"))
    if selection.author_ids and but != "author":
        written = ItemAuthors.objects.filter(actor_id__in=selection.author_ids)
        items = items.filter(pk__in=written.values("libraryitem_id"))
    return items


def _year() -> Any:
    """The year of publication as a string. SQLite stores dates as ISO text: its first four
    characters are read natively, where Django's year function would call back into Python
    for every row."""
    if connection.vendor == "sqlite":
        return Substr(Cast("published_on", CharField()), 1, 4)
    return Cast(ExtractYear("published_on"), CharField())


def _count_cube(
    cube: list[tuple[str, str, str, str | None, int]], selection: _Selection
) -> tuple[tuple[dict[str, int], dict[str, int], dict[str, int], dict[int, int]], int]:
    """Disjunctive counts of kind, language, licence and year from the cube, and the total."""
    kinds: dict[str, int] = defaultdict(int)
    languages: dict[str, int] = defaultdict(int)
    licences: dict[str, int] = defaultdict(int)
    years: dict[int, int] = defaultdict(int)
    total = 0
    for kind, language, licence, year_text, n in cube:
        year = int(year_text) if year_text and year_text.isdigit() else None
        passes = (
            not selection.kinds or kind in selection.kinds,
            not selection.languages or language in selection.languages,
            not selection.licences or licence in selection.licences,
            not selection.years or year in selection.years,
        )
        if all(passes):
            total += n
        for position, (counts, value) in enumerate(
            ((kinds, kind), (languages, language), (licences, licence), (years, year))
        ):
            if value is not None and all(p for i, p in enumerate(passes) if i != position):
                counts[value] += n  # type: ignore[index]
    return (dict(kinds), dict(languages), dict(licences), dict(years)), total


def _estimate(counts: dict[Any, int], scale: float) -> dict[Any, int]:
    """Counts of a sample scaled up, to two significant digits (12,345.6 is 12,000)."""
    estimated = {}
    for key, n in counts.items():
        value = n * scale
        digits = max(0, len(str(int(value))) - 2)
        estimated[key] = max(1, int(round(value, -digits))) if n else 0
    return estimated


def _related_counts(items: QuerySet[LibraryItem], relation: str) -> dict[int, int]:
    """How many of `items` have each related row (theme, territory, author): a join from the
    items to the through table's (item, other) index, never a read of the related table."""
    return {
        pk: n
        for pk, n in items.order_by()
        .values_list(relation)
        .annotate(n=Count("*"))
        .values_list(relation, "n")
        if pk is not None
    }


def _top(counts: dict[int, int], selected: set[int], size: int) -> list[int]:
    """The ids of the `size` largest counts, then the selected ones not among them."""
    ranked = sorted((pk for pk, n in counts.items() if n), key=lambda pk: (-counts[pk], pk))
    top = ranked[:size]
    return top + sorted(selected - set(top))


def library_search(
    *,
    program: Program,
    viewer: Any,
    query: str = "",
    filters: LibraryFilters | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> LibrarySearch:
    """One page of the items of `program` that `viewer` may read, matching `query` (every word,
    in any inflection) and `filters`, with the facet counts. Ordered by relevance when there is
    a query, else newest first. `page` is 1-based and clamped to the last page."""
    filters = filters or LibraryFilters()
    query = " ".join(query.split())[:200]
    themes = list(Theme.objects.all())
    by_slug = {t.slug: t for t in themes}
    transition_of = {t.transition: t for t in themes if t.transition}
    selection = _Selection(
        kinds={k for k in filters.kinds if k in ItemKind.values},
        transition_ids={transition_of[c].pk for c in filters.transitions if c in transition_of},
        theme_ids={
            by_slug[s].pk for s in filters.themes if s in by_slug and not by_slug[s].transition
        },
        territory_ids=set(),
        languages={code for code in filters.languages if code in ContentLanguage.values},
        licences={code for code in filters.licences if code in Licence.values},
        years=set(filters.years),
        author_ids=set(filters.authors),
    )
    if filters.territories:
        selection.territory_ids = set(
            Territory.objects.filter(slug__in=filters.territories).values_list("pk", flat=True)
        )

    readable = readable_items(program, viewer)
    # `scope`: the items searched (readable, matching the query); `sample`: those the facets
    # count, `scope` itself up to FACET_EXACT_LIMIT items, else an even sample of it whose
    # counts are multiplied by `scale` (and shown as approximate).
    scope: QuerySet[LibraryItem] = readable
    sample: QuerySet[LibraryItem] = readable
    scale = 1.0
    size = 0  # the number of items in `scope`, when it is sampled
    ranks: dict[int, float] | None = None
    results: QuerySet[LibraryItem] | None = None
    many = False
    if query:
        # The search runs once per set of filters and yields at most search.MAX_MATCHES ids
        # (the newest matches); every other query reads those rows by id.
        matched: Any = search.matching(readable, query)  # annotated with search_rank
        rows = list(matched.order_by().values_list("pk", "search_rank"))
        ranks = {pk: float(rank or 0) for pk, rank in rows}
        scope = sample = LibraryItem.objects.filter(pk__in=list(ranks))
        many = len(rows) >= search.MAX_MATCHES
        if many and selection != _Selection.empty():
            # The newest matches of the whole library may hold few of the filtered ones: ask
            # the search for the newest matches among the filtered items instead.
            narrowed: Any = search.matching(_narrow(readable, selection), query)
            ranks = {
                pk: float(rank or 0)
                for pk, rank in narrowed.order_by().values_list("pk", "search_rank")
            }
            results = LibraryItem.objects.filter(pk__in=list(ranks))
    else:
        size = readable.order_by().count()
        if size > FACET_EXACT_LIMIT:
            step = math.ceil(size / FACET_EXACT_LIMIT)
            sample = readable.alias(spread=Mod("id", step)).filter(spread=0)
            scale = float(step)

    # Facets on the item's own columns: one grouped query, the "cube" of (kind, language,
    # licence, year) over the items passing the theme, territory and author filters.
    cube = list(
        _narrow(sample, selection, but="columns")
        .order_by()
        .annotate(year=_year())
        .values_list("kind", "language", "licence", "year")
        .annotate(n=Count("*"))
    )
    column_counts, cube_total = _count_cube(cube, selection)

    # Facets on related rows: one grouped query each over the items passing the other filters
    # (transitions and other themes share one when neither is filtered).
    transition_counts = _related_counts(_narrow(sample, selection, but="transition"), "themes")
    if selection.transition_ids or selection.theme_ids:
        theme_counts = _related_counts(_narrow(sample, selection, but="theme"), "themes")
    else:
        theme_counts = transition_counts
    territory_counts = _related_counts(_narrow(sample, selection, but="territory"), "territories")
    # Authors are organizations and groups (the services refuse people), named below.
    author_counts = _related_counts(_narrow(sample, selection, but="author"), "authors")
    approximate = scale != 1.0
    if approximate:
        kind_counts, language_counts, licence_counts, year_counts = (
            _estimate(counts, scale) for counts in column_counts
        )
        transition_counts, theme_counts, territory_counts, author_counts = (
            _estimate(counts, scale)
            for counts in (transition_counts, theme_counts, territory_counts, author_counts)
        )
    else:
        kind_counts, language_counts, licence_counts, year_counts = column_counts
    transition_ids = {t.pk for t in transition_of.values()}

    shown_territories = _top(territory_counts, selection.territory_ids, TERRITORY_FACET_SIZE)
    territories = Territory.objects.only("pk", "name", "slug").in_bulk(shown_territories)
    shown_authors = _top(author_counts, selection.author_ids, AUTHOR_FACET_SIZE)
    authors = Actor.objects.organizations().only("pk", "name").in_bulk(shown_authors)
    shown_authors = [pk for pk in shown_authors if pk in authors]

    other_themes = [t for t in themes if not t.transition]
    shown_theme_ids = set(
        _top(
            {t.pk: theme_counts.get(t.pk, 0) for t in other_themes},
            selection.theme_ids,
            THEME_FACET_SIZE,
        )
    )
    facets = [
        Facet(
            "kind",
            str(_("Kind")),
            [
                FacetOption(code, str(label), kind_counts.get(code, 0), code in selection.kinds)
                for code, label in ItemKind.choices
            ],
        ),
        Facet(
            "transition",
            str(_("Transition")),
            [
                FacetOption(
                    code,
                    str(label),
                    transition_counts.get(transition_of[code].pk, 0),
                    transition_of[code].pk in selection.transition_ids,
                )
                for code, label in Theme.Transition.choices
                if code in transition_of and transition_of[code].pk in transition_ids
            ],
        ),
        Facet(
            "theme",
            str(_("Theme")),
            sorted(
                (
                    FacetOption(
                        t.slug, t.label, theme_counts.get(t.pk, 0), t.pk in selection.theme_ids
                    )
                    for t in other_themes
                    if t.pk in shown_theme_ids
                ),
                key=lambda o: (-o.count, o.label.casefold()),
            ),
        ),
        Facet(
            "territory",
            str(_("Territory")),
            [
                FacetOption(
                    territories[pk].slug,
                    territories[pk].name,
                    territory_counts.get(pk, 0),
                    pk in selection.territory_ids,
                )
                for pk in shown_territories
                if pk in territories
            ],
        ),
        Facet(
            "language",
            str(_("Language")),
            [
                FacetOption(
                    code, str(label), language_counts.get(code, 0), code in selection.languages
                )
                for code, label in ContentLanguage.choices
            ],
        ),
        Facet(
            "licence",
            str(_("Licence")),
            [
                FacetOption(
                    code, str(label), licence_counts.get(code, 0), code in selection.licences
                )
                for code, label in Licence.choices
            ],
        ),
        Facet(
            "year",
            str(_("Year of publication")),
            [
                FacetOption(str(year), str(year), year_counts.get(year, 0), year in selection.years)
                for year in sorted({y for y in year_counts if y} | selection.years, reverse=True)
            ],
        ),
        Facet(
            "author",
            str(_("Author")),
            [
                FacetOption(
                    str(pk),
                    authors[pk].name,
                    author_counts.get(pk, 0),
                    pk in selection.author_ids,
                )
                for pk in shown_authors
            ],
        ),
    ]
    # An option nobody could reach is noise; a selected one stays so that it can be removed.
    for facet in facets:
        facet.options = [o for o in facet.options if o.count or o.selected]

    # The page.
    if results is None:
        results = _narrow(scope, selection)
    if ranks is not None:
        ids = list(results.order_by("-published_on", "-id").values_list("pk", flat=True))
        # A stable sort keeps newest first among equally relevant items.
        ids.sort(key=lambda pk: -ranks.get(pk, 0.0))
        total = len(ids)
        number = _clamp(page, total, page_size)
        page_ids = ids[(number - 1) * page_size : number * page_size]
    else:
        if not approximate:
            total = cube_total
        elif selection == _Selection.empty():
            total = size
        else:
            total = results.order_by().count()
        number = _clamp(page, total, page_size)
        ordering = ("-search_rank", "-published_on", "-id") if query else ("-published_on", "-id")
        start = (number - 1) * page_size
        page_ids = (
            list(
                results.order_by(*ordering).values_list("pk", flat=True)[start : start + page_size]
            )
            if total
            else []
        )
    items = _items_for_listing(page_ids)
    return LibrarySearch(
        page=LibraryPage(items=items, number=number, count=total, page_size=page_size),
        facets=facets,
        approximate=approximate,
        many_matches=many,
        query=query,
        filters=filters,
    )


def _clamp(page: int, total: int, page_size: int) -> int:
    return min(max(1, page), max(1, math.ceil(total / page_size)))


def _items_for_listing(ids: list[int]) -> list[LibraryItem]:
    """The rows of `ids`, in that order, with what a result shows: authors and themes."""
    if not ids:
        return []
    by_id = (
        LibraryItem.objects.defer("body", "search_vector")
        .prefetch_related(
            _organizations_prefetch(),
            "themes",
        )
        .in_bulk(ids)
    )
    return [by_id[pk] for pk in ids if pk in by_id]


def _organizations_prefetch() -> Any:
    return Prefetch("authors", queryset=Actor.objects.only("pk", "name", "program_id"))


# ---------------------------------------------------------------------------------------------
# One item


def item_for_page(item: LibraryItem) -> LibraryItem:
    """`item` with everything its page shows loaded (a fixed number of queries)."""
    prefetch_related_objects(
        [item],
        _organizations_prefetch(),
        "themes",
        "territories",
        "files",
        "links",
    )
    return item


def related_items(
    item: LibraryItem, viewer: Any, *, limit: int = RELATED_COUNT
) -> list[LibraryItem]:
    """Up to `limit` items `viewer` may read that share authors, themes or territories with
    `item`, best first: each shared author weighs 3, theme 2, territory 1, and the same kind
    adds 0.5. One query for the scores, two to show the authors and themes.

    `item` must have its authors, themes and territories loaded (see `item_for_page`)."""
    author_ids = [a.pk for a in item.authors.all()]
    theme_ids = [t.pk for t in item.themes.all()]
    territory_ids = [t.pk for t in item.territories.all()]
    if not (author_ids or theme_ids or territory_ids):
        return []

    def shared(through: Any, column: str, ids: list[int]) -> Any:
        counted = (
            through.objects.filter(libraryitem_id=OuterRef("pk"), **{f"{column}__in": ids})
            .order_by()
            .values("libraryitem_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    candidates = Q(pk__in=[])
    score: Any = Case(
        When(kind=item.kind, then=Value(RELATED_WEIGHTS["kind"])),
        default=Value(0.0),
        output_field=FloatField(),
    )
    for through, column, ids, weight in (
        (ItemAuthors, "actor_id", author_ids, RELATED_WEIGHTS["authors"]),
        (ItemThemes, "theme_id", theme_ids, RELATED_WEIGHTS["themes"]),
        (ItemTerritories, "territory_id", territory_ids, RELATED_WEIGHTS["territories"]),
    ):
        if ids:
            sharing = through.objects.filter(**{f"{column}__in": ids}).values("libraryitem_id")
            candidates |= Q(pk__in=sharing)
            score = score + shared(through, column, ids) * Value(weight)
    program = getattr(item, "program", None) or Program.objects.get(pk=item.program_id)
    ranked = list(
        readable_items(program, viewer)
        .filter(candidates)
        .exclude(pk=item.pk)
        .annotate(related_score=score)
        .order_by("-related_score", "-published_on", "-id")
        .values_list("pk", flat=True)[:limit]
    )
    return _items_for_listing(ranked)
