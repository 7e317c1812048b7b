"""Cooling plants by design: electric power, evaporated water and recoverable heat per unit
of IT power, hour by hour.

Four designs (:data:`DESIGNS`, chosen with ``campus.cooling.design``) share the electrical
losses and, except ``"evaporative"``, the air side of Lei & Masanet (2020) (see
:mod:`gridtwin.campus.pue` for the equations). They differ in how the heat leaves the site:

``"air"``, ``"liquid"``: evaporative cooling towers with a water-side economiser (L&M's WEC).
    Each water loop (load ``L`` per unit IT, supply ``T_s``, rise ``dT``) has chillers for the
    part the economiser cannot carry, a facility pump, tower pumps and tower fans. The tower's
    air (``m_air = m_water / LG``) leaves saturated with the enthalpy of the heat it took::

        h_out = h_in + (L + chiller) / m_air = h_in + cp_w dT_tower LG
        evaporation = m_air (W_sat(T_out) - W_in),   T_out: h_sat(T_out) = h_out

    (the saturated-outlet air-stream balance of cooling-tower theory, ASHRAE Handbook - HVAC
    Systems and Equipment 2020, ch. 40; with L&M's ``LG`` and tower range). Rejecting 1 kWh
    of heat evaporates about 1.0-1.5 kg of water, more in hot humid hours (a larger latent
    share), less in cold ones.

``"liquid_dry"``: closed loop. The same loops reject heat through dry coolers: the economiser
    works on the dry bulb (``T_econ = T_db + dry_cooler_approach + hx_approach``), the chillers
    are air cooled (the L&M COP regression evaluated at ``T_db + dry_cooler_approach``, an
    assumption), the dry coolers' fans move ``(L + chiller) / (cp_a dT_dry)`` of air. No water
    is evaporated.

``"evaporative"``: outdoor air supplied to the halls at ``supply_air_temp``, mixed with return
    air when colder, cooled along its wet bulb by direct evaporative media (effectiveness
    ``eff``: ``T_reach = T_db - eff (T_db - T_wb)``) when warmer, and trimmed by an air-cooled
    compressor where ``T_reach`` is above the supply temperature. The media evaporate
    ``m_air (W(T_out, h_in) - W_in)`` at constant enthalpy.

Water withdrawn and consumed follow from the evaporation in :mod:`gridtwin.campus.water`.

Recoverable heat (:mod:`gridtwin.campus.heat`) is the heat of the warm loop: the liquid loop
(``"liquid"``, ``"liquid_dry"``: facility water returning at ``liquid_supply_temp +
delta_t_liquid``) or the air-side chilled-water loop (``"air"``; ``"evaporative"`` through a
water coil in the return air, as Meta's Odense heat recovery). Heat taken by a heat pump is not
rejected on site, so it saves that loop's chiller, rejection pump and fan power and its
evaporated water (``recovery_power``, ``recovery_evaporation`` per unit of heat).

References
----------
.. [1] Lei, N., Masanet, E. (2020). Energy 201, 117556. doi:10.1016/j.energy.2020.117556
.. [2] Lei, N., Masanet, E. (2022). Climate- and technology-specific PUE and WUE estimations
   for U.S. data centers using a hybrid statistical and thermodynamics-based approach.
   Resources, Conservation & Recycling 182, 106323. doi:10.1016/j.resconrec.2022.106323
.. [3] ASHRAE (2020). Handbook - HVAC Systems and Equipment, ch. 40 (cooling towers) and
   ch. 41 (evaporative air-cooling equipment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import psychrolib

from gridtwin.campus.psychrometrics import (
    air_density,
    moist_air_enthalpy,
    saturation_humidity_ratio,
    saturation_temperature,
)
from gridtwin.config import CoolingConfig

#: Specific heat of water [kJ kg-1 K-1].
CP_WATER: Final = 4.18
#: Specific heat of dry air [kJ kg-1 K-1] (ASHRAE Handbook - Fundamentals 2017, ch. 1).
CP_AIR: Final = 1.006
#: Density of water [kg m-3].
RHO_WATER: Final = 1000.0
#: Chiller COP regression of Lei & Masanet (2020): (const, t^2, r^2, r, t, r*t).
COP_COEFFS: Final = (16.798751, 0.008840, -8.528931, 9.885294, -0.760621, 0.084615)


@dataclass(frozen=True)
class Design:
    """A cooling design: whether it has a liquid loop and how it rejects heat."""

    liquid: bool
    rejection: str
    description: str


#: Cooling designs by name (``campus.cooling.design``).
DESIGNS: Final[dict[str, Design]] = {
    "liquid": Design(True, "tower", "direct-to-chip liquid + air, evaporative cooling towers"),
    "air": Design(False, "tower", "air handlers on chilled water, evaporative cooling towers"),
    "evaporative": Design(False, "media", "outdoor air with direct evaporative media"),
    "liquid_dry": Design(True, "dry", "direct-to-chip liquid + air, dry coolers (closed loop)"),
}
#: Components of the facility overhead [MW per MW of IT power].
PARTS: Final = (
    "ups",
    "distribution",
    "lighting",
    "air_handler_fans",
    "pumps",
    "tower_fans",
    "dry_cooler_fans",
    "chillers",
)


@dataclass(frozen=True)
class Plant:
    """Hourly performance of a cooling plant per unit of IT power (arrays shape (n_time,)).

    Attributes
    ----------
    parts : dict of str to numpy.ndarray
        Facility power by component (:data:`PARTS`) [MW per MW IT].
    evaporation : numpy.ndarray
        Water evaporated by towers or media [kg s-1 per kW IT].
    circulating : numpy.ndarray
        Water circulating through cooling towers [kg s-1 per kW IT] (the basis of drift).
    economiser : numpy.ndarray
        Heat-weighted share of the heat rejected without compressors [-].
    heat : float
        Heat removed by the cooling per unit IT power (IT, UPS and distribution losses,
        lighting) [-].
    recoverable : float
        Heat of the warm loop per unit IT power [-].
    source_in, source_out : float
        Temperature of the warm loop's water returning from the IT and leaving to it [degC].
    recovery_power : numpy.ndarray
        Facility power saved per unit of warm-loop heat taken by heat recovery [-].
    recovery_evaporation, recovery_circulating : numpy.ndarray
        Evaporation and tower circulation saved per unit of warm-loop heat recovered
        [kg s-1 per kW of heat].
    """

    parts: dict[str, np.ndarray]
    evaporation: np.ndarray
    circulating: np.ndarray
    economiser: np.ndarray
    heat: float
    recoverable: float
    source_in: float
    source_out: float
    recovery_power: np.ndarray
    recovery_evaporation: np.ndarray
    recovery_circulating: np.ndarray


@dataclass(frozen=True)
class _Air:
    """Outdoor air of each hour."""

    t_db: np.ndarray
    t_wb: np.ndarray
    p: np.ndarray
    w: np.ndarray
    h: np.ndarray
    tower_dw: np.ndarray
    """Water a cooling tower's air takes up [kg per kg dry air] (the same for every loop)."""


