"""The network map page and the data it draws."""

from __future__ import annotations

import gzip
import json
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tejido.actors.models import Sector
from tejido.core.http import is_htmx, program_for_request
from tejido.core.models import Cycle, Program

from ..models import Intensity, TieType
from ..selectors import (
    MapScope,
    MapView,
    map_cycle_options,
    map_fingerprint,
    map_scope,
    map_snapshot,
    map_summary,
    map_territory_options,
    map_theme_options,
)
from ..selectors import (
    map_data as load_map_data,
)
from .profile import actor_url_maker, page_number

# Built map data is kept this long under its validator: the next reader of the same view (a
# colleague, the same coordinator on another device) gets it without a query for its ties.
MAP_DATA_CACHE_SECONDS = 600


def _map_messages() -> dict[str, Any]:
    """The map script's words, translated here so that the script carries none."""
    return {
        "loading": _("Loading the map…"),
        "layout": _("Arranging the network…"),
        "ready": _("Map ready: %(actors)s actors and %(ties)s ties."),
        "empty": _("There are no actors in this view."),
        "tooLarge": _(
            "This view has %(actors)s actors, too many to draw. Choose a territory or a theme, "
            "or use the table below."
        ),
        "error": _("The map could not be loaded. The table below lists the same actors."),
        "noWebgl": _(
            "This browser cannot draw the map (WebGL is off). The table below lists the same "
            "actors."
        ),
        "found": _("%(name)s is highlighted, with its %(count)s partners in this view."),
        "partners": _("%(count)s partners in this view."),
        "notFound": _("No actor in this view matches “%(query)s”."),
        "mapLabel": _(
            "Network map with %(actors)s actors and %(ties)s ties. The table below lists them."
        ),
        "openProfile": _("Open profile"),
        "closeEgo": _("Back to the whole network"),
        "partnersHeading": _("Partners in this view"),
        "morePartners": _("and %(count)s more"),
        "indicatorsHeading": _("Indicators"),
        "indicatorsAsOf": _("Indicators computed on %(date)s."),
        "noIndicators": _(
            "The indicators of this network have not been computed yet: sizes show direct "
            "partners in this view."
        ),
        "estimated": _("The bridge role is estimated on a network this large."),
        "other": _("Others"),
        "noTerritory": _("No territory recorded"),
        "community": pgettext("network cluster", "Community %(number)s"),
        "highlighted": _("%(count)s actors highlighted: %(what)s."),
        "criticalTies": _("%(count)s critical ties."),
        "nothingToHighlight": _("Nothing to highlight in this view."),
        "sizeLegend": _("Circle size shows “%(indicator)s”: the bigger, the higher."),
        "lineLegend": _("The thicker the line, the more intense the tie."),
        "tableStale": _("The table below shows these filters after it is updated."),
        "isolated": _("Isolated"),
        "peripheral": _("Peripheral"),
        "critical": _("Critical point"),
        "broker": _("Broker"),
        "yes": _("yes"),
        "sizeBy": dict(_size_options()),
        "highlight": dict(_highlight_options()),
    }


def _size_options() -> list[tuple[str, str]]:
    """What nodes can be sized by: direct partners are counted in the view itself; the others
    come from the computed indicators of the network."""
    return [
        ("degree", _("Direct partners")),
        ("strength", _("Strength of ties")),
        ("two_step_reach", _("Two-step reach")),
        ("betweenness", _("Bridge role")),
        ("effective_size", _("Non-redundant partners")),
        ("coreness", _("Core level")),
    ]


def _colour_options() -> list[tuple[str, str]]:
    return [
        ("sector", _("Sector")),
        # Not the community sector: a group of actors more tied among themselves than outside.
        ("community", pgettext("network cluster", "Community")),
        ("territory", _("Territory")),
    ]


def _highlight_options() -> list[tuple[str, str]]:
    return [
        ("", _("Nothing")),
        ("brokers", _("Brokers (top bridge role)")),
        ("isolates", _("Isolated actors")),
        ("critical", _("Critical points and ties")),
    ]


def _resolve_scope(request: HttpRequest, program: Program, **options: Any) -> MapScope:
    return map_scope(
        program,
        viewer=request.user,
        view=request.GET.get("view", MapView.MULTISECTOR),
        territory_slug=request.GET.get("territory", ""),
        theme_slug=request.GET.get("theme", ""),
        cycle_number=request.GET.get("cycle", ""),
        tie_types=request.GET.getlist("type"),
        min_intensity=request.GET.get("intensity", ""),
        **options,
    )


def _cycle_label(cycle: Cycle, today: Any) -> str:
    if cycle.ends_on >= today:
        return _("%(cycle)s (running)") % {"cycle": cycle}
    return _("%(cycle)s (ended %(date)s)") % {
        "cycle": cycle,
        "date": formats.date_format(cycle.ends_on, "SHORT_DATE_FORMAT"),
    }


def _choice(value: str, options: list[tuple[str, str]]) -> str:
    return value if value in {code for code, _label in options} else options[0][0]


