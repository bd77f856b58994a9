# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Survey pages: the coordinator's, the respondent's personal link, htmx partials, permissions
and the number of queries of the survey page."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import ActorKind
from tejido.actors.tests.factories import ActorFactory, PersonFactory, RepresentativeFactory
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import (
    NominationStatus,
    Provenance,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyNomination,
    SurveyStatus,
    Tie,
)
from tejido.network.surveys import services
from tejido.network.tests.factories import SurveyWorld, survey_world

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
RATING = {
    "tie_type": "collaboration",
    "intensity": "3",
    "frequency": "3",
    "trust_openness": "4",
    "trust_reliability": "4",
    "trust_mission": "5",
    "value_influence": "3",
    "value_resources": "",
    "value_involvement": "4",
    "resources": ["knowledge", "contacts"],
    "note": "Comparten la sede los martes.",
}


@pytest.fixture
def world(program) -> SurveyWorld:
    return survey_world(program)


def token_url(name: str, invitation: SurveyInvitation, *args) -> str:
    return reverse(f"network:survey_{name}", args=[services.invitation_token(invitation), *args])


def detail_url(world: SurveyWorld) -> str:
    return reverse("network:survey_detail", args=[world.program.slug, world.survey.pk])


# -- the coordinator --------------------------------------------------------------------------


def test_a_coordinator_creates_chooses_organizations_and_opens_a_survey(
    client, program, django_capture_on_commit_callbacks
):
    coordinator = ProgramRoleFactory(program=program, role=Role.COORDINATOR).user
    world = survey_world(ProgramFactory())  # another program's survey must not show
    orgs = [
        ActorFactory(program=program, name=name)
        for name in ("Junta Norte", "Junta Sur", "Club Centro")
    ]
    orgs[0].email = "org0@example.org"
    orgs[0].save()
    PersonFactory(program=program, name="Persona Privada")
    client.force_login(coordinator)
    cycle = program.cycles.get(number=3)
    today = timezone.localdate()
    response = client.post(
        reverse("network:survey_create", args=[program.slug]),
        {
            "title": "Encuesta de redes",
            "cycle": cycle.pk,
            "instructions": "Gracias.",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
        },
    )
    survey = Survey.objects.get(program=program)
    invitations_url = reverse("network:survey_invitations", args=[program.slug, survey.pk])
    assert response.status_code == 302 and response["Location"] == invitations_url
    page = client.get(invitations_url)
    assert page.status_code == 200
    assert "Junta Sur" in page.text and "Persona Privada" not in page.text
    response = client.post(invitations_url, {"organizations": [orgs[0].pk, orgs[1].pk]})
    assert response.status_code == 302
    assert set(survey.invitations.values_list("organization_id", flat=True)) == {
        orgs[0].pk,
        orgs[1].pk,
    }
    # Filtering, then unticking a shown organization, withdraws only that one.
    filtered = f"{invitations_url}?q=sur"
    assert "Junta Norte" not in client.get(filtered).text
    client.post(filtered, {})
    assert set(survey.invitations.values_list("organization_id", flat=True)) == {orgs[0].pk}
    # "Invite all shown" ticks every organization the filters show, and only those.
    client.post(f"{invitations_url}?q=junta", {"all": "1"})
    assert set(survey.invitations.values_list("organization_id", flat=True)) == {
        orgs[0].pk,
        orgs[1].pk,
    }
    client.post(filtered, {})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:survey_open", args=[program.slug, survey.pk]), follow=True
        )
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    assert [m.to for m in mail.outbox] == [["org0@example.org"]]
    assert "testserver/s/" in mail.outbox[0].body
    assert "each organization has been sent its link" in response.text
    listing = client.get(reverse("network:survey_list", args=[program.slug]))
    assert "Encuesta de redes" in listing.text and world.survey.title not in listing.text


