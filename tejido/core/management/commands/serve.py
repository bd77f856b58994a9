"""`tejido serve`: collect the static files, then become a gunicorn server.

Production grade on a small machine: gthread workers (processes × threads, so a slow request
does not block the others and SQLite readers work in parallel under WAL), static files served
by whitenoise from the hashed, compressed manifest, access log on stdout, graceful restarts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 4
# Seconds a worker may spend on one request before it is restarted, and the time running
# requests get to finish on a restart or shutdown.
TIMEOUT = 60
GRACEFUL_TIMEOUT = 30


def default_workers(cpu_count: int | None = None) -> int:
    """One process per core plus one, at least two: with four threads each, a 2-core machine
    serves twelve requests at once while one worker restarts."""
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return max(2, min(cores + 1, 9))


def gunicorn_argv(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    threads: int = DEFAULT_THREADS,
    settings_module: str | None = None,
) -> list[str]:
    """The command line that runs gunicorn with the project's WSGI application."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--name",
        "tejido",
        "--chdir",
        str(settings.BASE_DIR),
        "--bind",
        bind,
        "--worker-class",
        "gthread",
        "--workers",
        str(workers or default_workers()),
        "--threads",
        str(threads),
        "--timeout",
        str(TIMEOUT),
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT),
        "--keep-alive",
        "5",
        # Recycle workers now and then so that a slow leak never grows unbounded; the jitter
        # keeps them from restarting all at once.
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # No gunicornc control socket: it would be one path per user, shared between servers.
        "--no-control-socket",
        "--env",
        f"DJANGO_SETTINGS_MODULE={settings_module or _settings_module()}",
    ]
    if Path("/dev/shm").is_dir():
        # Worker heartbeats go to a temporary file; on a RAM disk they never wait for the disk.
        argv += ["--worker-tmp-dir", "/dev/shm"]
    return argv


class Command(BaseCommand):
    help = _(
        "Serve Tejido with gunicorn and whitenoise: collects the static files first, then "
        "runs a production-grade server (works with DEBUG off)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help=_("Address to listen on (0.0.0.0 for every interface)."),
        )
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=_("Port to listen on."))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_("Worker processes (default: number of cores plus one, at least two)."),
        )
        parser.add_argument(
            "--threads", type=int, default=DEFAULT_THREADS, help=_("Threads per worker.")
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help=_("Do not collect the static files first."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError(_("There must be at least one worker."))
        if options["threads"] < 1:
            raise CommandError(_("There must be at least one thread per worker."))
        call_command("check", deploy=False, verbosity=0)
        if not options["no_collectstatic"]:
            bundle = Path(settings.BASE_DIR) / "tejido" / "static" / "dist" / "app.js"
            if not bundle.exists():
                self.stderr.write(
                    _("The front-end bundle is missing: run `npm ci && npm run build` first.")
                )
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
        )
        self.stdout.write(
            _("Serving Tejido on http://%(host)s:%(port)s/ (press Ctrl+C to stop).")
            % {"host": options["host"], "port": options["port"]}
        )
        self.stdout.flush()
        sys.stderr.flush()
        # gunicorn replaces this process: signals (Ctrl+C, SIGTERM from a supervisor) reach
        # the server directly, and no idle Django process stays behind.
        connections.close_all()
        os.execv(argv[0], argv)


def _settings_module() -> str:
    return os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")
