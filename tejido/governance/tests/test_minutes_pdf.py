# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""The minutes PDF: a real PDF whose text (read back from its content streams through the
fonts' ToUnicode maps, as a PDF reader does) has the accented names, and marks drafts."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from django.urls import reverse

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.actors.models import Sector
from tejido.actors.tests.factories import ActorFactory, PersonFactory
from tejido.governance.decisions import services as decisions
from tejido.governance.explain import explain_count
from tejido.governance.meetings import pdf, selectors, services
from tejido.governance.meetings.services import AgendaEntry, SeatMark
from tejido.governance.models import Poll
from tejido.governance.tests.test_meetings import make_world, schedule

pytestmark = pytest.mark.django_db

MINUTES = (
    "Se abre la sesión con la presencia de la Junta de Vecinos Peñalolén Alto.\n\n"
    "El Col·legi d'Educadors informa sobre la formación; la Asociación Ñandú propone "
    "una feria en la plaza Los Aromos."
)


# -- a small PDF text reader -------------------------------------------------------------------


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Each object's dictionary and its decoded stream (b"" without one)."""
    objects = {}
    position = 0
    header = re.compile(rb"(\d+) 0 obj\s")
    while (match := header.search(data, position)) is not None:
        # The stream keyword follows the dictionary ("BitstreamVera" in a font name is not one).
        keyword = re.compile(rb"(?<=>>)\s*stream\r?\n|endobj").search(data, match.end())
        head, stream = data[match.end() : keyword.start()], b""
        position = keyword.end()
        if keyword.group(0) != b"endobj":
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            raw = data[keyword.end() : keyword.end() + length]
            position = keyword.end() + length
            if b"ASCII85Decode" in head:
                encoded = raw.strip().removeprefix(b"<~").removesuffix(b"~>")
                raw = base64.a85decode(encoded)
            if b"FlateDecode" in head:
                raw = zlib.decompress(raw)
            stream = raw
        objects[int(match.group(1))] = (head, stream)
    return objects


def _unescape(literal: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        token = match.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8)])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"(": b"(", b")": b")"}.get(token, token)

    return re.sub(rb"\\([0-7]{1,3}|.)", replace, literal, flags=re.S)


def pdf_text(data: bytes) -> str:
    objects = _objects(data)
    cmaps: dict[int, dict[int, str]] = {}
    for number, (head, _stream) in objects.items():
        found = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if found:
            cmap_stream = objects[int(found.group(1))][1]
            cmaps[number] = {
                int(code, 16): chr(int(target, 16))
                for code, target in re.findall(
                    rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4})>", cmap_stream
                )
                if int(target, 16)
            }
    names: dict[bytes, int] = {}
    for head, _stream in objects.values():
        for name, number in re.findall(rb"/([A-Za-z0-9+]+) (\d+) 0 R", head):
            if int(number) in cmaps:
                names[name] = int(number)
    words = []
    for head, stream in objects.values():
        if not stream or b"BT" not in stream or b"/Type /XObject" in head:
            continue
        current: dict[int, str] = {}
        for font, literal in re.findall(
            rb"/([A-Za-z0-9+]+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)", stream, re.S
        ):
            if font:
                current = cmaps.get(names.get(font, -1), {})
            else:
                words.append("".join(current.get(b, chr(b)) for b in _unescape(literal)))
    return " ".join(words)


# -- the document ------------------------------------------------------------------------------


