"""The one parser of parameters cells, as the runner (lenient) and the notebook tools (strict)
read it."""

from __future__ import annotations

import pytest

from analysis.parameters_cell import (
    ParameterInfo,
    parameter_defaults,
    parameters_cell,
    parse_parameters,
)

SOURCE = (
    'market: str = "europe"  # the geography\n'
    "years = [2012, 2025]\n"
    "import os\n"
    "root = os.getcwd()  # computed\n"
)


def test_lenient_parse_keeps_names_defaults_help_and_source_of_non_literals() -> None:
    info = parse_parameters(SOURCE)
    assert info == {
        "market": ParameterInfo("market", "europe", "the geography"),
        "years": ParameterInfo("years", [2012, 2025], ""),
        "root": ParameterInfo("root", "os.getcwd()", "computed", literal=False),
    }


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import os\n", "line 1: only literal assignments"),
        ("a = 1\nb = a + 1\n", "parameter 'b' is not a literal"),
        ("a = b = 1\n", "line 1: only literal assignments"),
        ("a: int\n", "line 1: only literal assignments"),
    ],
)
def test_strict_parse_refuses_anything_but_literal_assignments(source: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_parameters(source, strict=True)


def test_a_syntax_error_is_raised_as_such() -> None:
    with pytest.raises(SyntaxError):
        parse_parameters("a = (\n")


def _nb(*tags: list[str]) -> dict:
    return {
        "cells": [
            {"cell_type": "code", "metadata": {"tags": t}, "source": ["a = 1\n", "b = 'x'"]}
            for t in tags
        ]
    }


def test_the_one_tagged_cell_gives_the_defaults() -> None:
    assert parameter_defaults(_nb([], ["parameters"])) == {"a": 1, "b": "x"}
    for nb in (_nb([]), _nb(["parameters"], ["parameters"])):
        with pytest.raises(ValueError, match="exactly one cell tagged 'parameters'"):
            parameters_cell(nb)
