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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


L = gettext_lazy

ACTOR_INDICATORS: dict[str, Explanation] = {
    "degree": Explanation(
        L("Direct partners"),
        L("How many actors it has a tie with."),
        L("Few partners: help it meet others working on the same themes or in the same place."),
        "count",
    ),
    "strength": Explanation(
        L("Strength of ties"),
        L(
            "Its partners weighted by how close each tie is, from knowing of each other to "
            "working as one."
        ),
        L("Many partners but little strength: deepen a few of those ties into real cooperation."),
    ),
    "two_step_reach": Explanation(
        L("Two-step reach"),
        L("The share of the network it can reach through a partner or a partner's partner."),
        L("Low reach: one introduction to a well-connected actor can open the whole network."),
        "share",
    ),
    "betweenness": Explanation(
        L("Bridge role"),
        L("Connects groups that would otherwise not talk to each other."),
        L(
            "A strong bridge is valuable and fragile: involve it in planning and make sure others "
            "also connect those groups."
        ),
        "share",
    ),
    "effective_size": Explanation(
        L("Non-redundant partners"),
        L(
            "How many of its partners bring something different, because they do not already "
            "know each other."
        ),
        L("Few non-redundant partners: look for partners outside its usual circle."),
    ),
    "constraint": Explanation(
        L("Closed circle"),
        L("How much its partners all know each other: high means few new ideas come in."),
        L("High: connect it with someone from another sector or territory."),
    ),
    "bonding": Explanation(
        L("Bonding ties"),
        L(
            "The share of its ties within its own sector or territory: trust and mutual help "
            "close to home."
        ),
        L("Mostly bonding: it is well rooted; add a few bridges outward."),
        "share",
    ),
    "bridging": Explanation(
        L("Bridging ties"),
        L(
            "The share of its ties to other sectors or territories: access to new ideas and "
            "resources."
        ),
        L("Few bridging ties: invite it to cross-sector spaces such as the local directorate."),
        "share",
    ),
    "linking": Explanation(
        L("Linking ties"),
        L("The share of its ties to public bodies and funders: access to decisions and money."),
        L(
            "No linking ties: introduce it to the municipality or a funder that works on its "
            "themes."
        ),
        "share",
    ),
    "coordinator": Explanation(
        L("Coordinator"),
        L("Passes things along between actors of its own sector."),
        L("Ask it to help organize its own sector."),
        "count",
    ),
    "gatekeeper": Explanation(
        L("Gatekeeper"),
        L("Brings what comes from other sectors into its own sector."),
        L("Make sure what it receives reaches its whole sector, not only itself."),
        "count",
    ),
    "representative": Explanation(
        L("Representative"),
        L("Carries its own sector's voice to other sectors."),
        L("Support it when it speaks for its sector in shared spaces."),
        "count",
    ),
    "consultant": Explanation(
        L("Consultant"),
        L("Connects actors of another sector among themselves, from outside it."),
        L("Useful as a neutral go-between; check that the sector can also meet without it."),
        "count",
    ),
    "liaison": Explanation(
        L("Liaison"),
        L("Connects two sectors, neither of them its own."),
        L("A key link between worlds that do not meet: involve it in cross-sector work."),
        "count",
    ),
    "community": Explanation(
        L("Community"),
        L("The group of actors it works with most closely."),
        L("Communities are a good unit for meetings and shared agendas."),
        "id",
    ),
    "coreness": Explanation(
        L("Core level"),
        L("How deep in the densely connected core of the network it sits: higher is more central."),
        L("Low core level: pair it with a core actor on a concrete joint activity."),
        "count",
    ),
    "is_isolate": Explanation(
        L("Isolated"),
        L("It has no ties in the network yet."),
        L("Visit it and introduce it to one or two actors working on its themes."),
        "flag",
    ),
    "is_peripheral": Explanation(
        L("Peripheral"),
        L("It hangs on the edge of the network through a single or weak tie."),
        L("Add a second tie so that it does not depend on one partner."),
        "flag",
    ),
    "is_critical": Explanation(
        L("Critical point"),
        L("If it left, part of the network would be cut off from the rest."),
        L("Create ties that go around it, so the network does not depend on one actor."),
        "flag",
    ),
}

BROKERAGE_EXPLANATION = Explanation(
    L("Brokerage roles"),
    L(
        "How it passes things between actors, grouped by sector (counted on ties with a "
        "direction, such as funding or information)."
    ),
    L("Brokers are where information flows: keep them informed and avoid overloading them."),
    "count",
)

