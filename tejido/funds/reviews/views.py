"""Review pages: the reviewer's workspace and review form, conflict declarations, and the
coordinators' pool, assignment and overview of a call's reviews.

A review a user may not open does not exist for them (404): a conflicted reviewer never
learns more about the application than its organizations' names they declared against.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.models import Actor
from tejido.core.forms import service_attempt
from tejido.core.http import (
    LoginRequired,
    is_htmx,
    optional_url,
    posted_choice,
    program_for_request,
    url_maker,
)

from ..calls.navigation import call_tabs
from ..http import call_for_request
from ..models import Application, Assignment, Call, CallPhase, CallReviewer
from . import selectors, services
from .forms import BUTTON_SCALE, DeclareForm, ReviewerAddForm, ReviewerEditForm, ReviewForm

MANAGE = "funds.manage_reviews"
REVIEW_CALL = "funds.review_call"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _status(form: Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _overview_url(call: Call, anchor: str = "") -> str:
    url = reverse("funds:review_overview", args=[call.program.slug, call.pk])
    return f"{url}#{anchor}" if anchor else url


def _pool_url(call: Call) -> str:
    return reverse("funds:review_pool", args=[call.program.slug, call.pk])


# -- the reviewer's side ----------------------------------------------------------------------


@require_safe
def my_reviews(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program)
    if not request.user.is_authenticated:
        raise LoginRequired
    blocks = selectors.my_reviews(request.user, program_obj)
    return render(
        request,
        "funds/reviews/my_reviews.html",
        {
            "program": program_obj,
            "blocks": blocks,
            "hub_url": optional_url("funds:hub", program_obj.slug),
        },
    )


def _assignment(request: HttpRequest, slug: str, pk: int) -> tuple[Assignment, bool]:
    """The assignment of the URL and whether the user writes it (its reviewer) or only reads
    it (a coordinator, once it is submitted). Anyone else: it does not exist."""
    program = program_for_request(request, slug)
    if not request.user.is_authenticated:
        raise LoginRequired
    assignment = selectors.review_assignment(program, pk)
    if assignment is None:
        raise Http404
    application = assignment.application
    application.call.program = program
    user = request.user
    if assignment.reviewer.user_id == user.pk and user.has_perm(
        "funds.review_application", application
    ):
        return assignment, True
    if assignment.submitted_at is not None and user.has_perm(MANAGE, application.call):
        return assignment, False
    raise Http404


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, program: str, assignment: int) -> HttpResponse:
    item, writes = _assignment(request, program, assignment)
    application = item.application
    call = application.call
    rows = selectors.review_rows(item)
    criteria = [row.criterion for row in rows]
    editable = writes and selectors.review_window_open(call)
    initial: dict[str, Any] = {"comment": item.comment, "seen": item.updated_at.isoformat()}
    for row in rows:
        if row.value is not None:
            value = row.value
            initial[f"score_{row.criterion.pk}"] = (
                str(int(value))
                if row.criterion.scale_max <= BUTTON_SCALE and value == int(value)
                else value
            )
        initial[f"comment_{row.criterion.pk}"] = row.comment
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        disabled=not editable,
        initial=initial,
    )
    if request.method == "POST":
        if not writes:
            raise PermissionDenied
        # Past the window the form is read-only; the service says why nothing changes.
        submit = "submit" in request.POST
        service = services.review_submit if submit else services.review_save

        def run() -> None:
            scores, comments, comment = form.values()
            service(
                actor=request.user,
                assignment=item,
                scores=scores,
                comments=comments,
                comment=comment,
                seen=form.seen_at(),
            )

        if service_attempt(form, run):
            if submit:
                messages.success(
                    request,
                    _("Review of %(reference)s submitted. Thank you.")
                    % {"reference": application.reference},
                )
                return redirect("funds:my_reviews", call.program.slug)
            messages.success(request, _("Draft saved. Only you see it until you submit it."))
            return redirect("funds:review", call.program.slug, item.pk)
    return render(
        request,
        "funds/reviews/review.html",
        {
            "program": call.program,
            "call": call,
            "assignment": item,
            "application": application,
            "partners": selectors.partner_names(application),
            "items": [
                {
                    "row": row,
                    "score": form[f"score_{row.criterion.pk}"],
                    "comment": form[f"comment_{row.criterion.pk}"],
                    "buttons": row.criterion.scale_max <= BUTTON_SCALE,
                }
                for row in rows
            ],
            "form": form,
            "writes": writes,
            "editable": editable,
            "application_url": optional_url("funds:application", call.program.slug, application.pk),
            "tabs": call_tabs(request.user, call, "reviews"),
        },
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def review_declare(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, REVIEW_CALL)
    user = request.user
    if not user.is_authenticated:  # pragma: no cover - the rule needs an account
        raise LoginRequired
    reviewer = CallReviewer.objects.filter(call=call, user=user, is_active=True).first()
    if reviewer is None:  # a superuser outside the pool: nothing to declare
        raise PermissionDenied
    choices = selectors.declaration_choices(call, reviewer)
    form = DeclareForm(request.POST or None, choices=choices)
    if request.method == "POST":
        declared: list[str] = []

        def run() -> None:
            organization = Actor.objects.get(pk=form.cleaned_data["organization"])
            services.conflict_declare(
                actor=request.user,
                call=call,
                organization=organization,
                reason=form.cleaned_data["reason"],
            )
            declared.append(organization.name)

        if service_attempt(form, run):
            messages.success(
                request,
                _(
                    "Conflict declared: you will not see nor review the applications in which"
                    " %(name)s takes part."
                )
                % {"name": declared[0]},
            )
            return redirect("funds:review_declare", call.program.slug, call.pk)
    return render(
        request,
        "funds/reviews/declare.html",
        {
            "program": call.program,
            "call": call,
            "form": form,
            "has_choices": bool(choices),
            "decided": call.phase() in (CallPhase.DECIDED, CallPhase.RESULTS),
            "declarations": selectors.declarations_of(reviewer),
            "tabs": call_tabs(request.user, call, "reviews"),
        },
        status=_status(form),
    )


# -- the coordinators' side -------------------------------------------------------------------


@require_safe
def review_overview(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    return render(
        request,
        "funds/reviews/overview.html",
        _overview_context(request, call),
    )


def _overview_context(request: HttpRequest, call: Call, **extra: Any) -> dict[str, Any]:
    page = selectors.overview(call)
    make_url = url_maker("funds:application", call.program)
    if make_url is not None:
        for row in page.applications:
            row.url = make_url(row.application.pk)
    return {
        "program": call.program,
        "call": call,
        "page": page,
        "phase": call.phase(),
        "window_open": selectors.review_window_open(call),
        "tie_label": selectors.intensity_label(call.conflict_tie_intensity),
        "tabs": call_tabs(request.user, call, "reviews"),
        **extra,
    }


@require_POST
def review_assign(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    try:
        created = services.reviews_assign(
            actor=request.user, call=call, base_url=_base_url(request)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_overview_url(call))
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)s review assigned; the reviewers were told by e-mail.",
                "%(count)s reviews assigned; the reviewers were told by e-mail.",
                created,
            )
            % {"count": created},
        )
    else:
        messages.success(request, _("Every application already has its reviewers."))
    short = sum(1 for row in selectors.overview(call).applications if row.short)
    if short:
        messages.warning(
            request,
            ngettext(
                "%(count)s application lacks reviewers without a conflict of interest: add"
                " people to the pool or raise their limits, then assign again.",
                "%(count)s applications lack reviewers without a conflict of interest: add"
                " people to the pool or raise their limits, then assign again.",
                short,
            )
            % {"count": short},
        )
    return redirect(_overview_url(call))


@require_POST
def review_conflicts(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    pairs = services.conflicts_detect(actor=request.user, call=call)
    messages.success(
        request,
        ngettext(
            "Conflicts checked: %(count)s reviewer and application pair is in conflict.",
            "Conflicts checked: %(count)s reviewer and application pairs are in conflict.",
            pairs,
        )
        % {"count": pairs},
    )
    return redirect(_overview_url(call, "conflicts"))


@require_POST
def review_extra(request: HttpRequest, program: str, pk: int, application: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    target = get_object_or_404(Application, pk=application, call=call)
    try:
        assignment = services.review_extra(
            actor=request.user, application=target, base_url=_base_url(request)
        )
    except ValidationError as error:
        if is_htmx(request):
            return _row(request, call, target.pk, flash_error=" ".join(error.messages))
        for message in error.messages:
            messages.error(request, message)
        return redirect(_overview_url(call, f"application-{target.pk}"))
    text = _("One more review of %(reference)s asked of %(name)s.") % {
        "reference": target.reference,
        "name": selectors.reviewer_name(assignment.reviewer.user),
    }
    if is_htmx(request):
        return _row(request, call, target.pk, flash=text)
    messages.success(request, text)
    return redirect(_overview_url(call, f"application-{target.pk}"))


def _row(request: HttpRequest, call: Call, application_id: int, **extra: Any) -> HttpResponse:
    """The overview's card of one application, for htmx to swap in place."""
    context = _overview_context(request, call, **extra)
    row = next(r for r in context["page"].applications if r.application.pk == application_id)
    return render(request, "funds/reviews/overview.html#application-row", {**context, "row": row})


