"""The demo's territory selection: the scorecard with which the program chose its territories at
the start of its first cycle, decided and recorded with its reasons.

The candidates are the program's own territories and up to two places like them (same level,
same country) that it did not take on, so the ranking has something to leave out. The values are
what a coordination team gathers: a vulnerability index from the Registro Social de Hogares
(share of households in the 40 % most vulnerable), letters and agreements of local support, the
distance from the foundation's office, and the community organizations counted from the registry.
Everything goes through the services, as a coordinator would; only the dates are set back to
when it happened.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone, translation

from tejido.accounts.models import User
from tejido.core.models import Program, Territory
from tejido.governance.models import CriterionKind, Scorecard
from tejido.governance.selection import selectors, services

SEED = 4101
NEIGHBOURS = 2

# Vulnerability (% of households in the RSH's 40 % bracket), local support (0–3 and its
# evidence) and distance in km from the foundation's office in Santiago, for the real places of
# the demo. Other places draw plausible values from the seeded generator.
KNOWN: dict[str, tuple[Decimal, tuple[int, str] | None, Decimal]] = {
    "bajos-de-mena": (
        Decimal("78.4"),
        (
            3,
            "Convenio de colaboración con la Municipalidad de Puente Alto, decreto alcaldicio"
            " N° 1.872",
        ),
        Decimal("24"),
    ),
    "san-bernardo": (
        Decimal("64.1"),
        (2, "Carta de apoyo del alcalde, oficio N° 245"),
        Decimal("18"),
    ),
    "la-ligua": (
        Decimal("61.7"),
        (
            3,
            "Acuerdo del Concejo Municipal, sesión ordinaria N° 38: sede comunitaria y una"
            " profesional de Dideco para el programa",
        ),
        Decimal("154"),
    ),
    "barrio-yungay": (
        Decimal("55.3"),
        (2, "Carta de apoyo de la Dirección de Desarrollo Comunitario, Municipalidad de Santiago"),
        Decimal("2"),
    ),
    "valparaiso": (
        Decimal("58.9"),
        (1, "Reunión con Dideco: interés manifestado, sin compromiso por escrito"),
        Decimal("118"),
    ),
    # The municipality had not answered the request for support when the decision was taken.
    "concepcion": (Decimal("49.6"), None, Decimal("500")),
}
RSH_EVIDENCE = (
    "Registro Social de Hogares, Ministerio de Desarrollo Social y Familia: hogares en el tramo"
    " del 40 % más vulnerable, corte de diciembre de {year}"
)
SUPPORT_EVIDENCE = (
    "Carta de apoyo del alcalde, oficio N° {number}",
    "Correo de Dideco con disposición a colaborar",
    "Acta de reunión con el municipio, compromiso de sede",
)


def _candidates(program: Program) -> tuple[list[Territory], list[Territory]]:
    """The program's territories, and up to NEIGHBOURS places like them it did not take on:
    same level, same country, neither containing nor within one of its territories."""
    own = list(program.territories.order_by("name"))
    if not own:
        raise ValueError(f"The program {program.slug} has no territories to select among.")
    roots = Q()
    for root in {t.path.strip("/").split("/")[0] for t in own}:
        roots |= Q(path__startswith=f"/{root}/")
    own_paths = [t.path for t in own]
    others = [
        t
        for t in Territory.objects.filter(roots, level__in={t.level for t in own})
        .exclude(pk__in=[t.pk for t in own])
        .order_by("name", "pk")
        if not any(t.path.startswith(p) or p.startswith(t.path) for p in own_paths)
    ]
    return own, others[:NEIGHBOURS]


# How the reasons name each criterion when it is a territory's strongest.
STRENGTHS: dict[str, str] = {
    CriterionKind.VULNERABILITY: "su alta vulnerabilidad social",
    CriterionKind.ORGANIZATIONS: "su tejido de organizaciones comunitarias",
    CriterionKind.LOCAL_SUPPORT: "el apoyo formal de su municipio",
    CriterionKind.CUSTOM: "su cercanía a la oficina de la fundación",
}


def _reasons(scorecard: Scorecard, chosen: list[str], day: datetime.date) -> str:
    board = selectors.scorecard_board(scorecard)
    strengths = []
    for row in board.rows:
        if row.candidate.territory.name not in chosen:
            continue
        best = max(row.cells, key=lambda cell: cell.contribution.points)
        strengths.append(f"{row.candidate.territory.name}, por {STRENGTHS[best.criterion.kind]}")
    left_out = [row for row in board.rows if row.candidate.territory.name not in chosen]
    text = (
        "El equipo de coordinación revisó el ranking con el directorio de la fundación el"
        f" {day:%d/%m/%Y}. Se seleccionan los {len(chosen)} territorios mejor ubicados: "
        + "; ".join(strengths)
        + "."
    )
    if left_out:
        waiting = " y ".join(row.candidate.territory.name for row in left_out)
        text += (
            f"\n\nQuedan en lista de espera para el próximo ciclo {waiting}: su vulnerabilidad"
            " es menor y el apoyo municipal no está formalizado. Se les invitará a la comunidad"
            " de aprendizaje."
        )
        if any(row.missing_cells for row in left_out):
            text += " Uno de los municipios no había respondido la solicitud de apoyo a la fecha."
    text += (
        "\n\nLa fundación acompaña a la vez tantos territorios como equipos de terreno tiene;"
        " la selección se revisará al cierre del ciclo."
    )
    return text


def demo_scorecard(program: Program, *, coordinator: User, today: datetime.date) -> Scorecard:
    """A decided scorecard for the program: it chose its own territories among a few more."""
    # Seeded by the program's slug, not its id: loading the demo again gives the same values.
    rng = random.Random(f"{SEED}:{program.slug}")
    own, others = _candidates(program)
    cycles = list(program.cycles.order_by("number"))
    first = cycles[0] if cycles else None
    start = first.starts_on if first else today.replace(year=today.year - 3)
    decided_on = start + datetime.timedelta(days=24)
    created_on = decided_on - datetime.timedelta(days=38)
    seats = len(own)
    with translation.override("es"):
        scorecard = services.scorecard_create(
            user=coordinator,
            program=program,
            title="Selección de territorios del programa",
            description=(
                "Los territorios candidatos se ponderaron por su vulnerabilidad social, la"
                " cantidad de organizaciones comunitarias activas que pueden formar un"
                " directorio local, el apoyo comprometido por el municipio y la distancia desde"
                " la oficina de la fundación. Participaron el equipo de coordinación y el"
                " directorio de la fundación."
            ),
            cycle=first,
            seats_to_fill=seats,
            territories=own + others,
            with_default_criteria=False,
        )
        criteria = {
            kind: services.criterion_add(
                user=coordinator,
                scorecard=scorecard,
                kind=kind,
                name=name,
                weight=weight,
                higher_is_better=higher,
            )
            for kind, name, weight, higher in (
                (
                    CriterionKind.VULNERABILITY,
                    "Índice de vulnerabilidad (% hogares en tramo 40 del RSH)",
                    40,
                    True,
                ),
                (CriterionKind.ORGANIZATIONS, "Organizaciones comunitarias activas", 25, True),
                (CriterionKind.LOCAL_SUPPORT, "Apoyo del gobierno local (0 a 3)", 25, True),
                (CriterionKind.CUSTOM, "Distancia a la oficina de la fundación (km)", 10, False),
            )
        }
        entries: dict[tuple[int, int], services.ValueEntry | None] = {}
        for candidate in scorecard.candidates.select_related("territory"):
            slug = candidate.territory.slug
            if slug in KNOWN:
                vulnerability, support, distance = KNOWN[slug]
            else:
                vulnerability = Decimal(str(round(rng.uniform(42, 80), 1)))
                level = rng.randint(0, 3)
                support = (level, rng.choice(SUPPORT_EVIDENCE).format(number=rng.randint(90, 990)))
                distance = Decimal(rng.randint(3, 320))
            key = candidate.pk
            entries[key, criteria[CriterionKind.VULNERABILITY].pk] = services.ValueEntry(
                value=vulnerability, evidence=RSH_EVIDENCE.format(year=decided_on.year - 1)
            )
            if support is not None:
                entries[key, criteria[CriterionKind.LOCAL_SUPPORT].pk] = services.ValueEntry(
                    value=Decimal(support[0]), evidence=support[1] if support[0] else ""
                )
            entries[key, criteria[CriterionKind.CUSTOM].pk] = services.ValueEntry(
                value=distance, evidence="Ruta más corta en transporte público o carretera"
            )
        services.values_set(user=coordinator, scorecard=scorecard, entries=entries)
        services.organizations_refresh(user=coordinator, scorecard=scorecard, today=created_on)
        ranking = selectors.scorecard_board(scorecard).rows
        chosen = [row.candidate.territory for row in ranking[:seats]]
        scorecard = services.scorecard_decide(
            user=coordinator,
            scorecard=scorecard,
            selected=chosen,
            reasons=_reasons(scorecard, [t.name for t in chosen], decided_on),
        )
    # It happened at the start of the first cycle: the dates say so.
    decided_at = timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(12, 30)))
    created_at = timezone.make_aware(datetime.datetime.combine(created_on, datetime.time(10, 0)))
    Scorecard.objects.filter(pk=scorecard.pk).update(
        created_at=created_at, updated_at=decided_at, decided_at=decided_at
    )
    scorecard.refresh_from_db()
    return scorecard
