"""Views of the knowledge library: search with facets, an item's page, adding and editing items,
their files and links."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from tejido.actors.templatetags.actors_tags import without_filter
from tejido.core.forms import service_attempt
from tejido.core.http import is_htmx, program_for_request, url_maker
from tejido.core.models import Program

from ..http import VIEW_LEARNING, object_for_request
from ..models import ItemFile, ItemLink, LibraryItem, Licence, PublicationStatus
from . import selectors, services
from .forms import ItemForm, LibrarySearchForm

VIEW_ITEM = "learning.view_item"
ADD_ITEM = "learning.add_item"
CHANGE_ITEM = "learning.change_item"

# Where the deed of each Creative Commons licence lives (shown as a link on the item page).
LICENCE_DEEDS: dict[str, str] = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


def _item_url(item: LibraryItem, program: Program) -> str:
    return reverse("learning:item", args=[program.slug, item.pk])


def _actor_urls(program: Program) -> Any:
    """Links to the authors' profiles, where a profile page exists."""
    return url_maker("actors:actor", program) or url_maker("network:actor", program)


def _partial_requested(request: HttpRequest) -> bool:
    # A history restore (back button after the cache expired) needs the whole page.
    return is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"


# ---------------------------------------------------------------------------------------------
# The library: search with facets


@require_GET
def library(request: HttpRequest, program: str) -> HttpResponse:
    """Search with facets; htmx gets the results, facets and summary as fragments."""
    current = program_for_request(request, program, VIEW_LEARNING)
    form = LibrarySearchForm(request.GET)
    result = selectors.library_search(program=current, viewer=request.user, **form.search())
    chips = [
        {
            "facet": facet.label,
            "label": option.label,
            "url": without_filter(request.GET, facet.name, option.value),
        }
        for facet in result.facets
        for option in facet.options
        if option.selected
    ]
    kept = {"q": result.query} if result.query else {}
    partial = _partial_requested(request)
    context = {
        "program": current,
        "form": form,
        "library": result,
        "page": result.page,
        "active_filters": chips,
        "clear_url": "?" + urlencode(kept),
        "can_add": request.user.has_perm(ADD_ITEM, current),
        "oob": partial,
    }
    template = "learning/library/library.html"
    return render(request, f"{template}#update" if partial else template, context)


# ---------------------------------------------------------------------------------------------
# One item


def _item_for_request(request: HttpRequest, program: str, pk: int, perm: str = "") -> LibraryItem:
    return object_for_request(
        request,
        program,
        LibraryItem.objects.select_related("created_by"),
        pk,
        view_perm=VIEW_ITEM,
        perm=perm or None,
    )


@require_safe
def item(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = selectors.item_for_page(_item_for_request(request, program, pk))
    program_obj: Program = current.program
    return render(
        request,
        "learning/library/item.html",
        {
            "program": program_obj,
            "item": current,
            "authors": _authors(current, program_obj),
            "files": _files(current, program_obj),
            "transitions": [t for t in current.themes.all() if t.transition],
            "themes": [t for t in current.themes.all() if not t.transition],
            "licence_url": LICENCE_DEEDS.get(current.licence, ""),
            "related": selectors.related_items(current, request.user),
            "can_change": request.user.has_perm(CHANGE_ITEM, current),
            "is_draft": current.status == PublicationStatus.DRAFT,
        },
    )


def _authors(item: LibraryItem, program: Program) -> list[dict[str, Any]]:
    actor_url = _actor_urls(program)
    return [
        {"name": a.name, "url": actor_url(a.pk) if actor_url else ""} for a in item.authors.all()
    ]


def _files(item: LibraryItem, program: Program) -> list[dict[str, Any]]:
    return [
        {
            "pk": f.pk,
            "name": f.name,
            "size": f.size,
            "url": reverse("learning:item_file", args=[program.slug, item.pk, f.pk]),
            "extension": f.name.rsplit(".", 1)[-1].upper() if "." in f.name else "",
            "is_audio": f.content_type.startswith("audio/"),
        }
        for f in item.files.all()
    ]


# ---------------------------------------------------------------------------------------------
# Adding and editing


def _form_page(
    request: HttpRequest, program: Program, form: ItemForm, item: LibraryItem | None
) -> HttpResponse:
    if item is not None:
        selectors.item_for_page(item)
    return render(
        request,
        "learning/library/item_form.html",
        {
            "program": program,
            "form": form,
            "item": item,
            "files": _files(item, program) if item is not None else [],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, ADD_ITEM)
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        program=current,
        initial={"language": "es", "visibility": "public", "licence": Licence.CC_BY},
    )
    created: list[LibraryItem] = []
    if request.method == "POST" and service_attempt(
        cast(Any, form),
        lambda: created.append(
            services.item_create(user=request.user, program=current, **form.values())
        ),
    ):
        messages.success(
            request, _("Item saved as a draft. Check it, then publish it when it is ready.")
        )
        return redirect(_item_url(created[0], current))
    return _form_page(request, current, form, None)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = _item_for_request(request, program, pk, CHANGE_ITEM)
    form = ItemForm(
        request.POST or None, request.FILES or None, program=current.program, instance=current
    )
    if request.method == "POST" and service_attempt(
        cast(Any, form),
        lambda: services.item_update(user=request.user, item=current, **form.values()),
    ):
        messages.success(request, _("Item saved."))
        return redirect(_item_url(current, current.program))
    if request.method == "POST":
        # The form's save was refused: show the item as it is stored, not half-changed.
        current.refresh_from_db()
    return _form_page(request, current.program, form, current)


@require_POST
def item_publish(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Publish a draft, or (with action=unpublish) take a published item back to draft."""
    current = _item_for_request(request, program, pk, CHANGE_ITEM)
    if request.POST.get("action") == "unpublish":
        services.item_unpublish(user=request.user, item=current)
        messages.success(request, _("The item is a draft again: only its editors can read it."))
    else:
        services.item_publish(user=request.user, item=current)
        messages.success(request, _("The item is published."))
    return redirect(_item_url(current, current.program))


# ---------------------------------------------------------------------------------------------
# Files and links


@require_safe
def item_file(request: HttpRequest, program: str, pk: int, file_pk: int) -> HttpResponseBase:
    """A file of an item, to those who may read the item. Audio and PDF open in the browser
    (audio plays in the page); other files download under their original name."""
    current = _item_for_request(request, program, pk)
    stored = get_object_or_404(ItemFile, item=current, pk=file_pk)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = stored.content_type.startswith("audio/") or stored.content_type == "application/pdf"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Members-only and draft files must not sit in shared caches.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def item_file_remove(request: HttpRequest, program: str, pk: int, file_pk: int) -> HttpResponse:
    current = _item_for_request(request, program, pk, CHANGE_ITEM)
    stored = get_object_or_404(ItemFile, item=current, pk=file_pk)
    try:
        services.item_file_remove(user=request.user, item=current, item_file=stored)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": stored.name})
    return redirect(reverse("learning:item_edit", args=[current.program.slug, current.pk]))


@require_POST
def item_link_remove(request: HttpRequest, program: str, pk: int, link_pk: int) -> HttpResponse:
    current = _item_for_request(request, program, pk, CHANGE_ITEM)
    link = get_object_or_404(ItemLink, item=current, pk=link_pk)
    services.item_link_remove(user=request.user, item=current, link=link)
    messages.success(request, _("The link was removed."))
    return redirect(reverse("learning:item_edit", args=[current.program.slug, current.pk]))
