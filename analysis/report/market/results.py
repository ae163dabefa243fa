"""One analysis of the market, computed once: :func:`analyse_market` returns the frames and
answers every section of the market-position notebook reads.

The notebook calls it once, after the parameters::

    results = analyse_market(ds, params)

and each section reads ``results``: nothing is cached behind the reader's back and nothing is
recomputed from one section to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.data.io import Dataset
from analysis.market.facts import SOVEREIGN_COMPANIES
from analysis.market.scale import Scale, scale_frame
from analysis.params import MarketParams
from analysis.report.market.context import MarketContext, market_context
from analysis.report.market.summary import Facts, summary_facts

__all__ = ["MarketResults", "analyse_market", "report_companies"]


@dataclass(frozen=True)
class MarketResults:
    """The results of one run of the market-position notebook.

    ``ctx``: the window's frames with names and sources
    (:class:`~analysis.report.market.context.MarketContext`: ``markets``, ``shares``, ``sizes``,
    ``ref``, ``table``, ``origins``, ``conc``, ``milestones``, annual sizes); ``facts``: the
    answers quoted (:class:`~analysis.report.market.summary.Facts`); ``companies``: the
    companies whose scale is set against the market; ``scale``: their revenue against the
    market sizes that can contain it (:func:`analysis.market.scale.scale_frame`).
    """

    ctx: MarketContext
    facts: Facts
    companies: tuple[str, ...]
    scale: Scale

    @property
    def params(self) -> MarketParams:
        """The run's parameters."""
        return self.ctx.params


def report_companies(ds: Dataset, params: MarketParams) -> tuple[str, ...]:
    """Cloudwatt, Numergy, OVHcloud and the highlighted companies, in that order."""
    kinds = dict(zip(ds.entities["entity_id"], ds.entities["kind"], strict=True))
    extra = [h for h in params.highlight if kinds.get(h) == "company"]
    return tuple(dict.fromkeys([*SOVEREIGN_COMPANIES, *extra]))


def analyse_market(ds: Dataset, params: MarketParams) -> MarketResults:
    """Compute everything the market-position notebook shows, once."""
    ctx = market_context(ds, params)
    companies = report_companies(ds, params)
    return MarketResults(
        ctx=ctx,
        facts=summary_facts(ctx),
        companies=companies,
        scale=scale_frame(ctx, ds.financials, companies),
    )
