"""Psychrometrics of outdoor air: wet-bulb temperature and air density.

Two implementations of the thermodynamic wet-bulb temperature are offered:

* :func:`wet_bulb_psychrolib` calls :func:`psychrolib.GetTWetBulbFromRelHum` point by point. It is
  the reference (PsychroLib, Meyer & Thevenard 2019) and takes about 0.5 s for 8760 hours.
* :func:`wet_bulb` solves the same ASHRAE equations with a vectorised bisection in numpy. It is
  about two orders of magnitude faster and agrees with the reference to better than 1e-3 K
  (checked in ``tests/test_campus.py``). :func:`gridtwin.campus.campus_load` uses it.

Both use the ASHRAE Handbook - Fundamentals (2017), chapter 1 formulation: saturation vapour
pressure over ice / liquid water (eqns 5 and 6, switched at the triple point), humidity ratio
(eqn 20 and 22) and the wet-bulb psychrometric relation (eqns 33 and 35).

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

#: Standard sea-level atmospheric pressure [Pa].
P_STANDARD: Final = 101325.0
#: Specific gas constant of dry air [J kg-1 K-1] (ASHRAE Handbook - Fundamentals 2017, ch. 1).
R_DRY_AIR: Final = 287.042
#: Ratio of molar masses of water vapour and dry air [-] (ASHRAE 2017, ch. 1, eqn 20).
_EPSILON: Final = 0.621945
#: Lower bound of the humidity ratio [kg kg-1], as in PsychroLib.
_MIN_HUM_RATIO: Final = 1e-7
#: Triple point of water [degC]; switch between the ice and water saturation curves.
_TRIPLE_POINT: Final = 0.01
#: Bisection stops when the bracket is narrower than this [K].
_TOLERANCE: Final = 1e-6

ArrayLike = npt.ArrayLike | xr.DataArray


def _wrap(result: np.ndarray, *inputs: Any) -> Any:
    """Return ``result`` as a DataArray shaped like the first DataArray input, else as ndarray."""
    for x in inputs:
        if isinstance(x, xr.DataArray):
            template = xr.broadcast(*[i for i in inputs if isinstance(i, xr.DataArray)])[0]
            return template.copy(data=result)
    return result


def saturation_vapour_pressure(temp: npt.ArrayLike) -> np.ndarray:
    """Saturation vapour pressure over water (above 0.01 degC) or ice (below).

    Parameters
    ----------
    temp : numeric
        Temperature [degC], within [-100, 200].

    Returns
    -------
    numpy.ndarray
        Saturation vapour pressure [Pa].

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017), ch. 1, eqns 5 and 6 (Hyland & Wexler).
    """
    t = np.asarray(temp, dtype=float)
    tk = t + 273.15
    ln_ice = (
        -5.6745359e03 / tk
        + 6.3925247
        - 9.677843e-03 * tk
        + 6.2215701e-07 * tk**2
        + 2.0747825e-09 * tk**3
        - 9.484024e-13 * tk**4
        + 4.1635019 * np.log(tk)
    )
    ln_water = (
        -5.8002206e03 / tk
        + 1.3914993
        - 4.8640239e-02 * tk
        + 4.1764768e-05 * tk**2
        - 1.4452093e-08 * tk**3
        + 6.5459673 * np.log(tk)
    )
    return np.exp(np.where(t <= _TRIPLE_POINT, ln_ice, ln_water))


def _dln_saturation_vapour_pressure(temp: np.ndarray) -> np.ndarray:
    """Derivative of ln(saturation vapour pressure) with temperature [K-1] (of eqns 5 and 6)."""
    tk = temp + 273.15
    d_ice = (
        5.6745359e03 / tk**2
        - 9.677843e-03
        + 2 * 6.2215701e-07 * tk
        + 3 * 2.0747825e-09 * tk**2
        - 4 * 9.484024e-13 * tk**3
        + 4.1635019 / tk
    )
    d_water = (
        5.8002206e03 / tk**2
        - 4.8640239e-02
        + 2 * 4.1764768e-05 * tk
        - 3 * 1.4452093e-08 * tk**2
        + 6.5459673 / tk
    )
    return np.where(temp <= _TRIPLE_POINT, d_ice, d_water)


def dew_point(temp_air: ArrayLike, vapour_pressure: ArrayLike) -> Any:
    """Dew-point temperature from the partial pressure of water vapour.

    Inverts :func:`saturation_vapour_pressure` with Newton-Raphson on its logarithm (as PsychroLib
    ``GetTDewPointFromVapPres``), iterated to 1e-9 K, bounded by [-100, 200] degC and by the dry
    bulb.

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Dry-bulb air temperature [degC].
    vapour_pressure : numeric or xarray.DataArray
        Partial pressure of water vapour [Pa], positive.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Dew-point temperature [degC].
    """
    t_db, p_w = np.broadcast_arrays(
        np.asarray(temp_air, dtype=float), np.asarray(vapour_pressure, dtype=float)
    )
    ln_pw = np.log(p_w)
    t = t_db.copy()
    for _ in range(100):
        step = (np.log(saturation_vapour_pressure(t)) - ln_pw) / _dln_saturation_vapour_pressure(t)
        t_new = np.clip(t - step, -100.0, 200.0)
        done = np.all(np.abs(t_new - t) <= 1e-9)
        t = t_new
        if done:
            break
    return _wrap(np.minimum(t, t_db), temp_air, vapour_pressure)


def _hum_ratio_from_wet_bulb(t_db: np.ndarray, t_wb: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Humidity ratio [kg kg-1] from dry bulb, wet bulb [degC] and pressure [Pa] (eqns 33/35)."""
    p_ws = saturation_vapour_pressure(t_wb)
    w_s = np.maximum(_EPSILON * p_ws / (p - p_ws), _MIN_HUM_RATIO)
    above = ((2501.0 - 2.326 * t_wb) * w_s - 1.006 * (t_db - t_wb)) / (
        2501.0 + 1.86 * t_db - 4.186 * t_wb
    )
    below = ((2830.0 - 0.24 * t_wb) * w_s - 1.006 * (t_db - t_wb)) / (
        2830.0 + 1.86 * t_db - 2.1 * t_wb
    )
    return np.maximum(np.where(t_wb >= 0.0, above, below), _MIN_HUM_RATIO)


