"""Learning community URLs, joined into the learning app's (names are `learning:...`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/learning/"
EXPERIENCE = f"{P}experiences/<int:pk>/"
EXCHANGE = f"{P}exchanges/<int:pk>/"

urlpatterns = [
    path(f"{P}experiences/", views.experiences, name="experiences"),
    path(f"{P}experiences/new/", views.experience_create, name="experience_create"),
    path(EXPERIENCE, views.experience, name="experience"),
    path(f"{EXPERIENCE}edit/", views.experience_edit, name="experience_edit"),
    path(f"{EXPERIENCE}publish/", views.experience_publish, name="experience_publish"),
    path(f"{EXPERIENCE}files/<int:file>/", views.evidence_file, name="evidence_file"),
    path(f"{EXPERIENCE}comments/", views.comment_add, name="comment_add"),
    path(f"{EXPERIENCE}react/", views.react, name="react"),
    path(f"{P}comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path(f"{P}exchanges/", views.exchanges, name="exchanges"),
    path(f"{P}exchanges/new/", views.exchange_create, name="exchange_create"),
    path(EXCHANGE, views.exchange, name="exchange"),
    path(f"{EXCHANGE}edit/", views.exchange_edit, name="exchange_edit"),
    path(f"{P}digest/", views.digest, name="digest"),
]
