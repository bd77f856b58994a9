"""Demo: a territory's community improvement plan, approved by its local directorate.

`demo_plan` drafts "Plan de Mejoramiento Comunitario <territory> <year>" with three objectives
of the territory's own (the cités, the migrant families and the heritage streets of Barrio
Yungay; the water, the farms and the rural sectors of La Ligua; the railway, the industry and
the young technicians of San Bernardo; the public spaces, the housing blocks and the health of
Bajos de Mena; three generic ones for any other territory), two lines of action each and two or
three actions per line, with budgets in Chilean pesos, indicators with baseline and target, and
the responsible and partner organizations taken from the directorate's own seats (the
municipality leads the lighting, the CESFAM the mental health groups, a neighbourhood council
the assemblies...). Each objective addresses the needs the prioritization session ranked
highest that fit its theme, matched by the keywords of the territory's needs in `needs.py`.

The plan is submitted for approval at the first meeting held after the prioritization (or the
last one held), the seats present at that meeting vote with the accounts their mandates already
have, the poll is closed and, having passed, the approval is recorded: its needs are then "in
the plan". Some actions report progress since; one is done. Finally the actions still waiting
for money go on the agenda of the body's next meeting, if one is scheduled. Everything goes
through the services; dates are then set back to when they happened. Deterministic: a
`random.Random` seeded with the body's name.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from tejido.actors.models import Actor, Sector
from tejido.core.models import Territory
from tejido.core.text import normalize_for_search
from tejido.governance.bodies.selectors import mandates_on
from tejido.governance.decisions import services as decisions
from tejido.governance.decisions.selectors import poll_passed
from tejido.governance.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    BallotReceipt,
    Body,
    Mandate,
    Meeting,
    MeetingStatus,
    Need,
    NeedStatus,
    Plan,
    PlanAction,
    Poll,
    PrioritizationSession,
    Term,
)
from tejido.governance.plans import services


@dataclass(frozen=True)
class DemoAction:
    title: str
    description: str
    # Who leads it: a sector and words of the organization's name, preferred first.
    lead: tuple[str, tuple[str, ...]]
    partners: tuple[tuple[str, tuple[str, ...]], ...]
    budget: int
    funded_share: float  # of the budget secured when the plan is approved
    indicator: str
    unit: str
    baseline: int
    target: int
    term: str
    # Share of the way to the target reached by today (None: no report yet).
    reached: float | None = None
    # What its progress reports say (a generic sentence by unit when empty).
    note: str = ""


@dataclass(frozen=True)
class DemoLine:
    title: str
    actions: tuple[DemoAction, ...]


@dataclass(frozen=True)
class DemoObjective:
    title: str
    description: str
    keywords: tuple[str, ...]  # words of the needs it addresses (lower case, no accents)
    lines: tuple[DemoLine, ...]


MUNICIPALITY = (Sector.PUBLIC, ("municipal", "oficina", "desarrollo comunitario"))
HEALTH = (Sector.PUBLIC, ("cesfam", "salud", "consultorio"))
SCHOOL = (Sector.PUBLIC, ("liceo", "escuela", "colegio"))
COUNCIL = (Sector.COMMUNITY, ("junta de vecinos", "junta vecinal"))
YOUTH = (Sector.COMMUNITY, ("juvenil", "jovenes", "deportivo", "club", "cultural"))
ELDERS = (Sector.COMMUNITY, ("adulto mayor", "personas mayores", "club"))
COMMUNITY = (Sector.COMMUNITY, ())
BUSINESS = (Sector.PRIVATE, ())
FOUNDATION = (Sector.THIRD_SECTOR, ("fundacion", "ong", "corporacion"))

OBJECTIVES: tuple[DemoObjective, ...] = (
    DemoObjective(
        "Espacios públicos seguros e iluminados",
        "Que vecinas y vecinos vuelvan a usar la plaza, los pasajes y el sitio eriazo a toda"
        " hora, con luz, limpieza y una convivencia cuidada entre todos.",
        (
            "lumin",
            "ilumin",
            "plaza",
            "microbasural",
            "eriazo",
            "vereda",
            "paradero",
            "perros",
            "alcohol",
            "juegos",
            "inund",
            "sumidero",
        ),
        (
            DemoLine(
                "Iluminación y recuperación de espacios",
                (
                    DemoAction(
                        "Recambio de luminarias LED en pasajes y plaza",
                        "Reponer las luminarias apagadas del pasaje principal y sumar luz"
                        " peatonal en la plaza y el paradero de la avenida.",
                        MUNICIPALITY,
                        (COUNCIL, BUSINESS),
                        4_500_000,
                        1.0,
                        "Luminarias funcionando",
                        "luminarias",
                        8,
                        32,
                        Term.SHORT,
                        reached=1.0,
                    ),
                    DemoAction(
                        "Recuperación del sitio eriazo como plaza de bolsillo",
                        "Cierre, limpieza, mobiliario y áreas verdes diseñadas con los vecinos"
                        " en jornadas participativas.",
                        COUNCIL,
                        (MUNICIPALITY, FOUNDATION),
                        12_800_000,
                        0.35,
                        "Metros cuadrados recuperados",
                        "m²",
                        0,
                        600,
                        Term.MEDIUM,
                        reached=0.25,
                    ),
                    DemoAction(
                        "Operativos de limpieza de microbasurales",
                        "Tres operativos con retiro de escombros y voluminosos, y letreros"
                        " hechos por los niños del sector.",
                        COMMUNITY,
                        (MUNICIPALITY,),
                        850_000,
                        1.0,
                        "Microbasurales activos",
                        "puntos",
                        6,
                        1,
                        Term.SHORT,
                        reached=0.6,
                    ),
                ),
            ),
            DemoLine(
                "Convivencia y prevención",
                (
                    DemoAction(
                        "Mesa barrial de seguridad con municipio y Carabineros",
                        "Reunión mensual para coordinar rondas, denuncias y el uso de la plaza"
                        " por las noches.",
                        COUNCIL,
                        (MUNICIPALITY,),
                        300_000,
                        1.0,
                        "Sesiones de la mesa realizadas",
                        "sesiones",
                        0,
                        10,
                        Term.SHORT,
                        reached=0.4,
                    ),
                    DemoAction(
                        "Tenencia responsable y esterilización de perros",
                        "Operativo veterinario gratuito y educación en tenencia responsable"
                        " con la escuela.",
                        MUNICIPALITY,
                        (SCHOOL, FOUNDATION),
                        2_400_000,
                        0.0,
                        "Perros esterilizados",
                        "perros",
                        0,
                        120,
                        Term.MEDIUM,
                    ),
                ),
            ),
        ),
    ),
    DemoObjective(
        "Juventud y participación comunitaria",
        "Que los jóvenes tengan dónde encontrarse por las tardes y que más vecinos participen"
        " en las organizaciones del barrio.",
        ("joven", "juvenil", "participacion", "junta de vecinos", "digital", "asamblea"),
        (
            DemoLine(
                "Talleres y deporte para jóvenes",
                (
                    DemoAction(
                        "Talleres deportivos y artísticos en la multicancha",
                        "Fútbol mixto, hip hop y muralismo de martes a viernes, de 17:00 a"
                        " 20:00, con monitores del barrio.",
                        YOUTH,
                        (SCHOOL, MUNICIPALITY),
                        3_600_000,
                        0.5,
                        "Jóvenes que participan cada semana",
                        "jóvenes",
                        0,
                        60,
                        Term.SHORT,
                        reached=0.55,
                    ),
                    DemoAction(
                        "Escuela de dirigentes juveniles",
                        "Ciclo de ocho sesiones sobre organización, proyectos y fondos"
                        " concursables.",
                        FOUNDATION,
                        (YOUTH,),
                        1_900_000,
                        0.0,
                        "Jóvenes formados",
                        "jóvenes",
                        0,
                        20,
                        Term.MEDIUM,
                    ),
                ),
            ),
            DemoLine(
                "Participación en las organizaciones",
                (
                    DemoAction(
                        "Asambleas abiertas con cuidado infantil",
                        "Asambleas trimestrales de la junta de vecinos con un espacio para"
                        " niños, para que madres y padres puedan participar.",
                        COUNCIL,
                        (COMMUNITY,),
                        600_000,
                        1.0,
                        "Asistencia promedio a las asambleas",
                        "personas",
                        18,
                        45,
                        Term.SHORT,
                        reached=0.45,
                    ),
                    DemoAction(
                        "Alfabetización digital intergeneracional",
                        "Jóvenes del liceo enseñan a personas mayores a pedir horas y hacer"
                        " trámites en línea.",
                        SCHOOL,
                        (ELDERS, BUSINESS),
                        1_200_000,
                        0.5,
                        "Personas mayores capacitadas",
                        "personas",
                        0,
                        50,
                        Term.MEDIUM,
                    ),
                ),
            ),
        ),
    ),
    DemoObjective(
        "Salud y cuidados comunitarios",
        "Acercar la atención en salud mental al barrio y cuidar a quienes cuidan, con espacios"
        " accesibles para todas las personas.",
        ("salud", "mental", "mayores", "accesib", "cuidado", "encuentro"),
        (
            DemoLine(
                "Salud mental y bienestar",
                (
                    DemoAction(
                        "Grupos de apoyo en salud mental en la sede vecinal",
                        "Grupos quincenales guiados por la dupla psicosocial del CESFAM, para"
                        " aliviar la lista de espera.",
                        HEALTH,
                        (COUNCIL,),
                        2_800_000,
                        0.6,
                        "Personas que participan en los grupos",
                        "personas",
                        0,
                        80,
                        Term.SHORT,
                        reached=0.3,
                    ),
                    DemoAction(
                        "Monitores comunitarios en primeros auxilios psicológicos",
                        "Formación certificada para vecinas y vecinos que acompañan a otros en"
                        " momentos difíciles.",
                        HEALTH,
                        (FOUNDATION, COMMUNITY),
                        1_500_000,
                        0.0,
                        "Monitores formados",
                        "monitores",
                        0,
                        15,
                        Term.MEDIUM,
                    ),
                ),
            ),
            DemoLine(
                "Cuidados y accesibilidad",
                (
                    DemoAction(
                        "Rampa y baño accesible en la sede vecinal",
                        "Obras de accesibilidad universal: rampa de acceso, baño amplio y"
                        " pasamanos.",
                        COUNCIL,
                        (MUNICIPALITY, BUSINESS),
                        6_200_000,
                        0.0,
                        "Avance de las obras",
                        "%",
                        0,
                        100,
                        Term.LONG,
                    ),
                    DemoAction(
                        "Encuentro semanal de personas mayores",
                        "Un espacio fijo en la sede, con actividad física, once compartida y"
                        " visitas del CESFAM.",
                        ELDERS,
                        (HEALTH,),
                        900_000,
                        1.0,
                        "Personas mayores que participan",
                        "personas",
                        25,
                        60,
                        Term.SHORT,
                        reached=0.7,
                    ),
                ),
            ),
        ),
    ),
)

PURPOSE = (
    "Este plan reúne lo que el Directorio Local acordó hacer en {territory} durante {year} a"
    " partir de las necesidades priorizadas por sus organizaciones: recuperar los espacios"
    " públicos, abrir oportunidades a los jóvenes y cuidar la salud de la comunidad. Cada acción"
    " tiene una organización responsable, socias, presupuesto e indicador, y su avance se informa"
    " en esta página."
)


@dataclass(frozen=True)
class DemoPlan:
    purpose: str  # with {territory} and {year}
    objectives: tuple[DemoObjective, ...]


HOUSING_OFFICE = (Sector.PUBLIC, ("vivienda", "barrios", "municipal", "oficina"))
MIGRANT_OFFICE = (Sector.PUBLIC, ("migrantes", "municipal", "oficina"))
AGRICULTURE_OFFICE = (Sector.PUBLIC, ("agricola", "fomento", "municipal", "oficina"))
MIGRANTS = (Sector.COMMUNITY, ("migrantes", "fronteras", "temporeros"))
CULTURE = (Sector.COMMUNITY, ("cultural", "patrimonial", "circo", "murga", "memoria"))
WATER = (Sector.COMMUNITY, ("agua potable", "hidrica", "agua"))
GROWERS = (Sector.COMMUNITY, ("huerta", "semillas", "campesin", "rurales"))
WEAVERS = (Sector.COMMUNITY, ("tejedoras", "hilanderas", "lanas", "madres"))
HOUSING_GROUP = (Sector.COMMUNITY, ("vivienda", "cites", "conventillo"))
RIGHTS = (Sector.THIRD_SECTOR, ("derechos", "ong", "fundacion"))
HERITAGE = (Sector.PRIVATE, ("restauracion", "patrimonial"))
LOGISTICS = (Sector.PRIVATE, ("logistica", "transportes", "metalurgica", "alimentos"))
CYCLISTS = (Sector.COMMUNITY, ("ciclista", "bici"))
MARKET = (Sector.COMMUNITY, ("feria",))

# Bajos de Mena: the generic plan, on its own streets, with the housing blocks.
BAJOS_DE_MENA = DemoPlan(
    "Este plan reúne lo que el Directorio Local acordó hacer en {territory} durante {year} a"
    " partir de las necesidades priorizadas por sus organizaciones: recuperar los espacios"
    " públicos y los blocks, abrir oportunidades a los jóvenes y acercar la salud a un sector"
    " con pocos servicios. Cada acción tiene una organización responsable, socias,"
    " presupuesto e indicador, y su avance se informa en esta página.",
    (
        DemoObjective(
            "Espacios públicos seguros e iluminados",
            "Que vecinas y vecinos vuelvan a usar las plazas, los pasajes y los patios de los"
            " blocks a toda hora, con luz, limpieza y una convivencia cuidada entre todos.",
            (
                "lumin",
                "plaza",
                "microbasural",
                "eriazo",
                "paradero",
                "perros",
                "alcohol",
                "juegos",
                "inund",
                "sumidero",
                "block",
                "filtracion",
            ),
            (
                DemoLine(
                    "Iluminación y recuperación de espacios",
                    (
                        DemoAction(
                            "Recambio de luminarias LED en pasajes y plazas",
                            "Reponer las luminarias apagadas del pasaje Los Aromos y sumar luz"
                            " peatonal en la plaza Las Azaleas y el paradero de Parque Sur"
                            " Andino.",
                            MUNICIPALITY,
                            (COUNCIL, BUSINESS),
                            6_800_000,
                            1.0,
                            "Luminarias funcionando",
                            "luminarias",
                            10,
                            48,
                            Term.SHORT,
                            reached=1.0,
                            note="El municipio repuso las luminarias del pasaje Los Aromos.",
                        ),
                        DemoAction(
                            "Plaza de bolsillo en el sitio eriazo de Villa El Volcán Poniente",
                            "Cierre, limpieza, mobiliario y áreas verdes diseñadas con los"
                            " vecinos en jornadas participativas.",
                            COUNCIL,
                            (MUNICIPALITY, FOUNDATION),
                            12_800_000,
                            0.35,
                            "Metros cuadrados recuperados",
                            "m²",
                            0,
                            600,
                            Term.MEDIUM,
                            reached=0.25,
                        ),
                        DemoAction(
                            "Operativos de limpieza de microbasurales",
                            "Tres operativos con retiro de escombros y voluminosos, y letreros"
                            " hechos por los niños de la Escuela Básica Cerro Morado.",
                            COMMUNITY,
                            (MUNICIPALITY,),
                            850_000,
                            1.0,
                            "Microbasurales activos",
                            "puntos",
                            9,
                            2,
                            Term.SHORT,
                            reached=0.6,
                        ),
                    ),
                ),
                DemoLine(
                    "Blocks y convivencia",
                    (
                        DemoAction(
                            "Reparación de techumbres y escaleras de los blocks de Cerro Morado",
                            "Obras en bienes comunes con el subsidio de mejoramiento de"
                            " condominios sociales, y formación de la administración de cada"
                            " copropiedad.",
                            HOUSING_OFFICE,
                            (COUNCIL, FOUNDATION),
                            18_500_000,
                            0.3,
                            "Blocks con techumbre y escaleras reparadas",
                            "blocks",
                            0,
                            12,
                            Term.LONG,
                            reached=0.25,
                            note="Terminadas las obras de los primeros blocks.",
                        ),
                        DemoAction(
                            "Mesa barrial de seguridad con municipio y Carabineros",
                            "Reunión mensual para coordinar rondas, denuncias y el uso de la"
                            " plaza Las Azaleas por las noches.",
                            COUNCIL,
                            (MUNICIPALITY,),
                            300_000,
                            1.0,
                            "Sesiones de la mesa realizadas",
                            "sesiones",
                            0,
                            10,
                            Term.SHORT,
                            reached=0.4,
                        ),
                        DemoAction(
                            "Tenencia responsable y esterilización de perros",
                            "Operativo veterinario gratuito en El Peñón Alto y educación en"
                            " tenencia responsable con la escuela.",
                            MUNICIPALITY,
                            (SCHOOL, FOUNDATION),
                            2_400_000,
                            0.0,
                            "Perros esterilizados",
                            "perros",
                            0,
                            200,
                            Term.MEDIUM,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Juventud y participación comunitaria",
            "Que los jóvenes tengan dónde encontrarse por las tardes y que más vecinos"
            " participen en las juntas de vecinos de las villas.",
            ("joven", "juvenil", "participacion", "junta de vecinos", "digital", "asamblea"),
            (
                DemoLine(
                    "Talleres y deporte para jóvenes",
                    (
                        DemoAction(
                            "Talleres deportivos y artísticos en las multicanchas",
                            "Fútbol mixto, hip hop y muralismo de martes a viernes, de 17:00 a"
                            " 20:00, en Las Azaleas y Nuevo Amanecer, con monitores del sector.",
                            YOUTH,
                            (SCHOOL, MUNICIPALITY),
                            3_600_000,
                            0.5,
                            "Jóvenes que participan cada semana",
                            "jóvenes",
                            0,
                            90,
                            Term.SHORT,
                            reached=0.55,
                        ),
                        DemoAction(
                            "Escuela de dirigentes juveniles",
                            "Ciclo de ocho sesiones sobre organización, proyectos y fondos"
                            " concursables.",
                            FOUNDATION,
                            (YOUTH,),
                            1_900_000,
                            0.0,
                            "Jóvenes formados",
                            "jóvenes",
                            0,
                            25,
                            Term.MEDIUM,
                        ),
                    ),
                ),
                DemoLine(
                    "Participación en las organizaciones",
                    (
                        DemoAction(
                            "Asambleas abiertas con cuidado infantil",
                            "Asambleas trimestrales de las juntas de vecinos con un espacio"
                            " para niños, para que madres y padres puedan participar.",
                            COUNCIL,
                            (COMMUNITY,),
                            600_000,
                            1.0,
                            "Asistencia promedio a las asambleas",
                            "personas",
                            18,
                            45,
                            Term.SHORT,
                            reached=0.45,
                        ),
                        DemoAction(
                            "Alfabetización digital intergeneracional",
                            "Estudiantes del Liceo Técnico Los Andes del Sur enseñan a personas"
                            " mayores a pedir horas y hacer trámites por internet.",
                            SCHOOL,
                            (ELDERS, BUSINESS),
                            1_200_000,
                            0.5,
                            "Personas mayores capacitadas",
                            "personas",
                            0,
                            60,
                            Term.MEDIUM,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Salud y cuidados comunitarios",
            "Acercar la atención en salud mental a las villas y cuidar a quienes cuidan, con"
            " sedes accesibles para todas las personas.",
            ("salud", "mental", "mayores", "accesib", "cuidado", "encuentro"),
            (
                DemoLine(
                    "Salud mental y bienestar",
                    (
                        DemoAction(
                            "Grupos de apoyo en salud mental en las sedes vecinales",
                            "Grupos quincenales guiados por la dupla psicosocial del CESFAM"
                            " Cordillera Sur, para aliviar la lista de espera.",
                            HEALTH,
                            (COUNCIL,),
                            2_800_000,
                            0.6,
                            "Personas que participan en los grupos",
                            "personas",
                            0,
                            120,
                            Term.SHORT,
                            reached=0.3,
                        ),
                        DemoAction(
                            "Monitores comunitarios en primeros auxilios psicológicos",
                            "Formación certificada para vecinas y vecinos que acompañan a otros"
                            " en momentos difíciles.",
                            HEALTH,
                            (FOUNDATION, COMMUNITY),
                            1_500_000,
                            0.0,
                            "Monitores formados",
                            "monitores",
                            0,
                            20,
                            Term.MEDIUM,
                        ),
                    ),
                ),
                DemoLine(
                    "Cuidados y accesibilidad",
                    (
                        DemoAction(
                            "Rampa y baño accesible en la sede de Altos del Maipo",
                            "Obras de accesibilidad universal: rampa de acceso, baño amplio y"
                            " pasamanos.",
                            COUNCIL,
                            (MUNICIPALITY, BUSINESS),
                            6_200_000,
                            0.0,
                            "Avance de las obras",
                            "%",
                            0,
                            100,
                            Term.LONG,
                        ),
                        DemoAction(
                            "Encuentro semanal de personas mayores",
                            "Un espacio fijo en la sede, con actividad física, once compartida"
                            " y visitas del CESFAM.",
                            ELDERS,
                            (HEALTH,),
                            900_000,
                            1.0,
                            "Personas mayores que participan",
                            "personas",
                            25,
                            70,
                            Term.SHORT,
                            reached=0.7,
                        ),
                    ),
                ),
            ),
        ),
    ),
)

BARRIO_YUNGAY = DemoPlan(
    "Este plan reúne lo que el Directorio Local acordó hacer en {territory} durante {year} a"
    " partir de las necesidades priorizadas por sus organizaciones: que las familias de los"
    " cités vivan seguras, que el barrio acoja a sus vecinos migrantes y que sus calles y"
    " plazas patrimoniales se cuiden entre todos. Cada acción tiene una organización"
    " responsable, socias, presupuesto e indicador, y su avance se informa en esta página.",
    (
        DemoObjective(
            "Vivienda digna y segura en cités y conventillos",
            "Que ninguna familia del barrio duerma bajo un muro que se cae o junto a un tablero"
            " eléctrico que se quema, y que quienes arriendan conozcan sus derechos.",
            (
                "cite",
                "conventillo",
                "derrumbe",
                "adobe",
                "electric",
                "incendio",
                "hacinamiento",
                "arriendo",
                "vivienda",
            ),
            (
                DemoLine(
                    "Reparaciones urgentes",
                    (
                        DemoAction(
                            "Diagnóstico estructural de los cités de calle Libertad",
                            "Visitas de profesionales de la Oficina de Barrios Patrimoniales"
                            " a cada cité, con un informe de riesgos y obras urgentes.",
                            HOUSING_OFFICE,
                            (HERITAGE, HOUSING_GROUP),
                            3_200_000,
                            1.0,
                            "Cités con diagnóstico estructural",
                            "cités",
                            0,
                            18,
                            Term.SHORT,
                            reached=1.0,
                            note="Se entregaron los informes de los cités visitados.",
                        ),
                        DemoAction(
                            "Regularización de instalaciones eléctricas en conventillos",
                            "Tableros con protección, fin de los colgados y certificación de"
                            " cada vivienda por un instalador autorizado.",
                            HOUSING_OFFICE,
                            (BUSINESS, COUNCIL),
                            9_800_000,
                            0.4,
                            "Viviendas con instalación eléctrica certificada",
                            "viviendas",
                            0,
                            60,
                            Term.MEDIUM,
                            reached=0.35,
                            note="Certificadas las viviendas de los primeros conventillos.",
                        ),
                        DemoAction(
                            "Detectores de humo y extintores en cada cité",
                            "Entrega e instalación con una charla de prevención de incendios"
                            " de Bomberos en cada cité.",
                            COUNCIL,
                            (FOUNDATION,),
                            1_100_000,
                            1.0,
                            "Cités con detectores y extintor",
                            "cités",
                            2,
                            25,
                            Term.SHORT,
                            reached=0.8,
                        ),
                    ),
                ),
                DemoLine(
                    "Derecho a la vivienda",
                    (
                        DemoAction(
                            "Asesoría legal a arrendatarios y subarrendatarios",
                            "Atención semanal sobre contratos, garantías y desalojos, en"
                            " español y en creole.",
                            RIGHTS,
                            (MIGRANTS,),
                            2_400_000,
                            0.5,
                            "Familias asesoradas",
                            "familias",
                            0,
                            120,
                            Term.SHORT,
                            reached=0.5,
                        ),
                        DemoAction(
                            "Postulación colectiva al subsidio de recuperación de cités",
                            "Los comités de vivienda reúnen documentos y postulan juntos, con"
                            " apoyo de la Oficina de Barrios Patrimoniales.",
                            HOUSING_GROUP,
                            (HOUSING_OFFICE,),
                            700_000,
                            1.0,
                            "Familias que postulan",
                            "familias",
                            0,
                            80,
                            Term.MEDIUM,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Un barrio que acoge a sus vecinos migrantes",
            "Que las familias que llegan sepan dónde acudir, se atiendan en su idioma y sean"
            " parte de las organizaciones del barrio.",
            ("migra", "regulariz", "idioma", "creole", "espanol", "haitian", "arrendatario"),
            (
                DemoLine(
                    "Orientación y acceso a derechos",
                    (
                        DemoAction(
                            "Punto de orientación migratoria semanal en la sede",
                            "Regularización, inscripción en el CESFAM y matrícula escolar, con"
                            " la Oficina Municipal de Migrantes y organizaciones migrantes.",
                            MIGRANT_OFFICE,
                            (RIGHTS, MIGRANTS),
                            1_800_000,
                            1.0,
                            "Consultas atendidas",
                            "consultas",
                            0,
                            400,
                            Term.SHORT,
                            reached=0.6,
                            note="Las consultas más frecuentes son de regularización y RUT.",
                        ),
                        DemoAction(
                            "Facilitadores interculturales en el CESFAM Centro Yungay",
                            "Facilitadores que hablan creole acompañan las consultas y"
                            " traducen el material de salud.",
                            HEALTH,
                            (MIGRANTS,),
                            4_200_000,
                            0.5,
                            "Atenciones con facilitador",
                            "atenciones",
                            0,
                            900,
                            Term.MEDIUM,
                            reached=0.3,
                        ),
                    ),
                ),
                DemoLine(
                    "Idioma y convivencia",
                    (
                        DemoAction(
                            "Clases de español para vecinas y vecinos haitianos",
                            "Dos tardes por semana en el Liceo Barrio Yungay, con cuidado"
                            " infantil.",
                            SCHOOL,
                            (MIGRANTS, FOUNDATION),
                            1_300_000,
                            0.0,
                            "Personas que terminan el curso",
                            "personas",
                            0,
                            45,
                            Term.MEDIUM,
                        ),
                        DemoAction(
                            "Fiesta de las culturas en Plaza Yungay",
                            "Música, comida y juegos de los países del barrio, preparada por"
                            " las organizaciones culturales y migrantes.",
                            CULTURE,
                            (BUSINESS, MUNICIPALITY),
                            2_000_000,
                            0.6,
                            "Organizaciones que participan",
                            "organizaciones",
                            0,
                            25,
                            Term.SHORT,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Calles y plazas patrimoniales cuidadas y seguras",
            "Que Plaza Brasil, Plaza Yungay y las calles del barrio estén limpias, iluminadas"
            " y vivas, y que su patrimonio se cuide.",
            (
                "plaza",
                "microbasural",
                "basura",
                "alcohol",
                "rina",
                "robo",
                "asalto",
                "metro",
                "fachada",
                "mural",
                "bancas",
            ),
            (
                DemoLine(
                    "Espacios públicos y patrimonio",
                    (
                        DemoAction(
                            "Recuperación de bancas, juegos y faroles de Plaza Brasil",
                            "Reparación y reposición con diseño patrimonial, acordada con las"
                            " familias que usan la plaza.",
                            MUNICIPALITY,
                            (COUNCIL, BUSINESS),
                            5_600_000,
                            0.5,
                            "Elementos recuperados",
                            "elementos",
                            0,
                            30,
                            Term.MEDIUM,
                            reached=0.4,
                        ),
                        DemoAction(
                            "Horarios de basura y puntos limpios en calle Esperanza",
                            "Acuerdo con edificios y piezas para sacar la basura a la hora del"
                            " camión, y dos puntos limpios vigilados por vecinos.",
                            COMMUNITY,
                            (MUNICIPALITY,),
                            900_000,
                            1.0,
                            "Esquinas con basura acumulada",
                            "puntos",
                            9,
                            2,
                            Term.SHORT,
                            reached=0.6,
                        ),
                        DemoAction(
                            "Restauración participativa de murales y fachadas",
                            "Jornadas con artistas del barrio y un taller de restauración para"
                            " limpiar y recuperar fachadas de la zona típica.",
                            CULTURE,
                            (HERITAGE,),
                            3_000_000,
                            0.0,
                            "Fachadas restauradas",
                            "fachadas",
                            0,
                            12,
                            Term.LONG,
                        ),
                    ),
                ),
                DemoLine(
                    "Convivencia y prevención",
                    (
                        DemoAction(
                            "Mesa barrial de seguridad con Carabineros y comercio",
                            "Reunión mensual sobre botillerías clandestinas, riñas y rondas en"
                            " calle Portales.",
                            COUNCIL,
                            (MUNICIPALITY, BUSINESS),
                            300_000,
                            1.0,
                            "Sesiones de la mesa realizadas",
                            "sesiones",
                            0,
                            10,
                            Term.SHORT,
                            reached=0.4,
                        ),
                        DemoAction(
                            "Ruta segura e iluminada al metro Cumming",
                            "Luz peatonal y comercio abierto temprano en las cuadras que llevan"
                            " a la estación.",
                            MUNICIPALITY,
                            (COUNCIL,),
                            3_800_000,
                            0.0,
                            "Cuadras iluminadas",
                            "cuadras",
                            0,
                            8,
                            Term.MEDIUM,
                        ),
                    ),
                ),
            ),
        ),
    ),
)

LA_LIGUA = DemoPlan(
    "Este plan reúne lo que el Directorio Local acordó hacer en {territory} durante {year} a"
    " partir de las necesidades priorizadas por sus organizaciones: asegurar el agua para"
    " las familias del valle en plena sequía, sostener la agricultura familiar y el trabajo de"
    " las tejedoras, y acercar la salud a los sectores rurales. Cada acción tiene una"
    " organización responsable, socias, presupuesto e indicador, y su avance se informa en"
    " esta página.",
    (
        DemoObjective(
            "Agua para las familias del valle",
            "Que ninguna familia de La Ligua baje de los 100 litros por persona al día y que el"
            " agua que queda se cuide entre todos.",
            ("agua", "aljibe", "pozo", "caudal", "embalse", "ribera", "basural"),
            (
                DemoLine(
                    "Agua potable segura",
                    (
                        DemoAction(
                            "Calendario público de entregas de agua en camión aljibe",
                            "Registro de las familias sin red y un calendario fijo, publicado y"
                            " revisado con la mesa hídrica cada mes.",
                            MUNICIPALITY,
                            (WATER, COUNCIL),
                            400_000,
                            1.0,
                            "Familias con entrega puntual",
                            "familias",
                            40,
                            110,
                            Term.SHORT,
                            reached=1.0,
                            note="El camión ya cumple el calendario en La Higuera.",
                        ),
                        DemoAction(
                            "Profundización del pozo del agua potable rural de Valle Hermoso",
                            "Nuevo sondaje y un estanque de acumulación para que el comité no"
                            " corte el agua en verano.",
                            WATER,
                            (MUNICIPALITY, FOUNDATION),
                            14_500_000,
                            0.45,
                            "Litros por persona al día en verano",
                            "litros",
                            55,
                            100,
                            Term.LONG,
                            reached=0.3,
                            note="Terminado el sondaje; falta el estanque.",
                        ),
                        DemoAction(
                            "Estanques familiares de 1.000 litros en La Higuera",
                            "Estanques para guardar el agua del camión aljibe entre una entrega"
                            " y otra.",
                            FOUNDATION,
                            (COUNCIL,),
                            3_600_000,
                            0.7,
                            "Estanques instalados",
                            "estanques",
                            0,
                            60,
                            Term.SHORT,
                            reached=0.7,
                        ),
                    ),
                ),
                DemoLine(
                    "Cuidado del agua y del río",
                    (
                        DemoAction(
                            "Mesa hídrica comunal con comités de agua, agricultores y municipio",
                            "Sesión mensual para acordar turnos, vigilar extracciones y"
                            " preparar proyectos de agua.",
                            WATER,
                            (MUNICIPALITY,),
                            250_000,
                            1.0,
                            "Sesiones de la mesa realizadas",
                            "sesiones",
                            0,
                            10,
                            Term.SHORT,
                            reached=0.5,
                        ),
                        DemoAction(
                            "Limpieza de la ribera seca del río La Ligua",
                            "Retiro de escombros y envases de agroquímicos con los agricultores,"
                            " y letreros hechos por la Escuela Rural Pullally Alto.",
                            COMMUNITY,
                            (MUNICIPALITY, BUSINESS),
                            1_300_000,
                            0.6,
                            "Microbasurales activos en la ribera",
                            "puntos",
                            8,
                            1,
                            Term.SHORT,
                            reached=0.5,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Agricultura familiar y trabajo en el valle",
            "Que las familias vuelvan a cultivar con poca agua, que las tejedoras vendan a un"
            " precio justo y que los jóvenes encuentren trabajo sin irse del valle.",
            ("huerta", "riego", "agricultor", "tejedora", "temporer", "jovenes", "cosecha"),
            (
                DemoLine(
                    "Riego y huertas",
                    (
                        DemoAction(
                            "Riego por goteo para huertas familiares de Pullally",
                            "Kits de riego, asesoría de la Oficina Agrícola Comunal y apoyo"
                            " para postular a los concursos de riego.",
                            AGRICULTURE_OFFICE,
                            (SCHOOL, GROWERS),
                            6_800_000,
                            0.5,
                            "Huertas con riego por goteo",
                            "huertas",
                            0,
                            40,
                            Term.MEDIUM,
                            reached=0.4,
                        ),
                        DemoAction(
                            "Banco comunitario de semillas adaptadas a la sequía",
                            "Semillas locales guardadas y repartidas por las huerteras del"
                            " valle, con el Liceo Agrícola del Valle.",
                            GROWERS,
                            (SCHOOL,),
                            600_000,
                            1.0,
                            "Familias que reciben semillas",
                            "familias",
                            0,
                            90,
                            Term.SHORT,
                            reached=0.8,
                        ),
                    ),
                ),
                DemoLine(
                    "Trabajo y oportunidades",
                    (
                        DemoAction(
                            "Feria permanente de tejedoras y productos del valle",
                            "Puestos en la plaza de La Ligua los fines de semana, con"
                            " difusión de la Oficina de Turismo.",
                            WEAVERS,
                            (MUNICIPALITY, BUSINESS),
                            2_300_000,
                            0.6,
                            "Productoras con puesto de venta",
                            "productoras",
                            0,
                            35,
                            Term.SHORT,
                            reached=0.55,
                        ),
                        DemoAction(
                            "Prácticas agrícolas pagadas para jóvenes del valle",
                            "Convenios con agrícolas de la comuna para que egresados del liceo"
                            " hagan su práctica y sigan contratados.",
                            SCHOOL,
                            (BUSINESS, FOUNDATION),
                            2_800_000,
                            0.0,
                            "Jóvenes en práctica",
                            "jóvenes",
                            0,
                            25,
                            Term.MEDIUM,
                        ),
                        DemoAction(
                            "Albergue de temporada para temporeras y temporeros",
                            "Galpón habilitado con baños, duchas y cocina durante la cosecha.",
                            RIGHTS,
                            (BUSINESS, MIGRANTS),
                            7_500_000,
                            0.0,
                            "Camas disponibles en temporada",
                            "camas",
                            0,
                            40,
                            Term.LONG,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Salud y cercanía en los sectores rurales",
            "Que quienes viven lejos del centro tengan controles de salud, visitas y una micro"
            " que los lleve.",
            ("salud", "ronda", "medic", "posta", "mayores", "aislad", "locomocion", "internet"),
            (
                DemoLine(
                    "Salud rural",
                    (
                        DemoAction(
                            "Ronda médica quincenal en Pullally y La Higuera",
                            "El equipo del CESFAM Valle del Petorca atiende cada dos semanas en"
                            " la sede, con controles de crónicos.",
                            HEALTH,
                            (COUNCIL,),
                            3_900_000,
                            0.6,
                            "Rondas al año",
                            "rondas",
                            12,
                            24,
                            Term.SHORT,
                            reached=0.5,
                        ),
                        DemoAction(
                            "Visitas domiciliarias a personas mayores aisladas",
                            "Visitas mensuales del CESFAM y de socias del club de adulto mayor.",
                            HEALTH,
                            (ELDERS,),
                            1_200_000,
                            1.0,
                            "Personas mayores con visita mensual",
                            "personas",
                            10,
                            45,
                            Term.SHORT,
                            reached=0.6,
                        ),
                    ),
                ),
                DemoLine(
                    "Conectividad",
                    (
                        DemoAction(
                            "Recorrido rural de micro entre Pullally y La Ligua",
                            "Subsidio municipal a dos salidas más al día, en horario de clases"
                            " y de atención del CESFAM.",
                            MUNICIPALITY,
                            (BUSINESS,),
                            8_400_000,
                            0.25,
                            "Salidas diarias",
                            "salidas",
                            3,
                            8,
                            Term.LONG,
                        ),
                        DemoAction(
                            "Punto de internet comunitario en la Escuela Rural Pullally Alto",
                            "Antena, computadores y horario abierto a la comunidad por las tardes.",
                            SCHOOL,
                            (BUSINESS,),
                            1_500_000,
                            0.0,
                            "Personas que usan el punto cada mes",
                            "personas",
                            0,
                            150,
                            Term.MEDIUM,
                        ),
                    ),
                ),
            ),
        ),
    ),
)

SAN_BERNARDO = DemoPlan(
    "Este plan reúne lo que el Directorio Local acordó hacer en {territory} durante {year} a"
    " partir de las necesidades priorizadas por sus organizaciones: convivir de forma segura"
    " con el tren y la industria, abrir trabajo a los jóvenes y cuidar la salud y las redes"
    " de las familias. Cada acción tiene una organización responsable, socias, presupuesto e"
    " indicador, y su avance se informa en esta página.",
    (
        DemoObjective(
            "Convivir de forma segura con el tren y la industria",
            "Que cruzar la vía férrea, esperar la micro o caminar al colegio no sea un riesgo, y"
            " que el aire y los bordes de la vía se cuiden.",
            (
                "ferrea",
                "tren",
                "camion",
                "olores",
                "polvo",
                "paradero",
                "ciclovia",
                "microbasural",
            ),
            (
                DemoLine(
                    "Cruces y calles seguras",
                    (
                        DemoAction(
                            "Paso peatonal con barreras en la población Calderón",
                            "Gestión con EFE y obras municipales para un cruce seguro con"
                            " barreras, luces y cierre del resto de la vía.",
                            MUNICIPALITY,
                            (COUNCIL,),
                            9_500_000,
                            0.4,
                            "Avance de las obras",
                            "%",
                            0,
                            100,
                            Term.LONG,
                            reached=0.35,
                            note="EFE aprobó el diseño; comenzaron las obras.",
                        ),
                        DemoAction(
                            "Desvío de camiones de carga fuera de Villa El Olivo",
                            "Ordenanza de tránsito y acuerdo con las bodegas de Lo Herrera para"
                            " usar la ruta industrial.",
                            MUNICIPALITY,
                            (LOGISTICS, COUNCIL),
                            1_200_000,
                            1.0,
                            "Camiones por hora en horario escolar",
                            "camiones",
                            28,
                            4,
                            Term.SHORT,
                            reached=1.0,
                            note="Los camiones ya usan la ruta industrial.",
                        ),
                        DemoAction(
                            "Luminarias en los paraderos camino a la estación Nos",
                            "Luz peatonal y refugios en avenida Portales Oriente.",
                            MUNICIPALITY,
                            (BUSINESS,),
                            3_800_000,
                            1.0,
                            "Paraderos iluminados",
                            "paraderos",
                            2,
                            14,
                            Term.SHORT,
                            reached=0.7,
                        ),
                    ),
                ),
                DemoLine(
                    "Aire y bordes de la vía",
                    (
                        DemoAction(
                            "Monitoreo vecinal de olores y polvo con las industrias",
                            "Registro vecinal de episodios, un sensor de material particulado y"
                            " reuniones trimestrales con las empresas de Lo Herrera.",
                            COMMUNITY,
                            (LOGISTICS, MUNICIPALITY),
                            1_600_000,
                            0.5,
                            "Reportes mensuales publicados",
                            "reportes",
                            0,
                            12,
                            Term.MEDIUM,
                            reached=0.4,
                        ),
                        DemoAction(
                            "Limpieza y cierre de microbasurales junto a la vía férrea",
                            "Retiro de escombros en Santa Marta y cierre de los accesos con"
                            " apoyo de las empresas vecinas.",
                            COUNCIL,
                            (MUNICIPALITY, BUSINESS),
                            2_200_000,
                            0.6,
                            "Microbasurales activos",
                            "puntos",
                            7,
                            1,
                            Term.SHORT,
                            reached=0.6,
                        ),
                        DemoAction(
                            "Tramo faltante de ciclovía entre Nos y el centro",
                            "Diseño participativo con ciclistas y postulación del tramo bajo la"
                            " Ruta 5.",
                            CYCLISTS,
                            (MUNICIPALITY,),
                            6_000_000,
                            0.0,
                            "Kilómetros habilitados",
                            "km",
                            0,
                            3,
                            Term.LONG,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Trabajo y oportunidades para jóvenes",
            "Que los egresados del liceo industrial trabajen en las empresas de la comuna y que"
            " ferias y canchas sean lugares de trabajo y encuentro.",
            ("joven", "egresad", "empleo", "feria", "multicancha"),
            (
                DemoLine(
                    "Empleo juvenil",
                    (
                        DemoAction(
                            "Prácticas en empresas de Nos y Lo Herrera",
                            "Convenio entre el Liceo Industrial Maestranza, la Oficina de"
                            " Fomento Productivo y las empresas del sector.",
                            SCHOOL,
                            (BUSINESS, MUNICIPALITY),
                            2_500_000,
                            0.5,
                            "Jóvenes con práctica o contrato",
                            "jóvenes",
                            0,
                            40,
                            Term.SHORT,
                            reached=0.5,
                        ),
                        DemoAction(
                            "Cursos certificados de soldadura y electricidad",
                            "Certificación de competencias para egresados sin experiencia laboral.",
                            FOUNDATION,
                            (SCHOOL, BUSINESS),
                            3_400_000,
                            0.0,
                            "Jóvenes certificados",
                            "jóvenes",
                            0,
                            30,
                            Term.MEDIUM,
                        ),
                    ),
                ),
                DemoLine(
                    "Ferias y deporte",
                    (
                        DemoAction(
                            "Baños y punto limpio para la Feria Libre Calderón",
                            "Baños móviles y reciclaje de cajas y restos orgánicos los días de"
                            " feria.",
                            MARKET,
                            (MUNICIPALITY,),
                            2_900_000,
                            0.3,
                            "Días de feria al mes con baño y reciclaje",
                            "días",
                            0,
                            12,
                            Term.MEDIUM,
                            reached=0.25,
                        ),
                        DemoAction(
                            "Cierre e iluminación de la multicancha de El Manzano",
                            "Reja perimetral y focos LED, con horario nocturno administrado por"
                            " los clubes deportivos.",
                            YOUTH,
                            (MUNICIPALITY, BUSINESS),
                            5_200_000,
                            0.5,
                            "Horas de uso nocturno por semana",
                            "horas",
                            0,
                            20,
                            Term.MEDIUM,
                            reached=0.3,
                        ),
                    ),
                ),
            ),
        ),
        DemoObjective(
            "Salud y redes de apoyo",
            "Acercar la salud mental a las villas y tender redes a las familias que recién"
            " llegan y a las personas mayores.",
            ("salud", "mental", "migrant", "mayores", "redes"),
            (
                DemoLine(
                    "Salud mental",
                    (
                        DemoAction(
                            "Grupos de apoyo en salud mental con el CESFAM El Manzano",
                            "Grupos quincenales en las sedes vecinales guiados por la dupla"
                            " psicosocial del CESFAM.",
                            HEALTH,
                            (COUNCIL,),
                            2_800_000,
                            0.6,
                            "Personas que participan en los grupos",
                            "personas",
                            0,
                            100,
                            Term.SHORT,
                            reached=0.3,
                        ),
                        DemoAction(
                            "Monitores comunitarios en primeros auxilios psicológicos",
                            "Formación certificada para vecinas y vecinos que acompañan a otros"
                            " en momentos difíciles.",
                            HEALTH,
                            (FOUNDATION, COMMUNITY),
                            1_500_000,
                            0.0,
                            "Monitores formados",
                            "monitores",
                            0,
                            20,
                            Term.MEDIUM,
                        ),
                    ),
                ),
                DemoLine(
                    "Acogida y redes",
                    (
                        DemoAction(
                            "Red de acogida para familias migrantes de Nos",
                            "Vecinas y vecinos que acompañan a las familias recién llegadas a"
                            " inscribirse en el CESFAM, el jardín y el colegio.",
                            MIGRANTS,
                            (MUNICIPALITY, HEALTH),
                            1_400_000,
                            1.0,
                            "Familias acompañadas",
                            "familias",
                            0,
                            60,
                            Term.SHORT,
                            reached=0.5,
                        ),
                        DemoAction(
                            "Taller digital para personas mayores de Nos",
                            "Estudiantes del liceo enseñan a pedir horas y hacer trámites por"
                            " internet.",
                            SCHOOL,
                            (ELDERS,),
                            900_000,
                            0.5,
                            "Personas mayores capacitadas",
                            "personas",
                            0,
                            40,
                            Term.MEDIUM,
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# Each territory of the demo has its own plan (by its slug, or an ancestor's); others get the
# generic one.
TERRITORY_PLANS: dict[str, DemoPlan] = {
    "bajos-de-mena": BAJOS_DE_MENA,
    "barrio-yungay": BARRIO_YUNGAY,
    "la-ligua": LA_LIGUA,
    "san-bernardo": SAN_BERNARDO,
}
GENERIC = DemoPlan(PURPOSE, OBJECTIVES)


def plan_for(territory: Territory) -> DemoPlan:
    """The demo's plan for a territory: its own, or the generic neighbourhood's."""
    if territory.slug in TERRITORY_PLANS:
        return TERRITORY_PLANS[territory.slug]
    ancestors = Territory.objects.filter(pk__in=territory.ancestor_ids()).order_by("-level")
    for slug in ancestors.values_list("slug", flat=True):
        if slug in TERRITORY_PLANS:
            return TERRITORY_PLANS[slug]
    return GENERIC


def _backdate(model: Any, pk: Any, **fields: Any) -> None:
    # Services stamp "now"; the demo tells a story over the past months.
    model.objects.filter(pk=pk).update(**fields)


def _matches(actor: Actor, words: Sequence[str]) -> bool:
    text = normalize_for_search(actor.name, actor.legal_form)
    return any(word in text for word in words)


class _Organizations:
    """The directorate's organizations, chosen by sector and name, spread over the actions."""

    def __init__(self, mandates: Sequence[Mandate]) -> None:
        seen: dict[int, Actor] = {}
        for mandate in mandates:
            seen.setdefault(mandate.organization_id, mandate.organization)
        self.all = list(seen.values())
        self.uses: dict[int, int] = dict.fromkeys(seen, 0)

    def pick(self, wanted: tuple[str, tuple[str, ...]], exclude: set[int]) -> Actor | None:
        sector, words = wanted
        candidates = [a for a in self.all if a.pk not in exclude]
        for pool in (
            [a for a in candidates if a.sector == sector and words and _matches(a, words)],
            [a for a in candidates if a.sector == sector],
            candidates,
        ):
            if pool:
                # The least used first, so the work is shared among the seats.
                chosen = min(pool, key=lambda a: (self.uses[a.pk], self.all.index(a)))
                self.uses[chosen.pk] += 1
                return chosen
        return None


