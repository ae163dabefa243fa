"""``python -m analysis run``: check everything, then run every report in parallel.

Order of work (see the package docstring for the design):

1. read and check the config, the notebooks, the names and the values; once they are good,
   start the kernel fork server (its imports run in its own process, in parallel with the
   rest of the checks); validate the data directory once; check every parameter set
   against its schema. Every problem of these checks is reported in one pass (the fork
   server is stopped before it starts any kernel; nothing written);
2. take the output folder's lock (the run proper starts here: ``started``, ``duration_s``);
   a held lock stops the fork server too;
3. prepare the run in ``DIR/.tmp-<run-id>``;
4. run the reports in forked workers, at most ``--jobs`` at a time, each with a fresh kernel;
5. write ``manifest.json`` and ``index.html``, flush the run to disk, move it into place,
   then ``latest``.

Any problem in step 1 raises an :class:`~analysis.errors.AnalysisError` (exit 2) before
anything is written to the output folder; a held lock exits 3; a failed report exits 1. If
step 5 fails, the run is not published and its folder is kept as ``.tmp-<run-id>.kept``
(:class:`RunNotPublishedError`, exit 4).

The checks of step 1 are in :mod:`analysis.runner.checks`, the execution of step 4 in
:mod:`analysis.runner.execute`. The steps of the run proper are functions of their own:
:func:`_prepare`, :func:`~analysis.runner.execute.execute`, :func:`_record` (manifest),
:func:`_write_index` and :func:`_publish`, called in turn by :func:`_run_locked`.
Imports are at the top of the module except the heavy ones (pandas through
:mod:`analysis.data.io`, nbconvert through :mod:`analysis.runner.html`, papermill through the
workers), made in the step that needs them: the kernel template starts its own imports first
and the checks overlap with them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import getpass
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.data.files import REPO_ROOT
from analysis.errors import AnalysisError, ConfigError
from analysis.runner.checks import (
    Checked,
    RunOptions,
    check_inputs,
    data_label,
    preload_modules,
    shown_data_dir,
)
from analysis.runner.config import (
    Report,
)
from analysis.runner.execute import execute, say
from analysis.runner.forkserver import ForkServer
from analysis.runner.layout import short_tmp
from analysis.runner.lock import RunLock, describe_holder
from analysis.runner.publish import (
    KEPT_MAX_AGE_DAYS,
    clean_kept,
    held_signals,
    point_latest,
    repair_latest_txt,
)
from analysis.runner.published import shown_path
from analysis.runner.runs import (
    LATEST,
    MANIFEST,
    TMP_PREFIX,
    clean_stale,
    json_safe,
    keep_unpublished,
    list_runs,
    move_into_place,
    new_run_id,
    write_json_atomic,
)
from analysis.runner.versions import library_versions

__all__ = ["RunNotPublishedError", "RunOptions", "run_reports"]

#: name prefix of a run's private folder for sockets and connection files (with the pid)
_RUNTIME_PREFIX = "sovcloud-"


class RunNotPublishedError(AnalysisError):
    """The reports ran, but the run could not be finished and published; its files are
    kept (the message says where)."""

    exit_status = 4


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _clean_stale_runtime_dirs() -> None:
    """Remove the runtime folders (sockets, connection files) of killed runs."""
    for path in Path(short_tmp()).glob(f"{_RUNTIME_PREFIX}*-*"):
        pid_text = path.name.removeprefix(_RUNTIME_PREFIX).split("-", 1)[0]
        if not pid_text.isdigit() or not path.is_dir() or path.owner() != getpass.getuser():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (PermissionError, OverflowError):
            continue


def _on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # stop cleanly: workers, kernels and the temporary run folder


def run_reports(options: RunOptions) -> int:
    """Run the reports of ``options.config``; return the exit status (0 ok, 1 a failure).

    Once the config is known to be good, the kernel template starts its imports in its own
    process while this one validates the data and the parameters (about 2.5 s each here, so
    they overlap on two cores); a problem found then, or a locked output folder, stops the
    template at once, before it has started any kernel.
    """
    _clean_stale_runtime_dirs()
    runtime_dir = Path(tempfile.mkdtemp(prefix=f"{_RUNTIME_PREFIX}{os.getpid()}-", dir=short_tmp()))
    fork_log = open(runtime_dir / "forkserver.log", "wb")  # noqa: SIM115 - closed below
    forks: list[ForkServer] = []

    def start_template(reports: list[Report]) -> None:
        if options.preload and dask is None:
            forks.append(ForkServer(runtime_dir, preload_modules(reports), fork_log).start())

    previous_sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
    dask = None
    try:
        checks_clock = time.perf_counter()
        if options.executor == "dask":  # an unreachable or unfit cluster: exit 2 at once
            from analysis.runner.dask_executor import DaskExecutor

            dask = DaskExecutor.connect(options.scheduler or "")
        checked = check_inputs(options, start_template)
        checks_s = time.perf_counter() - checks_clock
        return _run_locked(
            options,
            checked,
            runtime_dir=runtime_dir,
            fork_log=fork_log,
            checks_s=checks_s,
            fork=forks[0] if forks else None,
            dask=dask,
        )
    finally:
        for fork in forks:  # already closed by _run_locked unless a check or the lock failed
            fork.close(kill=True)
        if dask is not None:
            dask.close()
        signal.signal(signal.SIGTERM, previous_sigterm)
        fork_log.close()
        shutil.rmtree(runtime_dir, ignore_errors=True)


@dataclass
class _RunState:
    """Where the run proper stands, for the steps and for what an error must keep or remove."""

    output: Path
    started: dt.datetime
    run_clock: float
    lock_wait_s: float
    step: str = "preparing the run folder"
    run_id: str = ""
    tmp_dir: Path | None = None
    moved: bool = False
    entries: list[dict[str, Any]] | None = None
    previous: str | None = None
    footer: dict[str, Any] = field(default_factory=dict)


def _run_locked(
    options: RunOptions,
    checked: Checked,
    *,
    runtime_dir: Path,
    fork_log: Any,
    checks_s: float,
    fork: Any = None,
    dask: Any = None,
) -> int:
    """The run proper, under the output folder's lock: prepare, execute, record, publish."""
    data_shown = shown_data_dir(checked.explicit, checked.data_dir) if checked.explicit else None
    output = _output_folder(options)
    lock, lock_wait_s = _take_lock(options, output)
    # the run proper: from the lock to the last report (checks and waiting recorded apart)
    state = _RunState(output, _utc_now(), time.perf_counter(), lock_wait_s)
    try:
        _prepare(state, lock, checked)
        state.step = "running the reports"
        state.entries, kernel_mode, fallback = execute(
            options,
            checked,
            tmp_dir=_tmp(state),
            runtime_dir=runtime_dir,
            fork=fork,
            lock=lock,
            footer=state.footer,
            data_param=str(checked.data_dir) if checked.explicit else None,
            data_shown=data_shown,
            dask=dask,
        )
        state.step = "writing the reports' files"
        entries_written(state.entries)
        state.step = "recording the run"
        fork_log.flush()
        with contextlib.suppress(OSError):
            shutil.copyfile(runtime_dir / "forkserver.log", _tmp(state) / "logs" / "forkserver.log")
        executor = dask.describe() if dask is not None else {"name": "local"}
        kernel = {"mode": kernel_mode, "fallback": fallback}
        run = _record(state, options, checked, checks_s=checks_s, kernel=kernel, executor=executor)
        _write_index(state, run, data_shown)
        final = _publish(state)
    except Exception as exc:
        try:
            _not_published(
                exc, state.step, output, state.run_id, None if state.moved else state.tmp_dir,
                state.entries,
            )  # fmt: skip
        except RunNotPublishedError:
            state.tmp_dir = None  # kept (or already in place)
            raise
        raise  # no report had finished: the folder is removed below
    finally:
        if fork is not None:
            fork.close(kill=True)  # SIGTERM: it stops its kernels, even mid-import
        if state.tmp_dir is not None and state.tmp_dir.exists():  # interrupted: remove it
            shutil.rmtree(state.tmp_dir, ignore_errors=True)
        lock.release()
    _summary(final, state.entries, run)
    return 1 if run["reports_failed"] else 0


