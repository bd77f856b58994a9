"""The learning community of the demo: experiences the program's organizations tell (mostly in
Spanish, some in Catalan), the comments, questions and answers on them, "useful" and "we tried
this too" (which link organizations in the current cycle), two exchange meetings between
territories, and the demo accounts' digest settings.

Everything is written through the community's services, so the demo proves them; only the
publication dates are moved back afterwards, so the list reads like months of activity.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tejido.accounts.models import ProgramRole, User
from tejido.actors.models import Actor, Representative
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.learning.community import services
from tejido.learning.models import (
    Comment,
    DigestFrequency,
    DigestSubscription,
    Experience,
    Visibility,
)


@dataclass(frozen=True)
class Story:
    title: str
    context: str
    done: str
    happened: str
    lessons: str
    evidence: str
    transitions: tuple[str, ...]
    stage: str
    language: str = "es"


STORIES: tuple[Story, ...] = (
    Story(
        "Huerta comunitaria en el sitio eriazo de la población",
        "Un sitio eriazo de 600 m² junto a la sede acumulaba basura desde hacía diez años. Las "
        "vecinas querían verduras frescas y un lugar de encuentro para las personas mayores.",
        "Con el municipio firmamos un comodato por cinco años. Cada sábado por la mañana "
        "limpiamos, hicimos bancales con pallets y armamos un calendario de riego por turnos.",
        "En la primera temporada participaron 38 familias y cosechamos lechugas, acelgas y "
        "habas. El microbasural no volvió y la sede se llenó los sábados.",
        "Acordar los turnos de riego por escrito desde el primer día evita la mitad de los "
        "conflictos. Conviene sumar a la escuela: los niños cuidan lo que siembran.",
        "Acta de la asamblea del 12 de marzo y fotos del antes y después.",
        ("ecological", "social"),
        "plan",
    ),
    Story(
        "Olla común que se convirtió en cocina solidaria permanente",
        "Durante la pandemia abrimos una olla común que llegó a entregar 300 raciones diarias. "
        "Cuando bajó la emergencia, muchas familias seguían necesitando apoyo.",
        "Formalizamos la organización, conseguimos una cocina industrial con el fondo "
        "concursable y pasamos de cocinar todos los días a tres días fijos con inscripción.",
        "Hoy entregamos 120 almuerzos tres veces por semana y vendemos colaciones para "
        "financiar el gas. Seis cocineras se certificaron en manipulación de alimentos.",
        "Registrar cada ración desde el principio nos permitió postular a fondos con datos. "
        "La olla sostiene también la red de vecinas: no hay que perder eso.",
        "Planilla de raciones 2023-2025 y certificado sanitario de la cocina.",
        ("social",),
        "funds",
    ),
    Story(
        "Escuela de dirigentes vecinales los sábados",
        "Las juntas de vecinos tenían directivas cansadas, con los mismos dirigentes desde hace "
        "quince años y casi ningún joven interesado en asumir cargos.",
        "Organizamos una escuela de ocho sesiones: liderazgo, ley 19.418, proyectos, finanzas "
        "básicas y comunicación. Cada sesión se hizo en la sede de una organización distinta.",
        "Terminaron 24 personas, 11 menores de 35 años. En las elecciones siguientes cuatro "
        "de ellas asumieron cargos en sus directivas.",
        "Rotar la sede hizo que cada organización se sintiera dueña de la escuela. Hay que "
        "ofrecer cuidado de niños: sin eso las mujeres jóvenes no pueden venir.",
        "Programa de la escuela y lista de egresados (solo cifras, sin nombres).",
        ("democratic", "social"),
        "training",
    ),
    Story(
        "Presupuesto participativo del barrio con votación en la feria",
        "El municipio destinó un monto para el sector, pero las votaciones anteriores se hacían "
        "en horario de oficina y votaban siempre las mismas cincuenta personas.",
        "Pusimos urnas en la feria libre del domingo y en la salida del consultorio, y una "
        "votación en línea para quienes trabajan. Las organizaciones presentaron sus proyectos "
        "en la sede.",
        "Votaron 1.140 personas, cuatro veces más que el año anterior. Ganaron la iluminación "
        "del pasaje y la reparación de la multicancha.",
        "Llevar la urna a donde está la gente cambia todo. Explicar bien los costos de cada "
        "proyecto antes de votar evita frustraciones después.",
        "Resultados publicados por el municipio: https://www.example.cl/presupuesto-participativo",
        ("democratic",),
        "needs",
    ),
    Story(
        "Transición digital de la junta de vecinos",
        "La junta de vecinos llevaba el libro de socios a mano y avisaba de las asambleas con "
        "papeles en los postes. Muchos vecinos nuevos no sabían que la junta existía.",
        "Con dos voluntarios universitarios digitalizamos el registro de socios, creamos un "
        "grupo de difusión y enseñamos a la directiva a usar una planilla compartida.",
        "Los socios activos pasaron de 80 a 210 en un año. Las asambleas se anuncian con una "
        "semana de anticipación y la asistencia se duplicó.",
        "Lo digital no reemplaza el puerta a puerta: lo complementa. Hay que cuidar los datos "
        "personales de los socios y pedir su consentimiento.",
        "Guía de uso de la planilla de socios que preparamos.",
        ("digital", "democratic"),
        "community",
    ),
    Story(
        "Punto limpio vecinal y reciclaje con recicladores de base",
        "El camión municipal no retiraba reciclables y los recicladores de base trabajaban sin "
        "reconocimiento, rompiendo bolsas en la calle.",
        "Instalamos un punto limpio en el estacionamiento de la sede y acordamos con dos "
        "recicladores de base que lo retiren dos veces por semana a cambio del material.",
        "Se recuperan unas 1,5 toneladas al mes. Los recicladores tienen ingreso estable y la "
        "calle está más limpia.",
        "El acuerdo con los recicladores tiene que ser justo y por escrito. La educación "
        "puerta a puerta al principio es indispensable: sin ella llega todo mezclado.",
        "Registro mensual de kilos recuperados.",
        ("ecological", "social"),
        "plan",
    ),
    Story(
        "Mesa territorial con el consultorio y la escuela",
        "Cada institución trabajaba por su lado: el consultorio, la escuela y las "
        "organizaciones se enteraban tarde de los problemas de las familias.",
        "Armamos una mesa territorial mensual con el consultorio, la escuela, la junta de "
        "vecinos y el club deportivo, con un acta breve y compromisos con responsable.",
        "En un año se resolvieron 17 casos de familias con derivaciones coordinadas y se "
        "organizó una feria de salud con 400 asistentes.",
        "Un acta de una página con responsables y fechas vale más que una reunión larga. La "
        "mesa necesita un coordinador que no sea de ninguna institución.",
        "Actas de la mesa territorial (resumen).",
        ("democratic", "social"),
        "directorate",
    ),
    Story(
        "Recuperación de la plaza con murales y luminarias",
        "La plaza del sector estaba oscura y se había vuelto un lugar de consumo de drogas; las "
        "familias dejaron de usarla.",
        "Con el fondo concursable instalamos luminarias solares y pintamos murales con los "
        "jóvenes del sector. Organizamos un festival mensual.",
        "Las familias volvieron a la plaza y la junta de vecinos la cuida con turnos. Los "
        "jóvenes del mural formaron un colectivo.",
        "Invitar a los jóvenes a diseñar, no solo a pintar. Las luminarias solares necesitan "
        "mantención: dejar presupuesto para eso.",
        "Fotografías del festival y del mural.",
        ("social", "ecological"),
        "funds",
    ),
    Story(
        "Almacén comunitario de compras conjuntas",
        "Las familias pagaban precios altos en los negocios del sector y las ollas comunes "
        "compraban cada una por su cuenta.",
        "Cinco organizaciones juntaron sus pedidos y compran cada quince días en la vega "
        "mayorista. Una planilla compartida ordena los pedidos y los pagos.",
        "El ahorro promedio es de un 25 % en la canasta básica. Se sumaron tres ollas comunes "
        "de otro territorio.",
        "Hace falta una tesorera con tiempo y una regla clara para los pedidos que no se "
        "pagan. La confianza se construye con cuentas claras cada mes.",
        "Planilla de compras y rendición mensual.",
        ("social",),
        "community",
    ),
    Story(
        "Taller de alfabetización digital para personas mayores",
        "Las personas mayores no podían pedir horas médicas en línea ni hacer trámites, y "
        "dependían de sus nietos para todo.",
        "Hicimos un taller de diez sesiones en la sede con celulares propios: videollamadas, "
        "clave única, horas médicas y cómo evitar estafas.",
        "Egresaron 31 personas mayores. Varias se volvieron monitoras del taller siguiente.",
        "Grupos pequeños, de no más de ocho personas, y una sesión solo para repasar. Las "
        "monitoras mayores enseñan mejor que nosotros.",
        "Material del taller en letra grande.",
        ("digital", "social"),
        "training",
    ),
    Story(
        "Directorio local con representación de todas las organizaciones",
        "Al formar el directorio local, las organizaciones más grandes querían todos los "
        "cupos y las agrupaciones pequeñas se sentían fuera.",
        "Acordamos cupos por tipo de organización y una rotación anual de la presidencia. "
        "Las organizaciones pequeñas eligen juntas a un representante.",
        "El directorio se formó con nueve organizaciones de cinco tipos distintos y funciona "
        "hace dos años con quórum en todas sus sesiones.",
        "Dedicar una asamblea solo a acordar las reglas antes de elegir a nadie. Las reglas "
        "escritas evitan peleas personales.",
        "Reglamento del directorio local.",
        ("democratic",),
        "directorate",
    ),
    Story(
        "Compostaje domiciliario en el pasaje",
        "La mitad de la basura de las familias era orgánica y el pasaje no tenía áreas verdes "
        "que abonar.",
        "Entregamos composteras a 40 familias y capacitamos a una vecina por pasaje como "
        "monitora. El compost se usa en la huerta de la sede.",
        "Las familias redujeron en un tercio su basura. Ocho composteras se abandonaron por "
        "malos olores en verano.",
        "Hay que visitar a las familias a las dos semanas: ahí se resuelven los errores. El "
        "verano es la prueba de fuego.",
        "Guía de compostaje que repartimos.",
        ("ecological",),
        "plan",
    ),
    Story(
        "Diagnóstico participativo con niñas y niños",
        "Los diagnósticos del barrio siempre se hacían con adultos y nadie había preguntado a "
        "los niños qué necesitaban.",
        "Con la escuela hicimos caminatas por el barrio con cámaras desechables y un mapa "
        "gigante donde los niños marcaron lugares seguros y peligrosos.",
        "Los niños identificaron tres cruces peligrosos que los adultos no habían priorizado. "
        "Uno ya tiene lomo de toro.",
        "Los niños ven cosas que los adultos naturalizamos. Hay que devolverles los resultados: "
        "volvimos a la escuela a contarles qué pasó.",
        "Mapa del diagnóstico (fotografía).",
        ("democratic", "social"),
        "needs",
    ),
    Story(
        "Radio comunitaria por internet",
        "Las organizaciones no tenían cómo contar lo que hacen y los medios solo hablaban del "
        "barrio por los delitos.",
        "Montamos una radio por internet con equipos donados. Cada organización tiene un "
        "programa semanal de media hora.",
        "La radio tiene doce programas y transmite las asambleas. Los jóvenes editan los "
        "contenidos para redes sociales.",
        "Empezar con pocos programas y cumplirlos siempre. Grabar es más fácil que transmitir "
        "en vivo para quien empieza.",
        "Enlace a la radio: https://radio.example.cl",
        ("digital", "democratic"),
        "community",
    ),
    Story(
        "Fondo rotatorio para emprendedoras del sector",
        "Muchas vecinas emprenden desde la casa, pero no califican para créditos bancarios y "
        "los prestamistas cobran intereses abusivos.",
        "Con un aporte inicial del fondo concursable creamos un fondo rotatorio: préstamos "
        "pequeños sin interés, con un grupo de cinco que se respalda.",
        "Se han entregado 46 préstamos y se han devuelto 44. Varias emprendedoras ya venden en "
        "la feria de la comuna.",
        "El respaldo del grupo funciona mejor que cualquier garantía. Las reuniones mensuales "
        "del grupo son tan importantes como el dinero.",
        "Reglamento del fondo rotatorio y rendición anual.",
        ("social",),
        "funds",
    ),
    Story(
        "Plan de emergencia vecinal ante incendios",
        "El sector está junto a un cerro con pastizales y cada verano hay incendios; no había "
        "ningún plan ni vías de evacuación claras.",
        "Con bomberos y la municipalidad hicimos un mapa de riesgos, señalizamos las vías de "
        "evacuación y formamos brigadas por pasaje.",
        "En el incendio de febrero se evacuó a 60 familias en veinte minutos y sin heridos.",
        "El simulacro es indispensable: en el primero nadie sabía a dónde ir. Hay que "
        "actualizar la lista de personas con movilidad reducida cada año.",
        "Mapa de riesgos y vías de evacuación.",
        ("ecological", "social"),
        "plan",
    ),
    Story(
        "Biblioteca popular en la sede",
        "No había biblioteca en el sector y la sede pasaba cerrada la mayor parte de la semana.",
        "Reunimos 2.000 libros donados, los catalogamos con una planilla y abrimos la sede "
        "tres tardes por semana con voluntarias.",
        "Hay 180 lectores inscritos y un club de lectura de personas mayores. La sede se "
        "volvió un lugar de estudio para escolares.",
        "Los libros donados hay que seleccionarlos: llegan muchos que nadie lee. El horario "
        "fijo es lo que hace que la gente vuelva.",
        "Catálogo de la biblioteca.",
        ("social",),
        "community",
    ),
    Story(
        "Trámites en línea acompañados para organizaciones",
        "Las organizaciones perdían fondos porque no sabían renovar su personalidad jurídica "
        "ni postular en las plataformas en línea.",
        "Abrimos un punto de apoyo mensual donde estudiantes de trabajo social ayudan a cada "
        "directiva con sus trámites, paso a paso.",
        "Catorce organizaciones regularizaron su vigencia y nueve postularon por primera vez "
        "a un fondo en línea.",
        "Acompañar no es hacer por ellos: la directiva tiene que manejar su clave. Hay que "
        "dejar una guía escrita de cada trámite.",
        "Guías paso a paso de los trámites más pedidos.",
        ("digital", "democratic"),
        "selection",
    ),
    Story(
        "Huertos escolares con apoderados y vecinos",
        "La escuela tenía un patio de tierra sin uso y las familias querían participar más en "
        "la vida de la escuela.",
        "Apoderados, vecinos y profesores construimos seis bancales y un invernadero. Cada "
        "curso tiene uno a su cargo.",
        "El huerto se usa en clases de ciencias y la cosecha va al casino escolar. Se formó "
        "un comité de apoderados estable.",
        "Las vacaciones de verano son el punto crítico: hay que organizar turnos de vecinos "
        "para regar.",
        "Fotos del huerto escolar.",
        ("ecological", "social"),
        "plan",
    ),
    Story(
        "Consulta vecinal sobre el uso de la multicancha",
        "Había conflicto entre el club deportivo y los vecinos por el ruido y los horarios de "
        "la multicancha.",
        "Hicimos una consulta vecinal con tres alternativas de horario, con votación en papel "
        "y en línea, y una asamblea para acordar las reglas.",
        "Votaron 320 personas y se acordó un reglamento de uso que el club respeta. Bajaron "
        "los reclamos a la municipalidad.",
        "Una consulta bien hecha desactiva conflictos. Las reglas deben quedar a la vista, en "
        "un cartel en la cancha.",
        "Resultados de la consulta y reglamento.",
        ("democratic",),
        "needs",
    ),
    Story(
        "Horts comunitaris al barri amb la gent gran",
        "Al barri hi havia molta gent gran sola i un solar municipal abandonat al costat del "
        "casal.",
        "Amb l'Ajuntament vam acordar una cessió d'ús i vam fer vint parcel·les. La meitat són "
        "per a gent gran i l'altra meitat per a famílies joves.",
        "Les parcel·les estan totes ocupades i hi ha llista d'espera. Els avis ensenyen a "
        "sembrar als infants de l'escola.",
        "Barrejar generacions a cada parcel·la ha estat la clau. Cal un reglament senzill "
        "d'aigua i d'horaris.",
        "Fotografies dels horts i reglament d'ús.",
        ("ecological", "social"),
        "plan",
        "ca",
    ),
    Story(
        "Xarxa d'intercanvi de temps entre entitats",
        "Les entitats petites no podien pagar serveis de comptabilitat ni d'assessorament laboral.",
        "Vam crear un banc de temps entre entitats: cadascuna ofereix hores del que sap fer "
        "(comptabilitat, disseny, assessorament) i en rep d'altres.",
        "Setze entitats hi participen i s'han intercanviat més de 400 hores en un any.",
        "Cal una persona que coordini i que faci seguiment dels intercanvis. Una plataforma "
        "senzilla ajuda, però la confiança és el que compta.",
        "Registre d'hores intercanviades.",
        ("social", "digital"),
        "community",
        "ca",
    ),
    Story(
        "Pressupostos participatius amb escoles",
        "Els joves no participaven mai en les decisions del districte.",
        "Vam portar el procés de pressupostos participatius als instituts: els alumnes van "
        "proposar i votar projectes per al barri.",
        "Van votar 900 alumnes i es van aprovar dos projectes: un espai de skate i una "
        "biblioteca d'eines.",
        "Els joves participen quan la decisió és real i s'executa. Cal tornar a les aules a "
        "explicar com avança el projecte.",
        "Resultats de la votació als instituts.",
        ("democratic",),
        "needs",
        "ca",
    ),
    Story(
        "Alfabetització digital per a entitats del tercer sector",
        "Moltes juntes directives feien tot en paper i perdien subvencions per no saber fer "
        "tràmits electrònics.",
        "Vam organitzar sis tallers sobre signatura electrònica, tràmits en línia i eines "
        "col·laboratives, a la seu de la federació.",
        "Vint-i-dues entitats van fer els tallers i la majoria ja presenta les subvencions en "
        "línia.",
        "Els tallers funcionen millor amb els propis tràmits de cada entitat, no amb exemples "
        "inventats.",
        "Materials dels tallers.",
        ("digital",),
        "training",
        "ca",
    ),
    Story(
        "Rebost solidari de barri",
        "Després de la crisi, moltes famílies del barri no arribaven a final de mes i les "
        "ajudes arribaven tard.",
        "Les entitats del barri vam obrir un rebost solidari amb aliments de proximitat i un "
        "sistema de punts perquè les famílies triïn.",
        "S'atenen 140 famílies cada setmana i s'han evitat dues tones de malbaratament "
        "alimentari amb els comerços del barri.",
        "Que les famílies puguin triar dignifica l'ajuda. Els comerços col·laboren si els "
        "facilites la recollida.",
        "Memòria anual del rebost.",
        ("social", "ecological"),
        "community",
        "ca",
    ),
)

COMMENTS = (
    "Muy buena experiencia, la vamos a compartir en nuestra asamblea.",
    "Nos pasó algo parecido en nuestro sector. Gracias por contar también lo que no funcionó.",
    "Lo de acordar las reglas por escrito desde el principio nos habría ahorrado muchos problemas.",
    "Felicitaciones a todas las vecinas que lo hicieron posible.",
    "Esto se podría presentar en el próximo encuentro de territorios.",
)
QUESTIONS = (
    (
        "¿Cuánto tiempo les tomó conseguir el permiso del municipio?",
        "Cerca de cuatro meses. Lo que más ayudó fue ir con una carta firmada por varias "
        "organizaciones.",
    ),
    (
        "¿Cómo financiaron los materiales del inicio?",
        "Con una rifa y el aporte de la junta de vecinos; después postulamos al fondo concursable.",
    ),
    (
        "¿Cuántas personas se necesitan para sostenerlo cada semana?",
        "Un equipo estable de seis personas, con turnos. Menos que eso y se cansa la gente.",
    ),
    (
        "¿Tuvieron problemas con vecinos que no estaban de acuerdo?",
        "Sí, al principio. Los invitamos a la asamblea y dos de ellos hoy son parte del equipo.",
    ),
    (
        "¿Podrían compartir el reglamento que usaron?",
        "Claro, está en la sección de evidencias. Lo pueden adaptar libremente.",
    ),
)
TRIED_NOTES = (
    "Lo hicimos en nuestro sector con resultados parecidos; nos costó más conseguir el espacio.",
    "Lo probamos a menor escala y funcionó. Este año lo vamos a ampliar.",
    "Nos sirvió mucho su consejo sobre los turnos.",
    "Lo intentamos, pero nos faltó gente para sostenerlo. Volveremos a intentarlo.",
    "",
)


def _members(program: Program) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=ProgramRole.objects.filter(program=program).values("user_id"), is_active=True
        ).order_by("pk")
    )


def _speakers(organizations: list[Actor]) -> dict[int, User]:
    """The first active representative of each organization."""
    speakers: dict[int, User] = {}
    for rep in (
        Representative.objects.filter(organization__in=organizations, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        speakers.setdefault(rep.organization_id, rep.user)
    return speakers


def _cycle_start(program: Program, today: datetime.date) -> datetime.date:
    cycle = Cycle.objects.filter(program=program).running_on(today).first()
    return cycle.starts_on if cycle else today - datetime.timedelta(days=120)


def demo_community(
    program: Program, *, coordinator: Any, today: datetime.date, rng: random.Random
) -> list[Experience]:
    organizations = list(
        Actor.objects.organizations()
        .filter(program=program)
        .select_related("territory")
        .order_by("pk")
    )
    if not organizations:
        return []
    speakers = _speakers(organizations)
    members = _members(program)
    transitions = {t.transition: t for t in Theme.objects.exclude(transition="")}
    program_themes = list(
        Theme.objects.filter(transition="", actors__program=program).distinct().order_by("pk")[:12]
    )
    # Organizations with a representative tell most of the stories.
    with_voice = [a for a in organizations if a.pk in speakers]
    tellers = with_voice + rng.sample(organizations, min(len(organizations), 25))
    cycle_start = _cycle_start(program, today)
    now = timezone.now()

    experiences: list[Experience] = []
    for index, story in enumerate(STORIES):
        organization = tellers[index % len(tellers)]
        author = speakers.get(organization.pk, coordinator)
        themes = [transitions[code] for code in story.transitions if code in transitions]
        if program_themes and rng.random() < 0.5:
            themes.append(rng.choice(program_themes))
        experience = services.experience_create(
            user=author,
            program=program,
            organization=organization,
            title=story.title,
            context=story.context,
            what_was_done=story.done,
            what_happened=story.happened,
            lessons=story.lessons,
            evidence=story.evidence,
            territory=organization.territory,
            themes=themes,
            stage=story.stage,
            language=story.language,
            visibility=Visibility.MEMBERS if index % 6 == 5 else Visibility.PUBLIC,
            publish=index != len(STORIES) - 1,  # the last one stays a draft
        )
        experiences.append(experience)
    # A few months of activity, newest first, all within the current cycle.
    span = max(7, min(150, (today - cycle_start).days))
    for position, experience in enumerate(experiences):
        if experience.published_at is None:
            continue
        days = int(span * position / len(experiences)) + rng.randint(0, 3)
        moment = now - datetime.timedelta(days=min(days, span), hours=rng.randint(0, 10))
        Experience.objects.filter(pk=experience.pk).update(published_at=moment, created_at=moment)
    published = [e for e in experiences if e.published_at is not None]

    # Comments, questions and the organizations' answers.
    for index, experience in enumerate(published):
        readers = [m for m in members if m.pk != experience.author_id]
        if not readers:
            break
        if index % 3 != 2:
            services.comment_add(
                user=rng.choice(readers), experience=experience, body=rng.choice(COMMENTS)
            )
        if index % 2 == 0:
            question_text, answer_text = QUESTIONS[index % len(QUESTIONS)]
            question = services.comment_add(
                user=rng.choice(readers), experience=experience, body=question_text, kind="question"
            )
            answerer = speakers.get(experience.organization_id, coordinator)
            services.comment_add(
                user=answerer,
                experience=experience,
                body=answer_text,
                kind="answer",
                parent=question,
                organization=experience.organization
                if experience.organization_id in speakers
                else None,
            )
        for member in rng.sample(members, min(len(members), rng.randint(0, 4))):
            services.reaction_set(user=member, experience=experience, kind="useful")
    _spread_comments(program, now, rng)

    # "We tried this too": representatives of other organizations, linking them in the network.
    member_ids = {m.pk for m in members}
    voices = {pk: user for pk, user in speakers.items() if user.pk in member_ids}
    tried = 0
    for experience in rng.sample(published, len(published)):
        if tried >= 6:
            break
        for organization_id, speaker in voices.items():
            if organization_id == experience.organization_id:
                continue
            if experience.reactions.filter(kind="tried_too", user=speaker).exists():
                continue
            organization = next(a for a in organizations if a.pk == organization_id)
            services.reaction_set(
                user=speaker,
                experience=experience,
                kind="tried_too",
                organization=organization,
                note=TRIED_NOTES[tried % len(TRIED_NOTES)],
            )
            tried += 1
            break

    _exchanges(program, coordinator, organizations, published, today, cycle_start, rng)
    _digests(program, members, now, rng)
    return experiences


def _spread_comments(program: Program, now: datetime.datetime, rng: random.Random) -> None:
    """Comments come after their experience: a few hours to a few days later."""
    for comment in Comment.objects.filter(experience__program=program).select_related("experience"):
        published_at = comment.experience.published_at or now
        offset = datetime.timedelta(hours=rng.randint(2, 90) + (6 if comment.parent_id else 0))
        moment = min(now, published_at + offset)
        Comment.objects.filter(pk=comment.pk).update(created_at=moment)


def _exchanges(
    program: Program,
    coordinator: Any,
    organizations: list[Actor],
    experiences: list[Experience],
    today: datetime.date,
    cycle_start: datetime.date,
    rng: random.Random,
) -> None:
    territories = list(program.territories.order_by("pk"))
    if len(territories) < 2:
        territories = list(
            Territory.objects.filter(
                pk__in={a.territory_id for a in organizations if a.territory_id}
            ).order_by("pk")[:4]
        )
    if len(territories) < 2:
        return

    def within(territory: Territory) -> list[Actor]:
        return [
            a
            for a in organizations
            if a.territory is not None and a.territory.path.startswith(territory.path)
        ]

    meetings = (
        (
            "Encuentro de huertas y ollas comunes entre territorios",
            "Sede de la Junta de Vecinos, sala multiuso",
            "Cada territorio presentó su experiencia. Se acordó intercambiar semillas cada "
            "temporada, armar una compra conjunta de insumos y visitarse antes del verano. "
            "Dos ollas comunes se sumarán al almacén comunitario.",
            max(cycle_start, today - datetime.timedelta(days=45)),
            territories[:2],
        ),
        (
            "Jornada de intercambio: participación y transición digital",
            "Centro comunitario, salón principal",
            "Las organizaciones compartieron cómo digitalizaron sus registros de socios y cómo "
            "hicieron sus presupuestos participativos. Se formó un grupo de apoyo entre "
            "directivas y se planificó un taller conjunto de trámites en línea.",
            max(cycle_start, today - datetime.timedelta(days=12)),
            territories[1:3] if len(territories) > 2 else territories[:2],
        ),
    )
    for index, (title, place, outcomes, held_on, places) in enumerate(meetings):
        participants: list[Actor] = []
        for territory in places:
            local = [a for a in within(territory) if a not in participants]
            participants += rng.sample(local, min(len(local), 3))
        shared = [e for e in experiences if e.organization_id in {a.pk for a in participants}][:3]
        if not shared:
            shared = experiences[index * 2 : index * 2 + 2]
        services.exchange_create(
            user=coordinator,
            program=program,
            title=title,
            held_on=held_on,
            place=place,
            territories=places,
            participants=participants,
            people_count=rng.randint(25, 60),
            outcomes=outcomes,
            experiences=shared,
        )


def _digests(
    program: Program, members: list[User], now: datetime.datetime, rng: random.Random
) -> None:
    choices = (DigestFrequency.WEEKLY, DigestFrequency.WEEKLY, DigestFrequency.DAILY)
    for member in members:
        services.digest_subscribe(user=member, program=program, frequency=rng.choice(choices))
    DigestSubscription.objects.filter(program=program).update(
        last_sent_at=now - datetime.timedelta(days=2)
    )
