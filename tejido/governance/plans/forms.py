"""Forms of the plan pages: plain controls that work on a phone without JavaScript. Amounts and
indicator values are typed the way the reader writes numbers ("4.500.000" or "4,500,000")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor, ActorKind
from tejido.core.models import Cycle, Program, Territory

from ..decisions.services import QUALIFIED_SHARES
from ..models import ActionStatus, Body, Meeting, Need, Plan, Term, VotingMethod
from . import selectors

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CURRENCIES = [
    ("CLP", _("Chilean peso (CLP)")),
    ("EUR", _("Euro (EUR)")),
    ("USD", _("US dollar (USD)")),
    ("CLF", _("Unidad de fomento (CLF)")),
]
SHARE_WORDS = {
    "0.6": _("Three fifths (60%)"),
    "0.667": _("Two thirds (67%)"),
    "0.75": _("Three quarters (75%)"),
}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_number(text: str) -> Decimal:
    """A number as the reader typed it: "4.500.000", "4 500 000" and "4,500,000" are all four and
    a half million; "12,5" is twelve and a half in Spanish and Catalan, "12.5" everywhere. A
    currency sign and spaces are ignored. Raises ValueError when it is not a number."""
    value = re.sub(r"[\s\u00a0\u202f$€£]|US|CLP|EUR", "", text or "")
    marks = [c for c in value if c in ".,"]
    if marks:
        if len(set(marks)) == 2:
            # Both marks: the last one separates the decimals.
            decimal_mark = value[max(value.rfind("."), value.rfind(","))]
        elif len(marks) > 1:
            decimal_mark = ""  # one mark, repeated: it groups thousands
        else:
            mark = marks[0]
            decimals = value.rsplit(mark, 1)[1]
            language_decimal = formats.get_format("DECIMAL_SEPARATOR")
            decimal_mark = mark if mark == language_decimal or len(decimals) != 3 else ""
        grouping = [c for c in ".," if c != decimal_mark]
        for mark in grouping:
            value = value.replace(mark, "")
        if decimal_mark:
            value = value.replace(decimal_mark, ".")
    if not _NUMBER.match(value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def show_number(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True, force_grouping=places == 0)


class NumberField(forms.CharField):
    """A decimal number typed with the reader's separators."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return show_number(value)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = parse_number(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Enter a number, such as %(example)s.")
                % {"example": show_number(Decimal("4500000"))},
                code="invalid",
            ) from exc
        if number < 0 and not self.allow_negative:
            raise forms.ValidationError(_("It cannot be negative."), code="negative")
        if abs(number) >= Decimal("1e12"):
            raise forms.ValidationError(_("This number is too large."), code="too_large")
        return number


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.kind == ActorKind.PERSON:
            return f"{obj.name} · {ActorKind.PERSON.label}"
        return f"{obj.name} · {obj.get_sector_display()}"


class ActorsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return ActorChoiceField.label_from_instance(cast(Any, self), obj)


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.territory.name})" if obj.territory_id else obj.name


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = formats.date_format(
            obj.starts_at.astimezone(), "SHORT_DATETIME_FORMAT", use_l10n=True
        )
        return f"{obj.title} · {when}"


def _currency_choices(current: str = "") -> list[tuple[str, Any]]:
    codes = {code for code, _label in CURRENCIES}
    extra = [(current, current)] if current and current not in codes else []
    return [*CURRENCIES, *extra]


class PlanForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: Plan de Mejoramiento Comunitario Villa Esperanza 2025."),
    )
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.none())
    body = BodyChoiceField(
        label=_("Approving body"),
        queryset=Body.objects.none(),
        help_text=_("The territory's local directorate, which votes on the plan."),
    )
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.none())
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the plan wants to change in the territory, in a few sentences."),
    )
    currency = forms.ChoiceField(label=_("Currency of the budgets"), choices=CURRENCIES)

    def __init__(self, *args: Any, program: Program, plan: Plan | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        bodies = Body.objects.filter(program=program, territory__isnull=False).select_related(
            "territory"
        )
        if plan is not None:
            del self.fields["territory"]
            bodies = bodies.filter(territory_id=plan.territory_id)
            self.fields["currency"].choices = _currency_choices(plan.currency)  # type: ignore[attr-defined]
        else:
            cast(forms.ModelChoiceField, self.fields["territory"]).queryset = (
                Territory.objects.filter(bodies__program=program).distinct().order_by("name")
            )
        cast(forms.ModelChoiceField, self.fields["body"]).queryset = bodies.order_by(
            "territory__name", "name"
        )
        cast(forms.ModelChoiceField, self.fields["cycle"]).queryset = Cycle.objects.filter(
            program=program
        ).order_by("number")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        territory, body = data.get("territory"), data.get("body")
        if territory is not None and body is not None and body.territory_id != territory.pk:
            self.add_error(
                "body",
                _("%(body)s is not a body of %(territory)s.")
                % {"body": body.name, "territory": territory.name},
            )
        return data


class NeedsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} · {obj.get_status_display()}"


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Objective"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs = NeedsField(
        label=_("Needs it addresses"),
        required=False,
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The territory's needs this objective responds to."),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelMultipleChoiceField, self.fields["needs"]
        ).queryset = selectors.needs_for_plan(plan)


