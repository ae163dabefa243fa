"""The run index (headline numbers, grouping, failures first) and the answer-first page
layout, on small literal manifests and notebooks (no kernel)."""

from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.report.record import key_numbers_payload
from analysis.runner.html import index_number, index_order, render_index, split_answer

RUN = {
    "run_id": "2026-12-05T00-00-00Z",
    "started_text": "s",
    "finished_text": "f",
    "duration_text": "1 s",
    "date_text": "d",
    "git_commit": "abc",
    "git_dirty": False,
    "data_sha256": "0" * 64,
}


def _report(name: str, notebook: str, status: str = "ok", numbers=None) -> dict:
    report = {
        "name": name,
        "notebook": notebook,
        "status": status,
        "parameters": {},
        "duration_s": 1.0,
        "html": f"{name}.html",
        "notebook_out": f"{name}.ipynb",
        "log": f"logs/{name}.log",
        "key_numbers": numbers or {},
    }
    if status != "ok":
        report["failed_cell"] = {"number": 3, "execution_count": 2, "id": "x", "source": ""}
        report["error"] = {"ename": "ValueError", "evalue": "boom", "traceback": []}
    return report


MARKET = key_numbers_payload(
    {
        "big3_share_pct": 63.5,
        "big3_share_low_pct": 63.0,
        "big3_share_high_pct": 64.0,
        "market_cagr_pct": 26.57,  # recorded but not a headline: folded away
        "market_growth_latest_pct": 30.0,
        "share_series": "ww_cloud_infra_synergy",
    },
    units={"big3_share_pct": "%", "market_growth_latest_pct": "%", "market_cagr_pct": "% a year"},
    labels={"big3_share_pct": "big three's share, central"},
    headline=["big3_share_pct", "market_growth_latest_pct"],
)["numbers"]


def test_index_order_groups_by_notebook_with_failures_first() -> None:
    reports = [
        _report("inv-a", "notebooks/investment_return.ipynb"),
        _report("mkt-a", "notebooks/market_position.ipynb"),
        _report("inv-b", "notebooks/investment_return.ipynb"),
        _report("mkt-b", "notebooks/market_position.ipynb", status="failed"),  # a failure
        _report("mkt-c", "notebooks/market_position.ipynb"),
    ]
    # the group with a failure first, the failure first in it, config order otherwise
    assert [r["name"] for r in index_order(reports)] == [
        "mkt-b",
        "mkt-a",
        "mkt-c",
        "inv-a",
        "inv-b",
    ]


def test_headline_shows_central_low_to_high_and_unit() -> None:
    row = {"quantity": "big3_share_pct", "label": "big three's share", "unit": "%"}
    assert index_number({**row, "low": 63.0, "central": 63.5, "high": 64.0}) == {
        "name": "big3_share_pct",
        "label": "big three's share",
        "value": "63.5",
        "range": "(63 to 64)",
        "unit": "%",
    }
    # equal ends: no range; an undefined end: no range either, the central alone
    assert index_number({**row, "low": 70.0, "central": 70.0, "high": 70.0})["range"] == ""
    assert index_number({**row, "low": None, "central": 27.6, "high": 27.6})["range"] == ""


def _cells(page: str, name: str) -> str:
    """The index row of one report (its cells hold tables of their own)."""
    found = re.search(rf'id="report-{name}".*?(?=<tr class="sc-row|</tbody>)', page, re.DOTALL)
    return found.group(0)


def test_index_page_shows_marked_headlines_grouped_failures_first() -> None:
    reports = [
        _report(
            "inv",
            "notebooks/investment_return.ipynb",
            numbers={
                "loss_central_eur_m": {"value": 43.9, "unit": "EUR m"},
                "loss_low_eur_m": {"value": 30.0},
                "loss_high_eur_m": {"value": 75.0},
                "n_text": {"value": "x"},
            },
        ),
        _report("mkt", "notebooks/market_position.ipynb", numbers=MARKET),
        _report("bad", "notebooks/market_position.ipynb", status="failed"),
    ]
    page = render_index(RUN, reports, None)
    rows = re.findall(r'<tr class="sc-row-(\w+)" id="report-([\w.+-]+)"', page)
    assert rows == [("failed", "bad"), ("ok", "mkt"), ("ok", "inv")]
    groups = re.findall(r'<tr class="sc-group-head"><th colspan="6">([^ <]+)', page)
    assert groups == ["notebooks/market_position.ipynb", "notebooks/investment_return.ipynb"]
    market = _cells(page, "mkt")
    shown, _, folded = market.partition("<details>")
    # the marked headlines, as "central (low to high) unit", with the short label
    assert (
        '<td>big three&#39;s share</td><td class="sc-num"><span class="sc-value">63.5</span>'
        " (63 to 64) %</td>" in shown
    )
    assert "market_growth_latest_pct" in shown and "market_cagr_pct" not in shown
    assert "market_cagr_pct" in folded and "3 more key numbers" not in folded
    # no headline marked: the first quantities recorded, central (low to high) unit
    investment = _cells(page, "inv")
    assert '<span class="sc-value">43.9</span> (30 to 75) EUR m' in investment


def test_answer_cells_open_the_page_and_leave_the_body() -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Title"),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell(
                "show(answer)",
                metadata={"tags": ["answer"]},
                outputs=[new_output("display_data", data={"text/markdown": "**The answer**"})],
            ),
            new_markdown_cell("## Details"),
        ]
    )
    rest, answer = split_answer(nb)
    assert [c.source for c in answer.cells] == ["show(answer)"]
    assert "show(answer)" not in [c.source for c in rest.cells]
    assert len(nb.cells) == 4  # the input is not changed
    nbformat.validate(rest)
    assert split_answer(rest)[1] is None  # no tagged cell: no answer box
