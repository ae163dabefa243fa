"""Hostile options and configs are bad input: exit 2, one line naming the limit, nothing
written, no kernel started (issue 12, cases 1, 5 and 7).

Each test runs the real command; none starts a kernel (every check fails before).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import write_tiny_package
from hostile_helpers import error_lines, run_main
from runner_helpers import copy_notebooks, write_config

from analysis.runner.limits import (
    MAX_CONFIG_BYTES,
    MAX_LIST_ITEMS,
    MAX_REPORTS,
    MAX_STRING_CHARS,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy_notebooks(tmp_path / "notebooks")
    write_tiny_package(tmp_path / "data")
    return tmp_path


@pytest.fixture
def run(folder: Path, capsys):
    """Run ``run --config CONFIG`` on the folder's data: (result, error lines, output)."""

    def call(config: Path | str, *extra: str):
        out = folder / "out"
        done = run_main(
            capsys, "run", "--config", str(config), "--output", str(out), "--data-dir",
            str(folder / "data"), "--no-progress", *extra,
        )  # fmt: skip
        return done, error_lines(done), out

    return call


def _good_config(folder: Path) -> Path:
    return write_config(folder / "r.yml", [{"notebook": "notebooks/numbers.ipynb"}])


@pytest.mark.parametrize("value", ["2.5", "nan", "inf", "-inf", "1e-9", "-1", "1e12", "x"])
def test_a_bad_timeout_is_refused_before_any_kernel(folder: Path, run, value: str) -> None:
    done, errors, out = run(_good_config(folder), f"--timeout={value}")
    assert done.returncode == 2
    assert errors == [
        "python -m analysis run: error: argument --timeout: expected a whole number of seconds "
        f"from 1 to 604,800 (0 = no limit), got '{value}'"
    ]
    assert not out.exists()  # nothing written


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "100000"])
def test_a_bad_jobs_count_is_refused(folder: Path, run, value: str) -> None:
    done, errors, out = run(_good_config(folder), f"--jobs={value}")
    assert done.returncode == 2
    assert errors == [
        "python -m analysis run: error: argument --jobs/-j: expected a whole number from 1 to "
        f"64, got '{value}'"
    ]
    assert not out.exists()


def test_options_given_through_the_api_are_checked_with_the_config(folder: Path) -> None:
    from analysis.errors import ConfigError
    from analysis.runner.run import RunOptions, run_reports

    options = RunOptions(
        config=_good_config(folder), output=folder / "out", jobs=0, cell_timeout_s=2.5,
        data_dir=str(folder / "data"), preload=False,
    )  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        run_reports(options)
    assert caught.value.problems[:2] == [
        "--jobs: got 0; expected a whole number from 1 to 64",
        "--timeout: got 2.5; expected a whole number of seconds from 1 to 604,800, or 0 for "
        "no limit",
    ]
    assert not (folder / "out").exists()


