"""The network map page and the data it draws."""

from __future__ import annotations

import gzip
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tejido.actors.models import Sector
from tejido.core.http import program_for_request
from tejido.core.models import Program

from ..models import Intensity
from ..selectors import (
    MapScope,
    MapView,
    map_fingerprint,
    map_scope,
    map_summary,
    map_territory_options,
    map_theme_options,
)
from ..selectors import (
    map_data as load_map_data,
)
from .profile import actor_url_maker, page_number


def _view_query(scope: MapScope) -> dict[str, str]:
    query = {"view": scope.view}
    if scope.territory is not None:
        query["territory"] = scope.territory.slug
    if scope.theme is not None:
        query["theme"] = scope.theme.slug
    return query


def _map_messages() -> dict[str, str]:
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
    }


def _resolve_scope(request: HttpRequest, program: Program, **options: Any) -> MapScope:
    return map_scope(
        program,
        viewer=request.user,
        view=request.GET.get("view", MapView.MULTISECTOR),
        territory_slug=request.GET.get("territory", ""),
        theme_slug=request.GET.get("theme", ""),
        **options,
    )


@require_safe
def network_map(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, "network.view_map")
    territory_options = map_territory_options(program_obj, request.user)
    theme_options = map_theme_options()
    scope = _resolve_scope(
        request, program_obj, territory_options=territory_options, theme_options=theme_options
    )
    summary = map_summary(scope, page=page_number(request.GET.get("page")))
    view_query = _view_query(scope)
    base_url = reverse("network:map", args=[program_obj.slug])
    try:
        focus = int(request.GET.get("focus") or 0)
    except ValueError:
        focus = 0
    view_links = [
        {
            "view": view,
            "label": label,
            "url": f"{base_url}?{urlencode({'view': view})}",
            "current": scope.view == view,
        }
        for view, label in (
            (MapView.MULTISECTOR, _("Multi-sector")),
            (MapView.GEOGRAPHIC, _("Geographic")),
            (MapView.THEMATIC, _("Thematic")),
        )
    ]
    url_for = actor_url_maker(program_obj)
    context = {
        "program": program_obj,
        "scope": scope,
        "summary": summary,
        "view_links": view_links,
        "territory_options": territory_options,
        "theme_options": theme_options,
        "data_url": f"{reverse('network:map_data', args=[program_obj.slug])}?"
        f"{urlencode(view_query)}",
        "page_query": urlencode(view_query),
        "focus": focus,
        "actor_rows": [(actor, degree, url_for(actor.pk)) for actor, degree in summary.actors],
        "sectors": [
            (code, label, {c: n for c, _l, n in summary.by_sector}.get(code, 0))
            for code, label in Sector.choices
        ],
        "intensities": Intensity.choices,
        "map_messages": _map_messages(),
    }
    return render(request, "network/map.html", context)


@require_safe
def map_data(request: HttpRequest, program: str) -> HttpResponse:
    """The current view as JSON, with an ETag so that an unchanged network is not sent again."""
    program_obj = program_for_request(request, program, "network.view_map")
    scope = _resolve_scope(request, program_obj)
    today = timezone.localdate()
    etag = f'"{map_fingerprint(scope, today=today, extra=get_language() or "")}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        _cache_headers(not_modified, etag)
        return not_modified
    data = load_map_data(scope, url_for=actor_url_maker(program_obj), today=today)
    response = JsonResponse(
        data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )
    _compress(request, response)
    _cache_headers(response, etag)
    return response


def _compress(request: HttpRequest, response: HttpResponse) -> None:
    """Gzip the map data for clients that accept it.

    A territory's network is a few megabytes of JSON and a tenth of that compressed; phones on
    mobile data feel the difference. Level 1 compresses 2.5 MB in about 10 ms, where the
    default level takes three times as long for a file only 25% smaller. The data holds no
    secret, so compression leaks nothing (BREACH needs a secret reflected next to user input).
    """
    if "gzip" not in request.headers.get("Accept-Encoding", "") or len(response.content) < 1024:
        return
    response.content = gzip.compress(response.content, compresslevel=1, mtime=0)
    response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))


def _cache_headers(response: HttpResponse, etag: str) -> None:
    # Weak: the same data may travel compressed or not, so the bytes are not always equal.
    response["ETag"] = f"W/{etag}"
    # Private: what a visitor sees depends on who they are. no-cache: the browser keeps it but
    # asks each time, and gets a 304 while nothing changed.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language", "Accept-Encoding"))
