"""Hypothesis profiles of the suite, chosen with ``HYPOTHESIS_PROFILE`` (tests/conftest.py
loads one): ``ci``, the default and what ``make test`` runs, and ``dev``, fewer examples
for ``make test-fast``. Property tests set no ``max_examples`` of their own."""

from __future__ import annotations

import os

from hypothesis import settings

# No per-example deadline: it is a timing assertion, and this machine is shared and noisy
# (a 200 ms deadline failed an example that took 28 ms when replayed).
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=15, deadline=None)


def load_profile() -> None:
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def costly() -> settings:
    """Settings for a property test whose every example is costly (it writes a data package,
    or runs the whole model): a quarter of the profile's examples (25 under ``ci``)."""
    return settings(max_examples=max(5, settings.default.max_examples // 4))
