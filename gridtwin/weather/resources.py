"""Resource conversions: weather set -> PV and wind capacity factors [p.u.].

Both conversions are thin wrappers around established libraries: the PV chain is the PVWatts
model of Dobos (2014) assembled from pvlib functions, for fixed-tilt modules or a single-axis
tracker (the mounting picks the module orientation from :data:`MOUNTINGS`, the rest of the chain
is shared); the wind conversion is windpowerlib's
``ModelChain`` with the power curves of its bundled turbine library (OpenEnergy Database).

Time convention: the weather ``time`` labels the start of an hourly interval in UTC, and the
irradiance is the mean over the interval; the sun is therefore positioned at the interval
midpoint (``time + 30 min``), as PVWatts does for TMY hour labels.
"""

from __future__ import annotations

import difflib
import logging
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pvlib
import windpowerlib
import xarray as xr
from numpy.typing import ArrayLike

from gridtwin.config import OffwindConfig, SolarConfig, WindConfig
from gridtwin.exceptions import ConfigError, DataError

logger = logging.getLogger(__name__)

#: SAPM cell-temperature parameters used for the PV chain (open rack, glass/polymer module).
SAPM_PARAMS: dict[str, float] = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][
    "open_rack_glass_polymer"
]

#: Height assumed for a weather set's wind speed when the variable has no ``height_m`` [m].
DEFAULT_WIND_HEIGHT_M = 10.0
#: Height of ``temp_air`` in a canonical weather set [m].
TEMPERATURE_HEIGHT_M = 2.0


#: Largest hub height as a multiple of the wind measurement height before a warning [-]. The
#: power and log laws describe the surface layer, roughly the lowest 10 % of the boundary layer
#: (about 50-150 m by day); extrapolating a 10 m anemometer to a 100-120 m hub (ratio <= 12,
#: the usual case of typical-year files, whose wind is at 10 m) is the common practice whose
#: errors are reviewed by Gualtieri (2019), doi:10.1016/j.rser.2018.12.015; a 2 m or 5 m
#: measurement taken to hub height (ratio 20-60) is beyond it: use 10 m or hub-height data.
MAX_EXTRAPOLATION_RATIO = 12.0


def check_height_law(cfg: WindConfig, height_m: float, source: str) -> None:
    """Refuse a log law whose roughness reaches the measurement height; warn on far
    extrapolation.

    Parameters
    ----------
    cfg : WindConfig
        ``height_law``, ``roughness_length`` [m] and ``hub_height`` [m].
    height_m : float
        Height of the weather set's wind speed [m].
    source : str
        Weather file name for the messages.

    Raises
    ------
    ConfigError
        If ``height_m`` <= 0, or with the logarithmic law if ``roughness_length`` >=
        ``height_m`` (the profile ``ln(z / z0)`` is zero or negative there: no wind).
    """
    section = "offwind" if isinstance(cfg, OffwindConfig) else "wind"
    if not height_m > 0.0:
        raise DataError(
            f"{source}: variable 'wind_speed' has height_m = {height_m:g} m; a measurement "
            "height must be > 0 m"
        )
    if cfg.height_law == "logarithmic" and cfg.roughness_length >= height_m:
        raise ConfigError(
            f"field '{section}.roughness_length': {cfg.roughness_length:g} m is at or above the "
            f"wind measurement height {height_m:g} m of {source}; the log law needs a roughness "
            f"length well below it: lower {section}.roughness_length or use "
            f"{section}.height_law: hellman"
        )
    ratio = cfg.hub_height / height_m
    if ratio > MAX_EXTRAPOLATION_RATIO:
        logger.warning(
            "%s: wind speed measured at %g m is extrapolated to the %g m hub height "
            "(%s.hub_height, x%.0f, beyond x%g) with the %s law; the capacity factor is "
            "uncertain: use wind data at 10 m or nearer the hub (e.g. ERA5 at 100 m)",
            source,
            height_m,
            cfg.hub_height,
            section,
            ratio,
            MAX_EXTRAPOLATION_RATIO,
            cfg.height_law,
        )


