"""Demo: a territory's needs register and a closed Hanlon prioritization session.

`demo_needs` records fifteen needs of the body's territory, from the territorial diagnosis and
from the body's meetings: each territory of the Barrios en Red demo has its own (the housing
blocks of Bajos de Mena, the cités of Barrio Yungay, the water of La Ligua, the railway and
industry of San Bernardo), named after its own places and organizations, and sized to it;
another territory gets a generic neighbourhood's. It then holds a Hanlon session at the latest
meeting held: every current seat holder (through the accounts the mandates already have; no
account is created) scores the needs, and the coordinator closes it, which marks the top five
"prioritized".
Deterministic: the scores come from a `random.Random` seeded with the body's name.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tejido.core.models import Territory, Theme
from tejido.governance.bodies.selectors import mandates_on
from tejido.governance.models import (
    Body,
    Meeting,
    MeetingStatus,
    Need,
    NeedSource,
    PrioritizationInput,
    PrioritizationMethod,
    PrioritizationSession,
)
from tejido.governance.needs import services

TOP = 5


@dataclass(frozen=True)
class DemoNeed:
    title: str
    description: str
    theme: str  # a theme slug of the demo vocabulary (see demo/content.py)
    fallback: str  # the transition theme used when that slug is missing
    people: int
    from_meeting: bool
    # The Hanlon profile the seat holders roughly agree on: size, seriousness, effectiveness.
    profile: tuple[int, int, int]
    # PEARL factors most holders answer "no" to (the need is then set aside).
    not_feasible: tuple[str, ...] = ()
    in_session: bool = True


# The needs of a territory the demo does not know: a generic urban neighbourhood, with no
# street names (they would be another place's).
NEEDS: tuple[DemoNeed, ...] = (
    DemoNeed(
        "Luminarias apagadas en el pasaje principal",
        "Cuatro de las seis luminarias del pasaje llevan meses apagadas. Vecinas cuentan que "
        "evitan volver a pie de noche desde el paradero.",
        "seguridad",
        "transicion-social",
        180,
        True,
        (6, 7, 9),
    ),
    DemoNeed(
        "Microbasurales en el sitio eriazo del sector",
        "Se acumulan escombros, colchones y basura domiciliaria; hay ratones y el camión "
        "municipal pasa solo cuando hay reclamos.",
        "medio-ambiente",
        "transicion-ecologica",
        420,
        False,
        (7, 7, 7),
    ),
    DemoNeed(
        "Falta de actividades para jóvenes en las tardes",
        "Después del liceo no hay talleres ni espacios deportivos abiertos para jóvenes de 14 a "
        "19 años.",
        "infancia",
        "transicion-social",
        350,
        True,
        (6, 7, 6),
    ),
    DemoNeed(
        "Atención de salud mental en el CESFAM",
        "La lista de espera para psicología supera los cinco meses; el diagnóstico registró "
        "alta demanda de personas cuidadoras y adolescentes.",
        "salud",
        "transicion-social",
        900,
        False,
        (8, 9, 5),
    ),
    DemoNeed(
        "Sede vecinal sin accesibilidad universal",
        "La sede tiene escalones en la entrada y un baño estrecho: personas en silla de ruedas "
        "y mayores con andador no pueden participar de las asambleas.",
        "personas-mayores",
        "transicion-social",
        120,
        True,
        (3, 7, 9),
    ),
    DemoNeed(
        "Juegos infantiles en mal estado en la plaza del barrio",
        "Columpios cortados y resbalín oxidado; las familias llevan a sus hijos a otra población.",
        "infancia",
        "transicion-social",
        260,
        False,
        (5, 5, 8),
    ),
    DemoNeed(
        "Perros abandonados en la multicancha",
        "Jaurías de perros sin dueño en la multicancha y el sitio eriazo; hubo mordeduras a "
        "niños este invierno.",
        "salud",
        "transicion-ecologica",
        300,
        True,
        (5, 5, 5),
    ),
    DemoNeed(
        "Veredas quebradas camino a la feria",
        "Raíces levantaron las veredas; personas mayores se han caído camino a la feria.",
        "personas-mayores",
        "transicion-social",
        500,
        False,
        (6, 5, 6),
    ),
    DemoNeed(
        "Paradero sin techo en la avenida principal",
        "El paradero más usado del barrio no tiene techo ni asiento; en invierno se espera la "
        "micro bajo la lluvia.",
        "vivienda",
        "transicion-social",
        650,
        False,
        (6, 4, 8),
    ),
    DemoNeed(
        "Consumo de alcohol en la plaza durante la noche",
        "Grupos beben en la plaza hasta la madrugada; vecinos dejaron de usarla y piden "
        "presencia de programas preventivos.",
        "seguridad",
        "transicion-social",
        400,
        True,
        (7, 8, 3),
    ),
    DemoNeed(
        "Recuperar el sitio eriazo privado como plaza",
        "Vecinos proponen transformar el sitio eriazo en plaza, pero el terreno es de un "
        "privado que no ha respondido a la junta de vecinos.",
        "medio-ambiente",
        "transicion-ecologica",
        600,
        True,
        (7, 6, 6),
        not_feasible=("legality", "propriety"),
    ),
    DemoNeed(
        "Pasajes inundados en invierno por falta de sumideros",
        "Con cada lluvia fuerte se inundan los pasajes más bajos del sector; el agua entra a "
        "algunas casas.",
        "vivienda",
        "transicion-ecologica",
        280,
        False,
        (5, 8, 4),
    ),
    DemoNeed(
        "Baja participación en la junta de vecinos",
        "A las asambleas llegan menos de veinte personas; la directiva no se renueva hace "
        "seis años.",
        "transicion-democratica",
        "transicion-democratica",
        1200,
        False,
        (8, 4, 5),
        in_session=False,
    ),
    DemoNeed(
        "Alfabetización digital para personas mayores",
        "Muchas personas mayores no pueden pedir horas médicas ni trámites en línea.",
        "transicion-digital",
        "transicion-digital",
        150,
        True,
        (4, 5, 8),
        in_session=False,
    ),
    DemoNeed(
        "Falta de un espacio de encuentro para personas mayores",
        "El club de adulto mayor se reúne en una casa particular y no cabe más gente.",
        "personas-mayores",
        "transicion-social",
        220,
        False,
        (4, 6, 8),
        in_session=False,
    ),
)

# A large peripheral social-housing area (about 120,000 people): blocks of small flats, few
# services, long trips to work.
BAJOS_DE_MENA: tuple[DemoNeed, ...] = (
    DemoNeed(
        "Luminarias apagadas en pasaje Los Aromos",
        "Cuatro de las seis luminarias del pasaje de la Villa Los Aromos del Sur llevan meses "
        "apagadas. Vecinas cuentan que evitan volver a pie de noche desde el paradero.",
        "seguridad",
        "transicion-social",
        600,
        True,
        (7, 8, 9),
    ),
    DemoNeed(
        "Blocks de Cerro Morado con filtraciones y escaleras sin mantención",
        "Departamentos de 42 m² con humedad en los muros, techumbres que se llueven y "
        "escaleras comunes con peldaños sueltos; la copropiedad no tiene administración.",
        "vivienda",
        "transicion-social",
        2400,
        False,
        (8, 8, 5),
    ),
    DemoNeed(
        "Microbasurales en el sitio eriazo de Villa El Volcán Poniente",
        "Se acumulan escombros, colchones y basura domiciliaria; hay ratones y el camión "
        "municipal pasa solo cuando hay reclamos.",
        "medio-ambiente",
        "transicion-ecologica",
        1500,
        False,
        (7, 7, 7),
    ),
    DemoNeed(
        "Falta de actividades para jóvenes en las tardes",
        "Después del liceo no hay talleres ni espacios deportivos abiertos para los jóvenes de "
        "14 a 19 años de Las Azaleas y Nuevo Amanecer.",
        "infancia",
        "transicion-social",
        1800,
        True,
        (7, 7, 6),
    ),
    DemoNeed(
        "Atención de salud mental en el CESFAM Cordillera Sur",
        "La lista de espera para psicología supera los cinco meses; el diagnóstico registró "
        "alta demanda de personas cuidadoras y adolescentes.",
        "salud",
        "transicion-social",
        4500,
        False,
        (8, 9, 5),
    ),
    DemoNeed(
        "Sede de la junta de vecinos Altos del Maipo sin accesibilidad universal",
        "La sede tiene escalones en la entrada y un baño estrecho: personas en silla de ruedas "
        "y mayores con andador no pueden participar de las asambleas.",
        "personas-mayores",
        "transicion-social",
        300,
        True,
        (3, 7, 9),
    ),
    DemoNeed(
        "Juegos infantiles en mal estado en la plaza Las Azaleas",
        "Columpios cortados y resbalín oxidado; las familias llevan a sus hijos a otra villa.",
        "infancia",
        "transicion-social",
        900,
        False,
        (5, 5, 8),
    ),
    DemoNeed(
        "Perros abandonados en la multicancha de El Peñón Alto",
        "Jaurías de perros sin dueño en la multicancha y los sitios eriazos; hubo mordeduras a "
        "niños este invierno.",
        "salud",
        "transicion-ecologica",
        1100,
        True,
        (5, 5, 5),
    ),
    DemoNeed(
        "Paradero sin techo ni luz en la salida de Parque Sur Andino",
        "Desde ese paradero sale la micro al metro: más de una hora de viaje al trabajo, "
        "esperando de madrugada a oscuras y bajo la lluvia.",
        "vivienda",
        "transicion-social",
        3000,
        False,
        (7, 5, 8),
    ),
    DemoNeed(
        "Consumo de alcohol en la plaza Las Azaleas durante la noche",
        "Grupos beben en la plaza hasta la madrugada; vecinos dejaron de usarla y piden "
        "presencia de programas preventivos.",
        "seguridad",
        "transicion-social",
        800,
        True,
        (7, 8, 3),
    ),
    DemoNeed(
        "Recuperar el sitio eriazo privado de Villa San Ramón de Mena como plaza",
        "Vecinos proponen transformar el sitio eriazo en plaza, pero el terreno es de una "
        "inmobiliaria que no ha respondido a la junta de vecinos.",
        "medio-ambiente",
        "transicion-ecologica",
        1200,
        True,
        (7, 6, 6),
        not_feasible=("legality", "propriety"),
    ),
    DemoNeed(
        "Pasajes de Nuevo Amanecer inundados en invierno por falta de sumideros",
        "Con cada lluvia fuerte se inundan los pasajes bajos de la villa; el agua entra a los "
        "departamentos del primer piso.",
        "vivienda",
        "transicion-ecologica",
        700,
        False,
        (5, 8, 4),
    ),
    DemoNeed(
        "Baja participación en las juntas de vecinos",
        "A las asambleas llegan menos de veinte personas; varias directivas no se renuevan "
        "hace seis años.",
        "transicion-democratica",
        "transicion-democratica",
        5000,
        False,
        (8, 4, 5),
        in_session=False,
    ),
    DemoNeed(
        "Alfabetización digital para personas mayores",
        "Muchas personas mayores no pueden pedir horas médicas ni hacer trámites por internet "
        "y el municipio queda a dos micros de distancia.",
        "transicion-digital",
        "transicion-digital",
        900,
        True,
        (4, 5, 8),
        in_session=False,
    ),
    DemoNeed(
        "Falta de un espacio de encuentro para personas mayores",
        "El Club de Adulto Mayor Los Robles de Mena se reúne en una casa particular y no cabe "
        "más gente.",
        "personas-mayores",
        "transicion-social",
        350,
        False,
        (4, 6, 8),
        in_session=False,
    ),
)

# A dense historic neighbourhood of central Santiago (about 30,000 people): old adobe houses
# split into rooms, cités and conventillos, many migrant families.
BARRIO_YUNGAY: tuple[DemoNeed, ...] = (
    DemoNeed(
        "Cités con riesgo de derrumbe en calle Libertad",
        "Muros de adobe agrietados desde el último terremoto y techos que ceden; en dos cités "
        "las familias duermen en la pieza que aún se sostiene.",
        "vivienda",
        "transicion-social",
        160,
        True,
        (6, 9, 6),
    ),
    DemoNeed(
        "Instalaciones eléctricas precarias en conventillos",
        "Colgados, alargadores y tableros sin protección en casas divididas en piezas; hubo dos "
        "incendios en el barrio el último invierno.",
        "vivienda",
        "transicion-social",
        420,
        False,
        (7, 9, 7),
    ),
    DemoNeed(
        "Hacinamiento y arriendos abusivos de piezas a familias migrantes",
        "Familias completas arriendan una pieza sin contrato, a precios altos y con baño "
        "compartido por diez personas; los desalojos se hacen sin aviso.",
        "migracion",
        "transicion-social",
        950,
        False,
        (8, 8, 4),
    ),
    DemoNeed(
        "Orientación para la regularización migratoria",
        "Vecinas y vecinos sin RUT no logran inscribirse en el CESFAM ni matricular a sus hijos; "
        "no saben a dónde acudir para regularizar su situación.",
        "migracion",
        "transicion-social",
        700,
        True,
        (7, 7, 8),
    ),
    DemoNeed(
        "Bolsas de basura acumuladas en las esquinas de calle Esperanza",
        "Los edificios nuevos y las piezas sacan la basura a cualquier hora; las esquinas se "
        "vuelven microbasurales antes de que pase el camión.",
        "medio-ambiente",
        "transicion-ecologica",
        600,
        False,
        (6, 5, 7),
    ),
    DemoNeed(
        "Bancas y juegos deteriorados en Plaza Brasil",
        "Bancas rotas, juegos con piezas sueltas y faroles apagados en la plaza donde se "
        "encuentran las familias del barrio.",
        "infancia",
        "transicion-social",
        800,
        True,
        (6, 4, 8),
    ),
    DemoNeed(
        "Venta de alcohol y riñas nocturnas en calle Portales",
        "Botillerías clandestinas atienden hasta la madrugada; hay riñas y ruidos que no "
        "dejan dormir a los vecinos de la cuadra.",
        "seguridad",
        "transicion-social",
        450,
        True,
        (6, 7, 4),
    ),
    DemoNeed(
        "Robos a peatones camino al metro Cumming",
        "Por la mañana temprano y al volver del trabajo hay asaltos en las cuadras mal "
        "iluminadas que llevan a la estación.",
        "seguridad",
        "transicion-social",
        1200,
        False,
        (7, 7, 5),
    ),
    DemoNeed(
        "Barreras de idioma en la atención del CESFAM Centro Yungay",
        "Vecinas haitianas que hablan creole no entienden las indicaciones médicas; no hay "
        "facilitadores interculturales ni material traducido.",
        "salud",
        "transicion-social",
        380,
        True,
        (5, 7, 8),
    ),
    DemoNeed(
        "Personas mayores solas en piezas de cités sin accesibilidad",
        "Personas mayores viven solas en segundos pisos con escaleras de madera; algunas no "
        "salen a la calle hace meses.",
        "personas-mayores",
        "transicion-social",
        230,
        False,
        (4, 7, 7),
    ),
    DemoNeed(
        "Expropiar el cité abandonado de calle Esperanza para vivienda social",
        "Vecinos piden que el municipio compre y rehabilite un cité tapiado, pero el inmueble "
        "tiene una sucesión en juicio y el costo supera el presupuesto comunal.",
        "vivienda",
        "transicion-social",
        150,
        True,
        (5, 8, 5),
        not_feasible=("legality", "economics"),
    ),
    DemoNeed(
        "Fachadas y murales patrimoniales deteriorados",
        "Fachadas de la zona típica con rayados y cornisas que se caen; los murales del barrio "
        "se borran sin que nadie los restaure.",
        "cultura",
        "transicion-social",
        1500,
        False,
        (5, 4, 6),
    ),
    DemoNeed(
        "Arrendatarios ausentes de la junta de vecinos",
        "La mayoría del barrio arrienda y no participa: las asambleas reúnen a propietarios de "
        "siempre y las familias migrantes no se sienten invitadas.",
        "transicion-democratica",
        "transicion-democratica",
        2000,
        False,
        (8, 4, 5),
        in_session=False,
    ),
    DemoNeed(
        "Clases de español para vecinas y vecinos haitianos",
        "Quienes llegaron hace poco no pueden hacer trámites ni buscar trabajo sin el idioma.",
        "educacion",
        "transicion-social",
        220,
        True,
        (4, 6, 8),
        in_session=False,
    ),
    DemoNeed(
        "Trámites digitales para personas mayores y migrantes",
        "Agendar horas, renovar documentos y postular a beneficios exige internet y clave "
        "única, que muchos no tienen o no saben usar.",
        "transicion-digital",
        "transicion-digital",
        300,
        False,
        (4, 5, 8),
        in_session=False,
    ),
)

# A small rural-urban commune of the Petorca province (about 35,000 people): a dry river,
# rural drinking-water committees, small farms, weavers and seasonal farm work.
LA_LIGUA: tuple[DemoNeed, ...] = (
    DemoNeed(
        "Camiones aljibe irregulares en el sector La Higuera",
        "Las familias sin red de agua reciben el camión aljibe cada diez días y a veces no "
        "alcanza para los 50 litros por persona al día.",
        "medio-ambiente",
        "transicion-ecologica",
        300,
        True,
        (7, 9, 7),
    ),
    DemoNeed(
        "Pozo del agua potable rural de Valle Hermoso con caudal insuficiente",
        "El nivel del pozo bajó cuatro metros en dos años; en verano el comité corta el agua "
        "potable por sectores en las tardes.",
        "medio-ambiente",
        "transicion-ecologica",
        850,
        False,
        (8, 9, 6),
    ),
    DemoNeed(
        "Huertas familiares perdidas por la sequía en Pullally",
        "Las familias dejaron de sembrar hortalizas y paltos: no hay agua para riego y lo que "
        "comían de la huerta ahora lo compran.",
        "empleo",
        "transicion-ecologica",
        240,
        False,
        (6, 7, 6),
    ),
    DemoNeed(
        "Pequeños agricultores sin riego tecnificado",
        "Riegan por surco con el poco agua que llega; no conocen los concursos de riego ni "
        "tienen quién les ayude a postular.",
        "empleo",
        "transicion-ecologica",
        130,
        True,
        (4, 7, 7),
    ),
    DemoNeed(
        "Locomoción escasa entre Pullally y el centro de La Ligua",
        "Hay tres salidas de micro al día; estudiantes del liceo y pacientes del CESFAM pierden "
        "clases y horas médicas.",
        "educacion",
        "transicion-social",
        420,
        False,
        (6, 6, 5),
    ),
    DemoNeed(
        "Ronda médica insuficiente en los sectores rurales",
        "El equipo del CESFAM Valle del Petorca va una vez al mes a la posta; los controles de "
        "crónicos se atrasan.",
        "salud",
        "transicion-social",
        560,
        False,
        (6, 8, 6),
    ),
    DemoNeed(
        "Tejedoras sin espacio de venta en el centro de La Ligua",
        "Las tejedoras de Valle Hermoso venden en la berma de la carretera o a intermediarios "
        "que pagan poco por sus chalecos.",
        "empleo",
        "transicion-social",
        90,
        True,
        (3, 5, 9),
    ),
    DemoNeed(
        "Temporeras y temporeros sin alojamiento digno en la cosecha",
        "Durante la temporada de paltas y cítricos, trabajadores, muchos migrantes, arriendan "
        "galpones sin baño ni ducha.",
        "migracion",
        "transicion-social",
        300,
        False,
        (5, 7, 4),
    ),
    DemoNeed(
        "Microbasurales en la ribera seca del río La Ligua",
        "El cauce seco se usa para botar escombros, neumáticos y envases de agroquímicos.",
        "medio-ambiente",
        "transicion-ecologica",
        500,
        False,
        (5, 6, 7),
    ),
    DemoNeed(
        "Jóvenes que dejan el valle por falta de oportunidades",
        "Al salir del liceo agrícola los jóvenes se van a Santiago o a Viña: no hay prácticas "
        "ni trabajo estable en la comuna.",
        "infancia",
        "transicion-social",
        350,
        True,
        (6, 6, 4),
    ),
    DemoNeed(
        "Construir un embalse comunal en el estero de Pullally",
        "Agricultores proponen un embalse propio, pero la obra cuesta varias veces el "
        "presupuesto comunal y los derechos de agua del estero ya están asignados.",
        "medio-ambiente",
        "transicion-ecologica",
        1800,
        True,
        (8, 8, 6),
        not_feasible=("economics", "resources"),
    ),
    DemoNeed(
        "Personas mayores aisladas en los sectores rurales",
        "Personas mayores viven solas lejos de la posta y de la micro; en invierno pasan "
        "semanas sin visitas.",
        "personas-mayores",
        "transicion-social",
        170,
        False,
        (4, 6, 8),
    ),
    DemoNeed(
        "Dirigencias de juntas de vecinos y comités rurales sin recambio",
        "Las mismas personas dirigen hace veinte años; los jóvenes no participan de las asambleas.",
        "transicion-democratica",
        "transicion-democratica",
        700,
        False,
        (7, 4, 5),
        in_session=False,
    ),
    DemoNeed(
        "Conectividad a internet deficiente en Pullally y Longotoma",
        "Sin señal estable los estudiantes no pueden hacer tareas ni los artesanos vender por "
        "internet.",
        "transicion-digital",
        "transicion-digital",
        450,
        False,
        (5, 5, 6),
        in_session=False,
    ),
    DemoNeed(
        "Perros asilvestrados que atacan cabras y gallinas",
        "Jaurías bajan de los cerros de noche; las familias campesinas pierden animales.",
        "medio-ambiente",
        "transicion-ecologica",
        120,
        True,
        (3, 5, 5),
        in_session=False,
    ),
)

# A large commune of southern Santiago (about 300,000 people): the Nos and Lo Herrera industrial
# areas, the railway and its historic workshops, freight trucks through the neighbourhoods.
SAN_BERNARDO: tuple[DemoNeed, ...] = (
    DemoNeed(
        "Cruce peatonal peligroso de la vía férrea en la población Calderón",
        "Vecinos cruzan las vías del tren Nos por un hoyo en la reja para llegar al colegio y al "
        "consultorio; este año hubo dos atropellos.",
        "seguridad",
        "transicion-social",
        1600,
        True,
        (8, 9, 6),
    ),
    DemoNeed(
        "Camiones de carga por las calles de Villa El Olivo",
        "Los camiones de las bodegas de Lo Herrera acortan camino por la villa en horario "
        "escolar; rompen el pavimento y hay niños que cruzan solos.",
        "seguridad",
        "transicion-ecologica",
        1100,
        False,
        (7, 7, 7),
    ),
    DemoNeed(
        "Olores y polvo de las industrias de Lo Herrera",
        "En las tardes llegan olores fuertes y polvo desde el parque industrial; vecinos con "
        "asma empeoran y nadie mide lo que se respira.",
        "medio-ambiente",
        "transicion-ecologica",
        2500,
        False,
        (8, 7, 4),
    ),
    DemoNeed(
        "Microbasurales junto a la vía férrea en la población Santa Marta",
        "A lo largo de la reja del tren se botan escombros y basura; los operativos duran una "
        "semana.",
        "medio-ambiente",
        "transicion-ecologica",
        900,
        False,
        (6, 6, 7),
    ),
    DemoNeed(
        "Desempleo de jóvenes egresados del Liceo Industrial Maestranza",
        "Egresan como técnicos en mecánica y electricidad, pero las empresas de Nos piden "
        "experiencia y los jóvenes terminan en trabajos informales.",
        "empleo",
        "transicion-social",
        500,
        True,
        (6, 7, 7),
    ),
    DemoNeed(
        "Paraderos sin luz camino a la estación Nos",
        "Quienes toman el tren de madrugada esperan la micro a oscuras en avenida Portales "
        "Oriente; hubo asaltos este invierno.",
        "seguridad",
        "transicion-social",
        1800,
        False,
        (7, 6, 8),
    ),
    DemoNeed(
        "Atención de salud mental en el CESFAM El Manzano",
        "La lista de espera para psicología supera los seis meses; aumentan las consultas de "
        "adolescentes y de personas cuidadoras.",
        "salud",
        "transicion-social",
        1500,
        False,
        (8, 9, 5),
    ),
    DemoNeed(
        "Feria Libre Calderón sin baños ni manejo de residuos",
        "Cada feria deja la calle llena de cajas y restos de verdura, y feriantes y clientes "
        "no tienen baño.",
        "empleo",
        "transicion-ecologica",
        650,
        True,
        (5, 5, 8),
    ),
    DemoNeed(
        "Ciclovía interrumpida entre Nos y el centro",
        "La ciclovía se corta antes del paso bajo la Ruta 5; trabajadores de las industrias "
        "pedalean entre camiones.",
        "medio-ambiente",
        "transicion-ecologica",
        480,
        True,
        (5, 6, 7),
    ),
    DemoNeed(
        "Familias migrantes sin redes en Villa Las Acacias de Nos",
        "Familias recién llegadas, que trabajan en las bodegas, no conocen los servicios de la "
        "comuna ni tienen con quién dejar a sus hijos.",
        "migracion",
        "transicion-social",
        400,
        False,
        (5, 6, 7),
    ),
    DemoNeed(
        "Soterrar la vía férrea en el centro de San Bernardo",
        "Vecinos piden llevar el tren bajo tierra, pero la obra depende de EFE y del "
        "ministerio, y cuesta cientos de veces el presupuesto del programa.",
        "seguridad",
        "transicion-social",
        6000,
        True,
        (9, 7, 6),
        not_feasible=("economics", "resources"),
    ),
    DemoNeed(
        "Multicancha de El Manzano sin cierre ni iluminación",
        "Los clubes no pueden jugar después de las siete; en la noche la cancha queda tomada.",
        "deporte",
        "transicion-social",
        420,
        False,
        (5, 5, 8),
    ),
    DemoNeed(
        "Poca renovación en las directivas de las juntas de vecinos",
        "Las directivas llevan años sin elecciones con más de una lista; las villas nuevas no "
        "tienen junta de vecinos.",
        "transicion-democratica",
        "transicion-democratica",
        3000,
        False,
        (8, 4, 5),
        in_session=False,
    ),
    DemoNeed(
        "Patrimonio ferroviario de la Maestranza poco conocido",
        "Las nuevas generaciones no conocen la historia de la Maestranza Central ni de los "
        "oficios ferroviarios que hicieron la comuna.",
        "cultura",
        "transicion-social",
        2000,
        False,
        (5, 3, 6),
        in_session=False,
    ),
    DemoNeed(
        "Alfabetización digital para personas mayores de Nos",
        "Personas mayores no pueden pedir horas médicas ni hacer trámites por internet.",
        "transicion-digital",
        "transicion-digital",
        350,
        True,
        (4, 5, 8),
        in_session=False,
    ),
)

# Each territory of the demo has its own needs (by its slug, or an ancestor's).
TERRITORY_NEEDS: dict[str, tuple[DemoNeed, ...]] = {
    "bajos-de-mena": BAJOS_DE_MENA,
    "barrio-yungay": BARRIO_YUNGAY,
    "la-ligua": LA_LIGUA,
    "san-bernardo": SAN_BERNARDO,
}


def needs_for(territory: Territory) -> tuple[DemoNeed, ...]:
    """The demo's needs for a territory: its own when the demo knows it (or the place it lies
    in), the generic neighbourhood's otherwise."""
    if territory.slug in TERRITORY_NEEDS:
        return TERRITORY_NEEDS[territory.slug]
    ancestors = Territory.objects.filter(pk__in=territory.ancestor_ids()).order_by("-level")
    for slug in ancestors.values_list("slug", flat=True):
        if slug in TERRITORY_NEEDS:
            return TERRITORY_NEEDS[slug]
    return NEEDS


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _territory_of(body: Body) -> Territory:
    if body.territory is not None:
        return body.territory
    territory = body.program.territories.order_by("path").first()
    if territory is None:
        raise ValueError("The body and its program have no territory: needs need one.")
    return territory


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _backdate(model: Any, pk: int, **fields: Any) -> None:
    # Services stamp "now"; the demo tells a story over the past months.
    model.objects.filter(pk=pk).update(**fields)


