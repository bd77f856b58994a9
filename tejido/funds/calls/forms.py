"""Forms of the calls pages: plain controls that work on a phone without JavaScript. Amounts
are typed the way the reader writes numbers ("60.000.000" or "60,000,000"); shares of the
budget as percentages."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tejido.actors.forms import GroupedCheckboxes, GroupedTerritoriesField
from tejido.actors.models import Actor, Sector
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.governance.models import Objective
from tejido.governance.plans.forms import CURRENCIES, NumberField
from tejido.governance.plans.selectors import objectives_for_program

from ..models import AllocationRule, Call, QuotaKind, RankingSource
from . import services

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
HUNDRED = Decimal(100)
TIE_CHOICES = [
    (1, _("Cooperation or closer")),
    (2, _("Coordination or closer")),
    (3, _("Collaboration or closer")),
]


class GroupedObjectivesWidget(GroupedCheckboxes):
    template_name = "funds/calls/widgets/grouped_checkboxes.html"


class _ObjectivesByPlan(forms.models.ModelChoiceIterator):
    """Objectives as (territory · plan, [choices]) so the widget groups them."""

    def __iter__(self) -> Any:
        groups: dict[str, list[Any]] = defaultdict(list)
        for objective in self.queryset:
            plan = objective.plan
            label = f"{plan.territory.name} · {plan.title}"
            groups[label].append(self.choice(objective))
        yield from groups.items()


class ObjectivesField(forms.ModelMultipleChoiceField):
    iterator = _ObjectivesByPlan
    widget = GroupedObjectivesWidget


class FunderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_sector_display()}"


class PercentField(NumberField):
    """A share typed as a percentage ("30" or "12,5"), given to the services as a fraction."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal) and value <= 1:
            value = (value * HUNDRED).normalize()
            if value == value.to_integral_value():
                value = value.quantize(Decimal(1))
        return super().prepare_value(value)


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / HUNDRED


def _applicant_kind_choices() -> list[tuple[str, Any]]:
    return [(kind.value, kind.label) for kind in services.APPLICANT_KINDS]


