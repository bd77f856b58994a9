"""Forms of the actor registry: the directory's search, actor create/edit, sensitive data, posts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.core.models import Program, Territory, Theme
from tejido.core.text import normalize_for_search

from .models import (
    Actor,
    ActorKind,
    Gender,
    Membership,
    Sector,
    SensitiveData,
    SizeBand,
    Stance,
)
from .selectors import DirectoryFilters, organizations_for_picker

# ---------------------------------------------------------------------------------------------
# Directory search


class _LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Keeps the known values and drops the rest: a stale link still opens the directory."""

    def clean(self, value: Any) -> list[str]:
        values = self.to_python(value)
        return [v for v in values if self.valid_value(v)]


class _SlugListField(forms.MultipleChoiceField):
    def clean(self, value: Any) -> list[str]:
        return [v for v in self.to_python(value) if v and len(v) <= 200][:20]


class DirectorySearchForm(forms.Form):
    """The directory's GET form. It never refuses a request: odd values fall back to defaults."""

    SORT_CHOICES = [("name", _("Name, A to Z")), ("-name", _("Name, Z to A"))]

    q = forms.CharField(label=_("Search actors"), required=False, max_length=200)
    sector = _LenientMultipleChoiceField(choices=Sector.choices, required=False)
    kind = _LenientMultipleChoiceField(choices=ActorKind.choices, required=False)
    territory = forms.SlugField(required=False, max_length=200)
    theme = _SlugListField(required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def search(self) -> dict[str, Any]:
        """Keyword arguments for `actor_directory` (without the program)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "filters": DirectoryFilters(
                sectors=frozenset(data.get("sector") or ()),
                kinds=frozenset(data.get("kind") or ()),
                territory=data.get("territory") or "",
                themes=frozenset(data.get("theme") or ()),
            ),
            "page": data.get("page") or 1,
            "descending": data.get("sort") == "-name",
        }


# ---------------------------------------------------------------------------------------------
# Widgets for long territory lists


def territory_groups(territories: Iterable[Territory]) -> list[tuple[str, list[Territory]]]:
    """Territories grouped under their parent's full name, groups and members sorted by name.

    A program's territories can number in the hundreds; grouped under "Chile › Región
    Metropolitana" they stay easy to scan in a select or a checkbox list.
    """
    by_id = {t.pk: t for t in territories}

    def trail(territory: Territory) -> str:
        names = [by_id[pk].name for pk in territory.ancestor_ids() if pk in by_id]
        return " › ".join([*names, territory.name])

    groups: dict[int | None, list[Territory]] = defaultdict(list)
    for territory in by_id.values():
        groups[territory.parent_id].append(territory)
    result = []
    for parent_id, members in groups.items():
        label = trail(by_id[parent_id]) if parent_id in by_id else str(_("Top level"))
        members.sort(key=lambda t: t.name.casefold())
        result.append((label, members))
    # Top level first, then by the parent's trail.
    result.sort(key=lambda group: (group[0] != str(_("Top level")), group[0].casefold()))
    return result


class _GroupedTerritoryIterator(forms.models.ModelChoiceIterator):
    """Yields territories as (group label, [choices]) so widgets render them grouped."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        territories = self.queryset.only("pk", "name", "level", "parent_id", "path")
        for label, members in territory_groups(territories):
            yield (label, [self.choice(t) for t in members])


class GroupedTerritoryChoiceField(forms.ModelChoiceField):
    """A select of territories with an <optgroup> per parent."""

    iterator = _GroupedTerritoryIterator

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Territory.objects.all(), **kwargs)


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes grouped by parent; each group folds away in a <details>, open if it has a
    checked box, so hundreds of territories stay manageable without JavaScript."""

    template_name = "actors/widgets/grouped_checkboxes.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["groups"] = [
            {
                "label": group_name,
                "options": options,
                "selected": sum(1 for option in options if option["selected"]),
            }
            for group_name, options, _index in context["widget"]["optgroups"]
        ]
        return context


class GroupedTerritoriesField(forms.ModelMultipleChoiceField):
    iterator = _GroupedTerritoryIterator
    widget = GroupedCheckboxes

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Territory.objects.all(), **kwargs)


# ---------------------------------------------------------------------------------------------
# Actor create / edit

SCORE_CHOICES = [("", _("Not assessed"))] + [(str(n), str(n)) for n in range(1, 6)]


class ScoreField(forms.TypedChoiceField):
    """A 1-5 score as a row of radio buttons, with "not assessed" for unknown."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", SCORE_CHOICES)
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.RadioSelect(attrs={"class": "score-choices"}))
        super().__init__(**kwargs)


