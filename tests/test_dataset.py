"""The committed data/ against the research dossier it was built from.

Checks that every dossier row lands in the data with its source, that numbers and dates are
the dossier's after the declared exact conversion, that no note copies the dossier's wording,
that the known conflicts are kept as separate rows, and that the build reproduces the
committed files byte for byte. The dossier is the project's own copy in ``data/raw/``, so
these tests never need anything outside the repository.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from analysis.data import build as build_data
from analysis.data.build import CONVERSIONS, BuildError, Curated, target_unit

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
#: the project's own copy of the research dossier (immutable raw data)
DOSSIER = DATA / "raw" / "domain_facts.csv"
DOSSIER_MD = DOSSIER.with_suffix(".md")

FACT_TABLES = build_data.FACT_TABLES
#: value column of each fact table (None: the table carries dates, not numbers)
VALUE_COLUMN = {
    "shareholdings": "stake_pct",
    "capital_events": "amount_eur_m",
    "financials": "value",
    "plan_targets": "value",
    "market_sizes": "value",
    "market_shares": "share_pct",
    "events": None,
    "public_funding": "value",
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, str]]]:
    return {name: _read(DATA / f"{name}.csv") for name in build_data.TABLE_COLUMNS}


@pytest.fixture(scope="module")
def dossier() -> dict[str, dict[str, str]]:
    return {row["fact_key"]: row for row in build_data.read_dossier(DOSSIER)}


def _fact_rows(tables):
    for name in FACT_TABLES:
        for row in tables[name]:
            yield name, row


def _value_key(row: dict[str, str], name: str) -> str:
    """The column whose unit the value carries: the metric, or the value column itself."""
    column = VALUE_COLUMN[name]
    if name == "capital_events" and row["price_eur_per_share"]:
        return "price_eur_per_share"
    return row["metric"] if column == "value" else column


# --------------------------------------------------------------------------- traceability


def test_every_dossier_row_is_in_the_data_and_nothing_else(tables, dossier):
    keys = {row["fact_key"] for _, row in _fact_rows(tables)}
    assert keys - set(dossier) == set(), "data rows whose fact_key is not in the dossier"
    missing = set(dossier) - keys
    assert missing == set(), f"dossier rows missing from data/: {sorted(missing)[:5]}"


def test_sources_match_the_dossier(tables, dossier):
    sources = {row["source_id"]: row for row in tables["sources"]}
    assert len(sources) == len({r["source_url"] for r in dossier.values()}) == 172
    for name, row in _fact_rows(tables):
        fact = dossier[row["fact_key"]]
        source = sources[row["source_id"]]  # KeyError = unresolved source_id
        assert source["url"] == fact["source_url"], (name, row["fact_key"])
        assert source["publisher"] == fact["publisher"], (name, row["fact_key"])


def test_source_dates_match_the_dossier(tables, dossier):
    published = {r["source_url"]: r["published"] for r in dossier.values()}
    for source in tables["sources"]:
        text = published[source["url"]]
        if text.startswith("n.d."):
            assert source["published"] == "", source["source_id"]
        else:  # the date leads the dossier text: '2015-01-12 (from URL)', '2023-07'
            assert re.split(r"[ ;]", text)[0] == (source["published"] or source["published_approx"])
        if source["published_approx"]:
            assert source["published_approx"] in text, source["source_id"]
            assert source["date_note"], f"{source['source_id']}: approximate date without a note"
        if "(from URL)" in text:
            assert "URL" in source["date_note"], source["source_id"]


# --------------------------------------------------------------------------- numbers and dates


def _allowed_numbers(text: str) -> set[Decimal]:
    """Every number written in a text (thousands separators and signs kept apart)."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return {Decimal(m) for m in re.findall(r"-?\d+(?:\.\d+)?", text)}


