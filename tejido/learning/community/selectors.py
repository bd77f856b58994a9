"""Reads of the learning community, shaped for its pages, each in a fixed number of queries
whatever the number of experiences, comments or reactions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, Representative
from tejido.actors.rules import can_view_people, represented_ids
from tejido.core.models import AuditEntry, Program, Territory, Theme

from ..models import (
    Comment,
    CommentKind,
    EvidenceFile,
    Exchange,
    Experience,
    ProgramStage,
    PublicationStatus,
    Reaction,
    ReactionKind,
    Visibility,
)
from . import searching

PAGE_SIZE = 20
TAKE_PART = "learning.take_part"


def display_name(user: Any) -> str:
    if user is None:
        return _("A former member")
    return user.get_full_name() or _("A member of the community")


# -- who reads what ---------------------------------------------------------------------------


def readable_experiences(user: Any, program: Program) -> QuerySet[Experience]:
    """The program's published experiences `user` may read: all of them for the community's
    members, the public ones for everyone else (the program itself is public then)."""
    published = Experience.objects.filter(program=program).published()
    if user.has_perm(TAKE_PART, program):
        return published
    if not program.is_public:
        return published.none()
    return published.filter(visibility=Visibility.PUBLIC)


def drafts_of(user: Any, program: Program) -> list[Experience]:
    """Drafts the user may finish: theirs, their organizations'."""
    if not getattr(user, "is_authenticated", False):
        return []
    mine = represented_ids(user)
    return list(
        Experience.objects.filter(program=program, status=PublicationStatus.DRAFT)
        .filter(Q(author=user) | Q(organization_id__in=mine))
        .select_related("organization")
        .order_by("-updated_at")[:20]
    )


def _count(model: Any, **filters: Any) -> Any:
    """A correlated count of `model` rows per experience (no join fan-out between counts)."""
    return Coalesce(
        Subquery(
            model.objects.filter(experience=OuterRef("pk"), **filters)
            .order_by()
            .values("experience")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_counts(queryset: QuerySet[Experience]) -> QuerySet[Experience]:
    return queryset.annotate(
        useful_count=_count(Reaction, kind=ReactionKind.USEFUL),
        tried_count=_count(Reaction, kind=ReactionKind.TRIED_TOO),
        comment_count=_count(Comment, hidden_at__isnull=True),
    )


# -- the list with search and filters ---------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    group: str = ""


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    selected_label: str = ""


@dataclass
class ExperienceListing:
    page: Page
    query: str
    facets: list[Facet]
    active: list[tuple[str, str]] = field(default_factory=list)  # (name, label)


FILTERS = ("territory", "theme", "stage", "organization")


def _apply(
    queryset: QuerySet[Experience], filters: dict[str, Any], *, skip: str = ""
) -> QuerySet[Experience]:
    territory = filters.get("territory")
    if territory is not None and skip != "territory":
        queryset = queryset.filter(territory__path__startswith=territory.path)
    theme = filters.get("theme")
    if theme is not None and skip != "theme":
        queryset = queryset.filter(themes=theme)
    stage = filters.get("stage")
    if stage and skip != "stage":
        queryset = queryset.filter(stage=stage)
    organization = filters.get("organization")
    if organization is not None and skip != "organization":
        queryset = queryset.filter(organization=organization)
    return queryset


def _ids(queryset: QuerySet[Experience]) -> QuerySet[Any]:
    return queryset.order_by().values("pk")


def _facets(base: QuerySet[Experience], filters: dict[str, Any]) -> list[Facet]:
    """Each filter's options with how many experiences each would show, given the others."""
    territory_counts = dict(
        Experience.objects.filter(pk__in=_ids(_apply(base, filters, skip="territory")))
        .exclude(territory=None)
        .order_by()
        .values_list("territory")
        .annotate(n=Count("pk"))
    )
    selected_territory = filters.get("territory")
    territories = list(
        Territory.objects.filter(
            pk__in=set(territory_counts)
            | ({selected_territory.pk} if selected_territory else set())
        ).order_by("name")
    )
    themes = list(
        Theme.objects.filter(
            experiences__in=_ids(_apply(base, filters, skip="theme")),
        )
        .annotate(n=Count("experiences", distinct=True))
        .order_by("name")
    )
    # The four transitions first, then the other themes.
    themes.sort(key=lambda t: (not t.transition, t.label.lower()))
    stage_counts = dict(
        Experience.objects.filter(pk__in=_ids(_apply(base, filters, skip="stage")))
        .exclude(stage="")
        .order_by()
        .values_list("stage")
        .annotate(n=Count("pk"))
    )
    organizations = list(
        Actor.objects.filter(experiences__in=_ids(_apply(base, filters, skip="organization")))
        .annotate(n=Count("experiences", distinct=True))
        .order_by("name")
    )
    selected_theme = filters.get("theme")
    selected_org = filters.get("organization")
    stage = filters.get("stage") or ""
    return [
        Facet(
            "territory",
            _("Territory"),
            [
                FacetOption(
                    str(t.pk),
                    t.name,
                    territory_counts.get(t.pk, 0),
                    bool(selected_territory and selected_territory.pk == t.pk),
                )
                for t in territories
            ],
        ),
        Facet(
            "theme",
            _("Transition or theme"),
            [
                FacetOption(
                    str(t.pk),
                    t.label,
                    t.n,
                    bool(selected_theme and selected_theme.pk == t.pk),
                    group="transition" if t.transition else "theme",
                )
                for t in themes
            ],
        ),
        Facet(
            "stage",
            _("Program stage"),
            [
                FacetOption(value, str(label), stage_counts.get(value, 0), value == stage)
                for value, label in ProgramStage.choices
                if stage_counts.get(value) or value == stage
            ],
        ),
        Facet(
            "organization",
            _("Organization"),
            [
                FacetOption(str(a.pk), a.name, a.n, bool(selected_org and selected_org.pk == a.pk))
                for a in organizations
            ],
        ),
    ]


def experience_listing(
    user: Any, program: Program, *, query: str, filters: dict[str, Any], page_number: Any
) -> ExperienceListing:
    readable = readable_experiences(user, program)
    query = " ".join((query or "").split())[:200]
    base = readable
    facet_base = readable
    if query:
        base = searching.matching(readable, query)
        # The search's join cannot run inside a subquery: the facets count over the ids it
        # found (one query).
        facet_base = readable.filter(pk__in=list(base.order_by().values_list("pk", flat=True)))
    results = _apply(base, filters)
    if query:
        results = results.order_by("-search_rank", "-published_at", "-id")  # type: ignore[misc]
    else:
        results = results.order_by("-published_at", "-id")
    results = with_counts(
        results.select_related("organization", "territory").prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("transition", "name"))
        )
    )
    page = Paginator(results, PAGE_SIZE).get_page(page_number)
    facets = _facets(facet_base, filters)
    active = []
    for facet in facets:
        for option in facet.options:
            if option.selected:
                facet.selected_label = option.label
                active.append((facet.name, option.label))
    return ExperienceListing(page=page, query=query, facets=facets, active=active)


