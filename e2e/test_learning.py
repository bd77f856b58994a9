# mypy: disable-error-code="arg-type,misc"
"""Training, the learning community and the knowledge library, in a real browser.

Training: a coordinator's published course has a cohort with two sessions already held; an
organization's representative enrols one of her organization's members from a phone; the
coordinator takes attendance at both sessions and closes the cohort (the person completes);
the representative downloads the certificate (a PDF with its verification code); a visitor
checks the code on the public page (valid), then a forged code (no certificate has it) and a
malformed one (a typing mistake), each answered clearly.

Community and search: the representative tells an experience whose text says "organización";
another organization's representative finds it searching "organizaciones", comments on it and
says "we tried this too" for her organization, which links the two organizations on the map.

Library: a visitor searches an inflected word and narrows the results with a facet.

axe-core checks each page of the module once. Every text the test looks for is the code's own
message as a Spanish-speaking user reads it (`es`), so the test keeps passing once translated.
"""

from __future__ import annotations

import datetime
import re
import zlib
from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from e2e.conftest import (
    axe_violations,
    log_in,
    no_sideways_scroll,
    screenshot,
)
from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Actor
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Program
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.learning import search
from tejido.learning.attendance import codes
from tejido.learning.attendance.forms import MALFORMED, NOT_ISSUED
from tejido.learning.models import (
    Attendance,
    Certificate,
    Cohort,
    CohortStatus,
    Comment,
    Enrolment,
    EnrolmentStatus,
    Experience,
    ItemKind,
    PublicationStatus,
    Reaction,
    ReactionKind,
)
from tejido.learning.tests.factories import (
    CohortFactory,
    CourseFactory,
    LearningSettingsFactory,
    LibraryItemFactory,
    SessionFactory,
    coordinator_of,
    person_in,
    representative_of,
)
from tejido.network.models import Provenance, Tie

pytestmark = pytest.mark.django_db(transaction=True)

EXPERIENCE = "Feria de las organizaciones del barrio"


def es(message: Any) -> str:
    """A message of the code as a Spanish-speaking user reads it."""
    with translation.override("es"):
        return str(message)


def es_text(text: str) -> str:
    with translation.override("es"):
        return translation.gettext(text)


def shot(page: Any, name: str) -> None:
    screenshot(page, f"learning-{name}")


def accessible(page: Any, what: str) -> None:
    assert axe_violations(page) == [], what


