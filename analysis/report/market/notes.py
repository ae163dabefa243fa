"""The closing sections of the market-position notebook: what the data does not say (gaps),
the caveats, what the State did next and the sources cited."""

from __future__ import annotations

import pandas as pd

from analysis.core.evidence import sources_table
from analysis.market import facts as mf
from analysis.report.blocks import (
    Section,
    SectionBuilder,
    as_published,
    disagreements,
    fmt_number,
    join_words,
    publishers_md,
    year_spans,
)
from analysis.report.market.context import (
    MarketContext,
)
from analysis.report.market.results import MarketResults
from analysis.report.market.state import state_section as _state_section
from analysis.report.textsafe import md

# --------------------------------------------------------------------------- gaps, caveats


__all__ = [
    "caveat_sentences",
    "disagreement_table",
    "gaps_section",
    "sources_section",
    "state_section",
]


def gaps_section(res: MarketResults) -> Section:
    """What the data does not say for this geography and window, read off the data itself."""
    ctx, params = res.ctx, res.params
    out = SectionBuilder()
    window = range(params.start_year, params.end_year + 1)
    lines = []
    no_share = [y for y in window if y not in set(ctx.shares["year"])]
    if no_share:
        lines.append(f"No share figure in any {ctx.geo} series for {year_spans(no_share)}.")
    annual = ctx.sizes.loc[
        ctx.sizes["metric"].str.startswith("size_") & (ctx.sizes["period_type"] == "year")
    ]
    no_size = [y for y in window if y not in set(annual["year"])]
    if no_size:
        lines.append(f"No annual market size in any {ctx.geo} series for {year_spans(no_size)}.")
    if ctx.ref is not None:
        provider_level = ctx.conc.loc[ctx.conc["n_named"] >= 3, "period"]
        if provider_level.empty:
            lines.append(
                f"No period of the {ctx.series_text(ctx.ref)} names three companies: the big "
                f"three appear only as a group, their split unknown, so CR3 and the HHI rest "
                f"on assumptions."
            )
        elif len(provider_level) < len(ctx.conc):
            lines.append(
                f"{len(provider_level)} of the {len(ctx.conc)} periods of the "
                f"{ctx.series_text(ctx.ref)} name three companies or more; the others give "
                f"groups or fewer names."
            )
        if ctx.origins.loc[ctx.origins["origin_group"] == "european"].empty:
            lines.append(
                f"The {ctx.series_text(ctx.ref)} names no European provider: their share in it "
                f"is unknown."
            )
    for company_id in mf.SOVEREIGN_COMPANIES:
        rows = ctx.shares.loc[ctx.shares["provider_id"] == company_id]
        if rows.empty:
            lines.append(
                f"{ctx.name(company_id)}: no share of any {ctx.geo} series in {ctx.window}."
            )
        else:
            lines.append(
                f"{ctx.name(company_id)}: shares only in "
                + join_words(
                    [
                        f"{ctx.name(m)} ({year_spans(g['year'])})"
                        for m, g in rows.groupby("market_id", sort=True)
                    ]
                )
                + "."
            )
    out.md(*[f"- {line}" for line in lines])
    return out.build()


def _apart_lines(ctx: MarketContext) -> list[str]:
    """One line per series of unclear definition: its figures, kept apart, and why."""
    unclear = set(ctx.markets["market_id"]) - set(mf.comparable_markets(ctx.markets))
    rows = ctx.shares.loc[ctx.shares["market_id"].isin(unclear)]
    definitions = ctx.markets.set_index("market_id")["definition"]
    lines = []
    for market_id, series in rows.groupby("market_id", sort=True):
        figures = []
        for (period, provider), group in series.groupby(["period", "provider_id"], sort=True):
            values = " or ".join(
                f"{as_published(v)} %" for v in sorted(set(group["share_pct"].astype(float)))
            )
            figures.append(
                f"{ctx.name(str(provider))}, {md(period)}, {values} "
                f"({publishers_md(group['source_id'], ctx.ds.sources)})"
            )
        lines.append(
            f"Kept apart, because the sources leave their definition unclear "
            f"({md(definitions[market_id])}): {'; '.join(figures)}. They enter no series, "
            f"share, CR3 or change over time."
        )
    return lines


