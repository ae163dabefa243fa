"""Key numbers and cited sources recorded in notebook outputs, and read back."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.record import (
    KEY_NUMBERS_MIME,
    SOURCES_MIME,
    format_key_numbers,
    key_numbers_payload,
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
