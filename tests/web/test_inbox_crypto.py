"""The inbox's per-batch encryption: what a copy of the database holds, the keys' life cycle,
nothing lost when a key is missing, and the races between submits and flushes (PostgreSQL).

The threat (docs/anonymity.md): a base backup or an archived WAL segment taken while answers wait
in the inbox. So these tests read the database the way such a copy would be read, with SQL and
not through the models, and check that the keys that would open it are gone after the flush.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import stat
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vrijuit import checks
from vrijuit.surveys import inbox, inbox_crypto, inbox_keys, services, worker
from vrijuit.surveys.models import InboxBatch, InboxEntry, Invitation, Response, Wave
from vrijuit.surveys.sealing import invitation_attributes
from web.matrix_rows_surveys import add_people, make_wave

ENTRY_TABLE = InboxEntry._meta.db_table
BATCH_TABLE = InboxBatch._meta.db_table


@pytest.fixture
def key_dir(settings) -> Path:  # type: ignore[no-untyped-def]
    return Path(settings.INBOX_KEY_DIR)  # a fresh tmp_path per test (conftest)


@pytest.fixture
def wave(org) -> Wave:  # type: ignore[no-untyped-def]
    """A launched wave (k = 3) over the test organisation: 10 invitees, among them a leader,
    people on temporary and on permanent contracts (the unit × contract cell)."""
    add_people(org.clinical, 4, "clin")
    add_people(org.pedagogy, 3, "ped", contract="permanent", language="en")
    wave = make_wave(org)
    services.launch_wave(wave)
    wave.refresh_from_db()
    return wave


def invitations(wave: Wave) -> list[Invitation]:
    return list(Invitation.objects.filter(wave=wave).order_by("pk"))


def of_unit(wave: Wave, unit: Any) -> list[Invitation]:
    """The invitations of one unit: a flush moves a unit only with k of its own entries."""
    return [i for i in invitations(wave) if i.unit_id == unit.pk]


def submit(invitation: Invitation, answers: dict[str, str] | None = None) -> bool:
    return services.submit_response(invitation.pk, answers or {"SU1": "4", "SU2": "skip"})


def flush(wave: Wave, capture: Any, **options: Any) -> int:
    """Flush as the worker does: the key clean-up runs once the flush has committed."""
    with capture(execute=True):
        return services.flush_inbox(wave, **options)


def key_files(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


def raw_rows(table: str) -> list[dict[str, Any]]:
    """A table as a copy of the database would hold it: plain SQL, no model in between."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


# --- What the database holds ------------------------------------------------------------------


def test_the_raw_inbox_rows_hold_no_answer_attribute_or_unit_in_clear(org, wave) -> None:  # type: ignore[no-untyped-def]
    people = invitations(wave)
    leader = next(i for i in people if i.leads_unit)
    permanent = next(
        i
        for i in people
        if not i.leads_unit and invitation_attributes(i).get("contract") == "permanent"
    )
    assert submit(leader, {"SU1": "5", "SU2": "1"})
    assert submit(permanent, {"SU1": "2"})
    payloads = [inbox.open_entry(entry) for entry in InboxEntry.objects.all()]
    contracts = {invitation_attributes(leader)["contract"], "permanent"}
    assert {p["attributes"]["contract"] for p in payloads} == contracts

    rows = raw_rows(ENTRY_TABLE)
    assert len(rows) == 2 and set(rows[0]) == {"id", "wave_id", "batch_id", "ciphertext"}
    stored = b"\n".join(as_bytes(value) for row in rows for value in row.values())
    values = {v.encode() for p in payloads for v in p["attributes"].values()}
    for clear in {b"answers", b"attributes", b"SU1", b"contract", b"position_level", *values}:
        assert clear not in stored, clear
    for payload in payloads:
        exact = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        assert exact not in stored
        assert json.dumps(payload["answers"]).encode() not in stored
    # Padded: a leader's entry (with the leaders' block) is as long as anyone else's.
    assert len({len(as_bytes(row["ciphertext"])) for row in rows}) == 1


