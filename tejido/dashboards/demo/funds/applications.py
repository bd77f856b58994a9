"""Demo: the applications to a call.

`demo_applications` has `count` organizations of the program, based in (or serving) the call's
territories, apply with realistic projects of their neighbourhood, each the one that suits the
organization best (its themes and the words of its name): plazas and murals,
community gardens, workshops, lighting and community safety, older people's clubs, youth
festivals and leagues. Each project has two to six budget lines (some with co-funding), its
beneficiaries, one or two plan objectives of the call (those of its own territory first), some
consortia of one or two partners with their letters of commitment, and, where the call asks
for it, a legal-status certificate: small PDFs generated here. Requests range over the call's
grant range, so that together they ask for more than the budget.

Everything goes through the services, each step at a moment inside the call's window (before
`today`): a closed call's applications were all submitted before it closed; in an open call the
last one is still a draft. In a closed call two applications fail eligibility: one applicant's
certificate had expired, and a coordinator admits it with a written justification (a renewed
certificate was handed in at the program's office); the other is left out (an applicant
outside the call's sectors when the directory has one, else another expired certificate).

The representative of each applicant is its own account when the directory has one (the
`organizacion@tejido.demo` account for its junta de vecinos, in the closed call) or one made for
the demo that cannot log in. Deterministic: a `random.Random` seeded with the call's short name.
"""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas

from tejido.accounts.models import ProgramRole, Role, User
from tejido.actors.models import Actor, Representative
from tejido.actors.services import representative_add
from tejido.core.models import Territory, Theme
from tejido.core.text import normalize_for_search
from tejido.funds.applications import services
from tejido.funds.models import Application, AttachmentKind, BudgetCategory, Call
from tejido.governance.models import Objective

# The same accounts the awards demo uses for grantees without one (they cannot log in).
DEMO_DOMAIN = "organizaciones.tejido.demo"
ORGANIZATION_ACCOUNT = "organizacion@tejido.demo"
OVERRIDE_JUSTIFICATION = (
    "La organización entregó en la oficina del programa su certificado de vigencia renovado,"
    " emitido antes del cierre; el registro en línea aún mostraba el anterior. Se revisó el"
    " original y se admite la postulación."
)

C = BudgetCategory


@dataclass(frozen=True)
class Line:
    category: str
    description: str
    weight: int  # share of the request, relative to the other lines
    co_funding: str = ""  # what the organization or others put in, described


@dataclass(frozen=True)
class Project:
    title: str  # "{place}" is the territory's name
    theme: str  # Theme slug
    summary: str
    problem: str
    activities: str
    lines: tuple[Line, ...]
    people: tuple[int, int]  # beneficiaries, from-to
    women: float = 0.55
    partner_roles: tuple[str, ...] = ()


