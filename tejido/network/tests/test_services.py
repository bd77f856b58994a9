import datetime

import pytest
from django.core.exceptions import ValidationError

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory
from tejido.network.models import Tie, TieType
from tejido.network.services import tie_create, tie_end, tie_history, tie_update

pytestmark = pytest.mark.django_db


def test_undirected_tie_is_stored_once_whichever_way_it_is_entered():
    program = ProgramFactory()
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    user = UserFactory()
    first = tie_create(user=user, source=b, target=a, tie_type=TieType.COLLABORATION)
    second = tie_create(user=user, source=a, target=b, tie_type=TieType.COLLABORATION, intensity=3)
    assert (first.source_id, first.target_id) == (a.pk, b.pk)
    assert Tie.objects.current().count() == 1
    assert second.previous_id == first.pk and second.intensity == 3


def test_update_keeps_the_previous_version_and_its_values():
    program = ProgramFactory()
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    user = UserFactory()
    tie = tie_create(user=user, source=a, target=b, tie_type=TieType.FUNDING, intensity=1)
    newer = tie_update(user=user, tie=tie, intensity=4, trust=5)
    ended = tie_end(user=user, tie=newer, ended_on=datetime.date(2025, 6, 30))
    versions = tie_history(ended)
    assert [v.intensity for v in versions] == [4, 4, 1]
    assert versions[-1].superseded_at is not None
    assert ended.ended_on == datetime.date(2025, 6, 30)
    assert not ended.is_active(datetime.date(2025, 7, 1))
    assert ended.is_active(datetime.date(2025, 6, 1))
    assert AuditEntry.objects.filter(action__startswith="tie.").count() == 3


def test_stale_version_cannot_be_updated():
    program = ProgramFactory()
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    tie = tie_create(user=None, source=a, target=b, tie_type=TieType.SUPPORT)
    tie_update(user=None, tie=tie, intensity=3)
    with pytest.raises(ValidationError):
        tie_update(user=None, tie=tie, intensity=2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"intensity": 5},
        {"trust": 0},
        {"value": 6},
        {"started_on": datetime.date(2025, 1, 2), "ended_on": datetime.date(2025, 1, 1)},
        {"tie_type": "friendship"},
    ],
)
def test_invalid_tie_is_refused_and_nothing_is_written(kwargs):
    program = ProgramFactory()
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    fields = {"tie_type": TieType.COLLABORATION, **kwargs}
    with pytest.raises(ValidationError):
        tie_create(user=None, source=a, target=b, **fields)
    assert not Tie.objects.exists()


def test_ties_cannot_cross_programs_or_loop():
    a, b = ActorFactory(), ActorFactory()
    with pytest.raises(ValidationError):
        tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION)
    with pytest.raises(ValidationError):
        tie_create(user=None, source=a, target=a, tie_type=TieType.COLLABORATION)


def test_recording_a_tie_costs_a_handful_of_queries(django_assert_max_num_queries):
    # Constraint checks run in Python, not one SQL query per CheckConstraint: what is left is
    # the look-up of a current tie, the cycle, the insert, the audit entry and savepoints.
    program = ProgramFactory()
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    with django_assert_max_num_queries(8):
        tie = tie_create(user=None, source=a, target=b, tie_type=TieType.COLLABORATION)
    with django_assert_max_num_queries(8):
        tie_update(user=None, tie=tie, intensity=3)


def test_scores_out_of_range_get_a_message_on_their_field():
    program = ProgramFactory()
    a, b = ActorFactory(program=program), ActorFactory(program=program)
    with pytest.raises(ValidationError) as caught:
        tie_create(
            user=None,
            source=a,
            target=b,
            tie_type=TieType.COLLABORATION,
            trust=9,
            started_on=datetime.date(2025, 5, 1),
            ended_on=datetime.date(2025, 4, 1),
        )
    assert set(caught.value.message_dict) == {"trust", "ended_on"}
