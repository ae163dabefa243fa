"""The milestones of the State's bet marked on the reports' time axes, looked up in the data
(``events.csv`` and the buyout steps of ``capital_events.csv``), and merged when close.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.market.sizes import decimal_year

__all__ = ["MILESTONE_SPECS", "merge_close_milestones", "milestones"]

#: milestones marked on time axes: (table, entity, event type), looked up in the data
MILESTONE_SPECS: tuple[tuple[str, str, str], ...] = (
    ("events", "numergy", "founded"),
    ("events", "cloudwatt", "launch_event"),
    ("capital_events", "cloudwatt", "buyout_completed"),
    ("capital_events", "numergy", "buyout_completed"),
    ("events", "cloudwatt", "service_end"),
    ("events", "cloud_strategy_2021", "policy_announced"),
)


def _names(entities: pd.DataFrame) -> dict[str, str]:
    return {str(k): str(v) for k, v in zip(entities["entity_id"], entities["name"], strict=True)}


def milestones(
    events: pd.DataFrame,
    capital_events: pd.DataFrame,
    entities: pd.DataFrame,
    specs: Sequence[tuple[str, str, str]] = MILESTONE_SPECS,
) -> pd.DataFrame:
    """The dated milestones to mark on time axes, one per spec found in the data.

    Parameters
    ----------
    events : ``entity_id``, ``event_type``, ``date``, ``label``, ``value_origin``,
        ``source_id`` (events.csv).
    capital_events : ``company_id``, ``investor_id``, ``event_type``, ``period_start``,
        ``value_origin``, ``source_id`` (capital_events.csv; the buyout steps).
    entities : ``entity_id``, ``name`` (labels of capital events).
    specs : ``(table, entity_id, event_type)`` triples, ``table`` being ``"events"`` or
        ``"capital_events"``.

    Returns
    -------
    DataFrame : ``date`` (ISO partial date), ``x`` (decimal year), ``label``, ``entity_id``,
        ``event_type``, ``source_id``, ``n_dates`` (how many dated rows the data has for the
        spec), sorted by date. Where sources give several dates, the row read from the
        dossier's value is preferred to one read from its wording, then the most precise
        date, then the earliest. A spec with no row is left out.

    Examples
    --------
    >>> ev = pd.DataFrame({"entity_id": ["cloudwatt"], "event_type": ["service_end"],
    ...     "date": ["2020-02-01"], "label": ["Cloudwatt switched off"],
    ...     "value_origin": ["value"], "source_id": ["s1"]})
    >>> cap = pd.DataFrame({"company_id": ["cloudwatt", "cloudwatt"],
    ...     "investor_id": ["orange", "orange"], "event_type": ["buyout_completed"] * 2,
    ...     "period_start": ["2015-03-20", "2015-01"], "value_origin": ["value", "wording"],
    ...     "source_id": ["s2", "s3"]})
    >>> ent = pd.DataFrame({"entity_id": ["cloudwatt", "orange"],
    ...     "name": ["Cloudwatt", "Orange"]})
    >>> specs = [("capital_events", "cloudwatt", "buyout_completed"),
    ...          ("events", "cloudwatt", "service_end")]
    >>> ms = milestones(ev, cap, ent, specs)
    >>> ms["label"].tolist()
    ['Cloudwatt bought out by Orange', 'Cloudwatt switched off']
    >>> ms[["date", "n_dates"]].values.tolist()
    [['2015-03-20', 2], ['2020-02-01', 1]]
    """
    names = _names(entities)
    records = []
    for table, entity_id, event_type in specs:
        if table == "events":
            rows = events.loc[
                (events["entity_id"] == entity_id) & (events["event_type"] == event_type)
            ]
            dates, labels = rows["date"], rows["label"]
        elif table == "capital_events":
            rows = capital_events.loc[
                (capital_events["company_id"] == entity_id)
                & (capital_events["event_type"] == event_type)
                & capital_events["period_start"].notna()
            ]
            dates = rows["period_start"]
            labels = [
                f"{names.get(entity_id, entity_id)} bought out by {names.get(str(i), str(i))}"
                if isinstance(i, str) and i
                else f"{names.get(entity_id, entity_id)} bought out"
                for i in rows["investor_id"].fillna("")
            ]
        else:
            raise ValueError(f"milestone table must be 'events' or 'capital_events': {table!r}")
        if rows.empty:
            continue
        options = pd.DataFrame(
            {
                "date": [str(d) for d in dates],
                "label": [str(label) for label in labels],
                "source_id": [str(s) for s in rows["source_id"]],
                "from_value": [v == "value" for v in rows["value_origin"]],
            }
        )
        options["precision"] = options["date"].str.len()
        best = options.sort_values(
            ["from_value", "precision", "date"], ascending=[False, False, True], kind="stable"
        ).iloc[0]
        records.append(
            {
                "date": best["date"],
                "x": decimal_year(best["date"]),
                "label": best["label"],
                "entity_id": entity_id,
                "event_type": event_type,
                "source_id": best["source_id"],
                "n_dates": len(options),
            }
        )
    columns = ["date", "x", "label", "entity_id", "event_type", "source_id", "n_dates"]
    out = pd.DataFrame.from_records(records, columns=columns)
    return out.sort_values(["x", "date"], kind="stable").reset_index(drop=True)


def merge_close_milestones(frame: pd.DataFrame, within_years: float = 0.25) -> pd.DataFrame:
    """Merge milestones closer than ``within_years`` into one line (labels joined by ``;``).

    The merged line keeps the earliest date; ``source_id`` joins the sources with ``;``.
    Used for drawing only: the table of milestones keeps every row.

    >>> ms = pd.DataFrame({"date": ["2012-09", "2012-10-02", "2015-03-20"],
    ...     "x": [2012.667, 2012.751, 2015.214], "label": ["A created", "B launch", "C"],
    ...     "source_id": ["s1", "s2", "s3"]})
    >>> merge_close_milestones(ms)[["date", "label"]].values.tolist()
    [['2012-09', 'A created; B launch'], ['2015-03-20', 'C']]
    """
    rows = frame.sort_values("x", kind="stable")
    merged: list[dict[str, Any]] = []
    for _, row in rows.iterrows():
        if merged and float(row["x"]) - float(merged[-1]["_last"]) < within_years:
            merged[-1]["label"] = f"{merged[-1]['label']}; {row['label']}"
            merged[-1]["source_id"] = f"{merged[-1]['source_id']};{row['source_id']}"
            merged[-1]["_last"] = float(row["x"])
            continue
        merged.append({**row.to_dict(), "_last": float(row["x"])})
    out = pd.DataFrame.from_records(merged, columns=[*frame.columns, "_last"])
    return out.drop(columns="_last").reset_index(drop=True)
