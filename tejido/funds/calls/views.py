"""Calls pages: the funds hub of a program, a call's public page, and for coordinators the
call's form, its criteria and quotas (full pages without JavaScript, inline with htmx), and
publishing, taking back and deleting it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import service_attempt
from tejido.core.http import is_htmx, optional_url, program_for_request
from tejido.governance.plans.money import money

from ..http import MANAGE_CALL, call_for_request
from ..models import Call, CallPhase, CallStatus, Criterion, Quota
from . import selectors, services
from .forms import CallForm, CriterionForm, QuotaForm
from .navigation import call_tabs

VIEW_FUNDS = "funds.view_funds"
EDITOR_BODY = "funds/calls/criteria.html#editor-body"


def _call_url(call: Call, anchor: str = "") -> str:
    url = reverse("funds:call", args=[call.program.slug, call.pk])
    return f"{url}#{anchor}" if anchor else url


def _criteria_url(call: Call, anchor: str = "") -> str:
    url = reverse("funds:call_criteria", args=[call.program.slug, call.pk])
    return f"{url}#{anchor}" if anchor else url


# -- the hub ----------------------------------------------------------------------------------


@require_safe
def hub(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, VIEW_FUNDS)
    user = request.user
    can_manage = user.has_perm(MANAGE_CALL, program_obj)
    return render(
        request,
        "funds/calls/hub.html",
        {
            "program": program_obj,
            "hub": selectors.hub(program_obj, include_drafts=can_manage),
            "can_manage": can_manage,
            "my_applications": selectors.my_applications(user, program_obj),
            "reviews_waiting": selectors.reviews_waiting(user, program_obj),
            "my_applications_url": optional_url("funds:my_applications", program_obj.slug),
            "my_reviews_url": optional_url("funds:my_reviews", program_obj.slug),
        },
    )


# -- a call's page ----------------------------------------------------------------------------


@require_safe
def call_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = call_for_request(request, program, pk)
    call = selectors.call_get(found.program, found.pk)
    user = request.user
    can_manage = user.has_perm(MANAGE_CALL, call)
    phase = call.phase()
    with_open_data = call.status == CallStatus.RESULTS_PUBLISHED or (
        can_manage and phase != CallPhase.DRAFT
    )
    mine = selectors.applications_in_call(call, user)
    can_apply = (
        phase == CallPhase.OPEN
        and user.has_perm("funds.apply", call)
        and selectors.may_still_apply(call, user, mine)
    )
    return render(
        request,
        "funds/calls/call.html",
        {
            "program": call.program,
            "call": call,
            "tabs": call_tabs(user, call, "overview"),
            "page": selectors.call_page(call, with_open_data=with_open_data),
            "can_manage": can_manage,
            "phase": phase,
            "mine": mine,
            "apply_url": optional_url("funds:apply", call.program.slug, call.pk)
            if can_apply
            else "",
            "publish_problems": services.publish_problems(call)
            if can_manage and call.status == CallStatus.DRAFT
            else [],
            "may_unpublish": can_manage
            and call.status == CallStatus.PUBLISHED
            and not call.applications.exists(),
            "criteria_editable": services.criteria_editable(call),
            "login_url": reverse("accounts:login") + "?next=" + _call_url(call),
        },
    )


# -- create and edit --------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, program: Any, form: CallForm, call: Call | None
) -> HttpResponse:
    return render(
        request,
        "funds/calls/form.html",
        {
            "program": program,
            "form": form,
            "call": call,
            "tabs": call_tabs(request.user, call, "overview") if call is not None else [],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, MANAGE_CALL)
    form = CallForm(
        request.POST or None,
        program=program_obj,
        initial=CallForm.initial_for_new(program_obj),
    )
    created: list[Call] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.call_create(actor=request.user, program=program_obj, **form.values())
        ),
    ):
        messages.success(
            request,
            _("Call saved as a draft. Add its evaluation criteria and quotas, then publish it."),
        )
        return redirect(_criteria_url(created[0]))
    return _form_page(request, program_obj, form, None)


@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    fixed = services.fixed_fields(call)
    form = CallForm(
        request.POST or None,
        program=call.program,
        call=call,
        fixed=fixed,
        initial=CallForm.initial_from(call),
    )
    if request.method == "POST" and service_attempt(
        form, lambda: services.call_update(actor=request.user, call=call, **form.values())
    ):
        messages.success(request, _("Call saved."))
        return redirect(_call_url(call))
    return _form_page(request, call.program, form, call)


# -- publish, take back, delete ---------------------------------------------------------------


@require_POST
def call_publish(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    try:
        services.call_publish(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The call is published: it opens on %(date)s.")
            % {"date": selectors.moment_text(call.opens_at)},
        )
    return redirect(_call_url(call))


@require_POST
def call_unpublish(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    try:
        services.call_unpublish(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The call is a draft again: only coordinators see it."))
    return redirect(_call_url(call))


@require_POST
def call_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    try:
        services.call_delete(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_call_url(call))
    messages.success(request, _("The draft «%(title)s» was deleted.") % {"title": call.title})
    return redirect("funds:hub", call.program.slug)


# -- criteria and quotas ----------------------------------------------------------------------


def _editor_context(request: HttpRequest, call: Call, **extra: Any) -> dict[str, Any]:
    criteria, quotas, reserved = selectors.editor_rows(call)
    return {
        "program": call.program,
        "call": call,
        "tabs": call_tabs(request.user, call, "overview"),
        "criteria": criteria,
        "quotas": quotas,
        "reserved": reserved,
        "editable": services.criteria_editable(call),
        "budget": money(call.budget, call.currency),
        **extra,
    }


@require_safe
def call_criteria(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    template = EDITOR_BODY if is_htmx(request) else "funds/calls/criteria.html"
    return render(request, template, _editor_context(request, call))


def _saved(request: HttpRequest, call: Call, message: str, anchor: str) -> HttpResponse:
    """After a change: the refreshed editor for htmx (with the message), else the page."""
    if is_htmx(request):
        response = render(request, EDITOR_BODY, _editor_context(request, call, flash=message))
        response["HX-Retarget"] = "#editor-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.success(request, message)
    return redirect(_criteria_url(call, anchor))


def _refused(request: HttpRequest, call: Call, error: ValidationError, anchor: str) -> HttpResponse:
    message = " ".join(error.messages)
    if is_htmx(request):
        response = render(request, EDITOR_BODY, _editor_context(request, call, flash_error=message))
        response["HX-Retarget"] = "#editor-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.error(request, message)
    return redirect(_criteria_url(call, anchor))


def _item_form(
    request: HttpRequest,
    call: Call,
    form: Form,
    *,
    heading: str,
    action_url: str,
    slot: str,
    submit: str,
    anchor: str,
) -> HttpResponse:
    inline = is_htmx(request)
    if inline and form.fields:
        wrong = [name for name in form.fields if name in form.errors]
        first = form.fields[wrong[0] if wrong else next(iter(form.fields))]
        first.widget.attrs["autofocus"] = True
    context = {
        "program": call.program,
        "call": call,
        "tabs": call_tabs(request.user, call, "overview"),
        "form": form,
        "heading": heading,
        "action_url": action_url,
        "slot": slot,
        "submit": submit,
        "inline": inline,
        "cancel_url": _criteria_url(call, anchor),
        "editor_url": _criteria_url(call),
    }
    status = 400 if form.is_bound and form.errors and not inline else 200
    template = "funds/calls/item_form.html" + ("#item-form" if inline else "")
    return render(request, template, context, status=status)


def _criterion(call: Call, item: int) -> Criterion:
    criterion = get_object_or_404(Criterion, pk=item, call=call)
    criterion.call = call
    return criterion


def _quota(call: Call, item: int) -> Quota:
    quotas = Quota.objects.select_related("territory", "theme")
    quota = get_object_or_404(quotas, pk=item, call=call)
    quota.call = call
    return quota


@require_http_methods(["GET", "POST"])
def criterion_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.criterion_create(actor=request.user, call=call, **form.cleaned_data),
    ):
        return _saved(request, call, _("Criterion added."), "criteria")
    return _item_form(
        request,
        call,
        form,
        heading=_("New evaluation criterion"),
        action_url=reverse("funds:criterion_add", args=[program, call.pk]),
        slot="new-criterion",
        submit=_("Add the criterion"),
        anchor="criteria",
    )


@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    criterion = _criterion(call, item)
    form = CriterionForm(request.POST or None, initial=CriterionForm.initial_from(criterion))
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.criterion_update(
            actor=request.user, criterion=criterion, **form.cleaned_data
        ),
    ):
        return _saved(request, call, _("Criterion saved."), f"criterion-{criterion.pk}")
    return _item_form(
        request,
        call,
        form,
        heading=_("Edit «%(name)s»") % {"name": criterion.name},
        action_url=reverse("funds:criterion_edit", args=[program, call.pk, criterion.pk]),
        slot=f"criterion-{criterion.pk}",
        submit=_("Save"),
        anchor=f"criterion-{criterion.pk}",
    )


@require_POST
def criterion_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    criterion = _criterion(call, item)
    try:
        services.criterion_remove(actor=request.user, criterion=criterion)
    except ValidationError as error:
        return _refused(request, call, error, "criteria")
    return _saved(
        request, call, _("Criterion «%(name)s» removed.") % {"name": criterion.name}, "criteria"
    )


@require_POST
def criterion_move(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    criterion = _criterion(call, item)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return _refused(
            request, call, ValidationError(_("Choose whether to move it up or down.")), "criteria"
        )
    ids = list(call.criteria.order_by("position", "id").values_list("pk", flat=True))
    index = ids.index(criterion.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    try:
        services.criteria_reorder(actor=request.user, call=call, order=ids)
    except ValidationError as error:
        return _refused(request, call, error, "criteria")
    return _saved(
        request,
        call,
        _("Moved up.") if direction == "up" else _("Moved down."),
        f"criterion-{criterion.pk}",
    )


@require_http_methods(["GET", "POST"])
def quota_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    form = QuotaForm(request.POST or None, call=call)
    if request.method == "POST" and service_attempt(
        form, lambda: services.quota_create(actor=request.user, call=call, **form.values())
    ):
        return _saved(request, call, _("Quota added."), "quotas")
    return _item_form(
        request,
        call,
        form,
        heading=_("New quota"),
        action_url=reverse("funds:quota_add", args=[program, call.pk]),
        slot="new-quota",
        submit=_("Add the quota"),
        anchor="quotas",
    )


@require_http_methods(["GET", "POST"])
def quota_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    quota = _quota(call, item)
    form = QuotaForm(request.POST or None, call=call, initial=QuotaForm.initial_from(quota))
    if request.method == "POST" and service_attempt(
        form, lambda: services.quota_update(actor=request.user, quota=quota, **form.values())
    ):
        return _saved(request, call, _("Quota saved."), f"quota-{quota.pk}")
    return _item_form(
        request,
        call,
        form,
        heading=_("Edit the quota"),
        action_url=reverse("funds:quota_edit", args=[program, call.pk, quota.pk]),
        slot=f"quota-{quota.pk}",
        submit=_("Save"),
        anchor=f"quota-{quota.pk}",
    )


@require_POST
def quota_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    quota = _quota(call, item)
    try:
        services.quota_remove(actor=request.user, quota=quota)
    except ValidationError as error:
        return _refused(request, call, error, "quotas")
    return _saved(request, call, _("Quota removed."), "quotas")
