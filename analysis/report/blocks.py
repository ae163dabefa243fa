"""Report sections for the notebooks: blocks of text, tables and figures, and their wording.

A :class:`Section` is what one part of a notebook shows, in order: markdown text, tables and
figures, plus the ids of the sources its figures come from. A module builds it with a
:class:`SectionBuilder`; the notebook displays it with :func:`show`, which renders figures to
PNG itself (so no report holds SVG, whatever the Jupyter configuration) and tables as HTML.

The ``fmt_*`` helpers write computed numbers for readers: no trailing zeros, a range as
``'27 % (26 to 29)'``, a bound as ``'at least 23 %'``; :func:`as_published` writes a sourced
figure as the source gave it.

Text that comes from the data (names, publishers, periods, notes) is untrusted: a Markdown
block escapes it once with :func:`analysis.report.textsafe.md` (:func:`publishers_md` does it for a
list of publishers); a table keeps it raw, since :func:`show` writes tables with pandas'
``to_html``, which escapes every cell; a figure keeps it raw except for ``$``, which
:func:`figure_text` escapes so that matplotlib never reads it as mathtext.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.core.evidence import sources_table
from analysis.report.plotting import DPI, fitted_png
from analysis.report.textsafe import md

__all__ = [
    "Section",
    "SectionBuilder",
    "as_published",
    "disagreements",
    "figure_png",
    "figure_text",
    "fmt_number",
    "fmt_points",
    "fmt_range",
    "join_words",
    "publishers",
    "publishers_md",
    "show",
    "show_figure",
    "show_table",
    "upper_first",
    "year_spans",
]


@dataclass(frozen=True)
class Section:
    """One part of the report: blocks shown in order, and the sources its figures use.

    ``blocks`` holds ``("markdown", str)``, ``("table", DataFrame)`` and
    ``("figure", Figure)`` pairs.
    """

    blocks: tuple[tuple[str, Any], ...] = ()
    source_ids: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """All the markdown of the section, joined."""
        return "\n\n".join(b for kind, b in self.blocks if kind == "markdown")

    @property
    def figures(self) -> list[Figure]:
        return [b for kind, b in self.blocks if kind == "figure"]

    @property
    def tables(self) -> list[pd.DataFrame]:
        return [b for kind, b in self.blocks if kind == "table"]


@dataclass
class SectionBuilder:
    """Collect a section's blocks in order (:meth:`md`, :meth:`table`, :meth:`figure`) and the
    ids of its sources (:meth:`cite`), then :meth:`build` the :class:`Section`."""

    blocks: list[tuple[str, Any]] = field(default_factory=list)
    sources: dict[str, None] = field(default_factory=dict)

    def md(self, *lines: str) -> None:
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(("markdown", text))

    def table(self, frame: pd.DataFrame) -> None:
        if not frame.empty:
            self.blocks.append(("table", frame.reset_index(drop=True)))

    def figure(self, fig: Figure) -> None:
        self.blocks.append(("figure", fig))

    def cite(self, ids: Iterable[Any]) -> None:
        for item in ids:
            for source_id in item if isinstance(item, tuple | list) else [item]:
                if isinstance(source_id, str) and source_id:
                    for part in source_id.split(";"):
                        self.sources.setdefault(part, None)

    def build(self) -> Section:
        return Section(tuple(self.blocks), tuple(self.sources))


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure rendered as PNG bytes."""
    return fitted_png(fig, dpi)  # long names from the data must not collapse the axes


def show_table(frame: pd.DataFrame, digits: int | None = None) -> None:
    """Display a table in the notebook as HTML (every cell escaped) and plain text.

    ``digits``: decimals of the float cells (:func:`fmt_number`); None keeps pandas' own.
    Cells are raw data text: ``to_html`` escapes them, so they show as text, never as markup.
    """
    from IPython.display import display

    floats = None if digits is None else (lambda v: fmt_number(v, digits))
    display(
        {
            "text/html": frame.to_html(
                index=False, border=0, na_rep="", escape=True, float_format=floats
            ),
            "text/plain": frame.to_string(index=False, na_rep="", float_format=floats),
        },
        raw=True,
    )


def show_figure(fig: Figure | None) -> None:
    """Display a figure in the notebook as PNG (rendered here, so never SVG); None: nothing."""
    from IPython.display import Image, display

    if fig is None:
        return
    display(Image(data=figure_png(fig), format="png"))


def show(section: Section) -> None:
    """Display a section in the notebook: markdown, HTML tables and PNG figures.

    Figures are rendered to PNG here (not through the inline backend), so a report never
    holds SVG whatever the Jupyter configuration. Tables go through :func:`show_table`.
    """
    from IPython.display import Markdown, display

    for kind, block in section.blocks:
        if kind == "markdown":
            display(Markdown(block))
        elif kind == "table":
            show_table(block)
        else:
            show_figure(block)


# --------------------------------------------------------------------------- wording


