"""Read ``reports.yml`` and expand it into the list of reports to run, refusing bad input.

A config lists report entries; each names a notebook (relative to the config file), a name
template, an optional ``matrix`` (lists of values, expanded as a cartesian product) and fixed
``parameters``::

    reports:
      - notebook: notebooks/investment_return.ipynb
        name: investment-{company}
        matrix:
          company: [cloudwatt, numergy, both]
        parameters:
          investor: state

Everything that can be checked without a kernel is checked here, and every problem is
collected (not just the first) as one line naming the report, the parameter and what is
allowed. :func:`read_config` checks the YAML, the keys, the notebooks, the names and the
values that cannot be passed at all (NaN, infinity), and keeps every report it could build,
so that :func:`check_report_parameters` (each report's values against its notebook's schema
in :mod:`analysis.params`) can report its problems in the same pass; :func:`load_config`
is the strict form (any problem raises).
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.errors import ConfigError
from analysis.parameters_cell import ParameterInfo, cell_source, parameters_cells, parse_parameters
from analysis.runner.limits import (
    MAX_REPORTS,
    NodeBudget,
    entry_limit_problems,
    matrix_size_problem,
    value_limit_problems,
)

__all__ = [
    "RESERVED_NAMES",
    "LoadedConfig",
    "NotebookInfo",
    "ParameterInfo",
    "Report",
    "check_report_parameters",
    "expand_entry",
    "load_config",
    "read_config",
    "read_yaml",
    "select_reports",
]

#: names a report cannot take (case does not count): a report writes ``<name>.html``,
#: ``<name>.ipynb`` and ``logs/<name>.log`` into the run folder, which would collide with
#: the runner's own files there (``index.html``, ``manifest.json``, ``logs/forkserver.log``,
#: ``logs/runner.log``), with ``logs/`` itself, or with ``latest`` next to the run folders
RESERVED_NAMES = frozenset({"index", "manifest", "logs", "latest", "forkserver", "runner"})
_RESERVED_WHY = {
    "index": "the run's index.html",
    "manifest": "the run's manifest.json",
    "logs": "the run's logs/ folder",
    "latest": "the output folder's latest link",
    "forkserver": "logs/forkserver.log, the kernel fork server's log",
    "runner": "logs/runner.log, the runner's own log",
}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
_ENTRY_KEYS = ("notebook", "name", "matrix", "parameters")


class _Loader(NodeBudget, yaml.SafeLoader):
    """YAML safe loader that keeps dates as text and refuses duplicate keys."""


# Dates stay strings (as papermill's own loader does): a notebook parameter is a literal.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _KeyProblem(yaml.constructor.ConstructorError):
    """A mapping key that YAML accepts but a config cannot use (a list, a number...)."""


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG_KINDS = {
    "tag:yaml.org,2002:bool": "a yes/no value",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
}


def _key_problem(key_node: yaml.Node) -> str | None:
    """Why a key cannot be a name (every key of the config's structure is one), or None."""
    if isinstance(key_node, yaml.SequenceNode):
        return "a key must be a name, not a list"
    if isinstance(key_node, yaml.MappingNode):
        return "a key must be a name, not a mapping"
    if key_node.tag in (_STR_TAG, _MERGE_TAG):
        return None
    text = key_node.value
    if key_node.tag == "tag:yaml.org,2002:null":
        return "a key is empty; every key must be a name"
    kind = _TAG_KINDS.get(key_node.tag, "something other than text")
    return f"key {text} is read as {kind}; quote it ('{text}') if it is a name"


def _check_structure_keys(root: yaml.Node) -> None:
    """Refuse keys that are not names where the config has names (top level, entries,
    matrix and parameters), with the line; values inside parameters may have any keys."""

    def check(mapping: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        if not isinstance(mapping, yaml.MappingNode):
            return []
        for key_node, _ in mapping.value:
            problem = _key_problem(key_node)
            if problem:
                raise _KeyProblem(None, None, problem, key_node.start_mark)
        return mapping.value

    for key, value in check(root):
        if key.value != "reports" or not isinstance(value, yaml.SequenceNode):
            continue
        for entry in value.value:
            for entry_key, entry_value in check(entry):
                if entry_key.value in ("matrix", "parameters"):
                    check(entry_value)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue  # `<<: *anchor`: the merged keys may be overridden
        if isinstance(key_node, yaml.SequenceNode | yaml.MappingNode):  # unhashable
            raise _KeyProblem(None, None, _key_problem(key_node), key_node.start_mark)
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first given on line {seen[key].line + 1})",
                mark,
            )
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    notebook: str = Field(min_length=1)
    name: str | None = Field(None, min_length=1)
    matrix: dict[str, list[Any]] | None = None
    parameters: dict[str, Any] | None = None


