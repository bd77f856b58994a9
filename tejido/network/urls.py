from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    # The actor profile lives here because it shows ties; the actors app must not import network.
    path("p/<slug:program>/actors/<int:pk>/", views.actor_profile, name="actor"),
    path("p/<slug:program>/actors/<int:pk>/ties/new/", views.tie_create, name="tie_create"),
    path(
        "p/<slug:program>/actors/<int:pk>/ties/partners/",
        views.tie_partner_search,
        name="tie_partner_search",
    ),
    path("p/<slug:program>/ties/<int:pk>/edit/", views.tie_edit, name="tie_edit"),
    path("p/<slug:program>/ties/<int:pk>/end/", views.tie_end, name="tie_end"),
    path("p/<slug:program>/ties/<int:pk>/history/", views.tie_history, name="tie_history"),
    path("p/<slug:program>/map/", views.network_map, name="map"),
    path("p/<slug:program>/map/data.json", views.map_data, name="map_data"),
    # Import and export (network:import, network:export) are appended here.
    # Network analytics: indicators, computation status, evolution, suggested introductions.
    path("p/<slug:program>/network/", views.network_analysis, name="analysis"),
    path("p/<slug:program>/network/status/", views.analysis_status, name="analysis_status"),
    path(
        "p/<slug:program>/network/recompute/", views.analysis_recompute, name="analysis_recompute"
    ),
    path("p/<slug:program>/network/evolution/", views.network_evolution, name="evolution"),
    path(
        "p/<slug:program>/network/evolution/compute/",
        views.evolution_compute,
        name="evolution_compute",
    ),
    path(
        "p/<slug:program>/network/opportunities/",
        views.opportunity_list,
        name="opportunities",
    ),
    path(
        "p/<slug:program>/network/opportunities/<int:pk>/decide/",
        views.opportunity_decide,
        name="opportunity_decide",
    ),
    path(
        "p/<slug:program>/actors/<int:pk>/opportunities/",
        views.actor_opportunities,
        name="actor_opportunities",
    ),
]

from .transfer.urls import urlpatterns as transfer_urls  # noqa: E402

urlpatterns += transfer_urls

from .surveys.urls import urlpatterns as survey_urls  # noqa: E402

urlpatterns += survey_urls

from .formats.urls import urlpatterns as format_urls  # noqa: E402

urlpatterns += format_urls
