"""The frames of the investment domain, each computed once from a loaded dataset.

:func:`investment_data` reads the data tables once and derives every frame the returns
model, the plans and the report use (stakes, capital, losses, revenue, the State's money,
dates); the other functions of the domain take these frames, never the dataset, so nothing
is recomputed and nothing is cached behind the caller's back.

>>> from analysis.data.io import load_dataset
>>> data = investment_data(load_dataset())
>>> data.buyers
{'cloudwatt': 'orange', 'numergy': 'sfr'}
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.data.io import Dataset
from analysis.investment import accounts, dates, holdings, plan

__all__ = ["InvestmentData", "investment_data"]


@dataclass(frozen=True)
class InvestmentData:
    """Every frame the investment analysis starts from (see :func:`investment_data`)."""

    #: the founding shareholders' rows of ``shareholdings`` (before the buyouts)
    founding: pd.DataFrame
    #: :func:`analysis.investment.holdings.stakes`
    stakes: pd.DataFrame
    #: :func:`analysis.investment.accounts.cumulative_losses`
    losses: pd.DataFrame
    #: :func:`analysis.investment.holdings.capital`
    capital: pd.DataFrame
    #: :func:`analysis.investment.dates.loss_rates`
    loss_rates: pd.DataFrame
    #: :func:`analysis.investment.dates.creation_dates`
    creation_dates: pd.DataFrame
    #: :func:`analysis.investment.dates.exit_dates`
    exit_dates: dict[str, dates.ExitDate]
    #: :func:`analysis.investment.dates.equity_nil_at_exit`
    nil_equity: dict[str, str]
    #: :func:`analysis.investment.holdings.buyer_ids`
    buyers: dict[str, str]
    #: :func:`analysis.investment.accounts.revenue_by_year`
    revenue: pd.DataFrame
    #: :func:`analysis.investment.accounts.cumulative_revenue_observations`
    revenue_totals: pd.DataFrame
    #: :func:`analysis.investment.plan.plan_targets`
    targets: pd.DataFrame
    #: :func:`analysis.investment.plan.captive_share`
    captive: pd.DataFrame
    #: :func:`analysis.investment.holdings.state_money`
    state_money: pd.DataFrame
    #: :func:`analysis.investment.holdings.state_cash_rows`
    state_cash: pd.DataFrame
    #: :func:`analysis.investment.holdings.implied_state_paid_in`
    implied_state: pd.DataFrame
    #: :func:`analysis.investment.holdings.state_paid_in`
    state_bases: pd.DataFrame
    #: :func:`analysis.investment.holdings.state_split`
    state_split: dict[str, float]
    #: the data tables the later steps read as they are
    financials: pd.DataFrame
    events: pd.DataFrame
    capital_events: pd.DataFrame
    plan_table: pd.DataFrame
    sources: pd.DataFrame


def investment_data(dataset: Dataset) -> InvestmentData:
    """Read the data tables once and derive every frame of the investment domain."""
    founding = holdings.founding_rows(dataset.shareholdings)
    stakes = holdings.stakes(founding)
    losses = accounts.cumulative_losses(dataset)
    capital = holdings.capital(dataset.capital_events, losses)
    exits = dates.exit_dates(dataset.capital_events, dataset.sources)
    implied = holdings.implied_state_paid_in(stakes, capital)
    cash = holdings.state_cash_rows(dataset.capital_events)
    return InvestmentData(
        founding=founding,
        stakes=stakes,
        losses=losses,
        capital=capital,
        loss_rates=dates.loss_rates(dataset.financials, losses),
        creation_dates=dates.creation_dates(dataset.events, dataset.sources),
        exit_dates=exits,
        nil_equity=dates.equity_nil_at_exit(dataset.events, dataset.financials, exits),
        buyers=holdings.buyer_ids(dataset.capital_events),
        revenue=accounts.revenue_by_year(dataset),
        revenue_totals=accounts.cumulative_revenue_observations(dataset),
        targets=plan.plan_targets(dataset),
        captive=plan.captive_share(dataset),
        state_money=holdings.state_money(dataset.capital_events, dataset.sources),
        state_cash=cash,
        implied_state=implied,
        state_bases=holdings.state_paid_in(implied, cash),
        state_split=holdings.state_split(implied),
        financials=dataset.financials,
        events=dataset.events,
        capital_events=dataset.capital_events,
        plan_table=dataset.plan_targets,
        sources=dataset.sources,
    )