def wet_bulb(
    temp_air: ArrayLike, relative_humidity: ArrayLike, pressure: ArrayLike = P_STANDARD
) -> Any:
    """Thermodynamic wet-bulb temperature, vectorised.

    Solves the ASHRAE psychrometric relation for the wet-bulb temperature with a bisection on
    all points at once (the method of PsychroLib's ``GetTWetBulbFromHumRatio``: bracket
    [dew point, dry bulb], iterated here to a 1e-6 K bracket instead of 1e-3 K).

    Near 0 degC wet bulb the ASHRAE relation switches from the ice to the water form and is
    discontinuous; there the result, like PsychroLib's, depends on the bracket and may be off by
    up to about 0.5 K. Using PsychroLib's bracket keeps the two within its tolerance.

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Dry-bulb air temperature [degC], within [-100, 200].
    relative_humidity : numeric or xarray.DataArray
        Relative humidity [%], within [0, 100].
    pressure : numeric or xarray.DataArray
        Atmospheric pressure [Pa]. Default 101325 Pa.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Wet-bulb temperature [degC]; a DataArray if any input is one.

    Raises
    ------
    ValueError
        If an input is NaN or outside its valid range.

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017), ch. 1, eqns 5, 6, 20, 22, 33 and 35;
    Meyer & Thevenard (2019), doi:10.21105/joss.01137.

    Examples
    --------
    >>> round(float(wet_bulb(30.0, 50.0)), 2)
    22.0
    """
    t_db, rh, p = np.broadcast_arrays(
        np.asarray(temp_air, dtype=float),
        np.asarray(relative_humidity, dtype=float),
        np.asarray(pressure, dtype=float),
    )
    _check_inputs(t_db, rh, p)
    p_w = rh / 100.0 * saturation_vapour_pressure(t_db)
    w = np.maximum(_EPSILON * p_w / (p - p_w), _MIN_HUM_RATIO)
    lo = np.asarray(dew_point(t_db, p * w / (_EPSILON + w)))
    hi = t_db.copy()
    while np.any(hi - lo > _TOLERANCE):
        mid = 0.5 * (lo + hi)
        too_wet = _hum_ratio_from_wet_bulb(t_db, mid, p) > w
        hi = np.where(too_wet, mid, hi)
        lo = np.where(too_wet, lo, mid)
    return _wrap(0.5 * (lo + hi), temp_air, relative_humidity, pressure)


