"""The market-position notebook's analysis sections: definitions, size, shares, concentration,
growth.

Each function takes the loaded :class:`~analysis.data.io.Dataset` and the validated
:class:`~analysis.params.MarketParams` and returns a :class:`~analysis.report.blocks.Section`
(sentences generated from the data, tables, figures, sources). A section with nothing in the
window says so in a plain sentence and draws no figure. The notebook reaches them through
:mod:`analysis.report.market.page`.

Names, publishers, periods and notes from the data enter a sentence escaped once
(:meth:`~analysis.report.market.context.MarketContext.name`,
:meth:`~analysis.report.market.context.MarketContext.series_text`,
:func:`~analysis.report.blocks.publishers_md`, :func:`analysis.report.textsafe.md`); tables
keep them raw (``to_html`` escapes cells) and figures get them with ``$`` escaped
(:meth:`~analysis.report.market.context.MarketContext.figure_labels`, :func:`_figure_milestones`).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.evidence import RULES
from analysis.market import facts as mf
from analysis.market.growth import series_growth
from analysis.market.position import provider_growth, relative_share
from analysis.market.shares import shares_table
from analysis.market.sizes import growth_checks, release_pairs
from analysis.report.blocks import (
    Section,
    SectionBuilder,
    as_published,
    figure_text,
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
    window_xlim,
)
from analysis.report.market.plots import (
    plot_concentration,
    plot_growth_position,
    plot_market_size,
    plot_shares,
)
from analysis.report.market.results import MarketResults
from analysis.report.market.sentences import (
    big3_sentence,
    cagr_sentence,
    concentration_sentence,
    european_sentence,
    published_growth_sentence,
)
from analysis.report.market.summary import end_notes
from analysis.report.textsafe import md

__all__ = [
    "concentration_section",
    "definitions_section",
    "growth_section",
    "highlight_notes",
    "shares_section",
    "size_section",
]

# --------------------------------------------------------------------------- definitions


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


def _figure_milestones(ctx: MarketContext) -> pd.DataFrame | None:
    """The milestones to draw (close ones merged), labels made safe for matplotlib."""
    if ctx.milestones.empty:
        return None
    merged = mf.merge_close_milestones(ctx.milestones)
    return merged.assign(label=[figure_text(label) for label in merged["label"]])


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


# --------------------------------------------------------------------------- size and growth


def _size_series_all(ctx: MarketContext) -> pd.DataFrame:
    """Every series' annual sizes in its own currency (markets.csv)."""
    frames = []
    for market_id in ctx.markets["market_id"]:
        series = ctx.annual_sizes(market_id)
        if not series.empty:
            frames.append(series)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _outside(ctx: MarketContext, table: pd.DataFrame, mask_col: str | None = None) -> str:
    """Years outside the window with figures of the geography in ``table``."""
    ids = list(ctx.markets["market_id"])
    rows = table.loc[table["market_id"].isin(ids)]
    if mask_col is not None:
        rows = rows.loc[rows["metric"].astype(str).str.startswith(mask_col)]
    years = rows.loc[~rows["year"].between(ctx.params.start_year, ctx.params.end_year), "year"]
    return year_spans(years)


def _cagr_table(ctx: MarketContext) -> pd.DataFrame:
    """Every series' growth: within each release that gives two annual sizes, and between
    the first and last years of the window when those come from different releases."""
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


def _check_table(ctx: MarketContext) -> pd.DataFrame:
    """Published yearly growth rates against the sizes of that year and the year before."""
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


def _conflict_rows(ctx: MarketContext) -> pd.DataFrame:
    """Size figures of the window whose data note points to a conflict of the dossier."""
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


def _other_size_rows(ctx: MarketContext) -> pd.DataFrame:
    """Published growth rates and sizes of part of a year, which the chart leaves out."""
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


