"""Large synthetic networks for benchmarks: `tejido demo --scale N`.

N actors (up to a million) with about five ties each, in a generated territory hierarchy
(regions › comunas of about 5,000 actors › sectors of about 500), with sectors and themes, and
homophily: most ties stay within a sector (the neighbourhood) or its comuna, some bridge to
actors sharing a theme or anywhere, and each comuna's municipal office gathers many linking ties.

Why not the services: a service call costs a dozen queries, an audit entry and a full_clean per
row; half a million ties would take hours. The network is written in bulk instead: ids are
assigned here, rows go in with COPY on PostgreSQL and executemany on SQLite in one transaction,
and the invariants the services would keep are kept by construction: `search_text` is computed
with the same function, undirected ties have source_id < target_id, one current version per pair
and type, no self-ties, end dates after start dates. The program, its cycles and the territories
go through the ordinary code (a few rows).
"""

from __future__ import annotations

import datetime
import math
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.core.services import program_create, theme_create
from tejido.core.text import normalize_for_search
from tejido.network.models import Tie

from .content import (
    CHILEAN_MEN,
    CHILEAN_SURNAMES,
    CHILEAN_WOMEN,
    THEMES,
    TRANSITION_SLUGS,
    names,
)

DEFAULT_SEED = 1
MAX_SCALE = 1_000_000
TIES_PER_ACTOR = 5.0
ACTORS_PER_COMUNA = 5_000
ACTORS_PER_SECTOR = 500
COMUNAS_PER_REGION = 5
HISTORY_SHARE = 0.03  # ties with an earlier, superseded version
ENDED_SHARE = 0.04

# A word every directory search benchmark can rely on: common (the prefix of every junta de
# vecinos, ~18 % of actors) and rare (one of the tail words, ~0.15 % of actors).
COMMON_WORD = "vecinos"
RARE_WORDS = ("quinchamali", "rucalhue", "pelluhue")

# (name prefix, sector, kind, legal form, weight, themes it leans to, description)
SYNTHETIC_TYPES: tuple[tuple[str, str, str, str, float, tuple[str, ...], str], ...] = (
    (
        "Junta de Vecinos",
        "community",
        "organization",
        "Organización comunitaria territorial",
        18,
        ("seguridad", "vivienda", "medio-ambiente"),
        "Organización territorial de {place}.",
    ),
    (
        "Club Deportivo",
        "community",
        "organization",
        "Organización comunitaria funcional",
        9,
        ("deporte", "infancia"),
        "Deporte y recreación en {place}.",
    ),
    (
        "Centro de Madres",
        "community",
        "organization",
        "Organización comunitaria funcional",
        4,
        ("empleo", "cultura"),
        "Talleres y oficios para vecinas de {place}.",
    ),
    (
        "Comité de Vivienda",
        "community",
        "organization",
        "Organización comunitaria funcional",
        5,
        ("vivienda",),
        "Familias de {place} que postulan a su vivienda.",
    ),
    (
        "Agrupación Cultural",
        "community",
        "organization",
        "Organización comunitaria funcional",
        6,
        ("cultura", "infancia"),
        "Cultura comunitaria en {place}.",
    ),
    (
        "Club de Adulto Mayor",
        "community",
        "organization",
        "Organización comunitaria funcional",
        5,
        ("personas-mayores", "salud"),
        "Personas mayores de {place}.",
    ),
    ("Olla Común", "community", "informal_group", "", 4, ("salud", "empleo"), ""),
    ("Huerta Comunitaria", "community", "informal_group", "", 4, ("medio-ambiente",), ""),
    ("Colectivo", "community", "informal_group", "", 4, ("cultura", "migracion"), ""),
    (
        "CESFAM",
        "public",
        "organization",
        "Establecimiento de salud primaria",
        1.5,
        ("salud", "personas-mayores"),
        "Centro de salud familiar de {place}.",
    ),
    (
        "Liceo",
        "public",
        "organization",
        "Establecimiento educacional",
        2,
        ("educacion", "infancia"),
        "Liceo público de {place}.",
    ),
    (
        "Escuela Básica",
        "public",
        "organization",
        "Establecimiento educacional",
        2,
        ("educacion", "infancia"),
        "",
    ),
    (
        "Fundación",
        "third_sector",
        "organization",
        "Fundación sin fines de lucro",
        4,
        ("infancia", "vivienda", "migracion"),
        "Acompaña a organizaciones de {place}.",
    ),
    (
        "ONG",
        "third_sector",
        "organization",
        "Corporación sin fines de lucro",
        3,
        ("migracion", "medio-ambiente"),
        "",
    ),
    (
        "Cooperativa",
        "third_sector",
        "organization",
        "Cooperativa",
        4,
        ("empleo", "medio-ambiente"),
        "Economía social en {place}.",
    ),
    ("Comercial", "private", "organization", "Sociedad por Acciones (SpA)", 6, ("empleo",), ""),
    ("Almacén", "private", "organization", "Empresa individual (EIRL)", 3, ("empleo",), ""),
    (
        "Centro de Estudios",
        "academia",
        "organization",
        "Institución de educación superior",
        1.5,
        ("educacion",),
        "Investigación aplicada con organizaciones de {place}.",
    ),
    (
        "Programa de Cooperación",
        "international",
        "organization",
        "Organismo de cooperación",
        1,
        ("migracion", "medio-ambiente"),
        "",
    ),
)
PERSON_SHARE = 0.12