def pdf_text(content: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated (its text is in them)."""
    parts = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.fixture
def school() -> dict[str, Any]:
    """A public program with two neighbourhood organizations (each with a representative), a
    member of the first, a coordinator, a published course whose cohort held two sessions,
    and a few library items."""
    program = cast(Program, ProgramFactory(name="Barrios en Red", slug="barrios-en-red"))
    territory = TerritoryFactory(name="La Pintana")
    program.territories.add(territory)
    council = ActorFactory(
        program=program, name="Junta de Vecinos El Castillo", territory=territory
    )
    kitchen = ActorFactory(program=program, name="Olla Común Los Aromos", territory=territory)
    representative = representative_of(
        council, UserFactory(email="rosa@example.org", first_name="Rosa", last_name="Pérez")
    )
    kitchen_rep = representative_of(
        kitchen, UserFactory(email="luis@example.org", first_name="Luis", last_name="Paredes")
    )
    coordinator = coordinator_of(program)
    LearningSettingsFactory(program=program)
    leader = person_in(council, name="Marta Huenchumilla")
    course = CourseFactory(program=program, title="Escuela de dirigentes vecinales")
    today = timezone.localdate()
    cohort = CohortFactory(
        course=course,
        name="Cohorte La Pintana 2026",
        territory=territory,
        starts_on=today - datetime.timedelta(days=15),
        ends_on=today + datetime.timedelta(days=15),
    )
    now = timezone.now()
    sessions = [
        SessionFactory(
            cohort=cohort, title=title, starts_at=now - datetime.timedelta(days=days, hours=3)
        )
        for title, days in (("Liderazgo y asambleas", 14), ("Formular un proyecto", 7))
    ]
    items = [
        LibraryItemFactory(
            program=program,
            kind=ItemKind.REPORT,
            title="Informe de la cooperativa de vivienda de Renca",
            abstract="Cómo una cooperativa de vivienda organizó a cuarenta familias.",
        ),
        LibraryItemFactory(
            program=program,
            kind=ItemKind.INTERVIEW,
            title="Entrevista a socias de cooperativas",
            abstract="Conversaciones sobre el trabajo en red de las cooperativas del sur.",
        ),
        LibraryItemFactory(
            program=program,
            kind=ItemKind.GUIDE,
            title="Guía de huertos urbanos",
            abstract="Cómo empezar una huerta comunitaria en un sitio eriazo.",
        ),
    ]
    search.reindex(items)
    return {
        "program": program,
        "council": council,
        "kitchen": kitchen,
        "representative": representative,
        "kitchen_rep": kitchen_rep,
        "coordinator": coordinator,
        "leader": leader,
        "course": course,
        "cohort": cohort,
        "sessions": sessions,
        "items": items,
    }


def enrol_from_a_phone(browsers: Any, world: dict[str, Any]) -> tuple[Any, Enrolment]:
    slug, cohort = world["program"].slug, world["cohort"]
    phone = browsers(phone=True).new_page()
    log_in(phone, world["representative"].email)
    phone.goto(reverse("learning:hub", args=[slug]))
    accessible(phone, "learning hub, on a phone")
    shot(phone, "1-phone-hub")
    phone.goto(reverse("learning:course", args=[slug, world["course"].pk]))
    accessible(phone, "course page, on a phone")
    phone.locator(
        f"main a[href='{reverse('learning:cohort', args=[slug, cohort.pk])}']"
    ).first.tap()
    enrol_url = reverse("learning:enrol", args=[slug, cohort.pk])
    phone.locator(f"main a[href='{enrol_url}']").first.tap()
    phone.wait_for_url(f"**{enrol_url}")
    form = phone.locator("form.enrol-form")
    form.locator(f"input[name=person][value='{world['leader'].pk}']").check()
    assert no_sideways_scroll(phone), "the enrolment form must not scroll sideways"
    shot(phone, "1-phone-enrol")
    form.locator(".form-actions button[type=submit]:not([name])").tap()
    phone.wait_for_url(re.compile(r"/cohorts/\d+/#your-people$"))
    enrolment = Enrolment.objects.get(cohort=cohort, person=world["leader"])
    assert enrolment.organization_id == world["council"].pk
    expect(phone.locator("#your-people")).to_contain_text(world["leader"].name)
    accessible(phone, "cohort page, on a phone")
    assert no_sideways_scroll(phone), "the cohort page must not scroll sideways"
    shot(phone, "1-phone-enrolled")
    return phone, enrolment


def attend_and_close(browsers: Any, world: dict[str, Any], enrolment: Enrolment) -> Certificate:
    slug, cohort = world["program"].slug, world["cohort"]
    desk = browsers(phone=False).new_page()
    log_in(desk, world["coordinator"].email)
    desk.goto(reverse("learning:cohort", args=[slug, cohort.pk]))
    attendance_url = reverse("learning:attendance", args=[slug, cohort.pk])
    desk.locator(f"main a[href='{attendance_url}']").first.click()
    desk.wait_for_url(f"**{attendance_url}")
    accessible(desk, "attendance grid")
    for number, session in enumerate(world["sessions"]):
        session_url = reverse("learning:session_attendance", args=[slug, session.pk])
        desk.locator(f"main a[href='{session_url}']").first.click()
        desk.wait_for_url(f"**{session_url}")
        desk.locator(f"input[name=present][value='{enrolment.pk}']").check()
        if number == 0:
            accessible(desk, "taking one session's attendance")
            shot(desk, "2-session-attendance")
        desk.locator(".att-actions button[type=submit]:not([name])").click()
        desk.wait_for_url(f"**{attendance_url}")
        expect(desk.locator(".messages")).to_be_visible()
    assert Attendance.objects.filter(enrolment=enrolment, present=True).count() == 2
    shot(desk, "2-attendance-grid")

    close_url = reverse("learning:cohort_close", args=[slug, cohort.pk])
    desk.goto(close_url)
    accessible(desk, "closing the cohort")
    shot(desk, "2-close")
    desk.locator("main form[method=post] button[type=submit]").click()
    desk.wait_for_url(f"**{attendance_url}")
    expect(desk.locator(".messages")).to_be_visible()
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.CLOSED
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    return Certificate.objects.get(enrolment=enrolment)


def download_the_certificate(
    phone: Any, world: dict[str, Any], enrolment: Enrolment, certificate: Certificate
) -> None:
    slug = world["program"].slug
    phone.goto(reverse("learning:person_record", args=[slug, world["leader"].pk]))
    pdf_url = reverse("learning:certificate_pdf", args=[slug, enrolment.pk])
    link = phone.locator(f"main a[href='{pdf_url}']")
    expect(link).to_be_visible()
    shot(phone, "3-phone-record")
    response = phone.request.get(pdf_url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    assert certificate.code.encode() in pdf_text(body), "the PDF carries its verification code"


def verify_as_a_visitor(browsers: Any, certificate: Certificate) -> None:
    visitor = browsers(phone=False).new_page()
    verify_url = reverse("learning:verify")
    visitor.goto(verify_url)
    accessible(visitor, "verification form")
    field = visitor.locator("main form input[name=code]")
    # Typed as people type it: lower case, spaces instead of dashes.
    field.fill(certificate.code.lower().replace("-", " "))
    field.press("Enter")
    visitor.wait_for_url(f"**{reverse('learning:verify_code', args=[certificate.code])}")
    result = visitor.locator(".att-result-valid")
    expect(result).to_contain_text(es_text("Valid certificate"))
    expect(result).to_contain_text(certificate.holder_name)
    expect(result).to_contain_text(certificate.code)
    accessible(visitor, "a valid certificate")
    shot(visitor, "4-verify-valid")

    forged = codes.new_code()
    visitor.goto(verify_url)
    visitor.locator("main form input[name=code]").fill(forged)
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_url(f"**{reverse('learning:verify_code', args=[forged])}")
    expect(visitor.locator("[role=alert]")).to_contain_text(es(NOT_ISSUED))
    expect(visitor.locator(".att-result")).to_have_count(0)
    shot(visitor, "4-verify-forged")

    # One character changed: the check character catches it as a typing mistake.
    body = certificate.code.replace("-", "")[len(codes.PREFIX) :]
    wrong = next(c for c in codes.ALPHABET if c != body[0])
    visitor.goto(verify_url)
    visitor.locator("main form input[name=code]").fill(codes.format_code(wrong + body[1:]))
    visitor.locator("main form button[type=submit]").click()
    expect(visitor.locator("[role=alert]")).to_contain_text(es(MALFORMED))
    expect(visitor.locator(".att-result")).to_have_count(0)
    accessible(visitor, "a refused code")
    shot(visitor, "4-verify-malformed")


def tell_an_experience(browsers: Any, world: dict[str, Any]) -> Experience:
    slug = world["program"].slug
    page = browsers(phone=False).new_page()
    log_in(page, world["representative"].email)
    page.goto(reverse("learning:experiences", args=[slug]))
    create_url = reverse("learning:experience_create", args=[slug])
    page.locator(f"main a[href='{create_url}']").first.click()
    page.wait_for_url(f"**{create_url}")
    form = page.locator("form.experience-form")
    form.locator("input[name=title]").fill(EXPERIENCE)
    form.locator("textarea[name=context]").fill(
        "Cada organización del barrio trabajaba por su lado y nadie conocía a las demás."
    )
    form.locator("textarea[name=what_was_done]").fill(
        "Organizamos una feria en la plaza con un puesto por organización."
    )
    form.locator("textarea[name=what_happened]").fill(
        "Vinieron doce organizaciones y trescientos vecinos; nacieron dos proyectos comunes."
    )
    form.locator("textarea[name=lessons]").fill(
        "Conviene invitar a cada organización en persona, no solo por mensaje."
    )
    shot(page, "5-experience-form")
    form.locator("button[name=publish]").click()
    page.wait_for_url(re.compile(r"/experiences/\d+/$"))
    experience = Experience.objects.get(title=EXPERIENCE)
    assert experience.status == PublicationStatus.PUBLISHED
    assert experience.organization_id == world["council"].pk
    return experience


def find_comment_and_try(browsers: Any, world: dict[str, Any], experience: Experience) -> None:
    slug = world["program"].slug
    page = browsers(phone=False).new_page()
    log_in(page, world["kitchen_rep"].email)
    page.goto(reverse("learning:experiences", args=[slug]))
    page.locator("#experience-q").fill("organizaciones")
    page.locator("#experience-q").press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=organizaciones"))
    experience_url = reverse("learning:experience", args=[slug, experience.pk])
    found = page.locator(f"main a[href='{experience_url}']").first
    expect(found).to_be_visible()
    accessible(page, "experience list, searched")
    shot(page, "6-experiences-found")
    found.click()
    page.wait_for_url(f"**{experience_url}")
    accessible(page, "experience page")

    question = "¿Cuántas semanas antes invitaron a las organizaciones?"
    comment = page.locator("#comment-form")
    comment.locator("textarea[name=body]").fill(question)
    comment.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(experience_url) + r"#comment-\d+$"))
    expect(page.locator("main")).to_contain_text(question)
    assert Comment.objects.filter(experience=experience, body=question).exists()

    tried = page.locator("details.tried-form")
    tried.locator("summary").click()
    tried.locator("select[name=organization]").select_option(str(world["kitchen"].pk))
    tried.locator("textarea[name=note], input[name=note]").first.fill(
        "Hicimos una feria parecida en la población y funcionó."
    )
    tried.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(experience_url) + r"#reactions$"))
    expect(page.locator("#reactions")).to_contain_text(world["kitchen"].name)
    shot(page, "6-experience-tried")
    assert Reaction.objects.filter(
        experience=experience, kind=ReactionKind.TRIED_TOO, organization=world["kitchen"]
    ).exists()

    # The two organizations are now linked, from the learning community, on the map's data.
    council, kitchen = world["council"], world["kitchen"]
    pair = {council.pk, kitchen.pk}
    ties = Tie.objects.filter(provenance=Provenance.LEARNING)
    assert any({t.source_id, t.target_id} == pair for t in ties), list(ties.values())
    response = page.request.get(reverse("network:map_data", args=[slug]))
    assert response.status == 200
    data = response.json()
    position = {pk: i for i, pk in enumerate(data["nodes"]["id"])}
    edges = set(zip(data["edges"]["source"], data["edges"]["target"], strict=True))
    wanted = {position[council.pk], position[kitchen.pk]}
    assert any({s, t} == wanted for s, t in edges)


def search_the_library(browsers: Any, world: dict[str, Any]) -> None:
    slug = world["program"].slug
    report, interview, guide = world["items"]
    visitor = browsers(phone=False).new_page()
    visitor.goto(reverse("learning:library", args=[slug]))
    results = visitor.locator("#library-results")
    expect(results).to_contain_text(guide.title)
    # "cooperativas" finds the report that only says "cooperativa".
    visitor.locator("#library-q").fill("cooperativas")
    visitor.locator("#library-q").press("Enter")
    expect(results).not_to_contain_text(guide.title)
    expect(results).to_contain_text(report.title)
    expect(results).to_contain_text(interview.title)
    visitor.locator(f"label[for='facet-kind-{ItemKind.REPORT}']").click()
    expect(results).not_to_contain_text(interview.title)
    expect(results).to_contain_text(report.title)
    visitor.wait_for_load_state("networkidle")
    accessible(visitor, "library, searched and filtered")
    shot(visitor, "7-library")
    item_url = reverse("learning:item", args=[slug, report.pk])
    results.locator(f"a[href='{item_url}']").first.click()
    visitor.wait_for_url(f"**{item_url}")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(report.title)
    accessible(visitor, "library item")
    shot(visitor, "7-item")


def test_train_share_and_find(browsers: Any, school: dict[str, Any]) -> None:
    world = school
    # reverse() loads the URLconf in this process, which the live server's threads share.
    reverse("learning:hub", args=[world["program"].slug])

    # 1. A representative enrols a member of her organization, from a phone.
    phone, enrolment = enrol_from_a_phone(browsers, world)
    # 2. The coordinator takes attendance at both sessions and closes the cohort.
    certificate = attend_and_close(browsers, world, enrolment)
    assert certificate.holder_name == world["leader"].name
    # 3. The representative downloads the certificate.
    download_the_certificate(phone, world, enrolment, certificate)
    # 4. Anyone checks it; a forged and a mistyped code are refused, each saying why.
    verify_as_a_visitor(browsers, certificate)
    # 5. The representative tells an experience; 6. another organization finds it in another
    # inflection, comments and says it tried it too.
    experience = tell_an_experience(browsers, world)
    find_comment_and_try(browsers, world, experience)
    # 7. The library: an inflected word, then a facet.
    search_the_library(browsers, world)
    assert isinstance(world["council"], Actor)
