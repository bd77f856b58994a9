"""Intercooperation URLs: each area keeps its own list in its package; they are joined here.

Every address starts with `p/<program>/cooperation/`.
"""

from __future__ import annotations

from .agendas.urls import urlpatterns as agenda_urls
from .board.urls import urlpatterns as board_urls
from .consortia.urls import urlpatterns as consortium_urls
from .missions.urls import urlpatterns as mission_urls
from .projects.urls import urlpatterns as project_urls
from .sharing.urls import urlpatterns as sharing_urls

app_name = "cooperation"

urlpatterns = [
    *board_urls,
    *sharing_urls,
    *consortium_urls,
    *project_urls,
    *agenda_urls,
    *mission_urls,
]
