"""How far the companies got from their plans, and what each euro of revenue cost.

Pure functions of a loaded :class:`~analysis.data.io.Dataset`. Revenue is reported by many sources
that disagree (Numergy's 2014 revenue: 2, 5 or 6 M EUR), so each year is an estimate:

- the range (``low`` to ``high``) covers every sourced figure for the year: actual figures,
  forecasts made during the year and figures whose year is inferred;
- the ``central`` value uses the project's ``span`` rule (:mod:`analysis.core.evidence`) on the
  actual figures whose year the source states, or on all figures when there are none (a
  year known only from a forecast is flagged ``is_forecast``; one whose every figure has an
  inferred or approximate year, ``is_year_uncertain``).

A sourced bound on the two companies' revenue together (the ``cloudwatt_numergy`` rows,
"at most 5 M EUR" in 2014) constrains each company's central
(:func:`analysis.core.evidence.apply_sum_bounds`).

A year's revenue uses the figures for that year only. A figure the sources give for several
years together (Cloudwatt's "6 M EUR after two years of activity", 2012-2014 with the years
inferred) is never added to a year: it is another observation of the cumulative revenue of
those years (:func:`cumulative_revenue`).

OVHcloud's fiscal year ends on 31 August (FY2021 = September 2020 to August 2021); some
press figures for OVH are calendar years: ``year_basis`` says which.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.core import evidence
from analysis.data.io import Dataset
from analysis.investment.accounts import (
    COMPANIES,
    COMPARATOR,
    LAST_ACCOUNTS_YEAR,
    cumulative_revenue,
    cumulative_revenue_observations,
    revenue_by_year,
)

__all__ = [
    "COMPARATOR",
    "attainment",
    "captive_share",
    "cumulative_revenue",
    "cumulative_revenue_observations",
    "external_revenue",
    "losses_per_revenue",
    "plan_targets",
    "revenue_by_year",
]


def plan_targets(dataset: Dataset) -> pd.DataFrame:
    """Revenue targets of the plans, EUR m: one row per company and target figure.

    Each distinct figure is shown once, with every statement of it: Numergy's 400 M EUR is
    the launch target "by 2016" or "in 2017" (two sources) and was kept in the revised plan
    with no deadline ("not necessarily by 2020"). ``plan`` is the data's ``plan`` column
    (``launch``, ``revised`` or ``launch, revised``). Columns: ``company_id``, ``plan``,
    ``target_eur_m``, ``target_years`` (tuple of int, empty when no source gives a year),
    ``target_year_text``, ``statements`` (each plan with its year or, without one, the
    period as published), ``note`` (the data's notes), ``source_ids``, ``presumed_year``
    (the year a source presumes for a target it does not date, "2014 presumed", else 0).
    """
    targets = dataset.plan_targets
    rows = targets.loc[
        targets["company_id"].isin(COMPANIES) & (targets["metric"] == "revenue_eur_m")
    ]
    order = {"launch": 0, "revised": 1}
    records = []
    for (cid, value), group in rows.groupby(["company_id", "value"], sort=True):
        statements, plans = [], []
        for plan_name in sorted(set(group["plan"]), key=lambda p: order.get(p, 9)):
            part = group.loc[group["plan"] == plan_name]
            part_years = sorted(int(y) for y in part["target_year"].dropna().unique())
            if part_years:
                when = " or ".join(map(str, part_years))
            else:
                said = "; ".join(dict.fromkeys(part["target_year_as_published"]))
                when = f"no year given ('{said}')"
            statements.append(f"{plan_name} plan, {when}")
            plans.append(plan_name)
        years = tuple(sorted(int(y) for y in group["target_year"].dropna().unique()))
        presumed = [
            int(m.group(1))
            for text in group["target_year_as_published"].fillna("")
            if (m := re.search(r"(\d{4}) presumed", str(text)))
        ]
        records.append(
            (
                cid,
                ", ".join(plans),
                float(value),
                years,
                " or ".join(map(str, years)) if years else "no year given",
                "; ".join(statements),
                "; ".join(dict.fromkeys(group["note"].dropna())),
                tuple(dict.fromkeys(group["source_id"])),
                presumed[0] if presumed and not years else 0,
            )
        )
    out = pd.DataFrame.from_records(
        records,
        columns=[
            "company_id",
            "plan",
            "target_eur_m",
            "target_years",
            "target_year_text",
            "statements",
            "note",
            "source_ids",
            "presumed_year",
        ],
    )
    first_plan = out["plan"].str.split(", ").str[0].map(order)
    return (
        out.assign(_order=first_plan)
        .sort_values(["company_id", "_order", "target_eur_m"], ascending=[True, True, False])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def attainment(
    revenue: pd.DataFrame,
    targets: pd.DataFrame,
    year: int = LAST_ACCOUNTS_YEAR,
    captive: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Revenue as a percentage of each plan target (low, central, high), year-matched.

    A target is set against the revenue of its own year when the company reported revenue
    for that year (a year the source only presumes counts, and says so); otherwise against
    the revenue of ``year`` (2014 by default, the last full year either company reported:
    Cloudwatt was absorbed by Orange in 2015 and Numergy by SFR in 2016), and
    ``comparison`` says the target is for a later year. With ``captive`` (see
    :func:`captive_share`), each target is also set against the external revenue (the
    revenue not from a shareholder) of the same year, where the data give the share.

    Columns: the target's columns, then ``revenue_basis`` (``total`` or ``external``),
    ``revenue_year``, ``is_year_matched``, ``comparison`` (in words),
    ``revenue_{low,central,high}_eur_m``, ``attainment_low_pct`` /
    ``attainment_central_pct`` / ``attainment_high_pct``, ``source_ids`` (revenue, target
    and captive-share sources).

    >>> rev = pd.DataFrame({"company_id": ["a"], "fiscal_year": [2014], "low": [1.0],
    ...     "central": [2.0], "high": [3.0], "source_ids": [("s1",)]})
    >>> tgt = pd.DataFrame({"company_id": ["a"], "plan": ["launch"], "target_eur_m": [500.0],
    ...     "target_years": [(2017,)], "target_year_text": ["2017"], "source_ids": [("s2",)]})
    >>> out = attainment(rev, tgt)
    >>> out[["attainment_low_pct", "attainment_central_pct"]].iloc[0].tolist()
    [0.2, 0.4]
    >>> out["comparison"].iloc[0]
    'later target: 2014 revenue against the target for 2017'
    """
    by_year = revenue.set_index(["company_id", "fiscal_year"])
    records = []
    for _, target in targets.loc[targets["company_id"].isin(revenue["company_id"])].iterrows():
        cid = target["company_id"]
        dated = [y for y in target["target_years"] if (cid, y) in by_year.index]
        presumed = int(target.get("presumed_year", 0) or 0)
        if len(dated) == 1:
            used, comparison = dated[0], "same year"
        elif presumed and (cid, presumed) in by_year.index:
            used, comparison = presumed, "same year (presumed: the source does not date the target)"
        elif (cid, year) in by_year.index:
            used = year
            later = target["target_year_text"]
            comparison = (
                f"later target: {year} revenue against the target for {later}"
                if target["target_years"]
                else f"undated target: {year} revenue against a target with no year"
            )
        else:
            continue
        found = by_year.loc[(cid, used)]
        bases = [("total", found, ())]
        if captive is not None:
            share = captive.loc[(captive["company_id"] == cid) & (captive["fiscal_year"] == used)]
            if len(share):
                ext = external_revenue(found, share.iloc[0])
                bases.append(("external", ext, tuple(share.iloc[0]["source_ids"])))
        for basis, rev, extra_ids in bases:
            row = target.to_dict()
            row.update(
                revenue_basis=basis,
                revenue_year=used,
                is_year_matched=comparison.startswith("same year"),
                comparison=comparison,
            )
            for k in ("low", "central", "high"):
                row[f"revenue_{k}_eur_m"] = float(rev[k])
                row[f"attainment_{k}_pct"] = float(rev[k]) / float(target["target_eur_m"]) * 100.0
            row["source_ids"] = tuple(
                dict.fromkeys((*found["source_ids"], *target["source_ids"], *extra_ids))
            )
            records.append(row)
    columns = [*targets.columns, "revenue_basis", "revenue_year", "is_year_matched", "comparison"]
    columns += [f"revenue_{k}_eur_m" for k in ("low", "central", "high")]
    columns += [f"attainment_{k}_pct" for k in ("low", "central", "high")]
    return pd.DataFrame.from_records(records, columns=list(dict.fromkeys(columns)))


def captive_share(dataset: Dataset) -> pd.DataFrame:
    """Share of each company's revenue that came from its own shareholders (%), per year.

    Numergy 2014: 60 to 80 % from SFR (two sources; dossier conflict 4). Columns:
    ``company_id``, ``fiscal_year``, ``low``, ``central``, ``high`` (the ``span`` rule),
    ``source_ids``.
    """
    fin = dataset.financials
    rows = fin.loc[
        fin["company_id"].isin(COMPANIES)
        & (fin["metric"] == "revenue_from_shareholder_share_pct")
        & fin["fiscal_year"].notna()
    ]
    out = evidence.estimate_by(rows, ["company_id", "fiscal_year"])
    out["fiscal_year"] = out["fiscal_year"].astype(int)
    return out[["company_id", "fiscal_year", "low", "central", "high", "source_ids"]]


def external_revenue(revenue: pd.Series | dict, share_pct: pd.Series | dict) -> dict:
    """Revenue not from the shareholders: revenue x (1 - captive share), low with low.

    The low pairs the lowest revenue with the highest captive share.

    >>> external_revenue({"low": 2.0, "central": 5.0, "high": 6.0},
    ...                  {"low": 60.0, "central": 60.0, "high": 80.0})
    {'low': 0.4, 'central': 2.0, 'high': 2.4}
    """
    return {
        "low": round(float(revenue["low"]) * (1.0 - float(share_pct["high"]) / 100.0), 12),
        "central": round(
            float(revenue["central"]) * (1.0 - float(share_pct["central"]) / 100.0), 12
        ),
        "high": round(float(revenue["high"]) * (1.0 - float(share_pct["low"]) / 100.0), 12),
    }


def _ratio(num: dict, den: dict) -> tuple[float, float, float]:
    def div(a: float, b: float) -> float:
        return a / b if b > 0 else math.nan

    return (
        div(num["low"], den["high"]),
        div(num["central"], den["central"]),
        div(num["high"], den["low"]),
    )


def losses_per_revenue(
    revenue: pd.DataFrame,
    losses: pd.DataFrame,
    totals: pd.DataFrame,
    captive: pd.DataFrame,
    fin: pd.DataFrame,
    sources: pd.DataFrame,
) -> pd.DataFrame:
    """Net losses per euro of revenue (EUR lost per EUR earned), with ranges.

    Cloudwatt and Numergy: cumulative losses 2012-2014 / cumulative revenue 2012-2014
    (:func:`cumulative_revenue`: the yearly figures summed, and any figure for the three years
    together as another observation of the total).
    OVHcloud: summed net results / summed revenue over the fiscal years for which the data
    hold both (FY2020 and FY2021; earlier OVH results are not in the data). ``low`` pairs
    the lowest loss with the highest revenue. Columns: ``company_id``, ``period``,
    ``losses_{low,central,high}_eur_m``, ``revenue_{low,central,high}_eur_m``,
    ``losses_per_revenue_{low,central,high}_eur`` (EUR lost per EUR of revenue: a ratio of
    losses to revenue, not a cost), ``revenue_basis`` (``total``, or
    ``external`` for a second row on the revenue not from shareholders where the data give
    that share, :func:`captive_share`), ``note``, ``source_ids``.

    Takes :func:`revenue_by_year`, :func:`~analysis.investment.accounts.cumulative_losses`,
    :func:`cumulative_revenue_observations`, :func:`captive_share`, and the ``financials``
    and sources tables.
    """
    records = []
    for cid in COMPANIES:
        lost = losses.loc[(losses["company_id"] == cid) & (losses["period"] == "2012-2014")]
        if not lost.empty:
            records += _company_costs(
                cid, lost.iloc[0].to_dict(), revenue, totals, captive, sources
            )
    comparator = _comparator_cost(revenue, fin)
    return pd.DataFrame(records + ([comparator] if comparator else []))


def _company_costs(
    cid: str,
    lost_row: dict,
    revenue: pd.DataFrame,
    totals: pd.DataFrame,
    captive: pd.DataFrame,
    sources: pd.DataFrame,
) -> list[dict]:
    """One company's losses per euro of revenue 2012-2014, on total and external revenue."""
    rev = cumulative_revenue(revenue, cid, totals=totals)
    note = rev["assumption"]
    if rev["direct"]:
        publishers = sources.set_index("source_id")["publisher"]
        named = dict.fromkeys(
            str(publishers.get(d["source_id"], d["source_id"])) for d in rev["direct"]
        )
        note += " (" + ", ".join(named) + ")"
    records = [_cost_record(cid, "2012-2014", lost_row, rev, note, lost_row["source_ids"])]
    share = captive.loc[captive["company_id"] == cid].sort_values("fiscal_year")
    if len(share):
        last = share.iloc[-1]
        ext = {
            **external_revenue(rev, last),
            "source_ids": (*rev["source_ids"], *last["source_ids"]),
        }
        ext_note = (
            f"external revenue: total less the {last['low']:g} to {last['high']:g} % "
            f"(central {last['central']:g} %) that came from shareholders in "
            f"{int(last['fiscal_year'])}; assumption: that share applied to every year"
        )
        records.append(
            _cost_record(
                cid, "2012-2014", lost_row, ext, ext_note, lost_row["source_ids"], "external"
            )
        )
    return records


def _comparator_cost(revenue: pd.DataFrame, fin: pd.DataFrame) -> dict | None:
    """OVHcloud's summed net results per euro of revenue over the years with both figures."""
    results = fin.loc[(fin["company_id"] == COMPARATOR) & (fin["metric"] == "net_result_eur_m")]
    ovh_rev = revenue.loc[revenue["company_id"] == COMPARATOR].set_index("fiscal_year")
    years = sorted(
        int(y) for y in results["fiscal_year"].dropna().unique() if int(y) in ovh_rev.index
    )
    if not years:
        return None
    per_year = [evidence.estimate_frame(results.loc[results["fiscal_year"] == y]) for y in years]
    lost_row = {
        "low": -sum(e.high for e in per_year),
        "central": -sum(e.central for e in per_year),
        "high": -sum(e.low for e in per_year),
    }
    chosen = ovh_rev.loc[years]
    rev: dict = {k: float(chosen[k].sum()) for k in ("low", "central", "high")}
    rev["source_ids"] = tuple(i for ids in chosen["source_ids"] for i in ids)
    period = f"FY{years[0]}-FY{years[-1]}" if len(years) > 1 else f"FY{years[0]}"
    note = (
        f"fiscal years to 31 August; the only years with a net result in the data "
        f"({', '.join(f'FY{y}' for y in years)})"
    )
    ids = tuple(dict.fromkeys(i for e in per_year for i in e.source_ids))
    return _cost_record(COMPARATOR, period, lost_row, rev, note, ids)


def _cost_record(
    cid: str,
    period: str,
    lost: dict,
    rev: dict,
    note: str,
    loss_ids: tuple[str, ...],
    basis: str = "total",
) -> dict:
    low, central, high = _ratio(lost, rev)
    return {
        "company_id": cid,
        "period": period,
        "revenue_basis": basis,
        "losses_low_eur_m": lost["low"],
        "losses_central_eur_m": lost["central"],
        "losses_high_eur_m": lost["high"],
        "revenue_low_eur_m": rev["low"],
        "revenue_central_eur_m": rev["central"],
        "revenue_high_eur_m": rev["high"],
        "losses_per_revenue_low_eur": low,
        "losses_per_revenue_central_eur": central,
        "losses_per_revenue_high_eur": high,
        "note": note,
        "source_ids": tuple(dict.fromkeys((*loss_ids, *rev["source_ids"]))),
    }
