"""The inbox's key directory: one AES-256 key per inbox batch, each in a file of its own.

The keys live outside the database on purpose: a database backup, a base backup or an archived
WAL segment taken while answers wait in the inbox then holds only ciphertext, and destroying a
batch's key after its flush makes every such copy unreadable for good (docs/surveys.md). The
directory is ``settings.INBOX_KEY_DIR`` (``VRIJUIT_INBOX_KEY_DIR``); it is made with mode 0700 and
every key file with 0600.

A key file is named ``<batch id in hex>.key`` and holds the 32 raw key bytes. It is written
atomically (a temporary file, fsync, rename, fsync of the directory), so a reader finds either
no key or the whole key, and a key that was written survives a crash.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32  # AES-256
_KEY_SUFFIX = ".key"
_TEMP_SUFFIX = ".tmp"


class KeyStoreUnavailableError(ImproperlyConfigured):
    """No new key can be written: the key directory is not set, cannot be made, or is not
    writable. A submit that meets this stores nothing (its transaction rolls back) and the
    respondent is asked to try again later; the message names the directory and the problem,
    never an answer."""


class KeyUnavailableError(Exception):
    """A batch's key file is missing, unreadable or not a key. The message names the file and
    the problem; it never contains key bytes."""


def key_directory() -> Path:
    directory = settings.INBOX_KEY_DIR
    if directory is None:
        raise KeyStoreUnavailableError(
            "VRIJUIT_INBOX_KEY_DIR is not set: the survey inbox needs a key directory on local "
            "disk, outside every backup (docs/configuration.md)."
        )
    return Path(directory)


def key_path(batch_id: uuid.UUID) -> Path:
    return key_directory() / f"{batch_id.hex}{_KEY_SUFFIX}"


def create_key(batch_id: uuid.UUID) -> bytes:
    """A new random key for ``batch_id``, on disk before this returns (the caller inserts the
    batch row afterwards, so a committed batch always had its key written first).

    Raises ``KeyStoreUnavailableError`` when the directory cannot be made or written to."""
    directory = key_directory()
    try:
        return _write_new_key(directory, batch_id)
    except OSError as error:
        raise KeyStoreUnavailableError(
            f"cannot write a new inbox key in {directory}: {error.strerror or error}"
        ) from None


def _write_new_key(directory: Path, batch_id: uuid.UUID) -> bytes:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    temporary = directory / f".{batch_id.hex}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _write_all(descriptor, key)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, key_path(batch_id))
    _fsync_directory(directory)
    return key


def load_key(batch_id: uuid.UUID) -> bytes:
    path = key_path(batch_id)
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        raise KeyUnavailableError(f"no key file {path}") from None
    except OSError as error:
        raise KeyUnavailableError(f"cannot read the key file {path}: {error.strerror}") from None
    if len(key) != KEY_BYTES:
        raise KeyUnavailableError(f"the key file {path} holds {len(key)} bytes, not {KEY_BYTES}")
    return key


def destroy_key(batch_id: uuid.UUID) -> bool:
    """Overwrite the key file with zeros, remove it and make the removal durable. False when
    there was no key file (destroyed before). Overwriting helps on a plain local disk; on SSDs,
    copy-on-write file systems and snapshots only keeping the directory out of them helps,
    which is why docs/anonymity.md asks for that."""
    return _destroy(key_path(batch_id))


@dataclass(frozen=True)
class KeyFile:
    path: Path
    batch_id: uuid.UUID | None  # None: a temporary file left by an interrupted write
    modified: float  # seconds since the epoch


def key_files() -> Iterator[KeyFile]:
    """The key files and leftover temporary files in the directory (other files are not ours
    and are left alone)."""
    directory = key_directory()
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        batch_id = _batch_id_of(path.name)
        if batch_id is None and not path.name.endswith(_TEMP_SUFFIX):
            continue
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:  # removed meanwhile (another worker cleaning up)
            continue
        yield KeyFile(path, batch_id, modified)


def destroy_file(key_file: KeyFile) -> bool:
    return _destroy(key_file.path)


def age_seconds(key_file: KeyFile, now: float | None = None) -> float:
    return (time.time() if now is None else now) - key_file.modified


def _batch_id_of(name: str) -> uuid.UUID | None:
    if not name.endswith(_KEY_SUFFIX):
        return None
    try:
        return uuid.UUID(hex=name.removesuffix(_KEY_SUFFIX))
    except ValueError:
        return None


def _destroy(path: Path) -> bool:
    try:
        descriptor = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        _write_all(descriptor, bytes(os.fstat(descriptor).st_size))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        path.unlink()
    except FileNotFoundError:  # another worker was faster
        return False
    _fsync_directory(path.parent)
    return True


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _fsync_directory(directory: Path) -> None:
    # Makes a rename or an unlink durable: without it a crash could bring a removed key back.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
