"""Doctests run once: pytest's ``--doctest-modules`` collects every module of ``analysis/``.

This checks that it is switched on and that the modules whose examples were counted by
their own tests (the cash-flow maths) still hold them, so the examples cannot disappear
unnoticed now that no test calls ``doctest.testmod`` itself.
"""

from __future__ import annotations

import doctest
import importlib
import tomllib

import pytest

from analysis.data.io import REPO_ROOT

#: module -> fewest examples its docstrings hold
EXAMPLES = {
    "analysis.core.returns": 11,
    "analysis.core.batch_returns": 1,
    "analysis.core.distributions": 1,
    "analysis.core.scenarios": 1,
}


def test_pytest_collects_the_doctests_of_the_package() -> None:
    options = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    assert "--doctest-modules" in options["ini_options"]["addopts"].split()
    assert "analysis" in options["ini_options"]["testpaths"]


@pytest.mark.parametrize(("name", "fewest"), sorted(EXAMPLES.items()))
def test_modules_keep_their_examples(name: str, fewest: int) -> None:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder().find(module)
    assert sum(len(t.examples) for t in tests) >= fewest
