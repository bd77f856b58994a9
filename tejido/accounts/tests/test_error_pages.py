# mypy: disable-error-code="arg-type,attr-defined,misc,operator"
# (factory_boy types a factory call as the factory, not the model it creates)
"""Our 403, 404, 500 and CSRF failure pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_404_is_our_page_and_offers_the_way_back(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'class="card error-page"' in html and "<h1" in html
    assert "/accounts/login/?next=/no-such-page/" in html


def test_500_renders_without_a_request_context_or_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = defaults.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>" in html and "<html lang=" in html
    # Plain: no stylesheet or script that could itself fail to load.
    assert "<link" not in html and "<script" not in html


def test_403_is_our_page(client, user):
    request = RequestFactory().get("/")
    request.user = user
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert 'class="card error-page"' in response.content.decode()


def test_csrf_failure_explains_the_expired_form(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": user.email, "password": "x"})
    assert response.status_code == 403
    assert 'class="card error-page"' in response.content.decode()
