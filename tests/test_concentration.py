"""CR3 and HHI ranges from partly known shares (analysis.market.concentration).

The HHI maximum is checked against markets built independently of the formula: every split
of the group members on a grid, every partition of the unnamed shares into firms (an
exhaustive search, :func:`_brute_packed`), and, where the maximum is only approached, a
family of consistent markets whose HHI tends to it. A market is consistent when its shares add
up to 100 and no unnamed firm is larger than the smallest named firm or group member (nor
than its pool's own cap): :func:`_consistent`.
"""

from __future__ import annotations

import functools
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from market_frames import ENTITIES, FR_2021, MEMBERS, period
from market_strategies import RangedScenario, Scenario, ranged_scenarios, scenarios

from analysis.market.concentration import _packed, concentration, cr3_range, hhi, hhi_range
from analysis.market.sizes import MarketInputError


def test_hhi_of_a_full_market() -> None:
    assert hhi([50, 30, 20]) == 3800.0  # 2500 + 900 + 400
    assert hhi([100]) == 10_000.0  # monopoly


# --------------------------------------------------------------------------- brute force


@functools.cache
def _brute_packed(total: int, cap: int) -> int:
    """Largest sum of squares over every partition of ``total`` into parts of at most ``cap``
    (exhaustive: the best first part, then the best partition of what is left)."""
    if total == 0:
        return 0
    return max(
        part * part + _brute_packed(total - part, cap) for part in range(1, min(total, cap) + 1)
    )


