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

These equations are the ``"air"`` and ``"liquid"`` designs. The ``"liquid_dry"`` (dry coolers)
and ``"evaporative"`` (direct evaporative media) designs, the towers' evaporation and the
recoverable heat are in :mod:`gridtwin.campus.plant`.

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

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import xarray as xr

from gridtwin.campus import plant
from gridtwin.campus.plant import DESIGNS, cooling_plant
from gridtwin.campus.psychrometrics import P_STANDARD, like_inputs
from gridtwin.config import CoolingConfig

MODEL_NAME: Final = "Lei & Masanet (2020) component PUE model, water-side economiser (WEC)"
MODEL_REFERENCE: Final = (
    "Lei, N., Masanet, E. (2020). Statistical analysis for predicting location-specific data "
    "center PUE and its improvement potential. Energy 201, 117556. "
    "doi:10.1016/j.energy.2020.117556"
)

ArrayLike = npt.ArrayLike | xr.DataArray


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
    return plant.chiller_cop(np.asarray(t_condenser, dtype=float), part_load, cop_adjust)


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
    return plant.economiser_fraction(
        np.asarray(temp_wetbulb, dtype=float), t_supply, t_return, tower_approach + hx_approach
    )


def economiser_share(
    temp_wetbulb: ArrayLike,
    cooling: CoolingConfig | None = None,
    temp_air: ArrayLike | None = None,
) -> Any:
    """Share of the heat rejected without compressors (chillers or trim), all loops together.

    Parameters
    ----------
    temp_wetbulb : numeric or xarray.DataArray
        Outdoor wet-bulb temperature [degC].
    cooling : CoolingConfig, optional
        Design and parameters; default liquid cooling with the documented defaults.
    temp_air : numeric or xarray.DataArray, optional
        Outdoor dry-bulb temperature [degC]; needed by the ``"liquid_dry"`` and
        ``"evaporative"`` designs, whose free cooling follows the dry bulb. Towers
        (``"air"``, ``"liquid"``) need only the wet bulb.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Heat-weighted free-cooled share [-]: ``sum(L_i f_i) / sum(L_i)`` over the loops with
        ``f_i`` from :func:`economiser_fraction`. 1 = compressors off, 0 = they carry the
        whole load.

    Raises
    ------
    ValueError
        A dry-bulb design without ``temp_air``.

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556.

    Examples
    --------
    >>> float(economiser_share(5.0)), float(economiser_share(35.0))
    (1.0, 0.0)
    """
    c = cooling if cooling is not None else CoolingConfig()
    if temp_air is None and DESIGNS[c.design].rejection != "tower":
        raise ValueError(f"economiser_share: design {c.design!r} needs temp_air (dry bulb)")
    t_wb = np.asarray(temp_wetbulb, dtype=float)
    t_db = t_wb if temp_air is None else np.asarray(temp_air, dtype=float)
    t_db, t_wb = np.broadcast_arrays(t_db, t_wb)
    share = cooling_plant(t_db, t_wb, np.asarray(P_STANDARD), c).economiser
    return like_inputs(np.asarray(share, dtype=float), temp_wetbulb)


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
        Components [MW per MW of IT power] (:data:`gridtwin.campus.plant.PARTS`): ``ups``,
        ``distribution``, ``lighting`` (electrical losses), ``air_handler_fans``, ``pumps``,
        ``tower_fans``, ``dry_cooler_fans``, ``chillers`` (compressors, trim included).

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556 (see module docstring);
    :mod:`gridtwin.campus.plant` for the dry and evaporative designs.
    """
    c = cooling if cooling is not None else CoolingConfig()
    t_db, t_wb, p = np.broadcast_arrays(
        np.asarray(temp_air, dtype=float),
        np.asarray(temp_wetbulb, dtype=float),
        np.asarray(pressure, dtype=float),
    )
    parts = cooling_plant(t_db, t_wb, p, c).parts
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
