# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Application pages: who gets what at every address (the permission matrix), and the pages at
work: applying, the editor with its budget lines, partners and attachments, the submission and
its refusals, downloads, versions, "my applications" and the coordinators' eligibility pages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Representative, Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.funds.applications import services
from tejido.funds.models import (
    Application,
    ApplicationStatus,
    Attachment,
    AttachmentKind,
    Conflict,
    ConflictSource,
)

from .factories import ApplicationFactory, AssignmentFactory, reviewer_of
from .factories_applications import (
    PDF,
    complete,
    draft,
    exe_upload,
    make_world,
    pdf_upload,
    submitted,
    with_partner,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = (
    "anonymous",
    "visitor",
    "applicant",
    "partner",
    "stranger",
    "reviewer",
    "conflicted",
    "coordinator",
    "superuser",
)


def status_of(response) -> int | str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return "login"
    return response.status_code


def user_for(world, who: str, application: Application):
    if who == "anonymous":
        return None
    if who == "visitor":
        return UserFactory()
    if who == "applicant":
        return world.representative
    if who == "partner":
        return world.partner_representative
    if who == "stranger":
        return world.stranger_representative
    if who == "coordinator":
        return world.coordinator
    if who == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    reviewer = reviewer_of(world.call)
    AssignmentFactory(application=application, reviewer=reviewer)
    if who == "conflicted":
        Conflict.objects.create(
            reviewer=reviewer, application=application, source=ConflictSource.DECLARED
        )
    return reviewer.user


# Expected answer per address, for each role in ROLES order.
MATRIX = {
    # name: (method, expected per role)
    "apply": ("get", ("login", 403, 200, 200, 200, 403, 403, 403, 200)),
    "my_applications": ("get", ("login", 200, 200, 200, 200, 200, 200, 200, 200)),
    "application": ("get", ("login", 404, 200, 200, 404, 200, 404, 200, 200)),
    "attachment": ("get", ("login", 404, 200, 200, 404, 200, 404, 200, 200)),
    "application_version": ("get", ("login", 404, 200, 403, 404, 403, 404, 200, 200)),
    "application_edit": ("get", ("login", 404, 200, 403, 404, 403, 404, 403, 200)),
    "application_partner_search": ("get", ("login", 404, 302, 403, 404, 403, 404, 403, 302)),
    "application_partner_add": ("post", ("login", 404, 400, 403, 404, 403, 404, 403, 400)),
    "application_partner_edit": ("post", ("login", 404, 400, 403, 404, 403, 404, 403, 400)),
    "application_attachment_add": ("post", ("login", 404, 400, 403, 404, 403, 404, 403, 400)),
    "application_submit": ("post", ("login", 404, 302, 403, 404, 403, 404, 403, 302)),
    "eligibility_override": ("get", ("login", 404, 403, 403, 404, 403, 404, 200, 200)),
    "eligibility": ("get", ("login", 403, 403, 403, 403, 403, 403, 200, 200)),
    "eligibility_check": ("post", ("login", 403, 403, 403, 403, 403, 403, 302, 302)),
    # Last: these change the application for the roles allowed.
    "application_partner_remove": ("post", ("login", 404, 302, 403, 404, 403, 404, 403, 302)),
    "application_attachment_remove": (
        "post",
        ("login", 404, 302, 403, 404, 403, 404, 403, 302),
    ),
    "application_withdraw": ("post", ("login", 404, 302, 403, 404, 403, 404, 403, 302)),
}


def matrix_world():
    world = make_world()
    application = complete(world)
    partner = with_partner(world, application)
    quote = services.attachment_add(
        actor=world.representative,
        application=application,
        kind=AttachmentKind.QUOTE,
        upload=pdf_upload("cotizacion.pdf"),
    )
    application = services.application_submit(actor=world.representative, application=application)
    return world, application, partner, quote


def address(world, name: str, application, partner, quote) -> str:
    slug = world.program.slug
    if name == "my_applications":
        return reverse("funds:my_applications", args=[slug])
    if name in ("apply", "eligibility", "eligibility_check"):
        return reverse(f"funds:{name}", args=[slug, world.call.pk])
    if name == "application_version":
        return reverse(f"funds:{name}", args=[slug, application.pk, 1])
    if name in ("application_partner_edit", "application_partner_remove"):
        return reverse(f"funds:{name}", args=[slug, application.pk, partner.pk])
    if name in ("attachment", "application_attachment_remove"):
        return reverse(f"funds:{name}", args=[slug, application.pk, quote.pk])
    return reverse(f"funds:{name}", args=[slug, application.pk])


@pytest.mark.parametrize("who", ROLES)
def test_permission_matrix(client, who) -> None:
    world, application, partner, quote = matrix_world()
    user = user_for(world, who, application)
    if user is not None:
        client.force_login(user)
    index = ROLES.index(who)
    answers = {}
    for name, (method, expected) in MATRIX.items():
        url = address(world, name, application, partner, quote)
        response = getattr(client, method)(url)
        answers[name] = (status_of(response), expected[index])
    wrong = {name: got for name, got in answers.items() if got[0] != got[1]}
    assert wrong == {}
    # Nobody but the applicant's representatives (and superusers) changed anything.
    application.refresh_from_db()
    expected_status = (
        ApplicationStatus.WITHDRAWN
        if who in ("applicant", "superuser")
        else ApplicationStatus.SUBMITTED
    )
    assert application.status == expected_status


@pytest.mark.parametrize(("who", "expected"), [("anonymous", "login"), ("visitor", 404)])
def test_a_private_program_hides_its_applications(client, who, expected) -> None:
    world = make_world(public=False)
    application = submitted(world)
    if who == "visitor":
        client.force_login(UserFactory())
    for url in (
        reverse("funds:application", args=[world.program.slug, application.pk]),
        reverse("funds:my_applications", args=[world.program.slug]),
        reverse("funds:apply", args=[world.program.slug, world.call.pk]),
    ):
        assert status_of(client.get(url)) == expected


# -- applying ---------------------------------------------------------------------------------


def test_apply_starts_a_draft_and_opens_the_editor(client) -> None:
    world = make_world()
    client.force_login(world.representative)
    url = reverse("funds:apply", args=[world.program.slug, world.call.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Applying as <strong>Junta de Vecinos El Castillo</strong>" in page.content.decode()
    response = client.post(url, {"applicant": world.applicant.pk, "title": "Huerto comunitario"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "funds:application_edit", args=[world.program.slug, application.pk]
    )
    assert application.title == "Huerto comunitario"
    # Back on the apply page: the organization's application is offered, not a second one.
    again = client.get(url).content.decode()
    assert application.reference in again
    assert "Start the application" not in again


def test_apply_with_several_organizations_asks_which(client) -> None:
    world = make_world()
    second = ActorFactory(program=world.program, name="Comité de Adelanto Las Rosas")
    Representative.objects.create(user=world.representative, organization=second)
    client.force_login(world.representative)
    url = reverse("funds:apply", args=[world.program.slug, world.call.pk])
    content = client.get(url).content.decode()
    assert "Comité de Adelanto Las Rosas" in content
    assert 'type="radio" name="applicant"' in content
    response = client.post(url, {"title": "Sin organización"})
    assert response.status_code == 400
    assert "Choose the organization that applies." in response.content.decode()
    # Someone else's organization is not a choice.
    response = client.post(url, {"applicant": world.stranger.pk, "title": "Ajeno"})
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_apply_to_a_closed_call_says_so_and_creates_nothing(client) -> None:
    world = make_world(closed=True)
    client.force_login(world.representative)
    url = reverse("funds:apply", args=[world.program.slug, world.call.pk])
    assert "This call is not taking applications now." in client.get(url).content.decode()
    response = client.post(url, {"applicant": world.applicant.pk, "title": "Tarde"})
    assert response.status_code == 400
    assert not Application.objects.exists()


# -- the editor -------------------------------------------------------------------------------


def editor_post(world, application, **overrides) -> dict:
    data = {
        "title": application.title,
        "summary": "Un huerto en la plaza.",
        "problem": "No hay espacios verdes.",
        "activities": "Talleres y cosecha.",
        "objectives": [world.objectives[0].pk],
        "territory": world.neighbourhood.pk,
        "theme": "",
        "beneficiaries_women": "40",
        "beneficiaries_men": "35",
        "beneficiaries_other": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "40",
        "lines-0-category": "materials",
        "lines-0-description": "Tierra y semillas",
        "lines-0-amount": "1.250.000",
        "lines-0-co_funding": "",
        "lines-1-category": "services",
        "lines-1-description": "Riego por goteo",
        "lines-1-amount": "350000",
        "lines-1-co_funding": "50,000",
        "lines-2-category": "",
        "lines-2-description": "",
        "lines-2-amount": "",
        "lines-2-co_funding": "",
        "section": "budget",
        # A total the browser computed is never trusted.
        "requested_amount": "1",
    }
    data.update(overrides)
    return data


def test_the_editor_saves_the_draft_and_recomputes_the_totals(client) -> None:
    world = make_world()
    application = draft(world)
    client.force_login(world.representative)
    url = reverse("funds:application_edit", args=[world.program.slug, application.pk])
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    for section in ("project", "place", "beneficiaries", "budget", "consortium", "attachments"):
        assert f'id="{section}"' in content
    response = client.post(url, editor_post(world, application))
    assert response.status_code == 302
    assert response["Location"].endswith("#budget")
    application.refresh_from_db()
    assert application.requested_amount == Decimal("1600000")
    assert application.co_funding_amount == Decimal("50000")
    assert application.beneficiaries_total == 75
    assert application.budget_lines.count() == 2
    assert list(application.objectives.all()) == [world.objectives[0]]
    page = client.get(url).content.decode()
    assert "Draft saved." in page
    assert "$1,600,000" in page


def test_a_wrong_budget_line_is_shown_at_its_row_and_nothing_is_saved(client) -> None:
    world = make_world()
    application = draft(world)
    client.force_login(world.representative)
    url = reverse("funds:application_edit", args=[world.program.slug, application.pk])
    response = client.post(
        url,
        editor_post(world, application, **{"lines-1-amount": "-3", "lines-1-category": ""}),
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "It cannot be negative." in content
    assert "Choose a category." in content
    assert "Some budget lines need correcting." in content
    application.refresh_from_db()
    assert application.budget_lines.count() == 0
    assert application.summary == ""


def test_a_change_to_a_submitted_application_that_goes_over_the_maximum_is_refused(client) -> None:
    world = make_world()
    application = submitted(world)
    client.force_login(world.representative)
    url = reverse("funds:application_edit", args=[world.program.slug, application.pk])
    response = client.post(url, editor_post(world, application, **{"lines-0-amount": "7000000"}))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was saved: this application is submitted" in content
    assert "You ask for $7,350,000; this call funds at most $3,000,000." in content
    application.refresh_from_db()
    assert application.version == 1
    assert application.requested_amount == Decimal("1500000")


def test_a_valid_change_to_a_submitted_application_makes_a_new_version(client) -> None:
    world = make_world()
    application = submitted(world)
    client.force_login(world.representative)
    url = reverse("funds:application_edit", args=[world.program.slug, application.pk])
    response = client.post(url, editor_post(world, application), follow=True)
    assert "Saved and submitted as version 2." in response.content.decode()
    application.refresh_from_db()
    assert application.version == 2


def test_the_editor_after_closing_goes_to_the_read_only_page(client) -> None:
    world = make_world()
    application = submitted(world)
    world.call.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    world.call.save()
    client.force_login(world.representative)
    url = reverse("funds:application_edit", args=[world.program.slug, application.pk])
    response = client.get(url)
    assert response["Location"] == reverse(
        "funds:application", args=[world.program.slug, application.pk]
    )
    response = client.post(url, editor_post(world, application))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.version == 1


def test_partner_search_finds_organizations_not_yet_in_the_consortium(client) -> None:
    world = make_world()
    application = complete(world)
    with_partner(world, application)
    ActorFactory(program=world.program, name="Club de Adulto Mayor Los Halcones")
    client.force_login(world.representative)
    url = reverse("funds:application_partner_search", args=[world.program.slug, application.pk])
    content = client.get(url, {"q": "halcones"}, **HTMX).content.decode()
    assert "Club de Adulto Mayor Los Halcones" in content
    assert "Club Deportivo Los Halcones" not in content  # already a partner
    assert "1 organization found." in content
    content = client.get(url, {"q": "castillo"}, **HTMX).content.decode()
    assert "Junta de Vecinos El Castillo" not in content  # the applicant itself
    # Without htmx: the editor, with the results in the add form.
    response = client.get(url, {"q": "adulto"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Club de Adulto Mayor Los Halcones" in page


def test_adding_a_partner_with_its_letter_through_the_page(client) -> None:
    world = make_world()
    application = complete(world)
    client.force_login(world.representative)
    url = reverse("funds:application_partner_add", args=[world.program.slug, application.pk])
    response = client.post(
        url,
        {
            "organization": world.partner.pk,
            "role": "Presta la sede",
            "budget_share": "200,000",
            "letter": pdf_upload("carta-halcones.pdf"),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#consortium")
    partner = application.partners.get()
    assert partner.budget_share == Decimal("200000")
    assert partner.commitment_letter.name == "carta-halcones.pdf"


def test_a_letter_of_the_wrong_type_is_refused_at_its_field(client) -> None:
    world = make_world()
    application = complete(world)
    client.force_login(world.representative)
    url = reverse("funds:application_partner_add", args=[world.program.slug, application.pk])
    response = client.post(
        url,
        {
            "organization": world.partner.pk,
            "role": "Presta la sede",
            "budget_share": "0",
            "letter": exe_upload("carta.exe"),
        },
    )
    assert response.status_code == 400
    assert "“carta.exe” is not a type we accept. Accepted: JPG, PDF, PNG." in (
        response.content.decode()
    )
    assert not application.partners.exists()


def test_an_attachment_of_the_wrong_type_is_refused_and_a_good_one_downloads(client) -> None:
    world = make_world()
    application = complete(world)
    client.force_login(world.representative)
    slug = world.program.slug
    url = reverse("funds:application_attachment_add", args=[slug, application.pk])
    response = client.post(url, {"kind": "quote", "file": exe_upload("cotizacion.exe")})
    assert response.status_code == 400
    assert "is not a type we accept" in response.content.decode()
    assert not Attachment.objects.exists()
    response = client.post(
        url,
        {
            "kind": "legal_status",
            "file": pdf_upload("vigencia.pdf"),
            "issued_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = client.get(reverse("funds:attachment", args=[slug, application.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "vigencia.pdf" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_submit_lists_what_is_missing_then_submits(
    client, django_capture_on_commit_callbacks
) -> None:
    world = make_world()
    application = draft(world)
    client.force_login(world.representative)
    slug = world.program.slug
    url = reverse("funds:application_submit", args=[slug, application.pk])
    response = client.post(url)
    assert response.status_code == 400
    content = response.content.decode()
    assert "The application was not submitted." in content
    assert "Add at least one budget line." in content
    assert 'href="#budget"' in content
    complete(world, application)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("funds:application", args=[slug, application.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert f"Application {application.reference} submitted (version 1)." in page
    assert "Submitted versions" in page


def test_a_submission_after_closing_is_refused_on_the_page(client) -> None:
    world = make_world()
    application = complete(world)
    world.call.closes_at = timezone.now() - datetime.timedelta(minutes=5)
    world.call.save()
    client.force_login(world.representative)
    response = client.post(
        reverse("funds:application_submit", args=[world.program.slug, application.pk]),
        follow=True,
    )
    content = response.content.decode()
    assert "This call closed on" in content
    assert "applications can no longer be submitted" in content
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_versions_keep_what_was_submitted(client) -> None:
    world = make_world()
    application = submitted(world)
    services.application_update(
        actor=world.representative, application=application, title="Título nuevo"
    )
    client.force_login(world.coordinator)
    slug = world.program.slug
    old = client.get(reverse("funds:application_version", args=[slug, application.pk, 1]))
    content = old.content.decode()
    assert "Mural y plaza activa en El Castillo" in content
    assert "This is an earlier version" in content
    assert (
        client.get(reverse("funds:application_version", args=[slug, application.pk, 3])).status_code
        == 404
    )
    page = client.get(reverse("funds:application", args=[slug, application.pk])).content.decode()
    assert "Título nuevo" in page
    assert "Version 2" in page and "Version 1" in page


def test_the_partner_reads_but_does_not_see_versions_or_eligibility(client) -> None:
    world = make_world()
    application = complete(world)
    with_partner(world, application)
    services.application_submit(actor=world.representative, application=application)
    client.force_login(world.partner_representative)
    page = client.get(
        reverse("funds:application", args=[world.program.slug, application.pk])
    ).content.decode()
    assert "because your organization is a partner" in page
    assert "Submitted versions" not in page
    assert "What the rules say" not in page
    assert "Change the application" not in page


# -- my applications --------------------------------------------------------------------------


def test_my_applications_lists_lead_and_partner_ones(client, django_assert_max_num_queries) -> None:
    world = make_world()
    mine = submitted(world)
    # An application of the stranger where the applicant is a partner.
    theirs = ApplicationFactory(call=world.call, applicant=world.stranger)
    theirs.partners.create(organization=world.applicant, role="Apoyo")
    for _ in range(5):
        ApplicationFactory(call=world.call)  # not ours
    client.force_login(world.representative)
    url = reverse("funds:my_applications", args=[world.program.slug])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    content = response.content.decode()
    assert mine.reference in content and theirs.reference in content
    assert content.count("you are a partner") == 1
    assert len(re.findall(r"FC-\d{5}", content)) == 1  # only theirs among the factory ones


# -- eligibility pages ------------------------------------------------------------------------


def test_the_eligibility_page_shows_each_failed_rule(client, django_assert_max_num_queries) -> None:
    world = make_world()
    world.call.eligible_sectors = [Sector.COMMUNITY]
    world.call.save()
    application = submitted(world)
    for _ in range(25):
        other = ApplicationFactory(
            call=world.call, applicant=ActorFactory(program=world.program, sector=Sector.PRIVATE)
        )
        assert other.status == ApplicationStatus.SUBMITTED
    services.eligibility_check_call(actor=world.coordinator, call=world.call)
    client.force_login(world.coordinator)
    url = reverse("funds:eligibility", args=[world.program.slug, world.call.pk])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    content = response.content.decode()
    assert application.reference in content
    assert (
        content.count(
            "The applicant&#x27;s sector, Private, is not among those this call accepts: Community."
        )
        == 25
    )
    only_eligible = client.get(url, {"show": "eligible"}).content.decode()
    assert application.reference in only_eligible
    assert "is not among those this call accepts" not in only_eligible


def test_check_all_again_and_override_from_the_pages(client) -> None:
    world = make_world()
    world.call.eligible_sectors = [Sector.THIRD_SECTOR]
    world.call.save()
    application = submitted(world)
    client.force_login(world.coordinator)
    slug = world.program.slug
    response = client.post(
        reverse("funds:eligibility_check", args=[slug, world.call.pk]), follow=True
    )
    assert "Eligibility checked again for 1 applications: 0 pass the rules, 1 do not." in (
        response.content.decode()
    )
    url = reverse("funds:eligibility_override", args=[slug, application.pk])
    page = client.get(url).content.decode()
    assert "is not among those this call accepts: Third sector." in page
    response = client.post(url, {"decision": "eligible", "justification": ""})
    assert response.status_code == 400
    assert "Write why" in response.content.decode()
    response = client.post(
        url, {"decision": "eligible", "justification": "Es una junta con personalidad jurídica."}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.eligibility_override is True
    listing = client.get(reverse("funds:eligibility", args=[slug, world.call.pk])).content.decode()
    assert "Eligible (coordinator's decision)" in listing
    assert "Es una junta con personalidad jurídica." in listing
    detail = client.get(reverse("funds:application", args=[slug, application.pk])).content.decode()
    assert "A coordinator declared it eligible." in detail
