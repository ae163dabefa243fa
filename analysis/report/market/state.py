"""What the State did next: the 2021 cloud strategy, its money, SecNumCloud and the joint
ventures built on US technology, read off ``data/`` for the market report.

Pure functions on the frames of :mod:`analysis.data.io` (``events``, ``public_funding``,
``entities``, ``shareholdings``), plus :func:`state_section`, which words them for the notebook.
Every figure comes with its sources; where sources disagree the range is shown
(:func:`analysis.core.evidence.estimate_by`, rule ``span``). Names, labels and notes from the data
enter Markdown through :func:`analysis.report.textsafe.md`; tables keep them raw (escaped by
``to_html``).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.evidence import estimate_by
from analysis.data.io import Dataset
from analysis.report.blocks import Section, SectionBuilder, fmt_range, publishers, publishers_md
from analysis.report.textsafe import md

__all__ = [
    "AMOUNT_RANGE",
    "FUNDING_WORDS",
    "JOINT_VENTURES",
    "STATE_ENTITIES",
    "funding_estimates",
    "state_section",
    "state_timeline",
]

#: the programmes and companies of the State's later policy, in the order they are told
STATE_ENTITIES = (
    "cloud_strategy_2021",
    "secnumcloud",
    "outscale",
    "cloud_temple",
    "bleu",
    "s3ns",
    "numspot",
)
#: the joint ventures that sell a US hyperscaler's technology under French control
JOINT_VENTURES = ("bleu", "s3ns")
#: the range columns of :func:`funding_estimates` (every funding metric is in EUR m)
AMOUNT_RANGE = ["amount_low_eur_m", "amount_central_eur_m", "amount_high_eur_m"]
#: the funding metrics of the 2021 strategy (public_funding.csv), in words
FUNDING_WORDS = {
    "total_funding_eur_m": "planned in all",
    "public_funding_eur_m": "of it public money",
    "private_funding_eur_m": "private money",
    "european_funding_eur_m": "European money",
    "granted_eur_m": "granted to projects",
    "identified_projects_eur_m": "for the first projects named",
}


def state_timeline(events: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """The dated events of :data:`STATE_ENTITIES`, oldest first (dates as ISO partial dates,
    so they sort as text): every event of the strategy, SecNumCloud, the joint ventures and
    NumSpot, and the providers' SecNumCloud events.

    >>> ev = pd.DataFrame({"entity_id": ["bleu", "cloudwatt", "secnumcloud"],
    ...     "event_type": ["project_announced", "founded", "created"],
    ...     "date": ["2021-05", "2012-09", "2016"], "label": ["B", "C", "S"],
    ...     "source_id": ["x", "y", "z"]})
    >>> en = pd.DataFrame({"entity_id": ["bleu", "cloudwatt", "secnumcloud"],
    ...     "name": ["Bleu", "Cloudwatt", "SecNumCloud"]})
    >>> state_timeline(ev, en)[["date", "name", "label"]].values.tolist()
    [['2016', 'SecNumCloud', 'S'], ['2021-05', 'Bleu', 'B']]
    """
    # the providers appear only through their SecNumCloud events
    policy = events["entity_id"].isin(STATE_ENTITIES[:2] + JOINT_VENTURES + ("numspot",))
    secnum = events["entity_id"].isin(STATE_ENTITIES) & events["event_type"].str.startswith(
        "secnumcloud"
    )
    rows = events.loc[policy | secnum]
    rows = rows.merge(
        entities[["entity_id", "name"]], on="entity_id", how="left", validate="many_to_one"
    )
    return rows.sort_values(["date", "entity_id"], kind="stable").reset_index(drop=True)


def funding_estimates(
    funding: pd.DataFrame, programme_id: str = "cloud_strategy_2021"
) -> pd.DataFrame:
    """One range per funding metric of a programme: ``metric``, ``amount_low_eur_m``,
    ``amount_central_eur_m``, ``amount_high_eur_m`` (every metric is in EUR m), ``open_low``,
    ``open_high``, ``source_ids``, ``periods`` (as published) and ``is_forecast`` (every
    figure is a plan), in :data:`FUNDING_WORDS` order.

    >>> f = pd.DataFrame({"programme_id": "p", "metric": ["granted_eur_m", "granted_eur_m",
    ...     "total_funding_eur_m"], "value": [421.0, 380.0, 1800.0], "bound": "point",
    ...     "period_as_published": ["2021-11", "2022-09", "2021-2025"],
    ...     "is_forecast": [False, False, True], "source_id": ["a", "b", "c"]})
    >>> funding_estimates(f, "p")[["metric", *AMOUNT_RANGE]].values.tolist()
    [['total_funding_eur_m', 1800.0, 1800.0, 1800.0], ['granted_eur_m', 380.0, 400.5, 421.0]]
    """
    rows = funding.loc[
        (funding["programme_id"] == programme_id) & funding["metric"].isin(FUNDING_WORDS)
    ]
    if rows.empty:
        return pd.DataFrame()
    out = estimate_by(rows, ["metric"]).rename(
        columns=dict(zip(("low", "central", "high"), AMOUNT_RANGE, strict=True))
    )
    extra = rows.groupby("metric").agg(
        periods=("period_as_published", lambda s: tuple(dict.fromkeys(s.astype(str)))),
        is_forecast=("is_forecast", lambda s: bool(s.fillna(False).astype(bool).all())),
    )
    out = out.merge(extra, left_on="metric", right_index=True, how="left", validate="one_to_one")
    order = {m: i for i, m in enumerate(FUNDING_WORDS)}
    return out.sort_values("metric", key=lambda s: s.map(order)).reset_index(drop=True)


def _amount(row: pd.Series) -> str:
    low, central, high = (float(row[c]) for c in AMOUNT_RANGE)
    return fmt_range(
        low,
        central,
        high,
        " M EUR",
        open_low=bool(row["open_low"]),
        open_high=bool(row["open_high"]),
    )


def _funding_lines(ds: Dataset, money: pd.DataFrame) -> list[str]:
    lines = []
    for _, row in money.iterrows():
        when = ", ".join(md(p) for p in row["periods"])
        plan = " (a plan, not money spent)" if row["is_forecast"] else ""
        differ = "; sources differ" if row["amount_low_eur_m"] != row["amount_high_eur_m"] else ""
        lines.append(
            f"{_amount(row)} {FUNDING_WORDS[str(row['metric'])]}{plan}, {when} "
            f"({publishers_md(row['source_ids'], ds.sources)}{differ})"
        )
    return lines


def state_section(ds: Dataset) -> Section:
    """The section "What the State did next": a dated table of the strategy, SecNumCloud and
    the joint ventures, the strategy's money with its ranges, and what each joint venture is."""
    out = SectionBuilder()
    names = dict(zip(ds.entities["entity_id"], ds.entities["name"], strict=True))
    notes = dict(zip(ds.entities["entity_id"], ds.entities["note"], strict=True))
    timeline = state_timeline(ds.events, ds.entities)
    if timeline.empty:
        out.md("The data holds no dated event of the State's later cloud policy.")
        return out.build()
    out.table(
        pd.DataFrame(
            {
                "Date": timeline["date"].to_numpy(),
                "Who": timeline["name"].to_numpy(),
                "What": timeline["label"].to_numpy(),
                "Source": [publishers([s], ds.sources) for s in timeline["source_id"]],
            }
        )
    )
    out.cite(timeline["source_id"])
    money = funding_estimates(ds.public_funding)
    if not money.empty:
        out.md(
            f"The money of the {md(names.get('cloud_strategy_2021', 'cloud strategy'))} "
            f"(where sources differ, from the smallest to the largest figure, central their "
            f"median):",
            *[f"- {line}." for line in _funding_lines(ds, money)],
        )
        out.cite(i for ids in money["source_ids"] for i in ids)
    ventures = []
    for venture in JOINT_VENTURES:
        note = notes.get(venture)
        if isinstance(note, str) and note:
            ventures.append(f"{md(names.get(venture, venture))}: {md(note)}")
        stakes = ds.shareholdings.loc[ds.shareholdings["company_id"] == venture]
        for _, s in stakes.iterrows():
            holder = md(names.get(s["holder_id"], s["holder_id"]))
            ventures.append(
                f"{md(names.get(venture, venture))}: {holder} "
                f"{'about ' if s['bound'] == 'approx' else ''}{s['stake_pct']:g} % of the equity, "
                f"{md(s['period_as_published'])} ({md(s['note'])}; "
                f"{publishers_md([s['source_id']], ds.sources)})"
            )
            out.cite([s["source_id"]])
    if ventures:
        out.md(
            "The joint ventures, as `data/entities.csv` describes them from the sources in the "
            "table above:",
            *[f"- {line}." for line in ventures],
        )
    return out.build()
