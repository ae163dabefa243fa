"""Relative share and provider growth against the market (analysis.market.position)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from market_frames import ENTITIES, MEMBERS, period

from analysis.market.position import provider_growth, relative_share
from analysis.market.sizes import MarketInputError

# --------------------------------------------------------------------------- relative share


def test_relative_share_with_ranges() -> None:
    t = period("fr", "2022", {"aws": (44, 45, 46), "microsoft": 18, "us_big3": 70})
    out = relative_share(t, ENTITIES, MEMBERS).set_index("provider_id")
    assert list(out.index) == ["aws", "microsoft"]  # the group is not a firm
    assert (out["leader_id"] == "aws").all()
    ms = out.loc["microsoft"]
    assert ms["relative_share_central"] == pytest.approx(18 / 45)
    assert ms["relative_share_low"] == pytest.approx(18 / 46)  # against the leader's high end
    assert ms["relative_share_high"] == pytest.approx(18 / 44)
    assert out.loc["aws", "relative_share_high"] == 1.0  # capped: nobody exceeds the leader


def test_relative_share_unknown_leader() -> None:
    # Europe 2021: OVHcloud 2 % is the largest listed company, but the big three average 23 %
    t = period("eu", "2021", {"us_big3": 69, "ovhcloud": 2})
    out = relative_share(t, ENTITIES, MEMBERS)
    assert math.isnan(out.loc[0, "relative_share_central"])
    assert "leader unknown" in out.loc[0, "note"]


# --------------------------------------------------------------------------- growth


def _fr_sizes(metric: str = "size_eur_bn") -> pd.DataFrame:
    # French IaaS+PaaS (Markess): 1.4 (2020) and 2.5 (2022) on one Silicon.fr page; 1.43
    # (2021) from an earlier article, inconsistent with them (conflict 22 of the dossier)
    return pd.DataFrame(
        {
            "market_id": "fr",
            "metric": metric,
            "year": [2020, 2021, 2022],
            "value": [1.4, 1.43, 2.5],
        }
    )


def test_provider_growth_against_market() -> None:
    # a hand example: 40 % of 100 then 44 % of 121 two years later
    t = pd.concat(
        [
            period("m", "2020", {"aws": 40, "microsoft": 20, "ovhcloud": 5}),
            period("m", "2022", {"aws": 44, "microsoft": 20}),  # no 2022 OVHcloud figure
        ]
    )
    sizes = pd.DataFrame(
        {"market_id": "m", "metric": "size_eur_bn", "year": [2020, 2022], "value": [100.0, 121.0]}
    )
    out = provider_growth(t, sizes, 2019, 2025).set_index("provider_id")
    aws = out.loc["aws"]
    # revenue 0.40 x 100 = 40 -> 0.44 x 121 = 53.24: (53.24 / 40) ** 0.5 - 1 = 15.37 %;
    # market (121 / 100) ** 0.5 - 1 = 10 %
    assert aws["revenue_start_central_eur_bn"] == pytest.approx(40.0)
    assert aws["cagr_central_pct"] == pytest.approx(((53.24 / 40) ** 0.5 - 1) * 100)
    assert aws["market_cagr_central_pct"] == pytest.approx(10.0)
    assert aws["share_change_pp"] == 4.0
    # growth relative to the market compounds to the share ratio over the two years:
    # ((1 + g_p) / (1 + g_m)) ** 2 = 44 / 40
    ratio = (1 + aws["cagr_central_pct"] / 100) / (1 + aws["market_cagr_central_pct"] / 100)
    assert ratio**2 == pytest.approx(44 / 40)
    # a flat share grows with the market
    assert out.loc["microsoft", "cagr_central_pct"] == pytest.approx(10.0)
    assert "fewer than two years" in out.loc["ovhcloud", "reason"]
    assert math.isnan(out.loc["ovhcloud", "cagr_central_pct"])


def test_provider_growth_only_between_sizes_of_one_release() -> None:
    # France: shares for 2021 and 2022 only; the sizes of those years come from two
    # releases (1.43 and 2.5), the only pair of one release is 2020-2022: no rate, rather
    # than AWS +71 % against a market +74.8 % that the revision of 2020-2021 produces
    t = pd.concat(
        [
            period("fr", "2021", {"aws": 46, "microsoft": 17}),
            period("fr", "2022", {"aws": 45, "microsoft": 18}),
        ]
    )
    out = provider_growth(t, _fr_sizes(), 2020, 2022, pairs={(2020, 2022)})
    assert (
        out["reason"].tolist()
        == ["the market sizes of 2021 and 2022 come from different releases"] * 2
    )
    assert out["cagr_central_pct"].isna().all()
    # with a share in 2020 too, the same-release pair 2020-2022 is used
    t2020 = pd.concat([t, period("fr", "2020", {"aws": 50})])
    aws = provider_growth(t2020, _fr_sizes(), 2020, 2022, pairs={(2020, 2022)}).iloc[0]
    # 0.50 x 1.4 = 0.7 -> 0.45 x 2.5 = 1.125: (1.125 / 0.7) ** 0.5 - 1 = 26.8 %
    assert (aws["start_year"], aws["end_year"]) == (2020, 2022)
    assert aws["cagr_central_pct"] == pytest.approx(((1.125 / 0.7) ** 0.5 - 1) * 100)
    assert aws["market_cagr_central_pct"] == pytest.approx(((2.5 / 1.4) ** 0.5 - 1) * 100)


def test_provider_growth_units_and_refusals() -> None:
    t = pd.concat([period("w", "2021", {"aws": 33}), period("w", "2022", {"aws": 34})])
    out = provider_growth(t, _fr_sizes("size_usd_bn"), 2021, 2022)  # (no pairs: every pair)
    assert "revenue_end_central_usd_bn" in out.columns
    quarters = pd.concat([t, period("w", "2022-Q4", {"aws": 33})])
    with pytest.raises(MarketInputError, match="several share rows"):
        provider_growth(quarters, _fr_sizes(), 2021, 2022, period_types=("year", "quarter"))
    with pytest.raises(MarketInputError, match="size metric"):
        provider_growth(t, _fr_sizes("growth_pct"), 2021, 2022)
