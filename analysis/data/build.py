"""Build the CSV tables of ``data/`` from the research dossier and a curated mapping.

Inputs (read only):

- the dossier ``domain_facts.csv`` (one sourced figure per row: entity, metric, period, value,
  unit, source_url, publisher, published, note), by default the project's copy
  ``data/raw/domain_facts.csv`` (an unchanged copy of the research file; see
  ``data/raw/README.md``);
- ``data/build/dossier_map.csv``: one or more lines per dossier row, keyed by its
  ``fact_key``, naming the target table, ids, metric, normalised dates, bound, flags and a
  short note of our own (never the dossier's note);
- ``data/build/source_map.csv``: id, title, language, dates and relay of every source URL;
- ``data/build/entities.csv``, ``markets.csv``, ``group_members.csv``: definitions;
- ``data/datapackage.json``: the hand-maintained Table Schemas the result must pass.

``fact_key`` is the first 10 hex characters of the SHA-1 of
``entity|metric|period|source_url`` (UTF-8), the four dossier fields joined by ``|``.

Numbers are converted with :class:`decimal.Decimal` by the factor declared for the pair
(dossier unit, unit of the target column or metric suffix) in :data:`CONVERSIONS`, and
written as their shortest exact decimal text. A mapping line may flip the sign (``sign=-``)
only for net results stated as losses.

The tables are written to a temporary directory, validated there exactly as
``check-data`` does (schema and cross-row rules), and only then moved into the data
directory, file by file (``os.replace``), so a failed build never leaves a half-written
table behind.

Command line (wired as ``python -m analysis build-data``)::

    python -m analysis.data.build [--dossier PATH] [--data-dir DIR]

Exit status 0 on success, 2 with a one-line ``error:`` message on bad input.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from analysis.data.validate import validate_data_dir

__all__ = [
    "CONVERSIONS",
    "DOSSIER_COLUMNS",
    "FACT_TABLES",
    "MAP_COLUMNS",
    "TABLE_COLUMNS",
    "BuildError",
    "Curated",
    "build_tables",
    "convert",
    "fact_key",
    "main",
    "read_csv",
    "read_curated",
    "read_dossier",
    "render_csv",
    "target_unit",
    "write_data",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / "data"
#: default dossier: the project's own copy of the research file, data/raw/domain_facts.csv
DEFAULT_DOSSIER = DEFAULT_DATA_DIR / "raw" / "domain_facts.csv"
BUILD_DIR = DEFAULT_DATA_DIR / "build"
DESCRIPTOR_PATH = DEFAULT_DATA_DIR / "datapackage.json"

DOSSIER_COLUMNS = (
    "entity", "metric", "period", "value", "unit", "source_url", "publisher", "published", "note",
)  # fmt: skip

#: output columns of every table, in file order (the schema in datapackage.json matches)
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "sources": (
        "source_id", "publisher", "title", "title_origin", "url", "published",
        "published_approx", "date_note", "language", "relays",
    ),
    "entities": ("entity_id", "name", "kind", "origin", "membership", "note"),
    "group_members": ("group_id", "member_id"),
    "markets": ("market_id", "geography", "scope", "analyst", "currency", "definition"),
    "shareholdings": (
        "company_id", "holder_id", "on_behalf_of", "stake_pct", "bound", "valid_from",
        "valid_to", "period_as_published", "value_origin", "source_id", "fact_key", "note",
    ),
    "capital_events": (
        "event_id", "company_id", "investor_id", "on_behalf_of", "event_type", "amount_eur_m",
        "amount_status", "bound", "price_eur_per_share", "period_start", "period_end",
        "period_as_published", "value_origin", "source_id", "fact_key", "note",
    ),
    "financials": (
        "company_id", "market_id", "metric", "fiscal_year", "period_start", "period_end",
        "period_as_published", "value", "bound", "is_forecast", "is_period_inferred",
        "value_origin", "source_id", "fact_key", "note",
    ),
    "plan_targets": (
        "company_id", "metric", "target_year", "target_year_as_published", "value", "bound",
        "plan", "value_origin", "source_id", "fact_key", "note",
    ),
    "market_sizes": (
        "market_id", "period", "period_type", "year", "metric", "value", "bound",
        "is_forecast", "release_note", "period_as_published", "value_origin", "source_id",
        "fact_key", "note",
    ),
    "market_shares": (
        "market_id", "period", "period_type", "year", "provider_id", "metric", "share_pct",
        "bound", "release_note", "period_as_published", "value_origin", "source_id",
        "fact_key", "note",
    ),
    "events": (
        "entity_id", "event_type", "date", "date_as_published", "label", "value_origin",
        "source_id", "fact_key", "note",
    ),
    "public_funding": (
        "programme_id", "metric", "value", "bound", "period_start", "period_end",
        "period_as_published", "is_forecast", "value_origin", "source_id", "fact_key", "note",
    ),
}  # fmt: skip

#: tables filled from the mapping (the others are definitions copied from data/build/)
FACT_TABLES = (
    "shareholdings", "capital_events", "financials", "plan_targets", "market_sizes",
    "market_shares", "events", "public_funding",
)  # fmt: skip

MAP_COLUMNS = (
    "fact_key", "seq", "table", "value_origin", "value_as_written", "unit_as_written", "sign",
    "subject_id", "counterpart_id", "on_behalf_of", "market_id", "metric", "bound",
    "amount_status", "year", "period", "period_type", "start", "end", "as_published",
    "is_forecast", "is_period_inferred", "plan", "release_note", "label", "note",
)  # fmt: skip

_E = Decimal
#: exact factor from a dossier unit to an output unit: CONVERSIONS[output][dossier unit]
CONVERSIONS: dict[str, dict[str, Decimal]] = {
    "eur_m": {"EUR million": _E(1), "EUR": _E("0.000001"), "EUR billion": _E(1000),
              "EUR million per year": _E(1)},
    "eur_bn": {"EUR billion": _E(1), "EUR million": _E("0.001"),
               "EUR billion (as printed; Gartner figures are normally USD)": _E(1)},
    "usd_bn": {"USD billion": _E(1)},
    "pct": {"%": _E(1)},
    "employees": {"employees": _E(1)},
    "jobs": {"jobs": _E(1)},
    "count": {"data centres": _E(1), "servers": _E(1), "partners": _E(1), "customers": _E(1),
              "services": _E(1), "million customers": _E(1_000_000)},
    "months": {"months": _E(1)},
    "mw": {"MW": _E(1)},
    "rank": {"rank": _E(1)},
    "eur_per_share": {"EUR per share": _E(1)},
}  # fmt: skip
_SUFFIXES = ("eur_m", "eur_bn", "usd_bn", "pct", "employees", "jobs", "count", "months", "mw",
             "rank")  # fmt: skip


class BuildError(ValueError):
    """Bad input for the build: missing dossier, unmapped row, inconsistent mapping."""


@dataclass(frozen=True)
class Curated:
    """The hand-maintained inputs of ``data/build/`` (each a list of rows as dicts)."""

    mapping: list[dict[str, str]]
    sources: list[dict[str, str]]
    entities: list[dict[str, str]]
    markets: list[dict[str, str]]
    group_members: list[dict[str, str]]


# --------------------------------------------------------------------------- helpers


def fact_key(entity: str, metric: str, period: str, source_url: str) -> str:
    """First 10 hex characters of SHA-1 over ``entity|metric|period|source_url`` (UTF-8).

    >>> fact_key("Cloudwatt", "revenue", "2013", "https://example.org/a")
    'a001384d8f'
    """
    text = "|".join((entity, metric, period, source_url))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def target_unit(column_or_metric: str) -> str:
    """Output unit of a value column or of a unit-suffixed metric name.

    >>> target_unit("revenue_eur_m"), target_unit("stake_pct"), target_unit("servers_count")
    ('eur_m', 'pct', 'count')
    """
    if column_or_metric == "price_eur_per_share":
        return "eur_per_share"
    for suffix in _SUFFIXES:
        if column_or_metric.endswith("_" + suffix):
            return suffix
    raise BuildError(f"metric {column_or_metric!r} does not end in a known unit")


def _decimal_text(number: Decimal) -> str:
    """Shortest exact decimal text: no exponent, no trailing zeros, no ``-0``."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def convert(value: str, unit: str, target: str, *, negate: bool = False) -> str:
    """Convert a dossier number to the target unit exactly; return its decimal text.

    >>> convert("97485", "EUR", "eur_m"), convert("1.1", "EUR billion", "eur_m")
    ('0.097485', '1100')
    >>> convert("31", "EUR million", "eur_m", negate=True)
    '-31'
    """
    try:
        factor = CONVERSIONS[target][unit]
    except KeyError:
        raise BuildError(f"no conversion declared from {unit!r} to {target}") from None
    number = Decimal(value.replace(",", "")) * factor
    return _decimal_text(-number if negate else number)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts of text (empty cells stay empty strings)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def read_curated(build_dir: Path = BUILD_DIR) -> Curated:
    """Read the hand-maintained inputs of ``data/build/``."""
    names = ("dossier_map", "source_map", "entities", "markets", "group_members")
    missing = [n for n in names if not (build_dir / f"{n}.csv").is_file()]
    if missing:
        raise BuildError(f"{build_dir}: missing {', '.join(n + '.csv' for n in missing)}")
    rows = {n: read_csv(build_dir / f"{n}.csv") for n in names}
    return Curated(
        rows["dossier_map"], rows["source_map"], rows["entities"], rows["markets"],
        rows["group_members"],
    )  # fmt: skip


