"""The data-driven sentences of the later sections: revenue, losses, after the buyouts, jobs.

Each function takes the :class:`~analysis.report.investment.results.InvestmentResults` and
returns a short Markdown string built from its frames; the static prose of these sections
(what a ratio means, what no source gives) lives in the notebook's Markdown cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.investment.accounts import COMPANIES, LAST_ACCOUNTS_YEAR
from analysis.investment.holdings import COMPANY_NAMES, HOLDER_NAMES
from analysis.report.blocks import fmt_number, upper_first
from analysis.report.investment.wording import format_span, publishers, spanner
from analysis.report.textsafe import md

if TYPE_CHECKING:
    from analysis.report.investment.results import InvestmentResults

__all__ = [
    "after_text",
    "caveats_text",
    "cost_text",
    "jobs_text",
    "ovh_text",
    "revenue_text",
]


def _attained(r: pd.Series) -> str:
    return spanner(r)("attainment_{}_pct", 2, "%")


def _revenue_company(rows: pd.DataFrame, name: str, sources: pd.DataFrame) -> list[str]:
    """One company's revenue against each target, on total and on external revenue."""
    total = rows.loc[rows["revenue_basis"] == "total"]
    first = total.iloc[0]
    rev = format_span(
        first["revenue_low_eur_m"],
        first["revenue_central_eur_m"],
        first["revenue_high_eur_m"],
        1,
        "M EUR",
    )
    targets = "; ".join(
        f"{_attained(r)} of the {fmt_number(r['target_eur_m'], 0)} M EUR target "
        f"({md(r['statements'])}; {md(r['comparison'])})"
        for _, r in total.iterrows()
    )
    parts = [
        f"**{name}** made {rev} in {first['revenue_year']} "
        f"({publishers(first['source_ids'][:6], sources)}): {targets}."
    ]
    ext = rows.loc[rows["revenue_basis"] == "external"]
    if not ext.empty:
        e = ext.iloc[0]
        ext_rev = format_span(
            e["revenue_low_eur_m"], e["revenue_central_eur_m"], e["revenue_high_eur_m"], 1, "M EUR"
        )
        reached = "; ".join(
            f"{_attained(r)} of the {fmt_number(r['target_eur_m'], 0)} M EUR target"
            for _, r in ext.iterrows()
        )
        parts.append(
            f"On its **external** revenue (what did not come from its shareholders), "
            f"{ext_rev} in {e['revenue_year']}, it reached {reached}."
        )
    return parts


def revenue_text(results: InvestmentResults) -> str:
    """Each company's revenue against its plan targets, and OVHcloud's first and last year."""
    attain, revenue = results.attainment, results.revenue
    parts = []
    for cid in results.company_ids:
        rows = attain.loc[attain["company_id"] == cid]
        if not rows.empty:
            parts += _revenue_company(rows, COMPANY_NAMES[cid], results.data.sources)
    ovh = revenue.loc[revenue["company_id"] == "ovhcloud"].sort_values("fiscal_year")
    if not ovh.empty:
        a, b = ovh.iloc[0], ovh.iloc[-1]
        parts.append(
            f"**OVHcloud** (no State equity reported in any source) reported "
            f"{format_span(a['low'], a['central'], a['high'], 0, 'M EUR')} for "
            f"{a['fiscal_year']}{' (a forecast)' if a['is_forecast'] else ''} and "
            f"{format_span(b['low'], b['central'], b['high'], 0, 'M EUR')} for "
            f"FY{b['fiscal_year']} ({b['year_basis']})."
        )
    return " ".join(parts)


def cost_text(results: InvestmentResults) -> str:
    """Losses per euro of revenue, per company and revenue basis, with the figures behind."""
    parts = []
    for _, r in results.cost.iterrows():
        span = format_span(
            r["losses_per_revenue_low_eur"],
            r["losses_per_revenue_central_eur"],
            r["losses_per_revenue_high_eur"],
            2 if r["losses_per_revenue_central_eur"] < 1 else 1,
        )
        what = "external revenue" if r["revenue_basis"] == "external" else "revenue"
        revenue = format_span(
            r["revenue_low_eur_m"], r["revenue_central_eur_m"], r["revenue_high_eur_m"], 1, "M EUR"
        )
        parts.append(
            f"**{COMPANY_NAMES[r['company_id']]}** lost {span} EUR per euro of {what} over "
            f"{md(r['period'])} ({fmt_number(r['losses_central_eur_m'], 1)} M EUR of losses for "
            f"{revenue} of revenue; {md(r['note'])})."
        )
    if "ovhcloud" not in set(results.cost["company_id"]):
        parts.append("No OVHcloud net result is in the data: no comparison is possible.")
    return " ".join(parts)


def _total_note(results: InvestmentResults, cid: str) -> str:
    """A figure for several years together that ends in the last accounts year, if any."""
    year, sources = LAST_ACCOUNTS_YEAR, results.data.sources
    totals = results.data.revenue_totals
    notes = []
    for _, t in totals.loc[totals["company_id"] == cid].iterrows():
        if str(t["period_end"]) != str(year) or str(t["period_start"]) == str(year):
            continue
        inferred = " (years inferred)" if t["is_period_inferred"] else ""
        notes.append(
            f" {publishers([t['source_id']], sources)} gives "
            f"{fmt_number(float(t['value']), 1)} M EUR for {t['period_start']}-{t['period_end']} "
            f"together{inferred}: not a {year} figure, so it counts only as another "
            f"observation of the cumulative revenue {t['period_start']}-{year}, which sets "
            "the losses per euro of revenue."
        )
    return "".join(notes)


