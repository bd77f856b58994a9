"""Template helpers of the calls pages, usable by every page of the funds:
`{{ amount|money:call.currency }}` and `{% call_summary call as head %}` (the phase, its words
and the key dates the call header shows)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from tejido.governance.plans.money import money as money_text

from ..calls.selectors import CallSummary
from ..calls.selectors import call_summary as summary_of
from ..models import Call

register = template.Library()


@register.filter
def money(amount: Decimal | int | float | None, currency: str = "CLP") -> str:
    """An amount in the reader's format: "$4.500.000" in Spanish for CLP."""
    return money_text(amount, currency or "CLP")


@register.simple_tag
def call_summary(call: Call) -> CallSummary:
    return summary_of(call)
