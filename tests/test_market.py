"""Market sizes, growth rates and scale (analysis.market.sizes): hand-worked and property tests."""

from __future__ import annotations

import math

import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.market.releases import (
    growth_checks,
    release_clusters,
    release_pairs,
    same_release,
    with_releases,
)
from analysis.market.scale import FxAssumption, scale_against_market, scale_table
from analysis.market.sizes import (
    MarketInputError,
    cagr,
    cagr_over_window,
    decimal_year,
    market_definition,
    period_midyear,
    size_series,
)

# --------------------------------------------------------------------------- cagr


@pytest.mark.parametrize(
    ("start", "end", "years", "expected"),
    [
        (100, 121, 2, 0.10),  # 1.1 ** 2 = 1.21
        (100, 100, 5, 0.0),  # flat
        (200, 50, 2, -0.5),  # (50 / 200) ** 0.5 - 1 = 0.5 - 1: a fall
        (1.4, 2.5, 2, 0.3363062096),  # French IaaS+PaaS 2020 -> 2022, one page: (2.5/1.4)**0.5 - 1
        (100, 150, 0.5, 1.25),  # half a year: 1.5 ** 2 - 1
    ],
)
def test_cagr_hand_examples(start: float, end: float, years: float, expected: float) -> None:
    result = cagr(start, end, years)
    assert result.rate == pytest.approx(expected, abs=1e-9)
    assert result.reason == ""
    assert result.pct == pytest.approx(expected * 100, abs=1e-7)


def test_cagr_matches_numpy_financial() -> None:
    # outside oracle: npf.rate(nper, pmt, pv, fv) with pv paid out and fv received
    assert cagr(5.9, 16.0, 5).rate == pytest.approx(npf.rate(5, 0, -5.9, 16.0), rel=1e-9)


@pytest.mark.parametrize(
    ("start", "end", "years", "reason_part"),
    [
        (0, 121, 2, "start value is zero"),  # no rate from nothing
        (100, 0, 2, "end value is zero"),  # Cloudwatt shut down: -100 % is no compound rate
        (-5, 121, 2, "negative"),  # a loss, not a size
        (100, -1, 2, "negative"),
        (math.nan, 121, 2, "missing"),  # undisclosed start
        (100, math.nan, 2, "missing"),
        (100, 121, 0, "years must be positive"),  # same year twice
        (100, 121, -1, "years must be positive"),  # reversed window
        (100, math.inf, 2, "infinite"),
        (None, 121, 2, "not a number"),
    ],
)
def test_cagr_refuses_with_reason(start, end, years, reason_part: str) -> None:
    result = cagr(start, end, years)
    assert math.isnan(result.rate)
    assert reason_part in result.reason


@given(
    start=st.floats(0.01, 1e6),
    growth=st.floats(-0.9, 5.0),
    years=st.floats(0.25, 30.0),
)
def test_cagr_is_consistent_with_compounding(start: float, growth: float, years: float) -> None:
    end = start * (1 + growth) ** years
    rate = cagr(start, end, years).rate
    assert start * (1 + rate) ** years == pytest.approx(end, rel=1e-9)
    assert rate == pytest.approx(growth, rel=1e-6, abs=1e-9)


# --------------------------------------------------------------------------- size series


def _sizes() -> pd.DataFrame:
    rows = [
        # market, period, type, year, value, bound, forecast, source
        ("fr", "2021", "year", 2021, 16.0, "point", False, "lemagit"),
        ("fr", "2021", "year", 2021, 15.0, "point", False, "other"),  # conflict: 15 vs 16
        ("fr", "2019", "year", 2019, 10.0, "lower", False, "gouv"),  # "more than 10 bn"
        ("fr", "2025", "year", 2025, 27.0, "point", True, "afp"),  # a forecast
        ("fr", "2021", "year", 2021, 14.0, "point", True, "old"),  # forecast for an actual year
        ("fr", "2020-Q3", "quarter", 2020, 3.0, "point", False, "q"),  # not annual
        ("eu", "2024", "year", 2024, 61.0, "point", False, "synergy"),  # another market
    ]
    columns = ["market_id", "period", "period_type", "year", "value", "bound", "is_forecast"]
    frame = pd.DataFrame([r[:7] for r in rows], columns=columns)
    frame["metric"] = "size_eur_bn"
    frame["source_id"] = [r[7] for r in rows]
    return frame


