"""One run at a time per output folder: an ``flock`` on ``DIR/.lock``.

The lock is held on an open file description, so the kernel releases it when the holder
dies, however it dies (SIGKILL, power cut): a stale lock cannot outlive its process. The file
also holds a small JSON document naming the holder (run id, pid, start time) for the message
a second run prints before it exits with status 3, or while it waits (``--wait``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError

__all__ = ["LOCK_NAME", "RunLock", "RunLockedError", "describe_holder"]

LOCK_NAME = ".lock"


class RunLockedError(AnalysisError):
    """Another run holds the output folder's lock."""

    exit_status = 3


def describe_holder(holder: dict[str, Any]) -> str:
    """'run 2026-...Z (pid 123, started ...)' or a fallback when nothing could be read."""
    if not holder:
        return "another run (its details could not be read)"
    parts = [f"pid {holder.get('pid', '?')}"]
    if holder.get("started"):
        parts.append(f"started {holder['started']}")
    if holder.get("host"):
        parts.append(f"on {holder['host']}")
    return f"run {holder.get('run_id') or '(starting)'} ({', '.join(parts)})"


class RunLock:
    """Exclusive lock of one output folder (create the folder first)."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = Path(output_dir)
        self.path = self.output_dir / LOCK_NAME
        self.fd: int | None = None

    def read_holder(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(
        self, *, wait: bool = False, on_wait: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        """Take the lock, or raise RunLockedError naming the holder (wait with ``wait``)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.read_holder()
            if not wait:
                os.close(fd)
                raise RunLockedError(
                    f"{self.output_dir} is locked by {describe_holder(holder)}; it holds the "
                    "lock until it finishes (run again later, or add --wait to wait for it)"
                ) from None
            if on_wait:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd = fd
        self.set_holder(None)

    def set_holder(self, run_id: str | None) -> None:
        """Record who holds the lock (the run id is known once the lock is held)."""
        if self.fd is None:
            return
        holder = {
            "run_id": run_id,
            "pid": os.getpid(),
            "host": os.uname().nodename,
            "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        data = json.dumps(holder).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
