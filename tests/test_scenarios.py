"""Tests of the scenario engine: batch IRR/NPV, distributions and sampling, the investment model.

The batch solver is checked against the exact scalar solver (analysis.core.returns), against
numpy-financial (periodic flows) and pyxirr (dated flows). The model is checked against
flows rebuilt one scenario at a time (scenario_flows) and against hand calculations.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace as dataclass_replace

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
import pyxirr
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core import returns
from analysis.core import scenarios as sc
from analysis.core.batch_returns import (
    IRR_STATUS_NAMES,
    irr_batch,
    irr_columns,
    status_labels,
    xnpv_batch,
)
from analysis.core.distributions import (
    Choice,
    Dirichlet,
    Fixed,
    ScenarioSpec,
    Triangular,
    Uniform,
    UniformDate,
    corner_values,
    describe_inputs,
    sample,
)
from tests.strategies_returns import conventional_flows

TOL = 1e-9


# --- shared model inputs (illustrative figures of the brief; phase 2 reads them from data/) ---


def cloudwatt(**changes: object) -> sc.CompanyInputs:
    base = {
        "company_id": "cloudwatt",
        "stake_pct": 33.3,
        "paid_in_total_eur_m": (100.0, 112.5),
        "cumulative_losses_eur_m": 67.3,
        "revenue_eur_m": (1.0, 3.0),
        "pay_in_dates": sc.pay_in_dates(dt.date(2012, 9, 6)),
        "exit_date": dt.date(2015, 3, 20),
    }
    return sc.CompanyInputs(**{**base, **changes})


def numergy(**changes: object) -> sc.CompanyInputs:
    base = {
        "company_id": "numergy",
        "stake_pct": 33.0,
        "paid_in_total_eur_m": 56.0,
        "cumulative_losses_eur_m": 41.1,
        "revenue_eur_m": (2.0, 6.0),
        "pay_in_dates": sc.pay_in_dates(dt.date(2012, 9, 1)),
        "exit_date": (dt.date(2016, 1, 1), dt.date(2016, 6, 30)),
    }
    return sc.CompanyInputs(**{**base, **changes})


BOTH = sc.InvestmentModel("cdc", (cloudwatt(), numergy()))


def row_values(draws: dict[str, np.ndarray], i: int) -> dict[str, object]:
    return {name: values[i] for name, values in draws.items()}


# --- irr_batch: tiny literal batches, one edge case per row -----------------------------------


def test_irr_batch_edge_cases_row_by_row() -> None:
    amounts = [
        [-100.0, 110.0, 0.0],  # 1 year, +10 %
        [-100.0, 0.0, 121.0],  # zero padding in the middle: 2 years, +10 %
        [-100.0, 0.0, 0.0],  # nothing back: total loss, exactly -1
        [0.0, 0.0, 0.0],  # nothing at all: undefined
        [10.0, 0.0, 5.0],  # nothing paid in: undefined
        [-100.0, 230.0, -132.0],  # roots 10 % and 20 %: multiple, no rate
        [-100.0, 50.0, -60.0],  # two sign changes, no root: undefined
        [100.0, -110.0, 0.0],  # a loan (positive first, one sign change): +10 %
        [-1.0, 1e12, 0.0],  # one root, r = 1e12 - 1, above the 1e6 window: undefined
        [-100.0, 1e-300, 0.0],  # 1 + r = 1e-302: beyond Newton's safe range, scalar: -1.0
    ]
    rates, status = irr_batch(amounts, [0.0, 1.0, 2.0])
    assert status_labels(status).tolist() == [
        "ok",
        "ok",
        "total_loss",
        "undefined",
        "undefined",
        "multiple_roots",
        "undefined",
        "ok",
        "undefined",
        "ok",
    ]
    assert rates[[0, 1, 7]] == pytest.approx([0.10, 0.10, 0.10], abs=1e-14)
    assert rates[2] == rates[9] == -1.0
    assert np.isnan(rates[[3, 4, 5, 6, 8]]).all()


def test_irr_batch_can_mark_non_conventional_rows() -> None:
    rates, status = irr_batch(
        [[-100.0, 230.0, -132.0], [-100.0, 50.0, 60.0], [-1.0, 1e12, 0.0]],
        [0.0, 1.0, 2.0],
        non_conventional="mark",
    )
    # Conventional rows Newton cannot finish (root out of range) still get the scalar solver.
    assert status_labels(status).tolist() == ["non_conventional", "ok", "undefined"]
    assert np.isnan(rates[[0, 2]]).all()


def test_irr_batch_with_times_per_row() -> None:
    # Row 0: 121 back after 2 years (+10 %); row 1: 105 back after 0.2 year (1.05^5 - 1).
    rates, status = irr_batch([[-100.0, 121.0], [-100.0, 105.0]], [[0.0, 2.0], [0.0, 0.2]])
    assert (status == 0).all()
    assert rates == pytest.approx([0.10, 1.05**5 - 1], abs=1e-13)


def test_irr_batch_rejects_bad_shapes_and_values() -> None:
    with pytest.raises(ValueError, match="shape"):
        irr_batch([-1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        irr_batch([[-1.0, 2.0]], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        irr_batch([[-1.0, math.nan]], [0.0, 1.0])
    with pytest.raises(ValueError, match="non_conventional"):
        irr_batch([[-1.0, 2.0]], [0.0, 1.0], non_conventional="guess")  # type: ignore[arg-type]


def test_irr_batch_of_no_rows() -> None:
    rates, status = irr_batch(np.zeros((0, 3)), [0.0, 1.0, 2.0])
    assert rates.shape == status.shape == (0,)


def random_flows(rng: np.random.Generator, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mostly conventional flows (with zeros, total losses, per-row times), some any-sign."""
    amounts = np.zeros((n, k))
    n_in = rng.integers(1, k, n)
    cols = np.arange(k)
    paid = rng.uniform(0.1, 100.0, (n, k))
    back = rng.uniform(0.0, 100.0, (n, k)) * rng.choice([0.0, 0.01, 0.3, 1.0, 3.0], (n, 1))
    amounts = np.where(cols < n_in[:, None], -paid, back)
    amounts[rng.random((n, k)) < 0.15] = 0.0  # padding / empty periods
    wild = rng.random(n) < 0.1
    amounts[wild] = rng.normal(0.0, 50.0, (int(wild.sum()), k))  # any signs
    times = np.sort(rng.uniform(0.0, 8.0, (n, k)), axis=1)
    return amounts, times


