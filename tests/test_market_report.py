"""The market-position notebook's content (analysis.report.market.page) on the committed data.

Expected figures are read in data/ by hand (the CSV rows named in each comment) and worked
out on paper; the sentences are checked for what they must say, not word for word.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis.core.evidence import RULES
from analysis.data.io import load_dataset
from analysis.market.columns import SHARE_COLUMNS
from analysis.params import MarketParams
from analysis.report.blocks import (
    Section,
    SectionBuilder,
    figure_png,
    figure_text,
    fmt_number,
    fmt_points,
    fmt_range,
    join_words,
    year_spans,
)
from analysis.report.market import page as mr
from analysis.report.market.context import market_context
from analysis.report.market.sentences import european_sentence
from analysis.report.market.summary import summary_facts
from analysis.report.textsafe import md


def _steps(name: str, *steps):
    """A section as the notebook shows it: its steps (sentence, table, figure) in order, each
    shown when it has something (an empty table, an empty sentence or no figure is skipped)."""

    def build(res) -> Section:
        out = SectionBuilder()
        for step in steps:
            value = step(res)
            if isinstance(value, str):
                if value:
                    out.md(value)
            elif isinstance(value, pd.DataFrame):
                if not value.empty:
                    out.table(value)
            elif value is not None:
                out.figure(value)
        return out.build()

    build.__name__ = name
    return build


definitions_section = _steps(
    "definitions_section",
    mr.series_sentences,
    mr.series_table,
    mr.group_sentences,
    mr.milestone_table,
)
size_section = _steps(
    "size_section",
    lambda res: mr.size_chart(res, "EUR"),
    lambda res: mr.size_chart(res, "USD"),
    mr.size_sentences,
    mr.cagr_table,
    mr.check_table,
    mr.conflict_table,
    mr.other_size_table,
)
shares_section = _steps(
    "shares_section",
    mr.shares_chart,
    mr.shares_sentences,
    mr.period_table,
    mr.release_table,
    mr.not_added_table,
    mr.highlight_sentences,
    mr.other_series_table,
)
concentration_section = _steps(
    "concentration_section",
    mr.concentration_chart,
    mr.concentration_sentences,
    mr.concentration_table,
)
scale_section = _steps(
    "scale_section", mr.scale_chart, mr.scale_sentences, mr.scale_comparison_table
)
caveats_section = _steps("caveats_section", mr.caveat_sentences, mr.disagreement_table)

SECTIONS = [
    mr.answer_section,
    mr.overview_section,
    definitions_section,
    size_section,
    shares_section,
    concentration_section,
    mr.growth_section,
    scale_section,
    mr.gaps_section,
    caveats_section,
    mr.state_section,
    mr.sources_section,
]


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def params(**values) -> MarketParams:
    return MarketParams.from_values(**values)


# --------------------------------------------------------------------------- wording


@pytest.mark.parametrize(
    ("value", "text"),
    [(1633.333, "1,633"), (27.0, "27"), (65.75, "65.8"), (1.43, "1.43"), (0.01818, "0.018")],
)
def test_fmt_number(value: float, text: str) -> None:
    assert fmt_number(value) == text


def test_fmt_range_points_and_lists() -> None:
    assert fmt_range(26, 27, 29) == "27 % (26 to 29)"
    assert fmt_range(70, 70, 70) == "70 %"
    assert fmt_range(23, 23, 23, open_high=True) == "at least 23 %"
    assert fmt_range(2.7, 2.7, 2.7, open_low=True) == "at most 2.7 %"
    assert fmt_points(-14, -12, -11) == "-12 points (-14 to -11)"
    assert fmt_points(1, 1, 1) == "+1 points"
    assert join_words(["a", "", "b", "c"]) == "a, b and c"
    assert year_spans([2016, 2012, 2013, 2014, 2020, 2021]) == "2012-2014, 2016 and 2020-2021"
    assert year_spans([]) == ""


def test_show_displays_markdown_html_tables_and_png(monkeypatch) -> None:
    import IPython.display

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    fig = Figure()
    fig.add_subplot().plot([1, 2])
    out = SectionBuilder()
    out.md("Some *text*.")
    out.table(pd.DataFrame({"a": [1]}))
    out.figure(fig)
    out.cite(["s1;s2", ("s2", "s3"), None])
    section = out.build()
    assert section.source_ids == ("s1", "s2", "s3")
    mr.show(section)
    assert isinstance(shown[0], IPython.display.Markdown)
    assert set(shown[1]) == {"text/html", "text/plain"}  # a raw mime bundle
    assert isinstance(shown[2], IPython.display.Image) and shown[2].format == "png"
    assert shown[2].data[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- key numbers


def test_key_numbers_europe(ds) -> None:
    kn = mr.key_numbers(mr.analyse_market(ds, params()))
    n, notes = kn.values, kn.notes
    # the headline numbers first, marked for the run index; no growth rate that mixes
    # releases or rests on a bound among them
    assert list(n)[:5] == [
        "big3_share_pct",
        "european_share_latest_pct",
        "european_share_change_pp",
        "market_growth_latest_pct",
        "cr3_pct",
    ]
    assert list(kn.headline) == list(n)[:4]
    # the analyst's latest published rate: 41 % over 2021-Q3 to 2022-Q2 (Capacity, one
    # release); the 31 % of 2020 is a forecast and not used
    assert n["market_growth_latest_pct"] == 41.0
    assert n["market_growth_period"] == "2021-Q3/2022-Q2 (trailing 4q)"
    assert n["share_series"] == "eu_cloud_synergy"
    # market_shares.csv: us_big3 70 % in 2024 (Synergy release of 2025)
    assert (n["big3_period"], n["big3_share_pct"]) == ("2024", 70.0)
    # European providers in the 2025 release: 29 % (2017) and 15 % (2024): -14 points; the
    # 2024 figure against the 2017 figure of each release: 15 - 29 = -14 to 15 - 26 = -11
    assert n["european_periods"] == "2017 to 2024"
    assert (n["european_share_first_pct"], n["european_share_latest_pct"]) == (29.0, 15.0)
    assert n["european_share_change_pp"] == -14.0
    assert (n["european_share_change_low_pp"], n["european_share_change_high_pp"]) == (-14, -11)
    assert "Synergy release of 2025" in notes["european_share_change_pp"]
    # no company named: CR3 is the big-three figure; HHI from 3 x (70/3)^2 (equal members)
    # to 70^2, approached as one member takes nearly all of the 70 % (the 15 % of European
    # providers and the other 15 % then shrink to tiny firms)
    assert n["concentration_period"] == "2024 (group-level)"
    assert n["cr3_pct"] == 70.0
    assert n["hhi_min_points"] == pytest.approx(70**2 / 3)
    assert n["hhi_max_points"] == pytest.approx(4900.0)
    # 23 bn EUR (2020, a forecast and a lower bound, CRN UK c. 2020-12) to 61 bn EUR (2024,
    # the 2025 release): at most (61/23)^(1/4) - 1 = 27.6 % a year, across two releases
    assert n["market_cagr_years"] == "2020-2024"
    assert n["market_cagr_pct"] == pytest.approx(((61 / 23) ** (1 / 4) - 1) * 100)
    assert n["market_cagr_high_pct"] == n["market_cagr_pct"]
    assert n["market_cagr_low_pct"] is None  # "at most": no lower end
    assert "upper bound" in notes["market_cagr_low_pct"]
    assert n["market_cagr_is_same_release"] is False
    assert "different releases" in notes["market_cagr_pct"]
    # its label says both: it mixes releases and is only a bound
    assert "mixes two releases" in kn.labels["market_cagr_pct"]
    assert "an upper bound" in kn.labels["market_cagr_pct"]
    # OVHcloud's revenue is earned in all countries: no European series can contain it
    assert n["ovhcloud_revenue_of_market_pct"] is None
    assert "beyond Europe" in notes["ovhcloud_revenue_of_market_pct"]


def test_key_numbers_france(ds) -> None:
    fr = mr.key_numbers(mr.analyse_market(ds, params(market="france")))
    n = fr.values
    # 2022 (Silicon.fr): group figure 70, members 45 + 18 + 8 = 71: the published 70 is the
    # central value, 71 the high end (not a 70.5 no source gives)
    assert [n["big3_share_low_pct"], n["big3_share_pct"], n["big3_share_high_pct"]] == [
        70,
        70,
        71,
    ]
    assert n["european_share_change_pp"] is None  # no European provider named in France
    assert "European" in fr.notes["european_share_change_pp"]
    # CR3 2022: the group figure 70, its members' 71 the high end; HHI 2022 from the
    # members: 45^2 + 18^2 + 8^2 = 2413; the max adds the other 29 % in firms of at most 8 %
    # (8 + 8 + 8 + 5)
    assert (n["cr3_low_pct"], n["cr3_pct"], n["cr3_high_pct"]) == (70.0, 70.0, 71.0)
    assert (n["hhi_min_points"], n["hhi_max_points"]) == (2413.0, 2413 + 3 * 64 + 25)
    # fr_iaas_paas_markess: 1.4 (2020) and 2.5 bn EUR (2022), one Silicon.fr page:
    # (2.5 / 1.4) ** 0.5 - 1 = 33.6 % a year; 1.43 (2021, an earlier article) is not used
    assert n["market_cagr_years"] == "2020-2022"
    assert n["market_cagr_pct"] == pytest.approx(((2.5 / 1.4) ** 0.5 - 1) * 100)
    assert n["market_cagr_is_same_release"] is True
    assert n["market_cagr_low_pct"] == n["market_cagr_high_pct"] == n["market_cagr_pct"]
    # OVHcloud's revenue in France, fiscal 2021, 343 M EUR (Next INpact), against the
    # Markess total cloud market of 2021, 16 bn EUR (LeMagIT)
    assert n["ovhcloud_revenue_of_market_pct"] == pytest.approx(343 / 16_000 * 100)
    assert n["ovhcloud_scale_basis"] == "fiscal 2021 revenue in France vs fr_cloud_markess"


def test_key_numbers_worldwide(ds) -> None:
    ww = mr.key_numbers(mr.analyse_market(ds, params(market="worldwide")))
    n = ww.values
    # 2025-Q4 in the infrastructure series: members 28 + 21 + 14 or 15 = 63 to 64 (central
    # 28 + 21 + 14.5); the 68 % relayed as "infrastructure" (CRN) and "public cloud"
    # (Lightwave) is of unclear definition and kept apart, so CR3 and the big three's share
    # are one series, one definition, one period
    assert n["concentration_period"] == "2025-Q4 (provider-level)"
    assert (n["cr3_low_pct"], n["cr3_pct"], n["cr3_high_pct"]) == (63.0, 63.5, 64.0)
    assert n["big3_period"] == "2025-Q4"
    assert (n["big3_share_low_pct"], n["big3_share_pct"], n["big3_share_high_pct"]) == (
        63,
        63.5,
        64,
    )
    # Synergy's own 2025-Q4 growth on the same quarter of 2024 (CRN): the first growth figure
    assert n["market_growth_latest_pct"] == 30.0
    assert list(ww.headline) == ["big3_share_pct", "market_growth_latest_pct", "cr3_pct"]
    assert n["ovhcloud_revenue_of_market_pct"] is None
    assert "USD" in ww.notes["ovhcloud_revenue_of_market_pct"]
    # Synergy 129 (2020, HHT Group) to 419 bn USD (2025, TechTarget): two releases
    assert n["market_cagr_years"] == "2020-2025"
    assert n["market_cagr_pct"] == pytest.approx(((419 / 129) ** (1 / 5) - 1) * 100)
    assert n["market_cagr_is_same_release"] is False
    assert "mixes two releases" in ww.labels["market_cagr_pct"]


# --------------------------------------------------------------------------- sections


def test_milestones_of_the_bet_are_found_with_sources(ds) -> None:
    res = mr.analyse_market(ds, params())
    table = mr.milestone_table(res)
    assert table["Date"].tolist() == [
        "2012-09",  # Numergy created
        "2012-10-02",  # Cloudwatt launch event
        "2015-03-20",  # Orange's buyout completed (value row, not the worded January/summer)
        "2016",  # SFR's buyout of Numergy
        "2020-02-01",  # Cloudwatt switched off
        "2021-05-17",  # the 'cloud de confiance' strategy
    ]
    assert table["Dates in the sources"].tolist()[2] == 3
    cited = set(res.ctx.milestones["source_id"])
    assert {"nextinpact-18843", "viepublique-280312", "businessnow-2657"} <= cited


def test_window_without_shares_says_so_and_draws_nothing(ds) -> None:
    p = params(market="france", start_year=2012, end_year=2013)
    shares = shares_section(mr.analyse_market(ds, p))
    assert shares.figures == []
    assert "No share figure for the French cloud market falls in 2012-2013" in shares.text
    assert "2014 and 2021-2022" in shares.text  # where the figures are
    for section in (concentration_section, mr.growth_section):
        built = section(mr.analyse_market(ds, p))
        assert built.figures == [] and "2012-2013" in built.text
    numbers = mr.key_numbers(mr.analyse_market(ds, p)).values
    assert numbers["share_series"] is None and numbers["cr3_pct"] is None


def test_window_without_sizes_says_so(ds) -> None:
    section = size_section(
        mr.analyse_market(ds, params(market="europe", start_year=2015, end_year=2018))
    )
    assert section.figures == []
    assert "No annual market size for the European cloud market falls in 2015-2018" in (
        section.text
    )


def test_highlighted_providers_without_data_are_noted(ds) -> None:
    p = params(market="europe", highlight=["cloudwatt", "ovhcloud", "aws", "european_providers"])
    text = shares_section(mr.analyse_market(ds, p)).text
    assert "Cloudwatt: no share figure in any European series." in text
    # OVHcloud: only the unattributed series ("about 2 %", 2021 and c. 2025)
    assert re.search(
        r"OVHcloud \(OVH\): no figure in the reference series; in other European", text
    )
    assert "Amazon (AWS): no figure in the reference series" not in text
    assert (
        "Amazon (AWS): no share figure in any European series (figures exist for: france and "
        "worldwide); it is inside the figures of Amazon, Microsoft and Google" in text
    )
    assert "European cloud providers: 6 figure(s) in the reference series" in text


def test_origin_view_marks_periods_without_the_big_three(ds) -> None:
    section = shares_section(mr.analyse_market(ds, params(market="worldwide", group_by="origin")))
    (fig,) = section.figures
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    # worldwide the US origin adds the US providers the sources name: a lower bound
    assert "US providers (named providers only: at least)" in labels
    assert "only some providers named (at least)" in labels
    assert "Other / unknown (not attributed to an origin)" in labels


def test_origin_view_in_europe_labels_the_big_three_a_lower_bound(ds) -> None:
    section = shares_section(mr.analyse_market(ds, params(market="europe", group_by="origin")))
    (fig,) = section.figures
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    # Synergy gives the big three, never every US provider
    assert "US providers (the big three only: at least)" in labels
    table = section.tables[0]
    # 2020-Q3: European providers "under 16 %", so the rest is at least 84 %
    row = table.loc[table["Period"] == "2020-Q3"].iloc[0]
    assert row["European providers (French included)"] == "at most 16"
    assert row["Other / unknown (not attributed to an origin)"] == "at least 84"
    # 2024: 70 (big three, named only) + 15 (European providers) + 15 (the rest)
    row = table.loc[table["Period"] == "2024"].iloc[0]
    assert row["US providers"] == "70 (named only: at least)"
    assert row["Other / unknown (not attributed to an origin)"] == "15"


def test_the_rest_of_the_market_is_drawn_and_tabulated(ds) -> None:
    section = shares_section(mr.analyse_market(ds, params()))
    (fig,) = section.figures
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Other / unknown (rest of the market)" in labels
    # the rest is drawn: grey points (and a caret where it is a bound)
    grey = [c for c in ax.containers if c.lines[0].get_color() == "#c7c7c7"]
    drawn = sorted(x for c in grey for x in c.lines[0].get_xdata())
    # 2017, 2020, 2021 (part of a year), 2022-Q2, 2022, 2024; 2020-Q3 is a caret
    assert drawn == pytest.approx([2017.5, 2020.5, 2021.5, 2022.375, 2022.5, 2024.5])
    table = section.tables[0]
    rest = dict(
        zip(table["Period"], table["Other / unknown (rest of the market) (%)"], strict=True)
    )
    # 100 - 27 (26 to 29) for 2017; 100 - 66 for 2020; under 16 -> at least 84; 100 - 69 - 16
    assert rest["2017"] == "73 (71 to 74)"
    assert (rest["2020"], rest["2020-Q3"], rest["2021"]) == ("34", "at least 84", "15")
    assert rest["2024"] == "15"  # 100 - 70 - 15


def test_european_change_release_by_release(ds) -> None:
    section = shares_section(mr.analyse_market(ds, params()))
    assert (
        "European providers' share went from 29 % in 2017 to 15 % in 2024 in one release "
        "(Synergy release of 2025): -14 points (-14 to -11)" in section.text
    )
    table = section.tables[1]
    changes = dict(zip(table["Release"], table["Change within the release (points)"], strict=True))
    assert changes["Synergy release of 2020"] == "at most -10 (2017 to 2020-Q3)"  # 16 - 26
    assert changes["Synergy release of 2022"] == "-14 (2017 to 2022-Q2)"  # 13 - 27
    assert changes["Synergy release of 2025"] == "-14 (2017 to 2024)"  # 15 - 29


@pytest.mark.slow  # every section and figure of six reports: about 20 s on an idle core
def test_sections_build_for_every_market_and_grouping(ds) -> None:
    sources = set(ds.sources["source_id"])
    for market in ("europe", "france", "worldwide"):
        for group_by in ("provider", "origin"):
            p = params(market=market, group_by=group_by)
            res = mr.analyse_market(ds, p)
            cited = set(mr.sources_section(res).source_ids)
            figures = 0
            for build in SECTIONS:
                section = build(res)
                assert isinstance(section, Section)
                assert set(section.source_ids) <= cited <= sources, build.__name__
                for fig in section.figures:
                    figures += 1
                    _check_figure(fig)
            assert 3 <= figures <= 8


def _check_figure(fig: Figure) -> None:
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert re.search(r"\(|%", ax.get_ylabel())  # a unit
    notes = [t.get_text() for t in fig.texts]
    assert any("Sources:" in n for n in notes)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)


def test_sentences_carry_ranges_and_sources(ds) -> None:
    text = mr.overview_section(mr.analyse_market(ds, params())).text
    # market_shares.csv, eu_cloud_synergy, european_providers: 29 (2017) and 15 (2024) in
    # the 2025 release (Mobile Europe); 26 (2020 release) and 27 (2022 release) for 2017
    assert "29 % in 2017 to 15 % in 2024 in one release (Synergy release of 2025)" in text
    assert "-14 points (-14 to -11)" in text
    assert "Mobile Europe" in text  # the publisher of the 2024 figure
    # market_sizes.csv: 23 bn EUR in 2020 is a forecast and a lower bound (CRN UK, c.
    # 2020-12), 61 bn EUR in 2024 comes from the 2025 release: (61/23) ** 0.25 - 1 = 27.6 %
    assert "at most 27.6 % a year" in text
    assert "The two ends come from different releases" in text
    (table,) = caveats_section(mr.analyse_market(ds, params())).tables
    assert "Synergy release of 2020" in " ".join(table["Figures and where from"])


def test_size_section_surfaces_conflict_22(ds) -> None:
    section = size_section(mr.analyse_market(ds, params(market="france")))
    text = section.text
    # one release: Silicon.fr (2023-07) gives 1.4 (2020) and 2.5 (2022): 33.6 % a year
    assert "grew 33.6 % a year from 2020 to 2022" in text and "one release" in text
    assert "74.8" not in text  # no rate from 1.43 (2021) to 2.5 (2022)
    checks = next(t for t in section.tables if "Published growth (%)" in t.columns)
    row = checks.iloc[0]
    # Le Monde Informatique: 1.43 in 2021 after +35 %; from 1.4 to 1.43 is only +2.1 %
    assert (row["Year"], row["Published growth (%)"], row["Sizes (bn)"]) == (
        2021,
        "35",
        "1.4 -> 1.43",
    )
    assert row["Growth the sizes give (%)"] == "2.14" and row["Fits"].startswith("no")
    conflicts = next(t for t in section.tables if "Conflict" in t.columns)
    assert "conflict 22" in set(conflicts["Conflict"])
    assert "series inconsistent with 1.4 in 2020 (conflict 22)" in set(
        conflicts["Note in the data"]
    )
    growth = mr.growth_section(mr.analyse_market(ds, params(market="france")))
    # published growth of 2021 (L'Usine Digitale): AWS 36, Azure 53, Google 48; market 35
    (table,) = growth.tables
    published = dict(zip(table["Provider"], table["Revenue growth, published (%)"], strict=True))
    assert published["Amazon (AWS)"] == "36" and published["Microsoft (Azure)"] == "53"
    assert "71" not in " ".join(table["Revenue growth, published (%)"])


def test_worldwide_big3_and_cr3_are_one_series_one_definition(ds) -> None:
    p = params(market="worldwide")
    text = mr.overview_section(mr.analyse_market(ds, p)).text
    n = mr.key_numbers(mr.analyse_market(ds, p)).values
    big3 = fmt_range(n["big3_share_low_pct"], n["big3_share_pct"], n["big3_share_high_pct"])
    cr3 = fmt_range(n["cr3_low_pct"], n["cr3_pct"], n["cr3_high_pct"])
    # the sentences show the figures the results hold, for the same period
    assert f"held {big3} of the" in text and f"In {n['big3_period']}" in text
    assert f"the three largest providers held {cr3}" in text
    assert "It is quoted for" not in text  # CR3 and the big three: the same period now
    assert "68" not in big3 + cr3  # the figure of unclear definition is in neither
    # ... it is shown apart, with its sources and why
    caveats = caveats_section(mr.analyse_market(ds, p)).text
    assert "Kept apart, because the sources leave their definition unclear" in caveats
    assert "Amazon, Microsoft and Google, 2025-Q4, 68 % (" in caveats
    assert "CRN (citing Synergy)" in caveats and "Lightwave (citing Synergy)" in caveats


def test_first_growth_figure_is_one_release(ds) -> None:
    """The first growth rate a reader meets is the analyst's own, of one release; the rate
    computed across releases (and only a bound, in Europe) comes after and says so."""
    for market in ("europe", "worldwide"):
        text = mr.overview_section(mr.analyse_market(ds, params(market=market))).text
        n = mr.key_numbers(mr.analyse_market(ds, params(market=market))).values
        published = f"grew {fmt_range(*[n[f'market_growth_latest{s}_pct'] for s in _ENDS])} in"
        mixed = "The two ends come from different releases"
        assert published in text and mixed in text
        assert text.index(published) < text.index(mixed)
        assert text.index("the latest growth rate of one release") < text.index(mixed)


_ENDS = ("_low", "", "_high")


def test_scale_in_usd_is_not_converted(ds) -> None:
    section = scale_section(mr.analyse_market(ds, params(market="worldwide")))
    assert section.figures == []
    assert "no exchange-rate assumption is made" in section.text
    # OVHcloud's revenue of fiscal 2025 beside Synergy's 2025 size: the same year
    assert "OVHcloud's revenue of fiscal 2025" in section.text
    assert "419 bn USD in 2025" in section.text


def test_no_usd_note_where_a_euro_size_exists(ds) -> None:
    # Europe: Synergy's series is in euros (61 bn EUR in 2024) beside its USD restatement
    text = scale_section(mr.analyse_market(ds, params())).text
    assert "in USD" not in text and "no ratio is computed" not in text


def test_scale_only_against_markets_that_can_contain_the_revenue(ds) -> None:
    section = scale_section(mr.analyse_market(ds, params()))
    (table,) = section.tables
    cloudwatt = table.loc[table["Company"] == "Cloudwatt"].iloc[0]
    # 2 M EUR (about 2, at most 2, under 3) against 11 bn EUR (CFE-CGC, 2014): 0.018 %
    assert cloudwatt["Year"] == 2014
    assert cloudwatt["Revenue as % of the market"].startswith(fmt_number(2 / 11_000 * 100))
    # OVHcloud's worldwide revenue is not set against a European series
    assert "OVHcloud (OVH)" not in set(table["Company"])
    assert "earned beyond Europe, so not set against" in section.text
    france = scale_section(mr.analyse_market(ds, params(market="france")))
    (table,) = france.tables
    ovh = table.loc[table["Company"] == "OVHcloud (OVH), revenue in France"].iloc[0]
    # 343 M EUR (France, fiscal 2021) / 16 bn EUR (Markess total cloud, 2021) = 2.14 %
    assert (ovh["Year"], ovh["Series"]) == (2021, "French cloud market (Markess)")
    assert ovh["Revenue as % of the market"] == fmt_number(343 / 16_000 * 100) + " %"
    # no ratio against sub-markets: 663 / 1,430 = 46.4 % of public IaaS+PaaS, 632 / 1,646
    # (hosted private cloud) and the like would read as shares OVHcloud cannot have
    assert set(table["Series"]) <= {
        "French cloud market (Markess)",
        "French cloud market (IDC)",
        "French cloud services and solutions market (Markess)",
    }
    assert "which cover only part of the cloud market" in france.text


def test_european_change_without_one_release_says_so(ds) -> None:
    # a European figure summed from two providers has no single line of releases to pair:
    # the change falls back to the reduced ranges (15 - 27 = -12, -14 to -11) and says so
    ctx = market_context(ds, params())
    origins = ctx.origins.copy()
    origins.loc[origins["origin_group"] == "european", "basis"] = "european_providers+sap"
    other = dataclasses.replace(ctx, origins=origins)
    text = european_sentence(other, summary_facts(other))
    assert "-12 points (-14 to -11)" in text
    assert "not paired by release" in text


def test_concentration_text_matches_what_is_named(ds) -> None:
    europe = concentration_section(mr.analyse_market(ds, params()))
    (fig,) = europe.figures
    assert len(fig.axes) == 2  # CR3 and the HHI in two panels, not two y-axes on one plot
    # Europe 2024 names no company: the cap comes from the big three's smallest member
    assert "smallest named share" not in europe.text
    assert "no other provider holds more than the smallest of them" in europe.text
    assert "at most 23.3 % in 2024, when the three are equal" in europe.text
    assert "approached, never reached" in europe.text
    assert "consistent with the published shares" not in europe.text
    table = europe.tables[0]
    row = table.loc[table["Period"] == "2024"].iloc[0]
    # 70^2 = 4,900, not 70^2 + 23.3^2 + 6.7^2 = 5,489
    assert (row["HHI highest"], row["HHI highest reached?"]) == ("4,900", "no: only approached")
    # 2021: Deutsche Telekom, 2 %, is the largest European provider Synergy names
    row = table.loc[table["Period"] == "2021"].iloc[0]
    assert "European cloud providers firms at most 2 %" in row["Note"]
    france = concentration_section(mr.analyse_market(ds, params(market="france")))
    # France 2022 names AWS, Microsoft and Google: the smallest named share, Google's 8 %
    assert "no provider left unnamed holds more than the smallest named share (8 % in 2022)" in (
        france.text
    )


# --------------------------------------------------------------------------- data text

#: text with HTML, Markdown and matplotlib markup (an invalid formula between two ``$``),
#: put into a copy of the data: it must show as this very text everywhere
MARKUP = 'X <i>EVIL</i></div><h1 id="inj">INJ</h1> [l](javascript:alert(1)) *star* $\\frac{x$'
#: entities whose name gets the markup: a company, the European reference series, a group
MARKED_ENTITIES = ("cloudwatt", "eu_cloud_synergy", "us_big3")
#: the source of the European big three's latest share (named in the overview's sentence)
MARKED_SOURCE = "mobileeurope-european-cloud-providers"


def _mark_csv(path: Path, key: str, keys: Sequence[str] | None, columns: Sequence[str]) -> None:
    """Append the markup to ``columns`` of the rows whose ``key`` is in ``keys`` (every row
    with a value in that column when ``keys`` is None)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    marked = 0
    for row in rows:
        if keys is None or row[key] in keys:
            for column in columns:
                if keys is not None or row[column]:
                    row[column] = f"{row[column]} {MARKUP}".strip()
                    marked += 1
    assert marked, f"{path.name}: nothing marked"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def marked_ds(tmp_path_factory):
    """A copy of data/ with markup in entity names and a note, a source's publisher and
    title, and the release notes of the shares."""
    data = tmp_path_factory.mktemp("marked") / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data)
    _mark_csv(data / "entities.csv", "entity_id", MARKED_ENTITIES, ["name"])
    _mark_csv(data / "entities.csv", "entity_id", ["european_providers"], ["note"])
    _mark_csv(data / "sources.csv", "source_id", [MARKED_SOURCE], ["publisher", "title"])
    _mark_csv(data / "market_shares.csv", "market_id", None, ["release_note"])
    return load_dataset(data)


