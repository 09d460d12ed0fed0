"""Accounts: e-mail login, argon2, lockout after failed attempts, password reset by e-mail."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from vrijuit.accounts.models import User
from web.personas import PASSWORD
from web.smtp_server import smtp_server


def login(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_a_person_logs_in_with_their_email_in_any_case(org) -> None:  # type: ignore[no-untyped-def]
    response = login(Client(), "STAFF@Example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_passwords_are_stored_with_argon2(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user("argon@example.org", "a long passphrase here")
    assert user.password.startswith("argon2")
    assert user.check_password("a long passphrase here")


def test_argon2_is_the_first_hasher_in_the_real_settings() -> None:
    from vrijuit import settings as real

    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_wrong_password_shows_an_error_linked_to_the_form(org) -> None:  # type: ignore[no-untyped-def]
    response = login(Client(), "staff@example.org", "wrong")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_too_many_failures_lock_the_account_with_a_clear_message(org, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "staff@example.org", "wrong").status_code == 200
    locked = login(client, "Staff@example.org", "wrong")
    assert locked.status_code == 429
    assert (
        "too many failed login attempts" in locked.content.decode()
        or "te veel mislukte inlogpogingen" in locked.content.decode()
    )
    # Even the right password does not open a locked account, from a fresh browser too.
    assert login(Client(), "staff@example.org", PASSWORD).status_code == 429


def test_lockout_stores_no_ip_address(org, settings) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="203.0.113.9")
    login(client, "staff@example.org", "wrong")
    attempts = list(AccessAttempt.objects.all())
    assert attempts
    assert all(attempt.ip_address is None for attempt in attempts)


def test_other_accounts_are_not_locked_by_someone_elses_failures(org, settings) -> None:  # type: ignore[no-untyped-def]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "staff@example.org", "wrong")
    assert login(Client(), "leader@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("language", "subject"), [("nl", "Kies een nieuw wachtwoord"), ("en", "Choose a new password")]
)
def test_password_reset_mail_goes_out_over_smtp_in_the_users_language(
    org, settings, language: str, subject: str
) -> None:  # type: ignore[no-untyped-def]
    user = org.users["staff"]
    user.language = language
    user.save()
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        client = Client()
        # The visitor's browser asks for the other language: the mail follows the account.
        other = "en" if language == "nl" else "nl"
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": "staff@example.org"},
            headers={"accept-language": other},
        )
        assert response.status_code == 302
    assert len(server.messages) == 1
    message = server.messages[0]
    assert message["To"] == "staff@example.org"
    assert subject in str(message["Subject"])
    body = message.get_payload(decode=True).decode()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert link, body

    # The link lets them choose a new password, then log in with it.
    confirm = Client()
    form_page = confirm.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new = "a brand new long passphrase"
    done = confirm.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert login(Client(), "staff@example.org", new).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_the_language_switch_saves_the_users_preference(org) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(org.users["staff"])
    client.post(reverse("web:switch_language"), {"language": "en", "next": "/"})
    org.users["staff"].refresh_from_db()
    assert org.users["staff"].language == "en"
    assert "Your unit" in client.get(reverse("web:home")).content.decode()


def test_a_logged_in_user_sees_pages_in_their_saved_language(org) -> None:  # type: ignore[no-untyped-def]
    user = org.users["staff"]
    user.language = "en"
    user.save()
    client = Client()
    client.force_login(user)
    page = client.get(reverse("web:home")).content.decode()
    assert "Your unit" in page
    assert 'lang="en"' in page
