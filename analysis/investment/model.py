"""From data/ to the returns model: what each investor put into Cloudwatt and Numergy, and when.

Pure functions of the frames of :class:`~analysis.investment.inputs.InvestmentData` (each
computed once) and plain values: they build the
:class:`~analysis.core.scenarios.InvestmentModel` the scenario engine evaluates and list the
sources behind it. Every input of the model carries a ``why``: its sources, or ``"assumption:
..."`` when no source gives it.

Named assumptions introduced here (each is shown to readers by
:func:`analysis.investment.assumptions.assumptions_table`):

- **Pay-ins pro rata to the stakes.** Sources give the capital paid in by all shareholders
  together; each investor is taken to have paid its stake's share of it.
- **The State's paid-in: its own cash figures, split by a stated rule.** Pro rata to its stakes
  the State paid 51.8 to 55.9 M EUR to end 2014; its own cash figures for both clouds say about
  50 (to 2015), at most 75 (to March 2015) and 75, "half" of the 150 M EUR envelope (to October
  2015). The exits fall in 2015-2016, so the model draws the State's paid-in over both clouds
  from the union of the two ranges with the central of the project's ``span`` rule on the
  State's own cash figures (:func:`analysis.investment.holdings.state_paid_in`), and splits it
  between the companies in proportion to the State's pro-rata paid-in at central inputs
  (:func:`analysis.investment.holdings.state_split`). The per-company and the combined views
  use the same total and the same split, so their amounts add up, bounds included.
- **Losses carried to the exit.** The book equity at the exit is paid-in minus the cumulative
  losses to the end of 2014 minus the losses from 2015-01-01 to the exit date at the last
  reported yearly loss rate (:func:`analysis.investment.dates.loss_rates`); a safeguard
  procedure opened before the exit (Numergy, 2015-10-13, with about six months of cash) bounds
  the equity at nil (:func:`analysis.investment.dates.equity_nil_at_exit`).
- **All shareholders hold 100 %.** The published stakes are rounded (44.4 + 22.2 + 33.3 = 99.9
  %; 46 or 47 + 20 + 33): for ``investor="all"`` the stake is the whole company.
- **Pay-in timing** (see :func:`analysis.core.scenarios.pay_in_dates`): tranches on the
  creation date and on 1 July of each later year to the last accounts (2014); when a source
  gives only the month of creation, the first day of that month.
- **No capital after the sourced totals** for the companies' book value: 2015 capital calls
  (Numergy; the State's figures run to 2015) are not reported by company; they are taken to
  have paid for the 2015 losses carried above, adding nothing to the equity at the exit.
- **Exit date known to the year only** (Numergy, "2016"): the first half of that year, and
  after the announcement of the deal.
- **Buyers' stakes** (Orange in Cloudwatt, SFR in Numergy, and every shareholder for
  ``investor="all"``) are valued at the buyout date at the same price per share as the sellers'
  stakes: a valuation, not cash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.core import evidence
from analysis.core import scenarios as sc
from analysis.investment.accounts import LAST_ACCOUNTS_YEAR, cumulative_revenue
from analysis.investment.dates import publisher
from analysis.investment.holdings import (
    BOUND_WORDS,
    COMPANY_NAMES,
    INVESTOR_NAMES,
    company_ids,
    holder_ids,
    is_valuation,
    source_ids_of,
    uses_state_cash,
)
from analysis.investment.inputs import InvestmentData

__all__ = ["cited", "model_inputs", "model_source_ids", "range_text"]


def model_source_ids(
    data: InvestmentData,
    company: str,
    investor: str,
    *,
    with_losses: bool = True,
    with_revenue: bool = True,
) -> tuple[str, ...]:
    """Every source behind the inputs of :func:`model_inputs` for this company and investor.

    ``with_losses=False`` leaves out the cumulative losses (they only set the book value,
    unused when nothing comes back); ``with_revenue=False`` the revenue (it only feeds the
    losses per euro of revenue, not the return).
    """
    st, money, exits = data.stakes, data.capital, data.exit_dates
    created = data.creation_dates.set_index("company_id")
    rates = data.loss_rates.set_index("company_id")
    items = ["paid_in", "lost"] if with_losses else ["paid_in"]
    groups: list[Iterable[str]] = []
    for cid in company_ids(company):
        holders = holder_ids(data.founding, cid, investor)
        groups += list(
            st.loc[(st["company_id"] == cid) & st["holder_id"].isin(holders), "source_ids"]
        )
        rows = money.loc[(money["company_id"] == cid) & money["item"].isin(items)]
        if with_losses:  # the latest period only: the one the model uses, and the loss rate
            groups.append(rates.loc[cid, "source_ids"])
            lost = data.losses.loc[data.losses["company_id"] == cid]
            latest = lost.loc[lost["period_end_year"] == lost["period_end_year"].max()]
            rows = rows.loc[(rows["item"] == "paid_in") | rows["period"].isin(latest["period"])]
        groups += list(rows["source_ids"])
        groups += [created.loc[cid, "source_ids"], exits[cid].source_ids]
        if with_revenue:
            total = cumulative_revenue(data.revenue, cid, totals=data.revenue_totals)
            groups.append(total["source_ids"])
    if uses_state_cash(data.state_cash, company, investor):
        groups.append(data.state_bases.set_index("basis").loc["used", "source_ids"])
    return source_ids_of(*groups)


def _from_estimate(row: pd.Series, label: str, why: str) -> sc.Distribution:
    """A fixed value, or a triangular range peaking at the estimate's central value."""
    if row["low"] == row["high"]:
        return sc.Fixed(float(row["central"]), label, why)
    return sc.Triangular(float(row["low"]), float(row["central"]), float(row["high"]), label, why)


def cited(ids: Sequence[str], sources: pd.DataFrame) -> str:
    """The publishers and dates of some sources, for a ``why`` text."""
    return evidence.cite(ids, sources).removeprefix("Sources: ")


def range_text(row: pd.Series) -> str:
    """``'100 to 112.5 (central 100)'``, or the value alone when there is no range."""
    if row["low"] == row["high"]:
        return f"{row['central']:g}"
    return f"{row['low']:g} to {row['high']:g} (central {row['central']:g})"


def model_inputs(
    data: InvestmentData,
    company: str,
    investor: str,
    exit_scenario: sc.ExitScenario = "range",
    *,
    pay_in_timing: sc.PayInTiming = "random",
) -> sc.InvestmentModel:
    """The returns model of one investor (or all) in one company (or both), from data/.

    Every input's ``why`` names its sources or states the assumption. Ranges come from the
    sourced figures (triangular, peaking at the evidence's central value); the exit price
    follows ``exit_scenario`` (see :mod:`analysis.core.scenarios`).
    """
    state_cash = uses_state_cash(data.state_cash, company, investor)
    companies = tuple(
        _company_inputs(data, cid, investor, state_cash, pay_in_timing)
        for cid in company_ids(company)
    )
    split = {cid: data.state_split[cid] for cid in company_ids(company)} if state_cash else None
    return sc.InvestmentModel(
        investor,
        companies,
        exit_scenario,
        pay_in_timing,
        paid_in_eur_m=_state_paid_in_input(data) if state_cash else None,
        paid_in_split=split,
        npv_date=min(data.creation_dates["date"]),
    )


