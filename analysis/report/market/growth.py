"""The growth section of the market-position notebook: each provider's revenue growth against
its share relative to the leader, as published or from shares x sizes of one release."""

from __future__ import annotations

from typing import cast

import pandas as pd

from analysis.market import facts as mf
from analysis.market.position import provider_growth, relative_share
from analysis.market.releases import release_pairs
from analysis.market.revenues import published_growth
from analysis.report.blocks import (
    Section,
    SectionBuilder,
    fmt_number,
    fmt_range,
    join_words,
    year_spans,
)
from analysis.report.market.context import (
    MarketContext,
)
from analysis.report.market.plots import (
    plot_growth_position,
)
from analysis.report.market.results import MarketResults

__all__ = ["growth_section"]


def _growth_frame(ctx: MarketContext) -> tuple[pd.DataFrame, pd.DataFrame, set]:
    """Provider growth from shares x sizes, only between sizes of one release."""
    series = ctx.annual_sizes(ctx.ref) if ctx.ref else pd.DataFrame()
    if len(series) < 2:
        return pd.DataFrame(), series, set()
    rows = ctx.growth_rows(cast(str, ctx.ref))
    rows = rows.loc[~rows["is_forecast"].fillna(False).astype(bool)]
    pairs = {
        (int(a), int(b))
        for a, b in release_pairs(rows)[["start_year", "end_year"]].itertuples(index=False)
    }
    yearly = mf.yearly_shares(ctx.table)
    growth = provider_growth(
        yearly,
        series,
        ctx.params.start_year,
        ctx.params.end_year,
        period_types=("year", "quarter"),
        pairs=pairs,
    )
    rel = relative_share(yearly, ctx.ds.entities, ctx.ds.group_members)
    rel = rel[
        [
            "provider_id",
            "year",
            "period",
            "relative_share_low",
            "relative_share_central",
            "relative_share_high",
        ]
    ]
    merged = growth.merge(
        rel,
        left_on=["provider_id", "end_year"],
        right_on=["provider_id", "year"],
        how="left",
        validate="many_to_one",
    )
    return merged, series, pairs


