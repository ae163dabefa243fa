"""Turn the observations of one figure into an explicit estimate with its sources.

Sources often disagree (Numergy's 2014 revenue is reported as 2, 5 and 6 M EUR) or give only
bounds ("less than 3 M EUR"). Notebooks never pick one number: they call :func:`estimate`
(or :func:`estimate_by` for a whole table) and show the low, central and high values, the
rule used and the sources.

Rules (:data:`RULES` holds the text shown to readers):

``span`` (default)
    The range covers every sourced figure: ``low`` is the smallest and ``high`` the largest
    of all observations, whether point figures, approximations or bounds. ``central`` is the
    median of the point figures (approximations, such as a total rounded to 1.08 bn beside an
    exact 1,084.6 M, count only when no exact figure exists), moved inside the tightest
    bounds when the bounds agree with each other (a median of 4 with a source saying "at most
    2" becomes 2); with bounds only, it is the tightest bound (the largest "at least", the
    smallest "at most") or, with both kinds, the middle of the interval they leave. A side
    is *open* when no point figure or bound in that direction reaches it: with only "at
    least 75" known, the high side is open.
``latest``
    The same range, but ``central`` is the most recently published point figure, for series
    whose publisher revises its own earlier figures (Synergy, Gartner).

``low <= central <= high`` always holds.

Bounds on a sum (:func:`constrain_to_sum`, :func:`apply_sum_bounds`)
    A source may bound several figures together ("the two companies' 2014 revenue was at
    most 5 M EUR"). Such a bound constrains the parts: when the parts' centrals add up to
    more than an "at most" (less than an "at least"), each central moves towards its own low
    (high) in proportion to its room there, until the sum meets the bound; if even the lows
    (highs) break it, the centrals go to the lows (highs). The ranges still cover every
    sourced figure (a part's figure above the sum's ceiling is a conflict the reader sees).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "BOUNDS",
    "RULES",
    "SUM_RULE",
    "Estimate",
    "apply_sum_bounds",
    "cite",
    "constrain_to_sum",
    "estimate",
    "estimate_by",
    "estimate_frame",
    "sources_table",
]

#: allowed values of a ``bound`` column: point figure, approximation, lower or upper bound
BOUNDS = ("point", "approx", "lower", "upper")
_POINTS = ("point", "approx")

RULES: dict[str, str] = {
    "span": (
        "range = smallest to largest sourced figure (point figures, approximations and bounds); "
        "central = median of the exact figures (approximations only when there is none), kept "
        "within the tightest 'at least' and 'at most' bounds, or the tightest bound when only "
        "bounds exist"
    ),
    "latest": (
        "range = smallest to largest sourced figure; central = the most recently published "
        "point figure (the publisher's latest revision)"
    ),
}


#: the rule of :func:`constrain_to_sum`, in words
SUM_RULE = (
    "a sourced bound on a sum constrains its parts: centrals whose sum breaks it move towards "
    "their own low (for an 'at most') or high (for an 'at least'), in proportion to their room, "
    "until the sum meets the bound"
)


@dataclass(frozen=True)
class Estimate:
    """Low, central and high values of one figure, how they were obtained and from where."""

    low: float
    central: float
    high: float
    rule: str
    n_observations: int
    source_ids: tuple[str, ...] = ()
    open_low: bool = False
    open_high: bool = False
    unit: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_range(self) -> bool:
        """True when the sources leave any uncertainty (a spread or an open side)."""
        return self.low < self.high or self.open_low or self.open_high

    @property
    def rule_text(self) -> str:
        """The rule in words, for readers."""
        return RULES[self.rule]

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("extra")
        out["source_ids"] = list(self.source_ids)
        return out

    def format(self, digits: int = 1, unit: str | None = None) -> str:
        """Short text for readers, e.g. ``'2.0 (1.0 to 3.0) EUR m'`` or ``'at least 75'``."""
        unit = self.unit if unit is None else unit
        suffix = f" {unit}" if unit else ""

        def num(value: float) -> str:
            return f"{value:,.{digits}f}"

        if self.open_high and not self.open_low and self.low == self.high:
            return f"at least {num(self.low)}{suffix}"
        if self.open_low and not self.open_high and self.low == self.high:
            return f"at most {num(self.high)}{suffix}"
        if not self.is_range:
            return f"{num(self.central)}{suffix}"
        low = ("≤ " if self.open_low else "") + num(self.low)
        high = num(self.high) + (" or more" if self.open_high else "")
        return f"{num(self.central)} ({low} to {high}){suffix}"


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item is not None and not (isinstance(item, float) and math.isnan(item)):
            seen.setdefault(str(item), None)
    return tuple(seen)


def _date_key(published: object) -> str:
    """Sortable text of a publication date; missing dates sort first."""
    if published is None or (isinstance(published, float) and math.isnan(published)):
        return ""
    text = str(published).strip()
    return "" if text in ("", "nan", "NaN", "<NA>", "None", "NaT") else text


def estimate(
    values: Sequence[float],
    bounds: Sequence[str] | None = None,
    source_ids: Sequence[str] | None = None,
    *,
    rule: str = "span",
    published: Sequence[str] | None = None,
    unit: str = "",
) -> Estimate:
    """Estimate one figure from its observations.

    Parameters
    ----------
    values : observed figures, all in the same unit.
    bounds : for each value, ``"point"``, ``"approx"``, ``"lower"`` (the true value is at
        least this) or ``"upper"`` (at most this); default all ``"point"``.
    source_ids : for each value, the id of its source (listed once each, in order).
    rule : ``"span"`` or ``"latest"`` (see the module docstring).
    published : for ``rule="latest"``, each value's publication date (ISO text, sortable).
    unit : unit label carried into :meth:`Estimate.format`.

    Examples
    --------
    Numergy's 2014 revenue (M EUR) as reported by five sources:

    >>> e = estimate([2, 5, 5, 6, 6], ["point", "point", "lower", "upper", "point"])
    >>> (e.low, e.central, e.high)
    (2.0, 5.0, 6.0)

    Only a lower bound is known:

    >>> estimate([75], ["lower"]).format(0, "EUR m")
    'at least 75 EUR m'
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}")
    numbers = [float(v) for v in values]
    if not numbers:
        raise ValueError("no observations to estimate from")
    if any(math.isnan(v) or math.isinf(v) for v in numbers):
        raise ValueError("observations must be finite numbers (drop undisclosed figures first)")
    kinds = list(bounds) if bounds is not None else ["point"] * len(numbers)
    if len(kinds) != len(numbers):
        raise ValueError("values and bounds differ in length")
    unknown = sorted(set(kinds) - set(BOUNDS))
    if unknown:
        raise ValueError(f"unknown bound kind(s) {unknown}; allowed: {', '.join(BOUNDS)}")

    points = [v for v, k in zip(numbers, kinds, strict=True) if k in _POINTS]
    exact = [v for v, k in zip(numbers, kinds, strict=True) if k == "point"]
    lowers = [v for v, k in zip(numbers, kinds, strict=True) if k == "lower"]
    uppers = [v for v, k in zip(numbers, kinds, strict=True) if k == "upper"]
    low, high = min(numbers), max(numbers)
    open_low = low not in points + lowers
    open_high = high not in points + uppers

    if points and rule == "latest":
        if published is None or len(published) != len(numbers):
            raise ValueError("rule 'latest' needs a publication date for every value")
        # an undated observation counts as the oldest, never as the latest revision
        dated = [
            (_date_key(p), i)
            for i, (p, k) in enumerate(zip(published, kinds, strict=True))
            if k in _POINTS
        ]
        central = numbers[max(dated)[1]]
    elif points:
        central = float(statistics.median(exact or points))
        floor = max(lowers, default=-math.inf)
        ceiling = min(uppers, default=math.inf)
        if floor <= ceiling:  # bounds that contradict each other cannot correct the median
            central = min(max(central, floor), ceiling)
    elif lowers and uppers:
        floor, ceiling = max(lowers), min(uppers)
        central = (floor + ceiling) / 2 if floor <= ceiling else (low + high) / 2
    elif lowers:
        central = max(lowers)
    else:
        central = min(uppers)
    return Estimate(
        low=low,
        central=central,
        high=high,
        rule=rule,
        n_observations=len(numbers),
        source_ids=_unique(source_ids or ()),
        open_low=open_low,
        open_high=open_high,
        unit=unit,
    )


