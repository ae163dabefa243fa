"""End-to-end tests of ``python -m analysis run`` and ``compare`` on small fixture notebooks.

(The real notebooks' run of reports.yml is checked in tests/test_real_reports.py, on the
session's one run.)

Every test runs the real command in a new process (papermill, nbclient and real kernels; no
mocks). Two runs share one output folder for most checks: run A (all reports ok) and run B
(a changed data directory, one report failing, one added, one removed), then ``compare``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from conftest import write_tiny_package
from runner_helpers import (
    REPO,
    copy_notebooks,
    latest,
    manifest,
    processes_with_env,
    run_cli,
    run_dirs,
    start_cli,
    tree_snapshot,
    wait_for,
    write_config,
)

from analysis.data.io import data_checksum
from analysis.runner.config import RESERVED_NAMES
from analysis.runner.lock import RunLock

pytestmark = pytest.mark.slow

EXTRA_SOURCE = "lemonde,Le Monde,Le cloud souverain,https://example.org/lm,2016-01\n"


def _page_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Run A (all ok, --data-dir) then run B (env data dir, a failure) into one folder."""
    root = tmp_path_factory.mktemp("two-runs")
    copy_notebooks(root / "notebooks")
    data_a = write_tiny_package(root / "data-a")
    data_b = root / "data-b"
    shutil.copytree(data_a, data_b)
    with open(data_b / "sources.csv", "a", encoding="utf-8") as handle:
        handle.write(EXTRA_SOURCE)
    numbers = {
        "notebook": "notebooks/numbers.ipynb",
        "name": "numbers-{label}",
        "matrix": {"label": ["alpha", "beta"]},
        "parameters": {"factor": 2.0},
    }
    config_a = write_config(
        root / "a.yml",
        [
            numbers,
            {"notebook": "notebooks/figures.ipynb", "name": "figures"},
            {
                "notebook": "notebooks/foreign_kernel.ipynb",
                "name": "foreign",
                "parameters": {"x": 21},
            },
            {
                "notebook": "notebooks/failing.ipynb",
                "name": "switch",
                "parameters": {"mode": "pass"},
            },
        ],
    )
    config_b = write_config(
        root / "b.yml",
        [
            {**numbers, "matrix": {"label": ["alpha", "beta", "gamma"]}},
            {"notebook": "notebooks/figures.ipynb", "name": "figures"},
            {
                "notebook": "notebooks/failing.ipynb",
                "name": "switch",
                "parameters": {"mode": "fail"},
            },
        ],
    )
    out = root / "out"
    common = ["--output", str(out), "--no-progress"]
    run_a = run_cli("run", "--config", str(config_a), "--data-dir", str(data_a), *common)
    assert run_a.returncode == 0, run_a.stderr
    id_a = latest(out).name
    run_b = run_cli(
        "run", "--config", str(config_b), *common, env={"ANALYSIS_DATA_DIR": str(data_b)}
    )
    id_b = latest(out).name
    return {
        "root": root,
        "out": out,
        "a": run_a,
        "b": run_b,
        "dir_a": out / id_a,
        "dir_b": out / id_b,
        "data_a": data_a,
        "data_b": data_b,
    }


def _reports(run_dir: Path) -> dict[str, dict]:
    return {r["name"]: r for r in manifest(run_dir)["reports"]}


def test_exit_statuses_and_output_layout(two_runs) -> None:
    assert two_runs["a"].returncode == 0
    assert two_runs["b"].returncode == 1, two_runs["b"].stderr
    out = two_runs["out"]
    assert run_dirs(out) == sorted([two_runs["dir_a"].name, two_runs["dir_b"].name])
    assert two_runs["dir_a"].name < two_runs["dir_b"].name  # run ids sort in time order
    assert os.readlink(out / "latest") == two_runs["dir_b"].name
    assert (out / "latest.txt").read_text().strip() == two_runs["dir_b"].name
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]
    run_a = two_runs["dir_a"]
    for name in ("numbers-alpha", "numbers-beta", "figures", "foreign", "switch"):
        assert (run_a / f"{name}.ipynb").is_file()
        assert (run_a / f"{name}.html").is_file()
        assert (run_a / "logs" / f"{name}.log").stat().st_size > 0
    assert (run_a / "index.html").is_file()
    assert not (run_a / ".results").exists()
    assert "run " + run_a.name in two_runs["a"].stdout


