"""Every check before a run: the options, the config, the data and the parameters.

:func:`check_inputs` reports every problem in one pass (an
:class:`~analysis.errors.AnalysisError`, exit 2) before anything is written; what it
establishes (:class:`Checked`: the config as read, the reports, the validated data directory)
is what the run proper (:mod:`analysis.runner.run`) works from. pandas (through
:mod:`analysis.data.io`) and nbconvert (through :mod:`analysis.runner.html`) are imported in
the functions that need them, after the kernel template has started its own imports.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError, ConfigError, DataError, ParameterError
from analysis.runner.config import (
    LoadedConfig,
    Report,
    check_report_parameters,
    read_config,
    select_reports,
)
from analysis.runner.limits import option_problems
from analysis.runner.publish import output_problems
from analysis.runner.published import shown_path

__all__ = [
    "Checked",
    "RunOptions",
    "check_data",
    "check_inputs",
    "data_label",
    "environment",
    "plan_reuse_early",
    "preload_modules",
    "shown_data_dir",
]


@dataclass
class RunOptions:
    """Options of one run (the command line's, after defaults)."""

    config: Path
    output: Path
    jobs: int
    only: Sequence[str] | None = None
    data_dir: str | None = None
    show_code: bool = False
    preload: bool = True
    wait: bool = False
    cell_timeout_s: float | None = 1800.0
    progress: bool | None = None  # None: a bar on a terminal, one line per report otherwise
    #: reuse the files of reports whose inputs are unchanged since an earlier run (--no-reuse)
    reuse: bool = True
    #: "local" (forked workers, the fork server) or "dask" (tasks on a Dask cluster)
    executor: str = "local"
    #: the Dask scheduler's address (``--scheduler`` or $ANALYSIS_DASK_SCHEDULER)
    scheduler: str | None = None


def check_data(explicit: str | None, reuse: bool = True) -> tuple[Path, str]:
    """Resolve and validate the data directory once; DataError lists every problem.

    A content an earlier run validated with the same package and libraries is not validated
    again unless ``reuse`` is false (:mod:`analysis.runner.validated`).
    """
    from analysis.data.io import data_checksum, resolve_data_dir
    from analysis.runner.validated import is_validated, record_validated

    data_dir = resolve_data_dir(explicit)
    before = data_checksum(data_dir)
    if reuse and is_validated(before):
        return data_dir, before
    from analysis.data.validate import validate_data_dir

    problems = validate_data_dir(data_dir)
    if problems:
        lines = [f"{data_dir}/{p}" for p in problems]
        raise DataError(f"{data_dir}: {len(lines)} data problem(s)", lines)
    checksum = data_checksum(data_dir)
    if checksum == before:  # not changed while it was being validated
        record_validated(checksum)
    return data_dir, checksum


def preload_modules(reports: Sequence[Report]) -> list[str]:
    modules: list[str] = []
    for report in reports:
        modules += report.imports
    return list(dict.fromkeys(modules))


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for a block, then restore them (callers may be in-process)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def shown_data_dir(given: str, resolved: Path) -> str:
    """The data directory as pages show it: relative to the repository root when it lies
    inside it, else as the user gave it (pages are published; the manifest keeps the
    absolute path)."""
    return shown_path(resolved, given)


@dataclass
class Checked:
    """What the checks established: the config as read, the reports to run, the data."""

    config: LoadedConfig
    reports: list[Report]
    data_dir: Path
    checksum: str
    #: the data directory the user chose (--data-dir or $ANALYSIS_DATA_DIR), if any
    explicit: str | None
    sources: dict[str, Any]
    #: which reports run and which reuse an earlier run's files (None: every report runs)
    plan: Any = None


def check_inputs(
    options: RunOptions, on_config_ok: Callable[[list[Report]], None] | None = None
) -> Checked:
    """Every check before the run, every problem in one pass (AnalysisError, exit 2).

    The config is checked first; the data directory and the parameters (whose schemas'
    cross-checks read the data) are checked even when the config has problems, for the
    reports that could be built, so that a user gets every problem at once. When the
    config has no problem, ``on_config_ok(reports)`` is called before the data checks
    (the runner starts the kernel template's imports there, in another process).
    """

    # options first: a bad one stops the run with the config's problems, before any kernel
    bad_options = option_problems(options.jobs, options.cell_timeout_s)
    bad_options += output_problems(Path(options.output))
    config = read_config(options.config)
    problems = bad_options + list(config.problems)
    reports = config.reports
    try:
        reports = select_reports(reports, options.only)
    except ConfigError as exc:
        wanted = {name.lower() for name in options.only or []}
        reports = [r for r in reports if r.name.lower() in wanted]
        if not config.problems:  # else the name may be that of an entry with a problem
            problems += exc.problems
    from analysis.data.io import DATA_DIR_ENV, VALIDATED_ENV, load_dataset

    explicit = options.data_dir or os.environ.get(DATA_DIR_ENV) or None
    plan = plan_reuse_early(options, reports, explicit) if not problems else None
    if plan is not None and not plan.to_run:
        # every report's inputs (the data's bytes, the package that validates them, the
        # parameters) are those of an ok report of an earlier run, which checked them all
        return Checked(config, reports, plan.data_dir, plan.checksum, explicit, {}, plan)
    if not problems and on_config_ok is not None:
        on_config_ok(reports)

    data_problems: list[str] = []
    parameter_problems: list[str] = []
    try:
        data_dir, checksum = check_data(explicit, options.reuse)
    except DataError as exc:
        data_problems = exc.problems
    else:
        # the schemas' cross-checks read the data: the validated directory, not again
        with environment({DATA_DIR_ENV: str(data_dir), VALIDATED_ENV: checksum}):
            parameter_problems = check_report_parameters(
                reports, str(data_dir) if explicit else None
            )
    everything = list(dict.fromkeys(problems + data_problems + parameter_problems))
    if everything:
        kind = ConfigError if problems else DataError if data_problems else ParameterError
        raise kind(everything[0], everything)
    from analysis.runner.html import sources_lookup

    with environment({DATA_DIR_ENV: str(data_dir), VALIDATED_ENV: checksum}):
        sources = sources_lookup(load_dataset(data_dir).tables.get("sources"))
    if plan is not None and plan.checksum != checksum:  # the data changed meanwhile
        plan = None
    return Checked(config, reports, data_dir, checksum, explicit, sources, plan)


def plan_reuse_early(options: RunOptions, reports: list[Report], explicit: str | None) -> Any:
    """Which reports can reuse an earlier run's files, decided before the data is validated
    (from its checksum alone); None when the data directory cannot be read (the checks then
    say why). The plan holds for the run: it only names complete runs, which no run
    removes."""
    from analysis.data.io import data_checksum, resolve_data_dir
    from analysis.runner.reuse import plan_reuse

    try:
        data_dir = resolve_data_dir(explicit)
        checksum = data_checksum(data_dir)
        plan = plan_reuse(
            reports,
            Path(options.output).resolve(),
            reuse=options.reuse,
            data_sha256=checksum,
            data_dir_shown=shown_data_dir(explicit, data_dir) if explicit else None,
            show_code=options.show_code,
            cell_timeout_s=options.cell_timeout_s,
        )
    except (AnalysisError, OSError):
        return None
    plan.data_dir, plan.checksum = data_dir, checksum
    return plan


def data_label(checked: Checked) -> str:
    """The data directory as published files show it: relative to the repository, or as
    the user gave it."""
    return shown_path(checked.data_dir, checked.explicit or checked.data_dir)