class CallForm(forms.Form):
    # About
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: Fondo Barrial 2026."),
    )
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=80,
        required=False,
        help_text=_(
            "Used in open-data files and exports. Made from the title if you leave it empty."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the call funds, in two or three sentences: applicants read it first."),
    )
    description = forms.CharField(
        label=_("Full text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("The call's complete terms: what is funded, what is not, how to apply."),
    )
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.none(), required=False)
    funder = FunderField(
        label=_("Funder"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("Not recorded"),
        help_text=_("The organization that funds the awards: each award records a funding tie."),
    )
    objectives = ObjectivesField(
        label=_("Plan objectives served"),
        queryset=Objective.objects.none(),
        required=False,
        help_text=_(
            "Objectives of the program's approved improvement plans. Applicants say which of"
            " these their project serves."
        ),
    )
    # Money
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    budget = NumberField(label=_("Budget envelope"), help_text=_("All the money the call awards."))
    min_grant = NumberField(label=_("Smallest grant"), required=False)
    max_grant = NumberField(label=_("Largest grant"))
    allow_partial_funding = forms.BooleanField(
        label=_("The committee may fund part of a request"), required=False
    )
    min_partial_share = PercentField(
        label=_("Smallest part of a request funded (%)"),
        required=False,
        help_text=_("With partial funding: 80 means at least 80 % of what was asked."),
    )
    allocation_rule = forms.ChoiceField(
        label=_("How the money is allocated"),
        choices=AllocationRule.choices,
        widget=forms.RadioSelect,
    )
    ranking_source = forms.ChoiceField(
        label=_("What ranks the applications"),
        choices=RankingSource.choices,
        widget=forms.RadioSelect,
    )
    score_threshold = NumberField(
        label=_("Minimum overall score (0 to 100)"),
        help_text=_("Applications scoring below this are not funded."),
    )
    # Dates
    opens_at = forms.DateTimeField(label=_("Opens"), widget=MOMENT_INPUT)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=MOMENT_INPUT)
    evaluation_ends_on = forms.DateField(
        label=_("Evaluation ends"), required=False, widget=DATE_INPUT
    )
    results_on = forms.DateField(label=_("Results announced"), required=False, widget=DATE_INPUT)
    appeals_until = forms.DateField(label=_("Appeals until"), required=False, widget=DATE_INPUT)
    # Eligibility
    eligible_sectors = forms.MultipleChoiceField(
        label=_("Sectors that may apply"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"}),
        help_text=_("Leave all unchecked to accept any sector."),
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Kinds of applicant"),
        choices=_applicant_kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"}),
        help_text=_("Leave both unchecked to accept either."),
    )
    eligible_territories = GroupedTerritoriesField(
        label=_("Territories served"),
        required=False,
        help_text=_(
            "Projects must serve one of these places or a place inside one. Leave all unchecked"
            " to accept any place of the program."
        ),
    )
    require_legal_document = forms.BooleanField(
        label=_("Ask for a current legal-status certificate"), required=False
    )
    legal_document_max_age_days = forms.IntegerField(
        label=_("The certificate is current for (days)"),
        min_value=1,
        max_value=3650,
        help_text=_("Counted back from the closing date."),
    )
    require_no_overdue_reports = forms.BooleanField(
        label=_("Refuse applicants with overdue reports from earlier grants"), required=False
    )
    one_application_per_organization = forms.BooleanField(
        label=_("One application per organization"), required=False
    )
    # Reviews
    reviewers_per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=10
    )
    normalize_scores = forms.BooleanField(
        label=_("Normalize each reviewer's scores"),
        required=False,
        help_text=_("So that harsh and lenient reviewers weigh the same."),
    )
    disagreement_threshold = NumberField(
        label=_("Disagreement threshold (points of 100)"),
        help_text=_(
            "When reviewers' overall scores differ by more than this, one more review is asked for."
        ),
    )
    conflict_tie_intensity = forms.TypedChoiceField(
        label=_("A tie is a conflict of interest from"),
        choices=TIE_CHOICES,
        coerce=int,
        help_text=_(
            "A reviewer whose organization has a tie this close with an applicant or a partner"
            " does not review it."
        ),
    )
    # Decision
    requires_directorate_decision = forms.BooleanField(
        label=_("The directorate must approve the awards"),
        required=False,
        help_text=_("The committee's decision is then linked to a closed vote of a directorate."),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        call: Call | None = None,
        fixed: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.call = call
        fields = cast(dict[str, Any], self.fields)
        fields["cycle"].queryset = Cycle.objects.filter(program=program).order_by("number")
        fields["funder"].queryset = (
            Actor.objects.organizations().filter(program=program).order_by("name")
        )
        objectives = objectives_for_program(program)
        if call is not None:
            # An objective served before its plan was archived stays choosable.
            objectives = (
                objectives
                | Objective.objects.filter(calls=call).select_related(
                    "plan__territory", "plan__cycle", "plan__body"
                )
            ).distinct()
        fields["objectives"].queryset = objectives
        fields["eligible_territories"].queryset = Territory.objects.filter(
            pk__in=[t.pk for t in services.call_territories(program)]
        )
        currency = cast(forms.ChoiceField, self.fields["currency"])
        current = call.currency if call is not None else ""
        if current and current not in {code for code, _label in CURRENCIES}:
            currency.choices = [*CURRENCIES, (current, current)]
        for name in fixed:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed at this stage of the call.")
        self.fixed = fixed

    @classmethod
    def initial_for_new(cls, program: Program) -> dict[str, Any]:
        today = timezone.localdate()
        opens = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(9, 0))
        )
        closes = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=37), datetime.time(18, 0))
        )
        defaults = Call()
        cycle = program.current_cycle()
        return {
            "cycle": cycle.pk if cycle else None,
            "currency": services.default_currency(program),
            "min_grant": Decimal(0),
            "opens_at": opens,
            "closes_at": closes,
            **cls._call_values(defaults),
        }

    @staticmethod
    def _call_values(call: Call) -> dict[str, Any]:
        return {
            "allow_partial_funding": call.allow_partial_funding,
            "min_partial_share": call.min_partial_share,
            "allocation_rule": call.allocation_rule,
            "ranking_source": call.ranking_source,
            "score_threshold": call.score_threshold,
            "require_legal_document": call.require_legal_document,
            "legal_document_max_age_days": call.legal_document_max_age_days,
            "require_no_overdue_reports": call.require_no_overdue_reports,
            "one_application_per_organization": call.one_application_per_organization,
            "reviewers_per_application": call.reviewers_per_application,
            "normalize_scores": call.normalize_scores,
            "disagreement_threshold": call.disagreement_threshold,
            "conflict_tie_intensity": call.conflict_tie_intensity,
            "requires_directorate_decision": call.requires_directorate_decision,
            "eligible_sectors": list(call.eligible_sectors),
            "eligible_kinds": list(call.eligible_kinds),
        }

    @classmethod
    def initial_from(cls, call: Call) -> dict[str, Any]:
        return {
            "title": call.title,
            "slug": call.slug,
            "summary": call.summary,
            "description": call.description,
            "cycle": call.cycle_id,
            "funder": call.funder_id,
            "objectives": [o.pk for o in call.objectives.all()],
            "currency": call.currency,
            "budget": call.budget,
            "min_grant": call.min_grant,
            "max_grant": call.max_grant,
            "opens_at": timezone.localtime(call.opens_at),
            "closes_at": timezone.localtime(call.closes_at),
            "evaluation_ends_on": call.evaluation_ends_on,
            "results_on": call.results_on,
            "appeals_until": call.appeals_until,
            "eligible_territories": [t.pk for t in call.eligible_territories.all()],
            **cls._call_values(call),
        }

    def values(self) -> dict[str, Any]:
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        data["min_grant"] = data.get("min_grant") or Decimal(0)
        share = _fraction(data.get("min_partial_share"))
        data["min_partial_share"] = share if share is not None else Decimal("0.8")
        data["objectives"] = list(data.get("objectives") or [])
        data["eligible_territories"] = list(data.get("eligible_territories") or [])
        if not data.get("slug"):
            if self.call is None:
                data.pop("slug", None)
            else:
                data["slug"] = self.call.slug
        # What can no longer change is shown, not sent (its value is the call's own).
        for name in self.fixed:
            data.pop(name, None)
        return data


