"""What the key numbers of a report must satisfy, shared by the in-process checks of every
parameter set and by the checks of the real run's reports (tests/test_real_reports.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest


def values(numbers: Mapping[str, Any], *stems: str) -> list:
    return [numbers[stem] for stem in stems]


def check_investment_numbers(
    numbers: Mapping[str, Any], exit_scenario: str, n_scenarios: int
) -> None:
    """The investment key numbers (name -> value) fit the exit scenario and the engine."""
    paid = values(numbers, "paid_in_low_eur_m", "paid_in_central_eur_m", "paid_in_high_eur_m")
    back = values(numbers, "proceeds_low_eur_m", "proceeds_central_eur_m", "proceeds_high_eur_m")
    lost = values(numbers, "loss_low_eur_m", "loss_central_eur_m", "loss_high_eur_m")
    irr = values(numbers, "irr_low_pct", "irr_central_pct", "irr_high_pct")
    moic = values(numbers, "moic_low_x", "moic_central_x", "moic_high_x")
    assert paid == sorted(paid) and paid[0] > 0
    assert lost == sorted(lost)
    assert lost[1] == pytest.approx(paid[1] - back[1])
    if exit_scenario == "zero":
        assert back == [0.0, 0.0, 0.0]
        assert moic == [0.0, 0.0, 0.0]
        assert irr == [-100.0, -100.0, -100.0]
        assert lost == pytest.approx(paid)
    elif exit_scenario == "book":
        # the book value at the exit date: positive for a company with equity left, zero
        # for one whose equity was gone (Numergy's): never negative, never above paid-in
        assert 0.0 <= back[0] <= back[1] <= back[2]
        assert lost[2] <= paid[2]
        assert -100.0 <= irr[0] <= irr[1] <= irr[2] < 0.0
        assert 0.0 <= moic[1] < 1.0
        assert (back[1] > 0.0) == (irr[1] > -100.0)  # something came back, or all was lost
    else:
        assert back[0] == 0.0 <= back[1] <= back[2]
        assert irr[0] == -100.0 <= irr[1] <= irr[2] < 0.0
        assert lost[2] == pytest.approx(paid[2])
    if n_scenarios:
        p5, p50, p95 = values(numbers, "loss_p5_eur_m", "loss_p50_eur_m", "loss_p95_eur_m")
        assert lost[0] - 1e-9 <= p5 <= p50 <= p95 <= lost[2] + 1e-9
    else:
        assert numbers["loss_p50_eur_m"] is None


def check_market_numbers(numbers: Mapping[str, Any], market: str) -> None:
    """The market key numbers (name -> value) fit what the sources say of that market."""
    assert numbers["share_series"].startswith({"europe": "eu_", "france": "fr_"}.get(market, "ww_"))
    low, central, high = values(
        numbers, "big3_share_low_pct", "big3_share_pct", "big3_share_high_pct"
    )
    assert 50 < low <= central <= high < 90  # the big three: about two thirds to 70 %
    assert 0 <= numbers["hhi_min_points"] <= numbers["hhi_max_points"] <= 10_000
    assert numbers["cr3_low_pct"] <= numbers["cr3_pct"] <= numbers["cr3_high_pct"] <= 100
    assert 5 < numbers["market_cagr_pct"] < 60  # the markets grew, by tens of % a year
    if market == "europe":
        assert -20 < numbers["european_share_change_pp"] < 0  # European providers lost share
        assert numbers["market_cagr_low_pct"] is None  # "at most": the 2020 size is a bound
    else:
        assert numbers["european_share_change_pp"] is None  # no European provider named
    if market == "france":  # OVHcloud's revenue in France against the French cloud total
        assert 0 < numbers["ovhcloud_revenue_of_market_pct"] < 10
    else:  # Europe: its revenue is earned beyond Europe; worldwide: USD, no conversion
        assert numbers["ovhcloud_revenue_of_market_pct"] is None


def image_outputs(nb: Mapping[str, Any]) -> list[dict]:
    """The data of every output of a notebook that holds an image."""
    return [
        output.get("data", {})
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if any(key.startswith("image/") for key in output.get("data", {}))
    ]


def error_outputs(nb: Mapping[str, Any]) -> list[dict]:
    return [
        output
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if output["output_type"] == "error"
    ]