@require_http_methods(["GET", "POST"])
def review_pool(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    form = ReviewerAddForm(request.POST or None, call=call)
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.reviewer_add(
            actor=request.user,
            call=call,
            user=form.cleaned_data["person"],
            organization=form.cleaned_data["organization"],
            max_load=form.cleaned_data["max_load"],
        ),
    ):
        messages.success(
            request,
            _("%(name)s joined the pool.")
            % {"name": selectors.reviewer_name(form.cleaned_data["person"])},
        )
        return redirect(_pool_url(call))
    return render(
        request,
        "funds/reviews/pool.html",
        {
            "program": call.program,
            "call": call,
            "rows": selectors.pool_rows(call),
            "form": form,
            "editable": call.phase() not in (CallPhase.DECIDED, CallPhase.RESULTS),
            "tabs": call_tabs(request.user, call, "reviews"),
        },
        status=_status(form),
    )


def _reviewer(call: Call, pk: int) -> CallReviewer:
    return get_object_or_404(CallReviewer.objects.select_related("user"), pk=pk, call=call)


@require_http_methods(["GET", "POST"])
def review_pool_edit(request: HttpRequest, program: str, pk: int, reviewer: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    member = _reviewer(call, reviewer)
    form = ReviewerEditForm(
        request.POST or None,
        call=call,
        initial={"organization": member.organization_id, "max_load": member.max_load},
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.reviewer_update(
            actor=request.user,
            reviewer=member,
            organization=form.cleaned_data["organization"],
            max_load=form.cleaned_data["max_load"],
        ),
    ):
        messages.success(
            request,
            _("%(name)s's details saved.") % {"name": selectors.reviewer_name(member.user)},
        )
        return redirect(_pool_url(call))
    return render(
        request,
        "funds/reviews/pool_edit.html",
        {
            "program": call.program,
            "call": call,
            "member": member,
            "name": selectors.reviewer_name(member.user),
            "form": form,
            "tabs": call_tabs(request.user, call, "reviews"),
        },
        status=_status(form),
    )


@require_POST
def review_pool_active(request: HttpRequest, program: str, pk: int, reviewer: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE)
    member = _reviewer(call, reviewer)
    choice = posted_choice(request, "active", ("0", "1"))
    if choice is None:
        return redirect(_pool_url(call))
    active = choice == "1"
    name = selectors.reviewer_name(member.user)
    try:
        withdrawn = services.reviewer_set_active(actor=request.user, reviewer=member, active=active)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_pool_url(call))
    if active:
        messages.success(request, _("%(name)s is back in the pool.") % {"name": name})
    elif withdrawn:
        messages.success(
            request,
            ngettext(
                "%(name)s left the pool; their %(count)s unfinished review was withdrawn."
                " Assign again to give it to someone else.",
                "%(name)s left the pool; their %(count)s unfinished reviews were withdrawn."
                " Assign again to give them to others.",
                withdrawn,
            )
            % {"name": name, "count": withdrawn},
        )
    else:
        messages.success(request, _("%(name)s left the pool.") % {"name": name})
    return redirect(_pool_url(call))
