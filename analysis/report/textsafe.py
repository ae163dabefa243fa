"""Put text that comes from the data into Markdown and HTML safely.

Names, titles and publishers come from CSV files anyone may edit. Before such text goes into
a Markdown sentence shown in a notebook (and so into the HTML reports), :func:`md` makes it
inert: ``<`` ``>`` ``&`` become HTML entities and Markdown's punctuation is escaped, so a
publisher written ``X <i>EVIL</i> [l](javascript:alert(1)) *star*`` shows exactly as
written instead of turning into markup, a link or italics; a bare URL (``http://...``,
``<http://...>``) stays text too (its colon becomes ``&#58;``). :func:`html` does the same
for HTML contexts (tables built by hand).
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["html", "md"]

# characters that open Markdown markup in running text (emphasis, code, links, tables,
# strikethrough, headings); < > & are turned into entities instead
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
# the "://" of a URL (any scheme), which Markdown renderers turn into a link
_URL_COLON = re.compile(r":(?=//)")


def html(value: object) -> str:
    """Text for an HTML context: ``&``, ``<``, ``>`` and quotes as entities.

    >>> html('A <b> & "C"')
    'A &lt;b&gt; &amp; &quot;C&quot;'
    """
    return _html.escape(str(value), quote=True)


def md(value: object) -> str:
    """Text for a Markdown context: HTML entities plus backslash-escaped punctuation.

    >>> print(md("Les Echos (c. 2015) *star* [l](javascript:x)"))
    Les Echos (c. 2015) \\*star\\* \\[l\\](javascript:x)
    >>> md("<i>EVIL</i> & co")
    '&lt;i&gt;EVIL&lt;/i&gt; &amp; co'
    >>> md("Acme <http://evil.example>")
    'Acme &lt;http&#58;//evil.example&gt;'
    """
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # a bare URL would become a link (Markdown autolinks): its colon as an entity reads the
    # same but is no URL to the renderer; only the sources list links, from sources.csv
    return _URL_COLON.sub("&#58;", text)