def test_no_key_is_stored_anywhere_in_the_database(org, wave, key_dir) -> None:  # type: ignore[no-untyped-def]
    submit(invitations(wave)[0])
    (batch,) = InboxBatch.objects.all()
    key = inbox_keys.load_key(batch.pk)
    assert (key_dir / f"{batch.pk.hex}.key").read_bytes() == key
    for table in connection.introspection.table_names():
        for row in raw_rows(table):
            for value in row.values():
                data = as_bytes(value)
                assert key not in data and key.hex().encode() not in data, table


def test_keys_are_files_of_mode_0600_in_a_directory_of_mode_0700(org, wave, key_dir) -> None:  # type: ignore[no-untyped-def]
    assert not key_dir.exists()  # made by the first submit
    submit(invitations(wave)[0])
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    (name,) = key_files(key_dir)
    assert stat.S_IMODE((key_dir / name).stat().st_mode) == 0o600
    assert len((key_dir / name).read_bytes()) == inbox_keys.KEY_BYTES


def test_entries_of_one_open_batch_share_its_key_and_each_entry_is_bound_to_its_row(
    org, wave
) -> None:  # type: ignore[no-untyped-def]
    first, second = invitations(wave)[:2]
    submit(first, {"SU1": "1"})
    submit(second, {"SU1": "5"})
    assert InboxBatch.objects.count() == 1
    a, b = InboxEntry.objects.all()
    assert {inbox.open_entry(a)["answers"]["SU1"], inbox.open_entry(b)["answers"]["SU1"]} == {1, 5}
    # Swapping the two ciphertexts (same batch, same key) makes both unreadable, not swapped.
    InboxEntry.objects.filter(pk=a.pk).update(ciphertext=bytes(b.ciphertext))
    InboxEntry.objects.filter(pk=b.pk).update(ciphertext=bytes(a.ciphertext))
    with pytest.raises(inbox.InboxKeyError, match="does not open it"):
        inbox.open_entries(wave)


def test_an_entry_moved_to_another_wave_does_not_decrypt_there(org, wave) -> None:  # type: ignore[no-untyped-def]
    other = make_wave(org, title_nl="Andere peiling")
    submit(invitations(wave)[0])
    InboxEntry.objects.update(wave=other)
    with pytest.raises(inbox.InboxKeyError) as failure:
        inbox.open_entries(other)
    assert f"wave {other.pk}" in str(failure.value)


# --- The keys' life cycle ----------------------------------------------------------------------


