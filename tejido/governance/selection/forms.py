"""Forms of the territory selection pages: plain HTML controls that work on any phone without
JavaScript. They validate what a person typed; the services decide and write."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tejido.core.models import Cycle, Program, Territory

from ..models import Candidate, Criterion, CriterionKind, CriterionValue
from . import importer, selectors, services

WEIGHT_MAX = services.WEIGHT_MAX
MAX_UPLOAD = importer.MAX_BYTES


class TerritoryChoiceField(forms.ModelChoiceField):
    """Territories as an indented tree (their materialized path gives the depth)."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * (obj.path.count("/") - 2) + obj.name


class TerritoryMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        level = Territory.Level(obj.level).label
        return f"{obj.name} · {level}"


def plain_number(value: Decimal) -> str:
    """A number as a number input expects it: a decimal point, no trailing zeros."""
    text = f"{value.normalize():f}"
    return text


def local_number(value: Decimal) -> str:
    """A number as the reader writes it (decimal comma in Spanish and Catalan)."""
    return selectors.number_text(value)


class NumberField(forms.CharField):
    """A number typed with a decimal comma or a decimal point; empty means no value."""

    default_error_messages = {"invalid": _("Enter a number, such as 12,5 or 12.5.")}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = importer.parse_number(text)
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class ScorecardForm(forms.Form):
    """A scorecard's details and the territories it weighs: ticked one by one, or every place
    of a level within a territory (all comunas of a region, all neighbourhoods of a comuna)."""

    PICK, LEVEL = "pick", "level"

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the program looks for in a territory, and who took part in weighing."),
    )
    cycle = forms.ModelChoiceField(
        label=_("Cycle"),
        queryset=Cycle.objects.none(),
        required=False,
        empty_label=_("No particular cycle"),
    )
    seats_to_fill = forms.IntegerField(
        label=_("Territories to select"),
        min_value=1,
        max_value=services.MAX_CANDIDATES,
        initial=1,
        help_text=_("How many territories the program can take on."),
    )
    source = forms.ChoiceField(
        label=_("Candidate territories"),
        choices=[
            (PICK, _("Tick the territories one by one")),
            (LEVEL, _("Every place of one level within a territory")),
        ],
        initial=PICK,
        widget=forms.RadioSelect,
    )
    territories = TerritoryMultipleChoiceField(
        label=_("Territories"),
        queryset=Territory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    within = TerritoryChoiceField(
        label=_("Within"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=_("Choose a territory"),
        help_text=_("A country, a region or a municipality."),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[("", _("Choose a level")), *Territory.Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(
        self, *args: Any, program: Program, current: Sequence[int] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cycle = cast(forms.ModelChoiceField, self.fields["cycle"])
        cycle.queryset = Cycle.objects.filter(program=program).order_by("number")
        # The territories a scorecard weighs stay on the list even when they lie outside the
        # program's: unticking them must be a choice, not a side effect of the list.
        places = selectors.selectable_territories(program) | Territory.objects.filter(
            pk__in=list(current)
        )
        cast(forms.ModelMultipleChoiceField, self.fields["territories"]).queryset = places
        cast(forms.ModelChoiceField, self.fields["within"]).queryset = selectors.area_territories()

    @property
    def level_fields(self) -> list[Any]:
        return [self["within"], self["level"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == self.LEVEL:
            within, level = data.get("within"), data.get("level")
            if within is None:
                self.add_error("within", _("Choose the territory whose places to weigh."))
            if level is None:
                self.add_error("level", _("Choose the level of the places to weigh."))
            if within is not None and level is not None:
                chosen = list(selectors.territories_at_level(within, level))
                if not chosen:
                    self.add_error(
                        "level",
                        _("%(territory)s has no places of this level.") % {"territory": within},
                    )
                data["chosen"] = chosen
        elif data.get("source") == self.PICK:
            chosen = list(data.get("territories") or [])
            if not chosen:
                self.add_error("territories", _("Tick at least one territory."))
            data["chosen"] = chosen
        return data


class CriterionAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    weight = forms.DecimalField(
        label=_("Weight"), min_value=0, max_value=WEIGHT_MAX, decimal_places=2, initial=1
    )
    higher_is_better = forms.TypedChoiceField(
        label=_("Which values are better?"),
        choices=[("1", _("Higher values")), ("0", _("Lower values"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[], initial=CriterionKind.CUSTOM)

    def __init__(self, *args: Any, present_kinds: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(CriterionKind.CUSTOM.value, _("Other criterion, entered by hand"))]
        choices += [
            (kind.value, kind.label) for kind in services.FIXED_KINDS if kind not in present_kinds
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = choices
        if len(choices) == 1:
            self.fields["kind"].widget = forms.HiddenInput()


class CriteriaForm(forms.Form):
    """Every criterion's name, weight and direction, edited together."""

    def __init__(self, *args: Any, criteria: Sequence[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            pk = criterion.pk
            self.fields[f"name_{pk}"] = forms.CharField(
                label=_("Name"), max_length=120, initial=criterion.name
            )
            self.fields[f"weight_{pk}"] = forms.DecimalField(
                label=_("Weight"),
                min_value=0,
                max_value=WEIGHT_MAX,
                decimal_places=2,
                initial=plain_number(criterion.weight),
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )
            self.fields[f"higher_{pk}"] = forms.TypedChoiceField(
                label=_("Which values are better?"),
                choices=[("1", _("Higher values")), ("0", _("Lower values"))],
                coerce=lambda v: v == "1",
                initial="1" if criterion.higher_is_better else "0",
                widget=forms.RadioSelect,
            )

    def rows(self) -> list[tuple[Criterion, Any, Any, Any]]:
        return [
            (c, self[f"name_{c.pk}"], self[f"weight_{c.pk}"], self[f"higher_{c.pk}"])
            for c in self.criteria
        ]

    def changes(self) -> dict[int, services.CriterionChange]:
        data = self.cleaned_data
        return {
            c.pk: services.CriterionChange(
                name=data[f"name_{c.pk}"],
                weight=data[f"weight_{c.pk}"],
                higher_is_better=data[f"higher_{c.pk}"],
            )
            for c in self.criteria
        }


class WhatIfForm(forms.Form):
    """Weights to try (a GET form: nothing is saved). A blank weight keeps the saved one."""

    def __init__(self, *args: Any, criteria: Sequence[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"w{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                required=False,
                min_value=0,
                max_value=WEIGHT_MAX,
                decimal_places=2,
                initial=plain_number(criterion.weight),
                widget=forms.NumberInput(
                    attrs={"step": "any", "inputmode": "decimal", "class": "whatif-weight"}
                ),
                error_messages={
                    "min_value": _("A weight cannot be negative."),
                    "max_value": _("Enter a weight up to %(limit_value)s."),
                    "invalid": _("Enter the weight as a number."),
                },
            )

    @classmethod
    def asks(cls, query: Any) -> bool:
        """Whether the request carries weights to try."""
        return any(key.startswith("w") and key[1:].isdigit() for key in query)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = self.weights_or_none(data)
        if weights is not None and not any(w > 0 for w in weights.values()):
            raise ValidationError(
                _(
                    "Give at least one criterion a weight above zero: otherwise every territory"
                    " scores 0."
                )
            )
        return data

    def weights_or_none(self, data: dict[str, Any]) -> dict[int, Decimal] | None:
        if any(f"w{c.pk}" in self.errors for c in self.criteria):
            return None
        return {
            c.pk: c.weight if data.get(f"w{c.pk}") is None else data[f"w{c.pk}"]
            for c in self.criteria
        }

    def weights(self) -> dict[int, Decimal]:
        weights = self.weights_or_none(self.cleaned_data)
        assert weights is not None
        return weights

    def differs_from_saved(self) -> bool:
        return any(self.weights()[c.pk] != c.weight for c in self.criteria)


class ValuesForm(forms.Form):
    """The grid of values: one value, evidence and evidence link per territory and criterion.
    The organizations criterion is counted from the registry and is not in the grid."""

    def __init__(
        self,
        *args: Any,
        criteria: Sequence[Criterion],
        candidates: Sequence[Candidate],
        values: dict[tuple[int, int], CriterionValue],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = [c for c in criteria if c.kind != CriterionKind.ORGANIZATIONS]
        self.counted = [c for c in criteria if c.kind == CriterionKind.ORGANIZATIONS]
        self.candidates = list(candidates)
        self.values = values
        for candidate in self.candidates:
            for criterion in self.criteria:
                key = f"{candidate.pk}_{criterion.pk}"
                current = values.get((candidate.pk, criterion.pk))
                self.fields[f"v_{key}"] = NumberField(
                    label=_("%(criterion)s in %(territory)s")
                    % {"criterion": criterion.name, "territory": candidate.territory.name},
                    required=False,
                    initial=local_number(current.value) if current else "",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )
                self.fields[f"e_{key}"] = forms.CharField(
                    label=_("Evidence"),
                    required=False,
                    max_length=2000,
                    initial=current.evidence if current else "",
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                self.fields[f"u_{key}"] = forms.URLField(
                    label=_("Evidence link"),
                    required=False,
                    assume_scheme="https",
                    initial=current.evidence_url if current else "",
                )

    def grid(self) -> list[tuple[Candidate, list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """Per territory: the cells to fill (criterion, value, evidence and link fields, the
        current value) and the counted ones (criterion, current value)."""
        rows = []
        for candidate in self.candidates:
            cells: list[tuple[Any, ...]] = [
                (
                    criterion,
                    self[f"v_{candidate.pk}_{criterion.pk}"],
                    self[f"e_{candidate.pk}_{criterion.pk}"],
                    self[f"u_{candidate.pk}_{criterion.pk}"],
                    self.values.get((candidate.pk, criterion.pk)),
                )
                for criterion in self.criteria
            ]
            counted: list[tuple[Any, ...]] = [
                (c, self.values.get((candidate.pk, c.pk))) for c in self.counted
            ]
            rows.append((candidate, cells, counted))
        return rows

    def entries(self) -> dict[tuple[int, int], services.ValueEntry | None]:
        """The cells that changed (the service writes only those)."""
        data = self.cleaned_data
        entries: dict[tuple[int, int], services.ValueEntry | None] = {}
        for candidate in self.candidates:
            for criterion in self.criteria:
                key = f"{candidate.pk}_{criterion.pk}"
                value = data.get(f"v_{key}")
                evidence = (data.get(f"e_{key}") or "").strip()
                url = (data.get(f"u_{key}") or "").strip()
                current = self.values.get((candidate.pk, criterion.pk))
                if value is None:
                    if current is not None:
                        entries[candidate.pk, criterion.pk] = None
                    continue
                if current is not None and (
                    current.value,
                    current.evidence,
                    current.evidence_url,
                ) == (
                    value.quantize(Decimal("0.0001")),
                    evidence,
                    url,
                ):
                    continue
                entries[candidate.pk, criterion.pk] = services.ValueEntry(
                    value=value, evidence=evidence, evidence_url=url
                )
        return entries


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV file (UTF-8) or an Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(
                _("The file is too large (more than %(size)s MB).")
                % {"size": MAX_UPLOAD // (1024 * 1024)}
            )
        return upload


class DecisionForm(forms.Form):
    selected = forms.TypedMultipleChoiceField(
        label=_("Territories the program will work in"),
        choices=[],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select the territories the program will work in.")},
    )
    reasons = forms.CharField(
        label=_("Reasons for the decision"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_(
            "Why these territories: what the ranking showed, what else was weighed, and who took"
            " part. Published with the decision."
        ),
        error_messages={"required": _("Write the reasons for the decision.")},
    )

    def __init__(self, *args: Any, candidates: Sequence[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {c.pk: c for c in candidates}
        cast(forms.TypedMultipleChoiceField, self.fields["selected"]).choices = [
            (c.pk, c.territory.name) for c in candidates
        ]

    def territories(self) -> list[Territory]:
        return [self.candidates[pk].territory for pk in self.cleaned_data["selected"]]
