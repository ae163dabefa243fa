"""Sentences and display tables for the investment-return notebook, built from the results.

Every number in these texts comes from the computed frames (with its range) and every
source is named by its publisher; nothing here is typed in by hand. Functions return
Markdown strings (the notebook shows them with ``IPython.display.Markdown``) or frames with
reader-friendly column names.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from analysis.core import evidence
from analysis.core import scenarios as sc
from analysis.investment import model as inv
from analysis.params import InvestmentParams
from analysis.report.blocks import fmt_number, upper_first
from analysis.report.textsafe import md

__all__ = ["display_tables", "format_span", "sentences", "upper_first"]

_EXIT_WORDS = {
    "zero": "nothing came back",
    "book": "each stake sold at its share of the book equity",
    "range": "a price anywhere between nothing and the book value",
}
_ITEM_WORDS = {"committed": "committed", "paid_in": "paid in", "lost": "lost (net losses)"}
_METRIC_WORDS = {
    "paid_in_eur_m": "Paid in (EUR m)",
    "proceeds_eur_m": "Came back (EUR m)",
    "loss_eur_m": "Money lost (EUR m)",
    "moic": "MOIC (x)",
    "irr": "IRR (% a year)",
    "npv_eur_m": "NPV (EUR m)",
}


def _num(value: float | None, digits: int = 1) -> str:
    """A rounded number (:func:`analysis.report.blocks.fmt_number` with ``digits``)."""
    return fmt_number(value, digits)


def format_span(
    low: float, central: float, high: float, digits: int = 1, unit: str = "", *, scale=1.0
) -> str:
    """``'central (low to high) unit'``, or ``'value unit'`` when there is no range.

    >>> format_span(100.0, 100.0, 112.5, 1, "M EUR")
    '100.0 (100.0 to 112.5) M EUR'
    >>> format_span(-1.0, -1.0, -1.0, 0, "%", scale=100)
    '-100 %'
    """
    values = [
        v * scale if v is not None and not math.isnan(v) else math.nan for v in (low, central, high)
    ]
    suffix = f" {unit}" if unit else ""
    lo, mid, hi = (_num(v, digits) for v in values)
    if lo == hi:
        return f"{mid}{suffix}"
    return f"{mid} ({lo} to {hi}){suffix}"


def _publishers_raw(ids: Iterable[str], sources: pd.DataFrame) -> str:
    """Publishers and dates of the sources, as plain text (for table cells)."""
    return evidence.cite(list(ids), sources).removeprefix("Sources: ")


def _publishers(ids: Iterable[str], sources: pd.DataFrame) -> str:
    """Publishers and dates of the sources, made inert for Markdown sentences."""
    return md(_publishers_raw(ids, sources))


def _who(params: InvestmentParams) -> str:
    return inv.INVESTOR_NAMES[params.investor]


def _companies(params: InvestmentParams) -> str:
    return " and ".join(inv.COMPANY_NAMES[c] for c in inv.company_ids(params.company))


# --- sentences -----------------------------------------------------------------------------


def sentences(
    params: InvestmentParams,
    model: sc.InvestmentModel,
    frames: Mapping[str, Any],
    sources: pd.DataFrame,
) -> dict[str, str]:
    """Every generated paragraph of the notebook, keyed by section."""
    return {
        "question": _question(params),
        "capital": _capital(frames["capital"], sources),
        "state": _state(params, model, frames["state"], frames["state_bases"]),
        "flows": _flows(params, frames["flows"], frames["valuation"]),
        "results": _results(params, frames["results"]),
        "distribution": _distribution(params, frames["summary"], frames["results"]),
        "tornado": _tornado(frames["tornado_loss"], frames["tornado_irr"]),
        "revenue": _revenue(params, frames["attainment"], frames["revenue"], sources),
        "cost": _cost(frames["cost"], sources),
        "caveats": _caveats(params, frames, sources),
        "answer": _answer(params, frames),
        "npv_rates": _npv_rates(params, frames["npv_rates"]),
    }


def _answer(params: InvestmentParams, frames: Mapping[str, Any]) -> str:
    """The answer first: committed, paid in, came back, lost, and the verdict, with ranges."""
    results = frames["results"].set_index("exit_scenario")
    row, book, zero = (results.loc[s] for s in (params.exit_scenario, "book", "zero"))
    span = _spanner(row)
    committed = frames["committed"]
    paper = any(frames["valuation"].values())
    back_word = (
        "was worth on paper (a valuation at the sellers' price, not cash)" if paper else "came back"
    )
    who = upper_first(_who(params))
    money = "public money" if params.investor == "state" else "money"
    share = row["loss_eur_m_central"] / row["paid_in_eur_m_central"] * 100.0
    best = book["loss_eur_m_low"] / book["paid_in_eur_m_low"] if book["paid_in_eur_m_low"] else 0
    verdict = "most" if best > 0.5 else "part"
    summary = frames["summary"]
    median = (
        f" (median of the scenarios {_num(summary.loc['loss_eur_m', 'central'])} M EUR)"
        if summary is not None and summary.loc["loss_eur_m", "n"]
        else ""
    )
    lines = [
        f"**The answer.** {who} committed {format_span(*committed, 1, 'M EUR')} to "
        f"{_companies(params)} and paid in {span('paid_in_eur_m', 1, 'M EUR')}.",
        f"The exit prices were never disclosed: under the exit scenario "
        f"'{params.exit_scenario}' ({_EXIT_WORDS[params.exit_scenario]}, at the equity left at "
        f"the exit date) {span('proceeds_eur_m', 1, 'M EUR')} {back_word}.",
        f"So {span('loss_eur_m', 1, 'M EUR')} was lost{median}, about {_num(share, 0)} % of "
        f"what was paid in; even if every stake had been sold at its book value at the exit, "
        f"{_spanner(book)('loss_eur_m', 1, 'M EUR')} was lost, and with nothing back "
        f"{_spanner(zero)('loss_eur_m', 1, 'M EUR')}.",
        f"**Verdict:** {verdict} of the {money} put in was lost even in the best case; the "
        "ranges come from disagreeing sources and named assumptions, listed below.",
    ]
    if params.investor == "all":
        lines.append(
            "For all shareholders together the buyouts moved money between shareholders and "
            "brought nothing back to the group: what came back is a paper value."
        )
    return " ".join(lines)


def _npv_rates(params: InvestmentParams, table: pd.DataFrame) -> str:
    first, last = table.iloc[0], table.iloc[-1]
    return (
        f"The discount rate ({params.discount_rate:.1%} a year in this run) is a pure "
        "assumption: no source in the data gives the return the State or the shareholders "
        "required. The table shows the NPV (EUR m of the first pay-in date) over rates from "
        f"{_num(first['discount_rate_pct'], 0)} % to {_num(last['discount_rate_pct'], 0)} % a "
        f"year: with central inputs it goes from {_num(first['npv_central_eur_m'])} to "
        f"{_num(last['npv_central_eur_m'])} M EUR. At 0 % the NPV is minus the money lost; "
        "a higher rate weighs the early pay-ins and the later exit differently, but never "
        "turns the result positive here."
    )


def _question(params: InvestmentParams) -> str:
    engine = (
        f"draws {params.n_scenarios:,} scenarios of the uncertain inputs (seed {params.seed})"
        if params.n_scenarios
        else "does not draw scenarios (n_scenarios = 0): ranges are bounds only"
    )
    return (
        f"This run follows **{_who(params)}** in **{_companies(params)}**. The chosen exit "
        f"scenario is **{params.exit_scenario}** ({_EXIT_WORDS[params.exit_scenario]}); the "
        f"NPV is discounted at **{params.discount_rate:.1%}** a year (an assumption); the "
        f"engine {engine}."
    )


def _capital(capital: pd.DataFrame, sources: pd.DataFrame) -> str:
    parts = []
    for cid in inv.COMPANIES:
        rows = capital.loc[capital["company_id"] == cid].set_index("item", drop=False)
        committed = rows.loc[rows["item"] == "committed"].iloc[0]
        paid = rows.loc[rows["item"] == "paid_in"].iloc[0]
        lost_rows = rows.loc[rows["item"] == "lost"].sort_values("period")
        lost = lost_rows.iloc[-1]
        share_low = paid["low"] / committed["central"] * 100
        share_high = paid["high"] / committed["central"] * 100
        used_low = lost["low"] / paid["high"] * 100
        used_high = lost["high"] / paid["low"] * 100
        paid_text = (
            f"{_num(paid['central'])} M EUR"
            if paid["low"] == paid["high"]
            else f"{_num(paid['low'])} to {_num(paid['high'])} M EUR"
        )
        text = (
            f"**{inv.COMPANY_NAMES[cid]}**: the shareholders committed "
            f"{_num(committed['central'], 0)} M EUR "
            f"({_publishers(committed['source_ids'], sources)}) and paid in {paid_text} "
            f"({md(paid['period'])}; {_publishers(paid['source_ids'], sources)}), "
            f"{_range_pct(share_low, share_high)} of the commitment. By the end of "
            f"{lost['period'][-4:]} the company had lost "
            f"{format_span(lost['low'], lost['central'], lost['high'], 1, 'M EUR')} "
            f"({_publishers(lost['source_ids'], sources)}), {_range_pct(used_low, used_high)} "
            f"of the capital paid in."
        )
        if len(lost_rows) > 1:
            early = lost_rows.iloc[0]
            bound = "at least " if early["open_high"] else ""
            text += (
                f" Losses over {early['period']} alone were {bound}{_num(early['low'])} M EUR "
                f"({_publishers(early['source_ids'], sources)})."
            )
        parts.append(text)
    return "\n\n".join(parts)


def _range_pct(low: float, high: float) -> str:
    if round(low) == round(high):
        return f"{low:.0f} %"
    return f"{low:.0f} % to {high:.0f} %"


def _state(
    params: InvestmentParams, model: sc.InvestmentModel, state: pd.DataFrame, bases: pd.DataFrame
) -> str:
    def listed(rows: pd.DataFrame) -> str:
        items = []
        for _, r in rows.iterrows():
            bound = "" if r["bound"] == "as stated" else f"{r['bound']} "
            where = {"cloudwatt_numergy": "both clouds"}.get(
                r["company_id"], inv.COMPANY_NAMES.get(r["company_id"], r["company_id"])
            )
            when = f", {md(r['period'])}" if str(r["period"]).startswith("to ") else ""
            items.append(
                f"{bound}{_num(r['amount_eur_m'], 0)} for {where} ({md(r['publisher'])}{when})"
            )
        return "; ".join(dict.fromkeys(items))

    def span(r: pd.Series) -> str:
        return format_span(r["low"], r["central"], r["high"], 1, "M EUR")

    plan = state.loc[state["kind"].str.startswith("commitment")]
    received = state.loc[state["kind"].str.startswith("stated as received")]
    cash = state.loc[state["kind"].str.startswith("cash")]
    by = bases.set_index("basis")
    pro = by.loc["pro_rata"]
    parts = [
        "The sources give the State's money in three ways that do not agree (all M EUR). "
        f"**Commitments** (planned, not cash): {listed(plan)}. **Stated as received**: "
        f"{listed(received)} — these probably restate the commitment. **Cash actually paid "
        f"in**: {listed(cash)}."
    ]
    if "own_cash" not in by.index:
        parts.append(
            f"The State's stakes applied to the paid-in totals (pro rata, an assumption) give "
            f"{span(pro)} for both clouds to end 2014; no cash figure of the State's own is in "
            "the data."
        )
        return "\n\n".join(parts)
    own, used = by.loc["own_cash"], by.loc["used"]
    inside = own["low"] <= pro["low"] and pro["high"] <= own["high"]
    parts.append(
        "**Two bases for the State's paid-in in both clouds.** *Pro rata* (the State's stakes "
        f"applied to the companies' paid-in totals, an assumption): {span(pro)} to end 2014. "
        f"*The State's own cash figures*: {span(own)} ({md(own['period'])}; central by the "
        f"project's rule), {'a range that contains' if inside else 'a range that misses'} "
        "the pro-rata one. The cash figures run into 2015: the gap between their top "
        f"({_num(own['high'])}) and the pro-rata range, {_num(own['high'] - pro['high'])} to "
        f"{_num(own['high'] - pro['low'])} M EUR, would be capital the State paid in during "
        "2015, which no source dates or splits between the companies."
    )
    if model.paid_in_eur_m is not None:
        split = model.paid_in_split or {}
        shares = ", ".join(f"{inv.COMPANY_NAMES[c]} {_num(100 * v)} %" for c, v in split.items())
        parts.append(
            "**Which value this run uses.** The exits came in 2015 (Cloudwatt) and 2016 "
            "(Numergy), so the figures that run into 2015 are the ones that match them: the "
            f"State's paid-in over both clouds is drawn from {span(used)}, the union of the two "
            "bases, with the central of the project's rule on the State's own cash figures "
            "(the median of its exact figures), on a symmetric triangular draw: the headline "
            "central and the scenarios' median paid-in agree. No source splits the State's "
            f"cash by company: this run's share of it ({shares}) is the State's pro-rata split "
            "at central inputs, the same in the per-company and the combined reports, so "
            "their amounts add up."
        )
    else:
        parts.append(f"This run follows {_who(params)}; the State's figures are shown for context.")
    return "\n\n".join(parts)


def _flows(params: InvestmentParams, flows: pd.DataFrame, valuation: Mapping[str, bool]) -> str:
    pay = flows.loc[flows["flow"] == "pay_in"]
    back = flows.loc[flows["flow"] == "exit"]
    paid = -pay["amount_eur_m"].sum()
    first, last = pay["date"].min().date(), pay["date"].max().date()
    parts = []
    for _, r in back.iterrows():
        span = format_span(r["amount_low_eur_m"], r["amount_eur_m"], r["amount_high_eur_m"])
        cid = r["company_id"]
        how = (
            "its stake valued at"
            if valuation.get(cid) and params.investor != "all"
            else "stakes sold or valued at"
            if valuation.get(cid)
            else "its stake sold for"
        )
        parts.append(f"{how} {span} M EUR in {inv.COMPANY_NAMES[cid]} on {r['date'].date()}")
    ranged = (back["amount_low_eur_m"] < back["amount_high_eur_m"]).any()
    bracket = " (in brackets: the range over the input ranges)" if ranged else ""
    note = ""
    if any(valuation.values()):
        note = (
            " A buyer did not sell: its stake is valued at the sellers' price on the buyout date"
            " (a valuation, not cash)."
        )
    return (
        f"With every input at its central value, {_who(params)} paid in {_num(paid)} M EUR in "
        f"{len(pay)} tranches from {first} to {last} (equal tranches: the split is an "
        f"assumption), then had {'; '.join(parts)} under the exit scenario "
        f"'{params.exit_scenario}'{bracket}.{note}"
    )


def _spanner(row: pd.Series) -> Callable[..., str]:
    """``span(metric, digits, unit, scale)``: the formatted range of ``metric`` in ``row``."""

    def span(metric: str, digits: int = 1, unit: str = "", scale: float = 1.0) -> str:
        return format_span(
            row[f"{metric}_low"],
            row[f"{metric}_central"],
            row[f"{metric}_high"],
            digits,
            unit,
            scale=scale,
        )

    return span


def _results(params: InvestmentParams, results: pd.DataFrame) -> str:
    lines = []
    rate = f"{params.discount_rate:.1%}"
    for _, r in results.iterrows():
        span = _spanner(r)
        chosen = " (the chosen scenario)" if r["exit_scenario"] == params.exit_scenario else ""
        irr = (
            "-100 % (nothing came back)"
            if r["irr_status_central"] == "total_loss" and r["irr_high"] == -1.0
            else span("irr", 1, "% a year", 100.0)
        )
        lines.append(
            f"- **{r['exit_scenario']}**{chosen}, {_EXIT_WORDS[r['exit_scenario']]}: out of "
            f"{span('paid_in_eur_m', 1, 'M EUR')} paid in, {span('proceeds_eur_m', 1, 'M EUR')} "
            f"came back, so {span('loss_eur_m', 1, 'M EUR')} was lost; MOIC "
            f"{span('moic', 2)}, IRR {irr}, NPV at {rate} {span('npv_eur_m', 1, 'M EUR')}."
        )
    zero, book = (results.set_index("exit_scenario").loc[s] for s in ("zero", "book"))
    lines.append(
        f"\nEven at book value the money lost is {_spanner(book)('loss_eur_m', 1, 'M EUR')}: "
        "the stake's share of the losses, which a sale at book value does not give back. With "
        f"nothing back it is {_spanner(zero)('loss_eur_m', 1, 'M EUR')}. Which is closer to the "
        "truth depends on the buyout prices, which were never disclosed."
    )
    return "\n".join(lines)


def _spread(name: str, row: pd.Series, unit: str, scale: float, n: int) -> str:
    """One metric over the scenarios: constant, or its 5th-95th percentile range, labelled."""
    if not row["n"]:
        return f"{name} is undefined in every scenario"
    undefined = n - int(row["n"])
    also = f"; undefined in {undefined:,} scenarios" if undefined else ""
    if _num(row["min"] * scale) == _num(row["max"] * scale):
        return (
            f"{name} is {_num(row['central'] * scale)}{unit} in every scenario: it does not vary "
            f"under this exit scenario{also}"
        )
    return (
        f"in 90 % of the scenarios (5th to 95th percentile) {name} lies between "
        f"{_num(row['low'] * scale)}{unit} and {_num(row['high'] * scale)}{unit} "
        f"(median {_num(row['central'] * scale)}{unit}{also})"
    )


def _distribution(
    params: InvestmentParams, summary: pd.DataFrame | None, results: pd.DataFrame
) -> str:
    if summary is None:
        return (
            "The scenario engine is off (`n_scenarios = 0`), so there is no distribution: the "
            "ranges above are the bounds over the corners of the input ranges."
        )
    n = params.n_scenarios
    loss = _spread("the money lost", summary.loc["loss_eur_m"], " M EUR", 1.0, n)
    irr = _spread("the IRR", summary.loc["irr"], " % a year", 100.0, n)
    if params.exit_scenario == "zero":
        irr += " (nothing came back)"
    return (
        f"Over {n:,} scenarios (seed {params.seed}) under the exit scenario "
        f"'{params.exit_scenario}': {loss}; {irr}. These are shares of scenarios drawn from "
        "the assumed input distributions, not probabilities that any source gives."
    )


def _tornado(loss: pd.DataFrame, irr: pd.DataFrame) -> str:
    def top(table: pd.DataFrame, unit: str, scale: float) -> str | None:
        moving = table.loc[table["swing"] > 1e-12]
        if moving.empty:
            return None
        r = moving.iloc[0]
        return (
            f"**{r['label']}** ({_num(r['metric_low'] * scale)} to "
            f"{_num(r['metric_high'] * scale)} {unit} as it goes from {r['low_value']} to "
            f"{r['high_value']})"
        )

    loss_top, irr_top = top(loss, "M EUR", 1.0), top(irr, "%", 100.0)
    still = sorted(
        set(loss.loc[loss["swing"] <= 1e-12, "label"])
        & set(irr.loc[irr["swing"].fillna(0) <= 1e-12, "label"])
    )
    parts = [
        f"The input that moves the money lost most is {loss_top}."
        if loss_top
        else "No uncertain input moves the money lost.",
        f"For the IRR it is {irr_top}." if irr_top else "No uncertain input moves the IRR.",
    ]
    if still:
        parts.append(f"No effect on either: {'; '.join(still)}.")
    return " ".join(parts)


def _revenue(
    params: InvestmentParams, attain: pd.DataFrame, revenue: pd.DataFrame, sources: pd.DataFrame
) -> str:
    parts = []
    for cid in inv.company_ids(params.company):
        rows = attain.loc[attain["company_id"] == cid]
        if rows.empty:
            continue
        total = rows.loc[rows["revenue_basis"] == "total"]
        first = total.iloc[0]
        rev = format_span(
            first["revenue_low"], first["revenue_central"], first["revenue_high"], 1, "M EUR"
        )
        targets = "; ".join(
            f"{_spanner(r.rename(lambda k: k.replace('_pct', '')))('attainment', 2, '%')} "
            f"of the {_num(r['target_eur_m'], 0)} M EUR target ({md(r['statements'])}; "
            f"{md(r['comparison'])})"
            for _, r in total.iterrows()
        )
        parts.append(
            f"**{inv.COMPANY_NAMES[cid]}** made {rev} in {first['revenue_year']} "
            f"({_publishers(first['source_ids'][:6], sources)}): {targets}."
        )
        ext = rows.loc[rows["revenue_basis"] == "external"]
        if not ext.empty:
            e = ext.iloc[0]
            ext_rev = format_span(
                e["revenue_low"], e["revenue_central"], e["revenue_high"], 1, "M EUR"
            )
            parts.append(
                f"On its **external** revenue (what did not come from its shareholders), "
                f"{ext_rev} in {e['revenue_year']}, it reached "
                + "; ".join(
                    f"{_spanner(r.rename(lambda k: k.replace('_pct', '')))('attainment', 2, '%')}"
                    f" of the {_num(r['target_eur_m'], 0)} M EUR target"
                    for _, r in ext.iterrows()
                )
                + "."
            )
    ovh = revenue.loc[revenue["company_id"] == "ovhcloud"].sort_values("fiscal_year")
    if not ovh.empty:
        a, b = ovh.iloc[0], ovh.iloc[-1]
        parts.append(
            f"**OVHcloud** (no State equity reported in any source) reported "
            f"{format_span(a['low'], a['central'], a['high'], 0, 'M EUR')} for "
            f"{a['fiscal_year']}{' (a forecast)' if a['is_forecast'] else ''} and "
            f"{format_span(b['low'], b['central'], b['high'], 0, 'M EUR')} for "
            f"FY{b['fiscal_year']} ({b['year_basis']})."
        )
    parts.append(
        "A target is set against the revenue of its own year where the data give one (Numergy's "
        "137 M EUR plan figure, which its source sets beside the 2014 revenue); the others are "
        "for 2016 or later, after both companies were absorbed by a shareholder, so they are "
        "set against 2014 revenue, the last full year either company reported, and say so. "
        "The 2014 centrals respect the sourced ceiling on the two companies' revenue together "
        f"({evidence.SUM_RULE})."
    )
    return " ".join(parts)


def _cost(cost: pd.DataFrame, sources: pd.DataFrame) -> str:
    parts = []
    for _, r in cost.iterrows():
        span = format_span(
            r["per_revenue_low"],
            r["per_revenue_central"],
            r["per_revenue_high"],
            2 if r["per_revenue_central"] < 1 else 1,
        )
        what = "external revenue" if r["revenue_basis"] == "external" else "revenue"
        parts.append(
            f"**{inv.COMPANY_NAMES[r['company_id']]}** lost {span} EUR per euro of {what} over "
            f"{md(r['period'])} ({_num(r['losses_central'])} M EUR of losses for "
            f"{format_span(r['revenue_low'], r['revenue_central'], r['revenue_high'], 1, 'M EUR')} "
            f"of revenue; {md(r['note'])})."
        )
    if "ovhcloud" in set(cost["company_id"]):
        parts.append(
            "OVHcloud's figure covers different years (its 2012-2014 results are not in the "
            "data), so it shows the order of magnitude of a going concern's losses, not a "
            "like-for-like comparison."
        )
    else:
        parts.append("No OVHcloud net result is in the data: no comparison is possible.")
    return " ".join(parts)


# --- display tables ------------------------------------------------------------------------


def display_tables(
    params: InvestmentParams,
    frames: Mapping[str, Any],
    assumptions: pd.DataFrame,
    sources: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Frames with readable column names and formatted ranges, for display only."""
    capital = frames["capital"]
    out = {
        "capital": pd.DataFrame(
            {
                "Company": capital["company_id"].map(inv.COMPANY_NAMES),
                "Capital": capital["item"].map(_ITEM_WORDS),
                "Period": capital["period"],
                "EUR m": [
                    ("≥ " if r["open_high"] and r["low"] == r["high"] else "")
                    + format_span(r["low"], r["central"], r["high"])
                    for _, r in capital.iterrows()
                ],
                "Sources": [_publishers_raw(ids, sources) for ids in capital["source_ids"]],
            }
        ),
        "state": frames["state"]
        .rename(
            columns={
                "company_id": "Company",
                "kind": "Figure",
                "amount_eur_m": "EUR m",
                "bound": "Bound",
                "period": "Period",
                "publisher": "Source",
            }
        )
        .drop(columns=["is_commitment", "source_id"])
        .replace({"Company": {"cloudwatt_numergy": "both", **inv.COMPANY_NAMES}}),
        "assumptions": assumptions.rename(
            columns={"name": "Input", "value": "Value or range", "basis": "Basis", "why": "Why"}
        ),
    }
    flows = frames["flows"]
    out["flows"] = pd.DataFrame(
        {
            "Company": flows["company_id"].map(inv.COMPANY_NAMES),
            "Flow": flows["flow"].map({"pay_in": "paid in", "exit": "came back at the exit"}),
            "Date": flows["date"].dt.date.astype(str),
            "EUR m (central)": flows["amount_eur_m"].round(2),
            "EUR m (range)": [
                "" if lo == hi else f"{_num(lo)} to {_num(hi)}"
                for lo, hi in zip(
                    flows["amount_low_eur_m"], flows["amount_high_eur_m"], strict=True
                )
            ],
        }
    )
    results = frames["results"]
    table: dict[str, list[str]] = {"Exit scenario": list(results["exit_scenario"])}
    for metric, title in _METRIC_WORDS.items():
        scale = 100.0 if metric == "irr" else 1.0
        digits = 2 if metric == "moic" else 1
        if metric == "npv_eur_m":
            title = f"NPV at {params.discount_rate:.1%} (EUR m)"
        table[title] = [
            format_span(
                r[f"{metric}_low"], r[f"{metric}_central"], r[f"{metric}_high"], digits, scale=scale
            )
            for _, r in results.iterrows()
        ]
    out["results"] = pd.DataFrame(table)
    summary = frames["summary"]
    if summary is not None:
        rows = [m for m in _METRIC_WORDS if m in summary.index]
        scale = [100.0 if m == "irr" else 1.0 for m in rows]
        shown = summary.loc[rows, ["low", "central", "high", "min", "max"]].mul(scale, axis=0)
        shown.index = [_METRIC_WORDS[m] for m in rows]
        out["summary"] = shown.round(2).rename(
            columns={
                "low": "5th percentile",
                "central": "median",
                "high": "95th percentile",
            }
        )
    attain = frames["attainment"]
    out["attainment"] = pd.DataFrame(
        {
            "Company": attain["company_id"].map(inv.COMPANY_NAMES),
            "Target (EUR m)": attain["target_eur_m"],
            "Stated in (plan, target year)": attain["statements"],
            "Revenue year": attain["revenue_year"],
            "Revenue basis": attain["revenue_basis"],
            "Comparison": attain["comparison"],
            "Revenue (EUR m)": [
                format_span(r["revenue_low"], r["revenue_central"], r["revenue_high"])
                for _, r in attain.iterrows()
            ],
            "Attained (%)": [
                format_span(
                    r["attainment_low_pct"],
                    r["attainment_central_pct"],
                    r["attainment_high_pct"],
                    2,
                )
                for _, r in attain.iterrows()
            ],
            "Note": attain["note"],
        }
    )
    rates = frames["npv_rates"]
    out["npv_rates"] = pd.DataFrame(
        {
            "Discount rate (% a year)": rates["discount_rate_pct"],
            "NPV, central inputs (EUR m)": rates["npv_central_eur_m"],
            "NPV, low to high bound (EUR m)": [
                f"{_num(r['npv_low_eur_m'])} to {_num(r['npv_high_eur_m'])}"
                for _, r in rates.iterrows()
            ],
        }
    )
    story = frames.get("story") or {}
    if "after" in story:
        after = story["after"]
        out["after"] = pd.DataFrame(
            {
                "Company": after["company_id"].map(inv.COMPANY_NAMES),
                "Date": after["date"],
                "What": after["what"],
                "Source": [_publishers_raw([i], sources) for i in after["source_id"]],
            }
        )
    if "ovh" in story:
        ovh = story["ovh"]
        out["ovh"] = pd.DataFrame(
            {
                "Year": ovh["year"],
                "What": ovh["what"],
                "Value": [
                    format_span(r["low"], r["value"], r["high"], 1) for _, r in ovh.iterrows()
                ],
                "Unit": ovh["unit"],
                "Sources": [_publishers_raw(i, sources) for i in ovh["source_ids"]],
            }
        )
    if "jobs" in story:
        jobs = story["jobs"]
        out["jobs"] = pd.DataFrame(
            {
                "Company": jobs["company_id"].map(inv.COMPANY_NAMES),
                "Jobs in the launch plan": [
                    format_span(
                        r["target_low_jobs"], r["target_low_jobs"], r["target_high_jobs"], 0
                    )
                    if r["target_low_jobs"] != r["target_high_jobs"]
                    else _num(r["target_low_jobs"], 0)
                    for _, r in jobs.iterrows()
                ],
                "Plan year": jobs["target_year_text"],
                "Headcount": [
                    format_span(r["headcount_low"], r["headcount_central"], r["headcount_high"], 0)
                    for _, r in jobs.iterrows()
                ],
                "Year": jobs["headcount_year"],
                "Losses per job (EUR m)": [
                    format_span(
                        r["losses_per_job_low_eur_m"],
                        r["losses_per_job_central_eur_m"],
                        r["losses_per_job_high_eur_m"],
                        2,
                    )
                    for _, r in jobs.iterrows()
                ],
            }
        )
    cost = frames["cost"]
    out["cost"] = pd.DataFrame(
        {
            "Company": cost["company_id"].map(inv.COMPANY_NAMES),
            "Period": cost["period"],
            "Revenue basis": cost["revenue_basis"],
            "Losses (EUR m)": [
                format_span(r["losses_low"], r["losses_central"], r["losses_high"])
                for _, r in cost.iterrows()
            ],
            "Revenue (EUR m)": [
                format_span(r["revenue_low"], r["revenue_central"], r["revenue_high"])
                for _, r in cost.iterrows()
            ],
            "EUR lost per EUR of revenue": [
                format_span(
                    r["per_revenue_low"], r["per_revenue_central"], r["per_revenue_high"], 2
                )
                for _, r in cost.iterrows()
            ],
            "Note": cost["note"],
        }
    )
    return out


