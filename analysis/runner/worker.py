"""Run one report in a worker process: papermill, then its HTML page and its result.

A worker is forked from the runner after papermill and nbconvert are imported, runs exactly
one report, and exits. It never changes directory: the kernel's working directory (the
notebook's folder) reaches nbclient as ``resources={"metadata": {"path": ...}}`` through
papermill's engine keyword arguments, and the kernel is forced to the project environment's
own interpreter by :class:`~analysis.runner.kernels.ReportKernelManager`. Everything the
worker, papermill and the kernel print goes to the report's own log file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import html
import logging
import multiprocessing
import os
import re
import signal
import sys
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.runner.config import Report

__all__ = [
    "WRITE_FAILED_EXIT",
    "WorkerContext",
    "cap_log",
    "is_write_error",
    "run_report",
    "worker_main",
]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PR_SET_PDEATHSIG = 1


@dataclass
class WorkerContext:
    """What every worker needs, prepared once by the runner before it forks them."""

    run_dir: Path
    runtime_dir: Path
    kernel_env: dict[str, str]
    renderer: Any
    data_dir_param: str | None = None
    #: how pages show ``data_dir``: as the user gave it, or relative to the repository
    data_dir_shown: str | None = None
    fork_server: str = ""
    cell_timeout_s: float | None = None
    start_timeout_s: float = 120.0
    close_fds: list[int] = field(default_factory=list)
    #: how the data directory is shown in published files (relative to the repository, or
    #: as given), and the private folder a report runs in on a Dask worker, if any
    data_dir_label: str | None = None
    scratch: Path | None = None


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _report_paths(ctx: WorkerContext, report: Report) -> dict[str, Path]:
    return {
        "notebook_out": ctx.run_dir / f"{report.name}.ipynb",
        "html": ctx.run_dir / f"{report.name}.html",
        "log": ctx.run_dir / "logs" / f"{report.name}.log",
    }


def _failed_cell(nb: Any, source_nb: Any) -> dict[str, Any] | None:
    """The failing cell: its number in the source notebook (1-based), prompt and source.

    It is the first cell with an error output, else the cell papermill marked as raising,
    else (a timeout, a dead kernel) the last cell that started.
    """
    cells = nb.cells if nb is not None else []

    def papermill(cell: Any) -> dict[str, Any]:
        return cell.get("metadata", {}).get("papermill", {})

    started = [c for c in cells if c.get("cell_type") == "code" and papermill(c).get("start_time")]
    found = (
        next(
            (
                c
                for c in cells
                if any(o.get("output_type") == "error" for o in c.get("outputs", []))
            ),
            None,
        )
        or next((c for c in cells if papermill(c).get("exception")), None)
        or (started[-1] if started else None)
    )
    if found is None:
        return None
    source_ids = [c.get("id") for c in source_nb.cells]
    number = source_ids.index(found.get("id")) + 1 if found.get("id") in source_ids else None
    source = found.get("source", "")
    lines = source.splitlines()
    if len(lines) > 12:
        source = "\n".join([*lines[:12], "..."])
    return {
        "number": number,
        "execution_count": found.get("execution_count"),
        "id": found.get("id"),
        "source": source,
    }


def run_report(report: Report, ctx: WorkerContext) -> dict[str, Any]:
    """Execute one report and render its page; return its manifest entry (never raises).

    The steps: execute the notebook with papermill (:func:`_execute_notebook`), read the key
    numbers and sources it recorded, render the page (:func:`_render_page`) and write it.
    """
    import nbformat

    from analysis.report.record import read_key_numbers, read_sources

    paths = _report_paths(ctx, report)
    values = report.run_parameters(ctx.data_dir_param)
    entry: dict[str, Any] = {
        "name": report.name,
        "notebook": report.notebook.shown,
        "parameters": _shown_values(values, ctx),
        "status": "ok",
        "duration_s": 0.0,
        "key_numbers": {},
        "html": paths["html"].name,
        "notebook_out": paths["notebook_out"].name,
        "log": f"logs/{paths['log'].name}",
    }
    source_nb = nbformat.read(report.notebook.path, as_version=4)
    started = time.perf_counter()
    nb, failed = _execute_notebook(report, ctx, paths, values, entry)
    entry["execute_s"] = round(time.perf_counter() - started, 3)
    if failed:
        entry["status"] = "failed"
        if nb is None and paths["notebook_out"].is_file():
            with contextlib.suppress(Exception):
                nb = nbformat.read(paths["notebook_out"], as_version=4)
        entry["failed_cell"] = _failed_cell(nb, source_nb)
    if nb is None:  # nothing was executed (the kernel never started): render the source
        nb = source_nb
        try:
            nbformat.write(nb, paths["notebook_out"])
        except OSError as exc:
            entry["write_error"] = f"{paths['notebook_out'].name}: {exc}"
    entry["key_numbers"] = read_key_numbers(nb)
    entry["sources"] = read_sources(nb)
    html_started = time.perf_counter()
    page = _render_page(report, ctx, nb, entry, values)
    try:
        paths["html"].write_text(page, encoding="utf-8")
    except OSError as exc:  # disk full, I/O error: the run cannot be finished (exit 4)
        traceback.print_exc()
        entry["write_error"] = f"{paths['html'].name}: {exc}"
    entry["html_s"] = round(time.perf_counter() - html_started, 3)
    entry["duration_s"] = round(time.perf_counter() - started, 3)
    if entry["status"] != "ok":
        entry.setdefault("failed_cell", None)
    return entry


def _execute_notebook(
    report: Report,
    ctx: WorkerContext,
    paths: Mapping[str, Path],
    values: dict[str, Any],
    entry: dict[str, Any],
) -> tuple[Any, bool]:
    """Run the notebook with papermill into its output file: the executed notebook (None if
    papermill returned none) and whether it failed; a failure's error goes into ``entry``."""
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    from analysis.runner.engine import ENGINE_NAME
    from analysis.runner.kernels import ReportKernelManager

    config = Config(
        {
            "ReportKernelManager": {
                "fork_server": ctx.fork_server,
                "runtime_dir": str(ctx.runtime_dir),
                "log_path": str(paths["log"]),
            }
        }
    )
    try:
        nb = papermill.execute_notebook(
            str(report.notebook.path),
            str(paths["notebook_out"]),
            parameters=values,
            engine_name=ENGINE_NAME,
            kernel_name="python3",
            progress_bar=False,
            log_output=True,
            start_timeout=ctx.start_timeout_s,
            execution_timeout=ctx.cell_timeout_s,
            kernel_manager_class=ReportKernelManager,
            config=config,
            resources={"metadata": {"path": str(report.notebook.path.parent)}},
            shutdown_kernel="immediate",
            # the published notebook names its source as the config does, itself by its name
            recorded_paths={
                "input_path": report.notebook.shown,
                "output_path": paths["notebook_out"].name,
            },
        )
    except PapermillExecutionError as exc:
        entry["error"] = {
            "ename": exc.ename,
            "evalue": _strip_ansi(str(exc.evalue)),
            "traceback": _strip_ansi("\n".join(exc.traceback or [])),
        }
        return None, True
    except Exception as exc:  # dead kernel, timeout, start failure: the report failed
        if is_write_error(exc):  # the run's own files could not be written: not a report's
            entry["write_error"] = f"{paths['notebook_out'].name}: {exc}"
        lines = [line for line in _strip_ansi(str(exc)).splitlines() if line.strip()]
        entry["error"] = {
            "ename": type(exc).__name__,
            "evalue": lines[0].strip() if lines else "",
            "traceback": _strip_ansi(traceback.format_exc()),
        }
        traceback.print_exc()
        return None, True
    return nb, False


