"""Helpers of the report runner's tests: fixture paths, configs, running the real command."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_NOTEBOOKS = FIXTURES / "notebooks"
SCHEMA_STUBS = FIXTURES / "schema"
#: generous: the machine is shared, and a run starts a template process and several kernels
RUN_TIMEOUT_S = 240


def copy_notebooks(dest: Path, source: Path = FIXTURE_NOTEBOOKS) -> Path:
    """Copy fixture notebooks into ``dest`` (configs refer to them by relative path)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.ipynb"):
        shutil.copy(path, dest / path.name)
    return dest


def write_config(path: Path, reports: list[dict[str, Any]] | str) -> Path:
    """Write a config file (a list of entries, or raw YAML text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = reports if isinstance(reports, str) else yaml.safe_dump({"reports": reports})
    path.write_text(text, encoding="utf-8")
    return path


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "analysis", *args]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = RUN_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m analysis ARGS`` to completion (the real command, in a new process)."""
    environ = {**os.environ, **(env or {})}
    return subprocess.run(
        command(*args), capture_output=True, text=True, timeout=timeout, env=environ, cwd=REPO
    )


def start_cli(*args: str, env: dict[str, str] | None = None, log: Path) -> subprocess.Popen:
    """Start ``python -m analysis ARGS`` in its own session (so a test can kill it)."""
    environ = {**os.environ, **(env or {})}
    handle = open(log, "w", encoding="utf-8")  # noqa: SIM115 - owned by the process
    return subprocess.Popen(
        command(*args),
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=environ,
        cwd=REPO,
        start_new_session=True,
        # a shell starts background jobs with Ctrl-C ignored, and a child keeps that: give the
        # command Python's usual Ctrl-C whatever way pytest itself was started
        preexec_fn=_default_sigint,
        text=True,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(predicate, timeout: float = 120.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def latest(output: Path) -> Path:
    return output / (output / "latest.txt").read_text(encoding="utf-8").strip()


def run_dirs(output: Path) -> list[str]:
    """Names of the complete runs in an output folder."""
    if not output.exists():
        return []
    return sorted(
        p.name
        for p in output.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    )


def processes_with_env(marker: str) -> list[int]:
    """Pids of live processes whose environment contains ``marker`` (e.g. a tmp data path)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(proc.name))
    return found


def tree_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to check a run was left untouched)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
