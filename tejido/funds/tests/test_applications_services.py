# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Application services: drafts, budget, consortium, attachments, submission (with its bad
input), versions, the receipt, withdrawal, eligibility on real data, and the override."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tejido.actors.models import ActorKind, Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.funds.applications import services
from tejido.funds.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Attachment,
    AttachmentKind,
    BudgetCategory,
    CallStatus,
    Eligibility,
)

from .factories import ApplicationFactory, AwardFactory, CallFactory
from .factories_applications import (
    LINES,
    complete,
    draft,
    exe_upload,
    make_world,
    pdf_upload,
    png_upload,
    submitted,
    with_legal_document,
    with_partner,
)

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> list[str]:
    return error.messages


def close(call) -> None:
    call.opens_at = timezone.now() - datetime.timedelta(days=40)
    call.closes_at = timezone.now() - datetime.timedelta(days=1)
    call.save()


# -- drafts -------------------------------------------------------------------------------------


def test_a_representative_starts_a_draft_with_a_reference_per_program_and_year() -> None:
    world = make_world()
    first = draft(world)
    year = timezone.localdate().year
    assert first.reference == f"FC-{year}-0001"
    assert first.status == ApplicationStatus.DRAFT
    assert first.version == 0
    world.call.one_application_per_organization = False
    world.call.save()
    second = services.application_create(
        actor=world.representative, call=world.call, applicant=world.applicant, title="Otra"
    )
    assert second.reference == f"FC-{year}-0002"
    assert AuditEntry.objects.filter(action="funds.application.create").count() == 2


def test_another_program_numbers_its_own_and_never_reuses_a_taken_reference() -> None:
    world = make_world()
    year = timezone.localdate().year
    other = ProgramFactory()
    # Another program's application already holds number 1 of the year.
    ApplicationFactory(call=CallFactory(program=other), reference=f"FC-{year}-0001")
    application = draft(world)
    assert application.reference == f"FC-{year}-0002"


def test_only_a_representative_of_the_applicant_starts_a_draft() -> None:
    world = make_world()
    with pytest.raises(PermissionDenied):
        services.application_create(
            actor=world.stranger_representative,
            call=world.call,
            applicant=world.applicant,
            title="Ajeno",
        )
    with pytest.raises(PermissionDenied):
        services.application_create(
            actor=world.coordinator, call=world.call, applicant=world.applicant, title="X"
        )
    assert not Application.objects.exists()


def test_a_person_or_an_organization_of_another_program_cannot_apply() -> None:
    world = make_world()
    person = PersonFactory(program=world.program)
    elsewhere = ActorFactory()
    for applicant in (person, elsewhere):
        with pytest.raises(ValidationError) as error:
            services.application_create(
                actor=world.representative, call=world.call, applicant=applicant, title="X"
            )
        assert "applicant" in error.value.message_dict


def test_one_draft_per_organization_when_the_call_says_so() -> None:
    world = make_world()
    first = draft(world)
    with pytest.raises(ValidationError) as error:
        draft(world, title="Segundo intento")
    assert first.reference in error.value.message_dict["applicant"][0]
    assert "one per organization" in error.value.message_dict["applicant"][0]


def test_nothing_is_started_before_opening_or_after_closing() -> None:
    world = make_world()
    world.call.opens_at = timezone.now() + datetime.timedelta(days=2)
    world.call.closes_at = timezone.now() + datetime.timedelta(days=20)
    world.call.save()
    with pytest.raises(ValidationError) as error:
        draft(world)
    assert error.value.code == "call_upcoming"
    close(world.call)
    with pytest.raises(ValidationError) as error:
        draft(world)
    assert error.value.code == "call_closed"
    assert "This call closed on" in error.value.messages[0]


def test_a_draft_saves_whatever_is_there() -> None:
    world = make_world()
    application = draft(world)
    services.application_update(
        actor=world.representative, application=application, summary="Sólo un resumen."
    )
    application.refresh_from_db()
    assert application.summary == "Sólo un resumen."
    assert application.problem == ""
    assert application.status == ApplicationStatus.DRAFT


