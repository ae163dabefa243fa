"""The market-position notebook's content: what ``notebooks/market_position.ipynb`` calls.

The notebook calls one function per section with the loaded :class:`~analysis.data.io.Dataset`
and the validated :class:`~analysis.params.MarketParams`, and displays the result::

    ds = load_dataset(params.data_dir or None)
    show(size_section(ds, params))

A :class:`~analysis.report.blocks.Section` is an ordered list of blocks (markdown text,
tables, figures) and the ids of the sources its figures come from. Every sentence is
generated from the data: numbers come with their range and the names of their sources, never
typed. A section with no data in the window says so in a plain sentence and draws no figure.

Here: the overview, the scale of Cloudwatt, Numergy and OVHcloud against the market, the gaps,
the caveats, the sources and the key numbers; the analysis sections (definitions, size,
shares, concentration, growth) are in :mod:`analysis.report.market.sections` and re-exported.

Names, publishers and periods from the data enter a sentence escaped once
(:meth:`~analysis.report.market.context.MarketContext.name`,
:meth:`~analysis.report.market.context.MarketContext.series_text`,
:func:`~analysis.report.blocks.publishers_md`, :func:`analysis.report.textsafe.md`), and tables and
figures raw (see :mod:`analysis.report.blocks`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.core.evidence import RULES, sources_table
from analysis.market import facts as mf
from analysis.market.scale import revenue_scope_text
from analysis.report.blocks import (
    Section,
    SectionBuilder,
    as_published,
    disagreements,
    figure_png,
    fmt_number,
    fmt_points,
    fmt_range,
    join_words,
    publishers_md,
    show,
    year_spans,
)
from analysis.report.market.context import MarketContext
from analysis.report.market.keynumbers import growth_rate_label, key_numbers
from analysis.report.market.plots import plot_scale
from analysis.report.market.results import MarketResults, analyse_market
from analysis.report.market.sections import (
    concentration_section,
    definitions_section,
    growth_section,
    highlight_notes,
    shares_section,
    size_section,
)
from analysis.report.market.sentences import (
    big3_sentence,
    cagr_sentence,
    concentration_sentence,
    european_sentence,
    published_growth_sentence,
    revenue_text,
    scale_pct,
    scale_sentence,
)
from analysis.report.market.state import state_section as _state_section
from analysis.report.textsafe import md

__all__ = [
    "MarketResults",
    "Section",
    "analyse_market",
    "answer_section",
    "caveats_section",
    "concentration_section",
    "definitions_section",
    "figure_png",
    "gaps_section",
    "growth_rate_label",
    "growth_section",
    "key_numbers",
    "overview_section",
    "scale_section",
    "shares_section",
    "show",
    "size_section",
    "sources_section",
    "state_section",
]

# --------------------------------------------------------------------------- overview


def _run_line(ctx: MarketContext) -> str:
    p = ctx.params
    highlight = join_words([ctx.name(h) for h in p.highlight]) or "none"
    return (
        f"**This run:** the {ctx.geo} cloud market, {ctx.window}, shares by {p.group_by}; "
        f"highlighted: {highlight}."
    )


def overview_section(res: MarketResults) -> Section:
    """The run's parameters and the answer in a few generated sentences."""
    ctx = res.ctx
    facts = res.facts
    out = SectionBuilder()
    out.md(_run_line(ctx))
    bullets = [big3_sentence(ctx, facts), european_sentence(ctx, facts)]
    bullets += [concentration_sentence(ctx, facts), published_growth_sentence(ctx, facts)]
    bullets += [cagr_sentence(ctx, facts)]
    bullets += [scale_sentence(ctx, facts)]
    out.md("**In short** (each figure is explained, with its sources, further down):")
    out.md(*[f"- {b}" for b in bullets if b])
    if facts.big3 is not None:
        out.cite(facts.big3["source_ids"])
    if facts.growth is not None:
        out.cite(facts.growth["source_ids"])
    return out.build()


# --------------------------------------------------------------------------- the answer


def _big3_answer(ctx: MarketContext, facts) -> str:
    b = facts.big3
    if ctx.ref is None or b is None:
        return big3_sentence(ctx, facts)
    return (
        f"Amazon, Microsoft and Google held {fmt_range(b['low'], b['central'], b['high'])} of "
        f"the {ctx.series_text(ctx.ref)} in {md(b['period'])} "
        f"({publishers_md(b['source_ids'], ctx.ds.sources)})."
    )


def _european_answer(ctx: MarketContext, facts) -> str:
    e = facts.european
    if e is None:
        return european_sentence(ctx, facts)
    change = fmt_points(e["change_low_pp"], e["change_central_pp"], e["change_high_pp"])
    first = fmt_range(e["first_low"], e["first_central"], e["first_high"])
    latest = fmt_range(e["latest_low"], e["latest_central"], e["latest_high"])
    how = (
        f"within one release of the analyst ({md(e['release_label'])})"
        if e.get("is_same_release", False)
        else "from figures that may come from different releases"
    )
    bound = " (named providers only, so at least this)" if e["is_lower_bound"] else ""
    return (
        f"European providers, French ones included, held {latest} in "
        f"{md(e['latest_period'])}{bound}, against {first} in {md(e['first_period'])}: "
        f"{change}, {how}."
    )


