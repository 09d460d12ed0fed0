"""Encrypting one inbox payload: AES-256-GCM, bound to the entry it belongs to.

Why AES-GCM and not Fernet: GCM authenticates *associated data*, so the ciphertext can be bound
to its entry's id, wave and batch without storing them twice. Moving a ciphertext to another row
or changing a row's wave makes it fail to decrypt, instead of quietly counting an answer in the
wrong wave. Each key encrypts one batch's entries only (far fewer than the 2^32 messages a key
may take with random 96-bit nonces).

Stored layout: one version byte, the 12-byte nonce, then the ciphertext with its 16-byte tag.
The plaintext is the payload's JSON padded with spaces to a multiple of ``PAD_TO`` bytes
(``padded_aead``), so the length of a row does not tell, for example, whether the
respondent leads a unit (the leaders-only block) or how many questions they skipped.
"""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.exceptions import InvalidTag

from vrijuit.surveys import padded_aead

VERSION = b"\x01"
PAD_TO = 4096


class CannotDecryptError(Exception):
    """The ciphertext does not open with this key and this entry's id, wave and batch: the key
    is wrong, or the row was altered or moved."""


def associated_data(*, entry_id: uuid.UUID, wave_id: int, batch_id: uuid.UUID) -> bytes:
    return f"vrijuit-inbox-v1|entry={entry_id}|wave={wave_id}|batch={batch_id}".encode()


def encrypt(
    key: bytes, payload: dict[str, Any], *, entry_id: uuid.UUID, wave_id: int, batch_id: uuid.UUID
) -> bytes:
    bound = associated_data(entry_id=entry_id, wave_id=wave_id, batch_id=batch_id)
    return VERSION + padded_aead.seal_json(key, payload, associated_data=bound, pad_to=PAD_TO)


def decrypt(
    key: bytes,
    stored: bytes | memoryview,  # PostgreSQL hands a BinaryField back as a memoryview
    *,
    entry_id: uuid.UUID,
    wave_id: int,
    batch_id: uuid.UUID,
) -> dict[str, Any]:
    ciphertext = bytes(stored)
    if ciphertext[:1] != VERSION:
        raise CannotDecryptError("unknown ciphertext version")
    bound = associated_data(entry_id=entry_id, wave_id=wave_id, batch_id=batch_id)
    try:
        payload: dict[str, Any] = padded_aead.open_json(key, ciphertext[1:], associated_data=bound)
    except InvalidTag:
        raise CannotDecryptError("the key does not open it, or the row was altered") from None
    return payload
