"""The data-driven sentences of the market-position notebook: each states one fact of the run
with its range and sources, or why the data cannot give it.

Every function takes the run's :class:`~analysis.report.market.context.MarketContext` and
:class:`~analysis.report.market.summary.Facts` (both on
:class:`~analysis.report.market.results.MarketResults`) and returns one Markdown sentence.
Names, publishers and periods from the data enter escaped once.
"""

from __future__ import annotations

from typing import cast

import pandas as pd

from analysis.market.releases import same_release
from analysis.market.scale import revenue_scope_text
from analysis.report.blocks import fmt_number, fmt_points, fmt_range, publishers_md
from analysis.report.market.context import SHARE_RANGE, MarketContext
from analysis.report.market.summary import Facts, end_notes
from analysis.report.textsafe import md

#: the big three's members added up (:func:`analysis.market.facts.big3_share`)
MEMBERS_RANGE = [f"members_{c}" for c in SHARE_RANGE]

__all__ = [
    "big3_sentence",
    "cagr_sentence",
    "concentration_sentence",
    "european_sentence",
    "published_growth_sentence",
    "revenue_text",
    "scale_pct",
    "scale_sentence",
]

_GROWTH_BASES = {
    "year": "on the year before",
    "trailing_4q": "over four quarters, on the four quarters before",
    "half_year": "on the same half a year earlier",
    "quarter": "on the same quarter a year earlier",
}


def published_growth_sentence(ctx: MarketContext, facts: Facts) -> str:
    """The analyst's latest published growth rate of the quoted series (one release)."""
    g = facts.growth
    if g is None or facts.cagr_market is None:
        return ""
    rate = fmt_range(g["growth_low_pct"], g["growth_central_pct"], g["growth_high_pct"])
    return (
        f"The {ctx.series_text(facts.cagr_market)} grew {rate} in {md(g['period'])} "
        f"{_GROWTH_BASES[str(g['period_type'])]}, as the analyst published it "
        f"({publishers_md(g['source_ids'], ctx.ds.sources)}): the latest growth rate of one "
        f"release."
    )


def big3_sentence(ctx: MarketContext, facts: Facts) -> str:
    """The big three's latest share of the reference series, against its first in the window."""
    if ctx.ref is None:
        return (
            f"No {ctx.geo} series has a share figure in {ctx.window}: where the providers stand "
            f"is not known for this window."
        )
    if facts.big3 is None:
        return (
            f"The {ctx.series_text(ctx.ref)} gives no share for Amazon, Microsoft and Google "
            f"together in {ctx.window}."
        )
    last, first = cast(pd.Series, facts.big3), cast(pd.Series, facts.big3_first)
    share = fmt_range(*last[SHARE_RANGE])
    basis = str(last["basis"])
    if basis == "group figure and sum of members":
        members = fmt_range(*last[MEMBERS_RANGE])
        basis = f"the published group figure; its three members' shares add up to {members}"
    text = (
        f"Amazon, Microsoft and Google held {share} "
        f"of the {ctx.series_text(ctx.ref)} in {md(last['period'])} ({basis}; "
        f"{publishers_md(last['source_ids'], ctx.ds.sources)})"
    )
    if first["period"] != last["period"]:
        text += (
            f", against {fmt_range(*first[SHARE_RANGE])} in "
            f"{md(first['period'])}, the first figure in the window"
        )
        if not _one_release(ctx, first, last):
            text += " (from an earlier release of the analyst, which may have revised it since)"
    return text + "."


def _one_release(ctx: MarketContext, first: pd.Series, last: pd.Series) -> bool:
    """Whether two figures of the reference series have sources from one release."""
    rows = ctx.shares.loc[ctx.shares["market_id"] == ctx.ref]
    a = rows.loc[(rows["period"] == first["period"]) & rows["source_id"].isin(first["source_ids"])]
    b = rows.loc[(rows["period"] == last["period"]) & rows["source_id"].isin(last["source_ids"])]
    return any(same_release(x, y) for x in a.to_dict("records") for y in b.to_dict("records"))


def european_sentence(ctx: MarketContext, facts: Facts) -> str:
    """European providers' share in their first and latest period, and the change."""
    if ctx.ref is None:
        return ""
    e = facts.european
    if e is None:
        present = ctx.origins.loc[ctx.origins["origin_group"] == "european"]
        if present.empty:
            return (
                f"The {ctx.series_text(ctx.ref)} names no European provider in {ctx.window}: "
                f"their share is inside the figures not attributed to an origin."
            )
        row = present.iloc[0]
        return (
            f"European providers held {fmt_range(*row[SHARE_RANGE])} in {md(row['period'])}, "
            f"the only period of the window with their share."
        )
    bound = " (named providers only: a lower bound)" if e["is_lower_bound"] else ""
    change = fmt_points(e["change_low_pp"], e["change_central_pp"], e["change_high_pp"])
    first, latest = md(e["first_period"]), md(e["latest_period"])
    if not e.get("is_same_release", False):
        return (
            f"European providers' share went from "
            f"{fmt_range(e['first_low'], e['first_central'], e['first_high'])} in "
            f"{first} to "
            f"{fmt_range(e['latest_low'], e['latest_central'], e['latest_high'])} in "
            f"{latest}{bound}: {change}; these figures are not paired by "
            f"release, so they may come from different releases."
        )
    word = f"{e['bound']} " if e["bound"] else ""
    text = (
        f"European providers' share went from {fmt_number(e['first_central'])} % in "
        f"{first} to {fmt_number(e['latest_central'])} % in {latest} "
        f"in one release ({md(e['release_label'])}){bound}: {word}{change}"
    )
    if int(e.get("n_releases", 1)) > 1:
        text += (
            f". The range pairs the {latest} figure with the {first} "
            f"figure of each of the {int(e['n_releases'])} releases that give one: the "
            f"analyst restated {first} from one release to the next, a revision "
            f"of its past figures, not a movement of the market"
        )
    return text + "."


