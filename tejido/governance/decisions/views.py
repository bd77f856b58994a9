"""Decision pages: a body's polls, the poll editor, and the poll page where members vote and
everyone who may see the body reads the result and how it was counted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.rules import can_view_people
from tejido.core.forms import add_service_error
from tejido.core.http import LoginRequired, is_htmx, program_for_request, require_perm
from tejido.core.models import Program
from tejido.governance.http import body_for_request

from ..bodies.selectors import acting_mandate
from ..models import AgendaItem, BallotReceipt, Body, Mandate, Meeting, Poll, PollStatus
from ..plans.selectors import plan_visible
from . import selectors, services
from .forms import BallotForm, PollForm
from .selectors import poll_get

VIEW = "governance.view_body"
MANAGE = "governance.manage_body"


def _body(request: HttpRequest, slug: str, pk: int, perm: str) -> tuple[Program, Body]:
    body = body_for_request(request, slug, pk, perm)
    return body.program, body


def _poll(request: HttpRequest, slug: str, pk: int, perm: str = VIEW) -> tuple[Program, Poll]:
    """The poll of the URL if the user may see it: drafts only for those who manage the body."""
    program = program_for_request(request, slug)
    try:
        poll = poll_get(program.pk, pk)
    except Poll.DoesNotExist as exc:
        raise Http404 from exc
    require_perm(request, VIEW, poll.body)
    if poll.status == PollStatus.DRAFT and not request.user.has_perm(MANAGE, poll.body):
        raise Http404
    if perm != VIEW:
        require_perm(request, perm, poll.body)
    return program, poll


def _poll_url(poll: Poll) -> str:
    return reverse("governance:poll", args=[poll.body.program.slug, poll.pk])


# -- the body's polls --------------------------------------------------------------------------


@require_safe
def poll_list(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, body = _body(request, program, pk, VIEW)
    services.polls_close_due(body=body)
    manages = request.user.has_perm(MANAGE, body)
    polls = selectors.poll_list(body, include_drafts=manages)
    open_polls = [p for p in polls if p.status == PollStatus.OPEN]
    mandate = _voting_mandate(request, body) if open_polls else None
    voted = (
        set(
            BallotReceipt.objects.filter(
                mandate=mandate, poll__in=[p.pk for p in open_polls]
            ).values_list("poll_id", flat=True)
        )
        if mandate is not None
        else set()
    )
    for poll in open_polls:
        poll.my_vote = (  # type: ignore[attr-defined]
            "" if mandate is None else "voted" if poll.pk in voted else "waiting"
        )
    return render(
        request,
        "governance/decisions/list.html",
        {
            "program": program_obj,
            "body": body,
            "manages": manages,
            "open_polls": open_polls,
            "drafts": [p for p in polls if p.status == PollStatus.DRAFT],
            "closed": [p for p in polls if p.status == PollStatus.CLOSED],
        },
    )


# -- creating and editing ----------------------------------------------------------------------


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _form_page(
    request: HttpRequest, program: Program, body: Body, form: PollForm, poll: Poll | None
) -> HttpResponse:
    agenda_item = None
    item_id = form["agenda_item"].value()
    if item_id and str(item_id).isdigit():
        agenda_item = (
            AgendaItem.objects.select_related("meeting")
            .filter(meeting__body=body, pk=int(item_id))
            .first()
        )
    return render(
        request,
        "governance/decisions/form.html",
        {
            "program": program,
            "body": body,
            "form": form,
            "poll": poll,
            "agenda_item": agenda_item,
        },
    )


@require_http_methods(["GET", "POST"])
def poll_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, body = _body(request, program, pk, MANAGE)
    initial: dict[str, Any] = {}
    meeting_id, item_id = _int_param(request, "meeting"), _int_param(request, "agenda_item")
    item = AgendaItem.objects.filter(meeting__body=body, pk=item_id).first() if item_id else None
    if item is not None:
        initial.update(agenda_item=item.pk, meeting=item.meeting_id, question=item.title)
    elif meeting_id and Meeting.objects.filter(body=body, pk=meeting_id).exists():
        initial["meeting"] = meeting_id
    form = PollForm(request.POST or None, body=body, initial=initial)
    if request.method == "POST" and "more_options" not in request.POST and form.is_valid():
        try:
            poll = services.poll_create(user=request.user, body=body, **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Poll saved as a draft. Check it, then open it for voting.")
            )
            return redirect(_poll_url(poll))
    return _form_page(request, program_obj, body, form, None)


@require_http_methods(["GET", "POST"])
def poll_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, poll = _poll(request, program, pk, MANAGE)
    if poll.status != PollStatus.DRAFT:
        messages.error(request, _("Only a draft poll can be changed; this one is already open."))
        return redirect(_poll_url(poll))
    form = PollForm(request.POST or None, body=poll.body, initial=PollForm.initial_from(poll))
    if request.method == "POST" and "more_options" not in request.POST and form.is_valid():
        try:
            services.poll_update(user=request.user, poll=poll, **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Poll saved."))
            return redirect(_poll_url(poll))
    return _form_page(request, program_obj, poll.body, form, poll)


def _action(request: HttpRequest, program: str, pk: int, action: str) -> HttpResponse:
    _program, poll = _poll(request, program, pk, MANAGE)
    try:
        if action == "open":
            services.poll_open(user=request.user, poll=poll)
            messages.success(request, _("The poll is open: members can vote now."))
        elif action == "close":
            services.poll_close(user=request.user, poll=poll)
            messages.success(request, _("The poll is closed and the ballots are counted."))
        else:
            body = poll.body
            services.poll_delete(user=request.user, poll=poll)
            messages.success(request, _("Draft poll deleted."))
            return redirect("governance:polls", body.program.slug, body.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_poll_url(poll))


@require_POST
def poll_open(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _action(request, program, pk, "open")


@require_POST
def poll_close(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _action(request, program, pk, "close")


@require_POST
def poll_delete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _action(request, program, pk, "delete")


# -- the poll page -----------------------------------------------------------------------------


def _voting_mandate(request: HttpRequest, body: Body) -> Mandate | None:
    """The seat the user votes for in the body, if any."""
    if not request.user.has_perm("governance.vote", body):
        return None
    mandate = acting_mandate(request.user, body, timezone.localdate())
    return mandate if mandate is not None and mandate.seat.is_voting else None


def _render_poll(
    request: HttpRequest, program: Program, poll: Poll, form: BallotForm | None = None
) -> HttpResponse:
    mandate = _voting_mandate(request, poll.body)
    page = selectors.poll_page(poll, people=can_view_people(request.user, program), mandate=mandate)
    can_vote = mandate is not None and page.receipt is None and not page.problem
    if can_vote and form is None:
        form = BallotForm(poll=poll, labels=page.labels)
    plan = selectors.plan_approved_by(poll)
    context = {
        "program": program,
        "poll": poll,
        "plan": plan,
        "plan_url": (
            reverse("governance:plan", args=[program.slug, plan.pk])
            if plan is not None and plan_visible(plan, request.user)
            else ""
        ),
        "body": poll.body,
        "page": page,
        "form": form if can_vote else None,
        "manages": request.user.has_perm(MANAGE, poll.body),
        "method_help": selectors.method_rule(poll),
        "voted_summary": selectors.voted_summary(poll, len(page.voters), page.seats),
        "quorum_sentences": selectors.quorum_sentences(poll),
    }
    template = "governance/decisions/poll.html"
    if is_htmx(request) and request.GET.get("partial") == "voters":
        if poll.status == PollStatus.CLOSED:
            # The poll closed while the page was open: reload it to show the result.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        template += "#voters"
    return render(request, template, context)


@require_safe
def poll_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, poll = _poll(request, program, pk)
    if services.poll_close_if_due(poll).status != poll.status:
        poll = poll_get(program_obj.pk, pk)
    return _render_poll(request, program_obj, poll)


@require_POST
def poll_vote(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, poll = _poll(request, program, pk)
    if not request.user.is_authenticated:
        raise LoginRequired
    mandate = _voting_mandate(request, poll.body)
    if mandate is None:
        messages.error(request, services.NOT_A_MEMBER)
        return redirect(_poll_url(poll))
    labels = [services.option_label(o) for o in poll.options.all()]
    form = BallotForm(request.POST, poll=poll, labels=labels)
    if form.is_valid():
        try:
            services.ballot_cast(
                user=request.user, poll=poll, mandate=mandate, ballot=form.ballot()
            )
        except ValidationError as error:
            if getattr(error, "code", "") in ("already_voted", "closed", "draft"):
                messages.error(request, " ".join(error.messages))
                return redirect(_poll_url(poll))
            add_service_error(form, error)
        else:
            messages.success(request, _("Your vote is recorded."))
            return redirect(_poll_url(poll))
    return _render_poll(request, program_obj, poll, form)
