# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Ranking and allocation services: the problem of a call, runs, the decision, the results."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tejido.accounts.tests.factories import UserFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import TerritoryFactory, ThemeFactory
from tejido.funds.allocation import Outcome
from tejido.funds.models import (
    AllocationRun,
    Award,
    CallStatus,
    Eligibility,
    QuotaKind,
    RankingSource,
)
from tejido.funds.ranking import selectors, services
from tejido.governance.models import BodyKind, PollStatus
from tejido.governance.tests.factories import BodyFactory, PollFactory

from .factories import (
    ApplicationFactory,
    CallFactory,
    QuotaFactory,
    coordinator_of,
    representative_of,
)
from .factories_ranking import reviewed_call

pytestmark = pytest.mark.django_db


def funded_titles(run: AllocationRun) -> set[str]:
    from tejido.funds.models import Application

    ids = [
        int(pk)
        for pk, entry in run.outcome["applications"].items()
        if entry["outcome"] in ("funded", "partial")
    ]
    return set(Application.objects.filter(pk__in=ids).values_list("title", flat=True))


# -- the problem of a call ---------------------------------------------------------------


def test_problem_for_call_scores_groups_quotas_and_ineligible():
    parent = TerritoryFactory(name="La Pintana")
    child = TerritoryFactory(name="El Castillo", parent=parent)
    theme = ThemeFactory()
    call, apps = reviewed_call()
    apps[0].territory = child
    apps[0].theme = theme
    apps[0].save()
    QuotaFactory(call=call, territory=parent, kind=QuotaKind.MAXIMUM, share=Decimal("0.25"))
    QuotaFactory(call=call, territory=None, theme=theme, kind=QuotaKind.MINIMUM, share="0.1")
    outsider = ApplicationFactory(call=call, eligibility=Eligibility.INELIGIBLE)
    ApplicationFactory(call=call, draft=True)

    problem = selectors.problem_for_call(call)
    by_id = {p.id: p for p in problem.projects}
    assert len(by_id) == 5  # the draft is left out
    first = by_id[str(apps[0].pk)]
    assert first.score == pytest.approx(100)
    assert first.cost == Decimal("3000000")
    assert first.groups == {
        f"territory:{parent.pk}",
        f"territory:{child.pk}",
        f"theme:{theme.pk}",
    }
    assert by_id[str(outsider.pk)].eligible is False
    assert problem.budget == Decimal("6000000")
    assert problem.score_threshold == 40
    quotas = {q.group: q for q in problem.quotas}
    assert quotas[f"territory:{parent.pk}"].maximum == Decimal("1500000")
    assert quotas[f"territory:{parent.pk}"].label == "La Pintana"
    assert quotas[f"theme:{theme.pk}"].minimum == Decimal("600000")
    assert problem.unit == Decimal(1)


def test_problem_for_call_disqualifies_below_a_criterion_minimum():
    call, apps = reviewed_call(values=[(5, 5), (5, 1), (3, 3), (2, 2)])
    project = {p.id: p for p in selectors.problem_for_call(call).projects}[str(apps[1].pk)]
    assert project.disqualified_by == ("Participación comunitaria",)
    assert project.shortfalls[0].mean == 1
    assert project.shortfalls[0].minimum == 2
    assert project.shortfalls[0].scale == 5


def test_problem_for_call_overrides_and_public_votes():
    call, apps = reviewed_call()
    quota = QuotaFactory(call=call, kind=QuotaKind.MAXIMUM, share=Decimal("0.5"))
    problem = selectors.problem_for_call(
        call,
        budget=Decimal("8000000"),
        partial=True,
        min_partial_share=Decimal("0.6"),
        threshold=None,
        quota_shares={quota.pk: Decimal("0.25")},
    )
    assert problem.budget == Decimal("8000000")
    assert problem.partial is True
    assert problem.min_partial_share == pytest.approx(0.6)
    assert problem.score_threshold is None
    assert problem.quotas[0].maximum == Decimal("2000000")

    call.ranking_source = RankingSource.PUBLIC_VOTE
    call.save()
    apps[0].public_votes = 12
    apps[0].save()
    apps[1].public_score = Decimal("40.5")
    apps[1].save()
    projects = {p.id: p for p in selectors.problem_for_call(call).projects}
    assert projects[str(apps[0].pk)].score == 12
    assert projects[str(apps[1].pk)].score == 40.5
    assert projects[str(apps[2].pk)].score == 0
    assert selectors.problem_for_call(call).score_threshold is None
    with pytest.raises(TypeError):
        selectors.problem_for_call(call, colour="red")


