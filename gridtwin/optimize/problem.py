"""Backend-neutral description of the campus sizing problem.

A :class:`SystemProblem` holds plain arrays on one time index and says nothing about how a
solver represents it. Backends (:mod:`gridtwin.optimize.pypsa_backend`,
:mod:`gridtwin.optimize.cvxpy_backend`) turn it into a model and return a :class:`Solution` with
the same fields whatever the backend.

The problem
-----------
Minimise annualised capital cost (investment annuity + fixed O&M) of the extendable assets plus
variable cost plus grid energy cost minus export revenue plus demand charges (plus
``tie_break_cost`` per MWh of storage discharge and export), subject to

* energy balance at the site bus every time step:
  ``sum_g p_g + sum_s (discharge_s - charge_s) + import - export = load``;
* availability ``0 <= p_g <= capacity_factor_g * p_nom_g``;
* storage ``0 <= soc <= e_nom``, ``charge <= p_nom``, ``discharge <= p_nom`` (or the separate
  discharge rating), ``soc_t = soc_{t-1} + w_t (eta_c * charge_t - discharge_t / eta_d)``
  cyclic over the horizon, ``e_nom = max_hours * p_nom_discharge / efficiency_discharge``
  where a duration is fixed (hours at rated power);
* POI limits ``import, export <= poi.p_nom``; a negative import price is earned on
  ``min(import, load served)`` only, and export pays it;
* hourly CFE target x (24/7 matching as in Xu et al. 2021, "System-level impacts of 24/7
  carbon-free electricity procurement", Zenodo doi:10.5281/zenodo.5874413), in every CFE
  period (the horizon, or each year of stacked years):
  ``sum_t w_t [sum_clean p + discharge - charge - export + cfe_t * import_t] >= x * sum_t w_t
  served_t``, with ``served_t`` the load after shifting and curtailment (the load the
  period actually served: load moved across a period's end counts where it is served).

``w_t`` is the snapshot weight (hours; 1 at full resolution).

Offsite contracts (generators with ``offsite``; plants elsewhere in the grid zone): their output
``q_t`` is split into ``delivered_t`` (through the POI to the campus) and ``sold_t`` (at the
export price), ``sum_offsite q_t = delivered_t + sold_t``. The POI import is the physical flow
``import_t = market_t + delivered_t <= poi.p_nom``: the import price is paid on ``market_t``
only, so a delivered MWh counts as clean only up to the hour's import. In the hourly CFE sum
``delivered_t + cfe_t market_t`` replaces ``cfe_t import_t``; annual (volumetric) matching
counts all offsite output. Land: ``sum_onsite land_use x p_nom <= land_area``.

With a site network (``network``) the energy balance holds at every bus and the branch flows
obey the rows of :mod:`gridtwin.network.spec`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from gridtwin.kpis.matching import (
    HOURLY_REGIMES,
    Matching,
    matched_grid_share,
    matching_groups,
)
from gridtwin.network.spec import NetworkSpec
from gridtwin.optimize.heat import HeatSpec, WaterSpec
from gridtwin.optimize.outage import OutageSpec
from gridtwin.optimize.periods import (
    HOURS_PER_JULIAN_YEAR,
    STUB_HOURS,
    demand_charge_months,
    horizon_years,
    weather_years,
)
from gridtwin.optimize.problem_checks import check_problem
from gridtwin.optimize.solution import Solution


@dataclass(frozen=True)
class GeneratorSpec:
    """An extendable variable renewable generator.

    Attributes
    ----------
    name : str
        Technology name (``"solar"``, ``"onwind"``).
    capacity_factor : numpy.ndarray
        Available power per MW installed, shape (n_time,), in [0, 1].
    capital_cost : float
        Annualised investment + fixed O&M [currency MW-1 a-1].
    marginal_cost : float
        Variable cost [currency MWh-1].
    clean : bool
        Whether its output counts as carbon-free.
    p_nom_max : float
        Build limit [MW]; ``inf`` for none.
    p_nom : float
        Existing capacity [MW]; the optimiser builds on top of it when ``extendable``.
    extendable : bool
        Whether the optimiser may add capacity.
    co2_intensity : float
        Emissions per MWh of output [t CO2 MWh-1].
    e_sum_max : float
        Largest output over the horizon [MWh] (e.g. permitted run hours); ``inf`` for none.
    offsite : bool
        A contract with a plant elsewhere in the grid zone (not on the site, not in the site
        network): its output reaches the campus through the POI, counts as clean only up to
        the campus's import in that hour, and its excess is sold at the export price.
    land_use : float
        Site land per MW [ha MW-1] (on-site assets; 0 for offsite contracts).
    fixed_om_cost : float
        The fixed O&M part of ``capital_cost`` [currency MW-1 a-1] (reported in the cost
        breakdown; the optimisers use ``capital_cost`` only).
    renewable : bool
        Whether its output is renewable energy (Directive (EU) 2018/2001, art. 2(1): wind,
        solar, geothermal, hydro, biomass; not nuclear): what the renewable energy factor and
        a renewable-share limit count.
    """

    name: str
    capacity_factor: np.ndarray
    capital_cost: float
    marginal_cost: float = 0.0
    clean: bool = True
    p_nom_max: float = float("inf")
    p_nom: float = 0.0
    extendable: bool = True
    co2_intensity: float = 0.0
    e_sum_max: float = float("inf")
    offsite: bool = False
    land_use: float = 0.0
    fixed_om_cost: float = 0.0
    renewable: bool = False


@dataclass(frozen=True)
class StorageSpec:
    """A storage with power (AC side) and energy sized separately.

    Attributes
    ----------
    name : str
        Technology name (``"battery"``).
    capital_cost_power : float
        Annualised cost of charge/discharge power [currency MW-1 a-1].
    capital_cost_energy : float
        Annualised cost of energy capacity [currency MWh-1 a-1].
    efficiency_charge, efficiency_discharge : float
        One-way efficiencies [-]; their product is the round-trip efficiency.
    p_nom, e_nom : float
        Existing AC power [MW] and energy [MWh] capacity (the lower bounds when extendable).
    extendable : bool
        Whether the optimiser may add capacity (``False``: fixed at ``p_nom`` / ``e_nom``).
    capital_cost_discharge : float or None
        ``None`` (batteries): one AC rating ``p_nom`` bounds charging and discharging and
        ``capital_cost_power`` pays for it. A number (hydrogen: electrolyser in, fuel cell out):
        charging power ``p_nom`` (electricity in) and discharging power ``p_nom_discharge``
        (electricity out) are sized separately, at ``capital_cost_power`` and this cost
        [currency MW-1 a-1]; the existing discharge power is then ``p_nom`` too when not
        extendable.
    p_nom_max, e_nom_max : float
        Build limits [MW] (of each power rating) and [MWh]; ``inf`` for none.
    land_use : float
        Site land per MW of (charge) power [ha MW-1].
    max_hours : float or None
        Fixed duration in hours at rated power: the full store delivers its rated AC
        discharge power ``p_nom_discharge`` for ``max_hours``, whatever the discharge
        efficiency, so ``e_nom = max_hours x p_nom_discharge / efficiency_discharge`` (a 4-h
        battery runs 4 h at rated power; a 100-h iron-air unit at 60 % discharge efficiency
        holds 167 MWh per MW). This is the convention pypsa-usa adopted after its users
        found the stored-energy reading short (PyPSA/pypsa-usa#760); e.g. 100 for Form
        Energy's iron-air product. ``None``: power and energy are sized freely.
    fixed_om_cost_power, fixed_om_cost_energy, fixed_om_cost_discharge : float
        The fixed O&M parts of ``capital_cost_power`` [currency MW-1 a-1],
        ``capital_cost_energy`` [currency MWh-1 a-1] and ``capital_cost_discharge``
        [currency MW-1 a-1] (reported in the cost breakdown; not used by the optimisers).
    """

    name: str
    capital_cost_power: float
    capital_cost_energy: float
    efficiency_charge: float
    efficiency_discharge: float
    p_nom: float = 0.0
    e_nom: float = 0.0
    extendable: bool = True
    capital_cost_discharge: float | None = None
    p_nom_max: float = float("inf")
    e_nom_max: float = float("inf")
    max_hours: float | None = None
    land_use: float = 0.0
    fixed_om_cost_power: float = 0.0
    fixed_om_cost_energy: float = 0.0
    fixed_om_cost_discharge: float = 0.0

    @property
    def separate_discharge(self) -> bool:
        """Whether discharge power is sized apart from charge power (e.g. hydrogen)."""
        return self.capital_cost_discharge is not None

    @property
    def max_hours_energy_ratio(self) -> float:
        """Stored energy per MW of rated AC discharge power [h] for a fixed duration:
        ``max_hours / efficiency_discharge`` (see ``max_hours``); raises if none is fixed."""
        if self.max_hours is None:
            raise ValueError(f"storage {self.name} has no fixed max_hours")
        return self.max_hours / self.efficiency_discharge


@dataclass(frozen=True)
class PoiSpec:
    """Point of interconnection with the grid.

    Attributes
    ----------
    p_nom : float
        Import and export limit [MW].
    import_price : numpy.ndarray
        Shape (n_time,) [currency MWh-1].
    export_price : numpy.ndarray
        Shape (n_time,) [currency MWh-1]; revenue per MWh exported.
    grid_cfe_share : numpy.ndarray
        Shape (n_time,), carbon-free share of grid electricity [-].
    grid_co2_intensity : numpy.ndarray or None
        Shape (n_time,), CO2 per MWh imported [t CO2 MWh-1]; ``None``: not counted.
    demand_charge : float
        Charge on the highest import of each calendar month [currency MW-1 month-1] (a
        utility tariff's demand charge, e.g. 10 USD/kW-month = 10 000 USD/MW-month); a month
        only partly in the horizon pays its share (:func:`demand_charge_months`). 0: none.
    utc_offset_h : float
        Offset of local standard time from UTC [h]; billing months are local months (a
        typical year in UTC otherwise spills a few hours into a next January of its own).
    """

    p_nom: float
    import_price: np.ndarray
    export_price: np.ndarray
    grid_cfe_share: np.ndarray
    grid_co2_intensity: np.ndarray | None = None
    demand_charge: float = 0.0
    utc_offset_h: float = 0.0

    def co2_intensity(self, n: int) -> np.ndarray:
        """Grid CO2 intensity per hour [t CO2 MWh-1], zeros when not given."""
        return np.zeros(n) if self.grid_co2_intensity is None else self.grid_co2_intensity


@dataclass(frozen=True)
class FlexSpec:
    """Load flexibility of the campus, MW of site-bus load (see
    :class:`gridtwin.campus.flexibility.FlexibilityEnvelope`).

    Shifting ``s_t`` (positive = load moved into hour t) with ``|s_t| <= shift_max_t``,
    ``s_t <= shift_in_max_t``,
    ``|s_t - s_(t-1)| <= ramp_max_t`` per hour (between aggregated segments, per hour between
    their centres: :meth:`SystemProblem.ramp_limit`) and zero net energy in every window of
    ``window_hours``;
    curtailment ``0 <= c_t <= curtail_max_t``. Hour counts are not linear: the LP bounds
    curtailed energy by ``curtail_energy_max`` over the horizon and by ``curtail_window_energy_max``
    within each window; the hours are counted afterwards and reported.

    Attributes
    ----------
    shift_max, ramp_max, curtail_max : numpy.ndarray
        Shape (n_time,) [MW], [MW/h], [MW].
    shift_in_max : numpy.ndarray or None
        Tighter bound of load moved *into* each hour [MW] (spare IT capacity); ``None``: the
        bound is ``shift_max`` both ways.
    window_hours : int
    shift_cost : float
        Cost per MWh moved, charged on the hours it is moved into [currency MWh-1].
    curtail_energy_max : float
        Curtailed energy budget over the horizon [MWh].
    curtail_window_energy_max : numpy.ndarray
        Curtailed energy budget per window [MWh], shape (n_windows,).
    curtail_cost : float
        Cost per MWh curtailed [currency MWh-1].
    """

    shift_max: np.ndarray
    ramp_max: np.ndarray
    window_hours: int
    shift_cost: float
    curtail_max: np.ndarray
    curtail_energy_max: float
    curtail_window_energy_max: np.ndarray
    curtail_cost: float
    shift_in_max: np.ndarray | None = None

    @property
    def shift_in_bound(self) -> np.ndarray:
        """Bound of load moved into each hour [MW]: ``shift_in_max`` or else ``shift_max``."""
        return self.shift_max if self.shift_in_max is None else self.shift_in_max


@dataclass(frozen=True)
class SystemProblem:
    """The whole sizing problem on one hourly index.

    Attributes
    ----------
    snapshots : pandas.DatetimeIndex
        Hourly, tz-naive UTC, interval start; length n_time.
    load : numpy.ndarray
        Campus load at the site bus [MW], shape (n_time,).
    generators, storage : tuple
        Candidate assets.
    poi : PoiSpec
    cfe_target : float
        Hourly CFE target in [0, 1].
    currency : str
    flex : FlexSpec or None
        Campus load flexibility; ``None`` for a fixed load.
    matching : {"hourly", "monthly", "annual", "eu_hydrogen"}
        The accounting regime of the CFE rows (:mod:`gridtwin.kpis.matching`). ``hourly``
        (24/7): clean energy counts only in the hour it is used, exports are subtracted;
        ``annual`` (volumetric matching): all clean generation counts, exported or not;
        ``monthly``: volumetric within each local calendar month, every month meets the
        target; ``eu_hydrogen``: hourly, and in hours whose price is at or below
        ``low_price_threshold`` the grid import counts as clean (Delegated Regulation (EU)
        2023/1184, art. 6). In all the target is ``cfe_target x sum_t served_t`` (the load
        served) in each matching period (:meth:`matching_groups`).
    low_price_threshold : float or None
        Price at or below which an hour's grid import counts as clean under ``eu_hydrogen``
        [currency MWh-1] (20 EUR/MWh in the regulation, converted to the study currency).
    renewable_share_min : float or None
        Smallest renewable share of the load served in each weather year, on a balance-sheet
        (annual, volumetric) basis [-]: ``sum_t w_t (sum_renewable p_t) + certificates >=
        share x sum_t w_t served_t`` (e.g. 1.0 from 2027 under Germany's EnEfG, § 11(5)).
        ``None``: no such limit.
    certificate_price : float or None
        Price of guarantees of origin counted towards ``renewable_share_min`` [currency
        MWh-1]; ``None``: certificates do not count (only on-site and contracted renewable
        output).
    export_limit : float or None
        Largest energy exported at the POI over the horizon [MWh]; ``None`` for no limit.
    emissions_cap : float or None
        Largest CO2 of non-clean generation and grid imports over the horizon [t CO2];
        ``None`` for no cap.
    horizon_years : float
        Length of the horizon in years. The capital costs of the specs are for the whole
        horizon (annual cost x ``horizon_years``, see :func:`horizon_years`); results divide by
        it to report annual values.
    tie_break_cost : float
        Cost per MWh of storage discharge and of grid export [currency/MWh] that makes the
        optimum unique where curtailed energy is free (see
        :class:`gridtwin.config.SolverConfig`).
    weights : numpy.ndarray or None
        Hours each snapshot stands for, shape (n_time,), > 0 (PyPSA's snapshot weightings);
        ``None``: every snapshot is one hour. Set by time-series aggregation
        (:mod:`gridtwin.optimize.aggregate`), where snapshot t starts segment t and lasts
        ``weights[t]`` hours. Every energy term is power x weight: costs of energy, the CFE
        sums, ``e_sum_max``, export and emissions limits, storage dynamics
        (``soc_t = soc_(t-1) + w_t (eta_c charge_t - discharge_t / eta_d)``) and the
        flexibility energy balances.
    land_area : float or None
        Site land for on-site assets [ha]: ``sum land_use x p_nom <= land_area`` over on-site
        generators and storage, existing capacity included; ``None``: no limit.
    network : NetworkSpec or None
        The site network (:mod:`gridtwin.network.spec`): every on-site asset at a bus, the
        campus load at ``network.load_bus``, the POI exchange at ``network.grid_bus``, branch
        flows within ratings (N-1 where ``network.n1``) and branch upgrades as investments.
        ``None``: one site bus (the POI limit is the only grid constraint).
    heat : HeatSpec or None
        Waste heat sold to a district heating network (:mod:`gridtwin.optimize.heat`);
        ``None``: none.
    outage : OutageSpec or None
        Grid outages the critical load must ride through (:mod:`gridtwin.optimize.outage`);
        ``None``: none.
    water : WaterSpec or None
        Water of the cooling, priced or limited (:mod:`gridtwin.optimize.heat`); ``None``:
        not in the LP.
    """

    snapshots: pd.DatetimeIndex
    load: np.ndarray
    generators: tuple[GeneratorSpec, ...]
    storage: tuple[StorageSpec, ...]
    poi: PoiSpec
    cfe_target: float
    currency: str = "USD"
    tie_break_cost: float = 0.0
    flex: FlexSpec | None = None
    horizon_years: float = 1.0
    matching: Matching = "hourly"
    export_limit: float | None = None
    emissions_cap: float | None = None
    weights: np.ndarray | None = None
    network: NetworkSpec | None = None
    land_area: float | None = None
    low_price_threshold: float | None = None
    renewable_share_min: float | None = None
    certificate_price: float | None = None
    heat: HeatSpec | None = None
    water: WaterSpec | None = None
    outage: OutageSpec | None = None

    def __post_init__(self) -> None:
        check_problem(self)

    def relaxed_for_max_cfe(self, score: float = 0.0) -> SystemProblem:
        """The problem whose maximal clean supply, with curtailed load valued at ``score``,
        is a step of the search for the highest reachable CFE score
        (:func:`gridtwin.optimize.backends.max_reachable_cfe`).

        Same assets, limits and flexibility (curtailment included), no tie-break cost, and
        ``cfe_target = score`` [-]: the backends' clean-supply expression then counts each
        curtailed MWh at ``score``, so maximising it maximises ``clean - score x served``
        (Dinkelbach's step for the ratio clean / served).
        """
        return replace(self, cfe_target=min(max(score, 0.0), 1.0), tie_break_cost=0.0)

    @property
    def snapshot_weights(self) -> np.ndarray:
        """Hours each snapshot stands for, shape (n_time,) [h]; ones without aggregation."""
        if self.weights is None:
            return np.ones(len(self.snapshots))
        return np.asarray(self.weights, dtype=float)

    def billing_months(self) -> tuple[np.ndarray, np.ndarray]:
        """Local billing month of each snapshot and each month's share in the horizon (see
        :func:`demand_charge_months`)."""
        return demand_charge_months(self.snapshots, self.weights, self.poi.utc_offset_h)

    def ramp_limit(self) -> np.ndarray:
        """Largest change of the load shift into each snapshot [MW], shape (n_time,).

        ``flex.ramp_max`` is per hour [MW/h]; from snapshot ``t-1`` to ``t`` the limit is
        ``ramp_max_t x (w_(t-1) + w_t) / 2``, the hours between the two segments' centres
        (1 h at hourly resolution, so unchanged there; an aggregated problem's segments of
        several hours may ramp as far as the hours between them allow). The first snapshot
        ramps from the hour before the horizon: ``(1 + w_0) / 2`` hours.

        Raises
        ------
        ValueError
            The problem has no flexibility.
        """
        if self.flex is None:
            raise ValueError("problem has no flexibility (flex is None)")
        w = self.snapshot_weights
        hours = (np.concatenate([[1.0], w[:-1]]) + w) / 2.0
        return np.asarray(self.flex.ramp_max, dtype=float) * hours

    def window_index(self, window_hours: int) -> np.ndarray:
        """Number of the ``window_hours`` window each snapshot starts in, shape (n_time,).

        Counted in hours from the first snapshot, so it holds for aggregated (weighted)
        snapshots too.
        """
        elapsed = np.concatenate([[0.0], np.cumsum(self.snapshot_weights)[:-1]])
        return (elapsed // window_hours).astype(int)

    def cfe_groups(self) -> np.ndarray:
        """Period each snapshot's CFE is counted in, shape (n_time,), 0..n_periods-1.

        One period for a horizon of up to a year; for stacked weather years
        (``horizon_years >= 2``) each weather year is a period and must meet the target on its
        own, so the capacities serve every year (a good year cannot make up for a bad one).
        Weather years are local calendar years (:func:`weather_years`), so two local-time years
        give two periods, never UTC years with a stub of a few hours.
        """
        if self.horizon_years < 2:
            return np.zeros(len(self.snapshots), dtype=int)
        return weather_years(self.snapshots, self.poi.utc_offset_h, self.weights)[0]

    def matching_groups(self) -> np.ndarray:
        """Period each snapshot's clean supply is matched in, shape (n_time,), 0..n-1: the
        CFE periods (:meth:`cfe_groups`), split into local calendar months under ``monthly``
        matching (:func:`gridtwin.kpis.matching.matching_groups`)."""
        return matching_groups(
            self.matching, self.cfe_groups(), self.snapshots, self.poi.utc_offset_h
        )

    def matching_mean(self, values: np.ndarray) -> float:
        """Mean of one value per matching period (e.g. the CFE rows' shadow prices), weighted
        by the periods' load: the cost of one more MWh of clean supply spread over the periods
        as the target spreads it [unit of ``values``]."""
        load = np.bincount(self.matching_groups(), self.snapshot_weights * self.load)
        values = np.asarray(values, dtype=float).ravel()
        if load.sum() <= 0 or len(load) != len(values):
            return float(values.mean())
        return float(values @ load / load.sum())

    @property
    def hourly_accounting(self) -> bool:
        """Whether clean energy counts in the hour it is used (exports subtracted, offsite
        contracts up to the hour's import): ``hourly`` and ``eu_hydrogen`` matching."""
        return self.matching in HOURLY_REGIMES

    def matched_grid_share(self) -> np.ndarray:
        """Share of each hour's grid import the CFE rows count as clean [-], shape (n_time,):
        the grid's carbon-free share, and 1 in the low-price hours of ``eu_hydrogen``
        matching (:func:`gridtwin.kpis.matching.matched_grid_share`)."""
        return matched_grid_share(
            self.matching,
            self.poi.grid_cfe_share,
            self.poi.import_price,
            self.low_price_threshold,
        )

    def shift_crosses_periods(self) -> bool:
        """Whether a load-shifting window spans two CFE periods, so that shifting moves load
        served from one period into another (never without flexibility). Otherwise shifted
        load sums to zero within each period and the CFE rows need not count it."""
        if self.flex is None:
            return False
        window = self.window_index(self.flex.window_hours)
        same_window = np.diff(window) == 0
        return bool(np.any(np.diff(self.matching_groups())[same_window] != 0))

    def period_labels(self) -> list[int]:
        """Local calendar year each CFE period starts in, length n_periods."""
        years = weather_years(self.snapshots, self.poi.utc_offset_h, self.weights)[1]
        return [int(y) for y in years[: int(self.cfe_groups().max()) + 1]]

    def budget_shares(self) -> tuple[np.ndarray, np.ndarray]:
        """How the horizon budgets split over the CFE periods.

        Budgets given per year (generators' ``e_sum_max``, the flexibility's
        ``curtail_energy_max``, ``export_limit``, ``emissions_cap``; the problem holds them
        for the whole horizon) apply to each weather year on its own: period ``k`` may use
        ``budget x share_k``, where ``share_k`` is its hours over the horizon's. One period
        (a horizon of up to a year) keeps the budget whole.

        Returns
        -------
        groups : numpy.ndarray of int
            Shape (n_time,), the period of each snapshot (:meth:`cfe_groups`).
        shares : numpy.ndarray
            Shape (n_periods,), hours of each period / hours of the horizon [-]; sums to 1.
        """
        groups = self.cfe_groups()
        hours = np.bincount(groups, weights=self.snapshot_weights)
        return groups, hours / hours.sum()

    def served_max(self) -> np.ndarray:
        """Largest load served in each hour [MW], shape (n_time,): the load plus what shifting
        may move into the hour."""
        extra = 0.0 if self.flex is None else self.flex.shift_in_bound
        return np.asarray(self.load + extra, dtype=float)

    @property
    def offsite(self) -> tuple[GeneratorSpec, ...]:
        """The offsite contracts among the generators."""
        return tuple(g for g in self.generators if g.offsite)

    @property
    def offsite_limit(self) -> float:
        """Largest total output of the offsite contracts in any hour [MW] (sum of their size
        limits): the bound of what can be sold."""
        return float(sum(g.p_nom + (g.p_nom_max if g.extendable else 0.0) for g in self.offsite))

    @property
    def technologies(self) -> list[str]:
        """Names of all candidate technologies, generators first."""
        return [g.name for g in self.generators] + [s.name for s in self.storage]


__all__ = [
    "HOURS_PER_JULIAN_YEAR",
    "STUB_HOURS",
    "FlexSpec",
    "GeneratorSpec",
    "HeatSpec",
    "PoiSpec",
    "Solution",
    "StorageSpec",
    "SystemProblem",
    "WaterSpec",
    "demand_charge_months",
    "horizon_years",
    "weather_years",
]
