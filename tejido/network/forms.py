"""Forms for recording, correcting and ending ties. They validate; the services write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor

from .models import Intensity, Tie, TieType

# What each step of the intensity scale means, shown next to the choice so that two people
# rating the same tie mean the same thing.
INTENSITY_HELP = {
    Intensity.AWARENESS: _("They know of each other and what the other does."),
    Intensity.COOPERATION: _("They share information or help each other now and then."),
    Intensity.COORDINATION: _("They align their activities or plans."),
    Intensity.COLLABORATION: _("They work together on shared projects."),
    Intensity.INTEGRATION: _("They share resources, structures or decisions."),
}

SCORE_CHOICES = [
    ("", _("Not rated")),
    (1, _("1 · very low")),
    (2, _("2 · low")),
    (3, _("3 · medium")),
    (4, _("4 · high")),
    (5, _("5 · very high")),
]


class Direction:
    BOTH = "both"
    OUT = "out"
    IN = "in"


def _date_widget() -> forms.DateInput:
    # A native date picker; it always submits ISO dates, which Django accepts in any language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TieValuesForm(forms.Form):
    """The values of a tie that a new version may change."""

    intensity = forms.TypedChoiceField(
        label=_("Intensity"),
        choices=Intensity.choices,
        coerce=int,
        initial=Intensity.COOPERATION,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how intense the tie is."),
            "invalid_choice": _("Choose an intensity from 0 (awareness) to 4 (integration)."),
        },
    )
    trust = forms.TypedChoiceField(
        label=_("Trust"),
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("How much they trust each other, from 1 to 5."),
        error_messages={"invalid_choice": _("Choose a trust score from 1 to 5, or leave it.")},
    )
    value = forms.TypedChoiceField(
        label=_("Value"),
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("How valuable the tie is for them, from 1 to 5."),
        error_messages={"invalid_choice": _("Choose a value score from 1 to 5, or leave it.")},
    )
    started_on = forms.DateField(
        label=_("Since"),
        required=False,
        widget=_date_widget(),
        error_messages={"invalid": _("Enter a valid date.")},
    )
    ended_on = forms.DateField(
        label=_("Until"),
        required=False,
        widget=_date_widget(),
        help_text=_("Leave empty while the tie goes on."),
        error_messages={"invalid": _("Enter a valid date.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the tie comes from, or anything that helps read it."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return data

    def intensity_options(self) -> list[dict[str, Any]]:
        """The intensity choices with their meaning, for a radio group with descriptions."""
        current = self["intensity"].value()
        return [
            {
                "value": value,
                "label": label,
                "help": INTENSITY_HELP[Intensity(value)],
                "checked": str(current) == str(value),
            }
            for value, label in Intensity.choices
        ]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("intensity", "trust", "value", "started_on", "ended_on")} | {
            "note": data["note"].strip()
        }


class TieCreateForm(TieValuesForm):
    """A new tie from `actor` to an actor of the same program chosen with a search."""

    partner = forms.IntegerField(
        label=_("Other actor"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the other actor: search for it, then select it in the list."),
            "invalid": _("Choose the other actor in the list."),
        },
    )
    tie_type = forms.ChoiceField(
        label=_("Type of tie"),
        choices=[("", _("Choose a type")), *TieType.choices],
        error_messages={
            "required": _("Choose the type of tie."),
            "invalid_choice": _("Choose one of the types in the list."),
        },
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        initial=Direction.BOTH,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a direction.")},
    )

    field_order = [
        "partner",
        "tie_type",
        "direction",
        "intensity",
        "trust",
        "value",
        "started_on",
        "ended_on",
        "note",
    ]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.partner_actor: Actor | None = None
        direction = self.fields["direction"]
        assert isinstance(direction, forms.ChoiceField)
        direction.choices = [
            (Direction.BOTH, _("Both ways (not directed)")),
            (Direction.OUT, _("From %(actor)s to the other actor") % {"actor": actor.name}),
            (Direction.IN, _("From the other actor to %(actor)s") % {"actor": actor.name}),
        ]

    def clean_partner(self) -> Actor:
        pk = self.cleaned_data["partner"]
        if pk == self.actor.pk:
            raise ValidationError(_("An actor cannot have a tie with itself."), code="self")
        partner = (
            Actor.objects.filter(program_id=self.actor.program_id, pk=pk)
            .only("pk", "name", "sector", "kind", "program_id")
            .first()
        )
        if partner is None:
            raise ValidationError(_("This actor is not part of this program."), code="unknown")
        self.partner_actor = partner
        return partner

    def ends(self) -> tuple[Actor, Actor, bool]:
        """Source, target and whether the tie is directed, from the chosen direction."""
        partner = self.cleaned_data["partner"]
        direction = self.cleaned_data["direction"]
        if direction == Direction.IN:
            return partner, self.actor, True
        return self.actor, partner, direction == Direction.OUT


class TieEditForm(TieValuesForm):
    """A correction of a tie: saving writes a new version and keeps the current one."""

    def __init__(self, *args: Any, tie: Tie, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "intensity": tie.intensity,
                "trust": tie.trust,
                "value": tie.value,
                "started_on": tie.started_on,
                "ended_on": tie.ended_on,
                "note": tie.note,
            },
        )
        super().__init__(*args, **kwargs)
        self.tie = tie


class TieEndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("Ended on"),
        widget=_date_widget(),
        error_messages={
            "required": _("Enter the date the tie ended."),
            "invalid": _("Enter a valid date."),
        },
    )

    def __init__(self, *args: Any, tie: Tie, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"ended_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.tie = tie

    def clean_ended_on(self) -> datetime.date:
        ended: datetime.date = self.cleaned_data["ended_on"]
        if self.tie.started_on and ended < self.tie.started_on:
            raise ValidationError(
                _("The tie started on %(date)s; it cannot end before that."),
                code="before_start",
                params={"date": date_format(self.tie.started_on, "SHORT_DATE_FORMAT")},
            )
        return ended