@pytest.fixture(scope="module")
def wording_numbers(dossier) -> dict[str, set[Decimal]]:
    """Numbers written in the dossier's metric labels and notes, per source URL, plus the
    Conflicts section (which names sources by outlet)."""
    per_url: dict[str, set[Decimal]] = defaultdict(set)
    for fact in dossier.values():
        per_url[fact["source_url"]] |= _allowed_numbers(f"{fact['metric']} {fact['note']}")
    conflicts = ""
    if DOSSIER_MD.is_file():
        conflicts = DOSSIER_MD.read_text(encoding="utf-8").split("## Conflicts")[-1]
    per_url["*conflicts*"] = _allowed_numbers(conflicts)
    return per_url


def test_values_are_the_dossier_values_after_declared_conversion(tables, dossier):
    checked = 0
    for name, row in _fact_rows(tables):
        column = VALUE_COLUMN[name]
        if column is None or row["value_origin"] != "value":
            continue
        fact = dossier[row["fact_key"]]
        if fact["unit"] == "date":
            continue  # a dated step: no number (see the date test)
        key = _value_key(row, name)
        stored = row["price_eur_per_share"] if key == "price_eur_per_share" else row[column]
        if fact["value"] == "NA":
            assert stored == "" and row["amount_status"] == "undisclosed", row["fact_key"]
            continue
        factor = CONVERSIONS[target_unit(key)][fact["unit"]]
        expected = Decimal(fact["value"]) * factor
        got = Decimal(stored)
        if got == -expected and got != expected:
            # sign flip only for net results the dossier states as losses
            assert "net_result" in key, (row["fact_key"], key)
            assert "loss" in fact["metric"].lower(), row["fact_key"]
        else:
            assert got == expected, (name, row["fact_key"], stored, fact["value"], fact["unit"])
        checked += 1
    assert checked > 300


def test_worded_figures_are_written_in_the_dossier(tables, dossier, wording_numbers):
    """A figure taken from the dossier's wording must be a number written there (for the
    same source page, or in a note the data note points to, or in the Conflicts section)."""
    checked = 0
    for name, row in _fact_rows(tables):
        column = VALUE_COLUMN[name]
        if column is None or row["value_origin"] != "wording":
            continue
        key = _value_key(row, name)
        stored = row["price_eur_per_share"] if key == "price_eur_per_share" else row[column]
        if not stored:
            continue  # a worded date (checked in the date test)
        allowed = wording_numbers[dossier[row["fact_key"]]["source_url"]]
        allowed |= wording_numbers["*conflicts*"]
        for cited in re.findall(r"fact ([0-9a-f]{10})", row["note"]):
            allowed |= wording_numbers[dossier[cited]["source_url"]]
        candidates = {
            abs(Decimal(stored)) / factor for factor in CONVERSIONS[target_unit(key)].values()
        }
        assert candidates & {abs(n) for n in allowed}, (name, row["fact_key"], stored)
        checked += 1
    assert checked > 100


def test_dates_are_the_dossier_dates(tables, dossier):
    for row in tables["events"]:
        fact = dossier[row["fact_key"]]
        if row["value_origin"] == "value":
            assert fact["unit"] == "date"
            assert row["date"] == fact["value"], row["fact_key"]
            assert row["date_as_published"] == fact["period"]
    for row in tables["capital_events"]:
        fact = dossier[row["fact_key"]]
        if fact["unit"] == "date":
            assert row["period_start"] == row["period_end"] == fact["value"], row["fact_key"]
    for row in tables["shareholdings"]:
        fact = dossier[row["fact_key"]]
        if fact["unit"] == "date":
            assert row["valid_from"] == fact["value"], row["fact_key"]


def test_periods_as_published_and_years_follow_the_dossier(tables, dossier):
    year_column = {"financials": "fiscal_year", "plan_targets": "target_year"}
    for name, row in _fact_rows(tables):
        if row["value_origin"] != "value":
            continue
        fact = dossier[row["fact_key"]]
        published = row.get("period_as_published") or row.get("target_year_as_published")
        published = published or row.get("date_as_published")
        assert published == fact["period"], (name, row["fact_key"])
        year = row.get(year_column.get(name, "year"), "")
        if year:
            assert year in fact["period"], (name, row["fact_key"], year, fact["period"])