def chiller_cop(
    t_condenser: np.ndarray | float, part_load: float = 0.5, cop_adjust: float = 0.0
) -> np.ndarray:
    """Chiller COP from the Lei & Masanet (2020) regression, never rising with temperature
    (see :func:`gridtwin.campus.pue.chiller_cop`, the public form)."""
    c0, ctt, crr, cr, ct, crt = COP_COEFFS
    r = part_load
    t_star = -(ct + crt * r) / (2.0 * ctt)
    t = np.minimum(np.asarray(t_condenser, dtype=float), t_star)
    cop = c0 + ctt * t**2 + crr * r**2 + cr * r + ct * t + crt * r * t
    return np.asarray(cop * (1.0 + cop_adjust), dtype=float)


def economiser_fraction(
    t_cold: np.ndarray | float, t_supply: float, t_return: float, approach: float
) -> np.ndarray:
    """Free-cooled share of a loop whose heat sink makes water at ``t_cold + approach``:
    ``clip((T_r - T_econ) / (T_r - T_s), 0, 1)`` (Lei & Masanet 2020)."""
    t_econ = np.asarray(t_cold, dtype=float) + approach
    return np.clip((t_return - t_econ) / (t_return - t_supply), 0.0, 1.0)


def _chilled(
    load: float, t_supply: float, delta_t: float, t_sink: np.ndarray, c: CoolingConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Economiser share and chiller power [per unit IT] of a loop whose heat sink makes water
    at ``t_sink`` (towers: wet bulb + approach; dry coolers: dry bulb + approach) [degC]."""
    f_econ = economiser_fraction(t_sink, t_supply, t_supply + delta_t, c.hx_approach)
    cop = chiller_cop(t_sink, c.chiller_part_load, c.chiller_cop_adjust)
    return f_econ, load * (1.0 - f_econ) / cop


def _tower_loop(
    load: float, t_supply: float, delta_t: float, air: _Air, c: CoolingConfig
) -> dict[str, np.ndarray]:
    """One water loop with economiser, water-cooled chillers and cooling towers."""
    f_econ, chiller = _chilled(load, t_supply, delta_t, air.t_wb + c.tower_approach, c)
    m_tower = (load + chiller) / (CP_WATER * c.delta_t_tower)  # kg/s per kW of IT
    m_air = m_tower / c.liquid_to_gas_ratio
    rho_out = np.asarray(air_density(air.t_db, air.p))
    return {
        "econ": f_econ,
        "chillers": chiller,
        "facility_pump": _pump(load / (CP_WATER * delta_t), c.pump_head_facility, c),
        "rejection_pump": _pump(m_tower, c.pump_head_tower, c),
        "tower_fans": m_air / rho_out * c.fan_pressure_tower / c.fan_efficiency / 1000.0,
        "dry_cooler_fans": np.zeros(air.t_db.shape),
        "evaporation": m_air * air.tower_dw,
        "circulating": m_tower,
    }


def _dry_loop(
    load: float, t_supply: float, delta_t: float, air: _Air, c: CoolingConfig
) -> dict[str, np.ndarray]:
    """One water loop with economiser, air-cooled chillers and dry coolers."""
    f_econ, chiller = _chilled(load, t_supply, delta_t, air.t_db + c.dry_cooler_approach, c)
    rejected = load + chiller
    m_air = rejected / (CP_AIR * c.dry_cooler_air_rise)
    rho_out = np.asarray(air_density(air.t_db, air.p))
    zeros = np.zeros(air.t_db.shape)
    return {
        "econ": f_econ,
        "chillers": chiller,
        "facility_pump": _pump(load / (CP_WATER * delta_t), c.pump_head_facility, c),
        "rejection_pump": _pump(rejected / (CP_WATER * c.delta_t_tower), c.pump_head_tower, c),
        "tower_fans": zeros,
        "dry_cooler_fans": m_air / rho_out * c.fan_pressure_dry / c.fan_efficiency / 1000.0,
        "evaporation": zeros,
        "circulating": zeros,
    }


_LOOPS = {"tower": _tower_loop, "dry": _dry_loop}


def _pump(mass_flow: np.ndarray | float, head: float, c: CoolingConfig) -> np.ndarray:
    """Pump power [kW per kW IT] of a water flow [kg s-1 per kW IT] against ``head`` [Pa]."""
    return np.asarray(mass_flow / RHO_WATER * head / c.pump_efficiency / 1000.0, dtype=float)


def _air_side(c: CoolingConfig) -> tuple[float, float]:
    """Chilled-water supply temperature of the air handlers' coil and its rise [degC, K]."""
    t_ra = c.supply_air_temp + c.delta_t_air
    return t_ra - (t_ra - c.supply_air_temp) / c.hx_effectiveness, c.delta_t_chilled_water


def _media(q_air: float, air: _Air, c: CoolingConfig) -> dict[str, np.ndarray]:
    """Direct evaporative cooling of outdoor air with a compressor trim."""
    m_air = q_air / (CP_AIR * c.delta_t_air)  # kg/s of supply air per kW of IT
    t_sa = c.supply_air_temp
    t_reach = air.t_db - c.evaporative_effectiveness * (air.t_db - air.t_wb)
    t_out = np.clip(t_reach, t_sa, None)
    t_out = np.where(air.t_db > t_sa, t_out, air.t_db)  # colder air is mixed, not wetted
    # constant-enthalpy (wet-bulb) line: h = cp_a t + W (h_fg + cp_v t), PsychroLib's terms
    w_out = (air.h - CP_AIR * t_out) / (2501.0 + 1.86 * t_out)
    trim_heat = m_air * CP_AIR * np.maximum(t_out - t_sa, 0.0)
    cop = chiller_cop(air.t_db + c.dry_cooler_approach, c.chiller_part_load, c.chiller_cop_adjust)
    zeros = np.zeros(air.t_db.shape)
    return {
        "econ": 1.0 - trim_heat / q_air,
        "chillers": trim_heat / cop,
        "facility_pump": zeros,
        "rejection_pump": zeros,
        "tower_fans": zeros,
        "dry_cooler_fans": zeros,
        "evaporation": m_air * np.maximum(w_out - air.w, 0.0),
        "circulating": zeros,
    }


def _outdoor(
    temp_air: np.ndarray, temp_wetbulb: np.ndarray, pressure: np.ndarray, c: CoolingConfig
) -> _Air:
    """Outdoor air and, for tower designs, the water the towers' air takes up: it leaves
    saturated at ``h_out = h_in + cp_w dT_tower LG`` whatever the loop's load."""
    get_w = np.frompyfunc(psychrolib.GetHumRatioFromTWetBulb, 3, 1)
    w = np.asarray(get_w(temp_air, np.minimum(temp_wetbulb, temp_air), pressure), dtype=float)
    h = moist_air_enthalpy(temp_air, w)
    dw = np.zeros(temp_air.shape)
    if DESIGNS[c.design].rejection == "tower":
        h_out = h + CP_WATER * c.delta_t_tower * c.liquid_to_gas_ratio
        w_out = saturation_humidity_ratio(saturation_temperature(h_out, pressure), pressure)
        dw = np.maximum(w_out - w, 0.0)
    return _Air(temp_air, temp_wetbulb, pressure, w, h, dw)


def cooling_plant(
    temp_air: np.ndarray, temp_wetbulb: np.ndarray, pressure: np.ndarray, c: CoolingConfig
) -> Plant:
    """Hourly power, water and recoverable heat of a cooling design per unit of IT power.

    Parameters
    ----------
    temp_air, temp_wetbulb : numpy.ndarray
        Outdoor dry- and wet-bulb temperature [degC], same shape.
    pressure : numpy.ndarray
        Atmospheric pressure [Pa], broadcast to that shape.
    c : CoolingConfig
        Design and parameters.

    Returns
    -------
    Plant

    References
    ----------
    See the module docstring.
    """
    t_db, t_wb, p = np.broadcast_arrays(
        np.asarray(temp_air, dtype=float),
        np.asarray(temp_wetbulb, dtype=float),
        np.asarray(pressure, dtype=float),
    )
    air = _outdoor(t_db, t_wb, p, c)
    design = DESIGNS[c.design]
    ups = 1.0 / c.ups_efficiency - 1.0
    dist = 1.0 / (1.0 - c.distribution_loss) - 1.0
    heat = 1.0 + ups + dist + c.lighting_share
    q_liq = c.liquid_capture if design.liquid else 0.0
    q_air = heat - q_liq
    t_chw, dt_chw = _air_side(c)
    rho_sa = np.asarray(air_density(c.supply_air_temp, p))
    crah = q_air / (CP_AIR * c.delta_t_air) / rho_sa * c.fan_pressure_crah / c.fan_efficiency
    if design.rejection == "media":
        loops = [(q_air, _media(q_air, air, c))]
        warm, source_in, source_out = loops[0], t_chw + dt_chw, t_chw
    else:
        loop = _LOOPS[design.rejection]
        load_air = q_air / c.sensible_heat_ratio
        air_loop = (load_air, loop(load_air, t_chw, dt_chw, air, c))
        liq_loop = (q_liq, loop(q_liq, c.liquid_supply_temp, c.delta_t_liquid, air, c))
        loops = [air_loop, liq_loop]
        if design.liquid:
            warm = liq_loop
            source_out = c.liquid_supply_temp
            source_in = source_out + c.delta_t_liquid
        else:
            warm, source_in, source_out = air_loop, t_chw + dt_chw, t_chw
    tcs_pump = _pump(q_liq / (CP_WATER * c.delta_t_liquid), c.pump_head_facility, c)

    def total(key: str) -> np.ndarray:
        return np.asarray(sum(parts[key] for _, parts in loops), dtype=float)

    zero = np.zeros(t_db.shape)
    parts = {
        "ups": zero + ups,
        "distribution": zero + dist,
        "lighting": zero + c.lighting_share,
        "air_handler_fans": zero + crah / 1000.0,
        "pumps": total("facility_pump") + total("rejection_pump") + tcs_pump,
        "tower_fans": total("tower_fans"),
        "dry_cooler_fans": total("dry_cooler_fans"),
        "chillers": total("chillers"),
    }
    loads = sum(load for load, _ in loops)
    economiser = sum(load * lp["econ"] for load, lp in loops) / loads
    warm_load, w_parts = warm
    per_heat = 1.0 / warm_load if warm_load > 0 else 0.0
    saved = w_parts["chillers"] + w_parts["rejection_pump"]
    saved = saved + w_parts["tower_fans"] + w_parts["dry_cooler_fans"]
    return Plant(
        parts=parts,
        evaporation=total("evaporation"),
        circulating=total("circulating"),
        economiser=np.asarray(economiser, dtype=float),
        heat=heat,
        recoverable=float(warm_load),
        source_in=float(source_in),
        source_out=float(source_out),
        recovery_power=saved * per_heat,
        recovery_evaporation=w_parts["evaporation"] * per_heat,
        recovery_circulating=w_parts["circulating"] * per_heat,
    )
