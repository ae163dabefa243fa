"""The scale of a company against its market: revenue as a percentage of a market size.

A revenue is set only against a market that can contain it (:data:`REVENUE_SCOPES`,
:data:`WHOLE_MARKET_SCOPES`): a series of the whole cloud market whose geography covers where
the revenue is earned. A company's whole revenue against a sub-market would read as a share
it cannot have. USD series are never used (no exchange-rate assumption is made).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.market.columns import RANGE_COLUMNS, union_source_ids
from analysis.market.facts import revenue_estimates
from analysis.market.sizes import MarketInputError, range_view
from analysis.market.window import MarketWindow

__all__ = [
    "REVENUE_SCOPES",
    "WHOLE_MARKET_SCOPES",
    "FxAssumption",
    "Scale",
    "revenue_scope_text",
    "scale_against_market",
    "scale_frame",
    "scale_table",
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
    Scale (frame, dropped, refused) : :func:`analysis.market.scale.scale_table` rows for every
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