def test_size_series_reduces_conflicts_and_drops_forecasts() -> None:
    sizes = _sizes()
    before = sizes.copy()
    out = size_series(sizes, "fr")
    pd.testing.assert_frame_equal(sizes, before)  # input untouched
    assert out["year"].tolist() == [2019, 2021]
    y2021 = out.loc[out["year"] == 2021].iloc[0]
    # 15 and 16 -> low 15, median 15.5, high 16; the 14 forecast is not used
    assert (y2021["low"], y2021["central"], y2021["high"]) == (15.0, 15.5, 16.0)
    assert set(y2021["source_ids"]) == {"lemagit", "other"}
    y2019 = out.loc[out["year"] == 2019].iloc[0]
    assert y2019["central"] == 10.0
    assert bool(y2019["open_high"])  # "more than 10": the high side is open
    assert not out["is_forecast"].any()


def test_size_series_forecasts_only_fill_missing_years() -> None:
    out = size_series(_sizes(), "fr", include_forecast=True)
    assert out["year"].tolist() == [2019, 2021, 2025]
    assert out.set_index("year").loc[2021, "central"] == 15.5  # actuals win over the 14 forecast
    assert out.set_index("year").loc[2025, "is_forecast"]


def test_size_series_accepts_reduced_frames_and_refuses_duplicates() -> None:
    reduced = pd.DataFrame(
        {
            "market_id": ["fr", "fr"],
            "period_type": ["year", "year"],
            "year": [2020, 2022],
            "metric": ["size_eur_bn", "size_eur_bn"],
            "low": [1.4, 2.3],
            "central": [1.4, 2.5],
            "high": [1.4, 2.6],
        }
    )
    out = size_series(reduced, "fr")
    assert out["central"].tolist() == [1.4, 2.5]
    with pytest.raises(MarketInputError, match="reduce it once"):
        size_series(pd.concat([reduced, reduced]), "fr")


def test_size_series_unknown_market() -> None:
    with pytest.raises(MarketInputError, match="unknown market_id 'de'"):
        size_series(_sizes(), "de")


# --------------------------------------------------------------------------- window growth


def test_cagr_over_window_uses_nearest_years_inside() -> None:
    series = pd.DataFrame(
        {
            "year": [2007, 2016, 2021, 2030],  # 2007 and 2030 fall outside 2012-2025
            "low": [0.9, 5.0, 15.0, 40.0],
            "central": [0.9, 5.9, 16.0, 40.0],
            "high": [0.9, 6.0, 17.0, 40.0],
        }
    )
    r = cagr_over_window(series, 2012, 2025)
    assert (r["start_year"], r["end_year"], r["years"]) == (2016, 2021, 5.0)
    assert r["cagr_central_pct"] == pytest.approx(22.0826, abs=1e-3)  # (16 / 5.9) ** 0.2 - 1
    assert r["cagr_low_pct"] == pytest.approx(20.1124, abs=1e-3)  # (15 / 6) ** 0.2 - 1
    assert r["cagr_high_pct"] == pytest.approx(27.7308, abs=1e-3)  # (17 / 5) ** 0.2 - 1
    assert r["reason"] == ""
    assert not r["is_from_bound"]


def test_cagr_over_window_needs_two_years() -> None:
    series = pd.DataFrame({"year": [2021, 2030], "value": [16.0, 40.0]})
    r = cagr_over_window(series, 2012, 2025)  # only 2021 inside
    assert math.isnan(r["cagr_central_pct"])
    assert "fewer than two years" in r["reason"] and "2021" in r["reason"]


