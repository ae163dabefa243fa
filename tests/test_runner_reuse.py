"""Incremental runs: a report whose inputs are unchanged reuses an earlier run's files.

The unit tests build run folders by hand (no kernel); the end-to-end test runs the real
command on fixture notebooks, changing inputs that no report shares in the same run (the
unit tests show which input changes which report's key).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from conftest import write_tiny_package
from runner_helpers import copy_notebooks, latest, manifest, run_cli, write_config

from analysis.runner.config import NotebookInfo, ParameterInfo, Report
from analysis.runner.reuse import (
    inputs_sha256,
    package_sha256,
    plan_reuse,
    report_inputs,
)

EXTRA_SOURCE = "lemonde,Le Monde,Le cloud souverain,https://example.org/lm,2016-01\n"
_COMMON = {
    "data_sha256": "d" * 64,
    "data_dir_shown": None,
    "show_code": False,
    "cell_timeout_s": 1800.0,
    "package": "p" * 64,
    "lock": "l" * 64,
}


def _report(tmp_path: Path, name: str = "numbers-alpha", **parameters) -> Report:
    notebook = tmp_path / "numbers.ipynb"
    if not notebook.exists():
        notebook.write_text('{"cells": []}', encoding="utf-8")
    data_dir = ParameterInfo("data_dir", "")  # the page shows the data directory given
    info = NotebookInfo(notebook, "notebooks/numbers.ipynb", {"data_dir": data_dir})
    return Report(name=name, notebook=info, parameters=parameters or {"label": "alpha"}, entry=0)


def _key(report: Report, **changes) -> str:
    return inputs_sha256(report_inputs(report, **{**_COMMON, **changes}))


def test_each_input_changes_the_key_and_nothing_else_does(tmp_path: Path) -> None:
    report = _report(tmp_path)
    base = _key(report)
    assert _key(report) == base  # deterministic
    changed = {
        "parameters": _key(replace(report, parameters={"label": "beta"})),
        "name": _key(replace(report, name="numbers-other")),
        "data": _key(report, data_sha256="e" * 64),
        "data dir shown": _key(report, data_dir_shown="data-v2"),
        "package source": _key(report, package="q" * 64),
        "lock file": _key(report, lock="m" * 64),
        "--show-code": _key(report, show_code=True),
        "--timeout": _key(report, cell_timeout_s=60.0),
        "a library upgraded without the lock file": _key(report, libraries={"pandas": "0.1"}),
    }
    assert all(key != base for key in changed.values()), changed
    assert len(set(changed.values())) == len(changed)
    report.notebook.path.write_text('{"cells": [1]}', encoding="utf-8")
    assert _key(report) != base  # notebook content


def test_package_checksum_follows_the_source_files(tmp_path: Path) -> None:
    tree = tmp_path / "pkg"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.py").write_text("x = 1\n")
    (tree / "sub" / "t.html.j2").write_text("{{ x }}\n")
    before = package_sha256.__wrapped__(tree)
    (tree / "__pycache__").mkdir()
    (tree / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0compiled")
    assert package_sha256.__wrapped__(tree) == before  # caches do not count
    (tree / "sub" / "t.html.j2").write_text("{{ y }}\n")
    assert package_sha256.__wrapped__(tree) != before
    assert len(package_sha256()) == 64  # the installed package


def _earlier_run(output: Path, run_id: str, entries: list[dict]) -> Path:
    run_dir = output / run_id
    (run_dir / "logs").mkdir(parents=True)
    for entry in entries:
        for key in ("html", "notebook_out", "log"):
            (run_dir / entry[key]).write_text(f"{run_id} {entry['name']} {key}")
    (run_dir / "manifest.json").write_text(json.dumps({"run": {}, "reports": entries}))
    return run_dir


def _entry(report: Report, status: str = "ok", **extra) -> dict:
    return {
        "name": report.name,
        "status": status,
        "html": f"{report.name}.html",
        "notebook_out": f"{report.name}.ipynb",
        "log": f"logs/{report.name}.log",
        "key_numbers": {"total": {"value": 1.0}},
        "inputs_sha256": _key(report),
        **extra,
    }


def test_plan_reuses_ok_reports_with_the_same_inputs(tmp_path: Path) -> None:
    alpha = _report(tmp_path)
    beta = _report(tmp_path, "numbers-beta", label="beta")
    failed = _report(tmp_path, "numbers-gamma", label="gamma")
    output = tmp_path / "reports"
    _earlier_run(
        output,
        "2026-03-02T06-00-04Z",
        [_entry(alpha), _entry(beta, inputs_sha256="0" * 64), _entry(failed, "failed")],
    )
    plan = plan_reuse([alpha, beta, failed], output, reuse=True, **_COMMON)
    assert list(plan.reused) == ["numbers-alpha"]  # beta's inputs changed; gamma had failed
    assert [r.name for r in plan.to_run] == ["numbers-beta", "numbers-gamma"]
    new_run = output / ".tmp-2026-03-09T06-00-03Z"
    entry = plan.entry("numbers-alpha", new_run)
    assert entry["reused_from"] == "2026-03-02T06-00-04Z"
    assert entry["key_numbers"] == {"total": {"value": 1.0}}
    for name in ("numbers-alpha.html", "numbers-alpha.ipynb", "logs/numbers-alpha.log"):
        old = output / "2026-03-02T06-00-04Z" / name
        assert (new_run / name).read_text() == old.read_text()
        assert (new_run / name).stat().st_ino == old.stat().st_ino  # a hard link, no copy
    assert plan_reuse([alpha], output, reuse=False, **_COMMON).reused == {}


def test_plan_takes_the_newest_run_and_names_the_run_that_produced_the_files(
    tmp_path: Path,
) -> None:
    alpha = _report(tmp_path)
    output = tmp_path / "reports"
    _earlier_run(output, "2026-03-02T06-00-04Z", [_entry(alpha)])
    _earlier_run(
        output, "2026-03-09T06-00-03Z", [_entry(alpha, reused_from="2026-03-02T06-00-04Z")]
    )
    plan = plan_reuse([alpha], output, reuse=True, **_COMMON)
    assert plan.reused["numbers-alpha"][0] == "2026-03-09T06-00-03Z"
    entry = plan.entry("numbers-alpha", output / ".tmp-new")
    assert entry["reused_from"] == "2026-03-02T06-00-04Z"


def test_plan_runs_a_report_whose_earlier_files_are_gone(tmp_path: Path) -> None:
    alpha = _report(tmp_path)
    output = tmp_path / "reports"
    run_dir = _earlier_run(output, "2026-03-02T06-00-04Z", [_entry(alpha)])
    (run_dir / "numbers-alpha.html").unlink()
    (output / ".tmp-2026-03-03T06-00-04Z").mkdir()  # an unfinished run is never a source
    plan = plan_reuse([alpha], output, reuse=True, **_COMMON)
    assert plan.reused == {} and [r.name for r in plan.to_run] == ["numbers-alpha"]


# --- end to end ---------------------------------------------------------------------------


def _executed(run_dir: Path) -> list[str]:
    return sorted(r["name"] for r in manifest(run_dir)["reports"] if not r.get("reused_from"))


@pytest.mark.slow
def test_only_the_reports_whose_inputs_changed_run_again(tmp_path: Path) -> None:
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    entries = [
        {
            "notebook": "notebooks/numbers.ipynb",
            "name": "numbers-{label}",
            "matrix": {"label": ["alpha", "beta"]},
            "parameters": {"factor": 2.0},
        },
        {"notebook": "notebooks/foreign_kernel.ipynb", "name": "foreign", "parameters": {"x": 21}},
        # a report no step below changes, but the data: it says a change stays with the
        # reports whose inputs it is
        {
            "notebook": "notebooks/failing.ipynb",
            "name": "witness",
            "parameters": {"mode": "pass"},
        },
    ]
    config = write_config(tmp_path / "reports.yml", entries)
    out = tmp_path / "reports"
    args = ("run", "--config", str(config), "--output", str(out), "--data-dir", str(data))

    def run(*extra: str) -> Path:
        done = run_cli(*args, "--no-progress", "--jobs", "2", *extra)
        assert done.returncode == 0, done.stderr
        return latest(out)

    everything = ["foreign", "numbers-alpha", "numbers-beta", "witness"]
    first = run()
    assert _executed(first) == everything
    assert all(r["inputs_sha256"] for r in manifest(first)["reports"])

    # nothing changed: every report reused, no kernel started
    second = run()
    assert _executed(second) == []
    record = manifest(second)
    assert {r["reused_from"] for r in record["reports"]} == {first.name}
    assert record["run"]["kernel"]["mode"] == "none"
    alpha = {r["name"]: r for r in record["reports"]}["numbers-alpha"]
    assert alpha["key_numbers"]["total_eur_m"]["value"] == 6.0
    assert (second / "numbers-alpha.html").read_bytes() == (
        first / "numbers-alpha.html"
    ).read_bytes()
    index = (second / "index.html").read_text(encoding="utf-8")
    assert index.count(f'reused from <a href="../{first.name}/index.html">') == 4
    assert "4 reused from earlier runs" in index

    # in one run, two independent inputs: one report's parameters (foreign) and the content
    # of another notebook (numbers, both reports of its matrix); witness shares neither
    entries[1]["parameters"]["x"] = 22
    write_config(config, entries)
    path = tmp_path / "notebooks" / "numbers.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("One more sentence."))
    nbformat.write(nb, path)
    third = run()
    assert _executed(third) == ["foreign", "numbers-alpha", "numbers-beta"]
    third_reports = {r["name"]: r for r in manifest(third)["reports"]}
    assert third_reports["witness"]["reused_from"] == first.name
    assert third_reports["foreign"]["key_numbers"]["double"]["value"] == 44

    # the data
    with open(data / "sources.csv", "a", encoding="utf-8") as handle:
        handle.write(EXTRA_SOURCE)
    fourth = run()
    assert _executed(fourth) == everything
    alpha = {r["name"]: r for r in manifest(fourth)["reports"]}["numbers-alpha"]
    assert alpha["key_numbers"]["sources_n"]["value"] == 3

    # --no-reuse runs what it is asked to, whatever the earlier runs hold
    assert _executed(run("--no-reuse", "--only", "foreign")) == ["foreign"]
