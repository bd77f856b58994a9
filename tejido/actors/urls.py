from django.urls import path

from . import views

app_name = "actors"

urlpatterns = [
    path("p/<slug:program>/actors/", views.directory, name="directory"),
    path("p/<slug:program>/actors/new/", views.create, name="create"),
    path("p/<slug:program>/actors/<int:pk>/edit/", views.edit, name="edit"),
    path("p/<slug:program>/actors/<int:pk>/posts/", views.membership_add, name="membership_add"),
    path(
        "p/<slug:program>/actors/<int:pk>/posts/organizations/",
        views.organization_options,
        name="organization_options",
    ),
    path("p/<slug:program>/territories/<slug:territory>/", views.territory, name="territory"),
]
