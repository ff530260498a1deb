"""Uploaded originals on disk, encrypted at rest with Fernet when a key is configured.

Every upload is kept (a failed ingestion job loses nothing: fix the cause and re-run the job).
Files are written atomically (temp file + rename) with mode 0600 under
``<upload_dir>/<tenant>/<upload_id>.bin``. With a key, the bytes are a Fernet token
(AES-128-CBC + HMAC-SHA256); the row in ``svc_uploads`` records whether a file is encrypted.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from finrag.errors import ConfigError, StoreError

__all__ = ["UploadStorage", "load_fernet"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def load_fernet(key: str | None, key_file: Path | None) -> Fernet | None:
    """A Fernet from a key string or a secret file; None when neither is configured."""
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read encryption key file {key_file}: {exc}") from exc
    if not key:
        return None
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ConfigError(
            "service.encryption_key is not a Fernet key (32 url-safe base64 bytes); "
            "make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`"
        ) from exc


class UploadStorage:
    """Writes and reads upload originals under ``root``."""

    def __init__(self, root: Path, fernet: Fernet | None = None) -> None:
        self.root = root
        self.fernet = fernet

    @property
    def encrypts(self) -> bool:
        """True when new files are encrypted."""
        return self.fernet is not None

    def path_for(self, tenant: str, upload_id: str) -> Path:
        """Where an upload lives (tenant and id sanitised for the filesystem)."""
        return self.root / _SAFE.sub("_", tenant) / f"{_SAFE.sub('_', upload_id)}.bin"

    def save(self, tenant: str, upload_id: str, data: bytes) -> Path:
        """Write ``data`` (encrypted if configured) atomically with mode 0600."""
        target = self.path_for(tenant, upload_id)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = self.fernet.encrypt(data) if self.fernet else data
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def load(self, path: str | Path, *, encrypted: bool, sha256: str | None = None) -> bytes:
        """Read an upload back, decrypting it; StoreError if missing, undecryptable or altered."""
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise StoreError(f"upload file {path} cannot be read: {exc}") from exc
        if encrypted:
            if self.fernet is None:
                raise ConfigError(f"upload {path} is encrypted but no encryption key is configured")
            try:
                raw = self.fernet.decrypt(raw)
            except InvalidToken as exc:
                raise StoreError(f"upload {path} does not decrypt with the configured key") from exc
        if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
            raise StoreError(f"upload {path} does not match its recorded sha256")
        return raw
