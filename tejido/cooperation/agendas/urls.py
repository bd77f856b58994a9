"""URLs of the shared social agendas (see tejido/cooperation/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views

P = "p/<slug:program>/cooperation/agendas/"
SPACE = f"{P}<int:pk>/"

urlpatterns = [
    path(P, views.spaces, name="agendas"),
    path(f"{P}new/", views.space_create, name="agenda_new"),
    path(SPACE, views.space, name="agenda"),
    path(f"{SPACE}join/", views.space_join, name="agenda_join"),
    path(f"{SPACE}items/", views.item_create, name="agenda_item_new"),
    path(f"{SPACE}items/<int:item>/group/", views.item_assign, name="agenda_item_assign"),
    path(f"{SPACE}groups/", views.group_create, name="agenda_group_new"),
    path(f"{SPACE}groups/<int:group>/edit/", views.group_edit, name="agenda_group_edit"),
    path(f"{SPACE}groups/<int:group>/comments/", views.comment_create, name="agenda_comment"),
    path(f"{SPACE}prioritize/open/", views.prioritization_open, name="agenda_prioritize_open"),
    path(f"{SPACE}prioritize/", views.priority_input, name="agenda_input"),
    path(f"{SPACE}prioritize/close/", views.prioritization_close, name="agenda_prioritize_close"),
    path(f"{SPACE}publish/", views.agenda_publish, name="agenda_publish"),
    path(f"{SPACE}agenda/", views.agenda_published, name="agenda_published"),
    path(f"{SPACE}agenda/endorse/", views.agenda_endorse, name="agenda_endorse"),
    path(f"{SPACE}agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
]