@pytest.mark.filterwarnings("ignore:constrained_layout not applied:UserWarning")
def test_data_text_is_escaped_in_every_markdown_block(marked_ds) -> None:
    """Names, publishers and release notes with markup: every Markdown block shows them
    escaped once (never raw, never twice), tables keep them raw for ``to_html`` to escape,
    and figures draw them with ``$`` escaped so that matplotlib draws no formula."""
    safe = md(MARKUP)
    for group_by in ("provider", "origin"):
        p = params(market="europe", group_by=group_by, highlight=["ovhcloud", "cloudwatt"])
        texts = {}
        res = mr.analyse_market(marked_ds, p)
        for build in SECTIONS:
            section = build(res)
            for kind, block in section.blocks:
                if kind == "markdown":
                    # each time the text appears it is escaped exactly once
                    assert block.count("EVIL") == block.count(safe), (build.__name__, block)
                    assert "<" not in block and "*star*" not in block, build.__name__
                elif kind == "figure":
                    figure_png(block, dpi=40)  # a '$' pair read as mathtext would fail here
                    drawn = [t.get_text() for t in block.findobj(Text) if "EVIL" in t.get_text()]
                    assert drawn and not any(re.search(r"(?<!\\)\$", t) for t in drawn), drawn
            texts[build.__name__] = section.text
        # the names, the publisher and the release note reach the sentences, escaped
        overview, gaps = texts["overview_section"], texts["gaps_section"]
        series = f"European cloud infrastructure services market (Synergy) {safe}"
        assert f"highlighted: OVHcloud (OVH) and Cloudwatt {safe}." in overview
        assert f"held 70 % of the {series} in 2024" in overview
        assert f"(group figure; Mobile Europe (citing Synergy) {safe})" in overview
        assert f"in one release (Synergy release of 2025 {safe})" in overview
        assert f"The {series} grew at most 27.6 % a year" in overview
        definitions = texts["definitions_section"]
        assert f"come from the **{series}** (Synergy Research Group)" in definitions
        assert f"- **Amazon, Microsoft and Google {safe}** (the big three)" in definitions
        assert f"members listed are those the sources name {safe}." in definitions
        assert f"- Cloudwatt {safe}: no share of any European series in 2012-2025." in gaps
    # a table keeps the raw text; show() writes it escaped (pandas' to_html escapes cells)
    sources = mr.sources_section(mr.analyse_market(marked_ds, params()))
    (table,) = sources.tables
    row = table.loc[table["source_id"] == MARKED_SOURCE].iloc[0]
    assert row["publisher"] == f"Mobile Europe (citing Synergy) {MARKUP}"
    assert row["title"].endswith(MARKUP)
    html = table.to_html(index=False, border=0, na_rep="", escape=True)
    assert "<i>EVIL" not in html and "&lt;i&gt;EVIL&lt;/i&gt;" in html


