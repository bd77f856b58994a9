"""The countries a mission goes to: a short list of common destinations, ISO 3166-1 alpha-2
codes with their names translated (Django has no country list and babel is not installed)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COUNTRIES: tuple[tuple[str, Promise], ...] = (
    ("AR", _("Argentina")),
    ("BO", _("Bolivia")),
    ("BR", _("Brazil")),
    ("CA", _("Canada")),
    ("CL", _("Chile")),
    ("CO", _("Colombia")),
    ("CR", _("Costa Rica")),
    ("CU", _("Cuba")),
    ("DE", _("Germany")),
    ("DK", _("Denmark")),
    ("EC", _("Ecuador")),
    ("ES", _("Spain")),
    ("FR", _("France")),
    ("GB", _("United Kingdom")),
    ("GT", _("Guatemala")),
    ("IT", _("Italy")),
    ("MX", _("Mexico")),
    ("NL", _("Netherlands")),
    ("PE", _("Peru")),
    ("PT", _("Portugal")),
    ("PY", _("Paraguay")),
    ("SE", _("Sweden")),
    ("US", _("United States")),
    ("UY", _("Uruguay")),
)

_NAMES = dict(COUNTRIES)


def country_name(code: str) -> str:
    """The country's name in the active language, or the code itself if it is not listed."""
    name = _NAMES.get(code.upper()) if code else None
    return str(name) if name is not None else code


def country_choices() -> list[tuple[str, str]]:
    """The choices sorted by their name in the active language."""
    return sorted(((code, str(name)) for code, name in COUNTRIES), key=lambda c: c[1])
