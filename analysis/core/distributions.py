"""Uncertain inputs: small distribution objects, a named set of them, and seeded sampling.

Every input carries a ``label`` (what it is, for a reader) and a ``why`` (its source, or
``"assumption: ..."``) so that a notebook can list what each scenario depends on. Each
distribution also gives a ``low``, ``central`` and ``high`` value, used for the deterministic
case and for one-at-a-time sensitivity (tornado charts).

Sampling is reproducible: :func:`sample` draws each input from its own
``numpy.random.default_rng`` stream, seeded by ``(seed, crc32(input name))``. The same seed
gives the same draws, and an input's draws do not change when other inputs are added,
removed or changed (common random numbers when comparing assumptions).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = [
    "Choice",
    "Dirichlet",
    "Distribution",
    "Fixed",
    "ScenarioSpec",
    "Triangular",
    "Uniform",
    "UniformDate",
    "corner_values",
    "describe_inputs",
    "sample",
]


@runtime_checkable
class Distribution(Protocol):
    """What :func:`sample` and the scenario engine need from an input distribution."""

    @property
    def label(self) -> str:
        """What the input is (shown in tables and the tornado figure)."""
        ...

    @property
    def why(self) -> str:
        """Its basis: the sources, or the assumption."""
        ...

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (shape (n,) or (n, m) for vector inputs)."""
        ...

    @property
    def low(self) -> Any: ...

    @property
    def central(self) -> Any: ...

    @property
    def high(self) -> Any: ...

    def text(self) -> str:
        """A short description such as ``"uniform 100 to 112.5"``."""
        ...


@dataclass(frozen=True)
class Fixed:
    """A known value (a number, a date, or a tuple of numbers for vector inputs).

    >>> Fixed(33.3, "stake").draw(np.random.default_rng(0), 2).tolist()
    [33.3, 33.3]
    """

    value: Any
    label: str = ""
    why: str = ""

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        value = _as_value(self.value)
        return np.full((n, *value.shape), value, dtype=value.dtype)

    @property
    def low(self) -> Any:
        return self.value

    @property
    def central(self) -> Any:
        return self.value

    @property
    def high(self) -> Any:
        return self.value

    def text(self) -> str:
        return f"fixed {_fmt(self.value)}"


@dataclass(frozen=True)
class Uniform:
    """Uniform on [low, high]; a single value when ``low == high``.

    >>> d = Uniform(100.0, 112.5, "paid-in")
    >>> d.central, d.draw(np.random.default_rng(0), 3).round(2).tolist()
    (106.25, [107.96, 103.37, 100.51])
    """

    low: float
    high: float
    label: str = ""
    why: str = ""

    def __post_init__(self) -> None:
        low, high = float(self.low), float(self.high)
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(f"{self.label or 'Uniform'}: bounds must be finite numbers")
        if low > high:
            raise ValueError(f"{self.label or 'Uniform'}: low {low} is above high {high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(n, self.low)
        return rng.uniform(self.low, self.high, n)

    @property
    def central(self) -> float:
        return 0.5 * (self.low + self.high)

    def text(self) -> str:
        if self.low == self.high:
            return f"fixed {_fmt(self.low)}"
        return f"uniform {_fmt(self.low)} to {_fmt(self.high)}"


@dataclass(frozen=True)
class Triangular:
    """Triangular on [low, high] peaking at ``mode``; a single value when ``low == high``.

    Used for a sourced figure known as a range with a most likely value (the central value of
    :func:`analysis.core.evidence.estimate`): ``central`` is the mode, not the mean.

    >>> d = Triangular(100.0, 100.0, 112.5, "paid-in")
    >>> d.central, d.text()
    (100.0, 'triangular 100 to 112.5, peak 100')
    >>> bool(((d.draw(np.random.default_rng(0), 1000) >= 100) & (d.draw(
    ...     np.random.default_rng(0), 1000) <= 112.5)).all())
    True
    """

    low: float
    mode: float
    high: float
    label: str = ""
    why: str = ""

    def __post_init__(self) -> None:
        low, mode, high = float(self.low), float(self.mode), float(self.high)
        name = self.label or "Triangular"
        if not all(np.isfinite(v) for v in (low, mode, high)):
            raise ValueError(f"{name}: low, mode and high must be finite numbers")
        if not low <= mode <= high:
            raise ValueError(f"{name}: need low <= mode <= high (got {low}, {mode}, {high})")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "high", high)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)

    @property
    def central(self) -> float:
        return self.mode

    def text(self) -> str:
        if self.low == self.high:
            return f"fixed {_fmt(self.low)}"
        return f"triangular {_fmt(self.low)} to {_fmt(self.high)}, peak {_fmt(self.mode)}"


