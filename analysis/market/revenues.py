"""Company revenues as a market report sets them against the market: annual estimates with
their range (forecasts and figures whose year the sources do not state left out), and the
growth rates the sources publish by provider.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.core.evidence import estimate_by

__all__ = ["published_growth", "revenue_estimates"]


def revenue_estimates(
    financials: pd.DataFrame,
    company_ids: Iterable[str],
    start_year: int,
    end_year: int,
    *,
    metric: str = "revenue_eur_m",
) -> tuple[pd.DataFrame, int]:
    """Yearly revenue ranges of some companies, for comparing with a market year by year.

    Forecasts are left out, and so are figures whose year the dossier infers (``is_period
    _inferred``): a year-by-year comparison needs the year. Every other figure of a year
    enters its range (rule ``span`` of :mod:`analysis.core.evidence`).

    Returns
    -------
    (DataFrame, int) : ``company_id``, ``year`` (fiscal year as in the data),
        ``revenue_low_eur_m``, ``revenue_central_eur_m``, ``revenue_high_eur_m``,
        ``open_low``, ``open_high``, ``n_observations``, ``source_ids``; and the number of
        figures left out because their year is inferred.

    >>> fin = pd.DataFrame({"company_id": "numergy", "metric": "revenue_eur_m",
    ...     "fiscal_year": [2014, 2014, 2014], "value": [2.0, 6.0, 6.0], "bound": "point",
    ...     "is_forecast": [False, False, True], "is_period_inferred": [False, True, False],
    ...     "source_id": ["a", "b", "c"]})
    >>> rev, dropped = revenue_estimates(fin, ["numergy"], 2012, 2025)
    >>> rev["revenue_central_eur_m"].tolist(), dropped
    ([2.0], 1)
    """
    ids = list(company_ids)
    rows = financials.loc[
        financials["company_id"].isin(ids)
        & (financials["metric"] == metric)
        & financials["fiscal_year"].notna()
    ]
    rows = rows.loc[rows["fiscal_year"].astype(int).between(start_year, end_year)]
    rows = rows.loc[~rows["is_forecast"].fillna(False).astype(bool)]
    inferred = rows["is_period_inferred"].fillna(False).astype(bool)
    kept = rows.loc[~inferred].assign(year=lambda f: f["fiscal_year"].astype(int))
    columns = [
        "company_id",
        "year",
        "revenue_low_eur_m",
        "revenue_central_eur_m",
        "revenue_high_eur_m",
        "open_low",
        "open_high",
        "n_observations",
        "source_ids",
    ]
    if kept.empty:
        return pd.DataFrame(columns=columns), int(inferred.sum())
    out = estimate_by(kept, ["company_id", "year"]).rename(
        columns={
            "low": "revenue_low_eur_m",
            "central": "revenue_central_eur_m",
            "high": "revenue_high_eur_m",
        }
    )
    out["year"] = out["year"].astype(int)
    out["company_id"] = out["company_id"].astype(str)
    return out[columns], int(inferred.sum())


def published_growth(
    financials: pd.DataFrame, market_id: str, start_year: int, end_year: int
) -> pd.DataFrame:
    """Providers' yearly revenue growth in one market, as the sources publish it.

    These rates come with the market's own figures (Markess gives AWS +36 % in France in
    2021 beside the market's +35 %), so they need no market size from another release.

    Returns
    -------
    DataFrame : ``provider_id``, ``year``, ``low``, ``central``, ``high`` (percent a year;
        rule ``span`` of :mod:`analysis.core.evidence`), ``source_ids``; sorted by year, provider.

    >>> fin = pd.DataFrame({"company_id": ["aws", "aws", "other_providers"],
    ...     "market_id": ["fr", "w", "fr"], "metric": "revenue_growth_pct",
    ...     "fiscal_year": [2021, 2021, 2022], "value": [36.0, 30.0, 25.0], "bound": "point",
    ...     "source_id": ["u", "x", "s"]})
    >>> published_growth(fin, "fr", 2012, 2025)[["provider_id", "year", "central"]].values.tolist()
    [['aws', 2021, 36.0], ['other_providers', 2022, 25.0]]
    """
    rows = financials.loc[
        (financials["market_id"] == market_id)
        & (financials["metric"] == "revenue_growth_pct")
        & financials["fiscal_year"].notna()
    ]
    rows = rows.loc[rows["fiscal_year"].astype(int).between(start_year, end_year)]
    columns = ["provider_id", "year", "low", "central", "high", "source_ids"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(provider_id=rows["company_id"], year=rows["fiscal_year"].astype(int))
    out = estimate_by(rows, ["provider_id", "year"])
    out["year"] = out["year"].astype(int)
    return out[columns].sort_values(["year", "provider_id"], kind="stable").reset_index(drop=True)
