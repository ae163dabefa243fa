"""The definitions section of the market-position notebook: the geography's series, the
provider groups and the milestones marked on the time axes."""

from __future__ import annotations

import pandas as pd

from analysis.market import facts as mf
from analysis.report.blocks import (
    Section,
    SectionBuilder,
    join_words,
    year_spans,
)
from analysis.report.market.context import (
    MarketContext,
)
from analysis.report.market.results import MarketResults
from analysis.report.textsafe import md

__all__ = ["definitions_section"]


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


def definitions_section(res: MarketResults) -> Section:
    """Which series measure the geography's market, how they differ, the groups, the dates."""
    ctx, ds = res.ctx, res.ctx.ds
    out = SectionBuilder()
    n_with = int((ctx.shares.groupby("market_id").size() > 0).sum()) if len(ctx.shares) else 0
    out.md(
        f"`data/markets.csv` holds {len(ctx.markets)} series for the {ctx.geo} cloud market. "
        f"They differ in what they include (the scope), in who measures them and in currency, "
        f"so a share or a size is compared only within its own series. {n_with} of them have "
        f"share figures in {ctx.window}."
    )
    if ctx.ref is not None:
        n_ref = int((ctx.shares["market_id"] == ctx.ref).sum())
        analyst = ctx.markets.loc[ctx.markets["market_id"] == ctx.ref, "analyst"].iloc[0]
        out.md(
            f"The shares drawn below come from the **{ctx.series_text(ctx.ref)}** "
            f"({md(analyst)}), the "
            f"series with the most share figures in the window ({n_ref} of {len(ctx.shares)}); "
            f"the figures of the other series are listed beside it, never mixed into it."
        )
    else:
        out.md(f"No {ctx.geo} series has a share figure in {ctx.window}.")
    out.table(_catalogue(ctx))
    members = ds.group_members.loc[ds.group_members["group_id"] == mf.BIG3_GROUP, "member_id"]
    notes = dict(zip(ds.entities["entity_id"], ds.entities["note"].fillna(""), strict=True))
    big3 = join_words([ctx.name(m) for m in members])
    groups = [f"- **{ctx.name(mf.BIG3_GROUP)}** (the big three): {big3} (`group_members.csv`)."]
    for group_id in ("european_providers", "other_providers"):
        groups.append(f"- **{ctx.name(group_id)}**: {md(notes.get(group_id, ''))}.")
    out.md("Provider groups as the data defines them:", *groups)
    if ctx.milestones.empty:
        out.md(f"None of the milestones of the State's bet falls in {ctx.window}.")
    else:
        out.md(
            "Milestones marked on the time axes (from `events.csv` and the buyout steps of "
            "`capital_events.csv`; where sources give several dates, the one read from the "
            "dossier's value is used, then the most precise):"
        )
        out.table(_milestone_table(ctx))
        out.cite(ctx.milestones["source_id"])
    return out.build()
