# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
"""Network analytics services: loading the graph, requesting and computing an analysis,
keeping snapshots, refreshing and deciding on suggested introductions."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry, Cycle
from tejido.core.tests.factories import TerritoryFactory, ThemeFactory
from tejido.network.analytics import services
from tejido.network.analytics.graph import load_graph, load_network, ties_at
from tejido.network.analytics.selectors import latest_snapshot, metrics_by_actor, ties_version
from tejido.network.analytics.services import (
    analysis_compute,
    analysis_refresh_if_stale,
    analysis_request,
    opportunity_accept,
    opportunity_dismiss,
    opportunity_introduce,
)
from tejido.network.models import (
    ActorMetrics,
    AnalysisRun,
    AnalysisStatus,
    NetworkSnapshot,
    Opportunity,
    OpportunityStatus,
    Provenance,
    Tie,
    TieType,
)
from tejido.network.services import tie_create, tie_end
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db


def tie(a, b, **kwargs):
    return TieFactory(source=a, target=b, **kwargs)


def two_groups(program, size=5):
    """Two tight groups joined by a single broker, plus one isolated actor.

    Group members share their territory and a theme; the second group is public-sector.
    """
    north, south = TerritoryFactory(), TerritoryFactory()
    health, housing = ThemeFactory(), ThemeFactory()
    left = [ActorFactory(program=program, territory=north) for _ in range(size)]
    right = [
        ActorFactory(program=program, territory=south, sector=Sector.PUBLIC) for _ in range(size)
    ]
    for actor in left:
        actor.themes.add(health)
    for actor in right:
        actor.themes.add(health, housing)
    for group in (left, right):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                tie(a, b)
    broker = ActorFactory(program=program, territory=north, sector=Sector.THIRD_SECTOR)
    tie(broker, left[0], intensity=4)
    tie(broker, right[0], intensity=4)
    isolate = ActorFactory(program=program, territory=north)
    isolate.themes.add(health)
    return {"left": left, "right": right, "broker": broker, "isolate": isolate}


def run_now(program, cycle=None, user=None):
    run = AnalysisRun.objects.create(program=program, cycle=cycle, requested_by=user)
    return analysis_compute(run)


# --- loading ---------------------------------------------------------------------------------


def test_load_graph_reads_actors_ties_weights_and_attributes(program):
    health = ThemeFactory()
    place = TerritoryFactory()
    a = ActorFactory(program=program, territory=place)
    b = ActorFactory(program=program, sector=Sector.PUBLIC)
    c = ActorFactory(program=program, sector=Sector.PRIVATE)
    a.themes.add(health)
    tie(a, b, intensity=0)
    TieFactory(source=c, target=a, tie_type=TieType.FUNDING, directed=True, intensity=3)
    ActorFactory()  # another program's actor is not loaded

    graph, ids = load_graph(program)

    assert ids == sorted([a.pk, b.pk, c.pk])
    assert graph.size == 3
    index = {actor_id: i for i, actor_id in enumerate(ids)}
    edges = {
        (ids[s], ids[t]): (w, d)
        for s, t, w, d in zip(
            graph.sources, graph.targets, graph.weights, graph.directed, strict=True
        )
    }
    assert edges == {(a.pk, b.pk): (1.0, False), (c.pk, a.pk): (4.0, True)}
    assert list(graph.sectors) == [Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE]
    assert graph.territories[index[a.pk]] == place.pk
    assert graph.territories[index[b.pk]] is None
    # Linking: the public body, and the funder at the source of a funding tie.
    assert graph.linking.tolist() == [False, True, True]
    assert graph.themes[index[a.pk]] == frozenset({health.pk})
    assert graph.themes[index[b.pk]] == frozenset()


def test_load_graph_leaves_out_ended_and_replaced_versions(program, django_assert_max_num_queries):
    a, b, c = (ActorFactory(program=program) for _ in range(3))
    first = tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION, intensity=1)
    tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION, intensity=3)
    ended = tie_create(user=None, source=b, target=c, tie_type=TieType.SUPPORT)
    tie_end(user=None, tie=ended, ended_on=timezone.localdate() - datetime.timedelta(days=1))
    with django_assert_max_num_queries(3):
        loaded = load_network(program)
    assert len(loaded.tie_types) == 1
    assert loaded.graph.weights.tolist() == [4.0]
    assert Tie.objects.filter(pk=first.pk, superseded_at__isnull=False).exists()


def test_ties_at_a_cycle_are_those_on_record_and_in_force_at_its_end(program):
    cycle = Cycle.objects.get(program=program, number=1)  # 2024, over
    a, b, c, d = (ActorFactory(program=program) for _ in range(4))
    end = timezone.make_aware(datetime.datetime(2024, 12, 1))
    after = timezone.make_aware(datetime.datetime(2025, 3, 1))
    kept = tie(a, b, recorded_at=end, started_on=datetime.date(2024, 2, 1))
    tie(b, c, recorded_at=after)  # recorded after the cycle ended
    tie(c, d, recorded_at=end, started_on=datetime.date(2025, 1, 5))  # starts later
    tie(a, d, recorded_at=end, ended_on=datetime.date(2024, 6, 30))  # ended during the cycle
    # A correction recorded after the cycle does not rewrite it.
    kept.superseded_at = after
    kept.save(update_fields=["superseded_at"])
    tie(a, b, recorded_at=after, intensity=4, previous=kept)

    assert list(ties_at(program, cycle)) == [kept]
    assert ties_at(program).count() == 3  # today: the correction, b–c and c–d


# --- fingerprint -----------------------------------------------------------------------------


def test_ties_version_changes_with_every_tie_change_and_new_actor(program):
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    versions = [ties_version(program)]
    created = tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION)
    versions.append(ties_version(program))
    updated = tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION, intensity=3)
    versions.append(ties_version(program))
    tie_end(user=None, tie=updated)
    versions.append(ties_version(program))
    ActorFactory(program=program)
    versions.append(ties_version(program))
    # An edit within the same second as the last one is a new version too.
    a.sector = "public" if a.sector != "public" else "private"
    a.save()
    versions.append(ties_version(program))
    assert len(set(versions)) == len(versions)
    assert ties_version(program) == versions[-1]  # stable when nothing changes
    assert created.pk


# --- requesting ------------------------------------------------------------------------------


def test_request_queues_one_run_while_one_is_waiting(program, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = analysis_request(user=None, program=program)
        second = analysis_request(user=None, program=program)
    assert first == second
    assert first.status == AnalysisStatus.QUEUED
    assert first.ties_version == ties_version(program)
    assert len(callbacks) == 1
    # Another scope (a cycle) is a different computation.
    cycle = Cycle.objects.get(program=program, number=1)
    with django_capture_on_commit_callbacks():
        other = analysis_request(user=None, program=program, cycle=cycle)
    assert other != first
    assert AuditEntry.objects.filter(action="network.analysis_request").count() == 2


def test_request_after_a_finished_run_queues_a_new_one(program, django_capture_on_commit_callbacks):
    ActorFactory(program=program)
    with django_capture_on_commit_callbacks(execute=True):
        first = analysis_request(user=None, program=program)
    first.refresh_from_db()
    assert first.status == AnalysisStatus.DONE
    with django_capture_on_commit_callbacks(execute=True):
        second = analysis_request(user=None, program=program)
    assert second != first
    assert NetworkSnapshot.objects.filter(program=program).count() == 2


def test_a_run_stuck_for_hours_no_longer_blocks_requests(
    program, django_capture_on_commit_callbacks
):
    stuck = AnalysisRun.objects.create(
        program=program,
        status=AnalysisStatus.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(hours=5),
    )
    with django_capture_on_commit_callbacks():
        run = analysis_request(user=None, program=program)
    assert run != stuck
    stuck.refresh_from_db()
    assert stuck.status == AnalysisStatus.FAILED


def test_request_refuses_another_programs_cycle(program):
    other = Cycle.objects.exclude(program=program).first() or Cycle.objects.create(
        program=ActorFactory().program,
        number=9,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 2, 1),
    )
    with pytest.raises(ValidationError):
        analysis_request(user=None, program=program, cycle=other)


def test_refresh_if_stale_requests_only_when_the_ties_changed(
    program, django_capture_on_commit_callbacks
):
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    with django_capture_on_commit_callbacks(execute=True):
        assert analysis_refresh_if_stale(user=None, program=program) is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert analysis_refresh_if_stale(user=None, program=program) is None
    assert callbacks == []
    tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION)
    with django_capture_on_commit_callbacks(execute=True):
        assert analysis_refresh_if_stale(user=None, program=program) is not None
    assert latest_snapshot(program).tie_count == 1


# --- computing -------------------------------------------------------------------------------


def test_compute_stores_snapshot_metrics_and_opportunities(program):
    world = two_groups(program)
    run = AnalysisRun.objects.create(program=program)

    snapshot = analysis_compute(run)

    run.refresh_from_db()
    assert run.status == AnalysisStatus.DONE
    assert run.progress == 100
    assert run.finished_at is not None
    assert run.ties_version == snapshot.ties_version == ties_version(program)
    assert snapshot.run == run
    assert snapshot.as_of == timezone.localdate()
    assert snapshot.actor_count == 12
    assert snapshot.tie_count == 2 * 10 + 2
    metrics = metrics_by_actor(program)
    assert set(metrics) == set(program.actors.values_list("pk", flat=True))
    broker = metrics[world["broker"].pk]
    assert broker["is_critical"]
    assert broker["betweenness"] == max(m["betweenness"] for m in metrics.values())
    assert metrics[world["isolate"].pk]["is_isolate"]
    assert metrics[world["isolate"].pk]["constraint"] is None  # NaN stored as "no value"
    # The whole network, its territories, its theme shared by all but the broker, its types.
    scopes = {(e["scope"], e["key"]) for e in snapshot.summary["networks"]}
    assert ("all", "") in scopes
    assert ("territory", str(world["left"][0].territory_id)) in scopes
    assert ("tie_type", TieType.COLLABORATION) in scopes
    whole = next(e for e in snapshot.summary["networks"] if e["scope"] == "all")
    assert whole["metrics"]["size"] == 12
    assert whole["actors"]["isolates"] == 1
    assert sorted(snapshot.summary["bridges"]) == sorted(
        [
            sorted([world["broker"].pk, world["left"][0].pk]),
            sorted([world["broker"].pk, world["right"][0].pk]),
        ]
    )
    assert snapshot.summary["communities"][0]["size"] >= 5
    # Suggestions, with reasons naming actors by id.
    opportunities = list(Opportunity.objects.filter(program=program))
    assert opportunities
    assert all(o.status == OpportunityStatus.OPEN and o.snapshot == snapshot for o in opportunities)
    assert all(o.actor_a_id < o.actor_b_id for o in opportunities)
    actor_ids = set(program.actors.values_list("pk", flat=True))
    for o in opportunities:
        for reason in o.reasons:
            assert set(reason.get("via", [])) <= actor_ids
            if reason.get("broker") is not None:
                assert reason["broker"] in actor_ids
    assert any(world["isolate"].pk in (o.actor_a_id, o.actor_b_id) for o in opportunities)


def test_progress_is_written_step_by_step(program):
    two_groups(program, size=3)
    run = AnalysisRun.objects.create(program=program)
    seen = []
    reporter = services._ProgressReporter(run.pk)
    for percent, step in ((0, "loading"), (50, "indicators"), (50, "indicators"), (93, "saving")):
        reporter(percent, step)
        run.refresh_from_db()
        seen.append((run.progress, run.step))
    assert seen == [(0, "loading"), (50, "indicators"), (50, "indicators"), (93, "saving")]
    scaled = reporter.within(5, 75)
    scaled(100, "communities")
    run.refresh_from_db()
    assert (run.progress, run.step) == (75, "communities")


def test_a_new_snapshot_never_overwrites_the_previous_one(program):
    world = two_groups(program, size=3)
    first = run_now(program)
    first_metrics = ActorMetrics.objects.filter(snapshot=first).count()
    tie(world["isolate"], world["broker"])
    second = run_now(program)
    assert second.pk != first.pk
    assert latest_snapshot(program) == second
    assert ActorMetrics.objects.filter(snapshot=first).count() == first_metrics
    assert not ActorMetrics.objects.get(snapshot=second, actor=world["isolate"]).is_isolate
    assert ActorMetrics.objects.get(snapshot=first, actor=world["isolate"]).is_isolate


def test_a_cycle_snapshot_reflects_the_network_at_the_cycle_end(program):
    cycle = Cycle.objects.get(program=program, number=1)
    a, b, c = (ActorFactory(program=program) for _ in range(3))
    during = timezone.make_aware(datetime.datetime(2024, 5, 1))
    tie(a, b, recorded_at=during)
    tie(b, c)  # recorded today, after the cycle
    snapshot = run_now(program, cycle=cycle)
    assert snapshot.cycle == cycle
    assert snapshot.as_of == cycle.ends_on
    assert snapshot.tie_count == 1
    metrics = metrics_by_actor(program, cycle)
    assert metrics[c.pk]["is_isolate"]
    assert metrics_by_actor(program) == {}  # today's network has not been computed
    # A past cycle suggests no introductions.
    assert not Opportunity.objects.filter(program=program).exists()


def test_a_failed_computation_is_marked_with_its_error(program, monkeypatch):
    ActorFactory(program=program)

    def broken(*args, **kwargs):
        raise RuntimeError("igraph exploded")

    # The pure module is replaced for this test only: a failure must leave nothing half-written.
    monkeypatch.setattr(services, "analyze", broken)
    run = AnalysisRun.objects.create(program=program)
    with pytest.raises(RuntimeError):
        analysis_compute(run)
    run.refresh_from_db()
    assert run.status == AnalysisStatus.FAILED
    assert "igraph exploded" in run.error
    assert not NetworkSnapshot.objects.filter(program=program).exists()


# --- refreshing opportunities ----------------------------------------------------------------


def test_refresh_keeps_decisions_and_removes_what_is_no_longer_suggested(program):
    world = two_groups(program)
    first = run_now(program)
    open_ = list(Opportunity.objects.filter(program=program).order_by("-score"))
    assert len(open_) >= 3
    dismissed, accepted, tied = open_[0], open_[1], open_[2]
    opportunity_dismiss(user=None, opportunity=dismissed)
    opportunity_accept(user=None, opportunity=accepted)
    # The pair of the third gets a tie by other means: it is no longer a suggestion.
    tie_create(user=None, source=tied.actor_a, target=tied.actor_b, tie_type=TieType.COLLABORATION)
    # An open suggestion left over for a pair that works together (both in the left group).
    x, y = sorted((world["left"][1], world["left"][3]), key=lambda actor: actor.pk)
    stale = Opportunity.objects.create(
        program=program,
        kind="shared_partners",
        actor_a=x,
        actor_b=y,
        score=0.1,
        reasons=[{"code": "shared_partners", "count": 0, "via": []}],
    )

    second = run_now(program)

    dismissed.refresh_from_db()
    accepted.refresh_from_db()
    assert dismissed.status == OpportunityStatus.DISMISSED
    assert accepted.status == OpportunityStatus.ACCEPTED
    assert dismissed.snapshot != second  # decided rows are left alone
    assert not Opportunity.objects.filter(pk=tied.pk).exists()
    assert not Opportunity.objects.filter(pk=stale.pk).exists()
    still_open = Opportunity.objects.filter(program=program, status=OpportunityStatus.OPEN)
    assert still_open.exists()
    # Open suggestions point to the computation that last changed them.
    assert {o.snapshot_id for o in still_open} <= {first.pk, second.pk}
    # Never one row per pair twice.
    pairs = list(Opportunity.objects.filter(program=program).values_list("actor_a", "actor_b"))
    assert len(pairs) == len(set(pairs))


# --- deciding --------------------------------------------------------------------------------


def opportunity_for(program):
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    if a.pk > b.pk:
        a, b = b, a
    return Opportunity.objects.create(
        program=program, kind="complementary", actor_a=a, actor_b=b, score=1.0, reasons=[]
    )


def test_accept_twice_is_harmless_and_audited_once(program):
    from tejido.accounts.tests.factories import UserFactory

    user = UserFactory()
    opportunity = opportunity_for(program)
    first = opportunity_accept(user=user, opportunity=opportunity)
    second = opportunity_accept(user=user, opportunity=opportunity)
    assert first.status == second.status == OpportunityStatus.ACCEPTED
    assert first.decided_by == user
    assert AuditEntry.objects.filter(action="network.opportunity_accepted").count() == 1


def test_dismiss_then_accept_is_refused_with_a_clear_message(program):
    opportunity = opportunity_for(program)
    opportunity_dismiss(user=None, opportunity=opportunity, note="They had a conflict")
    with pytest.raises(ValidationError, match="Dismissed"):
        opportunity_accept(user=None, opportunity=opportunity)
    with pytest.raises(ValidationError):
        opportunity_introduce(user=None, opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.DISMISSED
    assert opportunity.note == "They had a conflict"
    assert not Tie.objects.filter(program=program).exists()


def test_introduce_records_a_tie_once_even_when_clicked_twice(program):
    opportunity = opportunity_for(program)
    opportunity_accept(user=None, opportunity=opportunity)
    done = opportunity_introduce(
        user=None, opportunity=opportunity, tie_type=TieType.INFORMATION, intensity=1
    )
    again = opportunity_introduce(user=None, opportunity=opportunity)
    assert done.status == again.status == OpportunityStatus.INTRODUCED
    ties = Tie.objects.filter(program=program)
    assert ties.count() == 1
    recorded = ties.get()
    assert recorded.provenance == Provenance.INTRODUCTION
    assert recorded.tie_type == TieType.INFORMATION
    assert done.tie == recorded
    assert {recorded.source_id, recorded.target_id} == {
        opportunity.actor_a_id,
        opportunity.actor_b_id,
    }
    # An introduced pair cannot be dismissed afterwards.
    with pytest.raises(ValidationError):
        opportunity_dismiss(user=None, opportunity=opportunity)


def test_introduce_refuses_an_unknown_tie_type(program):
    opportunity = opportunity_for(program)
    with pytest.raises(ValidationError):
        opportunity_introduce(user=None, opportunity=opportunity, tie_type="friendship")
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.OPEN


def test_weights_are_intensity_plus_one(program):
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    for intensity in range(5):
        Tie.objects.all().delete()
        tie(a, b, intensity=intensity)
        graph, _ids = load_graph(program)
        assert np.asarray(graph.weights).tolist() == [intensity + 1]


@pytest.mark.parametrize("actors", [0, 1, 3])
def test_small_and_empty_networks_compute_without_ties(program, actors):
    for _n in range(actors):
        ActorFactory(program=program)
    snapshot = run_now(program)
    assert snapshot.actor_count == actors
    assert snapshot.tie_count == 0
    assert ActorMetrics.objects.filter(snapshot=snapshot).count() == actors
    assert all(m["is_isolate"] for m in metrics_by_actor(program).values())


def test_recomputing_an_unchanged_network_rewrites_no_suggestion(program):
    world = two_groups(program)
    first = run_now(program)
    before = {
        o.pk: (o.kind, o.score, o.reasons, o.snapshot_id)
        for o in Opportunity.objects.filter(program=program)
    }
    run_now(program)
    after = {
        o.pk: (o.kind, o.score, o.reasons, o.snapshot_id)
        for o in Opportunity.objects.filter(program=program)
    }
    assert after == before
    assert {snapshot for *_content, snapshot in after.values()} == {first.pk}
    # A new tie changes the suggestions around it: those rows are rewritten or removed.
    tie(world["isolate"], world["left"][2])
    third = run_now(program)
    changed = Opportunity.objects.filter(program=program, snapshot=third)
    assert changed.exists() or set(
        Opportunity.objects.filter(program=program).values_list("pk", flat=True)
    ) != set(before)
