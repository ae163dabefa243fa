"""The investment notebook's tables: frames of the results with readers' column names.

One function per table; each takes the results of
:func:`~analysis.report.investment.results.analyse_investment` and returns a new frame (ranges
written as ``'central (low to high)'``, publishers named), which the notebook shows with
:func:`analysis.report.blocks.show_table`. Data text stays raw here: ``show_table`` escapes
every cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core import evidence
from analysis.investment.holdings import COMPANY_NAMES
from analysis.report.blocks import fmt_number
from analysis.report.investment.wording import format_span, spanner

if TYPE_CHECKING:
    from analysis.report.investment.results import InvestmentResults

__all__ = [
    "after_table",
    "assumptions_table",
    "attainment_table",
    "capital_table",
    "cost_table",
    "flows_table",
    "jobs_table",
    "npv_table",
    "ovh_table",
    "results_table",
    "state_table",
]

_ITEM_WORDS = {"committed": "committed", "paid_in": "paid in", "lost": "lost (net losses)"}
#: results columns (``{}`` where the bound goes) -> readers' title and decimals
METRIC_WORDS = {
    "paid_in_{}_eur_m": ("Paid in (EUR m)", 1),
    "proceeds_{}_eur_m": ("Came back (EUR m)", 1),
    "loss_{}_eur_m": ("Money lost (EUR m)", 1),
    "moic_{}_x": ("MOIC (x)", 2),
    "irr_{}_pct": ("IRR (% a year)", 1),
    "npv_{}_eur_m": ("NPV (EUR m)", 1),
}


def _publishers(ids: Iterable[str], sources: pd.DataFrame) -> str:
    """Publishers and dates of the sources, as plain text (for table cells)."""
    return evidence.cite(list(ids), sources).removeprefix("Sources: ")


def _spans(frame: pd.DataFrame, stem: str, digits: int = 1, suffix: str = "") -> list[str]:
    """``'central (low to high)'`` of the columns ``{stem}_low{suffix}`` ... per row."""
    return [
        format_span(
            r[f"{stem}_low{suffix}"],
            r[f"{stem}_central{suffix}"],
            r[f"{stem}_high{suffix}"],
            digits,
        )
        for _, r in frame.iterrows()
    ]


def capital_table(results: InvestmentResults) -> pd.DataFrame:
    """Committed, paid-in and lost capital per company, with their sources."""
    capital, sources = results.capital, results.data.sources
    return pd.DataFrame(
        {
            "Company": capital["company_id"].map(COMPANY_NAMES),
            "Capital": capital["item"].map(_ITEM_WORDS),
            "Period": capital["period"],
            "EUR m": [
                ("≥ " if r["open_high"] and r["low"] == r["high"] else "")
                + format_span(r["low"], r["central"], r["high"])
                for _, r in capital.iterrows()
            ],
            "Sources": [_publishers(ids, sources) for ids in capital["source_ids"]],
        }
    )


def state_table(results: InvestmentResults) -> pd.DataFrame:
    """Every sourced figure of State money, and which are commitments and which cash."""
    names = {"cloudwatt_numergy": "both", **COMPANY_NAMES}
    return (
        results.state_money.rename(
            columns={
                "company_id": "Company",
                "kind": "Figure",
                "amount_eur_m": "EUR m",
                "bound": "Bound",
                "period": "Period",
                "publisher": "Source",
            }
        )
        .drop(columns=["is_commitment", "source_id"])
        .replace({"Company": names})
    )


def assumptions_table(results: InvestmentResults) -> pd.DataFrame:
    """Every input of the model and every named assumption, with its basis and why."""
    return results.assumptions.rename(
        columns={"name": "Input", "value": "Value or range", "basis": "Basis", "why": "Why"}
    )


def flows_table(results: InvestmentResults) -> pd.DataFrame:
    """The investor's flows at central inputs, with the range of each exit flow."""
    flows = results.flows
    return pd.DataFrame(
        {
            "Company": flows["company_id"].map(COMPANY_NAMES),
            "Flow": flows["flow"].map({"pay_in": "paid in", "exit": "came back at the exit"}),
            "Date": flows["date"].dt.date.astype(str),
            "EUR m (central)": flows["amount_eur_m"].round(2),
            "EUR m (range)": [
                "" if lo == hi else f"{fmt_number(lo, 1)} to {fmt_number(hi, 1)}"
                for lo, hi in zip(
                    flows["amount_low_eur_m"], flows["amount_high_eur_m"], strict=True
                )
            ],
        }
    )


