"""Shared pytest set-up: headless plotting, test groups, hypothesis profiles, shared fixtures.

Test groups (markers, set here from the file name so that new files fit in):

- ``unit``: pure functions on small literal frames, property tests, the runner's parts
  in-process, doctests of ``analysis/`` (everything not listed below);
- ``data``: the committed data and its checks (``test_dataset*``, ``test_check_data*``,
  ``test_validate*``, ``test_io*``, ``test_*data*``);
- ``notebook``: the real notebooks (``test_notebook_*``: the committed files, papermill runs)
  and nbval's runs of ``notebooks/*.ipynb``;
- ``e2e``: the real command in new processes (``test_*e2e*``, ``test_browser*``,
  ``test_runner_kernels*``, ``test_real_*``, and any module that runs it through
  ``runner_helpers.run_cli``/``start_cli``).

``slow`` marks every test that starts a kernel or the runner: every ``e2e`` test, nbval's
notebook items, and the tests marked so in their files; ``make test-fast`` runs the rest.
``browser`` marks the tests that drive Chromium (those using the ``browser`` fixture too).

Hypothesis profiles: ``ci`` (the default, what ``make test`` runs) and ``dev`` (fewer
examples, for ``make test-fast``), chosen with ``HYPOTHESIS_PROFILE``. Property tests set no
``max_examples`` of their own.
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")
# The tests (nbval's notebook runs included) check the project's own data/, whatever the
# shell points $ANALYSIS_DATA_DIR at; tests that need another copy set it themselves.
os.environ.pop("ANALYSIS_DATA_DIR", None)
os.environ.pop("ANALYSIS_DATA_VALIDATED", None)

# Notebooks under tests/fixtures are inputs of the runner tests, not notebooks to check.
collect_ignore_glob = ["fixtures/*"]

_DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2})?|-Q[1-4])?$"

TINY_DESCRIPTOR = {
    "name": "tiny",
    "resources": [
        {
            "name": "sources",
            "path": "sources.csv",
            "schema": {
                "fields": [
                    {"name": "source_id", "type": "string", "constraints": {"required": True}},
                    {"name": "publisher", "type": "string"},
                    {"name": "title", "type": "string"},
                    {"name": "url", "type": "string"},
                    {"name": "published", "type": "string", "constraints": {"pattern": _DATE}},
                ],
                "primaryKey": ["source_id"],
            },
        },
        {
            "name": "entities",
            "path": "entities.csv",
            "schema": {
                "fields": [
                    {"name": "entity_id", "type": "string", "constraints": {"required": True}},
                    {"name": "name", "type": "string"},
                    {
                        "name": "kind",
                        "type": "string",
                        "constraints": {"enum": ["company", "public_body", "provider_group"]},
                    },
                ],
                "primaryKey": ["entity_id"],
            },
        },
        {
            "name": "shareholdings",
            "path": "shareholdings.csv",
            "schema": {
                "fields": [
                    {"name": "company_id", "type": "string"},
                    {"name": "holder_id", "type": "string"},
                    {
                        "name": "stake_pct",
                        "type": "number",
                        "constraints": {"minimum": 0, "maximum": 100},
                    },
                    {"name": "valid_from", "type": "string", "constraints": {"pattern": _DATE}},
                    {"name": "valid_to", "type": "string", "constraints": {"pattern": _DATE}},
                    {"name": "source_id", "type": "string", "constraints": {"required": True}},
                ],
                "primaryKey": ["company_id", "holder_id", "valid_from", "source_id"],
                "foreignKeys": [
                    {
                        "fields": "source_id",
                        "reference": {"resource": "sources", "fields": "source_id"},
                    },
                    {
                        "fields": "company_id",
                        "reference": {"resource": "entities", "fields": "entity_id"},
                    },
                    {
                        "fields": "holder_id",
                        "reference": {"resource": "entities", "fields": "entity_id"},
                    },
                ],
            },
        },
        {
            "name": "financials",
            "path": "financials.csv",
            "schema": {
                "fields": [
                    {"name": "company_id", "type": "string"},
                    {"name": "metric", "type": "string"},
                    {"name": "fiscal_year", "type": "integer"},
                    {"name": "value", "type": "number"},
                    {"name": "bound", "type": "string"},
                    {
                        "name": "is_forecast",
                        "type": "boolean",
                        "trueValues": ["true"],
                        "falseValues": ["false"],
                    },
                    {"name": "source_id", "type": "string", "constraints": {"required": True}},
                ],
                "foreignKeys": [
                    {
                        "fields": "source_id",
                        "reference": {"resource": "sources", "fields": "source_id"},
                    },
                ],
            },
        },
        {
            "name": "capital_events",
            "path": "capital_events.csv",
            "schema": {
                "fields": [
                    {"name": "event_id", "type": "string"},
                    {"name": "company_id", "type": "string"},
                    {"name": "amount_eur_m", "type": "number", "constraints": {"minimum": 0}},
                    {"name": "amount_status", "type": "string"},
                    {"name": "period_start", "type": "string", "constraints": {"pattern": _DATE}},
                    {"name": "period_end", "type": "string", "constraints": {"pattern": _DATE}},
                    {"name": "source_id", "type": "string", "constraints": {"required": True}},
                ],
                "primaryKey": ["event_id"],
            },
        },
    ],
}

TINY_FILES = {
    "sources.csv": (
        "source_id,publisher,title,url,published\n"
        "bfm,BFM Business,Les resultats du cloud,http://example.org/bfm,2015-05\n"
        "jdn,Journal du Net,Cloud francais,http://example.org/jdn,\n"
    ),
    "entities.csv": (
        "entity_id,name,kind\n"
        "cloudwatt,Cloudwatt,company\n"
        "orange,Orange,company\n"
        "thales,Thales,company\n"
        "cdc,Caisse des Dépôts,public_body\n"
    ),
    "shareholdings.csv": (
        "company_id,holder_id,stake_pct,valid_from,valid_to,source_id\n"
        "cloudwatt,orange,44.4,2012,2015,jdn\n"
        "cloudwatt,thales,22.2,2012,2015,jdn\n"
        "cloudwatt,cdc,33.3,2012,2015,jdn\n"
        # the buyout: certainly overlaps none of the rows above (they end in 2015)
        "cloudwatt,orange,100,2015-03-20,,bfm\n"
    ),
    "financials.csv": (
        "company_id,metric,fiscal_year,value,bound,is_forecast,source_id\n"
        "cloudwatt,revenue_eur_m,2014,2,approx,false,bfm\n"
        "cloudwatt,revenue_eur_m,2014,3,upper,false,jdn\n"
        "cloudwatt,net_result_eur_m,2013,-29.2,point,false,bfm\n"
    ),
    "capital_events.csv": (
        "event_id,company_id,amount_eur_m,amount_status,period_start,period_end,source_id\n"
        "cw-paid-in,cloudwatt,100,disclosed,2012,2014,bfm\n"
        "cw-buyout-price,cloudwatt,,undisclosed,2015-03-20,2015-03-20,jdn\n"
    ),
}


def write_tiny_package(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write the tiny valid package (optionally with some files replaced) into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "datapackage.json").write_text(json.dumps(TINY_DESCRIPTOR, indent=1), "utf-8")
    for name, text in {**TINY_FILES, **(files or {})}.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A small valid data directory: 5 tables, a few rows each."""
    return write_tiny_package(tmp_path / "data")