def test_undisclosed_buyout_prices_are_empty_not_zero(tables):
    prices = [r for r in tables["capital_events"] if r["event_type"] == "buyout_price"]
    assert {r["company_id"] for r in prices} == {"cloudwatt", "numergy"}
    for row in prices:
        assert row["amount_status"] == "undisclosed"
        assert row["amount_eur_m"] == ""


def test_numbers_are_shortest_exact_decimals(tables):
    for name, row in _fact_rows(tables):
        for column in ("stake_pct", "amount_eur_m", "value", "share_pct", "price_eur_per_share"):
            text = row.get(column) or ""
            if text:
                assert re.fullmatch(r"-?(0|[1-9]\d*)(\.\d*[1-9])?", text), (name, column, text)


# --------------------------------------------------------------------------- our own words


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _ngrams(words: list[str], n: int = 8) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_note_copies_the_dossier(tables, dossier):
    theirs: set[tuple[str, ...]] = set()
    for fact in dossier.values():
        theirs |= _ngrams(_words(fact["note"]))
    assert theirs, "the dossier notes should yield 8-word runs"
    ours = []
    for name, rows in tables.items():
        for row in rows:
            for column in ("note", "label", "date_note", "definition"):
                if row.get(column):
                    ours.append((name, column, row[column]))
    assert len(ours) > 500
    for name, column, text in ours:
        shared = _ngrams(_words(text)) & theirs
        assert not shared, f"{name}.{column} copies the dossier: {' '.join(next(iter(shared)))}"


# --------------------------------------------------------------------------- conflicts kept


def _values(rows, column="value", **where) -> set[Decimal]:
    return {
        Decimal(r[column])
        for r in rows
        if r[column] and all(r.get(k) == v for k, v in where.items())
    }


