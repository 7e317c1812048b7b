"""Do the irradiance components of a weather set fit together and with daylight?

Range checks (:mod:`gridtwin.weather.physical`) pass a set whose columns are each plausible
but jointly impossible, and the PV model then gives a plausible wrong answer: beam and diffuse
set to zero while ``ghi`` is kept (no PV output at all), diffuse above global (more output than
the sky gives), or no light at all while the sun is up. :func:`check_components` refuses
such a set, using the sun's position at the middle of each hour (:mod:`pvlib.solarposition`,
NREL SPA) and the closure relation of the three components, ``ghi = dni cos(zenith) + dhi``
(e.g. Long and Shi 2008 [1]_, the basis of BSRN quality control).

Thresholds, chosen wide enough that every reference file passes (tests/weather):

* daylight: the sun above :data:`DAYLIGHT_ELEVATION_DEG` at mid-hour;
* dark: ``ghi`` below :data:`DARK_GHI_W_M2` in every daylight hour (at least
  :data:`MIN_DAYLIGHT_HOURS` of them) is refused;
* diffuse above global by more than 25 W m-2 and 10 % in more than :data:`MAX_BAD_SHARE` of
  the daylight hours is refused;
* closure off by more than :data:`MAX_CLOSURE_ERROR` of ``ghi`` in more than
  :data:`MAX_BAD_SHARE` of the hours with ``ghi`` above 100 W m-2 (where hourly means of
  measured data close within about 10 %) is refused.

References
----------
.. [1] Long, C. N. and Shi, Y. (2008). An automated quality assessment and control algorithm
   for surface radiation measurements. The Open Atmospheric Science Journal 2, 23-37.
   doi:10.2174/1874282300802010023
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from gridtwin.exceptions import DataError

#: Sun elevation [deg] at mid-hour above which an hour counts as daylight.
DAYLIGHT_ELEVATION_DEG: Final = 10.0
#: Fewest daylight hours a set needs to be checked (a day at mid latitudes has about 10).
MIN_DAYLIGHT_HOURS: Final = 24
#: ``ghi`` [W m-2] below which a daylight hour is dark (the kW m-2 bound of physical.py).
DARK_GHI_W_M2: Final = 2.0
#: Largest share of the checked hours allowed to break a rule [-].
MAX_BAD_SHARE: Final = 0.2
#: Largest closure error ``|ghi - dni cos(z) - dhi| / ghi`` of an hour [-].
MAX_CLOSURE_ERROR: Final = 0.5


def _first(times: pd.DatetimeIndex, bad: np.ndarray) -> str:
    picked = times[bad][:3]
    return ", ".join(str(t) for t in picked) + (" ..." if bad.sum() > 3 else "")


def check_components(ds: xr.Dataset, source: str, closure: bool = True) -> None:
    """Refuse a weather set whose irradiance components contradict each other or daylight.

    Parameters
    ----------
    ds : xarray.Dataset
        Canonical weather set: ``time`` (UTC, interval start, hourly), ``ghi`` and optionally
        ``dni``, ``dhi`` [W m-2]; global attributes ``latitude``, ``longitude`` [deg]. A set
        without coordinates, ``ghi`` or enough daylight hours is not checked.
    source : str
        File name used in the message.
    closure : bool
        Check the closure relation too (needs labels in step with the sun: a set the sun
        check flagged as shifted is left to that check's verdict).

    Raises
    ------
    DataError
        One line naming ``source``, the rule broken (no light while the sun is up, diffuse
        above global, components that do not close), how many hours and the first of them.
    """
    if "ghi" not in ds or "latitude" not in ds.attrs or "longitude" not in ds.attrs:
        return
    times = pd.DatetimeIndex(ds["time"].values)
    mid = times.tz_localize("UTC") + pd.Timedelta(minutes=30)
    sun = pvlib.solarposition.get_solarposition(
        mid, float(ds.attrs["latitude"]), float(ds.attrs["longitude"])
    )
    day = sun["apparent_elevation"].to_numpy() > DAYLIGHT_ELEVATION_DEG
    ghi = np.asarray(ds["ghi"].values, dtype=float)
    day &= np.isfinite(ghi)
    if day.sum() < MIN_DAYLIGHT_HOURS:
        return
    if np.nanmax(ghi[day]) < DARK_GHI_W_M2:
        raise DataError(
            f"{source}: 'ghi' is below {DARK_GHI_W_M2:g} W m-2 in all {int(day.sum())} hours "
            f"with the sun above {DAYLIGHT_ELEVATION_DEG:g} deg (from {times[day][0]} UTC); "
            "the irradiance is missing or zeroed: use a file with measured or modelled values"
        )
    if "dhi" not in ds:
        return
    dhi = np.asarray(ds["dhi"].values, dtype=float)
    above = day & (dhi > ghi + np.maximum(25.0, 0.1 * ghi))
    if above.sum() > MAX_BAD_SHARE * day.sum():
        raise DataError(
            f"{source}: diffuse 'dhi' exceeds global 'ghi' in {int(above.sum())} of "
            f"{int(day.sum())} daylight hours (first {_first(times, above)} UTC); diffuse is "
            "part of global: are the columns swapped or scaled?"
        )
    if "dni" not in ds or not closure:
        return
    dni = np.asarray(ds["dni"].values, dtype=float)
    cos_z = np.cos(np.radians(sun["apparent_zenith"].to_numpy()))
    bright = day & (ghi > 100.0) & np.isfinite(dni) & np.isfinite(dhi)
    error = np.abs(ghi - dni * cos_z - dhi) / np.where(bright, ghi, 1.0)
    off = bright & (error > MAX_CLOSURE_ERROR)
    if bright.sum() >= MIN_DAYLIGHT_HOURS and off.sum() > MAX_BAD_SHARE * bright.sum():
        raise DataError(
            f"{source}: 'ghi', 'dni' and 'dhi' do not fit ghi = dni cos(zenith) + dhi in "
            f"{int(off.sum())} of {int(bright.sum())} sunny hours (off by more than "
            f"{MAX_CLOSURE_ERROR:.0%}; first {_first(times, off)} UTC); beam or diffuse "
            "zeroed, columns swapped, or a unit slip in one of them?"
        )


__all__ = ["check_components"]
