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
notebook items, and the tests marked so in their files (a few in-process tests that build
every section or figure of whole reports); ``make test-fast`` runs the rest.
``browser`` marks the tests that drive Chromium (those using the ``browser`` fixture too).

Hypothesis profiles: ``ci`` (the default, what ``make test`` runs) and ``dev`` (fewer
examples, for ``make test-fast``), chosen with ``HYPOTHESIS_PROFILE``
(tests/hypothesis_profiles.py). Property tests set no ``max_examples`` of their own; those
whose examples are costly take ``costly()``, a quarter of the profile's.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from pathlib import Path

import pytest
from hypothesis_profiles import load_profile

os.environ.setdefault("MPLBACKEND", "Agg")
# The tests (nbval's notebook runs included) check the project's own data/, whatever the
# shell points $ANALYSIS_DATA_DIR at; tests that need another copy set it themselves.
os.environ.pop("ANALYSIS_DATA_DIR", None)
os.environ.pop("ANALYSIS_DATA_VALIDATED", None)

# Notebooks under tests/fixtures are inputs of the runner tests, not notebooks to check.
collect_ignore_glob = ["fixtures/*"]

#: a small valid data package: 5 tables, a few rows each (its README says what each row is for)
TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
#: its CSV files by name, as text (tests write a bad copy by replacing one)
TINY_FILES = {path.name: path.read_text(encoding="utf-8") for path in sorted(TINY.glob("*.csv"))}


def write_tiny_package(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write the tiny valid package (optionally with some files replaced) into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(TINY / "datapackage.json", root / "datapackage.json")
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
    from analysis.data.io import default_data_dir

    return default_data_dir()


# --------------------------------------------------------------------------- hypothesis

load_profile()  # tests/hypothesis_profiles.py


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


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session that every pytest-xdist worker sees."""
    base = tmp_path_factory.getbasetemp()
    # xdist workers get basetemp/popen-gwN: the folder above is common to all of them
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _session_validation_records(tmp_path_factory: pytest.TempPathFactory):
    """The runner's records of validated data (analysis/runner/validated.py) are this
    session's own: a run validates a data content the first time the session meets it,
    whatever earlier sessions or the user's own runs recorded."""
    from analysis.runner.validated import CACHE_DIR_ENV

    saved = os.environ.get(CACHE_DIR_ENV)
    os.environ[CACHE_DIR_ENV] = str(_shared_folder(tmp_path_factory) / "cache")
    yield
    if saved is None:
        os.environ.pop(CACHE_DIR_ENV, None)
    else:
        os.environ[CACHE_DIR_ENV] = saved


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory):
    """The one run of every report of reports.yml (see tests/fixtures/real_run.py), shared
    by every test of real reports and, under pytest-xdist, by every worker."""
    from fixtures.real_run import shared_real_run

    if not (REAL_DATA / "datapackage.json").is_file():
        pytest.skip("data/ is not built yet")
    return shared_real_run(_shared_folder(tmp_path_factory))
