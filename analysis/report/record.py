"""Record a run's key numbers and cited sources inside the executed notebook.

A notebook calls :func:`record_key_numbers` (and :func:`record_sources`) once it has its
results. The call displays one compact, rounded table (text and HTML), which is what nbval
compares, and attaches the exact figures as JSON in the output's ``metadata`` under
:data:`KEY_NUMBERS_MIME` (nbval ignores metadata). The report runner reads them back with
:func:`read_key_numbers` and :func:`read_sources` from the executed ``.ipynb``.

Names: a key number is named ``<quantity>_<bound>_<unit>`` where ``<bound>`` is one of
:data:`BOUNDS` (``loss_central_eur_m``, ``irr_p95_pct``, ``moic_low``); a name without a
bound whose siblings have one is their central value (``big3_share_pct`` beside
``big3_share_low_pct``). :func:`key_number_rows` groups them: one row per quantity, one
column per bound, the unit in the row. ``headline=[...]`` marks the three or four numbers
the run index shows for the report (``"headline": true`` in their entries).

Example
-------
>>> payload = key_numbers_payload({"loss_central_eur_m": 41.23456}, units={"loss_central_eur_m":
...     "EUR m"})
>>> payload["numbers"]["loss_central_eur_m"]["value"]
41.23456
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis.report.textsafe import html as esc

__all__ = [
    "BOUNDS",
    "KEY_NUMBERS_MIME",
    "SOURCES_MIME",
    "KeyNumber",
    "KeyNumbers",
    "format_key_numbers",
    "format_key_table",
    "headline_rows",
    "key_number_rows",
    "key_numbers_payload",
    "key_table_html",
    "read_key_numbers",
    "read_sources",
    "record_key_numbers",
    "record_sources",
]

#: metadata key of the machine-readable key numbers in a notebook output
KEY_NUMBERS_MIME = "application/vnd.sovcloud.key-numbers+json"
#: metadata key of the list of source ids a notebook cites
SOURCES_MIME = "application/vnd.sovcloud.sources+json"
_SCHEMA_VERSION = 1
_SIGNIFICANT = 12  # digits kept in the JSON: enough to compare runs, stable across platforms
#: the bound words of key-number names, in the order of the table's columns
BOUNDS = ("low", "central", "high", "p5", "p50", "p95")
_RANGE_BOUNDS = BOUNDS[:3]
_PERCENTILES = BOUNDS[3:]


def _clean_value(value: Any) -> tuple[float | int | str | bool | None, str | None]:
    """Return a JSON-safe value and, for an undefined number, the word 'undefined'."""
    if value is None:
        return None, "undefined"
    if isinstance(value, bool | str):
        return value, None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"key number value {value!r} is not a number, text or None") from exc
    if math.isnan(number) or math.isinf(number):
        return None, "undefined"
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return int(value), None
    return float(f"{number:.{_SIGNIFICANT}g}"), None


def key_numbers_payload(
    numbers: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    headline: Iterable[str] = (),
) -> dict[str, Any]:
    """Build the JSON payload for ``numbers`` (name -> value).

    NaN, infinity and None are recorded as ``null`` with ``"status": "undefined"`` and never
    as a number; ``notes`` may say why (for instance why an IRR is undefined). Names in
    ``headline`` get ``"headline": true`` (the index shows them); each must be a key number.

    >>> p = key_numbers_payload({"a_pct": 1.0, "b": 2}, headline=["a_pct"])
    >>> p["numbers"]["a_pct"], p["numbers"]["b"]
    ({'value': 1.0, 'headline': True}, {'value': 2})
    """
    labels, units, notes = labels or {}, units or {}, notes or {}
    headline = list(headline)
    unknown = [h for h in headline if h not in numbers]
    if unknown:
        raise KeyError(f"headline names that are not key numbers: {', '.join(unknown)}")
    out: dict[str, dict[str, Any]] = {}
    for name, raw in numbers.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"key number names must be non-empty strings, got {name!r}")
        value, status = _clean_value(raw)
        entry: dict[str, Any] = {"value": value}
        if status:
            entry["status"] = status
        for key, source in (("label", labels), ("unit", units), ("note", notes)):
            if name in source:
                entry[key] = source[name]
        if name in headline:
            entry["headline"] = True
        out[name] = entry
    return {"version": _SCHEMA_VERSION, "numbers": out}


def format_key_numbers(payload: Mapping[str, Any], digits: int = 1) -> str:
    """Render the payload as aligned ``name  value unit`` lines, rounded to ``digits``."""
    numbers = payload["numbers"]
    if not numbers:
        return "(no key numbers)"
    width = max(len(name) for name in numbers)
    lines = []
    for name, entry in numbers.items():
        value = entry["value"]
        if value is None:
            shown = "undefined"
        elif isinstance(value, bool | str):
            shown = str(value)
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = f"{value:,.{digits}f}"
            if shown.lstrip("-").strip("0.,") == "":
                shown = f"{0.0:.{digits}f}"  # never print "-0.0"
        unit = f" {entry['unit']}" if entry.get("unit") and value is not None else ""
        lines.append(f"{name:<{width}}  {shown}{unit}")
    return "\n".join(lines)


def _split_name(name: str) -> tuple[str, str | None]:
    """``'loss_p95_eur_m'`` -> ``('loss_eur_m', 'p95')``; no bound word: ``(name, None)``."""
    tokens = name.split("_")
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] in BOUNDS and i > 0:
            return "_".join(tokens[:i] + tokens[i + 1 :]), tokens[i]
    return name, None


_END_WORDS = re.compile(
    r",? (?:low|central|high|\d+(?:st|nd|rd|th) percentile)(?: bound)?(?: over the input "
    r"ranges| inputs| of the scenarios)?(?=$| \()"
)


def _row_label(entries: Mapping[str, Mapping[str, Any]], name: str) -> str:
    """A row's label: its central's label (else the first there is), without the bound
    words; the name when no number of the row has one."""
    ordered = [entries["central"]] if "central" in entries else []
    ordered += [e for b, e in entries.items() if b != "central"]
    label = next((str(e["label"]) for e in ordered if e.get("label")), name)
    return _END_WORDS.sub("", label, count=1).strip() or name


def key_number_rows(numbers: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Group recorded key numbers (name -> entry) into one row per quantity.

    A row has ``quantity`` (the name without its bound word), ``label`` (without the bound
    words), ``unit``, one key per bound present (:data:`BOUNDS`; the entry's value, None when
    undefined), ``names`` (bound -> key-number name), ``note`` (the first note) and
    ``headline`` (any of its numbers marked). Rows keep the order in which their first
    number was recorded; a text or true/false value is a row of its own with ``central``.

    >>> rows = key_number_rows({"big3_share_pct": {"value": 68.0, "unit": "%"},
    ...     "big3_share_low_pct": {"value": 63.0, "unit": "%"},
    ...     "loss_p5_eur_m": {"value": 1.0}, "moic_low": {"value": 0.0}})
    >>> [(r["quantity"], r.get("low"), r.get("central"), r.get("p5")) for r in rows][:2]
    [('big3_share_pct', 63.0, 68.0, None), ('loss_eur_m', None, None, 1.0)]
    >>> rows[2]["quantity"], rows[2]["low"]
    ('moic', 0.0)
    """
    keyed: dict[tuple[str, str], dict[str, str]] = {}
    for name in numbers:
        quantity, bound = _split_name(name)
        slot = keyed.setdefault(("", quantity), {})
        if (bound or "central") in slot:  # e.g. both x_central_pct and x_pct: its own row
            slot = keyed.setdefault(("own", name), {})
            bound = None
        slot[bound or "central"] = name
    rows = []
    for (_, quantity), names in keyed.items():
        entries = {bound: numbers[name] for bound, name in names.items()}
        first = next(iter(entries.values()))
        row: dict[str, Any] = {
            "quantity": quantity,
            "label": _row_label(entries, quantity),
            "unit": next((str(e["unit"]) for e in entries.values() if e.get("unit")), ""),
            "names": dict(names),
            "note": next((str(e["note"]) for e in entries.values() if e.get("note")), ""),
            "headline": any(bool(e.get("headline")) for e in entries.values()),
            # text, or an undefined figure named without bound or unit (a period, a basis)
            "is_text": any(isinstance(e.get("value"), bool | str) for e in entries.values())
            or (
                names == {"central": quantity}
                and first.get("value") is None
                and not first.get("unit")
            ),
        }
        for bound, entry in entries.items():
            row[bound] = entry.get("value")
        rows.append(row)
    return rows


