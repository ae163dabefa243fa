"""One run of the market-position report: the geography's series, tables and summary facts.

:func:`market_context` gathers, for a dataset and a :class:`~analysis.params.MarketParams`,
everything the sections share: the geography's series (``data/markets.csv``), the share and
size figures of the window, the *reference series* whose shares are drawn (the one with the
most share figures, :func:`analysis.market.facts.reference_market`), its shares reduced and
made disjoint, by origin, its concentration, and the milestones of the State's bet. It is
computed once per dataset and parameter set.

:func:`summary_facts` reads the answers off it (the big three's latest share, the European
providers' change, the concentration quoted, the market's growth, OVHcloud's scale), and the
``*_sentence`` functions word them, for the overview and for the sections that discuss them.

Rules stated where the report uses them:

- a change or a growth rate is computed within one release of an analyst where the data
  allows (:func:`analysis.market.sizes.same_release`); when it cannot be, the report says that the
  two ends come from different releases;
- a company's revenue is set only against a market whose scope can contain it
  (:data:`REVENUE_SCOPES`, :data:`WHOLE_MARKET_SCOPES`): the same or a wider geography, and a
  series of the whole cloud market.

Text from the data (entity and series names, publishers, periods, release notes) goes into
the sentences through :func:`analysis.report.textsafe.md`, once: :meth:`MarketContext.name`,
:meth:`MarketContext.series_text` and :func:`analysis.report.blocks.publishers_md` give it
Markdown-safe; :meth:`MarketContext.label` and :meth:`MarketContext.series` give it raw, for
tables (escaped by ``to_html``) and plain-text notes; figures get it through
:meth:`MarketContext.figure_labels` and :meth:`MarketContext.cite` (``$`` escaped).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.core.evidence import cite
from analysis.data.io import Dataset
from analysis.market import facts as mf
from analysis.market.concentration import concentration
from analysis.market.shares import (
    OTHER_UNKNOWN,
    by_origin,
    disjoint_shares,
    shares_table,
    with_other_unknown,
)
from analysis.market.sizes import (
    cagr_over_window,
    release_pairs,
    same_release,
    scale_table,
    size_series,
    with_releases,
)
from analysis.params import MarketParams
from analysis.report.blocks import (
    figure_text,
    fmt_number,
    fmt_points,
    fmt_range,
    publishers_md,
)
from analysis.report.textsafe import md

__all__ = [
    "GEO_ADJECTIVES",
    "ORIGIN_LABELS",
    "REST_LABEL",
    "REVENUE_SCOPES",
    "SHARE_RANGE",
    "WHOLE_MARKET_SCOPES",
    "Facts",
    "MarketContext",
    "annual_sizes",
    "big3_sentence",
    "bound_word",
    "cagr_sentence",
    "concentration_sentence",
    "end_notes",
    "european_sentence",
    "growth_rows",
    "latest_published_growth",
    "market_context",
    "published_growth_sentence",
    "revenue_scope_text",
    "revenue_text",
    "scale_frame",
    "scale_pct",
    "scale_sentence",
    "series_growth",
    "size_metric",
    "summary_facts",
    "window_xlim",
]

#: adjective of each geography in sentences
GEO_ADJECTIVES = {"france": "French", "europe": "European", "worldwide": "worldwide"}
#: legend labels of the origin groups
ORIGIN_LABELS = {
    "us": "US providers",
    "european": "European providers (French included)",
    "french": "French providers (part of European)",
    "other": "Providers of other origins",
    "unattributed": "Other / unknown (not attributed to an origin)",
}
#: label of the part of the market no source names
REST_LABEL = "Other / unknown (rest of the market)"
#: what each revenue figure covers: (company, metric) -> (geography, what it sells, words).
#: An assumption of the report, from what the companies sold: Cloudwatt and Numergy sold
#: cloud services in France; OVHcloud's revenue is earned in every country it serves and
#: includes web hosting and domain names besides its private and public cloud.
REVENUE_SCOPES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("cloudwatt", "revenue_eur_m"): ("france", "cloud", "cloud services sold in France"),
    ("numergy", "revenue_eur_m"): ("france", "cloud", "cloud services sold in France"),
    ("ovhcloud", "revenue_eur_m"): (
        "worldwide",
        "cloud and web hosting",
        "all countries; cloud, web hosting and domains",
    ),
    ("ovhcloud", "revenue_france_eur_m"): (
        "france",
        "cloud and web hosting",
        "France only; cloud, web hosting and domains",
    ),
}
#: market scopes (markets.csv) that cover the whole cloud market, so can contain a cloud
#: provider's whole revenue in their geography
WHOLE_MARKET_SCOPES = ("total_cloud", "cloud_incl_hosting", "cloud_services_solutions")
#: geographies a market of each geography contains
_CONTAINS = {
    "france": {"france"},
    "europe": {"france", "europe"},
    "worldwide": {"france", "europe", "worldwide"},
}
#: the share range columns of the shares tables
SHARE_RANGE = ["share_low_pct", "share_central_pct", "share_high_pct"]


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class MarketContext:
    """Everything the sections share for one dataset and one parameter set.

    ``markets``: the geography's rows of markets.csv; ``shares`` and ``sizes``: its raw
    revenue-share and size rows in the window, with the release of each figure
    (:func:`analysis.market.sizes.with_releases`); ``ref``: the reference series (None when no
    share falls in the window); ``table``: its shares reduced (low/central/high), marked
    disjoint, with the unnamed rest; ``origins`` and ``conc``: by origin and concentration;
    ``milestones``: the milestones of the State's bet inside the window.
    """

    ds: Dataset
    params: MarketParams
    markets: pd.DataFrame
    labels: dict[str, str]
    shares: pd.DataFrame
    sizes: pd.DataFrame
    ref: str | None
    table: pd.DataFrame
    origins: pd.DataFrame
    conc: pd.DataFrame
    milestones: pd.DataFrame

    @property
    def geo(self) -> str:
        """'French', 'European' or 'worldwide'."""
        return GEO_ADJECTIVES[self.params.market]

    @property
    def window(self) -> str:
        """The window as written in sentences: '2012-2025'."""
        return f"{self.params.start_year}-{self.params.end_year}"

    def label(self, entity_id: str) -> str:
        """The name of an entity (entities.csv) as written, for tables (escaped by
        ``to_html``); a sentence uses :meth:`name`, a figure :meth:`figure_labels`."""
        if entity_id == OTHER_UNKNOWN:
            return REST_LABEL
        return self.labels.get(entity_id, entity_id)

    def name(self, entity_id: str) -> str:
        """The name of an entity for a Markdown sentence: :meth:`label` made inert."""
        return md(self.label(entity_id))

    def series(self, market_id: str) -> str:
        """A series' name as it reads mid-sentence ('the worldwide ... market'), as plain
        text; a Markdown sentence uses :meth:`series_text`."""
        name = self.label(market_id)
        return name[0].lower() + name[1:] if name.startswith("Worldwide") else name

    def series_text(self, market_id: str) -> str:
        """:meth:`series` made inert for a Markdown sentence."""
        return md(self.series(market_id))

    def figure_labels(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Legend and point labels for a figure: every entity's name (plus ``extra``, id ->
        raw label), with ``$`` escaped so that matplotlib never reads it as mathtext."""
        labels = {**self.labels, OTHER_UNKNOWN: REST_LABEL, **(extra or {})}
        return {key: figure_text(value) for key, value in labels.items()}

    def cite(self, ids: Iterable[str], prefix: str = "") -> str:
        """The source line of a figure (:func:`analysis.core.evidence.cite`), after ``prefix``
        (raw text): ``$`` escaped for matplotlib, once, over the whole line."""
        ids = [i for i in ids if isinstance(i, str) and i]
        note = cite(ids, self.ds.sources) if ids else "Sources: none"
        return figure_text(f"{prefix}{note}" if prefix else note)


