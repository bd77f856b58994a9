"""URLs of this area (see tejido/cooperation/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

P = "p/<slug:program>/cooperation/"
PROJECT = f"{P}projects/<int:pk>/"
OFFER = f"{P}transfers/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{P}projects/", views.projects, name="projects"),
    path(f"{P}projects/new/", views.project_new, name="project_new"),
    path(PROJECT, views.project, name="project"),
    path(f"{PROJECT}edit/", views.project_edit, name="project_edit"),
    path(f"{PROJECT}status/", views.project_status, name="project_status"),
    path(f"{PROJECT}partners/", views.project_partner_add, name="project_partner_add"),
    path(
        f"{PROJECT}partners/<int:partner>/",
        views.project_partner_edit,
        name="project_partner_edit",
    ),
    path(
        f"{PROJECT}partners/<int:partner>/remove/",
        views.project_partner_remove,
        name="project_partner_remove",
    ),
    path(f"{P}transfers/", views.transfers, name="transfers"),
    path(f"{P}transfers/new/", views.transfer_offer_new, name="transfer_offer_new"),
    path(OFFER, views.transfer_offer, name="transfer_offer"),
    path(f"{OFFER}open/", views.transfer_offer_open, name="transfer_offer_open"),
    path(f"{OFFER}request/", views.transfer_request, name="transfer_request"),
    path(f"{P}transfers/requests/<int:pk>/decide/", views.transfer_decide, name="transfer_decide"),
    path(
        f"{P}transfers/requests/<int:pk>/complete/",
        views.transfer_complete,
        name="transfer_complete",
    ),
]
