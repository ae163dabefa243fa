"""The parameters cell of a notebook: the one parser the runner and the notebook tools share.

A parameterised notebook has exactly one code cell tagged ``parameters`` (papermill injects
its values after it). Its lines read ``name: type = default  # help``. :func:`parameters_cell`
finds the cell, :func:`parse_parameters` reads names, defaults and help texts, and
:func:`parameter_defaults` insists on literal defaults (what a committed notebook must hold).

>>> source = 'market: str = "europe"  # the geography\\nstart_year: int = 2012\\n'
>>> info = parse_parameters(source)
>>> info["market"]
ParameterInfo(name='market', default='europe', help='the geography', literal=True)
"""

from __future__ import annotations

import ast
import contextlib
import io
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PARAMETERS_TAG",
    "ParameterInfo",
    "cell_source",
    "parameter_defaults",
    "parameters_cell",
    "parameters_cells",
    "parse_parameters",
]

#: the cell tag papermill looks for
PARAMETERS_TAG = "parameters"


@dataclass(frozen=True)
class ParameterInfo:
    """One parameter of a notebook: its default (a value, or its source text when that is
    not a literal), its help text (the line's comment) and whether the default is a literal."""

    name: str
    default: Any
    help: str = ""
    literal: bool = True


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (notebook files may store it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def parameters_cells(nb: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every cell tagged ``parameters`` (a well-formed notebook has exactly one)."""
    return [
        c
        for c in nb.get("cells", [])
        if PARAMETERS_TAG in (c.get("metadata") or {}).get("tags", [])
    ]


def parameters_cell(nb: Mapping[str, Any]) -> Mapping[str, Any]:
    """The one cell tagged ``parameters``; ValueError when there is none or several."""
    cells = parameters_cells(nb)
    if len(cells) != 1:
        raise ValueError(f"expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0]


def _comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError):
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    return comments


def parse_parameters(source: str, *, strict: bool = False) -> dict[str, ParameterInfo]:
    """Names, defaults and ``# help`` comments of a parameters cell's source.

    Lenient by default: other statements are skipped and a default that is not a literal is
    kept as its source text (``literal=False``). With ``strict=True`` either is a ValueError
    naming the line. A syntax error is a SyntaxError.
    """
    tree = ast.parse(source)
    comments = _comments(source)
    found: dict[str, ParameterInfo] = {}
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        else:
            if strict:
                raise ValueError(f"parameters cell line {node.lineno}: only literal assignments")
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if strict and (len(names) != 1 or len(targets) != 1 or value is None):
            raise ValueError(f"parameters cell line {node.lineno}: only literal assignments")
        default: Any = None
        literal = True
        if value is not None:
            try:
                default = ast.literal_eval(value)
            except ValueError as exc:
                if strict:
                    raise ValueError(f"parameter {names[0]!r} is not a literal: {exc}") from None
                default, literal = ast.get_source_segment(source, value), False
        comment = comments.get(node.end_lineno or node.lineno, "")
        for name in names:
            found[name] = ParameterInfo(name, default, comment, literal)
    return found


def parameter_defaults(nb: Mapping[str, Any]) -> dict[str, Any]:
    """The literal defaults of the notebook's parameters cell (``name: type = literal``).

    Raises ValueError if the cell is missing or doubled, or holds anything but assignments of
    literals.
    """
    info = parse_parameters(cell_source(parameters_cell(nb)), strict=True)
    return {name: p.default for name, p in info.items()}
