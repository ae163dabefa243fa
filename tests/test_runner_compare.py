"""compare_runs on small literal manifests: what counts as a change, and how it is printed;
which manifests ``compare`` reads (run ids and keywords in --output only) and refuses."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.runner.compare import compare_runs, format_comparison
from analysis.runner.runs import ManifestError, read_manifest, resolve_manifest


def _manifest(run_id: str, reports: list[dict], sha: str = "a" * 64) -> dict:
    return {
        "run": {"run_id": run_id, "data_sha256": sha, "git_commit": "c" * 40},
        "reports": reports,
    }


def _report(name: str, status: str = "ok", **numbers) -> dict:
    return {
        "name": name,
        "status": status,
        "parameters": {},
        "key_numbers": {k: {"value": v, "unit": "EUR m"} for k, v in numbers.items()},
        "error": {"ename": "ValueError", "evalue": "boom"} if status != "ok" else None,
        "failed_cell": {"number": 7} if status != "ok" else None,
    }


def test_changes_additions_removals_and_failures() -> None:
    old = _manifest(
        "A",
        [
            _report("moved", loss=40.0, same=1.5, gone=3, undefined=None),
            _report("steady", x=1),
            _report("breaks", x=1),
            _report("heals", "failed"),
            _report("dropped", x=1),
            _report("still-broken", "failed"),
        ],
    )
    new = _manifest(
        "B",
        [
            _report("moved", loss=43.0, same=1.5, fresh=2, undefined=5.0),
            _report("steady", x=1.0),  # 1 and 1.0 are the same number
            _report("breaks", "failed"),
            _report("heals", x=2),
            _report("added", x=1),
            _report("still-broken", "failed"),
        ],
        sha="b" * 64,
    )
    result = compare_runs(old, new)
    assert [c.name for c in result.changed] == ["moved", "heals"]
    moved = result.changed[0]
    assert [(n.name, n.old, n.new) for n in moved.numbers] == [
        ("loss", 40.0, 43.0),
        ("undefined", None, 5.0),
    ]
    assert moved.numbers[0].change == 3.0 and moved.numbers[0].change_pct == 7.5
    assert moved.numbers[1].change is None  # undefined before: no difference to compute
    assert (moved.added, moved.removed) == (["fresh"], ["gone"])
    assert [r["name"] for r in result.newly_failing] == ["breaks"]
    assert result.recovered == ["heals"]
    assert result.still_failing == ["still-broken"]
    assert [r["name"] for r in result.added] == ["added"]
    assert result.removed == ["dropped"]
    assert result.unchanged == ["steady"]
    assert result.differs


def test_readable_table() -> None:
    old = _manifest("A", [_report("r", loss=40.0, big=1_234_567.0, neg=2.0)])
    new = _manifest("B", [_report("r", loss=43.0, big=1_234_000.0, neg=-1.0)])
    text = format_comparison(compare_runs(old, new))
    lines = text.splitlines()
    assert lines[0] == "Comparing run A (A) -> B (B)"
    assert lines[1] == "data sha256: aaaaaaaaaaaa -> aaaaaaaaaaaa (unchanged)"
    table = lines[lines.index("r") + 1 :][:4]
    assert table[0].split() == [
        "key",
        "number",
        "old",
        "(A)",
        "new",
        "(B)",
        "change",
        "change",
        "%",
    ]
    assert table[1].split() == ["loss", "40", "EUR", "m", "43", "EUR", "m", "+3", "+7.5%"]
    big = ["big", "1,234,567", "EUR", "m", "1,234,000", "EUR", "m", "-567", "-0.05%"]
    assert table[2].split() == big
    assert table[3].split() == ["neg", "2", "EUR", "m", "-1", "EUR", "m", "-3", "-150%"]
    assert lines[-1] == "Unchanged reports: 0"


def test_a_renamed_key_number_is_compared_under_its_new_name() -> None:
    old = _manifest("a", [_report("r", cost_per_revenue_numergy_central_eur=5.87)])
    new = _manifest("b", [_report("r", losses_per_revenue_numergy_central_eur=7.47)])
    result = compare_runs(old, new)
    (report,) = result.changed
    assert report.renamed == [
        ("cost_per_revenue_numergy_central_eur", "losses_per_revenue_numergy_central_eur")
    ]
    assert not report.added and not report.removed
    (number,) = report.numbers
    assert (number.name, number.old, number.new) == (
        "losses_per_revenue_numergy_central_eur",
        5.87,
        7.47,
    )
    text = format_comparison(result)
    assert (
        "renamed: cost_per_revenue_numergy_central_eur -> losses_per_revenue_numergy_central_eur"
        in text
    )


def test_a_rename_alone_is_not_a_change() -> None:
    old = _manifest("a", [_report("r", cost_per_revenue_numergy_central_eur=5.87)])
    new = _manifest("b", [_report("r", losses_per_revenue_numergy_central_eur=5.87)])
    result = compare_runs(old, new)
    assert result.changed == [] and result.unchanged == ["r"] and not result.differs
    text = format_comparison(result)
    assert "No key number changed." in text
    assert "Same values under new names" in text
    assert (
        "renamed: cost_per_revenue_numergy_central_eur -> losses_per_revenue_numergy_central_eur"
        in text
    )


def test_identical_runs_do_not_differ() -> None:
    run = _manifest("A", [_report("r", x=1.25)])
    result = compare_runs(run, run)
    assert not result.differs
    assert "No key number changed." in format_comparison(result)


def test_a_changed_data_directory_does_not_mark_parameters_changed() -> None:
    """data_dir is recorded per report; the data checksum line says whether the data moved."""
    old_report = {**_report("r", x=1), "parameters": {"market": "europe", "data_dir": "/a"}}
    new_report = {**_report("r", x=1), "parameters": {"market": "europe", "data_dir": "/b"}}
    result = compare_runs(_manifest("A", [old_report]), _manifest("B", [new_report], "b" * 64))
    assert result.changed == [] and result.unchanged == ["r"]
    text = format_comparison(result)
    assert "(parameters changed)" not in text and "(changed)" in text
    moved = {**new_report, "parameters": {"market": "france", "data_dir": "/b"}}
    result = compare_runs(_manifest("A", [old_report]), _manifest("B", [moved]))
    assert [c.parameters_changed for c in result.changed] == [True]
    assert "r (parameters changed)" in format_comparison(result)


def _write(folder: Path, data: object) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            _manifest("B", [{"name": "r", "key_numbers": {}}]),
            "not a run manifest: reports[0] (r) has no 'status'",
        ),
        (_manifest("B", [{"status": "ok"}]), "not a run manifest: reports[0] has no 'name'"),
        ({"run": {}}, "not a run manifest: it has no 'reports' list"),
        ([1, 2], "not a run manifest: it is not a JSON object"),
        (
            _manifest("B", [{**_report("r"), "key_numbers": {"x": 3}}]),
            "not a run manifest: reports[0] (r): 'key_numbers' is not an object of objects",
        ),
    ],
)
def test_a_malformed_manifest_is_one_error_line(
    broken: object, expected: str, tmp_path: Path, capsys
) -> None:
    good = _write(tmp_path / "a", _manifest("A", [_report("r", x=1)]))
    bad = _write(tmp_path / "b", broken)
    status = main(["compare", str(good), str(bad), "--output", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert err == [f"error: {bad / 'manifest.json'}: {expected}"]


def _runs_folder(root: Path, ids: list[str], marker: str) -> Path:
    """An output folder with complete runs (each manifest names its folder) and latest."""
    for run_id in ids:
        _write(root / run_id, _manifest(f"{marker}:{run_id}", [_report("r", x=1)]))
    (root / "latest.txt").write_text(ids[-1] + "\n")
    os.symlink(ids[-1], root / "latest")
    return root


def test_keywords_and_run_ids_are_looked_up_in_output_only(tmp_path: Path, monkeypatch) -> None:
    """From inside a folder with its own `latest`, `compare previous latest --output DIR`
    compares two runs of DIR, never one of each."""
    ids = ["2026-03-02T06-00-04Z", "2026-03-09T06-00-03Z", "2026-03-16T06-00-02Z"]
    output = _runs_folder(tmp_path / "reports", ids, "output")
    here = _runs_folder(tmp_path / "elsewhere", [ids[0], ids[2]], "cwd")
    monkeypatch.chdir(here)

    def run_id_of(spec: str) -> str:
        return read_manifest(resolve_manifest(spec, output))["run"]["run_id"]

    assert run_id_of("latest") == f"output:{ids[2]}"
    assert run_id_of("previous") == f"output:{ids[1]}"
    assert run_id_of(ids[0]) == f"output:{ids[0]}"
    # explicit paths stay paths
    assert run_id_of(f"./{ids[0]}") == f"cwd:{ids[0]}"
    assert run_id_of("latest/manifest.json") == f"cwd:{ids[2]}"
    assert run_id_of(str(here / "latest")) == f"cwd:{ids[2]}"
    # a bare name that is only in the current folder is not silently taken from it
    (here / "mine").mkdir()
    _write(here / "mine" / "x", {})
    with pytest.raises(ManifestError) as caught:
        resolve_manifest("mine", output)
    assert "not found in" in str(caught.value) and "write ./mine" in str(caught.value)


def test_compare_previous_latest_from_a_folder_with_its_own_latest(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    ids = ["2026-03-02T06-00-04Z", "2026-03-09T06-00-03Z"]
    output = _runs_folder(tmp_path / "reports", ids, "output")
    monkeypatch.chdir(_runs_folder(tmp_path / "elsewhere", ids, "cwd"))
    assert main(["compare", "previous", "latest", "--output", str(output)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"Comparing run output:{ids[0]} (A) -> output:{ids[1]} (B)"


def test_previous_is_the_run_before_the_latest(tmp_path: Path) -> None:
    """If latest names an older run (a newer folder copied in by hand, say), previous is the
    one before latest, not the second newest folder."""
    ids = ["2026-03-02T06-00-04Z", "2026-03-09T06-00-03Z", "2026-03-16T06-00-02Z"]
    output = _runs_folder(tmp_path, ids, "o")
    (output / "latest.txt").write_text(ids[1] + "\n")
    (output / "latest").unlink()  # the link is the pointer (latest.txt is derived from it)
    os.symlink(ids[1], output / "latest")
    assert resolve_manifest("previous", output) == output / ids[0] / "manifest.json"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ManifestError, match="has no complete run"):
        resolve_manifest("latest", empty)