# -- runs ---------------------------------------------------------------------------------


def test_allocation_run_keeps_every_outcome_with_its_reason():
    call, apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator, call=call, rule="optimal")
    assert not run.is_what_if
    assert funded_titles(run) == {"Proyecto 2", "Proyecto 3", "Proyecto 4"}
    assert run.total_awarded == Decimal("6000000")
    entry = run.outcome["applications"][str(apps[0].pk)]
    assert entry["outcome"] == Outcome.NOT_CHOSEN
    assert entry["amount"] == "0"
    assert entry["rank"] == 1
    assert entry["score"] == pytest.approx(100)
    assert entry["reason"]["displaced_count"] == 2
    assert Decimal(run.outcome["total"]) == Decimal("6000000")
    assert run.parameters["rule"] == "optimal"
    assert run.parameters["scores"][str(apps[0].pk)]["reviews"] == 2
    assert AuditEntry.objects.filter(action="funds.allocation.run").count() == 1

    greedy = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    assert funded_titles(greedy) == {"Proyecto 1", "Proyecto 2"}


def test_allocation_run_refusals():
    call, _ = reviewed_call()
    coordinator = coordinator_of(call.program)
    with pytest.raises(PermissionDenied):
        services.allocation_run(actor=UserFactory(), call=call, rule="greedy")
    with pytest.raises(ValidationError) as error:
        services.allocation_run(actor=coordinator, call=call, rule="lottery")
    assert "rule" in error.value.message_dict
    with pytest.raises(ValidationError, match="what-if"):
        services.allocation_run(actor=coordinator, call=call, rule="greedy", budget=1)
    open_call = CallFactory(program=call.program)
    with pytest.raises(ValidationError, match="once the call has closed"):
        services.allocation_run(actor=coordinator, call=open_call, rule="greedy")
    assert not AllocationRun.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget": "0"}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"threshold": "120"}, "threshold"),
        ({"min_partial_share": "0"}, "min_partial_share"),
        ({"quota_shares": {999999: "0.2"}}, "quota_shares"),
    ],
)
def test_what_if_bad_values_are_refused_at_their_field(overrides, field):
    call, _ = reviewed_call()
    with pytest.raises(ValidationError) as error:
        services.allocation_run(
            actor=coordinator_of(call.program), call=call, rule="greedy", what_if=True, **overrides
        )
    assert field in error.value.message_dict
    assert not AllocationRun.objects.exists()


def test_what_if_minimum_shares_over_the_budget_are_refused():
    call, _ = reviewed_call()
    first = QuotaFactory(call=call, kind=QuotaKind.MINIMUM, share=Decimal("0.5"))
    second = QuotaFactory(call=call, kind=QuotaKind.MINIMUM, share=Decimal("0.4"))
    with pytest.raises(ValidationError) as error:
        services.allocation_run(
            actor=coordinator_of(call.program),
            call=call,
            rule="optimal",
            what_if=True,
            quota_shares={first.pk: "0.7", second.pk: "0.4"},
        )
    assert "more than the whole budget" in error.value.message_dict["quota_shares"][0]


def test_what_if_changes_nothing_of_the_call_and_shows_who_moves():
    call, apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    base = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    what_if = services.allocation_run(
        actor=coordinator, call=call, rule="greedy", what_if=True, budget=Decimal("9000000")
    )
    call.refresh_from_db()
    assert call.budget == Decimal("6000000")
    assert what_if.is_what_if
    result = selectors.what_if_result(what_if, base)
    assert [c.application.pk for c in result.entered] == [apps[2].pk, apps[3].pk]
    assert result.left == []
    assert result.total_after == Decimal("9000000")
    assert selectors.latest_run(call) == base


# -- the decision -------------------------------------------------------------------------


