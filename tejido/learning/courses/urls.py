"""Training URLs, joined into the learning app's (names are `learning:...`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/learning/"

urlpatterns = [
    path(P, views.hub, name="hub"),
]
