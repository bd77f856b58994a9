"""How the network map holds up at 20,000 actors: the data endpoint and the drawing.

    uv run --frozen python -m benchmarks.map_render                  # 20,000 actors
    uv run --frozen python -m benchmarks.map_render --actors 5000 --json

1. Builds a synthetic program with `tejido demo --scale N` in a SQLite file (kept under
   benchmarks/.data/ and reused with --reuse).
2. Times the map data endpoint in process with Django's test client, as a coordinator (who
   sees people, so all N actors): built from the database (cache cleared), served from the
   cache, and revalidated (304); and reports the payload, raw and gzipped.
3. Starts a server, opens the map in headless Chromium and measures the time until the map is
   ready (data, graph, layout), then the frames per second while panning (mouse drags) and
   zooming (wheel), counted with requestAnimationFrame, and the time of one full redraw.

Chromium draws WebGL with SwiftShader here (`--use-angle=swiftshader`, a CPU rasterizer): a
machine with a GPU draws faster, so these frame rates are a floor.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "benchmarks" / ".data"
PASSWORD = "bench-map-2026"
EMAIL = "bench-map@tejido.invalid"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-timer-throttling",
]

# Frames counted in the page while something else (the mouse) moves the camera.
COUNT_FRAMES_JS = """
(seconds) => new Promise((resolve) => {
  const renderer = document.getElementById('map-canvas').sigma;
  const durations = [];
  let started = 0;
  const before = () => { started = performance.now(); };
  const after = () => { if (started) durations.push(performance.now() - started); };
  renderer.on('beforeRender', before);
  renderer.on('afterRender', after);
  let frames = 0;
  const start = performance.now();
  const tick = (now) => {
    frames += 1;
    if (now - start < seconds * 1000) requestAnimationFrame(tick);
    else {
      renderer.off('beforeRender', before);
      renderer.off('afterRender', after);
      durations.sort((a, b) => a - b);
      const pick = (q) => durations.length
        ? durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]
        : null;
      resolve({
        fps: frames / ((performance.now() - start) / 1000),
        renders: durations.length,
        render_ms_median: pick(0.5),
        render_ms_p95: pick(0.95),
      });
    }
  };
  requestAnimationFrame(tick);
})
"""

FULL_REDRAW_JS = """
() => {
  const renderer = document.getElementById('map-canvas').sigma;
  const times = [];
  for (let i = 0; i < 7; i += 1) {
    const t = performance.now();
    renderer.refresh();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const graph = renderer.getGraph();
  return { refresh_ms_median: times[3], order: graph.order, size: graph.size };
}
"""


# Where the time to a ready map goes, from the page's navigation start (ms): the page itself,
# the data, building the graph, the layout (skipped on a return visit: positions are kept in
# the browser), and drawing.
PHASES_JS = """
() => {
  const mark = (name) => performance.getEntriesByName(`map:${name}`).at(-1)?.startTime ?? null;
  const navigation = performance.getEntriesByType('navigation')[0];
  return {
    page_loaded_ms: navigation ? navigation.domContentLoadedEventEnd : null,
    script_start_ms: mark('start'),
    data_ms: mark('data') - mark('start'),
    graph_ms: mark('graph') - mark('data'),
    layout_ms: mark('layout') - mark('graph'),
    draw_ms: mark('ready') - mark('layout'),
    ready_ms: mark('ready'),
  };
}
"""


def _count_frames(page: Any, seconds: float) -> None:
    page.evaluate(f"() => {{ window.__mapFrames = ({COUNT_FRAMES_JS})({seconds}); return 1; }}")


def _pan(page: Any, cx: float, cy: float, seconds: float) -> Any:
    """Drag the map back and forth while frames are counted."""
    _count_frames(page, seconds)
    end = time.perf_counter() + seconds
    direction = 1
    while time.perf_counter() < end:
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 220 * direction, cy + 90 * direction, steps=24)
        page.mouse.up()
        direction = -direction
    return page.evaluate("() => window.__mapFrames")


def _zoom(page: Any, cx: float, cy: float, seconds: float) -> Any:
    """Wheel in and out over the centre while frames are counted."""
    page.wait_for_timeout(400)
    _count_frames(page, seconds)
    end = time.perf_counter() + seconds
    step = 0
    while time.perf_counter() < end:
        page.mouse.move(cx, cy)
        page.mouse.wheel(0, -240 if (step // 4) % 2 == 0 else 240)
        page.wait_for_timeout(60)
        step += 1
    return page.evaluate("() => window.__mapFrames")


def _env(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }


def build(db: Path, actors: int) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = _env(db)
    subprocess.run(["tejido", "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    subprocess.run(
        ["tejido", "demo", "--scale", str(actors)],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def endpoint(db: Path, repeat: int) -> dict[str, Any]:
    os.environ.update(_env(db))
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from tejido.accounts.models import ProgramRole, Role, User
    from tejido.core.models import Program

    program = Program.objects.filter(slug__startswith="escala-").order_by("-pk").first()
    if program is None:
        sys.exit("No synthetic program in the database: run without --reuse.")
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=EMAIL, password=PASSWORD)
        ProgramRole.objects.create(user=user, program=program, role=Role.COORDINATOR)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("network:map_data", args=[program.slug]) + "?view=multisector"

    def timed(**headers: str) -> tuple[float, Any]:
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        return (time.perf_counter() - start) * 1000, response

    timed(accept_encoding="gzip")  # warm up imports and the connection
    built = []
    for _ in range(repeat):
        cache.clear()
        ms, response = timed(accept_encoding="gzip")
        built.append(ms)
    cached = [timed(accept_encoding="gzip")[0] for _ in range(repeat)]
    etag = response["ETag"]
    revalidated = [timed(if_none_match=etag)[0] for _ in range(repeat)]
    packed = response.content
    raw = gzip.decompress(packed)
    data = json.loads(raw)
    return {
        "program": program.slug,
        "actors": len(data["nodes"]["id"]),
        "ties": len(data["edges"]["source"]),
        "metrics": data["metrics"] is not None,
        "built_ms_median": statistics.median(built),
        "cached_ms_median": statistics.median(cached),
        "revalidated_304_ms_median": statistics.median(revalidated),
        "payload_bytes": len(raw),
        "payload_gzip_bytes": len(packed),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def browser(db: Path, program: str, seconds: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**_env(db), "DEBUG": "1"}
    server = subprocess.Popen(
        ["tejido", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = chromium.new_page(viewport={"width": 1280, "height": 900}, base_url=base)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto("/accounts/login/")
            page.locator("input[name=username]").fill(EMAIL)
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state("networkidle")
            result: dict[str, Any] = {}
            for visit in ("first", "return"):
                page.goto(f"/p/{program}/map/")
                page.wait_for_selector(
                    "#map-canvas[data-state=ready]", state="attached", timeout=180_000
                )
                result[f"{visit}_visit"] = page.evaluate(PHASES_JS)
            canvas = page.locator("#map-canvas")
            canvas.scroll_into_view_if_needed()
            box = canvas.bounding_box()
            assert box is not None
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.wait_for_timeout(500)
            result["idle"] = page.evaluate(COUNT_FRAMES_JS, 1.5)
            result.update(page.evaluate(FULL_REDRAW_JS))

            # Warm up: the first frames compile the shaders (seconds, in a software renderer).
            _pan(page, cx, cy, 2.0)
            _zoom(page, cx, cy, 1.0)
            result["pan"] = _pan(page, cx, cy, seconds)
            result["zoom"] = _zoom(page, cx, cy, seconds)
            # The same drags with the edges drawn while moving, to show what hiding them saves.
            page.evaluate(
                "() => document.getElementById('map-canvas').sigma"
                ".setSetting('hideEdgesOnMove', false)"
            )
            page.wait_for_timeout(1500)
            _pan(page, cx, cy, 1.0)
            result["pan_edges_drawn"] = _pan(page, cx, cy, seconds)
            result["errors"] = errors
            chromium.close()
        return result
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database already built")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each fps count")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    db = DATA_DIR / f"map-{args.actors}.sqlite3"
    if not (args.reuse and db.exists()):
        build(db, args.actors)
    results = {"endpoint": endpoint(db, args.repeat)}
    results["browser"] = browser(db, results["endpoint"]["program"], args.seconds)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    e, b = results["endpoint"], results["browser"]
    print(f"Map of {e['actors']:,} actors and {e['ties']:,} ties (indicators: {e['metrics']})")
    print(
        f"  data endpoint: built {e['built_ms_median']:.0f} ms, cached "
        f"{e['cached_ms_median']:.0f} ms, 304 {e['revalidated_304_ms_median']:.0f} ms; "
        f"payload {e['payload_bytes'] / 1e6:.2f} MB, gzip {e['payload_gzip_bytes'] / 1e6:.2f} MB"
    )
    for visit in ("first", "return"):
        v = b[f"{visit}_visit"]
        print(
            f"  {visit} visit: ready {v['ready_ms'] / 1000:.1f} s after navigation (page "
            f"{v['page_loaded_ms']:.0f} ms, data {v['data_ms']:.0f} ms, graph "
            f"{v['graph_ms']:.0f} ms, layout {v['layout_ms']:.0f} ms, draw {v['draw_ms']:.0f} ms)"
        )
    print(f"  full redraw (refresh): {b['refresh_ms_median']:.0f} ms")
    for name in ("idle", "pan", "zoom", "pan_edges_drawn"):
        m = b[name]
        median, p95 = m["render_ms_median"], m["render_ms_p95"]
        print(
            f"  {name}: {m['fps']:.1f} fps, {m['renders']} renders, render median "
            f"{median if median is None else round(median, 1)} ms, p95 "
            f"{p95 if p95 is None else round(p95, 1)} ms"
        )
    if b["errors"]:
        print(f"  JavaScript errors: {b['errors']}")


if __name__ == "__main__":
    main()
