"""Forms of the needs register and of prioritization sessions: plain HTML controls that work on
any phone without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.core.models import Program, Territory, Theme
from tejido.network.surveys.forms import TerritoryChoiceField
from tejido.network.transfer.importer import too_large_message

from ..models import (
    Body,
    Meeting,
    Need,
    NeedSource,
    NeedStatus,
    PrioritizationInput,
    PrioritizationMethod,
    PrioritizationSession,
    SessionCriterion,
)
from .selectors import (
    HANLON_HELP,
    NeedFilters,
    criterion_label,
    is_pearl,
    open_needs_in,
    program_area,
    program_meetings,
)
from .services import DEFAULT_TOP, MAX_DOTS

UPLOAD_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


class AreaTerritoryField(TerritoryChoiceField):
    """Territories of the program as an indented tree, relative to the shallowest one."""

    def label_from_instance(self, obj: Any) -> str:
        depth = obj.path.count("/") - getattr(self, "top_depth", 2)
        return "\u2003" * max(depth, 0) + obj.name


def _area_field(field: forms.Field, program: Program) -> None:
    area = list(program_area(program))
    territory = cast(AreaTerritoryField, field)
    territory.queryset = Territory.objects.filter(pk__in=[t.pk for t in area]).order_by("path")
    territory.top_depth = min((t.path.count("/") for t in area), default=2)  # type: ignore[attr-defined]


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        day = date_format(localtime(obj.starts_at), "SHORT_DATE_FORMAT")
        return f"{day} · {obj.title} ({obj.body.name})"


# -- the needs page ---------------------------------------------------------------------------


class NeedFilterForm(forms.Form):
    """What the needs page shows (a GET form: every filter is in the address)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    territory = forms.CharField(required=False)
    theme = forms.CharField(required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *NeedStatus.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *NeedSource.choices]
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program

    def filters(self) -> NeedFilters:
        """The filters asked for; unknown or malformed values are ignored, not errors."""
        self.is_valid()  # an invalid value leaves that filter out of cleaned_data
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        territory = None
        raw = (data.get("territory") or "").strip()
        if raw.isdigit():
            territory = Territory.objects.filter(pk=int(raw)).first()
        theme, no_theme = None, False
        raw = (data.get("theme") or "").strip()
        if raw == "none":
            no_theme = True
        elif raw.isdigit():
            theme = Theme.objects.filter(pk=int(raw)).first()
        return NeedFilters(
            territory=territory,
            theme=theme,
            no_theme=no_theme,
            status=data.get("status") or "",
            source=data.get("source") or "",
            query=" ".join((data.get("q") or "").split()),
        )


class NeedForm(forms.Form):
    title = forms.CharField(
        label=_("Need"),
        max_length=200,
        help_text=_("In a few words, as neighbours would say it."),
    )
    territory = AreaTerritoryField(label=_("Territory"), queryset=Territory.objects.none())
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.none(),
        empty_label=_("No theme"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happens, where, since when, who is affected."),
    )
    people_affected = forms.IntegerField(
        label=_("People affected"),
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("An estimate is enough. Leave it empty if nobody knows."),
    )
    source = forms.ChoiceField(
        label=_("Where it comes from"),
        choices=NeedSource.choices,
        initial=NeedSource.DIAGNOSIS,
    )
    source_meeting = MeetingChoiceField(
        label=_("Raised at the meeting"),
        required=False,
        queryset=Meeting.objects.none(),
        empty_label=_("None, or a meeting not recorded here"),
        help_text=_("Only for needs raised at a meeting."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _area_field(self.fields["territory"], program)
        cast(forms.ModelChoiceField, self.fields["theme"]).queryset = Theme.objects.order_by("name")
        meetings = list(program_meetings(program))
        meeting_field = cast(forms.ModelChoiceField, self.fields["source_meeting"])
        meeting_field.queryset = (
            Meeting.objects.filter(pk__in=[m.pk for m in meetings])
            .select_related("body")
            .order_by("-starts_at", "-pk")
        )
        if not meetings:
            del self.fields["source_meeting"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source_meeting") and data.get("source") != NeedSource.MEETING:
            self.add_error(
                "source_meeting", _("Only a need raised at a meeting names the meeting.")
            )
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "territory": data["territory"],
            "title": data["title"],
            "theme": data.get("theme"),
            "description": data.get("description", ""),
            "source": data["source"],
            "source_meeting": data.get("source_meeting"),
            "people_affected": data.get("people_affected"),
        }

    @staticmethod
    def initial_from(need: Need) -> dict[str, Any]:
        return {
            "title": need.title,
            "territory": need.territory_id,
            "theme": need.theme_id,
            "description": need.description,
            "people_affected": need.people_affected,
            "source": need.source,
            "source_meeting": need.source_meeting_id,
        }


class NeedStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=NeedStatus.choices)


class NeedImportForm(forms.Form):
    file = forms.FileField(
        label=_("File of needs"),
        help_text=_("CSV (UTF-8) or Excel (.xlsx), one need per row, with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_EXTENSIONS)}),
    )
    check_only = forms.BooleanField(
        label=_("Only check the file, import nothing yet"),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.TEJIDO_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_large_message(upload.size, limit))
        if not upload.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))
        return upload


