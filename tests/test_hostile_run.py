"""Hostile environments and faults around a run (issue 12, cases 2, 6, 7, 8 and 10).

A full disk is a run that could not be finished (exit 4, kept aside, latest untouched); a
read-only output folder, a data directory that is a symlink loop, a hand-edited manifest
and a data package reading outside its folder are bad input (exit 2, one line); the
``latest`` link is the one pointer and the exit status says whether it moved.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tiny_package
from hostile_helpers import run_main, write_notebook
from nbformat.v4 import new_code_cell, new_markdown_cell
from runner_helpers import REPO, copy_notebooks, latest, manifest, run_cli, run_dirs, write_config

from analysis.runner import publish

IS_ROOT = os.geteuid() == 0


def _errors(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error: ")]


@contextlib.contextmanager
def _tmpfs(where: Path, size: str, *options: str):
    """A small tmpfs mounted at ``where`` (root only), unmounted afterwards."""
    where.mkdir(parents=True, exist_ok=True)
    opts = ",".join([f"size={size}", *options])
    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _can_mount() -> str | None:
    """Why a tmpfs cannot be mounted here (None when it can)."""
    if not IS_ROOT:
        return "mounting a small file system needs root (CI runs as root)"
    if shutil.which("mount") is None:
        return "no mount command"
    probe = Path("/tmp") / f"wt12-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True
    )
    if done.returncode != 0:
        probe.rmdir()
        return f"tmpfs cannot be mounted here: {done.stderr.decode().strip()}"
    subprocess.run(["umount", str(probe)], check=False)
    probe.rmdir()
    return None


MOUNT_PROBLEM = _can_mount()
needs_mount = pytest.mark.skipif(MOUNT_PROBLEM is not None, reason=str(MOUNT_PROBLEM))


def _filler_notebook(path: Path) -> Path:
    """A notebook that fills the file system holding ``fill_path`` (when given)."""
    return write_notebook(
        path,
        [
            new_markdown_cell("# Filler"),
            new_code_cell(
                'fill_path: str = ""  # file to grow until the disk is full',
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell(
                "if fill_path:\n"
                "    with open(fill_path, 'wb') as handle:\n"
                "        try:\n"
                "            while True:\n"
                "                handle.write(b'x' * 65536)\n"
                "                handle.flush()\n"
                "        except OSError:\n"
                "            pass\n"
                "print('page text ' * 2000)"
            ),
        ],
    )


@pytest.mark.slow
@needs_mount
def test_a_full_disk_is_exit_4_kept_aside_and_latest_untouched(tmp_path: Path) -> None:
    """Case 2 (and 7: kept folders listed, aged out, cleaned by a command)."""
    _filler_notebook(tmp_path / "filler.ipynb")
    config = write_config(tmp_path / "r.yml", [{"notebook": "filler.ipynb", "name": "filler"}])
    data = write_tiny_package(tmp_path / "data")
    with _tmpfs(tmp_path / "small", "8m") as out:
        args = ["run", "--config", str(config), "--output", str(out), "--data-dir", str(data),
                "--no-progress", "--jobs", "1"]  # fmt: skip
        first = run_cli(*args)
        assert first.returncode == 0, first.stderr
        before = latest(out).name
        again = run_cli(*args)  # a second good run: the full disk comes after a history
        assert again.returncode == 0, again.stderr
        second = latest(out).name
        filler = out / "filler.bin"  # on the same small file system as the run folder
        config.write_text(
            f"reports:\n  - notebook: filler.ipynb\n    name: filler\n    parameters:\n"
            f"      fill_path: {json.dumps(str(filler))}\n",
            encoding="utf-8",
        )
        done = run_cli(*args)
        assert done.returncode == 4, done.stderr
        errors = _errors(done)
        assert errors and "was not published" in errors[0]
        assert "latest and earlier runs are as they were" in errors[0]
        kept = publish.kept_folders(out)
        assert len(kept) == 1
        # latest did not move: both readers agree on the run before
        assert os.readlink(out / "latest") == second == latest(out).name
        assert run_dirs(out) == sorted([before, second])
        filler.unlink()
        # a folder kept long ago is removed by the next run, the recent one is listed
        old = out / ".tmp-2020-01-01T00-00-00Z.kept"
        old.mkdir()
        config.write_text("reports:\n  - notebook: filler.ipynb\n    name: filler\n")
        again = run_cli(*args)
        assert again.returncode == 0, again.stderr
        assert not old.exists()
        assert f"note: removed {old.name}, kept more than 30 days" in again.stderr
        assert f"note: 1 unpublished run(s) kept in {out}: {kept[0].name}" in again.stderr
        cleaned = run_cli("clean-kept", "--output", str(out))
        assert cleaned.returncode == 0 and f"removed {kept[0]}" in cleaned.stdout
        assert publish.kept_folders(out) == []
        assert manifest(latest(out))["run"]["previous_run"] == second


@needs_mount
def test_a_read_only_output_folder_is_bad_input(tmp_path: Path, capsys) -> None:
    """Case 6: exit 2 with one line, not an internal error."""
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    config = write_config(tmp_path / "r.yml", [{"notebook": "notebooks/numbers.ipynb"}])
    with _tmpfs(tmp_path / "ro", "1m", "ro") as out:
        done = run_main(capsys, "run", "--config", str(config), "--output", str(out),
                        "--data-dir", str(data), "--no-progress")  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert _errors(done) == [f"error: --output {out}: the output folder is not writable"]
        assert list(out.iterdir()) == []


def test_a_data_directory_that_is_a_symlink_loop_is_bad_input(tmp_path: Path, capsys) -> None:
    """Case 6."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    copy_notebooks(tmp_path / "notebooks")
    config = write_config(tmp_path / "r.yml", [{"notebook": "notebooks/numbers.ipynb"}])
    for args in (
        ["check-data", "--data-dir", str(tmp_path / "a")],
        ["run", "--config", str(config), "--output", str(tmp_path / "out"), "--data-dir",
         str(tmp_path / "a")],
    ):  # fmt: skip
        done = run_main(capsys, *args)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert _errors(done)[0] == (
            f"error: {tmp_path / 'a'}: data directory cannot be resolved (a symlink loop; "
            "from data_dir)"
        )
    assert not (tmp_path / "out").exists()