def _published_frame(ctx: MarketContext, published: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Published provider growth with the relative share and the market's published growth
    of the same year; and the year drawn (the latest with a company to draw)."""
    yearly = mf.yearly_shares(ctx.table)
    rel = relative_share(yearly, ctx.ds.entities, ctx.ds.group_members)
    market = ctx.sizes.loc[
        (ctx.sizes["market_id"] == ctx.ref)
        & (ctx.sizes["metric"] == "growth_pct")
        & (ctx.sizes["period_type"] == "year")
        & ~ctx.sizes["is_forecast"].fillna(False).astype(bool)
    ]
    market_by_year = market.groupby("year")["value"].median().to_dict() if len(market) else {}
    frame = published.merge(
        rel[
            [
                "provider_id",
                "year",
                "share_central_pct",
                "relative_share_low",
                "relative_share_central",
                "relative_share_high",
            ]
        ],
        on=["provider_id", "year"],
        how="left",
        validate="one_to_one",
    ).rename(
        columns={"low": "cagr_low_pct", "central": "cagr_central_pct", "high": "cagr_high_pct"}
    )
    frame["market_cagr_central_pct"] = frame["year"].map(market_by_year)
    drawable = frame.loc[frame["relative_share_central"].notna()]
    year = int(drawable["year"].max()) if len(drawable) else -1
    return frame, year


def growth_section(res: MarketResults) -> Section:
    """Each provider's revenue growth against its share relative to the leader: as the
    sources publish it, or from shares x sizes of one release."""
    ctx, ds = res.ctx, res.ctx.ds
    out = SectionBuilder()
    if ctx.ref is None:
        out.md(f"No share figure in {ctx.window}: growth against share is not known.")
        return out.build()
    published = published_growth(ds.financials, ctx.ref, ctx.params.start_year, ctx.params.end_year)
    if len(published):
        return _published_growth_section(ctx, published, out)
    growth, series, pairs = _growth_frame(ctx)
    if growth.empty:
        found = year_spans(series["year"]) if len(series) else "no year"
        out.md(
            f"The {ctx.series_text(ctx.ref)} has annual market sizes for {found} in {ctx.window}; "
            f"growth needs two, so there is no chart."
        )
        return out.build()
    unit = ctx.size_metric(ctx.ref).split("_")[1].upper()
    usable = growth.loc[
        growth["relative_share_central"].notna() & growth["cagr_central_pct"].notna()
    ]
    ids = [i for ids in ctx.table["source_ids"] for i in ids]
    ids += [i for ids in series["source_ids"] for i in ids]
    if not pairs:
        out.md(
            f"No release of the {ctx.series_text(ctx.ref)} gives two annual market sizes "
            f"({year_spans(series['year'])} each come from a different page or release), so a "
            f"provider's revenue growth (share x size) would mix the analyst's revisions with "
            f"growth: it is not computed, and there is no chart. The published growth rates "
            f"of the market are in the size section."
        )
    elif usable.empty:
        out.md(
            f"No company of the {ctx.series_text(ctx.ref)} has both a share relative to the "
            f"leader and two years of revenue from sizes of one release in {ctx.window}, so "
            f"there is no chart; the table says why for each provider."
        )
    else:
        fig = plot_growth_position(
            usable,
            title=f"{ctx.geo.capitalize()} cloud market: growth against relative share",
            source_note=ctx.cite(
                ids, f"Series: {ctx.label(ctx.ref)}; revenue = share x market size. "
            ),
            labels=ctx.figure_labels(),
        )
        out.md(
            f"Each point is a company: across, its share divided by the leader's share in its "
            f"last period; up, the yearly growth of its revenue in this market (share x market "
            f"size, in {unit}, both sizes from one release); the dashed line is the market's "
            f"own growth over the same years. Above the line a company gains share. Where a "
            f"year has no annual share, the fourth quarter's share stands for the year (an "
            f"assumption: for a provider gaining share the fourth quarter is above its year's "
            f"average)."
        )
        out.figure(fig)
    out.cite(ids)
    out.table(_growth_table(ctx, growth))
    return out.build()


def _growth_table(ctx: MarketContext, growth: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Provider": [ctx.label(p) for p in growth["provider_id"]],
            "Years": [
                f"{int(a)}-{int(b)}" if pd.notna(a) else ""
                for a, b in zip(growth["start_year"], growth["end_year"], strict=True)
            ],
            "Share (%)": [
                f"{fmt_number(a)} -> {fmt_number(b)}" if pd.notna(a) else ""
                for a, b in zip(growth["share_start_pct"], growth["share_end_pct"], strict=True)
            ],
            "Revenue growth (% a year)": [
                fmt_range(r["cagr_low_pct"], r["cagr_central_pct"], r["cagr_high_pct"], "")
                if pd.notna(r["cagr_central_pct"])
                else ""
                for _, r in growth.iterrows()
            ],
            "Market growth (% a year)": [
                fmt_number(v) if pd.notna(v) else "" for v in growth["market_cagr_central_pct"]
            ],
            "Relative share": [
                fmt_number(v) if pd.notna(v) else "" for v in growth["relative_share_central"]
            ],
            "Note": growth["reason"].to_numpy(),
        }
    )


def _published_growth_section(
    ctx: MarketContext, published: pd.DataFrame, out: SectionBuilder
) -> Section:
    frame, year = _published_frame(ctx, published)
    ids = [i for ids in frame["source_ids"] for i in ids]
    ids += list(
        ctx.sizes.loc[
            (ctx.sizes["market_id"] == ctx.ref) & (ctx.sizes["metric"] == "growth_pct"), "source_id"
        ]
    )
    _, _series, pairs = _growth_frame(ctx)
    share_years = sorted(set(mf.yearly_shares(ctx.table)["year"]))
    fitting = [p for p in pairs if p[0] in share_years and p[1] in share_years]
    why = (
        f"the sizes of the years with shares ({year_spans(share_years)}) come from different "
        f"releases (see the size section)"
        if not fitting
        else "the published rates come with the market's own figures"
    )
    reference = ctx.series_text(cast(str, ctx.ref))
    out.md(
        f"The sources of the {reference} publish each provider's growth beside "
        f"the market's, so the growth rates here are theirs, as published: none is rebuilt "
        f"from shares and market sizes, since {why}."
    )
    usable = frame.loc[(frame["year"] == year) & frame["relative_share_central"].notna()]
    if len(usable):
        fig = plot_growth_position(
            usable,
            title=f"{ctx.geo.capitalize()} cloud market: growth against relative share, {year}",
            source_note=ctx.cite(
                ids, f"Series: {ctx.label(cast(str, ctx.ref))}; growth as published. "
            ),
            labels=ctx.figure_labels(),
        )
        out.md(
            f"Each point is a company in {year}: across, its share divided by the leader's "
            f"share; up, its revenue growth that year as published; the dashed line is the "
            f"market's own published growth that year. Above the line a company gains share."
        )
        out.figure(fig)
    out.cite(ids)
    sources = ctx.ds.sources.set_index("source_id")
    out.table(
        pd.DataFrame(
            {
                "Provider": [ctx.label(p) for p in frame["provider_id"]],
                "Year": frame["year"].to_numpy(),
                "Revenue growth, published (%)": [
                    fmt_range(r["cagr_low_pct"], r["cagr_central_pct"], r["cagr_high_pct"], "")
                    for _, r in frame.iterrows()
                ],
                "Market growth that year, published (%)": [
                    fmt_number(v) if pd.notna(v) else "not published"
                    for v in frame["market_cagr_central_pct"]
                ],
                "Share that year (%)": [
                    fmt_number(v) if pd.notna(v) else "" for v in frame["share_central_pct"]
                ],
                "Relative share": [
                    fmt_number(v)
                    if pd.notna(v)
                    else "a group: no relative share"
                    if ctx.ds.entities.set_index("entity_id").loc[p, "kind"] != "company"
                    else ""
                    for p, v in zip(
                        frame["provider_id"], frame["relative_share_central"], strict=True
                    )
                ],
                "Source": [
                    join_words(list(dict.fromkeys(sources.loc[list(i), "publisher"])))
                    for i in frame["source_ids"]
                ],
            }
        )
    )
    return out.build()
