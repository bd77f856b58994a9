"""The demo's knowledge library: about three hundred reports, interviews, guides, tools and
datasets written by the program's organizations, mostly in Spanish, many in Catalan and a few in
English, about the program's themes and the four transitions.

Texts are put together from phrase templates so that they vary and are worth searching (with
inflected forms: organización/organizaciones, vecino/vecinas, organització/organitzacions). Most
items are public, some for members only, a few still drafts. A handful carry a real small PDF
and one a CSV dataset; some have links. Rows are written in bulk and indexed for search once.
"""

from __future__ import annotations

import datetime
import io
import math
import random
import wave
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme
from tejido.learning import search
from tejido.learning.library import services
from tejido.learning.models import (
    ItemKind,
    ItemLink,
    LibraryItem,
    Licence,
    PublicationStatus,
    Visibility,
)

ITEM_COUNT = 300
PDF_ITEMS = 6

# (Spanish, Catalan) phrasing of a topic, and the transition it belongs to ("" for none).
TOPICS: list[tuple[str, str, str]] = [
    ("la gestión comunitaria del agua", "la gestió comunitària de l'aigua", "ecological"),
    ("las huertas urbanas", "els horts urbans", "ecological"),
    (
        "el reciclaje y los residuos del barrio",
        "el reciclatge i els residus del barri",
        "ecological",
    ),
    ("la energía comunitaria", "l'energia comunitària", "ecological"),
    ("la brecha digital de las personas mayores", "la bretxa digital de la gent gran", "digital"),
    (
        "la alfabetización digital de dirigentes",
        "l'alfabetització digital de les entitats",
        "digital",
    ),
    ("las radios comunitarias", "les ràdios comunitàries", "digital"),
    ("los presupuestos participativos", "els pressupostos participatius", "democratic"),
    ("la participación de las juventudes", "la participació del jovent", "democratic"),
    ("los consejos vecinales", "els consells de barri", "democratic"),
    ("el cuidado de las personas mayores", "les cures a la gent gran", "social"),
    ("la vivienda y los campamentos", "l'habitatge cooperatiu", "social"),
    ("la economía solidaria", "l'economia social i solidària", "social"),
    ("la prevención de la violencia de género", "la prevenció de la violència masclista", "social"),
    ("la cultura y el patrimonio local", "la cultura i el patrimoni local", ""),
    ("el deporte y la recreación", "l'esport i el lleure", ""),
]

TRANSITION_ES = {
    "ecological": "ecológica",
    "digital": "digital",
    "democratic": "democrática",
    "social": "social",
}
TRANSITION_CA = {
    "ecological": "ecològica",
    "digital": "digital",
    "democratic": "democràtica",
    "social": "social",
}

