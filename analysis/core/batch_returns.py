"""IRR and NPV of many cash-flow scenarios at once (numpy arrays; no loop over scenarios).

Same conventions as :mod:`analysis.core.returns`: money paid in is negative, proceeds positive,
amounts in EUR m, times in years (ACT/365 year fractions, or whole periods) from any origin.
A batch is ``N`` scenarios of ``K`` flows each. Zero flows are allowed (padding).

How :func:`irr_batch` solves each row
-------------------------------------
1. **Classify.** No negative flow: ``undefined`` (NaN). Negative flows and no positive one:
   ``total_loss`` (-1.0 exactly). Every negative flow strictly before every positive one (or
   the reverse, a loan): *conventional*, exactly one root, solved here. Anything else:
   *non-conventional*, sent to the exact scalar solver :func:`analysis.core.returns.irr_at_times`
   (which finds every root and refuses to choose), or marked ``non_conventional``.
2. **Solve conventional rows** in ``x = log(1 + r)`` for ``h(x) = log P(x) - log N(x)``, where
   ``P`` and ``N`` are the future values of the positive and negative flows at the latest time.
   ``h`` is strictly monotone for conventional flows, exactly linear when there is one flow of
   each sign, and nearly linear otherwise, so Newton's method converges in a few steps. The
   first step starts at ``x = 0`` (it gives the usual ``log(MOIC) / duration`` guess). Each row
   keeps a bracket [lo, hi] around its root; a Newton step that leaves it is replaced by
   bisection (safeguarded Newton). A row stops when its Newton step is below 1e-12, or below
   1e-6 with a predicted next error (from the last two steps) below 1e-15. Because the step is
   ``h / h'`` and ``h`` is a log-ratio, a small step means ``|P - N|`` is small relative to the
   flows: the convergence test is a residual test. Rows that do not converge in 100
   iterations, or whose root lies beyond the overflow-safe range, go to the scalar solver.
3. **Blocks.** Rows are processed in blocks of ``block_rows`` (16,384 by default) so that the
   working arrays stay in the CPU cache; within a block every operation is a numpy array
   operation over all its rows. Integer times shared by all rows (periodic flows) use powers
   of ``v = exp(x)`` built by multiplication instead of one ``exp`` per flow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from analysis.core.returns import RATE_MAX, irr_at_times

__all__ = [
    "IRR_STATUS_NAMES",
    "MULTIPLE_ROOTS",
    "NON_CONVENTIONAL",
    "OK",
    "TOTAL_LOSS",
    "UNDEFINED",
    "irr_batch",
    "irr_columns",
    "npv_columns",
    "status_labels",
    "xnpv_batch",
]

#: Names of the status codes returned by :func:`irr_batch` (code = position in this tuple).
IRR_STATUS_NAMES: tuple[str, ...] = (
    "ok",
    "total_loss",
    "undefined",
    "multiple_roots",
    "non_conventional",
)
OK, TOTAL_LOSS, UNDEFINED, MULTIPLE_ROOTS, NON_CONVENTIONAL = range(5)

_CODE = {name: code for code, name in enumerate(IRR_STATUS_NAMES)}
_X_MAX = math.log1p(RATE_MAX)
_EXP_LIMIT = 700.0  # exp() of at most this never overflows a float64
_MAX_ITER = 100
_BLOCK_ROWS = 16_384

Column = np.ndarray | float


def irr_batch(
    amounts: npt.ArrayLike,
    times_years: npt.ArrayLike,
    *,
    non_conventional: Literal["scalar", "mark"] = "scalar",
    block_rows: int = _BLOCK_ROWS,
) -> tuple[np.ndarray, np.ndarray]:
    """IRR of every row of a batch of cash flows.

    Parameters
    ----------
    amounts : array_like, shape (N, K)
        Signed flows, EUR m: row ``i`` is scenario ``i``. Zeros are allowed.
    times_years : array_like, shape (K,) or (N, K)
        Time of each flow in years (ACT/365 year fractions, or whole periods for periodic
        flows) from any origin; shape (K,) when all scenarios share their times.
    non_conventional : {"scalar", "mark"}
        What to do with rows whose signs change more than once: solve them one by one with
        :func:`analysis.core.returns.irr_at_times` (exact; slow if there are many) or mark them
        with status ``non_conventional`` and rate NaN.
    block_rows : int
        Rows per block (a tuning knob for the CPU cache; results do not depend on it).

    Returns
    -------
    rates : numpy.ndarray, shape (N,)
        Annual (or per-period) IRR; -1.0 exactly for a total loss; NaN when undefined.
    status : numpy.ndarray of int8, shape (N,)
        Codes into :data:`IRR_STATUS_NAMES`.

    Examples
    --------
    >>> rates, status = irr_batch([[-100.0, 110.0], [-100.0, 0.0], [0.0, 0.0]], [0.0, 1.0])
    >>> rates.round(12).tolist(), status_labels(status).tolist()
    ([0.1, -1.0, nan], ['ok', 'total_loss', 'undefined'])
    """
    a, t = _batch(amounts, times_years)
    cols_t: list[Column] = [float(v) for v in t] if t.ndim == 1 else list(t.T)
    return irr_columns(list(a.T), cols_t, non_conventional=non_conventional, block_rows=block_rows)


def xnpv_batch(
    rate: npt.ArrayLike, amounts: npt.ArrayLike, times_years: npt.ArrayLike
) -> np.ndarray:
    """NPV at time 0 of every row: sum over k of a[i, k] / (1 + rate) ** t[i, k].

    Parameters
    ----------
    rate : float or array_like, shape (N,)
        Annual discount rate(s), > -1; a rate of exactly 0 gives the plain row sums.
    amounts : array_like, shape (N, K)
        Signed flows, EUR m.
    times_years : array_like, shape (K,) or (N, K)
        Years from the valuation date.

    Returns
    -------
    numpy.ndarray, shape (N,)
        NPV in EUR m of the valuation date.

    Examples
    --------
    >>> xnpv_batch(0.1, [[-100.0, 121.0], [-100.0, 110.0]], [0.0, 2.0]).round(9).tolist()
    [0.0, -9.090909091]
    """
    a, t = _batch(amounts, times_years)
    cols_t: list[Column] = [float(v) for v in t] if t.ndim == 1 else list(t.T)
    return npv_columns(rate, list(a.T), cols_t)


def status_labels(codes: npt.ArrayLike) -> np.ndarray:
    """Status names for status codes (an array of str)."""
    return np.asarray(IRR_STATUS_NAMES, dtype=object)[np.asarray(codes, dtype=np.intp)]


def npv_columns(
    rate: npt.ArrayLike, amounts: Sequence[np.ndarray], times: Sequence[Column]
) -> np.ndarray:
    """Column-major form of :func:`xnpv_batch`.

    ``amounts`` is a list of K arrays of shape (N,); ``times`` a list of K floats (shared by
    all rows) or (N,) arrays. Avoids building an (N, K) matrix.
    """
    rate = np.asarray(rate, dtype=float)
    if not (rate > -1.0).all():
        raise ValueError("discount rates must be > -1")
    out = np.zeros(len(amounts[0]) if amounts else 0)
    if rate.ndim == 0 and float(rate) == 0.0:
        for a_k in amounts:
            out += a_k
        return out
    log_growth = np.log1p(rate)
    for a_k, t_k in zip(amounts, times, strict=True):
        out += a_k * np.exp(-log_growth * t_k)
    return out


def irr_columns(
    amounts: Sequence[np.ndarray],
    times: Sequence[Column],
    *,
    non_conventional: Literal["scalar", "mark"] = "scalar",
    block_rows: int = _BLOCK_ROWS,
) -> tuple[np.ndarray, np.ndarray]:
    """Column-major form of :func:`irr_batch`.

    ``amounts`` is a list of K arrays of shape (N,) (flow k of every scenario); ``times`` is a
    list of K entries, each a float (time shared by all scenarios) or an (N,) array.
    """
    if non_conventional not in ("scalar", "mark"):
        raise ValueError(f"non_conventional must be 'scalar' or 'mark', not {non_conventional!r}")
    amounts, times = _columns(amounts, times)
    n = len(amounts[0])
    rates = np.empty(n)
    codes = np.empty(n, dtype=np.int8)
    integer_times = all(isinstance(t_k, float) and t_k.is_integer() for t_k in times)
    scalar_rows: list[np.ndarray] = []
    block_rows = max(1, int(block_rows))
    for start in range(0, n, block_rows):
        stop = min(n, start + block_rows)
        a_block = [a_k[start:stop] for a_k in amounts]
        t_block = [t_k if isinstance(t_k, float) else t_k[start:stop] for t_k in times]
        r, c, non_conv, unsolved = _solve_block(a_block, t_block, integer_times)
        rates[start:stop] = r
        codes[start:stop] = c
        if non_conventional == "scalar":
            scalar_rows.append(non_conv + start)
        scalar_rows.append(unsolved + start)  # conventional rows Newton could not finish
    for i in np.concatenate(scalar_rows) if scalar_rows else ():
        row_t = [t_k if isinstance(t_k, float) else t_k[i] for t_k in times]
        result = irr_at_times([a_k[i] for a_k in amounts], row_t)
        rates[i] = result.rate
        codes[i] = _CODE[result.status]
    return rates, codes


# --- the block solver ------------------------------------------------------------------------


def _solve_block(
    a: list[np.ndarray], t: list[Column], integer_times: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rates and codes for one block; also its non-conventional and unsolved rows."""
    b = a[0].size
    has_neg = np.zeros(b, dtype=bool)
    has_pos = np.zeros(b, dtype=bool)
    t_neg_max = np.full(b, -np.inf)
    t_neg_min = np.full(b, np.inf)
    t_pos_max = np.full(b, -np.inf)
    t_pos_min = np.full(b, np.inf)
    for a_k, t_k in zip(a, t, strict=True):
        neg = a_k < 0
        pos = a_k > 0
        has_neg |= neg
        has_pos |= pos
        _update_extremes(neg, t_k, t_neg_max, t_neg_min)
        _update_extremes(pos, t_k, t_pos_max, t_pos_min)

    mixed = has_neg & has_pos
    conventional = mixed & ((t_neg_max < t_pos_min) | (t_pos_max < t_neg_min))
    rates = np.full(b, np.nan)
    codes = np.full(b, UNDEFINED, dtype=np.int8)
    loss = has_neg & ~has_pos
    rates[loss] = -1.0
    codes[loss] = TOTAL_LOSS
    non_conventional = np.flatnonzero(mixed & ~conventional)
    codes[non_conventional] = NON_CONVENTIONAL

    rows = np.flatnonzero(conventional)
    unsolved = rows[:0]
    if rows.size:
        if rows.size < b:
            a = [a_k[rows] for a_k in a]
            t = [t_k if isinstance(t_k, float) else t_k[rows] for t_k in t]
        x, converged = _newton(a, t, integer_times)
        rates[rows] = np.expm1(x)
        codes[rows] = OK
        unsolved = rows[~converged]
        rates[unsolved] = np.nan
        codes[unsolved] = UNDEFINED  # until the scalar solver has its say
    return rates, codes, non_conventional, unsolved


