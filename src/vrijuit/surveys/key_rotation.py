"""Rotating the reporting key: seal every sealed value again under a new key, and count which
key each value is under (``manage.py reporting_key``; docs/configuration.md, "The reporting
key").

Why per wave: one transaction per wave keeps each wave all-old or all-new (the results of a
wave never see a mix that a crash left behind), while a large installation (~100k Responses per
wave) does not hold one lock over everything. Each value carries the fingerprint of its key
(``sealing.key_id``), so a second run, or a run after an interruption, recognises the values
already under the new key and skips them.

Nothing is lost: before any wave is written, every value must be under the old or the new key;
and a wave is written only after every one of its values has opened with the old key. A value
that does not stops the run with an error naming its table, row id and wave.

Only counts and row ids ever leave this module, never attributes or key material.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from vrijuit.surveys import sealing
from vrijuit.surveys.models import Invitation, Response, Wave

BATCH_SIZE = 2000  # rows written per UPDATE batch; progress is reported after each


@dataclass(frozen=True)
class SealedTable:
    model: Any
    bind: Callable[[Any, int], sealing.Binding]

    @property
    def name(self) -> str:
        return str(self.model._meta.db_table)


# Invitations hold sealed values only while their wave is open (the close erases them).
TABLES = (
    SealedTable(Response, sealing.response_binding),
    SealedTable(Invitation, sealing.invitation_binding),
)


class RotationError(Exception):
    """A value that opens with neither key, or keys that make no sense together. The message
    names the table, row and wave, never a value or a key."""


@dataclass
class KeyCount:
    """How many sealed values of one table and wave are under which key."""

    wave_id: int
    table: str
    current: int = 0
    old: int = 0
    # Values under neither key, by the fingerprint (hex) they carry; "unknown format" when
    # they carry none.
    other: Counter[str] = field(default_factory=Counter)
    first_other_row: uuid.UUID | int | None = None

    @property
    def not_current(self) -> int:
        return self.old + sum(self.other.values())


@dataclass(frozen=True)
class WaveRotation:
    wave_id: int
    resealed: int
    already_current: int


def _sealed_rows(table: SealedTable, wave_id: int | None = None) -> Iterator[tuple[Any, ...]]:
    """(wave id, row id, sealed value) of every row with a sealed value, in a stable order."""
    rows = table.model.objects.filter(sealed_attributes__isnull=False)
    if wave_id is not None:
        rows = rows.filter(wave_id=wave_id)
    yield from (
        rows.order_by("wave_id", "pk")
        .values_list("wave_id", "pk", "sealed_attributes")
        .iterator(chunk_size=BATCH_SIZE)
    )


def count_keys(current: bytes, old: bytes | None = None) -> list[KeyCount]:
    """Per wave and table, how many values are under ``current``, under ``old`` and under any
    other key. Reads only the fingerprints; opens nothing."""
    current_id = sealing.key_id(current)
    old_id = sealing.key_id(old) if old is not None else None
    counts: dict[tuple[int, str], KeyCount] = {}
    for table in TABLES:
        for wave_id, row_id, stored in _sealed_rows(table):
            count = counts.setdefault(
                (wave_id, table.name), KeyCount(wave_id=wave_id, table=table.name)
            )
            sealed_with = sealing.stored_key_id(stored)
            if sealed_with == current_id:
                count.current += 1
            elif old_id is not None and sealed_with == old_id:
                count.old += 1
            else:
                count.other[sealed_with.hex() if sealed_with else "unknown format"] += 1
                if count.first_other_row is None:
                    count.first_other_row = row_id
    return sorted(counts.values(), key=lambda c: (c.wave_id, c.table))


def rotate(old: bytes, new: bytes, report: Callable[[str], None]) -> list[WaveRotation]:
    """Seal every value under ``old`` again under ``new``, one transaction per wave.

    Refuses (``RotationError``, nothing written) when the keys are the same, or when any value
    is under neither key: then the old key given is wrong, or a value was altered."""
    if old == new:
        raise RotationError(
            "The old key is the current key: set VRIJUIT_REPORTING_KEY to the new key and give "
            "the previous one as the old key."
        )
    counts = count_keys(new, old)
    for count in counts:
        if count.other:
            raise RotationError(
                f"{count.table} row {count.first_other_row} of wave {count.wave_id} is sealed "
                f"with neither the old nor the current key ({sum(count.other.values())} such "
                f"values in that table and wave). Nothing was written: check that the old key "
                "is the one these values were sealed with."
            )
    waves = sorted({count.wave_id for count in counts if count.old})
    report(f"{len(waves)} waves have values under the old key.")
    return [rotate_wave(wave_id, old, new, report) for wave_id in waves]


def rotate_wave(
    wave_id: int, old: bytes, new: bytes, report: Callable[[str], None]
) -> WaveRotation:
    with transaction.atomic():
        # The close erases the invitations' values in a transaction that locks the wave: wait
        # for it, so a value it erased is never written back.
        Wave.objects.select_for_update().filter(pk=wave_id).first()
        resealed: list[tuple[SealedTable, list[Any]]] = []
        already_current = 0
        for table in TABLES:
            rows, skipped = _resealed_rows(table, wave_id, old, new)
            resealed.append((table, rows))
            already_current += skipped
        total = sum(len(rows) for _, rows in resealed)
        done = 0
        for table, rows in resealed:
            for start in range(0, len(rows), BATCH_SIZE):
                batch = rows[start : start + BATCH_SIZE]
                _write(table, batch)
                done += len(batch)
                report(f"wave {wave_id}: {done:,} of {total:,} values sealed again")
    return WaveRotation(wave_id=wave_id, resealed=total, already_current=already_current)


def _resealed_rows(
    table: SealedTable, wave_id: int, old: bytes, new: bytes
) -> tuple[list[Any], int]:
    """The table's rows of the wave that were under ``old``, holding their value sealed again
    under ``new`` (not saved), and how many were already under ``new``."""
    old_id, new_id = sealing.key_id(old), sealing.key_id(new)
    rows: list[Any] = []
    already_current = 0
    for _, row_id, stored in _sealed_rows(table, wave_id):
        sealed_with = sealing.stored_key_id(stored)
        if sealed_with == new_id:
            already_current += 1
            continue
        binding = table.bind(row_id, wave_id)
        if sealed_with != old_id:
            raise RotationError(_unopened(table, row_id, wave_id, "is sealed with neither key"))
        try:
            attributes = sealing.open_attributes(stored, binding, old)
        except sealing.SealedRowError:
            raise RotationError(
                _unopened(table, row_id, wave_id, "does not open with the old key (altered?)")
            ) from None
        rows.append(
            table.model(
                pk=row_id, sealed_attributes=sealing.seal_attributes(attributes, binding, new)
            )
        )
    return rows, already_current


def _write(table: SealedTable, rows: list[Any]) -> None:
    # One prepared UPDATE per row, sent as a batch: several times faster than bulk_update's
    # CASE expression over 100k rows (docs/configuration.md gives the figures).
    pk_field = table.model._meta.pk
    value_field = table.model._meta.get_field("sealed_attributes")
    name = connection.ops.quote_name
    sql = (
        f"UPDATE {name(table.name)} SET {name(value_field.column)} = %s "  # noqa: S608 (names from the model)
        f"WHERE {name(pk_field.column)} = %s"
    )
    params = [
        (
            value_field.get_db_prep_value(row.sealed_attributes, connection),
            pk_field.get_db_prep_value(row.pk, connection),
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _unopened(table: SealedTable, row_id: Any, wave_id: int, problem: str) -> str:
    return (
        f"{table.name} row {row_id} of wave {wave_id} {problem}. Nothing of wave {wave_id} was "
        "written; the waves before it are under the new key."
    )