def test_a_flush_destroys_the_key_of_every_batch_it_emptied_and_leftovers_keep_theirs(
    org, wave, key_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    people = of_unit(wave, org.clinical)
    submit(people[0])
    submit(people[1])
    (batch,) = InboxBatch.objects.all()
    assert flush(wave, django_capture_on_commit_callbacks) == 0  # 2 < k = 3: all stay
    assert key_files(key_dir) == {f"{batch.pk.hex}.key"}
    assert not InboxBatch.objects.get().sealed  # new submits still join it
    submit(people[2])
    assert InboxBatch.objects.count() == 1
    assert flush(wave, django_capture_on_commit_callbacks) == 3
    assert Response.objects.count() == 3 and not InboxEntry.objects.exists()
    assert key_files(key_dir) == set() and not InboxBatch.objects.exists()
    # The next submit starts a new batch with a new key.
    submit(people[3])
    (new,) = InboxBatch.objects.all()
    assert new.pk != batch.pk and key_files(key_dir) == {f"{new.pk.hex}.key"}


def test_a_copy_of_the_inbox_taken_before_the_flush_cannot_be_decrypted_after_it(
    org, wave, key_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    for invitation in of_unit(wave, org.clinical)[:4]:
        submit(invitation)
    (lone,) = of_unit(wave, org.psychology)  # a unit's lone respondent: stays in the inbox
    submit(lone)
    backup = raw_rows(ENTRY_TABLE)  # what a base backup or a WAL archive holds

    def read(row: dict[str, Any], key: bytes) -> dict[str, Any]:
        return inbox_crypto.decrypt(
            key,
            as_bytes(row["ciphertext"]),
            entry_id=uuid.UUID(str(row["id"])),
            wave_id=row["wave_id"],
            batch_id=uuid.UUID(str(row["batch_id"])),
        )

    # Before the flush, whoever holds the copy AND the key directory can read it; this is what
    # the test could fail on.
    batch_ids = {uuid.UUID(str(row["batch_id"])) for row in backup}
    keys = {batch_id: inbox_keys.load_key(batch_id) for batch_id in batch_ids}
    assert all(read(row, keys[uuid.UUID(str(row["batch_id"]))])["answers"] for row in backup)

    assert flush(wave, django_capture_on_commit_callbacks) == 4
    # The lone entry waits under a new batch's key, as a new row; its old batch's key is gone
    # although one of its entries is still waiting.
    (waiting,) = InboxEntry.objects.all()
    assert waiting.batch_id not in batch_ids
    assert str(waiting.pk) not in {str(row["id"]) for row in backup}
    assert inbox.open_entry(waiting)["unit"] == org.psychology.pk
    submit(of_unit(wave, org.pedagogy)[0])  # joins the new batch: it opens none of the copy
    for batch_id in batch_ids:
        with pytest.raises(inbox_keys.KeyUnavailableError, match="no key file"):
            inbox_keys.load_key(batch_id)
    remaining = [(key_dir / name).read_bytes() for name in key_files(key_dir)]
    assert len(remaining) == 1
    for row in backup:
        for key in remaining:
            with pytest.raises(inbox_crypto.CannotDecryptError):
                read(row, key)


def test_closing_moves_fewer_than_k_and_leaves_no_key(
    org, wave, key_dir, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "_compute_results", lambda w: None)
    submit(invitations(wave)[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave)
    assert Response.objects.count() == 1 and not InboxEntry.objects.exists()
    assert key_files(key_dir) == set() and not InboxBatch.objects.exists()


def test_a_key_file_without_a_batch_row_is_removed_once_it_is_old_enough(
    org, wave, key_dir
) -> None:  # type: ignore[no-untyped-def]
    """A submit that rolls back after writing its new batch's key leaves a key file without a
    row; it is removed, but only after a grace period (a younger one may belong to a submit
    that has not committed yet)."""

    class UndoError(Exception):
        pass

    with pytest.raises(UndoError), transaction.atomic():
        submit(invitations(wave)[0])
        raise UndoError
    assert not InboxBatch.objects.exists()
    assert not Invitation.objects.filter(responded=True).exists()
    (orphan,) = key_files(key_dir)
    (key_dir / ".0123abcd.5678.tmp").write_bytes(b"half")  # an interrupted key write
    (key_dir / "README").write_text("not ours")
    submit(invitations(wave)[1])  # a live batch: its key must stay
    (live,) = InboxBatch.objects.all()
    assert inbox.clean_up_keys() == 0  # all young
    later = time.time() + inbox.ORPHAN_KEY_GRACE_SECONDS + 60
    assert inbox.clean_up_keys(now=later) == 2
    assert key_files(key_dir) == {f"{live.pk.hex}.key", "README"} and orphan not in key_files(
        key_dir
    )


def test_a_deleted_wave_leaves_only_orphans_that_are_cleaned_up(org, wave, key_dir) -> None:  # type: ignore[no-untyped-def]
    submit(invitations(wave)[0])
    wave.delete()  # batches and entries go with the wave (RESTRICT allows it through CASCADE)
    assert not InboxBatch.objects.exists() and not InboxEntry.objects.exists()
    assert inbox.clean_up_keys(now=time.time() + 2 * inbox.ORPHAN_KEY_GRACE_SECONDS) == 1
    assert key_files(key_dir) == set()


# --- Nothing is lost -----------------------------------------------------------------------------


def test_a_missing_key_fails_the_flush_by_name_and_every_entry_survives(
    org, wave, key_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    for invitation in of_unit(wave, org.clinical)[:3]:
        submit(invitation)
    (batch,) = InboxBatch.objects.all()
    key_file = key_dir / f"{batch.pk.hex}.key"
    saved = key_file.read_bytes()
    key_file.unlink()
    with pytest.raises(inbox.InboxKeyError) as failure:
        flush(wave, django_capture_on_commit_callbacks)
    message = str(failure.value)
    assert f"wave {wave.pk}" in message and str(batch.pk) in message and "3 entries" in message
    assert "no key file" in message and str(key_file) in message
    assert InboxEntry.objects.count() == 3 and not Response.objects.exists()
    assert not InboxBatch.objects.get().sealed  # the failed flush changed nothing
    # A wrong key (another batch's, or a damaged file) fails the same way.
    key_file.write_bytes(secrets.token_bytes(inbox_keys.KEY_BYTES))
    with pytest.raises(inbox.InboxKeyError, match="does not open it"):
        flush(wave, django_capture_on_commit_callbacks, closing=True)
    key_file.write_bytes(b"short")
    with pytest.raises(inbox.InboxKeyError, match="holds 5 bytes"):
        flush(wave, django_capture_on_commit_callbacks)
    assert InboxEntry.objects.count() == 3
    # The key restored, the same entries flush.
    key_file.write_bytes(saved)
    assert flush(wave, django_capture_on_commit_callbacks) == 3
    assert sorted(r.answers["SU1"] for r in Response.objects.all()) == [4, 4, 4]
    assert key_files(key_dir) == set()


def test_a_submit_whose_open_batch_lost_its_key_starts_a_new_batch_and_nothing_is_lost(
    org, wave, key_dir, django_capture_on_commit_callbacks, caplog
) -> None:  # type: ignore[no-untyped-def]
    people = of_unit(wave, org.clinical)
    submit(people[0])
    (broken,) = InboxBatch.objects.all()
    saved = (key_dir / f"{broken.pk.hex}.key").read_bytes()
    (key_dir / f"{broken.pk.hex}.key").unlink()
    with caplog.at_level(logging.ERROR, logger="vrijuit.surveys.inbox"):
        assert submit(people[1]) and submit(people[2])
    assert str(broken.pk) in caplog.text and "SU1" not in caplog.text
    broken.refresh_from_db()
    assert broken.sealed and InboxBatch.objects.filter(sealed=False).count() == 1
    with pytest.raises(inbox.InboxKeyError, match=f"batch {broken.pk} \\(1 entries\\)"):
        flush(wave, django_capture_on_commit_callbacks)
    (key_dir / f"{broken.pk.hex}.key").write_bytes(saved)
    assert flush(wave, django_capture_on_commit_callbacks) == 3


def test_the_worker_logs_a_lost_key_without_answer_content_and_keeps_the_entries(
    org, wave, key_dir, caplog
) -> None:  # type: ignore[no-untyped-def]
    people = invitations(wave)
    permanent = [i for i in people if invitation_attributes(i).get("contract") == "permanent"]
    assert len(permanent) >= wave.k  # enough for the flush to try
    for invitation in permanent:
        submit(invitation, {"SU1": "5", "SU2": "1"})
    (batch,) = InboxBatch.objects.all()
    (key_dir / f"{batch.pk.hex}.key").unlink()
    with caplog.at_level(logging.INFO):
        assert worker.run_once() == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].name == "vrijuit.surveys.worker"
    assert errors[0].exc_info is None  # the message says it all; no traceback with locals
    logged = caplog.text
    assert f"wave {wave.pk}" in logged and str(batch.pk) in logged
    for content in ("SU1", "SU2", "permanent", "contract", "answers", "attributes"):
        assert content not in logged, content
    assert InboxEntry.objects.count() == len(permanent) and not Response.objects.exists()


# --- A key that is truly lost: manage.py inbox_keys -----------------------------------------


def a_lost_and_a_healthy_batch(
    wave: Wave, org: Any, key_dir: Path
) -> tuple[InboxBatch, InboxBatch]:
    submit(of_unit(wave, org.pedagogy)[0], {"SU1": "5"})
    (lost,) = InboxBatch.objects.all()
    (key_dir / f"{lost.pk.hex}.key").unlink()
    for invitation in of_unit(wave, org.clinical)[:3]:
        submit(invitation)  # the first one finds the key gone, seals that batch, starts anew
    healthy = InboxBatch.objects.exclude(pk=lost.pk).get()
    return lost, healthy


def test_inbox_keys_check_lists_batches_that_cannot_be_decrypted_by_counts_only(
    org, wave, key_dir
) -> None:  # type: ignore[no-untyped-def]
    lost, healthy = a_lost_and_a_healthy_batch(wave, org, key_dir)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 batches \(1 entries\) cannot be decrypted"):
        call_command("inbox_keys", "--check", stdout=out)
    report = out.getvalue()
    assert f"wave {wave.pk}, batch {lost.pk} (sealed): 1 entries, CANNOT DECRYPT: no key" in report
    assert f"wave {wave.pk}, batch {healthy.pk} (open): 3 entries, key OK" in report
    assert "2 batches with 4 entries waiting; 1 cannot be decrypted." in report
    for content in ("SU1", "answers", "contract", "permanent", "temporary", "phd"):
        assert content not in report, content
    # With every key in place, the check passes quietly.
    Response.objects.all().delete()
    InboxEntry.objects.filter(batch=lost).delete()
    out = io.StringIO()
    call_command("inbox_keys", "--check", stdout=out)
    assert "0 cannot be decrypted" in out.getvalue()


def test_discarding_a_lost_batch_needs_confirm_loses_only_its_answers_and_lets_the_wave_close(
    org, wave, key_dir, caplog, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "_compute_results", lambda w: None)
    lost, healthy = a_lost_and_a_healthy_batch(wave, org, key_dir)
    with pytest.raises(inbox.InboxKeyError):
        services.close_wave(wave)  # the wave cannot close while the batch waits
    with pytest.raises(
        CommandError, match=r"1 entries\. .*lost for good\. Run again with --confirm"
    ):
        call_command("inbox_keys", "--discard-batch", str(lost.pk))
    assert InboxEntry.objects.count() == 4  # not without --confirm
    out = io.StringIO()
    caplog.clear()
    with (
        caplog.at_level(logging.WARNING, logger="vrijuit.surveys.inbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("inbox_keys", "--discard-batch", str(lost.pk), "--confirm", stdout=out)
    assert f"Discarded batch {lost.pk} of wave {wave.pk}: 1 answers are lost" in out.getvalue()
    (record,) = [r for r in caplog.records if r.name == "vrijuit.surveys.inbox"]
    assert "1 answers" in record.getMessage() and "SU1" not in record.getMessage()
    assert not InboxBatch.objects.filter(pk=lost.pk).exists()
    assert InboxEntry.objects.filter(batch=healthy).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave)
    assert Response.objects.filter(wave=wave).count() == 3
    assert sorted(r.answers["SU1"] for r in Response.objects.all()) == [4, 4, 4]
    assert key_files(key_dir) == set()


def test_a_batch_whose_key_still_opens_it_is_never_discarded(org, wave, key_dir) -> None:  # type: ignore[no-untyped-def]
    _lost, healthy = a_lost_and_a_healthy_batch(wave, org, key_dir)
    with pytest.raises(CommandError, match="opens all 3 of its entries: flush"):
        call_command("inbox_keys", "--discard-batch", str(healthy.pk), "--confirm")
    assert InboxEntry.objects.filter(batch=healthy).count() == 3
    with pytest.raises(CommandError, match="not a batch id"):
        call_command("inbox_keys", "--discard-batch", "batch-7", "--confirm")
    with pytest.raises(CommandError, match="There is no inbox batch"):
        call_command("inbox_keys", "--discard-batch", str(uuid.uuid4()), "--confirm")
    with pytest.raises(CommandError):
        call_command("inbox_keys")  # one of --check or --discard-batch


# --- The invariant over any order of submits and flushes --------------------------------------


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.one_of(st.integers(0, 9), st.sampled_from(["flush", "close-flush", "lose-key"])),
        min_size=1,
        max_size=25,
    )
)
def test_every_submitted_answer_is_either_waiting_with_its_key_or_flushed(
    wave, key_dir, django_capture_on_commit_callbacks, steps
) -> None:  # type: ignore[no-untyped-def]
    """Any sequence of submits, flushes and lost (then restored) keys: every stored answer is
    a response or an entry whose batch's key opens it; no key outlives its entries."""
    people = invitations(wave)
    stored = 0
    for step in steps:
        if step == "lose-key":
            for name in key_files(key_dir):
                saved = (key_dir / name).read_bytes()
                (key_dir / name).unlink()
                with pytest.raises(inbox.InboxKeyError):
                    flush(wave, django_capture_on_commit_callbacks, closing=True)
                (key_dir / name).write_bytes(saved)
        elif isinstance(step, str):
            flush(wave, django_capture_on_commit_callbacks, closing=step == "close-flush")
        elif submit(people[step], {"SU1": str(1 + step % 5)}):
            stored += 1
        waiting = list(InboxEntry.objects.all())
        assert Response.objects.count() + len(waiting) == stored
        if step == "close-flush":
            assert not waiting
        elif step == "flush":  # no unit is left with k waiting
            units = Counter(inbox.open_entry(entry)["unit"] for entry in waiting)
            assert all(n < wave.k for n in units.values()), units
        for entry in waiting:
            assert inbox.open_entry(entry)["answers"]["SU1"] in range(1, 6)
        live = {b.pk.hex for b in InboxBatch.objects.all()}
        assert {name.removesuffix(".key") for name in key_files(key_dir)} == live
        assert not InboxBatch.objects.filter(sealed=True, entries__isnull=True).exists()
    assert Response.objects.filter(wave=wave).count() <= stored
    Response.objects.all().delete()
    InboxEntry.objects.all().delete()
    InboxBatch.objects.update(sealed=True)
    inbox.clean_up_keys()
    Invitation.objects.update(responded=False)


# --- A flush moves a unit only with k of its own entries ---------------------------------------


def responses_per_unit(wave: Wave) -> Counter[int]:
    return Counter(Response.objects.filter(wave=wave).values_list("unit_id", flat=True))


def test_a_unit_s_lone_respondent_stays_in_the_inbox_while_other_units_flush(
    org, wave, key_dir, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Psychologie has one invitee. If their answers reached the reporting store with other
    units' batch, the one Response of Psychologie would be theirs (their invitation is the
    unit's only one marked responded)."""
    (lone,) = of_unit(wave, org.psychology)
    submit(lone, {"SU1": "1"})
    for invitation in of_unit(wave, org.clinical)[:3]:
        submit(invitation)
    for invitation in of_unit(wave, org.pedagogy)[:2]:
        submit(invitation)
    assert flush(wave, django_capture_on_commit_callbacks) == 3
    assert responses_per_unit(wave) == {org.clinical.pk: 3}
    waiting = Counter(inbox.open_entry(e)["unit"] for e in InboxEntry.objects.all())
    assert waiting == {org.psychology.pk: 1, org.pedagogy.pk: 2}
    assert flush(wave, django_capture_on_commit_callbacks) == 0  # nothing new: nothing moves
    submit(of_unit(wave, org.pedagogy)[2])
    assert flush(wave, django_capture_on_commit_callbacks) == 3
    assert responses_per_unit(wave) == {org.clinical.pk: 3, org.pedagogy.pk: 3}
    (still,) = InboxEntry.objects.all()
    assert inbox.open_entry(still)["answers"]["SU1"] == 1  # waiting, encrypted, unchanged
    assert key_files(key_dir) == {f"{still.batch_id.hex}.key"}
    # At the close it moves: the invitations that could point at it are erased then.
    monkeypatch.setattr(services, "_compute_results", lambda w: None)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave)
    assert responses_per_unit(wave)[org.psychology.pk] == 1
    assert not InboxEntry.objects.exists() and key_files(key_dir) == set()


@hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.one_of(st.integers(0, 9), st.just("flush")), min_size=1, max_size=30))
def test_until_the_close_every_unit_has_no_responses_or_at_least_k(
    wave, key_dir, django_capture_on_commit_callbacks, steps
) -> None:  # type: ignore[no-untyped-def]
    """Any sequence of submits and flushes: every unit's number of Responses is 0 or at least
    k, and it only ever grows by k or more; at the close every stored answer is a Response."""
    people = invitations(wave)
    stored = 0
    seen: Counter[int] = Counter()
    for step in steps:
        if step == "flush":
            flush(wave, django_capture_on_commit_callbacks)
        elif submit(people[step], {"SU1": "3"}):
            stored += 1
        now = responses_per_unit(wave)
        for unit, n in now.items():
            assert n >= wave.k, (unit, n)
            assert n == seen[unit] or n - seen[unit] >= wave.k, (unit, seen[unit], n)
        seen = now
        assert Response.objects.count() + InboxEntry.objects.count() == stored
    # The close moves the rest (in the same transaction that erases the participation marks).
    assert services.flush_inbox(wave, closing=True) == stored - sum(seen.values())
    assert Response.objects.count() == stored
    Response.objects.all().delete()
    InboxBatch.objects.update(sealed=True)
    inbox.clean_up_keys()
    Invitation.objects.update(responded=False)