def headline_rows(
    numbers: Mapping[str, Mapping[str, Any]], fallback: int = 4
) -> list[dict[str, Any]]:
    """The rows of :func:`key_number_rows` a summary shows: those marked headline, else the
    first ``fallback`` numeric rows with a value (a notebook that marks none still shows
    something sensible)."""
    rows = [r for r in key_number_rows(numbers) if not r["is_text"]]
    marked = [r for r in rows if r["headline"]]
    if marked:
        return marked
    return [r for r in rows if any(r.get(b) is not None for b in BOUNDS)][:fallback]


def _shown(value: Any, digits: int) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    shown = f"{value:,.{digits}f}"
    if shown.lstrip("-").strip("0.,") == "":
        shown = f"{0.0:.{digits}f}"  # never print "-0.0"
    return shown


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    present = {b for r in rows if not r["is_text"] for b in BOUNDS if b in r}
    ranged = bool(present & {"low", "high"})
    columns = [b for b in _RANGE_BOUNDS if ranged or b == "central"]
    return columns + [b for b in _PERCENTILES if b in present]


def format_key_table(payload: Mapping[str, Any], digits: int = 1) -> str:
    """The key numbers as one compact text table: one row per quantity, a column per bound
    (low / central / high, and p5 / p50 / p95 when any is recorded), the unit in the row;
    text values follow as ``name: value`` lines. Values rounded to ``digits``.

    >>> p = key_numbers_payload({"loss_low_eur_m": 1.04, "loss_central_eur_m": 2.0,
    ...     "loss_high_eur_m": None, "series": "x"}, units={"loss_low_eur_m": "EUR m"})
    >>> print(format_key_table(p))
    quantity    unit   low  central       high
    loss_eur_m  EUR m  1.0      2.0  undefined
    series: x
    """
    rows = key_number_rows(payload["numbers"])
    if not rows:
        return "(no key numbers)"
    numeric = [r for r in rows if not r["is_text"]]
    lines = []
    if numeric:
        columns = _columns(numeric)
        table = [["quantity", "unit", *columns]]
        for r in numeric:
            cells = [_shown(r[b], digits) if b in r else "" for b in columns]
            table.append([r["quantity"], r["unit"], *cells])
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            left = [f"{line[i]:<{widths[i]}}" for i in (0, 1)]
            right = [f"{line[i]:>{widths[i]}}" for i in range(2, len(line))]
            lines.append("  ".join(left + right).rstrip())
    lines += [f"{r['quantity']}: {_shown(r['central'], digits)}" for r in rows if r["is_text"]]
    return "\n".join(lines)


