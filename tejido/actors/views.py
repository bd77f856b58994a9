"""Views of the actor registry: directory, create and edit forms, posts, territory pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tejido.core.http import is_htmx, program_for_request, require_perm
from tejido.core.models import Program, Territory

from .forms import ActorForm, DirectorySearchForm, MembershipForm, SensitiveDataForm
from .models import Actor, ActorKind, SensitiveData
from .selectors import actor_directory, can_view_people, person_memberships, territory_summary
from .services import (
    actor_create,
    actor_update,
    membership_create,
    person_record_gender,
    person_withdraw_consent,
)
from .templatetags.actors_tags import without_filter


def _partial_requested(request: HttpRequest) -> bool:
    # A history restore (back button after the cache expired) needs the whole page.
    return is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"


# ---------------------------------------------------------------------------------------------
# Directory


@require_GET
def directory(request: HttpRequest, program: str) -> HttpResponse:
    """The actor directory: search, facets and pages; htmx gets the results fragment."""
    current = program_for_request(request, program, "actors.view_actor")
    form = DirectorySearchForm(request.GET)
    search = form.search()
    result = actor_directory(program=current, viewer=request.user, **search)
    # Each selected facet value becomes a chip whose link removes just that value.
    chips = [
        {
            "label": option.label,
            "url": without_filter(
                request.GET, facet.name, "" if facet.name == "territory" else option.value
            ),
        }
        for facet in result.facets
        for option in facet.options
        if option.selected and option.value
    ]
    kept = {key: request.GET[key] for key in ("q", "sort") if request.GET.get(key)}
    partial = _partial_requested(request)
    context = {
        "program": current,
        "form": form,
        "directory": result,
        "page": result.page,
        "sort": "-name" if search["descending"] else "name",
        "active_filters": chips,
        "clear_url": "?" + urlencode(kept),
        "can_add": request.user.has_perm("actors.add_actor", current),
        "can_view_people": can_view_people(request.user, current),
        "oob": partial,
    }
    template = "actors/directory.html#update" if partial else "actors/directory.html"
    return render(request, template, context)


# ---------------------------------------------------------------------------------------------
# Create and edit


def _apply_service_error(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _sensitive_form(
    request: HttpRequest, program: Program, actor: Actor | None
) -> SensitiveDataForm | None:
    """The gender section, for coordinators only; None for everyone else."""
    if not request.user.has_perm("actors.change_sensitive", actor or program):
        return None
    current = None
    if actor is not None and actor.pk:
        current = (
            SensitiveData.objects.filter(person=actor).select_related("consent_recorded_by").first()
        )
    data = request.POST if request.method == "POST" else None
    return SensitiveDataForm(data, prefix="sensitive", current=current)


def _save_sensitive(request: HttpRequest, form: SensitiveDataForm, person: Actor) -> None:
    action = form.action
    if action == "record":
        person_record_gender(
            user=request.user,
            person=person,
            gender=form.cleaned_data["gender"],
            consent_text=form.cleaned_data["consent_text"],
        )
    elif action == "withdraw":
        person_withdraw_consent(user=request.user, person=person)


def _actor_form_page(
    request: HttpRequest,
    program: Program,
    form: ActorForm,
    sensitive: SensitiveDataForm | None,
    actor: Actor | None = None,
    membership_form: MembershipForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "program": program,
        "form": form,
        "sensitive_form": sensitive,
        "actor": actor,
        "kind_person": ActorKind.PERSON,
    }
    if actor is not None and actor.is_person:
        context["memberships"] = person_memberships(actor)
        context["membership_form"] = membership_form or MembershipForm(
            program=program, person=actor
        )
    template = "actors/actor_form.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, "actors.add_actor")
    form = ActorForm(request.POST or None, instance=Actor(program=current))
    sensitive = _sensitive_form(request, current, None)
    if request.method == "POST":
        is_person = request.POST.get("kind") == ActorKind.PERSON
        valid = form.is_valid()
        sensitive_valid = sensitive is None or not is_person or sensitive.is_valid()
        if valid and sensitive_valid:
            try:
                with transaction.atomic():
                    actor = actor_create(
                        user=request.user, program=current, **form.service_kwargs()
                    )
                    if sensitive is not None and actor.is_person:
                        _save_sensitive(request, sensitive, actor)
            except ValidationError as error:
                _apply_service_error(form, error)
            else:
                messages.success(
                    request, _("“%(name)s” was added to the directory.") % {"name": actor.name}
                )
                return redirect("network:actor", current.slug, actor.pk)
    return _actor_form_page(request, current, form, sensitive)


def _actor_for_change(request: HttpRequest, slug: str, pk: int) -> tuple[Program, Actor]:
    current = program_for_request(request, slug)
    actor = get_object_or_404(Actor.objects.select_related("territory"), pk=pk, program=current)
    actor.program = current  # the rules read the program's visibility from here
    require_perm(request, "actors.change_actor", actor)
    return current, actor


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current, actor = _actor_for_change(request, program, pk)
    original_kind = actor.kind
    form = ActorForm(request.POST or None, instance=actor)
    sensitive = _sensitive_form(request, current, actor) if actor.is_person else None
    if request.method == "POST":
        valid = form.is_valid()
        if valid and form.cleaned_data["kind"] != original_kind:
            _check_kind_change(form, actor, original_kind)
            valid = not form.errors
        becomes_person = form.cleaned_data.get("kind") == ActorKind.PERSON if valid else False
        sensitive_valid = sensitive is None or not becomes_person or sensitive.is_valid()
        if valid and sensitive_valid:
            try:
                with transaction.atomic():
                    actor = actor_update(user=request.user, actor=actor, **form.service_kwargs())
                    if sensitive is not None and actor.is_person:
                        _save_sensitive(request, sensitive, actor)
            except ValidationError as error:
                _apply_service_error(form, error)
            else:
                messages.success(request, _("Changes to “%(name)s” saved.") % {"name": actor.name})
                return redirect("network:actor", current.slug, actor.pk)
        # The form put the new values on the instance; show the stored kind's sections.
        actor.kind = original_kind
    return _actor_form_page(request, current, form, sensitive, actor)


def _check_kind_change(form: ActorForm, actor: Actor, original_kind: str) -> None:
    """A person with posts or a gender, or an organization with members, keeps its kind."""
    if original_kind == ActorKind.PERSON:
        if actor.memberships.exists():
            form.add_error(
                "kind", _("This person holds posts in organizations; a person stays a person.")
            )
        elif SensitiveData.objects.filter(person=actor).exclude(gender="").exists():
            form.add_error(
                "kind",
                _("Withdraw the consent and erase the gender before changing the kind."),
            )
    elif form.cleaned_data["kind"] == ActorKind.PERSON and actor.members.exists():
        form.add_error(
            "kind", _("This organization has members holding posts; it cannot become a person.")
        )


# ---------------------------------------------------------------------------------------------
# Posts (memberships) of a person


def _person_for_posts(request: HttpRequest, slug: str, pk: int) -> tuple[Program, Actor]:
    current, actor = _actor_for_change(request, slug, pk)
    if not actor.is_person:
        raise Http404
    return current, actor


@require_POST
def membership_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Add a post to a person. htmx swaps the posts section; without it, back to the edit page."""
    current, person = _person_for_posts(request, program, pk)
    form = MembershipForm(request.POST, program=current, person=person)
    if form.is_valid():
        organization = form.cleaned_data["organization_actor"]
        try:
            membership_create(
                user=request.user,
                person=person,
                organization=organization,
                post_label=form.cleaned_data["post_label"].strip(),
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
            )
        except ValidationError as error:
            _apply_service_error(form, error)
        else:
            message = _("Post in “%(organization)s” added.") % {"organization": organization.name}
            if _partial_requested(request):
                context = {
                    "program": current,
                    "actor": person,
                    "memberships": person_memberships(person),
                    "membership_form": MembershipForm(program=current, person=person),
                    "posts_message": message,
                }
                return render(request, "actors/actor_form.html#posts", context)
            messages.success(request, message)
            return redirect(reverse("actors:edit", args=[current.slug, person.pk]) + "#posts")
    if _partial_requested(request):
        context = {
            "program": current,
            "actor": person,
            "memberships": person_memberships(person),
            "membership_form": form,
        }
        return render(request, "actors/actor_form.html#posts", context)
    actor_form = ActorForm(instance=person)
    sensitive = _sensitive_form_unbound(request, current, person)
    return _actor_form_page(request, current, actor_form, sensitive, person, membership_form=form)


