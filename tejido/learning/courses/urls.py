"""Training URLs, joined into the learning app's (names are `learning:...`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/learning/"

urlpatterns = [
    path(P, views.hub, name="hub"),
    path(P + "courses/", views.courses, name="courses"),
    path(P + "courses/new/", views.course_create, name="course_create"),
    path(P + "courses/<int:pk>/", views.course, name="course"),
    path(P + "courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path(P + "courses/<int:pk>/modules/add/", views.module_add, name="module_add"),
    path(P + "modules/<int:pk>/edit/", views.module_edit, name="module_edit"),
    path(P + "modules/<int:pk>/remove/", views.module_remove, name="module_remove"),
    path(P + "modules/<int:pk>/move/", views.module_move, name="module_move"),
    path(P + "competencies/", views.competencies, name="competencies"),
    path(P + "competencies/<int:pk>/edit/", views.competency_edit, name="competency_edit"),
    path(P + "courses/<int:pk>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path(P + "cohorts/<int:pk>/", views.cohort, name="cohort"),
    path(P + "cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path(P + "cohorts/<int:pk>/sessions/add/", views.session_add, name="session_add"),
    path(P + "sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path(P + "sessions/<int:pk>/remove/", views.session_remove, name="session_remove"),
    path(P + "cohorts/<int:pk>/enrol/", views.enrol, name="enrol"),
    path(P + "enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path(P + "cohorts/<int:pk>/calendar.ics", views.cohort_ics, name="cohort_ics"),
    path(P + "calendar/", views.calendar, name="calendar"),
    path(P + "calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
