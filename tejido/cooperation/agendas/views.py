"""Shared social agendas: the spaces, one space's page (sessions, participants, items, groups
and their discussion, prioritization), the published agenda and its PDF. Every page works
without JavaScript; assigning an item to a group answers htmx with the item alone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import add_service_error, service_attempt
from tejido.core.http import is_htmx, program_for_request

from ..http import VIEW_COOPERATION, object_for_request, refuse
from ..models import AgendaItem, ItemGroup, ReflectionSpace, SpaceStatus
from . import pdf, selectors, services
from .forms import (
    AssignForm,
    CommentForm,
    EndorseForm,
    EntityForm,
    GroupForm,
    ItemForm,
    PriorityForm,
    PublishForm,
    SessionFormSet,
    SpaceForm,
    session_values,
)

ADD_SPACE = services.ADD_SPACE
MANAGE = services.MANAGE
JOIN = services.JOIN
TAKE_PART = services.TAKE_PART
ENDORSE = services.ENDORSE

SPACES = ReflectionSpace.objects.select_related("program", "territory", "created_by")


def _space_url(space: ReflectionSpace, anchor: str = "") -> str:
    url = reverse("cooperation:agenda", args=[space.program.slug, space.pk])
    return f"{url}#{anchor}" if anchor else url


def _space(request: HttpRequest, program: str, pk: int, perm: str | None = None) -> ReflectionSpace:
    return object_for_request(request, program, SPACES, pk, perm=perm)


# -- the spaces -------------------------------------------------------------------------------


@require_safe
def spaces(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_COOPERATION)
    status = request.GET.get("status", "")
    return render(
        request,
        "cooperation/agendas/list.html",
        {
            "program": current,
            "spaces": selectors.space_list(current, status=status),
            "status": status if status in SpaceStatus.values else "",
            "statuses": SpaceStatus.choices,
            "can_create": request.user.has_perm(ADD_SPACE, current),
        },
    )


@require_http_methods(["GET", "POST"])
def space_create(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, ADD_SPACE)
    data = request.POST if request.method == "POST" else None
    form = SpaceForm(data, program=current)
    sessions = SessionFormSet(data, prefix="sessions")
    if request.method == "POST":
        form_valid = form.is_valid()
        if sessions.is_valid() and form_valid:
            try:
                created = services.space_create(
                    user=request.user,
                    program=current,
                    sessions=session_values(sessions),
                    **form.values(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The space is open: invite entities to join it."))
                created.program = current
                return redirect(_space_url(created))
    return render(
        request,
        "cooperation/agendas/space_form.html",
        {"program": current, "form": form, "sessions": sessions},
        status=400 if form.is_bound else 200,
    )


# -- one space --------------------------------------------------------------------------------


def _render_space(
    request: HttpRequest,
    space: ReflectionSpace,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    user = request.user
    page = selectors.space_page(
        space, user, kind=request.GET.get("kind", ""), transition=request.GET.get("transition", "")
    )
    bound = bound or {}
    may_manage = user.has_perm(MANAGE, space)
    may_take_part = bool(page.my_participating) and user.has_perm(TAKE_PART, space)
    published = space.status == SpaceStatus.PUBLISHED
    may_join = (
        bool(page.joinable) and space.open_to_join and not published and user.has_perm(JOIN, space)
    )
    prioritizing_open = space.status == SpaceStatus.PRIORITIZING and not space.result
    priority_forms = []
    if prioritizing_open and may_take_part:
        for entity in page.my_participating:
            key = f"priority_{entity.pk}"
            form = bound.get(key) or PriorityForm(
                method=space.method,
                groups=page.groups,
                dots=space.dots_per_participant,
                entities=[entity],
                initial=PriorityForm.initial_from(space.method, page.my_inputs.get(entity.pk)),
                prefix=f"e{entity.pk}",
            )
            priority_forms.append(
                {"entity": entity, "form": form, "given": entity.pk in page.my_inputs}
            )
    context: dict[str, Any] = {
        "program": space.program,
        "space": space,
        "page": page,
        "may_manage": may_manage,
        "may_take_part": may_take_part,
        "may_join": may_join,
        "published": published,
        "prioritizing_open": prioritizing_open,
        "collecting": space.status == SpaceStatus.COLLECTING,
        "join_form": bound.get("join") or EntityForm(entities=page.joinable),
        "item_form": bound.get("item")
        or ItemForm(entities=page.my_participating, initial={"kind": "challenge"}),
        "group_form": bound.get("group") or GroupForm(),
        "comment_form": bound.get("comment") or CommentForm(entities=page.my_participating),
        "comment_group": bound.get("comment_group"),
        "publish_form": bound.get("publish") or PublishForm(),
        "priority_forms": priority_forms,
        "problem": bound.get("problem"),
        "kinds": AgendaItem._meta.get_field("kind").choices,
    }
    return render(request, "cooperation/agendas/space.html", context, status=status)


@require_safe
def space(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _render_space(request, _space(request, program, pk))


def _problem(request: HttpRequest, space: ReflectionSpace, error: ValidationError) -> HttpResponse:
    """A refusal that has no form of its own (open, close): shown above the page."""
    return _render_space(request, space, status=400, bound={"problem": error.messages})


@require_POST
def space_join(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _space(request, program, pk, perm=JOIN)
    entities = services.entities_for(request.user, current.program)
    form = EntityForm(request.POST, entities=entities)
    if service_attempt(
        form,
        lambda: services.space_join(
            user=request.user, space=current, actor=form.cleaned_data["actor"]
        ),
    ):
        messages.success(
            request,
            _("%(entity)s takes part in the space.") % {"entity": form.cleaned_data["actor"].name},
        )
        return redirect(_space_url(current))
    return _render_space(request, current, status=400, bound={"join": form})


@require_POST
def item_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _space(request, program, pk, perm=TAKE_PART)
    entities = services.entities_for(request.user, current.program)
    form = ItemForm(request.POST, entities=entities)
    if service_attempt(
        form,
        lambda: services.item_raise(
            user=request.user,
            space=current,
            actor=form.cleaned_data["actor"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data.get("description", ""),
            transitions=form.cleaned_data.get("transitions") or [],
        ),
    ):
        messages.success(request, _("Item raised. Thank you."))
        return redirect(_space_url(current, "items"))
    return _render_space(request, current, status=400, bound={"item": form})


@require_POST
def group_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _space(request, program, pk, perm=MANAGE)
    form = GroupForm(request.POST)
    if service_attempt(
        form,
        lambda: services.group_create(
            user=request.user,
            space=current,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data.get("summary", ""),
        ),
    ):
        messages.success(request, _("Group created: now put items in it."))
        return redirect(_space_url(current, "groups"))
    return _render_space(request, current, status=400, bound={"group": form})


@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, program: str, pk: int, group: int) -> HttpResponse:
    current = _space(request, program, pk, perm=MANAGE)
    target = get_object_or_404(ItemGroup, space=current, pk=group)
    target.space = current
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        initial={"title": target.title, "summary": target.summary},
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.group_update(
            user=request.user,
            group=target,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data.get("summary", ""),
        ),
    ):
        messages.success(request, _("Group saved."))
        return redirect(_space_url(current, f"group-{target.pk}"))
    return render(
        request,
        "cooperation/agendas/group_form.html",
        {"program": current.program, "space": current, "group": target, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def item_assign(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    current = _space(request, program, pk, perm=MANAGE)
    target = get_object_or_404(
        AgendaItem.objects.select_related("raised_by"), space=current, pk=item
    )
    target.space = current
    groups = list(current.groups.all())
    form = AssignForm(request.POST, groups=groups)
    ok = service_attempt(
        form,
        lambda: services.item_assign(
            user=request.user, item=target, group=form.cleaned_data.get("group")
        ),
    )
    if is_htmx(request):
        target.refresh_from_db(fields=["group"])
        return render(
            request,
            "cooperation/agendas/_assign.html",
            {
                "program": current.program,
                "space": current,
                "item": target,
                "groups": groups,
                "errors": form.errors.get("group") or form.non_field_errors(),
                "saved": ok,
            },
            status=200 if ok else 400,
        )
    if ok:
        messages.success(request, _("Item moved."))
        return redirect(_space_url(current, "groups"))
    return _problem(
        request, current, ValidationError(list(form.errors.get("group") or form.non_field_errors()))
    )


@require_POST
def comment_create(request: HttpRequest, program: str, pk: int, group: int) -> HttpResponse:
    current = _space(request, program, pk, perm=TAKE_PART)
    target = get_object_or_404(ItemGroup, space=current, pk=group)
    target.space = current
    entities = services.entities_for(request.user, current.program)
    form = CommentForm(request.POST, entities=entities)
    if service_attempt(
        form,
        lambda: services.comment_add(
            user=request.user,
            group=target,
            actor=form.cleaned_data["actor"],
            body=form.cleaned_data["body"],
        ),
    ):
        messages.success(request, _("Comment added."))
        return redirect(_space_url(current, f"group-{target.pk}"))
    return _render_space(
        request, current, status=400, bound={"comment": form, "comment_group": target}
    )


@require_POST
def prioritization_open(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _space(request, program, pk, perm=MANAGE)
    try:
        services.prioritization_open(user=request.user, space=current)
    except ValidationError as error:
        return _problem(request, current, error)
    messages.success(request, _("Prioritizing is open: each entity gives its input."))
    return redirect(_space_url(current, "prioritize"))


@require_POST
def priority_input(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _space(request, program, pk, perm=TAKE_PART)
    entities = services.entities_for(request.user, current.program)
    chosen = next((e for e in entities if f"e{e.pk}-actor" in request.POST), None)
    if chosen is None:
        refuse(request, hidden=False)
    assert chosen is not None
    groups = list(current.groups.order_by("position", "pk"))
    form = PriorityForm(
        request.POST,
        method=current.method,
        groups=groups,
        dots=current.dots_per_participant,
        entities=[chosen],
        prefix=f"e{chosen.pk}",
    )
    if service_attempt(
        form,
        lambda: services.input_submit(
            user=request.user,
            space=current,
            actor=form.cleaned_data["actor"],
            content=form.content(),
        ),
    ):
        messages.success(
            request,
            _("The input of %(entity)s is saved. You may change it until the count closes.")
            % {"entity": chosen.name},
        )
        return redirect(_space_url(current, "prioritize"))
    return _render_space(request, current, status=400, bound={f"priority_{chosen.pk}": form})


@require_POST
def prioritization_close(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _space(request, program, pk, perm=MANAGE)
    try:
        services.prioritization_close(user=request.user, space=current)
    except ValidationError as error:
        return _problem(request, current, error)
    messages.success(request, _("The count is closed. Review the ranking and publish the agenda."))
    return redirect(_space_url(current, "ranking"))


@require_POST
def agenda_publish(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _space(request, program, pk, perm=MANAGE)
    form = PublishForm(request.POST)
    if service_attempt(
        form,
        lambda: services.agenda_publish(
            user=request.user, space=current, intro=form.cleaned_data["intro"]
        ),
    ):
        messages.success(request, _("The agenda is published."))
        return redirect(reverse("cooperation:agenda_published", args=[program, current.pk]))
    return _render_space(request, current, status=400, bound={"publish": form})


# -- the published agenda ---------------------------------------------------------------------


def _published(request: HttpRequest, program: str, pk: int) -> ReflectionSpace:
    current = _space(request, program, pk)
    if current.status != SpaceStatus.PUBLISHED:
        refuse(request, hidden=True)
    return current


def _render_published(
    request: HttpRequest, space: ReflectionSpace, *, form: EndorseForm | None = None
) -> HttpResponse:
    page = selectors.space_page(space, request.user)
    may_endorse = bool(page.endorsable) and request.user.has_perm(ENDORSE, space)
    return render(
        request,
        "cooperation/agendas/published.html",
        {
            "program": space.program,
            "space": space,
            "page": page,
            "may_endorse": may_endorse,
            "may_manage": request.user.has_perm(MANAGE, space),
            "endorse_form": form or EndorseForm(entities=page.endorsable),
        },
        status=400 if form is not None else 200,
    )


@require_safe
def agenda_published(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _render_published(request, _published(request, program, pk))


@require_POST
def agenda_endorse(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _published(request, program, pk)
    if not request.user.has_perm(ENDORSE, current):
        refuse(request, hidden=False)
    entities = services.entities_for(request.user, current.program)
    form = EndorseForm(request.POST, entities=entities)
    if service_attempt(
        form,
        lambda: services.agenda_endorse(
            user=request.user,
            space=current,
            actor=form.cleaned_data["actor"],
            note=form.cleaned_data.get("note", ""),
        ),
    ):
        messages.success(
            request,
            _("%(entity)s endorses this agenda.") % {"entity": form.cleaned_data["actor"].name},
        )
        return redirect(reverse("cooperation:agenda_published", args=[program, current.pk]))
    return _render_published(request, current, form=form)


@require_safe
def agenda_pdf(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _published(request, program, pk)
    page = selectors.space_page(current, request.user)
    response = HttpResponse(pdf.agenda_pdf(page), content_type="application/pdf")
    name = slugify(current.title) or "agenda"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
