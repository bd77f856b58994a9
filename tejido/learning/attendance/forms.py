"""Forms of the attendance area. They check the shape of the input; the services check the
rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tejido.network.models import Intensity

from ..models import LearningSettings, TrainingTies
from . import codes


class SessionAttendanceForm(forms.Form):
    """The checklist of one session: the enrolment ids marked present. `all` marks everyone."""

    present = forms.TypedMultipleChoiceField(
        label=_("Present"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    everyone = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, enrolment_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enrolment_ids = enrolment_ids
        # Any integer is accepted here: the service refuses ids of another cohort with a
        # message the whole list can show.
        self.fields["present"].choices = [  # type: ignore[attr-defined]
            (str(pk), str(pk)) for pk in enrolment_ids
        ]
        self.fields["present"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]

    def present_ids(self) -> set[int]:
        if self.cleaned_data.get("everyone"):
            return set(self.enrolment_ids)
        return set(self.cleaned_data.get("present") or [])


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept in the audit trail and shown on the public verification page."),
    )


class LearningSettingsForm(forms.ModelForm):
    class Meta:
        model = LearningSettings
        fields = ["training_ties", "training_tie_intensity", "tried_too_ties"]
        widgets = {
            "training_ties": forms.RadioSelect,
        }
        help_texts = {
            "training_ties": _(
                "When a cohort is closed, its organizations are tied to each other in the network"
                " (collaboration, provenance “training”). A stronger tie already recorded is"
                " never weakened."
            ),
            "training_tie_intensity": _("How strong those ties are recorded."),
            "tried_too_ties": _(
                "When an organization marks another's experience with “we tried this too”."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["training_ties"].choices = TrainingTies.choices  # type: ignore[attr-defined]
        self.fields["training_tie_intensity"].choices = Intensity.choices  # type: ignore[attr-defined]


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("As printed on the certificate, for example TJD-7K3M-Q9XD-2P4C."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )

    def clean_code(self) -> str:
        try:
            return codes.normalize(self.cleaned_data["code"])
        except codes.MalformedCode as exc:
            raise forms.ValidationError(MALFORMED, code="malformed") from exc


MALFORMED = _(
    "This is not a valid certificate code (check the characters): a code looks like"
    " TJD-7K3M-Q9XD-2P4C."
)
NOT_ISSUED = _(
    "No certificate has this code. Check it against the printed certificate, or ask the"
    " organization that issued it."
)
