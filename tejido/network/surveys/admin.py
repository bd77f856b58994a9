"""Admin views of the network surveys, read-only.

Opening, reminding, submitting and reviewing go through the survey pages and services, which
check the rules, write the ties and keep the audit trail: the admin only lets staff look.
"""

from __future__ import annotations

from django.contrib import admin

from ..analytics.admin import ReadOnlyAdmin
from ..models import Survey, SurveyAnswer, SurveyInvitation, SurveyNomination


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "program", "cycle", "status", "opens_on", "closes_on")
    list_filter = ("status", "program")
    list_select_related = ("program", "cycle")
    search_fields = ("title",)


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "organization",
        "survey",
        "started_at",
        "submitted_at",
        "reminders_sent",
        "last_reminded_at",
    )
    list_filter = ("survey__status", "survey__program")
    list_select_related = ("organization", "survey")
    search_fields = ("organization__name", "survey__title")


@admin.register(SurveyNomination)
class SurveyNominationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "sector", "status", "invitation", "created_at")
    list_filter = ("status", "kind", "sector")
    list_select_related = ("invitation",)
    search_fields = ("name",)


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(ReadOnlyAdmin):
    list_display = ("invitation", "partner", "nomination", "tie_type", "intensity", "updated_at")
    list_filter = ("tie_type", "intensity")
    list_select_related = ("invitation", "partner", "nomination")
    search_fields = ("partner__name", "nomination__name")
