"""Who is calling: a personal API token, the browser session, or nobody.

Read endpoints accept all three (what an anonymous caller sees is then decided by the same rules
as the pages); write endpoints need a token or a session, and a session must pass the CSRF check
because a browser sends its cookie with any cross-site request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer

from tejido.accounts.services import api_token_authenticate


class InvalidToken(AuthenticationError):
    """A token was sent but is unknown, revoked, or belongs to an inactive user."""


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed")


class _CsrfCheck(CsrfViewMiddleware):
    # Like Django REST framework's CSRFCheck: answer the failure ourselves (as JSON, in the
    # error handler) instead of rendering Django's HTML failure page.
    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return HttpResponseForbidden(reason)


def csrf_failed(request: HttpRequest) -> bool:
    check = _CsrfCheck(lambda r: HttpResponse())
    request.csrf_processing_done = False  # type: ignore[attr-defined]  # check even if exempt
    check.process_request(request)
    return check.process_view(request, lambda r: HttpResponse(), (), {}) is not None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tjd_…` with a token created on the profile page."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None  # no token: let the session or anonymous access decide
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token) if token else None
        if user is None:
            # A wrong token must not quietly fall back to anonymous access: the caller would
            # see only public data and not know why.
            raise InvalidToken
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The Django session of a logged-in browser, with Django's CSRF protection on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and csrf_failed(request):
            raise CsrfFailed
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None  # __call__ does the work; required by the abstract base


def anonymous(request: HttpRequest) -> Any:
    """Let anonymous callers through to read endpoints; the rules then apply as on the pages."""
    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth()

READ_AUTH = [token_auth, session_auth, anonymous]
WRITE_AUTH = [token_auth, session_auth]
# Tells the OpenAPI reader that read endpoints also work without credentials.
PUBLIC_READ: dict[str, Any] = {"security": [{}]}


def request_user(request: HttpRequest) -> Any:
    """The authenticated user, or AnonymousUser for an anonymous read."""
    return getattr(request, "auth", None) or AnonymousUser()