def read_dossier(path: Path) -> list[dict[str, str]]:
    """The dossier rows, each with its ``fact_key`` added."""
    if not path.is_file():
        raise BuildError(f"dossier not found: {path}")
    rows = read_csv(path)
    if rows and tuple(rows[0]) != DOSSIER_COLUMNS:
        raise BuildError(f"{path}: unexpected columns {', '.join(rows[0])}")
    for row in rows:
        row["fact_key"] = fact_key(row["entity"], row["metric"], row["period"], row["source_url"])
    keys = [r["fact_key"] for r in rows]
    if len(set(keys)) != len(keys):
        raise BuildError(f"{path}: two rows share entity, metric, period and source_url")
    return rows


# --------------------------------------------------------------------------- the build


def _check_mapping(dossier: Mapping[str, dict[str, str]], mapping: list[dict[str, str]]) -> None:
    """Every dossier row mapped, every mapping line pointing at a dossier row."""
    if mapping and tuple(mapping[0]) != MAP_COLUMNS:
        raise BuildError("dossier_map.csv: unexpected columns")
    for line, row in enumerate(mapping, start=2):
        if row["fact_key"] not in dossier:
            raise BuildError(
                f"dossier_map.csv line {line}: fact_key {row['fact_key']} is not in the dossier"
            )
        if row["table"] not in FACT_TABLES:
            raise BuildError(f"dossier_map.csv line {line}: unknown table {row['table']!r}")
        if row["value_origin"] not in ("value", "wording"):
            raise BuildError(f"dossier_map.csv line {line}: value_origin must be value|wording")
        if row["sign"] == "-" and "net_result" not in row["metric"]:
            raise BuildError(f"dossier_map.csv line {line}: sign flip allowed for net results only")
        if row["value_origin"] == "wording" and not row["as_published"]:
            raise BuildError(f"dossier_map.csv line {line}: a wording figure needs as_published")
    mapped = {row["fact_key"] for row in mapping}
    for key, row in dossier.items():
        if key not in mapped:
            raise BuildError(
                f"dossier row {key} ({row['entity']} | {row['metric']} | {row['period']}) "
                "has no line in dossier_map.csv"
            )