class LineForm(forms.Form):
    title = forms.CharField(label=_("Line of action"), max_length=300)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible = ActorChoiceField(
        label=_("Responsible"),
        required=False,
        queryset=Actor.objects.none(),
        empty_label=_("Not decided yet"),
    )
    partners = ActorsChoiceField(
        label=_("Partners"),
        required=False,
        queryset=Actor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organizations that work on it with the responsible one."),
    )
    budget = NumberField(label=_("Budget"), required=False)
    funded_amount = NumberField(
        label=_("Funded so far"),
        required=False,
        help_text=_("Money already secured for the action. The funding status follows from it."),
    )
    term = forms.ChoiceField(
        label=_("Term"), choices=Term.choices, initial=Term.SHORT, widget=forms.RadioSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED
    )
    indicator = forms.CharField(
        label=_("Indicator"),
        max_length=200,
        required=False,
        help_text=_("What is measured to know the action works, e.g. street lights working."),
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=40, required=False, help_text=_("e.g. lights, people, %")
    )
    baseline = NumberField(label=_("Baseline"), required=False, allow_negative=True)
    target = NumberField(label=_("Target"), required=False, allow_negative=True)

    def __init__(self, *args: Any, plan: Plan, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial = self.initial
        keep = [*initial.get("partners", []), initial.get("responsible")]
        actors = selectors.actor_choices(plan, user, keep=[pk for pk in keep if pk])
        cast(forms.ModelChoiceField, self.fields["responsible"]).queryset = actors
        cast(forms.ModelMultipleChoiceField, self.fields["partners"]).queryset = actors
        money_help = _("In %(currency)s.") % {"currency": plan.currency}
        self.fields["budget"].help_text = money_help

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["budget"] = data.get("budget") or 0
        data["funded_amount"] = data.get("funded_amount") or 0
        data["partners"] = list(data.get("partners") or [])
        return data

    @staticmethod
    def initial_from(action: Any) -> dict[str, Any]:
        return {
            "title": action.title,
            "description": action.description,
            "responsible": action.responsible_id,
            "partners": [a.pk for a in action.partners.all()],
            "budget": action.budget,
            "funded_amount": action.funded_amount,
            "term": action.term,
            "status": action.status,
            "indicator": action.indicator,
            "unit": action.unit,
            "baseline": action.baseline,
            "target": action.target,
        }


class ActionFollowUpForm(forms.Form):
    """What an approved plan's action still lets change: its status and funding."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    funded_amount = NumberField(
        label=_("Funded so far"),
        required=False,
        help_text=_("Money already secured for the action. The funding status follows from it."),
    )

    def values(self) -> dict[str, Any]:
        return {
            "status": self.cleaned_data["status"],
            "funded_amount": self.cleaned_data.get("funded_amount") or 0,
        }


class ProgressForm(forms.Form):
    value = NumberField(
        label=_("Indicator value"),
        required=False,
        allow_negative=True,
        help_text=_("The indicator's value on that date, if it was measured."),
    )
    note = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    recorded_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)

    def __init__(self, *args: Any, action: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if action.indicator:
            unit = f" ({action.unit})" if action.unit else ""
            self.fields["value"].label = f"{action.indicator}{unit}"
        else:
            del self.fields["value"]


class SubmitForm(forms.Form):
    meeting = MeetingChoiceField(
        label=_("Meeting"),
        required=False,
        queryset=Meeting.objects.none(),
        empty_label=_("Online, between meetings"),
        help_text=_("The meeting where the body votes, or none for an online vote."),
    )
    method = forms.ChoiceField(
        label=_("How the body decides"),
        choices=[
            (VotingMethod.MAJORITY.value, VotingMethod.MAJORITY.label),
            (VotingMethod.QUALIFIED.value, VotingMethod.QUALIFIED.label),
            (VotingMethod.CONSENT.value, VotingMethod.CONSENT.label),
        ],
        initial=VotingMethod.MAJORITY,
        widget=forms.RadioSelect,
    )
    threshold = forms.ChoiceField(
        label=_("Qualified majority needed"),
        choices=[],
        required=False,
        help_text=_("Only for a qualified majority."),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["meeting"]
        ).queryset = selectors.submission_meetings(plan)
        shares = [str(round(float(share), 3)) for share in QUALIFIED_SHARES]
        self.fields["threshold"].choices = [  # type: ignore[attr-defined]
            (share, SHARE_WORDS.get(share, share)) for share in shares
        ]
        self.fields["threshold"].initial = shares[1] if len(shares) > 1 else shares[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == VotingMethod.QUALIFIED and not data.get("threshold"):
            self.add_error("threshold", _("Choose the majority a qualified vote needs."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        qualified = data["method"] == VotingMethod.QUALIFIED
        return {
            "meeting": data.get("meeting"),
            "method": data["method"],
            "threshold": Decimal(data["threshold"]) if qualified and data.get("threshold") else 0.5,
        }


class DeferForm(forms.Form):
    meeting = MeetingChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.none(),
        empty_label=None,
        help_text=_(
            "A coming meeting of the body: each action waiting for money goes on its agenda."
        ),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = selectors.upcoming_meetings(
            plan
        )
