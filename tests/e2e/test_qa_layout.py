"""Layout details a first walk through the demo turned up: long words on a phone, and room between
a page's last button and the footer."""

from __future__ import annotations

from playwright.sync_api import Page

from e2e.helpers import email_of, log_in, unit_pk


def _page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_a_long_unit_name_breaks_instead_of_widening_a_phone_s_page(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "administrator")
    # "Onderwijswetenschappen" in a 2.5rem heading is wider than a phone's screen.
    page.goto(f"/organisation/units/{unit_pk('ped-ow')}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Onderwijswetenschappen"
    assert _page_width(page) <= 390


def test_an_e_mail_address_breaks_instead_of_widening_a_phone_s_page(page: Page) -> None:
    from vrijuit.accounts.models import User

    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "administrator")
    adviser = User.objects.get(email=email_of("adviser"))
    page.goto(f"/accounts/roles/{adviser.pk}/adviser/revoke/")
    assert email_of("adviser") in page.locator("main").inner_text()
    assert _page_width(page) <= 390


def test_the_last_button_on_a_page_keeps_its_distance_from_the_footer(page: Page) -> None:
    page.goto("/respond/")
    button = page.locator("main button[type=submit]").last.bounding_box()
    footer = page.locator("footer").bounding_box()
    assert button is not None and footer is not None
    # main's bottom padding (2rem): .wrap's own padding must not override it.
    assert footer["y"] - (button["y"] + button["height"]) >= 24


def test_the_administrator_s_header_fits_on_one_line_on_a_laptop(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "administrator")
    page.goto("/")
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.site-header a, .site-header button,'
                 + ' .site-header select')].map((e) => Math.round(e.getBoundingClientRect().top))"""
    )
    assert len(tops) >= 8
    # Links, the language select and the buttons differ a little in height; a second line would
    # start tens of pixels lower.
    assert max(tops) - min(tops) < 20, tops