def key_table_html(payload: Mapping[str, Any], digits: int = 1) -> str:
    """:func:`format_key_table` as an HTML table with the readable labels (escaped)."""
    rows = key_number_rows(payload["numbers"])
    numeric = [r for r in rows if not r["is_text"]]
    columns = _columns(numeric) if numeric else []
    head = "".join(f"<th>{esc(c)}</th>" for c in ["Quantity", "Unit", *columns])
    body = []
    for r in numeric:
        cells = "".join(
            f'<td class="sc-num">{esc(_shown(r[b], digits)) if b in r else ""}</td>'
            for b in columns
        )
        title = f' title="{esc(r["note"])}"' if r["note"] else ""
        body.append(
            f"<tr{title}><td>{esc(r['label'])} <code>{esc(r['quantity'])}</code></td>"
            f"<td>{esc(r['unit'])}</td>{cells}</tr>"
        )
    text = "".join(
        f"<li>{esc(r['label'])}: {esc(_shown(r['central'], digits))}</li>"
        for r in rows
        if r["is_text"]
    )
    table = (
        f'<table class="sc-key-numbers"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        if numeric
        else ""
    )
    return table + (f"<ul>{text}</ul>" if text else "")


def record_key_numbers(
    numbers: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    headline: Iterable[str] = (),
    digits: int = 1,
) -> dict[str, Any]:
    """Display the key numbers of this run as one compact table and attach them to the
    output for the runner.

    ``headline``: the names of the three or four numbers the run index shows for this report
    (as "central (low to high) unit"); name the central of each quantity, e.g.
    ``headline=["loss_central_eur_m", "irr_central_pct"]``. Without it the index shows the
    first quantities recorded.

    Returns the payload. Call it in a cell whose output is kept in the committed notebook
    (the rounded table is what ``pytest --nbval-lax`` compares).
    """
    payload = key_numbers_payload(
        numbers, labels=labels, units=units, notes=notes, headline=headline
    )
    _display(
        format_key_table(payload, digits),
        {KEY_NUMBERS_MIME: payload},
        html=key_table_html(payload, digits),
    )
    return payload