def test_objectives_must_be_among_the_call_ones() -> None:
    world = make_world()
    application = draft(world)
    with pytest.raises(ValidationError) as error:
        services.application_update(
            actor=world.representative,
            application=application,
            objectives=[world.objectives[1]],
        )
    assert (
        "is not among the objectives this call serves" in error.value.message_dict["objectives"][0]
    )
    assert not application.objectives.exists()


# -- the budget ---------------------------------------------------------------------------------


def test_budget_lines_replace_keeps_the_totals_computed() -> None:
    world = make_world()
    application = draft(world)
    services.budget_lines_replace(actor=world.representative, application=application, lines=LINES)
    application.refresh_from_db()
    assert application.requested_amount == Decimal("1500000")
    assert application.co_funding_amount == Decimal("100000")
    assert list(application.budget_lines.values_list("position", flat=True)) == [1, 2]
    services.budget_lines_replace(
        actor=world.representative,
        application=application,
        lines=[{"category": "works", "description": "Banca", "amount": "250000.50"}],
    )
    application.refresh_from_db()
    assert application.requested_amount == Decimal("250000.50")
    assert application.co_funding_amount == 0
    assert application.budget_lines.count() == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"category": "materials", "description": "Pintura", "amount": "-5"}, "cannot be negative"),
        ({"category": "materials", "description": "Pintura", "amount": "mucho"}, "in numbers"),
        ({"category": "", "description": "Pintura", "amount": "5"}, "choose a category"),
        ({"category": "materials", "description": " ", "amount": "5"}, "what the money is for"),
        ({"category": "materials", "description": "Nada", "amount": "0"}, "amount requested or"),
    ],
)
def test_a_wrong_budget_line_changes_nothing_and_says_which_line(line, message) -> None:
    world = make_world()
    application = complete(world)
    with pytest.raises(ValidationError) as error:
        services.budget_lines_replace(
            actor=world.representative, application=application, lines=[LINES[0], line]
        )
    text = error.value.message_dict["lines"][0]
    assert text.startswith("Line 2:")
    assert message in text
    application.refresh_from_db()
    assert application.budget_lines.count() == 2
    assert application.requested_amount == Decimal("1500000")


# -- the consortium -----------------------------------------------------------------------------


def test_a_partner_joins_with_role_share_and_letter() -> None:
    world = make_world()
    application = complete(world)
    partner = with_partner(world, application)
    assert partner.budget_share == Decimal("300000")
    letter = partner.commitment_letter
    assert letter.kind == AttachmentKind.COMMITMENT_LETTER
    assert letter.content_type == "application/pdf"
    assert letter.name == "compromiso.pdf"
    assert letter.file.name.startswith(f"funds/{world.call.pk}/")


@pytest.mark.parametrize("who", ["applicant", "again", "person", "elsewhere"])
def test_partners_that_cannot_be(who) -> None:
    world = make_world()
    application = complete(world)
    if who == "again":
        with_partner(world, application)
    organization = {
        "applicant": world.applicant,
        "again": world.partner,
        "person": PersonFactory(program=world.program),
        "elsewhere": ActorFactory(),
    }[who]
    with pytest.raises(ValidationError) as error:
        services.partner_add(
            actor=world.representative,
            application=application,
            organization=organization,
            role="Apoyo",
            budget_share=0,
        )
    assert "organization" in error.value.message_dict


def test_removing_a_partner_removes_its_letter_and_updating_replaces_it() -> None:
    world = make_world()
    application = complete(world)
    partner = with_partner(world, application)
    first_letter = partner.commitment_letter_id
    services.partner_update(
        actor=world.representative,
        application=application,
        partner=partner,
        role="Coordina los talleres",
        budget_share="450000",
        letter=pdf_upload("compromiso-firmado.pdf"),
    )
    partner.refresh_from_db()
    assert partner.role == "Coordina los talleres"
    assert partner.budget_share == Decimal("450000")
    assert partner.commitment_letter.name == "compromiso-firmado.pdf"
    assert not Attachment.objects.filter(pk=first_letter).exists()
    services.partner_remove(actor=world.representative, application=application, partner=partner)
    assert not application.partners.exists()
    assert not application.attachments.filter(kind=AttachmentKind.COMMITMENT_LETTER).exists()


