"""Keep jsonschema from building its IRI grammar in the processes of our commands.

``jsonschema`` (imported by nbformat, papermill, nbconvert and frictionless) imports the
optional ``rfc3987_syntax`` package at import time for its ``iri`` / ``iri-reference``
format checkers, and that import builds a Lark grammar: about 1.7 s of CPU per process here,
the larger part of what importing nbformat costs (jsonschema issue #1428). None of the
schemas our commands validate against (nbformat's notebook schema, frictionless's
profiles) uses those formats, so the command-line edges (``python -m analysis``, the runner
and its Dask child processes) mark the package as unavailable before anything imports
jsonschema; jsonschema then skips those two checkers (it imports the package under
``suppress(ImportError)``). The notebooks and code that import only the analysis modules are
not affected; importing ``analysis.runner`` (a command-line component) is.
"""

from __future__ import annotations

import sys

__all__ = ["skip_iri_grammar"]


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail fast, unless jsonschema is already imported.

    >>> import jsonschema  # noqa: F401 - already imported: nothing to save, nothing changed
    >>> before = sys.modules.get("rfc3987_syntax", "absent")
    >>> skip_iri_grammar()
    >>> sys.modules.get("rfc3987_syntax", "absent") == before
    True
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None blocks the import
