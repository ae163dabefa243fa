"""Nothing hostile is rendered, nothing of the machine is published (issue 12, cases 3, 4,
9 and 11).

One run of one hostile notebook (a fixture written here) serves the page tests: its
outputs hold active HTML (a meta refresh, a script, an external image, an event handler),
a bare URL in Markdown, a warning on stderr, a traceback through the standard library and
pandas, and more output than a page may hold. The unit tests check the pieces on literal
inputs.
"""

from __future__ import annotations

import html
import os
import re
import sys
import warnings
from pathlib import Path

import pytest
from conftest import write_tiny_package
from hostile_helpers import write_notebook
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from runner_helpers import REPO, latest, manifest, run_cli, write_config

from analysis.report.textsafe import md
from analysis.runner.sanitize import (
    MAX_OUTPUT_CHARS,
    prepare_outputs,
    relative_paths,
    sanitize_body,
)
from analysis.runner.worker import cap_log

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE_HTML = (
    '<meta http-equiv="refresh" content="0;url=https://example.org/away">'
    "<script>window.__pwned = 1</script>"
    '<img src="https://example.org/pixel.png" onerror="window.__pwned = 2">'
    '<link rel="stylesheet" href="https://example.org/x.css">'
    '<iframe src="https://example.org/frame"></iframe>'
    '<svg onload="window.__pwned = 3"><circle r="1"/></svg>'
    '<p onclick="window.__pwned = 4" style="background-image: url(https://example.org/b.png)">'
    "HOSTILE-TEXT-KEPT</p>"
)
BIG_OUTPUT_CHARS = MAX_OUTPUT_CHARS + 50_000


def _hostile_notebook(path: Path) -> Path:
    return write_notebook(
        path,
        [
            new_markdown_cell("# Hostile fixture\n\n## Outputs"),
            new_code_cell('mode: str = "all"  # all', metadata={"tags": ["parameters"]}),
            new_code_cell(
                "from IPython.display import HTML, Markdown, display\n"
                f"display(HTML({HOSTILE_HTML!r}))\n"
                "display(Markdown('Acme http://evil.example/bare and <http://evil.example/angle>'))"
            ),
            new_code_cell(
                "import warnings\n"
                "warnings.warn('LIBRARY-WARNING-FOR-THE-LOG', UserWarning)\n"
                "import pandas as pd\n"
                "pd.DataFrame({'value_eur_m': [1.5, 2.5]})"
            ),
            new_code_cell(f"print('x' * {BIG_OUTPUT_CHARS})"),
            new_code_cell("import json\njson.loads('{not json')  # fails in the standard library"),
        ],
    )


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile-html")
    _hostile_notebook(root / "hostile.ipynb")
    data = write_tiny_package(root / "data")
    config = write_config(root / "r.yml", [{"notebook": "hostile.ipynb", "name": "hostile"}])
    out = root / "out"
    done = run_cli("run", "--config", str(config), "--output", str(out), "--data-dir",
                   str(data), "--no-progress")  # fmt: skip
    assert done.returncode == 1, done.stderr  # the last cell fails: published, failed
    return latest(out)


# --- case 9: active HTML ------------------------------------------------------------------


def test_sanitiser_removes_everything_active_and_keeps_figures_and_tables() -> None:
    png = "data:image/png;base64,iVBORw0KGgo="
    body = sanitize_body(
        HOSTILE_HTML
        + f'<div class="jp-OutputArea-output"><img alt="figure" src="{png}"></div>'
        + '<table class="dataframe"><thead><tr><th>a</th></tr></thead>'
        "<tbody><tr><td>1</td></tr></tbody></table>"
        + '<a class="anchor-link" href="#section">¶</a><form action="https://x"><input></form>'
    )
    for gone in ("<meta", "<script", "__pwned", "example.org", "<iframe", "<svg", "onload",
                 "onclick", "onerror", "<link", "<form", "<input", "url("):  # fmt: skip
        assert gone not in body, gone
    assert f'<img alt="figure" src="{png}">' in body
    assert '<table class="dataframe"><thead><tr><th>a</th></tr></thead>' in body
    assert '<a class="anchor-link" href="#section" rel="noopener noreferrer">¶</a>' in body
    assert "HOSTILE-TEXT-KEPT" in body


@pytest.mark.slow
def test_page_of_hostile_outputs_holds_nothing_active(hostile_run: Path) -> None:
    page = (hostile_run / "hostile.html").read_text(encoding="utf-8")
    body = page[page.index('<main id="sc-body">') :]
    for gone in ("http-equiv", "<script", "__pwned", "example.org", "<iframe", "onerror"):
        assert gone not in body, gone
    assert "HOSTILE-TEXT-KEPT" in body
    assert '<table class="dataframe"' in body  # the DataFrame's table survives


@pytest.mark.slow
@pytest.mark.browser
def test_reader_stays_on_the_hostile_page_and_no_request_is_made(hostile_run: Path) -> None:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    page_url = (hostile_run / "hostile.html").as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_url)
            page.wait_for_timeout(1500)  # a meta refresh of 0 s would have fired by now
            assert page.url == page_url
            assert page.evaluate("window.__pwned") is None
            assert [url for url in requests if url != page_url] == []
            assert "HOSTILE-TEXT-KEPT" in page.inner_text("body")
        finally:
            browser.close()