BASE_WORDS = names(
    "Los Aromos|El Esfuerzo|Nueva Esperanza|Los Copihues|Santa Teresa|Las Acacias|Cordillera"
    "|El Bosque|Los Alerces|San Francisco|Las Rosas|El Progreso|Villa Alegre|Los Jazmines"
    "|La Unión|Las Palmas|El Roble|Los Pinos|Santa Rosa|La Esperanza|Los Maitenes|El Mirador"
    "|Las Vertientes|Los Boldos|La Frontera|El Sol|Las Araucarias|Los Castaños|San Luis"
    "|Valle Verde|Los Quillayes|Las Lomas|El Trébol|La Aurora|Los Cerezos|Las Encinas"
    "|Villa Hermosa|El Porvenir|Los Olivos|La Pradera|Los Tilos|Las Dalias|El Canelo"
    "|Santa Julia|Los Peumos|Renacer|Amanecer|Horizonte|Raíces|Semillas|Manos Unidas"
    "|Fuerza Joven|Estrella|Unión y Fuerza|Arcoíris|Luz y Vida|Brisas|Los Nogales|El Ciprés"
    "|Las Camelias"
)
TAIL_WORDS = names(
    "Quinchamalí|Rucalhue|Pelluhue|Llanquihue|Curacautín|Melipeuco|Chanco|Cobquecura"
    "|Quilaco|Tirúa|Contulmo|Cholchol|Galvarino|Lumaco|Purén|Traiguén|Ercilla|Collipulli"
    "|Curarrehue|Panguipulli|Futrono|Lago Ranco|Maullín|Quemchi|Dalcahue|Puqueldón|Queilén"
    "|Chaitén|Futaleufú|Palena|Cochamó|Hualaihué|Licantén|Vichuquén|Pencahue|Empedrado"
    "|Pelarco|Rauco|Romeral|Sagrada Familia|Hualañé|Teno|Yerbas Buenas|Colbún|Longaví"
    "|Retiro|Parral|Ñiquén|Coihueco|Pinto|Quirihue|Ninhue|Trehuaco|Portezuelo|Ránquil"
    "|Yumbel|Tucapel|Quilleco|Antuco|Alto Biobío|Mulchén|Negrete|Nacimiento|Hualqui"
    "|Florida|Penco|Tomé|Lota|Arauco|Cañete|Lebu|Los Álamos|Petorca|Cabildo|Zapallar"
    "|Papudo|Hijuelas|Olmué|Llaillay|Catemu|Panquehue|Putaendo|Rinconada|Calle Larga"
    "|Isla de Maipo|Alhué|Curacaví|María Pinto|San Pedro|Til Til|Pirque|Paine|Buin"
)
QUALIFIERS = ("Norte", "Sur", "Oriente", "Poniente", "Alto", "Unido", "Nuevo", "del Valle")
COMUNA_WORDS = names(
    "Villa Alegre|Puerto Claro|San Esteban|Santa Clara|Nueva Aurora|Valle Hondo|Cerro Azul"
    "|Río Claro|Los Andes del Sur|Laguna Verde|Piedra Blanca|San Rafael|Tres Esteros"
    "|Monte Grande|Las Cruces|Punta Arenas Chica|Rinconada Alta|Los Molles|Agua Santa"
    "|El Tambo"
)
REGION_WORDS = names(
    "Cordillera|Valle Central|Costa|Altiplano|Lagos|Bosques|Secano|Estuarios|Volcanes"
    "|Pampa|Fiordos|Oasis"
)
SECTOR_PREFIXES = ("Villa", "Población", "Barrio", "Sector")