TITLES_ES: dict[str, list[str]] = {
    ItemKind.REPORT: [
        "Informe de capital social del territorio {place}",
        "Diagnóstico participativo sobre {topic} en {place}",
        "Mapa de actores de {place}: organizaciones y vínculos",
        "Evaluación del fondo concursable {year} en {place}",
        "Cómo llega la transición {transition} a {place}",
        "Balance del trabajo en red de las organizaciones de {place}",
    ],
    ItemKind.INTERVIEW: [
        "Entrevista a la presidenta de {org}",
        "Entrevista al tesorero de {org} sobre {topic}",
        "Conversación con dirigentas vecinales de {place}",
        "Entrevista a la coordinadora de {org} sobre {topic}",
    ],
    ItemKind.GUIDE: [
        "Guía para formular proyectos comunitarios",
        "Guía práctica sobre {topic}",
        "Manual de {topic} para organizaciones de base",
        "Cómo preparar una asamblea de socios y socias",
        "Guía de rendición de cuentas para juntas de vecinos",
    ],
    ItemKind.TOOL: [
        "Plantilla de acta de asamblea",
        "Plantilla de acta de reunión del directorio local",
        "Matriz de priorización de necesidades del barrio",
        "Ficha de inscripción de organizaciones",
        "Pauta de entrevista para diagnósticos sobre {topic}",
    ],
    ItemKind.DATASET: [
        "Catastro de organizaciones de {place}",
        "Encuesta de vínculos entre organizaciones {year}",
        "Registro de participación en escuelas de líderes {year}",
        "Indicadores de {topic} en {place}",
    ],
}
TITLES_CA: dict[str, list[str]] = {
    ItemKind.REPORT: [
        "Informe de capital social del territori {place}",
        "Diagnosi participativa sobre {topic} a {place}",
        "Mapa d'actors de {place}: entitats i vincles",
        "Com arriba la transició {transition} a {place}",
    ],
    ItemKind.INTERVIEW: [
        "Entrevista a la presidenta de {org}",
        "Conversa amb les veïnes de {place} sobre {topic}",
    ],
    ItemKind.GUIDE: [
        "Guia per formular projectes comunitaris",
        "Guia pràctica sobre {topic}",
        "Com preparar l'assemblea de sòcies i socis",
    ],
    ItemKind.TOOL: [
        "Plantilla d'acta d'assemblea",
        "Matriu de priorització de necessitats del barri",
    ],
    ItemKind.DATASET: [
        "Cens d'organitzacions de {place}",
        "Enquesta de vincles entre entitats {year}",
    ],
}
TITLES_EN: dict[str, list[str]] = {
    ItemKind.REPORT: ["Social capital in {place}: a community report"],
    ItemKind.INTERVIEW: ["Interview with the chair of {org}"],
    ItemKind.GUIDE: ["A practical guide to {topic_en}"],
    ItemKind.TOOL: ["Meeting minutes template for neighbourhood councils"],
    ItemKind.DATASET: ["Survey of ties between organizations, {year}"],
}