def _sensitive_form_unbound(
    request: HttpRequest, program: Program, person: Actor
) -> SensitiveDataForm | None:
    if not request.user.has_perm("actors.change_sensitive", person):
        return None
    current = SensitiveData.objects.filter(person=person).first()
    return SensitiveDataForm(prefix="sensitive", current=current)


@require_GET
def organization_options(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Organizations matching what the user typed in the post form (htmx)."""
    current, person = _person_for_posts(request, program, pk)
    form = MembershipForm(program=current, person=person)
    query = request.GET.get("organization_query", "")[:200]
    if not _partial_requested(request):
        return redirect(reverse("actors:edit", args=[current.slug, person.pk]) + "#posts")
    context = {
        "program": current,
        "actor": person,
        "membership_form": form,
        "matches": form.organization_matches(query) if query.strip() else [],
        "query": query,
    }
    return render(request, "actors/actor_form.html#organization-options", context)


# ---------------------------------------------------------------------------------------------
# Territory pages


@require_GET
def territory(request: HttpRequest, program: str, territory: str) -> HttpResponse:
    current = program_for_request(request, program, "actors.view_actor")
    place = get_object_or_404(Territory, slug=territory)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    summary = territory_summary(program=current, territory=place, viewer=request.user, page=page)
    context = {
        "program": current,
        "territory": place,
        "summary": summary,
        "page": summary.page,
    }
    template = "actors/territory.html"
    if _partial_requested(request):
        template += "#actors"
    return render(request, template, context)
