# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Two coordinators recording the decision at the same moment: one decision stands, the other is
refused with a clear message. Needs two connections to one database (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tejido.core.models import AuditEntry
from tejido.governance.models import Scorecard, ScorecardStatus
from tejido.governance.selection import services
from tejido.governance.tests.test_selection_support import make_scorecard, make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
)
def test_two_simultaneous_decisions_record_one():
    world = make_world()
    scorecard = make_scorecard(world)
    territories = [c.territory for c in scorecard.candidates.order_by("territory__name")]
    choices = {"coordinator": territories[:2], "superuser": territories[2:]}
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(who: str) -> None:
        try:
            start.wait()
            services.scorecard_decide(
                user=world.users[who],
                scorecard=Scorecard.objects.get(pk=scorecard.pk),
                selected=choices[who],
                reasons=f"Decisión de {who}",
            )
            outcomes[who] = "recorded"
        except ValidationError as error:
            outcomes[who] = f"refused:{error.code}"
        except BaseException as error:  # reported to the test thread below
            outcomes[who] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(who,)) for who in choices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["recorded", "refused:decided"]
    winner = next(who for who, outcome in outcomes.items() if outcome == "recorded")
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.DECIDED
    assert scorecard.decided_by == world.users[winner]
    assert scorecard.decision_reasons == f"Decisión de {winner}"
    chosen = set(scorecard.candidates.filter(selected=True).values_list("territory_id", flat=True))
    assert chosen == {t.pk for t in choices[winner]}
    assert AuditEntry.objects.filter(action="selection.decide").count() == 1
