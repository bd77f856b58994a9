from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        views.auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("me/", views.profile, name="profile"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("programs/<slug:program>/roles/", views.program_roles, name="program_roles"),
    path(
        "programs/<slug:program>/roles/<int:pk>/revoke/",
        views.program_role_revoke,
        name="program_role_revoke",
    ),
    path(
        "programs/<slug:program>/representatives/<int:pk>/remove/",
        views.program_representative_remove,
        name="program_representative_remove",
    ),
    path(
        "programs/<slug:program>/roles/organizations/",
        views.program_role_organizations,
        name="program_role_organizations",
    ),
]
