"""Helpers of the hostile-input tests: the real command line, called in this process.

Checks that fail before any kernel starts are run through ``analysis.__main__.main`` here
rather than in a new interpreter (which costs seconds of imports per call on a busy
machine); runs that start kernels still use a new process (``runner_helpers.run_cli``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_notebook

from analysis.__main__ import main


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess:
    """``python -m analysis ARGS`` in this process: its exit status and what it printed."""
    capsys.readouterr()
    try:
        status = main(list(args))
    except SystemExit as exc:  # argparse refuses an option
        status = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), status, out, err)


def error_lines(done: subprocess.CompletedProcess) -> list[str]:
    """The lines of stderr that report a problem."""
    return [line for line in done.stderr.splitlines() if "error: " in line]


def write_notebook(path: Path, cells: list) -> Path:
    """Write a fixture notebook made of ``cells`` (its kernelspec names this project's)."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)
    return path
