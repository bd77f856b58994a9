"""Finding the object named in a cooperation URL (`tejido.core.http.object_for_request` with the
module's view permission by default), and reading the choice a button posts."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tejido.core.http import object_for_request as _object_for_request
from tejido.core.http import refuse as refuse

VIEW_COOPERATION = "cooperation.view_cooperation"


def object_for_request[M: Model](
    request: HttpRequest,
    slug: str,
    queryset: QuerySet[M],
    pk: int,
    *,
    view_perm: str = VIEW_COOPERATION,
    perm: str | None = None,
) -> M:
    return _object_for_request(request, slug, queryset, pk, view_perm=view_perm, perm=perm)


def posted_choice(request: HttpRequest, name: str, choices: Collection[str]) -> str | None:
    """The value a button posted under `name` if it is one of `choices`; otherwise None, with a
    message for the user. A form sent without its choice (a stale page, a hand-made request)
    must change nothing, not fall back to one of the choices."""
    value = request.POST.get(name, "")
    if value in choices:
        return value
    messages.error(request, _("The form came without a valid choice: nothing was changed."))
    return None