#: what each kind of value is, in messages (pydantic's own names are for programmers)
_EXPECTED = {
    "model_type": "a mapping with the keys " + ", ".join(_ENTRY_KEYS),
    "model_attributes_type": "a mapping with the keys " + ", ".join(_ENTRY_KEYS),
    "dict_type": "a mapping (name: value lines)",
    "list_type": "a list of values ([a, b] or one '- value' line each)",
    "string_type": "text",
}


@dataclass(frozen=True)
class NotebookInfo:
    """What the runner knows about a notebook before running it."""

    path: Path
    #: path as written in the config (relative to the config file), for messages and manifests
    shown: str
    #: parameters of the notebook's schema (analysis.params) or of its parameters cell
    parameters: dict[str, ParameterInfo]
    #: the schema registered for this notebook, if any
    schema: Any = None


@dataclass(frozen=True)
class Report:
    """One run of one notebook with one parameter set."""

    name: str
    notebook: NotebookInfo
    #: values given by the config (fixed parameters and one matrix combination)
    parameters: dict[str, Any]
    #: position of its entry in the config (0-based), for messages
    entry: int
    #: modules the notebook imports (preloaded by the kernel fork server)
    imports: tuple[str, ...] = field(default=(), compare=False)

    def run_parameters(self, data_dir: str | None = None) -> dict[str, Any]:
        """The values papermill injects: the config's, plus ``data_dir`` when one is given
        and the notebook has that parameter."""
        values = dict(self.parameters)
        if data_dir and "data_dir" in self.notebook.parameters:
            values["data_dir"] = data_dir
        return values

    def effective_parameters(
        self, values: Mapping[str, Any] | None = None
    ) -> list[tuple[str, Any, bool, str]]:
        """(name, value, given?, help) for every parameter, in notebook order.

        ``values`` are the values injected (default: the config's); the others are defaults.
        """
        values = self.parameters if values is None else values
        rows = []
        for name, info in self.notebook.parameters.items():
            given = name in values
            rows.append((name, values[name] if given else info.default, given, info.help))
        for name, value in values.items():
            if name not in self.notebook.parameters:
                rows.append((name, value, True, ""))
        return rows


def _read_bytes(path: Path) -> bytes:
    from analysis.runner.limits import read_limited

    try:
        with open(path, "rb") as handle:
            data = read_limited(handle, path)
    except ValueError as exc:  # over the size limit (e.g. --config /dev/zero)
        raise ConfigError(str(exc)) from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    return data


def _parse_yaml(data: bytes, path: Path) -> tuple[str, Any]:
    """The text of a config file and what it holds; a problem becomes a one-line ConfigError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot be read: not UTF-8 text ({exc.reason})") from None
    from analysis.runner.limits import check_yaml_size

    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise ConfigError(
                f"{path.name}: invalid YAML: lists or mappings are nested too deeply"
            ) from None
        if node is None:
            return text, None
        too_big = check_yaml_size(node)
        if too_big:
            raise ConfigError(f"{path.name}: {too_big}")
        _check_structure_keys(node)
        return text, loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        if isinstance(exc, _KeyProblem):
            raise ConfigError(f"{where}: {exc.problem}") from None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ConfigError(f"{where}: invalid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path.name}: invalid YAML: an alias refers to itself") from None
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """Parse a YAML file with the config's loader (dates as text, duplicate keys and keys
    that are not names refused); a problem becomes a one-line ConfigError."""
    path = Path(path)
    return _parse_yaml(_read_bytes(path), path)[1]


def _loc_text(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _validation_problems(where: str, exc: ValidationError) -> list[str]:
    """One line per pydantic error, in the config's words (no class names, no URLs)."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        at = where + ("." if loc and not isinstance(loc[0], int) else "") + _loc_text(loc)
        kind = error["type"]
        given = error.get("input")
        if kind == "extra_forbidden":
            problems.append(f"{at}: unknown key; allowed: {', '.join(_ENTRY_KEYS)}")
        elif kind == "missing":
            problems.append(f"{at}: required key is missing")
        elif kind in ("too_short", "string_too_short"):
            problems.append(f"{at}: is empty")
        elif kind in _EXPECTED:
            problems.append(f"{at}: expected {_EXPECTED[kind]}; got {_shown(given)}")
        else:  # not expected with these models; still no class names
            message = re.sub(r"\s*or instance of \w+", "", error["msg"]).lower()
            problems.append(f"{at}: {message}; got {_shown(given)}")
    return problems


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{_kind(value)} {text}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _yaml_float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    return ".inf" if value > 0 else "-.inf"


