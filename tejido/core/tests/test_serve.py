"""`tejido serve`: the gunicorn command line, and a real server answering with DEBUG off."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tejido.core.management.commands.serve import default_workers, gunicorn_argv


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_gunicorn_runs_the_project_wsgi_app_with_threads_and_logs_on_stdout():
    argv = gunicorn_argv(settings_module="config.settings.local")
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    assert option(argv, "--bind") == "127.0.0.1:8000"
    assert option(argv, "--worker-class") == "gthread"
    assert option(argv, "--workers") == str(default_workers())
    assert option(argv, "--threads") == "4"
    assert option(argv, "--access-logfile") == "-"
    assert option(argv, "--error-logfile") == "-"
    assert int(option(argv, "--graceful-timeout")) > 0
    assert int(option(argv, "--timeout")) >= int(option(argv, "--graceful-timeout"))
    assert option(argv, "--chdir") == str(settings.BASE_DIR)
    assert option(argv, "--env") == "DJANGO_SETTINGS_MODULE=config.settings.local"


def test_host_port_workers_and_threads_are_passed_on():
    argv = gunicorn_argv(host="0.0.0.0", port=9000, workers=5, threads=2)
    assert option(argv, "--bind") == "0.0.0.0:9000"
    assert option(argv, "--workers") == "5"
    assert option(argv, "--threads") == "2"
    assert option(gunicorn_argv(host="::1", port=8001), "--bind") == "[::1]:8001"


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 3), (4, 5), (64, 9)])
def test_default_workers_follow_the_cores(cores, workers):
    assert default_workers(cores) == workers


@pytest.mark.parametrize("options", [{"port": 0}, {"port": 70000}, {"workers": 0}, {"threads": 0}])
def test_bad_options_are_refused(options):
    with pytest.raises(CommandError):
        call_command("serve", **options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        # Generous: the first request imports the whole project in a worker, while the task
        # worker boots beside it on a small, busy machine.
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_server_answers_pages_and_static_files_with_debug_off(tmp_path):
    """Start the real thing on a free port: migrate a fresh SQLite database, serve, GET."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DEBUG", "PYTEST_XDIST_WORKER")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        TEJIDO_VAR_DIR=str(tmp_path),
        PYTHONUNBUFFERED="1",
    )
    tejido = [sys.executable, "-m", "tejido.cli"]
    subprocess.run([*tejido, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=180)
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [*tejido, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _headers, body = get(f"{base}/")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.3)
        assert status == 200, (tmp_path / "server.log").read_text()[-3000:]
        assert b"<html" in body.lower()
        # The hashed name from whitenoise's manifest, cached for good and compressed.
        manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/tejido.css"]
        status, headers, body = get(f"{base}/static/{hashed}")
        assert status == 200 and b"{" in body
        assert "immutable" in headers.get("Cache-Control", "")
        status, _headers, _body = get(f"{base}/static/css/not-there.css")
        assert status == 404
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert server.returncode == 0
    # The access log goes to stdout.
    assert "GET /static/" in (tmp_path / "server.log").read_text()
