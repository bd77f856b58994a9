"""Forms of the body pages: plain HTML controls that work on a phone without JavaScript."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor, ActorKind, Membership, Sector
from tejido.core.models import Program, Territory
from tejido.network.models import Intensity, TieType

from ..models import Body, BodyKind, Seat

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TerritoryChoiceField(forms.ModelChoiceField):
    """Territories as an indented tree (their materialized path gives the depth)."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * max(0, obj.path.count("/") - 2) + obj.name


def territories_for(program: Program) -> QuerySet[Territory]:
    """The program's territories with everything under them, and every place one of its
    actors is based in, with their ancestors, in tree order."""
    paths = list(program.territories.values_list("path", flat=True))
    based = Territory.objects.filter(based_actors__program=program).values_list("path", flat=True)
    ids = {int(part) for path in [*paths, *based] for part in path.strip("/").split("/") if part}
    condition = Q(pk__in=ids)
    for path in paths:
        condition |= Q(path__startswith=path)
    return Territory.objects.filter(condition).order_by("path")


class BodyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example “Directorio Local de Bajos de Mena”."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    territory = TerritoryChoiceField(
        label=_("Territory"),
        required=False,
        queryset=Territory.objects.none(),
        empty_label=_("No particular territory"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the body decides and who takes part, in a few lines."),
    )
    is_public = forms.BooleanField(
        label=_("Public body"),
        required=False,
        initial=True,
        help_text=_(
            "Visitors see the body's organizations, meetings, approved minutes and agreements. "
            "People's names are never shown to visitors."
        ),
    )
    quorum_share = forms.DecimalField(
        label=_("Quorum: share of the filled seats"),
        min_value=Decimal("0.001"),
        max_value=Decimal(1),
        max_digits=4,
        decimal_places=3,
        initial=Decimal("0.5"),
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
        help_text=_("From 0 to 1: 0.5 is half of the filled voting seats, 0.667 two thirds."),
    )
    quorum_strict = forms.BooleanField(
        label=_("More than that share"),
        required=False,
        initial=True,
        help_text=_(
            "Ticked: more than the share (with 0.5, half plus one). Unticked: at least the share."
        ),
    )
    meeting_ties = forms.BooleanField(
        label=_("Record ties from meetings"),
        required=False,
        initial=True,
        help_text=_(
            "When a meeting is marked as held, the organizations present get a tie in the "
            "network map (or a stronger one)."
        ),
    )
    meeting_tie_type = forms.ChoiceField(
        label=_("Type of tie from meetings"), choices=TieType.choices, initial=TieType.COLLABORATION
    )
    meeting_tie_intensity = forms.TypedChoiceField(
        label=_("Intensity of ties from meetings"),
        choices=Intensity.choices,
        coerce=int,
        initial=Intensity.COOPERATION,
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = cast(forms.ModelChoiceField, self.fields["territory"])
        territory.queryset = territories_for(program)

    @classmethod
    def initial_for(cls, body: Body) -> dict[str, Any]:
        return {
            "name": body.name,
            "kind": body.kind,
            "territory": body.territory_id,
            "description": body.description,
            "is_public": body.is_public,
            "quorum_share": body.quorum_share,
            "quorum_strict": body.quorum_strict,
            "meeting_ties": body.meeting_ties,
            "meeting_tie_type": body.meeting_tie_type,
            "meeting_tie_intensity": body.meeting_tie_intensity,
        }


class SeatForm(forms.Form):
    label = forms.CharField(
        label=_("Seat"),
        max_length=120,
        help_text=_("For example “Community seat 1” or “Health centre”."),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    is_voting = forms.BooleanField(
        label=_("Voting seat"),
        required=False,
        initial=True,
        help_text=_("Seats without vote take part but do not count for quorum or votes."),
    )

    def __init__(self, *args: Any, seat: Seat | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seat = seat
        if seat is not None:
            self.fields["label"].help_text = ""


class SectorQuorumForm(forms.Form):
    """One minimum per sector that has voting seats in the body (0: no rule)."""

    def __init__(
        self,
        *args: Any,
        voting_by_sector: dict[str, int],
        minimums: dict[str, int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Sector.choices)
        for code in Sector.values:
            seats = voting_by_sector.get(code, 0)
            if not seats and not minimums.get(code):
                continue
            self.fields[code] = forms.IntegerField(
                label=_("%(sector)s: at least") % {"sector": labels[code]},
                min_value=0,
                max_value=max(seats, minimums.get(code, 0)),
                initial=minimums.get(code, 0),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                help_text=_("Of its %(seats)s voting seats. 0: no minimum.") % {"seats": seats},
            )

    def minimums(self) -> dict[str, int]:
        return {code: value or 0 for code, value in self.cleaned_data.items()}


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label=_("Find the organization"), required=False, max_length=100)


def members_of(organization: Actor, day: datetime.date) -> QuerySet[Actor]:
    """People who are current members of `organization` (any post or role)."""
    ids = (
        Membership.objects.current(day)
        .filter(organization=organization, person__kind=ActorKind.PERSON)
        .values("person_id")
    )
    return Actor.objects.filter(pk__in=ids).order_by("name", "pk")


class AccountField(forms.EmailField):
    """An existing account, entered by its e-mail address."""

    def clean(self, value: Any) -> Any:
        email = super().clean(value)
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account uses this e-mail address. Check it, or leave it empty."),
                code="no_account",
            )
        return user


class MandateForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Actor.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the organization that holds the seat.")},
    )
    holder = forms.ModelChoiceField(
        label=_("Holder"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("Not named yet"),
        help_text=_("The person who sits for the organization."),
    )
    alternate = forms.ModelChoiceField(
        label=_("Alternate"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("No alternate"),
        help_text=_("Sits and votes when the holder cannot come."),
    )
    holder_user = AccountField(
        label=_("Holder's account (e-mail)"),
        required=False,
        help_text=_("The account that votes and checks in for the seat."),
    )
    alternate_user = AccountField(label=_("Alternate's account (e-mail)"), required=False)
    starts_on = forms.DateField(label=_("Term starts"), widget=DATE_INPUT)
    ends_on = forms.DateField(
        label=_("Term ends"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("The last day of the term. Leave empty for an open-ended term."),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        organization: Actor | None,
        today: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.fields["starts_on"].initial = today
        org_field = cast(forms.ModelChoiceField, self.fields["organization"])
        org_field.queryset = Actor.objects.filter(program=program).organizations()
        people = members_of(organization, today) if organization else Actor.objects.none()
        cast(forms.ModelChoiceField, self.fields["holder"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["alternate"]).queryset = people
        if organization is not None:
            self.initial.setdefault("organization", organization.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The term must end after it starts."))
        holder, alternate = data.get("holder"), data.get("alternate")
        if holder and alternate and holder == alternate:
            self.add_error("alternate", _("The alternate must be someone other than the holder."))
        return data


class MandateEndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Last day of the term"),
        widget=DATE_INPUT,
        help_text=_("The seat is vacant from the next day until a new mandate starts."),
    )
