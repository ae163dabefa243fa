"""The change of an origin's share in the reference series, read within one release:
:func:`origin_change` between its first and latest periods, :func:`changes_by_release` and
:func:`release_change` within each release of the analyst, :func:`european_change` for the
report.

Analysts restate past periods from one release to the next, so a change of share is read
within one release where one provider figure stands for the origin at both ends.
"""

from __future__ import annotations

import math
import statistics

import pandas as pd

from analysis.market.columns import SHARE_COLUMNS
from analysis.market.releases import rate_bound, release_clusters, same_release
from analysis.market.sizes import midyears
from analysis.market.window import MarketWindow

__all__ = ["changes_by_release", "european_change", "origin_change", "release_change"]


def european_change(window: MarketWindow) -> tuple[pd.Series | None, pd.DataFrame]:
    """European providers' change of share in the reference series, within one release when
    one provider figure stands for the origin at both ends; and that provider's figures
    release by release.

    Returns
    -------
    (Series or None, DataFrame) : :func:`analysis.market.facts.origin_change`'s fields, where
        a release pairs the two ends replaced by :func:`analysis.market.facts.release_change`'s
        (``first_central``, ``latest_central``, ``change_*_pp``, ``bound``,
        ``release_label``, ``n_releases``), plus ``is_same_release``; and
        :func:`analysis.market.facts.changes_by_release` of that provider (empty when several
        providers make the origin's figure). None when fewer than two periods give a share.
    """
    change = origin_change(window.origins, "european")
    if change is None:
        return None, pd.DataFrame()
    rows = window.origins.loc[window.origins["origin_group"] == "european"].set_index("period")
    bases = {str(rows.loc[change[p], "basis"]) for p in ("first_period", "latest_period")}
    if len(bases) != 1 or "+" in next(iter(bases)):
        # several providers make the origin's figure: no single series of releases to pair
        out = change.copy()
        out["is_same_release"], out["release_label"], out["bound"] = False, "", ""
        return out, pd.DataFrame()
    (provider,) = bases
    raw = window.shares.loc[
        (window.shares["market_id"] == window.ref) & (window.shares["provider_id"] == provider)
    ]
    paired = release_change(raw, change["first_period"], change["latest_period"])
    releases = changes_by_release(raw)
    if paired is None:
        out = change.copy()
        out["is_same_release"], out["release_label"], out["bound"] = False, "", ""
        return out, releases
    out = change.copy()
    for name in ("first_central", "latest_central", "bound", "is_same_release"):
        out[name] = paired[name]
    out["release_label"] = paired["release_label"]
    out["n_releases"] = paired["n_releases"]
    for end in ("low", "central", "high"):
        out[f"change_{end}_pp"] = paired[f"change_{end}_pp"]
    return out, releases


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
    rows["_x"] = midyears(rows)
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
        part = rows.loc[cluster].assign(_x=lambda f: midyears(f))
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