NEIGHBOURHOOD_PROJECTS: tuple[Project, ...] = (
    Project(
        "Recuperemos la plaza de {place}",
        "cultura",
        "Vecinas y vecinos recuperan la plaza central con un mural participativo, juegos"
        " pintados y mobiliario nuevo, y la animan con actividades mensuales.",
        "La plaza está deteriorada: bancas rotas, basura acumulada y poca luz. Las familias"
        " dejaron de usarla y hoy es un punto de consumo de alcohol en las noches.",
        "Asamblea de diseño con el barrio; dos jornadas de limpieza; mural colectivo con una"
        " artista local; instalación de bancas y basureros; festival de inauguración y un"
        " calendario de actividades mensuales a cargo de una comisión de vecinos.",
        (
            Line(
                C.MATERIALS,
                "Pintura, rodillos y materiales para el mural",
                3,
                "Brochas y escaleras de la junta",
            ),
            Line(C.PERSONNEL, "Honorarios de la muralista y su ayudante", 3),
            Line(C.WORKS, "Bancas de hormigón y basureros instalados", 5),
            Line(C.DISSEMINATION, "Afiches, volantes y lienzo del festival", 1),
            Line(
                C.SERVICES,
                "Amplificación y escenario para la inauguración",
                1,
                "Aporte de la municipalidad",
            ),
        ),
        (250, 900),
        partner_roles=(
            "Convoca a las familias de la escuela y presta su patio para los talleres",
            "Coordina las jornadas de limpieza con sus socios",
        ),
    ),
    Project(
        "Huerto comunitario {place}",
        "medio-ambiente",
        "Un huerto comunitario en el sitio eriazo junto a la sede, con talleres de cultivo"
        " para familias, personas mayores y estudiantes.",
        "El sitio eriazo se convirtió en microbasural. El barrio no tiene áreas verdes"
        " cercanas y muchas familias quieren aprender a cultivar sus alimentos.",
        "Limpieza del terreno; cierre perimetral; construcción de diez bancales y riego por"
        " goteo; ocho talleres de huerto y compostaje; cosecha compartida y feria de semillas.",
        (
            Line(C.WORKS, "Cierre perimetral y bancales de madera", 4),
            Line(C.EQUIPMENT, "Sistema de riego por goteo y estanque", 3),
            Line(
                C.MATERIALS,
                "Tierra, compost, semillas y plantines",
                2,
                "Compost del programa municipal",
            ),
            Line(C.PERSONNEL, "Monitora de huerto para los talleres", 3),
            Line(C.EQUIPMENT, "Herramientas de jardinería", 1),
        ),
        (80, 300),
        women=0.62,
        partner_roles=(
            "Asesoría técnica en agroecología y compostaje",
            "Lleva a sus estudiantes a los talleres de los jueves",
        ),
    ),
    Project(
        "Pasajes iluminados y seguros en {place}",
        "seguridad",
        "Luminarias solares en los pasajes más oscuros y una red de vecinos que coordina la"
        " seguridad del sector con carabineros y la municipalidad.",
        "Los pasajes del sector quedan a oscuras de noche; vecinas relatan asaltos al volver"
        " del trabajo y niños que no salen a jugar.",
        "Diagnóstico nocturno con los vecinos; instalación de luminarias solares; alarmas"
        " comunitarias; formación de la red de vecinos; dos reuniones con la comisaría.",
        (
            Line(C.EQUIPMENT, "Luminarias solares con poste", 6),
            Line(C.EQUIPMENT, "Alarmas comunitarias con control remoto", 2),
            Line(C.SERVICES, "Instalación eléctrica certificada", 2),
            Line(C.DISSEMINATION, "Señalética y cartillas de la red de vecinos", 1),
        ),
        (300, 1200),
        partner_roles=("Coordina la red de vecinos con la comisaría",),
    ),
    Project(
        "Club de personas mayores activas de {place}",
        "personas-mayores",
        "Talleres semanales de actividad física, memoria y alfabetización digital para"
        " personas mayores, con paseos culturales y un encuentro intergeneracional.",
        "Muchas personas mayores del barrio viven solas y casi no salen de su casa; la sede"
        " no tiene equipamiento para recibirlas.",
        "Talleres de gimnasia suave y memoria dos veces por semana; curso de uso del celular"
        " con estudiantes del liceo; tres paseos culturales; encuentro de cierre con las"
        " familias.",
        (
            Line(C.PERSONNEL, "Kinesióloga y monitora de talleres", 4),
            Line(C.EQUIPMENT, "Colchonetas, bandas elásticas y sillas", 2),
            Line(C.TRAVEL, "Transporte para los paseos culturales", 2, "Bus de la municipalidad"),
            Line(C.MATERIALS, "Materiales de estimulación cognitiva", 1),
            Line(C.SERVICES, "Colaciones saludables", 1, "Aporte de las socias"),
        ),
        (40, 120),
        women=0.7,
        partner_roles=(
            "Deriva a personas mayores y acompaña con su equipo de salud",
            "Estudiantes enseñan el uso del celular",
        ),
    ),
    Project(
        "Escuela de oficios para mujeres de {place}",
        "empleo",
        "Cursos de gasfitería, electricidad básica y pintura para mujeres del barrio, con"
        " herramientas para comenzar a trabajar por cuenta propia.",
        "Muchas mujeres jefas de hogar buscan ingresos compatibles con el cuidado; los oficios"
        " del hogar se pagan bien y hay pocas maestras en el sector.",
        "Tres cursos de doce sesiones; práctica en viviendas del barrio; entrega de kits de"
        " herramientas; feria de servicios al final.",
        (
            Line(C.PERSONNEL, "Relatores de los tres oficios", 5),
            Line(C.EQUIPMENT, "Kits de herramientas para las egresadas", 4),
            Line(C.MATERIALS, "Materiales de práctica", 2),
            Line(C.SERVICES, "Cuidado infantil durante las clases", 1, "Voluntarias de la junta"),
        ),
        (25, 60),
        women=0.95,
        partner_roles=("Certifica los cursos y aporta relatores",),
    ),
    Project(
        "Sede abierta: equipamiento para {place}",
        "vivienda",
        "Mejoramos la sede vecinal (techumbre, baño accesible y cocina) para que reciba"
        " talleres, asambleas y celebraciones todo el año.",
        "La sede se llueve en invierno y no tiene baño accesible; las organizaciones del"
        " sector no tienen otro lugar de reunión.",
        "Reparación de la techumbre; baño accesible; equipamiento de la cocina; reglamento"
        " de uso compartido entre las organizaciones del sector.",
        (
            Line(C.WORKS, "Reparación de techumbre y canaletas", 5),
            Line(C.WORKS, "Baño accesible", 4),
            Line(C.EQUIPMENT, "Cocina, refrigerador y menaje", 2, "Cocina donada por un vecino"),
            Line(C.OTHER, "Reglamento y jornadas de uso compartido", 1),
        ),
        (200, 600),
    ),
    Project(
        "Convivencia y buen trato en {place}",
        "seguridad",
        "Mediación vecinal, talleres de buen trato y una mesa de convivencia que resuelve los"
        " conflictos del sector antes de que escalen.",
        "Los conflictos por ruidos, mascotas y estacionamientos terminan en peleas y"
        " denuncias; no hay un espacio para conversarlos.",
        "Formación de cinco mediadores vecinales; talleres de buen trato en los blocks;"
        " mesa de convivencia mensual; campaña de tenencia responsable de mascotas.",
        (
            Line(C.PERSONNEL, "Mediadora comunitaria y talleristas", 5),
            Line(C.DISSEMINATION, "Campaña de buen trato y tenencia responsable", 2),
            Line(C.SERVICES, "Operativo veterinario de esterilización", 2),
            Line(C.MATERIALS, "Materiales de los talleres", 1),
        ),
        (150, 500),
        partner_roles=("Operativo veterinario y charlas de tenencia responsable",),
    ),
    Project(
        "Memoria y patrimonio de {place}",
        "cultura",
        "Recopilamos la historia del barrio con sus primeras familias: un libro, una muestra"
        " fotográfica itinerante y recorridos patrimoniales.",
        "La historia de la toma y de la construcción del barrio se está perdiendo; los"
        " jóvenes no la conocen.",
        "Entrevistas a veinte vecinas y vecinos fundadores; digitalización de fotografías;"
        " edición e impresión del libro; muestra en la sede y en la escuela; tres recorridos.",
        (
            Line(C.PERSONNEL, "Investigadora y editora", 4),
            Line(C.SERVICES, "Diseño e impresión del libro", 4),
            Line(C.EQUIPMENT, "Paneles para la muestra itinerante", 2),
            Line(C.DISSEMINATION, "Lanzamiento y recorridos patrimoniales", 1),
        ),
        (300, 1500),
        partner_roles=("Acoge la muestra y trabaja la historia del barrio en clases",),
    ),
    Project(
        "Deporte en familia en la multicancha de {place}",
        "deporte",
        "Escuelas deportivas de fútbol, básquetbol y zumba en la multicancha, con un"
        " campeonato de familias al cierre.",
        "La multicancha está ocupada por grupos que consumen en la noche; niñas, niños y"
        " mujeres no tienen dónde hacer deporte.",
        "Tres escuelas deportivas semanales; arreglo de arcos y tableros; iluminación de la"
        " cancha; campeonato de familias con premiación.",
        (
            Line(C.PERSONNEL, "Monitores deportivos", 4),
            Line(C.EQUIPMENT, "Balones, petos, conos y arcos", 2),
            Line(C.WORKS, "Reparación de tableros y pintura de la cancha", 3),
            Line(C.OTHER, "Premiación y colaciones del campeonato", 1, "Aporte del comercio local"),
        ),
        (120, 400),
        women=0.48,
        partner_roles=("Presta monitores y organiza el campeonato",),
    ),
    Project(
        "Reciclaje y puntos limpios en {place}",
        "medio-ambiente",
        "Tres puntos limpios en el sector y educación puerta a puerta para separar residuos;"
        " lo recolectado financia actividades de la junta.",
        "Microbasurales en las esquinas y ningún punto de reciclaje a menos de dos kilómetros.",
        "Instalación de tres puntos limpios; monitores ambientales puerta a puerta; acuerdo"
        " con una recicladora de base; talleres en la escuela.",
        (
            Line(C.EQUIPMENT, "Contenedores de los puntos limpios", 4),
            Line(C.PERSONNEL, "Monitores ambientales", 3),
            Line(C.DISSEMINATION, "Material educativo y señalética", 1),
            Line(C.SERVICES, "Retiro inicial de microbasurales", 2, "Camión municipal"),
        ),
        (400, 1500),
        partner_roles=("Recicladora de base: retira y valoriza lo recolectado",),
    ),
    Project(
        "Apoyo escolar en la sede de {place}",
        "educacion",
        "Reforzamiento escolar por las tardes con voluntarios universitarios, biblioteca"
        " comunitaria y acompañamiento a las familias.",
        "Muchos niños se quedan solos en la tarde y sus notas bajaron después de la"
        " pandemia; las familias no pueden pagar clases particulares.",
        "Reforzamiento tres tardes por semana; biblioteca con quinientos libros; talleres para"
        " apoderados; colación diaria.",
        (
            Line(C.PERSONNEL, "Coordinadora pedagógica", 4),
            Line(C.MATERIALS, "Libros y material escolar", 2, "Donación de la editorial"),
            Line(C.SERVICES, "Colaciones", 2),
            Line(C.EQUIPMENT, "Computadores e impresora", 2),
        ),
        (40, 150),
        partner_roles=(
            "Voluntarios universitarios de pedagogía",
            "Deriva estudiantes y comparte los avances",
        ),
    ),
    Project(
        "Salud mental comunitaria en {place}",
        "salud",
        "Grupos de apoyo, talleres de autocuidado y una red de vecinas formadas en primeros"
        " auxilios psicológicos, en alianza con el CESFAM.",
        "Las listas de espera en salud mental son largas; el barrio vivió duelos y"
        " violencia y no hay espacios de contención.",
        "Formación de quince monitoras en primeros auxilios psicológicos; ocho grupos de"
        " apoyo; talleres de autocuidado para cuidadoras; derivación coordinada al CESFAM.",
        (
            Line(C.PERSONNEL, "Psicóloga comunitaria", 5),
            Line(C.MATERIALS, "Materiales de los talleres", 1),
            Line(C.SERVICES, "Colaciones de los grupos", 1, "Aporte de la parroquia"),
            Line(C.DISSEMINATION, "Cartilla de la red de apoyo", 1),
        ),
        (60, 200),
        women=0.75,
        partner_roles=("Equipo de salud mental: formación y derivación",),
    ),
)

