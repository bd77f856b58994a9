"""Recording, correcting and ending ties, as full pages or inline on the actor profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tejido.actors.models import Actor
from tejido.core.forms import add_service_error
from tejido.core.http import is_htmx, program_for_request, require_perm

from .. import services
from ..forms import TieCreateForm, TieEditForm, TieEndForm
from ..models import Tie
from ..selectors import actor_get, partner_options, tie_current_version, tie_versions
from .profile import actor_url_maker, render_network_section, visible_actor


def _partner_context(actor: Actor, query: str, selected: Any) -> dict[str, Any]:
    try:
        selected_id = int(selected) if selected else None
    except (TypeError, ValueError):
        selected_id = None
    options, more = partner_options(actor.program, actor, query, selected=selected_id)
    return {
        "options": options,
        "more": more,
        "query": query,
        "selected_id": selected_id,
        "search_url": reverse("network:tie_partner_search", args=[actor.program.slug, actor.pk]),
    }


@require_http_methods(["GET", "POST"])
def tie_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    actor = visible_actor(request, program, pk)
    require_perm(request, "network.add_tie_for_actor", actor)
    inline = is_htmx(request)
    profile_url = actor_url_maker(actor.program)(actor.pk)
    query = request.GET.get("q", "")[:100]
    if request.method == "POST":
        form = TieCreateForm(request.POST, actor=actor)
        if form.is_valid():
            source, target, directed = form.ends()
            try:
                tie = services.tie_create(
                    user=request.user,
                    source=source,
                    target=target,
                    tie_type=form.cleaned_data["tie_type"],
                    directed=directed,
                    **form.service_values(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if tie.previous_id:
                    message = _(
                        "They already had a tie of this type: it now has the values you "
                        "entered, and the earlier version is kept in its history."
                    )
                else:
                    message = _("Tie with %(other)s recorded.") % {
                        "other": form.cleaned_data["partner"].name
                    }
                if inline:
                    return render_network_section(request, actor, message=message)
                messages.success(request, message)
                return redirect(profile_url)
        selected = request.POST.get("partner")
    else:
        form = TieCreateForm(actor=actor)
        selected = request.GET.get("partner")
    context = {
        "program": actor.program,
        "actor": actor,
        "form": form,
        "inline": inline,
        "profile_url": profile_url,
        "action_url": reverse("network:tie_create", args=[actor.program.slug, actor.pk]),
        **_partner_context(actor, query, selected),
    }
    template = "network/tie_create.html" + ("#form" if inline else "")
    return render(request, template, context)


@require_safe
def tie_partner_search(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Live search for the other end of a new tie (htmx); without htmx, the create page."""
    actor = visible_actor(request, program, pk)
    require_perm(request, "network.add_tie_for_actor", actor)
    query = request.GET.get("q", "")[:100]
    if not is_htmx(request):
        url = reverse("network:tie_create", args=[actor.program.slug, actor.pk])
        return redirect(f"{url}?{urlencode({'q': query})}")
    context = {
        "actor": actor,
        "oob": True,
        **_partner_context(actor, query, request.GET.get("partner")),
    }
    return render(request, "network/tie_create.html#partner-options", context)


def _tie_for_change(request: HttpRequest, slug: str, pk: int) -> Tie:
    program = program_for_request(request, slug)
    tie = get_object_or_404(Tie.objects.select_related("source", "target"), pk=pk, program=program)
    tie.program = program
    require_perm(request, "network.change_tie", tie)
    return tie


def _from_actor(request: HttpRequest, tie: Tie) -> Actor:
    """The end of the tie whose profile the user came from (the source if unknown)."""
    wanted = request.POST.get("from") or request.GET.get("from")
    actor = tie.target if wanted == str(tie.target_id) else tie.source
    actor.program = tie.program
    return actor


def _latest_or_redirect(request: HttpRequest, tie: Tie, name: str) -> HttpResponse | None:
    """A form opened on an old version goes to the version now on record, saying so."""
    current = tie_current_version(tie)
    if current is None:
        raise Http404
    if current.pk == tie.pk:
        return None
    messages.info(
        request, _("This tie has changed since that link was made: here is its latest version.")
    )
    url = reverse(name, args=[tie.program.slug, current.pk])
    origin = request.GET.get("from")
    return redirect(f"{url}?{urlencode({'from': origin})}" if origin else url)


def _after_change(request: HttpRequest, actor: Actor, message: str) -> HttpResponse:
    if is_htmx(request):
        # The profile's network section comes back in full: ties, counts and ego-network.
        fresh = actor_get(actor.program, actor.pk)
        return render_network_section(request, fresh, message=message)
    messages.success(request, message)
    return redirect(actor_url_maker(actor.program)(actor.pk))


def _tie_context(request: HttpRequest, tie: Tie, actor: Actor, form: Any) -> dict[str, Any]:
    other = tie.target if actor.pk == tie.source_id else tie.source
    return {
        "program": tie.program,
        "tie": tie,
        "actor": actor,
        "other": other,
        "form": form,
        "inline": is_htmx(request),
        "profile_url": actor_url_maker(tie.program)(actor.pk),
        "today": timezone.localdate(),
    }


@require_http_methods(["GET", "POST"])
def tie_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    tie = _tie_for_change(request, program, pk)
    moved = _latest_or_redirect(request, tie, "network:tie_edit")
    if moved is not None:
        return moved
    actor = _from_actor(request, tie)
    if request.method == "POST":
        form = TieEditForm(request.POST, tie=tie)
        if form.is_valid():
            try:
                new = services.tie_update(user=request.user, tie=tie, **form.service_values())
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if new.pk == tie.pk:
                    message = _("Nothing changed: the tie already had these values.")
                else:
                    message = _("Tie updated. The earlier version is kept in its history.")
                return _after_change(request, actor, message)
    else:
        form = TieEditForm(tie=tie)
    context = _tie_context(request, tie, actor, form)
    context["version_count"] = len(tie_versions(tie))
    template = "network/tie_edit.html" + ("#form" if context["inline"] else "")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def tie_end(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    tie = _tie_for_change(request, program, pk)
    moved = _latest_or_redirect(request, tie, "network:tie_end")
    if moved is not None:
        return moved
    actor = _from_actor(request, tie)
    if request.method == "POST":
        form = TieEndForm(request.POST, tie=tie)
        if form.is_valid():
            try:
                services.tie_end(user=request.user, tie=tie, ended_on=form.cleaned_data["ended_on"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                other = tie.target if actor.pk == tie.source_id else tie.source
                message = _("The tie with %(other)s is ended. Its history is kept.") % {
                    "other": other.name
                }
                return _after_change(request, actor, message)
    else:
        form = TieEndForm(tie=tie)
        if is_htmx(request):
            form.fields["ended_on"].widget.attrs["autofocus"] = True
    context = _tie_context(request, tie, actor, form)
    template = "network/tie_end.html" + ("#form" if context["inline"] else "")
    return render(request, template, context)
