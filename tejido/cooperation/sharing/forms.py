"""Forms of shared services: plain controls in one column that work on a phone without
JavaScript; the services check everything again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program

from ..models import ListingKind, ServiceCategory, ServiceListing, ServiceTerms
from . import services
from .selectors import territories_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TerritoryField(forms.ModelChoiceField):
    """Territories as an indented tree (their materialized path gives the depth)."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * max(0, obj.path.count("/") - 2) + obj.name


class EntityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class CatalogueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Offers or needs"),
        required=False,
        choices=_blank(_("Offers and needs"), ListingKind.choices),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=_blank(_("All categories"), ServiceCategory.choices),
    )
    territory = TerritoryField(
        label=_("Territory"),
        required=False,
        queryset=None,
        empty_label=_("All territories"),
    )
    terms = forms.ChoiceField(
        label=_("Terms"), required=False, choices=_blank(_("Any terms"), ServiceTerms.choices)
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = self.fields["territory"]
        assert isinstance(territory, TerritoryField)
        territory.queryset = territories_for(program)

    def arguments(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored, not an error, on a GET form)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "kind": data.get("kind") or "",
            "category": data.get("category") or "",
            "territory": data.get("territory"),
            "terms": data.get("terms") or "",
            "page": data.get("page") or 1,
        }


class ListingForm(forms.Form):
    actor = EntityField(
        label=_("On behalf of"),
        queryset=Actor.objects.none(),
        empty_label=None,
        help_text=_("The organization that offers the service or needs it."),
    )
    kind = forms.ChoiceField(
        label=_("Offer or need"),
        choices=ListingKind.choices,
        widget=forms.RadioSelect,
        help_text=_("Offer: something your organization can do for others. Need: what it lacks."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=ServiceCategory.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=services.MAX_TITLE,
        help_text=_("Say it in a few words, e.g. “Accounting for neighbourhood councils”."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What exactly, for whom, how often, who does it."),
    )
    territory = TerritoryField(
        label=_("Territory"),
        required=False,
        queryset=None,
        empty_label=_("Wherever the organization works"),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=services.MAX_CAPACITY,
        help_text=_("Offers: how many organizations you can serve at once. Empty: no limit."),
    )
    terms = forms.ChoiceField(
        label=_("Terms"), choices=ServiceTerms.choices, widget=forms.RadioSelect
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything the other side should know: schedule, costs, what they provide."),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        entities: Sequence[Actor],
        listing: ServiceListing | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        ids = [a.pk for a in entities]
        if listing is not None and listing.actor_id not in ids:
            ids.append(listing.actor_id)
        actor = self.fields["actor"]
        assert isinstance(actor, EntityField)
        actor.queryset = Actor.objects.organizations().filter(pk__in=ids).order_by("name")
        territory = self.fields["territory"]
        assert isinstance(territory, TerritoryField)
        territory.queryset = territories_for(program)
        if listing is not None:
            # An offer stays an offer: its agreements depend on it.
            del self.fields["kind"]

    @staticmethod
    def initial_from(listing: ServiceListing) -> dict[str, Any]:
        return {
            "actor": listing.actor_id,
            "category": listing.category,
            "title": listing.title,
            "description": listing.description,
            "territory": listing.territory_id,
            "capacity": listing.capacity,
            "terms": listing.terms,
            "conditions": listing.conditions,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "actor",
                "category",
                "title",
                "description",
                "territory",
                "capacity",
                "terms",
                "conditions",
            )
        } | ({"kind": data["kind"]} if "kind" in self.fields else {})


class RequestForm(forms.Form):
    receiver = EntityField(
        label=_("On behalf of"),
        queryset=Actor.objects.none(),
        empty_label=None,
        help_text=_("The organization that would receive the service."),
    )
    need = forms.ModelChoiceField(
        label=_("From the need"),
        required=False,
        queryset=ServiceListing.objects.none(),
        empty_label=_("None of our published needs"),
        help_text=_("If your organization published this need, link it: it closes once agreed."),
    )
    message = forms.CharField(
        label=_("Message to the provider"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you need, for when, and how to reach you."),
    )

    def __init__(
        self,
        *args: Any,
        requesters: Sequence[Actor],
        needs: Sequence[ServiceListing] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        receiver = self.fields["receiver"]
        assert isinstance(receiver, EntityField)
        receiver.queryset = Actor.objects.filter(pk__in=[a.pk for a in requesters]).order_by("name")
        need = self.fields["need"]
        assert isinstance(need, forms.ModelChoiceField)
        need.queryset = ServiceListing.objects.filter(pk__in=[n.pk for n in needs]).select_related(
            "actor"
        )
        need.label_from_instance = lambda obj: f"{obj.title} · {obj.actor.name}"  # type: ignore[method-assign]
        if not needs:
            need.widget = forms.HiddenInput()


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (services.AGREE, _("Agree")),
            (services.DECLINE, _("Decline")),
            (services.WITHDRAW_ACTION, _("Withdraw")),
            (services.END, _("End")),
        ],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot be before the start."))
        return data
