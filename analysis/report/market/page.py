"""The market-position notebook's entry points: what ``notebooks/market_position.ipynb`` calls.

The notebook computes the run once and each section reads the results::

    results = analyse_market(ds, params)

Each topic has its module with the tables, figures and data-driven sentences of its section
(:mod:`~analysis.report.market.definitions`, ``size``, ``shares``, ``concentration``,
``growth``, ``scale``, ``overview``, ``notes``); this module gathers them under one name
(``mr`` in the notebook). Static prose (the question, definitions, method, caveats) is in the
notebook's Markdown cells; a section's steps read: a table (:func:`show_table`), a figure
(:func:`~analysis.report.blocks.show_figure`), a sentence (IPython's ``Markdown``).
"""

from __future__ import annotations

import pandas as pd

from analysis.report import blocks
from analysis.report.blocks import Section, figure_png, show, show_figure
from analysis.report.market.concentration import (
    concentration_chart,
    concentration_sentences,
    concentration_table,
)
from analysis.report.market.definitions import (
    group_sentences,
    milestone_table,
    series_sentences,
    series_table,
)
from analysis.report.market.growth import growth_section
from analysis.report.market.keynumbers import growth_rate_label, key_number_table, key_numbers
from analysis.report.market.notes import (
    caveat_sentences,
    disagreement_table,
    gaps_section,
    sources_section,
    state_section,
)
from analysis.report.market.overview import answer_section, overview_section
from analysis.report.market.results import MarketResults, analyse_market
from analysis.report.market.scale import scale_chart, scale_comparison_table, scale_sentences
from analysis.report.market.shares import (
    highlight_notes,
    highlight_sentences,
    not_added_table,
    other_series_table,
    period_table,
    release_table,
    shares_chart,
    shares_sentences,
)
from analysis.report.market.size import (
    cagr_table,
    check_table,
    conflict_table,
    other_size_table,
    size_chart,
    size_sentences,
)

__all__ = [
    "MarketResults",
    "Section",
    "analyse_market",
    "answer_section",
    "cagr_table",
    "caveat_sentences",
    "check_table",
    "concentration_chart",
    "concentration_sentences",
    "concentration_table",
    "conflict_table",
    "disagreement_table",
    "figure_png",
    "gaps_section",
    "group_sentences",
    "growth_rate_label",
    "growth_section",
    "highlight_notes",
    "highlight_sentences",
    "key_number_table",
    "key_numbers",
    "milestone_table",
    "not_added_table",
    "other_series_table",
    "other_size_table",
    "overview_section",
    "period_table",
    "release_table",
    "scale_chart",
    "scale_comparison_table",
    "scale_sentences",
    "series_sentences",
    "series_table",
    "shares_chart",
    "shares_sentences",
    "show",
    "show_figure",
    "show_table",
    "size_chart",
    "size_sentences",
    "sources_section",
    "state_section",
]

#: what an empty table of the market notebook shows instead
NONE_IN_WINDOW = "None for this geography and window."


def show_table(frame: pd.DataFrame) -> None:
    """Display a table (:func:`analysis.report.blocks.show_table`), or a one-line note when
    this geography and window have no row for it."""
    if frame.empty:
        from IPython.display import Markdown, display

        display(Markdown(f"*{NONE_IN_WINDOW}*"))
        return
    blocks.show_table(frame)
