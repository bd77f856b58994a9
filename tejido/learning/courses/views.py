"""Training views: the learning hub, courses and their modules, the program's competencies,
cohorts, sessions, enrolment, and the calendar files and feed."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.rules import can_view_people, represented_ids
from tejido.core.forms import service_attempt
from tejido.core.http import optional_url, posted_choice, program_for_request, url_maker
from tejido.core.models import Program

from ..http import VIEW_LEARNING, object_for_request, refuse
from ..models import (
    Cohort,
    CohortStatus,
    Competency,
    Course,
    Enrolment,
    LearningSettings,
    Module,
    Session,
)
from . import ical, selectors, services
from .forms import CohortForm, CompetencyForm, CourseForm, EnrolForm, ModuleForm, SessionForm

MANAGE = "learning.manage_training"
ENROL = "learning.enrol"


def _status(form: Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _refused_message(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# -- finding objects --------------------------------------------------------------------------


def _course(request: HttpRequest, slug: str, pk: int, perm: str | None = None) -> Course:
    course = object_for_request(request, slug, Course.objects.all(), pk)
    # An unpublished course does not exist for those who do not manage training: 404 before
    # any 403 on what they asked to do with it.
    if not course.is_published and not request.user.has_perm(MANAGE, course):
        refuse(request, hidden=True)
    if perm and not request.user.has_perm(perm, course):
        refuse(request, hidden=False)
    return course


def _cohort(request: HttpRequest, slug: str, pk: int, perm: str | None = None) -> Cohort:
    cohort = object_for_request(
        request, slug, Cohort.objects.select_related("course", "territory", "cycle"), pk
    )
    if not cohort.course.is_published and not request.user.has_perm(MANAGE, cohort):
        refuse(request, hidden=True)
    if perm and not request.user.has_perm(perm, cohort):
        refuse(request, hidden=False)
    return cohort


def _module(request: HttpRequest, slug: str, pk: int) -> Module:
    program = program_for_request(request, slug, VIEW_LEARNING)
    module = Module.objects.select_related("course").filter(pk=pk, course__program=program).first()
    if module is None:
        raise Http404
    if not request.user.has_perm(MANAGE, program):
        refuse(request, hidden=not module.course.is_published)
    module.course.program = program
    return module


def _session(request: HttpRequest, slug: str, pk: int) -> Session:
    program = program_for_request(request, slug, VIEW_LEARNING)
    session = (
        Session.objects.select_related("cohort", "cohort__course", "module")
        .filter(pk=pk, cohort__program=program)
        .first()
    )
    if session is None:
        raise Http404
    if not request.user.has_perm(MANAGE, program):
        refuse(request, hidden=not session.cohort.course.is_published)
    session.cohort.program = program
    return session


def _course_url(course: Course, anchor: str = "") -> str:
    url = reverse("learning:course", args=[course.program.slug, course.pk])
    return f"{url}#{anchor}" if anchor else url


def _cohort_url(cohort: Cohort, anchor: str = "") -> str:
    url = reverse("learning:cohort", args=[cohort.program.slug, cohort.pk])
    return f"{url}#{anchor}" if anchor else url


# -- the hub ----------------------------------------------------------------------------------


@require_safe
def hub(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    user = request.user
    manage = user.has_perm(MANAGE, current)
    member = user.has_perm("learning.take_part", current)
    overview = selectors.hub(current, user, manage=manage, member=member)
    experience_url = url_maker("learning:experience", current)
    item_url = url_maker("learning:item", current)
    for experience in overview.experiences:
        experience.url = experience_url(experience.pk) if experience_url else ""  # type: ignore[attr-defined]
    for item in overview.library_items:
        item.url = item_url(item.pk) if item_url else ""  # type: ignore[attr-defined]
    return render(
        request,
        "learning/hub.html",
        {
            "program": current,
            "hub": overview,
            "today": timezone.localdate(),
            "can_manage": manage,
            "can_enrol": user.has_perm(ENROL, current),
            "with_people": can_view_people(user, current),
            "experiences_url": optional_url("learning:experiences", current.slug),
            "library_url": optional_url("learning:library", current.slug),
            "exchanges_url": optional_url("learning:exchanges", current.slug),
            "experience_create_url": optional_url("learning:experience_create", current.slug)
            if user.has_perm("learning.publish_experience", current)
            else "",
            "settings_url": optional_url("learning:settings", current.slug) if manage else "",
        },
    )


# -- courses ----------------------------------------------------------------------------------


@require_safe
def courses(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    manage = request.user.has_perm(MANAGE, current)
    return render(
        request,
        "learning/courses/list.html",
        {
            "program": current,
            "courses": selectors.course_list(current, include_unpublished=manage),
            "can_manage": manage,
        },
    )


def _course_form_page(
    request: HttpRequest, program: Program, form: CourseForm, course: Course | None
) -> HttpResponse:
    return render(
        request,
        "learning/courses/course_form.html",
        {"program": program, "form": form, "course": course},
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, MANAGE)
    form = CourseForm(request.POST or None, program=current)
    created: list[Course] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.course_create(user=request.user, program=current, **form.values())
        ),
    ):
        messages.success(request, _("Course saved. Add its modules below."))
        return redirect(_course_url(created[0], "modules"))
    return _course_form_page(request, current, form, None)


@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    course = _course(request, program, pk, MANAGE)
    form = CourseForm(
        request.POST or None, program=course.program, initial=CourseForm.initial_from(course)
    )
    if request.method == "POST" and service_attempt(
        form, lambda: services.course_update(user=request.user, course=course, **form.values())
    ):
        messages.success(request, _("Course saved."))
        return redirect(_course_url(course))
    return _course_form_page(request, course.program, form, course)


def _course_page(
    request: HttpRequest, course: Course, module_form: ModuleForm | None = None
) -> HttpResponse:
    manage = request.user.has_perm(MANAGE, course)
    form = module_form or ModuleForm()
    return render(
        request,
        "learning/courses/course.html",
        {
            "program": course.program,
            "course": course,
            "page": selectors.course_page(course, include_unpublished=manage),
            "today": timezone.localdate(),
            "can_manage": manage,
            "module_form": form if manage else None,
        },
        status=_status(form),
    )


@require_safe
def course(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _course_page(request, _course(request, program, pk))


@require_POST
def module_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    course = _course(request, program, pk, MANAGE)
    form = ModuleForm(request.POST)
    if service_attempt(
        form,
        lambda: services.module_add(user=request.user, course=course, **form.cleaned_data),
    ):
        messages.success(request, _("Module added."))
        return redirect(_course_url(course, "modules"))
    return _course_page(request, course, form)


@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    module = _module(request, program, pk)
    course = module.course
    form = ModuleForm(request.POST or None, initial=ModuleForm.initial_from(module))
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.module_update(user=request.user, module=module, **form.cleaned_data),
    ):
        messages.success(request, _("Module saved."))
        return redirect(_course_url(course, f"module-{module.pk}"))
    return render(
        request,
        "learning/courses/module_form.html",
        {"program": course.program, "course": course, "module": module, "form": form},
        status=_status(form),
    )


@require_POST
def module_remove(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    module = _module(request, program, pk)
    services.module_remove(user=request.user, module=module)
    messages.success(request, _("Module “%(title)s” removed.") % {"title": module.title})
    return redirect(_course_url(module.course, "modules"))


@require_POST
def module_move(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    module = _module(request, program, pk)
    to = posted_choice(request, "to", ("up", "down"))
    if to is not None:
        services.module_move(user=request.user, module=module, up=to == "up")
    return redirect(_course_url(module.course, f"module-{module.pk}"))


# -- competencies -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def competencies(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, MANAGE)
    form = CompetencyForm(request.POST or None)
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.competency_create(user=request.user, program=current, **form.cleaned_data),
    ):
        messages.success(request, _("Competency added."))
        return redirect("learning:competencies", current.slug)
    return render(
        request,
        "learning/courses/competencies.html",
        {"program": current, "competencies": selectors.competency_list(current), "form": form},
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def competency_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = program_for_request(request, program, MANAGE)
    competency = Competency.objects.filter(program=current, pk=pk).first()
    if competency is None:
        raise Http404
    form = CompetencyForm(
        request.POST or None,
        initial={"name": competency.name, "description": competency.description},
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.competency_update(
            user=request.user, competency=competency, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Competency saved."))
        return redirect("learning:competencies", current.slug)
    return render(
        request,
        "learning/courses/competency_form.html",
        {"program": current, "competency": competency, "form": form},
        status=_status(form),
    )


# -- cohorts ----------------------------------------------------------------------------------


def _cohort_form_page(
    request: HttpRequest, course: Course, form: CohortForm, cohort: Cohort | None
) -> HttpResponse:
    return render(
        request,
        "learning/courses/cohort_form.html",
        {"program": course.program, "course": course, "form": form, "cohort": cohort},
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    course = _course(request, program, pk, MANAGE)
    today = timezone.localdate()
    form = CohortForm(
        request.POST or None,
        program=course.program,
        initial={"cycle": course.program.current_cycle(today), "starts_on": today},
    )
    created: list[Cohort] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.cohort_create(user=request.user, course=course, **form.values())
        ),
    ):
        messages.success(request, _("Cohort saved. Add its sessions."))
        return redirect(_cohort_url(created[0], "sessions"))
    return _cohort_form_page(request, course, form, None)


@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    cohort = _cohort(request, program, pk, MANAGE)
    closed = cohort.status == CohortStatus.CLOSED
    form = CohortForm(
        request.POST or None,
        program=cohort.program,
        closed=closed,
        initial=CohortForm.initial_from(cohort),
    )
    if request.method == "POST" and service_attempt(
        form, lambda: services.cohort_update(user=request.user, cohort=cohort, **form.values())
    ):
        messages.success(request, _("Cohort saved."))
        return redirect(_cohort_url(cohort))
    cohort.course.program = cohort.program
    return _cohort_form_page(request, cohort.course, form, cohort)


@require_safe
def cohort(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _cohort(request, program, pk)
    user = request.user
    manage = user.has_perm(MANAGE, found)
    with_people = can_view_people(user, found)
    page = selectors.cohort_page(found, user, with_people=with_people)
    is_open = found.status != CohortStatus.CLOSED and found.enrolment_open
    return render(
        request,
        "learning/courses/cohort.html",
        {
            "program": found.program,
            "cohort": found,
            "course": found.course,
            "page": page,
            "can_manage": manage,
            "with_people": with_people,
            "is_closed": found.status == CohortStatus.CLOSED,
            "can_enrol": is_open and user.has_perm(ENROL, found),
            "enrolment_is_open": is_open,
            "can_withdraw": found.status != CohortStatus.CLOSED,
            "represented": represented_ids(user),
            "attendance_url": optional_url("learning:attendance", found.program.slug, found.pk)
            if user.has_perm("learning.take_attendance", found)
            else "",
            "close_url": optional_url("learning:cohort_close", found.program.slug, found.pk)
            if manage and found.status != CohortStatus.CLOSED
            else "",
            "login_url": reverse("accounts:login") + "?next=" + _cohort_url(found),
        },
    )


# -- sessions ---------------------------------------------------------------------------------


def _session_form_page(
    request: HttpRequest, cohort: Cohort, form: SessionForm, session: Session | None
) -> HttpResponse:
    return render(
        request,
        "learning/courses/session_form.html",
        {
            "program": cohort.program,
            "cohort": cohort,
            "course": cohort.course,
            "form": form,
            "session": session,
        },
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    cohort = _cohort(request, program, pk, MANAGE)
    if cohort.status == CohortStatus.CLOSED:
        messages.error(request, _("This cohort is closed: its sessions can no longer change."))
        return redirect(_cohort_url(cohort, "sessions"))
    form = SessionForm(request.POST or None, course=cohort.course)
    if request.method == "POST" and service_attempt(
        form, lambda: services.session_add(user=request.user, cohort=cohort, **form.values())
    ):
        messages.success(request, _("Session added."))
        return redirect(_cohort_url(cohort, "sessions"))
    return _session_form_page(request, cohort, form, None)


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    session = _session(request, program, pk)
    cohort = session.cohort
    if not request.user.has_perm(MANAGE, cohort):
        refuse(request, hidden=False)
    form = SessionForm(
        request.POST or None, course=cohort.course, initial=SessionForm.initial_from(session)
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.session_update(user=request.user, session=session, **form.values()),
    ):
        messages.success(request, _("Session saved."))
        return redirect(_cohort_url(cohort, f"session-{session.pk}"))
    return _session_form_page(request, cohort, form, session)


@require_POST
def session_remove(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    session = _session(request, program, pk)
    cohort = session.cohort
    if not request.user.has_perm(MANAGE, cohort):
        refuse(request, hidden=False)
    try:
        services.session_remove(user=request.user, session=session)
    except ValidationError as error:
        _refused_message(request, error)
        return redirect(_cohort_url(cohort, f"session-{session.pk}"))
    messages.success(request, _("Session removed."))
    return redirect(_cohort_url(cohort, "sessions"))


# -- enrolment --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    cohort = _cohort(request, program, pk, ENROL)
    user = request.user
    if cohort.status == CohortStatus.CLOSED or not cohort.enrolment_open:
        messages.error(request, _("Enrolment in this cohort is closed."))
        return redirect(_cohort_url(cohort))
    coordinator = user.has_perm(MANAGE, cohort)
    organizations = selectors.organizations_for_enrolment(
        cohort.program, user, coordinator=coordinator
    )
    if not organizations:
        refuse(request, hidden=False)
    by_id = {str(o.pk): o for o in organizations}
    wanted = request.POST.get("organization") or request.GET.get("organization") or ""
    chosen = by_id.get(wanted) or organizations[0]
    members = selectors.members_for_enrolment(chosen, cohort)
    form = EnrolForm(
        request.POST or None,
        organizations=organizations,
        members=members,
        initial={"organization": chosen.pk},
    )

    def save() -> None:
        data = form.cleaned_data
        if data.get("person"):
            services.enrolment_create(
                user=user, cohort=cohort, person=data["person"], organization=data["organization"]
            )
        else:
            services.enrolment_create_new_person(
                user=user,
                cohort=cohort,
                organization=data["organization"],
                name=data["new_name"],
                email=data.get("new_email") or "",
                phone=data.get("new_phone") or "",
            )

    if request.method == "POST" and service_attempt(form, save):
        data = form.cleaned_data
        name = data["person"].name if data.get("person") else data["new_name"]
        messages.success(
            request,
            _("%(person)s is enrolled in %(cohort)s.") % {"person": name, "cohort": cohort.name},
        )
        if request.POST.get("then") == "another":
            return redirect(
                reverse("learning:enrol", args=[cohort.program.slug, cohort.pk])
                + f"?organization={data['organization'].pk}"
            )
        return redirect(_cohort_url(cohort, "your-people"))
    page = selectors.cohort_page(cohort, user, with_people=False)
    return render(
        request,
        "learning/courses/enrol.html",
        {
            "program": cohort.program,
            "cohort": cohort,
            "course": cohort.course,
            "form": form,
            "organizations": organizations,
            "chosen": chosen,
            "members": members,
            "already": [p for p, enrolled in members if enrolled],
            "places_left": page["places_left"],
            "enrolled_count": page["enrolled_count"],
            "coordinator": coordinator,
        },
        status=_status(form),
    )


@require_POST
def enrolment_withdraw(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    enrolment = (
        Enrolment.objects.select_related("cohort", "person", "organization")
        .filter(pk=pk, cohort__program=current)
        .first()
    )
    if enrolment is None:
        raise Http404
    enrolment.cohort.program = current
    # The rules read `program_id` on the object; an enrolment reaches its program through the
    # cohort.
    enrolment.program_id = current.pk  # type: ignore[attr-defined]
    user = request.user
    if not user.has_perm("learning.view_enrolment", enrolment):
        refuse(request, hidden=True)
    try:
        services.enrolment_withdraw(user=user, enrolment=enrolment)
    except ValidationError as error:
        _refused_message(request, error)
    else:
        messages.success(
            request,
            _("%(person)s no longer takes part in %(cohort)s.")
            % {"person": enrolment.person.name, "cohort": enrolment.cohort.name},
        )
    anchor = "your-people" if enrolment.organization_id in represented_ids(user) else "people"
    return redirect(_cohort_url(enrolment.cohort, anchor))


# -- calendars --------------------------------------------------------------------------------


def _ics_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_safe
def cohort_ics(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _cohort(request, program, pk)
    sessions = list(
        Session.objects.filter(cohort=found)
        .select_related("cohort", "cohort__course", "module")
        .order_by("starts_at")
    )
    url = request.build_absolute_uri(_cohort_url(found))
    content = ical.calendar_ics(
        name=f"{found.course.title} · {found.name}",
        sessions=sessions,
        url_for=lambda s: url,
        with_facilitator=can_view_people(request.user, found),
    )
    return _ics_response(content, f"{found.program.slug}-cohort-{found.pk}.ics")


def _feed_path(program: Program, settings_row: LearningSettings) -> str:
    return reverse("learning:calendar_feed", args=[program.slug, settings_row.calendar_token])


@require_safe
def calendar(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    manage = request.user.has_perm(MANAGE, current)
    feed_url = request.build_absolute_uri(
        _feed_path(current, services.learning_settings_for(current))
    )
    return render(
        request,
        "learning/courses/calendar.html",
        {
            "program": current,
            "sessions": selectors.upcoming_sessions(current, include_unpublished=manage),
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
        },
    )


@require_safe
def calendar_feed(request: HttpRequest, program: str, token: str) -> HttpResponse:
    """The program's sessions for calendar applications, which cannot log in: the secret in
    the address opens it. Only published courses; no facilitators' names."""
    settings_row = (
        LearningSettings.objects.select_related("program").filter(program__slug=program).first()
    )
    if settings_row is None or not constant_time_compare(token, settings_row.calendar_token):
        raise Http404
    current = settings_row.program
    since = timezone.now() - datetime.timedelta(days=120)
    sessions = (
        selectors.sessions_visible(current, include_unpublished=False)
        .filter(ends_at__gte=since)
        .order_by("starts_at", "id")
    )
    base = request.build_absolute_uri("/").rstrip("/")
    cohort_url = url_maker("learning:cohort", current)

    def url_for(session: Session) -> str:
        return base + cohort_url(session.cohort_id) if cohort_url else ""

    content = ical.calendar_ics(
        name=_("Training · %(program)s") % {"program": current.name},
        sessions=sessions,
        url_for=url_for,
        with_facilitator=False,
    )
    return _ics_response(content, f"{current.slug}-training.ics", inline=True)
