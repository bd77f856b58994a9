"""Application pages: applying, the editor (project, objectives and place, beneficiaries,
budget, consortium, attachments, submission), the application itself with its versions and
documents, an organization's applications, and the coordinators' eligibility pages.

Every page works without JavaScript; htmx only searches partners as one types, and a few lines
of script keep the budget's totals current while typing (the server always recomputes them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.rules import represented_ids
from tejido.core.http import LoginRequired, is_htmx, optional_url, program_for_request, require_perm
from tejido.governance.plans.money import DECIMALS, money

from ..calls.navigation import call_tabs
from ..http import application_for_request, call_for_request
from ..models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Attachment,
    Call,
    CallStatus,
    Partner,
)
from . import selectors, services
from .forms import (
    ApplicationForm,
    ApplyForm,
    AttachmentForm,
    OverrideForm,
    PartnerForm,
    PartnerValuesForm,
    budget_formset,
)

APPLY = "funds.apply"
VIEW = "funds.view_application"
EDIT = "funds.edit_application"
DECIDE = "funds.decide_eligibility"
MANAGE_CALL = "funds.manage_call"
EDITOR = "funds/applications/edit.html"
# Where each kind of problem is shown in the editor.
SECTION_OF = {
    "title": "project",
    "summary": "project",
    "problem": "project",
    "activities": "project",
    "objectives": "place",
    "territory": "place",
    "theme": "place",
    "beneficiaries": "beneficiaries",
    "beneficiaries_women": "beneficiaries",
    "beneficiaries_men": "beneficiaries",
    "beneficiaries_other": "beneficiaries",
    "lines": "budget",
    "partners": "consortium",
    "organization": "consortium",
    "role": "consortium",
    "budget_share": "consortium",
    "letter": "consortium",
    "attachments": "attachments",
    "kind": "attachments",
    "file": "attachments",
    "issued_on": "attachments",
}


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _edit_url(application: Application, anchor: str = "") -> str:
    url = reverse("funds:application_edit", args=[application.call.program.slug, application.pk])
    return f"{url}#{anchor}" if anchor else url


def _page_url(application: Application) -> str:
    return reverse("funds:application", args=[application.call.program.slug, application.pk])


def _split_errors(form: Form | None, error: ValidationError) -> dict[str, list[str]]:
    """Put a service's refusal on the form's fields where it names one; return the rest by
    editor section ("budget", "consortium", "all"...)."""
    sections: dict[str, list[str]] = {}
    if not hasattr(error, "error_dict"):
        sections.setdefault("all", []).extend(error.messages)
        return sections
    for name, errors in error.error_dict.items():
        texts = [m for e in errors for m in e.messages]
        if form is not None and name in form.fields:
            for text in texts:
                form.add_error(name, text)
            continue
        sections.setdefault(SECTION_OF.get(name, "all"), []).extend(texts)
    return sections


def _can(request: HttpRequest, perm: str, obj: Any) -> bool:
    return bool(request.user.has_perm(perm, obj))


def _closed_message(call: Call) -> str:
    local = timezone.localtime(call.closes_at)
    return _("This call closed on %(day)s: the application can no longer change.") % {
        "day": date_format(local, "DATE_FORMAT")
    }


# -- applying ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk)
    require_perm(request, APPLY, call)
    choices = selectors.organizations_to_apply(request.user, call)
    one_each = call.one_application_per_organization
    free = [org for org, existing in choices if existing is None or not one_each]
    form = ApplyForm(request.POST or None, organizations=free)
    is_open = call.is_open()
    if request.method == "POST" and is_open and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user,
                call=call,
                applicant=form.cleaned_data["applicant"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            for text in _split_errors(form, error).get("all", []):
                form.add_error(None, text)
        else:
            messages.success(
                request,
                _(
                    "Draft %(reference)s started. Save it as often as you like; submit it when "
                    "it is complete."
                )
                % {"reference": application.reference},
            )
            return redirect(_edit_url(application))
    elif request.method == "POST" and not is_open:
        form.add_error(None, _("This call is not taking applications now."))
    return render(
        request,
        "funds/applications/apply.html",
        {
            "program": call.program,
            "call": call,
            "tabs": call_tabs(request.user, call, "overview"),
            "form": form,
            "choices": choices,
            "free": free,
            "one_each": one_each,
            "is_open": is_open,
            "call_url": optional_url("funds:call", call.program.slug, call.pk),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_safe
def my_applications(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program)
    if not request.user.is_authenticated:
        raise LoginRequired
    return render(
        request,
        "funds/applications/mine.html",
        {
            "program": program_obj,
            "rows": selectors.my_application_rows(request.user, program_obj),
            "hub_url": optional_url("funds:hub", program_obj.slug),
        },
    )


# -- the application ---------------------------------------------------------------------------


@require_safe
def application_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    application = application_for_request(request, program, pk)
    call = application.call
    page = selectors.application_page(application)
    owner = _can(request, EDIT, application)
    coordinator = _can(request, DECIDE, application)
    undecided = call.status not in (CallStatus.DECIDED, CallStatus.RESULTS_PUBLISHED)
    return render(
        request,
        "funds/applications/application.html",
        {
            "program": call.program,
            "call": call,
            "tabs": call_tabs(request.user, call, "applications"),
            "application": application,
            "page": page,
            "owner": owner,
            "coordinator": coordinator,
            "can_edit": owner and call.is_open(),
            "show_private": owner or coordinator,
            "partner_view": bool(
                represented_ids(request.user) & {p.organization_id for p in page.partners}
            ),
            "can_override": coordinator
            and undecided
            and application.status == ApplicationStatus.SUBMITTED,
            "call_url": optional_url("funds:call", call.program.slug, call.pk),
        },
    )


@require_safe
def attachment_download(request: HttpRequest, program: str, pk: int, item: int) -> FileResponse:
    application = application_for_request(request, program, pk)
    attachment = get_object_or_404(Attachment, pk=item, application=application)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


@require_safe
def version_detail(request: HttpRequest, program: str, pk: int, number: int) -> HttpResponse:
    application = application_for_request(request, program, pk)
    if not (_can(request, EDIT, application) or _can(request, DECIDE, application)):
        require_perm(request, EDIT, application)
    version = get_object_or_404(
        ApplicationVersion.objects.select_related("submitted_by"),
        application=application,
        number=number,
    )
    call = application.call
    return render(
        request,
        "funds/applications/version.html",
        {
            "program": call.program,
            "call": call,
            "tabs": call_tabs(request.user, call, "applications"),
            "application": application,
            "page": selectors.version_page(version, call.currency),
            "latest": version.number == application.version,
        },
    )


# -- the editor --------------------------------------------------------------------------------


def _editor(
    request: HttpRequest,
    application: Application,
    *,
    form: ApplicationForm | None = None,
    formset: Any = None,
    partner_form: PartnerForm | None = None,
    partner_forms: dict[int, PartnerValuesForm] | None = None,
    attachment_form: AttachmentForm | None = None,
    errors: dict[str, list[str]] | None = None,
    headline: str = "",
    status: int = 200,
) -> HttpResponse:
    application = Application.objects.select_related(
        "call__program", "applicant", "territory", "theme"
    ).get(pk=application.pk)
    call = application.call
    page = selectors.application_page(application)
    form = form or ApplicationForm(initial=ApplicationForm.initial_for(application), call=call)
    formset = formset or budget_formset(application)
    edit_forms = partner_forms or {}
    partner_rows = []
    for partner in page.partners:
        bound = edit_forms.get(partner.pk)
        partner_rows.append(
            {
                "partner": partner,
                "form": bound
                or PartnerValuesForm(
                    prefix=f"partner-{partner.pk}",
                    initial={"role": partner.role, "budget_share": partner.budget_share},
                ),
                "open": bound is not None,
            }
        )
    problems = services.submission_problems(application)
    problem_items = [
        (SECTION_OF.get(key, ""), text) for key, texts in problems.items() for text in texts
    ]
    counts: dict[str, int] = {}
    for section, _text in problem_items:
        counts[section] = counts.get(section, 0) + 1
    query = request.GET.get("q", "")[:100]
    selected = request.POST.get("organization") or request.GET.get("partner")
    options, more = selectors.partner_candidates(application, query)
    slug = call.program.slug
    context = {
        "program": call.program,
        "call": call,
        "tabs": call_tabs(request.user, call, "applications"),
        "application": application,
        "page": page,
        "form": form,
        "formset": formset,
        "partner_form": partner_form or PartnerForm(application=application),
        "partner_rows": partner_rows,
        "attachment_form": attachment_form or AttachmentForm(),
        "errors": errors or {},
        "headline": headline,
        "problem_items": problem_items,
        "sections": [
            {"key": key, "label": label, "problems": counts.get(key, 0)}
            for key, label in _sections()
        ],
        "grant_range": {
            "min": money(call.min_grant, call.currency),
            "max": money(call.max_grant, call.currency),
        },
        **_money_format(call.currency),
        "query": query,
        "options": options,
        "more": more,
        "selected_id": int(selected) if selected and str(selected).isdigit() else None,
        "search_url": reverse("funds:application_partner_search", args=[slug, application.pk]),
        "edit_url": _edit_url(application),
        "page_url": _page_url(application),
        "submitted": application.status == ApplicationStatus.SUBMITTED,
        "call_url": optional_url("funds:call", slug, call.pk),
    }
    return render(request, EDITOR, context, status=status)


def _sections() -> list[tuple[str, str]]:
    return [
        ("project", _("Project")),
        ("place", _("Objectives and place")),
        ("beneficiaries", _("Beneficiaries")),
        ("budget", _("Budget")),
        ("consortium", _("Consortium")),
        ("attachments", _("Attachments")),
        ("submit", _("Submit")),
    ]


def _money_format(currency: str) -> dict[str, Any]:
    """How the budget's script writes amounts, as the server does: "$%s" in pesos."""
    places = DECIMALS.get(currency, 2)
    zero = money(Decimal(0), currency)
    number = formats.number_format(Decimal(0).quantize(Decimal(1).scaleb(-places)), places)
    return {
        "money_template": zero.replace(number, "{n}", 1),
        "money_decimals": places,
        "decimal_mark": formats.get_format("DECIMAL_SEPARATOR"),
        # The live totals group digits as the server does ("$6 500 000", not the browser's way).
        "thousands_mark": formats.get_format("THOUSAND_SEPARATOR"),
    }


