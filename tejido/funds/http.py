"""Shared pieces for the funds views: find the call or application named in the URL and check
a permission on it.

Something the user may not see does not exist for them (404); a missing right on something they
see is forbidden (403); an anonymous visitor is asked to log in instead of either.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from tejido.core.http import program_for_request, refuse

from .models import Application, Award, Call, CallStatus

VIEW_CALL = "funds.view_call"
MANAGE_CALL = "funds.manage_call"


def call_for_request(request: HttpRequest, slug: str, pk: int, perm: str = VIEW_CALL) -> Call:
    """The call `pk` of program `slug` if the user may see it and holds `perm` on it. Drafts
    exist only for those who manage the program's calls."""
    program = program_for_request(request, slug)
    call = Call.objects.filter(program=program, pk=pk).first()
    if call is None:
        raise Http404
    call.program = program
    user = request.user
    if not user.has_perm(VIEW_CALL, call) or (
        call.status == CallStatus.DRAFT and not user.has_perm(MANAGE_CALL, call)
    ):
        refuse(request, hidden=True)
    if perm != VIEW_CALL and not user.has_perm(perm, call):
        refuse(request, hidden=False)
    return call


def application_for_request(
    request: HttpRequest, slug: str, pk: int, perm: str = "funds.view_application"
) -> Application:
    """Application `pk` of program `slug` (with its call and applicant) if the user may see it
    and holds `perm` on it."""
    program = program_for_request(request, slug)
    application = (
        Application.objects.select_related("call", "applicant", "territory", "theme")
        .filter(call__program=program, pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    application.call.program = program
    user = request.user
    if not user.has_perm("funds.view_application", application):
        refuse(request, hidden=True)
    if perm != "funds.view_application" and not user.has_perm(perm, application):
        refuse(request, hidden=False)
    return application


def award_for_request(
    request: HttpRequest, slug: str, pk: int, perm: str = "funds.view_award"
) -> Award:
    """Award `pk` of program `slug` (with its application, call and grantee) if the user may
    see it and holds `perm` on it."""
    program = program_for_request(request, slug)
    award = (
        Award.objects.select_related("application__call", "application__applicant")
        .filter(application__call__program=program, pk=pk)
        .first()
    )
    if award is None:
        raise Http404
    award.application.call.program = program
    user = request.user
    if not user.has_perm("funds.view_award", award):
        refuse(request, hidden=True)
    if perm != "funds.view_award" and not user.has_perm(perm, award):
        refuse(request, hidden=False)
    return award
