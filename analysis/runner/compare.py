"""``python -m analysis compare RUN_A RUN_B``: what moved between two runs.

Reads two manifests and lists, per report, the key numbers whose recorded value changed
(old, new, change, change %), the key numbers that appeared or disappeared, the reports added
or removed, and the reports that newly fail (ok in A, failed in B) or recovered. Values are
compared as recorded (the notebooks keep 12 significant digits), so any change shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "RENAMED",
    "Comparison",
    "NumberChange",
    "ReportChange",
    "compare_runs",
    "format_comparison",
]

#: key numbers renamed between releases, old name -> new name: a run recorded before the
#: rename is compared under the new name (listed as renamed, not as removed and added)
RENAMED: dict[str, str] = {
    **{
        f"cost_per_revenue_{company}_{end}_eur": f"losses_per_revenue_{company}_{end}_eur"
        for company in ("cloudwatt", "numergy")
        for end in ("low", "central", "high")
    },
    # investment: the multiple on invested capital says its unit (x)
    **{f"moic_{end}": f"moic_{end}_x" for end in ("low", "central", "high")},
    # market-position report: key numbers say their unit
    "hhi_min": "hhi_min_points",
    "hhi_max": "hhi_max_points",
    "share_figures": "share_figures_count",
    "size_figures": "size_figures_count",
    "ovhcloud_revenue_pct_of_market": "ovhcloud_revenue_of_market_pct",
    "ovhcloud_revenue_pct_of_market_low": "ovhcloud_revenue_of_market_low_pct",
    "ovhcloud_revenue_pct_of_market_high": "ovhcloud_revenue_of_market_high_pct",
}


@dataclass(frozen=True)
class NumberChange:
    """One key number of one report, in both runs (None where it is missing/undefined)."""

    name: str
    unit: str
    old: Any
    new: Any

    @property
    def change(self) -> float | None:
        if _is_number(self.old) and _is_number(self.new):
            return self.new - self.old
        return None

    @property
    def change_pct(self) -> float | None:
        change = self.change
        if change is None or self.old == 0:
            return None
        return 100.0 * change / abs(self.old)


@dataclass
class ReportChange:
    """Differences of one report present in both runs."""

    name: str
    numbers: list[NumberChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    parameters_changed: bool = False
    renamed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Comparison:
    """Everything that differs between two runs."""

    run_a: dict[str, Any]
    run_b: dict[str, Any]
    changed: list[ReportChange] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    newly_failing: list[dict[str, Any]] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    still_failing: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: reports whose key numbers are all equal, some recorded under a renamed key
    renamed_only: list[ReportChange] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(
            self.changed or self.added or self.removed or self.newly_failing or self.recovered
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


#: parameters that say where the data was, not what was computed: a changed data directory
#: shows in the data checksum line, not as "(parameters changed)" on every report
_NOT_COMPARED = frozenset({"data_dir"})


def _compared_parameters(report: dict[str, Any]) -> dict[str, Any]:
    given = report.get("parameters") or {}
    return {key: value for key, value in given.items() if key not in _NOT_COMPARED}


def compare_runs(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """Compare two manifests (A older, B newer), as checked by
    :func:`analysis.runner.runs.check_manifest`."""
    result = Comparison(old["run"], new["run"])
    before = {r["name"]: r for r in old["reports"]}
    after = {r["name"]: r for r in new["reports"]}
    result.removed = [name for name in before if name not in after]
    result.added = [r for name, r in after.items() if name not in before]
    for name, b in after.items():
        a = before.get(name)
        if a is None:
            continue
        ok_a, ok_b = a["status"] == "ok", b["status"] == "ok"
        if ok_a and not ok_b:
            result.newly_failing.append(b)
            continue
        if not ok_b:
            result.still_failing.append(name)
            continue
        if not ok_a:
            result.recovered.append(name)
        changed = _compared_parameters(a) != _compared_parameters(b)
        change = ReportChange(name, parameters_changed=changed)
        numbers_a, numbers_b = a.get("key_numbers") or {}, b.get("key_numbers") or {}
        numbers_a, change.renamed = _renamed(numbers_a, numbers_b)
        for key, entry in numbers_b.items():
            if key not in numbers_a:
                change.added.append(key)
                continue
            old_value, new_value = numbers_a[key].get("value"), entry.get("value")
            if old_value != new_value or type(old_value) is not type(new_value):
                if _is_number(old_value) and _is_number(new_value) and old_value == new_value:
                    continue  # 3 and 3.0
                unit = entry.get("unit") or numbers_a[key].get("unit") or ""
                change.numbers.append(NumberChange(key, unit, old_value, new_value))
        change.removed = [key for key in numbers_a if key not in numbers_b]
        if change.numbers or change.added or change.removed or change.parameters_changed:
            result.changed.append(change)
        elif ok_a:
            result.unchanged.append(name)
            if change.renamed:
                result.renamed_only.append(change)
    return result


def _renamed(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """``old`` with the :data:`RENAMED` keys under their new names (when ``new`` has them)."""
    out, pairs = {}, []
    for key, value in old.items():
        target = RENAMED.get(key)
        if target is not None and target in new and target not in old:
            out[target] = value
            pairs.append((key, target))
        else:
            out[key] = value
    return out, pairs


def _fmt(value: Any) -> str:
    if value is None:
        return "undefined"
    if not _is_number(value):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 1e6:
        return f"{value:,.0f}"
    text = f"{value:,.6g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.4e}"
    return text


def _signed(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    if value == 0:
        return f"0{suffix}"
    text = _fmt(abs(value))
    return f"{'+' if value > 0 else '-'}{text}{suffix}"


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _error_text(report: dict[str, Any]) -> str:
    error = report.get("error") or {}
    cell = report.get("failed_cell") or {}
    where = f" at cell {cell['number']}" if cell.get("number") else ""
    return f"{error.get('ename', 'error')}: {error.get('evalue', '')}{where}"


def format_comparison(c: Comparison) -> str:
    """A readable plain-text report of a comparison."""
    a, b = c.run_a, c.run_b
    lines = [f"Comparing run {a.get('run_id')} (A) -> {b.get('run_id')} (B)"]
    sha_a, sha_b = a.get("data_sha256") or "", b.get("data_sha256") or ""
    state = "unchanged" if sha_a == sha_b else "changed"
    lines.append(f"data sha256: {sha_a[:12]} -> {sha_b[:12]} ({state})")
    commit_a, commit_b = (a.get("git_commit") or "unknown"), (b.get("git_commit") or "unknown")
    lines.append(f"commit: {commit_a[:12]} -> {commit_b[:12]}")
    lines.append("")
    if c.changed:
        lines.append("Key numbers that changed:")
        for report in c.changed:
            lines.append(
                f"{report.name}" + (" (parameters changed)" if report.parameters_changed else "")
            )
            if report.numbers:
                rows = [["key number", "old (A)", "new (B)", "change", "change %"]]
                for n in report.numbers:
                    unit = f" {n.unit}" if n.unit else ""
                    pct = n.change_pct
                    rows.append(
                        [
                            n.name,
                            _fmt(n.old) + unit,
                            _fmt(n.new) + unit,
                            _signed(n.change),
                            "-" if pct is None else _signed(round(pct, 2), "%"),
                        ]
                    )
                lines += _table(rows)
            for old_name, new_name in report.renamed:
                lines.append(f"  renamed: {old_name} -> {new_name}")
            for key in report.added:
                lines.append(f"  new key number: {key}")
            for key in report.removed:
                lines.append(f"  key number no longer recorded: {key}")
        lines.append("")
    else:
        lines.append("No key number changed.")
        lines.append("")
    if c.renamed_only:
        lines.append("Same values under new names (renames listed in the README):")
        for report in c.renamed_only:
            lines.append(report.name)
            lines += [f"  renamed: {old} -> {new}" for old, new in report.renamed]
        lines.append("")
    if c.newly_failing:
        lines.append("Newly failing reports (ok in A, failed in B):")
        lines += [f"  {r['name']}: {_error_text(r)}" for r in c.newly_failing]
    if c.recovered:
        lines.append("Recovered reports (failed in A, ok in B): " + ", ".join(c.recovered))
    if c.still_failing:
        lines.append("Still failing: " + ", ".join(c.still_failing))
    if c.added:
        added = [r["name"] + ("" if r["status"] == "ok" else " (failed)") for r in c.added]
        lines.append("Added reports: " + ", ".join(added))
    if c.removed:
        lines.append("Removed reports: " + ", ".join(c.removed))
    lines.append(f"Unchanged reports: {len(c.unchanged)}")
    return "\n".join(lines) + "\n"
