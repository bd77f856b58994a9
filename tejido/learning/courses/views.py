"""Training views: the learning hub, courses, cohorts, sessions, enrolment, calendars."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tejido.core.http import program_for_request

from ..http import VIEW_LEARNING
from ..models import Course


@require_safe
def hub(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    courses = Course.objects.filter(program=current).published()
    return render(request, "learning/hub.html", {"program": current, "courses": courses})
