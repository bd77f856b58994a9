"""Attendance URLs, joined into the learning app's (names are `learning:...`). Verification is
public and outside the program's prefix: a certificate's address does not name its program."""

from django.urls import path

from . import views

P = "p/<slug:program>/learning/"

urlpatterns = [
    path(f"{P}cohorts/<int:pk>/attendance/", views.attendance, name="attendance"),
    path(f"{P}sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path(f"{P}cohorts/<int:pk>/close/", views.cohort_close, name="cohort_close"),
    path(f"{P}enrolments/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path(
        f"{P}enrolments/<int:pk>/certificate/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path(f"{P}people/<int:pk>/record/", views.person_record, name="person_record"),
    path(f"{P}settings/", views.learning_settings, name="settings"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
]
