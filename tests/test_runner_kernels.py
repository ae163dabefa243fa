"""Kernel start: the fork server, its refusals, and the runner's fallback to plain kernels.

These start real processes (a template, kernels) and talk to them with jupyter_client.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import write_tiny_package
from runner_helpers import FIXTURE_NOTEBOOKS, latest, manifest, run_cli, write_config

from analysis.runner.forkserver import ForkServer
from analysis.runner.kernels import ReportKernelManager

pytestmark = pytest.mark.slow

THREAD_PROBE = '''"""Starts a thread when imported: forking after this is unsafe."""
import threading
import time

threading.Thread(target=time.sleep, args=(600,), name="sc-probe", daemon=True).start()
'''


@pytest.fixture
def short_tmp():
    """Unix socket paths must be short: pytest's tmp paths can be too long."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="sc-", dir="/tmp"))
    yield folder
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


async def _execute(km: ReportKernelManager, code: str) -> list[dict]:
    await km.start_kernel(cwd=str(FIXTURE_NOTEBOOKS))
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        reply = await kc.execute_interactive(code, timeout=60, output_hook=_collect)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
    return _collect.outputs


def _collect(msg: dict) -> None:
    if msg["msg_type"] == "stream":
        _collect.outputs.append(msg["content"]["text"])


_collect.outputs = []


def test_forked_kernels_are_fresh_processes_with_their_own_environment(short_tmp: Path) -> None:
    log = open(short_tmp / "fork.log", "wb")  # noqa: SIM115 - closed below
    server = ForkServer(short_tmp, ["json"], log).start()
    try:
        assert server.wait_ready(120), server.error
        assert "numpy" in server.info["preloaded"]
        code = (
            "import os, sys, numpy\n"
            "print(os.getpid(), os.getcwd(), os.environ.get('SC_PROBE'), sys.executable,"
            " 'numpy' in sys.modules, 'x' in dir(), numpy.random.random(), sep='|')\n"
            "x = 1"
        )
        seen = []
        for value in ("one", "two"):
            os.environ["SC_PROBE"] = value  # the worker's environment reaches the kernel
            _collect.outputs = []
            km = ReportKernelManager(
                kernel_name="no-such-kernel",  # the saved name does not matter
                fork_server=server.socket_path,
                runtime_dir=str(short_tmp),
                log_path=str(short_tmp / "kernel.log"),
            )
            (line,) = "".join(asyncio.run(_execute(km, code))).splitlines()
            seen.append(line.split("|"))
    finally:
        os.environ.pop("SC_PROBE", None)
        server.close()
        log.close()
    (pid1, cwd1, env1, exe1, np1, x1, draw1), (pid2, cwd2, env2, *_, x2, draw2) = seen
    assert pid1 != pid2 and server.info["pid"] not in (int(pid1), int(pid2))
    assert cwd1 == cwd2 == str(FIXTURE_NOTEBOOKS)
    assert (env1, env2) == ("one", "two")
    assert exe1 == sys.executable and np1 == "True"
    assert x1 == x2 == "False"  # nothing leaks from one kernel to the next
    assert draw1 != draw2  # numpy's global generator re-seeded in each child
    assert not list(short_tmp.glob("k*-ipc-*"))  # IPC socket files removed


def test_fork_server_that_cannot_start_or_listen_reports_why(short_tmp: Path) -> None:
    (short_tmp / "forkserver.sock").mkdir()  # where its socket should go
    with open(short_tmp / "fork.log", "wb") as log:
        server = ForkServer(short_tmp, [], log).start()
        assert server.wait_ready(120) is False
        assert server.error == "exited with status 1"
        assert "IsADirectoryError" in (short_tmp / "fork.log").read_text()
        missing = ForkServer(short_tmp / "missing-folder", [], log).start()
        assert missing.wait_ready(120) is False
        assert missing.error.startswith("could not start: [Errno 2] No such file or directory")


def test_fork_server_refuses_to_fork_after_a_thread_started(short_tmp: Path) -> None:
    (short_tmp / "sc_thread_probe.py").write_text(THREAD_PROBE)
    env = {**os.environ, "PYTHONPATH": str(short_tmp)}
    with open(short_tmp / "fork.log", "wb") as log:
        server = ForkServer(short_tmp, ["sc_thread_probe"], log).start(env)
        assert server.wait_ready(120) is False
    assert server.error == "threads after preload: ['sc-probe']"


def test_runner_falls_back_to_plain_kernels(tmp_path: Path, short_tmp: Path) -> None:
    """A notebook importing a module that starts a thread: the template refuses to fork, the
    run still succeeds on plain kernels and says so."""
    (short_tmp / "sc_thread_probe.py").write_text(THREAD_PROBE)
    nb = nbformat.read(FIXTURE_NOTEBOOKS / "numbers.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sc_thread_probe"))
    nbformat.write(nb, tmp_path / "probe.ipynb")
    config = write_config(tmp_path / "r.yml", [{"notebook": "probe.ipynb", "name": "probe"}])
    data = write_tiny_package(tmp_path / "data")
    out = tmp_path / "out"
    done = run_cli(
        "run", "--config", str(config), "--output", str(out), "--data-dir", str(data),
        "--no-progress", env={"PYTHONPATH": str(short_tmp)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning: fork server unavailable (threads after preload" in done.stderr
    run = manifest(latest(out))["run"]
    assert run["kernel"]["mode"] == "plain"
    assert run["kernel"]["fallback"].startswith("fork server unavailable (threads after preload")
    executed = json.loads((latest(out) / "probe.ipynb").read_text())
    assert executed["metadata"]["papermill"]["exception"] is None


def test_kernels_exit_when_the_template_is_killed(short_tmp: Path) -> None:
    """No orphan kernels: each child watches the template (its parent) and exits with it."""
    import signal

    from runner_helpers import wait_for

    log = open(short_tmp / "fork.log", "wb")  # noqa: SIM115 - closed below
    server = ForkServer(short_tmp, [], log).start()
    try:
        assert server.wait_ready(120), server.error

        async def start() -> int:
            km = ReportKernelManager(
                fork_server=server.socket_path,
                runtime_dir=str(short_tmp),
                log_path=str(short_tmp / "k.log"),
            )
            await km.start_kernel(cwd=str(short_tmp))
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            kc.stop_channels()
            return km.provisioner.pid

        pid = asyncio.run(start())
        os.kill(pid, 0)  # alive
        os.kill(server.process.pid, signal.SIGKILL)

        def gone() -> bool:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            return False

        wait_for(gone, timeout=20, what="the kernel to exit after its template died")
    finally:
        server.close()
        log.close()
