"""URLs of import and export, appended to the network app's (names: network:import, …)."""

from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:program>/import/", views.import_start, name="import"),
    path("p/<slug:program>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("p/<slug:program>/import/cancel/", views.import_cancel, name="import_cancel"),
    path(
        "p/<slug:program>/import/template-<str:what>.csv",
        views.import_template,
        name="import_template",
    ),
    path("p/<slug:program>/export/", views.export, name="export"),
]
