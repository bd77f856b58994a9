"""`tie_strengthen`: what every module records when two actors work together — never a
weaker tie than the pair already has."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_strengthen
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def pair():
    program = ProgramFactory()
    return ActorFactory(program=program), ActorFactory(program=program)


def strengthen(a, b, intensity, **extra):
    return tie_strengthen(
        user=None,
        source=a,
        target=b,
        tie_type=TieType.COLLABORATION,
        intensity=intensity,
        provenance=Provenance.CONSORTIUM,
        started_on=TODAY,
        note="Licitación conjunta",
        **extra,
    )


def test_a_new_pair_gets_a_new_tie(pair):
    tie, written = strengthen(*pair, Intensity.COORDINATION)
    assert written
    assert (tie.intensity, tie.provenance, tie.started_on, tie.note) == (
        Intensity.COORDINATION,
        Provenance.CONSORTIUM,
        TODAY,
        "Licitación conjunta",
    )


def test_a_tie_as_strong_is_kept_and_nothing_is_written(pair):
    existing = TieFactory(source=pair[0], target=pair[1], intensity=Intensity.INTEGRATION)
    tie, written = strengthen(pair[1], pair[0], Intensity.COORDINATION)
    assert not written and tie == existing
    assert Tie.objects.count() == 1


def test_a_weaker_tie_is_raised_keeping_its_scores_start_and_note(pair):
    started = TODAY - datetime.timedelta(days=300)
    TieFactory(
        source=pair[0],
        target=pair[1],
        intensity=Intensity.AWARENESS,
        trust=4,
        value=3,
        started_on=started,
        note="Se conocieron en la feria",
        provenance=Provenance.SURVEY,
    )
    tie, written = strengthen(*pair, Intensity.COORDINATION)
    assert written
    assert (tie.intensity, tie.trust, tie.value, tie.started_on, tie.note, tie.provenance) == (
        Intensity.COORDINATION,
        4,
        3,
        started,
        "Se conocieron en la feria",
        Provenance.CONSORTIUM,
    )
    assert Tie.objects.current().count() == 1 and Tie.objects.count() == 2


def test_an_ended_tie_starts_again(pair):
    TieFactory(
        source=pair[0],
        target=pair[1],
        intensity=Intensity.INTEGRATION,
        started_on=TODAY - datetime.timedelta(days=900),
        ended_on=TODAY - datetime.timedelta(days=30),
    )
    tie, written = strengthen(*pair, Intensity.COOPERATION)
    assert written
    assert (tie.intensity, tie.started_on, tie.ended_on) == (Intensity.INTEGRATION, TODAY, None)


def test_the_preloaded_tie_saves_the_query(pair, django_assert_num_queries):
    existing = TieFactory(source=pair[0], target=pair[1], intensity=Intensity.INTEGRATION)
    with django_assert_num_queries(0):
        tie, written = strengthen(*pair, Intensity.COOPERATION, current=existing)
    assert (tie, written) == (existing, False)
