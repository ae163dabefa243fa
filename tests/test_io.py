"""Finding, validating and typing the data; --data-dir and $ANALYSIS_DATA_DIR."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data.io import (
    DATA_DIR_ENV,
    VALIDATED_ENV,
    data_checksum,
    default_data_dir,
    load_dataset,
    load_table,
    resolve_data_dir,
)
from analysis.errors import DataError
from tests.conftest import TINY_FILES, write_tiny_package


def test_precedence_explicit_then_env_then_default(tmp_path, monkeypatch):
    a = write_tiny_package(tmp_path / "a")
    b = write_tiny_package(tmp_path / "b")
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert resolve_data_dir() == default_data_dir().resolve()
    monkeypatch.setenv(DATA_DIR_ENV, str(b))
    assert resolve_data_dir() == b.resolve()
    assert resolve_data_dir("") == b.resolve()  # the notebooks' empty data_dir parameter
    assert resolve_data_dir(a) == a.resolve()


def test_not_a_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(DataError, match=r"no datapackage.json \(from \$ANALYSIS_DATA_DIR\)"):
        resolve_data_dir()


def test_typed_frames(tiny_data):
    fin = load_table("financials", tiny_data)
    assert fin["value"].dtype == "float64"
    assert str(fin["fiscal_year"].dtype) == "Int64"
    assert str(fin["is_forecast"].dtype) == "boolean"
    assert fin["is_forecast"].tolist() == [False, False, False]
    events = load_table("capital_events", tiny_data)
    # an undisclosed amount is missing, never zero
    assert events.set_index("event_id").loc["cw-buyout-price", "amount_eur_m"] != 0
    assert pd.isna(events.set_index("event_id").loc["cw-buyout-price", "amount_eur_m"])


def test_dataset_attributes_and_field_info(tiny_data):
    ds = load_dataset(tiny_data)
    assert set(ds) == {"sources", "entities", "shareholdings", "financials", "capital_events"}
    assert ds.shareholdings is ds.table("shareholdings")
    assert ds.field_info("shareholdings", "stake_pct")["constraints"]["maximum"] == 100
    with pytest.raises(DataError, match="no table named 'nope'"):
        ds.table("nope")


def test_invalid_data_raises_with_every_problem(tmp_path):
    root = write_tiny_package(
        tmp_path / "bad",
        {
            "financials.csv": TINY_FILES["financials.csv"].replace(
                ",2014,2,approx", ",2014,-2,approx"
            )
        },
    )
    with pytest.raises(DataError) as info:
        load_dataset(root)
    assert info.value.problems == [
        "financials.csv:2:value: revenue_eur_m cannot be negative (got -2)"
    ]


def test_checksum_follows_content(tiny_data):
    before = data_checksum(tiny_data)
    assert before == data_checksum(tiny_data)
    path = tiny_data / "entities.csv"
    path.write_text(path.read_text() + "thales_bis,Thales bis,company\n")
    assert data_checksum(tiny_data) != before


def test_runner_validated_checksum_skips_validation(tmp_path, monkeypatch):
    root = write_tiny_package(
        tmp_path / "bad",
        {
            "financials.csv": TINY_FILES["financials.csv"].replace(
                ",2014,2,approx", ",2014,-2,approx"
            )
        },
    )
    monkeypatch.setenv(VALIDATED_ENV, data_checksum(root))
    # trusted because the runner says it validated exactly these bytes
    assert load_dataset(root).financials["value"].min() == -29.2
    monkeypatch.setenv(VALIDATED_ENV, "0" * 64)
    with pytest.raises(DataError):
        load_dataset(root)


def test_real_data_is_valid(real_data_dir):
    ds = load_dataset(real_data_dir)
    assert len(ds.sources) > 100
