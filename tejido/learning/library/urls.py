"""library URLs, joined into the learning app's (names are `learning:...`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
