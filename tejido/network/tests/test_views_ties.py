"""Recording, correcting and ending ties through the pages: who may, what is written."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.tests.factories import ActorFactory, RepresentativeFactory
from tejido.core.models import AuditEntry
from tejido.network.models import Tie, TieType
from tejido.network.services import tie_update
from tejido.network.tests.factories import TieFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def member(program, role):
    return ProgramRoleFactory(program=program, role=role).user


def representative_of(organization):
    user = member(organization.program, Role.ORGANIZATION_REPRESENTATIVE)
    RepresentativeFactory(user=user, organization=organization)
    return user


@pytest.fixture
def pair(program):
    return (
        ActorFactory(program=program, name="Junta de Vecinos El Castillo"),
        ActorFactory(program=program, name="Consultorio Bernardo Leighton"),
    )


def create_url(actor):
    return reverse("network:tie_create", args=[actor.program.slug, actor.pk])


def good_data(partner, **extra):
    return {
        "partner": getattr(partner, "pk", partner),
        "tie_type": TieType.COLLABORATION,
        "direction": "both",
        "intensity": "2",
        "trust": "4",
        "value": "",
        "started_on": "2024-03-01",
        "ended_on": "",
        "note": "Operativo de salud en la sede",
        **extra,
    }


# --- who may record a tie ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("coordinator", True),
        ("directorate", True),
        ("representative", True),
        ("other_representative", False),
        ("evaluator", False),
        ("stranger", False),
    ],
)
def test_tie_create_permission_matrix(client, program, pair, who, allowed):
    actor, partner = pair
    users = {
        "coordinator": lambda: member(program, Role.COORDINATOR),
        "directorate": lambda: member(program, Role.DIRECTORATE_MEMBER),
        "representative": lambda: representative_of(actor),
        "other_representative": lambda: representative_of(ActorFactory(program=program)),
        "evaluator": lambda: member(program, Role.EVALUATOR),
        "stranger": UserFactory,
    }
    client.force_login(users[who]())
    get = client.get(create_url(actor))
    post = client.post(create_url(actor), good_data(partner))
    if allowed:
        assert get.status_code == 200
        assert post.status_code == 302
        assert Tie.objects.count() == 1
    else:
        assert get.status_code == 403 and post.status_code == 403
        assert not Tie.objects.exists()


def test_anonymous_is_sent_to_log_in(client, pair):
    actor, partner = pair
    response = client.post(create_url(actor), good_data(partner))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Tie.objects.exists()


# --- recording ------------------------------------------------------------------------------


def test_coordinator_records_a_tie_and_returns_to_the_profile(client, program, pair):
    actor, partner = pair
    user = member(program, Role.COORDINATOR)
    client.force_login(user)
    response = client.post(create_url(actor), good_data(partner))
    assert response.status_code == 302
    assert response["Location"] == reverse("network:actor", args=[program.slug, actor.pk])
    tie = Tie.objects.get()
    assert (tie.source_id, tie.target_id) == tuple(sorted((actor.pk, partner.pk)))
    assert tie.intensity == 2 and tie.trust == 4 and tie.value is None
    assert tie.started_on == datetime.date(2024, 3, 1)
    assert tie.recorded_by == user and tie.note == "Operativo de salud en la sede"
    assert AuditEntry.objects.filter(action="tie.create").count() == 1


def test_direction_decides_the_ends_of_a_directed_tie(client, program, pair):
    actor, partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    client.post(create_url(actor), good_data(partner, tie_type=TieType.FUNDING, direction="in"))
    tie = Tie.objects.get()
    assert tie.directed and tie.source_id == partner.pk and tie.target_id == actor.pk


def test_recording_an_existing_pair_writes_a_new_version(client, program, pair):
    actor, partner = pair
    TieFactory(source=actor, target=partner, tie_type=TieType.COLLABORATION, intensity=1)
    client.force_login(member(program, Role.COORDINATOR))
    response = client.post(create_url(actor), good_data(partner), follow=True)
    assert Tie.objects.count() == 2
    assert Tie.objects.current().get().intensity == 2
    assert (
        "earlier version is kept" in response.content.decode()
        or Tie.objects.filter(superseded_at__isnull=False).exists()
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partner": ""}, "partner"),
        ({"partner": "abc"}, "partner"),
        ({"tie_type": ""}, "tie_type"),
        ({"tie_type": "friendship"}, "tie_type"),
        ({"intensity": "7"}, "intensity"),
        ({"intensity": ""}, "intensity"),
        ({"trust": "9"}, "trust"),
        ({"value": "0"}, "value"),
        ({"started_on": "31/02/2024"}, "started_on"),
        ({"started_on": "2024-05-01", "ended_on": "2024-04-01"}, "ended_on"),
        ({"direction": "sideways"}, "direction"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_input_is_shown_at_the_field_and_writes_nothing(client, program, pair, change, field):
    actor, partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    response = client.post(create_url(actor), {**good_data(partner), **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not Tie.objects.exists()
    assert not AuditEntry.objects.exists()


def test_partner_from_another_program_or_itself_is_refused(client, program, pair):
    actor, _partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    foreign = ActorFactory()
    for bad in (foreign, actor):
        response = client.post(create_url(actor), good_data(bad))
        assert "partner" in response.context["form"].errors
    assert not Tie.objects.exists()


def test_search_then_select_without_javascript(client, program, pair):
    actor, _partner = pair
    ActorFactory(program=program, name="Consultorio Alejandro del Río")
    ActorFactory(name="Consultorio de otro programa")
    client.force_login(member(program, Role.COORDINATOR))
    response = client.get(create_url(actor), {"q": "consultorio"})
    html = response.content.decode()
    assert 'name="partner"' in html
    assert "Consultorio Bernardo Leighton" in html and "Consultorio Alejandro del Río" in html
    assert "Consultorio de otro programa" not in html
    assert (
        f'value="{actor.pk}"' not in html.split('id="partner-options"')[1].split("</fieldset>")[0]
    )


def test_partner_search_endpoint_returns_options_for_htmx(client, program, pair):
    actor, partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    url = reverse("network:tie_partner_search", args=[program.slug, actor.pk])
    response = client.get(url, {"q": "BERNARDO leighton"}, headers=HTMX)
    body = response.content.decode()
    assert "<html" not in body
    assert f'value="{partner.pk}"' in body
    assert 'hx-swap-oob="innerHTML"' in body
    # Without htmx it is the create page, with the query.
    plain = client.get(url, {"q": "bernardo"})
    assert plain.status_code == 302 and "q=bernardo" in plain["Location"]


def test_partner_search_requires_the_permission(client, program, pair):
    actor, _partner = pair
    client.force_login(member(program, Role.EVALUATOR))
    url = reverse("network:tie_partner_search", args=[program.slug, actor.pk])
    assert client.get(url, {"q": "a"}, headers=HTMX).status_code == 403


def test_inline_create_returns_the_refreshed_network_section(client, program, pair):
    actor, partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    form = client.get(create_url(actor), headers=HTMX)
    assert "<html" not in form.content.decode() and "hx-post" in form.content.decode()

    response = client.post(create_url(actor), good_data(partner), headers=HTMX)
    assert response["HX-Retarget"] == "#actor-network"
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="actor-network"')
    assert "Consultorio Bernardo Leighton" in body
    assert Tie.objects.count() == 1


def test_inline_create_with_errors_returns_the_form(client, program, pair):
    actor, partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    response = client.post(create_url(actor), good_data(partner, intensity="9"), headers=HTMX)
    assert "HX-Retarget" not in response
    body = response.content.decode()
    assert 'id="tie-create"' in body and "errorlist" in body
    # The chosen partner stays selected.
    assert f'value="{partner.pk}" checked' in body
    assert not Tie.objects.exists()


# --- editing and ending -----------------------------------------------------------------------


@pytest.fixture
def tie(pair):
    actor, partner = pair
    return TieFactory(
        source=actor, target=partner, intensity=1, started_on=datetime.date(2023, 1, 1)
    )


def edit_url(tie, actor=None):
    url = reverse("network:tie_edit", args=[tie.program.slug, tie.pk])
    return f"{url}?from={actor.pk}" if actor else url


def end_url(tie, actor=None):
    url = reverse("network:tie_end", args=[tie.program.slug, tie.pk])
    return f"{url}?from={actor.pk}" if actor else url


def edit_data(**extra):
    return {
        "intensity": "4",
        "trust": "5",
        "value": "3",
        "started_on": "2023-01-01",
        "ended_on": "",
        "note": "",
        **extra,
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("coordinator", True),
        ("directorate", True),
        ("representative_of_one_end", True),
        ("representative_of_other_end", True),
        ("representative_elsewhere", False),
        ("evaluator", False),
        ("stranger", False),
    ],
)
def test_tie_edit_and_end_permission_matrix(client, program, pair, tie, who, allowed):
    actor, partner = pair
    users = {
        "coordinator": lambda: member(program, Role.COORDINATOR),
        "directorate": lambda: member(program, Role.DIRECTORATE_MEMBER),
        "representative_of_one_end": lambda: representative_of(actor),
        "representative_of_other_end": lambda: representative_of(partner),
        "representative_elsewhere": lambda: representative_of(ActorFactory(program=program)),
        "evaluator": lambda: member(program, Role.EVALUATOR),
        "stranger": UserFactory,
    }
    client.force_login(users[who]())
    responses = [
        client.get(edit_url(tie)),
        client.get(end_url(tie)),
        client.post(edit_url(tie), edit_data()),
    ]
    if allowed:
        assert [r.status_code for r in responses] == [200, 200, 302]
        assert Tie.objects.current().get().intensity == 4
    else:
        assert [r.status_code for r in responses] == [403, 403, 403]
        assert Tie.objects.count() == 1


def test_edit_writes_a_new_version_and_says_the_old_one_is_kept(client, program, pair, tie):
    _actor, partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    page = client.get(edit_url(tie, partner)).content.decode()
    assert "history" in page.lower()
    response = client.post(edit_url(tie, partner), {**edit_data(), "from": partner.pk})
    assert response["Location"] == reverse("network:actor", args=[program.slug, partner.pk])
    versions = list(Tie.objects.order_by("recorded_at", "id"))
    assert len(versions) == 2
    assert versions[0].superseded_at is not None and versions[0].intensity == 1
    assert versions[1].previous_id == versions[0].pk and versions[1].intensity == 4


def test_edit_with_bad_dates_changes_nothing(client, program, tie):
    client.force_login(member(program, Role.COORDINATOR))
    response = client.post(edit_url(tie), edit_data(ended_on="2022-12-31"))
    assert response.status_code == 200
    assert "ended_on" in response.context["form"].errors
    assert Tie.objects.count() == 1 and Tie.objects.get().superseded_at is None


def test_edit_of_an_old_version_goes_to_the_current_one(client, program, pair, tie):
    actor, _partner = pair
    newer = tie_update(user=None, tie=tie, intensity=3)
    client.force_login(member(program, Role.COORDINATOR))
    response = client.get(edit_url(tie, actor))
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("network:tie_edit", args=[program.slug, newer.pk])
    )
    # Posting to the stale version writes nothing.
    response = client.post(edit_url(tie), edit_data())
    assert response.status_code == 302
    assert Tie.objects.count() == 2


def test_end_keeps_history_and_moves_the_tie_to_past_ties(client, program, pair, tie):
    actor, _partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    response = client.post(end_url(tie, actor), {"ended_on": "2024-06-30", "from": actor.pk})
    assert response.status_code == 302
    current = Tie.objects.current().get()
    assert current.ended_on == datetime.date(2024, 6, 30) and current.previous_id == tie.pk
    html = client.get(reverse("network:actor", args=[program.slug, actor.pk])).content.decode()
    assert "Consultorio Bernardo Leighton" in html.split('class="past-ties"')[1]


@pytest.mark.parametrize("value", ["", "not-a-date", "2022-12-31"])
def test_end_with_bad_date_changes_nothing(client, program, tie, value):
    client.force_login(member(program, Role.COORDINATOR))
    response = client.post(end_url(tie), {"ended_on": value})
    assert response.status_code == 200
    assert "ended_on" in response.context["form"].errors
    assert Tie.objects.count() == 1


def test_inline_edit_and_end_refresh_the_profile_section(client, program, pair, tie):
    actor, _partner = pair
    client.force_login(member(program, Role.COORDINATOR))
    form = client.get(edit_url(tie, actor), headers=HTMX).content.decode()
    assert "<html" not in form and f'id="tie-{tie.pk}-edit"' in form
    response = client.post(edit_url(tie), {**edit_data(), "from": actor.pk}, headers=HTMX)
    assert response["HX-Retarget"] == "#actor-network"
    current = Tie.objects.current().get()
    response = client.post(
        end_url(current), {"ended_on": "2025-01-31", "from": actor.pk}, headers=HTMX
    )
    assert response["HX-Retarget"] == "#actor-network"
    assert 'class="past-ties"' in response.content.decode()


def test_tie_of_another_program_is_not_found(client, program, tie):
    client.force_login(member(program, Role.COORDINATOR))
    other = TieFactory()
    assert client.get(edit_url(other).replace(other.program.slug, program.slug)).status_code == 404
