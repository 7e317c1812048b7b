"""Psychrometrics of outdoor air through PsychroLib: wet bulb, humidity, air density.

Thin, array-aware wrappers around PsychroLib (SI units), which implements the ASHRAE Handbook -
Fundamentals (2017), chapter 1 formulation. The functions take numpy arrays or xarray
DataArrays (and return a DataArray when given one); 8760 hours take about 0.2 s.

References
----------
.. [1] Meyer, D., Thevenard, D. (2019). PsychroLib: a library of psychrometric functions to
   calculate thermodynamic properties of air. Journal of Open Source Software 4(33), 1137.
   doi:10.21105/joss.01137
.. [2] ASHRAE (2017). ASHRAE Handbook - Fundamentals, chapter 1 Psychrometrics.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import psychrolib
import xarray as xr

psychrolib.SetUnitSystem(psychrolib.SI)

#: Standard sea-level atmospheric pressure [Pa].
P_STANDARD: Final = 101325.0

ArrayLike = npt.ArrayLike | xr.DataArray

_wet_bulb = np.frompyfunc(psychrolib.GetTWetBulbFromRelHum, 3, 1)
_rel_hum_from_dew = np.frompyfunc(psychrolib.GetRelHumFromTDewPoint, 2, 1)
_dry_air_density = np.frompyfunc(psychrolib.GetDryAirDensity, 2, 1)


def like_inputs(result: np.ndarray, *inputs: Any) -> Any:
    """Return ``result`` as a DataArray shaped like the DataArray inputs, else as ndarray."""
    arrays = [i for i in inputs if isinstance(i, xr.DataArray)]
    if arrays:
        return xr.broadcast(*arrays)[0].copy(data=result)
    return result


def _floats(*inputs: ArrayLike) -> list[np.ndarray]:
    return list(np.broadcast_arrays(*[np.asarray(x, dtype=float) for x in inputs]))


def _check(name: str, arr: np.ndarray, lo: float, hi: float) -> None:
    bad = ~((arr >= lo) & (arr <= hi))  # also catches NaN
    if np.any(bad):
        first = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"{name} must lie within [{lo}, {hi}]; got {arr.ravel()[first]!r} at flat index {first}"
        )


def wet_bulb(
    temp_air: ArrayLike, relative_humidity: ArrayLike, pressure: ArrayLike = P_STANDARD
) -> Any:
    """Thermodynamic wet-bulb temperature (PsychroLib ``GetTWetBulbFromRelHum``).

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Dry-bulb air temperature [degC], within [-100, 200].
    relative_humidity : numeric or xarray.DataArray
        Relative humidity [%], within [0, 100].
    pressure : numeric or xarray.DataArray
        Atmospheric pressure [Pa], within [1e4, 1.2e5]. Default 101325 Pa.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Wet-bulb temperature [degC] (PsychroLib's bisection tolerance, 1e-3 K); broadcast shape
        of the inputs.

    Raises
    ------
    ValueError
        If an input is NaN or outside its valid range.

    References
    ----------
    Meyer & Thevenard (2019), doi:10.21105/joss.01137; ASHRAE Handbook - Fundamentals (2017),
    ch. 1, eqns 33 and 35.

    Examples
    --------
    >>> round(float(wet_bulb(30.0, 50.0)), 1)
    22.0
    """
    t_db, rh, p = _floats(temp_air, relative_humidity, pressure)
    _check("temp_air", t_db, -100.0, 200.0)
    _check("relative_humidity", rh, 0.0, 100.0)
    _check("pressure", p, 1.0e4, 1.2e5)
    out = np.asarray(_wet_bulb(t_db, rh / 100.0, p), dtype=float)
    return like_inputs(out, temp_air, relative_humidity, pressure)


def relative_humidity_from_dew_point(temp_air: ArrayLike, temp_dew: ArrayLike) -> Any:
    """Relative humidity from dry-bulb and dew-point temperature (PsychroLib).

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Dry-bulb air temperature [degC].
    temp_dew : numeric or xarray.DataArray
        Dew-point temperature [degC], at most ``temp_air``.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Relative humidity [%].

    Raises
    ------
    ValueError
        If the dew point exceeds the dry bulb or an input is NaN.
    """
    t_db, t_dp = _floats(temp_air, temp_dew)
    _check("temp_air", t_db, -100.0, 200.0)
    _check("temp_dew - temp_air", t_dp - t_db, -300.0, 0.0)
    out = 100.0 * np.asarray(_rel_hum_from_dew(t_db, t_dp), dtype=float)
    return like_inputs(out, temp_air, temp_dew)


def air_density(temp_air: ArrayLike, pressure: ArrayLike = P_STANDARD) -> Any:
    """Density of dry air (PsychroLib ``GetDryAirDensity``, ideal gas).

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Air temperature [degC].
    pressure : numeric or xarray.DataArray
        Atmospheric pressure [Pa].

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Air density [kg m-3] (about 1.293 kg m-3 at 0 degC and 101325 Pa, the value used by
        Lei & Masanet 2020).
    """
    t, p = _floats(temp_air, pressure)
    return like_inputs(np.asarray(_dry_air_density(t, p), dtype=float), temp_air, pressure)


def standard_pressure(altitude: float) -> float:
    """Standard-atmosphere pressure at an altitude (PsychroLib ``GetStandardAtmPressure``).

    Parameters
    ----------
    altitude : float
        Altitude above mean sea level [m].

    Returns
    -------
    float
        Pressure [Pa] (ASHRAE Handbook - Fundamentals 2017, ch. 1, eqn 3).
    """
    return float(psychrolib.GetStandardAtmPressure(float(altitude)))


_hum_ratio = np.frompyfunc(psychrolib.GetHumRatioFromRelHum, 3, 1)
_moist_enthalpy = np.frompyfunc(psychrolib.GetMoistAirEnthalpy, 2, 1)
_sat_hum_ratio = np.frompyfunc(psychrolib.GetSatHumRatio, 2, 1)
_sat_enthalpy = np.frompyfunc(psychrolib.GetSatAirEnthalpy, 2, 1)


def humidity_ratio(
    temp_air: npt.ArrayLike, relative_humidity: npt.ArrayLike, pressure: npt.ArrayLike = P_STANDARD
) -> np.ndarray:
    """Humidity ratio of moist air (PsychroLib ``GetHumRatioFromRelHum``).

    Parameters
    ----------
    temp_air : numeric
        Dry-bulb temperature [degC].
    relative_humidity : numeric
        Relative humidity [%], within [0, 100].
    pressure : numeric
        Atmospheric pressure [Pa].

    Returns
    -------
    numpy.ndarray
        Humidity ratio [kg water per kg dry air] (ASHRAE Handbook - Fundamentals 2017, ch. 1,
        eqn 20); broadcast shape of the inputs.
    """
    t, rh, p = _floats(temp_air, relative_humidity, pressure)
    _check("relative_humidity", rh, 0.0, 100.0)
    return np.asarray(_hum_ratio(t, rh / 100.0, p), dtype=float)


def moist_air_enthalpy(temp_air: npt.ArrayLike, hum_ratio: npt.ArrayLike) -> np.ndarray:
    """Specific enthalpy of moist air (PsychroLib ``GetMoistAirEnthalpy``).

    Parameters
    ----------
    temp_air : numeric
        Dry-bulb temperature [degC].
    hum_ratio : numeric
        Humidity ratio [kg kg-1].

    Returns
    -------
    numpy.ndarray
        Enthalpy [kJ per kg dry air] (ASHRAE Handbook - Fundamentals 2017, ch. 1, eqn 32).
    """
    t, w = _floats(temp_air, hum_ratio)
    return np.asarray(_moist_enthalpy(t, w), dtype=float) / 1000.0


def saturation_humidity_ratio(temp_air: npt.ArrayLike, pressure: npt.ArrayLike) -> np.ndarray:
    """Humidity ratio of saturated air (PsychroLib ``GetSatHumRatio``) [kg kg-1].

    Parameters
    ----------
    temp_air : numeric
        Dry-bulb temperature [degC].
    pressure : numeric
        Atmospheric pressure [Pa].
    """
    t, p = _floats(temp_air, pressure)
    return np.asarray(_sat_hum_ratio(t, p), dtype=float)


def _saturation_table(pressure: float) -> tuple[np.ndarray, np.ndarray]:
    """Saturated-air enthalpy [J/kg] on a 1 K grid from -60 to 80 degC at ``pressure``."""
    grid = np.arange(-60.0, 81.0, 1.0)
    return grid, np.asarray(_sat_enthalpy(grid, pressure), dtype=float)


def saturation_temperature(
    enthalpy: npt.ArrayLike, pressure: npt.ArrayLike = P_STANDARD, tol: float = 1e-6
) -> np.ndarray:
    """Temperature of saturated air with a given enthalpy: the leaving state of a cooling
    tower's or evaporative cooler's air in the saturated-outlet model.

    Newton's method on PsychroLib's ``GetSatAirEnthalpy`` (monotonic and convex in
    temperature), started from a 1 K table of it at the mean pressure.

    Parameters
    ----------
    enthalpy : numeric
        Moist-air enthalpy [kJ per kg dry air].
    pressure : numeric
        Atmospheric pressure [Pa].
    tol : float
        Largest last Newton step [K].

    Returns
    -------
    numpy.ndarray
        Saturation temperature [degC].

    Raises
    ------
    ValueError
        An enthalpy outside the saturated enthalpies of -60 to 80 degC.

    Examples
    --------
    >>> round(float(saturation_temperature(57.41898)), 3)
    20.0
    """
    h, p = _floats(enthalpy, pressure)
    h = h * 1000.0
    grid, table = _saturation_table(float(np.mean(p)))
    h_lo = np.asarray(_sat_enthalpy(np.full(h.shape, -60.0), p), dtype=float)
    h_hi = np.asarray(_sat_enthalpy(np.full(h.shape, 80.0), p), dtype=float)
    bad = ~((h >= h_lo) & (h <= h_hi))
    if np.any(bad):
        first = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"enthalpy {h.ravel()[first] / 1000.0!r} kJ/kg at flat index {first} is outside "
            "the saturated air of -60 to 80 degC"
        )
    t = np.interp(h, table, grid)
    delta = 1e-3
    for _ in range(50):
        f = np.asarray(_sat_enthalpy(t, p), dtype=float)
        slope = (np.asarray(_sat_enthalpy(t + delta, p), dtype=float) - f) / delta
        step = (f - h) / slope
        t = np.clip(t - step, -60.0, 80.0)
        if float(np.max(np.abs(step))) < tol:
            return t
    raise ValueError("saturation_temperature: Newton's method did not converge")
