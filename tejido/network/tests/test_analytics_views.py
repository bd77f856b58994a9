# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
"""The analytics pages: who sees what, htmx partials, decisions, bad input, query counts."""

from __future__ import annotations

import datetime
import itertools
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Cycle
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.network.analytics.services import analysis_compute
from tejido.network.models import (
    AnalysisRun,
    AnalysisStatus,
    NetworkSnapshot,
    Opportunity,
    OpportunityStatus,
    Provenance,
    Tie,
)
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def member(program, role=Role.COORDINATOR):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    return user


def build(program, groups=2, size=5):
    """`groups` tight groups of `size` actors in a chain through brokers, and an isolate."""
    theme = ThemeFactory()
    territory = TerritoryFactory()
    previous = None
    sectors = [Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE, Sector.THIRD_SECTOR]
    actors = []
    for g in range(groups):
        group = [
            ActorFactory(program=program, sector=sectors[g % 4], territory=territory)
            for _ in range(size)
        ]
        for actor in group:
            actor.themes.add(theme)
        for i, a in enumerate(group):
            for b in group[i + 1 : i + 3]:
                TieFactory(source=a, target=b)
        if previous is not None:
            TieFactory(source=previous[-1], target=group[0])
        previous = group
        actors += group
    isolate = ActorFactory(program=program, name="Club Aislado", territory=territory)
    isolate.themes.add(theme)
    return actors, isolate


def compute(program, cycle=None):
    return analysis_compute(AnalysisRun.objects.create(program=program, cycle=cycle))


@pytest.fixture
def computed(program):
    actors, isolate = build(program)
    snapshot = compute(program)
    return {"actors": actors, "isolate": isolate, "snapshot": snapshot}


def url(name, program, *args):
    return reverse(f"network:{name}", args=[program.slug, *args])


# --- the network page ------------------------------------------------------------------------


def test_public_visitors_see_the_figures_but_no_actor_names(client, program, computed):
    response = client.get(url("analysis", program))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Stage of the network" in content
    assert "Cross-sector ties" in content
    assert "What to do" in content
    assert "Club Aislado" not in content
    assert "are shown to the program" in content
    assert "Recompute" not in content


def test_an_estimated_bridge_role_says_how_precise_it_is(client, program, computed):
    snapshot = computed["snapshot"]
    assert "estimated from a sample" not in client.get(url("analysis", program)).content.decode()
    # As a network above the exact limit would store it.
    snapshot.betweenness_sampled = True
    snapshot.betweenness_error = 0.334
    snapshot.summary["betweenness_top_error"] = 0.123
    snapshot.save()
    content = client.get(url("analysis", program)).content.decode()
    assert "the main brokers are within about ±12% (95% confidence)" in content
    assert "at most 0.334 away from the exact value" in content
    # Too few sources for a useful interval: the page says the figures are rough instead.
    snapshot.summary["betweenness_top_error"] = 1.79
    snapshot.save()
    content = client.get(url("analysis", program)).content.decode()
    assert "±" not in content
    assert "not to compare close values" in content


def test_members_see_the_lists_that_name_actors(client, program, computed):
    client.force_login(member(program, Role.EVALUATOR))
    content = client.get(url("analysis", program)).content.decode()
    assert "Club Aislado" in content
    assert "Brokers" in content
    assert "Critical points" in content
    assert "Communities" in content
    assert "Recompute" not in content


def test_private_programs_ask_anonymous_visitors_to_log_in(client):
    private = ProgramFactory(is_public=False)
    response = client.get(url("analysis", private))
    assert response.status_code == 302
    assert "/login" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(url("analysis", private)).status_code == 404


def test_the_page_requests_a_recomputation_when_ties_changed(
    client, program, computed, django_capture_on_commit_callbacks
):
    TieFactory(source=computed["isolate"], target=computed["actors"][0])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(url("analysis", program))
    content = response.content.decode()
    assert "the figures are being updated" in content
    assert 'hx-trigger="every 2s"' in content
    assert len(callbacks) == 1
    run = AnalysisRun.objects.get(status=AnalysisStatus.QUEUED)
    assert run.cycle is None
    # Opening the page again while it waits does not queue another one.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(url("analysis", program))
    assert callbacks == []


def test_the_page_before_anything_is_computed_says_so(
    client, program, django_capture_on_commit_callbacks
):
    ActorFactory(program=program)
    with django_capture_on_commit_callbacks(execute=False):
        content = client.get(url("analysis", program)).content.decode()
    assert "have not been computed yet" in content
    assert "being computed now" in content


