"""The data-driven sentences of the investment notebook: the answer, the money, the returns.

Each function takes the :class:`~analysis.report.investment.results.InvestmentResults` and
returns a short Markdown string whose every number comes from its frames (with its range) and
whose sources are named by publisher. The prose that does not depend on the data (the
question, the definitions, the method, the caveats) lives in the notebook's Markdown cells.
:mod:`.story` holds the sentences of the later sections (revenue, losses, after the buyouts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.investment.holdings import COMPANY_NAMES
from analysis.report.blocks import fmt_number, upper_first
from analysis.report.investment.wording import format_span, publishers, spanner
from analysis.report.textsafe import md

if TYPE_CHECKING:
    from analysis.report.investment.results import InvestmentResults

__all__ = [
    "EXIT_WORDS",
    "answer",
    "capital_text",
    "distribution_text",
    "flows_text",
    "npv_text",
    "results_text",
    "run_text",
    "state_text",
    "tornado_text",
]

#: what each exit scenario means, in words
EXIT_WORDS = {
    "zero": "nothing came back",
    "book": "each stake sold at its share of the book equity",
    "range": "a price anywhere between nothing and the book value",
}


def _by_scenario(results: InvestmentResults, scenario: str) -> pd.Series:
    return results.exit_results.set_index("exit_scenario").loc[scenario]


def answer(results: InvestmentResults) -> str:
    """The answer first: committed, paid in, came back, lost, and the verdict, with ranges."""
    params = results.params
    row, book, zero = (_by_scenario(results, s) for s in (params.exit_scenario, "book", "zero"))
    span = spanner(row)
    back_word = (
        "was worth on paper (a valuation at the sellers' price, not cash)"
        if results.is_paper
        else "came back"
    )
    money = "public money" if params.investor == "state" else "money"
    share = row["loss_central_eur_m"] / row["paid_in_central_eur_m"] * 100.0
    best = book["loss_low_eur_m"] / book["paid_in_low_eur_m"] if book["paid_in_low_eur_m"] else 0
    summary = results.summary
    median = (
        f" (median of the scenarios {fmt_number(summary.loc['loss_eur_m', 'central'], 1)} M EUR)"
        if summary is not None and summary.loc["loss_eur_m", "n"]
        else ""
    )
    lines = [
        f"**The answer.** {upper_first(results.investor_name)} committed "
        f"{format_span(*results.committed, 1, 'M EUR')} to {results.companies_name} and paid "
        f"in {span('paid_in_{}_eur_m', 1, 'M EUR')}.",
        f"The exit prices were never disclosed: under the exit scenario "
        f"'{params.exit_scenario}' ({EXIT_WORDS[params.exit_scenario]}, at the equity left at "
        f"the exit date) {span('proceeds_{}_eur_m', 1, 'M EUR')} {back_word}.",
        f"So {span('loss_{}_eur_m', 1, 'M EUR')} was lost{median}, about {fmt_number(share, 0)} % "
        f"of what was paid in; even if every stake had been sold at its book value at the exit, "
        f"{spanner(book)('loss_{}_eur_m', 1, 'M EUR')} was lost, and with nothing back "
        f"{spanner(zero)('loss_{}_eur_m', 1, 'M EUR')}.",
        f"**Verdict:** {'most' if best > 0.5 else 'part'} of the {money} put in was lost even in "
        "the best case; the ranges come from disagreeing sources and named assumptions, listed "
        "below.",
    ]
    if params.investor == "all":
        lines.append(
            "For all shareholders together the buyouts moved money between shareholders and "
            "brought nothing back to the group: what came back is a paper value."
        )
    return " ".join(lines)


def run_text(results: InvestmentResults) -> str:
    """Whom this run follows, in which companies, under which scenario, rate and engine."""
    params = results.params
    engine = (
        f"draws {params.n_scenarios:,} scenarios of the uncertain inputs (seed {params.seed})"
        if params.n_scenarios
        else "does not draw scenarios (n_scenarios = 0): ranges are bounds only"
    )
    return (
        f"This run follows **{results.investor_name}** in **{results.companies_name}**. The "
        f"chosen exit scenario is **{params.exit_scenario}** ({EXIT_WORDS[params.exit_scenario]}); "
        f"the NPV is discounted at **{params.discount_rate:.1%}** a year (an assumption); the "
        f"engine {engine}."
    )


def _range_pct(low: float, high: float) -> str:
    if round(low) == round(high):
        return f"{low:.0f} %"
    return f"{low:.0f} % to {high:.0f} %"


def _capital_company(rows: pd.DataFrame, name: str, sources: pd.DataFrame) -> str:
    """One company's committed, paid-in and lost capital, with the shares between them."""
    committed = rows.loc[rows["item"] == "committed"].iloc[0]
    paid = rows.loc[rows["item"] == "paid_in"].iloc[0]
    lost_rows = rows.loc[rows["item"] == "lost"].sort_values("period")
    lost = lost_rows.iloc[-1]
    paid_text = (
        f"{fmt_number(paid['central'], 1)} M EUR"
        if paid["low"] == paid["high"]
        else f"{fmt_number(paid['low'], 1)} to {fmt_number(paid['high'], 1)} M EUR"
    )
    share = _range_pct(
        paid["low"] / committed["central"] * 100, paid["high"] / committed["central"] * 100
    )
    used = _range_pct(lost["low"] / paid["high"] * 100, lost["high"] / paid["low"] * 100)
    text = (
        f"**{name}**: the shareholders committed {fmt_number(committed['central'], 0)} M EUR "
        f"({publishers(committed['source_ids'], sources)}) and paid in {paid_text} "
        f"({md(paid['period'])}; {publishers(paid['source_ids'], sources)}), {share} of the "
        f"commitment. By the end of {lost['period'][-4:]} the company had lost "
        f"{format_span(lost['low'], lost['central'], lost['high'], 1, 'M EUR')} "
        f"({publishers(lost['source_ids'], sources)}), {used} of the capital paid in."
    )
    if len(lost_rows) > 1:
        early = lost_rows.iloc[0]
        bound = "at least " if early["open_high"] else ""
        text += (
            f" Losses over {early['period']} alone were {bound}{fmt_number(early['low'], 1)} "
            f"M EUR ({publishers(early['source_ids'], sources)})."
        )
    return text