# -- sessions ---------------------------------------------------------------------------------


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.territory.name})" if obj.territory_id else obj.name


class NeedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.title


class SessionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Prioritization of needs 2025")}),
    )
    territory = AreaTerritoryField(
        label=_("Territory"),
        queryset=Territory.objects.none(),
        help_text=_("The session takes open needs of this territory and the places within it."),
    )
    body = BodyChoiceField(
        label=_("Body whose members give their input"),
        required=False,
        queryset=Body.objects.none(),
        empty_label=_("None: the program's coordinators and directorate members"),
        help_text=_("With a body, each current seat gives one input (its holder or alternate)."),
    )
    meeting = MeetingChoiceField(
        label=_("Held at the meeting"),
        required=False,
        queryset=Meeting.objects.none(),
        empty_label=_("No meeting"),
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=PrioritizationMethod.choices,
        initial=PrioritizationMethod.HANLON,
        widget=forms.RadioSelect,
    )
    dots_per_participant = forms.IntegerField(
        label=_("Dots per participant"),
        min_value=1,
        max_value=MAX_DOTS,
        initial=5,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Dot voting only."),
    )
    needs = NeedChoiceField(
        label=_("Needs to prioritize"),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, program: Program, territory: Territory | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        _area_field(self.fields["territory"], program)
        cast(forms.ModelChoiceField, self.fields["body"]).queryset = (
            Body.objects.filter(program=program).select_related("territory").order_by("name")
        )
        meetings = list(program_meetings(program))
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = (
            Meeting.objects.filter(pk__in=[m.pk for m in meetings])
            .select_related("body")
            .order_by("-starts_at", "-pk")
        )
        self.chosen_territory = territory
        needs = cast(forms.ModelMultipleChoiceField, self.fields["needs"])
        needs.queryset = open_needs_in(program, territory) if territory else Need.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        if method == PrioritizationMethod.DOTS and not data.get("dots_per_participant"):
            self.add_error("dots_per_participant", _("Say how many dots each participant has."))
        return data


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=120, required=False)
    weight = forms.DecimalField(
        label=_("Weight"),
        min_value=0.01,
        max_value=1000,
        decimal_places=2,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    scale_min = forms.IntegerField(
        label=_("Lowest score"),
        min_value=0,
        max_value=99,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    scale_max = forms.IntegerField(
        label=_("Highest score"),
        min_value=1,
        max_value=100,
        initial=5,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("scale_min"), data.get("scale_max")
        if data.get("name") and low is not None and high is not None and high <= low:
            self.add_error("scale_max", _("The highest score must be above the lowest."))
        return data

    def spec(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("name"):
            return None
        return {
            "name": data["name"],
            "weight": data.get("weight") or 1,
            "scale_min": 1 if data.get("scale_min") is None else data["scale_min"],
            "scale_max": 5 if data.get("scale_max") is None else data["scale_max"],
        }


CriterionFormSet = forms.formset_factory(CriterionForm, extra=4, max_num=12, absolute_max=12)


class CloseForm(forms.Form):
    top = forms.IntegerField(
        label=_("How many needs to mark as prioritized"),
        min_value=1,
        initial=DEFAULT_TOP,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("The first needs of the ranking (excluded needs do not count)."),
    )

    def __init__(self, *args: Any, need_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = cast(forms.IntegerField, self.fields["top"])
        top.max_value = need_count
        top.validators.append(MaxValueValidator(need_count))
        top.widget.attrs["max"] = need_count
        top.initial = min(DEFAULT_TOP, need_count)


# -- a participant's input --------------------------------------------------------------------

CHIP_SCALE = 6
YES_NO = [(1, pgettext_lazy("feasible", "Yes")), (0, pgettext_lazy("feasible", "No"))]


class InputForm(forms.Form):
    """A participant's input. Criteria methods: one card per need with its criteria inside;
    dots: a number per need; ranked: a rank per need."""

    def __init__(
        self,
        *args: Any,
        session: PrioritizationSession,
        needs: Sequence[Need],
        criteria: Sequence[SessionCriterion],
        existing: PrioritizationInput | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.needs = list(needs)
        self.criteria = list(criteria)
        method = session.method
        content = existing.content if existing else {}
        if method in (PrioritizationMethod.HANLON, PrioritizationMethod.CRITERIA):
            scores = content.get("scores", {})
            for need in self.needs:
                given = scores.get(str(need.pk), {})
                for criterion in self.criteria:
                    key = self.criterion_key(criterion)
                    name = f"s-{need.pk}-{key}"
                    self.fields[name] = self._score_field(criterion)
                    if key in given:
                        self.initial[name] = given[key]
        elif method == PrioritizationMethod.DOTS:
            dots = content.get("dots", {})
            budget = session.dots_per_participant
            for need in self.needs:
                name = f"d-{need.pk}"
                self.fields[name] = forms.IntegerField(
                    label=need.title,
                    min_value=0,
                    max_value=budget,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "min": 0, "max": budget, "class": "dots"}
                    ),
                    error_messages={
                        "max_value": _("At most %(max)s dots.") % {"max": budget},
                        "min_value": _("No fewer than 0 dots."),
                        "invalid": _("Write a whole number of dots."),
                    },
                )
                self.initial[name] = dots.get(str(need.pk), 0)
        else:
            ranking = [int(n) for n in content.get("ranking", [])]
            choices = [("", "—"), *[(str(n), str(n)) for n in range(1, len(self.needs) + 1)]]
            for need in self.needs:
                name = f"r-{need.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=need.title,
                    choices=choices,
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
                if need.pk in ranking:
                    self.initial[name] = ranking.index(need.pk) + 1

    def criterion_key(self, criterion: SessionCriterion) -> str:
        return (
            criterion.code
            if self.session.method == PrioritizationMethod.HANLON
            else str(criterion.pk)
        )

    def _score_field(self, criterion: SessionCriterion) -> forms.Field:
        label = criterion_label(criterion)
        messages: dict[str, Any] = {
            "required": _("Choose a score for “%(criterion)s”.") % {"criterion": label},
            "invalid_choice": _("Choose a score from the list."),
        }
        if is_pearl(criterion):
            return forms.TypedChoiceField(
                label=label,
                choices=YES_NO,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=str(HANLON_HELP.get(criterion.code, "")),
                error_messages={
                    **messages,
                    "required": _("Answer yes or no for “%(criterion)s”.") % {"criterion": label},
                },
            )
        scale = range(criterion.scale_min, criterion.scale_max + 1)
        if len(scale) <= CHIP_SCALE:
            # A short scale is one tap: buttons, not a list to open.
            return forms.TypedChoiceField(
                label=label,
                choices=[(n, str(n)) for n in scale],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages=messages,
            )
        return forms.TypedChoiceField(
            label=label,
            choices=[("", "—"), *[(n, str(n)) for n in scale]],
            coerce=int,
            help_text=str(HANLON_HELP.get(criterion.code, "")),
            error_messages=messages,
        )

    def cards(self) -> list[dict[str, Any]]:
        """Per need: its bound fields, for the template's one-card-per-need layout."""
        cards = []
        for need in self.needs:
            if self.session.method in (PrioritizationMethod.HANLON, PrioritizationMethod.CRITERIA):
                fields = [self[f"s-{need.pk}-{self.criterion_key(c)}"] for c in self.criteria]
                scores = [f for f, c in zip(fields, self.criteria, strict=True) if not is_pearl(c)]
                pearl = [f for f, c in zip(fields, self.criteria, strict=True) if is_pearl(c)]
                cards.append({"need": need, "scores": scores, "pearl": pearl})
            elif self.session.method == PrioritizationMethod.DOTS:
                cards.append({"need": need, "field": self[f"d-{need.pk}"]})
            else:
                cards.append({"need": need, "field": self[f"r-{need.pk}"]})
        return cards

    def dots_placed(self) -> int:
        total = 0
        for need in self.needs:
            value = self[f"d-{need.pk}"].value()
            try:
                total += max(int(value or 0), 0)
            except (TypeError, ValueError):
                continue
        return total

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.session.method == PrioritizationMethod.RANKED:
            seen: dict[int, str] = {}
            for need in self.needs:
                rank = data.get(f"r-{need.pk}")
                if rank is None:
                    continue
                if rank in seen:
                    self.add_error(
                        f"r-{need.pk}",
                        _("“%(other)s” already has place %(rank)s.")
                        % {"other": seen[rank], "rank": rank},
                    )
                else:
                    seen[rank] = need.title
            if not seen and not self.errors:
                raise forms.ValidationError(_("Give at least one need a place."))
        return data

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        method = self.session.method
        if method in (PrioritizationMethod.HANLON, PrioritizationMethod.CRITERIA):
            return {
                "scores": {
                    str(need.pk): {
                        self.criterion_key(c): data[f"s-{need.pk}-{self.criterion_key(c)}"]
                        for c in self.criteria
                    }
                    for need in self.needs
                }
            }
        if method == PrioritizationMethod.DOTS:
            return {
                "dots": {
                    str(need.pk): data.get(f"d-{need.pk}") or 0
                    for need in self.needs
                    if data.get(f"d-{need.pk}")
                }
            }
        ranked = sorted(
            (data[f"r-{n.pk}"], n.pk) for n in self.needs if data.get(f"r-{n.pk}") is not None
        )
        return {"ranking": [pk for _rank, pk in ranked]}
