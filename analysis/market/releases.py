"""Releases of an analyst's figures: which figures one publication gave, the growth rates
within one release, and published growth rates set against the sizes they should match.

Analysts revise their past figures from one release to the next, so a growth rate between two
figures means something only when both come from one release. :func:`with_releases` marks each
row's release, :func:`same_release` says whether two rows share one and :func:`release_pairs`
lists the growth rates of a series within a release; :func:`growth_checks` sets published
growth rates against the sizes they should match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from analysis.market.sizes import (
    cagr,
)

__all__ = [
    "growth_checks",
    "rate_bound",
    "release_clusters",
    "release_pairs",
    "same_release",
    "with_releases",
]

_RELEASE_DATE = re.compile(r"\d{4}(?:-\d{2})?")


def with_releases(rows: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``rows`` with what says which release of its analyst each figure is from.

    Parameters
    ----------
    rows : figures with ``source_id`` and an optional ``release_note`` (market_sizes.csv,
        market_shares.csv).
    sources : ``source_id``, ``publisher``, ``published``, ``published_approx``
        (sources.csv).

    Returns
    -------
    DataFrame : ``rows`` plus ``release_key`` (the year or month a release note names, e.g.
        ``"2022"`` for "Synergy release of 2022"; empty without a note), ``page_date`` (the
        page's date, or its approximate date, to the month) and ``release_label`` (the note,
        else the publisher and the page's date, for readers).

    Examples
    --------
    >>> src = pd.DataFrame({"source_id": ["a", "b"], "publisher": ["Fierce", "Capacity"],
    ...     "published": [None, None], "published_approx": ["2022-09", "2022-09"]})
    >>> rows = pd.DataFrame({"source_id": ["a", "b"],
    ...     "release_note": ["Synergy release of 2022", None]})
    >>> with_releases(rows, src)[["release_key", "page_date", "release_label"]].values.tolist()
    [['2022', '2022-09', 'Synergy release of 2022'], ['', '2022-09', 'Capacity (c. 2022-09)']]
    """
    info = {
        str(r["source_id"]): r
        for r in sources[["source_id", "publisher", "published", "published_approx"]].to_dict(
            "records"
        )
    }
    out = rows.copy()
    notes = (
        out["release_note"].astype("string").fillna("")
        if "release_note" in out.columns
        else pd.Series("", index=out.index, dtype="string")
    )
    out["release_note"] = notes.astype(str)
    keys, dates, labels = [], [], []
    for source_id, note in zip(out["source_id"], out["release_note"], strict=True):
        found = _RELEASE_DATE.search(note)
        keys.append(found.group(0) if found else "")
        source = info.get(str(source_id), {})
        published, approx = source.get("published"), source.get("published_approx")
        exact = isinstance(published, str) and bool(published)
        date = str(published if exact else approx)[:7] if exact or isinstance(approx, str) else ""
        dates.append(date)
        shown = date if exact else f"c. {date}" if date else "n.d."
        labels.append(note or f"{source.get('publisher', source_id)} ({shown})")
    out["release_key"] = keys
    out["page_date"] = dates
    out["release_label"] = labels
    return out


def same_release(a: Mapping[str, object], b: Mapping[str, object]) -> bool:
    """Whether two figures of one series come from one release of its analyst.

    Two rows of :func:`with_releases` belong to one release when they come from the same page,
    when they carry the same release note, or when one names its release (a year or month)
    and the other, without a note, comes from a page dated within it. Two pages without a
    note are never taken to be one release.

    >>> fierce = {"source_id": "a", "release_note": "Synergy release of 2022",
    ...     "release_key": "2022", "page_date": "2022-09"}
    >>> capacity = {"source_id": "b", "release_note": "", "release_key": "",
    ...     "page_date": "2022-09"}
    >>> older = {"source_id": "c", "release_note": "", "release_key": "", "page_date": "2020-12"}
    >>> same_release(fierce, capacity), same_release(capacity, older)
    (True, False)
    """
    if a["source_id"] == b["source_id"]:
        return True
    key_a, key_b = str(a["release_key"]), str(b["release_key"])
    if key_a and key_b:
        return a["release_note"] == b["release_note"]
    if key_a or key_b:
        key, other = (key_a, b) if key_a else (key_b, a)
        return bool(other["page_date"]) and str(other["page_date"]).startswith(key)
    return False


