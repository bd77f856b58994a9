# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Survey services: open, invite, remind, answer, submit, review proposed actors."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import ActorKind, Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory, RepresentativeFactory
from tejido.core.models import AuditEntry, Cycle
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import (
    NominationStatus,
    Provenance,
    SurveyAnswer,
    SurveyInvitation,
    SurveyNomination,
    SurveyStatus,
    Tie,
    TieType,
)
from tejido.network.services import tie_create
from tejido.network.surveys import services
from tejido.network.tests.factories import SurveyWorld, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program) -> SurveyWorld:
    return survey_world(program)


def rate(**overrides):
    values = {
        "tie_type": TieType.COLLABORATION,
        "intensity": 2,
        "trust_openness": 4,
        "trust_reliability": 5,
        "trust_mission": 4,
        "value_influence": 3,
        "value_resources": 2,
        "value_involvement": 3,
    }
    return values | overrides


def survey_ties(world: SurveyWorld):
    return Tie.objects.filter(program=world.program).current()


# -- creating and opening ---------------------------------------------------------------------


def test_create_refuses_a_cycle_of_another_program_and_dates_backwards(world):
    other_cycle = Cycle.objects.filter(program=ProgramFactory()).first()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.survey_create(
            user=world.coordinator,
            program=world.program,
            cycle=other_cycle,
            title="Mapa",
            opens_on=today,
            closes_on=today,
        )
    assert "cycle" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.survey_create(
            user=world.coordinator,
            program=world.program,
            cycle=world.survey.cycle,
            title="Mapa",
            opens_on=today,
            closes_on=today - datetime.timedelta(days=1),
        )
    assert "closes_on" in error.value.message_dict


def test_invitations_are_for_organizations_and_groups_of_the_program_only(world):
    with pytest.raises(ValidationError, match="never people"):
        services.survey_set_invitations(
            user=world.coordinator, survey=world.survey, add=[PersonFactory(program=world.program)]
        )
    with pytest.raises(ValidationError, match="this program"):
        services.survey_set_invitations(
            user=world.coordinator, survey=world.survey, add=[ActorFactory()]
        )
    group = ActorFactory(program=world.program, kind=ActorKind.INFORMAL_GROUP)
    change = services.survey_set_invitations(
        user=world.coordinator, survey=world.survey, add=[group, world.orgs[0]]
    )
    assert change.added == 1  # the organization was already invited


def test_open_emails_each_representative_in_their_language_and_the_organization(world):
    mail.outbox.clear()
    draft = services.survey_create(
        user=world.coordinator,
        program=world.program,
        cycle=world.survey.cycle,
        title="Mapa de redes 2026",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    with pytest.raises(ValidationError, match="at least one"):
        services.survey_open(user=world.coordinator, survey=draft)
    org = world.orgs[0]
    org.email = "junta@example.org"
    org.save()
    catalan = UserFactory(email="rep-ca@example.org", preferred_language="ca")
    RepresentativeFactory(user=catalan, organization=org)
    services.survey_set_invitations(user=world.coordinator, survey=draft, add=[org])
    assert mail.outbox == []  # a draft sends nothing
    with django_capture(execute=True):
        services.survey_open(
            user=world.coordinator, survey=draft, base_url="https://tejido.example/"
        )
    draft.refresh_from_db()
    assert draft.status == SurveyStatus.OPEN
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"rep-ca@example.org", "junta@example.org"}
    invitation = SurveyInvitation.objects.get(survey=draft, organization=org)
    link = "https://tejido.example" + services.invitation_url(invitation)
    assert all(link in m.body for m in mail.outbox)
    assert "Mapa de redes 2026" in by_address["junta@example.org"].subject
    # Each e-mail is rendered in its reader's language: dates (Django's own locale data) show it
    # whatever the state of our catalogs.
    for address, language in (("rep-ca@example.org", "ca"), ("junta@example.org", "en")):
        with translation.override(language):
            closes = date_format(draft.closes_on, "DATE_FORMAT")
        assert closes in by_address[address].body
    with translation.override("ca"):
        assert (
            date_format(draft.closes_on, "DATE_FORMAT") not in by_address["junta@example.org"].body
        )
    with pytest.raises(ValidationError, match="draft"):
        services.survey_open(user=world.coordinator, survey=draft)


def django_capture(*, execute: bool):
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=execute)