def test_status_partial_shows_progress_then_offers_the_new_figures(client, program, computed):
    run = AnalysisRun.objects.create(
        program=program, status=AnalysisStatus.RUNNING, progress=40, step="communities"
    )
    shown = computed["snapshot"].pk
    response = client.get(url("analysis_status", program), {"shown": shown}, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="40"' in content
    assert "Finding communities" in content
    assert "every 2s" in content
    # The run ends with a new snapshot: polling stops and the page offers it.
    run.delete()
    compute(program)
    content = client.get(url("analysis_status", program), {"shown": shown}, **HTMX).content.decode()
    assert "every 2s" not in content
    assert "New figures are ready" in content
    # Junk in the query is ignored, not an error.
    assert client.get(url("analysis_status", program), {"shown": "x"}).status_code == 200


def test_recompute_is_for_coordinators(
    client, program, computed, django_capture_on_commit_callbacks
):
    client.force_login(member(program, Role.DIRECTORATE_MEMBER))
    assert client.post(url("analysis_recompute", program)).status_code == 403
    client.force_login(member(program))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("analysis_recompute", program), **HTMX)
    # The answer shows the queued computation; the worker runs it after the request.
    assert response.status_code == 200
    assert "Waiting to compute today" in response.content.decode()
    assert "every 2s" in response.content.decode()
    assert NetworkSnapshot.objects.filter(program=program).count() == 2
    assert client.get(url("analysis_recompute", program)).status_code == 405
    response = client.post(url("analysis_recompute", program), {"cycle": "99"}, **HTMX)
    assert response.status_code == 400
    assert "no such cycle" in response.content.decode()


def test_network_page_queries_do_not_grow_with_actors(client, django_assert_max_num_queries):
    counts = []
    for groups, size in ((2, 5), (20, 10)):  # 11 and 201 actors
        program = ProgramFactory()
        build(program, groups=groups, size=size)
        compute(program)
        client.force_login(member(program))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("analysis", program)).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[0], counts
    with django_assert_max_num_queries(30):
        client.get(url("analysis", program))


# --- suggested introductions -----------------------------------------------------------------


def test_opportunities_are_for_members(client, program, computed):
    assert client.get(url("opportunities", program)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url("opportunities", program)).status_code == 403
    client.force_login(member(program, Role.EVALUATOR))
    response = client.get(url("opportunities", program))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Club Aislado" in content
    assert "has no ties in the network yet" in content
    assert 'value="accept"' not in content  # deciding is for coordinators


def test_filters_narrow_the_list_and_htmx_gets_the_results_only(client, program, computed):
    client.force_login(member(program))
    response = client.get(
        url("opportunities", program),
        {"kind": "bring_in"},
        HTTP_HX_TARGET="opportunity-results",
        **HTMX,
    )
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="opportunity-results"' in content
    kinds = set(
        Opportunity.objects.filter(program=program, kind="bring_in").values_list("kind", flat=True)
    )
    assert kinds == {"bring_in"}
    assert (
        content.count('class="card opportunity ')
        == Opportunity.objects.filter(program=program, kind="bring_in").count()
    )
    # An unknown kind is not an error: the filter is ignored.
    assert client.get(url("opportunities", program), {"kind": "nonsense"}).status_code == 200


