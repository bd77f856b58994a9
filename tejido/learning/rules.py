"""Who may see and do what in training, the learning community and the knowledge library.

Objects: a Program (program-wide rights), a Course, a Cohort, an Enrolment, an Experience, a
LibraryItem or an Exchange; all carry a `program_id`. "The community" is the program's members
(anyone holding a role in it): only they comment, ask, react and read members-only content.
"""

from __future__ import annotations

from typing import Any

import rules

from tejido.accounts.rules import (
    is_coordinator,
    is_program_member,
    is_public_program,
    is_superuser,
)
from tejido.actors.rules import represented_ids, speaks_for_an_organization


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


@rules.predicate
def facilitates_cohort(user: Any, obj: Any = None) -> bool:
    """The user is one of the cohort's facilitators (object: a Cohort, a Session or an
    Enrolment)."""
    from .models import Cohort, Enrolment, Session

    if isinstance(obj, (Session, Enrolment)):
        obj = obj.cohort
    if not isinstance(obj, Cohort) or not _authenticated(user):
        return False
    return obj.facilitators.filter(pk=user.pk).exists()


@rules.predicate
def speaks_for_enrolled_organization(user: Any, obj: Any = None) -> bool:
    """The user represents the organization a person was enrolled for (object: an Enrolment
    or a Certificate)."""
    from .models import Certificate, Enrolment

    if isinstance(obj, Certificate):
        obj = obj.enrolment
    return isinstance(obj, Enrolment) and obj.organization_id in represented_ids(user)


@rules.predicate
def is_published(user: Any, obj: Any = None) -> bool:
    return getattr(obj, "status", None) == "published"


@rules.predicate
def is_public_content(user: Any, obj: Any = None) -> bool:
    """Published, public content of a public program: anyone may read it."""
    return (
        getattr(obj, "status", None) == "published"
        and getattr(obj, "visibility", None) == "public"
        and bool(is_public_program.test(user, obj))
    )


@rules.predicate
def wrote_it(user: Any, obj: Any = None) -> bool:
    """The user is the author of an experience or comment, or added a library item."""
    if not _authenticated(user):
        return False
    owner_id = getattr(obj, "author_id", None) or getattr(obj, "created_by_id", None)
    return owner_id is not None and owner_id == user.pk


@rules.predicate
def speaks_for_its_organization(user: Any, obj: Any = None) -> bool:
    """The user represents the organization an experience is told by."""
    organization_id = getattr(obj, "organization_id", None)
    return organization_id is not None and organization_id in represented_ids(user)


def _with_program(obj: Any) -> Any:
    """Something with a `program_id` for `obj`: enrolments, certificates and sessions belong to
    their cohort's program, comments to their experience's, files to their item's."""
    from .models import Certificate, Comment, Enrolment, EvidenceFile, ItemFile, Session

    if isinstance(obj, Certificate):
        obj = obj.enrolment
    if isinstance(obj, (Enrolment, Session)):
        return obj.cohort
    if isinstance(obj, (Comment, EvidenceFile)):
        return obj.experience
    if isinstance(obj, ItemFile):
        return obj.item
    return obj


@rules.predicate
def coordinates_its_program(user: Any, obj: Any = None) -> bool:
    """The user coordinates the program `obj` belongs to (directly or through its cohort,
    experience or item)."""
    return bool(is_coordinator.test(user, _with_program(obj)))


member = is_program_member | is_superuser

# The module's pages: what a visitor sees of a public program, all of it for members.
rules.add_perm("learning.view_learning", is_public_program | member)

# Training. Courses and cohorts are public in a public program (names of people are not:
# pages ask `actors.view_people`). Coordinators run them; facilitators take attendance.
rules.add_perm("learning.manage_training", coordinates_its_program)
rules.add_perm("learning.take_attendance", coordinates_its_program | facilitates_cohort)
# Enrolling (object: the Cohort or the Program): representatives enrol their organization's
# people; coordinators enrol anyone. The service checks the organization is theirs.
rules.add_perm("learning.enrol", coordinates_its_program | speaks_for_an_organization)
# A person's enrolment, attendance record and certificate.
rules.add_perm(
    "learning.view_enrolment",
    coordinates_its_program | facilitates_cohort | speaks_for_enrolled_organization,
)
rules.add_perm(
    "learning.view_certificate", coordinates_its_program | speaks_for_enrolled_organization
)
rules.add_perm("learning.revoke_certificate", coordinates_its_program)

# The learning community. Reading: public content of a public program, everything published
# for members, drafts for their authors and coordinators.
rules.add_perm(
    "learning.view_experience",
    is_public_content
    | (is_published & member)
    | wrote_it
    | speaks_for_its_organization
    | coordinates_its_program,
)
rules.add_perm("learning.publish_experience", speaks_for_an_organization | coordinates_its_program)
rules.add_perm(
    "learning.change_experience", wrote_it | speaks_for_its_organization | coordinates_its_program
)
# Taking part (object: the Experience or the Program): members only, never a visitor.
rules.add_perm("learning.take_part", member)
rules.add_perm("learning.moderate", coordinates_its_program)
rules.add_perm("learning.manage_exchanges", coordinates_its_program)

# The knowledge library.
rules.add_perm(
    "learning.view_item",
    is_public_content | (is_published & member) | coordinates_its_program | wrote_it,
)
rules.add_perm("learning.add_item", coordinates_its_program | speaks_for_an_organization)
rules.add_perm("learning.change_item", coordinates_its_program | wrote_it)
