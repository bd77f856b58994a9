# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Call services: drafting a call (every refusal, the plan and currency inferred from the
objectives), what may change at each stage, publishing and taking back, deleting a draft,
criteria and quotas with their refusals, and the audit trail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tejido.actors.models import ActorKind, Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.funds.calls import services
from tejido.funds.models import Call, CallStatus, Criterion, Quota, QuotaKind
from tejido.governance.models import Objective
from tejido.governance.tests.factories import BodyFactory, PlanFactory

from .factories import ApplicationFactory, CallFactory, CriterionFactory, QuotaFactory
from .factories_calls import call_values, call_world

pytestmark = pytest.mark.django_db


def create(world, **overrides) -> Call:
    return services.call_create(
        actor=world.coordinator, program=world.program, **call_values(**overrides)
    )


def field_errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# -- drafting ---------------------------------------------------------------------------------


def test_a_new_call_is_a_draft_with_its_plan_currency_and_cycle_inferred():
    world = call_world()
    plan = world.plans[0]
    plan.currency = "EUR"
    plan.save()
    objectives = [o for o in world.objectives if o.plan_id == plan.pk]
    call = create(
        world,
        objectives=objectives,
        eligible_territories=[world.territories[1]],
        eligible_sectors=[Sector.THIRD_SECTOR, Sector.COMMUNITY, Sector.COMMUNITY],
    )
    assert call.status == CallStatus.DRAFT
    assert call.plan == plan
    assert call.currency == "EUR"
    assert call.cycle == plan.cycle
    assert call.slug == "fondo-barrial-2026"
    assert set(call.objectives.all()) == set(objectives)
    assert list(call.eligible_territories.all()) == [world.territories[1]]
    # Codes are kept once, in the order of the choices.
    assert call.eligible_sectors == [Sector.COMMUNITY, Sector.THIRD_SECTOR]
    assert call.created_by == world.coordinator
    entry = AuditEntry.objects.get(action="funds.call.create")
    assert entry.target_id == str(call.pk) and entry.program == world.program


def test_objectives_of_several_plans_leave_the_plan_empty_and_keep_the_common_currency():
    world = call_world()
    call = create(world, objectives=world.objectives)
    assert call.plan is None
    assert call.currency == "CLP"
    assert call.objectives.count() == len(world.objectives)


def test_an_explicit_currency_wins_over_the_plans():
    world = call_world()
    call = create(world, objectives=world.objectives[:1], currency="usd")
    assert call.currency == "USD"


def test_slugs_are_unique_per_program():
    world = call_world()
    first = create(world)
    second = create(world)
    assert (first.slug, second.slug) == ("fondo-barrial-2026", "fondo-barrial-2026-2")
    with pytest.raises(ValidationError) as excinfo:
        create(world, slug="fondo-barrial-2026")
    assert "already uses" in field_errors(excinfo)["slug"][0]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": "  "}, "title", "Give the call a title"),
        ({"summary": ""}, "summary", "what the call funds"),
        ({"budget": 0}, "budget", "above zero"),
        ({"budget": "abc"}, "budget", "Enter an amount"),
        ({"max_grant": Decimal("70000000")}, "max_grant", "more than the whole budget"),
        ({"min_grant": Decimal("7000000")}, "min_grant", "more than the largest"),
        ({"min_grant": -5}, "min_grant", "cannot be negative"),
        ({"currency": "pesos"}, "currency", "three-letter code"),
        ({"min_partial_share": Decimal("1.5")}, "min_partial_share", "percentage"),
        ({"score_threshold": 120}, "score_threshold", "from 0 to 100"),
        ({"reviewers_per_application": 0}, "reviewers_per_application", "from 1 to 10"),
        ({"conflict_tie_intensity": 4}, "conflict_tie_intensity", "from 1 to 3"),
        ({"eligible_sectors": ["pirates"]}, "eligible_sectors", "pirates is not a sector"),
        ({"eligible_kinds": [ActorKind.PERSON]}, "eligible_kinds", "not a kind of applicant"),
        ({"allocation_rule": "lottery"}, "allocation_rule", "how the money"),
    ],
)
def test_bad_values_are_refused_at_their_field(overrides, field, words):
    world = call_world()
    with pytest.raises(ValidationError) as excinfo:
        create(world, **overrides)
    assert words in field_errors(excinfo)[field][0]
    assert not Call.objects.exists()