def test_call_decide_records_the_decision_and_creates_the_awards():
    call, apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    with pytest.raises(ValidationError) as error:
        services.call_decide(actor=coordinator, call=call, run=run, note="  ")
    assert "note" in error.value.message_dict
    what_if = services.allocation_run(actor=coordinator, call=call, rule="greedy", what_if=True)
    with pytest.raises(ValidationError) as error:
        services.call_decide(actor=coordinator, call=call, run=what_if, note="Por puntaje")
    assert "run" in error.value.message_dict

    awards = services.call_decide(
        actor=coordinator, call=call, run=run, note="Se financian los mejor evaluados."
    )
    call.refresh_from_db()
    assert call.status == CallStatus.DECIDED
    assert call.decided_by == coordinator
    assert call.decision_note == "Se financian los mejor evaluados."
    assert {a.application_id for a in awards} == {apps[0].pk, apps[1].pk}
    assert selectors.decided_run(call) == run
    assert AuditEntry.objects.filter(action="funds.call.decide").exists()

    with pytest.raises(ValidationError, match="already decided"):
        services.call_decide(actor=coordinator, call=call, run=run, note="Otra vez")
    with pytest.raises(ValidationError, match="what-if"):
        services.allocation_run(actor=coordinator, call=call, rule="optimal")
    # Exploring stays possible.
    assert services.allocation_run(actor=coordinator, call=call, rule="optimal", what_if=True)


def test_a_run_of_another_call_cannot_be_decided():
    call, _ = reviewed_call()
    other, _ = reviewed_call()
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator_of(other.program), call=other, rule="greedy")
    with pytest.raises(ValidationError) as error:
        services.call_decide(actor=coordinator, call=call, run=run, note="Por puntaje")
    assert "run" in error.value.message_dict
    assert not Award.objects.exists()


def directorate_poll(program, *, passed=True, kind=BodyKind.DIRECTORATE, status=PollStatus.CLOSED):
    body = BodyFactory(program=program, kind=kind)
    return PollFactory(
        body=body,
        method="majority",
        status=status,
        closed_at=timezone.now() if status == PollStatus.CLOSED else None,
        result={"passed": passed},
    )


def test_a_directorate_decision_is_required_when_the_call_says_so():
    call, _ = reviewed_call(requires_directorate_decision=True)
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    cases = [
        (None, "needs the directorate's approval"),
        (directorate_poll(call.program, kind=BodyKind.COUNCIL), "directorate"),
        (directorate_poll(call.program, passed=False), "did not approve"),
        (directorate_poll(call.program, status=PollStatus.OPEN, passed=None), "did not approve"),
        (directorate_poll(CallFactory().program), "directorate"),
    ]
    for poll, message in cases:
        with pytest.raises(ValidationError) as error:
            services.call_decide(actor=coordinator, call=call, run=run, note="Ok", poll=poll)
        assert message in error.value.message_dict["poll"][0]
    assert not Award.objects.exists()
    poll = directorate_poll(call.program)
    services.call_decide(actor=coordinator, call=call, run=run, note="Aprobado", poll=poll)
    call.refresh_from_db()
    assert call.decision_poll == poll


def test_publishing_results_tells_every_applicant_its_outcome_in_its_language():
    call, apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    winner = representative_of(apps[0].applicant, UserFactory(email="gana@example.org"))
    loser = representative_of(apps[3].applicant, UserFactory(email="pierde@example.org"))
    winner.preferred_language = "en"
    winner.save()
    loser.preferred_language = "en"
    loser.save()
    with pytest.raises(ValidationError, match="after the committee's decision"):
        services.call_publish_results(actor=coordinator, call=call)
    run = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    services.call_decide(actor=coordinator, call=call, run=run, note="Por puntaje")
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        services.call_publish_results(actor=winner, call=call)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.call_publish_results(actor=coordinator, call=call, base_url="https://x.test")
    call.refresh_from_db()
    assert call.status == CallStatus.RESULTS_PUBLISHED
    assert call.results_published_at is not None
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "is funded" in by_address["gana@example.org"].subject
    assert "Funded in full" in by_address["gana@example.org"].body
    assert "when its turn came" in by_address["pierde@example.org"].body
    assert f"https://x.test/p/{call.program.slug}/funds/calls/{call.pk}/" in (
        by_address["pierde@example.org"].body
    )
    with pytest.raises(ValidationError, match="already published"):
        services.call_publish_results(actor=coordinator, call=call)


def test_a_call_still_open_cannot_be_decided():
    call, _ = reviewed_call()
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    call.closes_at = timezone.now() + datetime.timedelta(days=1)
    call.save()
    with pytest.raises(ValidationError, match="still open"):
        services.call_decide(actor=coordinator, call=call, run=run, note="Ok")
