# mypy: disable-error-code="arg-type,attr-defined,misc,operator,union-attr,list-item"
"""The program home: figures, links per role, privacy, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.models import Role, User
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.dashboards import selectors
from tejido.dashboards.selectors import program_overview
from tejido.network.tests.factories import TieFactory

# A viewer who sees every actor, people included (the figures members see).
MEMBER_VIEW = User(is_superuser=True)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def program(db):
    return ProgramFactory(name="Barrios", slug="barrios")


def url(program):
    return reverse("dashboards:program", args=[program.slug])


def test_figures(program):
    region = TerritoryFactory(name="Región Metropolitana", level=1)
    comuna = TerritoryFactory(name="Puente Alto", parent=region)
    program.territories.set([region])
    junta = ActorFactory(program=program, sector="community", territory=comuna)
    club = ActorFactory(program=program, sector="community", territory=region)
    municipio = ActorFactory(program=program, sector="public")
    rosa = PersonFactory(program=program, sector="community")
    TieFactory(source=junta, target=club)  # same sector
    TieFactory(source=junta, target=municipio)  # across sectors
    TieFactory(source=rosa, target=municipio, ended_on=datetime.date(2020, 1, 1))  # ended
    TieFactory(source=club, target=municipio, superseded_at="2024-01-01T00:00Z")  # old version
    overview = program_overview(program, viewer=MEMBER_VIEW, today=datetime.date(2024, 6, 1))
    assert overview.actor_count == 4
    assert [(code, n) for code, _label, n in overview.by_kind] == [
        ("organization", 3),
        ("person", 1),
    ]
    assert [(s.code, s.count, s.percent) for s in overview.by_sector] == [
        ("community", 3, 75.0),
        ("public", 1, 25.0),
    ]
    assert overview.active_ties == 2
    assert (overview.cross_sector_percent, overview.cross_sector_estimated) == (50.0, False)
    assert [(t.name, n) for t, n in overview.territories] == [("Región Metropolitana", 2)]
    assert overview.current_cycle.number == 1
    assert [c.state for c in overview.cycles] == ["running", "future", "future", "future"]
    assert [a.pk for a in overview.recent_actors][:2] == [rosa.pk, municipio.pk]


def test_cross_sector_share_is_estimated_for_many_ties(program, monkeypatch):
    monkeypatch.setattr(selectors, "CROSS_SECTOR_SAMPLE", 2)
    monkeypatch.setattr(selectors, "MIN_SAMPLE", 1)
    a = ActorFactory(program=program, sector="community")
    for _ in range(6):
        TieFactory(source=a, target=ActorFactory(program=program, sector="public"))
    overview = program_overview(program, viewer=MEMBER_VIEW)
    assert overview.active_ties == 6
    assert overview.cross_sector_estimated
    assert overview.cross_sector_percent == 100.0


def test_too_few_ties_to_sample_are_all_counted(program, monkeypatch):
    monkeypatch.setattr(selectors, "CROSS_SECTOR_SAMPLE", 2)
    a = ActorFactory(program=program, sector="community")
    TieFactory(source=a, target=ActorFactory(program=program, sector="public"))
    TieFactory(source=a, target=ActorFactory(program=program, sector="community"))
    overview = program_overview(program, viewer=MEMBER_VIEW)
    assert (overview.cross_sector_percent, overview.cross_sector_estimated) == (50.0, False)


def test_tie_figures_follow_new_ties(program):
    a, b, c = (ActorFactory(program=program) for _ in range(3))
    TieFactory(source=a, target=b)
    assert program_overview(program, viewer=MEMBER_VIEW).active_ties == 1
    TieFactory(source=a, target=c)
    assert program_overview(program, viewer=MEMBER_VIEW).active_ties == 2


def test_empty_program(client, program):
    response = client.get(url(program))
    assert response.status_code == 200
    assert response.context["overview"].cross_sector_percent is None


def test_access(client):
    private = ProgramFactory(slug="interno", is_public=False)
    response = client.get(url(private))
    assert response.status_code == 302
    client.force_login(UserFactory())
    assert client.get(url(private)).status_code == 404
    evaluator = UserFactory()
    ProgramRoleFactory(user=evaluator, program=private, role=Role.EVALUATOR)
    client.force_login(evaluator)
    assert client.get(url(private)).status_code == 200
    assert client.get(reverse("dashboards:program", args=["nada"])).status_code == 404


def test_coordinators_get_the_coordination_buttons(client, program):
    create = reverse("actors:create", args=[program.slug])
    visitor_page = client.get(url(program)).content.decode()
    assert create not in visitor_page
    assert reverse("network:export", args=[program.slug]) not in visitor_page
    coordinator = UserFactory()
    ProgramRoleFactory(user=coordinator, program=program, role=Role.COORDINATOR)
    client.force_login(coordinator)
    content = client.get(url(program)).content.decode()
    assert create in content
    assert reverse("network:import", args=[program.slug]) in content
    assert reverse("network:export", args=[program.slug]) in content
    assert reverse("actors:directory", args=[program.slug]) in content
    assert reverse("network:map", args=[program.slug]) in content


def test_query_count_does_not_grow_with_data(client, program):
    territory = TerritoryFactory()
    program.territories.set([territory])

    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(program)).status_code == 200
        return len(ctx.captured_queries)

    first = ActorFactory(program=program, territory=territory)
    TieFactory(source=first, target=ActorFactory(program=program))
    few = queries()
    for n in range(30):
        actor = ActorFactory(program=program, sector="public" if n % 2 else "community")
        TieFactory(source=first, target=actor)
    assert queries() == few