def estimate_frame(
    observations: pd.DataFrame,
    *,
    value_col: str = "value",
    bound_col: str = "bound",
    source_col: str = "source_id",
    published_col: str | None = None,
    rule: str = "span",
    unit: str = "",
) -> Estimate:
    """:func:`estimate` over the rows of a frame (rows with a missing value are ignored)."""
    rows = observations.loc[observations[value_col].notna()]
    if rows.empty:
        raise ValueError("no observations with a value to estimate from")
    bounds = rows[bound_col].tolist() if bound_col in rows else None
    sources = rows[source_col].tolist() if source_col in rows else None
    published = rows[published_col].tolist() if published_col else None
    return estimate(
        rows[value_col].tolist(), bounds, sources, rule=rule, published=published, unit=unit
    )


def estimate_by(
    observations: pd.DataFrame,
    by: Sequence[str],
    *,
    value_col: str = "value",
    bound_col: str = "bound",
    source_col: str = "source_id",
    published_col: str | None = None,
    rule: str = "span",
) -> pd.DataFrame:
    """One estimate per group: the ``by`` columns plus ``low``, ``central``, ``high``,
    ``open_low``, ``open_high``, ``n_observations``, ``source_ids`` (tuple) and ``rule``.

    >>> obs = pd.DataFrame({"year": [2013, 2014, 2014], "value": [2.0, 2.0, 6.0],
    ...                     "bound": ["point", "point", "point"], "source_id": ["a", "b", "c"]})
    >>> estimate_by(obs, ["year"])[["year", "low", "central", "high"]].to_numpy().tolist()
    [[2013.0, 2.0, 2.0, 2.0], [2014.0, 2.0, 4.0, 6.0]]
    """
    columns = [
        *by,
        "low",
        "central",
        "high",
        "open_low",
        "open_high",
        "n_observations",
        "source_ids",
        "rule",
    ]
    rows = observations.loc[observations[value_col].notna()]
    records = []
    for key, group in rows.groupby(list(by), sort=True, dropna=False):
        est = estimate_frame(
            group,
            value_col=value_col,
            bound_col=bound_col,
            source_col=source_col,
            published_col=published_col,
            rule=rule,
        )
        key = key if isinstance(key, tuple) else (key,)
        records.append(
            (
                *key,
                est.low,
                est.central,
                est.high,
                est.open_low,
                est.open_high,
                est.n_observations,
                est.source_ids,
                est.rule,
            )
        )
    return pd.DataFrame.from_records(records, columns=columns)


