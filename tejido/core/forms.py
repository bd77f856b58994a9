"""Form helpers shared by every app's views: show a service's refusal on the form that asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: at the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for e in errors:
                form.add_error(field, e)
    else:
        form.add_error(None, error)


def service_attempt(form: forms.Form, call: Callable[[], Any]) -> bool:
    """Run the service if the form is valid; show its refusal on the form."""
    if not form.is_valid():
        return False
    try:
        call()
    except ValidationError as error:
        add_service_error(form, error)
        return False
    return True
