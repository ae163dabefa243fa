"""Returns of one investor under each exit scenario, its flows, the NPV over rates, the book.

Frames and models in, frames out: each function evaluates the
:class:`~analysis.core.scenarios.InvestmentModel` of :mod:`analysis.investment.model` with the
engine of :mod:`analysis.core.scenarios` (central inputs, and the bounds over the corners of
the input ranges).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import evidence
from analysis.core import scenarios as sc
from analysis.data.holders import INVESTOR_ENTITIES
from analysis.investment.accounts import COMPANIES

__all__ = [
    "EXIT_SCENARIOS",
    "NPV_RATES_PCT",
    "RESULT_COLUMNS",
    "book_at_exit",
    "committed",
    "exit_scenario_results",
    "flows_with_ranges",
    "npv_by_rate",
]

EXIT_SCENARIOS: tuple[sc.ExitScenario, ...] = ("zero", "book", "range")
#: the engine's result columns reported per exit scenario (money lost first) -> the stem and
#: unit of their columns in :func:`exit_scenario_results`, and the scale to that unit
RESULT_COLUMNS: dict[str, tuple[str, str, float]] = {
    "loss_eur_m": ("loss", "eur_m", 1.0),
    "irr": ("irr", "pct", 100.0),
    "moic": ("moic", "x", 1.0),
    "paid_in_eur_m": ("paid_in", "eur_m", 1.0),
    "proceeds_eur_m": ("proceeds", "eur_m", 1.0),
    "npv_eur_m": ("npv", "eur_m", 1.0),
}


def exit_scenario_results(model: sc.InvestmentModel, discount_rate: float) -> pd.DataFrame:
    """Paid-in, proceeds, money lost, MOIC, IRR and NPV under each exit scenario.

    One row per exit scenario (``zero``, ``book``, ``range``); for each metric of
    :data:`RESULT_COLUMNS` the columns ``{stem}_central_{unit}`` (every input at its central
    value; the ``range`` scenario's exit price is then half the book value),
    ``{stem}_low_{unit}`` and ``{stem}_high_{unit}`` (bounds over the corners): money in
    ``eur_m``, the IRR in ``pct`` a year, the MOIC in ``x``; plus ``irr_status_central``.
    """
    rows = []
    for scenario in EXIT_SCENARIOS:
        model_s = dataclasses.replace(model, exit_scenario=scenario)
        central = sc.run_deterministic(model_s, discount_rate)
        corners = sc.run_corners(model_s, discount_rate)
        row: dict[str, Any] = {"exit_scenario": scenario}
        for metric, (stem, unit, scale) in RESULT_COLUMNS.items():
            values = corners[metric].to_numpy(dtype=float)
            defined = values[~np.isnan(values)]
            row[f"{stem}_central_{unit}"] = float(central[metric].iloc[0]) * scale
            row[f"{stem}_low_{unit}"] = float(defined.min()) * scale if defined.size else np.nan
            row[f"{stem}_high_{unit}"] = float(defined.max()) * scale if defined.size else np.nan
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


def committed(
    capital: pd.DataFrame,
    stakes: pd.DataFrame,
    model: sc.InvestmentModel,
    investor: str,
    state: pd.DataFrame,
) -> tuple[float, float, float]:
    """What the investor committed (low, central, high EUR m).

    The State: its planned funding per company as sourced (``state``, from
    :func:`analysis.investment.holdings.state_money`); another investor: its stake x the committed
    equity; all shareholders: the committed equity.
    """
    totals = [0.0, 0.0, 0.0]
    capital_events_state: dict[str, dict[str, float]] = {}
    planned_rows = state.loc[state["kind"].str.startswith("commitment")]
    for cid, rows in planned_rows.groupby("company_id"):
        est = evidence.estimate(rows["amount_eur_m"].tolist())
        capital_events_state[str(cid)] = {"low": est.low, "central": est.central, "high": est.high}
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


def book_at_exit(
    book_model: sc.InvestmentModel, discount_rate: float
) -> dict[str, tuple[float, float, float]]:
    """Each company's book equity at its exit (low, central, high EUR m, all shareholders).

    ``book_model`` is the model of all shareholders in both companies under ``book``, with the
    State's own paid-in left out (``paid_in_eur_m=None``); low and high are the bounds over
    the corners of its inputs.
    """
    corners = sc.run_corners(book_model, discount_rate)
    central = sc.run_deterministic(book_model, discount_rate)
    return {
        cid: (
            float(corners[f"{cid}_book_equity_eur_m"].min()),
            float(central[f"{cid}_book_equity_eur_m"].iloc[0]),
            float(corners[f"{cid}_book_equity_eur_m"].max()),
        )
        for cid in COMPANIES
    }