class TurbineNotFoundError(ConfigError, DataError):
    """The turbine type is not in windpowerlib's turbine library (or has no power curve).

    It is both a :class:`ConfigError` (field ``wind.turbine`` of the study) and a
    :class:`DataError` (the turbine library lacks the data).
    """


#: Module orientation for one mounting: ``f(cfg, apparent_zenith, solar_azimuth)`` [deg] ->
#: arrays ``surface_tilt``, ``surface_azimuth``, ``aoi`` [deg] (and mounting-specific extras).
Orientation = Callable[[SolarConfig, np.ndarray, np.ndarray], dict[str, np.ndarray]]


def fixed_orientation(
    cfg: SolarConfig, apparent_zenith: np.ndarray, solar_azimuth: np.ndarray
) -> dict[str, np.ndarray]:
    """Orientation of fixed-tilt modules and the sun's angle of incidence on them.

    Parameters
    ----------
    cfg : SolarConfig
        ``tilt`` [deg] and ``azimuth`` [deg east of north].
    apparent_zenith, solar_azimuth : numpy.ndarray
        Apparent solar zenith [deg] and solar azimuth [deg east of north].

    Returns
    -------
    dict of numpy.ndarray
        ``surface_tilt`` [deg], ``surface_azimuth`` [deg east of north] and ``aoi`` [deg], the
        angle of incidence of the beam on the module plane (may exceed 90 at night).
    """
    shape = np.shape(apparent_zenith)
    aoi = pvlib.irradiance.aoi(cfg.tilt, cfg.azimuth, apparent_zenith, solar_azimuth)
    return {
        "surface_tilt": np.full(shape, cfg.tilt),
        "surface_azimuth": np.full(shape, cfg.azimuth),
        "aoi": np.asarray(aoi, dtype=float),
    }


def single_axis_orientation(
    cfg: SolarConfig, apparent_zenith: np.ndarray, solar_azimuth: np.ndarray
) -> dict[str, np.ndarray]:
    """Orientation of modules on a single-axis tracker, with optional backtracking.

    The rotation is the true-tracking angle (the projection of the sun vector on the plane
    normal to the axis, [1]_ [2]_), limited to +-``max_angle`` and, with ``backtrack``, reduced
    so that rows at ground coverage ratio ``gcr`` do not shade each other [1]_ [3]_; computed by
    :func:`pvlib.tracking.singleaxis`. With the sun below the horizon (apparent zenith > 90 deg)
    pvlib returns no angle; the tracker is then taken as stowed flat (rotation 0), so every
    output is finite.

    Parameters
    ----------
    cfg : SolarConfig
        ``axis_tilt`` [deg], ``axis_azimuth`` [deg east of north], ``max_angle`` [deg],
        ``backtrack`` [-] and ``gcr`` [-].
    apparent_zenith, solar_azimuth : numpy.ndarray
        Apparent solar zenith [deg] and solar azimuth [deg east of north].

    Returns
    -------
    dict of numpy.ndarray
        ``tracker_theta`` [deg] (rotation from the stow position, a right-handed rotation about
        the axis: positive faces west for a south-pointing axis), ``surface_tilt`` [deg],
        ``surface_azimuth`` [deg east of north] and ``aoi`` [deg]; all finite.

    References
    ----------
    .. [1] Lorenzo, E., Narvarte, L. and Munoz, J. (2011). Tracking and back-tracking.
       Progress in Photovoltaics 19(6), 747-753. https://doi.org/10.1002/pip.1085
    .. [2] Marion, W. F. and Dobos, A. P. (2013). Rotation Angle for the Optimum Tracking of
       One-Axis Trackers. NREL/TP-6A20-58891. https://doi.org/10.2172/1089596
    .. [3] Anderson, K. and Mikofski, M. (2020). Slope-Aware Backtracking for Single-Axis
       Trackers. NREL/TP-5K00-76626. https://doi.org/10.2172/1660126
    """
    track = pvlib.tracking.singleaxis(
        apparent_zenith,
        solar_azimuth,
        axis_tilt=cfg.axis_tilt,
        axis_azimuth=cfg.axis_azimuth,
        max_angle=cfg.max_angle,
        backtrack=cfg.backtrack,
        gcr=cfg.gcr,
    )
    theta = np.nan_to_num(np.asarray(track["tracker_theta"], dtype=float), nan=0.0)
    surface = pvlib.tracking.calc_surface_orientation(theta, cfg.axis_tilt, cfg.axis_azimuth)
    tilt = np.asarray(surface["surface_tilt"], dtype=float)
    azimuth = np.asarray(surface["surface_azimuth"], dtype=float)
    aoi = pvlib.irradiance.aoi(tilt, azimuth, apparent_zenith, solar_azimuth)
    return {
        "tracker_theta": theta,
        "surface_tilt": tilt,
        "surface_azimuth": azimuth,
        "aoi": np.asarray(aoi, dtype=float),
    }