def test_irr_batch_matches_the_scalar_solver_on_1000_random_rows() -> None:
    amounts, times = random_flows(np.random.default_rng(20150320), 1_000, 6)
    rates, status = irr_batch(amounts, times, block_rows=97)  # many small blocks
    for i in range(len(amounts)):
        ref = returns.irr_at_times(amounts[i], times[i])
        assert IRR_STATUS_NAMES[status[i]] == ref.status, i
        if ref.is_defined:
            assert abs(rates[i] - ref.rate) <= TOL * max(1.0, abs(ref.rate)), i
        else:
            assert np.isnan(rates[i]), i
    # The sample exercises every path.
    assert {"ok", "total_loss", "undefined", "multiple_roots"} <= set(status_labels(status))


def test_block_size_does_not_change_results() -> None:
    amounts, times = random_flows(np.random.default_rng(7), 500, 5)
    a, sa = irr_batch(amounts, times, block_rows=7)
    b, sb = irr_batch(amounts, times)
    assert (sa == sb).all()
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_irr_batch_periodic_matches_numpy_financial() -> None:
    rng = np.random.default_rng(3)
    paid = rng.uniform(1.0, 40.0, (400, 3))
    back = rng.uniform(0.0, 30.0, (400, 2))
    amounts = np.hstack([-paid, back])  # 3 payments in, then 2 back: conventional
    rates, status = irr_batch(amounts, np.arange(5.0))
    expected = np.array([npf.irr(row) for row in amounts])
    assert (status == 0).all()
    np.testing.assert_allclose(rates, expected, rtol=0, atol=TOL)


def test_irr_batch_dated_matches_pyxirr() -> None:
    rng = np.random.default_rng(4)
    start = np.datetime64("2012-09-06")
    offsets = np.array([0, 298, 663, 925])  # 2012-09-06, 2013-07-01, 2014-07-01, 2015-03-20
    amounts = np.hstack([-rng.uniform(5.0, 20.0, (300, 3)), rng.uniform(0.0, 40.0, (300, 1))])
    rates, _ = irr_batch(amounts, offsets / 365.0)
    dates = start + offsets
    expected = np.array([pyxirr.xirr(dates, row) for row in amounts])
    np.testing.assert_allclose(rates, expected, rtol=0, atol=TOL)


@settings(deadline=None)
@given(st.lists(conventional_flows(max_periods=6), min_size=1, max_size=8))
def test_irr_batch_agrees_with_npf_on_hypothesis_batches(rows: list[np.ndarray]) -> None:
    k = max(r.size for r in rows)
    amounts = np.array([np.pad(r, (0, k - r.size)) for r in rows])  # zero-padded at the end
    rates, status = irr_batch(amounts, np.arange(float(k)))
    assert (status == 0).all()
    for rate, row in zip(rates, rows, strict=True):
        assert abs(rate - npf.irr(row)) <= TOL


