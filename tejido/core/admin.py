"""Admin for programs, cycles, territories, themes and the (read-only) audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .audit import audit_log
from .models import AuditEntry, Cycle, Program, Territory, Theme

admin.site.site_header = _("Tejido administration")
admin.site.site_title = _("Tejido administration")
admin.site.index_title = _("Platform data")


class CycleInline(admin.TabularInline):
    model = Cycle
    fields = ("number", "name", "starts_on", "ends_on")
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_public", "created_at")
    list_filter = ("is_public",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("territories",)
    inlines = (CycleInline,)

    def save_model(self, request: HttpRequest, obj: Program, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_log(
            user=request.user,
            action="program.update" if change else "program.create",
            target=obj,
            program=obj,
            data={"via": "admin", "fields": sorted(form.changed_data)},
        )


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "program", "number", "starts_on", "ends_on")
    list_filter = ("program",)
    search_fields = ("name", "program__name")
    list_select_related = ("program",)
    ordering = ("program__name", "number")


class TerritoryAdminForm(forms.ModelForm):
    class Meta:
        model = Territory
        fields = (
            "name",
            "slug",
            "level",
            "parent",
            "code",
            "latitude",
            "longitude",
            "description",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parent, level = cleaned.get("parent"), cleaned.get("level")
        if parent is not None and level is not None and parent.level >= level:
            self.add_error(
                "parent", _("A territory must be part of a territory of a higher level.")
            )
        moved_inside_itself = (
            self.instance.pk is not None
            and parent is not None
            and parent.path.startswith(self.instance.path)
        )
        if moved_inside_itself:
            self.add_error("parent", _("A territory cannot be part of itself."))
        children_outranked = (
            self.instance.pk is not None
            and level is not None
            and Territory.objects.filter(parent=self.instance, level__lte=level).exists()
        )
        if children_outranked:
            self.add_error(
                "level", _("Some parts of this territory would no longer be of a lower level.")
            )
        return cleaned


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    form = TerritoryAdminForm
    list_display = ("name", "level", "parent", "code", "slug")
    list_filter = ("level",)
    search_fields = ("name", "code", "slug")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Territory, form: Any, change: bool) -> None:
        # The materialized path of the territory and of its whole subtree follows the parent.
        parent_path = obj.parent.path if obj.parent else "/"
        if not change:
            obj.path = "/"
            obj.save()
            obj.path = f"{parent_path}{obj.pk}/"
            obj.save(update_fields=["path"])
            return
        old_path = Territory.objects.values_list("path", flat=True).get(pk=obj.pk)
        obj.path = f"{parent_path}{obj.pk}/"
        obj.save()
        if obj.path != old_path:
            Territory.objects.filter(path__startswith=old_path).exclude(pk=obj.pk).update(
                path=Concat(Value(obj.path), Substr("path", len(old_path) + 1))
            )


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "transition", "slug")
    list_filter = ("transition",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is append-only: nobody edits or deletes it, not even here."""

    list_display = ("at", "action", "target_type", "target_id", "user", "program")
    list_filter = ("action", "target_type", "program", "at")
    search_fields = ("action", "target_type", "target_id", "user__email")
    list_select_related = ("user", "program")
    show_full_result_count = False
    fields = ("at", "user", "action", "target_type", "target_id", "program", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