def capital_text(results: InvestmentResults) -> str:
    """Per company: committed, paid in (share of the commitment), lost (share of paid-in)."""
    capital = results.capital
    return "\n\n".join(
        _capital_company(capital.loc[capital["company_id"] == cid], name, results.data.sources)
        for cid, name in COMPANY_NAMES.items()
        if cid in set(capital["company_id"])
    )


def _listed(rows: pd.DataFrame) -> str:
    items = []
    for _, r in rows.iterrows():
        bound = "" if r["bound"] == "as stated" else f"{r['bound']} "
        where = {"cloudwatt_numergy": "both clouds"}.get(
            r["company_id"], COMPANY_NAMES.get(r["company_id"], r["company_id"])
        )
        when = f", {md(r['period'])}" if str(r["period"]).startswith("to ") else ""
        items.append(
            f"{bound}{fmt_number(r['amount_eur_m'], 0)} for {where} ({md(r['publisher'])}{when})"
        )
    return "; ".join(dict.fromkeys(items))


def state_text(results: InvestmentResults) -> str:
    """The State's figures by kind, its two paid-in bases, and what this run uses."""
    state, by = results.state_money, results.state_bases.set_index("basis")

    def kind(prefix: str) -> pd.DataFrame:
        return state.loc[state["kind"].str.startswith(prefix)]

    def span(r: pd.Series) -> str:
        return format_span(r["low"], r["central"], r["high"], 1, "M EUR")

    pro = by.loc["pro_rata"]
    parts = [
        f"**Commitments** (planned, not cash): {_listed(kind('commitment'))}. **Stated as "
        f"received**: {_listed(kind('stated as received'))}. **Cash actually paid in**: "
        f"{_listed(kind('cash'))} (all M EUR)."
    ]
    if "own_cash" not in by.index:
        parts.append(
            f"Pro rata the State paid in {span(pro)} for both clouds to end 2014; no cash figure "
            "of the State's own is in the data."
        )
        return "\n\n".join(parts)
    own, used = by.loc["own_cash"], by.loc["used"]
    inside = own["low"] <= pro["low"] and pro["high"] <= own["high"]
    parts.append(
        f"*Pro rata*: {span(pro)} to end 2014. *The State's own cash figures*: {span(own)} "
        f"({md(own['period'])}), {'a range that contains' if inside else 'a range that misses'} "
        f"the pro-rata one; the gap at the top, {fmt_number(own['high'] - pro['high'], 1)} to "
        f"{fmt_number(own['high'] - pro['low'], 1)} M EUR, would be 2015 capital."
    )
    if results.model.paid_in_eur_m is not None:
        split = results.model.paid_in_split or {}
        shares = ", ".join(
            f"{COMPANY_NAMES[c]} {fmt_number(100 * v, 1)} %" for c, v in split.items()
        )
        parts.append(
            f"This run draws the State's paid-in over both clouds from {span(used)}; its share "
            f"of it is {shares}."
        )
    else:
        parts.append(
            f"This run follows {results.investor_name}; the State's figures are shown for context."
        )
    return "\n\n".join(parts)