def concentration_sentence(ctx: MarketContext, facts: Facts) -> str:
    """CR3 and the HHI range of the period quoted, and why the HHI is a range."""
    c = facts.conc
    if ctx.ref is None:
        return ""
    if c is None:
        return f"No period of the {ctx.series_text(ctx.ref)} allows a concentration estimate."
    period = md(c["period"])
    if pd.notna(c["cr3_low_pct"]):
        cr3 = fmt_range(c["cr3_low_pct"], c["cr3_central_pct"], c["cr3_high_pct"])
        if pd.isna(c["cr3_central_pct"]):
            cr3 = f"between {fmt_number(c['cr3_low_pct'])} and {fmt_number(c['cr3_high_pct'])} %"
        head = f"In {period} the three largest providers held {cr3}"
    else:
        head = f"In {period} the three largest providers' share is unknown"
    why = {
        "provider-level": "the firms outside the named ones are not split",
        "group-level": "the big three are published only as a group, their split unknown",
        "hhi-only": "no three firms are named",
    }[str(c["level"])]
    top = "" if c["hhi_is_max_exact"] else ", a ceiling approached only by extreme splits"
    text = (
        f"{head}; the HHI lies between {fmt_number(c['hhi_min'])} and "
        f"{fmt_number(c['hhi_max'])}{top} (0-10,000 scale), a range because {why}."
    )
    b = facts.big3
    if b is not None and str(b["period"]) != str(c["period"]):
        text += (
            f" It is quoted for {period}, not for {md(b['period'])} (the big three's latest "
            f"figure), because {period} is the latest period in which "
            + (
                "the sources name three providers one by one"
                if c["level"] == "provider-level"
                else "a concentration estimate is possible"
            )
            + (
                f"; in {md(b['period'])} the group figure "
                f"({fmt_number(b['share_central_pct'])} %) and "
                f"the sum of its members' shares "
                f"({fmt_range(*b[MEMBERS_RANGE])}) differ"
                if str(b["basis"]) == "group figure and sum of members"
                and fmt_number(b["share_central_pct"]) != fmt_number(b["members_share_central_pct"])
                else ""
            )
            + "."
        )
    return text


def cagr_sentence(ctx: MarketContext, facts: Facts) -> str:
    """The growth of the quoted size series over the window, with the years and releases."""
    g = facts.cagr
    if g is None:
        if ctx.params.start_year == ctx.params.end_year:
            return "A one-year window has no growth rate."
        return (
            f"No {ctx.geo} series has market sizes for two years in {ctx.window}: the growth "
            f"of the market is not known from one series."
        )
    if g["reason"]:
        return (
            f"The growth of the {ctx.series_text(cast(str, facts.cagr_market))} is not computed: "
            f"{g['reason']}."
        )
    unit = (
        ctx.size_metric(cast(str, facts.cagr_market))
        .removeprefix("size_")
        .replace("_", " ")
        .upper()
    )
    series = ctx.annual_sizes(cast(str, facts.cagr_market))
    word = g["bound"]
    rate = fmt_range(g["cagr_low_pct"], g["cagr_central_pct"], g["cagr_high_pct"], " % a year")
    first, last = int(g["start_year"]), int(g["end_year"])
    ends = end_notes(series, [first, last]) if not g["is_same_release"] else ""
    series_name = ctx.series_text(cast(str, facts.cagr_market))
    text = (
        f"The {series_name} grew {word + ' ' if word else ''}{rate} from "
        f"{first} to {last} ({fmt_number(g['start_central'])} to "
        f"{fmt_number(g['end_central'])} bn {unit.split()[0]}{'; ' + ends if ends else ''}"
    )
    if g["is_same_release"]:
        return text + f"; both from one release: {md(g['release'])})."
    return (
        text + f"). The two ends come from different releases ({md(g['start_release'])} for "
        f"{first}; {md(g['end_release'])} for {last}) and no release of this series gives two "
        f"annual sizes: analysts revise past figures, so this rate mixes revisions with growth."
    )


def scale_pct(row: pd.Series) -> str:
    """A company's revenue as % of a market, with 'at most' when the market is a lower bound."""
    return fmt_range(
        row["share_of_market_low_pct"],
        row["share_of_market_central_pct"],
        row["share_of_market_high_pct"],
        open_low=bool(row["pct_open_low"]),
        open_high=bool(row["pct_open_high"]),
    )


def revenue_text(row: pd.Series) -> str:
    """A revenue range of a scale or revenue row: ``'252 M EUR (250 to 254)'``."""
    return fmt_range(
        row["revenue_low_eur_m"], row["revenue_central_eur_m"], row["revenue_high_eur_m"], " M EUR"
    )


def scale_sentence(ctx: MarketContext, facts: Facts) -> str:
    """OVHcloud's revenue against a series that can contain it, or why it is not computed."""
    s = facts.scale
    if s is None:
        return (
            f"OVHcloud's scale against the {ctx.geo} market is not computed: "
            f"{md(facts.scale_note)}."
        )
    return (
        f"OVHcloud's revenue of fiscal {int(s['year'])}, {revenue_text(s)} "
        f"({revenue_scope_text(str(s['company_id']))}), was {scale_pct(s)} of the "
        f"{ctx.series_text(s['market_id'])} that year "
        f"({fmt_number(s['market_size_central_eur_bn'])} bn EUR): a measure of scale, not a "
        f"market share."
    )
