"""Market sizes, growth rates and the scale of a company against its market.

Pure functions on small frames: they never read files, never draw and never change their
input. Shares by provider and origin are in :mod:`analysis.market.shares`, relative share and
provider growth in :mod:`analysis.market.position`, concentration (CR3, HHI) in
:mod:`analysis.market.concentration` and figures in
:mod:`analysis.report.market.plots`; this module holds
what they share (periods, low/central/high ranges) and the market-size side.

Conventions
-----------
- Market sizes keep the unit of their ``metric`` (``size_eur_bn``: billions of euros,
  ``size_usd_bn``: billions of US dollars; nominal, as published). Currencies are never mixed:
  converting needs an explicit, named :class:`FxAssumption`.
- Growth rates: :func:`cagr` returns a fraction per year (0.10 = 10 % a year, as
  numpy-financial's ``rate``); columns of frames carry percent (``cagr_central_pct``).
- Releases: analysts revise their past figures from one release to the next, so a growth
  rate between two figures means something only when both come from one release.
  :func:`with_releases` marks each row's release, :func:`same_release` says whether two rows
  share one and :func:`release_pairs` lists the growth rates of a series within a release;
  :func:`growth_checks` sets published growth rates against the sizes they should match.
- Ranges: every figure is a ``low``/``central``/``high`` triple. Raw observations (several rows
  per key when sources disagree) are reduced by :func:`analysis.core.evidence.estimate_by` (rule
  ``span``: the range covers every sourced figure, bounds included; ``central`` is the median
  of the point figures); ``open_low``/``open_high`` say a side is open (the figure is only a
  bound). Growth from ranges takes the extreme ends: the low rate runs from the high start to
  the low end, the high rate from the low start to the high end.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from analysis.core.evidence import estimate_by
from analysis.errors import AnalysisError
from analysis.market.columns import RANGE_COLUMNS

__all__ = [
    "RANGE_COLUMNS",
    "Cagr",
    "MarketInputError",
    "cagr",
    "cagr_over_window",
    "decimal_year",
    "market_definition",
    "midyears",
    "period_midyear",
    "range_view",
    "reduce_ranges",
    "size_series",
]


_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[QH])(?P<n>\d))?$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


class MarketInputError(AnalysisError, ValueError):
    """Frames or arguments a market function cannot use without a wrong or silent result."""


# --------------------------------------------------------------------------- periods, ranges


def period_midyear(period: str, period_type: str | None = None) -> float:
    """Middle of a period as a decimal year, for plotting periods of mixed length on one axis.

    Parameters
    ----------
    period : ``"2021"``, ``"2020-Q3"``, ``"2023-H1"``; for a trailing four quarters, the last
        quarter (``"2022-Q2"``) or a span ``"2021-Q3/2022-Q2"`` (as in ``data/``) or
        ``"2021-Q3 to 2022-Q2"`` (the end is used).
    period_type : ``"trailing_4q"`` centres the four quarters ending with ``period``; other
        values (or None) read the period as written.

    Returns
    -------
    float : decimal year (2021.5 is the middle of calendar year 2021).

    Examples
    --------
    >>> period_midyear("2021"), period_midyear("2020-Q3"), period_midyear("2023-H1")
    (2021.5, 2020.625, 2023.25)
    >>> period_midyear("2022-Q2", "trailing_4q"), period_midyear("2021-Q3/2022-Q2", "trailing_4q")
    (2022.0, 2022.0)
    """
    text = str(period).strip()
    for sep in (" to ", "..", "/"):
        if sep in text:
            text = text.split(sep)[-1].strip()
    match = _PERIOD.match(text)
    if match is None:
        raise MarketInputError(
            f"period {period!r} is not 'YYYY', 'YYYY-Qn' or 'YYYY-Hn'; cannot place it in time"
        )
    year, kind, n = int(match["year"]), match["kind"], match["n"]
    if kind is None:
        start, length = 0.0, 1.0
    elif kind == "Q" and 1 <= int(n) <= 4:
        start, length = (int(n) - 1) / 4, 0.25
    elif kind == "H" and 1 <= int(n) <= 2:
        start, length = (int(n) - 1) / 2, 0.5
    else:
        raise MarketInputError(f"period {period!r}: quarter must be 1-4, half 1-2")
    if period_type == "trailing_4q":
        return year + start + length - 0.5
    return year + start + length / 2


def midyears(frame: pd.DataFrame) -> list[float]:
    """:func:`period_midyear` of every row of a frame with ``period`` and ``period_type``."""
    return [
        period_midyear(p, t) for p, t in zip(frame["period"], frame["period_type"], strict=True)
    ]


def decimal_year(value: object) -> float:
    """A dated event as a decimal year: the start of the day, month, quarter or year given.

    Dates are ISO partial dates as in ``data/`` (``2015-03-20``, ``2015-03``, ``2015``) or a
    quarter (``2020-Q1``); a date is placed at the start of what it names.

    >>> decimal_year("2016"), decimal_year("2020-Q3")
    (2016.0, 2020.5)
    >>> round(decimal_year("2015-07-01"), 3)
    2015.496
    """
    text = str(value).strip()
    if not _DATE.match(text):
        return period_midyear(text) - (0.5 if len(text) == 4 else 0.125)
    stamp = pd.Timestamp(text)
    days = 366 if stamp.is_leap_year else 365
    return stamp.year + (stamp.day_of_year - 1) / days


def reduce_ranges(
    frame: pd.DataFrame,
    keys: Sequence[str],
    value_col: str,
    *,
    rule: str = "span",
    published_col: str | None = None,
) -> pd.DataFrame:
    """One row per key with low/central/high, from raw observations or an already reduced frame.

    Raw rows (``value_col`` plus optional ``bound``/``source_id``) go through
    :func:`analysis.core.evidence.estimate_by`. A frame that already has low/central/high must have
    one row per key (reduce it once, with the rule of your choice).
    """
    keys = list(keys)
    if set(RANGE_COLUMNS) <= set(frame.columns):
        duplicated = frame.duplicated(keys, keep=False)
        if duplicated.any():
            first = frame.loc[duplicated, keys].iloc[0].to_dict()
            raise MarketInputError(
                f"frame has low/central/high but several rows for {first}; reduce it once "
                f"(evidence.estimate_by) or pass the raw observations"
            )
        out = frame[[*keys, *RANGE_COLUMNS]].copy()
        out[list(RANGE_COLUMNS)] = out[list(RANGE_COLUMNS)].astype(float)
        for col, default in (
            ("open_low", False),
            ("open_high", False),
            ("n_observations", 1),
            ("source_ids", ()),
        ):
            if col in frame.columns:
                out[col] = frame[col].to_numpy()
            else:
                out[col] = [default] * len(out)
        return out.sort_values(keys, kind="stable").reset_index(drop=True)
    if value_col not in frame.columns:
        raise MarketInputError(
            f"frame has neither low/central/high nor a {value_col!r} column; "
            f"columns: {', '.join(map(str, frame.columns))}"
        )
    raw = frame.copy()
    if "bound" not in raw.columns:
        raw["bound"] = "point"
    raw["bound"] = raw["bound"].fillna("point")
    if raw.empty:
        columns = [*keys, *RANGE_COLUMNS, "open_low", "open_high", "n_observations"]
        return pd.DataFrame(columns=[*columns, "source_ids"])
    out = estimate_by(raw, keys, value_col=value_col, rule=rule, published_col=published_col)
    return out.drop(columns="rule")


def range_view(frame: pd.DataFrame, value_col: str = "value") -> pd.DataFrame:
    """A copy with float low/central/high columns (a single value column fills all three)."""
    out = frame.copy()
    if set(RANGE_COLUMNS) <= set(out.columns):
        out[list(RANGE_COLUMNS)] = out[list(RANGE_COLUMNS)].astype(float)
    elif value_col in out.columns:
        for col in RANGE_COLUMNS:
            out[col] = out[value_col].astype(float)
    else:
        raise MarketInputError(f"frame needs low/central/high or a {value_col!r} column")
    for col in ("open_low", "open_high"):
        if col not in out.columns:
            out[col] = False
    return out


# --------------------------------------------------------------------------- growth


class Cagr(NamedTuple):
    """A compound annual growth rate and, when it cannot be computed, why.

    ``rate`` is a fraction per year (0.1 = 10 % a year); NaN when ``reason`` is not empty.
    """

    rate: float
    reason: str = ""

    @property
    def pct(self) -> float:
        """The rate in percent per year."""
        return self.rate * 100


def cagr(start_value: float, end_value: float, years: float) -> Cagr:
    """Compound annual growth rate: ``(end_value / start_value) ** (1 / years) - 1``.

    Parameters
    ----------
    start_value, end_value : the quantity at the start and end, in the same unit (any).
        Both must be positive finite numbers.
    years : time between them in years (may be fractional); must be positive.

    Returns
    -------
    Cagr : ``rate`` as a fraction per year, so ``start_value * (1 + rate) ** years ==
        end_value``; a NaN rate with a one-line ``reason`` when the inputs cannot give an
        honest rate (a zero, negative or missing value; no time elapsed).

    Examples
    --------
    100 to 121 over two years is 10 % a year (1.1 ** 2 = 1.21):

    >>> round(cagr(100, 121, 2).rate, 12)
    0.1
    >>> cagr(0, 121, 2)
    Cagr(rate=nan, reason='start value is zero: no growth rate from zero')
    """
    values = {"start value": start_value, "end value": end_value, "years": years}
    for name, value in values.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            return Cagr(math.nan, f"{name} is not a number ({value!r})")
        if math.isnan(number):
            return Cagr(math.nan, f"{name} is missing (NaN)")
        if math.isinf(number):
            return Cagr(math.nan, f"{name} is infinite")
    start, end, span = float(start_value), float(end_value), float(years)
    if span <= 0:
        return Cagr(math.nan, f"years must be positive (got {span:g})")
    if start == 0:
        return Cagr(math.nan, "start value is zero: no growth rate from zero")
    if start < 0 or end < 0:
        return Cagr(math.nan, "negative value: a compound rate needs positive values")
    if end == 0:
        return Cagr(math.nan, "end value is zero: the compound rate would be -100 %")
    return Cagr((end / start) ** (1.0 / span) - 1.0)


def size_series(
    sizes: pd.DataFrame,
    market_id: str,
    metric: str = "size_eur_bn",
    *,
    include_forecast: bool = False,
    rule: str = "span",
    published_col: str | None = None,
) -> pd.DataFrame:
    """Annual figures of one market: one row per year with low/central/high.

    Parameters
    ----------
    sizes : long table with ``market_id``, ``period_type``, ``year``, ``metric`` and either
        ``value`` (raw rows; with optional ``bound``, ``is_forecast``, ``source_id``) or
        ``low``/``central``/``high`` (one row per year).
    market_id : the market to pick.
    metric : e.g. ``size_eur_bn`` (billions of euros), ``size_usd_bn``, ``growth_pct``.
    include_forecast : keep forecast rows; a forecast is used only for a year that has no
        actual figure.
    rule, published_col : passed to :func:`analysis.core.evidence.estimate_by` for raw rows.

    Returns
    -------
    DataFrame : ``market_id``, ``metric``, ``year``, ``low``, ``central``, ``high`` (unit of
        ``metric``), ``open_low``, ``open_high``, ``n_observations``, ``source_ids``,
        ``is_forecast``; sorted by year. Quarterly, half-year and trailing figures are left
        out (``period_type`` other than ``year``).

    Examples
    --------
    >>> sizes = pd.DataFrame({
    ...     "market_id": ["fr", "fr", "fr"], "period": ["2021", "2021", "2020-Q3"],
    ...     "period_type": ["year", "year", "quarter"], "year": [2021, 2021, 2020],
    ...     "metric": ["size_eur_bn"] * 3, "value": [16.0, 15.0, 3.0],
    ...     "bound": ["point"] * 3, "is_forecast": [False] * 3, "source_id": ["a", "b", "c"]})
    >>> size_series(sizes, "fr")[["year", "low", "central", "high"]].to_dict("records")
    [{'year': 2021, 'low': 15.0, 'central': 15.5, 'high': 16.0}]
    """
    if market_id not in set(sizes["market_id"]):
        known = ", ".join(sorted(map(str, sizes["market_id"].unique())))
        raise MarketInputError(f"unknown market_id {market_id!r}; known: {known}")
    rows = sizes.loc[
        (sizes["market_id"] == market_id)
        & (sizes["metric"] == metric)
        & (sizes["period_type"] == "year")
    ].copy()
    forecast = (
        rows["is_forecast"].fillna(False).astype(bool)
        if "is_forecast" in rows.columns
        else pd.Series(False, index=rows.index)
    )
    rows["is_forecast"] = forecast
    if include_forecast:
        actual_years = set(rows.loc[~forecast, "year"])
        rows = rows.loc[~forecast | ~rows["year"].isin(actual_years)]
    else:
        rows = rows.loc[~forecast]
    keys = ["market_id", "metric", "year"]
    out = reduce_ranges(rows, keys, "value", rule=rule, published_col=published_col)
    flags = rows.groupby("year")["is_forecast"].all()
    out["is_forecast"] = out["year"].map(flags).fillna(False).astype(bool)
    out["year"] = out["year"].astype(int)
    return out.sort_values("year", kind="stable").reset_index(drop=True)


def cagr_over_window(series: pd.DataFrame, start_year: int, end_year: int) -> pd.Series:
    """Growth of a yearly series between the first and last available years of a window.

    The years used are the earliest and latest years inside ``[start_year, end_year]`` that
    have a central value; they are reported, since sources rarely cover the exact window.

    Parameters
    ----------
    series : one row per year with ``year`` and either ``low``/``central``/``high`` (e.g. from
        :func:`size_series`) or a single ``value``.
    start_year, end_year : the window, calendar years, ``start_year < end_year``.

    Returns
    -------
    Series : ``start_year``, ``end_year`` (years used), ``years``, ``start_central``,
        ``end_central`` (unit of the series), ``cagr_low_pct``, ``cagr_central_pct``,
        ``cagr_high_pct`` (percent a year; low from the high start to the low end, high from
        the low start to the high end), ``is_from_bound`` (an end is only a bound) and
        ``reason`` (empty when the rates are computed).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2016, 2021, 2030], "value": [5.9, 16.0, 40.0]})
    >>> r = cagr_over_window(s, 2012, 2025)
    >>> int(r["start_year"]), int(r["end_year"]), round(r["cagr_central_pct"], 1)
    (2016, 2021, 22.1)
    """
    if start_year >= end_year:
        raise MarketInputError(f"window start {start_year} must be before its end {end_year}")
    view = range_view(series)
    if view["year"].duplicated().any():
        raise MarketInputError("series has several rows per year; reduce it with size_series")
    inside = view.loc[
        view["year"].between(start_year, end_year) & view["central"].notna()
    ].sort_values("year")
    result: dict[str, object] = {
        "start_year": math.nan,
        "end_year": math.nan,
        "years": math.nan,
        "start_central": math.nan,
        "end_central": math.nan,
        "cagr_low_pct": math.nan,
        "cagr_central_pct": math.nan,
        "cagr_high_pct": math.nan,
        "is_from_bound": False,
        "reason": "",
    }
    if len(inside) < 2:
        found = ", ".join(str(int(y)) for y in inside["year"]) or "none"
        result["reason"] = (
            f"fewer than two years with a figure inside {start_year}-{end_year} (found: {found})"
        )
        return pd.Series(result, name="cagr")
    first, last = inside.iloc[0], inside.iloc[-1]
    years = float(last["year"] - first["year"])
    central = cagr(first["central"], last["central"], years)
    low = cagr(first["high"], last["low"], years)
    high = cagr(first["low"], last["high"], years)
    result.update(
        start_year=int(first["year"]),
        end_year=int(last["year"]),
        years=years,
        start_central=float(first["central"]),
        end_central=float(last["central"]),
        cagr_low_pct=low.pct,
        cagr_central_pct=central.pct,
        cagr_high_pct=high.pct,
        is_from_bound=bool(
            first["open_low"] or first["open_high"] or last["open_low"] or last["open_high"]
        ),
        reason=central.reason or low.reason or high.reason,
    )
    return pd.Series(result, name="cagr")


def market_definition(markets: pd.DataFrame, market_id: str) -> str:
    """One line saying what a market covers, to print beside every figure about it.

    Parameters
    ----------
    markets : table with ``market_id``, ``geography``, ``scope``, ``analyst``, ``currency``,
        ``definition``.
    market_id : the market.

    Returns
    -------
    str : ``"<scope>, <geography> (<analyst>; <currency>): <definition>"``; empty fields are
        left out.

    Examples
    --------
    >>> markets = pd.DataFrame({"market_id": ["fr_iaas_paas"], "geography": ["France"],
    ...     "scope": ["public cloud IaaS+PaaS"], "analyst": ["Markess by Exaegis"],
    ...     "currency": ["EUR"], "definition": ["revenue from French customers"]})
    >>> market_definition(markets, "fr_iaas_paas")
    'public cloud IaaS+PaaS, France (Markess by Exaegis; EUR): revenue from French customers'
    """
    rows = markets.loc[markets["market_id"] == market_id]
    if len(rows) != 1:
        known = ", ".join(sorted(map(str, markets["market_id"].unique())))
        problem = "unknown" if rows.empty else "duplicated"
        raise MarketInputError(f"{problem} market_id {market_id!r} in markets; known: {known}")
    row = rows.iloc[0]

    def text(col: str) -> str:
        value = row.get(col)
        return "" if value is None or pd.isna(value) else str(value).strip()

    head = ", ".join(part for part in (text("scope"), text("geography")) if part)
    detail = "; ".join(part for part in (text("analyst"), text("currency")) if part)
    line = f"{head} ({detail})" if detail else head
    return f"{line}: {text('definition')}" if text("definition") else line
