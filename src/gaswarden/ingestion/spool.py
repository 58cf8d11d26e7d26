"""A bounded on-disk spool for batches the database could not take.

One file per batch in data_dir/spool, written to a temporary name, fsync'd and renamed (and
the directory fsync'd) before the batch's messages are acknowledged; replayed oldest first.
When the next batch would pass the size limit, `put` raises SpoolFull and the worker stops
acknowledging: the broker keeps the messages (back-pressure), nothing is dropped.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from datetime import datetime
from pathlib import Path

from gaswarden.ingestion.pipeline import Message
from gaswarden.settings import Settings


class SpoolFull(Exception):
    pass


def spool_dir(settings: Settings, client_id: str) -> Path:
    """data_dir/spool/<client id>, the id made safe as a directory name."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in client_id) or "worker"
    return settings.data_dir / "spool" / safe


def _encode(m: Message) -> str:
    return json.dumps(
        {
            "t": m.transport,
            "topic": m.topic,
            "p": base64.b64encode(m.payload).decode(),
            "r": m.received_at.isoformat(),
            "s": m.serial,
            "k": m.kind,
        },
        ensure_ascii=True,
    )


def _decode(line: str) -> Message:
    d = json.loads(line)
    return Message(
        transport=d["t"],
        topic=d["topic"],
        payload=base64.b64decode(d["p"]),
        received_at=datetime.fromisoformat(d["r"]),
        serial=d["s"],
        kind=d["k"],
    )


class Spool:
    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._counter = 0
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.tmp"):  # a crash between write and rename
            stale.unlink()

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("*.batch"))

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.files())

    def __len__(self) -> int:
        return len(self.files())

    def put(self, messages: list[Message]) -> Path:
        data = ("\n".join(_encode(m) for m in messages) + "\n").encode()
        with self._lock:
            if self.size() + len(data) > self.max_bytes:
                raise SpoolFull(f"spool {self.directory} would pass {self.max_bytes} bytes")
            self._counter += 1
            name = f"{time.time_ns():020d}-{os.getpid()}-{self._counter:06d}.batch"
            final = self.directory / name
            tmp = final.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
            fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return final

    def oldest(self) -> tuple[Path, list[Message]] | None:
        files = self.files()
        if not files:
            return None
        text = files[0].read_text()
        return files[0], [_decode(line) for line in text.splitlines() if line]

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
