"""The learning community's pages: permissions, refusals, search through the list page, and a
fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import Theme
from tejido.core.tests.factories import ThemeFactory
from tejido.learning.community import services
from tejido.learning.models import (
    Comment,
    DigestSubscription,
    Exchange,
    Experience,
    Reaction,
    Visibility,
)
from tejido.network.models import Tie

from .community_helpers import Community, experience_values
from .factories import CommentFactory, ExchangeFactory, ReactionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, c, *args):
    return reverse(f"learning:{name}", args=[c.program.slug, *args])


def status_for(client, user, method, address, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.post(address, data or {}) if method == "post" else client.get(address)
    return response.status_code


# -- the list ---------------------------------------------------------------------------------


def test_the_list_shows_what_each_reader_may_read(client):
    c = Community()
    members_only = c.experience_of(title="Olla común del invierno", visibility=Visibility.MEMBERS)
    draft = c.experience_of(title="Borrador de reciclaje", status="draft", published_at=None)
    page = client.get(url("experiences", c)).content.decode()
    assert c.experience.title in page
    assert members_only.title not in page and draft.title not in page
    client.force_login(c.member)
    page = client.get(url("experiences", c)).content.decode()
    assert members_only.title in page and draft.title not in page
    client.force_login(c.author)
    page = client.get(url("experiences", c)).content.decode()
    # The author finds the draft among "your drafts".
    assert draft.title in page


def test_the_list_of_a_private_program_is_hidden_from_strangers(client):
    c = Community(is_public=False)
    assert status_for(client, None, "get", url("experiences", c)) == 302
    assert status_for(client, UserFactory(), "get", url("experiences", c)) == 404
    assert status_for(client, c.member, "get", url("experiences", c)) == 200


def test_search_finds_another_inflection_of_a_word(client):
    c = Community()
    c.experience_of(title="Reciclaje en la feria", context="Puntos limpios en la feria libre.")
    services.experience_create(
        user=c.other,
        program=c.program,
        publish=True,
        **experience_values(c.pot, title="Trabajo con la organización del barrio"),
    )
    response = client.get(url("experiences", c), {"q": "organizaciones"})
    titles = [e.title for e in response.context["page"].object_list]
    assert "Trabajo con la organización del barrio" in titles
    assert "Reciclaje en la feria" not in titles


def test_filters_narrow_the_list_and_transitions_come_first(client):
    c = Community()
    digital = Theme.objects.get_or_create(
        transition="digital", defaults={"name": "Transición digital", "slug": "digital"}
    )[0]
    other = ThemeFactory(name="Alimentación")
    tagged = c.experience_of(title="Junta de vecinos digital", stage="training")
    tagged.themes.set([digital, other])
    c.experience_of(title="Olla común", organization=c.pot, territory=c.south)
    response = client.get(url("experiences", c), {"theme": digital.pk})
    assert [e.title for e in response.context["page"].object_list] == ["Junta de vecinos digital"]
    themes = next(f for f in response.context["listing"].facets if f.name == "theme")
    assert [o.group for o in themes.options] == ["transition", "theme"]
    response = client.get(url("experiences", c), {"territory": c.south.pk})
    assert [e.title for e in response.context["page"].object_list] == ["Olla común"]
    response = client.get(url("experiences", c), {"organization": c.pot.pk, "stage": "training"})
    assert list(response.context["page"].object_list) == []
    # Unknown values are ignored rather than failing.
    assert client.get(url("experiences", c), {"theme": "nope", "page": "x"}).status_code == 200


def test_the_list_reads_in_a_fixed_number_of_queries(client):
    c = Community()
    theme = ThemeFactory()
    client.force_login(c.member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("experiences", c)).status_code == 200
        return len(queries)

    few = count()
    for n in range(15):
        organization = ActorFactory(program=c.program)
        experience = c.experience_of(
            title=f"Presupuesto participativo {n}", organization=organization
        )
        experience.themes.set([theme])
        ReactionFactory(experience=experience, user=c.member)
        CommentFactory(experience=experience, author=c.member)
    assert count() == few


# -- one experience ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        ("public", {"anonymous": 200, "stranger": 200, "member": 200, "coordinator": 200}),
        ("members", {"anonymous": 302, "stranger": 404, "member": 200, "coordinator": 200}),
    ],
)
def test_the_experience_page_per_reader(client, visibility, expected):
    c = Community()
    experience = c.experience_of(visibility=visibility)
    users = {
        "anonymous": None,
        "stranger": UserFactory(),
        "member": c.member,
        "coordinator": c.coordinator,
    }
    got = {
        name: status_for(client, user, "get", url("experience", c, experience.pk))
        for name, user in users.items()
    }
    assert got == expected


def test_the_experience_page_reads_in_a_fixed_number_of_queries(client):
    c = Community()
    client.force_login(c.member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("experience", c, c.experience.pk)).status_code == 200
        return len(queries)

    few = count()
    for _n in range(10):
        question = CommentFactory(experience=c.experience, author=UserFactory(), kind="question")
        CommentFactory(experience=c.experience, author=c.author, kind="answer", parent=question)
        organization = ActorFactory(program=c.program)
        Reaction.objects.create(
            experience=c.experience, user=UserFactory(), kind="tried_too", organization=organization
        )
    assert count() == few


def test_people_names_are_shown_only_to_members(client):
    c = Community()
    CommentFactory(experience=c.experience, author=c.other, body="Muy buena idea")
    name = c.other.get_full_name()
    assert name not in client.get(url("experience", c, c.experience.pk)).content.decode()
    client.force_login(c.member)
    assert name in client.get(url("experience", c, c.experience.pk)).content.decode()


def test_evidence_files_are_served_only_to_readers(client):
    c = Community()
    experience = services.experience_create(
        user=c.author,
        program=c.program,
        publish=True,
        files=[SimpleUploadedFile("acta.pdf", PDF)],
        **experience_values(c.garden, visibility=Visibility.MEMBERS),
    )
    evidence = experience.files.get()
    address = url("evidence_file", c, experience.pk, evidence.pk)
    assert status_for(client, UserFactory(), "get", address) == 404
    client.force_login(c.member)
    response = client.get(address)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    other = ExchangeFactory(program=c.program)
    assert client.get(url("evidence_file", c, experience.pk, other.pk + 999)).status_code == 404


def test_the_form_creates_and_publishes(client):
    c = Community()
    client.force_login(c.other)
    assert client.get(url("experience_create", c)).status_code == 200
    data = {
        key: (value.pk if hasattr(value, "pk") else value)
        for key, value in experience_values(c.pot).items()
    }
    data.update(language="es", visibility="public", publish="1")
    response = client.post(url("experience_create", c), data)
    experience = Experience.objects.get(title="Escuela de dirigentes vecinales")
    assert response.status_code == 302
    assert experience.status == "published" and experience.organization == c.pot


def test_the_form_shows_errors_and_saves_nothing(client):
    c = Community()
    client.force_login(c.other)
    before = Experience.objects.count()
    response = client.post(url("experience_create", c), {"organization": c.pot.pk, "title": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    assert Experience.objects.count() == before


def test_the_form_is_refused_to_members_without_an_organization(client):
    c = Community()
    assert status_for(client, c.member, "get", url("experience_create", c)) == 403
    assert status_for(client, None, "get", url("experience_create", c)) == 302
    assert status_for(client, c.other, "get", url("experience_edit", c, c.experience.pk)) == 403
    assert status_for(client, c.author, "get", url("experience_edit", c, c.experience.pk)) == 200


# -- comments and reactions -------------------------------------------------------------------


def test_an_outsider_comment_on_a_members_only_experience_is_refused(client):
    c = Community()
    experience = c.experience_of(visibility=Visibility.MEMBERS)
    address = url("comment_add", c, experience.pk)
    assert status_for(client, UserFactory(), "post", address, {"body": "Hola"}) == 404
    assert status_for(client, None, "post", address, {"body": "Hola"}) == 302
    # On a public experience the outsider sees it, and is told why they cannot comment.
    client.force_login(UserFactory())
    response = client.post(url("comment_add", c, c.experience.pk), {"body": "Hola"})
    assert response.status_code == 403
    assert response.context["message"]
    assert not Comment.objects.exists()


def test_a_member_comments_through_the_page(client):
    c = Community()
    client.force_login(c.member)
    response = client.post(
        url("comment_add", c, c.experience.pk), {"kind": "question", "body": "¿Cuánto costó?"}
    )
    comment = Comment.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#comment-{comment.pk}")
    assert comment.kind == "question"
    response = client.post(url("comment_add", c, c.experience.pk), {"body": "x" * 5001})
    assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_a_representative_answers_through_the_page(client):
    c = Community()
    question = CommentFactory(experience=c.experience, author=c.member, kind="question")
    client.force_login(c.author)
    client.post(
        url("comment_add", c, c.experience.pk),
        {"parent": question.pk, "body": "Cerca de un millón", "organization": c.garden.pk},
    )
    answer = Comment.objects.get(kind="answer")
    assert answer.parent == question and answer.organization == c.garden


def test_hiding_a_comment_is_for_coordinators(client):
    c = Community()
    comment = CommentFactory(experience=c.experience, author=c.member, body="Algo feo")
    address = url("comment_hide", c, comment.pk)
    assert status_for(client, c.author, "post", address) == 403
    assert status_for(client, c.coordinator, "post", address) == 302
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    client.logout()
    page = client.get(url("experience", c, c.experience.pk)).content.decode()
    assert "Algo feo" not in page


def test_reactions_through_the_page(client):
    c = Community()
    client.force_login(c.other)
    address = url("react", c, c.experience.pk)
    client.post(address, {"kind": "useful", "action": "add"})
    client.post(address, {"kind": "useful", "action": "add"})
    assert Reaction.objects.filter(kind="useful").count() == 1
    client.post(address, {"kind": "tried_too", "organization": c.pot.pk, "note": "Igual"})
    assert Tie.objects.current().count() == 1
    page = client.get(url("experience", c, c.experience.pk)).content.decode()
    assert c.pot.name in page
    # Your own organization's experience: refused, nothing saved.
    client.force_login(c.author)
    response = client.post(address, {"kind": "tried_too", "organization": c.garden.pk})
    assert response.status_code == 400
    assert Reaction.objects.filter(user=c.author).count() == 0
    assert status_for(client, UserFactory(), "post", address, {"kind": "useful"}) == 403


# -- exchanges --------------------------------------------------------------------------------


def test_exchange_pages(client):
    c = Community()
    exchange = services.exchange_create(
        user=c.coordinator,
        program=c.program,
        title="Encuentro de ollas comunes",
        held_on=datetime.date(2026, 4, 2),
        participants=[c.garden, c.pot],
        people_count=40,
        outcomes="Una red de compras conjuntas.",
    )
    assert status_for(client, None, "get", url("exchanges", c)) == 200
    page = client.get(url("exchange", c, exchange.pk))
    assert page.status_code == 200 and page.context["page"].ties_recorded == 1
    assert c.pot.name in page.content.decode()
    assert status_for(client, c.member, "get", url("exchange_create", c)) == 403
    client.force_login(c.coordinator)
    response = client.post(
        url("exchange_create", c),
        {
            "title": "Segundo encuentro",
            "held_on": "2026-05-01",
            "people_count": "12",
            "participants": [c.garden.pk, c.pot.pk],
            "records_ties": "on",
        },
    )
    assert response.status_code == 302
    assert Exchange.objects.count() == 2
    response = client.post(url("exchange_edit", c, exchange.pk), {"title": "", "held_on": ""})
    assert response.status_code == 400


def test_the_exchange_list_reads_in_a_fixed_number_of_queries(client):
    c = Community()
    ExchangeFactory(program=c.program).territories.set([c.north])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("exchanges", c)).status_code == 200
        return len(queries)

    few = count()
    for _n in range(8):
        exchange = ExchangeFactory(program=c.program)
        exchange.territories.set([c.north, c.south])
        exchange.participants.set([c.garden, c.pot])
    assert count() == few


# -- the digest page --------------------------------------------------------------------------


def test_the_digest_page(client):
    c = Community()
    assert status_for(client, UserFactory(), "get", url("digest", c)) == 403
    client.force_login(c.member)
    assert client.get(url("digest", c)).context["form"].initial["frequency"] == "weekly"
    client.post(url("digest", c), {"frequency": "daily"})
    assert DigestSubscription.objects.get(user=c.member).frequency == "daily"
    assert client.post(url("digest", c), {"frequency": "hourly"}).status_code == 400
    assert DigestSubscription.objects.get(user=c.member).frequency == "daily"