def _date_label(row: pd.Series) -> str:
    published = row.get("published")
    if isinstance(published, str) and published:
        return published
    approx = row.get("published_approx")
    if isinstance(approx, str) and approx:
        return f"c. {approx}"
    return "n.d."


def sources_table(source_ids: Iterable[str], sources: pd.DataFrame) -> pd.DataFrame:
    """The cited sources, in citation order: id, publisher, title, date, url.

    Raises KeyError naming any id missing from the sources table.
    """
    ids = list(_unique(source_ids))
    indexed = sources.set_index("source_id", drop=False)
    missing = [i for i in ids if i not in indexed.index]
    if missing:
        raise KeyError(f"source ids not in sources.csv: {', '.join(missing)}")
    chosen = indexed.loc[ids]
    return pd.DataFrame(
        {
            "source_id": chosen["source_id"].tolist(),
            "publisher": chosen["publisher"].tolist(),
            "title": chosen["title"].tolist(),
            "date": [_date_label(row) for _, row in chosen.iterrows()],
            "url": chosen["url"].tolist(),
        }
    )


def cite(source_ids: Iterable[str], sources: pd.DataFrame, *, max_items: int = 4) -> str:
    """A one-line source note for a figure: ``'Sources: ChannelNews (c. 2015-05); ...'``.

    Publishers are listed once each; beyond ``max_items`` the rest is counted.
    """
    table = sources_table(source_ids, sources)
    if table.empty:
        return "Sources: none"
    labels: dict[str, None] = {}
    for _, row in table.iterrows():
        labels.setdefault(f"{row['publisher']} ({row['date']})", None)
    items = list(labels)
    text = "; ".join(items[:max_items])
    if len(items) > max_items:
        text += f"; and {len(items) - max_items} more"
    return f"Sources: {text}"


