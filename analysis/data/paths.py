"""Resource paths of a data package stay inside its data directory.

``datapackage.json`` names the files of the package. A path that is absolute, climbs out
with ``..``, or goes through a symlink that leads outside the data directory would let a
data copy make the tools read (and quote in an error) any file of the machine; such a
descriptor is refused before any file it lists is opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = ["resource_path_problems"]

_DESCRIPTOR = "datapackage.json"


def _why_outside(root: Path, text: str) -> str | None:
    if "\\" in text or "\0" in text:
        return "holds a backslash or a NUL character"
    pure = PurePosixPath(text)
    if pure.is_absolute() or text.startswith("~"):
        return "is absolute; resource paths are relative to the data directory"
    if ".." in pure.parts:
        return "climbs out of the data directory with '..'"
    if "://" in text:
        return "is a URL; resources must be files of the data directory"
    try:
        real_root = root.resolve()
        real = (root / pure).resolve()
    except (RuntimeError, OSError):
        return "cannot be resolved (a symlink loop)"
    if real != real_root and real_root not in real.parents:
        return "leads outside the data directory through a symlink"
    return None


def resource_path_problems(data_dir: Path, resources: Sequence[Any]) -> list[str]:
    """One line per resource whose ``path`` is not a file name inside ``data_dir``.

    >>> resource_path_problems(Path("."), [{"name": "x", "path": "../../etc/passwd"}])[0][-42:]
    "climbs out of the data directory with '..'"
    """
    problems = []
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict) or "path" not in resource:
            continue  # reported by the validation
        name = resource.get("name") or "unnamed"
        where = f"{_DESCRIPTOR}: resources[{index}] ({name})"
        text = resource["path"]
        if not isinstance(text, str) or not text:
            problems.append(f"{where}: path must be a file name, got {text!r}")
            continue
        why = _why_outside(Path(data_dir), text)
        if why:
            problems.append(f"{where}: path {text[:200]!r} {why}")
    return problems