def release_clusters(rows: pd.DataFrame) -> list[list[object]]:
    """The rows of :func:`with_releases` grouped into releases (index labels, in row order):
    rows linked by :func:`same_release`, directly or through other rows."""
    index = list(rows.index)
    parent = {i: i for i in index}

    def root(i: object) -> object:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    records = rows.to_dict("index")
    for n, i in enumerate(index):
        for j in index[n + 1 :]:
            if same_release(records[i], records[j]):
                parent[root(j)] = root(i)
    clusters: dict[object, list[object]] = {}
    for i in index:
        clusters.setdefault(root(i), []).append(i)
    return list(clusters.values())


def rate_bound(start_bound: str, end_bound: str) -> str:
    """'at most' / 'at least' when an end of a growth rate or change is only a bound."""
    up = start_bound == "lower" or end_bound == "upper"  # start too low or end too high
    down = start_bound == "upper" or end_bound == "lower"
    if up and not down:
        return "at most"
    if down and not up:
        return "at least"
    return "about" if up and down else ""


def release_pairs(rows: pd.DataFrame) -> pd.DataFrame:
    """Growth rates between the annual figures of one series that come from one release.

    Parameters
    ----------
    rows : one series' annual figures of one size metric, with the columns of
        :func:`with_releases`, ``year``, ``value`` and ``bound`` (forecasts should be left
        out by the caller, or marked ``is_forecast``).

    Returns
    -------
    DataFrame : one row per pair of years of one release (several rows of one year pair
        when releases repeat it): ``start_year``, ``end_year``, ``years``, ``start_value``,
        ``end_value``, ``cagr_pct`` (percent a year), ``bound`` (``"at most"``, ``"at
        least"`` or empty: an end is only a bound), ``is_forecast`` (an end is a forecast),
        ``release_label`` and ``source_ids``; longest spans first, then the latest.

    Examples
    --------
    Silicon.fr gives 1.4 (2020) and 2.5 bn EUR (2022) on one page; 1.43 (2021) comes from an
    earlier article: only 2020-2022 is a pair, (2.5 / 1.4) ** 0.5 - 1 = 33.6 % a year.

    >>> rows = pd.DataFrame({"year": [2020, 2021, 2022], "value": [1.4, 1.43, 2.5],
    ...     "bound": "point", "source_id": ["silicon", "lmi", "silicon"], "release_note": "",
    ...     "release_key": "", "page_date": ["2023-07", "2022-05", "2023-07"],
    ...     "release_label": ["Silicon.fr (2023-07)", "LMI (c. 2022-05)", "Silicon.fr (2023-07)"]})
    >>> out = release_pairs(rows)
    >>> out[["start_year", "end_year"]].values.tolist(), round(float(out.loc[0, "cagr_pct"]), 1)
    ([[2020, 2022]], 33.6)
    """
    columns = [
        "start_year",
        "end_year",
        "years",
        "start_value",
        "end_value",
        "cagr_pct",
        "bound",
        "is_forecast",
        "release_label",
        "source_ids",
    ]
    records = []
    ordered = rows.sort_values("year", kind="stable").to_dict("records")
    for n, first in enumerate(ordered):
        for last in ordered[n + 1 :]:
            if int(last["year"]) <= int(first["year"]) or not same_release(first, last):
                continue
            years = float(int(last["year"]) - int(first["year"]))
            rate = cagr(first["value"], last["value"], years)
            if rate.reason:
                continue
            records.append(
                {
                    "start_year": int(first["year"]),
                    "end_year": int(last["year"]),
                    "years": years,
                    "start_value": float(first["value"]),
                    "end_value": float(last["value"]),
                    "cagr_pct": rate.pct,
                    "bound": rate_bound(str(first.get("bound")), str(last.get("bound"))),
                    "is_forecast": bool(first.get("is_forecast", False))
                    or bool(last.get("is_forecast", False)),
                    "release_label": str(last["release_label"]),
                    "source_ids": tuple(dict.fromkeys([first["source_id"], last["source_id"]])),
                }
            )
    out = pd.DataFrame.from_records(records, columns=columns)
    return out.sort_values(
        ["years", "end_year"], ascending=[False, False], kind="stable"
    ).reset_index(drop=True)


