"""Incremental runs: reuse a report's files from an earlier run when its inputs are unchanged.

A report's output depends on its *inputs*: the notebook's bytes, the parameters injected
(the data directory as pages show it), the data checksum, the source of the ``analysis``
package (which the notebooks, the runner and the HTML templates come from), the lock file
and the installed versions of the libraries the manifest lists (so an environment changed
without the lock file still counts), the Python version, the report's name (the page's
title) and the options that change what is written (``--show-code``, and ``--timeout``,
which decides whether a slow cell fails). :func:`report_inputs` lists them; their SHA-256
is recorded in the report's manifest entry as ``inputs_sha256`` (and the parts as
``inputs``).

Before running, the runner looks for an earlier *complete* run in the same output folder
with an ``ok`` entry of the same ``inputs_sha256`` (newest first): that report is not
executed again. Its page, executed notebook and log are hard-linked into the new run (or
copied where links are impossible), and its entry is copied with ``reused_from`` naming the
run that produced them. A failed report is never reused: it runs again. ``--no-reuse``
runs every report.

What is not an input: the executor (a Dask run and a local run produce the same pages),
``--jobs``, the kernel mode, the git commit as such (the package source and the lock file
are what the reports run), and the run's own date: a reused page keeps the footer of the
run that produced it, which is what it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from analysis.runner.config import Report
from analysis.runner.runs import MANIFEST, list_runs
from analysis.runner.versions import library_versions

__all__ = [
    "REUSED_FILES",
    "ReusePlan",
    "inputs_sha256",
    "link_or_copy",
    "lock_file_sha256",
    "package_sha256",
    "plan_reuse",
    "report_inputs",
]

#: the files of a report, by manifest key, that a reused report takes from the earlier run
REUSED_FILES = ("html", "notebook_out", "log")

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_LOCK_FILE = _PACKAGE_ROOT.parent / "requirements.lock"


def _tree_sha256(root: Path) -> str:
    """SHA-256 over the relative names and bytes of the source files under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def package_sha256(root: Path = _PACKAGE_ROOT) -> str:
    """Checksum of the ``analysis`` package's files (code and templates), as installed here."""
    return _tree_sha256(root)


def lock_file_sha256(path: Path = _LOCK_FILE) -> str | None:
    """Checksum of ``requirements.lock`` (None where there is none, e.g. a wheel install)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def report_inputs(
    report: Report,
    *,
    data_sha256: str,
    data_dir_shown: str | None,
    show_code: bool,
    cell_timeout_s: float | None,
    package: str | None = None,
    lock: str | None = None,
    libraries: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """Everything a report's files depend on (see the module docstring), as JSON values.

    ``libraries`` (default: the installed versions of :data:`versions.PACKAGES`) counts even
    where there is no lock file, or where the environment was changed without it."""
    return {
        "name": report.name,
        "notebook": report.notebook.shown,
        "notebook_sha256": hashlib.sha256(report.notebook.path.read_bytes()).hexdigest(),
        "parameters": report.run_parameters(data_dir_shown),
        "data_sha256": data_sha256,
        "analysis_sha256": package if package is not None else package_sha256(),
        "lock_sha256": lock if lock is not None else lock_file_sha256(),
        "python": platform.python_version(),
        "libraries": dict(libraries if libraries is not None else library_versions()),
        "options": {"show_code": bool(show_code), "cell_timeout_s": cell_timeout_s},
    }


def inputs_sha256(inputs: Mapping[str, Any]) -> str:
    """The checksum of :func:`report_inputs` (key order and spacing do not count)."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` as ``target`` (same file system), else copy it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@dataclass
class ReusePlan:
    """Which reports run and which reuse an earlier run's files."""

    #: report name -> (id of the earlier run holding the files, its manifest entry)
    reused: dict[str, tuple[str, dict[str, Any]]]
    to_run: list[Report]
    #: report name -> its inputs (every report, run or reused)
    inputs: dict[str, dict[str, Any]]
    #: the data directory and checksum the inputs were computed with (set by the runner)
    data_dir: Path | None = None
    checksum: str | None = None

    def entry(self, name: str, run_dir: Path) -> dict[str, Any]:
        """Link a reused report's files into ``run_dir``; return its manifest entry."""
        run_id, earlier = self.reused[name]
        source_dir = run_dir.parent / run_id
        for key in REUSED_FILES:
            link_or_copy(source_dir / earlier[key], run_dir / earlier[key])
        return {**earlier, "reused_from": earlier.get("reused_from") or run_id}


def _earlier_entries(output_dir: Path) -> Iterable[tuple[str, dict[str, Any]]]:
    """(run id, entry) of every ok report of the complete runs, newest run first."""
    for run_id in reversed(list_runs(output_dir)):
        try:
            data = json.loads((output_dir / run_id / MANIFEST).read_text(encoding="utf-8"))
            entries = data["reports"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("status") == "ok":
                yield run_id, entry


def _files_present(run_dir: Path, entry: Mapping[str, Any]) -> bool:
    with contextlib.suppress(TypeError, OSError):
        return all((run_dir / entry[key]).is_file() for key in REUSED_FILES)
    return False


def plan_reuse(
    reports: Sequence[Report],
    output_dir: Path,
    *,
    reuse: bool,
    **inputs_of: Any,
) -> ReusePlan:
    """Split ``reports`` into those reused from a run in ``output_dir`` and those to run.

    ``inputs_of`` are the keyword arguments of :func:`report_inputs` common to every report.
    With ``reuse`` false every report runs (the inputs are still computed, for the manifest).
    """
    inputs = {r.name: report_inputs(r, **inputs_of) for r in reports}
    wanted = {inputs_sha256(inputs[r.name]): r.name for r in reports}
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    if reuse and Path(output_dir).is_dir():
        for run_id, entry in _earlier_entries(Path(output_dir)):
            name = wanted.get(entry.get("inputs_sha256", ""))
            if name and name not in found and _files_present(output_dir / run_id, entry):
                found[name] = (run_id, entry)
            if len(found) == len(wanted):
                break
    return ReusePlan(found, [r for r in reports if r.name not in found], inputs)