def fmt_number(value: float | None, digits: int | None = None) -> str:
    """A number for readers, the one formatter of both reports; ``"n/a"`` when undefined.

    ``digits=None``: as many digits as the size needs, no trailing zeros (1,633 / 27 / 65.8 /
    1.43 / 0.018). ``digits=k``: exactly ``k`` decimals with thousands separators, never
    ``"-0.0"``.

    >>> fmt_number(1633.2), fmt_number(1.430), fmt_number(None), fmt_number(float("nan"), 1)
    ('1,633', '1.43', 'n/a', 'n/a')
    >>> fmt_number(-0.0001, 1), fmt_number(1234.56, 1), fmt_number(0.5, 0)
    ('0.0', '1,234.6', '0')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if digits is not None:
        text = f"{value:,.{digits}f}"
        return text[1:] if text.startswith("-") and text.strip("-0.,") == "" else text
    size = abs(float(value))
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10 or size == 0:
        text = f"{value:.1f}"
    elif size >= 1:
        text = f"{value:.2f}".rstrip("0")
    else:
        return f"{value:.2g}"
    return text.rstrip(".").removesuffix(".0")


def upper_first(text: str) -> str:
    """``text`` with its first letter in upper case and the rest untouched.

    Unlike ``str.capitalize``, names inside the text keep their capitals.

    >>> upper_first("the State (through the Caisse des Dépôts)")
    'The State (through the Caisse des Dépôts)'
    """
    return text[:1].upper() + text[1:]


def fmt_range(
    low: float,
    central: float,
    high: float,
    unit: str = " %",
    *,
    open_low: bool = False,
    open_high: bool = False,
) -> str:
    """``'27 % (26 to 29)'``, ``'70 %'``, ``'at least 23 %'``."""
    if open_high and not open_low and low == high:
        return f"at least {fmt_number(low)}{unit}"
    if open_low and not open_high and low == high:
        return f"at most {fmt_number(high)}{unit}"
    if fmt_number(low) == fmt_number(high):
        return f"{fmt_number(central)}{unit}"
    return f"{fmt_number(central)}{unit} ({fmt_number(low)} to {fmt_number(high)})"


def fmt_points(low: float, central: float, high: float) -> str:
    """A change in percentage points with its range: ``'-12 points (-14 to -11)'``."""

    def signed(v: float) -> str:
        return ("+" if v > 0 else "") + fmt_number(v)

    if fmt_number(low) == fmt_number(high):
        return f"{signed(central)} points"
    return f"{signed(central)} points ({signed(low)} to {signed(high)})"


def join_words(items: Sequence[str]) -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'`` (empty items left out)."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def year_spans(years: Iterable[int]) -> str:
    """``[2012, 2013, 2014, 2016]`` -> ``'2012-2014 and 2016'``."""
    ordered = sorted({int(y) for y in years})
    spans: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        spans.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return join_words(spans)


def publishers(ids: Iterable[str], sources: pd.DataFrame) -> str:
    """``'Capacity Media and Mobile Europe'``: the publishers of some sources, once each.

    Plain text, for table cells; a Markdown sentence uses :func:`publishers_md`.
    """
    wanted = list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))
    if not wanted:
        return "no source"
    table = sources_table(wanted, sources)
    return join_words(list(dict.fromkeys(table["publisher"])))


def publishers_md(ids: Iterable[str], sources: pd.DataFrame) -> str:
    """:func:`publishers` made inert for a Markdown sentence (:func:`analysis.report.textsafe.md`).

    >>> src = pd.DataFrame({"source_id": ["a"], "publisher": ["X <i>EVIL</i> *star*"],
    ...     "title": [""], "published": [""], "published_approx": [""], "url": [""]})
    >>> print(publishers_md(["a"], src))
    X &lt;i&gt;EVIL&lt;/i&gt; \\*star\\*
    """
    return md(publishers(ids, sources))


def figure_text(text: object) -> str:
    """Data text for a matplotlib figure: ``$`` escaped, so it never starts mathtext.

    Matplotlib reads text between two ``$`` as a formula (and fails on an invalid one);
    ``\\$`` shows as a plain ``$``. Everything else stays as written: a figure renders no
    HTML or Markdown.

    >>> print(figure_text("Fund $5 bn and $3 bn"))
    Fund \\$5 bn and \\$3 bn
    """
    return str(text).replace("$", r"\$")


def as_published(value: float) -> str:
    """A sourced figure as written: no trailing zeros (27, 38.5, 0.097485, 1,100).

    >>> as_published(27.0), as_published(0.097485), as_published(1100.0)
    ('27', '0.097485', '1,100')
    """
    if math.isnan(value):
        return "n/a"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def disagreements(
    rows: pd.DataFrame, keys: Sequence[str], value_col: str, *, note_col: str = "release_note"
) -> pd.DataFrame:
    """The keys whose observations differ, with every figure and where it comes from.

    Returns one row per key with more than one distinct value: the ``keys``, ``values``
    (sorted, as text), ``n_sources`` and ``detail`` (each figure with its release note or
    source id). Bounds are shown with ``<=`` / ``>=``.

    >>> r = pd.DataFrame({"period": ["2017"] * 3, "value": [26.0, 27.0, 29.0], "bound":
    ...     "point", "release_note": ["release 2020", "release 2022", "release 2025"],
    ...     "source_id": ["a", "b", "c"]})
    >>> disagreements(r, ["period"], "value")["detail"].tolist()
    ['26 (release 2020); 27 (release 2022); 29 (release 2025)']
    """
    marks = {"lower": ">= ", "upper": "<= ", "approx": "about "}
    records = []
    for key, group in rows.groupby(list(keys), sort=True, dropna=False):
        values = group[value_col].astype(float)
        if values.nunique() < 2:
            continue
        parts = []
        for _, row in group.sort_values(value_col, kind="stable").iterrows():
            note = row.get(note_col)
            where = str(note) if isinstance(note, str) and note else str(row["source_id"])
            mark = marks.get(str(row.get("bound", "point")), "")
            parts.append(f"{mark}{as_published(float(row[value_col]))} ({where})")
        key = key if isinstance(key, tuple) else (key,)
        records.append(
            {
                **dict(zip(keys, key, strict=True)),
                "values": ", ".join(as_published(v) for v in sorted(set(values))),
                "n_sources": int(group["source_id"].nunique()),
                "detail": "; ".join(parts),
            }
        )
    return pd.DataFrame.from_records(records, columns=[*keys, "values", "n_sources", "detail"])
