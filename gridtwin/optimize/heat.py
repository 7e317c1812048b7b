"""Backend-neutral heat side and water of the sizing problem (see
:mod:`gridtwin.optimize.problem`).

Heat reuse (:class:`HeatSpec`)
------------------------------
The campus's warm cooling loop gives ``k_t served_t`` MW_th (``served_t`` the site load after
shifting and curtailment). Heat delivered to the district network ``q_t >= 0`` [MW_th] takes
``b_t q_t`` of it and ``a_t q_t`` MW of heat-pump electricity, and saves ``r_t b_t q_t`` MW of
on-site heat rejection (chillers, tower pumps and fans), so the site bus consumes
``served_t + e_t q_t`` with ``e_t = a_t - r_t b_t`` (:mod:`gridtwin.campus.heat`). Then

* ``b_t q_t <= k_t served_t`` (no more heat than the IT gives);
* heat pumps: ``h_t q_t <= p_nom_hp`` (``h_t`` the heat-pump share of the delivered heat);
* a hot-water tank, as PyPSA's ``Store``: ``E_t = (1 - loss)^{w_t} E_(t-1) - w_t P_t``
  cyclic, ``0 <= E_t <= e_nom``, ``|P_t| <= e_nom / storage_hours`` (``P_t > 0``
  discharges);
* heat sold ``s_t = q_t + P_t`` with ``0 <= s_t <= demand_t``, paid ``price`` per MWh_th;
* the CFE target applies to the site's whole consumption: ``x sum_t w_t e_t q_t`` is added to
  ``x sum_t w_t served_t``.

The rejected heat ``k_t served_t - b_t q_t`` leaves through the towers or dry coolers: the
heat balance every hour is ``k_t served_t = b_t q_t + rejected_t`` and at the network
``q_t + P_t = s_t``.

Water (:class:`WaterSpec`)
--------------------------
``water_t = omega_t served_t - psi_t b_t q_t`` [m3 h-1]: the cooling's water per MW of site
load, less what recovered heat does not evaporate. ``price`` is paid on it; ``sum_t w_t
water_t <= annual_max`` over each weather year's share and ``water_t <= peak_max``. The
objective holds only the part that depends on decisions (PyPSA's ``include_objective_constant
= False``); the results add the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HeatSpec:
    """Waste heat delivered to a district heating network (module docstring).

    Attributes
    ----------
    heat_per_load : numpy.ndarray
        ``k_t``, warm-loop heat per MW of site load served [MW_th MW-1], shape (n_time,).
    power_per_heat : numpy.ndarray
        ``a_t``, heat-pump electricity per MW_th delivered [MW MW_th-1].
    source_per_heat : numpy.ndarray
        ``b_t = 1 - a_t``, warm-loop heat per MW_th delivered [-].
    heat_pump_share : numpy.ndarray
        ``h_t``, heat-pump output per MW_th delivered [-] (the rest is direct transfer).
    saving_per_source : numpy.ndarray
        ``r_t``, on-site rejection power saved per MW_th of warm-loop heat recovered
        [MW MW_th-1].
    demand : numpy.ndarray
        Network demand [MW_th].
    price : float
        Heat price [currency MWh_th-1].
    heat_pump_capital_cost : float
        Annualised investment and fixed O&M of heat pumps for the horizon [currency MW_th-1].
    heat_pump_marginal_cost : float
        Variable O&M per MWh_th of heat-pump output [currency MWh_th-1].
    heat_pump_p_nom_max : float
        Largest heat-pump output [MW_th]; ``inf`` for none.
    storage : bool
        Whether a hot-water tank may be built.
    storage_capital_cost : float
        Annualised tank cost for the horizon [currency MWh_th-1].
    storage_standing_loss : float
        Share of the stored heat lost per hour [h-1].
    storage_hours : float
        Energy-to-power ratio of the tank [h]: ``|P_t| <= e_nom / storage_hours``.
    heat_pump_fixed_om, storage_fixed_om : float
        Fixed O&M parts of the capital costs (reported only) [currency MW_th-1], [currency
        MWh_th-1].
    """

    heat_per_load: np.ndarray
    power_per_heat: np.ndarray
    source_per_heat: np.ndarray
    heat_pump_share: np.ndarray
    saving_per_source: np.ndarray
    demand: np.ndarray
    price: float
    heat_pump_capital_cost: float
    heat_pump_marginal_cost: float = 0.0
    heat_pump_p_nom_max: float = float("inf")
    storage: bool = True
    storage_capital_cost: float = 0.0
    storage_standing_loss: float = 0.0
    storage_hours: float = 1.0
    heat_pump_fixed_om: float = 0.0
    storage_fixed_om: float = 0.0

    @property
    def net_power(self) -> np.ndarray:
        """``e_t = a_t - r_t b_t``: site-bus consumption per MW_th delivered [MW MW_th-1]."""
        return np.asarray(
            self.power_per_heat - self.saving_per_source * self.source_per_heat, dtype=float
        )

    def delivery_limit(self, served_max: np.ndarray) -> float:
        """Largest heat deliverable in any hour [MW_th], from the largest load served."""
        k = np.asarray(self.heat_per_load * served_max / self.source_per_heat, dtype=float)
        return float(max(k.max(), 0.0))


@dataclass(frozen=True)
class WaterSpec:
    """Water of the cooling: price and limits (module docstring).

    Attributes
    ----------
    per_load : numpy.ndarray
        ``omega_t``, water per MW of site load served [m3 h-1 MW-1], shape (n_time,).
    per_source : numpy.ndarray
        ``psi_t``, water saved per MW_th of warm-loop heat recovered [m3 h-1 MW_th-1].
    price : float
        [currency m-3].
    annual_max : float or None
        Largest water over the horizon [m3] (a year's limit x the horizon's years; each
        weather year gets its share); ``None``: none.
    peak_max : float or None
        Largest water in any hour [m3 h-1]; ``None``: none.
    basis : str
        ``"withdrawal"`` or ``"consumption"`` (reported).
    """

    per_load: np.ndarray
    per_source: np.ndarray
    price: float = 0.0
    annual_max: float | None = None
    peak_max: float | None = None
    basis: str = "withdrawal"

    @property
    def priced_or_limited(self) -> bool:
        """Whether the LP needs water rows or costs at all."""
        return bool(self.price) or self.annual_max is not None or self.peak_max is not None


def heat_values(
    heat: HeatSpec, delivered: np.ndarray, storage_p: np.ndarray, storage_e: np.ndarray
) -> dict[str, np.ndarray]:
    """The heat side's hourly results from the solved delivery and tank (see
    :attr:`gridtwin.optimize.solution.Solution.heat`), the same for both backends."""
    q = np.asarray(delivered, dtype=float)
    source = heat.source_per_heat * q
    return {
        "delivered": q,
        "storage_p": np.asarray(storage_p, dtype=float),
        "storage_e": np.asarray(storage_e, dtype=float),
        "sold": q + storage_p,
        "source": source,
        "heat_pump_power": heat.power_per_heat * q,
        "rejection_saving": heat.saving_per_source * source,
    }


def water_values(water: WaterSpec, served: np.ndarray, heat: dict[str, np.ndarray]) -> np.ndarray:
    """Hourly water [m3 h-1]: ``omega_t served_t - psi_t x source_t`` (module docstring)."""
    use = water.per_load * np.asarray(served, dtype=float)
    if heat:
        use = use - water.per_source * heat["source"]
    return np.asarray(use, dtype=float)


def heat_costs(
    heat: HeatSpec | None,
    water: WaterSpec | None,
    weights: np.ndarray,
    load: np.ndarray,
    served: np.ndarray,
    values: dict[str, np.ndarray],
    capacity: dict[str, float],
) -> tuple[float, float]:
    """Capital and operating cost of the heat side and water as the backends' objective has
    them [currency]: heat pumps and tank; heat-pump variable O&M less heat sales; water price
    on the decided part ``water_t - omega_t load_t`` (the objective has no constants).

    ``load`` and ``served`` are the campus load before and after flexibility [MW].
    """
    capital = operating = 0.0
    if heat is not None:
        capital = heat.heat_pump_capital_cost * capacity["heat_pump"]
        capital += heat.storage_capital_cost * capacity["heat_storage"]
        hp_output = heat.heat_pump_share * values["delivered"]
        operating = heat.heat_pump_marginal_cost * float(weights @ hp_output)
        operating -= heat.price * float(weights @ values["sold"])
    if water is not None and water.price:
        decided = water_values(water, served, values) - water.per_load * load
        operating += water.price * float(weights @ decided)
    return capital, operating


__all__ = ["HeatSpec", "WaterSpec", "heat_costs", "heat_values", "water_values"]