def _tmp(state: _RunState) -> Path:
    if state.tmp_dir is None:
        raise RuntimeError("the run folder is not prepared")
    return state.tmp_dir


def _output_folder(options: RunOptions) -> Path:
    output = Path(options.output).resolve()
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{output}: cannot create the output folder ({exc.strerror})") from None
    return output


def _take_lock(options: RunOptions, output: Path) -> tuple[RunLock, float]:
    """The output folder's lock (waiting for it with ``--wait``) and the seconds waited."""
    lock = RunLock(output)
    wait_clock = time.perf_counter()
    try:
        lock.acquire(
            wait=options.wait,
            on_wait=lambda holder: say(
                f"waiting: {output} is locked by {describe_holder(holder)}; this run starts "
                "when it finishes"
            ),
        )
    except OSError as exc:  # a read-only folder or file system: bad input, not a bug
        raise ConfigError(
            f"--output {output}: cannot write to the output folder ({exc.strerror or exc})"
        ) from None
    return lock, time.perf_counter() - wait_clock


def _prepare(state: _RunState, lock: RunLock, checked: Checked) -> None:
    """Tidy the output folder, name the run, make its temporary folder, note the commit."""

    output = state.output
    clean_stale(output)
    _tidy_output(output)
    state.run_id = new_run_id(output, state.started)
    lock.set_holder(state.run_id)
    state.tmp_dir = output / f"{TMP_PREFIX}{state.run_id}"
    (state.tmp_dir / "logs").mkdir(parents=True)
    (state.tmp_dir / ".results").mkdir()
    runs = list_runs(output)
    state.previous = runs[-1] if runs else None
    commit = _git(["rev-parse", "HEAD"], REPO_ROOT)
    dirty = _git(["status", "--porcelain", "--untracked-files=no"], REPO_ROOT)
    state.footer = {
        "run_id": state.run_id,
        "date_text": state.started.strftime("%Y-%m-%d %H:%M UTC"),
        "git_commit": commit,
        "git_dirty": bool(dirty),
        "data_sha256": checked.checksum,
    }


