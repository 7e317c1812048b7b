"""Backup generators and UPS batteries of the campus as optimiser-ready assets.

Fuel quantities are on a net (lower) heating value basis, as the IPCC emission factors:
``marginal_cost = fuel_cost / efficiency`` [currency/MWh_el] (no variable O&M is added) and
``co2_intensity = co2 / efficiency`` [t/MWh_el]; the yearly energy is capped by the permitted
run hours, ``max_energy = p_nom x max_run_hours``.

References
----------
.. [1] IPCC (2006). 2006 IPCC Guidelines for National Greenhouse Gas Inventories, vol. 2
   Energy, ch. 2 Stationary Combustion, table 2.2 (gas/diesel oil 74 100 kg CO2/TJ, natural
   gas 56 100 kg CO2/TJ).
.. [2] US EPA, 40 CFR 63.6640(f) (NESHAP for stationary reciprocating internal combustion
   engines): emergency engines, 100 h/a for maintenance, testing and emergency demand response.
.. [3] US EPA (1995). Calculating Potential to Emit (PTE) for Emergency Generators
   (J. S. Seitz memorandum): 500 h/a.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gridtwin.config import CampusConfig

#: Energy of one MWh [TJ] (3.6 GJ).
TJ_PER_MWH: Final = 0.0036
#: IPCC (2006) vol. 2 ch. 2 table 2.2 default CO2 emission factors of stationary combustion
#: [t CO2/TJ, net calorific value].
IPCC_CO2_T_PER_TJ: Final[dict[str, float]] = {"diesel": 74.1, "natural_gas": 56.1}


@dataclass(frozen=True)
class BackupAsset:
    """A dispatchable backup generator for the optimiser.

    Attributes
    ----------
    name : str
    kind : str
        ``diesel``, ``gas_engine`` or ``gas_turbine``.
    p_nom : float
        Rating [MW].
    marginal_cost : float
        Fuel cost per MWh of electricity [currency/MWh_el] = fuel_cost / efficiency.
    co2_intensity : float
        Emissions per MWh of electricity [t CO2/MWh_el] = co2 / efficiency.
    max_energy : float
        Largest yearly output [MWh/a] = p_nom x max_run_hours.
    """

    name: str
    kind: str
    p_nom: float
    marginal_cost: float
    co2_intensity: float
    max_energy: float


@dataclass(frozen=True)
class UpsStorage:
    """The part of the UPS batteries the optimiser may cycle, as an existing storage.

    Attributes
    ----------
    e_nom : float
        Usable energy [MWh] = energy_per_mw x it_capacity x (1 - reserve_share).
    p_nom : float
        Charge and discharge power [MW] = it_capacity.
    efficiency_roundtrip : float
        AC-to-AC round-trip efficiency [-].
    e_reserved : float
        Energy kept for ride-through [MWh], not available to the optimiser.
    """

    e_nom: float
    p_nom: float
    efficiency_roundtrip: float
    e_reserved: float


def backup_assets(cfg: CampusConfig) -> list[BackupAsset]:
    """Backup generators of the campus with per-MWh_el costs, emissions and energy caps.

    Parameters
    ----------
    cfg : CampusConfig
        ``backup`` list (name, kind, p_nom [MW], efficiency [-], fuel_cost [currency/MWh_fuel],
        co2 [t/MWh_fuel], max_run_hours [h/a]).

    Returns
    -------
    list of BackupAsset
        In the order of the config.

    References
    ----------
    IPCC (2006) vol. 2 ch. 2 table 2.2; US EPA 40 CFR 63.6640(f).

    Examples
    --------
    >>> from gridtwin.config import CampusConfig
    >>> cfg = CampusConfig(backup=[{"name": "gensets", "kind": "diesel", "p_nom": 10.0,
    ...                             "fuel_cost": 100.0, "efficiency": 0.4}])
    >>> a = backup_assets(cfg)[0]
    >>> a.marginal_cost, round(a.co2_intensity, 5), a.max_energy
    (250.0, 0.6669, 1000.0)
    """
    return [
        BackupAsset(
            name=g.name,
            kind=g.kind,
            p_nom=g.p_nom,
            marginal_cost=g.fuel_cost / g.efficiency,
            co2_intensity=g.co2 / g.efficiency,
            max_energy=g.p_nom * g.max_run_hours,
        )
        for g in cfg.backup
    ]


def ups_storage(cfg: CampusConfig) -> UpsStorage:
    """Usable part of the UPS batteries as existing storage.

    Parameters
    ----------
    cfg : CampusConfig
        ``it_capacity`` [MW] and ``ups`` (energy_per_mw [MWh/MW], reserve_share [-],
        efficiency_roundtrip [-]).

    Returns
    -------
    UpsStorage

    Examples
    --------
    >>> from gridtwin.config import CampusConfig
    >>> u = ups_storage(CampusConfig(it_capacity=600.0))
    >>> round(u.e_nom, 6), u.p_nom, round(u.e_reserved, 6)
    (50.0, 600.0, 50.0)
    """
    energy = cfg.ups.energy_per_mw * cfg.it_capacity
    return UpsStorage(
        e_nom=energy * (1.0 - cfg.ups.reserve_share),
        p_nom=cfg.it_capacity,
        efficiency_roundtrip=cfg.ups.efficiency_roundtrip,
        e_reserved=energy * cfg.ups.reserve_share,
    )