YOUTH_PROJECTS: tuple[Project, ...] = (
    Project(
        "Festival de música joven de {place}",
        "cultura",
        "Un festival hecho por jóvenes del barrio: talleres de producción musical, ensayos"
        " abiertos y un escenario para las bandas locales.",
        "Las bandas del sector ensayan en casas, sin equipos, y no tienen dónde tocar.",
        "Taller de producción y sonido; ensayos abiertos en la sede; festival de un día con"
        " ocho bandas; grabación de un disco colectivo.",
        (
            Line(C.SERVICES, "Arriendo de escenario y amplificación", 4),
            Line(C.PERSONNEL, "Productor musical para los talleres", 3),
            Line(C.EQUIPMENT, "Micrófonos y mesa de sonido", 2),
            Line(C.DISSEMINATION, "Difusión en redes y afiches", 1),
        ),
        (200, 800),
        women=0.5,
        partner_roles=("Presta la sede para los ensayos",),
    ),
    Project(
        "Liga de básquetbol 3x3 de {place}",
        "deporte",
        "Una liga de básquetbol 3x3 organizada por jóvenes, con equipos mixtos y arbitraje"
        " formado en el barrio.",
        "Los jóvenes pasan las tardes sin actividades; la cancha está subutilizada.",
        "Curso de arbitraje; doce fechas de liga; clínica con un jugador profesional; final"
        " con premiación.",
        (
            Line(C.EQUIPMENT, "Balones, tableros y relojes", 3),
            Line(C.PERSONNEL, "Entrenador y árbitros", 3),
            Line(C.OTHER, "Premios y colaciones", 1),
        ),
        (60, 200),
        women=0.4,
    ),
    Project(
        "Audiovisual joven: el barrio en cortos",
        "cultura",
        "Jóvenes aprenden a filmar y editar con el celular y cuentan la historia del barrio"
        " en cinco cortometrajes.",
        "Los jóvenes del sector no se ven en los medios, salvo en la crónica roja.",
        "Taller de guion, cámara y edición; rodaje de cinco cortos; muestra al aire libre en"
        " la plaza.",
        (
            Line(C.PERSONNEL, "Realizadora audiovisual", 4),
            Line(C.EQUIPMENT, "Estabilizadores, micrófonos y luces", 2),
            Line(C.SERVICES, "Proyección al aire libre", 1),
        ),
        (30, 500),
        women=0.55,
    ),
    Project(
        "Brigada verde juvenil de {place}",
        "medio-ambiente",
        "Jóvenes forman una brigada que planta árboles, cuida las áreas verdes y enseña a"
        " reciclar en las escuelas.",
        "El sector tiene pocos árboles y las áreas verdes están abandonadas.",
        "Plantación de cien árboles; riego y cuidado durante el verano; charlas en tres escuelas.",
        (
            Line(C.MATERIALS, "Árboles, tutores y tierra de hoja", 3),
            Line(C.EQUIPMENT, "Herramientas y mangueras", 2),
            Line(C.OTHER, "Poleras y colaciones de la brigada", 1),
        ),
        (300, 1000),
    ),
    Project(
        "Emprendimientos juveniles de {place}",
        "empleo",
        "Una escuela de emprendimiento para jóvenes con capital semilla colectivo y una feria"
        " de productos del barrio.",
        "Muchos jóvenes no estudian ni trabajan y quieren generar ingresos propios.",
        "Ocho sesiones de formación; mentorías; capital semilla para cuatro emprendimientos"
        " colectivos; feria de cierre.",
        (
            Line(C.PERSONNEL, "Mentora de emprendimiento", 3),
            Line(C.OTHER, "Capital semilla de los emprendimientos colectivos", 4),
            Line(C.DISSEMINATION, "Feria de cierre", 1),
        ),
        (20, 60),
    ),
)

