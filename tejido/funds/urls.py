"""Funds URLs: each area keeps its own list in its package; they are joined here.

Every address starts with `p/<program>/funds/`.
"""

from __future__ import annotations

from .applications.urls import urlpatterns as application_urls
from .awards.urls import urlpatterns as award_urls
from .calls.urls import urlpatterns as call_urls
from .opendata.urls import urlpatterns as opendata_urls
from .ranking.urls import urlpatterns as ranking_urls
from .reviews.urls import urlpatterns as review_urls

app_name = "funds"

urlpatterns = [
    *call_urls,
    *application_urls,
    *review_urls,
    *ranking_urls,
    *award_urls,
    *opendata_urls,
]