def test_cagr_over_window_flags_bounds_and_bad_windows() -> None:
    series = pd.DataFrame(
        {
            "year": [2019, 2021],
            "value": [10.0, 16.0],
            "open_low": [False, False],
            "open_high": [True, False],  # 2019 is "more than 10 bn"
        }
    )
    assert cagr_over_window(series, 2019, 2021)["is_from_bound"]
    with pytest.raises(MarketInputError, match="before its end"):
        cagr_over_window(series, 2021, 2021)


# --------------------------------------------------------------------------- definitions


def test_market_definition() -> None:
    markets = pd.DataFrame(
        {
            "market_id": ["fr_cloud", "eu_cloud"],
            "geography": ["France", "Europe"],
            "scope": ["all cloud (SaaS+PaaS+IaaS)", "cloud infrastructure services"],
            "analyst": ["Markess by Exaegis", None],  # no analyst named: left out
            "currency": ["EUR", "EUR"],
            "definition": ["spending by French organisations", ""],
        }
    )
    assert market_definition(markets, "fr_cloud") == (
        "all cloud (SaaS+PaaS+IaaS), France (Markess by Exaegis; EUR): "
        "spending by French organisations"
    )
    assert market_definition(markets, "eu_cloud") == "cloud infrastructure services, Europe (EUR)"
    with pytest.raises(MarketInputError, match="unknown market_id"):
        market_definition(markets, "worldwide")


# --------------------------------------------------------------------------- periods


def test_period_midyear() -> None:
    assert period_midyear("2021") == 2021.5
    assert period_midyear("2020-Q3") == 2020.625  # 2020 + 2.5 quarters
    assert period_midyear("2023-H1") == 2023.25
    assert period_midyear("2021-Q3 to 2022-Q2", "trailing_4q") == 2022.0
    assert period_midyear("2021-Q3/2022-Q2", "trailing_4q") == 2022.0  # as written in data/
    for bad in ("2021-Q5", "c. 2014", "2021-H3"):
        with pytest.raises(MarketInputError):
            period_midyear(bad)


def test_decimal_year_places_a_date_at_its_start() -> None:
    assert decimal_year("2016") == 2016.0  # "2016 (approx.)": the start of the year
    assert decimal_year("2020-Q1") == 2020.0
    assert decimal_year("2015-03") == pytest.approx(2015 + 59 / 365)  # 1 March, day 60
    assert decimal_year("2020-02-01") == pytest.approx(2020 + 31 / 366)  # a leap year


# --------------------------------------------------------------------------- scale


def test_scale_against_market() -> None:
    assert scale_against_market(2.0, 2.0) == pytest.approx(0.1)  # 2 M of 2,000 M
    # Cloudwatt-sized revenue (0.1 M EUR) against IDC's 2.64 bn EUR: 0.1 / 2640 * 100
    assert scale_against_market(0.1, 2.64) == pytest.approx(0.0037879, rel=1e-4)
    assert math.isnan(scale_against_market(2.0, 0.0))  # no market
    assert math.isnan(scale_against_market(-1.0, 2.0))  # a loss is not a revenue
    assert math.isnan(scale_against_market(math.nan, 2.0))
    out = scale_against_market([1000.0, 2.0], [10.0, 2.0])
    assert out.tolist() == pytest.approx([10.0, 0.1])


def _eur_market() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "market_id": "fr",
            "metric": "size_eur_bn",
            "year": [2014, 2015],
            "low": [1.4, 1.7],
            "central": [1.5, 1.7],
            "high": [2.0, 1.7],
        }
    )


