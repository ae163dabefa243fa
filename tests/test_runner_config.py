"""The report config: matrix expansion, name templates, and every refused config.

Refused configs go through the real command (``analysis.__main__.main``): exit status 2, one
``error:`` line per problem naming the report, the parameter and what is allowed, and nothing
written to the output folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from runner_helpers import FIXTURE_NOTEBOOKS, SCHEMA_STUBS, copy_notebooks, write_config

from analysis.__main__ import main
from analysis.errors import ConfigError
from analysis.runner.config import (
    check_report_parameters,
    load_config,
    read_config,
    select_reports,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with the fixture notebooks under notebooks/ (configs use relative paths)."""
    copy_notebooks(tmp_path / "notebooks")
    return tmp_path


def _load(project: Path, text: str):
    return load_config(write_config(project / "reports.yml", text))


# --------------------------------------------------------------------------- expansion


def test_matrix_is_a_cartesian_product_in_key_order(project: Path) -> None:
    reports = _load(
        project,
        """
reports:
  - notebook: notebooks/numbers.ipynb
    name: n-{label}-{count}
    matrix:
      label: [a, b]
      count: [1, 2, 3]
    parameters:
      factor: 0.5
""",
    )
    assert [r.name for r in reports] == ["n-a-1", "n-a-2", "n-a-3", "n-b-1", "n-b-2", "n-b-3"]
    assert reports[4].parameters == {"factor": 0.5, "label": "b", "count": 2}
    # YAML types reach the notebook as they are
    assert isinstance(reports[0].parameters["count"], int)
    assert isinstance(reports[0].parameters["factor"], float)


def test_default_name_is_the_stem_plus_matrix_values(project: Path) -> None:
    reports = _load(
        project,
        """
reports:
  - notebook: notebooks/numbers.ipynb
    matrix: {label: [x, y]}
  - notebook: notebooks/figures.ipynb
""",
    )
    assert [r.name for r in reports] == ["numbers-x", "numbers-y", "figures"]


def test_name_template_falls_back_on_defaults_and_joins_lists(project: Path) -> None:
    reports = _load(
        project,
        """
reports:
  - notebook: notebooks/numbers.ipynb
    name: n-{label}-{count}
  - notebook: notebooks/figures.ipynb
    name: f-{sources}
    parameters: {sources: [bfm, jdn]}
""",
    )
    assert [r.name for r in reports] == ["n-base-3", "f-bfm+jdn"]


def test_yaml_dates_stay_text_and_paths_are_relative_to_the_config(project: Path) -> None:
    (project / "sub").mkdir()
    reports = _load(
        project,
        """
reports:
  - notebook: ../notebooks/numbers.ipynb
    name: dated
    parameters: {label: 2015-03-20}
""".replace("../", ""),
    )
    assert reports[0].parameters["label"] == "2015-03-20"
    nested = load_config(
        write_config(
            project / "sub" / "nested.yml",
            "reports:\n  - notebook: ../notebooks/numbers.ipynb\n    name: up\n",
        )
    )
    assert nested[0].notebook.path == (project / "notebooks" / "numbers.ipynb").resolve()


def test_values_may_have_any_keys_and_merge_keys_work(project: Path) -> None:
    """Keys of the config's structure are names; keys inside a value are the value's own."""
    reports = _load(
        project,
        """
reports:
  - notebook: notebooks/numbers.ipynb
    name: a
    parameters: &common {factor: 2.5, label: {2015: 100, true: x}}
  - notebook: notebooks/numbers.ipynb
    name: b
    parameters: {<<: *common, factor: 3.0}
""",
    )
    assert reports[0].parameters == {"factor": 2.5, "label": {2015: 100, True: "x"}}
    assert reports[1].parameters == {"factor": 3.0, "label": {2015: 100, True: "x"}}


def test_parameters_cell_is_read_without_a_schema(project: Path) -> None:
    (report,) = _load(project, "reports:\n  - notebook: notebooks/numbers.ipynb\n    name: n\n")
    info = report.notebook.parameters
    assert list(info) == ["label", "factor", "count", "data_dir"]
    assert info["count"].default == 3
    assert info["factor"].help == "multiplies count"
    rows = report.effective_parameters({"label": "x"})
    assert rows[0] == ("label", "x", True, "a free label")
    assert rows[2] == ("count", 3, False, "how many units")