_CACHE: dict[tuple[str, str, str], MarketContext] = {}


def market_context(ds: Dataset, params: MarketParams) -> MarketContext:
    """The context of one run, built once per dataset (checksum) and parameter set."""
    key = (ds.checksum, str(ds.data_dir), params.model_dump_json())
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = _build_context(ds, params)
    return _CACHE[key]


def _build_context(ds: Dataset, params: MarketParams) -> MarketContext:
    start, end = params.start_year, params.end_year
    markets = ds.markets.loc[ds.markets["geography"] == params.market].copy()
    labels = dict(zip(ds.entities["entity_id"], ds.entities["name"], strict=True))
    labels = {str(k): str(v) for k, v in labels.items()}
    ids = list(markets["market_id"])
    shares = ds.market_shares.loc[
        ds.market_shares["market_id"].isin(ids)
        & (ds.market_shares["metric"] == "revenue_share")
        & ds.market_shares["year"].between(start, end)
    ]
    sizes = ds.market_sizes.loc[
        ds.market_sizes["market_id"].isin(ids) & ds.market_sizes["year"].between(start, end)
    ]
    shares, sizes = with_releases(shares, ds.sources), with_releases(sizes, ds.sources)
    ref = mf.reference_market(shares, mf.comparable_markets(markets), start, end)
    empty = pd.DataFrame()
    table = origins = conc = empty
    if ref is not None:
        reduced = shares_table(shares, ref)
        table = with_other_unknown(disjoint_shares(reduced, ds.entities, ds.group_members))
        origins = by_origin(reduced, ds.entities, ds.group_members)
        conc = concentration(reduced, ds.entities, ds.group_members, top3_group=mf.BIG3_GROUP)
    ms = mf.milestones(ds.events, ds.capital_events, ds.entities)
    ms = ms.loc[ms["x"].between(start, end + 1)].reset_index(drop=True)
    return MarketContext(ds, params, markets, labels, shares, sizes, ref, table, origins, conc, ms)


