"""The answers of one run, read off its context: the facts the overview, the answer and the
key numbers quote (:class:`Facts`, :func:`summary_facts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis.market.change import european_change
from analysis.market.facts import big3_share, latest_concentration
from analysis.market.growth import latest_published_growth, quoted_series, series_growth
from analysis.market.scale import revenue_scope_text, scale_frame
from analysis.market.window import not_forecast
from analysis.report.market.context import MarketContext

__all__ = ["Facts", "end_notes", "summary_facts"]


@dataclass(frozen=True)
class Facts:
    """The answers the overview and the key numbers quote (None where the data has none).

    ``big3``/``big3_first``: latest and first rows of :func:`analysis.market.facts.big3_share`;
    ``european``: European providers' change (:func:`analysis.market.facts.release_change`
    when one provider figure stands for the origin at both ends, else
    :func:`analysis.market.facts.origin_change`) and ``european_releases`` the same figures
    release by release; ``conc``: :func:`analysis.market.facts.latest_concentration`;
    ``cagr``: the growth of the series ``cagr_market`` (within one release where the data
    allows, see :func:`growth_rows`) and ``cagr_note`` its bounds and forecasts in words;
    ``scale``: OVHcloud's row of :func:`scale_frame` (a market that can contain the revenue
    compared), and ``scale_note`` what it compares (or why there is none); ``growth``: the
    latest growth rate the analyst published for ``cagr_market``
    (:func:`latest_published_growth`), a figure of one release by construction, which the
    report quotes before ``cagr`` (a rate that may mix releases or rest on a bound).
    """

    big3: pd.Series | None
    big3_first: pd.Series | None
    european: pd.Series | None
    european_releases: pd.DataFrame
    conc: pd.Series | None
    cagr: pd.Series | None
    cagr_market: str | None
    cagr_note: str
    scale: pd.Series | None
    scale_note: str
    growth: pd.Series | None = None


def end_notes(series: pd.DataFrame, years: Iterable[int]) -> str:
    """``'the 2020 figure is a forecast and only a lower bound'`` for the ends of a rate."""
    parts = []
    for year in years:
        row = series.loc[series["year"] == year].iloc[0]
        what = ["a forecast"] if bool(row["is_forecast"]) else []
        if bool(row["open_high"]) and not bool(row["open_low"]):
            what.append("only a lower bound")
        elif bool(row["open_low"]) and not bool(row["open_high"]):
            what.append("only an upper bound")
        if what:
            parts.append(f"the {int(year)} figure is {' and '.join(what)}")
    return "; ".join(parts)


def summary_facts(ctx: MarketContext) -> Facts:
    """Read the run's answers off its context (see :class:`Facts`)."""
    big3 = big3_first = european = conc = None
    releases = pd.DataFrame()
    if ctx.ref is not None:
        b3 = big3_share(ctx.table, ctx.ds.group_members)
        if not b3.empty:
            big3, big3_first = b3.iloc[-1], b3.iloc[0]
        european, releases = european_change(ctx)
        conc = latest_concentration(ctx.conc)
    cagr_market, series = quoted_series(ctx)
    cagr, cagr_note = None, ""
    if cagr_market is not None and ctx.params.start_year < ctx.params.end_year:
        cagr = series_growth(ctx, cagr_market, series)
        if not cagr["reason"]:
            first, last = int(cagr["start_year"]), int(cagr["end_year"])
            parts = [cagr["bound"], end_notes(series, [first, last])]
            if not cagr["is_same_release"]:
                parts.append("the two ends come from different releases")
            cagr_note = "; ".join(p for p in parts if p)
    scale, scale_note = None, ""
    frame, _, refused = scale_frame(ctx, ctx.ds.financials, ["ovhcloud"])
    if not frame.empty:
        rows = frame.sort_values(["market_size_central_eur_bn"], ascending=False, kind="stable")
        actual = rows.loc[~rows["market_is_forecast"]]
        pick = actual if len(actual) else rows
        scale = pick.sort_values("year", kind="stable").iloc[-1]
        scale_note = (
            f"OVHcloud's revenue of fiscal {int(scale['year'])} "
            f"({revenue_scope_text(str(scale['company_id']))}) against the "
            f"{ctx.series(str(scale['market_id']))} of {int(scale['year'])}"
        )
    elif ctx.params.market == "worldwide" and not _has_eur_sizes(ctx):
        scale_note = "worldwide series are in USD and no exchange-rate assumption is made"
    elif len(refused):
        scale_note = (
            "OVHcloud's revenue (all countries; cloud, web hosting and domains) is "
            + " and ".join(dict.fromkeys(refused["reason"]))
            + f", so no {ctx.geo} series of the same year can contain it"
        )
    else:
        scale_note = "no OVHcloud revenue and EUR market size for the same year in the window"
    growth = None
    if cagr_market is not None:
        growth = latest_published_growth(ctx.sizes, cagr_market)
    return Facts(
        big3,
        big3_first,
        european,
        releases,
        conc,
        cagr,
        cagr_market,
        cagr_note,
        scale,
        scale_note,
        growth,
    )


def _has_eur_sizes(ctx: MarketContext) -> bool:
    return bool(
        (
            (ctx.sizes["metric"] == "size_eur_bn")
            & (ctx.sizes["period_type"] == "year")
            & not_forecast(ctx.sizes)
        ).any()
    )
