"""What the market report reads off the data (analysis.market.facts), on tiny literal frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from market_frames import period

from analysis.market.columns import SHARE_COLUMNS
from analysis.market.facts import (
    big3_share,
    changes_by_release,
    latest_concentration,
    merge_close_milestones,
    milestones,
    origin_change,
    published_growth,
    reference_market,
    release_change,
    revenue_estimates,
    yearly_shares,
)
from analysis.report.blocks import disagreements

MEMBERS = pd.DataFrame({"group_id": "us_big3", "member_id": ["aws", "microsoft", "google"]})
ENTITIES = pd.DataFrame(
    {"entity_id": ["cloudwatt", "numergy", "orange", "sfr"], "name": ["CW", "NU", "OR", "SFR"]}
)


# --------------------------------------------------------------------------- milestones


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity_id": ["cloudwatt", "cloudwatt", "numergy"],
            "event_type": ["founded", "founded", "founded"],
            # two dates for one event: the precise value row wins over the month
            "date": ["2012-09-06", "2012-10", "2012-09"],
            "label": ["CW registered", "CW created (Oct)", "NU created"],
            "value_origin": ["value", "value", "value"],
            "source_id": ["wiki", "channelnews", "bfm"],
        }
    )


def _capital() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "company_id": ["cloudwatt", "cloudwatt", "numergy", "numergy"],
            "investor_id": ["orange", "orange", "sfr", "sfr"],
            "event_type": ["buyout_completed"] * 2 + ["buyout_price", "buyout_completed"],
            # the worded date is more precise but judged wrong: the value row wins
            "period_start": ["2015", "2015-01-15", "2015", pd.NA],
            "value_origin": ["value", "wording", "value", "value"],
            "source_id": ["nextinpact", "itforbusiness", "jdn", "lmi"],
        }
    )


def test_milestones_prefer_value_rows_then_precision() -> None:
    specs = [
        ("events", "cloudwatt", "founded"),
        ("events", "numergy", "founded"),
        ("capital_events", "cloudwatt", "buyout_completed"),
        ("capital_events", "numergy", "buyout_completed"),  # no date: left out
        ("events", "ovhcloud", "ipo_listing"),  # not in the data: left out
    ]
    out = milestones(_events(), _capital(), ENTITIES, specs)
    assert out["date"].tolist() == ["2012-09", "2012-09-06", "2015"]
    assert out["label"].tolist() == ["NU created", "CW registered", "CW bought out by OR"]
    assert out["n_dates"].tolist() == [1, 2, 2]
    assert out["source_id"].tolist() == ["bfm", "wiki", "nextinpact"]
    assert out["x"].tolist() == pytest.approx([2012 + 8 / 12, 2012 + 249 / 366, 2015.0], abs=1e-3)


def test_milestones_refuse_an_unknown_table() -> None:
    with pytest.raises(ValueError, match="milestone table"):
        milestones(_events(), _capital(), ENTITIES, [("financials", "cloudwatt", "x")])


def test_merge_close_milestones_keeps_far_ones_apart() -> None:
    ms = pd.DataFrame(
        {
            "date": ["2012-09", "2012-10-02", "2012-12-20", "2015-03-20"],
            "x": [2012.667, 2012.751, 2012.970, 2015.214],  # a chain: each within 0.25 of the last
            "label": ["A", "B", "C", "D"],
            "source_id": ["s1", "s2", "s3", "s4"],
        }
    )
    out = merge_close_milestones(ms)
    assert out["label"].tolist() == ["A; B; C", "D"]
    assert out["source_id"].tolist() == ["s1;s2;s3", "s4"]
    assert merge_close_milestones(ms, within_years=0.05)["label"].tolist() == list("ABCD")


# --------------------------------------------------------------------------- series


def test_reference_market_counts_figures_in_the_window() -> None:
    shares = pd.DataFrame(
        {
            "market_id": ["a", "a", "b", "b", "c"],
            "metric": ["revenue_share"] * 4 + ["growth_share"],  # c: not a revenue share
            "period": ["2021", "2022", "2014", "2021", "2021"],
            "year": [2021, 2022, 2014, 2021, 2021],
        }
    )
    assert reference_market(shares, ["a", "b", "c"], 2012, 2025) == "a"  # 2 figures against 2: a
    assert reference_market(shares, ["a", "b", "c"], 2012, 2015) == "b"  # only b in 2012-2015
    assert reference_market(shares, ["c"], 2012, 2025) is None


def test_big3_share_group_members_and_partial_periods() -> None:
    table = pd.concat(
        [
            period("w", "2021", {"us_big3": 69}),  # group only
            period("w", "2022", {"aws": 45, "microsoft": 18, "google": 8}),  # members only
            period("w", "2023", {"aws": 46, "microsoft": 17, "google": 8, "us_big3": 70}),  # both
            period("w", "2024", {"aws": 30, "microsoft": 20}),  # google missing: no figure
        ]
    )
    out = big3_share(table, MEMBERS).set_index("period")
    assert list(out.index) == ["2021", "2022", "2023"]
    assert out.loc["2021", list(SHARE_COLUMNS)].tolist() == [69, 69, 69]
    assert (
        out.loc["2022", "share_central_pct"] == 71 and out.loc["2022", "basis"] == "sum of members"
    )
    # 70 (group) and 71 (members, 46 + 17 + 8): the range spans both; the central value is
    # the group figure the source publishes, not a midpoint (70.5) no source gives
    assert out.loc["2023", list(SHARE_COLUMNS)].tolist() == [70, 70, 71]
    assert out.loc["2023", "basis"] == "group figure and sum of members"
    members = ["members_share_low_pct", "members_share_central_pct", "members_share_high_pct"]
    assert out.loc["2023", members].tolist() == [71] * 3
    assert math.isnan(out.loc["2021", "members_share_central_pct"])  # no member named


@given(
    st.lists(st.floats(0, 30), min_size=3, max_size=3),
    st.floats(0, 100),
    st.floats(0, 5),
)
def test_big3_share_range_is_ordered(members: list[float], group: float, spread: float) -> None:
    aws, microsoft, google = members
    table = period(
        "w",
        "2023",
        {
            "aws": (aws, aws, aws + spread),
            "microsoft": microsoft,
            "google": google,
            "us_big3": (max(0.0, group - spread), group, group),
        },
    )
    row = big3_share(table, MEMBERS).iloc[0]
    low, central, high = row[list(SHARE_COLUMNS)]
    assert low <= central <= high
    assert low <= min(group, sum(members)) + 1e-9
    assert high >= max(group, sum(members)) - 1e-9


def _origins(shares: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (p, "quarter" if "-Q" in p else "year", o, lo, c, hi, False)
            for p, o, lo, c, hi in shares
        ],
        columns=[
            "period",
            "period_type",
            "origin_group",
            "share_low_pct",
            "share_central_pct",
            "share_high_pct",
            "is_lower_bound",
        ],
    )


def test_origin_change_orders_periods_by_midpoint() -> None:
    origins = _origins(
        [
            ("2022", "european", 15, 15, 15),
            ("2022-Q2", "european", 13, 13, 13),  # mid-2022-Q2 comes before the year's midpoint
            ("2017", "european", 26, 27, 29),  # three releases disagree
            ("2024", "us", 70, 70, 70),  # another origin: ignored
        ]
    )
    change = origin_change(origins)
    assert (change["first_period"], change["latest_period"]) == ("2017", "2022")
    # reduced ranges only: 15 - 29, 15 - 27 (central), 15 - 26 (release_change pairs them)
    assert change[["change_low_pp", "change_central_pp", "change_high_pp"]].tolist() == [
        -14,
        -12,
        -11,
    ]
    assert origin_change(origins, "us") is None  # one period only


def test_latest_concentration_falls_back_by_tier() -> None:
    conc = pd.DataFrame(
        {
            "period": ["2021-Q3", "2022", "2024"],
            "period_type": ["quarter", "year", "year"],
            "cr3_low_pct": [63.0, 60.0, math.nan],
            "cr3_central_pct": [63.0, math.nan, math.nan],
            "cr3_high_pct": [63.0, 80.0, math.nan],
            "hhi_min": [1589.0, 1400.0, 500.0],
            "hhi_max": [1938.0, 2400.0, 3000.0],
            "n_named": [3, 2, 0],  # 2024: no CR3, only an HHI range
        }
    )
    assert latest_concentration(conc)["period"] == "2021-Q3"  # provider-level first
    assert latest_concentration(conc, min_named=4)["level"] == "group-level"  # then any CR3
    assert latest_concentration(conc.iloc[[2]])["level"] == "hhi-only"
    assert latest_concentration(conc.iloc[0:0]) is None


def test_yearly_shares_prefers_annual_figures() -> None:
    table = pd.concat(
        [
            period("w", "2021-Q4", {"aws": 33, "microsoft": 21}),
            period("w", "2021", {"aws": 32}),  # annual AWS figure: the Q4 one is not used
            period("w", "2022-Q3", {"aws": 34}),  # not a fourth quarter: never used
        ]
    )
    out = yearly_shares(table)
    assert list(zip(out["provider_id"], out["period"], strict=True)) == [
        ("aws", "2021"),
        ("microsoft", "2021-Q4"),
    ]


# --------------------------------------------------------------------------- revenues, conflicts


def test_revenue_estimates_leave_out_forecasts_and_inferred_years() -> None:
    fin = pd.DataFrame(
        {
            "company_id": ["cloudwatt"] * 4 + ["ovhcloud"],
            "metric": ["revenue_eur_m"] * 4 + ["headcount_employees"],
            "fiscal_year": pd.array([2014, 2014, 2014, 2014, 2014], dtype="Int64"),
            "value": [2.0, 3.0, 6.0, 2.0, 2000.0],
            "bound": ["approx", "upper", "point", "point", "point"],
            "is_forecast": [False, False, False, True, False],  # row 4: a forecast
            "is_period_inferred": [False, False, True, False, False],  # row 3: year inferred
            "source_id": ["a", "b", "wiki", "c", "d"],
        }
    )
    out, dropped = revenue_estimates(fin, ["cloudwatt", "ovhcloud"], 2012, 2025)
    assert dropped == 1
    row = out.iloc[0]
    assert (row["company_id"], row["year"]) == ("cloudwatt", 2014)
    assert row[["revenue_low_eur_m", "revenue_central_eur_m", "revenue_high_eur_m"]].tolist() == [
        2,
        2,
        3,
    ]
    assert revenue_estimates(fin, ["cloudwatt"], 2015, 2025)[0].empty


def test_disagreements_list_only_keys_that_differ() -> None:
    rows = pd.DataFrame(
        {
            "period": ["2017", "2017", "2022", "2022"],
            "share_pct": [26.0, 29.0, 15.0, 15.0],  # 2022: two sources agree
            "bound": ["point", "upper", "point", "point"],
            "release_note": ["release 2020", "", "", ""],
            "source_id": ["a", "b", "c", "d"],
        }
    )
    out = disagreements(rows, ["period"], "share_pct")
    assert out["period"].tolist() == ["2017"]
    assert out["detail"].tolist() == ["26 (release 2020); <= 29 (b)"]
    assert out["n_sources"].tolist() == [2]


# --------------------------------------------------------------------------- releases


def _synergy_europe() -> pd.DataFrame:
    """European providers' share of Europe (Synergy), as market_shares.csv and sources.csv
    give it, with the release columns of analysis.market.sizes.with_releases."""
    rows = [
        # period, type, share, bound, page, release note, page date
        ("2017", "year", 26.0, "point", "capacity-2020", "Synergy release of 2020", "2020-12"),
        ("2020-Q3", "quarter", 16.0, "upper", "capacity-2020", "", "2020-12"),  # "under 16 %"
        (
            "2021",
            "year_partial",
            16.0,
            "point",
            "repost-2021",
            "Synergy release of 2021-10",
            "2021-10",
        ),
        ("2017", "year", 27.0, "point", "fierce-2022", "Synergy release of 2022", "2022-09"),
        # no note: its page is dated 2022-09, inside the release Fierce's note names
        ("2022-Q2", "quarter", 13.0, "point", "capacity-2022", "", "2022-09"),
        ("2017", "year", 29.0, "point", "mobileeurope", "Synergy release of 2025", "2025"),
        ("2022", "year", 15.0, "point", "mobileeurope", "Synergy release of 2025", "2025"),
        ("2024", "year", 15.0, "point", "mobileeurope", "Synergy release of 2025", "2025"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "period",
            "period_type",
            "share_pct",
            "bound",
            "source_id",
            "release_note",
            "page_date",
        ],
    )
    return frame.assign(
        provider_id="european_providers",
        release_key=frame["release_note"]
        .str.extract(r"(\d{4}(?:-\d{2})?)", expand=False)
        .fillna(""),
        release_label=frame["release_note"].where(frame["release_note"] != "", frame["source_id"]),
    )


def test_changes_by_release_pair_figures_of_one_release() -> None:
    out = changes_by_release(_synergy_europe()).set_index("release_label")
    # 2020 release: 26 % (2017) to under 16 % (2020-Q3): at most 16 - 26 = -10 points
    assert out.loc["Synergy release of 2020", ["change_pp", "bound"]].tolist() == [-10.0, "at most"]
    # 2022 release: 27 % (2017, Fierce Telecom) to 13 % (2022-Q2, Capacity Media): -14
    assert out.loc["Synergy release of 2022", "change_pp"] == -14.0
    assert out.loc["Synergy release of 2022", "latest_period"] == "2022-Q2"
    # 2025 release: 29 % (2017) to 15 % (2024): -14
    assert out.loc["Synergy release of 2025", ["first_value", "latest_value"]].tolist() == [29, 15]
    assert out.loc["Synergy release of 2025", "change_pp"] == -14.0
    # a release with one period has no change
    assert math.isnan(out.loc["Synergy release of 2021-10", "change_pp"])


def test_release_change_takes_the_central_from_one_release() -> None:
    c = release_change(_synergy_europe(), "2017", "2024")
    # the 2024 figure (2025 release) against the 2017 figure of the same release: 15 - 29
    assert (c["first_central"], c["latest_central"], c["change_central_pp"]) == (29, 15, -14)
    # every pairing across releases: 15 - 29 = -14 to 15 - 26 = -11 (not the old -12
    # central, 15 minus the median 27 of three releases)
    assert (c["change_low_pp"], c["change_high_pp"]) == (-14.0, -11.0)
    assert c["is_same_release"] and c["release_label"] == "Synergy release of 2025"
    assert c["n_releases"] == 3
    assert release_change(_synergy_europe(), "2017", "2030") is None


def test_release_change_without_a_common_release_says_so() -> None:
    rows = _synergy_europe()
    rows = rows.loc[~((rows["period"] == "2017") & (rows["share_pct"] == 29))]
    c = release_change(rows, "2017", "2024")
    # no 2017 figure in the 2025 release: medians of each end, 15 - 26.5
    assert not c["is_same_release"] and c["release_label"] == ""
    assert c["change_central_pp"] == pytest.approx(15 - 26.5)


def test_published_growth_reads_the_market_rows_of_the_series() -> None:
    fin = pd.DataFrame(
        {
            "company_id": ["aws", "microsoft", "other_providers", "aws", "aws"],
            "market_id": ["fr", "fr", "fr", "fr", None],
            "metric": ["revenue_growth_pct"] * 4 + ["revenue_eur_m"],
            "fiscal_year": [2021, 2021, 2022, 2016, 2021],  # 2016: outside the window
            "value": [36.0, 53.0, 25.0, 60.0, 1.0],
            "bound": "point",
            "source_id": ["usine", "usine", "silicon", "old", "x"],
        }
    )
    out = published_growth(fin, "fr", 2020, 2025)
    assert out[["provider_id", "year", "central"]].values.tolist() == [
        ["aws", 2021, 36.0],
        ["microsoft", 2021, 53.0],
        ["other_providers", 2022, 25.0],
    ]
    assert published_growth(fin, "eu", 2020, 2025).empty


# --------------------------------------------------------------------------- one definition


def test_series_of_unclear_definition_is_never_the_reference() -> None:
    from analysis.market.facts import comparable_markets

    markets = pd.DataFrame(
        {
            "market_id": ["infra", "public", "unclear", "unnamed"],
            "scope": [
                "cloud_infrastructure_services",
                "iaas_paas",
                "definition_unclear",  # relayed under two definitions
                "cloud_unspecified",  # quoted without analyst or scope
            ],
        }
    )
    shares = pd.DataFrame(
        {
            "market_id": ["infra", "infra", "unclear", "unclear", "unclear"],
            "metric": "revenue_share",
            # the unclear series has the most figures: it would win on counts alone
            "period": ["2025-Q3", "2025-Q4", "2025-Q4", "2025-Q4", "2025-Q3"],
            "year": 2025,
        }
    )
    assert comparable_markets(markets) == ["infra", "public"]
    assert reference_market(shares, markets["market_id"], 2012, 2025) == "unclear"
    assert reference_market(shares, comparable_markets(markets), 2012, 2025) == "infra"
    # only unclear figures in the window: no reference series at all
    assert reference_market(shares, ["public"], 2012, 2025) is None


def test_big3_share_stays_within_its_series() -> None:
    """A group figure of another series (here of unclear definition) never mixes with the
    members' sum of the reference series: one series, one definition."""
    from analysis.market.shares import shares_table

    raw = pd.DataFrame(
        {
            "market_id": ["infra", "infra", "infra", "unclear"],
            "period": "2025-Q4",
            "period_type": "quarter",
            "year": 2025,
            "provider_id": ["aws", "microsoft", "google", "us_big3"],
            "metric": "revenue_share",
            "share_pct": [28.0, 21.0, 14.0, 68.0],  # members 63; 68 relayed, unclear base
            "bound": "point",
            "source_id": ["t", "t", "l", "c"],
        }
    )
    out = big3_share(shares_table(raw, "infra"), MEMBERS)
    assert out[list(SHARE_COLUMNS)].values.tolist() == [[63.0, 63.0, 63.0]]
    assert out["basis"].tolist() == ["sum of members"]