def test_scale_table_eur() -> None:
    revenues = pd.DataFrame(
        {
            "company_id": ["cloudwatt", "numergy", "numergy"],
            "year": [2014, 2014, 2016],  # no market figure for 2016
            "revenue_low_eur_m": [1.0, 2.0, 5.0],
            "revenue_central_eur_m": [2.0, 5.0, 5.0],
            "revenue_high_eur_m": [3.0, 6.0, 5.0],
        }
    )
    before = revenues.copy()
    out = scale_table(revenues, _eur_market())
    pd.testing.assert_frame_equal(revenues, before)
    cw = out.loc[out["company_id"] == "cloudwatt"].iloc[0]
    assert cw["share_of_market_low_pct"] == pytest.approx(0.05)  # 1 M / 2.0 bn
    assert cw["share_of_market_central_pct"] == pytest.approx(0.133333, rel=1e-5)  # 2 / 1.5 bn
    assert cw["share_of_market_high_pct"] == pytest.approx(0.2142857, rel=1e-6)  # 3 / 1.4 bn
    nm2016 = out.loc[(out["company_id"] == "numergy") & (out["year"] == 2016)].iloc[0]
    assert math.isnan(nm2016["share_of_market_central_pct"])  # missing, not dropped
    assert (out["fx_assumption"] == "").all()


def test_scale_table_refuses_usd_without_named_rate() -> None:
    usd = _eur_market().assign(metric="size_usd_bn", low=10.0, central=10.0, high=10.0)
    revenues = pd.DataFrame({"company_id": ["ovhcloud"], "year": [2014], "revenue_eur_m": [90.0]})
    with pytest.raises(MarketInputError, match="USD"):
        scale_table(revenues, usd)
    out = scale_table(revenues, usd, fx=FxAssumption("flat 0.90 EUR per USD", 0.9))
    # 10 bn USD x 0.9 = 9 bn EUR; 90 M EUR / 9 bn EUR = 1 %
    assert out.loc[0, "share_of_market_central_pct"] == pytest.approx(1.0)
    assert out.loc[0, "market_size_central_eur_bn"] == pytest.approx(9.0)
    assert out.loc[0, "fx_assumption"] == "flat 0.90 EUR per USD"


def test_fx_assumption_validation() -> None:
    with pytest.raises(MarketInputError, match="name"):
        FxAssumption(" ", 0.9)
    with pytest.raises(MarketInputError, match="positive"):
        FxAssumption("bad", -1.0)
    yearly = FxAssumption("ECB annual averages", {2014: 0.75, 2015: 0.9})
    assert yearly.rate_for(2015) == 0.9
    with pytest.raises(MarketInputError, match="no rate for 2016"):
        yearly.rate_for(2016)


def test_scale_table_refuses_other_metrics_and_duplicates() -> None:
    growth = _eur_market().assign(metric="growth_pct")
    revenues = pd.DataFrame(
        {"company_id": ["a", "a"], "year": [2014, 2014], "revenue_eur_m": [1, 2]}
    )
    with pytest.raises(MarketInputError, match="not a size"):
        scale_table(revenues.iloc[:1], growth)
    with pytest.raises(MarketInputError, match="several rows per company"):
        scale_table(revenues, _eur_market())


# --------------------------------------------------------------------------- releases

_SOURCES = pd.DataFrame(
    {
        "source_id": ["silicon", "lmi", "fierce", "capacity22", "capacity20", "techerati"],
        "publisher": ["Silicon.fr", "LMI", "Fierce", "Capacity", "Capacity", "Techerati"],
        "published": ["2023-07", None, None, None, None, "2021-01-18"],
        "published_approx": [None, "2022-05", "2022-09", "2022-09", "2020-12", None],
    }
)


def _rows(*rows: tuple) -> pd.DataFrame:
    """(year, value, bound, source_id, release_note) rows with their releases."""
    frame = pd.DataFrame(rows, columns=["year", "value", "bound", "source_id", "release_note"])
    return with_releases(frame, _SOURCES)


def test_with_releases_reads_notes_and_page_dates() -> None:
    out = _rows(
        (2017, 27.0, "point", "fierce", "Synergy release of 2022"),
        (2022, 13.0, "point", "capacity22", None),
        (2020, 66.0, "point", "techerati", None),
    )
    assert out["release_key"].tolist() == ["2022", "", ""]
    assert out["page_date"].tolist() == ["2022-09", "2022-09", "2021-01"]
    # the note names the release; without one, the publisher and the page's date
    assert out["release_label"].tolist() == [
        "Synergy release of 2022",
        "Capacity (c. 2022-09)",
        "Techerati (2021-01)",
    ]


