"""Admin views of the analytics: computations, snapshots and suggestions, read-only.

Snapshots and indicators are history (never overwritten) and suggestions are decided on the
pages, where the decision is audited: the admin only lets staff look and find.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..models import ActorMetrics, AnalysisRun, NetworkSnapshot, Opportunity


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AnalysisRun)
class AnalysisRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "program", "cycle", "status", "progress", "step", "requested_at")
    list_filter = ("status", "program")
    list_select_related = ("program", "cycle")


@admin.register(NetworkSnapshot)
class NetworkSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("id", "program", "cycle", "as_of", "actor_count", "tie_count", "computed_at")
    list_filter = ("program",)
    list_select_related = ("program", "cycle")
    exclude = ("summary",)


@admin.register(ActorMetrics)
class ActorMetricsAdmin(ReadOnlyAdmin):
    list_display = ("actor", "snapshot", "degree", "betweenness", "community", "is_critical")
    list_select_related = ("actor", "snapshot")
    search_fields = ("actor__name",)
    raw_id_fields = ("actor", "snapshot")


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdmin):
    list_display = ("id", "actor_a", "actor_b", "kind", "score", "status", "decided_at")
    list_filter = ("status", "kind", "program")
    list_select_related = ("actor_a", "actor_b")
    search_fields = ("actor_a__name", "actor_b__name")
    raw_id_fields = ("actor_a", "actor_b", "snapshot", "tie")
