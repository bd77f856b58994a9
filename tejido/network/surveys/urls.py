"""Survey URLs, appended to the network app's (names are `network:survey_*`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:program>/surveys/", views.survey_list, name="survey_list"),
    path("p/<slug:program>/surveys/new/", views.survey_create, name="survey_create"),
    path("p/<slug:program>/surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("p/<slug:program>/surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path(
        "p/<slug:program>/surveys/<int:pk>/invitations/",
        views.survey_invitations,
        name="survey_invitations",
    ),
    path("p/<slug:program>/surveys/<int:pk>/open/", views.survey_open, name="survey_open"),
    path("p/<slug:program>/surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("p/<slug:program>/surveys/<int:pk>/remind/", views.survey_remind, name="survey_remind"),
    path(
        "p/<slug:program>/surveys/<int:pk>/proposed/<int:nomination>/",
        views.nomination_review,
        name="survey_nomination_review",
    ),
    path(
        "p/<slug:program>/surveys/answer/<int:invitation>/",
        views.survey_answer,
        name="survey_answer",
    ),
    # The personal link: the signed token is the only credential.
    path("s/<str:token>/", views.survey_respond, name="survey_respond"),
    path("s/<str:token>/search/", views.survey_partner_search, name="survey_partner_search"),
    path("s/<str:token>/partner/", views.survey_answer_add, name="survey_answer_add"),
    path("s/<str:token>/answers/<int:pk>/", views.survey_answer_edit, name="survey_answer_edit"),
    path(
        "s/<str:token>/answers/<int:pk>/remove/",
        views.survey_answer_remove,
        name="survey_answer_remove",
    ),
    path("s/<str:token>/propose/", views.survey_propose, name="survey_propose"),
    path("s/<str:token>/submit/", views.survey_submit, name="survey_submit"),
]
