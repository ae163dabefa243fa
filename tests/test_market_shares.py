"""Shares by provider and origin, and the rest of the market (analysis.market.shares)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from market_frames import ENTITIES, FR_2021, MEMBERS, period, row

from analysis.core.evidence import estimate_by
from analysis.market.shares import (
    OTHER_UNKNOWN,
    SHARE_COLUMNS,
    by_origin,
    disjoint_shares,
    open_group_ids,
    shares_table,
    with_other_unknown,
)
from analysis.market.sizes import MarketInputError

# --------------------------------------------------------------------------- shares_table


def _raw_shares() -> pd.DataFrame:
    rows = [
        ("fr", "2021", "year", 2021, "aws", "revenue_share", 46.0, "point", "usine"),
        ("fr", "2021", "year", 2021, "aws", "revenue_share", 45.0, "point", "other"),  # conflict
        ("fr", "2021", "year", 2021, "us_big3", "growth_share", 80.0, "point", "usine"),  # metric
        # "under 16 %" (Synergy, Q3 2020): an upper bound
        ("eu", "2020-Q3", "quarter", 2020, "european_providers", "revenue_share", 16, "upper", "c"),
        ("eu", "2017", "year", 2017, "european_providers", "revenue_share", 26.0, "point", "a"),
        ("eu", "2017", "year", 2017, "european_providers", "revenue_share", 29.0, "point", "b"),
    ]
    columns = ["market_id", "period", "period_type", "year", "provider_id", "metric"]
    return pd.DataFrame(rows, columns=[*columns, "share_pct", "bound", "source_id"])


def test_shares_table_keeps_the_range_of_disagreeing_sources() -> None:
    raw = _raw_shares()
    before = raw.copy()
    fr = shares_table(raw, "fr")
    pd.testing.assert_frame_equal(raw, before)
    assert fr["provider_id"].tolist() == ["aws"]  # growth_share row left out
    assert row(fr, "aws")[list(SHARE_COLUMNS)].tolist() == [45.0, 45.5, 46.0]
    assert row(fr, "aws")["n_observations"] == 2


def test_shares_table_bounds_and_order() -> None:
    eu = shares_table(_raw_shares(), "eu")
    assert eu["period"].tolist() == ["2017", "2020-Q3"]  # sorted by year
    q3 = row(eu, "2020-Q3", "period")
    # "under 16 %": 16 is used as the figure, its low side marked open
    assert q3[list(SHARE_COLUMNS)].tolist() == [16.0, 16.0, 16.0]
    assert bool(q3["open_low"]) and not bool(q3["open_high"])
    growth = shares_table(_raw_shares(), "fr", metric="growth_share")
    assert growth["share_central_pct"].tolist() == [80.0]


def test_shares_table_accepts_evidence_output_and_latest_rule() -> None:
    raw = _raw_shares()
    keys = ["market_id", "period", "period_type", "year", "provider_id", "metric"]
    reduced = estimate_by(raw, keys, value_col="share_pct")  # the team's reduction step
    cols = ["period", "provider_id", *SHARE_COLUMNS]
    pd.testing.assert_frame_equal(shares_table(reduced, "eu")[cols], shares_table(raw, "eu")[cols])
    # Synergy revised its 2017 baseline (26 % in 2020, 29 % in 2025): "latest" takes 29
    dated = raw.assign(published=["2022", "2022", "2022", "2020-12", "2020-12", "2025"])
    latest = shares_table(dated, "eu", rule="latest", published_col="published")
    assert row(latest, "2017", "period")[list(SHARE_COLUMNS)].tolist() == [26.0, 29.0, 29.0]


def test_shares_table_refuses_impossible_shares() -> None:
    raw = _raw_shares()
    raw.loc[0, "share_pct"] = 146.0  # a typo: 146 %
    with pytest.raises(MarketInputError, match="outside 0-100"):
        shares_table(raw, "fr")
    with pytest.raises(MarketInputError, match="unknown market_id"):
        shares_table(raw, "world")


# --------------------------------------------------------------------------- disjoint


def test_members_replace_the_group_when_they_add_up() -> None:
    # France 2021 (Markess): 46 + 17 + 8 = 71 = big three; others 29
    t = FR_2021
    out = disjoint_shares(t, ENTITIES, MEMBERS)
    counted = dict(zip(out["provider_id"], out["is_counted"], strict=True))
    assert counted == {
        "aws": True,
        "microsoft": True,
        "google": True,
        "us_big3": False,
        "other_providers": True,  # opaque: overlaps nothing
    }
    assert "counted instead" in row(out, "us_big3")["overlap_note"]


def test_members_within_rounding_still_replace_the_group() -> None:
    # France 2022: 45 + 18 + 8 = 71 against a published 70: rounding (tolerance 0.5 x 4)
    t = period("fr", "2022", {"aws": 45, "microsoft": 18, "google": 8, "us_big3": 70})
    out = disjoint_shares(t, ENTITIES, MEMBERS)
    assert not row(out, "us_big3")["is_counted"]
    assert "71 vs group figure 70" in row(out, "us_big3")["overlap_note"]


def test_group_kept_when_members_do_not_add_up_or_are_partial() -> None:
    # members 71 against a group 80: not rounding, keep the group and say why
    t = period("x", "2021", {"aws": 46, "microsoft": 17, "google": 8, "us_big3": 80})
    out = disjoint_shares(t, ENTITIES, MEMBERS)
    assert row(out, "us_big3")["is_counted"]
    assert "add up to 71" in row(out, "us_big3")["overlap_note"]
    assert not out.loc[out["provider_id"] != "us_big3", "is_counted"].any()
    # worldwide 2022-Q2: big three 65 with only Amazon ~34 known: the group is counted
    q2 = disjoint_shares(period("w", "2022-Q2", {"aws": 34, "us_big3": 65}), ENTITIES, MEMBERS)
    assert row(q2, "us_big3")["is_counted"] and not row(q2, "aws")["is_counted"]
    assert row(q2, "aws")["overlap_note"] == "inside us_big3, counted there"


def test_prefer_group() -> None:
    t = period("fr", "2021", {"aws": 46, "microsoft": 17, "google": 8, "us_big3": 71})
    out = disjoint_shares(t, ENTITIES, MEMBERS, prefer="group")
    assert out.loc[out["is_counted"], "provider_id"].tolist() == ["us_big3"]
    with pytest.raises(MarketInputError, match="prefer"):
        disjoint_shares(t, ENTITIES, MEMBERS, prefer="biggest")


def test_open_group_covers_companies_of_its_origin() -> None:
    # Europe 2021: European providers 16 % already include OVHcloud and Deutsche Telekom
    t = period(
        "eu",
        "2021",
        {"us_big3": 69, "european_providers": 16, "ovhcloud": 2, "deutsche_telekom": 2},
    )
    out = disjoint_shares(t, ENTITIES, MEMBERS)
    assert out.loc[out["is_counted"], "provider_id"].tolist() == ["us_big3", "european_providers"]
    assert row(out, "ovhcloud")["overlap_note"] == "inside european_providers, counted there"


def test_members_listed_for_an_open_group_keep_it_open() -> None:
    # group_members.csv names OVHcloud among the European providers, but the group is open
    # (entities.csv says so): it still covers every European company of the period
    entities = ENTITIES.assign(membership="")
    entities.loc[entities["entity_id"] == "european_providers", "membership"] = "open"
    members = pd.concat(
        [MEMBERS, pd.DataFrame({"group_id": ["european_providers"], "member_id": ["ovhcloud"]})]
    )
    assert open_group_ids(entities) == {"european_providers"}
    t = period("eu", "2021", {"european_providers": 16, "deutsche_telekom": 2})
    out = disjoint_shares(t, entities, members)
    # closed, the group would cover OVHcloud only and both rows would be counted
    assert (
        row(out, "deutsche_telekom")["overlap_note"] == "inside european_providers, counted there"
    )
    origins = by_origin(t, entities, members)
    assert not row(origins, "european", "origin_group")["is_lower_bound"]  # the whole origin


def test_open_group_ids_read_the_membership_column() -> None:
    entities = pd.DataFrame({"entity_id": ["a", "b", "c"], "membership": ["open", "closed", None]})
    assert open_group_ids(entities) == {"a"}
    assert open_group_ids(entities.drop(columns=["membership"])) == set()


def test_unknown_provider_is_refused() -> None:
    with pytest.raises(MarketInputError, match="scaleway"):
        disjoint_shares(period("fr", "2021", {"scaleway": 1}), ENTITIES, MEMBERS)


# --------------------------------------------------------------------------- rest of market


def test_other_unknown_is_the_explicit_rest() -> None:
    t = period(
        "eu",
        "2021",
        {"us_big3": 69, "european_providers": (15, 16, 16), "ovhcloud": 2},
    )
    before = t.copy()
    out = with_other_unknown(disjoint_shares(t, ENTITIES, MEMBERS))
    pd.testing.assert_frame_equal(t, before)
    rest = row(out, OTHER_UNKNOWN)
    # counted: 69 + 16 (OVHcloud is inside the European figure) -> rest 15; from the
    # European low end 15: rest up to 16
    assert rest[list(SHARE_COLUMNS)].tolist() == [15.0, 15.0, 16.0]
    assert rest["is_residual"] and not rest["is_over_100"]
    # known rows are untouched: nothing spread over them
    known = out.loc[~out["is_residual"]].set_index("provider_id")
    assert known.loc["us_big3", "share_central_pct"] == 69.0
    assert out.loc[out["is_counted"], "share_central_pct"].sum() == pytest.approx(100.0)


def test_other_unknown_zero_when_sources_cover_the_market() -> None:
    # France 2022: 45 + 18 + 8 + others 29 = 100
    t = period("fr", "2022", {"aws": 45, "microsoft": 18, "google": 8, "other_providers": 29})
    out = with_other_unknown(disjoint_shares(t, ENTITIES, MEMBERS))
    assert row(out, OTHER_UNKNOWN)["share_central_pct"] == 0.0  # shown, as zero


def test_rounding_and_overflow() -> None:
    # 46 + 18 + 8 + 29 = 101: within rounding of 4 shares (2 points): rest 0, not flagged
    ok = with_other_unknown(
        period("fr", "2022", {"aws": 46, "microsoft": 18, "google": 8, "other_providers": 29})
    )
    assert not ok["is_over_100"].any()
    assert row(ok, OTHER_UNKNOWN)["share_central_pct"] == 0.0
    # 60 + 30 + 20 = 110: sources conflict; flagged, rest floored at 0
    bad = with_other_unknown(period("x", "2021", {"aws": 60, "microsoft": 30, "google": 20}))
    assert bad["is_over_100"].all()
    assert row(bad, OTHER_UNKNOWN)["share_central_pct"] == 0.0
    assert bad["known_sum_pct"].iloc[0] == 110.0


def test_with_other_unknown_is_idempotent_and_handles_periods_apart() -> None:
    t = pd.concat(
        [
            period("fr", "2021", {"aws": (44, 46, 48), "microsoft": 17}),  # rest 37 (35-39)
            period("fr", "2022", {"aws": 45}),  # rest 55
        ]
    )
    once = with_other_unknown(t)
    twice = with_other_unknown(once)
    pd.testing.assert_frame_equal(once, twice)
    rest = once.loc[once["is_residual"]].set_index("period")
    assert rest.loc["2021", list(SHARE_COLUMNS)].tolist() == [35.0, 37.0, 39.0]
    assert rest.loc["2022", "share_central_pct"] == 55.0


@settings(deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0.0, 60.0, allow_nan=False), min_size=1, max_size=6),
        min_size=1,
        max_size=3,
    )
)
def test_shares_never_exceed_100_after_rest_is_added(periods: list[list[float]]) -> None:
    frames = []
    for i, values in enumerate(periods):
        shares = {pid: v for pid, v in zip(ENTITIES["entity_id"][:6], values, strict=False)}
        frames.append(period("x", str(2015 + i), shares))
    out = with_other_unknown(pd.concat(frames, ignore_index=True))
    for _, rows in out.groupby("period"):
        counted = rows.loc[rows["is_counted"]]
        total = counted["share_central_pct"].sum()
        known = counted.loc[~counted["is_residual"], "share_central_pct"].sum()
        tolerance = 0.5 * (len(counted) - 1)
        assert (counted[list(SHARE_COLUMNS)] >= 0).all().all()  # the rest is never negative
        assert bool(rows["is_over_100"].iloc[0]) == (known > 100 + tolerance)
        if not rows["is_over_100"].iloc[0]:
            assert total <= 100 + tolerance + 1e-9
        if known <= 100:
            assert total == pytest.approx(100.0)


# --------------------------------------------------------------------------- origin


def test_by_origin_france_uses_members_and_says_so() -> None:
    t = FR_2021
    out = by_origin(t, ENTITIES, MEMBERS)
    assert out["origin_group"].tolist() == ["us", "unattributed"]  # no European figure: no row
    us = row(out, "us", "origin_group")
    assert us["share_central_pct"] == 71.0
    assert us["basis"] == "aws+microsoft+google"
    assert "us_big3 not added" in us["note"]
    assert us["is_lower_bound"]  # only the big three are named, not every US provider
    assert row(out, "unattributed", "origin_group")["share_central_pct"] == 29.0


def test_by_origin_europe_french_part_and_additivity() -> None:
    t = period(
        "eu",
        "2021",
        {"us_big3": 69, "european_providers": 16, "ovhcloud": 2, "deutsche_telekom": 2},
    )
    out = by_origin(t, ENTITIES, MEMBERS).set_index("origin_group")
    assert out.loc["european", "share_central_pct"] == 16.0
    assert not out.loc["european", "is_lower_bound"]  # the open group covers all Europeans
    assert out.loc["french", "share_central_pct"] == 2.0  # OVHcloud, inside the 16
    assert not out.loc["french", "is_additive"]
    assert out.loc["french", "is_lower_bound"]  # only OVHcloud is named
    assert out.loc[out["is_additive"], "share_central_pct"].sum() == pytest.approx(100.0)
    assert out.loc["unattributed", "share_central_pct"] == 15.0


def test_by_origin_other_origin_and_ranges() -> None:
    # Gartner IaaS 2021: Amazon 38.9, Microsoft 21.1, Google 7.1 (6.9-7.1), Alibaba 9.5-9.8
    t = period(
        "w",
        "2021",
        {
            "aws": (38.1, 38.9, 38.9),
            "microsoft": 21.1,
            "google": (6.9, 7.1, 7.1),
            "alibaba": (9.5, 9.5, 9.8),
        },
    )
    out = by_origin(with_other_unknown(t), ENTITIES, MEMBERS).set_index("origin_group")
    assert out.loc["us", list(SHARE_COLUMNS)].tolist() == pytest.approx([66.1, 67.1, 67.1])
    assert out.loc["other", "share_central_pct"] == 9.5
    # unattributed = 100 - (us + other): 100 - 76.9 = 23.1 (range 100 - 76.9 .. 100 - 75.6)
    assert out.loc["unattributed", list(SHARE_COLUMNS)].tolist() == pytest.approx(
        [23.1, 23.4, 24.4]
    )