def test_conflicting_figures_are_separate_rows(tables):
    fin, plans, sizes = tables["financials"], tables["plan_targets"], tables["market_sizes"]
    shares, holds, cap = tables["market_shares"], tables["shareholdings"], tables["capital_events"]
    D = Decimal
    # 1. Numergy revenue 2014: 2, 5 and 6 M EUR
    assert {D(2), D(5), D(6)} <= _values(
        fin, company_id="numergy", metric="revenue_eur_m", fiscal_year="2014"
    )
    # 2. Numergy 400 M EUR target: 2016 and 2017, plus Clubic's 137 with no year
    years = {
        r["target_year"] for r in plans if r["company_id"] == "numergy" and r["value"] == "400"
    }
    assert {"2016", "2017"} <= years
    assert any(r["value"] == "137" and r["target_year"] == "" for r in plans)
    # 3. SFR's stake in Numergy: 46 and 47 %
    assert {D(46), D(47)} <= _values(holds, "stake_pct", company_id="numergy", holder_id="sfr")
    # 4. Numergy revenue from SFR: 60 and 80 %
    assert _values(fin, company_id="numergy", metric="revenue_from_shareholder_share_pct") == {
        D(60),
        D(80),
    }
    # 5. Cloudwatt revenue 2014 with its bounds
    cw = {
        (r["bound"], D(r["value"]))
        for r in fin
        if r["company_id"] == "cloudwatt" and r["metric"] == "revenue_eur_m"
        if r["fiscal_year"] == "2014"
    }
    assert {("upper", D(3)), ("upper", D(2)), ("approx", D(2)), ("lower", D(1))} <= cw
    # 7. Cloudwatt buyout dates: talks, completion, and the two dates judged wrong
    dates = {r["period_end"] for r in cap if r["company_id"] == "cloudwatt"}
    assert {"2015-01-12", "2015-03-20", "2015-01", "2015"} <= dates
    # 9. BFM headline 150 vs body 156
    assert {D(150), D(156)} <= _values(
        cap, "amount_eur_m", company_id="cloudwatt_numergy", event_type="paid_in"
    )
    # 10. Andromede 135 vs 150 for the two clouds
    assert _values(cap, "amount_eur_m", company_id="andromede") == {D(135)}
    assert _values(cap, "amount_eur_m", company_id="cloudwatt_numergy", investor_id="cdc") >= {
        D(150)
    }
    # 11. OVH 2016 round value: more than 1.1, 1.25, 1.5 bn EUR
    assert _values(cap, "amount_eur_m", company_id="ovhcloud", event_type="valuation") >= {
        D(1100),
        D(1250),
        D(1500),
    }
    # 12. OVH FY2016 revenue 320 vs about 400
    assert {D(320), D(400)} <= _values(
        fin, company_id="ovhcloud", metric="revenue_eur_m", fiscal_year="2016"
    )
    # 14. IPO 350 + 50 vs 450
    ipo = {
        r["event_type"]: D(r["amount_eur_m"])
        for r in cap
        if r["event_type"].startswith("ipo_") and r["amount_eur_m"]
    }
    assert (ipo["ipo_primary"], ipo["ipo_secondary"], ipo["ipo_total"]) == (350, 50, 450)
    # 15. OVHcloud FY2025 growth 9.3 vs 9.2
    assert {D("9.3"), D("9.2")} <= _values(
        fin, company_id="ovhcloud", metric="organic_revenue_growth_pct", fiscal_year="2025"
    )
    # 16. Strasbourg fire: 12,000-16,000 vs 65,000 customers
    assert {D(12000), D(16000), D(65000)} <= _values(fin, metric="fire_affected_customers_count")
    # 17. Cloud strategy money granted: 421 vs 380
    assert _values(tables["public_funding"], metric="granted_eur_m") == {D(421), D(380)}
    # 18. Synergy European providers' 2017 share by release: 26, 27, 29; 2022: 13 vs 15
    eu = [
        r for r in shares if r["market_id"] == "eu_cloud_synergy"
        if r["provider_id"] == "european_providers"
    ]  # fmt: skip
    baseline = {(r["release_note"], D(r["share_pct"])) for r in eu if r["period"] == "2017"}
    assert {share for _, share in baseline} == {D(26), D(27), D(29)}
    assert len({release for release, _ in baseline}) == 3
    assert {D(13), D(15)} <= {D(r["share_pct"]) for r in eu if r["year"] == "2022"}
    # 19. US capex in Europe: 4 bn USD, 12 bn EUR (4Q), 10 bn EUR per quarter
    capex = {r["metric"] for r in fin if r["metric"].startswith("european_capex_")}
    assert {"european_capex_quarterly_usd_bn", "european_capex_quarterly_eur_m"} <= capex
    # 20. Synergy quarter Q4 2021 50.7 vs 50.5; Google Q4 2025 15 vs 14; Microsoft Q4 2023 24/25
    assert {D("50.7"), D("50.5")} <= _values(
        sizes, market_id="ww_cloud_infra_synergy", period="2021-Q4"
    )
    synergy = [r for r in shares if r["market_id"] == "ww_cloud_infra_synergy"]
    assert {D(15), D(14)} <= _values(synergy, "share_pct", provider_id="google", period="2025-Q4")
    assert {D(24), D(25)} <= _values(
        synergy, "share_pct", provider_id="microsoft", period="2023-Q4"
    )
    # 21. Gartner revisions: 2021 market 90.894 vs 92.782, Amazon 38.9 vs 38.1; 2022 120.333/120.497
    gartner = [r for r in sizes if r["market_id"] == "ww_iaas_gartner"]
    assert _values(gartner, metric="size_usd_bn", period="2021") == {D("90.894"), D("92.782")}
    assert _values(gartner, metric="size_usd_bn", period="2022") == {D("120.333"), D("120.497")}
    assert {D("38.9"), D("38.1")} <= _values(
        shares, "share_pct", market_id="ww_iaas_gartner", provider_id="aws", period="2021"
    )
    # 22. French market 2025 forecast: 27 (total cloud) vs 25 (La Tribune's label)
    markess_2025 = {
        D(r["value"])
        for r in sizes
        if r["market_id"].startswith("fr_") and r["market_id"].count("markess")
        if r["period"] == "2025" and r["metric"] == "size_eur_bn"
    }
    assert markess_2025 == {D(25), D(27)}
    # 6 and 13. creation dates and first data centre, as events
    events = {(r["entity_id"], r["event_type"], r["date"]) for r in tables["events"]}
    assert {
        ("cloudwatt", "founded", "2012-09"),
        ("cloudwatt", "founded", "2012-10"),
        ("cloudwatt", "launch_event", "2012-10-02"),
        ("ovhcloud", "first_data_centre", "2001"),
        ("ovhcloud", "first_data_centre", "2005"),
    } <= events


