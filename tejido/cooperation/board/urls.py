"""URLs of the hub and the opportunities boards (see tejido/cooperation/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

P = "p/<slug:program>/cooperation/"

urlpatterns: list[URLPattern] = [
    path(P, views.hub, name="hub"),
    path(P + "opportunities/", views.program_board, name="board"),
    path(P + "opportunities/<int:actor>/", views.entity_board, name="entity_board"),
]
