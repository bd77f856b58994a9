"""Joint projects and technology transfer pages. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import service_attempt
from tejido.core.http import program_for_request, url_maker

from ..http import VIEW_COOPERATION, object_for_request, posted_choice, refuse
from ..models import (
    JointProject,
    ProjectPartner,
    ProjectStatus,
    Transfer,
    TransferOffer,
    TransferStatus,
)
from . import selectors, services
from .forms import (
    CompleteForm,
    OfferFilterForm,
    OfferForm,
    PartnerEditForm,
    PartnerForm,
    ProjectFilterForm,
    ProjectForm,
    RequestForm,
    StatusForm,
)

PROJECTS = JointProject.objects.select_related("program", "consortium", "created_by")
OFFERS = TransferOffer.objects.select_related("program", "provider", "created_by")
TEMPLATES = "cooperation/projects/"


def _project_url(project: JointProject, anchor: str = "") -> str:
    url = reverse("cooperation:project", args=[project.program.slug, project.pk])
    return f"{url}#{anchor}" if anchor else url


def _offer_url(offer: TransferOffer, anchor: str = "") -> str:
    url = reverse("cooperation:transfer_offer", args=[offer.program.slug, offer.pk])
    return f"{url}#{anchor}" if anchor else url


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


# -- joint projects ---------------------------------------------------------------------------


@require_safe
def projects(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_COOPERATION)
    form = ProjectFilterForm(request.GET)
    listing = selectors.project_listing(current, page=request.GET.get("page"), **form.arguments())
    params = request.GET.copy()
    params.pop("page", None)
    counts = selectors.status_counts(current)
    return render(
        request,
        f"{TEMPLATES}projects.html",
        {
            "program": current,
            "page": listing,
            "filter_form": form,
            "query_string": params.urlencode(),
            "filtered": bool(form.arguments().get("status") or form.arguments().get("theme")),
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in ProjectStatus.choices
            ],
            "offers": selectors.recent_offers(current),
            "can_create": request.user.has_perm(services.ADD_PROJECT, current),
        },
    )


def _form_page(
    request: HttpRequest, program: Any, form: ProjectForm, project: JointProject | None
) -> HttpResponse:
    return render(
        request,
        f"{TEMPLATES}project_form.html",
        {"program": program, "form": form, "project": project},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, services.ADD_PROJECT)
    organizations = services.entities_for(request.user, current)
    if not organizations:
        refuse(request, hidden=False)
    form = ProjectForm(
        request.POST or None,
        organizations=organizations,
        initial={"lead": organizations[0].pk, "currency": "CLP"},
    )
    created: list[JointProject] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.project_create(user=request.user, program=current, **form.values())
        ),
    ):
        messages.success(request, _("Project created. Now add its partners."))
        return redirect(_project_url(created[0], "partners"))
    return _form_page(request, current, form, None)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    project = object_for_request(request, program, PROJECTS, pk, perm=services.MANAGE_PROJECT)
    form = ProjectForm(
        request.POST or None,
        organizations=[],
        project=project,
        initial=ProjectForm.initial_from(project),
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.project_update(user=request.user, project=project, **form.values()),
    ):
        messages.success(request, _("Project saved."))
        return redirect(_project_url(project))
    return _form_page(request, project.program, form, project)


def _project_page(
    request: HttpRequest,
    project: JointProject,
    *,
    partner_form: PartnerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    program = project.program
    page = selectors.project_page(project)
    can_manage = user.has_perm(services.MANAGE_PROJECT, project)
    open_project = project.status in (ProjectStatus.PLANNED, ProjectStatus.RUNNING)
    choices: list[Any] = []
    suggestions: list[Any] = []
    if can_manage and open_project:
        from tejido.actors.models import Actor

        choices = list(
            Actor.objects.organizations()
            .filter(program=program)
            .exclude(pk__in=page.partner_ids)
            .order_by("name")
        )
        suggestions = selectors.partner_suggestions(project, page.partner_ids)
    actor_link = url_maker("network:actor", program)
    for row in page.partners:
        row.url = actor_link(row.actor.pk) if actor_link else ""  # type: ignore[attr-defined]
    for candidate in suggestions:
        candidate.url = actor_link(candidate.actor.pk) if actor_link else ""
    consortium_url = ""
    if project.consortium_id and user.has_perm("cooperation.view_consortium", project.consortium):
        link = url_maker("cooperation:consortium", program)
        consortium_url = link(project.consortium_id) if link else ""
    return render(
        request,
        f"{TEMPLATES}project.html",
        {
            "program": program,
            "project": project,
            "page": page,
            "can_manage": can_manage,
            "open_project": open_project,
            "next_statuses": [
                (value, ProjectStatus(value).label)
                for value in services.NEXT_STATUS.get(project.status, ())
            ],
            "partner_form": partner_form
            or (PartnerForm(choices=choices) if can_manage and open_project else None),
            "partner_choices": choices,
            "suggestions": suggestions,
            "consortium_url": consortium_url,
        },
        status=status,
    )


@require_safe
def project(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = object_for_request(request, program, PROJECTS, pk)
    return _project_page(request, current)


@require_POST
def project_partner_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = object_for_request(request, program, PROJECTS, pk, perm=services.MANAGE_PROJECT)
    from tejido.actors.models import Actor

    choices = list(Actor.objects.organizations().filter(program=current.program))
    form = PartnerForm(request.POST, choices=choices)
    if service_attempt(
        form,
        lambda: services.partner_add(
            user=request.user,
            project=current,
            actor=form.cleaned_data["actor"],
            contribution=form.cleaned_data.get("contribution") or "",
            budget_share=form.cleaned_data.get("budget_share"),
        ),
    ):
        messages.success(
            request,
            _("%(name)s joined the project.") % {"name": form.cleaned_data["actor"].name},
        )
        return redirect(_project_url(current, "partners"))
    return _project_page(request, current, partner_form=form, status=400)


def _partner(request: HttpRequest, program: str, pk: int, partner: int) -> ProjectPartner:
    current = object_for_request(request, program, PROJECTS, pk, perm=services.MANAGE_PROJECT)
    found = get_object_or_404(
        ProjectPartner.objects.select_related("actor"), pk=partner, project=current
    )
    found.project = current
    return found


@require_http_methods(["GET", "POST"])
def project_partner_edit(request: HttpRequest, program: str, pk: int, partner: int) -> HttpResponse:
    found = _partner(request, program, pk, partner)
    form = PartnerEditForm(
        request.POST or None,
        initial={"contribution": found.contribution, "budget_share": found.budget_share},
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.partner_update(
            user=request.user,
            partner=found,
            contribution=form.cleaned_data.get("contribution") or "",
            budget_share=form.cleaned_data.get("budget_share"),
        ),
    ):
        messages.success(request, _("Partner saved."))
        return redirect(_project_url(found.project, "partners"))
    return render(
        request,
        f"{TEMPLATES}partner_form.html",
        {
            "program": found.project.program,
            "project": found.project,
            "partner": found,
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def project_partner_remove(
    request: HttpRequest, program: str, pk: int, partner: int
) -> HttpResponse:
    found = _partner(request, program, pk, partner)
    try:
        services.partner_remove(user=request.user, partner=found)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("%(name)s left the project.") % {"name": found.actor.name})
    return redirect(_project_url(found.project, "partners"))


@require_POST
def project_status(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = object_for_request(request, program, PROJECTS, pk, perm=services.MANAGE_PROJECT)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect(_project_url(current))
    try:
        ties = services.project_set_status(
            user=request.user, project=current, status=form.cleaned_data["status"]
        )
    except ValidationError as error:
        _error_message(request, error)
    else:
        if current.status == ProjectStatus.RUNNING:
            messages.success(
                request,
                _("The project is running. %(count)s ties between partners were recorded.")
                % {"count": ties},
            )
        else:
            messages.success(
                request,
                _("The project is now “%(status)s”.")
                % {"status": ProjectStatus(current.status).label},
            )
    return redirect(_project_url(current))


# -- transfer offers --------------------------------------------------------------------------


@require_safe
def transfers(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_COOPERATION)
    form = OfferFilterForm(request.GET)
    arguments = form.arguments()
    listing = selectors.offer_listing(current, page=request.GET.get("page"), **arguments)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        f"{TEMPLATES}transfers.html",
        {
            "program": current,
            "page": listing,
            "filter_form": form,
            "query_string": params.urlencode(),
            "filtered": any(arguments.values()),
            "can_create": request.user.has_perm(services.ADD_OFFER, current),
        },
    )


@require_http_methods(["GET", "POST"])
def transfer_offer_new(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, services.ADD_OFFER)
    organizations = services.entities_for(request.user, current)
    if not organizations:
        refuse(request, hidden=False)
    form = OfferForm(
        request.POST or None,
        organizations=organizations,
        initial={"provider": organizations[0].pk},
    )
    created: list[TransferOffer] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.offer_create(user=request.user, program=current, **form.cleaned_data)
        ),
    ):
        messages.success(request, _("Your offer is published."))
        return redirect(_offer_url(created[0]))
    return render(
        request,
        f"{TEMPLATES}offer_form.html",
        {"program": current, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _offer_page(
    request: HttpRequest,
    offer: TransferOffer,
    *,
    request_form: RequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    program = offer.program
    page = selectors.offer_page(offer, user)
    mine = [a for a in services.represented_in(user, program) if a.pk != offer.provider_id]
    live = {t.receiver_id for t in page.transfers if t.status in selectors.LIVE}
    may_request = (
        offer.is_open
        and bool(mine)
        and user.has_perm(services.REQUEST_TRANSFER, offer)
        and any(a.pk not in live for a in mine)
    )
    askable = [a for a in mine if a.pk not in live]
    actor_link = url_maker("network:actor", program)
    return render(
        request,
        f"{TEMPLATES}offer.html",
        {
            "program": program,
            "offer": offer,
            "page": page,
            "themes": list(offer.themes.all()),
            "provider_url": actor_link(offer.provider_id) if actor_link else "",
            "can_manage": user.has_perm(services.MANAGE_OFFER, offer),
            "can_decide": page.may_see_all,
            "may_request": may_request,
            "request_form": request_form
            or (RequestForm(organizations=askable) if may_request else None),
            "complete_form": CompleteForm(),
            "own_offer": offer.provider_id
            in {a.pk for a in services.represented_in(user, program)},
            "statuses": TransferStatus,
        },
        status=status,
    )


@require_safe
def transfer_offer(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _offer_page(request, object_for_request(request, program, OFFERS, pk))


@require_POST
def transfer_offer_open(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    offer = object_for_request(request, program, OFFERS, pk, perm=services.MANAGE_OFFER)
    choice = posted_choice(request, "open", ("0", "1"))
    if choice is None:
        return redirect(_offer_url(offer))
    is_open = choice == "1"
    services.offer_set_open(user=request.user, offer=offer, is_open=is_open)
    messages.success(
        request,
        _("The offer is open to requests.") if is_open else _("The offer is closed to requests."),
    )
    return redirect(_offer_url(offer))


@require_POST
def transfer_request(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    offer = object_for_request(request, program, OFFERS, pk, perm=services.REQUEST_TRANSFER)
    organizations = services.represented_in(request.user, offer.program)
    form = RequestForm(request.POST, organizations=organizations)
    if service_attempt(
        form,
        lambda: services.transfer_request(
            user=request.user,
            offer=offer,
            receiver=form.cleaned_data["receiver"],
            message=form.cleaned_data.get("message") or "",
            base_url=_base_url(request),
        ),
    ):
        messages.success(request, _("Your request was sent to the provider."))
        return redirect(_offer_url(offer, "requests"))
    return _offer_page(request, offer, request_form=form, status=400)


def _transfer(request: HttpRequest, program: str, pk: int) -> Transfer:
    found = object_for_request(
        request,
        program,
        Transfer.objects.select_related("offer__provider", "offer__program", "receiver"),
        pk,
        view_perm="cooperation.view_cooperation",
        perm=services.DECIDE_TRANSFER,
    )
    found.offer.program = found.program
    return found


@require_POST
def transfer_decide(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _transfer(request, program, pk)
    decision = posted_choice(request, "decision", ("agree", "decline"))
    if decision is None:
        return redirect(_offer_url(found.offer, "requests"))
    try:
        services.transfer_decide(
            user=request.user,
            transfer=found,
            agree=decision == "agree",
            base_url=_base_url(request),
        )
    except ValidationError as error:
        _error_message(request, error)
    else:
        if decision == "agree":
            messages.success(
                request,
                _("You agreed to pass it on to %(name)s. The tie is recorded in the network.")
                % {"name": found.receiver.name},
            )
        else:
            messages.success(request, _("The request was declined."))
    return redirect(_offer_url(found.offer, "requests"))


@require_POST
def transfer_complete(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = _transfer(request, program, pk)
    form = CompleteForm(request.POST)
    if service_attempt(
        form,
        lambda: services.transfer_complete(
            user=request.user,
            transfer=found,
            completed_on=form.cleaned_data["completed_on"],
            outcome=form.cleaned_data.get("outcome") or "",
            base_url=_base_url(request),
        ),
    ):
        messages.success(request, _("Marked as transferred."))
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
    return redirect(_offer_url(found.offer, "requests"))
