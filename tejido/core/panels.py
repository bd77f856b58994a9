"""Panels other apps add to a page they do not own.

The actor profile lives in the network app, which must not import the apps built on it
(dependencies point one way: network ← governance, funds...). Those apps register a panel here
in their `AppConfig.ready()`; the profile asks for the panels and shows what they render.

A panel is a function `(request, actor) -> str | None`: the panel's HTML (rendered with
`render_to_string`, so already safe), or None / "" when it has nothing to show for this actor
and reader. It must read what it needs in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

ActorPanel = Callable[[HttpRequest, Any], str | None]

_actor_panels: list[ActorPanel] = []


def register_actor_panel(panel: ActorPanel) -> ActorPanel:
    """Add a panel to the actor profile (once, however often `ready()` runs). Usable as a
    decorator."""
    if panel not in _actor_panels:
        _actor_panels.append(panel)
    return panel


def actor_panels(request: HttpRequest, actor: Any) -> list[str]:
    """The HTML of every registered panel that has something to show, in registration order."""
    rendered = (panel(request, actor) for panel in _actor_panels)
    return [html for html in rendered if html]
