"""Market figures: each returns a titled, labelled, sourced Figure and leaves pyplot alone."""

from __future__ import annotations

import io
import itertools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from analysis.market.sizes import MarketInputError
from analysis.report.market.plots import (
    plot_concentration,
    plot_growth_position,
    plot_market_size,
    plot_scale,
    plot_shares,
)

SOURCE = "Sources: Markess by Exaegis via L'Usine Digitale (2022-05); Silicon.fr (2023-07)"


@pytest.fixture
def no_pyplot_leak():
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before  # figures are built without pyplot


def _check(fig: Figure, title: str, ylabel_part: str) -> None:
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == title
    assert ax.get_xlabel()
    assert ylabel_part in ax.get_ylabel()
    assert any(SOURCE[:20] in t.get_text() for t in fig.texts)  # the source line
    fig.savefig(io.BytesIO(), format="png")  # draws without error
    plt.close(fig)


def test_market_size(no_pyplot_leak) -> None:
    series = pd.DataFrame(
        {
            "market_id": ["fr", "fr", "fr", "eu"],
            "metric": "size_eur_bn",
            "year": [2019, 2021, 2025, 2024],
            "low": [10.0, 15.0, 25.0, 61.0],
            "central": [10.0, 15.5, 26.0, 61.0],
            "high": [10.0, 16.0, 27.0, 61.0],
            "open_high": [True, False, False, False],  # 2019: "more than 10 bn"
            "is_forecast": [False, False, True, False],  # 2025: forecast, hollow
        }
    )
    fig = plot_market_size(series, title="Cloud market size", source_note=SOURCE)
    ax = fig.axes[0]
    assert len(ax.containers) == 2  # one error-bar line per market
    assert "EUR bn" in ax.get_ylabel()
    assert len(ax.collections) >= 2  # the forecast ring and the "at least" caret
    _check(fig, "Cloud market size", "EUR bn")


def test_market_size_refuses_mixed_currencies() -> None:
    series = pd.DataFrame(
        {
            "market_id": ["fr", "w"],
            "metric": ["size_eur_bn", "size_usd_bn"],
            "year": [2021] * 2,
            "low": [1.0, 2.0],
            "central": [1.0, 2.0],
            "high": [1.0, 2.0],
        }
    )
    with pytest.raises(MarketInputError, match="one unit per chart"):
        plot_market_size(series, title="t", source_note=SOURCE)


def _shares() -> pd.DataFrame:
    # Synergy's Europe figures: years and quarters, a bound, gaps (nothing in 2018-2019, 2023)
    rows = [
        ("2017", "year", "european_providers", 26.0, 27.0, 29.0, False),
        ("2020-Q3", "quarter", "european_providers", 16.0, 16.0, 16.0, True),  # "under 16 %"
        ("2021", "year", "european_providers", 16.0, 16.0, 16.0, False),
        ("2022-Q2", "quarter", "european_providers", 13.0, 13.0, 13.0, False),
        ("2022", "year", "european_providers", 15.0, 15.0, 15.0, False),
        ("2024", "year", "european_providers", 15.0, 15.0, 15.0, False),
        ("2020-Q3", "quarter", "us_big3", 66.0, 66.0, 66.0, False),
        ("2021", "year", "us_big3", 69.0, 69.0, 69.0, False),
        ("2022", "year", "us_big3", 70.0, 71.0, 72.0, False),
        ("2021", "year", "other_unknown", 15.0, 15.0, 15.0, False),  # the rest of the market
        ("2022", "year", "other_unknown", 13.0, 14.0, 15.0, False),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["period", "period_type", "provider_id", *SHARES, "open_low"],
    )
    return frame.assign(open_high=False)


SHARES = ["share_low_pct", "share_central_pct", "share_high_pct"]


def _lines(ax) -> list[list[float]]:
    """The x positions joined by each error-bar line, in drawing order."""
    return [c.lines[0].get_xdata().tolist() for c in ax.containers]


def test_shares_break_lines_at_gaps_and_between_kinds_of_period(no_pyplot_leak) -> None:
    fig = plot_shares(_shares(), title="Europe", source_note=SOURCE, highlight=["ovhcloud"])
    ax = fig.axes[0]
    lines = _lines(ax)
    # European providers: 2017 alone (nothing in 2018-2019), 2021 and 2022 joined (a year
    # apart), 2024 alone (nothing in 2023); the 2022-Q2 quarter is never joined to a year;
    # "under 16 %" (2020-Q3) is a caret, not a point on a line
    assert [2017.5] in lines and [2021.5, 2022.5] in lines and [2024.5] in lines
    assert [2022.375] in lines
    for xs in lines:
        assert all(b - a <= 1.0 for a, b in itertools.pairwise(xs)), xs
    assert not any(2020.625 in xs for xs in lines[:4])
    carets = [c for c in ax.collections if not isinstance(c, PolyCollection)]
    (caret,) = [c for c in carets if c.get_offsets().data.tolist() == [[2020.625, 16.0]]]
    assert caret.get_paths()  # drawn as a marker of its own
    # a quarter and a year are drawn with different markers
    markers = {tuple(c.lines[0].get_xdata()): c.lines[0].get_marker() for c in ax.containers}
    assert markers[(2022.375,)] == "s" and markers[(2017.5,)] == "o"
    # the rest of the market: grey and dashed, with its band
    rest = [c for c in ax.containers if c.lines[0].get_linestyle() == "--"]
    assert [c.lines[0].get_xdata().tolist() for c in rest] == [[2021.5, 2022.5]]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3  # European 2021-2022, big three 2021-2022, the rest 2021-2022
    labels = [t.get_text() for t in ax.legend_.get_texts()]
    assert labels[:3] == ["european_providers", "us_big3", "other_unknown"]
    assert {"year", "quarter", "at most (the figure is a bound)"} <= set(labels)
    _check(fig, "Europe", "%")