def test_dates_must_come_in_order():
    world = call_world()
    opens = timezone.now() + datetime.timedelta(days=3)
    closes = opens + datetime.timedelta(days=30)
    close_day = timezone.localtime(closes).date()
    with pytest.raises(ValidationError) as excinfo:
        create(world, opens_at=closes, closes_at=opens)
    assert "close after it opens" in field_errors(excinfo)["closes_at"][0]
    with pytest.raises(ValidationError) as excinfo:
        create(
            world,
            opens_at=opens,
            closes_at=closes,
            evaluation_ends_on=close_day + datetime.timedelta(days=20),
            results_on=close_day + datetime.timedelta(days=10),
            appeals_until=close_day - datetime.timedelta(days=1),
        )
    errors = field_errors(excinfo)
    assert "the end of the evaluation" in errors["results_on"][0]
    assert "the results" in errors["appeals_until"][0]
    # The closing day itself is fine for the end of the evaluation, and a gap is fine.
    call = create(
        world,
        opens_at=opens,
        closes_at=closes,
        evaluation_ends_on=close_day,
        appeals_until=close_day + datetime.timedelta(days=40),
    )
    assert call.evaluation_ends_on == close_day and call.results_on is None


def test_relations_must_belong_to_the_program():
    world = call_world()
    other = call_world()
    with pytest.raises(ValidationError) as excinfo:
        create(world, objectives=[other.objectives[0]])
    assert "not an objective of an approved plan" in field_errors(excinfo)["objectives"][0]
    with pytest.raises(ValidationError) as excinfo:
        create(world, eligible_territories=[TerritoryFactory(name="Valparaíso")])
    assert "Valparaíso is not a territory" in field_errors(excinfo)["eligible_territories"][0]
    with pytest.raises(ValidationError) as excinfo:
        create(world, funder=ActorFactory(program=other.program))
    assert "organization of this program" in field_errors(excinfo)["funder"][0]
    with pytest.raises(ValidationError):
        create(world, funder=PersonFactory(program=world.program))
    with pytest.raises(ValidationError) as excinfo:
        create(world, cycle=other.program.cycles.first())
    assert "cycle of this program" in field_errors(excinfo)["cycle"][0]


def test_a_draft_plan_objective_is_not_choosable():
    world = call_world()
    draft = PlanFactory(body=BodyFactory(program=world.program, territory=world.territories[1]))
    objective = Objective.objects.create(plan=draft, title="Una plaza para todos")
    with pytest.raises(ValidationError) as excinfo:
        create(world, objectives=[objective])
    assert "«Una plaza para todos» is not an objective" in field_errors(excinfo)["objectives"][0]


def test_unknown_fields_are_a_programming_error():
    world = call_world()
    with pytest.raises(TypeError):
        create(world, status=CallStatus.PUBLISHED)


# -- what may change when ---------------------------------------------------------------------


def test_a_draft_changes_freely_and_the_audit_says_what_changed():
    world = call_world()
    call = create(world)
    services.call_update(
        actor=world.coordinator,
        call=call,
        title="Fondo Barrial 2027",
        budget=Decimal("80000000"),
        objectives=world.objectives[:1],
    )
    call.refresh_from_db()
    assert call.title == "Fondo Barrial 2027" and call.budget == Decimal("80000000")
    assert call.plan == world.plans[0]
    entry = AuditEntry.objects.filter(action="funds.call.update").get()
    assert entry.data["fields"] == ["budget", "objectives", "plan", "title"]
    # Saving the same values again changes nothing and logs nothing.
    services.call_update(actor=world.coordinator, call=call, title="Fondo Barrial 2027")
    assert AuditEntry.objects.filter(action="funds.call.update").count() == 1


def test_an_open_call_keeps_its_rules_but_may_take_more_money_and_time():
    call = CallFactory()
    coordinator = object()
    with pytest.raises(ValidationError) as excinfo:
        services.call_update(
            actor=coordinator,
            call=call,
            max_grant=Decimal("5000000"),
            eligible_sectors=[Sector.COMMUNITY],
        )
    errors = field_errors(excinfo)
    assert set(errors) == {"max_grant", "eligible_sectors"}
    assert "The call is open" in errors["max_grant"][0]
    later = call.closes_at + datetime.timedelta(days=7)
    services.call_update(
        actor=coordinator, call=call, budget=Decimal("12000000"), closes_at=later, title="Nuevo"
    )
    call.refresh_from_db()
    assert call.budget == Decimal("12000000") and call.closes_at == later
    # The same value for a fixed field is not a change.
    services.call_update(actor=coordinator, call=call, max_grant=call.max_grant)