def window_xlim(ctx: MarketContext) -> tuple[float, float]:
    """The time axis of the charts: the whole window, so that years without figures show."""
    return (ctx.params.start_year, ctx.params.end_year + 1)


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Facts:
    """The answers the overview and the key numbers quote (None where the data has none).

    ``big3``/``big3_first``: latest and first rows of :func:`analysis.market.facts.big3_share`;
    ``european``: European providers' change (:func:`analysis.market.facts.release_change`
    when one provider figure stands for the origin at both ends, else
    :func:`analysis.market.facts.origin_change`) and ``european_releases`` the same figures
    release by release; ``conc``: :func:`analysis.market.facts.latest_concentration`;
    ``cagr``: the growth of the series ``cagr_market`` (within one release where the data
    allows, see :func:`growth_rows`) and ``cagr_note`` its bounds and forecasts in words;
    ``scale``: OVHcloud's row of :func:`scale_frame` (a market that can contain the revenue
    compared), and ``scale_note`` what it compares (or why there is none); ``growth``: the
    latest growth rate the analyst published for ``cagr_market``
    (:func:`latest_published_growth`), a figure of one release by construction, which the
    report quotes before ``cagr`` (a rate that may mix releases or rest on a bound).
    """

    big3: pd.Series | None
    big3_first: pd.Series | None
    european: pd.Series | None
    european_releases: pd.DataFrame
    conc: pd.Series | None
    cagr: pd.Series | None
    cagr_market: str | None
    cagr_note: str
    scale: pd.Series | None
    scale_note: str
    growth: pd.Series | None = None


def size_metric(ctx: MarketContext, market_id: str) -> str:
    """The size metric of a series in its own currency: ``size_eur_bn`` or ``size_usd_bn``."""
    currency = ctx.markets.loc[ctx.markets["market_id"] == market_id, "currency"].iloc[0]
    return f"size_{str(currency).lower()}_bn"


_MEMO: dict[tuple, tuple[MarketContext, object]] = {}


def _memo(ctx: MarketContext, key: tuple, build):
    """A value computed once per context (contexts are cached and never change)."""
    hit = _MEMO.get((id(ctx), *key))
    if hit is not None and hit[0] is ctx:
        return hit[1]
    if len(_MEMO) > 512:
        _MEMO.clear()
    value = build()
    _MEMO[(id(ctx), *key)] = (ctx, value)
    return value


def annual_sizes(ctx: MarketContext, market_id: str, metric: str | None = None) -> pd.DataFrame:
    """One market's annual sizes in the window (forecasts only for years without actuals)."""
    metric = metric or size_metric(ctx, market_id)

    def build() -> pd.DataFrame:
        rows = ctx.sizes.loc[
            (ctx.sizes["market_id"] == market_id) & (ctx.sizes["metric"] == metric)
        ]
        if rows.empty:
            return pd.DataFrame()
        return size_series(rows, market_id, metric, include_forecast=True)

    return _memo(ctx, ("sizes", market_id, metric), build).copy()


def growth_rows(ctx: MarketContext, market_id: str, metric: str | None = None) -> pd.DataFrame:
    """The raw annual rows behind :func:`annual_sizes` (one series, one metric), with their
    releases: forecasts only for years without an actual figure."""
    metric = metric or size_metric(ctx, market_id)
    rows = ctx.sizes.loc[
        (ctx.sizes["market_id"] == market_id)
        & (ctx.sizes["metric"] == metric)
        & (ctx.sizes["period_type"] == "year")
    ]
    forecast = rows["is_forecast"].fillna(False).astype(bool)
    actual_years = set(rows.loc[~forecast, "year"])
    return rows.loc[~forecast | ~rows["year"].isin(actual_years)]


def _cagr_series(ctx: MarketContext) -> tuple[str | None, pd.DataFrame]:
    """The size series whose growth the report quotes: the reference series if it has two
    annual figures in the window, else the series with the most annual figures."""
    counts = []
    for market_id in mf.comparable_markets(ctx.markets):
        series = annual_sizes(ctx, market_id)
        if len(series) >= 2:
            counts.append((market_id != ctx.ref, -len(series), market_id, series))
    if not counts:
        return None, pd.DataFrame()
    _, _, market_id, series = sorted(counts, key=lambda c: c[:3])[0]
    return market_id, series


def end_notes(series: pd.DataFrame, years: Iterable[int]) -> str:
    """``'the 2020 figure is a forecast and only a lower bound'`` for the ends of a rate."""
    parts = []
    for year in years:
        row = series.loc[series["year"] == year].iloc[0]
        what = ["a forecast"] if bool(row["is_forecast"]) else []
        if bool(row["open_high"]) and not bool(row["open_low"]):
            what.append("only a lower bound")
        elif bool(row["open_low"]) and not bool(row["open_high"]):
            what.append("only an upper bound")
        if what:
            parts.append(f"the {int(year)} figure is {' and '.join(what)}")
    return "; ".join(parts)


