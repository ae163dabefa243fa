"""Render an executed notebook as a self-contained report page, and the index of a run.

nbconvert's ``HTMLExporter`` renders the cells (our template ``sovcloud_cells`` extends its
``lab`` cell markup, without the page head that pulls MathJax and RequireJS from CDNs, and
without any JavaScript or widget output). The page around the cells is a Jinja template with
autoescaping on (``analysis/templates/runner/report.html.j2``): the title, the parameters of
the run, a table of contents built from the rendered headings, the sources cited (joined to
the sources table of the data directory), and a footer with the run date, the commit and the
data checksum. Every text that comes from data is escaped by the template.

Pages are self-contained: inline CSS (no web font), figures as ``data:`` PNG, and a Content
Security Policy that forbids loading anything, so a page can never call the network even if
a notebook output tried to.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from analysis.report.record import headline_rows, key_number_rows
from analysis.runner.sanitize import page_error, prepare_outputs, sanitize_body

__all__ = [
    "ANSWER_TAG",
    "TEMPLATES",
    "ReportRenderer",
    "format_number",
    "format_value",
    "index_number",
    "index_order",
    "render_index",
    "sources_lookup",
    "split_answer",
    "warm_up",
]

#: folder of the runner's templates (package data of ``analysis``)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "runner"
#: headline numbers shown per report in the index when the notebook marks none (the first
#: quantities recorded); the others fold into a <details> element
INDEX_KEY_NUMBERS = 4
_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
#: cells never shown: tagged for removal, the parameters (shown as a table instead) and
#: papermill's error banner (the page has its own failure box, linked to the failing cell)
_REMOVE_CELL_TAGS = {
    "remove-cell",
    "remove_cell",
    "parameters",
    "injected-parameters",
    "papermill-error-cell-tag",
}
_REMOVE_INPUT_TAGS = {"remove-input", "remove_input", "hide-input"}
#: cells with this tag open the report page, above the parameters and the contents
ANSWER_TAG = "answer"
_REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}


def format_value(value: Any) -> str:
    """A parameter value as shown to readers: text as is (``""`` when empty), else JSON."""
    if isinstance(value, str):
        return value or '""'
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def format_number(value: Any) -> str:
    """A key number for a table: thousands separators, about four significant digits."""
    if value is None:
        return "undefined"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if math.isnan(value) or math.isinf(value):
        return "undefined"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.4g}"
    if "e" in text:
        text = f"{value:.3e}"
    return "0" if text in ("-0", "-0.0") else text


def _drop_empty_outputs(nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Remove outputs that show nothing (e.g. record_sources' invisible metadata carrier)."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data")
            if (
                output.get("output_type") == "display_data"
                and data is not None
                and not any(str(value).strip() for value in data.values())
            ):
                continue
            kept.append(output)
        cell.outputs = kept
    return nb, resources


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class _Headings(HTMLParser):
    """Collect the headings (level, id, text) of rendered notebook HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in _HEADING_TAGS and self._current is None:
            self._current = {
                "level": _HEADING_TAGS[tag],
                "anchor": attributes.get("id"),
                "text": "",
            }
        elif (
            self._current is not None
            and tag == "a"
            and "anchor-link" in (attributes.get("class") or "")
        ):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._current is None:
            return
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag in _HEADING_TAGS:
            self._current["text"] = " ".join(self._current["text"].split())
            self.found.append(self._current)
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and not self._skip:
            self._current["text"] += data


def sources_lookup(frame: Any) -> dict[str, dict[str, str]]:
    """Source rows keyed by id, ready for the template (only http(s) URLs become links).

    The date is ``published``, else ``about <published_approx>`` (a date estimated from the
    content), else empty.
    """
    import pandas as pd

    lookup: dict[str, dict[str, str]] = {}
    if frame is None:
        return lookup
    for row in frame.to_dict(orient="records"):

        def text(key: str, row: Mapping[str, Any] = row) -> str:
            value = row.get(key)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                return ""
            return str(value).strip()

        url = text("url")
        date = text("published") or (
            f"about {text('published_approx')}" if text("published_approx") else ""
        )
        lookup[text("source_id")] = {
            "source_id": text("source_id"),
            "publisher": text("publisher"),
            "title": text("title") or text("source_id"),
            "url": url if re.match(r"^https?://", url, re.IGNORECASE) else "",
            "date": date,
            "language": text("language"),
        }
    return lookup