def _company_inputs(
    data: InvestmentData,
    cid: str,
    investor: str,
    state_cash: bool,
    pay_in_timing: sc.PayInTiming,
) -> sc.CompanyInputs:
    """One company's inputs to the returns model of ``investor``."""
    created = data.creation_dates.set_index("company_id").loc[cid, "date"]
    dates = sc.pay_in_dates(created, last_year=LAST_ACCOUNTS_YEAR)
    split = (
        ", so every split is equally likely" if pay_in_timing == "random" else ", taken as equal"
    )
    return sc.CompanyInputs(
        cid,
        stake_pct=_stake_input(data, cid, investor),
        paid_in_total_eur_m=_paid_in_input(data, cid, state_cash),
        cumulative_losses_eur_m=_losses_input(data, cid),
        revenue_eur_m=_revenue_input(data, cid),
        pay_in_dates=dates,
        exit_date=_exit_input(data, cid, investor),
        revenue_year=LAST_ACCOUNTS_YEAR,
        accounts_date=dt.date(LAST_ACCOUNTS_YEAR, 12, 31),
        loss_rate_eur_m_per_year=_loss_rate_input(data, cid),
        equity_nil_at_exit=cid in data.nil_equity,
        sources={
            "tranche_share": (
                f"assumption: paid in tranches on {', '.join(map(str, dates))} "
                f"(the creation date, then 1 July of each year to "
                f"{LAST_ACCOUNTS_YEAR}); the split was not published{split}"
            )
        },
    )


def _stake_input(data: InvestmentData, cid: str, investor: str) -> sc.Distribution:
    """The investor's stake (%): sourced, or 100 % for all shareholders together."""
    name = COMPANY_NAMES[cid]
    stake_table = data.stakes.set_index(["company_id", "holder_id"])
    holders = holder_ids(data.founding, cid, investor)
    if investor == "all":
        total = sum(stake_table.loc[(cid, h), "central"] for h in holders)
        return sc.Fixed(
            100.0,
            f"{name}: stake of all shareholders together (%)",
            f"assumption: all shareholders together own the whole company (the rounded "
            f"published stakes sum to {total:g} %)",
        )
    who = {"state": "the State", "bull": "Bull"}.get(investor, INVESTOR_NAMES[investor])
    row = stake_table.loc[(cid, holders[0])]
    return _from_estimate(
        row,
        f"{name}: {who}'s stake (%)",
        f"sourced: {range_text(row)} % ({cited(row['source_ids'], data.sources)})",
    )


def _paid_in_input(data: InvestmentData, cid: str, state_cash: bool) -> sc.Distribution:
    """The capital paid in by all shareholders (EUR m), as sourced."""
    money = data.capital
    paid = money.loc[(money["company_id"] == cid) & (money["item"] == "paid_in")].iloc[0]
    split_note = (
        "; for the State it sets the book value and splits the State's paid-in between the "
        "two companies"
        if state_cash
        else ""
    )
    return _from_estimate(
        paid,
        f"{COMPANY_NAMES[cid]}: capital paid in by all shareholders (EUR m)",
        f"sourced: {range_text(paid)} ({cited(paid['source_ids'], data.sources)}); "
        "assumption: no capital paid in after these figures (2015 capital calls are not "
        f"reported and not modelled for the companies){split_note}",
    )


def _losses_input(data: InvestmentData, cid: str) -> sc.Distribution:
    """The cumulative losses of the latest reported period (EUR m)."""
    lost = data.losses.loc[data.losses["company_id"] == cid]
    lost = lost.loc[lost["period_end_year"] == lost["period_end_year"].max()].iloc[0]
    return _from_estimate(
        lost,
        f"{COMPANY_NAMES[cid]}: cumulative losses {lost['period']} (EUR m)",
        f"sourced: {range_text(lost)} ({cited(lost['source_ids'], data.sources)}); "
        f"assumption: book value at the exit = paid-in minus these losses minus the "
        f"losses carried from the end of {LAST_ACCOUNTS_YEAR} to the exit",
    )


def _loss_rate_input(data: InvestmentData, cid: str) -> sc.Distribution:
    """The last reported yearly loss rate, carried from the last accounts to the exit."""
    rate_row = data.loss_rates.set_index("company_id").loc[cid]
    rate_text = (
        f"{rate_row['low']:g}"
        if rate_row["low"] == rate_row["high"]
        else f"{rate_row['low']:g} to {rate_row['high']:g}, uniform"
    )
    return _from_range(
        rate_row,
        f"{COMPANY_NAMES[cid]}: net losses per year after {LAST_ACCOUNTS_YEAR}, carried to the "
        "exit (EUR m a year)",
        f"sourced + assumption: the last reported loss rate, {rate_text} "
        f"({rate_row['why']}; {cited(rate_row['source_ids'], data.sources)}); assumption: "
        f"losses went on at this rate from the end of {LAST_ACCOUNTS_YEAR} to the exit "
        "(no later accounts are reported)",
    )


