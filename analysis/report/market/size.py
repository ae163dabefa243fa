"""The size and growth section of the market-position notebook: the size charts, the growth of
each series within one release, the published growth rates set against the sizes, and the
size figures the charts leave out."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from analysis.market.growth import series_growth
from analysis.market.releases import growth_checks, release_pairs
from analysis.report.blocks import (
    as_published,
    fmt_number,
    fmt_range,
)
from analysis.report.market.context import (
    MarketContext,
    years_outside,
)
from analysis.report.market.plots import (
    plot_market_size,
)
from analysis.report.market.results import MarketResults
from analysis.report.market.sentences import (
    cagr_sentence,
    published_growth_sentence,
)
from analysis.report.market.summary import end_notes

__all__ = [
    "cagr_table",
    "check_table",
    "conflict_table",
    "other_size_table",
    "size_chart",
    "size_sentences",
]


def _size_series_all(ctx: MarketContext) -> pd.DataFrame:
    """Every series' annual sizes in its own currency (markets.csv)."""
    frames = []
    for market_id in ctx.markets["market_id"]:
        series = ctx.annual_sizes(market_id)
        if not series.empty:
            frames.append(series)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def cagr_table(res: MarketResults) -> pd.DataFrame:
    """Every series' growth, within each release that gives two annual sizes, else between the
    first and last years of the window (marked as mixing releases)."""
    ctx = res.ctx
    records = []
    if ctx.params.start_year >= ctx.params.end_year:
        return pd.DataFrame()
    for market_id in ctx.markets["market_id"]:
        series = ctx.annual_sizes(market_id)
        if len(series) < 2:
            continue
        unit = ctx.size_metric(market_id).split("_")[1].upper()
        g = series_growth(ctx, market_id, series)
        pairs = release_pairs(ctx.growth_rows(market_id))
        for _, pair in pairs.iterrows():
            records.append(
                {
                    "Series": ctx.label(market_id),
                    "Years": f"{int(pair['start_year'])}-{int(pair['end_year'])}",
                    "First (bn)": f"{as_published(pair['start_value'])} {unit}",
                    "Last (bn)": f"{as_published(pair['end_value'])} {unit}",
                    "Growth (% a year)": (pair["bound"] + " " if pair["bound"] else "")
                    + fmt_number(pair["cagr_pct"]),
                    "Releases": f"one release: {pair['release_label']}",
                    "Note": "an end is a forecast" if pair["is_forecast"] else "",
                }
            )
        if pairs.empty and not g["reason"]:
            first, last = int(g["start_year"]), int(g["end_year"])
            records.append(
                {
                    "Series": ctx.label(market_id),
                    "Years": f"{first}-{last}",
                    "First (bn)": f"{fmt_number(g['start_central'])} {unit}",
                    "Last (bn)": f"{fmt_number(g['end_central'])} {unit}",
                    "Growth (% a year)": (g["bound"] + " " if g["bound"] else "")
                    + fmt_range(g["cagr_low_pct"], g["cagr_central_pct"], g["cagr_high_pct"], ""),
                    "Releases": f"different releases: {g['start_release']} ({first}); "
                    f"{g['end_release']} ({last})",
                    "Note": end_notes(series, [first, last]),
                }
            )
    return pd.DataFrame.from_records(records)


def check_table(res: MarketResults) -> pd.DataFrame:
    """Published yearly growth rates against the sizes of that year and the year before."""
    ctx = res.ctx
    frames = []
    for market_id in ctx.markets["market_id"]:
        sizes = ctx.growth_rows(market_id)
        sizes = sizes.loc[~sizes["is_forecast"].fillna(False).astype(bool)]
        rates = ctx.sizes.loc[
            (ctx.sizes["market_id"] == market_id)
            & (ctx.sizes["metric"] == "growth_pct")
            & (ctx.sizes["period_type"] == "year")
            & ~ctx.sizes["is_forecast"].fillna(False).astype(bool)
        ]
        checks = growth_checks(sizes, rates)
        if len(checks):
            frames.append(checks.assign(market_id=market_id))
    if not frames:
        return pd.DataFrame()
    checks = pd.concat(frames, ignore_index=True)
    return pd.DataFrame(
        {
            "Series": [ctx.label(m) for m in checks["market_id"]],
            "Year": checks["year"].to_numpy(),
            "Published growth (%)": [as_published(v) for v in checks["published_pct"]],
            "Sizes (bn)": [
                f"{as_published(a)} -> {as_published(b)}"
                for a, b in zip(checks["start_value"], checks["end_value"], strict=True)
            ],
            "Growth the sizes give (%)": [fmt_number(v) for v in checks["implied_pct"]],
            "Fits": [
                ("yes" if fit else "no")
                + ("" if same else ": the figures come from different releases")
                for fit, same in zip(checks["fits"], checks["is_same_release"], strict=True)
            ],
            "Releases": [
                f"rate: {r}; sizes: {a} / {b}" if a != b or a != r else f"one release: {r}"
                for r, a, b in zip(
                    checks["growth_release"],
                    checks["start_release"],
                    checks["end_release"],
                    strict=True,
                )
            ],
        }
    )


