"""check-data on the real data/ and on corrupted copies of it, through the command line.

Each corruption below is one kind of bad data a user could introduce by hand; the command
must exit 2 and name the file, the row (line number) and the column, without a traceback.
The real data goes through ``python -m analysis check-data`` in a new process; the
corrupted copies through the same command's entry point in this process (no interpreter
start per copy), which returns the exit status.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.data.io import default_data_dir


def run_check(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "check-data", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )


def edit_cell(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell (``line`` is the 1-based line number, the header being line 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def find_line(path: Path, **match: str) -> int:
    """Line number of the first row whose columns equal ``match``."""
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if all(row[k] == v for k, v in match.items()):
                return number
    raise LookupError(match)


def drop_column(path: Path, column: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    index = rows[0].index(column)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [r[:index] + r[index + 1 :] for r in rows]
        )


def revenue_line(path: Path) -> int:
    return find_line(
        path, company_id="numergy", metric="revenue_eur_m", source_id="channelnews-24544"
    )


def _missing_column(d: Path) -> str:
    drop_column(d / "financials.csv", "bound")
    return "financials.csv:1:bound: missing column"


def _text_in_number(d: Path) -> str:
    line = revenue_line(d / "financials.csv")
    edit_cell(d / "financials.csv", line, "value", "five")
    return f"financials.csv:{line}:value: 'five' is not a number"


def _decimal_comma(d: Path) -> str:
    line = find_line(d / "shareholdings.csv", company_id="cloudwatt", holder_id="orange")
    edit_cell(d / "shareholdings.csv", line, "stake_pct", "44,4")
    return f"shareholdings.csv:{line}:stake_pct: '44,4' is not a number (decimal comma"


def _unknown_source(d: Path) -> str:
    line = revenue_line(d / "financials.csv")
    edit_cell(d / "financials.csv", line, "source_id", "les-echos-invented")
    return f"financials.csv:{line}:source_id: 'les-echos-invented' not found in sources.source_id"


def _duplicate_id(d: Path) -> str:
    edit_cell(d / "entities.csv", 3, "entity_id", "cloudwatt")  # line 2 is cloudwatt
    return "entities.csv:3:entity_id: duplicate key (same as row 2)"


def _stakes_over_100(d: Path) -> str:
    line = find_line(d / "shareholdings.csv", company_id="numergy", holder_id="bull")
    edit_cell(d / "shareholdings.csv", line, "stake_pct", "25")
    return "stakes in numergy on 2012-12-31 sum to 105 % (over 100 %): bull 25, cdc 33, sfr 47"


def _negative_revenue(d: Path) -> str:
    line = revenue_line(d / "financials.csv")
    edit_cell(d / "financials.csv", line, "value", "-5")
    return f"financials.csv:{line}:value: revenue_eur_m cannot be negative (got -5)"


def _bad_date(d: Path) -> str:
    line = find_line(d / "events.csv", entity_id="cloudwatt", event_type="service_end")
    edit_cell(d / "events.csv", line, "date", "2020-02-30")
    return f"events.csv:{line}:date: '2020-02-30' is not a valid date"


def _empty_file(d: Path) -> str:
    (d / "plan_targets.csv").write_text("", encoding="utf-8")
    return "plan_targets.csv:-:-: file is empty (no header row)"


CORRUPTIONS: dict[str, Callable[[Path], str]] = {
    "missing column": _missing_column,
    "text in a number column": _text_in_number,
    "decimal comma": _decimal_comma,
    "unknown source_id": _unknown_source,
    "duplicate id": _duplicate_id,
    "stakes over 100 %": _stakes_over_100,
    "negative revenue": _negative_revenue,
    "bad date": _bad_date,
    "empty file": _empty_file,
}


def test_real_data_passes():
    result = run_check(default_data_dir())
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": valid - 12 tables," in result.stdout
    assert result.stdout.count("\n") == 1  # one line


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupted_copy_is_refused(tmp_path, kind, capsys):
    copy = tmp_path / "data"
    shutil.copytree(default_data_dir(), copy, ignore=shutil.ignore_patterns("build"))
    expected = CORRUPTIONS[kind](copy)
    status = main(["check-data", "--data-dir", str(copy)])
    out, err = capsys.readouterr()
    assert status == 2
    problems = [line for line in out.splitlines() if ".csv:" in line]
    assert any(expected in line for line in problems), out
    assert all(line.startswith(str(copy)) for line in problems)
    assert "Traceback" not in out + err
