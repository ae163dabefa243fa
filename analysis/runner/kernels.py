"""How report kernels start: the project's own interpreter, over IPC, forked or plain.

:class:`ReportKernelManager` is the ``kernel_manager_class`` the runner gives nbclient
(through papermill's engine keyword arguments). Whatever kernelspec a notebook was saved with,
it launches the native ``python3`` kernel of ``sys.executable`` (the project environment),
and it uses the ``ipc`` transport in a short private directory: no TCP ports, so concurrent
kernels cannot race for one (papermill issues #239/#511).

With ``fork_server`` set, its kernelspec names the :class:`ForkProvisioner` (registered under
the ``jupyter_client.kernel_provisioners`` entry point as ``sovcloud-fork``), which asks the
fork server (:mod:`analysis.runner.forkserver`) for the kernel process instead of spawning a
new interpreter. Without it, jupyter_client's ordinary local provisioner starts
``python -m ipykernel_launcher``: the ``--no-preload`` mode and the automatic fallback.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from queue import Empty
from typing import Any

from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.provisioning import LocalProvisioner
from traitlets import DottedObjectName, Type, Unicode

from analysis.runner.forkserver import ForkServerError, request_kernel

__all__ = [
    "PROVISIONER_NAME",
    "ForkProvisioner",
    "ReportKernelClient",
    "ReportKernelManager",
    "native_kernel_spec",
]

#: entry-point name of :class:`ForkProvisioner` (group ``jupyter_client.kernel_provisioners``)
PROVISIONER_NAME = "sovcloud-fork"


def native_kernel_spec(fork_server: str = "", log_path: str = "") -> KernelSpec:
    """The python3 kernel of this interpreter; forked by the fork server when one is given."""
    metadata: dict[str, Any] = {"debugger": False}
    if fork_server:
        metadata["kernel_provisioner"] = {
            "provisioner_name": PROVISIONER_NAME,
            "config": {"socket_path": fork_server, "log_path": log_path},
        }
    return KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="Python 3 (project environment)",
        language="python",
        metadata=metadata,
        env={},
    )


class ReportKernelClient(AsyncKernelClient):
    """jupyter_client's client, with a start-up handshake that does not idle.

    ``wait_for_ready`` is jupyter_client's (kernel_info reply on shell, then one IOPub
    message to know IOPub is connected), except for its last step: jupyter_client drains
    IOPub until it has been silent for 0.2 s, which costs every kernel 0.2 s. Here the drain
    takes what is already queued and stops. Late status messages of the handshake are
    harmless: nbclient only reads messages whose parent is its own execute request.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(reply)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break


class ReportKernelManager(AsyncKernelManager):
    """Kernel manager of one report: native kernel, IPC transport, optional fork server."""

    client_class = DottedObjectName("analysis.runner.kernels.ReportKernelClient")
    client_factory = Type(ReportKernelClient, klass=AsyncKernelClient)

    fork_server = Unicode("", config=True, help="socket of the kernel fork server ('' = plain)")
    runtime_dir = Unicode("", config=True, help="short directory for connection files and IPC")
    log_path = Unicode("", config=True, help="file that receives the kernel's stdout/stderr")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        self._kernel_spec = native_kernel_spec(self.fork_server, self.log_path)

    @property
    def ipykernel(self) -> bool:
        return True

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self.runtime_dir and not self.connection_file:
            # IPC endpoints are socket files: keep their paths short (108-byte limit)
            stem = os.path.join(self.runtime_dir, f"k{uuid.uuid4().hex[:10]}")
            self.connection_file = stem + ".json"
            self.ip = stem + "-ipc"
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if self.transport == "ipc" and self.ip and not restart:
            for port in (
                self.shell_port,
                self.iopub_port,
                self.stdin_port,
                self.hb_port,
                self.control_port,
            ):
                path = f"{self.ip}-{port}"
                if port and os.path.exists(path):
                    os.unlink(path)


class ForkProvisioner(LocalProvisioner):
    """Provision a kernel by forking the warm template of the fork server.

    The kernel is not a child of this process: it is a session leader forked by the
    template, so signals go to its process group and liveness is checked with
    ``kill(pid, 0)`` (the template reaps it as soon as it exits).
    """

    socket_path = Unicode("", config=True, help="Unix socket of the fork server")
    log_path = Unicode(os.devnull, config=True, help="file for the kernel's stdout/stderr")

    @property
    def has_process(self) -> bool:
        return self.pid is not None

    async def poll(self) -> int | None:
        if self.pid is None:
            return 0
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0  # gone (the template reaped it: its exit status is not known here)
        except PermissionError:
            return None
        return None

    async def wait(self) -> int | None:
        while await self.poll() is None:
            await asyncio.sleep(0.05)
        self.pid = None
        return 0

    async def send_signal(self, signum: int) -> None:
        if self.pid is None:
            return
        try:
            os.killpg(self.pgid or self.pid, signum)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(self.pid, signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        try:
            start = cmd.index("ipykernel_launcher") + 1
        except ValueError:
            raise ForkServerError(f"not an ipykernel command: {cmd}") from None
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = request_kernel(self.socket_path, cmd[start:], env, cwd, self.log_path)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info