# -- reminders --------------------------------------------------------------------------------


def test_reminders_go_to_those_who_have_not_submitted_once_a_day(world):
    for org in world.orgs:
        RepresentativeFactory(organization=org, user=UserFactory())
    services.answer_save(
        user=None, invitation=world.invitations[0], partner=world.orgs[1], **rate()
    )
    services.survey_submit(user=None, invitation=world.invitations[0])
    mail.outbox.clear()
    with django_capture(execute=True):
        first = services.survey_remind(user=world.coordinator, survey=world.survey)
    assert (first.sent, first.too_recent) == (len(world.invitations) - 1, 0)
    assert len(mail.outbox) == len(world.invitations) - 1
    assert all(m.subject.startswith("Reminder") for m in mail.outbox)
    with django_capture(execute=True):
        again = services.survey_remind(user=world.coordinator, survey=world.survey)
    assert (again.sent, again.too_recent) == (0, len(world.invitations) - 1)
    assert len(mail.outbox) == len(world.invitations) - 1  # nothing more sent
    # A day later, they may be reminded again.
    SurveyInvitation.objects.filter(survey=world.survey).update(
        last_reminded_at=timezone.now() - datetime.timedelta(hours=25)
    )
    later = services.survey_remind(user=world.coordinator, survey=world.survey)
    assert later.sent == len(world.invitations) - 1
    counts = set(
        SurveyInvitation.objects.filter(survey=world.survey, submitted_at__isnull=True).values_list(
            "reminders_sent", flat=True
        )
    )
    assert counts == {2}
    assert (
        world.invitations[0].__class__.objects.get(pk=world.invitations[0].pk).reminders_sent == 0
    )


def test_reminders_count_organizations_without_an_address(world):
    result = services.survey_remind(user=world.coordinator, survey=world.survey)
    assert result.unreachable == result.sent == len(world.invitations)


# -- answering and submitting -----------------------------------------------------------------


def test_a_submitted_answer_becomes_a_survey_tie_of_the_cycle(world):
    invitation = world.invitations[0]
    services.answer_save(user=None, invitation=invitation, partner=world.orgs[2], **rate())
    invitation.refresh_from_db()
    assert invitation.started_at is not None and invitation.submitted_at is None
    assert not survey_ties(world).exists()  # a draft writes no tie
    result = services.survey_submit(user=None, invitation=invitation)
    assert result.ties_written == 1
    tie = survey_ties(world).get()
    assert (tie.source_id, tie.target_id) == tuple(sorted((world.orgs[0].pk, world.orgs[2].pk)))
    assert tie.provenance == Provenance.SURVEY
    assert tie.cycle == world.survey.cycle
    assert tie.intensity == 2
    assert tie.trust == 4  # (4 + 5 + 4) / 3 = 4.33
    assert tie.value == 3  # (3 + 2 + 3) / 3 = 2.67
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None


def test_half_scores_round_up_and_blank_scores_do_not_count(world):
    answer = SurveyAnswer(intensity=1, trust_openness=3, trust_reliability=4, value_influence=None)
    assert services.tie_values([answer]) == (1, 4, None)  # intensity, trust, value
    other = SurveyAnswer(intensity=2, trust_openness=1, value_involvement=5)
    assert services.tie_values([answer, other]) == (2, 2, 5)


def test_submitting_twice_writes_nothing_twice(world):
    invitation = world.invitations[0]
    services.answer_save(user=None, invitation=invitation, partner=world.orgs[1], **rate())
    services.survey_submit(user=None, invitation=invitation)
    versions = Tie.objects.filter(program=world.program).count()
    again = services.survey_submit(user=None, invitation=invitation)
    assert again.ties_written == 0
    assert Tie.objects.filter(program=world.program).count() == versions


def test_both_sides_answering_give_the_mean_of_their_answers(world):
    a, b = world.invitations[0], world.invitations[1]
    services.answer_save(
        user=None,
        invitation=a,
        partner=world.orgs[1],
        **rate(intensity=1, trust_openness=2, trust_reliability=2, trust_mission=2),
    )
    services.survey_submit(user=None, invitation=a)
    assert survey_ties(world).get().intensity == 1
    services.answer_save(
        user=None,
        invitation=b,
        partner=world.orgs[0],
        **rate(intensity=4, trust_openness=5, trust_reliability=5, trust_mission=5),
    )
    services.survey_submit(user=None, invitation=b)
    tie = survey_ties(world).get()  # one tie, a new version of it
    assert tie.intensity == 3  # (1 + 4) / 2 = 2.5, rounded half up
    assert tie.trust == 4  # (2 + 5) / 2 = 3.5
    assert tie.previous is not None
    assert Tie.objects.filter(program=world.program).count() == 2


