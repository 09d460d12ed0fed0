"""Accounts for the people the HR import lists: made with an invitation to choose a password,
closed when HR no longer lists someone, reopened, readdressed; the invitation link; re-sending.

E-mail goes through Django's real SMTP backend to the test SMTP server (smtp_server.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrijuit.accounts import invitations
from vrijuit.accounts.invitations import InvitationError, invitation_tokens, resend_invitation
from vrijuit.accounts.models import Invitation, User
from vrijuit.org.hrfiles import read_table
from vrijuit.org.hrimport import PEOPLE_COLUMNS, UNIT_COLUMNS, make_plan
from vrijuit.org.models import HrUpload, Person, Role, RoleGrant
from vrijuit.org.services import apply_hr_plan
from web.personas import PASSWORD
from web.smtp_server import smtp_server

UNITS = """external_id,parent_external_id,level,name_nl,name_en
ORG,,organisation,Universiteit,University
PSY,ORG,faculty,Psychologie,Psychology
T1,PSY,team,Team Klinisch,Clinical team
"""
HEADER = "external_id,name,email,unit_external_id,position_level,contract,language,leads\n"
ANS = "E1,Ans de Vries,ans@uni.nl,PSY,full_professor,permanent,nl,PSY\n"
BRAM = "E2,Bram Jansen,bram@uni.nl,T1,phd,temporary,en,\n"
CHRIS = "E3,Chris Bakker,chris@uni.nl,T1,postdoc,temporary,,\n"
PEOPLE = HEADER + ANS + BRAM + CHRIS
NEW_PASSWORD = "a long and new passphrase"  # noqa: S105  (test only)


def plan_for(people: str, units: str | None = UNITS):  # type: ignore[no-untyped-def]
    units_table = read_table("units.csv", units.encode(), UNIT_COLUMNS) if units else None
    people_table = read_table("people.csv", people.encode(), PEOPLE_COLUMNS)
    return make_plan(units_table, people_table)


@pytest.fixture
def smtp(settings) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def english() -> Iterator[None]:
    """Messages from the services in English (the default language is Dutch)."""
    with translation.override("en"):
        yield


@pytest.fixture
def apply(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``apply(people, units=UNITS)``: plan and apply, running what waits for the commit."""

    def run(people: str, units: str | None = UNITS) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return apply_hr_plan(plan_for(people, units))

    return run


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def link_in(message: Message) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/welcome/\S+/)", body(message))
    assert found, body(message)
    return found.group(1)


def choose_password(link: str, password: str = NEW_PASSWORD) -> tuple[Client, Any]:
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"], "the link should work"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )
    return client, done


# --- Accounts made by the import, with an invitation ------------------------------------------


def test_every_new_person_gets_an_account_without_password_and_an_invitation_in_their_language(
    db, smtp, apply
) -> None:  # type: ignore[no-untyped-def]
    counts = apply(PEOPLE)
    assert counts["accounts_created"] == 3 and counts["invitations_sent"] == 3
    for person in Person.objects.filter(external_id__in=["E1", "E2", "E3"]):
        assert person.user is not None
        assert person.user.email == person.email
        assert person.user.is_active
        assert not person.user.has_usable_password()
        assert person.user.language == person.language
    by_address = {message["To"]: message for message in smtp.messages}
    assert set(by_address) == {"ans@uni.nl", "bram@uni.nl", "chris@uni.nl"}
    english, dutch = by_address["bram@uni.nl"], by_address["ans@uni.nl"]
    assert english["Subject"] == "Your account for Vrijuit: choose your password"
    assert dutch["Subject"] == "Je account voor Vrijuit: kies je wachtwoord"
    assert "The link works once and for 5 days." in body(english)
    assert "De link werkt één keer en 5 dagen lang." in body(dutch)
    # An expired link is no dead end: "forgot password" sends a new invitation.
    assert "“Forgot your password?” on the login page" in body(english)
    assert "‘Wachtwoord vergeten?’ op de inlogpagina" in body(dutch)
    assert "bram@uni.nl" in body(english)
    assert all(
        invitation.sent_at and invitation.times_sent == 1 for invitation in Invitation.objects.all()
    )


def test_no_mail_leaves_before_the_import_commits(db, smtp) -> None:  # type: ignore[no-untyped-def]
    apply_hr_plan(plan_for(PEOPLE))  # inside the test's transaction: nothing committed yet
    assert User.objects.filter(email="ans@uni.nl").exists()
    assert smtp.messages == []
    assert Invitation.objects.get(user__email="ans@uni.nl").sent_at is None


