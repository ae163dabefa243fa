"""Typed loading of the data: the validated tables of one data directory as pandas frames.

Which directory and which files: :mod:`analysis.data.files` (re-exported here). The directory
holds ``datapackage.json`` (a Frictionless Data Package: every table's fields, types, units,
allowed values and keys) and the CSV files it lists.

:func:`load_dataset` validates the whole package (see :mod:`analysis.data.validate`) and returns
typed frames; a problem raises :class:`~analysis.errors.DataError` listing every problem as
``file:row:column: what is wrong``. Results are cached per directory and content checksum.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.files import (
    DATA_DIR_ENV,
    DESCRIPTOR,
    REPO_ROOT,
    VALIDATED_ENV,
    data_checksum,
    data_files,
    default_data_dir,
    read_descriptor,
    resolve_data_dir,
)
from analysis.data.validate import read_raw, validate_data_dir
from analysis.errors import DataError

__all__ = [
    "DATA_DIR_ENV",
    "DESCRIPTOR",
    "REPO_ROOT",
    "VALIDATED_ENV",
    "Dataset",
    "check_data_command",
    "data_checksum",
    "data_files",
    "default_data_dir",
    "load_dataset",
    "load_table",
    "read_descriptor",
    "resolve_data_dir",
    "typed_frame",
]


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
        raw = read_raw(root / resource["path"])
        tables[resource["name"]] = typed_frame(raw, resource["schema"])
    dataset = Dataset(root, checksum, descriptor, tables)
    _CACHE[key] = dataset
    return dataset


def load_table(name: str, data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One validated, typed table of the data directory."""
    return load_dataset(data_dir).table(name)


def check_data_command(data_dir: str | None) -> int:
    """``python -m analysis check-data``: print a summary (exit 0) or every problem (exit 2)."""
    root = resolve_data_dir(data_dir)
    problems = validate_data_dir(root)
    try:
        shown = root.relative_to(Path.cwd())
    except ValueError:
        shown = root
    if problems:
        for problem in problems:
            print(f"{shown}/{problem}")
        print(f"{shown}: {len(problems)} problem(s) found", flush=True)
        return 2
    dataset = load_dataset(root, validate=False)
    rows = sum(len(frame) for frame in dataset.tables.values())
    sources = len(dataset.tables.get("sources", ()))
    print(
        f"{shown}: valid - {len(dataset.tables)} tables, {rows} rows, {sources} sources, "
        f"sha256 {data_checksum(root)[:12]}"
    )
    return 0