class ActorForm(forms.ModelForm):
    """Every field a person recording an actor may set; the services keep the rest."""

    # Fields that only organizations and informal groups have.
    ORGANIZATION_ONLY = ("legal_form", "size", "founded_year")

    territory = GroupedTerritoryChoiceField(
        label=_("Based in"),
        required=False,
        empty_label=_("Not recorded"),
        help_text=_("Where the actor is based. Territories are grouped by the place they are in."),
    )
    territories_served = GroupedTerritoriesField(
        label=_("Territories served"),
        required=False,
        help_text=_("Places where the actor works, besides where it is based."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"}),
    )
    power = ScoreField(
        label=_("Power"), help_text=_("Influence over the territory: 1 is little, 5 is a lot.")
    )
    interest = ScoreField(
        label=_("Interest"), help_text=_("Interest in the program: 1 is little, 5 is a lot.")
    )
    founded_year = forms.IntegerField(
        label=_("Founding year"),
        required=False,
        min_value=1800,
        max_value=2100,
        help_text=_("A year between 1800 and 2100."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Actor
        fields = [
            "kind",
            "name",
            "sector",
            "legal_form",
            "size",
            "founded_year",
            "description",
            "territory",
            "territories_served",
            "themes",
            "email",
            "phone",
            "website",
            "address",
            "power",
            "interest",
            "stance",
        ]
        widgets = {
            "kind": forms.RadioSelect(attrs={"class": "kind-choices"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "website": forms.URLInput(attrs={"placeholder": "https://"}),
        }
        help_texts = {
            "legal_form": _("For example: community organization under Law 19,418, foundation."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.initial.get("kind"):
            self.initial["kind"] = ActorKind.ORGANIZATION
        choices = {
            "kind": ActorKind.choices,  # no empty choice for a radio list
            "sector": [("", _("Choose a sector")), *Sector.choices],
            "stance": [("", _("Not assessed")), *Stance.choices],
            "size": [("", _("Not recorded")), *SizeBand.choices],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        theme_field = self.fields["themes"]
        theme_field.label_from_instance = lambda theme: theme.label  # type: ignore[attr-defined]
        for name in ("power", "interest"):
            # Radio buttons post strings; show the stored number as checked.
            if self.instance.pk and getattr(self.instance, name) is not None:
                self.initial[name] = str(getattr(self.instance, name))

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise ValidationError(_("Give the actor a name."))
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("kind") == ActorKind.PERSON:
            # A person has no legal form, size band or founding year; those inputs are hidden
            # for people.
            for name in self.ORGANIZATION_ONLY:
                cleaned[name] = None if name == "founded_year" else ""
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for `actor_create` / `actor_update`."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in self.Meta.fields
            if name not in ("themes", "territories_served")
        }
        for name in ("power", "interest"):
            fields[name] = data.get(name)
        return {
            **fields,
            "themes": list(data.get("themes") or []),
            "territories_served": list(data.get("territories_served") or []),
        }


DEFAULT_CONSENT_TEXT = _(
    "The person agreed that their gender is recorded in Tejido, seen only by the program's "
    "coordinators and reported only in aggregate (groups of fewer than five are never shown). "
    "They know they can withdraw this consent at any time, which erases the data."
)


class SensitiveDataForm(forms.Form):
    """A person's gender, stored only with a confirmed consent (coordinators only)."""

    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("Not recorded")), *Gender.choices],
    )
    consent_text = forms.CharField(
        label=_("Consent wording"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the person agreed to. It is stored with the date and your name."),
    )
    consent_confirmed = forms.BooleanField(
        label=_("I confirm that the person gave this consent."),
        required=False,
        help_text=_("Needed whenever a gender is recorded or changed."),
    )

    def __init__(self, *args: Any, current: SensitiveData | None = None, **kwargs: Any) -> None:
        self.current = current if current is not None and current.gender else None
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("gender", self.current.gender if self.current else "")
        initial.setdefault(
            "consent_text", self.current.consent_text if self.current else DEFAULT_CONSENT_TEXT
        )
        super().__init__(*args, **kwargs)

    @property
    def prefix_name(self) -> str:
        return self.prefix or ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        gender = cleaned.get("gender") or ""
        unchanged = self.current is not None and gender == self.current.gender
        if gender and not unchanged:
            if not (cleaned.get("consent_text") or "").strip():
                self.add_error(
                    "consent_text",
                    _("Write down what the person agreed to, or leave gender empty."),
                )
            if not cleaned.get("consent_confirmed"):
                self.add_error(
                    "consent_confirmed",
                    _(
                        "Gender can only be stored with the person's consent. Confirm the "
                        "consent, or leave gender as “Not recorded”."
                    ),
                )
        return cleaned

    @property
    def action(self) -> str:
        """What saving does: 'record' a new gender, 'withdraw' the stored one, or 'keep'."""
        gender = self.cleaned_data.get("gender") or ""
        if self.current is None:
            return "record" if gender else "keep"
        if not gender:
            return "withdraw"
        return "keep" if gender == self.current.gender else "record"


# ---------------------------------------------------------------------------------------------
# Posts and memberships


class MembershipForm(forms.Form):
    """A post a person holds in an organization of the same program.

    The organization is found by name (programs can have thousands): with JavaScript the
    matches appear as the user types; without it, a name matching one organization is enough
    and several matches are offered as choices.
    """

    organization_query = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        help_text=_("Type part of the name of an organization or group of this program."),
    )
    organization = forms.IntegerField(required=False, widget=forms.RadioSelect)
    post_label = forms.CharField(
        label=_("Post"),
        max_length=120,
        required=False,
        help_text=_("For example: president, treasurer, member."),
    )
    start_date = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    MAX_MATCHES = 8

    def __init__(self, *args: Any, program: Program, person: Actor, **kwargs: Any) -> None:
        self.program = program
        self.person = person
        self.matches: list[Actor] = []
        super().__init__(*args, **kwargs)

    def organization_matches(self, query: str) -> list[Actor]:
        words = normalize_for_search(query).split()
        if not words:
            return []
        queryset = organizations_for_picker(self.program).exclude(pk=self.person.pk)
        for word in words[:8]:
            queryset = queryset.filter(search_text__contains=word)
        return list(queryset.select_related("territory")[: self.MAX_MATCHES + 1])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        organization_id = cleaned.get("organization")
        query = (cleaned.get("organization_query") or "").strip()
        organization = None
        if organization_id:
            organization = organizations_for_picker(self.program).filter(pk=organization_id).first()
            if organization is None:
                self.add_error(
                    "organization_query",
                    _("Choose an organization or group of this program."),
                )
        elif not query:
            self.add_error("organization_query", _("Type the name of the organization."))
        else:
            self.matches = self.organization_matches(query)
            exact = [a for a in self.matches if a.name.casefold() == query.casefold()]
            if len(exact) == 1:
                organization = exact[0]
            elif len(self.matches) == 1:
                organization = self.matches[0]
            elif not self.matches:
                self.add_error(
                    "organization_query",
                    _("No organization or group of this program matches “%(query)s”.")
                    % {"query": query},
                )
            else:
                self.add_error(
                    "organization_query",
                    _("Several organizations match; choose one below."),
                )
        cleaned["organization_actor"] = organization
        label = (cleaned.get("post_label") or "").strip()
        if (
            organization is not None
            and Membership.objects.filter(
                person=self.person,
                organization=organization,
                post__label=label or None,
                start_date=cleaned.get("start_date"),
            ).exists()
        ):
            self.add_error(None, _("This post is already recorded for this person."))
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        if start and start > timezone.localdate().replace(year=timezone.localdate().year + 5):
            self.add_error("start_date", _("That start date is too far in the future."))
        return cleaned
