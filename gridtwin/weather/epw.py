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
    _check_location(p, text)
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
        if name.startswith("temp_") and coded.mean() > 0.5 and _kelvin(values[coded]):
            raise DataError(
                f"{p}: '{name}' ({col}) holds {np.nanmin(values):.1f} .. "
                f"{np.nanmax(values):.1f}, which looks like Kelvin; EPW temperatures are in "
                "degC (99.9 is the missing code): subtract 273.15"
            )
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


#: Numeric fields of the EPW LOCATION line (0-based position) and their range.
_LOCATION_FIELDS = {
    6: ("latitude [deg]", -90.0, 90.0),
    7: ("longitude [deg]", -180.0, 180.0),
    8: ("time zone [h from UTC]", -12.0, 14.0),
    9: ("elevation [m]", -500.0, 9000.0),
}


def _check_location(p: Path, text: str) -> None:
    """The LOCATION line's latitude, longitude, time zone and elevation: present, numbers,
    in range (pvlib otherwise stops on "could not convert string to float: ''")."""
    fields = text.split("\n", 1)[0].strip().split(",")
    for i, (what, low, high) in _LOCATION_FIELDS.items():
        raw = fields[i].strip() if i < len(fields) else ""
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            raise DataError(
                f"{p}: line 1 (LOCATION), field {i + 1} ({what}) is {raw!r}; give a number "
                f"in [{low:g}, {high:g}]"
            )


def _kelvin(values: np.ndarray) -> bool:
    """Values of a temperature column that sit where Kelvin would [K]: 200 .. 340."""
    return bool(values.size and np.all((values > 200.0) & (values < 340.0)))


def _decoded(path: Path) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8, else Latin-1 (station names with accents in
    many European EPW files are Latin-1 or Windows-1252; every byte decodes in Latin-1).

    Raises
    ------
    DataError
        The file is UTF-16 or UTF-32 (a byte-order mark, or NUL bytes between the characters
        as editors on Windows save "Unicode" text).
    """
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:200]:
        raise DataError(
            f"{path}: the file is UTF-16 or UTF-32 text; save it as UTF-8 (or Latin-1) and "
            "read it again"
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        logger.info("%s: not UTF-8; read as Latin-1", path)
        return raw.decode("latin-1"), "latin-1"