def test_only_selects_and_refuses_unknown_names(project: Path) -> None:
    reports = _load(
        project, "reports:\n  - notebook: notebooks/numbers.ipynb\n    matrix: {label: [a, b]}\n"
    )
    assert [r.name for r in select_reports(reports, ["numbers-b"])] == ["numbers-b"]
    with pytest.raises(ConfigError) as caught:
        select_reports(reports, ["numbers-b", "nope"])
    assert caught.value.problems == [
        "--only: unknown report 'nope'; known reports: numbers-a, numbers-b"
    ]


def test_only_ignores_case_like_the_names(project: Path) -> None:
    """Names are unique regardless of case, so --only matches regardless of case too."""
    reports = _load(
        project,
        "reports:\n  - notebook: notebooks/numbers.ipynb\n    name: Numbers-{label}\n"
        "    matrix: {label: [a, b, c]}\n",
    )
    chosen = select_reports(reports, ["NUMBERS-C", "numbers-a", "Numbers-A"])
    assert [r.name for r in chosen] == ["Numbers-a", "Numbers-c"]  # config order, once each
    with pytest.raises(ConfigError) as caught:
        select_reports(reports, ["numbers-d"])
    assert caught.value.problems == [
        "--only: unknown report 'numbers-d'; known reports: Numbers-a, Numbers-b, Numbers-c"
    ]


def test_config_text_is_recorded_exactly_as_parsed(project: Path) -> None:
    """The manifest records the text that was parsed (CRLF line ends and all), and its
    sha256 is that of the file's bytes."""
    raw = b"# r\r\nreports:\r\n  - notebook: notebooks/numbers.ipynb\r\n    name: n\r\n"
    path = project / "crlf.yml"
    path.write_bytes(raw)
    config = read_config(path)
    assert config.problems == [] and [r.name for r in config.reports] == ["n"]
    assert config.text.encode("utf-8") == raw
    assert config.sha256 == hashlib.sha256(raw).hexdigest()


def test_schema_notebooks_are_checked_against_their_schema(tmp_path: Path, tiny_data) -> None:
    shutil.copytree(SCHEMA_STUBS, tmp_path / "nb")
    reports = load_config(
        write_config(
            tmp_path / "r.yml",
            """
reports:
  - notebook: nb/investment_return.ipynb
    name: inv-{company}
    matrix: {company: [cloudwatt, ovh]}
    parameters: {investor: state}
  - notebook: nb/market_position.ipynb
    name: market
    parameters: {market: mars, colour: red}
""",
        )
    )
    problems = check_report_parameters(reports, str(tiny_data))
    assert (
        "report 'inv-ovh': parameter 'company': got 'ovh' (str); allowed: one of 'cloudwatt', "
        "'numergy', 'both'" in problems
    )
    assert any(p.startswith("report 'market': parameter 'market': got 'mars'") for p in problems), (
        problems
    )
    assert any(
        p.startswith("report 'market': parameter 'colour': not a parameter of market_position")
        for p in problems
    ), problems
    assert not any("inv-cloudwatt" in p for p in problems)


# --------------------------------------------------------------------------- refused configs

NUMBERS = "notebooks/numbers.ipynb"

