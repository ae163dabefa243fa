"""Data contents the runner has validated: the data checks run once per content, not per run.

After the runner's checks pass on a data directory, it writes an empty record named by the
*validation key*: the SHA-256 of the data checksum (the names and bytes of
``datapackage.json`` and of every file it lists), the checksum of the ``analysis`` package's
source (which holds the schema rules) and the installed library versions (frictionless
among them). A later run whose key has a record skips the validation: same bytes, same
rules, same validator. Any change to a data file, the descriptor, the package or a library
gives another key, so the data is validated again; a directory with a problem is never
recorded (its problems are reported on every run). ``--no-reuse`` validates whatever the
records say.

The records live in ``$ANALYSIS_CACHE_DIR/validated-data/`` (default: the user's cache folder,
``$XDG_CACHE_HOME/sovcloud-analysis`` or ``~/.cache/sovcloud-analysis``). Deleting the
folder only costs a validation; a folder that cannot be written to is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from analysis.runner.versions import library_versions

__all__ = ["CACHE_DIR_ENV", "cache_dir", "is_validated", "record_validated", "validation_key"]

#: environment variable naming the folder of the runner's records (tests point it elsewhere)
CACHE_DIR_ENV = "ANALYSIS_CACHE_DIR"


def cache_dir() -> Path:
    """The folder of the validation records."""
    given = os.environ.get(CACHE_DIR_ENV)
    if given:
        return Path(given) / "validated-data"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sovcloud-analysis" / "validated-data"


def validation_key(data_sha256: str, package: str | None = None) -> str:
    """The key of one data content checked by one package source and set of libraries."""
    from analysis.runner.reuse import package_sha256

    parts = {
        "data_sha256": data_sha256,
        "package_sha256": package if package is not None else package_sha256(),
        "libraries": library_versions(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def is_validated(data_sha256: str) -> bool:
    """Whether an earlier run validated this data content with this package and libraries."""
    return (cache_dir() / validation_key(data_sha256)).is_file()


def record_validated(data_sha256: str) -> None:
    """Record that this data content passed the checks (silently skipped where the cache
    folder cannot be written)."""
    folder = cache_dir()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / validation_key(data_sha256)).touch()
