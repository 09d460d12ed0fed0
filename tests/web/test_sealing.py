"""The reporting key seals the attributes of Responses and invitations (surveys.sealing).

The attacker here has the database and nothing else (an administrator, a leaked backup): the
rows must not name any attribute value, a ciphertext must not open in another row, and the
server, which has the key, must read exactly what it wrote. A wrong or missing key is an error
that names the setting, never attributes that quietly went empty.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from django.core.checks import Error
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vrijuit import checks
from vrijuit.surveys import sealing, services
from vrijuit.surveys.models import Invitation, Response, Wave
from web.matrix_rows_surveys import add_people, make_wave

OTHER_KEY = base64.b64encode(b"another-reporting-key-32-bytes!!").decode()


def test_attributes_come_back_as_they_went_in() -> None:
    attributes = {"gender": "woman", "contract": "permanent"}
    binding = sealing.response_binding(uuid.uuid4(), 7)
    sealed = sealing.seal_attributes(attributes, binding)
    assert sealing.open_attributes(sealed, binding) == attributes
    assert b"woman" not in sealed and b"gender" not in sealed
    # A fresh nonce each time: the same attributes never give the same bytes.
    assert sealing.seal_attributes(attributes, binding) != sealed


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["gender", "nationality_group", "position_level", "contract"]),
        # The values are category codes: Person's fields hold at most 20 characters.
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", max_size=20),
    )
)
def test_the_length_does_not_tell_which_attributes_are_present(attributes: dict[str, str]) -> None:
    binding = sealing.invitation_binding(1, 1)
    sealed = sealing.seal_attributes(attributes, binding)
    assert len(sealed) == len(sealing.seal_attributes({}, binding))
    assert sealing.open_attributes(sealed, binding) == attributes


@pytest.mark.parametrize(
    "other",
    [
        sealing.response_binding("00000000-0000-0000-0000-000000000002", 1),  # another row
        sealing.response_binding("00000000-0000-0000-0000-000000000001", 2),  # another wave
        sealing.invitation_binding(1, 1),  # another kind of row
    ],
)
def test_a_ciphertext_does_not_open_for_another_row(other: sealing.Binding) -> None:
    binding = sealing.response_binding("00000000-0000-0000-0000-000000000001", 1)
    sealed = sealing.seal_attributes({"gender": "man"}, binding)
    with pytest.raises(sealing.SealedRowError, match="copied from another row"):
        sealing.open_attributes(sealed, other)


def test_a_wrong_key_is_an_error_naming_the_setting(settings) -> None:  # type: ignore[no-untyped-def]
    binding = sealing.response_binding(uuid.uuid4(), 1)
    sealed = sealing.seal_attributes({"gender": "man"}, binding)
    settings.REPORTING_KEY = OTHER_KEY
    with pytest.raises(sealing.ReportingKeyError, match="VRIJUIT_REPORTING_KEY is not the key"):
        sealing.open_attributes(sealed, binding)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "VRIJUIT_REPORTING_KEY is not set"),
        ("not base64 at all!", "VRIJUIT_REPORTING_KEY is not valid base64"),
        (base64.b64encode(b"too short").decode(), "decodes to 9 bytes, not 32"),
    ],
)
def test_a_missing_or_malformed_key_is_an_error_naming_the_setting(
    settings, value: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    settings.REPORTING_KEY = value
    with pytest.raises(sealing.ReportingKeyError, match=message):
        sealing.seal_attributes({}, sealing.invitation_binding(1, 1))


def test_url_safe_base64_is_accepted_too() -> None:
    raw = bytes(range(250, 256)) * 5 + b"\xfb\xff"
    assert sealing.parse_key(base64.urlsafe_b64encode(raw).decode()) == raw


@pytest.mark.parametrize("value", ["", "short", "DEVELOPMENT"])
def test_the_system_check_reports_a_missing_malformed_or_development_key(
    settings, value: str
) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.REPORTING_KEY = settings.DEVELOPMENT_REPORTING_KEY if value == "DEVELOPMENT" else value
    problems = checks._reporting_key_problems()
    assert [p.id for p in problems] == ["vrijuit.E006"]
    assert isinstance(problems[0], Error) and "VRIJUIT_REPORTING_KEY" in problems[0].msg
    settings.REPORTING_KEY = OTHER_KEY
    assert checks._reporting_key_problems() == []


# --- The rows the services write ---------------------------------------------------------


def _launched(org: Any, **fields: Any) -> Wave:
    wave = make_wave(org, **fields)
    services.launch_wave(wave)
    wave.refresh_from_db()
    return wave


def test_launch_seals_each_invitation_s_snapshot_bound_to_its_row(org) -> None:  # type: ignore[no-untyped-def]
    add_people(org.clinical, 4, "clin", contract="permanent")
    wave = _launched(org)
    invitations = list(Invitation.objects.filter(wave=wave).order_by("pk"))
    assert len(invitations) == 7  # the test organisation's 3 people and these 4
    for invitation in invitations:
        opened = sealing.invitation_attributes(invitation)
        assert set(opened) == {"position_level", "contract"}
    assert {sealing.invitation_attributes(i)["contract"] for i in invitations} >= {"permanent"}
    # Swapped between two rows, neither opens.
    first, second = invitations[0], invitations[1]
    first.sealed_attributes, second.sealed_attributes = (
        second.sealed_attributes,
        first.sealed_attributes,
    )
    with pytest.raises(sealing.SealedRowError):
        sealing.invitation_attributes(first)


def test_the_flush_seals_each_response_s_attributes_bound_to_its_row(
    org, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    add_people(org.clinical, 4, "clin", contract="permanent")
    wave = _launched(org, k=3)
    invitations = list(Invitation.objects.filter(wave=wave, unit=org.clinical))
    expected = sorted(
        tuple(sorted(sealing.invitation_attributes(invitation).items()))
        for invitation in invitations
    )
    for invitation in invitations:
        assert services.submit_response(invitation.pk, {"SU1": "4"})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.flush_inbox(wave) == len(invitations)
    responses = list(Response.objects.filter(wave=wave))
    assert sorted(tuple(sorted(sealing.response_attributes(r).items())) for r in responses) == (
        expected
    )
    one, other = responses[0], responses[1]
    one.sealed_attributes = other.sealed_attributes
    with pytest.raises(sealing.SealedRowError):
        sealing.response_attributes(one)


def test_without_the_key_nothing_is_launched_or_flushed(
    org, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    add_people(org.clinical, 4, "clin")
    wave = make_wave(org)
    settings.REPORTING_KEY = ""
    with pytest.raises(sealing.ReportingKeyError, match="VRIJUIT_REPORTING_KEY is not set"):
        services.launch_wave(wave)
    assert not Invitation.objects.exists()
    wave.refresh_from_db()
    assert wave.is_draft


# --- The migration that sealed the rows written before --------------------------------------

BEFORE_SEALING = [("surveys", "0007_sealed_attributes")]
AFTER_SEALING = [("surveys", "0008_seal_existing_attributes")]


def _rows(executor: MigrationExecutor, target: list[tuple[str, str]], name: str) -> list[Any]:
    model = executor.loader.project_state(target).apps.get_model("surveys", name)
    return list(model.objects.order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_rows_and_opens_them_again_going_back(
    org, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    add_people(org.clinical, 4, "clin", contract="permanent")
    wave = _launched(org, k=3)
    for invitation in Invitation.objects.filter(wave=wave, unit=org.clinical):
        services.submit_response(invitation.pk, {"SU1": "3"})
    with django_capture_on_commit_callbacks(execute=True):
        services.flush_inbox(wave)
    invited = {i.pk: sealing.invitation_attributes(i) for i in Invitation.objects.all()}
    answered = {r.pk: sealing.response_attributes(r) for r in Response.objects.all()}
    assert len(answered) == 5 and "permanent" in str(answered)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE_SEALING)  # back: every sealed value opened into the clear column
        executor = MigrationExecutor(connection)
        for name, expected in (("Invitation", invited), ("Response", answered)):
            rows = _rows(executor, BEFORE_SEALING, name)
            assert {row.pk: row.attributes for row in rows} == expected
            assert all(row.sealed_attributes is None for row in rows)

        settings.REPORTING_KEY = ""  # without the key: an error naming it, nothing changed
        with pytest.raises(sealing.ReportingKeyError, match="VRIJUIT_REPORTING_KEY"):
            executor.migrate(AFTER_SEALING)
        executor = MigrationExecutor(connection)
        assert all(r.sealed_attributes is None for r in _rows(executor, BEFORE_SEALING, "Response"))

        settings.REPORTING_KEY = settings.DEVELOPMENT_REPORTING_KEY
        executor.migrate(AFTER_SEALING)  # forward: sealed again, bound to the same rows
        executor = MigrationExecutor(connection)
        for name, expected in (("Invitation", invited), ("Response", answered)):
            rows = _rows(executor, AFTER_SEALING, name)
            opened = (
                sealing.invitation_attributes
                if name == "Invitation"
                else sealing.response_attributes
            )
            assert {row.pk: opened(row) for row in rows} == expected
    finally:
        settings.REPORTING_KEY = settings.DEVELOPMENT_REPORTING_KEY
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # the suite expects the latest


# --- What a copy of the database holds, and what the server still reads --------------------

# Distinctive values, planted straight into HR rows (the model's choices are not enforced on
# save), so that finding one anywhere in a table can only mean it was stored in clear.
PLANTED = {
    "gender": "zz-planted-gender",
    "nationality_group": "zz-planted-nation",
    "position_level": "zz-planted-level",
    "contract": "zz-planted-contract",
}


def _raw_table(model: Any) -> bytes:
    """Every value of every row of the model's table, as a reader of the database sees it."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (the name comes from the model)
        rows = cursor.fetchall()
    return b"\n".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for row in rows
        for value in row
    )


