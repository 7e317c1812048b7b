"""Assemble the backend-neutral :class:`~gridtwin.optimize.problem.SystemProblem` of a study
from the outputs of the earlier stages (resources, campus load, annualised costs, the site
network)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.assembly_heat import heat_spec, water_spec
from gridtwin.campus.backup import backup_assets, ups_storage
from gridtwin.campus.flexibility import HOURS_PER_YEAR, FlexibilityEnvelope, flexibility_envelope
from gridtwin.config import OFFSITE_TECHNOLOGIES, PRICE_BOUNDS, AssetConfig, StudyConfig
from gridtwin.currency import convert
from gridtwin.exceptions import ConfigError
from gridtwin.kpis.compliance import enefg_limits
from gridtwin.network.assemble import site_network
from gridtwin.optimize.problem import (
    FlexSpec,
    GeneratorSpec,
    PoiSpec,
    StorageSpec,
    SystemProblem,
    horizon_years,
)
from gridtwin.series import resolve_series

#: Generators whose output follows the weather (capacity factor from the resources stage).
VARIABLE_RENEWABLES = ("solar", "onwind", "offwind", "solar_offsite", "onwind_offsite")
#: Dispatchable generators: clean firm (at the catalogue's availability) and natural gas.
FIRM = ("geothermal", "nuclear", "ocgt", "ccgt", "nuclear_contract")
#: Renewable generators (Directive (EU) 2018/2001, art. 2(1)); nuclear is clean, not renewable.
RENEWABLE = frozenset(
    {"solar", "onwind", "offwind", "geothermal", "solar_offsite", "onwind_offsite"}
)
#: Fixed duration of storage sold as a product of one size [h], used unless
#: ``technologies.assets.<tech>.max_hours`` says otherwise: Form Energy's iron-air battery
#: delivers its rated power for 100 h (Form Energy, 2023), and the catalogue has one all-in
#: cost per kWh of that system and no power cost, so power must follow energy.
DEFAULT_MAX_HOURS = {"iron_air": 100.0}
#: Storage technologies -> catalogue rows (power in, energy, power out or None when one AC
#: rating serves both directions).
STORAGE_ROWS: dict[str, tuple[str, str, str | None]] = {
    "battery": ("battery_power", "battery_energy", None),
    "iron_air": ("iron_air_power", "iron_air_energy", None),
    "hydrogen": ("electrolysis", "hydrogen_storage", "fuel_cell"),
}


def study_technologies(cfg: StudyConfig) -> list[str]:
    """Technologies a study uses: the extendable ones and those with existing capacity
    (:attr:`gridtwin.config.TechnologiesConfig.used`)."""
    return cfg.technologies.used


def _generators(
    cfg: StudyConfig,
    n_t: int,
    capacity_factors: dict[str, xr.DataArray],
    costs: pd.DataFrame,
    years: float,
) -> list[GeneratorSpec]:
    """Candidate and existing generators of the catalogue technologies."""
    out: list[GeneratorSpec] = []
    extendable = cfg.technologies.extendable
    for tech in study_technologies(cfg):
        if tech not in VARIABLE_RENEWABLES + FIRM:
            continue
        row = costs.loc[catalogue_row(tech)]
        if tech in VARIABLE_RENEWABLES:
            cf = capacity_factors[tech].to_numpy()
        else:
            cf = np.full(n_t, float(row["availability"]))
        asset = _asset(cfg, tech)
        limit = math.inf if asset.p_nom_max is None else asset.p_nom_max - asset.p_nom
        new = GeneratorSpec(
            name=tech,
            capacity_factor=cf,
            capital_cost=years * float(row["capital_cost"]),
            marginal_cost=float(row["marginal_cost"]),
            clean=tech not in ("ocgt", "ccgt"),
            co2_intensity=float(row["co2_intensity"]),
            p_nom_max=limit,
            offsite=tech in OFFSITE_TECHNOLOGIES,
            land_use=0.0 if tech in OFFSITE_TECHNOLOGIES else _land_use(asset, row),
            fixed_om_cost=years * float(row["fixed_om"]),
            renewable=tech in RENEWABLE,
        )
        if asset.p_nom > 0:  # brownfield: fixed, no investment
            out.append(
                replace(
                    new,
                    name=f"{tech}_existing",
                    capital_cost=0.0,
                    fixed_om_cost=0.0,
                    p_nom=asset.p_nom,
                    p_nom_max=math.inf,
                    extendable=False,
                )
            )
        if tech in extendable:
            out.append(new)
    return out


def _storage(cfg: StudyConfig, costs: pd.DataFrame, years: float) -> list[StorageSpec]:
    """Candidate and existing storage of the catalogue technologies."""
    out: list[StorageSpec] = []
    extendable = cfg.technologies.extendable
    for tech in study_technologies(cfg):
        if tech not in STORAGE_ROWS:
            continue
        power, energy, power_out = STORAGE_ROWS[tech]
        asset = _asset(cfg, tech)
        if power_out is None:
            eta_c = float(costs.at[power, "efficiency_charge"])
            eta_d = float(costs.at[power, "efficiency_discharge"])
        else:
            eta_c = float(costs.at[power, "efficiency"])
            eta_d = float(costs.at[power_out, "efficiency"])
        if asset.p_nom > 0 or asset.e_nom > 0:
            out.append(
                StorageSpec(
                    name=f"{tech}_existing",
                    capital_cost_power=0.0,
                    capital_cost_energy=0.0,
                    efficiency_charge=eta_c,
                    efficiency_discharge=eta_d,
                    p_nom=asset.p_nom,
                    e_nom=asset.e_nom,
                    extendable=False,
                    capital_cost_discharge=None if power_out is None else 0.0,
                    land_use=_land_use(asset, costs.loc[power]),
                )
            )
        if tech in extendable:
            out.append(
                StorageSpec(
                    name=tech,
                    capital_cost_power=years * float(costs.at[power, "capital_cost"]),
                    capital_cost_energy=years * float(costs.at[energy, "capital_cost"]),
                    efficiency_charge=eta_c,
                    efficiency_discharge=eta_d,
                    capital_cost_discharge=(
                        None
                        if power_out is None
                        else years * float(costs.at[power_out, "capital_cost"])
                    ),
                    p_nom_max=_room(asset.p_nom_max, asset.p_nom),
                    e_nom_max=_room(asset.e_nom_max, asset.e_nom),
                    max_hours=(
                        DEFAULT_MAX_HOURS.get(tech) if asset.max_hours is None else asset.max_hours
                    ),
                    land_use=_land_use(asset, costs.loc[power]),
                    fixed_om_cost_power=years * float(costs.at[power, "fixed_om"]),
                    fixed_om_cost_energy=years * float(costs.at[energy, "fixed_om"]),
                    fixed_om_cost_discharge=(
                        0.0 if power_out is None else years * float(costs.at[power_out, "fixed_om"])
                    ),
                )
            )
    return out


def _check_land(
    cfg: StudyConfig, generators: list[GeneratorSpec], storage: list[StorageSpec]
) -> None:
    """Existing on-site capacity must fit on the site's land.

    Raises
    ------
    ConfigError
        Naming the existing assets, the land they need and ``site.land_area_ha``.
    """
    area = cfg.site.land_area_ha
    if area is None:
        return
    fixed = [(g.name, g.p_nom, g.land_use) for g in generators if not g.extendable and g.land_use]
    fixed += [(s.name, s.p_nom, s.land_use) for s in storage if not s.extendable and s.land_use]
    need = sum(p_nom * use for _, p_nom, use in fixed)
    if need > area * (1 + 1e-9):
        parts = ", ".join(f"{name} {p_nom:g} MW x {use:g} ha/MW" for name, p_nom, use in fixed)
        raise ConfigError(
            f"site.land_area_ha: the existing on-site capacity ({parts}) needs {need:,.0f} ha, "
            f"more than the {area:,.0f} ha of site land; raise site.land_area_ha or lower the "
            "existing p_nom"
        )


def catalogue_row(tech: str) -> str:
    """Catalogue technology of a study technology's generator (an offsite contract is costed
    as the plant it buys from)."""
    return tech.removesuffix("_offsite")


def _land_use(asset: AssetConfig, row: pd.Series) -> float:
    """Site land per MW [ha MW-1]: the study's override, else the catalogue's (0 if none)."""
    if asset.land_use is not None:
        return float(asset.land_use)
    value = float(row.get("land_use", 0.0))
    return value if np.isfinite(value) else 0.0


def _asset(cfg: StudyConfig, tech: str) -> AssetConfig:
    """Existing capacity and limits of a technology (none given: nothing existing, no limit)."""
    return cfg.technologies.assets.get(tech, AssetConfig())  # type: ignore[call-overload]


def _room(limit: float | None, existing: float) -> float:
    """What may still be built under a limit that counts the existing capacity."""
    return math.inf if limit is None else limit - existing


def build_problem(
    cfg: StudyConfig,
    snapshots: pd.DatetimeIndex,
    campus: xr.Dataset,
    capacity_factors: dict[str, xr.DataArray],
    costs: pd.DataFrame,
    net: Any = None,
) -> SystemProblem:
    """Assemble the backend-neutral problem from the stage outputs.

    Parameters
    ----------
    cfg : StudyConfig
    snapshots : pandas.DatetimeIndex
        Hourly UTC index of the weather set.
    campus : xarray.Dataset
        Output of :func:`gridtwin.campus.campus_load` (``load`` [MW] on ``time`` and what the
        flexibility envelope needs).
    capacity_factors : dict of str to xarray.DataArray
        Per variable renewable technology used, [p.u.] on ``time``.
    costs : pandas.DataFrame
        Output of :func:`gridtwin.technologies.annualised_costs` for
        :func:`study_technologies` (and ``network`` when the study has a site network).
    net : pandapowerNet, optional
        The site network (:func:`gridtwin.network.assemble.read_site_network`) when the study
        has a ``network`` section.

    Returns
    -------
    SystemProblem
        Capital costs are charged for the horizon's length (:func:`horizon_years`: a week pays
        168/8760 of the annual cost; a weather year pays one year). Candidate technologies from
        the catalogue (variable renewables at their capacity factor, clean firm and gas
        generators at the catalogue's availability, storage), existing capacity of
        ``technologies.assets`` as fixed assets named ``<tech>_existing`` that cost no
        investment, the campus backup generators (existing, not clean, fuel cost, run-hour
        limit), the usable part of the UPS batteries (existing storage) and the campus
        flexibility envelope; with a site network, its buses, branches, N-1 and upgrade costs.
    """
    n_t = len(snapshots)
    years = horizon_years(n_t)  # annual capital costs are charged for the horizon's length
    generators = _generators(cfg, n_t, capacity_factors, costs, years) + _backup(cfg, n_t)
    storage = _storage(cfg, costs, years) + _ups(cfg)
    _check_land(cfg, generators, storage)
    policy = cfg.policy
    problem = SystemProblem(
        snapshots=snapshots,
        load=campus["load"].to_numpy(),
        generators=tuple(generators),
        storage=tuple(storage),
        poi=_poi(cfg, snapshots, campus),
        cfe_target=policy.cfe_target,
        currency=cfg.currency,
        tie_break_cost=cfg.solver.tie_break_cost,
        flex=flex_spec(flexibility_envelope(campus, cfg.campus)),
        horizon_years=years,
        matching=policy.matching,
        low_price_threshold=low_price_threshold(cfg),
        export_limit=(
            None
            if policy.max_export_share is None
            else policy.max_export_share * float(campus["load"].sum())
        ),
        emissions_cap=None if policy.emissions_cap is None else policy.emissions_cap * years,
        land_area=cfg.site.land_area_ha,
    )
    share, price = _eu_limits(cfg)
    problem = replace(
        problem,
        renewable_share_min=share,
        certificate_price=price,
        heat=heat_spec(cfg, campus, costs, years),
        water=water_spec(cfg, campus, years),
    )
    if cfg.network is None or net is None:
        return problem
    spec = site_network(cfg.network, net, problem.technologies, costs, years)
    return replace(problem, network=spec)


def _eu_limits(cfg: StudyConfig) -> tuple[float | None, float | None]:
    """The LP's part of ``policy.eu``: the renewable share of its year and site type
    (:func:`gridtwin.kpis.compliance.enefg_limits`) and the certificates' price, or None."""
    eu = cfg.policy.eu
    if eu is None:
        return None, None
    share = enefg_limits(eu.year, eu.site, eu.start_year)["renewable_share_min"]
    price = eu.certificate_price if eu.certificates else None
    return (share if math.isfinite(share) else None), price


def low_price_threshold(cfg: StudyConfig) -> float:
    """``policy.low_price_threshold`` in the study currency [currency MWh-1].

    The regulation's threshold is a fixed nominal amount compared with each hour's price, so
    it is not inflated: a EUR study keeps it as given, a USD study exchanges it at the study
    year's average rate (:func:`gridtwin.currency.convert`, same year on both sides)."""
    year = cfg.currency_year
    return convert(cfg.policy.low_price_threshold, "EUR", year, cfg.currency, year)


def _backup(cfg: StudyConfig, n_t: int) -> list[GeneratorSpec]:
    """The campus backup generators: existing, not clean, fuel cost, run-hour energy limit
    pro-rated to the horizon."""
    horizon_share = n_t / HOURS_PER_YEAR
    return [
        GeneratorSpec(
            name=asset.name,
            capacity_factor=np.ones(n_t),
            capital_cost=0.0,
            marginal_cost=asset.marginal_cost,
            clean=False,
            p_nom=asset.p_nom,
            extendable=False,
            co2_intensity=asset.co2_intensity,
            e_sum_max=asset.max_energy * horizon_share,
        )
        for asset in backup_assets(cfg.campus)
    ]


def _ups(cfg: StudyConfig) -> list[StorageSpec]:
    """The usable part of the campus UPS batteries as existing storage (none without it)."""
    ups = ups_storage(cfg.campus)
    if not (ups.e_nom > 0 and ups.p_nom > 0):
        return []
    one_way = math.sqrt(ups.efficiency_roundtrip)
    return [
        StorageSpec(
            name="ups",
            capital_cost_power=0.0,
            capital_cost_energy=0.0,
            efficiency_charge=one_way,
            efficiency_discharge=one_way,
            p_nom=ups.p_nom,
            e_nom=ups.e_nom,
            extendable=False,
        )
    ]


def _poi(cfg: StudyConfig, snapshots: pd.DatetimeIndex, campus: xr.Dataset) -> PoiSpec:
    """The POI: limit, hourly price, export price, grid CFE share and CO2, demand charge."""
    price = resolve_series(cfg.poi.import_price, snapshots, "poi.import_price", PRICE_BOUNDS)
    cfe = resolve_series(cfg.poi.grid_cfe_share, snapshots, "poi.grid_cfe_share", (0.0, 1.0))
    grid_co2 = (
        None
        if cfg.poi.grid_co2_intensity is None
        else resolve_series(
            cfg.poi.grid_co2_intensity, snapshots, "poi.grid_co2_intensity", (0.0, 2.0)
        )
    )
    return PoiSpec(
        p_nom=cfg.poi.p_nom,
        import_price=price,
        # export earns a share of a positive price and pays a negative one in full
        export_price=np.minimum(cfg.poi.export_price_share * price, price),
        grid_cfe_share=cfe,
        grid_co2_intensity=grid_co2,
        demand_charge=cfg.poi.demand_charge,
        utc_offset_h=float(campus.attrs.get("local_time_utc_offset_h", 0.0)),
    )


def flex_spec(envelope: FlexibilityEnvelope) -> FlexSpec | None:
    """Translate the campus flexibility envelope into the optimiser's :class:`FlexSpec`.

    The per-window curtailment budget is the event-length limit at the window's mean hourly
    bound (``curtail_event_hours_max x mean(curtail_max in the window)``): a linear stand-in for
    "at most one event of that many hours a day"; the hours are counted in the result.
    ``None`` when the envelope allows neither shifting nor curtailment.
    """
    if not (envelope.shift_max.any() or envelope.curtail_max.any()):
        return None
    windows = envelope.windows()
    per_window = np.array(
        [envelope.curtail_event_hours_max * float(envelope.curtail_max[w].mean()) for w in windows]
    )
    return FlexSpec(
        shift_max=np.asarray(envelope.shift_max),
        shift_in_max=np.asarray(envelope.shift_in_max),
        ramp_max=np.asarray(envelope.ramp_max),
        window_hours=envelope.window_hours,
        shift_cost=envelope.shift_cost,
        curtail_max=np.asarray(envelope.curtail_max),
        curtail_energy_max=envelope.curtail_energy_max,
        curtail_window_energy_max=per_window,
        curtail_cost=envelope.curtail_cost,
    )
