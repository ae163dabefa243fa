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
from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.core.evidence import estimate_by
from analysis.market.columns import PERIOD_KEYS, SHARE_COLUMNS
from analysis.market.releases import rate_bound, release_clusters, same_release
from analysis.market.sizes import decimal_year, period_midyear

__all__ = [
    "BIG3_GROUP",
    "MILESTONE_SPECS",
    "SOVEREIGN_COMPANIES",
    "UNCLEAR_SCOPES",
    "big3_share",
    "changes_by_release",
    "latest_concentration",
    "merge_close_milestones",
    "milestones",
    "origin_change",
    "published_growth",
    "reference_market",
    "release_change",
    "revenue_estimates",
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
#: milestones marked on time axes: (table, entity, event type), looked up in the data
MILESTONE_SPECS: tuple[tuple[str, str, str], ...] = (
    ("events", "numergy", "founded"),
    ("events", "cloudwatt", "launch_event"),
    ("capital_events", "cloudwatt", "buyout_completed"),
    ("capital_events", "numergy", "buyout_completed"),
    ("events", "cloudwatt", "service_end"),
    ("events", "cloud_strategy_2021", "policy_announced"),
)


# --------------------------------------------------------------------------- milestones


def _names(entities: pd.DataFrame) -> dict[str, str]:
    return {str(k): str(v) for k, v in zip(entities["entity_id"], entities["name"], strict=True)}


def milestones(
    events: pd.DataFrame,
    capital_events: pd.DataFrame,
    entities: pd.DataFrame,
    specs: Sequence[tuple[str, str, str]] = MILESTONE_SPECS,
) -> pd.DataFrame:
    """The dated milestones to mark on time axes, one per spec found in the data.

    Parameters
    ----------
    events : ``entity_id``, ``event_type``, ``date``, ``label``, ``value_origin``,
        ``source_id`` (events.csv).
    capital_events : ``company_id``, ``investor_id``, ``event_type``, ``period_start``,
        ``value_origin``, ``source_id`` (capital_events.csv; the buyout steps).
    entities : ``entity_id``, ``name`` (labels of capital events).
    specs : ``(table, entity_id, event_type)`` triples, ``table`` being ``"events"`` or
        ``"capital_events"``.

    Returns
    -------
    DataFrame : ``date`` (ISO partial date), ``x`` (decimal year), ``label``, ``entity_id``,
        ``event_type``, ``source_id``, ``n_dates`` (how many dated rows the data has for the
        spec), sorted by date. Where sources give several dates, the row read from the
        dossier's value is preferred to one read from its wording, then the most precise
        date, then the earliest. A spec with no row is left out.

    Examples
    --------
    >>> ev = pd.DataFrame({"entity_id": ["cloudwatt"], "event_type": ["service_end"],
    ...     "date": ["2020-02-01"], "label": ["Cloudwatt switched off"],
    ...     "value_origin": ["value"], "source_id": ["s1"]})
    >>> cap = pd.DataFrame({"company_id": ["cloudwatt", "cloudwatt"],
    ...     "investor_id": ["orange", "orange"], "event_type": ["buyout_completed"] * 2,
    ...     "period_start": ["2015-03-20", "2015-01"], "value_origin": ["value", "wording"],
    ...     "source_id": ["s2", "s3"]})
    >>> ent = pd.DataFrame({"entity_id": ["cloudwatt", "orange"],
    ...     "name": ["Cloudwatt", "Orange"]})
    >>> specs = [("capital_events", "cloudwatt", "buyout_completed"),
    ...          ("events", "cloudwatt", "service_end")]
    >>> ms = milestones(ev, cap, ent, specs)
    >>> ms["label"].tolist()
    ['Cloudwatt bought out by Orange', 'Cloudwatt switched off']
    >>> ms[["date", "n_dates"]].values.tolist()
    [['2015-03-20', 2], ['2020-02-01', 1]]
    """
    names = _names(entities)
    records = []
    for table, entity_id, event_type in specs:
        if table == "events":
            rows = events.loc[
                (events["entity_id"] == entity_id) & (events["event_type"] == event_type)
            ]
            dates, labels = rows["date"], rows["label"]
        elif table == "capital_events":
            rows = capital_events.loc[
                (capital_events["company_id"] == entity_id)
                & (capital_events["event_type"] == event_type)
                & capital_events["period_start"].notna()
            ]
            dates = rows["period_start"]
            labels = [
                f"{names.get(entity_id, entity_id)} bought out by {names.get(str(i), str(i))}"
                if isinstance(i, str) and i
                else f"{names.get(entity_id, entity_id)} bought out"
                for i in rows["investor_id"].fillna("")
            ]
        else:
            raise ValueError(f"milestone table must be 'events' or 'capital_events': {table!r}")
        if rows.empty:
            continue
        options = pd.DataFrame(
            {
                "date": [str(d) for d in dates],
                "label": [str(label) for label in labels],
                "source_id": [str(s) for s in rows["source_id"]],
                "from_value": [v == "value" for v in rows["value_origin"]],
            }
        )
        options["precision"] = options["date"].str.len()
        best = options.sort_values(
            ["from_value", "precision", "date"], ascending=[False, False, True], kind="stable"
        ).iloc[0]
        records.append(
            {
                "date": best["date"],
                "x": decimal_year(best["date"]),
                "label": best["label"],
                "entity_id": entity_id,
                "event_type": event_type,
                "source_id": best["source_id"],
                "n_dates": len(options),
            }
        )
    columns = ["date", "x", "label", "entity_id", "event_type", "source_id", "n_dates"]
    out = pd.DataFrame.from_records(records, columns=columns)
    return out.sort_values(["x", "date"], kind="stable").reset_index(drop=True)


def merge_close_milestones(frame: pd.DataFrame, within_years: float = 0.25) -> pd.DataFrame:
    """Merge milestones closer than ``within_years`` into one line (labels joined by ``;``).

    The merged line keeps the earliest date; ``source_id`` joins the sources with ``;``.
    Used for drawing only: the table of milestones keeps every row.

    >>> ms = pd.DataFrame({"date": ["2012-09", "2012-10-02", "2015-03-20"],
    ...     "x": [2012.667, 2012.751, 2015.214], "label": ["A created", "B launch", "C"],
    ...     "source_id": ["s1", "s2", "s3"]})
    >>> merge_close_milestones(ms)[["date", "label"]].values.tolist()
    [['2012-09', 'A created; B launch'], ['2015-03-20', 'C']]
    """
    rows = frame.sort_values("x", kind="stable")
    merged: list[dict[str, object]] = []
    for _, row in rows.iterrows():
        if merged and float(row["x"]) - float(merged[-1]["_last"]) < within_years:
            merged[-1]["label"] = f"{merged[-1]['label']}; {row['label']}"
            merged[-1]["source_id"] = f"{merged[-1]['source_id']};{row['source_id']}"
            merged[-1]["_last"] = float(row["x"])
            continue
        merged.append({**row.to_dict(), "_last": float(row["x"])})
    out = pd.DataFrame.from_records(merged, columns=[*frame.columns, "_last"])
    return out.drop(columns="_last").reset_index(drop=True)


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


def _midyear(frame: pd.DataFrame) -> list[float]:
    return [
        period_midyear(p, t) for p, t in zip(frame["period"], frame["period_type"], strict=True)
    ]


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
            summed = tuple(float(parts[c].sum()) for c in SHARE_COLUMNS)
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
    out.insert(4, "x", _midyear(out) if len(out) else [])
    return out.sort_values(["x", "period"], kind="stable").reset_index(drop=True)


def origin_change(origins: pd.DataFrame, origin: str = "european") -> pd.Series | None:
    """Share of one origin group in its first and latest period, and the change between.

    Parameters
    ----------
    origins : from :func:`analysis.market.shares.by_origin` (one market).
    origin : the origin group (``european``, ``us``, ``french``, ...).

    Returns
    -------
    Series or None : ``first_period``, ``latest_period``, ``first_low``, ``first_central``,
        ``first_high``, ``latest_low``, ``latest_central``, ``latest_high`` (percent) and
        ``change_low_pp``, ``change_central_pp``, ``change_high_pp`` (percentage points; the
        low change runs from the high start to the low end); ``is_lower_bound`` (either end
        counts named providers only). None with fewer than two periods. Periods are ordered by
        their midpoint (2022-Q2 comes before 2022).

    The figures compared are the reduced ranges of each period: when their sources are
    releases of an analyst that revises its past figures, pair figures of one release with
    :func:`release_change` instead (the range here would mix a revision with a change).

    Examples
    --------
    A group at 20 to 24 % in 2018 (central 22) and 15 % in 2024: -7 points, from 15 - 24 to
    15 - 20.

    >>> o = pd.DataFrame({"period": ["2018", "2024"], "period_type": "year",
    ...     "origin_group": "european", "share_low_pct": [20.0, 15], "share_central_pct":
    ...     [22.0, 15], "share_high_pct": [24.0, 15], "is_lower_bound": False})
    >>> c = origin_change(o)
    >>> c[["change_low_pp", "change_central_pp", "change_high_pp"]].tolist()
    [-9.0, -7.0, -5.0]
    """
    rows = origins.loc[origins["origin_group"] == origin].copy()
    if len(rows) < 2:
        return None
    rows["_x"] = _midyear(rows)
    rows = rows.sort_values(["_x", "period"], kind="stable")
    first, last = rows.iloc[0], rows.iloc[-1]
    low, central, high = SHARE_COLUMNS
    return pd.Series(
        {
            "first_period": str(first["period"]),
            "latest_period": str(last["period"]),
            "first_low": float(first[low]),
            "first_central": float(first[central]),
            "first_high": float(first[high]),
            "latest_low": float(last[low]),
            "latest_central": float(last[central]),
            "latest_high": float(last[high]),
            "change_low_pp": float(last[low] - first[high]),
            "change_central_pp": float(last[central] - first[central]),
            "change_high_pp": float(last[high] - first[low]),
            "is_lower_bound": bool(first.get("is_lower_bound", False))
            or bool(last.get("is_lower_bound", False)),
        },
        name=origin,
    )


def changes_by_release(rows: pd.DataFrame, value_col: str = "share_pct") -> pd.DataFrame:
    """One provider's figures grouped by release, with the change from its first to its last
    period inside each release.

    Parameters
    ----------
    rows : one provider's figures of one series, with the columns of
        :func:`analysis.market.releases.with_releases`, ``period``, ``period_type``, ``bound`` and
        ``value_col``.
    value_col : the figure (``share_pct``).

    Returns
    -------
    DataFrame : one row per release (:func:`analysis.market.releases.release_clusters`):
        ``release_label`` (its note or its pages), ``figures`` (``[(period, value, bound),
        ...]`` by midpoint), ``first_period``, ``latest_period``, ``first_value``,
        ``latest_value``, ``change_pp`` (NaN with one period), ``bound`` (``"at most"``,
        ``"at least"`` or empty), ``latest_x`` (midpoint of its last period) and
        ``source_ids``; sorted by the release's last period, then its label.

    Examples
    --------
    Synergy's European providers as three releases gave them: 26 % (2017) and under 16 %
    (2020-Q3) in the 2020 release; 29 % (2017) and 15 % (2024) in the 2025 release.

    >>> base = {"provider_id": "european_providers", "release_key": ""}
    >>> rows = pd.DataFrame([
    ...     {**base, "period": "2017", "period_type": "year", "share_pct": 26.0,
    ...      "bound": "point", "source_id": "cap20", "release_note": "Synergy release of 2020",
    ...      "release_key": "2020", "page_date": "2020-12", "release_label": "Synergy 2020"},
    ...     {**base, "period": "2020-Q3", "period_type": "quarter", "share_pct": 16.0,
    ...      "bound": "upper", "source_id": "cap20", "release_note": "", "page_date": "2020-12",
    ...      "release_label": "Capacity (c. 2020-12)"},
    ...     {**base, "period": "2017", "period_type": "year", "share_pct": 29.0,
    ...      "bound": "point", "source_id": "me25", "release_note": "Synergy release of 2025",
    ...      "release_key": "2025", "page_date": "2025", "release_label": "Synergy 2025"},
    ...     {**base, "period": "2024", "period_type": "year", "share_pct": 15.0,
    ...      "bound": "point", "source_id": "me25", "release_note": "Synergy release of 2025",
    ...      "release_key": "2025", "page_date": "2025", "release_label": "Synergy 2025"}])
    >>> out = changes_by_release(rows)
    >>> out[["first_period", "latest_period", "change_pp", "bound"]].values.tolist()
    [['2017', '2020-Q3', -10.0, 'at most'], ['2017', '2024', -14.0, '']]
    """
    columns = [
        "release_label",
        "figures",
        "first_period",
        "latest_period",
        "first_value",
        "latest_value",
        "change_pp",
        "bound",
        "latest_x",
        "source_ids",
    ]
    records = []
    for cluster in release_clusters(rows):
        part = rows.loc[cluster].assign(_x=lambda f: _midyear(f))
        part = part.sort_values(["_x", "period"], kind="stable")
        first, last = part.iloc[0], part.iloc[-1]
        notes = [n for n in dict.fromkeys(part["release_note"]) if n]
        label = "; ".join(notes) or "; ".join(dict.fromkeys(part["release_label"]))
        several = first["period"] != last["period"]
        records.append(
            {
                "release_label": label,
                "figures": [
                    (str(p), float(v), str(b))
                    for p, v, b in zip(part["period"], part[value_col], part["bound"], strict=True)
                ],
                "first_period": str(first["period"]),
                "latest_period": str(last["period"]),
                "first_value": float(first[value_col]),
                "latest_value": float(last[value_col]),
                "change_pp": float(last[value_col] - first[value_col]) if several else math.nan,
                "bound": rate_bound(str(first["bound"]), str(last["bound"])) if several else "",
                "latest_x": float(last["_x"]),
                "source_ids": tuple(dict.fromkeys(part["source_id"])),
            }
        )
    out = pd.DataFrame.from_records(records, columns=columns)
    return out.sort_values(["latest_x", "release_label"], kind="stable").reset_index(drop=True)


def release_change(
    rows: pd.DataFrame, first_period: str, latest_period: str, value_col: str = "share_pct"
) -> pd.Series | None:
    """A provider's change between two periods, from figures of one release where possible.

    The central change pairs the latest period's figure with the first period's figure of
    the same release (the most recent such pair when there are several); the range runs over
    every pairing of a first-period figure with a latest-period figure, whatever their
    release, so the reader sees how far mixing releases would move the answer.

    Parameters
    ----------
    rows : one provider's figures of one series with the columns of
        :func:`analysis.market.releases.with_releases`, ``period``, ``bound`` and ``value_col``.
    first_period, latest_period : the periods compared.

    Returns
    -------
    Series or None : ``first_period``, ``latest_period``, ``first_central``,
        ``latest_central`` (the paired figures), ``change_low_pp``, ``change_central_pp``,
        ``change_high_pp`` (percentage points), ``bound`` (the central change is only a
        bound: ``"at most"``/``"at least"``), ``is_same_release``, ``release_label`` (the
        release of the central pair) and ``n_releases`` (how many releases give the first
        period). None when either period has no figure.

    Examples
    --------
    European providers: 2017 at 26, 27 and 29 % in three releases, 15 % in 2024 in the
    release that gave 29: -14 points, -11 to -14 across releases.

    >>> rows = pd.DataFrame({"period": ["2017", "2017", "2017", "2024"],
    ...     "share_pct": [26.0, 27.0, 29.0, 15.0], "bound": "point",
    ...     "source_id": ["a", "b", "c", "c"], "release_note": ["r2020", "r2022", "r2025",
    ...     "r2025"], "release_key": ["2020", "2022", "2025", "2025"], "page_date": "",
    ...     "release_label": ["r2020", "r2022", "r2025", "r2025"]})
    >>> c = release_change(rows, "2017", "2024")
    >>> c[["change_low_pp", "change_central_pp", "change_high_pp"]].tolist()
    [-14.0, -14.0, -11.0]
    >>> c["release_label"], c["first_central"], bool(c["is_same_release"])
    ('r2025', 29.0, True)
    """
    firsts = rows.loc[rows["period"] == first_period].to_dict("records")
    lasts = rows.loc[rows["period"] == latest_period].to_dict("records")
    if not firsts or not lasts:
        return None
    pairs = [(f, last) for f in firsts for last in lasts]
    changes = [float(last[value_col] - f[value_col]) for f, last in pairs]
    same = [(f, last) for f, last in pairs if same_release(f, last)]
    if same:
        first, last = max(same, key=lambda p: (p[1]["page_date"], p[1]["release_key"]))
        central = float(last[value_col] - first[value_col])
        first_value, latest_value = float(first[value_col]), float(last[value_col])
        bound = rate_bound(str(first["bound"]), str(last["bound"]))
        label = str(last["release_label"])
    else:
        first_value = float(statistics.median(f[value_col] for f in firsts))
        latest_value = float(statistics.median(r[value_col] for r in lasts))
        central, bound, label = latest_value - first_value, "", ""
    return pd.Series(
        {
            "first_period": first_period,
            "latest_period": latest_period,
            "first_central": first_value,
            "latest_central": latest_value,
            "change_low_pp": min(changes),
            "change_central_pp": central,
            "change_high_pp": max(changes),
            "bound": bound,
            "is_same_release": bool(same),
            "release_label": label,
            "n_releases": len(firsts),
        },
        name="release_change",
    )


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
    rows = conc.assign(_x=_midyear(conc)).sort_values(["_x", "period"], kind="stable")
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


# --------------------------------------------------------------------------- revenues


def revenue_estimates(
    financials: pd.DataFrame,
    company_ids: Iterable[str],
    start_year: int,
    end_year: int,
    *,
    metric: str = "revenue_eur_m",
) -> tuple[pd.DataFrame, int]:
    """Yearly revenue ranges of some companies, for comparing with a market year by year.

    Forecasts are left out, and so are figures whose year the dossier infers (``is_period
    _inferred``): a year-by-year comparison needs the year. Every other figure of a year
    enters its range (rule ``span`` of :mod:`analysis.core.evidence`).

    Returns
    -------
    (DataFrame, int) : ``company_id``, ``year`` (fiscal year as in the data),
        ``revenue_low_eur_m``, ``revenue_central_eur_m``, ``revenue_high_eur_m``,
        ``open_low``, ``open_high``, ``n_observations``, ``source_ids``; and the number of
        figures left out because their year is inferred.

    >>> fin = pd.DataFrame({"company_id": "numergy", "metric": "revenue_eur_m",
    ...     "fiscal_year": [2014, 2014, 2014], "value": [2.0, 6.0, 6.0], "bound": "point",
    ...     "is_forecast": [False, False, True], "is_period_inferred": [False, True, False],
    ...     "source_id": ["a", "b", "c"]})
    >>> rev, dropped = revenue_estimates(fin, ["numergy"], 2012, 2025)
    >>> rev["revenue_central_eur_m"].tolist(), dropped
    ([2.0], 1)
    """
    ids = list(company_ids)
    rows = financials.loc[
        financials["company_id"].isin(ids)
        & (financials["metric"] == metric)
        & financials["fiscal_year"].notna()
    ]
    rows = rows.loc[rows["fiscal_year"].astype(int).between(start_year, end_year)]
    rows = rows.loc[~rows["is_forecast"].fillna(False).astype(bool)]
    inferred = rows["is_period_inferred"].fillna(False).astype(bool)
    kept = rows.loc[~inferred].assign(year=lambda f: f["fiscal_year"].astype(int))
    columns = [
        "company_id",
        "year",
        "revenue_low_eur_m",
        "revenue_central_eur_m",
        "revenue_high_eur_m",
        "open_low",
        "open_high",
        "n_observations",
        "source_ids",
    ]
    if kept.empty:
        return pd.DataFrame(columns=columns), int(inferred.sum())
    out = estimate_by(kept, ["company_id", "year"]).rename(
        columns={
            "low": "revenue_low_eur_m",
            "central": "revenue_central_eur_m",
            "high": "revenue_high_eur_m",
        }
    )
    out["year"] = out["year"].astype(int)
    out["company_id"] = out["company_id"].astype(str)
    return out[columns], int(inferred.sum())


def published_growth(
    financials: pd.DataFrame, market_id: str, start_year: int, end_year: int
) -> pd.DataFrame:
    """Providers' yearly revenue growth in one market, as the sources publish it.

    These rates come with the market's own figures (Markess gives AWS +36 % in France in
    2021 beside the market's +35 %), so they need no market size from another release.

    Returns
    -------
    DataFrame : ``provider_id``, ``year``, ``low``, ``central``, ``high`` (percent a year;
        rule ``span`` of :mod:`analysis.core.evidence`), ``source_ids``; sorted by year, provider.

    >>> fin = pd.DataFrame({"company_id": ["aws", "aws", "other_providers"],
    ...     "market_id": ["fr", "w", "fr"], "metric": "revenue_growth_pct",
    ...     "fiscal_year": [2021, 2021, 2022], "value": [36.0, 30.0, 25.0], "bound": "point",
    ...     "source_id": ["u", "x", "s"]})
    >>> published_growth(fin, "fr", 2012, 2025)[["provider_id", "year", "central"]].values.tolist()
    [['aws', 2021, 36.0], ['other_providers', 2022, 25.0]]
    """
    rows = financials.loc[
        (financials["market_id"] == market_id)
        & (financials["metric"] == "revenue_growth_pct")
        & financials["fiscal_year"].notna()
    ]
    rows = rows.loc[rows["fiscal_year"].astype(int).between(start_year, end_year)]
    columns = ["provider_id", "year", "low", "central", "high", "source_ids"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(provider_id=rows["company_id"], year=rows["fiscal_year"].astype(int))
    out = estimate_by(rows, ["provider_id", "year"])
    out["year"] = out["year"].astype(int)
    return out[columns].sort_values(["year", "provider_id"], kind="stable").reset_index(drop=True)
