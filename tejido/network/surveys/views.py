"""Survey pages: the coordinator's (create, invite, open, remind, close, review) and the
respondent's questionnaire, reached by a personal link that needs no account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.actors.models import Actor
from tejido.core.forms import add_service_error
from tejido.core.http import is_htmx, program_for_request, require_perm
from tejido.core.models import Program

from ..models import Survey, SurveyAnswer, SurveyInvitation, SurveyNomination
from . import selectors, services
from .forms import AnswerForm, InvitationFilterForm, MatchForm, NominationForm, SurveyForm

MANAGE = "network.manage_surveys"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _survey(request: HttpRequest, slug: str, pk: int) -> tuple[Program, Survey]:
    program = program_for_request(request, slug, MANAGE)
    try:
        return program, selectors.survey_get(program, pk)
    except Survey.DoesNotExist as exc:
        raise Http404 from exc


def _detail_url(survey: Survey) -> str:
    return reverse("network:survey_detail", args=[survey.program.slug, survey.pk])


# -- the coordinator's pages ------------------------------------------------------------------


@require_safe
def survey_list(request: HttpRequest, program: str) -> HttpResponse:
    """The program's surveys for coordinators; the surveys to answer for representatives."""
    program_obj = program_for_request(request, program, "core.view_program_internal")
    manages = request.user.has_perm(MANAGE, program_obj)
    to_answer = selectors.surveys_to_answer(request.user, program_obj)
    return render(
        request,
        "network/surveys/list.html",
        {
            "program": program_obj,
            "manages": manages,
            "surveys": selectors.survey_list(program_obj) if manages else [],
            "to_answer": [
                (inv, reverse("network:survey_answer", args=[program_obj.slug, inv.pk]))
                for inv in to_answer
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, MANAGE)
    form = SurveyForm(request.POST or None, program=program_obj)
    if request.method == "GET":
        cycle = program_obj.current_cycle()
        form.initial = {"cycle": cycle.pk if cycle else None}
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                user=request.user, program=program_obj, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Survey created. Now choose the organizations to invite."))
            return redirect("network:survey_invitations", program_obj.slug, survey.pk)
    return render(
        request,
        "network/surveys/form.html",
        {"program": program_obj, "form": form, "survey": None},
    )


@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, survey = _survey(request, program, pk)
    initial = {
        "title": survey.title,
        "instructions": survey.instructions,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
    }
    form = SurveyForm(request.POST or None, program=program_obj, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(user=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Survey saved."))
            return redirect(_detail_url(survey))
    return render(
        request,
        "network/surveys/form.html",
        {"program": program_obj, "form": form, "survey": survey},
    )


@require_safe
def survey_detail(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj, survey = _survey(request, program, pk)
    overview = selectors.survey_overview(survey, no_territory=_("No territory"))
    for invitation in overview.pending:
        invitation.link = services.invitation_url(invitation, _base_url(request))  # type: ignore[attr-defined]
    candidates = {n.pk: selectors.match_candidates(n) for n in overview.nominations}
    return render(
        request,
        "network/surveys/detail.html",
        {
            "program": program_obj,
            "survey": survey,
            "overview": overview,
            "nominations": [(n, candidates[n.pk]) for n in overview.nominations],
            "accepting": not services.link_problem(survey),
            "reminder_hours": int(services.REMINDER_INTERVAL.total_seconds() // 3600),
        },
    )


@require_http_methods(["GET", "POST"])
def survey_invitations(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    """Choose the organizations to invite: filter by territory, sector and kind, then tick."""
    program_obj, survey = _survey(request, program, pk)
    filters = InvitationFilterForm(request.GET or None, program=program_obj)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    organizations = list(
        selectors.invitable_organizations(
            program_obj,
            territory=chosen.get("territory"),
            sector=chosen.get("sector", ""),
            kind=chosen.get("kind", ""),
            query=chosen.get("q", ""),
        )
    )
    invited = set(survey.invitations.values_list("organization_id", flat=True))
    submitted = set(
        survey.invitations.filter(submitted_at__isnull=False).values_list(
            "organization_id", flat=True
        )
    )
    if request.method == "POST":
        shown = {a.pk: a for a in organizations}
        ticked = {int(v) for v in request.POST.getlist("organizations") if v.isdigit()}
        if request.POST.get("all"):
            ticked |= set(shown)
        try:
            change = services.survey_set_invitations(
                user=request.user,
                survey=survey,
                add=[shown[i] for i in ticked if i in shown and i not in invited],
                remove=[a for i, a in shown.items() if i in invited and i not in ticked],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            message = _("%(added)s invited, %(removed)s invitations withdrawn.") % {
                "added": change.added,
                "removed": change.removed,
            }
            if change.kept_submitted:
                message += " " + ngettext(
                    "%(count)s organization had already answered and stays invited.",
                    "%(count)s organizations had already answered and stay invited.",
                    change.kept_submitted,
                ) % {"count": change.kept_submitted}
            messages.success(request, message)
        query = request.GET.urlencode()
        url = reverse("network:survey_invitations", args=[program_obj.slug, survey.pk])
        return redirect(f"{url}?{query}" if query else url)
    return render(
        request,
        "network/surveys/invitations.html",
        {
            "program": program_obj,
            "survey": survey,
            "filters": filters,
            "organizations": organizations,
            "invited": invited,
            "submitted": submitted,
            "invited_count": len(invited),
        },
    )


def _survey_action(request: HttpRequest, program: str, pk: int, action: str) -> HttpResponse:
    _program, survey = _survey(request, program, pk)
    try:
        if action == "open":
            services.survey_open(user=request.user, survey=survey, base_url=_base_url(request))
            messages.success(
                request, _("The survey is open: each organization has been sent its link.")
            )
        elif action == "close":
            services.survey_close(user=request.user, survey=survey)
            messages.success(request, _("The survey is closed. Its links no longer work."))
        else:
            result = services.survey_remind(
                user=request.user, survey=survey, base_url=_base_url(request)
            )
            text = ngettext(
                "Reminder sent to %(count)s organization.",
                "Reminders sent to %(count)s organizations.",
                result.sent,
            ) % {"count": result.sent}
            if result.too_recent:
                text += " " + ngettext(
                    "%(count)s was reminded less than a day ago and was skipped.",
                    "%(count)s were reminded less than a day ago and were skipped.",
                    result.too_recent,
                ) % {"count": result.too_recent}
            if result.unreachable:
                text += " " + ngettext(
                    "%(count)s has no e-mail address: send it its link another way.",
                    "%(count)s have no e-mail address: send them their links another way.",
                    result.unreachable,
                ) % {"count": result.unreachable}
            messages.success(request, text)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_detail_url(survey))


@require_POST
def survey_open(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _survey_action(request, program, pk, "open")


@require_POST
def survey_close(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _survey_action(request, program, pk, "close")


@require_POST
def survey_remind(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _survey_action(request, program, pk, "remind")


@require_POST
def nomination_review(request: HttpRequest, program: str, pk: int, nomination: int) -> HttpResponse:
    """Approve a proposed actor, match it to one in the registry, or reject it."""
    _program, survey = _survey(request, program, pk)
    proposed = get_object_or_404(
        SurveyNomination.objects.select_related("invitation"),
        pk=nomination,
        invitation__survey=survey,
    )
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            actor = services.nomination_approve(user=request.user, nomination=proposed)
            messages.success(
                request,
                _("%(name)s was added to the registry and its ties recorded.")
                % {"name": actor.name},
            )
        elif decision == "match":
            form = MatchForm(request.POST)
            actor_obj = (
                Actor.objects.filter(pk=form.cleaned_data["actor"], program=survey.program).first()
                if form.is_valid()
                else None
            )
            if actor_obj is None:
                raise ValidationError(_("Choose the actor of the registry it matches."))
            services.nomination_match(user=request.user, nomination=proposed, actor=actor_obj)
            messages.success(
                request, _("Matched to %(name)s; its ties are recorded.") % {"name": actor_obj.name}
            )
        elif decision == "reject":
            services.nomination_reject(user=request.user, nomination=proposed)
            messages.success(request, _("Proposed actor rejected; no tie was recorded."))
        else:
            raise ValidationError(_("Choose what to do with the proposed actor."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_detail_url(survey) + "#nominations")


@require_safe
def survey_answer(request: HttpRequest, program: str, invitation: int) -> HttpResponse:
    """From the platform: a representative opens their organization's questionnaire."""
    program_obj = program_for_request(request, program, "core.view_program_internal")
    found = get_object_or_404(
        SurveyInvitation.objects.select_related("organization", "survey"),
        pk=invitation,
        survey__program=program_obj,
    )
    require_perm(request, "network.answer_survey", found.organization)
    return redirect(services.invitation_url(found))


# -- the respondent's pages (personal link, no account needed) --------------------------------


def _refusal(request: HttpRequest, error: services.InvalidLink) -> HttpResponse:
    status = 403 if error.reason in (error.FORGED, error.NOT_OPEN) else 410
    return render(
        request, "network/surveys/link_refused.html", {"message": error.message}, status=status
    )


class _Respondent:
    """The invitation behind a personal link, and the URLs of its questionnaire."""

    def __init__(self, token: str, invitation: SurveyInvitation) -> None:
        self.token = token
        self.invitation = invitation
        self.survey = invitation.survey
        self.program = invitation.survey.program

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"network:survey_{name}", args=[self.token, *args])

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "respondent": self,
            "invitation": self.invitation,
            "survey": self.survey,
            "organization": self.invitation.organization,
            "respond_url": self.url("respond"),
            "search_url": self.url("partner_search"),
            "add_url": self.url("answer_add"),
            "propose_url": self.url("propose"),
            "submit_url": self.url("submit"),
            **extra,
        }


def respondent_view(view: Any) -> Any:
    """Resolve the personal link; refuse it clearly when forged, removed or closed."""

    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            invitation = services.invitation_from_token(token)
        except services.InvalidLink as error:
            return _refusal(request, error)
        return view(request, _Respondent(token, invitation), *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _search_context(respondent: _Respondent, query: str) -> dict[str, Any]:
    found, more = selectors.partner_search(respondent.invitation, query)
    answered = set(respondent.invitation.answers.values_list("partner_id", flat=True))
    return {"query": query, "results": found, "more": more, "answered": answered}


@require_safe
@respondent_view
def survey_respond(request: HttpRequest, respondent: _Respondent) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    answers = selectors.response_answers(respondent.invitation)
    context = respondent.context(
        answers=answers,
        changed_since_submit=services.response_changed(respondent.invitation, answers),
        **_search_context(respondent, query),
    )
    return render(request, "network/surveys/respond.html", context)


@require_safe
@respondent_view
def survey_partner_search(request: HttpRequest, respondent: _Respondent) -> HttpResponse:
    """The partner search results (htmx); without htmx, the questionnaire with them."""
    query = request.GET.get("q", "")[:100]
    if not is_htmx(request):
        return redirect(f"{respondent.url('respond')}?{urlencode({'q': query})}#add-partner")
    return render(
        request,
        "network/surveys/respond.html#partner-results",
        respondent.context(**_search_context(respondent, query)),
    )


def _answer_page(
    request: HttpRequest, respondent: _Respondent, form: AnswerForm, **extra: Any
) -> HttpResponse:
    template = "network/surveys/answer.html" + ("#answer-form" if is_htmx(request) else "")
    extra = {"partner": None, "nomination": None, "answer": None, "proposing": False} | extra
    named = extra["partner"] or extra["nomination"]
    extra["partner_name"] = named.name if named is not None else ""
    return render(
        request,
        template,
        respondent.context(form=form, inline=is_htmx(request), **extra),
        status=400 if form.is_bound and form.errors else 200,
    )


def _saved(request: HttpRequest, respondent: _Respondent, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(respondent.url("respond") + "#answers")


@require_http_methods(["GET", "POST"])
@respondent_view
def survey_answer_add(request: HttpRequest, respondent: _Respondent) -> HttpResponse:
    """Rate the tie with a partner chosen from the search."""
    raw = request.POST.get("partner") if request.method == "POST" else request.GET.get("partner")
    partner = None
    if raw and raw.isdigit():
        partner = (
            Actor.objects.filter(pk=int(raw), program=respondent.program)
            .select_related("territory")
            .first()
        )
    existing = (
        SurveyAnswer.objects.filter(invitation=respondent.invitation, partner=partner).first()
        if partner
        else None
    )
    form = AnswerForm(
        request.POST or None, initial=AnswerForm.initial_from(existing) if existing else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            if partner is None:
                raise ValidationError(
                    {"partner": _("Choose an organization of this program from the search.")}
                )
            services.answer_save(
                user=request.user,
                invitation=respondent.invitation,
                partner=partner,
                **form.values(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(
                request, respondent, _("Tie with %(name)s saved.") % {"name": partner.name}
            )
    elif request.method == "GET" and partner is None:
        return redirect(respondent.url("respond") + "#add-partner")
    return _answer_page(
        request,
        respondent,
        form,
        partner=partner,
        action_url=respondent.url("answer_add"),
    )


def _own_answer(respondent: _Respondent, pk: int) -> SurveyAnswer:
    return get_object_or_404(
        SurveyAnswer.objects.select_related("partner__territory", "nomination"),
        pk=pk,
        invitation=respondent.invitation,
    )


@require_http_methods(["GET", "POST"])
@respondent_view
def survey_answer_edit(request: HttpRequest, respondent: _Respondent, pk: int) -> HttpResponse:
    answer = _own_answer(respondent, pk)
    form = AnswerForm(request.POST or None, initial=AnswerForm.initial_from(answer))
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_save(
                user=request.user, invitation=respondent.invitation, answer=answer, **form.values()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            name = answer.partner.name if answer.partner else answer.nomination.name  # type: ignore[union-attr]
            return _saved(request, respondent, _("Tie with %(name)s saved.") % {"name": name})
    return _answer_page(
        request,
        respondent,
        form,
        partner=answer.partner,
        nomination=answer.nomination,
        answer=answer,
        action_url=respondent.url("answer_edit", answer.pk),
    )


@require_POST
@respondent_view
def survey_answer_remove(request: HttpRequest, respondent: _Respondent, pk: int) -> HttpResponse:
    answer = _own_answer(respondent, pk)
    name = answer.partner.name if answer.partner else answer.nomination.name  # type: ignore[union-attr]
    try:
        services.answer_remove(user=request.user, invitation=respondent.invitation, answer=answer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s removed from your partners.") % {"name": name})
    return redirect(respondent.url("respond") + "#answers")


@require_http_methods(["GET", "POST"])
@respondent_view
def survey_propose(request: HttpRequest, respondent: _Respondent) -> HttpResponse:
    """Propose a partner that is not in the registry yet."""
    form = NominationForm(
        request.POST or None,
        program=respondent.program,
        initial={"name": request.GET.get("name", "")[:200]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.nomination_create(
                user=request.user,
                invitation=respondent.invitation,
                name=data["name"],
                kind=data["kind"],
                sector=data["sector"],
                territory=data["territory"],
                **form.values(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(
                request,
                respondent,
                _(
                    "%(name)s saved. The coordination will add it to the registry; your"
                    " answer about it counts from then on."
                )
                % {"name": data["name"]},
            )
    return _answer_page(
        request, respondent, form, proposing=True, action_url=respondent.url("propose")
    )


@require_POST
@respondent_view
def survey_submit(request: HttpRequest, respondent: _Respondent) -> HttpResponse:
    try:
        result = services.survey_submit(user=request.user, invitation=respondent.invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(respondent.url("respond"))
    text = _("Thank you: your answers have been sent.")
    if result.waiting:
        text += " " + ngettext(
            "%(count)s proposed partner will count once the coordination reviews it.",
            "%(count)s proposed partners will count once the coordination reviews them.",
            result.waiting,
        ) % {"count": result.waiting}
    messages.success(request, text)
    return redirect(respondent.url("respond"))
