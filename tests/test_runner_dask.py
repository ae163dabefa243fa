"""``--executor dask``: reports as tasks on a Dask cluster, on fixture notebooks.

Unit tests check the version comparison and the address shown; the slow tests run the real
command against a ``LocalCluster`` with two worker processes (compared with a local run),
against one ``dask scheduler`` and two ``dask worker`` processes on localhost TCP, shared by
the module's fault tests (workers killed mid-report, Ctrl-C), and against a scheduler
without workers.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_tiny_package
from runner_helpers import (
    copy_notebooks,
    latest,
    manifest,
    run_cli,
    start_cli,
    wait_for,
    write_config,
)

from analysis.runner.dask_executor import public_address, version_problems, worker_identity

DASK = Path(sys.executable).parent / "dask"


def test_shown_address_drops_credentials_and_query() -> None:
    assert public_address("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert public_address("tls://user:secret@host.example:8786?token=x") == (
        "tls://host.example:8786"
    )


def test_version_problems_name_the_worker_and_the_mismatch() -> None:
    here = worker_identity()
    assert version_problems(here, {"tcp://a:1": here}) == []
    other = {**here, "packages": {**here["packages"], "pandas": "1.0.0"}}
    older = {**here, "analysis_sha256": "0" * 64}
    problems = version_problems(
        here, {"tcp://a:1": here, "tcp://b:2": other, "tcp://c:3": older, "tcp://d:4": OSError()}
    )
    assert len(problems) == 3
    assert problems[0].startswith("worker tcp://b:2 does not match this runner: pandas 1.0.0 there")
    assert "analysis package source differs" in problems[1] and "tcp://c:3" in problems[1]
    assert problems[2].startswith("worker tcp://d:4 cannot run reports: OSError")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup(tmp_path: Path, entries: list[dict]) -> tuple[Path, Path, Path]:
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    return write_config(tmp_path / "r.yml", entries), data, tmp_path / "out"


_NUMBERS = {
    "notebook": "notebooks/numbers.ipynb",
    "name": "numbers-{label}",
    "matrix": {"label": ["alpha", "beta"]},
    "parameters": {"factor": 2.0},
}


def test_bad_executor_options_exit_2_before_any_work(tmp_path: Path) -> None:
    config, _data, out = _setup(tmp_path, [_NUMBERS])
    env = {"ANALYSIS_DASK_SCHEDULER": ""}
    done = run_cli("run", "--config", str(config), "--executor", "dask", env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --executor dask needs the scheduler's address: --scheduler tcp://HOST:8786 or "
        "$ANALYSIS_DASK_SCHEDULER"
    ]
    done = run_cli("run", "--config", str(config), "--executor", "dask", "--scheduler", "tcp://h")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --scheduler tcp://h: not a Dask scheduler address (missing port number in "
        "address 'h')"
    ]
    secret = "tcp://user:secret@127.0.0.1:1"
    done = run_cli("run", "--config", str(config), "--executor", "dask", "--scheduler", secret)
    assert done.returncode == 2 and "secret" not in done.stderr + done.stdout
    done = run_cli("run", "--config", str(config), "--scheduler", "tcp://127.0.0.1:1")
    assert done.returncode == 2 and "--scheduler is only used with --executor dask" in done.stderr
    assert not out.exists()


def test_unreachable_scheduler_exits_2_within_seconds(tmp_path: Path) -> None:
    config, _data, out = _setup(tmp_path, [_NUMBERS])
    address = f"tcp://127.0.0.1:{_free_port()}"
    began = time.monotonic()
    done = run_cli(
        "run", "--config", str(config), "--output", str(out), "--executor", "dask",
        env={"ANALYSIS_DASK_SCHEDULER": address},
    )  # fmt: skip
    elapsed = time.monotonic() - began
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: --scheduler {address}: cannot reach the Dask scheduler")
    assert elapsed < 30  # 5 s of connection timeout, plus the interpreter on a busy machine
    assert not out.exists()


def _normalised_page(path: Path, run_id: str) -> str:
    text = path.read_text(encoding="utf-8").replace(run_id, "RUN")
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC", "DATE", text)


_TIMINGS = {"duration_s", "execute_s", "html_s", "worker"}


# --- a real cluster: `dask scheduler` and two `dask worker` processes ----------------------


@pytest.fixture(scope="module")
def _shared_cluster(tmp_path_factory: pytest.TempPathFactory):
    """A scheduler and two workers (each under a nanny, which restarts a killed worker),
    started as a user starts them, shared by this module's fault tests (starting one costs
    several interpreters)."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    logs = tmp_path_factory.mktemp("cluster-logs")
    processes = []

    def start(name: str, *args: str) -> None:
        handle = open(logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        processes.append(
            subprocess.Popen(
                [str(DASK), *args],
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
    for n in (1, 2):
        start(f"worker-{n}", "worker", address, "--nthreads", "1", "--no-dashboard",
              "--name", f"w{n}")  # fmt: skip
    client = wait_for(lambda: _try_client(address), timeout=60, what="the scheduler")
    try:
        yield address, client
    finally:
        client.close()
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def cluster(_shared_cluster):
    """The shared cluster in a known state: two workers connected (the nannies restart the
    workers an earlier test killed), no task of an earlier run left on it."""
    address, client = _shared_cluster
    client.wait_for_workers(2, timeout=120)
    wait_for(lambda: not any(client.processing().values()), timeout=60, what="an idle cluster")
    wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, timeout=120, what="two workers")
    yield address, client
    wait_for(lambda: not any(client.processing().values()), timeout=60, what="the tasks to stop")


def _try_client(address: str):
    from distributed import Client

    try:
        return Client(address, timeout=2, set_as_default=False)
    except OSError:
        return None


def _worker_running(client, report: str) -> str | None:
    for worker, keys in client.processing().items():
        if any(report in str(key) for key in keys):
            return worker
    return None


def _kill_worker_running(client, report: str) -> str:
    worker = wait_for(
        lambda: _worker_running(client, report), timeout=120, what=f"{report} to start"
    )
    time.sleep(1.0)  # mid-report: its kernel is running the notebook
    pid = client.run(os.getpid, workers=[worker])[worker]
    os.kill(pid, signal.SIGKILL)
    return worker


@pytest.mark.slow
def test_local_cluster_run_matches_a_local_run(tmp_path: Path) -> None:
    """A cluster made by ``distributed.LocalCluster`` with two worker processes (as
    dask-jobqueue and dask-kubernetes make theirs), reached through its address like any
    other: every report runs on its workers, and the manifest entries and pages equal a local
    run's apart from timings and worker."""
    from distributed import LocalCluster

    config, data, out = _setup(tmp_path, [_NUMBERS])  # two reports, two workers
    common = ("run", "--config", str(config), "--data-dir", str(data), "--no-progress")
    local = run_cli(*common, "--output", str(tmp_path / "local"), "--jobs", "2")
    assert local.returncode == 0, local.stderr
    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        workers = set(cluster.scheduler_info["workers"])
        address = cluster.scheduler_address
        done = run_cli(*common, "--output", str(out), "--executor", "dask", "--scheduler", address)
    assert done.returncode == 0, done.stderr
    local_dir, dask_dir = latest(tmp_path / "local"), latest(out)
    ours, theirs = manifest(dask_dir), manifest(local_dir)
    assert ours["run"]["executor"]["name"] == "dask"
    assert ours["run"]["executor"]["scheduler"] == address
    assert theirs["run"]["executor"] == {"name": "local"}
    assert [r["name"] for r in ours["reports"]] == ["numbers-alpha", "numbers-beta"]
    assert {r["status"] for r in ours["reports"]} == {"ok"}
    assert {r["worker"] for r in ours["reports"]} <= workers
    for mine, other in zip(ours["reports"], theirs["reports"], strict=True):
        assert mine["key_numbers"]
        assert {k: v for k, v in mine.items() if k not in _TIMINGS} == {
            k: v for k, v in other.items() if k not in _TIMINGS
        }
        page = mine["html"]
        assert _normalised_page(dask_dir / page, dask_dir.name) == _normalised_page(
            local_dir / page, local_dir.name
        )
    # nothing of the worker's private folder is published
    for path in dask_dir.rglob("*"):
        if path.is_file():
            assert "sovcloud-task-" not in path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.slow
def test_cluster_run_survives_a_worker_killed_mid_report(tmp_path: Path, cluster) -> None:
    address, client = cluster
    slow = {"notebook": "notebooks/slow.ipynb", "name": "slow", "parameters": {"seconds": 6}}
    config, data, out = _setup(tmp_path, [slow])  # the one report that is killed
    proc = start_cli(
        "run", "--config", str(config), "--output", str(out), "--data-dir", str(data),
        "--executor", "dask", "--no-progress",
        env={"ANALYSIS_DASK_SCHEDULER": address}, log=tmp_path / "run.log",
    )  # fmt: skip
    killed = _kill_worker_running(client, "slow")
    assert proc.wait(240) == 0, (tmp_path / "run.log").read_text()
    record = manifest(latest(out))
    reports = {r["name"]: r for r in record["reports"]}
    assert reports["slow"]["status"] == "ok"
    assert reports["slow"]["key_numbers"]["slept_s"]["value"] == 6
    assert reports["slow"]["worker"] != killed  # retried on another worker
    assert record["run"]["executor"]["scheduler"] == address


@pytest.mark.slow
def test_a_report_whose_workers_die_twice_fails_and_ctrl_c_cancels(tmp_path: Path, cluster) -> None:
    address, client = cluster
    slow = {"notebook": "notebooks/slow.ipynb", "name": "slow", "parameters": {"seconds": 8}}
    config, data, out = _setup(tmp_path, [_NUMBERS, slow])
    args = ("run", "--config", str(config), "--output", str(out), "--data-dir", str(data))
    env = {"ANALYSIS_DASK_SCHEDULER": address}
    proc = start_cli(*args, "--executor", "dask", "--no-progress", env=env, log=tmp_path / "a.log")
    first = _kill_worker_running(client, "slow")
    wait_for(
        lambda: (w := _worker_running(client, "slow")) and w != first,
        timeout=120,
        what="the retry to start",
    )
    _kill_worker_running(client, "slow")
    assert proc.wait(240) == 1, (tmp_path / "a.log").read_text()  # never a hang
    record = manifest(latest(out))
    reports = {r["name"]: r for r in record["reports"]}
    assert reports["slow"]["status"] == "failed"
    assert reports["slow"]["error"]["ename"] == "WorkerDied"
    assert reports["numbers-alpha"]["status"] == "ok"
    published = latest(out).name

    # Ctrl-C: the run's tasks are cancelled on the cluster, latest stays where it was
    client.wait_for_workers(2, timeout=120)  # the nannies restarted the killed workers
    proc = start_cli(
        *args, "--executor", "dask", "--no-progress", "--no-reuse", env=env,
        log=tmp_path / "b.log",
    )  # fmt: skip
    wait_for(lambda: _worker_running(client, "slow"), timeout=120, what="slow to start")
    os.kill(proc.pid, signal.SIGINT)
    assert proc.wait(60) == 130, (tmp_path / "b.log").read_text()
    assert latest(out).name == published
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]
    wait_for(lambda: not any(client.processing().values()), timeout=30, what="the tasks to stop")


@pytest.mark.slow
def test_scheduler_without_workers_exits_2(tmp_path: Path) -> None:
    from distributed import LocalCluster

    config, _data, out = _setup(tmp_path, [_NUMBERS])
    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp://", dashboard_address=None
    ) as cluster:
        done = run_cli(
            "run", "--config", str(config), "--output", str(out), "--executor", "dask",
            "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: --scheduler {cluster.scheduler_address}: no worker connected within 5 s "
        "(start some with `dask worker ADDRESS`)"
    ]
    assert not out.exists()