def test_coordinator_accepts_introduces_and_dismisses(client, program, computed):
    client.force_login(member(program))
    first, second = Opportunity.objects.filter(program=program).order_by("-score")[:2]
    decide = url("opportunity_decide", program, first.pk)

    response = client.post(decide, {"action": "accept"}, **HTMX)
    assert response.status_code == 200
    assert "Accepted" in response.content.decode()
    response = client.post(decide, {"action": "accept"}, **HTMX)  # double click
    assert response.status_code == 200

    response = client.post(
        decide, {"action": "introduce", "tie_type": "information", "intensity": "1"}, **HTMX
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == OpportunityStatus.INTRODUCED
    assert first.tie.provenance == Provenance.INTRODUCTION
    client.post(decide, {"action": "introduce"}, **HTMX)  # double submit: still one tie
    assert Tie.objects.filter(provenance=Provenance.INTRODUCTION).count() == 1

    response = client.post(url("opportunity_decide", program, second.pk), {"action": "dismiss"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == OpportunityStatus.DISMISSED
    response = client.post(
        url("opportunity_decide", program, second.pk), {"action": "accept"}, **HTMX
    )
    assert response.status_code == 400
    assert "already marked" in response.content.decode()


def test_bad_decisions_are_refused_and_change_nothing(client, program, computed):
    client.force_login(member(program))
    opportunity = Opportunity.objects.filter(program=program).first()
    decide = url("opportunity_decide", program, opportunity.pk)
    response = client.post(decide, {"action": "burn"}, **HTMX)
    assert response.status_code == 400
    assert "Choose what to do" in response.content.decode()
    response = client.post(decide, {"action": "introduce", "intensity": "9"}, **HTMX)
    assert response.status_code == 400
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.OPEN
    assert (
        client.post(url("opportunity_decide", program, 999999), {"action": "accept"}).status_code
        == 404
    )
    # A redirect back never leaves the site.
    response = client.post(decide, {"action": "accept", "next": "https://evil.example/"})
    assert response["Location"] == url("opportunities", program)


def test_deciding_is_for_coordinators(client, program, computed):
    opportunity = Opportunity.objects.filter(program=program).first()
    client.force_login(member(program, Role.ORGANIZATION_REPRESENTATIVE))
    response = client.post(
        url("opportunity_decide", program, opportunity.pk), {"action": "dismiss"}
    )
    assert response.status_code == 403
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.OPEN


def test_an_actors_suggestions_page(client, program, computed):
    isolate = computed["isolate"]
    client.force_login(member(program))
    response = client.get(url("actor_opportunities", program, isolate.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Introductions for Club Aislado" in content
    mentioned = Opportunity.objects.filter(program=program).filter(
        actor_a=isolate
    ) | Opportunity.objects.filter(program=program, actor_b=isolate)
    assert content.count('class="card opportunity ') == mentioned.count() > 0


def test_opportunities_page_queries_do_not_grow(client, program, django_assert_max_num_queries):
    build(program, groups=20, size=10)
    compute(program)
    assert Opportunity.objects.filter(program=program).count() > 20
    client.force_login(member(program))
    with django_assert_max_num_queries(16):
        assert client.get(url("opportunities", program)).status_code == 200


# --- the actor profile -----------------------------------------------------------------------


def test_actor_profile_panel_for_members_only(client, program, computed):
    actor = computed["actors"][4]
    profile = url("actor", program, actor.pk)
    assert "Place in the network" not in client.get(profile).content.decode()
    client.force_login(member(program, Role.EVALUATOR))
    content = client.get(profile).content.decode()
    assert "Place in the network" in content
    assert "Bridge role" in content
    assert "Connects groups that would otherwise not talk to each other." in content
    assert re.search(r"higher than \d+% of the other actors|the highest in the network", content)
    assert "Suggested introductions" in content


def test_actor_profile_queries_with_the_panel(client, program, django_assert_max_num_queries):
    actors, _isolate = build(program, groups=20, size=10)
    compute(program)
    client.force_login(member(program))
    with django_assert_max_num_queries(45):
        assert client.get(url("actor", program, actors[50].pk)).status_code == 200


# --- evolution -------------------------------------------------------------------------------


def test_evolution_compares_cycles_with_the_baseline(client, program):
    first, second = Cycle.objects.filter(program=program).order_by("number")[:2]
    a, b, c, d = (ActorFactory(program=program) for _ in range(4))
    in_2024 = timezone.make_aware(datetime.datetime(2024, 6, 1))
    in_2025 = timezone.make_aware(datetime.datetime(2025, 6, 1))
    TieFactory(source=a, target=b, recorded_at=in_2024)
    lost = TieFactory(source=b, target=c, recorded_at=in_2024, ended_on=datetime.date(2025, 3, 1))
    TieFactory(source=c, target=d, recorded_at=in_2025)
    TieFactory(source=a, target=d, recorded_at=in_2025)
    assert lost.pk
    compute(program, first)
    compute(program, second)
    response = client.get(url("evolution", program))
    assert response.status_code == 200
    evolution = response.context["evolution"]
    column = evolution.columns[1]
    assert evolution.baseline.cycle == first
    assert (column.new_ties, column.lost_ties) == (2, 1)
    assert column.brought_in == 1  # d had no ties at the end of 2024
    content = response.content.decode()
    assert "baseline" in content
    data = json.loads(
        re.search(r'id="evolution-chart-data"[^>]*>(.*?)</script>', content, re.S).group(1)
    )
    assert data["labels"] == [str(first), str(second)]
    assert data["ties"]["series"][1]["data"] == [0, 2]  # new ties


def test_evolution_per_territory_and_bad_territory(client, program):
    place = TerritoryFactory()
    actors = [ActorFactory(program=program, territory=place) for _ in range(6)]
    in_2024 = timezone.make_aware(datetime.datetime(2024, 6, 1))
    for a, b in itertools.pairwise(actors):
        TieFactory(source=a, target=b, recorded_at=in_2024)
    ActorFactory(program=program)  # elsewhere
    compute(program, Cycle.objects.get(program=program, number=1))
    response = client.get(url("evolution", program), {"territory": place.pk})
    assert response.status_code == 200
    assert response.context["territory"] == place
    assert place.name in response.content.decode()
    response = client.get(url("evolution", program), {"territory": "abc"})
    assert response.status_code == 200
    assert "That territory does not exist" in response.content.decode()


def test_coordinators_compute_the_missing_cycles(
    client, program, django_capture_on_commit_callbacks
):
    ActorFactory(program=program)
    client.force_login(member(program, Role.EVALUATOR))
    assert client.post(url("evolution_compute", program)).status_code == 403
    client.force_login(member(program))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("evolution_compute", program))
    assert response.status_code == 302
    today = timezone.localdate()
    started = Cycle.objects.filter(program=program, starts_on__lte=today)
    assert NetworkSnapshot.objects.filter(program=program, cycle__isnull=False).count() == (
        started.count()
    )
    # Nothing is missing any more: a second click queues nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url("evolution_compute", program))
    assert callbacks == []


def test_evolution_page_queries_stay_flat(client, program, django_assert_max_num_queries):
    build(program, groups=20, size=10)
    for cycle in Cycle.objects.filter(program=program, starts_on__lte=timezone.localdate()):
        compute(program, cycle)
    with django_assert_max_num_queries(25):
        assert client.get(url("evolution", program)).status_code == 200
