"""Forms of the learning community: one column of plain controls that work on a phone without
JavaScript, each with a hint that says what to write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program, Territory, Theme

from ..models import (
    CommentKind,
    ContentLanguage,
    DigestFrequency,
    Exchange,
    Experience,
    ProgramStage,
    ReactionKind,
    Visibility,
)
from .services import MAX_COMMENT_LENGTH, MAX_NOTE_LENGTH

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def territories_for(program: Program) -> QuerySet[Territory]:
    """The program's territories with the places inside them, and every place one of its
    actors is based in with its ancestors, in tree order."""
    paths = list(program.territories.values_list("path", flat=True))
    based = Territory.objects.filter(based_actors__program=program).values_list("path", flat=True)
    ids = {int(part) for path in [*paths, *based] for part in path.strip("/").split("/") if part}
    condition = Q(pk__in=ids)
    for path in paths:
        condition |= Q(path__startswith=path)
    return Territory.objects.filter(condition).order_by("path")


class TerritoryField(forms.ModelChoiceField):
    """Territories as an indented tree (their materialized path gives the depth)."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * max(0, obj.path.count("/") - 2) + obj.name


class _ThemeIterator(forms.models.ModelChoiceIterator):
    """The four transitions first, grouped as such, then the other themes."""

    def __iter__(self) -> Any:
        themes = sorted(self.queryset, key=lambda t: (not t.transition, t.label.casefold()))
        transitions = [self.choice(t) for t in themes if t.transition]
        others = [self.choice(t) for t in themes if not t.transition]
        if transitions:
            yield (str(_("Transition")), transitions)
        if others:
            yield (str(_("Other themes")), others)


