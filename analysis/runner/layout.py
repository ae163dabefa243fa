"""Names in the output folder and the low-level file steps every part of the runner shares.

The layout itself (run folders, ``latest``, temporary and kept folders) is described in
:mod:`analysis.runner.runs`; :mod:`analysis.runner.publish` points ``latest`` at a run. Both
import their names from here, so neither imports the other's internals.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = [
    "KEPT_SUFFIX",
    "LATEST",
    "LATEST_TXT",
    "MANIFEST",
    "PREVIOUS",
    "TMP_PREFIX",
    "fsync_dir",
    "short_tmp",
]

LATEST = "latest"
PREVIOUS = "previous"
LATEST_TXT = "latest.txt"
MANIFEST = "manifest.json"
TMP_PREFIX = ".tmp-"
#: suffix of a temporary run folder kept because the run could not be published
KEPT_SUFFIX = ".kept"


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename, a new file) to disk; errors are ignored."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def short_tmp() -> str:
    """A temporary folder whose paths fit Unix sockets (IPC endpoints: 107 bytes at most)."""
    base = tempfile.gettempdir()
    return base if len(base) <= 48 else "/tmp"
