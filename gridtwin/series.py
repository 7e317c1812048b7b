"""Hourly input series of a study (grid price, grid CFE share, grid CO2 intensity).

A series field of a study is a constant or a :class:`~gridtwin.config.SeriesRef` to a file:

* CSV (any extension not listed below): a ``time`` column and the named ``column``;
* netCDF (extensions in :data:`NETCDF_SUFFIXES`): the data variable named by ``column``, on
  the single dimension ``time``.

Each reader only turns its file into ``(time stamps, values)``; alignment on the study's
hourly index and validation are one code path, :func:`_align`, for every format. A series with
a regular sub-hourly step (5-min real-time prices, 15-min European market data) becomes hourly
means over each hour ``[t, t + 1 h)``, time stamps labelling the start of their interval.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.config import SeriesRef
from gridtwin.conventions import TIME
from gridtwin.exceptions import DataError

logger = logging.getLogger(__name__)

#: Series read by a file reader: time stamps as read, values as read, how to name the series
#: in messages (``"column 'x'"`` or ``"variable 'x'"``) and its ``units`` attribute (netCDF)
#: or None.
_Raw = tuple[Any, Any, str, str | None]


def resolve_series(
    value: float | SeriesRef, index: pd.DatetimeIndex, field: str, bounds: tuple[float, float]
) -> np.ndarray:
    """Return an hourly series on ``index`` from a constant, a CSV file or a netCDF file.

    Parameters
    ----------
    value : float or SeriesRef
        A constant in the field's unit, or a file reference ``{path, column}``. Files ending in
        ``.nc``, ``.nc4`` or ``.cdf`` are read as netCDF, any other as CSV:

        * CSV: a ``time`` column (ISO 8601) and the named ``column``;
        * netCDF: ``column`` names the data variable, which must have exactly one dimension,
          ``time``, with a time coordinate (CF-encoded, decoded by xarray). Select or squeeze
          any other dimension (site, scenario, ...) before writing the file.

        Time stamps label the start of their interval; tz-aware stamps are converted to UTC.
        CSV stamps without a zone need the reference's ``utc_offset_h`` (0 for UTC) and are
        refused without it; netCDF times without a zone are UTC (CF conventions). Values are
        taken in the field's unit as they are: a ``units`` attribute of a netCDF variable is
        accepted but **not converted**.

        Hourly series are taken hour by hour (rows outside the study are ignored). A series
        whose regular step (the most common interval between stamps) is shorter than an hour
        and divides it (e.g. 5, 15 or 30 min) becomes the mean over each hour ``[t, t + 1 h)``
        (interval-start labels: the 15-min values of 00:00, 00:15, 00:30 and 00:45 give hour
        00:00). Every hour of the study must then hold as many values as the step implies
        (4 for 15 min), on that step's grid from the full hour.
    index : pandas.DatetimeIndex
        Target hourly index (tz-naive UTC), shape (n_time,).
    field : str
        Dotted study field, used in error messages (e.g. ``"poi.import_price"``).
    bounds : tuple of float
        Inclusive allowed range of the values, in the field's unit.

    Returns
    -------
    numpy.ndarray
        Shape (n_time,), float, in the field's unit.

    Raises
    ------
    DataError
        Unreadable file, missing column or variable (the message lists the available ones),
        CSV stamps without a time zone and no ``utc_offset_h`` (or a mix of both), a
        netCDF variable not on ``time`` alone, duplicate time stamps, a study hour not covered,
        NaN, or a value out of bounds (for a sub-hourly series: any value of the hour); a
        sub-hourly series with an irregular step (e.g. mixed 15 and 30 min, a step that does
        not divide the hour, stamps off the step's grid) or with a study hour holding fewer
        values than its step implies. The message names the file, the column or variable, the
        first offending UTC hour and how many hours are affected.

    Warns
    -----
    A price field (``field`` ending in ``price``) whose median absolute value is below
    :data:`PER_KWH_MEDIAN` per MWh is logged as looking like currency per kWh.

    Examples
    --------
    >>> import pandas as pd
    >>> index = pd.date_range("2019-01-01", periods=3, freq="h")
    >>> resolve_series(75.0, index, "poi.import_price", (-1e4, 1e5))
    array([75., 75., 75.])

    A 30-min series (50 on the hour, 150 on the half hour) becomes its hourly mean:

    >>> import pathlib, tempfile
    >>> from gridtwin.config import SeriesRef
    >>> half_hours = pd.date_range("2019-01-01", periods=6, freq="30min")
    >>> frame = pd.DataFrame({"time": half_hours, "usd": [50.0, 150.0] * 3})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ref = SeriesRef(path=pathlib.Path(folder) / "rt.csv", column="usd", utc_offset_h=0)
    ...     frame.to_csv(ref.path, index=False)
    ...     hourly = resolve_series(ref, index, "poi.import_price", (-1e4, 1e5))
    >>> hourly
    array([100., 100., 100.])
    """
    if not isinstance(value, SeriesRef):
        constant = np.full(len(index), float(value))
        if field.endswith("price"):
            _warn_if_per_kwh(constant, f"study field {field}")
        return constant
    path = Path(value.path)
    src = f"{path} (study field {field})"
    reader = _READERS.get(path.suffix.lower(), _read_csv)
    times, values, what, units = reader(path, value.column, src)
    if units is not None:
        _check_units(units, field, src, what)
    if reader is _read_csv:
        times = _csv_stamps_in_utc(times, value.utc_offset_h, src, field)
    aligned = _align(times, values, index, src, what, bounds)
    if field.endswith("price"):
        _warn_if_per_kwh(aligned, src)
    return aligned


#: Field -> (pattern a netCDF variable's ``units`` must match, once lower-cased and without
#: spaces, and the unit wanted). A variable with another unit is the wrong variable or needs
#: converting: its values are not converted (an irradiance read as a price is a plausible
#: wrong answer).
FIELD_UNITS: Final = {
    "price": (r"(/mwh|mwh-1|mw-1h-1|per_?mwh)$|^(usd|eur|gbp|chf)?/?mwh$", "currency per MWh"),
    "grid_cfe_share": (r"^(1|-|fraction|dimensionless|)$", "a fraction (units '1')"),
    "grid_co2_intensity": (r"^t(co2)?(/mwh|mwh-1)$", "t CO2 per MWh (units 't MWh-1')"),
}


def _check_units(units: str, field: str, src: str, what: str) -> None:
    """Refuse a netCDF variable whose ``units`` attribute is not the field's unit."""
    key = "price" if field.endswith("price") else field.rsplit(".", 1)[-1]
    if key not in FIELD_UNITS:
        return
    pattern, wanted = FIELD_UNITS[key]
    if not re.search(pattern, units.lower().replace(" ", "")):
        raise DataError(
            f"{src}: {what} has units {units!r}, but the field takes {wanted}; pick the "
            "variable that holds it, or convert the values and set 'units' accordingly"
        )


#: A CSV time stamp that carries its zone: ``Z`` or a ``+hh:mm`` / ``-hhmm`` offset at the end.
_ZONE: Final = r"(?:Z|[+-]\d{2}:?\d{2})\s*$"


def _csv_stamps_in_utc(times: Any, utc_offset_h: float | None, src: str, field: str) -> Any:
    """CSV time stamps as UTC: zoned stamps as written, naive ones shifted by the study's
    ``utc_offset_h``; naive stamps without it, or a mix of both, are refused (a local-time
    file read as UTC shifts every hour by the offset)."""
    text = pd.Series(times).astype(str).str.strip()
    zoned = text.str.contains(_ZONE, regex=True)
    if zoned.all():
        return times
    if zoned.any():
        raise DataError(
            f"{src}: some '{TIME}' stamps carry a time zone and some do not (first without: "
            f"{text[~zoned].iloc[0]}); write every stamp the same way"
        )
    if utc_offset_h is None:
        raise DataError(
            f"{src}: the '{TIME}' stamps have no time zone (first: {text.iloc[0]}); write "
            f"them with one (2019-01-01T00:00Z) or say their offset in the study, e.g. "
            f"{field}: {{path: ..., column: ..., utc_offset_h: 0}} for UTC (1 for CET, -5 "
            "for US Eastern standard time)"
        )
    try:
        naive = pd.to_datetime(text)
    except (ValueError, TypeError):
        return times  # _align names the bad stamp
    return (naive - pd.Timedelta(hours=utc_offset_h)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")


#: Median absolute price [currency/MWh] below which a price series looks like currency per
#: kWh: no wholesale market or tariff has a median under 1 per MWh (0.1 cent per kWh), while
#: per-kWh retail prices are 0.05-0.40.
PER_KWH_MEDIAN = 1.0


def _warn_if_per_kwh(values: np.ndarray, src: str) -> None:
    """Warn when a price series [currency/MWh] looks like currency per kWh (x1000 too low)."""
    median = float(np.median(np.abs(values)))
    if 0.0 < median < PER_KWH_MEDIAN:
        logger.warning(
            "%s: the median price is %.4g per MWh, which looks like a price per kWh; the "
            "field is in currency per MWh (multiply by 1000)",
            src,
            median,
        )


def _read_csv(path: Path, column: str, src: str) -> _Raw:
    """Time stamps and values of ``column`` of a CSV file with a ``time`` column."""
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{src}: cannot read CSV ({exc})") from None
    for col in (TIME, column):
        if col not in df.columns:
            raise DataError(f"{src}: column '{col}' not found; columns are {list(df.columns)}")
    return df[TIME].to_numpy(), df[column].to_numpy(), f"column '{column}'", None


def _read_netcdf(path: Path, variable: str, src: str) -> _Raw:
    """Time stamps and values of the data variable ``variable`` of a netCDF file on ``time``."""
    what = f"variable '{variable}'"
    try:
        with xr.open_dataset(path) as ds:
            if variable not in ds.data_vars:
                raise DataError(
                    f"{src}: {what} not found; data variables are {sorted(map(str, ds.data_vars))}"
                    " (for a netCDF file, the series' 'column' names the data variable)"
                )
            da = ds[variable]
            if da.dims != (TIME,):
                raise DataError(f"{src}: {what} has dimensions {da.dims}; {_dims_hint(da)}")
            if TIME not in da.coords:
                raise DataError(
                    f"{src}: dimension '{TIME}' of {what} has no coordinate; store the hours "
                    "as a CF time coordinate (e.g. units 'hours since 2019-01-01 00:00:00')"
                )
            times, values = da[TIME].to_numpy(), da.to_numpy()
            calendar = da[TIME].encoding.get("calendar")
            units = da.attrs.get("units")
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        first = str(exc).splitlines()[0].split(". ")[0] if str(exc) else type(exc).__name__
        raise DataError(
            f"{src}: cannot read netCDF ({first}); files ending in "
            f"{', '.join(sorted(NETCDF_SUFFIXES))} are read as netCDF, any other as CSV"
        ) from None
    if not np.issubdtype(times.dtype, np.datetime64):
        raise DataError(
            f"{src}: coordinate '{TIME}' of {what} is not decoded as dates ("
            + (f"calendar '{calendar}'" if calendar else f"dtype {times.dtype}, no CF units")
            + "); give it CF units such as 'hours since 2019-01-01 00:00:00' and the standard "
            "calendar"
        )
    return times, values, what, None if units is None else str(units)


def _dims_hint(da: xr.DataArray) -> str:
    """How to turn a variable that is not on ``time`` alone into a series."""
    if not da.dims:
        return "a constant belongs in the study file as a number"
    others = [str(d) for d in da.dims if d != TIME]
    steps = []
    if others:
        steps.append(
            f"select or squeeze {others} (e.g. ds['{da.name}'].sel({others[0]}=...) or "
            f".squeeze('{others[0]}'))"
        )
    if TIME not in da.dims:
        steps.append(f"name the time dimension '{TIME}' (ds.rename(...))")
    return f"a series must have the one dimension '{TIME}': {' and '.join(steps)}, then save it"


#: Lower-case file extension -> reader; any other extension is read as CSV.
_READERS: Final[dict[str, Callable[[Path, str, str], _Raw]]] = {
    ".nc": _read_netcdf,
    ".nc4": _read_netcdf,
    ".cdf": _read_netcdf,
}
#: Extensions read as netCDF.
NETCDF_SUFFIXES: Final = frozenset(_READERS)


#: One hour [ns], the resolution of a study.
_HOUR_NS: Final = 3_600_000_000_000


def _align(
    times: Any,
    values: Any,
    index: pd.DatetimeIndex,
    src: str,
    what: str,
    bounds: tuple[float, float],
) -> np.ndarray:
    """Put a series read from a file on ``index`` and check it (every format goes through here).

    Time stamps become tz-naive UTC (naive ones are taken as UTC); values are coerced to float
    (non-numeric entries become NaN). An hourly series is taken at the hours of ``index``; a
    regular sub-hourly one becomes the mean over each hour ``[t, t + 1 h)``
    (:func:`_hourly_means`). Every hour of ``index`` must be present, finite and within
    ``bounds``.
    """
    lo, hi = bounds
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(times), utc=True)).tz_localize(None)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"{src}: the '{TIME}' stamps are not valid timestamps ({exc}); write them in ISO "
            "8601, e.g. 2019-01-01T00:00:00Z"
        ) from None
    numbers = pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce")
    series = pd.Series(numbers.to_numpy(dtype=float), index=stamps)
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()][0]
        raise DataError(f"{src}: time stamp {dup} appears more than once")
    step = _sub_hourly_step(series.index, index, src, what)
    if step is None:
        aligned = series.reindex(index)
        bad = aligned.isna() | (aligned < lo) | (aligned > hi)
    else:
        aligned, bad = _hourly_means(series, index, step, src, what, bounds)
    if bad.any():
        first = aligned.index[bad.to_numpy()][0]
        raise DataError(
            f"{src}: {what} is missing, non-numeric or outside [{lo}, {hi}] at "
            f"{first} (UTC, {int(bad.sum())} hours in all); the series must cover every hour "
            f"of the weather year {index[0]} .. {index[-1]}"
        )
    return aligned.to_numpy(dtype=float)


