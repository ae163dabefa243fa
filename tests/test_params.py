"""Parameter schemas: one line per bad value naming the parameter, the value and what is allowed."""

from __future__ import annotations

import pytest

from analysis.errors import ParameterError
from analysis.params import (
    InvestmentParams,
    MarketParams,
    check_parameters,
    describe_parameters,
    schema_for,
)


def test_registry_by_notebook_stem():
    assert schema_for("notebooks/investment_return.ipynb") is InvestmentParams
    assert schema_for("market_position") is MarketParams
    assert schema_for("other.ipynb") is None


def test_defaults_are_valid(real_data_dir):
    assert check_parameters(InvestmentParams, {}) == []
    assert check_parameters(MarketParams, {}) == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"company": "ovh"},
            "parameter 'company': got 'ovh' (str); allowed: one of 'cloudwatt', 'numergy', 'both'",
        ),
        (
            {"discount_rate": -0.01},
            "parameter 'discount_rate': got -0.01 (float); allowed: a number from 0.0 to 0.5",
        ),
        (
            {"discount_rate": 5.0},
            "parameter 'discount_rate': got 5.0 (float); allowed: a number from 0.0 to 0.5",
        ),
        (
            {"discount_rate": float("nan")},
            "parameter 'discount_rate': got nan (float); allowed: a number from 0.0 to 0.5",
        ),
        # papermill's -p turns "007" into 7 and "True" into True: strings and bools are refused
        (
            {"seed": "7"},
            "parameter 'seed': got '7' (str); allowed: an integer from 0 to 4,294,967,295",
        ),
        (
            {"n_scenarios": True},
            "parameter 'n_scenarios': got True (bool); allowed: an integer from 0 to 5,000,000",
        ),
        (
            {"exit_scenario": "fire-sale"},
            "parameter 'exit_scenario': got 'fire-sale' (str); "
            "allowed: one of 'zero', 'book', 'range'",
        ),
        (
            {"discount": 0.05},
            "parameter 'discount': not a parameter of investment_return; allowed: company, "
            "investor, discount_rate, exit_scenario, n_scenarios, seed, data_dir",
        ),
    ],
)
def test_investment_refusals(values, message):
    assert check_parameters(InvestmentParams, values) == [message]


def test_investor_must_have_held_the_company(real_data_dir):
    assert check_parameters(InvestmentParams, {"company": "cloudwatt", "investor": "thales"}) == []
    assert check_parameters(InvestmentParams, {"company": "numergy", "investor": "thales"}) == [
        "parameter 'investor': got 'thales', which did not hold numergy; "
        "allowed with company='numergy': 'bull', 'sfr', 'state', 'all'"
    ]
    assert check_parameters(InvestmentParams, {"company": "both", "investor": "orange"}) == [
        "parameter 'investor': got 'orange', which did not hold numergy; "
        "allowed with company='both': 'state', 'all'"
    ]


def test_from_values_raises_one_line_error():
    with pytest.raises(ParameterError) as info:
        InvestmentParams.from_values(company="ovh", exit_scenario="x")
    assert str(info.value).startswith("parameter 'company': got 'ovh'")
    assert len(info.value.problems) == 2
    # IPython shows the problems, one line each, without a traceback
    assert info.value._render_traceback_()[1].startswith(
        "ParameterError: parameter 'exit_scenario'"
    )


def test_market_window_and_highlight(real_data_dir):
    assert check_parameters(MarketParams, {"start_year": 2020, "end_year": 2015}) == [
        "parameter 'start_year': got 2020, after end_year=2015; "
        "allowed: a year no later than end_year"
    ]
    (problem,) = check_parameters(MarketParams, {"highlight": ["ovhcloud", "ovh-cloud"]})
    assert problem.startswith(
        "parameter 'highlight': got unknown provider id 'ovh-cloud'; allowed:"
    )
    assert check_parameters(MarketParams, {"highlight": "ovhcloud"}) == [
        "parameter 'highlight': got 'ovhcloud' (str); allowed: a list of strings"
    ]


def test_data_dir_must_exist(tmp_path):
    (problem,) = check_parameters(InvestmentParams, {"data_dir": str(tmp_path / "nope")})
    assert problem.startswith(f"parameter 'data_dir': got '{tmp_path / 'nope'}'; allowed:")


def test_describe_lists_every_parameter():
    text = describe_parameters(InvestmentParams)
    for name in InvestmentParams.model_fields:
        assert f"{name} = " in text
    assert "allowed: one of 'zero', 'book', 'range'" in text
