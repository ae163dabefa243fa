"""How concentrated a market is when only some shares are known: CR3 and HHI ranges.

Shares are in percent (0-100); the Herfindahl-Hirschman index (HHI) is the sum of squared
percent shares, on the 0-10,000 scale. Sources name a few providers (or a group such as the
big three) and leave the rest of the market unsplit, so both measures are ranges.

The one assumption, stated in every result: **the named providers are the largest**. Every
unnamed firm (in the rest of the market or inside a group whose firms are not listed) is no
larger than the smallest named firm *and* than the smallest member of a group of known size
(when the big three are the three largest, nobody else outgrows the third). A group of
unnamed firms may have a tighter cap of its own (:func:`hhi_range`, ``open_groups_pct``):
the largest firm a source names inside it.

- The minimum HHI splits each group equally and spreads the unknown rest over very many
  small firms (their squares tend to 0); it is attained in the limit.
- The maximum is computed jointly: for a cap ``k`` on unnamed firms, a group's members hold
  ``T - (n - 1) k`` and ``k`` each (the most unequal split that keeps every member at least
  ``k``) and the unnamed shares are packed into as few firms of ``k`` as possible; the
  maximum is the supremum over ``k`` (:func:`hhi_range`). Giving a whole group to one member
  while still letting unnamed firms reach the group's average, as a naive bound does, is not
  a market anyone could observe: it overstates the maximum.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analysis.market.columns import PERIOD_KEYS, SHARE_COLUMNS
from analysis.market.shares import (
    ShareStructure,
    disjoint_shares,
    is_residual,
)
from analysis.market.sizes import MarketInputError

__all__ = ["Cr3Range", "HhiRange", "concentration", "cr3_range", "hhi", "hhi_range"]

_MAX_BREAKPOINTS = 1_000_000  # breakpoints examined per share pool for the maximum


class HhiRange(NamedTuple):
    """The lowest and highest HHI consistent with the known shares, and what was assumed."""

    #: HHI with groups split equally and the unknown rest spread over infinitely many small
    #: firms (0-10,000; a limit)
    hhi_min: float
    #: the highest HHI of any market consistent with the figures and the assumption (0-10,000)
    hhi_max: float
    #: share of the market not named at all (percent)
    rest_pct: float
    #: largest share any unnamed firm can have in a consistent market (percent): the smallest
    #: named share or a group's average member share, whichever is smaller
    cap_pct: float
    #: True when a consistent market reaches ``hhi_max``; False when markets only approach it
    #: (a group's smaller members and every unnamed firm shrinking towards zero)
    is_max_exact: bool
    #: the assumption in words, for the reader
    assumption: str
    #: the cap on unnamed firms in the market that reaches (or approaches) ``hhi_max``
    #: (percent; 0 when the maximum is only approached)
    cap_at_max_pct: float = math.nan


class Cr3Range(NamedTuple):
    """Lowest and highest share of the three largest firms (percent) and the assumption."""

    cr3_min_pct: float
    cr3_max_pct: float
    assumption: str


def hhi(shares_pct: Iterable[float]) -> float:
    """HHI of a complete distribution: the sum of squared percent shares (0-10,000).

    >>> hhi([50, 30, 20])
    3800.0
    """
    return float(sum(float(s) ** 2 for s in shares_pct))


def _packed(total_pct: float, cap_pct: float) -> float:
    """Largest sum of squares of firms each at most ``cap_pct`` adding up to ``total_pct``.

    As many firms as possible at the cap and one with the remainder (the sum of squares is
    convex, so the most unequal split wins).

    >>> _packed(30, 8), _packed(30, 100), _packed(0, 5)    # 30 = 8 + 8 + 8 + 6
    (228.0, 900.0, 0.0)
    """
    if total_pct <= 0:
        return 0.0
    if cap_pct <= 0:
        return math.nan
    full = math.floor(total_pct / cap_pct + 1e-9)
    remainder = max(0.0, total_pct - full * cap_pct)
    return float(full * cap_pct**2 + remainder**2)


def _packed_many(total_pct: float, caps: np.ndarray) -> np.ndarray:
    """:func:`_packed` for many caps at once (caps > 0)."""
    if total_pct <= 0:
        return np.zeros_like(caps)
    full = np.floor(total_pct / caps + 1e-9)
    remainder = np.clip(total_pct - full * caps, 0.0, None)
    return full * caps**2 + remainder**2


def _checked(values: Iterable[float], what: str) -> list[float]:
    numbers = [float(v) for v in values]
    if any(math.isnan(v) or v < 0 or v > 100 for v in numbers):
        raise MarketInputError(f"{what} must be percent shares between 0 and 100: {numbers}")
    return numbers


def _pools(open_groups_pct: Iterable[float | tuple[float, float]]) -> list[tuple[float, float]]:
    """Pools of unnamed firms as ``(total, own cap)``; no own cap is an infinite one."""
    out = []
    for item in open_groups_pct:
        total, cap = item if isinstance(item, tuple) else (item, math.inf)
        (total,) = _checked([total], "open group totals")
        if not float(cap) > 0:
            raise MarketInputError(f"the cap on a group's firms must be positive: {cap}")
        out.append((total, float(cap)))
    return out


def _joint_max(
    base: float,
    groups: list[tuple[float, int]],
    pools: list[tuple[float, float]],
    rest: float,
    cap_max: float,
) -> tuple[float, float]:
    """Supremum of the HHI over the cap ``k`` on unnamed firms, and the ``k`` reaching it.

    ``F(k) = base + sum over groups of (T - (n-1) k)**2 + (n-1) k**2 + packed unnamed
    shares``, for ``0 < k <= cap_max``. Between two breakpoints of the packing (``k = P / j``
    for a pool total ``P`` and an integer ``j``, and each pool's own cap) ``F`` is a sum of
    convex quadratics, so its maximum is at a breakpoint, at ``cap_max`` or in the limit
    ``k -> 0`` (returned as ``k = 0``). Near 0, ``F(k) <= F(0+) + s k + q k**2`` with
    ``s = sum P - 2 sum T (n - 1)`` and ``q = sum n (n - 1)``: breakpoints below the root of
    that bound cannot beat the best value found, so only finitely many are examined.
    """
    totals = [(p, c) for p, c in pools if p > 0] + ([(rest, math.inf)] if rest > 0 else [])

    def value(caps: np.ndarray) -> np.ndarray:
        out = np.full(caps.shape, base, dtype=float)
        for total, n in groups:
            out += (total - (n - 1) * caps) ** 2 + (n - 1) * caps**2
        for total, own in totals:
            out += _packed_many(total, np.minimum(caps, own))
        return out

    limit = base + sum(t * t for t, _ in groups)  # k -> 0: one member holds each group
    first = np.array(sorted({cap_max, *(c for _, c in totals if c < cap_max)}))
    values = value(first)
    best_value, best_cap = float(values.max()), float(first[values.argmax()])
    if any(n > 1 for _, n in groups):
        slope = sum(p for p, _ in totals) - 2 * sum(t * (n - 1) for t, n in groups)
        curve = sum(n * (n - 1) for _, n in groups)
        gap = max(best_value, limit) - limit
        floor = (-slope + math.sqrt(slope * slope + 4 * curve * gap)) / (2 * curve)
        for total, own in totals:
            top = min(own, cap_max)
            first_j = max(1, math.ceil(total / top - 1e-9))
            last_j = math.floor(total / floor) if floor > 0 else first_j + _MAX_BREAKPOINTS
            last_j = min(last_j, first_j + _MAX_BREAKPOINTS)
            if last_j < first_j:
                continue
            caps = total / np.arange(first_j, last_j + 1, dtype=float)
            caps = caps[(caps <= top) & (caps > 0)]
            if caps.size:
                found = value(caps)
                if float(found.max()) > best_value:
                    best_value, best_cap = float(found.max()), float(caps[found.argmax()])
        if limit > best_value + 1e-9:
            return limit, 0.0
    return best_value, best_cap


def hhi_range(
    known_shares_pct: Iterable[float],
    *,
    groups: Iterable[tuple[float, int]] = (),
    open_groups_pct: Iterable[float | tuple[float, float]] = (),
    tolerance_pct: float = 0.5,
) -> HhiRange:
    """Range of the HHI (0-10,000) over every market consistent with the known shares.

    Parameters
    ----------
    known_shares_pct : shares of named individual firms, percent (zeros are ignored).
    groups : ``(total_pct, n_members)`` for named groups whose split is unknown (the big
        three together 70 %: ``(70, 3)``). Their members are named firms: no unnamed firm
        is larger than the smallest of them.
    open_groups_pct : totals of groups whose firms are not named (European providers 16 %),
        or ``(total_pct, cap_pct)`` when the largest of their firms is known (Deutsche
        Telekom leads the European providers with 2 %: ``(16, 2)``). Treated like the rest
        of the market, with a known total and that cap.
    tolerance_pct : how far the known shares may add up above 100 (rounding) before the
        input is refused.

    Returns
    -------
    HhiRange : ``hhi_min`` (groups split equally, the rest spread thinly), ``hhi_max`` (the
        supremum, computed jointly over the cap on unnamed firms: see the module docstring),
        ``rest_pct`` (100 - everything known), ``cap_pct`` (the largest share an unnamed
        firm can have: the smallest named share or a group's average member share; 100 when
        nothing is named), ``is_max_exact`` (False when ``hhi_max`` is only approached),
        ``assumption`` and ``cap_at_max_pct``.

    Assumes the named firms are the largest (see the module docstring): without it the
    maximum would be unbounded by the known shares.

    Examples
    --------
    Known 40 and 30: the rest is 30. Minimum 40² + 30² = 2500 (the 30 spread thinly);
    maximum adds one more firm of 30 (no larger than the smallest named, 30): 2500 + 900.

    >>> r = hhi_range([40, 30])
    >>> r.hhi_min, r.hhi_max, r.rest_pct, r.is_max_exact
    (2500.0, 3400.0, 30.0, True)

    The big three together 70 %, split unknown, the other 30 % unnamed: minimum three equal
    members, 3 x (70/3)² = 1633.3. If the smallest member holds ``k``, the most unequal
    split is (70 - 2k, k, k) and the 30 % fits in firms of at most ``k``; the HHI rises as
    ``k`` shrinks, towards 70² = 4900, which no market reaches (the other 30 % would need
    infinitely many firms).

    >>> r = hhi_range([], groups=[(70, 3)])
    >>> round(r.hhi_min, 1), r.hhi_max, r.is_max_exact, round(r.cap_pct, 2)
    (1633.3, 4900.0, False, 23.33)
    """
    named = [s for s in _checked(known_shares_pct, "known shares") if s > 0]
    closed = [(float(t), int(n)) for t, n in groups]
    if any(n < 1 for _, n in closed):
        raise MarketInputError("a group needs at least one member")
    _checked([t for t, _ in closed], "group totals")
    closed = [(t, n) for t, n in closed if t > 0]
    pools = _pools(open_groups_pct)
    known = sum(named) + sum(t for t, _ in closed) + sum(p for p, _ in pools)
    if known > 100 + tolerance_pct:
        raise MarketInputError(f"known shares add up to {known:g} %, more than 100 %")
    rest = max(0.0, 100.0 - known)
    caps = named + [t / n for t, n in closed]
    cap = min(caps) if caps else 100.0
    base = sum(s * s for s in named)
    low = base + sum(t * t / n for t, n in closed)
    high, cap_at_max = _joint_max(base, closed, pools, rest, cap)
    unnamed = rest + sum(p for p, _ in pools)
    own = [c for p, c in pools if p > 0 and c < cap]
    text = (
        f"named providers assumed the largest: no unnamed firm holds more than the smallest "
        f"named firm{' or group member' if closed else ''} (at most {cap:.3g} %)"
    )
    if own:
        text += "; some groups of unnamed firms have a smaller cap of their own"
    text += f"; the minimum spreads the {unnamed:.3g} % not split by firm over many small firms"
    if closed:
        text += " and splits each group equally"
    if cap_at_max > 0:
        text += f"; the maximum packs it into firms of {cap_at_max:.3g} %"
        if any(n > 1 for _, n in closed):
            text += " and gives each group's other members that share"
    else:
        text += (
            "; the maximum is approached, never reached, as one member holds almost all of "
            "its group and the other members and every unnamed firm shrink towards zero"
        )
    return HhiRange(low, high, rest, cap, cap_at_max > 0, text, cap_at_max)


def cr3_range(known_shares_pct: Sequence[float], *, rest_pct: float | None = None) -> Cr3Range:
    """Share of the three largest firms (percent) from the named individual shares.

    Parameters
    ----------
    known_shares_pct : shares of named individual firms, percent.
    rest_pct : market share not held by them (default 100 - their sum).

    Returns
    -------
    Cr3Range : with three or more named firms, the sum of the three largest (min = max);
        with one or two, from their sum up to their sum plus the missing places filled by
        unnamed firms no larger than the smallest named (and no more than the rest); NaN
        when nothing is named. Same assumption as :func:`hhi_range`.

    Examples
    --------
    >>> cr3_range([46, 17, 8, 2]).cr3_min_pct
    71.0
    >>> cr3_range([40, 30])[:2]    # 70 plus at most one unnamed firm of 30
    (70.0, 100.0)
    """
    named = sorted((s for s in _checked(known_shares_pct, "known shares") if s > 0), reverse=True)
    rest = max(0.0, 100 - sum(named)) if rest_pct is None else float(rest_pct)
    if not named:
        return Cr3Range(math.nan, math.nan, "no named firm: CR3 unknown")
    if len(named) >= 3:
        top = float(sum(named[:3]))
        return Cr3Range(top, top, "the three largest named firms are the three largest")
    low = float(sum(named))
    high = low + min((3 - len(named)) * named[-1], rest)
    text = (
        f"{len(named)} named firm(s); the other places go to unnamed firms of at most "
        f"{named[-1]:g} % each (named firms assumed the largest)"
    )
    return Cr3Range(low, high, text)


def concentration(
    table: pd.DataFrame,
    entities: pd.DataFrame,
    members: pd.DataFrame | None = None,
    *,
    top3_group: str | None = None,
    prefer: str = "members",
    tolerance_pct: float = 0.5,
) -> pd.DataFrame:
    """CR3 and the HHI range of one market, period by period, from a shares table.

    Each provider counts once (:func:`analysis.market.shares.disjoint_shares`). Counted
    companies are named firms; counted groups with listed members are groups of known size;
    other counted groups (open or opaque) are pools of unnamed firms, and so is the rest of
    the market. When a source names companies inside a counted pool in the same period
    (Deutsche Telekom, 2 %, inside the European providers' 16 %), the largest of them is taken
    as the largest firm of the pool: its share caps every firm of the pool (an assumption,
    given in ``pool_caps`` and the note).

    Parameters
    ----------
    table : from :func:`analysis.market.shares.shares_table` (or a later step).
    entities, members, prefer, tolerance_pct : as in
        :func:`analysis.market.shares.disjoint_shares`.
    top3_group : id of a group taken to be the three largest firms (``"us_big3"``), an
        assumption the caller makes: when that group's figure is counted in a period, CR3 is
        that figure; when its members are counted instead (their shares add up to it within
        rounding), the published group figure is CR3's central value and the members' sum
        widens its range.

    Returns
    -------
    DataFrame : ``market_id``, ``period``, ``period_type``, ``year``, ``cr3_low_pct``,
        ``cr3_central_pct``, ``cr3_high_pct`` (central NaN when only a range is known),
        ``cr3_basis``, ``hhi_min``, ``hhi_max`` (0-10,000; min from the low ends of the
        shares, max from the high ends of named shares and group totals, each pool at the
        low, central or high end of its range, whichever gives most; from the central shares
        when the high ends add up above 100 %, which the note says), ``hhi_is_max_exact``
        (False when ``hhi_max`` is only approached, see :func:`hhi_range`), ``hhi_cap_pct``
        (the largest share an unnamed firm can have), ``unnamed_pct`` (share not held by
        named firms or listed groups: the rest plus pools), ``pool_caps`` (tuple of
        ``(group_id, cap_pct, named member ids)``), ``n_named`` (companies counted by name:
        three or more make the period's figures provider-level) and ``note``.

    Examples
    --------
    >>> t = pd.DataFrame({"market_id": "fr", "period": "2021", "period_type": "year",
    ...     "year": 2021, "provider_id": ["aws", "microsoft", "google"],
    ...     "share_low_pct": [46.0, 17, 8], "share_central_pct": [46.0, 17, 8],
    ...     "share_high_pct": [46.0, 17, 8]})
    >>> ent = pd.DataFrame({"entity_id": ["aws", "microsoft", "google"],
    ...     "kind": "company", "origin": "us"})
    >>> c = concentration(t, ent)
    >>> c[["cr3_central_pct", "hhi_min", "hhi_max"]].iloc[0].tolist()
    [71.0, 2469.0, 2686.0]
    """
    structure = ShareStructure.build(entities, members)
    base = table.loc[~is_residual(table)].drop(
        columns=["is_counted", "overlap_note"], errors="ignore"
    )
    marked = disjoint_shares(base, entities, members, prefer=prefer, tolerance_pct=tolerance_pct)
    records = []
    for key, rows in marked.groupby(PERIOD_KEYS, sort=False, dropna=False):
        counted = rows.loc[rows["is_counted"]]
        record = dict(zip(PERIOD_KEYS, key, strict=True))
        caps = _pool_caps(rows, structure)
        record.update(_period_hhi(counted, structure, tolerance_pct, caps))
        record.update(_period_cr3(counted, structure, top3_group, rows))
        record["pool_caps"] = tuple((g, c, names) for g, (c, names) in caps.items())
        record["n_named"] = sum(not structure.is_group(p) for p in counted["provider_id"])
        record["note"] = "; ".join(n for n in (record.pop("hhi_note"), record.pop("cr3_note")) if n)
        records.append(record)
    columns = [
        *PERIOD_KEYS,
        "cr3_low_pct",
        "cr3_central_pct",
        "cr3_high_pct",
        "cr3_basis",
        "hhi_min",
        "hhi_max",
        "hhi_is_max_exact",
        "hhi_cap_pct",
        "unnamed_pct",
        "pool_caps",
        "n_named",
        "note",
    ]
    out = pd.DataFrame.from_records(records, columns=columns)
    out["n_named"] = out["n_named"].astype(int)
    return out.sort_values(["year", "period"], kind="stable").reset_index(drop=True)


def _pool_caps(rows: pd.DataFrame, structure: ShareStructure) -> dict[str, tuple[float, tuple]]:
    """Counted pools with companies named inside them this period: pool -> (cap, names)."""
    caps: dict[str, tuple[float, tuple]] = {}
    inside = rows.loc[~rows["is_counted"] & rows["overlap_note"].str.startswith("inside ")]
    for pid, share, note in zip(
        inside["provider_id"], inside["share_high_pct"], inside["overlap_note"], strict=True
    ):
        group = note.removeprefix("inside ").split(",")[0]
        if structure.is_group(pid) or structure.is_closed(group) or "+" in group:
            continue
        cap, names = caps.get(group, (0.0, ()))
        caps[group] = (max(cap, float(share)), (*names, str(pid)))
    return caps


def _split(
    counted: pd.DataFrame, structure: ShareStructure, col: str
) -> tuple[list[float], list[tuple[float, int]], list[str]]:
    """Named shares, closed groups ``(total, size)`` and the ids of the pools (open groups)."""
    named, closed, pools = [], [], []
    for pid, share in zip(counted["provider_id"], counted[col], strict=True):
        if structure.is_closed(pid):
            closed.append((float(share), len(structure.companies(pid))))
        elif structure.is_group(pid):
            pools.append(str(pid))
        else:
            named.append(float(share))
    return named, closed, pools


def _period_hhi(
    counted: pd.DataFrame,
    structure: ShareStructure,
    tol: float,
    caps: dict[str, tuple[float, tuple]],
) -> dict[str, object]:
    """HHI range of one period over the share ranges: min at the low ends, max at the high
    ends of named shares and group totals, each pool at whichever end of its range gives
    the larger value."""
    share = dict(zip(counted["provider_id"], counted.to_dict("records"), strict=True))
    named_low, closed_low, pool_ids = _split(counted, structure, "share_low_pct")
    named_any = bool(named_low or closed_low)
    pooled = sum(float(share[p]["share_central_pct"]) for p in pool_ids)

    def attempt(col: str, ends: Sequence[str]) -> HhiRange | None:
        named, closed, _ = _split(counted, structure, col)
        pools = [
            (float(share[p][end]), caps.get(p, (math.inf, ()))[0])
            for p, end in zip(pool_ids, ends, strict=True)
        ]
        try:
            return hhi_range(named, groups=closed, open_groups_pct=pools, tolerance_pct=tol)
        except MarketInputError:
            return None

    central = attempt("share_central_pct", ["share_central_pct"] * len(pool_ids))
    if central is None or not named_any:
        why = (
            "no named firm or listed group: the HHI could be anywhere from 0 to 10,000"
            if central is not None
            else "known shares add up above 100 %: HHI not computed"
        )
        return {
            "hhi_min": math.nan,
            "hhi_max": math.nan,
            "hhi_is_max_exact": False,
            "hhi_cap_pct": math.nan,
            "unnamed_pct": math.nan if central is None else central.rest_pct + pooled,
            "hhi_note": why,
        }
    lows = attempt("share_low_pct", ["share_low_pct"] * len(pool_ids)) or central
    combos = list(itertools.product(SHARE_COLUMNS, repeat=len(pool_ids)))
    highs = [r for r in (attempt("share_high_pct", c) for c in combos) if r is not None]
    note = "" if highs else "high ends add up above 100 %: HHI max from the central shares"
    best = max([*highs, central], key=lambda r: r.hhi_max)
    capped = [
        f"{p} firms at most {caps[p][0]:g} % (the largest the source names inside it)"
        for p in pool_ids
        if p in caps
    ]
    return {
        "hhi_min": lows.hhi_min,
        "hhi_max": best.hhi_max,
        "hhi_is_max_exact": best.is_max_exact,
        "hhi_cap_pct": central.cap_pct,
        "unnamed_pct": central.rest_pct + pooled,
        "hhi_note": "; ".join(n for n in (note, *capped) if n),
    }


def _period_cr3(
    counted: pd.DataFrame,
    structure: ShareStructure,
    top3_group: str | None,
    rows: pd.DataFrame | None = None,
) -> dict[str, object]:
    ids = list(counted["provider_id"])
    if top3_group is not None and top3_group in ids:
        row = counted.loc[counted["provider_id"] == top3_group].iloc[0]
        return {
            "cr3_low_pct": float(row["share_low_pct"]),
            "cr3_central_pct": float(row["share_central_pct"]),
            "cr3_high_pct": float(row["share_high_pct"]),
            "cr3_basis": f"{top3_group} group figure (assumed the three largest)",
            "cr3_note": "",
        }
    named = [p for p in ids if not structure.is_group(p)]
    if named and not any(structure.is_closed(p) for p in ids):
        firms = counted.loc[counted["provider_id"].isin(named)]
        low = cr3_range(list(firms["share_low_pct"]))
        central = cr3_range(list(firms["share_central_pct"]))
        high = cr3_range(list(firms["share_high_pct"]))
        exact = len(named) >= 3
        top = firms.sort_values("share_central_pct", ascending=False)["provider_id"].head(3)
        out: dict[str, Any] = {
            "cr3_low_pct": low.cr3_min_pct,
            "cr3_central_pct": central.cr3_min_pct if exact else math.nan,
            "cr3_high_pct": high.cr3_max_pct,
            "cr3_basis": "+".join(top) if exact else f"range: {central.assumption}",
            "cr3_note": "",
        }
        group = (
            rows.loc[rows["provider_id"] == top3_group]
            if rows is not None and top3_group is not None
            else pd.DataFrame()
        )
        if (
            exact
            and len(group)
            and top3_group is not None
            and set(top) == structure.companies(top3_group)
        ):
            # the published group figure is the central value; its members' sum widens it
            g = group.iloc[0]
            out.update(
                cr3_low_pct=min(out["cr3_low_pct"], float(g["share_low_pct"])),
                cr3_central_pct=float(g["share_central_pct"]),
                cr3_high_pct=max(out["cr3_high_pct"], float(g["share_high_pct"])),
                cr3_basis=(
                    f"{top3_group} group figure; its members "
                    f"{'+'.join(top)} add up to {central.cr3_min_pct:g}"
                ),
            )
        return out
    return {
        "cr3_low_pct": math.nan,
        "cr3_central_pct": math.nan,
        "cr3_high_pct": math.nan,
        "cr3_basis": "",
        "cr3_note": "CR3 unknown: no company shares and no top-three group figure",
    }
