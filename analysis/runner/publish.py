"""Publishing a run: the ``latest`` pointer, signals while publishing, kept folders.

One pointer, one derived copy
    ``latest`` (a symlink to the run folder, replaced atomically by renaming a new link over
    it) is the pointer: moving it is the one step that publishes a run. ``latest.txt`` is
    derived from it, written right after; every reader in this package reads the link first
    and uses ``latest.txt`` only where the file system has no symlinks (then it is the
    pointer). A run killed between the two steps leaves the link on the new run and
    ``latest.txt`` on the old one for a moment: readers still agree (they follow the link),
    and the next run rewrites ``latest.txt`` from the link before anything else.

Signals while publishing
    SIGINT and SIGTERM are held from the rename of the run folder to the end of the pointer
    update, so an interrupt never splits the publication; one that arrives then is reported
    after it, and the exit status says that the run was published.

Kept folders
    A run that could not be finished is kept as ``.tmp-<run-id>.kept``. Each run lists the
    kept folders it finds and removes those older than :data:`KEPT_MAX_AGE_DAYS` days (by
    the run id's date); ``python -m analysis clean-kept`` removes them at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analysis.runner.layout import KEPT_SUFFIX, LATEST, LATEST_TXT, MANIFEST, TMP_PREFIX, fsync_dir

__all__ = [
    "KEPT_MAX_AGE_DAYS",
    "clean_kept",
    "held_signals",
    "kept_folders",
    "latest_id",
    "output_problems",
    "point_latest",
    "repair_latest_txt",
]

#: kept folders older than this (days, from their run id) are removed by the next run
KEPT_MAX_AGE_DAYS = 30


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def output_problems(output_dir: Path) -> list[str]:
    """What keeps a run from publishing into ``output_dir`` (checked before any kernel)."""
    output_dir = Path(output_dir)
    if not output_dir.exists():
        return []
    if not output_dir.is_dir():
        return [f"--output {output_dir}: is not a folder"]
    problems = []
    if not os.access(output_dir, os.W_OK | os.X_OK):
        problems.append(f"--output {output_dir}: the output folder is not writable")
    link = output_dir / LATEST
    if link.exists() and not link.is_symlink():
        problems.append(
            f"--output {output_dir}: {LATEST} is a real {'folder' if link.is_dir() else 'file'}, "
            "not the link the runner maintains; move it away so the run can be published"
        )
    text = output_dir / LATEST_TXT
    if text.is_dir():
        problems.append(
            f"--output {output_dir}: {LATEST_TXT} is a folder, not the file the runner "
            "maintains; move it away"
        )
    return problems


def latest_id(output_dir: Path) -> str | None:
    """The run ``latest`` names: the link, else (no symlinks here) ``latest.txt``."""
    output_dir = Path(output_dir)
    link = output_dir / LATEST
    if link.is_symlink():
        with contextlib.suppress(OSError):
            run_id = Path(os.readlink(link)).name
            if (output_dir / run_id / MANIFEST).is_file():
                return run_id
        return None
    with contextlib.suppress(OSError, UnicodeDecodeError):
        run_id = (output_dir / LATEST_TXT).read_text(encoding="utf-8").strip()
        if run_id and "/" not in run_id and (output_dir / run_id / MANIFEST).is_file():
            return run_id
    return None


def point_latest(output_dir: Path, run_id: str) -> str | None:
    """Point ``latest`` at a run (the publishing step), then ``latest.txt``.

    Returns None, or a warning when only ``latest.txt`` could not follow (the run is
    published all the same: the link is the pointer). OSError when the pointer itself could
    not be moved (``latest`` then still names the run before).
    """
    output_dir = Path(output_dir)
    link_tmp = output_dir / f"{TMP_PREFIX}{LATEST}.{os.getpid()}"
    link_tmp.unlink(missing_ok=True)
    try:
        os.symlink(run_id, link_tmp, target_is_directory=True)
    except OSError as exc:
        # only a file system without symlinks makes latest.txt the pointer; any other error
        # (no space, ...) or an existing link means latest could not move: the caller says so
        no_symlinks = exc.errno in (errno.EPERM, errno.ENOTSUP, errno.ENOSYS)
        if not no_symlinks or (output_dir / LATEST).is_symlink():
            raise
        _write_text_atomic(output_dir / LATEST_TXT, run_id + "\n")
        fsync_dir(output_dir)
        return None
    try:
        os.replace(link_tmp, output_dir / LATEST)
    finally:
        link_tmp.unlink(missing_ok=True)
    fsync_dir(output_dir)
    try:
        _write_text_atomic(output_dir / LATEST_TXT, run_id + "\n")
    except OSError as exc:
        return (
            f"{LATEST_TXT} could not be updated ({exc.strerror or exc}); the {LATEST} link "
            f"names run {run_id}, and the next run rewrites {LATEST_TXT} from it"
        )
    fsync_dir(output_dir)
    return None


def repair_latest_txt(output_dir: Path) -> None:
    """Make ``latest.txt`` name the run the link names (after a run killed between the two
    steps of :func:`point_latest`); call it holding the lock."""
    output_dir = Path(output_dir)
    link = output_dir / LATEST
    if not link.is_symlink():
        return
    with contextlib.suppress(OSError, UnicodeDecodeError):
        run_id = Path(os.readlink(link)).name
        text = output_dir / LATEST_TXT
        current = text.read_text(encoding="utf-8").strip() if text.is_file() else None
        if current != run_id:
            _write_text_atomic(text, run_id + "\n")


@contextlib.contextmanager
def held_signals() -> Iterator[list[int]]:
    """Hold SIGINT and SIGTERM for a block that must not be split; yields the list of the
    signals that arrived meanwhile (handled by the caller afterwards)."""
    caught: list[int] = []

    def note(signum: int, frame: Any) -> None:
        caught.append(signum)

    if threading.current_thread() is not threading.main_thread():
        yield caught  # signals reach the main thread only: nothing to hold here
        return
    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_date(name: str) -> dt.datetime | None:
    run_id = name.removeprefix(TMP_PREFIX).removesuffix(KEPT_SUFFIX)[:20]
    try:
        return dt.datetime.strptime(run_id, "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def kept_folders(output_dir: Path) -> list[Path]:
    """The ``.tmp-<run-id>.kept`` folders of an output folder, oldest first."""
    output_dir = Path(output_dir)
    if not output_dir.is_dir():
        return []
    return sorted(
        p
        for p in output_dir.iterdir()
        if p.name.startswith(TMP_PREFIX) and p.name.endswith(KEPT_SUFFIX) and p.is_dir()
    )


def clean_kept(
    output_dir: Path, older_than_days: float | None = None, now: dt.datetime | None = None
) -> tuple[list[str], list[str]]:
    """Remove kept folders older than ``older_than_days`` (all when None); return the names
    removed and the names still kept."""
    now = now or dt.datetime.now(dt.UTC)
    removed, left = [], []
    for path in kept_folders(output_dir):
        date = _run_date(path.name)
        old = older_than_days is None or (
            date is not None and (now - date) > dt.timedelta(days=older_than_days)
        )
        if old and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        else:
            left.append(path.name)
    return removed, left
