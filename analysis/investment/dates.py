"""When things happened: creation and exit dates, the last loss rates, nil equity at the exit.

Frames in, frames out (the data tables, or frames of :mod:`analysis.investment.holdings` and
:mod:`analysis.investment.accounts`). A date the sources give to the month or the year only
becomes a window or a first day, a named assumption stated in the ``why`` of each row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analysis.core import evidence
from analysis.investment.accounts import COMPANIES
from analysis.investment.holdings import source_ids_of

__all__ = [
    "YEAR_ONLY_WINDOW",
    "ExitDate",
    "creation_dates",
    "equity_nil_at_exit",
    "exit_dates",
    "loss_rates",
    "publisher",
]

#: assumed window (month, day) for a buyout the sources date to the year only
YEAR_ONLY_WINDOW = ((1, 1), (6, 30))


@dataclass(frozen=True)
class ExitDate:
    """When a company's minority stakes were bought out: a day, or a window of days."""

    company_id: str
    low: dt.date
    high: dt.date
    announced: dt.date | None
    why: str
    source_ids: tuple[str, ...]
    is_assumed: bool

    @property
    def value(self) -> dt.date | tuple[dt.date, dt.date]:
        """The model input: a date, or a (first, last) window drawn uniformly."""
        return self.low if self.low == self.high else (self.low, self.high)


def publisher(sources: pd.DataFrame, source_id: str) -> str:
    """The publisher of a source, for text shown to readers (the id when it is unknown)."""
    found = sources.loc[sources["source_id"] == source_id, "publisher"]
    return str(found.iloc[0]) if len(found) else source_id


def _precision(date_text: str) -> int:
    """3 for YYYY-MM-DD, 2 for YYYY-MM, 1 for YYYY (or a quarter)."""
    return {10: 3, 7: 2}.get(len(date_text), 1) if "Q" not in date_text else 1