# --------------------------------------------------------------------------- growth


def test_latest_published_growth_is_one_release_and_never_a_forecast() -> None:
    from analysis.market.growth import latest_published_growth

    sizes = pd.DataFrame(
        {
            "market_id": ["w", "w", "w", "w", "w", "x"],
            "metric": "growth_pct",
            "period": ["2023", "2024-Q4", "2024-Q4", "2021/2025", "2025", "2025"],
            "period_type": ["year", "quarter", "quarter", "multi_year", "year", "year"],
            "year": [2023, 2024, 2024, 2025, 2025, 2025],
            "value": [19.0, 22.0, 20.0, 14.0, 25.0, 50.0],
            "is_forecast": [False, False, False, True, True, False],
            "source_id": ["a", "b", "c", "d", "e", "f"],
        }
    )
    # 2025 is a forecast, 2021/2025 a multi-year forecast, x another series: the latest
    # actual rate of w is 2024-Q4, where two sources give 20 and 22 (central: median 21)
    g = latest_published_growth(sizes, "w")
    assert (g["period"], g["growth_low_pct"], g["growth_central_pct"], g["growth_high_pct"]) == (
        "2024-Q4",
        20.0,
        21.0,
        22.0,
    )
    assert g["source_ids"] == ("b", "c")
    # a year beats a quarter of the same year
    annual = pd.concat([sizes, sizes.iloc[[0]].assign(period="2024", year=2024, value=18.0)])
    assert latest_published_growth(annual, "w")["period"] == "2024"
    assert latest_published_growth(sizes.iloc[[3, 4]], "w") is None  # forecasts only


@pytest.mark.parametrize(
    ("same", "bound", "flags"),
    [
        (False, "at most", ["mixes two releases", "an upper bound"]),  # the European case
        (False, "", ["mixes two releases"]),  # the worldwide case
        (True, "at least", ["a lower bound"]),
        (True, "", ["one release"]),
    ],
)
def test_growth_rate_label_says_when_it_mixes_releases_or_is_a_bound(same, bound, flags) -> None:
    from analysis.report.market.page import growth_rate_label

    label = growth_rate_label(same, bound)
    assert all(flag in label for flag in flags)
    assert ("mixes" in label) is (not same)
