"""Forms of the shared social agendas: they read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme

from ..models import AGENDA_METHODS, ItemGroup, ItemKind, SpaceFormat
from .services import MAX_COMMENT, MAX_DOTS, MAX_INTRO, MAX_NOTE, MAX_SESSIONS, MAX_TEXT

METHOD_LABELS = {
    "dots": _("Dot voting: each entity spreads its dots over the groups"),
    "ranked": _("Ranking: each entity orders the groups, most important first"),
}


def territories_for(program: Program) -> QuerySet[Territory]:
    """The program's territories and the places inside them, in tree order."""
    paths = list(program.territories.values_list("path", flat=True))
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return Territory.objects.filter(condition).order_by("path")


class TerritoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * max(0, obj.path.count("/") - 2) + obj.name


class ThemeField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return obj.label


class EntityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class SpaceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What the space is for"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=MAX_TEXT,
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=SpaceFormat.choices,
        initial=SpaceFormat.SESSION,
        widget=forms.RadioSelect,
    )
    territory = TerritoryField(
        label=_("Territory"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=_("The whole program"),
    )
    themes = ThemeField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        help_text=_("What the space will talk about."),
    )
    method = forms.ChoiceField(
        label=_("How the groups will be prioritized"),
        choices=[(m, METHOD_LABELS[m]) for m in AGENDA_METHODS],
        initial="dots",
        widget=forms.RadioSelect,
    )
    dots_per_participant = forms.IntegerField(
        label=_("Dots per entity"),
        min_value=1,
        max_value=MAX_DOTS,
        initial=5,
        help_text=_("Only for dot voting."),
    )
    open_to_join = forms.BooleanField(
        label=_("Other entities of the program may join"), required=False, initial=True
    )
    # Where the service's refusals about the sessions are shown (the rows are a formset).
    sessions = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = self.fields["territory"]
        assert isinstance(territory, forms.ModelChoiceField)
        territory.queryset = territories_for(program)
        themes = self.fields["themes"]
        assert isinstance(themes, forms.ModelMultipleChoiceField)
        # The four transitions first, then the other themes.
        themes.queryset = Theme.objects.annotate(
            other=Case(When(transition="", then=Value(1)), default=Value(0))
        ).order_by("other", "name")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "format": data["format"],
            "territory": data.get("territory"),
            "themes": list(data.get("themes") or []),
            "method": data["method"],
            "dots_per_participant": data["dots_per_participant"],
            "open_to_join": bool(data.get("open_to_join")),
        }


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Session title"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=_("Place or link"), max_length=255, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) for name in ("title", "starts_at", "place"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("title") or data.get("place")) and not data.get("starts_at"):
            self.add_error("starts_at", _("Give the session a date and time."))
        return data


SessionFormSet = forms.formset_factory(SessionForm, extra=3, max_num=MAX_SESSIONS)


def session_values(formset: Any) -> list[dict[str, Any]]:
    return [
        {
            "title": f.cleaned_data.get("title", ""),
            "starts_at": f.cleaned_data["starts_at"],
            "place": f.cleaned_data.get("place", ""),
        }
        for f in formset.forms
        if f.is_valid() and not f.is_blank()
    ]


class EntityForm(forms.Form):
    """On behalf of which entity (one the user represents)."""

    actor = EntityField(label=_("On behalf of"), queryset=Actor.objects.none(), empty_label=None)

    def __init__(self, *args: Any, entities: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor = self.fields["actor"]
        assert isinstance(actor, forms.ModelChoiceField)
        actor.queryset = Actor.objects.filter(pk__in=[a.pk for a in entities]).order_by("name")
        if len(entities) == 1:
            actor.widget = forms.HiddenInput()
            self.initial.setdefault("actor", entities[0].pk)


class ItemForm(EntityForm):
    kind = forms.ChoiceField(label=_("It is"), choices=ItemKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("In a few words"), max_length=200)
    description = forms.CharField(
        label=_("Explain it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_TEXT,
    )
    transitions = ThemeField(
        label=_("Transitions"),
        queryset=Theme.objects.exclude(transition=""),
        required=False,
        help_text=_("Which of the four transitions it is about."),
    )


class GroupForm(forms.Form):
    title = forms.CharField(label=_("Group title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=MAX_TEXT,
    )


class AssignForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=ItemGroup.objects.none(),
        required=False,
        empty_label=_("No group"),
    )

    def __init__(self, *args: Any, groups: list[ItemGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ItemGroup.objects.filter(pk__in=[g.pk for g in groups])


class CommentForm(EntityForm):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_COMMENT
    )


class PriorityForm(EntityForm):
    """Dots per group, or a place per group; `content()` gives the shape `voting` reads."""

    def __init__(
        self, *args: Any, method: str, groups: list[ItemGroup], dots: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.method = method
        self.groups = groups
        for group in groups:
            name = f"group_{group.pk}"
            if method == "dots":
                self.fields[name] = forms.IntegerField(
                    label=group.title,
                    min_value=0,
                    max_value=dots,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
            else:
                self.fields[name] = forms.TypedChoiceField(
                    label=group.title,
                    choices=[("", _("Not ranked"))]
                    + [(str(n), str(n)) for n in range(1, len(groups) + 1)],
                    coerce=int,
                    empty_value=None,
                    required=False,
                )

    def group_fields(self) -> list[Any]:
        return [self[f"group_{g.pk}"] for g in self.groups]

    @staticmethod
    def initial_from(method: str, content: dict[str, Any] | None) -> dict[str, Any]:
        if not content:
            return {}
        if method == "dots":
            return {f"group_{k}": v for k, v in (content.get("dots") or {}).items()}
        return {f"group_{g}": n for n, g in enumerate(content.get("ranking") or [], start=1)}

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.method == "dots":
            return {
                "dots": {
                    str(g.pk): data.get(f"group_{g.pk}") or 0
                    for g in self.groups
                    if data.get(f"group_{g.pk}")
                }
            }
        placed = sorted(
            (data[f"group_{g.pk}"], g.pk) for g in self.groups if data.get(f"group_{g.pk}")
        )
        return {"ranking": [group_id for _place, group_id in placed]}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.method != "dots":
            places = [data.get(f"group_{g.pk}") for g in self.groups]
            given = [p for p in places if p]
            if len(given) != len(set(given)):
                raise forms.ValidationError(
                    _("Each place goes to one group: two groups share a place."), code="place"
                )
        return data


class PublishForm(forms.Form):
    intro = forms.CharField(
        label=_("Introduction to the agenda"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_INTRO,
        help_text=_("Who took part, how the agenda was built and what it asks for."),
    )


class EndorseForm(EntityForm):
    note = forms.CharField(label=_("A few words (optional)"), max_length=MAX_NOTE, required=False)