def answer_section(res: MarketResults) -> Section:
    """The answer, first: where the highlighted providers stand, the big three's share, the
    European providers' share and its change, in a few plain sentences with their ranges.

    The notebook shows it in a cell tagged ``answer``, which the report page moves above the
    parameters and the contents. Every figure is one the later sections explain.
    """
    ctx = res.ctx
    facts = res.facts
    out = SectionBuilder()
    lines = [_big3_answer(ctx, facts), _european_answer(ctx, facts)]
    lines += highlight_notes(ctx)
    out.md(
        f"**The answer** ({ctx.geo} cloud market, {ctx.window}):",
        *[f"- {line}" for line in lines if line],
    )
    if facts.big3 is not None:
        out.cite(facts.big3["source_ids"])
    return out.build()


# --------------------------------------------------------------------------- scale


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


def scale_section(res: MarketResults) -> Section:
    """Cloudwatt, Numergy and OVHcloud's revenue as a percentage of the EUR market series
    that can contain it."""
    ctx = res.ctx
    out = SectionBuilder()
    companies = list(res.companies)
    frame, dropped, refused = res.scale
    usd = _usd_note(ctx, companies)
    out.md(
        "A revenue is set only against a market that can contain it: a series of the whole "
        "cloud market (not a segment such as public IaaS+PaaS or hosted private cloud) whose "
        "geography covers where the revenue is earned. OVHcloud's total revenue is earned in "
        "every country it serves, so it fits no French or European series; in France its "
        "revenue in France is used where the data gives it. Cloudwatt and Numergy are taken "
        "to have sold cloud services in France (an assumption from their offers, which no "
        "source splits)."
    )
    if frame.empty:
        out.md(
            f"No revenue of {join_words([ctx.name(c) for c in companies])} falls in the same year "
            f"as a {ctx.geo} market size in euros that can contain it, within {ctx.window}, so "
            f"there is no chart."
        )
    else:
        ids = [i for ids in frame["source_ids"] for i in ids]
        names = ctx.figure_labels({c: _company_label(ctx, c) for c in frame["company_id"]})
        fig = plot_scale(
            frame,
            title=f"Revenue as a share of the {ctx.geo} market size, {ctx.window}",
            source_note=ctx.cite(ids, "Company revenue / market size of the same year. "),
            labels=names,
            style_col="market_id",
            figsize=(10.0, 4.8),
        )
        ovh = frame["company_id"].str.startswith("ovhcloud").any()
        out.md(
            "Each colour is a company, each marker a market series; the scale is logarithmic "
            "(equal distances are equal ratios): a measure of scale, not a market share."
            + (
                " OVHcloud's fiscal years end on 31 August and are matched to the calendar "
                "year they end in; its revenue includes web hosting and domain names, which a "
                "cloud total such as Markess's leaves out, so its ratio somewhat overstates "
                "its weight in that market."
                if ovh
                else ""
            )
        )
        out.figure(fig)
        out.cite(ids)
        out.md(*[f"- {s}" for s in _scale_lines(ctx, frame)])
        out.table(
            pd.DataFrame(
                {
                    "Company": [_company_label(ctx, c) for c in frame["company_id"]],
                    "Year": frame["year"].to_numpy(),
                    "Revenue (M EUR)": [
                        fmt_range(
                            r["revenue_low_eur_m"],
                            r["revenue_central_eur_m"],
                            r["revenue_high_eur_m"],
                            "",
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
        )
    if len(refused):
        out.md(
            "Not compared, because the series cannot contain the revenue:",
            *[f"- {line}" for line in _refusal_lines(ctx, refused)],
        )
    if dropped and not frame.empty:
        out.md(
            f"Left out: revenue forecasts, and {dropped} revenue figure(s) whose year the "
            f"sources do not state (a year-by-year comparison needs the year)."
        )
    if usd:
        out.md(usd)
        usd_rows = ctx.sizes.loc[ctx.sizes["metric"] == "size_usd_bn"]
        out.cite(usd_rows["source_id"])
    return out.build()


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


# --------------------------------------------------------------------------- gaps, caveats


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


def caveats_section(res: MarketResults) -> Section:
    """Where sources disagree, how ranges are made, and what the figures do not mean."""
    ctx = res.ctx
    out = SectionBuilder()
    shares = disagreements(ctx.shares, ["market_id", "period", "provider_id"], "share_pct")
    sizes = disagreements(ctx.sizes, ["market_id", "period", "metric"], "value")
    lines = [
        f"Where sources disagree, every figure is kept and the range shown: {RULES['span']}.",
        "Sizes are nominal and in the currency published (EUR or USD), never converted; a "
        "series' scope decides what a share means, so shares of different series are not "
        "compared.",
        "Analysts revise their past figures from one release to the next: changes and growth "
        "rates are computed within one release where the data allows (figures with the same "
        "release note, from the same page, or from a page dated within the release a note "
        "names), and the report says so where the two ends come from different releases.",
    ]
    lines += _apart_lines(ctx)
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
    out.md(*[f"- {line}" for line in lines])
    if not shares.empty or not sizes.empty:
        out.md(f"Figures on which sources disagree ({ctx.geo} series, {ctx.window}):")
        table = pd.concat(
            [
                shares.assign(what=[ctx.label(p) for p in shares["provider_id"]]),
                sizes.assign(what=[str(m).replace("_", " ") for m in sizes["metric"]])
                if not sizes.empty
                else None,
            ]
        )
        out.table(
            pd.DataFrame(
                {
                    "Series": [ctx.label(m) for m in table["market_id"]],
                    "Period": table["period"].to_numpy(),
                    "Figure": table["what"].to_numpy(),
                    "Figures and where from": table["detail"].to_numpy(),
                }
            )
        )
    return out.build()


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