def caveats_text(results: InvestmentResults) -> str:
    """The limits that depend on this run's data: assumed dates, ranged stakes, revenue."""
    cids, sources = results.company_ids, results.data.sources
    items = [
        f"**{COMPANY_NAMES[cid]}'s exit date.** {md(upper_first(results.exits[cid].why))} "
        f"({publishers(results.exits[cid].source_ids, sources)})."
        for cid in cids
        if results.exits[cid].is_assumed
    ]
    stakes = results.stakes
    ranged = stakes.loc[stakes["company_id"].isin(cids) & (stakes["low"] < stakes["high"])]
    items += [
        f"**{HOLDER_NAMES.get(r['holder_id'], r['holder_id'])}'s stake in "
        f"{COMPANY_NAMES[r['company_id']]}** is {fmt_number(r['low'], 0)} % or "
        f"{fmt_number(r['high'], 0)} % depending on the source "
        f"({publishers(r['source_ids'], sources)}): both are kept as a range."
        for _, r in ranged.iterrows()
    ]
    revenue, year = results.revenue, LAST_ACCOUNTS_YEAR
    for cid in cids:
        row = revenue.loc[(revenue["company_id"] == cid) & (revenue["fiscal_year"] == year)]
        if row.empty:
            continue
        r = row.iloc[0]
        items.append(
            f"**{COMPANY_NAMES[cid]}'s {year} revenue** comes from {r['n_observations']} figures "
            f"that disagree ({fmt_number(r['low'], 1)} to {fmt_number(r['high'], 1)} M EUR; the "
            f"highest from {publishers(r['high_source_ids'], sources)}). The central value uses "
            "the actual figures whose year the source states." + _total_note(results, cid)
        )
    return "\n".join(f"- {item}" for item in items)


def after_text(results: InvestmentResults) -> str:
    """Each company's dated steps after its buyout and its book equity at the exit."""
    steps, book = results.after, results.book_at_exit
    parts = []
    for cid in COMPANIES:
        mine = steps.loc[steps["company_id"] == cid]
        if mine.empty:
            continue
        dated = "; ".join(
            f"{md(d)}: {md(w)}" for d, w in zip(mine["date"], mine["what"], strict=True)
        )
        low, central, high = book.get(cid, (float("nan"),) * 3)
        if cid in results.data.nil_equity:
            value = "nil: a safeguard procedure opened before the exit"
        else:
            value = f"{central:,.1f} ({low:,.1f} to {high:,.1f}) M EUR for all shareholders"
        parts.append(f"**{COMPANY_NAMES[cid]}.** {dated}. Book equity at the exit: {value}.")
    return "\n\n".join(parts)


def _ovh_span(r: pd.Series) -> str:
    unit = r["unit"].replace("EUR m", "M EUR")
    if r["low"] == r["high"]:
        return f"{r['value']:,.1f} {unit}"
    return f"{r['value']:,.1f} ({r['low']:,.1f} to {r['high']:,.1f}) {unit}"


def ovh_text(results: InvestmentResults) -> str:
    """OVHcloud's path beside the two companies' plans and results (Markdown)."""
    trajectory, targets, revenue = results.ovh, results.targets, results.revenue
    rev = trajectory.loc[trajectory["what"] == "revenue"]
    if rev.empty:
        return "No OVHcloud revenue is in the data."
    first, last = rev.iloc[0], rev.iloc[-1]
    steps = trajectory.loc[~trajectory["what"].str.startswith("revenue")]
    listed = "; ".join(f"{int(r['year'])}: {r['what']} {_ovh_span(r)}" for _, r in steps.iterrows())
    plans = "; ".join(
        f"{COMPANY_NAMES[r['company_id']]} {r['target_eur_m']:g} M EUR "
        f"({md(r['target_year_text'])})"
        for _, r in targets.loc[targets["target_years"].map(len) > 0].iterrows()
    )
    actual = revenue.loc[
        revenue["company_id"].isin(COMPANIES) & (revenue["fiscal_year"] == LAST_ACCOUNTS_YEAR)
    ]
    made = "; ".join(
        f"{COMPANY_NAMES[r['company_id']]} {r['central']:,.1f} M EUR" for _, r in actual.iterrows()
    )
    return (
        f"**OVHcloud** went from {_ovh_span(first)} of revenue in FY{int(first['year'])} to "
        f"{_ovh_span(last)} in FY{int(last['year'])}. Its capital steps: {listed}. Beside it, "
        f"the two State-backed companies' launch plans aimed at {plans}; in "
        f"{LAST_ACCOUNTS_YEAR} they made {made}."
    )


def jobs_text(results: InvestmentResults) -> str:
    """Headcount against the plan and losses per job, one sentence per company."""
    parts = []
    for _, r in results.jobs.iterrows():
        target = (
            f"{r['target_low_jobs']:,.0f}"
            if r["target_low_jobs"] == r["target_high_jobs"]
            else f"{r['target_low_jobs']:,.0f} to {r['target_high_jobs']:,.0f}"
        )
        parts.append(
            f"**{COMPANY_NAMES[r['company_id']]}** had about "
            f"{r['headcount_central_employees']:,.0f} employees in {r['headcount_year']} "
            f"against {target} jobs in its launch plan "
            f"({md(r['target_year_text'])}): {r['attainment_central_pct']:,.0f} % of it. Its "
            f"losses over {md(r['losses_period'])} come to {r['losses_per_job_central_eur_m']:,.2f}"
            f" M EUR per job of {r['headcount_year']}."
        )
    return " ".join(parts) if parts else "No headcount and job target are in the data."