ABSTRACT_ES = [
    "Este documento describe cómo las organizaciones vecinales de {place} trabajan en red en "
    "torno a {topic}.",
    "Participaron {n} organizaciones y más de {m} vecinos y vecinas en talleres, entrevistas y "
    "recorridos por el barrio.",
    "Se identifican los vínculos más fuertes entre la junta de vecinos, los clubes deportivos, "
    "los centros de madres y el municipio, y las brechas que quedan por cerrar.",
    "Recoge lo aprendido por {org} y propone pasos concretos para el próximo ciclo del programa.",
    "Está pensado para dirigentes con poco tiempo: cada sección cabe en una página.",
    "Incluye recomendaciones para que cada organización comunitaria se sume a la mesa territorial.",
]
ABSTRACT_CA = [
    "Aquest document explica com les entitats veïnals de {place} treballen en xarxa al voltant "
    "de {topic}.",
    "Hi van participar {n} organitzacions i més de {m} veïns i veïnes en tallers i entrevistes.",
    "Identifica els vincles més forts entre l'associació de veïns, els casals i l'ajuntament, i "
    "les mancances que encara cal resoldre.",
    "Recull l'experiència de {org} i proposa passos concrets per al proper cicle.",
    "Pensat per a persones voluntàries amb poc temps: cada apartat ocupa una pàgina.",
]
ABSTRACT_EN = [
    "This document describes how neighbourhood organizations in {place} work together on "
    "{topic_en}.",
    "{n} organizations and more than {m} residents took part in workshops and interviews.",
    "It closes with recommendations for the next cycle of the programme.",
]
BODY_ES = [
    "La organización comunitaria en {place} tiene una larga historia: las primeras juntas de "
    "vecinos se formaron hace décadas y hoy conviven con agrupaciones juveniles, clubes y "
    "comités de vivienda.",
    "En los talleres, las vecinas señalaron que {topic} es una prioridad, pero que falta "
    "coordinación entre las organizaciones y con el municipio.",
    "El mapa de actores muestra un núcleo denso de organizaciones que colaboran a menudo y "
    "varias organizaciones aisladas que solo se relacionan con la municipalidad.",
    "Las dirigentas y los dirigentes destacaron la confianza construida en la mesa "
    "territorial y la necesidad de renovar liderazgos.",
    "Se propone un calendario de encuentros, un fondo común para pequeñas iniciativas y una "
    "escuela de líderes abierta a todas las organizaciones del territorio.",
    "La transición {transition} aparece en prácticas concretas: compras conjuntas, uso "
    "compartido de sedes, registro de acuerdos y comunicación por radio y redes.",
    "Los datos se recogieron con consentimiento informado y se presentan solo en forma agregada.",
]
BODY_CA = [
    "L'organització comunitària a {place} té una llarga història: les primeres associacions "
    "de veïns conviuen avui amb casals de joves, clubs i cooperatives d'habitatge.",
    "Als tallers, les veïnes van assenyalar que {topic} és una prioritat, però que cal més "
    "coordinació entre les organitzacions i amb l'ajuntament.",
    "El mapa d'actors mostra un nucli dens d'entitats que col·laboren sovint i diverses "
    "organitzacions aïllades.",
    "Es proposa un calendari de trobades, un fons comú per a petites iniciatives i una escola "
    "de lideratge oberta a totes les entitats del territori.",
]
BODY_EN = [
    "Community organizing in {place} has a long history, from early neighbourhood councils to "
    "today's youth groups and housing committees.",
    "Residents said that {topic_en} is a priority, but that coordination between organizations "
    "and with the municipality is lacking.",
]
INTERVIEW_ES = [
    ("¿Cómo nació {org}?", "Nació cuando un grupo de vecinas decidió juntarse para {topic}."),
    (
        "¿Con qué organizaciones trabajan?",
        "Con la junta de vecinos, el club deportivo, la escuela y a veces con el municipio.",
    ),
    (
        "¿Qué aprendieron en el programa?",
        "A pedir ayuda a otras organizaciones y a rendir cuentas a nuestros vecinos.",
    ),
    (
        "¿Qué le diría a una dirigenta que empieza?",
        "Que no trabaje sola: el barrio se organiza mejor en red.",
    ),
]
INTERVIEW_CA = [
    ("Com va néixer {org}?", "Va néixer quan un grup de veïnes es va unir per treballar {topic}."),
    (
        "Amb quines organitzacions treballeu?",
        "Amb l'associació de veïns, l'escola, el casal i sovint amb l'ajuntament.",
    ),
    ("Què heu après?", "A treballar en xarxa i a compartir els recursos entre entitats."),
]
TOPICS_EN = [
    "community water management",
    "urban gardens",
    "digital inclusion",
    "participatory budgeting",
    "care for older people",
]

LINKS = [
    ("https://www.youtube.com/results?search_query=organizacion+comunitaria", "Video del taller"),
    ("https://creativecommons.org/licenses/by/4.0/deed.es", "Sobre la licencia"),
    ("https://www.ine.gob.cl/", "Datos del censo"),
    ("https://www.idescat.cat/", "Dades d'Idescat"),
]


@dataclass
class _Draft:
    item: LibraryItem
    authors: list[int] = field(default_factory=list)
    themes: list[int] = field(default_factory=list)
    territories: list[int] = field(default_factory=list)