# -- one experience ---------------------------------------------------------------------------


@dataclass
class Thread:
    comment: Comment
    answers: list[Comment]


@dataclass
class ExperiencePage:
    themes: list[Theme]
    transitions: list[Theme]
    files: list[EvidenceFile]
    threads: list[Thread]
    useful_count: int
    tried: list[Reaction]
    mine: dict[str, Reaction]
    speakers: set[int]  # users who speak for the experience's organization
    exchanges: list[Exchange]
    show_people: bool
    comment_count: int


def experience_page(experience: Experience, user: Any) -> ExperiencePage:
    themes = sorted(experience.themes.all(), key=lambda t: (not t.transition, t.label.lower()))
    files = list(EvidenceFile.objects.filter(experience=experience).order_by("id"))
    comments = list(
        Comment.objects.filter(experience=experience)
        .select_related("author", "organization")
        .order_by("created_at", "id")
    )
    speakers = set(
        Representative.objects.filter(organization_id=experience.organization_id).values_list(
            "user_id", flat=True
        )
    )
    threads: list[Thread] = []
    by_question: dict[int, Thread] = {}
    for comment in comments:
        comment.from_organization = comment.author_id in speakers or (  # type: ignore[attr-defined]
            comment.organization_id == experience.organization_id
        )
        if comment.kind == CommentKind.ANSWER and comment.parent_id in by_question:
            by_question[comment.parent_id].answers.append(comment)
            continue
        thread = Thread(comment, [])
        threads.append(thread)
        if comment.kind == CommentKind.QUESTION:
            by_question[comment.pk] = thread
    reactions = list(
        Reaction.objects.filter(experience=experience)
        .select_related("organization")
        .order_by("-created_at", "id")
    )
    user_id = getattr(user, "pk", None)
    return ExperiencePage(
        themes=[t for t in themes if not t.transition],
        transitions=[t for t in themes if t.transition],
        files=files,
        threads=threads,
        useful_count=sum(1 for r in reactions if r.kind == ReactionKind.USEFUL),
        tried=[r for r in reactions if r.kind == ReactionKind.TRIED_TOO],
        mine={r.kind: r for r in reactions if user_id is not None and r.user_id == user_id},
        speakers=speakers,
        exchanges=list(
            Exchange.objects.filter(experiences=experience).order_by("-held_on", "-id")[:10]
        ),
        show_people=can_view_people(user, experience.program),
        comment_count=sum(1 for c in comments if c.hidden_at is None),
    )


# -- exchanges --------------------------------------------------------------------------------


def exchange_listing(program: Program, page_number: Any) -> Page:
    exchanges = (
        Exchange.objects.filter(program=program)
        .annotate(
            organization_count=Count(
                "participants",
                filter=~Q(participants__kind="person"),
                distinct=True,
            )
        )
        .prefetch_related(Prefetch("territories", queryset=Territory.objects.order_by("name")))
        .order_by("-held_on", "-id")
    )
    return Paginator(exchanges, PAGE_SIZE).get_page(page_number)


@dataclass
class ExchangePage:
    territories: list[Territory]
    organizations: list[Actor]
    experiences: list[Experience]
    ties_recorded: int


def exchange_page(exchange: Exchange, user: Any) -> ExchangePage:
    readable = readable_experiences(user, exchange.program)
    ties = 0
    for data in AuditEntry.objects.filter(
        target_type=Exchange._meta.label_lower,
        target_id=str(exchange.pk),
        action__in=("learning.exchange.create", "learning.exchange.update"),
    ).values_list("data", flat=True):
        ties += int((data or {}).get("ties", 0) or 0)
    return ExchangePage(
        territories=list(exchange.territories.order_by("name")),
        # Organizations are public; people who took part are only counted.
        organizations=list(
            exchange.participants.organizations().select_related("territory").order_by("name")
        ),
        experiences=list(
            readable.filter(exchanges=exchange).select_related("organization").order_by("title")
        ),
        ties_recorded=ties,
    )
