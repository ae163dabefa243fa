"""Market shares by provider and by origin, the rest of the market, relative share and growth.

Pure functions on small frames (no files, no drawing, inputs never changed). Shares are in
percent of one market (0-100, ``_pct``); every share is a ``share_low_pct`` /
``share_central_pct`` / ``share_high_pct`` range.

The usual chain::

    table = shares_table(shares, "fr_iaas_paas")             # one row per period and provider
    table = disjoint_shares(table, entities, members)         # which rows add up (is_counted)
    table = with_other_unknown(table)                         # + the rest as its own row
    origins = by_origin(table, entities, members)             # US / European / French / ...

Groups and members
------------------
A provider id is a company (``aws``) or a group (``us_big3``, ``european_providers``,
``other_providers``). A group is *closed* when ``members`` lists its members (the big three),
*open* when it has none but an origin (``european_providers``: every European provider, which
nobody can list) and *opaque* when it has neither (a source's "other providers"). A closed
group covers its listed members; an open group covers every company (and every closed or open
group made only of companies) of its origin present in the same period (a European group
covers French companies too); an opaque group overlaps nothing. A group the data flags as
open (:func:`open_group_ids`) stays open even when ``members`` names some of its members: the
data lists, for an open group, only the members its sources name. Two overlapping rows are never
both counted: the larger one is kept, except that a closed group whose members are all listed
and add up to the group figure (within rounding) gives way to its members (``prefer="members"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.market.columns import PERIOD_KEYS, RANGE_COLUMNS, SHARE_COLUMNS, union_source_ids
from analysis.market.sizes import MarketInputError, reduce_ranges

__all__ = [
    "ORIGIN_GROUPS",
    "OTHER_UNKNOWN",
    "SHARE_COLUMNS",
    "ShareStructure",
    "by_origin",
    "disjoint_shares",
    "is_residual",
    "open_group_ids",
    "shares_table",
    "with_other_unknown",
]

#: provider id of the rest of the market added by :func:`with_other_unknown`
OTHER_UNKNOWN = "other_unknown"
#: origin groups of :func:`by_origin`; ``french`` is a part of ``european``, not an addend
ORIGIN_GROUPS = ("us", "european", "french", "other", "unattributed")

_ORIGIN_OF_GROUP = {"us": "us", "european": "european", "french": "european", "other": "other"}
# an open group of origin X covers companies of these origins
_COVERS = {"european": {"european", "french"}, "french": {"french"}, "us": {"us"}}
_COVERS["other"] = {"other"}


# --------------------------------------------------------------------------- table


def shares_table(
    shares: pd.DataFrame,
    market_id: str,
    *,
    metric: str = "revenue_share",
    rule: str = "span",
    published_col: str | None = None,
) -> pd.DataFrame:
    """One row per period and provider of one market, with the range of what sources say.

    Parameters
    ----------
    shares : long table with ``market_id``, ``period``, ``period_type``, ``year``,
        ``provider_id``, ``metric`` and either ``share_pct`` (raw rows, several per key when
        sources disagree; optional ``bound``, ``source_id``) or ``low``/``central``/``high``
        (one row per key, already reduced).
    market_id : the market.
    metric : ``revenue_share`` (share of revenue) or ``growth_share`` (share of the market's
        growth captured).
    rule, published_col : how raw rows are reduced, see :func:`analysis.core.evidence.estimate`
        (``span``: range over every figure, central = median of point figures; ``latest``:
        central = the latest published figure, for publishers that revise their baselines).

    Returns
    -------
    DataFrame : ``market_id``, ``period``, ``period_type``, ``year``, ``provider_id``,
        ``share_low_pct``, ``share_central_pct``, ``share_high_pct`` (percent of the market),
        ``open_low``, ``open_high`` (the figure is only a bound on that side),
        ``n_observations``, ``source_ids``; sorted by year, period, provider.

    Examples
    --------
    Synergy's 2017 share of European providers, as three releases gave it:

    >>> shares = pd.DataFrame({"market_id": ["eu"] * 3, "period": ["2017"] * 3,
    ...     "period_type": ["year"] * 3, "year": [2017] * 3,
    ...     "provider_id": ["european_providers"] * 3, "metric": ["revenue_share"] * 3,
    ...     "share_pct": [26.0, 27.0, 29.0], "bound": ["point"] * 3,
    ...     "source_id": ["s2020", "s2022", "s2025"]})
    >>> t = shares_table(shares, "eu")
    >>> t[list(SHARE_COLUMNS)].iloc[0].tolist()
    [26.0, 27.0, 29.0]
    """
    if market_id not in set(shares["market_id"]):
        known = ", ".join(sorted(map(str, shares["market_id"].unique())))
        raise MarketInputError(f"unknown market_id {market_id!r}; known: {known}")
    rows = shares.loc[shares["market_id"] == market_id]
    if "metric" in rows.columns:  # a reduced frame may have dropped it
        rows = rows.loc[rows["metric"] == metric]
    keys = [*PERIOD_KEYS, "provider_id"]
    out = reduce_ranges(rows, keys, "share_pct", rule=rule, published_col=published_col)
    out = out.rename(columns=dict(zip(RANGE_COLUMNS, SHARE_COLUMNS, strict=True)))
    values = out[list(SHARE_COLUMNS)]
    bad = (values < 0) | (values > 100)
    if bad.to_numpy().any():
        row = out.loc[bad.any(axis=1)].iloc[0]
        raise MarketInputError(
            f"share outside 0-100 % for {row['provider_id']} in {row['period']} "
            f"({row['share_central_pct']:g})"
        )
    out["year"] = out["year"].astype(int)
    return out.sort_values(["year", "period", "provider_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- groups


def open_group_ids(entities: pd.DataFrame) -> set[str]:
    """Groups whose listed members are only those the sources name (open groups).

    ``group_members.csv`` lists, for an open group such as ``european_providers``, only the
    members a source names; those rows must not make the group closed (covering exactly its
    listed members). The ``membership`` column of ``entities.csv`` says which groups are open.

    >>> ent = pd.DataFrame({"entity_id": ["us_big3", "european_providers"],
    ...     "kind": "provider_group", "membership": ["closed", "open"]})
    >>> sorted(open_group_ids(ent))
    ['european_providers']
    """
    if "membership" not in entities.columns:
        return set()
    flags = entities["membership"].astype("string").str.strip().str.lower() == "open"
    return {str(i) for i in entities.loc[flags.fillna(False).astype(bool), "entity_id"]}


@dataclass
class ShareStructure:
    """Who is a group, what each covers and each id's origin."""

    kind: dict[str, str]
    origin: dict[str, str]
    explicit: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, entities: pd.DataFrame, members: pd.DataFrame | None) -> ShareStructure:
        origins = entities["origin"] if "origin" in entities.columns else [None] * len(entities)
        structure = cls(
            kind=dict(zip(entities["entity_id"], entities["kind"], strict=True)),
            origin={
                str(k): ("none" if v is None or pd.isna(v) else str(v))
                for k, v in zip(entities["entity_id"], origins, strict=True)
            },
        )
        if members is not None:
            open_ids = open_group_ids(entities)
            for group_id, member_id in zip(members["group_id"], members["member_id"], strict=True):
                if str(group_id) not in open_ids:
                    structure.explicit.setdefault(str(group_id), set()).add(str(member_id))
        return structure

    def check(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self.kind and i != OTHER_UNKNOWN})
        if missing:
            raise MarketInputError(f"provider ids missing from entities: {', '.join(missing)}")

    def is_group(self, pid: str) -> bool:
        return pid in self.explicit or self.kind.get(pid) == "provider_group"

    def is_closed(self, pid: str) -> bool:
        return pid in self.explicit

    def is_open(self, pid: str) -> bool:
        return self.is_group(pid) and not self.is_closed(pid) and self.origin.get(pid) in _COVERS

    def companies(self, pid: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """The companies behind an id (itself for a company or an unlisted group)."""
        if pid not in self.explicit or pid in seen:
            return {pid}
        found: set[str] = set()
        for member in self.explicit[pid]:
            found |= self.companies(member, seen | {pid})
        return found

    def leaves(self, present: Sequence[str]) -> dict[str, set[str]]:
        """What each present id covers, in terms of companies and group tokens."""
        leaf = {p: self.companies(p) for p in present if not self.is_open(p)}
        open_groups = sorted(
            (p for p in present if self.is_open(p)), key=lambda p: len(_COVERS[self.origin[p]])
        )
        for group in open_groups:
            covers = _COVERS[self.origin[group]]
            leaf[group] = {group}
            for other, ids in list(leaf.items()):
                if other != group and all(self.origin.get(i) in covers for i in ids):
                    leaf[group] |= ids
        return leaf


def _select(
    providers: Sequence[str],
    central: Sequence[float],
    structure: ShareStructure,
    prefer: str,
    tolerance_pct: float,
) -> dict[str, tuple[bool, str]]:
    """Which of one period's rows are counted, so that no company is counted twice."""
    value = dict(zip(providers, central, strict=True))
    leaf = structure.leaves(list(providers))
    owner: dict[str, str] = {}
    result: dict[str, tuple[bool, str]] = {}
    for pid in sorted(providers, key=lambda p: (-len(leaf[p]), p)):
        clash = sorted({owner[i] for i in leaf[pid] if i in owner})
        if clash:
            result[pid] = (False, f"inside {'+'.join(clash)}, counted there")
            continue
        note = ""
        if structure.is_closed(pid):
            parts: list[str] = []
            covered: set[str] = set()
            for q in sorted(providers, key=lambda p: (-len(leaf[p]), p)):
                if q != pid and leaf[q] < leaf[pid] and not leaf[q] & covered:
                    parts.append(q)
                    covered |= leaf[q]
            if parts and covered == leaf[pid]:
                total = sum(value[q] for q in parts)
                close = abs(total - value[pid]) <= tolerance_pct * (len(parts) + 1)
                if prefer == "members" and close:
                    result[pid] = (
                        False,
                        f"members {'+'.join(sorted(parts))} counted instead "
                        f"({total:g} vs group figure {value[pid]:g})",
                    )
                    continue
                if not close:
                    note = f"group figure kept: its members add up to {total:g}, not {value[pid]:g}"
        result[pid] = (True, note)
        for i in leaf[pid]:
            owner[i] = pid
    return result


def disjoint_shares(
    table: pd.DataFrame,
    entities: pd.DataFrame,
    members: pd.DataFrame | None = None,
    *,
    prefer: str = "members",
    tolerance_pct: float = 0.5,
) -> pd.DataFrame:
    """Mark which rows of each period can be added up without counting a company twice.

    Parameters
    ----------
    table : from :func:`shares_table`.
    entities : ``entity_id``, ``kind`` (``company``, ``provider_group``, ...), ``origin``
        (``french``, ``european``, ``us``, ``other``, ``none``).
    members : ``group_id``, ``member_id``; rows of groups flagged open in ``entities``
        (:func:`open_group_ids`) are ignored. None when there are none.
    prefer : ``"members"`` counts a closed group's members instead of the group when all are
        listed and add up to it; ``"group"`` always keeps the group figure.
    tolerance_pct : rounding allowed per share (percentage points) when comparing a group
        figure with the sum of its members.

    Returns
    -------
    DataFrame : ``table`` plus ``is_counted`` (bool) and ``overlap_note`` (why a row is not
        counted, or which figure was kept). Rules: see the module docstring.

    Examples
    --------
    Big three 71 % with AWS 46, Azure 17, Google 8 (France 2021): the members are counted.

    >>> t = pd.DataFrame({"market_id": "fr", "period": "2021", "period_type": "year",
    ...     "year": 2021, "provider_id": ["aws", "microsoft", "google", "us_big3"],
    ...     "share_low_pct": [46.0, 17, 8, 71], "share_central_pct": [46.0, 17, 8, 71],
    ...     "share_high_pct": [46.0, 17, 8, 71]})
    >>> ent = pd.DataFrame({"entity_id": ["aws", "microsoft", "google", "us_big3"],
    ...     "kind": ["company"] * 3 + ["provider_group"], "origin": "us"})
    >>> mem = pd.DataFrame({"group_id": "us_big3", "member_id": ["aws", "microsoft", "google"]})
    >>> disjoint_shares(t, ent, mem)[["provider_id", "is_counted"]].values.tolist()
    [['aws', True], ['microsoft', True], ['google', True], ['us_big3', False]]
    """
    if prefer not in ("members", "group"):
        raise MarketInputError(f"prefer must be 'members' or 'group', got {prefer!r}")
    structure = ShareStructure.build(entities, members)
    structure.check(table["provider_id"])
    out = table.copy()
    counted = pd.Series(True, index=out.index)
    notes = pd.Series("", index=out.index, dtype=object)
    residual = is_residual(out)
    for _, rows in out.loc[~residual].groupby(PERIOD_KEYS, sort=False, dropna=False):
        chosen = _select(
            list(rows["provider_id"]),
            list(rows["share_central_pct"]),
            structure,
            prefer,
            tolerance_pct,
        )
        for index, pid in zip(rows.index, rows["provider_id"], strict=True):
            counted[index], notes[index] = chosen[pid]
    out["is_counted"] = counted.astype(bool)
    out["overlap_note"] = notes.astype(str)
    return out


def is_residual(table: pd.DataFrame) -> pd.Series:
    """A mask of the rows that are the unnamed rest of the market (:data:`OTHER_UNKNOWN`)."""
    if "is_residual" in table.columns:
        return table["is_residual"].fillna(False).astype(bool)
    return table["provider_id"] == OTHER_UNKNOWN


# --------------------------------------------------------------------------- rest of market


def with_other_unknown(table: pd.DataFrame, *, tolerance_pct: float | None = None) -> pd.DataFrame:
    """Add, for each period, the rest of the market as its own ``other_unknown`` row.

    The rest is ``100 - sum of the counted shares``; it is never spread over the known
    providers. Rows are counted as marked by :func:`disjoint_shares` (``is_counted``); a table
    without that column is taken as disjoint (every row counted).

    Parameters
    ----------
    table : from :func:`shares_table` or :func:`disjoint_shares`.
    tolerance_pct : how far the counted shares may add up above 100 % before the period is
        flagged; default 0.5 percentage point per counted share (each published share rounded
        to the nearest whole percent).

    Returns
    -------
    DataFrame : ``table`` (with ``is_counted`` and ``overlap_note``) plus one row per period
        with ``provider_id = "other_unknown"``: central = 100 - sum of central shares, low =
        100 - sum of high ends, high = 100 - sum of low ends, each floored at 0. Added columns
        on every row: ``is_residual``, ``known_sum_pct`` (sum of the counted central shares
        of the period) and ``is_over_100`` (that sum is above 100 + tolerance: the sources
        conflict or overlap, and the rest is shown as 0).

    Examples
    --------
    >>> t = pd.DataFrame({"market_id": "eu", "period": "2021", "period_type": "year",
    ...     "year": 2021, "provider_id": ["us_big3", "european_providers"],
    ...     "share_low_pct": [69.0, 15.0], "share_central_pct": [69.0, 16.0],
    ...     "share_high_pct": [69.0, 16.0]})
    >>> out = with_other_unknown(t)
    >>> out.loc[out["is_residual"], list(SHARE_COLUMNS)].iloc[0].tolist()
    [15.0, 15.0, 16.0]
    """
    base = table.loc[~is_residual(table)].copy()
    if "is_counted" not in base.columns:
        base["is_counted"] = True
        base["overlap_note"] = ""
    base["is_residual"] = False
    extra: list[dict[str, object]] = []
    flags: dict[tuple, tuple[float, bool]] = {}
    for key, rows in base.groupby(PERIOD_KEYS, sort=False, dropna=False):
        counted = rows.loc[rows["is_counted"].astype(bool)]
        sums = [float(counted[col].sum()) for col in SHARE_COLUMNS]
        tol = 0.5 * len(counted) if tolerance_pct is None else float(tolerance_pct)
        over = sums[1] > 100 + tol
        flags[key] = (sums[1], over)
        row = dict(zip(PERIOD_KEYS, key, strict=True))
        row.update(
            provider_id=OTHER_UNKNOWN,
            share_low_pct=max(0.0, 100 - sums[2]),
            share_central_pct=max(0.0, 100 - sums[1]),
            share_high_pct=max(0.0, 100 - sums[0]),
            is_counted=True,
            is_residual=True,
            overlap_note="rest of the market: 100 - counted shares",
        )
        if "open_low" in rows.columns:
            row["open_low"] = bool(counted["open_high"].any())
            row["open_high"] = bool(counted["open_low"].any())
        if "n_observations" in rows.columns:
            row["n_observations"] = 0
        if "source_ids" in rows.columns:
            row["source_ids"] = union_source_ids(*counted["source_ids"])
        extra.append(row)
    out = pd.concat([base, pd.DataFrame(extra, columns=base.columns)], ignore_index=True)
    keys = list(zip(*(out[k] for k in PERIOD_KEYS), strict=True))
    out["known_sum_pct"] = [flags[k][0] for k in keys]
    out["is_over_100"] = [flags[k][1] for k in keys]
    out["is_residual"] = out["is_residual"].astype(bool)
    out["is_counted"] = out["is_counted"].astype(bool)
    return out.sort_values(
        ["year", "period", "is_residual", "provider_id"], kind="stable"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- origin


def by_origin(
    table: pd.DataFrame,
    entities: pd.DataFrame,
    members: pd.DataFrame | None = None,
    *,
    prefer: str = "members",
    tolerance_pct: float = 0.5,
) -> pd.DataFrame:
    """Shares of US, European (incl. French), French and other-origin providers, by period.

    Each provider counts once (:func:`disjoint_shares`); its origin is the entity's
    ``origin`` (a group's own origin: ``us_big3`` is ``us``). ``us``, ``european``, ``other``
    and ``unattributed`` add up to 100 %; ``french`` is the French part of ``european``,
    computed from French rows alone (so a French company counted inside a European group
    figure still shows here).

    Parameters
    ----------
    table : from :func:`shares_table` (or any later step; residual rows are recomputed).
    entities, members, prefer, tolerance_pct : as in :func:`disjoint_shares`.

    Returns
    -------
    DataFrame : one row per period and origin group present, with ``origin_group`` (one of
        :data:`ORIGIN_GROUPS`), the share range, ``is_additive`` (False for ``french``),
        ``is_lower_bound`` (True unless an open group figure covers the whole origin: named
        providers only), ``open_low`` / ``open_high`` (a figure added up is only a bound: the
        sum is open on that side, and the unattributed rest on the other), ``basis`` (the
        provider ids summed), ``note`` (rows left out and why) and ``source_ids``. An
        origin with no share in a period has no row (unknown, not zero): it is inside
        ``unattributed``, which is 100 minus the attributed origins
        (opaque groups and the rest of the market).

    Examples
    --------
    Europe 2021 (Synergy): big three 69 %, European providers 16 %, OVHcloud about 2 %.

    >>> t = pd.DataFrame({"market_id": "eu", "period": "2021", "period_type": "year",
    ...     "year": 2021, "provider_id": ["us_big3", "european_providers", "ovhcloud"],
    ...     "share_low_pct": [69.0, 16, 2], "share_central_pct": [69.0, 16, 2],
    ...     "share_high_pct": [69.0, 16, 2]})
    >>> ent = pd.DataFrame({"entity_id": ["us_big3", "european_providers", "ovhcloud"],
    ...     "kind": ["provider_group", "provider_group", "company"],
    ...     "origin": ["us", "european", "french"]})
    >>> mem = pd.DataFrame({"group_id": "us_big3", "member_id": ["aws", "microsoft", "google"]})
    >>> by_origin(t, ent, mem)[["origin_group", "share_central_pct"]].values.tolist()
    [['us', 69.0], ['european', 16.0], ['french', 2.0], ['unattributed', 15.0]]
    """
    structure = ShareStructure.build(entities, members)
    base = table.loc[~is_residual(table)].drop(
        columns=["is_counted", "overlap_note"], errors="ignore"
    )
    marked = disjoint_shares(base, entities, members, prefer=prefer, tolerance_pct=tolerance_pct)
    marked["origin_key"] = [
        _ORIGIN_OF_GROUP.get(structure.origin.get(p, "none"), "unattributed")
        for p in marked["provider_id"]
    ]
    records: list[dict[str, object]] = []
    for key, rows in marked.groupby(PERIOD_KEYS, sort=False, dropna=False):
        head = dict(zip(PERIOD_KEYS, key, strict=True))
        counted = rows.loc[rows["is_counted"]]
        attributed = [0.0, 0.0, 0.0]
        for group in ("us", "european", "other"):
            part = counted.loc[counted["origin_key"] == group]
            if part.empty:
                continue
            sums = [float(part[col].sum()) for col in SHARE_COLUMNS]
            attributed = [a + s for a, s in zip(attributed, sums, strict=True)]
            left_out = rows.loc[(rows["origin_key"] == group) & ~rows["is_counted"]]
            records.append(
                _origin_row(head, group, sums, part, left_out, structure, is_additive=True)
            )
        french = rows.loc[[structure.origin.get(p) == "french" for p in rows["provider_id"]]]
        if not french.empty:
            chosen = _select(
                list(french["provider_id"]),
                list(french["share_central_pct"]),
                structure,
                prefer,
                tolerance_pct,
            )
            keep = pd.Series([chosen[p][0] for p in french["provider_id"]], index=french.index)
            part = french.loc[keep]
            left_out = french.loc[~keep].assign(
                overlap_note=[chosen[p][1] for p in french.loc[~keep, "provider_id"]]
            )
            sums = [float(part[col].sum()) for col in SHARE_COLUMNS]
            records.append(
                _origin_row(head, "french", sums, part, left_out, structure, is_additive=False)
            )
        opaque = counted.loc[counted["origin_key"] == "unattributed"]
        rest = [max(0.0, 100 - attributed[2]), max(0.0, 100 - attributed[1])]
        rest.append(max(0.0, 100 - attributed[0]))
        basis = "+".join([*opaque["provider_id"], "rest of market"])
        records.append(
            {
                **head,
                "origin_group": "unattributed",
                **dict(zip(SHARE_COLUMNS, rest, strict=True)),
                "is_additive": True,
                "is_lower_bound": False,
                # the rest is open on the side opposite to a bound among the counted shares
                "open_low": _any_flag(counted, "open_high"),
                "open_high": _any_flag(counted, "open_low"),
                "basis": basis,
                "note": "100 - attributed origins (groups of mixed origin and the rest)",
                "source_ids": union_source_ids(*counted.get("source_ids", [])),
            }
        )
    out = pd.DataFrame.from_records(
        records,
        columns=[
            *PERIOD_KEYS,
            "origin_group",
            *SHARE_COLUMNS,
            "is_additive",
            "is_lower_bound",
            "open_low",
            "open_high",
            "basis",
            "note",
            "source_ids",
        ],
    )
    order = {g: i for i, g in enumerate(ORIGIN_GROUPS)}
    out["_order"] = out["origin_group"].map(order)
    return (
        out.sort_values(["year", "period", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _origin_row(
    head: dict[str, object],
    group: str,
    sums: list[float],
    part: pd.DataFrame,
    left_out: pd.DataFrame,
    structure: ShareStructure,
    *,
    is_additive: bool,
) -> dict[str, object]:
    target = _COVERS["french" if group == "french" else group]
    complete = any(
        structure.is_open(p) and _COVERS[structure.origin[p]] == target for p in part["provider_id"]
    )
    note = "; ".join(
        f"{p} not added: {n}"
        for p, n in zip(left_out["provider_id"], left_out["overlap_note"], strict=True)
    )
    return {
        **head,
        "origin_group": group,
        **dict(zip(SHARE_COLUMNS, sums, strict=True)),
        "is_additive": is_additive,
        "is_lower_bound": not complete,
        "open_low": _any_flag(part, "open_low"),
        "open_high": _any_flag(part, "open_high"),
        "basis": "+".join(part["provider_id"]),
        "note": note,
        "source_ids": union_source_ids(*part.get("source_ids", [])),
    }


def _any_flag(frame: pd.DataFrame, col: str) -> bool:
    """Whether any row has a bound flag set (False when the column is absent)."""
    return bool(col in frame.columns and frame[col].fillna(False).astype(bool).any())
