"""The scale of a company against its market: revenue as a percentage of a market size.

A revenue is set only against a market that can contain it (:data:`REVENUE_SCOPES`,
:data:`WHOLE_MARKET_SCOPES`): a series of the whole cloud market whose geography covers where
the revenue is earned. A company's whole revenue against a sub-market would read as a share
it cannot have. USD series are never used (no exchange-rate assumption is made).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from analysis.market.columns import union_source_ids
from analysis.market.facts import revenue_estimates
from analysis.market.sizes import scale_table
from analysis.market.window import MarketWindow

__all__ = [
    "REVENUE_SCOPES",
    "WHOLE_MARKET_SCOPES",
    "Scale",
    "revenue_scope_text",
    "scale_frame",
]

#: what each revenue figure covers: (company, metric) -> (geography, what it sells, words).
#: An assumption of the report, from what the companies sold: Cloudwatt and Numergy sold
#: cloud services in France; OVHcloud's revenue is earned in every country it serves and
#: includes web hosting and domain names besides its private and public cloud.
REVENUE_SCOPES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("cloudwatt", "revenue_eur_m"): ("france", "cloud", "cloud services sold in France"),
    ("numergy", "revenue_eur_m"): ("france", "cloud", "cloud services sold in France"),
    ("ovhcloud", "revenue_eur_m"): (
        "worldwide",
        "cloud and web hosting",
        "all countries; cloud, web hosting and domains",
    ),
    ("ovhcloud", "revenue_france_eur_m"): (
        "france",
        "cloud and web hosting",
        "France only; cloud, web hosting and domains",
    ),
}
#: market scopes (markets.csv) that cover the whole cloud market, so can contain a cloud
#: provider's whole revenue in their geography
WHOLE_MARKET_SCOPES = ("total_cloud", "cloud_incl_hosting", "cloud_services_solutions")
#: geographies a market of each geography contains
_CONTAINS = {
    "france": {"france"},
    "europe": {"france", "europe"},
    "worldwide": {"france", "europe", "worldwide"},
}


def _scale_key(company_id: str, metric: str) -> str:
    return f"{company_id}:france" if metric == "revenue_france_eur_m" else company_id


def _revenue_scopes(companies: Sequence[str]) -> list[tuple[str, str, str, str, str]]:
    """``(key, company, metric, geography, products)`` of every revenue compared."""
    out = []
    for company in companies:
        for (cid, metric), (geo, products, _) in REVENUE_SCOPES.items():
            if cid == company:
                out.append((_scale_key(cid, metric), cid, metric, geo, products))
    return out


def revenue_scope_text(company_key: str) -> str:
    """What a revenue of :func:`scale_frame` covers, in words (empty when unknown)."""
    company, _, part = company_key.partition(":")
    metric = "revenue_france_eur_m" if part == "france" else "revenue_eur_m"
    return REVENUE_SCOPES.get((company, metric), ("", "", ""))[2]


_GEO_NAMES = {"france": "France", "europe": "Europe", "worldwide": "the world"}


def _refusal(geo: str, market: pd.Series) -> str:
    """Why a market cannot contain a revenue of geography ``geo`` (empty when it can)."""
    if geo not in _CONTAINS[str(market["geography"])]:
        return f"earned beyond {_GEO_NAMES[str(market['geography'])]}"
    if str(market["scope"]) not in WHOLE_MARKET_SCOPES:
        return "the series covers only part of the cloud market"
    return ""


class Scale(NamedTuple):
    """What :func:`scale_frame` returns: the comparisons, the revenue figures left out
    because their year is inferred, and the comparisons refused."""

    frame: pd.DataFrame
    dropped: int
    refused: pd.DataFrame


def scale_frame(
    window: MarketWindow, financials: pd.DataFrame, company_ids: Sequence[str]
) -> Scale:
    """Revenue against the EUR size series of the geography that can contain it, year by year.

    A revenue (:data:`REVENUE_SCOPES`) is compared with a series only when the series'
    geography contains where the revenue is earned and its scope is the whole cloud market
    (:data:`WHOLE_MARKET_SCOPES`): a company's whole revenue against a sub-market (public
    IaaS+PaaS, hosted private cloud) would read as a share it cannot have. OVHcloud's
    revenue in France is its own row (``company_id = "ovhcloud:france"``).

    Returns
    -------
    Scale (frame, dropped, refused) : :func:`analysis.market.sizes.scale_table` rows for every
        compatible company, year and series, plus ``market_is_forecast``,
        ``pct_open_low``/``pct_open_high`` (the ratio is only a bound) and ``source_ids``;
        the number of revenue figures left out because their year is inferred; and the
        comparisons refused (``company_id``, ``market_id``, ``years``, ``reason``) for years
        where both figures exist. USD series are never used (no exchange rate).
    """
    start, end = window.start_year, window.end_year
    frames, refused, dropped = [], [], 0
    markets = window.markets.set_index("market_id", drop=False)
    for key, company, metric, geo, _ in _revenue_scopes(company_ids):
        revenues, more = revenue_estimates(financials, [company], start, end, metric=metric)
        dropped += more
        if revenues.empty:
            continue
        revenues = revenues.assign(company_id=key)
        for market_id in window.markets["market_id"]:
            series = window.annual_sizes(market_id, "size_eur_bn")
            if series.empty:
                continue
            years = sorted(set(series["year"]) & set(revenues["year"]))
            if not years:
                continue
            why = _refusal(geo, markets.loc[market_id])
            if why:
                refused.append((key, market_id, tuple(years), why))
                continue
            frames.append(_scale_rows(revenues, series))
    refusals = pd.DataFrame.from_records(
        refused, columns=["company_id", "market_id", "years", "reason"]
    )
    if not frames:
        return Scale(pd.DataFrame(), dropped, refusals)
    return Scale(pd.concat(frames, ignore_index=True), dropped, refusals)


def _scale_rows(revenues: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    out = scale_table(revenues, series)
    out = out.loc[out["market_size_central_eur_bn"].notna()]
    flags = series.set_index("year")
    rev = revenues.set_index(["company_id", "year"])
    keys = list(zip(out["company_id"], out["year"], strict=True))
    return out.assign(
        market_is_forecast=out["year"].map(flags["is_forecast"]).astype(bool),
        pct_open_low=[
            bool(rev.loc[k, "open_low"]) or bool(flags.loc[k[1], "open_high"]) for k in keys
        ],
        pct_open_high=[
            bool(rev.loc[k, "open_high"]) or bool(flags.loc[k[1], "open_low"]) for k in keys
        ],
        source_ids=[
            union_source_ids(rev.loc[k, "source_ids"], flags.loc[k[1], "source_ids"]) for k in keys
        ],
    )
