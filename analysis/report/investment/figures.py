"""The investment notebook's figures, one function per section, from the run's results.

Each takes the :class:`~analysis.report.investment.results.InvestmentResults` and calls a
plot function of :mod:`.plots` with the frame it draws, its title and the sources it cites;
the notebook shows the figure with :func:`analysis.report.blocks.show_figure`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from analysis.report.blocks import upper_first
from analysis.report.investment.plots import (
    plot_capital,
    plot_cash_flows,
    plot_distributions,
    plot_exit_scenarios,
    plot_tornado,
)
from analysis.report.investment.plots_revenue import plot_losses_per_revenue, plot_revenue_vs_plan
from analysis.report.investment.results import InvestmentResults

__all__ = [
    "capital_figure",
    "cost_figure",
    "distribution_figure",
    "flows_figure",
    "report_figures",
    "results_figure",
    "revenue_figure",
    "tornado_figure",
]


def capital_figure(results: InvestmentResults) -> Figure:
    """Capital committed, paid in and lost per company, with its sources."""
    return plot_capital(results.capital, source_note=results.source_notes["capital"])


def flows_figure(results: InvestmentResults) -> Figure:
    """The investor's cash flows at central inputs, under the run's exit scenario."""
    scenario = results.params.exit_scenario
    return plot_cash_flows(
        results.flows,
        source_note=results.source_notes["flows"],
        title=f"Cash flows of {results.investor_name} in {results.companies_name} (central "
        f"inputs, exit scenario '{scenario}')",
        exit_scenario=scenario,
    )


def results_figure(results: InvestmentResults) -> Figure:
    """Money lost and IRR under each exit scenario, with their bounds."""
    return plot_exit_scenarios(
        results.exit_results,
        source_note=results.source_notes["results"],
        title=f"{upper_first(results.investor_name)} in {results.companies_name}: money lost "
        "and IRR under each exit scenario",
        chosen=results.params.exit_scenario,
    )


def distribution_figure(results: InvestmentResults) -> Figure | None:
    """Money lost and IRR over the scenarios; None when the engine was off."""
    if results.scenarios is None:
        return None
    return plot_distributions(
        results.scenarios,
        results.summary,
        source_note=results.source_notes["distribution"],
        title=(
            f"Money lost and IRR over {len(results.scenarios):,} scenarios "
            f"(exit scenario '{results.params.exit_scenario}', seed {results.params.seed})"
        ),
    )


def tornado_figure(results: InvestmentResults) -> Figure:
    """What moves the money lost and the IRR most, one input at a time."""
    return plot_tornado(
        results.tornado_loss,
        results.tornado_irr,
        source_note=results.source_notes["tornado"],
        title=f"What moves the result most (exit scenario '{results.params.exit_scenario}')",
    )


def revenue_figure(results: InvestmentResults) -> Figure:
    """Revenue against the plans, with OVHcloud beside the two companies."""
    return plot_revenue_vs_plan(
        results.revenue, results.targets, source_note=results.source_notes["revenue"]
    )


def cost_figure(results: InvestmentResults) -> Figure:
    """Net losses per euro of revenue."""
    return plot_losses_per_revenue(
        results.cost,
        source_note=results.source_notes["cost"],
        title="Net losses per euro of revenue: Cloudwatt and Numergy 2012-2014, OVHcloud",
    )


def report_figures(results: InvestmentResults) -> dict[str, Figure | None]:
    """Every figure of an investment run's results, by section.

    ``distribution`` is None when the scenario engine was off (``n_scenarios = 0``).
    """
    return {
        "capital": capital_figure(results),
        "flows": flows_figure(results),
        "results": results_figure(results),
        "distribution": distribution_figure(results),
        "tornado": tornado_figure(results),
        "revenue": revenue_figure(results),
        "cost": cost_figure(results),
    }