def _figure(fact: Mapping[str, str], line: Mapping[str, str]) -> tuple[str, str]:
    """The number and unit a mapping line carries: the dossier value or a worded figure."""
    if line["value_as_written"]:
        return line["value_as_written"], line["unit_as_written"]
    return fact["value"], fact["unit"]


def _value(fact: Mapping[str, str], line: Mapping[str, str], target: str) -> str:
    value, unit = _figure(fact, line)
    return convert(value, unit, target_unit(target), negate=line["sign"] == "-")


def _as_published(fact: Mapping[str, str], line: Mapping[str, str]) -> str:
    return line["as_published"] if line["value_origin"] == "wording" else fact["period"]


def _slug(text: str) -> str:
    return text.replace("_", "-")


def _fact_row(
    table: str, fact: Mapping[str, str], line: Mapping[str, str], source_id: str
) -> dict[str, str]:
    common = {
        "value_origin": line["value_origin"],
        "source_id": source_id,
        "fact_key": line["fact_key"],
        "note": line["note"],
    }
    published = _as_published(fact, line)
    if table == "shareholdings":
        return {
            "company_id": line["subject_id"], "holder_id": line["counterpart_id"],
            "on_behalf_of": line["on_behalf_of"], "stake_pct": _value(fact, line, "stake_pct"),
            "bound": line["bound"], "valid_from": line["start"], "valid_to": line["end"],
            "period_as_published": published, **common,
        }  # fmt: skip
    if table == "capital_events":
        value, unit = _figure(fact, line)
        amount = price = ""
        if unit == "EUR per share":
            price = convert(value, unit, "eur_per_share")
        elif line["amount_status"] == "disclosed":
            amount = _value(fact, line, "amount_eur_m")
        return {
            "event_id": "", "company_id": line["subject_id"],
            "investor_id": line["counterpart_id"], "on_behalf_of": line["on_behalf_of"],
            "event_type": line["metric"], "amount_eur_m": amount,
            "amount_status": line["amount_status"], "bound": line["bound"],
            "price_eur_per_share": price, "period_start": line["start"],
            "period_end": line["end"], "period_as_published": published, **common,
        }  # fmt: skip
    if table == "financials":
        return {
            "company_id": line["subject_id"], "market_id": line["market_id"],
            "metric": line["metric"], "fiscal_year": line["year"],
            "period_start": line["start"], "period_end": line["end"],
            "period_as_published": published, "value": _value(fact, line, line["metric"]),
            "bound": line["bound"], "is_forecast": line["is_forecast"],
            "is_period_inferred": line["is_period_inferred"], **common,
        }  # fmt: skip
    if table == "plan_targets":
        return {
            "company_id": line["subject_id"], "metric": line["metric"],
            "target_year": line["year"], "target_year_as_published": published,
            "value": _value(fact, line, line["metric"]), "bound": line["bound"],
            "plan": line["plan"], **common,
        }  # fmt: skip
    if table in ("market_sizes", "market_shares"):
        row = {
            "market_id": line["market_id"], "period": line["period"],
            "period_type": line["period_type"], "year": line["year"],
        }  # fmt: skip
        if table == "market_sizes":
            row |= {
                "metric": line["metric"], "value": _value(fact, line, line["metric"]),
                "bound": line["bound"], "is_forecast": line["is_forecast"],
            }  # fmt: skip
        else:
            row |= {
                "provider_id": line["counterpart_id"], "metric": line["metric"],
                "share_pct": _value(fact, line, "share_pct"), "bound": line["bound"],
            }  # fmt: skip
        return row | {
            "release_note": line["release_note"],
            "period_as_published": published,
            **common,
        }
    if table == "events":
        return {
            "entity_id": line["subject_id"], "event_type": line["metric"], "date": line["start"],
            "date_as_published": published, "label": line["label"], **common,
        }  # fmt: skip
    return {  # public_funding
        "programme_id": line["subject_id"], "metric": line["metric"],
        "value": _value(fact, line, line["metric"]), "bound": line["bound"],
        "period_start": line["start"], "period_end": line["end"],
        "period_as_published": published, "is_forecast": line["is_forecast"], **common,
    }  # fmt: skip


