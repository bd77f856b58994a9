"""The Tejido REST API: /api/v1/…, documented at /api/docs (OpenAPI at /api/openapi.json)."""

from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from ninja import NinjaAPI, Router

from . import actors, funds, programs, territories, ties
from .auth import WRITE_AUTH
from .errors import install_error_handlers

DESCRIPTION = """
Programs, territories, actors and ties of Tejido, with the same permission rules as the pages.

**Authentication.** Send `Authorization: Bearer <token>` with a personal token created on your
profile page, or use the session of a logged-in browser (writes then need the `X-CSRFToken`
header). Public programs can be read without either.

**Who may write.** Platform administrators open programs, and each program's administrators
change it. Territories are shared by every program: the administrators and coordinators of any
program add and correct them. Actors and ties follow the roles of their program, as on the pages.

**Privacy.** Programs you may not see answer 404. Contact details follow the rules of the pages
(an organization's for members of the program, a person's for coordinators and the local
directorate); gender is shown to coordinators only.

**Errors.** Invalid input answers 422 with `{"detail": [{"field", "message", "code"}]}`; other
errors answer `{"detail": "message"}`. Messages follow `Accept-Language` (es, ca, en).

**Lists** take `limit` (at most 200) and `offset`, and return `count`, `next` and `previous`.
"""

api = NinjaAPI(
    title="Tejido API",
    version="1",
    description=DESCRIPTION,
    # Safe default: an endpoint that forgets to say otherwise needs a token or a session.
    auth=WRITE_AUTH,
    urls_namespace="api",
)
install_error_handlers(api)

for module in (programs, territories, actors, ties, funds):
    api.add_router("/v1/", module.router)

# Registered last so that it only sees what no endpoint matched (a typo, a trailing slash):
# those get a JSON 404 like every other API error instead of the HTML page.
fallback = Router()


@fallback.get("", auth=None, include_in_schema=False)
def root(request: HttpRequest) -> HttpResponseRedirect:
    """/api/ leads a person who types it to the documentation."""
    return HttpResponseRedirect(reverse("api:openapi-view"))


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def not_found(request: HttpRequest, rest: str) -> None:
    raise Http404


api.add_router("", fallback)

__all__ = ["api"]