def test_xnpv_batch_matches_scalar_and_rate_zero_is_the_row_sum() -> None:
    amounts, times = random_flows(np.random.default_rng(5), 200, 4)
    got = xnpv_batch(0.04, amounts, times)
    expected = [returns.npv_at(0.04, a, t) for a, t in zip(amounts, times, strict=True)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # At 0 % there is no discounting arithmetic: the flows are added in order, exactly.
    assert xnpv_batch(0.0, amounts, times).tolist() == [sum(row) for row in amounts.tolist()]
    # Rates per row broadcast: row i discounted at rates[i].
    rates = np.linspace(0.0, 0.5, 200)
    per_row = xnpv_batch(rates, amounts, times)
    assert per_row[7] == pytest.approx(returns.npv_at(rates[7], amounts[7], times[7]))


def test_irr_columns_accepts_shared_and_per_row_times() -> None:
    # Flow 0 at t=0 for everybody, flow 1 at t=1 or t=2 depending on the row.
    rates, _ = irr_columns(
        [np.array([-100.0, -100.0]), np.array([110.0, 121.0])], [0.0, np.array([1.0, 2.0])]
    )
    assert rates == pytest.approx([0.10, 0.10], abs=1e-14)


# --- distributions and sampling ---------------------------------------------------------------


def test_distributions_low_central_high_and_draws() -> None:
    rng = np.random.default_rng(0)
    u = Uniform(100.0, 112.5)
    draws = u.draw(rng, 1_000)
    assert (u.low, u.central, u.high) == (100.0, 106.25, 112.5)
    assert draws.min() >= 100.0
    assert draws.max() <= 112.5
    # Degenerate uniform: the one value, whatever the generator.
    assert (Uniform(56.0, 56.0).draw(rng, 3) == 56.0).all()
    c = Choice((0.0, 0.5, 1.0), (0.2, 0.5, 0.3))
    picks = c.draw(rng, 20_000)
    assert set(np.unique(picks)) == {0.0, 0.5, 1.0}
    assert (picks == 0.5).mean() == pytest.approx(0.5, abs=0.02)
    assert (c.low, c.central, c.high) == (0.0, 0.5, 1.0)
    assert Choice((3.0, 1.0, 2.0)).central == 2.0  # equally likely: the middle value
    f = Fixed((1 / 3, 1 / 3, 1 / 3))
    assert f.draw(rng, 4).shape == (4, 3)
    d = Dirichlet((1.0, 1.0, 1.0))
    shares = d.draw(rng, 5_000)
    assert shares.shape == (5_000, 3)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert shares.mean(axis=0) == pytest.approx([1 / 3] * 3, abs=0.02)
    assert (d.low, d.high) == ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    assert Dirichlet((2.0, 1.0, 1.0)).draw(rng, 20_000).mean(axis=0)[0] == pytest.approx(
        0.5, abs=0.02
    )


def test_uniform_date_covers_both_ends_and_only_the_window() -> None:
    d = UniformDate("2016-01-01", "2016-01-03")
    days = d.draw(np.random.default_rng(1), 3_000)
    assert days.dtype == np.dtype("datetime64[D]")
    assert set(days.astype(str)) == {"2016-01-01", "2016-01-02", "2016-01-03"}
    assert UniformDate(dt.date(2016, 1, 1), dt.date(2016, 6, 30)).central == dt.date(2016, 3, 31)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Uniform(2.0, 1.0),  # low above high
        lambda: Uniform(0.0, math.inf),  # infinite bound
        lambda: Choice(()),  # nothing to choose from
        lambda: Choice((1.0, 2.0), (0.5, 0.6)),  # probabilities do not sum to 1
        lambda: Dirichlet((1.0, 0.0)),  # alpha must be positive
        lambda: UniformDate("2016-06-30", "2016-01-01"),  # window backwards
        lambda: ScenarioSpec({"Bad Name": Fixed(1.0)}),  # not a snake_case identifier
    ],
)
def test_invalid_distributions_raise(make: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        make()  # type: ignore[operator]


def test_sampling_is_reproducible_and_streams_are_per_input() -> None:
    spec = ScenarioSpec({"a": Uniform(0.0, 1.0), "b": Dirichlet((1.0, 1.0))})
    first, again = sample(spec, 50, seed=11), sample(spec, 50, seed=11)
    assert all((first[k] == again[k]).all() for k in spec)
    assert not (sample(spec, 50, seed=12)["a"] == first["a"]).all()
    # Adding an input leaves the draws of the others unchanged (common random numbers).
    bigger = ScenarioSpec({"z": Uniform(5.0, 6.0), **spec.inputs})
    assert (sample(bigger, 50, seed=11)["a"] == first["a"]).all()
    empty = sample(spec, 0, seed=11)
    assert empty["a"].shape == (0,)
    assert empty["b"].shape == (0, 2)
    with pytest.raises(ValueError):
        sample(spec, -1, seed=1)


def test_describe_inputs_lists_every_input_with_its_source() -> None:
    table = describe_inputs(sc.build_spec(BOTH))
    assert len(table) == 14
    assert table["why"].str.len().gt(0).all()
    shares = table.set_index("input").loc["cloudwatt_tranche_share"]
    assert shares["why"].startswith("assumption")
    assert bool(shares["is_uncertain"])
    assert not table.set_index("input").loc["numergy_paid_in_total_eur_m", "is_uncertain"]
    # The caller's sources become the why; a figure without one says so.
    sourced = sc.InvestmentModel(
        "cdc", (cloudwatt(sources={"paid_in_total_eur_m": "BFM Business, 2015-05"}),)
    )
    why = describe_inputs(sc.build_spec(sourced)).set_index("input")["why"]
    assert why["cloudwatt_paid_in_total_eur_m"] == "BFM Business, 2015-05"
    assert why["cloudwatt_stake_pct"] == "given by the caller (no source recorded)"
    assert why["cloudwatt_exit_share_of_book"].startswith("assumption (exit scenario 'range')")


# --- the investment model ---------------------------------------------------------------------


def test_hand_calculated_single_tranche_book_exit() -> None:
    # One company, 50 % stake, 100 paid in on 2013-01-01, losses 60, sold at book value on
    # 2015-01-01 (730 days = 2 years): book = 100 - 60 = 40, proceeds 0.5 * 40 = 20, paid 50.
    # MOIC 0.4; IRR 0.4 ** (1 / 2) - 1 = -36.75 %; NPV at 0 % = -30; loss 30.
    company = sc.CompanyInputs(
        "cloudwatt",
        stake_pct=50.0,
        paid_in_total_eur_m=100.0,
        cumulative_losses_eur_m=60.0,
        revenue_eur_m=2.0,
        pay_in_dates=(dt.date(2013, 1, 1),),
        exit_date=dt.date(2015, 1, 1),
    )
    model = sc.InvestmentModel("cdc", (company,), exit_scenario="book")
    row = sc.run_scenarios(model, 3, seed=1, discount_rate=0.0).iloc[0]
    assert row["cloudwatt_book_equity_eur_m"] == 40.0
    assert row["paid_in_eur_m"] == row["cloudwatt_paid_in_eur_m"] == 50.0
    assert row["proceeds_eur_m"] == row["cloudwatt_proceeds_eur_m"] == 20.0
    assert row["moic"] == pytest.approx(0.4)
    assert row["irr"] == pytest.approx(0.4**0.5 - 1, abs=1e-14)
    assert row["npv_eur_m"] == -30.0
    assert row["loss_eur_m"] == 30.0
    assert row["cloudwatt_loss_per_revenue_eur"] == 30.0  # 60 lost per 2 of revenue
    # At 10 %: -50 + 20 / 1.1^2.
    at_ten = sc.run_scenarios(model, 1, seed=1, discount_rate=0.10).iloc[0]
    assert at_ten["npv_eur_m"] == pytest.approx(-50 + 20 / 1.1**2, abs=1e-12)


def test_own_paid_in_total_scales_the_pay_ins_and_not_the_proceeds() -> None:
    # Two companies, one tranche each on 2013-01-01, both sold at book value on 2015-01-01:
    # A: 50 % of 100 = 50 pro rata, book 0.5 x (100 - 60) = 20; B: 25 % of 40 = 10 pro rata,
    # book 0.25 x (40 - 20) = 5. The investor's own total is 90 instead of 50 + 10 = 60:
    # scale 1.5, so A's pay-in is 75 and B's 15; proceeds stay 20 + 5 = 25.
    # MOIC 25 / 90; IRR (25 / 90) ** (1 / 2) - 1 (730 days = 2 years); loss 65.
    def company(cid: str, stake: float, paid: float, lost: float) -> sc.CompanyInputs:
        return sc.CompanyInputs(
            cid,
            stake_pct=stake,
            paid_in_total_eur_m=paid,
            cumulative_losses_eur_m=lost,
            revenue_eur_m=1.0,
            pay_in_dates=(dt.date(2013, 1, 1),),
            exit_date=dt.date(2015, 1, 1),
        )

    companies = (company("a", 50.0, 100.0, 60.0), company("b", 25.0, 40.0, 20.0))
    model = sc.InvestmentModel("cdc", companies, exit_scenario="book", paid_in_eur_m=90.0)
    row = sc.run_deterministic(model, 0.0).iloc[0]
    assert (row["a_paid_in_eur_m"], row["b_paid_in_eur_m"]) == pytest.approx((75.0, 15.0))
    assert (row["a_proceeds_eur_m"], row["b_proceeds_eur_m"]) == pytest.approx((20.0, 5.0))
    assert row["paid_in_eur_m"] == pytest.approx(90.0)
    assert row["loss_eur_m"] == pytest.approx(65.0)
    assert row["moic"] == pytest.approx(25.0 / 90.0)
    assert row["irr"] == pytest.approx((25.0 / 90.0) ** 0.5 - 1, abs=1e-12)
    # The input is named, labelled and uncertain when given as a range.
    ranged = sc.InvestmentModel("cdc", companies, paid_in_eur_m=(50.0, 90.0))
    spec = sc.build_spec(ranged)
    assert sc.INVESTOR_PAID_IN in spec.uncertain
    corners = sc.run_corners(dataclass_replace(ranged, exit_scenario="zero"), 0.0)
    assert (corners["paid_in_eur_m"].min(), corners["paid_in_eur_m"].max()) == pytest.approx(
        (50.0, 90.0)
    )
    # Without it, the pay-ins are stake x paid-in (60 in all).
    plain = sc.InvestmentModel("cdc", companies, exit_scenario="book")
    assert sc.run_deterministic(plain, 0.0).iloc[0]["paid_in_eur_m"] == pytest.approx(60.0)
    # A zero stake cannot split the investor's total between companies.
    with pytest.raises(ValueError, match="must be > 0"):
        sc.build_spec(
            sc.InvestmentModel("cdc", (company("a", 0.0, 100.0, 60.0),), paid_in_eur_m=90.0)
        )


def _one_tranche(cid: str, stake: float, paid: float, lost: float, **more) -> sc.CompanyInputs:
    """A company with one pay-in on 2013-01-01 and an exit on 2015-01-01 (or ``more``)."""
    base = {
        "stake_pct": stake,
        "paid_in_total_eur_m": paid,
        "cumulative_losses_eur_m": lost,
        "revenue_eur_m": 1.0,
        "pay_in_dates": (dt.date(2013, 1, 1),),
        "exit_date": dt.date(2015, 1, 1),
    }
    return sc.CompanyInputs(cid, **{**base, **more})


def test_losses_are_carried_from_the_accounts_to_the_exit_date() -> None:
    # 50 % of 100 paid in, losses 60 to 2014-12-31, then 20 a year to the exit on
    # 2015-07-02 (183 days): carried 20 x 183 / 365 = 10.027; book 100 - 60 - 10.027.
    company = _one_tranche(
        "a",
        50.0,
        100.0,
        60.0,
        exit_date=dt.date(2015, 7, 2),
        accounts_date=dt.date(2014, 12, 31),
        loss_rate_eur_m_per_year=20.0,
    )
    model = sc.InvestmentModel("cdc", (company,), exit_scenario="book")
    row = sc.run_deterministic(model, 0.0).iloc[0]
    book = 100.0 - 60.0 - 20.0 * 183 / 365
    assert row["a_book_equity_eur_m"] == pytest.approx(book)
    assert row["a_proceeds_eur_m"] == pytest.approx(0.5 * book)
    # The one-flow-at-a-time path agrees.
    flows = sc.scenario_flows(model)
    assert flows.loc[flows["flow"] == "exit", "amount_eur_m"].iloc[0] == pytest.approx(0.5 * book)
    # Without an accounts date nothing is carried: book 40, as before.
    plain = sc.InvestmentModel("cdc", (_one_tranche("a", 50.0, 100.0, 60.0),), "book")
    assert sc.run_deterministic(plain, 0.0).iloc[0]["a_book_equity_eur_m"] == 40.0
    # A loss rate high enough to use up the equity floors it at 0.
    gone = dataclass_replace(company, loss_rate_eur_m_per_year=100.0)
    broke = sc.InvestmentModel("cdc", (gone,), exit_scenario="book")
    assert sc.run_deterministic(broke, 0.0).iloc[0]["a_book_equity_eur_m"] == 0.0
    # A loss rate given as a range is an uncertain input: the book value moves with it.
    ranged = dataclass_replace(company, loss_rate_eur_m_per_year=(10.0, 30.0))
    corners = sc.run_corners(sc.InvestmentModel("cdc", (ranged,), exit_scenario="book"), 0.0)
    assert (corners["a_book_equity_eur_m"].min(), corners["a_book_equity_eur_m"].max()) == (
        pytest.approx(40.0 - 30.0 * 183 / 365),
        pytest.approx(40.0 - 10.0 * 183 / 365),
    )


def test_an_event_before_the_exit_bounds_the_equity_at_nil() -> None:
    # Book equity would be 100 - 60 = 40, but a safeguard procedure before the exit bounds
    # it at nil: nothing comes back even at book value.
    company = _one_tranche("a", 50.0, 100.0, 60.0, equity_nil_at_exit=True)
    row = sc.run_deterministic(sc.InvestmentModel("cdc", (company,), "book"), 0.0).iloc[0]
    assert row["a_book_equity_eur_m"] == 0.0
    assert row["proceeds_eur_m"] == 0.0
    assert row["loss_eur_m"] == 50.0


def test_carried_losses_by_hand() -> None:
    # 365 days at 20 a year is 20; an exit before the accounts date carries nothing.
    carried = sc.losses_carried(
        dt.date(2014, 12, 31), np.array(["2015-12-31", "2014-06-30"], dtype="datetime64[D]"), 20.0
    )
    assert carried.tolist() == [20.0, 0.0]
    assert sc.losses_carried(None, np.datetime64("2015-12-31"), 20.0) == 0.0


def test_a_fixed_split_makes_per_company_and_combined_models_add_up() -> None:
    # A State-level total of 60 to 90 for two companies, split 0.7 / 0.3 by a stated rule.
    # A: 50 % of 100, losses 60, book 40, proceeds 0 to 20; B: 25 % of 40, losses 20, book 20,
    # proceeds 0 to 5. Per company: A paid 42 to 63, B 18 to 27. Combined: 60 to 90.
    a = _one_tranche("a", 50.0, 100.0, 60.0)
    b = _one_tranche("b", 25.0, 40.0, 20.0, exit_date=dt.date(2016, 1, 1))
    split = {"a": 0.7, "b": 0.3}

    def model(*companies: sc.CompanyInputs) -> sc.InvestmentModel:
        ids = {c.company_id for c in companies}
        return sc.InvestmentModel(
            "cdc",
            companies,
            exit_scenario="range",
            paid_in_eur_m=(60.0, 90.0),
            paid_in_split={k: v for k, v in split.items() if k in ids},
            npv_date=dt.date(2013, 1, 1),
        )

    corners = {
        name: sc.run_corners(m, 0.05)
        for name, m in (("a", model(a)), ("b", model(b)), ("both", model(a, b)))
    }
    central = {
        name: sc.run_deterministic(m, 0.05).iloc[0]
        for name, m in (("a", model(a)), ("b", model(b)), ("both", model(a, b)))
    }
    assert corners["a"]["paid_in_eur_m"].min() == pytest.approx(42.0)
    assert corners["b"]["paid_in_eur_m"].max() == pytest.approx(27.0)
    for metric in ("paid_in_eur_m", "proceeds_eur_m", "loss_eur_m", "npv_eur_m"):
        for pick in (min, max):
            parts = pick(corners["a"][metric]) + pick(corners["b"][metric])
            assert pick(corners["both"][metric]) == pytest.approx(parts), (metric, pick)
        parts = central["a"][metric] + central["b"][metric]
        assert central["both"][metric] == pytest.approx(parts), metric
    # A split must name every company and not exceed the whole.
    with pytest.raises(ValueError, match="paid_in_split"):
        sc.InvestmentModel("cdc", (a, b), paid_in_eur_m=90.0, paid_in_split={"a": 0.8, "b": 0.3})
    with pytest.raises(ValueError, match="paid_in_split"):
        sc.InvestmentModel("cdc", (a,), paid_in_split={"a": 0.5})


def test_zero_exit_is_a_total_loss_everywhere() -> None:
    model = sc.InvestmentModel("cdc", (cloudwatt(), numergy()), exit_scenario="zero")
    frame = sc.run_scenarios(model, 200, seed=3, discount_rate=0.04)
    assert (frame["irr"] == -1.0).all()
    assert (frame["irr_status"] == "total_loss").all()
    assert (frame["moic"] == 0.0).all()
    assert (frame["loss_eur_m"] == frame["paid_in_eur_m"]).all()


def test_book_exit_is_floored_at_zero() -> None:
    # Losses above the capital paid in: book equity would be negative, floored at 0.
    model = sc.InvestmentModel(
        "cdc", (numergy(cumulative_losses_eur_m=80.0),), exit_scenario="book"
    )
    frame = sc.run_scenarios(model, 20, seed=3, discount_rate=0.04)
    assert (frame["numergy_book_equity_eur_m"] == 0.0).all()
    assert (frame["irr_status"] == "total_loss").all()


def test_range_lies_between_zero_and_book() -> None:
    book = sc.run_deterministic(
        sc.InvestmentModel("cdc", (cloudwatt(),), exit_scenario="book"), 0.04
    ).iloc[0]
    frame = sc.run_scenarios(sc.InvestmentModel("cdc", (cloudwatt(),)), 2_000, 5, 0.04)
    ratio = frame["cloudwatt_proceeds_eur_m"] / (
        0.333 * (frame["cloudwatt_paid_in_total_eur_m"] - 67.3)
    )
    assert ratio.between(0.0, 1.0).all()
    assert ratio.mean() == pytest.approx(0.5, abs=0.03)
    assert frame["proceeds_eur_m"].max() <= 0.333 * (112.5 - 67.3) + 1e-12
    assert book["proceeds_eur_m"] == pytest.approx(0.333 * (106.25 - 67.3))


@pytest.mark.parametrize("periodic", [False, True])
def test_vectorised_model_matches_scalar_flows_on_1000_scenarios(periodic: bool) -> None:
    spec = sc.build_spec(BOTH)
    draws = sample(spec, 1_000, seed=2012)
    frame = sc.run_scenarios(BOTH, 1_000, seed=2012, discount_rate=0.04, periodic=periodic)
    for i in range(1_000):
        flows = sc.scenario_flows(BOTH, row_values(draws, i), periodic=periodic)
        amounts = flows["amount_eur_m"].to_numpy()
        if periodic:
            per_year = flows.groupby("period")["amount_eur_m"].sum()
            yearly = per_year.reindex(range(per_year.index.max() + 1), fill_value=0.0)
            expected_irr = npf.irr(yearly.to_numpy())
            expected_npv = npf.npv(0.04, yearly.to_numpy())
        else:
            expected_irr = returns.xirr(amounts, flows["date"]).rate
            expected_npv = returns.xnpv(0.04, amounts, flows["date"])
        assert abs(frame.at[i, "irr"] - expected_irr) <= TOL, i
        assert frame.at[i, "npv_eur_m"] == pytest.approx(expected_npv, rel=1e-12), i
        paid, back = -amounts[amounts < 0].sum(), amounts[amounts > 0].sum()
        assert frame.at[i, "paid_in_eur_m"] == pytest.approx(paid, rel=1e-12)
        assert frame.at[i, "moic"] == pytest.approx(back / paid, rel=1e-12)
        assert frame.at[i, "loss_eur_m"] == pytest.approx(paid - back, rel=1e-12)


def test_same_seed_same_frame_and_n_zero_has_the_columns() -> None:
    first = sc.run_scenarios(BOTH, 300, seed=42, discount_rate=0.04)
    pd.testing.assert_frame_equal(first, sc.run_scenarios(BOTH, 300, seed=42, discount_rate=0.04))
    other = sc.run_scenarios(BOTH, 300, seed=43, discount_rate=0.04)
    assert not first["irr"].equals(other["irr"])
    empty = sc.run_scenarios(BOTH, 0, seed=42, discount_rate=0.04)
    assert empty.empty
    assert list(empty.columns) == list(first.columns)
    assert (empty.dtypes == first.dtypes).all()
    assert empty.index.name == first.index.name == "scenario_id"
    assert list(first.columns[-7:]) == list(sc.METRICS)
    assert list(first["irr_status"].cat.categories) == list(IRR_STATUS_NAMES)


def test_run_scenarios_does_not_change_its_inputs() -> None:
    model = sc.InvestmentModel("cdc", (cloudwatt(),))
    before = repr(model)
    sc.run_scenarios(model, 10, seed=1, discount_rate=0.04)
    assert repr(model) == before


def test_equal_timing_is_deterministic_apart_from_ranges() -> None:
    model = sc.InvestmentModel("cdc", (cloudwatt(),), pay_in_timing="equal")
    frame = sc.run_scenarios(model, 50, seed=9, discount_rate=0.04)
    shares = frame[[f"cloudwatt_tranche_share_{j}" for j in (1, 2, 3)]]
    assert (shares == 1 / 3).all().all()


def test_flows_on_the_same_date_are_summed_across_companies() -> None:
    # Both companies pay in on 2013-07-01 and 2014-07-01: 8 flows on 6 distinct dates.
    central = sc.scenario_flows(BOTH)
    assert len(central) == 8
    assert central["date"].nunique() == 6
    # The central case computed by the engine equals xirr on the (unsummed) flows.
    deterministic = sc.run_deterministic(BOTH, 0.04).iloc[0]
    assert deterministic["irr"] == pytest.approx(
        returns.xirr(central["amount_eur_m"], central["date"]).rate, abs=TOL
    )


def test_pay_in_dates_follow_the_named_assumption() -> None:
    # Creation date, then 1 July of each following year up to 2014.
    assert sc.pay_in_dates("2012-09-06") == (
        dt.date(2012, 9, 6),
        dt.date(2013, 7, 1),
        dt.date(2014, 7, 1),
    )
    assert sc.pay_in_dates(dt.date(2014, 2, 1)) == (dt.date(2014, 2, 1),)


def test_cash_flows_are_summed_per_date_and_feed_irr_batch() -> None:
    draws = sample(sc.build_spec(BOTH), 50, seed=8)
    flows = sc.cash_flows(BOTH, draws)
    # 2012-09-01 (Numergy), 2012-09-06 (Cloudwatt), 2013-07-01 and 2014-07-01 (both),
    # 2015-03-20 (Cloudwatt exit), and Numergy's exit, drawn per scenario.
    assert len(flows.amounts) == 6
    assert isinstance(flows.times[-1], np.ndarray)
    assert flows.origin == dt.date(2012, 9, 1)
    amounts, times = flows.to_matrices()
    assert amounts.shape == times.shape == (50, 6)
    rates, _ = irr_batch(amounts, times)
    frame = sc.run_scenarios(BOTH, 50, seed=8, discount_rate=0.04)
    np.testing.assert_allclose(rates, frame["irr"], rtol=0, atol=1e-15)
    dates = flows.to_dates()
    assert (dates[:, -1] == draws["numergy_exit_date"]).all()
    assert str(dates[0, 4]) == "2015-03-20"
    yearly = sc.cash_flows(BOTH, draws, periodic=True)
    assert sorted(yearly.times) == [0.0, 1.0, 2.0, 3.0, 4.0]  # 2012 ... 2016
    with pytest.raises(ValueError, match="periodic"):
        yearly.to_dates()


def test_model_validation() -> None:
    with pytest.raises(ValueError, match="after the last pay-in"):
        sc.build_spec(sc.InvestmentModel("cdc", (cloudwatt(exit_date=dt.date(2014, 1, 1)),)))
    with pytest.raises(ValueError, match="stake_pct"):
        sc.build_spec(sc.InvestmentModel("cdc", (cloudwatt(stake_pct=120.0),)))
    with pytest.raises(ValueError, match="slug"):
        cloudwatt(company_id="Cloud Watt")
    with pytest.raises(ValueError, match="ascending"):
        cloudwatt(pay_in_dates=(dt.date(2014, 1, 1), dt.date(2013, 1, 1)))
    with pytest.raises(ValueError, match="distinct"):
        sc.InvestmentModel("cdc", (cloudwatt(), cloudwatt()))
    with pytest.raises(ValueError, match="exit_scenario"):
        sc.InvestmentModel("cdc", (cloudwatt(),), exit_scenario="hope")  # type: ignore[arg-type]


# --- summaries and sensitivity ----------------------------------------------------------------


def test_summarise_on_a_literal_frame() -> None:
    frame = pd.DataFrame(
        {
            "moic": [0.0, 0.1, 0.2, 0.3, 0.4],
            "irr": [-1.0, -0.5, np.nan, -0.3, -0.2],  # one undefined IRR: left out, n = 4
        }
    )
    table = sc.summarise(frame, metrics=("moic", "irr"))
    # numpy's linear percentiles of [0, 0.1, 0.2, 0.3, 0.4]: 5th = 0.02, 50th = 0.2, 95th = 0.38.
    assert table.loc["moic", ["low", "central", "high"]].tolist() == pytest.approx(
        [0.02, 0.2, 0.38]
    )
    assert table.loc["irr", "n"] == 4
    assert table.loc["irr", "min"] == -1.0
    assert table.loc["irr", "central"] == pytest.approx(-0.4)


def test_summarise_defaults_and_empty_frames() -> None:
    table = sc.summarise(sc.run_scenarios(BOTH, 500, seed=1, discount_rate=0.04))
    assert "irr_status" not in table.index
    assert {"moic", "irr", "npv_eur_m", "cloudwatt_loss_per_revenue_eur"} <= set(table.index)
    assert (table["low"] <= table["central"]).all()
    assert (table["central"] <= table["high"]).all()
    empty = sc.summarise(sc.run_scenarios(BOTH, 0, seed=1, discount_rate=0.04))
    assert (empty["n"] == 0).all()
    assert empty["central"].isna().all()


def test_tornado_is_sorted_by_swing_and_matches_one_at_a_time_runs() -> None:
    table = sc.tornado(BOTH, "moic", 0.04)
    spec = sc.build_spec(BOTH)
    assert set(table["input"]) == set(spec.uncertain)
    assert table["swing"].is_monotonic_decreasing
    central = sc.run_deterministic(BOTH, 0.04).iloc[0]
    assert (table["metric_central"] == central["moic"]).all()
    # The exit share at its high value (1) with the rest central = the book scenario's MOIC
    # for Cloudwatt's part; revenue does not move the MOIC at all.
    revenue = table.set_index("input").loc["cloudwatt_revenue_eur_m"]
    assert revenue["swing"] == 0.0
    exit_share = table.set_index("input").loc["cloudwatt_exit_share_of_book"]
    assert exit_share["metric_low"] < central["moic"] < exit_share["metric_high"]
    # Each entry equals a deterministic run with that one input moved.
    low_values = {name: spec[name].central for name in spec}
    low_values["cloudwatt_exit_share_of_book"] = 0.0
    flows = sc.scenario_flows(BOTH, low_values)["amount_eur_m"]
    assert exit_share["metric_low"] == pytest.approx(
        flows[flows > 0].sum() / -flows[flows < 0].sum()
    )


def test_tornado_rejects_unknown_metrics_and_handles_no_uncertainty() -> None:
    with pytest.raises(ValueError, match="metric"):
        sc.tornado(BOTH, "irr_status", 0.04)
    fixed = sc.InvestmentModel(
        "cdc",
        (cloudwatt(paid_in_total_eur_m=100.0, revenue_eur_m=2.0),),
        exit_scenario="book",
        pay_in_timing="equal",
    )
    assert sc.tornado(fixed, "irr", 0.04).empty


# --- triangular inputs and corner bounds ------------------------------------------------------


def test_triangular_draws_stay_in_range_and_peak_at_the_mode() -> None:
    dist = Triangular(100.0, 100.0, 112.5, "paid-in", "sourced")
    draws = dist.draw(np.random.default_rng(5), 200_000)
    assert draws.min() >= 100.0
    assert draws.max() <= 112.5
    # Mean of a triangular distribution: (low + mode + high) / 3 = 104.1667.
    assert draws.mean() == pytest.approx(312.5 / 3, abs=0.05)
    assert (dist.low, dist.central, dist.high) == (100.0, 100.0, 112.5)
    assert dist.text() == "triangular 100 to 112.5, peak 100"
    # A degenerate range is a fixed value, drawn without the generator.
    assert Triangular(56.0, 56.0, 56.0).draw(np.random.default_rng(0), 3).tolist() == [56.0] * 3
    assert Triangular(56.0, 56.0, 56.0).text() == "fixed 56"
    with pytest.raises(ValueError, match="low <= mode <= high"):
        Triangular(1.0, 3.0, 2.0)
    with pytest.raises(ValueError, match="finite"):
        Triangular(1.0, 2.0, math.inf)


def test_corner_values_per_kind_of_input() -> None:
    assert corner_values(Uniform(1.0, 2.0)) == [1.0, 2.0]
    assert corner_values(Triangular(1.0, 1.5, 2.0)) == [1.0, 2.0]
    assert corner_values(Fixed(3.0)) == [3.0]
    assert corner_values(Choice((0.0, 0.5, 1.0))) == [0.0, 0.5, 1.0]
    assert corner_values(UniformDate("2016-01-01", "2016-06-30")) == [
        dt.date(2016, 1, 1),
        dt.date(2016, 6, 30),
    ]
    # Every "all in one tranche" split of a Dirichlet.
    assert corner_values(Dirichlet((1.0, 1.0))) == [(1.0, 0.0), (0.0, 1.0)]


def test_run_corners_is_the_full_factorial_of_the_extremes() -> None:
    model = sc.InvestmentModel("cdc", (cloudwatt(revenue_eur_m=2.0),))
    corners = sc.run_corners(model, 0.04)
    # Uncertain inputs: paid-in (2 ends), tranche split (3 vertices), exit share (0 or 1).
    assert len(corners) == 2 * 3 * 2
    combos = corners[
        [
            "cloudwatt_paid_in_total_eur_m",
            "cloudwatt_tranche_share_1",
            "cloudwatt_tranche_share_2",
            "cloudwatt_exit_share_of_book",
        ]
    ].drop_duplicates()
    assert len(combos) == 2 * 3 * 2  # every combination appears once
    # Hand bounds: loss = 0.333 * paid - 0.333 * share * (paid - 67.3).
    assert corners["loss_eur_m"].min() == pytest.approx(0.333 * 67.3)  # sold at book
    assert corners["loss_eur_m"].max() == pytest.approx(0.333 * 112.5)  # nothing back
    assert corners["proceeds_eur_m"].max() == pytest.approx(0.333 * (112.5 - 67.3))
    assert set(corners["irr_status"]) == {"ok", "total_loss"}


def test_corner_bounds_contain_every_scenario() -> None:
    bounds = sc.run_corners(BOTH, 0.04)
    frame = sc.run_scenarios(BOTH, 5_000, seed=13, discount_rate=0.04)
    for metric in ("paid_in_eur_m", "proceeds_eur_m", "loss_eur_m", "moic", "irr", "npv_eur_m"):
        assert frame[metric].min() >= bounds[metric].min() - 1e-9, metric
        assert frame[metric].max() <= bounds[metric].max() + 1e-9, metric


def test_run_corners_refuses_too_many_rows() -> None:
    with pytest.raises(ValueError, match="max_rows"):
        sc.run_corners(BOTH, 0.04, max_rows=10)
    fixed = sc.InvestmentModel(
        "cdc",
        (cloudwatt(paid_in_total_eur_m=100.0, revenue_eur_m=2.0),),
        exit_scenario="book",
        pay_in_timing="equal",
    )
    assert len(sc.run_corners(fixed, 0.04)) == 1  # nothing uncertain: the central case
