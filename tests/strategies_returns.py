"""Hypothesis strategies for cash flows (sign convention: paid in < 0, proceeds > 0, EUR m).

Conventional flows (all money paid in before any comes back) have exactly one IRR, so
every library defines the same rate. Their multiple (proceeds / paid-in) is kept between
0.02 and 20 so that the rates stay where the outside libraries are accurate (roughly -98 %
to +1,900 % a period): that is where the 1e-9 agreement is asserted.

Dated flows may bring money back soon after the last pay-in: from 1 day to 3 years later
(Cloudwatt's buyout came 262 days after its last assumed tranche). Over a short gap a given
multiple is a far more extreme annual rate (0.02 back after 30 days is -100 % to 21 digits,
which no solver can tell from a total loss, and pyxirr gives up, returning None, on some
flows whose rate is below about -99.8 %), so the multiple is narrowed to what keeps the
annual rate over the gap within -99 % to +1,900 %: between 0.01 ** g and 20 ** g for a gap
of g years (and within 0.02 to 20; a gap of a year or more leaves 0.02 to 20 as before).
The agreement with pyxirr is then asserted to 1e-9, or to pyxirr's own precision where that
is coarser (see ``test_returns``): the tolerance is not widened for short gaps.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import strategies as st

__all__ = [
    "any_flows",
    "conventional_dated_flows",
    "conventional_flows",
    "multiples",
    "positive_amounts",
]

positive_amounts = st.floats(min_value=0.01, max_value=1_000.0, allow_nan=False)
multiples = st.floats(min_value=0.02, max_value=20.0, allow_nan=False)
_weights = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)


@st.composite
def conventional_flows(draw: st.DrawFn, max_periods: int = 12) -> np.ndarray:
    """Equally spaced flows: 1-4 payments in, 0-3 empty periods, 1-4 payments back."""
    paid = draw(st.lists(positive_amounts, min_size=1, max_size=4))
    gap = draw(st.integers(min_value=0, max_value=min(3, max_periods - len(paid) - 1)))
    back_count = draw(st.integers(min_value=1, max_value=max_periods - len(paid) - gap))
    back_weights = np.array(draw(st.lists(_weights, min_size=back_count, max_size=back_count)))
    back = back_weights / back_weights.sum() * sum(paid) * draw(multiples)
    return np.concatenate([-np.array(paid), np.zeros(gap), back])


#: annual rates the dated flows stay within over the pay-in-to-proceeds gap (see above)
_RATE_FLOOR, _RATE_CEILING = -0.99, 19.0


@st.composite
def conventional_dated_flows(draw: st.DrawFn) -> tuple[np.ndarray, list[dt.date]]:
    """Dated flows on distinct days: payments in over up to 5 years, then, from 1 day to
    3 years after the last one, payments back over up to 10 years; the multiple is narrowed
    for short gaps so that the annual rate stays within -99 % to +1,900 %."""
    amounts = draw(conventional_flows(max_periods=10))
    amounts = amounts[amounts != 0]
    gap = draw(st.integers(min_value=1, max_value=3 * 365))
    years = gap / 365.0
    low = max(0.02, (1.0 + _RATE_FLOOR) ** years)
    high = min(20.0, (1.0 + _RATE_CEILING) ** years)
    multiple = draw(st.floats(min_value=low, max_value=high, allow_nan=False))
    paid = -amounts[amounts < 0].sum()
    back = amounts > 0
    amounts = amounts.copy()
    amounts[back] = amounts[back] / amounts[back].sum() * paid * multiple
    n_in = int((amounts < 0).sum())
    n_back = amounts.size - n_in
    start = draw(st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2030, 12, 31)))
    paid_days = draw(
        st.lists(
            st.integers(min_value=1, max_value=5 * 365),
            min_size=n_in - 1,
            max_size=n_in - 1,
            unique=True,
        )
    )
    paid_days = [0, *sorted(paid_days)]
    first_back = paid_days[-1] + gap
    back_days = draw(
        st.lists(
            st.integers(min_value=first_back + 1, max_value=first_back + 10 * 365),
            min_size=n_back - 1,
            max_size=n_back - 1,
            unique=True,
        )
    )
    offsets = [*paid_days, first_back, *sorted(back_days)]
    return amounts, [start + dt.timedelta(days=d) for d in offsets]


@st.composite
def any_flows(draw: st.DrawFn, max_size: int = 8) -> np.ndarray:
    """Any signs, zeros included (for status rules that must hold whatever the flows)."""
    values = st.one_of(
        st.just(0.0),
        positive_amounts,
        positive_amounts.map(lambda v: -v),
    )
    return np.array(draw(st.lists(values, min_size=0, max_size=max_size)), dtype=float)
