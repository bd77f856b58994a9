"""Needs register and prioritization URLs, joined in the governance app's list (names are
`governance:*`)."""

from django.urls import path

from . import views

N = "p/<slug:program>/governance/needs/"
S = "p/<slug:program>/governance/prioritization/"

urlpatterns = [
    path(N, views.needs, name="needs"),
    path(f"{N}new/", views.need_create, name="need_create"),
    path(f"{N}import/", views.need_import, name="need_import"),
    path(f"{N}<int:pk>/", views.need_detail, name="need"),
    path(f"{N}<int:pk>/edit/", views.need_edit, name="need_edit"),
    path(f"{N}<int:pk>/status/", views.need_status, name="need_status"),
    path(S, views.sessions, name="sessions"),
    path(f"{S}new/", views.session_create, name="session_create"),
    path(f"{S}<int:pk>/", views.session_detail, name="session"),
    path(f"{S}<int:pk>/open/", views.session_open, name="session_open"),
    path(f"{S}<int:pk>/input/", views.session_input, name="session_input"),
    path(f"{S}<int:pk>/close/", views.session_close, name="session_close"),
]