def test_resubmitting_replaces_the_earlier_answers_effect(world):
    invitation = world.invitations[0]
    first = services.answer_save(user=None, invitation=invitation, partner=world.orgs[1], **rate())
    services.answer_save(user=None, invitation=invitation, partner=world.orgs[2], **rate())
    services.survey_submit(user=None, invitation=invitation)
    assert survey_ties(world).count() == 2
    # They change their mind: orgs[1] is stronger, orgs[2] is no partner after all.
    services.answer_save(user=None, invitation=invitation, answer=first, **rate(intensity=4))
    services.answer_remove(
        user=None,
        invitation=invitation,
        answer=SurveyAnswer.objects.get(invitation=invitation, partner=world.orgs[2]),
    )
    answers = list(invitation.answers.all())
    invitation.refresh_from_db()
    assert services.response_changed(invitation, answers)  # edited and removed, not sent
    result = services.survey_submit(user=None, invitation=invitation)
    invitation.refresh_from_db()
    assert not services.response_changed(invitation, list(invitation.answers.all()))
    assert result.withdrawn == 1
    current = {(t.source_id, t.target_id): t for t in survey_ties(world)}
    assert len(current) == 2  # new versions, no duplicates
    pair_1 = tuple(sorted((world.orgs[0].pk, world.orgs[1].pk)))
    pair_2 = tuple(sorted((world.orgs[0].pk, world.orgs[2].pk)))
    assert current[pair_1].intensity == 4
    assert current[pair_2].ended_on == timezone.localdate()
    assert Tie.objects.filter(program=world.program).count() == 4


def test_a_dropped_partner_who_named_us_keeps_the_tie_with_their_answer_only(world):
    a, b = world.invitations[0], world.invitations[1]
    services.answer_save(user=None, invitation=b, partner=world.orgs[0], **rate(intensity=4))
    services.survey_submit(user=None, invitation=b)
    answer = services.answer_save(
        user=None, invitation=a, partner=world.orgs[1], **rate(intensity=0)
    )
    services.survey_submit(user=None, invitation=a)
    assert survey_ties(world).get().intensity == 2
    services.answer_remove(user=None, invitation=a, answer=answer)
    services.answer_save(user=None, invitation=a, partner=world.orgs[2], **rate())
    services.survey_submit(user=None, invitation=a)
    kept = survey_ties(world).get(
        target_id=max(world.orgs[0].pk, world.orgs[1].pk),
        source_id=min(world.orgs[0].pk, world.orgs[1].pk),
    )
    assert kept.intensity == 4 and kept.ended_on is None


def test_an_existing_manual_tie_gets_a_survey_version(world):
    manual = tie_create(
        user=world.coordinator,
        source=world.orgs[0],
        target=world.orgs[1],
        tie_type=TieType.COLLABORATION,
        intensity=1,
    )
    services.answer_save(
        user=None, invitation=world.invitations[0], partner=world.orgs[1], **rate(intensity=3)
    )
    services.survey_submit(user=None, invitation=world.invitations[0])
    current = survey_ties(world).get()
    assert current.previous_id == manual.pk
    assert (current.intensity, current.provenance) == (3, Provenance.SURVEY)


@pytest.mark.parametrize(
    ("partner_kind", "field_error"),
    [("own", "partner"), ("other_program", "partner"), ("person", "partner")],
)
def test_bad_partners_are_refused_and_nothing_is_written(world, partner_kind, field_error):
    partner = {
        "own": world.orgs[0],
        "other_program": ActorFactory(),
        "person": PersonFactory(program=world.program),
    }[partner_kind]
    with pytest.raises(ValidationError) as error:
        services.answer_save(user=None, invitation=world.invitations[0], partner=partner, **rate())
    assert field_error in error.value.message_dict
    assert not SurveyAnswer.objects.exists()
    world.invitations[0].refresh_from_db()
    assert world.invitations[0].started_at is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trust_openness", 6),
        ("value_involvement", 0),
        ("intensity", 5),
        ("frequency", 9),
        ("tie_type", "friendship"),
        ("resources", ["gold"]),
    ],
)
def test_out_of_range_ratings_are_refused_per_field(world, field, value):
    with pytest.raises(ValidationError) as error:
        services.answer_save(
            user=None,
            invitation=world.invitations[0],
            partner=world.orgs[1],
            **rate(**{field: value}),
        )
    assert field in error.value.message_dict
    assert not SurveyAnswer.objects.exists()


