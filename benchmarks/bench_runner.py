"""Speed of ``python -m analysis run`` against the obvious way and against the floor.

Measured side by side, in one run of this script, on the same reports:

(a) ours: ``python -m analysis run`` on the config (all reports, HTML pages included);
(b) the obvious way: for each report, one after another, ``papermill`` (CLI, same
    parameters, ``-k python3 --cwd <notebook folder>``) then
    ``jupyter nbconvert --to html --no-input``;
(c) the floor: the time one bare kernel takes to execute one report (nbclient, a plain
    python3 kernel, parameters injected, no HTML), measured for each report, summed and
    divided by the number of cores. The bare kernels get the same environment as ours
    (data directory already validated), so the floor does not include the per-notebook
    data validation that (b) pays.

The machine is shared: the three measurements are repeated in interleaved rounds
(``--repeat``, default 2) and each keeps its best round (per report for (b) and (c)), so a
burst of someone else's work does not decide the result.

Targets: obvious / ours >= 6 and ours / floor <= 1.25. Prints the three times, both ratios
with PASS/FAIL, and exits 1 when a target is missed::

    python benchmarks/bench_runner.py                       # the default reports.yml
    python benchmarks/bench_runner.py --config tests/fixtures/bench.yml \\
        --data-dir /path/to/a/data/dir                      # any config
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OBVIOUS_MIN_RATIO = 6.0
FLOOR_MAX_RATIO = 1.25


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _environment(data_dir: Path, validated: str | None) -> dict[str, str]:
    from analysis.data.io import DATA_DIR_ENV, VALIDATED_ENV

    env = {**os.environ, DATA_DIR_ENV: str(data_dir)}
    env.pop(VALIDATED_ENV, None)
    if validated:
        env[VALIDATED_ENV] = validated
    env.pop("MPLBACKEND", None)  # every route gets ipykernel's default (inline) backend
    return env


def time_ours(config: Path, data_dir: Path | None, jobs: int, workdir: Path) -> tuple[float, dict]:
    out = workdir / "ours"
    command = [sys.executable, "-m", "analysis", "run", "--config", str(config)]
    command += ["--output", str(out), "--jobs", str(jobs), "--no-progress"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"our run failed (exit {done.returncode}):\n{done.stderr}")
    run_id = (out / "latest.txt").read_text().strip()
    manifest = json.loads((out / run_id / "manifest.json").read_text())
    return elapsed, manifest


def time_obvious(reports, data_param: str | None, env: dict, workdir: Path) -> list[float]:
    """papermill CLI then nbconvert CLI, one report after the other."""
    out = workdir / "obvious"
    out.mkdir()
    times = []
    for report in reports:
        values = report.run_parameters(data_param)
        params = out / f"{report.name}.params.yml"
        params.write_text(yaml.safe_dump(values), encoding="utf-8")
        executed = out / f"{report.name}.ipynb"
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "papermill"), str(report.notebook.path), str(executed), "-k", "python3",
             "--cwd", str(report.notebook.path.parent), "-f", str(params), "--no-progress-bar"],
            env=env, capture_output=True, check=False,
        )  # fmt: skip
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed),
             "--output-dir", str(out)],
            env=env, capture_output=True, check=False,
        )  # fmt: skip
        times.append(time.perf_counter() - started)
        print(f"    obvious {report.name}: {times[-1]:.1f} s", flush=True)
    return times


def time_floor(reports, data_param: str | None, env: dict) -> list[float]:
    """One bare kernel per report: nbclient, plain python3 kernel, no HTML."""
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    times = []
    try:
        for report in reports:
            nb = load_notebook_node(str(report.notebook.path))
            nb = parameterize_notebook(nb, report.run_parameters(data_param), kernel_name="python3")
            client = NotebookClient(
                nb,
                kernel_name="python3",
                resources={"metadata": {"path": str(report.notebook.path.parent)}},
                allow_errors=True,
            )
            started = time.perf_counter()
            client.execute(stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
            print(f"    bare kernel {report.name}: {times[-1]:.1f} s", flush=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "reports.yml")
    parser.add_argument("--data-dir", type=Path, help="data directory (default: data/)")
    parser.add_argument("--jobs", type=int, default=_cores(), help="jobs of our run (cores)")
    parser.add_argument(
        "--repeat", type=int, default=2,
        help="rounds of all three measurements, interleaved; each time is the best of its "
        "rounds, per report for (b) and (c) (default 2; the machine is shared and noisy)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the outputs (printed)")
    args = parser.parse_args(argv)

    from analysis.data.io import data_checksum, resolve_data_dir
    from analysis.runner.config import load_config

    reports = load_config(args.config)
    data_dir = resolve_data_dir(args.data_dir)
    data_param = str(data_dir) if args.data_dir else None
    cores = _cores()
    workdir = Path(tempfile.mkdtemp(prefix="bench-runner-"))
    print(f"{len(reports)} reports from {args.config}; {cores} cores; data {data_dir}")
    ours_rounds: list[float] = []
    obvious_rounds: list[list[float]] = []
    bare_rounds: list[list[float]] = []
    failed: list[str] = []
    try:
        for round_ in range(1, args.repeat + 1):
            folder = workdir / f"round-{round_}"
            folder.mkdir()
            print(f"round {round_} of {args.repeat}")
            print("(a) ours: python -m analysis run", flush=True)
            ours, manifest = time_ours(args.config, args.data_dir, args.jobs, folder)
            failed = [r["name"] for r in manifest["reports"] if r["status"] != "ok"]
            mode = manifest["run"]["kernel"]["mode"]
            print(f"    {ours:.1f} s, {mode} kernels, failed: {failed}")
            ours_rounds.append(ours)
            print("(b) the obvious way: papermill CLI then nbconvert CLI, report after report")
            env = _environment(data_dir, None)
            obvious_rounds.append(time_obvious(reports, data_param, env, folder))
            print("(c) the floor: one bare kernel per report")
            env = _environment(data_dir, data_checksum(data_dir))
            bare_rounds.append(time_floor(reports, data_param, env))
    finally:
        if args.keep:
            print(f"outputs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    ours = min(ours_rounds)
    obvious = sum(min(times) for times in zip(*obvious_rounds, strict=True))
    bare = [min(times) for times in zip(*bare_rounds, strict=True)]
    floor = sum(bare) / cores
    speedup, overhead = obvious / ours, ours / floor
    ok_speedup, ok_floor = speedup >= OBVIOUS_MIN_RATIO, overhead <= FLOOR_MAX_RATIO
    best = f"best of {args.repeat}" if args.repeat > 1 else "one round"
    floor_text = (
        f"(c) floor: {len(bare)} x {sum(bare) / len(bare):.2f} s bare kernel / {cores} cores"
    )
    print()
    print(f"times ({best}; per report for (b) and (c)):")
    print(f"{'(a) ours: python -m analysis run':<48}{ours:7.1f} s")
    print(f"{'(b) obvious: papermill + nbconvert CLIs':<48}{obvious:7.1f} s")
    print(f"{floor_text:<48}{floor:7.1f} s")
    print(
        f"obvious / ours = {speedup:5.2f}  (target >= {OBVIOUS_MIN_RATIO:g})    "
        f"{'PASS' if ok_speedup else 'FAIL'}"
    )
    print(
        f"ours / floor   = {overhead:5.2f}  (target <= {FLOOR_MAX_RATIO:g}) "
        f"{'PASS' if ok_floor else 'FAIL'}"
    )
    if failed:
        print(f"FAIL: reports failed in our run: {', '.join(failed)}")
    return 0 if ok_speedup and ok_floor and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