def test_a_published_call_does_not_close_or_open_in_the_past_by_an_edit():
    call = CallFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.call_update(
            actor=None, call=call, closes_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    assert "close it later than now" in field_errors(excinfo)["closes_at"][0]
    upcoming = CallFactory(
        opens_at=timezone.now() + datetime.timedelta(days=2),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.call_update(
            actor=None, call=upcoming, opens_at=timezone.now() - datetime.timedelta(days=1)
        )
    assert "not earlier" in field_errors(excinfo)["opens_at"][0]
    # Before it opens, its rules may still change.
    services.call_update(actor=None, call=upcoming, max_grant=Decimal("2000000"))


def test_a_closed_call_keeps_its_closing_date_and_a_decided_one_only_its_texts():
    call = CallFactory(closed=True)
    with pytest.raises(ValidationError) as excinfo:
        services.call_update(
            actor=None, call=call, closes_at=timezone.now() + datetime.timedelta(days=3)
        )
    assert "The call closed on" in field_errors(excinfo)["closes_at"][0]
    services.call_update(actor=None, call=call, normalize_scores=True, score_threshold=60)
    call.status = CallStatus.DECIDED
    call.save()
    with pytest.raises(ValidationError) as excinfo:
        services.call_update(actor=None, call=call, budget=Decimal("9000000"))
    assert "The committee has decided" in field_errors(excinfo)["budget"][0]
    day = timezone.localdate() + datetime.timedelta(days=10)
    services.call_update(actor=None, call=call, summary="Resultados pronto.", results_on=day)
    call.refresh_from_db()
    assert call.results_on == day


# -- publishing -------------------------------------------------------------------------------


def test_publishing_needs_a_criterion_and_dates_to_come():
    world = call_world()
    call = create(world)
    with pytest.raises(ValidationError) as excinfo:
        services.call_publish(actor=world.coordinator, call=call)
    assert excinfo.value.messages == ["Add at least one evaluation criterion."]
    CriterionFactory(call=call)
    services.call_publish(actor=world.coordinator, call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="funds.call.publish", target_id=str(call.pk)).exists()
    with pytest.raises(ValidationError) as excinfo:
        services.call_publish(actor=world.coordinator, call=call)
    assert "already published" in excinfo.value.messages[0]


def test_a_draft_whose_opening_passed_says_so_and_can_be_published_as_of_then():
    call = CallFactory(draft=True)
    CriterionFactory(call=call)
    with pytest.raises(ValidationError) as excinfo:
        services.call_publish(actor=None, call=call)
    assert "has passed: set it to now or later" in excinfo.value.messages[0]
    services.call_publish(actor=None, call=call, at=call.opens_at - datetime.timedelta(days=1))
    assert Call.objects.get(pk=call.pk).status == CallStatus.PUBLISHED


def test_a_call_goes_back_to_draft_only_while_nobody_has_applied():
    call = CallFactory()
    services.call_unpublish(actor=None, call=call)
    assert Call.objects.get(pk=call.pk).status == CallStatus.DRAFT
    with pytest.raises(ValidationError) as excinfo:
        services.call_unpublish(actor=None, call=call)
    assert excinfo.value.code == "not_published"
    other = CallFactory()
    ApplicationFactory(call=other, draft=True)
    with pytest.raises(ValidationError) as excinfo:
        services.call_unpublish(actor=None, call=other)
    assert "already started 1 application" in excinfo.value.messages[0]
    assert Call.objects.get(pk=other.pk).status == CallStatus.PUBLISHED


def test_only_a_draft_is_deleted_with_its_criteria_and_quotas():
    published = CallFactory()
    with pytest.raises(ValidationError):
        services.call_delete(actor=None, call=published)
    draft = CallFactory(draft=True)
    CriterionFactory(call=draft)
    QuotaFactory(call=draft)
    services.call_delete(actor=None, call=draft)
    assert not Call.objects.filter(pk=draft.pk).exists()
    assert not Criterion.objects.exists() and not Quota.objects.exists()
    entry = AuditEntry.objects.get(action="funds.call.delete")
    assert entry.data["title"] == draft.title


# -- criteria ---------------------------------------------------------------------------------


def test_criteria_are_added_in_order_edited_moved_and_removed():
    call = CallFactory(draft=True)
    first = services.criterion_create(
        actor=None, call=call, name="Participación", weight="2", minimum=Decimal("2")
    )
    second = services.criterion_create(
        actor=None, call=call, name="Viabilidad", weight=Decimal("1.5"), scale_max=10
    )
    assert (first.position, second.position) == (0, 1)
    services.criteria_reorder(actor=None, call=call, order=[second.pk, first.pk])
    assert list(call.criteria.order_by("position").values_list("name", flat=True)) == [
        "Viabilidad",
        "Participación",
    ]
    services.criterion_update(
        actor=None, criterion=first, name="Participación comunitaria", weight=3, scale_max=5
    )
    first.refresh_from_db()
    assert (first.name, first.weight, first.minimum) == (
        "Participación comunitaria",
        Decimal("3"),
        None,
    )
    services.criterion_remove(actor=None, criterion=second)
    assert list(call.criteria.all()) == [first]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"funds.criterion.create", "funds.criterion.reorder", "funds.criterion.remove"} <= (
        actions
    )


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"name": ""}, "name", "Name the criterion"),
        ({"weight": 0}, "weight", "above zero"),
        ({"weight": "x"}, "weight", "Enter the weight"),
        ({"weight": "1.234"}, "weight", "two decimals"),
        ({"scale_max": 0}, "scale_max", "from 1 to 100"),
        ({"minimum": 6}, "minimum", "cannot be above the top of the scale (5)"),
        ({"minimum": -1}, "minimum", "cannot be negative"),
        ({"name": "impacto"}, "name", "already has a criterion"),
    ],
)
def test_bad_criteria_are_refused_at_their_field(values, field, words):
    call = CallFactory(draft=True)
    CriterionFactory(call=call, name="Impacto")
    data = {"name": "Viabilidad", "weight": 1, "scale_max": 5, **values}
    with pytest.raises(ValidationError) as excinfo:
        services.criterion_create(actor=None, call=call, **data)
    assert words in field_errors(excinfo)[field][0]
    assert call.criteria.count() == 1


