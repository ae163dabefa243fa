"""What happened after the buyouts, the provider the State did not back, and the jobs.

Pure functions of a loaded :class:`~analysis.data.io.Dataset` (and of results already computed):
each returns a frame whose every figure carries its ``source_ids``, or a short Markdown
paragraph built from such frames. No figure is typed in here.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.core import evidence
from analysis.data.io import Dataset
from analysis.investment import model as inv
from analysis.report.textsafe import md

__all__ = [
    "after_buyouts",
    "after_buyouts_text",
    "jobs",
    "jobs_text",
    "ovh_text",
    "ovh_trajectory",
]

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


def after_buyouts(dataset: Dataset) -> pd.DataFrame:
    """The dated steps of each company from its buyout to its end, one row per sourced fact.

    Columns: ``company_id``, ``date`` (as the source gives it: a day, a month or a year),
    ``what``, ``source_id``. Sorted by company and date; a buyout the dossier judges wrongly
    dated (a note saying "judged wrong") is left out.
    """
    ev = dataset.events
    rows = ev.loc[ev["entity_id"].isin(inv.COMPANIES) & ev["event_type"].isin(_AFTER_EVENTS)]
    out = pd.DataFrame(
        {
            "company_id": rows["entity_id"].to_numpy(),
            "date": rows["date"].astype(str).to_numpy(),
            "what": rows["label"].to_numpy(),
            "source_id": rows["source_id"].to_numpy(),
        }
    )
    cap = dataset.capital_events
    steps = cap.loc[
        cap["company_id"].isin(inv.COMPANIES)
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
                f"{words[t]} {inv.HOLDER_NAMES.get(i, i)}"
                for t, i in zip(steps["event_type"], steps["investor_id"], strict=True)
            ],
            "source_id": steps["source_id"].to_numpy(),
        }
    )
    both = pd.concat([out, out2], ignore_index=True)
    return both.sort_values(["company_id", "date"], kind="stable").reset_index(drop=True)


def after_buyouts_text(
    steps: pd.DataFrame,
    book_at_exit: Mapping[str, tuple[float, float, float]],
    nil_equity: Mapping[str, str],
) -> str:
    """What the later life of the two companies means for the exit values and the buyers.

    ``book_at_exit`` maps a company id to its book equity at the exit (low, central, high,
    EUR m, all shareholders: :func:`analysis.core.scenarios.book_equity_at_exit` over the corners);
    ``nil_equity`` the companies whose equity an event bounds at nil.
    """
    parts = []
    for cid in inv.COMPANIES:
        mine = steps.loc[steps["company_id"] == cid]
        if mine.empty:
            continue
        dated = "; ".join(
            f"{md(d)}: {md(w)}" for d, w in zip(mine["date"], mine["what"], strict=True)
        )
        low, central, high = book_at_exit.get(cid, (float("nan"),) * 3)
        if cid in nil_equity:
            value = "nil: a safeguard procedure opened before the exit"
        else:
            value = f"{central:,.1f} ({low:,.1f} to {high:,.1f}) M EUR for all shareholders"
        parts.append(f"**{inv.COMPANY_NAMES[cid]}.** {dated}. Book equity at the exit: {value}.")
    parts.append(
        "For the sellers (the State, Thales, Bull/Atos) the exit is the end of the story: "
        "what they received is the undisclosed price, at most a share of the equity above. "
        "For the buyers (Orange, SFR) the stake they kept and the stakes they bought were "
        "worth at most that equity at the exit, a paper value at the sellers' price; both "
        "businesses were later closed or dissolved, so that paper value was never realised, "
        "and what the buyers paid and spent afterwards (the prices, the funding until the "
        "shutdown) is in no source: an explicit unknown."
    )
    return "\n\n".join(parts)


def ovh_trajectory(dataset: Dataset) -> pd.DataFrame:
    """OVHcloud from 2012 to its latest fiscal year: revenue and capital steps, as sourced.

    One row per fact: ``year`` (fiscal year for revenue; calendar year for capital steps),
    ``what``, ``value``, ``unit``, ``bound`` (in words), ``source_ids``. Revenue per year
    uses :func:`analysis.investment.plan.revenue_by_year` (central and range).
    """
    from analysis.investment.plan import revenue_by_year

    rev = revenue_by_year(dataset, ("ovhcloud",))
    rev = rev.loc[rev["fiscal_year"] >= 2012]
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
    cap = dataset.capital_events
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


def ovh_text(trajectory: pd.DataFrame, targets: pd.DataFrame, revenue: pd.DataFrame) -> str:
    """OVHcloud's path beside the two companies' plans and results (Markdown)."""
    rev = trajectory.loc[trajectory["what"] == "revenue"]
    if rev.empty:
        return "No OVHcloud revenue is in the data."
    first, last = rev.iloc[0], rev.iloc[-1]
    steps = trajectory.loc[~trajectory["what"].str.startswith("revenue")]
    listed = "; ".join(f"{int(r['year'])}: {r['what']} {_span(r)}" for _, r in steps.iterrows())
    plans = "; ".join(
        f"{inv.COMPANY_NAMES[r['company_id']]} {r['target_eur_m']:g} M EUR "
        f"({md(r['target_year_text'])})"
        for _, r in targets.loc[targets["target_years"].map(len) > 0].iterrows()
    )
    actual = revenue.loc[
        revenue["company_id"].isin(inv.COMPANIES)
        & (revenue["fiscal_year"] == inv.LAST_ACCOUNTS_YEAR)
    ]
    made = "; ".join(
        f"{inv.COMPANY_NAMES[r['company_id']]} {r['central']:,.1f} M EUR"
        for _, r in actual.iterrows()
    )
    return (
        f"**OVHcloud**, with no State equity in any source, went from {_span(first)} of revenue "
        f"in FY{int(first['year'])} to {_span(last)} in FY{int(last['year'])} (fiscal years "
        f"to 31 August). Its capital steps: {listed}. Beside it, the two State-backed "
        f"companies' launch plans aimed at {plans}; in {inv.LAST_ACCOUNTS_YEAR} they made "
        f"{made}."
    )


def _span(r: pd.Series) -> str:
    unit = r["unit"].replace("EUR m", "M EUR")
    if r["low"] == r["high"]:
        return f"{r['value']:,.1f} {unit}"
    return f"{r['value']:,.1f} ({r['low']:,.1f} to {r['high']:,.1f}) {unit}"


def jobs(dataset: Dataset, losses: pd.DataFrame) -> pd.DataFrame:
    """Headcount against the plans' job targets, and losses per job (EUR m per employee).

    ``losses`` is :func:`analysis.investment.model.cumulative_losses`. One row per company:
    ``target_low_jobs`` / ``target_high_jobs`` (the plan, as a range) and
    ``target_year_text``, ``headcount_{year}_employees`` as estimates of the headcount of the
    last accounts year (``headcount_low`` / ``_central`` / ``_high``), ``attainment_*_pct``,
    the cumulative losses 2012-2014 per job of that year (``losses_per_job_low_eur_m`` /
    ``_central`` / ``_high``; low pairs the lowest loss with the highest headcount), and
    ``source_ids``.
    """
    fin, plans = dataset.financials, dataset.plan_targets
    year = inv.LAST_ACCOUNTS_YEAR
    records = []
    for cid in inv.COMPANIES:
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
                "headcount_low": head.low,
                "headcount_central": head.central,
                "headcount_high": head.high,
                "attainment_low_pct": head.low / target.high * 100.0,
                "attainment_central_pct": head.central / target.central * 100.0,
                "attainment_high_pct": head.high / target.low * 100.0,
                "losses_per_job_low_eur_m": float(loss["low"]) / head.high,
                "losses_per_job_central_eur_m": float(loss["central"]) / head.central,
                "losses_per_job_high_eur_m": float(loss["high"]) / head.low,
                "losses_period": loss["period"],
                "source_ids": inv.source_ids_of(
                    head.source_ids, target.source_ids, loss["source_ids"]
                ),
            }
        )
    return pd.DataFrame(records)


def jobs_text(table: pd.DataFrame) -> str:
    """Headcount against the plan and losses per job, one sentence per company."""
    parts = []
    for _, r in table.iterrows():
        target = (
            f"{r['target_low_jobs']:,.0f}"
            if r["target_low_jobs"] == r["target_high_jobs"]
            else f"{r['target_low_jobs']:,.0f} to {r['target_high_jobs']:,.0f}"
        )
        parts.append(
            f"**{inv.COMPANY_NAMES[r['company_id']]}** had about {r['headcount_central']:,.0f} "
            f"employees in {r['headcount_year']} against {target} jobs in its launch plan "
            f"({md(r['target_year_text'])}): {r['attainment_central_pct']:,.0f} % of it. Its "
            f"losses over {md(r['losses_period'])} come to {r['losses_per_job_central_eur_m']:,.2f}"
            f" M EUR per job of {r['headcount_year']}."
        )
    return " ".join(parts) if parts else "No headcount and job target are in the data."
