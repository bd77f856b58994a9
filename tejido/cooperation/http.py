"""Finding the object named in a cooperation URL: `tejido.core.http.object_for_request` with the
module's view permission by default."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from tejido.core.http import object_for_request as _object_for_request
from tejido.core.http import posted_choice as posted_choice
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
