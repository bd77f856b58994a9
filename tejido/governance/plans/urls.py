"""Plan URLs, joined into the governance app's (names are `governance:plan*`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/governance/plans/"
PLAN = f"{P}<int:pk>/"

urlpatterns = [
    path(P, views.plan_list, name="plans"),
    path(f"{P}new/", views.plan_create, name="plan_create"),
    path(PLAN, views.plan_detail, name="plan"),
    path(f"{PLAN}edit/", views.plan_edit, name="plan_edit"),
    path(f"{PLAN}submit/", views.plan_submit, name="plan_submit"),
    path(f"{PLAN}approve/", views.plan_approve, name="plan_approve"),
    path(f"{PLAN}defer/", views.plan_defer, name="plan_defer"),
    path(f"{PLAN}objectives/new/", views.objective_add, name="plan_objective_add"),
    path(f"{PLAN}objectives/<int:item>/edit/", views.objective_edit, name="plan_objective_edit"),
    path(
        f"{PLAN}objectives/<int:item>/remove/",
        views.objective_remove,
        name="plan_objective_remove",
    ),
    path(f"{PLAN}objectives/<int:item>/move/", views.objective_move, name="plan_objective_move"),
    path(f"{PLAN}objectives/<int:item>/lines/new/", views.line_add, name="plan_line_add"),
    path(f"{PLAN}lines/<int:item>/edit/", views.line_edit, name="plan_line_edit"),
    path(f"{PLAN}lines/<int:item>/remove/", views.line_remove, name="plan_line_remove"),
    path(f"{PLAN}lines/<int:item>/move/", views.line_move, name="plan_line_move"),
    path(f"{PLAN}lines/<int:item>/actions/new/", views.action_add, name="plan_action_add"),
    path(f"{PLAN}actions/<int:item>/edit/", views.action_edit, name="plan_action_edit"),
    path(f"{PLAN}actions/<int:item>/remove/", views.action_remove, name="plan_action_remove"),
    path(f"{PLAN}actions/<int:item>/move/", views.action_move, name="plan_action_move"),
    path(
        f"{PLAN}actions/<int:item>/progress/",
        views.action_progress,
        name="plan_action_progress",
    ),
]
