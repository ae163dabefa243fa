"""notebooks/investment_return.ipynb: its parameters, its committed form, papermill runs.

Every (company, investor) pair a shareholder allows, with the three exit scenarios rotated
so that each appears several times, is checked in-process: the analysis the notebook calls
gives key numbers that fit the scenario. One papermill run with non-default parameters
(marked slow) checks that the notebook records exactly what the analysis computes, that
every figure is a PNG, and one refused parameter set stops the run at the validation cell
with one line. The notebook's default reports are checked on the session's real run
(tests/test_real_reports.py) and by nbval.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from report_checks import check_investment_numbers, error_outputs, image_outputs

from analysis.data.io import REPO_ROOT, load_dataset
from analysis.errors import ParameterError
from analysis.notebooks import is_checked_cell, parameter_defaults, parameters_cell
from analysis.params import InvestmentParams, check_parameters
from analysis.report.investment.analyse import analyse_investment as analyse
from analysis.report.record import read_key_numbers, read_sources

NOTEBOOK = REPO_ROOT / "notebooks" / "investment_return.ipynb"
#: (company, investor, exit scenario, discount rate, n_scenarios): every pair, the exit
#: scenarios rotated (zero 4 times, book 3, range 3), several rates, the engine off once
RUNS = [
    ("cloudwatt", "state", "zero", 0.04, 2_000),
    ("cloudwatt", "orange", "book", 0.0, 2_000),
    ("cloudwatt", "thales", "range", 0.1, 2_000),
    ("cloudwatt", "all", "zero", 0.04, 2_000),
    ("numergy", "state", "book", 0.08, 2_000),
    ("numergy", "sfr", "range", 0.04, 2_000),
    ("numergy", "bull", "zero", 0.0, 2_000),
    ("numergy", "all", "book", 0.04, 2_000),
    ("both", "state", "range", 0.04, 2_000),
    ("both", "all", "zero", 0.1, 0),
]
#: the papermill run: non-default company, investor, scenario, rate, engine size, seed, and
#: the data directory named explicitly
PAPERMILL_RUN = {
    "company": "cloudwatt",
    "investor": "thales",
    "exit_scenario": "book",
    "discount_rate": 0.08,
    "n_scenarios": 2_000,
    "seed": 7,
    "data_dir": str(REPO_ROOT / "data"),
}


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


@pytest.fixture(scope="module")
def committed() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


# --- the committed notebook ---------------------------------------------------------------------


def test_parameters_cell_defaults_equal_the_schema(committed) -> None:
    defaults = parameter_defaults(committed)
    schema = {name: field.default for name, field in InvestmentParams.model_fields.items()}
    assert defaults == schema
    # Each parameter on its own line, typed, with a help comment.
    for line in parameters_cell(committed)["source"].splitlines():
        name, rest = line.split(":", 1)
        assert name in schema and "=" in rest and "  # " in rest, line


def test_the_next_cell_validates_through_the_schema(committed) -> None:
    cells = committed["cells"]
    index = cells.index(parameters_cell(committed))
    assert "InvestmentParams.from_values(" in cells[index + 1]["source"]
    for name in InvestmentParams.model_fields:
        assert f"{name}={name}" in cells[index + 1]["source"]


def test_committed_outputs_only_in_the_key_number_cell(committed) -> None:
    checked = [c for c in committed["cells"] if is_checked_cell(c)]
    assert len(checked) == 1
    assert ".key_numbers.record(" in checked[0]["source"]
    assert checked[0]["outputs"], "the key-number cell keeps its output for nbval"
    assert checked[0]["execution_count"] is not None  # nbval refuses "unrun" cells with outputs
    for cell in committed["cells"]:
        if cell["cell_type"] == "code" and not is_checked_cell(cell):
            assert cell["outputs"] == [], cell["source"][:60]
            assert cell["execution_count"] is None
    assert committed["metadata"]["kernelspec"]["name"] == "python3"


def test_notebook_holds_no_logic(committed) -> None:
    """Loops, branches, functions and comprehensions belong in analysis/."""
    banned = (ast.For, ast.While, ast.If, ast.FunctionDef, ast.ListComp, ast.DictComp, ast.Lambda)
    for cell in committed["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "\n".join(line for line in cell["source"].splitlines() if not line.startswith("%"))
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, banned), f"{type(node).__name__} in: {source[:60]}"


# --- refused parameter sets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"company": "numergy", "investor": "thales"},
            "parameter 'investor': got 'thales', which did not hold numergy; "
            "allowed with company='numergy': 'bull', 'sfr', 'state', 'all'",
        ),
        (
            {"company": "both", "investor": "orange"},
            "parameter 'investor': got 'orange', which did not hold numergy; "
            "allowed with company='both': 'state', 'all'",
        ),
        (
            {"discount_rate": -0.1},
            "parameter 'discount_rate': got -0.1 (float); allowed: a number from 0.0 to 0.5",
        ),
        (
            {"discount_rate": 5},
            "parameter 'discount_rate': got 5 (int); allowed: a number from 0.0 to 0.5",
        ),
        (
            {"exit_scenario": "fire-sale"},
            "parameter 'exit_scenario': got 'fire-sale' (str); "
            "allowed: one of 'zero', 'book', 'range'",
        ),
        (
            {"n_scenarios": "100"},
            "parameter 'n_scenarios': got '100' (str); allowed: an integer from 0 to 5,000,000",
        ),
        (
            {"discount": 0.05},
            "parameter 'discount': not a parameter of investment_return; allowed: company, "
            "investor, discount_rate, exit_scenario, n_scenarios, seed, data_dir",
        ),
    ],
)
def test_refused_parameter_sets(values, message) -> None:
    assert check_parameters(InvestmentParams, values) == [message]
    with pytest.raises(ParameterError) as caught:
        InvestmentParams.from_values(**values)
    assert str(caught.value) == message
    assert "\n" not in message


# --- every parameter set, in-process -----------------------------------------------------------


@pytest.mark.parametrize(("company", "investor", "exit_scenario", "rate", "n"), RUNS)
def test_key_numbers_fit_the_scenario(dataset, company, investor, exit_scenario, rate, n) -> None:
    params = InvestmentParams.from_values(
        company=company,
        investor=investor,
        exit_scenario=exit_scenario,
        discount_rate=rate,
        n_scenarios=n,
        seed=7,
    )
    report = analyse(dataset, params)
    check_investment_numbers(report.key_numbers.values, exit_scenario, n)
    if not n:
        assert report.key_numbers.notes["loss_p50_eur_m"] == "scenario engine off (n_scenarios = 0)"
    assert report.source_ids and set(report.source_ids) <= set(dataset.sources["source_id"])


# --- papermill runs -----------------------------------------------------------------------------


def execute(tmp_path: Path, **parameters: object) -> nbformat.NotebookNode:
    import papermill as pm

    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


@pytest.mark.slow
def test_papermill_run_with_other_parameters(tmp_path, dataset) -> None:
    nb = execute(tmp_path, **PAPERMILL_RUN)
    assert error_outputs(nb) == []
    recorded = read_key_numbers(nb)

    # Figures: PNG only, one per figure cell (the engine is on: the distribution is drawn).
    images = image_outputs(nb)
    assert len(images) == 7
    assert all("image/png" in data and "image/svg+xml" not in data for data in images)

    # The notebook records what the analysis computes for the same parameters.
    report = analyse(dataset, InvestmentParams.from_values(**PAPERMILL_RUN))
    numbers = report.key_numbers.values
    check_investment_numbers(numbers, "book", PAPERMILL_RUN["n_scenarios"])
    assert numbers["proceeds_low_eur_m"] > 0  # Cloudwatt's book value is positive
    assert set(recorded) == set(numbers)
    for name, value in numbers.items():
        if value is None:
            assert recorded[name]["value"] is None, name
        else:
            assert recorded[name]["value"] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    sources = read_sources(nb)
    assert set(report.source_ids) == set(sources)
    assert set(sources) <= set(dataset.sources["source_id"])


@pytest.mark.slow
def test_papermill_stops_at_the_validation_cell(tmp_path) -> None:
    from papermill.exceptions import PapermillExecutionError

    message = (
        "parameter 'investor': got 'thales', which did not hold numergy; "
        "allowed with company='numergy': 'bull', 'sfr', 'state', 'all'"
    )
    with pytest.raises(PapermillExecutionError) as caught:
        execute(tmp_path, company="numergy", investor="thales")
    assert caught.value.ename == "ParameterError"
    assert caught.value.evalue == message
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    failing = [
        i for i, c in enumerate(code) if any(o["output_type"] == "error" for o in c["outputs"])
    ]
    assert len(failing) == 1
    cell = code[failing[0]]
    assert "InvestmentParams.from_values(" in cell["source"]
    (output,) = [o for o in cell["outputs"] if o["output_type"] == "error"]
    assert output["traceback"] == [f"ParameterError: {message}"]  # one line, no stack
    # Nothing after the validation cell ran.
    assert all(c.get("execution_count") is None for c in code[failing[0] + 1 :])
