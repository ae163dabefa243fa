"""The two companies' accounts as the sources give them: revenue and cumulative losses by year.

The lowest module of the investment domain: :mod:`analysis.investment.model` (the returns
model) and :mod:`analysis.investment.plan` (revenue against plans) both read these series.
Revenue per company and year follows the evidence rule of :mod:`analysis.core.evidence`: the
range covers every figure; the central is the span estimate of the stated (not forecast, not
inferred-year) figures; a sourced bound on the sum of several companies constrains each one.
"""

from __future__ import annotations

import pandas as pd

from analysis.core import evidence
from analysis.data.io import Dataset

__all__ = [
    "COMPANIES",
    "COMPARATOR",
    "LAST_ACCOUNTS_YEAR",
    "cumulative_losses",
    "cumulative_revenue",
    "cumulative_revenue_observations",
    "revenue_by_year",
]

#: the two companies the State co-founded
COMPANIES = ("cloudwatt", "numergy")
#: the last year with reported accounts (losses, paid-in totals, revenue)
LAST_ACCOUNTS_YEAR = 2014

#: the company shown beside the two, for which no source reports any State equity
COMPARATOR = "ovhcloud"
_COLUMNS = [
    "company_id",
    "fiscal_year",
    "low",
    "central",
    "high",
    "open_low",
    "open_high",
    "n_observations",
    "is_forecast",
    "is_year_uncertain",
    "year_basis",
    "source_ids",
    "high_source_ids",
]


def _year_basis(period_end: pd.Series) -> str:
    fiscal = period_end.fillna("").str.endswith("-08-31")
    if fiscal.all():
        return "fiscal year to 31 August"
    return "calendar year" if not fiscal.any() else "mixed: fiscal (to 31 August) and calendar"


def revenue_by_year(
    dataset: Dataset, companies: tuple[str, ...] = (*COMPANIES, COMPARATOR)
) -> pd.DataFrame:
    """Revenue (EUR m, nominal) per company and year: low, central, high and sources.

    See the module docstring for the rule. Columns: ``company_id``, ``fiscal_year``,
    ``low``, ``central``, ``high``, ``open_low``, ``open_high``, ``n_observations``,
    ``is_forecast`` (every figure of the year is a forecast), ``is_year_uncertain`` (every
    figure's year is inferred or approximate, such as "c. 2018"), ``year_basis``,
    ``source_ids``, ``high_source_ids`` (the sources of the highest figure),
    ``is_sum_constrained`` (the central was moved to respect a sourced bound on a sum of
    companies, :func:`analysis.core.evidence.apply_sum_bounds`, whose sources join ``source_ids``).
    """
    fin = dataset.financials
    rows = fin.loc[
        fin["company_id"].isin(companies)
        & (fin["metric"] == "revenue_eur_m")
        & fin["fiscal_year"].notna()
    ]
    records = []
    for (cid, year), group in rows.groupby(["company_id", "fiscal_year"], sort=True):
        whole = evidence.estimate_frame(group)
        stated = group.loc[~group["is_forecast"] & ~group["is_period_inferred"]]
        central = evidence.estimate_frame(stated).central if len(stated) else whole.central
        records.append(
            (
                cid,
                int(year),
                whole.low,
                central,
                whole.high,
                whole.open_low,
                whole.open_high,
                whole.n_observations,
                bool(group["is_forecast"].all()),
                bool(
                    (
                        group["is_period_inferred"]
                        | group["period_as_published"].fillna("").str.startswith("c.")
                    ).all()
                ),
                _year_basis(group["period_end"]),
                whole.source_ids,
                tuple(dict.fromkeys(group.loc[group["value"] == whole.high, "source_id"])),
            )
        )
    out = pd.DataFrame.from_records(records, columns=_COLUMNS)
    members = dataset.group_members.groupby("group_id")["member_id"].agg(tuple).to_dict()
    sums = fin.loc[
        fin["company_id"].isin(list(members))
        & (fin["metric"] == "revenue_eur_m")
        & fin["fiscal_year"].notna()
    ]
    out = evidence.apply_sum_bounds(out, sums, members)
    out["source_ids"] = [
        tuple(dict.fromkeys((*a, *b)))
        for a, b in zip(out["source_ids"], out.pop("sum_bound_source_ids"), strict=True)
    ]
    return out


