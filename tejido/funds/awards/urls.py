"""Awards URLs, joined into the funds app's (names are `funds:...`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/funds/"
AWARD = f"{P}awards/<int:pk>/"

urlpatterns = [
    path(f"{P}calls/<int:pk>/awards/", views.awards_dashboard, name="awards_dashboard"),
    path(AWARD, views.award_detail, name="award"),
    path(f"{AWARD}letter.pdf", views.award_letter, name="award_letter"),
    path(f"{AWARD}dates/", views.award_dates, name="award_dates"),
    path(f"{AWARD}payments/", views.award_schedule, name="award_schedule"),
    path(f"{AWARD}payments/<int:item>/paid/", views.disbursement_paid, name="disbursement_paid"),
    path(f"{AWARD}milestones/new/", views.milestone_add, name="milestone_add"),
    path(f"{AWARD}milestones/<int:item>/edit/", views.milestone_edit, name="milestone_edit"),
    path(f"{AWARD}milestones/<int:item>/reached/", views.milestone_reach, name="milestone_reach"),
    path(f"{AWARD}milestones/<int:item>/remove/", views.milestone_remove, name="milestone_remove"),
    path(f"{AWARD}expenses/new/", views.expense_add, name="expense_add"),
    path(f"{AWARD}expenses/<int:item>/review/", views.expense_review, name="expense_review"),
    path(f"{AWARD}expenses/<int:item>/receipt/", views.award_receipt, name="award_receipt"),
    path(f"{AWARD}final-report/", views.final_report, name="final_report"),
    path(f"{AWARD}final-report/accept/", views.final_report_accept, name="final_report_accept"),
]