def demo_needs(
    body: Body,
    meetings: Sequence[Meeting],
    *,
    coordinator: Any,
    today: datetime.date,
) -> PrioritizationSession:
    """Record the territory's needs and hold a closed Hanlon session with the seat holders."""
    rng = random.Random(f"tejido-demo-needs:{body.name}")
    program = body.program
    territory = _territory_of(body)
    now = timezone.now()
    held = sorted(
        (m for m in meetings if m.status == MeetingStatus.HELD and m.ends_at <= now),
        key=lambda m: m.starts_at,
    )
    session_meeting = held[-1] if held else None
    earlier = held[:-1] if len(held) > 1 else held
    themes = {t.slug: t for t in Theme.objects.all()}
    diagnosis_day = today - datetime.timedelta(days=240)

    needs: list[tuple[DemoNeed, Need]] = []
    for index, spec in enumerate(needs_for(territory)):
        source_meeting = earlier[index % len(earlier)] if spec.from_meeting and earlier else None
        need = services.need_create(
            user=coordinator,
            program=program,
            territory=territory,
            title=spec.title,
            description=spec.description,
            theme=themes.get(spec.theme) or themes.get(spec.fallback),
            source=NeedSource.MEETING if spec.from_meeting else NeedSource.DIAGNOSIS,
            source_meeting=source_meeting,
            # Estimates, as neighbours give them: rounded to tens.
            people_affected=max(10, int(round(spec.people * rng.uniform(0.85, 1.15), -1))),
        )
        recorded = (
            source_meeting.starts_at
            if source_meeting
            else _at(diagnosis_day + datetime.timedelta(days=index), 11)
        )
        _backdate(Need, need.pk, created_at=recorded, updated_at=recorded)
        needs.append((spec, need))

    chosen = [(spec, need) for spec, need in needs if spec.in_session]
    year = (session_meeting.starts_at.date() if session_meeting else today).year
    session = services.session_create(
        user=coordinator,
        program=program,
        territory=territory,
        title=f"Priorización de necesidades {year} · {territory.name}",
        method=PrioritizationMethod.HANLON,
        needs=[need for _spec, need in chosen],
        body=body,
        meeting=session_meeting,
    )
    session = services.session_open(user=coordinator, session=session)

    users: list[Any] = []
    for mandate in mandates_on(body, today):
        user = mandate.holder_user or mandate.alternate_user
        if user is not None and user.pk not in {u.pk for u in users}:
            users.append(user)
    for user in users:
        scores: dict[str, dict[str, int]] = {}
        for spec, need in chosen:
            size, seriousness, effectiveness = spec.profile
            row = {
                "size": _clamp(rng.gauss(size, 1.0), 0, 10),
                "seriousness": _clamp(rng.gauss(seriousness, 1.0), 0, 10),
                "effectiveness": _clamp(rng.gauss(effectiveness, 1.2), 0, 10),
            }
            for factor in ("propriety", "economics", "acceptability", "resources", "legality"):
                no_chance = 0.85 if factor in spec.not_feasible else 0.05
                row[factor] = 0 if rng.random() < no_chance else 1
            scores[str(need.pk)] = row
        services.input_submit(user=user, session=session, content={"scores": scores}, day=today)

    if not users:
        # No seat holder has an account: the session stays open for them.
        return session
    session = services.session_close(user=coordinator, session=session, top=TOP)
    if session_meeting is not None:
        start = session_meeting.starts_at
        _backdate(
            PrioritizationSession,
            session.pk,
            created_at=start - datetime.timedelta(days=7),
            updated_at=session_meeting.ends_at,
            closed_at=session_meeting.ends_at,
        )
        for minute, entry in enumerate(session.inputs.order_by("pk")):
            _backdate(
                PrioritizationInput,
                entry.pk,
                submitted_at=start + datetime.timedelta(minutes=20 + 3 * minute),
            )
        session.refresh_from_db()
    return session