def _ranked_needs(session: PrioritizationSession) -> list[Need]:
    """The session's needs, prioritized ones first in their ranking."""
    needs = {n.pk: n for n in session.needs.all()}
    order = [int(pk) for pk in (session.result or {}).get("prioritized", []) if int(pk) in needs]
    return [needs[pk] for pk in order]


def _needs_for(objective: DemoObjective, top: list[Need], others: list[Need]) -> list[Need]:
    def fits(need: Need) -> bool:
        text = normalize_for_search(need.title, need.description)
        return any(word in text for word in objective.keywords)

    chosen = [n for n in top if fits(n)]
    chosen += [n for n in others if fits(n)][: max(0, 3 - len(chosen))]
    return chosen


def _present(meeting: Meeting, today: datetime.date) -> list[Mandate]:
    """The seats present at the meeting that can still vote today (all of them when the
    attendance was not taken)."""
    current = {m.pk: m for m in mandates_on(meeting.body, today)}
    day_of = {m.pk for m in mandates_on(meeting.body, timezone.localdate(meeting.starts_at))}
    rows = Attendance.objects.filter(meeting=meeting, mandate__isnull=False)
    if rows.exists():
        present = set(
            rows.filter(status=AttendanceStatus.PRESENT).values_list("mandate_id", flat=True)
        )
    else:
        present = day_of
    return [m for pk, m in current.items() if pk in present and pk in day_of]