def test_shares_with_milestones(no_pyplot_leak) -> None:
    milestones = pd.DataFrame(
        {
            "date": ["2015-03-20", "2020-02-01", "2021"],
            "label": ["Orange buys out", "shutdown", "IPO"],
        }
    )
    fig = plot_shares(
        _shares(),
        title="Europe",
        source_note=SOURCE,
        milestones=milestones,
        highlight=["european_providers"],
    )
    ax = fig.axes[0]
    vertical = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(vertical) == 3  # one per milestone
    assert vertical[0].get_xdata()[0] == pytest.approx(2015 + 78 / 365)  # 20 March 2015
    widths = {c.lines[0].get_linewidth() for c in ax.containers[:4]}
    assert widths == {2.6}  # the highlighted group is drawn thicker
    _check(fig, "Europe", "%")


def test_shares_window_and_partial_figures(no_pyplot_leak) -> None:
    table = _shares().assign(
        # 2020-Q3: only some US providers named, a lower bound drawn apart from the line
        is_partial=lambda f: (f["provider_id"] == "us_big3") & (f["period"] == "2020-Q3")
    )
    milestones = pd.DataFrame(
        {"date": ["2012-10-02", "2030"], "label": ["launch", "outside the window"]}
    )
    fig = plot_shares(
        table,
        title="Europe",
        source_note=SOURCE,
        milestones=milestones,
        xlim=(2012, 2026),
        partial_col="is_partial",
    )
    ax = fig.axes[0]
    assert ax.get_xlim() == (2012.0, 2026.0)
    assert len([line for line in ax.lines if line.get_linestyle() == ":"]) == 1  # 2030 left out
    assert not any(2020.625 in xs for xs in _lines(ax))  # the partial figure is not joined
    assert [2021.5, 2022.5] in _lines(ax)  # the big three's complete figures are
    labels = [t.get_text() for t in ax.legend_.get_texts()]
    assert "only some providers named (at least)" in labels
    _check(fig, "Europe", "%")


def test_shares_by_origin_single_period(no_pyplot_leak) -> None:
    origins = pd.DataFrame(
        {
            "period": ["2021"] * 3,
            "period_type": "year",
            "origin_group": ["us", "european", "unattributed"],
            "share_low_pct": [69.0, 16.0, 15.0],
            "share_central_pct": [69.0, 16.0, 15.0],
            "share_high_pct": [69.0, 16.0, 15.0],
        }
    )
    fig = plot_shares(
        origins,
        title="By origin",
        source_note=SOURCE,
        group_col="origin_group",
        labels={"us": "US providers (the big three only: at least)"},
    )
    ax = fig.axes[0]
    assert len(ax.containers) == 3
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]  # no band, 1 period
    assert ax.legend_.get_texts()[0].get_text() == "US providers (the big three only: at least)"
    assert ax.containers[2].lines[0].get_linestyle() == "--"  # the unattributed rest
    _check(fig, "By origin", "%")