def bound_word(series: pd.DataFrame, first: int, last: int) -> str:
    """'at most' / 'at least' when an end of a growth rate is only a bound."""
    start = series.loc[series["year"] == first].iloc[0]
    end = series.loc[series["year"] == last].iloc[0]
    upper = bool(start["open_high"]) or bool(end["open_low"])  # start too low / end too high
    lower = bool(start["open_low"]) or bool(end["open_high"])
    if upper and not lower:
        return "at most"
    if lower and not upper:
        return "at least"
    return "about" if upper and lower else ""


def _labels(rows: pd.DataFrame, year: int) -> str:
    return "; ".join(dict.fromkeys(rows.loc[rows["year"] == year, "release_label"].astype(str)))


def series_growth(ctx: MarketContext, market_id: str, series: pd.DataFrame) -> pd.Series:
    """Growth of one size series over the window, within one release where possible.

    The widest pair of annual sizes published in one release (:func:`release_pairs`; actual
    figures before forecasts) gives the rate; without one, the rate runs between the first
    and last years of the window (:func:`analysis.market.sizes.cagr_over_window`) and
    ``is_same_release`` is False: the two ends come from different releases.

    Returns :func:`analysis.market.sizes.cagr_over_window`'s fields plus ``is_same_release``,
    ``release`` (the release of a same-release pair), ``start_release``, ``end_release``,
    ``bound`` (``at most`` / ``at least`` / ``about`` / empty) and ``source_ids``.
    """
    start, end = ctx.params.start_year, ctx.params.end_year
    rows = growth_rows(ctx, market_id)
    pairs = release_pairs(rows)
    if len(pairs):
        pairs = pairs.sort_values("is_forecast", kind="stable")
        best = pairs.iloc[0]
        out = pd.Series(
            {
                "start_year": int(best["start_year"]),
                "end_year": int(best["end_year"]),
                "years": float(best["years"]),
                "start_central": float(best["start_value"]),
                "end_central": float(best["end_value"]),
                "cagr_low_pct": float(best["cagr_pct"]),
                "cagr_central_pct": float(best["cagr_pct"]),
                "cagr_high_pct": float(best["cagr_pct"]),
                "is_from_bound": bool(best["bound"]),
                "reason": "",
                "is_same_release": True,
                "release": str(best["release_label"]),
                "bound": str(best["bound"]),
                "source_ids": tuple(best["source_ids"]),
            },
            name="cagr",
        )
    else:
        out = cagr_over_window(series, start, end)
        out["is_same_release"] = False
        out["release"] = ""
        out["bound"] = ""
        out["source_ids"] = ()
        if not out["reason"]:
            first, last = int(out["start_year"]), int(out["end_year"])
            out["bound"] = bound_word(series, first, last)
            out["source_ids"] = tuple(
                dict.fromkeys(
                    [
                        *series.loc[series["year"] == first, "source_ids"].iloc[0],
                        *series.loc[series["year"] == last, "source_ids"].iloc[0],
                    ]
                )
            )
    ok = not out["reason"]
    out["start_release"] = _labels(rows, int(out["start_year"])) if ok else ""
    out["end_release"] = _labels(rows, int(out["end_year"])) if ok else ""
    return out


def _scale_key(company_id: str, metric: str) -> str:
    return f"{company_id}:france" if metric == "revenue_france_eur_m" else company_id


def _revenue_scopes(companies: Sequence[str]) -> list[tuple[str, str, str, str, str]]:
    """``(key, company, metric, geography, products)`` of every revenue compared."""
    out = []
    for company in companies:
        for (cid, metric), (geo, products, _) in REVENUE_SCOPES.items():
            if cid == company:
                out.append((_scale_key(cid, metric), cid, metric, geo, products))
    return out


def revenue_scope_text(company_key: str) -> str:
    """What a revenue of :func:`scale_frame` covers, in words (empty when unknown)."""
    company, _, part = company_key.partition(":")
    metric = "revenue_france_eur_m" if part == "france" else "revenue_eur_m"
    return REVENUE_SCOPES.get((company, metric), ("", "", ""))[2]


_GEO_NAMES = {"france": "France", "europe": "Europe", "worldwide": "the world"}


def _refusal(geo: str, market: pd.Series) -> str:
    """Why a market cannot contain a revenue of geography ``geo`` (empty when it can)."""
    if geo not in _CONTAINS[str(market["geography"])]:
        return f"earned beyond {_GEO_NAMES[str(market['geography'])]}"
    if str(market["scope"]) not in WHOLE_MARKET_SCOPES:
        return "the series covers only part of the cloud market"
    return ""


