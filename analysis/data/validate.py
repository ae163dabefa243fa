"""Validate a data directory against its Frictionless Data Package.

The schema is ``datapackage.json``: types, allowed values, ranges, patterns, primary and
foreign keys of every table. The frictionless library checks the files against it. A few
rules that a Table Schema cannot express are checked here on the parsed frames:

- partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-Qn``, ``YYYY-Hn``) are real
  calendar dates, and every start is no later than its end;
- the stakes of one company that certainly overlap at one date sum to at most 100 %
  (where sources disagree on one holder's stake, the largest observation counts);
- metrics that cannot be negative (revenue, sizes, counts, headcount...) are not negative;
- an undisclosed amount is left empty (never 0) and a disclosed one is given.

Every problem is reported as ``file:row:column: what is wrong`` (row 1 is the header line).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.files import read_descriptor
from analysis.errors import DataError

__all__ = [
    "Problem",
    "parse_partial_date",
    "read_raw",
    "validate_data_dir",
]

#: metric name fragments whose values may be negative; every other metric must be >= 0
NEGATIVE_ALLOWED = ("net_result", "ebitda", "growth", "change", "margin", "cash_flow")
#: start/end column pairs checked for order
_RANGE_PAIRS = (("period_start", "period_end"), ("valid_from", "valid_to"))
_DATE_RE = re.compile(r"^(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])|H([12])))?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")
_TOLERANCE_PCT = 1e-6


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one place of the data."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


def read_raw(path: Path) -> pd.DataFrame:
    """Read a CSV as text only: no type guessing, empty cells as missing."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


def parse_partial_date(text: str) -> tuple[dt.date, dt.date] | None:
    """First and last day covered by a partial ISO date, or None if it is not one.

    >>> parse_partial_date("2015-03")
    (datetime.date(2015, 3, 1), datetime.date(2015, 3, 31))
    >>> parse_partial_date("2013-Q4")
    (datetime.date(2013, 10, 1), datetime.date(2013, 12, 31))
    >>> parse_partial_date("2015-13") is None
    True
    """
    match = _DATE_RE.match(text.strip())
    if not match:
        return None
    year_text, month, day, quarter, half = match.groups()
    year = int(year_text)
    try:
        if day:
            date = dt.date(year, int(month), int(day))
            return date, date
        if month:
            first = dt.date(year, int(month), 1)
            nxt = dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1)
        if quarter or half:
            months = 3 if quarter else 6
            index = int(quarter or half)
            first = dt.date(year, (index - 1) * months + 1, 1)
            end_month = index * months
            nxt = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None


# --------------------------------------------------------------------------- structure


