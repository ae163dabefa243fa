"""Figures for the market-position notebook: each function builds and returns a Figure.

No ``plt.show()``, no pyplot state and no global style change: figures are
:class:`matplotlib.figure.Figure` objects the notebook displays (Jupyter renders a returned
Figure). Every figure has a title, axis labels with units and a source line at the bottom,
whose text the caller passes (usually from :func:`analysis.core.evidence.cite`).

Ranges are drawn as error bars (and bands between periods); a figure that is only a bound is
drawn with a caret: ``v`` for "at most", ``^`` for "at least"; forecasts are hollow. On time
axes of shares and concentration, a line joins only figures of the same kind of period
(years with years, quarters with quarters; each kind has its marker) that are at most a year
apart: a gap in the data stays a gap on the chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.market.sizes import MarketInputError, decimal_year, period_midyear
from analysis.report.plotting import new_figure, plain_log_ticks, range_errors, wrap_title

__all__ = [
    "MAX_GAP_YEARS",
    "ORIGIN_COLOURS",
    "PERIOD_MARKERS",
    "plot_concentration",
    "plot_growth_position",
    "plot_market_size",
    "plot_scale",
    "plot_shares",
]

#: colours of origin groups (by_origin) and of the rest of the market
ORIGIN_COLOURS = {
    "us": "#6a3d9a",
    "european": "#1f5fa8",
    "french": "#d62728",
    "other": "#e6a100",
    "unattributed": "#c7c7c7",
    "other_unknown": "#c7c7c7",
}
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*", "<", ">")
#: marker of each kind of period on time axes
PERIOD_MARKERS = {
    "year": "o",
    "quarter": "s",
    "half_year": "D",
    "year_partial": "d",
    "trailing_4q": "P",
    "multi_year": "X",
}
_PERIOD_WORDS = {
    "year": "year",
    "quarter": "quarter",
    "half_year": "half-year",
    "year_partial": "part of a year (not stated)",
    "trailing_4q": "four quarters",
    "multi_year": "several years",
}
#: figures further apart than this (in years) are not joined by a line
MAX_GAP_YEARS = 1.0
#: the rest of the market, drawn grey and dashed
_REST_IDS = ("other_unknown", "unattributed")


# --------------------------------------------------------------------------- helpers


def _add_milestones(
    ax: Axes, milestones: pd.DataFrame | None, xlim: tuple[float, float] | None = None
) -> None:
    """Dotted vertical lines with labels; with ``xlim``, only the milestones inside it."""
    if milestones is None or milestones.empty:
        return
    top = ax.get_ylim()[1]
    for date, label in zip(milestones["date"], milestones["label"], strict=True):
        x = decimal_year(date)
        if xlim is not None and not xlim[0] <= x <= xlim[1]:
            continue
        ax.axvline(x, color="#555555", linestyle=":", linewidth=0.9)
        ax.text(x, top, f" {label}", rotation=90, va="top", ha="right", fontsize=7, color="#333333")


def _unit(metric: str) -> str:
    units = {"size_eur_bn": "EUR bn", "size_usd_bn": "USD bn", "growth_pct": "% a year"}
    return units.get(metric, metric)


def _bound_markers(ax: Axes, x: np.ndarray, frame: pd.DataFrame, y: str, colour: str) -> None:
    """Carets on figures that are only bounds: v = at most, ^ = at least."""
    for flag, marker in (("open_low", "v"), ("open_high", "^")):
        if flag in frame.columns:
            mask = frame[flag].fillna(False).astype(bool).to_numpy()
            if mask.any():
                ax.scatter(x[mask], frame.loc[mask, y], marker=marker, s=60, color=colour, zorder=4)


def _segments(frame: pd.DataFrame, x_col: str = "_x") -> list[pd.DataFrame]:
    """Runs of figures a line may join: one kind of period, at most a year apart.

    ``frame`` is sorted by ``x_col``; returns the runs in order (a lone figure is a run).

    >>> f = pd.DataFrame({"_x": [2017.5, 2020.5, 2021.5, 2022.375, 2022.5],
    ...     "period_type": ["year", "year", "year", "quarter", "year"]})
    >>> [r["_x"].tolist() for r in _segments(f)]
    [[2017.5], [2020.5, 2021.5, 2022.5], [2022.375]]
    """
    runs: list[list[int]] = []
    last: dict[str, tuple[int, float]] = {}  # kind -> (run number, last x)
    kinds = frame["period_type"] if "period_type" in frame.columns else ["year"] * len(frame)
    for position, (x, kind) in enumerate(zip(frame[x_col], kinds, strict=True)):
        previous = last.get(kind)
        if previous is not None and float(x) - previous[1] <= MAX_GAP_YEARS + 1e-9:
            runs[previous[0]].append(position)
            last[kind] = (previous[0], float(x))
        else:
            runs.append([position])
            last[kind] = (len(runs) - 1, float(x))
    return [frame.iloc[run] for run in runs]


def _is_bound(frame: pd.DataFrame) -> np.ndarray:
    """Figures that are only a bound (one side open)."""
    flags = np.zeros(len(frame), dtype=bool)
    for col in ("open_low", "open_high"):
        if col in frame.columns:
            flags |= frame[col].fillna(False).astype(bool).to_numpy()
    return flags


def _period_legend(kinds: set[str]) -> list[Line2D]:
    return [
        Line2D(
            [],
            [],
            color="#555555",
            marker=PERIOD_MARKERS.get(k, "o"),
            linestyle="none",
            label=_PERIOD_WORDS.get(k, k),
        )
        for k in PERIOD_MARKERS
        if k in kinds
    ]


# --------------------------------------------------------------------------- figures


def plot_market_size(
    series: pd.DataFrame,
    *,
    title: str,
    source_note: str,
    labels: Mapping[str, str] | None = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Figure:
    """Market size by year with the range of sources as error bars, one line per market.

    Parameters
    ----------
    series : from :func:`analysis.market.sizes.size_series` (several markets may be concatenated,
        all in the same ``metric``): ``market_id``, ``metric``, ``year``, ``low``,
        ``central``, ``high``, optional ``is_forecast``, ``open_low``, ``open_high``.
    title, source_note : figure title and the source line printed at the bottom.
    labels : market id -> legend label.

    Returns
    -------
    Figure : one error-bar container per market; forecasts hollow, bounds as carets.
    """
    metrics = series["metric"].unique()
    if len(metrics) != 1:
        raise MarketInputError(f"one unit per chart: metrics {', '.join(map(str, metrics))}")
    fig, (ax,) = new_figure(source_note, figsize)
    labels = labels or {}
    for i, (market_id, rows) in enumerate(series.groupby("market_id", sort=True)):
        rows = rows.sort_values("year")
        colour = f"C{i}"
        x = rows["year"].to_numpy(dtype=float)
        forecast = (
            rows["is_forecast"].fillna(False).astype(bool).to_numpy()
            if "is_forecast" in rows.columns
            else np.zeros(len(rows), dtype=bool)
        )
        ax.errorbar(
            x,
            rows["central"],
            yerr=range_errors(rows, "low", "central", "high"),
            color=colour,
            marker="o",
            capsize=3,
            label=labels.get(market_id, market_id),
        )
        if forecast.any():
            ax.scatter(
                x[forecast],
                rows.loc[forecast, "central"],
                s=60,
                facecolors="white",
                edgecolors=colour,
                zorder=5,
                label=f"{labels.get(market_id, market_id)} (forecast)",
            )
        _bound_markers(ax, x, rows, "central", colour)
    ax.set_title(wrap_title(title))
    ax.set_xlabel("Year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"Market size ({_unit(str(metrics[0]))}, nominal)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return fig


def plot_shares(
    table: pd.DataFrame,
    *,
    title: str,
    source_note: str,
    group_col: str = "provider_id",
    labels: Mapping[str, str] | None = None,
    milestones: pd.DataFrame | None = None,
    highlight: Sequence[str] = (),
    xlim: tuple[float, float] | None = None,
    partial_col: str | None = None,
    figsize: tuple[float, float] = (9.0, 5.0),
) -> Figure:
    """Shares over time by provider (or origin group), with ranges and dated milestones.

    Parameters
    ----------
    table : from :func:`analysis.market.shares.shares_table` / ``with_other_unknown``
        (``group_col="provider_id"``) or ``by_origin`` (``group_col="origin_group"``):
        ``period``, ``period_type`` and the ``share_*_pct`` columns; optional ``open_low`` /
        ``open_high`` (the figure is only a bound).
    title, source_note : figure title and the source line printed at the bottom.
    group_col : the column naming each line.
    labels : id -> legend label.
    milestones : ``date``, ``label`` (e.g. Cloudwatt's shutdown, 2020-02-01): vertical lines.
    highlight : ids drawn thicker.
    xlim : the time axis (decimal years), e.g. the whole window asked for, so that years
        without figures show as gaps; default: the periods drawn.
    partial_col : a boolean column marking figures that cover only part of their group
        (e.g. an origin of which only some providers are named): drawn as hollow ``^``
        ("at least") markers, not joined to the line.

    Returns
    -------
    Figure : one error-bar container per run of figures a line may join (one kind of period,
        at most :data:`MAX_GAP_YEARS` apart; :data:`PERIOD_MARKERS` gives each kind its
        marker) and a band over each run of two or more; a figure that is only a bound is a
        caret (``v`` at most, ``^`` at least), never joined; the rest of the market
        (``other_unknown`` or ``unattributed``) is grey and dashed; one dotted line per
        milestone inside the axis. Periods sit at their midpoint (2021 at 2021.5, 2020-Q3 at
        2020.625). The legend has one entry per group, then the kinds of period and the
        bound markers shown.
    """
    fig, (ax,) = new_figure(source_note, figsize)
    labels = labels or {}
    work = table.copy()
    work["_x"] = [
        period_midyear(p, t) for p, t in zip(work["period"], work["period_type"], strict=True)
    ]
    handles: list[object] = []
    extra: dict[str, object] = {}
    kinds: set[str] = set()
    for i, (group, rows) in enumerate(work.groupby(group_col, sort=False)):
        rows = rows.sort_values("_x")
        rest = group in _REST_IDS
        colour = ORIGIN_COLOURS.get(group, f"C{i % 10}")
        width = 2.6 if group in highlight else 1.4
        style: Literal["--", "-"] = "--" if rest else "-"
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                linewidth=width,
                linestyle=style,
                label=labels.get(group, group),
            )
        )
        if partial_col is not None:
            partial = rows[partial_col].fillna(False).astype(bool).to_numpy()
            if partial.any():
                ax.scatter(
                    rows.loc[partial, "_x"],
                    rows.loc[partial, "share_central_pct"],
                    marker="^",
                    s=40,
                    facecolors="white",
                    edgecolors=colour,
                    zorder=4,
                )
                extra["partial"] = Line2D(
                    [],
                    [],
                    color="#555555",
                    marker="^",
                    markerfacecolor="white",
                    linestyle="none",
                    label="only some providers named (at least)",
                )
            rows = rows.loc[~partial]
        bound = _is_bound(rows)
        if bound.any():
            marked = rows.loc[bound]
            _bound_markers(
                ax, marked["_x"].to_numpy(dtype=float), marked, "share_central_pct", colour
            )
            for flag, marker, word in (
                ("open_low", "v", "at most"),
                ("open_high", "^", "at least"),
            ):
                if flag in marked.columns and marked[flag].fillna(False).astype(bool).any():
                    extra[flag] = Line2D(
                        [],
                        [],
                        color="#555555",
                        marker=marker,
                        linestyle="none",
                        label=f"{word} (the figure is a bound)",
                    )
        for run in _segments(rows.loc[~bound]):
            kind = str(run["period_type"].iloc[0]) if "period_type" in run.columns else "year"
            kinds.add(kind)
            x = run["_x"].to_numpy(dtype=float)
            ax.errorbar(
                x,
                run["share_central_pct"],
                yerr=range_errors(run, "share_low_pct", "share_central_pct", "share_high_pct"),
                color=colour,
                marker=PERIOD_MARKERS.get(kind, "o"),
                markersize=4,
                linewidth=width,
                linestyle=style,
                capsize=3,
            )
            if len(run) >= 2:
                ax.fill_between(
                    x,
                    run["share_low_pct"],
                    run["share_high_pct"],
                    color=colour,
                    alpha=0.15,
                    linewidth=0,
                )
    top = float(np.nanmax(work["share_high_pct"].to_numpy(dtype=float), initial=0.0))
    ax.set_ylim(0, min(100.0, max(10.0, top * 1.15)))
    if xlim is not None:
        ax.set_xlim(*xlim)
    _add_milestones(ax, milestones, xlim)
    ax.set_title(wrap_title(title))
    ax.set_xlabel("Year (each period at its midpoint)")
    ax.set_ylabel("Share of the market (%)")
    if len(kinds) > 1:
        handles += _period_legend(kinds)
    handles += list(extra.values())
    ax.legend(handles=handles, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def plot_concentration(
    conc: pd.DataFrame,
    *,
    title: str,
    source_note: str,
    hhi_thresholds: Mapping[str, float] | None = None,
    milestones: pd.DataFrame | None = None,
    xlim: tuple[float, float] | None = None,
    figsize: tuple[float, float] = (11.0, 4.5),
) -> Figure:
    """CR3 (left panel, %) and the HHI range (right panel, 0-10,000) by period.

    Parameters
    ----------
    conc : from :func:`analysis.market.concentration.concentration`.
    title, source_note : figure title and the source line printed at the bottom.
    hhi_thresholds : label -> HHI level drawn as a dashed line, e.g. a competition
        authority's "highly concentrated" threshold (the caller names its source).
    milestones, xlim : as in :func:`plot_shares`.

    Returns
    -------
    Figure : two panels side by side, each with its own scale (``fig.axes[0]`` CR3,
        ``fig.axes[1]`` HHI); the title is the figure's. CR3 is an error bar per run of
        periods (as in :func:`plot_shares`; a bare range where only a range is known); the
        HHI range is a band over each run of two or more periods and a bar for a lone
        period; where the highest HHI is only approached, never reached, the top of the bar
        is a hollow marker.
    """
    fig, (ax, hhi_ax) = new_figure(source_note, figsize, ncols=2)
    work = conc.copy()
    work["_x"] = [
        period_midyear(p, t) for p, t in zip(work["period"], work["period_type"], strict=True)
    ]
    work = work.sort_values("_x")
    x_all = work["_x"].to_numpy(dtype=float)
    known = work["cr3_central_pct"].notna().to_numpy()
    kinds: set[str] = set()
    for run in _segments(work.loc[known]):
        kinds.add(str(run["period_type"].iloc[0]))
        ax.errorbar(
            run["_x"].to_numpy(dtype=float),
            run["cr3_central_pct"],
            yerr=range_errors(run, "cr3_low_pct", "cr3_central_pct", "cr3_high_pct"),
            color="C0",
            marker=PERIOD_MARKERS.get(str(run["period_type"].iloc[0]), "o"),
            capsize=3,
        )
    handles: list[object] = [Line2D([], [], color="C0", marker="o", label="CR3 (three largest)")]
    ranged = ~known & work["cr3_low_pct"].notna().to_numpy()
    if ranged.any():
        ax.vlines(
            x_all[ranged],
            work.loc[ranged, "cr3_low_pct"],
            work.loc[ranged, "cr3_high_pct"],
            color="C0",
            linewidth=3,
            alpha=0.5,
        )
        handles.append(
            Line2D([], [], color="C0", linewidth=3, alpha=0.5, label="CR3 range (too few named)")
        )
    ax.set_ylim(0, 100)
    ax.set_ylabel("CR3: share of the three largest (%)")
    ax.set_title("CR3", fontsize=10)
    has_hhi = work["hhi_min"].notna().to_numpy()
    for run in _segments(work.loc[has_hhi]):
        kinds.add(str(run["period_type"].iloc[0]))
        x = run["_x"].to_numpy(dtype=float)
        if len(run) >= 2:
            hhi_ax.fill_between(
                x, run["hhi_min"], run["hhi_max"], color="C1", alpha=0.25, linewidth=0
            )
        else:
            hhi_ax.vlines(x, run["hhi_min"], run["hhi_max"], color="C1", linewidth=8, alpha=0.4)
    approached = (
        has_hhi
        & ~work.get("hhi_is_max_exact", pd.Series(True, index=work.index))
        .fillna(True)
        .astype(bool)
        .to_numpy()
    )
    hhi_handles: list[object] = [Patch(color="C1", alpha=0.3, label="HHI range")]
    if approached.any():
        hhi_ax.scatter(
            x_all[approached],
            work.loc[approached, "hhi_max"],
            marker="^",
            s=40,
            facecolors="white",
            edgecolors="C1",
            zorder=4,
        )
        hhi_handles.append(
            Line2D(
                [],
                [],
                color="C1",
                marker="^",
                markerfacecolor="white",
                linestyle="none",
                label="highest HHI only approached",
            )
        )
    for label, level in (hhi_thresholds or {}).items():
        hhi_ax.axhline(level, color="C1", linestyle="--", linewidth=0.8)
        hhi_ax.text(x_all.min() if len(x_all) else 0, level, f" {label}", va="bottom", fontsize=7)
    hhi_ax.set_ylim(0, 10_000)
    hhi_ax.set_ylabel("HHI (0-10,000)")
    hhi_ax.set_title("HHI: lowest to highest", fontsize=10)
    for axis in (ax, hhi_ax):
        if xlim is not None:
            axis.set_xlim(*xlim)
        _add_milestones(axis, milestones, xlim)
        axis.set_xlabel("Year (each period at its midpoint)")
    if len(kinds) > 1:
        handles += _period_legend(kinds)
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    hhi_ax.legend(handles=hhi_handles, fontsize=7, loc="upper right")
    fig.suptitle(wrap_title(title, 110))
    return fig


def plot_growth_position(
    frame: pd.DataFrame,
    *,
    title: str,
    source_note: str,
    labels: Mapping[str, str] | None = None,
    log_x: bool = True,
    figsize: tuple[float, float] = (7.5, 5.0),
) -> Figure:
    """Growth against relative share, one point per provider (a growth-share matrix).

    Parameters
    ----------
    frame : ``provider_id``, ``relative_share_central`` (ratio to the leader; optional
        ``relative_share_low``/``_high``) and ``cagr_central_pct`` (optional
        ``cagr_low_pct``/``cagr_high_pct``; optional ``market_cagr_central_pct`` drawn as a
        horizontal line): e.g. :func:`analysis.market.position.provider_growth` merged with
        :func:`analysis.market.position.relative_share` for the window's last period.
    title, source_note : figure title and the source line printed at the bottom.
    labels : provider id -> label next to its point.
    log_x : relative share on a log scale (shares span orders of magnitude).

    Returns
    -------
    Figure : one error-bar container per provider with both values; providers missing one
        are left out (their number is noted on the chart).
    """
    fig, (ax,) = new_figure(source_note, figsize)
    labels = labels or {}
    usable = frame.loc[frame["relative_share_central"].notna() & frame["cagr_central_pct"].notna()]
    for i, (_, row) in enumerate(usable.iterrows()):
        one = usable.loc[[row.name]]
        xerr = (
            range_errors(one, "relative_share_low", "relative_share_central", "relative_share_high")
            if "relative_share_low" in one.columns
            else None
        )
        yerr = (
            range_errors(one, "cagr_low_pct", "cagr_central_pct", "cagr_high_pct")
            if "cagr_low_pct" in one.columns
            else None
        )
        ax.errorbar(
            one["relative_share_central"],
            one["cagr_central_pct"],
            xerr=xerr,
            yerr=yerr,
            color=f"C{i % 10}",
            marker="o",
            capsize=3,
            linestyle="none",
        )
        pid = row["provider_id"]
        ax.annotate(
            labels.get(pid, pid),
            (row["relative_share_central"], row["cagr_central_pct"]),
            textcoords="offset points",
            xytext=(5, 5),
            fontsize=8,
        )
    if (
        "market_cagr_central_pct" in usable.columns
        and usable["market_cagr_central_pct"].notna().any()
    ):
        level = float(usable["market_cagr_central_pct"].dropna().iloc[0])
        ax.axhline(level, color="#555555", linestyle="--", linewidth=0.9)
        ax.text(
            0.99,
            level,
            "market growth ",
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="bottom",
            fontsize=7,
        )
    left_out = len(frame) - len(usable)
    if left_out:
        ax.text(
            0.99,
            0.01,
            f"{left_out} provider(s) without both figures not shown",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
        )
    if log_x and len(usable) and (usable["relative_share_central"] > 0).all():
        ax.set_xscale("log")
        plain_log_ticks(ax.xaxis)
    ax.set_title(wrap_title(title))
    ax.set_xlabel("Relative share (share / leader's share" + (", log scale)" if log_x else ")"))
    ax.set_ylabel("Revenue growth (% a year)")
    return fig


def plot_scale(
    scale: pd.DataFrame,
    *,
    title: str,
    source_note: str,
    labels: Mapping[str, str] | None = None,
    group_col: str = "company_id",
    style_col: str | None = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Figure:
    """Each company's revenue as a percentage of the market, by year, on a log scale.

    Parameters
    ----------
    scale : from :func:`analysis.market.scale.scale_table`: ``company_id``, ``year``,
        ``share_of_market_{low,central,high}_pct``.
    title, source_note : figure title and the source line printed at the bottom.
    labels : id -> legend label (for the values of ``group_col`` and ``style_col``).
    group_col : the column giving each line its colour (one per company by default).
    style_col : a column giving each line its marker (e.g. the market series), so that one
        company against several series reads as one colour with several markers.

    Returns
    -------
    Figure : one error-bar container per (group, style) with at least one figure; log
        y-axis; with ``style_col``, a legend of the colours and one of the markers.
    """
    fig, (ax,) = new_figure(source_note, figsize)
    labels = labels or {}
    usable = scale.loc[scale["share_of_market_central_pct"] > 0]
    groups = sorted(usable[group_col].unique())
    styles = sorted(usable[style_col].unique()) if style_col else [None]
    colour = {g: f"C{i % 10}" for i, g in enumerate(groups)}
    marker = {m: _MARKERS[i % len(_MARKERS)] for i, m in enumerate(styles)}
    keys = [group_col] if style_col is None else [group_col, style_col]
    for key, rows in usable.groupby(keys, sort=True):
        group, style = (key[0], None) if style_col is None else key
        rows = rows.sort_values("year")
        ax.errorbar(
            rows["year"].to_numpy(dtype=float),
            rows["share_of_market_central_pct"],
            yerr=range_errors(
                rows,
                "share_of_market_low_pct",
                "share_of_market_central_pct",
                "share_of_market_high_pct",
            ),
            color=colour[group],
            marker=marker[style],
            capsize=3,
            label=labels.get(group, group) if style_col is None else None,
        )
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(wrap_title(title))
    ax.set_xlabel("Year")
    ax.set_ylabel("Revenue as % of the market (log scale)")
    if len(usable) and style_col is None:
        ax.legend(fontsize=8)
    elif len(usable):
        handles = [
            Line2D([], [], color=colour[g], label=labels.get(str(g), str(g))) for g in groups
        ]
        handles += [
            Line2D(
                [],
                [],
                color="#555555",
                marker=marker[m],
                linestyle="none",
                label=labels.get(str(m), str(m)),
            )
            for m in styles
        ]
        ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