def _laughs(depth: int) -> str:
    """A "billion laughs" inside parameters, where the runner walks every value."""
    lines = ["      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, depth + 1):
        lines.append(f"      l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "reports:\n  - notebook: notebooks/numbers.ipynb\n    parameters:\n" + "\n".join(lines)


CASES = {
    "billion laughs": (
        lambda f: write_config(f / "c.yml", _laughs(10)),
        f"c.yml: the config holds more than {MAX_YAML_NODES:,} values once its YAML aliases "
        "are expanded (the limit on alias expansion); give fewer values",
    ),
    "huge matrix": (
        lambda f: write_config(
            f / "c.yml",
            [
                {
                    "notebook": "notebooks/numbers.ipynb",
                    "matrix": {k: list(range(300)) for k in ("label", "factor", "x")},
                }
            ],
        ),
        f"c.yml: reports[0]: matrix expands to 27,000,000 reports (300 x 300 x 300), more "
        f"than the limit of {MAX_REPORTS:,} reports per config",
    ),
    "long list": (
        lambda f: write_config(
            f / "c.yml",
            [
                {
                    "notebook": "notebooks/numbers.ipynb",
                    "parameters": {"label": ["x"] * (MAX_LIST_ITEMS + 1)},
                }
            ],
        ),
        "c.yml: reports[0]: parameter 'label': the value holds a list of 1,001 items, more "
        f"than the limit of {MAX_LIST_ITEMS:,}",
    ),
    "long text": (
        lambda f: write_config(
            f / "c.yml",
            [
                {
                    "notebook": "notebooks/numbers.ipynb",
                    "parameters": {"label": "y" * (MAX_STRING_CHARS + 1)},
                }
            ],
        ),
        "c.yml: reports[0]: parameter 'label': the value holds a text of 10,001 characters, "
        f"more than the limit of {MAX_STRING_CHARS:,}",
    ),
    "too many values": (
        lambda f: write_config(
            f / "c.yml",
            yaml.safe_dump(
                {
                    "reports": [{"notebook": "notebooks/numbers.ipynb"}],
                    "x": list(range(MAX_YAML_NODES)),
                }
            ),
        ),
        "(the limit on values in a config); give fewer values",
    ),
    "deep nesting": (
        lambda f: write_config(f / "c.yml", "reports: " + "[" * 5000 + "]" * 5000),
        f"lists or mappings are nested more than {MAX_YAML_DEPTH} deep (the limit on nesting "
        "in a config)",
    ),
    "too large a file": (
        lambda f: write_config(f / "c.yml", "#" * (MAX_CONFIG_BYTES + 10)),
        f"c.yml: config file is larger than the limit of {MAX_CONFIG_BYTES:,} bytes",
    ),
    "endless file": (
        lambda f: Path("/dev/zero"),
        f"/dev/zero: config file is larger than the limit of {MAX_CONFIG_BYTES:,} bytes",
    ),
}


@contextlib.contextmanager
def _hang_guard(seconds: int = 60) -> Iterator[None]:
    """Fail, rather than hang, if a limit does not stop the work (an alias bomb or a huge
    matrix expanded in full runs for minutes or exhausts memory). A guard, not a speed
    test: the time a refusal takes is not asserted (the machine is shared and noisy)."""

    def _expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer in {seconds} s: the limit did not stop the work")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("case", list(CASES))
def test_a_config_over_a_limit_is_refused_at_once(folder: Path, run, case: str) -> None:
    make, expected = CASES[case]
    config = make(folder)
    with _hang_guard():
        done, errors, out = run(config)
    assert done.returncode == 2, done.stderr
    assert len(errors) == 1 and errors[0].endswith(expected), errors
    assert "Traceback" not in done.stderr
    assert not out.exists()


VALUE_CASES = {
    "lone surrogate": (
        'label: "\\uD800"',
        "report 'numbers': parameter 'label': the value holds a character that is not valid "
        "Unicode text (a lone surrogate such as \\uD800); give valid text",
    ),
    "a set": (
        "label: !!set {a: null, b: null}",
        "report 'numbers': parameter 'label': the value cannot be passed to a notebook (a YAML "
        "!!set is not a value JSON can record); use text, numbers, yes/no, lists and mappings",
    ),
    "binary": (
        "label: !!binary aGVsbG8=",
        "report 'numbers': parameter 'label': the value cannot be passed to a notebook (YAML "
        "!!binary data is not a value JSON can record); use text, numbers, yes/no, lists and "
        "mappings",
    ),
}


@pytest.mark.parametrize("case", list(VALUE_CASES))
def test_values_json_cannot_record_are_refused_with_the_config(
    folder: Path, run, case: str
) -> None:
    line, expected = VALUE_CASES[case]
    config = write_config(
        folder / "c.yml",
        f"reports:\n  - notebook: notebooks/numbers.ipynb\n    parameters:\n      {line}\n",
    )
    done, errors, out = run(config)
    assert done.returncode == 2, done.stderr
    assert errors == [f"error: {expected}"]
    assert not out.exists()