def test_show_escapes_table_cells(monkeypatch) -> None:
    import IPython.display

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    out = SectionBuilder()
    out.table(pd.DataFrame({"Publisher": [MARKUP]}))
    mr.show(out.build())
    html = shown[0]["text/html"]
    assert "<i>" not in html and "<h1" not in html and "&lt;h1 id=" in html


def test_committed_names_need_no_escaping(ds) -> None:
    """The committed names hold no character that Markdown or matplotlib would read, so the
    escaping leaves every sentence as it was: no backslash, no HTML entity."""
    for column in (ds.entities["name"], ds.sources["publisher"]):
        assert all(md(name) == name and figure_text(name) == name for name in column)
    for market in ("europe", "france", "worldwide"):
        p = params(market=market, highlight=["ovhcloud", "cloudwatt", "aws"])
        res = mr.analyse_market(ds, p)
        text = "\n".join(build(res).text for build in SECTIONS)
        assert "\\" not in text and "&" not in text, market
        ctx = market_context(ds, p)
        assert ctx.name("ovhcloud") == ctx.label("ovhcloud") == "OVHcloud (OVH)"
        assert ctx.series_text(ctx.ref) == ctx.series(ctx.ref)


# --------------------------------------------------------------------------- answer, State


def test_answer_states_the_figures_the_results_hold(ds) -> None:
    res = mr.analyse_market(ds, params(highlight=["ovhcloud"]))
    text = mr.answer_section(res).text
    facts = res.facts
    b, e = facts.big3, facts.european
    assert text.startswith("**The answer** (European cloud market, 2012-2025)")
    assert f"held {fmt_range(*b[list(SHARE_COLUMNS)])} of the" in text
    latest = fmt_range(e["latest_low"], e["latest_central"], e["latest_high"])
    change = fmt_points(e["change_low_pp"], e["change_central_pp"], e["change_high_pp"])
    assert f"held {latest} in {e['latest_period']}" in text and change in text
    assert "within one release" in text
    assert text.count("\n- ") == 3  # big three, European providers, OVHcloud