def flows_text(results: InvestmentResults) -> str:
    """What the investor paid in, when, and what came back at each exit (central inputs)."""
    flows, params, valuation = results.flows, results.params, results.valuation
    pay = flows.loc[flows["flow"] == "pay_in"]
    back = flows.loc[flows["flow"] == "exit"]
    parts = []
    for _, r in back.iterrows():
        span = format_span(r["amount_low_eur_m"], r["amount_eur_m"], r["amount_high_eur_m"])
        cid = r["company_id"]
        how = "its stake sold for"
        if valuation.get(cid):
            how = "its stake valued at" if params.investor != "all" else "stakes sold or valued at"
        parts.append(f"{how} {span} M EUR in {COMPANY_NAMES[cid]} on {r['date'].date()}")
    ranged = (back["amount_low_eur_m"] < back["amount_high_eur_m"]).any()
    bracket = " (in brackets: the range over the input ranges)" if ranged else ""
    note = ""
    if results.is_paper:
        note = (
            " A buyer did not sell: its stake is valued at the sellers' price on the buyout date"
            " (a valuation, not cash)."
        )
    return (
        f"With every input at its central value, {results.investor_name} paid in "
        f"{fmt_number(-pay['amount_eur_m'].sum(), 1)} M EUR in {len(pay)} tranches from "
        f"{pay['date'].min().date()} to {pay['date'].max().date()} (equal tranches: the split "
        f"is an assumption), then had {'; '.join(parts)} under the exit scenario "
        f"'{params.exit_scenario}'{bracket}.{note}"
    )


def results_text(results: InvestmentResults) -> str:
    """One line per exit scenario: paid in, came back, lost, MOIC, IRR, NPV with ranges."""
    params = results.params
    rate = f"{params.discount_rate:.1%}"
    lines = []
    for _, r in results.exit_results.iterrows():
        span = spanner(r)
        chosen = " (the chosen scenario)" if r["exit_scenario"] == params.exit_scenario else ""
        irr = (
            "-100 % (nothing came back)"
            if r["irr_status_central"] == "total_loss" and r["irr_high_pct"] == -100.0
            else span("irr_{}_pct", 1, "% a year")
        )
        lines.append(
            f"- **{r['exit_scenario']}**{chosen}, {EXIT_WORDS[r['exit_scenario']]}: out of "
            f"{span('paid_in_{}_eur_m', 1, 'M EUR')} paid in, "
            f"{span('proceeds_{}_eur_m', 1, 'M EUR')} came back, "
            f"so {span('loss_{}_eur_m', 1, 'M EUR')} was lost; MOIC "
            f"{span('moic_{}_x', 2)}, IRR {irr}, NPV at {rate} {span('npv_{}_eur_m', 1, 'M EUR')}."
        )
    zero, book = (_by_scenario(results, s) for s in ("zero", "book"))
    lines.append(
        f"\nEven at book value the money lost is {spanner(book)('loss_{}_eur_m', 1, 'M EUR')}; "
        f"with nothing back it is {spanner(zero)('loss_{}_eur_m', 1, 'M EUR')}."
    )
    return "\n".join(lines)


def npv_text(results: InvestmentResults) -> str:
    """The NPV at the lowest and highest rate of the table, central inputs."""
    table = results.npv_rates
    first, last = table.iloc[0], table.iloc[-1]
    sign = (
        " It stays negative at every rate of the table, bounds included."
        if (table["npv_high_eur_m"] < 0).all()
        else ""
    )
    return (
        f"This run discounts at {results.params.discount_rate:.1%} a year. With central inputs "
        f"the NPV goes from {fmt_number(first['npv_central_eur_m'], 1)} M EUR at "
        f"{fmt_number(first['discount_rate_pct'], 0)} % to "
        f"{fmt_number(last['npv_central_eur_m'], 1)} M EUR at "
        f"{fmt_number(last['discount_rate_pct'], 0)} % a year.{sign}"
    )


def _spread(name: str, row: pd.Series, unit: str, scale: float, n: int) -> str:
    """One metric over the scenarios: constant, or its 5th-95th percentile range, labelled."""
    if not row["n"]:
        return f"{name} is undefined in every scenario"
    undefined = n - int(row["n"])
    also = f"; undefined in {undefined:,} scenarios" if undefined else ""

    def num(v: float) -> str:
        return fmt_number(v * scale, 1)

    if num(row["min"]) == num(row["max"]):
        return (
            f"{name} is {num(row['central'])}{unit} in every scenario: it does not vary "
            f"under this exit scenario{also}"
        )
    return (
        f"in 90 % of the scenarios (5th to 95th percentile) {name} lies between "
        f"{num(row['low'])}{unit} and {num(row['high'])}{unit} "
        f"(median {num(row['central'])}{unit}{also})"
    )


def distribution_text(results: InvestmentResults) -> str:
    """The money lost and the IRR over the scenarios: constant, or their 90 % range."""
    params, summary = results.params, results.summary
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
        f"'{params.exit_scenario}': {loss}; {irr}."
    )


def _top(table: pd.DataFrame, unit: str, scale: float) -> str | None:
    moving = table.loc[table["swing"] > 1e-12]
    if moving.empty:
        return None
    r = moving.iloc[0]
    return (
        f"**{r['label']}** ({fmt_number(r['metric_low'] * scale, 1)} to "
        f"{fmt_number(r['metric_high'] * scale, 1)} {unit} as it goes from {r['low_value']} to "
        f"{r['high_value']})"
    )


def tornado_text(results: InvestmentResults) -> str:
    """The input that moves the money lost most, the one that moves the IRR most."""
    loss, irr = results.tornado_loss, results.tornado_irr
    loss_top, irr_top = _top(loss, "M EUR", 1.0), _top(irr, "%", 100.0)
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
