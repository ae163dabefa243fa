"""Figures of the investment-return notebook, on small literal frames.

Each test checks what a reader relies on: the title, axis labels with units, the source line,
how many bars / points / whiskers are drawn, and the scale. Figures are plain
matplotlib Figures (no pyplot state), cleared at the end of each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analysis.data.io import load_dataset
from analysis.params import InvestmentParams
from analysis.report.investment import figures as report_figures_module
from analysis.report.investment import plots as pr
from analysis.report.investment import plots_revenue as prv
from analysis.report.investment.analyse import analyse_investment as analyse
from analysis.report.plotting import new_figure

NOTE = "Sources: BFM Business (c. 2015-05); La Tribune (2015-01-12)"


@pytest.fixture
def figures():
    made: list[Figure] = []
    yield made
    for fig in made:
        fig.clear()


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def source_line(fig: Figure) -> str:
    return fig.texts[0].get_text()


def whisker_segments(ax) -> int:
    return sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))


def test_capital_bars_with_whiskers(figures) -> None:
    capital = pd.DataFrame(
        {
            "company_id": ["cloudwatt"] * 4 + ["numergy"] * 2,
            "item": ["committed", "paid_in", "lost", "lost", "committed", "paid_in"],
            "period": [
                "2012",
                "to 2015-01; 2012-2014",  # La Tribune's upper figure runs to January 2015
                "2012-2013",
                "2012-2014",
                "2012",
                "2012-2014",
            ],
            "low": [225.0, 100.0, 31.0, 67.3, 225.0, 56.0],
            "central": [225.0, 100.0, 31.0, 67.3, 225.0, 56.0],
            "high": [225.0, 112.5, 31.0, 67.3, 225.0, 56.0],
        }
    )  # row 3 (2012-2013 losses) is an earlier period: not drawn; Numergy has no "lost" row
    fig = pr.plot_capital(capital, source_note=NOTE)
    figures.append(fig)
    (ax,) = fig.axes
    # Paid-in runs to January 2015 (not "2012-2014"); the losses drawn run to end 2014.
    assert ax.get_title() == "Capital committed, paid in (to early 2015) and lost (to end 2014)"
    assert ax.get_ylabel() == "Capital (M EUR, nominal)"
    assert source_line(fig) == NOTE
    heights = sorted(round(b.get_height(), 1) for b in bars(ax) if not np.isnan(b.get_height()))
    assert heights == [56.0, 67.3, 100.0, 225.0, 225.0]  # 3 items x 2 companies, one missing
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Cloudwatt", "Numergy"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "committed",
        "paid in",
        "lost (net losses)",
    ]


def legend_texts(ax) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]


def test_cash_flows_show_pay_ins_below_zero_and_exit_ranges(figures) -> None:
    flows = pd.DataFrame(
        {
            "company_id": ["cloudwatt", "cloudwatt", "numergy", "numergy"],
            "flow": ["pay_in", "exit", "pay_in", "exit"],
            "date": pd.to_datetime(["2012-09-06", "2015-03-20", "2012-09-01", "2016-03-31"]),
            "amount_eur_m": [-33.3, 5.4, -18.5, 2.5],
            "amount_low_eur_m": [-33.3, 0.0, -18.5, 2.5],  # Numergy's exit: no range
            "amount_high_eur_m": [-33.3, 15.1, -18.5, 2.5],
            "is_valuation": [False, False, False, False],
        }
    )
    fig = pr.plot_cash_flows(
        flows, source_note=NOTE, title="The State's cash flows", exit_scenario="range"
    )
    figures.append(fig)
    (ax,) = fig.axes
    assert ax.get_title() == "The State's cash flows"
    assert "M EUR" in ax.get_ylabel() and "paid in < 0" in ax.get_ylabel()
    assert ax.get_xlabel() == "Date of the flow"
    heights = sorted(round(b.get_height(), 1) for b in bars(ax))
    assert heights == [-33.3, -18.5, 2.5, 5.4]
    assert whisker_segments(ax) == 1  # only Cloudwatt's exit has a range
    assert source_line(fig) == NOTE
    # The whiskers are named by the scenario they come from; nothing else is in the legend.
    assert legend_texts(ax) == [
        "Cloudwatt",
        "Numergy",
        "exit price from nothing to book value, over the input ranges (exit scenario 'range')",
    ]


def test_cash_flows_zero_exit_is_a_marker_and_valuations_are_not_cash(figures) -> None:
    flows = pd.DataFrame(
        {
            "company_id": ["cloudwatt", "cloudwatt", "numergy", "numergy"],
            "flow": ["pay_in", "exit", "pay_in", "exit"],
            "date": pd.to_datetime(["2012-09-06", "2015-03-20", "2012-09-01", "2016-03-31"]),
            "amount_eur_m": [-44.4, 0.0, -26.3, 7.0],
            "amount_low_eur_m": [-44.4, 0.0, -26.3, 7.0],
            "amount_high_eur_m": [-44.4, 0.0, -26.3, 7.0],
            # row 1: nothing came back (a bar of height 0 would be invisible);
            # row 3: a buyer's stake valued at the buyout, not cash
            "is_valuation": [False, True, False, True],
        }
    )
    fig = pr.plot_cash_flows(flows, source_note=NOTE, title="T", exit_scenario="zero")
    figures.append(fig)
    (ax,) = fig.axes
    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(markers) == 1
    assert markers[0].get_offsets()[:, 1].tolist() == [0.0]  # the zero exit, at 0
    low, high = ax.get_ylim()
    assert low < -44.4 and high > 0.0  # the marker is not on the edge of the axes
    hatched = [b for b in bars(ax) if b.get_hatch()]
    assert [round(b.get_height(), 1) for b in hatched] == [7.0]
    assert legend_texts(ax) == [
        "Cloudwatt",
        "Numergy",
        "exit: nothing came back (exit scenario 'zero')",
        "exit: valuation of a stake kept, not cash",
    ]
    assert not any("range" in t for t in legend_texts(ax))  # no whisker, no range entry


def results_frame() -> pd.DataFrame:
    rows = {
        "exit_scenario": ["zero", "book", "range"],
        "loss_low_eur_m": [51.8, 36.0, 36.0],
        "loss_central_eur_m": [51.8, 36.0, 43.9],
        "loss_high_eur_m": [55.9, 36.0, 55.9],
        "irr_low_pct": [-100.0, -68.0, -100.0],
        "irr_central_pct": [-100.0, -47.0, -64.0],
        "irr_high_pct": [-100.0, -30.0, -30.0],
    }
    return pd.DataFrame(rows)


def test_exit_scenarios_two_panels(figures) -> None:
    fig = pr.plot_exit_scenarios(results_frame(), source_note=NOTE, title="T", chosen="range")
    figures.append(fig)
    left, right = fig.axes
    assert left.get_ylabel() == "Money lost (M EUR, nominal)"
    assert right.get_ylabel() == "IRR (% a year)"
    assert [round(b.get_height(), 1) for b in bars(left)] == [51.8, 36.0, 43.9]
    assert [round(b.get_height(), 1) for b in bars(right)] == [-100.0, -47.0, -64.0]
    assert [t.get_text() for t in left.get_xticklabels()][-1] == "range\n(chosen)"
    assert fig.get_suptitle() == "T"


def test_distributions_mark_the_percentiles(figures) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"loss_eur_m": rng.uniform(40, 50, 500), "irr": rng.uniform(-0.8, -0.4, 500)}
    )
    summary = pd.DataFrame(
        {"n": [500, 500], "low": [40.5, -0.78], "central": [45.0, -0.6], "high": [49.5, -0.42]},
        index=["loss_eur_m", "irr"],
    )
    fig = pr.plot_distributions(frame, summary, source_note=NOTE, title="Scenarios")
    figures.append(fig)
    left, right = fig.axes
    assert left.get_xlabel() == "Money lost (M EUR, nominal)"
    assert right.get_xlabel() == "IRR (% a year)"
    assert left.get_ylabel() == "Scenarios (count)"
    assert len(bars(left)) == 60
    marks = sorted(round(line.get_xdata()[0], 1) for line in right.get_lines())
    assert marks == [-78.0, -60.0, -42.0]  # 5 %, median, 95 % in percent


def test_distributions_of_a_constant_draw_say_constant(figures) -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"loss_eur_m": np.full(50, 14.9), "irr": rng.uniform(-0.7, -0.4, 50)})
    summary = pd.DataFrame(
        {"n": [50, 50], "low": [14.9, -0.68], "central": [14.9, -0.55], "high": [14.9, -0.42]},
        index=["loss_eur_m", "irr"],
    )
    fig = pr.plot_distributions(frame, summary, source_note=NOTE, title="Constant")
    figures.append(fig)
    left, right = fig.axes
    # No bar (one from 14.4 to 15.4 would look like a spread): one line at the value.
    assert bars(left) == []
    assert [line.get_xdata()[0] for line in left.get_lines()] == [14.9, 14.9]
    assert left.get_title() == "Money lost: constant"
    assert left.texts[0].get_text() == "constant: 14.9 in all 50 scenarios"
    # The varying metric is still a histogram with its percentiles.
    assert len(bars(right)) == 60
    assert right.get_title() == "IRR: 5 %, median, 95 % marked"


def test_tornado_leaves_out_inputs_without_effect(figures) -> None:
    loss = pd.DataFrame(
        {
            "label": ["exit price", "paid-in", "revenue"],
            "metric_low": [49.3, 43.9, 43.9],
            "metric_high": [38.4, 46.0, 43.9],
            "metric_central": [43.9, 43.9, 43.9],
            "swing": [10.9, 2.1, 0.0],  # revenue moves nothing: not drawn
        }
    )
    irr = loss.iloc[:0]  # nothing moves the IRR
    fig = pr.plot_tornado(loss, irr, source_note=NOTE, title="What moves it")
    figures.append(fig)
    left, right = fig.axes
    assert len(bars(left)) == 2
    assert [t.get_text() for t in left.get_yticklabels()] == ["paid-in", "exit price"]
    assert left.get_xlabel() == "Money lost (M EUR)"
    assert right.texts[0].get_text() == "no uncertain input moves it"
    assert fig.get_suptitle().startswith("What moves it\n")


def test_revenue_against_plans_on_a_log_scale(figures) -> None:
    revenue = pd.DataFrame(
        {
            "company_id": ["cloudwatt", "cloudwatt", "numergy", "ovhcloud"],
            "fiscal_year": [2013, 2014, 2015, 2025],
            "low": [0.1, 1.0, 6.0, 1080.0],
            "central": [0.1, 2.0, 6.0, 1082.3],
            "high": [0.1, 6.0, 6.0, 1084.6],
            "is_forecast": [False, False, True, False],  # Numergy 2015: forecast, hollow
        }
    )
    ovh = pd.DataFrame(
        {
            "company_id": ["ovhcloud"] * 5,
            "fiscal_year": [2015, 2016, 2018, 2020, 2021],
            "low": [250.0, 320.0, 600.0, 632.0, 655.0],
            "central": [252.0, 320.0, 600.0, 632.0, 663.0],
            "high": [254.0, 400.0, 600.0, 632.0, 663.0],
            "is_forecast": [False] * 5,
            "is_year_uncertain": [False, False, True, False, False],  # "c. 2018": hollow square
            "year_basis": ["calendar year", "mixed: fiscal (to 31 August) and calendar"]
            + ["calendar year"] * 3,  # 2016: FY 320 and calendar 400, hollow diamond
        }
    )
    revenue = pd.concat([revenue.iloc[:3], ovh], ignore_index=True)
    targets = pd.DataFrame(
        {
            "company_id": ["cloudwatt", "numergy", "numergy"],
            "plan": ["launch", "launch", "launch"],
            "target_eur_m": [500.0, 400.0, 137.0],
            "target_years": [(2017,), (2016, 2017), ()],  # no year: not drawn
            "target_year_text": ["2017", "2016 or 2017", "no year given"],
        }
    )
    fig = prv.plot_revenue_vs_plan(revenue, targets, source_note=NOTE)
    figures.append(fig)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "Revenue (M EUR, nominal, log scale)"
    assert "31 August" in ax.get_xlabel()
    stars = [
        c
        for c in ax.collections
        if isinstance(c, PathCollection) and len(c.get_offsets()) and c.get_sizes()[0] == 160
    ]
    assert sum(len(c.get_offsets()) for c in stars) == 3  # 2017; 2016 and 2017
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "OVHcloud (fiscal years to 31 Aug.)" in labels
    assert len(ax.texts) == 2  # one label per drawn target
    # OVH's line is broken at the missing years 2017 and 2019: 2015-2016, 2018, 2020-2021.
    ovh_lines = [
        line for line in ax.get_lines() if line.get_color() == pr.COMPANY_COLOURS["ovhcloud"]
    ]
    assert [list(line.get_xdata()) for line in ovh_lines] == [[2015, 2016], [2018], [2020, 2021]]
    # Doubtful points are hollow: a diamond at 2016 (bases mixed), a square at 2018.
    hollow = {
        tuple(c.get_offsets()[0]): c
        for c in ax.collections
        if isinstance(c, PathCollection)
        and len(c.get_offsets()) == 1
        and c.get_sizes()[0] == 60
        and tuple(c.get_facecolor()[0]) == (1.0, 1.0, 1.0, 1.0)
    }
    assert {(2016.0, 320.0), (2018.0, 600.0)} <= set(hollow)
    assert "fiscal and calendar figures mixed" in labels
    assert "year unclear (inferred or 'c.')" in labels
    # The 320-400 range of 2016 is still drawn (a whisker above the hollow marker).
    assert any(
        np.allclose(seg[:, 1], [320.0, 400.0])
        for c in ax.collections
        if isinstance(c, LineCollection)
        for seg in c.get_segments()
    )


def test_losses_per_revenue_log_points(figures) -> None:
    cost = pd.DataFrame(
        {
            "company_id": ["cloudwatt", "numergy", "ovhcloud"],
            "period": ["2012-2014", "2012-2014", "FY2020-FY2021"],
            "losses_per_revenue_low_eur": [11.0, 5.1, 0.033],
            "losses_per_revenue_central_eur": [32.1, 5.9, 0.033],
            "losses_per_revenue_high_eur": [61.3, 10.3, 0.033],
        }
    )
    fig = prv.plot_losses_per_revenue(cost, source_note=NOTE, title="Cost")
    figures.append(fig)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "Net losses per euro of revenue (EUR, log scale)"
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "OVHcloud\nFY2020-FY2021",
        "Numergy\n2012-2014",
        "Cloudwatt\n2012-2014",
    ]
    assert [t.get_text() for t in ax.texts] == ["0.03", "5.90", "32.10"]


def texts_outside(fig: Figure) -> list[str]:
    """Titles, labels, annotations, legends and the source line that spill out of the figure,
    once drawn at the figure's own size (as the notebook saves it: no tight bounding box)."""
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    artists = [*fig.texts]
    if fig._suptitle is not None:
        artists.append(fig._suptitle)
    for ax in fig.axes:
        artists += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            artists.append(ax.get_legend())
    box = fig.bbox
    out = []
    for artist in artists:
        extent = artist.get_window_extent(renderer)
        if extent.width == 0:
            continue
        inside = (
            extent.x0 >= box.x0 - 0.5
            and extent.y0 >= box.y0 - 0.5
            and extent.x1 <= box.x1 + 0.5
            and extent.y1 <= box.y1 + 0.5
        )
        if not inside:
            out.append(getattr(artist, "get_text", lambda: "legend")())
    return out