class ReportRenderer:
    """Turns executed notebooks into report pages; build it once, before forking workers.

    ``run`` holds the footer's facts (``run_id``, ``date_text``, ``git_commit``,
    ``git_dirty``, ``data_sha256``); ``sources`` comes from :func:`sources_lookup`.
    """

    def __init__(
        self, *, show_code: bool, run: Mapping[str, Any], sources: Mapping[str, Mapping]
    ) -> None:
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor

        self.show_code = show_code
        self.run = dict(run)
        self.sources = dict(sources)
        self.exporter = HTMLExporter(
            extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
            template_name="sovcloud_cells",
            exclude_input=not show_code,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        self.exporter.register_preprocessor(
            TagRemovePreprocessor(
                remove_cell_tags=_REMOVE_CELL_TAGS,
                remove_input_tags=_REMOVE_INPUT_TAGS,
                remove_all_outputs_tags=_REMOVE_OUTPUT_TAGS,
                enabled=True,
            ),
            enabled=True,
        )
        self.exporter.register_preprocessor(_drop_empty_outputs, enabled=True)
        self.exporter.register_preprocessor(prepare_outputs, enabled=True)
        self.env = _environment()
        self.css = Markup((TEMPLATES / "style.css").read_text(encoding="utf-8"))

    def render(
        self,
        nb: Any,
        report: Mapping[str, Any],
        parameters: Sequence[tuple[str, Any, bool, str]],
        source_ids: Sequence[str],
    ) -> str:
        """The report page of one executed notebook.

        ``report`` is its manifest entry (name, status, error, failed_cell, notebook_out);
        ``parameters`` are (name, value, given?, help) rows.
        """
        nb, answer_nb = split_answer(nb)
        body, resources = self.exporter.from_notebook_node(
            nb, resources={"metadata": {"name": report["name"]}}
        )
        body = sanitize_body(body)  # notebook outputs are not trusted: nothing active
        report = {**report, "error": page_error(report.get("error"))}
        answer = ""
        if answer_nb is not None:
            answer, _ = self.exporter.from_notebook_node(
                answer_nb, resources={"metadata": {"name": report["name"]}}
            )
            answer = sanitize_body(answer)
        headings = _Headings()
        headings.feed(body)
        title = headings.found[0]["text"] if headings.found else report["name"]
        # the page header shows the title: drop its first rendering from the cells
        if headings.found and headings.found[0]["level"] == 1:
            body = re.sub(r"<h1\b[^>]*>.*?</h1>", "", body, count=1, flags=re.DOTALL)
            toc_entries = headings.found[1:]
        else:
            toc_entries = headings.found
        toc = [h for h in toc_entries if h["anchor"] and h["text"]]
        extra_css = ""
        if self.show_code:
            extra_css = "\n".join(resources.get("inlining", {}).get("css", []))
        known = [self.sources[s] for s in source_ids if s in self.sources]
        unknown = [s for s in source_ids if s not in self.sources]
        rows = [
            {"name": n, "value": format_value(v), "given": g, "help": h}
            for n, v, g, h in parameters
        ]
        template = self.env.get_template("report.html.j2")
        return template.render(
            title=title,
            report=report,
            run=self.run,
            parameters=rows,
            toc=toc,
            body=Markup(body),
            answer=Markup(answer),
            sources=known,
            unknown_sources=unknown,
            css=self.css,
            extra_css=Markup(extra_css),
            show_code=self.show_code,
        )


def split_answer(nb: Any) -> tuple[Any, Any | None]:
    """Move the cells tagged :data:`ANSWER_TAG` out of a notebook, into one of their own.

    The report page shows them first, above the parameters and the contents (a notebook
    computes its answer after its parameters, but a reader wants it before them). Returns
    ``(rest, answer)``; ``answer`` is None when no cell has the tag. ``nb`` is not changed.
    """
    import copy

    tagged = [
        i for i, c in enumerate(nb.cells) if ANSWER_TAG in (c.get("metadata", {}).get("tags") or [])
    ]
    if not tagged:
        return nb, None
    rest, answer = copy.deepcopy(nb), copy.deepcopy(nb)
    rest.cells = [c for i, c in enumerate(rest.cells) if i not in tagged]
    answer.cells = [c for i, c in enumerate(answer.cells) if i in tagged]
    return rest, answer


def warm_up(renderer: ReportRenderer) -> None:
    """Render a tiny notebook once, so forked workers inherit compiled templates.

    Each worker renders a single page: without this, every worker would compile nbconvert's
    and our Jinja templates again (about 0.25 s each).
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(
        cells=[
            new_markdown_cell("# Warm-up\n\n## Section\n\nText with a [link](https://a.b)."),
            new_code_cell(
                "x",
                outputs=[
                    new_output("stream", name="stdout", text="text"),
                    new_output("display_data", data={"text/html": "<table></table>"}),
                    new_output("error", ename="E", evalue="v", traceback=["\x1b[31mE\x1b[0m"]),
                ],
            ),
        ]
    )
    nbformat.validate(nb)  # compiles the notebook schema papermill validates against
    renderer.render(nb, {"name": "warm-up", "status": "ok", "notebook_out": ""}, [], [])


def render_index(
    run: Mapping[str, Any],
    reports: Sequence[Mapping[str, Any]],
    previous: str | None,
    shown_values: Mapping[str, Any] | None = None,
) -> str:
    """The index page of a run: reports grouped by notebook, failures first, each with its
    headline numbers as "central (low to high) unit" (those the notebook marked with
    ``record_key_numbers(..., headline=[...])``, else its first quantities) and the other
    key numbers folded.

    ``shown_values`` replace the values of those parameters on the page (``data_dir``: the
    page is published, the manifest keeps the local path).
    """
    shown_values = shown_values or {}
    env = _environment()
    rows = []
    for report in index_order(reports):
        recorded = report.get("key_numbers") or {}
        headline = headline_rows(recorded, fallback=INDEX_KEY_NUMBERS)
        marked = {r["quantity"] for r in headline}
        rest = [r for r in key_number_rows(recorded) if r["quantity"] not in marked]
        given = report.get("parameters") or {}
        rows.append(
            {
                **report,
                "numbers_shown": [index_number(r) for r in headline],
                "numbers_more": [index_number(r) for r in rest],
                "parameters_shown": [
                    (k, format_value(shown_values.get(k, v))) for k, v in given.items()
                ],
                "duration_text": f"{report.get('duration_s', 0):.1f} s",
            }
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row.get("notebook", "")), []).append(row)
    failed = sum(1 for r in reports if r["status"] != "ok")
    css = Markup((TEMPLATES / "style.css").read_text(encoding="utf-8"))
    return env.get_template("index.html.j2").render(
        run=run,
        reports=rows,
        groups=list(groups.items()),
        failed=failed,
        previous=previous,
        css=css,
        extra_css="",
    )


def index_order(reports: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Reports as the index lists them: grouped by notebook, a group with a failure first,
    failures first inside a group, otherwise in config order.

    >>> r = [{"name": "a", "notebook": "x", "status": "ok"},
    ...      {"name": "b", "notebook": "y", "status": "ok"},
    ...      {"name": "c", "notebook": "x", "status": "ok"},
    ...      {"name": "d", "notebook": "y", "status": "failed"}]
    >>> [x["name"] for x in index_order(r)]
    ['d', 'b', 'a', 'c']
    """
    notebooks = list(dict.fromkeys(str(r.get("notebook", "")) for r in reports))
    failing = {str(r.get("notebook", "")) for r in reports if r["status"] != "ok"}
    rank = {nb: (nb not in failing, i) for i, nb in enumerate(notebooks)}
    return sorted(
        reports, key=lambda r: (rank[str(r.get("notebook", ""))], r["status"] == "ok")
    )  # stable: config order inside


def index_number(row: Mapping[str, Any]) -> dict[str, str]:
    """One quantity of :func:`analysis.report.record.key_number_rows` as the index shows it:
    ``value`` the central, ``range`` ``(low to high)`` when both ends are known and differ,
    and the unit.

    >>> index_number({"quantity": "big3_share_pct", "label": "big three's share", "unit": "%",
    ...     "low": 63.0, "central": 63.5, "high": 64.0})["range"]
    '(63 to 64)'
    """
    low, high = row.get("low"), row.get("high")
    central = row.get("central", row.get("p50"))
    span = ""
    numeric = isinstance(low, int | float) and isinstance(high, int | float)
    if numeric and format_number(low) != format_number(high):
        span = f"({format_number(low)} to {format_number(high)})"
    return {
        "name": str(row["quantity"]),
        "label": str(row.get("label") or row["quantity"]),
        "value": format_number(central),
        "range": span,
        "unit": str(row.get("unit") or "") if central is not None or span else "",
    }
