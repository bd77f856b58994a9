# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr,operator"
"""The demo's applications, on a small world made with the factories: a closed call with its
applications all submitted in time (two failing eligibility, one of them admitted by the
coordination) and an open call with one draft left."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tejido.accounts.models import User
from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.dashboards.demo.funds.applications import ORGANIZATION_ACCOUNT, demo_applications
from tejido.funds.models import ApplicationStatus, AttachmentKind, Eligibility

from .factories import CallFactory, representative_of
from .factories_applications import make_world

pytestmark = pytest.mark.django_db


def demo_world(account=None):
    world = make_world(
        closed=True,
        require_legal_document=True,
        legal_document_max_age_days=90,
        eligible_sectors=[Sector.COMMUNITY, Sector.THIRD_SECTOR],
        max_grant=6_000_000,
        min_grant=1_000_000,
        budget=20_000_000,
    )
    for number in range(6):
        ActorFactory(
            program=world.program,
            name=f"Agrupación {number} de El Castillo",
            territory=world.neighbourhood if number % 2 else world.comuna,
        )
    ActorFactory(
        program=world.program,
        name="Almacén y Ferretería Don Lucho",
        sector=Sector.PRIVATE,
        territory=world.comuna,
    )
    world.account = representative_of(
        world.applicant, account or UserFactory(email=ORGANIZATION_ACCOUNT)
    )
    return world


def test_the_closed_call_gets_submitted_applications_two_of_them_ineligible() -> None:
    world = demo_world()
    today = timezone.localdate()
    made = demo_applications(world.call, today=today, count=8)
    assert len(made) == 8
    assert len({a.reference for a in made}) == 8
    assert len({a.applicant_id for a in made}) == 8
    for application in made:
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.submitted_at < world.call.closes_at
        assert world.call.opens_at <= application.created_at <= application.submitted_at
        assert 2 <= application.budget_lines.count() <= 6
        assert world.call.min_grant <= application.requested_amount <= world.call.max_grant
        assert application.beneficiaries_total > 0
        assert application.versions.count() == 1
        assert application.attachments.filter(kind=AttachmentKind.LEGAL_STATUS).exists()
        assert all(p.commitment_letter_id for p in application.partners.all())
    # The demo organization's account applied.
    assert made[0].applicant == world.applicant
    ineligible = [a for a in made if a.eligibility == Eligibility.INELIGIBLE]
    assert len(ineligible) == 2
    failed = {r["rule"] for a in ineligible for r in a.eligibility_results if not r["passed"]}
    assert failed == {"sector", "legal_document"}
    admitted = [a for a in made if a.eligibility_override is True]
    assert len(admitted) == 1
    assert "certificado de vigencia renovado" in admitted[0].eligibility_justification
    assert sum(a.is_eligible for a in made) == 7
    # Together they ask for more than the budget, so that the ranking has to choose.
    assert sum(a.requested_amount for a in made) > world.call.budget
    assert any(a.partners.exists() for a in made)
    # Applicants without an account got one that cannot log in.
    had_one = {world.applicant.pk, world.partner.pk, world.stranger.pk}
    made_up = User.objects.filter(email__endswith="@organizaciones.tejido.demo")
    assert made_up.count() == len({a.applicant_id for a in made} - had_one)
    assert not any(user.has_usable_password() for user in made_up)


def test_the_open_call_leaves_its_last_application_as_a_draft_and_is_deterministic() -> None:
    world = demo_world()
    open_call = CallFactory(
        program=world.program,
        slug="fondo-iniciativas-juveniles-2026",
        title="Fondo de Iniciativas Juveniles",
        min_grant=500_000,
        max_grant=2_000_000,
        eligible_sectors=[Sector.COMMUNITY],
        opens_at=timezone.now() - datetime.timedelta(days=10),
    )
    open_call.eligible_territories.add(world.comuna)
    open_call.objectives.add(world.objectives[1])
    made = demo_applications(open_call, today=timezone.localdate(), count=4)
    assert [a.status for a in made] == [ApplicationStatus.SUBMITTED] * 3 + [ApplicationStatus.DRAFT]
    assert all(a.eligibility == Eligibility.ELIGIBLE for a in made[:3])
    assert all(a.applicant.email != ORGANIZATION_ACCOUNT for a in made)
    assert world.applicant not in [a.applicant for a in made]  # left for the demo account
    assert any("Festival" in a.title or "Liga" in a.title or "Brigada" in a.title for a in made)
    titles = [a.title for a in made]
    # The same call in the same world gives the same applications.
    other = demo_world(world.account)
    again = CallFactory(
        program=other.program,
        slug="fondo-iniciativas-juveniles-2026",
        title="Fondo de Iniciativas Juveniles",
        min_grant=500_000,
        max_grant=2_000_000,
        eligible_sectors=[Sector.COMMUNITY],
        opens_at=timezone.now() - datetime.timedelta(days=10),
    )
    again.eligible_territories.add(other.comuna)
    again.objectives.add(other.objectives[1])
    assert [
        a.title for a in demo_applications(again, today=timezone.localdate(), count=4)
    ] == titles
