# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""Logging in and out, the login lockout, and the password reset and change flows."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.forms import PasswordResetForm
from django.core import mail
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tejido.accounts.tests.factories import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def login(client: Client, email: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def logged_in_as(client: Client):
    return client.session.get(SESSION_KEY)


def test_urls_are_where_the_brief_says():
    assert reverse("accounts:login") == "/accounts/login/"
    assert reverse("accounts:profile") == "/accounts/me/"
    assert reverse("accounts:program_roles", args=["barrios"]) == (
        "/accounts/programs/barrios/roles/"
    )


def test_login_page_has_a_labelled_email_field_and_a_reset_link(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html and 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html
    assert '<label for="id_username"' in html
    assert reverse("accounts:password_reset") in html


def test_login_with_the_email_in_any_case_and_back_to_next(client, user):
    response = client.post(
        LOGIN + "?next=/accounts/me/",
        {"username": "ANA@Example.ORG", "password": PASSWORD, "next": "/accounts/me/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert logged_in_as(client) == str(user.pk)


def test_login_never_redirects_to_another_site(client, user):
    response = client.post(
        LOGIN, {"username": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_a_wrong_password_says_so_and_logs_nobody_in(client, user):
    response = login(client, user.email, "wrong")
    assert response.status_code == 200
    assert logged_in_as(client) is None
    assert 'role="alert"' in response.content.decode()
    assert response.context["form"].non_field_errors()


def test_login_sets_the_language_the_user_chose(client):
    user = UserFactory(preferred_language="ca")
    response = login(client, user.email, PASSWORD)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ca"


def test_an_inactive_account_cannot_log_in(client):
    user = UserFactory(is_active=False)
    login(client, user.email, PASSWORD)
    assert logged_in_as(client) is None


def test_logout_is_a_post(client, user):
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in_as(client) == str(user.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_test_client_login_works_with_axes_given_a_request(client, user):
    # AxesStandaloneBackend refuses to authenticate without a request; tests pass one (or use
    # force_login, which skips authentication altogether).
    assert client.login(request=HttpRequest(), email=user.email, password=PASSWORD)
    assert logged_in_as(client) == str(user.pk)


def test_force_login_works_with_axes(client, user):
    client.force_login(user)
    assert client.get("/accounts/me/").status_code == 200


# Lockout: five failures for one e-mail from one address lock that pair for a while.


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, user):
    for attempt in range(1, 6):
        response = login(client, user.email, f"wrong-{attempt}")
    # The fifth failure already answers with the lockout page.
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert logged_in_as(client) is None
    html = response.content.decode()
    assert reverse("accounts:password_reset") in html
    assert "15" in html  # minutes to wait


def test_lockout_counts_the_email_whatever_its_case(client, user):
    for attempt in range(5):
        login(client, user.email.upper() if attempt % 2 else user.email, "wrong")
    assert login(client, user.email, PASSWORD).status_code == 429


def test_lockout_is_per_email_and_address(client, user):
    other = UserFactory()
    for _attempt in range(5):
        login(client, user.email, "wrong")
    # Another account from the same address, and the same account from elsewhere, still work.
    assert login(client, other.email, PASSWORD).status_code == 302
    client.logout()
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert login(elsewhere, user.email, PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(client, user):
    for _attempt in range(4):
        login(client, user.email, "wrong")
    assert login(client, user.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _attempt in range(4):
        login(client, user.email, "wrong")
    assert login(client, user.email, PASSWORD).status_code == 302
    assert logged_in_as(client) == str(user.pk)


# Password reset by e-mail.


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_full_flow(client, user):
    response = client.get(reverse("accounts:password_reset"))
    assert response.status_code == 200
    response = client.post(reverse("accounts:password_reset"), {"email": "Ana@Example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert client.get(response["Location"]).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "\n" not in message.subject
    link = _reset_link(message)

    response = client.get(link)
    assert response.status_code == 302  # to the same page without the token in the URL
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.status_code == 200 and response.context["validlink"]

    new_password = "un-tejido-nuevo-2025"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert client.get(response["Location"]).status_code == 200

    assert login(Client(), user.email, PASSWORD).status_code == 200  # old one refused
    assert login(Client(), user.email, new_password).status_code == 302
    # The link works once.
    response = client.get(link)
    assert response.status_code == 200 and not response.context["validlink"]


def test_password_reset_does_not_tell_whether_an_account_exists(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nadie@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_mail_is_written_in_the_users_language(client, monkeypatch):
    # The e-mail is rendered with the reader's language active, whatever the page's language.
    seen: list[str | None] = []
    user = UserFactory(preferred_language="en")
    original = PasswordResetForm.send_mail

    def spy(self, *args, **kwargs):
        seen.append(translation.get_language())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PasswordResetForm, "send_mail", spy)
    client.post(
        reverse("accounts:password_reset"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert seen == ["en"]
    assert len(mail.outbox) == 1


def test_a_password_reset_lifts_a_lockout(client, user):
    for _attempt in range(5):
        login(client, user.email, "wrong")
    assert AccessAttempt.objects.filter(username=user.email).exists()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    response = client.get(_reset_link(mail.outbox[0]))
    new_password = "un-tejido-nuevo-2025"
    client.post(
        response["Location"], {"new_password1": new_password, "new_password2": new_password}
    )
    assert not AccessAttempt.objects.filter(username=user.email).exists()
    assert login(client, user.email, new_password).status_code == 302


def test_a_bad_reset_link_explains_and_offers_a_new_one(client):
    response = client.get("/accounts/password/reset/Mg/bad-token/")
    assert response.status_code == 200
    assert not response.context["validlink"]
    assert reverse("accounts:password_reset") in response.content.decode()


# Password change.


def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change(client, user):
    client.force_login(user)
    new_password = "otra-clave-segura-456"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert logged_in_as(client) == str(user.pk)  # still logged in here
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_change_refuses_a_wrong_old_password(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "x-y-z-12345", "new_password2": "x-y-z-12345"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_mails_are_limited_per_address_without_saying_so(client, user):
    url = reverse("accounts:password_reset")
    for _ in range(5):
        response = client.post(url, {"email": user.email.upper()})
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 3  # RESET_LIMITS["email"] in an hour
