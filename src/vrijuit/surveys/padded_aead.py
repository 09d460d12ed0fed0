"""AES-256-GCM over padded JSON: the one cipher both encrypted stores use.

``inbox_crypto`` (an inbox payload, bound to its entry) and ``sealing`` (a row's attributes,
bound to its row) each put their own header in front and bind their own associated data; what
they share is here, so the nonce, the padding and the JSON form are written once.

The plaintext is compact JSON padded with spaces to a multiple of ``pad_to`` bytes (JSON ignores
trailing white space), so the length of a stored value does not tell what it holds. The result
is the 12-byte random nonce followed by the ciphertext with its 16-byte tag.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def seal_json(key: bytes, value: Any, *, associated_data: bytes, pad_to: int) -> bytes:
    """``nonce + ciphertext`` of ``value`` as padded JSON, bound to ``associated_data``."""
    plaintext = json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")
    plaintext += b" " * (-len(plaintext) % pad_to)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_json(key: bytes, nonce_and_ciphertext: bytes, *, associated_data: bytes) -> Any:
    """The value ``seal_json`` sealed; ``cryptography.exceptions.InvalidTag`` when ``key`` or
    ``associated_data`` is not the one it was sealed with, or the bytes were altered."""
    nonce, sealed = nonce_and_ciphertext[:NONCE_BYTES], nonce_and_ciphertext[NONCE_BYTES:]
    return json.loads(AESGCM(key).decrypt(nonce, sealed, associated_data))
