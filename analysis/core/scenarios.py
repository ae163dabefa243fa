"""Investment-return scenarios: what one investor paid into Cloudwatt and/or Numergy, and got back.

The model is a pure function of plain numbers (the notebook feeds it from ``data/``):

- per company, the capital paid in by all shareholders, the investor's stake, the cumulative
  losses at the last known accounts, the revenue of one year, the pay-in tranche dates and
  the exit date, each a number (known), a ``(low, high)`` range (uniform) or a distribution;
- the **pay-in timing**, a named assumption: the capital came in tranches on the given dates,
  split by shares drawn from Dirichlet(1, ..., 1) (``"random"``) or equal (``"equal"``);
- the **exit scenario**, a named assumption about the undisclosed buyout price: ``"zero"``
  (nothing came back), ``"book"`` (the stake's share of the book equity at the exit date:
  paid-in minus cumulative losses, carried from the last accounts to the exit at a yearly
  loss rate when the company gives an accounts date, floored at 0, nil when an event bounds
  it there) or ``"range"`` (uniform between the two).

The investor's flows are ``-stake x paid-in x share_j`` at each tranche date and
``+stake x exit share x book equity`` at the exit date; with several companies the flows are
added per date. When the sources give the investor's own paid-in over all its companies (the
State's cash figures), the model's ``paid_in_eur_m`` input sets that total: each company's
pay-ins are then scaled so that they add up to it, keeping their split between companies
(``stake x paid-in``), while the exit proceeds still follow the stake and the book equity.
:func:`run_scenarios` draws ``n`` scenarios (see :mod:`analysis.core.distributions`) and computes
every scenario's MOIC, IRR, NPV and money lost at once with numpy
(:mod:`analysis.core.batch_returns`). ``periodic=True`` puts each flow at its calendar year's
index instead of its date (a spreadsheet with one column per year, as numpy-financial's
``irr`` sees it).

This module also re-exports the engine's building blocks so that notebooks need only
``from analysis.core import scenarios``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core.batch_returns import (
    IRR_STATUS_NAMES,
    irr_batch,
    irr_columns,
    npv_columns,
    xnpv_batch,
)
from analysis.core.distributions import (
    Choice,
    Dirichlet,
    Distribution,
    Fixed,
    ScenarioSpec,
    Triangular,
    Uniform,
    UniformDate,
    corner_values,
    describe_inputs,
    sample,
)
from analysis.core.returns import moic

__all__ = [
    "INVESTOR_PAID_IN",
    "IRR_STATUS_NAMES",
    "METRICS",
    "CashFlows",
    "Choice",
    "CompanyInputs",
    "Dirichlet",
    "ExitScenario",
    "Fixed",
    "InvestmentModel",
    "PayInTiming",
    "ScenarioSpec",
    "Triangular",
    "Uniform",
    "UniformDate",
    "book_equity_at_exit",
    "build_spec",
    "cash_flows",
    "describe_inputs",
    "evaluate",
    "irr_batch",
    "losses_carried",
    "pay_in_dates",
    "run_corners",
    "run_deterministic",
    "run_scenarios",
    "sample",
    "scenario_flows",
    "summarise",
    "tornado",
    "xnpv_batch",
]

ExitScenario = Literal["zero", "book", "range"]
PayInTiming = Literal["random", "equal"]

#: Result columns of :func:`run_scenarios`, for the whole investment.
METRICS = (
    "paid_in_eur_m",
    "proceeds_eur_m",
    "moic",
    "irr",
    "irr_status",
    "npv_eur_m",
    "loss_eur_m",
)
_NO_SOURCE = "given by the caller (no source recorded)"
#: name of the optional input that sets the investor's paid-in over all its companies
INVESTOR_PAID_IN = "investor_paid_in_eur_m"
_EXIT_WHY = {
    "zero": "assumption (exit scenario 'zero'): nothing came back; the price was never disclosed",
    "book": (
        "assumption (exit scenario 'book'): the stake was sold at its share of the book equity "
        "at the exit date (paid-in minus cumulative losses, carried to the exit when the "
        "accounts end earlier, floored at 0); the price was never disclosed"
    ),
    "range": (
        "assumption (exit scenario 'range'): the price was anywhere between nothing and the "
        "book value, all equally likely; it was never disclosed"
    ),
}

InputValue = float | tuple[Any, Any] | dt.date | Distribution


@dataclass(frozen=True)
class CompanyInputs:
    """One company's figures, for one investor (or a group of investors).

    Each figure is a number or date (known), a ``(low, high)`` pair (drawn uniformly, e.g.
    when sources disagree) or a distribution from :mod:`analysis.core.distributions`.

    Attributes
    ----------
    company_id : str
        Lowercase slug, e.g. ``"cloudwatt"``; prefixes the input and column names.
    stake_pct : number, pair or distribution
        The investor's share of the capital, % (0-100]. For all investors, the sum of stakes.
    paid_in_total_eur_m : number, pair or distribution
        Capital paid in by all shareholders up to the exit, EUR m nominal.
    cumulative_losses_eur_m : number, pair or distribution
        Cumulative net losses at the last known accounts, EUR m nominal (positive).
    revenue_eur_m : number, pair or distribution
        Revenue of ``revenue_year``, EUR m nominal.
    pay_in_dates : tuple of datetime.date
        Dates of the pay-in tranches, ascending (see :func:`pay_in_dates`).
    exit_date : date, pair of dates or distribution
        When the investor sold its stake; must be after the last pay-in date.
    revenue_year : int
        Calendar year of ``revenue_eur_m`` (for labels).
    sources : mapping of str to str
        ``why`` text per field name (its sources, or ``"assumption: ..."``).
    accounts_date : datetime.date or None
        The date the cumulative losses run to (the last known accounts). When set, the
        losses are carried forward from it to the exit date at ``loss_rate_eur_m_per_year``
        (the book equity at the exit = paid-in - cumulative losses - rate x years, floored
        at 0). None: no carry (the book equity at the exit is taken at the last accounts).
    loss_rate_eur_m_per_year : number, pair or distribution
        Net losses per year after ``accounts_date``, EUR m nominal (positive).
    equity_nil_at_exit : bool
        True when an event before the exit (a safeguard procedure) bounds the book equity at
        the exit at nil: the stake's book value is then 0 whatever the figures above give.
    """

    company_id: str
    stake_pct: InputValue
    paid_in_total_eur_m: InputValue
    cumulative_losses_eur_m: InputValue
    revenue_eur_m: InputValue
    pay_in_dates: tuple[dt.date, ...]
    exit_date: InputValue
    revenue_year: int = 2014
    sources: Mapping[str, str] = field(default_factory=dict)
    accounts_date: dt.date | None = None
    loss_rate_eur_m_per_year: InputValue = 0.0
    equity_nil_at_exit: bool = False

    def __post_init__(self) -> None:
        cid = self.company_id
        if not (cid.isidentifier() and cid == cid.lower()):
            raise ValueError(f"company_id {cid!r} must be a lowercase slug such as 'cloudwatt'")
        dates = tuple(np.datetime64(d, "D").astype(dt.date) for d in self.pay_in_dates)
        if not dates or list(dates) != sorted(set(dates)):
            raise ValueError(f"{cid}: pay_in_dates must be distinct dates in ascending order")
        object.__setattr__(self, "pay_in_dates", dates)


@dataclass(frozen=True)
class InvestmentModel:
    """One investor's position in one or several companies, and the two named assumptions.

    ``paid_in_eur_m`` (optional; a number, a ``(low, high)`` pair or a distribution) is the
    investor's own paid-in over all the companies, EUR m, when sources give it directly. It
    replaces the sum of ``stake x paid-in total`` for the amounts paid in; the split between
    companies and tranches, and the exit proceeds, are unchanged. None (the default): each
    company's pay-ins are ``stake x paid-in total``.

    ``paid_in_split`` (optional, with ``paid_in_eur_m``) fixes each company's share of that
    total (a stated rule, e.g. the State's pro-rata split at central inputs): company ``c``
    is paid ``paid_in_eur_m x paid_in_split[c]``. The shares need not sum to 1 over the
    model's companies (a one-company model takes its share of a total over two), so models
    of each company and a model of both give amounts that add up, bounds included. None:
    the total is split pro rata to ``stake x paid-in total`` in each scenario.

    ``npv_date`` (optional, on or before the first pay-in) is the date flows are discounted
    to and timed from; None: the first pay-in date. A common date makes the NPVs of models
    of single companies add up to the NPV of a model of them all.
    """

    investor_id: str
    companies: tuple[CompanyInputs, ...]
    exit_scenario: ExitScenario = "range"
    pay_in_timing: PayInTiming = "random"
    paid_in_eur_m: InputValue | None = None
    paid_in_split: Mapping[str, float] | None = None
    npv_date: dt.date | None = None

    def __post_init__(self) -> None:
        companies = tuple(self.companies)
        ids = [c.company_id for c in companies]
        if not companies or len(set(ids)) != len(ids):
            raise ValueError("companies must be one or more CompanyInputs with distinct ids")
        if self.exit_scenario not in _EXIT_WHY:
            raise ValueError(f"exit_scenario must be one of {sorted(_EXIT_WHY)}")
        if self.pay_in_timing not in ("random", "equal"):
            raise ValueError("pay_in_timing must be 'random' or 'equal'")
        if self.paid_in_split is not None:
            if self.paid_in_eur_m is None:
                raise ValueError("paid_in_split needs paid_in_eur_m (the total it splits)")
            missing = [i for i in ids if i not in self.paid_in_split]
            shares = [float(self.paid_in_split[i]) for i in ids if i in self.paid_in_split]
            if missing or any(not 0.0 < v <= 1.0 for v in shares) or sum(shares) > 1.0 + 1e-9:
                raise ValueError(
                    "paid_in_split must give every company a share in (0, 1], summing to <= 1"
                )
        object.__setattr__(self, "companies", companies)


def pay_in_dates(
    creation_date: dt.date | str, last_year: int = 2014, mid_year: tuple[int, int] = (7, 1)
) -> tuple[dt.date, ...]:
    """Tranche dates: the creation date, then mid-year of each following year to ``last_year``.

    This is the named pay-in timing assumption (the actual call dates were not published).

    >>> pay_in_dates(dt.date(2012, 9, 6))
    (datetime.date(2012, 9, 6), datetime.date(2013, 7, 1), datetime.date(2014, 7, 1))
    """
    first = np.datetime64(creation_date, "D").astype(dt.date)
    later = (dt.date(year, *mid_year) for year in range(first.year + 1, last_year + 1))
    return (first, *later)


def build_spec(model: InvestmentModel) -> ScenarioSpec:
    """The named inputs of ``model``, each with a label and its source or assumption."""
    inputs: dict[str, Distribution] = {}
    for company in model.companies:
        inputs.update(_company_inputs(model, company))
    if model.paid_in_eur_m is not None:
        inputs[INVESTOR_PAID_IN] = _distribution(
            model.paid_in_eur_m,
            f"{model.investor_id}: paid in over all companies (EUR m)",
            _NO_SOURCE,
        )
    spec = ScenarioSpec(inputs)
    _check_ranges(model, spec)
    return spec


def _company_inputs(model: InvestmentModel, c: CompanyInputs) -> dict[str, Distribution]:
    name, who, cid = c.company_id.capitalize(), model.investor_id, c.company_id
    shown = ", ".join(str(d) for d in c.pay_in_dates)
    m = len(c.pay_in_dates)
    if model.pay_in_timing == "random":
        shares: Distribution = Dirichlet((1.0,) * m)
        shares_why = (
            f"assumption: paid in {m} tranches on {shown}; the split was not published, "
            "so every split is equally likely (Dirichlet(1, ..., 1))"
        )
    else:
        shares = Fixed((1.0 / m,) * m)
        shares_why = f"assumption: paid in {m} equal tranches on {shown}"
    ranged = isinstance(c.exit_date, tuple | UniformDate)
    exit_share: dict[str, Distribution] = {
        "zero": Fixed(0.0),
        "book": Fixed(1.0),
        "range": Uniform(0.0, 1.0),
    }
    table: list[tuple[str, InputValue | Distribution, str, str | None]] = [
        ("stake_pct", c.stake_pct, f"{name}: {who}'s stake (%)", None),
        ("paid_in_total_eur_m", c.paid_in_total_eur_m, f"{name}: capital paid in (EUR m)", None),
        (
            "cumulative_losses_eur_m",
            c.cumulative_losses_eur_m,
            f"{name}: cumulative losses at the last known accounts (EUR m)",
            None,
        ),
        ("revenue_eur_m", c.revenue_eur_m, f"{name}: revenue {c.revenue_year} (EUR m)", None),
        (
            "tranche_share",
            shares,
            f"{name}: share of the capital paid in at each tranche ({shown})",
            shares_why,
        ),
        (
            "exit_date",
            c.exit_date,
            f"{name}: date {who} sold its stake",
            "assumption: the date is known only within this window" if ranged else None,
        ),
        (
            "exit_share_of_book",
            exit_share[model.exit_scenario],
            f"{name}: exit price as a share of the stake's book equity",
            _EXIT_WHY[model.exit_scenario],
        ),
    ]
    if c.accounts_date is not None:
        table.insert(
            3,
            (
                "loss_rate_eur_m_per_year",
                c.loss_rate_eur_m_per_year,
                f"{name}: net losses per year after {c.accounts_date}, carried to the exit "
                "(EUR m a year)",
                None,
            ),
        )
    out = {}
    for field_name, value, label, default_why in table:
        # A distribution's own label/why wins, then the caller's sources, then our default;
        # the exit share always states the exit scenario it comes from.
        why = c.sources.get(field_name, default_why or _NO_SOURCE)
        if field_name == "exit_share_of_book":
            why = _EXIT_WHY[model.exit_scenario]
        out[f"{cid}_{field_name}"] = _distribution(value, label, why)
    return out


def evaluate(
    model: InvestmentModel,
    draws: Mapping[str, np.ndarray],
    discount_rate: float,
    *,
    periodic: bool = False,
) -> dict[str, np.ndarray]:
    """Every scenario's flows and metrics, vectorised over the rows of ``draws``.

    Parameters
    ----------
    model : InvestmentModel
    draws : mapping of str to numpy.ndarray
        One array per input of ``build_spec(model)`` (as from :func:`sample`).
    discount_rate : float
        Annual rate for the NPV (> -1), an assumption. The NPV is in EUR m of the first
        pay-in date (of period 0 when ``periodic``).
    periodic : bool
        Put each flow at its year's index (year - first pay-in year) instead of its date.

    Returns
    -------
    dict of str to numpy.ndarray
        Per company ``{id}_paid_in_eur_m``, ``{id}_proceeds_eur_m`` (the investor's),
        ``{id}_book_equity_eur_m`` and ``{id}_loss_per_revenue_eur`` (the company's
        cumulative losses per euro of revenue); then the totals in :data:`METRICS`
        (``irr_status`` as integer codes into ``IRR_STATUS_NAMES``).
    """
    flows, out = _build_flows(model, draws, periodic)
    paid_total = np.zeros(flows.n_scenarios)
    proceeds_total = np.zeros(flows.n_scenarios)
    for c in model.companies:
        paid_total += out[f"{c.company_id}_paid_in_eur_m"]
        proceeds_total += out[f"{c.company_id}_proceeds_eur_m"]
    rates, codes = irr_columns(flows.amounts, flows.times)
    out["paid_in_eur_m"] = paid_total
    out["proceeds_eur_m"] = proceeds_total
    out["moic"] = np.asarray(moic(paid_total, proceeds_total), dtype=float)
    out["irr"] = rates
    out["irr_status"] = codes
    out["npv_eur_m"] = npv_columns(discount_rate, flows.amounts, flows.times)
    out["loss_eur_m"] = paid_total - proceeds_total
    return out


@dataclass(frozen=True)
class CashFlows:
    """The investor's flows in a batch of scenarios, one column per date (flows summed).

    Columns shared by every scenario come first, in time order; columns whose date is drawn
    per scenario (a sampled exit date) come last.

    Attributes
    ----------
    amounts : tuple of numpy.ndarray
        K columns of shape (N,): signed flows in EUR m (paid in < 0).
    times : tuple of float or numpy.ndarray
        Per column, the time in years (ACT/365) or whole periods from ``origin``: a float
        when every scenario shares it, else an (N,) array.
    origin : datetime.date
        The first pay-in date (time 0).
    periodic : bool
        True when times are calendar-year indices (0 for the year of ``origin``).
    """

    amounts: tuple[np.ndarray, ...]
    times: tuple[float | np.ndarray, ...]
    origin: dt.date
    periodic: bool

    @property
    def n_scenarios(self) -> int:
        return len(self.amounts[0])

    def to_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """Amounts and times as (N, K) arrays (the input form of ``irr_batch``)."""
        n = self.n_scenarios
        amounts = np.column_stack(self.amounts) if n else np.zeros((0, len(self.amounts)))
        times = np.column_stack([np.broadcast_to(t, (n,)) for t in self.times])
        return amounts, times.reshape(n, len(self.times))

    def to_dates(self) -> np.ndarray:
        """The (N, K) dates of the flows (``datetime64[D]``); dated flows only."""
        if self.periodic:
            raise ValueError("periodic flows have years, not dates")
        _, times = self.to_matrices()
        return np.datetime64(self.origin, "D") + np.rint(times * 365.0).astype(np.int64)


def cash_flows(
    model: InvestmentModel, draws: Mapping[str, np.ndarray], *, periodic: bool = False
) -> CashFlows:
    """The investor's flows of every scenario of ``draws``, summed per date (or per year)."""
    return _build_flows(model, draws, periodic)[0]


def _build_flows(
    model: InvestmentModel, draws: Mapping[str, np.ndarray], periodic: bool
) -> tuple[CashFlows, dict[str, np.ndarray]]:
    """The flows, and the per-company arrays reported by :func:`evaluate`."""
    first = min(c.pay_in_dates[0] for c in model.companies)
    if model.npv_date is not None:
        first = min(first, model.npv_date)
    origin = np.datetime64(first, "D")
    n = len(next(iter(draws.values())))
    shared: dict[float, np.ndarray] = {}
    own_times: list[tuple[np.ndarray, np.ndarray]] = []
    parts: dict[str, np.ndarray] = {}
    pro_rata = {
        c.company_id: draws[f"{c.company_id}_stake_pct"]
        / 100.0
        * draws[f"{c.company_id}_paid_in_total_eur_m"]
        for c in model.companies
    }
    scale = _paid_in_scale(model, draws, pro_rata)
    for c in model.companies:
        cid = c.company_id
        paid_all = draws[f"{cid}_paid_in_total_eur_m"]
        losses = draws[f"{cid}_cumulative_losses_eur_m"]
        stake = draws[f"{cid}_stake_pct"] / 100.0
        shares = draws[f"{cid}_tranche_share"]
        paid = _paid_in(model, draws, cid, pro_rata[cid], scale)
        exit_days = draws[f"{cid}_exit_date"]
        book = book_equity_at_exit(c, paid_all, losses, exit_days, draws)
        proceeds = stake * draws[f"{cid}_exit_share_of_book"] * book
        for j, day in enumerate(c.pay_in_dates):
            time = _time(np.datetime64(day, "D"), origin, periodic)
            _add_flow(shared, time, -paid * shares[:, j])
        first_exit = _time(exit_days.min(), origin, periodic) if n else None
        if n and first_exit == _time(exit_days.max(), origin, periodic):
            _add_flow(shared, first_exit, proceeds)  # the same time in every scenario
        else:
            own_times.append((proceeds, _time(exit_days, origin, periodic)))
        revenue = draws[f"{cid}_revenue_eur_m"]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_revenue = np.where(revenue > 0, losses / revenue, np.nan)
        parts[f"{cid}_paid_in_eur_m"] = paid
        parts[f"{cid}_proceeds_eur_m"] = proceeds
        parts[f"{cid}_book_equity_eur_m"] = book
        parts[f"{cid}_loss_per_revenue_eur"] = per_revenue
    ordered = sorted(shared.items())  # shared times in order, then the per-scenario ones
    flows = CashFlows(
        amounts=(*(a for _, a in ordered), *(a for a, _ in own_times)),
        times=(*(t for t, _ in ordered), *(t for _, t in own_times)),
        origin=origin.astype(dt.date),
        periodic=periodic,
    )
    return flows, parts


def losses_carried(
    accounts_date: dt.date | None, exit_days: Any, rate_eur_m_per_year: Any
) -> np.ndarray:
    """Losses from the last accounts to the exit, EUR m: rate x years (ACT/365), >= 0.

    The named assumption "losses carried to the exit at the last reported loss rate".
    None for ``accounts_date`` carries nothing.

    >>> float(losses_carried(dt.date(2014, 12, 31), np.datetime64("2015-12-31"), 20.0))
    20.0
    """
    if accounts_date is None:
        return np.zeros(np.shape(exit_days))
    days = np.asarray(exit_days, dtype="datetime64[D]") - np.datetime64(accounts_date, "D")
    years = np.maximum(days.astype(np.int64), 0) / 365.0
    return np.asarray(rate_eur_m_per_year, dtype=float) * years


def book_equity_at_exit(
    company: CompanyInputs,
    paid_all: Any,
    losses: Any,
    exit_days: Any,
    draws: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """The company's book equity at the exit date, EUR m (floored at 0).

    Paid-in minus the cumulative losses at the last accounts minus the losses carried from
    the accounts date to the exit (:func:`losses_carried`); nil when an event before the
    exit bounds it there (``equity_nil_at_exit``, a safeguard procedure).
    """
    rate: Any = 0.0
    if company.accounts_date is not None and draws is not None:
        rate = draws[f"{company.company_id}_loss_rate_eur_m_per_year"]
    carried = losses_carried(company.accounts_date, exit_days, rate)
    book = np.maximum(np.asarray(paid_all, dtype=float) - losses - carried, 0.0)
    return np.zeros_like(book) if company.equity_nil_at_exit else book


def _paid_in(
    model: InvestmentModel,
    draws: Mapping[str, np.ndarray],
    cid: str,
    pro_rata: np.ndarray,
    scale: np.ndarray | None,
) -> np.ndarray:
    """The investor's pay-ins into one company: its fixed share of the total, or pro rata."""
    if model.paid_in_split is not None:
        total = np.asarray(draws[INVESTOR_PAID_IN], dtype=float)
        return total * float(model.paid_in_split[cid])
    return pro_rata if scale is None else pro_rata * scale


def _paid_in_scale(
    model: InvestmentModel, draws: Mapping[str, np.ndarray], pro_rata: Mapping[str, np.ndarray]
) -> np.ndarray | None:
    """The factor that brings the pro-rata pay-ins to the investor's own total (None: none)."""
    if model.paid_in_eur_m is None or model.paid_in_split is not None:
        return None
    total = sum(pro_rata.values())
    # _check_ranges makes every stake and paid-in total positive, so the total is > 0.
    return np.asarray(draws[INVESTOR_PAID_IN], dtype=float) / total


def run_scenarios(
    model_inputs: InvestmentModel,
    n: int,
    seed: int,
    discount_rate: float,
    *,
    periodic: bool = False,
) -> pd.DataFrame:
    """Draw ``n`` scenarios and compute each one's MOIC, IRR, NPV and money lost.

    Parameters
    ----------
    model_inputs : InvestmentModel
    n : int
        Number of scenarios (0 gives an empty frame with the same columns).
    seed : int
        Seed of the random draws (same seed, same frame).
    discount_rate : float
        Annual rate for ``npv_eur_m`` (an assumption).
    periodic : bool
        Flows at yearly periods instead of dates (see :func:`evaluate`).

    Returns
    -------
    pandas.DataFrame
        One row per scenario (index ``scenario_id``): the drawn inputs (vector inputs as
        ``name_1``, ``name_2``, ...; dates as datetimes), the per-company results, then
        :data:`METRICS` (``irr_status`` categorical, categories ``IRR_STATUS_NAMES``).
    """
    spec = build_spec(model_inputs)
    draws = sample(spec, n, seed)
    return _frame(draws, evaluate(model_inputs, draws, discount_rate, periodic=periodic))


def run_deterministic(
    model_inputs: InvestmentModel,
    discount_rate: float,
    *,
    which: Literal["low", "central", "high"] = "central",
    periodic: bool = False,
) -> pd.DataFrame:
    """The one scenario with every input at its low, central or high value (one-row frame)."""
    draws = build_spec(model_inputs).values(which)
    return _frame(draws, evaluate(model_inputs, draws, discount_rate, periodic=periodic))


def run_corners(
    model_inputs: InvestmentModel,
    discount_rate: float,
    *,
    periodic: bool = False,
    max_rows: int = 200_000,
) -> pd.DataFrame:
    """Every combination of the uncertain inputs at their extremes (a full factorial).

    Each uncertain input takes each of its :func:`~analysis.core.distributions.corner_values`
    (low and high; every "all in one tranche" split for the pay-in timing); the others stay
    at their central value. The smallest and largest value of a metric over these rows are
    its bounds over the whole input box when the metric moves monotonically with each input:
    true of the amounts (paid in, proceeds, money lost) and the MOIC, which are sums of
    products of non-negative monotone terms; for the IRR and the NPV they are the extremes
    of the corners (timing moves them in ways a box cannot bound exactly).

    Returns
    -------
    pandas.DataFrame
        One row per corner, the columns of :func:`run_scenarios`.

    Raises
    ------
    ValueError
        When the corners would exceed ``max_rows`` rows.
    """
    spec = build_spec(model_inputs)
    central = spec.values("central")
    options = {name: corner_values(spec[name]) for name in spec.uncertain}
    rows = int(np.prod([len(v) for v in options.values()], dtype=np.int64)) if options else 1
    if rows > max_rows:
        raise ValueError(f"{rows:,} corners exceed max_rows={max_rows:,}; fix some inputs")
    draws = {name: np.repeat(value, rows, axis=0) for name, value in central.items()}
    repeat = rows
    for name, values in options.items():
        repeat //= len(values)
        column = np.asarray([np.asarray(v, dtype=draws[name].dtype) for v in values])
        # input k cycles through its values every len(values) * repeat rows
        index = (np.arange(rows) // repeat) % len(values)
        draws[name] = column[index]
    return _frame(draws, evaluate(model_inputs, draws, discount_rate, periodic=periodic))


def scenario_flows(
    model_inputs: InvestmentModel,
    values: Mapping[str, Any] | None = None,
    *,
    periodic: bool = False,
) -> pd.DataFrame:
    """The investor's cash flows in one scenario, one row per flow (not summed per date).

    ``values`` maps each input name to its value in that scenario (default: every input at
    its central value). Columns: ``company_id``, ``flow`` (``pay_in`` or ``exit``),
    ``date``, ``period`` (years after the first pay-in year) and ``amount_eur_m`` (signed:
    paid in < 0). Computed one flow at a time, independently of :func:`evaluate`.
    """
    spec = build_spec(model_inputs)
    if values is None:
        values = {name: spec[name].central for name in spec}
    origin_year = min(c.pay_in_dates[0] for c in model_inputs.companies).year
    pro_rata = {
        c.company_id: float(values[f"{c.company_id}_stake_pct"])
        / 100.0
        * float(values[f"{c.company_id}_paid_in_total_eur_m"])
        for c in model_inputs.companies
    }
    scale = 1.0
    if model_inputs.paid_in_eur_m is not None:
        scale = float(np.ravel(values[INVESTOR_PAID_IN])[0]) / sum(pro_rata.values())
    split = model_inputs.paid_in_split
    rows = []
    for c in model_inputs.companies:
        cid = c.company_id
        stake = float(values[f"{cid}_stake_pct"]) / 100.0
        paid_all = float(values[f"{cid}_paid_in_total_eur_m"])
        losses = float(values[f"{cid}_cumulative_losses_eur_m"])
        shares = [float(s) for s in np.ravel(values[f"{cid}_tranche_share"])]
        paid = (
            float(np.ravel(values[INVESTOR_PAID_IN])[0]) * float(split[cid])
            if split is not None
            else pro_rata[cid] * scale
        )
        for day, share in zip(c.pay_in_dates, shares, strict=True):
            rows.append((cid, "pay_in", day, -paid * share))
        exit_day = np.datetime64(values[f"{cid}_exit_date"], "D").astype(dt.date)
        exit_share = float(values[f"{cid}_exit_share_of_book"])
        # one flow at a time: the carried losses and the event bound, written out again
        book = paid_all - losses
        if c.accounts_date is not None:
            rate = float(values[f"{cid}_loss_rate_eur_m_per_year"])
            book -= rate * max((exit_day - c.accounts_date).days, 0) / 365.0
        book = 0.0 if c.equity_nil_at_exit else max(book, 0.0)
        rows.append((cid, "exit", exit_day, stake * exit_share * book))
    flows = pd.DataFrame(rows, columns=["company_id", "flow", "date", "amount_eur_m"])
    flows["date"] = pd.to_datetime(flows["date"])
    flows.insert(3, "period", flows["date"].dt.year - origin_year)
    return flows


def summarise(frame: pd.DataFrame, metrics: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Low / central / high (5th / 50th / 95th percentiles), min and max of each metric.

    NaN values (an undefined IRR) are left out; ``n`` counts the values used. ``metrics``
    defaults to the numeric :data:`METRICS` and the ``*_loss_per_revenue_eur`` columns.
    """
    if metrics is None:
        per_revenue = [c for c in frame.columns if str(c).endswith("_loss_per_revenue_eur")]
        metrics = (*(m for m in METRICS if m != "irr_status"), *per_revenue)
    rows = []
    for name in metrics:
        values = frame[name].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        if values.size:
            low, central, high = np.percentile(values, [5.0, 50.0, 95.0])
            rows.append((name, values.size, low, central, high, values.min(), values.max()))
        else:
            rows.append((name, 0, *(np.nan,) * 5))
    columns = ["metric", "n", "low", "central", "high", "min", "max"]
    return pd.DataFrame(rows, columns=columns).set_index("metric")


def tornado(
    model_inputs: InvestmentModel,
    metric: str,
    discount_rate: float,
    *,
    periodic: bool = False,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``metric`` to each uncertain input, largest swing first.

    For each input whose low and high values differ, ``metric`` is computed with that input
    at its low and at its high value and every other input at its central value.

    Returns
    -------
    pandas.DataFrame
        Columns ``input``, ``label``, ``low_value``, ``high_value`` (as text), ``metric_low``,
        ``metric_high``, ``metric_central`` and ``swing`` (``|metric_high - metric_low|``),
        sorted by ``swing`` (NaN last). Empty when nothing is uncertain.
    """
    if metric not in METRICS or metric == "irr_status":
        raise ValueError(f"metric must be one of the numeric METRICS, not {metric!r}")
    spec = build_spec(model_inputs)
    uncertain = spec.uncertain
    central = spec.values("central")
    lows, highs = spec.values("low"), spec.values("high")
    rows = 1 + 2 * len(uncertain)
    draws = {name: np.repeat(value, rows, axis=0) for name, value in central.items()}
    for i, name in enumerate(uncertain):
        draws[name][1 + 2 * i] = lows[name][0]
        draws[name][2 + 2 * i] = highs[name][0]
    result = evaluate(model_inputs, draws, discount_rate, periodic=periodic)[metric]
    table = pd.DataFrame(
        {
            "input": list(uncertain),
            "label": [spec[name].label for name in uncertain],
            "low_value": [_text(spec[name].low) for name in uncertain],
            "high_value": [_text(spec[name].high) for name in uncertain],
            "metric_low": result[1::2],
            "metric_high": result[2::2],
            "metric_central": np.full(len(uncertain), result[0]),
        }
    )
    table["swing"] = (table["metric_high"] - table["metric_low"]).abs()
    return table.sort_values(
        "swing", ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)


# --- helpers ---------------------------------------------------------------------------------


def _distribution(value: InputValue, label: str, why: str) -> Distribution:
    if isinstance(value, Distribution):
        return _relabel(value, value.label or label, value.why or why)
    if isinstance(value, tuple):
        low, high = value
        if isinstance(low, dt.date | str | np.datetime64):
            return UniformDate(low, high, label, why)
        return Uniform(float(low), float(high), label, why)
    if isinstance(value, dt.date | np.datetime64):
        return Fixed(np.datetime64(value, "D").astype(dt.date), label, why)
    return Fixed(float(value), label, why)


def _relabel(dist: Distribution, label: str, why: str) -> Distribution:
    if dataclasses.is_dataclass(dist):
        return dataclasses.replace(dist, label=label, why=why)
    return dist


def _check_ranges(model: InvestmentModel, spec: ScenarioSpec) -> None:
    own_total = model.paid_in_eur_m is not None
    if own_total and float(spec[INVESTOR_PAID_IN].low) < 0:
        raise ValueError("paid_in_eur_m must be >= 0 (amounts are magnitudes)")
    for c in model.companies:
        cid = c.company_id
        stake = spec[f"{cid}_stake_pct"]
        if not 0.0 <= float(stake.low) <= float(stake.high) <= 100.0:
            raise ValueError(f"{cid}: stake_pct must lie in [0, 100]")
        if own_total and (
            float(stake.low) <= 0 or float(spec[f"{cid}_paid_in_total_eur_m"].low) <= 0
        ):
            raise ValueError(
                f"{cid}: with paid_in_eur_m set, stake_pct and paid_in_total_eur_m must be > 0 "
                "(they split the investor's total between companies)"
            )
        checked = ["paid_in_total_eur_m", "cumulative_losses_eur_m", "revenue_eur_m"]
        if c.accounts_date is not None:
            checked.append("loss_rate_eur_m_per_year")
        for name in checked:
            if float(spec[f"{cid}_{name}"].low) < 0:
                raise ValueError(f"{cid}: {name} must be >= 0 (amounts are magnitudes)")
        exit_first = np.datetime64(spec[f"{cid}_exit_date"].low, "D")
        if exit_first <= np.datetime64(c.pay_in_dates[-1], "D"):
            raise ValueError(f"{cid}: the exit date must come after the last pay-in date")


def _time(days: Any, origin: np.datetime64, periodic: bool) -> Any:
    """Years from ``origin`` (ACT/365), or whole calendar years when ``periodic``."""
    days = np.asarray(days, dtype="datetime64[D]")
    if periodic:
        year = days.astype("datetime64[Y]").astype(np.int64)
        out = (year - origin.astype("datetime64[Y]").astype(np.int64)).astype(float)
    else:
        out = (days - origin).astype(np.int64) / 365.0
    return float(out) if out.ndim == 0 else out


def _add_flow(shared: dict[float, np.ndarray], time: float, amount: np.ndarray) -> None:
    if time in shared:
        shared[time] = shared[time] + amount
    else:
        shared[time] = amount


def _frame(draws: Mapping[str, np.ndarray], results: Mapping[str, np.ndarray]) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    for name, values in draws.items():
        if values.ndim == 2:
            for j in range(values.shape[1]):
                columns[f"{name}_{j + 1}"] = values[:, j]
        else:
            columns[name] = values
    for name, values in results.items():
        if name == "irr_status":
            columns[name] = pd.Categorical.from_codes(values, categories=list(IRR_STATUS_NAMES))
        else:
            columns[name] = values
    # The arrays are new and owned here: let the frame hold them without a copy.
    frame = pd.DataFrame(columns, copy=False)
    frame.index.name = "scenario_id"
    return frame


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