def test_a_bad_order_is_refused():
    call = CallFactory(draft=True)
    one, two = CriterionFactory(call=call), CriterionFactory(call=call)
    with pytest.raises(ValidationError) as excinfo:
        services.criteria_reorder(actor=None, call=call, order=[one.pk, one.pk])
    assert excinfo.value.code == "bad_order"
    with pytest.raises(ValidationError):
        services.criteria_reorder(actor=None, call=call, order=[two.pk])


def test_criteria_and_quotas_are_fixed_once_the_call_has_closed():
    call = CallFactory(closed=True)
    criterion = CriterionFactory(call=call)
    quota = QuotaFactory(call=call)
    attempts = [
        lambda: services.criterion_create(actor=None, call=call, name="Nuevo", weight=1),
        lambda: services.criterion_update(
            actor=None, criterion=criterion, name="Otro", weight=1, scale_max=5
        ),
        lambda: services.criterion_remove(actor=None, criterion=criterion),
        lambda: services.criteria_reorder(actor=None, call=call, order=[criterion.pk]),
        lambda: services.quota_create(
            actor=None, call=call, kind=QuotaKind.MINIMUM, share="0.1", theme=ThemeFactory()
        ),
        lambda: services.quota_remove(actor=None, quota=quota),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert excinfo.value.code == "closed"
        assert "can no longer change" in excinfo.value.messages[0]
    # While open, they may still change.
    open_call = CallFactory()
    services.criterion_create(actor=None, call=open_call, name="Impacto", weight=1)


# -- quotas -----------------------------------------------------------------------------------


def quota_call():
    world = call_world()
    call = create(world)
    return world, call


def test_quotas_for_a_territory_or_a_theme():
    world, call = quota_call()
    theme = ThemeFactory(name="Seguridad comunitaria")
    reserved = services.quota_create(
        actor=None,
        call=call,
        kind=QuotaKind.MINIMUM,
        share=Decimal("0.3"),
        territory=world.territories[1],
    )
    capped = services.quota_create(
        actor=None, call=call, kind=QuotaKind.MAXIMUM, share="0.25", theme=theme
    )
    assert reserved.share == Decimal("0.300") and capped.theme == theme
    services.quota_update(
        actor=None,
        quota=capped,
        kind=QuotaKind.MAXIMUM,
        share=Decimal("0.4"),
        theme=theme,
    )
    capped.refresh_from_db()
    assert capped.share == Decimal("0.400")
    assert services.reserved_share(call) == Decimal("0.3")
    services.quota_remove(actor=None, quota=reserved)
    assert list(call.quotas.all()) == [capped]


@pytest.mark.parametrize(
    ("existing", "new", "words"),
    [
        # (kind, share) of a quota of the same territory, then the new one
        ((QuotaKind.MINIMUM, "0.3"), (QuotaKind.MINIMUM, "0.2"), "already has an at-least quota"),
        ((QuotaKind.MINIMUM, "0.3"), (QuotaKind.MAXIMUM, "0.2"), "cannot be less than"),
        ((QuotaKind.MAXIMUM, "0.2"), (QuotaKind.MINIMUM, "0.3"), "cannot be more than"),
    ],
)
def test_quotas_of_one_group_must_agree(existing, new, words):
    world, call = quota_call()
    place = world.territories[1]
    services.quota_create(
        actor=None, call=call, kind=existing[0], share=existing[1], territory=place
    )
    with pytest.raises(ValidationError) as excinfo:
        services.quota_create(actor=None, call=call, kind=new[0], share=new[1], territory=place)
    assert words in field_errors(excinfo)["share"][0]
    assert call.quotas.count() == 1


def test_at_least_quotas_cannot_reserve_more_than_the_budget():
    world, call = quota_call()
    services.quota_create(
        actor=None, call=call, kind=QuotaKind.MINIMUM, share="0.6", territory=world.territories[1]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.quota_create(
            actor=None,
            call=call,
            kind=QuotaKind.MINIMUM,
            share="0.5",
            territory=world.territories[2],
        )
    message = field_errors(excinfo)["share"][0]
    assert "110 %" in message.replace("\u00a0", " ") and "40 %" in message.replace("\u00a0", " ")
    # Editing the first one to leave room is fine; at-most quotas do not reserve anything.
    services.quota_create(
        actor=None, call=call, kind=QuotaKind.MAXIMUM, share="0.9", territory=world.territories[2]
    )
    services.quota_create(
        actor=None, call=call, kind=QuotaKind.MINIMUM, share="0.4", territory=world.territories[2]
    )
    assert services.reserved_share(call) == Decimal("1.0")


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"share": "0"}, "share", "from 1 to 100"),
        ({"share": "1.2"}, "share", "from 1 to 100"),
        ({"share": "0.12345"}, "share", "one decimal"),
        ({"kind": "some"}, "kind", "at least"),
        ({"territory": None}, "territory", "a territory or a theme"),
    ],
)
def test_bad_quotas_are_refused_at_their_field(values, field, words):
    world, call = quota_call()
    data = {"kind": QuotaKind.MINIMUM, "share": "0.2", "territory": world.territories[1], **values}
    with pytest.raises(ValidationError) as excinfo:
        services.quota_create(actor=None, call=call, **data)
    assert words in field_errors(excinfo)[field][0]


def test_a_quota_names_a_place_of_the_program_and_one_group_only():
    world, call = quota_call()
    with pytest.raises(ValidationError) as excinfo:
        services.quota_create(
            actor=None,
            call=call,
            kind=QuotaKind.MAXIMUM,
            share="0.2",
            territory=TerritoryFactory(),
        )
    assert "territory of this program" in field_errors(excinfo)["territory"][0]
    with pytest.raises(ValidationError):
        services.quota_create(
            actor=None,
            call=call,
            kind=QuotaKind.MAXIMUM,
            share="0.2",
            territory=world.territories[1],
            theme=ThemeFactory(),
        )


def test_the_program_territories_include_the_places_inside_them():
    world = call_world()
    inside = TerritoryFactory(name="Villa Los Aromos", parent=world.territories[1])
    outside = TerritoryFactory(name="Otra región")
    names = [t.name for t in services.call_territories(world.program)]
    assert inside.name in names and outside.name not in names
    assert names[0] == "Región Metropolitana"
    assert services.call_territories(ProgramFactory()) == []
