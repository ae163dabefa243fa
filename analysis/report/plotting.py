"""Shared building blocks of the report figures (market and investment plots).

Figures are built with matplotlib's object API (``Figure``, never pyplot state), so that
building one changes no global setting and needs no display.
"""

from __future__ import annotations

import io
import textwrap
import warnings

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, LogLocator

__all__ = ["DPI", "fitted_png", "new_figure", "plain_log_ticks", "range_errors", "wrap_title"]

#: resolution of the PNG figures in the reports
DPI = 100
_SOURCE_WRAP = 130  # characters per line of the source note
_LABEL_WRAP = 40  # characters per line of a legend entry (names come from the data)
_GROW_STEPS = 4  # times fit_layout may enlarge a figure by half before giving up


def new_figure(
    source_note: str, figsize: tuple[float, float], ncols: int = 1
) -> tuple[Figure, list[Axes]]:
    """A constrained-layout figure with ``ncols`` axes and the source note at the bottom.

    The note (which sources, which assumptions) is wrapped and gets its own strip, so that
    it never overlaps the axes.

    >>> fig, (ax,) = new_figure("Sources: BFM Business (c. 2015-05)", (6, 4))
    >>> fig.texts[0].get_text()
    'Sources: BFM Business (c. 2015-05)'
    """
    lines = textwrap.wrap(str(source_note), _SOURCE_WRAP) or [""]
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    height = min(0.3, 0.02 + 0.13 * len(lines) / figsize[1])
    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)
    engine.set(rect=(0, height, 1, 1 - height))
    fig.text(0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=7, color="#444444")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def wrap_title(title: str, width: int = 70) -> str:
    """A long title on several lines, so that it never runs past the figure."""
    return "\n".join(textwrap.wrap(str(title), width)) or str(title)


def range_errors(frame: pd.DataFrame, low: str, central: str, high: str) -> np.ndarray:
    """Asymmetric error-bar sizes (2 x n) from low / central / high columns.

    A missing end draws no bar on that side.

    >>> frame = pd.DataFrame({"lo": [1.0, None], "mid": [2.0, 5.0], "hi": [6.0, 5.0]})
    >>> range_errors(frame, "lo", "mid", "hi").tolist()
    [[1.0, 0.0], [4.0, 0.0]]
    """
    centre = frame[central].to_numpy(dtype=float)
    below = np.nan_to_num(centre - frame[low].to_numpy(dtype=float), nan=0.0)
    above = np.nan_to_num(frame[high].to_numpy(dtype=float) - centre, nan=0.0)
    return np.vstack([np.clip(below, 0, None), np.clip(above, 0, None)])


def plain_log_ticks(axis) -> None:
    """Log-scale ticks at 1, 2 and 5 times powers of ten, written as plain numbers (0.2, 1)."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(FuncFormatter(lambda value, _: ""))


def _wrap_legends(fig: Figure) -> None:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    for legend in (lg for lg in legends if lg is not None):
        for text in legend.get_texts():
            label = text.get_text()
            if len(label) > _LABEL_WRAP and "\n" not in label:
                text.set_text("\n".join(textwrap.wrap(label, _LABEL_WRAP)))


def fitted_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, its constrained layout made to fit its decorations.

    Legend entries come from the data (provider and market names): long ones are wrapped;
    and when legends, titles and labels still leave the axes no room (matplotlib then warns
    "axes sizes collapsed to zero" and draws an overlapping figure), the figure grows by
    half and is drawn again, a few times at most. A figure that fits is drawn once.

    >>> import warnings
    >>> fig, (ax,) = new_figure("note", (4, 2))
    >>> for i in range(5):
    ...     _ = ax.plot([0, 1], [i, i], label="provider " + "x" * 300)
    >>> _ = ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error")
    ...     png = fitted_png(fig)
    >>> png[:4], fig.get_size_inches().tolist() > [4.0, 2.0]
    (b'\\x89PNG', True)
    """
    _wrap_legends(fig)
    for step in range(_GROW_STEPS + 1):
        buffer = io.BytesIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(buffer, format="png", dpi=dpi)
        collapsed = [w for w in caught if "collapsed to zero" in str(w.message)]
        for other in caught:
            if other not in collapsed:
                warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
        if not collapsed or step == _GROW_STEPS:
            return buffer.getvalue()
        width, height = fig.get_size_inches()
        fig.set_size_inches(width * 1.5, height * 1.5)
    return buffer.getvalue()
