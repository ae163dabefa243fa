"""The concentration section of the market-position notebook: CR3 and the HHI range by
period, and the assumption behind the range in words."""

from __future__ import annotations

from typing import cast

import pandas as pd
from matplotlib.figure import Figure

from analysis.report.blocks import (
    fmt_number,
    fmt_range,
    join_words,
)
from analysis.report.market.context import (
    MarketContext,
    figure_milestones,
    window_xlim,
)
from analysis.report.market.plots import (
    plot_concentration,
)
from analysis.report.market.results import MarketResults
from analysis.report.market.sentences import (
    concentration_sentence,
)
from analysis.report.textsafe import md

__all__ = ["concentration_chart", "concentration_sentences", "concentration_table"]


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


def _known(res: MarketResults) -> bool:
    return res.ctx.ref is not None and not res.ctx.conc.empty


def concentration_chart(res: MarketResults) -> Figure | None:
    """CR3 and the HHI band by period in the reference series; None when no share falls in
    the window."""
    ctx = res.ctx
    if not _known(res):
        return None
    ids = [i for ids in ctx.table["source_ids"] for i in ids]
    return plot_concentration(
        ctx.conc,
        title=f"{ctx.geo.capitalize()} cloud market concentration, {ctx.window}",
        source_note=ctx.cite(ids, f"Series: {ctx.label(cast(str, ctx.ref))}. "),
        milestones=figure_milestones(ctx),
        xlim=window_xlim(ctx),
    )


def concentration_sentences(res: MarketResults) -> str:
    """CR3 and the HHI range of the period quoted, and the assumption behind the range in the
    case it is; or that concentration is not known for the window."""
    ctx, facts = res.ctx, res.facts
    if not _known(res):
        return f"No share figure in {ctx.window}: concentration is not known for this window."
    lines = [concentration_sentence(ctx, facts)]
    if facts.conc is not None and pd.notna(facts.conc["hhi_cap_pct"]):
        lines.append(_assumption_text(ctx, facts.conc))
    return "\n\n".join(lines)


def concentration_table(res: MarketResults) -> pd.DataFrame:
    """CR3, its basis, the HHI range and the part not split by firm, period by period."""
    ctx = res.ctx
    if not _known(res):
        return pd.DataFrame()
    conc = ctx.conc
    return pd.DataFrame(
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
