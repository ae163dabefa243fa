"""Limits on what a run accepts, checked while the config and the options are read.

A config or an option that exceeds one of these is bad input (exit 2, one line naming the
limit), found before any kernel starts and before anything is written. The limits keep a
careless or hostile config from exhausting the runner (a YAML "billion laughs", a matrix of
millions of reports, a huge parameter list), and make sure every value that reaches a
notebook can be recorded in the manifest (JSON, UTF-8). The README lists them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import yaml

__all__ = [
    "MAX_CELL_TIMEOUT_S",
    "MAX_CONFIG_BYTES",
    "MAX_JOBS",
    "MAX_LIST_ITEMS",
    "MAX_REPORTS",
    "MAX_STRING_CHARS",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "NodeBudget",
    "check_yaml_size",
    "entry_limit_problems",
    "matrix_size_problem",
    "option_problems",
    "read_limited",
    "value_limit_problems",
]

#: largest config file read (bytes); ``--config /dev/zero`` stops here
MAX_CONFIG_BYTES = 1024 * 1024
#: most reports one config may define, matrices expanded (counted before expanding)
MAX_REPORTS = 1000
#: most values the YAML document may hold once its aliases are expanded
MAX_YAML_NODES = 20_000
#: deepest nesting of lists and mappings in a config
MAX_YAML_DEPTH = 50
#: most items in one list or mapping inside a parameter value (e.g. ``highlight``)
MAX_LIST_ITEMS = 1000
#: longest text inside a parameter value (characters)
MAX_STRING_CHARS = 10_000
#: most reports running at the same time (``--jobs``)
MAX_JOBS = 64
#: longest ``--timeout`` (seconds): one week
MAX_CELL_TIMEOUT_S = 7 * 24 * 3600


def read_limited(handle: Any, path: Any) -> bytes:
    """Read at most :data:`MAX_CONFIG_BYTES` from an open binary file; ValueError (with the
    limit named) when there is more."""
    data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(
            f"{path}: config file is larger than the limit of {MAX_CONFIG_BYTES:,} bytes"
        )
    return data


class NodeBudget:
    """Mix-in for a PyYAML loader: stop composing after :data:`MAX_YAML_NODES` nodes (a
    long document is refused while it is read, not after)."""

    _composed = 0
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._composed += 1
        mark = self.peek_event().start_mark  # type: ignore[attr-defined]
        if self._composed > MAX_YAML_NODES:
            raise yaml.YAMLError(
                f"line {mark.line + 1}: the config holds more than {MAX_YAML_NODES:,} values "
                "(the limit on values in a config); give fewer values"
            )
        if self._depth >= MAX_YAML_DEPTH:
            raise yaml.YAMLError(
                f"line {mark.line + 1}: lists or mappings are nested more than "
                f"{MAX_YAML_DEPTH} deep (the limit on nesting in a config)"
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


def check_yaml_size(root: yaml.Node) -> str | None:
    """Why a composed YAML document is too large once its aliases are expanded, or None.

    Counts the values the document would hold if every alias were written out, in time
    linear in the number of distinct nodes (each node's expanded size is computed once), so
    a "billion laughs" document is refused in microseconds instead of being walked.
    """
    sizes: dict[int, int] = {}
    busy: set[int] = set()
    # iterative post-order walk: documents may nest deeper than Python's recursion limit
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            sizes[key] = 1
            continue
        if not children_done:
            if key in busy:  # an alias to an enclosing node: reported by the value checks
                sizes[key] = 1
                continue
            busy.add(key)
            stack.append((node, True))
            stack += [(child, False) for child in children if id(child) not in sizes]
            continue
        busy.discard(key)
        total = 1 + sum(sizes.get(id(child), 1) for child in children)
        sizes[key] = total
        if total > MAX_YAML_NODES:
            return (
                f"the config holds more than {MAX_YAML_NODES:,} values once its YAML aliases "
                "are expanded (the limit on alias expansion); give fewer values"
            )
    return None


def matrix_size_problem(where: str, matrix: Mapping[str, Any] | None) -> str | None:
    """Why a matrix expands to too many reports (computed before expanding), or None."""
    if not matrix:
        return None
    total = math.prod(len(values) for values in matrix.values() if isinstance(values, list))
    if total > MAX_REPORTS:
        sizes = " x ".join(str(len(v)) for v in matrix.values() if isinstance(v, list))
        return (
            f"{where}: matrix expands to {total:,} reports ({sizes}), more than the limit of "
            f"{MAX_REPORTS:,} reports per config"
        )
    return None


def _limit_problem(value: Any) -> str | None:
    """Why a value is too big (a list, mapping or text over its limit), or None."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_STRING_CHARS:
                return (
                    f"holds a text of {len(item):,} characters, more than the limit of "
                    f"{MAX_STRING_CHARS:,}"
                )
            continue
        if isinstance(item, list | tuple | dict | set | frozenset):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if len(item) > MAX_LIST_ITEMS:
                kind = "mapping" if isinstance(item, dict) else "list"
                return (
                    f"holds a {kind} of {len(item):,} items, more than the limit of "
                    f"{MAX_LIST_ITEMS:,}"
                )
            stack += [*item.keys(), *item.values()] if isinstance(item, dict) else list(item)
    return None


def entry_limit_problems(where: str, entry: Mapping[str, Any]) -> list[str]:
    """Parameter and matrix values of one config entry that exceed a size limit."""
    problems = []
    values = dict(entry.get("parameters") or {})
    for key, listed in (entry.get("matrix") or {}).items():
        values[key] = listed  # the matrix list itself counts as a list
    for name, value in values.items():
        problem = _limit_problem(value)
        if problem:
            problems.append(f"{where}: parameter {name!r}: the value {problem}")
    return problems


def value_limit_problems(who: str, name: str, value: Any) -> list[str]:
    """Problems of one parameter value beyond NaN: too large, or not representable as JSON
    in UTF-8 (a set, bytes, a lone surrogate), which the manifest and papermill need."""
    problem = _limit_problem(value)
    if problem:
        return [f"{who}: parameter {name!r}: the value {problem}"]
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return [
            f"{who}: parameter {name!r}: the value holds a character that is not valid "
            "Unicode text (a lone surrogate such as \\uD800); give valid text"
        ]
    except (TypeError, ValueError) as exc:
        kind = _unrepresentable(value)
        detail = f" ({kind})" if kind else f" ({exc})"
        return [
            f"{who}: parameter {name!r}: the value cannot be passed to a notebook{detail}; "
            "use text, numbers, yes/no, lists and mappings"
        ]
    return []


def _unrepresentable(value: Any) -> str | None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, set | frozenset):
            return "a YAML !!set is not a value JSON can record"
        if isinstance(item, bytes | bytearray):
            return "YAML !!binary data is not a value JSON can record"
        if isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list | tuple):
            stack += list(item)
    return None


def option_problems(jobs: Any, cell_timeout_s: Any) -> list[str]:
    """Problems of the run options, one line each (empty when they are good).

    ``cell_timeout_s`` is None for no limit, else a whole number of seconds (nbclient's
    timeout is an integer trait: 2.5 would fail inside every report).
    """
    problems = []
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        problems.append(f"--jobs: got {jobs!r}; expected a whole number from 1 to {MAX_JOBS}")
    if cell_timeout_s is not None:
        ok = (
            isinstance(cell_timeout_s, int | float)
            and not isinstance(cell_timeout_s, bool)
            and math.isfinite(cell_timeout_s)
            and cell_timeout_s == int(cell_timeout_s)
            and 1 <= cell_timeout_s <= MAX_CELL_TIMEOUT_S
        )
        if not ok:
            problems.append(
                f"--timeout: got {cell_timeout_s!r}; expected a whole number of seconds from 1 "
                f"to {MAX_CELL_TIMEOUT_S:,}, or 0 for no limit"
            )
    return problems
