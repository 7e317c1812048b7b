"""Readers of NSRDB TMY3 and TMY2 files into the canonical weather set.

Both formats label rows with the **end** of the hour in local standard time (``01:00`` ...
``24:00``), give the offset to UTC in the header (``TZ`` [h]) and take each calendar month from
a different year [1]_ [2]_. The pvlib readers differ, which is the trap:

* :func:`pvlib.iotools.read_tmy3` keeps the hour-ending label (first row ``01:00``, last row
  ``00:00`` of the next year);
* :func:`pvlib.iotools.read_tmy2` labels rows with ``hour - 1`` (first row ``00:00``), i.e. the
  interval start, and uses the year of the first row for the whole file.

Both readers hand the file's hour-ending label to :func:`~gridtwin.weather.normalise.normalise`,
which re-labels the rows to one reference year and to the **start** of the interval in UTC::

    start_utc = label - 1 h - TZ h

The 8760 rows stay contiguous, so for ``TZ = -5`` the UTC index runs from
``year-01-01 05:00`` to ``(year+1)-01-01 04:00``; it is not wrapped around.
"""

from __future__ import annotations

import calendar
import logging
from pathlib import Path

import pandas as pd
import pvlib
import xarray as xr

from gridtwin.exceptions import ConfigError, DataError
from gridtwin.weather.normalise import normalise

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
    "albedo": ("albedo", 1.0),
}

#: TMY2 columns (raw file units, pvlib does not convert) -> canonical name and factor to SI [2]_.
_TMY2_COLUMNS: dict[str, tuple[str, float]] = {
    "GHI": ("ghi", 1.0),  # Wh m-2 over the hour = W m-2 mean
    "DNI": ("dni", 1.0),
    "DHI": ("dhi", 1.0),
    "DryBulb": ("temp_air", 0.1),  # 0.1 degC
    "DewPoint": ("temp_dew", 0.1),  # 0.1 degC
    "RHum": ("relative_humidity", 1.0),  # %
    "Pressure": ("pressure", 100.0),  # mbar -> Pa
    "Wspd": ("wind_speed", 0.1),  # 0.1 m s-1
}

#: Measurement height of TMY3 wind speed [m] (TMY3 User's Manual, Wilcox & Marion 2008).
TMY3_WIND_HEIGHT_M = 10.0
#: Measurement height of TMY2 wind speed [m] (TMY2 User's Manual, Marion & Urban 1995).
TMY2_WIND_HEIGHT_M = 10.0


def _check_year(year: int, fmt: str) -> None:
    if calendar.isleap(year):
        raise ConfigError(
            f"reference year {year} is a leap year; {fmt} files have no 29 February: "
            "choose a non-leap reference year (e.g. 2019)"
        )


def _tmy3_labels(df: pd.DataFrame) -> pd.DatetimeIndex:
    """Hour-ending local labels from the file's own date and time columns.

    pvlib's index is not used: it moves a ``02/28/YYYY 24:00`` row of a leap year ``YYYY`` to
    1 March 00:00 (a day late), which would shift that hour by 24 h.
    """
    date = pd.to_datetime(df["Date (MM/DD/YYYY)"], format="%m/%d/%Y")
    hhmm = df["Time (HH:MM)"].str.split(":", expand=True).astype(int)
    offset = pd.to_timedelta(hhmm[0], unit="h") + pd.to_timedelta(hhmm[1], unit="min")
    return pd.DatetimeIndex(date + offset)


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
    _check_year(year, "TMY3")
    if not p.is_file():
        raise DataError(f"{p}: TMY3 file not found; give the path of an NSRDB TMY3 CSV file")
    try:
        df, meta = pvlib.iotools.read_tmy3(p, map_variables=True)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise DataError(f"{p}: cannot read as TMY3 ({exc}); is it an NSRDB TMY3 CSV?") from None
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{p}: TMY3 columns {missing} are missing; is it an NSRDB TMY3 CSV?")
    table = pd.DataFrame(
        {name: df[col].to_numpy(dtype=float) * scale for col, (name, scale) in _COLUMNS.items()},
        index=_tmy3_labels(df),
    )
    tz_hours = float(meta["TZ"])
    site = str(meta.get("Name", "")).strip().strip('"')
    attrs = {
        "title": f"Typical meteorological year, {site}",
        "latitude": float(meta["latitude"]),
        "longitude": float(meta["longitude"]),
        "altitude": float(meta["altitude"]),
        "site_name": site,
        "station_id": str(meta.get("USAF", "")),
        "state": str(meta.get("State", "")),
        "source": f"{p.name}, NSRDB TMY3 via pvlib.iotools.read_tmy3",
        "source_format": "tmy3",
        "original_time_convention": f"hour-ending local standard time, UTC{tz_hours:+g}",
    }
    return normalise(
        table,
        source=str(p),
        label="end",
        utc_offset_h=tz_hours,
        typical_year=True,
        reference_year=year,
        wind_height_m=TMY3_WIND_HEIGHT_M,
        attrs=attrs,
    )


def read_tmy2(path: str | Path, year: int = 2019) -> xr.Dataset:
    """Read an NSRDB TMY2 file (fixed-width ``.tm2``) into a canonical weather set.

    Parameters
    ----------
    path : str or Path
        TMY2 file, read with :func:`pvlib.iotools.read_tmy2`.
    year : int
        Reference year the typical-year months are re-indexed to (not a leap year).

    Returns
    -------
    xarray.Dataset
        As :func:`read_tmy3`, without ``albedo`` (TMY2 has none).

    Raises
    ------
    DataError
        If the file is missing or cannot be parsed as TMY2.
    ConfigError
        If ``year`` is a leap year.

    References
    ----------
    .. [2] Marion, W. and Urban, K. (1995). User's Manual for TMY2s. NREL/SP-463-7668.
       https://doi.org/10.2172/87130
    """
    p = Path(path)
    _check_year(year, "TMY2")
    if not p.is_file():
        raise DataError(f"{p}: TMY2 file not found; give the path of an NSRDB TMY2 (.tm2) file")
    try:
        df, meta = pvlib.iotools.read_tmy2(str(p))
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise DataError(f"{p}: cannot read as TMY2 ({exc}); is it an NSRDB .tm2 file?") from None
    tz_hours = float(meta["TZ"])
    # pvlib labels rows with hour - 1 (interval start); the file's own label ends the hour.
    table = pd.DataFrame(
        {
            name: df[col].to_numpy(dtype=float) * scale
            for col, (name, scale) in _TMY2_COLUMNS.items()
        },
        index=df.index + pd.Timedelta(hours=1),
    )
    site = f"{str(meta.get('City', '')).strip()}, {str(meta.get('State', '')).strip()}"
    attrs = {
        "title": f"Typical meteorological year, {site}",
        "latitude": float(meta["latitude"]),
        "longitude": float(meta["longitude"]),
        "altitude": float(meta["altitude"]),
        "site_name": site,
        "station_id": str(meta.get("WBAN", "")),
        "source": f"{p.name}, NSRDB TMY2 via pvlib.iotools.read_tmy2",
        "source_format": "tmy2",
        "original_time_convention": f"hour-ending local standard time, UTC{tz_hours:+g}",
    }
    return normalise(
        table,
        source=str(p),
        label="end",
        utc_offset_h=tz_hours,
        typical_year=True,
        reference_year=year,
        wind_height_m=TMY2_WIND_HEIGHT_M,
        attrs=attrs,
    )
