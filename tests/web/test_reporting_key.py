"""Rotating the reporting key (``manage.py reporting_key``, ``surveys.key_rotation``).

What an operator relies on: after ``rotate`` every sealed value is under the new key and the
results are exactly what they were; running it again, or again after an interruption, changes
nothing more or finishes the job; a wrong old key is refused before anything is written; while
the rotation is half done the results still read every attribute (with the old key set) or fail
naming the command; ``check`` tells by its exit status whether the rotation is complete; and no
key ever appears in the output or the log.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vrijuit.results.services import responses_frame
from vrijuit.surveys import key_rotation, sealing, services
from vrijuit.surveys.models import Invitation, Response, Wave
from web import results_data
from web.matrix_rows_surveys import add_people, make_wave

NEW_KEY = base64.b64encode(b"the-new-reporting-key-32-bytes!!").decode()
WRONG_KEY = base64.b64encode(b"a-wrong-reporting-key-32-bytes!!").decode()
ATTRIBUTES = ["gender", "position_level", "contract"]


# --- A small demo-like dataset, sealed with the key the tests start with ---------------------


def _dataset(org: Any, capture: Any) -> tuple[Wave, Wave]:
    """A closed wave with Responses in three units, and an open wave with invitations (their
    sealed snapshots) and the Responses flushed from them."""
    closed = results_data.make_wave(org, attributes=("gender",))
    for seed, unit in enumerate((org.clinical, org.pedagogy, org.faculty)):
        results_data.add_responses(closed, unit, 7, seed=seed)
    add_people(org.clinical, 4, "clin", contract="permanent")
    add_people(org.pedagogy, 3, "ped")
    open_wave = make_wave(org, period="2026-voorjaar")
    services.launch_wave(open_wave)
    for invitation in Invitation.objects.filter(wave=open_wave, unit=org.clinical):
        assert services.submit_response(invitation.pk, {"SU1": "4", "SU2": "3"})
    with capture(execute=True):
        assert services.flush_inbox(open_wave) > 0
    return closed, Wave.objects.get(pk=open_wave.pk)


def _frames(*waves: Wave) -> list[pd.DataFrame]:
    return [responses_frame(wave, ATTRIBUTES) for wave in waves]


def _stored() -> dict[tuple[str, Any], bytes]:
    """Every sealed value as the database holds it."""
    values = {}
    for model in (Response, Invitation):
        rows = model.objects.filter(sealed_attributes__isnull=False)
        for pk, stored in rows.values_list("pk", "sealed_attributes"):
            values[(model.__name__, pk)] = bytes(stored)
    return values


def _key_ids(stored: dict[tuple[str, Any], bytes]) -> set[bytes | None]:
    return {sealing.stored_key_id(value) for value in stored.values()}


def _old_key_file(tmp_path: Path, key: str) -> str:
    path = tmp_path / "old-reporting-key"
    path.write_text(key + "\n", encoding="ascii")
    path.chmod(0o600)
    return str(path)


def _run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("reporting_key", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def _refused(*args: str) -> CommandError:
    with pytest.raises(CommandError) as refusal:
        _run(*args)
    return refusal.value


@pytest.fixture
def old_key(settings) -> str:  # type: ignore[no-untyped-def]
    return str(settings.REPORTING_KEY)


@pytest.fixture
def dataset(org, django_capture_on_commit_callbacks) -> tuple[Wave, Wave]:  # type: ignore[no-untyped-def]
    return _dataset(org, django_capture_on_commit_callbacks)


# --- rotate ------------------------------------------------------------------------------


def test_rotate_seals_everything_again_and_the_results_are_identical(
    dataset, settings, tmp_path, old_key
) -> None:  # type: ignore[no-untyped-def]
    before_frames = _frames(*dataset)
    before = _stored()
    invited = {i.pk: sealing.invitation_attributes(i) for i in Invitation.objects.all()}
    assert len([k for k in before if k[0] == "Invitation"]) == 10  # 3 + 4 + 3 people
    assert _key_ids(before) == {sealing.key_id(sealing.parse_key(old_key))}

    settings.REPORTING_KEY = NEW_KEY
    output = _run("rotate", "--old-key-file", _old_key_file(tmp_path, old_key))

    after = _stored()
    assert after.keys() == before.keys()  # nothing lost, nothing added
    assert all(after[row] != before[row] for row in before)  # every value sealed again
    assert _key_ids(after) == {sealing.key_id(sealing.parse_key(NEW_KEY))}
    for frame_before, frame_after in zip(before_frames, _frames(*dataset), strict=True):
        pd.testing.assert_frame_equal(frame_before, frame_after)
        assert frame_after["gender"].notna().any() or frame_after["contract"].notna().any()
    assert {i.pk: sealing.invitation_attributes(i) for i in Invitation.objects.all()} == invited
    assert f"{len(before):,} values in 2 waves sealed again" in output
    # The old key no longer opens anything.
    settings.REPORTING_KEY = old_key
    with pytest.raises(sealing.ReportingKeyError):
        _frames(dataset[0])


def test_a_second_run_changes_nothing(dataset, settings, tmp_path, old_key) -> None:  # type: ignore[no-untyped-def]
    settings.REPORTING_KEY = NEW_KEY
    key_file = _old_key_file(tmp_path, old_key)
    _run("rotate", "--old-key-file", key_file)
    once = _stored()
    output = _run("rotate", "--old-key-file", key_file)
    assert _stored() == once
    assert "0 waves have values under the old key" in output
    assert "Done: 0 values in 0 waves" in output


def test_an_interrupted_rotation_completes_and_reads_meanwhile_with_the_old_key_set(
    dataset, settings, old_key
) -> None:  # type: ignore[no-untyped-def]
    closed, open_wave = dataset
    before_frames = _frames(closed, open_wave)
    settings.REPORTING_KEY = NEW_KEY
    old, new = sealing.parse_key(old_key), sealing.parse_key(NEW_KEY)
    done = key_rotation.rotate_wave(closed.pk, old, new, lambda line: None)  # then "killed"
    assert done.resealed == 21 and done.already_current == 0

    # Half done, without the old key: an error naming the command, not attributes gone quiet.
    with pytest.raises(sealing.ReportingKeyError, match=r"manage\.py reporting_key rotate"):
        _frames(open_wave)
    invitation = Invitation.objects.filter(wave=open_wave, responded=False).first()
    with pytest.raises(sealing.ReportingKeyError, match="VRIJUIT_REPORTING_KEY_OLD"):
        sealing.invitation_attributes(invitation)
    # With the old key set, both waves read exactly as before.
    settings.REPORTING_KEY_OLD = old_key
    for frame_before, frame_now in zip(before_frames, _frames(closed, open_wave), strict=True):
        pd.testing.assert_frame_equal(frame_before, frame_now)
    midway = io.StringIO()
    with pytest.raises(CommandError):  # not complete yet: status 1
        call_command("reporting_key", "check", stdout=midway)
    assert f"wave {closed.pk}, surveys_response: 21 under the current key, 0 under the old" in (
        midway.getvalue()
    )
    assert (
        f"wave {open_wave.pk}, surveys_invitation: 0 under the current key, 10 under the old"
        in (midway.getvalue())
    )

    output = _run("rotate")  # the old key from VRIJUIT_REPORTING_KEY_OLD this time
    assert "1 waves have values under the old key" in output
    assert f"wave {open_wave.pk}: " in output and f"wave {closed.pk}: " not in output
    assert _key_ids(_stored()) == {sealing.key_id(new)}
    settings.REPORTING_KEY_OLD = ""
    for frame_before, frame_after in zip(before_frames, _frames(closed, open_wave), strict=True):
        pd.testing.assert_frame_equal(frame_before, frame_after)


def test_a_wrong_old_key_is_refused_and_changes_nothing(dataset, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = _stored()
    settings.REPORTING_KEY = NEW_KEY
    refusal = _refused("rotate", "--old-key-file", _old_key_file(tmp_path, WRONG_KEY))
    message = str(refusal)
    assert "sealed with neither the old nor the current key" in message
    closed = dataset[0]
    first = Response.objects.filter(wave=closed).order_by("pk").first()
    assert f"surveys_response row {first.pk} of wave {closed.pk}" in message
    assert "Nothing was written" in message
    assert _stored() == before


def test_a_value_altered_under_the_old_key_stops_its_wave_before_it_is_written(
    dataset, settings, old_key
) -> None:  # type: ignore[no-untyped-def]
    closed, open_wave = dataset
    invitation = Invitation.objects.filter(wave=open_wave).order_by("pk").last()
    altered = bytearray(invitation.sealed_attributes)
    altered[-1] ^= 1  # same key fingerprint, a broken tag
    Invitation.objects.filter(pk=invitation.pk).update(sealed_attributes=bytes(altered))
    before = _stored()
    settings.REPORTING_KEY = NEW_KEY
    settings.REPORTING_KEY_OLD = old_key
    refusal = _refused("rotate")
    assert f"surveys_invitation row {invitation.pk} of wave {open_wave.pk}" in str(refusal)
    assert "does not open with the old key" in str(refusal)
    after = _stored()
    # The closed wave (first) went over; not one value of the open wave was written.
    for row, value in before.items():
        moved = row[0] == "Response" and Response.objects.get(pk=row[1]).wave_id == closed.pk
        assert (after[row] != value) == moved, row


def test_the_old_key_is_needed_and_must_differ_from_the_current_one(
    dataset, settings, tmp_path, old_key
) -> None:  # type: ignore[no-untyped-def]
    before = _stored()
    assert "--old-key-file PATH, or set VRIJUIT_REPORTING_KEY_OLD" in str(_refused("rotate"))
    same = _refused("rotate", "--old-key-file", _old_key_file(tmp_path, old_key))
    assert "The old key is the current key" in str(same)
    missing = _refused("rotate", "--old-key-file", str(tmp_path / "nowhere"))
    assert "cannot read" in str(missing)
    settings.REPORTING_KEY = NEW_KEY
    malformed = _refused("rotate", "--old-key-file", _old_key_file(tmp_path, "not a key"))
    assert "the old key in" in str(malformed) and "is not valid base64" in str(malformed)
    assert _stored() == before


# --- check and generate --------------------------------------------------------------------


def test_check_counts_per_wave_and_exits_1_until_the_rotation_is_complete(
    dataset, settings, tmp_path, old_key
) -> None:  # type: ignore[no-untyped-def]
    closed, open_wave = dataset
    output = _run("check")  # everything under the current key: status 0
    assert f"wave {closed.pk}, surveys_response: 21 under the current key" in output
    assert f"wave {open_wave.pk}, surveys_invitation: 10 under the current key" in output
    assert "0 not under the current key" in output

    settings.REPORTING_KEY = NEW_KEY
    refusal = _refused("check")
    assert refusal.returncode == 1
    assert "finish the rotation with 'manage.py reporting_key rotate'" in str(refusal)
    settings.REPORTING_KEY_OLD = old_key
    output = io.StringIO()
    with pytest.raises(CommandError):
        call_command("reporting_key", "check", stdout=output)
    assert f"wave {closed.pk}, surveys_response: 0 under the current key, 21 under the old key" in (
        output.getvalue()
    )
    _run("rotate")
    output_after = _run("check")
    assert f"wave {closed.pk}, surveys_response: 21 under the current key, 0 under the old" in (
        output_after
    )


def test_generate_prints_a_fresh_32_byte_key(capsys) -> None:  # type: ignore[no-untyped-def]
    first, second = _run("generate").strip(), _run("generate").strip()
    assert len(sealing.parse_key(first)) == 32
    assert first != second


# --- Secrets stay out of the output, the log and the process list ----------------------------


def test_no_key_material_in_output_or_log(dataset, settings, tmp_path, old_key, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    settings.REPORTING_KEY = NEW_KEY
    texts = [str(_refused("check"))]
    texts.append(str(_refused("rotate", "--old-key-file", _old_key_file(tmp_path, WRONG_KEY))))
    settings.REPORTING_KEY_OLD = old_key
    texts += [_run("rotate"), _run("check")]
    texts.append(caplog.text)
    everything = "\n".join(texts)
    for key in (old_key, NEW_KEY, WRONG_KEY):
        raw = sealing.parse_key(key)
        for form in (key, raw.hex(), base64.urlsafe_b64encode(raw).decode(), repr(raw)):
            assert form not in everything


def test_the_old_key_cannot_be_given_on_the_command_line(db) -> None:  # type: ignore[no-untyped-def]
    # Not even as an abbreviation of --old-key-file, which would then echo it as a path.
    refusal = _refused("rotate", "--old-key", NEW_KEY)
    assert "unrecognized arguments" in str(refusal)
    assert "cannot read" not in str(refusal)


def test_generate_writes_the_key_to_stdout_only() -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "reporting_key", "generate"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "VRIJUIT_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert len(sealing.parse_key(done.stdout)) == 32
    assert done.stdout.count("\n") == 1 and done.stderr == ""


# --- Reading while a rotation is half done -------------------------------------------------


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["gender", "nationality_group", "position_level", "contract"]),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", max_size=20),
    ),
    st.integers(min_value=1, max_value=10**6),
)
def test_mid_rotation_both_keys_read_the_same_attributes(
    attributes: dict[str, str], wave_id: int
) -> None:
    from django.test import override_settings

    binding = sealing.invitation_binding(wave_id, wave_id)
    old, new = sealing.parse_key(WRONG_KEY), sealing.parse_key(NEW_KEY)
    under_old = sealing.seal_attributes(attributes, binding, old)
    under_new = sealing.seal_attributes(attributes, binding, new)
    with override_settings(REPORTING_KEY=NEW_KEY, REPORTING_KEY_OLD=WRONG_KEY):
        assert sealing.open_attributes(under_old, binding) == attributes
        assert sealing.open_attributes(under_new, binding) == attributes
    with override_settings(REPORTING_KEY=NEW_KEY, REPORTING_KEY_OLD=""):
        assert sealing.open_attributes(under_new, binding) == attributes
        with pytest.raises(sealing.ReportingKeyError):
            sealing.open_attributes(under_old, binding)
