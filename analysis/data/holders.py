"""The investors a notebook can be asked about and the shareholder each stands for in data/.

A vocabulary shared by the parameter schemas (:mod:`analysis.params`) and the investment domain
(:mod:`analysis.investment.model`): the ``investor`` parameter's values against the
``holder_id`` of ``data/shareholdings.csv``. Kept here, under both, so that neither imports the
other.
"""

from __future__ import annotations

__all__ = ["INVESTOR_ENTITIES"]

#: investor parameter value -> entity id of the holder in data/shareholdings.csv
INVESTOR_ENTITIES: dict[str, str] = {
    "state": "cdc",  # the Caisse des Dépôts held the stakes for the State
    "orange": "orange",
    "thales": "thales",
    "sfr": "sfr",
    "bull": "bull",
}
