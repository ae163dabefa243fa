"""One geography and window of the market: the frames every part of the analysis starts from.

:func:`market_window` filters the geography's series (``markets.csv``), its revenue shares
and sizes in the window (with the release of each figure,
:func:`analysis.market.releases.with_releases`),
picks the *reference series* whose shares are analysed (the one with the most share figures,
:func:`analysis.market.facts.reference_market`), reduces its shares, makes them disjoint and
adds the unnamed rest, groups them by origin, computes its concentration, the milestones of the
State's bet inside the window and every series' annual sizes. It is computed once per run and
passed down: nothing downstream recomputes it.

Frames in, a frozen :class:`MarketWindow` of frames out; no file is read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from analysis.market import facts as mf
from analysis.market.concentration import concentration
from analysis.market.milestones import milestones
from analysis.market.releases import with_releases
from analysis.market.shares import by_origin, disjoint_shares, shares_table, with_other_unknown
from analysis.market.sizes import size_series

__all__ = ["SIZE_METRICS", "MarketWindow", "market_window", "not_forecast", "window_fields"]

#: the annual size metrics a series can have (its own currency, or euros)
SIZE_METRICS = ("size_eur_bn", "size_usd_bn")


def not_forecast(rows: pd.DataFrame) -> pd.Series:
    """A mask of the rows that are actual figures (``is_forecast`` false or missing)."""
    return ~rows["is_forecast"].fillna(False).astype(bool)


@dataclass(frozen=True)
class MarketWindow:
    """The frames of one geography and window.

    ``markets``: the geography's rows of markets.csv; ``shares`` and ``sizes``: its raw
    revenue-share and size rows in the window, with their releases; ``ref``: the reference
    series (None when no share falls in the window); ``table``: its shares reduced
    (``share_low_pct``/``share_central_pct``/``share_high_pct``), disjoint, with the unnamed
    rest; ``origins`` and ``conc``: by origin and concentration; ``milestones``: the milestones
    of the State's bet inside the window; ``annual``: each series' annual sizes by
    ``(market_id, metric)`` (:func:`analysis.market.sizes.size_series`, forecasts only for
    years without an actual figure).
    """

    geography: str
    start_year: int
    end_year: int
    markets: pd.DataFrame
    shares: pd.DataFrame
    sizes: pd.DataFrame
    ref: str | None
    table: pd.DataFrame
    origins: pd.DataFrame
    conc: pd.DataFrame
    milestones: pd.DataFrame
    annual: Mapping[tuple[str, str], pd.DataFrame]

    def size_metric(self, market_id: str) -> str:
        """The size metric of a series in its own currency: ``size_eur_bn`` or ``size_usd_bn``."""
        currency = self.markets.loc[self.markets["market_id"] == market_id, "currency"].iloc[0]
        return f"size_{str(currency).lower()}_bn"

    def annual_sizes(self, market_id: str, metric: str | None = None) -> pd.DataFrame:
        """One series' annual sizes in the window (a copy; empty when it has none)."""
        found = self.annual.get((market_id, metric or self.size_metric(market_id)))
        return pd.DataFrame() if found is None else found.copy()

    def growth_rows(self, market_id: str, metric: str | None = None) -> pd.DataFrame:
        """The raw annual rows behind :meth:`annual_sizes` (one series, one metric), with
        their releases: forecasts only for years without an actual figure."""
        metric = metric or self.size_metric(market_id)
        rows = self.sizes.loc[
            (self.sizes["market_id"] == market_id)
            & (self.sizes["metric"] == metric)
            & (self.sizes["period_type"] == "year")
        ]
        actual = not_forecast(rows)
        actual_years = set(rows.loc[actual, "year"])
        return rows.loc[actual | ~rows["year"].isin(actual_years)]

    def published_rates(self, market_id: str) -> pd.DataFrame:
        """The annual growth rates published for one series (``growth_pct``, no forecast)."""
        s = self.sizes
        return s.loc[
            (s["market_id"] == market_id)
            & (s["metric"] == "growth_pct")
            & (s["period_type"] == "year")
            & not_forecast(s)
        ]


def _annual(sizes: pd.DataFrame, market_ids: list[str]) -> dict[tuple[str, str], pd.DataFrame]:
    out = {}
    for market_id in market_ids:
        for metric in SIZE_METRICS:
            rows = sizes.loc[(sizes["market_id"] == market_id) & (sizes["metric"] == metric)]
            if not rows.empty:
                out[(market_id, metric)] = size_series(
                    rows, market_id, metric, include_forecast=True
                )
    return out


def market_window(
    *,
    markets: pd.DataFrame,
    market_shares: pd.DataFrame,
    market_sizes: pd.DataFrame,
    sources: pd.DataFrame,
    entities: pd.DataFrame,
    group_members: pd.DataFrame,
    events: pd.DataFrame,
    capital_events: pd.DataFrame,
    geography: str,
    start_year: int,
    end_year: int,
) -> MarketWindow:
    """The frames of one geography and window (see :class:`MarketWindow`)."""
    start, end = start_year, end_year
    geo_markets = markets.loc[markets["geography"] == geography].copy()
    ids = list(geo_markets["market_id"])
    shares = market_shares.loc[
        market_shares["market_id"].isin(ids)
        & (market_shares["metric"] == "revenue_share")
        & market_shares["year"].between(start, end)
    ]
    sizes = market_sizes.loc[
        market_sizes["market_id"].isin(ids) & market_sizes["year"].between(start, end)
    ]
    shares, sizes = with_releases(shares, sources), with_releases(sizes, sources)
    ref = mf.reference_market(shares, mf.comparable_markets(geo_markets), start, end)
    table = origins = conc = pd.DataFrame()
    if ref is not None:
        reduced = shares_table(shares, ref)
        table = with_other_unknown(disjoint_shares(reduced, entities, group_members))
        origins = by_origin(reduced, entities, group_members)
        conc = concentration(reduced, entities, group_members, top3_group=mf.BIG3_GROUP)
    ms = milestones(events, capital_events, entities)
    ms = ms.loc[ms["x"].between(start, end + 1)].reset_index(drop=True)
    return MarketWindow(
        geography=geography,
        start_year=start,
        end_year=end,
        markets=geo_markets,
        shares=shares,
        sizes=sizes,
        ref=ref,
        table=table,
        origins=origins,
        conc=conc,
        milestones=ms,
        annual=_annual(sizes, ids),
    )


def window_fields(window: MarketWindow) -> dict[str, Any]:
    """The fields of a window by name (not copied), to build a subclass from it."""
    return {f.name: getattr(window, f.name) for f in fields(MarketWindow)}
