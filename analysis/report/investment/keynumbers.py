"""The key numbers of an investment run, as a declarative table of :class:`KeyNumber` rows.

:func:`key_number_table` lists every key number of a run (its name with its unit, the unit,
a label and a getter on the :class:`~analysis.report.investment.results.InvestmentResults`);
:meth:`analysis.report.record.KeyNumbers.from_table` evaluates it. The rows depend on the run
(which companies, which plan targets the data hold), not the getters' arithmetic.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.investment.holdings import COMPANY_NAMES
from analysis.investment.returns import RESULT_COLUMNS
from analysis.report.record import KeyNumber

if TYPE_CHECKING:
    from analysis.report.investment.results import InvestmentResults

__all__ = ["HEADLINE", "RESULT_METRICS", "UNITS", "key_number_table", "launch_target"]

#: the headline numbers of an investment report: lost, paid in, came back, IRR
HEADLINE = (
    "loss_central_eur_m",
    "paid_in_central_eur_m",
    "proceeds_central_eur_m",
    "irr_central_pct",
)
#: the unit readers see for each unit suffix of a column or key-number name
UNITS = {"eur_m": "EUR m", "pct": "%", "x": "x"}
#: metrics reported per exit scenario, as (stem, unit suffix), the headline figures first (the
#: run index shows the first key numbers of a report); a key number is named as its column of
#: :func:`analysis.investment.returns.exit_scenario_results`, ``{stem}_{bound}_{unit}``
RESULT_METRICS: tuple[tuple[str, str], ...] = tuple(
    (stem, unit) for stem, unit, _ in RESULT_COLUMNS.values()
)
_PAPER = "paper valuation at the sellers' price, not cash"
_ALL_PROCEEDS = (
    "for all shareholders together the buyout moved money between shareholders and brought "
    "nothing back to the group; the buyers' later outflows (the undisclosed prices, funding "
    "until the companies closed) are unknown"
)


def _defined(value: Any) -> float | None:
    return None if value is None or math.isnan(float(value)) else float(value)


def _chosen(results: InvestmentResults) -> pd.Series:
    """The exit-results row of the run's exit scenario."""
    return results.exit_results.set_index("exit_scenario").loc[results.params.exit_scenario]


def _result_rows(results: InvestmentResults) -> list[KeyNumber]:
    """Paid in, came back, lost, MOIC, IRR, NPV: central inputs and bounds over the corners."""
    params = results.params
    words = f"exit scenario '{params.exit_scenario}'"
    rows = []
    for stem, suffix in RESULT_METRICS:
        shown = "losses" if stem == "loss" else stem.replace("_", " ")
        if stem == "proceeds" and results.is_paper:
            shown = f"proceeds ({_PAPER})"
        for end in ("central", "low", "high"):
            name = f"{stem}_{end}_{suffix}"
            what = "central inputs" if end == "central" else f"{end} bound over the input ranges"
            note = ""
            if stem == "proceeds" and params.investor == "all":
                note = _ALL_PROCEEDS
            elif stem == "npv":
                note = f"discounted at {params.discount_rate:.1%} a year"
            elif stem == "irr" and end == "central" and math.isnan(_chosen(results)[name]):
                note = f"IRR undefined: status {_chosen(results)['irr_status_central']}"
            rows.append(
                KeyNumber(
                    name,
                    UNITS[suffix],
                    f"{shown}, {what} ({words})",
                    lambda r, col=name: _defined(_chosen(r)[col]),
                    note,
                )
            )
    return rows


