"""Layout of the output folder: run ids, temporary run folders, ``latest``, manifests.

::

    reports/                      the output folder (--output)
      .lock                       held by the run in progress (see analysis.runner.lock)
      latest -> 2026-03-02T06-00-04Z
      latest.txt                  the same run id, for systems without symlinks
      2026-03-02T06-00-04Z/       one complete run: index.html, manifest.json, reports, logs/
      .tmp-2026-03-09T06-00-03Z/  a run being built (or left by a killed run: removed later)
      .tmp-2026-03-16T06-00-03Z.kept/  the reports of a run that could not be published

A run is built in ``.tmp-<run-id>`` and renamed to ``<run-id>`` only when complete (a
rename inside one folder is atomic); ``latest`` is then replaced atomically (a new symlink
renamed over the old one). Every file of the run, and its folders, are flushed to disk
(``fsync``) before the rename, and the output folder after it, so that after a power cut
``<run-id>`` is either absent or complete. A run killed at any point therefore leaves
``latest`` and every earlier run as they were; the next run removes the leftover temporary
folder. A run whose reports ran but which could not be finished (its manifest or index could
not be written, say) is renamed ``.tmp-<run-id>.kept`` instead: never published, never
removed by a later run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError, ConfigError
from analysis.runner.layout import (
    KEPT_SUFFIX,
    LATEST,
    LATEST_TXT,
    MANIFEST,
    PREVIOUS,
    TMP_PREFIX,
    fsync_dir,
)
from analysis.runner.publish import latest_id, point_latest

__all__ = [
    "KEPT_SUFFIX",
    "LATEST",
    "LATEST_TXT",
    "MANIFEST",
    "PREVIOUS",
    "RUN_ID_RE",
    "TMP_PREFIX",
    "ManifestError",
    "check_manifest",
    "clean_stale",
    "fsync_tree",
    "json_safe",
    "keep_unpublished",
    "list_runs",
    "move_into_place",
    "new_run_id",
    "point_latest",
    "publish_run",
    "read_manifest",
    "resolve_manifest",
    "write_json_atomic",
]


class ManifestError(AnalysisError):
    """A manifest.json that is missing, unreadable or lacks what a run manifest holds."""


#: run ids sort in time order: UTC start time, plus a counter if two runs start in one second
RUN_ID_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z(-\d{2})?$")
_RUN_ID_FORMAT = "%Y-%m-%dT%H-%M-%SZ"


def new_run_id(output_dir: Path, now: dt.datetime) -> str:
    """A fresh, sortable run id for a run started at ``now`` (UTC)."""
    base = now.astimezone(dt.UTC).strftime(_RUN_ID_FORMAT)
    taken = {p.name.removeprefix(TMP_PREFIX) for p in Path(output_dir).iterdir()}
    if base not in taken:
        return base
    for counter in range(2, 100):
        candidate = f"{base}-{counter:02d}"
        if candidate not in taken:
            return candidate
    raise ConfigError(f"{output_dir}: too many runs started at {base}")


def list_runs(output_dir: Path) -> list[str]:
    """Ids of the complete runs in the output folder, oldest first."""
    if not Path(output_dir).is_dir():
        return []
    return sorted(
        p.name
        for p in Path(output_dir).iterdir()
        if RUN_ID_RE.match(p.name) and (p / MANIFEST).is_file() and not p.is_symlink()
    )


def clean_stale(output_dir: Path) -> list[str]:
    """Remove what killed runs left behind (call it while holding the lock); folders kept
    by :func:`keep_unpublished` stay."""
    removed = []
    for path in Path(output_dir).iterdir():
        if path.name.startswith(TMP_PREFIX) and not path.name.endswith(KEPT_SUFFIX):
            if path.is_symlink() or path.is_file():
                path.unlink(missing_ok=True)
            else:
                shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` to disk, then each folder, deepest first.

    The files were written by several processes (workers, kernels): fsync works on the file,
    not on the descriptor that wrote it, so reopening them here is enough.
    """
    folders: list[Path] = []
    for root, dirs, files in os.walk(folder):
        folders.append(Path(root))
        for name in files:
            path = Path(root) / name
            with contextlib.suppress(OSError):
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        dirs.sort()
    for path in reversed(folders):
        fsync_dir(path)


def json_safe(data: Any) -> Any:
    """``data`` with every NaN or infinite number replaced by None (JSON has neither; a
    recorded value that is not a finite number reads as undefined)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: json_safe(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(value) for value in data]
    return data


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` through a temporary file (flushed to disk) and a rename."""
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, ensure_ascii=False, allow_nan=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def move_into_place(output_dir: Path, tmp_dir: Path, run_id: str) -> Path:
    """Flush a finished run to disk, then rename it to its run id (atomic)."""
    output_dir = Path(output_dir)
    final = output_dir / run_id
    fsync_tree(tmp_dir)
    os.rename(tmp_dir, final)
    fsync_dir(output_dir)
    return final


