"""Hourly input series of a study (grid price, grid CFE share): constant or from CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridtwin.config import SeriesRef
from gridtwin.exceptions import DataError


def resolve_series(
    value: float | SeriesRef, index: pd.DatetimeIndex, field: str, bounds: tuple[float, float]
) -> np.ndarray:
    """Return an hourly series on ``index`` from a constant or a CSV file.

    Parameters
    ----------
    value : float or SeriesRef
        A constant, or a CSV file with a ``time`` column (ISO 8601; tz-aware stamps are converted
        to UTC, naive stamps are taken as UTC, each labelling the start of its hour) and the
        named ``column``.
    index : pandas.DatetimeIndex
        Target hourly index (tz-naive UTC), shape (n_time,).
    field : str
        Dotted study field, used in error messages (e.g. ``"poi.import_price"``).
    bounds : tuple of float
        Inclusive allowed range of the values.

    Returns
    -------
    numpy.ndarray
        Shape (n_time,), float.

    Raises
    ------
    DataError
        Unreadable file, missing column, a study hour not covered, NaN, or a value out of bounds;
        the message names the file, the column and the first offending time stamp.
    """
    lo, hi = bounds
    if not isinstance(value, SeriesRef):
        return np.full(len(index), float(value))
    src = f"{value.path} (study field {field})"
    try:
        df = pd.read_csv(value.path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{src}: cannot read CSV ({exc})") from None
    for col in ("time", value.column):
        if col not in df.columns:
            raise DataError(f"{src}: column '{col}' not found; columns are {list(df.columns)}")
    try:
        times = pd.to_datetime(df["time"], utc=True).dt.tz_localize(None)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{src}: column 'time' is not a valid timestamp ({exc})") from None
    values = pd.to_numeric(df[value.column], errors="coerce")
    series = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(times))
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()][0]
        raise DataError(f"{src}: time stamp {dup} appears more than once")
    aligned = series.reindex(index)
    bad = aligned.isna() | (aligned < lo) | (aligned > hi)
    if bad.any():
        first = aligned.index[bad.to_numpy()][0]
        raise DataError(
            f"{src}: column '{value.column}' is missing, non-numeric or outside [{lo}, {hi}] at "
            f"{first} (UTC, {int(bad.sum())} hours in all); the series must cover every hour "
            f"of the weather year {index[0]} .. {index[-1]}"
        )
    return aligned.to_numpy(dtype=float)
