"""No absolute path of the machine in what a run publishes: notebooks, logs, manifest.

The runner and the kernels work with absolute paths (the data directory, the notebook, the
staging folder, a Dask worker's private folder). What a run folder holds shows them as a
reader can follow them: relative to the repository when they lie inside it, else as the user
gave them; the staging folder of the run is dropped (files are named by their place in the
run folder). :func:`path_replacements` lists the absolute prefixes and what replaces them;
:func:`unlocalise` applies them to a text, longest prefix first.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from analysis.data.files import REPO_ROOT

__all__ = ["path_replacements", "shown_path", "unlocalise", "unlocalise_file"]


def shown_path(path: str | Path, given: str | Path | None = None) -> str:
    """``path`` relative to the repository when it lies inside it, else as given (``given``,
    or ``path`` itself)."""
    for candidate in (Path(path).absolute(), Path(path).resolve()):  # links: either way
        try:
            return candidate.relative_to(REPO_ROOT).as_posix() or "."
        except ValueError:
            continue
    return str(given if given is not None else path)


def path_replacements(
    *,
    notebook: Path,
    notebook_shown: str,
    run_dir: Path,
    data_dir: Path | None = None,
    data_shown: str | None = None,
    scratch: Path | None = None,
) -> dict[str, str]:
    """Absolute path -> what a published file shows instead (see the module docstring).

    ``scratch`` is a private folder the report ran in (a Dask worker's): what remains of it
    after the others is shown as ``<worker>``.
    """
    found = {
        str(notebook): notebook_shown,
        str(notebook.parent): Path(notebook_shown).parent.as_posix(),
        str(run_dir) + "/": "",
        str(run_dir): ".",
        str(REPO_ROOT) + "/": "",
    }
    if data_dir is not None and data_shown:
        found[str(data_dir)] = data_shown
    if scratch is not None:
        found[str(scratch)] = "<worker>"
    return {old: new for old, new in found.items() if old not in ("", "/")}


def unlocalise(text: str, replacements: Mapping[str, str]) -> str:
    """``text`` with each absolute path of ``replacements`` replaced, longest first."""
    for old in sorted(replacements, key=len, reverse=True):
        text = text.replace(old, replacements[old])
    return text


def unlocalise_file(path: Path, replacements: Mapping[str, str]) -> None:
    """Rewrite a text file (a notebook, a log) with :func:`unlocalise`; a missing or
    unreadable file is left as it is."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    new = unlocalise(text, replacements)
    if new != text:
        path.write_text(new, encoding="utf-8")