def test_no_report_name_can_overwrite_a_file_of_the_runner(two_runs) -> None:
    """Every file the runner itself writes into a run folder has a reserved name."""
    run_b = two_runs["dir_b"]
    reports = {r["name"] for r in manifest(run_b)["reports"]}
    own = [p.relative_to(run_b) for p in run_b.rglob("*") if p.is_file() and p.stem not in reports]
    assert {str(p) for p in own} >= {"index.html", "manifest.json", "logs/forkserver.log"}
    assert {p.stem.lower() for p in own} | {"logs"} <= RESERVED_NAMES


def test_manifest_records_the_run_and_every_report(two_runs) -> None:
    data = manifest(two_runs["dir_a"])
    run = data["run"]
    assert run["run_id"] == two_runs["dir_a"].name
    assert run["started"] <= run["finished"]
    # one clock for the run proper: the checks (and any wait) are recorded apart
    started, finished = (
        dt.datetime.fromisoformat(run[k].replace("Z", "+00:00")) for k in ("started", "finished")
    )
    assert abs((finished - started).total_seconds() - run["duration_s"]) <= 1.0
    assert run["checks_s"] > 0 and run["lock_wait_s"] < 1.0
    assert run["data_sha256"] == data_checksum(two_runs["data_a"])
    assert re.fullmatch(r"[0-9a-f]{40}", run["git_commit"])
    assert run["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert run["packages"]["papermill"] and run["packages"]["nbconvert"]
    assert "numbers-{label}" in run["config"]["text"]
    assert run["kernel"] == {"mode": "fork-server", "fallback": None}
    alpha = _reports(two_runs["dir_a"])["numbers-alpha"]
    assert alpha["notebook"] == "notebooks/numbers.ipynb"
    assert alpha["parameters"] == {
        "factor": 2.0,
        "label": "alpha",
        "data_dir": str(two_runs["data_a"]),  # as given: no other path of the machine
    }
    assert alpha["status"] == "ok"
    assert alpha["duration_s"] > 0
    assert alpha["key_numbers"]["total_eur_m"] == {"value": 6.0, "label": "Total", "unit": "EUR m"}
    assert (alpha["html"], alpha["notebook_out"]) == ("numbers-alpha.html", "numbers-alpha.ipynb")
    assert "error" not in alpha


def test_kernels_are_the_project_interpreter_in_the_notebook_folder(two_runs) -> None:
    reports = _reports(two_runs["dir_a"])
    foreign = reports["foreign"]["key_numbers"]  # saved with kernelspec "no-such-kernel"
    assert foreign["kernel_python"]["value"] == sys.executable
    assert foreign["double"]["value"] == 42
    assert reports["numbers-alpha"]["key_numbers"]["cwd_is_notebook_dir"]["value"] is True


def test_data_directory_from_option_then_environment(two_runs) -> None:
    a = _reports(two_runs["dir_a"])["numbers-alpha"]["key_numbers"]
    b = _reports(two_runs["dir_b"])["numbers-alpha"]["key_numbers"]
    assert a["sources_n"]["value"] == 2
    assert b["sources_n"]["value"] == 3  # the modified copy, named by $ANALYSIS_DATA_DIR
    assert a["data_dir_param_given"]["value"] is True
    assert manifest(two_runs["dir_b"])["run"]["data_sha256"] == data_checksum(two_runs["data_b"])


def test_a_failing_report_does_not_stop_the_others(two_runs) -> None:
    reports = _reports(two_runs["dir_b"])
    assert {n: r["status"] for n, r in reports.items()} == {
        "numbers-alpha": "ok",
        "numbers-beta": "ok",
        "numbers-gamma": "ok",
        "figures": "ok",
        "switch": "failed",
    }
    switch = reports["switch"]
    # cell 4 of failing.ipynb; In [4] because papermill injected a parameters cell
    assert switch["failed_cell"]["number"] == 4
    assert switch["failed_cell"]["execution_count"] == 4
    assert "raise ValueError" in switch["failed_cell"]["source"]
    assert switch["error"]["ename"] == "ValueError"
    assert switch["error"]["evalue"] == "fixture failure: boom"
    assert switch["key_numbers"] == {"before_failure": {"value": 1}}
    executed = json.loads((two_runs["dir_b"] / "switch.ipynb").read_text())
    errors = [
        o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert errors and errors[0]["evalue"] == "fixture failure: boom"
    index = (two_runs["dir_b"] / "index.html").read_text()
    rows = re.findall(r'<tr class="sc-row-(\w+)" id="report-([\w.+-]+)"', index)
    assert rows[0] == ("failed", "switch")  # failures come first
    assert "ValueError: fixture failure: boom" in _page_text(index)
    page = (two_runs["dir_b"] / "switch.html").read_text()
    assert 'id="sc-failure"' in page and "fixture failure: boom" in page
    assert "FAILED switch at cell 4: ValueError: fixture failure: boom" in two_runs["b"].stdout


def test_report_page_hides_code_and_is_self_contained(two_runs) -> None:
    page = (two_runs["dir_a"] / "figures.html").read_text()
    text = _page_text(page)
    assert "<title>Figures fixture · figures</title>" in page
    assert "np.cumsum" not in text and "import matplotlib" not in text  # code hidden
    assert "SECRET-REMOVED-CELL" not in text  # remove-cell
    assert "visible output of a remove-input cell" in text
    assert "n_figures" in text and "how many figures to draw" in text  # parameters table
    toc = re.search(r'<nav class="sc-box sc-toc".*?</nav>', page, re.DOTALL).group(0)
    assert "Section A: a table" in toc and "Many small charts" in toc
    assert 'href="#Section-B:-figures"' in toc and 'id="Section-B:-figures"' in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page.lower()
    assert '<link rel="stylesheet"' not in page
    sources = [s for s in re.findall(r'src="([^"]*)"', page)]
    assert len(sources) == 6 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "BFM Business" in text and 'href="http://example.org/bfm"' in page
    run = manifest(two_runs["dir_a"])["run"]
    assert run["git_commit"] in page and run["data_sha256"] in page and run["run_id"] in page


def test_index_lists_every_report_and_links_the_previous_run(two_runs) -> None:
    index_a = (two_runs["dir_a"] / "index.html").read_text()
    for name in ("numbers-alpha", "numbers-beta", "figures", "foreign", "switch"):
        assert f'href="{name}.html"' in index_a and f'href="{name}.ipynb"' in index_a
    assert '<td>Total</td><td class="sc-num"><span class="sc-value">6</span> EUR m</td>' in index_a
    assert 'id="sc-previous"' not in index_a  # the first run has no previous run
    index_b = (two_runs["dir_b"] / "index.html").read_text()
    assert f'href="../{two_runs["dir_a"].name}/index.html"' in index_b
    assert "1 failed" in _page_text(index_b)


def test_compare_prints_what_moved(two_runs) -> None:
    out = str(two_runs["out"])
    done = run_cli("compare", str(two_runs["dir_a"]), "latest", "--output", out)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    block = text[text.index("numbers-alpha") :].splitlines()
    assert re.match(r"\s+key number\s+old \(A\)\s+new \(B\)\s+change\s+change %", block[1])
    assert re.match(r"\s+sources_n\s+2\s+3\s+\+1\s+\+50%", block[2]), block
    assert "data sha256: " in text and "(changed)" in text
    assert "Newly failing reports (ok in A, failed in B):" in text
    assert "  switch: ValueError: fixture failure: boom at cell 4" in text
    assert "Added reports: numbers-gamma" in text
    assert "Removed reports: foreign" in text
    # a manifest path and a run id work too; --strict turns differences into status 1
    strict = run_cli(
        "compare",
        str(two_runs["dir_a"] / "manifest.json"),
        two_runs["dir_b"].name,
        "--output",
        out,
        "--strict",
    )
    assert strict.returncode == 1 and strict.stdout == text
    previous = run_cli("compare", "previous", "latest", "--output", out)
    assert previous.returncode == 0 and previous.stdout == text
    same = run_cli("compare", "latest", "latest", "--output", out, "--strict")
    assert same.returncode == 0 and "No key number changed." in same.stdout
    missing = run_cli("compare", "nope", "latest", "--output", out)
    assert missing.returncode == 2 and "run 'nope' not found" in missing.stderr


@pytest.mark.skipif(
    not (REPO / "data" / "datapackage.json").is_file(), reason="data/ is not built yet"
)
def test_data_dir_option_with_a_modified_copy_of_data(tmp_path: Path) -> None:
    data = tmp_path / "data-copy"
    shutil.copytree(REPO / "data", data)
    sources = data / "sources.csv"
    with open(sources, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = {**rows[-1], "source_id": "test-extra-source", "url": "https://example.org/extra"}
    with open(sources, "a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0])).writerow(extra)
    copy_notebooks(tmp_path / "notebooks")
    config = write_config(
        tmp_path / "r.yml", [{"notebook": "notebooks/numbers.ipynb", "name": "numbers"}]
    )
    out = tmp_path / "out"
    done = run_cli(
        "run", "--config", str(config), "--output", str(out), "--data-dir", str(data),
        "--no-progress",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data_manifest = manifest(latest(out))
    numbers = data_manifest["reports"][0]["key_numbers"]
    assert numbers["sources_n"]["value"] == len(rows) + 1
    assert data_manifest["run"]["data_sha256"] == data_checksum(data)
    assert data_manifest["run"]["data_sha256"] != data_checksum(REPO / "data")


def test_show_code_plain_kernels_and_only(tmp_path: Path) -> None:
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    config = write_config(
        tmp_path / "r.yml",
        [
            {
                "notebook": "notebooks/figures.ipynb",
                "name": "figures",
                "parameters": {"n_figures": 1},
            },
            {"notebook": "notebooks/numbers.ipynb", "name": "numbers"},
            {"notebook": "notebooks/failing.ipynb", "name": "never-run"},
        ],
    )
    out = tmp_path / "out"
    given = os.path.relpath(data, REPO)  # relative to the command's folder (run_cli: REPO)
    done = run_cli(
        "run",
        "--config",
        str(config),
        "--output",
        str(out),
        "--data-dir",
        given,
        "--only",
        "FIGURES",  # names match regardless of case
        "numbers",
        "--show-code",
        "--no-preload",
        "--no-progress",
    )
    assert done.returncode == 0, done.stderr
    data_manifest = manifest(latest(out))
    assert [r["name"] for r in data_manifest["reports"]] == ["figures", "numbers"]
    assert data_manifest["run"]["kernel"]["mode"] == "plain"
    assert data_manifest["run"]["options"]["only"] == ["FIGURES", "numbers"]
    # pages, manifests and notebooks are published: the data directory as the user gave
    # it, never the local path the kernels were given
    numbers_entry = data_manifest["reports"][1]
    assert numbers_entry["parameters"]["data_dir"] == given
    notebook = (latest(out) / "numbers.ipynb").read_text()
    assert re.findall(r"(?<![.\w])" + re.escape(str(data.resolve())), notebook) == []
    for page in ("numbers.html", "index.html"):
        text = (latest(out) / page).read_text()
        absolute = re.findall(r"(?<![.\w])" + re.escape(str(data.resolve())), text)
        assert absolute == [], page
        assert f"<code>{html.escape(given)}</code>" in text, page
    page = (latest(out) / "figures.html").read_text()
    text = _page_text(page)
    assert 'ax.plot(np.cumsum(rng.normal(size=200)), label=f"walk {i}")' in text
    assert 'class="highlight' in page and ".highlight" in page  # pygments colours, inline
    assert "n_figures: int = 6" not in text  # the parameters cell is a table, not code
    assert "n_figures = 1" not in text  # nor papermill's injected cell
    assert "HIDDEN_INPUT_MARKER =" not in text  # remove-input
    assert "SECRET-REMOVED-CELL" not in text
    assert len(re.findall(r'src="data:image/png', page)) == 1


def test_many_reports_at_once_in_forked_kernels(tmp_path: Path) -> None:
    """Fork safety: concurrent forked kernels draw figures, use BLAS, and are re-seeded."""
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    config = write_config(
        tmp_path / "r.yml",
        [
            {
                "notebook": "notebooks/figures.ipynb",
                "name": "f-{seed}-{sources}",
                "matrix": {"seed": [1, 2, 3, 4], "sources": [["bfm"], ["jdn"]]},
                "parameters": {"n_figures": 2},
            }
        ],
    )
    out = tmp_path / "out"
    done = run_cli(
        "run",
        "--config",
        str(config),
        "--output",
        str(out),
        "--data-dir",
        str(data),
        "--jobs",
        "4",
        "--no-progress",
    )
    assert done.returncode == 0, done.stderr
    reports = manifest(latest(out))["reports"]
    assert len(reports) == 8 and all(r["status"] == "ok" for r in reports)
    norms: dict[int, set[float]] = {}
    for report in reports:
        numbers = report["key_numbers"]
        norms.setdefault(report["parameters"]["seed"], set()).add(numbers["norm_gram"]["value"])
        executed = json.loads((latest(out) / report["notebook_out"]).read_text())
        # the published notebook names its source as the config does, and itself by its name,
        # not the staging folder it was written in
        recorded = executed["metadata"]["papermill"]
        assert recorded["input_path"] == report["notebook"]
        assert recorded["output_path"] == report["notebook_out"]
        assert str(out) not in json.dumps(executed["metadata"])
        pngs = [
            o
            for c in executed["cells"]
            for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]
        assert len(pngs) == 2
        assert report["sources"] == report["parameters"]["sources"]
    assert all(len(values) == 1 for values in norms.values())  # same seed, same numbers
    draws = [r["key_numbers"]["global_draw"]["value"] for r in reports]
    assert len(set(draws)) == len(draws)  # numpy's global generator re-seeded per kernel


def _slow_config(folder: Path, seconds: float) -> Path:
    copy_notebooks(folder / "notebooks")
    return write_config(
        folder / "r.yml",
        [
            {"notebook": "notebooks/numbers.ipynb", "name": "numbers"},
            {
                "notebook": "notebooks/slow.ipynb",
                "name": "slow",
                "parameters": {"seconds": seconds},
            },
        ],
    )


def _tmp_runs(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(".tmp-")] if out.exists() else []


def _halfway(out: Path) -> bool:
    """A report finished and another is running inside the temporary run folder."""
    return any((t / ".results" / "numbers.json").is_file() for t in _tmp_runs(out))


def test_killed_run_leaves_earlier_runs_and_a_second_run_is_refused(tmp_path: Path) -> None:
    config = _slow_config(tmp_path, seconds=60)
    data = write_tiny_package(tmp_path / "data")
    out = tmp_path / "out"
    marker = f"SOVCLOUD_TEST_{uuid.uuid4().hex}"
    # a temporary folder of this test's own: every run removes the runtime folders of dead
    # runs in its temporary folder, and other runs (other tests, other checkouts) share /tmp
    own_tmp = Path(tempfile.mkdtemp(prefix="sc-kill-", dir="/tmp"))
    env = {marker: "1", "TMPDIR": str(own_tmp)}
    args = ["run", "--config", str(config), "--output", str(out), "--data-dir", str(data)]
    first = run_cli(*args, "--only", "numbers", "--no-progress", env=env)
    assert first.returncode == 0, first.stderr
    before = latest(out).name
    snapshot = tree_snapshot(out / before)

    killed_pids = []
    for how in (signal.SIGINT, signal.SIGKILL):  # Ctrl-C (to the group), then a hard kill
        # --no-reuse: numbers must run again, so that the run is caught halfway
        process = start_cli(
            *args, "--no-progress", "--no-reuse", env=env, log=tmp_path / f"{how.name}.log"
        )
        killed_pids.append(process.pid)
        try:
            wait_for(lambda: _halfway(out), what="the run to be halfway")
            if how == signal.SIGINT:
                holder = json.loads((out / ".lock").read_text())
                second = run_cli(*args, "--only", "numbers", "--no-progress", env=env)
                assert second.returncode == 3, second.stderr
                assert f"is locked by run {holder['run_id']} (pid {process.pid}" in second.stderr
                os.killpg(process.pid, signal.SIGINT)
            else:
                os.kill(process.pid, signal.SIGKILL)
            status = process.wait(60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        assert status == (130 if how == signal.SIGINT else -signal.SIGKILL)
        # workers, the fork server and every kernel end with the run
        wait_for(lambda: not processes_with_env(marker), timeout=30, what="processes to end")
        assert run_dirs(out) == [before]
        assert latest(out).name == before and os.readlink(out / "latest") == before
        assert tree_snapshot(out / before) == snapshot
        if how == signal.SIGINT:
            assert not _tmp_runs(out)  # an interrupted run cleans up after itself

    assert _tmp_runs(out)  # the killed one could not
    leftovers = [p for pid in killed_pids for p in own_tmp.glob(f"sovcloud-{pid}-*")]
    assert leftovers  # its private runtime folder too (logs of the fork server)
    after = run_cli(*args, "--only", "numbers", "--no-progress", env=env)
    assert after.returncode == 0, after.stderr
    assert not _tmp_runs(out)
    assert not [p for p in leftovers if p.exists()]  # the next run cleaned up both
    assert len(run_dirs(out)) == 2 and latest(out).name != before
    assert manifest(latest(out))["run"]["previous_run"] == before
    shutil.rmtree(own_tmp, ignore_errors=True)


def test_second_run_waits_with_wait(tmp_path: Path) -> None:
    """A run that finds the folder locked waits with --wait, then runs (the lock is held here
    by the test, as another run would hold it). It runs the config it checked, even if the
    file changes while it waits, and its timings are those of the run proper."""
    copy_notebooks(tmp_path / "notebooks")
    config = write_config(
        tmp_path / "r.yml", [{"notebook": "notebooks/numbers.ipynb", "name": "numbers"}]
    )
    checked_text = config.read_text()
    data = write_tiny_package(tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    holder = RunLock(out)
    holder.acquire()
    holder.set_holder("2026-01-05T06-00-00Z")
    log = tmp_path / "waiting.log"
    args = ["run", "--config", str(config), "--output", str(out), "--data-dir", str(data)]
    process = start_cli(*args, "--wait", "--no-progress", log=log)
    try:
        wait_for(lambda: "waiting: " in log.read_text(), what="the second run to wait")
        assert f"is locked by run 2026-01-05T06-00-00Z (pid {os.getpid()}," in log.read_text()
        write_config(config, [{"notebook": "notebooks/figures.ipynb", "name": "edited"}])
        time.sleep(3.0)
        assert process.poll() is None and run_dirs(out) == []  # still waiting, nothing written
        released = dt.datetime.now(dt.UTC).replace(microsecond=0)
        holder.release()
        assert process.wait(120) == 0, log.read_text()
    finally:
        holder.release()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert len(run_dirs(out)) == 1 and latest(out).name == run_dirs(out)[0]
    data_manifest = manifest(latest(out))
    run = data_manifest["run"]
    assert [r["name"] for r in data_manifest["reports"]] == ["numbers"]
    assert run["config"]["text"] == checked_text
    assert run["config"]["sha256"] == hashlib.sha256(checked_text.encode()).hexdigest()
    started, finished = (
        dt.datetime.fromisoformat(run[k].replace("Z", "+00:00")) for k in ("started", "finished")
    )
    assert started >= released
    assert run["lock_wait_s"] >= 3.0
    assert abs((finished - started).total_seconds() - run["duration_s"]) <= 1.0


_FAILING_MANIFEST = """
import errno, sys
import analysis.runner.runs as runs

def no_space(path, data):
    raise OSError(errno.ENOSPC, "No space left on device", str(path))

runs.write_json_atomic = no_space
from analysis.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_run_that_cannot_be_finished_keeps_its_reports(tmp_path: Path) -> None:
    """The disk fills up as the manifest is written: the executed reports are kept (never
    published, never removed by the next run), latest does not move, the status is 4."""
    copy_notebooks(tmp_path / "notebooks")
    config = write_config(
        tmp_path / "r.yml",
        [
            {"notebook": "notebooks/numbers.ipynb", "name": "numbers"},
            {"notebook": "notebooks/failing.ipynb", "name": "switch"},
        ],
    )
    data = write_tiny_package(tmp_path / "data")
    out = tmp_path / "out"
    args = ["run", "--config", str(config), "--output", str(out), "--data-dir", str(data),
            "--no-progress"]  # fmt: skip
    first = run_cli(*args, "--only", "numbers")
    assert first.returncode == 0, first.stderr
    before = latest(out).name
    done = subprocess.run(
        [sys.executable, "-c", _FAILING_MANIFEST, *args], capture_output=True, text=True,
        timeout=240, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 4, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    kept = [p for p in out.iterdir() if p.name.endswith(".kept")]
    assert len(kept) == 1 and kept[0].name.startswith(".tmp-")
    assert errors == [
        f"error: run {kept[0].name[5:-5]} was not published: writing manifest.json failed "
        f"(OSError: [Errno 28] No space left on device: '{out}/{kept[0].name[:-5]}/"
        "manifest.json'); latest and earlier runs are as they were",
        f"error: its reports are kept in {kept[0]}; later runs list it and remove it after "
        "30 days, or `python -m analysis clean-kept` now (the traceback is in its "
        "logs/runner.log)",
    ]
    for name in ("numbers", "switch"):
        assert (kept[0] / f"{name}.html").stat().st_size > 0
        assert (kept[0] / f"{name}.ipynb").is_file() and (
            kept[0] / "logs" / f"{name}.log"
        ).is_file()
    assert "OSError" in (kept[0] / "logs" / "runner.log").read_text()
    assert run_dirs(out) == [before] and latest(out).name == before
    assert os.readlink(out / "latest") == before
    again = run_cli(*args)
    assert again.returncode == 1, again.stderr  # switch fails: published all the same
    assert kept[0].is_dir()  # the next run left it alone
    assert manifest(latest(out))["run"]["previous_run"] == before


def test_a_worker_that_dies_becomes_a_failed_report(tmp_path: Path) -> None:
    """A plain kernel kills its parent, the worker: that report fails, the run completes, and
    every link of its index row still resolves."""
    copy_notebooks(tmp_path / "notebooks")
    nb = nbformat.read(tmp_path / "notebooks" / "numbers.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    )
    nbformat.write(nb, tmp_path / "notebooks" / "killer.ipynb")
    config = write_config(
        tmp_path / "r.yml",
        [
            {"notebook": "notebooks/killer.ipynb", "name": "killer"},
            {"notebook": "notebooks/numbers.ipynb", "name": "numbers"},
        ],
    )
    data = write_tiny_package(tmp_path / "data")
    out = tmp_path / "out"
    done = run_cli(
        "run", "--config", str(config), "--output", str(out), "--data-dir", str(data),
        "--no-preload", "--no-progress",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    reports = {r["name"]: r for r in manifest(latest(out))["reports"]}
    assert reports["numbers"]["status"] == "ok"
    killer = reports["killer"]
    assert killer["status"] == "failed"
    assert killer["error"] == {
        "ename": "WorkerCrashed",
        "evalue": "the worker process ended (killed by signal 9)",
    }
    for key in ("html", "notebook_out", "log"):
        assert (latest(out) / killer[key]).is_file()
    assert "WorkerCrashed" in (latest(out) / "index.html").read_text()