def _render_page(
    report: Report, ctx: WorkerContext, nb: Any, entry: dict[str, Any], values: dict[str, Any]
) -> str:
    """The report's HTML page; a page saying it could not be rendered (and a failed report)
    when rendering fails."""
    try:
        shown = _shown_values(values, ctx)  # pages are published: no local path
        return str(
            ctx.renderer.render(nb, entry, report.effective_parameters(shown), entry["sources"])
        )
    except Exception as exc:
        traceback.print_exc()
        entry["status"] = "failed"
        entry.setdefault(
            "error",
            {
                "ename": type(exc).__name__,
                "evalue": f"rendering the HTML page: {exc}",
                "traceback": traceback.format_exc(),
            },
        )
        return (
            f"<!DOCTYPE html><meta charset='utf-8'><title>{html.escape(report.name)}</title>"
            "<p>The HTML page of this report could not be rendered; see its log.</p>"
        )


#: exit status of a worker that could not write its result (EX_TEMPFAIL)
WRITE_FAILED_EXIT = 75
#: errno values that mean "this file system cannot take the run's files"
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EFBIG}


def is_write_error(exc: BaseException) -> bool:
    """True for an error of writing the run's own files (disk full, I/O error...)."""
    for _ in range(10):  # the exception and what caused it
        if exc is None:
            break
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


