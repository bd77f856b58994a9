"""Every write to the actor registry goes through these functions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tejido.accounts.models import Role, User
from tejido.accounts.services import role_grant, role_revoke
from tejido.core.audit import audit_log
from tejido.core.models import Program, Territory, Theme
from tejido.core.text import normalize_for_search

from .models import Actor, ActorKind, Membership, Post, Representative, SensitiveData
from .rules import forget_represented

# Fields a caller may set on an actor; the rest (program, search text, audit) are the service's.
ACTOR_FIELDS = (
    "kind",
    "name",
    "sector",
    "legal_form",
    "description",
    "territory",
    "email",
    "phone",
    "website",
    "address",
    "size",
    "founded_year",
    "power",
    "interest",
    "stance",
)


def actor_search_text(actor: Actor) -> str:
    return normalize_for_search(actor.name, actor.legal_form, actor.description)


def _check_vocabulary(
    program: Program, territory: Territory | None, territories_served: Iterable[Territory]
) -> None:
    del program  # territories are shared between programs
    if territory is not None and territory.pk is None:
        raise ValidationError({"territory": _("Unknown territory.")})
    for served in territories_served:
        if served.pk is None:
            raise ValidationError({"territories_served": _("Unknown territory.")})


@transaction.atomic
def actor_create(
    *,
    user: Any,
    program: Program,
    themes: Iterable[Theme] = (),
    territories_served: Iterable[Territory] = (),
    **fields: Any,
) -> Actor:
    unknown = set(fields) - set(ACTOR_FIELDS)
    if unknown:
        raise TypeError(f"actor_create() got unexpected fields: {sorted(unknown)}")
    territories_served = list(territories_served)
    actor = Actor(program=program, created_by=user if _is_user(user) else None, **fields)
    _check_vocabulary(program, actor.territory, territories_served)
    actor.full_clean(exclude=["search_text", "created_by"])
    actor.search_text = actor_search_text(actor)
    actor.save()
    actor.themes.set(list(themes))
    actor.territories_served.set(territories_served)
    audit_log(user=user, action="actor.create", target=actor, program=program)
    return actor


@transaction.atomic
def actor_update(
    *,
    user: Any,
    actor: Actor,
    themes: Iterable[Theme] | None = None,
    territories_served: Iterable[Territory] | None = None,
    **fields: Any,
) -> Actor:
    unknown = set(fields) - set(ACTOR_FIELDS)
    if unknown:
        raise TypeError(f"actor_update() got unexpected fields: {sorted(unknown)}")
    # Lock the row so two editors saving at once apply one after the other.
    actor = Actor.objects.select_for_update().get(pk=actor.pk)
    changed = {k: v for k, v in fields.items() if getattr(actor, k) != v}
    for key, value in changed.items():
        setattr(actor, key, value)
    if territories_served is not None:
        territories_served = list(territories_served)
    _check_vocabulary(actor.program, actor.territory, territories_served or [])
    actor.full_clean(exclude=["search_text", "created_by"])
    actor.search_text = actor_search_text(actor)
    actor.save()
    if themes is not None:
        actor.themes.set(list(themes))
    if territories_served is not None:
        actor.territories_served.set(territories_served)
    audit_log(
        user=user,
        action="actor.update",
        target=actor,
        program=actor.program,
        data={"fields": sorted(changed)},
    )
    return actor


@transaction.atomic
def person_record_gender(
    *, user: Any, person: Actor, gender: str, consent_text: str
) -> SensitiveData:
    """Store a person's gender together with the consent that allows it. No consent, no gender."""
    if person.kind != ActorKind.PERSON:
        raise ValidationError(_("Only people have a gender."))
    if gender and not consent_text.strip():
        raise ValidationError(
            {"consent_text": _("Gender can only be stored with the person's recorded consent.")}
        )
    data, _created = SensitiveData.objects.select_for_update().get_or_create(person=person)
    data.gender = gender
    if gender:
        data.consent_given_at = timezone.now()
        data.consent_recorded_by = user if _is_user(user) else None
        data.consent_text = consent_text.strip()
    data.full_clean()
    data.save()
    audit_log(user=user, action="person.gender_recorded", target=person, program=person.program)
    return data