GOOD_MANIFEST = {
    "manifest_version": 1,
    "run": {"run_id": "a", "data_sha256": "00", "git_commit": "c"},
    "reports": [{"name": "r", "status": "ok", "key_numbers": {"x": {"value": 1.0}}}],
}


def _edited(edit) -> dict:
    data = json.loads(json.dumps(GOOD_MANIFEST))
    edit(data)
    return data


MANIFEST_CASES = {
    "checksum as a number": (
        json.dumps(_edited(lambda d: d["run"].update(data_sha256=12))),
        "run.data_sha256: got 12; expected ['string', 'null']",
    ),
    "error as text": (
        json.dumps(_edited(lambda d: d["reports"][0].update(status="failed", error="it broke"))),
        "reports[0].error: got 'it broke'; expected ['object', 'null']",
    ),
    "a 400-digit integer": (
        json.dumps(GOOD_MANIFEST).replace("1.0", "9" * 400),
        "not a readable manifest (an integer of 400 digits (at most 30))",
    ),
    "deep nesting": (
        json.dumps(GOOD_MANIFEST).replace(
            '"c"}', '"c", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"
        ),
        "not a readable manifest (nested too deeply)",
    ),
}


@pytest.mark.parametrize("case", list(MANIFEST_CASES))
def test_compare_refuses_a_hand_edited_manifest(tmp_path: Path, capsys, case: str) -> None:
    """Case 6: checked against the manifest's schema before anything is read from it."""
    text, expected = MANIFEST_CASES[case]
    good = tmp_path / "good" / "manifest.json"
    good.parent.mkdir()
    good.write_text(json.dumps(GOOD_MANIFEST))
    bad = tmp_path / "bad" / "manifest.json"
    bad.parent.mkdir()
    bad.write_text(text)
    done = run_main(capsys, "compare", str(good), str(bad))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = _errors(done)
    assert errors and errors[0].startswith(f"error: {bad}: ") and errors[0].endswith(expected)


