"""The command line: exit statuses and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import __main__ as cli


def test_params_prints_every_parameter(capsys):
    assert cli.main(["params", "notebooks/market_position.ipynb"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# parameters of notebooks/market_position.ipynb")
    for name in ("market", "start_year", "end_year", "highlight", "group_by", "data_dir"):
        assert f"\n{name} = " in out


def test_unknown_notebook_is_bad_input(capsys):
    assert cli.main(["params", "nope"]) == 2
    assert capsys.readouterr().err == (
        "error: no parameter schema for 'nope'; notebooks: investment_return, market_position\n"
    )


def test_internal_error_has_its_own_status(monkeypatch, capsys):
    # a bug (not bad input) must not look like "a report failed" (1) or "bad input" (2)
    def broken(schema):
        raise RuntimeError("boom")

    monkeypatch.setattr("analysis.params.describe_parameters", broken)
    assert cli.main(["params", "investment_return"]) == cli.INTERNAL_ERROR == 70
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "error: internal error (RuntimeError: boom); this is a bug, not a problem with your input"
    )
    assert "Traceback" in err


def test_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "frobnicate"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


@pytest.mark.parametrize("command", ["check-data", "build-data", "run", "compare", "params"])
def test_every_command_has_help(command):
    result = subprocess.run(
        [sys.executable, "-m", "analysis", command, "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m analysis")
