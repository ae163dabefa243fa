"""From data/ to the returns model: what each investor put into Cloudwatt and Numergy, and when.

Pure functions of a loaded :class:`~analysis.data.io.Dataset` and plain values. They read the
sourced observations, turn each figure into an explicit low / central / high estimate
(:mod:`analysis.core.evidence`, rule ``span``) with its source ids, and build the
:class:`~analysis.core.scenarios.InvestmentModel` the scenario engine evaluates. Every input of
the model carries a ``why``: its sources, or ``"assumption: ..."`` when no source gives it.

Named assumptions introduced here (each is shown to readers by :func:`assumptions_table`):

- **Pay-ins pro rata to the stakes.** Sources give the capital paid in by all shareholders
  together; each investor is taken to have paid its stake's share of it.
- **The State's paid-in: its own cash figures, split by a stated rule.** Pro rata to its
  stakes the State paid 51.8 to 55.9 M EUR to end 2014; its own cash figures for both clouds
  say about 50 (to 2015), at most 75 (to March 2015) and 75, "half" of the 150 M EUR envelope
  (to October 2015). The exits fall in 2015-2016, so the model draws the State's paid-in over
  both clouds from the union of the two ranges with the central of the project's ``span``
  rule on the State's own cash figures (:func:`state_paid_in`), and splits it between the
  companies in proportion to the State's pro-rata paid-in at central inputs
  (:func:`state_split`). The per-company and the combined views use the same total and the
  same split, so their amounts add up, bounds included.
- **Losses carried to the exit.** The book equity at the exit is paid-in minus the
  cumulative losses to the end of 2014 minus the losses from 2015-01-01 to the exit date at
  the last reported yearly loss rate (:func:`loss_rates`); a safeguard procedure opened
  before the exit (Numergy, 2015-10-13, with about six months of cash) bounds the equity at
  nil (:func:`equity_nil_at_exit`).
- **All shareholders hold 100 %.** The published stakes are rounded (44.4 + 22.2 + 33.3 =
  99.9 %; 46 or 47 + 20 + 33): for ``investor="all"`` the stake is the whole company.
- **Pay-in timing** (see :func:`analysis.core.scenarios.pay_in_dates`): tranches on the creation
  date and on 1 July of each later year to the last accounts (2014); when a source gives
  only the month of creation, the first day of that month.
- **No capital after the sourced totals** for the companies' book value: 2015 capital
  calls (Numergy; the State's figures run to 2015) are not reported by company; they are
  taken to have paid for the 2015 losses carried above, adding nothing to the equity at the
  exit.
- **Exit date known to the year only** (Numergy, "2016"): the first half of that year, and
  after the announcement of the deal.
- **Buyers' stakes** (Orange in Cloudwatt, SFR in Numergy, and every shareholder for
  ``investor="all"``) are valued at the buyout date at the same price per share as the
  sellers' stakes: a valuation, not cash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.core import evidence
from analysis.core import scenarios as sc
from analysis.data.holders import INVESTOR_ENTITIES
from analysis.data.io import Dataset
from analysis.investment.accounts import (
    COMPANIES,
    LAST_ACCOUNTS_YEAR,
    cumulative_losses,
    cumulative_revenue,
    cumulative_revenue_observations,
    revenue_by_year,
)

__all__ = [
    "COMPANIES",
    "COMPANY_NAMES",
    "HOLDER_NAMES",
    "INVESTOR_NAMES",
    "LAST_ACCOUNTS_YEAR",
    "Assumption",
    "ExitDate",
    "assumptions_table",
    "buyer_ids",
    "capital",
    "company_ids",
    "creation_dates",
    "cumulative_losses",
    "equity_nil_at_exit",
    "exit_dates",
    "holder_ids",
    "implied_state_paid_in",
    "is_valuation",
    "loss_rates",
    "model_inputs",
    "model_source_ids",
    "source_ids_of",
    "stakes",
    "state_money",
    "state_paid_in",
    "state_split",
    "uses_state_cash",
]

COMPANY_NAMES = {"cloudwatt": "Cloudwatt", "numergy": "Numergy", "ovhcloud": "OVHcloud"}
#: how readers see each value of the ``investor`` parameter
INVESTOR_NAMES = {
    "state": "the State (through the Caisse des Dépôts)",
    "orange": "Orange",
    "thales": "Thales",
    "sfr": "SFR",
    "bull": "Bull (part of Atos from 2014)",
    "all": "all shareholders together",
}
#: readable names of the shareholders' entity ids
HOLDER_NAMES = {
    "cdc": "the Caisse des Dépôts",
    "orange": "Orange",
    "thales": "Thales",
    "sfr": "SFR",
    "bull": "Bull",
}
#: assumed window (month, day) for a buyout the sources date to the year only
YEAR_ONLY_WINDOW = ((1, 1), (6, 30))

_STATE_EVENTS = {
    "planned_public_funding": "commitment: planned State money",
    "public_funding_received": "stated as received (may restate the commitment)",
    "paid_in": "cash paid in by the State",
    "redirected": "unspent, moved to other projects",
}
_BOUND_WORDS = {"point": "as stated", "approx": "about", "lower": "at least", "upper": "at most"}


@dataclass(frozen=True)
class Assumption:
    """One line of the assumptions table: what is assumed or sourced, and why."""

    name: str
    value: str
    basis: str  # "sourced", "assumption" or "sourced + assumption"
    why: str
    source_ids: tuple[str, ...] = ()


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


# --- who held what ------------------------------------------------------------------------


def company_ids(company: str) -> tuple[str, ...]:
    """``"both"`` -> both company ids; a company id -> itself.

    >>> company_ids("both"), company_ids("numergy")
    (('cloudwatt', 'numergy'), ('numergy',))
    """
    if company == "both":
        return COMPANIES
    if company not in COMPANIES:
        raise ValueError(f"company must be one of {', '.join(COMPANIES)} or 'both'")
    return (company,)


def _founding_rows(dataset: Dataset) -> pd.DataFrame:
    """Stakes held before the buyouts (the 100 % of a buyer afterwards left out)."""
    holdings = dataset.shareholdings
    keep = holdings["company_id"].isin(COMPANIES) & (holdings["stake_pct"] < 100.0)
    return holdings.loc[keep]


def buyer_ids(dataset: Dataset) -> dict[str, str]:
    """The shareholder that bought out the others, per company (from the completed buyouts).

    >>> from analysis.data.io import load_dataset
    >>> buyer_ids(load_dataset())
    {'cloudwatt': 'orange', 'numergy': 'sfr'}
    """
    events = dataset.capital_events
    done = events.loc[
        events["company_id"].isin(COMPANIES) & (events["event_type"] == "buyout_completed")
    ]
    return {
        cid: str(done.loc[done["company_id"] == cid, "investor_id"].iloc[0]) for cid in COMPANIES
    }


def is_valuation(dataset: Dataset, company_id: str, investor: str) -> bool:
    """True when the investor did not sell at the buyout: its exit is a valuation, not cash.

    That is the buyer (Orange in Cloudwatt, SFR in Numergy) and ``"all"`` (whose stakes
    include the buyer's).
    """
    return investor == "all" or INVESTOR_ENTITIES[investor] == buyer_ids(dataset)[company_id]


def holder_ids(dataset: Dataset, company_id: str, investor: str) -> tuple[str, ...]:
    """Entity ids of the shareholders behind ``investor`` in one company.

    ``"all"`` gives every founding shareholder; another value its entity in
    :data:`analysis.data.holders.INVESTOR_ENTITIES` (``"state"`` is the ``cdc``), or ValueError
    if that entity did not hold the company.
    """
    rows = _founding_rows(dataset)
    held = tuple(dict.fromkeys(rows.loc[rows["company_id"] == company_id, "holder_id"]))
    if investor == "all":
        return held
    holder = INVESTOR_ENTITIES[investor]
    if holder not in held:
        raise ValueError(f"investor {investor!r} ({holder}) did not hold {company_id}")
    return (holder,)


def stakes(dataset: Dataset) -> pd.DataFrame:
    """Each founding shareholder's stake (%), one estimate per (company, holder).

    Columns: ``company_id``, ``holder_id``, ``on_behalf_of``, ``low``, ``central``,
    ``high``, ``open_low``, ``open_high``, ``n_observations``, ``source_ids``, ``rule``.
    SFR's stake in Numergy is 47 % in most sources and 46 % in two: a range.
    """
    rows = _founding_rows(dataset).assign(on_behalf_of=lambda f: f["on_behalf_of"].fillna(""))
    return evidence.estimate_by(
        rows, ["company_id", "holder_id", "on_behalf_of"], value_col="stake_pct"
    )


# --- money ---------------------------------------------------------------------------------


def capital(dataset: Dataset) -> pd.DataFrame:
    """Committed, paid-in and lost capital per company (all shareholders), EUR m.

    One row per (company, item): ``committed`` (the equity promised at the launch),
    ``paid_in`` (capital actually paid in, to end 2014 or January 2015 as reported),
    ``lost`` (cumulative net losses, one row per reported period). Columns: ``company_id``,
    ``item``, ``period``, ``low``, ``central``, ``high``, ``open_low``, ``open_high``,
    ``n_observations``, ``source_ids``, ``rule``.
    """
    events = dataset.capital_events
    rows = events.loc[
        events["company_id"].isin(COMPANIES)
        & events["investor_id"].isna()
        & events["event_type"].isin(["committed", "paid_in"])
        & events["amount_eur_m"].notna()
    ]
    money = evidence.estimate_by(rows, ["company_id", "event_type"], value_col="amount_eur_m")
    periods = rows.groupby(["company_id", "event_type"])["period_as_published"].agg(
        lambda s: "; ".join(dict.fromkeys(s))
    )
    money["period"] = [
        periods[key] for key in zip(money["company_id"], money["event_type"], strict=True)
    ]
    money = money.rename(columns={"event_type": "item"})
    lost = cumulative_losses(dataset).drop(columns="period_end_year").assign(item="lost")
    out = pd.concat([money, lost], ignore_index=True)
    order = {"committed": 0, "paid_in": 1, "lost": 2}
    out = out.sort_values(
        ["company_id", "item", "period"], key=lambda s: s.map(order) if s.name == "item" else s
    )
    columns = ["company_id", "item", "period", "low", "central", "high", "open_low"]
    columns += ["open_high", "n_observations", "source_ids", "rule"]
    return out[columns].reset_index(drop=True)


def state_money(dataset: Dataset) -> pd.DataFrame:
    """Every sourced figure of State money for the two clouds, side by side.

    They conflict (dossier conflict 8): 75 M EUR planned per company (150 for both), "at
    least 75" received by Cloudwatt, about 50 spent via the CDC, at most or exactly 75
    ("half" of 150) released. ``kind`` says which are commitments and which cash.
    Columns: ``company_id``, ``kind``, ``is_commitment``, ``amount_eur_m``, ``bound``
    (in words), ``period``, ``source_id``, ``publisher``.
    """
    events = dataset.capital_events
    rows = events.loc[
        (events["on_behalf_of"] == "french_state")
        & events["company_id"].isin([*COMPANIES, "cloudwatt_numergy"])
        & events["event_type"].isin(list(_STATE_EVENTS))
    ]
    publishers = dataset.sources.set_index("source_id")["publisher"]
    out = pd.DataFrame(
        {
            "company_id": rows["company_id"].to_numpy(),
            "kind": rows["event_type"].map(_STATE_EVENTS).to_numpy(),
            "is_commitment": rows["event_type"]
            .isin(["planned_public_funding", "public_funding_received"])
            .to_numpy(),
            "amount_eur_m": rows["amount_eur_m"].to_numpy(dtype=float),
            "bound": rows["bound"].map(_BOUND_WORDS).to_numpy(),
            "period": rows["period_as_published"].to_numpy(),
            "source_id": rows["source_id"].to_numpy(),
            "publisher": rows["source_id"].map(publishers).to_numpy(),
        }
    )
    order = {k: i for i, k in enumerate(_STATE_EVENTS.values())}
    return out.sort_values(
        ["kind", "company_id", "amount_eur_m"],
        key=lambda s: s.map(order) if s.name == "kind" else s,
    ).reset_index(drop=True)


def implied_state_paid_in(dataset: Dataset) -> pd.DataFrame:
    """The State's paid-in capital implied by its stakes x the paid-in totals (EUR m).

    A cross-check of the pro-rata assumption against the sourced State figures (about 50,
    at most 75). One row per company and a ``both`` row: ``low``, ``central``, ``high``.
    """
    st = stakes(dataset).set_index(["company_id", "holder_id"])
    paid = capital(dataset).set_index(["company_id", "item"])
    rows = []
    for cid in COMPANIES:
        stake = st.loc[(cid, "cdc")]
        total = paid.loc[(cid, "paid_in")]
        rows.append(
            {
                "company_id": cid,
                **{k: stake[k] / 100.0 * total[k] for k in ("low", "central", "high")},
                "source_ids": (*stake["source_ids"], *total["source_ids"]),
            }
        )
    both = {k: sum(r[k] for r in rows) for k in ("low", "central", "high")}
    ids = tuple(dict.fromkeys(i for r in rows for i in r["source_ids"]))
    rows.append({"company_id": "both", **both, "source_ids": ids})
    return pd.DataFrame(rows)


def _state_cash_rows(dataset: Dataset) -> pd.DataFrame:
    """The State's own cash paid into both clouds together (one row per source figure)."""
    events = dataset.capital_events
    return events.loc[
        (events["company_id"] == "cloudwatt_numergy")
        & (events["on_behalf_of"] == "french_state")
        & (events["event_type"] == "paid_in")
        & events["amount_eur_m"].notna()
    ]


def state_paid_in(dataset: Dataset) -> pd.DataFrame:
    """The State's paid-in capital in both clouds together, on each basis (EUR m).

    One row per ``basis``:

    - ``pro_rata``: the State's stakes x the companies' paid-in totals, to end 2014
      (:func:`implied_state_paid_in`);
    - ``own_cash``: the State's own cash figures for both clouds, by the ``span`` rule of
      :mod:`analysis.core.evidence` (BFM Business about 50 to 2015; Les Echos via Silicon.fr at
      most 75 to 2015-03; Next INpact 75, "half" of 150, to 2015-10); absent when the data
      hold none;
    - ``used``: what the model draws for the State (in both clouds, and split for each one):
      from the lowest to the highest figure of the two bases (their union), central at the
      ``own_cash`` central (the ``span`` rule on the State's own figures, which run to 2015,
      the year of the exits; the pro-rata basis stops at the end of 2014, before the 2015
      capital calls), or the pro-rata central when the data hold no cash figure.

    Columns: ``basis``, ``label``, ``low``, ``central``, ``high``, ``period``, ``rule``,
    ``source_ids``.

    >>> from analysis.data.io import load_dataset
    >>> state_paid_in(load_dataset())[["basis", "low", "high"]].round(2).values.tolist()
    [['pro_rata', 51.78, 55.94], ['own_cash', 50.0, 75.0], ['used', 50.0, 75.0]]
    >>> float(state_paid_in(load_dataset()).set_index("basis").loc["used", "central"])
    62.5
    """
    both = implied_state_paid_in(dataset).set_index("company_id").loc["both"]
    rows = [
        {
            "basis": "pro_rata",
            "label": "pro rata: the State's stakes x the paid-in totals",
            "low": float(both["low"]),
            "central": float(both["central"]),
            "high": float(both["high"]),
            "period": "2012-2014 (to early 2015 for Cloudwatt's upper figure)",
            "rule": "assumption: each shareholder paid its stake's share of the sourced totals",
            "source_ids": tuple(both["source_ids"]),
        }
    ]
    cash = _state_cash_rows(dataset)
    if not cash.empty:
        est = evidence.estimate_frame(cash, value_col="amount_eur_m")
        rows.append(
            {
                "basis": "own_cash",
                "label": "the State's own cash figures for both clouds",
                "low": est.low,
                "central": est.central,
                "high": est.high,
                "period": "; ".join(dict.fromkeys(cash["period_as_published"])),
                "rule": evidence.RULES["span"],
                "source_ids": est.source_ids,
            }
        )
    rows.append(
        {
            "basis": "used",
            "label": "used by the model",
            "low": min(r["low"] for r in rows),
            "central": rows[-1]["central"],
            "high": max(r["high"] for r in rows),
            "period": "2012 to 2015",
            "rule": (
                "union of the bases: lowest to highest figure; central = the central of the "
                "State's own cash figures by the span rule (they run to 2015, the year of the "
                "exits; the pro-rata figures stop at the end of 2014)"
                if len(rows) > 1
                else "the pro-rata basis (no cash figure in the data)"
            ),
            "source_ids": source_ids_of(*(r["source_ids"] for r in rows)),
        }
    )
    return pd.DataFrame(rows)


# --- dates ---------------------------------------------------------------------------------


def _publisher(dataset: Dataset, source_id: str) -> str:
    """The publisher of a source, for text shown to readers."""
    found = dataset.sources.loc[dataset.sources["source_id"] == source_id, "publisher"]
    return str(found.iloc[0]) if len(found) else source_id


def _precision(date_text: str) -> int:
    """3 for YYYY-MM-DD, 2 for YYYY-MM, 1 for YYYY (or a quarter)."""
    return {10: 3, 7: 2}.get(len(date_text), 1) if "Q" not in date_text else 1


def creation_dates(dataset: Dataset) -> pd.DataFrame:
    """Each company's creation date: the most precise sourced date (the earliest on a tie).

    A month-only date becomes the first day of that month, a named assumption. Columns:
    ``company_id``, ``date`` (datetime.date), ``as_published``, ``is_assumed``, ``why``,
    ``source_ids`` (the chosen date's), ``other_dates`` (the other sourced dates, as text).
    """
    events = dataset.events
    rows = []
    for cid in COMPANIES:
        found = events.loc[(events["entity_id"] == cid) & (events["event_type"] == "founded")]
        ranked = sorted(
            zip(found["date"], found["source_id"], strict=True),
            key=lambda d: (-_precision(d[0]), d[0]),
        )
        best, source = ranked[0]
        others = ", ".join(f"{d} ({_publisher(dataset, s)})" for d, s in ranked[1:])
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


def exit_dates(dataset: Dataset) -> dict[str, ExitDate]:
    """When each company's minority shareholders were bought out (the exit date).

    The completion date given to the day is used (Cloudwatt: 2015-03-20); sources that date
    it otherwise are listed in ``why``. A date known to the month is a window over that
    month; to the year only (Numergy: 2016), the first half of that year after the
    announcement (:data:`YEAR_ONLY_WINDOW`), a named assumption.
    """
    events = dataset.capital_events
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
        others = "; ".join(f"{d} ({_publisher(dataset, s)})" for d, s in ranked[1:])
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


# --- the model -----------------------------------------------------------------------------


def source_ids_of(*groups: Iterable[str]) -> tuple[str, ...]:
    """Source ids of several groups, each once, in first-seen order.

    >>> source_ids_of(("a", "b"), ("b", "c"))
    ('a', 'b', 'c')
    """
    return tuple(dict.fromkeys(i for group in groups for i in group if i))


def uses_state_cash(dataset: Dataset, company: str, investor: str) -> bool:
    """True when the model draws the State's paid-in from its figures for both clouds.

    That is the State, in one company or both, when the data hold the State's cash figures
    (which are for both clouds together; :func:`state_split` splits them by a stated rule).
    """
    company_ids(company)  # validates the value
    return investor == "state" and not _state_cash_rows(dataset).empty


def state_split(dataset: Dataset) -> dict[str, float]:
    """Each company's share of the State's paid-in over both clouds (a stated rule).

    No source splits the State's cash by company: it is split in proportion to the State's
    pro-rata paid-in at central inputs (its stake x each company's paid-in total).

    >>> from analysis.data.io import load_dataset
    >>> {k: round(v, 4) for k, v in state_split(load_dataset()).items()}
    {'cloudwatt': 0.6431, 'numergy': 0.3569}
    """
    implied = implied_state_paid_in(dataset).set_index("company_id")
    total = float(implied.loc[list(COMPANIES), "central"].sum())
    return {cid: float(implied.loc[cid, "central"]) / total for cid in COMPANIES}


def loss_rates(dataset: Dataset) -> pd.DataFrame:
    """The last reported yearly loss rate of each company (EUR m a year, positive).

    The candidates: the net loss of the latest year the data report for the company, and the
    loss of the last accounts year implied by two cumulative figures from the same start
    (e.g. 2012-2014 minus 2012-2013; when the earlier one is a lower bound, the implied
    figure is an upper bound). ``low`` / ``high`` are the smallest and largest candidate (the
    model draws uniformly between them; one candidate gives a fixed rate). Columns:
    ``company_id``, ``low``, ``central``, ``high``, ``why``, ``source_ids``.
    """
    fin = dataset.financials
    losses = cumulative_losses(dataset)
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


def equity_nil_at_exit(dataset: Dataset) -> dict[str, str]:
    """The companies whose book equity at the exit is bounded at nil by an event, with why.

    A safeguard procedure opened before the exit (the company could not go on without court
    protection; Numergy's opened on 2015-10-13 with cash for about six months) means the
    equity was near or below zero: the stake's book value is taken as nil.
    """
    events = dataset.events
    exits = exit_dates(dataset)
    fin = dataset.financials
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


def model_source_ids(
    dataset: Dataset,
    company: str,
    investor: str,
    *,
    with_losses: bool = True,
    with_revenue: bool = True,
) -> tuple[str, ...]:
    """Every source behind the inputs of :func:`model_inputs` for this company and investor.

    ``with_losses=False`` leaves out the cumulative losses (they only set the book value,
    unused when nothing comes back); ``with_revenue=False`` the revenue (it only feeds the
    losses per euro of revenue, not the return).
    """
    st = stakes(dataset)
    money = capital(dataset)
    created = creation_dates(dataset).set_index("company_id")
    exits = exit_dates(dataset)
    revenue = revenue_by_year(dataset) if with_revenue else None
    items = ["paid_in", "lost"] if with_losses else ["paid_in"]
    groups: list[Iterable[str]] = []
    for cid in company_ids(company):
        holders = holder_ids(dataset, cid, investor)
        groups += list(
            st.loc[(st["company_id"] == cid) & st["holder_id"].isin(holders), "source_ids"]
        )
        rows = money.loc[(money["company_id"] == cid) & money["item"].isin(items)]
        if with_losses:  # the latest period only: the one the model uses, and the loss rate
            groups.append(loss_rates(dataset).set_index("company_id").loc[cid, "source_ids"])
            lost = cumulative_losses(dataset)
            lost = lost.loc[lost["company_id"] == cid]
            latest = lost.loc[lost["period_end_year"] == lost["period_end_year"].max()]
            rows = rows.loc[(rows["item"] == "paid_in") | rows["period"].isin(latest["period"])]
        groups += list(rows["source_ids"])
        groups += [created.loc[cid, "source_ids"], exits[cid].source_ids]
        if revenue is not None:
            groups.append(
                cumulative_revenue(revenue, cid, totals=cumulative_revenue_observations(dataset))[
                    "source_ids"
                ]
            )
    if uses_state_cash(dataset, company, investor):
        groups.append(state_paid_in(dataset).set_index("basis").loc["used", "source_ids"])
    return source_ids_of(*groups)


def _from_estimate(row: pd.Series, label: str, why: str) -> sc.Distribution:
    """A fixed value, or a triangular range peaking at the estimate's central value."""
    if row["low"] == row["high"]:
        return sc.Fixed(float(row["central"]), label, why)
    return sc.Triangular(float(row["low"]), float(row["central"]), float(row["high"]), label, why)


def _cited(ids: Sequence[str], dataset: Dataset) -> str:
    return evidence.cite(ids, dataset.sources).removeprefix("Sources: ")


def _range_text(row: pd.Series) -> str:
    if row["low"] == row["high"]:
        return f"{row['central']:g}"
    return f"{row['low']:g} to {row['high']:g} (central {row['central']:g})"


def model_inputs(
    dataset: Dataset,
    company: str,
    investor: str,
    exit_scenario: sc.ExitScenario = "range",
    *,
    pay_in_timing: sc.PayInTiming = "random",
) -> sc.InvestmentModel:
    """The returns model of one investor (or all) in one company (or both), from data/.

    Every input's ``why`` names its sources or states the assumption. Ranges come from the
    sourced figures (triangular, peaking at the evidence's central value); the exit price
    follows ``exit_scenario`` (see :mod:`analysis.core.scenarios`).
    """
    stake_table = stakes(dataset).set_index(["company_id", "holder_id"])
    money = capital(dataset)
    losses = cumulative_losses(dataset)
    rates = loss_rates(dataset).set_index("company_id")
    nil_equity = equity_nil_at_exit(dataset)
    created = creation_dates(dataset).set_index("company_id")
    exits = exit_dates(dataset)
    revenue = revenue_by_year(dataset)
    who = {"state": "the State", "bull": "Bull"}.get(investor, INVESTOR_NAMES[investor])
    state_cash = uses_state_cash(dataset, company, investor)
    companies = []
    for cid in company_ids(company):
        name = COMPANY_NAMES[cid]
        holders = holder_ids(dataset, cid, investor)
        if investor == "all":
            total = sum(stake_table.loc[(cid, h), "central"] for h in holders)
            stake: sc.Distribution = sc.Fixed(
                100.0,
                f"{name}: stake of all shareholders together (%)",
                f"assumption: all shareholders together own the whole company (the rounded "
                f"published stakes sum to {total:g} %)",
            )
        else:
            row = stake_table.loc[(cid, holders[0])]
            stake = _from_estimate(
                row,
                f"{name}: {who}'s stake (%)",
                f"sourced: {_range_text(row)} % ({_cited(row['source_ids'], dataset)})",
            )
        paid = money.loc[(money["company_id"] == cid) & (money["item"] == "paid_in")].iloc[0]
        split_note = (
            "; for the State it sets the book value and splits the State's paid-in between the "
            "two companies"
            if state_cash
            else ""
        )
        paid_in = _from_estimate(
            paid,
            f"{name}: capital paid in by all shareholders (EUR m)",
            f"sourced: {_range_text(paid)} ({_cited(paid['source_ids'], dataset)}); "
            "assumption: no capital paid in after these figures (2015 capital calls are not "
            f"reported and not modelled for the companies){split_note}",
        )
        lost = losses.loc[(losses["company_id"] == cid)]
        lost = lost.loc[lost["period_end_year"] == lost["period_end_year"].max()].iloc[0]
        lost_input = _from_estimate(
            lost,
            f"{name}: cumulative losses {lost['period']} (EUR m)",
            f"sourced: {_range_text(lost)} ({_cited(lost['source_ids'], dataset)}); "
            f"assumption: book value at the exit = paid-in minus these losses minus the "
            f"losses carried from the end of {LAST_ACCOUNTS_YEAR} to the exit",
        )
        rate_row = rates.loc[cid]
        rate_text = (
            f"{rate_row['low']:g}"
            if rate_row["low"] == rate_row["high"]
            else f"{rate_row['low']:g} to {rate_row['high']:g}, uniform"
        )
        rate_input = _from_range(
            rate_row,
            f"{name}: net losses per year after {LAST_ACCOUNTS_YEAR}, carried to the exit "
            "(EUR m a year)",
            f"sourced + assumption: the last reported loss rate, {rate_text} "
            f"({rate_row['why']}; {_cited(rate_row['source_ids'], dataset)}); assumption: "
            f"losses went on at this rate from the end of {LAST_ACCOUNTS_YEAR} to the exit "
            "(no later accounts are reported)",
        )
        rev = cumulative_revenue(revenue, cid, totals=cumulative_revenue_observations(dataset))
        rev_input = _from_estimate(
            pd.Series(rev),
            f"{name}: revenue {rev['period']}, cumulative (EUR m)",
            f"sourced: {_range_text(pd.Series(rev))} ({_cited(rev['source_ids'], dataset)}); "
            f"{rev['assumption']}",
        )
        creation = created.loc[cid]
        dates = sc.pay_in_dates(creation["date"], last_year=LAST_ACCOUNTS_YEAR)
        exit_date = exits[cid]
        exit_label = (
            f"{name}: buyout date (the stake's valuation date)"
            if is_valuation(dataset, cid, investor)
            else f"{name}: date the stake was sold"
        )
        exit_value = exit_date.value
        exit_input: sc.Distribution = (
            sc.UniformDate(*exit_value, exit_label, exit_date.why)
            if isinstance(exit_value, tuple)
            else sc.Fixed(exit_value, exit_label, exit_date.why)
        )
        companies.append(
            sc.CompanyInputs(
                cid,
                stake_pct=stake,
                paid_in_total_eur_m=paid_in,
                cumulative_losses_eur_m=lost_input,
                revenue_eur_m=rev_input,
                pay_in_dates=dates,
                exit_date=exit_input,
                revenue_year=LAST_ACCOUNTS_YEAR,
                accounts_date=dt.date(LAST_ACCOUNTS_YEAR, 12, 31),
                loss_rate_eur_m_per_year=rate_input,
                equity_nil_at_exit=cid in nil_equity,
                sources={
                    "tranche_share": (
                        f"assumption: paid in tranches on {', '.join(map(str, dates))} "
                        f"(the creation date, then 1 July of each year to "
                        f"{LAST_ACCOUNTS_YEAR}); the split was not published"
                        + (
                            ", so every split is equally likely"
                            if pay_in_timing == "random"
                            else ", taken as equal"
                        )
                    )
                },
            )
        )
    own_total = _state_paid_in_input(dataset) if state_cash else None
    split = None
    if state_cash:
        shares = state_split(dataset)
        split = {cid: shares[cid] for cid in company_ids(company)}
    return sc.InvestmentModel(
        investor,
        tuple(companies),
        exit_scenario,
        pay_in_timing,
        paid_in_eur_m=own_total,
        paid_in_split=split,
        npv_date=min(created["date"]),
    )


def _from_range(row: pd.Series, label: str, why: str) -> sc.Distribution:
    """A fixed value, or a uniform draw between the row's low and high."""
    if row["low"] == row["high"]:
        return sc.Fixed(float(row["low"]), label, why)
    return sc.Uniform(float(row["low"]), float(row["high"]), label, why)


def _state_paid_in_input(dataset: Dataset) -> sc.Distribution:
    """The State's paid-in over both clouds: the union of its two bases (triangular)."""
    bases = state_paid_in(dataset).set_index("basis")
    used, pro, cash = bases.loc["used"], bases.loc["pro_rata"], bases.loc["own_cash"]
    cash_rows = _state_cash_rows(dataset)
    listed = "; ".join(
        f"{'' if b == 'point' else _BOUND_WORDS[b] + ' '}{v:g} by "
        f"{p.removeprefix('to ')} ({_publisher(dataset, s)})"
        for v, b, p, s in sorted(
            zip(
                cash_rows["amount_eur_m"],
                cash_rows["bound"],
                cash_rows["period_as_published"],
                cash_rows["source_id"],
                strict=True,
            ),
            key=lambda r: (r[2], r[0]),
        )
    )
    split = state_split(dataset)
    shares = ", ".join(f"{COMPANY_NAMES[c]} {100 * v:.1f} %" for c, v in split.items())
    why = (
        "sourced + assumption: the union of two bases. Pro rata, the State's stakes x the "
        f"paid-in totals to end 2014: {pro['low']:.1f} to {pro['high']:.1f} "
        f"({_cited(pro['source_ids'], dataset)}). The State's own cash figures for both "
        f"clouds: {listed}. Used: {used['low']:.1f} to {used['high']:.1f}, central "
        f"{used['central']:.1f} (the span rule on the State's own figures, which run to 2015, "
        f"the year of the exits; the pro-rata central, {pro['central']:.1f}, stops at the end "
        f"of 2014), triangular and symmetric about the central, so the central is also the "
        f"median draw. Split between the companies ({shares}) in proportion to the State's "
        "pro-rata paid-in at central inputs, the same in every view, since no source splits "
        "the State's cash by company. Assumption: money above the pro-rata figure was 2015 "
        "capital calls; it is spread over the same tranches as the rest (paid later, it "
        "would make the IRR lower still) and paid for the 2015 losses, adding nothing to the "
        "book value at the exit"
    )
    low, high = float(used["low"]), float(used["high"])
    central = float(used["central"])
    del cash
    return sc.Triangular(
        low,
        central,
        high,
        "The State's paid-in over both clouds, its own cash figures or pro rata (EUR m)",
        why,
    )


def _state_basis_rows(dataset: Dataset, model: sc.InvestmentModel) -> list[Assumption]:
    """The two bases of the State's paid-in, side by side, and which one this run uses."""
    bases = state_paid_in(dataset).set_index("basis")
    used_here = model.paid_in_eur_m is not None
    rows = []
    for basis, r in bases.iterrows():
        if basis == "used":
            continue
        span = f"{r['low']:.1f} to {r['high']:.1f} (central {r['central']:.1f}) EUR m"
        if basis == "pro_rata":
            why = (
                f"sourced + assumption: stakes and paid-in totals "
                f"({_cited(r['source_ids'], dataset)}), pro rata"
            )
        else:
            why = f"sourced: {_cited(r['source_ids'], dataset)} ({r['period']})"
        if used_here:
            why += "; the model uses the union of the two bases"
        elif basis == "pro_rata":
            why += "; used in this run"
        else:
            why += "; for both clouds together, not split by any source: not used for one company"
        rows.append(
            Assumption(
                f"The State's paid-in, both clouds: {r['label']}",
                span,
                _basis(why),
                why,
                tuple(r["source_ids"]),
            )
        )
    return rows


def _basis(why: str) -> str:
    if why.startswith("assumption"):
        return "assumption"
    if "assumption" in why:
        return "sourced + assumption"
    return "sourced"


def assumptions_table(
    dataset: Dataset, model: sc.InvestmentModel, discount_rate: float
) -> pd.DataFrame:
    """What the results rest on: every model input and every named assumption.

    Columns: ``name``, ``value`` (a value or a range, in words), ``basis`` (``sourced``,
    ``assumption`` or ``sourced + assumption``) and ``why`` (sources by publisher, or the
    assumption in words).
    """
    spec = sc.build_spec(model)
    rows = [
        Assumption(d.label, d.text(), _basis(d.why), d.why)
        for d in (spec[name] for name in spec.names)
    ]
    created = creation_dates(dataset).set_index("company_id")
    for company in model.companies:
        cid = company.company_id
        rows.append(
            Assumption(
                f"{COMPANY_NAMES[cid]}: creation date (first pay-in)",
                str(company.pay_in_dates[0]),
                _basis(created.loc[cid, "why"]),
                created.loc[cid, "why"],
            )
        )
    multi = len(model.companies) > 1
    if model.investor_id == "state":
        rows += _state_basis_rows(dataset, model)
    rows += [
        Assumption(
            "Discount rate for the NPV",
            f"{discount_rate:.1%} a year",
            "assumption",
            "assumption: a parameter of the notebook (the return a public investor could "
            "have had elsewhere); the NPV is in EUR m of the first pay-in date",
        ),
        Assumption(
            "Each investor's pay-ins",
            "the State's paid-in above, split as stake x capital paid in"
            if model.paid_in_eur_m is not None
            else "stake x capital paid in by all shareholders",
            "assumption",
            "assumption: only totals are published; each shareholder is taken to have paid in "
            "pro rata to its stake"
            + (
                " (for the State the total comes from its own figures too; the split between "
                "the companies stays pro rata)"
                if model.paid_in_eur_m is not None
                else ""
            ),
        ),
        Assumption(
            "Capital and losses after 2014",
            "losses carried to the exit; 2015 capital calls paid for them",
            "assumption",
            "assumption: no source gives accounts after 2014 or 2015 capital calls by company; "
            "the book equity at the exit is paid-in minus the losses to the end of 2014 minus "
            "the losses carried to the exit date at the last reported yearly loss rate (an "
            "input above), and 2015 capital calls are taken to have paid for those losses",
        ),
        *(
            Assumption(
                f"{COMPANY_NAMES[cid]}: book equity at the exit",
                "nil",
                "sourced + assumption",
                why,
            )
            for cid, why in equity_nil_at_exit(dataset).items()
            if cid in {c.company_id for c in model.companies}
        ),
        Assumption(
            "Exit price",
            {"zero": "nothing", "book": "the stake's book value", "range": "0 to book value"}[
                model.exit_scenario
            ],
            "assumption",
            "assumption: no source gives the buyout prices (Orange for Thales' and the CDC's "
            "stakes in Cloudwatt; SFR for the CDC's and Atos' stakes in Numergy)",
        ),
        Assumption(
            "Buyers' stakes",
            "valued at the buyout date at the sellers' price",
            "assumption",
            "assumption: Orange (Cloudwatt) and SFR (Numergy) did not sell; their stake, and "
            "all shareholders' for investor 'all', is valued as if sold on the buyout date: a "
            "paper valuation, not cash. For all shareholders together the buyout moved money "
            "between shareholders and brought nothing back to the group; what the buyers paid "
            "and spent afterwards (until Cloudwatt was switched off, Numergy dissolved) is in "
            "no source",
        ),
    ]
    if multi:
        rows.append(
            Assumption(
                "Both companies",
                "flows added per date",
                "assumption",
                "assumption: the two positions are one portfolio; MOIC, IRR and NPV are "
                "computed on the summed flows",
            )
        )
    return pd.DataFrame(
        [{"name": a.name, "value": a.value, "basis": a.basis, "why": a.why} for a in rows]
    )