def test_applying_the_same_import_twice_makes_no_second_account_and_no_second_mail(
    db, smtp, apply
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    accounts = list(User.objects.values_list("pk", "email").order_by("pk"))
    assert len(smtp.messages) == 3
    again = plan_for(PEOPLE)
    assert not again.has_changes and not again.accounts.has_changes
    counts = apply(PEOPLE)
    assert counts["accounts_created"] == 0 and counts["invitations_sent"] == 0
    assert list(User.objects.values_list("pk", "email").order_by("pk")) == accounts
    assert len(smtp.messages) == 3


def test_an_active_person_without_an_account_gets_one_on_the_next_import(db, smtp, apply) -> None:  # type: ignore[no-untyped-def]
    """People imported before accounts existed (no account, unchanged in HR) get one too."""
    apply(PEOPLE)
    chris = Person.objects.get(external_id="E3")
    old_account = chris.user
    chris.user = None
    chris.save()
    old_account.delete()  # type: ignore[union-attr]
    plan = plan_for(PEOPLE)
    assert plan.people_unchanged == 3 and plan.has_changes
    assert [state.external_id for state in plan.accounts.create] == ["E3"]
    apply(PEOPLE)
    assert Person.objects.get(external_id="E3").user is not None
    assert [message["To"] for message in smtp.messages[3:]] == ["chris@uni.nl"]


def test_an_account_with_the_persons_address_is_linked_not_duplicated(org, smtp, apply) -> None:  # type: ignore[no-untyped-def]
    """The analyst persona has an account but no place in the organisation yet."""
    people = PEOPLE + "E9,Analyst,analyst@example.org,T1,postdoc,temporary,en,\n"
    plan = plan_for(people)
    assert [state.external_id for state, _pk in plan.accounts.link] == ["E9"]
    apply(people)
    analyst = org.users["analyst"]
    assert Person.objects.get(external_id="E9").user == analyst
    assert analyst.has_usable_password()  # their own password stays: no invitation
    assert "analyst@example.org" not in {message["To"] for message in smtp.messages}


def test_a_login_address_cannot_move_onto_another_account(org, apply, english) -> None:  # type: ignore[no-untyped-def]
    # The staff member's address in HR becomes the analyst's login (an account of nobody in HR).
    people = (
        PEOPLE
        + "P-staff,Staff,analyst@example.org,T1,postdoc,temporary,nl,\n"
        + "P-leader,Leader,leader@example.org,PSY,full_professor,permanent,nl,\n"
        + "P-other_leader,Other,other_leader@example.org,PSY,full_professor,temporary,nl,\n"
    )
    plan = plan_for(people)
    [line] = [line for line in plan.accounts.lines()["refused"] if line.external_id == "P-staff"]
    assert line.old_email == "staff@example.org"
    assert "staff@example.org" in line.reason
    apply(people)
    assert User.objects.filter(email="staff@example.org").exists()
    assert Person.objects.get(external_id="P-staff").user == org.users["staff"]
    # The old address is still the staff member's login: a newcomer with it gets no account.
    newcomer = people + "E10,Newcomer,staff@example.org,T1,phd,temporary,nl,\n"
    plan = plan_for(newcomer)
    assert [p.external_id for p in plan.people_add] == ["E10"]
    assert "E10" not in {state.external_id for state in plan.accounts.create}
    [line] = [line for line in plan.accounts.lines()["refused"] if line.external_id == "E10"]
    assert "No account is made" in line.reason


# --- The invitation link -------------------------------------------------------------------


def test_the_link_lets_the_person_choose_a_password_and_logs_them_in_with_a_welcome(
    db, smtp, apply
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    message = next(m for m in smtp.messages if m["To"] == "bram@uni.nl")
    link = link_in(message)
    client, done = choose_password(link)
    assert done.redirect_chain[-1][0] == reverse("web:home")
    page = done.content.decode()
    assert "Welcome to Vrijuit, Bram Jansen." in page  # Bram works in English
    assert client.get(reverse("web:home")).context["user"].email == "bram@uni.nl"
    assert Invitation.objects.get(user__email="bram@uni.nl").accepted_at is not None
    # The link is used up.
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
    assert "This invitation link no longer works." in again.content.decode()
    # ... and it says where a new link comes from: "forgot password" re-invites.
    assert reverse("accounts:password_reset") in again.content.decode()
    # And the password works at the login page.
    login = Client().post(
        reverse("accounts:login"), {"username": "bram@uni.nl", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_the_password_page_is_in_the_persons_language_and_links_help_and_errors(
    db, smtp, apply
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    link = link_in(next(m for m in smtp.messages if m["To"] == "ans@uni.nl"))
    client = Client()
    form = client.get(link, follow=True)
    page = form.content.decode()
    assert '<html lang="nl">' in page
    assert "Kies je wachtwoord" in page
    assert 'for="id_new_password1"' in page and 'for="id_new_password2"' in page
    assert 'aria-describedby="id_new_password1_help' in page
    wrong = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "other"}
    )
    page = wrong.content.decode()
    assert wrong.status_code == 200 and 'role="alert"' in page
    assert 'id="id_new_password2_errors"' in page
    assert re.search(r'aria-describedby="[^"]*id_new_password2_errors"', page)
    assert not User.objects.get(email="ans@uni.nl").has_usable_password()


def test_a_browser_language_choice_wins_on_the_password_page(db, smtp, apply, settings) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    link = link_in(next(m for m in smtp.messages if m["To"] == "ans@uni.nl"))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(link, follow=True).content.decode()
    assert '<html lang="en">' in page and "Choose your password" in page


def test_the_link_expires_after_the_days_the_mail_names(db, apply) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    user = User.objects.get(email="ans@uni.nl")
    token = invitation_tokens.make_token(user)
    now = invitation_tokens._now()

    class Later(invitations.InvitationTokenGenerator):
        def __init__(self, days: float) -> None:
            super().__init__()
            self.days = days

        def _now(self) -> dt.datetime:
            return now + dt.timedelta(days=self.days)

    assert Later(invitations.VALID_DAYS - 0.1).check_token(user, token)
    assert not Later(invitations.VALID_DAYS + 0.1).check_token(user, token)


def test_an_invitation_link_is_no_password_reset_link_and_the_other_way_round(db, apply) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.tokens import default_token_generator

    apply(PEOPLE)
    user = User.objects.get(email="ans@uni.nl")
    assert not default_token_generator.check_token(user, invitation_tokens.make_token(user))
    assert not invitation_tokens.check_token(user, default_token_generator.make_token(user))


def test_an_invitation_no_longer_opens_an_account_hr_closed(db, smtp, apply) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    link = link_in(next(m for m in smtp.messages if m["To"] == "chris@uni.nl"))
    apply(HEADER + ANS + BRAM)  # Chris left
    response = Client().get(link, follow=True)
    assert not response.context["validlink"]


# --- Leaving and coming back; addresses ------------------------------------------------------


def test_someone_hr_no_longer_lists_cannot_log_in_and_their_session_ends(org, apply) -> None:  # type: ignore[no-untyped-def]
    everyone = (
        PEOPLE
        + "P-staff,Staff,staff@example.org,T1,postdoc,temporary,nl,\n"
        + "P-leader,Leader,leader@example.org,PSY,full_professor,permanent,nl,\n"
    )
    apply(everyone)
    session = Client()
    session.force_login(org.users["staff"])
    assert session.get(reverse("web:home")).status_code == 200

    plan = plan_for(
        everyone.replace("P-staff,Staff,staff@example.org,T1,postdoc,temporary,nl,\n", "")
    )
    assert [state.external_id for state, _pk in plan.accounts.deactivate] == ["P-staff"]
    apply(everyone.replace("P-staff,Staff,staff@example.org,T1,postdoc,temporary,nl,\n", ""))
    staff = User.objects.get(email="staff@example.org")
    assert not staff.is_active and staff.deactivated_by_hr
    home = session.get(reverse("web:home"))
    assert home.status_code == 302 and reverse("accounts:login") in home["Location"]
    login = Client().post(
        reverse("accounts:login"), {"username": "staff@example.org", "password": PASSWORD}
    )
    assert login.status_code == 200  # the form again, with an error: no login

    # HR lists them again: the same account opens again.
    plan = plan_for(everyone)
    assert [state.external_id for state, _pk in plan.accounts.reactivate] == ["P-staff"]
    apply(everyone)
    staff.refresh_from_db()
    assert staff.is_active and not staff.deactivated_by_hr
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": "staff@example.org", "password": PASSWORD})
        .status_code
        == 302
    )


def test_an_account_closed_by_hand_stays_closed_when_hr_lists_the_person(org, apply) -> None:  # type: ignore[no-untyped-def]
    staff = org.users["staff"]
    staff.is_active = False
    staff.save()
    apply(PEOPLE + "P-staff,Staff,staff@example.org,T1,postdoc,temporary,nl,\n")
    staff.refresh_from_db()
    assert not staff.is_active


def test_an_address_change_in_hr_changes_the_login(db, smtp, apply) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    link = link_in(next(m for m in smtp.messages if m["To"] == "ans@uni.nl"))
    choose_password(link)
    account = User.objects.get(email="ans@uni.nl")
    # Ans and Bram swap addresses in one import (it happens when a typo is fixed).
    swapped = (
        PEOPLE.replace("ans@uni.nl", "tmp@uni.nl")
        .replace("bram@uni.nl", "ans@uni.nl")
        .replace("tmp@uni.nl", "bram@uni.nl")
    )
    plan = plan_for(swapped)
    assert len(plan.accounts.readdress) == 2 and not plan.accounts.lines()["refused"]
    counts = apply(swapped)
    assert counts["login_addresses_changed"] == 2
    account.refresh_from_db()
    assert account.email == "bram@uni.nl"
    login = Client().post(
        reverse("accounts:login"), {"username": "bram@uni.nl", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_the_last_administrators_account_stays_open_and_the_preview_says_why(
    org, apply, english
) -> None:  # type: ignore[no-untyped-def]
    admin = org.users["admin"]
    Person.objects.create(
        external_id="P-admin",
        name="Admin",
        email=admin.email,
        unit=org.clinical,
        position_level="postdoc",
        contract="temporary",
        user=admin,
    )
    plan = plan_for(PEOPLE)  # the personas' organisation is not in the file: all leave
    deactivated = {state.external_id for state, _pk in plan.accounts.deactivate}
    assert "P-admin" not in deactivated and {"P-staff", "P-leader"} <= deactivated
    [kept] = [line for line in plan.accounts.lines()["refused"] if line.external_id == "P-admin"]
    assert "last administrator" in kept.reason
    apply(PEOPLE)
    admin.refresh_from_db()
    assert admin.is_active
    # Once someone else is an administrator, the next import closes the account after all.
    RoleGrant.objects.create(user=User.objects.get(email="ans@uni.nl"), role=Role.ADMINISTRATOR)
    apply(PEOPLE)
    admin.refresh_from_db()
    assert not admin.is_active


# --- Preview and summary in the browser ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "forecast", "summary"),
    [
        (
            "en",
            "Accounts: 3 to make, each with an invitation to choose a password; 3 to deactivate;",
            "Accounts: 3 made, each with an invitation to choose a password; 3 deactivated;",
        ),
        (
            "nl",
            "Accounts: 3 aan te maken, elk met een uitnodiging om een wachtwoord te kiezen; "
            "3 te deactiveren;",
            "Accounts: 3 aangemaakt, elk met een uitnodiging om een wachtwoord te kiezen; "
            "3 gedeactiveerd;",
        ),
    ],
)
def test_the_preview_counts_the_accounts_and_the_summary_keeps_them(
    org, as_persona, smtp, django_capture_on_commit_callbacks, language, forecast, summary
) -> None:  # type: ignore[no-untyped-def]
    admin = org.users["admin"]
    admin.language = language
    admin.save()
    client = as_persona("admin")
    response = client.post(
        reverse("org:import_upload"),
        {
            "units_file": SimpleUploadedFile("units.csv", UNITS.encode()),
            "people_file": SimpleUploadedFile("people.csv", PEOPLE.encode()),
        },
    )
    preview = client.get(response["Location"])
    page = " ".join(preview.content.decode().split())
    assert forecast in page
    assert "staff@example.org" in page  # named in the accounts to deactivate
    upload = HrUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("org:import_apply", args=[upload.pk]),
            {"fingerprint": preview.context["plan"].fingerprint()},
        )
    upload.refresh_from_db()
    assert upload.summary["accounts_created"] == 3
    assert upload.summary["accounts_deactivated"] == 3  # staff, leader, other leader
    assert upload.summary["invitations_sent"] == 3
    done = " ".join(
        client.get(reverse("org:import_preview", args=[upload.pk])).content.decode().split()
    )
    assert summary in done
    assert len(smtp.messages) == 3


def test_a_mail_server_that_is_down_loses_no_import(db, settings, apply, caplog) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    apply(PEOPLE)
    assert User.objects.filter(email__in=["ans@uni.nl", "bram@uni.nl"]).count() == 2
    assert all(invitation.sent_at is None for invitation in Invitation.objects.all())
    assert "Could not send 3 account e-mail(s)" in caplog.text


# --- Sending an invitation again ----------------------------------------------------------


def test_an_invitation_can_be_sent_again_but_not_more_than_once_an_hour(
    db, smtp, apply, django_capture_on_commit_callbacks, english
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    user = User.objects.get(email="chris@uni.nl")
    first = link_in(next(m for m in smtp.messages if m["To"] == "chris@uni.nl"))
    with pytest.raises(InvitationError, match="less than an hour ago"):
        resend_invitation(user)
    Invitation.objects.filter(user=user).update(
        queued_at=timezone.now() - invitations.RESEND_INTERVAL - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        resend_invitation(user)
    second = link_in(smtp.messages[-1])
    assert smtp.messages[-1]["To"] == "chris@uni.nl"
    assert Invitation.objects.get(user=user).times_sent == 2
    assert not Client().get(first, follow=True).context["validlink"]  # the older link is void
    assert Client().get(second, follow=True).context["validlink"]
    with translation.override("en"), pytest.raises(InvitationError, match="less than an hour"):
        resend_invitation(user)  # (a request above activated its own language)


def test_no_invitation_for_an_account_with_a_password_or_an_inactive_one(org, english) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvitationError, match="already chosen a password"):
        resend_invitation(org.users["staff"])
    ghost = User.objects.create_user("ghost@example.org", None, is_active=False)
    with pytest.raises(InvitationError, match="inactive"):
        resend_invitation(ghost)


def test_the_administrator_sends_an_invitation_again_from_the_roles_page(
    org, as_persona, smtp, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    invitee = User.objects.create_user("invitee@example.org", None, first_name="Ina")
    org.users["admin"].language = "en"
    org.users["admin"].save()
    client = as_persona("admin")
    page = client.get(reverse("accounts:roles"), {"q": "invitee"}).content.decode()
    assert "Send an invitation" in page
    url = reverse("accounts:send_invitation", args=[invitee.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"q": "invitee"}, follow=True)
    assert "A new invitation is on its way to invitee@example.org" in response.content.decode()
    assert [m["To"] for m in smtp.messages] == ["invitee@example.org"]
    # A second click within the hour is refused, and says when it can be sent again.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"q": "invitee"}, follow=True)
    text = again.content.decode()
    assert "less than an hour ago" in text and "It can be sent again from" in text
    assert len(smtp.messages) == 1


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.sets(st.sampled_from(["E1", "E2", "E3", "E4"])),
        min_size=1,
        max_size=4,
    )
)
def test_accounts_always_match_who_hr_lists_and_nobody_is_invited_twice(
    db, django_capture_on_commit_callbacks, imports: list[set[str]]
) -> None:  # type: ignore[no-untyped-def]
    """After any sequence of imports: exactly the people HR lists have an active account, each
    person has at most one account, and each account got one invitation (when it was made)."""
    from django.core import mail
    from django.db import transaction

    rows = {
        "E1": ANS,
        "E2": BRAM,
        "E3": CHRIS,
        "E4": "E4,Dana Smit,dana@uni.nl,T1,support_staff,permanent,en,\n",
    }
    with transaction.atomic():
        mail.outbox = []
        for listed in imports:
            people = HEADER + "".join(rows[ext] for ext in sorted(listed))
            with django_capture_on_commit_callbacks(execute=True):
                apply_hr_plan(plan_for(people))
            for person in Person.objects.select_related("user"):
                assert person.user is not None
                assert person.user.is_active == (person.external_id in listed)
        ever_listed = set().union(*imports)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            User.objects.filter(person__external_id__in=ever_listed).values_list("email", flat=True)
        )
        transaction.set_rollback(True)


# --- The demo seed ------------------------------------------------------------------------


def test_the_demo_seed_makes_its_accounts_directly_and_invites_nobody(db, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.demo import load_units
    from vrijuit.demo_site.organisation import seed_accounts, seed_units

    units = seed_units(load_units())
    accounts = seed_accounts(units, password=PASSWORD)
    assert mailoutbox == []
    assert not Invitation.objects.exists()
    for account in accounts:
        assert User.objects.get(email=account.email).check_password(PASSWORD)


# --- "Forgot password" before choosing one -------------------------------------------------

INVITATION_SUBJECTS = {
    "Your account for Vrijuit: choose your password",
    "Je account voor Vrijuit: kies je wachtwoord",
}


def allow_resend(email: str) -> None:
    """Make the last invitation to ``email`` older than the re-send interval."""
    Invitation.objects.filter(user__email=email).update(
        queued_at=timezone.now() - invitations.RESEND_INTERVAL - dt.timedelta(seconds=1)
    )


def forgot_password(address: str, capture: Any) -> Any:
    """Use "forgot password" as a visitor would; run what waits for the commit."""
    with capture(execute=True):
        return Client().post(reverse("accounts:password_reset"), {"email": address})


def test_forgot_password_sends_a_fresh_invitation_to_someone_who_never_chose_one(
    db, smtp, apply, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    first = link_in(next(m for m in smtp.messages if m["To"] == "bram@uni.nl"))
    allow_resend("bram@uni.nl")
    response = forgot_password("Bram@Uni.NL", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    [mail] = smtp.messages[3:]
    assert mail["To"] == "bram@uni.nl"
    assert mail["Subject"] == "Your account for Vrijuit: choose your password"  # Bram: English
    assert Invitation.objects.get(user__email="bram@uni.nl").times_sent == 2
    assert not Client().get(first, follow=True).context["validlink"]  # the older link is void
    _client, done = choose_password(link_in(mail))
    assert "Welcome to Vrijuit, Bram Jansen." in done.content.decode()
    assert User.objects.get(email="bram@uni.nl").check_password(NEW_PASSWORD)


def test_forgot_password_sends_the_invitation_in_the_persons_language(
    db, smtp, apply, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    allow_resend("ans@uni.nl")
    forgot_password("ans@uni.nl", django_capture_on_commit_callbacks)
    [mail] = smtp.messages[3:]
    assert mail["Subject"] == "Je account voor Vrijuit: kies je wachtwoord"
    assert "De link werkt één keer en 5 dagen lang." in body(mail)


def test_forgot_password_within_the_hour_sends_nothing_and_the_link_keeps_working(
    db, smtp, apply, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    link = link_in(next(m for m in smtp.messages if m["To"] == "chris@uni.nl"))
    for _attempt in range(3):
        forgot_password("chris@uni.nl", django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 3  # only the import's invitations
    assert Invitation.objects.get(user__email="chris@uni.nl").times_sent == 1
    assert Client().get(link, follow=True).context["validlink"]
    # After the hour one request sends one invitation; the next one is too soon again.
    allow_resend("chris@uni.nl")
    forgot_password("chris@uni.nl", django_capture_on_commit_callbacks)
    forgot_password("chris@uni.nl", django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp.messages[3:]] == ["chris@uni.nl"]


def test_forgot_password_reinvites_only_an_active_account_with_an_open_invitation(
    org, smtp, apply, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    apply(PEOPLE)
    for address in ["ans@uni.nl", "bram@uni.nl", "chris@uni.nl"]:
        allow_resend(address)
    # Ans: closed by hand. Bram: chose a password, later made unusable by an administrator.
    User.objects.filter(email="ans@uni.nl").update(is_active=False)
    bram = User.objects.get(email="bram@uni.nl")
    Invitation.objects.filter(user=bram).update(accepted_at=timezone.now())
    # An account without a password that never had an invitation (made by hand).
    User.objects.create_user("handmade@example.org", None)
    for address in ["ans@uni.nl", "bram@uni.nl", "handmade@example.org", "nobody@uni.nl"]:
        forgot_password(address, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 3  # nothing beyond the import's invitations
    forgot_password("chris@uni.nl", django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp.messages[3:]] == ["chris@uni.nl"]


def test_forgot_password_for_an_account_with_a_password_still_sends_the_reset_link(
    org, smtp, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    forgot_password("staff@example.org", django_capture_on_commit_callbacks)
    [mail] = smtp.messages
    assert mail["Subject"] not in INVITATION_SUBJECTS
    assert "/accounts/password/reset/" in body(mail)
    assert "/accounts/welcome/" not in body(mail)


ACCOUNT_KINDS = {
    "unknown": "nobody@uni.nl",
    "with a password": "staff@example.org",
    "open invitation, may be re-sent": "bram@uni.nl",
    "open invitation, sent less than an hour ago": "ans@uni.nl",
    "inactive, no password": "chris@uni.nl",
    "no password, never invited": "handmade@example.org",
}


def _what_the_visitor_sees(address: str, capture: Any) -> tuple[object, ...]:
    """Everything the reset page gives back: status, headers, cookies, and the page it leads
    to (with the per-request CSRF token masked out)."""
    client = Client()
    with capture(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": address})
    headers = sorted((k, v) for k, v in response.headers.items() if k.lower() != "date")
    cookies = sorted(response.cookies.keys())
    page = client.get(response["Location"])
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())
    return response.status_code, headers, cookies, response.content, page.status_code, text


@pytest.fixture
def every_kind_of_account(org, smtp, apply):  # type: ignore[no-untyped-def]
    apply(PEOPLE + "P-staff,Staff,staff@example.org,T1,postdoc,temporary,nl,\n")
    allow_resend("bram@uni.nl")
    User.objects.filter(email="chris@uni.nl").update(is_active=False)
    User.objects.create_user("handmade@example.org", None)
    del smtp.messages[:]
    return smtp


def test_the_reset_page_answers_the_same_whatever_the_address_is(
    every_kind_of_account, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """No account enumeration: the visitor cannot tell which addresses have an account, nor
    what kind, from anything the page returns."""
    smtp = every_kind_of_account
    seen = {
        kind: _what_the_visitor_sees(address, django_capture_on_commit_callbacks)
        for kind, address in ACCOUNT_KINDS.items()
    }
    baseline = seen["unknown"]
    assert baseline[0] == 302 and baseline[4] == 200
    for kind, answer in seen.items():
        assert answer == baseline, kind
    # ... while behind the page, exactly the right people got mail.
    assert sorted(m["To"] for m in smtp.messages) == ["bram@uni.nl", "staff@example.org"]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(sorted(ACCOUNT_KINDS)),
    upper=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_the_reset_page_answers_the_same_for_any_spelling_of_any_address(
    every_kind_of_account, django_capture_on_commit_callbacks, kind: str, upper: list[bool]
) -> None:  # type: ignore[no-untyped-def]
    address = "".join(
        char.upper() if flip else char
        for char, flip in zip(ACCOUNT_KINDS[kind], upper, strict=False)
    )
    baseline = _what_the_visitor_sees("nobody@uni.nl", django_capture_on_commit_callbacks)
    assert _what_the_visitor_sees(address, django_capture_on_commit_callbacks) == baseline


# --- Sending again from the people page ---------------------------------------------------


@pytest.fixture
def invitees(org, smtp, apply):  # type: ignore[no-untyped-def]
    """Ans invited just now, Bram's invitation expired, Chris's never reached the mail server;
    the staff member has a password; Dana has no account."""
    apply(PEOPLE + "P-staff,Staff,staff@example.org,T1,postdoc,temporary,nl,\n")
    long_ago = timezone.now() - dt.timedelta(days=invitations.VALID_DAYS, hours=1)
    Invitation.objects.filter(user__email="bram@uni.nl").update(
        queued_at=long_ago, sent_at=long_ago
    )
    Invitation.objects.filter(user__email="chris@uni.nl").update(queued_at=long_ago, sent_at=None)
    Person.objects.create(
        external_id="E4",
        name="Dana Smit",
        email="dana@uni.nl",
        unit=org.clinical,
        position_level="phd",
        contract="temporary",
    )
    del smtp.messages[:]
    return smtp


def people_page(client: Client, **query: str) -> str:
    response = client.get(reverse("org:people"), query)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.mark.parametrize(
    ("language", "texts", "buttons"),
    [
        (
            "en",
            [
                "Invitation sent on",
                "It can be sent again from",
                "has expired; no password chosen yet.",
                "Invitation not sent yet; no password chosen yet.",
                "password chosen",
                "no account",
            ],
            ["Send the invitation to Bram Jansen again", "Send the invitation to Chris Bakker"],
        ),
        (
            "nl",
            [
                "Uitnodiging verstuurd op",
                "Opnieuw sturen kan vanaf",
                "is verlopen; nog geen wachtwoord gekozen.",
                "Uitnodiging nog niet verstuurd; nog geen wachtwoord gekozen.",
                "wachtwoord gekozen",
                "geen account",
            ],
            [
                "Stuur de uitnodiging opnieuw naar Bram Jansen",
                "Stuur de uitnodiging naar Chris Bakker",
            ],
        ),
    ],
)
def test_the_people_page_shows_where_each_invitation_stands(
    org, invitees, as_persona, language, texts, buttons
) -> None:  # type: ignore[no-untyped-def]
    admin = org.users["admin"]
    admin.language = language
    admin.save()
    page = people_page(as_persona("admin"))
    for text in texts:
        assert text in page, text
    found = re.findall(r"<button type=\"submit\">([^<]*)</button>", page)
    assert sorted(b for b in found if b in buttons or "Bram" in b or "Chris" in b) == sorted(
        buttons
    )
    # Ans was invited just now (the rate limit), the others have a password or no account.
    assert not any(name in button for button in found for name in ["Ans", "Staff", "Dana"])


def test_the_people_page_buttons_post_with_the_csrf_token_and_the_search(
    org, invitees, as_persona
) -> None:  # type: ignore[no-untyped-def]
    page = people_page(as_persona("admin"), q="bram")
    bram = Person.objects.get(email="bram@uni.nl")
    form = re.search(
        r'<form method="post" action="{}">(.*?)</form>'.format(
            reverse("org:send_invitation", args=[bram.pk])
        ),
        page,
    )
    assert form, page
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert '<input type="hidden" name="q" value="bram">' in form.group(1)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(org.users["admin"])
    assert forged.post(reverse("org:send_invitation", args=[bram.pk])).status_code == 403


def test_the_administrator_sends_an_invitation_again_from_the_people_page(
    org, invitees, as_persona, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    admin = org.users["admin"]
    admin.language = "en"
    admin.save()
    client = as_persona("admin")
    bram = Person.objects.get(email="bram@uni.nl")
    url = reverse("org:send_invitation", args=[bram.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"q": "bram"})
    assert response.status_code == 302
    assert response["Location"] == reverse("org:people") + "?q=bram"
    page = people_page(client, q="bram")
    assert "A new invitation is on its way to Bram Jansen (bram@uni.nl)." in page
    assert "Invitation sent on" in page and "It can be sent again from" in page
    [mail] = invitees.messages
    assert mail["To"] == "bram@uni.nl"
    _client, done = choose_password(link_in(mail))
    assert done.status_code == 200
    # A second click (from a page opened earlier) is refused, with the reason and the time.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"q": "bram"}, follow=True)
    text = " ".join(again.content.decode().split())
    assert "Bram Jansen" in text and "already chosen a password" in text
    chris = Person.objects.get(email="chris@uni.nl")
    chris_url = reverse("org:send_invitation", args=[chris.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(chris_url)
        too_soon = client.post(chris_url, follow=True)
    text = " ".join(too_soon.content.decode().split())
    assert "An invitation to chris@uni.nl was sent less than an hour ago." in text
    assert 'class="message message-error"' in text
    assert [m["To"] for m in invitees.messages] == ["bram@uni.nl", "chris@uni.nl"]


def test_the_people_page_refuses_people_it_cannot_invite(
    org, invitees, as_persona, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    admin = org.users["admin"]
    admin.language = "nl"
    admin.save()
    client = as_persona("admin")
    dana = Person.objects.get(email="dana@uni.nl")
    assert client.post(reverse("org:send_invitation", args=[dana.pk])).status_code == 404
    assert client.post(reverse("org:send_invitation", args=[99999])).status_code == 404
    assert client.get(reverse("org:send_invitation", args=[dana.pk])).status_code == 405
    staff = Person.objects.get(email="staff@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("org:send_invitation", args=[staff.pk]), follow=True)
    assert "heeft al een wachtwoord gekozen" in refused.content.decode()
    assert invitees.messages == []


def test_the_people_page_reads_accounts_and_invitations_in_a_fixed_number_of_queries(
    org, invitees, as_persona, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("admin")
    with django_assert_max_num_queries(12) as few:
        people_page(client)
    for number in range(20):
        user = User.objects.create_user(f"more{number}@uni.nl", None)
        now = timezone.now()
        Invitation.objects.create(user=user, sent_at=now, queued_at=now)
        Person.objects.create(
            external_id=f"M{number}",
            name=f"More {number}",
            email=user.email,
            unit=org.clinical,
            position_level="phd",
            contract="temporary",
            user=user,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = people_page(client)
    assert page.count("Uitnodiging verstuurd op") >= 20  # the administrator reads Dutch
