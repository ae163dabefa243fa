"""The answer and the overview of the market-position notebook: the run's main figures in a
few data-driven sentences."""

from __future__ import annotations

from analysis.report.blocks import (
    Section,
    SectionBuilder,
    fmt_points,
    fmt_range,
    join_words,
    publishers_md,
)
from analysis.report.market.context import SHARE_RANGE, MarketContext
from analysis.report.market.results import MarketResults
from analysis.report.market.sentences import (
    big3_sentence,
    cagr_sentence,
    concentration_sentence,
    european_sentence,
    published_growth_sentence,
    scale_sentence,
)
from analysis.report.market.shares import highlight_notes
from analysis.report.textsafe import md

# --------------------------------------------------------------------------- overview


__all__ = ["answer_section", "overview_section"]


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
        f"Amazon, Microsoft and Google held {fmt_range(*b[SHARE_RANGE])} of "
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
