"""Suggested introductions: the whole network's, an actor's, and the coordinators' decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from tejido.core.http import is_htmx, program_for_request
from tejido.core.models import Program, Territory

from ..analytics.pages import (
    filtered_opportunities,
    opportunity_page,
    opportunity_queryset,
    opportunity_rows,
)
from ..analytics.services import opportunity_accept, opportunity_dismiss, opportunity_introduce
from ..models import Intensity, OpportunityKind, OpportunityStatus, TieType
from .profile import page_number, visible_actor


class OpportunityFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *OpportunityKind.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[*OpportunityStatus.choices, ("all", gettext_lazy("Any status"))],
        required=False,
    )
    territory = forms.ModelChoiceField(
        label=gettext_lazy("Territory"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=gettext_lazy("All territories"),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The territories where the program's actors are.
        field = self.fields["territory"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Territory.objects.filter(
            pk__in=program.actors.exclude(territory=None).values("territory")
        ).order_by("path")


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("accept", gettext_lazy("Accept")),
            ("introduce", gettext_lazy("Record the introduction")),
            ("dismiss", gettext_lazy("Dismiss")),
        ]
    )
    tie_type = forms.ChoiceField(
        label=gettext_lazy("Type of the new tie"),
        choices=TieType.choices,
        initial=TieType.COLLABORATION,
        required=False,
    )
    intensity = forms.TypedChoiceField(
        label=gettext_lazy("How close they are now"),
        choices=Intensity.choices,
        coerce=int,
        initial=Intensity.AWARENESS,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea
    )


def _filters(
    request: HttpRequest, program: Program
) -> tuple[OpportunityFilterForm, dict[str, Any]]:
    form = OpportunityFilterForm(request.GET or None, program=program)
    chosen: dict[str, Any] = {"status": OpportunityStatus.OPEN}
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or OpportunityStatus.OPEN
        chosen = {
            "kind": form.cleaned_data["kind"],
            "status": "" if status == "all" else status,
            "territory": form.cleaned_data["territory"],
        }
    return form, chosen


@require_safe
def opportunity_list(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, "network.view_opportunities")
    form, chosen = _filters(request, program_obj)
    page = opportunity_page(
        filtered_opportunities(program_obj, request.user, **chosen),
        page_number(request.GET.get("page")),
    )
    context = _list_context(request, program_obj, page, form)
    template = "network/analytics/opportunities.html"
    if is_htmx(request) and request.headers.get("HX-Target") == "opportunity-results":
        template += "#results"
    return render(request, template, context)


@require_safe
def actor_opportunities(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    actor = visible_actor(request, program, pk)
    program_obj = program_for_request(request, program, "network.view_opportunities")
    form, chosen = _filters(request, program_obj)
    chosen.pop("territory", None)
    page = opportunity_page(
        filtered_opportunities(program_obj, request.user, actor=actor, **chosen),
        page_number(request.GET.get("page")),
    )
    context = _list_context(request, program_obj, page, form, actor=actor)
    template = "network/analytics/opportunities.html"
    if is_htmx(request) and request.headers.get("HX-Target") == "opportunity-results":
        template += "#results"
    return render(request, template, context)


def _list_context(
    request: HttpRequest,
    program: Program,
    page: Any,
    form: OpportunityFilterForm,
    actor: Any = None,
) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "program": program,
        "actor": actor,
        "page": page,
        "rows": opportunity_rows(
            program, list(page.object_list), request.user, focus=actor.pk if actor else None
        ),
        "form": form,
        "query": query.urlencode(),
        "can_manage": request.user.has_perm("network.manage_opportunities", program),
        "decision_form": DecisionForm(),
        "back": request.get_full_path(),
    }


@require_POST
def opportunity_decide(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Accept, dismiss, or record that the introduction happened (a new tie)."""
    program_obj = program_for_request(request, program, "network.manage_opportunities")
    opportunity = get_object_or_404(opportunity_queryset(program_obj, request.user), pk=pk)
    form = DecisionForm(request.POST)
    error = done = ""
    if not form.is_valid():
        error = _("Choose what to do with this suggestion.")
    else:
        data = form.cleaned_data
        try:
            if data["action"] == "accept":
                opportunity = opportunity_accept(
                    user=request.user, opportunity=opportunity, note=data["note"]
                )
                done = _("Accepted: introduce them and record it here when it has happened.")
            elif data["action"] == "dismiss":
                opportunity = opportunity_dismiss(
                    user=request.user, opportunity=opportunity, note=data["note"]
                )
                done = _("Dismissed: this pair will not be suggested again.")
            else:
                opportunity = opportunity_introduce(
                    user=request.user,
                    opportunity=opportunity,
                    tie_type=data["tie_type"] or TieType.COLLABORATION,
                    intensity=(
                        data["intensity"] if data["intensity"] is not None else Intensity.AWARENESS
                    ),
                    note=data["note"],
                )
                done = _("Introduction recorded: the new tie is part of the network.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if is_htmx(request):
        opportunity = opportunity_queryset(program_obj, request.user).get(pk=opportunity.pk)
        focus = request.POST.get("focus", "")
        context = {
            "program": program_obj,
            "row": opportunity_rows(
                program_obj,
                [opportunity],
                request.user,
                focus=int(focus) if focus.isdigit() else None,
            )[0],
            "can_manage": True,
            "decision_form": DecisionForm(),
            "message": error or done,
            "error": bool(error),
            "back": request.POST.get("next", ""),
        }
        response = render(request, "network/analytics/includes/opportunity.html", context)
        if error:
            response.status_code = 400
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_next_url(request, program_obj))


def _next_url(request: HttpRequest, program: Program) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("network:opportunities", args=[program.slug])


__all__ = ["actor_opportunities", "opportunity_decide", "opportunity_list"]
