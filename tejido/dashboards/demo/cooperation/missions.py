"""The missions part of the cooperation demo: a study mission to Barcelona and Bilbao seven
months ago, its contacts (ties) and their six-month follow-up, and an upcoming one to
Medellín."""

from __future__ import annotations

import datetime
import random
from typing import Any

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.actors.services import actor_create, actor_update
from tejido.cooperation.missions.services import (
    NewContact,
    contact_follow_up,
    contact_record,
    mission_create,
    mission_update,
    participant_set_travellers,
)
from tejido.cooperation.models import FollowUpOutcome, MissionParticipant
from tejido.core.models import Program, Territory, Theme

HOSTS = (
    ("Xarxa d'Economia Solidària de Catalunya", "Barcelona, España"),
    ("Coop57 SCCL", "Barcelona, España"),
    ("REAS Euskadi", "Bilbao, España"),
)
MET = (
    ("Ateneu Cooperatiu del Barcelonès Nord", "ES"),
    ("Fundació Roca i Galès", "ES"),
    ("Olatukoop", "ES"),
    ("Ayuntamiento de Bilbao · Área de Economía Social", "ES"),
)
# What the registry knows of the organizations met abroad (every organization of the demo has
# a territory, themes, a description and stakeholder attributes): where each one works.
ABROAD = {
    "Xarxa d'Economia Solidària de Catalunya": "barcelona",
    "Coop57 SCCL": "barcelona",
    "Ateneu Cooperatiu del Barcelonès Nord": "nou-barris",
    "Fundació Roca i Galès": "barcelona",
    "REAS Euskadi": "espana",
    "Olatukoop": "espana",
    "Ayuntamiento de Bilbao · Área de Economía Social": "espana",
    "Corporación Región para el Desarrollo y la Democracia": "medellin",
}

TALKS = (
    (
        "Nos explicaron cómo financian con ahorro local a cooperativas de vivienda.",
        "Enviarnos su modelo de estatutos y el reglamento del fondo rotatorio.",
    ),
    (
        "Conversamos sobre el mercado social y la moneda de intercambio entre entidades.",
        "Videollamada en un mes con el equipo de mercado social.",
    ),
    (
        "Visitamos su ateneo: acompañan a grupos que quieren formar una cooperativa.",
        "Compartir la guía de acompañamiento y evaluar una pasantía.",
    ),
    (
        "Presentaron su balance social anual y cómo lo usan las entidades.",
        "Adaptar el cuestionario del balance social al contexto chileno.",
    ),
)
OUTCOMES = (
    FollowUpOutcome.IN_TOUCH,
    FollowUpOutcome.COLLABORATING,
    FollowUpOutcome.NOTHING,
    FollowUpOutcome.IN_TOUCH,
    FollowUpOutcome.AGREEMENT,
    FollowUpOutcome.COLLABORATING,
)
TRAVELLERS = (
    "Rosa Muñoz (presidenta) y Javier Tapia",
    "Marcela Quiroz",
    "Luis Araya y Daniela Rojas",
    "Patricia Soto (tesorera)",
    "Héctor Vidal",
)
OUTCOME_NOTES = {
    FollowUpOutcome.NOTHING: "No hubo respuesta a nuestros correos.",
    FollowUpOutcome.IN_TOUCH: "Nos escribimos cada cierto tiempo y compartimos materiales.",
    FollowUpOutcome.COLLABORATING: "Preparamos juntos un taller en línea sobre finanzas éticas.",
    FollowUpOutcome.AGREEMENT: "Firmamos un convenio de intercambio de pasantías.",
}


def _themes(rng: random.Random) -> list[Theme]:
    themes = list(Theme.objects.order_by("name")[:12])
    return rng.sample(themes, min(2, len(themes)))


