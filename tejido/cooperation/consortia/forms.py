"""Forms of consortia: the consortium with its lots, invitations, a member's role and share,
checklist steps, documents and the outcome."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor, Sector
from tejido.core.models import Program, Territory, Theme
from tejido.learning.community.forms import TerritoryField, ThemeChoices, territories_for

from ..models import BidKind, Consortium, ConsortiumLot, MemberRole
from .services import LotInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PARTNER_ROLES = [(v, label) for v, label in MemberRole.choices if v != MemberRole.LEAD]


class ConsortiumForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of bid"), choices=BidKind.choices)
    contracting_body = forms.CharField(
        label=_("Contracting body or funder"), max_length=200, required=False
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=120,
        required=False,
        help_text=_("The tender's or call's identifier, e.g. 2401-15-LE26."),
    )
    tender_url = forms.URLField(label=_("Link to the tender"), required=False)
    deadline = forms.DateTimeField(
        label=_("Submission deadline"), required=False, widget=DATETIME_INPUT
    )
    budget = forms.DecimalField(
        label=_("Amount bid"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CLP")
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the consortium will do together if it wins."),
    )
    lead = forms.ModelChoiceField(
        label=_("Lead organization"), queryset=Actor.objects.none(), empty_label=None
    )
    open_to_partners = forms.BooleanField(
        label=_("Looking for partners"),
        required=False,
        initial=True,
        help_text=_("Shown on the opportunities board of the organizations that fit."),
    )
    sectors_wanted = forms.MultipleChoiceField(
        label=_("Sectors wanted"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = ThemeChoices(label=_("Themes"), queryset=Theme.objects.all(), required=False)
    territory = TerritoryField(
        label=_("Territory"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=_("Any territory"),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        leads: list[Actor],
        consortium: Consortium | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        lead_field = self.fields["lead"]
        assert isinstance(lead_field, forms.ModelChoiceField)
        territory_field = self.fields["territory"]
        assert isinstance(territory_field, forms.ModelChoiceField)
        territory_field.queryset = territories_for(program)
        if consortium is not None:
            # The lead does not change once the consortium exists.
            del self.fields["lead"]
        else:
            lead_field.queryset = Actor.objects.filter(pk__in=[a.pk for a in leads]).order_by(
                "name"
            )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["themes"] = list(data.get("themes") or [])
        return data


class LotForm(forms.Form):
    number = forms.IntegerField(
        label=pgettext_lazy("lot number", "No."), min_value=1, max_value=999, required=False
    )
    title = forms.CharField(label=_("Lot title"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("title") and not data.get("number"):
            self.add_error("number", _("Give the lot a number."))
        if data.get("number") and not data.get("title"):
            self.add_error("title", _("Give the lot a title."))
        return data


LotFormSet = forms.formset_factory(LotForm, extra=2, max_num=50)


def lot_formset(data: Any = None, *, consortium: Consortium | None = None) -> Any:
    initial = (
        [
            {"number": lot.number, "title": lot.title, "amount": lot.amount}
            for lot in consortium.lots.all()
        ]
        if consortium is not None
        else []
    )
    return LotFormSet(data, initial=initial, prefix="lots")


def lots_from(formset: Any) -> list[LotInput]:
    lots = []
    for form in formset.forms:
        data = form.cleaned_data
        if data.get("number") and data.get("title"):
            lots.append(
                LotInput(number=data["number"], title=data["title"], amount=data.get("amount"))
            )
    return lots


class InviteForm(forms.Form):
    actor = forms.ModelChoiceField(label=_("Organization"), queryset=Actor.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLES, initial=MemberRole.PARTNER)
    share = forms.DecimalField(
        label=_("Share (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["actor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    share = forms.DecimalField(
        label=_("Share (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    lots = forms.ModelMultipleChoiceField(
        label=_("Lots"),
        queryset=ConsortiumLot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, consortium: Consortium, lead: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lots"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = consortium.lots.all()
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(MemberRole.LEAD, MemberRole.LEAD.label)] if lead else PARTNER_ROLES


class StepForm(forms.Form):
    label = forms.CharField(label=_("Step"), max_length=200)
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=Actor.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, members: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Actor.objects.filter(pk__in=[a.pk for a in members]).order_by("name")


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, OpenDocument or a picture."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.xlsx,.odt,.ods,.jpg,.jpeg,.png"}
        ),
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("won", _("Won")), ("lost", _("Not won"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


def decimal_or_none(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None
