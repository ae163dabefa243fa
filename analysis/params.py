"""Typed parameter schemas for the notebooks, shared by the notebooks and the report runner.

Each parameterised notebook has one schema here, registered in :data:`NOTEBOOK_SCHEMAS` under
the notebook's file stem. The notebook's ``parameters`` cell holds the same defaults as
literals; the next cell calls ``Schema.from_values(...)``. The report runner calls
:func:`check_parameters` before any kernel starts. Either way a bad value gives one line per
problem naming the parameter, the value given and what is allowed::

    parameter 'company': got 'ovh'; allowed: one of 'cloudwatt', 'numergy', 'both'

Checks that need the data (which investor held which company, which provider ids exist) read
the data directory named by ``data_dir`` (see :mod:`analysis.data.io`).
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.data.files import resolve_data_dir
from analysis.data.holders import INVESTOR_ENTITIES
from analysis.errors import AnalysisError, ParameterError

__all__ = [
    "INVESTOR_ENTITIES",
    "NOTEBOOK_SCHEMAS",
    "InvestmentParams",
    "MarketParams",
    "NotebookParams",
    "check_parameters",
    "describe_parameters",
    "schema_for",
]

_COMPANIES = ("cloudwatt", "numergy")
#: the last parameter of every notebook: another copy of the data
_DATA_DIR = Field(
    "", description="data directory; empty for the project's data/ (or $ANALYSIS_DATA_DIR)"
)


class NotebookParams(BaseModel):
    """Base class: strict types, unknown names refused, one-line messages."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    #: notebook file stem this schema belongs to
    notebook: ClassVar[str] = ""
    # every schema declares ``data_dir: str = _DATA_DIR`` as its last field (the order of
    # the parameters cell); a field declared here would come first

    @classmethod
    def from_values(cls, **values: Any) -> NotebookParams:
        """Validate ``values``; raise :class:`ParameterError` listing every problem."""
        problems = check_parameters(cls, values)
        if problems:
            raise ParameterError(problems[0], problems)
        return cls(**values)

    def cross_checks(self) -> list[str]:
        """Problems that involve several parameters or the data (none by default)."""
        return []

    if TYPE_CHECKING:  # every schema declares it, as its last field (see _DATA_DIR)
        data_dir: str

    def resolved_data_dir(self) -> Path:
        return resolve_data_dir(self.data_dir or None)


class InvestmentParams(NotebookParams):
    """Parameters of ``notebooks/investment_return.ipynb``."""

    notebook: ClassVar[str] = "investment_return"

    company: Literal["cloudwatt", "numergy", "both"] = Field(
        "both", description="which company's investment to analyse"
    )
    investor: Literal["state", "orange", "thales", "sfr", "bull", "all"] = Field(
        "state", description="whose money: the State (via the CDC), an industrial, or all"
    )
    discount_rate: float = Field(
        0.04, ge=0.0, le=0.5, description="annual rate for NPV (an assumption, shown)"
    )
    exit_scenario: Literal["zero", "book", "range"] = Field(
        "range", description="what the undisclosed buyout prices were assumed to be"
    )
    n_scenarios: int = Field(
        100_000, ge=0, le=5_000_000, description="scenarios the engine draws (0 turns it off)"
    )
    seed: int = Field(2012, ge=0, le=2**32 - 1, description="seed of the random generator")
    data_dir: str = _DATA_DIR

    def cross_checks(self) -> list[str]:
        if self.investor == "all":
            return []
        from analysis.data.io import load_table  # pandas, only when a cross-check reads data

        holdings = load_table("shareholdings", self.data_dir or None)
        holder = INVESTOR_ENTITIES[self.investor]
        held = set(holdings.loc[holdings["holder_id"] == holder, "company_id"])
        wanted = _COMPANIES if self.company == "both" else (self.company,)
        missing = [c for c in wanted if c not in held]
        if not missing:
            return []
        allowed = sorted(
            name
            for name, entity in INVESTOR_ENTITIES.items()
            if all(
                c in set(holdings.loc[holdings["holder_id"] == entity, "company_id"])
                for c in wanted
            )
        )
        allowed_text = ", ".join(repr(a) for a in [*allowed, "all"])
        return [
            f"parameter 'investor': got {self.investor!r}, which did not hold "
            f"{' or '.join(missing)}; allowed with company={self.company!r}: {allowed_text}"
        ]


