"""Where the data lives and how it is read: the one module that touches data files.

The data directory holds ``datapackage.json`` (a Frictionless Data Package: every table's
fields, types, units, allowed values and keys) and the CSV files it lists. Which directory is
used, in order of precedence:

1. an explicit ``data_dir`` argument (the notebooks' ``data_dir`` parameter, ``--data-dir``);
2. the environment variable ``ANALYSIS_DATA_DIR``;
3. the project's own ``data/``.

:func:`load_dataset` validates the whole package (see :mod:`analysis.validate`) and returns
typed frames; a problem raises :class:`~analysis.errors.DataError` listing every problem as
``file:row:column: what is wrong``. Results are cached per directory and content checksum.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import DataError

__all__ = [
    "DATA_DIR_ENV",
    "DESCRIPTOR",
    "REPO_ROOT",
    "VALIDATED_ENV",
    "Dataset",
    "data_checksum",
    "data_files",
    "default_data_dir",
    "load_dataset",
    "load_table",
    "read_descriptor",
    "resolve_data_dir",
    "typed_frame",
]

#: repository root (the package is installed in editable mode from it)
REPO_ROOT = Path(__file__).resolve().parent.parent
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
    from analysis.datapaths import resource_path_problems

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


def _read_raw(path: Path) -> pd.DataFrame:
    """Read a CSV as text only: no type guessing, empty cells as missing."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


def typed_frame(raw: pd.DataFrame, schema: Mapping[str, Any]) -> pd.DataFrame:
    """Cast a text frame to the types of its Table Schema (after validation).

    number -> float64, integer -> nullable Int64, boolean -> nullable boolean,
    everything else stays text. Columns come in the schema's order.
    """
    out = {}
    for spec in schema["fields"]:
        name, kind = spec["name"], spec.get("type", "string")
        column = raw[name]
        if kind == "number":
            out[name] = pd.to_numeric(column).astype("float64")
        elif kind == "integer":
            out[name] = pd.to_numeric(column).astype("Int64")
        elif kind == "boolean":
            true = set(spec.get("trueValues", ["true", "True", "TRUE", "1"]))
            false = set(spec.get("falseValues", ["false", "False", "FALSE", "0"]))
            lookup = {**dict.fromkeys(true, True), **dict.fromkeys(false, False)}
            out[name] = column.map(lookup).astype("boolean")
        else:
            out[name] = column.astype("string")
    return pd.DataFrame(out, index=raw.index)


@dataclass(frozen=True)
class Dataset:
    """Every table of one data directory, validated and typed.

    Tables are reachable as attributes (``ds.financials``) or with :meth:`table`.
    Frames are shared: treat them as read-only (analysis functions return new frames).
    """

    data_dir: Path
    checksum: str
    descriptor: dict[str, Any] = field(repr=False)
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (a resource name of the package)."""
        try:
            return self.tables[name]
        except KeyError:
            known = ", ".join(self.tables)
            raise DataError(f"{DESCRIPTOR}: no table named {name!r}; tables: {known}") from None

    def resource(self, name: str) -> dict[str, Any]:
        """The descriptor of one resource (its schema, title, description)."""
        for resource in self.descriptor["resources"]:
            if resource.get("name") == name:
                return resource
        raise DataError(f"{DESCRIPTOR}: no resource named {name!r}")

    def field_info(self, table: str, column: str) -> dict[str, Any]:
        """Schema entry of one column: type, title, description, unit, constraints."""
        for spec in self.resource(table)["schema"]["fields"]:
            if spec["name"] == column:
                return spec
        raise DataError(f"{DESCRIPTOR}: table {table!r} has no column {column!r}")


_CACHE: dict[tuple[Path, str], Dataset] = {}
_VALIDATED: set[tuple[Path, str]] = set()


def load_dataset(
    data_dir: str | os.PathLike[str] | None = None, *, validate: bool = True
) -> Dataset:
    """Validate and load every table of the data directory.

    Raises :class:`DataError` listing every problem (``file:row:column: message``).
    With ``validate=False`` the files are only parsed (for tools that report problems
    themselves). When the environment variable ``ANALYSIS_DATA_VALIDATED`` holds this
    directory's checksum (the report runner sets it after validating once), the schema
    validation is not repeated. Results are cached per directory and checksum.
    """
    root = resolve_data_dir(data_dir)
    checksum = data_checksum(root)
    key = (root, checksum)
    trusted = os.environ.get(VALIDATED_ENV) == checksum
    if validate and not trusted and key not in _VALIDATED:
        from analysis.validate import validate_data_dir

        problems = validate_data_dir(root)
        if problems:
            lines = [str(p) for p in problems]
            raise DataError(
                f"{root}: {len(lines)} data problem(s); first: {lines[0]}", problems=lines
            )
        _VALIDATED.add(key)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    descriptor = read_descriptor(root)
    tables = {}
    for resource in descriptor["resources"]:
        raw = _read_raw(root / resource["path"])
        tables[resource["name"]] = typed_frame(raw, resource["schema"])
    dataset = Dataset(root, checksum, descriptor, tables)
    _CACHE[key] = dataset
    return dataset


def load_table(name: str, data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One validated, typed table of the data directory."""
    return load_dataset(data_dir).table(name)
