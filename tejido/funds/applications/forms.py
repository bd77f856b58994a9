"""Forms of the application pages: plain controls that work on a phone without JavaScript.
Amounts are typed the way the reader writes numbers ("4.500.000" or "4,500,000"); a draft may
leave anything empty, and the submission says what is missing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tejido.actors.models import Actor
from tejido.core.models import Theme
from tejido.governance.plans.forms import DATE_INPUT, NumberField

from ..models import Application, AttachmentKind, BudgetCategory, Call
from . import selectors
from .services import DESCRIPTION_LENGTH, MAX_LINES, ROLE_LENGTH, TITLE_LENGTH


def _text(label: StrOrPromise, *, rows: int = 5, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _people(label: StrOrPromise) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("A number of people cannot be negative."),
        },
    )


class ApplyForm(forms.Form):
    applicant = forms.ModelChoiceField(
        label=_("Organization that applies"),
        queryset=Actor.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the organization that applies."),
            "invalid_choice": _("Choose one of your organizations."),
        },
    )
    title = forms.CharField(
        label=_("Project title"),
        max_length=TITLE_LENGTH,
        help_text=_("A working title; you can change it until you submit."),
        error_messages={"required": _("Give the project a working title.")},
    )

    def __init__(self, *args: Any, organizations: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applicant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Actor.objects.filter(pk__in=[o.pk for o in organizations]).order_by(
            "name", "pk"
        )
        if len(organizations) == 1:
            field.initial = organizations[0].pk


NEEDED_TO_SUBMIT = (
    "summary",
    "problem",
    "activities",
    "objectives",
    "territory",
    "beneficiaries_women",
    "beneficiaries_men",
    "beneficiaries_other",
)


class TerritoryChoiceField(forms.ModelChoiceField):
    """Places indented under the place they are part of."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * max(0, obj.path.count("/") - 2) + obj.name


