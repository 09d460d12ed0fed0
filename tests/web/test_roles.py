"""The roles page: who holds which role, granting and revoking (with a confirmation), the last
administrator, the audit log, and the e-mail each person gets (over real SMTP)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrijuit.accounts.models import RoleChange, User
from vrijuit.accounts.roles import RoleError, grant_role, revoke_role
from vrijuit.org.models import Role, RoleGrant
from web.smtp_server import smtp_server


@pytest.fixture
def smtp(settings) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def admin(org, as_persona):  # type: ignore[no-untyped-def]
    """The administrator's client, working in English."""
    user = org.users["admin"]
    user.language = "en"
    user.save()
    return as_persona("admin")


def text_of(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def roles_of(user: Any) -> set[str]:
    return set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


# --- The page ------------------------------------------------------------------------------


def test_the_page_lists_every_role_holder_and_says_leaders_and_staff_come_from_hr(
    org, admin
) -> None:  # type: ignore[no-untyped-def]
    page = text_of(admin.get(reverse("accounts:roles")))
    for persona, role in (("analyst", "analyst"), ("adviser", "confidential adviser")):
        assert f"{persona}@example.org" in page
        assert role in page
    assert "admin@example.org" in page
    assert f'href="{reverse("org:units")}"' in page  # the administrator's menu is intact
    assert (
        "Leader and staff member are not roles you grant here: they follow from the HR import"
        in page
    )
    # Nobody without a role is listed until the administrator searches for them.
    assert "staff@example.org" not in page


def test_the_page_is_in_dutch_for_a_dutch_administrator(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    page = text_of(as_persona("admin").get(reverse("accounts:roles")))
    assert "Rollen en accounts" in page
    assert "Leidinggevende en medewerker zijn geen rollen die je hier toekent" in page
    assert "vertrouwenspersoon" in page


def test_a_search_finds_accounts_by_name_or_address(org, admin) -> None:  # type: ignore[no-untyped-def]
    by_address = text_of(admin.get(reverse("accounts:roles"), {"q": "STAFF@"}))
    assert "staff@example.org" in by_address and "1 account found." in by_address
    by_name = text_of(admin.get(reverse("accounts:roles"), {"q": "other_lead"}))
    assert "other_leader@example.org" in by_name
    assert "Pedagogiek" in by_name or "Education" in by_name  # their unit
    too_short = text_of(admin.get(reverse("accounts:roles"), {"q": "s"}))
    assert "Type at least 2 characters to search." in too_short
    assert "staff@example.org" not in too_short


def test_a_search_shows_at_most_a_page_of_accounts(org, admin) -> None:  # type: ignore[no-untyped-def]
    User.objects.bulk_create(
        [
            User(email=f"colleague{i:02d}@example.org", password=make_password(None))
            for i in range(30)
        ]
    )
    page = text_of(admin.get(reverse("accounts:roles"), {"q": "colleague"}))
    assert "30 accounts found. The first 25 are shown" in page
    assert "colleague24@example.org" in page and "colleague25@example.org" not in page


# --- Granting ------------------------------------------------------------------------------


def test_granting_a_role_records_it_mails_the_person_and_opens_the_pages(
    org, admin, smtp, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    staff = org.users["staff"]
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(reverse("surveys:wave_list")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("accounts:grant_role"),
            {"user": staff.pk, "role": "analyst", "q": "staff"},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("accounts:roles") + "?q=staff"
    assert "Staff now has the role analyst. They get an e-mail about it." in text_of(response)
    assert roles_of(staff) == {"analyst"}
    [change] = RoleChange.objects.all()
    assert (change.actor, change.subject, change.role, change.action) == (
        org.users["admin"],
        staff,
        "analyst",
        "granted",
    )
    assert change.subject_email == "staff@example.org" and change.actor_email == "admin@example.org"
    assert staff_client.get(reverse("surveys:wave_list")).status_code == 200
    # The e-mail, in the staff member's language (Dutch), says what the role shows.
    [message] = smtp.messages
    assert message["To"] == "staff@example.org"
    assert subject(message) == "Vrijuit: je hebt nu de rol analist"
    assert "Met de rol analist zie je de resultaten van de hele organisatie" in body(message)


def test_the_grant_mail_follows_the_persons_language(
    org, smtp, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    staff = org.users["staff"]
    staff.language = "en"
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        grant_role(staff, Role.ADMINISTRATOR, by=org.users["admin"])
    [message] = smtp.messages
    assert subject(message) == "Vrijuit: you now have the role administrator"
    assert "The administrator role lets you manage the units" in body(message)


def test_granting_needs_the_csrf_token(org) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["admin"])
    response = client.post(
        reverse("accounts:grant_role"), {"user": org.users["staff"].pk, "role": "analyst"}
    )
    assert response.status_code == 403
    assert not roles_of(org.users["staff"])


def test_an_inactive_account_gets_no_role(
    org, admin, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    staff = org.users["staff"]
    staff.is_active = False
    staff.save()
    page = text_of(admin.get(reverse("accounts:roles"), {"q": "staff@"}))
    assert "Inactive accounts get no roles." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("accounts:grant_role"), {"user": staff.pk, "role": "analyst"}, follow=True
        )
    assert (
        "staff@example.org's account is inactive: roles are granted to active accounts only."
        in text_of(response)
    )
    assert not roles_of(staff) and not RoleChange.objects.exists() and mailoutbox == []


def test_a_role_held_already_or_not_grantable_is_refused_with_a_reason(org, admin) -> None:  # type: ignore[no-untyped-def]
    analyst = org.users["analyst"]
    again = admin.post(
        reverse("accounts:grant_role"), {"user": analyst.pk, "role": "analyst"}, follow=True
    )
    assert "analyst@example.org already has the role analyst." in text_of(again)
    leader = admin.post(
        reverse("accounts:grant_role"),
        {"user": org.users["staff"].pk, "role": "leader"},
        follow=True,
    )
    assert "Choose an account and a role to grant." in text_of(leader)
    assert not roles_of(org.users["staff"]) and not RoleChange.objects.exists()


# --- Revoking ------------------------------------------------------------------------------


def test_revoking_asks_first_then_records_mails_and_closes_the_pages(
    org, admin, smtp, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    analyst = org.users["analyst"]
    url = reverse("accounts:revoke_role", args=[analyst.pk, "analyst"])
    confirm = admin.get(url)
    assert confirm.status_code == 200
    assert "Analyst (analyst@example.org) will no longer have the role analyst." in text_of(confirm)
    assert roles_of(analyst) == {"analyst"}  # asking changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(url, follow=True)
    assert "Analyst no longer has the role analyst." in text_of(done)
    assert not roles_of(analyst)
    [change] = RoleChange.objects.all()
    assert (change.action, change.role, change.subject) == ("revoked", "analyst", analyst)
    analyst_client = Client()
    analyst_client.force_login(analyst)
    assert analyst_client.get(reverse("surveys:wave_list")).status_code == 403
    [message] = smtp.messages
    assert subject(message) == "Vrijuit: je rol analist is beëindigd"
    assert "Wat je als medewerker of leidinggevende ziet, blijft zoals het was." in body(message)


def test_a_role_that_is_not_held_has_no_revoke_page(org, admin) -> None:  # type: ignore[no-untyped-def]
    staff = org.users["staff"]
    assert admin.get(reverse("accounts:revoke_role", args=[staff.pk, "analyst"])).status_code == 404
    assert admin.post(reverse("accounts:revoke_role", args=[staff.pk, "leader"])).status_code == 404


def test_the_last_administrator_cannot_be_removed(org, admin) -> None:  # type: ignore[no-untyped-def]
    me = org.users["admin"]
    url = reverse("accounts:revoke_role", args=[me.pk, "administrator"])
    confirm = text_of(admin.get(url))
    assert "admin@example.org is the last administrator." in confirm
    assert 'type="submit">Revoke' not in confirm  # no button to press
    refused = admin.post(url, follow=True)
    assert "admin@example.org is the last administrator." in text_of(refused)
    assert roles_of(me) == {"administrator"} and not RoleChange.objects.exists()


def test_an_administrator_is_warned_before_revoking_their_own_role(org, admin) -> None:  # type: ignore[no-untyped-def]
    me = org.users["admin"]
    grant_role(org.users["analyst"], Role.ADMINISTRATOR, by=me)
    url = reverse("accounts:revoke_role", args=[me.pk, "administrator"])
    assert "You are about to revoke your own administrator role." in text_of(admin.get(url))
    # Someone else's administrator role: no such warning.
    other = reverse("accounts:revoke_role", args=[org.users["analyst"].pk, "administrator"])
    assert "your own administrator role" not in text_of(admin.get(other))
    done = admin.post(url)
    assert done.status_code == 302 and done["Location"] == reverse("web:home")
    assert admin.get(reverse("accounts:roles")).status_code == 403


def test_an_active_superuser_counts_as_an_administrator(org) -> None:  # type: ignore[no-untyped-def]
    User.objects.create_superuser("root@example.org", "x" * 20)
    me = org.users["admin"]
    revoke_role(me, Role.ADMINISTRATOR, by=me)
    assert not roles_of(me)


def test_an_inactive_administrator_does_not_count(org) -> None:  # type: ignore[no-untyped-def]
    me = org.users["admin"]
    away = org.users["analyst"]
    grant_role(away, Role.ADMINISTRATOR, by=me)
    away.is_active = False
    away.save()
    with translation.override("en"), pytest.raises(RoleError, match="last administrator"):
        revoke_role(me, Role.ADMINISTRATOR, by=me)


# --- The audit log -------------------------------------------------------------------------


def test_the_log_shows_who_what_for_whom_and_when_newest_first_a_page_at_a_time(org, admin) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now() - dt.timedelta(days=40)
    RoleChange.objects.bulk_create(
        [
            RoleChange(
                at=start + dt.timedelta(days=day),
                actor_email="admin@example.org",
                subject_email=f"person{day:02d}@example.org",
                subject_name=f"Person {day:02d}",
                role="adviser",
                action="granted" if day % 2 else "revoked",
            )
            for day in range(30)
        ]
    )
    first = text_of(admin.get(reverse("accounts:roles")))
    assert "Page 1 of 2" in first
    assert first.index("person29@example.org") < first.index("person28@example.org")
    assert "person04@example.org" not in first
    assert "granted: confidential adviser" in first and "revoked: confidential adviser" in first
    newest = timezone.localtime(start + dt.timedelta(days=29))
    assert f"{newest.day} {newest:%B %Y %H:%M}" in first
    second = text_of(admin.get(reverse("accounts:roles"), {"page": 2}))
    assert "person04@example.org" in second and "person29@example.org" not in second
    assert "Newer changes" in second


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["grant", "revoke"]),
            st.sampled_from(["staff", "analyst", "adviser", "admin"]),
            st.sampled_from(list(Role.values)),
        ),
        max_size=12,
    )
)
def test_no_sequence_of_changes_leaves_vrijuit_without_an_administrator(
    org, operations: list[tuple[str, str, str]]
) -> None:  # type: ignore[no-untyped-def]
    """Whatever is granted and revoked: an active administrator remains, and the log holds
    exactly one entry per change that was made (and none for a refused one)."""
    from django.db import transaction

    with transaction.atomic():
        made = 0
        for action, persona, role in operations:
            user = User.objects.get(pk=org.users[persona].pk)
            before = roles_of(user)
            try:
                if action == "grant":
                    grant_role(user, role, by=org.users["admin"])
                else:
                    revoke_role(user, role, by=org.users["admin"])
            except RoleError:
                assert roles_of(user) == before
                continue
            made += 1
            assert (role in roles_of(user)) == (action == "grant")
        assert RoleGrant.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True).exists()
        assert RoleChange.objects.count() == made
        transaction.set_rollback(True)