# Words of the applicants' names (lower case, no accents) that suit each project.
SUITS: dict[str, tuple[str, ...]] = {
    "Recuperemos la plaza de {place}": ("junta de vecinos", "comite", "cultural", "mural"),
    "Huerto comunitario {place}": ("huert", "ambient", "ecolog", "verde", "rural", "agric"),
    "Pasajes iluminados y seguros en {place}": ("seguridad", "junta de vecinos", "vecinal"),
    "Club de personas mayores activas de {place}": ("adulto mayor", "mayores", "cuidado"),
    "Escuela de oficios para mujeres de {place}": ("mujeres", "madres", "feria", "olla"),
    "Sede abierta: equipamiento para {place}": ("junta de vecinos", "vivienda", "union comunal"),
    "Convivencia y buen trato en {place}": ("vivienda", "migrant", "convivencia", "condominio"),
    "Memoria y patrimonio de {place}": ("patrimon", "memoria", "cineclub", "historia", "cultural"),
    "Deporte en familia en la multicancha de {place}": ("deportiv", "futbol", "bici", "club"),
    "Reciclaje y puntos limpios en {place}": ("recicl", "ambient", "ecolog", "bici", "verde"),
    "Apoyo escolar en la sede de {place}": ("escuela", "liceo", "educa", "biblioteca", "apoderad"),
    "Salud mental comunitaria en {place}": ("salud", "cuidado", "olla", "mujeres"),
    "Festival de música joven de {place}": ("music", "cultural", "juvenil", "hip hop", "rock"),
    "Liga de básquetbol 3x3 de {place}": ("deportiv", "juvenil", "club", "basquet"),
    "Audiovisual joven: el barrio en cortos": ("cineclub", "audiovisual", "cultural", "comunica"),
    "Brigada verde juvenil de {place}": ("ambient", "ecolog", "verde", "scout", "huert"),
    "Emprendimientos juveniles de {place}": ("emprend", "feria", "juvenil", "migrant"),
}
# Applicants a youth call does not take in the demo (it is for young people's groups).
NOT_YOUTH = ("adulto mayor", "mayores")

