"""Run reports in forked worker processes, at most ``jobs`` at a time, with a progress bar.

Workers are forked (not spawned) from the runner once it has imported papermill and
nbconvert, so no worker pays those imports again. One worker runs one report and exits;
its result is a JSON file the runner reads when the process has ended, so a worker that
crashes (or is killed) becomes a failed report instead of a hung run.
"""

from __future__ import annotations

import html
import json
import multiprocessing
import multiprocessing.connection
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from analysis.runner import engine  # noqa: F401 - registers the engine before workers fork
from analysis.runner.config import Report
from analysis.runner.runs import json_safe
from analysis.runner.worker import WRITE_FAILED_EXIT, WorkerContext, worker_main

__all__ = ["run_pool"]


def _crashed(report: Report, ctx: WorkerContext, exitcode: int | None, elapsed: float) -> dict:
    how = f"killed by signal {-exitcode}" if exitcode and exitcode < 0 else f"status {exitcode}"
    return {
        "name": report.name,
        "notebook": report.notebook.shown,
        "parameters": report.run_parameters(ctx.data_dir_param),
        "status": "failed",
        "duration_s": round(elapsed, 3),
        "key_numbers": {},
        "html": f"{report.name}.html",
        "notebook_out": f"{report.name}.ipynb",
        "log": f"logs/{report.name}.log",
        "error": {"ename": "WorkerCrashed", "evalue": f"the worker process ended ({how})"},
        "failed_cell": None,
    }


def _placeholder_files(report: Report, ctx: WorkerContext, entry: dict[str, Any]) -> None:
    """Make sure every link of the index resolves, even for a crashed worker."""
    page = ctx.run_dir / entry["html"]
    if not page.exists():
        page.write_text(
            f"<!DOCTYPE html><meta charset='utf-8'><title>{html.escape(report.name)}</title>"
            "<p>This report did not finish: its worker process ended early. See its log.</p>",
            encoding="utf-8",
        )
    out = ctx.run_dir / entry["notebook_out"]
    if not out.exists():
        out.write_text(report.notebook.path.read_text(encoding="utf-8"), encoding="utf-8")
    (ctx.run_dir / entry["log"]).touch()


class _Progress:
    """A tqdm bar on a terminal (done, running, failed); one line per report otherwise."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.total, self.done, self.failed, self.running = total, 0, 0, 0
        interactive = sys.stderr.isatty() if enabled is None else enabled
        self.bar = None
        if interactive:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: the runner forks workers
            self.bar = tqdm(total=total, desc="reports", unit="report", file=sys.stderr)

    def _postfix(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix(running=self.running, failed=self.failed, refresh=True)

    def started(self) -> None:
        self.running += 1
        self._postfix()

    def finished(self, entry: dict[str, Any]) -> None:
        self.running -= 1
        self.done += 1
        ok = entry["status"] == "ok"
        self.failed += not ok
        line = f"[{self.done}/{self.total}] {entry['name']}: {entry['status']} in " + (
            f"{entry.get('duration_s', 0):.1f} s"
        )
        if not ok:
            error = entry.get("error") or {}
            line += f" - {error.get('ename')}: {error.get('evalue')}"
        if self.bar is not None:
            if not ok:
                self.bar.write(line, file=sys.stderr)
            self.bar.update(1)
            self._postfix()
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_pool(
    reports: Sequence[Report],
    ctx: WorkerContext,
    jobs: int,
    inherited: Iterable[int],
    *,
    progress: bool | None = None,
) -> list[dict[str, Any]]:
    """Run every report; return their manifest entries in config order."""
    fork = multiprocessing.get_context("fork")
    inherited = list(inherited)
    pending = list(reports)
    running: dict[Any, tuple[Any, Report, float, Path]] = {}
    results: dict[str, dict[str, Any]] = {}
    bar = _Progress(len(reports), progress)
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                report = pending.pop(0)
                result_path = ctx.run_dir / ".results" / f"{report.name}.json"
                sys.stdout.flush()
                sys.stderr.flush()
                process = fork.Process(
                    target=worker_main,
                    args=(report, ctx, result_path, inherited),
                    name=f"report {report.name}",
                )
                process.start()
                running[process.sentinel] = (process, report, time.perf_counter(), result_path)
                bar.started()
            for sentinel in multiprocessing.connection.wait(list(running), timeout=1.0):
                process, report, began, result_path = running.pop(sentinel)
                process.join()
                try:
                    # a worker writes NaN as JSON allows it; the manifest may not hold it
                    entry = json_safe(json.loads(result_path.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    entry = _crashed(report, ctx, process.exitcode, time.perf_counter() - began)
                    if process.exitcode == WRITE_FAILED_EXIT:  # disk full: the run stops
                        entry["write_error"] = f"{report.name}: the worker could not write"
                    else:
                        _placeholder_files(report, ctx, entry)
                results[report.name] = entry
                bar.finished(entry)
    except BaseException:
        for process, *_ in running.values():
            process.terminate()
        for process, *_ in running.values():
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
        raise
    finally:
        bar.close()
    return [results[r.name] for r in reports]
