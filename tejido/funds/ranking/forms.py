"""Forms of the ranking pages: run an allocation, try a what-if, record the decision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tejido.governance.models import Poll

from ..models import AllocationRule, AllocationRun, Call, Quota, QuotaKind
from . import selectors


class RunForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("Allocation rule"),
        choices=AllocationRule.choices,
        help_text=_(
            "Greedy funds down the ranking, skipping what does not fit; optimal finds the set "
            "of projects with the best total score within the budget and quotas."
        ),
    )


class WhatIfForm(forms.Form):
    """Other values for the call's allocation settings; nothing of the call changes."""

    rule = forms.ChoiceField(label=_("Allocation rule"), choices=AllocationRule.choices)
    budget = forms.DecimalField(
        label=_("Budget"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    threshold = forms.DecimalField(
        label=_("Minimum overall score (0 to 100)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to fund whatever the score."),
    )
    partial = forms.BooleanField(label=_("Allow partial funding"), required=False)
    min_partial_percent = forms.IntegerField(
        label=_("Smallest share of a request funded (%)"), min_value=1, max_value=100
    )

    def __init__(self, *args: Any, call: Call, quotas: list[Quota], **kwargs: Any) -> None:
        self.call = call
        self.quotas = quotas
        initial = {
            "rule": call.allocation_rule,
            "budget": call.budget,
            "threshold": call.score_threshold,
            "partial": call.allow_partial_funding,
            "min_partial_percent": int(call.min_partial_share * 100),
        }
        for quota in quotas:
            initial[self.quota_field(quota)] = (quota.share * 100).quantize(Decimal("0.1"))
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["budget"].label = _("Budget (%(currency)s)") % {"currency": call.currency}
        for quota in quotas:
            if quota.kind == QuotaKind.MINIMUM:
                label = _("At least (%%) for %(group)s")
            else:
                label = _("At most (%%) for %(group)s")
            self.fields[self.quota_field(quota)] = forms.DecimalField(
                label=label % {"group": selectors.quota_label(quota)},
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=1,
            )

    @staticmethod
    def quota_field(quota: Quota) -> str:
        return f"quota_{quota.pk}"

    def quota_fields(self) -> list[forms.BoundField]:
        return [self[self.quota_field(q)] for q in self.quotas]

    def overrides(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "budget": data["budget"],
            "threshold": data.get("threshold"),
            "partial": data.get("partial", False),
            "min_partial_share": Decimal(data["min_partial_percent"]) / 100,
            "quota_shares": {
                q.pk: data[self.quota_field(q)] / 100
                for q in self.quotas
                if data.get(self.quota_field(q)) is not None
            },
        }


def _poll_label(poll: Poll) -> str:
    return f"{poll.body.name} · {poll.question}"


class DecideForm(forms.Form):
    run = forms.ModelChoiceField(
        queryset=AllocationRun.objects.none(), widget=forms.HiddenInput, label=_("Allocation run")
    )
    note = forms.CharField(
        label=_("The committee's reasons"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Published with the results: why the committee decided this allocation."),
        error_messages={"required": _("Write the committee's reasons for this decision.")},
    )
    poll = forms.ModelChoiceField(
        queryset=Poll.objects.none(),
        label=_("Directorate's decision"),
        required=False,
        empty_label=_("None"),
        help_text=_("The closed poll in which the directorate approved these awards."),
    )

    def __init__(self, *args: Any, call: Call, polls: list[Poll], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        run_field = self.fields["run"]
        assert isinstance(run_field, forms.ModelChoiceField)
        run_field.queryset = AllocationRun.objects.filter(call=call, is_what_if=False)
        poll_field = self.fields["poll"]
        assert isinstance(poll_field, forms.ModelChoiceField)
        poll_field.queryset = Poll.objects.filter(pk__in=[p.pk for p in polls]).select_related(
            "body"
        )
        poll_field.label_from_instance = _poll_label  # type: ignore[method-assign,assignment]
        if call.requires_directorate_decision:
            poll_field.required = True
            poll_field.error_messages["required"] = _(
                "This call needs the directorate's approval: choose the poll that approved it."
            )