def _runs(output: Path, *ids: str) -> None:
    for run_id in ids:
        (output / run_id).mkdir(parents=True)
        (output / run_id / "manifest.json").write_text(json.dumps(GOOD_MANIFEST))


def test_latest_link_is_the_pointer_latest_txt_follows_it(tmp_path: Path, capsys) -> None:
    """Case 8: killed between the two pointer updates, readers still agree (they follow the
    link) and the next run rewrites latest.txt; an interrupt while publishing is held."""
    old, new = "2026-03-02T06-00-04Z", "2026-03-09T06-00-03Z"
    _runs(tmp_path, old, new)
    assert publish.point_latest(tmp_path, old) is None
    assert os.readlink(tmp_path / "latest") == old
    assert (tmp_path / "latest.txt").read_text() == old + "\n"
    # SIGKILL after the link moved, before latest.txt followed
    os.replace(tmp_path / "latest", tmp_path / "x")
    os.symlink(new, tmp_path / "latest")
    assert publish.latest_id(tmp_path) == new
    done = run_main(capsys, "compare", "previous", "latest", "--output", str(tmp_path))
    assert done.returncode == 0 and done.stdout.startswith("Comparing run a (A) -> a (B)")
    publish.repair_latest_txt(tmp_path)
    assert (tmp_path / "latest.txt").read_text() == new + "\n"
    # SIGTERM while publishing: held, reported after the block
    with publish.held_signals() as caught:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
    assert caught == [signal.SIGTERM, signal.SIGINT]


def test_latest_as_a_real_folder_is_refused_before_the_run(tmp_path: Path, capsys) -> None:
    """Case 8: a run could never move it; exit 2 before any kernel, nothing written."""
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    config = write_config(tmp_path / "r.yml", [{"notebook": "notebooks/numbers.ipynb"}])
    out = tmp_path / "out"
    (out / "latest").mkdir(parents=True)
    done = run_main(capsys, "run", "--config", str(config), "--output", str(out), "--data-dir",
                    str(data))  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert _errors(done) == [
        f"error: --output {out}: latest is a real folder, not the link the runner maintains; "
        "move it away so the run can be published"
    ]
    assert sorted(p.name for p in out.iterdir()) == ["latest"]


