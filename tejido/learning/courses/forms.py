"""Forms of the training pages: plain controls that work on a phone without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Cycle, Program, Territory, Theme

from ..models import Cohort, CohortStatus, Competency, Course, Module, Session
from . import selectors

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.email


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences: who it is for and what it gives them."),
    )
    learning_goals = forms.CharField(
        label=_("Learning goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line. They are printed on the certificate."),
    )
    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies developed"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_competencies = forms.CharField(
        label=_("New competencies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: they are added to the program's list."),
    )
    themes = ThemeChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=2000, initial=0)
    min_attendance_percent = forms.IntegerField(
        label=_("Attendance needed to complete (%)"),
        min_value=0,
        max_value=100,
        initial=75,
        help_text=_("Share of the cohort's sessions a person must attend to get the certificate."),
    )
    is_published = forms.BooleanField(
        label=_("Published"),
        required=False,
        help_text=_("Unpublished courses are seen only by coordinators."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = Competency.objects.filter(program=program)  # type: ignore[attr-defined]
        self.fields["themes"].queryset = selectors.themes_transitions_first()  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "summary": course.summary,
            "learning_goals": course.learning_goals,
            "competencies": list(course.competencies.all()),
            "themes": list(course.themes.all()),
            "hours": course.hours,
            "min_attendance_percent": course.min_attendance_percent,
            "is_published": course.is_published,
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["new_competencies"] = data.get("new_competencies", "").splitlines()
        data["competencies"] = list(data["competencies"])
        data["themes"] = list(data["themes"])
        return data


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=200)
    learning_goals = forms.CharField(
        label=_("Goals of the module"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=500, initial=0)

    @staticmethod
    def initial_from(module: Module) -> dict[str, Any]:
        return {
            "title": module.title,
            "learning_goals": module.learning_goals,
            "hours": module.hours,
        }


class CompetencyForm(forms.Form):
    name = forms.CharField(label=_("Competency"), max_length=160)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CohortForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example: “Cohort 2026 · La Pintana”."),
    )
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.none(), required=False)
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.none(), required=False
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT)
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("Leave empty for no limit."),
    )
    enrolment_open = forms.BooleanField(
        label=_("Enrolment open"),
        required=False,
        initial=True,
        help_text=_("Representatives can enrol their organizations' people."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (CohortStatus.PLANNED.value, CohortStatus.PLANNED.label),
            (CohortStatus.RUNNING.value, CohortStatus.RUNNING.label),
        ],
        initial=CohortStatus.PLANNED,
        help_text=_("A cohort is closed from its attendance page, once it has run."),
    )
    facilitators = UserChoiceField(
        label=_("Facilitators"),
        queryset=Cohort.facilitators.field.related_model.objects.none(),  # type: ignore[attr-defined]
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Users of the program who may take attendance."),
    )

    def __init__(self, *args: Any, program: Program, closed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = Cycle.objects.filter(program=program).order_by("number")  # type: ignore[attr-defined]
        territories = program.territories.all()
        self.fields["territory"].queryset = (  # type: ignore[attr-defined]
            territories if territories.exists() else Territory.objects.all()
        ).order_by("name")
        self.fields["facilitators"].queryset = selectors.program_users(program)  # type: ignore[attr-defined]
        if closed:
            del self.fields["status"]
            del self.fields["enrolment_open"]

    @staticmethod
    def initial_from(cohort: Cohort) -> dict[str, Any]:
        return {
            "name": cohort.name,
            "cycle": cohort.cycle_id,
            "territory": cohort.territory_id,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "capacity": cohort.capacity,
            "enrolment_open": cohort.enrolment_open,
            "status": cohort.status,
            "facilitators": list(cohort.facilitators.all()),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The cohort cannot end before it starts."))
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["facilitators"] = list(data["facilitators"])
        return data


class SessionForm(forms.Form):
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.none(), required=False
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Optional if you choose a module: the session takes its title."),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=MOMENT_INPUT)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=MOMENT_INPUT)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    online_url = forms.URLField(
        label=_("Online link"), required=False, assume_scheme="https", max_length=200
    )
    facilitator_name = forms.CharField(label=_("Facilitator"), max_length=200, required=False)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(course=course).order_by("position")  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(session: Session) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "module": session.module_id,
            "title": session.title,
            "starts_at": timezone.localtime(session.starts_at),
            "ends_at": timezone.localtime(session.ends_at),
            "place": session.place,
            "online_url": session.online_url,
            "facilitator_name": session.facilitator_name,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        if not data.get("title") and not data.get("module") and "title" not in self.errors:
            self.add_error("title", _("Give the session a title or choose its module."))
        return data

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class EnrolForm(forms.Form):
    """Enrol a member of the organization, or a new person by name (who becomes a member)."""

    organization = OrganizationChoiceField(
        label=_("On behalf of"), queryset=Actor.objects.none(), empty_label=None
    )
    person = PersonChoiceField(
        label=_("Member of the organization"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    new_name = forms.CharField(
        label=_("Or a person not listed: full name"), max_length=200, required=False
    )
    new_email = forms.EmailField(label=_("Their e-mail"), required=False)
    new_phone = forms.CharField(label=_("Their phone"), max_length=40, required=False)

    def __init__(
        self,
        *args: Any,
        organizations: list[Actor],
        members: list[tuple[Actor, bool]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Actor.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organizations]
        ).order_by("name")
        free = [person.pk for person, enrolled in members if not enrolled]
        self.fields["person"].queryset = Actor.objects.filter(pk__in=free).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, name = data.get("person"), (data.get("new_name") or "").strip()
        if person and name:
            self.add_error("new_name", _("Choose a member or write a new name, not both."))
        elif not person and not name and not self.errors:
            self.add_error("person", _("Choose a member of the organization or write a name."))
        return data