def test_required_milestones_are_present(tables):
    events = {(r["entity_id"], r["event_type"], r["date"]) for r in tables["events"]}
    assert ("cloudwatt", "service_end", "2020-02-01") in events
    assert ("cloud_strategy_2021", "policy_announced", "2021-05-17") in events
    assert ("ovhcloud", "ipo_listing", "2021-10-15") in events
    holdings = {
        (r["company_id"], r["holder_id"], r["stake_pct"], r["valid_from"])
        for r in tables["shareholdings"]
    }
    assert ("cloudwatt", "orange", "100", "2015-03-20") in holdings
    assert ("numergy", "sfr", "100", "2016") in holdings
    assert ("ovhcloud", "kkr_towerbrook", "20", "2016") in holdings


# --------------------------------------------------------------------------- schema and build


def test_package_is_valid_and_foreign_keys_bite(tmp_path):
    from frictionless import validate

    report = validate(str(DATA / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    broken = tmp_path / "data"
    shutil.copytree(DATA, broken, ignore=shutil.ignore_patterns("build"))
    lines = (broken / "events.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("wikipedia-mirror-cloudwatt", "no-such-source")
    (broken / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(str(broken / "datapackage.json"))
    assert not report.valid
    assert {e[0] for e in report.flatten(["type"])} == {"foreign-key"}


def test_schema_describes_every_column_with_units(tables):
    import json

    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert tuple(names) == build_data.TABLE_COLUMNS[resource["name"]]
        assert resource["schema"]["primaryKey"]
        for field in resource["schema"]["fields"]:
            assert field.get("title") and field.get("description"), field["name"]
            if field["name"].endswith(("_pct", "_eur_m", "_per_share")):
                assert field.get("unit"), field["name"]
            if field["name"] == "metric":
                assert set(field["constraints"]["enum"]) >= {
                    r["metric"] for r in tables[resource["name"]]
                }


def test_rebuild_reproduces_the_committed_files(tmp_path):
    assert build_data.main(["--dossier", str(DOSSIER), "--data-dir", str(tmp_path)]) == 0
    for name in [*build_data.TABLE_COLUMNS, "datapackage"]:
        suffix = ".json" if name == "datapackage" else ".csv"
        built = (tmp_path / f"{name}{suffix}").read_bytes()
        assert built == (DATA / f"{name}{suffix}").read_bytes(), f"{name}{suffix} differs"
    assert not list(tmp_path.glob(".build-*")), "staging directory left behind"


def test_missing_dossier_is_a_one_line_error(tmp_path, capsys):
    status = build_data.main(["--dossier", str(tmp_path / "none.csv"), "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("error: dossier not found") and "\n" not in err
    assert not list(tmp_path.glob("*.csv")), "nothing may be written"


def test_unmapped_and_unknown_rows_are_refused(tmp_path, capsys):
    rows = _read(DOSSIER)
    extra = tmp_path / "extra.csv"
    with extra.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, build_data.DOSSIER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, {**rows[0], "period": "2099"}])
    assert build_data.main(["--dossier", str(extra), "--data-dir", str(tmp_path)]) == 2
    assert "has no line in dossier_map.csv" in capsys.readouterr().err
    shorter = tmp_path / "shorter.csv"
    with shorter.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, build_data.DOSSIER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[1:])
    assert build_data.main(["--dossier", str(shorter), "--data-dir", str(tmp_path)]) == 2
    assert "is not in the dossier" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.csv")) or {p.name for p in tmp_path.glob("*.csv")} == {
        "extra.csv",
        "shorter.csv",
    }


def test_a_build_that_fails_validation_leaves_the_data_untouched(tmp_path):
    curated = build_data.read_curated()
    facts = build_data.read_dossier(DOSSIER)
    target = tmp_path / "data"
    build_data.write_data(build_data.build_tables(facts, curated), target)
    before = {p.name: p.read_bytes() for p in target.glob("*.csv")}
    # an unknown entity id: the foreign key check must stop the build before any file moves
    bad_entities = [dict(r) for r in curated.entities if r["entity_id"] != "bull"]
    broken = Curated(
        curated.mapping, curated.sources, bad_entities, curated.markets, curated.group_members
    )
    with pytest.raises(BuildError, match="fail validation"):
        build_data.write_data(build_data.build_tables(facts, broken), target)
    assert {p.name: p.read_bytes() for p in target.glob("*.csv")} == before
    assert not list(target.glob(".build-*"))


def test_conversions_are_exact_decimals():
    assert build_data.convert("97485", "EUR", "eur_m") == "0.097485"
    assert build_data.convert("1.1", "EUR billion", "eur_m") == "1100"
    assert build_data.convert("1.6", "million customers", "count") == "1600000"
    assert build_data.convert("-29242500", "EUR", "eur_m") == "-29.2425"
    with pytest.raises(BuildError):
        build_data.convert("3", "USD billion", "eur_m")  # currencies are never converted


def test_readme_row_counts_match_the_files(tables):
    """The data dictionary's file table states each table's row count; keep it true."""
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    stated = dict(re.findall(r"^\| `(\w+)\.csv` \| (\d+) \|", readme, flags=re.M))
    assert set(stated) == set(build_data.TABLE_COLUMNS)
    for name, rows in tables.items():
        assert int(stated[name]) == len(rows), f"{name}.csv: README says {stated[name]}"
        assert f"### `{name}.csv` ({len(rows)} rows)" in readme


def _raw_manifest() -> dict[str, str]:
    """file name -> sha256, read from the table in data/raw/README.md."""
    text = (DATA / "raw" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", text, flags=re.MULTILINE)
    return dict(rows)


def test_raw_files_match_their_recorded_checksums():
    manifest = _raw_manifest()
    on_disk = {p.name for p in (DATA / "raw").iterdir() if p.name != "README.md"}
    assert set(manifest) == on_disk, "data/raw/README.md must list every raw file"
    for name, digest in manifest.items():
        assert hashlib.sha256((DATA / "raw" / name).read_bytes()).hexdigest() == digest, name


def test_build_data_on_a_bare_copy_needs_nothing_outside_it(tmp_path):
    """A copy of the package and data/ alone, with no research folder beside it, rebuilds
    data/ byte for byte with the default options (the CLI a new user runs)."""
    copy = tmp_path / "project"
    shutil.copytree(
        REPO / "analysis", copy / "analysis", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(DATA, copy / "data")
    target = tmp_path / "rebuilt"
    env = {**os.environ, "PYTHONPATH": str(copy)}
    env.pop("ANALYSIS_DATA_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "build-data", "--data-dir", str(target)],
        cwd=copy, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "shared").exists()
    for name in [*build_data.TABLE_COLUMNS, "datapackage"]:
        suffix = ".json" if name == "datapackage" else ".csv"
        built = (target / f"{name}{suffix}").read_bytes()
        assert built == (DATA / f"{name}{suffix}").read_bytes(), f"{name}{suffix} differs"
