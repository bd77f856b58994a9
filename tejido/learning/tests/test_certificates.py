"""Closing a cohort (completion, certificates, competencies, ties, e-mail), the certificate PDF,
revoking, the public verification page, a leader's record, the actor panel and the settings."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tejido.accounts.tests.factories import UserFactory
from tejido.core.models import AuditEntry
from tejido.core.panels import actor_panels
from tejido.learning.attendance import codes
from tejido.learning.attendance.pdf import certificate_pdf
from tejido.learning.attendance.services import (
    attendance_record,
    certificate_revoke,
    cohort_close,
    learning_settings_for,
)
from tejido.learning.models import (
    Certificate,
    CohortStatus,
    CompetencyRecord,
    Enrolment,
    EnrolmentStatus,
    LearningSettings,
    TrainingTies,
)
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

from .attendance_helpers import big_cohort
from .factories import (
    CohortFactory,
    CompetencyFactory,
    EnrolmentFactory,
    coordinator_of,
    member_of,
    representative_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _attend(user, sessions, enrolments, pattern):
    """pattern[i] = number of sessions enrolment i attended (the first ones)."""
    for index, session in enumerate(sessions):
        attendance_record(
            user=user,
            session=session,
            present={e.pk for e, n in zip(enrolments, pattern, strict=True) if index < n},
        )


def _closed_cohort(pattern=(4, 3, 2, 0), *, organizations=4, ties=TrainingTies.COMPLETED):
    cohort, enrolments, sessions = big_cohort(len(pattern), 4, organizations=organizations)
    program = cohort.program
    settings = learning_settings_for(program)
    settings.training_ties = ties
    settings.save()
    course = cohort.course
    course.competencies.add(
        CompetencyFactory(program=program, name="Liderazgo"),
        CompetencyFactory(program=program, name="Formulación de proyectos"),
    )
    coordinator = coordinator_of(program)
    _attend(coordinator, sessions, enrolments, pattern)
    return cohort, enrolments, sessions, coordinator


# -- closing ----------------------------------------------------------------------------------


def test_close_decides_completion_issues_certificates_and_competencies(
    django_capture_on_commit_callbacks,
):
    cohort, enrolments, sessions, coordinator = _closed_cohort()
    # 75 % of 4 sessions = 3: exactly the threshold completes.
    with django_capture_on_commit_callbacks(execute=True):
        result = cohort_close(user=coordinator, cohort=cohort)
    assert (result.completed, result.not_completed, result.held) == (2, 2, 4)
    statuses = dict(Enrolment.objects.values_list("pk", "status"))
    assert statuses[enrolments[0].pk] == EnrolmentStatus.COMPLETED
    assert statuses[enrolments[1].pk] == EnrolmentStatus.COMPLETED
    assert statuses[enrolments[2].pk] == EnrolmentStatus.NOT_COMPLETED
    assert statuses[enrolments[3].pk] == EnrolmentStatus.NOT_COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolments[1])
    assert certificate.holder_name == enrolments[1].person.name
    assert certificate.organization_name == enrolments[1].organization.name
    assert certificate.course_title == cohort.course.title
    assert certificate.program_name == cohort.program.name
    assert (certificate.attended_sessions, certificate.total_sessions) == (3, 4)
    assert certificate.hours == cohort.course.hours
    last = max(s.starts_at for s in sessions)
    assert certificate.completed_on == timezone.localdate(last)
    assert codes.normalize(certificate.code) == certificate.code
    assert CompetencyRecord.objects.filter(person=enrolments[0].person).count() == 2
    assert CompetencyRecord.objects.filter(person=enrolments[2].person).count() == 0
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.CLOSED and cohort.closed_by == coordinator
    assert AuditEntry.objects.filter(
        action="learning.cohort.close", target_id=str(cohort.pk)
    ).exists()


def test_withdrawn_people_are_not_decided():
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    Enrolment.objects.filter(pk=enrolments[0].pk).update(status=EnrolmentStatus.WITHDRAWN)
    result = cohort_close(user=coordinator, cohort=cohort)
    assert result.completed == 1
    assert Enrolment.objects.get(pk=enrolments[0].pk).status == EnrolmentStatus.WITHDRAWN
    assert not Certificate.objects.filter(enrolment=enrolments[0]).exists()


def test_closing_twice_and_without_sessions_is_refused():
    cohort, _enrolments, _sessions, coordinator = _closed_cohort()
    cohort_close(user=coordinator, cohort=cohort)
    with pytest.raises(ValidationError) as closed:
        cohort_close(user=coordinator, cohort=cohort)
    assert closed.value.code == "closed"
    assert Certificate.objects.count() == 2

    empty, _enrolled, _ = big_cohort(3, 2, past=0)
    before = list(Enrolment.objects.filter(cohort=empty).values_list("status", flat=True))
    with pytest.raises(ValidationError) as nothing:
        cohort_close(user=coordinator_of(empty.program), cohort=empty)
    assert nothing.value.code == "no_sessions"
    assert list(Enrolment.objects.filter(cohort=empty).values_list("status", flat=True)) == before
    empty.refresh_from_db()
    assert empty.status != CohortStatus.CLOSED


def test_only_coordinators_close():
    cohort, enrolments, _sessions, _coordinator = _closed_cohort()
    facilitator = UserFactory()
    cohort.facilitators.add(facilitator)
    for user in (facilitator, representative_of(enrolments[0].organization), UserFactory()):
        with pytest.raises(PermissionDenied):
            cohort_close(user=user, cohort=cohort)
    assert Certificate.objects.count() == 0


def test_certificates_are_mailed_to_representatives_in_their_language(
    django_capture_on_commit_callbacks,
):
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    catalan = representative_of(enrolments[0].organization)
    catalan.preferred_language = "ca"
    catalan.email = "junta@example.org"
    catalan.save()
    with django_capture_on_commit_callbacks(execute=True):
        cohort_close(user=coordinator, cohort=cohort)
    to_rep = [m for m in mail.outbox if m.to == ["junta@example.org"]]
    assert len(to_rep) == 1
    code = Certificate.objects.get(enrolment=enrolments[0]).code
    assert code in to_rep[0].body
    assert len(to_rep[0].attachments) == 1
    assert to_rep[0].attachments[0][1][:4] == b"%PDF"


# -- ties -------------------------------------------------------------------------------------


def _training_ties():
    return Tie.objects.current().filter(
        provenance=Provenance.TRAINING, tie_type=TieType.COLLABORATION
    )


def test_ties_among_organizations_of_people_who_completed():
    # Four people of four organizations; two complete: one tie between their organizations.
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    result = cohort_close(user=coordinator, cohort=cohort)
    assert result.ties == 1
    tie = _training_ties().get()
    assert {tie.source_id, tie.target_id} == {
        enrolments[0].organization_id,
        enrolments[1].organization_id,
    }
    assert tie.intensity == Intensity.COOPERATION


def test_ties_among_organizations_of_people_who_attended():
    cohort, _enrolments, _sessions, coordinator = _closed_cohort(ties=TrainingTies.ATTENDED)
    assert cohort_close(user=coordinator, cohort=cohort).ties == 3  # three attended: 3 pairs


def test_no_ties_when_the_program_says_none():
    cohort, _enrolments, _sessions, coordinator = _closed_cohort(ties=TrainingTies.NONE)
    assert cohort_close(user=coordinator, cohort=cohort).ties == 0
    assert not _training_ties().exists()


def test_a_stronger_tie_is_never_weakened_and_a_weaker_one_is_raised():
    cohort, enrolments, _sessions, coordinator = _closed_cohort(
        pattern=(4, 4, 4, 0), ties=TrainingTies.COMPLETED
    )
    a, b, c = (e.organization for e in enrolments[:3])
    strong = tie_create(
        user=coordinator,
        source=a,
        target=b,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.INTEGRATION,
        trust=4,
        provenance=Provenance.SURVEY,
    )
    weak = tie_create(
        user=coordinator,
        source=c,
        target=a,
        tie_type=TieType.COLLABORATION,
        intensity=Intensity.AWARENESS,
        provenance=Provenance.MANUAL,
    )
    result = cohort_close(user=coordinator, cohort=cohort)
    assert result.ties == 2  # a–c raised, b–c new; a–b left alone
    strong_now = Tie.objects.current().get(pk=strong.pk)
    assert strong_now.intensity == Intensity.INTEGRATION
    assert strong_now.provenance == Provenance.SURVEY and strong_now.trust == 4
    raised = Tie.objects.current().get(
        source_id=min(a.pk, c.pk), target_id=max(a.pk, c.pk), tie_type=TieType.COLLABORATION
    )
    assert raised.pk != weak.pk and raised.intensity == Intensity.COOPERATION
    assert Tie.objects.current().filter(tie_type=TieType.COLLABORATION).count() == 3


# -- the confirmation page ----------------------------------------------------------------------


def _close_url(cohort):
    return reverse("learning:cohort_close", args=[cohort.program.slug, cohort.pk])


def test_confirmation_page_shows_what_will_happen_then_closes(client):
    cohort, _enrolments, _sessions, coordinator = _closed_cohort()
    client.force_login(coordinator)
    with translation.override("en"):
        page = client.get(_close_url(cohort), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["plan"].tie_pairs == 1
    assert len(page.context["plan"].completing) == 2
    assert Certificate.objects.count() == 0  # a GET changes nothing
    response = client.post(_close_url(cohort))
    assert response.status_code == 302
    assert Certificate.objects.count() == 2
    again = client.post(_close_url(cohort))
    assert again.status_code == 400 and Certificate.objects.count() == 2


def test_confirmation_page_permissions(client):
    cohort, _enrolments, _sessions, _coordinator = _closed_cohort()
    url = _close_url(cohort)
    assert client.get(url).status_code == 302
    facilitator = member_of(cohort.program)
    cohort.facilitators.add(facilitator)
    client.force_login(facilitator)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Certificate.objects.count() == 0


# -- the PDF ----------------------------------------------------------------------------------


def _pdf_url(enrolment):
    return reverse("learning:certificate_pdf", args=[enrolment.cohort.program.slug, enrolment.pk])


def test_pdf_downloads_for_coordinator_and_representative(client):
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    cohort_close(user=coordinator, cohort=cohort)
    code = Certificate.objects.get(enrolment=enrolments[0]).code
    client.force_login(coordinator)
    response = client.get(_pdf_url(enrolments[0]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:4] == b"%PDF"
    assert code.encode() in response.content
    client.force_login(representative_of(enrolments[0].organization))
    assert client.get(_pdf_url(enrolments[0])).status_code == 200
    # Another organization's representative may not see this enrolment.
    client.force_login(representative_of(enrolments[1].organization))
    assert client.get(_pdf_url(enrolments[0])).status_code == 404
    client.force_login(member_of(cohort.program))
    assert client.get(_pdf_url(enrolments[0])).status_code == 404
    client.logout()
    assert client.get(_pdf_url(enrolments[0])).status_code == 302
    # No certificate: nothing to download.
    client.force_login(coordinator)
    assert client.get(_pdf_url(enrolments[3])).status_code == 404


def test_pdf_function_holds_the_code():
    cohort, _enrolments, _sessions, coordinator = _closed_cohort()
    cohort_close(user=coordinator, cohort=cohort)
    certificate = Certificate.objects.select_related("enrolment__cohort__course").first()
    with translation.override("es"):
        pdf = certificate_pdf(
            certificate, "https://tejido.example/verify/" + certificate.code + "/"
        )
    assert pdf.startswith(b"%PDF") and certificate.code.encode() in pdf


# -- revoking ---------------------------------------------------------------------------------


def test_revoke_needs_a_reason_is_audited_and_stops_downloads(client):
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    cohort_close(user=coordinator, cohort=cohort)
    certificate = Certificate.objects.get(enrolment=enrolments[0])
    with pytest.raises(ValidationError):
        certificate_revoke(user=coordinator, certificate=certificate, reason="  ")
    with pytest.raises(PermissionDenied):
        certificate_revoke(
            user=representative_of(enrolments[0].organization), certificate=certificate, reason="x"
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.force_login(coordinator)
    url = reverse("learning:certificate_revoke", args=[cohort.program.slug, enrolments[0].pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Asistencia registrada por error."})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (
        certificate.revoked_at and certificate.revoked_reason == "Asistencia registrada por error."
    )
    assert AuditEntry.objects.filter(action="learning.certificate.revoke").count() == 1
    assert client.get(_pdf_url(enrolments[0])).status_code == 404
    with pytest.raises(ValidationError):
        certificate_revoke(user=coordinator, certificate=certificate, reason="otra vez")


# -- public verification ------------------------------------------------------------------------


def test_verify_valid_revoked_malformed_and_not_issued(client):
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    cohort_close(user=coordinator, cohort=cohort)
    certificate = Certificate.objects.get(enrolment=enrolments[0])
    url = reverse("learning:verify_code", args=[certificate.code])
    assert url.startswith("/verify/") and cohort.program.slug not in url
    with translation.override("en"):
        valid = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert valid.status_code == 200 and valid.context["certificate"] == certificate
    assert certificate.holder_name in valid.content.decode()
    # The form: any way of typing it leads to the one address.
    typed = certificate.code.lower().replace("-", " ").replace("0", "o")
    response = client.get(reverse("learning:verify"), {"code": typed})
    assert response.status_code == 302 and response["Location"] == url
    # A mistyped character: malformed, without a lookup.
    body = certificate.code[4:].replace("-", "")
    wrong = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with CaptureQueriesContext(connection) as queries:
        malformed = client.get(reverse("learning:verify"), {"code": wrong})
    assert malformed.status_code == 400 and malformed.context["problem"]
    assert not any("learning_certificate" in q["sql"] for q in queries.captured_queries)
    assert "certificate" not in malformed.context
    # A forged, well-formed code nobody was issued.
    forged = codes.new_code()
    not_found = client.get(reverse("learning:verify_code", args=[forged]))
    assert not_found.status_code == 404
    assert "certificate" not in not_found.context
    assert not_found.context["problem"] != malformed.context["problem"]
    assert certificate.holder_name not in not_found.content.decode()
    # Revoked: still found, shown as revoked with the reason.
    certificate_revoke(user=coordinator, certificate=certificate, reason="Error de registro")
    revoked = client.get(url)
    assert revoked.status_code == 200 and "Error de registro" in revoked.content.decode()
    assert "att-result-revoked" in revoked.content.decode()
    assert revoked["Cache-Control"].startswith("no-store") or "no-store" in revoked["Cache-Control"]


def test_verify_is_public_and_the_empty_form_works(client):
    response = client.get(reverse("learning:verify"))
    assert response.status_code == 200
    assert client.get(reverse("learning:verify_code", args=["nonsense"])).status_code == 400


def test_verify_slows_down_someone_guessing(client):
    from tejido.learning.attendance.views import VERIFY_MISSES

    for _ in range(VERIFY_MISSES):
        assert (
            client.get(reverse("learning:verify_code", args=[codes.new_code()])).status_code == 404
        )
    assert client.get(reverse("learning:verify_code", args=[codes.new_code()])).status_code == 429


# -- the record and the panel -------------------------------------------------------------------


def test_person_record_for_members_with_download_links_for_those_allowed(client):
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    cohort_close(user=coordinator, cohort=cohort)
    person = enrolments[0].person
    url = reverse("learning:person_record", args=[cohort.program.slug, person.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # a visitor may not see people
    client.force_login(member_of(cohort.program))
    page = client.get(url)
    assert page.status_code == 200
    assert "Liderazgo" in page.content.decode()
    assert _pdf_url(enrolments[0]) not in page.content.decode()
    client.force_login(representative_of(enrolments[0].organization))
    assert _pdf_url(enrolments[0]) in client.get(url).content.decode()
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 10
    # An organization is not a person's record.
    org_url = reverse(
        "learning:person_record", args=[cohort.program.slug, enrolments[0].organization_id]
    )
    assert client.get(org_url).status_code == 404


def test_actor_panel_for_people_and_organizations(rf):
    cohort, enrolments, _sessions, coordinator = _closed_cohort()
    cohort_close(user=coordinator, cohort=cohort)
    request = rf.get("/")
    request.user = member_of(cohort.program)
    person_html = "".join(actor_panels(request, enrolments[0].person))
    assert "Liderazgo" in person_html
    request.user = UserFactory()
    assert "Liderazgo" not in "".join(actor_panels(request, enrolments[0].person))
    with translation.override("en"):
        org_html = "".join(actor_panels(request, enrolments[0].organization))
    assert cohort.course.title in org_html and "1 person completed it" in org_html
    assert enrolments[0].person.name not in org_html


# -- settings ---------------------------------------------------------------------------------


def test_settings_created_with_a_token_and_saved_by_coordinators(client):
    program = CohortFactory().program
    url = reverse("learning:settings", args=[program.slug])
    client.force_login(member_of(program))
    assert client.get(url).status_code == 403
    assert not LearningSettings.objects.filter(program=program).exists()
    client.force_login(coordinator_of(program))
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"training_ties": "attended", "training_tie_intensity": str(Intensity.COORDINATION)},
    )
    assert response.status_code == 302
    settings = LearningSettings.objects.get(program=program)
    assert settings.training_ties == "attended" and not settings.tried_too_ties
    assert settings.training_tie_intensity == Intensity.COORDINATION
    assert len(settings.calendar_token) >= 24
    bad = client.post(url, {"training_ties": "everyone", "training_tie_intensity": "9"})
    assert bad.status_code == 400
    settings.refresh_from_db()
    assert settings.training_ties == "attended"


def test_cohort_of_another_program_cannot_be_closed_here(client):
    cohort, _e, _s, _c = _closed_cohort()
    other = CohortFactory()
    client.force_login(coordinator_of(cohort.program))
    url = reverse("learning:cohort_close", args=[cohort.program.slug, other.pk])
    assert client.post(url).status_code == 404


def test_enrolment_factory_helper_works():
    assert EnrolmentFactory().cohort.program_id
    assert datetime.date.today()