def demo_missions(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> None:
    """One past mission with its contacts and follow-up, and one upcoming mission."""
    entities = list(
        Actor.objects.organizations()
        .filter(program=program)
        .exclude(sector=Sector.INTERNATIONAL)
        .order_by("pk")
    )
    if len(entities) < 2:
        return
    rng.shuffle(entities)
    participants = entities[:5]
    hosts = [
        actor_create(
            user=coordinator,
            program=program,
            kind=ActorKind.ORGANIZATION,
            name=name,
            sector=Sector.INTERNATIONAL,
            address=place,
        )
        for name, place in HOSTS
    ]
    starts = today - datetime.timedelta(days=215)
    past = mission_create(
        user=coordinator,
        program=program,
        title="Misión de estudio: economía social en Barcelona y Bilbao",
        purpose=(
            "Conocer cómo las redes de economía social de Cataluña y el País Vasco financian, "
            "acompañan y articulan a sus entidades, para traer ideas aplicables a los barrios "
            "de Valparaíso."
        ),
        destination="Barcelona y Bilbao",
        country="ES",
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=6),
        programme=(
            "Día 1 · Recepción en la Xarxa d'Economia Solidària y visita al mercado social\n"
            "Día 2 · Coop57: finanzas éticas y fondo rotatorio\n"
            "Día 3 · Ateneus cooperatius y acompañamiento a nuevas cooperativas\n"
            "Día 4 · Viaje a Bilbao · REAS Euskadi: balance social\n"
            "Día 5 · Olatukoop y reunión con el Ayuntamiento de Bilbao\n"
            "Día 6 · Jornada de síntesis y compromisos"
        ),
        themes=_themes(rng),
        hosts=hosts,
        participants=participants,
    )
    past.program = program
    rows = list(MissionParticipant.objects.filter(mission=past).select_related("actor"))
    met: list[Actor] = list(hosts)
    contacts = []
    for index, row in enumerate(rows):
        row.mission = past
        participant_set_travellers(
            user=coordinator, participant=row, travellers=TRAVELLERS[index % len(TRAVELLERS)]
        )
        # Each entity met two or three of the hosts and others; the first also a local partner.
        chosen = rng.sample(hosts, 2)
        for host in chosen:
            talk, steps = TALKS[rng.randrange(len(TALKS))]
            contacts.append(
                contact_record(
                    user=coordinator, participant=row, contact=host, note=talk, next_steps=steps
                )
            )
        name, country = MET[index % len(MET)]
        existing = next((a for a in met if a.name == name), None)
        talk, steps = TALKS[rng.randrange(len(TALKS))]
        if existing is None:
            contact = contact_record(
                user=coordinator,
                participant=row,
                new_contact=NewContact(name=name, sector=Sector.INTERNATIONAL, country=country),
                note=talk,
                next_steps=steps,
            )
            met.append(contact.contact)
        else:
            contact = contact_record(
                user=coordinator, participant=row, contact=existing, note=talk, next_steps=steps
            )
        contacts.append(contact)
    # A Chilean organization they met there: the pair already knew each other.
    local = entities[5] if len(entities) > 5 else None
    if local is not None:
        contacts.append(
            contact_record(
                user=coordinator,
                participant=rows[0],
                contact=local,
                note="Coincidimos en Barcelona y acordamos retomar el trabajo en el cerro.",
                next_steps="Reunión en Valparaíso a la vuelta.",
            )
        )
    # Most contacts answered the six-month follow-up, with every kind of answer.
    outcomes = [OUTCOMES[i % len(OUTCOMES)] for i in range(len(contacts))]
    rng.shuffle(outcomes)
    for index, (contact, outcome) in enumerate(zip(contacts, outcomes, strict=True)):
        if index % 6 == 5:
            continue
        contact.mission = past
        contact_follow_up(
            user=coordinator, contact=contact, outcome=outcome, outcome_note=OUTCOME_NOTES[outcome]
        )
    mission_update(
        user=coordinator,
        mission=past,
        title=past.title,
        purpose=past.purpose,
        destination=past.destination,
        country=past.country,
        starts_on=past.starts_on,
        ends_on=past.ends_on,
        programme=past.programme,
        status="done",
        themes=list(past.themes.all()),
        hosts=hosts,
        participants=participants,
    )
    upcoming_starts = today + datetime.timedelta(days=48)
    mission_create(
        user=coordinator,
        program=program,
        title="Visita a Medellín: urbanismo social y presupuesto participativo",
        purpose=(
            "Aprender de la experiencia de Medellín en urbanismo social, juntas de acción comunal "
            "y presupuesto participativo en las comunas."
        ),
        destination="Medellín",
        country="CO",
        starts_on=upcoming_starts,
        ends_on=upcoming_starts + datetime.timedelta(days=4),
        programme=(
            "Día 1 · Comuna 13: recorrido con sus organizaciones culturales\n"
            "Día 2 · Alcaldía: planeación local y presupuesto participativo\n"
            "Día 3 · Parques biblioteca y juntas de acción comunal\n"
            "Día 4 · Encuentro con redes de economía solidaria de Antioquia"
        ),
        themes=_themes(rng),
        participants=entities[3:7] if len(entities) > 3 else entities[:2],
        new_host_name="Corporación Región para el Desarrollo y la Democracia",
        new_host_sector=Sector.THIRD_SECTOR,
    )
    _complete_profiles(program, coordinator, rng)


def _complete_profiles(program: Program, coordinator: Any, rng: random.Random) -> None:
    """The organizations met abroad, created on the spot during the missions, get the profile
    a coordinator would fill in afterwards: where they work, their themes, what they do."""
    places = {t.slug: t for t in Territory.objects.filter(slug__in=set(ABROAD.values()))}
    for actor in Actor.objects.filter(program=program, name__in=ABROAD, description=""):
        actor_update(
            user=coordinator,
            actor=actor,
            themes=_themes(rng),
            territory=places.get(ABROAD[actor.name]),
            description=(
                "Organización que la red conoció en una misión de estudio: comparte su "
                "experiencia en economía social y acompaña a entidades de otros territorios."
            ),
            power=2,
            interest=4,
        )
