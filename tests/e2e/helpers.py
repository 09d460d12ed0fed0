"""What the end-to-end tests do again and again: log in, find a unit, check a page's basics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from vrijuit.demo_site.organisation import ACCOUNTS, DEMO_PASSWORD


def email_of(key: str) -> str:
    return next(account.email for account in ACCOUNTS if account.key == key)


def log_in(page: Page, key: str) -> None:
    """Log in as the demo account ``key`` ("analyst", "department leader", ...)."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email_of(key))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def unit_pk(unit_id: str) -> int:
    """The database id of a demo unit, from its id in units.csv (``psy-klin``)."""
    from vrijuit.org.models import Unit

    return Unit.objects.get(external_id=f"demo-{unit_id}").pk


def closed_wave_pk(period: str = "2025-najaar") -> int:
    from vrijuit.surveys.models import Wave

    return Wave.objects.get(period=period).pk


# Accessibility basics that need no axe-core (which is not available offline): run in the page.
_PROBLEMS_JS = (Path(__file__).parent / "a11y_problems.js").read_text(encoding="utf-8")
_FOCUS_JS = (Path(__file__).parent / "a11y_focus.js").read_text(encoding="utf-8")


def accessibility_problems(page: Page, *, tabs: int = 3) -> list[str]:
    """The page's accessibility basics, as a list of problems (empty: all well).

    lang on <html>, one h1, a skip link, an accessible name on every form control and link,
    alt on images, a title on SVG charts, unique ids, and a visible focus indicator on the first
    ``tabs`` elements reached with the Tab key.
    """
    problems: list[str] = list(page.evaluate(_PROBLEMS_JS))
    page.locator("body").focus()
    for _ in range(tabs):
        page.keyboard.press("Tab")
        focused: dict[str, Any] | None = page.evaluate(_FOCUS_JS)
        if focused is None:
            problems.append("Tab reached nothing focusable")
            break
        if not focused["visible"]:
            problems.append(f"no visible focus on {focused['tag']} {focused['text']!r}")
    return problems
