"""Uploaded files on disk, content-addressed: `<upload_dir>/<sha[:2]>/<sha256>`.

A file arrives through a `Spool`: bytes are written to a temporary file in the upload
directory while they are counted and hashed (over the limit: the spool is dropped at once,
before the rest arrives), then `publish` moves it into place with one atomic rename. Equal
contents share one file; nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from gaswarden.core.errors import GasWardenError

TMP_DIR = ".incoming"
CHUNK = 64 * 1024


class TooLarge(GasWardenError):
    status_code = 413
    title = "Upload too large"
    title_zh = "文件过大"


def blob_path(upload_dir: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return upload_dir / sha256[:2] / sha256


def limit_text(max_bytes: int) -> str:
    return f"{max_bytes / 1024 / 1024:.1f} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} B"


class Spool:
    """A file being received: counted, hashed, and refused once it passes `max_bytes`."""

    def __init__(self, upload_dir: Path, max_bytes: int) -> None:
        self.upload_dir = upload_dir
        self.max_bytes = max_bytes
        self.size = 0
        self._hash = hashlib.sha256()
        tmp_dir = upload_dir / TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="up-")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self.published: Path | None = None

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.discard()
            raise TooLarge(
                f"the file is larger than the limit of {limit_text(self.max_bytes)}"
                f" (文件超过 {limit_text(self.max_bytes)} 上限)",
                errors=[{"loc": ["body", "file"], "msg": "too large", "max_bytes": self.max_bytes}],
            )
        self._hash.update(chunk)
        self._file.write(chunk)

    def finish(self) -> str:
        """Close the temporary file (flushed to disk); returns the SHA-256."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        return self.sha256

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def publish(self) -> Path:
        """Move the finished file to its content address (atomic; an equal file may exist)."""
        self.finish()
        target = blob_path(self.upload_dir, self.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.stat().st_size == self.size:
            self.path.unlink(missing_ok=True)
        else:
            os.replace(self.path, target)
        self.published = target
        return target

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.published is None:
            self.discard()
