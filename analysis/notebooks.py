"""Keep the committed notebooks clean: parameters, stripped outputs, kernel-independent.

Committed notebooks carry no outputs except the cells whose first line is the nbval marker
``# NBVAL_CHECK_OUTPUT``: those print the rounded key numbers and are what
``pytest --nbval-lax`` compares. :func:`refresh_notebook` re-executes a notebook with the
project environment's own kernel and keeps exactly those outputs
(``python -m analysis refresh-notebooks``, ``make notebooks``).
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.data.files import DATA_DIR_ENV, REPO_ROOT, VALIDATED_ENV
from analysis.parameters_cell import cell_source, parameter_defaults, parameters_cell

__all__ = [
    "CHECK_MARKER",
    "KERNELSPEC",
    "is_checked_cell",
    "parameter_defaults",
    "parameters_cell",
    "refresh_notebook",
    "strip_outputs",
]

#: first-line marker of the cells whose outputs nbval compares
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
#: kernelspec written into committed notebooks: the generic Python 3 kernel name, which
#: jupyter_client maps to the interpreter running Jupyter (the project's .venv)
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def is_checked_cell(cell: Mapping[str, Any]) -> bool:
    """True for a code cell whose output nbval compares."""
    return cell.get("cell_type") == "code" and cell_source(cell).lstrip().startswith(CHECK_MARKER)


def strip_outputs(nb: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without outputs, execution counts or run metadata, except in checked cells."""
    out = copy.deepcopy(dict(nb))
    for cell in out["cells"]:
        metadata = cell.get("metadata", {})
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            metadata.pop(key, None)
        if cell.get("cell_type") != "code":
            continue
        if is_checked_cell(cell):
            # nbval refuses a reference cell with outputs but no execution count
            cell["outputs"] = [dict(o) for o in cell.get("outputs", [])]
        else:
            cell["outputs"] = []
            cell["execution_count"] = None
    meta = out.setdefault("metadata", {})
    meta.pop("papermill", None)
    meta.pop("widgets", None)
    meta["kernelspec"] = dict(KERNELSPEC)
    return out


def refresh_notebook(path: str | os.PathLike[str], timeout: int = 600) -> Path:
    """Execute a notebook with this environment's kernel and save it stripped, in place.

    The key numbers kept in the file are those of the project's own data/: the kernel runs
    without ``$ANALYSIS_DATA_DIR`` whatever the shell sets. The file is replaced atomically,
    and only if every cell ran.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    env = {k: v for k, v in os.environ.items() if k not in (DATA_DIR_ENV, VALIDATED_ENV)}
    client.execute(env=env)
    clean = nbformat.from_dict(strip_outputs(nb))
    nbformat.validate(clean)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".ipynb.tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        nbformat.write(clean, stream)
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis refresh-notebooks [NOTEBOOK ...]`` (default: notebooks/*.ipynb)."""
    paths = [Path(p) for p in (argv or [])] or sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"refreshing {path}", file=sys.stderr)
        refresh_notebook(path)
    return 0