def record_sources(source_ids: Iterable[str], *, show: bool = False) -> list[str]:
    """Attach the ids of the sources this notebook cites (deduplicated, in first-seen order).

    The report runner turns them into the "Sources cited" section of the HTML report.
    With ``show=False`` (the default) nothing visible is printed.
    """
    seen: list[str] = []
    for source_id in source_ids:
        if source_id and source_id not in seen:
            seen.append(str(source_id))
    text = f"{len(seen)} sources cited" if show else ""
    _display(text, {SOURCES_MIME: {"version": _SCHEMA_VERSION, "source_ids": seen}})
    return seen


def _display(text: str, metadata: dict[str, Any], html: str = "") -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        print(text)
        return
    if get_ipython() is None:
        if text:
            print(text)
        return
    data = {"text/plain": text, **({"text/html": html} if html else {})}
    display(data, raw=True, metadata=metadata)


def _iter_metadata(nb: Mapping[str, Any], key: str) -> Iterable[Any]:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            meta = output.get("metadata") or {}
            if key in meta:
                yield meta[key]


def read_key_numbers(nb: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Collect every recorded key number of an executed notebook (later records win)."""
    numbers: dict[str, dict[str, Any]] = {}
    for payload in _iter_metadata(nb, KEY_NUMBERS_MIME):
        numbers.update(payload.get("numbers", {}))
    return numbers


def read_sources(nb: Mapping[str, Any]) -> list[str]:
    """Collect the source ids an executed notebook recorded, in first-seen order."""
    seen: list[str] = []
    for payload in _iter_metadata(nb, SOURCES_MIME):
        for source_id in payload.get("source_ids", []):
            if source_id not in seen:
                seen.append(source_id)
    return seen


# --------------------------------------------------------------------------- declarative table


@dataclass(frozen=True)
class KeyNumber:
    """One row of a report's key-number table: what is recorded, in which unit, and from where.

    ``name`` carries its unit (``loss_central_eur_m``, ``share_high_pct``); ``get`` takes the
    report's results object and returns the value (NaN or None when undefined); ``note`` says
    why a value may be undefined or what it rests on.
    """

    name: str
    unit: str
    label: str
    get: Callable[..., Any]
    note: str = ""


@dataclass(frozen=True)
class KeyNumbers:
    """The key numbers of one run: values with their units, labels, notes and headline names.

    Built from a declarative table with :meth:`from_table`; :meth:`record` displays them and
    attaches them to the notebook output (:func:`record_key_numbers`).

    >>> table = [KeyNumber("loss_central_eur_m", "EUR m", "Loss", lambda r: r["loss"])]
    >>> key = KeyNumbers.from_table(table, {"loss": 41.2}, headline=["loss_central_eur_m"])
    >>> key.values, key.units
    ({'loss_central_eur_m': 41.2}, {'loss_central_eur_m': 'EUR m'})
    """

    values: dict[str, Any]
    units: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    headline: tuple[str, ...] = ()

    @classmethod
    def from_table(
        cls, table: Iterable[KeyNumber], results: Any, *, headline: Iterable[str] = ()
    ) -> KeyNumbers:
        """Evaluate every row of ``table`` on ``results``; names must be unique."""
        rows = list(table)
        names = [row.name for row in rows]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"key numbers named twice: {', '.join(repeated)}")
        return cls(
            values={row.name: row.get(results) for row in rows},
            units={row.name: row.unit for row in rows if row.unit},
            labels={row.name: row.label for row in rows if row.label},
            notes={row.name: row.note for row in rows if row.note},
            headline=tuple(headline),
        )

    def payload(self) -> dict[str, Any]:
        """The JSON payload the runner reads (see :func:`key_numbers_payload`)."""
        return key_numbers_payload(
            self.values,
            labels=self.labels,
            units=self.units,
            notes=self.notes,
            headline=self.headline,
        )

    def record(self, digits: int = 1) -> dict[str, Any]:
        """Display them as one compact table and attach them to the output for the runner."""
        return record_key_numbers(
            self.values,
            labels=self.labels,
            units=self.units,
            notes=self.notes,
            headline=self.headline,
            digits=digits,
        )