def size_section(res: MarketResults) -> Section:
    """Market size by series and year, growth within releases, published growth rates and
    the conflicts between releases."""
    ctx, ds = res.ctx, res.ctx.ds
    out = SectionBuilder()
    series = _size_series_all(ctx)
    if series.empty:
        elsewhere = _outside(ctx, ds.market_sizes, "size_")
        out.md(
            f"No annual market size for the {ctx.geo} cloud market falls in {ctx.window}, so "
            f"there is no chart."
            + (f" The {ctx.geo} series have sizes for {elsewhere}." if elsewhere else "")
        )
    else:
        out.md(
            "Each line is one series (its own scope and analyst, see the definitions); error "
            "bars show where sources give different figures for a year (range: "
            f"{RULES['span']}); hollow points are forecasts, used only for years without an "
            "actual figure; carets mark bounds (^ at least, v at most). Currencies are never "
            "converted, so each currency has its own chart. A line joins figures of different "
            "releases: analysts revise their past figures, so a step between two points may "
            "be a revision as much as growth (see the growth table below)."
        )
        for metric, rows in series.groupby("metric", sort=True):
            ids = [i for ids in rows["source_ids"] for i in ids]
            unit = "EUR" if metric == "size_eur_bn" else "USD"
            fig = plot_market_size(
                rows,
                title=f"{ctx.geo.capitalize()} cloud market size by series ({unit}), {ctx.window}",
                source_note=ctx.cite(ids, "Series in data/markets.csv. "),
                labels=ctx.figure_labels(),
            )
            out.figure(fig)
            out.cite(ids)
    facts = res.facts
    published = published_growth_sentence(ctx, facts)
    if published:
        out.md(published)
        out.cite(facts.growth["source_ids"])
    out.md(cagr_sentence(ctx, facts))
    if facts.cagr is not None:
        out.cite(facts.cagr.get("source_ids", ()))
    cagr_table = _cagr_table(ctx)
    if not cagr_table.empty:
        out.md(
            "Growth of each series (compound rate a year). A rate is computed between two "
            "sizes of one release (same release note, same page, or a page dated within the "
            "release a note names); a series with no such pair gets the rate between the first "
            "and last years of the window, marked as mixing releases:"
        )
        out.table(cagr_table)
    checks = _check_table(ctx)
    if not checks.empty:
        out.md(
            "Published growth rates set against the sizes of the year and the year before "
            "(a rate fits when it lies within what the sizes allow once their rounding is "
            "taken into account):"
        )
        out.table(checks)
    conflicts = _conflict_rows(ctx)
    if not conflicts.empty:
        out.md(
            "Size figures that the research dossier lists among its conflicts (numbered as in "
            "its Conflicts section and in `data/README.md`):"
        )
        out.table(conflicts)
    others = _other_size_rows(ctx)
    if not others.empty:
        out.md(
            "Growth rates as published, sizes of part of a year and sizes in another currency "
            "than the series' own (not in the chart):"
        )
        out.table(others)
        out.cite(ctx.sizes["source_id"])
    return out.build()


# --------------------------------------------------------------------------- shares


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
    text = fmt_range(*row[SHARE_RANGE], "")
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
            "Share (%)": [fmt_range(*r[SHARE_RANGE], "") for _, r in rows.iterrows()],
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