def _revenue_input(data: InvestmentData, cid: str) -> sc.Distribution:
    """The cumulative revenue to the last accounts year (EUR m)."""
    rev = pd.Series(cumulative_revenue(data.revenue, cid, totals=data.revenue_totals))
    return _from_estimate(
        rev,
        f"{COMPANY_NAMES[cid]}: revenue {rev['period']}, cumulative (EUR m)",
        f"sourced: {range_text(rev)} ({cited(rev['source_ids'], data.sources)}); "
        f"{rev['assumption']}",
    )


def _exit_input(data: InvestmentData, cid: str, investor: str) -> sc.Distribution:
    """The date the stake was sold (or valued): a day, or a window drawn uniformly."""
    name = COMPANY_NAMES[cid]
    exit_date = data.exit_dates[cid]
    label = (
        f"{name}: buyout date (the stake's valuation date)"
        if is_valuation(data.buyers, cid, investor)
        else f"{name}: date the stake was sold"
    )
    value = exit_date.value
    if isinstance(value, tuple):
        return sc.UniformDate(*value, label, exit_date.why)
    return sc.Fixed(value, label, exit_date.why)


def _from_range(row: pd.Series, label: str, why: str) -> sc.Distribution:
    """A fixed value, or a uniform draw between the row's low and high."""
    if row["low"] == row["high"]:
        return sc.Fixed(float(row["low"]), label, why)
    return sc.Uniform(float(row["low"]), float(row["high"]), label, why)


def _state_paid_in_input(data: InvestmentData) -> sc.Distribution:
    """The State's paid-in over both clouds: the union of its two bases (triangular)."""
    bases = data.state_bases.set_index("basis")
    used, pro = bases.loc["used"], bases.loc["pro_rata"]
    cash_rows = data.state_cash
    listed = "; ".join(
        f"{'' if b == 'point' else BOUND_WORDS[b] + ' '}{v:g} by "
        f"{p.removeprefix('to ')} ({publisher(data.sources, s)})"
        for v, b, p, s in sorted(
            zip(
                cash_rows["amount_eur_m"],
                cash_rows["bound"],
                cash_rows["period_as_published"],
                cash_rows["source_id"],
                strict=True,
            ),
            key=lambda r: (r[2], r[0]),
        )
    )
    split = data.state_split
    shares = ", ".join(f"{COMPANY_NAMES[c]} {100 * v:.1f} %" for c, v in split.items())
    why = (
        "sourced + assumption: the union of two bases. Pro rata, the State's stakes x the "
        f"paid-in totals to end 2014: {pro['low']:.1f} to {pro['high']:.1f} "
        f"({cited(pro['source_ids'], data.sources)}). The State's own cash figures for both "
        f"clouds: {listed}. Used: {used['low']:.1f} to {used['high']:.1f}, central "
        f"{used['central']:.1f} (the span rule on the State's own figures, which run to 2015, "
        f"the year of the exits; the pro-rata central, {pro['central']:.1f}, stops at the end "
        f"of 2014), triangular and symmetric about the central, so the central is also the "
        f"median draw. Split between the companies ({shares}) in proportion to the State's "
        "pro-rata paid-in at central inputs, the same in every view, since no source splits "
        "the State's cash by company. Assumption: money above the pro-rata figure was 2015 "
        "capital calls; it is spread over the same tranches as the rest (paid later, it "
        "would make the IRR lower still) and paid for the 2015 losses, adding nothing to the "
        "book value at the exit"
    )
    low, high = float(used["low"]), float(used["high"])
    central = float(used["central"])
    return sc.Triangular(
        low,
        central,
        high,
        "The State's paid-in over both clouds, its own cash figures or pro rata (EUR m)",
        why,
    )
