"""The change of an origin's share in the reference series, read within one release.

Analysts restate past periods from one release to the next, so a change of share is read
within one release where one provider figure stands for the origin at both ends.
"""

from __future__ import annotations

import pandas as pd

from analysis.market.facts import changes_by_release, origin_change, release_change
from analysis.market.window import MarketWindow

__all__ = ["european_change"]


def european_change(window: MarketWindow) -> tuple[pd.Series | None, pd.DataFrame]:
    """European providers' change of share in the reference series, within one release when
    one provider figure stands for the origin at both ends; and that provider's figures
    release by release.

    Returns
    -------
    (Series or None, DataFrame) : :func:`analysis.market.facts.origin_change`'s fields, where
        a release pairs the two ends replaced by :func:`analysis.market.facts.release_change`'s
        (``first_central``, ``latest_central``, ``change_*_pp``, ``bound``,
        ``release_label``, ``n_releases``), plus ``is_same_release``; and
        :func:`analysis.market.facts.changes_by_release` of that provider (empty when several
        providers make the origin's figure). None when fewer than two periods give a share.
    """
    change = origin_change(window.origins, "european")
    if change is None:
        return None, pd.DataFrame()
    rows = window.origins.loc[window.origins["origin_group"] == "european"].set_index("period")
    bases = {str(rows.loc[change[p], "basis"]) for p in ("first_period", "latest_period")}
    if len(bases) != 1 or "+" in next(iter(bases)):
        # several providers make the origin's figure: no single series of releases to pair
        out = change.copy()
        out["is_same_release"], out["release_label"], out["bound"] = False, "", ""
        return out, pd.DataFrame()
    (provider,) = bases
    raw = window.shares.loc[
        (window.shares["market_id"] == window.ref) & (window.shares["provider_id"] == provider)
    ]
    paired = release_change(raw, change["first_period"], change["latest_period"])
    releases = changes_by_release(raw)
    if paired is None:
        out = change.copy()
        out["is_same_release"], out["release_label"], out["bound"] = False, "", ""
        return out, releases
    out = change.copy()
    for name in ("first_central", "latest_central", "bound", "is_same_release"):
        out[name] = paired[name]
    out["release_label"] = paired["release_label"]
    out["n_releases"] = paired["n_releases"]
    for end in ("low", "central", "high"):
        out[f"change_{end}_pp"] = paired[f"change_{end}_pp"]
    return out, releases
