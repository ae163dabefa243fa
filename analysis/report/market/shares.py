"""The shares section of the market-position notebook: shares over time by provider or
origin, period by period, release by release, and the highlighted providers."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from analysis.market import facts as mf
from analysis.market.shares import shares_table
from analysis.report.blocks import (
    as_published,
    fmt_number,
    fmt_range,
    join_words,
    publishers,
    publishers_md,
    year_spans,
)
from analysis.report.market.context import (
    ORIGIN_LABELS,
    REST_LABEL,
    SHARE_RANGE,
    MarketContext,
    figure_milestones,
    window_xlim,
    years_outside,
)
from analysis.report.market.plots import (
    plot_shares,
)
from analysis.report.market.results import MarketResults
from analysis.report.market.sentences import (
    big3_sentence,
    european_sentence,
)
from analysis.report.textsafe import md

__all__ = [
    "highlight_notes",
    "highlight_sentences",
    "not_added_table",
    "other_series_table",
    "period_table",
    "release_table",
    "shares_chart",
    "shares_sentences",
]


def _ends(row: pd.Series) -> tuple[float, float, float]:
    """A share's low, central and high values (%)."""
    low, central, high = (float(row[c]) for c in SHARE_RANGE)
    return low, central, high


def _share_frame(ctx: MarketContext) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rows to draw (column ``series``) and their legend labels, for the chosen grouping:
    the rest of the market (other / unknown) is always one of them. The labels are for the
    figure (:meth:`~analysis.report.market.context.MarketContext.figure_labels`)."""
    if ctx.params.group_by == "provider":
        drawn = ctx.table
        return drawn.assign(series=drawn["provider_id"], is_partial=False), ctx.figure_labels()
    labels = dict(ORIGIN_LABELS)
    drawn = ctx.origins
    us = drawn.loc[drawn["origin_group"] == "us"]
    if len(us) and us["is_lower_bound"].all():
        named = {p for basis in us["basis"] for p in str(basis).split("+")}
        which = (
            "the big three only"
            if named <= {mf.BIG3_GROUP, "aws", "microsoft", "google"}
            else ("named providers only")
        )
        labels["us"] = f"US providers ({which}: at least)"
    # the US origin is drawn as a line only where the big three are all counted
    complete = set(mf.big3_share(ctx.table, ctx.ds.group_members)["period"])
    origins = drawn.assign(
        series=drawn["origin_group"],
        is_partial=(drawn["origin_group"] == "us") & ~drawn["period"].isin(complete),
    )
    extra = ctx.table.loc[ctx.table["provider_id"].isin(ctx.params.highlight)]
    extra = extra.assign(series=extra["provider_id"], is_partial=False)
    return pd.concat([origins, extra], ignore_index=True), ctx.figure_labels(labels)


def _share_text(row: pd.Series) -> str:
    """A share with its range, 'at most' / 'at least' when it is only a bound."""
    open_low = bool(row.get("open_low", False)) and not bool(row.get("open_high", False))
    open_high = bool(row.get("open_high", False)) and not bool(row.get("open_low", False))
    text = fmt_range(*_ends(row), "")
    if open_low:
        return f"at most {text}"
    return f"at least {text}" if open_high else text


def _period_table(ctx: MarketContext) -> pd.DataFrame:
    """Each period's shares as drawn, the rest of the market (other / unknown) included."""
    records = []
    if ctx.params.group_by == "provider":
        for period, rows in ctx.table.groupby("period", sort=False):
            counted = rows.loc[rows["is_counted"] & ~rows["is_residual"]]
            rest = rows.loc[rows["is_residual"]].iloc[0]
            records.append(
                {
                    "Period": period,
                    "Shares added up (%)": "; ".join(
                        f"{ctx.label(p)} {_share_text(r)}"
                        for p, (_, r) in zip(
                            counted["provider_id"], counted.iterrows(), strict=True
                        )
                    ),
                    f"{REST_LABEL} (%)": _share_text(rest),
                    "Note": "the shares added up exceed 100 %" if rest["is_over_100"] else "",
                }
            )
        return pd.DataFrame.from_records(records)
    for period, rows in ctx.origins.groupby("period", sort=False):
        record: dict[str, str] = {"Period": str(period)}
        for origin in ("us", "european", "french", "other", "unattributed"):
            row = rows.loc[rows["origin_group"] == origin]
            name = ORIGIN_LABELS[origin]
            if row.empty:
                record[name] = "" if origin != "unattributed" else "0"
                continue
            text = _share_text(row.iloc[0])
            bound = bool(row.iloc[0]["is_lower_bound"]) and origin != "unattributed"
            record[name] = f"{text} (named only: at least)" if bound else text
        records.append(record)
    return pd.DataFrame.from_records(records)


