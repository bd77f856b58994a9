"""Settings for the benchmarks: production-like (DEBUG off, cached templates), one database
chosen by the runner: a SQLite file under benchmarks/.data/ or PostgreSQL (tejido_bench)."""

import os
from pathlib import Path

import dj_database_url

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATA_DIR = Path(os.environ.get("TEJIDO_BENCH_DATA", BASE_DIR / "benchmarks" / ".data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

if os.environ.get("TEJIDO_BENCH_DATABASE", "sqlite") == "postgresql":
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get(
                "TEJIDO_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/tejido_bench"
            ),
            conn_max_age=600,
        )
    }
else:
    # The same options as the embedded default in config.settings.base.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "bench.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA mmap_size=268435456; PRAGMA cache_size=-64000;"
                ),
            },
        }
    }

# Only the benchmark's own user is created, with a cheap hash.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# The manifest storage needs collectstatic; a URL lookup in it costs the same as this one.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
