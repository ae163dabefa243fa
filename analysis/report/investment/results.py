"""The results of one investment run: :class:`InvestmentResults`, frames and key numbers.

:func:`analysis.report.investment.analyse.analyse_investment` computes them once; each
section of the notebook then shows a frame of them as a table
(:mod:`.tables`), a figure (:mod:`.plots`) and a sentence or two built from it (:mod:`.text`,
:mod:`.story`). Nothing is cached: the results object holds every frame.

Ranges, in three kinds, each named where it is shown:

- **sourced ranges** of the inputs (paid-in capital, stakes, revenue), from
  :mod:`analysis.investment.holdings` and :mod:`analysis.investment.accounts`;
- **bounds over the corners** of those ranges (:func:`analysis.core.scenarios.run_corners`):
  the smallest and largest result when every uncertain input sits at one end of its range, the
  pay-in split all in one tranche, the exit price at nothing or at book value. They do not
  depend on the seed; the key numbers ``*_low`` / ``*_high`` are these bounds;
- **percentiles of the scenario engine** (5 %, 50 %, 95 % of ``n_scenarios`` seeded draws,
  :func:`analysis.core.scenarios.run_scenarios`): key numbers ``*_p5`` / ``*_p50`` / ``*_p95``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.core import scenarios as sc
from analysis.investment.dates import ExitDate
from analysis.investment.holdings import COMPANY_NAMES, INVESTOR_NAMES, company_ids
from analysis.investment.inputs import InvestmentData
from analysis.params import InvestmentParams
from analysis.report.record import KeyNumbers

__all__ = ["InvestmentResults", "drawn_capital"]


@dataclass(frozen=True)
class InvestmentResults:
    """The results of one run of the investment-return analysis (see ``analyse_investment``).

    Frames of the domain, each computed once; ``key_numbers`` is evaluated from the
    declarative table of :mod:`analysis.report.investment.keynumbers`.
    """

    params: InvestmentParams
    data: InvestmentData
    model: sc.InvestmentModel
    assumptions: pd.DataFrame
    flows: pd.DataFrame
    exit_results: pd.DataFrame
    scenarios: pd.DataFrame | None
    summary: pd.DataFrame | None
    tornado_loss: pd.DataFrame
    tornado_irr: pd.DataFrame
    attainment: pd.DataFrame
    cost: pd.DataFrame
    npv_rates: pd.DataFrame
    #: company id -> True when the investor's exit is a valuation, not a sale
    valuation: dict[str, bool]
    #: what the investor committed (low, central, high EUR m)
    committed: tuple[float, float, float]
    #: each company's book equity at its exit (low, central, high EUR m, all shareholders)
    book_at_exit: dict[str, tuple[float, float, float]]
    after: pd.DataFrame
    ovh: pd.DataFrame
    jobs: pd.DataFrame
    #: the sources each figure draws, cited under it (section -> text)
    source_notes: dict[str, str]
    source_ids: tuple[str, ...]
    key_numbers: KeyNumbers = field(default_factory=lambda: KeyNumbers({}))

    @property
    def capital(self) -> pd.DataFrame:
        return self.data.capital

    @property
    def stakes(self) -> pd.DataFrame:
        return self.data.stakes

    @property
    def revenue(self) -> pd.DataFrame:
        return self.data.revenue

    @property
    def targets(self) -> pd.DataFrame:
        return self.data.targets

    @property
    def state_money(self) -> pd.DataFrame:
        return self.data.state_money

    @property
    def state_bases(self) -> pd.DataFrame:
        return self.data.state_bases

    @property
    def exits(self) -> dict[str, ExitDate]:
        return self.data.exit_dates

    @property
    def company_ids(self) -> tuple[str, ...]:
        return company_ids(self.params.company)

    @property
    def investor_name(self) -> str:
        """How readers see the investor: ``'the State (through the Caisse des Dépôts)'``."""
        return INVESTOR_NAMES[self.params.investor]

    @property
    def companies_name(self) -> str:
        """``'Cloudwatt and Numergy'``, or the one company of this run."""
        return " and ".join(COMPANY_NAMES[c] for c in self.company_ids)

    @property
    def is_paper(self) -> bool:
        """True when what came back is (partly) a valuation at the sellers' price, not cash."""
        return any(self.valuation.values())


def drawn_capital(capital: pd.DataFrame) -> pd.DataFrame:
    """The rows of the capital frame that the capital figure draws.

    Committed and paid-in capital, and for the losses only each company's latest period.
    """
    lost = capital["item"] == "lost"
    end = capital["period"].str[-4:]
    latest = end.groupby(capital["company_id"].where(lost)).transform("max")
    return capital.loc[~lost | (end == latest)]