# Per-network figures (NetworkIndicators and the counts over its actors).
NETWORK_FIGURES: dict[str, Explanation] = {
    "size": Explanation(
        L("Actors"),
        L("How many actors are part of this network."),
        L("Check that the main actors of the territory are registered."),
        "count",
    ),
    "ties": Explanation(
        L("Ties"),
        L("How many pairs of actors have a tie."),
        L("Record ties from meetings, funds and surveys so the picture stays current."),
        "count",
    ),
    "density": Explanation(
        L("Density"),
        L("The share of all possible ties that exist: how tightly knit the network is."),
        L("Low density is normal in large networks; watch whether it grows over the cycles."),
        "share",
    ),
    "components": Explanation(
        L("Separate groups"),
        L(
            "How many parts of the network have no tie at all between them (an isolated actor "
            "counts as one)."
        ),
        L("More than one: look for an actor or an activity that can join the groups."),
        "count",
    ),
    "largest_component_share": Explanation(
        L("Connected share"),
        L("The share of actors in the largest connected group."),
        L("Low: many actors are outside the main network; bring them in one by one."),
        "share",
    ),
    "cross_sector_share": Explanation(
        L("Cross-sector ties"),
        L("The share of ties that join different sectors (community, public, private…)."),
        L(
            "Low: create spaces where community groups, public services and businesses work "
            "together."
        ),
        "share",
    ),
    "clustering": Explanation(
        L("Closed triangles"),
        L("How often two partners of the same actor also work together: a sign of trust."),
        L("High with few bridges: groups are close-knit but inward-looking."),
        "share",
    ),
    "average_distance": Explanation(
        L("Average distance"),
        L("How many steps it takes, on average, to go from one actor to another."),
        L("Long distances: information travels slowly; a few well-placed ties shorten them."),
    ),
    "sector_assortativity": Explanation(
        L("Own-sector preference"),
        L("Whether actors tie mostly with their own sector (near 1) or mix (near 0 or below)."),
        L("High: encourage projects that bring sectors together."),
    ),
    "communities": Explanation(
        L("Communities"),
        L("How many groups of actors work closely among themselves."),
        L("Give each community a link to the others, through shared meetings or projects."),
        "count",
    ),
    "modularity": Explanation(
        L("Separation of communities"),
        L("How clearly the network splits into groups (0 is no split, near 1 very separate)."),
        L("High: the groups barely talk to each other; build bridges between them."),
    ),
    "isolates": Explanation(
        L("Isolated actors"),
        L("Actors with no tie in the network."),
        L("Visit them and introduce each to one or two partners."),
        "count",
    ),
    "peripheral": Explanation(
        L("Peripheral actors"),
        L("Actors on the edge, hanging on a single or weak tie."),
        L("Give each a second tie so that it does not depend on one partner."),
        "count",
    ),
    "critical": Explanation(
        L("Critical points"),
        L("Actors whose departure would cut part of the network off."),
        L("Create ties around them so the network does not depend on them."),
        "count",
    ),
    "brokers": Explanation(
        L("Brokers"),
        L("Actors that connect groups that would otherwise not talk to each other."),
        L("Involve them in planning, and share their load with others."),
        "count",
    ),
    "mean_reach": Explanation(
        L("Average reach"),
        L(
            "On average, the share of the network an actor reaches through a partner or a "
            "partner's partner."
        ),
        L("Low: the network is scattered; connect its groups."),
        "share",
    ),
    "critical_ties": Explanation(
        L("Critical ties"),
        L("Ties whose loss would split the network in two."),
        L("Back each one up with another tie between the same groups."),
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
        L("Fragmented"),
        L(
            "The network is made of separate groups that do not know each other: efforts are "
            "duplicated and resources do not flow."
        ),
        L(
            "Bring the groups together around a shared need: a joint meeting, a common map of "
            "the territory, a first small project."
        ),
    ),
    "single_hub": Explanation(
        L("Single hub"),
        L(
            "Most ties go through one central actor: it holds the network together, but "
            "everything depends on it."
        ),
        L(
            "Help other actors connect directly, and share the hub's role with a second "
            "organization so the network survives if it steps back."
        ),
    ),
    "multi_hub": Explanation(
        L("Several hubs"),
        L(
            "A few well-connected actors each lead a group: the network is more resilient, but "
            "the groups may work apart."
        ),
        L("Connect the hubs with each other, through the local directorate or a joint project."),
    ),
    "core_periphery": Explanation(
        L("Core and periphery"),
        L(
            "A dense core of actors works together and others hang around it: the mature shape "
            "of a network, as long as the periphery is not left out."
        ),
        L("Keep the core open: invite peripheral actors into its activities and decisions."),
    ),
}

# The steps of a computation, shown next to the progress bar. Unknown codes read "Computing".
STEPS: dict[str, Text] = {
    "loading": L("Reading the actors and ties"),
    "indicators": L("Computing the indicators"),
    "partners": L("Counting partners and reach"),
    "bridges": L("Finding the bridges"),
    "degree": L("Counting partners"),
    "reach": L("Measuring reach"),
    "betweenness": L("Finding the bridges"),
    "constraint": L("Measuring closed circles"),
    "structural_holes": L("Measuring closed circles"),
    "mix": L("Measuring bonding, bridging and linking"),
    "brokerage": L("Finding brokerage roles"),
    "communities": L("Finding communities"),
    "coreness": L("Finding the core"),
    "critical": L("Finding critical points"),
    "network": L("Computing the network figures"),
    "networks": L("Computing the figures per territory, theme and type of tie"),
    "opportunities": L("Looking for introductions to suggest"),
    "saving": L("Saving the results"),
    "done": L("Done"),
}

