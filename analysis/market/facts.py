"""What the market-position report reads off the data: milestones, series, summary figures.

Pure functions on the frames of :mod:`analysis.data.io` and of :mod:`analysis.market.shares`
(no files, no drawing, inputs never changed). :mod:`analysis.report.market.page` turns their results
into sentences, tables and figures.

Choices made here, each stated where the report uses it:

- the *reference series* of a geography is the market series with the most share figures in
  the window (:func:`reference_market`): shares are only comparable within one series, and
  a series of figures whose definition is unclear (a scope of :data:`UNCLEAR_SCOPES`) is
  never one
  (:func:`comparable_markets`);
- the big three's share of a period is the group figure when a source publishes one, the
  sum of its members otherwise; when both exist the range spans them (:func:`big3_share`):
  a source's own figure for the group is preferred to a sum of rounded member shares;
- figures belong to one *release* of an analyst when they carry the same release note, come
  from the same page, or one names its release and the other comes from a page of the same
  series dated within that release's year or month (:func:`same_release`); changes and growth
  rates are computed within a release (:func:`changes_by_release`, :func:`release_pairs`),
  since analysts revise earlier years from one release to the next;
- growth needs one share per provider and year: the annual figure, else the fourth quarter
  (:func:`yearly_shares`);
- revenues compared year by year with a market leave out forecasts and figures whose year the
  sources do not state (:func:`revenue_estimates`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

import pandas as pd

from analysis.market.columns import PERIOD_KEYS, SHARE_COLUMNS
from analysis.market.sizes import midyears

__all__ = [
    "BIG3_GROUP",
    "SOVEREIGN_COMPANIES",
    "UNCLEAR_SCOPES",
    "big3_share",
    "latest_concentration",
    "reference_market",
    "yearly_shares",
]

#: scopes (markets.csv) of figures whose definition the sources leave unclear (relayed under
#: two definitions; quoted without analyst or scope): they
#: are never a series of their own to compare, only shown apart (:func:`comparable_markets`)
UNCLEAR_SCOPES = ("definition_unclear", "cloud_unspecified")
#: the closed group of the three US hyperscalers (group_members.csv)
BIG3_GROUP = "us_big3"
#: the companies whose scale the report sets against the market
SOVEREIGN_COMPANIES = ("cloudwatt", "numergy", "ovhcloud")


# --------------------------------------------------------------------------- series


def comparable_markets(markets: pd.DataFrame) -> list[str]:
    """Ids of the series (markets.csv rows) whose figures may be compared over time: every
    series but those whose definition the sources leave unclear (:data:`UNCLEAR_SCOPES`).

    >>> m = pd.DataFrame({"market_id": ["infra", "public", "unclear"],
    ...     "scope": ["cloud_infrastructure_services", "iaas_paas", "definition_unclear"]})
    >>> comparable_markets(m)
    ['infra', 'public']
    """
    return [str(m) for m in markets.loc[~markets["scope"].isin(UNCLEAR_SCOPES), "market_id"]]


def reference_market(
    shares: pd.DataFrame,
    market_ids: Iterable[str],
    start_year: int,
    end_year: int,
    *,
    metric: str = "revenue_share",
) -> str | None:
    """The series whose shares the report draws: most share figures in the window.

    Ties go to the series with more distinct periods, then to the first id alphabetically.
    None when no series of ``market_ids`` has a share in the window.

    >>> s = pd.DataFrame({"market_id": ["a", "a", "b", "b", "b"], "metric": "revenue_share",
    ...     "period": ["2021", "2022", "2021", "2021", "2022"], "year": [2021, 2022, 2021,
    ...     2021, 2022]})
    >>> reference_market(s, ["a", "b"], 2012, 2025), reference_market(s, ["a"], 2012, 2020)
    ('b', None)
    """
    rows = shares.loc[
        shares["market_id"].isin(list(market_ids))
        & (shares["metric"] == metric)
        & shares["year"].between(start_year, end_year)
    ]
    if rows.empty:
        return None
    counts = (
        rows.groupby("market_id")
        .agg(n=("period", "size"), periods=("period", "nunique"))
        .reset_index()
        .sort_values(["n", "periods", "market_id"], ascending=[False, False, True])
    )
    return str(counts.iloc[0]["market_id"])


def big3_share(
    table: pd.DataFrame, members: pd.DataFrame, group_id: str = BIG3_GROUP
) -> pd.DataFrame:
    """The big three's share of each period: their group figure and the sum of their members.

    Parameters
    ----------
    table : one market's shares from :func:`analysis.market.shares.shares_table` (or a later
        step).
    members : ``group_id``, ``member_id`` (group_members.csv).
    group_id : the group (default the three US hyperscalers).

    Returns
    -------
    DataFrame : per period with a figure, the period columns, ``x`` (mid-period decimal
        year), ``share_low_pct``, ``share_central_pct``, ``share_high_pct``, ``basis`` (``group
        figure``, ``sum of members`` or both), ``members_share_low_pct``/``_central_pct``/
        ``_high_pct`` (the sum of the
        members' shares; NaN when not all are named) and ``source_ids``. The range spans both
        figures when a period has both (sources rounding or revising differently); the
        central value is the
        published group figure (a source's own total, not a sum of rounded shares), or the
        sum of the members when no group figure is published. A period where only some
        members are named has no row.

    Examples
    --------
    One quarter with AWS 28, Microsoft 21, Google 14-15 (members, 63-64) and a group figure of
    68: the group figure is the central value, the sum of members the low end:

    >>> t = pd.DataFrame({"market_id": "w", "period": "2025-Q4", "period_type": "quarter",
    ...     "year": 2025, "provider_id": ["aws", "microsoft", "google", "us_big3"],
    ...     "share_low_pct": [28.0, 21, 14, 68], "share_central_pct": [28.0, 21, 14.5, 68],
    ...     "share_high_pct": [28.0, 21, 15, 68]})
    >>> m = pd.DataFrame({"group_id": "us_big3", "member_id": ["aws", "microsoft", "google"]})
    >>> big3_share(t, m)[[*SHARE_COLUMNS, "basis"]].values.tolist()
    [[63.0, 68.0, 68.0, 'group figure and sum of members']]
    """
    wanted = set(members.loc[members["group_id"] == group_id, "member_id"].astype(str))
    records = []
    base = table.loc[table["provider_id"] != "other_unknown"]
    for key, rows in base.groupby(PERIOD_KEYS, sort=False):
        observations: list[tuple[float, float, float]] = []
        basis = []
        group = rows.loc[rows["provider_id"] == group_id]
        if not group.empty:
            observations += [tuple(r) for r in group[list(SHARE_COLUMNS)].to_numpy(dtype=float)]
            basis.append("group figure")
        parts = rows.loc[rows["provider_id"].isin(wanted)]
        summed = (math.nan, math.nan, math.nan)
        if wanted and set(parts["provider_id"]) == wanted:
            s_low, s_central, s_high = (float(parts[c].sum()) for c in SHARE_COLUMNS)
            summed = (s_low, s_central, s_high)
            observations.append(summed)
            basis.append("sum of members")
        # the central value: the published group figure(s) when any, else the members' sum
        preferred = observations[: len(group)] or observations
        if not observations:
            continue
        sources: dict[str, None] = {}
        used = [group] if not group.empty else []
        used += [parts] if "sum of members" in basis else []
        for frame in used:
            for ids in frame.get("source_ids", []):
                for source_id in ids if isinstance(ids, tuple | list) else [ids]:
                    sources.setdefault(str(source_id), None)
        records.append(
            {
                **dict(zip(PERIOD_KEYS, key, strict=True)),
                "share_low_pct": min(o[0] for o in observations),
                "share_central_pct": float(statistics.median(o[1] for o in preferred)),
                "share_high_pct": max(o[2] for o in observations),
                "basis": " and ".join(basis),
                "members_share_low_pct": summed[0],
                "members_share_central_pct": summed[1],
                "members_share_high_pct": summed[2],
                "source_ids": tuple(sources),
            }
        )
    members_cols = [f"members_{c}" for c in SHARE_COLUMNS]
    columns = [*PERIOD_KEYS, "x", *SHARE_COLUMNS, "basis", *members_cols, "source_ids"]
    out = pd.DataFrame.from_records(records, columns=[c for c in columns if c != "x"])
    out.insert(4, "x", midyears(out) if len(out) else [])
    return out.sort_values(["x", "period"], kind="stable").reset_index(drop=True)


def latest_concentration(conc: pd.DataFrame, min_named: int = 3) -> pd.Series | None:
    """The period whose CR3 and HHI the report quotes, and on what basis.

    The latest period (by midpoint) with at least ``min_named`` companies counted by name
    (provider-level data); failing that, the latest with a CR3 figure or range; failing that,
    the latest with an HHI range. Returns that row of ``conc`` plus ``level``
    (``provider-level``, ``group-level`` or ``hhi-only``); None when no period qualifies.

    >>> c = pd.DataFrame({"period": ["2024", "2025-Q3", "2025-Q4"], "period_type":
    ...     ["year", "quarter", "quarter"], "cr3_low_pct": [70.0, 62, 68], "cr3_central_pct":
    ...     [70.0, 62, 68], "cr3_high_pct": [70.0, 62, 68], "hhi_min": [1633.0, 1410, 1541],
    ...     "hhi_max": [5489.0, 1892, 5225], "n_named": [0, 3, 0]})
    >>> r = latest_concentration(c)
    >>> r["period"], r["level"]
    ('2025-Q3', 'provider-level')
    """
    if conc.empty:
        return None
    rows = conc.assign(_x=midyears(conc)).sort_values(["_x", "period"], kind="stable")
    tiers = (
        ("provider-level", rows["n_named"] >= min_named),
        ("group-level", rows["cr3_low_pct"].notna()),
        ("hhi-only", rows["hhi_min"].notna()),
    )
    for level, mask in tiers:
        chosen = rows.loc[mask.to_numpy(dtype=bool)]
        if not chosen.empty:
            row = chosen.iloc[-1].drop(labels="_x").astype(object)
            row["level"] = level
            return row
    return None


def yearly_shares(table: pd.DataFrame) -> pd.DataFrame:
    """One share per provider and year: the annual figure, else the fourth quarter's.

    A fourth-quarter share stands for its year (an assumption the report states: for a
    provider gaining share, the last quarter is above the year's average). Residual rows
    (``other_unknown``) and other periods are left out.

    >>> t = pd.DataFrame({"period": ["2021-Q3", "2021-Q4", "2022", "2022-Q4"],
    ...     "period_type": ["quarter", "quarter", "year", "quarter"],
    ...     "year": [2021, 2021, 2022, 2022], "provider_id": "aws",
    ...     "share_central_pct": [33.0, 33, 34, 33]})
    >>> yearly_shares(t)["period"].tolist()
    ['2021-Q4', '2022']
    """
    base = table.loc[table["provider_id"] != "other_unknown"]
    annual = base.loc[base["period_type"] == "year"]
    fourth = base.loc[base["period"].astype(str).str.endswith("-Q4")]
    have = set(zip(annual["provider_id"], annual["year"], strict=True))
    fourth = fourth.loc[
        [(p, y) not in have for p, y in zip(fourth["provider_id"], fourth["year"], strict=True)]
    ]
    out = pd.concat([annual, fourth])
    return out.sort_values(["provider_id", "year"], kind="stable").reset_index(drop=True)
