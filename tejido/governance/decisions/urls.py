"""Decision URLs (names `governance:poll*`), joined in `governance/urls.py`."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("p/<slug:program>/governance/bodies/<int:pk>/polls/", views.poll_list, name="polls"),
    path(
        "p/<slug:program>/governance/bodies/<int:pk>/polls/new/",
        views.poll_create,
        name="poll_create",
    ),
    path("p/<slug:program>/governance/polls/<int:pk>/", views.poll_detail, name="poll"),
    path("p/<slug:program>/governance/polls/<int:pk>/edit/", views.poll_edit, name="poll_edit"),
    path("p/<slug:program>/governance/polls/<int:pk>/open/", views.poll_open, name="poll_open"),
    path("p/<slug:program>/governance/polls/<int:pk>/close/", views.poll_close, name="poll_close"),
    path(
        "p/<slug:program>/governance/polls/<int:pk>/delete/",
        views.poll_delete,
        name="poll_delete",
    ),
    path("p/<slug:program>/governance/polls/<int:pk>/vote/", views.poll_vote, name="poll_vote"),
]