def test_same_release_rules() -> None:
    rows = _rows(
        (2017, 27.0, "point", "fierce", "Synergy release of 2022"),  # 0
        (2022, 13.0, "point", "capacity22", None),  # 1: dated 2022-09, inside the 2022 release
        (2017, 26.0, "point", "capacity20", "Synergy release of 2020"),  # 2
        (2020, 16.0, "upper", "capacity20", None),  # 3: same page as row 2
        (2020, 66.0, "point", "techerati", None),  # 4: dated 2021-01: not the 2020 release
        (2021, 1.43, "point", "lmi", None),  # 5
    ).to_dict("records")
    assert same_release(rows[0], rows[1])  # a note's year and a page dated within it
    assert same_release(rows[2], rows[3])  # one page
    assert not same_release(rows[2], rows[4])  # the note says 2020, the page 2021-01
    assert not same_release(rows[1], rows[5])  # two pages, no note: never assumed
    assert not same_release(rows[0], rows[2])  # two different notes
    # a note naming only a year cannot tell two releases of that year apart: a page of the
    # same series dated in 2022 is taken to be of the 2022 release (callers pass one series)
    assert same_release(rows[0], rows[5])
    clusters = release_clusters(pd.DataFrame(rows[:5]))
    assert sorted(sorted(c) for c in clusters) == [[0, 1], [2, 3], [4]]


def test_release_pairs_only_within_a_release() -> None:
    rows = _rows(
        (2020, 1.4, "point", "silicon", None),
        (2021, 1.43, "point", "lmi", None),  # an earlier article: another release
        (2022, 2.5, "point", "silicon", None),
    )
    out = release_pairs(rows)
    # one pair, 2020-2022 on Silicon.fr's page: (2.5 / 1.4) ** 0.5 - 1 = 33.63 % a year; no
    # rate from 1.43 (2021) to 2.5 (2022), which would read +74.8 %
    assert out[["start_year", "end_year"]].values.tolist() == [[2020, 2022]]
    assert out.loc[0, "cagr_pct"] == pytest.approx(((2.5 / 1.4) ** 0.5 - 1) * 100)
    assert out.loc[0, "bound"] == ""
    # a start that is only a lower bound makes the rate "at most"
    bounded = release_pairs(
        _rows((2020, 23.0, "lower", "capacity20", None), (2024, 61.0, "point", "capacity20", None))
    )
    assert bounded.loc[0, "bound"] == "at most"
    assert bounded.loc[0, "cagr_pct"] == pytest.approx(((61 / 23) ** 0.25 - 1) * 100)


def test_growth_checks_flag_releases_that_do_not_fit() -> None:
    sizes = _rows(
        (2020, 1.4, "point", "silicon", None),
        (2021, 1.43, "point", "lmi", None),
    )
    growth = _rows(
        (2021, 35.0, "point", "lmi", None),
        (2021, 35.0, "point", "capacity22", None),  # the same figure on another page
    )
    out = growth_checks(sizes, growth)
    assert len(out) == 1  # one check per published figure
    row = out.iloc[0]
    # 1.43 / 1.4 - 1 = 2.14 %; rounding allows 1.425 / 1.45 - 1 = -1.7 % to 1.435 / 1.35 - 1
    # = 6.3 %, far from the published 34.5 to 35.5 %
    assert row["implied_pct"] == pytest.approx((1.43 / 1.4 - 1) * 100)
    assert not row["fits"] and not row["is_same_release"]
    # Gartner's 2021 release: 64.286 -> 90.894 is +41.39 %, published 41.4: fits
    gartner = _rows(
        (2020, 64.286, "point", "fierce", "Gartner release of 2022"),
        (2021, 90.894, "point", "fierce", "Gartner release of 2022"),
    )
    rate = _rows((2021, 41.4, "point", "fierce", "Gartner release of 2022"))
    checked = growth_checks(gartner, rate).iloc[0]
    assert checked["fits"] and checked["is_same_release"]
