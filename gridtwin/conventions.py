"""Canonical names, units, dimensions and the time convention of gridtwin.

Time
    Timestamps are UTC, tz-naive, and label the **start** of an hourly interval (PyPSA snapshots
    are tz-naive UTC). Irradiance and power values are means over the interval.
Signs
    Load and storage charging are positive consumption; generation and storage discharge are
    positive injection; the exchange at the point of interconnection (POI) is positive for import
    into the campus.
Units
    MW, MWh, p.u., degC, W m-2, m s-1, Pa, t CO2; money in the study's currency of an explicit
    ``currency_year``.

The :data:`VARIABLES` table is the single source of ``units`` and ``long_name`` attributes for
every variable gridtwin writes (weather sets and result files).
"""

from __future__ import annotations

from typing import Final

import xarray as xr

TIME: Final = "time"
TECHNOLOGY: Final = "technology"
STORAGE: Final = "storage"
BRANCH: Final = "branch"
COST_COMPONENT: Final = "cost_component"
#: Accounting regimes of clean energy (gridtwin.kpis.matching.REGIMES).
MATCHING_REGIME: Final = "matching_regime"
#: The clean generators among the technologies: what can be curtailed.
CURTAILABLE: Final = "curtailable"

CF_CONVENTIONS: Final = "CF-1.10"


def provenance_attrs(title: str) -> dict[str, str]:
    """Global attributes every gridtwin netCDF file carries (CF conventions, section 2.6.2).

    Returns ``Conventions``, ``title``, ``institution``, ``source`` (gridtwin version) and
    ``history`` (UTC creation time).
    """
    from datetime import UTC, datetime

    from gridtwin import __version__

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Conventions": CF_CONVENTIONS,
        "title": title,
        "institution": "produced with gridtwin",
        "source": f"gridtwin {__version__}",
        "history": f"{now}: created by gridtwin {__version__}",
    }


