"""URLs of this area (see tejido/cooperation/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

P = "p/<slug:program>/cooperation/consortia/"
C = P + "<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(P, views.consortia, name="consortia"),
    path(P + "new/", views.consortium_new, name="consortium_new"),
    path(C, views.consortium, name="consortium"),
    path(C + "edit/", views.consortium_edit, name="consortium_edit"),
    path(C + "partners/", views.consortium_partners, name="consortium_partners"),
    path(C + "members/<int:member>/", views.consortium_member, name="consortium_member"),
    path(C + "members/<int:member>/answer/", views.consortium_answer, name="consortium_answer"),
    path(
        C + "members/<int:member>/remove/",
        views.consortium_member_remove,
        name="consortium_member_remove",
    ),
    path(C + "steps/", views.consortium_step_add, name="consortium_step_add"),
    path(
        C + "steps/<int:step>/toggle/",
        views.consortium_step_toggle,
        name="consortium_step_toggle",
    ),
    path(
        C + "steps/<int:step>/remove/",
        views.consortium_step_remove,
        name="consortium_step_remove",
    ),
    path(C + "documents/", views.consortium_document_add, name="consortium_document_add"),
    path(
        C + "documents/<int:document>/",
        views.consortium_document,
        name="consortium_document",
    ),
    path(C + "submit/", views.consortium_submit, name="consortium_submit"),
    path(C + "outcome/", views.consortium_outcome, name="consortium_outcome"),
    path(C + "withdraw/", views.consortium_withdraw, name="consortium_withdraw"),
]
