"""Everything the investment-return notebook shows, computed in one call: :func:`analyse`.

The notebook validates its parameters, loads the data once and calls :func:`analyse`; it then
only displays the tables, sentences and figures of the returned :class:`InvestmentReport`.

Ranges, in three kinds, each named where it is shown:

- **sourced ranges** of the inputs (paid-in capital, stakes, revenue), from
  :mod:`analysis.investment.model` and :mod:`analysis.investment.plan`;
- **bounds over the corners** of those ranges (:func:`analysis.core.scenarios.run_corners`): the
  smallest and largest result when every uncertain input sits at one end of its range, the
  pay-in split all in one tranche, the exit price at nothing or at book value. They do not
  depend on the seed; the key numbers ``*_low`` / ``*_high`` are these bounds;
- **percentiles of the scenario engine** (5 %, 50 %, 95 % of ``n_scenarios`` seeded draws,
  :func:`analysis.core.scenarios.run_scenarios`): key numbers ``*_p5`` / ``*_p50`` / ``*_p95``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core import evidence
from analysis.core import scenarios as sc
from analysis.data.io import Dataset
from analysis.investment import model as inv
from analysis.investment import plan
from analysis.params import INVESTOR_ENTITIES, InvestmentParams
from analysis.report.investment import story as investment_story
from analysis.report.investment import text as investment_text

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = [
    "EXIT_SCENARIOS",
    "RESULT_METRICS",
    "InvestmentReport",
    "analyse",
    "exit_scenario_results",
    "flows_with_ranges",
    "key_numbers",
    "npv_by_rate",
]

EXIT_SCENARIOS: tuple[sc.ExitScenario, ...] = ("zero", "book", "range")
#: metrics reported per exit scenario: result column -> (key-number stem, unit, scale);
#: the headline figures first (the run index shows the first key numbers of each report)
RESULT_METRICS: dict[str, tuple[str, str, float]] = {
    "loss_eur_m": ("loss", "EUR m", 1.0),
    "irr": ("irr", "%", 100.0),
    "moic": ("moic", "x", 1.0),
    "paid_in_eur_m": ("paid_in", "EUR m", 1.0),
    "proceeds_eur_m": ("proceeds", "EUR m", 1.0),
    "npv_eur_m": ("npv", "EUR m", 1.0),
}


#: the headline numbers of an investment report: lost, paid in, came back, IRR
HEADLINE = (
    "loss_central_eur_m",
    "paid_in_central_eur_m",
    "proceeds_central_eur_m",
    "irr_central_pct",
)


@dataclass(frozen=True)
class InvestmentReport:
    """The results of one run of the investment-return analysis (see :func:`analyse`)."""

    params: InvestmentParams
    model: sc.InvestmentModel
    capital: pd.DataFrame
    stakes: pd.DataFrame
    state_money: pd.DataFrame
    implied_state: pd.DataFrame
    state_bases: pd.DataFrame
    assumptions: pd.DataFrame
    flows: pd.DataFrame
    exit_results: pd.DataFrame
    scenarios: pd.DataFrame | None
    summary: pd.DataFrame | None
    tornado_loss: pd.DataFrame
    tornado_irr: pd.DataFrame
    revenue: pd.DataFrame
    targets: pd.DataFrame
    attainment: pd.DataFrame
    cost: pd.DataFrame
    npv_rates: pd.DataFrame
    key_numbers: dict[str, Any]
    key_units: dict[str, str]
    key_labels: dict[str, str]
    key_notes: dict[str, str]
    text: dict[str, str]
    source_notes: dict[str, str]
    source_ids: tuple[str, ...]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    text_names: dict[str, str] = field(default_factory=dict)
    #: the key numbers the run index shows for this report (their centrals)
    headline: tuple[str, ...] = HEADLINE

    def table(self, name: str) -> Styler:
        """A display table (see :func:`~analysis.report.investment.text.display_tables`)."""
        # data text (publishers, titles, notes) is escaped: it shows as written, never as HTML
        return self.tables[name].style.hide(axis="index").format(precision=1, escape="html")


def exit_scenario_results(model: sc.InvestmentModel, discount_rate: float) -> pd.DataFrame:
    """Paid-in, proceeds, money lost, MOIC, IRR and NPV under each exit scenario.

    One row per exit scenario (``zero``, ``book``, ``range``); for each metric of
    :data:`RESULT_METRICS` the columns ``{metric}_central`` (every input at its central
    value; the ``range`` scenario's exit price is then half the book value),
    ``{metric}_low`` and ``{metric}_high`` (bounds over the corners), plus
    ``irr_status_central``.
    """
    rows = []
    for scenario in EXIT_SCENARIOS:
        model_s = dataclasses.replace(model, exit_scenario=scenario)
        central = sc.run_deterministic(model_s, discount_rate)
        corners = sc.run_corners(model_s, discount_rate)
        row: dict[str, Any] = {"exit_scenario": scenario}
        for metric in RESULT_METRICS:
            values = corners[metric].to_numpy(dtype=float)
            defined = values[~np.isnan(values)]
            row[f"{metric}_central"] = float(central[metric].iloc[0])
            row[f"{metric}_low"] = float(defined.min()) if defined.size else np.nan
            row[f"{metric}_high"] = float(defined.max()) if defined.size else np.nan
        row["irr_status_central"] = str(central["irr_status"].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows)


def flows_with_ranges(
    model: sc.InvestmentModel,
    discount_rate: float,
    valuation: Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """The investor's flows with every input at its central value, one row per flow.

    Columns of :func:`analysis.core.scenarios.scenario_flows` plus ``amount_low_eur_m`` and
    ``amount_high_eur_m``: for the exit flows, the smallest and largest proceeds over the
    corners of the inputs; for pay-ins, the central amount (their split over the tranches is
    an assumption, shown in the assumptions table); and ``is_valuation``: True for an exit
    flow that values a stake the investor kept (a buyer's), not cash received
    (``valuation`` maps company ids to that flag; default all False).
    """
    flows = sc.scenario_flows(model)
    valuation = valuation or {}
    corners = sc.run_corners(model, discount_rate)
    low = flows["amount_eur_m"].to_numpy(dtype=float).copy()
    high = low.copy()
    for i, (cid, kind) in enumerate(zip(flows["company_id"], flows["flow"], strict=True)):
        if kind == "exit":
            proceeds = corners[f"{cid}_proceeds_eur_m"]
            low[i], high[i] = float(proceeds.min()), float(proceeds.max())
    is_valuation = [
        kind == "exit" and bool(valuation.get(cid, False))
        for cid, kind in zip(flows["company_id"], flows["flow"], strict=True)
    ]
    return flows.assign(amount_low_eur_m=low, amount_high_eur_m=high, is_valuation=is_valuation)


#: discount rates of the NPV table (% a year): a pure assumption, shown as a range
NPV_RATES_PCT = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)


def npv_by_rate(
    model: sc.InvestmentModel, rates_pct: tuple[float, ...] = NPV_RATES_PCT
) -> pd.DataFrame:
    """The NPV over a range of discount rates: central inputs and bounds over the corners.

    Columns: ``discount_rate_pct``, ``npv_central_eur_m``, ``npv_low_eur_m``,
    ``npv_high_eur_m`` (EUR m of the first pay-in date).
    """
    rows = []
    for rate in rates_pct:
        central = sc.run_deterministic(model, rate / 100.0)["npv_eur_m"].iloc[0]
        corners = sc.run_corners(model, rate / 100.0)["npv_eur_m"]
        rows.append((rate, float(central), float(corners.min()), float(corners.max())))
    return pd.DataFrame(
        rows,
        columns=["discount_rate_pct", "npv_central_eur_m", "npv_low_eur_m", "npv_high_eur_m"],
    )


def _launch_target(
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


_PAPER = "paper valuation at the sellers' price, not cash"


def key_numbers(
    params: InvestmentParams,
    results: pd.DataFrame,
    summary: pd.DataFrame | None,
    attain: pd.DataFrame,
    cost: pd.DataFrame,
    valuation: Mapping[str, bool] | None = None,
) -> tuple[dict[str, Any], dict[str, str], dict[str, str], dict[str, str]]:
    """The run's key numbers, with units, labels and notes (for :mod:`analysis.report.record`).

    Numbers for the chosen exit scenario: ``{stem}_low`` / ``_central`` / ``_high`` (corner
    bounds and central inputs), then the engine's ``loss_p5`` ... ``irr_p95`` (undefined,
    with the reason, when the engine is off), then each company's revenue attainment against
    its launch target (and against the plan for the same year, and on external revenue, where
    the data allow) and its losses per euro of revenue (total and external). ``valuation``
    (company id -> True when the investor's exit is a valuation, not a sale) makes the
    proceeds' labels say so.
    """
    paper = any((valuation or {}).values())
    numbers: dict[str, Any] = {}
    units: dict[str, str] = {}
    labels: dict[str, str] = {}
    notes: dict[str, str] = {}
    row = results.set_index("exit_scenario").loc[params.exit_scenario]
    scenario_words = f"exit scenario '{params.exit_scenario}'"
    for metric, (stem, unit, scale) in RESULT_METRICS.items():
        for end in ("central", "low", "high"):
            name = f"{stem}_{end}" + ("" if unit == "x" else f"_{_unit_slug(unit)}")
            value = row[f"{metric}_{end}"]
            numbers[name] = None if np.isnan(value) else float(value) * scale
            units[name] = unit
            what = "central inputs" if end == "central" else f"{end} bound over the input ranges"
            shown = "losses" if stem == "loss" else stem.replace("_", " ")
            if stem == "proceeds" and paper:
                shown = f"proceeds ({_PAPER})"
            labels[name] = f"{shown}, {what} ({scenario_words})"
            if stem == "proceeds" and params.investor == "all":
                notes[name] = (
                    "for all shareholders together the buyout moved money between shareholders "
                    "and brought nothing back to the group; the buyers' later outflows (the "
                    "undisclosed prices, funding until the companies closed) are unknown"
                )
    if np.isnan(row["irr_central"]):
        notes["irr_central_pct"] = f"IRR undefined: status {row['irr_status_central']}"
    for end in ("low", "central", "high"):
        notes[f"npv_{end}_eur_m"] = f"discounted at {params.discount_rate:.1%} a year"
    for stem, metric, unit, scale in (
        ("loss", "loss_eur_m", "EUR m", 1.0),
        ("irr", "irr", "%", 100.0),
    ):
        for pct, column in (("p5", "low"), ("p50", "central"), ("p95", "high")):
            name = f"{stem}_{pct}_{_unit_slug(unit)}"
            units[name] = unit
            labels[name] = f"{stem}, {pct[1:]}th percentile of the scenarios ({scenario_words})"
            if summary is None or summary.loc[metric, "n"] == 0:
                numbers[name] = None
                notes[name] = (
                    "scenario engine off (n_scenarios = 0)"
                    if summary is None
                    else "no scenario has a defined value"
                )
            else:
                numbers[name] = float(summary.loc[metric, column]) * scale
    for cid in inv.company_ids(params.company):
        company = inv.COMPANY_NAMES[cid]
        for prefix, target, words in (
            ("attainment", _launch_target(attain, cid), "revenue"),
            ("attainment_same_year", _launch_target(attain, cid, matched=True), "revenue"),
            ("attainment_external", _launch_target(attain, cid, "external"), "external revenue"),
        ):
            if target is None:
                continue
            plan_name = target["plan"].split(", ")[0]
            for end in ("low", "central", "high"):
                name = f"{prefix}_{cid}_{end}_pct"
                numbers[name] = float(target[f"attainment_{end}_pct"])
                units[name] = "%"
                labels[name] = (
                    f"{company} {target['revenue_year']} {words} as a share of the "
                    f"{target['target_eur_m']:g} M EUR {plan_name} target "
                    f"({target['comparison']}), {end}"
                )
        for basis, prefix, words in (
            ("total", "losses_per_revenue", "revenue"),
            ("external", "losses_per_revenue_external", "external revenue"),
        ):
            found = cost.loc[(cost["company_id"] == cid) & (cost["revenue_basis"] == basis)]
            if found.empty:
                continue
            for end in ("low", "central", "high"):
                name = f"{prefix}_{cid}_{end}_eur"
                numbers[name] = float(found.iloc[0][f"per_revenue_{end}"])
                units[name] = "EUR per EUR"
                labels[name] = (
                    f"{company} losses per euro of {words} {found.iloc[0]['period']}, {end}"
                )
    return numbers, units, labels, notes


def _drawn_capital(capital: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`analysis.investment.model.capital` that the capital figure draws.

    Committed and paid-in capital, and for the losses only each company's latest period.
    """
    lost = capital["item"] == "lost"
    end = capital["period"].str[-4:]
    latest = end.groupby(capital["company_id"].where(lost)).transform("max")
    return capital.loc[~lost | (end == latest)]


def _committed(
    capital: pd.DataFrame,
    stakes: pd.DataFrame,
    model: sc.InvestmentModel,
    investor: str,
    state: pd.DataFrame,
) -> tuple[float, float, float]:
    """What the investor committed (low, central, high EUR m).

    The State: its planned funding per company as sourced (``state``, from
    :func:`analysis.investment.model.state_money`); another investor: its stake x the committed
    equity; all shareholders: the committed equity.
    """
    totals = [0.0, 0.0, 0.0]
    capital_events_state: dict[str, dict[str, float]] = {}
    planned_rows = state.loc[state["kind"].str.startswith("commitment")]
    for cid, rows in planned_rows.groupby("company_id"):
        est = evidence.estimate(rows["amount_eur_m"].tolist())
        capital_events_state[str(cid)] = {
            "low": est.low,
            "central": est.central,
            "high": est.high,
        }
    for c in model.companies:
        cid = c.company_id
        row = capital.loc[(capital["company_id"] == cid) & (capital["item"] == "committed")]
        if row.empty:
            continue
        r = row.iloc[0]
        planned = capital_events_state.get(cid) if investor == "state" else None
        if planned is not None:  # the State's own commitment per company, as sourced
            for i, k in enumerate(("low", "central", "high")):
                totals[i] += planned[k]
            continue
        if investor == "all":
            share = (1.0, 1.0, 1.0)
        else:
            holder = INVESTOR_ENTITIES[investor]
            st = stakes.loc[(stakes["company_id"] == cid) & (stakes["holder_id"] == holder)].iloc[0]
            share = (st["low"] / 100.0, st["central"] / 100.0, st["high"] / 100.0)
        for i, k in enumerate(("low", "central", "high")):
            totals[i] += float(r[k]) * share[i]
    return (totals[0], totals[1], totals[2])


def _unit_slug(unit: str) -> str:
    return {"EUR m": "eur_m", "%": "pct"}[unit]


def analyse(dataset: Dataset, params: InvestmentParams) -> InvestmentReport:
    """Run the whole analysis for one validated parameter set."""
    company, investor = params.company, params.investor
    rate = params.discount_rate
    model = inv.model_inputs(dataset, company, investor, params.exit_scenario)
    capital = inv.capital(dataset)
    stakes = inv.stakes(dataset)
    state = inv.state_money(dataset)
    implied = inv.implied_state_paid_in(dataset)
    state_bases = inv.state_paid_in(dataset)
    assumptions = inv.assumptions_table(dataset, model, rate)
    valuation = {cid: inv.is_valuation(dataset, cid, investor) for cid in inv.company_ids(company)}
    flows = flows_with_ranges(model, rate, valuation)
    results = exit_scenario_results(model, rate)
    frame = summary = None
    if params.n_scenarios > 0:
        frame = sc.run_scenarios(model, params.n_scenarios, params.seed, rate)
        summary = sc.summarise(frame)
    tornado_loss = sc.tornado(model, "loss_eur_m", rate)
    tornado_irr = sc.tornado(model, "irr", rate)
    revenue = plan.revenue_by_year(dataset)
    targets = plan.plan_targets(dataset)
    attain = plan.attainment(revenue, targets, captive=plan.captive_share(dataset))
    cost = plan.losses_per_revenue(dataset, revenue)
    npv_rates = npv_by_rate(model, tuple(sorted({*NPV_RATES_PCT, rate * 100.0})))
    after = investment_story.after_buyouts(dataset)
    story = {
        "after": after,
        "ovh": investment_story.ovh_trajectory(dataset),
        "jobs": investment_story.jobs(dataset, inv.cumulative_losses(dataset)),
    }
    book_model = dataclasses.replace(
        inv.model_inputs(dataset, "both", "all", "book"), paid_in_eur_m=None
    )
    book_corners = sc.run_corners(book_model, rate)
    book_central = sc.run_deterministic(book_model, rate)
    book_at_exit = {
        cid: (
            float(book_corners[f"{cid}_book_equity_eur_m"].min()),
            float(book_central[f"{cid}_book_equity_eur_m"].iloc[0]),
            float(book_corners[f"{cid}_book_equity_eur_m"].max()),
        )
        for cid in inv.COMPANIES
    }
    numbers, units, labels, notes = key_numbers(params, results, summary, attain, cost, valuation)

    # Each figure cites the sources of what it draws, and only those.
    model_ids = inv.model_source_ids(dataset, company, investor)
    return_ids = inv.model_source_ids(dataset, company, investor, with_revenue=False)
    scenario_ids = inv.model_source_ids(
        dataset,
        company,
        investor,
        with_revenue=False,
        with_losses=params.exit_scenario != "zero",
    )
    drawn_capital = _drawn_capital(capital)
    capital_ids = inv.source_ids_of(*drawn_capital["source_ids"])
    drawn_targets = targets.loc[targets["target_years"].map(len) > 0]
    revenue_ids = inv.source_ids_of(*revenue["source_ids"], *drawn_targets["source_ids"])
    cost_ids = inv.source_ids_of(*cost["source_ids"])
    all_ids = inv.source_ids_of(
        *capital["source_ids"],
        state["source_id"],
        *stakes["source_ids"],
        model_ids,
        *revenue["source_ids"],
        *targets["source_ids"],
        cost_ids,
    )
    sources = dataset.sources

    def note(ids: tuple[str, ...], extra: str = "") -> str:
        return evidence.cite(ids, sources, max_items=6) + (f". {extra}" if extra else "")

    assumption_note = "Exit prices, pay-in split and timing are named assumptions."
    source_notes = {
        "capital": note(capital_ids),
        "flows": note(scenario_ids, assumption_note),
        "results": note(return_ids, assumption_note),
        "distribution": note(scenario_ids, assumption_note),
        "tornado": note(scenario_ids, assumption_note),
        "revenue": note(
            revenue_ids, "OVHcloud: fiscal years to 31 August (some press figures calendar)."
        ),
        "cost": note(cost_ids),
    }
    report_frames = {
        "capital": capital,
        "stakes": stakes,
        "state": state,
        "implied": implied,
        "state_bases": state_bases,
        "flows": flows,
        "results": results,
        "summary": summary,
        "tornado_loss": tornado_loss,
        "tornado_irr": tornado_irr,
        "revenue": revenue,
        "attainment": attain,
        "cost": cost,
        "exits": inv.exit_dates(dataset),
        "revenue_totals": plan.cumulative_revenue_observations(dataset),
        "valuation": valuation,
        "npv_rates": npv_rates,
        "model": model,
        "committed": _committed(capital, stakes, model, investor, state),
        "story": story,
    }
    text = investment_text.sentences(params, model, report_frames, sources)
    text["after"] = investment_story.after_buyouts_text(
        after, book_at_exit, inv.equity_nil_at_exit(dataset)
    )
    text["ovh"] = investment_story.ovh_text(story["ovh"], targets, revenue)
    text["jobs"] = investment_story.jobs_text(story["jobs"])
    story_ids = inv.source_ids_of(
        after["source_id"],
        *story["ovh"]["source_ids"],
        *(story["jobs"]["source_ids"] if len(story["jobs"]) else ()),
    )
    all_ids = inv.source_ids_of(all_ids, story_ids)
    source_notes["story"] = note(story_ids)
    tables = investment_text.display_tables(params, report_frames, assumptions, sources)
    return InvestmentReport(
        params=params,
        model=model,
        capital=capital,
        stakes=stakes,
        state_money=state,
        implied_state=implied,
        state_bases=state_bases,
        assumptions=assumptions,
        flows=flows,
        exit_results=results,
        scenarios=frame,
        summary=summary,
        tornado_loss=tornado_loss,
        tornado_irr=tornado_irr,
        revenue=revenue,
        targets=targets,
        attainment=attain,
        cost=cost,
        npv_rates=npv_rates,
        key_numbers=numbers,
        key_units=units,
        key_labels=labels,
        key_notes=notes,
        text=text,
        source_notes=source_notes,
        source_ids=all_ids,
        tables=tables,
        text_names={
            "investor": inv.INVESTOR_NAMES[investor],
            "companies": " and ".join(inv.COMPANY_NAMES[c] for c in inv.company_ids(company)),
        },
    )
