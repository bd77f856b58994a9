"""Shared pieces for views: find the program of a URL and check a permission on it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .models import Program


class LoginRequired(Exception):
    """Raised by a view when an anonymous visitor needs to log in; the middleware redirects."""


def program_for_request(
    request: HttpRequest, slug: str, perm: str = "core.view_program", obj: Any = None
) -> Program:
    """The program named in the URL, if the user may see it and holds `perm` on `obj` (or it).

    A program the user may not see does not exist for them (404); a missing right on a visible
    program asks an anonymous visitor to log in and tells a logged-in user it is forbidden.
    """
    program = get_object_or_404(Program, slug=slug)
    user = request.user
    if not user.has_perm("core.view_program", program):
        if not user.is_authenticated:
            raise LoginRequired
        raise Http404
    if perm != "core.view_program" and not user.has_perm(perm, obj if obj is not None else program):
        if not user.is_authenticated:
            raise LoginRequired
        raise PermissionDenied
    request.program = program  # type: ignore[attr-defined]
    return program


def require_perm(request: HttpRequest, perm: str, obj: Any) -> None:
    if not request.user.has_perm(perm, obj):
        if not request.user.is_authenticated:
            raise LoginRequired
        raise PermissionDenied


def refuse(request: HttpRequest, *, hidden: bool) -> None:
    """Stop the view: log in first, or 404 for what the user may not see, or 403."""
    if not request.user.is_authenticated:
        raise LoginRequired
    if hidden:
        raise Http404
    raise PermissionDenied


def object_for_request[M: Model](
    request: HttpRequest,
    slug: str,
    queryset: QuerySet[M],
    pk: int,
    *,
    view_perm: str,
    perm: str | None = None,
) -> M:
    """The object `pk` of `queryset` in program `slug`, if the user holds `view_perm` on it
    (else 404) and `perm` (else 403). `queryset` must have a `program` relation; the program
    found in the URL is set on the object so that rules do not load it again.

    Something the user may not see does not exist for them (404); a missing right on something
    they see is forbidden (403); an anonymous visitor is asked to log in instead of either."""
    program = program_for_request(request, slug)
    obj = queryset.filter(program=program, pk=pk).first()
    if obj is None:
        raise Http404
    obj.program = program  # type: ignore[attr-defined]
    user = request.user
    if not user.has_perm(view_perm, obj):
        refuse(request, hidden=True)
    if perm and perm != view_perm and not user.has_perm(perm, obj):
        refuse(request, hidden=False)
    return obj


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def posted_choice(request: HttpRequest, name: str, choices: Collection[str]) -> str | None:
    """The value a button posted under `name` if it is one of `choices`; otherwise None, with a
    message for the user. A form sent without its choice (a stale page, a hand-made request)
    must change nothing, not fall back to one of the choices."""
    value = request.POST.get(name, "")
    if value in choices:
        return value
    messages.error(request, _("The form came without a valid choice: nothing was changed."))
    return None


class LoginRequiredMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, LoginRequired):
            return redirect_to_login(request.get_full_path())
        return None


def optional_url(name: str, *args: Any) -> str:
    """The address of a page another area provides, or "" while it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def url_maker(name: str, program: Program) -> Callable[[int], str] | None:
    """A fast `reverse()` for many objects of one program (None if the page does not exist)."""
    marker = 987654321
    url = optional_url(name, program.slug, marker)
    if not url:
        return None
    head, tail = url.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"
