"""Writes for programs, cycles, territories and themes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .audit import audit_log
from .models import Cycle, Program, Territory, Theme


def unique_slug(model: type[Any], text: str, *, max_length: int = 80) -> str:
    base = (slugify(text) or "item")[: max_length - 8]
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def program_create(
    *,
    user: Any,
    name: str,
    description: str = "",
    starts_on: datetime.date,
    cycle_count: int = Cycle.DEFAULT_COUNT,
    cycle_length_days: int = 365,
    is_public: bool = True,
    slug: str | None = None,
) -> Program:
    """Create a program with its cycles laid end to end (four by default)."""
    if cycle_count < 1:
        raise ValidationError({"cycle_count": _("A program needs at least one cycle.")})
    program = Program(
        name=name,
        slug=slug or unique_slug(Program, name),
        description=description,
        is_public=is_public,
    )
    program.full_clean()
    program.save()
    start = starts_on
    for number in range(1, cycle_count + 1):
        end = start + datetime.timedelta(days=cycle_length_days - 1)
        Cycle.objects.create(program=program, number=number, starts_on=start, ends_on=end)
        start = end + datetime.timedelta(days=1)
    audit_log(user=user, action="program.create", target=program, program=program)
    return program


@transaction.atomic
def territory_create(
    *,
    user: Any,
    name: str,
    level: int,
    parent: Territory | None = None,
    code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    slug: str | None = None,
) -> Territory:
    if parent is not None and parent.level >= level:
        raise ValidationError(
            {"parent": _("A territory must be part of a territory of a higher level.")}
        )
    territory = Territory(
        name=name,
        level=level,
        parent=parent,
        code=code,
        latitude=_coordinate(latitude),
        longitude=_coordinate(longitude),
        slug=slug
        or unique_slug(Territory, f"{parent.slug}-{name}" if parent else name, max_length=200),
        path="/",
    )
    territory.full_clean(exclude=["path"])
    territory.save()
    territory.path = f"{parent.path if parent else '/'}{territory.pk}/"
    territory.save(update_fields=["path"])
    return territory


def _coordinate(value: float | Decimal | None) -> Decimal | None:
    # A float like -33.45 becomes Decimal("-33.4500000") in the field's 9-digit context and
    # fails the 6-decimal validation; round it to the field's precision first.
    return None if value is None else Decimal(str(round(float(value), 6)))


def territory_subtree_ids(territory: Territory) -> list[int]:
    return list(
        Territory.objects.filter(path__startswith=territory.path).values_list("pk", flat=True)
    )


@transaction.atomic
def theme_create(*, user: Any, name: str, transition: str = "", slug: str | None = None) -> Theme:
    theme = Theme(name=name, transition=transition, slug=slug or unique_slug(Theme, name))
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def program_update(
    *,
    user: Any,
    program: Program,
    name: str | None = None,
    description: str | None = None,
    is_public: bool | None = None,
    territories: list[Territory] | None = None,
) -> Program:
    """Change a program's name, description, visibility or territories (None: left as it is).

    `territories` replaces the whole set. The slug never changes: it is in every link to the
    program. Nothing is saved or logged when nothing differs.
    """
    # Lock the row so two administrators saving at once apply one after the other.
    program = Program.objects.select_for_update().get(pk=program.pk)
    wanted = {"name": name, "description": description, "is_public": is_public}
    changed = sorted(k for k, v in wanted.items() if v is not None and getattr(program, k) != v)
    for key in changed:
        setattr(program, key, wanted[key])
    program.full_clean()
    data: dict[str, Any] = {}
    if territories is not None:
        new_ids = {t.pk for t in territories}
        old_ids = set(program.territories.values_list("pk", flat=True))
        if new_ids != old_ids:
            program.territories.set(territories)
            data["territories_added"] = sorted(new_ids - old_ids)
            data["territories_removed"] = sorted(old_ids - new_ids)
    if changed:
        program.save(update_fields=[*changed, "updated_at"])
    if changed or data:
        fields = changed + (["territories"] if data else [])
        audit_log(
            user=user,
            action="program.update",
            target=program,
            program=program,
            data={"fields": fields, **data},
        )
    return program


TERRITORY_FIELDS = ("name", "code", "latitude", "longitude", "description")


def territory_check_name(
    *, name: str, parent: Territory | None, exclude_pk: int | None = None
) -> None:
    """Refuse a second territory of the same name (ignoring case and accents) in one place.

    Territories are shared by every program, so two coordinators adding "Bajos de Mena" to the
    same comuna would otherwise split its actors between two entries.
    """
    from .text import normalize_for_search

    wanted = normalize_for_search(name)
    siblings = Territory.objects.filter(parent=parent)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    for pk, sibling in siblings.values_list("pk", "name"):
        if normalize_for_search(sibling) == wanted:
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("There is already a territory called %(name)s here (id %(id)s).")
                        % {"name": sibling, "id": pk},
                        code="duplicate",
                    )
                }
            )


@transaction.atomic
def territory_update(*, user: Any, territory: Territory, **fields: Any) -> Territory:
    """Change a territory's name, official code, coordinates or description.

    Its place in the hierarchy (parent, level) is not changed here: the materialized paths of
    the whole subtree would have to follow, and the actor filters rely on them.
    """
    unknown = set(fields) - set(TERRITORY_FIELDS)
    if unknown:
        raise TypeError(f"territory_update() got unexpected fields: {sorted(unknown)}")
    for key in ("latitude", "longitude"):
        if key in fields:
            fields[key] = _coordinate(fields[key])
    territory = Territory.objects.select_for_update().get(pk=territory.pk)
    changed = sorted(k for k, v in fields.items() if getattr(territory, k) != v)
    for key in changed:
        setattr(territory, key, fields[key])
    if "name" in changed:
        territory_check_name(name=territory.name, parent=territory.parent, exclude_pk=territory.pk)
    territory.full_clean()
    if changed:
        territory.save(update_fields=[*changed, "updated_at"])
        audit_log(user=user, action="territory.update", target=territory, data={"fields": changed})
    return territory


@transaction.atomic
def territory_add(
    *,
    user: Any,
    name: str,
    level: int,
    parent: Territory | None = None,
    code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    description: str = "",
) -> Territory:
    """Add a territory on a person's behalf (the API): territory_create, plus a check that the
    place is not there already, its description, and an audit entry.

    Territories are shared by every program and many people may add them, so who added which
    is worth keeping.
    """
    territory_check_name(name=name, parent=parent)
    territory = territory_create(
        user=user,
        name=name,
        level=level,
        parent=parent,
        code=code,
        latitude=latitude,
        longitude=longitude,
    )
    if description:
        territory.description = description
        territory.save(update_fields=["description"])
    audit_log(user=user, action="territory.create", target=territory)
    return territory
