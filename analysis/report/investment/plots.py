"""Figures for the investment-return notebook: each function builds and returns a Figure.

No ``plt.show()``, no pyplot state and no global style change: the functions return
:class:`matplotlib.figure.Figure` objects (100 dpi) that the notebook displays. Every figure
has a title, axis labels with units and a source line at the bottom, whose text the caller
passes (from :func:`analysis.core.evidence.cite`). Ranges are drawn as whiskers from the low to
the high value; forecasts are hollow markers. Long titles are wrapped so that, drawn at the
figure's own size (the notebook saves figures without ``bbox_inches="tight"``), every title
and label lies inside the figure.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.plotting import new_figure, range_errors, wrap_title

__all__ = [
    "COMPANY_COLOURS",
    "capital_title",
    "plot_capital",
    "plot_cash_flows",
    "plot_distributions",
    "plot_exit_scenarios",
    "plot_tornado",
]

#: one colour per company, the same in every figure
COMPANY_COLOURS = {"cloudwatt": "#1f5fa8", "numergy": "#d62728", "ovhcloud": "#7f7f7f"}
_NAMES = {"cloudwatt": "Cloudwatt", "numergy": "Numergy", "ovhcloud": "OVHcloud"}
_ITEM_COLOURS = {"committed": "#c7d7ea", "paid_in": "#1f5fa8", "lost": "#d62728"}
_ITEM_LABELS = {"committed": "committed", "paid_in": "paid in", "lost": "lost (net losses)"}
_SCENARIO_COLOURS = {"zero": "#d62728", "book": "#1f5fa8", "range": "#e6a100"}


def plot_capital(capital: pd.DataFrame, *, source_note: str, title: str | None = None) -> Figure:
    """Capital committed, paid in and lost per company: bars at the central value, whiskers.

    ``capital`` is :func:`analysis.investment.model.capital`; for ``lost`` only the latest period
    per company is drawn (losses to end 2014). The default title gives the periods the
    paid-in and lost figures run to, read from ``capital["period"]`` (Cloudwatt's paid-in
    upper figure runs to January 2015: "to early 2015").
    """
    rows = capital.copy()
    rows["end"] = rows["period"].str[-4:]
    lost = rows["item"] == "lost"
    latest = rows.loc[lost].groupby("company_id")["end"].transform("max")
    rows = pd.concat([rows.loc[~lost], rows.loc[lost].loc[lambda f: f["end"] == latest]])
    companies = list(dict.fromkeys(rows["company_id"]))
    items = [i for i in _ITEM_LABELS if i in set(rows["item"])]
    fig, (ax,) = new_figure(source_note, (8.0, 4.6))
    width = 0.8 / len(items)
    x = np.arange(len(companies))
    for k, item in enumerate(items):
        part = rows.loc[rows["item"] == item].set_index("company_id").reindex(companies)
        pos = x + (k - (len(items) - 1) / 2) * width
        ax.bar(
            pos,
            part["central"],
            width,
            yerr=range_errors(part, "low", "central", "high"),
            capsize=4,
            color=_ITEM_COLOURS[item],
            label=_ITEM_LABELS[item],
        )
        for xi, value in zip(pos, part["central"], strict=True):
            if not np.isnan(value):
                ax.text(xi, value, f"{value:,.1f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [_NAMES.get(c, c) for c in companies])
    ax.set_xlabel("Company (all shareholders together)")
    ax.set_ylabel("Capital (M EUR, nominal)")
    ax.set_title(wrap_title(title or capital_title(rows)))
    ax.legend(loc="upper right", fontsize=8)
    ax.margins(y=0.15)
    return fig


_RANGE_WORDS = {
    "zero": "range over the input ranges",
    "book": "exit at book value: range over the input ranges",
    "range": "exit price from nothing to book value, over the input ranges",
}


def plot_cash_flows(
    flows: pd.DataFrame, *, source_note: str, title: str, exit_scenario: str | None = None
) -> Figure:
    """The investor's dated cash flows: pay-ins below zero, exit proceeds above, per company.

    ``flows`` is :func:`analysis.report.investment.results.flows_with_ranges` (central inputs, with
    the exit proceeds' range as whiskers). An exit that brings nothing back is a marker at
    0 (a bar of height 0 would be invisible); an exit that values a stake the investor kept
    (``is_valuation``) is a hatched, hollow bar, not a cash bar. The legend names the exit
    scenario the whiskers belong to, and only what is drawn.
    """
    fig, (ax,) = new_figure(source_note, (8.0, 4.4))
    frame = flows.assign(date=pd.to_datetime(flows["date"]))
    if "is_valuation" not in frame:
        frame["is_valuation"] = False
    companies = list(dict.fromkeys(frame["company_id"]))
    width = 40 / len(companies)
    scenario = f" (exit scenario '{exit_scenario}')" if exit_scenario else ""
    handles: dict[str, Any] = {}
    for k, cid in enumerate(companies):
        part = frame.loc[frame["company_id"] == cid]
        shift = pd.to_timedelta((k - (len(companies) - 1) / 2) * width, unit="D")
        x = part["date"] + shift
        colour = COMPANY_COLOURS.get(cid, "#444444")
        nothing = ((part["flow"] == "exit") & (part["amount_high_eur_m"] == 0.0)).to_numpy()
        kept = part["is_valuation"].astype(bool).to_numpy() & ~nothing
        cash = ~kept & ~nothing
        handles[_NAMES.get(cid, cid)] = ax.bar(
            x[cash], part.loc[cash, "amount_eur_m"], width=width, color=colour
        )
        if kept.any():
            handles["exit: valuation of a stake kept, not cash"] = ax.bar(
                x[kept],
                part.loc[kept, "amount_eur_m"],
                width=width,
                facecolor="white",
                edgecolor=colour,
                hatch="///",
            )
        if nothing.any():
            handles[f"exit: nothing came back{scenario}"] = ax.scatter(
                x[nothing], np.zeros(int(nothing.sum())), marker="X", s=90, color=colour, zorder=5
            )
        ranged = (part["amount_low_eur_m"] < part["amount_high_eur_m"]).to_numpy()
        if ranged.any():
            words = _RANGE_WORDS.get(exit_scenario or "", "range over the input ranges")
            handles[f"{words}{scenario}"] = ax.errorbar(
                x[ranged],
                part.loc[ranged, "amount_eur_m"],
                yerr=range_errors(
                    part.loc[ranged], "amount_low_eur_m", "amount_eur_m", "amount_high_eur_m"
                ),
                fmt="none",
                ecolor="#222222",
                capsize=4,
            )
    ax.axhline(0.0, color="#333333", linewidth=0.8)
    ax.set_xlabel("Date of the flow")
    ax.set_ylabel("Cash flow (M EUR)\npaid in < 0, came back > 0")
    ax.set_title(wrap_title(title))
    names = {_NAMES.get(c, c) for c in companies}
    order = sorted(handles, key=lambda label: label not in names)  # companies first
    ax.legend(
        [handles[k] for k in order],
        [textwrap.fill(k, 28) for k in order],
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    # Bars stick to 0, so margins alone would leave a zero exit's marker on the edge.
    low = min(0.0, float(frame["amount_low_eur_m"].min()))
    high = max(0.0, float(frame["amount_high_eur_m"].max()))
    pad = 0.12 * (high - low or 1.0)
    ax.set_ylim(low - pad, high + pad)
    return fig


def plot_exit_scenarios(
    results: pd.DataFrame, *, source_note: str, title: str, chosen: str | None = None
) -> Figure:
    """Money lost and IRR under each exit scenario: central bars, corner bounds as whiskers.

    ``results`` is :func:`analysis.investment.returns.exit_scenario_results`.
    """
    fig, (left, right) = new_figure(source_note, (9.0, 4.2), ncols=2)
    names = list(results["exit_scenario"])
    colours = [_SCENARIO_COLOURS.get(n, "#444444") for n in names]
    labels = [f"{n}\n(chosen)" if n == chosen else n for n in names]
    left.bar(
        labels,
        results["loss_central_eur_m"],
        yerr=range_errors(results, "loss_low_eur_m", "loss_central_eur_m", "loss_high_eur_m"),
        capsize=5,
        color=colours,
    )
    left.set_ylabel("Money lost (M EUR, nominal)")
    left.set_xlabel("Exit scenario")
    left.set_title("Money lost")
    irr = results[["irr_low_pct", "irr_central_pct", "irr_high_pct"]]
    right.bar(
        labels,
        irr["irr_central_pct"],
        yerr=range_errors(irr, "irr_low_pct", "irr_central_pct", "irr_high_pct"),
        capsize=5,
        color=colours,
    )
    right.set_ylim(-105, max(5.0, float(np.nanmax(irr.to_numpy())) + 5))
    right.axhline(0.0, color="#333333", linewidth=0.8)
    right.set_ylabel("IRR (% a year)")
    right.set_xlabel("Exit scenario")
    right.set_title("Internal rate of return")
    fig.suptitle(wrap_title(title, 90))
    return fig


def plot_distributions(
    scenarios: pd.DataFrame, summary: pd.DataFrame, *, source_note: str, title: str
) -> Figure:
    """Histograms of the money lost and the IRR over the scenarios, with 5/50/95 % marks.

    A metric that takes the same value in every scenario (the money lost under 'book' for
    one company, the IRR under 'zero') has no spread to draw: it is one vertical line and a
    marker at that value, labelled "constant", instead of a bar that would look like a range.
    """
    fig, axes = new_figure(source_note, (9.0, 4.2), ncols=2)
    panels = (
        ("loss_eur_m", 1.0, "Money lost (M EUR, nominal)", "#d62728", 1),
        ("irr", 100.0, "IRR (% a year)", "#1f5fa8", 1),
    )
    for ax, (metric, scale, xlabel, colour, digits) in zip(axes, panels, strict=True):
        values = scenarios[metric].to_numpy(dtype=float) * scale
        values = values[~np.isnan(values)]
        name = xlabel.split(" (")[0]
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Scenarios (count)")
        if not values.size:
            ax.text(0.5, 0.5, "undefined in every scenario", ha="center", transform=ax.transAxes)
            ax.set_title(f"{name}: undefined")
            continue
        low, high = float(values.min()), float(values.max())
        if f"{low:.{digits}f}" == f"{high:.{digits}f}":
            # every scenario gives the same value (to the shown digits): no spread to draw
            centre = float(np.median(values))
            ax.axvline(centre, color=colour, linewidth=2)
            ax.plot([centre], [values.size], marker="o", color=colour, markersize=8)
            ax.annotate(
                f"constant: {centre:,.{digits}f} in all {values.size:,} scenarios",
                (centre, values.size),
                textcoords="offset points",
                xytext=(0, 10),
                ha="center",
                fontsize=8,
            )
            ax.set_xlim(centre - max(1.0, abs(centre) * 0.1), centre + max(1.0, abs(centre) * 0.1))
            ax.set_ylim(0, values.size * 1.25)
            ax.set_title(f"{name}: constant")
            continue
        ax.hist(values, bins=60, color=colour, alpha=0.75)
        if summary.loc[metric, "n"]:
            for column, style in (("low", ":"), ("central", "-"), ("high", ":")):
                ax.axvline(summary.loc[metric, column] * scale, color="#222222", linestyle=style)
        ax.set_title(f"{name}: 5 %, median, 95 % marked")
    fig.suptitle(wrap_title(title, 90))
    return fig


def plot_tornado(
    tornado_loss: pd.DataFrame, tornado_irr: pd.DataFrame, *, source_note: str, title: str
) -> Figure:
    """Swing of the money lost and of the IRR when each uncertain input goes low -> high.

    Inputs with no effect on a metric are left out of its panel. Bars run from the metric at
    the input's low value to its value at the high one (every other input central).
    """
    fig, axes = new_figure(source_note, (10.0, 4.8), ncols=2)
    panels = (
        (tornado_loss, 1.0, "Money lost (M EUR)"),
        (tornado_irr, 100.0, "IRR (% a year)"),
    )
    for ax, (table, scale, xlabel) in zip(axes, panels, strict=True):
        moving = table.loc[table["swing"].fillna(0) > 1e-12].iloc[::-1]
        if moving.empty:
            ax.text(0.5, 0.5, "no uncertain input moves it", ha="center", transform=ax.transAxes)
            ax.set_yticks([])
        else:
            low = moving["metric_low"].to_numpy(dtype=float) * scale
            high = moving["metric_high"].to_numpy(dtype=float) * scale
            y = np.arange(len(moving))
            start = np.minimum(low, high)
            ax.barh(y, np.abs(high - low), left=start, color="#1f5fa8", alpha=0.8)
            ax.scatter(low, y, marker="|", s=300, color="#222222", zorder=4)
            centre = float(moving["metric_central"].iloc[0]) * scale
            ax.axvline(centre, color="#d62728", linestyle="--")
            ax.set_yticks(y, [textwrap.fill(str(v), 38) for v in moving["label"]], fontsize=7)
            ax.use_sticky_edges = False  # a bar ends where its input does, not at the edge
            ax.margins(x=0.06)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Uncertain input")
        ax.set_title(xlabel.split(" (")[0])
    fig.suptitle(
        f"{wrap_title(title, 100)}\nEach bar: one input from its low to its high value, the "
        "others central; | marks the low end; dashed line: every input central",
        fontsize=10,
    )
    return fig


_PART_OF_YEAR = ((4, "early"), (8, "mid"), (12, "late"))


def _period_end(text: str) -> tuple[int, int]:
    """The latest (year, month) a period text names; month 13 for a whole year.

    >>> _period_end("to 2015-01; 2012-2014"), _period_end("2012-2014")
    ((2015, 1), (2014, 13))
    """
    found = re.findall(r"(\d{4})(?:-(\d{2})(?!\d))?", str(text))
    return max((int(y), int(m) if m else 13) for y, m in found)


def capital_title(capital: pd.DataFrame) -> str:
    """The capital figure's title, with the period each drawn item runs to.

    >>> rows = pd.DataFrame({"item": ["committed", "paid_in", "paid_in", "lost"],
    ...     "period": ["2012", "to 2015-01", "2012-2014", "2012-2014"]})
    >>> capital_title(rows)
    'Capital committed, paid in (to early 2015) and lost (to end 2014)'
    """

    def until(item: str) -> str:
        periods = capital.loc[capital["item"] == item, "period"]
        if periods.empty:
            return ""
        year, month = max(_period_end(p) for p in periods)
        if month == 13:
            return f" (to end {year})"
        part = next(word for last, word in _PART_OF_YEAR if month <= last)
        return f" (to {part} {year})"

    return f"Capital committed, paid in{until('paid_in')} and lost{until('lost')}"