def _record(
    state: _RunState,
    options: RunOptions,
    checked: Checked,
    *,
    checks_s: float,
    kernel: dict[str, Any],
    executor: dict[str, Any],
) -> dict[str, Any]:
    """Write ``manifest.json`` into the run folder; return its ``run`` part."""
    entries = state.entries or []
    run_s = time.perf_counter() - state.run_clock
    failed = [e for e in entries if e["status"] != "ok"]
    config = checked.config
    run = {
        "run_id": state.run_id,
        "started": _iso(state.started),
        "finished": _iso(state.started + dt.timedelta(seconds=run_s)),
        "duration_s": round(run_s, 3),
        "checks_s": round(checks_s, 3),
        "lock_wait_s": round(state.lock_wait_s, 3),
        "status": "failed" if failed else "ok",
        "reports_total": len(entries),
        "reports_failed": len(failed),
        "previous_run": state.previous,
        "git_commit": state.footer["git_commit"],
        "git_dirty": state.footer["git_dirty"],
        "data_dir": data_label(checked),
        "data_sha256": checked.checksum,
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": shown_path(sys.executable),
            "platform": platform.platform(),
        },
        "packages": library_versions(),
        "kernel": kernel,
        "executor": executor,
        "options": {
            "jobs": options.jobs,
            "only": list(options.only or []),
            "show_code": options.show_code,
            "cell_timeout_s": options.cell_timeout_s,
            "reuse": options.reuse,
        },
        "config": {
            "path": shown_path(config.path, options.config),
            "sha256": config.sha256,
            "text": config.text,
        },
    }
    state.step = "writing manifest.json"
    manifest = {"manifest_version": 1, "run": run, "reports": entries}
    write_json_atomic(_tmp(state) / MANIFEST, json_safe(manifest))
    return run


def _write_index(state: _RunState, run: dict[str, Any], data_shown: str | None) -> None:
    """Write the run's ``index.html``."""
    from analysis.runner.html import render_index  # nbconvert's templates: imported late

    state.step = "writing index.html"
    finished = state.started + dt.timedelta(seconds=run["duration_s"])
    index_run = {
        **state.footer,
        "started_text": state.started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "finished_text": finished.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "duration_text": f"{run['duration_s']:.1f} s",
    }
    shown = {"data_dir": data_shown} if data_shown else None
    html = render_index(index_run, state.entries or [], state.previous, shown)
    (_tmp(state) / "index.html").write_text(html, encoding="utf-8")
    shutil.rmtree(_tmp(state) / ".results", ignore_errors=True)