REFUSED = {
    "bad-yaml": ("reports:\n  - notebook: [unclosed\n", ["reports.yml:3:1: invalid YAML"]),
    "duplicate-yaml-key": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: a\n    name: b\n",
        ["reports.yml:4:5: invalid YAML", "duplicate key 'name' (first given on line 3)"],
    ),
    "not-a-mapping": ("- notebook: x\n", ["reports.yml: expected a mapping with a 'reports'"]),
    "unknown-top-key": (
        f"reports:\n  - notebook: {NUMBERS}\nreprots: []\n",
        ["reports.yml: reprots: unknown key; allowed: reports"],
    ),
    "unknown-entry-key": (
        f"reports:\n  - notebook: {NUMBERS}\n    matrx: {{label: [a]}}\n",
        ["reports.yml: reports[0].matrx: unknown key; allowed: notebook, name, matrix, parameters"],
    ),
    "no-reports": ("reports: []\n", ["reports.yml: reports: is empty; give at least one report"]),
    "missing-notebook-key": (
        "reports:\n  - name: x\n",
        ["reports.yml: reports[0].notebook: required key is missing"],
    ),
    "missing-notebook": (
        "reports:\n  - notebook: notebooks/nope.ipynb\n",
        ["reports[0]: notebook 'notebooks/nope.ipynb' not found"],
    ),
    "no-parameters-cell": (
        "reports:\n  - notebook: notebooks/no_params.ipynb\n",
        ["reports[0]: notebook notebooks/no_params.ipynb: no cell is tagged 'parameters'"],
    ),
    "duplicate-names": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: same\n"
        f"  - notebook: notebooks/figures.ipynb\n    name: Same\n",
        ["report 'Same': name used twice (reports[0] and reports[1])"],
    ),
    "duplicate-names-from-matrix": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    matrix: {{label: [a, b]}}\n",
        ["report 'n': name used twice (reports[0] and reports[0])"],
    ),
    "name-not-file-safe": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: 'a/{{label}}'\n",
        ["reports[0] (notebooks/numbers.ipynb): report name 'a/base' is not file-safe"],
    ),
    "name-reserved": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: index\n",
        ["report name 'index' is reserved (its files would overwrite the run's index.html)"],
    ),
    "name-reserved-forkserver-log": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: ForkServer\n",
        ["report name 'ForkServer' is reserved (its files would overwrite logs/forkserver.log"],
    ),
    "name-reserved-runner-log": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: '{{label}}'\n"
        "    matrix: {label: [ok, runner]}\n",
        ["report name 'runner' is reserved (its files would overwrite logs/runner.log"],
    ),
    "name-unknown-field": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: 'n-{{colour}}'\n",
        [
            "name template 'n-{colour}': {colour} is not a parameter of this report; "
            "parameters: label, factor, count, data_dir"
        ],
    ),
    "name-positional-field": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: 'n-{{}}'\n",
        ["name template 'n-{}': field {} must name a parameter"],
    ),
    "empty-matrix": (
        f"reports:\n  - notebook: {NUMBERS}\n    matrix: {{}}\n",
        ["reports[0] (notebooks/numbers.ipynb): matrix is empty"],
    ),
    "empty-matrix-values": (
        f"reports:\n  - notebook: {NUMBERS}\n    matrix: {{label: []}}\n",
        ["matrix 'label' is an empty list; give at least one value"],
    ),
    "matrix-not-a-list": (
        f"reports:\n  - notebook: {NUMBERS}\n    matrix: {{label: a}}\n",
        [
            "reports.yml: reports[0].matrix.label: expected a list of values ([a, b] or one "
            "'- value' line each); got text 'a'"
        ],
    ),
    "entry-not-a-mapping": (
        f"reports:\n  - 5\n  - notebook: {NUMBERS}\n",
        [
            "reports.yml: reports[0]: expected a mapping with the keys notebook, name, matrix, "
            "parameters; got a whole number 5"
        ],
    ),
    "notebook-not-text": (
        "reports:\n  - notebook: [a.ipynb]\n",
        ["reports.yml: reports[0].notebook: expected text; got a list ['a.ipynb']"],
    ),
    "parameters-not-a-mapping": (
        f"reports:\n  - notebook: {NUMBERS}\n    parameters: [label]\n",
        [
            "reports.yml: reports[0].parameters: expected a mapping (name: value lines); got a "
            "list ['label']"
        ],
    ),
    "list-as-key": (
        f"reports:\n  - notebook: {NUMBERS}\n    parameters:\n      ? [a, b]\n      : 1\n",
        ["reports.yml:4:9: a key must be a name, not a list"],
    ),
    "mapping-as-key": (
        f"reports:\n  - notebook: {NUMBERS}\n    ? {{a: 1}}\n    : x\n",
        ["reports.yml:3:7: a key must be a name, not a mapping"],
    ),
    "yes-no-key": (
        f"reports:\n  - notebook: {NUMBERS}\n    parameters: {{on: 1}}\n",
        ["reports.yml:3:18: key on is read as a yes/no value; quote it ('on') if it is a name"],
    ),
    "number-key": (
        f"reports:\n  - notebook: {NUMBERS}\n    matrix: {{2: [a]}}\n",
        ["reports.yml:3:14: key 2 is read as a whole number; quote it ('2') if it is a name"],
    ),
    "nan-parameter": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    parameters: {{factor: .nan}}\n",
        [
            "report 'n': parameter 'factor': got .nan; NaN and infinity cannot be passed to a "
            "notebook, give a finite number"
        ],
    ),
    "infinite-parameter-overflow": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    parameters: {{factor: 1.0e+999}}\n",
        ["report 'n': parameter 'factor': got .inf; NaN and infinity cannot be passed"],
    ),
    "infinity-nested-in-a-matrix-list": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n-{{count}}\n"
        "    matrix: {label: [[a, [1.5, -.inf]]], count: [1, 2]}\n",
        [
            "report 'n-1': parameter 'label': got ['a', [1.5, -.inf]], which holds -.inf; NaN and "
            "infinity cannot be passed",
            "report 'n-2': parameter 'label': got ['a', [1.5, -.inf]], which holds -.inf",
        ],
    ),
    "nan-as-a-key-inside-a-value": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    parameters: {{label: {{.nan: 1}}}}\n",
        ["report 'n': parameter 'label': got {.nan: 1}, which holds .nan"],
    ),
    "nan-with-a-bad-name": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: index\n    parameters: {{factor: .nan}}\n",
        [
            "report name 'index' is reserved",
            "reports[0] (notebooks/numbers.ipynb): parameter 'factor': got .nan",
        ],
    ),
    "recursive-alias": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    parameters: {{label: &a [*a]}}\n",
        ["parameter 'label': the value contains itself"],
    ),
    "matrix-and-parameters": (
        f"reports:\n  - notebook: {NUMBERS}\n    matrix: {{label: [a]}}\n"
        "    parameters: {label: b}\n",
        ["'label' is both in matrix and in parameters"],
    ),
    "unknown-parameter-no-schema": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    parameters: {{colour: red}}\n",
        [
            "report 'n': parameter 'colour': not a parameter of notebook notebooks/numbers.ipynb; "
            "allowed: label, factor, count, data_dir"
        ],
    ),
    "data-dir-in-config": (
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    parameters: {{data_dir: /x}}\n",
        ["report 'n': parameter 'data_dir' cannot be set in the config"],
    ),
}


