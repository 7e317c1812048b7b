"""Waste heat of the campus for a district heating network: heat-pump COP, direct heat
transfer and the network's hourly demand.

Heat recovery
-------------
The warm loop's water (:class:`gridtwin.campus.plant.Plant`: returning from the IT at
``source_in``, sent back at ``source_out``) heats the network's return water (``return_temp``
to ``supply_temp``). Where the source is warm enough, a plate heat exchanger preheats it
directly; heat pumps lift the rest. Per MWh delivered to the network::

    span           = supply_temp - return_temp
    direct share   phi = clip((source_in - pinch - return_temp) / span, 0, 1)
    heat pump      1 - phi, from T_mid = return_temp + phi span to supply_temp
    electricity    a = (1 - phi) / COP
    source heat    b = 1 - a

The COP is a fixed share (``lorenz_efficiency``) of the Lorenz COP of the heat pump's
temperature glides, each moved by the pinch at the heat exchangers::

    T_lm(in, out) = (in - out) / ln(in / out)          [K], logarithmic mean
    T_sink = T_lm(supply_temp + pinch, T_mid + pinch)
    T_src  = T_lm(source_in - pinch, source_out - pinch)
    COP    = lorenz_efficiency x T_sink / (T_sink - T_src)

(Lorenz-efficiency models of large heat pumps: Jensen et al. 2018, doi:10.18462/iir.gl.2018.1386,
and Reinholdt et al. 2016, the basis of PyPSA-Eur's central heat-pump COP; the pinch default is
PyPSA-Eur's.) The source is split in parallel between the heat exchanger and the heat pump's
evaporator, a simplification that keeps the COP independent of the split.

District heating demand
-----------------------
``demand_t = annual x [s / 8760 + (1 - s) HDH_t / (sum HDH x 8760 / n)]`` [MW_th] with the
hot-water share ``s`` and heating degree-hours ``HDH_t = heating_base - temp_air_t`` where
``temp_air_t <= heating_threshold`` (Eurostat's heating-degree-day rule, hour by hour): each
8760 hours of the weather carry ``annual`` MWh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from gridtwin.config import HeatReuseConfig
from gridtwin.exceptions import ConfigError

logger = logging.getLogger(__name__)

#: 0 degC in kelvin.
KELVIN = 273.15
#: Hours of a (non-leap) year [h]: the annual demand is spread per 8760 hours.
HOURS_PER_YEAR = 8760.0


def log_mean_temperature(t_in: float, t_out: float) -> float:
    """Logarithmic mean of two temperatures [K] from degC (the arithmetic one if equal).

    Examples
    --------
    >>> round(log_mean_temperature(75.0, 45.0) - KELVIN, 2)
    59.77
    """
    a, b = t_in + KELVIN, t_out + KELVIN
    if abs(a - b) < 1e-9:
        return a
    return (a - b) / float(np.log(a / b))


def lorenz_cop(
    sink_in: float,
    sink_out: float,
    source_in: float,
    source_out: float,
    efficiency: float,
    pinch: float,
) -> float:
    """Heat-pump COP as a share of the Lorenz COP of its temperature glides.

    Parameters
    ----------
    sink_in, sink_out : float
        Water entering and leaving the condenser (heated) [degC].
    source_in, source_out : float
        Water entering and leaving the evaporator (cooled) [degC].
    efficiency : float
        COP over the Lorenz COP [-].
    pinch : float
        Temperature difference at both heat exchangers [K].

    Returns
    -------
    float
        COP [-] = heat out / electricity in; ``inf`` when the source (less the pinch) is not
        colder than the sink (no lift needed).

    References
    ----------
    Jensen et al. (2018), doi:10.18462/iir.gl.2018.1386 (module docstring).

    Examples
    --------
    >>> round(lorenz_cop(40.0, 70.0, 42.0, 32.0, 0.5, 5.0), 3)
    5.987
    """
    t_sink = log_mean_temperature(sink_out + pinch, sink_in + pinch)
    t_src = log_mean_temperature(source_in - pinch, source_out - pinch)
    if t_sink <= t_src:
        return float("inf")
    return efficiency * t_sink / (t_sink - t_src)


@dataclass(frozen=True)
class Recovery:
    """Per MWh of heat delivered to the network (see the module docstring).

    Attributes
    ----------
    direct_share : float
        ``phi``, delivered by the plate heat exchanger [-].
    cop : float
        COP of the heat pumps for the rest [-] (``inf`` without heat pumps).
    power : float
        ``a``, heat-pump electricity [MWh per MWh_th delivered].
    source : float
        ``b = 1 - a``, warm-loop heat taken [MWh_th per MWh_th delivered].
    heat_pump_share : float
        ``1 - phi``, heat-pump output [MWh_th per MWh_th delivered].
    """

    direct_share: float
    cop: float
    power: float
    source: float
    heat_pump_share: float


def recovery(source_in: float, source_out: float, cfg: HeatReuseConfig) -> Recovery:
    """Direct share, COP and electricity of delivering the warm loop's heat to the network.

    Parameters
    ----------
    source_in, source_out : float
        Warm-loop water from and back to the IT [degC].
    cfg : HeatReuseConfig
        Network temperatures, Lorenz efficiency and pinch.

    Returns
    -------
    Recovery

    Raises
    ------
    ConfigError
        The source, less the pinch, is not above ``source_out``'s evaporator temperature range
        (the COP would not be positive).

    Examples
    --------
    >>> from gridtwin.config import HeatReuseConfig
    >>> r = recovery(42.0, 32.0, HeatReuseConfig(annual_demand=1e5, price=30.0))
    >>> round(r.direct_share, 3), round(r.cop, 3), round(r.power, 4)
    (0.0, 5.987, 0.167)
    """
    span = cfg.supply_temp - cfg.return_temp
    phi = float(np.clip((source_in - cfg.pinch - cfg.return_temp) / span, 0.0, 1.0))
    if phi >= 1.0:
        return Recovery(1.0, float("inf"), 0.0, 1.0, 0.0)
    if source_out - cfg.pinch <= -KELVIN + 1.0:
        raise ConfigError(
            f"campus.heat_reuse: warm-loop water at {source_out} degC less the pinch "
            f"{cfg.pinch} K is not a heat-pump source; lower pinch"
        )
    t_mid = cfg.return_temp + phi * span
    cop = lorenz_cop(
        t_mid, cfg.supply_temp, source_in, source_out, cfg.lorenz_efficiency, cfg.pinch
    )
    if not cop > 1.0:
        raise ConfigError(
            f"campus.heat_reuse: heat-pump COP {cop:.3g} from {source_in} degC to "
            f"{cfg.supply_temp} degC is not above 1; check supply_temp and lorenz_efficiency"
        )
    power = (1.0 - phi) / cop
    return Recovery(phi, cop, power, 1.0 - power, 1.0 - phi)


def district_heat_demand(temp_air: np.ndarray, cfg: HeatReuseConfig) -> np.ndarray:
    """Hourly heat demand of the network from the outdoor temperature.

    Parameters
    ----------
    temp_air : numpy.ndarray
        Outdoor dry-bulb temperature [degC], shape (n_time,), hourly.
    cfg : HeatReuseConfig
        ``annual_demand`` [MWh_th a-1], ``hot_water_share`` [-], ``heating_base`` and
        ``heating_threshold`` [degC].

    Returns
    -------
    numpy.ndarray
        Demand [MW_th], shape (n_time,); sums to ``annual_demand x n / 8760``. Without a
        heating hour in the weather the whole demand is flat (logged).

    Raises
    ------
    ConfigError
        Weather of less than a year: degree-hours of part of a year cannot place a year's
        demand (a summer slice would carry the winter's heating).

    Examples
    --------
    >>> from gridtwin.config import HeatReuseConfig
    >>> cfg = HeatReuseConfig(annual_demand=8760.0, price=30.0, hot_water_share=0.5)
    >>> temp = np.tile([20.0, 10.0, 16.0, 8.0], 2190)  # a year of four-hour cycles
    >>> district_heat_demand(temp, cfg)[:4].round(3).tolist()
    [0.5, 1.389, 0.5, 1.611]
    """
    t = np.asarray(temp_air, dtype=float)
    n = t.size
    if n < HOURS_PER_YEAR:
        raise ConfigError(
            f"campus.heat_reuse: the weather covers {n} h, less than a year; the network's "
            "demand is spread over a year by degree-hours, so give a full year of weather"
        )
    per_hour = cfg.annual_demand / HOURS_PER_YEAR
    hdh = np.where(t <= cfg.heating_threshold, cfg.heating_base - t, 0.0)
    if hdh.sum() <= 0:
        logger.warning(
            "campus.heat_reuse: no heating hour (temp_air <= %s degC) in the weather; the "
            "network's demand is taken as flat",
            cfg.heating_threshold,
        )
        return np.full(n, per_hour)
    share = cfg.hot_water_share
    return per_hour * (share + (1.0 - share) * hdh * n / hdh.sum())
