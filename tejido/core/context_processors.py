from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The program the page belongs to, for the header; views set `request.program`."""
    return {"current_program": getattr(request, "program", None)}
