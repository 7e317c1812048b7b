"""Reader of PVGIS typical meteorological year files (CSV and JSON) into the canonical set.

Time convention, as verified on ``tmy_45.000_8.000_2005_2023.csv`` (see the tests):

* Stamps are UTC (column ``time(UTC)``, ``YYYYMMDD:HHMM``) and every month comes from a different
  year (header table ``month,year``); the rows are re-indexed to one reference year.
* A stamp ``HH:00`` stands for the hour ``HH:00``-``HH+1:00``: the meteorological variables
  (ERA5) are hourly values of that hour, and the irradiance is the value valid at
  ``HH:00 + irradiance_time_offset``. The offset is in the header since PVGIS 5.3
  (``Irradiance Time Offset (h)``; JSON ``inputs.location.irradiance_time_offset``): 0.5 h for
  ERA5 irradiance (the hourly mean, centred in the hour), the satellite scan time for SARAH
  (0.1761 h = 10.6 min here). The stamp is therefore the interval **start**; for SARAH the
  instant lies 19 min before the interval midpoint, the closest an hourly grid can get.
* Older PVGIS series stamp the satellite instant itself (``20050101:0010``): the minutes are the
  same offset; the stamp is floored to the hour and the minutes recorded.

Wind speed is ``WS10m``, at 10 m. Pressure ``SP`` is already in Pa.
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
from gridtwin.weather.normalise import normalise
from gridtwin.weather.textcheck import check_pvgis_csv_text

logger = logging.getLogger(__name__)

#: Canonical columns of a PVGIS TMY after ``map_variables=True`` (all already in SI units).
_COLUMNS: tuple[str, ...] = (
    "ghi",
    "dni",
    "dhi",
    "temp_air",
    "relative_humidity",
    "pressure",
    "wind_speed",
)

#: Height of PVGIS wind speed ``WS10m`` [m].
PVGIS_WIND_HEIGHT_M = 10.0


def _location(meta: dict[str, Any]) -> dict[str, Any]:
    """The ``inputs.location`` (JSON) or ``inputs`` (CSV) block of pvlib's metadata."""
    inputs = meta.get("inputs", {})
    return dict(inputs.get("location", inputs))


def read_pvgis(path: str | Path, reference_year: int = 2019) -> xr.Dataset:
    """Read a PVGIS TMY file (``.csv`` or ``.json``) into a canonical weather set.

    Parameters
    ----------
    path : str or Path
        File from the PVGIS TMY tool, read with :func:`pvlib.iotools.read_pvgis_tmy`; the
        format follows the extension.
    reference_year : int
        Year the typical-year months are re-indexed to.

    Returns
    -------
    xarray.Dataset
        Hourly, tz-naive UTC interval starts; ``ghi``, ``dni``, ``dhi`` [W m-2], ``temp_air``
        [degC], ``relative_humidity`` [%], ``pressure`` [Pa], ``wind_speed`` [m s-1] at 10 m.
        Attribute ``irradiance_time_offset_h`` [h] when the file states it.

    Raises
    ------
    DataError
        If a CSV is empty, truncated, gapped or malformed (naming the line or the missing span,
        :func:`~gridtwin.weather.textcheck.check_pvgis_csv_text`), the file cannot be parsed as
        a PVGIS TMY, or it fails the checks of :func:`~gridtwin.weather.normalise.normalise`.

    References
    ----------
    .. [1] Huld, T., Müller, R. and Gambardella, A. (2012). A new solar radiation database for
       estimating PV performance in Europe and Africa. Solar Energy 86, 1803-1815.
       https://doi.org/10.1016/j.solener.2012.03.006
    .. [2] European Commission JRC, PVGIS user manual, "TMY" and "Hourly radiation" tools.
    """
    p = Path(path)
    fmt = p.suffix.lower().lstrip(".")
    if fmt not in ("csv", "json"):
        raise DataError(f"{p}: a PVGIS TMY file must end in .csv or .json, not '.{fmt}'")
    if fmt == "csv":
        try:
            text = p.read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            raise DataError(f"{p}: cannot read the file ({exc})") from None
        check_pvgis_csv_text(p, text)  # empty, truncated, gapped, malformed: the line
    try:
        df, meta = pvlib.iotools.read_pvgis_tmy(p, pvgis_format=fmt, map_variables=True)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"{p}: cannot read as a PVGIS TMY {fmt.upper()} ({first}); is it from the PVGIS "
            "TMY tool?"
        ) from None
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{p}: PVGIS columns {missing} are missing; is it a PVGIS TMY file?")
    loc = _location(meta)
    minutes = pd.DatetimeIndex(df.index).minute
    if minutes.nunique() > 1:
        raise DataError(
            f"{p}: variable 'time': stamps carry different minutes ({sorted(set(minutes))}); "
            "expected one stamp per hour"
        )
    # JSON: inputs.location.irradiance_time_offset; CSV (pvlib): inputs["irradiance time offset"]
    offset_h = loc.get("irradiance_time_offset", loc.get("irradiance time offset"))
    if offset_h is None and minutes[0] != 0:
        offset_h = minutes[0] / 60.0
    table = df[list(_COLUMNS)].copy()
    table.index = pd.DatetimeIndex(df.index).floor("h")
    lat, lon = float(loc["latitude"]), float(loc["longitude"])
    radiation_db = meta.get("inputs", {}).get("meteo_data", {}).get("radiation_db", "")
    attrs: dict[str, Any] = {
        "title": f"PVGIS typical meteorological year, {lat_lon(lat, lon)}",
        "latitude": lat,
        "longitude": lon,
        "altitude": float(loc["elevation"]),
        "site_name": f"PVGIS {lat:.3f}, {lon:.3f}",
        "source": f"{p.name}, PVGIS TMY ({fmt.upper()}) via pvlib.iotools.read_pvgis_tmy",
        "source_format": f"pvgis_{fmt}",
        "months_selected": ", ".join(
            f"{m['month']}:{m['year']}" for m in meta.get("months_selected", [])
        ),
    }
    if radiation_db:
        attrs["radiation_db"] = str(radiation_db)
    if offset_h is not None:
        attrs["irradiance_time_offset_h"] = float(offset_h)
        attrs["original_time_convention"] = (
            "hour-beginning UTC; irradiance valid at stamp + irradiance_time_offset_h"
        )
    return normalise(
        table,
        source=str(p),
        label="start",
        utc_offset_h=None,
        typical_year=True,
        reference_year=reference_year,
        wind_height_m=PVGIS_WIND_HEIGHT_M,
        attrs=attrs,
    )
