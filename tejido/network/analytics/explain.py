"""The indicators in words: a plain name, what it means and what to do about it, written for
community workers rather than data scientists (after Kumu's "discover the connectors").

Every actor indicator, network figure, network stage, computation step and reason code of a
suggested introduction has its text here; the tests check none is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Sector

from ..analysis import BROKERAGE_ROLES, STAGES
from ..models import TieType

Text = str | Promise


@dataclass(frozen=True)
class Explanation:
    name: Text
    meaning: Text  # one sentence: what the figure says
    advice: Text  # one sentence: what to do about it
    # How to show the value: "count", "number", "share" (0–1 shown as %), "flag", "id".
    unit: str = "number"


ACTOR_INDICATORS: dict[str, Explanation] = {
    "degree": Explanation(
        _("Direct partners"),
        _("How many actors it has a tie with."),
        _("Few partners: help it meet others working on the same themes or in the same place."),
        "count",
    ),
    "strength": Explanation(
        _("Strength of ties"),
        _(
            "Its partners weighted by how close each tie is, from knowing of each other to "
            "working as one."
        ),
        _("Many partners but little strength: deepen a few of those ties into real cooperation."),
    ),
    "two_step_reach": Explanation(
        _("Two-step reach"),
        _("The share of the network it can reach through a partner or a partner's partner."),
        _("Low reach: one introduction to a well-connected actor can open the whole network."),
        "share",
    ),
    "betweenness": Explanation(
        _("Bridge role"),
        _("Connects groups that would otherwise not talk to each other."),
        _(
            "A strong bridge is valuable and fragile: involve it in planning and make sure others "
            "also connect those groups."
        ),
        "share",
    ),
    "effective_size": Explanation(
        _("Non-redundant partners"),
        _(
            "How many of its partners bring something different, because they do not already "
            "know each other."
        ),
        _("Few non-redundant partners: look for partners outside its usual circle."),
    ),
    "constraint": Explanation(
        _("Closed circle"),
        _("How much its partners all know each other: high means few new ideas come in."),
        _("High: connect it with someone from another sector or territory."),
    ),
    "bonding": Explanation(
        _("Bonding ties"),
        _(
            "The share of its ties within its own sector or territory: trust and mutual help "
            "close to home."
        ),
        _("Mostly bonding: it is well rooted; add a few bridges outward."),
        "share",
    ),
    "bridging": Explanation(
        _("Bridging ties"),
        _(
            "The share of its ties to other sectors or territories: access to new ideas and "
            "resources."
        ),
        _("Few bridging ties: invite it to cross-sector spaces such as the local directorate."),
        "share",
    ),
    "linking": Explanation(
        _("Linking ties"),
        _("The share of its ties to public bodies and funders: access to decisions and money."),
        _(
            "No linking ties: introduce it to the municipality or a funder that works on its "
            "themes."
        ),
        "share",
    ),
    "coordinator": Explanation(
        pgettext_lazy("brokerage role", "Coordinator"),
        _("Passes things along between actors of its own sector."),
        _("Ask it to help organize its own sector."),
        "count",
    ),
    "gatekeeper": Explanation(
        pgettext_lazy("brokerage role", "Gatekeeper"),
        _("Brings what comes from other sectors into its own sector."),
        _("Make sure what it receives reaches its whole sector, not only itself."),
        "count",
    ),
    "representative": Explanation(
        pgettext_lazy("brokerage role", "Representative"),
        _("Carries its own sector's voice to other sectors."),
        _("Support it when it speaks for its sector in shared spaces."),
        "count",
    ),
    "consultant": Explanation(
        pgettext_lazy("brokerage role", "Consultant"),
        _("Connects actors of another sector among themselves, from outside it."),
        _("Useful as a neutral go-between; check that the sector can also meet without it."),
        "count",
    ),
    "liaison": Explanation(
        pgettext_lazy("brokerage role", "Liaison"),
        _("Connects two sectors, neither of them its own."),
        _("A key link between worlds that do not meet: involve it in cross-sector work."),
        "count",
    ),
    "community": Explanation(
        pgettext_lazy("network cluster", "Community"),
        _("The group of actors it works with most closely."),
        _("Communities are a good unit for meetings and shared agendas."),
        "id",
    ),
    "coreness": Explanation(
        _("Core level"),
        _("How deep in the densely connected core of the network it sits: higher is more central."),
        _("Low core level: pair it with a core actor on a concrete joint activity."),
        "count",
    ),
    "is_isolate": Explanation(
        _("Isolated"),
        _("It has no ties in the network yet."),
        _("Visit it and introduce it to one or two actors working on its themes."),
        "flag",
    ),
    "is_peripheral": Explanation(
        _("Peripheral"),
        _("It hangs on the edge of the network through a single or weak tie."),
        _("Add a second tie so that it does not depend on one partner."),
        "flag",
    ),
    "is_critical": Explanation(
        _("Critical point"),
        _("If it left, part of the network would be cut off from the rest."),
        _("Create ties that go around it, so the network does not depend on one actor."),
        "flag",
    ),
}

BROKERAGE_EXPLANATION = Explanation(
    _("Brokerage roles"),
    _(
        "How it passes things between actors, grouped by sector (counted on ties with a "
        "direction, such as funding or information)."
    ),
    _("Brokers are where information flows: keep them informed and avoid overloading them."),
    "count",
)

# Per-network figures (NetworkIndicators and the counts over its actors).
NETWORK_FIGURES: dict[str, Explanation] = {
    "size": Explanation(
        _("Actors"),
        _("How many actors are part of this network."),
        _("Check that the main actors of the territory are registered."),
        "count",
    ),
    "ties": Explanation(
        _("Ties"),
        _("How many pairs of actors have a tie."),
        _("Record ties from meetings, funds and surveys so the picture stays current."),
        "count",
    ),
    "density": Explanation(
        _("Density"),
        _("The share of all possible ties that exist: how tightly knit the network is."),
        _("Low density is normal in large networks; watch whether it grows over the cycles."),
        "share",
    ),
    "components": Explanation(
        _("Separate groups"),
        _(
            "How many parts of the network have no tie at all between them (an isolated actor "
            "counts as one)."
        ),
        _("More than one: look for an actor or an activity that can join the groups."),
        "count",
    ),
    "largest_component_share": Explanation(
        _("Connected share"),
        _("The share of actors in the largest connected group."),
        _("Low: many actors are outside the main network; bring them in one by one."),
        "share",
    ),
    "cross_sector_share": Explanation(
        _("Cross-sector ties"),
        _("The share of ties that join different sectors (community, public, private…)."),
        _(
            "Low: create spaces where community groups, public services and businesses work "
            "together."
        ),
        "share",
    ),
    "clustering": Explanation(
        _("Closed triangles"),
        _("How often two partners of the same actor also work together: a sign of trust."),
        _("High with few bridges: groups are close-knit but inward-looking."),
        "share",
    ),
    "average_distance": Explanation(
        _("Average distance"),
        _("How many steps it takes, on average, to go from one actor to another."),
        _("Long distances: information travels slowly; a few well-placed ties shorten them."),
    ),
    "sector_assortativity": Explanation(
        _("Own-sector preference"),
        _("Whether actors tie mostly with their own sector (near 1) or mix (near 0 or below)."),
        _("High: encourage projects that bring sectors together."),
    ),
    "communities": Explanation(
        _("Communities"),
        _("How many groups of actors work closely among themselves."),
        _("Give each community a link to the others, through shared meetings or projects."),
        "count",
    ),
    "modularity": Explanation(
        _("Separation of communities"),
        _("How clearly the network splits into groups (0 is no split, near 1 very separate)."),
        _("High: the groups barely talk to each other; build bridges between them."),
    ),
    "isolates": Explanation(
        _("Isolated actors"),
        _("Actors with no tie in the network."),
        _("Visit them and introduce each to one or two partners."),
        "count",
    ),
    "peripheral": Explanation(
        _("Peripheral actors"),
        _("Actors on the edge, hanging on a single or weak tie."),
        _("Give each a second tie so that it does not depend on one partner."),
        "count",
    ),
    "critical": Explanation(
        _("Critical points"),
        _("Actors whose departure would cut part of the network off."),
        _("Create ties around them so the network does not depend on them."),
        "count",
    ),
    "brokers": Explanation(
        _("Brokers"),
        _("Actors that connect groups that would otherwise not talk to each other."),
        _("Involve them in planning, and share their load with others."),
        "count",
    ),
    "mean_reach": Explanation(
        _("Average reach"),
        _(
            "On average, the share of the network an actor reaches through a partner or a "
            "partner's partner."
        ),
        _("Low: the network is scattered; connect its groups."),
        "share",
    ),
    "critical_ties": Explanation(
        _("Critical ties"),
        _("Ties whose loss would split the network in two."),
        _("Back each one up with another tie between the same groups."),
        "count",
    ),
}

# The key figures shown as cards, in order.
KEY_FIGURES = (
    "size",
    "ties",
    "components",
    "cross_sector_share",
    "mean_reach",
    "isolates",
    "brokers",
    "communities",
)
# The columns of the per-scope tables.
SCOPE_COLUMNS = (
    "size",
    "ties",
    "density",
    "components",
    "cross_sector_share",
    "clustering",
    "average_distance",
    "isolates",
)

STAGE_TEXTS: dict[str, Explanation] = {
    "fragmented": Explanation(
        _("Fragmented"),
        _(
            "The network is made of separate groups that do not know each other: efforts are "
            "duplicated and resources do not flow."
        ),
        _(
            "Bring the groups together around a shared need: a joint meeting, a common map of "
            "the territory, a first small project."
        ),
    ),
    "single_hub": Explanation(
        _("Single hub"),
        _(
            "Most ties go through one central actor: it holds the network together, but "
            "everything depends on it."
        ),
        _(
            "Help other actors connect directly, and share the hub's role with a second "
            "organization so the network survives if it steps back."
        ),
    ),
    "multi_hub": Explanation(
        _("Several hubs"),
        _(
            "A few well-connected actors each lead a group: the network is more resilient, but "
            "the groups may work apart."
        ),
        _("Connect the hubs with each other, through the local directorate or a joint project."),
    ),
    "core_periphery": Explanation(
        _("Core and periphery"),
        _(
            "A dense core of actors works together and others hang around it: the mature shape "
            "of a network, as long as the periphery is not left out."
        ),
        _("Keep the core open: invite peripheral actors into its activities and decisions."),
    ),
}

# The steps of a computation, shown next to the progress bar. Unknown codes read "Computing".
STEPS: dict[str, Text] = {
    "loading": _("Reading the actors and ties"),
    "indicators": _("Computing the indicators"),
    "partners": _("Counting partners and reach"),
    "bridges": _("Finding the bridges"),
    "degree": _("Counting partners"),
    "reach": _("Measuring reach"),
    "betweenness": _("Finding the bridges"),
    "constraint": _("Measuring closed circles"),
    "structural_holes": _("Measuring closed circles"),
    "mix": _("Measuring bonding, bridging and linking"),
    "brokerage": _("Finding brokerage roles"),
    "communities": _("Finding communities"),
    "coreness": _("Finding the core"),
    "critical": _("Finding critical points"),
    "network": _("Computing the network figures"),
    "networks": _("Computing the figures per territory, theme and type of tie"),
    "opportunities": _("Looking for introductions to suggest"),
    "saving": _("Saving the results"),
    "done": _("Done"),
}

SCOPES: dict[str, Text] = {
    "territory": _("By territory"),
    "theme": _("By theme"),
    "tie_type": _("By type of tie"),
}

# Opportunity kinds: what the suggestion is for.
KIND_ADVICE: dict[str, Text] = {
    "shared_partners": _(
        "They already have partners in common: an introduction is easy and likely to work."
    ),
    "complementary": _(
        "They work on the same theme or place from different sectors: "
        "together they can do what neither can alone."
    ),
    "bring_in": _("An isolated actor: this partner can bring it into the network."),
    "redundancy": _(
        "The network depends on one broker here: this tie would keep the groups "
        "connected without it."
    ),
}


def step_text(step: str) -> Text:
    return STEPS.get(step, _("Computing"))


def _names(ids: Iterable[Any], names: Mapping[int, str], limit: int = 3) -> str:
    listed = [names.get(int(i), gettext("an actor")) for i in ids if i is not None]
    if len(listed) > limit:
        rest = len(listed) - limit
        shown = [*listed[:limit], ngettext("%(n)s other", "%(n)s others", rest) % {"n": rest}]
        return str(get_text_list(shown, gettext("and")))
    return str(get_text_list(listed, gettext("and")))


def _sector(code: Any) -> str:
    return str(dict(Sector.choices).get(str(code), code))


@dataclass(frozen=True)
class ReasonContext:
    """Names for the ids a reason refers to, loaded in bulk by the page."""

    actors: Mapping[int, str]  # actor id → name (the pair and every actor the reasons name)
    themes: Mapping[int, str]  # theme id → name
    a: int  # the pair's actor ids
    b: int
    place: str = ""  # the territory of the pair, when they share one


def _theme_names(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    ids = list(reason.get("themes") or ())
    return str(
        get_text_list(
            [ctx.themes.get(int(t), gettext("a shared theme")) for t in ids], gettext("and")
        )
    )


def _shared_partners(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    via = list(reason.get("via") or ())
    count = int(reason.get("count") or len(via))
    if via and count <= len(via):
        return gettext("Both work with %(partners)s, but not with each other.") % {
            "partners": _names(via, ctx.actors)
        }
    if via:
        return ngettext(
            "Both work with %(partners)s (%(count)s partner in common), but not with each other.",
            "Both work with %(partners)s (%(count)s partners in common), but not with each other.",
            count,
        ) % {"partners": _names(via, ctx.actors), "count": count}
    return ngettext(
        "They have %(count)s partner in common, but no tie with each other.",
        "They have %(count)s partners in common, but no tie with each other.",
        count,
    ) % {"count": count}


def _complementary(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    sectors = list(reason.get("sectors") or ())
    if len(sectors) == 2:
        text = gettext("They come from different sectors (%(first)s and %(second)s)") % {
            "first": _sector(sectors[0]),
            "second": _sector(sectors[1]),
        }
    else:
        text = gettext("They come from different sectors")
    together = []
    if reason.get("themes"):
        together.append(gettext("both work on %(themes)s") % {"themes": _theme_names(reason, ctx)})
    if reason.get("same_territory"):
        together.append(
            gettext("both work in %(place)s") % {"place": ctx.place}
            if ctx.place
            else gettext("both work in the same territory")
        )
    if together:
        text = gettext("%(difference)s, and %(common)s.") % {
            "difference": text,
            "common": get_text_list(together, gettext("and")),
        }
    else:
        text += "."
    return text + " " + gettext("They are far apart in the network, so each brings the other news.")


def _bring_in(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    broker = reason.get("broker")
    broker_id = int(broker) if broker is not None else ctx.b
    newcomer_id = ctx.a if broker_id == ctx.b else ctx.b
    names = {
        "newcomer": ctx.actors.get(newcomer_id, gettext("One of them")),
        "broker": ctx.actors.get(broker_id, gettext("the other")),
    }
    if reason.get("isolated"):
        first = gettext("%(newcomer)s has no ties in the network yet.") % names
    else:
        first = gettext("%(newcomer)s hangs on the edge of the network by a single tie.") % names
    shared = reason.get("shared")
    if shared == "territory":
        second = (
            gettext("%(broker)s is well connected and works in %(place)s too.")
            % {**names, "place": ctx.place}
            if ctx.place
            else gettext("%(broker)s is well connected and works in the same territory.") % names
        )
    elif shared == "theme" and reason.get("themes"):
        second = gettext("%(broker)s is well connected and also works on %(themes)s.") % {
            **names,
            "themes": _theme_names(reason, ctx),
        }
    else:
        second = (
            gettext("%(broker)s is one of the best-connected actors and can bring it in.") % names
        )
    return f"{first} {second}"


def _redundancy(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    broker = reason.get("broker")
    name = ctx.actors.get(int(broker), gettext("a single actor")) if broker is not None else None
    sizes = list(reason.get("sizes") or ())
    values = {
        "broker": name or gettext("a single actor"),
        "a": ctx.actors.get(ctx.a, gettext("one")),
        "b": ctx.actors.get(ctx.b, gettext("the other")),
    }
    if len(sizes) == 2:
        return gettext(
            "%(a)s and %(b)s are in groups (of %(first)s and %(second)s actors) joined only "
            "through %(broker)s: a tie between them keeps the network together if %(broker)s "
            "steps back."
        ) % {**values, "first": sizes[0], "second": sizes[1]}
    return (
        gettext(
            "%(a)s and %(b)s are in groups joined only through %(broker)s: a tie between them "
            "keeps the network together if %(broker)s steps back."
        )
        % values
    )


ReasonWriter = Callable[[Mapping[str, Any], ReasonContext], str]

REASONS: dict[str, ReasonWriter] = {
    "shared_partners": _shared_partners,
    "complementary": _complementary,
    "bring_in": _bring_in,
    "redundancy": _redundancy,
}


def reason_sentence(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    writer = REASONS.get(str(reason.get("code", "")))
    if writer is None:
        return gettext("The shape of the network suggests it.")
    return writer(reason, ctx)


def reason_actor_ids(reasons: Iterable[Mapping[str, Any]]) -> set[int]:
    """The actor ids a list of reasons mentions (to load their names in one query)."""
    ids: set[int] = set()
    for reason in reasons:
        ids.update(int(v) for v in reason.get("via") or () if v is not None)
        if reason.get("broker") is not None:
            ids.add(int(str(reason["broker"])))
    return ids


def reason_theme_ids(reasons: Iterable[Mapping[str, Any]]) -> set[int]:
    return {int(t) for reason in reasons for t in reason.get("themes") or ()}


def format_value(value: Any, unit: str) -> str:
    """A figure as a person reads it: shares as percentages, numbers with one decimal."""
    if value is None:
        return "—"
    if unit == "flag":
        return gettext("Yes") if value else gettext("No")
    if unit in ("count", "id"):
        return number_format(int(value), force_grouping=True)
    if unit == "share":
        # Django's number_format cuts decimals off; round first so 25.6 reads 26.
        return gettext("%(percent)s%%") % {"percent": number_format(round(float(value) * 100))}
    number = float(value)
    places = 2 if abs(number) < 10 else 1
    return number_format(round(number, places), places)


def scope_label(
    scope: str, key: str, territories: Mapping[int, str], themes: Mapping[int, str]
) -> str:
    if scope == "territory":
        return territories.get(int(key), gettext("A territory"))
    if scope == "theme":
        return themes.get(int(key), gettext("A theme"))
    if scope == "tie_type":
        return str(dict(TieType.choices).get(key, key))
    return gettext("The whole network")


def all_codes_explained() -> dict[str, set[str]]:
    """What lacks a text (the tests expect every set empty)."""
    from ..analysis import ActorIndicators, NetworkIndicators
    from ..weaving import KINDS

    actor_fields = set(ActorIndicators.__dataclass_fields__) - {"brokerage"}
    network_fields = set(NetworkIndicators.__dataclass_fields__) - {
        "stage",
        "bridges",
        "average_distance_sampled",
    }
    return {
        "actor": (actor_fields | set(BROKERAGE_ROLES)) - set(ACTOR_INDICATORS),
        "network": network_fields - set(NETWORK_FIGURES),
        "stage": set(STAGES) - set(STAGE_TEXTS),
        "kind": (set(KINDS) - set(KIND_ADVICE)) | (set(KINDS) - set(REASONS)),
    }


__all__ = [
    "ACTOR_INDICATORS",
    "BROKERAGE_EXPLANATION",
    "KEY_FIGURES",
    "KIND_ADVICE",
    "NETWORK_FIGURES",
    "REASONS",
    "SCOPES",
    "SCOPE_COLUMNS",
    "STAGE_TEXTS",
    "STEPS",
    "Explanation",
    "ReasonContext",
    "format_value",
    "reason_sentence",
    "scope_label",
    "step_text",
]