def _update_extremes(mask: np.ndarray, t_k: Column, t_max: np.ndarray, t_min: np.ndarray) -> None:
    """Fold the times of the flagged flows into running per-row max and min, in place."""
    if isinstance(t_k, float):
        if mask.all():
            np.maximum(t_max, t_k, out=t_max)
            np.minimum(t_min, t_k, out=t_min)
            return
        if not mask.any():
            return
    np.maximum(t_max, np.where(mask, t_k, -np.inf), out=t_max)
    np.minimum(t_min, np.where(mask, t_k, np.inf), out=t_min)


class _Term(NamedTuple):
    """One flow column in future-value form: at rate x it grows by exp(x * s)."""

    s: np.ndarray | float  # years from the flow to the reference time (>= 0)
    pos: np.ndarray | None  # positive part of the amounts (None if there is none)
    pos_s: np.ndarray | None  # pos * s (derivative weights)
    neg: np.ndarray | None  # magnitude of the negative part
    neg_s: np.ndarray | None

    def take(self, keep: np.ndarray) -> _Term:
        return _Term._make(v if v is None or isinstance(v, float) else v[keep] for v in self)


def _newton(
    a: list[np.ndarray], t: list[Column], integer_times: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Safeguarded Newton on h(x) = log P(x) - log N(x) for conventional rows."""
    m = a[0].size
    ref = max(t_k if isinstance(t_k, float) else float(t_k.max()) for t_k in t)
    earliest = min(t_k if isinstance(t_k, float) else float(t_k.min()) for t_k in t)
    span = ref - earliest  # > 0: conventional rows have flows at two different times
    x_hi = min(_EXP_LIMIT / span, _X_MAX)
    x_lo = -_EXP_LIMIT / span

    terms = []
    for a_k, t_k in zip(a, t, strict=True):
        s_k = ref - t_k
        if a_k.min() >= 0:
            pos, neg = a_k, None
        elif a_k.max() <= 0:
            pos, neg = None, -a_k
        else:
            pos, neg = np.maximum(a_k, 0.0), np.maximum(-a_k, 0.0)
        if (pos is None or not pos.any()) and (neg is None or not neg.any()):
            continue  # an all-zero column
        pos_s = None if pos is None else pos * s_k
        neg_s = None if neg is None else neg * s_k
        terms.append(_Term(s_k, pos, pos_s, neg, neg_s))

    with np.errstate(all="ignore"):
        # Newton step from x = 0 (all growth factors 1): the log(MOIC) / duration guess.
        fv_pos, d_pos, fv_neg, d_neg = _sums(terms, None, m)
        h = np.log(fv_pos / fv_neg)
        slope = d_pos / fv_pos - d_neg / fv_neg
        x = np.clip(-h / slope, x_lo, x_hi)
        x_out = x.copy()
        converged = np.zeros(m, dtype=bool)
        rows = np.arange(m)  # block row of each row still computed
        finished = np.zeros(m, dtype=bool)  # of the rows still computed
        lo = np.full(m, x_lo)
        hi = np.full(m, x_hi)
        prev_step = np.full(m, np.inf)
        for _ in range(_MAX_ITER):
            fv_pos, d_pos, fv_neg, d_neg = _sums(terms, _growth(terms, x, integer_times), x.size)
            h = np.log(fv_pos / fv_neg)
            slope = d_pos / fv_pos - d_neg / fv_neg
            root_above = h * slope < 0
            np.copyto(lo, x, where=root_above)
            np.copyto(hi, x, where=~root_above)
            step = h / slope
            x_new = x - step
            newton_ok = (x_new > lo) & (x_new < hi)
            exact = h == 0.0
            x_new = np.where(newton_ok, x_new, np.where(exact, x, 0.5 * (lo + hi)))
            size = np.abs(step)
            # Done: a tiny Newton step, or a small one whose successor (error ~ M * step**2,
            # M estimated from the last two steps) is predicted below 1e-15.
            done = exact | (
                newton_ok & ((size <= 1e-12) | ((size <= 1e-6) & (size**3 <= 1e-15 * prev_step**2)))
            )
            prev_step = np.where(newton_ok, size, np.inf)
            x = x_new
            new = done & ~finished
            if new.any():
                x_out[rows[new]] = x[new]
                converged[rows[new]] = True
                finished |= new
                left = ~finished
                if not left.any():
                    break
                if 2 * np.count_nonzero(left) <= left.size:  # drop finished rows
                    rows, x, lo, hi, prev_step = (v[left] for v in (rows, x, lo, hi, prev_step))
                    finished = finished[left]
                    terms = [term.take(left) for term in terms]
    return x_out, converged


def _growth(terms: list[_Term], x: np.ndarray, integer_times: bool) -> list[np.ndarray | float]:
    """exp(x * s_k) for each term: powers of exp(x) when all s_k are shared integers."""
    if integer_times:
        steps = sorted({int(term.s) for term in terms})
        if steps and steps[-1] <= 4 * len(steps) + 8:
            v = np.exp(x)
            powers: dict[int, np.ndarray | float] = {0: 1.0}
            current: np.ndarray | float = 1.0
            for p in range(1, steps[-1] + 1):
                current = current * v
                if p in steps:
                    powers[p] = current
            return [powers[int(term.s)] for term in terms]
    return [np.exp(x * term.s) for term in terms]


def _sums(
    terms: list[_Term], growth: list[np.ndarray | float] | None, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Future values of the positive and negative flows, and their derivatives in x."""
    fv_pos = np.zeros(m)
    d_pos = np.zeros(m)
    fv_neg = np.zeros(m)
    d_neg = np.zeros(m)
    for i, term in enumerate(terms):
        g = 1.0 if growth is None else growth[i]
        if term.pos is not None and term.pos_s is not None:
            fv_pos += term.pos * g
            d_pos += term.pos_s * g
        if term.neg is not None and term.neg_s is not None:
            fv_neg += term.neg * g
            d_neg += term.neg_s * g
    return fv_pos, d_pos, fv_neg, d_neg


def _columns(
    amounts: Sequence[npt.ArrayLike], times: Sequence[npt.ArrayLike]
) -> tuple[list[np.ndarray], list[Column]]:
    """Check the column-major form: K float arrays of one length N; K floats or (N,) arrays."""
    if len(amounts) != len(times) or not len(amounts):
        raise ValueError("need one time entry per amount column, and at least one column")
    cols = [np.asarray(a_k, dtype=float) for a_k in amounts]
    n = cols[0].shape[0] if cols[0].ndim == 1 else -1
    if any(a_k.shape != (n,) for a_k in cols):
        raise ValueError("amount columns must be one-dimensional and of the same length")
    out_t: list[Column] = []
    for t_k in times:
        if np.ndim(t_k) == 0:
            out_t.append(float(t_k))  # type: ignore[arg-type]
            continue
        t_arr = np.asarray(t_k, dtype=float)
        if t_arr.shape != (n,):
            raise ValueError(f"time columns must be floats or arrays of length {n}")
        out_t.append(t_arr)
    return cols, out_t


def _batch(amounts: npt.ArrayLike, times_years: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(amounts, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"amounts must have shape (N, K) (got {a.shape})")
    t = np.asarray(times_years, dtype=float)
    if t.shape not in ((a.shape[1],), a.shape):
        raise ValueError(f"times must have shape (K,) or (N, K) = {a.shape} (got {t.shape})")
    if not (np.isfinite(a).all() and np.isfinite(t).all()):
        raise ValueError("amounts and times must be finite numbers (found NaN or infinity)")
    return a, t