def _percentile_rows(results: InvestmentResults) -> list[KeyNumber]:
    """The engine's 5th, 50th and 95th percentiles of the money lost and of the IRR."""
    summary = results.summary
    words = f"exit scenario '{results.params.exit_scenario}'"
    rows = []
    for stem, metric, unit, suffix, scale in (
        ("loss", "loss_eur_m", "EUR m", "eur_m", 1.0),
        ("irr", "irr", "%", "pct", 100.0),
    ):
        off = summary is None or summary.loc[metric, "n"] == 0
        note = ""
        if off:
            note = (
                "scenario engine off (n_scenarios = 0)"
                if summary is None
                else "no scenario has a defined value"
            )
        for pct, column in (("p5", "low"), ("p50", "central"), ("p95", "high")):
            rows.append(
                KeyNumber(
                    f"{stem}_{pct}_{suffix}",
                    unit,
                    f"{stem}, {pct[1:]}th percentile of the scenarios ({words})",
                    (lambda r: None)
                    if off
                    else (lambda r, m=metric, c=column, k=scale: float(r.summary.loc[m, c]) * k),
                    note,
                )
            )
    return rows


def launch_target(
    attain: pd.DataFrame, cid: str, basis: str = "total", *, matched: bool = False
) -> pd.Series | None:
    """The first launch-plan target with a year (or, ``matched``, the first year-matched)."""
    rows = attain.loc[(attain["company_id"] == cid) & (attain["revenue_basis"] == basis)]
    if matched:
        rows = rows.loc[rows["is_year_matched"]]
    else:
        rows = rows.loc[
            rows["plan"].str.split(", ").map(lambda plans: "launch" in plans)
            & (rows["target_years"].map(len) > 0)
        ]
    return None if rows.empty else rows.iloc[0]


def _attainment_rows(results: InvestmentResults, cid: str) -> list[KeyNumber]:
    """Revenue against the launch target (same year, external revenue where the data allow)."""
    company = COMPANY_NAMES[cid]
    rows = []
    for prefix, basis, matched, words in (
        ("attainment", "total", False, "revenue"),
        ("attainment_same_year", "total", True, "revenue"),
        ("attainment_external", "external", False, "external revenue"),
    ):
        target = launch_target(results.attainment, cid, basis, matched=matched)
        if target is None:
            continue
        plan_name = target["plan"].split(", ")[0]
        for end in ("low", "central", "high"):
            rows.append(
                KeyNumber(
                    f"{prefix}_{cid}_{end}_pct",
                    "%",
                    f"{company} {target['revenue_year']} {words} as a share of the "
                    f"{target['target_eur_m']:g} M EUR {plan_name} target "
                    f"({target['comparison']}), {end}",
                    lambda r, t=target, e=end: float(t[f"attainment_{e}_pct"]),
                )
            )
    return rows


def _cost_rows(results: InvestmentResults, cid: str) -> list[KeyNumber]:
    """Losses per euro of revenue (total and external), where the data give them."""
    cost = results.cost
    rows = []
    for basis, prefix, words in (
        ("total", "losses_per_revenue", "revenue"),
        ("external", "losses_per_revenue_external", "external revenue"),
    ):
        found = cost.loc[(cost["company_id"] == cid) & (cost["revenue_basis"] == basis)]
        if found.empty:
            continue
        row = found.iloc[0]
        for end in ("low", "central", "high"):
            rows.append(
                KeyNumber(
                    f"{prefix}_{cid}_{end}_eur",
                    "EUR per EUR",
                    f"{COMPANY_NAMES[cid]} losses per euro of {words} {row['period']}, {end}",
                    lambda r, x=row, e=end: float(x[f"losses_per_revenue_{e}_eur"]),
                )
            )
    return rows


def key_number_table(results: InvestmentResults) -> list[KeyNumber]:
    """Every key number of this run, in the order the report shows them.

    For the chosen exit scenario ``{stem}_{bound}_{unit}`` (corner bounds and central inputs),
    the engine's ``loss_p5`` ... ``irr_p95`` (undefined, with the reason, when the engine is
    off), then per company its revenue against its launch target and its losses per euro of
    revenue.
    """
    rows = _result_rows(results) + _percentile_rows(results)
    for cid in results.company_ids:
        rows += _attainment_rows(results, cid) + _cost_rows(results, cid)
    return rows