def _compositions(total: int, parts: int, floor: int):
    """Splits ``a >= b >= ...`` of ``total`` into ``parts`` integers, each at least ``floor``."""
    if parts == 1:
        if total >= floor:
            yield (total,)
        return
    for smallest in range(floor, total // parts + 1):
        for rest in _compositions(total - smallest, parts - 1, smallest):
            yield (*rest, smallest)


def _brute_max(named: list[int], group: tuple[int, int] | None, pools: list[tuple[int, int]]):
    """Highest HHI over every consistent market on a grid of whole percents.

    ``group`` is ``(total, members)``; ``pools`` are ``(total, own cap)`` of unnamed firms;
    the rest of the market is unnamed too. Every member split is tried and, for each, every
    partition of the unnamed shares (through :func:`_brute_packed`).
    """
    rest = 100 - sum(named) - (group[0] if group else 0) - sum(p for p, _ in pools)
    splits = list(_compositions(group[0], group[1], 1)) if group else [()]
    best = -1
    for members in splits:
        cap = min([*named, *members])
        value = sum(s * s for s in [*named, *members])
        value += sum(_brute_packed(p, min(own, cap)) for p, own in pools)
        value += _brute_packed(rest, cap)
        best = max(best, value)
    return best


def _consistent(named, members, pools_firms, rest_firms, pool_caps=()) -> bool:
    """Is this a market the figures and the assumption allow? (shares add up to 100, every
    unnamed firm at most the smallest named firm or member and its pool's own cap)"""
    everything = [*named, *members, *(f for pool in pools_firms for f in pool), *rest_firms]
    cap = min([*named, *members])
    caps = list(pool_caps) or [math.inf] * len(pools_firms)
    return (
        abs(math.fsum(everything) - 100) < 1e-7
        and min(everything) > 0
        and all(f <= cap + 1e-12 for f in rest_firms)
        and all(
            f <= min(cap, own) + 1e-12
            for pool, own in zip(pools_firms, caps, strict=True)
            for f in pool
        )
    )


def _firms(total: float, cap: float) -> list[float]:
    """``total`` as firms of ``cap`` and one remainder."""
    full = math.floor(total / cap + 1e-9)
    return [cap] * full + ([total - full * cap] if total - full * cap > 1e-12 else [])


@pytest.mark.parametrize("total", range(0, 25))
def test_packing_is_the_best_partition(total: int) -> None:
    for cap in range(1, 25):
        assert _packed(total, cap) == _brute_packed(total, cap), (total, cap)


@pytest.mark.parametrize(
    ("named", "group", "pools", "expected"),
    [
        # 40 and 30 named; the rest 30 fits in one firm of at most 30: 1600 + 900 + 900
        ([40, 30], None, [], 3400),
        # France 2021: 46² + 17² + 8² = 2469, the other 29 % = 8 + 8 + 8 + 5: + 3 x 64 + 25
        ([46, 17, 8], None, [], 2686),
        # 30 named, a pool of 20 whose largest firm is 2 % (ten firms of 2: 40), rest 50
        # in firms of at most 30 (30 + 20: 1300): 900 + 40 + 1300
        ([30], None, [(20, 2)], 2240),
        # group of three with 12 %: members at least k, unnamed 88 % in firms of at most k;
        # the equal split 4-4-4 and 22 firms of 4 wins: 3 x 16 + 22 x 16 = 400
        ([], (12, 3), [], 400),
        # 10 named and a group of two with 36 %: the best cap is 9, not the largest allowed
        # (10): members 27 + 9, rest 54 = six firms of 9: 100 + 729 + 81 + 6 x 81 = 1396
        # (cap 10: 100 + 676 + 100 + 5 x 100 + 16 = 1392)
        ([10], (36, 2), [], 1396),
        # the whole market known: nothing to pack
        ([50, 30, 20], None, [], 3800),
    ],
)
def test_hhi_max_is_reached_by_a_consistent_market(named, group, pools, expected) -> None:
    r = hhi_range(named, groups=[group] if group else [], open_groups_pct=pools)
    assert r.is_max_exact
    assert r.hhi_max == pytest.approx(expected)
    # the brute force over whole-percent markets reaches it, and no such market exceeds it
    assert _brute_max(named, group, pools) == pytest.approx(expected)


def test_hhi_max_with_a_group_is_approached_not_reached() -> None:
    # Europe 2024: big three 70 % (split unknown), European providers 15 %, rest 15 %.
    r = hhi_range([], groups=[(70, 3)], open_groups_pct=[15])
    assert r.hhi_min == pytest.approx(3 * (70 / 3) ** 2)  # 1633.3: three equal members
    assert r.hhi_max == pytest.approx(70**2)  # 4900
    assert not r.is_max_exact and r.cap_at_max_pct == 0.0
    assert r.cap_pct == pytest.approx(70 / 3)  # an unnamed firm can reach 23.3 % at most
    assert "approached" in r.assumption
    # no whole-percent market exceeds it: the best is 68 + 1 + 1 and thirty firms of 1
    assert _brute_max([], (70, 3), [(15, 100)]) == 68**2 + 1 + 1 + 30
    # markets with members (70 - 2e, e, e) and every other firm at e are consistent and
    # approach 4900 from below (the gap is about 2 x 70 x 2e - 30e)
    previous = 0.0
    for eps in (1.0, 0.1, 0.01, 0.001):
        members = [70 - 2 * eps, eps, eps]
        pool, rest = _firms(15, eps), _firms(15, eps)
        assert _consistent([], members, [pool], rest)
        value = hhi([*members, *pool, *rest])
        assert previous < value < 4900 and 4900 - value <= 280 * eps
        previous = value
    # the old bound, 70² plus the other 30 % in firms of 23.3 %, is no consistent market
    assert r.hhi_max < 70**2 + (70 / 3) ** 2 + (30 - 70 / 3) ** 2


@settings(deadline=None)
@given(scenarios(with_groups=False))
def test_hhi_range_contains_every_completion_of_named_shares(s: Scenario) -> None:
    r = hhi_range(s.named)
    assert sum(s.firms) == pytest.approx(100.0)
    assert r.hhi_min - 1e-6 <= hhi(s.firms) <= r.hhi_max + 1e-6


@settings(deadline=None)
@given(scenarios(with_groups=True))
def test_hhi_range_contains_every_completion_with_groups(s: Scenario) -> None:
    r = hhi_range(s.named, groups=s.groups, open_groups_pct=s.open_groups)
    assert r.hhi_min <= r.hhi_max
    assert r.hhi_min - 1e-6 <= hhi(s.firms) <= r.hhi_max + 1e-6


@settings(deadline=None)
@given(scenarios(with_groups=True))
def test_hhi_max_is_reached_or_approached_by_consistent_markets(s: Scenario) -> None:
    """Tightness: at the cap the function reports (or at a cap near 0 when the maximum is
    only approached), a market built by hand is consistent and has the maximum's HHI."""
    r = hhi_range(s.named, groups=s.groups, open_groups_pct=s.open_groups)
    rest = r.rest_pct
    cap = r.cap_at_max_pct if r.is_max_exact else 1e-3
    members = [
        share
        for total, n in s.groups
        if total > 0
        for share in [total - (n - 1) * cap] + [cap] * (n - 1)
    ]
    pools = [_firms(p, min(own, cap)) for p, own in s.open_groups if p > 0]
    caps = [own for p, own in s.open_groups if p > 0]
    rest_firms = _firms(rest, cap) if rest > 1e-12 else []
    assert _consistent(s.named, members, pools, rest_firms, caps)
    value = hhi([*s.named, *members, *(f for pool in pools for f in pool), *rest_firms])
    if r.is_max_exact:
        assert value == pytest.approx(r.hhi_max, abs=1e-6)
    else:  # within 2 x sum T (n - 1) x 0.001 of the supremum, at most 0.6
        assert r.hhi_max - 0.6 <= value <= r.hhi_max + 1e-6


def test_hhi_range_refuses_more_than_100() -> None:
    with pytest.raises(MarketInputError, match="more than 100"):
        hhi_range([60, 30, 20])  # 110
    assert hhi_range([46, 18, 8, 28.4]).rest_pct == 0.0  # 100.4: rounding, rest 0
    with pytest.raises(MarketInputError, match="between 0 and 100"):
        hhi_range([-5])
    with pytest.raises(MarketInputError, match="at least one member"):
        hhi_range([], groups=[(70, 0)])
    with pytest.raises(MarketInputError, match="cap"):
        hhi_range([40], open_groups_pct=[(10, 0)])


# --------------------------------------------------------------------------- CR3


@pytest.mark.parametrize(
    ("known", "low", "high"),
    [
        ([46, 17, 8, 2], 71.0, 71.0),  # the three largest named
        ([40, 30], 70.0, 100.0),  # + one unnamed firm of at most 30 (rest 30)
        ([50], 50.0, 100.0),  # + two firms of at most 50, but only 50 is left
        ([30], 30.0, 90.0),  # + two firms of at most 30 each
    ],
)
def test_cr3_range(known, low, high) -> None:
    r = cr3_range(known)
    assert (r.cr3_min_pct, r.cr3_max_pct) == (low, high)


def test_cr3_range_nothing_named() -> None:
    assert math.isnan(cr3_range([]).cr3_min_pct)


@settings(deadline=None)
@given(scenarios(with_groups=False))
def test_cr3_range_contains_every_completion(s: Scenario) -> None:
    r = cr3_range(s.named)
    top3 = sum(sorted(s.firms, reverse=True)[:3])
    assert r.cr3_min_pct - 1e-6 <= top3 <= r.cr3_max_pct + 1e-6


# --------------------------------------------------------------------------- frames


def test_concentration_france_from_members() -> None:
    t = FR_2021
    out = concentration(t, ENTITIES, MEMBERS).iloc[0]
    assert out["cr3_central_pct"] == 71.0
    assert out["cr3_basis"] == "aws+microsoft+google"
    # "other providers" 29 % is a pool of unnamed firms: same numbers as the rest above
    assert (out["hhi_min"], out["hhi_max"]) == (2469.0, 2686.0)
    assert out["hhi_cap_pct"] == 8.0
    assert out["hhi_is_max_exact"]
    assert out["n_named"] == 3  # AWS, Microsoft, Google by name: provider-level figures


def test_concentration_europe_needs_the_top3_assumption() -> None:
    t = period("eu", "2021", {"us_big3": 69, "european_providers": 16, "ovhcloud": 2})
    plain = concentration(t, ENTITIES, MEMBERS).iloc[0]
    assert math.isnan(plain["cr3_central_pct"])
    assert "CR3 unknown" in plain["note"]
    named = concentration(t, ENTITIES, MEMBERS, top3_group="us_big3").iloc[0]
    assert named["cr3_central_pct"] == 69.0
    assert "assumed the three largest" in named["cr3_basis"]
    # minimum: three equal members, 69² / 3 = 1587; maximum approached as one member holds
    # nearly 69 % and everyone else nearly nothing: 69² = 4761 (brute force below)
    assert named["hhi_min"] == pytest.approx(69**2 / 3)
    assert named["hhi_max"] == pytest.approx(69**2)
    assert _brute_max([], (69, 3), [(16, 2)]) < 69**2
    assert named["unnamed_pct"] == pytest.approx(31.0)
    assert not named["hhi_is_max_exact"]
    assert named["n_named"] == 0  # OVHcloud is counted inside the European figure
    # OVHcloud at 2 % inside the European figure caps the European firms at 2 %
    assert named["pool_caps"] == (("european_providers", 2.0, ("ovhcloud",)),)
    assert "european_providers firms at most 2 %" in named["note"]


def test_pool_cap_from_a_named_member_lowers_the_maximum() -> None:
    # 30 % named, European providers 20 % of which Deutsche Telekom 2 % is the largest named,
    # rest 50 %: European firms at most 2 % (ten of them: 40), the rest in firms of at most
    # 30 % (30 + 20: 1300): 900 + 40 + 1300 = 2240; without the cap the 20 % could be one
    # firm: 900 + 400 + 1300 = 2600
    t = period("eu", "2021", {"aws": 30, "european_providers": 20, "deutsche_telekom": 2})
    out = concentration(t, ENTITIES, MEMBERS).iloc[0]
    assert out["hhi_max"] == pytest.approx(2240.0) == _brute_max([30], None, [(20, 2)])
    alone = concentration(period("eu", "2021", {"aws": 30, "european_providers": 20}), ENTITIES)
    assert alone.iloc[0]["hhi_max"] == pytest.approx(2600.0) == _brute_max([30], None, [(20, 100)])


def test_concentration_ranges_and_overflow() -> None:
    t = pd.concat(
        [
            # AWS 44-48: min from the low ends (44² + 30² = 2836), max from the high ends
            # (48² + 30² = 3204, rest 22 = 22 in one firm ≤ 30: + 484 -> 3688)
            period("x", "2021", {"aws": (44, 46, 48), "microsoft": 30}),
            period("x", "2022", {"aws": 60, "microsoft": 30, "google": 20}),  # 110 %
        ]
    )
    out = concentration(t, ENTITIES, MEMBERS).set_index("period")
    assert out.loc["2021", "hhi_min"] == pytest.approx(44**2 + 30**2)
    assert out.loc["2021", "hhi_max"] == pytest.approx(48**2 + 30**2 + 22**2)
    # CR3 with two named firms: low 44 + 30, high 48 + 30 + min(30, 22)
    assert out.loc["2021", ["cr3_low_pct", "cr3_high_pct"]].tolist() == [74.0, 100.0]
    assert math.isnan(out.loc["2021", "cr3_central_pct"])  # only a range is known
    assert math.isnan(out.loc["2022", "hhi_min"])
    assert "above 100" in out.loc["2022", "note"]


def test_concentration_with_nothing_named() -> None:
    # Europe 2017: only "European providers 27 %", a group of unnamed firms
    out = concentration(period("eu", "2017", {"european_providers": 27}), ENTITIES, MEMBERS)
    assert math.isnan(out.loc[0, "hhi_min"]) and math.isnan(out.loc[0, "cr3_central_pct"])
    assert "anywhere from 0 to 10,000" in out.loc[0, "note"]
    assert out.loc[0, "unnamed_pct"] == 100.0


@settings(deadline=None)
@given(ranged_scenarios(("aws", "microsoft", "google", "alibaba")))
def test_concentration_range_contains_markets_inside_the_share_ranges(s: RangedScenario) -> None:
    out = concentration(period("x", "2021", s.ranges), ENTITIES, MEMBERS).iloc[0]
    assert out["hhi_min"] - 1e-6 <= hhi(s.firms) <= out["hhi_max"] + 1e-6
    top3 = sum(sorted(s.firms, reverse=True)[:3])
    assert out["cr3_low_pct"] - 1e-6 <= top3 <= out["cr3_high_pct"] + 1e-6
