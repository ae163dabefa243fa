"""Figures of revenue against the plans and of losses per euro of revenue.

Like :mod:`analysis.report.investment.plots`: each function builds and returns a
:class:`matplotlib.figure.Figure` with a title, axis labels with units and the source line the
caller passes; ranges are whiskers, forecasts hollow markers, doubtful years marked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.report.investment.plots import COMPANY_COLOURS
from analysis.report.plotting import new_figure, plain_log_ticks, range_errors, wrap_title

__all__ = ["plot_losses_per_revenue", "plot_revenue_vs_plan"]

_NAMES = {"cloudwatt": "Cloudwatt", "numergy": "Numergy", "ovhcloud": "OVHcloud"}
#: side-shift of each company's points (years), so that whiskers and targets never overlap
_OFFSETS = {"cloudwatt": -0.08, "numergy": 0.08}


def _runs(years: np.ndarray) -> list[np.ndarray]:
    """Indices of runs of consecutive years (a line is never drawn across a missing year).

    >>> [r.tolist() for r in _runs(np.array([2014, 2015, 2016, 2018, 2020, 2021]))]
    [[0, 1, 2], [3], [4, 5]]
    """
    if not len(years):
        return []
    breaks = np.flatnonzero(np.diff(years) != 1) + 1
    return np.split(np.arange(len(years)), breaks)


#: hollow markers of doubtful years: (flag, marker, legend label)
_DOUBTS = (
    ("mixed", "D", "fiscal and calendar figures mixed"),
    ("year", "s", "year unclear (inferred or 'c.')"),
)


def _doubt(row: pd.Series) -> str:
    """Why a year's revenue is doubtful: ``"year"`` (every figure's year inferred or
    approximate), ``"mixed"`` (fiscal and calendar figures mixed) or ``""``."""
    if bool(row.get("is_year_uncertain", False)):
        return "year"
    if str(row.get("year_basis", "")).startswith("mixed"):
        return "mixed"
    return ""


def plot_revenue_vs_plan(
    revenue: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    source_note: str,
    title: str = "Revenue against the plans, with OVHcloud beside them (log scale)",
) -> Figure:
    """Revenue by year (central, whiskers low-high) and the plan targets, on a log scale.

    ``revenue`` is :func:`analysis.investment.plan.revenue_by_year`; ``targets`` is
    :func:`analysis.investment.plan.plan_targets` (targets without a year are not drawn).
    Lines join consecutive years only (a missing year breaks the line). Forecast-only years
    are hollow circles; doubtful years are hollow squares (every figure's year inferred or
    approximate, such as OVH's "c. 2018" 600 M EUR) or hollow diamonds (fiscal and calendar
    figures mixed, such as OVH's 2016 with FY 320 and calendar 400). Whiskers, drawn on top,
    always show the range of the figures. Targets sit beside their year, on the side of their
    company's revenue points, so that they never hide a whisker.
    """
    fig, (ax,) = new_figure(source_note, (9.0, 5.0))
    for cid, part in revenue.groupby("company_id", sort=False):
        _draw_revenue(ax, str(cid), part)
    _draw_targets(ax, targets)
    ax.scatter([], [], marker="*", s=120, color="#444444", label="plan target (star)")
    ax.scatter([], [], s=50, facecolor="white", edgecolor="#444444", label="forecast only")
    for _, marker, label in _DOUBTS:
        ax.scatter([], [], marker=marker, s=50, facecolor="white", edgecolor="#444444", label=label)
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("Year (calendar; OVHcloud fiscal year ending 31 August)")
    ax.set_ylabel("Revenue (M EUR, nominal, log scale)")
    ax.set_title(wrap_title(title, 90))
    ax.legend(fontsize=8, loc="lower right")
    return fig


def _draw_revenue(ax: Axes, cid: str, part: pd.DataFrame) -> None:
    """One company's revenue: lines over consecutive years, whiskers, hollow doubtful years."""
    part = part.sort_values("fiscal_year")
    years = part["fiscal_year"].to_numpy(dtype=int)
    part = part.assign(fiscal_year=part["fiscal_year"] + _OFFSETS.get(cid, 0.0))
    colour = COMPANY_COLOURS.get(cid, "#444444")
    name = _NAMES.get(cid, cid)
    if cid == "ovhcloud":
        name += " (fiscal years to 31 Aug.)"
    for k, run in enumerate(_runs(years)):
        chunk = part.iloc[run]
        ax.plot(
            chunk["fiscal_year"],
            chunk["central"],
            color=colour,
            marker="o",
            label=name if k == 0 else None,
        )
    ax.errorbar(
        part["fiscal_year"],
        part["central"],
        yerr=range_errors(part, "low", "central", "high"),
        fmt="none",
        ecolor=colour,
        capsize=3,
        zorder=7,  # above the hollow markers: the range stays visible
    )
    forecast = part.loc[part["is_forecast"].astype(bool)]
    if not forecast.empty:
        ax.scatter(
            forecast["fiscal_year"],
            forecast["central"],
            s=60,
            facecolor="white",
            edgecolor=colour,
            zorder=5,
        )
    doubts = part.apply(_doubt, axis=1) if len(part) else pd.Series(dtype=str)
    for flag, marker, _ in _DOUBTS:
        chosen = part.loc[doubts == flag]
        if not chosen.empty:
            ax.scatter(
                chosen["fiscal_year"],
                chosen["central"],
                marker=marker,
                s=60,
                facecolor="white",
                edgecolor=colour,
                linewidth=1.5,
                zorder=6,
            )


def _draw_targets(ax: Axes, targets: pd.DataFrame) -> None:
    """The plan targets with a year: stars beside their year, labels stacked apart."""
    placed: dict[tuple[float, float], int] = {}
    for _, target in targets.iterrows():
        years = list(target["target_years"])
        if not years:
            continue
        cid = target["company_id"]
        colour = COMPANY_COLOURS.get(cid, "#444444")
        years = [y + 2 * _OFFSETS.get(cid, 0.0) for y in years]
        ax.scatter(
            years, [target["target_eur_m"]] * len(years), marker="*", s=160, color=colour, zorder=6
        )
        spot = (years[-1], target["target_eur_m"])
        stack = sum(1 for y, v in placed if abs(y - spot[0]) <= 1 and 0.7 < v / spot[1] < 1.4)
        placed[spot] = stack
        plan = str(target["plan"]).split(", ")[0]
        ax.annotate(
            f"{_NAMES.get(cid, cid)} {plan} target: {target['target_eur_m']:g} "
            f"({target['target_year_text']})",
            spot,
            textcoords="offset points",
            xytext=(8, 10 - 12 * stack),
            fontsize=7,
            color=colour,
        )


def plot_losses_per_revenue(cost: pd.DataFrame, *, source_note: str, title: str) -> Figure:
    """Net losses per euro of revenue, per company (log scale), with whiskers low-high.

    ``cost`` is :func:`analysis.investment.plan.losses_per_revenue`.
    """
    fig, (ax,) = new_figure(source_note, (8.0, 3.8))
    rows = cost.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(rows))
    for yi, (_, row) in zip(y, rows.iterrows(), strict=True):
        ax.errorbar(
            [row["losses_per_revenue_central_eur"]],
            [yi],
            xerr=range_errors(
                rows.iloc[[yi]],
                "losses_per_revenue_low_eur",
                "losses_per_revenue_central_eur",
                "losses_per_revenue_high_eur",
            ),
            fmt="o",
            markersize=8,
            capsize=5,
            color=COMPANY_COLOURS.get(row["company_id"], "#444444"),
        )
        ax.annotate(
            f"{row['losses_per_revenue_central_eur']:,.2f}",
            (row["losses_per_revenue_central_eur"], yi),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=8,
        )
    basis = rows["revenue_basis"] if "revenue_basis" in rows else ["total"] * len(rows)
    labels = [
        f"{_NAMES.get(c, c)}\n{p}" + ("\nexternal revenue" if b == "external" else "")
        for c, p, b in zip(rows["company_id"], rows["period"], basis, strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    ax.set_xlabel("Net losses per euro of revenue (EUR, log scale)")
    ax.set_ylabel("Company and period")
    ax.set_title(wrap_title(title))
    ax.margins(x=0.15)
    return fig
