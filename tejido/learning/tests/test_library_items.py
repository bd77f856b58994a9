"""Library items: their page, related items, adding and editing with files and links, refusals,
file serving and the services' audit trail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.models import ActorKind
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.core.tests.factories import ProgramFactory, TerritoryFactory, ThemeFactory
from tejido.learning.library import services
from tejido.learning.library.selectors import item_for_page, related_items
from tejido.learning.models import ItemFile, ItemLink, LibraryItem, PublicationStatus, Visibility

from .factories import coordinator_of, member_of, representative_of
from .library_helpers import CSV_BYTES, csv, item, mp3, pdf, transition

pytestmark = pytest.mark.django_db


def _url(name: str, item_: LibraryItem, *extra: int) -> str:
    return reverse(f"learning:{name}", args=[item_.program.slug, item_.pk, *extra])


def _form_data(organization, **extra):
    data = {
        "kind": "report",
        "title": "Informe de capital social de Renca",
        "abstract": "Las organizaciones del territorio y sus vínculos.",
        "body": "Texto completo del informe.",
        "authors": [organization.pk],
        "themes": [transition("social").pk],
        "language": "es",
        "licence": "CC-BY-4.0",
        "published_on": "2025-04-01",
        "visibility": "public",
        "link_url": "https://example.org/informe",
        "link_label": "Presentación",
    }
    data.update(extra)
    return data


def _counts() -> tuple[int, int, int]:
    return LibraryItem.objects.count(), ItemFile.objects.count(), ItemLink.objects.count()


# -- the item page and related items ------------------------------------------------------------


def test_item_page_shows_authors_files_links_and_licence(client, program):
    organization = ActorFactory(program=program, name="Junta de Vecinos Villa Sur")
    coordinator = coordinator_of(program)
    created = services.item_create(
        user=coordinator,
        program=program,
        kind="interview",
        title="Entrevista a la presidenta de la junta",
        abstract="Una conversación sobre el barrio.",
        body="Transcripción completa de la entrevista.",
        authors=[organization],
        files=[mp3(), pdf()],
        links=[("https://example.org/audio", "Radio comunitaria")],
    )
    services.item_publish(user=coordinator, item=created)
    response = client.get(_url("item", created))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Junta de Vecinos Villa Sur" in body
    assert "<audio controls" in body
    assert _url("item_file", created, created.files.get(name="entrevista.mp3").pk) in body
    assert "informe.pdf" in body
    assert "Radio comunitaria" in body
    assert "https://creativecommons.org/licenses/by/4.0/" in body
    assert "Transcripción completa" in body and "<details" in body


def test_related_items_are_scored_readable_and_never_the_item_itself(client, program):
    author, other_author = ActorFactory(program=program), ActorFactory(program=program)
    theme, place = ThemeFactory(), TerritoryFactory()
    base = item(program, kind="report", authors=(author,), themes=(theme,), territories=(place,))
    by_author = item(program, kind="guide", authors=(author,))  # 3
    by_theme_same_kind = item(program, kind="report", themes=(theme,))  # 2.5
    by_theme = item(program, kind="guide", themes=(theme,))  # 2
    by_place = item(program, kind="guide", territories=(place,))  # 1
    item(program, kind="report", authors=(other_author,))  # nothing shared
    hidden = item(program, authors=(author,), themes=(theme,), visibility=Visibility.MEMBERS)
    draft = item(program, authors=(author,), status=PublicationStatus.DRAFT)
    ProgramFactory()  # another program's items never show
    base.program = program
    item_for_page(base)
    visitor = [i.pk for i in related_items(base, AnonymousUser())]
    assert visitor == [by_author.pk, by_theme_same_kind.pk, by_theme.pk, by_place.pk]
    member = [i.pk for i in related_items(base, member_of(program))]
    assert member[0] == hidden.pk  # author 3 + theme 2 + same kind 0.5
    assert draft.pk not in member and base.pk not in member
    assert len(member) == 5


def test_item_page_reads_in_a_fixed_number_of_queries(client, program):
    def build(n: int) -> LibraryItem:
        organization = ActorFactory(program=program)
        theme = ThemeFactory()
        main = item(program, authors=(organization,), themes=(theme,))
        for _ in range(n):
            item(program, authors=(organization,), themes=(theme,), reindex=False)
        return main

    client.force_login(member_of(program))
    counts = []
    for n in (3, 30):
        main = build(n)
        client.get(_url("item", main))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("item", main)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# -- adding and editing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("member", 403),
        ("representative", 200),
        ("coordinator", 200),
    ],
)
def test_who_may_add_items(client, program, who, status):
    organization = ActorFactory(program=program)
    users = {
        "stranger": UserFactory(),
        "member": member_of(program),
        "representative": representative_of(organization),
        "coordinator": coordinator_of(program),
    }
    if who != "anonymous":
        client.force_login(users[who])
    assert client.get(reverse("learning:item_create", args=[program.slug])).status_code == status


def test_a_representative_adds_an_item_with_files_and_a_link(client, program):
    organization = ActorFactory(program=program)
    writer = representative_of(organization)
    client.force_login(writer)
    response = client.post(
        reverse("learning:item_create", args=[program.slug]),
        {**_form_data(organization), "attachments": [pdf(), csv()]},
    )
    assert response.status_code == 302
    created = LibraryItem.objects.get()
    assert created.status == PublicationStatus.DRAFT
    assert created.created_by == writer
    assert list(created.authors.all()) == [organization]
    assert sorted(created.files.values_list("name", flat=True)) == ["catastro.csv", "informe.pdf"]
    assert created.links.get().label == "Presentación"
    # Its writer may read and publish it; others do not see the draft.
    assert client.get(_url("item", created)).status_code == 200
    assert client.post(_url("item_publish", created)).status_code == 302
    created.refresh_from_db()
    assert created.status == PublicationStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="learning.item_publish").count() == 1


@pytest.mark.parametrize(
    ("upload", "settings_kw", "message"),
    [
        (lambda: pdf(content=b"%PDF-" + b"x" * 200), {"TEJIDO_MAX_UPLOAD_BYTES": 100}, "at most"),
        (lambda: pdf(name="programa.exe"), {}, "not a type we accept"),
        (lambda: pdf(name="informe.pdf", content=b"just some text"), {}, "does not look like"),
        (lambda: pdf(name="datos.csv", content=b"\xff\xfe\x00bad"), {}, "UTF-8"),
    ],
)
def test_refused_files_save_nothing(client, program, upload, settings_kw, message):
    organization = ActorFactory(program=program)
    client.force_login(coordinator_of(program))
    before = _counts()
    with override_settings(**settings_kw):
        response = client.post(
            reverse("learning:item_create", args=[program.slug]),
            {**_form_data(organization), "attachments": [csv(), upload()]},
        )
    assert response.status_code == 400
    assert message in str(response.context["form"].errors["attachments"])
    assert _counts() == before


def test_a_refused_edit_changes_nothing(client, program):
    organization = ActorFactory(program=program)
    existing = item(program, title="Título original", authors=(organization,))
    client.force_login(coordinator_of(program))
    before = _counts()
    response = client.post(
        _url("item_edit", existing),
        {**_form_data(organization, title="Otro título"), "attachments": [pdf(name="x.docx")]},
    )
    assert response.status_code == 400
    existing.refresh_from_db()
    assert existing.title == "Título original"
    assert _counts() == before


def test_authors_must_be_organizations_of_the_program(client, program):
    stranger_org = ActorFactory(program=ProgramFactory())
    person = ActorFactory(program=program, kind=ActorKind.PERSON)
    client.force_login(coordinator_of(program))
    for author in (stranger_org, person):
        response = client.post(
            reverse("learning:item_create", args=[program.slug]), _form_data(author)
        )
        assert response.status_code == 400
        assert "authors" in response.context["form"].errors
    assert LibraryItem.objects.count() == 0
    with pytest.raises(services.ValidationError):
        services.item_create(
            user=None, program=program, kind="report", title="T", abstract="A", authors=[person]
        )


def test_edit_adds_files_and_links_and_keeps_the_old_ones(client, program):
    organization = ActorFactory(program=program)
    coordinator = coordinator_of(program)
    existing = services.item_create(
        user=coordinator, program=program, kind="report", title="T", abstract="A", files=[pdf()]
    )
    client.force_login(coordinator)
    response = client.post(
        _url("item_edit", existing), {**_form_data(organization), "attachments": [mp3()]}
    )
    assert response.status_code == 302
    assert existing.files.count() == 2
    assert existing.links.count() == 1


def test_someone_elses_item_cannot_be_changed(client, program):
    organization = ActorFactory(program=program)
    existing = item(program)
    client.force_login(representative_of(organization))
    assert client.get(_url("item_edit", existing)).status_code == 403
    assert client.post(_url("item_publish", existing), {"action": "unpublish"}).status_code == 403
    existing.refresh_from_db()
    assert existing.status == PublicationStatus.PUBLISHED


def test_unpublish_and_removals_are_audited(client, program):
    coordinator = coordinator_of(program)
    existing = services.item_create(
        user=coordinator,
        program=program,
        kind="dataset",
        title="Catastro de organizaciones",
        abstract="Datos.",
        files=[csv()],
        links=[("https://example.org", "")],
    )
    services.item_publish(user=coordinator, item=existing)
    client.force_login(coordinator)
    assert client.post(_url("item_publish", existing), {"action": "unpublish"}).status_code == 302
    stored = existing.files.get()
    assert client.post(_url("item_file_remove", existing, stored.pk)).status_code == 302
    link = existing.links.get()
    assert client.post(_url("item_link_remove", existing, link.pk)).status_code == 302
    assert not existing.files.exists() and not existing.links.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "learning.item_publish",
        "learning.item_unpublish",
        "learning.item_file_remove",
        "learning.item_link_remove",
    } <= actions


# -- serving files ------------------------------------------------------------------------------


@pytest.fixture
def files(program):
    coordinator = coordinator_of(program)
    public = services.item_create(
        user=coordinator,
        program=program,
        kind="dataset",
        title="Catastro",
        abstract="Datos.",
        files=[csv(), mp3()],
    )
    members = services.item_create(
        user=coordinator,
        program=program,
        kind="report",
        title="Interno",
        abstract="Para socias.",
        visibility=Visibility.MEMBERS,
        files=[pdf()],
    )
    draft = services.item_create(
        user=coordinator,
        program=program,
        kind="report",
        title="Borrador",
        abstract="Aún no.",
        files=[pdf()],
    )
    services.item_publish(user=coordinator, item=public)
    services.item_publish(user=coordinator, item=members)
    return {"public": public, "members": members, "draft": draft, "coordinator": coordinator}


def _file_url(item_: LibraryItem, name: str = "") -> str:
    stored = item_.files.get(name=name) if name else item_.files.earliest("id")
    return _url("item_file", item_, stored.pk)


def test_files_go_to_those_who_may_read_the_item(client, program, files):
    csv_response = client.get(_file_url(files["public"], "catastro.csv"))
    assert csv_response.status_code == 200
    assert b"".join(csv_response.streaming_content) == CSV_BYTES
    assert csv_response["Content-Disposition"].startswith("attachment")
    assert "catastro.csv" in csv_response["Content-Disposition"]
    audio = client.get(_file_url(files["public"], "entrevista.mp3"))
    assert audio["Content-Type"] == "audio/mpeg"
    assert audio["Content-Disposition"].startswith("inline")

    assert client.get(_file_url(files["members"])).status_code == 302  # log in first
    client.force_login(UserFactory())
    assert client.get(_file_url(files["members"])).status_code == 404
    assert client.get(_file_url(files["draft"])).status_code == 404
    client.force_login(member_of(program))
    assert client.get(_file_url(files["members"])).status_code == 200
    assert client.get(_file_url(files["draft"])).status_code == 404
    client.force_login(files["coordinator"])
    assert client.get(_file_url(files["draft"])).status_code == 200


def test_a_file_is_served_only_under_its_own_item(client, program, files):
    other_file = files["members"].files.get()
    url = _url("item_file", files["public"], other_file.pk)
    assert client.get(url).status_code == 404


def test_file_removal_needs_the_right_to_change(client, program, files):
    stored = files["public"].files.first()
    client.force_login(member_of(program))
    assert client.post(_url("item_file_remove", files["public"], stored.pk)).status_code == 403
    assert ItemFile.objects.filter(pk=stored.pk).exists()