def _release_table(ctx: MarketContext, releases: pd.DataFrame) -> pd.DataFrame:
    """European providers' figures release by release, with each release's own change."""
    return pd.DataFrame(
        {
            "Release": releases["release_label"].to_numpy(),
            "Figures": [
                "; ".join(
                    f"{p}: {'under ' if b == 'upper' else 'over ' if b == 'lower' else ''}"
                    f"{as_published(v)} %"
                    for p, v, b in figures
                )
                for figures in releases["figures"]
            ],
            "Change within the release (points)": [
                ""
                if pd.isna(c)
                else f"{b + ' ' if b else ''}{'+' if c > 0 else ''}{fmt_number(c)} "
                f"({first} to {last})"
                for c, b, first, last in zip(
                    releases["change_pp"],
                    releases["bound"],
                    releases["first_period"],
                    releases["latest_period"],
                    strict=True,
                )
            ],
            "Sources": [publishers(ids, ctx.ds.sources) for ids in releases["source_ids"]],
        }
    )


def highlight_notes(ctx: MarketContext) -> list[str]:
    """Where each highlighted provider stands: its latest share in the reference series, else
    its figures in the geography's other series, else why it has none (one line each)."""
    notes = []
    all_geo = ctx.ds.market_shares.loc[
        ctx.ds.market_shares["market_id"].isin(list(ctx.markets["market_id"]))
    ]
    for pid in ctx.params.highlight:
        name = ctx.name(pid)
        in_ref = ctx.table.loc[ctx.table["provider_id"] == pid] if ctx.ref else pd.DataFrame()
        if not in_ref.empty:
            last = in_ref.iloc[-1]
            notes.append(
                f"{name}: {len(in_ref)} figure(s) in the reference series, "
                f"{md(in_ref.iloc[0]['period'])} to {md(last['period'])}; latest "
                f"{fmt_range(*last[SHARE_RANGE])} in {md(last['period'])}."
            )
            continue
        other = ctx.shares.loc[ctx.shares["provider_id"] == pid]
        if not other.empty:
            parts = [
                f"{ctx.series_text(r['market_id'])}, {md(r['period'])}: "
                f"{'about ' if r['bound'] == 'approx' else ''}{as_published(r['share_pct'])} % "
                f"({publishers_md([r['source_id']], ctx.ds.sources)})"
                for _, r in other.iterrows()
            ]
            lead = "no figure in the reference series; " if ctx.ref else ""
            notes.append(f"{name}: {lead}in other {ctx.geo} series: {'; '.join(parts)}.")
            continue
        elsewhere = all_geo.loc[all_geo["provider_id"] == pid, "year"]
        if len(elsewhere):
            notes.append(
                f"{name}: no share figure in {ctx.window}; the {ctx.geo} series give one for "
                f"{year_spans(elsewhere)}."
            )
            continue
        geos = ctx.ds.markets.loc[
            ctx.ds.markets["market_id"].isin(
                ctx.ds.market_shares.loc[ctx.ds.market_shares["provider_id"] == pid, "market_id"]
            ),
            "geography",
        ]
        where = (
            f" (figures exist for: {join_words([md(g) for g in sorted(set(geos))])})"
            if len(geos)
            else ""
        )
        members = ctx.ds.group_members
        groups = set(members.loc[members["member_id"] == pid, "group_id"]) & set(
            ctx.shares["provider_id"]
        )
        inside = (
            "; it is inside the figures of "
            + join_words([md(n) for n in sorted(ctx.label(g) for g in groups)])
            if groups
            else ""
        )
        notes.append(f"{name}: no share figure in any {ctx.geo} series{where}{inside}.")
    return notes


