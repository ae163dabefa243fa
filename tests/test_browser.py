"""The rendered run in a real browser: headless Chromium (Debian's) driven by Playwright.

Every page of a run loads with zero requests outside the run folder and no console error,
every image decodes, every link of the index resolves, every in-page anchor has its target,
and a ``<script>`` in a source title shows as text. Checked on the fixture notebooks and on
the real reports (the session's one run of every report of reports.yml, on a copy of data/
whose texts carry markup: it must show as text, in the runner's parts of the page and in the
notebooks' own text and tables). One Chromium serves every page. Skipped when
/usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (as in CI), which turns the skip into
a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import write_tiny_package
from fixtures.real_run import MARKUP
from runner_helpers import copy_notebooks, latest, manifest, run_cli, write_config

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
EVIL_TITLE = '<script>window.__pwned = 1</script> Cloud "souverain" & <b>bold</b>'


@pytest.fixture(scope="module")
def browser():
    """One Chromium for every page of this module (all the browser tests). Not for the
    session: Playwright's sync API keeps an event loop running in this thread while the
    browser is open, which later tests' asyncio.run() would trip over."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """Two runs into one folder (so the index links a previous run); the second is tested."""
    root = tmp_path_factory.mktemp("browser")
    copy_notebooks(root / "notebooks")
    data = write_tiny_package(root / "data")
    with open(data / "sources.csv", "a", encoding="utf-8") as handle:
        title = EVIL_TITLE.replace('"', '""')
        handle.write(f'evil,Evil Press,"{title}",https://example.org/evil,2020-01\n')
    config = write_config(
        root / "r.yml",
        [
            {
                "notebook": "notebooks/figures.ipynb",
                "name": "figures",
                "parameters": {"n_figures": 2, "sources": ["bfm", "evil", "unknown-id"]},
            },
            {"notebook": "notebooks/numbers.ipynb", "name": "numbers"},
            {"notebook": "notebooks/failing.ipynb", "name": "failing"},
        ],
    )
    out = root / "out"
    args = ["run", "--config", str(config), "--output", str(out), "--data-dir", str(data)]
    first = run_cli(*args, "--only", "numbers", "--no-progress")
    assert first.returncode == 0, first.stderr
    second = run_cli(*args, "--no-progress")
    assert second.returncode == 1, second.stderr  # the failing report
    return latest(out).resolve()


class _Visit:
    """A page loaded with every request recorded (and any outside the run folder refused)."""

    def __init__(self, browser, url: str, allowed_prefix: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []

        def route(route) -> None:
            url = route.request.url
            self.requests.append(url)
            if url.startswith(allowed_prefix):
                route.continue_()
            else:
                route.abort()

        self.page.route("**/*", route)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("requestfailed", lambda request: self.errors.append(f"failed {request.url}"))
        self.page.goto(url, wait_until="load")

    def close(self) -> None:
        self.context.close()


def _pages(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob("*.html"))


def test_every_page_is_offline_clean_and_its_images_decode(browser, run_dir: Path) -> None:
    prefix = run_dir.as_uri() + "/"
    pages = _pages(run_dir)
    assert [p.name for p in pages] == ["failing.html", "figures.html", "index.html", "numbers.html"]
    for path in pages:
        visit = _Visit(browser, path.as_uri(), prefix)
        try:
            outside = [u for u in visit.requests if not u.startswith(prefix)]
            assert outside == [], f"{path.name} requested {outside}"
            assert visit.errors == [], f"{path.name}: {visit.errors}"
            images = visit.page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
            )
            assert all(done and w > 0 and h > 0 for done, w, h in images), (path.name, images)
            if path.name == "figures.html":
                assert len(images) == 2
            missing = visit.page.eval_on_selector_all(
                'a[href^="#"]',
                "as => as.map(a => decodeURIComponent(a.getAttribute('href').slice(1)))"
                ".filter(id => !document.getElementById(id))",
            )
            assert missing == [], f"{path.name}: anchors without a target {missing}"
            assert visit.page.evaluate("document.scripts.length") == 0
        finally:
            visit.close()


