"""Turn ids sent by a client into objects of the right program, or say which ones are wrong.

Every problem is collected so that one answer lists all the bad ids at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program, Territory, Theme


def known_territories(field: str, ids: Iterable[int]) -> list[Territory]:
    """Territories by id, in the order given and without repeats, wherever they are.

    Raises a ValidationError under `field` naming every unknown id.
    """
    wanted = list(dict.fromkeys(ids))
    found = Territory.objects.in_bulk(wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            {field: _("Unknown territory: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
        )
    return [found[i] for i in wanted]


class References:
    """Accumulates lookup errors under the API's field names; `check()` raises them together."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.errors: dict[str, list[str]] = {}
        self._area: list[str] | None = None

    def _error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def _program_paths(self) -> list[str]:
        if self._area is None:
            self._area = list(self.program.territories.values_list("path", flat=True))
        return self._area

    def _in_area(self, territory: Territory) -> bool:
        # A program that lists no territories works anywhere. Otherwise an actor may be based
        # in one of its territories, a place within one, or a place above one (the regional
        # government of the comuna the program works in).
        paths = self._program_paths()
        if not paths:
            return True
        return any(territory.path.startswith(p) or p.startswith(territory.path) for p in paths)

    def territories(self, field: str, ids: Iterable[int]) -> list[Territory]:
        wanted = list(dict.fromkeys(ids))
        found = {t.pk: t for t in Territory.objects.filter(pk__in=wanted)}
        missing = [i for i in wanted if i not in found]
        if missing:
            self._error(
                field,
                _("Unknown territory: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            )
        for territory in found.values():
            if not self._in_area(territory):
                self._error(
                    field,
                    _("%(name)s is outside the territories of this program.")
                    % {"name": territory.name},
                )
        return [found[i] for i in wanted if i in found]

    def territory(self, field: str, pk: int | None) -> Territory | None:
        if pk is None:
            return None
        found = self.territories(field, [pk])
        return found[0] if found else None

    def themes(self, field: str, ids: Iterable[int]) -> list[Theme]:
        wanted = list(dict.fromkeys(ids))
        found = {t.pk: t for t in Theme.objects.filter(pk__in=wanted)}
        missing = [i for i in wanted if i not in found]
        if missing:
            self._error(field, _("Unknown theme: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
        return [found[i] for i in wanted if i in found]

    def actor(self, field: str, pk: int, *, include_people: bool = True) -> Actor | None:
        """The program's actor `pk`; a person counts as unknown unless `include_people` (the
        caller may see people), so that the answer does not tell that someone is there."""
        actors = Actor.objects.filter(pk=pk, program=self.program)
        if not include_people:
            actors = actors.organizations()
        actor = actors.select_related("program").first()
        if actor is None:
            self._error(field, _("There is no actor %(id)s in this program.") % {"id": pk})
        return actor

    def cycle(self, field: str, number: int | None) -> Cycle | None:
        if number is None:
            return None
        cycle = Cycle.objects.filter(program=self.program, number=number).first()
        if cycle is None:
            self._error(field, _("This program has no cycle %(number)s.") % {"number": number})
        return cycle

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
