"""End-to-end tests: Playwright drives Debian's Chromium against a live server.

Playwright's sync API runs an event loop in the test thread, so Django's guard against
synchronous database calls inside an event loop would trip on every fixture; the tests are
synchronous by design, so the guard is lifted here only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parent.parent / "tejido" / "static" / "dist" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # WebGL through the software rasterizer, for the sigma.js map.
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Give the live server a SQLite file, not the in-memory default.

    Django shares one in-memory connection between the test thread and every thread of the
    live server; two requests at once (an htmx search and a form submit) then collide inside
    sqlite3 ("bad parameter or other API misuse"). With a file each thread has its own
    connection, as in production.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = str(tmp_path_factory.mktemp("e2e-db") / "tejido-e2e.sqlite3")
        database["NAME"] = path
        database["TEST"]["NAME"] = path


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, live_server: Any) -> Any:
    """pytest-django's live server, started only once the test database is set up: started
    earlier, it would still see the in-memory database and share one connection between all
    its threads.

    The URL list is loaded here, once: it imports the network analytics (igraph, scipy), which
    on a loaded machine takes longer than a page's timeout if the first request pays for it.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    return live_server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, locale="es-CL", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core on the current page; return the serious and critical violations."""
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing from tejido/static/dist: run `npm run build`.")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in impacts
    ]


# The password the accounts factory gives every user.
PASSWORD = "clave-segura-123"


def log_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


# -- Journeys on desk and phone (funds, governance, learning) ---------------------------------

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"))


class Tracked:
    """A browser context whose pages fail the test on any JavaScript error."""

    def __init__(self, browser: Any, base_url: str, *, phone: bool, prefix: str) -> None:
        options: dict[str, Any] = {"base_url": base_url, "locale": "es-CL"}
        if phone:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True)
        else:
            options.update(viewport=DESK)
        self.context = browser.new_context(**options)
        self.prefix = prefix
        self.errors: list[str] = []

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page

    def close(self, failed: bool = False, name: str = "") -> list[str]:
        """Close the context (with a screenshot of each page if the test failed); return the
        JavaScript errors its pages met."""
        if failed:
            for number, page in enumerate(self.context.pages):
                screenshot(page, f"{self.prefix}-failed-{name}-{number}")
        self.context.close()
        return self.errors


@pytest.fixture
def browsers(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Opens a desk or phone browser context; closes them all at the end (with a screenshot of
    each page if the test failed). Screenshots are named after the test module ("funds-...")."""
    prefix = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    opened: list[Tracked] = []

    def open_context(*, phone: bool) -> Tracked:
        opened.append(Tracked(browser, live_server.url, phone=phone, prefix=prefix))
        return opened[-1]

    yield open_context
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    errors = [e for n, tracked in enumerate(opened) for e in tracked.close(failed, str(n))]
    assert not errors, f"JavaScript errors on the page: {errors}"
