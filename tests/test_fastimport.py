"""The command-line edges skip jsonschema's IRI grammar (jsonschema issue #1428)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = (
    "import sys, {module}, nbformat, jsonschema;"
    "print(sys.modules.get('rfc3987_syntax', 'absent'));"
    "print('iri' in jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)"
)


def _probe(module: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(module=module)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout.split()


def test_the_runner_and_the_cli_never_build_the_iri_grammar():
    for module in ("analysis.runner", "analysis.__main__"):
        assert _probe(module) == ["None", "False"], module


def test_the_notebooks_modules_leave_jsonschema_alone():
    # importing the analysis modules (what a notebook does) keeps every jsonschema checker
    out = _probe("analysis.data.io")
    assert out[0] == "<module" and out[1] == "'rfc3987_syntax'" and out[-1] == "True", out
