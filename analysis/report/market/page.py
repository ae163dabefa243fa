"""The market-position notebook's entry points: what ``notebooks/market_position.ipynb`` calls.

The notebook computes the run once and each section reads the results::

    results = analyse_market(ds, params)

Each topic has its module (:mod:`~analysis.report.market.size`, ``shares``, ``concentration``,
``growth``, ``scale``, ``definitions``, ``overview``, ``notes``) with the tables, figures and
data-driven sentences of its section; this module gathers them under one name (``mr`` in the
notebook). Static prose (the question, definitions, method, caveats) is in the notebook's
Markdown cells.
"""

from __future__ import annotations

from analysis.report.blocks import Section, figure_png, show, show_figure, show_table
from analysis.report.market.concentration import concentration_section
from analysis.report.market.definitions import definitions_section
from analysis.report.market.growth import growth_section
from analysis.report.market.keynumbers import growth_rate_label, key_numbers
from analysis.report.market.notes import (
    caveats_section,
    gaps_section,
    sources_section,
    state_section,
)
from analysis.report.market.overview import answer_section, overview_section
from analysis.report.market.results import MarketResults, analyse_market
from analysis.report.market.scale import scale_section
from analysis.report.market.shares import highlight_notes, shares_section
from analysis.report.market.size import size_section

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
    "highlight_notes",
    "key_numbers",
    "overview_section",
    "scale_section",
    "shares_section",
    "show",
    "show_figure",
    "show_table",
    "size_section",
    "sources_section",
    "state_section",
]