def publish_run(output_dir: Path, tmp_dir: Path, run_id: str) -> Path:
    """Move a finished run into place, then point ``latest`` (and latest.txt) at it."""
    final = move_into_place(output_dir, tmp_dir, run_id)
    point_latest(output_dir, run_id)
    return final


def keep_unpublished(tmp_dir: Path) -> Path:
    """Rename a run folder that could not be published so that no later run removes it."""
    kept = Path(tmp_dir).with_name(Path(tmp_dir).name + KEPT_SUFFIX)
    os.rename(tmp_dir, kept)
    fsync_dir(kept.parent)
    return kept


def check_manifest(data: Any) -> list[str]:
    """What a run manifest lacks (empty when it has what ``compare`` reads)."""
    if not isinstance(data, dict):
        return ["it is not a JSON object"]
    problems = []
    version = data.get("manifest_version", 1)
    if version != 1:
        problems.append(f"manifest_version {version!r} is not one this runner reads (1)")
    if not isinstance(data.get("run"), dict):
        problems.append("it has no 'run' object" if "run" not in data else "'run' is not an object")
    reports = data.get("reports")
    if not isinstance(reports, list):
        problems.append(
            "it has no 'reports' list" if "reports" not in data else "'reports' is not a list"
        )
        return problems
    for index, report in enumerate(reports):
        where = f"reports[{index}]"
        if not isinstance(report, dict):
            problems.append(f"{where} is not an object")
            continue
        name = report.get("name")
        if not isinstance(name, str) or not name:
            problems.append(f"{where} has no 'name'")
        else:
            where += f" ({name})"
        if "status" not in report:
            problems.append(f"{where} has no 'status'")
        elif report["status"] not in ("ok", "failed"):
            problems.append(f"{where}: status {report['status']!r} is neither 'ok' nor 'failed'")
        numbers = report.get("key_numbers")
        if numbers is not None and (
            not isinstance(numbers, dict) or not all(isinstance(n, dict) for n in numbers.values())
        ):
            problems.append(f"{where}: 'key_numbers' is not an object of objects")
        parameters = report.get("parameters")
        if parameters is not None and not isinstance(parameters, dict):
            problems.append(f"{where}: 'parameters' is not an object")
    return problems


def read_manifest(path: Path) -> dict[str, Any]:
    """Read a run's manifest.json; ManifestError (one line each) if it is not one."""
    from analysis.runner.manifest_schema import load_manifest_json, schema_problems

    try:
        data = load_manifest_json(Path(path))
    except OSError as exc:
        raise ManifestError(f"{path}: not a readable manifest ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ManifestError(f"{path}: not a readable manifest ({exc})") from None
    found = check_manifest(data) or schema_problems(data)
    problems = [f"{path}: not a run manifest: {line}" for line in found]
    if problems:
        raise ManifestError(problems[0], problems)
    return data


def _is_path(spec: str) -> bool:
    return "/" in spec or os.sep in spec or spec.endswith(MANIFEST)


def resolve_manifest(spec: str, output_dir: Path) -> Path:
    """Find the manifest named by ``spec``.

    ``latest``, ``previous`` (the run before the latest one) and run ids are looked up in
    ``output_dir`` only, never in the current directory; a path (anything with a ``/``, or
    ending in ``manifest.json``) names a run folder or a manifest file.
    """
    output_dir = Path(output_dir)
    if _is_path(spec):
        candidate = Path(spec)
        if candidate.is_file():
            return candidate
        if (candidate / MANIFEST).is_file():
            return candidate / MANIFEST
        raise ManifestError(f"run {spec!r} not found: no {MANIFEST} there")
    if spec in (LATEST, PREVIOUS):
        latest = latest_id(output_dir)
        if latest is None:
            raise ManifestError(f"run {spec!r} not found: {output_dir} has no complete run")
        if spec == LATEST:
            return output_dir / latest / MANIFEST
        earlier = [run for run in list_runs(output_dir) if run < latest]
        if not earlier:
            raise ManifestError(
                f"run 'previous' not found: {output_dir} has no run before the latest ({latest})"
            )
        return output_dir / earlier[-1] / MANIFEST
    candidate = output_dir / spec
    if (candidate / MANIFEST).is_file():
        return candidate / MANIFEST
    hint = ""
    if Path(spec).exists():
        hint = f"; to use {spec} in the current folder, write ./{spec}"
    raise ManifestError(
        f"run {spec!r} not found in {output_dir}: give a run id of that folder, 'latest', "
        f"'previous', or a path to a run folder or a manifest.json{hint}"
    )