SCOPES: dict[str, Text] = {
    "territory": L("By territory"),
    "theme": L("By theme"),
    "tie_type": L("By type of tie"),
}

# Opportunity kinds: what the suggestion is for.
KIND_ADVICE: dict[str, Text] = {
    "shared_partners": L(
        "They already have partners in common: an introduction is easy and likely to work."
    ),
    "complementary": L(
        "They work on the same theme or place from different sectors: "
        "together they can do what neither can alone."
    ),
    "bring_in": L("An isolated actor: this partner can bring it into the network."),
    "redundancy": L(
        "The network depends on one broker here: this tie would keep the groups "
        "connected without it."
    ),
}


def step_text(step: str) -> Text:
    return STEPS.get(step, L("Computing"))


def _names(ids: Iterable[Any], names: Mapping[int, str], limit: int = 3) -> str:
    listed = [names.get(int(i), _("an actor")) for i in ids if i is not None]
    if len(listed) > limit:
        rest = len(listed) - limit
        shown = [*listed[:limit], ngettext("%(n)s other", "%(n)s others", rest) % {"n": rest}]
        return str(get_text_list(shown, _("and")))
    return str(get_text_list(listed, _("and")))


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
    return str(get_text_list([ctx.themes.get(int(t), _("a shared theme")) for t in ids], _("and")))


def _shared_partners(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    via = list(reason.get("via") or ())
    count = int(reason.get("count") or len(via))
    if via and count <= len(via):
        return _("Both work with %(partners)s, but not with each other.") % {
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
        text = _("They come from different sectors (%(first)s and %(second)s)") % {
            "first": _sector(sectors[0]),
            "second": _sector(sectors[1]),
        }
    else:
        text = _("They come from different sectors")
    together = []
    if reason.get("themes"):
        together.append(_("both work on %(themes)s") % {"themes": _theme_names(reason, ctx)})
    if reason.get("same_territory"):
        together.append(
            _("both work in %(place)s") % {"place": ctx.place}
            if ctx.place
            else _("both work in the same territory")
        )
    if together:
        text = _("%(difference)s, and %(common)s.") % {
            "difference": text,
            "common": get_text_list(together, _("and")),
        }
    else:
        text += "."
    return text + " " + _("They are far apart in the network, so each brings the other news.")


def _bring_in(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    broker = reason.get("broker")
    broker_id = int(broker) if broker is not None else ctx.b
    newcomer_id = ctx.a if broker_id == ctx.b else ctx.b
    names = {
        "newcomer": ctx.actors.get(newcomer_id, _("One of them")),
        "broker": ctx.actors.get(broker_id, _("the other")),
    }
    if reason.get("isolated"):
        first = _("%(newcomer)s has no ties in the network yet.") % names
    else:
        first = _("%(newcomer)s hangs on the edge of the network by a single tie.") % names
    shared = reason.get("shared")
    if shared == "territory":
        second = (
            _("%(broker)s is well connected and works in %(place)s too.")
            % {**names, "place": ctx.place}
            if ctx.place
            else _("%(broker)s is well connected and works in the same territory.") % names
        )
    elif shared == "theme" and reason.get("themes"):
        second = _("%(broker)s is well connected and also works on %(themes)s.") % {
            **names,
            "themes": _theme_names(reason, ctx),
        }
    else:
        second = _("%(broker)s is one of the best-connected actors and can bring it in.") % names
    return f"{first} {second}"


def _redundancy(reason: Mapping[str, Any], ctx: ReasonContext) -> str:
    broker = reason.get("broker")
    name = ctx.actors.get(int(broker), _("a single actor")) if broker is not None else None
    sizes = list(reason.get("sizes") or ())
    values = {
        "broker": name or _("a single actor"),
        "a": ctx.actors.get(ctx.a, _("one")),
        "b": ctx.actors.get(ctx.b, _("the other")),
    }
    if len(sizes) == 2:
        return _(
            "%(a)s and %(b)s are in groups (of %(first)s and %(second)s actors) joined only "
            "through %(broker)s: a tie between them keeps the network together if %(broker)s "
            "steps back."
        ) % {**values, "first": sizes[0], "second": sizes[1]}
    return (
        _(
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
        return _("The shape of the network suggests it.")
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
        return _("Yes") if value else _("No")
    if unit in ("count", "id"):
        return number_format(int(value), force_grouping=True)
    if unit == "share":
        # Django's number_format cuts decimals off; round first so 25.6 reads 26.
        return _("%(percent)s%%") % {"percent": number_format(round(float(value) * 100))}
    number = float(value)
    places = 2 if abs(number) < 10 else 1
    return number_format(round(number, places), places)


def scope_label(
    scope: str, key: str, territories: Mapping[int, str], themes: Mapping[int, str]
) -> str:
    if scope == "territory":
        return territories.get(int(key), _("A territory"))
    if scope == "theme":
        return themes.get(int(key), _("A theme"))
    if scope == "tie_type":
        return str(dict(TieType.choices).get(key, key))
    return _("The whole network")


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