# --- case 4: data text never becomes a link ----------------------------------------------


def test_bare_urls_in_data_text_stay_text() -> None:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    for text in ("Acme http://evil.example/x", "Acme <http://evil.example/x>", "FTP://a.b"):
        rendered = markdown2html_mistune(f"Publisher: {md(text)}.")
        assert "<a" not in rendered, rendered
        assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip() == f"Publisher: {text}."


@pytest.mark.slow
def test_a_bare_url_in_notebook_markdown_is_no_link_in_the_page(hostile_run: Path) -> None:
    page = (hostile_run / "hostile.html").read_text(encoding="utf-8")
    body = page[page.index('<main id="sc-body">') : page.index("</main>")]
    assert "evil.example/bare" in body
    assert re.findall(r"<a [^>]*href=\"(?!#)", body) == []  # only in-page anchors


# --- case 3: no machine path, warnings to the log -----------------------------------------


def _machine_paths() -> list[str]:
    home = os.path.expanduser("~")
    paths = [str(REPO), sys.prefix, os.path.realpath(sys.prefix)]
    return paths + ([home] if home not in ("", "/") else [])


@pytest.mark.slow
def test_failed_page_shows_relative_paths_and_no_warning(hostile_run: Path) -> None:
    page = (hostile_run / "hostile.html").read_text(encoding="utf-8")
    for path in _machine_paths():
        assert path not in page, path
    assert "python3." in page and "json/decoder.py" in page  # relative to the stdlib
    assert "JSONDecodeError" in page
    assert "LIBRARY-WARNING-FOR-THE-LOG" not in page
    assert "LIBRARY-WARNING-FOR-THE-LOG" in (hostile_run / "logs" / "hostile.log").read_text()
    entry = manifest(hostile_run)["reports"][0]
    assert entry["status"] == "failed" and entry["error"]["ename"] == "JSONDecodeError"


def test_relative_paths_of_the_repository_environment_and_home() -> None:
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    text = (
        f'File "{site}/pandas/core/frame.py", line 1\n'
        f"File {REPO}/analysis/data/io.py:124\n"
        f"{os.path.expanduser('~')}/notes.txt"
    )
    shown = relative_paths(text)
    assert shown.splitlines()[:2] == [
        'File "site-packages/pandas/core/frame.py", line 1',
        "File analysis/data/io.py:124",
    ]
    for path in _machine_paths():
        assert path not in shown


def test_long_names_in_a_legend_do_not_collapse_the_figure() -> None:
    """The constrained-layout warning's cause: a legend wider than the figure."""
    from analysis.report.blocks import figure_png
    from analysis.report.plotting import new_figure

    fig, (ax,) = new_figure("Sources: x", (8, 4.5))
    for i in range(5):
        ax.plot([1, 2], [i, i], label=f"Provider {i} " + "long name " * 30)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the UserWarning would fail the test
        png = figure_png(fig)
    assert png.startswith(b"\x89PNG")


# --- case 11: output sizes ----------------------------------------------------------------


def test_outputs_are_cut_with_a_visible_note() -> None:
    nb = new_notebook(
        cells=[
            new_code_cell(
                "x",
                outputs=[
                    new_output("stream", name="stdout", text="y" * (MAX_OUTPUT_CHARS + 10)),
                    new_output("stream", name="stderr", text="warning for the log\n"),
                ],
            )
        ]
    )
    prepared, _ = prepare_outputs(nb, {})
    outputs = prepared.cells[0].outputs
    assert len(outputs) == 1  # stderr went to the log
    assert outputs[0].text.startswith("y" * MAX_OUTPUT_CHARS + "\n[... output cut")
    assert f"{MAX_OUTPUT_CHARS:,} of {MAX_OUTPUT_CHARS + 10:,} characters shown" in outputs[0].text


@pytest.mark.slow
def test_page_of_a_huge_output_is_capped(hostile_run: Path) -> None:
    page = (hostile_run / "hostile.html").read_text(encoding="utf-8")
    assert "x" * MAX_OUTPUT_CHARS in page and "x" * (MAX_OUTPUT_CHARS + 1) not in page
    # print() adds a newline to the characters printed
    assert f"{MAX_OUTPUT_CHARS:,} of {BIG_OUTPUT_CHARS + 1:,} characters shown" in page
    # the executed notebook keeps all of it
    assert "x" * BIG_OUTPUT_CHARS in (hostile_run / "hostile.ipynb").read_text()


def test_a_huge_log_keeps_its_beginning_and_end(tmp_path: Path) -> None:
    log = tmp_path / "r.log"
    log.write_bytes(b"BEGIN" + b"-" * 5000 + b"END")
    cap_log(log, limit=1000)
    text = log.read_text()
    assert text.startswith("BEGIN") and text.endswith("END")
    assert "bytes of this log cut by the report runner (limit 1,000 bytes)" in text
    assert len(text) < 1200
