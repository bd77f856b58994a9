"""Program home pages and key figures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tejido.core.http import program_for_request
from tejido.network.surveys.selectors import surveys_to_answer

from .selectors import program_overview


@require_GET
def program_home(request: HttpRequest, program: str) -> HttpResponse:
    """A program's home: key figures, territories, cycles, and the way into its pages."""
    current = program_for_request(request, program)
    today = timezone.localdate()
    user = request.user
    context = {
        "program": current,
        "overview": program_overview(current, viewer=user, today=today),
        "today": today,
        "can_add": user.has_perm("actors.add_actor", current),
        "can_import": user.has_perm("actors.import_actors", current),
        "can_export": user.has_perm("actors.export_actors", current),
        "can_manage_surveys": user.has_perm("network.manage_surveys", current),
        "surveys_to_answer": surveys_to_answer(user, current),
    }
    return render(request, "dashboards/program.html", context)
