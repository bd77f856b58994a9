"""Views of the core app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tejido.accounts.models import Role

from .selectors import program_cards


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The programs the visitor may open: public ones, and those they hold a role in."""
    role_labels = dict(Role.choices)
    cards = [
        {
            **card,
            "role_labels": [role_labels[code] for code in card["roles"] if code in role_labels],
        }
        for card in program_cards(request.user)
    ]
    return render(request, "core/home.html", {"cards": cards})
