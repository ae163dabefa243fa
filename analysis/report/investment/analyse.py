"""The whole investment analysis of one run, computed once: :func:`analyse_investment`.

The notebook validates its parameters, loads the data and calls :func:`analyse_investment`
once; it returns the :class:`~analysis.report.investment.results.InvestmentResults` (frames of
the domain and the key numbers) that every section shows.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.core import evidence
from analysis.core import scenarios as sc
from analysis.data.io import Dataset
from analysis.investment import later, plan, returns
from analysis.investment.assumptions import assumptions_table
from analysis.investment.holdings import company_ids, is_valuation, source_ids_of
from analysis.investment.inputs import InvestmentData, investment_data
from analysis.investment.model import model_inputs, model_source_ids
from analysis.params import InvestmentParams
from analysis.report.investment.keynumbers import HEADLINE, key_number_table
from analysis.report.investment.results import InvestmentResults, drawn_capital
from analysis.report.record import KeyNumbers

__all__ = ["analyse_investment"]


def analyse_investment(dataset: Dataset, params: InvestmentParams) -> InvestmentResults:
    """Run the whole analysis for one validated parameter set, each frame computed once."""
    data = investment_data(dataset)
    rate = params.discount_rate
    model = model_inputs(data, params.company, params.investor, params.exit_scenario)
    valuation = {
        cid: is_valuation(data.buyers, cid, params.investor) for cid in company_ids(params.company)
    }
    frame = summary = None
    if params.n_scenarios > 0:
        frame = sc.run_scenarios(model, params.n_scenarios, params.seed, rate)
        summary = sc.summarise(frame)
    book_model = dataclasses.replace(model_inputs(data, "both", "all", "book"), paid_in_eur_m=None)
    after = later.after_buyouts(data.events, data.capital_events)
    ovh = later.ovh_trajectory(data.revenue, data.capital_events)
    jobs = later.jobs(data.financials, data.plan_table, data.losses)
    cost = plan.losses_per_revenue(
        data.revenue, data.losses, data.revenue_totals, data.captive, data.financials, data.sources
    )
    notes, ids = _sources(data, params, cost, (after, ovh, jobs))
    results = InvestmentResults(
        params=params,
        data=data,
        model=model,
        assumptions=assumptions_table(data, model, rate),
        flows=returns.flows_with_ranges(model, rate, valuation),
        exit_results=returns.exit_scenario_results(model, rate),
        scenarios=frame,
        summary=summary,
        tornado_loss=sc.tornado(model, "loss_eur_m", rate),
        tornado_irr=sc.tornado(model, "irr", rate),
        attainment=plan.attainment(data.revenue, data.targets, captive=data.captive),
        cost=cost,
        npv_rates=returns.npv_by_rate(model, tuple(sorted({*returns.NPV_RATES_PCT, rate * 100.0}))),
        valuation=valuation,
        committed=returns.committed(
            data.capital, data.stakes, model, params.investor, data.state_money
        ),
        book_at_exit=returns.book_at_exit(book_model, rate),
        after=after,
        ovh=ovh,
        jobs=jobs,
        source_notes=notes,
        source_ids=ids,
    )
    table = key_number_table(results)
    return dataclasses.replace(
        results, key_numbers=KeyNumbers.from_table(table, results, headline=HEADLINE)
    )


_ASSUMED = "Exit prices, pay-in split and timing are named assumptions."


def _sources(
    data: InvestmentData,
    params: InvestmentParams,
    cost: pd.DataFrame,
    story: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The sources cited under each figure (only what it draws), and every source of the run."""
    company, investor = params.company, params.investor
    model_ids = model_source_ids(data, company, investor)
    return_ids = model_source_ids(data, company, investor, with_revenue=False)
    with_losses = params.exit_scenario != "zero"
    scenario_ids = model_source_ids(
        data, company, investor, with_revenue=False, with_losses=with_losses
    )
    targets = data.targets
    drawn_targets = targets.loc[targets["target_years"].map(len) > 0]
    revenue_ids = source_ids_of(*data.revenue["source_ids"], *drawn_targets["source_ids"])
    cost_ids = source_ids_of(*cost["source_ids"])
    after, ovh, jobs = story
    story_ids = source_ids_of(
        after["source_id"], *ovh["source_ids"], *(jobs["source_ids"] if len(jobs) else ())
    )

    def note(ids: tuple[str, ...], extra: str = "") -> str:
        return evidence.cite(ids, data.sources, max_items=6) + (f". {extra}" if extra else "")

    notes = {
        "capital": note(source_ids_of(*drawn_capital(data.capital)["source_ids"])),
        "flows": note(scenario_ids, _ASSUMED),
        "results": note(return_ids, _ASSUMED),
        "distribution": note(scenario_ids, _ASSUMED),
        "tornado": note(scenario_ids, _ASSUMED),
        "revenue": note(
            revenue_ids, "OVHcloud: fiscal years to 31 August (some press figures calendar)."
        ),
        "cost": note(cost_ids),
        "story": note(story_ids),
    }
    all_ids = source_ids_of(
        *data.capital["source_ids"],
        data.state_money["source_id"],
        *data.stakes["source_ids"],
        model_ids,
        *data.revenue["source_ids"],
        *targets["source_ids"],
        cost_ids,
        story_ids,
    )
    return notes, all_ids
