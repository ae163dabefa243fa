"""Hypothesis strategies for the market tests: share vectors and their consistent completions.

A *completion* is a full market (every firm's share, summing to 100 %) consistent with what a
source gives: the named firms' shares, groups of known total and size whose split is unknown,
pools of unnamed firms with a known total (and sometimes a known largest firm), and the
unnamed rest. It respects the assumption of :mod:`analysis.market.concentration`: no unnamed firm is
larger than the smallest named firm or group member, nor than its pool's own cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hypothesis import assume
from hypothesis import strategies as st

share = st.floats(min_value=1.0, max_value=60.0, allow_nan=False)


@dataclass
class Scenario:
    """What a source tells about a market, and one full market consistent with it."""

    named: list[float]
    groups: list[tuple[float, int]]
    pools: list[float]
    firms: list[float]  # the completion: every firm's share, summing to 100
    pool_caps: list[float] = field(default_factory=list)  # own cap of each pool (inf: none)

    @property
    def open_groups(self) -> list[tuple[float, float]]:
        """The pools as ``hhi_range`` takes them: ``(total, own cap)``."""
        caps = self.pool_caps or [math.inf] * len(self.pools)
        return list(zip(self.pools, caps, strict=True))


def _fill(draw: st.DrawFn, total: float, cap: float) -> list[float]:
    """Random firms, each at most ``cap``, adding up to ``total``."""
    if total <= 0:
        return []
    fewest = max(1, math.ceil(total / cap - 1e-12))
    count = draw(st.integers(fewest, fewest + 5))
    parts = [total / count] * count
    moves = draw(
        st.lists(
            st.tuples(
                st.integers(0, count - 1),
                st.integers(0, count - 1),
                st.floats(0.0, 1.0, allow_nan=False),
            ),
            max_size=12,
        )
    )
    for giver, taker, fraction in moves:
        if giver != taker:
            amount = fraction * max(0.0, min(parts[giver], cap - parts[taker]))
            parts[giver] -= amount
            parts[taker] += amount
    return parts


@st.composite
def scenarios(draw: st.DrawFn, *, with_groups: bool = True) -> Scenario:
    """Named shares, optional groups and pools, and a random consistent completion."""
    named = draw(st.lists(share, min_size=0 if with_groups else 1, max_size=5))
    groups: list[tuple[float, int]] = []
    pools: list[float] = []
    pool_caps: list[float] = []
    if with_groups:
        groups = draw(
            st.lists(
                st.tuples(st.floats(2.0, 80.0, allow_nan=False), st.integers(1, 4)), max_size=2
            )
        )
        pools = draw(st.lists(st.floats(0.0, 30.0, allow_nan=False), max_size=2))
        pool_caps = [
            draw(st.one_of(st.just(math.inf), st.floats(0.5, 10.0, allow_nan=False))) for _ in pools
        ]
    assume(named or groups)
    known = sum(named) + sum(t for t, _ in groups) + sum(pools)
    assume(known <= 100.0)
    members: list[float] = []
    for total, size in groups:
        weights = draw(st.lists(st.floats(0.2, 1.0), min_size=size, max_size=size))
        members += [total * w / sum(weights) for w in weights]
    cap = min(named + members)
    unnamed = [
        firm
        for pool, own in zip(pools, pool_caps, strict=True)
        for firm in _fill(draw, pool, min(cap, own))
    ]
    unnamed += _fill(draw, 100.0 - known, cap)
    return Scenario(named, groups, pools, named + members + unnamed, pool_caps)


@dataclass
class RangedScenario:
    """Share ranges of named firms and one market consistent with them."""

    ranges: dict[str, tuple[float, float, float]]  # id -> (low, central, high)
    firms: list[float]


@st.composite
def ranged_scenarios(draw: st.DrawFn, ids: tuple[str, ...]) -> RangedScenario:
    """Named firms with low/central/high shares (highs add up to at most 100) and a market
    whose named shares lie inside those ranges, the rest in firms no larger than the smallest."""
    count = draw(st.integers(1, len(ids)))
    centrals = draw(st.lists(share, min_size=count, max_size=count))
    spreads = draw(st.lists(st.floats(0.0, 1.0), min_size=count, max_size=count))
    ranges = {
        pid: (c * (1 - 0.5 * d), c, c * (1 + 0.5 * d))
        for pid, c, d in zip(ids, centrals, spreads, strict=False)
    }
    assume(sum(high for _, _, high in ranges.values()) <= 100.0)
    picks = draw(st.lists(st.floats(0.0, 1.0), min_size=count, max_size=count))
    named = [
        low + p * (high - low) for (low, _, high), p in zip(ranges.values(), picks, strict=True)
    ]
    return RangedScenario(ranges, named + _fill(draw, 100.0 - sum(named), min(named)))
