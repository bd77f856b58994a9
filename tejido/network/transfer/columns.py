"""The columns of an import file, their aliases, and the words accepted in each cell.

Headers and vocabulary words are compared after `normalize_key` (lower case, no accents, "_" and
"-" read as spaces), so "Tipo de vínculo", "tipo_de_vinculo" and "TIPO DE VINCULO" are the same
header. English, Spanish and Catalan are accepted, and Kumu's column names (Label, Type, Tags,
From, To, Direction) as well. docs/import-format.md documents all of this for users: keep it in
step with this module.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation

from tejido.actors.models import ActorKind, Sector, SizeBand, Stance
from tejido.core.text import normalize_for_search
from tejido.network.models import Intensity, TieType

ACTORS = "actors"
TIES = "ties"

_PUNCTUATION = re.compile(r"[_\-.:*]+")


def normalize_key(text: Any) -> str:
    """A header or vocabulary word reduced to lower case ASCII-ish words."""
    return normalize_for_search(_PUNCTUATION.sub(" ", str(text)))


@dataclass(frozen=True)
class Column:
    field: str
    aliases: tuple[str, ...]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(normalize_key(a) for a in (self.field, *self.aliases))


ACTOR_COLUMNS: tuple[Column, ...] = (
    # An identifier used only inside the file (or Tejido's id in an export), so that the ties
    # can name actors unambiguously. It is not stored.
    Column("id", ("ID", "identifier", "identificador", "identificador externo", "external id")),
    Column("name", ("Label", "nombre", "nom", "etiqueta", "name of the actor", "nombre del actor")),
    Column(
        "kind",
        ("actor kind", "actor type", "tipo de actor", "clase", "clase de actor", "tipus d'actor"),
    ),
    # Kumu's "Type" (and a plain "tipo"): a kind of actor or a sector, whichever the word is.
    Column("type", ("Type", "tipo", "tipus", "element type")),
    Column("sector", ("sector code", "código de sector")),
    Column(
        "legal_form",
        ("legal form", "forma jurídica", "figura jurídica", "personalidad jurídica"),
    ),
    Column("description", ("Description", "descripción", "descripció")),
    Column(
        "territory",
        ("based in", "territorio", "territori", "ubicación", "ubicació", "location", "localidad"),
    ),
    Column(
        "territories_served",
        (
            "territories served",
            "territorios atendidos",
            "territorios de acción",
            "territoris atesos",
            "territoris d'acció",
        ),
    ),
    Column("themes", ("Tags", "theme", "temas", "tema", "temes", "etiquetas", "temáticas")),
    Column("email", ("e-mail", "mail", "correo", "correo electrónico", "correu electrònic")),
    Column("phone", ("telephone", "teléfono", "telèfon", "celular", "móvil", "mòbil")),
    Column("website", ("web", "url", "sitio web", "página web", "lloc web", "web site")),
    Column("address", ("dirección", "adreça", "domicilio")),
    Column("size", ("size band", "tamaño", "mida", "número de personas")),
    Column(
        "founded_year",
        (
            "founding year",
            "year founded",
            "founded",
            "año de fundación",
            "año fundación",
            "any de fundació",
        ),
    ),
    Column("power", ("poder", "influence", "influencia")),
    Column("interest", ("interés",)),
    Column("stance", ("postura", "posición", "posició", "actitud")),
)

TIE_COLUMNS: tuple[Column, ...] = (
    Column("from_id", ("source id", "id origen", "origen id", "from id")),
    Column("to_id", ("target id", "id destino", "destino id", "id destí", "destí id", "to id")),
    Column("from", ("From", "source", "origen", "de", "actor de origen")),
    Column("to", ("To", "target", "destino", "destí", "a", "actor de destino")),
    Column(
        "type",
        (
            "Type",
            "tipo",
            "tipus",
            "tie type",
            "tipo de vínculo",
            "tipus de vincle",
            "relationship",
        ),
    ),
    Column(
        "directed",
        ("Direction", "dirigido", "dirigit", "dirección", "direcció", "connection direction"),
    ),
    Column("intensity", ("intensidad", "intensitat", "level", "nivel", "nivell")),
    Column("trust", ("confianza", "confiança")),
    Column("value", ("valor", "valor del vínculo")),
    Column(
        "started_on",
        (
            "since",
            "start",
            "start date",
            "started",
            "desde",
            "inicio",
            "fecha de inicio",
            "fecha inicio",
            "des de",
            "inici",
            "data d'inici",
        ),
    ),
    Column(
        "ended_on",
        (
            "until",
            "end",
            "end date",
            "ended",
            "hasta",
            "fin",
            "término",
            "fecha de término",
            "fecha de fin",
            "fins",
            "fi",
            "data de fi",
        ),
    ),
    Column(
        "note",
        ("notes", "nota", "notas", "Description", "descripción", "descripció", "comment"),
    ),
)

REQUIRED = {ACTORS: ("name",), TIES: ("from", "to")}

# Columns Tejido writes in its exports that an import reads past without a word.
EXPORT_ONLY = {
    ACTORS: frozenset(),
    TIES: frozenset(
        normalize_key(h)
        for h in (
            "id",
            "previous_id",
            "provenance",
            "cycle",
            "recorded_at",
            "superseded_at",
            "current",
        )
    ),
}

# Never imported: gender is sensitive and needs each person's recorded consent.
SENSITIVE_HEADERS = frozenset(
    normalize_key(h) for h in ("gender", "genero", "género", "gènere", "sexo", "sexe", "sex")
)

ACTOR_SHEETS = frozenset(
    normalize_key(n)
    for n in ("actors", "actores", "elements", "elementos", "nodes", "nodos", "registro")
)
TIE_SHEETS = frozenset(
    normalize_key(n)
    for n in (
        "ties",
        "vinculos",
        "vincles",
        "connections",
        "conexiones",
        "connexions",
        "edges",
        "relaciones",
        "relacions",
    )
)

COLUMNS = {ACTORS: ACTOR_COLUMNS, TIES: TIE_COLUMNS}


@functools.cache
def header_index(kind: str) -> dict[str, str]:
    """Normalized header → field, for one kind of table."""
    index: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for key in column.keys:
            index.setdefault(key, column.field)
    return index


def field_for_header(kind: str, header: Any) -> str | None:
    return header_index(kind).get(normalize_key(header)) if header is not None else None


# --- vocabularies -------------------------------------------------------------------------

# Words beyond the codes and the translated labels. Normalized when the vocabulary is built.
SECTOR_WORDS = {
    Sector.COMMUNITY: (
        "comunitario",
        "comunitaria",
        "comunidad",
        "comunitat",
        "comunitari",
        "community organization",
        "organizacion comunitaria",
        "organizacion social",
        "social organization",
    ),
    Sector.PUBLIC: (
        "publico",
        "publica",
        "sector publico",
        "public sector",
        "government",
        "gobierno",
        "estado",
        "administracion publica",
        "administracio publica",
        "sector public",
        "municipio",
        "municipalidad",
        "ajuntament",
    ),
    Sector.PRIVATE: (
        "privado",
        "privada",
        "sector privado",
        "private sector",
        "business",
        "company",
        "empresa",
        "empresa privada",
        "privat",
        "sector privat",
    ),
    Sector.THIRD_SECTOR: (
        "tercer sector",
        "third sector",
        "ong",
        "ngo",
        "nonprofit",
        "non profit",
        "sin fines de lucro",
        "entidad social",
        "entitat social",
        "fundacion",
        "fundacio",
        "foundation",
    ),
    Sector.ACADEMIA: (
        "academic",
        "academico",
        "academica",
        "academia",
        "universidad",
        "university",
        "universitat",
        "research",
        "investigacion",
        "recerca",
    ),
    Sector.INTERNATIONAL: (
        "international",
        "international cooperation",
        "internacional",
        "cooperacion internacional",
        "cooperacio internacional",
    ),
}

KIND_WORDS = {
    ActorKind.ORGANIZATION: (
        "organisation",
        "organizacion",
        "organitzacio",
        "org",
        "entidad",
        "entitat",
        "institucion",
        "institucio",
        "institution",
    ),
    ActorKind.INFORMAL_GROUP: (
        "informal group",
        "group",
        "grupo",
        "grupo informal",
        "grup",
        "grup informal",
        "colectivo",
        "collectiu",
        "col·lectiu",
        "collective",
    ),
    ActorKind.PERSON: ("persona", "people", "individual", "individuo", "individu", "person"),
}

TIE_TYPE_WORDS = {
    TieType.COLLABORATION: ("colaboracion", "col·laboracio", "collaboracio", "collaborate"),
    TieType.FUNDING: (
        "financing",
        "finance",
        "financiamiento",
        "financiacion",
        "financiament",
        "grant",
        "subvencion",
        "subvencio",
        "donation",
        "donacion",
        "fund",
        "fondo",
    ),
    TieType.INFORMATION: (
        "information",
        "info",
        "informacion",
        "informacio",
        "intercambio de informacion",
        "intercanvi d'informacio",
    ),
    TieType.SUPPORT: (
        "support",
        "trust",
        "apoyo",
        "confianza",
        "apoyo y confianza",
        "suport",
        "confianca",
        "suport i confianca",
    ),
    TieType.MEMBERSHIP: (
        "member",
        "membresia",
        "pertenencia",
        "afiliacion",
        "miembro",
        "membre",
        "pertinenca",
        "afiliacio",
    ),
    TieType.AGREEMENT: (
        "agreement",
        "acuerdo",
        "acuerdo formal",
        "convenio",
        "conveni",
        "acord",
        "acord formal",
        "contract",
        "contrato",
        "contracte",
    ),
}

STANCE_WORDS = {
    Stance.CHAMPION: ("campeon", "campeona", "impulsor", "impulsora", "promotor", "promotora"),
    Stance.SUPPORTER: ("partidario", "partidaria", "a favor", "favorable", "aliado", "aliada"),
    Stance.NEUTRAL: ("neutro", "neutra", "neutre"),
    Stance.SKEPTIC: ("esceptico", "esceptica", "esceptic", "sceptic", "skeptical"),
    Stance.OPPONENT: ("opositor", "opositora", "en contra", "contrario", "contraria"),
}

SIZE_WORDS = {
    SizeBand.MICRO: ("micro", "1 9", "1 a 9"),
    SizeBand.SMALL: ("small", "pequena", "pequeno", "petita", "petit", "10 49", "10 a 49"),
    SizeBand.MEDIUM: ("medium", "mediana", "mediano", "mitjana", "mitja", "50 249", "50 a 249"),
    SizeBand.LARGE: ("large", "grande", "gran", "250", "250 o mas", "250 or more"),
}

INTENSITY_WORDS = {
    Intensity.AWARENESS: ("conocimiento", "coneixement", "aware"),
    Intensity.COOPERATION: ("cooperacion", "cooperacio"),
    Intensity.COORDINATION: ("coordinacion", "coordinacio"),
    Intensity.COLLABORATION: ("colaboracion", "col·laboracio", "collaboracio"),
    Intensity.INTEGRATION: ("integracion", "integracio"),
}

TRUE_WORDS = frozenset(
    normalize_key(w)
    for w in (
        "1",
        "true",
        "yes",
        "y",
        "x",
        "si",
        "s",
        "verdadero",
        "cert",
        "directed",
        "dirigido",
        "dirigida",
        "dirigit",
        "dirigida",
        "one way",
    )
)
FALSE_WORDS = frozenset(
    normalize_key(w)
    for w in (
        "0",
        "false",
        "no",
        "n",
        "falso",
        "fals",
        "undirected",
        "no dirigido",
        "no dirigit",
        "mutual",
        "mutuo",
        "mutua",
        "reciproco",
        "reciproc",
        "bidirectional",
        "bidireccional",
    )
)


def _build_vocabulary(
    choices: type[models.Choices], extra: Mapping[Any, Iterable[str]]
) -> dict[str, Any]:
    """Code, name and label in every UI language, plus the extra words, → the stored value."""
    vocabulary: dict[str, Any] = {}
    for member in choices:
        value = member.value
        vocabulary.setdefault(normalize_key(value), value)
        vocabulary.setdefault(normalize_key(member.name), value)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for member in choices:
                vocabulary.setdefault(normalize_key(str(member.label)), member.value)
    for value, words in extra.items():
        for word in words:
            vocabulary.setdefault(normalize_key(word), value)
    return vocabulary


@functools.cache
def vocabulary(name: str) -> dict[str, Any]:
    match name:
        case "sector":
            return _build_vocabulary(Sector, SECTOR_WORDS)
        case "kind":
            return _build_vocabulary(ActorKind, KIND_WORDS)
        case "tie_type":
            return _build_vocabulary(TieType, TIE_TYPE_WORDS)
        case "stance":
            return _build_vocabulary(Stance, STANCE_WORDS)
        case "size":
            return _build_vocabulary(SizeBand, SIZE_WORDS)
        case "intensity":
            vocab = _build_vocabulary(Intensity, INTENSITY_WORDS)
            for member in Intensity:
                vocab[str(member.value)] = member.value
            return vocab
    raise KeyError(name)


def lookup(name: str, raw: str) -> Any:
    """The stored value for a word of vocabulary `name`, or None if it is not a known word."""
    return vocabulary(name).get(normalize_key(raw))


def size_from_people(count: int) -> str:
    if count < 10:
        return SizeBand.MICRO
    if count < 50:
        return SizeBand.SMALL
    if count < 250:
        return SizeBand.MEDIUM
    return SizeBand.LARGE


# --- cell values -------------------------------------------------------------------------

# Our CSV export prefixes text that starts like a spreadsheet formula with an apostrophe, so
# that opening it in Excel runs nothing. Reading it back removes the apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """A cell as trimmed text: XLSX numbers lose a spurious ".0", dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
            return text[1:]
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def split_list(text: str) -> list[str]:
    """Several values in one cell, separated by ";" or "|" (Kumu's separator)."""
    return [part.strip() for part in re.split(r"[;|]", text) if part.strip()]


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")


def parse_date(value: Any) -> datetime.date | None:
    """ISO dates (2024-03-31) and day/month/year (31/03/2024); raises ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return datetime.date(year, month, day)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return datetime.date(year, month, day)
    raise ValueError(text)


def parse_int(value: Any) -> int:
    """A whole number; "3.0" from a spreadsheet counts, "3.5" does not. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = cell_text(value)
    if re.fullmatch(r"[+-]?\d+(?:[.,]0+)?", text):
        return int(re.split(r"[.,]", text)[0])
    raise ValueError(text)
