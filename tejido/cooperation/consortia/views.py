"""Consortia views: the program's list, forming a consortium, its page (lots, members,
checklist, documents, outcome), partner suggestions and invitations, members, submission."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.models import Sector
from tejido.core.forms import add_service_error, service_attempt
from tejido.core.http import is_htmx, program_for_request

from ..http import object_for_request, posted_choice, refuse
from ..models import (
    ChecklistItem,
    Consortium,
    ConsortiumDocument,
    ConsortiumMember,
    ConsortiumStatus,
    MemberRole,
    MemberStatus,
)
from . import selectors, services
from .forms import (
    ConsortiumForm,
    DocumentForm,
    InviteForm,
    MemberForm,
    OutcomeForm,
    StepForm,
    lot_formset,
    lots_from,
)

VIEW = services.VIEW
ADD = services.ADD
MANAGE = services.MANAGE
DOCUMENTS = services.DOCUMENTS
WORK = services.WORK


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _consortium(request: HttpRequest, slug: str, pk: int, perm: str | None = None) -> Consortium:
    return object_for_request(
        request,
        slug,
        Consortium.objects.select_related("lead", "territory", "created_by"),
        pk,
        view_perm=VIEW,
        perm=perm,
    )


def _url(consortium: Consortium, anchor: str = "") -> str:
    url = reverse("cooperation:consortium", args=[consortium.program.slug, consortium.pk])
    return f"{url}#{anchor}" if anchor else url


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# -- list and new -----------------------------------------------------------------------------


@require_safe
def consortia(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW)
    status = request.GET.get("status", "")
    if status not in ConsortiumStatus.values:
        status = ""
    counts = selectors.status_counts(current)
    return render(
        request,
        "cooperation/consortia/list.html",
        {
            "program": current,
            "consortia": selectors.consortia_for_list(current, status=status),
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in ConsortiumStatus.choices
            ],
            "status": status,
            "can_add": request.user.has_perm(ADD, current),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def consortium_new(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, ADD)
    leads = services.lead_choices(request.user, current)
    form = ConsortiumForm(
        request.POST or None,
        program=current,
        leads=leads,
        initial={"currency": "CLP", "open_to_partners": True},
    )
    lots = lot_formset(request.POST or None)
    if request.method == "POST" and lots.is_valid():
        created: list[Consortium] = []
        if service_attempt(
            form,
            lambda: created.append(
                services.consortium_create(
                    user=request.user, program=current, lots=lots_from(lots), **form.values()
                )
            ),
        ):
            messages.success(request, _("The consortium is formed. Now invite its partners."))
            return redirect(
                reverse("cooperation:consortium_partners", args=[current.slug, created[0].pk])
            )
    elif request.method == "POST":
        form.is_valid()
    return render(
        request,
        "cooperation/consortia/form.html",
        {"program": current, "form": form, "lots": lots, "consortium": None, "no_leads": not leads},
        status=400 if form.is_bound and (form.errors or not lots.is_valid()) else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def consortium_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    consortium = _consortium(request, program, pk, MANAGE)
    if consortium.status != ConsortiumStatus.FORMING:
        messages.error(request, _("A consortium can only be changed while it is forming."))
        return redirect(_url(consortium))
    initial = {
        "title": consortium.title,
        "kind": consortium.kind,
        "contracting_body": consortium.contracting_body,
        "reference": consortium.reference,
        "tender_url": consortium.tender_url,
        "deadline": consortium.deadline,
        "budget": consortium.budget,
        "currency": consortium.currency,
        "purpose": consortium.purpose,
        "open_to_partners": consortium.open_to_partners,
        "sectors_wanted": consortium.sectors_wanted,
        "themes": list(consortium.themes.all()),
        "territory": consortium.territory,
    }
    form = ConsortiumForm(
        request.POST or None,
        program=consortium.program,
        leads=[],
        consortium=consortium,
        initial=initial,
    )
    lots = lot_formset(request.POST or None, consortium=consortium)
    if request.method == "POST" and lots.is_valid():
        if service_attempt(
            form,
            lambda: services.consortium_update(
                user=request.user, consortium=consortium, lots=lots_from(lots), **form.values()
            ),
        ):
            messages.success(request, _("The consortium is saved."))
            return redirect(_url(consortium))
    elif request.method == "POST":
        form.is_valid()
    return render(
        request,
        "cooperation/consortia/form.html",
        {"program": consortium.program, "form": form, "lots": lots, "consortium": consortium},
        status=400 if form.is_bound and (form.errors or not lots.is_valid()) else 200,
    )


# -- the consortium's page --------------------------------------------------------------------


def _page(
    request: HttpRequest,
    consortium: Consortium,
    *,
    step_form: StepForm | None = None,
    document_form: DocumentForm | None = None,
    outcome_form: OutcomeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    documents = user.has_perm(DOCUMENTS, consortium)
    page = selectors.consortium_page(consortium, user, documents=documents)
    manage = user.has_perm(MANAGE, consortium)
    forming = consortium.status == ConsortiumStatus.FORMING
    labels = dict(Sector.choices)
    return render(
        request,
        "cooperation/consortia/consortium.html",
        {
            "program": consortium.program,
            "consortium": consortium,
            "page": page,
            "can_manage": manage,
            "can_read_documents": documents,
            "can_work": user.has_perm(WORK, consortium),
            "forming": forming,
            "step_form": step_form or StepForm(members=[m.actor for m in page.joined]),
            "document_form": document_form or DocumentForm(),
            "outcome_form": outcome_form or OutcomeForm(),
            "sectors_wanted": [labels[s] for s in consortium.sectors_wanted or [] if s in labels],
        },
        status=status,
    )


@require_safe
def consortium(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _page(request, _consortium(request, program, pk))


# -- partners and invitations -----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def consortium_partners(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    consortium = _consortium(request, program, pk, MANAGE)
    organizations = selectors.invitable_organizations(consortium)
    form = InviteForm(request.POST or None, organizations=organizations)
    if request.method == "POST":
        if consortium.status != ConsortiumStatus.FORMING:
            messages.error(request, _("Only a forming consortium invites partners."))
            return redirect(_url(consortium))
        if service_attempt(
            form,
            lambda: services.member_invite(
                user=request.user,
                consortium=consortium,
                actor=form.cleaned_data["actor"],
                role=form.cleaned_data["role"],
                share=form.cleaned_data.get("share"),
                suggested=bool(form.cleaned_data.get("suggested")),
                base_url=_base_url(request),
            ),
        ):
            messages.success(
                request,
                _("%(name)s is invited. Its representatives have been told by e-mail.")
                % {"name": form.cleaned_data["actor"].name},
            )
            return redirect(
                reverse("cooperation:consortium_partners", args=[program, consortium.pk])
            )
    suggestions = (
        selectors.partner_suggestions(consortium)
        if consortium.status == ConsortiumStatus.FORMING
        else []
    )
    return render(
        request,
        "cooperation/consortia/partners.html",
        {
            "program": consortium.program,
            "consortium": consortium,
            "suggestions": suggestions,
            "form": form,
            "forming": consortium.status == ConsortiumStatus.FORMING,
            "roles": [(v, label) for v, label in MemberRole.choices if v != MemberRole.LEAD],
            "members": list(
                consortium.members.select_related("actor").exclude(status=MemberStatus.DECLINED)
            ),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _member(request: HttpRequest, program: str, pk: int, member: int, perm: str | None) -> Any:
    consortium = _consortium(request, program, pk)
    found = get_object_or_404(
        ConsortiumMember.objects.select_related("actor"), pk=member, consortium=consortium
    )
    found.consortium = consortium
    if perm and not request.user.has_perm(perm, found):
        refuse(request, hidden=False)
    return found


@require_POST
def consortium_answer(request: HttpRequest, program: str, pk: int, member: int) -> HttpResponse:
    found = _member(request, program, pk, member, services.ANSWER)
    answer = posted_choice(request, "answer", ("accept", "decline"))
    if answer is None:
        return redirect(_url(found.consortium))
    accept = answer == "accept"
    try:
        services.invitation_answer(user=request.user, member=found, accept=accept)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(name)s joined the consortium.") % {"name": found.actor.name}
            if accept
            else _("You declined the invitation."),
        )
    return redirect(_url(found.consortium))


@require_http_methods(["GET", "HEAD", "POST"])
def consortium_member(request: HttpRequest, program: str, pk: int, member: int) -> HttpResponse:
    found = _member(request, program, pk, member, None)
    consortium = found.consortium
    if not request.user.has_perm(MANAGE, consortium):
        refuse(request, hidden=False)
    is_lead = found.role == MemberRole.LEAD
    form = MemberForm(
        request.POST or None,
        consortium=consortium,
        lead=is_lead,
        initial={"role": found.role, "share": found.share, "lots": list(found.lots.all())},
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.member_update(
            user=request.user,
            member=found,
            role=form.cleaned_data["role"],
            share=form.cleaned_data.get("share"),
            lots=form.cleaned_data["lots"],
        ),
    ):
        messages.success(request, _("%(name)s is saved.") % {"name": found.actor.name})
        return redirect(_url(consortium, "members"))
    return render(
        request,
        "cooperation/consortia/member_form.html",
        {
            "program": consortium.program,
            "consortium": consortium,
            "member": found,
            "form": form,
            "is_lead": is_lead,
            "forming": consortium.status == ConsortiumStatus.FORMING,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def consortium_member_remove(
    request: HttpRequest, program: str, pk: int, member: int
) -> HttpResponse:
    found = _member(request, program, pk, member, None)
    if not request.user.has_perm(MANAGE, found.consortium):
        refuse(request, hidden=False)
    try:
        services.member_remove(user=request.user, member=found)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": found.actor.name})
    return redirect(_url(found.consortium, "members"))


# -- checklist --------------------------------------------------------------------------------


@require_POST
def consortium_step_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    consortium = _consortium(request, program, pk, WORK)
    joined = [
        m.actor
        for m in consortium.members.select_related("actor").filter(status=MemberStatus.JOINED)
    ]
    form = StepForm(request.POST, members=joined)
    if service_attempt(
        form,
        lambda: services.step_add(
            user=request.user,
            consortium=consortium,
            label=form.cleaned_data["label"],
            responsible=form.cleaned_data.get("responsible"),
            due_on=form.cleaned_data.get("due_on"),
        ),
    ):
        return redirect(_url(consortium, "checklist"))
    return _page(request, consortium, step_form=form, status=400)


def _step(request: HttpRequest, program: str, pk: int, step: int, perm: str) -> ChecklistItem:
    consortium = _consortium(request, program, pk, perm)
    found = get_object_or_404(
        ChecklistItem.objects.select_related("responsible", "done_by"),
        pk=step,
        consortium=consortium,
    )
    found.consortium = consortium
    return found


@require_POST
def consortium_step_toggle(request: HttpRequest, program: str, pk: int, step: int) -> HttpResponse:
    found = _step(request, program, pk, step, WORK)
    choice = posted_choice(request, "done", ("0", "1"))
    if choice is None:
        return redirect(_url(found.consortium, "checklist"))
    error = None
    try:
        found = services.step_toggle(user=request.user, step=found, done=choice == "1")
        found.consortium = _consortium(request, program, pk)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if is_htmx(request):
        done, total = selectors.checklist_progress(found.consortium)
        return render(
            request,
            "cooperation/consortia/_step_toggled.html",
            {
                "program": found.consortium.program,
                "consortium": found.consortium,
                "step": found,
                "can_work": True,
                "can_manage": request.user.has_perm(MANAGE, found.consortium),
                "forming": found.consortium.status == ConsortiumStatus.FORMING,
                "error": error,
                "done": done,
                "total": total,
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect(_url(found.consortium, "checklist"))


@require_POST
def consortium_step_remove(request: HttpRequest, program: str, pk: int, step: int) -> HttpResponse:
    found = _step(request, program, pk, step, MANAGE)
    try:
        services.step_remove(user=request.user, step=found)
    except ValidationError as error:
        _refused(request, error)
    return redirect(_url(found.consortium, "checklist"))


# -- documents --------------------------------------------------------------------------------


@require_POST
def consortium_document_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    consortium = _consortium(request, program, pk, WORK)
    form = DocumentForm(request.POST, request.FILES)
    if service_attempt(
        form,
        lambda: services.document_add(
            user=request.user,
            consortium=consortium,
            title=form.cleaned_data.get("title") or "",
            upload=form.cleaned_data["file"],
        ),
    ):
        messages.success(request, _("The document is saved."))
        return redirect(_url(consortium, "documents"))
    return _page(request, consortium, document_form=form, status=400)


@require_safe
def consortium_document(request: HttpRequest, program: str, pk: int, document: int) -> FileResponse:
    consortium = _consortium(request, program, pk, DOCUMENTS)
    found = get_object_or_404(ConsortiumDocument, pk=document, consortium=consortium)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    stored = found.file.name or ""
    extension = stored.rsplit(".", 1)[-1].lower() if "." in stored else "bin"
    response = FileResponse(handle, as_attachment=True, filename=f"{found.title}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- submission, outcome, withdrawal ----------------------------------------------------------


@require_POST
def consortium_submit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    consortium = _consortium(request, program, pk, MANAGE)
    try:
        services.consortium_submit(user=request.user, consortium=consortium)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("The bid is submitted. The ties among its members are recorded in the network."),
        )
    return redirect(_url(consortium))


@require_POST
def consortium_outcome(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    consortium = _consortium(request, program, pk, MANAGE)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _page(request, consortium, outcome_form=form, status=400)
    try:
        services.consortium_outcome(
            user=request.user,
            consortium=consortium,
            won=form.cleaned_data["outcome"] == "won",
            note=form.cleaned_data.get("note") or "",
        )
    except ValidationError as error:
        add_service_error(form, error)
        return _page(request, consortium, outcome_form=form, status=400)
    messages.success(request, _("The outcome is recorded."))
    return redirect(_url(consortium, "outcome"))


@require_POST
def consortium_withdraw(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    consortium = _consortium(request, program, pk, MANAGE)
    try:
        services.consortium_withdraw(
            user=request.user, consortium=consortium, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The consortium is withdrawn."))
    return redirect(_url(consortium))
