"""Shared pieces for the governance views: find a body of the program in the URL and check a
permission on it, and link to pages of other areas that may not exist yet.

A body the user may not see does not exist for them (404); a missing right on a body they see
is forbidden (403); an anonymous visitor is asked to log in instead of either.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from tejido.core.http import LoginRequired, program_for_request

from .models import Body

VIEW_BODY = "governance.view_body"


def require_body_perm(request: HttpRequest, body: Body, perm: str = VIEW_BODY) -> None:
    """Refuse unless the user may see `body` and holds `perm` on it (see the module's rule)."""
    user = request.user
    for needed in dict.fromkeys((VIEW_BODY, perm)):
        if not user.has_perm(needed, body):
            if not user.is_authenticated:
                raise LoginRequired
            if needed == VIEW_BODY:
                raise Http404
            raise PermissionDenied


def body_for_request(request: HttpRequest, slug: str, pk: int, perm: str = VIEW_BODY) -> Body:
    """The body `pk` of program `slug` (with its territory) if the user holds `perm` on it."""
    program = program_for_request(request, slug)
    body = Body.objects.select_related("territory").filter(program=program, pk=pk).first()
    if body is None:
        raise Http404
    body.program = program
    require_body_perm(request, body, perm)
    return body
