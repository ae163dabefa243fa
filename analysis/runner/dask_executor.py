"""``--executor dask``: run each report as a task on an existing Dask distributed cluster.

No shared file system is assumed. The runner ships what a report needs: the notebook's
bytes, the report (name, parameters, notebook metadata), and the validated data directory
(its files, with each task, with their checksum, which the worker checks again: the data is
small, and a task that carries it can run again anywhere after a worker dies). A
task writes them into a private temporary folder on its worker, runs the report there in a
child process (the same :func:`~analysis.runner.worker.worker_main` as a local run, with a
plain kernel, so its log captures everything) and returns the manifest entry with the bytes
of the executed notebook, the HTML page and the log. The runner alone writes the run folder,
so publishing, the lock, the manifest, the index and the exit statuses are those of a local
run.

Before any report is submitted, :meth:`DaskExecutor.connect` reaches the scheduler (a
few seconds at most, else exit 2 naming the address), waits briefly for a worker, and asks
every worker (``Client.run``) for its ``analysis`` package checksum, Python version and key
library versions: any difference is exit 2, one line per worker naming the mismatch.

Faults. A task that raises is retried once (``retries=1``). A worker that dies mid-report
makes the scheduler run the report again on another worker; the runner watches each task's
count of workers that died running it (the scheduler's ``suspicious`` count) and cancels a
report whose second worker died too: it becomes a failed report (``WorkerDied``), whatever
the scheduler's own ``allowed-failures``. With no worker left for a while, the remaining
reports fail rather than wait for ever. Ctrl-C sets a per-run ``distributed.Event``, which
makes every running task stop its child process and kernel, and cancels the run's tasks.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from analysis.errors import ConfigError
from analysis.runner.config import Report
from analysis.runner.versions import PACKAGES, library_versions

__all__ = [
    "CONNECT_TIMEOUT_S",
    "SCHEDULER_ENV",
    "DaskExecutor",
    "public_address",
    "version_problems",
    "worker_identity",
]

#: environment variable giving the scheduler's address when --scheduler is not given
SCHEDULER_ENV = "ANALYSIS_DASK_SCHEDULER"
#: longest wait for the scheduler to answer, and for a first worker
CONNECT_TIMEOUT_S = 5.0
#: a report whose workers died this many times while running it is a failed report
_DEATHS_ALLOWED = 2
#: how long the runner waits with pending reports and no worker before failing them
NO_WORKER_TIMEOUT_S = 60.0
#: libraries whose versions must be the same on the runner and every worker
CHECKED_PACKAGES = (*PACKAGES, "dask", "distributed")
_FILES = ("html", "notebook_out", "log")


def public_address(address: str) -> str:
    """The scheduler address without credentials or query (``tls://user:pw@h:1`` -> ``tls://h:1``)."""
    address = re.sub(r"^([a-z0-9+.-]+://)[^@/]*@", r"\1", address.strip())
    return address.split("?", 1)[0]


def worker_identity() -> dict[str, Any]:
    """What must match between the runner and a worker (run on each worker by Client.run)."""
    from analysis.runner.reuse import package_sha256

    return {
        "analysis_sha256": package_sha256(),
        "python": platform.python_version(),
        "packages": library_versions(CHECKED_PACKAGES),
    }


def version_problems(
    local: Mapping[str, Any], workers: Mapping[str, Mapping[str, Any] | BaseException]
) -> list[str]:
    """One line per worker whose identity differs from ``local`` (empty when all match)."""
    problems = []
    for address, theirs in sorted(workers.items()):
        if isinstance(theirs, BaseException):
            problems.append(
                f"worker {address} cannot run reports: {type(theirs).__name__}: {theirs} "
                "(install the same requirements.lock and this checkout there)"
            )
            continue
        diffs = []
        if theirs.get("python") != local["python"]:
            diffs.append(f"Python {theirs.get('python')} there, {local['python']} here")
        for name, version in local["packages"].items():
            other = (theirs.get("packages") or {}).get(name)
            if other != version:
                diffs.append(f"{name} {other or 'missing'} there, {version or 'missing'} here")
        if theirs.get("analysis_sha256") != local["analysis_sha256"]:
            diffs.append(
                f"analysis package source differs (sha256 {str(theirs.get('analysis_sha256'))[:12]}"
                f" there, {local['analysis_sha256'][:12]} here: another commit or local changes)"
            )
        if diffs:
            problems.append(f"worker {address} does not match this runner: " + "; ".join(diffs))
    return problems


def _check_address(address: str, shown: str) -> None:
    """A malformed address is a one-line ConfigError, before any connection is tried (a
    Client built on one would stall the interpreter's exit)."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss"):
            parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"--scheduler {shown}: not a Dask scheduler address ({_no_credentials(str(exc))})"
        ) from None


def _no_credentials(text: str) -> str:
    """``text`` without any ``user:password@`` part of an address."""
    return re.sub(r"[^\s'\"/@]+@", "", text)


def _scheduler_state(keys: list[str], dask_scheduler: Any = None) -> dict[str, Any]:
    """Run on the scheduler: workers alive, and per task its deaths and current worker."""
    tasks = {}
    for key in keys:
        state = dask_scheduler.tasks.get(key)
        if state is not None:
            worker = state.processing_on
            tasks[key] = {
                "deaths": state.suspicious,
                "worker": worker.address if worker is not None else None,
            }
    return {"workers": len(dask_scheduler.workers), "tasks": tasks}


class DaskExecutor:
    """A connection to a Dask scheduler that runs reports and returns their files."""

    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = public_address(address)
        self.workers: list[str] = []
        self.token = uuid.uuid4().hex[:12]

    @classmethod
    def connect(cls, address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> DaskExecutor:
        """Reach the scheduler and check its workers; ConfigError (exit 2) if they cannot run
        the reports."""
        from distributed import Client

        shown = public_address(address)
        _check_address(address, shown)
        try:
            client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(
                f"--scheduler {shown}: cannot reach the Dask scheduler "
                f"({_no_credentials(str(exc))})"
            ) from None
        executor = cls(client, address)
        try:
            executor._check_workers(timeout_s)
        except BaseException:
            executor.close()
            raise
        return executor

    def _check_workers(self, timeout_s: float) -> None:
        try:
            self.client.wait_for_workers(1, timeout=timeout_s)
        except (TimeoutError, OSError):
            raise ConfigError(
                f"--scheduler {self.address}: no worker connected within {timeout_s:.0f} s "
                "(start some with `dask worker ADDRESS`)"
            ) from None
        found = self.client.run(worker_identity, on_error="return")
        problems = version_problems(worker_identity(), found)
        if problems:
            raise ConfigError(problems[0], problems)
        self.workers = sorted(found)

    def describe(self) -> dict[str, Any]:
        """The manifest's ``executor`` field (no credentials)."""
        return {"name": "dask", "scheduler": self.address, "workers": self.workers}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close(timeout=5)

    def run(
        self,
        reports: Sequence[Report],
        checked: Any,
        *,
        run_dir: Path,
        footer: dict[str, Any],
        data_given: bool,
        data_shown: str | None,
        options: Any,
        on_finished: Callable[[dict[str, Any]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Run ``reports`` on the cluster; write their files into ``run_dir``; return their
        manifest entries in ``reports`` order."""
        from distributed import Event

        from analysis.data.io import data_files
        from analysis.runner.pool import _Progress
        from analysis.runner.published import shown_path

        data = {
            path.relative_to(checked.data_dir).as_posix(): path.read_bytes()
            for path in data_files(checked.data_dir)
        }
        settings = {
            "footer": footer,
            "sources": checked.sources,
            "show_code": options.show_code,
            "cell_timeout_s": options.cell_timeout_s,
            "data_given": data_given,
            "data_shown": data_shown,
            "data_label": shown_path(checked.data_dir, checked.explicit or checked.data_dir),
            "data_sha256": checked.checksum,
            "cancel": f"sovcloud-cancel-{self.token}",
        }
        cancel = Event(settings["cancel"], client=self.client)
        futures = {}
        for report in reports:
            key = f"sovcloud-report-{self.token}-{report.name}"
            futures[key] = (
                report,
                self.client.submit(
                    run_report_task,
                    report,
                    report.notebook.path.read_bytes(),
                    # in each task, not scattered: a task must survive the death of any
                    # worker, and scattered data dies with the workers holding it
                    data,
                    settings,
                    key=key,
                    retries=1,
                    pure=False,
                ),
            )
        results: dict[str, dict[str, Any]] = {}
        bar = _Progress(len(reports), options.progress)
        for _ in reports:
            bar.started()
        try:
            self._collect(futures, results, run_dir, bar)
        except BaseException:
            with contextlib.suppress(Exception):
                cancel.set()
            with contextlib.suppress(Exception):
                self.client.cancel([f for _, f in futures.values()], force=True)
            raise
        finally:
            bar.close()
        return [results[report.name] for report in reports]

    def _collect(
        self,
        futures: dict[str, tuple[Report, Any]],
        results: dict[str, dict[str, Any]],
        run_dir: Path,
        bar: Any,
    ) -> None:
        pending = dict(futures)
        workers_seen = time.monotonic()
        next_poll = 0.0
        while pending:
            for key, (report, future) in list(pending.items()):
                if not future.done():
                    continue
                del pending[key]
                entry = self._entry(report, future, run_dir)
                results[report.name] = entry
                bar.finished(entry)
            if not pending:
                break
            if time.monotonic() >= next_poll:
                next_poll = time.monotonic() + 1.0
                state = self.client.run_on_scheduler(_scheduler_state, list(pending))
                if state["workers"]:
                    workers_seen = time.monotonic()
                for key, task in state["tasks"].items():
                    if task["deaths"] >= _DEATHS_ALLOWED:
                        report, future = pending.pop(key)
                        self.client.cancel([future], force=True)
                        entry = _failed(
                            report,
                            "WorkerDied",
                            f"{task['deaths']} workers died running this report (Dask ran it "
                            "again once on another worker; it is not retried again)",
                        )
                        _placeholders(report, entry, run_dir)
                        results[report.name] = entry
                        bar.finished(entry)
                if time.monotonic() - workers_seen > NO_WORKER_TIMEOUT_S:
                    for report, future in pending.values():
                        self.client.cancel([future], force=True)
                        entry = _failed(
                            report,
                            "NoWorker",
                            f"no worker was connected to {self.address} for "
                            f"{NO_WORKER_TIMEOUT_S:.0f} s",
                        )
                        _placeholders(report, entry, run_dir)
                        results[report.name] = entry
                        bar.finished(entry)
                    pending.clear()
            time.sleep(0.1)

    def _entry(self, report: Report, future: Any, run_dir: Path) -> dict[str, Any]:
        """The manifest entry of a finished task, its files written into ``run_dir``."""
        from analysis.runner.runs import json_safe

        if future.status != "finished":
            exc = future.exception() if future.status == "error" else None
            name = type(exc).__name__ if exc is not None else "Cancelled"
            if name == "KilledWorker":
                name = "WorkerDied"
            entry = _failed(report, name, str(exc) if exc is not None else "task cancelled")
            _placeholders(report, entry, run_dir)
            return entry
        result = future.result()
        entry = json_safe(result["entry"])
        for key in _FILES:
            (run_dir / entry[key]).write_bytes(result["files"][key])
        entry["worker"] = result["worker"]
        return entry


def _failed(report: Report, ename: str, evalue: str) -> dict[str, Any]:
    return {
        "name": report.name,
        "notebook": report.notebook.shown,
        "parameters": dict(report.parameters),
        "status": "failed",
        "duration_s": 0.0,
        "key_numbers": {},
        "html": f"{report.name}.html",
        "notebook_out": f"{report.name}.ipynb",
        "log": f"logs/{report.name}.log",
        "error": {"ename": ename, "evalue": evalue},
        "failed_cell": None,
        "worker": None,
    }


def _placeholders(report: Report, entry: dict[str, Any], run_dir: Path) -> None:
    """Every link of the index resolves, even for a report whose task never returned."""
    from analysis.runner.pool import _placeholder_files
    from analysis.runner.worker import WorkerContext

    ctx = WorkerContext(run_dir=run_dir, runtime_dir=run_dir, kernel_env={}, renderer=None)
    log = run_dir / entry["log"]
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"{entry['error']['ename']}: {entry['error']['evalue']}\n", encoding="utf-8")
    _placeholder_files(report, ctx, entry)


# --- on the worker -------------------------------------------------------------------------


def _write_data(folder: Path, files: Mapping[str, bytes], checksum: str) -> Path:
    from analysis.data.io import data_checksum

    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    if data_checksum(folder) != checksum:
        raise RuntimeError("the data shipped to this worker does not match its checksum")
    return folder


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_report_task(
    report: Report, notebook: bytes, data: Mapping[str, bytes], settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The Dask task: run one report in a private folder of this worker; return its entry
    and the bytes of its files."""
    from distributed import Event, get_worker

    from analysis.runner.layout import short_tmp

    address = get_worker().address
    cancel = Event(settings["cancel"])
    with tempfile.TemporaryDirectory(prefix="sovcloud-task-", dir=short_tmp()) as tmp_text:
        tmp = Path(tmp_text)
        data_dir = _write_data(tmp / "data", data, settings["data_sha256"])
        notebook_path = tmp / "notebooks" / report.notebook.path.name
        notebook_path.parent.mkdir()
        notebook_path.write_bytes(notebook)
        run_dir = tmp / "run"
        (run_dir / "logs").mkdir(parents=True)
        (tmp / "rt").mkdir()
        task_report = replace(report, notebook=replace(report.notebook, path=notebook_path))
        job = {
            "report": task_report,
            "settings": dict(settings),
            "data_dir": str(data_dir),
            "run_dir": str(run_dir),
            "runtime_dir": str(tmp / "rt"),
            "result": str(tmp / "result.json"),
        }
        (tmp / "job.pickle").write_bytes(pickle.dumps(job))
        log = run_dir / "logs" / f"{report.name}.log"
        with open(log, "ab") as handle:
            process = subprocess.Popen(
                [sys.executable, "-m", "analysis.runner.dask_executor", str(tmp / "job.pickle")],
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=handle,
                start_new_session=True,
            )
        began = time.perf_counter()
        try:
            while process.poll() is None:
                if cancel.wait(timeout=1.0):  # the run was interrupted: stop this report
                    _stop(process)
                    raise RuntimeError("run cancelled")
        except BaseException:
            _stop(process)
            raise
        try:
            entry = json.loads((tmp / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            how = process.returncode
            entry = _failed(report, "WorkerCrashed", f"the report's process ended (status {how})")
            entry["duration_s"] = round(time.perf_counter() - began, 3)
            _placeholders(task_report, entry, run_dir)
        files = {key: (run_dir / entry[key]).read_bytes() for key in _FILES}
    return {"entry": entry, "files": files, "worker": address}


def _child_main(job_path: str) -> None:
    """The report's own process on the worker: a local worker's code, a plain kernel."""
    from analysis.data.io import DATA_DIR_ENV, VALIDATED_ENV
    from analysis.runner.html import ReportRenderer
    from analysis.runner.worker import WorkerContext, kernel_environment, worker_main

    job = pickle.loads(Path(job_path).read_bytes())
    settings = job["settings"]
    renderer = ReportRenderer(
        show_code=settings["show_code"], run=settings["footer"], sources=settings["sources"]
    )
    ctx = WorkerContext(
        run_dir=Path(job["run_dir"]),
        runtime_dir=Path(job["runtime_dir"]),
        kernel_env=kernel_environment(
            {DATA_DIR_ENV: job["data_dir"], VALIDATED_ENV: settings["data_sha256"]}
        ),
        renderer=renderer,
        data_dir_param=job["data_dir"] if settings["data_given"] else None,
        data_dir_shown=settings["data_shown"],
        cell_timeout_s=settings["cell_timeout_s"],
        data_dir_label=settings["data_label"],
        scratch=Path(job["run_dir"]).parent,
    )
    worker_main(job["report"], ctx, Path(job["result"]), [])


if __name__ == "__main__":
    _child_main(sys.argv[1])
