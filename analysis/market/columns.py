"""The column names the market frames share, defined once, and the one way to merge source ids.

Every frame of shares or sizes is keyed by a period of a series (:data:`PERIOD_KEYS`); a
reduced figure is a ``low``/``central``/``high`` triple (:data:`RANGE_COLUMNS`), which a
share table names with its unit (:data:`SHARE_COLUMNS`).
"""

from __future__ import annotations

__all__ = ["PERIOD_KEYS", "RANGE_COLUMNS", "SHARE_COLUMNS", "union_source_ids"]

#: the keys of one period of one series (a list, for ``groupby``; never changed in place)
PERIOD_KEYS = ["market_id", "period", "period_type", "year"]
#: the three columns of a reduced figure, as :func:`analysis.core.evidence.estimate_by` names them
RANGE_COLUMNS = ("low", "central", "high")
#: the same three columns of a share table, with their unit (percent of the series)
SHARE_COLUMNS = ("share_low_pct", "share_central_pct", "share_high_pct")


def union_source_ids(*values: object) -> tuple[str, ...]:
    """The source ids of several figures, each once, in first-seen order.

    Each value is one id or a sequence of ids (a ``source_ids`` cell); empty and missing
    values are skipped.

    >>> union_source_ids(("a", "b"), "b", None, ["c", ""], ("a",))
    ('a', 'b', 'c')
    """
    seen: dict[str, None] = {}
    for value in values:
        items = value if isinstance(value, tuple | list) else [value]
        for item in items:
            if isinstance(item, str) and item:
                seen.setdefault(item, None)
    return tuple(seen)