def _resources(descriptor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The resources that are objects (the others are reported by :func:`_check_files`)."""
    return [r for r in descriptor["resources"] if isinstance(r, dict)]


def _read_header(path: Path) -> list[str] | None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), None)


def _check_files(
    root: Path, descriptor: Mapping[str, Any]
) -> tuple[list[Problem], dict[str, list[str]]]:
    """Check that each listed file exists, is not empty and has the schema's columns.

    Returns the problems and, for each resource whose header is usable, its header.
    """
    problems: list[Problem] = []
    headers: dict[str, list[str]] = {}
    for index, resource in enumerate(descriptor["resources"]):
        if not isinstance(resource, dict):
            problems.append(
                Problem(
                    "datapackage.json", None, f"resources[{index}]", "resource is not an object"
                )
            )
            continue
        name = resource.get("name") or f"resource {index}"
        file = resource.get("path")
        fields = [f.get("name") for f in resource.get("schema", {}).get("fields", [])]
        if not file or not fields:
            problems.append(
                Problem("datapackage.json", None, name, "resource has no path or no fields")
            )
            continue
        path = root / file
        if not path.is_file():
            problems.append(Problem(file, None, None, "file listed in datapackage.json is missing"))
            continue
        raw = path.read_bytes()
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(Problem(file, line, None, f"not UTF-8 text ({exc.reason})"))
            continue
        if not raw.strip():
            problems.append(Problem(file, None, None, "file is empty (no header row)"))
            continue
        header = _read_header(path) or []
        missing = [f for f in fields if f not in header]
        extra = [h for h in header if h not in fields]
        duplicated = sorted({h for h in header if header.count(h) > 1})
        for column in missing:
            if column in (h.strip() for h in extra):
                continue  # reported below as a name with spaces around it
            problems.append(Problem(file, 1, column, "missing column"))
        for column in extra:
            if column.strip() in fields:
                message = f"column name {column!r} has spaces around it"
            else:
                message = "unexpected column (not in the schema)"
            problems.append(Problem(file, 1, column or "(blank)", message))
        for column in duplicated:
            problems.append(Problem(file, 1, column, "column appears twice"))
        if not (missing or extra or duplicated):
            headers[name] = header
    return problems, headers


def _enum_text(fields: Mapping[str, Mapping[str, Any]], column: str | None) -> str:
    """The allowed values of an enumerated column, listed when there are few of them."""
    allowed = fields.get(column or "", {}).get("constraints", {}).get("enum", [])
    if 0 < len(allowed) <= 12:
        return "allowed: " + ", ".join(str(v) for v in allowed)
    return "see its enum in datapackage.json"


def _error_problem(
    file: str, error: Any, fields: Mapping[str, Mapping[str, Any]], primary_key: list[str]
) -> Problem:
    """Translate one frictionless error into a Problem with a plain message."""
    kind = error.type
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    note = getattr(error, "note", "") or ""
    if kind == "type-error":
        expected = fields.get(column or "", {}).get("type", "value")
        article = "an" if expected[0] in "aeiou" else "a"
        message = f"{cell!r} is not {article} {expected}"
        if expected in ("number", "integer") and _DECIMAL_COMMA.match(str(cell)):
            message += " (decimal comma: write it with a point)"
    elif kind == "constraint-error":
        match = re.search(r'constraint "(\w+)" is "(.*)"', note)
        constraint, limit = (match.group(1), match.group(2)) if match else ("", note)
        message = {
            "required": "missing value in a required column",
            "minimum": f"{cell!r} is below the minimum {limit}",
            "maximum": f"{cell!r} is above the maximum {limit}",
            "enum": f"{cell!r} is not an allowed value ({_enum_text(fields, column)})",
            "pattern": f"{cell!r} does not have the expected form {limit}",
            "unique": f"{cell!r} appears more than once in a unique column",
        }.get(constraint, f"{cell!r} breaks the constraint {note}")
    elif kind in ("primary-key", "unique-error"):
        other = re.search(r"position \"?(\d+)", note)
        where = f" (same as row {other.group(1)})" if other else ""
        key_fields = getattr(error, "field_names", None) or primary_key
        column = ",".join(key_fields) if kind == "primary-key" else column
        message = f"duplicate key{where}"
    elif kind == "foreign-key":
        fk_fields = getattr(error, "field_names", []) or []
        cells = getattr(error, "field_cells", []) or []
        column = ",".join(fk_fields) or column
        ref = getattr(error, "reference_name", "") or "another table"
        ref_fields = ",".join(getattr(error, "reference_field_names", []) or [])
        value = cells[0] if len(cells) == 1 else tuple(cells)
        message = f"{value!r} not found in {ref}.{ref_fields}"
    elif kind == "blank-row":
        message = "blank row"
    elif kind == "extra-cell":
        message = f"row has more cells than the header ({cell!r} is extra)"
    elif kind == "missing-cell":
        message = "row has fewer cells than the header"
    else:
        message = f"{kind}: {note or error.message}"
    return Problem(file, row, column, message)


def _run_frictionless(
    root: Path, descriptor: Mapping[str, Any], headers: Mapping[str, list[str]]
) -> list[Problem]:
    """Validate the resources whose headers are usable against their Table Schemas."""
    from frictionless import Package

    resources = []
    usable = set(headers)
    for resource in _resources(descriptor):
        name = resource.get("name")
        if name not in usable:
            continue
        schema = dict(resource["schema"])
        by_name = {f["name"]: f for f in schema["fields"]}
        schema["fields"] = [by_name[h] for h in headers[name]]  # match the file's column order
        schema["foreignKeys"] = [
            fk
            for fk in schema.get("foreignKeys", [])
            if fk.get("reference", {}).get("resource", "") in usable | {""}
        ]
        resources.append({**resource, "schema": schema})
    if not resources:
        return []
    package = Package({**descriptor, "resources": resources}, basepath=str(root))
    report = package.validate()
    problems = []
    paths = {r["name"]: r["path"] for r in resources}
    for task in report.tasks:
        file = paths.get(task.name, task.name)
        resource = next(r for r in resources if r["name"] == task.name)
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        key = resource["schema"].get("primaryKey", [])
        key = [key] if isinstance(key, str) else list(key)
        blank = {e.row_number for e in task.errors if e.type == "blank-row"}
        for error in task.errors:
            if error.type in ("primary-key", "unique-error") and error.row_number in blank:
                continue  # a blank row is reported once, as a blank row
            problems.append(_error_problem(file, error, fields, key))
    for error in report.errors:  # package-level errors (descriptor problems)
        problems.append(Problem("datapackage.json", None, None, error.message))
    return problems


# --------------------------------------------------------------------------- rules


def _date_fields(resource: Mapping[str, Any]) -> list[str]:
    """String fields whose pattern describes a (partial) date."""
    names = []
    for field in resource["schema"]["fields"]:
        pattern = field.get("constraints", {}).get("pattern", "")
        if field.get("type", "string") == "string" and r"\d{4}" in pattern:
            names.append(field["name"])
    return names


def _rows(frame: pd.DataFrame) -> Iterable[tuple[int, pd.Series]]:
    for position, (_, row) in enumerate(frame.iterrows()):
        yield position + 2, row  # line 1 is the header


def _check_dates(file: str, frame: pd.DataFrame, fields: list[str]) -> list[Problem]:
    problems = []
    spans: dict[str, list[tuple[dt.date, dt.date] | None]] = {}
    for field in fields:
        values: list[tuple[dt.date, dt.date] | None] = []
        for line, text in zip(range(2, len(frame) + 2), frame[field], strict=True):
            if pd.isna(text) or text == "":
                values.append(None)
                continue
            span = parse_partial_date(str(text))
            if span is None:
                problems.append(
                    Problem(
                        file,
                        line,
                        field,
                        f"{text!r} is not a valid date "
                        "(YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn or YYYY-Hn)",
                    )
                )
            values.append(span)
        spans[field] = values
    for start, end in _RANGE_PAIRS:
        if start in spans and end in spans:
            for line, (a, b) in enumerate(zip(spans[start], spans[end], strict=True), start=2):
                if a and b and a[0] > b[1]:
                    problems.append(Problem(file, line, end, f"{end} is before {start}"))
    return problems


def _check_metric_signs(file: str, frame: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    if not {"metric", "value"} <= set(frame.columns):
        return problems
    values = pd.to_numeric(frame["value"], errors="coerce")
    for line, (metric, value) in enumerate(zip(frame["metric"], values, strict=True), start=2):
        if pd.notna(value) and value < 0 and not any(k in str(metric) for k in NEGATIVE_ALLOWED):
            problems.append(
                Problem(file, line, "value", f"{metric} cannot be negative (got {value:g})")
            )
    return problems


def _check_amount_status(file: str, frame: pd.DataFrame) -> list[Problem]:
    amount_cols = [c for c in frame.columns if c.startswith("amount_") and c != "amount_status"]
    if "amount_status" not in frame.columns or not amount_cols:
        return []
    problems = []
    amount = amount_cols[0]
    for line, row in _rows(frame):
        status, value = row["amount_status"], row[amount]
        if status == "undisclosed" and pd.notna(value) and value != "":
            problems.append(
                Problem(
                    file,
                    line,
                    amount,
                    "an undisclosed amount must be left empty, not given a value",
                )
            )
        if status == "disclosed" and (pd.isna(value) or value == ""):
            problems.append(Problem(file, line, amount, "a disclosed amount is missing"))
    return problems


def _check_stakes(file: str, frame: pd.DataFrame) -> list[Problem]:
    """Stakes that certainly overlap at a date sum to at most 100 % (per company)."""
    needed = {"company_id", "holder_id", "stake_pct", "valid_from", "valid_to"}
    if not needed <= set(frame.columns):
        return []
    rows = []
    for line, row in _rows(frame):
        start = parse_partial_date(str(row["valid_from"])) if pd.notna(row["valid_from"]) else None
        end = parse_partial_date(str(row["valid_to"])) if pd.notna(row["valid_to"]) else None
        stake = pd.to_numeric(row["stake_pct"], errors="coerce")
        if pd.isna(stake):
            continue
        # certainly held from the end of the start period to the start of the end period;
        # a holding stated for one period only ("2013" to "2013") is checked at its middle
        sure_from = start[1] if start else dt.date.min
        sure_to = end[0] if end else dt.date.max
        if sure_from > sure_to:
            known = [bounds for bounds in (start, end) if bounds is not None]
            first, last = known[0][0], known[-1][1]
            sure_from = sure_to = first + (last - first) / 2
        rows.append((row["company_id"], row["holder_id"], float(stake), sure_from, sure_to, line))
    problems = []
    for company in sorted({r[0] for r in rows}):
        held = [r for r in rows if r[0] == company]
        checkpoints = sorted({r[3] for r in held} | {r[4] for r in held})
        for date in checkpoints:
            active = [r for r in held if r[3] <= date <= r[4]]
            largest: dict[str, tuple[float, int]] = {}
            for _, holder, stake, _, _, line in active:
                if holder not in largest or stake > largest[holder][0]:
                    largest[holder] = (stake, line)
            total = sum(stake for stake, _ in largest.values())
            if total > 100 + _TOLERANCE_PCT:
                lines = sorted(line for _, line in largest.values())
                parts = ", ".join(f"{h} {s:g}" for h, (s, _) in sorted(largest.items()))
                line_list = ", ".join(str(n) for n in lines)
                problems.append(
                    Problem(
                        file,
                        lines[-1],
                        "stake_pct",
                        f"stakes in {company} on {date.isoformat()} sum to {total:g} % "
                        f"(over 100 %): {parts} (rows {line_list})",
                    )
                )
                break  # one report per company is enough
    return problems


def _check_rules(root: Path, descriptor: Mapping[str, Any], clean: set[str]) -> list[Problem]:

    problems: list[Problem] = []
    for resource in _resources(descriptor):
        if resource.get("name") not in clean:
            continue
        file = resource["path"]
        frame = read_raw(root / file)
        problems += _check_dates(file, frame, _date_fields(resource))
        problems += _check_metric_signs(file, frame)
        problems += _check_amount_status(file, frame)
        problems += _check_stakes(file, frame)
    return problems


# --------------------------------------------------------------------------- entry points


def validate_data_dir(data_dir: str | Path) -> list[Problem]:
    """Every problem of the data directory, sorted by file and row (empty when valid)."""

    root = Path(data_dir)
    try:
        descriptor = read_descriptor(root)
    except DataError as exc:
        problems = []
        for line in exc.problems:
            match = re.match(r"datapackage\.json:(\d+):(\d+): (.*)", line)
            if match:
                row, col, message = match.groups()
                problems.append(Problem("datapackage.json", int(row), f"char {col}", message))
            else:
                problems.append(Problem("datapackage.json", None, None, line.split(": ", 1)[-1]))
        return problems
    problems, headers = _check_files(root, descriptor)
    problems += _run_frictionless(root, descriptor, headers)
    # the extra rules run on every table whose rows parse (same number of cells as the
    # header); a cell already reported is not repeated
    broken = {p.file for p in problems if p.message.startswith("row has ")}
    parsable = {
        r["name"]
        for r in _resources(descriptor)
        if isinstance(r, dict) and r.get("name") in headers and r["path"] not in broken
    }
    reported = {(p.file, p.row, p.column) for p in problems}
    problems += [
        p
        for p in _check_rules(root, descriptor, parsable)
        if (p.file, p.row, p.column) not in reported
    ]
    return sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.message))
