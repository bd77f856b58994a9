"""Every write of an application: the draft, its budget lines, partners and attachments, the
submission (with its snapshot and receipt), the withdrawal, the eligibility check and the
coordinator's override.

The life of an application
--------------------------
A representative of an organization of the program starts a draft while the call is open,
and saves it as often as they like, incomplete. Submitting checks everything (required
fields, the budget against the grant range, the consortium's shares and letters, the call's
objectives, one application per organization), keeps a snapshot as a new version, runs the
eligibility rules and e-mails a receipt to the applicant's representatives.

A submitted application stays editable until the call closes, but what the call holds is always
what was submitted: each change to a submitted application is submitted at once, as a new
version, and refused whole if it would leave the application incomplete. After the call closes
nothing changes, except the eligibility, which the coordinators check again and may override
with a written justification until the committee decides.

Locks: every write locks the call's row first, then the application's, so that two
representatives submitting for one organization at once cannot both pass the
one-per-organization rule, and two tabs cannot make two versions with one number.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Representative
from tejido.actors.rules import represented_ids
from tejido.core.audit import audit_log
from tejido.core.mail import recipient_language
from tejido.core.models import Program, Territory, Theme
from tejido.core.uploads import OFFICE_DOCUMENTS, check_document
from tejido.governance.models import Objective
from tejido.governance.plans.money import money

from .. import eligibility
from ..models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Attachment,
    AttachmentKind,
    Award,
    BudgetCategory,
    BudgetLine,
    Call,
    CallPhase,
    CallStatus,
    Eligibility,
    Partner,
)
from .selectors import application_snapshot

APPLY = "funds.apply"
EDIT = "funds.edit_application"
DECIDE = "funds.decide_eligibility"
MANAGE_CALL = "funds.manage_call"

MAX_AMOUNT = Decimal("999999999999.99")
MAX_LINES = 40
MAX_PARTNERS = 10
MAX_ATTACHMENTS = 20
MAX_PEOPLE = 10_000_000
TITLE_LENGTH = 200
ROLE_LENGTH = 200
DESCRIPTION_LENGTH = 300
LONG_TEXT = 20_000
JUSTIFICATION_LENGTH = 4_000
# Legal certificates and letters are signed papers: a scan or a PDF. Quotes may be spreadsheets.
SIGNED_TYPES = ("pdf", "jpg", "jpeg", "png")
ATTACHMENT_TYPES: dict[str, tuple[str, ...]] = {
    AttachmentKind.LEGAL_STATUS: SIGNED_TYPES,
    AttachmentKind.COMMITMENT_LETTER: SIGNED_TYPES,
    AttachmentKind.QUOTE: OFFICE_DOCUMENTS,
    AttachmentKind.OTHER: OFFICE_DOCUMENTS,
}
TEXT_FIELDS = ("title", "summary", "problem", "activities")
PEOPLE_FIELDS = ("beneficiaries_women", "beneficiaries_men", "beneficiaries_other")
EDITABLE_FIELDS = frozenset((*TEXT_FIELDS, *PEOPLE_FIELDS, "territory", "theme"))


# -- helpers -----------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def _moment(call: Call, at: datetime.datetime) -> str:
    local = timezone.localtime(at)
    return _("%(day)s at %(time)s") % {
        "day": date_format(local, "DATE_FORMAT"),
        "time": date_format(local, "TIME_FORMAT"),
    }


def _require_open(call: Call, at: datetime.datetime, *, doing: str = "change") -> None:
    """Refuse unless the call takes applications at `at`, saying when it opens or closed."""
    phase = call.phase(at)
    if phase == CallPhase.OPEN:
        return
    if phase in (CallPhase.DRAFT,):
        raise ValidationError(_("This call is not published."), code="call_draft")
    if phase == CallPhase.UPCOMING:
        raise ValidationError(
            _("This call opens on %(moment)s: applications cannot be made before.")
            % {"moment": _moment(call, call.opens_at)},
            code="call_upcoming",
        )
    if doing == "submit":
        message = _("This call closed on %(moment)s: applications can no longer be submitted.")
    else:
        message = _("This call closed on %(moment)s: applications can no longer change.")
    raise ValidationError(message % {"moment": _moment(call, call.closes_at)}, code="call_closed")


def _locked(application: Application) -> Application:
    """The application locked for a change, after its call (always in this order)."""
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=application.call_id)
    )
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "territory", "theme")
        .get(pk=application.pk)
    )
    locked.call = call
    return locked


def _clean_text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Keep it under %(count)s characters (it has %(length)s).")
                % {"count": limit, "length": len(text)}
            },
            code="too_long",
        )
    return text


def parse_amount(value: Any) -> Decimal:
    """A non-negative amount of money with at most two decimals; a coded error otherwise
    ("amount", "negative", "too_large")."""
    try:
        amount = Decimal(str(value).strip() if value not in (None, "") else "0")
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(_("Enter an amount, in numbers."), code="amount") from exc
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount, in numbers."), code="amount")
    if amount < 0:
        raise ValidationError(_("An amount cannot be negative."), code="negative")
    if amount > MAX_AMOUNT:
        raise ValidationError(_("This amount is too large."), code="too_large")
    return amount.quantize(Decimal("0.01"))


def clean_amount(value: Any, field: str) -> Decimal:
    try:
        return parse_amount(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _clean_people(value: Any, field: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Enter a whole number.")}, code="number") from exc
    if number < 0:
        raise ValidationError({field: _("A number of people cannot be negative.")})
    if number > MAX_PEOPLE:
        raise ValidationError({field: _("This number is too large.")})
    return number


def _money(call: Call, amount: Decimal) -> str:
    return money(amount, call.currency)


def _next_reference(program: Program, year: int) -> str:
    """`FC-<year>-<sequence>`: the program's next number for the year. The program's row is
    locked so that two drafts started at once get two numbers."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    prefix = f"FC-{year}-"
    used = Application.objects.filter(
        call__program=program, reference__startswith=prefix
    ).values_list("reference", flat=True)
    numbers = [int(ref[len(prefix) :]) for ref in used if ref[len(prefix) :].isdigit()]
    number = max(numbers, default=0) + 1
    # References are unique across programs too: skip a number another program already used.
    while Application.objects.filter(reference=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


def _check_upload(upload: UploadedFile, kind: str, field: str) -> str:
    try:
        return check_document(upload, allowed=ATTACHMENT_TYPES.get(kind, SIGNED_TYPES))
    except ValidationError as error:
        raise ValidationError({field: error.messages}, code=error.code) from error


def _store_attachment(
    *,
    actor: Any,
    application: Application,
    kind: str,
    upload: UploadedFile,
    content_type: str,
    issued_on: datetime.date | None = None,
) -> Attachment:
    name = (upload.name or "document").replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = Attachment(
        application=application,
        kind=kind,
        name=name,
        content_type=content_type,
        size=int(upload.size or 0),
        issued_on=issued_on,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def _after_change(
    *, actor: Any, application: Application, at: datetime.datetime, base_url: str
) -> None:
    """A change to a submitted application is submitted at once, as a new version."""
    if application.status == ApplicationStatus.SUBMITTED:
        _submit(actor=actor, application=application, at=at, base_url=base_url)


# -- drafts ------------------------------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    actor: Any,
    call: Call,
    applicant: Actor,
    at: datetime.datetime | None = None,
    **fields: Any,
) -> Application:
    """Start a draft for `applicant`, an organization the actor speaks for."""
    at = at or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("program").get(pk=call.pk)
    _require(actor, APPLY, call, _("Only representatives of the program's organizations apply."))
    if applicant.program_id != call.program_id or applicant.kind == ActorKind.PERSON:
        raise ValidationError(
            {"applicant": _("Only an organization or group of this program can apply.")},
            code="applicant",
        )
    if applicant.pk not in represented_ids(actor):
        raise PermissionDenied(_("You do not speak for %(name)s.") % {"name": applicant.name})
    _require_open(call, at, doing="apply")
    if call.one_application_per_organization:
        existing = Application.objects.filter(call=call, applicant=applicant).order_by("pk").first()
        if existing is not None:
            raise ValidationError(
                {
                    "applicant": _(
                        "%(name)s already has an application to this call (%(reference)s); "
                        "this call accepts one per organization. Continue that one."
                    )
                    % {"name": applicant.name, "reference": existing.reference}
                },
                code="duplicate",
            )
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unknown application fields: {', '.join(sorted(unknown))}")
    application = Application(
        call=call,
        applicant=applicant,
        reference=_next_reference(call.program, timezone.localtime(at).year),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _set_fields(application, fields)
    if not application.title:
        raise ValidationError(
            {"title": _("Give the project a working title; you can change it later.")},
            code="required",
        )
    application.save()
    audit_log(
        user=actor,
        action="funds.application.create",
        target=application,
        program=call.program,
        data={"reference": application.reference, "applicant": applicant.pk},
    )
    return application


def _set_fields(application: Application, fields: dict[str, Any]) -> None:
    for name in TEXT_FIELDS:
        if name in fields:
            limit = TITLE_LENGTH if name == "title" else LONG_TEXT
            value = _clean_text(fields[name], name, limit)
            if name == "title":
                value = " ".join(value.split())
            setattr(application, name, value)
    for name in PEOPLE_FIELDS:
        if name in fields:
            setattr(application, name, _clean_people(fields[name], name))
    if "territory" in fields:
        territory = fields["territory"]
        if territory is not None and not isinstance(territory, Territory):
            raise ValidationError({"territory": _("Choose a territory in the list.")})
        application.territory = territory
    if "theme" in fields:
        theme = fields["theme"]
        if theme is not None and not isinstance(theme, Theme):
            raise ValidationError({"theme": _("Choose a theme in the list.")})
        application.theme = theme


@transaction.atomic
def application_update(
    *,
    actor: Any,
    application: Application,
    objectives: Iterable[Objective] | None = None,
    lines: Sequence[dict[str, Any]] | None = None,
    at: datetime.datetime | None = None,
    base_url: str = "",
    **fields: Any,
) -> Application:
    """Save what the applicant wrote (any part of it: a draft may be incomplete). On a
    submitted application the change is submitted at once as a new version, or refused."""
    at = at or timezone.now()
    application = _locked(application)
    _require(actor, EDIT, application, _("Only the applicant's representatives edit it."))
    _require_open(application.call, at)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unknown application fields: {', '.join(sorted(unknown))}")
    _set_fields(application, fields)
    if "title" in fields and not application.title:
        raise ValidationError(
            {"title": _("Keep a title: it names your application.")}, code="required"
        )
    application.save()
    if objectives is not None:
        chosen = list(objectives)
        allowed = set(application.call.objectives.values_list("pk", flat=True))
        strangers = [o for o in chosen if o.pk not in allowed]
        if strangers:
            raise ValidationError(
                {
                    "objectives": _("“%(title)s” is not among the objectives this call serves.")
                    % {"title": strangers[0].title}
                },
                code="objective",
            )
        application.objectives.set(chosen)
    if lines is not None:
        _replace_lines(application, lines)
    audit_log(
        user=actor,
        action="funds.application.update",
        target=application,
        program=application.call.program,
        data={"fields": sorted(fields), "lines": None if lines is None else len(lines)},
    )
    _after_change(actor=actor, application=application, at=at, base_url=base_url)
    return application


def _clean_lines(lines: Sequence[dict[str, Any]]) -> list[BudgetLine]:
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {"lines": _("A budget has at most %(count)s lines.") % {"count": MAX_LINES}}
        )
    categories = set(BudgetCategory.values)
    cleaned = []
    for number, line in enumerate(lines, start=1):

        def row_error(message: str, row: int = number) -> ValidationError:
            return ValidationError(
                {"lines": _("Line %(number)s: %(problem)s") % {"number": row, "problem": message}},
                code="line",
            )

        category = str(line.get("category") or "")
        if category not in categories:
            raise row_error(_("choose a category."))
        description = " ".join(str(line.get("description") or "").split())
        if not description:
            raise row_error(_("say what the money is for."))
        if len(description) > DESCRIPTION_LENGTH:
            raise row_error(
                _("keep the description under %(count)s characters.")
                % {"count": DESCRIPTION_LENGTH}
            )
        amounts = []
        for key in ("amount", "co_funding"):
            try:
                amounts.append(parse_amount(line.get(key)))
            except ValidationError as error:
                problem = {
                    "negative": _("an amount cannot be negative."),
                    "too_large": _("this amount is too large."),
                }.get(str(error.code), _("enter the amounts in numbers."))
                raise row_error(problem) from error
        amount, co_funding = amounts
        if amount == 0 and co_funding == 0:
            raise row_error(_("enter the amount requested or the co-funding."))
        cleaned.append(
            BudgetLine(
                position=number,
                category=category,
                description=description,
                amount=amount,
                co_funding=co_funding,
            )
        )
    return cleaned


def _replace_lines(application: Application, lines: Sequence[dict[str, Any]]) -> None:
    cleaned = _clean_lines(lines)
    application.budget_lines.all().delete()
    for line in cleaned:
        line.application = application
    BudgetLine.objects.bulk_create(cleaned)
    application.requested_amount = sum((line.amount for line in cleaned), Decimal(0))
    application.co_funding_amount = sum((line.co_funding for line in cleaned), Decimal(0))
    application.save(update_fields=["requested_amount", "co_funding_amount", "updated_at"])


@transaction.atomic
def budget_lines_replace(
    *,
    actor: Any,
    application: Application,
    lines: list[dict[str, Any]],
    at: datetime.datetime | None = None,
    base_url: str = "",
) -> None:
    """Replace the budget with `lines` ({"category", "description", "amount", "co_funding"})
    and recompute the totals. All or nothing: one wrong line changes nothing."""
    at = at or timezone.now()
    locked = _locked(application)
    _require(actor, EDIT, locked, _("Only the applicant's representatives edit it."))
    _require_open(locked.call, at)
    _replace_lines(locked, lines)
    audit_log(
        user=actor,
        action="funds.application.budget",
        target=locked,
        program=locked.call.program,
        data={"lines": len(lines), "requested": str(locked.requested_amount)},
    )
    _after_change(actor=actor, application=locked, at=at, base_url=base_url)
    application.requested_amount = locked.requested_amount
    application.co_funding_amount = locked.co_funding_amount


# -- the consortium ----------------------------------------------------------------------------


def _clean_partner_values(role: Any, budget_share: Any) -> tuple[str, Decimal]:
    role_text = " ".join(str(role or "").split())
    if not role_text:
        raise ValidationError(
            {"role": _("Say what this partner does in the project.")}, code="required"
        )
    if len(role_text) > ROLE_LENGTH:
        raise ValidationError(
            {"role": _("Keep it under %(count)s characters.") % {"count": ROLE_LENGTH}}
        )
    return role_text, clean_amount(budget_share, "budget_share")


@transaction.atomic
def partner_add(
    *,
    actor: Any,
    application: Application,
    organization: Actor,
    role: str,
    budget_share: Decimal | str | int,
    letter: UploadedFile | None = None,
    at: datetime.datetime | None = None,
    base_url: str = "",
) -> Partner:
    """Add `organization` to the consortium, with its role, the part of the budget it manages
    and, optionally now (required to submit), its letter of commitment."""
    at = at or timezone.now()
    application = _locked(application)
    _require(actor, EDIT, application, _("Only the applicant's representatives edit it."))
    _require_open(application.call, at)
    if organization.program_id != application.call.program_id or organization.is_person:
        raise ValidationError(
            {"organization": _("Choose an organization or group of this program.")},
            code="organization",
        )
    if organization.pk == application.applicant_id:
        raise ValidationError(
            {"organization": _("The applicant leads the project; it is not its own partner.")},
            code="applicant",
        )
    partners = application.partners.all()
    if partners.filter(organization=organization).exists():
        raise ValidationError(
            {"organization": _("%(name)s is already a partner.") % {"name": organization.name}},
            code="duplicate",
        )
    if partners.count() >= MAX_PARTNERS:
        raise ValidationError(
            {
                "organization": _("A consortium has at most %(count)s partners.")
                % {"count": MAX_PARTNERS}
            }
        )
    role_text, share = _clean_partner_values(role, budget_share)
    content_type = (
        _check_upload(letter, AttachmentKind.COMMITMENT_LETTER, "letter") if letter else ""
    )
    partner = Partner.objects.create(
        application=application, organization=organization, role=role_text, budget_share=share
    )
    if letter is not None:
        partner.commitment_letter = _store_attachment(
            actor=actor,
            application=application,
            kind=AttachmentKind.COMMITMENT_LETTER,
            upload=letter,
            content_type=content_type,
        )
        partner.save(update_fields=["commitment_letter"])
    audit_log(
        user=actor,
        action="funds.partner.add",
        target=application,
        program=application.call.program,
        data={"organization": organization.pk, "share": str(share), "letter": bool(letter)},
    )
    _after_change(actor=actor, application=application, at=at, base_url=base_url)
    return partner


@transaction.atomic
def partner_update(
    *,
    actor: Any,
    application: Application,
    partner: Partner,
    role: str,
    budget_share: Decimal | str | int,
    letter: UploadedFile | None = None,
    at: datetime.datetime | None = None,
    base_url: str = "",
) -> Partner:
    """Change a partner's role or share, or replace its letter of commitment."""
    at = at or timezone.now()
    application = _locked(application)
    _require(actor, EDIT, application, _("Only the applicant's representatives edit it."))
    _require_open(application.call, at)
    partner = Partner.objects.select_related("commitment_letter").get(
        pk=partner.pk, application=application
    )
    role_text, share = _clean_partner_values(role, budget_share)
    content_type = (
        _check_upload(letter, AttachmentKind.COMMITMENT_LETTER, "letter") if letter else ""
    )
    partner.role, partner.budget_share = role_text, share
    if letter is not None:
        previous = partner.commitment_letter
        partner.commitment_letter = _store_attachment(
            actor=actor,
            application=application,
            kind=AttachmentKind.COMMITMENT_LETTER,
            upload=letter,
            content_type=content_type,
        )
        if previous is not None:
            _delete_attachment(previous)
    partner.save()
    audit_log(
        user=actor,
        action="funds.partner.update",
        target=application,
        program=application.call.program,
        data={"organization": partner.organization_id, "share": str(share), "letter": bool(letter)},
    )
    _after_change(actor=actor, application=application, at=at, base_url=base_url)
    return partner


@transaction.atomic
def partner_remove(
    *,
    actor: Any,
    application: Application,
    partner: Partner,
    at: datetime.datetime | None = None,
    base_url: str = "",
) -> None:
    """Take a partner out of the consortium, with its letter of commitment."""
    at = at or timezone.now()
    application = _locked(application)
    _require(actor, EDIT, application, _("Only the applicant's representatives edit it."))
    _require_open(application.call, at)
    partner = Partner.objects.select_related("commitment_letter").get(
        pk=partner.pk, application=application
    )
    letter = partner.commitment_letter
    organization_id = partner.organization_id
    partner.delete()
    if letter is not None:
        _delete_attachment(letter)
    audit_log(
        user=actor,
        action="funds.partner.remove",
        target=application,
        program=application.call.program,
        data={"organization": organization_id},
    )
    _after_change(actor=actor, application=application, at=at, base_url=base_url)


# -- attachments -------------------------------------------------------------------------------


def _delete_attachment(attachment: Attachment) -> None:
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    if name:
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def attachment_add(
    *,
    actor: Any,
    application: Application,
    kind: str,
    upload: UploadedFile,
    issued_on: datetime.date | None = None,
    at: datetime.datetime | None = None,
    base_url: str = "",
) -> Attachment:
    """Attach a document, checked for type and size. A legal-status certificate needs the
    date it was issued (the eligibility rule measures its age at the call's closing)."""
    at = at or timezone.now()
    application = _locked(application)
    _require(actor, EDIT, application, _("Only the applicant's representatives edit it."))
    _require_open(application.call, at)
    if kind not in (AttachmentKind.LEGAL_STATUS, AttachmentKind.QUOTE, AttachmentKind.OTHER):
        raise ValidationError({"kind": _("Choose what kind of document this is.")}, code="kind")
    if application.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "file": _("An application has at most %(count)s attachments.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    if kind == AttachmentKind.LEGAL_STATUS:
        if issued_on is None:
            raise ValidationError(
                {"issued_on": _("Enter the date the certificate was issued.")}, code="required"
            )
        if issued_on > timezone.localtime(at).date():
            raise ValidationError(
                {"issued_on": _("The issue date cannot be in the future.")}, code="future"
            )
    else:
        issued_on = None
    content_type = _check_upload(upload, kind, "file")
    attachment = _store_attachment(
        actor=actor,
        application=application,
        kind=kind,
        upload=upload,
        content_type=content_type,
        issued_on=issued_on,
    )
    audit_log(
        user=actor,
        action="funds.attachment.add",
        target=application,
        program=application.call.program,
        data={"attachment": attachment.pk, "kind": kind, "size": attachment.size},
    )
    _after_change(actor=actor, application=application, at=at, base_url=base_url)
    return attachment


@transaction.atomic
def attachment_remove(
    *,
    actor: Any,
    application: Application,
    attachment: Attachment,
    at: datetime.datetime | None = None,
    base_url: str = "",
) -> None:
    at = at or timezone.now()
    application = _locked(application)
    _require(actor, EDIT, application, _("Only the applicant's representatives edit it."))
    _require_open(application.call, at)
    attachment = Attachment.objects.get(pk=attachment.pk, application=application)
    data = {"attachment": attachment.pk, "kind": attachment.kind, "name": attachment.name}
    _delete_attachment(attachment)
    audit_log(
        user=actor,
        action="funds.attachment.remove",
        target=application,
        program=application.call.program,
        data=data,
    )
    _after_change(actor=actor, application=application, at=at, base_url=base_url)


# -- submission --------------------------------------------------------------------------------


def submission_problems(
    application: Application, at: datetime.datetime | None = None
) -> dict[str, list[str]]:
    """What stops the application from being submitted now, per section ("title", "lines",
    "partners", "__all__"...), in words. Empty when it can be submitted."""
    at = at or timezone.now()
    call = application.call
    problems: dict[str, list[str]] = defaultdict(list)
    try:
        _require_open(call, at, doing="submit")
    except ValidationError as error:
        problems["__all__"].extend(error.messages)
    if not application.title.strip():
        problems["title"].append(_("Give the project a title."))
    if not application.summary.strip():
        problems["summary"].append(_("Write a summary of the project."))
    if not application.problem.strip():
        problems["problem"].append(_("Describe the problem the project addresses."))
    if not application.activities.strip():
        problems["activities"].append(_("Describe the project's activities."))
    allowed = {o.pk: o for o in call.objectives.all()}
    chosen = list(application.objectives.all())
    if allowed and not chosen:
        problems["objectives"].append(
            _("Choose at least one of the plan objectives this call serves.")
        )
    for objective in chosen:
        if objective.pk not in allowed:
            problems["objectives"].append(
                _("“%(title)s” is not among the objectives this call serves.")
                % {"title": objective.title}
            )
    if application.territory_id is None:
        problems["territory"].append(_("Choose the territory the project serves."))
    if application.beneficiaries_total <= 0:
        problems["beneficiaries"].append(_("Say how many people the project will reach."))
    lines = list(application.budget_lines.all())
    requested = sum((line.amount for line in lines), Decimal(0))
    if not lines:
        problems["lines"].append(_("Add at least one budget line."))
    elif requested > call.max_grant:
        problems["lines"].append(
            _("You ask for %(amount)s; this call funds at most %(max)s.")
            % {"amount": _money(call, requested), "max": _money(call, call.max_grant)}
        )
    elif requested < call.min_grant or requested <= 0:
        problems["lines"].append(
            _("You ask for %(amount)s; this call funds at least %(min)s.")
            % {
                "amount": _money(call, requested),
                "min": _money(call, max(call.min_grant, Decimal("0.01"))),
            }
        )
    partners = list(application.partners.select_related("organization", "commitment_letter"))
    shares = sum((p.budget_share for p in partners), Decimal(0))
    if partners and shares > requested:
        problems["partners"].append(
            _("The partners' shares add up to %(shares)s, more than the %(requested)s requested.")
            % {"shares": _money(call, shares), "requested": _money(call, requested)}
        )
    for partner in partners:
        if partner.commitment_letter_id is None:
            problems["partners"].append(
                _("Attach the letter of commitment of %(name)s.")
                % {"name": partner.organization.name}
            )
    if (
        call.require_legal_document
        and not application.attachments.filter(
            kind=AttachmentKind.LEGAL_STATUS, issued_on__isnull=False
        ).exists()
    ):
        problems["attachments"].append(
            _("Attach the organization's legal-status certificate, with its issue date.")
        )
    if call.one_application_per_organization:
        other = (
            Application.objects.filter(
                call=call, applicant_id=application.applicant_id, status=ApplicationStatus.SUBMITTED
            )
            .exclude(pk=application.pk)
            .first()
        )
        if other is not None:
            problems["__all__"].append(
                _(
                    "%(name)s already submitted an application to this call (%(reference)s); "
                    "this call accepts one per organization."
                )
                % {"name": application.applicant.name, "reference": other.reference}
            )
    return dict(problems)


def _submit(
    *, actor: Any, application: Application, at: datetime.datetime, base_url: str
) -> Application:
    """Submit a locked application: validate, snapshot, check eligibility, send the receipt."""
    problems = submission_problems(application, at)
    if problems:
        raise ValidationError(dict(problems), code="incomplete")
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = at
    last = application.versions.aggregate(last=Max("number"))["last"] or 0
    application.version = max(application.version, last) + 1
    application.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    ApplicationVersion.objects.create(
        application=application,
        number=application.version,
        submitted_at=at,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        snapshot=application_snapshot(application),
    )
    _store_eligibility([application], timezone.localtime(at).date(), checked_at=at)
    audit_log(
        user=actor,
        action="funds.application.submit",
        target=application,
        program=application.call.program,
        data={
            "version": application.version,
            "requested": str(application.requested_amount),
            "eligibility": application.eligibility,
        },
    )
    application_id, version = application.pk, application.version
    transaction.on_commit(lambda: send_receipt(application_id, version, base_url=base_url))
    return application


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    application: Application,
    at: datetime.datetime | None = None,
    base_url: str = "",
) -> Application:
    """Submit the application (again): everything is checked, a new version is kept, the
    eligibility rules run and the applicant's representatives get a receipt by e-mail."""
    at = at or timezone.now()
    locked = _locked(application)
    _require(actor, EDIT, locked, _("Only the applicant's representatives submit it."))
    return _submit(actor=actor, application=locked, at=at, base_url=base_url)


@transaction.atomic
def application_withdraw(
    *, actor: Any, application: Application, at: datetime.datetime | None = None
) -> Application:
    """Withdraw a submitted application before the call closes (it can be submitted again
    while the call is open)."""
    at = at or timezone.now()
    locked = _locked(application)
    _require(actor, EDIT, locked, _("Only the applicant's representatives withdraw it."))
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted application can be withdrawn."), code="not_submitted"
        )
    try:
        _require_open(locked.call, at)
    except ValidationError as error:
        raise ValidationError(
            _("This call closed on %(moment)s: the application can no longer be withdrawn.")
            % {"moment": _moment(locked.call, locked.call.closes_at)},
            code="call_closed",
        ) from error
    locked.status = ApplicationStatus.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    audit_log(
        user=actor,
        action="funds.application.withdraw",
        target=locked,
        program=locked.call.program,
        data={"version": locked.version},
    )
    return locked