def held_meeting_with_everything():
    world = make_world(sectors=(Sector.COMMUNITY, Sector.PUBLIC, Sector.PRIVATE))
    junta, consultorio, almacen = world.mandates
    junta.organization.name = "Junta de Vecinos Peñalolén Alto"
    junta.organization.save()
    junta.holder.name = "María José Muñoz Quiñones"
    junta.holder.save()
    junta.alternate = PersonFactory(program=world.program, name="Núria Bellver i Puigcerdà")
    junta.save()
    meeting = schedule(
        world,
        days=-2,
        agenda=[
            AgendaEntry("Seguridad en la plaza Los Aromos", duration_minutes=40),
            AgendaEntry("Operativo de salud con el CESFAM", "information", 20),
        ],
    )
    guest = ActorFactory(program=world.program, name="Col·legi d'Educadors Socials")
    services.attendance_sheet_record(
        user=world.coordinator,
        meeting=meeting,
        seats=[
            SeatMark(junta.pk, "present", as_alternate=True),
            SeatMark(consultorio.pk, "present"),
            SeatMark(almacen.pk, "excused"),
        ],
        guests=[guest],
    )
    services.meeting_mark_held(user=world.coordinator, meeting=meeting)
    services.minutes_save(user=world.coordinator, meeting=meeting, text=MINUTES)
    services.agreement_create(
        user=world.coordinator,
        body=world.body,
        meeting=meeting,
        text="Solicitar iluminación para la plaza Los Aromos (reunión con la Dirección de Obras)",
        responsible=[junta.organization],
    )
    poll = decisions.poll_create(
        user=world.coordinator,
        body=world.body,
        question="¿Postulamos al Fondo de Seguridad Pública?",
        method="majority",
        meeting=meeting,
    )
    decisions.poll_open(user=world.coordinator, poll=poll)
    for mandate in (junta, consultorio):
        decisions.ballot_cast(user=mandate.holder_user, poll=poll, mandate=mandate, ballot=0)
    decisions.poll_close(user=world.coordinator, poll=poll)
    return world, selectors.meeting_get(world.program, meeting.pk)


def render(meeting, *, people=True):
    page = selectors.meeting_page(meeting, people=people, include_drafts=False)
    return pdf.minutes_pdf(page, show_people=people)


def test_pdf_text_has_accents_names_and_sections():
    _world, meeting = held_meeting_with_everything()
    data = render(meeting, people=True)
    assert data.startswith(b"%PDF")
    assert b"BitstreamVeraSans" in data  # the embedded font
    text = pdf_text(data)
    for expected in (
        "Junta de Vecinos Peñalolén Alto",
        "Núria Bellver i Puigcerdà",  # came as alternate
        "Col·legi d'Educadors Socials",
        "Asociación Ñandú",
        "Seguridad en la plaza Los Aromos",
        "Solicitar iluminación",
        "¿Postulamos al Fondo de Seguridad Pública?",
        "DRAFT",
        "Quorum reached",
    ):
        assert expected in text, expected
    # The decision's outcome and how it was counted, as the poll's page explains it.
    poll = Poll.objects.get(meeting=meeting)
    count = decisions.count_from_result(poll.result)
    first = explain_count(count, [o.label for o in poll.options.all()])[0]
    assert poll.result["passed"] is not None
    assert ("Approved" if poll.result["passed"] else "Not approved") in text
    assert " ".join(first.split()[:4]) in text


def test_pdf_leaves_people_out_for_those_who_may_not_see_them():
    _world, meeting = held_meeting_with_everything()
    text = pdf_text(render(meeting, people=False))
    assert "Junta de Vecinos Peñalolén Alto" in text
    assert "Núria" not in text and "Muñoz Quiñones" not in text


def test_approved_minutes_are_not_marked_draft():
    world, meeting = held_meeting_with_everything()
    later = schedule(world, days=-1)
    services.minutes_approve(user=world.coordinator, meeting=meeting, approved_in=later)
    text = pdf_text(render(selectors.meeting_get(world.program, meeting.pk)))
    assert "DRAFT" not in text
    assert f"Approved in “{later.title}”" in text


def test_pdf_story_reads_in_order():
    _world, meeting = held_meeting_with_everything()
    page = selectors.meeting_page(meeting, people=True, include_drafts=False)
    story = pdf.minutes_story(page, show_people=True)
    text = " ".join(getattr(f, "text", "") for f in story)
    assert text.index("Attendance") < text.index("Agenda") < text.index("Agreements adopted")


def test_pdf_view_for_the_public_once_approved(client):
    world, meeting = held_meeting_with_everything()
    target = reverse("governance:minutes_pdf", args=[world.program.slug, meeting.pk])
    assert client.get(target).status_code == 404  # a draft: members only
    member = UserFactory()
    ProgramRoleFactory(user=member, program=world.program, role=Role.DIRECTORATE_MEMBER)
    client.force_login(member)
    response = client.get(target)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "María José Muñoz" in pdf_text(response.content) or "Núria" in pdf_text(response.content)
    client.logout()
    services.minutes_approve(
        user=world.coordinator, meeting=meeting, approved_in=schedule(world, days=-1)
    )
    response = client.get(target)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Peñalolén" in text and "Núria" not in text
