"""The scale section of the market-position notebook: the sovereign-cloud companies' revenue
as a percentage of a market size that can contain it."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from analysis.market import facts as mf
from analysis.market.scale import revenue_scope_text
from analysis.report.blocks import (
    as_published,
    fmt_number,
    fmt_range,
    join_words,
    publishers_md,
    year_spans,
)
from analysis.report.market.context import (
    MarketContext,
)
from analysis.report.market.plots import (
    plot_scale,
)
from analysis.report.market.results import MarketResults
from analysis.report.market.sentences import (
    revenue_text,
    scale_pct,
)
from analysis.report.textsafe import md

__all__ = ["scale_chart", "scale_comparison_table", "scale_sentences"]


def _company_label(ctx: MarketContext, company_id: str) -> str:
    """A company of :func:`scale_frame` as written, for tables and figures."""
    if company_id.endswith(":france"):
        return f"{ctx.label(company_id.split(':')[0])}, revenue in France"
    return ctx.label(company_id)


def _company_name(ctx: MarketContext, company_id: str) -> str:
    """:func:`_company_label` made inert for a Markdown sentence."""
    return md(_company_label(ctx, company_id))


def _usd_note(ctx: MarketContext, companies: Sequence[str]) -> str:
    """When the geography has no market size in euros: OVHcloud's revenue beside the USD
    series of the same year, side by side without conversion."""
    eur = ctx.sizes.loc[
        (ctx.sizes["metric"] == "size_eur_bn")
        & (ctx.sizes["period_type"] == "year")
        & ~ctx.sizes["is_forecast"].fillna(False).astype(bool)
    ]
    usd = ctx.sizes.loc[
        (ctx.sizes["metric"] == "size_usd_bn") & (ctx.sizes["period_type"] == "year")
    ]
    usd = usd.loc[~usd["is_forecast"].fillna(False).astype(bool)]
    if usd.empty or not eur.empty:
        return ""
    names = join_words([md(n) for n in sorted({ctx.series(m) for m in usd["market_id"]})])
    verb = "are" if len(set(usd["market_id"])) > 1 else "is"
    text = (
        f"The {names} {verb} in USD and no {ctx.geo} series gives a size in euros; revenues "
        f"are in EUR and no exchange-rate assumption is made, so no ratio is computed."
    )
    revenues, _ = mf.revenue_estimates(
        ctx.ds.financials, companies, ctx.params.start_year, ctx.params.end_year
    )
    ovh = revenues.loc[revenues["company_id"] == "ovhcloud"]
    if ovh.empty:
        return text
    last = ovh.sort_values("year").iloc[-1]
    same = usd.loc[usd["year"] == last["year"]]
    if same.empty:
        return (
            f"{text} No USD series has a size for {int(last['year'])}, the year of OVHcloud's "
            f"latest revenue."
        )
    preferred = same.loc[same["market_id"] == ctx.ref]
    row = (preferred if len(preferred) else same).sort_values("value").iloc[-1]
    return (
        f"{text} Side by side for the same year: OVHcloud's revenue of fiscal "
        f"{int(last['year'])} was {revenue_text(last)} "
        f"({revenue_scope_text('ovhcloud')}); the {ctx.series_text(row['market_id'])} was "
        f"{as_published(row['value'])} bn USD in {int(row['year'])} "
        f"({publishers_md([row['source_id']], ctx.ds.sources)})."
    )


def _refusal_lines(ctx: MarketContext, refused: pd.DataFrame) -> list[str]:
    """One line per revenue and reason: the series it is not set against."""
    lines = []
    for (company_id, reason), rows in refused.groupby(["company_id", "reason"], sort=False):
        series = join_words(
            [
                f"the {ctx.series_text(str(r['market_id']))} ({year_spans(r['years'])})"
                for _, r in rows.iterrows()
            ]
        )
        scope = revenue_scope_text(str(company_id))
        what = f"{_company_name(ctx, str(company_id))} ({scope})"
        if reason.startswith("earned beyond"):
            lines.append(f"{what}: {reason}, so not set against {series}.")
        else:
            verb = "covers" if len(rows) == 1 else "cover"
            lines.append(
                f"{what}: not set against {series}, which {verb} only part of the cloud market."
            )
    return lines


def scale_chart(res: MarketResults) -> Figure | None:
    """Each company's revenue as a percentage of every EUR market series that can contain it,
    year by year (log scale); None when no revenue and market size meet in the window."""
    ctx, frame = res.ctx, res.scale.frame
    if frame.empty:
        return None
    ids = [i for ids in frame["source_ids"] for i in ids]
    return plot_scale(
        frame,
        title=f"Revenue as a share of the {ctx.geo} market size, {ctx.window}",
        source_note=ctx.cite(ids, "Company revenue / market size of the same year. "),
        labels=ctx.figure_labels({c: _company_label(ctx, c) for c in frame["company_id"]}),
        style_col="market_id",
        figsize=(10.0, 4.8),
    )


def scale_comparison_table(res: MarketResults) -> pd.DataFrame:
    """Company, year, revenue, series, market size and the ratio, one row per comparison."""
    ctx, frame = res.ctx, res.scale.frame
    if frame.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "Company": [_company_label(ctx, c) for c in frame["company_id"]],
            "Year": frame["year"].to_numpy(),
            "Revenue (M EUR)": [
                fmt_range(
                    r["revenue_low_eur_m"], r["revenue_central_eur_m"], r["revenue_high_eur_m"], ""
                )
                for _, r in frame.iterrows()
            ],
            "Series": [ctx.label(m) for m in frame["market_id"]],
            "Market size (bn EUR)": [
                fmt_range(
                    r["market_size_low_eur_bn"],
                    r["market_size_central_eur_bn"],
                    r["market_size_high_eur_bn"],
                    "",
                )
                for _, r in frame.iterrows()
            ],
            "Revenue as % of the market": [scale_pct(r) for _, r in frame.iterrows()],
            "Market figure is a forecast": [
                "yes" if f else "" for f in frame["market_is_forecast"]
            ],
        }
    ).sort_values(["Company", "Year", "Series"], kind="stable")


def scale_sentences(res: MarketResults) -> str:
    """Each company's first and last ratio, the comparisons refused and why, the figures
    left out, and the USD note where the geography has no size in euros."""
    ctx = res.ctx
    companies = list(res.companies)
    frame, dropped, refused = res.scale
    blocks = []
    if frame.empty:
        blocks.append(
            f"No revenue of {join_words([ctx.name(c) for c in companies])} falls in the same year "
            f"as a {ctx.geo} market size in euros that can contain it, within {ctx.window}, so "
            f"there is no chart."
        )
    else:
        blocks.append("\n".join(f"- {s}" for s in _scale_lines(ctx, frame)))
    if len(refused):
        lines = [f"- {line}" for line in _refusal_lines(ctx, refused)]
        blocks.append(
            "\n".join(["Not compared, because the series cannot contain the revenue:", "", *lines])
        )
    if dropped and not frame.empty:
        blocks.append(
            f"Left out: revenue forecasts, and {dropped} revenue figure(s) whose year the "
            f"sources do not state (a year-by-year comparison needs the year)."
        )
    usd = _usd_note(ctx, companies)
    if usd:
        blocks.append(usd)
    return "\n\n".join(blocks)


def _scale_lines(ctx: MarketContext, frame: pd.DataFrame) -> list[str]:
    lines = []
    for company_id, rows in frame.groupby("company_id", sort=False):
        # each year against its largest series, actual figures before forecasts
        rows = rows.sort_values(
            ["year", "market_is_forecast", "market_size_central_eur_bn"],
            ascending=[True, False, True],
        ).drop_duplicates("year", keep="last")
        picks = [rows.iloc[0]] if len(rows) == 1 else [rows.iloc[0], rows.iloc[-1]]
        parts = []
        for r in picks:
            revenue = revenue_text(r)
            forecast = ", a forecast" if r["market_is_forecast"] else ""
            parts.append(
                f"{revenue} in {int(r['year'])} was {scale_pct(r)} of the "
                f"{ctx.series_text(r['market_id'])}, "
                f"{fmt_number(r['market_size_central_eur_bn'])} bn EUR{forecast}"
            )
        lines.append(f"{_company_name(ctx, str(company_id))}: {'; '.join(parts)}.")
    return lines
