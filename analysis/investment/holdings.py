"""Who held what in Cloudwatt and Numergy, and the money: stakes, capital, the State's money.

Frames in, frames out: each function takes the data tables or the frames it needs (see
:func:`analysis.investment.inputs.investment_data`, which computes each of them once). Every
figure becomes an explicit low / central / high estimate (:mod:`analysis.core.evidence`,
rule ``span``) with its source ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from analysis.core import evidence
from analysis.data.holders import INVESTOR_ENTITIES
from analysis.investment.accounts import COMPANIES

__all__ = [
    "BOUND_WORDS",
    "COMPANY_NAMES",
    "HOLDER_NAMES",
    "INVESTOR_NAMES",
    "buyer_ids",
    "capital",
    "company_ids",
    "founding_rows",
    "holder_ids",
    "implied_state_paid_in",
    "is_valuation",
    "source_ids_of",
    "stakes",
    "state_cash_rows",
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
_STATE_EVENTS = {
    "planned_public_funding": "commitment: planned State money",
    "public_funding_received": "stated as received (may restate the commitment)",
    "paid_in": "cash paid in by the State",
    "redirected": "unspent, moved to other projects",
}
BOUND_WORDS = {"point": "as stated", "approx": "about", "lower": "at least", "upper": "at most"}


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


def founding_rows(holdings: pd.DataFrame) -> pd.DataFrame:
    """Stakes held before the buyouts (the 100 % of a buyer afterwards left out).

    ``holdings`` is the ``shareholdings`` table of the data.
    """
    keep = holdings["company_id"].isin(COMPANIES) & (holdings["stake_pct"] < 100.0)
    return holdings.loc[keep]


def buyer_ids(events: pd.DataFrame) -> dict[str, str]:
    """The shareholder that bought out the others, per company (from the completed buyouts).

    ``events`` is the ``capital_events`` table of the data.

    >>> from analysis.data.io import load_dataset
    >>> buyer_ids(load_dataset().capital_events)
    {'cloudwatt': 'orange', 'numergy': 'sfr'}
    """
    done = events.loc[
        events["company_id"].isin(COMPANIES) & (events["event_type"] == "buyout_completed")
    ]
    return {
        cid: str(done.loc[done["company_id"] == cid, "investor_id"].iloc[0]) for cid in COMPANIES
    }


def is_valuation(buyers: dict[str, str], company_id: str, investor: str) -> bool:
    """True when the investor did not sell at the buyout: its exit is a valuation, not cash.

    That is the buyer (Orange in Cloudwatt, SFR in Numergy; ``buyers`` from
    :func:`buyer_ids`) and ``"all"`` (whose stakes include the buyer's).

    >>> is_valuation({"cloudwatt": "orange"}, "cloudwatt", "thales")
    False
    """
    return investor == "all" or INVESTOR_ENTITIES[investor] == buyers[company_id]


def holder_ids(founding: pd.DataFrame, company_id: str, investor: str) -> tuple[str, ...]:
    """Entity ids of the shareholders behind ``investor`` in one company.

    ``"all"`` gives every founding shareholder; another value its entity in
    :data:`analysis.data.holders.INVESTOR_ENTITIES` (``"state"`` is the ``cdc``), or ValueError
    if that entity did not hold the company. ``founding`` is :func:`founding_rows`.
    """
    rows = founding
    held = tuple(dict.fromkeys(rows.loc[rows["company_id"] == company_id, "holder_id"]))
    if investor == "all":
        return held
    holder = INVESTOR_ENTITIES[investor]
    if holder not in held:
        raise ValueError(f"investor {investor!r} ({holder}) did not hold {company_id}")
    return (holder,)


def stakes(founding: pd.DataFrame) -> pd.DataFrame:
    """Each founding shareholder's stake (%), one estimate per (company, holder).

    Columns: ``company_id``, ``holder_id``, ``on_behalf_of``, ``low``, ``central``,
    ``high``, ``open_low``, ``open_high``, ``n_observations``, ``source_ids``, ``rule``.
    SFR's stake in Numergy is 47 % in most sources and 46 % in two: a range. ``founding``
    is :func:`founding_rows`.
    """
    rows = founding.assign(on_behalf_of=lambda f: f["on_behalf_of"].fillna(""))
    return evidence.estimate_by(
        rows, ["company_id", "holder_id", "on_behalf_of"], value_col="stake_pct"
    )


# --- money ---------------------------------------------------------------------------------


def capital(events: pd.DataFrame, losses: pd.DataFrame) -> pd.DataFrame:
    """Committed, paid-in and lost capital per company (all shareholders), EUR m.

    One row per (company, item): ``committed`` (the equity promised at the launch),
    ``paid_in`` (capital actually paid in, to end 2014 or January 2015 as reported),
    ``lost`` (cumulative net losses, one row per reported period). Columns: ``company_id``,
    ``item``, ``period``, ``low``, ``central``, ``high``, ``open_low``, ``open_high``,
    ``n_observations``, ``source_ids``, ``rule``. ``events`` is the ``capital_events`` table,
    ``losses`` :func:`analysis.investment.accounts.cumulative_losses`.
    """
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
    lost = losses.drop(columns="period_end_year").assign(item="lost")
    out = pd.concat([money, lost], ignore_index=True)
    order = {"committed": 0, "paid_in": 1, "lost": 2}
    out = out.sort_values(
        ["company_id", "item", "period"], key=lambda s: s.map(order) if s.name == "item" else s
    )
    columns = ["company_id", "item", "period", "low", "central", "high", "open_low"]
    columns += ["open_high", "n_observations", "source_ids", "rule"]
    return out[columns].reset_index(drop=True)


def state_money(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Every sourced figure of State money for the two clouds, side by side.

    They conflict (dossier conflict 8): 75 M EUR planned per company (150 for both), "at
    least 75" received by Cloudwatt, about 50 spent via the CDC, at most or exactly 75
    ("half" of 150) released. ``kind`` says which are commitments and which cash.
    Columns: ``company_id``, ``kind``, ``is_commitment``, ``amount_eur_m``, ``bound``
    (in words), ``period``, ``source_id``, ``publisher``. ``events`` is the
    ``capital_events`` table, ``sources`` the sources table.
    """
    rows = events.loc[
        (events["on_behalf_of"] == "french_state")
        & events["company_id"].isin([*COMPANIES, "cloudwatt_numergy"])
        & events["event_type"].isin(list(_STATE_EVENTS))
    ]
    publishers = sources.set_index("source_id")["publisher"]
    out = pd.DataFrame(
        {
            "company_id": rows["company_id"].to_numpy(),
            "kind": rows["event_type"].map(_STATE_EVENTS).to_numpy(),
            "is_commitment": rows["event_type"]
            .isin(["planned_public_funding", "public_funding_received"])
            .to_numpy(),
            "amount_eur_m": rows["amount_eur_m"].to_numpy(dtype=float),
            "bound": rows["bound"].map(BOUND_WORDS).to_numpy(),
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


def implied_state_paid_in(stake_table: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """The State's paid-in capital implied by its stakes x the paid-in totals (EUR m).

    A cross-check of the pro-rata assumption against the sourced State figures (about 50,
    at most 75). One row per company and a ``both`` row: ``low``, ``central``, ``high``.
    ``stake_table`` is :func:`stakes`, ``money`` :func:`capital`.
    """
    st = stake_table.set_index(["company_id", "holder_id"])
    paid = money.set_index(["company_id", "item"])
    rows: list[dict[str, Any]] = []
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


def state_cash_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The State's own cash paid into both clouds together (one row per source figure).

    ``events`` is the ``capital_events`` table.
    """
    return events.loc[
        (events["company_id"] == "cloudwatt_numergy")
        & (events["on_behalf_of"] == "french_state")
        & (events["event_type"] == "paid_in")
        & events["amount_eur_m"].notna()
    ]


def state_paid_in(implied: pd.DataFrame, cash: pd.DataFrame) -> pd.DataFrame:
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
    ``source_ids``. ``implied`` is :func:`implied_state_paid_in`, ``cash``
    :func:`state_cash_rows`.

    >>> from analysis.investment.inputs import investment_data
    >>> from analysis.data.io import load_dataset
    >>> data = investment_data(load_dataset())
    >>> bases = state_paid_in(data.implied_state, data.state_cash)
    >>> bases[["basis", "low", "high"]].round(2).values.tolist()
    [['pro_rata', 51.78, 55.94], ['own_cash', 50.0, 75.0], ['used', 50.0, 75.0]]
    >>> float(bases.set_index("basis").loc["used", "central"])
    62.5
    """
    both = implied.set_index("company_id").loc["both"]
    rows: list[dict[str, Any]] = [
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


def source_ids_of(*groups: Iterable[str]) -> tuple[str, ...]:
    """Source ids of several groups, each once, in first-seen order.

    >>> source_ids_of(("a", "b"), ("b", "c"))
    ('a', 'b', 'c')
    """
    return tuple(dict.fromkeys(i for group in groups for i in group if i))


def uses_state_cash(cash: pd.DataFrame, company: str, investor: str) -> bool:
    """True when the model draws the State's paid-in from its figures for both clouds.

    That is the State, in one company or both, when the data hold the State's cash figures
    (which are for both clouds together; :func:`state_split` splits them by a stated rule).
    ``cash`` is :func:`state_cash_rows`.
    """
    company_ids(company)  # validates the value
    return investor == "state" and not cash.empty


def state_split(implied: pd.DataFrame) -> dict[str, float]:
    """Each company's share of the State's paid-in over both clouds (a stated rule).

    No source splits the State's cash by company: it is split in proportion to the State's
    pro-rata paid-in at central inputs (its stake x each company's paid-in total);
    ``implied`` is :func:`implied_state_paid_in`.

    >>> implied = pd.DataFrame({"company_id": ["cloudwatt", "numergy", "both"],
    ...     "central": [33.3, 18.48, 51.78]})
    >>> {k: round(v, 4) for k, v in state_split(implied).items()}
    {'cloudwatt': 0.6431, 'numergy': 0.3569}
    """
    implied = implied.set_index("company_id")
    total = float(implied.loc[list(COMPANIES), "central"].sum())
    return {cid: float(implied.loc[cid, "central"]) / total for cid in COMPANIES}
