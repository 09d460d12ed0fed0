"""An administrator grants the analyst role to a staff member, who then sees the analyst pages;
then takes it back again through the confirmation page (which also restores the demo for the
tests that run after this one)."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Browser, Page, expect

from e2e.helpers import accessibility_problems, email_of, log_in

STAFF = "staff member"  # Daan Visser, Clinical Psychology, works in Dutch
# Django's labels, followed by "(required)"
PASSWORD_FIELDS = (re.compile(r"^New password \("), re.compile(r"^New password confirmation"))
NEW_PASSWORD = "a long and new passphrase"  # noqa: S105  (a throwaway demo account)


def _staff_page(browser: Browser, server: str) -> Page:
    context = browser.new_context(
        base_url=server, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, STAFF)
    return page


def test_an_administrator_grants_the_analyst_role_and_the_staff_member_sees_the_analyst_pages(
    page: Page, browser: Browser, server: str
) -> None:
    from vrijuit.accounts.models import RoleChange, User
    from vrijuit.org.models import RoleGrant

    staff = User.objects.get(email=email_of(STAFF))
    staff_page = _staff_page(browser, server)
    assert staff_page.goto("/surveys/").status == 403  # type: ignore[union-attr]
    outbox_before = len(mail.outbox)
    try:
        log_in(page, "administrator")  # works in Dutch
        page.get_by_role("navigation").get_by_role("link", name="Rollen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Rollen en accounts")
        assert accessibility_problems(page) == []

        page.get_by_label("Naam of e-mailadres").fill("Daan Visser")
        page.get_by_role("button", name="Zoeken").click()
        page.get_by_label("Rol om toe te kennen aan Daan Visser").select_option("analyst")
        page.get_by_role("button", name="Toekennen").click()
        expect(page.locator("div.messages")).to_contain_text("Daan Visser heeft nu de rol analist")
        assert accessibility_problems(page) == []
        # The grant is in the log, and Daan got an e-mail about it.
        expect(page.get_by_role("table", name="Wie welke rol toekende")).to_contain_text(
            "toegekend: analist"
        )
        assert RoleChange.objects.filter(subject=staff, action="granted").count() == 1
        sent = mail.outbox[outbox_before:]
        assert [message.to for message in sent] == [[staff.email]]
        assert "analist" in sent[0].subject

        # Daan now sees the survey waves, the analyst's page, and it is in the menu.
        staff_page.goto("/")
        staff_page.get_by_role("navigation").get_by_role("link", name="Peilingen").click()
        expect(staff_page.get_by_role("heading", level=1)).to_have_text("Peilingen")

        # Taking it back: a confirmation first, then the role is gone.
        page.get_by_role("link", name="De rol analist van Daan Visser intrekken").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("De rol analist intrekken")
        assert accessibility_problems(page) == []
        page.get_by_role("button", name="De rol analist intrekken").click()
        expect(page.locator("div.messages")).to_contain_text(
            "Daan Visser heeft de rol analist niet meer"
        )
        assert staff_page.goto("/surveys/").status == 403  # type: ignore[union-attr]
    finally:
        # Whatever happened above, the demo goes back to how the other tests expect it.
        RoleGrant.objects.filter(user=staff, role="analyst").delete()
        staff_page.context.close()


def test_a_new_colleague_chooses_a_password_on_an_accessible_page_in_their_language(
    page: Page,
) -> None:
    from vrijuit.accounts.invitations import invitation_url
    from vrijuit.accounts.models import Invitation, User

    user = User.objects.create_user(
        "nieuwe.collega@demo.vrijuit.example", None, first_name="Noor", language="en"
    )
    Invitation.objects.create(user=user)
    try:
        link = invitation_url(user).split("/accounts/", 1)[1]
        page.goto(f"/accounts/{link}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
        assert page.locator("html").get_attribute("lang") == "en"
        assert accessibility_problems(page, tabs=4) == []
        password, confirmation = PASSWORD_FIELDS
        page.get_by_label(password).fill(NEW_PASSWORD)
        page.get_by_label(confirmation).fill("something else entirely")
        page.get_by_role("button", name="Save my password and log in").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        assert accessibility_problems(page) == []
        page.get_by_label(password).fill(NEW_PASSWORD)
        page.get_by_label(confirmation).fill(NEW_PASSWORD)
        page.get_by_role("button", name="Save my password and log in").click()
        expect(page.locator("div.messages")).to_contain_text("Welcome to Vrijuit, Noor.")
        user.refresh_from_db()
        assert user.has_usable_password() and user.invitation.accepted_at is not None
    finally:
        user.delete()
