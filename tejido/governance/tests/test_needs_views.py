"""Pages of the needs register and of prioritization sessions: the permission matrix, forms,
htmx partials, privacy of participants' names, and query counts at two data sizes."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.governance.models import (
    AgendaItem,
    Need,
    NeedStatus,
    PrioritizationInput,
    PrioritizationMethod,
    PrioritizationSession,
    SessionStatus,
)
from tejido.governance.needs import services

from .factories import MeetingFactory
from .test_needs_support import hanlon_input, make_session, make_world

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "visitor", "representative", "member", "holder", "coordinator", "superuser")


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _status(response) -> str:
    if response.status_code == 302:
        return "login" if "/login/" in response["Location"] else "redirect"
    return str(response.status_code)


def _matrix(world, method: str, url: str, data=None) -> dict[str, str]:
    results = {}
    for role, user in world.users().items():
        client = _client(user)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        results[role] = _status(response)
    return results


def _row(*values: str) -> dict[str, str]:
    return dict(zip(ROLES, values, strict=True))


EVERYONE = _row("200", "200", "200", "200", "200", "200", "200")
RECORDERS = _row("login", "403", "403", "200", "200", "200", "200")
COORDINATORS = _row("login", "403", "403", "403", "403", "200", "200")


def test_permission_matrix_of_the_register():
    world = make_world()
    slug, need = world.program.slug, world.needs[0]
    assert _matrix(world, "get", reverse("governance:needs", args=[slug])) == EVERYONE
    assert _matrix(world, "get", reverse("governance:need", args=[slug, need.pk])) == EVERYONE
    assert _matrix(world, "get", reverse("governance:need_create", args=[slug])) == RECORDERS
    assert _matrix(world, "get", reverse("governance:need_import", args=[slug])) == RECORDERS
    edit = reverse("governance:need_edit", args=[slug, need.pk])
    assert _matrix(world, "get", edit) == RECORDERS
    status = reverse("governance:need_status", args=[slug, need.pk])
    assert _matrix(world, "post", status, {"status": "in_plan"}) == _row(
        "login", "403", "403", "403", "403", "redirect", "redirect"
    )


def test_permission_matrix_of_sessions():
    world = make_world()
    slug = world.program.slug
    session = make_session(world)
    draft = make_session(world, open_it=False)
    assert _matrix(world, "get", reverse("governance:sessions", args=[slug])) == EVERYONE
    assert _matrix(world, "get", reverse("governance:session", args=[slug, session.pk])) == EVERYONE
    assert _matrix(world, "get", reverse("governance:session", args=[slug, draft.pk])) == _row(
        "404", "404", "404", "404", "404", "200", "200"
    )
    new = reverse("governance:session_create", args=[slug])
    assert _matrix(world, "get", new) == COORDINATORS
    give = reverse("governance:session_input", args=[slug, session.pk])
    assert _matrix(world, "get", give) == _row("login", "403", "403", "403", "200", "403", "403")
    close = reverse("governance:session_close", args=[slug, session.pk])
    assert _matrix(world, "post", close, {"top": 1}) == _row(
        "login",
        "403",
        "403",
        "403",
        "403",
        "400",
        "400",  # 400: nobody gave an input yet
    )
    open_url = reverse("governance:session_open", args=[slug, draft.pk])
    assert _matrix(world, "post", open_url) == _row(
        "login", "403", "403", "403", "403", "redirect", "redirect"
    )


def test_a_private_programs_needs_are_for_its_members():
    world = make_world(public=False)
    url = reverse("governance:needs", args=[world.program.slug])
    assert _matrix(world, "get", url) == _row("login", "404", "200", "200", "200", "200", "200")


# -- the needs page ---------------------------------------------------------------------------


def test_needs_page_filters_by_subtree_theme_status_source_and_words():
    world = make_world(needs=3)
    from tejido.core.models import Theme

    theme = Theme.objects.get(transition="ecological")
    elsewhere = services.need_create(
        user=world.coordinator,
        program=world.program,
        territory=world.other_barrio,
        title="Canil municipal",
        theme=theme,
        source="survey",
    )
    services.need_set_status(user=world.coordinator, need=world.needs[0], status="addressed")
    client = _client(world.outsider)
    url = reverse("governance:needs", args=[world.program.slug])

    def titles(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {n.title for n in response.context["data"].page.object_list}

    everything = {n.title for n in world.needs} | {elsewhere.title}
    assert titles() == everything
    assert titles(territory=world.comuna.pk) == everything  # the whole subtree
    assert titles(territory=world.other_barrio.pk) == {elsewhere.title}
    assert titles(theme=theme.pk) == {elsewhere.title}
    assert titles(theme="none") == {n.title for n in world.needs}
    assert titles(status="addressed") == {world.needs[0].title}
    assert titles(source="survey") == {elsewhere.title}
    assert titles(q="canil") == {elsewhere.title}
    assert titles(q="salud mental") == set()  # "Atención de salud mental" is the 4th need
    assert titles(territory="nonsense", status="bogus") == everything
    data = client.get(url, {"theme": theme.pk}).context["data"]
    counts = {o.label: o.count for o in data.territories}
    # Each facet counts as if its own filter were not set.
    assert counts == {"San Ricardo": 1}
    themes = {o.value: o.count for o in client.get(url).context["data"].themes}
    assert themes == {str(theme.pk): 1, "none": 3}


def test_needs_page_htmx_gets_the_results_only():
    world = make_world(needs=2)
    response = _client(None).get(
        reverse("governance:needs", args=[world.program.slug]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="needs-browser"' in body and "<html" not in body


def test_needs_page_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    def queries(count: int) -> int:
        world = make_world(needs=0)
        Need.objects.bulk_create(
            Need(
                program=world.program,
                territory=world.barrio if i % 2 else world.other_barrio,
                title=f"Necesidad {i}",
                status=NeedStatus.OPEN if i % 3 else NeedStatus.PRIORITIZED,
            )
            for i in range(count)
        )
        services.session_create(
            user=world.coordinator,
            program=world.program,
            territory=world.comuna,
            title="Priorización",
            method=PrioritizationMethod.DOTS,
            needs=list(Need.objects.filter(program=world.program, status="open")[:3]),
        )
        client = _client(world.coordinator)
        url = reverse("governance:needs", args=[world.program.slug])
        client.get(url)  # warm the session and content types
        with (
            django_assert_max_num_queries(12),
            CaptureQueriesContext(connection) as captured,
        ):
            response = client.get(url, {"territory": world.comuna.pk, "page": 2})
        assert response.status_code == 200
        # Page 2 of 6 with 300 needs; the only page with 10.
        assert len(response.context["data"].page.object_list) == (50 if count > 100 else count)
        return len(captured)

    assert queries(10) == queries(300)


# -- one need ---------------------------------------------------------------------------------


def test_need_page_shows_where_it_came_from_and_its_place_in_sessions():
    world = make_world(needs=3)
    session = make_session(world)
    for user in world.holders:
        services.input_submit(user=user, session=session, content=hanlon_input(world.needs, size=4))
    closed = services.session_close(user=world.coordinator, session=session, top=1)
    first = closed.result["order"][0]
    response = _client(None).get(reverse("governance:need", args=[world.program.slug, first]))
    assert response.status_code == 200
    places = response.context["detail"].sessions
    assert [(p.position, p.prioritized) for p in places] == [(1, True)]
    assert "No. 1" in response.content.decode()


def test_need_form_creates_edits_and_shows_errors_at_the_field():
    world = make_world(needs=0)
    client = _client(world.member)
    url = reverse("governance:need_create", args=[world.program.slug])
    response = client.post(url, {"title": "", "territory": world.barrio.pk, "source": "diagnosis"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    response = client.post(
        url,
        {
            "title": "Sede sin rampa",
            "territory": world.barrio.pk,
            "source": "diagnosis",
            "people_affected": "40",
        },
    )
    need = Need.objects.get(title="Sede sin rampa")
    assert response.status_code == 302 and need.people_affected == 40
    edit = reverse("governance:need_edit", args=[world.program.slug, need.pk])
    response = client.post(
        edit, {"title": "Sede sin rampa de acceso", "territory": world.outside.pk, "source": "x"}
    )
    assert response.status_code == 200  # a territory outside the area is not a choice
    assert set(response.context["form"].errors) == {"territory", "source"}
    response = client.post(
        edit,
        {"title": "Sede sin rampa de acceso", "territory": world.barrio.pk, "source": "survey"},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.title, need.source, need.people_affected) == (
        "Sede sin rampa de acceso",
        "survey",
        None,
    )


def test_import_page_imports_or_lists_the_problems():
    world = make_world(needs=0)
    client = _client(world.coordinator)
    url = reverse("governance:need_import", args=[world.program.slug])
    bad = SimpleUploadedFile("n.csv", b"territorio,necesidad\nAtlantis,Plaza\n13112-01,Sede\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "Unknown territory" in response.content.decode()
    assert not Need.objects.exists()
    good = SimpleUploadedFile("n.csv", b"territorio,necesidad\n13112-01,Plaza\n13112-02,Sede\n")
    response = client.post(url, {"file": good})
    assert response.status_code == 302 and Need.objects.count() == 2
    wrong = SimpleUploadedFile("n.pdf", b"%PDF")
    response = client.post(url, {"file": wrong})
    assert response.context["form"].errors["file"]


# -- sessions ---------------------------------------------------------------------------------


def test_session_create_lists_the_territorys_needs_then_creates():
    world = make_world(needs=3)
    client = _client(world.coordinator)
    url = reverse("governance:session_create", args=[world.program.slug])
    listing = client.post(
        url, {"territory": world.barrio.pk, "list_needs": "1", "title": "Mi sesión"}
    )
    assert listing.status_code == 200
    assert set(listing.context["form"].fields["needs"].queryset) == set(world.needs)
    assert listing.context["form"].initial["title"] == "Mi sesión"
    assert not PrioritizationSession.objects.exists()
    partial = client.post(
        url, {"territory": world.barrio.pk, "list_needs": "1"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="session-needs"' in partial.content.decode()
    assert "<html" not in partial.content.decode()
    management = {
        "criteria-TOTAL_FORMS": "4",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "12",
    }
    response = client.post(
        url,
        {
            **management,
            "title": "Matriz 2025",
            "territory": world.barrio.pk,
            "method": "criteria",
            "needs": [n.pk for n in world.needs],
            "criteria-0-name": "Urgencia",
            "criteria-0-weight": "2",
            "criteria-0-scale_min": "1",
            "criteria-0-scale_max": "5",
        },
    )
    session = PrioritizationSession.objects.get()
    assert response.status_code == 302
    assert session.method == "criteria" and session.body is None
    assert [c.name for c in session.criteria.all()] == ["Urgencia"]
    refused = client.post(
        url,
        {
            **management,
            "title": "Sin criterios",
            "territory": world.barrio.pk,
            "method": "criteria",
            "needs": [n.pk for n in world.needs],
        },
    )
    assert refused.status_code == 200
    assert "at least one criterion" in str(refused.context["form"].non_field_errors())


def test_giving_replacing_and_closing_through_the_pages():
    world = make_world(needs=2)
    session = make_session(world)
    slug = world.program.slug
    holder = _client(world.holders[0])
    give = reverse("governance:session_input", args=[slug, session.pk])
    assert holder.get(give).status_code == 200
    data = {}
    for need in world.needs:
        for code in ("size", "seriousness", "effectiveness"):
            data[f"s-{need.pk}-{code}"] = "7"
        for code in ("propriety", "economics", "acceptability", "resources", "legality"):
            data[f"s-{need.pk}-{code}"] = "1"
    missing = dict(data)
    del missing[f"s-{world.needs[0].pk}-size"]
    response = holder.post(give, missing)
    assert response.status_code == 400 and not PrioritizationInput.objects.exists()
    assert holder.post(give, data).status_code == 302
    data[f"s-{world.needs[0].pk}-size"] = "2"
    assert holder.post(give, data).status_code == 302
    stored = PrioritizationInput.objects.get()
    assert stored.content["scores"][str(world.needs[0].pk)]["size"] == 2
    coordinator = _client(world.coordinator)
    close = reverse("governance:session_close", args=[slug, session.pk])
    response = coordinator.post(close, {"top": "9"})
    assert response.status_code == 400 and response.context["close_form"].errors["top"]
    assert coordinator.post(close, {"top": "1"}).status_code == 302
    assert PrioritizationSession.objects.get(pk=session.pk).status == SessionStatus.CLOSED
    after = holder.get(give)
    assert after.status_code == 302  # closed: back to the session page


def test_dots_page_counts_the_dots_left():
    world = make_world(needs=3)
    session = make_session(world, PrioritizationMethod.DOTS, dots_per_participant=4)
    client = _client(world.holders[0])
    give = reverse("governance:session_input", args=[world.program.slug, session.pk])
    a, b, _c = world.needs
    partial = client.post(
        give, {"count": "1", f"d-{a.pk}": "3", f"d-{b.pk}": "2"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200 and "1 dot too many" in partial.content.decode()
    assert not PrioritizationInput.objects.exists()
    response = client.post(give, {f"d-{a.pk}": "3", f"d-{b.pk}": "2"})
    assert response.status_code == 400
    assert "You have 4 dots and placed 5" in response.content.decode()
    assert client.post(give, {f"d-{a.pk}": "3", f"d-{b.pk}": "1"}).status_code == 302
    assert PrioritizationInput.objects.get().content == {"dots": {str(a.pk): 3, str(b.pk): 1}}


def test_ranked_page_refuses_two_needs_in_one_place():
    world = make_world(needs=3)
    session = make_session(world, PrioritizationMethod.RANKED)
    client = _client(world.holders[0])
    give = reverse("governance:session_input", args=[world.program.slug, session.pk])
    a, b, c = world.needs
    response = client.post(give, {f"r-{a.pk}": "1", f"r-{b.pk}": "1"})
    assert response.status_code == 400 and "already has place 1" in response.content.decode()
    assert client.post(give, {f"r-{a.pk}": "2", f"r-{c.pk}": "1"}).status_code == 302
    assert PrioritizationInput.objects.get().content == {"ranking": [c.pk, a.pk]}


def _closed_session(world, inputs: int):
    session = make_session(world)
    for user in world.holders[:inputs]:
        services.input_submit(user=user, session=session, content=hanlon_input(world.needs))
    return services.session_close(user=world.coordinator, session=session, top=2)


def test_names_of_participants_are_for_members_only():
    world = make_world(needs=2, seats=2)
    session = _closed_session(world, 2)
    url = reverse("governance:session", args=[world.program.slug, session.pk])
    holder_name = world.holders[0].get_full_name()
    public = _client(world.outsider).get(url).content.decode()
    assert holder_name not in public and "Participant 1" in public and "Participant 2" in public
    member = _client(world.member).get(url).content.decode()
    assert holder_name in member and "Participant 1" not in member
    assert "How it was computed" in member


def test_session_page_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    def queries(inputs: int) -> int:
        world = make_world(needs=4, seats=inputs)
        session = _closed_session(world, inputs)
        client = _client(world.member)
        url = reverse("governance:session", args=[world.program.slug, session.pk])
        client.get(url)
        with (
            django_assert_max_num_queries(20),
            CaptureQueriesContext(connection) as captured,
        ):
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["view"].input_rows) == inputs
        return len(captured)

    assert queries(3) == queries(30)


def test_hanlon_ratings_all_show_one_decimal():
    # A rating of exactly 25 used to show as "25" beside "41.2": one decimal for every row.
    world = make_world(needs=2, seats=2)
    session = _closed_session(world, 2)
    url = reverse("governance:session", args=[world.program.slug, session.pk])
    page = _client(world.member).get(url).content.decode()
    scores = re.findall(r'class="num ranking-score">([^<]*)<', page)
    assert scores == ["25.0", "25.0"]
    assert "A 5.0 · B 5.0 · C 5.0" in page


@pytest.mark.parametrize(
    "name", ["sessions", "session", "session_create", "need_import", "need_create"]
)
def test_every_needs_page_leads_back_to_the_program_and_governance(name):
    world = make_world(needs=2)
    session = make_session(world)
    slug = world.program.slug
    args = [slug, session.pk] if name == "session" else [slug]
    page = _client(world.coordinator).get(reverse(f"governance:{name}", args=args))
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page.content.decode(), re.S)
    assert crumbs is not None
    assert reverse("governance:hub", args=[slug]) in crumbs.group(0)
    assert world.program.name in crumbs.group(0)


def test_need_page_links_the_meetings_that_discussed_it():
    world = make_world(needs=1)
    meeting = MeetingFactory(body=world.body, title="Sesión de marzo")
    AgendaItem.objects.create(meeting=meeting, title="Luminarias", need=world.needs[0])
    slug = world.program.slug
    page = _client(world.member).get(reverse("governance:need", args=[slug, world.needs[0].pk]))
    meeting_url = reverse("governance:meeting", args=[slug, meeting.pk])
    assert f'href="{meeting_url}"' in page.content.decode()


def test_statuses_read_the_same_as_in_the_rest_of_governance():
    """Open is a brand tag, draft a plain one, addressed a success tag with its tick: the words
    are always there, the colour only helps."""
    from tejido.core import http
    from tejido.governance.needs import views

    assert views.optional_url is http.optional_url  # one copy of the helper
    world = make_world(needs=2)
    open_session = make_session(world)
    draft = make_session(world, open_it=False)
    need = world.needs[0]
    need.status = "addressed"
    need.save(update_fields=["status"])
    coordinator = _client(world.coordinator)
    slug = world.program.slug
    page = coordinator.get(reverse("governance:session", args=[slug, open_session.pk])).text
    assert re.search(r'<span class="tag tag-current">Open</span>', page)
    page = coordinator.get(reverse("governance:session", args=[slug, draft.pk])).text
    assert re.search(r'<span class="tag">Draft</span>', page)
    page = coordinator.get(reverse("governance:need", args=[slug, need.pk])).text
    assert re.search(
        r'<span class="tag tag-success need-status">'
        r'<svg class="tag-icon"[^>]*>.*?</svg>Addressed</span>',
        page,
    )