class ThemeChoices(forms.ModelMultipleChoiceField):
    iterator = _ThemeIterator
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return obj.label


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class OrganizationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ExperienceForm(forms.Form):
    organization = OrganizationField(
        label=_("On behalf of"),
        queryset=Actor.objects.none(),
        empty_label=None,
        help_text=_("The organization that lived this experience."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("Say it in a few words, e.g. “A community garden on a vacant lot”."),
    )
    context = forms.CharField(
        label=_("Context"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was the situation before? Who was involved, what was missing?"),
    )
    what_was_done = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What did you do, with whom, and how did you organize yourselves?"),
    )
    what_happened = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changed? What worked and what did not? Numbers help if you have them."),
    )
    lessons = forms.CharField(
        label=_("What we learned"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What would you tell another organization that wants to try it?"),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What backs it up: minutes, a press note, a report. Paste links (https://…), one "
            "per line."
        ),
    )
    evidence_files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("Photos or documents: PDF, JPG or PNG, up to 10 files."),
    )
    remove_files = forms.TypedMultipleChoiceField(
        label=_("Remove files"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    territory = TerritoryField(
        label=_("Territory"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=_("Not tied to one territory"),
        help_text=_("Where it happened."),
    )
    themes = ThemeChoices(
        label=_("Transitions and themes"),
        queryset=Theme.objects.all(),
        required=False,
        help_text=_("Which of the four transitions it serves, and other themes."),
    )
    stage = forms.ChoiceField(
        label=_("Program stage"),
        required=False,
        choices=[("", _("Not a particular stage")), *ProgramStage.choices],
        help_text=_("The stage of the program it comes from."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=ContentLanguage.choices,
        initial=ContentLanguage.SPANISH,
        help_text=_("The language you write in: search understands its word forms."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
        help_text=_("Public experiences can be read by anyone, once published."),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        organizations: list[Actor],
        experience: Experience | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        ids = [a.pk for a in organizations]
        if experience is not None and experience.organization_id not in ids:
            ids.append(experience.organization_id)
        organization_field = self.fields["organization"]
        assert isinstance(organization_field, forms.ModelChoiceField)
        organization_field.queryset = Actor.objects.filter(pk__in=ids).order_by("name")
        territory_field = self.fields["territory"]
        assert isinstance(territory_field, forms.ModelChoiceField)
        territory_field.queryset = territories_for(program)
        if experience is None:
            del self.fields["remove_files"]
        else:
            self.fields["remove_files"].choices = [  # type: ignore[attr-defined]
                (f.pk, f.name) for f in experience.files.all()
            ]

    @classmethod
    def initial_from(cls, experience: Experience) -> dict[str, Any]:
        return {
            "organization": experience.organization_id,
            "title": experience.title,
            "context": experience.context,
            "what_was_done": experience.what_was_done,
            "what_happened": experience.what_happened,
            "lessons": experience.lessons,
            "evidence": experience.evidence,
            "territory": experience.territory_id,
            "themes": [t.pk for t in experience.themes.all()],
            "stage": experience.stage,
            "language": experience.language,
            "visibility": experience.visibility,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            key: data[key]
            for key in (
                "organization",
                "title",
                "context",
                "what_was_done",
                "what_happened",
                "lessons",
                "evidence",
                "territory",
                "themes",
                "stage",
                "language",
                "visibility",
            )
        }
        values["files"] = data.get("evidence_files") or []
        if "remove_files" in self.fields:
            values["remove_files"] = data.get("remove_files") or []
        return values


class ExperienceFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    territory = forms.ModelChoiceField(queryset=Territory.objects.all(), required=False)
    theme = forms.ModelChoiceField(queryset=Theme.objects.all(), required=False)
    stage = forms.ChoiceField(choices=[("", ""), *ProgramStage.choices], required=False)
    organization = forms.ModelChoiceField(queryset=Actor.objects.none(), required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Actor.objects.filter(program=program)

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for `experience_listing`: unknown values are ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "filters": {
                name: data.get(name) for name in ("territory", "theme", "stage", "organization")
            },
            "page_number": self.data.get("page") or 1,
        }


class CommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=[
            (CommentKind.COMMENT, _("A comment")),
            (CommentKind.QUESTION, _("A question for the organization")),
        ],
        initial=CommentKind.COMMENT,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Your text"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT_LENGTH}),
        help_text=_("Be kind and concrete. Up to 5,000 characters."),
        # Length is checked by the service, with the same message as other channels.
        strip=True,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organization = OrganizationField(
        label=_("On behalf of"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("Myself"),
    )

    def __init__(self, *args: Any, organizations: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Actor.objects.filter(pk__in=[a.pk for a in organizations]).order_by("name")
        if not organizations:
            del self.fields["organization"]
        if self.data.get("parent"):
            self.fields["kind"].required = False


class TriedTooForm(forms.Form):
    organization = OrganizationField(
        label=_("On behalf of"), queryset=Actor.objects.none(), empty_label=None
    )
    note = forms.CharField(
        label=_("How did it go for you?"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organizations: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Actor.objects.filter(pk__in=[a.pk for a in organizations]).order_by("name")


REACTION_KINDS = ReactionKind.values


class ExchangeForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("E.g. “Encuentro de huertas comunitarias: La Pintana y Puente Alto”."),
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    territories = forms.ModelMultipleChoiceField(
        label=_("Territories that took part"),
        queryset=Territory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating organizations"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people_count = forms.IntegerField(
        label=_("Number of people"), min_value=0, max_value=100000, initial=0
    )
    outcomes = forms.CharField(
        label=_("Outcomes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What came out of it: agreements, next steps, what each territory takes home."),
    )
    experiences = forms.ModelMultipleChoiceField(
        label=_("Experiences shared"),
        queryset=Experience.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    records_ties = forms.BooleanField(
        label=_("Record ties among the organizations of different territories"),
        required=False,
        initial=True,
        help_text=_(
            "Each pair of organizations from different territories gets an information "
            "exchange tie; a stronger tie they already have is kept."
        ),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territories = self.fields["territories"]
        assert isinstance(territories, forms.ModelMultipleChoiceField)
        territories.queryset = territories_for(program)
        territories.label_from_instance = lambda t: t.name  # type: ignore[method-assign,assignment]
        participants = self.fields["participants"]
        assert isinstance(participants, forms.ModelMultipleChoiceField)
        participants.queryset = (
            Actor.objects.organizations()
            .filter(program=program)
            .select_related("territory")
            .order_by("name")
        )
        participants.label_from_instance = lambda a: (  # type: ignore[method-assign,assignment]
            f"{a.name} · {a.territory.name}" if a.territory_id else a.name
        )
        experiences = self.fields["experiences"]
        assert isinstance(experiences, forms.ModelMultipleChoiceField)
        experiences.queryset = (
            Experience.objects.filter(program=program).published().order_by("title")
        )

    @classmethod
    def initial_from(cls, exchange: Exchange) -> dict[str, Any]:
        return {
            "title": exchange.title,
            "held_on": exchange.held_on,
            "place": exchange.place,
            "territories": [t.pk for t in exchange.territories.all()],
            "participants": [a.pk for a in exchange.participants.all()],
            "people_count": exchange.people_count,
            "outcomes": exchange.outcomes,
            "experiences": [e.pk for e in exchange.experiences.all()],
            "records_ties": exchange.records_ties,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "held_on": data["held_on"],
            "place": data.get("place") or "",
            "territories": list(data.get("territories") or []),
            "participants": list(data.get("participants") or []),
            "people_count": data.get("people_count") or 0,
            "outcomes": data.get("outcomes") or "",
            "experiences": list(data.get("experiences") or []),
            "records_ties": bool(data.get("records_ties")),
        }


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often do you want the digest?"),
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
    )