@require_safe
def network_map(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, "network.view_map")
    today = timezone.localdate()
    territory_options = map_territory_options(program_obj, request.user)
    theme_options = map_theme_options()
    cycle_options = map_cycle_options(program_obj, today=today)
    scope = _resolve_scope(
        request,
        program_obj,
        territory_options=territory_options,
        theme_options=theme_options,
        cycle_options=cycle_options,
    )
    summary = map_summary(scope, page=page_number(request.GET.get("page")), today=today)
    query = scope.query()
    base_url = reverse("network:map", args=[program_obj.slug])
    try:
        focus = int(request.GET.get("focus") or 0)
    except ValueError:
        focus = 0
    # The tabs keep the filters that make sense in every view (cycle, types, intensity).
    carried = {k: v for k, v in query.items() if k not in {"view", "territory", "theme"}}
    view_links = [
        {
            "view": view,
            "label": label,
            "url": f"{base_url}?{urlencode({'view': view, **carried}, doseq=True)}",
            "current": scope.view == view,
        }
        for view, label in (
            (MapView.MULTISECTOR, _("Multi-sector")),
            (MapView.GEOGRAPHIC, _("Geographic")),
            (MapView.THEMATIC, _("Thematic")),
        )
    ]
    url_for = actor_url_maker(program_obj)
    appearance = {
        "size": _choice(request.GET.get("size", ""), _size_options()),
        "colour": _choice(request.GET.get("colour", ""), _colour_options()),
        "highlight": _choice(request.GET.get("highlight", ""), _highlight_options()),
    }
    context = {
        "program": program_obj,
        "scope": scope,
        "summary": summary,
        "view_links": view_links,
        "territory_options": territory_options,
        "theme_options": theme_options,
        "cycle_choices": [(c.number, _cycle_label(c, today)) for c in cycle_options],
        "tie_type_choices": TieType.choices,
        "intensity_choices": Intensity.choices,
        "size_options": _size_options(),
        "colour_options": _colour_options(),
        "highlight_options": _highlight_options(),
        "appearance": appearance,
        "data_url": f"{reverse('network:map_data', args=[program_obj.slug])}?"
        f"{urlencode(query, doseq=True)}",
        "page_query": urlencode(
            {**query, **{k: v for k, v in appearance.items() if v}}, doseq=True
        ),
        "focus": focus,
        "actor_rows": [(actor, degree, url_for(actor.pk)) for actor, degree in summary.actors],
        "sectors": [
            (code, label, {c: n for c, _l, n in summary.by_sector}.get(code, 0))
            for code, label in Sector.choices
        ],
        "intensities": Intensity.choices,
        "map_messages": _map_messages(),
    }
    # The map's script asks for the table alone when the reader changes the filters.
    if is_htmx(request) and request.headers.get("HX-Target") == "map-table":
        return render(request, "network/map.html#map-table", context)
    return render(request, "network/map.html", context)


@require_safe
def map_data(request: HttpRequest, program: str) -> HttpResponse:
    """The current view as JSON, with an ETag so that an unchanged network is not sent again.

    Data built once is kept in the cache under its validator, compressed: the same view for the
    same kind of reader (who may or may not see people, in the same language) is then sent in
    a few milliseconds, whoever asks next.
    """
    program_obj = program_for_request(request, program, "network.view_map")
    scope = _resolve_scope(request, program_obj)
    today = timezone.localdate()
    snapshot = map_snapshot(scope)
    fingerprint = map_fingerprint(scope, today=today, snapshot=snapshot, extra=get_language() or "")
    etag = f'"{fingerprint}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        _cache_headers(not_modified, etag)
        return not_modified
    key = f"tejido:map-data:{fingerprint}"
    packed: bytes | None = cache.get(key)
    if packed is None:
        data = load_map_data(
            scope, url_for=actor_url_maker(program_obj), today=today, snapshot=snapshot
        )
        packed = gzip.compress(_json_bytes(data), compresslevel=1, mtime=0)
        cache.set(key, packed, MAP_DATA_CACHE_SECONDS)
    response = HttpResponse(content_type="application/json")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        # Compressed once at level 1: 2.5 MB in about 10 ms, where the default level takes
        # three times as long for a file only 25% smaller. The data holds no secret, so
        # compression leaks nothing (BREACH needs a secret reflected next to user input).
        response.content = packed
        response["Content-Encoding"] = "gzip"
    else:
        response.content = gzip.decompress(packed)
    response["Content-Length"] = str(len(response.content))
    _cache_headers(response, etag)
    return response


def _json_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _cache_headers(response: HttpResponse, etag: str) -> None:
    # Weak: the same data may travel compressed or not, so the bytes are not always equal.
    response["ETag"] = f"W/{etag}"
    # Private: what a visitor sees depends on who they are. no-cache: the browser keeps it but
    # asks each time, and gets a 304 while nothing changed.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language", "Accept-Encoding"))