def test_a_closed_survey_takes_no_answers_and_no_submission(world):
    invitation = world.invitations[0]
    services.answer_save(user=None, invitation=invitation, partner=world.orgs[1], **rate())
    services.survey_close(user=world.coordinator, survey=world.survey)
    invitation.survey.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.answer_save(user=None, invitation=invitation, partner=world.orgs[2], **rate())
    with pytest.raises(ValidationError, match="closed"):
        services.survey_submit(user=None, invitation=invitation)
    assert not Tie.objects.exists()
    assert SurveyAnswer.objects.count() == 1


def test_a_survey_past_its_closing_date_takes_no_submission(world):
    world.survey.opens_on = timezone.localdate() - datetime.timedelta(days=20)
    world.survey.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    world.survey.save()
    with pytest.raises(ValidationError, match="closed"):
        services.survey_submit(user=None, invitation=world.invitations[0])


def test_an_empty_response_cannot_be_submitted(world):
    with pytest.raises(ValidationError, match="at least one partner"):
        services.survey_submit(user=None, invitation=world.invitations[0])
    assert SurveyInvitation.objects.get(pk=world.invitations[0].pk).submitted_at is None


# -- links ------------------------------------------------------------------------------------


def test_the_personal_link_resolves_its_invitation(world):
    invitation = world.invitations[1]
    token = services.invitation_token(invitation)
    assert services.invitation_from_token(token) == invitation


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token, inv: token[:-2] + ("aa" if not token.endswith("aa") else "bb"),
        lambda token, inv: signing.Signer(salt="other").sign_object([inv.pk, inv.survey_id]),
        lambda token, inv: signing.Signer().sign_object([inv.pk, inv.survey_id]),  # no salt
        lambda token, inv: "not-a-token",
        lambda token, inv: signing.Signer(salt=services.TOKEN_SALT).sign_object("text"),
        # Another invitation's id with this one's signature.
        lambda token, inv: (
            signing.Signer(salt=services.TOKEN_SALT).sign_object([inv.pk + 1, 0])[
                : token.index(":")
            ]
            + token[token.index(":") :]
        ),
    ],
)
def test_a_forged_or_tampered_link_is_refused(world, tamper):
    invitation = world.invitations[0]
    with pytest.raises(services.InvalidLink) as error:
        services.invitation_from_token(tamper(services.invitation_token(invitation), invitation))
    assert error.value.reason == services.InvalidLink.FORGED


def test_the_link_stops_working_when_closed_or_the_invitation_is_removed(world):
    first, second = world.invitations[0], world.invitations[1]
    token = services.invitation_token(first)
    services.survey_set_invitations(
        user=world.coordinator, survey=world.survey, remove=[world.orgs[0]]
    )
    with pytest.raises(services.InvalidLink) as error:
        services.invitation_from_token(token)
    assert error.value.reason == services.InvalidLink.REMOVED
    services.survey_close(user=world.coordinator, survey=world.survey)
    with pytest.raises(services.InvalidLink) as error:
        services.invitation_from_token(services.invitation_token(second))
    assert error.value.reason == services.InvalidLink.CLOSED


def test_a_submitted_invitation_is_never_withdrawn(world):
    services.answer_save(
        user=None, invitation=world.invitations[0], partner=world.orgs[1], **rate()
    )
    services.survey_submit(user=None, invitation=world.invitations[0])
    change = services.survey_set_invitations(
        user=world.coordinator, survey=world.survey, remove=[world.orgs[0], world.orgs[1]]
    )
    assert (change.removed, change.kept_submitted) == (1, 1)
    assert SurveyInvitation.objects.filter(pk=world.invitations[0].pk).exists()


# -- proposed actors --------------------------------------------------------------------------


