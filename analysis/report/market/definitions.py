"""The definitions section of the market-position notebook: the geography's series, the
provider groups and the milestones marked on the time axes."""

from __future__ import annotations

import pandas as pd

from analysis.market import facts as mf
from analysis.report.blocks import (
    join_words,
    year_spans,
)
from analysis.report.market.context import (
    MarketContext,
)
from analysis.report.market.results import MarketResults
from analysis.report.textsafe import md

__all__ = ["group_sentences", "milestone_table", "series_sentences", "series_table"]


def _catalogue(ctx: MarketContext) -> pd.DataFrame:
    """The geography's series: scope, analyst, currency, and what the window holds."""
    records = []
    all_sizes = ctx.ds.market_sizes
    for _, m in ctx.markets.iterrows():
        sizes = ctx.sizes.loc[ctx.sizes["market_id"] == m["market_id"]]
        shares = ctx.shares.loc[ctx.shares["market_id"] == m["market_id"]]
        years = set(sizes["year"]) | set(shares["year"])
        outside = all_sizes.loc[
            (all_sizes["market_id"] == m["market_id"]) & ~all_sizes["year"].isin(years)
        ]
        records.append(
            {
                "Series": ctx.label(m["market_id"]),
                "Scope": str(m["scope"]).replace("_", " "),
                "Analyst": m["analyst"],
                "Currency": m["currency"],
                "What it covers": m["definition"],
                "Size and growth figures": len(sizes),
                "Share figures": len(shares),
                "Years with figures": year_spans(years) or "none in the window",
                "Years outside the window": year_spans(outside["year"]),
            }
        )
    return pd.DataFrame.from_records(records)


def _milestone_table(ctx: MarketContext) -> pd.DataFrame:
    sources = ctx.ds.sources.set_index("source_id")
    return pd.DataFrame(
        {
            "Date": ctx.milestones["date"],
            "Milestone": ctx.milestones["label"],
            "Source": [sources.loc[s, "publisher"] for s in ctx.milestones["source_id"]],
            "Dates in the sources": ctx.milestones["n_dates"],
        }
    )


def series_sentences(res: MarketResults) -> str:
    """How many series the geography has, how many give shares in the window, and which one
    the shares are drawn from."""
    ctx = res.ctx
    n_with = int((ctx.shares.groupby("market_id").size() > 0).sum()) if len(ctx.shares) else 0
    text = (
        f"`data/markets.csv` holds {len(ctx.markets)} series for the {ctx.geo} cloud market; "
        f"{n_with} of them have share figures in {ctx.window}."
    )
    if ctx.ref is None:
        return f"{text} No {ctx.geo} series has a share figure in {ctx.window}."
    n_ref = int((ctx.shares["market_id"] == ctx.ref).sum())
    analyst = ctx.markets.loc[ctx.markets["market_id"] == ctx.ref, "analyst"].iloc[0]
    return (
        f"{text} The shares drawn below come from the **{ctx.series_text(ctx.ref)}** "
        f"({md(analyst)}), the series with the most share figures in the window "
        f"({n_ref} of {len(ctx.shares)}); the figures of the other series are listed beside "
        f"it, never mixed into it."
    )


def series_table(res: MarketResults) -> pd.DataFrame:
    """The geography's series: scope, analyst, currency, and what the window holds."""
    return _catalogue(res.ctx)


def group_sentences(res: MarketResults) -> str:
    """The provider groups as the data defines them, one bullet each."""
    ctx, ds = res.ctx, res.ctx.ds
    members = ds.group_members.loc[ds.group_members["group_id"] == mf.BIG3_GROUP, "member_id"]
    notes = dict(zip(ds.entities["entity_id"], ds.entities["note"].fillna(""), strict=True))
    big3 = join_words([ctx.name(m) for m in members])
    groups = [f"- **{ctx.name(mf.BIG3_GROUP)}** (the big three): {big3} (`group_members.csv`)."]
    for group_id in ("european_providers", "other_providers"):
        groups.append(f"- **{ctx.name(group_id)}**: {md(notes.get(group_id, ''))}.")
    return "\n".join(groups)


def milestone_table(res: MarketResults) -> pd.DataFrame:
    """The milestones of the State's bet inside the window, with their sources (empty when
    none falls in it)."""
    return _milestone_table(res.ctx) if not res.ctx.milestones.empty else pd.DataFrame()
