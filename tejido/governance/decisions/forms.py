"""Forms of the decision pages: the poll editor and one ballot form per voting method, all plain
HTML controls (radios, checkboxes, selects, numbers) that work on any phone without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import AgendaItem, Body, Meeting, MeetingStatus, Poll, VotingMethod
from .services import FIXED_OPTIONS, MAX_DOTS, MAX_SCORE, QUALIFIED_SHARES, RANKED_METHODS

# One plain-language line per method: how it works, and when bodies use it.
METHOD_HELP = {
    VotingMethod.MAJORITY: _(
        "Yes, no or abstain: passes with more yes than no. For most agreements of the body."
    ),
    VotingMethod.QUALIFIED: _(
        "Yes, no or abstain: passes only with a larger share of yes, such as two thirds. For"
        " the statutes, the improvement plan or anything hard to undo."
    ),
    VotingMethod.CONSENT: _(
        "Consent, stand aside or object: passes unless someone objects. When everyone must be"
        " able to live with the decision, such as the body's own rules."
    ),
    VotingMethod.PLURALITY: _(
        "Each member picks one option; the most chosen wins. For simple choices, such as a"
        " meeting place."
    ),
    VotingMethod.APPROVAL: _(
        "Each member ticks every option they accept; the most approved wins. For dates or"
        " places where several would work."
    ),
    VotingMethod.BORDA: _(
        "Members rank the options; each place gives points and the most points win. To find"
        " the option most members rate well, or to order a list."
    ),
    VotingMethod.IRV: _(
        "Members rank the options; the least chosen drops out round by round until one has"
        " more than half. To choose one project or one person with majority support."
    ),
    VotingMethod.CUMULATIVE: _(
        "Each member spreads a number of dots among the options, several on one if they wish."
        " To show how much each option matters, such as needs to prioritize."
    ),
    VotingMethod.SCORE: _(
        "Members give each option a score on a scale; the highest total wins. To rate"
        " proposals, like a jury."
    ),
}
THRESHOLD_CHOICES = [
    ("3/5", _("Three fifths (60%)")),
    ("2/3", _("Two thirds (67%)")),
    ("3/4", _("Three quarters (75%)")),
]
OPTION_ROWS_MIN = 4
OPTION_ROWS_MORE = 3


def fraction_code(threshold: Any) -> str:
    """The threshold choice ("2/3") closest to a stored share."""
    value = Fraction(str(threshold))
    best = min(QUALIFIED_SHARES, key=lambda share: abs(share - value))
    return f"{best.numerator}/{best.denominator}"


class OptionsInput(forms.Widget):
    """Several text inputs named "options" (rendered by the page, one per row)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return list(data.getlist(name)) if hasattr(data, "getlist") else list(data.get(name, []))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data


class OptionListField(forms.Field):
    widget = OptionsInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = value.splitlines()
        return [" ".join(str(v).split()) for v in value if str(v).strip()]


class PollForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=300,
        help_text=_("What the body decides, as members will read it on the ballot."),
    )
    description = forms.CharField(
        label=_("Background"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what members should know before voting."),
    )
    method = forms.ChoiceField(
        label=_("How the body decides"),
        choices=VotingMethod.choices,
        initial=VotingMethod.MAJORITY,
        widget=forms.RadioSelect,
    )
    threshold = forms.ChoiceField(
        label=_("Share of the votes needed"),
        choices=THRESHOLD_CHOICES,
        initial="2/3",
        required=False,
        widget=forms.RadioSelect,
        help_text=_("For a qualified majority only: the share of yes among yes and no votes."),
    )
    options = OptionListField(
        label=_("Options"),
        required=False,
        help_text=_(
            "One option per line, in the order members will see them. Leave lines empty to"
            " skip them. Motions (majority, qualified, consent) have fixed options."
        ),
    )
    max_choices = forms.IntegerField(
        label=_("Most options a member may tick"),
        min_value=0,
        initial=0,
        required=False,
        help_text=_("Approval only. 0: as many as they like."),
    )
    dots_per_voter = forms.IntegerField(
        label=_("Dots per member"),
        min_value=1,
        max_value=MAX_DOTS,
        initial=5,
        required=False,
        help_text=_("Dot voting only."),
    )
    score_max = forms.IntegerField(
        label=_("Highest score"),
        min_value=1,
        max_value=MAX_SCORE,
        initial=5,
        required=False,
        help_text=_("Score only: members score each option from 0 to this number."),
    )
    secret = forms.BooleanField(
        label=_("Secret ballot"),
        required=False,
        help_text=_(
            "Everyone sees which seats voted, nobody sees what they voted. Use it to elect people."
        ),
    )
    meeting = forms.ModelChoiceField(
        label=_("Where the body votes"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("Online, between meetings"),
    )
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(), required=False, widget=forms.HiddenInput
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_(
            "Online polls: the poll closes by itself at this time. Leave empty to close it by hand."
        ),
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = (
            Meeting.objects.filter(body=body)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("-starts_at")
        )
        cast(
            forms.ModelChoiceField, self.fields["agenda_item"]
        ).queryset = AgendaItem.objects.filter(meeting__body=body).select_related("meeting")
        self.fields["meeting"].label_from_instance = self._meeting_label  # type: ignore[attr-defined]

    @staticmethod
    def _meeting_label(meeting: Meeting) -> str:
        start = timezone.localtime(meeting.starts_at)
        return f"{meeting.title} · {start:%d/%m/%Y}"

    def method_choices(self) -> list[dict[str, Any]]:
        current = self["method"].value() or VotingMethod.MAJORITY
        return [
            {
                "value": value,
                "label": label,
                "help": METHOD_HELP[VotingMethod(value)],
                "checked": current == value,
                "id": f"id_method_{i}",
            }
            for i, (value, label) in enumerate(VotingMethod.choices)
        ]

    def threshold_choices(self) -> list[dict[str, Any]]:
        current = self["threshold"].value() or "2/3"
        return [
            {"value": value, "label": label, "checked": current == value, "id": f"id_threshold_{i}"}
            for i, (value, label) in enumerate(THRESHOLD_CHOICES)
        ]

    def option_rows(self) -> list[str]:
        """The option inputs to show: those given, and some empty ones to add more."""
        if self.is_bound:
            values = [str(v) for v in self["options"].value() or []]
            while values and not values[-1].strip():
                values.pop()
            extra = OPTION_ROWS_MORE + (OPTION_ROWS_MORE if "more_options" in self.data else 0)
        else:
            values = list(self.initial.get("options") or [])
            extra = 2
        return values + [""] * max(extra, OPTION_ROWS_MIN - len(values))

    def clean_threshold(self) -> Fraction:
        value = self.cleaned_data.get("threshold") or "1/2"
        numerator, denominator = value.split("/")
        return Fraction(int(numerator), int(denominator))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        options = data.get("options") or []
        if method and method not in FIXED_OPTIONS and len(options) < 2:
            self.add_error("options", _("Give at least two options to choose from."))
        if method == VotingMethod.QUALIFIED and not self.data.get("threshold"):
            self.add_error("threshold", _("Choose the share of the votes needed."))
        for name, default in (("max_choices", 0), ("dots_per_voter", 5), ("score_max", 5)):
            if data.get(name) is None:
                data[name] = default
        meeting, item = data.get("meeting"), data.get("agenda_item")
        if item is not None and meeting is not None and item.meeting_id != meeting.pk:
            data["agenda_item"] = None
        closes_at = data.get("closes_at")
        if closes_at is not None and closes_at <= timezone.now():
            self.add_error("closes_at", _("The closing time must be in the future."))
        return data

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "question": data["question"],
            "description": data.get("description", ""),
            "method": data["method"],
            "options": data.get("options") or [],
            "secret": bool(data.get("secret")),
            "meeting": data.get("meeting"),
            "agenda_item": data.get("agenda_item"),
            "threshold": data.get("threshold") or Fraction(1, 2),
            "dots_per_voter": data["dots_per_voter"],
            "score_max": data["score_max"],
            "max_choices": data["max_choices"],
            "closes_at": data.get("closes_at"),
        }

    @classmethod
    def initial_from(cls, poll: Poll) -> dict[str, Any]:
        closes = timezone.localtime(poll.closes_at) if poll.closes_at else None
        return {
            "question": poll.question,
            "description": poll.description,
            "method": poll.method,
            "threshold": fraction_code(poll.threshold),
            "options": [o.label for o in poll.options.all() if not o.code],
            "max_choices": poll.max_choices,
            "dots_per_voter": poll.dots_per_voter,
            "score_max": poll.score_max,
            "secret": poll.secret,
            "meeting": poll.meeting_id,
            "agenda_item": poll.agenda_item_id,
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M") if closes else None,
        }


class BallotForm(forms.Form):
    """The ballot for the poll's method. `ballot()` gives it in `voting`'s shape."""

    def __init__(self, *args: Any, poll: Poll, labels: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.labels = list(labels)
        method = poll.method
        indexed = [(str(i), label) for i, label in enumerate(self.labels)]
        if method in FIXED_OPTIONS or method == VotingMethod.PLURALITY:
            self.fields["choice"] = forms.ChoiceField(
                label=poll.question,
                choices=indexed,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one option.")},
            )
        elif method == VotingMethod.APPROVAL:
            self.fields["choices"] = forms.MultipleChoiceField(
                label=poll.question,
                choices=indexed,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        elif method in RANKED_METHODS:
            places = [("", _("Not ranked"))] + [
                (str(n), str(n)) for n in range(1, len(self.labels) + 1)
            ]
            for i, label in enumerate(self.labels):
                self.fields[f"rank_{i}"] = forms.TypedChoiceField(
                    label=label, choices=places, coerce=int, empty_value=None, required=False
                )
        elif method == VotingMethod.CUMULATIVE:
            for i, label in enumerate(self.labels):
                self.fields[f"dots_{i}"] = forms.IntegerField(
                    label=label,
                    min_value=0,
                    max_value=poll.dots_per_voter,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "placeholder": "0", "data-dots": ""}
                    ),
                )
        elif method == VotingMethod.SCORE:
            for i, label in enumerate(self.labels):
                self.fields[f"score_{i}"] = forms.IntegerField(
                    label=label,
                    min_value=0,
                    max_value=poll.score_max,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "0"}),
                )

    def option_fields(self) -> list[forms.BoundField]:
        prefix = {"borda": "rank_", "irv": "rank_", "cumulative": "dots_", "score": "score_"}.get(
            self.poll.method, ""
        )
        if not prefix:
            return []
        return [self[f"{prefix}{i}"] for i in range(len(self.labels))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = self.poll.method
        if method in RANKED_METHODS:
            ranks = {i: data.get(f"rank_{i}") for i in range(len(self.labels))}
            given = [r for r in ranks.values() if r is not None]
            if not given:
                raise ValidationError(_("Rank at least one option: 1 for your first choice."))
            if len(set(given)) < len(given):
                raise ValidationError(
                    _("Two options have the same place: give each place to one option only.")
                )
        elif method == VotingMethod.CUMULATIVE:
            used = sum(data.get(f"dots_{i}") or 0 for i in range(len(self.labels)))
            if used > self.poll.dots_per_voter:
                raise ValidationError(
                    _("You placed %(used)s dots but have %(dots)s.")
                    % {"used": used, "dots": self.poll.dots_per_voter}
                )
        return data

    def ballot(self) -> Any:
        data = self.cleaned_data
        method = self.poll.method
        n = len(self.labels)
        if "choice" in self.fields:
            return int(data["choice"])
        if method == VotingMethod.APPROVAL:
            return sorted(int(v) for v in data.get("choices") or [])
        if method in RANKED_METHODS:
            ranked = [(data[f"rank_{i}"], i) for i in range(n) if data.get(f"rank_{i}")]
            return [i for _rank, i in sorted(ranked)]
        if method == VotingMethod.CUMULATIVE:
            return {i: data[f"dots_{i}"] for i in range(n) if data.get(f"dots_{i}")}
        return {i: data[f"score_{i}"] for i in range(n) if data.get(f"score_{i}")}
