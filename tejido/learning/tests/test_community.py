"""The learning community's services: experiences, comments, reactions and their ties,
exchange meetings and their ties, and who may read what."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from tejido.accounts.tests.factories import UserFactory
from tejido.actors.tests.factories import ActorFactory
from tejido.core.models import AuditEntry
from tejido.learning.community import selectors, services
from tejido.learning.models import (
    Comment,
    EvidenceFile,
    Experience,
    PublicationStatus,
    Reaction,
    Visibility,
)
from tejido.network.models import Intensity, Provenance, Tie, TieType
from tejido.network.services import tie_create

from .community_helpers import Community, experience_values
from .factories import CommentFactory, LearningSettingsFactory, representative_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def information_ties(a, b):
    ends = [a.pk, b.pk]
    return Tie.objects.current().filter(
        tie_type=TieType.INFORMATION, source_id__in=ends, target_id__in=ends
    )


# -- experiences ------------------------------------------------------------------------------


def test_a_representative_tells_an_experience_as_a_draft_then_publishes_it():
    c = Community()
    experience = services.experience_create(
        user=c.other,
        program=c.program,
        files=[SimpleUploadedFile("acta.pdf", PDF)],
        **experience_values(c.pot),
    )
    assert experience.status == PublicationStatus.DRAFT
    assert experience.author == c.other
    assert experience.files.get().content_type == "application/pdf"
    published = services.experience_publish(user=c.other, experience=experience)
    assert published.status == PublicationStatus.PUBLISHED
    assert published.published_at is not None
    assert AuditEntry.objects.filter(action="learning.experience.publish").exists()


def test_nobody_tells_an_experience_for_an_organization_they_do_not_represent():
    c = Community()
    before = Experience.objects.count()
    with pytest.raises(ValidationError) as error:
        services.experience_create(user=c.other, program=c.program, **experience_values(c.garden))
    assert "organization" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.experience_create(user=c.member, program=c.program, **experience_values(c.garden))
    assert Experience.objects.count() == before


def test_a_coordinator_tells_an_experience_for_any_organization_of_the_program():
    c = Community()
    experience = services.experience_create(
        user=c.coordinator, program=c.program, publish=True, **experience_values(c.pot)
    )
    assert experience.organization == c.pot
    assert experience.status == PublicationStatus.PUBLISHED


def test_a_forged_evidence_file_is_refused_and_nothing_is_saved():
    c = Community()
    before = (Experience.objects.count(), EvidenceFile.objects.count())
    with pytest.raises(ValidationError) as error:
        services.experience_create(
            user=c.other,
            program=c.program,
            files=[SimpleUploadedFile("foto.png", b"MZ\x90\x00 not a picture")],
            **experience_values(c.pot),
        )
    assert "evidence_files" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.experience_create(
            user=c.other,
            program=c.program,
            files=[SimpleUploadedFile("notas.docx", b"PK\x03\x04rest")],
            **experience_values(c.pot),
        )
    assert (Experience.objects.count(), EvidenceFile.objects.count()) == before


def test_an_empty_section_is_refused_at_its_field():
    c = Community()
    with pytest.raises(ValidationError) as error:
        services.experience_create(
            user=c.other, program=c.program, **experience_values(c.pot, lessons="   ")
        )
    assert list(error.value.message_dict) == ["lessons"]


def test_editing_replaces_evidence_files():
    c = Community()
    experience = services.experience_create(
        user=c.other,
        program=c.program,
        files=[SimpleUploadedFile("acta.pdf", PDF)],
        **experience_values(c.pot),
    )
    old = experience.files.get()
    services.experience_update(
        user=c.other,
        experience=experience,
        remove_files=[old.pk],
        files=[SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\xe0 jpeg")],
        **experience_values(c.pot, title="Escuela de dirigentes, segunda versión"),
    )
    experience.refresh_from_db()
    assert experience.title == "Escuela de dirigentes, segunda versión"
    assert [f.name for f in experience.files.all()] == ["foto.jpg"]


# -- who reads what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_public", "status", "visibility", "expected"),
    [
        # anonymous, stranger, member, author, representative of the org, coordinator
        (True, "published", "public", [True, True, True, True, True, True]),
        (True, "published", "members", [False, False, True, True, True, True]),
        (True, "draft", "public", [False, False, False, True, True, True]),
        (False, "published", "public", [False, False, True, True, True, True]),
    ],
)
def test_who_may_read_an_experience(is_public, status, visibility, expected):
    from django.contrib.auth.models import AnonymousUser

    c = Community(is_public=is_public)
    experience = c.experience_of(status=status, visibility=visibility, author=c.author)
    colleague = representative_of(c.garden)
    readers = [AnonymousUser(), UserFactory(), c.member, c.author, colleague, c.coordinator]
    seen = [user.has_perm("learning.view_experience", experience) for user in readers]
    assert seen == expected
    listed = [
        selectors.readable_experiences(user, c.program).filter(pk=experience.pk).exists()
        for user in readers
    ]
    # The list shows published experiences only (drafts are listed apart for their authors).
    assert listed == [ok and status == "published" for ok in expected]


# -- comments ---------------------------------------------------------------------------------


def test_a_member_asks_and_the_author_is_told_in_their_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    c = Community()
    c.author.preferred_language = "ca"
    c.author.save()
    with django_capture_on_commit_callbacks(execute=True):
        question = services.comment_add(
            user=c.member, experience=c.experience, body="¿Cómo regaban?", kind="question"
        )
    assert question.kind == "question"
    assert [m.to for m in mailoutbox] == [[c.author.email]]
    assert "¿Cómo regaban?" in mailoutbox[0].body
    assert f"/experiences/{c.experience.pk}/#comment-{question.pk}" in mailoutbox[0].body


def test_an_answer_is_told_to_who_asked_and_a_comment_to_nobody(
    mailoutbox, django_capture_on_commit_callbacks
):
    c = Community()
    question = CommentFactory(experience=c.experience, author=c.member, kind="question")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(user=c.other, experience=c.experience, body="Bien dicho")
        services.comment_add(
            user=c.author, experience=c.experience, body="Así", kind="answer", parent=question
        )
    assert [m.to for m in mailoutbox] == [[c.member.email]]


def test_an_answer_by_the_organization_is_marked():
    c = Community()
    question = CommentFactory(experience=c.experience, author=c.member, kind="question")
    answer = services.comment_add(
        user=c.author,
        experience=c.experience,
        body="Con turnos semanales.",
        kind="answer",
        parent=question,
        organization=c.garden,
    )
    page = selectors.experience_page(c.experience, c.member)
    [thread] = page.threads
    assert thread.comment == question
    assert thread.answers == [answer]
    assert thread.answers[0].from_organization


def test_an_outsider_cannot_comment_on_a_members_only_experience():
    c = Community()
    experience = c.experience_of(visibility=Visibility.MEMBERS)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.comment_add(user=stranger, experience=experience, body="Hola")
    public_stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.comment_add(user=public_stranger, experience=c.experience, body="Hola")
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_too_long_comments_are_refused(body):
    c = Community()
    with pytest.raises(ValidationError) as error:
        services.comment_add(user=c.member, experience=c.experience, body=body)
    assert "body" in error.value.message_dict
    assert Comment.objects.count() == 0


def test_an_answer_needs_a_question_of_the_same_experience():
    c = Community()
    comment = CommentFactory(experience=c.experience, author=c.member, kind="comment")
    with pytest.raises(ValidationError):
        services.comment_add(
            user=c.author, experience=c.experience, body="Sí", kind="answer", parent=comment
        )
    assert Comment.objects.count() == 1


def test_a_coordinator_hides_a_comment_and_it_is_audited():
    c = Community()
    comment = CommentFactory(experience=c.experience, author=c.member)
    with pytest.raises(PermissionDenied):
        services.comment_hide(user=c.author, comment=comment)
    hidden = services.comment_hide(user=c.coordinator, comment=comment, reason="insultos")
    assert hidden.hidden_at is not None and hidden.hidden_by == c.coordinator
    entry = AuditEntry.objects.get(action="learning.comment.hide")
    assert entry.target_id == str(comment.pk) and entry.data["reason"] == "insultos"


# -- reactions and their ties -----------------------------------------------------------------


def test_useful_is_one_row_however_many_times_it_is_said():
    c = Community()
    for _ in range(3):
        services.reaction_set(user=c.member, experience=c.experience, kind="useful")
    assert Reaction.objects.filter(kind="useful").count() == 1
    services.reaction_set(user=c.member, experience=c.experience, kind="useful", on=False)
    assert not Reaction.objects.exists()


def test_the_database_refuses_a_second_reaction_of_the_same_kind():
    c = Community()
    Reaction.objects.create(experience=c.experience, user=c.member, kind="useful")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(experience=c.experience, user=c.member, kind="useful")


def test_we_tried_this_too_ties_the_two_organizations():
    c = Community()
    reaction = services.reaction_set(
        user=c.other,
        experience=c.experience,
        kind="tried_too",
        organization=c.pot,
        note="Lo hicimos en la sede.",
    )
    [tie] = information_ties(c.pot, c.garden)
    assert reaction.tie == tie
    assert tie.provenance == Provenance.LEARNING
    assert tie.intensity == Intensity.COOPERATION
    # Said twice: still one reaction and one current tie.
    services.reaction_set(
        user=c.other, experience=c.experience, kind="tried_too", organization=c.pot
    )
    assert Reaction.objects.filter(kind="tried_too").count() == 1
    assert information_ties(c.pot, c.garden).count() == 1


def test_we_tried_this_too_never_weakens_a_stronger_tie():
    c = Community()
    strong = tie_create(
        user=c.coordinator,
        source=c.garden,
        target=c.pot,
        tie_type=TieType.INFORMATION,
        intensity=Intensity.COLLABORATION,
        trust=4,
    )
    reaction = services.reaction_set(
        user=c.other, experience=c.experience, kind="tried_too", organization=c.pot
    )
    [tie] = information_ties(c.pot, c.garden)
    assert tie == strong and tie.intensity == Intensity.COLLABORATION and tie.trust == 4
    assert reaction.tie == strong


def test_we_tried_this_too_raises_a_weaker_tie_keeping_its_scores():
    c = Community()
    tie_create(
        user=c.coordinator,
        source=c.garden,
        target=c.pot,
        tie_type=TieType.INFORMATION,
        intensity=Intensity.AWARENESS,
        trust=3,
    )
    services.reaction_set(
        user=c.other, experience=c.experience, kind="tried_too", organization=c.pot
    )
    [tie] = information_ties(c.pot, c.garden)
    assert tie.intensity == Intensity.COOPERATION and tie.trust == 3


def test_we_tried_this_too_is_refused_for_your_own_organization():
    c = Community()
    with pytest.raises(ValidationError) as error:
        services.reaction_set(
            user=c.author, experience=c.experience, kind="tried_too", organization=c.garden
        )
    assert error.value.message_dict["organization"]
    with pytest.raises(ValidationError):
        services.reaction_set(
            user=c.author, experience=c.experience, kind="tried_too", organization=c.pot
        )
    assert not Reaction.objects.exists()
    assert not Tie.objects.exists()


def test_a_program_may_keep_we_tried_this_too_out_of_the_network():
    c = Community()
    LearningSettingsFactory(program=c.program, tried_too_ties=False)
    reaction = services.reaction_set(
        user=c.other, experience=c.experience, kind="tried_too", organization=c.pot
    )
    assert reaction.tie is None
    assert not Tie.objects.exists()


def test_outsiders_cannot_react():
    c = Community()
    with pytest.raises(PermissionDenied):
        services.reaction_set(user=UserFactory(), experience=c.experience, kind="useful")
    assert not Reaction.objects.exists()


# -- exchange meetings ------------------------------------------------------------------------


def test_an_exchange_ties_organizations_of_different_territories():
    c = Community()
    neighbour = ActorFactory(program=c.program, name="Club Deportivo", territory=c.north)
    unplaced = ActorFactory(program=c.program, name="Sin territorio", territory=None)
    exchange = services.exchange_create(
        user=c.coordinator,
        program=c.program,
        title="Encuentro de huertas",
        held_on=datetime.date(2026, 3, 14),
        territories=[c.north, c.south],
        participants=[c.garden, c.pot, neighbour, unplaced],
        people_count=35,
        outcomes="Acordamos intercambiar semillas.",
        experiences=[c.experience],
    )
    # garden–pot and neighbour–pot cross territories; garden–neighbour share one.
    assert information_ties(c.garden, c.pot).get().provenance == Provenance.LEARNING
    assert information_ties(neighbour, c.pot).exists()
    assert not information_ties(c.garden, neighbour).exists()
    assert not Tie.objects.filter(source=unplaced).exists()
    assert not Tie.objects.filter(target=unplaced).exists()
    page = selectors.exchange_page(exchange, c.member)
    assert page.ties_recorded == 2
    assert page.experiences == [c.experience]


def test_an_exchange_that_records_no_ties_records_none():
    c = Community()
    services.exchange_create(
        user=c.coordinator,
        program=c.program,
        title="Encuentro",
        held_on=datetime.date(2026, 3, 14),
        participants=[c.garden, c.pot],
        records_ties=False,
    )
    assert not Tie.objects.exists()


def test_only_coordinators_record_exchanges():
    c = Community()
    with pytest.raises(PermissionDenied):
        services.exchange_create(
            user=c.author, program=c.program, title="x", held_on=datetime.date(2026, 1, 1)
        )
