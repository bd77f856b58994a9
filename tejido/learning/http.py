"""Shared pieces for the learning views: find the object named in the URL within the program
and check permissions on it.

Something the user may not see does not exist for them (404); a missing right on something they
see is forbidden (403); an anonymous visitor is asked to log in instead of either.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from tejido.core.http import LoginRequired, program_for_request

VIEW_LEARNING = "learning.view_learning"


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
    view_perm: str = VIEW_LEARNING,
    perm: str | None = None,
) -> M:
    """The object `pk` of `queryset` in program `slug`, if the user holds `view_perm` on it
    (else 404) and `perm` (else 403). `queryset` must have a `program` relation; the program
    found in the URL is set on the object so that rules do not load it again."""
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
