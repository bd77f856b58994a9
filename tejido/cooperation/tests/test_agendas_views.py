# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Pages of the shared social agendas: status codes, content, refusals that change nothing,
the htmx partial, the PDF and fixed query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tejido.actors.tests.factories import ActorFactory
from tejido.cooperation.agendas import services
from tejido.cooperation.agendas.pdf import agenda_story
from tejido.cooperation.agendas.selectors import space_page
from tejido.cooperation.models import AgendaItem, PriorityInput, ReflectionSpace, SpaceStatus
from tejido.core.tests.factories import ProgramFactory

from .agendas_helpers import (
    closed,
    make_world,
    prioritizing,
    published,
    snapshot,
    transition,
    with_groups,
)
from .factories import member_of, representative_of

pytestmark = pytest.mark.django_db


def url(name: str, space: ReflectionSpace, *extra: int) -> str:
    return reverse(f"cooperation:{name}", args=[space.program.slug, space.pk, *extra])


def test_list_shows_spaces_with_status_and_counts(client):
    world = with_groups(make_world(), count=2)
    client.force_login(world.reps[0])
    response = client.get(reverse("cooperation:agendas", args=[world.program.slug]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Agenda social del cerro" in text
    assert "3 participating entities" in text
    assert "Raising items" in text
    filtered = client.get(
        reverse("cooperation:agendas", args=[world.program.slug]), {"status": "published"}
    )
    assert "Agenda social del cerro" not in filtered.content.decode()


def test_visitor_sees_public_program_spaces_but_not_private_ones(client):
    world = make_world()
    assert client.get(url("agenda", world.space)).status_code == 200
    world.program.is_public = False
    world.program.save()
    response = client.get(url("agenda", world.space))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_create_space_through_the_form(client):
    program = ProgramFactory()
    rep = representative_of(ActorFactory(program=program))
    client.force_login(rep)
    new = reverse("cooperation:agenda_new", args=[program.slug])
    assert client.get(new).status_code == 200
    data = {
        "title": "Agenda de los cerros",
        "description": "",
        "format": "series",
        "method": "ranked",
        "dots_per_participant": "5",
        "themes": [transition("ecological").pk],
        "sessions-TOTAL_FORMS": "3",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "12",
        "sessions-0-starts_at": "2030-03-01T18:00",
        "sessions-0-place": "Sede",
        "sessions-1-starts_at": "2030-03-15T18:00",
    }
    response = client.post(new, data)
    assert response.status_code == 302
    space = ReflectionSpace.objects.get(program=program)
    assert space.sessions.count() == 2
    assert space.method == "ranked"
    # A series with one session: refused at the sessions, nothing saved.
    data["sessions-1-starts_at"] = ""
    before = snapshot()
    response = client.post(new, data)
    assert response.status_code == 400
    assert "A series has at least two sessions." in response.content.decode()
    assert snapshot() == before


def test_create_space_refused_to_a_plain_member(client):
    program = ProgramFactory()
    client.force_login(member_of(program))
    assert client.get(reverse("cooperation:agenda_new", args=[program.slug])).status_code == 403


def test_space_page_join_button_and_join(client):
    world = make_world()
    client.force_login(world.outsider_rep)
    page = client.get(url("agenda", world.space)).content.decode()
    assert f"Join on behalf of {world.outsider_entity.name}" in page
    response = client.post(url("agenda_join", world.space), {"actor": world.outsider_entity.pk})
    assert response.status_code == 302
    assert world.space.participants.filter(actor=world.outsider_entity).exists()


def test_refused_join_changes_nothing(client):
    world = make_world()
    client.force_login(world.outsider_rep)
    before = snapshot(world.space)
    # Another organization than one's own: the form refuses it.
    response = client.post(url("agenda_join", world.space), {"actor": world.entities[0].pk})
    assert response.status_code == 400
    assert snapshot(world.space) == before
    client.force_login(member_of(world.program))
    assert client.post(url("agenda_join", world.space), {"actor": 1}).status_code == 403
    assert snapshot(world.space) == before


def test_raise_item_and_filter_by_kind_and_transition(client):
    world = make_world()
    client.force_login(world.reps[0])
    response = client.post(
        url("agenda_item_new", world.space),
        {
            "actor": world.entities[0].pk,
            "kind": "trend",
            "title": "Huertos en azoteas",
            "transitions": [transition("ecological").pk],
        },
    )
    assert response.status_code == 302
    services.item_raise(
        user=world.reps[1],
        space=world.space,
        actor=world.entities[1],
        kind="need",
        title="Wifi en sedes",
        transitions=[transition("digital")],
    )
    text = client.get(url("agenda", world.space), {"transition": "ecological"}).content.decode()
    assert "Huertos en azoteas" in text and "Wifi en sedes" not in text
    text = client.get(url("agenda", world.space), {"kind": "need"}).content.decode()
    assert "Wifi en sedes" in text and "Huertos en azoteas" not in text


def test_raise_item_refused_to_non_participants_and_bad_input(client):
    world = make_world()
    before = snapshot(world.space)
    client.force_login(world.outsider_rep)
    response = client.post(
        url("agenda_item_new", world.space),
        {"actor": world.outsider_entity.pk, "kind": "need", "title": "X"},
    )
    assert response.status_code == 403
    client.force_login(world.reps[0])
    response = client.post(
        url("agenda_item_new", world.space),
        {"actor": world.entities[0].pk, "kind": "need", "title": ""},
    )
    assert response.status_code == 400
    assert snapshot(world.space) == before


def test_grouping_and_htmx_assign(client):
    world = with_groups(make_world(), count=2, items_per_group=1)
    item = AgendaItem.objects.filter(group=world.groups[0]).get()
    client.force_login(world.coordinator)
    response = client.post(
        url("agenda_item_assign", world.space, item.pk),
        {"group": world.groups[1].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Saved" in response.content.decode()
    item.refresh_from_db()
    assert item.group == world.groups[1]
    response = client.post(url("agenda_group_new", world.space), {"title": "Movilidad"})
    assert response.status_code == 302
    assert world.space.groups.count() == 3
    edit = url("agenda_group_edit", world.space, world.groups[0].pk)
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"title": "Vivienda digna"}).status_code == 302
    # A participant may not group.
    client.force_login(world.reps[0])
    before = snapshot(world.space)
    response = client.post(url("agenda_item_assign", world.space, item.pk), {"group": ""})
    assert response.status_code == 403
    assert snapshot(world.space) == before


def test_comment_on_a_group(client):
    world = with_groups(make_world(), count=2)
    client.force_login(world.reps[2])
    response = client.post(
        url("agenda_comment", world.space, world.groups[0].pk),
        {"actor": world.entities[2].pk, "body": "Podemos aportar la sede."},
    )
    assert response.status_code == 302
    text = client.get(url("agenda", world.space)).content.decode()
    assert "Podemos aportar la sede." in text
    before = snapshot(world.space)
    response = client.post(
        url("agenda_comment", world.space, world.groups[0].pk),
        {"actor": world.entities[2].pk, "body": ""},
    )
    assert response.status_code == 400
    assert snapshot(world.space) == before


def test_prioritize_open_input_and_close_through_the_pages(client):
    world = with_groups(make_world(), count=3)
    client.force_login(world.coordinator)
    assert client.post(url("agenda_prioritize_open", world.space)).status_code == 302
    g = world.groups
    client.force_login(world.reps[0])
    prefix = f"e{world.entities[0].pk}"
    page = client.get(url("agenda", world.space)).content.decode()
    assert f'name="{prefix}-group_{g[0].pk}"' in page
    too_many = {
        f"{prefix}-actor": world.entities[0].pk,
        f"{prefix}-group_{g[0].pk}": "4",
        f"{prefix}-group_{g[1].pk}": "3",
    }
    before = snapshot(world.space)
    response = client.post(url("agenda_input", world.space), too_many)
    assert response.status_code == 400
    assert "take 2 away" in response.content.decode()
    assert snapshot(world.space) == before
    good = {f"{prefix}-actor": world.entities[0].pk, f"{prefix}-group_{g[2].pk}": "5"}
    assert client.post(url("agenda_input", world.space), good).status_code == 302
    assert client.post(url("agenda_input", world.space), good).status_code == 302
    assert PriorityInput.objects.filter(space=world.space).count() == 1
    # A participant does not close the count.
    assert client.post(url("agenda_prioritize_close", world.space)).status_code == 403
    client.force_login(world.coordinator)
    assert client.post(url("agenda_prioritize_close", world.space)).status_code == 302
    text = client.get(url("agenda", world.space)).content.decode()
    assert "The ranking" in text
    assert "Dot voting: each participant places up to 5 dots" in text
    response = client.post(url("agenda_publish", world.space), {"intro": "Nuestra agenda."})
    assert response.status_code == 302
    world.space.refresh_from_db()
    assert world.space.status == SpaceStatus.PUBLISHED


def test_open_prioritization_refused_with_one_group_shows_why(client):
    world = with_groups(make_world(), count=1)
    client.force_login(world.coordinator)
    before = snapshot(world.space)
    response = client.post(url("agenda_prioritize_open", world.space))
    assert response.status_code == 400
    assert "at least 2 groups" in response.content.decode()
    assert snapshot(world.space) == before


def test_ranked_input_form_refuses_two_groups_on_one_place(client):
    world = prioritizing(make_world(method="ranked"))
    g = world.groups
    client.force_login(world.reps[0])
    prefix = f"e{world.entities[0].pk}"
    before = snapshot(world.space)
    response = client.post(
        url("agenda_input", world.space),
        {
            f"{prefix}-actor": world.entities[0].pk,
            f"{prefix}-group_{g[0].pk}": "1",
            f"{prefix}-group_{g[1].pk}": "1",
        },
    )
    assert response.status_code == 400
    assert snapshot(world.space) == before
    response = client.post(
        url("agenda_input", world.space),
        {
            f"{prefix}-actor": world.entities[0].pk,
            f"{prefix}-group_{g[0].pk}": "2",
            f"{prefix}-group_{g[1].pk}": "1",
        },
    )
    assert response.status_code == 302
    assert PriorityInput.objects.get().content == {"ranking": [g[1].pk, g[0].pk]}


def test_published_agenda_page_pdf_and_endorse(client):
    world = published(make_world())
    page_url = url("agenda_published", world.space)
    response = client.get(page_url)  # a visitor of a public program
    assert response.status_code == 200
    text = response.content.decode()
    assert "Esta agenda reúne lo que acordamos." in text
    assert world.groups[0].title in text
    assert "Social transition" in text or "Democratic transition" in text
    pdf = client.get(url("agenda_pdf", world.space))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    client.force_login(world.outsider_rep)
    response = client.post(
        url("agenda_endorse", world.space), {"actor": world.outsider_entity.pk, "note": "Sí"}
    )
    assert response.status_code == 302
    text = client.get(page_url).content.decode()
    assert world.outsider_entity.name in text
    before = snapshot(world.space)
    response = client.post(url("agenda_endorse", world.space), {"actor": world.outsider_entity.pk})
    assert response.status_code == 400
    assert "already endorses" in response.content.decode()
    assert snapshot(world.space) == before


def test_unpublished_agenda_page_does_not_exist(client):
    world = closed(make_world())
    client.force_login(world.reps[0])
    assert client.get(url("agenda_published", world.space)).status_code == 404
    assert client.get(url("agenda_pdf", world.space)).status_code == 404
    before = snapshot(world.space)
    response = client.post(url("agenda_endorse", world.space), {"actor": world.entities[0].pk})
    assert response.status_code == 404
    assert snapshot(world.space) == before


def test_pdf_story_has_the_ranking_and_endorsements():
    world = published(make_world())
    services.agenda_endorse(
        user=world.outsider_rep, space=world.space, actor=world.outsider_entity, note="Bien"
    )
    world.space.program = world.program
    story = agenda_story(space_page(world.space, world.outsider_rep))
    text = " ".join(getattr(f, "text", "") for f in story)
    assert "Agenda social del cerro" in text
    assert "Endorsements (1)" in text


def _grow(world, extra: int) -> None:
    for n in range(extra):
        org = ActorFactory(program=world.program)
        rep = representative_of(org)
        services.space_join(user=rep, space=world.space, actor=org)
        item = services.item_raise(
            user=rep,
            space=world.space,
            actor=org,
            kind="need",
            title=f"Extra {n}",
            transitions=[transition("social"), transition("digital")],
        )
        services.item_assign(user=world.coordinator, item=item, group=world.groups[n % 2])
        services.comment_add(user=rep, group=world.groups[n % 2], actor=org, body="Sí")


def _queries(client, django_assert_max_num_queries, page: str, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert client.get(page).status_code == 200


@pytest.mark.parametrize("view", ["agenda", "list"])
def test_space_pages_query_count_does_not_grow(client, django_assert_num_queries, view):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for extra in (3, 30):
        world = with_groups(make_world(program=ProgramFactory()), count=2, items_per_group=1)
        _grow(world, extra)
        client.force_login(world.coordinator)
        page = (
            url("agenda", world.space)
            if view == "agenda"
            else reverse("cooperation:agendas", args=[world.program.slug])
        )
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_published_page_query_count_does_not_grow(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for extra in (3, 30):
        world = with_groups(make_world(program=ProgramFactory()), count=2, items_per_group=1)
        _grow(world, extra)
        published(world)
        for _n in range(extra):
            org = ActorFactory(program=world.program)
            services.agenda_endorse(
                user=representative_of(org), space=world.space, actor=org, note="Sí"
            )
        client.force_login(world.outsider_rep)
        page = url("agenda_published", world.space)
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