def _publish(state: _RunState) -> Path:
    """Move the run into place, then point ``latest`` at it: one step readers see; an
    interrupt meanwhile is held and reported after (exit status as published)."""
    with held_signals() as caught:
        state.step = "moving the run into place"
        final = move_into_place(state.output, _tmp(state), state.run_id)
        state.tmp_dir, state.moved = None, True
        state.step = f"pointing {LATEST} at it"
        warning = point_latest(state.output, state.run_id)
    if warning:
        say(f"warning: {warning}")
    if caught:
        say(
            f"note: {signal.Signals(caught[0]).name} arrived while run {state.run_id} was "
            f"being published; it was published first ({LATEST} names it), then the run stopped"
        )
    return final


def _not_published(
    exc: Exception,
    step: str,
    output: Path,
    run_id: str,
    tmp_dir: Path | None,
    entries: list[dict[str, Any]] | None,
) -> None:
    """After an error, keep what the reports produced and raise RunNotPublishedError; return
    (the caller re-raises) when no report had finished, so there is nothing to keep.

    ``tmp_dir`` is None once the run was moved into place (complete: only ``latest`` could
    not follow); ``run_id`` is empty when the error came before the run folder existed.
    """
    import traceback

    cause = f"{type(exc).__name__}: {exc}"
    if not run_id:
        return
    if tmp_dir is None:
        raise RunNotPublishedError(
            f"run {run_id} is complete in {output / run_id}, but {step} failed ({cause}); "
            "latest still names the run before it",
        ) from exc
    results = tmp_dir / ".results"
    finished = results.is_dir() and any(results.glob("*.json"))
    if entries is None and not finished and not isinstance(exc, OSError):
        return
    with contextlib.suppress(OSError):
        (tmp_dir / "logs").mkdir(exist_ok=True)
        (tmp_dir / "logs" / "runner.log").write_text(traceback.format_exc(), encoding="utf-8")
    try:
        kept = keep_unpublished(tmp_dir)
    except OSError as rename_error:
        kept, also = tmp_dir, f" (it could not be renamed: {rename_error.strerror})"
    else:
        also = ""
    problems = [
        f"run {run_id} was not published: {step} failed ({cause}); latest and earlier runs "
        "are as they were",
        f"its reports are kept in {kept}{also}; later runs list it and remove it after "
        f"{KEPT_MAX_AGE_DAYS} days, or `python -m analysis clean-kept` now (the traceback is "
        "in its logs/runner.log)",
    ]
    raise RunNotPublishedError(problems[0], problems) from exc


def entries_written(entries: list[dict[str, Any]]) -> None:
    """OSError when a worker could not write a report's files (disk full...): the run
    cannot be finished, it is not a failed report."""
    unwritten = [e for e in entries if e.get("write_error")]
    if unwritten:
        raise OSError(
            errno.EIO,
            f"{len(unwritten)} report(s) could not be written: {unwritten[0]['write_error']}",
        )


def _tidy_output(output: Path) -> None:
    """Make latest.txt follow the latest link (a run killed between the two), list the
    folders kept by runs that could not be finished, remove those past their age."""

    repair_latest_txt(output)
    removed, kept = clean_kept(output, older_than_days=KEPT_MAX_AGE_DAYS)
    for name in removed:
        say(f"note: removed {name}, kept more than {KEPT_MAX_AGE_DAYS} days")
    if kept:
        say(
            f"note: {len(kept)} unpublished run(s) kept in {output}: {', '.join(kept)}; they "
            f"are removed after {KEPT_MAX_AGE_DAYS} days, or now with `python -m analysis "
            "clean-kept`"
        )


def _summary(final: Path, entries: list[dict[str, Any]], run: dict[str, Any]) -> None:
    failed = [e for e in entries if e["status"] != "ok"]
    try:
        shown = final.relative_to(Path.cwd())
    except ValueError:
        shown = final
    state = f"{len(failed)} failed" if failed else "all ok"
    reused = sum(1 for e in entries if e.get("reused_from"))
    how = f"{run['kernel']['mode']} kernels" if run["kernel"]["mode"] != "none" else "no kernel"
    if reused:
        how += f", {reused} reused"
    print(
        f"run {run['run_id']}: {len(entries)} reports, {state}, {run['duration_s']:.1f} s "
        f"({how}) -> {shown}/index.html"
    )
    for entry in failed:
        error = entry.get("error") or {}
        cell = entry.get("failed_cell") or {}
        where = f" at cell {cell['number']}" if cell.get("number") else ""
        print(
            f"FAILED {entry['name']}{where}: {error.get('ename')}: {error.get('evalue')} "
            f"(log: {shown}/{entry['log']})"
        )
    sys.stdout.flush()