def results_table(results: InvestmentResults) -> pd.DataFrame:
    """Paid in, came back, lost, MOIC, IRR and NPV under each exit scenario, with bounds."""
    exits = results.exit_results
    table: dict[str, list[str]] = {"Exit scenario": list(exits["exit_scenario"])}
    for name, (title, digits) in METRIC_WORDS.items():
        if name.startswith("npv"):
            title = f"NPV at {results.params.discount_rate:.1%} (EUR m)"
        table[title] = [spanner(r)(name, digits) for _, r in exits.iterrows()]
    return pd.DataFrame(table)


def attainment_table(results: InvestmentResults) -> pd.DataFrame:
    """Revenue against each plan target, with the comparison made."""
    attain = results.attainment
    return pd.DataFrame(
        {
            "Company": attain["company_id"].map(COMPANY_NAMES),
            "Target (EUR m)": attain["target_eur_m"],
            "Stated in (plan, target year)": attain["statements"],
            "Revenue year": attain["revenue_year"],
            "Revenue basis": attain["revenue_basis"],
            "Comparison": attain["comparison"],
            "Revenue (EUR m)": _spans(attain, "revenue", 1, "_eur_m"),
            "Attained (%)": _spans(attain, "attainment", 2, "_pct"),
            "Note": attain["note"],
        }
    )


def npv_table(results: InvestmentResults) -> pd.DataFrame:
    """The NPV over a range of discount rates: central inputs and bounds."""
    rates = results.npv_rates
    return pd.DataFrame(
        {
            "Discount rate (% a year)": rates["discount_rate_pct"],
            "NPV, central inputs (EUR m)": rates["npv_central_eur_m"],
            "NPV, low to high bound (EUR m)": [
                f"{fmt_number(lo, 1)} to {fmt_number(hi, 1)}"
                for lo, hi in zip(rates["npv_low_eur_m"], rates["npv_high_eur_m"], strict=True)
            ],
        }
    )


def after_table(results: InvestmentResults) -> pd.DataFrame:
    """The dated steps of each company after its buyout."""
    after = results.after
    return pd.DataFrame(
        {
            "Company": after["company_id"].map(COMPANY_NAMES),
            "Date": after["date"],
            "What": after["what"],
            "Source": [_publishers([i], results.data.sources) for i in after["source_id"]],
        }
    )


def ovh_table(results: InvestmentResults) -> pd.DataFrame:
    """OVHcloud's revenue and capital steps, as sourced."""
    ovh = results.ovh
    return pd.DataFrame(
        {
            "Year": ovh["year"],
            "What": ovh["what"],
            "Value": [format_span(r["low"], r["value"], r["high"], 1) for _, r in ovh.iterrows()],
            "Unit": ovh["unit"],
            "Sources": [_publishers(i, results.data.sources) for i in ovh["source_ids"]],
        }
    )


def jobs_table(results: InvestmentResults) -> pd.DataFrame:
    """Headcount against the plans' job targets, and the losses per job."""
    jobs = results.jobs
    return pd.DataFrame(
        {
            "Company": jobs["company_id"].map(COMPANY_NAMES),
            "Jobs in the launch plan": [
                format_span(r["target_low_jobs"], r["target_low_jobs"], r["target_high_jobs"], 0)
                if r["target_low_jobs"] != r["target_high_jobs"]
                else fmt_number(r["target_low_jobs"], 0)
                for _, r in jobs.iterrows()
            ],
            "Plan year": jobs["target_year_text"],
            "Headcount": [
                format_span(
                    r["headcount_low_employees"],
                    r["headcount_central_employees"],
                    r["headcount_high_employees"],
                    0,
                )
                for _, r in jobs.iterrows()
            ],
            "Year": jobs["headcount_year"],
            "Losses per job (EUR m)": _spans(jobs, "losses_per_job", 2, "_eur_m"),
        }
    )


def cost_table(results: InvestmentResults) -> pd.DataFrame:
    """Net losses per euro of revenue, on total and on external revenue."""
    cost = results.cost
    return pd.DataFrame(
        {
            "Company": cost["company_id"].map(COMPANY_NAMES),
            "Period": cost["period"],
            "Revenue basis": cost["revenue_basis"],
            "Losses (EUR m)": _spans(cost, "losses", 1, "_eur_m"),
            "Revenue (EUR m)": _spans(cost, "revenue", 1, "_eur_m"),
            "EUR lost per EUR of revenue": _spans(cost, "losses_per_revenue", 2, "_eur"),
            "Note": cost["note"],
        }
    )