def _assert_no_planted_value_in_the_tables() -> None:
    for model in (Invitation, Response):
        stored = _raw_table(model)
        for value in (*PLANTED.values(), "zz-planted"):
            assert value.encode() not in stored, (model.__name__, value)


def test_no_table_names_an_attribute_after_launch_submit_flush_and_close(
    org, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    add_people(org.clinical, 5, "clin", **PLANTED)
    add_people(org.pedagogy, 4, "ped")
    attributes = list(PLANTED)
    wave = _launched(org, k=3, report_attributes=attributes, unit_attributes=attributes)
    _assert_no_planted_value_in_the_tables()
    invitations = list(Invitation.objects.filter(wave=wave, unit__in=[org.clinical, org.pedagogy]))
    planted = [i for i in invitations if sealing.invitation_attributes(i) == PLANTED]
    assert len(planted) == 5  # the launch kept them (5 >= k), sealed
    for invitation in invitations:
        assert services.submit_response(invitation.pk, {"SU1": "4", "SU2": "2"})
    _assert_no_planted_value_in_the_tables()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.flush_inbox(wave) == len(invitations)
    _assert_no_planted_value_in_the_tables()
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave)
    _assert_no_planted_value_in_the_tables()

    # With the key, the results read every attribute as it was launched.
    from vrijuit.results.models import ResultSnapshot
    from vrijuit.results.services import responses_frame

    frame = responses_frame(wave, attributes)
    for name, value in PLANTED.items():
        assert (frame[name] == value).sum() == 5, name
    # ... and the snapshot has its breakdowns (which ones disclosure control shows is its own
    # business: the planted cells' complements are small here).
    shown = ResultSnapshot.objects.get(wave=wave).shown
    assert "attribute:contract=temporary" in shown
    assert any(cell.startswith("unit_attribute:") for cell in shown)


def test_results_without_the_right_key_fail_naming_it_instead_of_losing_breakdowns(
    org, settings
) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import compute_wave_results
    from web.results_data import add_responses
    from web.results_data import make_wave as make_closed_wave

    wave = make_closed_wave(org)
    add_responses(wave, org.clinical, 6)
    settings.REPORTING_KEY = OTHER_KEY
    with pytest.raises(sealing.ReportingKeyError, match="VRIJUIT_REPORTING_KEY"):
        compute_wave_results(wave)
    settings.REPORTING_KEY = ""
    with pytest.raises(sealing.ReportingKeyError, match="VRIJUIT_REPORTING_KEY is not set"):
        compute_wave_results(wave)