# -- the receipt -------------------------------------------------------------------------------


def receipt_messages(application: Application, version: int, base_url: str = "") -> list[Any]:
    """The receipt of a submission, one e-mail per representative of the applicant, each in
    the representative's language."""
    call = application.call
    program = call.program
    users = [
        r.user
        for r in Representative.objects.filter(organization_id=application.applicant_id)
        .select_related("user")
        .order_by("pk")
        if r.user.is_active and r.user.email
    ]
    path = reverse("funds:application", args=[program.slug, application.pk])
    url = base_url.rstrip("/") + path if base_url else path
    submitted = application.versions.filter(number=version).first()
    messages: list[Any] = []
    seen: set[str] = set()
    for user in users:
        if user.email.lower() in seen:
            continue
        seen.add(user.email.lower())
        with translation.override(recipient_language(user)):
            context = {
                "application": application,
                "call": call,
                "program": program,
                "version": version,
                "submitted_at": submitted.submitted_at if submitted else application.submitted_at,
                "amount": money(application.requested_amount, call.currency),
                "closes_at": call.closes_at,
                "url": url,
                "name": user.get_full_name(),
            }
            subject = render_to_string("funds/applications/email/receipt_subject.txt", context)
            text = render_to_string("funds/applications/email/receipt.txt", context)
        messages.append(EmailMessage(" ".join(subject.split()), text, to=[user.email]))
    return messages


