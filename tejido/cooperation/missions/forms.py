"""Forms of the mission pages: plain controls that work on a phone without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor, Sector
from tejido.core.models import Program, Territory, Theme

from ..models import FollowUpOutcome, MissionParticipant, MissionStatus, StudyMission
from .countries import country_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "label", None) or obj.name)


class MissionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the participants go to learn, and from whom."),
    )
    destination = forms.CharField(
        label=_("Destination"), max_length=200, help_text=_("City or territory visited.")
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    starts_on = forms.DateField(label=_("First day"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE_INPUT)
    programme = forms.CharField(
        label=_("Programme"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One line per visit or activity, e.g. “Day 1 · Visit to the cooperative”."),
    )
    themes = ThemeChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hosts = forms.ModelMultipleChoiceField(
        label=_("Host organizations"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Organizations of the program that receive the visit."),
    )
    new_host_name = forms.CharField(
        label=_("New host organization"),
        max_length=200,
        required=False,
        help_text=_("Not in the registry yet? Write its name: it is added to the program."),
    )
    new_host_sector = forms.ChoiceField(
        label=_("Its sector"), choices=Sector.choices, initial=Sector.INTERNATIONAL
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating entities"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, program: Program, with_status: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organizations = Actor.objects.organizations().filter(program=program).order_by("name")
        self.fields["hosts"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["participants"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["themes"].queryset = Theme.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        if with_status:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=MissionStatus.choices
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The mission cannot end before it starts."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "title",
                "purpose",
                "destination",
                "country",
                "starts_on",
                "ends_on",
                "programme",
                "themes",
                "hosts",
                "participants",
                "new_host_name",
                "new_host_sector",
            )
        }
        if "status" in self.fields:
            values["status"] = data["status"]
        return values

    @staticmethod
    def initial_from(mission: StudyMission) -> dict[str, Any]:
        return {
            "title": mission.title,
            "purpose": mission.purpose,
            "destination": mission.destination,
            "country": mission.country,
            "starts_on": mission.starts_on,
            "ends_on": mission.ends_on,
            "programme": mission.programme,
            "status": mission.status,
            "themes": list(mission.themes.all()),
            "hosts": list(mission.hosts.all()),
            "participants": [p.actor for p in mission.participants.select_related("actor")],
        }


class ContactForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=_("Entity that made the contact"), queryset=MissionParticipant.objects.none()
    )
    contact = forms.ModelChoiceField(
        label=_("Organization met"),
        queryset=Actor.objects.none(),
        required=False,
        help_text=_("An organization of the program. Not there? Add it below."),
    )
    new_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    new_sector = forms.ChoiceField(
        label=_("Sector"), choices=Sector.choices, initial=Sector.INTERNATIONAL
    )
    new_country = forms.ChoiceField(label=_("Country"), required=False)
    new_territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.none(),
        required=False,
        help_text=_("Only if it is based in one of the program's territories."),
    )
    note = forms.CharField(
        label=_("What you talked about"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_steps = forms.CharField(
        label=_("Agreed follow-ups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you said you would do next, and who."),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        participants: list[MissionParticipant],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        field.queryset = MissionParticipant.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in participants]
        ).select_related("actor")
        field.label_from_instance = lambda p: p.actor.name  # type: ignore[attr-defined]
        if len(participants) == 1:
            self.fields["participant"].initial = participants[0].pk
        self.fields["contact"].queryset = (  # type: ignore[attr-defined]
            Actor.objects.organizations().filter(program=program).order_by("name")
        )
        self.fields["new_country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        self.fields["new_territory"].queryset = (  # type: ignore[attr-defined]
            Territory.objects.filter(based_actors__program=program).distinct().order_by("path")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("contact")
        named = (data.get("new_name") or "").strip()
        if chosen is None and not named:
            self.add_error("contact", _("Choose an organization of the program or name a new one."))
        elif chosen is not None and named:
            self.add_error("new_name", _("Either choose an organization or name a new one."))
        return data


class FollowUpForm(forms.Form):
    contact = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("What came of it"),
        choices=FollowUpOutcome.choices,
        widget=forms.RadioSelect,
    )
    outcome_note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TravellersForm(forms.Form):
    participant = forms.IntegerField(widget=forms.HiddenInput)
    travellers = forms.CharField(label=_("Who went"), max_length=255, required=False)