class CriterionForm(forms.Form):
    name = forms.CharField(
        label=_("Criterion"),
        max_length=200,
        help_text=_("For example: Community participation."),
    )
    guidance = forms.CharField(
        label=_("Guidance for reviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What a high score means, and what a low one."),
    )
    weight = NumberField(
        label=_("Weight"),
        help_text=_("Relative to the other criteria: a criterion of weight 2 counts double."),
    )
    scale_max = forms.IntegerField(
        label=_("Scale: from 0 to"), min_value=1, max_value=100, initial=5
    )
    minimum = NumberField(
        label=_("Disqualifying minimum"),
        required=False,
        help_text=_(
            "An application whose mean score on this criterion falls below it is not funded."
            " Leave it empty if none."
        ),
    )

    @staticmethod
    def initial_from(criterion: Any) -> dict[str, Any]:
        return {
            "name": criterion.name,
            "guidance": criterion.guidance,
            "weight": criterion.weight,
            "scale_max": criterion.scale_max,
            "minimum": criterion.minimum,
        }


class QuotaForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (QuotaKind.MINIMUM, _("At least: money reserved for it")),
            (QuotaKind.MAXIMUM, _("At most: a cap on it")),
        ],
        widget=forms.RadioSelect,
    )
    share = PercentField(label=_("Share of the budget (%)"), help_text=_("For example: 30."))
    group = forms.ChoiceField(
        label=_("For projects in or on"),
        help_text=_("A territory (and the places inside it) or a theme."),
        error_messages={"invalid_choice": _("Choose a territory or a theme from the list.")},
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territories = services.call_territories(call.program)
        themes = sorted(Theme.objects.all(), key=lambda t: t.label.casefold())
        self._territories = {t.pk: t for t in territories}
        self._themes = {t.pk: t for t in themes}
        cast(forms.ChoiceField, self.fields["group"]).choices = [
            ("", _("Choose…")),
            (_("Territories"), [(f"territory:{t.pk}", t.name) for t in territories]),
            (_("Themes"), [(f"theme:{t.pk}", t.label) for t in themes]),
        ]

    def clean_group(self) -> tuple[Territory | None, Theme | None]:
        value = self.cleaned_data.get("group") or ""
        kind, _sep, pk = value.partition(":")
        try:
            number = int(pk)
        except ValueError as exc:
            raise forms.ValidationError(_("Choose a territory or a theme from the list.")) from exc
        if kind == "territory" and number in self._territories:
            return self._territories[number], None
        if kind == "theme" and number in self._themes:
            return None, self._themes[number]
        raise forms.ValidationError(_("Choose a territory or a theme from the list."))

    @staticmethod
    def initial_from(quota: Any) -> dict[str, Any]:
        group = (
            f"territory:{quota.territory_id}" if quota.territory_id else f"theme:{quota.theme_id}"
        )
        return {"kind": quota.kind, "share": quota.share, "group": group}

    def values(self) -> dict[str, Any]:
        territory, theme = self.cleaned_data["group"]
        return {
            "kind": self.cleaned_data["kind"],
            "share": _fraction(self.cleaned_data["share"]),
            "territory": territory,
            "theme": theme,
        }
