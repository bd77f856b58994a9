# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Review services: the pool, conflicts of interest (detected and declared), assignment, extra
reviews, drafts and submissions, and the scores other areas read."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tejido.accounts.models import ProgramRole, Role
from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.funds.models import (
    Assignment,
    CallReviewer,
    CallStatus,
    Conflict,
    ConflictDeclaration,
    Eligibility,
    Score,
)
from tejido.funds.reviews import selectors, services
from tejido.governance.models import BodyKind
from tejido.governance.tests.factories import BodyFactory, MandateFactory, SeatFactory
from tejido.network.tests.factories import TieFactory

from .factories import ApplicationFactory, PartnerFactory, representative_of, reviewer_of
from .factories_reviews import full_scores, review_world, submitted_review

pytestmark = pytest.mark.django_db


def errors_of(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


# -- the pool ---------------------------------------------------------------------------------


def test_adding_a_reviewer_gives_the_evaluator_role_once():
    world = review_world(reviewers=0)
    user = UserFactory()
    organization = ActorFactory(program=world.program)
    reviewer = services.reviewer_add(
        actor=world.coordinator, call=world.call, user=user, organization=organization, max_load=4
    )
    assert (reviewer.organization, reviewer.max_load, reviewer.is_active) == (organization, 4, True)
    assert ProgramRole.objects.filter(
        user=user, program=world.program, role=Role.EVALUATOR
    ).exists()
    assert AuditEntry.objects.filter(
        action="funds.reviewer.add", target_id=str(reviewer.pk)
    ).exists()
    with pytest.raises(ValidationError) as caught:
        services.reviewer_add(actor=world.coordinator, call=world.call, user=user)
    assert "already in this call's pool" in errors_of(caught.value)["email"][0]
    assert CallReviewer.objects.filter(call=world.call).count() == 1


def test_the_pool_refuses_bad_details_and_changes_nothing():
    world = review_world(reviewers=0)
    other_program_org = ActorFactory()
    with pytest.raises(ValidationError) as caught:
        services.reviewer_add(
            actor=world.coordinator, call=world.call, user=UserFactory(), max_load=0
        )
    assert "max_load" in errors_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.reviewer_add(
            actor=world.coordinator,
            call=world.call,
            user=UserFactory(),
            organization=other_program_org,
        )
    assert "organization" in errors_of(caught.value)
    with pytest.raises(ValidationError):
        services.reviewer_add(
            actor=world.coordinator, call=world.call, user=UserFactory(is_active=False)
        )
    assert not CallReviewer.objects.filter(call=world.call).exists()


def test_leaving_the_pool_withdraws_unfinished_reviews_and_coming_back_restores_the_member():
    world = review_world(applications=3, reviewers=1)
    (reviewer,) = world.reviewers
    done = submitted_review(world, reviewer, world.applications[0])
    Assignment.objects.create(application=world.applications[1], reviewer=reviewer)
    pending = Assignment.objects.create(application=world.applications[2], reviewer=reviewer)
    Score.objects.create(assignment=pending, criterion=world.criteria[0], value=3)
    withdrawn = services.reviewer_set_active(
        actor=world.coordinator, reviewer=reviewer, active=False
    )
    assert withdrawn == 2
    assert list(Assignment.objects.filter(reviewer=reviewer)) == [done]
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    again = services.reviewer_add(
        actor=world.coordinator, call=world.call, user=reviewer.user, max_load=2
    )
    assert again.pk == reviewer.pk and again.is_active and again.max_load == 2


def test_the_pool_is_closed_once_the_committee_decided():
    world = review_world(status=CallStatus.DECIDED)
    with pytest.raises(ValidationError) as caught:
        services.reviewer_add(actor=world.coordinator, call=world.call, user=UserFactory())
    assert caught.value.code == "decided"
    with pytest.raises(ValidationError):
        services.reviewer_update(
            actor=world.coordinator, reviewer=world.reviewers[0], organization=None, max_load=3
        )


# -- conflicts --------------------------------------------------------------------------------


def conflict_sources(world, reviewer, application) -> set[str]:
    return set(
        Conflict.objects.filter(reviewer=reviewer, application=application).values_list(
            "source", flat=True
        )
    )


def test_conflicts_from_work_representation_partners_ties_and_directorates():
    world = review_world(applications=5, reviewers=4, conflict_tie_intensity=2)
    works, speaks, tied, seated = world.reviewers
    a = world.applications
    # Works at the applicant of a[0]; speaks for a partner of a[1].
    works.organization = a[0].applicant
    works.save()
    PartnerFactory(application=a[1], organization=ActorFactory(program=world.program))
    partner = a[1].partners.get().organization
    representative_of(partner, user=speaks.user)
    # Works at an organization with a coordination tie (2) with a[2]'s applicant, and a
    # cooperation tie (1, below the threshold) with a[3]'s.
    tied.organization = ActorFactory(program=world.program)
    tied.save()
    TieFactory(source=tied.organization, target=a[2].applicant, intensity=2)
    TieFactory(source=tied.organization, target=a[3].applicant, intensity=1)
    # Holds a seat for an organization that sits on the same directorate as a[4]'s applicant.
    body = BodyFactory(program=world.program, kind=BodyKind.DIRECTORATE)
    mine = MandateFactory(seat=SeatFactory(body=body), holder_user=seated.user)
    MandateFactory(seat=SeatFactory(body=body), organization=a[4].applicant)
    # A round-table shared with a[3]'s applicant is not a directorate: no conflict.
    table = BodyFactory(program=world.program, kind=BodyKind.ROUND_TABLE)
    MandateFactory(seat=SeatFactory(body=table), organization=mine.organization)
    MandateFactory(seat=SeatFactory(body=table), organization=a[3].applicant)

    pairs = services.conflicts_detect(actor=world.coordinator, call=world.call)
    assert pairs == 4
    assert conflict_sources(world, works, a[0]) == {"applicant"}
    assert conflict_sources(world, speaks, a[1]) == {"partner"}
    assert conflict_sources(world, tied, a[2]) == {"tie"}
    assert conflict_sources(world, tied, a[3]) == set()
    assert conflict_sources(world, seated, a[4]) == {"seat"}
    assert conflict_sources(world, seated, a[3]) == set()
    detail = Conflict.objects.get(reviewer=tied).detail
    assert detail == {
        "organization": tied.organization.pk,
        "link": "works_at",
        "via": a[2].applicant.pk,
        "role": "applicant",
        "intensity": 2,
    }
    # Idempotent: running again changes nothing.
    before = set(Conflict.objects.values_list("pk", "reviewer_id", "application_id", "source"))
    assert services.conflicts_detect(actor=world.coordinator, call=world.call) == 4
    assert set(Conflict.objects.values_list("pk", "reviewer_id", "application_id", "source")) == (
        before
    )


def test_a_conflict_that_ends_is_removed_and_pending_work_of_a_new_one_withdrawn():
    world = review_world(applications=2, reviewers=2)
    first, second = world.reviewers
    first.organization = world.applications[0].applicant
    first.save()
    services.conflicts_detect(actor=world.coordinator, call=world.call)
    assert Conflict.objects.filter(reviewer=first).count() == 1
    # They change jobs: the old conflict goes, a new one appears; the pending assignment of
    # the new pair is withdrawn, the submitted review of another pair is kept and flagged.
    first.organization = world.applications[1].applicant
    first.save()
    Assignment.objects.create(application=world.applications[1], reviewer=first)
    second.organization = world.applications[0].applicant
    second.save()
    flagged = submitted_review(world, second, world.applications[0])
    services.conflicts_detect(actor=world.coordinator, call=world.call)
    assert set(Conflict.objects.values_list("reviewer_id", "application_id")) == {
        (first.pk, world.applications[1].pk),
        (second.pk, world.applications[0].pk),
    }
    assert not Assignment.objects.filter(reviewer=first).exists()
    assert Assignment.objects.filter(pk=flagged.pk).exists()
    # The flagged review does not count.
    assert selectors.scores_for_call(world.call) == {}


def test_declaring_a_conflict_hides_every_application_of_that_organization_at_once():
    world = review_world(applications=3, reviewers=1)
    (reviewer,) = world.reviewers
    organization = world.applications[0].applicant
    PartnerFactory(application=world.applications[1], organization=organization)
    for application in world.applications:
        Assignment.objects.create(application=application, reviewer=reviewer)
    declaration = services.conflict_declare(
        actor=reviewer.user,
        call=world.call,
        organization=organization,
        reason="  Soy socia de la   junta ",
    )
    assert declaration.reason == "Soy socia de la junta"
    assert set(Assignment.objects.values_list("application_id", flat=True)) == {
        world.applications[2].pk
    }
    conflict = Conflict.objects.get(reviewer=reviewer, application=world.applications[1])
    assert conflict.source == "declared"
    assert conflict.detail == {
        "organization": organization.pk,
        "role": "partner",
        "note": "Soy socia de la junta",
    }
    assert [
        a.application for a in selectors.assignments_for_user(reviewer.user, world.program)
    ] == [world.applications[2]]


def test_declarations_refuse_strangers_duplicates_and_empty_reasons():
    world = review_world(applications=1, reviewers=1)
    (reviewer,) = world.reviewers
    applicant = world.applications[0].applicant
    with pytest.raises(ValidationError) as caught:
        services.conflict_declare(
            actor=reviewer.user, call=world.call, organization=applicant, reason="  "
        )
    assert "reason" in errors_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.conflict_declare(
            actor=reviewer.user,
            call=world.call,
            organization=ActorFactory(program=world.program),
            reason="Trabajé allí",
        )
    assert "organization" in errors_of(caught.value)
    services.conflict_declare(
        actor=reviewer.user, call=world.call, organization=applicant, reason="Trabajé allí"
    )
    with pytest.raises(ValidationError) as caught:
        services.conflict_declare(
            actor=reviewer.user, call=world.call, organization=applicant, reason="Otra vez"
        )
    assert "You already declared a conflict with" in errors_of(caught.value)["organization"][0]
    with pytest.raises(PermissionDenied):
        services.conflict_declare(
            actor=UserFactory(), call=world.call, organization=applicant, reason="No soy revisor"
        )
    assert ConflictDeclaration.objects.count() == 1


# -- assignment -------------------------------------------------------------------------------


def test_assignment_gives_each_eligible_application_its_reviewers_evenly_and_mails_them(
    django_capture_on_commit_callbacks,
):
    world = review_world(applications=6, reviewers=4, per_application=2)
    world.reviewers[0].user.preferred_language = "en"
    world.reviewers[0].user.save()
    ineligible = ApplicationFactory(call=world.call, eligibility=Eligibility.INELIGIBLE)
    draft = ApplicationFactory(call=world.call, draft=True)
    # Reviewer 0 works at application 0's applicant.
    world.reviewers[0].organization = world.applications[0].applicant
    world.reviewers[0].save()
    with django_capture_on_commit_callbacks(execute=True):
        created = services.reviews_assign(
            actor=world.coordinator, call=world.call, base_url="https://tejido.example/"
        )
    assert created == 12
    pairs = set(Assignment.objects.values_list("reviewer_id", "application_id"))
    assert (world.reviewers[0].pk, world.applications[0].pk) not in pairs
    assert not {a for _r, a in pairs} & {ineligible.pk, draft.pk}
    for application in world.applications:
        assert application.assignments.count() == 2
    loads = sorted(Assignment.objects.filter(reviewer=r).count() for r in world.reviewers)
    assert loads == [3, 3, 3, 3]
    assert len(mail.outbox) == 4
    english = next(m for m in mail.outbox if m.to == [world.reviewers[0].user.email])
    assert "3 applications to review" in english.subject
    assert f"https://tejido.example/p/{world.program.slug}/funds/reviews/" in english.body
    # Again: nothing new, nothing lost.
    assert services.reviews_assign(actor=world.coordinator, call=world.call) == 0
    assert set(Assignment.objects.values_list("reviewer_id", "application_id")) == pairs


def test_assignment_waits_for_the_call_to_close_and_stops_at_the_decision():
    world = review_world(closed=False)
    with pytest.raises(ValidationError) as caught:
        services.reviews_assign(actor=world.coordinator, call=world.call)
    assert caught.value.code == "not_closed"
    world = review_world(status=CallStatus.DECIDED)
    with pytest.raises(ValidationError) as caught:
        services.reviews_assign(actor=world.coordinator, call=world.call)
    assert caught.value.code == "decided"
    assert not Assignment.objects.exists()


def test_assignment_withdraws_pending_reviews_of_applications_no_longer_eligible():
    world = review_world(applications=2, reviewers=2, per_application=1)
    services.reviews_assign(actor=world.coordinator, call=world.call)
    dropped = world.applications[0]
    dropped.eligibility_override = False
    dropped.save()
    services.reviews_assign(actor=world.coordinator, call=world.call)
    assert not Assignment.objects.filter(application=dropped).exists()
    assert Assignment.objects.filter(application=world.applications[1]).count() == 1


def test_assignment_reports_applications_short_of_free_reviewers():
    world = review_world(applications=2, reviewers=2, per_application=2)
    world.reviewers[0].organization = world.applications[0].applicant
    world.reviewers[0].save()
    assert services.reviews_assign(actor=world.coordinator, call=world.call) == 3
    page = selectors.overview(world.call)
    short = {row.application.pk: row.short for row in page.applications}
    assert short == {world.applications[0].pk: 1, world.applications[1].pk: 0}
    entry = AuditEntry.objects.get(action="funds.reviews.assign")
    assert entry.data["short"] == {str(world.applications[0].pk): 1}


def test_an_extra_review_goes_to_the_least_loaded_free_reviewer(django_capture_on_commit_callbacks):
    world = review_world(applications=3, reviewers=4, per_application=2)
    first, second, busy, free = world.reviewers
    target = world.applications[0]
    submitted_review(world, first, target, (5, 5))
    submitted_review(world, second, target, (1, 2))
    for application in world.applications[1:]:
        Assignment.objects.create(application=application, reviewer=busy)
    Assignment.objects.create(application=world.applications[1], reviewer=free)
    assert selectors.scores_for_call(world.call)[target.pk].disagreement
    with django_capture_on_commit_callbacks(execute=True):
        extra = services.review_extra(actor=world.coordinator, application=target)
    assert extra.reviewer == free and extra.is_extra
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [free.user.email]
    # Then the same ask picks busy (the only one left), then nobody.
    assert services.review_extra(actor=world.coordinator, application=target).reviewer == busy
    with pytest.raises(ValidationError) as caught:
        services.review_extra(actor=world.coordinator, application=target)
    assert caught.value.code == "nobody_free"
    # Extra reviews count in what the application needs from then on.
    page = selectors.overview(world.call)
    assert next(r for r in page.applications if r.application == target).needed == 4


# -- writing a review -------------------------------------------------------------------------


def test_a_draft_may_be_incomplete_and_a_submission_may_not():
    world = review_world(applications=1, reviewers=1)
    (reviewer,) = world.reviewers
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    pertinence, participation = world.criteria
    services.review_save(
        actor=reviewer.user,
        assignment=assignment,
        scores={pertinence.pk: Decimal("4")},
        comments={pertinence.pk: "Muy pertinente"},
        comment="",
    )
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    assert Score.objects.get(assignment=assignment).comment == "Muy pertinente"
    with pytest.raises(ValidationError) as caught:
        services.review_submit(
            actor=reviewer.user,
            assignment=assignment,
            scores={pertinence.pk: Decimal("4"), participation.pk: Decimal("7")},
            comments={},
            comment="",
        )
    errors = errors_of(caught.value)
    assert errors[f"score_{participation.pk}"] == ["The score goes from 0 to 5."]
    with pytest.raises(ValidationError) as caught:
        services.review_submit(
            actor=reviewer.user,
            assignment=assignment,
            scores={pertinence.pk: Decimal("4")},
            comments={},
            comment="",
        )
    errors = errors_of(caught.value)
    assert errors[f"score_{participation.pk}"] == ["Give a score from 0 to 5."]
    with pytest.raises(ValidationError) as caught:
        services.review_submit(
            actor=reviewer.user,
            assignment=assignment,
            scores=full_scores(world),
            comments={},
            comment="   ",
        )
    assert list(errors_of(caught.value)) == ["comment"]
    assignment.refresh_from_db()
    assert assignment.submitted_at is None and assignment.total is None


def test_submitting_stores_the_weighted_total_and_can_be_changed_until_the_end():
    world = review_world(applications=1, reviewers=1)
    (reviewer,) = world.reviewers
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    done = services.review_submit(
        actor=reviewer.user,
        assignment=assignment,
        scores=full_scores(world, (4, 3)),
        comments={},
        comment="Sólido",
    )
    # (2·4/5 + 1·3/5) / 3 = 73.33
    assert done.total == Decimal("73.33") and done.submitted_at is not None
    changed = services.review_submit(
        actor=reviewer.user,
        assignment=done,
        scores=full_scores(world, (5, 5)),
        comments={},
        comment="Mejor de lo que pensé",
        seen=done.updated_at,
    )
    assert changed.total == Decimal("100.00")
    assert AuditEntry.objects.filter(action="funds.review.resubmit").count() == 1
    with pytest.raises(ValidationError) as caught:
        services.review_save(
            actor=reviewer.user,
            assignment=changed,
            scores={},
            comments={},
            comment="",
        )
    assert caught.value.code == "submitted"


def test_a_form_older_than_the_last_change_is_refused():
    world = review_world(applications=1, reviewers=1)
    (reviewer,) = world.reviewers
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    opened = assignment.updated_at
    services.review_submit(
        actor=reviewer.user,
        assignment=assignment,
        scores=full_scores(world, (4, 4)),
        comments={},
        comment="Primera pestaña",
        seen=opened,
    )
    with pytest.raises(ValidationError) as caught:
        services.review_submit(
            actor=reviewer.user,
            assignment=assignment,
            scores=full_scores(world, (1, 1)),
            comments={},
            comment="Segunda pestaña",
            seen=opened,
        )
    assert caught.value.code == "stale"
    assignment.refresh_from_db()
    assert assignment.comment == "Primera pestaña"


def test_only_the_assigned_reviewer_without_conflict_writes_the_review():
    world = review_world(applications=1, reviewers=2)
    mine, other = world.reviewers
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=mine)
    for actor in (other.user, world.coordinator, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.review_save(
                actor=actor, assignment=assignment, scores={}, comments={}, comment="x"
            )
    Conflict.objects.create(reviewer=mine, application=world.applications[0], source="declared")
    with pytest.raises(PermissionDenied):
        services.review_submit(
            actor=mine.user,
            assignment=assignment,
            scores=full_scores(world),
            comments={},
            comment="x",
        )


def test_reviews_close_with_the_evaluation_and_the_decision():
    world = review_world(
        applications=1,
        reviewers=1,
        evaluation_ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    (reviewer,) = world.reviewers
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    with pytest.raises(ValidationError) as caught:
        services.review_submit(
            actor=reviewer.user,
            assignment=assignment,
            scores=full_scores(world),
            comments={},
            comment="Tarde",
        )
    assert caught.value.code == "evaluation_over"
    # A submission dated within the evaluation (the demo's) is accepted.
    services.review_submit(
        actor=reviewer.user,
        assignment=assignment,
        scores=full_scores(world),
        comments={},
        comment="A tiempo",
        at=timezone.now() - datetime.timedelta(days=3),
    )
    world.call.status = CallStatus.DECIDED
    world.call.save()
    with pytest.raises(ValidationError) as caught:
        services.review_submit(
            actor=reviewer.user,
            assignment=assignment,
            scores=full_scores(world),
            comments={},
            comment="Después",
            at=timezone.now() - datetime.timedelta(days=3),
        )
    assert caught.value.code == "decided"


# -- what other areas read --------------------------------------------------------------------


def test_scores_for_call_in_a_few_queries_with_normalization(django_assert_max_num_queries):
    world = review_world(applications=6, reviewers=3, normalize_scores=True)
    harsh, lenient, _idle = world.reviewers
    for index, application in enumerate(world.applications):
        submitted_review(world, harsh, application, (1 + index % 3, 1))
        submitted_review(world, lenient, application, (3 + index % 3, 5))
    not_eligible = ApplicationFactory(call=world.call, eligibility=Eligibility.INELIGIBLE)
    submitted_review(world, harsh, not_eligible, (5, 5))
    with django_assert_max_num_queries(5):
        scores = selectors.scores_for_call(world.call)
    assert set(scores) == {a.pk for a in world.applications}
    first = scores[world.applications[0].pk]
    assert first.review_count == 2
    assert first.criterion_means == {world.criteria[0].pk: 2.0, world.criteria[1].pk: 3.0}
    assert first.total != first.raw_total  # normalized
    world.call.normalize_scores = False
    assert selectors.scores_for_call(world.call)[world.applications[0].pk].total == (
        first.raw_total
    )


def test_scores_flag_disqualification_by_a_criterion_minimum():
    world = review_world(applications=1, reviewers=2)
    for reviewer in world.reviewers:
        submitted_review(world, reviewer, world.applications[0], (5, 1))
    score = selectors.scores_for_call(world.call)[world.applications[0].pk]
    assert score.disqualified_by == [world.criteria[1].pk]


def test_assignments_for_user_pending_first_without_conflicts():
    world = review_world(applications=3, reviewers=1)
    (reviewer,) = world.reviewers
    done = submitted_review(world, reviewer, world.applications[0])
    pending = Assignment.objects.create(application=world.applications[1], reviewer=reviewer)
    hidden = Assignment.objects.create(application=world.applications[2], reviewer=reviewer)
    Conflict.objects.create(reviewer=reviewer, application=world.applications[2], source="tie")
    listed = selectors.assignments_for_user(reviewer.user, world.program)
    assert listed == [pending, done]
    assert hidden not in listed
    assert selectors.assignments_for_user(UserFactory(), world.program) == []
    reviewer.is_active = False
    reviewer.save()
    assert selectors.assignments_for_user(reviewer.user, world.program) == []


def test_reviewer_of_the_factories_is_in_the_pool():
    world = review_world(reviewers=0)
    reviewer = reviewer_of(world.call)
    assert reviewer.is_active and reviewer.call == world.call


def test_conflicts_in_words():
    world = review_world(applications=2, reviewers=2)
    tied, seated = world.reviewers
    tied.user.first_name, tied.user.last_name = "Tomás", "Vera"
    tied.user.save()
    tied.organization = ActorFactory(program=world.program, name="Junta de Vecinos 5")
    tied.save()
    applicant = world.applications[0].applicant
    TieFactory(source=tied.organization, target=applicant, intensity=2)
    body = BodyFactory(program=world.program, kind=BodyKind.DIRECTORATE, name="Directorio Sur")
    MandateFactory(seat=SeatFactory(body=body), holder_user=seated.user)
    partner = PartnerFactory(application=world.applications[1]).organization
    MandateFactory(seat=SeatFactory(body=body), organization=partner)
    services.conflicts_detect(actor=world.coordinator, call=world.call)
    sentences = {row.reviewer: row.sentences for row in selectors.conflict_rows(world.call)}
    assert sentences["Tomás Vera"] == [
        f"Tomás Vera works at Junta de Vecinos 5, whose tie with the applicant, {applicant.name},"
        " is of “coordination” intensity."
    ]
    (seat_sentence,) = sentences[selectors.reviewer_name(seated.user)]
    assert "holds a governance seat for" in seat_sentence
    assert f"which sits on Directorio Sur with {partner.name}, a partner in the project." in (
        seat_sentence
    )