@pytest.mark.slow  # draws every figure of three whole reports
@pytest.mark.parametrize(
    ("company", "investor", "exit_scenario"),
    [("both", "state", "range"), ("cloudwatt", "thales", "book"), ("numergy", "sfr", "zero")],
)
def test_report_figures_fit_inside_the_figure(figures, company, investor, exit_scenario) -> None:
    report = analyse(
        load_dataset(),
        InvestmentParams.from_values(
            company=company, investor=investor, exit_scenario=exit_scenario, n_scenarios=300
        ),
    )
    made = {k: f for k, f in report_figures_module.report_figures(report).items() if f is not None}
    figures.extend(made.values())
    for name, fig in made.items():
        assert texts_outside(fig) == [], name
    if investor == "state":
        # Only the first letter is raised: "The State (through the Caisse des Dépôts)".
        assert (
            made["results"]
            .get_suptitle()
            .startswith("The State (through the Caisse des Dépôts) in")
        )


def test_an_unwrapped_long_title_would_be_caught(figures) -> None:
    fig, (ax,) = new_figure(NOTE, (8.0, 4.0))
    figures.append(fig)
    ax.set_title("A title far too long for its figure " * 4)
    assert texts_outside(fig) != []


@pytest.mark.slow  # the whole analysis and its figures, twice
@pytest.mark.parametrize("n_scenarios", [0, 500])
def test_report_figures_from_a_real_run(figures, n_scenarios: int) -> None:
    report = analyse(
        load_dataset(), InvestmentParams.from_values(company="numergy", n_scenarios=n_scenarios)
    )
    made = report_figures_module.report_figures(report)
    shown = [f for f in made.values() if f is not None]
    figures.extend(shown)
    assert (made["distribution"] is None) == (n_scenarios == 0)
    assert len(shown) == 6 + (n_scenarios > 0)
    for fig in shown:
        assert source_line(fig).startswith("Sources: ")
        assert fig.dpi == 100
        titles = [ax.get_title() for ax in fig.axes] + [fig.get_suptitle()]
        assert any(titles)
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel()


def test_no_pyplot_state_is_touched() -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = pr.plot_exit_scenarios(results_frame(), source_note=NOTE, title="T")
    assert plt.get_fignums() == before
    fig.clear()
