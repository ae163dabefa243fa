"""The evidence layer: explicit low / central / high estimates with their sources."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.evidence import (
    RULES,
    apply_sum_bounds,
    cite,
    constrain_to_sum,
    estimate,
    estimate_by,
    estimate_frame,
    sources_table,
)


def test_conflicting_points_give_a_range():
    # Numergy revenue 2014 (M EUR): Les Echos 2, BFM 5, Les Echos (via ChannelNews) 6
    e = estimate([2, 5, 6], source_ids=["silicon", "bfm", "channelnews"])
    assert (e.low, e.central, e.high) == (2.0, 5.0, 6.0)
    assert e.source_ids == ("silicon", "bfm", "channelnews")
    assert e.is_range and not (e.open_low or e.open_high)


def test_bounds_and_points_together():
    # Cloudwatt revenue 2014: "about 2" (approx), "under 3" (upper), "at most 2" (upper),
    # "just over 1" (lower): the range is 1 to 3, the central value the approximate 2
    e = estimate([2, 3, 2, 1], ["approx", "upper", "upper", "lower"])
    assert (e.low, e.central, e.high) == (1.0, 2.0, 3.0)
    assert not e.open_low and not e.open_high


def test_central_stays_within_agreeing_bounds():
    # Cloudwatt revenue 2014 with Wikipedia's unsourced 6: the median of the points (2, 6)
    # is 4, but two sources say "at most 2" and "under 3": the central value is 2
    e = estimate([2, 6, 2, 3, 1], ["approx", "point", "upper", "upper", "lower"])
    assert (e.low, e.central, e.high) == (1.0, 2.0, 6.0)
    # bounds that contradict each other (at least 5, at most 3) leave the median alone
    e = estimate([4, 5, 3], ["point", "lower", "upper"])
    assert e.central == 4.0


def test_exact_figures_win_over_rounded_ones():
    # OVHcloud FY2025 revenue: 1,084.6 M EUR (results release) and "1.08 bn" (rounded)
    e = estimate([1084.6, 1080], ["point", "approx"])
    assert (e.low, e.central, e.high) == (1080.0, 1084.6, 1084.6)
    # with approximations only, their median is the central value
    assert estimate([2, 3, 7], ["approx"] * 3).central == 3.0


def test_lower_bound_only_is_open_above():
    e = estimate([75], ["lower"], ["lmi"], unit="EUR m")
    assert (e.low, e.central, e.high, e.open_high, e.open_low) == (75, 75, 75, True, False)
    assert e.format(0) == "at least 75 EUR m"


def test_upper_bound_only_is_open_below():
    e = estimate([3, 2], ["upper", "upper"])
    # the tightest "at most" is the central value; the low side is open
    assert (e.low, e.central, e.high) == (2.0, 2.0, 3.0)
    assert e.open_low and not e.open_high
    assert e.format(1) == "2.0 (≤ 2.0 to 3.0)"


def test_lower_and_upper_bounds_only_take_the_middle():
    e = estimate([1, 3], ["lower", "upper"])
    assert (e.low, e.central, e.high) == (1.0, 2.0, 3.0)


def test_single_point_is_not_a_range():
    e = estimate([156.0], source_ids=["bfm"])
    assert not e.is_range
    assert e.format(0, "EUR m") == "156 EUR m"


def test_latest_rule_follows_the_newest_release():
    # Synergy's 2017 European providers' share as restated in 2020, 2022 and 2025 releases
    e = estimate([26, 27, 29], published=["2020-12", "2022-09", "2025-03"], rule="latest")
    assert (e.low, e.central, e.high) == (26.0, 29.0, 29.0)
    assert "latest revision" in e.rule_text


def test_latest_rule_never_takes_an_undated_figure_as_the_latest():
    e = estimate([26, 20, 29], published=["2020-12", None, "2025-03"], rule="latest")
    assert e.central == 29.0
    frame = pd.DataFrame(
        {"value": [26.0, 20.0], "bound": ["point", "point"], "published": ["2020-12", pd.NA]}
    )
    assert estimate_frame(frame, published_col="published", rule="latest").central == 26.0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="no observations"):
        estimate([])
    with pytest.raises(ValueError, match="unknown bound"):
        estimate([1.0], ["about"])
    with pytest.raises(ValueError, match="finite"):
        estimate([math.nan])
    with pytest.raises(ValueError, match="unknown rule"):
        estimate([1.0], rule="mean")


def test_estimate_by_groups_and_ignores_missing_values():
    obs = pd.DataFrame(
        {
            "company_id": ["numergy", "numergy", "numergy", "cloudwatt", "cloudwatt"],
            "value": [2.0, 6.0, None, 1.0, 3.0],  # None: an undisclosed figure
            "bound": ["point", "point", "point", "lower", "upper"],
            "source_id": ["a", "b", "c", "d", "e"],
        }
    )
    out = estimate_by(obs, ["company_id"])
    assert out["company_id"].tolist() == ["cloudwatt", "numergy"]
    assert out[["low", "central", "high"]].to_numpy().tolist() == [[1, 2, 3], [2, 4, 6]]
    assert out["source_ids"].tolist() == [("d", "e"), ("a", "b")]
    assert out["n_observations"].tolist() == [2, 2]
    assert set(out["rule"]) == {"span"}


def test_estimate_frame_needs_a_value():
    with pytest.raises(ValueError, match="no observations"):
        estimate_frame(pd.DataFrame({"value": [None], "bound": ["point"]}))


SOURCES = pd.DataFrame(
    {
        "source_id": ["bfm", "lt", "cn"],
        "publisher": ["BFM Business", "La Tribune", "BFM Business"],
        "title": ["Resultats", "Orange bientot souverain", "Pertes"],
        "url": ["http://a", "http://b", "http://c"],
        "published": ["", "2015-01-12", ""],
        "published_approx": ["2015-05", "", ""],
    }
)


def test_sources_table_in_citation_order():
    table = sources_table(["lt", "bfm", "lt"], SOURCES)
    assert table["source_id"].tolist() == ["lt", "bfm"]
    assert table["date"].tolist() == ["2015-01-12", "c. 2015-05"]
    with pytest.raises(KeyError, match="nope"):
        sources_table(["nope"], SOURCES)


def test_cite_lists_each_publisher_date_once():
    assert cite(["bfm", "lt", "cn"], SOURCES) == (
        "Sources: BFM Business (c. 2015-05); La Tribune (2015-01-12); BFM Business (n.d.)"
    )
    assert cite(["bfm", "lt", "cn"], SOURCES, max_items=1).endswith("; and 2 more")


observation = st.tuples(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from(["point", "approx", "lower", "upper"]),
)


@given(st.lists(observation, min_size=1, max_size=12), st.sampled_from(sorted(RULES)))
def test_low_central_high_are_ordered(observations, rule):
    values, bounds = zip(*observations, strict=True)
    published = [f"20{i:02d}" for i in range(len(values))]
    e = estimate(values, bounds, rule=rule, published=published)
    assert e.low <= e.central <= e.high
    assert e.low == min(values) and e.high == max(values)
    assert e.n_observations == len(values)


@given(st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=8))
def test_points_only_are_never_open(values):
    e = estimate(values)
    assert not (e.open_low or e.open_high)


def test_a_bound_on_a_sum_constrains_its_parts() -> None:
    parts = pd.DataFrame(
        {
            "low": [1.0, 2.0, 0.0],  # every part can still go down
            "central": [2.0, 5.0, 1.0],  # centrals sum to 8
            "high": [3.0, 6.0, 1.0],  # the third part has no room above
        }
    )
    # At most 6: excess 2 over rooms 1, 3, 1 (sum 5): each central gives up 2/5 of its room.
    capped = constrain_to_sum(parts, upper=6.0)
    assert capped["central"].tolist() == pytest.approx([1.6, 3.8, 0.6])
    assert capped["central"].sum() == pytest.approx(6.0)
    assert capped["is_sum_constrained"].all()
    # The ranges keep every sourced figure; the input frame is not changed.
    assert capped["low"].tolist() == [1.0, 2.0, 0.0] and capped["high"].tolist() == [3.0, 6.0, 1.0]
    assert parts["central"].tolist() == [2.0, 5.0, 1.0]
    # A bound the centrals already respect changes nothing.
    assert constrain_to_sum(parts, upper=9.0)["central"].tolist() == [2.0, 5.0, 1.0]
    # At least 9: short 1 over rooms above 1, 1, 0: each moves half of its room up.
    raised = constrain_to_sum(parts, lower=9.0)
    assert raised["central"].tolist() == pytest.approx([2.5, 5.5, 1.0])
    # A bound below every low cannot be met: the centrals go to their lows.
    assert constrain_to_sum(parts, upper=1.0)["central"].tolist() == [1.0, 2.0, 0.0]


def test_sum_bounds_in_the_data_constrain_each_member_for_the_same_year() -> None:
    estimates = pd.DataFrame(
        {
            "company_id": ["a", "b", "a", "c"],
            "fiscal_year": [2014, 2014, 2013, 2014],
            "low": [1.0, 2.0, 1.0, 0.0],
            "central": [2.0, 5.0, 4.0, 9.0],  # a + b = 7 in 2014; a alone in 2013
            "high": [3.0, 6.0, 4.0, 9.0],
        }
    )
    observations = pd.DataFrame(
        {
            "company_id": ["a_b", "a_b", "a_c"],
            "fiscal_year": [2014, 2013, 2014],
            "value": [5.0, 1.0, 100.0],
            "bound": ["upper", "upper", "point"],  # 2013: b has no estimate; a point is no bound
            "source_id": ["s1", "s2", "s3"],
        }
    )
    members = {"a_b": ("a", "b"), "a_c": ("a", "c")}
    out = apply_sum_bounds(estimates, observations, members)
    # 2014: a + b at most 5 (s1): 1.5 and 3.5, as for Cloudwatt and Numergy's 2014 revenue.
    assert out["central"].tolist() == pytest.approx([1.5, 3.5, 4.0, 9.0])
    assert out["is_sum_constrained"].tolist() == [True, True, False, False]
    assert out["sum_bound_source_ids"].tolist() == [("s1",), ("s1",), (), ()]
    assert estimates["central"].tolist() == [2.0, 5.0, 4.0, 9.0]