def test_the_survey_page_shows_rates_by_territory_pending_and_reminders(client, world):
    services.answer_save(
        user=None, invitation=world.invitations[0], partner=world.orgs[1], intensity=2
    )
    services.survey_submit(user=None, invitation=world.invitations[0])
    services.answer_save(
        user=None, invitation=world.invitations[1], partner=world.orgs[0], intensity=2
    )
    client.force_login(world.coordinator)
    page = client.get(detail_url(world))
    assert page.status_code == 200
    overview = page.context["overview"]
    rates = {row.label: (row.invited, row.submitted, row.started) for row in overview.territories}
    # orgs 0 and 2 are in Bajos de Mena, 1 and 3 in La Ligua.
    assert rates == {"Bajos de Mena": (2, 1, 0), "La Ligua": (2, 0, 1)}
    assert overview.total.percent == 25
    pending = [inv.organization.name for inv in overview.pending]
    assert world.orgs[0].name not in pending and world.orgs[1].name in pending
    assert "started · 1 partner" in page.text
    response = client.post(
        reverse("network:survey_remind", args=[world.program.slug, world.survey.pk]), follow=True
    )
    assert "Reminders sent to 3 organizations." in response.text
    response = client.post(
        reverse("network:survey_remind", args=[world.program.slug, world.survey.pk]), follow=True
    )
    assert "Reminders sent to 0 organizations." in response.text
    assert "3 were reminded less than a day ago" in response.text
    assert response.context["overview"].reminders_sent == 3


def test_the_coordinator_closes_the_survey_and_links_stop(client, world):
    client.force_login(world.coordinator)
    client.post(reverse("network:survey_close", args=[world.program.slug, world.survey.pk]))
    client.logout()
    response = client.get(token_url("respond", world.invitations[0]))
    assert response.status_code == 410
    assert "This survey is closed" in response.text


def test_reviewing_a_proposed_actor_from_the_survey_page(client, world):
    nomination = services.nomination_create(
        user=None,
        invitation=world.invitations[0],
        name="Radio Comunitaria La Voz del Valle",
        kind=ActorKind.ORGANIZATION,
        sector="community",
        intensity=2,
    )
    services.survey_submit(user=None, invitation=world.invitations[0])
    client.force_login(world.coordinator)
    page = client.get(detail_url(world))
    assert "Radio Comunitaria La Voz del Valle" in page.text
    # The registered "Radio Comunitaria La Voz" is offered as a likely match.
    ((_nomination, candidates),) = page.context["nominations"]
    assert world.orgs[4] in candidates
    url = reverse(
        "network:survey_nomination_review",
        args=[world.program.slug, world.survey.pk, nomination.pk],
    )
    response = client.post(url, {"decision": "match", "actor": world.orgs[4].pk}, follow=True)
    assert "Matched to Radio Comunitaria La Voz" in response.text
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.MERGED
    assert (
        Tie.objects.current().filter(provenance=Provenance.SURVEY).involving(world.orgs[4]).exists()
    )
    response = client.post(url, {"decision": "reject"}, follow=True)
    assert "already been reviewed" in response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("representative", 403), ("directorate", 403), ("coordinator", 200)],
)
def test_only_coordinators_open_the_survey_page(client, world, who, status):
    if who == "representative":
        user = ProgramRoleFactory(program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE).user
        RepresentativeFactory(user=user, organization=world.orgs[0])
        client.force_login(user)
    elif who == "directorate":
        client.force_login(
            ProgramRoleFactory(program=world.program, role=Role.DIRECTORATE_MEMBER).user
        )
    elif who == "coordinator":
        client.force_login(world.coordinator)
    assert client.get(detail_url(world)).status_code == status
    invitations = reverse("network:survey_invitations", args=[world.program.slug, world.survey.pk])
    assert client.post(invitations, {}).status_code == (302 if status == 200 else status)


def test_another_programs_coordinator_sees_no_survey(client, world):
    other = ProgramRoleFactory(program=ProgramFactory(), role=Role.COORDINATOR).user
    client.force_login(other)
    assert client.get(detail_url(world)).status_code == 403
    own = reverse(
        "network:survey_detail", args=[other.program_roles.get().program.slug, world.survey.pk]
    )
    assert client.get(own).status_code == 404


def test_the_survey_page_does_not_grow_in_queries_with_invitations(client, program):
    world = survey_world(program)
    client.force_login(world.coordinator)
    services.nomination_create(
        user=None,
        invitation=world.invitations[0],
        name="Huerta",
        kind=ActorKind.INFORMAL_GROUP,
        sector="community",
        intensity=1,
    )
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail_url(world)).status_code == 200
    orgs = ActorFactory.create_batch(200, program=program, territory=world.territories[1])
    services.survey_set_invitations(user=world.coordinator, survey=world.survey, add=orgs)
    for invitation in SurveyInvitation.objects.filter(organization__in=orgs[:50]):
        services.answer_save(user=None, invitation=invitation, partner=world.orgs[0], intensity=1)
    for invitation in SurveyInvitation.objects.filter(organization__in=orgs[:20]):
        services.survey_submit(user=None, invitation=invitation)
    with CaptureQueriesContext(connection) as many:
        page = client.get(detail_url(world))
    assert len(page.context["overview"].pending) == 4 + 200 - 20
    assert len(many.captured_queries) == len(few.captured_queries) <= 15


