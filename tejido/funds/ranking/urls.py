"""Ranking URLs, joined into the funds app's (names are `funds:...`)."""

from django.urls import URLPattern, path

from . import views

CALL = "p/<slug:program>/funds/calls/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{CALL}ranking/", views.ranking, name="ranking"),
    path(f"{CALL}ranking/run/", views.allocation_run, name="allocation_run"),
    path(f"{CALL}ranking/what-if/", views.allocation_whatif, name="allocation_whatif"),
    path(f"{CALL}ranking/decide/", views.call_decide, name="call_decide"),
    path(f"{CALL}ranking/publish/", views.call_publish_results, name="call_publish_results"),
]
