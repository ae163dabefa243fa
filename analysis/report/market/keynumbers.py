"""The key numbers of a market-position run, as a declarative table.

:func:`key_number_table` lists one :class:`~analysis.report.record.KeyNumber` row per recorded
number (name with its unit, unit, label, getter on :class:`MarketResults`, note);
:func:`key_numbers` evaluates it with :meth:`~analysis.report.record.KeyNumbers.from_table`,
headline figures first. A figure the data cannot give for this market and window is ``None``
(recorded as undefined), with a note saying why. Text values name the period or series a
figure belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pandas as pd

from analysis.report.market.results import MarketResults
from analysis.report.record import KeyNumber, KeyNumbers

__all__ = ["HEADLINE", "growth_rate_label", "key_number_table", "key_numbers"]

#: the headline figures the run index shows, in order (a growth rate that mixes releases or
#: is only a bound is never one of them); CR3 joins them when fewer than four are defined
HEADLINE = (
    "big3_share_pct",
    "european_share_latest_pct",
    "european_share_change_pp",
    "market_growth_latest_pct",
)
_ENDS = ("low", "central", "high")


def growth_rate_label(is_same_release: bool, bound: str) -> str:
    """The label of a growth rate computed between two sizes: it says when the two ends come
    from different releases and when the rate is only a bound.

    >>> growth_rate_label(False, "at most")
    'market growth a year over the window (mixes two releases; an upper bound)'
    >>> growth_rate_label(True, "")
    'market growth a year over the window, one release'
    """
    caveats = [] if is_same_release else ["mixes two releases"]
    caveats += {"at most": ["an upper bound"], "at least": ["a lower bound"]}.get(bound, [])
    head = "market growth a year over the window"
    return f"{head} ({'; '.join(caveats)})" if caveats else f"{head}, one release"


def _name(stem: str, end: str, unit: str) -> str:
    """``big3_share`` + ``low`` + ``pct`` -> ``big3_share_low_pct`` (central: no bound word)."""
    return f"{stem}_{unit}" if end == "central" else f"{stem}_{end}_{unit}"


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _ends(
    stem: str,
    unit: str,
    label: Callable[[str], str],
    get: Callable[[str], Any],
    note: Callable[[str], str] = lambda _: "",
    suffix: str = "pct",
) -> list[KeyNumber]:
    """The low, central and high rows of one range."""
    return [
        KeyNumber(_name(stem, end, suffix), unit, label(end), lambda _, e=end: get(e), note(end))
        for end in _ENDS
    ]


def _big3_rows(res: MarketResults) -> list[KeyNumber]:
    b = res.facts.big3
    label = "big three's share (Amazon, Microsoft, Google)" + (
        "" if b is None else f", {b['period']}"
    )
    return [
        KeyNumber(
            "big3_period",
            "",
            "period of the big three share",
            lambda r: None if b is None else str(b["period"]),
        ),
        *_ends(
            "big3_share",
            "%",
            lambda end: f"{label}, {end}",
            lambda end: None if b is None else float(b[f"share_{end}_pct"]),
            lambda _: "" if b is not None else "no big-three share in the window",
        ),
    ]


def _european_rows(res: MarketResults) -> list[KeyNumber]:
    e = res.facts.european
    same = e is not None and bool(e.get("is_same_release", False))
    release_note = (
        f"central: one release ({e['release_label']}); low and high: the latest figure paired "
        f"with the first period's figure of every release"
        if e is not None and same
        else ""
    )
    span = "" if e is None else f", {e['first_period']} to {e['latest_period']}"
    return [
        KeyNumber(
            "european_periods",
            "",
            "periods compared for European providers",
            lambda r: None if e is None else f"{e['first_period']} to {e['latest_period']}",
        ),
        KeyNumber(
            "european_share_first_pct",
            "%",
            "European providers' share, first period"
            + ("" if e is None else f" ({e['first_period']})"),
            lambda r: None if e is None else e["first_central"],
        ),
        KeyNumber(
            "european_share_latest_pct",
            "%",
            "European providers' share, latest" + ("" if e is None else f" ({e['latest_period']})"),
            lambda r: None if e is None else e["latest_central"],
        ),
        *_ends(
            "european_share_change",
            "pp",
            lambda end: f"change in European providers' share{span}, {end}",
            lambda end: None if e is None else e[f"change_{end}_pp"],
            lambda _: (
                release_note
                if e is not None
                else "fewer than two periods with a European providers' share"
            ),
            suffix="pp",
        ),
    ]


def _concentration_rows(res: MarketResults) -> list[KeyNumber]:
    c = res.facts.conc
    period = "" if c is None else f", {c['period']}"
    return [
        KeyNumber(
            "concentration_period",
            "",
            "period of CR3 and HHI, and whether firms are named",
            lambda r: None if c is None else f"{c['period']} ({c['level']})",
        ),
        *_ends(
            "cr3",
            "%",
            lambda end: f"CR3, the three largest providers' share{period}, {end}",
            lambda end: None if c is None else _number(c[f"cr3_{end}_pct"]),
        ),
        KeyNumber(
            "hhi_min_points",
            "points",
            "lowest HHI (0-10,000)",
            lambda r: None if c is None else float(c["hhi_min"]),
        ),
        KeyNumber(
            "hhi_max_points",
            "points",
            "highest HHI (0-10,000)",
            lambda r: None if c is None else float(c["hhi_max"]),
        ),
    ]


def _growth_rows(res: MarketResults) -> list[KeyNumber]:
    facts = res.facts
    g, w = facts.cagr, facts.growth
    computed = g is not None and not g["reason"]
    # an end that is only a bound leaves one side of the rate open: that side is undefined
    open_side = (
        {"at most": "low", "at least": "high"}.get(str(cast(dict, g)["bound"]))
        if computed
        else None
    )
    cagr_label = (
        growth_rate_label(bool(g["is_same_release"]), str(g["bound"]))
        if g is not None and computed
        else "market growth a year over the window"
    )

    def cagr_note(end: str) -> str:
        if not computed:
            return "fewer than two annual sizes in one series"
        if end == open_side:
            side = "an upper" if end == "low" else "a lower"
            return f"undefined: the rate is only {side} bound ({facts.cagr_note})"
        return facts.cagr_note

    def cagr(end: str) -> float | None:
        if g is None or not computed or end == open_side:
            return None
        return float(g[f"cagr_{end}_pct"])

    return [
        KeyNumber(
            "market_size_series",
            "",
            "series whose growth is quoted",
            lambda r: facts.cagr_market,
        ),
        KeyNumber(
            "market_cagr_years",
            "",
            "years the growth rate runs between",
            lambda r: (
                f"{int(g['start_year'])}-{int(g['end_year'])}"
                if g is not None and computed
                else None
            ),
        ),
        KeyNumber(
            "market_cagr_is_same_release",
            "",
            "both sizes of the growth rate come from one release",
            lambda r: bool(g["is_same_release"]) if g is not None and computed else None,
        ),
        KeyNumber(
            "market_growth_period",
            "",
            "period of the latest growth rate the analyst published",
            lambda r: (
                None if w is None else f"{w['period']} ({str(w['period_type']).replace('_', ' ')})"
            ),
        ),
        *_ends(
            "market_growth_latest",
            "%",
            lambda end: (
                "market growth"
                + ("" if w is None else f" in {w['period']}")
                + f", as published (one release), {end}"
            ),
            lambda end: None if w is None else float(w[f"growth_{end}_pct"]),
            lambda _: (
                "" if w is not None else "no growth rate published for the series in the window"
            ),
        ),
        *_ends("market_cagr", "% a year", lambda end: f"{cagr_label}, {end}", cagr, cagr_note),
    ]


def _scale_rows(res: MarketResults) -> list[KeyNumber]:
    s, note = res.facts.scale, res.facts.scale_note
    basis = (
        None
        if s is None
        else f"fiscal {int(s['year'])} revenue"
        + (" in France" if ":" in str(s["company_id"]) else "")
        + f" vs {s['market_id']}"
    )
    return [
        KeyNumber(
            "ovhcloud_scale_basis",
            "",
            "OVHcloud revenue against an EUR series that can contain it, same year",
            lambda r: basis,
        ),
        *_ends(
            "ovhcloud_revenue_of_market",
            "%",
            lambda end: f"OVHcloud revenue as a percentage of that market size, {end}",
            lambda end: None if s is None else float(s[f"share_of_market_{end}_pct"]),
            lambda _: "" if s is not None else note,
        ),
    ]


def key_number_table(res: MarketResults) -> list[KeyNumber]:
    """Every key number of the run, one row each, in the order they are recorded (the
    headline figures first, then CR3, then the others as listed here)."""
    rows = [
        KeyNumber("share_series", "", "series the shares come from", lambda r: r.ctx.ref),
        *_big3_rows(res),
        *_european_rows(res),
        *_concentration_rows(res),
        *_growth_rows(res),
        *_scale_rows(res),
        KeyNumber(
            "share_figures_count",
            "figures",
            "share figures of the geography in the window",
            lambda r: len(r.ctx.shares),
        ),
        KeyNumber(
            "size_figures_count",
            "figures",
            "size and growth figures in the window",
            lambda r: len(r.ctx.sizes),
        ),
    ]
    first = [*HEADLINE, "cr3_pct"]
    return sorted(rows, key=lambda row: first.index(row.name) if row.name in first else len(first))


def key_numbers(res: MarketResults) -> KeyNumbers:
    """The run's key numbers (:func:`key_number_table` evaluated on ``res``); the headline:
    :data:`HEADLINE` where defined, and CR3 when fewer than four are."""
    table = key_number_table(res)
    values = {row.name: row.get(res) for row in table}
    headline = [name for name in HEADLINE if values.get(name) is not None]
    if len(headline) < 4 and values.get("cr3_pct") is not None:
        headline.append("cr3_pct")
    return KeyNumbers.from_table(table, res, headline=headline)