def test_each_proposed_actor_costs_the_survey_page_only_its_name_search(client, program):
    world = survey_world(program)
    client.force_login(world.coordinator)

    def propose(name: str, invitation: SurveyInvitation) -> None:
        services.nomination_create(
            user=None,
            invitation=invitation,
            name=name,
            kind=ActorKind.INFORMAL_GROUP,
            sector="community",
            intensity=1,
        )

    propose("Huerta Comunitaria", world.invitations[0])
    with CaptureQueriesContext(connection) as one:
        assert client.get(detail_url(world)).status_code == 200
    for i, invitation in enumerate(world.invitations[1:4]):
        propose(f"Olla Común {i}", invitation)
    with CaptureQueriesContext(connection) as four:
        page = client.get(detail_url(world))
    assert len(page.context["nominations"]) == 4
    assert len(four.captured_queries) <= len(one.captured_queries) + 3


# -- the respondent ---------------------------------------------------------------------------


def test_the_personal_link_needs_no_login(client, world):
    response = client.get(token_url("respond", world.invitations[0]))
    assert response.status_code == 200
    assert world.orgs[0].name in response.text
    assert world.survey.title in response.text


@pytest.mark.parametrize("token", ["garbage", "1:abc", "WzEsMV0:forged-signature"])
def test_a_forged_link_gets_a_clear_refusal(client, world, token):
    response = client.get(reverse("network:survey_respond", args=[token]))
    assert response.status_code == 403
    assert "This link is not valid" in response.text


def test_a_tampered_link_to_another_invitation_is_refused(client, world):
    token = services.invitation_token(world.invitations[0])
    value, signature = token.rsplit(":", 1)
    other = services.invitation_token(world.invitations[1]).rsplit(":", 1)[0]
    response = client.get(reverse("network:survey_respond", args=[f"{other}:{signature}"]))
    assert response.status_code == 403
    assert value != other


def test_a_removed_invitations_link_stops_working(client, world):
    url = token_url("respond", world.invitations[3])
    services.survey_set_invitations(
        user=world.coordinator, survey=world.survey, remove=[world.orgs[3]]
    )
    response = client.get(url)
    assert response.status_code == 410 and "no longer exists" in response.text


def test_partner_search_is_accent_insensitive_htmx_and_limited_to_the_programs_organizations(
    client, world
):
    PersonFactory(program=world.program, name="Ñuble Persona")
    ActorFactory(name="Club Ñuble de otro programa")
    url = token_url("partner_search", world.invitations[0])
    response = client.get(url, {"q": "UNION nuble"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert [a.name for a in response.context["results"]] == ["Club Deportivo Unión Ñuble"]
    # Never one's own organization.
    response = client.get(url, {"q": "aromos"}, **HTMX)
    assert response.context["results"] == []
    assert "Propose it for the registry" in response.text
    # Without htmx, the search is part of the questionnaire page.
    response = client.get(url, {"q": "pehuen"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Centro Cultural Pehuén" in page.text


def test_rating_a_partner_saves_a_draft_and_submitting_writes_the_tie(client, world):
    invitation = world.invitations[0]
    add = token_url("answer_add", invitation)
    form = client.get(add, {"partner": world.orgs[2].pk}, **HTMX)
    assert form.status_code == 200 and "<html" not in form.text
    assert "Your tie with Centro Cultural Pehuén" in form.text
    assert "Awareness" in form.text and "Integration" in form.text
    response = client.post(add, {"partner": world.orgs[2].pk, **RATING})
    assert response.status_code == 302
    answer = SurveyAnswer.objects.get(invitation=invitation)
    assert (answer.intensity, answer.trust_mission, answer.value_resources) == (3, 5, None)
    assert answer.resources == ["knowledge", "contacts"]
    assert not Tie.objects.exists()
    page = client.get(token_url("respond", invitation))
    assert "Centro Cultural Pehuén" in page.text and "Send my answers" in page.text
    # Editing the answer, then submitting.
    response = client.post(
        token_url("answer_edit", invitation, answer.pk), {**RATING, "intensity": "4"}
    )
    assert response.status_code == 302
    response = client.post(token_url("submit", invitation), follow=True)
    assert "Thank you: your answers have been sent." in response.text
    tie = Tie.objects.current().get()
    assert (tie.intensity, tie.trust, tie.value, tie.provenance) == (4, 4, 4, Provenance.SURVEY)
    # A second click on "send" changes nothing.
    client.post(token_url("submit", invitation))
    assert Tie.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"trust_openness": "7"}, "Choose a value from 1 to 5."),
        ({"intensity": "9"}, "Choose an intensity from 0 to 4."),
        ({"resources": ["gold"]}, "Select a valid choice"),
    ],
)
def test_bad_ratings_are_refused_with_a_message_and_nothing_is_written(
    client, world, change, message
):
    response = client.post(
        token_url("answer_add", world.invitations[0]),
        {"partner": world.orgs[1].pk, **RATING, **change},
    )
    assert response.status_code == 400
    assert message in response.text
    assert "Your answer was not saved" in response.text
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize("partner", ["own", "other_program", "person", "unknown"])
def test_bad_partners_are_refused_in_the_form(client, world, partner):
    partner_id = {
        "own": lambda: world.orgs[0].pk,
        "other_program": lambda: ActorFactory().pk,
        "person": lambda: PersonFactory(program=world.program).pk,
        "unknown": lambda: 999_999,
    }[partner]()
    response = client.post(
        token_url("answer_add", world.invitations[0]), {"partner": partner_id, **RATING}
    )
    assert response.status_code == 400
    assert not SurveyAnswer.objects.exists()


