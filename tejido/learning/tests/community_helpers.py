"""Helpers for the learning community's tests (the shared factories stay untouched)."""

from __future__ import annotations

from typing import Any, cast

from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.learning.models import Experience

from .factories import ExperienceFactory, coordinator_of, member_of, representative_of


class Community:
    """A program with two territories, an organization in each with a representative, a
    member with no organization, a coordinator, and a published public experience told by the
    first organization."""

    def __init__(self, *, is_public: bool = True) -> None:
        self.program = ProgramFactory(is_public=is_public)
        self.north = TerritoryFactory(name="La Pintana")
        self.south = TerritoryFactory(name="Puente Alto")
        self.garden = ActorFactory(
            program=self.program, name="Junta de Vecinos El Roble", territory=self.north
        )
        self.pot = ActorFactory(
            program=self.program, name="Olla Común Los Aromos", territory=self.south
        )
        self.author = representative_of(self.garden)
        self.other = representative_of(self.pot)
        self.member = member_of(self.program)
        self.coordinator = coordinator_of(self.program)
        self.experience = ExperienceFactory(
            program=self.program,
            organization=self.garden,
            author=self.author,
            territory=self.north,
            title="Huerta comunitaria en un sitio eriazo",
            context="La organización vecinal no tenía espacios verdes.",
        )

    def experience_of(self, **fields: Any) -> Experience:
        defaults: dict[str, Any] = {
            "program": self.program,
            "organization": self.garden,
            "author": self.author,
        }
        defaults.update(fields)
        return cast(Experience, ExperienceFactory(**defaults))


def experience_values(organization: Any, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organization": organization,
        "title": "Escuela de dirigentes vecinales",
        "context": "Las juntas de vecinos tenían dirigentes cansados y pocos jóvenes.",
        "what_was_done": "Organizamos una escuela de ocho sesiones los sábados.",
        "what_happened": "Se formaron veinte dirigentes, doce de ellos jóvenes.",
        "lessons": "Conviene hacer las sesiones en la sede de cada organización.",
    }
    values.update(extra)
    return values