# -- attachments: type and size -----------------------------------------------------------------


def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_stored() -> None:
    world = make_world()
    application = complete(world)
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            actor=world.representative,
            application=application,
            kind=AttachmentKind.OTHER,
            upload=exe_upload(),
        )
    assert "is not a type we accept" in error.value.message_dict["file"][0]
    # A picture renamed to .pdf is found out from its first bytes.
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            actor=world.representative,
            application=application,
            kind=AttachmentKind.QUOTE,
            upload=pdf_upload("cotizacion.pdf", content=png_upload().read()),
        )
    assert "does not look like a PDF file" in error.value.message_dict["file"][0]
    # A letter of commitment is a signed paper: a spreadsheet is not accepted.
    with pytest.raises(ValidationError) as error:
        services.partner_add(
            actor=world.representative,
            application=application,
            organization=world.partner,
            role="Apoyo",
            budget_share=0,
            letter=pdf_upload("carta.xlsx", content=b"PK\x03\x04rest"),
        )
    assert "letter" in error.value.message_dict
    assert not application.attachments.exists()
    assert not application.partners.exists()


def test_a_too_large_file_is_refused(settings) -> None:
    settings.TEJIDO_MAX_UPLOAD_BYTES = 50
    world = make_world()
    application = complete(world)
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            actor=world.representative,
            application=application,
            kind=AttachmentKind.QUOTE,
            upload=pdf_upload("grande.pdf", content=b"%PDF-1.4" + b"0" * 100),
        )
    assert "files may be at most" in error.value.message_dict["file"][0]


def test_a_legal_certificate_needs_its_issue_date_not_in_the_future() -> None:
    world = make_world()
    application = complete(world)
    for issued, message in (
        (None, "Enter the date the certificate was issued."),
        (timezone.localdate() + datetime.timedelta(days=1), "cannot be in the future"),
    ):
        with pytest.raises(ValidationError) as error:
            services.attachment_add(
                actor=world.representative,
                application=application,
                kind=AttachmentKind.LEGAL_STATUS,
                upload=pdf_upload(),
                issued_on=issued,
            )
        assert message in error.value.message_dict["issued_on"][0]
    attachment = with_legal_document(world, application)
    assert attachment.issued_on == timezone.localdate() - datetime.timedelta(days=10)
    quote = services.attachment_add(
        actor=world.representative,
        application=application,
        kind=AttachmentKind.QUOTE,
        upload=png_upload("cotizacion.png"),
        issued_on=timezone.localdate(),
    )
    assert quote.issued_on is None  # only certificates carry an issue date


# -- submission ---------------------------------------------------------------------------------


def test_submission_keeps_a_version_runs_eligibility_and_emails_a_receipt(
    django_capture_on_commit_callbacks,
) -> None:
    world = make_world()
    world.representative.preferred_language = "en"
    world.representative.save()
    second = world.applicant.representatives.create(
        user=type(world.representative).objects.create_user("tesorera@example.org", None)
    ).user
    application = complete(world)
    with_partner(world, application)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.application_submit(
            actor=world.representative, application=application, base_url="https://tejido.test/"
        )
    assert result.status == ApplicationStatus.SUBMITTED
    assert result.version == 1
    assert result.eligibility == Eligibility.ELIGIBLE
    assert [r["rule"] for r in result.eligibility_results] == [
        "territory",
        "overdue_reports",
        "one_per_organization",
    ]
    version = ApplicationVersion.objects.get(application=result)
    assert version.number == 1
    assert version.submitted_by == world.representative
    snapshot = version.snapshot
    assert snapshot["title"] == "Mural y plaza activa en El Castillo"
    assert snapshot["requested_amount"] == "1500000.00"
    assert [line["description"] for line in snapshot["lines"]] == [
        "Pintura y materiales para el mural",
        "Honorarios de la muralista",
    ]
    assert snapshot["partners"][0]["organization"] == "Club Deportivo Los Halcones"
    assert snapshot["partners"][0]["letter"] == "compromiso.pdf"
    assert snapshot["objectives"] == [
        {"id": world.objectives[0].pk, "title": "Espacios públicos seguros"}
    ]
    assert snapshot["territory"]["name"] == "El Castillo"
    # One receipt per representative, each in their own language.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.representative.email, second.email]
    )
    english = next(m for m in mail.outbox if m.to == [world.representative.email])
    spanish = next(m for m in mail.outbox if m.to == [second.email])
    assert english.subject == f"Application received: {result.reference} · {result.title}"
    assert f"Reference: {result.reference}" in english.body
    assert "Amount requested: $1,500,000" in english.body
    assert f"https://tejido.test/p/{world.program.slug}/funds/applications/{result.pk}/" in (
        english.body
    )
    assert "$1\xa0500\xa0000" in spanish.body
    assert spanish.body.startswith("Hola")
    assert AuditEntry.objects.filter(
        action="funds.application.submit", target_id=str(result.pk)
    ).exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [{"category": "works", "description": "Multicancha", "amount": "7000000"}],
            "You ask for $7,000,000; this call funds at most $3,000,000.",
        ),
        (
            [{"category": "works", "description": "Banca", "amount": "100000"}],
            "You ask for $100,000; this call funds at least $500,000.",
        ),
    ],
)
def test_a_request_outside_the_grant_range_is_refused(lines, message) -> None:
    world = make_world()
    application = complete(world, lines=lines)
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=world.representative, application=application)
    assert error.value.message_dict["lines"] == [message]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not application.versions.exists()


