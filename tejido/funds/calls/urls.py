"""Calls URLs, joined into the funds app's (names are `funds:...`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/funds/"
CALL = f"{P}calls/<int:pk>/"

urlpatterns = [
    path(P, views.hub, name="hub"),
    path(f"{P}calls/new/", views.call_create, name="call_create"),
    path(CALL, views.call_detail, name="call"),
    path(f"{CALL}edit/", views.call_edit, name="call_edit"),
    path(f"{CALL}publish/", views.call_publish, name="call_publish"),
    path(f"{CALL}unpublish/", views.call_unpublish, name="call_unpublish"),
    path(f"{CALL}delete/", views.call_delete, name="call_delete"),
    path(f"{CALL}criteria/", views.call_criteria, name="call_criteria"),
    path(f"{CALL}criteria/new/", views.criterion_add, name="criterion_add"),
    path(f"{CALL}criteria/<int:item>/edit/", views.criterion_edit, name="criterion_edit"),
    path(f"{CALL}criteria/<int:item>/remove/", views.criterion_remove, name="criterion_remove"),
    path(f"{CALL}criteria/<int:item>/move/", views.criterion_move, name="criterion_move"),
    path(f"{CALL}quotas/new/", views.quota_add, name="quota_add"),
    path(f"{CALL}quotas/<int:item>/edit/", views.quota_edit, name="quota_edit"),
    path(f"{CALL}quotas/<int:item>/remove/", views.quota_remove, name="quota_remove"),
]
