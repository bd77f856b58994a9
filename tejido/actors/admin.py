"""Admin for the actor registry.

Programs hold up to hundreds of thousands of actors: every foreign key to Actor is an
autocomplete, never a select, and list pages load their related rows in the same query.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tejido.core.audit import audit_log

from .models import Actor, ActorKind, Membership, Post, Representative, SensitiveData
from .services import (
    actor_search_text,
    person_withdraw_consent,
    representative_add,
    representative_remove,
)

# Autocomplete requests name the field they fill: people for these, organizations for those.
PERSON_FIELDS = {("membership", "person"), ("sensitivedata", "person")}
ORGANIZATION_FIELDS = {
    ("membership", "organization"),
    ("post", "organization"),
    ("representative", "organization"),
}


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "sector", "program", "territory", "created_at")
    list_filter = ("kind", "sector", "stance", "program")
    search_fields = ("name", "legal_form", "email")
    list_select_related = ("program", "territory")
    autocomplete_fields = ("territory", "territories_served", "themes")
    readonly_fields = ("created_by", "created_at", "updated_at")
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving an actor to another program would strand its ties and memberships.
        if obj is not None:
            return (*self.readonly_fields, "program")
        return self.readonly_fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Actor], search_term: str
    ) -> tuple[QuerySet[Actor], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        field = (request.GET.get("model_name", ""), request.GET.get("field_name", ""))
        if field in PERSON_FIELDS:
            queryset = queryset.filter(kind=ActorKind.PERSON)
        elif field in ORGANIZATION_FIELDS:
            queryset = queryset.exclude(kind=ActorKind.PERSON)
        return queryset, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Actor, form: Any, change: bool) -> None:
        # The directory searches `search_text`, which the services keep; so must the admin.
        obj.search_text = actor_search_text(obj)
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_log(
            user=request.user,
            action="actor.update" if change else "actor.create",
            target=obj,
            program=obj.program,
            data={"via": "admin", "fields": sorted(form.changed_data)},
        )


@admin.register(SensitiveData)
class SensitiveDataAdmin(admin.ModelAdmin):
    """Gender and consent: superusers only, read-only; deleting withdraws the consent."""

    list_display = ("person", "gender", "consent_given_at", "consent_recorded_by")
    list_filter = ("gender",)
    search_fields = ("person__name",)
    list_select_related = ("person", "consent_recorded_by")
    fields = ("person", "gender", "consent_given_at", "consent_recorded_by", "consent_text")
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def delete_model(self, request: HttpRequest, obj: SensitiveData) -> None:
        person_withdraw_consent(user=request.user, person=obj.person)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SensitiveData]) -> None:
        for data in queryset.select_related("person__program"):
            person_withdraw_consent(user=request.user, person=data.person)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("label", "organization", "program")
    search_fields = ("label", "organization__name")
    list_select_related = ("organization__program",)
    list_filter = ("organization__program",)
    autocomplete_fields = ("organization",)

    @admin.display(description=_("program"), ordering="organization__program__name")
    def program(self, obj: Post) -> Any:
        return obj.organization.program


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("person", "organization", "post", "role", "start_date", "end_date")

    def clean(self) -> dict[str, Any]:
        # The same rules as membership_create, as field errors instead of a failed save.
        cleaned = super().clean() or {}
        person, organization = cleaned.get("person"), cleaned.get("organization")
        post = cleaned.get("post")
        if person is not None and person.kind != ActorKind.PERSON:
            self.add_error("person", _("Only a person can hold a post."))
        if organization is not None and organization.kind == ActorKind.PERSON:
            self.add_error("organization", _("Posts are held in organizations or groups."))
        if person and organization and person.program_id != organization.program_id:
            self.add_error(None, _("The person and the organization belong to different programs."))
        if (
            post is not None
            and organization is not None
            and post.organization_id != organization.pk
        ):
            self.add_error("post", _("This post belongs to another organization."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("person", "organization", "post", "role", "start_date", "end_date")
    search_fields = ("person__name", "organization__name", "role")
    list_select_related = ("person", "organization", "post")
    list_filter = ("organization__program",)
    autocomplete_fields = ("person", "organization", "post")
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_log(
            user=request.user,
            action="membership.update" if change else "membership.create",
            target=obj,
            program=obj.person.program,
            data={"via": "admin", "fields": sorted(form.changed_data)},
        )


class RepresentativeAdminForm(forms.ModelForm):
    class Meta:
        model = Representative
        fields = ("user", "organization")

    def clean_organization(self) -> Actor:
        organization: Actor = self.cleaned_data["organization"]
        if organization.kind == ActorKind.PERSON:
            raise ValidationError(_("A representative speaks for an organization, not a person."))
        return organization


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    """Adding grants the representative role too; removing the last one revokes it."""

    form = RepresentativeAdminForm
    list_display = ("user", "organization", "program", "created_at")
    search_fields = ("user__email", "user__last_name", "organization__name")
    list_select_related = ("user", "organization__program")
    list_filter = ("organization__program",)
    autocomplete_fields = ("user", "organization")

    @admin.display(description=_("program"), ordering="organization__program__name")
    def program(self, obj: Representative) -> Any:
        return obj.organization.program

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Representative, form: Any, change: bool
    ) -> None:
        representative = representative_add(
            user=obj.user, actor=request.user, organization=obj.organization
        )
        obj.pk = representative.pk

    def delete_model(self, request: HttpRequest, obj: Representative) -> None:
        try:
            representative_remove(user=obj.user, actor=request.user, organization=obj.organization)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Representative]) -> None:
        for representative in queryset.select_related("user", "organization__program"):
            self.delete_model(request, representative)