def wet_bulb_psychrolib(
    temp_air: ArrayLike, relative_humidity: ArrayLike, pressure: ArrayLike = P_STANDARD
) -> Any:
    """Thermodynamic wet-bulb temperature with PsychroLib, point by point (reference).

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Dry-bulb air temperature [degC].
    relative_humidity : numeric or xarray.DataArray
        Relative humidity [%], within [0, 100].
    pressure : numeric or xarray.DataArray
        Atmospheric pressure [Pa]. Default 101325 Pa.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Wet-bulb temperature [degC] (PsychroLib tolerance 1e-3 K).

    References
    ----------
    Meyer & Thevenard (2019), doi:10.21105/joss.01137.
    """
    psychrolib.SetUnitSystem(psychrolib.SI)
    t_db, rh, p = np.broadcast_arrays(
        np.asarray(temp_air, dtype=float),
        np.asarray(relative_humidity, dtype=float),
        np.asarray(pressure, dtype=float),
    )
    _check_inputs(t_db, rh, p)
    out = np.empty(t_db.shape)
    for idx in np.ndindex(t_db.shape):
        out[idx] = psychrolib.GetTWetBulbFromRelHum(
            float(t_db[idx]), float(rh[idx]) / 100.0, float(p[idx])
        )
    return _wrap(out, temp_air, relative_humidity, pressure)


def air_density(temp_air: ArrayLike, pressure: ArrayLike = P_STANDARD) -> Any:
    """Density of (dry) air from the ideal-gas law.

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Air temperature [degC].
    pressure : numeric or xarray.DataArray
        Atmospheric pressure [Pa].

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Air density [kg m-3] (1.293 kg m-3 at 0 degC and 101325 Pa, as used by
        Lei & Masanet 2020).
    """
    t = np.asarray(temp_air, dtype=float)
    p = np.asarray(pressure, dtype=float)
    return _wrap(p / (R_DRY_AIR * (t + 273.15)), temp_air, pressure)


def standard_pressure(altitude: float) -> float:
    """Standard-atmosphere pressure at an altitude.

    Parameters
    ----------
    altitude : float
        Altitude above mean sea level [m].

    Returns
    -------
    float
        Pressure [Pa] (ASHRAE Handbook - Fundamentals 2017, ch. 1, eqn 3).
    """
    return P_STANDARD * (1.0 - 2.25577e-05 * altitude) ** 5.2559


def _check_inputs(t_db: np.ndarray, rh: np.ndarray, p: np.ndarray) -> None:
    for name, arr, lo, hi in (
        ("temp_air", t_db, -100.0, 200.0),
        ("relative_humidity", rh, 0.0, 100.0),
        ("pressure", p, 1.0e4, 1.2e5),
    ):
        bad = ~((arr >= lo) & (arr <= hi))  # also catches NaN
        if np.any(bad):
            first = np.flatnonzero(bad.ravel())[0]
            raise ValueError(
                f"{name} must lie within [{lo}, {hi}]; got {arr.ravel()[first]!r} "
                f"at flat index {first}"
            )