def _editable(request: HttpRequest, program: str, pk: int) -> Application:
    return application_for_request(request, program, pk, EDIT)


def _refused_headline(application: Application) -> str:
    if application.status == ApplicationStatus.SUBMITTED:
        return _(
            "Nothing was saved: this application is submitted, and the change would leave it "
            "incomplete. Correct what is marked below, or leave it as it was."
        )
    return _("Nothing was saved. Correct what is marked below.")


def _changed(request: HttpRequest, application: Application, draft_message: str) -> None:
    """The message after a change: on a submitted application, the change was submitted."""
    if application.status == ApplicationStatus.SUBMITTED:
        messages.success(
            request,
            _("Saved and submitted as version %(version)s. A receipt is on its way by e-mail.")
            % {"version": application.version},
        )
    else:
        messages.success(request, draft_message)


@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    application = _editable(request, program, pk)
    if not application.call.is_open():
        messages.info(request, _closed_message(application.call))
        return redirect(_page_url(application))
    if request.method == "GET":
        return _editor(request, application)
    form = ApplicationForm(request.POST, call=application.call)
    formset = budget_formset(application, request.POST)
    section = request.POST.get("section", "")
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    if form_ok and formset_ok:
        try:
            updated = services.application_update(
                actor=request.user,
                application=application,
                objectives=form.cleaned_data["objectives"],
                lines=formset.lines(),
                base_url=_base_url(request),
                **form.service_values(),
            )
        except ValidationError as error:
            errors = _split_errors(form, error)
        else:
            _changed(request, updated, _("Draft saved."))
            return redirect(_edit_url(updated, section if section in SECTION_OF.values() else ""))
    else:
        errors = {}
        if not formset_ok:
            errors["budget"] = [
                *formset.non_form_errors(),
                *(
                    [_("Some budget lines need correcting.")]
                    if any(f.errors for f in formset.forms)
                    else []
                ),
            ]
    return _editor(
        request,
        application,
        form=form,
        formset=formset,
        errors=errors,
        headline=_refused_headline(application),
        status=400,
    )