class MarketParams(NotebookParams):
    """Parameters of ``notebooks/market_position.ipynb``."""

    notebook: ClassVar[str] = "market_position"

    market: Literal["europe", "france", "worldwide"] = Field(
        "europe", description="which geography's cloud market"
    )
    start_year: int = Field(2012, ge=2000, le=2035, description="first year of the window")
    end_year: int = Field(2025, ge=2000, le=2035, description="last year of the window")
    highlight: list[str] = Field(
        default_factory=lambda: ["ovhcloud"], description="provider ids to emphasise"
    )
    group_by: Literal["provider", "origin"] = Field(
        "provider", description="show shares by provider or by origin group"
    )
    data_dir: str = _DATA_DIR

    def cross_checks(self) -> list[str]:
        problems = []
        if self.start_year > self.end_year:
            problems.append(
                f"parameter 'start_year': got {self.start_year}, after end_year={self.end_year}; "
                f"allowed: a year no later than end_year"
            )
        if self.highlight:
            from analysis.data.io import load_table  # pandas, only when a check reads data

            entities = load_table("entities", self.data_dir or None)
            providers = entities.loc[entities["kind"].isin(["company", "provider_group"])]
            known = set(providers["entity_id"])
            for provider_id in self.highlight:
                if provider_id not in known:
                    problems.append(
                        f"parameter 'highlight': got unknown provider id {provider_id!r}; "
                        f"allowed: ids of companies or provider groups in entities.csv, "
                        f"e.g. 'ovhcloud', 'aws', 'scaleway'"
                    )
        return problems


#: notebook file stem -> its parameter schema
NOTEBOOK_SCHEMAS: dict[str, type[NotebookParams]] = {
    InvestmentParams.notebook: InvestmentParams,
    MarketParams.notebook: MarketParams,
}


def schema_for(notebook: str | Path) -> type[NotebookParams] | None:
    """Return the schema registered for a notebook path or stem, or None."""
    return NOTEBOOK_SCHEMAS.get(Path(str(notebook)).stem)


def _allowed(annotation: Any, field: Any) -> str:
    """Describe in words what a field accepts."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(annotation))
    bounds = {type(m).__name__: m for m in field.metadata}
    low = getattr(bounds.get("Ge"), "ge", None)
    high = getattr(bounds.get("Le"), "le", None)
    span = f" from {low:,} to {high:,}" if low is not None and high is not None else ""
    if annotation is int:
        return f"an integer{span}"
    if annotation is float:
        return f"a number{span}"
    if annotation is str:
        return "a string"
    if origin in (list, types.GenericAlias) or annotation is list:
        (item,) = typing.get_args(annotation) or (Any,)
        words = {str: "strings", int: "integers", float: "numbers"}
        return f"a list of {words.get(item, 'values')}"
    return str(annotation)


def check_parameters(schema: type[NotebookParams], values: Mapping[str, Any]) -> list[str]:
    """Return every problem with ``values`` for ``schema`` (an empty list when they are valid).

    Defaults fill the parameters not given. Each problem is one line naming the parameter,
    the value given and what is allowed.
    """
    fields = schema.model_fields
    try:
        instance = schema(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            name = str(error["loc"][0]) if error["loc"] else "?"
            given = values.get(name, error.get("input"))
            if error["type"] == "extra_forbidden":
                known = ", ".join(fields)
                problems.append(
                    f"parameter {name!r}: not a parameter of {schema.notebook}; allowed: {known}"
                )
                continue
            field = fields[name]
            given_text = repr(given)
            if isinstance(given, float) and math.isnan(given):
                given_text = "nan"
            problems.append(
                f"parameter {name!r}: got {given_text} ({type(given).__name__}); "
                f"allowed: {_allowed(field.annotation, field)}"
            )
        # pydantic reports one error per offending list item: keep one line per parameter
        return list(dict.fromkeys(problems))
    if instance.data_dir:
        try:
            instance.resolved_data_dir()
        except AnalysisError as exc:
            return [
                f"parameter 'data_dir': got {instance.data_dir!r}; allowed: an empty string or "
                f"a directory holding datapackage.json ({exc})"
            ]
    try:
        return instance.cross_checks()
    except AnalysisError as exc:
        return exc.problems


def describe_parameters(schema: type[NotebookParams]) -> str:
    """A plain-text table of the schema: name, type, default, allowed values, help."""
    rows = []
    for name, field in schema.model_fields.items():
        default = field.get_default(call_default_factory=True)
        rows.append(
            f"{name} = {default!r}\n    {field.description or ''}\n"
            f"    allowed: {_allowed(field.annotation, field)}"
        )
    return "\n".join(rows)