def conflict_table(res: MarketResults) -> pd.DataFrame:
    """Size figures of the window that the research dossier lists among its conflicts."""
    ctx = res.ctx
    notes = ctx.sizes["note"].astype("string").fillna("")
    rows = ctx.sizes.loc[notes.str.contains(r"conflict \d+", regex=True)]
    if rows.empty:
        return pd.DataFrame()
    sources = ctx.ds.sources.set_index("source_id")
    return pd.DataFrame(
        {
            "Conflict": rows["note"].str.extract(r"(conflict \d+)", expand=False).to_numpy(),
            "Series": [ctx.label(m) for m in rows["market_id"]],
            "Period": rows["period"].to_numpy(),
            "Figure": [
                f"{str(m).replace('_', ' ')}: {as_published(float(v))}"
                + (" (forecast)" if f else "")
                for m, v, f in zip(
                    rows["metric"], rows["value"], rows["is_forecast"].fillna(False), strict=True
                )
            ],
            "Note in the data": rows["note"].to_numpy(),
            "Source": [sources.loc[s, "publisher"] for s in rows["source_id"]],
        }
    ).sort_values(["Conflict", "Series", "Period"], kind="stable")


def other_size_table(res: MarketResults) -> pd.DataFrame:
    """Published growth rates, sizes of part of a year and sizes in another currency than the
    series' own: the figures the charts leave out."""
    ctx = res.ctx
    native = {m: ctx.size_metric(m) for m in ctx.markets["market_id"]}
    is_size = ctx.sizes["metric"].str.contains("size")
    other_currency = ctx.sizes["metric"] != ctx.sizes["market_id"].map(native)
    rows = ctx.sizes.loc[
        (ctx.sizes["metric"] == "growth_pct")
        | (is_size & ((ctx.sizes["period_type"] != "year") | other_currency))
    ]
    if rows.empty:
        return pd.DataFrame()
    sources = ctx.ds.sources.set_index("source_id")
    return pd.DataFrame(
        {
            "Series": [ctx.label(m) for m in rows["market_id"]],
            "Period": rows["period"].to_numpy(),
            "Figure": [str(m).replace("_", " ") for m in rows["metric"]],
            "Value": [
                ("at least " if b == "lower" else "at most " if b == "upper" else "")
                + as_published(float(v))
                for v, b in zip(rows["value"], rows["bound"], strict=True)
            ],
            "Forecast": ["yes" if f else "" for f in rows["is_forecast"].fillna(False)],
            "Source": [sources.loc[s, "publisher"] for s in rows["source_id"]],
        }
    ).sort_values(["Series", "Period"], kind="stable")


def size_chart(res: MarketResults, currency: str = "EUR") -> Figure | None:
    """The sizes of every series of the geography in one currency (``EUR`` or ``USD``), one
    line per series; None when no series has an annual size in that currency in the window."""
    ctx = res.ctx
    series = _size_series_all(ctx)
    metric = f"size_{currency.lower()}_bn"
    rows = series.loc[series["metric"] == metric] if len(series) else series
    if rows.empty:
        return None
    ids = [i for ids in rows["source_ids"] for i in ids]
    return plot_market_size(
        rows,
        title=f"{ctx.geo.capitalize()} cloud market size by series ({currency}), {ctx.window}",
        source_note=ctx.cite(ids, "Series in data/markets.csv. "),
        labels=ctx.figure_labels(),
    )


def size_sentences(res: MarketResults) -> str:
    """What the sizes say: the latest growth rate the analyst published and the growth over
    the window (or why there is none), and a note when no size falls in the window."""
    ctx, facts = res.ctx, res.facts
    lines = []
    if _size_series_all(ctx).empty:
        elsewhere = years_outside(ctx, ctx.ds.market_sizes, "size_")
        lines.append(
            f"No annual market size for the {ctx.geo} cloud market falls in {ctx.window}, so "
            f"there is no chart."
            + (f" The {ctx.geo} series have sizes for {elsewhere}." if elsewhere else "")
        )
    lines += [published_growth_sentence(ctx, facts), cagr_sentence(ctx, facts)]
    return "\n\n".join(line for line in lines if line)
