"""Study mission URLs (names are `cooperation:mission*`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

P = "p/<slug:program>/cooperation/missions/"

urlpatterns: list[URLPattern] = [
    path(P, views.missions, name="missions"),
    path(P + "new/", views.mission_new, name="mission_new"),
    path(P + "<int:pk>/", views.mission, name="mission"),
    path(P + "<int:pk>/edit/", views.mission_edit, name="mission_edit"),
    path(P + "<int:pk>/travellers/", views.mission_travellers, name="mission_travellers"),
    path(P + "<int:pk>/contacts/", views.mission_contacts, name="mission_contacts"),
    path(P + "<int:pk>/follow-up/", views.mission_follow_up, name="mission_follow_up"),
]