REAL_DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def real_data_dir() -> Path:
    """The project's committed data directory (tests using it check the real dataset)."""
    from analysis.io import default_data_dir

    return default_data_dir()


# --------------------------------------------------------------------------- hypothesis

settings.register_profile("ci", max_examples=100, print_blob=True)
settings.register_profile("dev", max_examples=15)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --------------------------------------------------------------------------- test groups

#: (marker, file-name patterns), first match wins; files matching none are ``unit``
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("e2e", ("test_*e2e*.py", "test_browser*.py", "test_runner_kernels*.py", "test_real_*.py")),
    ("notebook", ("test_notebook_*.py", "*.ipynb")),
    (
        "data",
        (
            "test_dataset*.py",
            "test_check_data*.py",
            "test_validate*.py",
            "test_io*.py",
            "test_*data*.py",
        ),
    ),
)
#: names a module imports from runner_helpers to run the real command: such a module is e2e
_RUNS_THE_COMMAND = ("run_cli", "start_cli")


def test_group(path: Path, module: object | None = None) -> str:
    """The group (marker name) of a test file: by name, or e2e if it runs the real command."""
    for marker, patterns in GROUPS:
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
            return marker
    if module is not None and any(
        getattr(getattr(module, name, None), "__module__", "") == "runner_helpers"
        for name in _RUNS_THE_COMMAND
    ):
        return "e2e"
    return "unit"


test_group.__test__ = False  # a helper, not a test


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(item, "module", None)
        group = test_group(Path(str(item.fspath)), module)
        item.add_marker(group)
        if group == "e2e" or item.fspath.ext == ".ipynb":
            item.add_marker("slow")  # starts the runner or a kernel
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker("browser")


# --------------------------------------------------------------------------- shared runs


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory):
    """The one run of every report of reports.yml (see tests/fixtures/real_run.py), shared
    by every test of real reports and, under pytest-xdist, by every worker."""
    from fixtures.real_run import shared_real_run

    if not (REAL_DATA / "datapackage.json").is_file():
        pytest.skip("data/ is not built yet")
    base = tmp_path_factory.getbasetemp()
    # xdist workers get basetemp/popen-gwN: the folder above is common to all of them
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return shared_real_run(shared)