def send_receipt(application_id: int, version: int, *, base_url: str = "") -> int:
    application = (
        Application.objects.select_related("call__program", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return 0
    messages = receipt_messages(application, version, base_url)
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)


# -- eligibility -------------------------------------------------------------------------------


def call_rules(call: Call) -> eligibility.CallRules:
    """The call's eligibility rules; its territories come from a prefetch when there is one."""
    territories = sorted(call.eligible_territories.all(), key=lambda t: t.path)
    return eligibility.CallRules(
        closes_on=timezone.localtime(call.closes_at).date(),
        sectors=tuple(call.eligible_sectors or ()),
        kinds=tuple(call.eligible_kinds or ()),
        territories=tuple(eligibility.Place(t.name, t.path) for t in territories),
        legal_document=call.require_legal_document,
        legal_document_max_age_days=call.legal_document_max_age_days,
        no_overdue_reports=call.require_no_overdue_reports,
        one_per_organization=call.one_application_per_organization,
    )


def _facts(
    applications: Sequence[Application], today: datetime.date
) -> dict[int, eligibility.ApplicantFacts]:
    """The facts of each application (all of one call), gathered in a fixed number of
    queries."""
    if not applications:
        return {}
    call_id = applications[0].call_id
    applicant_ids = {a.applicant_id for a in applications}
    applicants = {
        actor.pk: actor
        for actor in Actor.objects.filter(pk__in=applicant_ids)
        .select_related("territory")
        .prefetch_related("territories_served")
    }
    territory_ids = {a.territory_id for a in applications if a.territory_id}
    territories = Territory.objects.in_bulk(territory_ids)
    legal = dict(
        Attachment.objects.filter(
            application__in=[a.pk for a in applications],
            kind=AttachmentKind.LEGAL_STATUS,
            issued_on__isnull=False,
        )
        .values("application_id")
        .annotate(latest=Max("issued_on"))
        .values_list("application_id", "latest")
    )
    overdue: dict[int, set[str]] = defaultdict(set)
    for applicant_id, reference in (
        Award.objects.with_overdue_reports(today)
        .filter(application__applicant_id__in=applicant_ids)
        .values_list("application__applicant_id", "application__reference")
    ):
        overdue[applicant_id].add(reference)
    submitted: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, applicant_id, reference in Application.objects.filter(
        call_id=call_id, applicant_id__in=applicant_ids, status=ApplicationStatus.SUBMITTED
    ).values_list("pk", "applicant_id", "reference"):
        submitted[applicant_id].append((pk, reference))
    facts = {}
    for application in applications:
        applicant = applicants[application.applicant_id]
        places: list[eligibility.Place] = []
        own = territories.get(application.territory_id) if application.territory_id else None
        for place in (own, applicant.territory, *applicant.territories_served.all()):
            if place is not None:
                places.append(eligibility.Place(place.name, place.path))
        facts[application.pk] = eligibility.ApplicantFacts(
            sector=applicant.sector,
            kind=applicant.kind,
            places=tuple(places),
            legal_document_issued_on=legal.get(application.pk),
            overdue_awards=tuple(sorted(overdue.get(applicant.pk, ()))),
            other_applications=tuple(
                reference
                for pk, reference in submitted.get(applicant.pk, [])
                if pk != application.pk
            ),
        )
    return facts


def _store_eligibility(
    applications: Sequence[Application],
    today: datetime.date,
    checked_at: datetime.datetime | None = None,
) -> None:
    if not applications:
        return
    rules = call_rules(applications[0].call)
    facts = _facts(applications, today)
    now = checked_at or timezone.now()
    for application in applications:
        results = eligibility.check(facts[application.pk], rules)
        application.eligibility_results = results
        application.eligibility = (
            Eligibility.ELIGIBLE if eligibility.passed(results) else Eligibility.INELIGIBLE
        )
        application.eligibility_checked_at = now
    Application.objects.bulk_update(
        applications, ["eligibility", "eligibility_results", "eligibility_checked_at"]
    )


def _require_undecided(call: Call) -> None:
    if call.status in (CallStatus.DECIDED, CallStatus.RESULTS_PUBLISHED):
        raise ValidationError(
            _("The committee has decided this call: eligibility can no longer change."),
            code="decided",
        )


@transaction.atomic
def application_check_eligibility(
    *, actor: Any, application: Application, today: datetime.date | None = None
) -> Application:
    """Run the call's eligibility rules on the application and store each result (a
    coordinator's override, if any, still decides)."""
    locked = _locked(application)
    if not (actor is not None and (actor.has_perm(DECIDE, locked) or actor.has_perm(EDIT, locked))):
        raise PermissionDenied(_("Only coordinators check eligibility."))
    _require_undecided(locked.call)
    _store_eligibility([locked], today or timezone.localdate())
    audit_log(
        user=actor,
        action="funds.eligibility.check",
        target=locked,
        program=locked.call.program,
        data={"eligibility": locked.eligibility},
    )
    return locked


@transaction.atomic
def eligibility_check_call(
    *, actor: Any, call: Call, today: datetime.date | None = None
) -> dict[str, int]:
    """Check every submitted application of the call again (after it closes: certificates age,
    reports fall overdue). Returns how many are eligible and not by the rules."""
    call = Call.objects.select_for_update(of=("self",)).select_related("program").get(pk=call.pk)
    _require(actor, MANAGE_CALL, call, _("Only coordinators check eligibility."))
    _require_undecided(call)
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .filter(call=call, status=ApplicationStatus.SUBMITTED)
        .order_by("pk")
    )
    for application in applications:
        application.call = call
    _store_eligibility(applications, today or timezone.localdate())
    counts = {
        "checked": len(applications),
        "eligible": sum(a.eligibility == Eligibility.ELIGIBLE for a in applications),
        "ineligible": sum(a.eligibility == Eligibility.INELIGIBLE for a in applications),
    }
    audit_log(
        user=actor,
        action="funds.eligibility.check_call",
        target=call,
        program=call.program,
        data=counts,
    )
    return counts