def _run_main(capsys, *args: str) -> tuple[int, list[str]]:
    status = main(["run", *args])
    err = capsys.readouterr().err
    return status, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_config_exits_2_and_writes_nothing(
    case: str, project: Path, tiny_data: Path, capsys
) -> None:
    text, expected = REFUSED[case]
    config = write_config(project / "reports.yml", text)
    output = project / "out"
    status, lines = _run_main(
        capsys, "--config", str(config), "--output", str(output), "--data-dir", str(tiny_data)
    )
    assert status == 2, lines
    assert lines and all(line.startswith("error: ") for line in lines), lines
    for fragment in expected:
        assert any(fragment in line for line in lines), (fragment, lines)
    assert not output.exists()
    # written for users: no class names of the runner or of pydantic, no traceback
    assert not [line for line in lines if re.search(r"\b_[A-Z]|instance of|pydantic", line)]


def test_config_and_parameter_problems_come_in_one_pass(
    tmp_path: Path, tiny_data: Path, capsys
) -> None:
    """A config problem in one entry does not hide a parameter problem in another."""
    shutil.copytree(SCHEMA_STUBS, tmp_path / "nb")
    config = write_config(
        tmp_path / "r.yml",
        """
reports:
  - notebook: nb/investment_return.ipynb
    name: inv
    parameters: {company: ovh}
  - notebook: nb/market_position.ipynb
    name: manifest
  - notebook: nb/market_position.ipynb
    name: m
    parameters: {market: mars}
  - notebook: nb/missing.ipynb
""",
    )
    output = tmp_path / "out"
    status, lines = _run_main(
        capsys, "--config", str(config), "--output", str(output), "--data-dir", str(tiny_data)
    )
    assert status == 2
    assert lines[0].startswith("error: reports[1] (nb/market_position.ipynb): report name ")
    assert lines[1].startswith("error: reports[3]: notebook 'nb/missing.ipynb' not found")
    assert lines[2].startswith("error: report 'inv': parameter 'company': got 'ovh'")
    assert lines[3].startswith("error: report 'm': parameter 'market': got 'mars'")
    assert len(lines) == 4, lines
    assert not output.exists()


