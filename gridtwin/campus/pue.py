"""Hourly power usage effectiveness (PUE) from outdoor dry- and wet-bulb temperature.

The model follows the component structure of Lei & Masanet (2020) for hyperscale data centers
with a water-side economiser on cooling towers ("WEC"). All powers are per unit of IT power
(MW per MW); the IT power itself does not enter, except through the parameters.

Electrical losses and heat load::

    ups        = 1/eta_ups - 1
    dist       = 1/(1 - lambda_pd) - 1
    light      = f_light
    Q          = 1 + ups + dist + light                     all of it ends up as heat
    Q_liq      = c * 1                                      c = liquid capture (0 for "air")
    Q_air      = Q - Q_liq

Air side (air handlers, CRAH)::

    fan_crah   = Q_air / (cp_a dT_air) / rho(T_sa) * dp_crah / eta_fan
    T_ra       = T_sa + dT_air
    T_s,air    = T_ra - (T_ra - T_sa) / eff_hx              chilled-water supply temperature
    load_air   = Q_air / SHR                                sensible + latent

Each water loop (chilled water of the air side: supply T_s,air, rise dT_chw; liquid loop: supply
T_s,liq, rise dT_liq) rejects its load ``L`` through a plant with water-side economiser::

    T_econ     = T_wb + a_tower + a_hx                      coldest water the towers can make
    f_econ     = clip((T_r - T_econ) / (T_r - T_s), 0, 1)   share of the load free-cooled
    chiller    = L (1 - f_econ) / COP(T_wb + a_tower)
    pump_fw    = L / (cp_w dT) / rho_w * dp_fw / eta_pump
    pump_tower = (L + chiller) / (cp_w dT_tower) / rho_w * dp_tower / eta_pump
    fan_tower  = (L + chiller) / (cp_w dT_tower) / LG / rho(T_db) * dp_tfan / eta_fan

with the chiller COP regression of Lei & Masanet (2020) in the condenser-water temperature t
[degC] and part-load ratio r::

    COP = (16.798751 + 0.008840 t^2 - 8.528931 r^2 + 9.885294 r - 0.760621 t + 0.084615 r t)
          * (1 + dCOP)

evaluated at ``min(t, t*)`` where ``t*`` is the minimum of the parabola (about 41 degC at
r = 0.5), so that COP never rises with temperature. The liquid loop adds a secondary
(technology cooling system) pump ``Q_liq / (cp_w dT_liq) / rho_w * dp_fw / eta_pump``. Then::

    PUE = 1 + ups + dist + light + fan_crah + sum over loops (chiller + pumps + fan_tower)

PUE is non-decreasing in the wet bulb (less economiser, lower COP) and in the dry bulb (thinner
air, more tower fan power). As in Lei & Masanet, fan and pump heat is not added to the cooling
load and humidification pumping (< 0.02 % of IT power) is neglected.

Parameter defaults and their sources are documented in :class:`gridtwin.config.CoolingConfig`.

References
----------
.. [1] Lei, N., Masanet, E. (2020). Statistical analysis for predicting location-specific data
   center PUE and its improvement potential. Energy 201, 117556.
   doi:10.1016/j.energy.2020.117556
.. [2] ASHRAE TC 9.9 (2021). Thermal Guidelines for Data Processing Environments, 5th ed.
.. [3] ASHRAE TC 9.9 (2021). Emergence and Expansion of Liquid Cooling in Mainstream Data
   Centers (liquid cooling classes W17-W45).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import xarray as xr

from gridtwin.campus.psychrometrics import P_STANDARD, air_density, like_inputs
from gridtwin.config import CoolingConfig

MODEL_NAME: Final = "Lei & Masanet (2020) component PUE model, water-side economiser (WEC)"
MODEL_REFERENCE: Final = (
    "Lei, N., Masanet, E. (2020). Statistical analysis for predicting location-specific data "
    "center PUE and its improvement potential. Energy 201, 117556. "
    "doi:10.1016/j.energy.2020.117556"
)

#: Specific heat of water [kJ kg-1 K-1].
CP_WATER: Final = 4.18
#: Specific heat of dry air [kJ kg-1 K-1] (ASHRAE Handbook - Fundamentals 2017, ch. 1).
CP_AIR: Final = 1.006
#: Density of water [kg m-3].
RHO_WATER: Final = 1000.0

#: Chiller COP regression of Lei & Masanet (2020): (const, t^2, r^2, r, t, r*t).
_COP_COEFFS: Final = (16.798751, 0.008840, -8.528931, 9.885294, -0.760621, 0.084615)

ArrayLike = npt.ArrayLike | xr.DataArray


def _liquid_share(cooling: CoolingConfig) -> float:
    return cooling.liquid_capture


def _no_liquid(cooling: CoolingConfig) -> float:
    return 0.0


#: Design name -> share of the IT power removed by the liquid loop [-].
DESIGNS: Final[dict[str, Callable[[CoolingConfig], float]]] = {
    "liquid": _liquid_share,
    "air": _no_liquid,
}


def chiller_cop(
    t_condenser: npt.ArrayLike, part_load: float = 0.5, cop_adjust: float = 0.0
) -> np.ndarray:
    """Chiller coefficient of performance from the Lei & Masanet (2020) regression.

    Parameters
    ----------
    t_condenser : numeric
        Condenser (tower) water temperature entering the chiller [degC].
    part_load : float
        Chiller part-load ratio [-].
    cop_adjust : float
        Relative adjustment of the COP [-].

    Returns
    -------
    numpy.ndarray
        COP [-]. Above the minimum of the regression parabola the value is held constant, so
        the COP never increases with temperature.

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556.

    Examples
    --------
    >>> round(float(chiller_cop(30.0)), 2)
    6.02
    """
    c0, ctt, crr, cr, ct, crt = _COP_COEFFS
    r = part_load
    t_star = -(ct + crt * r) / (2.0 * ctt)
    t = np.minimum(np.asarray(t_condenser, dtype=float), t_star)
    cop = c0 + ctt * t**2 + crr * r**2 + cr * r + ct * t + crt * r * t
    return cop * (1.0 + cop_adjust)


def economiser_fraction(
    temp_wetbulb: npt.ArrayLike,
    t_supply: float,
    t_return: float,
    tower_approach: float,
    hx_approach: float,
) -> np.ndarray:
    """Share of a water loop's load removed by the water-side economiser.

    Parameters
    ----------
    temp_wetbulb : numeric
        Outdoor wet-bulb temperature [degC].
    t_supply, t_return : float
        Supply and return temperature of the facility water loop [degC].
    tower_approach, hx_approach : float
        Approach of the cooling tower to the wet bulb and of the economiser heat exchanger [K].

    Returns
    -------
    numpy.ndarray
        Free-cooled share [-]: 1 when the economiser reaches the supply temperature, 0 when it
        cannot cool the return water, linear in between (Lei & Masanet 2020).
    """
    t_econ = np.asarray(temp_wetbulb, dtype=float) + tower_approach + hx_approach
    return np.clip((t_return - t_econ) / (t_return - t_supply), 0.0, 1.0)


def _plant(
    load: float,
    t_supply: float,
    delta_t: float,
    temp_air: np.ndarray,
    temp_wetbulb: np.ndarray,
    pressure: np.ndarray,
    c: CoolingConfig,
) -> dict[str, np.ndarray]:
    """Powers [per unit IT] of one water loop with economiser, chiller and cooling tower."""
    f_econ = economiser_fraction(
        temp_wetbulb, t_supply, t_supply + delta_t, c.tower_approach, c.hx_approach
    )
    cop = chiller_cop(temp_wetbulb + c.tower_approach, c.chiller_part_load, c.chiller_cop_adjust)
    chiller = load * (1.0 - f_econ) / cop
    pump_fw = load / (CP_WATER * delta_t) / RHO_WATER * c.pump_head_facility / c.pump_efficiency
    m_tower = (load + chiller) / (CP_WATER * c.delta_t_tower)  # kg/s per kW of IT
    pump_tower = m_tower / RHO_WATER * c.pump_head_tower / c.pump_efficiency
    rho_out = np.asarray(air_density(temp_air, pressure))
    fan_tower = m_tower / c.liquid_to_gas_ratio / rho_out * c.fan_pressure_tower / c.fan_efficiency
    # kg/s per kW * Pa / (kg m-3) = W per kW; divide by 1000 for kW per kW.
    return {
        "chiller": chiller,
        "pumps": (pump_fw + pump_tower) / 1000.0,
        "tower_fans": fan_tower / 1000.0,
    }


def economiser_share(
    temp_wetbulb: ArrayLike,
    cooling: CoolingConfig | None = None,
) -> Any:
    """Share of the heat rejected through the water-side economiser, all water loops together.

    Parameters
    ----------
    temp_wetbulb : numeric or xarray.DataArray
        Outdoor wet-bulb temperature [degC].
    cooling : CoolingConfig, optional
        Design and parameters; default liquid cooling with the documented defaults.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Heat-weighted economiser fraction [-] of the air-side chilled-water loop and (design
        ``"liquid"``) the warm-water liquid loop: ``sum(L_i f_i) / sum(L_i)`` with ``f_i`` from
        :func:`economiser_fraction`. 1 = chillers off (full free cooling), 0 = chillers carry
        the whole load.

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556.

    Examples
    --------
    >>> float(economiser_share(5.0)), float(economiser_share(35.0))
    (1.0, 0.0)
    """
    c = cooling if cooling is not None else CoolingConfig()
    t_wb = np.asarray(temp_wetbulb, dtype=float)
    q_liq, q_air = _heat_loads(c)
    t_ra = c.supply_air_temp + c.delta_t_air
    t_chw = t_ra - (t_ra - c.supply_air_temp) / c.hx_effectiveness
    f_air = economiser_fraction(
        t_wb, t_chw, t_chw + c.delta_t_chilled_water, c.tower_approach, c.hx_approach
    )
    f_liq = economiser_fraction(
        t_wb,
        c.liquid_supply_temp,
        c.liquid_supply_temp + c.delta_t_liquid,
        c.tower_approach,
        c.hx_approach,
    )
    load_air = q_air / c.sensible_heat_ratio
    share = (load_air * f_air + q_liq * f_liq) / (load_air + q_liq)
    return like_inputs(np.asarray(share, dtype=float), temp_wetbulb)


def _heat_loads(c: CoolingConfig) -> tuple[float, float]:
    """Heat removed by the liquid loop and by air [per unit IT power]."""
    ups = 1.0 / c.ups_efficiency - 1.0
    dist = 1.0 / (1.0 - c.distribution_loss) - 1.0
    heat = 1.0 + ups + dist + c.lighting_share
    q_liq = DESIGNS[c.design](c)
    return q_liq, heat - q_liq


def facility_overhead(
    temp_air: ArrayLike,
    temp_wetbulb: ArrayLike,
    cooling: CoolingConfig | None = None,
    pressure: ArrayLike = P_STANDARD,
) -> dict[str, Any]:
    """Facility power per unit of IT power, by component.

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Outdoor dry-bulb temperature [degC].
    temp_wetbulb : numeric or xarray.DataArray
        Outdoor wet-bulb temperature [degC], not above ``temp_air``.
    cooling : CoolingConfig, optional
        Design and parameters; default :class:`~gridtwin.config.CoolingConfig()` (liquid).
    pressure : numeric or xarray.DataArray
        Atmospheric pressure [Pa]. Default 101325 Pa.

    Returns
    -------
    dict of str to numpy.ndarray or xarray.DataArray
        Components [MW per MW of IT power]: ``ups``, ``distribution``, ``lighting`` (electrical
        losses), ``air_handler_fans``, ``pumps``, ``tower_fans``, ``chillers``.

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556 (see module docstring).
    """
    c = cooling if cooling is not None else CoolingConfig()
    t_db, t_wb, p = np.broadcast_arrays(
        np.asarray(temp_air, dtype=float),
        np.asarray(temp_wetbulb, dtype=float),
        np.asarray(pressure, dtype=float),
    )
    zero = np.zeros(t_db.shape)
    ups = 1.0 / c.ups_efficiency - 1.0
    dist = 1.0 / (1.0 - c.distribution_loss) - 1.0
    heat = 1.0 + ups + dist + c.lighting_share
    q_liq = DESIGNS[c.design](c)
    q_air = heat - q_liq

    t_ra = c.supply_air_temp + c.delta_t_air
    rho_sa = np.asarray(air_density(c.supply_air_temp, p))
    m_air = q_air / (CP_AIR * c.delta_t_air)
    crah = m_air / rho_sa * c.fan_pressure_crah / c.fan_efficiency / 1000.0
    t_chw = t_ra - (t_ra - c.supply_air_temp) / c.hx_effectiveness
    air = _plant(q_air / c.sensible_heat_ratio, t_chw, c.delta_t_chilled_water, t_db, t_wb, p, c)

    liq = _plant(q_liq, c.liquid_supply_temp, c.delta_t_liquid, t_db, t_wb, p, c)
    tcs_pump = (
        (q_liq / (CP_WATER * c.delta_t_liquid) / RHO_WATER * c.pump_head_facility)
        / c.pump_efficiency
        / 1000.0
    )

    parts = {
        "ups": zero + ups,
        "distribution": zero + dist,
        "lighting": zero + c.lighting_share,
        "air_handler_fans": zero + crah,
        "pumps": air["pumps"] + liq["pumps"] + tcs_pump,
        "tower_fans": air["tower_fans"] + liq["tower_fans"],
        "chillers": air["chiller"] + liq["chiller"],
    }
    return {k: like_inputs(v, temp_air, temp_wetbulb, pressure) for k, v in parts.items()}


def pue(
    temp_air: ArrayLike,
    temp_wetbulb: ArrayLike,
    cooling: CoolingConfig | None = None,
    pressure: ArrayLike = P_STANDARD,
) -> Any:
    """Hourly power usage effectiveness from outdoor conditions.

    Parameters
    ----------
    temp_air : numeric or xarray.DataArray
        Outdoor dry-bulb temperature [degC].
    temp_wetbulb : numeric or xarray.DataArray
        Outdoor wet-bulb temperature [degC].
    cooling : CoolingConfig, optional
        Design and parameters; default liquid cooling with the documented defaults.
    pressure : numeric or xarray.DataArray
        Atmospheric pressure [Pa]. Default 101325 Pa.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        PUE [-] = total facility power / IT power.

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556.

    Examples
    --------
    >>> from gridtwin.config import CoolingConfig
    >>> bool(pue(30.0, 24.0, CoolingConfig(design="air")) > pue(30.0, 24.0))
    True
    """
    parts = facility_overhead(temp_air, temp_wetbulb, cooling, pressure)
    return 1.0 + sum(parts.values())
