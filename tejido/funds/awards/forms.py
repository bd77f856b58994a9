"""Forms of the award pages: plain controls that work on a phone without JavaScript. Amounts are
typed the way the reader writes numbers (the plan pages' number field); the services check the
rules and the forms show their refusals at the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tejido.core.uploads import RECEIPT_EXTENSIONS
from tejido.governance.plans.forms import DATE_INPUT, NumberField

from ..models import Award, BudgetLine, Disbursement
from .selectors import CONDITION_DATE, CONDITION_FINAL_REPORT, CONDITION_SIGNING


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_INPUT, **kwargs)


class DatesForm(forms.Form):
    starts_on = _date(_("Project starts"))
    ends_on = _date(_("Project ends"))
    final_report_due_on = _date(
        _("Final report due"),
        help_text=_("A payment waiting for the final report moves with this date."),
    )


CONDITION_CHOICES = [
    (CONDITION_SIGNING, _("On signing the grant agreement")),
    (CONDITION_DATE, _("On the date due")),
    (CONDITION_FINAL_REPORT, _("When the final report is accepted")),
]


class PaymentForm(forms.Form):
    """One row of the payment schedule. An extra row left empty is ignored."""

    paid: Any = None  # the payment already made, if this row is one

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    due_on = _date(_("Due"), error_messages={"required": _("Enter the date it is due.")})
    amount = NumberField(label=_("Amount"), error_messages={"required": _("Enter the amount.")})
    condition = forms.ChoiceField(
        label=_("Condition"), choices=CONDITION_CHOICES, initial=CONDITION_DATE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A condition written in words earlier stays a choice for its row.
        current = self.initial.get("condition")
        if current and current not in dict(CONDITION_CHOICES):
            self.fields["condition"].choices = [*CONDITION_CHOICES, (current, current)]  # type: ignore[attr-defined]

    def mark_paid(self, payment: Any) -> None:
        """A payment made keeps its amount and date: shown, not editable."""
        self.paid = payment
        for name in ("amount", "due_on"):
            self.fields[name].widget.attrs["readonly"] = True


class BasePaymentFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The rows to save (the services check that they add up)."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and data.get("DELETE")):
                continue
            rows.append(
                {
                    "id": data.get("id"),
                    "due_on": data.get("due_on"),
                    "amount": data.get("amount"),
                    "condition": data.get("condition"),
                }
            )
        return rows


PaymentFormSet = forms.formset_factory(
    PaymentForm, formset=BasePaymentFormSet, extra=2, can_delete=True, max_num=24
)


def schedule_initial(disbursements: list[Disbursement]) -> list[dict[str, Any]]:
    return [
        {"id": d.pk, "due_on": d.due_on, "amount": d.amount, "condition": d.condition}
        for d in disbursements
    ]


class PaidForm(forms.Form):
    paid_on = _date(_("Paid on"))


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label=_("Milestone"),
        max_length=200,
        help_text=_("Something that can be seen done, such as “Mural painted with 20 neighbours”."),
    )
    due_on = _date(_("Due"))


class ReachForm(forms.Form):
    done_on = _date(_("Reached on"))
    note = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExpenseForm(forms.Form):
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.none(), empty_label=None
    )
    spent_on = _date(_("Date"))
    amount = NumberField(label=_("Amount"))
    description = forms.CharField(label=_("What was bought or paid"), max_length=300)
    receipt = forms.FileField(
        label=_("Receipt"),
        help_text=_("A PDF, JPG or PNG file of the invoice or receipt."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{e}" for e in RECEIPT_EXTENSIONS)}
        ),
    )

    def __init__(self, *args: Any, award: Award, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["budget_line"]
        field.queryset = BudgetLine.objects.filter(  # type: ignore[attr-defined]
            application_id=award.application_id
        ).order_by("position", "id")
        field.label_from_instance = lambda line: (  # type: ignore[attr-defined]
            f"{line.description} · {line.get_category_display()}"
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the grantee"),
        max_length=300,
        required=False,
        help_text=_("Required when rejecting: say why."),
    )


class FinalReportForm(forms.Form):
    summary = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The activities carried out, as planned or changed along the way."),
    )
    results = forms.CharField(
        label=_("Results"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changed for the neighbourhood; what you learned."),
    )
    beneficiaries_women = forms.IntegerField(label=_("Women reached"), min_value=0, initial=0)
    beneficiaries_men = forms.IntegerField(label=_("Men reached"), min_value=0, initial=0)
    beneficiaries_other = forms.IntegerField(
        label=_("Others or not stated"), min_value=0, initial=0
    )
