"""Cash-flow metrics for one investor: multiple, money lost, NPV and IRR (scalar, exact).

Conventions used by every function here:

- **Sign.** Money the investor pays in is negative, money that comes back is positive.
  ``moic`` and ``money_lost`` take magnitudes instead (paid-in and proceeds as positive
  numbers), as written in their docstrings.
- **Units.** Amounts in EUR m (any currency works as long as it is one currency); rates are
  annual decimal fractions (0.1 means 10 % a year).
- **Dates and time.** Dates are anything numpy reads as ``datetime64[D]`` (``datetime.date``,
  ``pandas.Timestamp``, ISO strings). Year fractions are ACT/365 from the earliest date, as
  Excel's XIRR/XNPV and pyxirr's default ``DayCount.ACT_365F``. The periodic variants
  (:func:`npv`, :func:`irr`) put flow ``i`` at period ``i``, as numpy-financial does.

The IRR solver refuses to guess. It looks for every rate ``r`` in (-100 %, 1e6) that makes the
NPV zero (on a grid in ``x = log(1 + r)``, then by bisection), checks each root's residual,
and says what it found in :class:`IRRResult`: one root (``ok``), nothing came back
(``total_loss``, rate exactly -1.0), no root (``undefined``) or several roots
(``multiple_roots``: no rate is returned, all roots are listed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "DAYS_PER_YEAR",
    "RATE_MAX",
    "IRRResult",
    "IRRStatus",
    "irr",
    "irr_at_times",
    "moic",
    "money_lost",
    "npv",
    "npv_at",
    "xirr",
    "xnpv",
    "year_fractions",
]

#: ACT/365: a year is 365 days whatever the calendar (Excel XIRR, pyxirr ACT_365F).
DAYS_PER_YEAR = 365.0
#: Upper end of the open window (-1, RATE_MAX) in which IRR roots are searched.
RATE_MAX = 1e6
#: A root is accepted when |NPV| <= this fraction of the sum of |discounted flows|.
RESIDUAL_TOLERANCE = 1e-9

IRRStatus = Literal["ok", "total_loss", "undefined", "multiple_roots"]

_X_MAX = math.log1p(RATE_MAX)
# Grid in x = log(1 + r) on which the NPV's sign is scanned for roots. Dense where real-world
# rates live (step 0.0025 for r between -99.3 % and +1,900 %), coarse towards the ends.
_X_GRID = np.unique(
    np.concatenate(
        [
            [-1e4, -3e3, -1e3, -300.0, -100.0],
            np.linspace(-40.0, -5.0, 141),
            np.linspace(-5.0, 3.0, 3201),
            np.linspace(3.0, _X_MAX, 301),
        ]
    )
)


@dataclass(frozen=True)
class IRRResult:
    """Outcome of an IRR calculation.

    Attributes
    ----------
    rate : float
        The IRR as an annual decimal fraction (per period for :func:`irr`); ``-1.0`` exactly
        for a total loss; NaN when ``status`` is ``undefined`` or ``multiple_roots``.
    status : {"ok", "total_loss", "undefined", "multiple_roots"}
        What was found.
    reason : str
        One sentence a reader can be shown.
    roots : tuple of float
        Every root found in (-1, RATE_MAX), ascending (empty for a total loss).
    """

    rate: float
    status: IRRStatus
    reason: str
    roots: tuple[float, ...] = ()

    @property
    def is_defined(self) -> bool:
        """True when ``rate`` is a number (status ``ok`` or ``total_loss``)."""
        return self.status in ("ok", "total_loss")


def moic(paid_in_eur_m: npt.ArrayLike, proceeds_eur_m: npt.ArrayLike) -> float | np.ndarray:
    """Multiple on invested capital: proceeds / paid-in.

    Parameters
    ----------
    paid_in_eur_m : float or array_like
        Money paid in, EUR m, as a positive number (a magnitude, not a signed flow).
    proceeds_eur_m : float or array_like
        Money that came back, EUR m, positive or zero. Broadcasts against ``paid_in_eur_m``.

    Returns
    -------
    float or numpy.ndarray
        The multiple (dimensionless; 1.0 means the money came back, 0.0 nothing did). NaN
        where nothing was paid in. A float for scalar input, an array otherwise.

    Raises
    ------
    ValueError
        If an amount is negative (a sign-convention mistake) or NaN.

    Examples
    --------
    >>> moic(50.0, 10.0)
    0.2
    >>> moic(50.0, 0.0)
    0.0
    >>> moic([50.0, 0.0], [75.0, 3.0]).tolist()
    [1.5, nan]
    """
    paid = _magnitudes(paid_in_eur_m, "paid_in_eur_m")
    back = _magnitudes(proceeds_eur_m, "proceeds_eur_m")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(paid > 0, back / np.where(paid > 0, paid, 1.0), np.nan)
    return float(out) if out.ndim == 0 else out


def money_lost(paid_in_eur_m: npt.ArrayLike, proceeds_eur_m: npt.ArrayLike) -> float | np.ndarray:
    """Money lost: paid-in minus proceeds, EUR m (negative means a gain).

    Parameters
    ----------
    paid_in_eur_m, proceeds_eur_m : float or array_like
        Positive magnitudes in EUR m, as for :func:`moic`. Not discounted: euros of different
        years are added as they are (nominal).

    Returns
    -------
    float or numpy.ndarray
        ``paid_in_eur_m - proceeds_eur_m``.

    Examples
    --------
    >>> money_lost(37.5, 10.0)
    27.5
    >>> money_lost(10.0, 12.5)
    -2.5
    """
    paid = _magnitudes(paid_in_eur_m, "paid_in_eur_m")
    back = _magnitudes(proceeds_eur_m, "proceeds_eur_m")
    out = paid - back
    return float(out) if out.ndim == 0 else out


def year_fractions(dates: npt.ArrayLike, start: object | None = None) -> np.ndarray:
    """Years from ``start`` (default: the earliest date) to each date, ACT/365.

    Examples
    --------
    >>> year_fractions(["2021-01-01", "2022-01-01", "2021-03-15"]).tolist()
    [0.0, 1.0, 0.2]
    """
    days = _as_days(dates)
    if days.size == 0:
        return np.zeros(0)
    origin = days.min() if start is None else np.datetime64(cast(Any, start), "D")
    return (days - origin).astype(np.int64) / DAYS_PER_YEAR


def npv_at(rate: float, amounts: npt.ArrayLike, times_years: npt.ArrayLike) -> float:
    """Net present value at time 0 of flows at given times: sum of a_k / (1 + rate) ** t_k.

    Parameters
    ----------
    rate : float
        Annual discount rate (decimal), > -1. A rate of exactly 0 returns the plain sum of the
        amounts (correctly rounded, ``math.fsum``), with no discounting arithmetic at all.
    amounts : array_like of float
        Signed flows, EUR m (paid in < 0, proceeds > 0).
    times_years : array_like of float
        Time of each flow in years from the valuation date (negative times compound forward).

    Returns
    -------
    float
        NPV in EUR m of the valuation date.

    Examples
    --------
    >>> round(npv_at(0.10, [-100.0, 110.0], [0.0, 1.0]), 12)
    0.0
    >>> npv_at(0.0, [-100.0, 30.0, 50.0], [0.0, 1.5, 2.5])
    -20.0
    """
    a, t = _flows(amounts, times_years)
    rate = float(rate)
    if not rate > -1.0:
        raise ValueError(f"rate must be > -1 (got {rate!r}): (1 + rate) ** -t is undefined")
    if rate == 0.0:
        return math.fsum(a.tolist())
    return math.fsum((a * np.exp(-t * math.log1p(rate))).tolist())


def xnpv(rate: float, amounts: npt.ArrayLike, dates: npt.ArrayLike) -> float:
    """NPV of dated flows, discounted to the earliest date on ACT/365 (Excel's XNPV).

    Parameters
    ----------
    rate : float
        Annual discount rate (decimal), > -1; 0 gives the plain sum.
    amounts : array_like of float
        Signed flows, EUR m.
    dates : array_like of dates
        One date per flow, in any order.

    Returns
    -------
    float
        NPV in EUR m of the earliest date.

    Examples
    --------
    >>> round(xnpv(0.10, [-100.0, 121.0], ["2021-01-01", "2023-01-01"]), 12)
    0.0
    """
    a = _as_amounts(amounts)
    return npv_at(rate, a, year_fractions(dates)) if a.size else 0.0


def npv(rate: float, amounts: npt.ArrayLike) -> float:
    """NPV of equally spaced flows, the first at period 0 (numpy-financial's ``npv``).

    Note that this is not Excel's NPV, which discounts the first flow by one period.

    Examples
    --------
    >>> round(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]), 5)
    3065.22267
    """
    a = _as_amounts(amounts)
    return npv_at(rate, a, np.arange(a.size, dtype=float))


def xirr(amounts: npt.ArrayLike, dates: npt.ArrayLike) -> IRRResult:
    """Internal rate of return of dated flows (Excel's XIRR, ACT/365), refusing to guess.

    Flows on the same date are added first. See :func:`irr_at_times` for the rules.

    Parameters
    ----------
    amounts : array_like of float
        Signed flows, EUR m (paid in < 0, proceeds > 0).
    dates : array_like of dates
        One date per flow, in any order.

    Returns
    -------
    IRRResult
        ``rate`` is annual.

    Examples
    --------
    >>> r = xirr([-100.0, 110.0], ["2021-01-01", "2022-01-01"])
    >>> r.status, round(r.rate, 12)
    ('ok', 0.1)
    >>> xirr([-100.0, 0.0], ["2021-01-01", "2022-01-01"]).rate
    -1.0
    """
    a = _as_amounts(amounts)
    return irr_at_times(a, year_fractions(dates))


def irr(amounts: npt.ArrayLike) -> IRRResult:
    """IRR per period of equally spaced flows, the first at period 0 (numpy-financial's ``irr``).

    Unlike ``numpy_financial.irr``, which returns the root closest to zero, several roots give
    status ``multiple_roots`` and no rate.

    Examples
    --------
    >>> round(irr([-100, 39, 59, 55, 20]).rate, 5)
    0.28095
    >>> r = irr([-100, 230, -132])
    >>> r.status, [round(x, 12) for x in r.roots]
    ('multiple_roots', [0.1, 0.2])
    """
    a = _as_amounts(amounts)
    return irr_at_times(a, np.arange(a.size, dtype=float))


def irr_at_times(amounts: npt.ArrayLike, times_years: npt.ArrayLike) -> IRRResult:
    """IRR of flows at given times (in years, or periods), with an explicit status.

    Rules, in order (after adding flows that share a time and dropping zeros):

    1. no flow, or no negative flow (nothing paid in): ``undefined``, rate NaN;
    2. money paid in and nothing back: ``total_loss``, rate exactly -1.0;
    3. otherwise every root of NPV(r) = 0 with r in (-1, RATE_MAX) is found by scanning the
       sign of the NPV on a grid in x = log(1 + r) and bisecting each sign change to machine
       precision; each root must leave |NPV| <= 1e-9 of the sum of |discounted flows|.
       One root: ``ok``. None: ``undefined``. Several: ``multiple_roots``, rate NaN.

    Flows with one sign change (all money paid in before any comes back) have exactly one
    root (Descartes' rule of signs). With three or more sign changes, two roots closer than
    the grid step (0.0025 in log(1 + r) near zero) could be missed.

    Parameters
    ----------
    amounts : array_like of float
        Signed flows.
    times_years : array_like of float
        Time of each flow, in years (or periods) from any origin.

    Returns
    -------
    IRRResult

    Examples
    --------
    >>> round(irr_at_times([-100.0, 121.0], [0.0, 2.0]).rate, 12)
    0.1
    >>> irr_at_times([5.0, 5.0], [0.0, 1.0]).status
    'undefined'
    """
    a, t = _flows(amounts, times_years)
    if a.size:
        times, inverse = np.unique(t, return_inverse=True)
        a = np.bincount(inverse.ravel(), weights=a, minlength=times.size)
        keep = a != 0.0
        a, t = a[keep], times[keep]
    if a.size == 0:
        return IRRResult(math.nan, "undefined", "There is no non-zero cash flow.")
    if not (a < 0).any():
        return IRRResult(
            math.nan, "undefined", "Nothing was paid in, so there is no return to measure."
        )
    if not (a > 0).any():
        return IRRResult(
            -1.0, "total_loss", "Money was paid in and nothing came back: the IRR is -100 %."
        )

    t = t - t[0]
    signs = np.sign(a)
    changes = int(np.count_nonzero(signs[1:] != signs[:-1]))
    xs = _roots_in_x(a, t)
    verified = [x for x in xs if _relative_residual(x, a, t) <= RESIDUAL_TOLERANCE]
    roots = tuple(sorted(float(np.expm1(x)) for x in verified))

    if len(verified) != len(xs):
        return IRRResult(
            math.nan, "undefined", "A root could not be verified to 1e-9 of the flows.", roots
        )
    if not roots:
        if changes == 1:
            why = f"The only rate that sets the NPV to zero is above {RATE_MAX:g} a period."
        else:
            why = f"No rate between -100 % and {RATE_MAX:g} sets the NPV to zero."
        return IRRResult(math.nan, "undefined", why)
    if len(roots) == 1:
        if roots[0] == -1.0:
            why = "Almost nothing came back: the IRR rounds to -100 % in double precision."
        elif changes == 1:
            why = "Money paid in before any came back (one sign change): the IRR is unique."
        else:
            why = f"The flows change sign {changes} times, but only one rate sets the NPV to zero."
        return IRRResult(roots[0], "ok", why, roots)
    listed = ", ".join(f"{r:.6g}" for r in roots)
    return IRRResult(
        math.nan,
        "multiple_roots",
        f"{len(roots)} rates set the NPV to zero ({listed}): the IRR is ambiguous, none is chosen.",
        roots,
    )


# --- helpers -------------------------------------------------------------------------------


def _roots_in_x(a: np.ndarray, t: np.ndarray) -> list[float]:
    """Every x = log(1 + r) with NPV zero, x < log1p(RATE_MAX); t[0] == 0, t ascending."""
    values = _scaled_npv(_X_GRID, a, t)
    signs = np.sign(values)
    found = [float(x) for x in _X_GRID[signs == 0]]
    brackets = np.flatnonzero(signs[:-1] * signs[1:] < 0)
    found += [_bisect(a, t, _X_GRID[i], _X_GRID[i + 1], signs[i]) for i in brackets]
    # Below the grid: as x -> -inf the latest flow dominates. A sign change there is a root
    # with 1 + r < exp(-1e4), which is -1.0 in double precision.
    if signs[0] != 0 and signs[0] != np.sign(a[-1]):
        found.append(-math.inf)
    return sorted(found)


def _bisect(a: np.ndarray, t: np.ndarray, lo: float, hi: float, sign_lo: float) -> float:
    """Bisect a sign change of the NPV in [lo, hi] down to adjacent floats."""
    while True:
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        value = _scaled_npv(np.array([mid]), a, t)[0]
        if value == 0.0:
            return mid
        if np.sign(value) == sign_lo:
            lo = mid
        else:
            hi = mid
    near = _scaled_npv(np.array([lo, hi]), a, t)
    return lo if abs(near[0]) <= abs(near[1]) else hi


def _scaled_npv(x: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """NPV at rates exp(x) - 1, each divided by its largest discount factor (sign-exact)."""
    exponent = -np.outer(x, t)
    exponent -= exponent.max(axis=1, keepdims=True)
    return np.exp(exponent) @ a


def _relative_residual(x: float, a: np.ndarray, t: np.ndarray) -> float:
    """|NPV| / sum |discounted flows| at x = log(1 + r) (0 for the limit root at -inf)."""
    if x == -math.inf:
        return 0.0
    exponent = -x * t
    factors = np.exp(exponent - exponent.max())
    return float(abs(factors @ a) / (factors @ np.abs(a)))


def _as_amounts(amounts: npt.ArrayLike) -> np.ndarray:
    a = np.asarray(amounts, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"amounts must be one-dimensional (got shape {a.shape})")
    if not np.isfinite(a).all():
        raise ValueError("amounts must be finite numbers (found NaN or infinity)")
    return a


def _flows(amounts: npt.ArrayLike, times_years: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = _as_amounts(amounts)
    t = np.asarray(times_years, dtype=float)
    if t.shape != a.shape:
        raise ValueError(f"amounts {a.shape} and times {t.shape} must have the same shape")
    if not np.isfinite(t).all():
        raise ValueError("times must be finite numbers (found NaN or infinity)")
    return a, t


def _as_days(dates: npt.ArrayLike | Sequence[object]) -> np.ndarray:
    days = np.asarray(dates, dtype="datetime64[D]")
    if days.ndim != 1:
        raise ValueError(f"dates must be one-dimensional (got shape {days.shape})")
    if np.isnat(days).any():
        raise ValueError("dates must not contain NaT (missing dates)")
    return days


def _magnitudes(values: npt.ArrayLike, name: str) -> np.ndarray:
    out = np.asarray(values, dtype=float)
    if np.isnan(out).any():
        raise ValueError(f"{name} must not be NaN")
    if (out < 0).any():
        raise ValueError(f"{name} must be >= 0: pass magnitudes, not signed flows")
    return out
