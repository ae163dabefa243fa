"""Kernel fork server: each report's kernel is a fresh fork of a warm template process.

Starting a plain kernel costs about 1.2 s here (interpreter, ipykernel, IPython), and a
report notebook then spends 1.5-2 s importing pandas and matplotlib before it computes
anything. The template process pays those imports once per run; every kernel is then a
``fork()`` of it that starts ``IPKernelApp`` on the connection file it is given. Each report
still gets its own new kernel process with a clean namespace: nothing of one report's
execution is visible to another (the template never executes notebook code).

Protocol (one Unix stream socket, one JSON line per request, one reply)::

    -> {"argv": [...IPKernelApp arguments...], "env": {...}, "cwd": "...", "log": "..."}
    <- {"pid": 1234}          or  {"error": "..."}

The template's standard input is its lifeline: when the runner closes it (or dies), the
template terminates every kernel it forked and exits. Kernels are session leaders (setsid),
so ``killpg(pid)`` reaches a kernel and its subprocesses; ``SIGCHLD`` is ignored in the
template so exited kernels are reaped at once, and a kernel's liveness is ``kill(pid, 0)``.

Fork safety, checked at start-up and by the tests:

- no thread may exist in the template when it forks (the preload is checked; a module that
  starts a thread makes the template refuse to serve, and the runner falls back to plain
  kernels); OpenBLAS's own worker threads are shut down and re-created around ``fork`` by
  its ``pthread_atfork`` handlers;
- no ZeroMQ context, event loop or socket of the kernel exists before the fork: each child
  creates them in ``IPKernelApp.initialize``;
- matplotlib is imported but its backend is not resolved, so the inline backend attaches to
  the child's own IPython shell;
- each child re-seeds numpy's global generator (Python's ``random`` re-seeds itself after a
  fork); notebooks that matter seed their own generators anyway.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

__all__ = [
    "BASE_PRELOAD",
    "INLINE_BACKEND",
    "PRELOAD_WITH",
    "ForkServer",
    "ForkServerError",
    "request_kernel",
    "serve",
]

#: the matplotlib backend ipykernel selects by default: figures become inline PNG outputs
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: modules every template imports; the notebooks' own imports are added to them
BASE_PRELOAD = (
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    # what IPKernelApp.initialize and the first executions import in every child
    "ipykernel.debugger",
    "IPython.core.history",
    "IPython.core.magics",
    "IPython.core.completerlib",
    "IPython.core.pylabtools",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "sqlite3",
    "pdb",
    "psutil",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "tornado.platform.asyncio",
    "numpy",
    "analysis",
)
#: what notebooks that use pandas or matplotlib import lazily (table rendering, the pyplot
#: state the inline backend draws with, PNG output): imported after the notebooks' own
#: imports, and only when those brought in the package (a notebook of neither skips ~1 s)
PRELOAD_WITH = {
    "pandas": ("pandas.io.formats.html", "pandas.io.formats.string", "pandas.io.formats.style"),
    "matplotlib": ("matplotlib.pyplot", "matplotlib.backends.backend_agg", "PIL.Image"),
}
#: never imported in the template: modules known to start threads or hold global handles
_NEVER_PRELOAD = ("multiprocessing", "concurrent", "tqdm")
_MAX_REQUEST = 1 << 20


class ForkServerError(RuntimeError):
    """The fork server could not start or could not start a kernel."""


# --------------------------------------------------------------------------- template side


def _preload(modules: Iterable[str]) -> tuple[list[str], list[str]]:
    loaded, failed = [], []
    for name in dict.fromkeys(modules):
        if name.split(".")[0] in _NEVER_PRELOAD:
            continue
        parent = name.rpartition(".")[0]
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name or parent not in sys.modules:
                failed.append(f"{name}: {exc}")
            # else `from package import name` imported a name, not a module
        except Exception as exc:  # a broken import fails later, in the notebook, as it should
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            loaded.append(name)
    if "PIL.Image" in sys.modules:
        sys.modules["PIL.Image"].init()  # the image plugins PIL would import on first save
    return loaded, failed


def _become_kernel(request: Mapping[str, Any], to_close: Iterable[Any]) -> None:
    """In the forked child: detach, set up the report's environment, run the kernel."""
    code = 1
    try:
        os.setsid()
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for thing in to_close:
            thing.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        os.chdir(request["cwd"])
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        argv = [str(a) for a in request["argv"]]
        sys.argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
        from ipykernel.kernelapp import IPKernelApp

        # parent_handle: the kernel exits if the template dies (ipykernel's parent poller)
        app = IPKernelApp.instance(parent_handle=os.getppid())
        app.initialize(argv)
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _read_request(conn: socket.socket) -> dict[str, Any]:
    conn.settimeout(10)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > _MAX_REQUEST:
            raise ValueError("request too large")
    request = json.loads(data)
    for key in ("argv", "env", "cwd", "log"):
        if key not in request:
            raise ValueError(f"request has no {key!r}")
    return request


