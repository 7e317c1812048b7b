"""The canonical weather set: validation, reading and writing.

A canonical weather set is an :class:`xarray.Dataset` with one dimension ``time`` (tz-naive UTC,
``datetime64[ns]``, each stamp labels the **start** of an hourly interval, see docs/conventions.md)
and the variables of :data:`gridtwin.conventions.VARIABLES` (``ghi``, ``dni``, ``dhi`` [W m-2],
``temp_air`` [degC], ``relative_humidity`` [%] or ``temp_dew`` [degC], ``pressure`` [Pa],
``wind_speed`` [m s-1] with attribute ``height_m``, optionally ``albedo`` [1]). Global attributes
carry the site (``latitude``, ``longitude`` [deg], ``altitude`` [m]) and the provenance.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.exceptions import DataError
from gridtwin.io import write_netcdf
from gridtwin.weather.physical import check_physical

logger = logging.getLogger(__name__)

#: Variables every canonical weather set must hold.
REQUIRED_VARIABLES: tuple[str, ...] = ("ghi", "dni", "dhi", "temp_air", "wind_speed", "pressure")
#: At least one of these humidity variables must be present.
HUMIDITY_VARIABLES: tuple[str, ...] = ("relative_humidity", "temp_dew")
#: Global attributes every canonical weather set must hold.
REQUIRED_ATTRS: tuple[str, ...] = ("latitude", "longitude")

_HOUR = np.timedelta64(1, "h")


def span_text(times: np.ndarray, bad: np.ndarray) -> str:
    """Describe the first contiguous run of ``True`` in ``bad`` as a time span."""
    first = int(np.argmax(bad))
    last = first
    while last + 1 < bad.size and bad[last + 1]:
        last += 1
    start, end = pd.Timestamp(times[first]), pd.Timestamp(times[last])
    where = f"at {start}" if first == last else f"from {start} to {end}"
    return f"{where} ({int(bad.sum())} value(s) in total)"


def validate_weather(ds: xr.Dataset, source: str = "<weather>") -> xr.Dataset:
    """Check that ``ds`` is a canonical weather set.

    Parameters
    ----------
    ds : xarray.Dataset
        Candidate weather set.
    source : str
        Name used in error messages (usually the file path).

    Returns
    -------
    xarray.Dataset
        ``ds``, or a copy with variables whose ``units`` attribute names a convertible unit
        (``kW m-2``, ``K``, ``km/h``, ``hPa``, ...) converted to the canonical units
        (:func:`gridtwin.weather.physical.check_physical`).

    Raises
    ------
    DataError
        Naming ``source``, the offending variable and the first offending time span, if a
        required variable or attribute is missing, the ``time`` index is not hourly and regular,
        a value is NaN, or a value or unit is physically impossible (infinite, negative
        irradiance, Kelvin where degC belong, ...; see :mod:`gridtwin.weather.physical`).
    """
    if "time" not in ds.dims or "time" not in ds.coords:
        raise DataError(f"{source}: no 'time' dimension; a weather set needs an hourly UTC 'time'")
    missing = [v for v in REQUIRED_VARIABLES if v not in ds.data_vars]
    if missing:
        raise DataError(
            f"{source}: missing variable(s) {', '.join(missing)}; regenerate the weather set "
            "with a gridtwin.weather reader"
        )
    if not any(v in ds.data_vars for v in HUMIDITY_VARIABLES):
        raise DataError(f"{source}: needs 'relative_humidity' or 'temp_dew'; neither is present")
    absent = [a for a in REQUIRED_ATTRS if a not in ds.attrs]
    if absent:
        raise DataError(f"{source}: missing global attribute(s) {', '.join(absent)} [deg]")
    times = ds["time"].values
    if not np.issubdtype(times.dtype, np.datetime64):
        raise DataError(f"{source}: 'time' is not a datetime index (dtype {times.dtype})")
    if times.size < 2:
        raise DataError(f"{source}: 'time' has {times.size} stamp(s); need an hourly series")
    step = np.diff(times)
    irregular = step != _HOUR
    if irregular.any():
        i = int(np.argmax(irregular))
        raise DataError(
            f"{source}: variable 'time': index is not hourly and regular: step of "
            f"{pd.Timedelta(step[i])} between {pd.Timestamp(times[i])} and "
            f"{pd.Timestamp(times[i + 1])}; resample to a regular hourly UTC index"
        )
    names = [n for n in (*REQUIRED_VARIABLES, *HUMIDITY_VARIABLES, "albedo") if n in ds.data_vars]
    for name in names:
        if ds[name].dims != ("time",):
            raise DataError(
                f"{source}: variable '{name}' has dims {ds[name].dims}; expected ('time',)"
            )
    ds = check_physical(ds, source)  # every read path ends here: one place for units and ranges
    for name in names:
        var = ds[name]
        values = np.asarray(var.values, dtype=float)
        nan = np.isnan(values)
        if nan.any():
            raise DataError(
                f"{source}: variable '{name}' has NaN {span_text(times, nan)}; fill the gap "
                "before using the weather set"
            )
    return ds


def open_weather(path: str | Path) -> xr.Dataset:
    """Open, load and validate a canonical weather set stored as netCDF.

    Parameters
    ----------
    path : str or Path
        netCDF file written by :func:`write_weather`.

    Returns
    -------
    xarray.Dataset
        The weather set, loaded into memory (the file is closed).

    Raises
    ------
    DataError
        If the file is missing or unreadable, or fails :func:`validate_weather`.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(
            f"{p}: weather file not found; create it with a gridtwin.weather reader "
            "(e.g. weather/make_greensboro_tmy3.py) or give the correct path"
        )
    try:
        with xr.open_dataset(p, engine="netcdf4") as handle:
            ds = handle.load()
    except (OSError, ValueError) as exc:
        raise DataError(f"{p}: cannot read as netCDF ({exc}); regenerate the weather set") from None
    logger.debug("opened weather set %s with %d stamps", p, ds.sizes.get("time", 0))
    return validate_weather(ds, source=str(p))


def write_weather(ds: xr.Dataset, path: str | Path) -> Path:
    """Validate and write a canonical weather set atomically as netCDF-4.

    Parameters
    ----------
    ds : xarray.Dataset
        Canonical weather set.
    path : str or Path
        Destination file; parent folders are created.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    DataError
        If ``ds`` is not a canonical weather set or the file cannot be written.
    """
    ds = validate_weather(ds, source=str(path))
    return write_netcdf(ds, path, kind="weather")  # never replaces a result or other data