def _half_unit(value: float) -> float:
    """Half the last digit a figure is written with (1.4 -> 0.05, 212 -> 0.5)."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def growth_checks(sizes: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """Published yearly growth rates set against the sizes of that year and the year before.

    Parameters
    ----------
    sizes : one series' annual sizes (one metric) with the columns of :func:`with_releases`,
        ``year``, ``value``.
    growth : the same series' published annual growth rates (``growth_pct`` rows), same
        columns.

    Returns
    -------
    DataFrame : per published rate with both sizes: ``year``, ``published_pct``,
        ``start_value``, ``end_value`` (sizes of the year before and of the year: the ones of
        the rate's own release when there are, else any), ``implied_pct`` (growth between
        them), ``is_same_release`` (both sizes and the rate from one release), ``fits``
        (the rate lies within what the sizes allow once each figure's rounding is taken
        into account: 1.4 may be 1.35 to 1.45) and the three ``release_label`` of the rate
        and the sizes (``growth_release``, ``start_release``, ``end_release``).

    Examples
    --------
    Le Monde Informatique: 1.43 bn EUR in 2021, +35 %; Silicon.fr: 1.4 bn EUR in 2020.
    From 1.4 to 1.43 is +2.1 %: the two releases do not fit (conflict 22 of the dossier).

    >>> base = {"release_note": "", "release_key": ""}
    >>> sizes = pd.DataFrame([
    ...     {**base, "year": 2020, "value": 1.4, "source_id": "silicon",
    ...      "page_date": "2023-07", "release_label": "Silicon.fr (2023-07)"},
    ...     {**base, "year": 2021, "value": 1.43, "source_id": "lmi",
    ...      "page_date": "2022-05", "release_label": "LMI (c. 2022-05)"}])
    >>> growth = pd.DataFrame([{**base, "year": 2021, "value": 35.0, "source_id": "lmi",
    ...     "page_date": "2022-05", "release_label": "LMI (c. 2022-05)"}])
    >>> row = growth_checks(sizes, growth).iloc[0]
    >>> round(float(row["implied_pct"]), 1), bool(row["fits"]), bool(row["is_same_release"])
    (2.1, False, False)
    """
    columns = [
        "year",
        "published_pct",
        "start_value",
        "end_value",
        "implied_pct",
        "is_same_release",
        "fits",
        "growth_release",
        "start_release",
        "end_release",
        "source_ids",
    ]
    records = []
    by_year = {int(y): g.to_dict("records") for y, g in sizes.groupby("year")}
    for (year, _), same in growth.groupby(["year", "value"], sort=True):
        # one check per published figure; several pages giving it are one row
        rate = same.iloc[0].to_dict()
        year = int(year)
        if year not in by_year or year - 1 not in by_year:
            continue
        ends = [r for r in by_year[year] if same_release(rate, r)] or by_year[year]
        end = ends[0]
        starts = [r for r in by_year[year - 1] if same_release(end, r)] or by_year[year - 1]
        start = starts[0]
        implied = (end["value"] / start["value"] - 1) * 100
        lowest = (
            (end["value"] - _half_unit(end["value"]))
            / (start["value"] + _half_unit(start["value"]))
            - 1
        ) * 100
        highest = (
            (end["value"] + _half_unit(end["value"]))
            / (start["value"] - _half_unit(start["value"]))
            - 1
        ) * 100
        half = _half_unit(rate["value"])
        records.append(
            {
                "year": year,
                "published_pct": float(rate["value"]),
                "start_value": float(start["value"]),
                "end_value": float(end["value"]),
                "implied_pct": implied,
                "is_same_release": same_release(rate, end) and same_release(end, start),
                "fits": rate["value"] + half >= lowest and rate["value"] - half <= highest,
                "growth_release": "; ".join(dict.fromkeys(same["release_label"].astype(str))),
                "start_release": str(start["release_label"]),
                "end_release": str(end["release_label"]),
                "source_ids": tuple(
                    dict.fromkeys([*same["source_id"], start["source_id"], end["source_id"]])
                ),
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)
