"""Views of the accounts app: logging in, the user's own account, and program roles."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tejido.actors.models import Representative
from tejido.actors.services import (
    representative_add,
    representative_remove,
    representative_role_revoke,
)
from tejido.core.http import is_htmx, program_for_request

from .forms import (
    ORGANIZATION_CHOICES_LIMIT,
    ApiTokenForm,
    LocalizedPasswordResetForm,
    LoginForm,
    ProfileForm,
    RoleGrantForm,
)
from .models import ApiToken, ProgramRole, Role
from .selectors import (
    active_tokens_of_user,
    memberships_of_user,
    program_role_holders,
    representations_for,
)
from .services import (
    api_token_create,
    api_token_revoke,
    role_grant,
    role_revoke,
    user_profile_update,
)

ROLE_HOLDERS_PER_PAGE = 50


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# Logging in and out, and passwords: Django's views with our forms, templates and URL names.


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        # The language chosen on "my account" follows the person to any device they log in on.
        language = form.get_user().preferred_language
        if language:
            _set_language_cookie(response, language)
        return response


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


# Reset e-mails per hour: for one address, and from one network address.
RESET_LIMITS = {"email": 3, "ip": 10}
RESET_WINDOW_SECONDS = 3600


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count a reset request; False once the address or the sender asked too often this hour.

    The page answers the same either way, so a refusal reveals nothing about the account.
    """
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    keys = {
        "email": f"password-reset:email:{digest}",
        "ip": f"password-reset:ip:{request.META.get('REMOTE_ADDR', '')}",
    }
    if any((cache.get(key) or 0) >= RESET_LIMITS[kind] for kind, key in keys.items()):
        return False
    for key in keys.values():
        if not cache.add(key, 1, RESET_WINDOW_SECONDS):
            cache.incr(key)
    return True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalizedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        if not password_reset_allowed(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever can read the mailbox is the owner: lift a login lockout on the account so
        # they can use the new password right away.
        if self.user is not None:
            axes_reset(username=self.user.email)
        return response


# "My account": name, language, roles and API tokens.


def _profile_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "memberships": memberships_of_user(user),  # type: ignore[arg-type]
        "tokens": active_tokens_of_user(user),  # type: ignore[arg-type]
        "profile_form": ProfileForm(
            initial={
                "first_name": user.first_name,  # type: ignore[union-attr]
                "last_name": user.last_name,  # type: ignore[union-attr]
                "preferred_language": user.preferred_language,  # type: ignore[union-attr]
            }
        ),
        "token_form": ApiTokenForm(user=user),  # type: ignore[arg-type]
        "new_token": None,
        "new_secret": None,
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                user_profile_update(
                    user=request.user,  # type: ignore[arg-type]
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    preferred_language=form.cleaned_data["preferred_language"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                language = form.cleaned_data["preferred_language"]
                if language:
                    translation.activate(language)
                messages.success(request, _("Your details have been saved."))
                response = redirect("accounts:profile")
                if language:
                    _set_language_cookie(response, language)
                return response
        return render(
            request, "accounts/profile.html", _profile_context(request, profile_form=form)
        )
    return render(request, "accounts/profile.html", _profile_context(request))


def _tokens_response(request: HttpRequest, **extra: Any) -> HttpResponse:
    template = "accounts/profile.html#tokens" if is_htmx(request) else "accounts/profile.html"
    response = render(request, template, _profile_context(request, **extra))
    # The page may carry a token's secret: no cache, no history copy, ever.
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST, user=request.user)  # type: ignore[arg-type]
    if not form.is_valid():
        return _tokens_response(request, token_form=form)
    token, secret = api_token_create(
        user=request.user,  # type: ignore[arg-type]
        name=form.cleaned_data["name"],
    )
    # Rendered in the response, never redirected to: the secret must not be stored anywhere,
    # not even for the moment of a redirect.
    return _tokens_response(request, new_token=token, new_secret=secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
    message = _("The token “%(name)s” has been revoked.") % {"name": token.name}
    if is_htmx(request):
        return _tokens_response(request, token_message=message)
    messages.success(request, message)
    return redirect("accounts:profile")


# Program roles, for the program's administrators.


def _list_state(request: HttpRequest) -> dict[str, str]:
    """The role filter and page of the list, from the URL or, after an action, from the form."""
    source = request.POST if request.method == "POST" else request.GET
    role = source.get("role_filter", "") if request.method == "POST" else source.get("role", "")
    page = source.get("page", "")
    return {
        "role": role if role in Role.values else "",
        "page": page if page.isdigit() else "",
    }


def _roles_context(
    request: HttpRequest, program: Any, form: RoleGrantForm | None = None, **extra: Any
) -> dict[str, Any]:
    state = _list_state(request)
    role_filter = state["role"]
    paginator = Paginator(program_role_holders(program, role_filter), ROLE_HOLDERS_PER_PAGE)
    page = paginator.get_page(state["page"] or 1)
    grants = list(page.object_list)
    representations = representations_for(program, [g.user_id for g in grants])
    rows = [
        {
            "grant": grant,
            "organizations": representations.get(grant.user_id, [])
            if grant.role == Role.ORGANIZATION_REPRESENTATIVE
            else [],
        }
        for grant in grants
    ]
    context = {
        "program": program,
        "form": form or RoleGrantForm(program=program),
        "rows": rows,
        "page_obj": page,
        "role_filter": role_filter,
        "role_choices": Role.choices,
    }
    context.update(extra)
    return context


def _roles_response(request: HttpRequest, program: Any, **context: Any) -> HttpResponse:
    template = (
        "accounts/program_roles.html#roles-panel"
        if is_htmx(request)
        else "accounts/program_roles.html"
    )
    return render(request, template, _roles_context(request, program, **context))


def _after_roles_change(request: HttpRequest, program: Any, message: str) -> HttpResponse:
    """htmx gets the refreshed panel with the message; a plain form post is redirected."""
    if is_htmx(request):
        return _roles_response(request, program, notice=message)
    messages.success(request, message)
    return _back_to_list(request, program)


def _back_to_list(request: HttpRequest, program: Any) -> HttpResponse:
    url = reverse("accounts:program_roles", args=[program.slug])
    query = urlencode({k: v for k, v in _list_state(request).items() if v})
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _refuse(request: HttpRequest, program: Any, message: str) -> HttpResponse:
    if is_htmx(request):
        return _roles_response(request, program, problem=message)
    messages.error(request, message)
    return _back_to_list(request, program)


@require_http_methods(["GET", "POST"])
def program_roles(request: HttpRequest, program: str) -> HttpResponse:
    program_obj = program_for_request(request, program, "core.manage_roles")
    if request.method != "POST":
        return _roles_response(request, program_obj)
    form = RoleGrantForm(request.POST, program=program_obj)
    if not form.is_valid():
        return _roles_response(request, program_obj, form=form)
    user, role = form.user, form.cleaned_data["role"]
    assert user is not None
    try:
        if role == Role.ORGANIZATION_REPRESENTATIVE:
            assert form.organization_obj is not None
            representative_add(user=user, actor=request.user, organization=form.organization_obj)
            message = _("%(person)s now represents %(organization)s.") % {
                "person": user,
                "organization": form.organization_obj.name,
            }
        else:
            role_grant(actor=request.user, user=user, program=program_obj, role=role)
            message = _("Role “%(role)s” granted to %(person)s.") % {
                "person": user,
                "role": Role(role).label,
            }
    except ValidationError as error:
        form.add_error(None, error)
        return _roles_response(request, program_obj, form=form)
    return _after_roles_change(request, program_obj, message)


@require_POST
def program_role_revoke(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj = program_for_request(request, program, "core.manage_roles")
    grant = get_object_or_404(
        ProgramRole.objects.select_related("user"), pk=pk, program=program_obj
    )
    try:
        if grant.role == Role.ORGANIZATION_REPRESENTATIVE:
            representative_role_revoke(user=grant.user, actor=request.user, program=program_obj)
        else:
            role_revoke(actor=request.user, user=grant.user, program=program_obj, role=grant.role)
    except ValidationError as error:
        return _refuse(request, program_obj, " ".join(error.messages))
    message = _("Role “%(role)s” revoked from %(person)s.") % {
        "person": grant.user,
        "role": grant.get_role_display(),
    }
    return _after_roles_change(request, program_obj, message)


@require_POST
def program_representative_remove(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    program_obj = program_for_request(request, program, "core.manage_roles")
    representative = get_object_or_404(
        Representative.objects.select_related("user", "organization"),
        pk=pk,
        organization__program=program_obj,
    )
    representative_remove(
        user=representative.user, actor=request.user, organization=representative.organization
    )
    message = _("%(person)s no longer represents %(organization)s.") % {
        "person": representative.user,
        "organization": representative.organization.name,
    }
    return _after_roles_change(request, program_obj, message)


@require_GET
def program_role_organizations(request: HttpRequest, program: str) -> HttpResponse:
    """The organizations matching what the administrator typed, as choices (htmx)."""
    program_obj = program_for_request(request, program, "core.manage_roles")
    form = RoleGrantForm(program=program_obj)
    query = request.GET.get("organization_query", "")
    form.set_organization_choices(form.search_organizations(query)[:ORGANIZATION_CHOICES_LIMIT])
    return render(
        request,
        "accounts/program_roles.html#organization-choices",
        {"form": form, "program": program_obj, "query": query.strip()},
    )
