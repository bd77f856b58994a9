"""Every write of a call for community projects: drafting it, its evaluation criteria and its
quotas, publishing it (and taking it back while nobody has applied), and deleting a draft.

What may change when
--------------------
A draft changes freely. Once the call has opened, applicants prepare their applications under
its rules: the opening date, the currency, the grant range, the objectives served and the
eligibility rules stay as they were. Once it has closed, the closing date stays too, and so do
its criteria and quotas (the reviews and the ranking depend on them). Once the committee has
decided, only the texts and the dates of the results and appeals may still change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tejido.actors.models import Actor, ActorKind, Sector
from tejido.core.audit import audit_log
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.governance.models import Objective, Plan
from tejido.governance.plans.selectors import objectives_for_program

from ..models import (
    AllocationRule,
    Application,
    Call,
    CallPhase,
    CallStatus,
    Criterion,
    Quota,
    QuotaKind,
    RankingSource,
)

# The largest amount the database keeps (14 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("999999999999.99")
# Kinds of actor that may apply (people apply through their organizations).
APPLICANT_KINDS = (ActorKind.ORGANIZATION, ActorKind.INFORMAL_GROUP)
# A call published "now" may name an opening a few minutes past (the form counts in minutes).
OPENING_GRACE = datetime.timedelta(minutes=10)

TEXT_FIELDS = frozenset({"title", "summary", "description"})
# The fields of a call the create and update services take, besides the texts.
CALL_FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        "slug",
        "cycle",
        "funder",
        "objectives",
        "currency",
        "budget",
        "min_grant",
        "max_grant",
        "allow_partial_funding",
        "min_partial_share",
        "allocation_rule",
        "ranking_source",
        "score_threshold",
        "opens_at",
        "closes_at",
        "evaluation_ends_on",
        "results_on",
        "appeals_until",
        "eligible_sectors",
        "eligible_kinds",
        "eligible_territories",
        "require_legal_document",
        "legal_document_max_age_days",
        "require_no_overdue_reports",
        "one_application_per_organization",
        "reviewers_per_application",
        "normalize_scores",
        "disagreement_threshold",
        "conflict_tie_intensity",
        "requires_directorate_decision",
    }
)
# Fixed once the call has opened: applicants prepare their applications under them.
FIXED_WHEN_OPEN = frozenset(
    {
        "opens_at",
        "currency",
        "min_grant",
        "max_grant",
        "objectives",
        "eligible_sectors",
        "eligible_kinds",
        "eligible_territories",
        "require_legal_document",
        "legal_document_max_age_days",
        "require_no_overdue_reports",
        "one_application_per_organization",
    }
)
FIXED_WHEN_CLOSED = FIXED_WHEN_OPEN | {"closes_at", "slug"}
# Once decided: everything but the texts and the dates still to come.
STILL_OPEN_WHEN_DECIDED = TEXT_FIELDS | {"results_on", "appeals_until"}
FIXED_WHEN_DECIDED = CALL_FIELDS - STILL_OPEN_WHEN_DECIDED
M2M_FIELDS = ("objectives", "eligible_territories")


# -- what may change --------------------------------------------------------------------------


def has_opened(call: Call, at: datetime.datetime | None = None) -> bool:
    return call.phase(at) not in (CallPhase.DRAFT, CallPhase.UPCOMING)


def has_closed(call: Call, at: datetime.datetime | None = None) -> bool:
    return call.phase(at) in (CallPhase.EVALUATION, CallPhase.DECIDED, CallPhase.RESULTS)


def fixed_fields(call: Call, at: datetime.datetime | None = None) -> frozenset[str]:
    """The fields of `call` that can no longer change (see the module's docstring)."""
    phase = call.phase(at)
    if phase in (CallPhase.DECIDED, CallPhase.RESULTS):
        return FIXED_WHEN_DECIDED
    if phase == CallPhase.EVALUATION:
        return FIXED_WHEN_CLOSED
    if phase == CallPhase.OPEN:
        return FIXED_WHEN_OPEN
    return frozenset()


def _fixed_message(call: Call, at: datetime.datetime | None) -> str:
    phase = call.phase(at)
    if phase in (CallPhase.DECIDED, CallPhase.RESULTS):
        return _(
            "The committee has decided on this call: only its texts and the dates of the results"
            " and appeals can still change."
        )
    if phase == CallPhase.EVALUATION:
        return _(
            "The call closed on %(date)s: what applicants were judged under can no longer change."
        ) % {"date": _date_text(call.closes_at)}
    return _(
        "The call is open: applicants are preparing their applications under this, so it can no"
        " longer change."
    )


def criteria_editable(call: Call, at: datetime.datetime | None = None) -> bool:
    return not has_closed(call, at)


def _require_criteria_editable(call: Call, what: str) -> None:
    if has_closed(call):
        raise ValidationError(
            _(
                "The call closed on %(date)s: the reviews and the ranking depend on its %(what)s,"
                " which can no longer change."
            )
            % {"date": _date_text(call.closes_at), "what": what},
            code="closed",
        )


# -- helpers ----------------------------------------------------------------------------------


def _date_text(value: datetime.datetime | datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


def _percent_text(share: Decimal) -> str:
    percent = (share * 100).normalize()
    places = 0 if percent == percent.to_integral_value() else 1
    return formats.number_format(percent, places, use_l10n=True) + "\u00a0%"


def _same(pk: int | None) -> Q:
    """Matches the row being edited (none while creating), to leave it out of a check."""
    return Q(pk=pk) if pk is not None else Q(pk__in=[])


def _locked_call(call: Call) -> Call:
    locked = Call.objects.select_for_update(of=("self",)).select_related("program").get(pk=call.pk)
    return locked


def _audit(actor: Any, verb: str, target: Any, call: Call, /, **data: Any) -> None:
    audit_log(
        user=actor,
        action=f"funds.{verb}",
        target=target,
        program=call.program,
        data={"call": call.pk, **data},
    )


def _clean_text(value: Any, field: str, message: str, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if max_length is not None:
        text = " ".join(text.split())
        if len(text) > max_length:
            raise ValidationError(
                {
                    field: _("Keep it under %(count)s characters (it has %(length)s).")
                    % {"count": max_length, "length": len(text)}
                }
            )
    return text


def _decimal(value: Any, field: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if value not in (None, "") else None
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({field: message}) from exc
    if number is None or not number.is_finite():
        raise ValidationError({field: message})
    return number


def _amount(value: Any, field: str, *, positive: bool = False) -> Decimal:
    amount = _decimal(value, field, _("Enter an amount."))
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if positive and amount == 0:
        raise ValidationError({field: _("Enter an amount above zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _points(value: Any, field: str) -> Decimal:
    """A score on the 0-100 scale."""
    number = _decimal(value, field, _("Enter a number from 0 to 100."))
    if not Decimal(0) <= number <= Decimal(100):
        raise ValidationError({field: _("Enter a number from 0 to 100.")})
    return number.quantize(Decimal("0.01"))


def _share(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A share of a whole, as a fraction (0.3 for 30 %)."""
    number = _decimal(value, field, _("Enter a percentage from 1 to 100."))
    low_ok = number >= 0 if allow_zero else number > 0
    if not low_ok or number > 1:
        raise ValidationError({field: _("Enter a percentage from 1 to 100.")})
    rounded = number.quantize(Decimal("0.001"))
    if rounded != number:
        raise ValidationError({field: _("Use at most one decimal in the percentage.")})
    return rounded


def _integer(value: Any, field: str, low: int, high: int) -> int:
    message = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: message}) from exc
    if isinstance(value, float | Decimal) and number != value:
        raise ValidationError({field: message})
    if not low <= number <= high:
        raise ValidationError({field: message})
    return number


def _currency(value: Any) -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError(
            {
                "currency": _(
                    "Enter the currency's three-letter code (ISO 4217), such as CLP or EUR."
                )
            }
        )
    return code


def _moment(value: Any, field: str, message: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ValidationError({field: message})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _day(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({field: _("Enter a date.")})
    return value


def _codes(values: Any, field: str, allowed: Iterable[tuple[str, Any]], message: str) -> list[str]:
    labels = dict(allowed)
    chosen: list[str] = []
    for value in values or ():
        code = str(value)
        if code not in labels:
            raise ValidationError({field: message % {"value": code}})
        if code not in chosen:
            chosen.append(code)
    # Kept in the order of the choices, so that two equal selections compare equal.
    return [code for code in labels if code in chosen]


def call_territories(program: Program) -> list[Territory]:
    """The places a call of `program` may name: the program's territories and those inside
    them, in tree order."""
    roots = list(program.territories.only("pk", "path"))
    if not roots:
        return []
    query = Territory.objects.none()
    for root in roots:
        query = query | Territory.objects.filter(path__startswith=root.path)
    return list(query.distinct().order_by("path"))


def _clean_territories(program: Program, territories: Iterable[Territory]) -> list[Territory]:
    chosen = list({t.pk: t for t in territories}.values())
    if not chosen:
        return []
    allowed = {t.pk for t in call_territories(program)}
    for territory in chosen:
        if territory.pk not in allowed:
            raise ValidationError(
                {
                    "eligible_territories": _(
                        "%(name)s is not a territory of this program (nor inside one)."
                    )
                    % {"name": territory.name}
                }
            )
    return sorted(chosen, key=lambda t: t.path)


def _clean_objectives(program: Program, objectives: Iterable[Objective]) -> list[Objective]:
    chosen = {o.pk: o for o in objectives}
    if not chosen:
        return []
    allowed = {o.pk: o for o in objectives_for_program(program).filter(pk__in=list(chosen))}
    for pk, objective in chosen.items():
        if pk not in allowed:
            raise ValidationError(
                {
                    "objectives": _(
                        "«%(title)s» is not an objective of an approved plan of this program."
                    )
                    % {"title": objective.title}
                }
            )
    return [allowed[pk] for pk in chosen]


def plan_of(objectives: Sequence[Objective]) -> Plan | None:
    """The plan a call serves: the one its objectives belong to, if they all belong to one."""
    plans = {o.plan_id: o.plan for o in objectives}
    if len(plans) == 1:
        return next(iter(plans.values()))
    return None


def default_currency(program: Program, objectives: Sequence[Objective] = ()) -> str:
    """The currency of the plan served, or the one most of the program's approved plans use."""
    plan = plan_of(objectives)
    if plan is not None:
        return plan.currency
    currencies = [o.plan.currency for o in objectives] or list(
        Plan.objects.approved().filter(program=program).values_list("currency", flat=True)
    )
    if not currencies:
        return "CLP"
    return max(sorted(set(currencies)), key=currencies.count)


def _unique_slug(program: Program, base: str, exclude: int | None = None) -> str:
    base = (slugify(base)[:70] or "fondo").strip("-") or "fondo"
    taken = set(
        Call.objects.filter(program=program, slug__startswith=base)
        .exclude(_same(exclude))
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _clean_slug(program: Program, value: Any, exclude: int | None) -> str:
    slug = slugify(str(value or "")).strip("-")
    if not slug:
        raise ValidationError(
            {"slug": _("Use letters, numbers and hyphens, such as fondo-barrial-2026.")}
        )
    if len(slug) > 80:
        raise ValidationError({"slug": _("Keep the short name under 80 characters.")})
    if Call.objects.filter(program=program, slug=slug).exclude(_same(exclude)).exists():
        raise ValidationError({"slug": _("Another call of this program already uses this name.")})
    return slug


def _clean_value(program: Program, name: str, value: Any, exclude: int | None) -> Any:
    """One field's value, checked on its own (the relations between fields come after)."""
    if name == "title":
        return _clean_text(value, name, _("Give the call a title."), 200)
    if name == "summary":
        return _clean_text(value, name, _("Say in a few sentences what the call funds."))
    if name == "description":
        return (value or "").strip()
    if name == "slug":
        return _clean_slug(program, value, exclude)
    if name == "cycle":
        if value is not None and (not isinstance(value, Cycle) or value.program_id != program.pk):
            raise ValidationError({"cycle": _("Choose a cycle of this program.")})
        return value
    if name == "funder":
        if value is None:
            return None
        if (
            not isinstance(value, Actor)
            or value.program_id != program.pk
            or value.kind == ActorKind.PERSON
        ):
            raise ValidationError({"funder": _("Choose an organization of this program.")})
        return value
    if name == "objectives":
        return _clean_objectives(program, value or ())
    if name == "eligible_territories":
        return _clean_territories(program, value or ())
    if name == "currency":
        return _currency(value)
    if name == "budget":
        return _amount(value, name, positive=True)
    if name == "max_grant":
        return _amount(value, name, positive=True)
    if name == "min_grant":
        return _amount(value, name)
    if name == "min_partial_share":
        return _share(value, name)
    if name in ("score_threshold", "disagreement_threshold"):
        return _points(value, name)
    if name == "allocation_rule":
        if value not in AllocationRule.values:
            raise ValidationError({name: _("Choose how the money is allocated.")})
        return value
    if name == "ranking_source":
        if value not in RankingSource.values:
            raise ValidationError({name: _("Choose what ranks the applications.")})
        return value
    if name == "opens_at":
        return _moment(value, name, _("Enter when the call opens: a date and a time."))
    if name == "closes_at":
        return _moment(value, name, _("Enter when the call closes: a date and a time."))
    if name in ("evaluation_ends_on", "results_on", "appeals_until"):
        return _day(value, name)
    if name == "eligible_sectors":
        return _codes(value, name, Sector.choices, _("%(value)s is not a sector."))
    if name == "eligible_kinds":
        kinds = [(k.value, k.label) for k in APPLICANT_KINDS]
        return _codes(value, name, kinds, _("%(value)s is not a kind of applicant."))
    if name == "legal_document_max_age_days":
        return _integer(value, name, 1, 3650)
    if name == "reviewers_per_application":
        return _integer(value, name, 1, 10)
    if name == "conflict_tie_intensity":
        return _integer(value, name, 1, 3)
    # The yes/no rules.
    return bool(value)


def _check_together(call: Call) -> None:
    """The rules between fields: money in range, dates in order."""
    errors: dict[str, str] = {}
    if call.max_grant > call.budget:
        errors["max_grant"] = _(
            "The largest grant (%(grant)s) cannot be more than the whole budget (%(budget)s)."
        ) % {"grant": _number(call.max_grant), "budget": _number(call.budget)}
    if call.min_grant > call.max_grant:
        errors["min_grant"] = _(
            "The smallest grant (%(low)s) cannot be more than the largest (%(high)s)."
        ) % {"low": _number(call.min_grant), "high": _number(call.max_grant)}
    if call.closes_at <= call.opens_at:
        errors["closes_at"] = _("The call must close after it opens.")
    else:
        previous: tuple[str, datetime.date] = (
            _("the closing date"),
            timezone.localtime(call.closes_at).date(),
        )
        for field, label in (
            ("evaluation_ends_on", _("the end of the evaluation")),
            ("results_on", _("the results")),
            ("appeals_until", _("the end of the appeals")),
        ):
            day = getattr(call, field)
            if day is None:
                continue
            if day < previous[1]:
                errors[field] = _("This date must not be before %(what)s (%(date)s).") % {
                    "what": previous[0],
                    "date": _date_text(previous[1]),
                }
            previous = (label, day)
    if errors:
        raise ValidationError(errors)


def _number(value: Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _fields_of(values: dict[str, Any]) -> None:
    unknown = set(values) - CALL_FIELDS
    if unknown:
        raise TypeError(f"Unknown call fields: {', '.join(sorted(unknown))}")


def _apply(
    call: Call, program: Program, values: dict[str, Any]
) -> tuple[list[str], dict[str, list[Any]]]:
    """Clean `values` and set them on `call`; returns the changed fields and the relations."""
    changed: list[str] = []
    relations: dict[str, list[Any]] = {}
    for name, value in values.items():
        cleaned = _clean_value(program, name, value, call.pk)
        if name in M2M_FIELDS:
            current = {o.pk for o in getattr(call, name).all()} if call.pk is not None else set()
            if {o.pk for o in cleaned} != current:
                relations[name] = cleaned
            continue
        if getattr(call, name) != cleaned:
            setattr(call, name, cleaned)
            changed.append(name)
    return changed, relations


# -- the call ---------------------------------------------------------------------------------


@transaction.atomic
def call_create(
    *,
    actor: Any,
    program: Program,
    title: str,
    summary: str,
    budget: Decimal | int | str,
    max_grant: Decimal | int | str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    **options: Any,
) -> Call:
    """A new draft call. `options` are any other fields of the call (see CALL_FIELDS); the
    plan is the one its objectives belong to, the currency the plan's unless given."""
    _fields_of(options)
    values = {
        "title": title,
        "summary": summary,
        "budget": budget,
        "max_grant": max_grant,
        "opens_at": opens_at,
        "closes_at": closes_at,
        **options,
    }
    if not values.get("slug"):
        values.pop("slug", None)
    objectives = _clean_objectives(program, values.get("objectives") or ())
    if not values.get("currency"):
        values["currency"] = default_currency(program, objectives)
    if values.get("cycle") is None and "cycle" not in options:
        plan = plan_of(objectives)
        values["cycle"] = (plan.cycle if plan else None) or program.current_cycle()
    call = Call(program=program, status=CallStatus.DRAFT)
    _changed, relations = _apply(call, program, values)
    if "slug" not in values:
        call.slug = _unique_slug(program, call.title)
    _check_together(call)
    call.plan = plan_of(relations.get("objectives", []))
    call.created_by = actor if getattr(actor, "is_authenticated", False) else None
    call.save()
    for name, items in relations.items():
        getattr(call, name).set(items)
    _audit(actor, "call.create", call, call)
    return call


@transaction.atomic
def call_update(
    *, actor: Any, call: Call, at: datetime.datetime | None = None, **changes: Any
) -> Call:
    """Change what the call says. Fields that can no longer change at this stage (see
    `fixed_fields`) are refused if their value differs."""
    _fields_of(changes)
    call = _locked_call(call)
    at = at or timezone.now()
    before_closes = call.closes_at
    # What is fixed, and why, follows from where the call stands before the change.
    fixed = fixed_fields(call, at)
    why = _fixed_message(call, at) if fixed else ""
    changed, relations = _apply(call, call.program, changes)
    refused = [name for name in [*changed, *relations] if name in fixed]
    if refused:
        raise ValidationError(dict.fromkeys(refused, why), code="fixed")
    if call.status != CallStatus.DRAFT:
        # A published call does not open or close in the past by an edit.
        if "opens_at" in changed and call.opens_at < at - OPENING_GRACE:
            raise ValidationError(
                {"opens_at": _("The call is published: it can open now or later, not earlier.")}
            )
        if "closes_at" in changed and call.closes_at <= at and before_closes > at:
            raise ValidationError(
                {"closes_at": _("The call is published: close it later than now, not earlier.")}
            )
    _check_together(call)
    if "objectives" in relations:
        call.plan = plan_of(relations["objectives"])
        changed.append("plan")
    if changed:
        call.save(update_fields=[*changed, "updated_at"])
    for name, items in relations.items():
        getattr(call, name).set(items)
    if changed or relations:
        _audit(actor, "call.update", call, call, fields=sorted({*changed, *relations}))
    return call


def publish_problems(call: Call, at: datetime.datetime | None = None) -> list[str]:
    """What stops a draft from being published, in the reader's language (empty: nothing)."""
    at = at or timezone.now()
    problems: list[str] = []
    if not call.criteria.exists():
        problems.append(_("Add at least one evaluation criterion."))
    if call.opens_at < at - OPENING_GRACE:
        problems.append(
            _("The opening date (%(date)s) has passed: set it to now or later.")
            % {"date": _date_text(call.opens_at)}
        )
    if call.closes_at <= at:
        problems.append(_("The closing date has passed: set a later one."))
    if call.budget <= 0 or call.max_grant <= 0:
        problems.append(_("Set the budget and the largest grant."))
    if not call.summary.strip():
        problems.append(_("Write the summary applicants read first."))
    return problems


@transaction.atomic
def call_publish(*, actor: Any, call: Call, at: datetime.datetime | None = None) -> Call:
    """Make a draft public (visitors of a public program and its members see it from now).
    `at` is the moment of publication (now by default; the demo tells earlier calls)."""
    call = _locked_call(call)
    at = at or timezone.now()
    if call.status != CallStatus.DRAFT:
        raise ValidationError(_("This call is already published."), code="published")
    problems = publish_problems(call, at)
    if problems:
        raise ValidationError(problems, code="not_ready")
    call.status = CallStatus.PUBLISHED
    call.save(update_fields=["status", "updated_at"])
    _audit(actor, "call.publish", call, call)
    return call


@transaction.atomic
def call_unpublish(*, actor: Any, call: Call) -> Call:
    """Back to draft, while nobody has started an application."""
    call = _locked_call(call)
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(
            _("Only a published call that has not been decided can go back to draft."),
            code="not_published",
        )
    count = Application.objects.filter(call=call).count()
    if count:
        raise ValidationError(
            _(
                "Organizations have already started %(count)s application(s) to this call: it"
                " can no longer go back to draft."
            )
            % {"count": count},
            code="has_applications",
        )
    call.status = CallStatus.DRAFT
    call.save(update_fields=["status", "updated_at"])
    _audit(actor, "call.unpublish", call, call)
    return call


@transaction.atomic
def call_delete(*, actor: Any, call: Call) -> None:
    call = _locked_call(call)
    if call.status != CallStatus.DRAFT:
        raise ValidationError(
            _("Only a draft can be deleted. Take the call back to draft first, if you can."),
            code="not_draft",
        )
    if Application.objects.filter(call=call).exists():
        raise ValidationError(
            _("This call has applications: it cannot be deleted."), code="has_applications"
        )
    data = {"title": call.title, "slug": call.slug}
    program = call.program
    audit_log(
        user=actor,
        action="funds.call.delete",
        target=call,
        program=program,
        data={"call": call.pk, **data},
    )
    call.delete()


# -- criteria ---------------------------------------------------------------------------------


def _clean_criterion(
    call: Call,
    *,
    name: Any,
    weight: Any,
    scale_max: Any,
    minimum: Any,
    exclude: int | None = None,
) -> tuple[str, Decimal, int, Decimal | None]:
    clean_name = _clean_text(name, "name", _("Name the criterion."), 200)
    namesakes = Criterion.objects.filter(call=call, name__iexact=clean_name)
    if namesakes.exclude(_same(exclude)).exists():
        raise ValidationError(
            {"name": _("The call already has a criterion named «%(name)s».") % {"name": clean_name}}
        )
    clean_weight = _decimal(weight, "weight", _("Enter the weight, such as 1 or 2.5."))
    if clean_weight <= 0:
        raise ValidationError({"weight": _("The weight must be above zero.")})
    if clean_weight >= Decimal("10000"):
        raise ValidationError({"weight": _("Enter a weight below 10,000.")})
    if clean_weight.quantize(Decimal("0.01")) != clean_weight:
        raise ValidationError({"weight": _("Use at most two decimals in the weight.")})
    clean_scale = _integer(scale_max, "scale_max", 1, 100)
    clean_minimum: Decimal | None = None
    if minimum not in (None, ""):
        clean_minimum = _decimal(minimum, "minimum", _("Enter a number, or leave it empty."))
        if clean_minimum < 0:
            raise ValidationError({"minimum": _("The minimum cannot be negative.")})
        if clean_minimum > clean_scale:
            raise ValidationError(
                {
                    "minimum": _(
                        "The minimum (%(minimum)s) cannot be above the top of the scale"
                        " (%(scale)s)."
                    )
                    % {"minimum": _number(clean_minimum), "scale": clean_scale}
                }
            )
        if clean_minimum.quantize(Decimal("0.01")) != clean_minimum:
            raise ValidationError({"minimum": _("Use at most two decimals in the minimum.")})
    return clean_name, clean_weight, clean_scale, clean_minimum


@transaction.atomic
def criterion_create(
    *,
    actor: Any,
    call: Call,
    name: str,
    weight: Decimal | int | str,
    scale_max: int = 5,
    minimum: Decimal | int | str | None = None,
    guidance: str = "",
) -> Criterion:
    call = _locked_call(call)
    _require_criteria_editable(call, _("criteria"))
    clean_name, clean_weight, clean_scale, clean_minimum = _clean_criterion(
        call, name=name, weight=weight, scale_max=scale_max, minimum=minimum
    )
    top = call.criteria.aggregate(top=Max("position"))["top"]
    criterion = Criterion.objects.create(
        call=call,
        position=0 if top is None else top + 1,
        name=clean_name,
        guidance=(guidance or "").strip(),
        weight=clean_weight,
        scale_max=clean_scale,
        minimum=clean_minimum,
    )
    _audit(actor, "criterion.create", criterion, call, name=clean_name)
    return criterion


@transaction.atomic
def criterion_update(
    *,
    actor: Any,
    criterion: Criterion,
    name: str,
    weight: Decimal | int | str,
    scale_max: int,
    minimum: Decimal | int | str | None = None,
    guidance: str = "",
) -> Criterion:
    call = _locked_call(criterion.call)
    _require_criteria_editable(call, _("criteria"))
    criterion = Criterion.objects.get(pk=criterion.pk, call=call)
    (
        criterion.name,
        criterion.weight,
        criterion.scale_max,
        criterion.minimum,
    ) = _clean_criterion(
        call,
        name=name,
        weight=weight,
        scale_max=scale_max,
        minimum=minimum,
        exclude=criterion.pk,
    )
    criterion.guidance = (guidance or "").strip()
    criterion.save()
    criterion.call = call
    _audit(actor, "criterion.update", criterion, call, name=criterion.name)
    return criterion


@transaction.atomic
def criterion_remove(*, actor: Any, criterion: Criterion) -> None:
    call = _locked_call(criterion.call)
    _require_criteria_editable(call, _("criteria"))
    criterion = Criterion.objects.get(pk=criterion.pk, call=call)
    data = {"name": criterion.name, "criterion": criterion.pk}
    criterion.delete()
    _audit(actor, "criterion.remove", call, call, **data)


@transaction.atomic
def criteria_reorder(*, actor: Any, call: Call, order: Sequence[int]) -> None:
    """Put the call's criteria in this order (every criterion's id, once)."""
    call = _locked_call(call)
    _require_criteria_editable(call, _("criteria"))
    by_id = {c.pk: c for c in call.criteria.all()}
    ids = [int(i) for i in order]
    if sorted(ids) != sorted(by_id) or len(set(ids)) != len(ids):
        raise ValidationError(
            _(
                "The order must list each of the call's criteria once. Reload the page and try"
                " again."
            ),
            code="bad_order",
        )
    moved = []
    for position, pk in enumerate(ids):
        criterion = by_id[pk]
        if criterion.position != position:
            criterion.position = position
            moved.append(criterion)
    Criterion.objects.bulk_update(moved, ["position"])
    if moved:
        _audit(actor, "criterion.reorder", call, call, order=ids)


# -- quotas -----------------------------------------------------------------------------------


def quota_group_name(quota: Quota) -> str:
    if quota.territory_id is not None:
        return quota.territory.name if quota.territory else ""
    return quota.theme.label if quota.theme else ""


def _kind_words(kind: str) -> str:
    return _("an at-least") if kind == QuotaKind.MINIMUM else _("an at-most")


def _check_quota(
    call: Call,
    *,
    kind: str,
    share: Decimal,
    territory: Territory | None,
    theme: Theme | None,
    exclude: int | None,
) -> None:
    if kind not in QuotaKind.values:
        raise ValidationError({"kind": _("Choose «at least» or «at most».")})
    if (territory is None) == (theme is None):
        raise ValidationError(
            {"territory": _("Choose a territory or a theme (one of the two) for the quota.")}
        )
    if territory is not None and territory.pk not in {t.pk for t in call_territories(call.program)}:
        raise ValidationError(
            {"territory": _("Choose a territory of this program (or a place inside one).")}
        )
    others = list(
        Quota.objects.filter(call=call).exclude(_same(exclude)).select_related("territory", "theme")
    )
    group = _("the territory %(name)s") if territory is not None else _("the theme %(name)s")
    group = group % {"name": territory.name if territory is not None else theme.label}  # type: ignore[union-attr]
    same_group = [
        q
        for q in others
        if (territory is not None and q.territory_id == territory.pk)
        or (theme is not None and q.theme_id == theme.pk)
    ]
    for other in same_group:
        if other.kind == kind:
            raise ValidationError(
                {
                    "share": _(
                        "The call already has %(kind)s quota for %(group)s (%(share)s): change"
                        " that one instead."
                    )
                    % {
                        "kind": _kind_words(kind),
                        "group": group,
                        "share": _percent_text(other.share),
                    }
                },
                code="duplicate",
            )
        if kind == QuotaKind.MAXIMUM and other.kind == QuotaKind.MINIMUM and share < other.share:
            raise ValidationError(
                {
                    "share": _(
                        "At most %(max)s cannot be less than the at least %(min)s already set for"
                        " %(group)s."
                    )
                    % {
                        "max": _percent_text(share),
                        "min": _percent_text(other.share),
                        "group": group,
                    }
                },
                code="max_below_min",
            )
        if kind == QuotaKind.MINIMUM and other.kind == QuotaKind.MAXIMUM and share > other.share:
            raise ValidationError(
                {
                    "share": _(
                        "At least %(min)s cannot be more than the at most %(max)s already set for"
                        " %(group)s."
                    )
                    % {
                        "min": _percent_text(share),
                        "max": _percent_text(other.share),
                        "group": group,
                    }
                },
                code="max_below_min",
            )
    if kind == QuotaKind.MINIMUM:
        reserved = sum((q.share for q in others if q.kind == QuotaKind.MINIMUM), Decimal(0))
        if reserved + share > 1:
            raise ValidationError(
                {
                    "share": _(
                        "The at-least quotas would reserve %(total)s of the budget: more than all"
                        " of it. %(free)s is still free."
                    )
                    % {
                        "total": _percent_text(reserved + share),
                        "free": _percent_text(max(Decimal(1) - reserved, Decimal(0))),
                    }
                },
                code="over_budget",
            )


def _clean_quota_values(
    kind: Any, share: Any, territory: Territory | None, theme: Theme | None
) -> tuple[str, Decimal, Territory | None, Theme | None]:
    return str(kind or ""), _share(share, "share"), territory, theme


@transaction.atomic
def quota_create(
    *,
    actor: Any,
    call: Call,
    kind: str,
    share: Decimal | str,
    territory: Territory | None = None,
    theme: Theme | None = None,
) -> Quota:
    """A share of the budget reserved for (at least) or capped for (at most) a territory or a
    theme. `share` is a fraction: 0.3 for 30 %."""
    call = _locked_call(call)
    _require_criteria_editable(call, _("quotas"))
    kind, clean_share, territory, theme = _clean_quota_values(kind, share, territory, theme)
    _check_quota(call, kind=kind, share=clean_share, territory=territory, theme=theme, exclude=None)
    quota = Quota.objects.create(
        call=call, kind=kind, share=clean_share, territory=territory, theme=theme
    )
    _audit(actor, "quota.create", quota, call, kind=kind, share=str(clean_share))
    return quota


@transaction.atomic
def quota_update(
    *,
    actor: Any,
    quota: Quota,
    kind: str,
    share: Decimal | str,
    territory: Territory | None = None,
    theme: Theme | None = None,
) -> Quota:
    call = _locked_call(quota.call)
    _require_criteria_editable(call, _("quotas"))
    quota = Quota.objects.get(pk=quota.pk, call=call)
    kind, clean_share, territory, theme = _clean_quota_values(kind, share, territory, theme)
    _check_quota(
        call, kind=kind, share=clean_share, territory=territory, theme=theme, exclude=quota.pk
    )
    quota.kind, quota.share, quota.territory, quota.theme = kind, clean_share, territory, theme
    quota.save()
    quota.call = call
    _audit(actor, "quota.update", quota, call, kind=kind, share=str(clean_share))
    return quota


@transaction.atomic
def quota_remove(*, actor: Any, quota: Quota) -> None:
    call = _locked_call(quota.call)
    _require_criteria_editable(call, _("quotas"))
    quota = Quota.objects.get(pk=quota.pk, call=call)
    data = {"quota": quota.pk, "kind": quota.kind, "share": str(quota.share)}
    quota.delete()
    _audit(actor, "quota.remove", call, call, **data)


def reserved_share(call: Call) -> Decimal:
    """The share of the budget the call's at-least quotas reserve."""
    total = call.quotas.filter(kind=QuotaKind.MINIMUM).aggregate(total=Sum("share"))["total"]
    return total or Decimal(0)