def demo_library(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> list[LibraryItem]:
    """About three hundred library items of `program`, written in bulk and indexed once."""
    organizations = list(
        Actor.objects.filter(program=program).organizations().order_by("pk").only("pk", "name")
    )
    if not organizations:
        return []
    places = list(
        Territory.objects.filter(
            pk__in=Actor.objects.filter(program=program).values("territory_id")
        ).order_by("pk")
    ) or list(Territory.objects.order_by("pk")[:10])
    themes = list(Theme.objects.order_by("pk"))
    transitions = {t.transition: t for t in themes if t.transition}
    other_themes = [t for t in themes if not t.transition]

    drafts: list[_Draft] = []
    for index in range(ITEM_COUNT):
        drafts.append(
            _compose(
                index,
                program=program,
                coordinator=coordinator,
                today=today,
                rng=rng,
                organizations=organizations,
                places=places,
                transitions=transitions,
                other_themes=other_themes,
            )
        )
    items = LibraryItem.objects.bulk_create([d.item for d in drafts], batch_size=500)
    for draft, saved in zip(drafts, items, strict=True):
        draft.item = saved
    authors = LibraryItem.authors.through
    item_themes = LibraryItem.themes.through
    item_places = LibraryItem.territories.through
    authors.objects.bulk_create(
        [authors(libraryitem_id=d.item.pk, actor_id=pk) for d in drafts for pk in d.authors],
        batch_size=1000,
    )
    item_themes.objects.bulk_create(
        [item_themes(libraryitem_id=d.item.pk, theme_id=pk) for d in drafts for pk in d.themes],
        batch_size=1000,
    )
    item_places.objects.bulk_create(
        [
            item_places(libraryitem_id=d.item.pk, territory_id=pk)
            for d in drafts
            for pk in d.territories
        ],
        batch_size=1000,
    )
    ItemLink.objects.bulk_create(
        [
            ItemLink(item=d.item, url=url, label=label)
            for d in drafts
            if rng.random() < 0.2
            for url, label in [rng.choice(LINKS)]
        ]
    )
    _attach_files(items, coordinator=coordinator, rng=rng)
    search.reindex(items)
    return items


def _compose(
    index: int,
    *,
    program: Program,
    coordinator: Any,
    today: datetime.date,
    rng: random.Random,
    organizations: list[Actor],
    places: list[Territory],
    transitions: dict[str, Theme],
    other_themes: list[Theme],
) -> _Draft:
    roll = rng.random()
    language = "es" if roll < 0.68 else ("ca" if roll < 0.94 else "en")
    kind = rng.choices(
        [ItemKind.REPORT, ItemKind.INTERVIEW, ItemKind.GUIDE, ItemKind.TOOL, ItemKind.DATASET],
        weights=[34, 20, 18, 14, 14],
    )[0]
    topic_es, topic_ca, transition = rng.choice(TOPICS)
    transition = transition or rng.choice(list(TRANSITION_ES))
    place = rng.choice(places)
    authors = rng.sample(organizations, k=min(len(organizations), rng.choice([1, 1, 1, 2, 2, 3])))
    published = today - datetime.timedelta(days=rng.randint(5, 6 * 365))
    values = {
        "place": place.name,
        "org": authors[0].name,
        "year": published.year,
        "n": rng.randint(6, 48),
        "m": rng.randint(3, 40) * 10,
        "topic_en": rng.choice(TOPICS_EN),
    }
    if language == "ca":
        values |= {"topic": topic_ca, "transition": TRANSITION_CA[transition]}
        titles, abstracts, bodies, interview = TITLES_CA, ABSTRACT_CA, BODY_CA, INTERVIEW_CA
    elif language == "en":
        values |= {"topic": values["topic_en"], "transition": transition}
        titles, abstracts, bodies, interview = TITLES_EN, ABSTRACT_EN, BODY_EN, []
    else:
        values |= {"topic": topic_es, "transition": TRANSITION_ES[transition]}
        titles, abstracts, bodies, interview = TITLES_ES, ABSTRACT_ES, BODY_ES, INTERVIEW_ES
    title = rng.choice(titles[kind]).format(**values)
    title = title[0].upper() + title[1:]
    # The first sentence says what the item is about; two others, in their order, follow.
    rest = sorted(rng.sample(range(1, len(abstracts)), k=min(2, len(abstracts) - 1)))
    abstract = " ".join(abstracts[i].format(**values) for i in [0, *rest])
    if kind == ItemKind.INTERVIEW and interview:
        body = "\n\n".join(
            f"—{q.format(**values)}\n—{a.format(**values)}"
            for q, a in interview
            if q.startswith(("¿Cómo", "Com va")) or rng.random() < 0.8
        )
    else:
        paragraphs = rng.sample(bodies, k=min(len(bodies), rng.randint(2, 5)))
        body = "\n\n".join(p.format(**values) for p in paragraphs)
    if kind == ItemKind.DATASET:
        licence = rng.choice([Licence.ODBL, Licence.CC_BY, Licence.CC0])
    else:
        licence = rng.choices(
            [
                Licence.CC_BY,
                Licence.CC_BY_SA,
                Licence.CC_BY_NC,
                Licence.CC0,
                Licence.ALL_RIGHTS_RESERVED,
            ],
            weights=[50, 18, 18, 6, 8],
        )[0]
    status_roll = rng.random()
    status = PublicationStatus.DRAFT if status_roll < 0.04 else PublicationStatus.PUBLISHED
    visibility = Visibility.MEMBERS if rng.random() < 0.16 else Visibility.PUBLIC
    theme_ids = [transitions[transition].pk] if transition in transitions else []
    if other_themes and rng.random() < 0.7:
        theme_ids += [t.pk for t in rng.sample(other_themes, k=min(len(other_themes), 2))][
            : rng.randint(1, 2)
        ]
    if len(transitions) > 1 and rng.random() < 0.25:
        extra = rng.choice(list(transitions.values())).pk
        if extra not in theme_ids:
            theme_ids.append(extra)
    territory_ids = [place.pk]
    if len(places) > 1 and rng.random() < 0.3:
        other = rng.choice(places).pk
        if other != place.pk:
            territory_ids.append(other)
    item = LibraryItem(
        program=program,
        kind=kind,
        title=title[:300],
        abstract=abstract,
        body=body,
        language=language,
        licence=licence,
        published_on=published if status == PublicationStatus.PUBLISHED else None,
        visibility=visibility,
        status=status,
        created_by=coordinator,
    )
    return _Draft(
        item=item,
        authors=[a.pk for a in authors],
        themes=theme_ids,
        territories=territory_ids,
    )


def _pdf(title: str, text: str) -> bytes:
    """A one-page PDF with the item's title and abstract."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Tejido")
    document.build([Paragraph(title, styles["Title"]), Paragraph(text, styles["BodyText"])])
    return buffer.getvalue()


def _wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short, quiet tone: enough for the audio player to show and play."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        value = int(3000 * math.sin(2 * math.pi * 440 * n / rate))
        frames += value.to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def _attach(item: LibraryItem, name: str, content: bytes, *, coordinator: Any) -> None:
    upload = cast(UploadedFile, ContentFile(content, name=name))
    services.item_file_add(user=coordinator, item=item, upload=upload)


def _attach_files(items: list[LibraryItem], *, coordinator: Any, rng: random.Random) -> None:
    """Real small files through the service that checks them: PDFs, one interview's audio,
    one dataset."""
    published = [i for i in items if i.status == PublicationStatus.PUBLISHED]
    reports = [i for i in published if i.kind == ItemKind.REPORT]
    for item in reports[:PDF_ITEMS]:
        _attach(
            item, f"informe-{item.pk}.pdf", _pdf(item.title, item.abstract), coordinator=coordinator
        )
    interview = next((i for i in published if i.kind == ItemKind.INTERVIEW), None)
    if interview is not None:
        _attach(interview, "entrevista-fragmento.wav", _wav(), coordinator=coordinator)
    dataset = next((i for i in published if i.kind == ItemKind.DATASET), None)
    if dataset is not None:
        rows = ["organizacion,comuna,socias,fundada"]
        for n in range(12):
            rows.append(
                f"Junta de Vecinos N.º {n + 1},{rng.choice(['Renca', 'Lota', 'Coronel'])},"
                f"{rng.randint(20, 300)},{rng.randint(1965, 2020)}"
            )
        content = ("\n".join(rows) + "\n").encode()
        _attach(dataset, "catastro-organizaciones.csv", content, coordinator=coordinator)