#: Module orientation function of each ``SolarConfig.mounting``.
MOUNTINGS: dict[str, Orientation] = {
    "fixed": fixed_orientation,
    "single_axis": single_axis_orientation,
}


def pvwatts_chain(
    times: pd.DatetimeIndex,
    ghi: ArrayLike,
    dni: ArrayLike,
    dhi: ArrayLike,
    temp_air: ArrayLike,
    wind_speed: ArrayLike,
    latitude: float,
    longitude: float,
    altitude: float,
    cfg: SolarConfig,
    pressure: ArrayLike | None = None,
    albedo: ArrayLike | None = None,
) -> pd.DataFrame:
    """PVWatts-style PV chain on plain inputs, per unit of AC inverter rating.

    Steps: solar position at the interval midpoint (NREL SPA, [1]_); module orientation for
    ``cfg.mounting`` (:data:`MOUNTINGS`: fixed tilt, or a single-axis tracker with
    backtracking, see :func:`single_axis_orientation`); plane-of-array irradiance with the
    Perez 1990 sky-diffuse model [2]_; angle-of-incidence loss of the beam component with the
    physical (Fresnel/Snell + glass absorption) model in PVWatts' glass parameters n = 1.526,
    K = 4 m-1, L = 2 mm [3]_ [4]_; cell temperature with the SAPM model, open rack
    glass/polymer parameters [5]_; DC power with the PVWatts linear temperature model and the DC
    system losses; AC power with the PVWatts inverter model [3]_, which clips at the AC rating.
    Intervals whose midpoint has the sun below the horizon (apparent zenith >= 90 deg) give 0.

    Parameters
    ----------
    times : pandas.DatetimeIndex
        Start of each hourly interval; tz-naive stamps are taken as UTC [-].
    ghi, dni, dhi : array_like
        Global horizontal, direct normal and diffuse horizontal irradiance, interval means
        [W m-2].
    temp_air : array_like
        Ambient dry-bulb temperature [degC].
    wind_speed : array_like
        Wind speed at 10 m [m s-1].
    latitude, longitude : float
        Site coordinates [deg north, deg east].
    altitude : float
        Site elevation above sea level [m].
    cfg : SolarConfig
        Plant parameters: ``mounting``; ``tilt`` [deg], ``azimuth`` [deg] (fixed);
        ``axis_tilt`` [deg], ``axis_azimuth`` [deg], ``max_angle`` [deg], ``backtrack``,
        ``gcr`` [-] (single axis); ``dc_ac_ratio`` [-], ``losses_percent`` [%],
        ``inverter_efficiency`` [-], ``gamma_pdc`` [1/degC], ``albedo`` [-] (used when
        ``albedo`` is None).
    pressure : array_like, optional
        Surface air pressure [Pa]; default: from ``altitude`` (standard atmosphere).
    albedo : array_like, optional
        Ground albedo [-]; default ``cfg.albedo``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``times`` with columns ``solar_zenith`` and ``solar_azimuth`` [deg]
        (apparent, at the midpoint), ``surface_tilt`` [deg], ``surface_azimuth`` [deg],
        ``aoi`` [deg] (plus ``tracker_theta`` [deg] for a single-axis tracker),
        ``poa_global`` [W m-2], ``poa_effective`` [W m-2] (after the incidence-angle loss),
        ``temp_cell`` [degC], ``p_dc`` and ``p_ac`` [p.u. of the AC rating]; ``p_ac`` is in
        [0, 1]. No value is NaN.

    References
    ----------
    .. [1] Reda, I. and Andreas, A. (2004). Solar position algorithm for solar radiation
       applications. Solar Energy 76(5), 577-589. https://doi.org/10.1016/j.solener.2003.12.003
    .. [2] Perez, R., Ineichen, P., Seals, R., Michalsky, J. and Stewart, R. (1990). Modeling
       daylight availability and irradiance components from direct and global irradiance.
       Solar Energy 44(5), 271-289. https://doi.org/10.1016/0038-092X(90)90055-H
    .. [3] Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
       https://doi.org/10.2172/1158421
    .. [4] De Soto, W., Klein, S. A. and Beckman, W. A. (2006). Improvement and validation of a
       model for photovoltaic array performance. Solar Energy 80(1), 78-88.
       https://doi.org/10.1016/j.solener.2005.06.010
    .. [5] King, D. L., Boyson, W. E. and Kratochvil, J. A. (2004). Photovoltaic Array
       Performance Model. SAND2004-3535, Sandia National Laboratories.
       https://doi.org/10.2172/919131
    """
    index = pd.DatetimeIndex(times)
    utc = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    mid = utc + pd.Timedelta(minutes=30)

    def arr(x: ArrayLike) -> np.ndarray:
        return np.asarray(x, dtype=float)

    ghi_, dni_, dhi_ = arr(ghi), arr(dni), arr(dhi)
    t_air, ws = arr(temp_air), arr(wind_speed)
    p_air = (
        pvlib.atmosphere.alt2pres(altitude) * np.ones(len(utc))
        if pressure is None
        else arr(pressure)
    )
    alb = cfg.albedo if albedo is None else arr(albedo)

    sun = pvlib.solarposition.get_solarposition(
        mid, latitude, longitude, altitude=altitude, pressure=p_air, temperature=t_air
    )
    zenith = sun["apparent_zenith"].to_numpy()
    azimuth = sun["azimuth"].to_numpy()
    day = zenith < 90.0
    orient = MOUNTINGS[cfg.mounting](cfg, zenith, azimuth)
    dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(mid), dtype=float)
    airmass = np.asarray(pvlib.atmosphere.get_relative_airmass(zenith), dtype=float)
    poa = pvlib.irradiance.get_total_irradiance(
        orient["surface_tilt"],
        orient["surface_azimuth"],
        zenith,
        azimuth,
        dni_,
        ghi_,
        dhi_,
        dni_extra=dni_extra,
        airmass=airmass,
        albedo=alb,
        model="perez",
    )
    poa_global = np.where(day, np.nan_to_num(np.asarray(poa["poa_global"], dtype=float)), 0.0)
    poa_direct = np.where(day, np.nan_to_num(np.asarray(poa["poa_direct"], dtype=float)), 0.0)
    iam = np.asarray(pvlib.iam.physical(orient["aoi"], n=1.526, K=4.0, L=0.002), dtype=float)
    poa_eff = np.maximum(poa_global - (1.0 - iam) * poa_direct, 0.0)

    temp_cell = pvlib.temperature.sapm_cell(poa_global, t_air, ws, **SAPM_PARAMS)
    p_dc = pvlib.pvsystem.pvwatts_dc(poa_eff, temp_cell, cfg.dc_ac_ratio, cfg.gamma_pdc)
    p_dc = np.maximum(np.asarray(p_dc, dtype=float), 0.0) * (1.0 - cfg.losses_percent / 100.0)
    eta = cfg.inverter_efficiency
    p_ac = pvlib.inverter.pvwatts(p_dc, 1.0 / eta, eta_inv_nom=eta)
    return pd.DataFrame(
        {
            "solar_zenith": zenith,
            "solar_azimuth": azimuth,
            **orient,
            "poa_global": poa_global,
            "poa_effective": poa_eff,
            "temp_cell": np.asarray(temp_cell, dtype=float),
            "p_dc": p_dc,
            "p_ac": np.clip(np.asarray(p_ac, dtype=float), 0.0, 1.0),
        },
        index=index,
    )