def _non_finite(value: Any, ancestors: tuple[int, ...] = ()) -> list[float]:
    """The NaN and infinite numbers inside a value (lists and mappings, keys included).

    RecursionError for a value that contains itself (a YAML alias to an enclosing node).
    """
    if isinstance(value, float):
        return [] if math.isfinite(value) else [value]
    if isinstance(value, list | tuple | dict):
        if id(value) in ancestors:
            raise RecursionError("a value contains itself")
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        return [bad for item in items for bad in _non_finite(item, (*ancestors, id(value)))]
    return []


def _value_problems(who: str, values: Mapping[str, Any]) -> list[str]:
    """Values no notebook can be given: NaN, infinity (the manifest records parameters as
    JSON, which has neither) and values that contain themselves."""
    problems = []
    for name, value in values.items():
        try:
            bad = _non_finite(value)
        except RecursionError:
            problems.append(
                f"{who}: parameter {name!r}: the value contains itself (a YAML alias to an "
                "enclosing list or mapping); write the value out"
            )
            continue
        if bad:
            inside = "" if bad == [value] else f", which holds {_yaml_float(bad[0])}"
            problems.append(
                f"{who}: parameter {name!r}: got {_value_text(value)}{inside}; NaN and "
                "infinity cannot be passed to a notebook, give a finite number"
            )
            continue
        problems += value_limit_problems(who, name, value)
    return problems


def _value_text(value: Any) -> str:
    """A parameter value as written in YAML, for messages (.nan, not nan)."""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else _yaml_float(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_value_text(k)}: {_value_text(v)}" for k, v in value.items()) + "}"
        )
    return repr(value)


