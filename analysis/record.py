"""Record a run's key numbers and cited sources inside the executed notebook.

A notebook calls :func:`record_key_numbers` (and :func:`record_sources`) once it has its
results. The call displays a short, rounded text table, which is what nbval compares, and
attaches the exact figures as JSON in the output's ``metadata`` under :data:`KEY_NUMBERS_MIME`
(nbval ignores metadata). The report runner reads them back with :func:`read_key_numbers` and
:func:`read_sources` from the executed ``.ipynb``.

Example
-------
>>> payload = key_numbers_payload({"loss_central_eur_m": 41.23456}, units={"loss_central_eur_m":
...     "EUR m"})
>>> payload["numbers"]["loss_central_eur_m"]["value"]
41.23456
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "KEY_NUMBERS_MIME",
    "SOURCES_MIME",
    "format_key_numbers",
    "key_numbers_payload",
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
) -> dict[str, Any]:
    """Build the JSON payload for ``numbers`` (name -> value).

    NaN, infinity and None are recorded as ``null`` with ``"status": "undefined"`` and never
    as a number; ``notes`` may say why (for instance why an IRR is undefined).
    """
    labels, units, notes = labels or {}, units or {}, notes or {}
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


def record_key_numbers(
    numbers: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    digits: int = 1,
) -> dict[str, Any]:
    """Display the key numbers of this run and attach them to the output for the runner.

    Returns the payload. Call it in a cell whose output is kept in the committed notebook
    (the rounded text is what ``pytest --nbval-lax`` compares).
    """
    payload = key_numbers_payload(numbers, labels=labels, units=units, notes=notes)
    _display(format_key_numbers(payload, digits), {KEY_NUMBERS_MIME: payload})
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


def _display(text: str, metadata: dict[str, Any]) -> None:
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
    display({"text/plain": text}, raw=True, metadata=metadata)


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