def _not_added(ctx: MarketContext) -> pd.DataFrame:
    rows = ctx.table.loc[
        ~ctx.table["is_counted"] | ctx.table["overlap_note"].str.startswith("group")
    ]
    rows = rows.loc[~rows["is_residual"]]
    if rows.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "Period": rows["period"].to_numpy(),
            "Provider": [ctx.label(p) for p in rows["provider_id"]],
            "Share (%)": [fmt_range(*_ends(r), "") for _, r in rows.iterrows()],
            "How it is counted": rows["overlap_note"].to_numpy(),
        }
    )


def _other_series_table(ctx: MarketContext) -> pd.DataFrame:
    rows = ctx.shares.loc[ctx.shares["market_id"] != ctx.ref]
    records = []
    for (market_id, pid), group in rows.groupby(["market_id", "provider_id"], sort=True):
        reduced = shares_table(group, str(market_id))
        figures = "; ".join(
            f"{r['period']}: {fmt_range(*r[SHARE_RANGE])}" for _, r in reduced.iterrows()
        )
        records.append(
            {
                "Series": ctx.label(str(market_id)),
                "Provider": ctx.label(str(pid)),
                "Shares": figures,
                "Sources": publishers(group["source_id"], ctx.ds.sources),
            }
        )
    return pd.DataFrame.from_records(records)


def shares_chart(res: MarketResults) -> Figure | None:
    """Shares over time in the reference series, by provider or by origin (``group_by``), with
    the rest of the market and the milestones; None when no share falls in the window."""
    ctx, params = res.ctx, res.params
    if ctx.ref is None:
        return None
    frame, labels = _share_frame(ctx)
    ids = [i for ids in ctx.table["source_ids"] for i in ids]
    return plot_shares(
        frame,
        title=f"{ctx.geo.capitalize()} cloud market shares by {params.group_by}, {ctx.window}",
        source_note=ctx.cite(
            ids + list(ctx.milestones["source_id"]), f"Series: {ctx.label(ctx.ref)}. "
        ),
        group_col="series",
        labels=labels,
        milestones=figure_milestones(ctx),
        highlight=params.highlight,
        xlim=window_xlim(ctx),
        partial_col="is_partial",
    )


def shares_sentences(res: MarketResults) -> str:
    """Which series and years the chart draws, the big three's share and the European
    providers' change; or that no share falls in the window, and where there are some."""
    ctx, facts = res.ctx, res.facts
    if ctx.ref is None:
        elsewhere = years_outside(ctx, ctx.ds.market_shares)
        return (
            f"No share figure for the {ctx.geo} cloud market falls in {ctx.window}, so there is "
            f"no chart."
            + (f" The {ctx.geo} series have shares for {elsewhere}." if elsewhere else "")
        )
    bullets = [big3_sentence(ctx, facts), european_sentence(ctx, facts)]
    return "\n".join(
        [
            f"Shares of the {ctx.series_text(ctx.ref)} ({year_spans(ctx.table['year'])}):",
            "",
            *[f"- {b}" for b in bullets if b],
        ]
    )


def period_table(res: MarketResults) -> pd.DataFrame:
    """The shares drawn, period by period, the rest of the market included (empty when no
    share falls in the window)."""
    return _period_table(res.ctx) if res.ctx.ref is not None else pd.DataFrame()


def release_table(res: MarketResults) -> pd.DataFrame:
    """European providers' figures release by release, with each release's own change
    (empty unless two releases or more give them)."""
    releases = res.facts.european_releases
    return _release_table(res.ctx, releases) if len(releases) > 1 else pd.DataFrame()


def not_added_table(res: MarketResults) -> pd.DataFrame:
    """The figures not added up, so that no provider is counted twice."""
    return _not_added(res.ctx) if res.ctx.ref is not None else pd.DataFrame()


def highlight_sentences(res: MarketResults) -> str:
    """One bullet per highlighted provider: where it stands (:func:`highlight_notes`)."""
    return "\n".join(f"- {n}" for n in highlight_notes(res.ctx))


def other_series_table(res: MarketResults) -> pd.DataFrame:
    """The share figures of the geography's other series in the window (other scopes)."""
    return _other_series_table(res.ctx) if res.ctx.ref is not None else pd.DataFrame()
