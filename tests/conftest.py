"""Shared pytest set-up: headless plotting, test notebooks kept out of nbval, tiny data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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


@pytest.fixture
def real_data_dir() -> Path:
    """The project's committed data directory (tests using it check the real dataset)."""
    from analysis.io import default_data_dir

    return default_data_dir()