#: largest report log kept (bytes): its first and last halves, with a note between
MAX_LOG_BYTES = 16 * 1024 * 1024


def cap_log(path: Path, limit: int = MAX_LOG_BYTES) -> None:
    """Cut a log over ``limit`` bytes to its beginning and its end, saying what was cut."""
    try:
        size = path.stat().st_size
        if size <= limit:
            return
        half = limit // 2
        with open(path, "rb") as handle:  # the beginning stays where it is
            handle.seek(size - half)
            tail = handle.read(half)
        note = (
            f"\n[... {size - 2 * half:,} bytes of this log cut by the report runner (limit "
            f"{limit:,} bytes): its beginning and its end are kept ...]\n"
        ).encode()
        with open(path, "r+b") as handle:  # the worker's own output still appends to it
            handle.seek(half)
            handle.write(note + tail)
            handle.truncate()
    except OSError:
        return


def _shown_values(values: Mapping[str, Any], ctx: WorkerContext) -> dict[str, Any]:
    """The parameters as published: ``data_dir`` as the user gave it (or repo-relative)."""
    shown = dict(values)
    if ctx.data_dir_shown and "data_dir" in shown:
        shown["data_dir"] = ctx.data_dir_shown
    return shown


def _unlocalise_outputs(report: Report, ctx: WorkerContext) -> None:
    """Replace the machine's absolute paths in the report's notebook and log."""
    from analysis.data.io import DATA_DIR_ENV
    from analysis.runner.published import path_replacements, unlocalise_file

    data_dir = ctx.kernel_env.get(DATA_DIR_ENV)
    replacements = path_replacements(
        notebook=report.notebook.path,
        notebook_shown=report.notebook.shown,
        run_dir=ctx.run_dir,
        data_dir=Path(data_dir) if data_dir else None,
        data_shown=ctx.data_dir_label or ctx.data_dir_shown,
        scratch=ctx.scratch,
    )
    paths = _report_paths(ctx, report)
    for key in ("notebook_out", "log"):
        unlocalise_file(paths[key], replacements)


def _set_parent_death_signal() -> None:
    """Ask Linux to SIGTERM this worker if the runner dies (no-op elsewhere)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def worker_main(
    report: Report, ctx: WorkerContext, result_path: Path, inherited: Iterable[int]
) -> None:
    """Entry point of a forked worker: isolate, log to the report's file, run, save result."""
    import json

    _set_parent_death_signal()
    runner = multiprocessing.parent_process()
    if runner is not None and os.getppid() != runner.pid:
        os._exit(1)  # the runner died before the death signal was armed
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    for fd in inherited:  # the run lock and the fork server's lifeline stay with the runner
        with contextlib.suppress(OSError):
            os.close(fd)
    log_path = _report_paths(ctx, report)["log"]
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    os.environ.update(ctx.kernel_env)
    print(f"report {report.name}: notebook {report.notebook.shown}", file=sys.stderr, flush=True)
    entry = run_report(report, ctx)
    sys.stdout.flush()
    sys.stderr.flush()
    cap_log(log_path)
    try:
        _unlocalise_outputs(report, ctx)
    except OSError as exc:  # disk full while rewriting: the run cannot be finished (exit 4)
        entry["write_error"] = f"{report.name}: {exc}"
    tmp = result_path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(entry, default=str), encoding="utf-8")
        os.replace(tmp, result_path)
    except OSError:  # disk full: the runner sees this status, not a crashed report
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(WRITE_FAILED_EXIT)
    sys.stdout.flush()
    sys.stderr.flush()


def kernel_environment(values: Mapping[str, str]) -> dict[str, str]:
    """Environment variables every report kernel gets, on top of the runner's own."""
    from analysis.runner.forkserver import INLINE_BACKEND

    return {"MPLBACKEND": INLINE_BACKEND, "PYDEVD_DISABLE_FILE_VALIDATION": "1", **values}
