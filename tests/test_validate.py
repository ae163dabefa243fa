"""check-data: one test per kind of bad data, each asserting the file:row:column message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import costly

from analysis.data.io import check_data_command
from analysis.data.validate import parse_partial_date, validate_data_dir
from tests.conftest import TINY_FILES, write_tiny_package


def problems_of(tmp_path: Path, **replacements: str) -> list[str]:
    files = {name.replace("__", "."): text for name, text in replacements.items()}
    root = write_tiny_package(tmp_path / "bad", files)
    return [str(p) for p in validate_data_dir(root)]


def test_tiny_package_is_valid(tiny_data):
    assert validate_data_dir(tiny_data) == []


def test_missing_column(tmp_path):
    text = TINY_FILES["financials.csv"].replace(",is_forecast", "").replace(",false,", ",")
    assert problems_of(tmp_path, financials__csv=text) == [
        "financials.csv:1:is_forecast: missing column"
    ]


def test_text_in_number_column(tmp_path):
    text = TINY_FILES["financials.csv"].replace(",2014,2,approx", ",2014,two,approx")
    assert problems_of(tmp_path, financials__csv=text) == [
        "financials.csv:2:value: 'two' is not a number"
    ]


def test_decimal_comma_is_named(tmp_path):
    text = TINY_FILES["shareholdings.csv"].replace("44.4", '"44,4"')
    assert problems_of(tmp_path, shareholdings__csv=text) == [
        "shareholdings.csv:2:stake_pct: '44,4' is not a number "
        "(decimal comma: write it with a point)"
    ]


def test_unknown_source_id(tmp_path):
    text = TINY_FILES["financials.csv"].replace("upper,false,jdn", "upper,false,lesechos")
    assert problems_of(tmp_path, financials__csv=text) == [
        "financials.csv:3:source_id: 'lesechos' not found in sources.source_id"
    ]


def test_unknown_entity_id(tmp_path):
    text = TINY_FILES["shareholdings.csv"].replace("cloudwatt,thales", "cloudwatt,thalès")
    assert problems_of(tmp_path, shareholdings__csv=text) == [
        "shareholdings.csv:3:holder_id: 'thalès' not found in entities.entity_id"
    ]


def test_duplicate_id(tmp_path):
    text = TINY_FILES["entities.csv"] + "orange,Orange SA,company\n"
    assert problems_of(tmp_path, entities__csv=text) == [
        "entities.csv:6:entity_id: duplicate key (same as row 3)"
    ]


def test_stakes_over_100_pct(tmp_path):
    # a second, conflicting observation of one holder counts once (the largest), like
    # SFR's 46 % and 47 % of Numergy: 44.4 + 44 would be far over 100 %
    ok = TINY_FILES["shareholdings.csv"] + "cloudwatt,orange,44,2012,2015,bfm\n"
    assert problems_of(tmp_path, shareholdings__csv=ok) == []
    # ... but a new holder pushing the total over 100 % is refused
    bad = TINY_FILES["shareholdings.csv"] + "cloudwatt,thales,30,2013,2014,bfm\n"
    (problem,) = problems_of(tmp_path, shareholdings__csv=bad)
    assert problem.startswith("shareholdings.csv:6:stake_pct: stakes in cloudwatt on ")
    assert "sum to 107.7 % (over 100 %): cdc 33.3, orange 44.4, thales 30" in problem


def test_stake_above_maximum(tmp_path):
    text = TINY_FILES["shareholdings.csv"].replace("cdc,33.3", "cdc,133.3")
    assert "shareholdings.csv:4:stake_pct: '133.3' is above the maximum 100" in problems_of(
        tmp_path, shareholdings__csv=text
    )


def test_negative_revenue(tmp_path):
    text = TINY_FILES["financials.csv"].replace(",2014,2,approx", ",2014,-2,approx")
    assert problems_of(tmp_path, financials__csv=text) == [
        "financials.csv:2:value: revenue_eur_m cannot be negative (got -2)"
    ]


def test_negative_net_result_is_fine(tiny_data):
    assert "-29.2" in (tiny_data / "financials.csv").read_text()
    assert validate_data_dir(tiny_data) == []


@pytest.mark.parametrize(
    ("bad_date", "expected"),
    [
        # month 13 passes the loose pattern of valid_to? no: the pattern refuses it
        ("2015-13", "shareholdings.csv:2:valid_to: '2015-13' does not have the expected form"),
        # 30 February matches the pattern but is no calendar date
        ("2015-02-30", "shareholdings.csv:2:valid_to: '2015-02-30' is not a valid date"),
        # a French-style date
        (
            "31/12/2015",
            "shareholdings.csv:2:valid_to: '31/12/2015' does not have the expected form",
        ),
    ],
)
def test_bad_date(tmp_path, bad_date, expected):
    text = TINY_FILES["shareholdings.csv"].replace("44.4,2012,2015", f"44.4,2012,{bad_date}", 1)
    (problem,) = problems_of(tmp_path, shareholdings__csv=text)
    assert problem.startswith(expected)


def test_end_before_start(tmp_path):
    text = TINY_FILES["capital_events.csv"].replace(
        "100,disclosed,2012,2014", "100,disclosed,2014,2012"
    )
    assert problems_of(tmp_path, capital_events__csv=text) == [
        "capital_events.csv:2:period_end: period_end is before period_start"
    ]


def test_undisclosed_amount_must_stay_empty(tmp_path):
    text = TINY_FILES["capital_events.csv"].replace(",,undisclosed", ",0,undisclosed")
    assert problems_of(tmp_path, capital_events__csv=text) == [
        "capital_events.csv:3:amount_eur_m: "
        "an undisclosed amount must be left empty, not given a value"
    ]


def test_empty_file(tmp_path):
    assert problems_of(tmp_path, financials__csv="") == [
        "financials.csv:-:-: file is empty (no header row)"
    ]


def test_missing_file(tmp_path):
    root = write_tiny_package(tmp_path / "bad")
    (root / "entities.csv").unlink()
    problems = [str(p) for p in validate_data_dir(root)]
    assert problems == ["entities.csv:-:-: file listed in datapackage.json is missing"]


def test_broken_descriptor(tmp_path):
    root = write_tiny_package(tmp_path / "bad")
    (root / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    (problem,) = [str(p) for p in validate_data_dir(root)]
    assert problem == "datapackage.json:1:char 16: invalid JSON: Expecting value"


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    text = (
        TINY_FILES["financials.csv"]
        .replace(",2014,2,approx", ",2014,two,approx")
        .replace("upper,false,jdn", "upper,false,nope")
    )
    problems = problems_of(tmp_path, financials__csv=text)
    assert [p.split(":")[1] for p in problems] == ["2", "3"]


def test_columns_may_come_in_another_order(tmp_path):
    text = "source_id,url,publisher,title,published\nbfm,http://a,BFM,T,2015\njdn,http://b,JDN,T,\n"
    assert problems_of(tmp_path, sources__csv=text) == []


def test_check_data_command_output(tiny_data, capsys):
    assert check_data_command(str(tiny_data)) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith(tuple("0123456789abcdef"))
    assert ": valid - 5 tables, 15 rows, 2 sources, sha256 " in out


def test_check_data_cli_exit_2_lists_problems(tmp_path):
    root = write_tiny_package(
        tmp_path / "bad",
        {
            "financials.csv": TINY_FILES["financials.csv"].replace(
                ",2014,2,approx", ",2014,two,approx"
            )
        },
    )
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "check-data", "--data-dir", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "financials.csv:2:value: 'two' is not a number" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_data_cli_missing_dir(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "check-data", "--data-dir", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: {tmp_path / 'nope'}: data directory not found (from data_dir)"
    )


def test_parse_partial_date_forms():
    assert parse_partial_date("2016") is not None
    assert parse_partial_date("2020-H2")[0].month == 7
    assert parse_partial_date("2015-02-29") is None  # 2015 is not a leap year
    assert parse_partial_date("2016-02-29") is not None


# --------------------------------------------------------------------------- more kinds


def test_row_with_an_extra_cell(tmp_path):
    # an unquoted comma inside a note: the row has one cell too many
    text = TINY_FILES["financials.csv"].replace("upper,false,jdn", "upper,false,jdn,oops")
    assert problems_of(tmp_path, financials__csv=text) == [
        "financials.csv:3:-: row has more cells than the header ('oops' is extra)"
    ]


def test_row_with_a_missing_cell(tmp_path):
    text = TINY_FILES["financials.csv"].replace("upper,false,jdn", "upper,false")
    problems = problems_of(tmp_path, financials__csv=text)
    assert "financials.csv:3:source_id: row has fewer cells than the header" in problems


def test_not_utf8_far_into_the_file(tmp_path):
    root = write_tiny_package(tmp_path / "bad")
    path = root / "entities.csv"
    path.write_bytes(path.read_bytes() + b"x" * 9000 + b",Caf\xe9,company\n")
    assert [str(p) for p in validate_data_dir(root)] == [
        "entities.csv:6:-: not UTF-8 text (invalid continuation byte)"
    ]


def test_column_name_with_spaces(tmp_path):
    text = TINY_FILES["shareholdings.csv"].replace("holder_id,stake_pct", "holder_id, stake_pct")
    assert problems_of(tmp_path, shareholdings__csv=text) == [
        "shareholdings.csv:1: stake_pct: column name ' stake_pct' has spaces around it"
    ]


def test_unexpected_and_duplicated_columns(tmp_path):
    text = TINY_FILES["entities.csv"].replace("entity_id,name,kind", "entity_id,name,kind,kind,x")
    problems = problems_of(tmp_path, entities__csv=text)
    assert "entities.csv:1:kind: column appears twice" in problems
    assert "entities.csv:1:x: unexpected column (not in the schema)" in problems


def test_blank_row_is_reported_once(tmp_path):
    text = TINY_FILES["entities.csv"] + ",,\n"
    assert problems_of(tmp_path, entities__csv=text) == ["entities.csv:6:-: blank row"]


def test_disclosed_amount_missing(tmp_path):
    text = TINY_FILES["capital_events.csv"].replace("100,disclosed", ",disclosed")
    assert problems_of(tmp_path, capital_events__csv=text) == [
        "capital_events.csv:2:amount_eur_m: a disclosed amount is missing"
    ]


def test_value_outside_an_enum_lists_the_allowed_values(tmp_path):
    text = TINY_FILES["entities.csv"].replace("thales,Thales,company", "thales,Thales,firm")
    assert problems_of(tmp_path, entities__csv=text) == [
        "entities.csv:4:kind: 'firm' is not an allowed value "
        "(allowed: company, public_body, provider_group)"
    ]


def test_missing_required_value(tmp_path):
    text = TINY_FILES["financials.csv"].replace("upper,false,jdn", "upper,false,")
    assert problems_of(tmp_path, financials__csv=text) == [
        "financials.csv:3:source_id: missing value in a required column"
    ]


def test_stake_held_for_a_single_period_is_checked(tmp_path):
    # "2013" to "2013" leaves no date where the holding is certain: it is checked mid-2013
    text = TINY_FILES["shareholdings.csv"] + "cloudwatt,thales,90,2013,2013,bfm\n"
    assert problems_of(tmp_path, shareholdings__csv=text) == [
        "shareholdings.csv:6:stake_pct: stakes in cloudwatt on 2013-07-02 sum to 167.7 % "
        "(over 100 %): cdc 33.3, orange 44.4, thales 90 (rows 2, 4, 6)"
    ]


def test_descriptor_errors_keep_their_place(tmp_path):
    root = write_tiny_package(tmp_path / "bad")
    (root / "datapackage.json").write_text('{"resources": [\n  1,]}', encoding="utf-8")
    assert [str(p) for p in validate_data_dir(root)] == [
        "datapackage.json:2:char 5: invalid JSON: Expecting value"
    ]
    (root / "datapackage.json").write_text('{"resources": [1]}', encoding="utf-8")
    assert [str(p) for p in validate_data_dir(root)] == [
        "datapackage.json:-:resources[0]: resource is not an object"
    ]


stakes = st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=5)


@settings(costly(), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stakes)
def test_stake_rule_refuses_exactly_the_sums_over_100(tmp_path, values):
    # holders h0, h1, ... of one company over the same years: refused iff the sum is over 100
    lines = ["company_id,holder_id,stake_pct,valid_from,valid_to,source_id"]
    lines += [f"cloudwatt,h{i},{v},2012,2014,jdn" for i, v in enumerate(values)]
    entities = TINY_FILES["entities.csv"] + "".join(
        f"h{i},Holder {i},company\n" for i in range(len(values))
    )
    root = write_tiny_package(
        tmp_path / f"p{len(values)}-{sum(values)}-{values[0]}",
        {"shareholdings.csv": "\n".join(lines) + "\n", "entities.csv": entities},
    )
    problems = [str(p) for p in validate_data_dir(root)]
    assert bool(problems) == (sum(values) > 100), problems


def test_stakes_over_100_pct_are_reported_for_every_company(tmp_path):
    bad = (
        TINY_FILES["shareholdings.csv"]
        + "cloudwatt,thales,30,2013,2014,bfm\n"
        + "orange,cdc,60,2013,2014,bfm\n"
        + "orange,thales,50,2013,2014,bfm\n"
    )
    problems = problems_of(tmp_path, shareholdings__csv=bad)
    assert [p.split(" on ")[0] for p in problems] == [
        "shareholdings.csv:6:stake_pct: stakes in cloudwatt",
        "shareholdings.csv:8:stake_pct: stakes in orange",
    ]
    assert "sum to 110 % (over 100 %): cdc 60, thales 50 (rows 7, 8)" in problems[1]