def test_config_and_data_problems_come_in_one_pass(project: Path, tiny_data: Path, capsys) -> None:
    sources = tiny_data / "sources.csv"
    sources.write_text(sources.read_text() + "bfm,Again,Duplicate id,http://x.org,2015-13\n")
    config = write_config(
        project / "reports.yml",
        f"reports:\n  - notebook: {NUMBERS}\n    name: n\n    parameters: {{factor: .inf}}\n",
    )
    status, lines = _run_main(
        capsys, "--config", str(config), "--output", str(project / "o"), "--data-dir",
        str(tiny_data),
    )  # fmt: skip
    assert status == 2
    assert lines[0].startswith("error: report 'n': parameter 'factor': got .inf")
    assert any(f"{tiny_data}/sources.csv:4:" in line for line in lines[1:]), lines


def test_every_problem_is_listed_not_just_the_first(project: Path, tiny_data, capsys) -> None:
    config = write_config(
        project / "reports.yml",
        f"""
reports:
  - notebook: {NUMBERS}
    name: n
    parameters: {{colour: red, size: 2}}
  - notebook: notebooks/missing.ipynb
""",
    )
    status, lines = _run_main(capsys, "--config", str(config), "--output", str(project / "o"))
    assert status == 2
    assert len(lines) == 3, lines


def test_bad_parameter_value_for_a_schema_notebook(tmp_path: Path, tiny_data, capsys) -> None:
    shutil.copytree(SCHEMA_STUBS, tmp_path / "nb")
    config = write_config(
        tmp_path / "r.yml",
        "reports:\n  - notebook: nb/investment_return.ipynb\n    name: inv\n"
        "    parameters: {company: ovh, discount_rate: 2}\n",
    )
    output = tmp_path / "out"
    status, lines = _run_main(
        capsys, "--config", str(config), "--output", str(output), "--data-dir", str(tiny_data)
    )
    assert status == 2
    assert lines == [
        "error: report 'inv': parameter 'company': got 'ovh' (str); allowed: one of "
        "'cloudwatt', 'numergy', 'both'",
        "error: report 'inv': parameter 'discount_rate': got 2 (int); allowed: a number "
        "from 0.0 to 0.5",
    ]
    assert not output.exists()


def test_only_with_unknown_name_exits_2(project: Path, tiny_data, capsys) -> None:
    config = write_config(project / "reports.yml", f"reports:\n  - notebook: {NUMBERS}\n")
    status, lines = _run_main(
        capsys, "--config", str(config), "--output", str(project / "o"), "--only", "x", "numbers"
    )
    assert status == 2
    assert lines == ["error: --only: unknown report 'x'; known reports: numbers"]


def test_invalid_data_directory_exits_2_with_file_row_column(
    project: Path, tiny_data: Path, capsys
) -> None:
    sources = tiny_data / "sources.csv"
    sources.write_text(sources.read_text() + "bfm,Again,Duplicate id,http://x.org,2015-13\n")
    config = write_config(project / "reports.yml", f"reports:\n  - notebook: {NUMBERS}\n")
    output = project / "out"
    status, lines = _run_main(
        capsys, "--config", str(config), "--output", str(output), "--data-dir", str(tiny_data)
    )
    assert status == 2
    assert any(f"{tiny_data}/sources.csv:4:" in line for line in lines), lines
    assert not output.exists()


def test_missing_config_file_exits_2(tmp_path: Path, capsys) -> None:
    status, lines = _run_main(capsys, "--config", str(tmp_path / "none.yml"))
    assert status == 2
    assert lines == [f"error: {tmp_path / 'none.yml'}: config file not found"]


def test_fixture_notebooks_exist() -> None:
    """The notebooks these tests rely on are committed (regenerate: build_notebooks.py)."""
    names = {p.stem for p in FIXTURE_NOTEBOOKS.glob("*.ipynb")}
    assert {"numbers", "failing", "slow", "foreign_kernel", "figures", "no_params"} <= names


