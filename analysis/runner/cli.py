"""Options and entry points of ``python -m analysis run`` and ``python -m analysis compare``.

Every ``python -m analysis`` command imports this module to build its parser, so it imports
nothing heavy: papermill, nbconvert and the rest are imported when a command runs.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from analysis.data.files import REPO_ROOT

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_OUTPUT",
    "add_compare_arguments",
    "add_run_arguments",
    "compare_command",
    "run_command",
]

#: the repository's report config and output folder (used when no option says otherwise)
DEFAULT_CONFIG = REPO_ROOT / "reports.yml"
DEFAULT_OUTPUT = REPO_ROOT / "reports"
#: environment variable giving the Dask scheduler's address (as in analysis.runner.dask_executor)
_SCHEDULER_ENV = "ANALYSIS_DASK_SCHEDULER"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:
        return os.cpu_count() or 1


def _default_jobs() -> int:
    from analysis.runner.limits import MAX_JOBS

    return min(_cores(), MAX_JOBS)


def _positive_int(text: str) -> int:
    from analysis.runner.limits import MAX_JOBS

    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {MAX_JOBS}, got {text!r}"
        )
    return value


def _seconds(text: str) -> int | None:
    """Whole seconds (nbclient's cell timeout is an integer), 0 for no limit."""
    from analysis.runner.limits import MAX_CELL_TIMEOUT_S, option_problems

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value == 0:
        return None
    if option_problems(1, value):
        raise argparse.ArgumentTypeError(
            f"expected a whole number of seconds from 1 to {MAX_CELL_TIMEOUT_S:,} "
            f"(0 = no limit), got {text!r}"
        )
    return int(value)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``run``."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=DEFAULT_CONFIG,
        help="report config (default: reports.yml at the repository root)",
    )
    parser.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="output folder; each run goes to DIR/<run-id>/ and DIR/latest points at the "
        "last complete run (default: reports/ at the repository root)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=_positive_int,
        default=_default_jobs(),
        help="reports run at the same time (default: the number of cores)",
    )
    parser.add_argument(
        "--only", metavar="NAME", nargs="+", help="run only these reports (names from the config)"
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data directory for every report (default: $ANALYSIS_DATA_DIR or data/)",
    )
    parser.add_argument(
        "--show-code", action="store_true", help="keep the code cells in the HTML pages"
    )
    parser.add_argument(
        "--no-preload",
        dest="preload",
        action="store_false",
        help="start each kernel as a new interpreter instead of forking a preloaded template",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="if another run holds the output folder, wait for it instead of exiting with 3",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_seconds,
        default=1800,
        help="longest a single cell may run before its report fails (default 1800; 0 = none)",
    )
    parser.add_argument(
        "--no-reuse",
        dest="reuse",
        action="store_false",
        help="run every report, even those whose inputs are unchanged since an earlier run "
        "in the output folder (default: reuse their files)",
    )
    parser.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="where reports run: forked workers on this machine (default) or tasks on a Dask "
        "cluster (see --scheduler)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler's address, e.g. tcp://HOST:8786, with --executor dask "
        "(default: $ANALYSIS_DASK_SCHEDULER)",
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show the progress bar even when stderr is not a terminal",
    )
    progress.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="one line per finished report instead of a progress bar",
    )


def run_command(args: argparse.Namespace) -> int:
    """Run the reports; exit 0 all ok, 1 a report failed (2 bad input, 3 locked, 4 not
    published: raised)."""
    from analysis.errors import ConfigError
    from analysis.runner.run import RunOptions, run_reports

    scheduler = args.scheduler or os.environ.get(_SCHEDULER_ENV) or None
    if args.executor == "dask" and not scheduler:
        raise ConfigError(
            f"--executor dask needs the scheduler's address: --scheduler tcp://HOST:8786 or "
            f"${_SCHEDULER_ENV}"
        )
    if args.executor != "dask" and args.scheduler:
        raise ConfigError("--scheduler is only used with --executor dask")
    options = RunOptions(
        config=args.config,
        output=args.output,
        jobs=args.jobs,
        only=args.only,
        data_dir=args.data_dir,
        show_code=args.show_code,
        preload=args.preload,
        wait=args.wait,
        cell_timeout_s=args.timeout,
        progress=args.progress,
        reuse=args.reuse,
        executor=args.executor,
        scheduler=scheduler,
    )
    return run_reports(options)


def add_compare_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``compare``."""
    parser.add_argument(
        "run_a",
        metavar="RUN_A",
        help="older run: folder, manifest.json, run id, 'previous' or 'latest'",
    )
    parser.add_argument(
        "run_b",
        metavar="RUN_B",
        help="newer run: folder, manifest.json, run id, 'previous' or 'latest'",
    )
    parser.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where run ids, 'previous' and 'latest' are looked up (default: reports/)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when anything differs (default: exit 0 and just print)",
    )


def compare_command(args: argparse.Namespace) -> int:
    """Print what moved between two runs."""
    from analysis.runner.compare import compare_runs, format_comparison
    from analysis.runner.runs import read_manifest, resolve_manifest

    old = read_manifest(resolve_manifest(args.run_a, args.output))
    new = read_manifest(resolve_manifest(args.run_b, args.output))
    comparison = compare_runs(old, new)
    print(format_comparison(comparison), end="")
    return 1 if args.strict and comparison.differs else 0