@require_safe
def partner_search(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Live search of the partner to add (htmx); without htmx, the editor with the results."""
    application = _editable(request, program, pk)
    query = request.GET.get("q", "")[:100]
    if not is_htmx(request):
        return redirect(f"{_edit_url(application)}?{urlencode({'q': query})}#consortium")
    options, more = selectors.partner_candidates(application, query)
    return render(
        request,
        "funds/applications/edit.html#partner-options",
        {
            "application": application,
            "options": options,
            "more": more,
            "query": query,
            "oob": True,
            "selected_id": None,
            "partner_form": PartnerForm(application=application),
        },
    )


@require_POST
def partner_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    application = _editable(request, program, pk)
    form = PartnerForm(request.POST, request.FILES, application=application)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        try:
            partner = services.partner_add(
                actor=request.user,
                application=application,
                organization=form.cleaned_data["organization"],
                role=form.cleaned_data["role"],
                budget_share=form.cleaned_data.get("budget_share") or 0,
                letter=form.cleaned_data.get("letter"),
                base_url=_base_url(request),
            )
        except ValidationError as error:
            errors = _split_errors(form, error)
        else:
            application.refresh_from_db()
            _changed(
                request,
                application,
                _("%(name)s joined the consortium.") % {"name": partner.organization.name},
            )
            return redirect(_edit_url(application, "consortium"))
    return _editor(
        request,
        application,
        partner_form=form,
        errors=errors,
        headline=_refused_headline(application),
        status=400,
    )


def _partner(application: Application, item: int) -> Partner:
    return get_object_or_404(
        Partner.objects.select_related("organization"), pk=item, application=application
    )


@require_POST
def partner_edit(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    application = _editable(request, program, pk)
    partner = _partner(application, item)
    form = PartnerValuesForm(request.POST, request.FILES, prefix=f"partner-{partner.pk}")
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        try:
            services.partner_update(
                actor=request.user,
                application=application,
                partner=partner,
                role=form.cleaned_data["role"],
                budget_share=form.cleaned_data.get("budget_share") or 0,
                letter=form.cleaned_data.get("letter"),
                base_url=_base_url(request),
            )
        except ValidationError as error:
            errors = _split_errors(form, error)
        else:
            application.refresh_from_db()
            _changed(
                request,
                application,
                _("%(name)s's part saved.") % {"name": partner.organization.name},
            )
            return redirect(_edit_url(application, "consortium"))
    return _editor(
        request,
        application,
        partner_forms={partner.pk: form},
        errors=errors,
        headline=_refused_headline(application),
        status=400,
    )


@require_POST
def partner_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    application = _editable(request, program, pk)
    partner = _partner(application, item)
    try:
        services.partner_remove(
            actor=request.user,
            application=application,
            partner=partner,
            base_url=_base_url(request),
        )
    except ValidationError as error:
        return _editor(
            request,
            application,
            errors=_split_errors(None, error),
            headline=_refused_headline(application),
            status=400,
        )
    application.refresh_from_db()
    _changed(
        request,
        application,
        _("%(name)s left the consortium.") % {"name": partner.organization.name},
    )
    return redirect(_edit_url(application, "consortium"))


@require_POST
def attachment_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    application = _editable(request, program, pk)
    form = AttachmentForm(request.POST, request.FILES)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                actor=request.user,
                application=application,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                issued_on=form.cleaned_data.get("issued_on"),
                base_url=_base_url(request),
            )
        except ValidationError as error:
            errors = _split_errors(form, error)
        else:
            application.refresh_from_db()
            _changed(request, application, _("“%(name)s” attached.") % {"name": attachment.name})
            return redirect(_edit_url(application, "attachments"))
    return _editor(
        request,
        application,
        attachment_form=form,
        errors=errors,
        headline=_refused_headline(application),
        status=400,
    )


@require_POST
def attachment_remove(request: HttpRequest, program: str, pk: int, item: int) -> HttpResponse:
    application = _editable(request, program, pk)
    attachment = get_object_or_404(Attachment, pk=item, application=application)
    try:
        services.attachment_remove(
            actor=request.user,
            application=application,
            attachment=attachment,
            base_url=_base_url(request),
        )
    except ValidationError as error:
        return _editor(
            request,
            application,
            errors=_split_errors(None, error),
            headline=_refused_headline(application),
            status=400,
        )
    application.refresh_from_db()
    _changed(request, application, _("“%(name)s” removed.") % {"name": attachment.name})
    return redirect(_edit_url(application, "attachments"))


@require_http_methods(["GET", "POST"])
def application_submit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    application = _editable(request, program, pk)
    if request.method == "GET":
        return redirect(_edit_url(application, "submit"))
    try:
        submitted = services.application_submit(
            actor=request.user, application=application, base_url=_base_url(request)
        )
    except ValidationError as error:
        if not application.call.is_open():
            messages.error(request, " ".join(error.messages))
            return redirect(_page_url(application))
        return _editor(
            request,
            application,
            errors=_split_errors(None, error),
            headline=_("The application was not submitted. Complete what is marked below."),
            status=400,
        )
    messages.success(
        request,
        _(
            "Application %(reference)s submitted (version %(version)s). A receipt is on its way "
            "to %(applicant)s's representatives."
        )
        % {
            "reference": submitted.reference,
            "version": submitted.version,
            "applicant": submitted.applicant.name,
        },
    )
    return redirect(_page_url(submitted))


@require_POST
def application_withdraw(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    application = _editable(request, program, pk)
    try:
        services.application_withdraw(actor=request.user, application=application)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Application %(reference)s withdrawn. You can submit it again while the call is "
                "open."
            )
            % {"reference": application.reference},
        )
    return redirect(_page_url(application))


# -- eligibility (coordinators) ----------------------------------------------------------------


@require_safe
def eligibility_list(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    show = request.GET.get("show", "all")
    listing = selectors.eligibility_list(call, show=show, page=request.GET.get("page", 1))
    return render(
        request,
        "funds/applications/eligibility.html",
        {
            "program": call.program,
            "call": call,
            "tabs": call_tabs(request.user, call, "applications"),
            "listing": listing,
            "filters": selectors.ELIGIBILITY_FILTERS,
            "undecided": call.status not in (CallStatus.DECIDED, CallStatus.RESULTS_PUBLISHED),
            "closed": call.closes_at <= timezone.now(),
        },
    )


@require_POST
def eligibility_check(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    call = call_for_request(request, program, pk, MANAGE_CALL)
    try:
        counts = services.eligibility_check_call(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Eligibility checked again for %(checked)s applications: %(eligible)s pass the "
                "rules, %(ineligible)s do not. Overrides still decide where there is one."
            )
            % counts,
        )
    return redirect(reverse("funds:eligibility", args=[call.program.slug, call.pk]))


@require_http_methods(["GET", "POST"])
def eligibility_override(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    application = application_for_request(request, program, pk, DECIDE)
    call = application.call
    current = {True: "eligible", False: "ineligible", None: "rules"}[
        application.eligibility_override
    ]
    form = OverrideForm(request.POST or None, initial={"decision": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.eligibility_override(
                actor=request.user,
                application=application,
                eligible=form.eligible(),
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            for text in _split_errors(form, error).get("all", []):
                form.add_error(None, text)
        else:
            messages.success(
                request,
                _("Eligibility of %(reference)s decided; the decision and its reasons are logged.")
                % {"reference": application.reference},
            )
            return redirect(reverse("funds:eligibility", args=[call.program.slug, call.pk]))
    return render(
        request,
        "funds/applications/override.html",
        {
            "program": call.program,
            "call": call,
            "tabs": call_tabs(request.user, call, "applications"),
            "application": application,
            "results": selectors.result_rows(application.eligibility_results or []),
            "form": form,
            "undecided": call.status not in (CallStatus.DECIDED, CallStatus.RESULTS_PUBLISHED),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