def test_a_budget_that_does_not_add_up_is_refused() -> None:
    world = make_world()
    application = complete(world)
    services.partner_add(
        actor=world.representative,
        application=application,
        organization=world.partner,
        role="Ejecuta las obras",
        budget_share="1200000",
        letter=pdf_upload(),
    )
    services.partner_add(
        actor=world.representative,
        application=application,
        organization=world.stranger,
        role="Difusión",
        budget_share="400000",
    )
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=world.representative, application=application)
    assert error.value.message_dict["partners"] == [
        "The partners' shares add up to $1,600,000, more than the $1,500,000 requested.",
        "Attach the letter of commitment of Centro Cultural Bajos de Mena.",
    ]


def test_every_missing_part_is_named() -> None:
    world = make_world(require_legal_document=True)
    application = draft(world)
    problems = services.submission_problems(application)
    assert set(problems) == {
        "summary",
        "problem",
        "activities",
        "objectives",
        "territory",
        "beneficiaries",
        "lines",
        "attachments",
    }
    assert problems["attachments"] == [
        "Attach the organization's legal-status certificate, with its issue date."
    ]
    with pytest.raises(ValidationError):
        services.application_submit(actor=world.representative, application=application)


def test_a_submission_after_closing_is_refused_with_the_closing_date() -> None:
    world = make_world()
    application = complete(world)
    close(world.call)
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=world.representative, application=application)
    text = error.value.message_dict["__all__"][0]
    assert text.startswith("This call closed on ")
    assert "applications can no longer be submitted" in text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_the_demo_may_submit_at_a_moment_before_closing() -> None:
    world = make_world()
    application = complete(world)
    at = timezone.now() - datetime.timedelta(hours=2)
    close(world.call)
    world.call.closes_at = timezone.now() - datetime.timedelta(hours=1)
    world.call.save()
    result = services.application_submit(actor=world.representative, application=application, at=at)
    assert result.submitted_at == at


def test_only_the_applicant_representatives_submit() -> None:
    world = make_world()
    application = complete(world)
    for user in (world.partner_representative, world.coordinator, world.stranger_representative):
        with pytest.raises(PermissionDenied):
            services.application_submit(actor=user, application=application)


def test_one_submitted_application_per_organization() -> None:
    world = make_world()
    world.call.one_application_per_organization = False
    world.call.save()
    first = submitted(world)
    second = complete(world, draft(world, title="Otra idea"))
    world.call.one_application_per_organization = True
    world.call.save()
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=world.representative, application=second)
    assert error.value.message_dict["__all__"] == [
        f"Junta de Vecinos El Castillo already submitted an application to this call "
        f"({first.reference}); this call accepts one per organization."
    ]


# -- versions, changes after submission, withdrawal ---------------------------------------------


