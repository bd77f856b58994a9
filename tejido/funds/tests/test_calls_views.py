# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr,return-value"
"""Calls pages: who sees and does what (the permission matrix of every URL), the hub's groups
and its number of queries, a call's page in words, the call form, the criteria and quotas
editor with and without htmx, and publishing, taking back and deleting."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory
from tejido.core.tests.factories import ProgramFactory, ThemeFactory
from tejido.funds.calls import services
from tejido.funds.models import (
    Call,
    CallStatus,
    Conflict,
    ConflictSource,
    Criterion,
    Quota,
    QuotaKind,
)

from .factories import (
    ApplicationFactory,
    AssignmentFactory,
    CallFactory,
    CriterionFactory,
    PartnerFactory,
    QuotaFactory,
    coordinator_of,
    representative_of,
    reviewer_of,
)
from .factories_calls import call_values, call_world

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = (
    "anonymous",
    "visitor",
    "applicant",
    "partner",
    "reviewer",
    "conflicted",
    "coordinator",
    "superuser",
)


def people(call: Call) -> dict[str, object]:
    """One user per role of the matrix, around an application to `call`."""
    application = ApplicationFactory(call=call)
    partner = PartnerFactory(application=application)
    reviewer = reviewer_of(call)
    AssignmentFactory(application=application, reviewer=reviewer)
    conflicted = reviewer_of(call)
    AssignmentFactory(application=application, reviewer=conflicted)
    Conflict.objects.create(
        reviewer=conflicted, application=application, source=ConflictSource.DECLARED
    )
    return {
        "anonymous": None,
        "visitor": UserFactory(),
        "applicant": representative_of(application.applicant),
        "partner": representative_of(partner.organization),
        "reviewer": reviewer.user,
        "conflicted": conflicted.user,
        "coordinator": coordinator_of(call.program),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def status_of(response) -> int | str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return "login"
    return response.status_code


def urls(call: Call) -> dict[str, str]:
    slug, pk = call.program.slug, call.pk
    criterion = CriterionFactory(call=call)
    quota = QuotaFactory(call=call, territory=None, theme=ThemeFactory())
    return {
        "hub": reverse("funds:hub", args=[slug]),
        "call": reverse("funds:call", args=[slug, pk]),
        "call_create": reverse("funds:call_create", args=[slug]),
        "call_edit": reverse("funds:call_edit", args=[slug, pk]),
        "call_criteria": reverse("funds:call_criteria", args=[slug, pk]),
        "criterion_add": reverse("funds:criterion_add", args=[slug, pk]),
        "criterion_edit": reverse("funds:criterion_edit", args=[slug, pk, criterion.pk]),
        "quota_add": reverse("funds:quota_add", args=[slug, pk]),
        "quota_edit": reverse("funds:quota_edit", args=[slug, pk, quota.pk]),
    }


MANAGE = ("login", 403, 403, 403, 403, 403, 200, 200)
HIDDEN = ("login", 404, 404, 404, 404, 404, 200, 200)
EVERYONE = (200,) * 8
MEMBERS = ("login", 404, 200, 200, 200, 200, 200, 200)
# (public program, draft call) → page → statuses in the order of ROLES
EXPECTED = {
    (True, False): {
        "hub": EVERYONE,
        "call": EVERYONE,
        "call_create": MANAGE,
        "call_edit": MANAGE,
        "call_criteria": MANAGE,
        "criterion_add": MANAGE,
        "criterion_edit": MANAGE,
        "quota_add": MANAGE,
        "quota_edit": MANAGE,
    },
    (True, True): {
        "hub": EVERYONE,
        "call": HIDDEN,
        "call_create": MANAGE,
        "call_edit": HIDDEN,
        "call_criteria": HIDDEN,
        "criterion_add": HIDDEN,
        "criterion_edit": HIDDEN,
        "quota_add": HIDDEN,
        "quota_edit": HIDDEN,
    },
    (False, False): {
        "hub": MEMBERS,
        "call": MEMBERS,
        "call_create": ("login", 404, 403, 403, 403, 403, 200, 200),
        "call_edit": ("login", 404, 403, 403, 403, 403, 200, 200),
        "call_criteria": ("login", 404, 403, 403, 403, 403, 200, 200),
        "criterion_add": ("login", 404, 403, 403, 403, 403, 200, 200),
        "criterion_edit": ("login", 404, 403, 403, 403, 403, 200, 200),
        "quota_add": ("login", 404, 403, 403, 403, 403, 200, 200),
        "quota_edit": ("login", 404, 403, 403, 403, 403, 200, 200),
    },
}


@pytest.mark.parametrize(("public", "draft"), list(EXPECTED))
def test_permission_matrix_of_every_page(client, public, draft):
    call = CallFactory(program=ProgramFactory(is_public=public))
    users = people(call)
    if draft:
        call.status = CallStatus.DRAFT
        call.save()
    addresses = urls(call)
    seen = {}
    for who in ROLES:
        client.logout()
        if users[who] is not None:
            client.force_login(users[who])
        for page, url in addresses.items():
            seen[(page, who)] = status_of(client.get(url))
    expected = {
        (page, who): EXPECTED[(public, draft)][page][index]
        for page in addresses
        for index, who in enumerate(ROLES)
    }
    assert seen == expected


@pytest.mark.parametrize("name", ["call_publish", "call_unpublish", "call_delete"])
def test_actions_are_for_coordinators_and_need_a_post(client, name):
    call = CallFactory()
    users = people(call)
    url = reverse(f"funds:{name}", args=[call.program.slug, call.pk])
    statuses = []
    for who in ROLES:
        client.logout()
        if users[who] is not None:
            client.force_login(users[who])
        statuses.append(status_of(client.post(url)))
    assert statuses[:6] == ["login", 403, 403, 403, 403, 403]
    assert statuses[6] == 302
    client.force_login(users["coordinator"])
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("name", ["criterion_remove", "criterion_move", "quota_remove"])
def test_editor_actions_are_for_coordinators(client, name):
    call = CallFactory(draft=True)
    criterion = CriterionFactory(call=call)
    quota = QuotaFactory(call=call, territory=None, theme=ThemeFactory())
    item = quota.pk if name.startswith("quota") else criterion.pk
    url = reverse(f"funds:{name}", args=[call.program.slug, call.pk, item])
    assert status_of(client.post(url)) == "login"
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404  # a draft does not exist for them
    client.force_login(coordinator_of(call.program))
    assert client.post(url, {"direction": "down"}).status_code == 302
    other = CallFactory(draft=True, program=call.program)
    wrong = reverse(f"funds:{name}", args=[call.program.slug, other.pk, item])
    assert client.post(wrong).status_code == 404


# -- the hub ----------------------------------------------------------------------------------


def hub_calls(program, copies: int = 1) -> dict[str, Call]:
    now = timezone.now()
    calls = {}
    for n in range(copies):
        calls[f"open{n}"] = CallFactory(program=program, title=f"Fondo abierto {n}")
        calls[f"upcoming{n}"] = CallFactory(
            program=program,
            title=f"Fondo próximo {n}",
            opens_at=now + datetime.timedelta(days=5),
            closes_at=now + datetime.timedelta(days=40),
        )
        calls[f"closed{n}"] = CallFactory(program=program, closed=True, title=f"Fondo cerrado {n}")
        calls[f"results{n}"] = CallFactory(
            program=program,
            closed=True,
            status=CallStatus.RESULTS_PUBLISHED,
            results_published_at=now,
            title=f"Fondo resuelto {n}",
        )
        calls[f"draft{n}"] = CallFactory(program=program, draft=True, title=f"Fondo borrador {n}")
    return calls


def sections(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for heading, body in re.findall(
        r'<section class="funds-section[^"]*" aria-labelledby="(\w+)-heading">(.*?)</section>',
        html,
        re.S,
    ):
        found[heading] = re.findall(r'call-\d+-title"><a href="[^"]+">([^<]+)</a>', body)
    return found


def test_the_hub_groups_calls_by_phase_and_shows_drafts_to_coordinators(client):
    world = call_world()
    calls = hub_calls(world.program)
    services.call_update(actor=None, call=calls["draft0"], objectives=world.objectives[:1])
    calls["open0"].eligible_territories.set([world.territories[1]])
    calls["open0"].objectives.set(world.objectives)
    response = client.get(reverse("funds:hub", args=[world.program.slug]))
    html = response.content.decode()
    assert sections(html) == {
        "open": ["Fondo abierto 0"],
        "upcoming": ["Fondo próximo 0"],
        "evaluation": ["Fondo cerrado 0"],
        "results": ["Fondo resuelto 0"],
    }
    assert "La Pintana" in html and "Serves 4 plan objectives" in html
    assert "and 1 more" in html
    assert "$10,000,000" in html and "$500,000 to $3,000,000" in html
    assert "days left" in html
    assert "New call" not in html
    client.force_login(world.coordinator)
    html = client.get(reverse("funds:hub", args=[world.program.slug])).content.decode()
    assert sections(html)["drafts"] == ["Fondo borrador 0"]
    assert reverse("funds:call_create", args=[world.program.slug]) in html


def test_the_hub_says_when_there_is_nothing_yet(client):
    program = ProgramFactory()
    html = client.get(reverse("funds:hub", args=[program.slug])).content.decode()
    assert "No calls yet" in html
    assert "Draft the first call" not in html
    client.force_login(coordinator_of(program))
    html = client.get(reverse("funds:hub", args=[program.slug])).content.decode()
    assert "Draft the first call" in html


def test_the_hub_does_not_slow_down_as_calls_grow(client, django_assert_max_num_queries):
    world = call_world()
    client.force_login(world.coordinator)
    url = reverse("funds:hub", args=[world.program.slug])
    hub_calls(world.program, copies=1)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    hub_calls(world.program, copies=6)
    for call in Call.objects.filter(program=world.program):
        call.objectives.set(world.objectives)
        call.eligible_territories.set(world.territories[1:])
    with django_assert_max_num_queries(12) as many:
        response = client.get(url)
    assert response.content.decode().count('class="card call-card"') == 35
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_hub_lists_the_users_applications_and_reviews_when_those_areas_exist(client):
    pytest.importorskip("tejido.funds.applications.selectors")
    pytest.importorskip("tejido.funds.reviews.selectors")
    call = CallFactory()
    application = ApplicationFactory(call=call, title="Huerto en la plaza")
    user = representative_of(application.applicant)
    client.force_login(user)
    html = client.get(reverse("funds:hub", args=[call.program.slug])).content.decode()
    assert "Your organizations' applications" in html and "Huerto en la plaza" in html
    reviewer = reviewer_of(call)
    AssignmentFactory(application=application, reviewer=reviewer)
    client.force_login(reviewer.user)
    html = client.get(reverse("funds:hub", args=[call.program.slug])).content.decode()
    assert "A review is waiting for you" in html and "Huerto en la plaza" in html


# -- a call's page ----------------------------------------------------------------------------


def full_call(world) -> Call:
    theme = ThemeFactory(name="Seguridad comunitaria")
    call = services.call_create(
        actor=world.coordinator,
        program=world.program,
        **call_values(
            objectives=world.objectives[:2],
            eligible_territories=world.territories[1:],
            eligible_sectors=[Sector.COMMUNITY, Sector.THIRD_SECTOR],
            legal_document_max_age_days=60,
            allow_partial_funding=True,
            funder=ActorFactory(program=world.program, name="Fundación Tejer Comunidad"),
        ),
    )
    services.criterion_create(
        actor=None, call=call, name="Participación", weight=3, minimum=2, guidance="Quiénes."
    )
    services.criterion_create(actor=None, call=call, name="Viabilidad", weight=1)
    services.quota_create(
        actor=None, call=call, kind=QuotaKind.MINIMUM, share="0.3", territory=world.territories[1]
    )
    services.quota_create(actor=None, call=call, kind=QuotaKind.MAXIMUM, share="0.25", theme=theme)
    services.call_publish(actor=None, call=call)
    return call


def test_the_call_page_tells_its_rules_in_words(client):
    world = call_world()
    call = full_call(world)
    html = client.get(reverse("funds:call", args=[world.program.slug, call.pk])).content.decode()
    html = html.replace("\u00a0", " ")
    assert '<h1 class="call-header-title">Fondo Barrial 2026</h1>' in html
    assert "Opens soon" in html and "Opens on" in html
    assert "At least 30 % of the budget ($18,000,000) for projects in La Pintana" in html
    assert "At most 25 % of the budget ($15,000,000) for projects on Seguridad comunitaria" in html
    assert "one of these sectors: Community, Third sector" in html
    assert "The project serves La Pintana, San Bernardo, or a place inside them." in html
    assert "at most 60 days before the call closes" in html
    assert "down to 80 % of what it asks for" in html
    assert "75 %" in html and "A mean below 2 of 5 rules the application out." in html
    assert "Fundación Tejer Comunidad" in html
    plan = world.objectives[0].plan
    assert reverse("governance:plan", args=[world.program.slug, plan.pk]) in html
    assert world.objectives[1].title in html
    assert "Applications open on" in html


def test_the_apply_box_depends_on_who_asks(client):
    call = CallFactory()
    url = reverse("funds:call", args=[call.program.slug, call.pk])
    html = client.get(url).content.decode()
    assert "Log in to apply" in html
    client.force_login(UserFactory())
    html = client.get(url).content.decode()
    assert "Only representatives of the program's organizations can apply" in html
    organization = ActorFactory(program=call.program)
    representative = representative_of(organization)
    client.force_login(representative)
    apply_url = (
        reverse("funds:apply", args=[call.program.slug, call.pk])
        if _exists("funds:apply", call)
        else None
    )
    html = client.get(url).content.decode()
    if apply_url:
        assert apply_url in html
    application = ApplicationFactory(call=call, applicant=organization, title="Mural del pasaje")
    html = client.get(url).content.decode()
    assert "Mural del pasaje" in html
    assert "one application per organization: yours is above" in html
    if apply_url:
        assert apply_url not in html
    # A partner sees the application it is part of.
    partner = PartnerFactory(application=application)
    client.force_login(representative_of(partner.organization))
    html = client.get(url).content.decode()
    assert "Mural del pasaje" in html and "your organization is a partner" in html


def _exists(name: str, call: Call) -> bool:
    from tejido.core.http import optional_url

    return bool(optional_url(name, call.program.slug, call.pk))


def test_published_results_list_the_funded_projects(client):
    pytest.importorskip("tejido.funds.awards.selectors")
    from .factories import AwardFactory

    call = CallFactory(
        closed=True, status=CallStatus.RESULTS_PUBLISHED, results_published_at=timezone.now()
    )
    award = AwardFactory(application=ApplicationFactory(call=call, title="Plaza de juegos"))
    PartnerFactory(application=award.application, organization__name="Club Deportivo Unión")
    html = client.get(reverse("funds:call", args=[call.program.slug, call.pk])).content.decode()
    assert "Funded projects" in html and "Plaza de juegos" in html
    assert "with Club Deportivo Unión" in html
    assert "$1,000,000" in html and "10" in html


def test_the_coordination_box(client):
    world = call_world()
    call = services.call_create(actor=None, program=world.program, **call_values())
    client.force_login(world.coordinator)
    url = reverse("funds:call", args=[world.program.slug, call.pk])
    html = client.get(url).content.decode()
    assert "Add at least one evaluation criterion." in html
    assert re.search(r"<button[^>]*disabled[^>]*>Publish the call", html)
    CriterionFactory(call=call)
    html = client.get(url).content.decode()
    assert "Ready to publish" in html
    response = client.post(reverse("funds:call_publish", args=[world.program.slug, call.pk]))
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "The call is published" in html and "Back to draft" in html
    client.post(reverse("funds:call_unpublish", args=[world.program.slug, call.pk]))
    assert Call.objects.get(pk=call.pk).status == CallStatus.DRAFT
    response = client.post(reverse("funds:call_delete", args=[world.program.slug, call.pk]))
    assert response["Location"] == reverse("funds:hub", args=[world.program.slug])
    assert not Call.objects.filter(pk=call.pk).exists()


def test_a_refused_action_says_why(client):
    call = CallFactory()
    ApplicationFactory(call=call)
    client.force_login(coordinator_of(call.program))
    response = client.post(
        reverse("funds:call_unpublish", args=[call.program.slug, call.pk]), follow=True
    )
    assert "already started 1 application" in response.content.decode()
    response = client.post(
        reverse("funds:call_delete", args=[call.program.slug, call.pk]), follow=True
    )
    assert "Only a draft can be deleted" in response.content.decode()
    assert Call.objects.filter(pk=call.pk, status=CallStatus.PUBLISHED).exists()


# -- the call form ----------------------------------------------------------------------------


def form_data(world, **overrides) -> dict[str, object]:
    opens = timezone.localtime() + datetime.timedelta(days=7)
    closes = opens + datetime.timedelta(days=30)
    data = {
        "title": "Fondo de Iniciativas Juveniles",
        "summary": "Iniciativas de jóvenes del barrio.",
        "cycle": world.program.cycles.first().pk,
        "objectives": [world.objectives[0].pk],
        "currency": "CLP",
        "budget": "20.000.000",
        "min_grant": "",
        "max_grant": "2.000.000",
        "min_partial_share": "80",
        "allocation_rule": "greedy",
        "ranking_source": "reviews",
        "score_threshold": "50",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "eligible_sectors": ["community"],
        "eligible_territories": [world.territories[1].pk],
        "require_legal_document": "on",
        "legal_document_max_age_days": "90",
        "one_application_per_organization": "on",
        "reviewers_per_application": "2",
        "disagreement_threshold": "25",
        "conflict_tie_intensity": "2",
    }
    data.update(overrides)
    return data


def test_a_coordinator_drafts_a_call_with_the_form(client):
    world = call_world()
    client.force_login(world.coordinator)
    url = reverse("funds:call_create", args=[world.program.slug])
    html = client.get(url).content.decode()
    assert "Plan objectives served" in html and "La Pintana · Plan de mejoramiento" in html
    for legend in ("About", "Money", "Dates", "Eligibility", "Reviews", "Decision"):
        assert f"<legend>{legend}</legend>" in html
    response = client.post(url, form_data(world))
    call = Call.objects.get()
    assert response["Location"] == reverse(
        "funds:call_criteria", args=[world.program.slug, call.pk]
    )
    assert call.budget == Decimal("20000000") and call.max_grant == Decimal("2000000")
    assert call.min_grant == 0 and call.min_partial_share == Decimal("0.8")
    assert call.plan == world.objectives[0].plan and call.slug == "fondo-de-iniciativas-juveniles"
    assert call.eligible_sectors == ["community"] and call.eligible_kinds == []
    assert call.require_legal_document and not call.require_no_overdue_reports


def test_bad_input_in_the_form_is_shown_at_the_field_and_nothing_is_saved(client):
    world = call_world()
    client.force_login(world.coordinator)
    url = reverse("funds:call_create", args=[world.program.slug])
    response = client.post(url, form_data(world, max_grant="30.000.000", budget="abc"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and "Enter a number" in html
    response = client.post(url, form_data(world, max_grant="30.000.000"))
    assert response.status_code == 400
    assert "cannot be more than the whole budget" in response.content.decode()
    assert not Call.objects.exists()


def test_the_form_greys_out_what_an_open_call_can_no_longer_change(client):
    world = call_world()
    call = full_call(world)
    Call.objects.filter(pk=call.pk).update(opens_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(world.coordinator)
    url = reverse("funds:call_edit", args=[world.program.slug, call.pk])
    html = client.get(url).content.decode()
    assert "Some fields are greyed out" in html
    assert re.search(r'name="max_grant"[^>]*disabled', html)
    assert not re.search(r'name="budget"[^>]*disabled', html)
    call.refresh_from_db()
    data = form_data(world, title="Fondo Barrial 2026 (ampliado)", budget="70.000.000")
    data.update(
        max_grant="1",
        opens_at="",
        closes_at=timezone.localtime(call.closes_at).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 302, re.findall(r'class="errorlist"[^>]*>(.*?)</ul>', html, re.S)
    call.refresh_from_db()
    assert call.title == "Fondo Barrial 2026 (ampliado)" and call.budget == Decimal("70000000")
    assert call.max_grant == Decimal("6000000")  # disabled: the posted value is ignored
    assert call.eligible_sectors == ["community", "third_sector"]


# -- criteria and quotas ----------------------------------------------------------------------


def test_criteria_are_managed_inline_with_htmx_and_as_pages_without(client):
    call = CallFactory(draft=True)
    client.force_login(coordinator_of(call.program))
    slug = call.program.slug
    add = reverse("funds:criterion_add", args=[slug, call.pk])
    response = client.get(add, **HTMX)
    assert 'hx-post="' + add in response.content.decode()
    assert "<html" not in response.content.decode()
    data = {"name": "Participación", "weight": "2,5", "scale_max": "5", "minimum": "2"}
    response = client.post(add, data, **HTMX)
    assert response["HX-Retarget"] == "#editor-body"
    html = response.content.decode()
    assert "Criterion added." in html and "Participación" in html
    criterion = Criterion.objects.get()
    assert criterion.weight == Decimal("2.5") and criterion.minimum == Decimal("2")
    # Without htmx: a full page, then back to the editor.
    response = client.post(add, {"name": "Viabilidad", "weight": "1", "scale_max": "10"})
    assert response["Location"].endswith("#criteria")
    response = client.post(add, {"name": "Impacto", "weight": "1", "scale_max": "5", "minimum": 9})
    assert response.status_code == 400
    assert "cannot be above the top of the scale" in response.content.decode()
    second = Criterion.objects.get(name="Viabilidad")
    client.post(
        reverse("funds:criterion_move", args=[slug, call.pk, second.pk]), {"direction": "up"}
    )
    assert list(call.criteria.order_by("position").values_list("name", flat=True)) == [
        "Viabilidad",
        "Participación",
    ]
    edit = reverse("funds:criterion_edit", args=[slug, call.pk, criterion.pk])
    client.post(edit, {"name": "Participación vecinal", "weight": "3", "scale_max": "5"}, **HTMX)
    criterion.refresh_from_db()
    assert criterion.name == "Participación vecinal" and criterion.minimum is None
    response = client.post(
        reverse("funds:criterion_remove", args=[slug, call.pk, criterion.pk]), **HTMX
    )
    assert "Criterion «Participación vecinal» removed." in response.content.decode()
    assert list(call.criteria.values_list("name", flat=True)) == ["Viabilidad"]


def test_quotas_are_typed_as_percentages_and_refused_clearly(client):
    world = call_world()
    call = services.call_create(actor=None, program=world.program, **call_values())
    client.force_login(world.coordinator)
    add = reverse("funds:quota_add", args=[world.program.slug, call.pk])
    group = f"territory:{world.territories[1].pk}"
    response = client.post(add, {"kind": "min", "share": "30", "group": group}, **HTMX)
    html = response.content.decode().replace("\u00a0", " ")
    assert "At least 30 % of the budget ($18,000,000) for projects in La Pintana" in html
    assert "reserve 30 % of it now" in html
    assert Quota.objects.get().share == Decimal("0.300")
    response = client.post(add, {"kind": "min", "share": "20", "group": group}, **HTMX)
    assert response.status_code == 200  # the form swaps itself in place
    assert "already has an at-least quota for the territory La Pintana" in (
        response.content.decode().replace("\u00a0", " ")
    )
    response = client.post(add, {"kind": "max", "share": "20", "group": "territory:999999"})
    assert response.status_code == 400
    assert "Choose a territory or a theme from the list." in response.content.decode()
    quota = Quota.objects.get()
    edit = reverse("funds:quota_edit", args=[world.program.slug, call.pk, quota.pk])
    assert 'value="30"' in client.get(edit).content.decode()
    client.post(edit, {"kind": "min", "share": "12,5", "group": group})
    quota.refresh_from_db()
    assert quota.share == Decimal("0.125")
    assert Quota.objects.count() == 1


def test_a_closed_calls_criteria_are_shown_but_not_editable(client):
    call = CallFactory(closed=True)
    criterion = CriterionFactory(call=call, name="Impacto")
    client.force_login(coordinator_of(call.program))
    slug = call.program.slug
    html = client.get(reverse("funds:call_criteria", args=[slug, call.pk])).content.decode()
    assert "Impacto" in html and "can no longer change" in html
    assert reverse("funds:criterion_add", args=[slug, call.pk]) not in html
    response = client.post(
        reverse("funds:criterion_remove", args=[slug, call.pk, criterion.pk]), follow=True
    )
    assert "can no longer change" in response.content.decode()
    response = client.post(
        reverse("funds:criterion_add", args=[slug, call.pk]),
        {"name": "Nuevo", "weight": "1", "scale_max": "5"},
    )
    assert response.status_code == 400 and "can no longer change" in response.content.decode()
    assert list(call.criteria.all()) == [criterion]


def test_the_call_header_shows_tabs_only_when_there_is_more_than_one(client):
    call = CallFactory(closed=True)
    url = reverse("funds:call", args=[call.program.slug, call.pk])
    html = client.get(url).content.decode()
    assert 'class="call-tabs"' not in html
    assert "Under evaluation" in html and "the applications are being evaluated" in html
    client.force_login(coordinator_of(call.program))
    html = client.get(url).content.decode()
    tabs = re.search(r'<nav class="call-tabs".*?</nav>', html, re.S)
    if tabs:  # other areas' pages exist: the overview is current
        assert 'aria-current="page">Overview' in tabs.group(0)


def test_a_private_programs_hub_hides_from_outsiders(client):
    program = ProgramFactory(is_public=False)
    CallFactory(program=program, title="Fondo privado")
    url = reverse("funds:hub", args=[program.slug])
    assert status_of(client.get(url)) == "login"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    member = UserFactory()
    ProgramRoleFactory(user=member, program=program, role=Role.DIRECTORATE_MEMBER)
    client.force_login(member)
    assert "Fondo privado" in client.get(url).content.decode()