@transaction.atomic
def eligibility_override(
    *, actor: Any, application: Application, eligible: bool | None, justification: str
) -> Application:
    """A coordinator decides the eligibility against (or with) the rules, and says why; with
    `eligible=None` the rules decide again. Logged either way."""
    locked = _locked(application)
    _require(actor, DECIDE, locked, _("Only coordinators decide eligibility."))
    _require_undecided(locked.call)
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted application has an eligibility to decide."), code="not_submitted"
        )
    text = str(justification or "").strip()
    if not text:
        raise ValidationError(
            {"justification": _("Write why: the justification is kept with the decision.")},
            code="required",
        )
    if len(text) > JUSTIFICATION_LENGTH:
        raise ValidationError(
            {
                "justification": _("Keep it under %(count)s characters.")
                % {"count": JUSTIFICATION_LENGTH}
            }
        )
    previous = locked.eligibility_override
    locked.eligibility_override = eligible
    locked.eligibility_justification = text
    locked.eligibility_override_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.eligibility_override_at = timezone.now()
    locked.save(
        update_fields=[
            "eligibility_override",
            "eligibility_justification",
            "eligibility_override_by",
            "eligibility_override_at",
            "updated_at",
        ]
    )
    audit_log(
        user=actor,
        action="funds.eligibility.override",
        target=locked,
        program=locked.call.program,
        data={
            "eligible": eligible,
            "previous": previous,
            "by_rules": locked.eligibility,
            "justification": text,
        },
    )
    return locked
