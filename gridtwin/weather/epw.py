"""Reader of EnergyPlus weather files (EPW) into the canonical weather set.

EPW rows carry ``hour`` 1..24: the value of hour ``h`` is the mean (irradiance: the energy) of
the hour **ending** at ``h`` in local standard time, whose offset [h] is the field ``TZ`` of the
``LOCATION`` line [1]_. :func:`pvlib.iotools.read_epw` already labels each row with ``hour - 1``
(its index is the interval start, local standard time); this reader hands the file's own
hour-ending label (``index + 1 h``) to :func:`~gridtwin.weather.normalise.normalise`, so the
conversion is done, and recorded, in one place. Typical files (IWEC, TMYx) take each month from a
different year; they are re-indexed to one reference year. EPW wind speed is at 10 m.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from gridtwin.exceptions import DataError
from gridtwin.weather.normalise import normalise
from gridtwin.weather.textcheck import check_epw_text

logger = logging.getLogger(__name__)

#: pvlib column -> (canonical name, factor to SI, EPW "missing" code [2]_).
_COLUMNS: dict[str, tuple[str, float, float]] = {
    "ghi": ("ghi", 1.0, 9999.0),
    "dni": ("dni", 1.0, 9999.0),
    "dhi": ("dhi", 1.0, 9999.0),
    "temp_air": ("temp_air", 1.0, 99.9),
    "temp_dew": ("temp_dew", 1.0, 99.9),
    "relative_humidity": ("relative_humidity", 1.0, 999.0),
    "atmospheric_pressure": ("pressure", 1.0, 999999.0),  # already Pa
    "wind_speed": ("wind_speed", 1.0, 999.0),
    "albedo": ("albedo", 1.0, 999.0),
}

#: Height of EPW wind speed [m] (standard meteorological anemometer height).
EPW_WIND_HEIGHT_M = 10.0


def read_epw(path: str | Path, reference_year: int = 2019) -> xr.Dataset:
    """Read an EnergyPlus weather file into a canonical weather set.

    Parameters
    ----------
    path : str or Path
        ``.epw`` file, read with :func:`pvlib.iotools.read_epw`.
    reference_year : int
        Year a typical (composite) year is re-indexed to; ignored for a single-year file.

    Returns
    -------
    xarray.Dataset
        Hourly, tz-naive UTC interval starts; ``ghi``, ``dni``, ``dhi`` [W m-2], ``temp_air``,
        ``temp_dew`` [degC], ``relative_humidity`` [%], ``pressure`` [Pa], ``wind_speed``
        [m s-1] at 10 m, ``albedo`` [1] when the file carries it.

    Raises
    ------
    DataError
        If the file is empty, truncated, gapped or malformed (naming the line or the missing
        span, :func:`~gridtwin.weather.textcheck.check_epw_text`), cannot be parsed as EPW, or
        fails the checks of :func:`~gridtwin.weather.normalise.normalise`.

    References
    ----------
    .. [1] U.S. DOE (2022). EnergyPlus Auxiliary Programs, ch. 2 "Weather Converter Program",
       EnergyPlus Weather File (EPW) Data Dictionary.
    .. [2] Crawley, D. B., Lawrie, L. K., et al. (1999). EnergyPlus: A new-generation building
       energy simulation program. Proc. Renewable and Advanced Energy Systems for the 21st
       Century. (EPW missing-value codes as in the data dictionary of [1]_.)
    """
    p = Path(path)
    try:
        text, encoding = _decoded(p)
    except OSError as exc:
        raise DataError(f"{p}: cannot read the file ({exc})") from None
    check_epw_text(p, text)  # empty, truncated, gapped or malformed: one line naming the line
    try:
        df, meta = pvlib.iotools.read_epw(io.StringIO(text))
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"{p}: cannot read as EPW ({first}); is it an EnergyPlus weather file?"
        ) from None
    table = pd.DataFrame(index=df.index.tz_localize(None) + pd.Timedelta(hours=1))
    for col, (name, scale, missing) in _COLUMNS.items():
        values = df[col].to_numpy(dtype=float)
        coded = (values >= missing) & np.isfinite(values)  # 'inf' is no missing code
        table[name] = np.where(coded, np.nan, values * scale)
    starts = df.index.tz_localize(None)
    typical = starts.year.nunique() > 1
    site = ", ".join(str(meta[k]) for k in ("city", "country") if str(meta.get(k, "-")) != "-")
    attrs = {
        "title": f"{'Typical' if typical else 'Measured'} weather year, {site}",
        "latitude": float(meta["latitude"]),
        "longitude": float(meta["longitude"]),
        "altitude": float(meta["altitude"]),
        "site_name": site,
        "station_id": str(meta.get("WMO_code", "")),
        "source": f"{p.name}, {meta.get('data_type', 'EPW')} via pvlib.iotools.read_epw",
        "source_format": "epw",
        "source_encoding": encoding,
        "original_time_convention": (
            f"hour-ending (hours 1..24) local standard time, UTC{float(meta['TZ']):+g}"
        ),
    }
    return normalise(
        table,
        source=str(p),
        label="end",
        utc_offset_h=float(meta["TZ"]),
        typical_year=typical,
        reference_year=reference_year,
        wind_height_m=EPW_WIND_HEIGHT_M,
        attrs=attrs,
    )


def _decoded(path: Path) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8, else Latin-1 (station names with accents in
    many European EPW files are Latin-1 or Windows-1252; every byte decodes in Latin-1)."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        logger.info("%s: not UTF-8; read as Latin-1", path)
        return raw.decode("latin-1"), "latin-1"