def pv_capacity_factor(weather: xr.Dataset, cfg: SolarConfig) -> xr.DataArray:
    """Hourly AC capacity factor of a PV plant (fixed tilt or single-axis tracking).

    Parameters
    ----------
    weather : xarray.Dataset
        Canonical weather set (``ghi``, ``dni``, ``dhi`` [W m-2], ``temp_air`` [degC],
        ``wind_speed`` [m s-1], ``pressure`` [Pa], optional ``albedo`` [1]; attrs
        ``latitude``, ``longitude`` [deg], ``altitude`` [m], default 0 m).
    cfg : SolarConfig
        Plant parameters (see :func:`pvwatts_chain`).

    Returns
    -------
    xarray.DataArray
        ``capacity_factor`` [1] on dim ``time``: AC output per MW of AC inverter rating,
        in [0, 1]; attribute ``mounting`` records ``cfg.mounting``.

    References
    ----------
    .. [1] Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
       https://doi.org/10.2172/1158421
    """
    albedo = weather["albedo"].values if "albedo" in weather.data_vars else None
    out = pvwatts_chain(
        pd.DatetimeIndex(weather["time"].values),
        weather["ghi"].values,
        weather["dni"].values,
        weather["dhi"].values,
        weather["temp_air"].values,
        weather["wind_speed"].values,
        latitude=float(weather.attrs["latitude"]),
        longitude=float(weather.attrs["longitude"]),
        altitude=float(weather.attrs.get("altitude", 0.0)),
        cfg=cfg,
        pressure=weather["pressure"].values,
        albedo=albedo,
    )
    cf = xr.DataArray(
        out["p_ac"].to_numpy(),
        coords={"time": weather["time"]},
        dims="time",
        name="capacity_factor",
        attrs={
            "units": "1",
            "long_name": "PV AC output per unit of AC inverter rating",
            "technology": "solar",
            "mounting": cfg.mounting,
            "model": "PVWatts v5 chain via pvlib (Perez, physical IAM, SAPM cell temperature)",
        },
    )
    logger.debug("PV capacity factor (%s): mean %.4f", cfg.mounting, float(cf.mean()))
    return cf


