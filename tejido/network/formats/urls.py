"""URLs of the graph export and import, appended to the network app's (network:graph_…)."""

from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:program>/network/formats/export/", views.graph_export, name="graph_export"),
    path("p/<slug:program>/network/formats/import/", views.graph_import, name="graph_import"),
    path(
        "p/<slug:program>/network/formats/import/confirm/",
        views.graph_import_confirm,
        name="graph_import_confirm",
    ),
    path(
        "p/<slug:program>/network/formats/import/cancel/",
        views.graph_import_cancel,
        name="graph_import_cancel",
    ),
]
