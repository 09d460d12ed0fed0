"""End-to-end tests: the demo site in a live server, driven by headless Chromium (Playwright).

One server for the whole session, on the test database seeded once with the demo faculty
(``seed_demo``: about 4 s). pytest-django's own ``live_server`` fixture empties the database
after every test, which would mean seeding the demo again for each one; the demo is what a
newcomer sees, so the tests run against exactly that. Tests that change data (a respondent
answering, an analyst launching a wave) use their own invitation or their own new wave.

Chromium is Debian's ``/usr/bin/chromium`` (``make e2e`` installs it when missing); Playwright
never downloads a browser here. Without Chromium or Playwright these tests are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM, called from the tests
# and the server thread, would otherwise refuse to run ("async-unsafe").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev dependencies include playwright
    sync_playwright = None

if sync_playwright is None or not CHROMIUM.exists():
    pytest.skip(
        "end-to-end tests need playwright and /usr/bin/chromium (make e2e installs them)",
        allow_module_level=True,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run only on their own (``make e2e``): their database is set up for the whole session
    below, which cannot share a session with the other tests' per-test databases."""
    here = Path(__file__).parent
    if all(here in Path(item.path).parents for item in items):
        return
    skip = pytest.mark.skip(reason="end-to-end tests run on their own: make e2e")
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database, made for the session (pytest-django makes it only for tests that
    ask for ``db``; these tests share one seeded database instead)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The seeded demo (``SeedResult``); the database stays open to the tests and the server."""
    from django.test import override_settings

    from vrijuit.demo_site.seed import seed_demo

    # The inbox keys of this throw-away database go with it, not into the checkout's var/.
    keys = tmp_path_factory.mktemp("inbox-keys")
    with override_settings(INBOX_KEY_DIR=keys), django_db_blocker.unblock():
        yield seed_demo()


@pytest.fixture(scope="session")
def server(demo: Any) -> Iterator[str]:
    """The live server's base URL, e.g. ``http://localhost:40123``."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("localhost:0")
    live._live_server_modified_settings.enable()
    try:
        yield live.url
    finally:
        live._live_server_modified_settings.disable()
        live.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) in English, at a laptop's window size."""
    context = browser.new_context(
        base_url=server, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots with ``make screenshots``, else a temp folder."""
    target = os.environ.get("VRIJUIT_SCREENSHOTS")
    if not target:
        return tmp_path
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    return path