def cumulative_losses(dataset: Dataset) -> pd.DataFrame:
    """Cumulative net losses per company and period, as positive amounts (EUR m).

    The data store signed results ("more than 31 M EUR lost" is -31, an upper bound); here
    the sign is flipped and the bound with it (a loss of at least 31). Columns:
    ``company_id``, ``period`` ("2012-2014"), ``period_end_year`` and the estimate columns.
    """
    fin = dataset.financials
    rows = fin.loc[
        fin["company_id"].isin(COMPANIES) & (fin["metric"] == "cumulative_net_result_eur_m")
    ]
    flipped = rows.assign(
        value=-rows["value"],
        bound=rows["bound"].map({"lower": "upper", "upper": "lower"}).fillna(rows["bound"]),
        period=rows["period_start"].astype(str) + "-" + rows["period_end"].astype(str),
    )
    out = evidence.estimate_by(flipped, ["company_id", "period"])
    out["period_end_year"] = out["period"].str[-4:].astype(int)
    return out


def cumulative_revenue_observations(dataset: Dataset) -> pd.DataFrame:
    """Revenue figures the sources give for several years together (EUR m), as stored.

    The rows of ``financials`` with metric ``cumulative_revenue_eur_m`` for the two companies
    (LeMagIT's "under 0.1 M EUR" over 2012-2013; the Wikipedia mirror's 6 M EUR "after two
    years of activity", 2012-2014 with the years inferred).
    """
    fin = dataset.financials
    return fin.loc[
        fin["company_id"].isin(COMPANIES) & (fin["metric"] == "cumulative_revenue_eur_m")
    ].reset_index(drop=True)


def cumulative_revenue(
    revenue: pd.DataFrame,
    company_id: str,
    first: int = 2012,
    last: int = LAST_ACCOUNTS_YEAR,
    *,
    totals: pd.DataFrame | None = None,
) -> dict:
    """Revenue over ``first`` to ``last`` (EUR m): low, central, high, sources.

    The rule:

    - the yearly estimates of ``revenue`` are summed (low with low, central with central,
      high with high); years with no reported revenue count as 0, a named assumption
      (``assumption`` says which years; the two companies were created in September 2012
      and sold their first offers in 2013);
    - a figure of ``totals`` (:func:`cumulative_revenue_observations`) for exactly the same
      years is another observation of the same total, never added to a year: it widens the
      range; it moves the central value only when its years are stated (then the central is
      the ``span`` estimate of the yearly sum and the stated figures), as for a year's
      revenue. ``direct`` lists these figures.

    >>> rev = pd.DataFrame({"company_id": ["a", "a"], "fiscal_year": [2013, 2014],
    ...     "low": [0.1, 1.0], "central": [0.1, 2.0], "high": [0.1, 3.0],
    ...     "source_ids": [("s1",), ("s2",)]})
    >>> wiki = pd.DataFrame({"company_id": ["a"], "period_start": ["2012"],
    ...     "period_end": ["2014"], "value": [6.0], "bound": ["point"],
    ...     "is_period_inferred": [True], "is_forecast": [False], "source_id": ["w"]})
    >>> total = cumulative_revenue(rev, "a", totals=wiki)
    >>> total["low"], total["central"], total["high"], total["source_ids"]
    (1.1, 2.1, 6.0, ('s1', 's2', 'w'))
    """
    rows = revenue.loc[
        (revenue["company_id"] == company_id) & revenue["fiscal_year"].between(first, last)
    ]
    missing = [y for y in range(first, last + 1) if y not in set(rows["fiscal_year"])]
    assumption = (
        "assumption: no revenue reported for " + ", ".join(map(str, missing)) + ", counted as 0"
        if missing
        else "every year reported"
    )
    low, central, high = (float(rows[k].sum()) for k in ("low", "central", "high"))
    ids = [i for group in rows["source_ids"] for i in group]
    direct = []
    if totals is not None and not totals.empty:
        same = totals.loc[
            (totals["company_id"] == company_id)
            & (totals["period_start"].astype(str) == str(first))
            & (totals["period_end"].astype(str) == str(last))
        ]
        direct = same.to_dict("records")
    if direct:
        values = [float(d["value"]) for d in direct]
        low, high = min(low, *values), max(high, *values)
        stated = [d for d in direct if not d["is_period_inferred"] and not d["is_forecast"]]
        if stated:
            central = evidence.estimate(
                [central, *(float(d["value"]) for d in stated)],
                ["point", *(d["bound"] for d in stated)],
            ).central
        ids += [d["source_id"] for d in direct]
        inferred = [d for d in direct if d["is_period_inferred"]]
        if inferred:
            assumption += (
                f"; a figure for {first}-{last} as a whole whose years are inferred "
                f"({', '.join(format(float(d['value']), 'g') for d in inferred)}) is another "
                "observation of the total: it widens the range only"
            )
    return {
        "company_id": company_id,
        "period": f"{first}-{last}",
        "low": low,
        "central": central,
        "high": high,
        "years_missing": tuple(missing),
        "assumption": assumption,
        "direct": tuple(direct),
        "source_ids": tuple(dict.fromkeys(ids)),
    }
