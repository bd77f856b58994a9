"""Shared services URLs, joined into the cooperation app's (names are `cooperation:...`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

P = "p/<slug:program>/cooperation/"
SERVICE = f"{P}services/<int:pk>/"
AGREEMENT = f"{P}agreements/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{P}services/", views.catalogue, name="services"),
    path(f"{P}services/new/", views.listing_create, name="service_new"),
    path(SERVICE, views.listing, name="service"),
    path(f"{SERVICE}edit/", views.listing_edit, name="service_edit"),
    path(f"{SERVICE}status/", views.listing_status, name="service_status"),
    path(f"{SERVICE}request/", views.service_request, name="service_request"),
    path(AGREEMENT, views.agreement, name="agreement"),
    path(f"{AGREEMENT}decide/", views.agreement_decide, name="agreement_decide"),
]
