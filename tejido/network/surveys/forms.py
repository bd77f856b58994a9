"""Forms of the survey pages: plain HTML controls (radios, checkboxes) that work on any phone
without JavaScript."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import ActorKind, Sector
from tejido.core.models import Cycle, Program, Territory

from ..forms import INTENSITY_HELP
from ..models import Frequency, Intensity, ResourceKind, TieType
from .services import SCORE_FIELDS, TRUST_FIELDS, VALUE_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

SCORE_LABELS = {
    "trust_openness": _("Openness to discussion"),
    "trust_reliability": _("Reliability: they do what they say"),
    "trust_mission": _("Shared mission"),
    "value_influence": _("Influence: what they can move in the territory"),
    "value_resources": _("Resources they contribute"),
    "value_involvement": _("Their level of involvement"),
}
SCORE_WORDS = {
    1: _("very low"),
    2: _("low"),
    3: _("medium"),
    4: _("high"),
    5: _("very high"),
}
SURVEY_KIND_CHOICES = [
    (ActorKind.ORGANIZATION.value, ActorKind.ORGANIZATION.label),
    (ActorKind.INFORMAL_GROUP.value, ActorKind.INFORMAL_GROUP.label),
]


def _optional_int(value: Any) -> int | None:
    return None if value in ("", None) else int(value)


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.none())
    instructions = forms.CharField(
        label=_("Instructions for respondents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown at the top of the questionnaire and in the invitation e-mail."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE_INPUT)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE_INPUT)

    def __init__(self, *args: Any, program: Program, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycle = cast(forms.ModelChoiceField, self.fields["cycle"])
        cycle.queryset = Cycle.objects.filter(program=program).order_by("number")
        if editing:
            del self.fields["cycle"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The survey cannot close before it opens."))
        return data


class TerritoryChoiceField(forms.ModelChoiceField):
    """Territories as an indented tree (their materialized path gives the depth)."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * (obj.path.count("/") - 2) + obj.name


def territories_of(program: Program) -> Any:
    """Every place one of the program's actors is based in, with its ancestors, as a tree."""
    places = Territory.objects.filter(based_actors__program=program).values_list("path", flat=True)
    ids = {int(part) for path in places for part in path.strip("/").split("/") if part}
    return Territory.objects.filter(pk__in=ids).order_by("path")


class InvitationFilterForm(forms.Form):
    """Narrow the organizations listed for invitation (a GET form)."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    territory = TerritoryChoiceField(
        label=_("Territory"),
        required=False,
        queryset=Territory.objects.none(),
        empty_label=_("All territories"),
    )
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("All sectors")), *Sector.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *SURVEY_KIND_CHOICES]
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["territory"]).queryset = territories_of(program)


class AnswerForm(forms.Form):
    """The ratings of one tie, as the respondent sees them."""

    tie_type = forms.ChoiceField(
        label=_("What kind of tie?"), choices=TieType.choices, initial=TieType.COLLABORATION
    )
    intensity = forms.TypedChoiceField(
        label=_("How close is the relationship?"),
        choices=Intensity.choices,
        coerce=int,
        initial=Intensity.COOPERATION,
        widget=forms.RadioSelect,
    )
    frequency = forms.TypedChoiceField(
        label=_("How often are you in touch?"),
        choices=Frequency.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    resources = forms.MultipleChoiceField(
        label=_("What do you exchange?"),
        choices=ResourceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Anything to add?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SCORE_FIELDS:
            self.fields[name] = forms.TypedChoiceField(
                label=SCORE_LABELS[name],
                choices=[(n, str(n)) for n in range(1, 6)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("Choose a value from %(low)s to %(high)s.")
                    % {"low": 1, "high": 5}
                },
            )
        self.fields["intensity"].error_messages["invalid_choice"] = _(
            "Choose an intensity from 0 to 4."
        )

    def intensity_options(self) -> list[dict[str, Any]]:
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

    def score_groups(self) -> list[tuple[str, str, list[dict[str, Any]]]]:
        """The six 1–5 scores in two groups, each score with its five options."""

        def options(name: str) -> dict[str, Any]:
            bound = self[name]
            current = bound.value()
            return {
                "field": bound,
                "options": [
                    {"value": n, "word": SCORE_WORDS[n], "checked": str(current) == str(n)}
                    for n in range(1, 6)
                ],
            }

        return [
            (
                "trust",
                str(_("Trust")),
                [options(n) for n in TRUST_FIELDS],
            ),
            (
                "value",
                str(_("Value of the tie for your organization")),
                [options(n) for n in VALUE_FIELDS],
            ),
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "tie_type": data["tie_type"],
            "intensity": data["intensity"],
            "frequency": data["frequency"],
            "resources": list(data["resources"]),
            "note": data["note"],
            **{name: data[name] for name in SCORE_FIELDS},
        }

    @classmethod
    def initial_from(cls, answer: Any) -> dict[str, Any]:
        fields = ("tie_type", "intensity", "frequency", "resources", "note", *SCORE_FIELDS)
        return {name: getattr(answer, name) for name in fields}


class NominationForm(AnswerForm):
    """A partner missing from the registry, proposed for the coordination to review."""

    name = forms.CharField(label=_("Name of the organization or group"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=SURVEY_KIND_CHOICES,
        initial=ActorKind.ORGANIZATION,
        widget=forms.RadioSelect,
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices])
    territory = TerritoryChoiceField(
        label=_("Where is it based?"),
        required=False,
        queryset=Territory.objects.none(),
        empty_label=_("I don't know"),
    )

    field_order = ["name", "kind", "sector", "territory"]

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["territory"]).queryset = territories_of(program)


class MatchForm(forms.Form):
    actor = forms.IntegerField(widget=forms.HiddenInput)
