"""Ranges and sources in words, for the investment notebook's sentences and tables.

:func:`format_span` writes ``'central (low to high) unit'`` with
:func:`analysis.report.blocks.fmt_number` (the one number formatter), :func:`spanner` reads the
three bound columns of a quantity from a row, :func:`publishers` names the sources.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pandas as pd

from analysis.core import evidence
from analysis.report.blocks import fmt_number
from analysis.report.textsafe import md

__all__ = ["format_span", "publishers", "spanner"]


def format_span(
    low: float, central: float, high: float, digits: int = 1, unit: str = "", *, scale=1.0
) -> str:
    """``'central (low to high) unit'``, or ``'value unit'`` when there is no range.

    >>> format_span(100.0, 100.0, 112.5, 1, "M EUR")
    '100.0 (100.0 to 112.5) M EUR'
    >>> format_span(-1.0, -1.0, -1.0, 0, "%", scale=100)
    '-100 %'
    """
    values = [
        v * scale if v is not None and not math.isnan(v) else math.nan for v in (low, central, high)
    ]
    suffix = f" {unit}" if unit else ""
    lo, mid, hi = (fmt_number(v, digits) for v in values)
    if lo == hi:
        return f"{mid}{suffix}"
    return f"{mid} ({lo} to {hi}){suffix}"


def spanner(row: pd.Series) -> Callable[..., str]:
    """``span(name, digits, unit)``: the formatted range of the columns ``name`` names.

    ``name`` has ``{}`` where the bound goes: ``"loss_{}_eur_m"`` reads ``loss_low_eur_m``,
    ``loss_central_eur_m`` and ``loss_high_eur_m``.

    >>> spanner(pd.Series({"x_low_pct": 1.0, "x_central_pct": 2.0, "x_high_pct": 3.0}))(
    ...     "x_{}_pct", 1, "%")
    '2.0 (1.0 to 3.0) %'
    """

    def span(name: str, digits: int = 1, unit: str = "") -> str:
        low, central, high = (row[name.format(end)] for end in ("low", "central", "high"))
        return format_span(low, central, high, digits, unit)

    return span


def publishers(ids: Iterable[str], sources: pd.DataFrame) -> str:
    """Publishers and dates of the sources, made inert for Markdown sentences."""
    return md(evidence.cite(list(ids), sources).removeprefix("Sources: "))
