"""`tejido serve` runs the background task worker beside the web server and stops it with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from tejido.core.management.commands import serve
from tejido.core.management.commands.serve import supervise, worker_argv


def test_the_worker_is_django_tasks_db_on_every_queue():
    argv = worker_argv(settings_module="config.settings.local")
    assert argv[:4] == [sys.executable, "-m", "tejido.cli", "db_worker"]
    assert argv[argv.index("--queue-name") + 1] == "*"
    assert argv[argv.index("--settings") + 1] == "config.settings.local"
    assert "--no-reload" in argv


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_the_worker_starts_after_the_server_with_a_lower_priority_and_stops_with_it(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(serve, "WORKER_START_DELAY", 0.5)
    pid_file = tmp_path / "worker.pid"
    worker = python(
        "import os, time\n"
        f"open({str(pid_file)!r}, 'w').write(f'{{os.getpid()}} {{os.nice(0)}}')\n"
        "time.sleep(120)\n"
    )
    started = time.monotonic()
    code = supervise(python("import time; time.sleep(3); raise SystemExit(3)"), worker)
    assert code == 3  # the server's exit code is passed on
    assert time.monotonic() - started < 60
    pid, niceness = (int(part) for part in pid_file.read_text().split())
    # Niceness stops at 19: a suite already run under `nice` still gets the lowest priority.
    assert niceness >= min(19, os.nice(0) + serve.WORKER_NICENESS)
    # The worker was stopped (and reaped) when the server stopped.
    assert subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0


def test_a_stop_signal_is_passed_on_to_the_server(tmp_path):
    marker = tmp_path / "server-stopped"
    server = python(
        "import signal, sys, time\n"
        "def stop(*_):\n"
        f"    open({str(marker)!r}, 'w').write('ok'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "time.sleep(120)\n"
    )
    worker = python("import time; time.sleep(120)")
    timer = threading.Timer(1.0, lambda: signal.raise_signal(signal.SIGTERM))
    timer.start()
    try:
        code = supervise(server, worker)
    finally:
        timer.cancel()
    assert code == 0
    assert marker.read_text() == "ok"
    # The previous handler is back once the server has stopped.
    assert signal.getsignal(signal.SIGTERM) is not None


def test_a_worker_that_dies_is_started_again(tmp_path, monkeypatch):
    monkeypatch.setattr(serve, "WORKER_START_DELAY", 0.2)
    monkeypatch.setattr(serve, "WORKER_RESTART_DELAY", 0.5)
    starts = tmp_path / "starts"
    worker = python(f"open({str(starts)!r}, 'a').write('x')")  # exits at once
    supervise(python("import time; time.sleep(4)"), worker)
    assert len(starts.read_text()) >= 2