#: name -> (units, long_name). Units are UDUNITS-2 strings, as CF requires: ``MW h`` (not
#: ``MWh``), ``yr`` (in UDUNITS ``a`` is the are, 100 m2), ``1`` for shares and per-unit values.
#: Money has no UDUNITS unit: ``{currency}`` marks a money variable, and :func:`annotate` writes
#: the rest as its ``units`` and the currency as its ``currency`` attribute.
VARIABLES: Final[dict[str, tuple[str, str]]] = {
    # weather (canonical set, docs/conventions.md)
    "ghi": ("W m-2", "global horizontal irradiance, mean over the interval"),
    "dni": ("W m-2", "direct normal irradiance, mean over the interval"),
    "dhi": ("W m-2", "diffuse horizontal irradiance, mean over the interval"),
    "temp_air": ("degC", "dry-bulb air temperature at 2 m"),
    "temp_dew": ("degC", "dew-point temperature at 2 m"),
    "relative_humidity": ("%", "relative humidity at 2 m"),
    "pressure": ("Pa", "surface air pressure"),
    "wind_speed": ("m s-1", "wind speed at the measurement height (attribute height_m)"),
    "albedo": ("1", "ground albedo"),
    # campus
    "temp_wetbulb": ("degC", "thermodynamic wet-bulb temperature"),
    "it_load": ("MW", "IT electrical load of the campus"),
    "pue": ("1", "power usage effectiveness (total facility power / IT power)"),
    "load": ("MW", "total campus electrical load at the site bus (IT x PUE)"),
    # resources and dispatch
    "capacity_factor": ("1", "available output per unit of installed capacity (p.u. of p_nom)"),
    "p": ("MW", "power of each technology; positive = injection into the site bus"),
    "p_nom_opt": ("MW", "optimal installed power capacity"),
    "e_nom_opt": (
        "MW h",
        "optimal installed energy capacity of storage (stored energy; a fixed max_hours gives "
        "max_hours x p_nom_discharge_opt / efficiency_discharge)",
    ),
    "discharge_duration": (
        "h",
        "hours the full store delivers its rated AC discharge power (e_nom_opt x "
        "efficiency_discharge / p_nom_discharge_opt; the max_hours of a fixed duration; 0 "
        "without discharge power)",
    ),
    "p_nom_discharge_opt": (
        "MW",
        "optimal AC discharge power of storage (equals p_nom_opt unless sized apart, e.g. the "
        "fuel cell of hydrogen storage)",
    ),
    "capital_cost_discharge": (
        "{currency} MW-1 yr-1",
        "annualised cost per MW of separately sized discharge power (0: one rating both ways)",
    ),
    "snapshot_weight": (
        "h",
        "hours each time step stands for (1 at full resolution; segment length when aggregated)",
    ),
    "demand_charge": ("{currency} MW-1 month-1", "charge on each month's highest import"),
    "billing_utc_offset": ("h", "offset of local standard time (billing months) from UTC"),
    "aggregation_cost_error": (
        "1",
        "relative difference of the aggregated optimum to the full-resolution optimum",
    ),
    "state_of_charge": ("MW h", "stored energy at the end of the interval"),
    "storage_charge": ("MW", "AC power drawn from the site bus to charge storage"),
    "storage_discharge": ("MW", "AC power injected into the site bus by storage"),
    "efficiency_roundtrip": ("1", "storage AC-to-AC round-trip efficiency"),
    "efficiency_charge": ("1", "storage charging efficiency: energy stored per MWh drawn (AC)"),
    "efficiency_discharge": (
        "1",
        "storage discharging efficiency: MWh delivered (AC) per MWh taken from the store",
    ),
    "capital_cost_energy": (
        "{currency} MW-1 h-1 yr-1",
        "annualised investment plus fixed O&M per MWh of storage energy capacity",
    ),
    "grid_export_price": ("{currency} MW-1 h-1", "revenue per MWh exported at the POI"),
    "is_clean": ("1", "1 if the technology's output counts as carbon-free, else 0"),
    "certificates": (
        "MW",
        "guarantees of origin bought for the renewable share, each year's volume spread "
        "evenly over its hours",
    ),
    "certificate_price": ("{currency} MW-1 h-1", "price of guarantees of origin"),
    "is_renewable": (
        "1",
        "1 if the technology's output is renewable energy (Directive (EU) 2018/2001), else 0",
    ),
    "co2_intensity": ("t MW-1 h-1", "CO2 emitted per MWh of output"),
    "co2_emissions": ("t yr-1", "CO2 of on-site generation and grid imports per year"),
    "grid_co2_intensity": ("t MW-1 h-1", "CO2 per MWh imported (0 where not given)"),
    "load_shift": ("MW", "campus load moved into the hour (negative: moved away)"),
    "load_curtailment": ("MW", "campus load curtailed"),
    "load_served": (
        "MW",
        "load served at the site bus: campus load after shifting and curtailment, plus the "
        "heat side's net consumption",
    ),
    "campus_load_served": ("MW", "campus load after shifting and curtailment"),
    "heat_produced": ("MW", "heat of the warm cooling loop at the campus load served"),
    "heat_recovered": ("MW", "warm-loop heat taken by heat exchangers and heat pumps"),
    "heat_rejected": ("MW", "warm-loop heat rejected on site (towers or dry coolers)"),
    "heat_delivered": ("MW", "heat delivered to the district heating network by the campus"),
    "heat_reused": ("MW", "heat sold to the district heating network (reused energy)"),
    "heat_storage_p": ("MW", "hot-water tank discharge (negative: charging)"),
    "heat_storage_e": ("MW h", "heat stored in the hot-water tank at the end of the interval"),
    "heat_pump_power": ("MW", "electricity of the heat pumps"),
    "heat_rejection_saving": (
        "MW",
        "on-site heat-rejection power (chillers, tower pumps and fans) saved by recovery",
    ),
    "heat_pump_output": ("MW", "heat delivered by the heat pumps (the rest is direct)"),
    "district_heat_demand": ("MW", "heat demand of the district heating network"),
    "heat_pump_p_nom": ("MW", "heat-pump heat output rating"),
    "heat_storage_e_nom": ("MW h", "hot-water tank heat capacity"),
    "heat_pump_capital_cost": (
        "{currency} MW-1 yr-1",
        "annualised investment plus fixed O&M per MW of heat-pump output",
    ),
    "heat_pump_fixed_om_cost": ("{currency} MW-1 yr-1", "fixed O&M per MW of heat-pump output"),
    "heat_pump_marginal_cost": ("{currency} MW-1 h-1", "variable O&M per MWh of heat-pump output"),
    "heat_storage_capital_cost": (
        "{currency} MW-1 h-1 yr-1",
        "annualised investment plus fixed O&M per MWh of hot-water tank",
    ),
    "heat_storage_fixed_om_cost": (
        "{currency} MW-1 h-1 yr-1",
        "fixed O&M per MWh of hot-water tank",
    ),
    "heat_price": ("{currency} MW-1 h-1", "price of heat sold to the district heating network"),
    "heatwave_temp_air": ("degC", "mean dry bulb of the hottest days of the weather"),
    "heatwave_pue_mean": ("1", "energy-weighted PUE over the hottest days of the weather"),
    "heatwave_pue_max": ("1", "highest hourly PUE over the hottest days of the weather"),
    "heatwave_pue_rise": ("1", "PUE over the hottest days less the annual PUE"),
    "heatwave_water_peak": ("m3 h-1", "highest hourly water use over the hottest days"),
    "heatwave_water_daily": ("m3 d-1", "mean daily water use over the hottest days"),
    "water_use": ("m3 h-1", "water of the cooling on the study's basis, recovery deducted"),
    "outage_start": ("", "start of each outage scenario the sizing rides through (UTC)"),
    "outage_critical_load": ("MW", "critical load in each hour of each outage scenario"),
    "outage_available": ("MW", "on-site generation available in each outage hour"),
    "outage_genset": ("MW", "output of the generator sets in each outage hour"),
    "outage_discharge": ("MW", "storage discharge in each outage hour (pool of all storage)"),
    "outage_charge": ("MW", "storage charging from on-site generation in each outage hour"),
    "outage_onsite": ("MW", "on-site generation serving the critical load in each outage hour"),
    "outage_energy": ("MW h", "stored energy at the end of each outage hour (pool)"),
    "outage_net_load": ("MW", "critical load less on-site generation the fuel must cover"),
    "outage_genset_p_nom": ("MW", "generator sets built for the outages"),
    "outage_fuel": ("MW h", "fuel storage built for the outages, in MWh of generator output"),
    "outage_genset_capital_cost": (
        "{currency} MW-1 yr-1",
        "annualised cost of a MW of generator sets built for the outages",
    ),
    "outage_fuel_capital_cost": (
        "{currency} MW-1 h-1 yr-1",
        "annualised cost of a MWh of fuel storage built for the outages",
    ),
    "outage_derate": ("1", "share of the generator sets' rating counted in an outage"),
    "outage_fuel_limit": (
        "MW h",
        "fuel available up to each outage hour (own tanks, deliveries and fuel built)",
    ),
    "water_price": ("{currency} m-3", "price of the cooling's water"),
    "shift_cost": ("{currency} MW-1 h-1", "cost per MWh of load moved (charged where it lands)"),
    "curtail_cost": ("{currency} MW-1 h-1", "cost per MWh of campus load curtailed"),
    "economiser_fraction": ("1", "share of the cooling load served by free cooling"),
    "cooling_load": (
        "MW",
        "electric power of the cooling system: chillers, pumps, tower and air-handler fans",
    ),
    "heat_load": ("MW", "heat the cooling system removes: IT load and electrical losses"),
    "heat_recoverable": ("MW", "heat of the warm cooling loop, recoverable for heat reuse"),
    "water_withdrawal": ("m3 h-1", "water withdrawn by the cooling (make-up water)"),
    "water_consumption": ("m3 h-1", "water consumed by the cooling (evaporation and drift)"),
    "capacity_online": ("MW", "IT capacity online (phased build-out)"),
    "it_load_training": ("MW", "IT load of training workloads"),
    "poi_p_nom": ("MW", "import and export limit at the POI"),
    "curtailment": ("MW", "available clean generation not used, all clean generators"),
    "available_energy": (
        "MW h yr-1",
        "energy a clean generator could have produced (capacity_factor x p_nom_opt) per year "
        "(clean generators only: storage and fossil units are not curtailed)",
    ),
    "curtailed_energy": (
        "MW h yr-1",
        "available clean energy not produced, per year (available_energy less output)",
    ),
    "curtailment_share": ("1", "curtailed_energy over available_energy"),
    "fixed_om_cost": (
        "{currency} MW-1 yr-1",
        "fixed O&M part of capital_cost (the rest is the investment annuity)",
    ),
    "fixed_om_cost_energy": (
        "{currency} MW-1 h-1 yr-1",
        "fixed O&M part of capital_cost_energy",
    ),
    "fixed_om_cost_discharge": ("{currency} MW-1 yr-1", "fixed O&M part of capital_cost_discharge"),
    "cost_component": ("", "part of the annualised system cost"),
    "curtailable": ("", "clean generator (on-site or offsite contract), a subset of technology"),
    "cost_breakdown": (
        "{currency} yr-1",
        "annualised system cost by part: capital (investment annuity), fixed_om, variable (VOM, "
        "fuel, tie-break), grid (POI energy, export revenue, demand charge), network (branch "
        "upgrades), flexibility (load shifting and curtailment), heat (heat-pump variable O&M less "
        "heat sold), water (the cooling's water bill); sums to system_cost",
    ),
    "grid_import": ("MW", "power imported from the grid at the POI"),
    "grid_export": ("MW", "power exported to the grid at the POI"),
    "grid_cfe_share": ("1", "carbon-free share of grid electricity"),
    "grid_price": ("{currency} MW-1 h-1", "price of grid electricity at the POI"),
    "capital_cost": (
        "{currency} MW-1 yr-1",
        "annualised investment plus fixed O&M per unit of capacity (MWh for storage energy)",
    ),
    "marginal_cost": ("{currency} MW-1 h-1", "variable cost per MWh of output"),
    "cfe_target": ("1", "hourly carbon-free energy target (share of annual load)"),
    "tie_break_cost": (
        "{currency} MW-1 h-1",
        "cost per MWh of storage discharge and of export that selects a unique optimum",
    ),
    "cfe_score": ("1", "hourly-matched carbon-free share of load, recomputed from the dispatch"),
    "cfe_score_by_year": (
        "1",
        "hourly CFE score of each calendar year (UTC) of a multi-year horizon: the target holds "
        "in each",
    ),
    "annual_matching_score": (
        "1",
        "annually (volumetrically) matched carbon-free share of load: exported clean energy counts",
    ),
    "matching_is_hourly": ("1", "1 if the CFE target was hourly (24/7) matching, 0 if annual"),
    "matching_target": (
        "1",
        "accounting regime the CFE target was met under (flag_values / flag_meanings)",
    ),
    "matching_regime": ("", "accounting regime of clean energy"),
    "matching_score": (
        "1",
        "share of the load served matched with carbon-free energy under each accounting "
        "regime, recomputed from the dispatch",
    ),
    "low_price_threshold": (
        "{currency} MW-1 h-1",
        "price at or below which an hour's grid import counts as clean under eu_hydrogen "
        "matching (Delegated Regulation (EU) 2023/1184, art. 6)",
    ),
    "system_cost": ("{currency} yr-1", "total annualised system cost"),
    # investment periods (gridtwin.periods.results); built / existing / investment_capital_cost
    # mix units by investment kind: their unit is investment_unit (MW, MW h or MVA)
    "period_years": ("yr", "length of the investment period (until the next one starts)"),
    "period_weight": (
        "yr",
        "discounted years of the period: weight of its annual cost in the plan's objective",
    ),
    "lifetime": ("yr", "years a vintage stays in service once built"),
    # fleets (gridtwin.fleet.results)
    "moved": ("MW", "IT load moved along the link in the hour (training work)"),
    "moved_max": ("MW", "largest IT load the link may move in the hour"),
    "exchange": ("MW", "site-bus load the campus moved away (negative: took in)"),
    "spare_it": ("MW", "IT capacity the campus could take moved work into"),
    "movable_it": ("MW", "IT load the campus could move away over all its links"),
    "transfer_cost": ("{currency} MW-1 h-1", "cost per MWh of IT load moved along the link"),
    "horizon_years": (
        "yr",
        "length of the optimisation horizon in years; capital costs were charged for this "
        "length and system_cost, lcoe and co2_emissions are per year",
    ),
    "lcoe": ("{currency} MW-1 h-1", "system cost per MWh of campus load"),
    # site network in the sizing problem (gridtwin.network)
    "branch": ("", "line or transformer of the site network"),
    "branch_bus0": ("", "bus a branch starts at; positive flow runs from bus0 to bus1"),
    "branch_bus1": ("", "bus a branch ends at"),
    "branch_kind": ("", "line or trafo (two-winding transformer)"),
    "branch_length": ("km", "length of a line (0 for transformers)"),
    "branch_x": ("1", "series reactance of a branch, per unit of 100 MVA"),
    "s_nom": ("MVA", "existing branch rating (max_loading_percent of the thermal limit)"),
    "s_nom_opt": ("MVA", "branch rating after the optimal upgrade"),
    "s_max_pu": ("1", "usable share of the branch rating (lowered by the AC loop)"),
    "branch_flow_max": (
        "MW",
        "absolute flow cap set by the AC loop's voltage proxy (inf: none)",
    ),
    "branch_extendable": ("1", "1 if the branch rating could be upgraded"),
    "branch_capital_cost": (
        "{currency} MVA-1 yr-1",
        "annualised cost of one MVA of added branch rating",
    ),
    "branch_flow": ("MW", "active-power flow of the linearised power flow, bus0 to bus1"),
    "technology_bus": ("", "bus of the site network a technology is connected to"),
    "branch_utilisation": (
        "1",
        "largest linear flow, intact or after an N-1 outage, over s_max_pu x s_nom_opt",
    ),
    "network_cost": ("{currency} yr-1", "annualised cost of the site-network upgrades"),
    "is_offsite": (
        "1",
        "1 for a contract with a plant elsewhere in the grid zone (delivered through the POI)",
    ),
    "offsite_delivered": (
        "MW",
        "output of the offsite contracts delivered to the campus (part of grid_import)",
    ),
    "offsite_sold": ("MW", "output of the offsite contracts sold at the export price"),
    "land_use": ("ha MW-1", "site land per MW of on-site capacity"),
    "land_used": ("ha", "site land taken by on-site capacity"),
    "land_area": ("ha", "site land available for on-site capacity"),
}