def test_every_link_of_the_index_resolves(browser, run_dir: Path) -> None:
    visit = _Visit(browser, (run_dir / "index.html").as_uri(), run_dir.parent.as_uri() + "/")
    try:
        links = visit.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    finally:
        visit.close()
    assert len(links) >= 3 * 3 + 2  # report, notebook and log per report; previous; manifest
    # the previous run's link (a report reused from an earlier run links that run too)
    previous = [u for u in links if u.endswith("/index.html")]
    assert previous and "/../" not in previous[0]
    assert len(set(previous)) == 1
    for url in links:
        parts = urlsplit(url)
        assert parts.scheme == "file", url
        target = Path(unquote(parts.path))
        assert target.is_file(), f"{url} does not resolve"
        if target.suffix == ".html":
            page = _Visit(browser, url, target.parent.as_uri() + "/")
            try:
                assert page.errors == [], (url, page.errors)
                assert page.page.title(), url
            finally:
                page.close()
        elif target.suffix in (".ipynb", ".json"):
            json.loads(target.read_text(encoding="utf-8"))
        else:
            assert target.stat().st_size > 0, url


def test_a_script_in_a_source_title_shows_as_text(browser, run_dir: Path) -> None:
    visit = _Visit(browser, (run_dir / "figures.html").as_uri(), run_dir.as_uri() + "/")
    try:
        sources = visit.page.inner_text("#sc-sources")
        assert EVIL_TITLE in sources
        assert "Evil Press" in sources and "BFM Business" in sources
        assert "[unknown-id] not found in the sources table" in sources
        assert visit.page.evaluate("typeof window.__pwned") == "undefined"
        assert visit.page.eval_on_selector_all("#sc-sources b", "bs => bs.length") == 0
        link = visit.page.get_attribute("#source-evil a", "href")
        assert link == "https://example.org/evil"
    finally:
        visit.close()


def test_failed_report_page_links_to_its_failing_cell(browser, run_dir: Path) -> None:
    visit = _Visit(browser, (run_dir / "failing.html").as_uri(), run_dir.as_uri() + "/")
    try:
        box = visit.page.inner_text("#sc-failure")
        assert "At cell 4 (In [3]): ValueError: fixture failure: boom" in box
        visit.page.click("#sc-failure a")
        target = visit.page.evaluate("decodeURIComponent(location.hash.slice(1))")
        assert (
            visit.page.inner_text(f'[id="{target}"]')
            .strip()
            .endswith("ValueError: fixture failure: boom")
        )
    finally:
        visit.close()
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert index.index('id="report-failing"') < index.index('id="report-figures"')


def test_run_folder_can_be_moved_and_still_works(browser, run_dir: Path, tmp_path: Path) -> None:
    """Publishing is copying the folder: nothing in it points back to where it was made."""
    moved = tmp_path / "published" / run_dir.name
    shutil.copytree(run_dir, moved)
    for path in _pages(moved):
        assert str(run_dir) not in path.read_text(encoding="utf-8")
        visit = _Visit(browser, path.as_uri(), moved.as_uri() + "/")
        try:
            assert visit.errors == [], (path.name, visit.errors)
        finally:
            visit.close()


# --------------------------------------------------------------------------- real reports

#: reports whose notebook text names the marked-up source and entity (so the check that the
#: text shows literally cannot pass for want of the text)
NAMES_THE_MARKUP = ["market-europe", "investment-state-both"]


@pytest.fixture(scope="module")
def real_pages(real_run) -> tuple[Path, list[str]]:
    """The session's run of every report of reports.yml (on data with markup in its texts),
    and the names of its reports."""
    assert real_run.returncode == 0, real_run.stdout + real_run.stderr
    return real_run.run_dir, [r["name"] for r in manifest(real_run.run_dir)["reports"]]