def scale_frame(
    ctx: MarketContext, company_ids: Sequence[str]
) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """Revenue against the EUR size series of the geography that can contain it, year by year.

    A revenue (:data:`REVENUE_SCOPES`) is compared with a series only when the series'
    geography contains where the revenue is earned and its scope is the whole cloud market
    (:data:`WHOLE_MARKET_SCOPES`): a company's whole revenue against a sub-market (public
    IaaS+PaaS, hosted private cloud) would read as a share it cannot have. OVHcloud's
    revenue in France is its own row (``company_id = "ovhcloud:france"``).

    Returns
    -------
    (DataFrame, int, DataFrame) : :func:`analysis.market.sizes.scale_table` rows for every
        compatible company, year and series, plus ``market_is_forecast``,
        ``pct_open_low``/``pct_open_high`` (the ratio is only a bound) and ``source_ids``;
        the number of revenue figures left out because their year is inferred; and the
        comparisons refused (``company_id``, ``market_id``, ``years``, ``reason``) for years
        where both figures exist. USD series are never used (no exchange rate).
    """
    start, end = ctx.params.start_year, ctx.params.end_year
    frames, refused, dropped = [], [], 0
    markets = ctx.markets.set_index("market_id", drop=False)
    for key, company, metric, geo, _ in _revenue_scopes(company_ids):
        revenues, more = mf.revenue_estimates(
            ctx.ds.financials, [company], start, end, metric=metric
        )
        dropped += more
        if revenues.empty:
            continue
        revenues = revenues.assign(company_id=key)
        for market_id in ctx.markets["market_id"]:
            series = annual_sizes(ctx, market_id, "size_eur_bn")
            if series.empty:
                continue
            years = sorted(set(series["year"]) & set(revenues["year"]))
            if not years:
                continue
            why = _refusal(geo, markets.loc[market_id])
            if why:
                refused.append((key, market_id, tuple(years), why))
                continue
            frames.append(_scale_rows(revenues, series))
    refusals = pd.DataFrame.from_records(
        refused, columns=["company_id", "market_id", "years", "reason"]
    )
    if not frames:
        return pd.DataFrame(), dropped, refusals
    return pd.concat(frames, ignore_index=True), dropped, refusals


