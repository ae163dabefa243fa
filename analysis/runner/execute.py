"""The execution step of a run: each report runs (or reuses an earlier run's files).

Locally, in forked workers (:mod:`analysis.runner.pool`) with kernels from the fork server,
or as tasks on a Dask cluster (:mod:`analysis.runner.dask_executor`). papermill, nbformat and
nbconvert are imported here once, before any worker is forked.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from analysis.runner.checks import Checked, RunOptions, data_label
from analysis.runner.config import Report

__all__ = ["execute", "kernel_env", "run_now", "say"]


def say(text: str) -> None:
    """A line for the user on stderr (notes, warnings, progress without a bar)."""
    print(text, file=sys.stderr, flush=True)


def execute(
    options: RunOptions,
    checked: Checked,
    *,
    tmp_dir: Path,
    data_shown: str | None,
    **context: Any,
) -> tuple[list[dict[str, Any]], str, str | None]:
    """Run every report into ``tmp_dir`` (or reuse its files from an earlier run): their
    manifest entries, the kernel mode and why it fell back to plain kernels, if it did."""
    from analysis.runner.reuse import inputs_sha256, plan_reuse

    plan = checked.plan or plan_reuse(
        checked.reports,
        tmp_dir.parent,
        reuse=options.reuse,
        data_sha256=checked.checksum,
        data_dir_shown=data_shown,
        show_code=options.show_code,
        cell_timeout_s=options.cell_timeout_s,
    )
    if plan.reused:
        say(
            f"reusing {len(plan.reused)} of {len(checked.reports)} reports from earlier runs "
            "(inputs unchanged; --no-reuse runs them all)"
        )
    ran: dict[str, dict[str, Any]] = {}
    kernel_mode, fallback = "none", None
    if plan.to_run:
        run_entries, kernel_mode, fallback = run_now(
            plan.to_run, options, checked, tmp_dir=tmp_dir, data_shown=data_shown, **context
        )
        ran = {entry["name"]: entry for entry in run_entries}
    entries = []
    for report in checked.reports:
        if report.name in plan.reused:
            entries.append(plan.entry(report.name, tmp_dir))
            continue
        inputs = plan.inputs[report.name]
        entries.append(
            {**ran[report.name], "inputs": inputs, "inputs_sha256": inputs_sha256(inputs)}
        )
    return entries, kernel_mode, fallback


def run_now(
    reports: list[Report],
    options: RunOptions,
    checked: Checked,
    *,
    tmp_dir: Path,
    runtime_dir: Path,
    fork: Any,
    lock: Any,
    footer: dict[str, Any],
    data_param: str | None,
    data_shown: str | None,
    dask: Any,
) -> tuple[list[dict[str, Any]], str, str | None]:
    """Execute ``reports`` locally (forked workers) or on the Dask cluster of ``dask``."""
    # the runner's own heavy imports, once, before any worker is forked
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from analysis.runner.html import ReportRenderer, warm_up
    from analysis.runner.pool import run_pool
    from analysis.runner.worker import WorkerContext

    if dask is not None:
        entries = dask.run(
            reports,
            checked,
            run_dir=tmp_dir,
            footer=footer,
            data_given=data_param is not None,
            data_shown=data_shown,
            options=options,
        )
        return entries, "plain", None
    renderer = ReportRenderer(show_code=options.show_code, run=footer, sources=checked.sources)
    warm_up(renderer)
    kernel_mode, fallback = "plain", None
    if fork is not None:
        if fork.wait_ready():
            kernel_mode = "fork-server"
        else:
            fallback = f"fork server unavailable ({fork.error}); started plain kernels"
            say(f"warning: {fallback}")
    inherited = [fd for fd in [lock.fd] if fd is not None]
    if fork is not None:
        inherited += fork.lifeline_fds
    ctx = WorkerContext(
        run_dir=tmp_dir,
        runtime_dir=runtime_dir,
        kernel_env=kernel_env(checked.data_dir, checked.checksum),
        renderer=renderer,
        data_dir_param=data_param,
        data_dir_shown=data_shown,
        fork_server=fork.socket_path if kernel_mode == "fork-server" else "",
        cell_timeout_s=options.cell_timeout_s,
        data_dir_label=data_label(checked),
    )
    entries = run_pool(reports, ctx, options.jobs, inherited, progress=options.progress)
    return entries, kernel_mode, fallback


def kernel_env(data_dir: Path, checksum: str) -> dict[str, str]:
    from analysis.data.io import DATA_DIR_ENV, VALIDATED_ENV
    from analysis.runner.worker import kernel_environment

    return kernel_environment({DATA_DIR_ENV: str(data_dir), VALIDATED_ENV: checksum})
