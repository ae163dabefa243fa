"""Command line: ``python -m analysis <command> [options]``.

Commands
--------
check-data   validate a data directory against its schema
build-data   rebuild data/ from the research dossier
run          run every report of reports.yml with papermill, render HTML and an index
compare      show which key numbers changed between two runs
params       show a notebook's parameters, their defaults and allowed values
refresh-notebooks  re-execute the notebooks and strip all outputs but the key numbers
clean-kept   remove the folders kept by runs that could not be published

Exit statuses: 0 success; 1 some report failed (run) or numbers differ (compare --strict);
2 bad input (parameters, configuration, data); 3 another run holds the lock; 70 an internal
error (a bug: the traceback is printed); 130 interrupted.
Every bad-input error is printed as one line per problem, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.fastimport import skip_iri_grammar

skip_iri_grammar()  # before any command imports jsonschema (nbformat, frictionless)

__all__ = ["INTERNAL_ERROR", "main"]

#: exit status of an unexpected error (a bug): distinct from 1, "a report failed"
INTERNAL_ERROR = 70


def _check_data(args: argparse.Namespace) -> int:
    from analysis.data.io import check_data_command

    return check_data_command(args.data_dir)


def _build_data(args: argparse.Namespace) -> int:
    from analysis.data import build as build_data

    argv = []
    if args.dossier:
        argv += ["--dossier", args.dossier]
    if args.data_dir:
        argv += ["--data-dir", args.data_dir]
    return build_data.main(argv)


def _run(args: argparse.Namespace) -> int:
    from analysis.runner.cli import run_command

    return run_command(args)


def _compare(args: argparse.Namespace) -> int:
    from analysis.runner.cli import compare_command

    return compare_command(args)


def _clean_kept(args: argparse.Namespace) -> int:
    from analysis.runner.publish import clean_kept

    removed, left = clean_kept(args.output, args.older_than)
    for name in removed:
        print(f"removed {args.output / name}")
    if left:
        print(f"kept (younger than {args.older_than:g} days): {', '.join(left)}")
    if not removed and not left:
        print(f"{args.output}: no kept run folder")
    return 0


def _params(args: argparse.Namespace) -> int:
    from analysis.params import NOTEBOOK_SCHEMAS, describe_parameters, schema_for

    schema = schema_for(args.notebook)
    if schema is None:
        known = ", ".join(NOTEBOOK_SCHEMAS)
        raise AnalysisError(f"no parameter schema for {args.notebook!r}; notebooks: {known}")
    print(f"# parameters of notebooks/{schema.notebook}.ipynb")
    print(describe_parameters(schema))
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from analysis.notebooks import main as refresh_main

    return refresh_main(args.notebooks)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Sovereign-cloud analysis: data checks, report runs and comparisons.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "Exit statuses: 0 ok, 1 a report failed, 2 bad input, 3 locked by another run, "
            "70 internal error (a bug), 130 interrupted."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data_help = "data directory to use instead of data/ (default: $ANALYSIS_DATA_DIR or data/)"

    p = sub.add_parser("check-data", help="validate a data directory against its schema")
    p.add_argument("--data-dir", metavar="DIR", help=data_help)
    p.set_defaults(func=_check_data)

    p = sub.add_parser("build-data", help="rebuild data/ from the research dossier")
    p.add_argument("--dossier", metavar="CSV", help="path of domain_facts.csv")
    p.add_argument("--data-dir", metavar="DIR", help="where to write (default: data/)")
    p.set_defaults(func=_build_data)

    # The runner owns its options; importing its CLI module must stay cheap (no papermill).
    from analysis.runner.cli import add_compare_arguments, add_run_arguments

    p = sub.add_parser("run", help="run every report of the config with papermill")
    add_run_arguments(p)
    p.set_defaults(func=_run)

    p = sub.add_parser("compare", help="key numbers that changed between two runs")
    add_compare_arguments(p)
    p.set_defaults(func=_compare)

    from analysis.runner.cli import DEFAULT_OUTPUT

    p = sub.add_parser(
        "clean-kept", help="remove the folders kept by runs that could not be published"
    )
    p.add_argument(
        "--output", metavar="DIR", type=Path, default=DEFAULT_OUTPUT,
        help="output folder (default: reports/)",
    )  # fmt: skip
    p.add_argument(
        "--older-than", metavar="DAYS", type=float, default=None,
        help="only those whose run started more than DAYS days ago (default: all)",
    )  # fmt: skip
    p.set_defaults(func=_clean_kept)

    p = sub.add_parser(
        "refresh-notebooks", help="re-execute notebooks, keep only the key-number outputs"
    )
    p.add_argument("notebooks", nargs="*", help="notebook paths (default: notebooks/*.ipynb)")
    p.set_defaults(func=_refresh)

    p = sub.add_parser("params", help="a notebook's parameters and what they allow")
    p.add_argument("notebook", help="notebook path or name, e.g. investment_return")
    p.set_defaults(func=_params)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except AnalysisError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so and keep the trace for a report
        traceback.print_exc(file=sys.stderr)
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); this is a bug, "
            f"not a problem with your input",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
