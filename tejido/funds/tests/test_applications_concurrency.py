# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Races around applications: two representatives submitting for one organization at once,
two tabs submitting one application at once, two drafts started at once. Needs a database
that two connections can share: PostgreSQL (the in-memory SQLite of the default run cannot)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tejido.accounts.tests.factories import UserFactory
from tejido.core.tests.concurrency import race
from tejido.funds.applications import services
from tejido.funds.models import Application, ApplicationStatus, ApplicationVersion

from .factories import representative_of
from .factories_applications import complete, draft, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs two connections to one database (PostgreSQL)"
    ),
]


def test_two_representatives_submitting_for_one_organization_make_one_submission() -> None:
    world = make_world()
    world.call.one_application_per_organization = False
    world.call.save()
    treasurer = representative_of(world.applicant, UserFactory())
    first = complete(world)
    second = complete(world, draft(world, title="La misma idea, otra vez"))
    world.call.one_application_per_organization = True
    world.call.save()
    results, errors = race(
        lambda: services.application_submit(
            actor=world.representative, application=Application.objects.get(pk=first.pk)
        ),
        lambda: services.application_submit(
            actor=treasurer, application=Application.objects.get(pk=second.pk)
        ),
    )
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "this call accepts one per organization" in errors[0].message_dict["__all__"][0]
    assert (
        Application.objects.filter(
            applicant=world.applicant, status=ApplicationStatus.SUBMITTED
        ).count()
        == 1
    )


def test_two_tabs_submitting_one_application_make_two_numbered_versions() -> None:
    world = make_world()
    application = complete(world)
    _results, errors = race(
        *[
            lambda: services.application_submit(
                actor=world.representative, application=Application.objects.get(pk=application.pk)
            )
            for _ in range(2)
        ]
    )
    assert errors == []
    assert sorted(
        ApplicationVersion.objects.filter(application=application).values_list("number", flat=True)
    ) == [1, 2]
    application.refresh_from_db()
    assert application.version == 2


def test_two_drafts_started_at_once_get_two_references() -> None:
    world = make_world()
    world.call.one_application_per_organization = False
    world.call.save()
    treasurer = representative_of(world.applicant, UserFactory())
    results, errors = race(
        lambda: services.application_create(
            actor=world.representative, call=world.call, applicant=world.applicant, title="Uno"
        ),
        lambda: services.application_create(
            actor=treasurer, call=world.call, applicant=world.applicant, title="Dos"
        ),
    )
    assert errors == []
    references = sorted(a.reference for a in results)
    assert len(set(references)) == 2
    assert [r[-4:] for r in references] == ["0001", "0002"]


def test_two_drafts_of_one_organization_at_once_when_the_call_takes_one() -> None:
    world = make_world()
    treasurer = representative_of(world.applicant, UserFactory())
    results, errors = race(
        lambda: services.application_create(
            actor=world.representative, call=world.call, applicant=world.applicant, title="Uno"
        ),
        lambda: services.application_create(
            actor=treasurer, call=world.call, applicant=world.applicant, title="Dos"
        ),
    )
    assert len(results) == 1
    assert len(errors) == 1
    assert "applicant" in errors[0].message_dict
    assert Application.objects.filter(call=world.call).count() == 1