def _voter(mandate: Mandate) -> Any:
    for user in (mandate.holder_user, mandate.alternate_user):
        if user is not None and user.is_active:
            return user
    return None


def _vote(
    plan: Plan,
    meeting: Meeting | None,
    *,
    coordinator: Any,
    rng: random.Random,
    today: datetime.date,
) -> Poll:
    poll = services.plan_submit_for_approval(user=coordinator, plan=plan, meeting=meeting)
    poll = decisions.poll_open(user=coordinator, poll=poll)
    voters = _present(meeting, today) if meeting else mandates_on(plan.body, today)
    start = (
        meeting.starts_at + datetime.timedelta(minutes=rng.randint(40, 75))
        if meeting
        else timezone.now() - datetime.timedelta(hours=2)
    )
    for index, mandate in enumerate(voters):
        user = _voter(mandate)
        if user is None:
            continue
        # Most vote yes; now and then a seat abstains.
        ballot = 2 if rng.random() < 0.12 else 0
        try:
            receipt = decisions.ballot_cast(user=user, poll=poll, mandate=mandate, ballot=ballot)
        except ValidationError:
            continue
        _backdate(BallotReceipt, receipt.pk, cast_at=start + datetime.timedelta(seconds=25 * index))
    poll = decisions.poll_close(user=coordinator, poll=poll)
    closed = start + datetime.timedelta(minutes=10)
    _backdate(
        Poll,
        poll.pk,
        created_at=start - datetime.timedelta(days=5),
        opened_at=start - datetime.timedelta(minutes=2),
        closed_at=closed,
        updated_at=closed,
    )
    poll.refresh_from_db()
    return poll