def _stop_children(children: set[int], grace_s: float = 2.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = set()
        for pid in children:
            try:
                os.killpg(pid, sig)
                alive.add(pid)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + grace_s
        while alive and time.monotonic() < deadline:
            time.sleep(0.05)
            alive = {pid for pid in alive if _is_alive(pid)}
        children = alive
        if not children:
            return


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(socket_path: str, preload: Iterable[str]) -> int:
    """Run the template: preload, then fork one kernel per request until stdin closes."""
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner handles Ctrl-C and closes stdin

    def _terminate(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _terminate)
    started = time.perf_counter()
    loaded, failed = _preload([*BASE_PRELOAD, *preload])
    extras = [m for package, mods in PRELOAD_WITH.items() if package in sys.modules for m in mods]
    more, failed_more = _preload(extras)
    loaded, failed = loaded + more, failed + failed_more
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if threads:
        print(json.dumps({"ready": False, "error": f"threads after preload: {threads}"}))
        sys.stdout.flush()
        return 3
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as soon as they exit
    children: set[int] = set()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listener")
    selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    ready = {
        "ready": True,
        "pid": os.getpid(),
        "preload_s": round(time.perf_counter() - started, 3),
        "preloaded": loaded,
        "failed": failed,
    }
    print(json.dumps(ready))
    sys.stdout.flush()
    print(f"fork server ready in {ready['preload_s']} s; failed imports: {failed}", file=sys.stderr)
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "stdin":
                    if not os.read(sys.stdin.fileno(), 4096):
                        return 0
                    continue
                conn, _ = listener.accept()
                with conn:
                    try:
                        request = _read_request(conn)
                    except (OSError, ValueError) as exc:
                        with contextlib.suppress(OSError):
                            conn.sendall(json.dumps({"error": str(exc)}).encode() + b"\n")
                        continue
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        _become_kernel(request, (selector, listener, conn))
                    children.add(pid)
                    children = {p for p in children if _is_alive(p)}
                    with contextlib.suppress(OSError):
                        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    finally:
        _stop_children(children)
        with contextlib.suppress(OSError):
            os.unlink(socket_path)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.runner.forkserver SOCKET [MODULE ...]``."""
    args = sys.argv[1:] if argv is None else argv
    # like ipykernel_launcher: the launch directory is not an import location of kernels
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    return serve(args[0], args[1:])


# --------------------------------------------------------------------------- runner side


def request_kernel(
    socket_path: str,
    argv: list[str],
    env: Mapping[str, str],
    cwd: str,
    log: str,
    timeout_s: float = 30.0,
) -> int:
    """Ask the fork server for a kernel; return its pid (ForkServerError on failure)."""
    request = {"argv": list(argv), "env": dict(env), "cwd": str(cwd), "log": str(log)}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout_s)
            conn.connect(socket_path)
            conn.sendall(json.dumps(request).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError as exc:
        raise ForkServerError(f"fork server at {socket_path} did not answer: {exc}") from exc
    try:
        reply = json.loads(data)
    except ValueError:
        raise ForkServerError(f"fork server sent an unreadable reply: {data[:200]!r}") from None
    if "pid" not in reply:
        raise ForkServerError(f"fork server refused: {reply.get('error', reply)}")
    return int(reply["pid"])


class ForkServer:
    """The runner's handle on one template process (start, wait until ready, close).

    ``start`` returns at once (the template imports in parallel with the runner's own
    work); ``wait_ready`` returns False if the template failed, and the caller then starts
    plain kernels.
    """

    def __init__(self, runtime_dir: Path, preload: Iterable[str], log: IO[bytes] | int) -> None:
        self.socket_path = str(Path(runtime_dir) / "forkserver.sock")
        self.preload = [m for m in dict.fromkeys(preload) if m]
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self.error = ""

    def start(self, env: Mapping[str, str] | None = None) -> ForkServer:
        environ = dict(os.environ if env is None else env)
        environ["MPLBACKEND"] = INLINE_BACKEND
        environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "analysis.runner.forkserver", self.socket_path,
                 *self.preload],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                cwd=str(Path(self.socket_path).parent),
                env=environ,
            )  # fmt: skip
        except OSError as exc:
            self.error = f"could not start: {exc}"
        return self

    @property
    def lifeline_fds(self) -> list[int]:
        """File descriptors of the runner's end of the template's pipes (close them in
        forked workers, so the template sees end-of-file when the runner dies)."""
        if self.process is None:
            return []
        return [f.fileno() for f in (self.process.stdin, self.process.stdout) if f]

    def wait_ready(self, timeout_s: float = 120.0) -> bool:
        """Block until the template is serving; False (with ``error`` set) if it is not."""
        if self.process is None or self.process.stdout is None:
            self.error = self.error or "not started"
            return False
        if self.info:
            return bool(self.info.get("ready"))
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        line = b""
        deadline = time.monotonic() + timeout_s
        fd = self.process.stdout.fileno()
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                self.error = f"no answer within {timeout_s:.0f} s"
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                self.error = f"exited with status {self.process.wait()}"
                break
            line += chunk
        selector.close()
        if line.endswith(b"\n"):
            try:
                self.info = json.loads(line)
            except ValueError:
                self.error = f"unreadable start-up line {line[:200]!r}"
            else:
                self.error = "" if self.info.get("ready") else str(self.info.get("error"))
        if self.error:
            self.close()
            return False
        return True

    def close(self, timeout_s: float = 10.0, *, kill: bool = False) -> None:
        """Close the lifeline; the template stops its kernels and exits.

        With ``kill`` the template is terminated at once (when the run stops before any
        kernel started, there is no need to wait for its imports to finish).
        """
        process, self.process = self.process, None
        if process is None:
            return
        if kill:
            process.terminate()
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
