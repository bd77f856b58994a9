"""Forms of the meeting pages. They check the shape of the input; the services check the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import formset_factory
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tejido.actors.models import Actor

from ..models import (
    AgendaItemKind,
    Agreement,
    AgreementStatus,
    AttendanceStatus,
    Body,
    Meeting,
    Need,
    NeedStatus,
    Poll,
    PollStatus,
)
from .selectors import SeatRow, body_meeting_choices
from .services import LONGEST_ITEM_MINUTES, AgendaEntry, SeatMark


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        day = date_format(timezone.localtime(obj.starts_at), "SHORT_DATE_FORMAT")
        return f"{obj.title} · {day}"


class MeetingForm(forms.Form):
    """The meeting's title, date, times and place. The times are in the site's time zone."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Ordinary session")}),
    )
    day = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("Starts"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends"), widget=TimeInput())
    place = forms.CharField(
        label=_("Place"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Community centre, street and number")}),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("For members who join by video call."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, starts, ends = data.get("day"), data.get("starts_at"), data.get("ends_at")
        if day and starts and ends:
            tz = timezone.get_current_timezone()
            data["starts"] = timezone.make_aware(datetime.datetime.combine(day, starts), tz)
            data["ends"] = timezone.make_aware(datetime.datetime.combine(day, ends), tz)
            if data["ends"] <= data["starts"]:
                self.add_error("ends_at", _("The meeting must end after it starts."))
        if not data.get("place") and not data.get("online_url"):
            self.add_error(
                "place", _("Say where the meeting takes place, or give its online link.")
            )
        return data

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": data["starts"],
            "ends_at": data["ends"],
            "place": data.get("place", ""),
            "online_url": data.get("online_url", ""),
        }

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict[str, Any]:
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at)
        return {
            "title": meeting.title,
            "day": starts.date(),
            "starts_at": starts.time(),
            "ends_at": ends.time(),
            "place": meeting.place,
            "online_url": meeting.online_url,
        }


# Kinds a coordinator picks for a new item; the platform adds the others (minutes, follow-ups).
NEW_ITEM_KINDS = [
    (k.value, k.label)
    for k in (
        AgendaItemKind.INFORMATION,
        AgendaItemKind.DISCUSSION,
        AgendaItemKind.DECISION,
        AgendaItemKind.FOLLOW_UP,
        AgendaItemKind.PLAN,
        AgendaItemKind.MINUTES,
        AgendaItemKind.OTHER,
    )
]


class AgendaRowForm(forms.Form):
    """One row of the agenda given when scheduling. A row without a title is left out."""

    title = forms.CharField(label=_("Item"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=pgettext_lazy("agenda item", "Kind"),
        choices=NEW_ITEM_KINDS,
        initial=AgendaItemKind.DISCUSSION,
        required=False,
    )
    duration_minutes = forms.IntegerField(
        label=pgettext_lazy("duration", "Minutes"),
        min_value=1,
        max_value=LONGEST_ITEM_MINUTES,
        initial=15,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def entry(self) -> AgendaEntry | None:
        data = getattr(self, "cleaned_data", {})
        title = (data.get("title") or "").strip()
        if not title:
            return None
        return AgendaEntry(
            title=title,
            kind=data.get("kind") or AgendaItemKind.DISCUSSION,
            duration_minutes=data.get("duration_minutes") or 15,
        )


AgendaRowFormSet = formset_factory(AgendaRowForm, extra=4, max_num=40, validate_max=True)


def agenda_rows_total(formset: Any) -> int:
    """Minutes of the rows with a title, read from the submitted data (valid or not)."""
    total = 0
    for form in formset.forms:
        title = form.data.get(form.add_prefix("title"), "").strip() if form.is_bound else ""
        if not title and not form.initial.get("title"):
            continue
        raw = form.data.get(form.add_prefix("duration_minutes")) if form.is_bound else None
        try:
            total += max(
                0, int(raw if raw is not None else form.initial.get("duration_minutes", 15))
            )
        except (TypeError, ValueError):
            continue
    return total


def needs_for(body: Body) -> Any:
    needs = Need.objects.filter(program_id=body.program_id).exclude(status=NeedStatus.SET_ASIDE)
    if body.territory_id:
        needs = needs.filter(
            Q(territory_id=body.territory_id) | Q(territory__path__startswith=body.territory.path)  # type: ignore[union-attr]
        )
    return needs.order_by("title")


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        number = _("No. %(number)s") % {"number": obj.number}
        return f"{number} · {Truncator(obj.text).chars(80)}"


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    kind = forms.ChoiceField(
        label=pgettext_lazy("agenda item", "Kind"),
        choices=NEW_ITEM_KINDS,
        initial=AgendaItemKind.DISCUSSION,
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes allotted"),
        min_value=1,
        max_value=LONGEST_ITEM_MINUTES,
        initial=15,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    need = forms.ModelChoiceField(
        label=_("Need it deals with"), queryset=Need.objects.none(), required=False
    )
    agreement = AgreementChoiceField(
        label=_("Agreement it follows up"), queryset=Agreement.objects.none(), required=False
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs_for(body)  # type: ignore[attr-defined]
        self.fields["agreement"].queryset = Agreement.objects.filter(  # type: ignore[attr-defined]
            body=body
        ).order_by("-number")


class AttendanceSheetForm(forms.Form):
    """One radio group per seat held on the meeting's day, an "alternate came" box where the
    seat has an alternate, and the guest organizations present."""

    STATUS_CHOICES = [*AttendanceStatus.choices, ("", _("Not recorded"))]

    guests = forms.ModelMultipleChoiceField(
        label=_("Guest organizations present"),
        queryset=Actor.objects.none(),
        required=False,
        help_text=_(
            "Organizations without a seat that attended. Hold Ctrl (or ⌘) to choose several."
        ),
    )

    def __init__(
        self,
        *args: Any,
        rows: list[SeatRow],
        body: Body,
        guests: list[Any],
        fill_present: bool = False,
        **kwargs: Any,
    ) -> None:
        """`fill_present` offers the seats not recorded yet as present (nothing is saved until
        the sheet is)."""
        super().__init__(*args, **kwargs)
        self.rows = rows
        seat_orgs = {r.mandate.organization_id for r in rows}
        self.fields["guests"].queryset = (  # type: ignore[attr-defined]
            Actor.objects.filter(program_id=body.program_id)
            .organizations()
            .exclude(pk__in=seat_orgs)
            .order_by("name")
        )
        self.fields["guests"].initial = [g.organization_id for g in guests]
        for row in rows:
            mandate = row.mandate
            name = f"seat_{mandate.pk}"
            self.fields[name] = forms.ChoiceField(
                label=mandate.organization.name,
                choices=self.STATUS_CHOICES,
                required=False,
                initial=row.status or (AttendanceStatus.PRESENT if fill_present else ""),
                widget=forms.RadioSelect,
            )
            if mandate.alternate_id is not None:
                self.fields[f"alt_{mandate.pk}"] = forms.BooleanField(
                    label=_("The alternate came instead"),
                    required=False,
                    initial=row.as_alternate,
                )

    def seat_fields(self) -> list[tuple[SeatRow, forms.BoundField, forms.BoundField | None]]:
        return [
            (
                row,
                self[f"seat_{row.mandate.pk}"],
                self[f"alt_{row.mandate.pk}"] if f"alt_{row.mandate.pk}" in self.fields else None,
            )
            for row in self.rows
        ]

    def marks(self) -> list[SeatMark]:
        data = self.cleaned_data
        return [
            SeatMark(
                mandate_id=row.mandate.pk,
                status=data.get(f"seat_{row.mandate.pk}") or "",
                as_alternate=bool(data.get(f"alt_{row.mandate.pk}")),
            )
            for row in self.rows
        ]

    def present_ids(self) -> list[int]:
        """Present seats as submitted (valid or not): for the live quorum."""
        return [
            row.mandate.pk
            for row in self.rows
            if self.data.get(self.add_prefix(f"seat_{row.mandate.pk}")) == AttendanceStatus.PRESENT
            and row.mandate.seat.is_voting
        ]


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "What was discussed and decided, item by item. Leave a blank line between paragraphs."
        ),
    )


class MinutesApproveForm(forms.Form):
    approved_in = MeetingChoiceField(
        label=_("Meeting that approved them"), queryset=Meeting.objects.none()
    )

    def __init__(self, *args: Any, candidates: list[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["approved_in"]
        field.queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
            pk__in=[m.pk for m in candidates]
        ).order_by("starts_at")
        if candidates:
            field.initial = candidates[0].pk


class OrganizationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class AgreementForm(forms.Form):
    text = forms.CharField(
        label=_("Agreement"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was agreed, who does it and what counts as done."),
    )
    meeting = MeetingChoiceField(
        label=_("Adopted at the meeting"), queryset=Meeting.objects.none(), required=False
    )
    responsible = OrganizationsField(
        label=_("Responsible organizations"),
        queryset=Actor.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    poll = forms.ModelChoiceField(
        label=_("Decided by the poll"), queryset=Poll.objects.none(), required=False
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = body_meeting_choices(body)  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = (  # type: ignore[attr-defined]
            Actor.objects.filter(program_id=body.program_id).organizations().order_by("name")
        )
        self.fields["poll"].queryset = Poll.objects.filter(  # type: ignore[attr-defined]
            body=body, status=PollStatus.CLOSED
        ).order_by("-closed_at")


NOTE_STATUS_CHOICES = [("", _("Keep the status")), *AgreementStatus.choices]


class AgreementNoteForm(forms.Form):
    text = forms.CharField(label=_("Follow-up note"), widget=forms.Textarea(attrs={"rows": 3}))
    new_status = forms.ChoiceField(label=_("Status"), choices=NOTE_STATUS_CHOICES, required=False)
    meeting = MeetingChoiceField(
        label=_("Reported at the meeting"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = body_meeting_choices(body)  # type: ignore[attr-defined]


REGISTER_STATUS_CHOICES = [
    ("", _("All")),
    ("unresolved", _("Open or in progress")),
    *AgreementStatus.choices,
]


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=REGISTER_STATUS_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )

    def __init__(self, *args: Any, options: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = Actor.objects.filter(  # type: ignore[attr-defined]
            pk__in=[a.pk for a in options]
        ).order_by("name")

    def clean_status(self) -> str:
        value = self.cleaned_data.get("status") or ""
        if value and value != "unresolved" and value not in AgreementStatus.values:
            raise ValidationError(_("Choose a status."))
        return value
