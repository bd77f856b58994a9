# mypy: disable-error-code="attr-defined"
"""Builders for the board tests: a program with territories, themes and entities."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Territory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.models import Opportunity


def world() -> dict[str, Any]:
    """A program in a region with two communes; an entity (`org`) of the community sector in
    the first commune working on `theme`, and another entity (`other`)."""
    program = ProgramFactory(slug="barrios")
    region = TerritoryFactory(name="Región de Valparaíso", level=Territory.Level.REGION)
    commune = TerritoryFactory(name="Valparaíso", parent=region)
    elsewhere = TerritoryFactory(name="Talca")
    theme, other_theme = ThemeFactory(name="Vivienda"), ThemeFactory(name="Medio ambiente")
    org = ActorFactory(program=program, name="Junta de Vecinos Cerro Alegre", territory=commune)
    org.themes.add(theme)
    other = ActorFactory(program=program, name="Fundación Mar Abierto", sector="third_sector")
    return {
        "program": program,
        "region": region,
        "commune": commune,
        "elsewhere": elsewhere,
        "theme": theme,
        "other_theme": other_theme,
        "org": org,
        "other": other,
    }


def board_url(actor: Any) -> str:
    return reverse("cooperation:entity_board", args=[actor.program.slug, actor.pk])


def opportunity_between(a: Any, b: Any, **extra: Any) -> Opportunity:
    if a.pk > b.pk:
        a, b = b, a
    values = {"kind": "complementary", "score": 1.0, "reasons": []} | extra
    return Opportunity.objects.create(program=a.program, actor_a=a, actor_b=b, **values)
