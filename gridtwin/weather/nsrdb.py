"""Reader of NREL NSRDB PSM3 / PSM4 CSV files (SAM CSV layout) into the canonical weather set.

Time convention, as verified on ``nsrdb_psm3_2017_40.53_-108.54.csv`` (see the tests):

* The header field ``Time Zone`` is the offset of the stamps from UTC [h] (``Local Time Zone`` is
  the site's; they differ in files downloaded with ``utc=true``); no daylight saving time.
* Values are **instantaneous** satellite-model samples at the stamp: the file's own
  ``Solar Zenith Angle`` equals pvlib's apparent zenith at the stamp (mean difference 0.003 deg)
  and not at the stamp + 15 min (2.1 deg). Each sample is taken as the mean of a window of one
  step centred on it, and :func:`~gridtwin.weather.normalise.normalise` averages the windows to
  hourly means by overlap: for 30-min data ``0.25 x(h) + 0.5 x(h+30') + 0.25 x(h+60')``, which
  keeps the annual energy.
* One calendar year in local standard time; typical-year (TMY) downloads take months from
  different years and are re-indexed to the reference year.

Pressure is in the unit of ``Pressure Units`` (mbar in PSM3). NSRDB wind speed comes from
MERRA-2 at 2 m above ground [2]_.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pvlib
import xarray as xr

from gridtwin.conventions import lat_lon
from gridtwin.exceptions import DataError
from gridtwin.weather.normalise import CANONICAL_COLUMNS, normalise

logger = logging.getLogger(__name__)

#: Canonical columns of a PSM file after ``map_variables=True``; pressure is scaled separately.
_COLUMNS: tuple[str, ...] = CANONICAL_COLUMNS
#: ``Pressure Units`` header value -> factor to Pa.
_PRESSURE_TO_PA: dict[str, float] = {"mbar": 100.0, "hpa": 100.0, "pa": 1.0, "kpa": 1000.0}

#: Height of NSRDB wind speed [m] (MERRA-2 2-m wind, NSRDB data documentation).
NSRDB_WIND_HEIGHT_M = 2.0


def read_nsrdb(path: str | Path, reference_year: int = 2019) -> xr.Dataset:
    """Read an NSRDB PSM3 or PSM4 CSV file into a canonical weather set.

    Parameters
    ----------
    path : str or Path
        CSV file from the NSRDB API or viewer, read with :func:`pvlib.iotools.read_nsrdb_psm4`
        (which reads PSM3 files too).
    reference_year : int
        Year a typical-year (TMY) download is re-indexed to; ignored for a single year.

    Returns
    -------
    xarray.Dataset
        Hourly, tz-naive UTC interval starts; ``ghi``, ``dni``, ``dhi`` [W m-2], ``temp_air``,
        ``temp_dew`` [degC], ``relative_humidity`` [%], ``pressure`` [Pa], ``wind_speed``
        [m s-1] at 2 m, ``albedo`` [1]. Sub-hourly files are averaged to hourly means.

    Raises
    ------
    DataError
        If the file cannot be parsed as PSM CSV or fails the checks of
        :func:`~gridtwin.weather.normalise.normalise`.

    References
    ----------
    .. [1] Sengupta, M. et al. (2018). The National Solar Radiation Data Base (NSRDB).
       Renewable and Sustainable Energy Reviews 89, 51-60.
       https://doi.org/10.1016/j.rser.2018.03.003
    .. [2] NREL, NSRDB data documentation, https://nsrdb.nrel.gov/data-sets/
    """
    p = Path(path)
    try:
        df, meta = pvlib.iotools.read_nsrdb_psm4(p, map_variables=True)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise DataError(
            f"{p}: cannot read as NSRDB PSM CSV ({exc}); is it an NSRDB file?"
        ) from None
    missing = [c for c in _COLUMNS if c not in df.columns and c != "albedo"]
    if missing:
        raise DataError(f"{p}: NSRDB columns {missing} are missing; download them too")
    unit = str(meta.get("Pressure Units", "mbar")).strip().lower()
    if unit not in _PRESSURE_TO_PA:
        raise DataError(
            f"{p}: variable 'pressure': unknown unit '{unit}' (known: {sorted(_PRESSURE_TO_PA)})"
        )
    table = df[[c for c in _COLUMNS if c in df.columns]].astype(float)
    table["pressure"] = table["pressure"] * _PRESSURE_TO_PA[unit]
    tz_hours = float(meta["Time Zone"])
    typical = pd.DatetimeIndex(df.index).year.nunique() > 1
    if not typical:
        _check_whole_year(pd.DatetimeIndex(df.index), p)
    site = ", ".join(
        str(meta[k]) for k in ("City", "State", "Country") if str(meta.get(k, "-")) != "-"
    )
    lat, lon = float(meta["latitude"]), float(meta["longitude"])
    attrs: dict[str, Any] = {
        "title": f"NSRDB {'typical year' if typical else 'weather year'}, {lat_lon(lat, lon)}",
        "latitude": lat,
        "longitude": lon,
        "altitude": float(meta["altitude"]),
        "site_name": site or f"NSRDB location {meta.get('Location ID', '')}",
        "station_id": str(meta.get("Location ID", "")),
        "source": f"{p.name}, NSRDB {meta.get('Version', '')} via pvlib.iotools.read_nsrdb_psm4",
        "source_format": "nsrdb",
    }
    return normalise(
        table,
        source=str(p),
        label="instant",
        utc_offset_h=tz_hours,
        typical_year=typical,
        reference_year=reference_year,
        wind_height_m=NSRDB_WIND_HEIGHT_M,
        attrs=attrs,
    )


def _check_whole_year(index: pd.DatetimeIndex, p: Path) -> None:
    """A single-year download covers its calendar year (file time, the header's zone): from
    1 January 00:00 to the last step of 31 December. A file cut short (an interrupted
    download, a truncated copy) would otherwise be read as a shorter horizon."""
    first, last = index[0], index[-1]
    year = first.year
    starts = (first.month, first.day, first.hour, first.minute) == (1, 1, 0, 0)
    ends = (last.month, last.day, last.hour) == (12, 31, 23)
    if not (starts and ends):
        raise DataError(
            f"{p}: a single-year NSRDB file must cover {year} from 1 January 00:00 to 31 "
            f"December 23:00 (file time), but its {len(index)} data rows run from {first} to "
            f"{last}; the file is cut short: download the year again"
        )