@dataclass
class ScaleResult:
    program: Program
    actors: int
    ties: int  # current versions
    tie_rows: int  # every version
    territories: int
    seconds: float
    timings: dict[str, float]


def scale_slug(size: int) -> str:
    return f"escala-{size}"


def scale_exists(size: int) -> bool:
    return Program.objects.filter(slug=scale_slug(size)).exists()


@transaction.atomic
def scale_reset(size: int) -> float:
    """Delete a synthetic network: its program, actors, ties and territories."""
    started = time.perf_counter()
    slug = scale_slug(size)
    program = Program.objects.filter(slug=slug).first()
    if program is not None:
        program_bulk_delete(program)
    _delete_territories(slug)
    return time.perf_counter() - started


def _delete_territories(slug: str) -> None:
    # Leaves first: a territory protects its children.
    for level in (3, 2, 1, 0):
        Territory.objects.filter(slug__startswith=f"{slug}-", level=level).delete()
    Territory.objects.filter(slug=slug).delete()


@transaction.atomic
def program_bulk_delete(program: Program) -> None:
    """Delete a program with hundreds of thousands of actors and ties in seconds.

    The ORM's cascade would load every tie into memory to follow `previous`; the bulk tables
    are deleted with plain statements first, and the ORM cascades whatever is left (posts,
    memberships... that someone may have added by hand).
    """
    actor_ids = f"SELECT id FROM {_table(Actor)} WHERE program_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(Tie)} WHERE program_id = %s", [program.pk])
        for through in (Actor.themes.through, Actor.territories_served.through):
            cursor.execute(
                f"DELETE FROM {_table(through)} WHERE actor_id IN ({actor_ids})", [program.pk]
            )
    Actor.objects.filter(program=program).delete()
    program.delete()


def scale_generate(
    *,
    size: int,
    seed: int = DEFAULT_SEED,
    ties_per_actor: float = TIES_PER_ACTOR,
    progress: Callable[[str], Any] | None = None,
) -> ScaleResult:
    if not 1 <= size <= MAX_SCALE:
        raise ValueError(f"size must be between 1 and {MAX_SCALE}")
    started = time.perf_counter()
    with transaction.atomic():
        if scale_exists(size):
            raise ValueError(f"{scale_slug(size)} exists: reset it first")
        # Territories left behind by a program deleted by hand would collide with the new ones.
        _delete_territories(scale_slug(size))
        result = _Generator(size, seed, ties_per_actor, progress).run()
        committing = time.perf_counter()
    # PostgreSQL checks the deferred foreign keys of every row at commit: part of the cost.
    result.timings["commit"] = time.perf_counter() - committing
    if progress:
        progress(f"  commit: {result.timings['commit']:.1f} s")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum would do a while later: mark the new pages all-visible so that
        # index-only scans work from the first request, as they will in steady state.
        vacuuming = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (Actor, Tie, Actor.themes.through):
                cursor.execute(f"VACUUM (ANALYZE) {_table(model)}")
        result.timings["vacuum"] = time.perf_counter() - vacuuming
        if progress:
            progress(f"  vacuum: {result.timings['vacuum']:.1f} s")
    result.seconds = time.perf_counter() - started
    return result