def test_proposing_a_missing_partner(client, world):
    url = token_url("propose", world.invitations[0])
    page = client.get(url, {"name": "Huerta Los Copihues"})
    assert 'value="Huerta Los Copihues"' in page.text
    response = client.post(
        url,
        {
            "name": "Huerta Los Copihues",
            "kind": ActorKind.INFORMAL_GROUP,
            "sector": "community",
            "territory": world.territories[0].pk,
            **RATING,
        },
    )
    assert response.status_code == 302
    nomination = SurveyNomination.objects.get()
    assert (nomination.name, nomination.status) == ("Huerta Los Copihues", NominationStatus.PENDING)
    assert nomination.answers.get().intensity == 3
    response = client.post(
        url, {"name": "Persona", "kind": ActorKind.PERSON, "sector": "community", **RATING}
    )
    assert response.status_code == 400
    assert SurveyNomination.objects.count() == 1


def test_removing_a_partner(client, world):
    invitation = world.invitations[0]
    answer = services.answer_save(
        user=None, invitation=invitation, partner=world.orgs[1], intensity=1
    )
    response = client.post(token_url("answer_remove", invitation, answer.pk), follow=True)
    assert "removed from your partners" in response.text
    assert not SurveyAnswer.objects.exists()
    # Another response's answer cannot be reached through this link.
    other = services.answer_save(
        user=None, invitation=world.invitations[1], partner=world.orgs[2], intensity=1
    )
    assert client.post(token_url("answer_remove", invitation, other.pk)).status_code == 404


def test_a_representative_finds_the_survey_on_the_platform(client, world):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=world.program, role=Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=user, organization=world.orgs[1])
    client.force_login(user)
    listing = client.get(reverse("network:survey_list", args=[world.program.slug]))
    assert "Surveys to answer" in listing.text and world.survey.title in listing.text
    assert "New survey" not in listing.text
    mine = reverse("network:survey_answer", args=[world.program.slug, world.invitations[1].pk])
    response = client.get(mine)
    assert response.status_code == 302
    assert response["Location"] == token_url("respond", world.invitations[1])
    theirs = reverse("network:survey_answer", args=[world.program.slug, world.invitations[0].pk])
    assert client.get(theirs).status_code == 403
    # Answering from the platform records who submitted.
    services.answer_save(
        user=user, invitation=world.invitations[1], partner=world.orgs[2], intensity=2
    )
    client.post(token_url("submit", world.invitations[1]))
    assert SurveyInvitation.objects.get(pk=world.invitations[1].pk).submitted_by == user


def test_the_questionnaire_works_in_spanish(client, world):
    response = client.get(token_url("respond", world.invitations[0]), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