def caveat_sentences(res: MarketResults) -> str:
    """The caveats this geography and window add, one bullet each: series kept apart, a
    reference series that mixes periods, group figures kept over their members, shares that
    add up above 100."""
    ctx = res.ctx
    lines = _apart_lines(ctx)
    if ctx.ref is not None:
        kinds = sorted(set(ctx.table["period_type"]))
        if len(kinds) > 1:
            names = join_words([k.replace("_", " ") for k in kinds])
            lines.append(
                f"The {ctx.series_text(ctx.ref)} mixes periods ({names}): "
                f"a quarter's share is not a year's, and 'year partial' is a part of the year "
                f"the source does not state."
            )
        kept = ctx.table.loc[ctx.table["overlap_note"].str.startswith("group figure kept")]
        for _, row in kept.iterrows():
            lines.append(
                f"{md(row['period'])}: the {ctx.name(row['provider_id'])} figure is kept; "
                f"{row['overlap_note'].split(': ', 1)[-1]} (sources rounding or measuring "
                f"differently)."
            )
        over = ctx.table.loc[ctx.table["is_over_100"] & ctx.table["is_residual"]]
        for _, row in over.iterrows():
            lines.append(
                f"{md(row['period'])}: the shares that can be added up come to "
                f"{fmt_number(row['known_sum_pct'])} %, above 100: a group overlaps named "
                f"providers."
            )
    return "\n".join(f"- {line}" for line in lines)


def disagreement_table(res: MarketResults) -> pd.DataFrame:
    """The figures of the window on which sources disagree: series, period, figure, and each
    figure with where it comes from."""
    ctx = res.ctx
    shares = disagreements(ctx.shares, ["market_id", "period", "provider_id"], "share_pct")
    sizes = disagreements(ctx.sizes, ["market_id", "period", "metric"], "value")
    if shares.empty and sizes.empty:
        return pd.DataFrame()
    table = pd.concat(
        [
            shares.assign(what=[ctx.label(p) for p in shares["provider_id"]]),
            sizes.assign(what=[str(m).replace("_", " ") for m in sizes["metric"]])
            if not sizes.empty
            else None,
        ]
    )
    return pd.DataFrame(
        {
            "Series": [ctx.label(m) for m in table["market_id"]],
            "Period": table["period"].to_numpy(),
            "Figure": table["what"].to_numpy(),
            "Figures and where from": table["detail"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------- the State


def state_section(res: MarketResults) -> Section:
    """What the State did next (:func:`analysis.report.market.state.state_section`): the 2021
    strategy and its money, SecNumCloud and the joint ventures, dated; the same for every
    geography and window (the policy is French and recent)."""
    return _state_section(res.ctx.ds)


# --------------------------------------------------------------------------- sources


def _all_source_ids(res: MarketResults) -> list[str]:
    ctx = res.ctx
    ids = list(ctx.shares["source_id"]) + list(ctx.sizes["source_id"])
    ids += list(ctx.milestones["source_id"])
    frame = res.scale.frame
    if not frame.empty:
        ids += [i for ids_ in frame["source_ids"] for i in ids_]
    revenues, _ = mf.revenue_estimates(
        ctx.ds.financials, ["ovhcloud"], ctx.params.start_year, ctx.params.end_year
    )
    if ctx.params.market == "worldwide" and not revenues.empty:
        ids += list(revenues.sort_values("year").iloc[-1]["source_ids"])
    facts = res.facts
    if facts.growth is not None:
        ids += list(facts.growth["source_ids"])
    ids += list(state_section(res).source_ids)
    return list(dict.fromkeys(str(i) for i in ids))


def sources_section(res: MarketResults) -> Section:
    """Every source of a figure this run shows, as a table (publisher, title, date, URL)."""
    ds = res.ctx.ds
    out = SectionBuilder()
    ids = _all_source_ids(res)
    if not ids:
        out.md("No figure of this window has a source to cite.")
        return out.build()
    out.md(
        f"{len(ids)} sources, each a page read for the research dossier "
        f"(`data/sources.csv`), in the order first used:"
    )
    out.table(sources_table(ids, ds.sources))
    out.cite(ids)
    return out.build()
