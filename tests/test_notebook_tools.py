"""Committed notebooks: literal parameters, stripped outputs, generic kernelspec."""

from __future__ import annotations

import nbformat
import pytest

from analysis.data.io import REPO_ROOT
from analysis.notebooks import (
    CHECK_MARKER,
    is_checked_cell,
    parameter_defaults,
    parameters_cell,
    strip_outputs,
)
from analysis.params import NOTEBOOK_SCHEMAS


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata["kernelspec"] = {"name": "py39_laptop", "display_name": "old", "language": "python"}
    return nb


def _code(source, outputs=(), tags=(), count=3):
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.outputs = [nbformat.v4.new_output("stream", text=o) for o in outputs]
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def test_strip_keeps_only_checked_outputs():
    nb = _nb(
        _code('company: str = "both"  # help', tags=["parameters"]),
        _code("print(1)", outputs=["1\n"]),
        _code(f"{CHECK_MARKER}\nprint(2)", outputs=["2\n"], count=7),
    )
    clean = strip_outputs(nb)
    plain, checked = clean["cells"][1], clean["cells"][2]
    assert plain["outputs"] == [] and plain["execution_count"] is None
    # nbval needs the reference cell's outputs and its execution count
    assert checked["outputs"][0]["text"] == "2\n" and checked["execution_count"] == 7
    # a notebook saved elsewhere gets the generic kernel name back
    assert clean["metadata"]["kernelspec"]["name"] == "python3"
    assert nb.cells[1].outputs  # the input is not modified
    nbformat.validate(nbformat.from_dict(clean))


def test_parameter_defaults_are_literals():
    nb = _nb(_code('a: int = 3  # help\nb = ["x"]\nc: float = 0.5', tags=["parameters"]))
    assert parameter_defaults(nb) == {"a": 3, "b": ["x"], "c": 0.5}
    with pytest.raises(ValueError, match="not a literal"):
        parameter_defaults(_nb(_code("a = 1 + x", tags=["parameters"])))
    with pytest.raises(ValueError, match="only literal assignments"):
        parameter_defaults(_nb(_code("import os", tags=["parameters"])))
    with pytest.raises(ValueError, match="found 0"):
        parameters_cell(_nb(_code("a = 1")))


@pytest.mark.parametrize("stem", sorted(NOTEBOOK_SCHEMAS))
def test_committed_notebook_is_clean(stem):
    path = REPO_ROOT / "notebooks" / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    checked = [c for c in nb.cells if is_checked_cell(c)]
    assert len(checked) >= 1, "a key-number cell compared by nbval"
    for cell in nb.cells:
        if cell.cell_type == "code" and not is_checked_cell(cell):
            assert cell.outputs == [], f"outputs left in: {cell.source[:60]!r}"
            assert cell.execution_count is None


@pytest.mark.parametrize("stem", sorted(NOTEBOOK_SCHEMAS))
def test_parameters_cell_matches_schema_defaults(stem):
    nb = nbformat.read(REPO_ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    schema = NOTEBOOK_SCHEMAS[stem]
    defaults = {
        name: (field.default_factory() if field.default_factory else field.default)
        for name, field in schema.model_fields.items()
    }
    assert parameter_defaults(nb) == defaults
    # every parameter line carries a help comment
    source = parameters_cell(nb)["source"]
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert "  # " in line, f"parameter line without a help comment: {line!r}"


def test_generic_kernel_name_is_this_environment():
    # JupyterLab (make lab), nbval --nbval-current-env and the runner all start "python3":
    # jupyter_client maps that name to the interpreter running it, i.e. the project's .venv
    import sys

    from jupyter_client import KernelManager

    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert command[0] == sys.executable
    assert command[1:3] == ["-m", "ipykernel_launcher"]