def creation_dates(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Each company's creation date: the most precise sourced date (the earliest on a tie).

    A month-only date becomes the first day of that month, a named assumption. Columns:
    ``company_id``, ``date`` (datetime.date), ``as_published``, ``is_assumed``, ``why``,
    ``source_ids`` (the chosen date's), ``other_dates`` (the other sourced dates, as text).
    ``events`` is the ``events`` table of the data, ``sources`` the sources table.
    """
    rows = []
    for cid in COMPANIES:
        found = events.loc[(events["entity_id"] == cid) & (events["event_type"] == "founded")]
        ranked = sorted(
            zip(found["date"], found["source_id"], strict=True),
            key=lambda d: (-_precision(d[0]), d[0]),
        )
        best, source = ranked[0]
        others = ", ".join(f"{d} ({publisher(sources, s)})" for d, s in ranked[1:])
        also = f" (other sources: {others})" if others else ""
        if _precision(best) == 3:
            day, assumed = dt.date.fromisoformat(best), False
            why = f"sourced: founded on {best}{also}"
        elif _precision(best) == 2:
            day, assumed = dt.date(int(best[:4]), int(best[5:7]), 1), True
            why = f"assumption: sources give {best} only; the first day of that month is used"
        else:
            day, assumed = dt.date(int(best[:4]), 1, 1), True
            why = f"assumption: sources give {best[:4]} only; 1 January of that year is used"
        rows.append(
            {
                "company_id": cid,
                "date": day,
                "as_published": best,
                "is_assumed": assumed,
                "why": why,
                "source_ids": (source,),
                "other_dates": others,
            }
        )
    return pd.DataFrame(rows)


def exit_dates(events: pd.DataFrame, sources: pd.DataFrame) -> dict[str, ExitDate]:
    """When each company's minority shareholders were bought out (the exit date).

    The completion date given to the day is used (Cloudwatt: 2015-03-20); sources that date
    it otherwise are listed in ``why``. A date known to the month is a window over that
    month; to the year only (Numergy: 2016), the first half of that year after the
    announcement (:data:`YEAR_ONLY_WINDOW`), a named assumption. ``events`` is the
    ``capital_events`` table of the data, ``sources`` the sources table.
    """
    out = {}
    for cid in COMPANIES:
        done = events.loc[
            (events["company_id"] == cid) & (events["event_type"] == "buyout_completed")
        ]
        ranked = sorted(
            zip(done["period_start"], done["source_id"], strict=True),
            key=lambda d: (-_precision(d[0]), d[0]),
        )
        best, source = ranked[0]
        announced_rows = events.loc[
            (events["company_id"] == cid) & (events["event_type"] == "buyout_announced")
        ]
        announced = None
        announced_ids: tuple[str, ...] = ()
        if len(announced_rows):
            first = announced_rows.sort_values("period_start").iloc[0]
            announced = dt.date.fromisoformat(first["period_start"])
            announced_ids = (first["source_id"],)
        others = "; ".join(f"{d} ({publisher(sources, s)})" for d, s in ranked[1:])
        also = f"; other sources date it {others}" if others else ""
        precision = _precision(best)
        if precision == 3:
            low = high = dt.date.fromisoformat(best)
            why = f"sourced: buyout completed on {best}{also}"
            assumed = False
        elif precision == 2:
            low = dt.date.fromisoformat(best + "-01")
            high = (pd.Timestamp(low) + pd.offsets.MonthEnd(0)).date()
            why = f"assumption: completed in {best} (month only); any day of that month{also}"
            assumed = True
        else:
            year = int(best[:4])
            (m0, d0), (m1, d1) = YEAR_ONLY_WINDOW
            low, high = dt.date(year, m0, d0), dt.date(year, m1, d1)
            if announced is not None and announced >= low:
                low = announced + dt.timedelta(days=1)
            when = f", after the deal announced on {announced}" if announced else ""
            why = (
                f"assumption: sources give the year {year} only; any day from {low} to {high} "
                f"(first half of {year}{when}){also}"
            )
            assumed = True
        out[cid] = ExitDate(
            cid, low, high, announced, why, tuple(dict.fromkeys((source, *announced_ids))), assumed
        )
    return out


def loss_rates(fin: pd.DataFrame, losses: pd.DataFrame) -> pd.DataFrame:
    """The last reported yearly loss rate of each company (EUR m a year, positive).

    The candidates: the net loss of the latest year the data report for the company, and the
    loss of the last accounts year implied by two cumulative figures from the same start
    (e.g. 2012-2014 minus 2012-2013; when the earlier one is a lower bound, the implied
    figure is an upper bound). ``low`` / ``high`` are the smallest and largest candidate (the
    model draws uniformly between them; one candidate gives a fixed rate). Columns:
    ``company_id``, ``low``, ``central``, ``high``, ``why``, ``source_ids``. ``fin`` is the
    ``financials`` table, ``losses`` :func:`analysis.investment.accounts.cumulative_losses`.
    """
    records = []
    for cid in COMPANIES:
        candidates: list[tuple[float, str, tuple[str, ...]]] = []
        yearly = fin.loc[(fin["company_id"] == cid) & (fin["metric"] == "net_result_eur_m")]
        if len(yearly):
            year = int(yearly["fiscal_year"].max())
            est = evidence.estimate_frame(yearly.loc[yearly["fiscal_year"] == year])
            candidates.append((-est.central, f"the {year} net loss", est.source_ids))
        mine = losses.loc[losses["company_id"] == cid].sort_values("period_end_year")
        mine = mine.assign(start=mine["period"].str[:4])
        for _, group in mine.groupby("start"):
            if len(group) < 2:
                continue
            last, before = group.iloc[-1], group.iloc[-2]
            if last["period_end_year"] - before["period_end_year"] != 1:
                continue
            implied = float(last["central"]) - float(before["low"])
            bound = "at most " if before["open_high"] else ""
            candidates.append(
                (
                    implied,
                    f"the {last['period_end_year']} loss implied by the cumulative losses "
                    f"{last['period']} ({last['central']:g}) minus {before['period']} "
                    f"({'at least ' if before['open_high'] else ''}{before['low']:g}): "
                    f"{bound}{implied:g}",
                    (*last["source_ids"], *before["source_ids"]),
                )
            )
        if not candidates:
            continue
        values = [c[0] for c in candidates]
        low, high = min(values), max(values)
        why = "; ".join(
            f"{text} ({v:g})" if "implied" not in text else text for v, text, _ in candidates
        )
        records.append(
            {
                "company_id": cid,
                "low": low,
                "central": (low + high) / 2.0,
                "high": high,
                "why": why,
                "source_ids": source_ids_of(*(c[2] for c in candidates)),
            }
        )
    return pd.DataFrame(records)


def equity_nil_at_exit(
    events: pd.DataFrame, fin: pd.DataFrame, exits: dict[str, ExitDate]
) -> dict[str, str]:
    """The companies whose book equity at the exit is bounded at nil by an event, with why.

    A safeguard procedure opened before the exit (the company could not go on without court
    protection; Numergy's opened on 2015-10-13 with cash for about six months) means the
    equity was near or below zero: the stake's book value is taken as nil. ``events`` is the
    ``events`` table, ``fin`` the ``financials`` table, ``exits`` :func:`exit_dates`.
    """
    out = {}
    for cid in COMPANIES:
        found = events.loc[
            (events["entity_id"] == cid) & (events["event_type"] == "safeguard_opened")
        ]
        for date_text in found["date"]:
            day = dt.date.fromisoformat(str(date_text)[:10]) if len(str(date_text)) >= 10 else None
            if day is None or day >= exits[cid].low:
                continue
            runway = fin.loc[(fin["company_id"] == cid) & (fin["metric"] == "cash_runway_months")]
            cash = (
                f", with cash for about {runway['value'].iloc[0]:g} months" if len(runway) else ""
            )
            out[cid] = (
                f"assumption bounded by a sourced event: a safeguard procedure opened on {day}"
                f"{cash}, before the exit: the book equity at the exit is taken as nil"
            )
    return out
