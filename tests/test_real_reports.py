"""The real reports: every report of reports.yml, from the session's one run (``real_run``).

The run is ``python -m analysis run`` on the project's config, on a copy of data/ whose
texts carry markup (tests/fixtures/real_run.py; the browser tests read the same run). These
tests check structured results, not sentences: every report of the config ran and recorded
the key numbers that the analysis computes in this process for its parameters on the same
data, which fit what the sources say; every figure is a PNG; every cited source is known;
and the pages show those numbers as the project's formatters print them.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from report_checks import (
    check_investment_numbers,
    check_market_numbers,
    error_outputs,
    image_outputs,
)
from runner_helpers import REPO, manifest

from analysis.data.io import data_checksum, load_dataset
from analysis.params import InvestmentParams, MarketParams
from analysis.report.investment.analyse import analyse_investment as analyse
from analysis.report.market import page as mr
from analysis.report.record import key_number_rows, key_table_html, read_key_numbers, read_sources
from analysis.runner.config import load_config
from analysis.runner.html import index_number

#: digits the notebooks round their key-number cell to (``record_key_numbers(..., digits=)``)
DIGITS = {"investment_return": 2, "market_position": 1}


@pytest.fixture(scope="module")
def run(real_run):
    assert real_run.returncode == 0, real_run.stdout + real_run.stderr
    return real_run


@pytest.fixture(scope="module")
def reports(run) -> list[dict]:
    return manifest(run.run_dir)["reports"]


@pytest.fixture(scope="module")
def dataset(run):
    return load_dataset(run.data_dir)


def _stem(report: dict) -> str:
    return Path(report["notebook"]).stem


def _page_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_every_report_of_the_config_ran(run, reports) -> None:
    expected = [r.name for r in load_config(REPO / "reports.yml")]
    assert [r["name"] for r in reports] == expected
    assert {r["notebook"] for r in reports} == {
        "notebooks/investment_return.ipynb",
        "notebooks/market_position.ipynb",
    }
    recorded = manifest(run.run_dir)["run"]
    assert recorded["status"] == "ok" and recorded["reports_failed"] == 0
    assert recorded["reports_total"] == len(expected)
    assert recorded["data_sha256"] == data_checksum(run.data_dir)
    assert recorded["kernel"]["mode"] == "fork-server"
    assert f"run {run.run_dir.name}" in run.stdout
    for report in reports:
        assert report["status"] == "ok", report.get("error")
        assert report["key_numbers"], f"{report['name']} recorded no key numbers"
        for key in ("html", "notebook_out", "log"):
            assert (run.run_dir / report[key]).stat().st_size > 0, (report["name"], key)


def test_each_report_records_what_the_analysis_computes(run, reports, dataset) -> None:
    """The numbers and sources each notebook recorded are those computed here, in-process,
    for the report's parameters (as the manifest gives them), on the same data."""
    for report in reports:
        recorded = {name: entry["value"] for name, entry in report["key_numbers"].items()}
        if _stem(report) == "investment_return":
            params = InvestmentParams.from_values(**report["parameters"])
            result = analyse(dataset, params)
            expected, cited = result.key_numbers.values, list(result.source_ids)
            check_investment_numbers(recorded, params.exit_scenario, params.n_scenarios)
        else:
            params = MarketParams.from_values(**report["parameters"])
            expected = mr.key_numbers(mr.analyse_market(dataset, params)).values
            cited = list(mr.sources_section(mr.analyse_market(dataset, params)).source_ids)
            check_market_numbers(recorded, params.market)
        assert recorded == pytest.approx(expected, rel=1e-9, abs=1e-12), report["name"]
        assert report["sources"] == cited, report["name"]
        assert set(cited) <= set(dataset.sources["source_id"]), report["name"]


def test_executed_notebooks_hold_png_figures_and_their_records(run, reports) -> None:
    for report in reports:
        nb = json.loads((run.run_dir / report["notebook_out"]).read_text(encoding="utf-8"))
        assert error_outputs(nb) == [], report["name"]
        images = image_outputs(nb)
        if _stem(report) == "investment_return":  # one per figure cell, the engine is on
            assert len(images) == 7, report["name"]
        else:
            assert 3 <= len(images) <= 8, report["name"]
        assert all(set(data) & {"image/png"} for data in images), report["name"]
        assert not [d for d in images if any(k.startswith("image/svg") for k in d)]
        numbers = read_key_numbers(nb)
        assert {n: e["value"] for n, e in numbers.items()} == {
            n: e["value"] for n, e in report["key_numbers"].items()
        }
        assert read_sources(nb) == report["sources"]


def _index_numbers(index: str, name: str) -> dict[str, tuple[str, str]]:
    """Quantity -> (central value shown, what follows it), in the index row of one report."""
    row = index[index.index(f'id="report-{name}"') :]
    row = row[: row.index('<td class="sc-files">')]
    found = re.findall(r'<tr title="([^"]+)"><td>.*?</td><td class="sc-num">'
                       r'<span class="sc-value">(.*?)</span>(.*?)</td>', row)  # fmt: skip
    return {html.unescape(k): (html.unescape(v), html.unescape(rest)) for k, v, rest in found}


def _shown_in_index(row: dict) -> tuple[str, str]:
    shown = index_number(row)
    rest = "".join(f" {shown[key]}" for key in ("range", "unit") if shown[key])
    return shown["value"], rest


def test_pages_show_the_recorded_numbers_as_formatted(run, reports) -> None:
    """The index shows every recorded quantity (central, range, unit) through the runner's
    ``index_number``; each report page shows the key-number table as
    ``record.key_table_html`` renders it at the notebook's rounding."""
    index = (run.run_dir / "index.html").read_text(encoding="utf-8")
    for report in reports:
        rows = key_number_rows(report["key_numbers"])
        assert rows, report["name"]
        assert _index_numbers(index, report["name"]) == {
            row["quantity"]: _shown_in_index(row) for row in rows
        }, report["name"]
        digits = DIGITS[_stem(report)]
        source = (REPO / report["notebook"]).read_text(encoding="utf-8")
        assert f"digits={digits}" in source  # the rounding the notebook asks for
        table = key_table_html({"numbers": report["key_numbers"]}, digits)
        page = (run.run_dir / report["html"]).read_text(encoding="utf-8")
        # compared as text: the page re-serialises the output's HTML (entities may differ)
        assert _page_text(table) in _page_text(page), report["name"]
