"""Body URLs, joined in the governance app's list (names are `governance:*`)."""

from django.urls import path

from . import views

B = "p/<slug:program>/governance/bodies/<int:pk>/"

urlpatterns = [
    path("p/<slug:program>/governance/", views.hub, name="hub"),
    path("p/<slug:program>/governance/bodies/new/", views.body_create, name="body_create"),
    path(B, views.body_detail, name="body"),
    path(f"{B}edit/", views.body_edit, name="body_edit"),
    path(f"{B}seats/", views.body_seats, name="body_seats"),
    path(f"{B}seats/new/", views.seat_create, name="seat_create"),
    path(f"{B}seats/<int:seat>/edit/", views.seat_edit, name="seat_edit"),
    path(f"{B}seats/<int:seat>/remove/", views.seat_remove, name="seat_remove"),
    path(f"{B}seats/<int:seat>/assign/", views.mandate_assign, name="mandate_assign"),
    path(f"{B}quorum/", views.sector_quorums, name="sector_quorums"),
    path(f"{B}mandates/<int:mandate>/end/", views.mandate_end, name="mandate_end"),
    path(f"{B}mandates/<int:mandate>/remove/", views.mandate_remove, name="mandate_remove"),
]