def propose(world, invitation, name="Huerta Comunitaria Los Copihues", **overrides):
    return services.nomination_create(
        user=None,
        invitation=invitation,
        name=name,
        kind=ActorKind.INFORMAL_GROUP,
        sector=Sector.COMMUNITY,
        territory=world.territories[0],
        **rate(**overrides),
    )


def test_a_proposed_actor_waits_then_approval_creates_it_and_its_ties(world):
    invitation = world.invitations[0]
    nomination = propose(world, invitation, intensity=3)
    result = services.survey_submit(user=None, invitation=invitation)
    assert (result.ties_written, result.waiting) == (0, 1)
    assert not Tie.objects.exists()
    actor = services.nomination_approve(user=world.coordinator, nomination=nomination)
    assert actor.kind == ActorKind.INFORMAL_GROUP and actor.program == world.program
    assert "huerta comunitaria" in actor.search_text  # created through the actors service
    tie = survey_ties(world).get()
    assert {tie.source_id, tie.target_id} == {world.orgs[0].pk, actor.pk}
    assert tie.intensity == 3
    nomination.refresh_from_db()
    assert (nomination.status, nomination.actor) == (NominationStatus.APPROVED, actor)
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.nomination_reject(user=world.coordinator, nomination=nomination)


def test_matching_a_proposed_actor_to_the_registry_and_rejecting_one(world):
    invitation = world.invitations[0]
    existing = world.orgs[3]
    matched = propose(world, invitation, name=existing.name)
    rejected = propose(world, invitation, name="No existe")
    draft = world.invitations[1]
    propose_draft = propose(world, draft, name="Otra")  # not submitted: waits for submission
    services.survey_submit(user=None, invitation=invitation)
    services.nomination_match(user=world.coordinator, nomination=matched, actor=existing)
    services.nomination_reject(user=world.coordinator, nomination=rejected)
    assert survey_ties(world).count() == 1
    assert SurveyAnswer.objects.filter(invitation=invitation, partner=existing).exists()
    assert not SurveyAnswer.objects.filter(nomination=rejected).exists()
    actor = services.nomination_approve(user=world.coordinator, nomination=propose_draft)
    assert survey_ties(world).count() == 1  # the draft's answer counts at its submission
    services.survey_submit(user=None, invitation=draft)
    assert survey_ties(world).involving(actor).count() == 1
    with pytest.raises(ValidationError):
        services.nomination_match(
            user=world.coordinator,
            nomination=propose(world, invitation, name="Persona"),
            actor=PersonFactory(program=world.program),
        )


def test_removing_the_only_answer_about_a_proposed_actor_drops_the_proposal(world):
    nomination = propose(world, world.invitations[0])
    services.answer_remove(
        user=None, invitation=world.invitations[0], answer=nomination.answers.get()
    )
    assert not SurveyNomination.objects.exists()


def test_submission_and_review_are_in_the_audit_trail(world):
    services.answer_save(
        user=None, invitation=world.invitations[0], partner=world.orgs[1], **rate()
    )
    services.survey_submit(user=None, invitation=world.invitations[0])
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"survey.create", "survey.open", "survey.submit", "tie.create"} <= actions


def test_submission_asks_for_the_indicators_to_be_recomputed(
    world, django_capture_on_commit_callbacks
):
    analytics = pytest.importorskip(
        "tejido.network.analytics.services",
        reason="helper B's tejido.network.analytics.services (analysis_request) is missing",
    )
    del analytics
    from tejido.network.models import AnalysisRun

    services.answer_save(
        user=None, invitation=world.invitations[0], partner=world.orgs[1], **rate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_submit(user=None, invitation=world.invitations[0])
    assert AnalysisRun.objects.filter(program=world.program, cycle=world.survey.cycle).exists()


def test_removing_a_partner_after_submitting_is_a_change_to_send(world):
    invitation = world.invitations[0]
    services.answer_save(user=None, invitation=invitation, partner=world.orgs[1], **rate())
    dropped = services.answer_save(
        user=None, invitation=invitation, partner=world.orgs[2], **rate()
    )
    services.survey_submit(user=None, invitation=invitation)
    invitation.refresh_from_db()
    assert not services.response_changed(invitation, list(invitation.answers.all()))
    services.answer_remove(user=None, invitation=invitation, answer=dropped)
    assert services.response_changed(invitation, list(invitation.answers.all()))
