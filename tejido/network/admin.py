"""Admin for ties. A tie is never overwritten, here either.

Saving a current tie writes a new version through tie_update; replaced versions are history and
read-only; nothing is added or deleted from here (ties are recorded on the pages, the API and
imports, which order undirected ends and pick the cycle).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from .models import Tie
from .services import VERSIONED_FIELDS, tie_history, tie_update

EDITABLE_FIELDS = (*VERSIONED_FIELDS, "provenance")


class VersionFilter(admin.SimpleListFilter):
    title = _("version")
    parameter_name = "version"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("current", _("Current")), ("replaced", _("Replaced"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tie]) -> QuerySet[Tie]:
        if self.value() == "current":
            return queryset.filter(superseded_at__isnull=True)
        if self.value() == "replaced":
            return queryset.filter(superseded_at__isnull=False)
        return queryset


@admin.register(Tie)
class TieAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "source",
        "tie_type",
        "target",
        "intensity",
        "directed",
        "started_on",
        "ended_on",
        "is_current",
        "recorded_at",
    )
    list_filter = (VersionFilter, "tie_type", "intensity", "provenance", "directed", "program")
    search_fields = ("source__name", "target__name", "note")
    list_select_related = ("source", "target")
    autocomplete_fields = ("source", "target")
    show_full_result_count = False
    list_per_page = 50
    fields = (
        "program",
        "source",
        "target",
        "tie_type",
        "directed",
        "intensity",
        "trust",
        "value",
        "started_on",
        "ended_on",
        "provenance",
        "cycle",
        "note",
        "recorded_at",
        "recorded_by",
        "superseded_at",
        "versions",
    )

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, obj: Tie) -> bool:
        return obj.superseded_at is None

    @admin.display(description=_("versions"))
    def versions(self, obj: Tie) -> str:
        rows = [
            (
                reverse("admin:network_tie_change", args=[version.pk]),
                date_format(localtime(version.recorded_at), "SHORT_DATETIME_FORMAT"),
                version.get_intensity_display(),
                "←" if version.pk == obj.pk else "",
            )
            for version in tie_history(obj)
        ]
        return format_html(
            "<ol>{}</ol>", format_html_join("", '<li><a href="{}">{}</a> · {} {}</li>', rows)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or obj.superseded_at is not None:
            return self.fields
        return tuple(f for f in self.fields if f not in EDITABLE_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # History is read-only: only the current version of a tie can be changed.
        if obj is not None and obj.superseded_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Tie, form: Any, change: bool) -> None:
        changes = {
            field: getattr(obj, field) for field in form.changed_data if field in VERSIONED_FIELDS
        }
        provenance = obj.provenance if "provenance" in form.changed_data else None
        try:
            new = tie_update(user=request.user, tie=obj, provenance=provenance, **changes)
        except ValidationError as error:
            obj._tejido_error = " ".join(error.messages)  # type: ignore[attr-defined]
            return
        obj._tejido_new_version = new  # type: ignore[attr-defined]

    def response_change(self, request: HttpRequest, obj: Tie) -> HttpResponse:
        error = getattr(obj, "_tejido_error", None)
        if error:
            self.message_user(request, error, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:network_tie_change", args=[obj.pk]))
        new = getattr(obj, "_tejido_new_version", None)
        if new is not None and new.pk != obj.pk:
            self.message_user(
                request,
                _("A new version of the tie was recorded; the previous one is kept as history."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:network_tie_change", args=[new.pk]))
        return super().response_change(request, obj)


# The analytics' models (computations, snapshots, suggestions) are registered in their package.
from .analytics import admin as _analytics_admin  # noqa: E402, F401

# The surveys' models are registered in their package.
from .surveys import admin as _surveys_admin  # noqa: E402, F401
