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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.core.evidence import estimate_by
from analysis.errors import AnalysisError
from analysis.market.columns import RANGE_COLUMNS

__all__ = [
    "RANGE_COLUMNS",
    "Cagr",
    "FxAssumption",
    "MarketInputError",
    "cagr",
    "cagr_over_window",
    "decimal_year",
    "growth_checks",
    "market_definition",
    "period_midyear",
    "range_view",
    "rate_bound",
    "reduce_ranges",
    "release_clusters",
    "release_pairs",
    "same_release",
    "scale_against_market",
    "scale_table",
    "size_series",
    "with_releases",
]


_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[QH])(?P<n>\d))?$")
_RELEASE_DATE = re.compile(r"\d{4}(?:-\d{2})?")
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


# --------------------------------------------------------------------------- releases


def with_releases(rows: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``rows`` with what says which release of its analyst each figure is from.

    Parameters
    ----------
    rows : figures with ``source_id`` and an optional ``release_note`` (market_sizes.csv,
        market_shares.csv).
    sources : ``source_id``, ``publisher``, ``published``, ``published_approx``
        (sources.csv).

    Returns
    -------
    DataFrame : ``rows`` plus ``release_key`` (the year or month a release note names, e.g.
        ``"2022"`` for "Synergy release of 2022"; empty without a note), ``page_date`` (the
        page's date, or its approximate date, to the month) and ``release_label`` (the note,
        else the publisher and the page's date, for readers).

    Examples
    --------
    >>> src = pd.DataFrame({"source_id": ["a", "b"], "publisher": ["Fierce", "Capacity"],
    ...     "published": [None, None], "published_approx": ["2022-09", "2022-09"]})
    >>> rows = pd.DataFrame({"source_id": ["a", "b"],
    ...     "release_note": ["Synergy release of 2022", None]})
    >>> with_releases(rows, src)[["release_key", "page_date", "release_label"]].values.tolist()
    [['2022', '2022-09', 'Synergy release of 2022'], ['', '2022-09', 'Capacity (c. 2022-09)']]
    """
    info = {
        str(r["source_id"]): r
        for r in sources[["source_id", "publisher", "published", "published_approx"]].to_dict(
            "records"
        )
    }
    out = rows.copy()
    notes = (
        out["release_note"].astype("string").fillna("")
        if "release_note" in out.columns
        else pd.Series("", index=out.index, dtype="string")
    )
    out["release_note"] = notes.astype(str)
    keys, dates, labels = [], [], []
    for source_id, note in zip(out["source_id"], out["release_note"], strict=True):
        found = _RELEASE_DATE.search(note)
        keys.append(found.group(0) if found else "")
        source = info.get(str(source_id), {})
        published, approx = source.get("published"), source.get("published_approx")
        exact = isinstance(published, str) and bool(published)
        date = str(published if exact else approx)[:7] if exact or isinstance(approx, str) else ""
        dates.append(date)
        shown = date if exact else f"c. {date}" if date else "n.d."
        labels.append(note or f"{source.get('publisher', source_id)} ({shown})")
    out["release_key"] = keys
    out["page_date"] = dates
    out["release_label"] = labels
    return out


def same_release(a: Mapping[str, object], b: Mapping[str, object]) -> bool:
    """Whether two figures of one series come from one release of its analyst.

    Two rows of :func:`with_releases` belong to one release when they come from the same page,
    when they carry the same release note, or when one names its release (a year or month)
    and the other, without a note, comes from a page dated within it. Two pages without a
    note are never taken to be one release.

    >>> fierce = {"source_id": "a", "release_note": "Synergy release of 2022",
    ...     "release_key": "2022", "page_date": "2022-09"}
    >>> capacity = {"source_id": "b", "release_note": "", "release_key": "",
    ...     "page_date": "2022-09"}
    >>> older = {"source_id": "c", "release_note": "", "release_key": "", "page_date": "2020-12"}
    >>> same_release(fierce, capacity), same_release(capacity, older)
    (True, False)
    """
    if a["source_id"] == b["source_id"]:
        return True
    key_a, key_b = str(a["release_key"]), str(b["release_key"])
    if key_a and key_b:
        return a["release_note"] == b["release_note"]
    if key_a or key_b:
        key, other = (key_a, b) if key_a else (key_b, a)
        return bool(other["page_date"]) and str(other["page_date"]).startswith(key)
    return False


def release_clusters(rows: pd.DataFrame) -> list[list[object]]:
    """The rows of :func:`with_releases` grouped into releases (index labels, in row order):
    rows linked by :func:`same_release`, directly or through other rows."""
    index = list(rows.index)
    parent = {i: i for i in index}

    def root(i: object) -> object:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    records = rows.to_dict("index")
    for n, i in enumerate(index):
        for j in index[n + 1 :]:
            if same_release(records[i], records[j]):
                parent[root(j)] = root(i)
    clusters: dict[object, list[object]] = {}
    for i in index:
        clusters.setdefault(root(i), []).append(i)
    return list(clusters.values())


def rate_bound(start_bound: str, end_bound: str) -> str:
    """'at most' / 'at least' when an end of a growth rate or change is only a bound."""
    up = start_bound == "lower" or end_bound == "upper"  # start too low or end too high
    down = start_bound == "upper" or end_bound == "lower"
    if up and not down:
        return "at most"
    if down and not up:
        return "at least"
    return "about" if up and down else ""


def release_pairs(rows: pd.DataFrame) -> pd.DataFrame:
    """Growth rates between the annual figures of one series that come from one release.

    Parameters
    ----------
    rows : one series' annual figures of one size metric, with the columns of
        :func:`with_releases`, ``year``, ``value`` and ``bound`` (forecasts should be left
        out by the caller, or marked ``is_forecast``).

    Returns
    -------
    DataFrame : one row per pair of years of one release (several rows of one year pair
        when releases repeat it): ``start_year``, ``end_year``, ``years``, ``start_value``,
        ``end_value``, ``cagr_pct`` (percent a year), ``bound`` (``"at most"``, ``"at
        least"`` or empty: an end is only a bound), ``is_forecast`` (an end is a forecast),
        ``release_label`` and ``source_ids``; longest spans first, then the latest.

    Examples
    --------
    Silicon.fr gives 1.4 (2020) and 2.5 bn EUR (2022) on one page; 1.43 (2021) comes from an
    earlier article: only 2020-2022 is a pair, (2.5 / 1.4) ** 0.5 - 1 = 33.6 % a year.

    >>> rows = pd.DataFrame({"year": [2020, 2021, 2022], "value": [1.4, 1.43, 2.5],
    ...     "bound": "point", "source_id": ["silicon", "lmi", "silicon"], "release_note": "",
    ...     "release_key": "", "page_date": ["2023-07", "2022-05", "2023-07"],
    ...     "release_label": ["Silicon.fr (2023-07)", "LMI (c. 2022-05)", "Silicon.fr (2023-07)"]})
    >>> out = release_pairs(rows)
    >>> out[["start_year", "end_year"]].values.tolist(), round(float(out.loc[0, "cagr_pct"]), 1)
    ([[2020, 2022]], 33.6)
    """
    columns = [
        "start_year",
        "end_year",
        "years",
        "start_value",
        "end_value",
        "cagr_pct",
        "bound",
        "is_forecast",
        "release_label",
        "source_ids",
    ]
    records = []
    ordered = rows.sort_values("year", kind="stable").to_dict("records")
    for n, first in enumerate(ordered):
        for last in ordered[n + 1 :]:
            if int(last["year"]) <= int(first["year"]) or not same_release(first, last):
                continue
            years = float(int(last["year"]) - int(first["year"]))
            rate = cagr(first["value"], last["value"], years)
            if rate.reason:
                continue
            records.append(
                {
                    "start_year": int(first["year"]),
                    "end_year": int(last["year"]),
                    "years": years,
                    "start_value": float(first["value"]),
                    "end_value": float(last["value"]),
                    "cagr_pct": rate.pct,
                    "bound": rate_bound(str(first.get("bound")), str(last.get("bound"))),
                    "is_forecast": bool(first.get("is_forecast", False))
                    or bool(last.get("is_forecast", False)),
                    "release_label": str(last["release_label"]),
                    "source_ids": tuple(dict.fromkeys([first["source_id"], last["source_id"]])),
                }
            )
    out = pd.DataFrame.from_records(records, columns=columns)
    return out.sort_values(
        ["years", "end_year"], ascending=[False, False], kind="stable"
    ).reset_index(drop=True)


def _half_unit(value: float) -> float:
    """Half the last digit a figure is written with (1.4 -> 0.05, 212 -> 0.5)."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def growth_checks(sizes: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """Published yearly growth rates set against the sizes of that year and the year before.

    Parameters
    ----------
    sizes : one series' annual sizes (one metric) with the columns of :func:`with_releases`,
        ``year``, ``value``.
    growth : the same series' published annual growth rates (``growth_pct`` rows), same
        columns.

    Returns
    -------
    DataFrame : per published rate with both sizes: ``year``, ``published_pct``,
        ``start_value``, ``end_value`` (sizes of the year before and of the year: the ones of
        the rate's own release when there are, else any), ``implied_pct`` (growth between
        them), ``is_same_release`` (both sizes and the rate from one release), ``fits``
        (the rate lies within what the sizes allow once each figure's rounding is taken
        into account: 1.4 may be 1.35 to 1.45) and the three ``release_label`` of the rate
        and the sizes (``growth_release``, ``start_release``, ``end_release``).

    Examples
    --------
    Le Monde Informatique: 1.43 bn EUR in 2021, +35 %; Silicon.fr: 1.4 bn EUR in 2020.
    From 1.4 to 1.43 is +2.1 %: the two releases do not fit (conflict 22 of the dossier).

    >>> base = {"release_note": "", "release_key": ""}
    >>> sizes = pd.DataFrame([
    ...     {**base, "year": 2020, "value": 1.4, "source_id": "silicon",
    ...      "page_date": "2023-07", "release_label": "Silicon.fr (2023-07)"},
    ...     {**base, "year": 2021, "value": 1.43, "source_id": "lmi",
    ...      "page_date": "2022-05", "release_label": "LMI (c. 2022-05)"}])
    >>> growth = pd.DataFrame([{**base, "year": 2021, "value": 35.0, "source_id": "lmi",
    ...     "page_date": "2022-05", "release_label": "LMI (c. 2022-05)"}])
    >>> row = growth_checks(sizes, growth).iloc[0]
    >>> round(float(row["implied_pct"]), 1), bool(row["fits"]), bool(row["is_same_release"])
    (2.1, False, False)
    """
    columns = [
        "year",
        "published_pct",
        "start_value",
        "end_value",
        "implied_pct",
        "is_same_release",
        "fits",
        "growth_release",
        "start_release",
        "end_release",
        "source_ids",
    ]
    records = []
    by_year = {int(y): g.to_dict("records") for y, g in sizes.groupby("year")}
    for (year, _), same in growth.groupby(["year", "value"], sort=True):
        # one check per published figure; several pages giving it are one row
        rate = same.iloc[0].to_dict()
        year = int(year)
        if year not in by_year or year - 1 not in by_year:
            continue
        ends = [r for r in by_year[year] if same_release(rate, r)] or by_year[year]
        end = ends[0]
        starts = [r for r in by_year[year - 1] if same_release(end, r)] or by_year[year - 1]
        start = starts[0]
        implied = (end["value"] / start["value"] - 1) * 100
        lowest = (
            (end["value"] - _half_unit(end["value"]))
            / (start["value"] + _half_unit(start["value"]))
            - 1
        ) * 100
        highest = (
            (end["value"] + _half_unit(end["value"]))
            / (start["value"] - _half_unit(start["value"]))
            - 1
        ) * 100
        half = _half_unit(rate["value"])
        records.append(
            {
                "year": year,
                "published_pct": float(rate["value"]),
                "start_value": float(start["value"]),
                "end_value": float(end["value"]),
                "implied_pct": implied,
                "is_same_release": same_release(rate, end) and same_release(end, start),
                "fits": rate["value"] + half >= lowest and rate["value"] - half <= highest,
                "growth_release": "; ".join(dict.fromkeys(same["release_label"].astype(str))),
                "start_release": str(start["release_label"]),
                "end_release": str(end["release_label"]),
                "source_ids": tuple(
                    dict.fromkeys([*same["source_id"], start["source_id"], end["source_id"]])
                ),
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)


# --------------------------------------------------------------------------- scale


def scale_against_market(
    revenue_eur_m: float | Sequence[float] | np.ndarray,
    market_size_eur_bn: float | Sequence[float] | np.ndarray,
) -> float | np.ndarray:
    """A company's revenue as a percentage of a market's size.

    Parameters
    ----------
    revenue_eur_m : revenue in millions of euros (>= 0).
    market_size_eur_bn : market size in billions of euros (> 0), same year.

    Returns
    -------
    float or ndarray : percent of the market (``revenue / (size * 1000) * 100``); NaN where
        the revenue is negative or missing or the market size is not positive.

    Examples
    --------
    2 M EUR against a 2 bn EUR market is 0.1 %:

    >>> scale_against_market(2.0, 2.0)
    0.1
    >>> scale_against_market([2.0, 1.0], [0.0, 16.0]).round(5).tolist()
    [nan, 0.00625]
    """
    revenue = np.asarray(revenue_eur_m, dtype=float)
    size = np.asarray(market_size_eur_bn, dtype=float)
    valid = (revenue >= 0) & (size > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(valid, revenue / size / 10.0, np.nan)
    return float(pct) if pct.ndim == 0 else pct


@dataclass(frozen=True)
class FxAssumption:
    """A named exchange-rate assumption for converting USD market sizes to euros.

    ``eur_per_usd`` is euros per US dollar: one rate for every year, or one rate per year.
    The ``name`` is printed beside every converted figure (e.g. ``"ECB annual average"``).

    >>> FxAssumption("flat 0.90", 0.9).rate_for(2021)
    0.9
    """

    name: str
    eur_per_usd: float | Mapping[int, float]

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise MarketInputError("an exchange-rate assumption needs a name shown to readers")
        rates = (
            self.eur_per_usd.values()
            if isinstance(self.eur_per_usd, Mapping)
            else [self.eur_per_usd]
        )
        if any(not (float(r) > 0 and math.isfinite(float(r))) for r in rates):
            raise MarketInputError(f"exchange rates must be positive numbers ({self.name})")

    def rate_for(self, year: int) -> float:
        """Euros per US dollar in ``year``."""
        if not isinstance(self.eur_per_usd, Mapping):
            return float(self.eur_per_usd)
        if int(year) not in self.eur_per_usd:
            raise MarketInputError(f"exchange-rate assumption {self.name!r} has no rate for {year}")
        return float(self.eur_per_usd[int(year)])


def _revenue_view(revenues: pd.DataFrame) -> pd.DataFrame:
    cols = [f"revenue_{end}_eur_m" for end in RANGE_COLUMNS]
    out = revenues.copy()
    if not set(cols) <= set(out.columns):
        if "revenue_eur_m" not in out.columns:
            raise MarketInputError(
                "revenues need revenue_low/central/high_eur_m or revenue_eur_m columns"
            )
        for col in cols:
            out[col] = out["revenue_eur_m"].astype(float)
    if out.duplicated(["company_id", "year"]).any():
        raise MarketInputError("revenues have several rows per company and year; reduce first")
    return out[["company_id", "year", *cols]]


def scale_table(
    revenues: pd.DataFrame,
    series: pd.DataFrame,
    *,
    fx: FxAssumption | None = None,
) -> pd.DataFrame:
    """Each company's revenue as a percentage of one market, year by year.

    Parameters
    ----------
    revenues : ``company_id``, ``year`` and either ``revenue_low_eur_m``,
        ``revenue_central_eur_m``, ``revenue_high_eur_m`` or ``revenue_eur_m`` (millions of
        euros). The year is matched as written: say elsewhere whether it is fiscal.
    series : one market's yearly sizes from :func:`size_series` (``market_id``, ``metric``,
        ``year``, ``low``, ``central``, ``high``). The metric must be ``size_eur_bn``, or
        ``size_usd_bn`` together with ``fx``.
    fx : named exchange-rate assumption; required for a USD market, never applied silently.

    Returns
    -------
    DataFrame : one row per company and year of ``revenues`` with ``market_id``, the revenue
        range, ``market_size_{low,central,high}_eur_bn`` (NaN when the market has no figure
        that year), ``share_of_market_{low,central,high}_pct`` (low = low revenue / high
        market size, high = high revenue / low market size) and ``fx_assumption`` (the
        assumption's name, or empty).

    Examples
    --------
    >>> rev = pd.DataFrame({"company_id": ["numergy"], "year": [2021], "revenue_eur_m": [6.0]})
    >>> mkt = pd.DataFrame({"market_id": ["fr"], "metric": ["size_eur_bn"], "year": [2021],
    ...                     "low": [1.4], "central": [1.5], "high": [2.0]})
    >>> scale_table(rev, mkt)["share_of_market_central_pct"].round(3).tolist()
    [0.4]
    """
    markets = series["market_id"].unique() if "market_id" in series.columns else ["?"]
    metrics = series["metric"].unique() if "metric" in series.columns else []
    if len(markets) != 1 or len(metrics) != 1:
        raise MarketInputError(
            "series must hold one market and one metric (use size_series for one market)"
        )
    market_id, metric = str(markets[0]), str(metrics[0])
    view = range_view(series)
    if view["year"].duplicated().any():
        raise MarketInputError("series has several rows per year; reduce it with size_series")
    if metric == "size_usd_bn":
        if fx is None:
            raise MarketInputError(
                f"market {market_id!r} is in USD (size_usd_bn) and revenues are in EUR; pass "
                f"fx=FxAssumption(name, eur_per_usd) to convert, named for the reader"
            )
        rates = view["year"].map(fx.rate_for).astype(float)
        for col in RANGE_COLUMNS:
            view[col] = view[col] * rates
        fx_name = fx.name
    elif metric == "size_eur_bn":
        fx_name = ""
    else:
        raise MarketInputError(
            f"market {market_id!r} metric {metric!r} is not a size in EUR or USD billions"
        )
    sizes = view[["year", *RANGE_COLUMNS]].rename(
        columns={col: f"market_size_{col}_eur_bn" for col in RANGE_COLUMNS}
    )
    out = _revenue_view(revenues).merge(sizes, on="year", how="left", validate="many_to_one")
    out.insert(2, "market_id", market_id)
    out["share_of_market_low_pct"] = scale_against_market(
        out["revenue_low_eur_m"], out["market_size_high_eur_bn"]
    )
    out["share_of_market_central_pct"] = scale_against_market(
        out["revenue_central_eur_m"], out["market_size_central_eur_bn"]
    )
    out["share_of_market_high_pct"] = scale_against_market(
        out["revenue_high_eur_m"], out["market_size_low_eur_bn"]
    )
    out["fx_assumption"] = fx_name
    return out.sort_values(["company_id", "year"], kind="stable").reset_index(drop=True)