def shares_section(res: MarketResults) -> Section:
    """Shares over time by provider or origin, with the milestones, and every other figure."""
    ctx, ds, params = res.ctx, res.ctx.ds, res.params
    facts = res.facts
    out = SectionBuilder()
    if ctx.ref is None:
        elsewhere = _outside(ctx, ds.market_shares)
        out.md(
            f"No share figure for the {ctx.geo} cloud market falls in {ctx.window}, so there is "
            f"no chart."
            + (f" The {ctx.geo} series have shares for {elsewhere}." if elsewhere else "")
        )
        out.md(*[f"- {n}" for n in highlight_notes(ctx)])
        return out.build()
    frame, labels = _share_frame(ctx)
    ids = [i for ids in ctx.table["source_ids"] for i in ids]
    fig = plot_shares(
        frame,
        title=f"{ctx.geo.capitalize()} cloud market shares by {params.group_by}, {ctx.window}",
        source_note=ctx.cite(
            ids + list(ctx.milestones["source_id"]), f"Series: {ctx.label(ctx.ref)}. "
        ),
        group_col="series",
        labels=labels,
        milestones=_figure_milestones(ctx),
        highlight=params.highlight,
        xlim=window_xlim(ctx),
        partial_col="is_partial",
    )
    rest = (
        "the grey dashed line is the rest of the market, other / unknown: 100 minus the "
        "shares the period's sources add up, so it holds whoever they do not name, large or "
        "small (in a period that gives only European providers, the big three too)"
        if params.group_by == "provider"
        else "an origin adds its named providers (a lower bound unless a group figure covers "
        "the whole origin; hollow carets mark periods where not even the big three are all "
        "named); the grey dashed line is the rest, other / unknown: 100 minus the shares "
        "attributed to an origin"
    )
    out.md(
        f"Shares of the {ctx.series_text(ctx.ref)} ({year_spans(ctx.table['year'])}): quarters, "
        f"half-years and years each sit at their midpoint, each kind of period with its own "
        f"marker; a line joins only figures of the same kind of period at most a year apart, "
        f"so years without figures stay gaps; a figure that is only a bound is a caret (v at "
        f"most, ^ at least); where sources disagree, error bars and a band show the range "
        f"({RULES['span']}); {rest}. Dotted lines mark the milestones of the State's bet."
    )
    out.figure(fig)
    out.cite(ids)
    out.cite(ctx.milestones["source_id"])
    out.md(*[f"- {s}" for s in (big3_sentence(ctx, facts), european_sentence(ctx, facts)) if s])
    out.md(
        "The shares drawn, period by period, with the rest of the market as its own share "
        "(other / unknown, never spread over the named providers):"
    )
    out.table(_period_table(ctx))
    if len(facts.european_releases) > 1:
        out.md(
            "European providers' share as each release of the analyst gave it (figures are "
            "grouped into one release when they carry the same release note, come from the "
            "same page, or come from a page dated within the release a note names). Each "
            "release restates the past, so a change is read within one release:"
        )
        out.table(_release_table(ctx, facts.european_releases))
        out.cite([i for ids in facts.european_releases["source_ids"] for i in ids])
    not_added = _not_added(ctx)
    if not not_added.empty:
        out.md("Figures not added up, so that no provider is counted twice:")
        out.table(not_added)
    notes = highlight_notes(ctx)
    if notes:
        out.md("Highlighted providers:", *[f"- {n}" for n in notes])
    others = _other_series_table(ctx)
    if not others.empty:
        out.md(f"Share figures of the other {ctx.geo} series in {ctx.window} (other scopes):")
        out.table(others)
        rows = ctx.shares.loc[ctx.shares["market_id"] != ctx.ref]
        keys = ["market_id", "period", "provider_id"]
        spread = rows.groupby(keys)["share_pct"].agg(lambda v: v.max() > v.min())
        if spread.any():
            out.md(
                "Where a period has several figures, the central value is the median of the "
                "exact ones; an approximate figure (an 'about' in a blog or a minister's "
                "speech) widens the range but never sets the central value."
            )
        out.cite(ctx.shares.loc[ctx.shares["market_id"] != ctx.ref, "source_id"])
    return out.build()


# --------------------------------------------------------------------------- concentration


def _basis_text(ctx: MarketContext, basis: str) -> str:
    if not basis or basis.startswith("range"):
        return basis
    if "group figure" in basis:
        head, _, members = basis.partition(" add up to ")
        words = head.split(" ")
        named = [
            " + ".join(ctx.label(p) for p in w.split("+")) if "+" in w else ctx.label(w)
            for w in words
        ]
        return " ".join(named) + (f" add up to {members}" if members else "")
    return " + ".join(ctx.label(p) for p in basis.split("+"))


def _conc_note(ctx: MarketContext, note: str) -> str:
    """A note of :func:`analysis.market.concentration.concentration` with names instead of ids."""
    for pid in sorted(set(ctx.labels), key=len, reverse=True):
        if pid in note and ("_" in pid or f"{pid} " in note):
            note = note.replace(pid, ctx.label(pid))
    return note


def _assumption_text(ctx: MarketContext, c: pd.Series) -> str:
    """The assumption behind the HHI range of the period quoted, in the case it is."""
    cap = fmt_number(c["hhi_cap_pct"])
    period = md(c["period"])
    pools = "".join(
        f" {ctx.name(group)} are taken to be no larger than the largest of them a source "
        f"names in {period} ({join_words([ctx.name(n) for n in names])}, {fmt_number(share)} %)."
        for group, share, names in c.get("pool_caps", ())
    )
    if c["level"] == "group-level":
        return (
            f"Assumption: the big three are the three largest providers, so no other provider "
            f"holds more than the smallest of them; an unnamed provider can reach at most "
            f"{cap} % in {period}, when the three are equal.{pools} The lowest HHI splits the "
            f"group equally and spreads the rest over very many small firms. The highest is "
            f"computed jointly: the smaller the smallest member, the more unequal the group can "
            f"be but the smaller every other firm must be. Here it is "
            + (
                "approached, never reached, as one member holds almost the whole group and the "
                "other two, like every other provider, almost nothing: an extreme the figures "
                "cannot rule out, not a likely market."
                if not c["hhi_is_max_exact"]
                else "reached with the other providers at the size of the smallest member."
            )
        )
    return (
        f"Assumption: the named providers are the largest, so no provider left unnamed holds "
        f"more than the smallest named share ({cap} % in {period}).{pools} The lowest HHI "
        f"spreads the part not split by firm over very many small firms; the highest packs it "
        f"into as few firms as that cap allows."
    )


