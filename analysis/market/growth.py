"""Growth of a market series over the window, within one release where the data allows.

Analysts revise their past figures from one release to the next, so a growth rate between
two sizes means something only when both come from one release: :func:`series_growth` takes
the widest pair of one release (:func:`analysis.market.releases.release_pairs`) and falls back on
the first and last years of the window, marking the rate as mixing releases.
:func:`quoted_series` picks the series whose growth a report quotes and
:func:`latest_published_growth` the latest rate an analyst published (one release by
construction).
"""

from __future__ import annotations

import pandas as pd

from analysis.market.columns import union_source_ids
from analysis.market.facts import comparable_markets
from analysis.market.releases import release_pairs
from analysis.market.sizes import cagr_over_window
from analysis.market.window import MarketWindow, not_forecast

__all__ = [
    "GROWTH_PERIODS",
    "bound_word",
    "latest_published_growth",
    "quoted_series",
    "series_growth",
]


def quoted_series(window: MarketWindow) -> tuple[str | None, pd.DataFrame]:
    """The size series whose growth the report quotes: the reference series if it has two
    annual figures in the window, else the series with the most annual figures."""
    counts = []
    for market_id in comparable_markets(window.markets):
        series = window.annual_sizes(market_id)
        if len(series) >= 2:
            counts.append((market_id != window.ref, -len(series), market_id, series))
    if not counts:
        return None, pd.DataFrame()
    _, _, market_id, series = sorted(counts, key=lambda c: c[:3])[0]
    return market_id, series


def bound_word(series: pd.DataFrame, first: int, last: int) -> str:
    """'at most' / 'at least' when an end of a growth rate is only a bound."""
    start = series.loc[series["year"] == first].iloc[0]
    end = series.loc[series["year"] == last].iloc[0]
    upper = bool(start["open_high"]) or bool(end["open_low"])  # start too low / end too high
    lower = bool(start["open_low"]) or bool(end["open_high"])
    if upper and not lower:
        return "at most"
    if lower and not upper:
        return "at least"
    return "about" if upper and lower else ""


def _release_labels(rows: pd.DataFrame, year: int) -> str:
    return "; ".join(dict.fromkeys(rows.loc[rows["year"] == year, "release_label"].astype(str)))


def series_growth(window: MarketWindow, market_id: str, series: pd.DataFrame) -> pd.Series:
    """Growth of one size series over the window, within one release where possible.

    The widest pair of annual sizes published in one release (:func:`release_pairs`; actual
    figures before forecasts) gives the rate; without one, the rate runs between the first
    and last years of the window (:func:`analysis.market.sizes.cagr_over_window`) and
    ``is_same_release`` is False: the two ends come from different releases.

    Returns :func:`analysis.market.sizes.cagr_over_window`'s fields plus ``is_same_release``,
    ``release`` (the release of a same-release pair), ``start_release``, ``end_release``,
    ``bound`` (``at most`` / ``at least`` / ``about`` / empty) and ``source_ids``.
    """
    start, end = window.start_year, window.end_year
    rows = window.growth_rows(market_id)
    pairs = release_pairs(rows)
    if len(pairs):
        pairs = pairs.sort_values("is_forecast", kind="stable")
        best = pairs.iloc[0]
        out = pd.Series(
            {
                "start_year": int(best["start_year"]),
                "end_year": int(best["end_year"]),
                "years": float(best["years"]),
                "start_central": float(best["start_value"]),
                "end_central": float(best["end_value"]),
                "cagr_low_pct": float(best["cagr_pct"]),
                "cagr_central_pct": float(best["cagr_pct"]),
                "cagr_high_pct": float(best["cagr_pct"]),
                "is_from_bound": bool(best["bound"]),
                "reason": "",
                "is_same_release": True,
                "release": str(best["release_label"]),
                "bound": str(best["bound"]),
                "source_ids": tuple(best["source_ids"]),
            },
            name="cagr",
        )
    else:
        out = cagr_over_window(series, start, end)
        out["is_same_release"] = False
        out["release"] = ""
        out["bound"] = ""
        out["source_ids"] = ()
        if not out["reason"]:
            first, last = int(out["start_year"]), int(out["end_year"])
            out["bound"] = bound_word(series, first, last)
            out["source_ids"] = union_source_ids(
                series.loc[series["year"] == first, "source_ids"].iloc[0],
                series.loc[series["year"] == last, "source_ids"].iloc[0],
            )
    ok = not out["reason"]
    out["start_release"] = _release_labels(rows, int(out["start_year"])) if ok else ""
    out["end_release"] = _release_labels(rows, int(out["end_year"])) if ok else ""
    return out


#: period types of a published growth rate, most readable first (a tie on the year goes to it)
GROWTH_PERIODS = ("year", "trailing_4q", "half_year", "quarter")


def latest_published_growth(sizes: pd.DataFrame, market_id: str) -> pd.Series | None:
    """The latest growth rate an analyst published for one series, as published.

    A published rate compares two periods of the same release, so it never mixes releases,
    unlike a rate computed between two sizes published years apart. Forecasts, multi-year
    rates and figures of a year only partly covered are left out; the latest year wins, then
    the longest period (a year before four trailing quarters, a half-year, a quarter).
    Where sources give different figures for the period, the range spans them (central:
    their median).

    Returns
    -------
    Series or None : ``market_id``, ``period``, ``period_type``, ``year``,
        ``growth_low_pct``, ``growth_central_pct``, ``growth_high_pct`` (percent, on the same
        period a year earlier) and
        ``source_ids``; None when the series has no such figure.

    >>> sizes = pd.DataFrame({"market_id": "w", "metric": "growth_pct",
    ...     "period": ["2023", "2025-Q4", "2025-Q4", "2026"],
    ...     "period_type": ["year", "quarter", "quarter", "year"], "year": [2023, 2025, 2025, 2026],
    ...     "value": [19.0, 30.0, 29.0, 25.0], "is_forecast": [False, False, False, True],
    ...     "source_id": ["a", "b", "c", "d"]})
    >>> g = latest_published_growth(sizes, "w")
    >>> g["period"], g["growth_low_pct"], g["growth_central_pct"], g["growth_high_pct"]
    ('2025-Q4', 29.0, 29.5, 30.0)
    >>> g["source_ids"]
    ('b', 'c')
    """
    rows = sizes.loc[
        (sizes["market_id"] == market_id)
        & (sizes["metric"] == "growth_pct")
        & sizes["period_type"].isin(GROWTH_PERIODS)
        & not_forecast(sizes)
    ]
    if rows.empty:
        return None
    rank = rows["period_type"].map({p: i for i, p in enumerate(GROWTH_PERIODS)})
    rows = rows.assign(_rank=rank).sort_values(["year", "_rank"], ascending=[False, True])
    first = rows.iloc[0]
    same = rows.loc[(rows["period"] == first["period"]) & (rows["_rank"] == first["_rank"])]
    values = same["value"].astype(float)
    return pd.Series(
        {
            "market_id": market_id,
            "period": str(first["period"]),
            "period_type": str(first["period_type"]),
            "year": int(first["year"]),
            "growth_low_pct": float(values.min()),
            "growth_central_pct": float(values.median()),
            "growth_high_pct": float(values.max()),
            "source_ids": tuple(dict.fromkeys(same["source_id"].astype(str))),
        },
        name="growth",
    )
