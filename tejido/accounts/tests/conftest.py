from __future__ import annotations

import pytest

from tejido.accounts.models import Role
from tejido.accounts.tests.factories import ProgramRoleFactory, UserFactory
from tejido.core.tests.factories import ProgramFactory

PASSWORD = "clave-segura-123"  # what UserFactory sets


@pytest.fixture
def user(db):
    return UserFactory(email="ana@example.org")


@pytest.fixture
def program_with_admin(db):
    program = ProgramFactory(name="Barrios que Tejen", slug="barrios")
    admin = UserFactory(email="admin@example.org")
    ProgramRoleFactory(user=admin, program=program, role=Role.ADMINISTRATOR)
    return program, admin
