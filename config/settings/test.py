"""Tests: SQLite in memory unless DATABASE_URL points elsewhere (CI runs PostgreSQL too)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES

if not os.environ.get("DATABASE_URL"):
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {"NAME": ":memory:"},
        "OPTIONS": {"transaction_mode": "IMMEDIATE"},
    }
# Tests assert on the source (English) strings; the Spanish default is tested explicitly.
LANGUAGE_CODE = "en"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Serve static files from the sources through the finders, as in development: the tests do not
# run collectstatic, and WhiteNoise would otherwise warn about the missing STATIC_ROOT.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