def _progress(
    created: list[tuple[DemoAction, PlanAction]],
    *,
    approved_on: datetime.date,
    coordinator: Any,
    rng: random.Random,
    today: datetime.date,
) -> None:
    """Reports since the approval: one to three per action that has moved, the last near today."""
    days = (today - approved_on).days
    if days < 7:
        return
    for spec, action in created:
        if spec.reached is None:
            continue
        count = 1 + min(2, days // 60)
        for step in range(1, count + 1):
            share = spec.reached * step / count
            value = spec.baseline + (spec.target - spec.baseline) * share
            on = approved_on + datetime.timedelta(
                days=days * step // (count + 1) + rng.randint(0, 3)
            )
            services.action_progress_record(
                user=coordinator,
                action=action,
                value=Decimal(round(value)),
                note=_note(spec, step == count and spec.reached >= 1),
                recorded_on=min(on, today),
            )
        if spec.reached >= 1:
            services.action_update(user=coordinator, action=action, status=ActionStatus.DONE)


def _note(spec: DemoAction, finished: bool) -> str:
    if finished:
        return "Terminado y recibido conforme por la junta de vecinos."
    if spec.note:
        return spec.note
    return {
        "luminarias": "El municipio repuso las luminarias del primer tramo.",
        "m²": "Se cerró el terreno y se retiraron los escombros; faltan áreas verdes.",
        "puntos": "Operativo realizado con apoyo del camión municipal.",
        "sesiones": "La mesa sesionó con asistencia de Carabineros.",
        "jóvenes": "Buena convocatoria; el taller de hip hop tiene lista de espera.",
        "personas": "Avanza según lo planificado.",
    }.get(spec.unit, "Avanza según lo planificado.")


def demo_plan(
    body: Body,
    session: PrioritizationSession,
    meetings: Sequence[Meeting],
    *,
    coordinator: Any,
    today: datetime.date,
) -> Plan:
    """Draft, approve and follow up the territory's improvement plan (see the module)."""
    rng = random.Random(f"tejido-demo-plans:{body.name}")
    program = body.program
    territory = body.territory or session.territory
    now = timezone.now()
    held = sorted(
        (m for m in meetings if m.status == MeetingStatus.HELD and m.ends_at <= now),
        key=lambda m: m.starts_at,
    )
    after_session = [m for m in held if session.closed_at and m.starts_at > session.closed_at]
    vote_meeting = after_session[0] if after_session else (held[-1] if held else None)
    voted_on = timezone.localdate(vote_meeting.starts_at) if vote_meeting else today
    cycle = program.current_cycle(voted_on) or session.cycle
    spec_plan = plan_for(territory)

    plan = services.plan_create(
        user=coordinator,
        program=program,
        territory=territory,
        body=body,
        cycle=cycle,
        title=f"Plan de Mejoramiento Comunitario {territory.name} {voted_on.year}",
        purpose=spec_plan.purpose.format(territory=territory.name, year=voted_on.year),
        currency="CLP",
    )
    top = _ranked_needs(session)
    others = list(
        Need.objects.filter(program=program, territory=territory)
        .exclude(pk__in=[n.pk for n in top])
        .exclude(status=NeedStatus.SET_ASIDE)
        .order_by("title", "pk")
    )
    organizations = _Organizations(mandates_on(body, today))
    created: list[tuple[DemoAction, PlanAction]] = []
    for spec in spec_plan.objectives:
        objective = services.objective_create(
            user=coordinator,
            plan=plan,
            title=spec.title,
            description=spec.description,
            needs=_needs_for(spec, top, others),
        )
        for line_spec in spec.lines:
            line = services.line_create(
                user=coordinator, objective=objective, title=line_spec.title
            )
            for action_spec in line_spec.actions:
                lead = organizations.pick(action_spec.lead, set())
                taken = {lead.pk} if lead else set()
                partners = []
                for wanted in action_spec.partners:
                    partner = organizations.pick(wanted, taken)
                    if partner is not None:
                        partners.append(partner)
                        taken.add(partner.pk)
                funded = Decimal(round(action_spec.budget * action_spec.funded_share, -4))
                created.append(
                    (
                        action_spec,
                        services.action_create(
                            user=coordinator,
                            line=line,
                            title=action_spec.title,
                            description=action_spec.description,
                            responsible=lead,
                            partners=partners,
                            budget=action_spec.budget,
                            funded_amount=min(funded, Decimal(action_spec.budget)),
                            indicator=action_spec.indicator,
                            unit=action_spec.unit,
                            baseline=action_spec.baseline,
                            target=action_spec.target,
                            term=action_spec.term,
                        ),
                    )
                )
    drafted = (vote_meeting.starts_at if vote_meeting else now) - datetime.timedelta(days=21)
    _backdate(Plan, plan.pk, created_at=drafted, updated_at=drafted)

    poll = _vote(plan, vote_meeting, coordinator=coordinator, rng=rng, today=today)
    if not poll_passed(poll):
        return Plan.objects.get(pk=plan.pk)  # the body did not approve it (no quorum)
    plan = services.plan_approve(user=coordinator, plan=plan)
    approved_at = poll.closed_at or timezone.now()
    _backdate(Plan, plan.pk, approved_at=approved_at, updated_at=approved_at)

    _progress(
        created,
        approved_on=timezone.localdate(approved_at),
        coordinator=coordinator,
        rng=rng,
        today=today,
    )
    upcoming = sorted(
        (m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.ends_at >= now),
        key=lambda m: m.starts_at,
    )
    if upcoming:
        services.plan_defer_unfunded(user=coordinator, plan=plan, meeting=upcoming[0])
    return Plan.objects.select_related("territory", "body", "cycle", "approval_poll").get(
        pk=plan.pk
    )
