"""Where each provider stands: share relative to the leader, and growth against the market.

Pure functions on small frames (no files, no drawing, inputs never changed), on the shares
tables of :mod:`analysis.market.shares` and the size series of :mod:`analysis.market.sizes`.
Relative shares are ratios (1.0 = the leader's share); growth rates are percent a year.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import pandas as pd

from analysis.market.columns import PERIOD_KEYS, RANGE_COLUMNS, SHARE_COLUMNS
from analysis.market.shares import ShareStructure, is_residual
from analysis.market.sizes import MarketInputError, cagr, cagr_over_window, range_view

__all__ = ["provider_growth", "relative_share"]


def relative_share(
    table: pd.DataFrame,
    entities: pd.DataFrame,
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each company's share divided by the leader's share, in the same market and period.

    Only companies are compared (groups and the rest of the market are left out). The leader
    is the largest listed company; if a closed group's average member share (group figure /
    number of members) is larger, an unlisted member must be larger than every listed company,
    so the leader is unknown and the ratios are NaN. Otherwise the listed companies are
    assumed to include the leader.

    Parameters
    ----------
    table : from :func:`shares_table` (or a later step).
    entities, members : as in :func:`disjoint_shares`.

    Returns
    -------
    DataFrame : ``market_id``, ``period``, ``period_type``, ``year``, ``provider_id``,
        ``share_central_pct``, ``leader_id``, ``relative_share_low``,
        ``relative_share_central``, ``relative_share_high`` (ratios: 1.0 = the leader's
        share; low = low share / leader's high share, high = high share / leader's low
        share, at most 1) and ``note``.

    Examples
    --------
    >>> t = pd.DataFrame({"market_id": "fr", "period": "2022", "period_type": "year",
    ...     "year": 2022, "provider_id": ["aws", "microsoft", "google"],
    ...     "share_low_pct": [45.0, 18, 8], "share_central_pct": [45.0, 18, 8],
    ...     "share_high_pct": [45.0, 18, 8]})
    >>> ent = pd.DataFrame({"entity_id": ["aws", "microsoft", "google"],
    ...     "kind": "company", "origin": "us"})
    >>> relative_share(t, ent)["relative_share_central"].round(3).tolist()
    [1.0, 0.4, 0.178]
    """
    structure = ShareStructure.build(entities, members)
    base = table.loc[~is_residual(table)]
    structure.check(base["provider_id"])
    records: list[dict[str, object]] = []
    for key, rows in base.groupby(PERIOD_KEYS, sort=False, dropna=False):
        firms = rows.loc[[not structure.is_group(p) for p in rows["provider_id"]]]
        if firms.empty:
            continue
        leader = firms.loc[firms["share_central_pct"].idxmax()]
        lead = [float(firms[col].max()) for col in SHARE_COLUMNS]
        hidden = [
            (p, s / len(structure.companies(p)))
            for p, s in zip(rows["provider_id"], rows["share_central_pct"], strict=True)
            if structure.is_closed(p) and s / len(structure.companies(p)) > lead[1] + 1e-9
        ]
        note = ""
        if hidden:
            group, average = hidden[0]
            note = (
                f"leader unknown: {group}'s members average {average:.1f} %, more than any "
                f"listed company"
            )
        for _, firm in firms.iterrows():
            ratios = [
                firm["share_low_pct"] / lead[2] if lead[2] > 0 else math.nan,
                firm["share_central_pct"] / lead[1] if lead[1] > 0 else math.nan,
                min(1.0, firm["share_high_pct"] / lead[0]) if lead[0] > 0 else math.nan,
            ]
            if hidden:
                ratios = [math.nan] * 3
            records.append(
                {
                    **dict(zip(PERIOD_KEYS, key, strict=True)),
                    "provider_id": firm["provider_id"],
                    "share_central_pct": float(firm["share_central_pct"]),
                    "leader_id": "" if hidden else str(leader["provider_id"]),
                    "relative_share_low": ratios[0],
                    "relative_share_central": ratios[1],
                    "relative_share_high": ratios[2],
                    "note": note,
                }
            )
    columns = [
        *PERIOD_KEYS,
        "provider_id",
        "share_central_pct",
        "leader_id",
        "relative_share_low",
        "relative_share_central",
        "relative_share_high",
        "note",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def provider_growth(
    table: pd.DataFrame,
    series: pd.DataFrame,
    start_year: int,
    end_year: int,
    *,
    period_types: Sequence[str] = ("year",),
    pairs: Collection[tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Each provider's revenue growth (share x market size) against the market's growth.

    For each provider, the first and last years inside the window with both a share and a
    market size are used (reported). Revenue = share / 100 x market size, in the market's
    unit; the low revenue uses low share and low size, the high uses the high ends.

    Parameters
    ----------
    table : shares from :func:`shares_table` (or a later step) of the same market.
    series : that market's yearly sizes from :func:`analysis.market.sizes.size_series` (metric
        ``size_eur_bn`` or ``size_usd_bn``).
    start_year, end_year : the window (calendar years as labelled by the sources).
    period_types : which share periods stand for a year; default only annual figures. Pass
        e.g. ``("year", "quarter")`` after keeping one quarter per year (an assumption the
        caller states): a provider with two share rows in a year is refused.
    pairs : the ``(start_year, end_year)`` pairs of market sizes that may be compared, e.g.
        those published in one release (:func:`analysis.market.releases.release_pairs`): analysts
        revise past sizes, and a rate between sizes of two releases mixes the revision with
        the growth. A provider then uses the widest allowed pair among its years, or gets no
        rate (with the reason). None allows every pair.

    Returns
    -------
    DataFrame : ``provider_id``, ``start_year``, ``end_year``, ``years``,
        ``share_start_pct``, ``share_end_pct``, ``share_change_pp`` (percentage points),
        ``revenue_start_central_<unit>``, ``revenue_end_central_<unit>`` (unit of the market,
        e.g. ``eur_bn``), ``cagr_low_pct``, ``cagr_central_pct``, ``cagr_high_pct``,
        ``market_cagr_low_pct``, ``market_cagr_central_pct``, ``market_cagr_high_pct``
        (percent a year, same years), ``growth_gap_pp`` (provider minus market, central) and
        ``reason`` (why rates are missing).

    Examples
    --------
    A provider with 40 % of a 100 bn market, then 44 % of 121 bn two years later: revenue
    40 -> 53.24, so (53.24 / 40) ** 0.5 - 1 = 15.4 % a year against the market's
    (121 / 100) ** 0.5 - 1 = 10 %:

    >>> t = pd.DataFrame({"market_id": "m", "period": ["2020", "2022"], "period_type": "year",
    ...     "year": [2020, 2022], "provider_id": "a", "share_low_pct": [40.0, 44.0],
    ...     "share_central_pct": [40.0, 44.0], "share_high_pct": [40.0, 44.0]})
    >>> s = pd.DataFrame({"market_id": "m", "metric": "size_eur_bn", "year": [2020, 2022],
    ...     "value": [100.0, 121.0]})
    >>> g = provider_growth(t, s, 2020, 2022)
    >>> g.loc[0, ["cagr_central_pct", "market_cagr_central_pct"]].round(1).tolist()
    [15.4, 10.0]

    With sizes from two releases that may not be compared, no rate:

    >>> provider_growth(t, s, 2020, 2022, pairs=set()).loc[0, "reason"]
    'the market sizes of 2020 and 2022 come from different releases'
    """
    metrics = series["metric"].unique() if "metric" in series.columns else []
    if len(metrics) != 1 or not str(metrics[0]).startswith("size_"):
        raise MarketInputError("series must hold one size metric (size_eur_bn or size_usd_bn)")
    unit = str(metrics[0]).removeprefix("size_")
    sizes = range_view(series).set_index("year")
    if sizes.index.duplicated().any():
        raise MarketInputError("series has several rows per year; reduce it with size_series")
    rows = table.loc[table["period_type"].isin(period_types) & ~is_residual(table)]
    if rows.duplicated(["provider_id", "year"]).any():
        dup = rows.loc[rows.duplicated(["provider_id", "year"], keep=False)].iloc[0]
        raise MarketInputError(
            f"several share rows for {dup['provider_id']} in {dup['year']}: keep one period "
            f"per year before computing growth"
        )
    rev_start, rev_end = f"revenue_start_central_{unit}", f"revenue_end_central_{unit}"
    records: list[dict[str, object]] = []
    for pid, prov in rows.groupby("provider_id", sort=True):
        prov = prov.loc[
            prov["year"].between(start_year, end_year)
            & prov["share_central_pct"].notna()
            & prov["year"].isin(sizes.index[sizes["central"].notna()])
        ].sort_values("year")
        record: dict[str, object] = {"provider_id": pid}
        if len(prov) < 2:
            record["reason"] = (
                f"fewer than two years with both a share and a market size in "
                f"{start_year}-{end_year}"
            )
            records.append(record)
            continue
        first, last = prov.iloc[0], prov.iloc[-1]
        if pairs is not None:
            years_with = set(prov["year"].astype(int))
            allowed = sorted(
                ((b - a, a, b) for a, b in pairs if a in years_with and b in years_with),
                reverse=True,
            )
            if not allowed:
                record["reason"] = (
                    f"the market sizes of {int(first['year'])} and {int(last['year'])} come "
                    f"from different releases"
                )
                records.append(record)
                continue
            _, a, b = allowed[0]
            first = prov.loc[prov["year"] == a].iloc[0]
            last = prov.loc[prov["year"] == b].iloc[0]
        y0, y1 = int(first["year"]), int(last["year"])
        years = float(y1 - y0)
        rev = {
            (row_name, end): row[f"share_{end}_pct"] / 100 * sizes.loc[int(row["year"]), end]
            for row_name, row in (("start", first), ("end", last))
            for end in RANGE_COLUMNS
        }
        central = cagr(rev["start", "central"], rev["end", "central"], years)
        low = cagr(rev["start", "high"], rev["end", "low"], years)
        high = cagr(rev["start", "low"], rev["end", "high"], years)
        market = cagr_over_window(series, y0, y1)
        record.update(
            start_year=y0,
            end_year=y1,
            years=years,
            share_start_pct=float(first["share_central_pct"]),
            share_end_pct=float(last["share_central_pct"]),
            share_change_pp=float(last["share_central_pct"] - first["share_central_pct"]),
            **{rev_start: rev["start", "central"], rev_end: rev["end", "central"]},
            cagr_low_pct=low.pct,
            cagr_central_pct=central.pct,
            cagr_high_pct=high.pct,
            market_cagr_low_pct=market["cagr_low_pct"],
            market_cagr_central_pct=market["cagr_central_pct"],
            market_cagr_high_pct=market["cagr_high_pct"],
            growth_gap_pp=central.pct - market["cagr_central_pct"],
            reason=central.reason or market["reason"],
        )
        records.append(record)
    columns = [
        "provider_id",
        "start_year",
        "end_year",
        "years",
        "share_start_pct",
        "share_end_pct",
        "share_change_pp",
        rev_start,
        rev_end,
        "cagr_low_pct",
        "cagr_central_pct",
        "cagr_high_pct",
        "market_cagr_low_pct",
        "market_cagr_central_pct",
        "market_cagr_high_pct",
        "growth_gap_pp",
        "reason",
    ]
    out = pd.DataFrame.from_records(records, columns=columns)
    out["reason"] = out["reason"].fillna("")
    return out