def concentration_section(res: MarketResults) -> Section:
    """CR3 and the HHI range by period, with the assumption in words."""
    ctx = res.ctx
    out = SectionBuilder()
    if ctx.ref is None or ctx.conc.empty:
        out.md(f"No share figure in {ctx.window}: concentration is not known for this window.")
        return out.build()
    conc = ctx.conc
    ids = [i for ids in ctx.table["source_ids"] for i in ids]
    fig = plot_concentration(
        conc,
        title=f"{ctx.geo.capitalize()} cloud market concentration, {ctx.window}",
        source_note=ctx.cite(ids, f"Series: {ctx.label(ctx.ref)}. "),
        milestones=_figure_milestones(ctx),
        xlim=window_xlim(ctx),
    )
    out.md(
        "CR3 (left) is the share of the three largest providers (a bare bar where fewer than "
        "three are named: only a range is known). The HHI (right, its own scale) is the sum of "
        "the squared shares, from near 0 (many small firms) to 10,000 (one firm). The sources "
        "leave part of the market unsplit, so the HHI is a band: its bottom is the lowest value "
        "a market matching the published shares can have, its top the highest, both under the "
        "assumption stated below; a hollow caret marks a top that no such market reaches, only "
        "approaches in an extreme split."
    )
    out.figure(fig)
    out.cite(ids)
    facts = res.facts
    out.md(concentration_sentence(ctx, facts))
    if facts.conc is not None and pd.notna(facts.conc["hhi_cap_pct"]):
        out.md(_assumption_text(ctx, facts.conc))
    table = pd.DataFrame(
        {
            "Period": conc["period"].to_numpy(),
            "CR3 (%)": [
                fmt_range(r["cr3_low_pct"], r["cr3_central_pct"], r["cr3_high_pct"], "")
                if pd.notna(r["cr3_central_pct"])
                else (
                    f"{fmt_number(r['cr3_low_pct'])} to {fmt_number(r['cr3_high_pct'])}"
                    if pd.notna(r["cr3_low_pct"])
                    else "unknown"
                )
                for _, r in conc.iterrows()
            ],
            "CR3 basis": [_basis_text(ctx, str(b)) for b in conc["cr3_basis"]],
            "HHI lowest": [fmt_number(v) for v in conc["hhi_min"]],
            "HHI highest": [fmt_number(v) for v in conc["hhi_max"]],
            "HHI highest reached?": [
                "" if pd.isna(m) else "yes" if exact else "no: only approached"
                for m, exact in zip(conc["hhi_max"], conc["hhi_is_max_exact"], strict=True)
            ],
            "Not split by firm (%)": [fmt_number(v) for v in conc["unnamed_pct"]],
            "Note": [_conc_note(ctx, n) for n in conc["note"]],
        }
    )
    out.table(table)
    return out.build()


# --------------------------------------------------------------------------- growth


def _growth_frame(ctx: MarketContext) -> tuple[pd.DataFrame, pd.DataFrame, set]:
    """Provider growth from shares x sizes, only between sizes of one release."""
    series = ctx.annual_sizes(ctx.ref) if ctx.ref else pd.DataFrame()
    if len(series) < 2:
        return pd.DataFrame(), series, set()
    rows = ctx.growth_rows(ctx.ref)
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
    published = mf.published_growth(
        ds.financials, ctx.ref, ctx.params.start_year, ctx.params.end_year
    )
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
    out.md(
        f"The sources of the {ctx.series_text(ctx.ref)} publish each provider's growth beside "
        f"the market's, so the growth rates here are theirs, as published: none is rebuilt "
        f"from shares and market sizes, since {why}."
    )
    usable = frame.loc[(frame["year"] == year) & frame["relative_share_central"].notna()]
    if len(usable):
        fig = plot_growth_position(
            usable,
            title=f"{ctx.geo.capitalize()} cloud market: growth against relative share, {year}",
            source_note=ctx.cite(ids, f"Series: {ctx.label(ctx.ref)}; growth as published. "),
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
