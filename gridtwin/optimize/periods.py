"""Time periods of a horizon: its length in years, weather years (CFE periods and annual
budgets of stacked years) and billing months (demand charges)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Hours of a mean Julian year, to count whole years in multi-year horizons.
HOURS_PER_JULIAN_YEAR = 8766.0


def horizon_years(n_hours: int) -> float:
    """Length of an hourly horizon in years, for charging annual capital costs.

    A horizon shorter than a year pays its share, ``n / 8760`` (a week pays 168/8760 of a year);
    one or more whole years count as whole years (8760 or 8784 h is one year, two stacked years
    are two), ``round(n / 8766)``.

    Parameters
    ----------
    n_hours : int
        Number of hourly snapshots.

    Returns
    -------
    float
        Years [a].
    """
    if n_hours < 8760:
        return n_hours / 8760.0
    return float(round(n_hours / HOURS_PER_JULIAN_YEAR))


def demand_charge_months(
    snapshots: pd.DatetimeIndex, weights: np.ndarray | None = None, utc_offset_h: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Calendar month (local time) of each snapshot and the share of each month in the horizon.

    Parameters
    ----------
    snapshots : pandas.DatetimeIndex
        Shape (n_time,), UTC.
    weights : numpy.ndarray, optional
        Hours each snapshot stands for; default ones.
    utc_offset_h : float
        Offset of the local (billing) time from UTC [h]; months are counted in it.

    Returns
    -------
    month : numpy.ndarray of int
        Shape (n_time,), number of the (year, month) each snapshot starts in, 0..n_months-1.
    share : numpy.ndarray
        Shape (n_months,), hours of the month in the horizon / hours of the calendar month
        [-] (1 for whole months). A demand charge is paid as ``charge x share x peak``.
    """
    w = np.ones(len(snapshots)) if weights is None else np.asarray(weights, dtype=float)
    period = (snapshots + pd.Timedelta(hours=utc_offset_h)).to_period("M")
    codes, uniques = pd.factorize(period, sort=True)
    hours = np.bincount(codes, weights=w)
    in_month = np.array([p.days_in_month * 24.0 for p in uniques])
    return codes.astype(int), np.minimum(hours / in_month, 1.0)


#: Longest run of hours [h] at either end of a horizon that joins its neighbouring year: the
#: gap between a weather file's own years and local years (UTC offsets reach 14 h).
STUB_HOURS = 14


def weather_years(
    snapshots: pd.DatetimeIndex, utc_offset_h: float = 0.0, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weather year of each snapshot: local calendar years of a stacked horizon.

    Snapshots are UTC. A weather file labels its years in local standard time
    (``utc_offset_h``; TMY, EPW, most measured files) or in UTC (ERA5): the years are counted
    in whichever of the two leaves fewer stub hours at the ends, and a remaining run of at
    most :data:`STUB_HOURS` hours at either end joins its neighbour instead of being a year
    of its own.

    Parameters
    ----------
    snapshots : pandas.DatetimeIndex
        Shape (n_time,), UTC.
    utc_offset_h : float
        Offset of local standard time from UTC [h].
    weights : numpy.ndarray, optional
        Hours each snapshot stands for, shape (n_time,); default ones.

    Returns
    -------
    codes : numpy.ndarray of int
        Shape (n_time,), 0..n_years-1 in time order.
    years : numpy.ndarray of int
        Shape (n_years,), the local year each period starts in.
    """
    w = np.ones(len(snapshots)) if weights is None else np.asarray(weights, dtype=float)
    # the file's years are local or UTC years: take the count with the fewer stub hours
    options = [_calendar_years(snapshots, offset, w) for offset in (utc_offset_h, 0.0)]
    codes, local, _ = min(options, key=lambda option: option[2])
    if codes.max() > 0 and w[codes == 0].sum() <= STUB_HOURS:
        codes = np.maximum(codes - 1, 0)
    last = codes.max()
    if last > 0 and w[codes == last].sum() <= STUB_HOURS:
        codes[codes == last] = last - 1
    years = np.array([local[codes == g][0].year for g in range(codes.max() + 1)], dtype=int)
    return codes, years


def _calendar_years(
    snapshots: pd.DatetimeIndex, utc_offset_h: float, w: np.ndarray
) -> tuple[np.ndarray, pd.DatetimeIndex, float]:
    """Calendar year of each snapshot in a time ``utc_offset_h`` from UTC (codes 0..), the
    shifted times, and the hours of the stubs (end years of at most :data:`STUB_HOURS`)."""
    local = snapshots + pd.Timedelta(hours=utc_offset_h)
    codes = pd.factorize(local.year, sort=True)[0].astype(int)
    hours = np.bincount(codes, weights=w)
    stubs = sum(h for h in (hours[0], hours[-1]) if h <= STUB_HOURS) if len(hours) > 1 else 0.0
    return codes, local, float(stubs)
