"""The campus cut off from the grid: what a result leaves to carry the critical load.

:func:`island_system` reads a result file's arrays into an :class:`IslandSystem`, the input of
the survival analysis (:mod:`gridtwin.resilience.survival`):

* **critical load** at the site bus [MW]: the critical IT load (``critical_load`` shares of
  the inference and training IT load) times the hour's PUE, so outages in hot hours need the
  cooling power of those hours;
* **on-site generation** [MW]: every built on-site technology that is neither storage nor a
  backup generator, at its available output ``p_nom_opt x capacity_factor`` (solar and wind
  with the hour's weather; firm plants assume their fuel keeps coming). Contracts with plants
  elsewhere (``is_offsite``) arrive through the grid and are lost with it;
* **storage**: every on-site storage (batteries, the UPS with its ride-through reserve,
  iron-air, hydrogen) pooled into one: the stored energy at the start of each hour from the
  dispatch, the summed charge and discharge power and energy capacity, and the lowest charge
  and discharge efficiencies of the pool (so the pool never does better than its worst
  member);
* **backup generators**: all backup fleets of the campus, and the generator sets a resilience
  sizing built (``outage_genset_p_nom``), as one fleet of identical units of
  ``gensets.unit_p_nom`` on a paralleling bus, or the N / N+1 / 2N fleet sized to the peak
  critical load, with their reliability and fuel (``gensets.fuel_hours`` at the fleet's
  rating plus the fuel storage a resilience sizing built, ``outage_fuel``).

Generators do not charge storage during an outage (the storage only takes surplus on-site
generation); this keeps the fuel a function of the hour and errs on the side of a shorter
survival.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.config import ResilienceConfig
from gridtwin.conventions import TIME
from gridtwin.exceptions import DataError

#: Variables of a result the island needs.
REQUIRED = (
    "it_load",
    "pue",
    "p_nom_opt",
    "capacity_factor",
    "is_offsite",
    "state_of_charge",
    "e_nom_opt",
    "efficiency_charge",
    "efficiency_discharge",
)
#: Most generator units the survival chain follows (its states grow with the units that may
#: fail; 5,000 units of 3 MW is 15 GW of backup).
MAX_UNITS = 5000


@dataclass(frozen=True)
class IslandSystem:
    """What carries the campus through an outage, hour by hour.

    Attributes
    ----------
    time : pandas.DatetimeIndex
        Start of each hour (UTC), length T.
    critical_load : numpy.ndarray
        Critical load at the site bus [MW], shape (T,).
    generation : numpy.ndarray
        Available on-site generation other than backup [MW], shape (T,).
    soc_start : numpy.ndarray
        Energy in the storage pool at the start of each hour [MWh], shape (T,).
    e_nom : float
        Energy capacity of the storage pool [MWh].
    p_charge, p_discharge : float
        Charge and discharge power of the pool [MW].
    efficiency_charge, efficiency_discharge : float
        Energy stored per MWh drawn, MWh delivered per MWh taken [-].
    units : int
        Backup generator units.
    unit_p_nom : float
        Rating of one unit [MW].
    availability : float
        Probability a unit is available at the outage start [-].
    failure_to_start : float
        Probability an available unit fails to start [-].
    failure_rate : float
        Probability a running unit fails in an hour [1/h] (1 / mean time to failure).
    fuel : float
        Fuel on site at the outage start [MWh of generator output].
    refuel_delay_h : float
        Hours from the outage start to the first fuel delivery [h].
    refuel_rate : float
        Fuel delivered per hour after the delay [MWh of generator output per h].
    """

    time: pd.DatetimeIndex
    critical_load: np.ndarray
    generation: np.ndarray
    soc_start: np.ndarray
    e_nom: float
    p_charge: float
    p_discharge: float
    efficiency_charge: float
    efficiency_discharge: float
    units: int
    unit_p_nom: float
    availability: float
    failure_to_start: float
    failure_rate: float
    fuel: float
    refuel_delay_h: float
    refuel_rate: float

    @property
    def fleet_p_nom(self) -> float:
        """Rating of the whole backup fleet [MW]."""
        return self.units * self.unit_p_nom

    @property
    def start_probability(self) -> float:
        """Probability a unit is available and starts [-]."""
        return self.availability * (1.0 - self.failure_to_start)


def critical_load(ds: xr.Dataset, cfg: ResilienceConfig) -> xr.DataArray:
    """Critical load at the site bus [MW] on ``time``: critical IT load x hourly PUE.

    Raises
    ------
    DataError
        The result has no ``it_load`` or ``pue`` (not a campus result).
    """
    for name in ("it_load", "pue"):
        if name not in ds:
            raise DataError(f"result has no '{name}'; resilience needs a campus result")
    it = ds["it_load"]
    training = ds["it_load_training"] if "it_load_training" in ds else xr.zeros_like(it)
    share = cfg.critical_load
    crit_it = share.inference * (it - training) + share.training * training
    out = (crit_it * ds["pue"]).rename("critical_load")
    out.attrs = {"units": "MW", "long_name": "critical load at the site bus (critical IT x PUE)"}
    return out


def _backup_names(ds: xr.Dataset) -> list[str]:
    return [g["name"] for g in json.loads(str(ds.attrs.get("campus_backup", "[]")))]


def _onsite(ds: xr.Dataset, names: list[str]) -> list[str]:
    tech = [str(t) for t in ds["technology"].values]
    offsite = ds["is_offsite"] if "is_offsite" in ds else xr.zeros_like(ds["p_nom_opt"])
    return [t for t in tech if t in names and not int(offsite.sel(technology=t))]


def _ups_reserve(ds: xr.Dataset) -> float:
    """Energy the UPS keeps for ride-through [MWh] (``campus.ups``), not in the dispatch."""
    ups = json.loads(str(ds.attrs.get("campus_ups", "{}")))
    it_capacity = float(ds.attrs.get("campus_it_capacity_mw", 0.0))
    return float(ups.get("energy_per_mw", 0.0)) * it_capacity * float(ups.get("reserve_share", 0.0))


def island_system(ds: xr.Dataset, cfg: ResilienceConfig) -> IslandSystem:
    """The result's campus cut off from the grid (module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        A single-run result (``gridtwin run``), hourly.
    cfg : ResilienceConfig
        Critical load, generator reliability and fuel.

    Returns
    -------
    IslandSystem

    Raises
    ------
    DataError
        A sweep result (one scenario at a time), a time step other than one hour, or missing
        campus arrays.
    """
    if "scenario" in ds.dims:
        raise DataError(
            "resilience analyses one run; select a scenario first "
            "(ds.isel(scenario=i)) or run the study alone"
        )
    if "segment" in ds.dims or ("snapshot_weight" in ds and float(ds["snapshot_weight"].max()) > 1):
        raise DataError(
            "resilience needs hourly results; this one is aggregated (snapshot_weight > 1): "
            "run the study without aggregation"
        )
    missing = [v for v in REQUIRED if v not in ds]
    missing += [a for a in ("campus_backup", "campus_ups") if a not in ds.attrs]
    if missing:
        raise DataError(
            f"the result has no {', '.join(missing)}; resilience needs a complete result of "
            "gridtwin run (run the study again)"
        )
    time = pd.DatetimeIndex(ds[TIME].values)
    if len(time) < 2 or (np.diff(time.values) != np.timedelta64(1, "h")).any():
        raise DataError("resilience needs an hourly time axis without gaps")
    crit = critical_load(ds, cfg).to_numpy()
    if not np.all(np.isfinite(crit)) or crit.min() < 0:
        raise DataError("the result's it_load x pue has nan, infinite or negative hours")
    backups = _backup_names(ds)
    storage = [str(s) for s in ds["storage"].values] if "storage" in ds.dims else []
    techs = [str(t) for t in ds["technology"].values]
    gen_names = _onsite(ds, [t for t in techs if t not in backups and t not in storage])
    gen = np.zeros(len(time))
    for t in gen_names:
        gen += (
            float(ds["p_nom_opt"].sel(technology=t))
            * ds["capacity_factor"].sel(technology=t).to_numpy()
        )
    pool = _onsite(ds, storage)
    soc_end = (
        ds["state_of_charge"].sel(storage=pool).sum("storage").to_numpy()
        if pool
        else np.zeros(len(time))
    )
    e_nom = float(ds["e_nom_opt"].sel(storage=pool).sum()) if pool else 0.0
    p_ch = float(ds["p_nom_opt"].sel(technology=pool).sum()) if pool else 0.0
    if pool and "p_nom_discharge_opt" in ds:
        p_dis = float(ds["p_nom_discharge_opt"].sel(storage=pool).sum())
    else:
        p_dis = p_ch
    # the UPS's ride-through reserve is outside the optimiser's storage, and always full
    reserve = _ups_reserve(ds) if "ups" in pool else 0.0
    soc_end = soc_end + reserve
    e_nom += reserve
    eff_c = float(ds["efficiency_charge"].sel(storage=pool).min()) if pool else 1.0
    eff_d = float(ds["efficiency_discharge"].sel(storage=pool).min()) if pool else 1.0
    g = cfg.gensets
    peak = float(np.max(crit))
    built = float(ds["outage_genset_p_nom"]) if "outage_genset_p_nom" in ds else 0.0
    if g.redundancy == "as_built":
        # the fleet's rating split into units of about unit_p_nom (never more than built)
        fleet = built + sum(float(ds["p_nom_opt"].sel(technology=b)) for b in backups)
        units = math.ceil(fleet / g.unit_p_nom - 1e-9)
        unit = fleet / units if units else g.unit_p_nom
    else:
        units = math.ceil(peak / g.unit_p_nom - 1e-9)
        units = {"N": units, "N+1": units + 1, "2N": 2 * units}[g.redundancy]
        unit = g.unit_p_nom
    if units > MAX_UNITS:
        raise DataError(
            f"the backup fleet is {units} units of resilience.gensets.unit_p_nom = "
            f"{g.unit_p_nom:g} MW, more than the {MAX_UNITS} the survival analysis follows; "
            "give the rating of one generator set (2.5-3.5 MW for large diesel sets)"
        )
    fleet = units * unit
    return IslandSystem(
        time=time,
        critical_load=crit,
        generation=gen,
        # energy at the start of hour t = energy at the end of hour t - 1 (cyclic)
        soc_start=np.clip(np.roll(soc_end, 1), 0.0, e_nom),
        e_nom=e_nom,
        p_charge=p_ch,
        p_discharge=p_dis,
        efficiency_charge=eff_c,
        efficiency_discharge=eff_d,
        units=int(units),
        unit_p_nom=unit,
        availability=g.operational_availability,
        failure_to_start=g.failure_to_start,
        failure_rate=1.0 / g.mean_time_to_failure,
        fuel=g.fuel_hours * fleet + (float(ds["outage_fuel"]) if "outage_fuel" in ds else 0.0),
        refuel_delay_h=g.refuel_delay_h,
        refuel_rate=g.refuel_share * fleet,
    )