def _caveats(params: InvestmentParams, frames: Mapping[str, Any], sources: pd.DataFrame) -> str:
    """The limits of this run, as a Markdown list built from the data behind it."""
    cids = inv.company_ids(params.company)
    items = [
        "**Exit prices.** No source gives what Orange paid Thales and the Caisse des Dépôts for "
        "their Cloudwatt stakes, nor what SFR paid the Caisse des Dépôts and Atos for theirs in "
        "Numergy: every return here is conditional on an exit scenario.",
        "**Pay-ins per shareholder.** Only totals for all shareholders are published; each "
        "investor's share is its stake's share (pro rata), and the dates and split of the "
        "capital calls are assumed.",
        f"**After {inv.LAST_ACCOUNTS_YEAR}.** No accounts after {inv.LAST_ACCOUNTS_YEAR} are "
        "reported: the book value at the exit carries the losses forward at the last reported "
        "yearly loss rate to the exit date, and a safeguard procedure before the exit bounds "
        "the equity at nil (both named assumptions in the table above). 2015 capital calls are "
        "not reported by company; they are taken to have paid for the 2015 losses. The State's "
        "own cash figures run into 2015 and are for both clouds together: each company's share "
        "is a stated split, the same in every report.",
        "**Percentiles do not add up.** The amounts (paid in, came back, lost, NPV) and their "
        "bounds in the per-company reports add up to the combined report; the scenario "
        "percentiles, the MOIC and the IRR do not (a percentile or a ratio of a sum is not "
        "the sum of the parts').",
    ]
    exits = frames["exits"]
    for cid in cids:
        if exits[cid].is_assumed:
            items.append(
                f"**{inv.COMPANY_NAMES[cid]}'s exit date.** {md(upper_first(exits[cid].why))} "
                f"({_publishers(exits[cid].source_ids, sources)})."
            )
    stakes = frames["stakes"]
    ranged = stakes.loc[stakes["company_id"].isin(cids) & (stakes["low"] < stakes["high"])]
    for _, r in ranged.iterrows():
        items.append(
            f"**{inv.HOLDER_NAMES.get(r['holder_id'], r['holder_id'])}'s stake in "
            f"{inv.COMPANY_NAMES[r['company_id']]}** is "
            f"{_num(r['low'], 0)} % or {_num(r['high'], 0)} % depending on the source "
            f"({_publishers(r['source_ids'], sources)}): both are kept as a range."
        )
    revenue = frames["revenue"]
    year = inv.LAST_ACCOUNTS_YEAR
    for cid in cids:
        row = revenue.loc[(revenue["company_id"] == cid) & (revenue["fiscal_year"] == year)]
        if row.empty:
            continue
        r = row.iloc[0]
        items.append(
            f"**{inv.COMPANY_NAMES[cid]}'s {year} revenue** comes from "
            f"{r['n_observations']} figures that disagree ({_num(r['low'])} to "
            f"{_num(r['high'])} M EUR; the highest from "
            f"{_publishers(r['high_source_ids'], sources)}). The central value uses the actual "
            "figures whose year the source states."
        )
        totals = frames["revenue_totals"]
        for _, t in totals.loc[totals["company_id"] == cid].iterrows():
            if str(t["period_end"]) != str(year) or str(t["period_start"]) == str(year):
                continue
            inferred = " (years inferred)" if t["is_period_inferred"] else ""
            items[-1] += (
                f" {_publishers([t['source_id']], sources)} gives "
                f"{_num(float(t['value']))} M EUR for {t['period_start']}-{t['period_end']} "
                f"together{inferred}: not a {year} figure, so it counts only as another "
                f"observation of the cumulative revenue {t['period_start']}-{year}, which sets "
                "the losses per euro of revenue."
            )
    items.append(
        "**OVHcloud** reports fiscal years to 31 August, and some press figures for it are "
        "calendar years; its net results are in the data for two fiscal years only."
    )
    if params.n_scenarios:
        items.append(
            "**Scenario percentiles** describe the assumed input distributions (triangular "
            "between the sourced extremes, uniform exit prices and dates, every pay-in split "
            "equally likely), not odds given by any source."
        )
    return "\n".join(f"- {item}" for item in items)
