"""The agendas part of the cooperation demo: "Agenda social Valparaíso 2027", a published shared
agenda (a series of three sessions, eight entities of several sectors, about twenty items over
the four transitions gathered into five groups with their discussion, the entities' dots, the
count and four endorsements), and a space still raising items that the demo representative's
Junta de Vecinos Villa Los Aromos del Sur can join.

Everything goes through the agendas services (audit entries are real); reflection spaces
record no ties."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from tejido.actors.models import Actor, Representative
from tejido.cooperation.agendas import services
from tejido.cooperation.models import ItemKind
from tejido.core.models import Program, Territory, Theme

AROMOS = "Junta de Vecinos Villa Los Aromos del Sur"
S, D, E, G = "social", "democratic", "ecological", "digital"

# Groups, each with its items: (kind, title, description, transitions).
GROUPS: tuple[tuple[str, str, tuple[tuple[str, str, str, tuple[str, ...]], ...]], ...] = (
    (
        "Cuidados y personas mayores",
        "Redes de cuidado en los cerros para quienes viven solas y para quienes cuidan.",
        (
            (
                ItemKind.CHALLENGE,
                "Soledad no deseada de personas mayores en los cerros",
                "Vecinas mayores que no bajan al plan por las escaleras y pasan días sin hablar con"
                " nadie.",
                (S,),
            ),
            (
                ItemKind.NEED,
                "Respiro para cuidadoras de personas dependientes",
                "Turnos de apoyo para que las cuidadoras puedan ir al consultorio o descansar.",
                (S,),
            ),
            (
                ItemKind.TREND,
                "Teleasistencia comunitaria con voluntariado",
                "Llamadas diarias organizadas por la junta de vecinos con una planilla compartida.",
                (S, G),
            ),
            (
                ItemKind.NEED,
                "Sedes accesibles para adultos mayores",
                "Rampas, baños adaptados y pasamanos en las sedes vecinales.",
                (S, E),
            ),
        ),
    ),
    (
        "Incendios y cambio climático en los cerros",
        "Prevención de incendios forestales en la interfaz urbano-rural y adaptación al calor.",
        (
            (
                ItemKind.CHALLENGE,
                "Microbasurales y pastizales en quebradas",
                "Las quebradas acumulan basura y pastizales secos que propagan el fuego.",
                (E,),
            ),
            (
                ItemKind.NEED,
                "Brigadas vecinales de emergencia equipadas",
                "Mochilas, extintores y formación para las brigadas de cada cerro.",
                (E, S),
            ),
            (
                ItemKind.TREND,
                "Cortafuegos verdes con especies nativas",
                "Franjas de quillay, litre y peumo que frenan el fuego y dan sombra.",
                (E,),
            ),
            (
                ItemKind.NEED,
                "Alertas tempranas por WhatsApp en cada pasaje",
                "Una red de avisos coordinada con Bomberos y la municipalidad.",
                (E, G),
            ),
            (
                ItemKind.CHALLENGE,
                "Olas de calor en viviendas de material ligero",
                "Casas de madera y zinc que superan los 35 °C en verano.",
                (E, S),
            ),
        ),
    ),
    (
        "Economía local y empleo juvenil",
        "Trabajo para jóvenes del territorio y ferias que dejen el dinero en el barrio.",
        (
            (
                ItemKind.CHALLENGE,
                "Desempleo juvenil después de la enseñanza media",
                "Jóvenes que egresan del liceo técnico sin práctica ni primer empleo.",
                (S,),
            ),
            (
                ItemKind.TREND,
                "Compras públicas a emprendimientos del territorio",
                "Que la municipalidad y los colegios compren colaciones y servicios a "
                "emprendedoras locales.",
                (S, D),
            ),
            (
                ItemKind.NEED,
                "Espacio de cowork y cocina compartida",
                "Una cocina con resolución sanitaria para las emprendedoras del cerro.",
                (S,),
            ),
            (
                ItemKind.TREND,
                "Ferias libres con pago digital",
                "Puestos que aceptan transferencias y códigos QR.",
                (G,),
            ),
        ),
    ),
    (
        "Participación y transparencia",
        "Que las decisiones del territorio se tomen con las organizaciones y se rindan cuentas.",
        (
            (
                ItemKind.CHALLENGE,
                "Baja participación en las asambleas vecinales",
                "Las asambleas convocan a las mismas diez personas de siempre.",
                (D,),
            ),
            (
                ItemKind.NEED,
                "Presupuestos participativos por cerro",
                "Una parte del presupuesto municipal decidida por votación vecinal.",
                (D,),
            ),
            (
                ItemKind.TREND,
                "Rendición de cuentas abierta de las organizaciones",
                "Publicar ingresos y gastos de cada proyecto en una página sencilla.",
                (D, G),
            ),
        ),
    ),
    (
        "Brecha digital",
        "Conectividad y habilidades digitales para dirigentas, personas mayores y estudiantes.",
        (
            (
                ItemKind.CHALLENGE,
                "Sin conexión estable en la parte alta de los cerros",
                "Hogares que dependen de datos móviles prepago.",
                (G,),
            ),
            (
                ItemKind.NEED,
                "Alfabetización digital para dirigentas",
                "Talleres para postular a fondos, usar ClaveÚnica y llevar actas en línea.",
                (G, D),
            ),
            (
                ItemKind.TREND,
                "Puntos de wifi comunitario en sedes",
                "Antenas en las sedes vecinales con acceso libre para estudiantes.",
                (G, S),
            ),
            (
                ItemKind.NEED,
                "Reciclaje de computadores para estudiantes",
                "Equipos donados por empresas, reacondicionados por el liceo técnico.",
                (G, E),
            ),
        ),
    ),
)

COMMENTS = (
    "Nuestra organización puede aportar voluntariado los fines de semana.",
    "Esto se conversó también en la mesa territorial: conviene coordinarlo con el CESFAM.",
    "Propongo que lo trabajemos junto con la universidad, que tiene estudiantes en práctica.",
    "En nuestro cerro ya lo intentamos; faltó financiamiento para sostenerlo.",
    "Hay un fondo del GORE que podría servir para esto el próximo año.",
    "Ojo con no duplicar lo que ya hace el municipio.",
)

INTRO = (
    "Durante tres sesiones, ocho organizaciones de la comunidad, del sector público, de la "
    "sociedad civil, de la academia y de la empresa se reunieron para mirar juntas los desafíos"
    " del Gran Valparaíso para 2027.\n\n"
    "Levantamos más de veinte desafíos, necesidades y tendencias, los agrupamos en cinco temas"
    " y los priorizamos con votación por puntos. Esta agenda es el resultado: la ofrecemos a "
    "la municipalidad, al gobierno regional y a todas las organizaciones que quieran sumarse."
)

ENDORSEMENT_NOTES = (
    "Nos comprometemos a trabajar en la prioridad de incendios.",
    "La llevaremos al consejo comunal de organizaciones de la sociedad civil.",
    "",
    "Apoyamos con estudiantes en práctica.",
)


def _at(today: datetime.date, days: int, hour: int) -> datetime.datetime:
    day = today + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _speakers(program: Program) -> dict[int, Any]:
    speakers: dict[int, Any] = {}
    for rep in (
        Representative.objects.filter(organization__program=program)
        .exclude(organization__kind="person")
        .select_related("user")
        .order_by("pk")
    ):
        if rep.user.is_active:
            speakers.setdefault(rep.organization_id, rep.user)
    return speakers


def _varied(entities: list[Actor], count: int, rng: random.Random) -> list[Actor]:
    """`count` entities, taking each sector in turn so the space is intersectoral."""
    by_sector: dict[str, list[Actor]] = {}
    for actor in entities:
        by_sector.setdefault(actor.sector or "", []).append(actor)
    for members in by_sector.values():
        rng.shuffle(members)
    chosen: list[Actor] = []
    while len(chosen) < count and any(by_sector.values()):
        for sector in sorted(by_sector):
            if by_sector[sector] and len(chosen) < count:
                chosen.append(by_sector[sector].pop())
    return chosen


def demo_agendas(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> None:
    """A published agenda and a space raising items (see the module's docstring)."""
    speakers = _speakers(program)
    entities = list(
        Actor.objects.organizations().filter(program=program, pk__in=speakers).order_by("pk")
    )
    aromos = next((a for a in entities if a.name == AROMOS), None)
    pool = [a for a in entities if aromos is None or a.pk != aromos.pk]
    if len(pool) < 3:
        return
    transitions = {t.transition: t for t in Theme.objects.exclude(transition="")}
    territory = Territory.objects.filter(
        pk__in=program.territories.values_list("pk", flat=True)
    ).first()
    participants = _varied(pool, 8, rng)
    voice = {a.pk: speakers[a.pk] for a in participants}

    space = services.space_create(
        user=coordinator,
        program=program,
        title="Agenda social Valparaíso 2027",
        description=(
            "Un espacio de reflexión intersectorial para identificar los retos, necesidades y "
            "tendencias de innovación social de los cerros de Valparaíso y acordar una agenda "
            "común para 2027."
        ),
        format="series",
        sessions=[
            {
                "title": "Levantamiento de desafíos",
                "starts_at": _at(today, -63, 18),
                "place": "Sede Junta de Vecinos, Cerro Alegre",
            },
            {
                "title": "Agrupación y diálogo",
                "starts_at": _at(today, -49, 18),
                "place": "https://meet.jit.si/agenda-valparaiso-2027",
            },
            {
                "title": "Priorización y cierre",
                "starts_at": _at(today, -35, 10),
                "place": "Aula magna, Universidad de Valparaíso",
            },
        ],
        territory=territory,
        themes=list(transitions.values()),
        method="dots",
        dots_per_participant=5,
    )
    for actor in participants:
        services.space_join(user=voice[actor.pk], space=space, actor=actor)

    groups = []
    for title, summary, items in GROUPS:
        group = services.group_create(user=coordinator, space=space, title=title, summary=summary)
        groups.append(group)
        for kind, item_title, description, codes in items:
            actor = rng.choice(participants)
            item = services.item_raise(
                user=voice[actor.pk],
                space=space,
                actor=actor,
                kind=kind,
                title=item_title,
                description=description,
                transitions=[transitions[c] for c in codes if c in transitions],
            )
            services.item_assign(user=coordinator, item=item, group=group)
        for body in rng.sample(COMMENTS, 2):
            actor = rng.choice(participants)
            services.comment_add(user=voice[actor.pk], group=group, actor=actor, body=body)

    services.prioritization_open(user=coordinator, space=space)
    # Fire and climate weigh most, then care, then the others: spread each entity's 5 dots.
    weights = [3, 5, 2, 1.5, 2]
    for actor in participants:
        dots: dict[str, int] = {}
        for _n in range(space.dots_per_participant):
            group = rng.choices(groups, weights=weights)[0]
            dots[str(group.pk)] = dots.get(str(group.pk), 0) + 1
        services.input_submit(
            user=voice[actor.pk], space=space, actor=actor, content={"dots": dots}
        )
    services.prioritization_close(user=coordinator, space=space)
    # The services return the fresh row (the rules read its status).
    space = services.agenda_publish(user=coordinator, space=space, intro=INTRO)

    endorsers = [a for a in pool if a not in participants][:2] + participants[:2]
    for actor, note in zip(endorsers, ENDORSEMENT_NOTES, strict=False):
        services.agenda_endorse(user=speakers[actor.pk], space=space, actor=actor, note=note)

    # A space still raising items; Villa Los Aromos del Sur is not in it yet and may join.
    open_space = services.space_create(
        user=coordinator,
        program=program,
        title="Cerros que cuidan: agenda de cuidados 2027",
        description=(
            "Juntas de vecinos, clubes de adulto mayor, el CESFAM y organizaciones de cuidadoras"
            " levantan lo que falta para cuidar y ser cuidados en los cerros."
        ),
        format="series",
        sessions=[
            {
                "title": "Primera sesión",
                "starts_at": _at(today, 9, 18),
                "place": "Centro comunitario Cerro Cordillera",
            },
            {
                "title": "Segunda sesión",
                "starts_at": _at(today, 23, 18),
                "place": "https://meet.jit.si/cerros-que-cuidan",
            },
        ],
        territory=territory,
        themes=[transitions[c] for c in (S, D) if c in transitions],
        method="ranked",
    )
    first = participants[:3]
    for actor in first:
        services.space_join(user=voice[actor.pk], space=open_space, actor=actor)
    for actor, (kind, title, description, codes) in zip(first, GROUPS[0][2], strict=False):
        services.item_raise(
            user=voice[actor.pk],
            space=open_space,
            actor=actor,
            kind=kind,
            title=title,
            description=description,
            transitions=[transitions[c] for c in codes if c in transitions],
        )
