"""How far the companies got from their plans, and what each euro of revenue cost.

Pure functions of a loaded :class:`~analysis.io.Dataset`. Revenue is reported by many sources
that disagree (Numergy's 2014 revenue: 2, 5 or 6 M EUR), so each year is an estimate:

- the range (``low`` to ``high``) covers every sourced figure for the year: actual figures,
  forecasts made during the year and figures whose year is inferred;
- the ``central`` value uses the project's ``span`` rule (:mod:`analysis.evidence`) on the
  actual figures whose year the source states, or on all figures when there are none (a
  year known only from a forecast is flagged ``is_forecast``; one whose every figure has an
  inferred or approximate year, ``is_year_uncertain``).

A year's revenue uses the figures for that year only. A figure the sources give for several
years together (Cloudwatt's "6 M EUR after two years of activity", 2012-2014 with the years
inferred) is never added to a year: it is another observation of the cumulative revenue of
those years (:func:`cumulative_revenue`).

OVHcloud's fiscal year ends on 31 August (FY2021 = September 2020 to August 2021); some
press figures for OVH are calendar years: ``year_basis`` says which.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import evidence
from analysis.investment import COMPANIES, LAST_ACCOUNTS_YEAR, cumulative_losses
from analysis.io import Dataset

__all__ = [
    "COMPARATOR",
    "attainment",
    "cost_per_revenue",
    "cumulative_revenue",
    "cumulative_revenue_observations",
    "plan_targets",
    "revenue_by_year",
]

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
    ``source_ids``, ``high_source_ids`` (the sources of the highest figure).
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
    return pd.DataFrame.from_records(records, columns=_COLUMNS)


def plan_targets(dataset: Dataset) -> pd.DataFrame:
    """Revenue targets of the plans, EUR m: one row per company and target figure.

    Each distinct figure is shown once, with every statement of it: Numergy's 400 M EUR is
    the launch target "by 2016" or "in 2017" (two sources) and was kept in the revised plan
    with no deadline ("not necessarily by 2020"). ``plan`` is the data's ``plan`` column
    (``launch``, ``revised`` or ``launch, revised``). Columns: ``company_id``, ``plan``,
    ``target_eur_m``, ``target_years`` (tuple of int, empty when no source gives a year),
    ``target_year_text``, ``statements`` (each plan with its year or, without one, the
    period as published), ``note`` (the data's notes), ``source_ids``.
    """
    targets = dataset.plan_targets
    rows = targets.loc[
        targets["company_id"].isin(COMPANIES) & (targets["metric"] == "revenue_eur_m")
    ]
    order = {"launch": 0, "revised": 1}
    records = []
    for (cid, value), group in rows.groupby(["company_id", "value"], sort=True):
        statements, plans = [], []
        for plan_name in sorted(set(group["plan"]), key=lambda p: order.get(p, 9)):
            part = group.loc[group["plan"] == plan_name]
            years = sorted(int(y) for y in part["target_year"].dropna().unique())
            if years:
                when = " or ".join(map(str, years))
            else:
                said = "; ".join(dict.fromkeys(part["target_year_as_published"]))
                when = f"no year given ('{said}')"
            statements.append(f"{plan_name} plan, {when}")
            plans.append(plan_name)
        years = tuple(sorted(int(y) for y in group["target_year"].dropna().unique()))
        records.append(
            (
                cid,
                ", ".join(plans),
                float(value),
                years,
                " or ".join(map(str, years)) if years else "no year given",
                "; ".join(statements),
                "; ".join(dict.fromkeys(group["note"].dropna())),
                tuple(dict.fromkeys(group["source_id"])),
            )
        )
    out = pd.DataFrame.from_records(
        records,
        columns=[
            "company_id",
            "plan",
            "target_eur_m",
            "target_years",
            "target_year_text",
            "statements",
            "note",
            "source_ids",
        ],
    )
    first_plan = out["plan"].str.split(", ").str[0].map(order)
    return (
        out.assign(_order=first_plan)
        .sort_values(["company_id", "_order", "target_eur_m"], ascending=[True, True, False])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def attainment(
    revenue: pd.DataFrame, targets: pd.DataFrame, year: int = LAST_ACCOUNTS_YEAR
) -> pd.DataFrame:
    """Revenue of ``year`` as a percentage of each plan target (low, central, high).

    ``year`` defaults to 2014, the last full year either company reported: Cloudwatt was
    absorbed by Orange in 2015 and Numergy by SFR in 2016, before their target years.
    Columns: the target's columns, then ``revenue_year``, ``revenue_low`` /
    ``revenue_central`` / ``revenue_high`` (EUR m), ``attainment_low_pct`` /
    ``attainment_central_pct`` / ``attainment_high_pct``, ``source_ids`` (revenue and
    target sources).

    >>> rev = pd.DataFrame({"company_id": ["a"], "fiscal_year": [2014], "low": [1.0],
    ...     "central": [2.0], "high": [3.0], "source_ids": [("s1",)]})
    >>> tgt = pd.DataFrame({"company_id": ["a"], "plan": ["launch"], "target_eur_m": [500.0],
    ...     "target_years": [(2017,)], "target_year_text": ["2017"], "source_ids": [("s2",)]})
    >>> attainment(rev, tgt)[["attainment_low_pct", "attainment_central_pct"]].iloc[0].tolist()
    [0.2, 0.4]
    """
    year_rows = revenue.loc[revenue["fiscal_year"] == year].set_index("company_id")
    out = targets.loc[targets["company_id"].isin(year_rows.index)].copy()
    found = year_rows.loc[out["company_id"]]
    out["revenue_year"] = year
    for k in ("low", "central", "high"):
        out[f"revenue_{k}"] = found[k].to_numpy()
        out[f"attainment_{k}_pct"] = found[k].to_numpy() / out["target_eur_m"].to_numpy() * 100.0
    out["source_ids"] = [
        tuple(dict.fromkeys((*a, *b)))
        for a, b in zip(found["source_ids"], out["source_ids"], strict=True)
    ]
    return out.reset_index(drop=True)


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


def _ratio(num: dict, den: dict) -> tuple[float, float, float]:
    def div(a: float, b: float) -> float:
        return a / b if b > 0 else math.nan

    return (
        div(num["low"], den["high"]),
        div(num["central"], den["central"]),
        div(num["high"], den["low"]),
    )


def cost_per_revenue(dataset: Dataset, revenue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net losses per euro of revenue (EUR lost per EUR earned), with ranges.

    Cloudwatt and Numergy: cumulative losses 2012-2014 / cumulative revenue 2012-2014
    (:func:`cumulative_revenue`: the yearly figures summed, and any figure for the three years
    together as another observation of the total).
    OVHcloud: summed net results / summed revenue over the fiscal years for which the data
    hold both (FY2020 and FY2021; earlier OVH results are not in the data). ``low`` pairs
    the lowest loss with the highest revenue. Columns: ``company_id``, ``period``,
    ``losses_low`` / ``_central`` / ``_high`` (EUR m), ``revenue_low`` / ``_central`` /
    ``_high`` (EUR m), ``cost_low`` / ``_central`` / ``_high`` (EUR per EUR of revenue),
    ``note``, ``source_ids``.
    """
    revenue = revenue_by_year(dataset) if revenue is None else revenue
    losses = cumulative_losses(dataset)
    totals = cumulative_revenue_observations(dataset)
    records = []
    for cid in COMPANIES:
        lost = losses.loc[(losses["company_id"] == cid) & (losses["period"] == "2012-2014")]
        if lost.empty:
            continue
        lost_row = lost.iloc[0].to_dict()
        rev = cumulative_revenue(revenue, cid, totals=totals)
        note = rev["assumption"]
        if rev["direct"]:
            publishers = dataset.sources.set_index("source_id")["publisher"]
            note += (
                " ("
                + ", ".join(
                    dict.fromkeys(
                        str(publishers.get(d["source_id"], d["source_id"])) for d in rev["direct"]
                    )
                )
                + ")"
            )
        records.append(_cost_record(cid, "2012-2014", lost_row, rev, note, lost_row["source_ids"]))
    fin = dataset.financials
    results = fin.loc[(fin["company_id"] == COMPARATOR) & (fin["metric"] == "net_result_eur_m")]
    ovh_rev = revenue.loc[revenue["company_id"] == COMPARATOR].set_index("fiscal_year")
    years = sorted(
        int(y) for y in results["fiscal_year"].dropna().unique() if int(y) in ovh_rev.index
    )
    if years:
        per_year = [
            evidence.estimate_frame(results.loc[results["fiscal_year"] == y]) for y in years
        ]
        lost_row = {
            "low": -sum(e.high for e in per_year),
            "central": -sum(e.central for e in per_year),
            "high": -sum(e.low for e in per_year),
        }
        chosen = ovh_rev.loc[years]
        rev = {k: float(chosen[k].sum()) for k in ("low", "central", "high")}
        rev["source_ids"] = tuple(i for ids in chosen["source_ids"] for i in ids)
        period = f"FY{years[0]}-FY{years[-1]}" if len(years) > 1 else f"FY{years[0]}"
        note = (
            f"fiscal years to 31 August; the only years with a net result in the data "
            f"({', '.join(f'FY{y}' for y in years)})"
        )
        ids = tuple(dict.fromkeys(i for e in per_year for i in e.source_ids))
        records.append(_cost_record(COMPARATOR, period, lost_row, rev, note, ids))
    return pd.DataFrame(records)


def _cost_record(
    cid: str, period: str, lost: dict, rev: dict, note: str, loss_ids: tuple[str, ...]
) -> dict:
    low, central, high = _ratio(lost, rev)
    return {
        "company_id": cid,
        "period": period,
        "losses_low": lost["low"],
        "losses_central": lost["central"],
        "losses_high": lost["high"],
        "revenue_low": rev["low"],
        "revenue_central": rev["central"],
        "revenue_high": rev["high"],
        "cost_low": low,
        "cost_central": central,
        "cost_high": high,
        "note": note,
        "source_ids": tuple(dict.fromkeys((*loss_ids, *rev["source_ids"]))),
    }