@transaction.atomic
def person_withdraw_consent(*, user: Any, person: Actor) -> None:
    """Withdrawing consent erases the data it covered."""
    SensitiveData.objects.filter(person=person).delete()
    audit_log(user=user, action="person.consent_withdrawn", target=person, program=person.program)


@transaction.atomic
def membership_create(
    *,
    user: Any,
    person: Actor,
    organization: Actor,
    post_label: str = "",
    role: str = "",
    start_date: Any = None,
    end_date: Any = None,
) -> Membership:
    if person.kind != ActorKind.PERSON:
        raise ValidationError({"person": _("Only a person can hold a post.")})
    if organization.kind == ActorKind.PERSON:
        raise ValidationError({"organization": _("Posts are held in organizations or groups.")})
    if person.program_id != organization.program_id:
        raise ValidationError(_("The person and the organization belong to different programs."))
    post = None
    if post_label:
        post, _created = Post.objects.get_or_create(organization=organization, label=post_label)
    membership = Membership(
        person=person,
        organization=organization,
        post=post,
        role=role,
        start_date=start_date,
        end_date=end_date,
    )
    membership.full_clean()
    membership.save()
    audit_log(user=user, action="membership.create", target=membership, program=person.program)
    return membership


def _is_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# Representatives: a user who speaks for an organization. Following accounts.services, `actor`
# is the user who acts and `user` the one who gains or loses the representation.


@transaction.atomic
def representative_add(*, user: User, actor: Any, organization: Actor) -> Representative:
    """Let `user` speak for `organization`, granting the representative role in its program.

    Representing needs both the row and the role (see actors.rules), so they are written
    together. Adding an existing representation changes nothing and logs nothing.
    """
    if organization.kind == ActorKind.PERSON:
        raise ValidationError(
            {"organization": _("A representative speaks for an organization, not a person.")}
        )
    role_grant(
        actor=actor,
        user=user,
        program=organization.program,
        role=Role.ORGANIZATION_REPRESENTATIVE,
    )
    representative, created = Representative.objects.get_or_create(
        user=user, organization=organization
    )
    if created:
        audit_log(
            user=actor,
            action="representative.add",
            target=representative,
            program=organization.program,
            data={"user": user.pk, "organization": organization.pk},
        )
    forget_represented(user)
    return representative


@transaction.atomic
def representative_remove(*, user: User, actor: Any, organization: Actor) -> None:
    """Stop `user` speaking for `organization`; the role goes with their last organization."""
    deleted, _deleted_by_model = Representative.objects.filter(
        user=user, organization=organization
    ).delete()
    if deleted:
        audit_log(
            user=actor,
            action="representative.remove",
            target=organization,
            program=organization.program,
            data={"user": user.pk},
        )
    still_represents = Representative.objects.filter(
        user=user, organization__program_id=organization.program_id
    ).exists()
    if not still_represents:
        role_revoke(
            actor=actor,
            user=user,
            program=organization.program,
            role=Role.ORGANIZATION_REPRESENTATIVE,
        )
    forget_represented(user)


@transaction.atomic
def representative_role_revoke(*, user: User, actor: Any, program: Program) -> None:
    """Revoke the representative role in a program together with every organization it covered."""
    representations = Representative.objects.filter(
        user=user, organization__program=program
    ).select_related("organization")
    for representative in representations:
        audit_log(
            user=actor,
            action="representative.remove",
            target=representative.organization,
            program=program,
            data={"user": user.pk},
        )
    Representative.objects.filter(user=user, organization__program=program).delete()
    role_revoke(actor=actor, user=user, program=program, role=Role.ORGANIZATION_REPRESENTATIVE)
    forget_represented(user)
