"""notebooks/market_position.ipynb: its committed form, every market and grouping, refusals.

Every market and grouping is checked in-process (the key numbers the notebook records come
from ``market_report.key_numbers``). One papermill run with non-default parameters checks
that the notebook records exactly those numbers, draws PNG figures and cites known sources,
and one refused parameter set stops it at the validation cell; each starts a kernel (about
ten seconds): they are marked ``slow``. The default reports of reports.yml are checked on the
session's real run (tests/test_real_reports.py) and by nbval.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
from report_checks import check_market_numbers, error_outputs

from analysis.data.io import REPO_ROOT, load_dataset
from analysis.errors import ParameterError
from analysis.notebooks import is_checked_cell, parameter_defaults, parameters_cell
from analysis.params import MarketParams
from analysis.report.market import page as mr
from analysis.report.record import read_key_numbers, read_sources

NOTEBOOK = REPO_ROOT / "notebooks" / "market_position.ipynb"
#: the papermill run: a market, grouping, window and highlight that no default report uses
PAPERMILL_RUN = {
    "market": "worldwide",
    "group_by": "origin",
    "start_year": 2015,
    "highlight": ["ovhcloud", "scaleway"],
}


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def _committed() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def _run(tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    import papermill as pm

    return pm.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )


# --------------------------------------------------------------------------- committed file


def test_parameters_cell_defaults_are_the_schema_defaults() -> None:
    defaults = parameter_defaults(_committed())
    assert defaults == MarketParams().model_dump()
    source = parameters_cell(_committed())["source"]
    for line in source.splitlines():  # typed literals, each with a help comment
        assert ": " in line.split("=")[0] and "  # " in line, line


def test_committed_notebook_keeps_only_the_key_number_output() -> None:
    nb = _committed()
    assert nb.metadata["kernelspec"]["name"] == "python3"
    checked = [c for c in nb.cells if is_checked_cell(c)]
    assert len(checked) == 1 and checked[0].outputs  # the key numbers, compared by nbval
    assert checked[0].execution_count is not None  # nbval skips a reference cell without one
    for cell in nb.cells:
        if cell.cell_type == "code" and not is_checked_cell(cell):
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
    text = "".join(checked[0].outputs[0]["data"]["text/plain"])
    assert "big3_share_pct" in text and "/" not in text.split("\n")[0]  # no paths


def test_notebook_code_only_calls_the_package() -> None:
    """No loop, branch, function or class in the notebook: the logic lives in analysis/."""
    for cell in _committed().cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith("%")
        )
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(
                node, ast.For | ast.While | ast.If | ast.FunctionDef | ast.ClassDef | ast.Lambda
            ), cell.source[:60]


def test_notebook_has_the_sections_of_an_analysis() -> None:
    headings = [
        line
        for cell in _committed().cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]
    for wanted in (
        "Definitions",
        "Market size and growth",
        "Shares over time",
        "Concentration",
        "Growth against relative share",
        "against the market",
        "What is not known",
        "Caveats",
        "Key numbers",
        "Sources of the figures",
    ):
        assert any(wanted in h for h in headings), wanted


# --------------------------------------------------------------------------- refused values


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"start_year": 2020, "end_year": 2015},
            "parameter 'start_year': got 2020, after end_year=2015; allowed: a year no later "
            "than end_year",
        ),
        (
            {"highlight": ["ovhcloud", "ovh"]},
            "parameter 'highlight': got unknown provider id 'ovh'; allowed: ids of companies or "
            "provider groups in entities.csv",
        ),
        (
            {"market": "asia"},
            "parameter 'market': got 'asia' (str); allowed: one of 'europe', 'france', 'worldwide'",
        ),
        (
            {"group_by": "country"},
            "parameter 'group_by': got 'country' (str); allowed: one of 'provider', 'origin'",
        ),
        (
            {"start_year": "2015"},
            "parameter 'start_year': got '2015' (str); allowed: an integer from 2,000 to 2,035",
        ),
    ],
)
def test_bad_parameters_give_one_line(values: dict, message: str) -> None:
    with pytest.raises(ParameterError) as caught:
        MarketParams.from_values(**values)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.slow
def test_notebook_stops_at_the_validation_cell(tmp_path: Path) -> None:
    """A refused value stops the papermill run at the cell after the parameters, with the
    one line that the in-process refusals above check for every parameter."""
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as caught:
        _run(tmp_path, start_year=2020, end_year=2015)
    error = caught.value
    assert error.ename == "ParameterError"
    assert error.evalue.startswith("parameter 'start_year': got 2020, after")
    assert "\n" not in error.evalue
    assert "MarketParams.from_values" in error.source  # the cell after the parameters
    assert error.traceback == [f"ParameterError: {error.evalue}"]  # one line, no stack


# --------------------------------------------------------------------------- every market


@pytest.mark.parametrize("group_by", ["provider", "origin"])
@pytest.mark.parametrize("market", ["europe", "france", "worldwide"])
def test_key_numbers_for_every_market_and_grouping(dataset, market, group_by) -> None:
    params = MarketParams.from_values(market=market, group_by=group_by)
    check_market_numbers(mr.key_numbers(mr.analyse_market(dataset, params)).values, market)
    cited = mr.sources_section(mr.analyse_market(dataset, params)).source_ids
    assert cited and set(cited) <= set(dataset.sources["source_id"])


# --------------------------------------------------------------------------- papermill run


def _outputs(nb: nbformat.NotebookNode):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


@pytest.mark.slow
def test_papermill_run_with_other_parameters(tmp_path: Path, dataset) -> None:
    nb = _run(tmp_path, **PAPERMILL_RUN)
    outputs = list(_outputs(nb))
    assert error_outputs(nb) == []
    assert "image/svg+xml" not in json.dumps(nb)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert 3 <= len(images) <= 8
    for output in outputs:  # every figure output is a PNG
        data = output.get("data", {})
        assert not any(k.startswith("image/") and k != "image/png" for k in data)

    # The notebook records what the package computes for the same parameters.
    params = MarketParams.from_values(**PAPERMILL_RUN)
    expected = mr.key_numbers(mr.analyse_market(dataset, params)).values
    recorded = {name: entry["value"] for name, entry in read_key_numbers(nb).items()}
    assert recorded == pytest.approx(expected)
    check_market_numbers(recorded, PAPERMILL_RUN["market"])

    cited = read_sources(nb)
    assert cited == list(mr.sources_section(mr.analyse_market(dataset, params)).source_ids)
    assert set(cited) <= set(dataset.sources["source_id"])