def _sources_table(
    dossier: Iterable[Mapping[str, str]], source_map: list[dict[str, str]]
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """sources.csv rows (in first-citation order) and the url -> source_id lookup."""
    by_url = {row["url"]: row for row in source_map}
    order: dict[str, str] = {}
    for fact in dossier:
        url = fact["source_url"]
        if url not in by_url:
            raise BuildError(f"source_map.csv has no line for {url}")
        known = order.setdefault(url, fact["publisher"])
        if known != fact["publisher"]:
            raise BuildError(f"two publishers for one source URL: {url}")
    extra = sorted(set(by_url) - set(order))
    if extra:
        raise BuildError(f"source_map.csv line for a URL the dossier does not cite: {extra[0]}")
    rows = []
    for url, publisher in order.items():
        entry = by_url[url]
        rows.append({col: entry.get(col, "") for col in TABLE_COLUMNS["sources"]})
        rows[-1]["publisher"] = publisher
    return rows, {url: by_url[url]["source_id"] for url in order}


def build_tables(
    dossier: list[dict[str, str]], curated: Curated
) -> dict[str, list[dict[str, str]]]:
    """Every table of the data package, as lists of text rows (pure: no file access).

    ``dossier`` rows must carry their ``fact_key`` (see :func:`read_dossier`).
    """
    facts = {row["fact_key"]: row for row in dossier}
    _check_mapping(facts, curated.mapping)
    sources, source_ids = _sources_table(dossier, curated.sources)
    tables: dict[str, list[dict[str, str]]] = {
        "sources": sources,
        "entities": [dict(r) for r in curated.entities],
        "group_members": [dict(r) for r in curated.group_members],
        "markets": [dict(r) for r in curated.markets],
    }
    for name in FACT_TABLES:
        tables[name] = []
    used_ids: set[str] = set()
    for line in curated.mapping:
        fact = facts[line["fact_key"]]
        try:
            row = _fact_row(line["table"], fact, line, source_ids[fact["source_url"]])
        except BuildError as exc:
            raise BuildError(f"dossier_map.csv fact {line['fact_key']}: {exc}") from None
        if line["table"] == "capital_events":
            base = f"{_slug(row['company_id'])}-{_slug(row['event_type'])}-{row['fact_key']}"
            row["event_id"] = base if base not in used_ids else f"{base}-{line['seq']}"
            used_ids.add(row["event_id"])
        tables[line["table"]].append(row)
    return {
        name: [{col: row.get(col, "") for col in TABLE_COLUMNS[name]} for row in rows]
        for name, rows in tables.items()
    }


# --------------------------------------------------------------------------- output


def render_csv(table: str, rows: Sequence[Mapping[str, str]]) -> str:
    """CSV text of one table: header, comma, minimal quoting, ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, TABLE_COLUMNS[table], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _validate(directory: Path) -> list[str]:
    """Every problem ``check-data`` finds in ``directory`` (empty when valid): the schema
    and the cross-row rules, so a build never writes data that check-data would refuse."""
    return [str(problem) for problem in validate_data_dir(directory)]


def write_data(
    tables: Mapping[str, Sequence[Mapping[str, str]]],
    data_dir: Path,
    descriptor: Path = DESCRIPTOR_PATH,
) -> None:
    """Write every table next to the descriptor in a temporary directory, validate them
    there, then move them into ``data_dir`` (each file replaced atomically)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=data_dir))
    try:
        shutil.copyfile(descriptor, staging / "datapackage.json")
        for name, rows in tables.items():
            (staging / f"{name}.csv").write_text(render_csv(name, rows), encoding="utf-8")
        problems = _validate(staging)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise BuildError(f"built tables fail validation: {problems[0]}{more}")
        names = [f"{name}.csv" for name in tables]
        if descriptor.resolve() != (data_dir / "datapackage.json").resolve():
            names.append("datapackage.json")
        for name in names:
            os.replace(staging / name, data_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``build-data``: rebuild the data directory from the dossier; 0 ok, 2 bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis build-data", description="Rebuild data/ from the dossier."
    )
    parser.add_argument("--dossier", type=Path, default=DEFAULT_DOSSIER, metavar="PATH")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write (default: $ANALYSIS_DATA_DIR, else the project's data/)",
    )
    args = parser.parse_args(argv)
    if args.data_dir is None:
        env = os.environ.get("ANALYSIS_DATA_DIR")
        args.data_dir = Path(env) if env else DEFAULT_DATA_DIR
    try:
        dossier = read_dossier(args.dossier)
        tables = build_tables(dossier, read_curated())
        write_data(tables, args.data_dir)
    except (BuildError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{name} {len(rows)}" for name, rows in tables.items())
    print(f"{args.data_dir}: {sum(map(len, tables.values()))} rows written ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
