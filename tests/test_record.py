"""Key numbers and cited sources recorded in notebook outputs, and read back."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.report.record import (
    KEY_NUMBERS_MIME,
    SOURCES_MIME,
    KeyNumber,
    KeyNumbers,
    format_key_numbers,
    format_key_table,
    headline_rows,
    key_number_rows,
    key_numbers_payload,
    key_table_html,
    read_key_numbers,
    read_sources,
)


def test_payload_keeps_values_and_marks_undefined():
    payload = key_numbers_payload(
        {"paid_in_eur_m": 51.84, "irr": math.nan, "n": np.int64(3), "scenario": "range"},
        units={"paid_in_eur_m": "EUR m"},
        notes={"irr": "no sign change"},
    )
    numbers = payload["numbers"]
    assert numbers["paid_in_eur_m"] == {"value": 51.84, "unit": "EUR m"}
    assert numbers["irr"] == {"value": None, "status": "undefined", "note": "no sign change"}
    assert numbers["n"] == {"value": 3} and isinstance(numbers["n"]["value"], int)
    assert numbers["scenario"] == {"value": "range"}


def test_payload_refuses_objects():
    with pytest.raises(TypeError, match="not a number"):
        key_numbers_payload({"x": object()})


def test_text_is_rounded_and_aligned():
    payload = key_numbers_payload(
        {"loss_eur_m": 41.26, "irr_pct": -0.04, "n": 1000, "irr": None},
        units={"loss_eur_m": "EUR m"},
    )
    assert format_key_numbers(payload, digits=1).splitlines() == [
        "loss_eur_m  41.3 EUR m",
        "irr_pct     0.0",  # never "-0.0"
        "n           1,000",
        "irr         undefined",
    ]


def _notebook(*metadata):
    outputs = [
        {"output_type": "display_data", "data": {"text/plain": ""}, "metadata": m} for m in metadata
    ]
    return {
        "cells": [
            {"cell_type": "markdown", "source": "# t"},
            {"cell_type": "code", "outputs": outputs},
        ]
    }


def test_read_back_from_notebook_outputs():
    first = key_numbers_payload({"a": 1.0, "b": 2.0})
    second = key_numbers_payload({"b": 3.0})
    nb = _notebook(
        {KEY_NUMBERS_MIME: first},
        {SOURCES_MIME: {"version": 1, "source_ids": ["x", "y"]}},
        {KEY_NUMBERS_MIME: second},
        {SOURCES_MIME: {"version": 1, "source_ids": ["y", "z"]}},
    )
    assert read_key_numbers(nb) == {"a": {"value": 1.0}, "b": {"value": 3.0}}
    assert read_sources(nb) == ["x", "y", "z"]


def test_nothing_recorded():
    assert read_key_numbers(_notebook({})) == {}
    assert read_sources({"cells": []}) == []


# --------------------------------------------------------------------------- compact table


def _investment_like():
    # the naming of both notebooks: <quantity>_<bound>_<unit>, and a bare central beside
    # bounded siblings (big3_share_pct)
    return key_numbers_payload(
        {
            "loss_central_eur_m": 43.877,
            "loss_low_eur_m": 30.03,
            "loss_high_eur_m": 75.0,
            "loss_p5_eur_m": 39.8,  # scenario percentiles: their own columns
            "loss_p50_eur_m": 49.78,
            "loss_p95_eur_m": 62.49,
            "moic_low": 0.0,  # no unit suffix
            "moic_central": 0.1526,
            "moic_high": 0.3994,
            "big3_share_pct": 70.0,  # bare name: the central of its bounded siblings
            "big3_share_low_pct": 70.0,
            "big3_share_high_pct": 71.0,
            "irr_low_pct": None,  # undefined
            "share_series": "eu_cloud_synergy",  # text: listed under the table
        },
        units={"loss_central_eur_m": "EUR m", "moic_central": "x", "big3_share_pct": "%"},
        labels={
            "loss_central_eur_m": "loss, central inputs (exit scenario 'range')",
            "loss_p5_eur_m": "loss, 5th percentile of the scenarios (exit scenario 'range')",
            "big3_share_low_pct": "big three's share, low",
        },
        headline=["loss_central_eur_m", "big3_share_pct"],
    )


def test_key_numbers_group_into_one_row_per_quantity() -> None:
    rows = {r["quantity"]: r for r in key_number_rows(_investment_like()["numbers"])}
    assert list(rows) == ["loss_eur_m", "moic", "big3_share_pct", "irr_pct", "share_series"]
    loss = rows["loss_eur_m"]
    assert (loss["low"], loss["central"], loss["high"]) == (30.03, 43.877, 75.0)
    assert (loss["p5"], loss["p50"], loss["p95"]) == (39.8, 49.78, 62.49)
    assert loss["unit"] == "EUR m" and loss["headline"] is True
    # the label without its bound words, taken from the central
    assert loss["label"] == "loss (exit scenario 'range')"
    assert rows["big3_share_pct"]["central"] == 70.0 and rows["big3_share_pct"]["high"] == 71.0
    assert rows["big3_share_pct"]["label"] == "big three's share"
    assert rows["moic"]["unit"] == "x" and rows["irr_pct"]["low"] is None
    assert rows["share_series"]["is_text"] and not rows["moic"]["headline"]


def test_compact_table_text_is_rounded_and_stable() -> None:
    text = format_key_table(_investment_like(), digits=1)
    assert text.splitlines() == [
        "quantity        unit         low  central  high    p5   p50   p95",
        "loss_eur_m      EUR m       30.0     43.9  75.0  39.8  49.8  62.5",
        "moic            x            0.0      0.2   0.4",
        "big3_share_pct  %           70.0     70.0  71.0",
        "irr_pct                undefined",  # a bound alone: the others left blank
        "share_series: eu_cloud_synergy",
    ]
    assert format_key_table(_investment_like()) == text  # the same input, the same text


def test_compact_table_html_escapes_labels() -> None:
    payload = key_numbers_payload(
        {"x_low_pct": 1.0, "x_high_pct": 2.0}, labels={"x_low_pct": "<b>x</b> & co, low"}
    )
    html = key_table_html(payload)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in html and "<b>" not in html
    assert "<th>low</th><th>central</th><th>high</th>" in html


def test_headline_marks_and_fallback() -> None:
    payload = _investment_like()
    assert payload["numbers"]["loss_central_eur_m"]["headline"] is True
    assert "headline" not in payload["numbers"]["loss_low_eur_m"]
    assert [r["quantity"] for r in headline_rows(payload["numbers"])] == [
        "loss_eur_m",
        "big3_share_pct",
    ]
    # none marked: the first numeric quantities with a value, text and undefined left out
    plain = {
        name: {k: v for k, v in entry.items() if k != "headline"}
        for name, entry in payload["numbers"].items()
    }
    assert [r["quantity"] for r in headline_rows(plain, fallback=2)] == ["loss_eur_m", "moic"]
    with pytest.raises(KeyError, match="nope"):
        key_numbers_payload({"a": 1}, headline=["nope"])


@given(
    st.dictionaries(
        st.tuples(
            st.sampled_from(["loss", "irr", "big3_share", "moic"]),
            st.sampled_from(["low", "central", "high", "p5", "p50", "p95", ""]),
            st.sampled_from(["eur_m", "pct", ""]),
        ),
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
        max_size=12,
    )
)
def test_every_key_number_lands_in_exactly_one_cell(spec) -> None:
    """Property: grouping loses no number and puts none twice; the table is deterministic."""
    numbers = {}
    for (quantity, bound, unit), value in spec.items():
        name = "_".join(p for p in (quantity, bound, unit) if p)
        numbers[name] = value
    payload = key_numbers_payload(numbers)
    rows = key_number_rows(payload["numbers"])
    placed = [name for r in rows for name in r["names"].values()]
    assert sorted(placed) == sorted(payload["numbers"])
    for r in rows:
        for bound, name in r["names"].items():
            assert r[bound] == payload["numbers"][name]["value"]
    assert format_key_table(payload) == format_key_table(key_numbers_payload(numbers))


def test_a_declarative_table_gives_values_units_labels_and_headline() -> None:
    table = [
        KeyNumber("loss_central_eur_m", "EUR m", "Money lost", lambda r: r["loss"]),
        KeyNumber("irr_central_pct", "%", "IRR", lambda r: r["irr"], note="no sign change"),
    ]
    key = KeyNumbers.from_table(
        table, {"loss": 41.2, "irr": float("nan")}, headline=["irr_central_pct"]
    )
    payload = key.payload()["numbers"]
    assert payload["loss_central_eur_m"] == {"value": 41.2, "label": "Money lost", "unit": "EUR m"}
    assert payload["irr_central_pct"]["value"] is None
    assert payload["irr_central_pct"]["status"] == "undefined"
    assert payload["irr_central_pct"]["note"] == "no sign change"
    assert payload["irr_central_pct"]["headline"] is True


def test_a_declarative_table_refuses_a_name_given_twice() -> None:
    row = KeyNumber("loss_central_eur_m", "EUR m", "Money lost", lambda r: 1.0)
    with pytest.raises(ValueError, match="loss_central_eur_m"):
        KeyNumbers.from_table([row, row], {})
