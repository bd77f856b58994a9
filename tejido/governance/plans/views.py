"""Plan pages: the list of plans, the plan itself (public once approved in a public program),
its editors for coordinators (full pages without JavaScript, inline rows with htmx), progress
reports, the submission to the body's vote, the approval and the deferral of unfunded actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import service_attempt
from tejido.core.http import LoginRequired, is_htmx, optional_url, program_for_request, require_perm

from ..models import ActionLine, Objective, Plan, PlanAction, PlanStatus
from . import selectors, services
from .forms import (
    ActionFollowUpForm,
    ActionForm,
    DeferForm,
    LineForm,
    ObjectiveForm,
    PlanForm,
    ProgressForm,
    SubmitForm,
)

VIEW = "governance.view_plan"
MANAGE = "governance.manage_plan"
INTERNAL = "core.view_program_internal"
PLAN_BODY = "governance/plans/plan.html#plan-body"
EDITOR = "governance/plans/editor.html"


def _plan(request: HttpRequest, slug: str, pk: int, *, manage: bool = False) -> Plan:
    """The plan of the URL, if the user may see it: approved plans follow the program's
    visibility; drafts exist only for the program's members and the seats of the body that
    votes on them."""
    program = program_for_request(request, slug, VIEW)
    try:
        plan = selectors.plan_get(program, pk)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc
    user = request.user
    if not selectors.plan_visible(plan, user):
        if not user.is_authenticated:
            raise LoginRequired
        raise Http404
    if manage:
        require_perm(request, MANAGE, program)
    return plan


def _plan_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("governance:plan", args=[plan.program.slug, plan.pk])
    return f"{url}#{anchor}" if anchor else url


def _page_context(request: HttpRequest, plan: Plan, **extra: Any) -> dict[str, Any]:
    page = selectors.plan_page(plan, request.user)
    for block in page.objectives:
        for line in block.lines:
            for row in line.actions:
                row.agenda_url = (  # type: ignore[attr-defined]
                    optional_url("governance:meeting", plan.program.slug, row.agenda.pk)
                    if row.agenda
                    else ""
                )
    poll = plan.approval_poll
    return {
        "program": plan.program,
        "plan": plan,
        "page": page,
        "hub_url": optional_url("governance:hub", plan.program.slug),
        "body_url": optional_url("governance:body", plan.program.slug, plan.body_id),
        "poll_url": optional_url("governance:poll", plan.program.slug, poll.pk) if poll else "",
        "can_record_any": any(
            row.can_report for b in page.objectives for ln in b.lines for row in ln.actions
        ),
        "awaiting_approval": bool(
            page.can_manage
            and plan.status == PlanStatus.DRAFT
            and poll is not None
            and poll.status == "closed"
            and selectors.poll_passed(poll)
        ),
        "poll_failed": bool(
            plan.status == PlanStatus.DRAFT
            and poll is not None
            and poll.status == "closed"
            and not selectors.poll_passed(poll)
        ),
        "has_upcoming": page.can_manage
        and plan.status == PlanStatus.APPROVED
        and selectors.upcoming_meetings(plan).exists(),
        **extra,
    }


# -- reading ----------------------------------------------------------------------------------


@require_safe
def plan_list(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, VIEW)
    members = request.user.has_perm(INTERNAL, program_obj)
    return render(
        request,
        "governance/plans/list.html",
        {
            "program": program_obj,
            "rows": selectors.plan_list(program_obj, include_drafts=members),
            "can_manage": request.user.has_perm(MANAGE, program_obj),
            "members": members,
            "hub_url": optional_url("governance:hub", program_obj.slug),
        },
    )


@require_safe
def plan_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    plan = _plan(request, program, pk)
    template = PLAN_BODY if is_htmx(request) else "governance/plans/plan.html"
    return render(request, template, _page_context(request, plan))


# -- the editors ------------------------------------------------------------------------------


def _saved(request: HttpRequest, plan: Plan, message: str, anchor: str = "") -> HttpResponse:
    """After a change: the refreshed outline for htmx (with the message), else the plan page."""
    if is_htmx(request):
        plan = selectors.plan_get(plan.program, plan.pk)
        response = render(request, PLAN_BODY, _page_context(request, plan, flash=message))
        response["HX-Retarget"] = "#plan-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.success(request, message)
    return redirect(_plan_url(plan, anchor))


def _editor(
    request: HttpRequest,
    plan: Plan,
    form: Form,
    *,
    heading: str,
    action_url: str,
    slot: str,
    submit: str,
    anchor: str = "",
    intro: str = "",
) -> HttpResponse:
    inline = is_htmx(request)
    if inline and form.fields:
        # Focus the first field to fix, or the first field of a fresh form.
        wrong = [name for name in form.fields if name in form.errors]
        first = form.fields[wrong[0] if wrong else next(iter(form.fields))]
        first.widget.attrs["autofocus"] = True
    context = {
        "program": plan.program,
        "plan": plan,
        "form": form,
        "heading": heading,
        "action_url": action_url,
        "slot": slot,
        "submit": submit,
        "intro": intro,
        "inline": inline,
        "cancel_url": _plan_url(plan, anchor),
        "plan_url": _plan_url(plan),
    }
    # An htmx form with errors swaps itself in place, so it is answered 200.
    status = 400 if form.is_bound and form.errors and not inline else 200
    return render(request, EDITOR + ("#editor" if inline else ""), context, status=status)


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, MANAGE)
    form = PlanForm(request.POST or None, program=program_obj)
    if request.method == "GET":
        cycle = program_obj.current_cycle()
        form.initial = {"cycle": cycle.pk if cycle else None, "currency": "CLP"}
    created: list[Plan] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.plan_create(user=request.user, program=program_obj, **form.cleaned_data)
        ),
    ):
        messages.success(request, _("Plan created. Now add its objectives."))
        return redirect(_plan_url(created[0], "outline"))
    return render(
        request,
        "governance/plans/plan_form.html",
        {"program": program_obj, "form": form, "plan": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    initial = {
        "title": plan.title,
        "purpose": plan.purpose,
        "currency": plan.currency,
        "cycle": plan.cycle_id,
        "body": plan.body_id,
    }
    form = PlanForm(request.POST or None, program=plan.program, plan=plan, initial=initial)
    if request.method == "POST" and service_attempt(
        form, lambda: services.plan_update(user=request.user, plan=plan, **form.cleaned_data)
    ):
        messages.success(request, _("Plan saved."))
        return redirect(_plan_url(plan))
    return render(
        request,
        "governance/plans/plan_form.html",
        {"program": plan.program, "form": form, "plan": plan},
        status=400 if form.is_bound and form.errors else 200,
    )


def _objective(plan: Plan, pk: int) -> Objective:
    return get_object_or_404(Objective, pk=pk, plan=plan)


def _line(plan: Plan, pk: int) -> ActionLine:
    return get_object_or_404(
        ActionLine.objects.select_related("objective"), pk=pk, objective__plan=plan
    )


def _action(plan: Plan, pk: int) -> PlanAction:
    action = get_object_or_404(
        PlanAction.objects.select_related("line__objective", "responsible").prefetch_related(
            "partners"
        ),
        pk=pk,
        line__objective__plan=plan,
    )
    action.line.objective.plan = plan
    return action


@require_http_methods(["GET", "POST"])
def objective_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    form = ObjectiveForm(request.POST or None, plan=plan)
    if request.method == "POST" and service_attempt(
        form, lambda: services.objective_create(user=request.user, plan=plan, **form.cleaned_data)
    ):
        return _saved(request, plan, _("Objective added."), "outline")
    return _editor(
        request,
        plan,
        form,
        heading=_("New objective"),
        action_url=reverse("governance:plan_objective_add", args=[program, plan.pk]),
        slot="new-objective",
        submit=_("Add the objective"),
        anchor="outline",
    )


@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    objective = _objective(plan, item)
    form = ObjectiveForm(
        request.POST or None,
        plan=plan,
        initial={
            "title": objective.title,
            "description": objective.description,
            "needs": [n.pk for n in objective.needs.all()],
        },
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.objective_update(
            user=request.user, objective=objective, **form.cleaned_data
        ),
    ):
        return _saved(request, plan, _("Objective saved."), f"objective-{objective.pk}")
    return _editor(
        request,
        plan,
        form,
        heading=_("Edit the objective"),
        action_url=reverse("governance:plan_objective_edit", args=[program, plan.pk, item]),
        slot=f"objective-{objective.pk}",
        submit=_("Save"),
        anchor=f"objective-{objective.pk}",
    )


@require_http_methods(["GET", "POST"])
def line_add(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    objective = _objective(plan, item)
    form = LineForm(request.POST or None)
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.line_create(user=request.user, objective=objective, **form.cleaned_data),
    ):
        return _saved(request, plan, _("Line of action added."), f"objective-{objective.pk}")
    return _editor(
        request,
        plan,
        form,
        heading=_("New line of action for «%(objective)s»") % {"objective": objective.title},
        action_url=reverse("governance:plan_line_add", args=[program, plan.pk, item]),
        slot=f"new-line-{objective.pk}",
        submit=_("Add the line"),
        anchor=f"objective-{objective.pk}",
    )


@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    line = _line(plan, item)
    form = LineForm(request.POST or None, initial={"title": line.title})
    if request.method == "POST" and service_attempt(
        form, lambda: services.line_update(user=request.user, line=line, **form.cleaned_data)
    ):
        return _saved(request, plan, _("Line of action saved."), f"line-{line.pk}")
    return _editor(
        request,
        plan,
        form,
        heading=_("Edit the line of action"),
        action_url=reverse("governance:plan_line_edit", args=[program, plan.pk, item]),
        slot=f"line-{line.pk}",
        submit=_("Save"),
        anchor=f"line-{line.pk}",
    )


@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    line = _line(plan, item)
    form = ActionForm(request.POST or None, plan=plan, user=request.user)
    if request.method == "POST" and service_attempt(
        form, lambda: services.action_create(user=request.user, line=line, **form.values())
    ):
        return _saved(request, plan, _("Action added."), f"line-{line.pk}")
    return _editor(
        request,
        plan,
        form,
        heading=_("New action in «%(line)s»") % {"line": line.title},
        action_url=reverse("governance:plan_action_add", args=[program, plan.pk, item]),
        slot=f"new-action-{line.pk}",
        submit=_("Add the action"),
        anchor=f"line-{line.pk}",
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    """The whole action while the plan is a draft; its status and funding once approved."""
    plan = _plan(request, program, pk, manage=True)
    action = _action(plan, item)
    follow_up = plan.status == PlanStatus.APPROVED
    form: ActionFollowUpForm | ActionForm
    if follow_up:
        form = ActionFollowUpForm(
            request.POST or None,
            initial={"status": action.status, "funded_amount": action.funded_amount},
        )
    else:
        form = ActionForm(
            request.POST or None,
            plan=plan,
            user=request.user,
            initial=ActionForm.initial_from(action),
        )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.action_update(user=request.user, action=action, **form.values()),
    ):
        return _saved(request, plan, _("Action saved."), f"action-{action.pk}")
    return _editor(
        request,
        plan,
        form,
        heading=_("Edit «%(action)s»") % {"action": action.title},
        action_url=reverse("governance:plan_action_edit", args=[program, plan.pk, item]),
        slot=f"action-{action.pk}",
        submit=_("Save"),
        anchor=f"action-{action.pk}",
        intro=(
            _(
                "The plan is approved: its actions keep their content. Update the status and"
                " the money secured; the funding status follows (budget %(budget)s)."
            )
            % {"budget": selectors.money(action.budget, plan.currency)}
            if follow_up
            else ""
        ),
    )


def _remove(request: HttpRequest, program: str, pk: int, item: int, kind: str) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    try:
        if kind == "objective":
            objective = _objective(plan, item)
            services.objective_remove(user=request.user, objective=objective)
            message = _("Objective «%(title)s» removed.") % {"title": objective.title}
        elif kind == "line":
            line = _line(plan, item)
            services.line_remove(user=request.user, line=line)
            message = _("Line of action «%(title)s» removed.") % {"title": line.title}
        else:
            action = _action(plan, item)
            services.action_remove(user=request.user, action=action)
            message = _("Action «%(title)s» removed.") % {"title": action.title}
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_plan_url(plan, "outline"))
    return _saved(request, plan, message, "outline")


@require_POST
def objective_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    return _remove(request, program, pk, item, "objective")


@require_POST
def line_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    return _remove(request, program, pk, item, "line")


@require_POST
def action_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    return _remove(request, program, pk, item, "action")


def _moved(ids: list[int], pk: int, direction: str) -> list[int]:
    index = ids.index(pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return ids


def _move(request: HttpRequest, program: str, pk: int, item: int, kind: str) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose whether to move it up or down."))
        return redirect(_plan_url(plan, "outline"))
    try:
        if kind == "objective":
            objective = _objective(plan, item)
            ids = list(plan.objectives.values_list("pk", flat=True))
            services.objective_reorder(
                user=request.user, plan=plan, order=_moved(ids, objective.pk, direction)
            )
            anchor = f"objective-{objective.pk}"
        elif kind == "line":
            line = _line(plan, item)
            ids = list(line.objective.lines.values_list("pk", flat=True))
            services.line_reorder(
                user=request.user, objective=line.objective, order=_moved(ids, line.pk, direction)
            )
            anchor = f"line-{line.pk}"
        else:
            action = _action(plan, item)
            ids = list(action.line.actions.values_list("pk", flat=True))
            services.action_reorder(
                user=request.user, line=action.line, order=_moved(ids, action.pk, direction)
            )
            anchor = f"action-{action.pk}"
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_plan_url(plan, "outline"))
    return _saved(request, plan, _("Moved up.") if direction == "up" else _("Moved down."), anchor)


@require_POST
def objective_move(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    return _move(request, program, pk, item, "objective")


@require_POST
def line_move(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    return _move(request, program, pk, item, "line")


@require_POST
def action_move(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    return _move(request, program, pk, item, "action")


# -- progress ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def action_progress(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    """Report progress on an action: coordinators and the responsible organization's
    representatives."""
    plan = _plan(request, program, pk)
    action = _action(plan, item)
    require_perm(request, "governance.record_plan_progress", action)
    form = ProgressForm(
        request.POST or None, action=action, initial={"recorded_on": timezone.localdate()}
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.action_progress_record(
            user=request.user, action=action, **form.cleaned_data
        ),
    ):
        return _saved(request, plan, _("Progress recorded. Thank you."), f"action-{action.pk}")
    return _editor(
        request,
        plan,
        form,
        heading=_("Progress of «%(action)s»") % {"action": action.title},
        action_url=reverse("governance:plan_action_progress", args=[program, plan.pk, item]),
        slot=f"progress-{action.pk}",
        submit=_("Record the progress"),
        anchor=f"action-{action.pk}",
        intro=_progress_intro(action),
    )


def _progress_intro(action: PlanAction) -> str:
    progress = selectors.indicator_progress(action)
    if progress is None:
        return _("Tell what was done: a note is enough.")
    return _(
        "From %(baseline)s to %(target)s %(unit)s; the last value reported is %(current)s."
        " Give the value measured on the date, a note, or both."
    ) % {
        "baseline": progress.baseline_text,
        "target": progress.target_text,
        "unit": progress.unit,
        "current": progress.current_text if progress.measured else "—",
    }


# -- approval and deferral --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_submit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    form = SubmitForm(request.POST or None, plan=plan)
    polls: list[Any] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: polls.append(
            services.plan_submit_for_approval(user=request.user, plan=plan, **form.values())
        ),
    ):
        poll = polls[0]
        messages.success(
            request,
            _(
                "The plan was submitted to %(body)s. Open the vote «%(question)s» when the body"
                " is ready to decide."
            )
            % {"body": plan.body.name, "question": poll.question},
        )
        return redirect(
            optional_url("governance:poll", plan.program.slug, poll.pk) or _plan_url(plan)
        )
    return _editor(
        request,
        plan,
        form,
        heading=_("Submit the plan for approval"),
        action_url=reverse("governance:plan_submit", args=[program, plan.pk]),
        slot="submit",
        submit=_("Submit to the vote"),
        intro=_(
            "%(body)s decides on the plan with a vote (yes, no, abstain; or consent). While the"
            " vote is open the plan cannot change; once it passes, record the approval here."
        )
        % {"body": plan.body.name},
    )


@require_POST
def plan_approve(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    plan = _plan(request, program, pk, manage=True)
    try:
        services.plan_approve(user=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The plan is approved. Its needs are now “in the plan” and its page is public.")
            if plan.program.is_public
            else _("The plan is approved. Its needs are now “in the plan”."),
        )
    return redirect(_plan_url(plan))


@require_http_methods(["GET", "POST"])
def plan_defer(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Move the actions still waiting for money to a coming meeting's agenda."""
    plan = _plan(request, program, pk, manage=True)
    form = DeferForm(request.POST or None, plan=plan)
    added: list[Any] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: added.extend(
            services.plan_defer_unfunded(
                user=request.user, plan=plan, meeting=form.cleaned_data["meeting"]
            )
        ),
    ):
        meeting = form.cleaned_data["meeting"]
        if added:
            message = ngettext(
                "%(count)s action awaiting funding is on the agenda of «%(meeting)s».",
                "%(count)s actions awaiting funding are on the agenda of «%(meeting)s».",
                len(added),
            ) % {"count": len(added), "meeting": meeting.title}
        else:
            message = _(
                "Nothing to add: every action awaiting funding is already on the agenda of"
                " «%(meeting)s»."
            ) % {"meeting": meeting.title}
        messages.success(request, message)
        return redirect(_plan_url(plan, "outline"))
    waiting = selectors.waiting_actions(plan)
    return render(
        request,
        "governance/plans/defer.html",
        {
            "program": plan.program,
            "plan": plan,
            "form": form,
            "waiting": waiting,
            "has_meetings": form.fields["meeting"].queryset.exists(),  # type: ignore[attr-defined]
            "body_url": optional_url("governance:body", plan.program.slug, plan.body_id),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
