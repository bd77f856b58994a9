"""Forms of joint projects and technology transfer: one column of plain controls that work on a
phone without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Theme
from tejido.governance.plans.forms import CURRENCIES, NumberField
from tejido.learning.community.forms import OrganizationField, ThemeChoices

from ..models import JointProject, ProjectStatus, TransferKind
from .services import MAX_LONG_TEXT, MAX_TEXT

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _organizations(field: forms.Field, organizations: Sequence[Actor]) -> None:
    field.queryset = Actor.objects.filter(pk__in=[a.pk for a in organizations]).order_by("name")  # type: ignore[attr-defined]


class ProjectForm(forms.Form):
    lead = OrganizationField(
        label=_("Lead partner"),
        queryset=Actor.objects.none(),
        empty_label=None,
        help_text=_("The organization that coordinates the project and answers for it."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("Say it in a few words, e.g. “Community gardens in three neighbourhoods”."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the project is, in two or three sentences."),
    )
    goals = forms.CharField(
        label=_("Goals"),
        max_length=MAX_LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What should have changed when it ends? One goal per line."),
    )
    themes = ThemeChoices(
        label=_("Transitions and themes"), queryset=Theme.objects.all(), required=False
    )
    budget = NumberField(
        label=_("Budget"), required=False, help_text=_("The whole project's budget.")
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DATE_INPUT)
    lead_contribution = forms.CharField(
        label=_("What the lead brings"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lead_share = NumberField(label=_("The lead's share of the budget"), required=False)

    def __init__(
        self,
        *args: Any,
        organizations: Sequence[Actor],
        project: JointProject | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _organizations(self.fields["lead"], organizations)
        if project is not None:
            for name in ("lead", "lead_contribution", "lead_share"):
                del self.fields[name]

    @classmethod
    def initial_from(cls, project: JointProject) -> dict[str, Any]:
        return {
            "title": project.title,
            "summary": project.summary,
            "goals": project.goals,
            "themes": [t.pk for t in project.themes.all()],
            "budget": project.budget,
            "currency": project.currency,
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields if name in data}


class ThemeFilter(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.label


class ProjectFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ProjectStatus.choices],
    )
    theme = ThemeFilter(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.order_by("name"),
        empty_label=_("Any theme"),
    )

    def arguments(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {
            "status": self.cleaned_data.get("status") or "",
            "theme": self.cleaned_data.get("theme"),
        }


class PartnerForm(forms.Form):
    actor = OrganizationField(
        label=_("Organization"),
        queryset=Actor.objects.none(),
        help_text=_("An organization or group of the program."),
    )
    contribution = forms.CharField(
        label=_("What it brings"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    budget_share = NumberField(label=_("Its share of the budget"), required=False)

    def __init__(self, *args: Any, choices: Sequence[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _organizations(self.fields["actor"], choices)


class PartnerEditForm(forms.Form):
    contribution = forms.CharField(
        label=_("What it brings"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    budget_share = NumberField(label=_("Its share of the budget"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ProjectStatus.choices)


class OfferForm(forms.Form):
    provider = OrganizationField(
        label=_("Offered by"),
        queryset=Actor.objects.none(),
        empty_label=None,
        help_text=_("The organization that passes it on."),
    )
    kind = forms.ChoiceField(label=_("What it is"), choices=TransferKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("E.g. “Participatory diagnosis method” or “Member management app”."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What it does, who has used it and what it takes to adopt it."),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Training sessions, licence, costs shared, how long you can support it."),
    )
    themes = ThemeChoices(
        label=_("Transitions and themes"), queryset=Theme.objects.all(), required=False
    )

    def __init__(self, *args: Any, organizations: Sequence[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _organizations(self.fields["provider"], organizations)


class OfferFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *TransferKind.choices]
    )
    theme = ThemeFilter(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.order_by("name"),
        empty_label=_("Any theme"),
    )
    open = forms.BooleanField(label=_("Open only"), required=False)

    def arguments(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {
            "kind": self.cleaned_data.get("kind") or "",
            "theme": self.cleaned_data.get("theme"),
            "open_only": bool(self.cleaned_data.get("open")),
        }


class RequestForm(forms.Form):
    receiver = OrganizationField(
        label=_("On behalf of"), queryset=Actor.objects.none(), empty_label=None
    )
    message = forms.CharField(
        label=_("Message to the provider"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you would use it for, and when."),
    )

    def __init__(self, *args: Any, organizations: Sequence[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _organizations(self.fields["receiver"], organizations)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Transferred on"), widget=DATE_INPUT)
    outcome = forms.CharField(
        label=_("What came of it"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