CONSORTIUM_SHARE = 0.45  # of the projects have partners
QUOTE_SHARE = 0.4  # of the projects attach a quote


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page document, as an organization would scan or download it."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A5)
    _width, height = A5
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 12)
    page.drawString(36, height - 50, title[:70])
    page.setFont("Helvetica", 9.5)
    for number, text in enumerate(lines):
        page.drawString(36, height - 80 - 15 * number, text[:90])
    page.showPage()
    page.save()
    return buffer.getvalue()


def _upload(name: str, title: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _pdf(title, lines), content_type="application/pdf")


def _representative(organization: Actor, coordinator: Any) -> User:
    """Who applies for the organization: its first representative, or one made for the demo."""
    rep = (
        Representative.objects.filter(organization=organization, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if rep is not None:
        return rep.user
    email = f"representante.{organization.pk}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, None, first_name="Representante", last_name=organization.name[:100]
        )
        user.set_unusable_password()
        user.preferred_language = "es"
        user.save()
    representative_add(user=user, actor=coordinator, organization=organization)
    return user


def _coordinator(call: Call) -> User:
    if call.created_by is not None:
        return call.created_by
    role = (
        ProgramRole.objects.filter(program_id=call.program_id, role=Role.COORDINATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if role is None:
        raise ValueError(f"The program of {call} has no coordinator to act for the demo.")
    return role.user


def _inside(territory: Territory | None, areas: list[Territory]) -> bool:
    return territory is not None and any(territory.path.startswith(a.path) for a in areas)


def _candidates(call: Call, areas: list[Territory]) -> list[Actor]:
    """Organizations of the program based in or serving the call's territories (the funder
    aside), by name."""
    organizations = (
        Actor.objects.organizations()
        .filter(program_id=call.program_id)
        .exclude(pk=call.funder_id or 0)
        .select_related("territory")
        .prefetch_related("territories_served", "themes")
        .order_by("name", "pk")
    )
    if not areas:
        return list(organizations)
    return [
        actor
        for actor in organizations
        if _inside(actor.territory, areas)
        or any(_inside(t, areas) for t in actor.territories_served.all())
    ]


def _place(actor: Actor, areas: list[Territory]) -> Territory | None:
    if _inside(actor.territory, areas) or not areas:
        return actor.territory
    return next((t for t in actor.territories_served.all() if _inside(t, areas)), areas[0])


def _project_for(
    applicant: Actor,
    place: str,
    catalogue: tuple[Project, ...],
    used: dict[str, int],
    rng: random.Random,
) -> Project:
    """The project that suits the applicant best (its themes and the words of its name), the
    less used first and never the same one twice in one place, so that a senior citizens' club
    does not apply for a youth festival."""
    name = normalize_for_search(applicant.name)
    themes = {t.slug for t in applicant.themes.all()}

    def fit(project: Project) -> tuple[int, float]:
        score = 3 * (project.theme in themes)
        score += 2 * any(word in name for word in SUITS.get(project.title, ()))
        score -= used.get(project.title, 0) + 10 * used.get(f"{project.title}@{place}", 0)
        return score, rng.random()

    project = max(catalogue, key=fit)
    for key in (project.title, f"{project.title}@{place}"):
        used[key] = used.get(key, 0) + 1
    return project


def _round(amount: float, unit: int) -> Decimal:
    return Decimal(max(unit, round(amount / unit) * unit))


def _budget(
    project: Project, total: Decimal, rng: random.Random, unit: int
) -> list[dict[str, Any]]:
    """Two to six lines whose amounts add up to `total` (rounded to `unit`)."""
    count = min(len(project.lines), rng.randint(2, 6))
    chosen = project.lines[:count]
    weights = [line.weight * rng.uniform(0.8, 1.2) for line in chosen]
    scale = float(total) / sum(weights)
    amounts = [_round(w * scale, unit) for w in weights]
    amounts[0] += total - sum(amounts)  # the first line takes the rounding
    lines = []
    for line, amount in zip(chosen, amounts, strict=True):
        co_funding = (
            _round(float(amount) * rng.uniform(0.1, 0.35), unit)
            if line.co_funding and rng.random() < 0.7
            else Decimal(0)
        )
        description = line.description
        if co_funding:
            description = f"{line.description} (cofinancia: {line.co_funding.lower()})"
        lines.append(
            {
                "category": line.category,
                "description": description[:300],
                "amount": amount,
                "co_funding": co_funding,
            }
        )
    return lines


def _objectives(call: Call, place: Territory | None) -> list[Objective]:
    objectives = list(call.objectives.select_related("plan__territory").order_by("pk"))
    own = [o for o in objectives if place is not None and _inside(place, [o.plan.territory])]
    return (own or objectives)[:2]


def _moment(
    rng: random.Random, start: datetime.datetime, end: datetime.datetime
) -> datetime.datetime:
    span = max((end - start).total_seconds(), 3600.0)
    moment = start + datetime.timedelta(seconds=rng.uniform(0.1, 0.9) * span)
    return moment.replace(second=0, microsecond=0)


def demo_applications(call: Call, *, today: datetime.date, count: int) -> list[Application]:
    """`count` applications to `call` (fewer if the directory has fewer organizations in its
    territories); see the module."""
    rng = random.Random(f"tejido-demo-funds-applications:{call.slug}")
    coordinator = _coordinator(call)
    areas = list(call.eligible_territories.order_by("path"))
    youth = "juvenil" in call.slug or "juvenil" in call.title.lower()
    catalogue = YOUTH_PROJECTS if youth else NEIGHBOURHOOD_PROJECTS
    closed = timezone.localtime(call.closes_at).date() < today
    sectors = set(call.eligible_sectors or ())
    kinds = set(call.eligible_kinds or ())
    candidates = _candidates(call, areas)
    if youth:
        candidates = [
            a for a in candidates if not any(w in normalize_for_search(a.name) for w in NOT_YOUTH)
        ]
    fits = [
        a
        for a in candidates
        if (not sectors or a.sector in sectors) and (not kinds or a.kind in kinds)
    ]
    misfits = [a for a in candidates if a not in fits]
    rng.shuffle(fits)
    # The demo organization's account applies to the closed call, and may try the open one.
    aromos = next(
        (a for a in fits if a.representatives.filter(user__email=ORGANIZATION_ACCOUNT).exists()),
        None,
    )
    if aromos is not None:
        fits.remove(aromos)
        if closed:
            fits.insert(0, aromos)
    # In a closed call two fail eligibility: an applicant outside the call's sectors (when the
    # directory has one) and expired certificates, the first of which the coordination admits.
    failing = 2 if closed and count >= 4 else 0
    outsider = rng.choice(misfits) if failing and misfits else None
    applicants = fits[: count - (1 if outsider else 0)]
    if outsider is not None:
        applicants.insert(rng.randrange(1, len(applicants) + 1), outsider)
    eligible_ones = sorted(a.pk for a in applicants[1:] if a is not outsider)
    expired_ids = rng.sample(
        eligible_ones,
        min(len(eligible_ones), failing - (1 if outsider else 0))
        if call.require_legal_document
        else 0,
    )
    # The other organizations of the program, as partners.
    others = list(
        Actor.objects.organizations()
        .filter(program_id=call.program_id)
        .exclude(pk=call.funder_id or 0)
        .select_related("territory")
        .order_by("name", "pk")
    )
    themes = {t.slug: t for t in Theme.objects.all()}
    unit = 10_000 if call.currency == "CLP" else 10
    window_end = min(
        call.closes_at - datetime.timedelta(hours=2),
        timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 0))),
    )
    start = call.opens_at + datetime.timedelta(hours=2)
    moments = sorted(_moment(rng, start, window_end) for _ in applicants)
    closes_on = timezone.localtime(call.closes_at).date()
    made: list[Application] = []
    used: dict[str, int] = {}
    for index, (applicant, at) in enumerate(zip(applicants, moments, strict=True)):
        place = _place(applicant, areas)
        place_name = place.name if place is not None else applicant.name
        project = _project_for(applicant, place_name, catalogue, used, rng)
        representative = _representative(applicant, coordinator)
        started = at - datetime.timedelta(days=rng.randint(1, 8), hours=rng.randint(0, 6))
        started = max(started, call.opens_at + datetime.timedelta(minutes=30))
        application = services.application_create(
            actor=representative,
            call=call,
            applicant=applicant,
            at=started,
            title=project.title.format(place=place_name)[:200],
        )
        people = rng.randint(*project.people)
        women = round(people * project.women * rng.uniform(0.9, 1.1))
        other = rng.randint(0, max(1, people // 40))
        # Sizes over the whole grant range: together they ask for more than the budget.
        low, high = float(call.min_grant), float(call.max_grant)
        total = _round(low + (high - low) * rng.betavariate(2.2, 1.2), unit * 10)
        total = min(max(total, call.min_grant), call.max_grant)
        theme = themes.get(project.theme)
        services.application_update(
            actor=representative,
            application=application,
            at=started,
            summary=project.summary,
            problem=project.problem,
            activities=project.activities,
            territory=place,
            theme=theme,
            beneficiaries_women=min(women, people),
            beneficiaries_men=max(0, people - min(women, people) - other),
            beneficiaries_other=other,
            objectives=_objectives(call, place),
            lines=_budget(project, total, rng, unit),
        )
        if project.partner_roles and rng.random() < CONSORTIUM_SHARE:
            area = next((a for a in areas if _inside(place, [a])), None)
            nearby = [
                o for o in others if o.pk != applicant.pk and area and _inside(o.territory, [area])
            ] or [o for o in others if o.pk != applicant.pk]
            size = min(len(nearby), len(project.partner_roles), rng.choice((1, 1, 2)))
            for role, partner in zip(project.partner_roles, rng.sample(nearby, size), strict=False):
                share = _round(float(total) * rng.uniform(0.1, 0.25), unit)
                services.partner_add(
                    actor=representative,
                    application=application,
                    organization=partner,
                    role=role,
                    budget_share=share,
                    at=started,
                    letter=_upload(
                        f"carta-compromiso-{partner.pk}.pdf",
                        "Carta de compromiso",
                        [
                            f"{partner.name} se compromete a participar en el proyecto",
                            f"«{application.title}»,",
                            f"liderado por {applicant.name}, con el rol de:",
                            role,
                            f"Firma: directiva de {partner.name}",
                        ],
                    ),
                )
        if call.require_legal_document:
            if applicant.pk in expired_ids:
                issued = closes_on - datetime.timedelta(
                    days=call.legal_document_max_age_days + rng.randint(40, 120)
                )
            else:
                issued = timezone.localtime(started).date() - datetime.timedelta(
                    days=rng.randint(3, 40)
                )
            services.attachment_add(
                actor=representative,
                application=application,
                kind=AttachmentKind.LEGAL_STATUS,
                at=started,
                issued_on=issued,
                upload=_upload(
                    "certificado-vigencia.pdf",
                    "Certificado de vigencia de personalidad jurídica",
                    [
                        f"Organización: {applicant.name}",
                        f"Forma jurídica: {applicant.legal_form or 'Organización comunitaria'}",
                        f"Emitido el {issued:%d-%m-%Y}",
                        "Estado: vigente",
                    ],
                ),
            )
        if rng.random() < QUOTE_SHARE:
            first = application.budget_lines.order_by("-amount").first()
            if first is not None:
                services.attachment_add(
                    actor=representative,
                    application=application,
                    kind=AttachmentKind.QUOTE,
                    at=started,
                    upload=_upload(
                        "cotizacion.pdf",
                        "Cotización",
                        [
                            f"Cliente: {applicant.name}",
                            first.description[:80],
                            f"Total: ${first.amount:,.0f}".replace(",", "."),
                            "Validez: 60 días",
                        ],
                    ),
                )
        last_in_open_call = not closed and index == len(applicants) - 1 and len(applicants) > 1
        if not last_in_open_call:
            application = services.application_submit(
                actor=representative, application=application, at=at
            )
        # Told as it happened: started on `started`.
        Application.objects.filter(pk=application.pk).update(
            created_at=started, updated_at=at if not last_in_open_call else started
        )
        application.refresh_from_db()
        made.append(application)
    # The coordination admits the expired certificate whose renewal was handed in by hand.
    admitted = next((a for a in made if a.applicant_id in expired_ids), None)
    if admitted is not None:
        services.eligibility_override(
            actor=coordinator,
            application=admitted,
            eligible=True,
            justification=OVERRIDE_JUSTIFICATION,
        )
        admitted.refresh_from_db()
    return made
