"""The sharing part of the cooperation demo: offers and needs of shared services among the
program's organizations, and the requests and agreements between them.

Everything goes through the sharing services (audit entries and ties are real). The demo
representative's Junta de Vecinos Villa Los Aromos del Sur gets an open accounting need with
offers that match it, a request it sent that waits for an answer and one it received.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from tejido.actors.models import Actor, Representative, Sector
from tejido.cooperation.models import ListingKind, ServiceListing, ServiceTerms
from tejido.cooperation.models import ServiceCategory as C
from tejido.cooperation.sharing import services
from tejido.core.models import Program

AROMOS = "Junta de Vecinos Villa Los Aromos del Sur"

COMMUNITY = (Sector.COMMUNITY,)
THIRD = (Sector.THIRD_SECTOR,)
PRIVATE = (Sector.PRIVATE,)
PUBLIC = (Sector.PUBLIC,)
ACADEMIA = (Sector.ACADEMIA,)

# (category, title, description, terms, capacity, sectors that would offer it)
OFFERS: tuple[tuple[str, str, str, str, int | None, tuple[str, ...]], ...] = (
    (
        C.ACCOUNTING,
        "Contabilidad para juntas de vecinos",
        "Llevamos el libro de ingresos y egresos, preparamos la rendición de cuentas anual para la"
        " asamblea y acompañamos la rendición de fondos municipales.",
        ServiceTerms.FREE,
        4,
        THIRD,
    ),
    (
        C.ACCOUNTING,
        "Rendición de fondos concursables paso a paso",
        "Una contadora voluntaria revisa boletas, facturas y planillas antes de entregar la "
        "rendición al municipio o al GORE.",
        ServiceTerms.FREE,
        3,
        ACADEMIA + THIRD,
    ),
    (
        C.ACCOUNTING,
        "Apoyo contable a organizaciones funcionales",
        "Dos visitas al mes para ordenar la caja chica, la cuenta RUT de la organización y los "
        "respaldos de gastos.",
        ServiceTerms.SHARED_COST,
        5,
        PRIVATE + THIRD,
    ),
    (
        C.ACCOUNTING,
        "Clínica contable de los sábados",
        "Estudiantes de contabilidad en práctica, supervisados por docentes, atienden a dirigentas"
        " y tesoreros.",
        ServiceTerms.FREE,
        8,
        ACADEMIA,
    ),
    (
        C.LABOUR_TAX,
        "Asesoría laboral para contratar monitores",
        "Contratos de prestación de servicios, boletas de honorarios y retención del impuesto para"
        " talleristas y monitores.",
        ServiceTerms.FREE,
        4,
        THIRD + PUBLIC,
    ),
    (
        C.LABOUR_TAX,
        "Inicio de actividades y trámites ante el SII",
        "Acompañamos el inicio de actividades, la obtención de RUT y el timbraje de documentos "
        "electrónicos.",
        ServiceTerms.EXCHANGE,
        3,
        PRIVATE + THIRD,
    ),
    (
        C.LABOUR_TAX,
        "Cotizaciones y finiquitos de trabajadoras de cocinas comunitarias",
        "Cálculo de cotizaciones previsionales y finiquitos de las cocineras de ollas comunes y "
        "comedores.",
        ServiceTerms.SHARED_COST,
        2,
        THIRD,
    ),
    (
        C.RISK_PREVENTION,
        "Prevención de riesgos en sedes",
        "Un prevencionista recorre la sede, revisa extintores, vías de evacuación e instalaciones "
        "eléctricas y deja un plan de mejoras.",
        ServiceTerms.FREE,
        6,
        PUBLIC + PRIVATE,
    ),
    (
        C.RISK_PREVENTION,
        "Plan de emergencia para eventos masivos",
        "Elaboramos el plan de emergencia que pide el municipio para ferias, fiestas costumbristas"
        " y campeonatos.",
        ServiceTerms.FREE,
        4,
        PUBLIC,
    ),
    (
        C.RISK_PREVENTION,
        "Capacitación en primeros auxilios",
        "Taller de cuatro horas con certificado para dirigentes, monitores deportivos y "
        "cuidadoras.",
        ServiceTerms.FREE,
        10,
        PUBLIC + THIRD,
    ),
    (
        C.QUALITY,
        "Acompañamiento para la certificación de la cocina comunitaria",
        "Ordenamos los procedimientos de manipulación de alimentos para la autorización sanitaria "
        "de la SEREMI.",
        ServiceTerms.SHARED_COST,
        2,
        ACADEMIA + PRIVATE,
    ),
    (
        C.QUALITY,
        "Registro de beneficiarios y encuestas de satisfacción",
        "Diseñamos una planilla sencilla de registro y una encuesta breve para mostrar resultados "
        "a los financistas.",
        ServiceTerms.FREE,
        4,
        ACADEMIA,
    ),
    (
        C.IT,
        "Alfabetización digital para dirigentas",
        "Correo, videollamadas, ClaveÚnica y postulación a fondos en línea, en grupos pequeños y a"
        " su ritmo.",
        ServiceTerms.FREE,
        12,
        ACADEMIA + THIRD,
    ),
    (
        C.IT,
        "Página web y redes sociales para organizaciones",
        "Armamos una página sencilla y enseñamos a publicar actividades en redes sin gastar.",
        ServiceTerms.EXCHANGE,
        3,
        PRIVATE + THIRD,
    ),
    (
        C.IT,
        "Préstamo de computadores para postulaciones",
        "Sala con ocho computadores y conexión a internet, con un monitor que ayuda a subir los "
        "documentos.",
        ServiceTerms.FREE,
        8,
        PUBLIC + ACADEMIA,
    ),
    (
        C.LEGAL,
        "Actualización de directivas y estatutos",
        "Revisamos estatutos, preparamos la asamblea de elección y la inscripción en el registro "
        "de la Ley 19.418.",
        ServiceTerms.FREE,
        6,
        PUBLIC + THIRD,
    ),
    (
        C.LEGAL,
        "Orientación jurídica en comodatos de sedes",
        "Asesoramos en la firma o renovación del comodato de la sede con el municipio o Serviu.",
        ServiceTerms.FREE,
        4,
        THIRD + ACADEMIA,
    ),
    (
        C.LEGAL,
        "Personalidad jurídica para grupos informales",
        "Acompañamos a grupos y colectivos a constituirse como organización funcional.",
        ServiceTerms.FREE,
        5,
        PUBLIC,
    ),
    (
        C.COMMUNICATION,
        "Diseño de afiches y volantes",
        "Diseñamos e imprimimos afiches para actividades del barrio; ustedes ponen el papel.",
        ServiceTerms.SHARED_COST,
        6,
        PRIVATE + COMMUNITY,
    ),
    (
        C.COMMUNICATION,
        "Radio comunitaria: espacio para organizaciones",
        "Media hora semanal en la radio comunitaria para contar lo que hace cada organización.",
        ServiceTerms.FREE,
        4,
        COMMUNITY + THIRD,
    ),
    (
        C.COMMUNICATION,
        "Fotografía y registro audiovisual de actividades",
        "Registramos actividades y entregamos fotos y un video corto para rendiciones y redes.",
        ServiceTerms.EXCHANGE,
        3,
        COMMUNITY,
    ),
    (
        C.PREMISES,
        "Préstamo de sede social los sábados",
        "La sede tiene cocina, baño accesible y capacidad para 60 personas. Disponible los sábados"
        " de 10 a 18 horas.",
        ServiceTerms.FREE,
        2,
        COMMUNITY,
    ),
    (
        C.PREMISES,
        "Uso de multicancha para campeonatos",
        "Multicancha iluminada disponible los domingos en la mañana para campeonatos de otras "
        "organizaciones.",
        ServiceTerms.EXCHANGE,
        3,
        COMMUNITY,
    ),
    (
        C.PREMISES,
        "Préstamo de toldos, mesas y sillas",
        "Tres toldos de 3x3, veinte mesas y cien sillas para ferias y actividades al aire libre.",
        ServiceTerms.FREE,
        4,
        COMMUNITY + PUBLIC,
    ),
    (
        C.PREMISES,
        "Equipo de amplificación para actos",
        "Parlantes, mesa de sonido y dos micrófonos inalámbricos; los retiran y devuelven en la "
        "sede.",
        ServiceTerms.FREE,
        2,
        COMMUNITY,
    ),
    (
        C.PURCHASING,
        "Compra conjunta de alimentos",
        "Compramos al por mayor en la Vega para ollas comunes y comedores: mejor precio y un solo "
        "flete.",
        ServiceTerms.SHARED_COST,
        6,
        THIRD + COMMUNITY,
    ),
    (
        C.PURCHASING,
        "Compra conjunta de útiles de aseo para sedes",
        "Pedido trimestral de útiles de aseo y sanitización a precio de distribuidor.",
        ServiceTerms.SHARED_COST,
        8,
        PRIVATE + COMMUNITY,
    ),
    (
        C.PURCHASING,
        "Compra conjunta de implementos deportivos",
        "Juntamos los pedidos de balones, redes y petos de los clubes para negociar un solo "
        "precio.",
        ServiceTerms.SHARED_COST,
        6,
        COMMUNITY,
    ),
    (
        C.OTHER,
        "Traslado en furgón para adultos mayores",
        "Furgón con conductor para salidas de clubes de adulto mayor, con una semana de aviso.",
        ServiceTerms.SHARED_COST,
        2,
        PRIVATE + PUBLIC,
    ),
    (
        C.OTHER,
        "Facilitación de asambleas y diagnósticos participativos",
        "Facilitamos asambleas, cabildos y diagnósticos participativos con metodologías sencillas.",
        ServiceTerms.FREE,
        3,
        ACADEMIA + THIRD,
    ),
)

# (category, title, description, terms, sectors that would need it)
NEEDS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        C.ACCOUNTING,
        "Ayuda con la rendición del fondo vecinal",
        "El tesorero renunció y debemos rendir el fondo municipal antes de fin de mes. Necesitamos"
        " ordenar boletas y planillas.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.ACCOUNTING,
        "Ordenar el libro de caja del club",
        "Llevamos años con un cuaderno; queremos una planilla y aprender a usarla.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.ACCOUNTING,
        "Balance anual para la asamblea",
        "Necesitamos presentar el balance del año a los socios en la asamblea de marzo.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.LABOUR_TAX,
        "Contrato para la monitora del taller de cueca",
        "No sabemos qué contrato corresponde ni cómo retener el impuesto de la boleta.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.LABOUR_TAX,
        "Inicio de actividades de la cooperativa",
        "Queremos vender lo que reciclamos y necesitamos hacer el inicio de actividades.",
        ServiceTerms.SHARED_COST,
        THIRD + COMMUNITY,
    ),
    (
        C.RISK_PREVENTION,
        "Revisión eléctrica de la sede",
        "Los enchufes se calientan y el municipio nos pide un informe antes de renovar el "
        "comodato.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.RISK_PREVENTION,
        "Plan de emergencia para la fiesta de la primavera",
        "Esperamos 800 personas y el municipio exige un plan de emergencia.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.RISK_PREVENTION,
        "Primeros auxilios para monitores deportivos",
        "Nuestros monitores trabajan con niños y ninguno tiene curso de primeros auxilios.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.QUALITY,
        "Autorización sanitaria de la olla común",
        "Queremos formalizar la cocina para recibir donaciones de alimentos de empresas.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.QUALITY,
        "Medir la satisfacción de las familias atendidas",
        "El financista nos pide indicadores y no sabemos por dónde empezar.",
        ServiceTerms.FREE,
        THIRD,
    ),
    (
        C.IT,
        "Aprender a postular en línea",
        "Las socias quieren postular a fondos por internet pero nadie maneja la plataforma.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.IT,
        "Computador para la secretaría",
        "Hacemos las actas a mano; necesitamos dónde escribirlas e imprimirlas.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.IT,
        "Redes sociales del centro cultural",
        "Queremos difundir los talleres y no tenemos quién maneje las redes.",
        ServiceTerms.EXCHANGE,
        COMMUNITY,
    ),
    (
        C.LEGAL,
        "Renovar la directiva vencida",
        "La directiva venció hace un año y no podemos postular a fondos hasta regularizarla.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.LEGAL,
        "Comodato de la sede por vencer",
        "El comodato vence en seis meses y no sabemos cómo renovarlo.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.LEGAL,
        "Personalidad jurídica para la huerta",
        "Somos un grupo de vecinas y queremos constituirnos para postular a fondos.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.COMMUNICATION,
        "Afiches para el operativo de salud",
        "Necesitamos difundir el operativo del Cesfam en los pasajes de la villa.",
        ServiceTerms.FREE,
        PUBLIC + COMMUNITY,
    ),
    (
        C.COMMUNICATION,
        "Registro audiovisual del proyecto",
        "El fondo exige fotos y un video del proyecto para la rendición.",
        ServiceTerms.FREE,
        COMMUNITY + THIRD,
    ),
    (
        C.PREMISES,
        "Lugar para el taller de adultos mayores",
        "Buscamos una sala los martes en la tarde para 25 personas, con baño.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.PREMISES,
        "Cancha para el campeonato infantil",
        "Necesitamos una cancha tres domingos de abril para el campeonato infantil.",
        ServiceTerms.EXCHANGE,
        COMMUNITY,
    ),
    (
        C.PREMISES,
        "Toldos para la feria de emprendedoras",
        "La feria es al aire libre y necesitamos toldos y mesas para 15 puestos.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
    (
        C.PURCHASING,
        "Alimentos no perecibles para la olla común",
        "Cocinamos para 120 personas tres veces por semana y los precios suben cada mes.",
        ServiceTerms.SHARED_COST,
        COMMUNITY,
    ),
    (
        C.PURCHASING,
        "Útiles de aseo para la sede",
        "Queremos sumarnos a una compra conjunta de útiles de aseo.",
        ServiceTerms.SHARED_COST,
        COMMUNITY,
    ),
    (
        C.OTHER,
        "Traslado para el paseo del club de adulto mayor",
        "Buscamos transporte para 30 personas a la costa en diciembre.",
        ServiceTerms.SHARED_COST,
        COMMUNITY,
    ),
    (
        C.OTHER,
        "Facilitar el diagnóstico participativo del barrio",
        "Queremos hacer un diagnóstico con los vecinos antes de postular al fondo.",
        ServiceTerms.FREE,
        COMMUNITY,
    ),
)

AROMOS_NEED = (
    C.ACCOUNTING,
    "Contabilidad y rendición del fondo de luminarias",
    "Ganamos el fondo para recuperar las luminarias del pasaje y debemos rendirlo en dos meses. "
    "La tesorera es nueva y necesitamos a alguien que nos enseñe a ordenar boletas, facturas y "
    "la planilla de rendición.",
)


def _pick(rng: random.Random, pool: list[Actor], sectors: tuple[str, ...], used: set[int]) -> Actor:
    """An entity of one of the sectors (any if none), preferring one not used yet."""
    fits = [a for a in pool if a.sector in sectors] or pool
    fresh = [a for a in fits if a.pk not in used] or fits
    chosen = rng.choice(fresh)
    used.add(chosen.pk)
    return chosen


def demo_sharing(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> None:
    """About 30 offers and 25 needs over every category, and eight requests: four agreed (with
    their ties), two waiting (one sent and one received by Villa Los Aromos del Sur), one
    declined and one withdrawn."""
    entities = list(
        Actor.objects.organizations()
        .filter(program=program)
        .select_related("territory")
        .order_by("pk")
    )
    if len(entities) < 3:
        return
    speakers: dict[int, Any] = {}
    for rep in (
        Representative.objects.filter(organization__in=entities)
        .select_related("user")
        .order_by("pk")
    ):
        if rep.user.is_active:
            speakers.setdefault(rep.organization_id, rep.user)

    def voice(actor: Actor) -> Any:
        return speakers.get(actor.pk, coordinator)

    aromos = next((a for a in entities if a.name == AROMOS), None)
    others = [a for a in entities if aromos is None or a.pk != aromos.pk]
    near = [a for a in others if aromos is not None and a.territory_id == aromos.territory_id]
    used: set[int] = set()

    def publish(
        actor: Actor,
        kind: str,
        category: str,
        title: str,
        description: str,
        terms: str,
        capacity: int | None = None,
    ) -> ServiceListing:
        return services.listing_create(
            user=voice(actor),
            program=program,
            actor=actor,
            kind=kind,
            category=category,
            title=title,
            description=description,
            terms=terms,
            capacity=capacity,
        )

    offers: dict[str, ServiceListing] = {}
    needs: dict[str, ServiceListing] = {}
    # Offers and needs published in turns, as they would be over weeks: the catalogue mixes them.
    for index in range(max(len(OFFERS), len(NEEDS))):
        if index < len(OFFERS):
            category, title, description, terms, capacity, sectors = OFFERS[index]
            # The first accounting offers come from Villa Los Aromos' own territory: matches.
            pool = near if near and category == C.ACCOUNTING and index < 2 else others
            if title == "Préstamo de sede social los sábados" and aromos is not None:
                provider = aromos
            else:
                provider = _pick(rng, pool, sectors, used)
            offers[title] = publish(
                provider, ListingKind.OFFER, category, title, description, terms, capacity
            )
        if index < len(NEEDS):
            category, title, description, terms, sectors = NEEDS[index]
            needs[title] = publish(
                _pick(rng, others, sectors, used),
                ListingKind.NEED,
                category,
                title,
                description,
                terms,
            )

    def ask(
        offer: ServiceListing, receiver: Actor, message: str, need: ServiceListing | None = None
    ) -> Any:
        return services.service_request(
            user=voice(receiver), offer=offer, receiver=receiver, need=need, message=message
        )

    def decide(agreement: Any, action: str, note: str = "", days_ago: int = 0) -> None:
        start = max(today - datetime.timedelta(days=days_ago), _cycle_start(program, today))
        services.agreement_decide(
            user=voice(agreement.provider),
            agreement=agreement,
            action=action,
            note=note,
            starts_on=start if action == services.AGREE else None,
            ends_on=start + datetime.timedelta(days=180) if action == services.AGREE else None,
        )

    # Agreed: the need it came from closes and the two organizations are tied.
    agreed = (
        (
            "Compra conjunta de alimentos",
            "Alimentos no perecibles para la olla común",
            "Nos sumamos a la compra de la Vega: cocinamos para 120 personas.",
            "Pedido cada dos semanas; el flete se divide según los kilos de cada organización.",
            60,
        ),
        (
            "Prevención de riesgos en sedes",
            "Revisión eléctrica de la sede",
            "El municipio nos pide el informe antes de renovar el comodato.",
            "Visita el sábado 10:00 con el prevencionista; el informe llega en una semana.",
            45,
        ),
        (
            "Actualización de directivas y estatutos",
            "Renovar la directiva vencida",
            "La directiva venció y no podemos postular: ¿nos ayudan con la asamblea?",
            "Acompañamos la asamblea de elección y el trámite en el registro.",
            30,
        ),
        (
            "Alfabetización digital para dirigentas",
            "Aprender a postular en línea",
            "Seis socias quieren aprender a postular en línea.",
            "Grupo de seis, los jueves de 18 a 20 horas durante un mes.",
            20,
        ),
    )
    for offer_title, need_title, message, terms_note, days_ago in agreed:
        offer, need = offers[offer_title], needs[need_title]
        if need.actor_id == offer.actor_id:
            continue
        agreement = ask(offer, need.actor, message, need)
        decide(agreement, services.AGREE, terms_note, days_ago)

    # Declined and withdrawn.
    offer, need = (
        offers["Uso de multicancha para campeonatos"],
        needs["Cancha para el campeonato infantil"],
    )
    if need.actor_id != offer.actor_id:
        declined = ask(offer, need.actor, "Necesitamos la cancha tres domingos de abril.", need)
        decide(
            declined,
            services.DECLINE,
            "Esos domingos la cancha está tomada por el campeonato comunal. Pueden volver a "
            "pedirla para mayo.",
        )
    offer, need = (
        offers["Diseño de afiches y volantes"],
        needs["Afiches para el operativo de salud"],
    )
    if need.actor_id != offer.actor_id:
        withdrawn = ask(offer, need.actor, "¿Nos pueden diseñar los afiches del operativo?", need)
        services.agreement_decide(
            user=voice(need.actor), agreement=withdrawn, action=services.WITHDRAW_ACTION
        )

    if aromos is None:
        return
    # Villa Los Aromos del Sur: an open need with good matches, a request it sent, one it received.
    category, title, description = AROMOS_NEED
    publish(aromos, ListingKind.NEED, category, title, description, ServiceTerms.FREE)
    risk = offers["Plan de emergencia para eventos masivos"]
    if risk.actor_id != aromos.pk:
        ask(
            risk,
            aromos,
            "En noviembre hacemos la fiesta de la primavera en la plaza y el municipio nos pide el"
            " plan de emergencia. ¿Nos pueden ayudar?",
        )
    premises = offers["Préstamo de sede social los sábados"]
    guest = next(
        (n.actor for n in needs.values() if n.category == C.PREMISES and n.actor_id != aromos.pk),
        None,
    )
    if guest is not None:
        ask(
            premises,
            guest,
            "Buscamos una sala los sábados en la mañana para el taller de tejido de las vecinas "
            "mayores: unas 20 personas.",
        )


def _cycle_start(program: Program, today: datetime.date) -> datetime.date:
    cycle = program.current_cycle(today)
    return (
        cycle.starts_on
        if cycle is not None and cycle.starts_on <= today
        else today - datetime.timedelta(days=365)
    )
