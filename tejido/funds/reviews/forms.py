"""Forms of the review pages: plain controls that work on a phone without JavaScript."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tejido.accounts.models import User
from tejido.actors.models import Actor

from ..models import Criterion
from . import selectors

# Scales up to this many points are answered by buttons, longer ones by typing the number.
BUTTON_SCALE = 10


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return selectors.reviewer_name(obj)


class ReviewerAddForm(forms.Form):
    person = PersonChoiceField(
        label=_("An evaluator of the program"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— Choose —"),
    )
    email = forms.EmailField(
        label=_("Or the e-mail address of someone with an account"),
        required=False,
        help_text=_("They will get the evaluator role in this program."),
    )
    organization = forms.ModelChoiceField(
        label=_("Where they work"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("— None or unknown —"),
        help_text=_("Used to find conflicts of interest with applicants and partners."),
    )
    max_load = forms.IntegerField(
        label=_("Most applications"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Leave empty for no limit."),
    )

    def __init__(self, *args: Any, call: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = selectors.evaluators_outside_pool(call)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = (
            Actor.objects.organizations().filter(program_id=call.program_id).order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, email = data.get("person"), (data.get("email") or "").strip()
        if "email" in self.errors or "person" in self.errors:
            return data
        if person and email:
            raise ValidationError(
                _("Choose an evaluator or type an e-mail address, not both."), code="both"
            )
        if not person and not email:
            raise ValidationError(
                _("Choose an evaluator of the program or type the e-mail address of an account."),
                code="nobody",
            )
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                self.add_error(
                    "email",
                    _(
                        "No account uses this address. Check the spelling, or ask them to"
                        " create an account first."
                    ),
                )
            else:
                data["person"] = user
        return data


class ReviewerEditForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Where they work"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("— None or unknown —"),
    )
    max_load = forms.IntegerField(
        label=_("Most applications"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Leave empty for no limit."),
    )

    def __init__(self, *args: Any, call: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = (
            Actor.objects.organizations().filter(program_id=call.program_id).order_by("name")
        )


class DeclareForm(forms.Form):
    organization = forms.TypedChoiceField(
        label=_("Organization"), coerce=int, empty_value=None, choices=()
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_(
            "For example: “I am a member of its board” or “my sister leads the project”."
            " Only the coordination reads it."
        ),
        widget=forms.TextInput(),
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("— Choose an organization —")), *choices]


class ReviewForm(forms.Form):
    """A score and a comment per criterion, an overall comment, and when the form was loaded
    (so that a form older than the review's last change is refused)."""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What convinces you and what does not. The committee reads it next to your scores."
        ),
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, criteria: list[Criterion], disabled: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            if criterion.scale_max <= BUTTON_SCALE:
                score: forms.Field = forms.TypedChoiceField(
                    label=criterion.name,
                    choices=[(str(v), str(v)) for v in range(criterion.scale_max + 1)],
                    coerce=str,
                    required=False,
                    widget=forms.RadioSelect,
                )
            else:
                score = forms.DecimalField(
                    label=criterion.name,
                    required=False,
                    min_value=0,
                    max_value=criterion.scale_max,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                )
            self.fields[f"score_{criterion.pk}"] = score
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The overall comment and the hidden stamp come after the criteria.
        for name in ("comment", "seen"):
            self.fields[name] = self.fields.pop(name)
        if disabled:
            for field in self.fields.values():
                field.disabled = True

    def values(self) -> tuple[dict[int, Any], dict[int, str], str]:
        data = self.cleaned_data
        scores = {c.pk: data.get(f"score_{c.pk}") for c in self.criteria}
        comments = {c.pk: data.get(f"comment_{c.pk}") or "" for c in self.criteria}
        return scores, comments, data.get("comment") or ""

    def seen_at(self) -> datetime.datetime | None:
        raw = self.cleaned_data.get("seen") or ""
        try:
            return datetime.datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return None