def test_state_section_is_dated_and_every_line_sourced(ds) -> None:
    from analysis.report.market.state import AMOUNT_RANGE, funding_estimates

    section = mr.state_section(mr.analyse_market(ds, params()))
    (table,) = section.tables
    assert list(table["Date"]) == sorted(table["Date"])  # oldest first
    assert "2021-05-17" in set(table["Date"])  # the 'cloud de confiance' strategy
    assert {"Bleu", "S3NS", "SecNumCloud"} <= set(table["Who"])
    assert table["Source"].str.len().gt(0).all()
    sources = set(ds.sources["source_id"])
    assert section.source_ids and set(section.source_ids) <= sources
    # the money: each range the data gives, formatted as the report formats it
    money = funding_estimates(ds.public_funding).set_index("metric")
    granted = money.loc["granted_eur_m"]  # 421 (Décideurs) vs 380 (L'Usine Nouvelle)
    shown = fmt_range(*granted[AMOUNT_RANGE], " M EUR")
    assert f"{shown} granted to projects" in section.text
    assert "Microsoft" in section.text and "Google" in section.text  # what the ventures sell


def test_key_numbers_say_their_unit_and_renames_are_mapped(ds) -> None:
    """Every numeric key number carries a unit, and every market name renamed in issue 9 is
    recorded under its new name, which compare's RENAMED mapping points to."""
    from analysis.runner.compare import RENAMED

    kn = mr.key_numbers(mr.analyse_market(ds, params(market="france")))
    numeric = [
        n for n, v in kn.values.items() if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    assert numeric and all(kn.units.get(n) for n in numeric), set(numeric) - set(kn.units)
    for old in ("hhi_min", "share_figures", "ovhcloud_revenue_pct_of_market_low"):
        assert old not in kn.values and RENAMED[old] in kn.values


def test_the_notebook_states_the_range_rule_the_code_applies() -> None:
    """The rule for ranges is prose in the notebook's Markdown (caveats, size and shares
    charts): it must be the rule evidence.RULES names, word for word."""
    nb = json.loads((Path(__file__).parents[1] / "notebooks" / "market_position.ipynb").read_text())
    markdown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    stating = [m.splitlines()[0] for m in markdown if RULES["span"] in m]
    assert stating == ["## Market size and growth", "## Shares over time", "## Caveats"]
    assert "median of the exact figures" in RULES["span"]  # exact figures set the central value
