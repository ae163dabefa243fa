"""What a notebook may put in a published page: inert HTML, no machine paths, a size cap.

Three steps between an executed notebook and its page (:class:`~analysis.runner.html.
ReportRenderer` applies them):

1. :func:`prepare_outputs` (an nbconvert preprocessor, on the page's copy of the notebook):
   text printed on stderr (library warnings a reader cannot act on) goes to the report's
   log, not the page; absolute paths of this machine in tracebacks and printed text are
   shown relative to the repository, the environment's ``site-packages`` or the standard
   library, and the home folder as ``~``; outputs are cut to :data:`MAX_OUTPUT_CHARS` each
   and :data:`MAX_PAGE_OUTPUT_CHARS` per page, with a visible note.
2. :func:`sanitize_body` cleans the rendered cells with nh3 (the Ammonia allow-list
   sanitiser): no script, style, meta, iframe, form or event handler survives, images must
   be inline ``data:image/...`` (figures), and links keep only in-page targets (``#...``):
   the page's own sources list is the only place with links.
3. :func:`relative_paths` is also applied to the failure box of the page.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from functools import lru_cache
from typing import Any

import nh3

__all__ = [
    "MAX_OUTPUT_CHARS",
    "MAX_PAGE_OUTPUT_CHARS",
    "page_error",
    "prepare_outputs",
    "relative_paths",
    "sanitize_body",
]

#: longest text of one output shown in a page (characters); the rest is cut with a note
MAX_OUTPUT_CHARS = 200_000
#: most characters of outputs (text and inline images) in one page
MAX_PAGE_OUTPUT_CHARS = 8_000_000

_TAGS = set(nh3.ALLOWED_TAGS) | {"main", "section", "nav", "tfoot"}
_GENERIC = {"class", "id", "title", "lang", "dir", "role", "aria-label", "data-mime-type"}
_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items() if tag in _TAGS
}
_ATTRIBUTES["*"] = _GENERIC
for _tag in ("span", "div", "td", "th", "tr", "pre", "code"):
    _ATTRIBUTES.setdefault(_tag, set()).add("style")
_STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "text-decoration",
    "text-align",
    "vertical-align",
    "white-space",
}
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _IMAGE_DATA.match(value) else None  # inline figures only
    if attribute in ("href", "cite", "longdesc", "action", "formaction", "background"):
        return value if value.startswith("#") else None  # no link made of notebook output
    return value


def sanitize_body(fragment: str) -> str:
    """Notebook HTML with everything active removed (allow-list of tags and attributes).

    >>> sanitize_body('<meta http-equiv="refresh" content="0;url=https://x"><b onclick="f()">b</b>')
    '<b>b</b>'
    >>> sanitize_body('<img src="https://x/t.png"><a href="http://x">x</a><a href="#s">s</a>')
    '<img><a rel="noopener noreferrer">x</a><a href="#s" rel="noopener noreferrer">s</a>'
    """
    return nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "textarea", "title"},
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"data"},
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
    )


@lru_cache(maxsize=1)
def _roots() -> list[tuple[str, str]]:
    """(absolute prefix, shown as) pairs, longest first."""
    from analysis.data.io import REPO_ROOT

    pairs: dict[str, str] = {}
    for key in ("purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            pairs[path] = "site-packages"
    for key in ("stdlib", "platstdlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            pairs[path] = f"python{sys.version_info.major}.{sys.version_info.minor}"
    pairs[str(REPO_ROOT)] = "."
    pairs[sys.prefix] = "<environment>"
    home = os.path.expanduser("~")
    if home not in ("", "/"):
        pairs[home] = "~"
    found: list[tuple[str, str]] = []
    for path, shown in pairs.items():
        for variant in {path, os.path.realpath(path)}:
            found.append((variant.rstrip("/"), shown))
    return sorted(found, key=lambda pair: -len(pair[0]))


def relative_paths(text: str) -> str:
    """``text`` with this machine's absolute paths made relative (repository, environment,
    standard library, home folder).

    >>> from analysis.data.io import REPO_ROOT
    >>> relative_paths(f'File {REPO_ROOT}/analysis/data/io.py:124')
    'File analysis/data/io.py:124'
    """
    if not isinstance(text, str) or "/" not in text:
        return text
    for prefix, shown in _roots():
        if prefix and prefix in text:
            replacement = "" if shown == "." else shown + "/"
            text = re.sub(re.escape(prefix) + r"/", replacement.replace("\\", "\\\\"), text)
            text = text.replace(prefix, shown)
    return text


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + (
        f"\n[... output cut by the report runner: {limit:,} of {len(text):,} characters "
        "shown; the executed notebook holds the rest]\n"
    )


def _size(output: Any) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    if output.get("output_type") == "error":
        return sum(len(line) for line in output.get("traceback", []))
    return sum(len(str(value)) for value in (output.get("data") or {}).values())


def _note(text: str) -> dict[str, Any]:
    from nbformat.v4 import new_output

    return new_output("stream", name="stdout", text=text)


def prepare_outputs(nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """nbconvert preprocessor: stderr to the log, machine paths made relative, sizes cut."""
    budget = MAX_PAGE_OUTPUT_CHARS
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        left_out = 0
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream" and output.get("name") == "stderr":
                print(output.get("text", ""), end="", file=sys.stderr)  # the report's log
                continue
            if kind == "stream":
                output["text"] = _truncate(relative_paths(output.get("text", "")), MAX_OUTPUT_CHARS)
            elif kind == "error":
                output["evalue"] = relative_paths(output.get("evalue", ""))
                output["traceback"] = [relative_paths(line) for line in output.get("traceback", [])]
            elif "text/plain" in (output.get("data") or {}):
                plain = output["data"]["text/plain"]
                plain = "".join(plain) if isinstance(plain, list) else plain
                output["data"]["text/plain"] = _truncate(relative_paths(plain), MAX_OUTPUT_CHARS)
            size = _size(output)
            if size > budget:
                left_out += 1
                continue
            budget -= size
            kept.append(output)
        if left_out:
            kept.append(
                _note(
                    "[... outputs left out by the report runner: this page reached its size "
                    f"limit of {MAX_PAGE_OUTPUT_CHARS:,} characters; the executed notebook "
                    "holds them]\n"
                )
            )
        cell.outputs = kept
    return nb, resources


def page_error(error: dict[str, Any] | None) -> dict[str, Any] | None:
    """A report's error (manifest entry) as the page shows it: paths made relative."""
    if not error:
        return error
    return {key: relative_paths(value) for key, value in error.items()}
