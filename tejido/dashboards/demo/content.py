"""What the demo is made of: real places, fictional organizations, people and demo accounts.

Every organization and person here is invented; the places are real, with approximate
coordinates. Names and descriptions are in Spanish, and in Catalan for the Catalan entities.
This module is data only; `loader.py` turns it into records through the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# One fixed seed: every run of `tejido demo` produces the same actors, people and ties.
DEMO_SEED = 20231

DEMO_PASSWORD = "tejido-demo"


def names(text: str) -> tuple[str, ...]:
    """A list of names written as "A|B|C", which keeps long lists short to read."""
    return tuple(text.split("|"))


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    level: int  # 0 country, 1 region, 2 municipality/comuna, 3 neighbourhood/sector
    parent: str | None
    latitude: float
    longitude: float
    code: str = ""


# Parents come before their children. Slugs are short and stable: they appear in URLs
# (/p/<program>/territories/<slug>/) and the map's `territory=` filter.
PLACES: tuple[Place, ...] = (
    # Chile
    Place("chile", "Chile", 0, None, -33.45, -70.67, "CL"),
    Place(
        "region-metropolitana",
        "Región Metropolitana de Santiago",
        1,
        "chile",
        -33.4489,
        -70.6693,
        "13",
    ),
    Place("puente-alto", "Puente Alto", 2, "region-metropolitana", -33.6117, -70.5758, "13201"),
    Place("bajos-de-mena", "Bajos de Mena", 3, "puente-alto", -33.6275, -70.5930),
    Place("san-bernardo", "San Bernardo", 2, "region-metropolitana", -33.5922, -70.6996, "13401"),
    Place("santiago", "Santiago", 2, "region-metropolitana", -33.4378, -70.6505, "13101"),
    Place("barrio-yungay", "Barrio Yungay", 3, "santiago", -33.4373, -70.6632),
    Place("region-de-valparaiso", "Región de Valparaíso", 1, "chile", -32.90, -71.25, "05"),
    Place("la-ligua", "La Ligua", 2, "region-de-valparaiso", -32.4522, -71.2310, "05401"),
    Place("valparaiso", "Valparaíso", 2, "region-de-valparaiso", -33.0472, -71.6127, "05101"),
    Place("region-del-biobio", "Región del Biobío", 1, "chile", -37.00, -72.50, "08"),
    Place("concepcion", "Concepción", 2, "region-del-biobio", -36.8270, -73.0503, "08101"),
    # Spain, Catalonia
    Place("espana", "España", 0, None, 40.4168, -3.7038, "ES"),
    Place("catalunya", "Catalunya", 1, "espana", 41.5912, 1.5209, "09"),
    Place("barcelona", "Barcelona", 2, "catalunya", 41.3874, 2.1686, "08019"),
    Place("nou-barris", "Nou Barris", 3, "barcelona", 41.4416, 2.1771),
    Place("el-raval", "El Raval", 3, "barcelona", 41.3795, 2.1683),
    Place("sabadell", "Sabadell", 2, "catalunya", 41.5463, 2.1086, "08187"),
    Place("vic", "Vic", 2, "catalunya", 41.9301, 2.2549, "08298"),
    Place("girona", "Girona", 2, "catalunya", 41.9794, 2.8214, "17079"),
    Place("lleida", "Lleida", 2, "catalunya", 41.6176, 0.6200, "25120"),
    Place("tarragona", "Tarragona", 2, "catalunya", 41.1189, 1.2445, "43148"),
    # Partners abroad
    Place("ecuador", "Ecuador", 0, None, -0.1807, -78.4678, "EC"),
    Place("pichincha", "Pichincha", 1, "ecuador", -0.25, -78.58, "17"),
    Place("quito", "Quito", 2, "pichincha", -0.1807, -78.4678, "1701"),
    Place("imbabura", "Imbabura", 1, "ecuador", 0.35, -78.12, "10"),
    Place("cotacachi", "Cotacachi", 2, "imbabura", 0.3017, -78.2637, "1003"),
    Place("senegal", "Senegal", 0, None, 14.7167, -17.4677, "SN"),
    Place("dakar", "Dakar", 1, "senegal", 14.7167, -17.4677, "DK"),
    Place("pikine", "Pikine", 2, "dakar", 14.7640, -17.3900),
    Place("region-de-ziguinchor", "Ziguinchor (región)", 1, "senegal", 12.80, -16.20, "ZG"),
    Place("ziguinchor", "Ziguinchor", 2, "region-de-ziguinchor", 12.5681, -16.2719),
    Place("colombia", "Colombia", 0, None, 4.7110, -74.0721, "CO"),
    Place("antioquia", "Antioquia", 1, "colombia", 6.70, -75.50, "05"),
    Place("medellin", "Medellín", 2, "antioquia", 6.2442, -75.5812, "05001"),
    Place("cauca", "Cauca", 1, "colombia", 2.50, -76.80, "19"),
    Place("popayan", "Popayán", 2, "cauca", 2.4448, -76.6147, "19001"),
)


# The four transition themes exist from the first migration; these join them. Slugs are shared
# with the synthetic networks of `tejido demo --scale`.
THEMES: tuple[tuple[str, str], ...] = (
    ("vivienda", "Vivienda"),
    ("seguridad", "Seguridad comunitaria"),
    ("medio-ambiente", "Medio ambiente"),
    ("cultura", "Cultura y patrimonio"),
    ("deporte", "Deporte y recreación"),
    ("salud", "Salud"),
    ("empleo", "Empleo y economía local"),
    ("migracion", "Migración"),
    ("infancia", "Infancia y juventud"),
    ("personas-mayores", "Personas mayores"),
    ("educacion", "Educación"),
)
TRANSITION_SLUGS = {
    "social": "transicion-social",
    "democratic": "transicion-democratica",
    "ecological": "transicion-ecologica",
    "digital": "transicion-digital",
}


@dataclass(frozen=True)
class ActorType:
    """A kind of organization: how it is named, its sector, legal form and usual profile."""

    pattern: str
    sector: str
    kind: str = "organization"
    legal_form: str = ""
    themes: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ("10-49",)
    founded: tuple[int, int] = (1990, 2020)
    power: tuple[int, int] = (1, 3)
    interest: tuple[int, int] = (3, 5)
    descriptions: tuple[str, ...] = ()
    funder: bool = False  # funds other actors (funding ties start here)
    hub: bool = False  # works with many others: weighted up when ties are drawn


COMMUNITY_FUNCTIONAL = "Organización comunitaria funcional (Ley 19.418)"

CHILE_TYPES: dict[str, ActorType] = {
    "jjvv": ActorType(
        "Junta de Vecinos {}",
        "community",
        legal_form="Organización comunitaria territorial (Ley 19.418)",
        themes=("seguridad", "vivienda", "medio-ambiente", "transicion-democratica"),
        sizes=("50-249", "10-49", "250+"),
        founded=(1968, 2016),
        power=(2, 3),
        interest=(4, 5),
        descriptions=(
            "Representa a las vecinas y vecinos de la unidad vecinal de {place}; administra la"
            " sede social y organiza operativos de limpieza y seguridad.",
            "Organización territorial de {place} que canaliza las demandas del barrio ante el"
            " municipio y coordina la mesa de seguridad del sector.",
        ),
        hub=True,
    ),
    "club_deportivo": ActorType(
        "Club Deportivo {}",
        "community",
        legal_form=COMMUNITY_FUNCTIONAL,
        themes=("deporte", "infancia", "salud"),
        sizes=("10-49", "50-249"),
        founded=(1955, 2018),
        descriptions=(
            "Club de fútbol amateur con series infantiles y femeninas en {place}.",
            "Promueve el deporte y la recreación de niñas, niños y jóvenes de {place}.",
        ),
    ),
    "centro_madres": ActorType(
        "Centro de Madres {}",
        "community",
        legal_form=COMMUNITY_FUNCTIONAL,
        themes=("empleo", "transicion-social", "cultura"),
        sizes=("10-49",),
        founded=(1965, 2010),
        descriptions=(
            "Talleres de costura, repostería y emprendimiento para vecinas de {place}.",
            "Espacio de encuentro y capacitación en oficios con más de treinta socias en {place}.",
        ),
    ),
    "comite_vivienda": ActorType(
        "Comité de Vivienda {}",
        "community",
        legal_form=COMMUNITY_FUNCTIONAL,
        themes=("vivienda", "transicion-social"),
        sizes=("50-249", "10-49"),
        founded=(2008, 2022),
        interest=(4, 5),
        descriptions=(
            "Familias allegadas de {place} que postulan en conjunto al subsidio habitacional.",
            "Agrupa a familias que buscan una solución habitacional definitiva en {place}.",
        ),
    ),
    "cultural": ActorType(
        "Agrupación Cultural {}",
        "community",
        legal_form=COMMUNITY_FUNCTIONAL,
        themes=("cultura", "infancia", "transicion-democratica"),
        sizes=("10-49", "1-9"),
        founded=(1985, 2021),
        descriptions=(
            "Talleres de música, muralismo y teatro comunitario abiertos a todo {place}.",
            "Rescata la memoria e identidad del barrio con actividades culturales en {place}.",
        ),
    ),
    "adulto_mayor": ActorType(
        "Club de Adulto Mayor {}",
        "community",
        legal_form=COMMUNITY_FUNCTIONAL,
        themes=("personas-mayores", "salud", "cultura"),
        sizes=("10-49",),
        founded=(1990, 2015),
        descriptions=(
            "Personas mayores de {place} que se reúnen para talleres, paseos y autocuidado.",
        ),
    ),
    "migrantes": ActorType(
        "Agrupación de Migrantes {}",
        "community",
        legal_form=COMMUNITY_FUNCTIONAL,
        themes=("migracion", "empleo", "transicion-social"),
        sizes=("10-49", "50-249"),
        founded=(2010, 2023),
        descriptions=(
            "Acompaña a familias migrantes de {place} en regularización, idioma y empleo.",
        ),
    ),
    "apr": ActorType(
        "Comité de Agua Potable Rural {}",
        "community",
        legal_form=COMMUNITY_FUNCTIONAL,
        themes=("medio-ambiente", "transicion-ecologica", "salud"),
        sizes=("50-249",),
        founded=(1975, 2005),
        power=(2, 4),
        descriptions=("Administra el sistema de agua potable rural de {place} en plena sequía.",),
    ),
    "grupo": ActorType(
        "{}",
        "community",
        kind="informal_group",
        themes=("transicion-social", "medio-ambiente", "seguridad", "infancia"),
        sizes=("1-9", "10-49"),
        founded=(2015, 2024),
        power=(1, 2),
        descriptions=(
            "Grupo de vecinas y vecinos de {place} sin personalidad jurídica, organizado por"
            " WhatsApp y reuniones en la plaza.",
            "Iniciativa autogestionada nacida en la pandemia en {place}.",
        ),
    ),
    "municipal": ActorType(
        "{}",
        "public",
        legal_form="Órgano municipal",
        themes=("transicion-democratica", "vivienda", "seguridad"),
        sizes=("50-249", "250+"),
        founded=(1960, 2010),
        power=(4, 5),
        interest=(2, 4),
        descriptions=(
            "Departamento municipal que atiende a las organizaciones de {place}.",
            "Unidad municipal a cargo de los programas sociales y territoriales en {place}.",
        ),
        funder=True,
        hub=True,
    ),
    "cesfam": ActorType(
        "CESFAM {}",
        "public",
        legal_form="Establecimiento de atención primaria de salud",
        themes=("salud", "personas-mayores", "infancia"),
        sizes=("50-249",),
        founded=(1995, 2015),
        power=(3, 4),
        interest=(2, 4),
        descriptions=(
            "Centro de salud familiar que atiende a la población inscrita de {place}; promueve"
            " la salud comunitaria con las organizaciones del sector.",
        ),
        hub=True,
    ),
    "liceo": ActorType(
        "{}",
        "public",
        legal_form="Establecimiento educacional",
        themes=("educacion", "infancia", "transicion-digital"),
        sizes=("50-249", "250+"),
        founded=(1950, 2012),
        power=(2, 4),
        descriptions=(
            "Establecimiento público con proyecto educativo abierto a la comunidad de {place}.",
        ),
    ),
    "empresa": ActorType(
        "{}",
        "private",
        legal_form="Sociedad por Acciones (SpA)",
        themes=("empleo", "transicion-ecologica"),
        sizes=("10-49", "50-249", "1-9"),
        founded=(1980, 2022),
        power=(2, 4),
        interest=(1, 3),
        descriptions=(
            "Empresa local de {place} que contrata a vecinas y vecinos del sector.",
            "Pyme de {place} con programa de responsabilidad social en el barrio.",
        ),
    ),
    "fundacion": ActorType(
        "Fundación {}",
        "third_sector",
        legal_form="Fundación sin fines de lucro",
        themes=("transicion-social", "infancia", "educacion"),
        sizes=("10-49", "50-249"),
        founded=(1990, 2020),
        power=(3, 4),
        interest=(4, 5),
        descriptions=(
            "Fundación que acompaña procesos de desarrollo comunitario en {place}.",
            "Financia y asesora proyectos de organizaciones de base en {place}.",
        ),
        funder=True,
        hub=True,
    ),
    "ong": ActorType(
        "ONG {}",
        "third_sector",
        legal_form="Corporación sin fines de lucro",
        themes=("transicion-social", "vivienda", "migracion"),
        sizes=("10-49",),
        founded=(1985, 2020),
        power=(2, 3),
        descriptions=("Organización no gubernamental con presencia territorial en {place}.",),
    ),
    "cooperativa": ActorType(
        "Cooperativa {}",
        "third_sector",
        legal_form="Cooperativa (Ley General de Cooperativas)",
        themes=("empleo", "transicion-ecologica", "transicion-social"),
        sizes=("10-49", "1-9"),
        founded=(2000, 2023),
        descriptions=(
            "Cooperativa de trabajo de {place} que une economía local y cuidado del entorno.",
        ),
    ),
    "academia": ActorType(
        "{}",
        "academia",
        legal_form="Institución de educación superior",
        themes=("educacion", "transicion-digital", "transicion-democratica"),
        sizes=("250+", "50-249"),
        founded=(1950, 2005),
        power=(3, 4),
        interest=(3, 4),
        descriptions=(
            "Realiza investigación aplicada y prácticas profesionales con organizaciones de"
            " {place}.",
        ),
        hub=True,
    ),
    "internacional": ActorType(
        "{}",
        "international",
        legal_form="Organismo de cooperación",
        themes=("transicion-social", "transicion-ecologica", "transicion-democratica"),
        sizes=("10-49", "50-249"),
        founded=(1975, 2015),
        power=(3, 5),
        interest=(2, 4),
        descriptions=("Apoya con cooperación técnica y financiera a iniciativas en {place}.",),
        funder=True,
    ),
}

CATALAN_TYPES: dict[str, ActorType] = {
    "ateneu": ActorType(
        "Ateneu {}",
        "community",
        legal_form="Associació",
        themes=("cultura", "transicion-democratica", "transicion-social"),
        sizes=("50-249", "10-49"),
        founded=(1900, 2015),
        power=(2, 3),
        descriptions=(
            "Espai associatiu i cultural de {place}, gestionat per la comunitat des de fa dècades.",
            "Ateneu popular de {place} amb tallers, teatre i una cooperativa de consum.",
        ),
        hub=True,
    ),
    "veins": ActorType(
        "Associació de Veïns i Veïnes {}",
        "community",
        legal_form="Associació",
        themes=("vivienda", "seguridad", "transicion-democratica"),
        sizes=("50-249", "10-49"),
        founded=(1970, 2010),
        power=(2, 3),
        descriptions=(
            "Defensa els interessos del veïnat de {place} i organitza la festa major del barri.",
        ),
    ),
    "casal": ActorType(
        "Casal {}",
        "community",
        legal_form="Associació",
        themes=("infancia", "cultura", "personas-mayores"),
        sizes=("10-49",),
        founded=(1980, 2018),
        descriptions=("Casal obert de {place} amb activitats per a totes les edats.",),
    ),
    "collectiu": ActorType(
        "{}",
        "community",
        kind="informal_group",
        themes=("transicion-ecologica", "transicion-social", "migracion"),
        sizes=("1-9", "10-49"),
        founded=(2012, 2024),
        power=(1, 2),
        descriptions=(
            "Col·lectiu informal de {place} que es troba cada setmana a la plaça.",
            "Xarxa veïnal autogestionada de {place}, sense forma jurídica.",
        ),
    ),
    "federacio": ActorType(
        "{}",
        "third_sector",
        legal_form="Federació d'associacions",
        themes=("transicion-social", "transicion-democratica"),
        sizes=("10-49",),
        founded=(1985, 2012),
        power=(3, 4),
        interest=(4, 5),
        descriptions=(
            "Federació que agrupa entitats socials de {place} i les representa davant"
            " l'administració.",
        ),
        hub=True,
    ),
    "cooperativa": ActorType(
        "{} SCCL",
        "third_sector",
        legal_form="Cooperativa de treball (SCCL)",
        themes=("empleo", "transicion-ecologica", "transicion-digital"),
        sizes=("10-49", "1-9"),
        founded=(1995, 2022),
        descriptions=(
            "Cooperativa de treball de {place} dedicada a l'economia social i solidària.",
            "Cooperativa de {place} que ofereix serveis compartits a altres entitats.",
        ),
    ),
    "fundacio": ActorType(
        "Fundació {}",
        "third_sector",
        legal_form="Fundació privada",
        themes=("transicion-social", "migracion", "infancia"),
        sizes=("50-249", "10-49"),
        founded=(1960, 2015),
        power=(3, 4),
        interest=(4, 5),
        descriptions=(
            "Fundació d'acció social que treballa amb famílies vulnerables de {place}.",
            "Fundació que finança projectes comunitaris i de cooperació des de {place}.",
        ),
        funder=True,
        hub=True,
    ),
    "ongd": ActorType(
        "{}",
        "international",
        legal_form="ONGD (associació)",
        themes=("transicion-social", "transicion-ecologica", "migracion"),
        sizes=("10-49", "1-9"),
        founded=(1986, 2015),
        power=(2, 3),
        interest=(4, 5),
        descriptions=(
            "ONG de desenvolupament de {place} amb projectes a l'Amèrica Llatina i l'Àfrica"
            " Occidental.",
            "Organització de cooperació de {place} centrada en sobirania alimentària i gènere.",
        ),
        funder=True,
        hub=True,
    ),
    "ajuntament": ActorType(
        "{}",
        "public",
        legal_form="Administració local",
        themes=("transicion-democratica", "transicion-social"),
        sizes=("50-249",),
        founded=(1979, 2000),
        power=(4, 5),
        interest=(2, 4),
        descriptions=(
            "Servei municipal de {place} que impulsa la cooperació i el teixit associatiu.",
        ),
        funder=True,
        hub=True,
    ),
    "universitat": ActorType(
        "{}",
        "academia",
        legal_form="Centre universitari",
        themes=("educacion", "transicion-digital", "transicion-ecologica"),
        sizes=("50-249",),
        founded=(1970, 2010),
        power=(3, 4),
        interest=(3, 4),
        descriptions=("Grup de recerca de {place} que estudia les transicions als territoris.",),
        hub=True,
    ),
    "empresa": ActorType(
        "{}",
        "private",
        legal_form="Societat limitada (SL)",
        themes=("transicion-digital", "empleo", "transicion-ecologica"),
        sizes=("10-49", "1-9"),
        founded=(1995, 2022),
        power=(2, 3),
        interest=(1, 3),
        descriptions=("Empresa de {place} compromesa amb l'economia de proximitat.",),
    ),
}

# Partners abroad of the Catalan program: Spanish names (French in Senegal), Spanish text.
PARTNER_TYPES: dict[str, ActorType] = {
    "socio_comunitario": ActorType(
        "{}",
        "community",
        legal_form="Organización de base",
        themes=("transicion-social", "transicion-ecologica", "empleo"),
        sizes=("10-49", "50-249"),
        founded=(1985, 2020),
        power=(2, 3),
        interest=(4, 5),
        descriptions=(
            "Organización de base de {place}, socia local de proyectos de cooperación.",
            "Agrupa a productoras y productores de {place} en torno a la economía solidaria.",
        ),
    ),
    "socio_ong": ActorType(
        "{}",
        "third_sector",
        legal_form="Organización no gubernamental",
        themes=("transicion-social", "transicion-democratica", "migracion"),
        sizes=("10-49",),
        founded=(1980, 2015),
        power=(2, 4),
        interest=(4, 5),
        descriptions=("ONG de {place} que ejecuta proyectos con entidades catalanas.",),
        hub=True,
    ),
    "socio_publico": ActorType(
        "{}",
        "public",
        legal_form="Gobierno local",
        themes=("transicion-democratica", "medio-ambiente"),
        sizes=("50-249",),
        founded=(1970, 2005),
        power=(4, 5),
        interest=(2, 4),
        descriptions=("Gobierno local de {place}, contraparte pública de la cooperación.",),
    ),
    "socio_academia": ActorType(
        "{}",
        "academia",
        legal_form="Universidad",
        themes=("educacion", "transicion-ecologica"),
        sizes=("250+",),
        founded=(1950, 2000),
        power=(3, 4),
        interest=(3, 4),
        descriptions=("Unidad académica de {place} que acompaña los proyectos con investigación.",),
    ),
}


@dataclass(frozen=True)
class Group:
    """Actors of one territory of a program: they tie mostly among themselves (bonding)."""

    key: str
    place: str  # where most of its actors are based
    label: str  # how descriptions name the place
    actors: dict[str, str]  # type key -> names separated by "|"
    based_elsewhere: dict[str, str] = field(default_factory=dict)  # type -> place slug


BARRIOS_EN_RED_GROUPS: tuple[Group, ...] = (
    Group(
        "bajos-de-mena",
        "bajos-de-mena",
        "Bajos de Mena",
        {
            "jjvv": "Villa Los Aromos del Sur|Cerro Morado|El Peñón Alto|Las Azaleas de Mena"
            "|Nuevo Amanecer|Altos del Maipo|Los Quillayes Poniente|Villa San Ramón de Mena"
            "|Villa El Volcán Poniente|Parque Sur Andino",
            "club_deportivo": "Unión Mena|Estrella Cordillerana|Juventud Las Azaleas"
            "|Halcones del Sur|Cerro Morado|Racing Mena",
            "centro_madres": "Renacer de Mena|Las Camelias|Manos Creadoras",
            "comite_vivienda": "Techo Digno|Sueño Propio|Nueva Mena|Familias Unidas del Sur",
            "cultural": "Mena Pinta|Raíz del Sur|Folclor Cordillera|Hip Hop Sur Consciente",
            "adulto_mayor": "Años Dorados|Alegría de Vivir|Los Robles de Mena",
            "grupo": "Olla Común Las Azaleas|Huerta Comunitaria Cerro Morado"
            "|Red de Cuidados de Mena|Colectivo Juvenil La Esquina"
            "|Brigada Vecinal de Reciclaje|Mamás en Red Altos del Maipo",
            "municipal": "Oficina Territorial Bajos de Mena|Dirección de Desarrollo Comunitario"
            " de Puente Alto|Oficina Comunal de Vivienda de Puente Alto|Departamento de Medio"
            " Ambiente de Puente Alto|Oficina de Deportes de Puente Alto",
            "cesfam": "Cordillera Sur|Villa Los Aromos",
            "liceo": "Liceo Técnico Los Andes del Sur|Escuela Básica Cerro Morado"
            "|Jardín Infantil Semillitas de Mena",
            "empresa": "Panadería La Espiga de Mena|Ferretería El Maestro Sur"
            "|Constructora Horizonte Andino SpA|Transportes Cordillera Ltda.",
            "fundacion": "Hogar de Barrio|Puentes para la Infancia",
            "ong": "Mena Educa|Vínculo Territorial",
            "cooperativa": "de Reciclaje Mena Limpia",
        },
        based_elsewhere={
            "municipal": "puente-alto",
        },
    ),
    Group(
        "san-bernardo",
        "san-bernardo",
        "San Bernardo",
        {
            "jjvv": "Población Lo Herrera Norte|Villa El Olivo|Población Santa Marta"
            "|Villa Los Presidentes del Maipo|Población El Manzano|Villa Nos Oriente"
            "|Población Calderón Sur|Villa Las Acacias de Nos",
            "club_deportivo": "Maestranza Unido|Juvenil El Olivo|Atlético Nos|Estrella de Nos"
            "|Lo Herrera Juniors",
            "centro_madres": "Las Violetas|Flor del Maipo",
            "comite_vivienda": "Esperanza de Nos|Un Techo para Calderón",
            "cultural": "Casa del Folclor Sanbernardino|Teatro en la Maestranza"
            "|Cueca Brava del Maipo",
            "adulto_mayor": "Renacer de Nos|Los Años Felices",
            "migrantes": "Hermanos sin Fronteras de San Bernardo",
            "grupo": "Feria Libre Calderón Organizada|Huerto El Olivo|Colectivo Ciclista Nos"
            "|Voluntariado Maestranza|Comparsa Maestranza",
            "municipal": "Dirección de Desarrollo Comunitario de San Bernardo|Oficina de"
            " Organizaciones Comunitarias de San Bernardo|Oficina de Fomento Productivo de San"
            " Bernardo|Oficina de Seguridad Pública de San Bernardo",
            "cesfam": "El Manzano|Nos Sur",
            "liceo": "Liceo Industrial Maestranza|Escuela Básica Villa El Olivo",
            "empresa": "Metalúrgica Río Maipo SpA|Alimentos Nos Ltda.|Logística Lo Herrera SpA"
            "|Imprenta Sanbernardina|Panificadora El Olivo Ltda.",
            "fundacion": "Raíces del Maipo|Ruta Maipo",
            "ong": "Juventud Activa del Maipo",
            "cooperativa": "de Trabajo Manos del Maipo|de Ahorro y Crédito Calderón",
        },
    ),
    Group(
        "la-ligua",
        "la-ligua",
        "La Ligua",
        {
            "jjvv": "Población Valle Hermoso|Villa Los Tejedores|Sector La Higuera"
            "|Población Pulmahue|Villa El Algarrobo|Población Santa Elena del Valle",
            "club_deportivo": "Unión Ligua|Los Tejedores|Rodeo Valle Hermoso|Pullally",
            "centro_madres": "Hilanderas de Valle Hermoso|Lanas del Valle",
            "cultural": "Tejedoras del Petorca|Teatro Campesino La Ligua|Cantoras del Valle",
            "adulto_mayor": "Flor de La Ligua|Recuerdos del Valle",
            "apr": "Valle Hermoso|La Higuera|Pullally Alto",
            "grupo": "Mesa Hídrica Ciudadana de La Ligua|Huertas Familiares del Valle"
            "|Colectivo Semillas Libres|Red de Apicultores del Petorca"
            "|Mujeres Rurales de Longotoma",
            "municipal": "Dirección de Desarrollo Comunitario de La Ligua|Oficina Agrícola"
            " Comunal de La Ligua|Oficina de Turismo y Cultura de La Ligua",
            "cesfam": "Valle del Petorca",
            "liceo": "Liceo Agrícola del Valle|Escuela Rural Pullally Alto",
            "empresa": "Tejidos La Liguana SpA|Dulces de La Ligua Ltda.|Agrícola Los Litres SpA",
            "fundacion": "Agua Viva del Petorca",
            "ong": "Valle Sustentable",
            "migrantes": "Temporeros Unidos del Petorca",
            "cooperativa": "Campesina del Petorca|de Tejedoras La Ligua",
        },
    ),
    Group(
        "barrio-yungay",
        "barrio-yungay",
        "el Barrio Yungay",
        {
            "jjvv": "Barrio Yungay Poniente|Plaza Yungay|Cité Adriana Cousiño|Brasil Norte"
            "|Portales Sur|Esperanza Centro",
            "cultural": "Circo Yungay|Memoria de los Cités|Teatro de Barrio Libertad"
            "|Murgas de Yungay|Cineclub Yungay Sur",
            "comite_vivienda": "Cités Dignos|Conventillo Vivo|Vivienda en el Centro",
            "adulto_mayor": "Los Portales|Plaza Brasil",
            "migrantes": "Peruanos en Yungay|Kreyòl Santiago|Venezuela Solidaria Centro"
            "|Mujeres Migrantes de Yungay",
            "club_deportivo": "Yungay Básquet|Ajedrez Plaza Brasil",
            "grupo": "Asamblea Patrimonial de Yungay|Olla Común Libertad|Colectivo Bici Centro"
            "|Biblioteca Popular Los Cités|Huerta Plaza Yungay|Red de Cuidados de los Cités",
            "municipal": "Oficina de Barrios Patrimoniales de Santiago|Oficina Municipal de"
            " Migrantes de Santiago|Dirección de Desarrollo Comunitario de Santiago",
            "cesfam": "Centro Yungay",
            "liceo": "Liceo Barrio Yungay|Escuela Básica República de los Cités",
            "empresa": "Café Los Cités|Librería El Conventillo|Restaurante Sabores del Mundo"
            "|Taller de Restauración Patrimonial SpA",
            "ong": "Derechos Migrantes|Patrimonio Vivo",
            "fundacion": "Casa Abierta Yungay",
            "cooperativa": "de Vivienda Cités del Centro|Cultural La Palabra",
        },
        based_elsewhere={"municipal": "santiago"},
    ),
    Group(
        "transversal",
        "santiago",
        "la Región Metropolitana",
        {
            "fundacion": "Tejer Comunidad|Territorio Común|Futuro Compartido|Redes Vecinales",
            "academia": "Universidad Metropolitana del Pacífico|Universidad Andina de Ciencias"
            " Sociales|Instituto Profesional Los Andes Técnico|Centro de Estudios Urbanos"
            " del Sur|Escuela de Gobierno Local del Sur",
            "municipal": "División de Desarrollo Social del Gobierno Regional|Programa Regional"
            " de Organizaciones Sociales",
            "empresa": "Energía Solar Andina SpA|Banco Popular del Maipo|Supermercados del Valle"
            " SpA",
            "internacional": "Agencia Andina de Cooperación Urbana|Programa Barrios del Sur"
            " Global|Red Latinoamericana de Barrios",
            "ong": "Observatorio Ciudadano de Barrios|Red Nacional de Cooperativas"
            "|Ciudad Inclusiva",
        },
        based_elsewhere={"municipal": "region-metropolitana"},
    ),
)


TERRITORIOS_EN_TRANSICION_GROUPS: tuple[Group, ...] = (
    Group(
        "barcelona",
        "barcelona",
        "Barcelona",
        {
            "ateneu": "Popular de Nou Barris Nord|Raval Obert|de la Prosperitat"
            "|Cooperatiu de la Trinitat",
            "veins": "de Torre Baró Alta|del Raval Sud|de la Trinitat Nova Oest",
            "casal": "de Joves La Guineueta|de Gent Gran Porta Nord|de Barri Prosperitat Jove",
            "collectiu": "Xarxa d'Habitatge Raval|Horts Urbans de Nou Barris|Cuina Comunitària"
            " Sant Pau|Col·lectiu Migrant La Rambla Viva|Assemblea d'Habitatge de Nou Barris",
            "federacio": "Federació d'Entitats de Cooperació de Barcelona|Coordinadora"
            " d'Associacions del Raval|Federació de Cooperatives del Barcelonès",
            "cooperativa": "Teixit Digital|Ressò Comunicació|La Cistella Solidària"
            "|Energia Comuna|Serveis Comptables Coop",
            "fundacio": "Llavors del Barri|Pont Solidari|Terra i Futur",
            "ongd": "Agermanament Sud-Nord|Enginyeria per la Transició|Dones per la Sobirania"
            " Alimentària|Cooperació Andina Barcelona|Juristes pels Drets dels Pobles",
            "ajuntament": "Direcció de Justícia Global i Cooperació de Barcelona|Districte de Nou"
            " Barris — Serveis a les Persones|Districte de Ciutat Vella — Acció Comunitària",
            "universitat": "Grup de Recerca en Transicions Urbanes|Observatori de l'Economia"
            " Social|Càtedra de Cooperació i Territori",
            "empresa": "Programari Lliure del Sud SL|Arquitectura Participativa SL",
        },
        based_elsewhere={
            "ajuntament": "barcelona",
            "federacio": "barcelona",
            "universitat": "barcelona",
            "empresa": "barcelona",
        },
    ),
    Group(
        "comarques",
        "girona",
        "Catalunya",
        {
            "ateneu": "Cooperatiu de Sabadell|de Vic|Gironí del Barri Vell",
            "veins": "de Santa Eugènia de Ter|del Barri de la Mariola|de Sant Pere de Tarragona"
            "|del Barri Vell de Vic",
            "casal": "Obert de Lleida",
            "collectiu": "Plataforma per la Sobirania Energètica de Girona|Xarxa de Consum"
            " Responsable de Vic|Horta Comunitària del Segrià",
            "federacio": "Federació d'Entitats Solidàries de Girona|Coordinadora d'ONGD de"
            " Lleida|Xarxa de Municipis Cooperants",
            "cooperativa": "Serveis Compartits del Vallès|Agroecologia Segrià|Cooperativa"
            " Tèxtil de Sabadell|Assessoria Laboral Comuna|Cuidem Lleida",
            "fundacio": "Comunitat Oberta de Vic|Horitzons de Lleida",
            "ongd": "Solidaritat Gironina amb Casamance|Lleida per l'Equador|Agermanament"
            " Tarragona-Medellín|Vic Solidari",
            "ajuntament": "Regidoria de Cooperació de Girona|Regidoria de Cooperació de Lleida"
            "|Servei de Solidaritat de Sabadell|Regidoria de Ciutadania de Vic",
            "universitat": "Grup de Recerca en Ruralitats de Lleida|Institut d'Estudis"
            " Territorials de Girona",
            "empresa": "Tecnologia Comunitària Girona SL|Mobilitat Sostenible de Tarragona SL",
        },
    ),
    Group(
        "chile",
        "valparaiso",
        "Valparaíso y Concepción",
        {
            "socio_comunitario": "Cooperativa de Pescadores Caleta Sur|Junta de Vecinos Cerro"
            " Las Glicinas|Huerta Comunitaria Cerro Verde|Comité Ambiental Lenga Sur"
            "|Sindicato de Recolectoras de Algas de Lenga",
            "socio_ong": "Corporación Puerto Común|ONG Mar y Territorio|Centro Comunitario"
            " Biobío Solidario",
            "socio_publico": "Oficina de Cooperación Internacional de Valparaíso|Dirección de"
            " Medio Ambiente de Concepción",
            "socio_academia": "Escuela de Trabajo Social del Pacífico|Núcleo de Estudios"
            " Costeros del Biobío",
        },
    ),
    Group(
        "ecuador",
        "quito",
        "Quito y Cotacachi",
        {
            "socio_comunitario": "Asociación de Mujeres Kichwa Sumak Pacha|Red de Productores"
            " Agroecológicos de Imbabura|Comuna Urbana San Roque Alto|Caja Solidaria"
            " Cotacachi Runa|Mercado Solidario San Roque",
            "socio_ong": "Fundación Minga Andina|Corporación Quito Incluyente|Centro de"
            " Desarrollo Rural Imbabura",
            "socio_publico": "Dirección de Participación Ciudadana de Quito|Gobierno Autónomo"
            " Descentralizado de Cotacachi — Ambiente",
            "socio_academia": "Instituto de Saberes Andinos",
        },
    ),
    Group(
        "senegal",
        "pikine",
        "Pikine y Ziguinchor",
        {
            "socio_comunitario": "Groupement de Promotion Féminine de Pikine Est|Association des"
            " Jeunes Agriculteurs de Casamance|GIE des Transformatrices de Ziguinchor"
            "|Mutuelle de Santé de Thiaroye|Coopérative des Maraîchers de Pikine",
            "socio_ong": "ONG Jappo Développement|Association Kajoor Solidarité",
            "socio_publico": "Mairie de Pikine Est — Service social|Conseil départemental de"
            " Ziguinchor — Coopération",
            "socio_academia": "Laboratoire d'Études Rurales de Casamance",
        },
    ),
    Group(
        "colombia",
        "medellin",
        "Medellín y Popayán",
        {
            "socio_comunitario": "Asociación Campesina del Macizo Caucano|Corporación Cultural"
            " Ladera Viva|Junta de Acción Comunal Villa Esperanza|Colectivo de Memoria Barrio"
            " Alto|Red de Mujeres Tejedoras de Popayán",
            "socio_ong": "Corporación Tejido Urbano|Fundación Semillas del Cauca",
            "socio_publico": "Secretaría de Participación Ciudadana de Medellín|Alcaldía de"
            " Popayán — Desarrollo Social",
            "socio_academia": "Grupo de Estudios Territoriales del Cauca",
        },
    ),
)

# Where the actors of a group are based when it spans several places: the first place whose
# keywords appear in the actor's name, or else one of them at random.
PARTNER_PLACES: dict[str, tuple[str, ...]] = {
    "barcelona": ("nou-barris", "el-raval"),
    "comarques": ("girona", "lleida", "sabadell", "vic", "tarragona"),
    "chile": ("concepcion", "valparaiso"),
    "ecuador": ("cotacachi", "quito"),
    "senegal": ("ziguinchor", "pikine"),
    "colombia": ("popayan", "medellin"),
}
PLACE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "nou-barris": ("Nou Barris", "Torre Baró", "Trinitat", "Prosperitat", "Guineueta", "Porta"),
    "el-raval": ("Raval", "Sant Pau", "Rambla", "Ciutat Vella"),
    "girona": ("Girona", "Gironí", "Gironina", "Ter"),
    "lleida": ("Lleida", "Segrià", "Mariola"),
    "sabadell": ("Sabadell", "Vallès"),
    "vic": ("Vic",),
    "tarragona": ("Tarragona",),
    "concepcion": ("Concepción", "Biobío", "Lenga"),
    "valparaiso": ("Valparaíso", "Puerto", "Caleta", "Cerro", "Pacífico"),
    "cotacachi": ("Cotacachi", "Imbabura", "Kichwa"),
    "quito": ("Quito", "San Roque"),
    "ziguinchor": ("Ziguinchor", "Casamance"),
    "pikine": ("Pikine", "Thiaroye"),
    "popayan": ("Popayán", "Cauca", "Caucano"),
    "medellin": ("Medellín", "Ladera", "Barrio Alto", "Villa Esperanza"),
}


@dataclass(frozen=True)
class ProgramSpec:
    slug: str
    name: str
    description: str
    territories: tuple[str, ...]  # the program's own territories (Program.territories)
    groups: tuple[Group, ...]
    types: dict[str, ActorType]
    # New ties per cycle (cycles 1 to 3): the network grows as the program works.
    new_ties: tuple[int, int, int]
    # Share of bridging ties (across territories) per cycle: it rises as the program matures.
    bridging: tuple[float, float, float]
    people: int
    language: str  # "es" or "ca": the language of its people's posts and consent wording
    consent_text: str
    notes: dict[str, tuple[str, ...]]


BARRIOS_EN_RED = ProgramSpec(
    slug="barrios-en-red",
    name="Programa Barrios en Red",
    description=(
        "Programa de fortalecimiento comunitario de la Fundación Tejer Comunidad en cuatro"
        " territorios de Chile: Bajos de Mena (Puente Alto), San Bernardo, La Ligua y el Barrio"
        " Yungay (Santiago). En cada ciclo se forma un directorio local, se priorizan"
        " necesidades, se acuerda un plan de mejoramiento y se abre un fondo concursable."
        " Datos de demostración: organizaciones y personas ficticias en lugares reales."
    ),
    territories=("bajos-de-mena", "san-bernardo", "la-ligua", "barrio-yungay"),
    groups=BARRIOS_EN_RED_GROUPS,
    types=CHILE_TYPES,
    new_ties=(190, 265, 335),
    bridging=(0.12, 0.27, 0.42),
    people=50,
    language="es",
    consent_text=(
        "Doy mi consentimiento para que el Programa Barrios en Red registre mi género con fines"
        " estadísticos, que solo se informarán de forma agregada, conforme a la Ley 21.719 de"
        " protección de datos personales. Puedo retirarlo en cualquier momento."
    ),
    notes={
        "collaboration": (
            "Organizan juntos el operativo de limpieza del sector.",
            "Trabajan en la mesa de seguridad del barrio.",
            "Comparten la sede para talleres los fines de semana.",
            "Coorganizan la fiesta de la primavera.",
        ),
        "information": (
            "Se informan mutuamente de postulaciones a fondos.",
            "Comparten el grupo de difusión del sector.",
        ),
        "support": (
            "Se apoyaron durante la emergencia de invierno.",
            "Relación de confianza de larga data entre sus dirigencias.",
        ),
        "agreement": (
            "Convenio de colaboración firmado para el uso de espacios.",
            "Acuerdo de trabajo conjunto en el plan de mejoramiento.",
        ),
        "funding": (
            "Proyecto adjudicado en el fondo concursable del ciclo.",
            "Aporte para la reparación de la sede social.",
        ),
        "membership": ("Integra su directiva.",),
    },
)

TERRITORIOS_EN_TRANSICION = ProgramSpec(
    slug="territorios-en-transicion",
    name="Territorios en Transición",
    description=(
        "Programa de cooperación internacional de entidades sociales catalanas (Territoris en"
        " Transició) con organizaciones socias de Chile, Ecuador, Senegal y Colombia en torno a"
        " las cuatro transiciones: social, democrática, ecológica y digital. Agendas"
        " compartidas, misiones de estudio e intercooperación. Datos de demostración: entidades"
        " ficticias en lugares reales."
    ),
    territories=("catalunya", "valparaiso", "quito", "pikine", "medellin"),
    groups=TERRITORIOS_EN_TRANSICION_GROUPS,
    types={**CATALAN_TYPES, **PARTNER_TYPES},
    new_ties=(115, 165, 225),
    bridging=(0.15, 0.32, 0.48),
    people=30,
    language="ca",
    consent_text=(
        "Dono el meu consentiment perquè el programa Territoris en Transició registri el meu"
        " gènere amb finalitats estadístiques, que només es publicaran de forma agregada,"
        " d'acord amb el Reglament general de protecció de dades (RGPD). Puc retirar-lo en"
        " qualsevol moment."
    ),
    notes={
        "collaboration": (
            "Projecte conjunt de sobirania alimentària.",
            "Comparteixen l'espai de l'agenda social compartida.",
            "Col·laboren en la missió d'estudi de la transició energètica.",
        ),
        "information": (
            "Intercanvi d'experiències a la comunitat d'aprenentatge.",
            "Comparteixen informació sobre convocatòries de cooperació.",
        ),
        "support": ("Relació de confiança consolidada després de la missió d'estudi.",),
        "agreement": (
            "Conveni d'agermanament signat.",
            "Acord de serveis compartits de comptabilitat i assessoria laboral.",
        ),
        "funding": (
            "Subvenció de cooperació al desenvolupament.",
            "Finançament del consorci per a la licitació pública.",
        ),
        "membership": ("Entitat sòcia de la federació.",),
    },
)

DEMO_PROGRAMS: tuple[ProgramSpec, ...] = (BARRIOS_EN_RED, TERRITORIOS_EN_TRANSICION)
DEMO_PROGRAM_SLUGS: tuple[str, ...] = tuple(p.slug for p in DEMO_PROGRAMS)


# People: invented combinations of common first names and surnames.
CHILEAN_WOMEN = names(
    "María José|Carolina|Javiera|Paola|Rosa|Francisca|Marisol|Ximena|Daniela|Gloria|Patricia"
    "|Camila|Valentina|Juana|Yolanda|Fernanda|Catalina|Nelly|Ingrid|Lorena"
)
CHILEAN_MEN = names(
    "Juan Carlos|Luis|Cristián|Rodrigo|Manuel|Pedro|José Miguel|Felipe|Sergio|Héctor|Matías"
    "|Jorge|Mauricio|Víctor|Claudio|Raúl|Andrés|Patricio|Nelson|Tomás"
)
CHILEAN_SURNAMES = names(
    "González|Muñoz|Rojas|Díaz|Pérez|Soto|Contreras|Silva|Martínez|Sepúlveda|Morales"
    "|Rodríguez|López|Fuentes|Hernández|Torres|Araya|Flores|Espinoza|Valenzuela|Castillo"
    "|Tapia|Reyes|Gutiérrez|Castro|Pizarro|Álvarez|Vásquez|Sánchez|Fernández|Ramírez"
    "|Carrasco|Cortés|Herrera|Núñez|Jara|Vergara|Rivera|Figueroa|Riquelme"
)
CATALAN_WOMEN = names(
    "Montserrat|Núria|Laia|Mireia|Anna|Marta|Roser|Judit|Aina|Carla|Fatou|Aminata|Lucía"
    "|Gemma|Meritxell"
)
CATALAN_MEN = names(
    "Jordi|Pau|Oriol|Marc|Joan|Xavier|Albert|Ferran|Arnau|Pol|Moussa|Ibrahima|Carles|Sergi|Gerard"
)
CATALAN_SURNAMES = names(
    "Puig|Serra|Vila|Soler|Font|Pujol|Roca|Ferrer|Bosch|Sala|Casas|Riera|Vidal|Camps|Prat"
    "|Mas|Coll|Sarr|Diallo|Garriga|Oliveras|Comas|Vives|Badia|Costa"
)

SENEGALESE_WOMEN = names("Fatou|Aminata|Awa|Mariama|Khady|Ndeye|Coumba|Astou")
SENEGALESE_MEN = names("Moussa|Ibrahima|Mamadou|Cheikh|Ousmane|Abdoulaye|Modou|Pape")
SENEGALESE_SURNAMES = names("Diallo|Sarr|Ndiaye|Diop|Fall|Sow|Ba|Faye|Sène|Gueye|Mbaye|Cissé")
# Name pools by program language, or by group where a group's people are named otherwise.
PEOPLE_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "es": (CHILEAN_WOMEN, CHILEAN_MEN, CHILEAN_SURNAMES),
    "ca": (CATALAN_WOMEN, CATALAN_MEN, CATALAN_SURNAMES),
    "chile": (CHILEAN_WOMEN, CHILEAN_MEN, CHILEAN_SURNAMES),
    "ecuador": (CHILEAN_WOMEN, CHILEAN_MEN, CHILEAN_SURNAMES),
    "colombia": (CHILEAN_WOMEN, CHILEAN_MEN, CHILEAN_SURNAMES),
    "senegal": (SENEGALESE_WOMEN, SENEGALESE_MEN, SENEGALESE_SURNAMES),
}

POSTS = {
    "es": ("Presidencia", "Secretaría", "Tesorería", "Dirección", "Coordinación", "Vocalía"),
    "ca": ("Presidència", "Secretaria", "Tresoreria", "Direcció", "Coordinació", "Vocalia"),
}
MEMBER_ROLE = {"es": "Integrante", "ca": "Membre"}
# How a person's profile describes them, by language and by the sector of their organization.
PERSON_DESCRIPTIONS = {
    "es": {
        "community": (
            "Dirigencia de {org}; participa en la mesa territorial de {place}.",
            "Referente comunitario de {place}, integra {org}.",
        ),
        "other": (
            "Trabaja en {org} y en las redes de {place}.",
            "Integra el equipo de {org}; participa en la mesa territorial de {place}.",
        ),
    },
    "ca": {
        "community": (
            "Forma part de {org} i de l'agenda social compartida de {place}.",
            "Persona referent del teixit associatiu de {place}; participa a {org}.",
        ),
        "other": (
            "Treballa a {org} i participa en l'agenda social compartida.",
            "Forma part de l'equip de {org}.",
        ),
    },
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str  # a Role code, or "superuser"
    programs: tuple[str, ...]
    language: str = ""
    represents: str = ""  # name of the organization this user speaks for


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("superusuario@tejido.demo", "Sofía", "Benítez", "superuser", ()),
    DemoAccount(
        "admin@tejido.demo",
        "Andrea",
        "Lagos",
        "administrator",
        ("barrios-en-red", "territorios-en-transicion"),
    ),
    DemoAccount(
        "coordinacion@tejido.demo", "Camila", "Rebolledo", "coordinator", ("barrios-en-red",)
    ),
    DemoAccount(
        "coordinacio@tejido.demo",
        "Laia",
        "Ferrer",
        "coordinator",
        ("territorios-en-transicion",),
        language="ca",
    ),
    DemoAccount(
        "directorio@tejido.demo", "Héctor", "Valdivia", "directorate_member", ("barrios-en-red",)
    ),
    DemoAccount(
        "organizacion@tejido.demo",
        "Rosa",
        "Quiroz",
        "organization_representative",
        ("barrios-en-red",),
        represents="Junta de Vecinos Villa Los Aromos del Sur",
    ),
    DemoAccount("evaluacion@tejido.demo", "Tomás", "Aravena", "evaluator", ("barrios-en-red",)),
)
DEMO_EMAILS: tuple[str, ...] = tuple(a.email for a in DEMO_ACCOUNTS)