def test_concentration(no_pyplot_leak) -> None:
    conc = pd.DataFrame(
        {
            "period": ["2021", "2022", "2023", "2025"],
            "period_type": "year",
            "cr3_low_pct": [71.0, 70.0, 60.0, 70.0],
            "cr3_central_pct": [71.0, 71.0, math.nan, 70.0],  # 2023: only a range known
            "cr3_high_pct": [71.0, 72.0, 90.0, 70.0],
            "hhi_min": [2469.0, 2400.0, 2000.0, 1633.0],
            "hhi_max": [2686.0, 2700.0, 5000.0, 4900.0],
            "hhi_is_max_exact": [True, True, True, False],  # 2025: only approached
        }
    )
    fig = plot_concentration(
        conc, title="France", source_note=SOURCE, hhi_thresholds={"threshold (example)": 2500}
    )
    cr3_ax, hhi_ax = fig.axes
    # two panels side by side, each with its own scale: not two y-axes on one plot
    assert cr3_ax.get_position().x1 < hhi_ax.get_position().x0
    assert fig.get_suptitle() == "France"
    # 2021-2022 joined; 2025 alone (2024 has no figure)
    assert _lines(cr3_ax) == [[2021.5, 2022.5], [2025.5]]
    ranges = [c for c in cr3_ax.collections if list(c.get_linewidths()) == [3.0]]
    assert len(ranges) == 1  # the 2023 range-only bar
    assert len([c for c in hhi_ax.collections if isinstance(c, PolyCollection)]) == 1  # band
    approached = [
        c for c in hhi_ax.collections if c.get_offsets().data.tolist() == [[2025.5, 4900.0]]
    ]
    assert len(approached) == 1  # the top only approached: a hollow caret
    assert hhi_ax.get_ylabel() == "HHI (0-10,000)"
    assert hhi_ax.get_ylim() == (0.0, 10_000.0)
    assert len(hhi_ax.lines) == 1  # the threshold line
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_growth_position(no_pyplot_leak) -> None:
    frame = pd.DataFrame(
        {
            "provider_id": ["aws", "microsoft", "ovhcloud"],
            "relative_share_low": [1.0, 0.39, 0.02],
            "relative_share_central": [1.0, 0.4, math.nan],  # OVHcloud: no share -> left out
            "relative_share_high": [1.0, 0.41, 0.06],
            "cagr_low_pct": [60.0, 80.0, 10.0],
            "cagr_central_pct": [71.0, 93.0, 12.0],
            "cagr_high_pct": [80.0, 100.0, 14.0],
            "market_cagr_central_pct": [35.0, 35.0, 35.0],  # the market's published growth
        }
    )
    fig = plot_growth_position(frame, title="Growth and position", source_note=SOURCE)
    ax = fig.axes[0]
    assert len(ax.containers) == 2
    assert ax.get_xscale() == "log"
    assert len(ax.lines) >= 1 and ax.lines[-1].get_ydata()[0] == pytest.approx(35.0)
    assert any("1 provider(s)" in t.get_text() for t in ax.texts)
    _check(fig, "Growth and position", "% a year")


def test_scale(no_pyplot_leak) -> None:
    scale = pd.DataFrame(
        {
            "company_id": ["cloudwatt", "numergy", "numergy", "ovhcloud"],
            "year": [2014, 2014, 2015, 2021],
            "share_of_market_low_pct": [0.05, 0.1, 0.3, 5.0],
            "share_of_market_central_pct": [0.13, 0.3, 0.35, 6.0],
            "share_of_market_high_pct": [0.2, 0.4, 0.4, 7.0],
        }
    )
    fig = plot_scale(scale, title="Scale", source_note=SOURCE)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.containers) == 3
    _check(fig, "Scale", "% of the market")
    # one line per company and market: the group column decides
    lines = scale.assign(line=["a", "b", "c", "c"])
    fig = plot_scale(lines, title="Scale", source_note=SOURCE, group_col="line")
    assert [t.get_text() for t in fig.axes[0].legend_.get_texts()] == ["a", "b", "c"]
    _check(fig, "Scale", "% of the market")
    # colour by company, marker by market series: one legend entry per company and per series
    by_series = scale.assign(market_id=["fr_iaas", "fr_iaas", "fr_total", "fr_total"])
    fig = plot_scale(
        by_series,
        title="Scale",
        source_note=SOURCE,
        style_col="market_id",
        labels={"fr_total": "French cloud market"},
    )
    ax = fig.axes[0]
    assert len(ax.containers) == 4  # (cloudwatt, iaas), (numergy, iaas), (numergy, total), ...
    assert [t.get_text() for t in ax.legend_.get_texts()] == [
        "cloudwatt",
        "numergy",
        "ovhcloud",
        "fr_iaas",
        "French cloud market",
    ]
    markers = {c.lines[0].get_marker() for c in ax.containers}
    assert len(markers) == 2  # one marker per series
    _check(fig, "Scale", "% of the market")


def test_long_titles_wrap_and_concentration_takes_milestones(no_pyplot_leak) -> None:
    conc = pd.DataFrame(
        {
            "period": ["2021", "2022"],
            "period_type": "year",
            "cr3_low_pct": [71.0, 70.0],
            "cr3_central_pct": [71.0, 71.0],
            "cr3_high_pct": [71.0, 72.0],
            "hhi_min": [2469.0, 2400.0],
            "hhi_max": [2686.0, 2700.0],
        }
    )
    title = (
        "A title far longer than a hundred and ten characters, which would run past the two "
        "panels of the concentration figure"
    )
    fig = plot_concentration(
        conc,
        title=title,
        source_note=SOURCE,
        milestones=pd.DataFrame({"date": ["2021-05-17"], "label": ["policy"]}),
        xlim=(2012, 2026),
    )
    ax = fig.axes[0]
    suptitle = fig.get_suptitle()
    assert "\n" in suptitle and suptitle.replace("\n", " ") == title
    assert len([line for line in ax.lines if line.get_linestyle() == ":"]) == 1
    assert ax.get_xlim() == (2012.0, 2026.0)
    plt.close(fig)
