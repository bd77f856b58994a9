"""Development and demo: console e-mail; debug off unless asked, like production."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DEBUG", "") == "1"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
