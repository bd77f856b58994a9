"""One error shape for the whole API, in the caller's language, and never a 500 for bad input.

- invalid input (schema or domain rules): 422 `{"detail": [{"field", "message", "code"}]}`
- anything else: `{"detail": "message"}` with 400, 401, 403, 404, 409 or 413.

The language is the one LocaleMiddleware chose for the request (Accept-Language, the language
cookie, or Spanish by default), so Django's own validation messages come translated too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from .auth import CsrfFailed

logger = logging.getLogger(__name__)


def _schema_message(error: dict[str, Any]) -> str:
    """Pydantic speaks English only; give the common cases in the caller's language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "finite_number": _("Enter a finite number."),
        "string_unicode": _("Text contains characters that are not valid Unicode."),
        "string_type": _("Enter text."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_from_datetime_inexact": _("Enter a date as YYYY-MM-DD."),
        "date_type": _("Enter a date as YYYY-MM-DD."),
        "list_type": _("Enter a list."),
        "model_type": _("Enter an object with named fields."),
        "dict_type": _("Enter an object with named fields."),
        "model_attributes_type": _("Enter an object with named fields."),
        "json_invalid": _("The request body is not valid JSON."),
    }
    if kind in messages:
        return messages[kind]
    if kind in ("enum", "literal_error"):
        return _("Unknown value. Expected one of: %(expected)s.") % {
            "expected": ctx.get("expected", "")
        }
    if kind == "greater_than_equal":
        return _("Enter a value of at least %(limit)s.") % {"limit": _number(ctx.get("ge"))}
    if kind == "less_than_equal":
        return _("Enter a value of at most %(limit)s.") % {"limit": _number(ctx.get("le"))}
    if kind == "greater_than":
        return _("Enter a value greater than %(limit)s.") % {"limit": _number(ctx.get("gt"))}
    if kind == "less_than":
        return _("Enter a value less than %(limit)s.") % {"limit": _number(ctx.get("lt"))}
    # A length constraint on a validated text type (CleanText) reports the generic too_long /
    # too_short with field_type "Value" rather than the string_ variants; lists say "List".
    is_text = ctx.get("field_type") == "Value"
    if kind == "string_too_long" or (kind == "too_long" and is_text):
        return _("Enter at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return _("This field cannot be empty.")
    if kind == "string_too_short" or (kind == "too_short" and is_text):
        return _("Enter at least %(limit)s characters.") % {"limit": ctx.get("min_length")}
    if kind == "too_long":
        return _("Enter at most %(limit)s items.") % {"limit": ctx.get("max_length")}
    if kind == "too_short":
        return _("Enter at least %(limit)s items.") % {"limit": ctx.get("min_length")}
    if kind == "value_error" and "error" in ctx:
        # Our own validators raise ValueError with a message already in the right language.
        return str(ctx["error"])
    return str(error.get("msg", _("Invalid value.")))


def _number(value: Any) -> Any:
    # Float bounds (latitude ≤ 90.0) read better without the trailing ".0".
    return int(value) if isinstance(value, float) and value.is_integer() else value


# The names the views give their body and query-schema parameters: not part of the field path
# the client knows.
PARAMETER_NAMES = ("payload", "filters")


def _schema_field(loc: Iterable[Any]) -> str | None:
    rest = list(loc)[1:]  # drop the source: body, query, path
    if rest and rest[0] in PARAMETER_NAMES:
        rest = rest[1:]
    return ".".join(str(p) for p in rest) or None


def schema_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for error in errors:
        if "loc" not in error:  # not a pydantic error (ninja builds a few by hand)
            for key, value in error.items():
                result.append({"field": key, "message": str(value), "code": "invalid"})
            continue
        result.append(
            {
                "field": _schema_field(error["loc"]),
                "message": _schema_message(error),
                "code": error.get("type", "invalid"),
            }
        )
    return result


def domain_errors(
    exc: DjangoValidationError, field_names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Flatten a Django ValidationError, renaming model fields to the API's input names."""
    field_names = field_names or {}
    result = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = None if field == NON_FIELD_ERRORS else field_names.get(field, field)
            for error in errors:
                for message in error.messages:
                    result.append(
                        {"field": name, "message": message, "code": error.code or "invalid"}
                    )
    else:
        for error in exc.error_list:
            for message in error.messages:
                result.append({"field": None, "message": message, "code": error.code or "invalid"})
    return result


class DomainError(Exception):
    """A Django ValidationError with the API field names of the endpoint that raised it."""

    def __init__(self, error: DjangoValidationError, field_names: dict[str, str]) -> None:
        self.error = error
        self.field_names = field_names
        super().__init__(str(error))


@contextmanager
def api_field_names(**field_names: str) -> Iterator[None]:
    """Report a service's ValidationError under the API's names (`territory` → `territory_id`)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise DomainError(exc, field_names) from exc


def _detail(api: NinjaAPI, request: HttpRequest, status: int, message: str) -> HttpResponse:
    return api.create_response(request, {"detail": message}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(SchemaValidationError)
    def schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": schema_errors(exc.errors)}, status=422)

    @api.exception_handler(DjangoValidationError)
    def domain_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": domain_errors(exc)}, status=422)

    @api.exception_handler(DomainError)
    def domain_invalid_named(request: HttpRequest, exc: DomainError) -> HttpResponse:
        errors = domain_errors(exc.error, exc.field_names)
        return api.create_response(request, {"detail": errors}, status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if request.headers.get("Authorization"):
            message = _("The API token is not valid or has been revoked.")
        else:
            message = _("Log in or send an API token to do this.")
        response = _detail(api, request, 401, message)
        response["WWW-Authenticate"] = 'Bearer realm="tejido"'
        return response

    @api.exception_handler(CsrfFailed)
    def csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
        return _detail(
            api,
            request,
            403,
            _("CSRF check failed: send the X-CSRFToken header, or use an API token instead."),
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        known = {
            "Cannot parse request body": _("The request body is not valid JSON."),
            "Unauthorized": _("Log in or send an API token to do this."),
            "Forbidden": _("You do not have permission to do this."),
            "Too many requests.": _("Too many requests. Wait a moment and try again."),
        }
        message = str(exc)
        for prefix, translated in known.items():
            if message.startswith(prefix):
                message = translated
                break
        return _detail(api, request, exc.status_code, message)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _detail(api, request, 404, _("Not found."))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return _detail(api, request, 404, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _detail(api, request, 403, _("You do not have permission to do this."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return _detail(api, request, 413, _("The request body is too large."))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return _detail(api, request, 400, _("Bad request."))

    # Safety nets: the services validate before writing, so reaching these means two requests
    # raced or a check is missing. Answer 4xx (nothing was written: the transaction rolled
    # back) and log it so the missing check gets added.
    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("API integrity error on %s %s: %s", request.method, request.path, exc)
        return _detail(
            api, request, 409, _("This conflicts with data saved in the meantime. Try again.")
        )

    @api.exception_handler(DataError)
    def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        logger.warning("API data error on %s %s: %s", request.method, request.path, exc)
        return _detail(api, request, 400, _("A value is out of range or malformed."))
