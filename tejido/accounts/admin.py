"""Admin for users, program roles and API tokens. Role changes go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import normalize_email
from .models import ApiToken, ProgramRole, User
from .services import api_token_revoke, role_grant, role_revoke


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class UserChangeAdminForm(UserChangeForm):
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As the browser prefers")), *settings.LANGUAGES],
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class ProgramRoleInlineFormSet(BaseInlineFormSet):
    """Grants are written by role_grant/role_revoke (audit trail, last administrator rule)."""

    request_user: Any = None  # set by ProgramRoleInline.get_formset

    def save_new(self, form: Any, commit: bool = True) -> ProgramRole:
        data = form.cleaned_data
        return role_grant(
            actor=self.request_user,
            user=self.instance,
            program=data["program"],
            role=data["role"],
        )

    def delete_existing(self, obj: ProgramRole, commit: bool = True) -> None:
        role_revoke(actor=self.request_user, user=obj.user, program=obj.program, role=obj.role)


class ProgramRoleInline(admin.TabularInline):
    model = ProgramRole
    formset = ProgramRoleInlineFormSet
    fields = ("program", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("program",)
    extra = 0
    verbose_name = _("role in a program")
    verbose_name_plural = _("roles in programs")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A grant is added or revoked, never edited into another one.
        return False

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: Any = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgramRole]:
        return super().get_queryset(request).select_related("program")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "program_roles__role")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    inlines = (ProgramRoleInline,)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else ()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        try:
            super().save_formset(request, form, formset, change)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(ProgramRole)
class ProgramRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "program", "created_at")
    list_filter = ("role", "program")
    search_fields = ("user__email", "user__first_name", "user__last_name", "program__name")
    list_select_related = ("user", "program")
    autocomplete_fields = ("user", "program")
    fields = ("user", "program", "role", "created_at")
    readonly_fields = ("created_at",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ProgramRole, form: Any, change: bool) -> None:
        grant = role_grant(actor=request.user, user=obj.user, program=obj.program, role=obj.role)
        obj.pk = grant.pk

    def delete_model(self, request: HttpRequest, obj: ProgramRole) -> None:
        try:
            role_revoke(actor=request.user, user=obj.user, program=obj.program, role=obj.role)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProgramRole]) -> None:
        for grant in queryset.select_related("user", "program"):
            self.delete_model(request, grant)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners on "my account" (the secret is shown only there)."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoked tokens stay on record, for the audit trail.
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )
