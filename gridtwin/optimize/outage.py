"""Backend-neutral outage scenarios of the sizing problem (see
:mod:`gridtwin.optimize.problem`): the campus must carry its critical load through grid outages
that start at chosen hours, as in NREL REopt's resilience sizing (Cutler, D. et al. (2017),
"REopt: A Platform for Energy System Integration and Optimization", NREL/TP-7A40-70022; the
``outage_start_time_steps`` and ``outage_durations`` of REopt.jl), with the island of
:mod:`gridtwin.resilience.island`.

For each scenario ``s`` (an outage of ``H`` hours from snapshot ``t_s``; hour ``h`` is
snapshot ``tau = (t_s + h) mod T``):

* on-site generation ``A_{s,h} = sum_j p_nom_j cf_j(tau)`` (the generators of ``generators``,
  their ``p_nom`` a decision when extendable) goes to the load (``a_{s,h}``) or charges the
  storage pool: ``a_{s,h} + c_{s,h} <= A_{s,h}`` (generator sets never charge storage, as in
  the survival model);
* load: ``g_{s,h} + d_{s,h} + a_{s,h} >= L(tau)`` (``L`` the critical load [MW]);
* generator sets: ``g_{s,h} <= derate (G_0 + G_new)``, ``derate`` the share of the fleet's
  rating that works through the outage with the survival target's probability (chosen by
  :mod:`gridtwin.resilience.sizing`);
* fuel, burnt as the survival model counts it (the whole net load, storage or not):
  ``u_{s,h} >= L(tau) - A_{s,h}``, ``u >= 0`` and, every hour,
  ``sum_{j <= h} u_{s,j} <= (fuel_hours + refuel_share n_h)(G_0 + G_new) + F_new`` with
  ``n_h`` the delivery hours up to ``h``;
* storage pool (all storage, plus the UPS reserve ``R`` that the optimiser's storage leaves
  out): ``e_{s,h} = e_{s,h-1} + eta_c c_{s,h} - d_{s,h} / eta_d`` from
  ``e_{s,-1} = sum_i soc_i(t_s - 1) + R`` (the grid-connected dispatch's stored energy when
  the outage starts), ``0 <= e <= sum_i e_nom_i + R``, ``d <= sum_i p_dis_i``,
  ``c <= sum_i p_nom_i``, with the pool's lowest efficiencies;
* costs: ``genset_capital_cost G_new + fuel_capital_cost F_new`` (when allowed).

The outage dispatch does not enter the year's energy, costs or CFE: outages are rare events
the design must withstand, not part of the typical year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OutageSpec:
    """Outage scenarios the sizing must ride through (module docstring).

    Attributes
    ----------
    starts : numpy.ndarray
        Snapshot index of each outage start, shape (n_outage,), int.
    hours : int
        Duration of each outage ``H`` [h].
    critical_load : numpy.ndarray
        ``L``, critical load at the site bus [MW], shape (n_time,).
    generators : tuple of str
        On-site generators that run in an outage (not the backup generator sets).
    storage : tuple of str
        Storage in the pool (every on-site storage).
    backup_p_nom : float
        ``G_0``, existing generator sets [MW].
    derate : float
        Share of the generator sets' rating counted in an outage [-].
    fuel_hours : float
        Fuel on site per MW of generator sets [MWh/MW, i.e. h at rating].
    refuel_delay_h : float
        Hours before deliveries arrive [h].
    refuel_share : float
        Deliveries per hour per MW of generator sets [MWh/MW/h].
    reserve : float
        ``R``, energy the UPS keeps for ride-through [MWh].
    efficiency_charge, efficiency_discharge : float
        Of the pool [-].
    genset_capital_cost : float or None
        Annualised cost of new generator sets [currency MW-1 a-1]; ``None``: none built.
    fuel_capital_cost : float or None
        Annualised cost of fuel storage beyond ``fuel_hours`` [currency MWh-1 a-1, per MWh of
        generator output]; ``None``: none built.
    """

    starts: np.ndarray
    hours: int
    critical_load: np.ndarray
    generators: tuple[str, ...]
    storage: tuple[str, ...]
    backup_p_nom: float
    derate: float
    fuel_hours: float
    refuel_delay_h: float
    refuel_share: float
    reserve: float
    efficiency_charge: float
    efficiency_discharge: float
    genset_capital_cost: float | None = None
    fuel_capital_cost: float | None = None

    def snapshot_index(self) -> np.ndarray:
        """``tau``, the snapshot of each outage hour, shape (n_outage, hours)."""
        n = len(self.critical_load)
        return (np.asarray(self.starts)[:, None] + np.arange(self.hours)[None, :]) % n

    def delivery_hours(self) -> np.ndarray:
        """``n_h``, hours with fuel deliveries up to and including hour h, shape (hours,)."""
        return np.cumsum(np.arange(self.hours) >= self.refuel_delay_h).astype(float)

    def fuel_per_mw(self) -> np.ndarray:
        """Fuel available up to each hour per MW of generator sets [MWh/MW], shape (hours,)."""
        return self.fuel_hours + self.refuel_share * self.delivery_hours()


#: Keys of the outage dispatch in :attr:`Solution.outage`, each shape (n_outage, hours):
#: generator sets, storage discharge and charge, on-site generation to the load, stored
#: energy at the end of the hour, net load the fuel covers [MW or MWh].
OUTAGE_KEYS = ("genset", "discharge", "charge", "onsite", "energy", "net_load")


def outage_costs(spec: OutageSpec | None, capacity: dict[str, float]) -> float:
    """Annualised cost of the new generator sets and fuel [currency a-1] (0 without)."""
    if spec is None:
        return 0.0
    cost = 0.0
    if spec.genset_capital_cost is not None:
        cost += spec.genset_capital_cost * capacity.get("genset", 0.0)
    if spec.fuel_capital_cost is not None:
        cost += spec.fuel_capital_cost * capacity.get("fuel", 0.0)
    return cost


__all__ = ["OUTAGE_KEYS", "OutageSpec", "outage_costs"]
