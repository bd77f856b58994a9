"""Governance URLs: each area keeps its own list in its package; they are joined here."""

from __future__ import annotations

from .bodies.urls import urlpatterns as body_urls
from .decisions.urls import urlpatterns as decision_urls
from .meetings.urls import urlpatterns as meeting_urls
from .needs.urls import urlpatterns as need_urls
from .plans.urls import urlpatterns as plan_urls
from .selection.urls import urlpatterns as selection_urls

app_name = "governance"

urlpatterns = [
    *body_urls,
    *selection_urls,
    *meeting_urls,
    *decision_urls,
    *need_urls,
    *plan_urls,
]