@dataclass(frozen=True)
class UniformDate:
    """A date drawn uniformly among the days from ``low`` to ``high`` (both included).

    Dates may be given as ``datetime.date``, ``numpy.datetime64`` or ISO strings; they are
    stored as ``datetime.date``. The central value is the middle day (rounded down).

    >>> d = UniformDate("2016-01-01", "2016-06-30", "exit date")
    >>> d.central
    datetime.date(2016, 3, 31)
    """

    low: dt.date | str | np.datetime64
    high: dt.date | str | np.datetime64
    label: str = ""
    why: str = ""

    def __post_init__(self) -> None:
        low, high = _day(self.low), _day(self.high)
        if np.isnat(low) or np.isnat(high):
            raise ValueError(f"{self.label or 'UniformDate'}: dates must not be missing")
        if low > high:
            raise ValueError(f"{self.label or 'UniformDate'}: low date is after high date")
        object.__setattr__(self, "low", low.astype(dt.date))
        object.__setattr__(self, "high", high.astype(dt.date))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        first, last = _day(self.low), _day(self.high)
        span = int((last - first).astype(np.int64))
        if span == 0:
            return np.full(n, first)
        return first + rng.integers(0, span + 1, n)

    @property
    def central(self) -> dt.date:
        first, last = _day(self.low), _day(self.high)
        return (first + (last - first) // 2).astype(dt.date)

    def text(self) -> str:
        return f"uniform over the days {self.low} to {self.high}"


@dataclass(frozen=True)
class Choice:
    """One of ``values`` with the given probabilities (equal if omitted).

    ``low``/``high`` are the smallest and largest value, ``central`` the most likely one
    (the first of them on a tie; the lower median when all are equally likely).

    >>> Choice((0.0, 0.5, 1.0), (0.25, 0.5, 0.25)).central
    0.5
    """

    values: tuple[Any, ...]
    probabilities: tuple[float, ...] | None = None
    label: str = ""
    why: str = ""

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError(f"{self.label or 'Choice'}: needs at least one value")
        if self.probabilities is not None:
            p = np.asarray(self.probabilities, dtype=float)
            if p.shape != (len(self.values),) or (p < 0).any() or not np.isclose(p.sum(), 1.0):
                raise ValueError(
                    f"{self.label or 'Choice'}: need one probability >= 0 per value, summing to 1"
                )

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        values = np.asarray(self.values)
        if len(self.values) == 1:
            return np.full(n, values[0], dtype=values.dtype)
        return values[rng.choice(len(values), size=n, p=self.probabilities)]

    @property
    def low(self) -> Any:
        return min(self.values)

    @property
    def central(self) -> Any:
        if self.probabilities is None:  # all equally likely: the middle value (lower median)
            return sorted(self.values)[(len(self.values) - 1) // 2]
        return self.values[int(np.argmax(self.probabilities))]

    @property
    def high(self) -> Any:
        return max(self.values)

    def text(self) -> str:
        shown = ", ".join(_fmt(v) for v in self.values)
        if self.probabilities is None:
            return f"one of {shown}, equally likely"
        odds = ", ".join(f"{p:g}" for p in self.probabilities)
        return f"one of {shown} with probabilities {odds}"


@dataclass(frozen=True)
class Dirichlet:
    """Shares that sum to 1 (e.g. how a total was split between tranches): Dirichlet(alpha).

    ``Dirichlet((1, 1, 1))`` makes every split equally likely. Draws have shape (n, m).
    ``central`` is the mean split; ``low`` and ``high`` are the two extreme timings, all in the
    first part and all in the last part.

    >>> Dirichlet((1.0, 1.0, 1.0)).draw(np.random.default_rng(0), 2).sum(axis=1).round(12)
    array([1., 1.])
    """

    alpha: tuple[float, ...]
    label: str = ""
    why: str = ""

    def __post_init__(self) -> None:
        a = np.asarray(self.alpha, dtype=float)
        if a.ndim != 1 or a.size < 1 or not (a > 0).all():
            raise ValueError(f"{self.label or 'Dirichlet'}: alpha must be positive numbers")

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        alpha = np.asarray(self.alpha, dtype=float)
        if alpha.size == 1:
            return np.ones((n, 1))
        # Normalised Gamma(alpha_j) draws; Gamma(1) is the standard exponential (faster).
        # Drawn as (m, n) so that each share is contiguous; returned as its (n, m) transpose.
        if (alpha == 1.0).all():
            gammas = rng.standard_exponential(size=(alpha.size, n))
        else:
            gammas = rng.standard_gamma(alpha[:, None], size=(alpha.size, n))
        gammas /= gammas.sum(axis=0)
        return gammas.T

    @property
    def low(self) -> tuple[float, ...]:
        return tuple(1.0 if i == 0 else 0.0 for i in range(len(self.alpha)))

    @property
    def central(self) -> tuple[float, ...]:
        total = float(sum(self.alpha))
        return tuple(float(a) / total for a in self.alpha)

    @property
    def high(self) -> tuple[float, ...]:
        last = len(self.alpha) - 1
        return tuple(1.0 if i == last else 0.0 for i in range(len(self.alpha)))

    def text(self) -> str:
        return f"Dirichlet({', '.join(f'{a:g}' for a in self.alpha)}) shares"


@dataclass(frozen=True)
class ScenarioSpec:
    """Named uncertain inputs, in order (names are snake_case, units at the end).

    >>> spec = ScenarioSpec({"paid_in_eur_m": Uniform(100.0, 112.5), "stake_pct": Fixed(33.3)})
    >>> spec.names, spec.uncertain
    (('paid_in_eur_m', 'stake_pct'), ('paid_in_eur_m',))
    """

    inputs: Mapping[str, Distribution] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, dist in self.inputs.items():
            if not (isinstance(name, str) and name.isidentifier() and name == name.lower()):
                raise ValueError(f"input name {name!r} must be a lowercase identifier")
            if not isinstance(dist, Distribution):
                raise TypeError(f"input {name!r}: {dist!r} is not a distribution")
        object.__setattr__(self, "inputs", MappingProxyType(dict(self.inputs)))

    def __getitem__(self, name: str) -> Distribution:
        return self.inputs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.inputs)

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.inputs)

    @property
    def uncertain(self) -> tuple[str, ...]:
        """Names of the inputs whose low and high values differ."""
        return tuple(name for name, d in self.inputs.items() if not _same(d.low, d.high))

    def values(self, which: str = "central") -> dict[str, np.ndarray]:
        """Every input at its ``low``, ``central`` or ``high`` value, as one-row draws."""
        if which not in ("low", "central", "high"):
            raise ValueError(f"which must be 'low', 'central' or 'high', not {which!r}")
        return {name: _as_value(getattr(d, which))[None, ...] for name, d in self.inputs.items()}