def test_default_config_covers_both_notebooks_with_valid_parameters(tmp_path: Path) -> None:
    """reports.yml, checked against the schemas and data/ (stub notebooks stand in for the
    real ones, whose parameters are the schemas')."""
    shutil.copytree(SCHEMA_STUBS, tmp_path / "notebooks")
    config = tmp_path / "reports.yml"
    shutil.copy(Path(__file__).resolve().parent.parent / "reports.yml", config)
    reports = load_config(config)
    assert len(reports) >= 6
    by_notebook: dict[str, list[str]] = {}
    for report in reports:
        by_notebook.setdefault(report.notebook.path.stem, []).append(report.name)
    assert set(by_notebook) == {"investment_return", "market_position"}
    assert len(by_notebook["investment_return"]) >= 3 and len(by_notebook["market_position"]) >= 3
    assert check_report_parameters(reports) == []
    markets = {r.parameters.get("market") for r in reports if "market" in r.parameters}
    assert markets == {"europe", "france", "worldwide"}


_SPY = """
import json, os, sys
import analysis.runner.forkserver as forkserver
started, pids = [], []
real_start = forkserver.ForkServer.start
def start(self, *args, **kwargs):
    started.append(list(self.preload))
    out = real_start(self, *args, **kwargs)
    pids.append(self.process.pid)
    return out
forkserver.ForkServer.start = start
from analysis.__main__ import main
status = main(["run", *sys.argv[1:]])
heavy = [m for m in ("matplotlib", "papermill", "nbconvert", "IPython") if m in sys.modules]
alive = []
for pid in pids:
    try:
        os.kill(pid, 0)
        alive.append(pid)
    except ProcessLookupError:
        pass
print(json.dumps({"status": status, "fork_server_started": started, "heavy": heavy,
                  "alive": alive}))
"""


@pytest.mark.slow  # runs the command, which starts the kernel fork server
@pytest.mark.parametrize("problem", ["config", "parameter", "data", "locked"])
def test_bad_input_stops_the_fork_server_before_any_kernel(
    problem: str, tmp_path: Path, tiny_data: Path
) -> None:
    """The kernel fork server (imports of pandas, matplotlib, the notebooks' modules, in its
    own process) starts once the config is good, in parallel with the data and parameter
    checks; a problem found then, or a locked folder, stops it before any kernel starts.
    A bad config never starts it, and the runner process itself never imports them."""
    shutil.copytree(SCHEMA_STUBS, tmp_path / "nb")
    copy_notebooks(tmp_path / "notebooks")
    entries = {
        "config": f"  - notebook: {NUMBERS}\n    name: index\n",
        "parameter": "  - notebook: nb/investment_return.ipynb\n    parameters: {company: ovh}\n",
        "data": f"  - notebook: {NUMBERS}\n",
        "locked": f"  - notebook: {NUMBERS}\n",
    }
    config = write_config(tmp_path / "r.yml", "reports:\n" + entries[problem])
    if problem == "data":
        (tiny_data / "sources.csv").write_text("source_id,publisher\n")
    output = tmp_path / "out"
    holder = None
    if problem == "locked":
        from analysis.runner.lock import RunLock

        output.mkdir()
        holder = RunLock(output)
        holder.acquire()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _SPY, "--config", str(config), "--output", str(output),
             "--data-dir", str(tiny_data), "--no-progress"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        if holder is not None:
            holder.release()
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == (3 if problem == "locked" else 2), done.stderr
    if problem == "config":
        assert result["fork_server_started"] == []
    else:
        assert len(result["fork_server_started"]) == 1
    assert result["alive"] == []  # stopped, not left behind
    assert result["heavy"] == []
    written = [p.name for p in output.iterdir() if p.name != ".lock"] if output.exists() else []
    assert written == []  # nothing written


def test_cli_module_imports_nothing_heavy() -> None:
    """Every `python -m analysis ...` command imports the runner's CLI module to build its
    parser: it must not pull in papermill, nbconvert or pandas."""
    import subprocess
    import sys

    heavy = ("papermill", "nbconvert", "nbformat", "nbclient", "jupyter_client", "pandas")
    code = f"import sys, analysis.runner.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
