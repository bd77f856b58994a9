# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Races around reviews: the same review submitted from two tabs at once, two reviewers
submitting their reviews of one application at once, and two coordinators assigning at once.
Needs a database that two connections can share: PostgreSQL (the in-memory SQLite of the
default run cannot)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tejido.funds.models import Assignment, Call
from tejido.funds.reviews import services

from .factories_reviews import full_scores, review_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
    ),
]


def in_thread(target: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_tabs_submitting_the_same_review_at_once_one_wins():
    world = review_world(applications=1, reviewers=1)
    (reviewer,) = world.reviewers
    assignment = Assignment.objects.create(application=world.applications[0], reviewer=reviewer)
    opened = assignment.updated_at
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit(comment: str, values: tuple[int, int]) -> None:
        start.wait()
        services.review_submit(
            actor=reviewer.user,
            assignment=Assignment.objects.get(pk=assignment.pk),
            scores=full_scores(world, values),
            comments={},
            comment=comment,
            seen=opened,
        )

    threads = [
        in_thread(lambda: submit("Pestaña uno", (5, 5)), errors),
        in_thread(lambda: submit("Pestaña dos", (1, 1)), errors),
    ]
    for thread in threads:
        thread.join(timeout=60)
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError) and errors[0].code == "stale"
    assignment.refresh_from_db()
    winner = {"Pestaña uno": 100, "Pestaña dos": 20}[assignment.comment]
    assert assignment.total == winner
    assert assignment.scores.count() == 2


def test_two_reviewers_submitting_at_once_both_count():
    world = review_world(applications=1, reviewers=2)
    assignments = [
        Assignment.objects.create(application=world.applications[0], reviewer=r)
        for r in world.reviewers
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit(assignment: Assignment) -> None:
        start.wait()
        services.review_submit(
            actor=assignment.reviewer.user,
            assignment=assignment,
            scores=full_scores(world),
            comments={},
            comment="Revisado",
            seen=assignment.updated_at,
        )

    threads = [in_thread(lambda a=a: submit(a), errors) for a in assignments]
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Assignment.objects.submitted().count() == 2


def test_two_coordinators_assigning_at_once_assign_each_pair_once():
    world = review_world(applications=6, reviewers=4, per_application=2)
    second = world.coordinator
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    created: list[int] = []

    def assign() -> None:
        start.wait()
        created.append(
            services.reviews_assign(actor=second, call=Call.objects.get(pk=world.call.pk))
        )

    threads = [in_thread(assign, errors) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(created) == [0, 12]
    assert Assignment.objects.count() == 12
