"""After the buyouts, the provider the State did not back, and the jobs: three sourced frames.

Frames in, frames out: every figure carries its ``source_ids``; nothing is typed in here.
"""

from __future__ import annotations

import pandas as pd

from analysis.core import evidence
from analysis.investment.accounts import COMPANIES, COMPARATOR, LAST_ACCOUNTS_YEAR
from analysis.investment.holdings import HOLDER_NAMES, source_ids_of

__all__ = ["after_buyouts", "jobs", "ovh_trajectory"]

#: events of each company after its launch, in the order a reader follows them
_AFTER_EVENTS = (
    "safeguard_opened",
    "merged",
    "closure_announced",
    "service_end",
    "dissolved",
)
_CAPITAL_STEPS = ("buyout_announced", "buyout_completed", "buyout_price")
_OVH_STEPS = {
    "equity_raised": "private-equity round (KKR and TowerBrook), equity raised",
    "valuation": "valuation",
    "ipo_primary": "IPO: new shares sold",
    "ipo_price": "IPO price (EUR per share)",
    "buyback_offer": "public share buyback offer",
    "buyback_price": "buyback price (EUR per share)",
}


def after_buyouts(events: pd.DataFrame, cap: pd.DataFrame) -> pd.DataFrame:
    """The dated steps of each company from its buyout to its end, one row per sourced fact.

    Columns: ``company_id``, ``date`` (as the source gives it: a day, a month or a year),
    ``what``, ``source_id``. Sorted by company and date; a buyout the dossier judges wrongly
    dated (a note saying "judged wrong") is left out. ``events`` and ``cap`` are the
    ``events`` and ``capital_events`` tables of the data.
    """
    rows = events.loc[
        events["entity_id"].isin(COMPANIES) & events["event_type"].isin(_AFTER_EVENTS)
    ]
    out = pd.DataFrame(
        {
            "company_id": rows["entity_id"].to_numpy(),
            "date": rows["date"].astype(str).to_numpy(),
            "what": rows["label"].to_numpy(),
            "source_id": rows["source_id"].to_numpy(),
        }
    )
    steps = cap.loc[
        cap["company_id"].isin(COMPANIES)
        & cap["event_type"].isin(_CAPITAL_STEPS)
        & ~cap["note"].fillna("").str.contains("judged wrong")
    ]
    words = {
        "buyout_announced": "buyout announced by",
        "buyout_completed": "buyout completed by",
        "buyout_price": "buyout price not disclosed; buyer",
    }
    out2 = pd.DataFrame(
        {
            "company_id": steps["company_id"].to_numpy(),
            "date": steps["period_start"].astype(str).to_numpy(),
            "what": [
                f"{words[t]} {HOLDER_NAMES.get(i, i)}"
                for t, i in zip(steps["event_type"], steps["investor_id"], strict=True)
            ],
            "source_id": steps["source_id"].to_numpy(),
        }
    )
    both = pd.concat([out, out2], ignore_index=True)
    return both.sort_values(["company_id", "date"], kind="stable").reset_index(drop=True)


def ovh_trajectory(revenue: pd.DataFrame, cap: pd.DataFrame) -> pd.DataFrame:
    """OVHcloud from 2012 to its latest fiscal year: revenue and capital steps, as sourced.

    One row per fact: ``year`` (fiscal year for revenue; calendar year for capital steps),
    ``what``, ``value``, ``unit``, ``bound`` (in words), ``source_ids``. Revenue per year
    uses ``revenue``, :func:`analysis.investment.accounts.revenue_by_year` (central and
    range); ``cap`` is the ``capital_events`` table of the data.
    """
    rev = revenue.loc[(revenue["company_id"] == COMPARATOR) & (revenue["fiscal_year"] >= 2012)]
    rows = [
        {
            "year": int(r["fiscal_year"]),
            "what": "revenue" + (" (forecast)" if r["is_forecast"] else ""),
            "value": float(r["central"]),
            "low": float(r["low"]),
            "high": float(r["high"]),
            "unit": "EUR m",
            "source_ids": tuple(r["source_ids"]),
        }
        for _, r in rev.iterrows()
    ]
    steps = cap.loc[(cap["company_id"] == "ovhcloud") & cap["event_type"].isin(list(_OVH_STEPS))]
    for kind, group in steps.groupby("event_type", sort=False):
        for year, same in group.groupby(group["period_start"].astype(str).str[:4]):
            col = "price_eur_per_share" if kind.endswith("_price") else "amount_eur_m"
            est = evidence.estimate_frame(same, value_col=col)
            rows.append(
                {
                    "year": int(year),
                    "what": _OVH_STEPS[kind],
                    "value": est.central,
                    "low": est.low,
                    "high": est.high,
                    "unit": "EUR per share" if kind.endswith("_price") else "EUR m",
                    "source_ids": est.source_ids,
                }
            )
    out = pd.DataFrame(rows)
    return out.sort_values(["year", "what"], kind="stable").reset_index(drop=True)


def jobs(fin: pd.DataFrame, plans: pd.DataFrame, losses: pd.DataFrame) -> pd.DataFrame:
    """Headcount against the plans' job targets, and losses per job (EUR m per employee).

    ``fin`` and ``plans`` are the ``financials`` and ``plan_targets`` tables of the data,
    ``losses`` is :func:`analysis.investment.accounts.cumulative_losses`. One row per company:
    ``target_low_jobs`` / ``target_high_jobs`` (the plan, as a range) and
    ``target_year_text``, ``headcount_{year}_employees`` as estimates of the headcount of the
    last accounts year (``headcount_{low,central,high}_employees``), ``attainment_*_pct``,
    the cumulative losses 2012-2014 per job of that year (``losses_per_job_low_eur_m`` /
    ``_central`` / ``_high``; low pairs the lowest loss with the highest headcount), and
    ``source_ids``.
    """
    year = LAST_ACCOUNTS_YEAR
    records = []
    for cid in COMPANIES:
        heads = fin.loc[
            (fin["company_id"] == cid)
            & (fin["metric"] == "headcount_employees")
            & (fin["fiscal_year"] == year)
        ]
        goal = plans.loc[(plans["company_id"] == cid) & (plans["metric"] == "headcount_employees")]
        lost = losses.loc[(losses["company_id"] == cid) & (losses["period_end_year"] == year)]
        if heads.empty or goal.empty or lost.empty:
            continue
        head = evidence.estimate_frame(heads)
        target = evidence.estimate_frame(goal)
        loss = lost.iloc[0]
        years = sorted({str(y) for y in goal["target_year_as_published"]})
        records.append(
            {
                "company_id": cid,
                "target_low_jobs": target.low,
                "target_high_jobs": target.high,
                "target_year_text": "; ".join(years),
                "headcount_year": year,
                "headcount_low_employees": head.low,
                "headcount_central_employees": head.central,
                "headcount_high_employees": head.high,
                "attainment_low_pct": head.low / target.high * 100.0,
                "attainment_central_pct": head.central / target.central * 100.0,
                "attainment_high_pct": head.high / target.low * 100.0,
                "losses_per_job_low_eur_m": float(loss["low"]) / head.high,
                "losses_per_job_central_eur_m": float(loss["central"]) / head.central,
                "losses_per_job_high_eur_m": float(loss["high"]) / head.low,
                "losses_period": loss["period"],
                "source_ids": source_ids_of(head.source_ids, target.source_ids, loss["source_ids"]),
            }
        )
    return pd.DataFrame(records)
