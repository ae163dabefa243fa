"""The output folder's layout: what reaches the disk before a run is renamed into place,
what a later run removes, and how the data directory is shown on published pages."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from analysis.data.io import REPO_ROOT
from analysis.runner import runs
from analysis.runner.run import shown_data_dir


def _record_disk_operations(monkeypatch) -> list[tuple[str, str]]:
    """(operation, path) for every fsync and rename, in order."""
    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def rename(src, dst, *args, **kwargs) -> None:
        events.append(("rename", str(src)))
        real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "rename", rename)
    return events


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_every_file_and_folder_is_flushed_before_the_rename(tmp_path: Path, monkeypatch) -> None:
    """A power cut after the rename must not leave a run folder with empty files: every file
    (written by other processes too) and every folder is fsynced first, the parent after."""
    output = tmp_path / "reports"
    tmp = output / ".tmp-2026-03-09T06-00-03Z"
    (tmp / "logs").mkdir(parents=True)
    for name in ("index.html", "manifest.json", "a.html", "a.ipynb", "logs/a.log"):
        (tmp / name).write_text(name)
    events = _record_disk_operations(monkeypatch)
    final = runs.publish_run(output, tmp, "2026-03-09T06-00-03Z")
    rename = events.index(("rename", str(tmp)))
    before = {path for op, path in events[:rename] if op == "fsync"}
    after = [path for op, path in events[rename + 1 :] if op == "fsync"]
    files = {"index.html", "manifest.json", "a.html", "a.ipynb", "logs/a.log"}
    assert {str(tmp / name) for name in files} <= before
    assert {str(tmp), str(tmp / "logs")} <= before
    assert after[0] == str(output)  # the rename itself is durable before latest moves
    assert (final / "logs" / "a.log").read_text() == "logs/a.log"
    assert os.readlink(output / "latest") == final.name
    assert (output / "latest.txt").read_text() == final.name + "\n"
    assert str(output) in after[1:]  # and so is latest


def test_a_later_run_removes_temporary_folders_but_not_kept_ones(tmp_path: Path) -> None:
    (tmp_path / ".tmp-2026-03-09T06-00-03Z" / "logs").mkdir(parents=True)
    kept = runs.keep_unpublished(tmp_path / ".tmp-2026-03-09T06-00-03Z")
    (tmp_path / ".tmp-2026-03-16T06-00-02Z").mkdir()
    (tmp_path / ".tmp-latest.123").write_text("x")
    assert sorted(runs.clean_stale(tmp_path)) == [".tmp-2026-03-16T06-00-02Z", ".tmp-latest.123"]
    assert kept.name == ".tmp-2026-03-09T06-00-03Z.kept" and (kept / "logs").is_dir()
    assert runs.list_runs(tmp_path) == []  # never taken for a complete run


def test_manifest_data_never_holds_nan_or_infinity(tmp_path: Path) -> None:
    data = {"a": [1.5, math.nan, {"b": -math.inf}], "c": (math.inf,), "d": "nan", "e": 2}
    assert runs.json_safe(data) == {"a": [1.5, None, {"b": None}], "c": [None], "d": "nan", "e": 2}
    path = tmp_path / "manifest.json"
    runs.write_json_atomic(path, runs.json_safe(data))
    assert json.loads(path.read_text())["a"][1] is None
    with pytest.raises(ValueError):
        runs.write_json_atomic(tmp_path / "other.json", {"x": math.nan})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]  # no leftover


def test_pages_show_the_data_directory_as_given_or_relative_to_the_repository() -> None:
    assert shown_data_dir(str(REPO_ROOT / "data"), REPO_ROOT / "data") == "data"
    assert shown_data_dir("./data/../data", REPO_ROOT / "data") == "data"
    inside = REPO_ROOT / "tests" / "fixtures"
    assert shown_data_dir(str(inside), inside) == "tests/fixtures"
    assert shown_data_dir("../elsewhere/data-v2", Path("/srv/elsewhere/data-v2")) == (
        "../elsewhere/data-v2"
    )
    assert shown_data_dir("~/data-v2", Path("/home/someone/data-v2")) == "~/data-v2"