def _sub_hourly_step(
    stamps: pd.DatetimeIndex, index: pd.DatetimeIndex, src: str, what: str
) -> int | None:
    """The regular step [ns] of a sub-hourly series, or ``None`` for an hourly (or coarser) one.

    Only the stamps within the hours of ``index`` count. The step is the most common interval
    between consecutive stamps; a longer interval is a gap (reported by :func:`_hourly_means`),
    while a step that does not divide the hour or a stamp off the step's grid from the full
    hour (a mix of steps, e.g. 15 and 20 min) is a :class:`DataError`.
    """
    inside = np.sort(stamps[stamps.floor("h").isin(index)].asi8)
    if len(inside) < 2:
        return None
    steps, counts = np.unique(np.diff(inside), return_counts=True)
    step = int(steps[np.argmax(counts)])
    if step >= _HOUR_NS:
        return None
    fix = "resample the file to one regular step that divides the hour (e.g. 5, 15 or 30 min)"
    if _HOUR_NS % step:
        raise DataError(
            f"{src}: {what} has a time step of {_duration(step)}, which does not divide the "
            f"hour; {fix}"
        )
    off = (inside % _HOUR_NS) % step != 0
    if off.any():
        first = pd.Timestamp(int(inside[off][0]))
        raise DataError(
            f"{src}: {what} has an irregular time step: its stamps are mostly "
            f"{_duration(step)} apart, but {first} (UTC, {int(off.sum())} stamps in all) is off "
            f"that grid from the full hour; {fix}"
        )
    return step