def annotate(ds: xr.Dataset, currency: str = "USD", currency_year: int | None = None) -> xr.Dataset:
    """Attach ``units`` and ``long_name`` from :data:`VARIABLES` to every known variable.

    Money variables (``{currency}`` in the table) get the CF-valid rest of their unit as
    ``units`` (``MW-1 yr-1`` for a cost per MW and year, ``1`` for an amount), the code as
    ``currency`` and, if given, ``currency_year``; :func:`display_units` joins them again.

    Parameters
    ----------
    ds : xarray.Dataset
        Dataset to annotate (modified in place and returned).
    currency : str
        Currency code (ISO 4217, e.g. ``USD``).
    currency_year : int, optional
        Price base year of the money values.

    Returns
    -------
    xarray.Dataset
        The same dataset.
    """
    for name in ds.variables:
        if name not in VARIABLES:
            continue
        units, long_name = VARIABLES[str(name)]
        attrs = ds[name].attrs
        if "{currency}" in units:
            attrs.setdefault("units", units.replace("{currency}", "").strip() or "1")
            attrs.setdefault("currency", currency)
            if currency_year is not None:
                attrs.setdefault("currency_year", int(currency_year))
        elif units:  # text variables (names of buses) carry no units
            attrs.setdefault("units", units)
        attrs.setdefault("long_name", long_name)
    return ds


def display_units(da: xr.DataArray) -> str:
    """Units of ``da`` for people: the CF ``units`` with the ``currency`` put back in front.

    ``USD MW-1 yr-1`` for a capital cost, ``USD yr-1`` for the system cost, ``MW`` for a
    power; ``""`` if the variable has no units.
    """
    units = str(da.attrs.get("units", ""))
    currency = da.attrs.get("currency")
    if not currency:
        return units
    return str(currency) if units in ("", "1") else f"{currency} {units}"


#: Names the backends use for their own components; technologies may not take them.
RESERVED_NAMES = frozenset(
    {
        "campus",
        "grid",
        "poi_import",
        "poi_export",
        "flex_defer",
        "flex_recover",
        "flex_curtail",
        "offsite_zone",
        "offsite_delivery",
        "offsite_sale",
    }
)


def lat_lon(latitude: float, longitude: float) -> str:
    """A site as ``"40.530 N, 108.540 W"`` (degrees, hemispheres spelled out)."""
    ns = "N" if latitude >= 0 else "S"
    ew = "E" if longitude >= 0 else "W"
    return f"{abs(latitude):.3f} {ns}, {abs(longitude):.3f} {ew}"
