"""Open data URLs, joined into the funds app's (names are `funds:opendata*`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/funds/"
CALL = f"{P}calls/<int:pk>/"

urlpatterns = [
    path(f"{P}open-data/", views.opendata_index, name="opendata"),
    path(
        f"{P}open-data/360giving.json", views.program_360giving, name="opendata_program_360giving"
    ),
    path(f"{CALL}open-data/360giving.json", views.call_360giving, name="opendata_call_360giving"),
    path(f"{CALL}open-data/360giving.csv", views.call_csv, name="opendata_call_csv"),
    path(f"{CALL}open-data/call.pb", views.call_pb, name="opendata_call_pb"),
    path(f"{CALL}import-votes/", views.import_votes, name="opendata_import_votes"),
]