def test_changing_a_submitted_application_submits_a_new_version(
    django_capture_on_commit_callbacks,
) -> None:
    world = make_world()
    application = submitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_update(
            actor=world.representative, application=application, title="Mural, plaza y huerto"
        )
    application.refresh_from_db()
    assert application.version == 2
    versions = list(application.versions.order_by("number"))
    assert [v.snapshot["title"] for v in versions] == [
        "Mural y plaza activa en El Castillo",
        "Mural, plaza y huerto",
    ]
    assert len(mail.outbox) == 1
    # The representative chose no language: the receipt is in Spanish, the programs' own.
    assert "versión 2" in mail.outbox[0].body


def test_a_change_that_would_leave_a_submitted_application_incomplete_changes_nothing() -> None:
    world = make_world()
    application = submitted(world)
    with pytest.raises(ValidationError) as error:
        services.budget_lines_replace(
            actor=world.representative,
            application=application,
            lines=[{"category": "works", "description": "Sede nueva", "amount": "9000000"}],
        )
    assert "this call funds at most" in error.value.message_dict["lines"][0]
    application.refresh_from_db()
    assert application.version == 1
    assert application.requested_amount == Decimal("1500000")
    assert application.budget_lines.count() == 2


def test_nothing_changes_after_closing() -> None:
    world = make_world()
    application = submitted(world)
    close(world.call)
    with pytest.raises(ValidationError) as error:
        services.application_update(
            actor=world.representative, application=application, title="Tarde"
        )
    assert "applications can no longer change" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=world.representative,
            application=application,
            kind=AttachmentKind.OTHER,
            upload=pdf_upload(),
        )
    with pytest.raises(ValidationError) as error:
        services.application_withdraw(actor=world.representative, application=application)
    assert "can no longer be withdrawn" in error.value.messages[0]
    application.refresh_from_db()
    assert application.title == "Mural y plaza activa en El Castillo"
    assert application.status == ApplicationStatus.SUBMITTED