def sample(spec: ScenarioSpec, n: int, seed: int) -> dict[str, np.ndarray]:
    """Draw ``n`` scenarios of every input of ``spec``.

    Parameters
    ----------
    spec : ScenarioSpec
        The inputs.
    n : int
        Number of scenarios (0 gives empty arrays).
    seed : int
        Non-negative seed. Input ``name`` is drawn from
        ``np.random.default_rng([seed, zlib.crc32(name)])``.

    Returns
    -------
    dict of str to numpy.ndarray
        One array per input, shape (n,) (or (n, m) for vector inputs such as
        :class:`Dirichlet` shares), in the order of ``spec``.

    Examples
    --------
    >>> spec = ScenarioSpec({"x": Uniform(0.0, 1.0)})
    >>> bool((sample(spec, 5, seed=1)["x"] == sample(spec, 5, seed=1)["x"]).all())
    True
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0 (got {n})")
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0 (got {seed})")
    out = {}
    for name, dist in spec.inputs.items():
        rng = np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])
        out[name] = dist.draw(rng, n)
    return out


def corner_values(dist: Distribution) -> list[Any]:
    """The extreme values of an input, for corner (worst/best case) evaluation.

    A :class:`Dirichlet` split has one extreme per part (everything in that part); a
    :class:`Choice` has each of its values; any other input its ``low`` and ``high`` values
    (one value when they are equal).

    >>> corner_values(Dirichlet((1.0, 1.0, 1.0)))
    [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)]
    >>> corner_values(Uniform(1.0, 2.0)), corner_values(Fixed(3.0))
    ([1.0, 2.0], [3.0])
    """
    if isinstance(dist, Dirichlet):
        m = len(dist.alpha)
        return [tuple(1.0 if i == j else 0.0 for i in range(m)) for j in range(m)]
    if isinstance(dist, Choice):
        return list(dict.fromkeys(dist.values))
    if _same(dist.low, dist.high):
        return [dist.central]
    return [dist.low, dist.high]


def describe_inputs(spec: ScenarioSpec) -> pd.DataFrame:
    """One row per input: name, label, distribution, low, central, high and why (source)."""
    rows = [
        {
            "input": name,
            "label": d.label,
            "distribution": d.text(),
            "low": _fmt(d.low),
            "central": _fmt(d.central),
            "high": _fmt(d.high),
            "is_uncertain": name in spec.uncertain,
            "why": d.why,
        }
        for name, d in spec.inputs.items()
    ]
    columns = ["input", "label", "distribution", "low", "central", "high", "is_uncertain", "why"]
    return pd.DataFrame(rows, columns=columns)


def _as_value(value: Any) -> np.ndarray:
    """A numpy value for a number, a date (as datetime64[D]) or a tuple of numbers."""
    if isinstance(value, dt.date | np.datetime64):
        return np.asarray(_day(value))
    return np.asarray(value)


def _day(value: Any) -> np.datetime64:
    return np.datetime64(value, "D")


def _same(a: Any, b: Any) -> bool:
    return bool(np.array_equal(_as_value(a), _as_value(b)))


def _fmt(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return str(value)
