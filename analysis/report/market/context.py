"""The presentation context of one run: a market window with names, sources and parameters.

:func:`market_context` computes the window of the run once
(:func:`analysis.market.window.market_window`: the geography's series, shares and sizes of the
window, the reference series, its shares, origins and concentration, the milestones, the annual
sizes) and adds what the sentences, tables and figures need to name things.

Text from the data (entity and series names, publishers, periods, release notes) goes into
the sentences through :func:`analysis.report.textsafe.md`, once: :meth:`MarketContext.name`,
:meth:`MarketContext.series_text` and :func:`analysis.report.blocks.publishers_md` give it
Markdown-safe; :meth:`MarketContext.label` and :meth:`MarketContext.series` give it raw, for
tables (escaped by ``to_html``) and plain-text notes; figures get it through
:meth:`MarketContext.figure_labels` and :meth:`MarketContext.cite` (``$`` escaped).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis.core.evidence import cite
from analysis.data.io import Dataset
from analysis.market.columns import SHARE_COLUMNS
from analysis.market.facts import merge_close_milestones
from analysis.market.shares import OTHER_UNKNOWN
from analysis.market.window import MarketWindow, market_window, window_fields
from analysis.params import MarketParams
from analysis.report.blocks import figure_text, year_spans
from analysis.report.textsafe import md

__all__ = [
    "GEO_ADJECTIVES",
    "ORIGIN_LABELS",
    "REST_LABEL",
    "SHARE_RANGE",
    "MarketContext",
    "figure_milestones",
    "market_context",
    "window_xlim",
    "years_outside",
]

#: adjective of each geography in sentences
GEO_ADJECTIVES = {"france": "French", "europe": "European", "worldwide": "worldwide"}
#: legend labels of the origin groups
ORIGIN_LABELS = {
    "us": "US providers",
    "european": "European providers (French included)",
    "french": "French providers (part of European)",
    "other": "Providers of other origins",
    "unattributed": "Other / unknown (not attributed to an origin)",
}
#: label of the part of the market no source names
REST_LABEL = "Other / unknown (rest of the market)"
#: the share range columns of the shares tables
SHARE_RANGE = list(SHARE_COLUMNS)


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class MarketContext(MarketWindow):
    """A :class:`~analysis.market.window.MarketWindow` with what presentation needs: the
    dataset (sources for citations, entities for names), the parameters and the entities'
    names (``labels``). Build it with :func:`market_context`."""

    ds: Dataset
    params: MarketParams
    labels: dict[str, str]

    @property
    def geo(self) -> str:
        """'French', 'European' or 'worldwide'."""
        return GEO_ADJECTIVES[self.params.market]

    @property
    def window(self) -> str:
        """The window as written in sentences: '2012-2025'."""
        return f"{self.params.start_year}-{self.params.end_year}"

    def label(self, entity_id: str) -> str:
        """The name of an entity (entities.csv) as written, for tables (escaped by
        ``to_html``); a sentence uses :meth:`name`, a figure :meth:`figure_labels`."""
        if entity_id == OTHER_UNKNOWN:
            return REST_LABEL
        return self.labels.get(entity_id, entity_id)

    def name(self, entity_id: str) -> str:
        """The name of an entity for a Markdown sentence: :meth:`label` made inert."""
        return md(self.label(entity_id))

    def series(self, market_id: str) -> str:
        """A series' name as it reads mid-sentence ('the worldwide ... market'), as plain
        text; a Markdown sentence uses :meth:`series_text`."""
        name = self.label(market_id)
        return name[0].lower() + name[1:] if name.startswith("Worldwide") else name

    def series_text(self, market_id: str) -> str:
        """:meth:`series` made inert for a Markdown sentence."""
        return md(self.series(market_id))

    def figure_labels(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Legend and point labels for a figure: every entity's name (plus ``extra``, id ->
        raw label), with ``$`` escaped so that matplotlib never reads it as mathtext."""
        labels = {**self.labels, OTHER_UNKNOWN: REST_LABEL, **(extra or {})}
        return {key: figure_text(value) for key, value in labels.items()}

    def cite(self, ids: Iterable[str], prefix: str = "") -> str:
        """The source line of a figure (:func:`analysis.core.evidence.cite`), after ``prefix``
        (raw text): ``$`` escaped for matplotlib, once, over the whole line."""
        ids = [i for i in ids if isinstance(i, str) and i]
        note = cite(ids, self.ds.sources) if ids else "Sources: none"
        return figure_text(f"{prefix}{note}" if prefix else note)


def market_context(ds: Dataset, params: MarketParams) -> MarketContext:
    """The context of one run: its window (computed here, once) with names and sources."""
    window = market_window(
        markets=ds.markets,
        market_shares=ds.market_shares,
        market_sizes=ds.market_sizes,
        sources=ds.sources,
        entities=ds.entities,
        group_members=ds.group_members,
        events=ds.events,
        capital_events=ds.capital_events,
        geography=params.market,
        start_year=params.start_year,
        end_year=params.end_year,
    )
    labels = {
        str(k): str(v) for k, v in zip(ds.entities["entity_id"], ds.entities["name"], strict=True)
    }
    return MarketContext(**window_fields(window), ds=ds, params=params, labels=labels)


def window_xlim(ctx: MarketContext) -> tuple[float, float]:
    """The time axis of the charts: the whole window, so that years without figures show."""
    return (ctx.params.start_year, ctx.params.end_year + 1)


def figure_milestones(ctx: MarketContext) -> pd.DataFrame | None:
    """The milestones to draw (close ones merged), labels made safe for matplotlib."""
    if ctx.milestones.empty:
        return None
    merged = merge_close_milestones(ctx.milestones)
    return merged.assign(label=[figure_text(label) for label in merged["label"]])


def years_outside(ctx: MarketContext, table: pd.DataFrame, mask_col: str | None = None) -> str:
    """Years outside the window with figures of the geography in ``table``."""
    ids = list(ctx.markets["market_id"])
    rows = table.loc[table["market_id"].isin(ids)]
    if mask_col is not None:
        rows = rows.loc[rows["metric"].astype(str).str.startswith(mask_col)]
    years = rows.loc[~rows["year"].between(ctx.params.start_year, ctx.params.end_year), "year"]
    return year_spans(years)
