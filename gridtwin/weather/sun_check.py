"""Is the irradiance of a weather set in step with the sun? (time zone and label mistakes)

A weather file whose labels are local time read as UTC, or shifted by some hours, or whose site
coordinates are wrong, passes every range check yet yields a plausible wrong answer: PV output at
the wrong hours of the day. :func:`check_sun` compares the irradiance with the sun's position
at the site (:mod:`pvlib.solarposition`, NREL SPA) in two ways:

Profile offset
    The mean daily profile of ``ghi`` (mean per UTC hour of day over the whole set) is compared
    with that of the Haurwitz clear-sky model [1]_ (:func:`pvlib.clearsky.haurwitz`) on the same
    hours. The offset is the difference of the phases of their first (24 h) harmonics,
    converted to hours: the circular centroid of the profile, equivalent to the peak of the
    circular cross-correlation for a bell-shaped day, robust to clouds and to days that cross
    0 h UTC, and with sub-hour resolution. Positive: the irradiance comes later than the sun
    (labels ahead of UTC, e.g. local time east of Greenwich read as UTC).
Night sunlight
    Hours with ``ghi`` above :data:`NIGHT_GHI_W_M2` while the sun is below the horizon at the
    start, middle and end of the hour. Twilight sky light with the sun below the horizon all
    hour stays below a few W m-2.

Thresholds, chosen on the reference files (tests/weather/test_sun_check.py): correctly read
files give offsets of -0.17 h (NSRDB PSM3, Colorado) to +0.37 h (PVGIS SARAH TMY, Piedmont;
morning haze) and no night sunlight; the same files shifted by 1 h give 0.63 h to 1.17 h and
tens to hundreds of sunlit night hours. A set is flagged when the offset reaches
:data:`MAX_OFFSET_H` = 0.5 h, which catches a shift of 1 h and more while leaving the ~0.3 h that
label conventions and cloud climatology legitimately produce (a 30-min convention mismatch
such as hour-ending labels of instantaneous samples sits at the threshold and is reported), or
when more than :data:`MAX_NIGHT_SHARE` of the night hours are sunlit. A set shorter than
:data:`MIN_HOURS` or without daylight is not checked.

References
----------
.. [1] Haurwitz, B. (1945). Insolation in relation to cloudiness and cloud density. Journal of
   Meteorology 2, 154-166. https://doi.org/10.1175/1520-0469(1945)002<0154:IIRTCA>2.0.CO;2
.. [2] Reda, I. and Andreas, A. (2004). Solar position algorithm for solar radiation
   applications. Solar Energy 76(5), 577-589. https://doi.org/10.1016/j.solener.2003.12.003
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from gridtwin.exceptions import DataError

logger = logging.getLogger(__name__)

SunCheck = Literal["warn", "refuse", "off"]
"""What to do with a weather set out of step with the sun: log a warning, raise, or skip."""

#: Largest tolerated offset of the mean daily ghi profile from clear sky [h] (see module doc).
MAX_OFFSET_H: Final = 0.5
#: ``ghi`` above this [W m-2] with the sun below the horizon all hour is "night sunlight".
NIGHT_GHI_W_M2: Final = 10.0
#: Largest tolerated share of sunlit night hours [-] (0 in every reference file).
MAX_NIGHT_SHARE: Final = 0.005
#: Shortest set checked [h]: one full day.
MIN_HOURS: Final = 24


@dataclass(frozen=True)
class SunReport:
    """Outcome of :func:`sun_consistency`.

    Attributes
    ----------
    offset_h : float
        Offset of the mean daily ``ghi`` profile from clear sky [h]; positive: later than the
        sun. NaN when not estimated (set too short or without daylight).
    night_hours : int
        Hours with ``ghi`` > :data:`NIGHT_GHI_W_M2` while the sun is below the horizon.
    dark_hours : int
        Hours with the sun below the horizon all hour.
    """

    offset_h: float
    night_hours: int
    dark_hours: int

    @property
    def flagged(self) -> bool:
        """True if the offset or the sunlit night hours exceed the thresholds."""
        off = bool(np.isfinite(self.offset_h) and abs(self.offset_h) >= MAX_OFFSET_H)
        return off or self.night_hours > MAX_NIGHT_SHARE * max(self.dark_hours, 1)


def _harmonic_phase(values: np.ndarray, hour: np.ndarray) -> float:
    """Phase [rad] of the 24 h harmonic of the mean profile per hour of day."""
    profile = np.bincount(hour, weights=values, minlength=24) / np.maximum(
        np.bincount(hour, minlength=24), 1
    )
    angle = 2.0 * np.pi * (np.arange(24) + 0.5) / 24.0  # interval midpoints
    return float(np.angle(np.sum(profile * np.exp(1j * angle))))


def sun_consistency(ds: xr.Dataset) -> SunReport:
    """Measure how far the irradiance of a weather set is from the sun's position.

    Parameters
    ----------
    ds : xarray.Dataset
        Canonical weather set: hourly ``time`` (UTC, interval start), ``ghi`` [W m-2], global
        attributes ``latitude``, ``longitude`` [deg] and optionally ``altitude`` [m].

    Returns
    -------
    SunReport
        Profile offset [h] and sunlit night hours (see the module docstring).
    """
    start = pd.DatetimeIndex(ds["time"].values).tz_localize("UTC")
    lat, lon = float(ds.attrs["latitude"]), float(ds.attrs["longitude"])
    alt = float(ds.attrs.get("altitude", 0.0))
    ghi = np.asarray(ds["ghi"].values, dtype=float)
    edges = start.append(start[-1:] + pd.Timedelta(hours=1))
    mid = start + pd.Timedelta(minutes=30)
    at_edges = pvlib.solarposition.get_solarposition(edges, lat, lon, altitude=alt)
    at_mid = pvlib.solarposition.get_solarposition(mid, lat, lon, altitude=alt)
    elev_edges = at_edges["apparent_elevation"].to_numpy()
    elev_mid = at_mid["apparent_elevation"].to_numpy()
    highest = np.maximum(np.maximum(elev_edges[:-1], elev_edges[1:]), elev_mid)
    dark = highest < 0.0
    night_hours = int(np.sum(dark & (ghi > NIGHT_GHI_W_M2)))
    clear = pvlib.clearsky.haurwitz(at_mid["apparent_zenith"])["ghi"].to_numpy(dtype=float)
    offset = float("nan")
    if ghi.size >= MIN_HOURS and ghi.sum() > 0.0 and clear.sum() > 0.0:
        hour = start.hour.to_numpy()
        delta = _harmonic_phase(ghi, hour) - _harmonic_phase(clear, hour)
        offset = float((delta + np.pi) % (2.0 * np.pi) - np.pi) * 24.0 / (2.0 * np.pi)
    return SunReport(offset, night_hours, int(dark.sum()))


def check_sun(ds: xr.Dataset, source: str, mode: SunCheck = "warn") -> SunReport | None:
    """Warn about, or refuse, a weather set whose irradiance is out of step with the sun.

    Parameters
    ----------
    ds : xarray.Dataset
        Canonical weather set (see :func:`sun_consistency`).
    source : str
        File name used in the message.
    mode : {"warn", "refuse", "off"}
        ``warn`` (default): log one warning line; ``refuse``: raise; ``off``: do nothing (for
        a file known to be right, e.g. a site inside the polar circle with odd profiles).

    Returns
    -------
    SunReport or None
        The measurement, or None when ``mode`` is ``off``.

    Raises
    ------
    DataError
        With ``mode="refuse"``, one line naming ``source``, the estimated offset [h] and the
        number of sunlit night hours, if the set is flagged (:attr:`SunReport.flagged`).
    """
    if mode == "off":
        return None
    report = sun_consistency(ds)
    if not report.flagged:
        return report
    offset = report.offset_h
    shift = f"{offset:+.1f} h" if np.isfinite(offset) else "unknown"
    fix = (
        f"shift the time labels by {-offset:+.1f} h to UTC (local time without a time zone?)"
        if np.isfinite(offset) and abs(offset) >= MAX_OFFSET_H
        else "check the time zone of the labels"
    )
    text = (
        f"{source}: irradiance out of step with the sun at ({ds.attrs['latitude']}, "
        f"{ds.attrs['longitude']}): mean daily 'ghi' profile offset {shift} from clear sky "
        f"(pvlib), {report.night_hours} hour(s) with ghi > {NIGHT_GHI_W_M2:g} W m-2 while the "
        f"sun is below the horizon; {fix}, or correct the site coordinates"
    )
    if mode == "refuse":
        raise DataError(f"{text}; or set weather.sun_check: warn (or off) to use it anyway")
    logger.warning("%s (weather.sun_check: refuse makes this an error)", text)
    return report
