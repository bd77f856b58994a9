from django.conf import settings
from django.urls import reverse

from config.settings import base


def test_the_interface_defaults_to_spanish_with_catalan_and_english():
    assert base.LANGUAGE_CODE == "es"
    assert [code for code, _name in base.LANGUAGES] == ["es", "ca", "en"]


def test_a_visitor_without_preference_gets_spanish(client, db, settings):
    settings.LANGUAGE_CODE = base.LANGUAGE_CODE
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="es">' in page
    assert "Programas" in page


def test_the_browser_language_and_the_switcher_are_honoured(client, db):
    catalan = client.get(reverse("core:home"), headers={"accept-language": "ca"})
    assert '<html lang="ca">' in catalan.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("core:home"), headers={"accept-language": "ca"})
    assert '<html lang="en">' in english.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME in client.cookies
