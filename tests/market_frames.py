"""Small literal frames shared by the market tests: entities, group members, one period."""

from __future__ import annotations

import pandas as pd

from analysis.market.shares import SHARE_COLUMNS

ENTITIES = pd.DataFrame(
    [
        ("aws", "company", "us"),
        ("microsoft", "company", "us"),
        ("google", "company", "us"),
        ("alibaba", "company", "other"),
        ("ovhcloud", "company", "french"),
        ("deutsche_telekom", "company", "european"),
        ("us_big3", "provider_group", "us"),  # closed: members listed below
        ("european_providers", "provider_group", "european"),  # open: every European provider
        ("other_providers", "provider_group", "none"),  # opaque: a source's "others"
    ],
    columns=["entity_id", "kind", "origin"],
)
MEMBERS = pd.DataFrame(
    {"group_id": "us_big3", "member_id": ["aws", "microsoft", "google"]},
)


def period(market: str, label: str, shares: dict[str, float | tuple[float, float, float]]):
    """A reduced shares table for one period: id -> central or (low, central, high)."""
    rows = []
    for pid, value in shares.items():
        low, central, high = value if isinstance(value, tuple) else (value, value, value)
        year = int(label[:4])
        kind = "year" if len(label) == 4 else "quarter"
        rows.append((market, label, kind, year, pid, float(low), float(central), float(high)))
    return pd.DataFrame(
        rows, columns=["market_id", "period", "period_type", "year", "provider_id", *SHARE_COLUMNS]
    )


def row(frame: pd.DataFrame, pid: str, col: str = "provider_id") -> pd.Series:
    return frame.loc[frame[col] == pid].iloc[0]


#: France 2021 (Markess by Exaegis): AWS 46, Azure 17, Google 8 = big three 71; others 29
FR_2021 = period(
    "fr", "2021", {"aws": 46, "microsoft": 17, "google": 8, "us_big3": 71, "other_providers": 29}
)