_SIGTERM_WHILE_PUBLISHING = """
import os, signal, sys
import analysis.runner.runs as runs

original = runs.move_into_place

def interrupted(*args):
    os.kill(os.getpid(), signal.SIGTERM)  # as if systemd stopped the service right now
    return original(*args)

runs.move_into_place = interrupted
from analysis.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_sigterm_while_publishing_publishes_and_says_so(tmp_path: Path) -> None:
    """Case 8: the exit status tells the truth: the run was published (0), latest moved."""
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    config = write_config(tmp_path / "r.yml", [{"notebook": "notebooks/numbers.ipynb"}])
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", _SIGTERM_WHILE_PUBLISHING, "run", "--config", str(config),
         "--output", str(out), "--data-dir", str(data), "--no-progress"],
        capture_output=True, text=True, timeout=240, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_id = run_dirs(out)[0]
    assert os.readlink(out / "latest") == run_id == latest(out).name
    assert (
        f"note: SIGTERM arrived while run {run_id} was being published; it was published "
        "first (latest names it), then the run stopped"
    ) in done.stderr


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../../../../etc/passwd", "climbs out of the data directory with '..'"),
        ("/etc/passwd", "is absolute; resource paths are relative to the data directory"),
        ("escape/passwd", "leads outside the data directory through a symlink"),
    ],
)
def test_a_data_package_cannot_read_outside_its_folder(
    tmp_path: Path, capsys, path: str, why: str
) -> None:
    """Case 10: refused before any file is read, without printing a line of it."""
    data = write_tiny_package(tmp_path / "data")
    (data / "escape").symlink_to("/etc")
    descriptor = json.loads((data / "datapackage.json").read_text())
    descriptor["resources"][1]["path"] = path
    (data / "datapackage.json").write_text(json.dumps(descriptor))
    done = run_main(capsys, "check-data", "--data-dir", str(data))
    assert done.returncode == 2, done.stderr
    assert "root:" not in done.stdout + done.stderr
    assert f"resources[1] (entities): path '{path}' {why}" in done.stdout + done.stderr


def test_a_resource_without_a_path_is_bad_input_for_the_runner(tmp_path: Path, capsys) -> None:
    """A data package whose resource has no path is reported by the data checks (exit 2),
    not a traceback from the reuse planning that runs before them."""
    copy_notebooks(tmp_path / "notebooks")
    data = write_tiny_package(tmp_path / "data")
    descriptor = json.loads((data / "datapackage.json").read_text())
    del descriptor["resources"][1]["path"]
    (data / "datapackage.json").write_text(json.dumps(descriptor))
    config = write_config(tmp_path / "r.yml", [{"notebook": "notebooks/numbers.ipynb"}])
    out = tmp_path / "out"
    done = run_main(
        capsys, "run", "--config", str(config), "--output", str(out), "--data-dir", str(data),
        "--no-progress",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if "error: " in line]
    assert not out.exists() or not any(out.iterdir())


def test_latest_falls_back_to_latest_txt_only_where_there_are_no_symlinks(
    tmp_path: Path, monkeypatch
) -> None:
    """Only a file system without symlinks makes latest.txt the pointer; any other failure
    to make the link (no space, ...) is an error, never a latest.txt that disagrees with it."""
    import errno

    old, new = "2026-03-02T06-00-04Z", "2026-03-09T06-00-03Z"
    _runs(tmp_path, old, new)
    assert publish.point_latest(tmp_path, old) is None

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish.os, "symlink", no_space)
    with pytest.raises(OSError):
        publish.point_latest(tmp_path, new)
    assert os.readlink(tmp_path / "latest") == old
    assert (tmp_path / "latest.txt").read_text() == old + "\n"

    def not_permitted(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    bare = tmp_path / "no-links"
    _runs(bare, old)
    monkeypatch.setattr(publish.os, "symlink", not_permitted)
    assert publish.point_latest(bare, old) is None
    assert not (bare / "latest").exists()
    assert (bare / "latest.txt").read_text() == old + "\n"


def test_a_page_that_cannot_be_written_stops_the_run_not_the_report() -> None:
    """Case 2, the pieces: a worker records a write error (disk full, I/O error) of a page
    or notebook; the runner then refuses to publish (exit 4) instead of a failed report."""
    import errno

    from analysis.runner.run import entries_written
    from analysis.runner.worker import is_write_error

    full = OSError(errno.ENOSPC, "No space left on device")
    try:
        try:
            raise full
        except OSError as exc:
            raise RuntimeError("papermill could not save the notebook") from exc
    except RuntimeError as wrapped:
        assert is_write_error(wrapped)
    assert is_write_error(OSError(errno.EIO, "Input/output error"))
    assert not is_write_error(ValueError("a report's own error"))
    assert not is_write_error(FileNotFoundError(errno.ENOENT, "no such file"))
    entries_written([{"name": "a", "status": "failed"}])  # a failed report publishes
    with pytest.raises(OSError, match=r"1 report\(s\) could not be written: a.html: \[Errno 28\]"):
        entries_written([{"name": "a", "write_error": f"a.html: {full}"}])
