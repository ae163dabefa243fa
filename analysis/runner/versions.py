"""The library versions a run depends on: recorded in each manifest, compared with every
Dask worker's, and part of each report's reuse key."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence

__all__ = ["PACKAGES", "library_versions"]

#: packages whose versions each manifest records
PACKAGES = (
    "sovcloud-analysis",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "jupyter_client",
    "ipykernel",
    "ipython",
    "pyzmq",
    "numpy",
    "pandas",
    "matplotlib",
    "pydantic",
    "frictionless",
    "pyyaml",
    "jinja2",
)


def library_versions(names: Sequence[str] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None where it is not installed).

    >>> library_versions(["pandas", "no-such-package-here"])["no-such-package-here"] is None
    True
    """
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions
