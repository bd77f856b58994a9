"""Factories for funds tests. Shared by every area: add, do not change what is here."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

import factory
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import (
    ActorFactory,
)

# The user helpers live with the actor factories; re-exported here for the tests.
from tejido.actors.tests.factories import (
    coordinator_of as coordinator_of,
)
from tejido.actors.tests.factories import (
    representative_of as representative_of,
)
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory
from tejido.funds.models import (
    AllocationRule,
    AllocationRun,
    Application,
    ApplicationStatus,
    Assignment,
    Award,
    BudgetCategory,
    BudgetLine,
    Call,
    CallReviewer,
    CallStatus,
    Criterion,
    Eligibility,
    Partner,
    Quota,
    QuotaKind,
)


def _now() -> datetime.datetime:
    return timezone.now()


class CallFactory(factory.django.DjangoModelFactory):
    """A published call, open now, with no eligibility rule that needs documents or
    territories (tests that check those rules switch them on)."""

    class Meta:
        model = Call

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Fondo concursable {n}")
    slug = factory.Sequence(lambda n: f"fondo-{n}")
    summary = "Proyectos comunitarios que mejoran los espacios públicos del barrio."
    status = CallStatus.PUBLISHED
    currency = "CLP"
    budget = Decimal("10000000")
    min_grant = Decimal("500000")
    max_grant = Decimal("3000000")
    opens_at = factory.LazyFunction(lambda: _now() - datetime.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: _now() + datetime.timedelta(days=20))
    require_legal_document = False
    require_no_overdue_reports = True
    allocation_rule = AllocationRule.OPTIMAL

    class Params:
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: _now() - datetime.timedelta(days=40)),
            closes_at=factory.LazyFunction(lambda: _now() - datetime.timedelta(days=5)),
        )
        draft = factory.Trait(status=CallStatus.DRAFT)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Criterio {n}")
    weight = Decimal("1")
    scale_max = 5


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    call = factory.SubFactory(CallFactory)
    territory = factory.SubFactory(TerritoryFactory)
    kind = QuotaKind.MAXIMUM
    share = Decimal("0.5")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted, eligible application of an organization of the call's program."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    applicant = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..call.program"))
    reference = factory.Sequence(lambda n: f"FC-{n:05d}")
    title = factory.Sequence(lambda n: f"Plaza activa {n}")
    summary = "Recuperar la plaza del barrio con actividades para todas las edades."
    requested_amount = Decimal("1000000")
    status = ApplicationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(_now)
    version = 1
    eligibility = Eligibility.ELIGIBLE

    class Params:
        draft = factory.Trait(
            status=ApplicationStatus.DRAFT,
            submitted_at=None,
            version=0,
            eligibility=Eligibility.PENDING,
        )


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    category = BudgetCategory.MATERIALS
    description = "Materiales de construcción"
    amount = Decimal("1000000")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    application = factory.SubFactory(ApplicationFactory)
    organization = factory.SubFactory(
        ActorFactory, program=factory.SelfAttribute("..application.call.program")
    )
    role = "Aporta voluntariado y difusión"


class CallReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallReviewer

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(UserFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(
        CallReviewerFactory, call=factory.SelfAttribute("..application.call")
    )


class AllocationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllocationRun

    call = factory.SubFactory(CallFactory)
    rule = AllocationRule.GREEDY


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    application = factory.SubFactory(ApplicationFactory)
    run = factory.SubFactory(AllocationRunFactory, call=factory.SelfAttribute("..application.call"))
    amount = factory.LazyAttribute(lambda o: o.application.requested_amount)
    awarded_on = factory.LazyFunction(timezone.localdate)
    identifier = factory.Sequence(lambda n: f"360G-tejido-test-{n}")


def reviewer_of(call: Any, **extra: Any) -> CallReviewer:
    """A pool reviewer with the evaluator role in the call's program."""
    user = extra.pop("user", None) or UserFactory()
    ProgramRoleFactory(user=user, program=call.program, role=Role.EVALUATOR)
    return cast(CallReviewer, CallReviewerFactory(call=call, user=user, **extra))