def _code_imports(nb: Mapping[str, Any]) -> tuple[str, ...]:
    """Module names the notebook's code cells import (statically, best effort)."""
    found: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
                # `from package import module`: the names may be submodules
                found += [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    return tuple(dict.fromkeys(found))


def _read_notebook(path: Path, shown: str) -> tuple[NotebookInfo, tuple[str, ...]]:
    """Parse a notebook and describe its parameters; ConfigError on any problem."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"notebook {shown}: not a readable .ipynb notebook ({exc})") from None
    tagged = parameters_cells(nb)
    if not tagged:
        raise ConfigError(
            f"notebook {shown}: no cell is tagged 'parameters'; tag the cell that holds the "
            "parameters' default values"
        )
    if len(tagged) > 1:
        raise ConfigError(f"notebook {shown}: {len(tagged)} cells are tagged 'parameters'; tag one")

    from analysis.params import schema_for

    schema = schema_for(path)
    parameters: dict[str, ParameterInfo] = {}
    if schema is not None:
        for name, spec in schema.model_fields.items():
            default = spec.get_default(call_default_factory=True)
            parameters[name] = ParameterInfo(name, default, spec.description or "")
    else:
        try:
            parameters = parse_parameters(cell_source(tagged[0]))
        except SyntaxError as exc:
            raise ConfigError(
                f"notebook {shown}: the parameters cell is not valid Python "
                f"(line {exc.lineno}: {exc.msg})"
            ) from None
    return NotebookInfo(path, shown, parameters, schema), _code_imports(nb)


def _template_fields(template: str) -> list[str]:
    """Field names of a str.format template; ValueError when it is not a plain one."""
    fields = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"field {{{name}}} must name a parameter")
        if spec or conversion:
            raise ValueError(f"field {{{name}}} must not have a format spec or conversion")
        fields.append(name)
    return fields


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "+".join(_format_value(v) for v in value)
    return str(value)


def expand_entry(
    entry: Mapping[str, Any], notebook: NotebookInfo, index: int, imports: tuple[str, ...] = ()
) -> tuple[list[Report], list[str]]:
    """Expand one config entry into its reports (matrix product), with naming problems and
    values that can never be passed (NaN, infinity).

    Values in the name template come from the report's parameters, falling back on the
    notebook's defaults; a list value is joined with ``+``. The name must be file-safe and
    not reserved. A report with a bad value is still returned (its other parameters can be
    checked); one whose name is bad is not.
    """
    where = f"reports[{index}] ({notebook.shown})"
    matrix = entry.get("matrix")
    fixed = dict(entry.get("parameters") or {})
    problems = []
    if matrix is not None and not matrix:
        problems.append(
            f"{where}: matrix is empty; give each parameter a list of values or drop it"
        )
    for key, values in (matrix or {}).items():
        if not values:
            problems.append(f"{where}: matrix '{key}' is an empty list; give at least one value")
        if key in fixed:
            problems.append(f"{where}: '{key}' is both in matrix and in parameters; keep one")
    # values that can never be passed: named by report below, by entry when there is none
    entry_values = {**fixed, **(matrix or {})}
    too_many = matrix_size_problem(where, matrix)
    if too_many:
        problems.append(too_many)
    if problems:
        return [], problems + _value_problems(where, entry_values)

    keys = list(matrix or {})
    template = entry.get("name") or notebook.path.stem + "".join(f"-{{{k}}}" for k in keys)
    try:
        fields = _template_fields(template)
    except ValueError as exc:
        problems.append(f"{where}: name template {template!r}: {exc}")
        return [], problems + _value_problems(where, entry_values)
    reports = []
    for combo in itertools.product(*((matrix or {})[k] for k in keys)):
        values = {**fixed, **dict(zip(keys, combo, strict=True))}
        names = {name: info.default for name, info in notebook.parameters.items()} | values
        missing = [f for f in fields if f not in names]
        if missing:
            known = ", ".join(names) or "none"
            problems.append(
                f"{where}: name template {template!r}: {{{missing[0]}}} is not a parameter of "
                f"this report; parameters: {known}"
            )
            return [], problems + _value_problems(where, entry_values)
        value_problems = _value_problems(where, values)
        if any("contains itself" in line for line in value_problems):
            problems += value_problems  # no name can be made of it
            continue
        name = template.format_map({f: _format_value(names[f]) for f in fields})
        if not _NAME_RE.match(name):
            problems.append(
                f"{where}: report name {name!r} is not file-safe; allowed: letters, digits, "
                "'.', '_', '+' and '-', starting with a letter or digit, at most 100 characters"
            )
        elif name.lower() in RESERVED_NAMES:
            problems.append(
                f"{where}: report name {name!r} is reserved (its files would overwrite "
                f"{_RESERVED_WHY[name.lower()]}); choose another name"
            )
        else:
            problems += _value_problems(f"report {name!r}", values)
            reports.append(Report(name, notebook, values, index, imports))
            continue
        problems += value_problems
    return reports, problems


@dataclass(frozen=True)
class LoadedConfig:
    """A config file as read: its exact text, the reports it defines and its problems.

    ``reports`` holds every report that could be built, even when ``problems`` is not
    empty (an entry with a problem is left out, or its report is kept when only a value is
    wrong), so that their parameters can be checked in the same pass.
    """

    path: Path
    #: the text that was parsed, exactly as read (the manifest records it)
    text: str
    reports: list[Report]
    problems: list[str]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def read_config(path: Path) -> LoadedConfig:
    """Read and check a config file, collecting every problem found.

    Checks the YAML, the keys, that each notebook exists and has a parameters cell, the
    matrix, the names (file-safe, unique, not reserved) and the values (no NaN or infinity
    anywhere), and, for a notebook without a schema, that every parameter is one its
    parameters cell defines. Parameter values of notebooks with a schema are checked by
    :func:`check_report_parameters` (their cross-checks read the data).

    Raises ConfigError only when the file cannot be used at all (missing, not YAML, not a
    mapping with a non-empty ``reports`` list); every other problem is in ``problems``.
    """
    path = Path(path).resolve()
    text, data = _parse_yaml(_read_bytes(path), path)
    name = path.name
    if not isinstance(data, Mapping):
        raise ConfigError(f"{name}: expected a mapping with a 'reports' list, got {_kind(data)}")
    problems = [f"{name}: {key}: unknown key; allowed: reports" for key in data if key != "reports"]
    entries = data.get("reports")
    if "reports" not in data:
        problems.append(f"{name}: reports: required key is missing")
    elif not isinstance(entries, list):
        problems.append(f"{name}: reports: expected {_EXPECTED['list_type']}; got "
                        f"{_shown(entries)}")  # fmt: skip
    elif not entries:
        problems.append(f"{name}: reports: is empty; give at least one report")
    if problems:
        raise ConfigError(problems[0], problems)
    base = path.parent
    notebooks: dict[Path, tuple[NotebookInfo, tuple[str, ...]]] = {}
    reports: list[Report] = []
    for index, entry in enumerate(entries or []):
        try:
            _Entry.model_validate(entry)
        except ValidationError as exc:
            problems += _validation_problems(f"{name}: reports[{index}]", exc)
            continue
        shown = entry["notebook"]
        nb_path = (base / shown).resolve()
        if nb_path.suffix != ".ipynb":
            problems.append(f"reports[{index}]: notebook {shown!r} is not a .ipynb file")
            continue
        if not nb_path.is_file():
            problems.append(
                f"reports[{index}]: notebook {shown!r} not found (looked for {nb_path}; "
                "notebook paths are relative to the config file)"
            )
            continue
        if nb_path not in notebooks:
            try:
                notebooks[nb_path] = _read_notebook(nb_path, shown)
            except ConfigError as exc:
                problems += [f"reports[{index}]: {line}" for line in exc.problems]
                continue
        info, imports = notebooks[nb_path]
        # limits: refused at once, before expanding the matrix or checking the data
        too_many = matrix_size_problem(f"{name}: reports[{index}]", entry.get("matrix"))
        too_big = entry_limit_problems(f"{name}: reports[{index}]", entry)
        if too_many or too_big:
            over = [too_many, *too_big] if too_many else too_big
            raise ConfigError(over[0], over)
        expanded, naming = expand_entry(entry, info, index, imports)
        problems += naming
        reports += expanded
        if len(reports) > MAX_REPORTS:  # a limit: refused at once, before the data checks
            raise ConfigError(
                f"{name}: the config defines more than {MAX_REPORTS:,} reports (the limit); "
                f"reached at reports[{index}]"
            )
        for report in expanded:
            problems += _report_problems(report)
    seen: dict[str, Report] = {}
    for report in reports:
        other = seen.setdefault(report.name.lower(), report)
        if other is not report:
            problems.append(
                f"report {report.name!r}: name used twice (reports[{other.entry}] and "
                f"reports[{report.entry}]); names must be unique (case does not count)"
            )
    return LoadedConfig(path, text, reports, list(dict.fromkeys(problems)))


def load_config(path: Path) -> list[Report]:
    """The reports of a config file; ConfigError listing every problem if there is one."""
    config = read_config(path)
    if config.problems:
        raise ConfigError(config.problems[0], config.problems)
    return config.reports


def _report_problems(report: Report) -> list[str]:
    """Problems that do not need the data: parameter names (for a notebook without a
    schema) and the data_dir rule."""
    known = report.notebook.parameters
    problems = []
    for name in report.parameters:
        if name == "data_dir":
            problems.append(
                f"report {report.name!r}: parameter 'data_dir' cannot be set in the config; "
                "give the data directory of the whole run with --data-dir or $ANALYSIS_DATA_DIR"
            )
        elif report.notebook.schema is None and name not in known:
            allowed = ", ".join(known) or "none"
            problems.append(
                f"report {report.name!r}: parameter {name!r}: not a parameter of notebook "
                f"{report.notebook.shown}; allowed: {allowed}"
            )
    return problems


def check_report_parameters(reports: Sequence[Report], data_dir: str | None = None) -> list[str]:
    """Check every report's values against its notebook's schema (one line per problem).

    ``data_dir`` is the run's data directory when one was chosen explicitly (it is then
    passed to every notebook that has a ``data_dir`` parameter). The schemas' cross-checks
    read the data: call this after the data has been validated and ``$ANALYSIS_DATA_DIR`` set.
    """
    from analysis.params import check_parameters

    problems = []
    for report in reports:
        schema = report.notebook.schema
        if schema is None:
            continue
        for line in check_parameters(schema, report.run_parameters(data_dir)):
            problems.append(f"report {report.name!r}: {line}")
    return problems


def select_reports(reports: Sequence[Report], only: Sequence[str] | None) -> list[Report]:
    """The reports named by ``--only`` (all when None), in config order; case does not
    count, as in the uniqueness of names. ConfigError for an unknown name."""
    if not only:
        return list(reports)
    by_name = {r.name.lower(): r for r in reports}
    unknown = [name for name in only if name.lower() not in by_name]
    if unknown:
        known = ", ".join(r.name for r in reports) or "none"
        raise ConfigError(
            f"--only: unknown report {unknown[0]!r}",
            [f"--only: unknown report {name!r}; known reports: {known}" for name in unknown],
        )
    wanted = {name.lower() for name in only}
    return [r for r in reports if r.name.lower() in wanted]
