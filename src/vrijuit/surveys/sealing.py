"""Sealing the background attributes of the reporting store with the reporting key.

Why: a ``Response`` names its unit, and the HR tables name everyone's unit and attributes. With
the coarsened attributes in clear, anyone who reads the database (an administrator, a leaked
backup) could attribute most Responses to a person, because the *combination* of unit and
attributes is rare even when every single category is large (docs/anonymity.md, "What a
database administrator can learn"). So the attributes of every ``Response``, and the launch
snapshot of every ``Invitation`` while its wave is open, are stored encrypted with a key that is
not in the database: ``settings.REPORTING_KEY`` (``VRIJUIT_REPORTING_KEY``). Only the code that
needs them opens them: the submit (copies the snapshot into the encrypted inbox payload), the
flush and the demo seed (write Responses), launch (writes invitations) and the results
(``vrijuit.results.services.responses_frame``).

The cipher is AES-256-GCM over padded JSON, as in ``inbox_crypto`` (both use ``padded_aead``).
The associated data binds each ciphertext to its row: the kind of row, its id and its wave. A
ciphertext copied to another row, or a row moved to another wave, does not open
(``SealedRowError``) instead of silently giving some Response another person's attributes.

Stored layout: one version byte, an 8-byte key id, the 12-byte nonce, the ciphertext with its
16-byte tag. The key id (an HMAC of a fixed label under the key) tells a wrong key apart from an
altered row, so the error can say which it is; it is the same for every row and says nothing
about any of them. The plaintext is the attributes' JSON padded with spaces to a multiple of
``PAD_TO`` bytes, so the length does not tell which attributes are present or how long their
values are.

A wrong or missing key is always an error naming the setting (``ReportingKeyError``), never
empty attributes: results that quietly lost every breakdown would look like a wave without
gaps.

Rotation (``manage.py reporting_key rotate``, ``vrijuit.surveys.key_rotation``) seals every value
again under a new key, one wave at a time. While it is half done, reading also accepts values
under the previous key when ``VRIJUIT_REPORTING_KEY_OLD`` is set (``reading_keys``), so the
results and the submit keep every attribute; without it, such a value is the wrong-key error,
which then names the rotation command.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vrijuit.surveys import padded_aead

VERSION = b"\x01"
KEY_BYTES = 32  # AES-256
KEY_ID_BYTES = 8
PAD_TO = 256  # every combination of the four attributes fits in one block
SETTING = "VRIJUIT_REPORTING_KEY"
OLD_SETTING = "VRIJUIT_REPORTING_KEY_OLD"
_KEY_ID_END = 1 + KEY_ID_BYTES  # the nonce and the ciphertext (``padded_aead``) follow
_HEADER = _KEY_ID_END + padded_aead.NONCE_BYTES


class ReportingKeyError(ImproperlyConfigured):
    """The reporting key is not set, is not the base64 of 32 bytes, or is not the key the
    stored attributes were sealed with. The message names ``VRIJUIT_REPORTING_KEY``."""


class SealedRowError(Exception):
    """Sealed attributes that do not open with the right key: the row was altered, or the
    ciphertext was copied from another row or wave. The message names the row, never a value."""


@dataclass(frozen=True)
class Binding:
    """The row a ciphertext belongs to: its kind, its id and its wave (the associated data)."""

    kind: str  # "response" or "invitation"
    row_id: uuid.UUID | int
    wave_id: int

    def associated_data(self) -> bytes:
        return f"vrijuit-reporting-v1|{self.kind}={self.row_id}|wave={self.wave_id}".encode()

    def __str__(self) -> str:
        return f"{self.kind} {self.row_id} of wave {self.wave_id}"


def response_binding(response_id: uuid.UUID | str, wave_id: int) -> Binding:
    return Binding("response", uuid.UUID(str(response_id)), int(wave_id))


def invitation_binding(invitation_id: int, wave_id: int) -> Binding:
    return Binding("invitation", int(invitation_id), int(wave_id))


# --- The key ------------------------------------------------------------------------------


def parse_key(text: str, setting: str = SETTING) -> bytes:
    """The 32 key bytes of a base64 (standard or URL-safe) value; ``ReportingKeyError`` naming
    ``setting`` (where the value came from) else. The message never repeats the value."""
    text = text.strip()
    if not text:
        raise ReportingKeyError(
            f"{setting} is not set: the reporting store's attributes cannot be sealed or read "
            "(docs/configuration.md)."
        )
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ReportingKeyError(
            f"{setting} is not valid base64: it must be the base64 of {KEY_BYTES} random bytes "
            "(docs/configuration.md)."
        ) from None
    if len(key) != KEY_BYTES:
        raise ReportingKeyError(
            f"{setting} decodes to {len(key)} bytes, not {KEY_BYTES} (docs/configuration.md)."
        )
    return key


def reporting_key() -> bytes:
    """The key from the settings (``ReportingKeyError`` when unset or malformed).

    The settings give the public development key only when VRIJUIT_DEBUG is on; production
    that sets it explicitly fails the system check ``vrijuit.E006``."""
    return parse_key(getattr(settings, "REPORTING_KEY", "") or "")


def old_reporting_key() -> bytes | None:
    """The previous key during a rotation (``VRIJUIT_REPORTING_KEY_OLD``), or None when unset."""
    text = getattr(settings, "REPORTING_KEY_OLD", "") or ""
    return parse_key(text, OLD_SETTING) if text.strip() else None


def reading_keys() -> tuple[bytes, ...]:
    """The keys sealed values may be opened with: the current one, then the previous one while
    a rotation is under way. Sealing always uses the current one alone."""
    old = old_reporting_key()
    current = reporting_key()
    return (current,) if old is None or old == current else (current, old)


@functools.lru_cache(maxsize=8)  # asked once per row read; there are at most two keys
def key_id(key: bytes) -> bytes:
    """The fingerprint stored in every value sealed with ``key``: says which key, nothing more."""
    return hmac.new(key, b"vrijuit-reporting-key-id", hashlib.sha256).digest()[:KEY_ID_BYTES]


def stored_key_id(stored: bytes | memoryview) -> bytes | None:
    """The fingerprint of the key a stored value was sealed with; None for an unknown format."""
    header = bytes(stored[:_HEADER])
    if header[:1] != VERSION or len(header) < _HEADER:
        return None
    return header[1 : 1 + KEY_ID_BYTES]


# --- Sealing and opening --------------------------------------------------------------------


def seal_attributes(
    attributes: Mapping[str, str], binding: Binding, key: bytes | None = None
) -> bytes:
    """The stored form of ``attributes`` for the row ``binding`` names."""
    key = reporting_key() if key is None else key
    clear = dict(attributes)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in clear.items()):
        raise TypeError("attributes must map names to category strings")
    sealed = padded_aead.seal_json(
        key, clear, associated_data=binding.associated_data(), pad_to=PAD_TO
    )
    return VERSION + key_id(key) + sealed


def open_attributes(
    stored: bytes | memoryview | None, binding: Binding, key: bytes | None = None
) -> dict[str, str]:
    """The attributes sealed in ``stored`` for the row ``binding`` names, opened with ``key``
    or, when None, with the ``reading_keys`` (the current key, and the old one mid-rotation).

    ``ReportingKeyError`` when no key given is the one they were sealed with (or none is set);
    ``SealedRowError`` when the row has no sealed attributes or they belong to another row."""
    return _open(stored, binding, (key,) if key is not None else reading_keys())


def _open(
    stored: bytes | memoryview | None, binding: Binding, keys: tuple[bytes, ...]
) -> dict[str, str]:
    if stored is None:
        raise SealedRowError(f"{binding} has no sealed attributes")
    ciphertext = bytes(stored)  # PostgreSQL returns a BinaryField as a memoryview
    sealed_with = stored_key_id(ciphertext)
    if sealed_with is None:
        raise SealedRowError(f"the sealed attributes of {binding} are not in a known format")
    key = next((k for k in keys if hmac.compare_digest(sealed_with, key_id(k))), None)
    if key is None:
        raise ReportingKeyError(_wrong_key_message(binding, rotating=len(keys) > 1))
    try:
        attributes: dict[str, str] = padded_aead.open_json(
            key, ciphertext[_KEY_ID_END:], associated_data=binding.associated_data()
        )
    except InvalidTag:
        raise SealedRowError(
            f"the sealed attributes of {binding} do not open: the row was altered, or they "
            "were copied from another row or wave"
        ) from None
    return attributes


def _wrong_key_message(binding: Binding, *, rotating: bool) -> str:
    if rotating:
        return (
            f"Neither {SETTING} nor {OLD_SETTING} is the key the attributes of {binding} were "
            "sealed with: restore the key they were sealed with (docs/configuration.md, "
            "'The reporting key')."
        )
    return (
        f"{SETTING} is not the key the attributes of {binding} were sealed with: restore the "
        "key they were sealed with, or, if the key is being rotated, set "
        f"{OLD_SETTING} to the previous key and finish with 'manage.py reporting_key rotate' "
        "(docs/configuration.md, 'The reporting key')."
    )


# --- Rows ---------------------------------------------------------------------------------


def seal_for_response(
    attributes: Mapping[str, str], response_id: uuid.UUID, wave_id: int, key: bytes | None = None
) -> bytes:
    return seal_attributes(attributes, response_binding(response_id, wave_id), key)


def seal_for_invitation(
    attributes: Mapping[str, str], invitation_id: int, wave_id: int, key: bytes | None = None
) -> bytes:
    return seal_attributes(attributes, invitation_binding(invitation_id, wave_id), key)


def response_attributes(response: Any, key: bytes | None = None) -> dict[str, str]:
    """The attributes of a ``Response`` (anything with pk, wave_id and sealed_attributes)."""
    binding = response_binding(response.pk, response.wave_id)
    return open_attributes(response.sealed_attributes, binding, key)


def invitation_attributes(invitation: Any, key: bytes | None = None) -> dict[str, str]:
    """The launch snapshot's attributes of an ``Invitation`` of an open wave."""
    binding = invitation_binding(invitation.pk, invitation.wave_id)
    return open_attributes(invitation.sealed_attributes, binding, key)


def open_responses(
    wave_id: int, rows: Iterable[tuple[uuid.UUID | str, bytes | memoryview | None]]
) -> list[dict[str, str]]:
    """The attributes of many Responses of one wave, given as (id, sealed attributes) pairs:
    what the results read. All or nothing: the first row that does not open raises."""
    keys = reading_keys()
    return [
        _open(sealed, response_binding(response_id, wave_id), keys) for response_id, sealed in rows
    ]
