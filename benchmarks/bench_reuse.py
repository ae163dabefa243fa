"""Incremental runs: a second run with nothing changed, and one with one report changed.

Measured side by side, in one run of this script, into a fresh output folder:

(a) the reference: ``python -m analysis run`` with nothing to reuse (the first run: every
    report executes, as every run did before incremental runs);
(b) ours, unchanged: the same command again; every report's inputs are unchanged, so every
    report reuses the first run's files (no kernel, no data validation);
(c) ours, one report changed: the config with one report's parameters changed; only that
    report executes.

Each is the wall time of the whole command (interpreter start included). Targets: (a)/(b)
>= 10 and exactly one report executed in (c). Prints the times and ratios with PASS/FAIL,
and exits 1 when a target is missed::

    python benchmarks/bench_reuse.py                  # the default reports.yml
    python benchmarks/bench_reuse.py --config tests/fixtures/reports.yml
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
MIN_RATIO = 10.0


def _run(config: Path, output: Path) -> tuple[float, dict]:
    command = [sys.executable, "-m", "analysis", "run", "--config", str(config)]
    command += ["--output", str(output), "--no-progress"]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    manifest = json.loads((output / "latest" / "manifest.json").read_text(encoding="utf-8"))
    return elapsed, manifest


def _executed(manifest: dict) -> list[str]:
    return [r["name"] for r in manifest["reports"] if not r.get("reused_from")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "reports.yml")
    parser.add_argument(
        "--change",
        default="start_year=2013",
        metavar="NAME=VALUE",
        help="parameter set on the config's last entry, which must be a single report "
        "(default start_year=2013, for reports.yml; x=22 for tests/fixtures/reports.yml)",
    )
    args = parser.parse_args()
    source = args.config.resolve()
    with tempfile.TemporaryDirectory(prefix="bench-reuse-") as tmp_text:
        tmp = Path(tmp_text)
        # the config's notebook paths are relative to it: a copy beside the same folders
        entries = yaml.safe_load(source.read_text(encoding="utf-8"))["reports"]
        for folder in {Path(e["notebook"]).parts[0] for e in entries}:
            (tmp / folder).symlink_to(source.parent / folder)
        config = tmp / "reports.yml"
        config.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        output = tmp / "reports"
        first_s, first = _run(config, output)
        again_s, again = _run(config, output)
        # change one parameter of the config's last entry (one report, no matrix)
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        name, value = args.change.split("=", 1)
        data["reports"][-1].setdefault("parameters", {})[name] = yaml.safe_load(value)
        target = first["reports"][-1]
        config.write_text(yaml.safe_dump(data), encoding="utf-8")
        one_s, one = _run(config, output)
    total = len(first["reports"])
    ratio = first_s / again_s
    executed_again, executed_one = _executed(again), _executed(one)
    print(f"reports in the config:          {total}")
    print(f"(a) first run, all execute:     {first_s:7.2f} s ({len(_executed(first))} executed)")
    print(f"(b) second run, nothing changed: {again_s:7.2f} s ({len(executed_again)} executed)")
    print(f"(c) one report's parameter set:  {one_s:7.2f} s (executed: {executed_one})")
    ok_ratio = ratio >= MIN_RATIO and not executed_again
    ok_one = executed_one == [target["name"]]
    print(
        f"ratio (a)/(b): {ratio:.1f}x (target >= {MIN_RATIO:.0f}x) {'PASS' if ok_ratio else 'FAIL'}"
    )
    print(f"(c) ran only {target['name']}: {'PASS' if ok_one else 'FAIL'}")
    return 0 if ok_ratio and ok_one else 1


if __name__ == "__main__":
    sys.exit(main())
