"""Ranking URLs, joined into the funds app's (names are `funds:...`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