class ApplicationForm(forms.Form):
    """The written parts of an application: project, objectives and place, beneficiaries."""

    title = forms.CharField(
        label=_("Project title"),
        max_length=TITLE_LENGTH,
        error_messages={"required": _("Keep a title: it names your application.")},
    )
    summary = _text(
        _("Summary"), rows=4, help_text=_("In a few lines: what the project does, and for whom.")
    )
    problem = _text(
        _("Problem addressed"),
        help_text=_("What is wrong today in the neighbourhood, and who it affects."),
    )
    activities = _text(
        _("Activities"),
        rows=6,
        help_text=_("What you will do, step by step, and when."),
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("Plan objectives the project serves"),
        queryset=Application.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose objectives among those of this call.")},
    )
    territory = TerritoryChoiceField(
        label=_("Territory served"),
        queryset=Application.objects.none(),
        required=False,
        empty_label=_("Choose a place"),
        help_text=_("Where the project happens, as precisely as you can."),
        error_messages={"invalid_choice": _("Choose a place in the list.")},
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.order_by("name"),
        required=False,
        empty_label=_("No theme"),
    )
    beneficiaries_women = _people(_("Women"))
    beneficiaries_men = _people(_("Men"))
    beneficiaries_other = _people(_("Other or not stated"))

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objectives = self.fields["objectives"]
        assert isinstance(objectives, forms.ModelMultipleChoiceField)
        objectives.queryset = selectors.objective_choices(call)
        territory = self.fields["territory"]
        assert isinstance(territory, forms.ModelChoiceField)
        territory.queryset = selectors.territory_choices(call)
        # A draft may leave these empty; the submission needs them (no "optional" mark).
        for name in NEEDED_TO_SUBMIT:
            self.fields[name].needed_to_submit = True  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, application: Application) -> dict[str, Any]:
        return {
            "title": application.title,
            "summary": application.summary,
            "problem": application.problem,
            "activities": application.activities,
            "objectives": [o.pk for o in application.objectives.all()],
            "territory": application.territory_id,
            "theme": application.theme_id,
            "beneficiaries_women": application.beneficiaries_women,
            "beneficiaries_men": application.beneficiaries_men,
            "beneficiaries_other": application.beneficiaries_other,
        }

    def objective_groups(self) -> list[tuple[str, list[Any]]]:
        """The objective checkboxes grouped by the territory of their plan."""
        field = self.fields["objectives"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        objectives = {o.pk: o for o in field.queryset or []}
        groups: dict[str, list[Any]] = {}
        for widget in self["objectives"]:
            value = getattr(widget.data["value"], "value", widget.data["value"])
            objective = objectives.get(value)
            label = objective.plan.territory.name if objective is not None else ""
            groups.setdefault(label, []).append(widget)
        return list(groups.items())

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {k: data.get(k) for k in ("title", "summary", "problem", "activities")}
        values |= {
            k: data.get(k) or 0
            for k in ("beneficiaries_women", "beneficiaries_men", "beneficiaries_other")
        }
        values |= {"territory": data.get("territory"), "theme": data.get("theme")}
        return values


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose…")), *BudgetCategory.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("What it is for"), max_length=DESCRIPTION_LENGTH, required=False
    )
    amount = NumberField(label=_("Amount requested"), required=False)
    co_funding = NumberField(label=_("Co-funding"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = any(data.get(k) not in (None, "") for k in self.fields)
        if not filled:
            data["empty"] = True
            return data
        if not data.get("category"):
            self.add_error("category", _("Choose a category."))
        if not (data.get("description") or "").strip():
            self.add_error("description", _("Say what the money is for."))
        if not data.get("amount") and not data.get("co_funding"):
            self.add_error("amount", _("Enter the amount requested or the co-funding."))
        return data


class BaseBudgetFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        """The filled rows, in order, as the service takes them."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("empty") or not data:
                continue
            rows.append(
                {
                    "category": data["category"],
                    "description": data["description"],
                    "amount": data.get("amount") or Decimal(0),
                    "co_funding": data.get("co_funding") or Decimal(0),
                }
            )
        return rows


BudgetFormSet = formset_factory(
    BudgetLineForm,
    formset=BaseBudgetFormSet,
    extra=2,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def budget_formset(application: Application, data: Any = None) -> BaseBudgetFormSet:
    initial = [
        {
            "category": line.category,
            "description": line.description,
            "amount": line.amount,
            "co_funding": line.co_funding or None,
        }
        for line in application.budget_lines.order_by("position", "pk")
    ]
    formset = BudgetFormSet(data, initial=initial, prefix="lines")
    assert isinstance(formset, BaseBudgetFormSet)
    return formset


class PartnerValuesForm(forms.Form):
    role = forms.CharField(
        label=_("Role in the project"),
        max_length=ROLE_LENGTH,
        error_messages={"required": _("Say what this partner does in the project.")},
    )
    budget_share = NumberField(
        label=_("Budget it manages"),
        required=False,
        help_text=_("The part of the amount requested this partner spends (0 if none)."),
    )
    letter = forms.FileField(
        label=_("Letter of commitment"),
        required=False,
        help_text=_("Signed by the partner: PDF, JPG or PNG. Needed to submit."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter"].needed_to_submit = True  # type: ignore[attr-defined]


class PartnerForm(PartnerValuesForm):
    organization = forms.IntegerField(
        label=_("Partner organization"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the partner: search for it, then select it in the list."),
            "invalid": _("Choose the partner in the list."),
        },
    )
    field_order = ["organization", "role", "budget_share", "letter"]

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application

    def clean_organization(self) -> Actor:
        pk = self.cleaned_data["organization"]
        organization = (
            Actor.objects.organizations()
            .filter(program_id=self.application.call.program_id, pk=pk)
            .first()
        )
        if organization is None:
            raise forms.ValidationError(
                _("Choose an organization or group of this program."), code="unknown"
            )
        return organization


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[
            (AttachmentKind.LEGAL_STATUS, AttachmentKind.LEGAL_STATUS.label),
            (AttachmentKind.QUOTE, AttachmentKind.QUOTE.label),
            (AttachmentKind.OTHER, AttachmentKind.OTHER.label),
        ],
        error_messages={"required": _("Choose what kind of document this is.")},
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, JPG or PNG; quotes and other documents may also be DOCX, XLSX, ODT or ODS."
        ),
        error_messages={"required": _("Choose the file to attach.")},
    )
    issued_on = forms.DateField(
        label=_("Issued on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("For a legal-status certificate: the date printed on it."),
        error_messages={"invalid": _("Enter a valid date.")},
    )


class OverrideForm(forms.Form):
    DECISIONS = (
        ("eligible", _("Eligible, whatever the rules say")),
        ("ineligible", _("Not eligible, whatever the rules say")),
        ("rules", _("Let the rules decide (remove the override)")),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why you decide this. It is kept with the decision and shown to coordinators."),
        error_messages={"required": _("Write why: the justification is kept with the decision.")},
    )

    def eligible(self) -> bool | None:
        return {"eligible": True, "ineligible": False}.get(self.cleaned_data["decision"])