def _hourly_means(
    series: pd.Series,
    index: pd.DatetimeIndex,
    step: int,
    src: str,
    what: str,
    bounds: tuple[float, float],
) -> tuple[pd.Series, pd.Series]:
    """Means over each hour ``[t, t + 1 h)`` of ``index`` of a series with a sub-hourly ``step``
    [ns], and the hours with a missing, non-numeric or out-of-bounds value.

    Raises :class:`DataError` if an hour of ``index`` holds fewer values than the step implies.
    """
    lo, hi = bounds
    hours = series.index.floor("h")
    expected = _HOUR_NS // step
    counts = series.groupby(hours).size().reindex(index, fill_value=0)
    short = counts < expected
    if short.any():
        first = counts.index[short.to_numpy()][0]
        raise DataError(
            f"{src}: {what} has {int(counts[first])} values instead of {expected} (a step of "
            f"{_duration(step)}) in the hour from {first} (UTC, {int(short.sum())} hours "
            f"in all); every hour of the weather year {index[0]} .. {index[-1]} needs all its "
            "values for an hourly mean: fill the gaps or resample the file to one regular step"
        )
    bad_value = series.isna() | (series < lo) | (series > hi)
    bad = bad_value.groupby(hours).any().reindex(index, fill_value=True)
    means = series.groupby(hours).mean().reindex(index)
    return means, bad


def _duration(ns: int) -> str:
    """A step [ns] for messages: ``15 min`` or ``20 s``."""
    seconds = ns / 1e9
    return f"{seconds / 60:g} min" if seconds % 60 == 0 else f"{seconds:g} s"
