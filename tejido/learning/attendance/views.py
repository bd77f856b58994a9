"""Attendance pages: the grid of a cohort, taking one session's attendance, closing a cohort,
certificates (PDF, revoking), a leader's record, the program's learning settings, and the
public verification of a certificate code.

Everything works without JavaScript: the grid scrolls sideways on a phone with the names kept
in view, and the checklist's "everyone was here" is a submit button.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from tejido.actors.models import Actor
from tejido.actors.rules import can_view_people
from tejido.core.forms import add_service_error, service_attempt
from tejido.core.http import optional_url, program_for_request, url_maker

from ..http import VIEW_LEARNING, object_for_request, refuse
from ..models import Certificate, Cohort, CohortStatus, Enrolment, Session, TrainingTies
from . import codes, selectors, services
from .forms import (
    MALFORMED,
    NOT_ISSUED,
    LearningSettingsForm,
    RevokeForm,
    SessionAttendanceForm,
    VerifyForm,
)

TAKE = "learning.take_attendance"
MANAGE = "learning.manage_training"
# Public verification: after this many lookups of codes nobody holds from one address within
# the window, the page asks to wait (guessing codes is hopeless anyway; this keeps it so).
VERIFY_MISSES = 30
VERIFY_WINDOW_S = 600


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _cohort(request: HttpRequest, slug: str, pk: int, perm: str) -> Cohort:
    return object_for_request(request, slug, Cohort.objects.select_related("course"), pk, perm=perm)


def _cohort_links(cohort: Cohort) -> dict[str, str]:
    slug = cohort.program.slug
    return {
        "courses_url": optional_url("learning:courses", slug),
        "course_url": optional_url("learning:course", slug, cohort.course_id),
        "cohort_url": optional_url("learning:cohort", slug, cohort.pk),
        "attendance_url": reverse("learning:attendance", args=[slug, cohort.pk]),
    }


# -- the grid ---------------------------------------------------------------------------------


@require_safe
def attendance(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    cohort = _cohort(request, program, pk, TAKE)
    grid = selectors.attendance_grid(cohort, request.user)
    session_url = url_maker("learning:session_attendance", cohort.program)
    for column in grid.columns:
        column.url = session_url(column.session.pk) if session_url else ""
    can_manage = request.user.has_perm(MANAGE, cohort)
    return render(
        request,
        "learning/attendance/attendance.html",
        {
            "program": cohort.program,
            "cohort": cohort,
            "course": cohort.course,
            "grid": grid,
            "can_manage": can_manage,
            "close_url": reverse("learning:cohort_close", args=[program, cohort.pk])
            if can_manage and cohort.status != CohortStatus.CLOSED
            else "",
            **_cohort_links(cohort),
        },
    )


# -- one session ------------------------------------------------------------------------------


def _session(request: HttpRequest, slug: str, pk: int) -> Session:
    current = program_for_request(request, slug, VIEW_LEARNING)
    session = (
        Session.objects.filter(cohort__program=current, pk=pk)
        .select_related("cohort__course")
        .first()
    )
    if session is None:
        raise Http404
    cohort = session.cohort
    cohort.program = current
    if not request.user.has_perm(VIEW_LEARNING, cohort):
        refuse(request, hidden=True)
    if not request.user.has_perm(TAKE, cohort):
        refuse(request, hidden=False)
    return session


@require_http_methods(["GET", "HEAD", "POST"])
def session_attendance(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    session = _session(request, program, pk)
    cohort = session.cohort
    rows = selectors.session_checklist(session, request.user)
    ids = [row.enrolment.pk for row in rows]
    form = SessionAttendanceForm(request.POST or None, enrolment_ids=ids)
    if request.method == "POST":
        if form.is_valid():
            try:
                recorded = services.attendance_record(
                    user=request.user, session=session, present=form.present_ids()
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                present = len(form.present_ids())
                messages.success(
                    request,
                    ngettext(
                        "Attendance saved: %(present)s of %(total)s person present.",
                        "Attendance saved: %(present)s of %(total)s people present.",
                        recorded,
                    )
                    % {"present": present, "total": recorded},
                )
                return redirect("learning:attendance", program, cohort.pk)
        # Show what the user ticked, not what was recorded before.
        ticked = {str(v) for v in request.POST.getlist("present")}
        for row in rows:
            row.present = str(row.enrolment.pk) in ticked
    return render(
        request,
        "learning/attendance/session.html",
        {
            "program": cohort.program,
            "cohort": cohort,
            "session": session,
            "rows": rows,
            "form": form,
            "closed": cohort.status == CohortStatus.CLOSED,
            "recorded": any(row.present is not None for row in rows),
            **_cohort_links(cohort),
        },
    )


# -- closing ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def cohort_close(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    cohort = _cohort(request, program, pk, MANAGE)
    error = ""
    if request.method == "POST":
        try:
            result = services.cohort_close(
                user=request.user, cohort=cohort, base_url=_base_url(request)
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "The cohort is closed: %(completed)s person completed it and got a"
                    " certificate; %(ties)s ties recorded.",
                    "The cohort is closed: %(completed)s people completed it and got a"
                    " certificate; %(ties)s ties recorded.",
                    result.completed,
                )
                % {"completed": result.completed, "ties": result.ties},
            )
            return redirect("learning:attendance", program, cohort.pk)
        cohort.refresh_from_db(fields=["status"])
    plan = selectors.close_plan(cohort)
    return render(
        request,
        "learning/attendance/close.html",
        {
            "program": cohort.program,
            "cohort": cohort,
            "course": cohort.course,
            "plan": plan,
            "closed": cohort.status == CohortStatus.CLOSED,
            "error": error,
            "show_people": can_view_people(request.user, cohort.program),
            "ties_none": plan.tie_policy == TrainingTies.NONE,
            "settings_url": reverse("learning:settings", args=[program]),
            **_cohort_links(cohort),
        },
        status=400 if error else 200,
    )


# -- certificates -----------------------------------------------------------------------------


def _enrolment(request: HttpRequest, slug: str, pk: int, perm: str) -> Enrolment:
    """The enrolment `pk` of the program, if the user may see it (else 404) and holds `perm`
    (else 403). The rules read the program from the enrolment: it is set here."""
    current = program_for_request(request, slug, VIEW_LEARNING)
    enrolment = (
        Enrolment.objects.filter(cohort__program=current, pk=pk)
        .select_related("cohort__course", "person", "organization")
        .first()
    )
    if enrolment is None:
        raise Http404
    enrolment.program_id = current.pk  # type: ignore[attr-defined]
    enrolment.cohort.program = current
    if not request.user.has_perm("learning.view_enrolment", enrolment):
        refuse(request, hidden=True)
    if not request.user.has_perm(perm, enrolment):
        refuse(request, hidden=False)
    return enrolment


def _certificate_of(enrolment: Enrolment) -> Certificate:
    certificate = Certificate.objects.filter(enrolment=enrolment).first()
    if certificate is None:
        raise Http404
    certificate.enrolment = enrolment
    return certificate


@require_safe
def certificate_pdf(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    from .pdf import certificate_pdf as render_pdf

    enrolment = _enrolment(request, program, pk, "learning.view_certificate")
    certificate = _certificate_of(enrolment)
    if certificate.revoked_at is not None:
        # A revoked certificate is no longer issued: only the public page says it was revoked.
        raise Http404
    url = request.build_absolute_uri(reverse("learning:verify_code", args=[certificate.code]))
    pdf = render_pdf(certificate, url)
    name = slugify(f"{_('certificate')} {certificate.holder_name} {certificate.code}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name or "certificate"}.pdf"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def certificate_revoke(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    enrolment = _enrolment(request, program, pk, "learning.revoke_certificate")
    certificate = _certificate_of(enrolment)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.certificate_revoke(
            user=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("The certificate is revoked."))
        return redirect("learning:person_record", program, enrolment.person_id)
    return render(
        request,
        "learning/attendance/revoke.html",
        {
            "program": enrolment.cohort.program,
            "enrolment": enrolment,
            "certificate": certificate,
            "form": form,
            "person_url": reverse("learning:person_record", args=[program, enrolment.person_id]),
        },
        status=400 if form.errors else 200,
    )


# -- a leader's record ------------------------------------------------------------------------


@require_safe
def person_record(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    if not can_view_people(request.user, current):
        refuse(request, hidden=True)
    person = Actor.objects.people().filter(program=current, pk=pk).first()
    if person is None:
        raise Http404
    record = selectors.person_record(person)
    pdf_url = url_maker("learning:certificate_pdf", current)
    revoke_url = url_maker("learning:certificate_revoke", current)
    user = request.user
    for certificate in record.certificates:
        enrolment = certificate.enrolment
        may_download = certificate.revoked_at is None and user.has_perm(
            "learning.view_certificate", enrolment
        )
        certificate.pdf_url = pdf_url(enrolment.pk) if pdf_url and may_download else ""  # type: ignore[attr-defined]
        certificate.revoke_url = (  # type: ignore[attr-defined]
            revoke_url(enrolment.pk)
            if revoke_url
            and certificate.revoked_at is None
            and user.has_perm("learning.revoke_certificate", enrolment)
            else ""
        )
        certificate.verify_url = reverse("learning:verify_code", args=[certificate.code])  # type: ignore[attr-defined]
    return render(
        request,
        "learning/attendance/person.html",
        {
            "program": current,
            "person": person,
            "record": record,
            "actor_url": optional_url("network:actor", current.slug, person.pk),
        },
    )


# -- settings ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def learning_settings(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, MANAGE)
    instance = selectors.learning_settings(current)
    form = LearningSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and service_attempt(
        cast(Any, form),
        lambda: services.learning_settings_update(
            user=request.user,
            program=current,
            training_ties=form.cleaned_data["training_ties"],
            training_tie_intensity=form.cleaned_data["training_tie_intensity"],
            tried_too_ties=form.cleaned_data["tried_too_ties"],
        ),
    ):
        messages.success(request, _("The learning settings are saved."))
        return redirect("learning:settings", program)
    return render(
        request,
        "learning/attendance/settings.html",
        {"program": current, "form": form},
        status=400 if form.errors else 200,
    )


# -- public verification ----------------------------------------------------------------------


def _client_key(request: HttpRequest) -> str:
    return "learning-verify-miss:" + (request.META.get("REMOTE_ADDR") or "unknown")


def _verify_page(request: HttpRequest, form: VerifyForm, **context: Any) -> HttpResponse:
    status = context.pop("status", 200)
    response = render(
        request, "learning/attendance/verify.html", {"form": form, **context}, status=status
    )
    # Certificates get revoked: no cache may keep an old answer.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _lookup(request: HttpRequest, typed: str) -> HttpResponse:
    form = VerifyForm({"code": typed})
    if not form.is_valid():
        return _verify_page(request, form, problem=MALFORMED, status=400)
    key = _client_key(request)
    if cache.get(key, 0) >= VERIFY_MISSES:
        return _verify_page(
            request,
            form,
            problem=_("Too many codes were checked from here. Please wait a few minutes."),
            status=429,
        )
    code = form.cleaned_data["code"]
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, VERIFY_WINDOW_S)
        return _verify_page(request, form, problem=NOT_ISSUED, code=code, status=404)
    return _verify_page(request, form, certificate=certificate, code=code)


@never_cache
@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code", "")
    if typed.strip():
        if codes.is_well_formed(typed):
            # One address per certificate, whatever way it was typed.
            return redirect("learning:verify_code", codes.normalize(typed))
        return _lookup(request, typed)
    return _verify_page(request, VerifyForm())


@never_cache
@require_safe
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    return _lookup(request, code)