def constrain_to_sum(
    parts: pd.DataFrame, *, upper: float | None = None, lower: float | None = None
) -> pd.DataFrame:
    """The parts with their ``central`` moved so that their sum respects a bound on the sum.

    ``parts`` has ``low``, ``central`` and ``high`` columns (one row per part); ``upper`` /
    ``lower`` bound the sum of the parts. Returns a new frame: ``central`` moved (see the
    module docstring), ``low`` and ``high`` unchanged, and ``is_sum_constrained`` (True for
    the parts whose central moved). ``low <= central <= high`` still holds.

    >>> parts = pd.DataFrame({"low": [1.0, 2.0], "central": [2.0, 5.0], "high": [3.0, 6.0]})
    >>> constrain_to_sum(parts, upper=5.0)["central"].tolist()
    [1.5, 3.5]
    """
    out = parts.copy()
    low, central, high = (out[k].to_numpy(dtype=float) for k in ("low", "central", "high"))
    moved = central.copy()
    if upper is not None and central.sum() > upper:
        room = central - low
        excess = central.sum() - upper
        moved = low.copy() if room.sum() <= excess else central - room * (excess / room.sum())
    elif lower is not None and central.sum() < lower:
        room = high - central
        short = lower - central.sum()
        moved = high.copy() if room.sum() <= short else central + room * (short / room.sum())
    out["central"] = moved
    out["is_sum_constrained"] = ~np.isclose(moved, central)
    return out


def apply_sum_bounds(
    estimates: pd.DataFrame,
    observations: pd.DataFrame,
    members: Mapping[str, Sequence[str]],
    *,
    entity_col: str = "company_id",
    key_cols: Sequence[str] = ("fiscal_year",),
) -> pd.DataFrame:
    """Every sourced bound on a sum of entities applied to their estimates.

    ``estimates``: one row per (entity, key) with ``low`` / ``central`` / ``high``.
    ``observations``: the sourced rows of the same figure (``value``, ``bound``,
    ``source_id``); a row whose entity is a group of ``members`` (group id -> member ids)
    with bound ``upper`` or ``lower`` bounds the sum of its members' figures for the same
    key. Returns a new ``estimates`` frame with the centrals constrained
    (:func:`constrain_to_sum`), ``is_sum_constrained`` and ``sum_bound_source_ids``.
    """
    out = estimates.copy()
    out["is_sum_constrained"] = False
    out["sum_bound_source_ids"] = [()] * len(out)
    groups = observations.loc[
        observations[entity_col].isin(list(members))
        & observations["bound"].isin(["upper", "lower"])
        & observations["value"].notna()
    ]
    for _, row in groups.iterrows():
        ids = list(members[row[entity_col]])
        mask = out[entity_col].isin(ids)
        for col in key_cols:
            mask &= out[col] == row[col]
        if mask.sum() != len(ids):  # not every part has an estimate: nothing to constrain
            continue
        kind = {"upper": "upper", "lower": "lower"}[row["bound"]]
        fixed = constrain_to_sum(out.loc[mask], **{kind: float(row["value"])})
        out.loc[mask, "central"] = fixed["central"].to_numpy()
        out.loc[mask, "is_sum_constrained"] = (
            out.loc[mask, "is_sum_constrained"].to_numpy() | fixed["is_sum_constrained"].to_numpy()
        )
        out.loc[mask, "sum_bound_source_ids"] = pd.Series(
            [(*old, row["source_id"]) for old in out.loc[mask, "sum_bound_source_ids"]],
            index=out.index[mask],
            dtype=object,
        )
    return out
