"""Territory selection URLs, joined into the governance app's (names are `governance:*`)."""

from django.urls import path

from . import views

BASE = "p/<slug:program>/governance/selection/"

urlpatterns = [
    path(BASE, views.scorecard_list, name="scorecards"),
    path(f"{BASE}new/", views.scorecard_create, name="scorecard_create"),
    path(f"{BASE}<int:pk>/", views.scorecard_detail, name="scorecard"),
    path(f"{BASE}<int:pk>/edit/", views.scorecard_edit, name="scorecard_edit"),
    path(f"{BASE}<int:pk>/criteria/", views.scorecard_criteria, name="scorecard_criteria"),
    path(
        f"{BASE}<int:pk>/criteria/<int:criterion>/remove/",
        views.scorecard_criterion_remove,
        name="scorecard_criterion_remove",
    ),
    path(f"{BASE}<int:pk>/weights/", views.scorecard_weights, name="scorecard_weights"),
    path(f"{BASE}<int:pk>/values/", views.scorecard_values, name="scorecard_values"),
    path(f"{BASE}<int:pk>/import/", views.scorecard_import, name="scorecard_import"),
    path(f"{BASE}<int:pk>/template.csv", views.scorecard_template, name="scorecard_template"),
    path(
        f"{BASE}<int:pk>/organizations/",
        views.scorecard_organizations,
        name="scorecard_organizations",
    ),
    path(f"{BASE}<int:pk>/decide/", views.scorecard_decide, name="scorecard_decide"),
]
