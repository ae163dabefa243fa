"""Tests of analysis.core.returns: hand-worked examples, edge cases, outside oracles, properties.

Oracles: numpy-financial 1.0 (``npf.irr``, ``npf.npv``; periodic, first flow at period 0) and
pyxirr (``pyxirr.xirr``, ``pyxirr.xnpv``; ACT/365F, discounted to the earliest date).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import numpy_financial as npf
import pytest
import pyxirr
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.core import returns
from analysis.core.returns import IRRResult, irr, moic, money_lost, npv, npv_at, xirr, xnpv
from tests.strategies_returns import (
    any_flows,
    conventional_dated_flows,
    conventional_flows,
    positive_amounts,
)

RATE_TOL = 1e-9
D0 = dt.date(2021, 1, 1)


def days(*offsets: int) -> list[dt.date]:
    return [D0 + dt.timedelta(days=d) for d in offsets]


# --- hand-worked examples ----------------------------------------------------------------------


def test_one_year_ten_percent() -> None:
    # -100 now, +110 in 365 days (one ACT/365 year): 110 / 100 - 1 = 10 %.
    result = xirr([-100.0, 110.0], days(0, 365))
    assert result.status == "ok"
    assert result.rate == pytest.approx(0.10, abs=1e-15)
    assert result.roots == (result.rate,)


def test_two_years_ten_percent() -> None:
    # -100 now, +121 after 730 days (2 years): (121 / 100) ** (1 / 2) - 1 = 1.1 - 1 = 10 %.
    assert xirr([-100.0, 121.0], days(0, 730)).rate == pytest.approx(0.10, abs=1e-15)


def test_three_flows_solved_by_hand() -> None:
    # -100 + 50 v + 60 v^2 = 0 with v = 1 / (1 + r):
    # v = (-50 + sqrt(50^2 + 4 * 60 * 100)) / (2 * 60) = (sqrt(26500) - 50) / 120,
    # so 1 + r = 120 / (sqrt(26500) - 50) = (sqrt(26500) + 50) / 200, r = 0.0639410298...
    expected = (math.sqrt(26_500.0) + 50.0) / 200.0 - 1.0
    assert xirr([-100.0, 50.0, 60.0], days(0, 365, 730)).rate == pytest.approx(expected, abs=1e-15)
    assert irr([-100.0, 50.0, 60.0]).rate == pytest.approx(expected, abs=1e-15)


def test_periodic_single_payback() -> None:
    # -100 then +74 three periods later: (74 / 100) ** (1 / 3) - 1 = -9.55 % a period.
    assert irr([-100.0, 0.0, 0.0, 74.0]).rate == pytest.approx(0.74 ** (1 / 3) - 1, abs=1e-15)


def test_fractional_year() -> None:
    # -100 then +105 after 73 days = 0.2 year: 1.05 ** 5 - 1 = 27.628...%.
    assert xirr([-100.0, 105.0], days(0, 73)).rate == pytest.approx(1.05**5 - 1, abs=1e-13)


def test_npv_at_zero_is_the_plain_sum() -> None:
    # No discounting at 0 %: -100 + 30 + 50 = -20, whatever the dates.
    flows = [-100.0, 30.0, 50.0]
    assert xnpv(0.0, flows, days(0, 400, 1000)) == -20.0
    assert npv(0.0, flows) == -20.0
    assert npv_at(0.0, [0.1, 0.2, -0.3], [0.0, 1.0, 2.0]) == math.fsum([0.1, 0.2, -0.3])


def test_xnpv_by_hand() -> None:
    # 121 two years out at 10 % is worth 121 / 1.21 = 100 today; minus 100 paid: 0.
    assert xnpv(0.10, [-100.0, 121.0], days(0, 730)) == pytest.approx(0.0, abs=1e-12)
    # 110 one year out at 5 %: 110 / 1.05 - 100 = 4.7619...
    assert xnpv(0.05, [-100.0, 110.0], days(0, 365)) == pytest.approx(110 / 1.05 - 100, abs=1e-12)


def test_npv_matches_numpy_financial_convention() -> None:
    # npf.npv discounts the first flow by (1 + r) ** 0 (it sums from period 0).
    flows = [-40_000.0, 5_000.0, 8_000.0, 12_000.0, 30_000.0]
    assert npv(0.08, flows) == pytest.approx(npf.npv(0.08, flows), rel=1e-14)


def test_moic_and_money_lost_by_hand() -> None:
    # 37.5 paid in, 10 back: 10 / 37.5 = 0.2666..., 27.5 lost.
    assert moic(37.5, 10.0) == pytest.approx(10 / 37.5)
    assert money_lost(37.5, 10.0) == 27.5
    # Nothing paid in: the multiple is undefined (NaN), not infinite.
    assert math.isnan(moic(0.0, 5.0))


# --- edge cases: the IRR refuses rather than guesses --------------------------------------------


def test_total_loss_is_exactly_minus_one() -> None:
    # Money paid in, nothing back: MOIC 0, IRR -100 % exactly (a limit, not a root).
    result = xirr([-100.0, 0.0], days(0, 365))
    assert (result.rate, result.status, result.roots) == (-1.0, "total_loss", ())
    assert moic(100.0, 0.0) == 0.0
    # Several payments in, no proceeds: still a total loss.
    assert irr([-10.0, -20.0, 0.0]).status == "total_loss"


@pytest.mark.parametrize(
    ("flows", "why"),
    [
        ([], "no flows at all"),
        ([0.0, 0.0, 0.0], "all zero"),
        ([10.0, 20.0], "all positive: nothing paid in"),
        ([0.0, 5.0], "zero and positive"),
    ],
)
def test_no_money_paid_in_is_undefined(flows: list[float], why: str) -> None:
    result = irr(flows)
    assert result.status == "undefined", why
    assert math.isnan(result.rate)
    assert result.reason


def test_no_real_root_is_undefined() -> None:
    # -100 + 50 v - 60 v^2 < 0 for every v > 0 (discriminant 2500 - 24000 < 0): no IRR.
    result = irr([-100.0, 50.0, -60.0])
    assert result.status == "undefined"
    assert math.isnan(result.rate)
    assert result.roots == ()


def test_two_roots_are_listed_and_no_rate_chosen() -> None:
    # -100 + 230 / y - 132 / y^2 = 0 with y = 1 + r: 100 y^2 - 230 y + 132 = 0,
    # y = (230 +- 10) / 200 = 1.1 or 1.2: roots 10 % and 20 %. npf.irr picks 10 %; we refuse.
    result = irr([-100.0, 230.0, -132.0])
    assert result.status == "multiple_roots"
    assert math.isnan(result.rate)
    assert result.roots == pytest.approx((0.10, 0.20), abs=1e-14)
    assert npf.irr([-100.0, 230.0, -132.0]) == pytest.approx(0.10)


def test_numpy_financial_docstring_example_has_two_roots() -> None:
    # -100, +100, 0, -7: two sign changes and two roots in (-1, inf), -67.9 % and -8.3 %
    # (-100 + 100 v - 7 v^3 = 0). npf.irr returns the one closest to zero; we return none.
    result = irr([-100.0, 100.0, 0.0, -7.0])
    assert result.status == "multiple_roots"
    assert result.roots == pytest.approx((-0.6788943736, -0.0832996662), abs=1e-9)
    assert npf.irr([-100.0, 100.0, 0.0, -7.0]) == pytest.approx(-0.0832996662, abs=1e-9)


def test_two_sign_changes_but_one_root_in_the_window_is_ok() -> None:
    # -(y - 1.25)(y - 1e7) with y = 1 + r gives the flows -1, +10000001.25, -12500000:
    # two sign changes, roots r = 25 % and r = 1e7 - 1 (above the 1e6 window): one IRR.
    result = irr([-1.0, 10_000_001.25, -12_500_000.0])
    assert result.status == "ok"
    assert result.rate == pytest.approx(0.25, abs=1e-9)
    assert "2 times" in result.reason


def test_root_above_the_window_is_undefined() -> None:
    # -1 then +1e12 one period later: r = 1e12 - 1, above the 1e6 search window.
    result = irr([-1.0, 1e12])
    assert result.status == "undefined"
    assert "above" in result.reason


def test_flows_on_the_same_date_are_added_first() -> None:
    # -100 and +30 on day 0 net to -70; +77 a year later: 77 / 70 - 1 = 10 %.
    # Without netting the flows would seem to change sign twice.
    result = xirr([-100.0, 30.0, 77.0], days(0, 0, 365))
    assert result.status == "ok"
    assert result.rate == pytest.approx(0.10, abs=1e-14)


def test_dates_in_any_order() -> None:
    in_order = xirr([-100.0, 50.0, 60.0], days(0, 365, 730))
    shuffled = xirr([60.0, -100.0, 50.0], days(730, 0, 365))
    assert shuffled.rate == pytest.approx(in_order.rate, abs=1e-15)


def test_rate_that_rounds_to_minus_one_is_reported_as_such() -> None:
    # 1e-300 back on 100 after one period: 1 + r = 1e-302, which is -1.0 in double precision.
    result = irr([-100.0, 1e-300])
    assert result.status == "ok"
    assert result.rate == -1.0
    assert "rounds" in result.reason


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="finite"):
        irr([-100.0, math.nan])
    with pytest.raises(ValueError, match="same shape"):
        npv_at(0.1, [-1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match="> -1"):
        npv(-1.0, [-1.0, 2.0])
    with pytest.raises(ValueError, match="magnitudes"):
        moic(-10.0, 5.0)
    with pytest.raises(ValueError, match="NaT"):
        xirr([-1.0, 2.0], ["2020-01-01", "NaT"])


def test_result_is_immutable() -> None:
    result = IRRResult(0.1, "ok", "reason", (0.1,))
    with pytest.raises(AttributeError):
        result.rate = 0.2  # type: ignore[misc]
    assert result.is_defined
    assert not IRRResult(math.nan, "undefined", "r").is_defined


# --- cross-checks against outside libraries -----------------------------------------------------


@settings(deadline=None)
@given(conventional_flows())
def test_irr_matches_numpy_financial(flows: np.ndarray) -> None:
    ours = irr(flows)
    theirs = npf.irr(flows)
    assert ours.status == "ok"
    assert abs(ours.rate - theirs) <= RATE_TOL


def _pyxirr_rate_tolerance(rate: float, amounts: np.ndarray, dates: list[dt.date]) -> float:
    """1e-9, widened to pyxirr's own precision where that is coarser.

    pyxirr's Newton solver stops once |XNPV| < 1e-9 in the units of the flows
    (src/core/optimize.rs, MAX_ERROR), so its rate is only good to about
    1e-9 / |dXNPV/dr|, which is above 1e-9 when the flows are small or the rate is high.
    """
    t = returns.year_fractions(dates)
    slope = float(np.sum(-t * amounts * np.exp((-t - 1.0) * math.log1p(rate))))
    return RATE_TOL + 1e-9 / abs(slope)


@settings(deadline=None)
@given(conventional_dated_flows())
@example(  # Cloudwatt's shape: three tranches, proceeds 262 days after the last one
    (
        np.array([-11.1, -11.1, -11.1, 5.4]),
        [dt.date(2012, 9, 6), dt.date(2013, 7, 1), dt.date(2014, 7, 1), dt.date(2015, 3, 20)],
    )
)
@example(  # one day between the last pay-in and the proceeds
    (np.array([-100.0, 100.5]), [dt.date(2020, 1, 1), dt.date(2020, 1, 2)])
)
def test_xirr_matches_pyxirr(case: tuple[np.ndarray, list[dt.date]]) -> None:
    amounts, dates = case
    ours = xirr(amounts, dates)
    theirs = pyxirr.xirr(dates, amounts)
    assert ours.status == "ok"
    assert theirs is not None
    assert abs(ours.rate - theirs) <= _pyxirr_rate_tolerance(ours.rate, amounts, dates)


def test_pyxirr_tolerance_case_against_exact_arithmetic() -> None:
    # Found by hypothesis: pyxirr's rate is 2.1e-9 off here (its NPV tolerance is 1e-9 and
    # the NPV changes by only ~0.14 per unit of rate). 60-digit Decimal bisection gives
    # r = 5.98141559492797302853..., which our solver matches to 1e-15.
    amounts = np.array([-1.0, 3.5, 3.5])
    dates = [dt.date(2000, 1, 1), dt.date(2000, 12, 31), dt.date(2001, 1, 1)]
    exact = 5.981415594927973
    assert xirr(amounts, dates).rate == pytest.approx(exact, abs=1e-15)
    assert abs(pyxirr.xirr(dates, amounts) - exact) > 1e-9
    assert abs(pyxirr.xirr(dates, amounts) - exact) <= _pyxirr_rate_tolerance(exact, amounts, dates)


@settings(deadline=None)
@given(conventional_dated_flows(), st.floats(min_value=-0.5, max_value=2.0))
def test_xnpv_matches_pyxirr(case: tuple[np.ndarray, list[dt.date]], rate: float) -> None:
    amounts, dates = case
    scale = xnpv(rate, np.abs(amounts), dates)  # sum of |discounted flows|
    assert abs(xnpv(rate, amounts, dates) - pyxirr.xnpv(rate, dates, amounts)) <= 1e-12 * scale


@settings(deadline=None)
@given(conventional_flows(), st.floats(min_value=-0.5, max_value=2.0))
def test_npv_matches_numpy_financial(flows: np.ndarray, rate: float) -> None:
    scale = npv(rate, np.abs(flows))  # sum of |discounted flows|
    assert abs(npv(rate, flows) - npf.npv(rate, flows)) <= 1e-12 * scale


# --- properties -------------------------------------------------------------------------------


@settings(deadline=None)
@given(conventional_dated_flows())
def test_npv_at_the_irr_is_zero(case: tuple[np.ndarray, list[dt.date]]) -> None:
    amounts, dates = case
    rate = xirr(amounts, dates).rate
    t = returns.year_fractions(dates)
    discounted = np.abs(amounts) * np.exp(-t * math.log1p(rate))
    assert abs(xnpv(rate, amounts, dates)) <= 1e-9 * discounted.sum()


@given(positive_amounts, positive_amounts, st.floats(min_value=0.0, max_value=100.0))
def test_moic_scales_linearly_with_proceeds(paid: float, proceeds: float, k: float) -> None:
    assert moic(paid, k * proceeds) == pytest.approx(k * moic(paid, proceeds), rel=1e-12)


@given(positive_amounts, st.floats(min_value=0.0, max_value=1_000.0))
def test_loss_is_paid_in_minus_proceeds(paid: float, proceeds: float) -> None:
    assert money_lost(paid, proceeds) == paid - proceeds
    assert money_lost(paid, proceeds) == pytest.approx(paid * (1.0 - moic(paid, proceeds)))


@settings(deadline=None)
@given(conventional_flows(), st.floats(min_value=1.01, max_value=3.0))
def test_irr_increases_with_proceeds(flows: np.ndarray, factor: float) -> None:
    more = np.where(flows > 0, flows * factor, flows)
    assert irr(more).rate > irr(flows).rate


@settings(deadline=None)
@given(any_flows())
def test_status_rules_hold_for_any_flows(flows: np.ndarray) -> None:
    result = irr(flows)
    paid_in, proceeds = -flows[flows < 0].sum(), flows[flows > 0].sum()
    if paid_in == 0:
        assert result.status == "undefined"
    elif proceeds == 0:
        assert (result.status, result.rate) == ("total_loss", -1.0)
    else:
        assert result.status in ("ok", "undefined", "multiple_roots")
    # A number is returned only with status ok / total_loss, and each root is a root.
    assert math.isnan(result.rate) == (result.status in ("undefined", "multiple_roots"))
    for root in result.roots:
        if root > -1.0:
            t = np.arange(flows.size, dtype=float)
            scale = float((np.abs(flows) * np.exp(-t * math.log1p(root))).sum())
            assert abs(npv(root, flows)) <= 1e-9 * scale
    if result.status == "multiple_roots":
        assert len(result.roots) >= 2