def test_every_real_page_is_offline_clean_and_its_links_resolve(browser, real_pages) -> None:
    """The real reports (figures, pandas tables, long text), not only the fixtures."""
    real_run, names = real_pages
    prefix = real_run.as_uri() + "/"
    pages = sorted(real_run.glob("*.html"))
    assert sorted(p.name for p in pages) == sorted(["index.html", *(f"{n}.html" for n in names)])
    for path in pages:
        visit = _Visit(browser, path.as_uri(), prefix)
        try:
            outside = [u for u in visit.requests if not u.startswith(prefix)]
            assert outside == [], f"{path.name} requested {outside}"
            assert visit.errors == [], f"{path.name}: {visit.errors}"
            images = visit.page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
            )
            assert all(done and w > 0 and h > 0 for done, w, h in images), (path.name, images)
            if path.name != "index.html":
                assert images, f"{path.name} has no figure"
            missing = visit.page.eval_on_selector_all(
                'a[href^="#"]',
                "as => as.map(a => decodeURIComponent(a.getAttribute('href').slice(1)))"
                ".filter(id => !document.getElementById(id))",
            )
            assert missing == [], f"{path.name}: anchors without a target {missing}"
            assert visit.page.evaluate("document.scripts.length") == 0
            if path.name == "index.html":
                links = visit.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
                for url in links:
                    target = Path(unquote(urlsplit(url).path))
                    assert urlsplit(url).scheme == "file" and target.is_file(), url
                assert len(links) >= 3 * len(names) + 1
        finally:
            visit.close()


_MARKUP_CHECKS = """([markup]) => {
    const text = (el) => (el ? el.innerText : "");
    const body = document.querySelector("#sc-body");
    const count = (haystack, needle) => haystack.split(needle).length - 1;
    const all = text(document.body);
    return {
        injected: document.getElementById("inj") !== null,
        scriptLinks: [...document.querySelectorAll("a[href]")]
            .map(a => a.getAttribute("href"))
            .filter(h => /^\\s*javascript:/i.test(h)),
        rendered: [...document.querySelectorAll("i, em, strong, b, h1, h2, h3, h4")]
            .map(e => e.tagName + ": " + e.textContent.trim())
            .filter(t => /: (EVIL|INJ|star)$/.test(t)),
        tocEntries: [...document.querySelectorAll("#sc-contents a")]
            .map(a => a.textContent.trim())
            .filter(t => /EVIL|INJ|javascript|star/.test(t)),
        literalInBody: count(text(body), markup),
        evilInBody: count(text(body), "EVIL"),
        literalInPage: count(all, markup),
        evilInPage: count(all, "EVIL"),
    };
}"""


def test_markup_in_the_data_shows_as_text_on_real_pages(browser, real_pages) -> None:
    """Publisher, title and entity name with HTML and Markdown in them: no injected element,
    no javascript: link, no extra table-of-contents entry, and the text shows literally
    wherever it appears (the runner's parts and the notebooks' own text and tables)."""
    real_run, names = real_pages
    assert set(NAMES_THE_MARKUP) <= set(names)
    problems: list[str] = []
    for name in ["index", *names]:
        visit = _Visit(browser, (real_run / f"{name}.html").as_uri(), real_run.as_uri() + "/")
        try:
            found = visit.page.evaluate(_MARKUP_CHECKS, [MARKUP])
        finally:
            visit.close()
        where = f"{name}.html"
        if found["injected"]:
            problems.append(f"{where}: an element with id 'inj' exists (raw <h1> injected)")
        if found["scriptLinks"]:
            problems.append(f"{where}: javascript: links {found['scriptLinks']}")
        if found["rendered"]:
            problems.append(f"{where}: markup rendered as elements {found['rendered']}")
        if found["tocEntries"]:
            problems.append(f"{where}: extra table-of-contents entries {found['tocEntries']}")
        if found["evilInPage"] != found["literalInPage"]:
            problems.append(
                f"{where}: the text appears {found['evilInPage']} times, only "
                f"{found['literalInPage']} of them literally"
            )
        if name in NAMES_THE_MARKUP and found["literalInBody"] == 0:
            problems.append(f"{where}: the notebook's own text never shows the literal text")
    assert problems == [], "\n".join(problems)