def test_withdraw_then_submit_again() -> None:
    world = make_world()
    application = submitted(world)
    services.application_withdraw(actor=world.representative, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.application_withdraw(actor=world.representative, application=application)
    services.application_submit(actor=world.representative, application=application)
    application.refresh_from_db()
    assert (application.status, application.version) == (ApplicationStatus.SUBMITTED, 2)


# -- eligibility on real data -------------------------------------------------------------------


def test_eligibility_reads_the_applicant_the_documents_and_earlier_grants() -> None:
    world = make_world(require_legal_document=True, legal_document_max_age_days=30)
    world.call.eligible_sectors = [Sector.COMMUNITY, Sector.THIRD_SECTOR]
    world.call.eligible_kinds = [ActorKind.ORGANIZATION]
    world.call.save()
    application = complete(world)
    with_legal_document(world, application, days_old=45)
    # An earlier grant of the applicant, in another call, with its final report overdue.
    earlier = ApplicationFactory(
        call=CallFactory(program=world.program, closed=True), applicant=world.applicant
    )
    AwardFactory(
        application=earlier, final_report_due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    world.applicant.sector = Sector.PRIVATE
    world.applicant.save()
    result = services.application_submit(actor=world.representative, application=application)
    outcome = {r["rule"]: r["passed"] for r in result.eligibility_results}
    assert outcome == {
        "sector": False,
        "kind": True,
        "territory": True,
        "legal_document": False,
        "overdue_reports": False,
        "one_per_organization": True,
    }
    assert result.eligibility == Eligibility.INELIGIBLE
    overdue = next(r for r in result.eligibility_results if r["rule"] == "overdue_reports")
    assert overdue["params"]["awards"] == [earlier.reference]


def test_the_applicant_territory_counts_when_the_project_names_none_inside() -> None:
    world = make_world()
    application = complete(world)
    services.application_update(
        actor=world.representative, application=application, territory=world.region
    )
    application.refresh_from_db()
    # The applicant is based in the comuna: eligible although the project names the region.
    checked = services.application_check_eligibility(
        actor=world.coordinator, application=application
    )
    territory = next(r for r in checked.eligibility_results if r["rule"] == "territory")
    assert territory["passed"]
    assert territory["params"]["place"] == "La Pintana"
    world.applicant.territory = None
    world.applicant.save()
    checked = services.application_check_eligibility(
        actor=world.coordinator, application=application
    )
    assert checked.eligibility == Eligibility.INELIGIBLE


def test_checking_the_whole_call_again_after_closing(django_assert_max_num_queries) -> None:
    world = make_world(require_legal_document=True, legal_document_max_age_days=30)
    application = complete(world)
    with_legal_document(world, application, days_old=5)
    services.application_submit(actor=world.representative, application=application)
    # Nine more submitted applications of other organizations, made by the factories.
    for _ in range(9):
        other = ApplicationFactory(
            call=world.call, applicant=ActorFactory(program=world.program, territory=world.comuna)
        )
        Attachment.objects.create(
            application=other,
            kind=AttachmentKind.LEGAL_STATUS,
            file="funds/x.pdf",
            name="x.pdf",
            content_type="application/pdf",
            size=10,
            issued_on=timezone.localdate() - datetime.timedelta(days=60),
        )
    with django_assert_max_num_queries(14):
        counts = services.eligibility_check_call(actor=world.coordinator, call=world.call)
    assert counts == {"checked": 10, "eligible": 1, "ineligible": 9}
    with pytest.raises(PermissionDenied):
        services.eligibility_check_call(actor=world.representative, call=world.call)


def test_only_coordinators_and_the_applicant_check_one_application() -> None:
    world = make_world()
    application = submitted(world)
    with pytest.raises(PermissionDenied):
        services.application_check_eligibility(
            actor=world.partner_representative, application=application
        )


# -- the override --------------------------------------------------------------------------------


def test_a_coordinator_overrides_with_a_justification_that_is_logged() -> None:
    world = make_world()
    world.call.eligible_sectors = [Sector.THIRD_SECTOR]
    world.call.save()
    application = submitted(world)
    assert not application.is_eligible
    with pytest.raises(ValidationError) as error:
        services.eligibility_override(
            actor=world.coordinator, application=application, eligible=True, justification="  "
        )
    assert "justification" in error.value.message_dict
    services.eligibility_override(
        actor=world.coordinator,
        application=application,
        eligible=True,
        justification="La junta se inscribió como ONG en marzo; el registro aún no se actualiza.",
    )
    application.refresh_from_db()
    assert application.is_eligible
    assert application.eligibility == Eligibility.INELIGIBLE  # the rules' result is kept
    assert application.eligibility_override_by == world.coordinator
    assert application.eligibility_override_at is not None
    assert Application.objects.eligible().filter(pk=application.pk).exists()
    entry = AuditEntry.objects.get(action="funds.eligibility.override")
    assert entry.data["eligible"] is True
    assert entry.data["justification"].startswith("La junta")
    # Back to the rules, also with a reason.
    services.eligibility_override(
        actor=world.coordinator,
        application=application,
        eligible=None,
        justification="Se corrigió el registro: que decidan las reglas.",
    )
    application.refresh_from_db()
    assert application.eligibility_override is None
    assert not application.is_eligible


def test_the_override_is_for_coordinators_on_submitted_undecided_applications() -> None:
    world = make_world()
    application = submitted(world)
    with pytest.raises(PermissionDenied):
        services.eligibility_override(
            actor=world.representative, application=application, eligible=True, justification="Sí"
        )
    world.call.status = CallStatus.DECIDED
    world.call.save()
    with pytest.raises(ValidationError) as error:
        services.eligibility_override(
            actor=world.coordinator, application=application, eligible=False, justification="No"
        )
    assert error.value.code == "decided"
    other = draft(make_world())
    with pytest.raises(ValidationError) as error:
        services.eligibility_override(
            actor=coordinator(other), application=other, eligible=True, justification="Sí"
        )
    assert error.value.code == "not_submitted"


def coordinator(application):
    from .factories import coordinator_of

    return coordinator_of(application.call.program)


def test_budget_categories_are_stored_as_codes() -> None:
    world = make_world()
    application = complete(world)
    assert set(application.budget_lines.values_list("category", flat=True)) == {
        BudgetCategory.MATERIALS,
        BudgetCategory.PERSONNEL,
    }
