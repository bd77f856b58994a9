"""Learning community pages: experiences (list with search and filters, the structured form,
the page with its comments, questions and reactions), exchange meetings between territories,
and each member's digest settings. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import add_service_error, service_attempt
from tejido.core.http import LoginRequired, program_for_request, url_maker

from ..http import VIEW_LEARNING, object_for_request, refuse
from ..models import (
    Comment,
    CommentKind,
    DigestFrequency,
    DigestSubscription,
    EvidenceFile,
    Exchange,
    Experience,
    PublicationStatus,
    ReactionKind,
)
from . import selectors, services
from .forms import (
    CommentForm,
    DigestForm,
    ExchangeForm,
    ExperienceFilterForm,
    ExperienceForm,
    TriedTooForm,
)

VIEW = services.VIEW
PUBLISH = services.PUBLISH
CHANGE = services.CHANGE
TAKE_PART = services.TAKE_PART
MODERATE = services.MODERATE
MANAGE_EXCHANGES = services.MANAGE_EXCHANGES

EXPERIENCE_QUERYSET = Experience.objects.select_related(
    "program", "organization", "territory", "author"
)


def _experience_url(experience: Experience, anchor: str = "") -> str:
    url = reverse("learning:experience", args=[experience.program.slug, experience.pk])
    return f"{url}#{anchor}" if anchor else url


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _members_only(request: HttpRequest, message: str) -> HttpResponse:
    """Refuse a visitor who is not in the community: log in first, or a 403 that says why."""
    if not request.user.is_authenticated:
        raise LoginRequired
    return render(
        request,
        "learning/community/refused.html",
        {"program": getattr(request, "program", None), "message": message},
        status=403,
    )


# -- experiences: the list --------------------------------------------------------------------


@require_safe
def experiences(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    user = request.user
    form = ExperienceFilterForm(request.GET, program=current)
    listing = selectors.experience_listing(user, current, **form.arguments())
    params = request.GET.copy()
    params.pop("page", None)

    def without(name: str) -> str:
        rest: QueryDict = params.copy()
        rest.pop(name, None)
        encoded = rest.urlencode()
        return f"?{encoded}" if encoded else "?"

    return render(
        request,
        "learning/community/experiences.html",
        {
            "program": current,
            "listing": listing,
            "page": listing.page,
            "query_string": params.urlencode(),
            "active_filters": [
                {"label": label, "url": without(name)} for name, label in listing.active
            ],
            "clear_url": "?" + (f"q={listing.query}" if listing.query else ""),
            "drafts": selectors.drafts_of(user, current),
            "can_create": user.has_perm(PUBLISH, current),
        },
    )


# -- experiences: create, edit, publish -------------------------------------------------------


def _form_page(
    request: HttpRequest, program: Any, form: ExperienceForm, experience: Experience | None
) -> HttpResponse:
    return render(
        request,
        "learning/community/experience_form.html",
        {"program": program, "form": form, "experience": experience},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def experience_create(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, PUBLISH)
    organizations = services.organizations_for(request.user, current)
    if not organizations:
        return _members_only(
            request,
            _("You do not represent any organization of this program yet: ask a coordinator."),
        )
    form = ExperienceForm(
        request.POST or None,
        request.FILES or None,
        program=current,
        organizations=organizations,
        initial={"organization": organizations[0].pk},
    )
    created: list[Experience] = []
    publish = "publish" in request.POST
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.experience_create(
                user=request.user, program=current, publish=publish, **form.values()
            )
        ),
    ):
        if publish:
            messages.success(request, _("Your experience is published. Thank you for sharing it."))
        else:
            messages.success(
                request,
                _("Saved as a draft: only you, your organization and the coordinators see it."),
            )
        return redirect(_experience_url(created[0]))
    return _form_page(request, current, form, None)


@require_http_methods(["GET", "POST"])
def experience_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    experience = object_for_request(
        request, program, EXPERIENCE_QUERYSET, pk, view_perm=VIEW, perm=CHANGE
    )
    organizations = services.organizations_for(request.user, experience.program)
    form = ExperienceForm(
        request.POST or None,
        request.FILES or None,
        program=experience.program,
        organizations=organizations,
        experience=experience,
        initial=ExperienceForm.initial_from(experience),
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.experience_update(
            user=request.user, experience=experience, **form.values()
        ),
    ):
        if "publish" in request.POST and experience.status == PublicationStatus.DRAFT:
            services.experience_publish(user=request.user, experience=experience)
            messages.success(request, _("Your experience is published. Thank you for sharing it."))
        else:
            messages.success(request, _("Experience saved."))
        return redirect(_experience_url(experience))
    return _form_page(request, experience.program, form, experience)


@require_POST
def experience_publish(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    experience = object_for_request(
        request, program, EXPERIENCE_QUERYSET, pk, view_perm=VIEW, perm=CHANGE
    )
    services.experience_publish(user=request.user, experience=experience)
    messages.success(request, _("Your experience is published. Thank you for sharing it."))
    return redirect(_experience_url(experience))


@require_safe
def evidence_file(request: HttpRequest, program: str, pk: int, file: int) -> FileResponse:
    experience = object_for_request(request, program, Experience.objects.all(), pk, view_perm=VIEW)
    evidence = get_object_or_404(EvidenceFile, pk=file, experience=experience)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    # Pictures and PDFs open in the browser; the type was checked on upload.
    return FileResponse(
        handle,
        as_attachment=False,
        filename=evidence.name,
        content_type=evidence.content_type or "application/octet-stream",
    )


# -- one experience ---------------------------------------------------------------------------


def _experience_page(
    request: HttpRequest,
    experience: Experience,
    *,
    comment_form: CommentForm | None = None,
    answer_form: CommentForm | None = None,
    answer_to: int | None = None,
    tried_form: TriedTooForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    program = experience.program
    page = selectors.experience_page(experience, user)
    may_take_part = user.has_perm(TAKE_PART, experience)
    mine = services.represented_in(user, program) if may_take_part else []
    tried_choices = [a for a in mine if a.pk != experience.organization_id]
    actor_link = url_maker("network:actor", program)
    for reaction in page.tried:
        reaction.organization_url = (  # type: ignore[attr-defined]
            actor_link(reaction.organization_id) if actor_link and reaction.organization_id else ""
        )
    published = experience.status == PublicationStatus.PUBLISHED
    return render(
        request,
        "learning/community/experience.html",
        {
            "program": program,
            "experience": experience,
            "page": page,
            "published": published,
            "can_change": user.has_perm(CHANGE, experience),
            "can_moderate": user.has_perm(MODERATE, experience),
            "may_take_part": may_take_part and published,
            "comment_form": comment_form or CommentForm(organizations=mine),
            "answer_form": answer_form,
            "answer_to": answer_to,
            "answer_organizations": mine,
            "tried_form": tried_form or TriedTooForm(organizations=tried_choices),
            "tried_choices": tried_choices,
            "own_organization": experience.organization_id in {a.pk for a in mine},
            "organization_url": actor_link(experience.organization_id) if actor_link else "",
            "login_url": reverse("accounts:login") + "?next=" + _experience_url(experience),
        },
        status=status,
    )


@require_safe
def experience(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = object_for_request(request, program, EXPERIENCE_QUERYSET, pk, view_perm=VIEW)
    return _experience_page(request, found)


# -- comments ---------------------------------------------------------------------------------


@require_POST
def comment_add(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    # Someone who cannot read the experience gets a 404: it does not exist for them.
    found = object_for_request(request, program, EXPERIENCE_QUERYSET, pk, view_perm=VIEW)
    user = request.user
    if not user.has_perm(TAKE_PART, found):
        return _members_only(
            request,
            _(
                "Only members of the program's learning community can comment, ask and answer. "
                "Nothing was saved."
            ),
        )
    organizations = services.represented_in(user, found.program)
    form = CommentForm(request.POST, organizations=organizations)
    parent: Comment | None = None
    parent_id = request.POST.get("parent") or ""
    if parent_id.isdigit():
        parent = Comment.objects.filter(experience=found, pk=int(parent_id)).first()
    created: list[Comment] = []

    def add() -> None:
        data = form.cleaned_data
        created.append(
            services.comment_add(
                user=user,
                experience=found,
                body=data["body"],
                kind=CommentKind.ANSWER if parent_id else data.get("kind") or CommentKind.COMMENT,
                parent=parent,
                organization=data.get("organization"),
                base_url=_base_url(request),
            )
        )

    try:
        saved = service_attempt(form, add)
    except PermissionDenied as error:
        return _members_only(request, str(error))
    if saved:
        messages.success(request, _("Thank you: your words are on the page."))
        return redirect(_experience_url(found, f"comment-{created[0].pk}"))
    if parent_id:
        return _experience_page(
            request,
            found,
            answer_form=form,
            answer_to=int(parent_id) if parent_id.isdigit() else None,
            status=400,
        )
    return _experience_page(request, found, comment_form=form, status=400)


@require_POST
def comment_hide(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    comment = (
        Comment.objects.select_related("experience__program")
        .filter(experience__program=current, pk=pk)
        .first()
    )
    if comment is None:
        raise Http404
    comment.experience.program = current
    user = request.user
    if not user.has_perm(VIEW, comment.experience):
        refuse(request, hidden=True)
    if not user.has_perm(MODERATE, comment.experience):
        refuse(request, hidden=False)
    services.comment_hide(
        user=user, comment=comment, reason=(request.POST.get("reason") or "").strip()
    )
    messages.success(request, _("The comment is hidden. It stays in the audit trail."))
    return redirect(_experience_url(comment.experience, f"comment-{comment.pk}"))


# -- reactions --------------------------------------------------------------------------------


@require_POST
def react(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = object_for_request(request, program, EXPERIENCE_QUERYSET, pk, view_perm=VIEW)
    user = request.user
    if not user.has_perm(TAKE_PART, found):
        return _members_only(
            request,
            _("Only members of the program's learning community can react to experiences."),
        )
    kind = request.POST.get("kind", "")
    on = request.POST.get("action", "add") != "remove"
    if kind == ReactionKind.TRIED_TOO and on:
        choices = [
            a for a in services.represented_in(user, found.program) if a.pk != found.organization_id
        ]
        form = TriedTooForm(request.POST, organizations=choices)
        if not form.is_valid():
            if not choices:
                form.errors.clear()
                add_service_error(
                    form,
                    ValidationError(
                        _(
                            "“We tried this too” is said on behalf of another organization "
                            "you represent."
                        )
                    ),
                )
            return _experience_page(request, found, tried_form=form, status=400)
        try:
            services.reaction_set(
                user=user,
                experience=found,
                kind=kind,
                organization=form.cleaned_data["organization"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            add_service_error(form, error)
            return _experience_page(request, found, tried_form=form, status=400)
        messages.success(
            request, _("Thank you: your organization now appears among those who tried it.")
        )
        return redirect(_experience_url(found, "reactions"))
    try:
        services.reaction_set(user=user, experience=found, kind=kind, on=on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_experience_url(found, "reactions"))


# -- exchanges --------------------------------------------------------------------------------


@require_safe
def exchanges(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    return render(
        request,
        "learning/community/exchanges.html",
        {
            "program": current,
            "page": selectors.exchange_listing(current, request.GET.get("page") or 1),
            "can_manage": request.user.has_perm(MANAGE_EXCHANGES, current),
        },
    )


@require_safe
def exchange(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = object_for_request(request, program, Exchange.objects.all(), pk)
    page = selectors.exchange_page(found, request.user)
    actor_link = url_maker("network:actor", found.program)
    for organization in page.organizations:
        organization.url = actor_link(organization.pk) if actor_link else ""  # type: ignore[attr-defined]
    return render(
        request,
        "learning/community/exchange.html",
        {
            "program": found.program,
            "exchange": found,
            "page": page,
            "can_manage": request.user.has_perm(MANAGE_EXCHANGES, found),
        },
    )


def _exchange_form_page(
    request: HttpRequest, program: Any, form: ExchangeForm, exchange: Exchange | None
) -> HttpResponse:
    return render(
        request,
        "learning/community/exchange_form.html",
        {"program": program, "form": form, "exchange": exchange},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def exchange_create(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, MANAGE_EXCHANGES)
    form = ExchangeForm(request.POST or None, program=current)
    created: list[Exchange] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.exchange_create(user=request.user, program=current, **form.values())
        ),
    ):
        messages.success(request, _("Exchange meeting recorded."))
        return redirect("learning:exchange", current.slug, created[0].pk)
    return _exchange_form_page(request, current, form, None)


@require_http_methods(["GET", "POST"])
def exchange_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = object_for_request(request, program, Exchange.objects.all(), pk, perm=MANAGE_EXCHANGES)
    form = ExchangeForm(
        request.POST or None, program=found.program, initial=ExchangeForm.initial_from(found)
    )
    if request.method == "POST" and service_attempt(
        form, lambda: services.exchange_update(user=request.user, exchange=found, **form.values())
    ):
        messages.success(request, _("Exchange meeting saved."))
        return redirect("learning:exchange", found.program.slug, found.pk)
    return _exchange_form_page(request, found.program, form, found)


# -- the digest -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def digest(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_LEARNING)
    user = request.user
    if not user.has_perm(TAKE_PART, current):
        return _members_only(
            request, _("The digest is for members of the program's learning community.")
        )
    subscription = DigestSubscription.objects.filter(
        user_id=user.pk,  # type: ignore[misc]
        program=current,
    ).first()
    frequency = subscription.frequency if subscription else DigestFrequency.WEEKLY
    form = DigestForm(request.POST or None, initial={"frequency": frequency})
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.digest_subscribe(
            user=user, program=current, frequency=form.cleaned_data["frequency"]
        ),
    ):
        if form.cleaned_data["frequency"] == DigestFrequency.NEVER:
            messages.success(request, _("Done: you will not receive the digest of this program."))
        else:
            messages.success(request, _("Saved: you will receive the digest as you chose."))
        return redirect("learning:digest", current.slug)
    return render(
        request,
        "learning/community/digest.html",
        {
            "program": current,
            "form": form,
            "subscription": subscription,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
