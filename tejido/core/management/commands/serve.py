"""`tejido serve`: collect the static files, then run a gunicorn server and a task worker.

Production grade on a small machine: gthread workers (processes × threads, so a slow request
does not block the others and SQLite readers work in parallel under WAL), static files served
by whitenoise from the hashed, compressed manifest, access log on stdout, graceful restarts.

Background work (the network analytics) is queued in the database; unless `--no-worker` is
given, this command also runs one task worker (`tejido db_worker`) as a child process, restarts
it if it dies, and stops it when the server stops. Larger installations run `tejido db_worker`
on their own, as many as they need, and serve with `--no-worker`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
# The task worker starts this long after the server (seconds), so that both do not boot at once
# on a small machine, and a worker that dies is started again at most this often.
WORKER_START_DELAY = 5.0
WORKER_RESTART_DELAY = 5.0
# Background work yields the processor to the web server (a higher nice value, lower priority).
WORKER_NICENESS = 10


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


def worker_argv(*, settings_module: str | None = None) -> list[str]:
    """The command line of the background task worker (django-tasks-db's `db_worker`)."""
    return [
        sys.executable,
        "-m",
        "tejido.cli",
        "db_worker",
        "--queue-name",
        "*",
        "--no-reload",
        "--settings",
        settings_module or _settings_module(),
    ]


def supervise(server_argv: list[str], task_worker_argv: list[str], *, log: Any = None) -> int:
    """Run the web server and a task worker side by side until the server stops.

    Stop signals (Ctrl+C, SIGTERM from a supervisor) and SIGHUP (reload) are passed on to the
    server; when it has stopped, the worker is asked to finish its current task and stop.
    Returns the server's exit code.
    """
    server = subprocess.Popen(server_argv)
    server_started = time.monotonic()
    worker: subprocess.Popen[Any] | None = None
    worker_started = 0.0
    stopping = False

    def forward(signum: int, _frame: Any) -> None:
        nonlocal stopping
        if signum != signal.SIGHUP:
            stopping = True
        if server.poll() is None:
            server.send_signal(signum)

    previous = {
        signum: signal.signal(signum, forward)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        while True:
            try:
                code = server.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if stopping:
                continue
            if worker is None:
                if now - server_started >= WORKER_START_DELAY:
                    worker, worker_started = _start_worker(task_worker_argv), now
            elif worker.poll() is not None and now - worker_started >= WORKER_RESTART_DELAY:
                if log is not None:
                    log(
                        _("The task worker stopped (code %(code)s); starting it again.")
                        % {"code": worker.returncode}
                    )
                worker, worker_started = _start_worker(task_worker_argv), now
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if worker is not None:
            stop_process(worker)
        if server.poll() is None:  # an exception above: do not leave the server behind
            stop_process(server)
    return code


def _start_worker(argv: list[str]) -> subprocess.Popen[Any]:
    # A fork-time hook is safe here: this supervising process runs no threads.
    return subprocess.Popen(argv, preexec_fn=_lower_priority)


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


def stop_process(process: subprocess.Popen[Any]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=GRACEFUL_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Command(BaseCommand):
    help = _(
        "Serve Tejido with gunicorn and whitenoise: collects the static files first, then "
        "runs a production-grade server (works with DEBUG off) and a background task worker "
        "that computes the network analytics (stopped with the server; see --no-worker)."
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
            "--no-worker",
            action="store_true",
            help=_(
                "Do not run a background task worker alongside the server (run `tejido "
                "db_worker` separately instead)."
            ),
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
        connections.close_all()
        if options["no_worker"]:
            # gunicorn replaces this process: signals (Ctrl+C, SIGTERM from a supervisor)
            # reach the server directly, and no idle Django process stays behind.
            os.execv(argv[0], argv)
        self.stdout.write(_("A background task worker runs alongside the server."))
        self.stdout.flush()
        code = supervise(argv, worker_argv(), log=self.stderr.write)
        if code:
            raise SystemExit(code)


def _settings_module() -> str:
    return os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")
