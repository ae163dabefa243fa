"""The data directory and its files: which directory, its descriptor, its checksum.

The lowest layer of :mod:`analysis.data`: :mod:`analysis.data.validate` checks what these
functions find and :mod:`analysis.data.io` loads it as typed frames. Which directory is used,
in order of precedence:

1. an explicit ``data_dir`` argument (the notebooks' ``data_dir`` parameter, ``--data-dir``);
2. the environment variable ``ANALYSIS_DATA_DIR``;
3. the project's own ``data/``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.data.paths import resource_path_problems
from analysis.errors import DataError

__all__ = [
    "DATA_DIR_ENV",
    "DESCRIPTOR",
    "REPO_ROOT",
    "VALIDATED_ENV",
    "data_checksum",
    "data_files",
    "default_data_dir",
    "read_descriptor",
    "resolve_data_dir",
]

#: repository root (the package is installed in editable mode from it)
REPO_ROOT = Path(__file__).resolve().parents[2]
#: environment variable naming another data directory
DATA_DIR_ENV = "ANALYSIS_DATA_DIR"
#: set by the report runner to the checksum it validated, so kernels skip re-validation
VALIDATED_ENV = "ANALYSIS_DATA_VALIDATED"
#: name of the package descriptor inside a data directory
DESCRIPTOR = "datapackage.json"


def default_data_dir() -> Path:
    """The project's own data directory."""
    return REPO_ROOT / "data"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory to use (see the module docstring for the precedence)."""
    if data_dir not in (None, ""):
        candidate, origin = Path(str(data_dir)), "data_dir"
    elif os.environ.get(DATA_DIR_ENV):
        candidate, origin = Path(os.environ[DATA_DIR_ENV]), f"${DATA_DIR_ENV}"
    else:
        candidate, origin = default_data_dir(), "default"
    try:
        path = candidate.expanduser().resolve()
        is_dir = path.is_dir()
    except (RuntimeError, OSError) as exc:  # a symlink loop, a name too long...
        why = "a symlink loop" if isinstance(exc, RuntimeError) else exc.strerror or str(exc)
        raise DataError(
            f"{candidate}: data directory cannot be resolved ({why}; from {origin})"
        ) from None
    if not is_dir:
        raise DataError(f"{path}: data directory not found (from {origin})")
    if not (path / DESCRIPTOR).is_file():
        raise DataError(f"{path}: not a data directory, it has no {DESCRIPTOR} (from {origin})")
    return path


def read_descriptor(data_dir: Path) -> dict[str, Any]:
    """Parse ``datapackage.json``; a syntax error becomes a one-line DataError."""
    path = data_dir / DESCRIPTOR
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{DESCRIPTOR}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    except OSError as exc:
        raise DataError(f"{DESCRIPTOR}: cannot be read: {exc.strerror}") from exc
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise DataError(f"{DESCRIPTOR}:1:resources: the descriptor lists no resources")
    outside = resource_path_problems(data_dir, descriptor["resources"])
    if outside:  # refused before any file it lists is opened
        raise DataError(outside[0], outside)
    return descriptor


def data_files(data_dir: Path, descriptor: Mapping[str, Any] | None = None) -> list[Path]:
    """The descriptor and every file it lists, in a stable order."""
    descriptor = descriptor or read_descriptor(data_dir)
    paths = [data_dir / DESCRIPTOR]
    # a resource without a path is reported by the validation, not here
    paths += [
        data_dir / r["path"]
        for r in descriptor["resources"]
        if isinstance(r, dict) and isinstance(r.get("path"), str)
    ]
    return paths


def data_checksum(data_dir: str | os.PathLike[str] | None = None) -> str:
    """SHA-256 over the names and bytes of the descriptor and every file it lists."""
    root = resolve_data_dir(data_dir)
    digest = hashlib.sha256()
    for path in sorted(data_files(root), key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()