def _scale_rows(revenues: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    out = scale_table(revenues, series)
    out = out.loc[out["market_size_central_eur_bn"].notna()]
    flags = series.set_index("year")
    rev = revenues.set_index(["company_id", "year"])
    keys = list(zip(out["company_id"], out["year"], strict=True))
    return out.assign(
        market_is_forecast=out["year"].map(flags["is_forecast"]).astype(bool),
        pct_open_low=[
            bool(rev.loc[k, "open_low"]) or bool(flags.loc[k[1], "open_high"]) for k in keys
        ],
        pct_open_high=[
            bool(rev.loc[k, "open_high"]) or bool(flags.loc[k[1], "open_low"]) for k in keys
        ],
        source_ids=[
            tuple(dict.fromkeys([*rev.loc[k, "source_ids"], *flags.loc[k[1], "source_ids"]]))
            for k in keys
        ],
    )


def _european_facts(ctx: MarketContext) -> tuple[pd.Series | None, pd.DataFrame]:
    """European providers' change, within one release when one provider figure stands for
    the origin at both ends; and that provider's figures release by release."""
    change = mf.origin_change(ctx.origins, "european")
    if change is None:
        return None, pd.DataFrame()
    rows = ctx.origins.loc[ctx.origins["origin_group"] == "european"].set_index("period")
    bases = {str(rows.loc[change[p], "basis"]) for p in ("first_period", "latest_period")}
    if len(bases) != 1 or "+" in next(iter(bases)):
        # several providers make the origin's figure: no single series of releases to pair
        out = change.copy()
        out["is_same_release"], out["release_label"], out["bound"] = False, "", ""
        return out, pd.DataFrame()
    (provider,) = bases
    raw = ctx.shares.loc[
        (ctx.shares["market_id"] == ctx.ref) & (ctx.shares["provider_id"] == provider)
    ]
    paired = mf.release_change(raw, change["first_period"], change["latest_period"])
    releases = mf.changes_by_release(raw)
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


def summary_facts(ctx: MarketContext) -> Facts:
    """Read the run's answers off its context (see :class:`Facts`); computed once per context."""
    return _memo(ctx, ("facts",), lambda: _summary_facts(ctx))


def _summary_facts(ctx: MarketContext) -> Facts:
    big3 = big3_first = european = conc = None
    releases = pd.DataFrame()
    if ctx.ref is not None:
        b3 = mf.big3_share(ctx.table, ctx.ds.group_members)
        if not b3.empty:
            big3, big3_first = b3.iloc[-1], b3.iloc[0]
        european, releases = _european_facts(ctx)
        conc = mf.latest_concentration(ctx.conc)
    cagr_market, series = _cagr_series(ctx)
    cagr, cagr_note = None, ""
    if cagr_market is not None and ctx.params.start_year < ctx.params.end_year:
        cagr = series_growth(ctx, cagr_market, series)
        if not cagr["reason"]:
            first, last = int(cagr["start_year"]), int(cagr["end_year"])
            parts = [cagr["bound"], end_notes(series, [first, last])]
            if not cagr["is_same_release"]:
                parts.append("the two ends come from different releases")
            cagr_note = "; ".join(p for p in parts if p)
    scale, scale_note = None, ""
    frame, _, refused = scale_frame(ctx, ["ovhcloud"])
    if not frame.empty:
        rows = frame.sort_values(["market_size_central_eur_bn"], ascending=False, kind="stable")
        actual = rows.loc[~rows["market_is_forecast"]]
        pick = actual if len(actual) else rows
        scale = pick.sort_values("year", kind="stable").iloc[-1]
        scale_note = (
            f"OVHcloud's revenue of fiscal {int(scale['year'])} "
            f"({revenue_scope_text(str(scale['company_id']))}) against the "
            f"{ctx.series(str(scale['market_id']))} of {int(scale['year'])}"
        )
    elif ctx.params.market == "worldwide" and not _has_eur_sizes(ctx):
        scale_note = "worldwide series are in USD and no exchange-rate assumption is made"
    elif len(refused):
        scale_note = (
            "OVHcloud's revenue (all countries; cloud, web hosting and domains) is "
            + " and ".join(dict.fromkeys(refused["reason"]))
            + f", so no {ctx.geo} series of the same year can contain it"
        )
    else:
        scale_note = "no OVHcloud revenue and EUR market size for the same year in the window"
    growth = None
    if cagr_market is not None:
        growth = latest_published_growth(ctx.sizes, cagr_market)
    return Facts(
        big3,
        big3_first,
        european,
        releases,
        conc,
        cagr,
        cagr_market,
        cagr_note,
        scale,
        scale_note,
        growth,
    )


#: period types of a published growth rate, most readable first (a tie on the year goes to it)
_GROWTH_PERIODS = ("year", "trailing_4q", "half_year", "quarter")


def latest_published_growth(sizes: pd.DataFrame, market_id: str) -> pd.Series | None:
    """The latest growth rate an analyst published for one series, as published.

    A published rate compares two periods of the same release, so it never mixes releases,
    unlike a rate computed between two sizes published years apart. Forecasts, multi-year
    rates and figures of a year only partly covered are left out; the latest year wins, then
    the longest period (a year before four trailing quarters, a half-year, a quarter).
    Where sources give different figures for the period, the range spans them (central:
    their median).

    Returns
    -------
    Series or None : ``market_id``, ``period``, ``period_type``, ``year``, ``low``,
        ``central``, ``high`` (percent, on the same period a year earlier) and
        ``source_ids``; None when the series has no such figure.

    >>> sizes = pd.DataFrame({"market_id": "w", "metric": "growth_pct",
    ...     "period": ["2023", "2025-Q4", "2025-Q4", "2026"],
    ...     "period_type": ["year", "quarter", "quarter", "year"], "year": [2023, 2025, 2025, 2026],
    ...     "value": [19.0, 30.0, 29.0, 25.0], "is_forecast": [False, False, False, True],
    ...     "source_id": ["a", "b", "c", "d"]})
    >>> g = latest_published_growth(sizes, "w")
    >>> g["period"], g["low"], g["central"], g["high"], g["source_ids"]
    ('2025-Q4', 29.0, 29.5, 30.0, ('b', 'c'))
    """
    rows = sizes.loc[
        (sizes["market_id"] == market_id)
        & (sizes["metric"] == "growth_pct")
        & sizes["period_type"].isin(_GROWTH_PERIODS)
        & ~sizes["is_forecast"].fillna(False).astype(bool)
    ]
    if rows.empty:
        return None
    rank = rows["period_type"].map({p: i for i, p in enumerate(_GROWTH_PERIODS)})
    rows = rows.assign(_rank=rank).sort_values(["year", "_rank"], ascending=[False, True])
    first = rows.iloc[0]
    same = rows.loc[(rows["period"] == first["period"]) & (rows["_rank"] == first["_rank"])]
    values = same["value"].astype(float)
    return pd.Series(
        {
            "market_id": market_id,
            "period": str(first["period"]),
            "period_type": str(first["period_type"]),
            "year": int(first["year"]),
            "low": float(values.min()),
            "central": float(values.median()),
            "high": float(values.max()),
            "source_ids": tuple(dict.fromkeys(same["source_id"].astype(str))),
        },
        name="growth",
    )


_GROWTH_BASES = {
    "year": "on the year before",
    "trailing_4q": "over four quarters, on the four quarters before",
    "half_year": "on the same half a year earlier",
    "quarter": "on the same quarter a year earlier",
}


def published_growth_sentence(ctx: MarketContext, facts: Facts) -> str:
    """The analyst's latest published growth rate of the quoted series (one release)."""
    g = facts.growth
    if g is None or facts.cagr_market is None:
        return ""
    rate = fmt_range(g["low"], g["central"], g["high"])
    return (
        f"The {ctx.series_text(facts.cagr_market)} grew {rate} in {md(g['period'])} "
        f"{_GROWTH_BASES[str(g['period_type'])]}, as the analyst published it "
        f"({publishers_md(g['source_ids'], ctx.ds.sources)}): the latest growth rate of one "
        f"release."
    )


def _has_eur_sizes(ctx: MarketContext) -> bool:
    return bool(
        (
            (ctx.sizes["metric"] == "size_eur_bn")
            & (ctx.sizes["period_type"] == "year")
            & ~ctx.sizes["is_forecast"].fillna(False).astype(bool)
        ).any()
    )


# --------------------------------------------------------------------------- sentences


def big3_sentence(ctx: MarketContext, facts: Facts) -> str:
    """The big three's latest share of the reference series, against its first in the window."""
    if ctx.ref is None:
        return (
            f"No {ctx.geo} series has a share figure in {ctx.window}: where the providers stand "
            f"is not known for this window."
        )
    if facts.big3 is None:
        return (
            f"The {ctx.series_text(ctx.ref)} gives no share for Amazon, Microsoft and Google "
            f"together in {ctx.window}."
        )
    last, first = facts.big3, facts.big3_first
    share = fmt_range(last["low"], last["central"], last["high"])
    basis = str(last["basis"])
    if basis == "group figure and sum of members":
        members = fmt_range(last["members_low"], last["members_central"], last["members_high"])
        basis = f"the published group figure; its three members' shares add up to {members}"
    text = (
        f"Amazon, Microsoft and Google held {share} "
        f"of the {ctx.series_text(ctx.ref)} in {md(last['period'])} ({basis}; "
        f"{publishers_md(last['source_ids'], ctx.ds.sources)})"
    )
    if first["period"] != last["period"]:
        text += (
            f", against {fmt_range(first['low'], first['central'], first['high'])} in "
            f"{md(first['period'])}, the first figure in the window"
        )
        if not _one_release(ctx, first, last):
            text += " (from an earlier release of the analyst, which may have revised it since)"
    return text + "."


def _one_release(ctx: MarketContext, first: pd.Series, last: pd.Series) -> bool:
    """Whether two figures of the reference series have sources from one release."""
    rows = ctx.shares.loc[ctx.shares["market_id"] == ctx.ref]
    a = rows.loc[(rows["period"] == first["period"]) & rows["source_id"].isin(first["source_ids"])]
    b = rows.loc[(rows["period"] == last["period"]) & rows["source_id"].isin(last["source_ids"])]
    return any(same_release(x, y) for x in a.to_dict("records") for y in b.to_dict("records"))


def european_sentence(ctx: MarketContext, facts: Facts) -> str:
    """European providers' share in their first and latest period, and the change."""
    if ctx.ref is None:
        return ""
    e = facts.european
    if e is None:
        present = ctx.origins.loc[ctx.origins["origin_group"] == "european"]
        if present.empty:
            return (
                f"The {ctx.series_text(ctx.ref)} names no European provider in {ctx.window}: "
                f"their share is inside the figures not attributed to an origin."
            )
        row = present.iloc[0]
        return (
            f"European providers held {fmt_range(*row[SHARE_RANGE])} in {md(row['period'])}, "
            f"the only period of the window with their share."
        )
    bound = " (named providers only: a lower bound)" if e["is_lower_bound"] else ""
    change = fmt_points(e["change_low_pp"], e["change_central_pp"], e["change_high_pp"])
    first, latest = md(e["first_period"]), md(e["latest_period"])
    if not e.get("is_same_release", False):
        return (
            f"European providers' share went from "
            f"{fmt_range(e['first_low'], e['first_central'], e['first_high'])} in "
            f"{first} to "
            f"{fmt_range(e['latest_low'], e['latest_central'], e['latest_high'])} in "
            f"{latest}{bound}: {change}; these figures are not paired by "
            f"release, so they may come from different releases."
        )
    word = f"{e['bound']} " if e["bound"] else ""
    text = (
        f"European providers' share went from {fmt_number(e['first_central'])} % in "
        f"{first} to {fmt_number(e['latest_central'])} % in {latest} "
        f"in one release ({md(e['release_label'])}){bound}: {word}{change}"
    )
    if int(e.get("n_releases", 1)) > 1:
        text += (
            f". The range pairs the {latest} figure with the {first} "
            f"figure of each of the {int(e['n_releases'])} releases that give one: the "
            f"analyst restated {first} from one release to the next, a revision "
            f"of its past figures, not a movement of the market"
        )
    return text + "."


def concentration_sentence(ctx: MarketContext, facts: Facts) -> str:
    """CR3 and the HHI range of the period quoted, and why the HHI is a range."""
    c = facts.conc
    if ctx.ref is None:
        return ""
    if c is None:
        return f"No period of the {ctx.series_text(ctx.ref)} allows a concentration estimate."
    period = md(c["period"])
    if pd.notna(c["cr3_low_pct"]):
        cr3 = fmt_range(c["cr3_low_pct"], c["cr3_central_pct"], c["cr3_high_pct"])
        if pd.isna(c["cr3_central_pct"]):
            cr3 = f"between {fmt_number(c['cr3_low_pct'])} and {fmt_number(c['cr3_high_pct'])} %"
        head = f"In {period} the three largest providers held {cr3}"
    else:
        head = f"In {period} the three largest providers' share is unknown"
    why = {
        "provider-level": "the firms outside the named ones are not split",
        "group-level": "the big three are published only as a group, their split unknown",
        "hhi-only": "no three firms are named",
    }[str(c["level"])]
    top = "" if c["hhi_is_max_exact"] else ", a ceiling approached only by extreme splits"
    text = (
        f"{head}; the HHI lies between {fmt_number(c['hhi_min'])} and "
        f"{fmt_number(c['hhi_max'])}{top} (0-10,000 scale), a range because {why}."
    )
    b = facts.big3
    if b is not None and str(b["period"]) != str(c["period"]):
        text += (
            f" It is quoted for {period}, not for {md(b['period'])} (the big three's latest "
            f"figure), because {period} is the latest period in which "
            + (
                "the sources name three providers one by one"
                if c["level"] == "provider-level"
                else "a concentration estimate is possible"
            )
            + (
                f"; in {md(b['period'])} the group figure ({fmt_number(b['central'])} %) and "
                f"the sum of its members' shares "
                f"({fmt_range(b['members_low'], b['members_central'], b['members_high'])}) differ"
                if str(b["basis"]) == "group figure and sum of members"
                and fmt_number(b["central"]) != fmt_number(b["members_central"])
                else ""
            )
            + "."
        )
    return text


def cagr_sentence(ctx: MarketContext, facts: Facts) -> str:
    """The growth of the quoted size series over the window, with the years and releases."""
    g = facts.cagr
    if g is None:
        if ctx.params.start_year == ctx.params.end_year:
            return "A one-year window has no growth rate."
        return (
            f"No {ctx.geo} series has market sizes for two years in {ctx.window}: the growth "
            f"of the market is not known from one series."
        )
    if g["reason"]:
        return (
            f"The growth of the {ctx.series_text(facts.cagr_market)} is not computed: "
            f"{g['reason']}."
        )
    unit = size_metric(ctx, facts.cagr_market).removeprefix("size_").replace("_", " ").upper()
    series = annual_sizes(ctx, facts.cagr_market)
    word = g["bound"]
    rate = fmt_range(g["cagr_low_pct"], g["cagr_central_pct"], g["cagr_high_pct"], " % a year")
    first, last = int(g["start_year"]), int(g["end_year"])
    ends = end_notes(series, [first, last]) if not g["is_same_release"] else ""
    text = (
        f"The {ctx.series_text(facts.cagr_market)} grew {word + ' ' if word else ''}{rate} from "
        f"{first} to {last} ({fmt_number(g['start_central'])} to "
        f"{fmt_number(g['end_central'])} bn {unit.split()[0]}{'; ' + ends if ends else ''}"
    )
    if g["is_same_release"]:
        return text + f"; both from one release: {md(g['release'])})."
    return (
        text + f"). The two ends come from different releases ({md(g['start_release'])} for "
        f"{first}; {md(g['end_release'])} for {last}) and no release of this series gives two "
        f"annual sizes: analysts revise past figures, so this rate mixes revisions with growth."
    )


def scale_pct(row: pd.Series) -> str:
    """A company's revenue as % of a market, with 'at most' when the market is a lower bound."""
    return fmt_range(
        row["share_of_market_low_pct"],
        row["share_of_market_central_pct"],
        row["share_of_market_high_pct"],
        open_low=bool(row["pct_open_low"]),
        open_high=bool(row["pct_open_high"]),
    )


def revenue_text(row: pd.Series) -> str:
    """A revenue range of a scale or revenue row: ``'252 M EUR (250 to 254)'``."""
    return fmt_range(
        row["revenue_low_eur_m"], row["revenue_central_eur_m"], row["revenue_high_eur_m"], " M EUR"
    )


def scale_sentence(ctx: MarketContext, facts: Facts) -> str:
    """OVHcloud's revenue against a series that can contain it, or why it is not computed."""
    s = facts.scale
    if s is None:
        return (
            f"OVHcloud's scale against the {ctx.geo} market is not computed: "
            f"{md(facts.scale_note)}."
        )
    return (
        f"OVHcloud's revenue of fiscal {int(s['year'])}, {revenue_text(s)} "
        f"({revenue_scope_text(str(s['company_id']))}), was {scale_pct(s)} of the "
        f"{ctx.series_text(s['market_id'])} that year "
        f"({fmt_number(s['market_size_central_eur_bn'])} bn EUR): a measure of scale, not a "
        f"market share."
    )