def _turbine(cfg: WindConfig) -> windpowerlib.WindTurbine:
    """Build the windpowerlib turbine or raise :class:`TurbineNotFoundError`."""
    with warnings.catch_warnings():
        # windpowerlib.data triggers a pandas FutureWarning (fillna downcasting).
        warnings.filterwarnings("ignore", category=FutureWarning)
        types = windpowerlib.get_turbine_types(print_out=False)
    known = types.loc[types["has_power_curve"].astype(bool), "turbine_type"].tolist()
    if cfg.turbine not in known:
        close = difflib.get_close_matches(cfg.turbine, known, n=5, cutoff=0.0)
        raise TurbineNotFoundError(
            f"field 'wind.turbine': turbine type {cfg.turbine!r} has no power curve in "
            f"windpowerlib's turbine library; valid names include {', '.join(close)} "
            "(see windpowerlib.get_turbine_types())"
        )
    try:
        return windpowerlib.WindTurbine(turbine_type=cfg.turbine, hub_height=cfg.hub_height)
    except ValueError as exc:
        raise ConfigError(f"field 'wind.hub_height': {exc}; raise the hub height") from None


def wind_capacity_factor(weather: xr.Dataset, cfg: WindConfig) -> xr.DataArray:
    """Hourly capacity factor of an onshore wind farm from a canonical weather set.

    The measured wind speed (at ``weather.wind_speed.attrs["height_m"]``, default 10 m) is
    extrapolated to hub height with the Hellman power law [1]_ or the logarithmic profile [2]_,
    then read off the turbine's power curve from windpowerlib's bundled OpenEnergy Database
    turbine library [2]_ [3]_ (no density correction: the curves are for 1.225 kg m-3), and
    reduced by ``cfg.losses``.

    Parameters
    ----------
    weather : xarray.Dataset
        Canonical weather set with ``wind_speed`` [m s-1], ``temp_air`` [degC] (at 2 m) and
        ``pressure`` [Pa].
    cfg : WindConfig
        ``turbine`` (windpowerlib name), ``hub_height`` [m], ``height_law``,
        ``hellman_exponent`` [-], ``roughness_length`` [m], ``losses`` [-].

    Returns
    -------
    xarray.DataArray
        ``capacity_factor`` [1] on dim ``time``: power / nominal power x (1 - losses), in [0, 1].

    Raises
    ------
    TurbineNotFoundError
        (a ConfigError and a DataError) if ``cfg.turbine`` is not in the turbine library.
    ConfigError
        With the logarithmic law, if ``cfg.roughness_length`` is at or above the measurement
        height (:func:`check_height_law`; a hub height beyond
        :data:`MAX_EXTRAPOLATION_RATIO` times the measurement height is warned about).

    References
    ----------
    .. [1] Hellmann, G. (1914). Über die Bewegung der Luft in den untersten Schichten der
       Atmosphäre. Meteorologische Zeitschrift 34, 273-285; exponent 1/7 after Peterson, E. W.
       and Hennessey, J. P. (1978), J. Appl. Meteor. 17, 390-394.
    .. [2] Haas, S., Krien, U., Schachler, B., et al. (2024). wind-python/windpowerlib: a
       library to model wind feed-in. https://doi.org/10.5281/zenodo.824267
    .. [3] Open Energy Platform, wind turbine library (OpenEnergy Database),
       https://openenergyplatform.org/dataedit/view/supply/wind_turbine_library
    """
    turbine = _turbine(cfg)
    height = float(weather["wind_speed"].attrs.get("height_m", DEFAULT_WIND_HEIGHT_M))
    check_height_law(cfg, height, str(weather.attrs.get("source", "the weather set")))
    index = pd.DatetimeIndex(weather["time"].values)
    n = index.size
    columns = pd.MultiIndex.from_tuples(
        [
            ("wind_speed", height),
            ("temperature", TEMPERATURE_HEIGHT_M),
            ("pressure", 0.0),
            ("roughness_length", 0.0),
        ],
        names=["variable_name", "height"],
    )
    frame = pd.DataFrame(
        np.column_stack(
            [
                np.asarray(weather["wind_speed"].values, dtype=float),
                np.asarray(weather["temp_air"].values, dtype=float) + 273.15,
                np.asarray(weather["pressure"].values, dtype=float),
                np.full(n, cfg.roughness_length),
            ]
        ),
        index=index,
        columns=columns,
    )
    chain = windpowerlib.ModelChain(
        turbine,
        wind_speed_model="hellman" if cfg.height_law == "hellman" else "logarithmic",
        hellman_exp=cfg.hellman_exponent if cfg.height_law == "hellman" else None,
        temperature_model="linear_gradient",
        density_model="ideal_gas",
        power_output_model="power_curve",
        density_correction=False,
    )
    chain.run_model(frame)
    power = np.asarray(chain.power_output, dtype=float)
    cf = np.clip(power / float(turbine.nominal_power) * (1.0 - cfg.losses), 0.0, 1.0)
    out = xr.DataArray(
        cf,
        coords={"time": weather["time"]},
        dims="time",
        name="capacity_factor",
        attrs={
            "units": "1",
            "long_name": "wind farm output per unit of nominal power, after losses",
            "technology": "onwind",
            "turbine": cfg.turbine,
            "hub_height_m": cfg.hub_height,
            "model": f"windpowerlib power curve, {cfg.height_law} height law",
        },
    )
    logger.debug("wind capacity factor (%s): mean %.4f", cfg.turbine, float(out.mean()))
    return out