# --- Concurrent submits and flushes (PostgreSQL) --------------------------------------------


def run_together(jobs: list[Any]) -> list[BaseException]:
    """Start every job at the same moment in its own thread (own connection); their errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Any) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as error:  # collected and asserted on by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def postgres_only() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers: PostgreSQL (make pytest-postgres)")


@pytest.mark.django_db(transaction=True)
def test_first_submits_racing_to_open_a_batch_all_land_in_valid_batches(org, key_dir) -> None:  # type: ignore[no-untyped-def]
    postgres_only()
    add_people(org.clinical, 5, "clin")
    wave = make_wave(org)
    services.launch_wave(wave)
    people = of_unit(wave, org.clinical)[:6]
    results: list[bool] = []
    errors = run_together(
        [lambda i=i: results.append(submit(i, {"SU1": "3"})) for i in people]  # type: ignore[misc]
    )
    assert not errors and results == [True] * 6
    batches = InboxBatch.objects.filter(wave=wave)
    assert 1 <= batches.count() <= 6
    assert key_files(key_dir) == {f"{b.pk.hex}.key" for b in batches}
    assert [inbox.open_entry(e)["answers"]["SU1"] for e in InboxEntry.objects.all()] == [3] * 6
    assert services.flush_inbox(wave) == 6  # outside a transaction: keys go at its commit
    assert key_files(key_dir) == set() and not InboxBatch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_submits_racing_with_flushes_lose_nothing_and_leave_no_key(org, key_dir) -> None:  # type: ignore[no-untyped-def]
    """Three respondents' threads submit while a worker thread flushes over and over: no
    entry may land in a batch after its flush sealed it (its key would then be destroyed)."""
    postgres_only()
    add_people(org.clinical, 14, "clin")
    wave = make_wave(org)
    services.launch_wave(wave)
    people = invitations(wave)
    stored: list[bool] = []
    done = threading.Event()

    def respondents(share: list[Invitation]) -> Any:
        def run() -> None:
            for invitation in share:
                stored.append(submit(invitation, {"SU1": "2"}))

        return run

    def flusher() -> None:
        # After the submits, flush until a flush moves nothing (no unit has k waiting).
        while services.flush_inbox(wave) or not done.is_set():
            time.sleep(0.002)

    thirds = [people[i::3] for i in range(3)]
    jobs = [respondents(share) for share in thirds]

    def flushing() -> None:
        try:
            flusher()
        finally:
            connections.close_all()

    flush_thread = threading.Thread(target=flushing)
    flush_thread.start()
    errors = run_together(jobs)
    done.set()
    flush_thread.join()
    assert not errors and stored == [True] * len(people)
    services.flush_inbox(wave, closing=True)
    assert Response.objects.filter(wave=wave).count() == len(people)
    assert not InboxEntry.objects.exists()
    inbox.clean_up_keys()
    assert key_files(key_dir) == set() and not InboxBatch.objects.exists()


# --- Configuration -----------------------------------------------------------------------------


def problems(settings: Any, directory: Path | None) -> set[str]:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.INBOX_KEY_DIR = directory
    return {
        problem.id
        for problem in checks.check_production_settings()
        if problem.id in {"vrijuit.E004", "vrijuit.E005"}
    }


def test_production_needs_a_private_key_directory(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert problems(settings, None) == {"vrijuit.E004"}
    assert problems(settings, Path("relative/keys")) == {"vrijuit.E004"}
    assert problems(settings, tmp_path / "not-yet-made") == set()  # made at the first submit
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)  # noqa: S103 (the unsafe mode the check must catch)
    assert problems(settings, shared) == {"vrijuit.E005"}
    os.chmod(shared, 0o700)
    assert problems(settings, shared) == set()
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    assert problems(settings, a_file) == {"vrijuit.E005"}


def test_without_a_key_directory_submits_fail_loudly_and_store_nothing(org, wave, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ImproperlyConfigured

    settings.INBOX_KEY_DIR = None
    with pytest.raises(ImproperlyConfigured, match="VRIJUIT_INBOX_KEY_DIR"):
        submit(invitations(wave)[0])
    assert not InboxEntry.objects.exists()
    assert not Invitation.objects.filter(responded=True).exists()


def test_development_keeps_its_keys_under_the_projects_var_directory() -> None:
    import vrijuit.settings as defaults

    root = Path(defaults.BASE_DIR).parent.parent
    if os.environ.get("VRIJUIT_INBOX_KEY_DIR"):
        pytest.skip("VRIJUIT_INBOX_KEY_DIR is set in this environment")
    assert root / "var" / "inbox-keys" == defaults.INBOX_KEY_DIR


# --- Upgrading a database with answers waiting in the inbox --------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_waiting_plaintext_entries_and_can_go_back(org, key_dir) -> None:  # type: ignore[no-untyped-def]
    wave = make_wave(org)
    payload = {"unit": org.clinical.pk, "attributes": {"contract": "permanent"}, "answers": {}}
    before, latest = (
        [("surveys", "0001_initial")],
        [("surveys", "0004_inbox_payload_only_encrypted")],
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("surveys", "InboxEntry")
        entry = old.objects.create(wave_id=wave.pk, payload=payload)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        (row,) = raw_rows(ENTRY_TABLE)
        assert "payload" not in row and b"permanent" not in as_bytes(row["ciphertext"])
        assert inbox.open_entry(InboxEntry.objects.get(pk=entry.pk)) == payload
        assert len(key_files(key_dir)) == 1
        # Back again: the plaintext returns and the key is destroyed.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        assert old.objects.get(pk=entry.pk).payload == payload and key_files(key_dir) == set()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # the suite expects the latest


# --- What respondents are told ---------------------------------------------------------------


def test_the_privacy_statement_says_waiting_answers_are_encrypted_in_both_languages(wave) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string
    from django.utils import translation

    for language, said in (
        ("en", "they wait in encrypted form"),
        ("nl", "wachten ze versleuteld"),
    ):
        with translation.override(language):
            text = " ".join(render_to_string("surveys/_privacy.html", {"wave": wave}).split())
        assert said in text, language
        assert "back-ups die worden gemaakt" not in text  # the old, weaker promise is gone