class _Generator:
    def __init__(
        self,
        size: int,
        seed: int,
        ties_per_actor: float,
        progress: Callable[[str], Any] | None,
    ) -> None:
        self.size = size
        self.seed = seed
        self.rng = random.Random(seed)
        self.ties_per_actor = ties_per_actor
        self.progress = progress or (lambda message: None)
        self.timings: dict[str, float] = {}
        self.today = timezone.localdate()

    def step(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[name] = now - started
        self.progress(f"  {name}: {now - started:.1f} s")
        return now

    def run(self) -> ScaleResult:
        t0 = t = time.perf_counter()
        self.program = program_create(
            user=None,
            name=f"Red sintética de {self.size:,} actores".replace(",", "."),
            slug=scale_slug(self.size),
            description=(
                "Red sintética generada para pruebas de carga con `tejido demo --scale`"
                f" (semilla {self.seed}). Actores y vínculos ficticios."
            ),
            starts_on=_program_start(self.today),
            is_public=True,
        )
        self.cycles = list(Cycle.objects.filter(program=self.program).order_by("number"))
        self.themes = self.ensure_themes()
        self.territories()
        t = self.step("territories", t)
        self.actors()
        t = self.step("actors", t)
        self.ties()
        t = self.step("ties", t)
        self.finish()
        self.step("indexes and statistics", t)
        return ScaleResult(
            program=self.program,
            actors=self.size,
            ties=self.tie_count,
            tie_rows=self.tie_rows,
            territories=self.territory_count,
            seconds=time.perf_counter() - t0,
            timings=self.timings,
        )

    # -- vocabulary ----------------------------------------------------------------------

    def ensure_themes(self) -> dict[str, int]:
        existing = dict(Theme.objects.values_list("slug", "pk"))
        for slug, name in THEMES:
            if slug not in existing:
                existing[slug] = theme_create(user=None, name=name, slug=slug).pk
        wanted = [s for s, _n in THEMES] + list(TRANSITION_SLUGS.values())
        missing = [s for s in wanted if s not in existing]
        if missing:
            raise RuntimeError(f"Transition themes are missing (run migrate first): {missing}")
        return {s: existing[s] for s in wanted}

    def territories(self) -> None:
        """Country › regions › comunas (~5,000 actors each) › sectors (~500 actors each)."""
        rng, slug = self.rng, scale_slug(self.size)
        n_comunas = max(1, round(self.size / ACTORS_PER_COMUNA))
        n_regions = max(1, math.ceil(n_comunas / COMUNAS_PER_REGION))
        per_comuna = max(1, round(ACTORS_PER_COMUNA / ACTORS_PER_SECTOR))
        if self.size < ACTORS_PER_COMUNA:
            per_comuna = max(1, round(self.size / ACTORS_PER_SECTOR))
        root = _bulk_territories(
            [
                Territory(
                    name=f"País sintético {self.size:,}".replace(",", "."),
                    slug=slug,
                    level=0,
                    latitude=-35.0,
                    longitude=-71.5,
                )
            ],
            parent_paths=["/"],
        )[0]
        regions = _bulk_territories(
            [
                Territory(
                    name=f"Región {_numbered(REGION_WORDS, r)}",
                    slug=f"{slug}-r{r + 1}",
                    level=1,
                    parent=root,
                    latitude=round(-27.0 - (r % 12) * 2.0, 6),
                    longitude=round(-70.0 - (r // 12) * 1.2, 6),
                )
                for r in range(n_regions)
            ],
            parent_paths=[root.path] * n_regions,
        )
        comunas = _bulk_territories(
            [
                Territory(
                    name=_numbered(COMUNA_WORDS, c),
                    slug=f"{slug}-c{c + 1}",
                    level=2,
                    parent=regions[c // COMUNAS_PER_REGION],
                    latitude=round(
                        float(regions[c // COMUNAS_PER_REGION].latitude or 0)
                        + rng.uniform(-0.6, 0.6),
                        6,
                    ),
                    longitude=round(
                        float(regions[c // COMUNAS_PER_REGION].longitude or 0)
                        + rng.uniform(-0.4, 0.4),
                        6,
                    ),
                )
                for c in range(n_comunas)
            ],
            parent_paths=[regions[c // COMUNAS_PER_REGION].path for c in range(n_comunas)],
        )
        sectors: list[Territory] = []
        parents: list[str] = []
        for c, comuna in enumerate(comunas):
            for s in range(per_comuna):
                sectors.append(
                    Territory(
                        name=f"{SECTOR_PREFIXES[s % 4]} {_numbered(BASE_WORDS, c * 7 + s)}",
                        slug=f"{slug}-c{c + 1}-s{s + 1}",
                        level=3,
                        parent=comuna,
                        latitude=round(float(comuna.latitude or 0) + rng.uniform(-0.04, 0.04), 6),
                        longitude=round(float(comuna.longitude or 0) + rng.uniform(-0.04, 0.04), 6),
                    )
                )
                parents.append(comuna.path)
        self.sectors = _bulk_territories(sectors, parent_paths=parents)
        self.comunas = comunas
        self.program.territories.set(regions)
        self.territory_count = 1 + len(regions) + len(comunas) + len(self.sectors)

    # -- actors --------------------------------------------------------------------------

    def actors(self) -> None:
        """Actors in contiguous id blocks per sector, so "someone of my sector/comuna" is a
        random index in a range, not a lookup."""
        rng, n = self.rng, self.size
        weights = [rng.uniform(0.6, 1.4) for _ in self.sectors]
        total = sum(weights)
        sizes = [int(n * w / total) for w in weights]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        # Block boundaries: sector j holds indices [bounds[j], bounds[j+1]).
        self.bounds = [0]
        for s in sizes:
            self.bounds.append(self.bounds[-1] + s)
        per_comuna = len(self.sectors) // len(self.comunas)
        self.comuna_bounds = [
            (self.bounds[c * per_comuna], self.bounds[(c + 1) * per_comuna])
            for c in range(len(self.comunas))
        ]
        self.first_id = _next_id(Actor)
        theme_slugs = list(self.themes)
        theme_index = {s: i for i, s in enumerate(theme_slugs)}
        self.theme_ids = [self.themes[s] for s in theme_slugs]
        self.sector_of = bytearray(
            n
        )  # 0 community, 1 public, 2 third/intl/academia, 3 private, 4 person
        self.theme_a = bytearray(n)
        self.theme_members: list[list[int]] = [[] for _ in theme_slugs]
        self.hubs: list[int] = []
        type_weights = [t[4] for t in SYNTHETIC_TYPES]
        sector_code = {
            "community": 0,
            "public": 1,
            "third_sector": 2,
            "international": 2,
            "academia": 2,
            "private": 3,
        }
        now = timezone.now()
        created = _adapt_datetime(now)
        themes_rows: list[tuple[int, int]] = []
        comuna_of_sector = [j // per_comuna for j in range(len(self.sectors))]

        def rows() -> Iterator[tuple[Any, ...]]:
            index = 0
            for j, sector in enumerate(self.sectors):
                comuna = self.comunas[comuna_of_sector[j]]
                place = sector.name
                local_theme = rng.randrange(len(theme_slugs))
                for k in range(sizes[j]):
                    actor_id = self.first_id + index
                    if k == 0 and j % per_comuna == 0:
                        # The comuna's municipal office: the hub of linking ties.
                        kind, sector_name = "organization", "public"
                        name = f"Municipalidad de {comuna.name} — Desarrollo Comunitario"
                        legal, description = "Municipalidad", f"Municipio de {comuna.name}."
                        themes: tuple[str, ...] = ("transicion-democratica",)
                        self.hubs.append(index)
                    elif rng.random() < PERSON_SHARE:
                        kind, sector_name = "person", "community"
                        first = rng.choice(CHILEAN_WOMEN if rng.random() < 0.6 else CHILEAN_MEN)
                        name = (
                            f"{first} {rng.choice(CHILEAN_SURNAMES)} {rng.choice(CHILEAN_SURNAMES)}"
                        )
                        legal, description, themes = "", f"Dirigencia de {place}.", ()
                    else:
                        prefix, sector_name, kind, legal, _w, themes, text = rng.choices(
                            SYNTHETIC_TYPES, weights=type_weights
                        )[0]
                        name = f"{prefix} {_word(rng)}"
                        if rng.random() < 0.3:
                            name += f" {rng.choice(QUALIFIERS)}"
                        description = text.format(place=place) if text else ""
                    code = 4 if kind == "person" else sector_code[sector_name]
                    self.sector_of[index] = code
                    first_theme = (
                        theme_index[rng.choice(themes)]
                        if themes and rng.random() < 0.7
                        else local_theme
                    )
                    self.theme_a[index] = first_theme
                    self.theme_members[first_theme].append(index)
                    themes_rows.append((actor_id, self.theme_ids[first_theme]))
                    if rng.random() < 0.5:
                        second = rng.randrange(len(theme_slugs))
                        if second != first_theme:
                            themes_rows.append((actor_id, self.theme_ids[second]))
                    power = 5 if sector_name == "public" else rng.randint(1, 4)
                    yield (
                        actor_id,
                        created,
                        created,
                        self.program.pk,
                        kind,
                        name,
                        sector_name,
                        legal,
                        description,
                        sector.pk,
                        "",
                        "",
                        "",
                        "",
                        "" if kind == "person" else rng.choice(("1-9", "10-49", "10-49", "50-249")),
                        None if kind == "person" else rng.randint(1950, 2024),
                        power,
                        rng.randint(1, 5),
                        rng.choice(
                            ("champion", "supporter", "supporter", "neutral", "skeptic", "")
                        ),
                        normalize_for_search(name, legal, description),
                        None,
                    )
                    index += 1

        columns = [
            "id",
            "created_at",
            "updated_at",
            "program",
            "kind",
            "name",
            "sector",
            "legal_form",
            "description",
            "territory",
            "email",
            "phone",
            "website",
            "address",
            "size",
            "founded_year",
            "power",
            "interest",
            "stance",
            "search_text",
            "created_by",
        ]
        _bulk_insert(Actor, columns, rows())
        _bulk_insert(Actor.themes.through, ["actor", "theme"], themes_rows)

    # -- ties ----------------------------------------------------------------------------

    def ties(self) -> None:
        rng, n = self.rng, self.size
        first_id = self.first_id
        tie_id = _next_id(Tie)
        program_id = self.program.pk
        taken: set[int] = set()
        cycles = self.cycles[:3]
        last_day = self.today - datetime.timedelta(days=1)
        starts = [c.starts_on for c in cycles]
        spans = [max(0, (min(c.ends_on, last_day) - c.starts_on).days) for c in cycles]
        origin = starts[0]
        day_cache: dict[int, tuple[str, Any]] = {}

        def day(offset: int) -> tuple[str, Any]:
            if offset not in day_cache:
                d = origin + datetime.timedelta(days=offset)
                moment = timezone.make_aware(datetime.datetime.combine(d, datetime.time(12)))
                day_cache[offset] = (_adapt_date(d), _adapt_datetime(moment))
            return day_cache[offset]

        horizon = (last_day - origin).days
        sector_of, theme_a, members = self.sector_of, self.theme_a, self.theme_members
        bounds, comuna_bounds = self.bounds, self.comuna_bounds
        per_comuna = len(self.sectors) // len(self.comunas)
        # Lognormal activity with mean ~ties_per_actor; the small correction makes up for the
        # draws lost to self-ties and pairs already taken.
        mu = math.log(self.ties_per_actor) - 0.32 + 0.026
        # Weighted draws as cumulative percentages: bisect on one random number is several
        # times cheaper than random.choices, and this loop runs five million times at 1M actors.
        kinds = ("collaboration", "information", "support", "agreement")
        kind_cum = _cumulative(42, 33, 20, 5)
        cycle_bonding, cycle_bridging = _cumulative(35, 33, 32), _cumulative(15, 33, 52)
        intensity_bonding = _cumulative(10, 35, 30, 18, 7)
        intensity_bridging = _cumulative(30, 40, 20, 8, 2)
        provenance_by_cycle = (
            (("survey", "manual", "import"), _cumulative(45, 30, 25)),
            (
                ("meeting", "survey", "fund", "manual", "consortium"),
                _cumulative(30, 25, 20, 15, 10),
            ),
            (
                ("meeting", "fund", "consortium", "mission", "survey", "manual"),
                _cumulative(22, 18, 20, 18, 12, 10),
            ),
        )
        random_ = rng.random
        counts = {"current": 0, "rows": 0}

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal tie_id
            for j in range(len(bounds) - 1):
                lo, hi = bounds[j], bounds[j + 1]
                c_lo, c_hi = comuna_bounds[j // per_comuna]
                hub = self.hubs[j // per_comuna] if self.hubs else lo
                for i in range(lo, hi):
                    wanted = max(1, int(rng.lognormvariate(mu, 0.8) + 0.5))
                    for _attempt in range(wanted):
                        r = rng.random()
                        if r < 0.62:
                            other, bridging = rng.randrange(lo, hi), False
                        elif r < 0.77:
                            other, bridging = rng.randrange(c_lo, c_hi), True
                        elif r < 0.87:
                            pool = members[theme_a[i]]
                            other, bridging = pool[rng.randrange(len(pool))], True
                        elif r < 0.92:
                            other, bridging = rng.randrange(n), True
                        else:
                            other, bridging = hub, True
                        if other == i:
                            continue
                        a, b = (i, other) if i < other else (other, i)
                        key = a * n + b
                        if key in taken:
                            continue
                        taken.add(key)
                        # Funding points from the funder; other types are undirected.
                        directed = False
                        source, target = a, b
                        sa, sb = sector_of[i], sector_of[other]
                        roll = rng.random()
                        if sa in (1, 2) and sb == 0 and roll < 0.25:
                            tie_type, directed, source, target = "funding", True, i, other
                        elif sb in (1, 2) and sa == 0 and roll < 0.25:
                            tie_type, directed, source, target = "funding", True, other, i
                        elif sa == 4 and sb != 4 and roll < 0.5:
                            tie_type, directed, source, target = "membership", True, i, other
                        elif sb == 4 and sa != 4 and roll < 0.5:
                            tie_type, directed, source, target = "membership", True, other, i
                        elif (sa == 1 or sb == 1) and roll < 0.45:
                            tie_type = "agreement"
                        else:
                            tie_type = kinds[bisect(kind_cum, random_() * 100)]
                        cycle = bisect(
                            cycle_bridging if bridging else cycle_bonding, random_() * 100
                        )
                        start = (starts[cycle] - origin).days + rng.randint(0, spans[cycle])
                        names, cumulative = provenance_by_cycle[cycle]
                        provenance = (
                            "fund"
                            if tie_type == "funding"
                            else names[bisect(cumulative, random_() * 100)]
                        )
                        intensity = bisect(
                            intensity_bridging if bridging else intensity_bonding, random_() * 100
                        )
                        surveyed = rng.random() < 0.35
                        trust = rng.randint(1, 5) if surveyed else None
                        value = rng.randint(1, 5) if surveyed else None
                        started_on, recorded_at = day(start)
                        ended_on = None
                        if rng.random() < ENDED_SHARE and start < horizon:
                            ended_on = day(rng.randint(start + 1, horizon))[0]
                        cycle_id = cycles[cycle].pk
                        previous = None
                        if rng.random() < HISTORY_SHARE and start < horizon:
                            # An earlier, weaker version replaced on a later day.
                            later = rng.randint(start + 1, horizon)
                            changed_at = day(later)[1]
                            yield (
                                tie_id, program_id, first_id + source, first_id + target,
                                tie_type, directed, max(0, intensity - 1), trust, value,
                                started_on, None, provenance, cycle_id, "", recorded_at, None,
                                changed_at, None,
                            )  # fmt: skip
                            previous, recorded_at = tie_id, changed_at
                            tie_id += 1
                            counts["rows"] += 1
                        yield (
                            tie_id, program_id, first_id + source, first_id + target, tie_type,
                            directed, intensity, trust, value, started_on, ended_on, provenance,
                            cycle_id, "", recorded_at, None, None, previous,
                        )  # fmt: skip
                        tie_id += 1
                        counts["rows"] += 1
                        counts["current"] += 1

        columns = [
            "id", "program", "source", "target", "tie_type", "directed", "intensity", "trust",
            "value", "started_on", "ended_on", "provenance", "cycle", "note", "recorded_at",
            "recorded_by", "superseded_at", "previous",
        ]  # fmt: skip
        _bulk_insert(Tie, columns, rows())
        self.tie_count = counts["current"]
        self.tie_rows = counts["rows"]

    def finish(self) -> None:
        """Move the id sequences past the ids written here and refresh planner statistics."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Actor, Tie]):
                cursor.execute(sql)
            tables = [_table(m) for m in (Actor, Tie, Actor.themes.through, Territory)]
            if connection.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")
            elif connection.vendor == "sqlite":
                # A sampled ANALYZE: enough for the planner to pick the right index, quick on
                # millions of rows.
                cursor.execute("PRAGMA analysis_limit = 1000")
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")


# -- bulk writing ------------------------------------------------------------------------


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _next_id(model: type[models.Model]) -> int:
    """The first free id. The caller holds the write transaction (SQLite) or is the only
    writer loading a benchmark database; sequences are moved past the ids afterwards."""
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return (top or 0) + 1


def _bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert rows (values in `fields` order, already adapted) as fast as the database allows.

    Columns the caller does not fill must have a default (or be nullable); that is checked
    here so that a field added to the model later fails loudly instead of silently.
    """
    opts = model._meta
    given = [opts.get_field(name) for name in fields]
    if not all(isinstance(f, models.Field) for f in given):
        raise ValueError("Only concrete fields can be written in bulk.")
    extra = [f for f in opts.concrete_fields if f not in given and f.column != "id"]
    extra_values: tuple[Any, ...] = ()
    for field in extra:
        if field.has_default():
            extra_values += (field.get_db_prep_save(field.get_default(), connection),)
        elif field.null:
            extra_values += (None,)
        else:
            raise RuntimeError(
                f"{opts.label}.{field.name} has no default: teach the scale generator about it."
            )
    columns = [str(f.column) for f in given + extra]  # type: ignore[union-attr]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(opts.db_table)
    connection.ensure_connection()
    raw = connection.connection
    cursor = raw.cursor()
    try:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + extra_values if extra_values else row)
        else:
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})"
            iterator = iter(rows)
            while batch := list(islice(iterator, 50_000)):
                if extra_values:
                    batch = [row + extra_values for row in batch]
                cursor.executemany(sql, batch)
    finally:
        cursor.close()


def _bulk_territories(items: list[Territory], *, parent_paths: list[str]) -> list[Territory]:
    created = Territory.objects.bulk_create([_with_path(t, "/") for t in items], batch_size=1000)
    if any(t.pk is None for t in created):  # databases that cannot return ids
        slugs = [t.slug for t in items]
        by_slug = {t.slug: t for t in Territory.objects.filter(slug__in=slugs)}
        created = [by_slug[s] for s in slugs]
    for territory, parent_path in zip(created, parent_paths, strict=True):
        territory.path = f"{parent_path}{territory.pk}/"
    Territory.objects.bulk_update(created, ["path"], batch_size=1000)
    return created


def _with_path(territory: Territory, path: str) -> Territory:
    territory.path = path
    return territory


def _adapt_date(value: datetime.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _adapt_datetime(value: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _numbered(words: Sequence[str], index: int) -> str:
    word = words[index % len(words)]
    round_ = index // len(words)
    return word if round_ == 0 else f"{word} {round_ + 1}"


def _word(rng: random.Random) -> str:
    """Most names use a few common words (Zipf-like), some a rare one: realistic searches."""
    if rng.random() < 0.15:
        return rng.choice(TAIL_WORDS)
    return rng.choices(BASE_WORDS, cum_weights=_BASE_CUMULATIVE)[0]


_BASE_CUMULATIVE = list(accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(BASE_WORDS))))


def _cumulative(*percentages: int) -> list[int]:
    """Bounds for `bisect(bounds, random() * 100)`: the index of the option drawn."""
    assert sum(percentages) == 100
    return list(accumulate(percentages))[:-1]


def _program_start(today: datetime.date) -> datetime.date:
    from .loader import program_start

    return program_start(today)
