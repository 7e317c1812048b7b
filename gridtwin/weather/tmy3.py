"""Reader of NSRDB TMY3 files into the canonical weather set.

TMY3 rows are labelled with the **end** of the hour in local standard time (``01:00`` ...
``24:00``), the offset to UTC is the metadata field ``TZ`` [h], and each calendar month may come
from a different year. :func:`read_tmy3` re-labels the rows to one reference year and to the
**start** of the interval in UTC (docs/conventions.md)::

    start_utc = label - 1 h - TZ h

The 8760 rows stay contiguous, so for ``TZ = -5`` the UTC index runs from
``year-01-01 05:00`` to ``(year+1)-01-01 04:00``; it is not wrapped around.
"""

from __future__ import annotations

import calendar
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from gridtwin.conventions import CF_CONVENTIONS, annotate
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.weather.canonical import validate_weather

logger = logging.getLogger(__name__)

#: TMY3 columns (after ``map_variables=True``) -> canonical name and scale factor to SI units.
_COLUMNS: dict[str, tuple[str, float]] = {
    "ghi": ("ghi", 1.0),
    "dni": ("dni", 1.0),
    "dhi": ("dhi", 1.0),
    "temp_air": ("temp_air", 1.0),
    "temp_dew": ("temp_dew", 1.0),
    "relative_humidity": ("relative_humidity", 1.0),
    "pressure": ("pressure", 100.0),  # mbar -> Pa
    "wind_speed": ("wind_speed", 1.0),
}

#: Measurement height of TMY3 wind speed [m] (TMY3 User's Manual, Wilcox & Marion 2008).
TMY3_WIND_HEIGHT_M = 10.0


def read_tmy3(path: str | Path, year: int = 2019) -> xr.Dataset:
    """Read an NSRDB TMY3 CSV file into a canonical weather set.

    Parameters
    ----------
    path : str or Path
        TMY3 CSV file (2015 format), read with :func:`pvlib.iotools.read_tmy3`.
    year : int
        Reference year the typical-year months are re-indexed to. Must not be a leap year
        (TMY3 files have no 29 February).

    Returns
    -------
    xarray.Dataset
        Dimension ``time`` (tz-naive UTC, interval start, 8760 hourly stamps); variables ``ghi``,
        ``dni``, ``dhi`` [W m-2], ``temp_air``, ``temp_dew`` [degC], ``relative_humidity`` [%],
        ``pressure`` [Pa], ``wind_speed`` [m s-1] at ``height_m`` = 10 m and ``albedo`` [1] when
        the file carries measured values (all-zero albedo columns are treated as missing);
        global attributes with the site and the provenance.

    Raises
    ------
    DataError
        If the file is missing or cannot be parsed as TMY3.
    ConfigError
        If ``year`` is a leap year.

    References
    ----------
    .. [1] Wilcox, S. and Marion, W. (2008). Users Manual for TMY3 Data Sets.
       NREL/TP-581-43156. https://doi.org/10.2172/928611
    """
    p = Path(path)
    if calendar.isleap(year):
        raise ConfigError(
            f"reference year {year} is a leap year; TMY3 files have no 29 February: "
            "choose a non-leap reference year (e.g. 2019)"
        )
    if not p.is_file():
        raise DataError(f"{p}: TMY3 file not found; give the path of an NSRDB TMY3 CSV file")
    try:
        df, meta = pvlib.iotools.read_tmy3(p, coerce_year=year, map_variables=True)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise DataError(f"{p}: cannot read as TMY3 ({exc}); is it an NSRDB TMY3 CSV?") from None
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{p}: TMY3 columns {missing} are missing; is it an NSRDB TMY3 CSV?")

    tz_hours = float(meta["TZ"])
    # pvlib returns hour-ending labels localised to a fixed UTC offset of TZ hours.
    start = (df.index - pd.Timedelta(hours=1)).tz_convert("UTC").tz_localize(None)
    time = pd.DatetimeIndex(start).as_unit("ns")

    data_vars: dict[str, tuple[str, np.ndarray]] = {
        name: ("time", df[col].to_numpy(dtype=float) * scale)
        for col, (name, scale) in _COLUMNS.items()
    }
    if "albedo" in df.columns:
        albedo = df["albedo"].to_numpy(dtype=float)
        if np.all((albedo > 0.0) & (albedo <= 1.0)):
            data_vars["albedo"] = ("time", albedo)
        else:
            logger.info("%s: albedo column is empty or out of range; not included", p)

    site = str(meta.get("Name", "")).strip().strip('"')
    ds = xr.Dataset(data_vars, coords={"time": time})
    ds["wind_speed"].attrs["height_m"] = TMY3_WIND_HEIGHT_M
    ds["time"].attrs.update(long_name="start of the hourly interval (UTC)", standard_name="time")
    ds.attrs.update(
        Conventions=CF_CONVENTIONS,
        title=f"Typical meteorological year, {site}",
        latitude=float(meta["latitude"]),
        longitude=float(meta["longitude"]),
        altitude=float(meta["altitude"]),
        site_name=site,
        station_id=str(meta.get("USAF", "")),
        state=str(meta.get("State", "")),
        source=f"{p.name}, NSRDB TMY3 via pvlib.iotools.read_tmy3",
        original_time_convention=f"hour-ending local standard time, UTC{tz_hours:+g}",
        reference_year=int(year),
        time_convention="UTC, interval start",
    )
    annotate(ds)
    logger.debug("read TMY3 %s: %s, %d hours", p, site, ds.sizes["time"])
    return validate_weather(ds, source=str(p))
