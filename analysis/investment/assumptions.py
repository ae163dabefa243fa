"""What the results rest on: every input of the returns model and every named assumption.

:func:`assumptions_table` lists them for readers, one row each, with its value or range, its
basis (sourced, assumption, or both) and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core import scenarios as sc
from analysis.investment.holdings import COMPANY_NAMES
from analysis.investment.inputs import InvestmentData
from analysis.investment.model import cited

__all__ = ["Assumption", "assumptions_table"]


@dataclass(frozen=True)
class Assumption:
    """One line of the assumptions table: what is assumed or sourced, and why."""

    name: str
    value: str
    basis: str  # "sourced", "assumption" or "sourced + assumption"
    why: str
    source_ids: tuple[str, ...] = ()


def _state_basis_rows(data: InvestmentData, model: sc.InvestmentModel) -> list[Assumption]:
    """The two bases of the State's paid-in, side by side, and which one this run uses."""
    bases = data.state_bases.set_index("basis")
    used_here = model.paid_in_eur_m is not None
    rows = []
    for basis, r in bases.iterrows():
        if basis == "used":
            continue
        span = f"{r['low']:.1f} to {r['high']:.1f} (central {r['central']:.1f}) EUR m"
        if basis == "pro_rata":
            why = (
                f"sourced + assumption: stakes and paid-in totals "
                f"({cited(r['source_ids'], data.sources)}), pro rata"
            )
        else:
            why = f"sourced: {cited(r['source_ids'], data.sources)} ({r['period']})"
        if used_here:
            why += "; the model uses the union of the two bases"
        elif basis == "pro_rata":
            why += "; used in this run"
        else:
            why += "; for both clouds together, not split by any source: not used for one company"
        rows.append(
            Assumption(
                f"The State's paid-in, both clouds: {r['label']}",
                span,
                _basis(why),
                why,
                tuple(r["source_ids"]),
            )
        )
    return rows


def _basis(why: str) -> str:
    if why.startswith("assumption"):
        return "assumption"
    if "assumption" in why:
        return "sourced + assumption"
    return "sourced"


def assumptions_table(
    data: InvestmentData, model: sc.InvestmentModel, discount_rate: float
) -> pd.DataFrame:
    """What the results rest on: every model input and every named assumption.

    Columns: ``name``, ``value`` (a value or a range, in words), ``basis`` (``sourced``,
    ``assumption`` or ``sourced + assumption``) and ``why`` (sources by publisher, or the
    assumption in words).
    """
    spec = sc.build_spec(model)
    rows = [
        Assumption(d.label, d.text(), _basis(d.why), d.why)
        for d in (spec[name] for name in spec.names)
    ]
    created = data.creation_dates.set_index("company_id")
    for company in model.companies:
        cid = company.company_id
        rows.append(
            Assumption(
                f"{COMPANY_NAMES[cid]}: creation date (first pay-in)",
                str(company.pay_in_dates[0]),
                _basis(created.loc[cid, "why"]),
                created.loc[cid, "why"],
            )
        )
    if model.investor_id == "state":
        rows += _state_basis_rows(data, model)
    rows += _model_rows(model, discount_rate)
    held = {c.company_id for c in model.companies}
    rows += [
        Assumption(
            f"{COMPANY_NAMES[cid]}: book equity at the exit", "nil", "sourced + assumption", why
        )
        for cid, why in data.nil_equity.items()
        if cid in held
    ]
    rows += _exit_rows(model)
    return pd.DataFrame(
        [{"name": a.name, "value": a.value, "basis": a.basis, "why": a.why} for a in rows]
    )


def _model_rows(model: sc.InvestmentModel, discount_rate: float) -> list[Assumption]:
    """The discount rate, the pay-ins per investor and what happened after 2014."""
    own = model.paid_in_eur_m is not None
    return [
        Assumption(
            "Discount rate for the NPV",
            f"{discount_rate:.1%} a year",
            "assumption",
            "assumption: a parameter of the notebook (the return a public investor could "
            "have had elsewhere); the NPV is in EUR m of the first pay-in date",
        ),
        Assumption(
            "Each investor's pay-ins",
            "the State's paid-in above, split as stake x capital paid in"
            if own
            else "stake x capital paid in by all shareholders",
            "assumption",
            "assumption: only totals are published; each shareholder is taken to have paid in "
            "pro rata to its stake"
            + (
                " (for the State the total comes from its own figures too; the split between "
                "the companies stays pro rata)"
                if own
                else ""
            ),
        ),
        Assumption(
            "Capital and losses after 2014",
            "losses carried to the exit; 2015 capital calls paid for them",
            "assumption",
            "assumption: no source gives accounts after 2014 or 2015 capital calls by company; "
            "the book equity at the exit is paid-in minus the losses to the end of 2014 minus "
            "the losses carried to the exit date at the last reported yearly loss rate (an "
            "input above), and 2015 capital calls are taken to have paid for those losses",
        ),
    ]


def _exit_rows(model: sc.InvestmentModel) -> list[Assumption]:
    """The exit price, the buyers' stakes and, for both companies, the summed flows."""
    rows = [
        Assumption(
            "Exit price",
            {"zero": "nothing", "book": "the stake's book value", "range": "0 to book value"}[
                model.exit_scenario
            ],
            "assumption",
            "assumption: no source gives the buyout prices (Orange for Thales' and the CDC's "
            "stakes in Cloudwatt; SFR for the CDC's and Atos' stakes in Numergy)",
        ),
        Assumption(
            "Buyers' stakes",
            "valued at the buyout date at the sellers' price",
            "assumption",
            "assumption: Orange (Cloudwatt) and SFR (Numergy) did not sell; their stake, and "
            "all shareholders' for investor 'all', is valued as if sold on the buyout date: a "
            "paper valuation, not cash. For all shareholders together the buyout moved money "
            "between shareholders and brought nothing back to the group; what the buyers paid "
            "and spent afterwards (until Cloudwatt was switched off, Numergy dissolved) is in "
            "no source",
        ),
    ]
    if len(model.companies) > 1:
        rows.append(
            Assumption(
                "Both companies",
                "flows added per date",
                "assumption",
                "assumption: the two positions are one portfolio; MOIC, IRR and NPV are "
                "computed on the summed flows",
            )
        )
    return rows
