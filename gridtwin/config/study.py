"""The schema of a whole study (:class:`StudyConfig`) and its weather, POI and policy sections.

A study file is YAML with the sections of :class:`StudyConfig`; :mod:`gridtwin.config.loader`
reads it and :mod:`gridtwin.config.messages` words what pydantic refuses. The sections live by
subject: resources, campus, technologies, network, run (solver, aggregation, dispatch), sweep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from gridtwin.config.base import (
    OFFSITE_TECHNOLOGIES,
    PRICE_BOUNDS,
    Fraction,
    NonNegative,
    Power,
    Price,
    StrictModel,
)
from gridtwin.config.campus import CampusConfig
from gridtwin.config.fleet import FleetConfig
from gridtwin.config.investment import InvestmentConfig
from gridtwin.config.network import NetworkConfig, OffsiteConfig, SiteConfig
from gridtwin.config.resilience import ResilienceConfig
from gridtwin.config.resources import OffwindConfig, SolarConfig, WindConfig
from gridtwin.config.run import AggregationConfig, DispatchConfig, SolverConfig
from gridtwin.config.sweep import SweepConfig
from gridtwin.config.technologies import TechnologiesConfig


class WeatherConfig(StrictModel):
    """Weather source of a study.

    Attributes
    ----------
    path : Path or list of Path
        Weather file relative to the study file, or a list of files of consecutive single
        years of one site (e.g. ERA5 or NSRDB years 2018, 2019, 2020), stacked into one
        multi-year horizon: capacities are sized once and must meet the CFE target in every
        year. Each file: a canonical weather set (netCDF, as written by
        ``gridtwin weather import``) or any file :func:`gridtwin.weather.read` reads (EPW,
        PVGIS TMY CSV/JSON, NSRDB PSM3/PSM4, TMY2/TMY3, ERA5 netCDF with ``format: era5``).
    format : str
        ``auto`` (detect from content and extension) or one of ``epw``, ``pvgis``, ``nsrdb``,
        ``psm3``, ``psm4``, ``tmy3``, ``tmy2``, ``netcdf``, ``era5``.
    reference_year : int
        Year a typical year (months from different years) is re-indexed to; a non-leap year
        for typical years without 29 February. Default 2019.
    sun_check : {"warn", "refuse", "off"}
        What to do with a weather file whose irradiance is out of step with the sun's position
        at the site (time labels in local time or shifted by an hour or more, wrong
        coordinates; :mod:`gridtwin.weather.sun_check`): ``warn`` (default) logs one line with
        the estimated offset [h] and the sunlit night hours, ``refuse`` stops the study with
        that line, ``off`` skips the check. Applies to every weather file of the study.
    """

    path: Path | list[Path]
    format: Literal[
        "auto", "epw", "pvgis", "nsrdb", "psm3", "psm4", "tmy3", "tmy2", "netcdf", "era5"
    ] = "auto"
    reference_year: Annotated[int, Field(strict=True, ge=1900, le=2100)] = 2019
    sun_check: Literal["warn", "refuse", "off"] = "warn"


class SeriesRef(StrictModel):
    """An hourly series read from a CSV or netCDF file.

    Attributes
    ----------
    path : pathlib.Path
        CSV file (columns ``time`` and ``column``) or netCDF file (``.nc``: ``column`` names
        a data variable on a ``time`` dimension), relative to the study file.
    column : str
        Column or variable holding the values, in the field's unit.
    utc_offset_h : float or None
        Offset from UTC [h] of CSV time stamps written without a time zone (0 for UTC, 1 for
        CET, -5 for US Eastern standard time): needed for such files, since a local-time file
        read as UTC shifts every hour. Stamps with a zone (``2019-01-01T00:00Z``,
        ``+01:00``) and netCDF times (UTC unless their units say otherwise, CF conventions)
        need none. ``None``: stamps must carry their zone.
    """

    path: Path
    column: str
    utc_offset_h: Annotated[float, Field(strict=True, ge=-12.0, le=14.0)] | None = None


#: Fields that take a constant or an hourly series, with the constant's allowed range.
SERIES_FIELDS: dict[str, tuple[float, float]] = {
    "import_price": PRICE_BOUNDS,
    "grid_cfe_share": (0.0, 1.0),
    "grid_co2_intensity": (0.0, 2.0),
}


class PoiConfig(StrictModel):
    """Point of interconnection (POI) with the grid. ``p_nom``, ``import_price`` and
    ``grid_cfe_share`` are site data with no sensible default: a study must state them.

    Attributes
    ----------
    p_nom : float
        Maximum import and export power at the POI [MW].
    import_price : float or SeriesRef
        Price of imported energy [currency/MWh] within [-10 000, 100 000], constant or an hourly
        series ``{path: FILE.csv, column: NAME}``.
    export_price_share : float
        Share of the import price earned for exported energy [-]; 0 disables export revenue.
    grid_cfe_share : float or SeriesRef
        Carbon-free share of grid electricity [-], constant or hourly series.
    grid_co2_intensity : float, SeriesRef or None
        CO2 emitted per MWh imported [t CO2/MWh] within [0, 2], constant or hourly series
        (e.g. EIA-930 or Electricity Maps data for the balancing area); needed for
        ``policy.emissions_cap``. ``None``: imports are not counted in ``co2_emissions``.
    demand_charge : float
        Charge on each calendar month's highest import [currency per MW-month] (a tariff's
        demand charge: 10 USD/kW-month is 10000). Default 0: none.

    Hourly series files are CSV (a ``time`` column in UTC and the named ``column``) or netCDF
    (``.nc``: ``column`` names a data variable on a ``time`` dimension). Negative import prices
    are earned only on the energy the campus consumes, and exports in those hours pay the
    negative price, so the optimum never gains from importing energy it then wastes.
    """

    p_nom: Power
    import_price: Price | SeriesRef
    export_price_share: Fraction = 0.0
    grid_cfe_share: Fraction | SeriesRef
    grid_co2_intensity: Annotated[float, Field(strict=True, ge=0.0, le=2.0)] | SeriesRef | None = (
        None
    )
    demand_charge: Annotated[float, Field(strict=True, ge=0.0, le=1.0e6)] = 0.0


class EuPolicyConfig(StrictModel):
    """Legal limits on the data centre, checked in the result and, where the LP decides
    them, constrained (:mod:`gridtwin.kpis.compliance`).

    Attributes
    ----------
    rules : {"germany_enefg"}
        Germany's Energy Efficiency Act, § 11 (EnEfG, 2023): PUE <= 1.2 for new sites (1.5
        then 1.3 for existing ones), energy reuse >= 10/15/20 % for sites starting in
        2026/2027/2028, renewable electricity 50 % from 2024 and 100 % from 2027 on a
        balance-sheet basis.
    year : int
        Reporting year.
    site : {"new", "existing"}
        ``new``: starting operation from 1 July 2026; ``existing``: before.
    start_year : int or None
        Year the site starts operation; ``None``: ``year`` for a new site. A new site must
        meet its limits from two years after its start (the law's "spätestens zwei Jahre nach
        Inbetriebnahme"), and its reuse factor is that of its start year.
    certificates : bool
        Whether guarantees of origin count towards the renewable share (the law's
        "bilanziell"); ``false``: only on-site and contracted renewable output.
    certificate_price : float or None
        Price of guarantees of origin [currency/MWh]; required with ``certificates: true``
        (no default: it is a market price of the site and year).
    """

    rules: Literal["germany_enefg"] = "germany_enefg"
    year: Annotated[int, Field(strict=True, ge=2024, le=2050)]
    site: Literal["new", "existing"] = "new"
    start_year: Annotated[int, Field(strict=True, ge=1990, le=2050)] | None = None
    certificates: bool = False
    certificate_price: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)] | None = None

    @model_validator(mode="after")
    def _start_fits_site(self) -> EuPolicyConfig:
        start = self.start_year if self.start_year is not None else self.year
        if self.site == "new" and start < 2026:
            raise ValueError(
                f"a site starting in {start} is an existing one for the EnEfG (new: starting "
                "from 1 July 2026): set site: existing, or start_year >= 2026"
            )
        if self.site == "existing" and self.start_year is not None and self.start_year > 2026:
            raise ValueError(
                f"start_year {self.start_year} is after July 2026: the site is a new one"
            )
        if start > self.year:
            raise ValueError(f"start_year {start} is after the reporting year {self.year}")
        return self

    @model_validator(mode="after")
    def _price_with_certificates(self) -> EuPolicyConfig:
        if self.certificates and self.certificate_price is None:
            raise ValueError(
                "certificates: true needs certificate_price [currency/MWh], the price of "
                "guarantees of origin for the site and year"
            )
        if not self.certificates and self.certificate_price is not None:
            raise ValueError("certificate_price is given but certificates is false; drop one")
        return self


class PolicyConfig(StrictModel):
    """Procurement policy.

    Attributes
    ----------
    cfe_target : float
        Carbon-free energy target x in [0, 1].
    matching : {"hourly", "monthly", "annual", "eu_hydrogen"}
        The accounting regime the target is met under (:mod:`gridtwin.kpis.matching`; every
        result reports the score under all four). ``hourly`` (24/7 CFE, default): clean
        supply counts only in the hour the campus uses it (Xu et al. 2021,
        doi:10.5281/zenodo.5874413); ``annual``: volumetric matching, all clean generation of
        the year counts, exported or not, as in annual certificate (REC, guarantee of origin)
        accounting; ``monthly``: volumetric within each calendar month, every month meets the
        target; ``eu_hydrogen``: hourly, with every hour whose grid price is at or below
        ``low_price_threshold`` counted as matched (Delegated Regulation (EU) 2023/1184,
        art. 6).
    low_price_threshold : float
        Price at or below which an hour's grid import counts as clean under ``eu_hydrogen``
        matching and in its score [EUR/MWh, nominal]; default 20, the regulation's value. A
        fixed nominal amount: a USD study exchanges it at its currency year's average rate
        (:mod:`gridtwin.currency`), nothing is inflated; it is compared with
        ``poi.import_price``, so give an hourly day-ahead price series for it to mean
        anything.
    max_export_share : float or None
        Limit on excess energy exported at the POI, as a share of the campus load over the
        horizon [-] (e.g. 0.2: at most 20 % of the load; the 24/7 studies of Xu et al. 2021
        cap excess sales this way). ``None``: no limit beyond the POI rating.
    emissions_cap : float or None
        Largest CO2 emissions of on-site generation and grid imports [t CO2 per year]
        (pro-rated to the horizon); needs ``poi.grid_co2_intensity``. ``None``: no cap.
    eu : EuPolicyConfig or None
        Legal limits on the data centre (Germany's EnEfG § 11): the renewable share as an LP
        constraint, PUE and energy reuse checked; every result states each limit and whether
        it holds. ``None``: none.
    """

    cfe_target: Fraction = 0.9
    matching: Literal["hourly", "monthly", "annual", "eu_hydrogen"] = "hourly"
    low_price_threshold: Annotated[float, Field(strict=True, ge=-500.0, le=1000.0)] = 20.0
    max_export_share: Annotated[float, Field(strict=True, ge=0.0, le=10.0)] | None = None
    emissions_cap: NonNegative | None = None
    eu: EuPolicyConfig | None = None


class StudyConfig(StrictModel):
    """A whole study, as written in a study YAML file.

    Attributes
    ----------
    name : str
        Short name (letters, digits, ``_ . -``, not starting with ``.``); names the default
        result file ``results/<name>.nc``.
    title : str
        Human-readable title, stored in the result's ``title`` attribute.
    currency : str
        ``USD`` or ``EUR``: the currency of every money value of the study and its catalogue.
    currency_year : int
        Price base year of the money values (default 2022, the year of the shipped NREL ATB
        2024 catalogue).
    weather : WeatherConfig
        Weather file(s) of the site.
    solar : SolarConfig
        PV plant model (pvlib PVWatts chain): mounting, tilt, losses, DC/AC ratio.
    wind : WindConfig
        Onshore wind turbine model (windpowerlib): turbine type, hub height, wind profile.
    offwind : OffwindConfig
        Offshore wind turbine model (windpowerlib) and, optionally, its own weather file.
    campus : CampusConfig
        The data-center campus: IT capacity, workloads, cooling and PUE, flexibility, UPS,
        backup generators.
    poi : PoiConfig
        Point of interconnection: limit, prices, grid CFE share and CO2.
    policy : PolicyConfig
        CFE target and matching rule.
    technologies : TechnologiesConfig
        Which technologies may be built, their limits and the cost catalogue.
    solver : SolverConfig
        Optimisation backend, solver and options.
    aggregation : AggregationConfig
        Optional time-series aggregation (tsam).
    dispatch : DispatchConfig
        Sizing, or rolling-horizon dispatch of given capacities.
    sweep : SweepConfig or None
        Scenarios for ``gridtwin sweep`` (ignored by ``gridtwin run``).
    network : NetworkConfig or None
        The site network inside the sizing problem (buses of the load and the technologies,
        ratings, N-1, upgrades, the AC loop); ``None``: one site bus, the POI limit only.
    site : SiteConfig
        The campus site: land available for on-site generation and storage.
    offsite : OffsiteConfig
        Contracts with plants elsewhere in the grid zone: their weather.
    resilience : ResilienceConfig
        Grid outages the campus must ride through: critical load, durations, generator
        reliability and fuel (``gridtwin resilience RESULT.nc``).
    investment : InvestmentConfig or None
        Investment periods: the campus size, CFE target and costs of each period, sized
        together with capacity that persists until its lifetime ends (``docs/periods.md``);
        ``None``: one investment at today's costs for the weather's hours.
    fleet : FleetConfig or None
        Other campuses sized together with this one, and the links training work may move
        along (``docs/fleet.md``); ``None``: this campus alone.
    """

    name: str
    title: str = ""
    currency: Literal["USD", "EUR"] = "USD"
    currency_year: Annotated[int, Field(strict=True, ge=1990, le=2100)] = 2022
    weather: WeatherConfig
    solar: SolarConfig = Field(default_factory=SolarConfig)
    wind: WindConfig = Field(default_factory=WindConfig)
    offwind: OffwindConfig = Field(default_factory=OffwindConfig)
    campus: CampusConfig = Field(default_factory=CampusConfig)
    poi: PoiConfig
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    technologies: TechnologiesConfig = Field(default_factory=TechnologiesConfig)
    solver: SolverConfig = Field(default_factory=SolverConfig)
    aggregation: AggregationConfig = Field(default_factory=AggregationConfig)
    dispatch: DispatchConfig = Field(default_factory=DispatchConfig)
    sweep: SweepConfig | None = None
    network: NetworkConfig | None = None
    site: SiteConfig = Field(default_factory=SiteConfig)
    offsite: OffsiteConfig = Field(default_factory=OffsiteConfig)
    resilience: ResilienceConfig = Field(default_factory=ResilienceConfig)
    investment: InvestmentConfig | None = None
    fleet: FleetConfig | None = None

    @field_validator("currency_year")
    @classmethod
    def _year_in_tables(cls, year: int) -> int:
        from gridtwin.currency import PRICE_INDEX, USD_PER_EUR

        first = max(min(t) for t in (*PRICE_INDEX.values(), USD_PER_EUR))
        last = min(max(t) for t in (*PRICE_INDEX.values(), USD_PER_EUR))
        if not first <= year <= last:
            raise ValueError(
                f"{year} is outside the years gridtwin's price index and exchange-rate tables "
                f"cover ({first}-{last}); choose a currency year in that range"
            )
        return year

    @field_validator("name")
    @classmethod
    def _file_name(cls, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", name):
            raise ValueError(
                f"name {name!r} must be letters, digits, '_', '.' or '-', not starting with "
                "'.': it names the result file results/<name>.nc"
            )
        return name

    @model_validator(mode="after")
    def _offsite_contracts_sized(self) -> StudyConfig:
        for tech in self.technologies.extendable:
            asset = self.technologies.assets.get(tech)
            if tech in OFFSITE_TECHNOLOGIES and (asset is None or asset.p_nom_max is None):
                raise ValueError(
                    f"technologies.assets.{tech}.p_nom_max: an offsite contract needs its "
                    "largest size [MW] (what the plants on offer can deliver); give it"
                )
        if self.network is not None:
            placed = sorted(
                (set(self.network.buses) | set(self.network.substations)) & OFFSITE_TECHNOLOGIES
            )
            if placed:
                raise ValueError(
                    f"network.buses / network.substations: {placed} are offsite contracts, "
                    "outside the site network; remove them"
                )
        return self

    @model_validator(mode="after")
    def _rolling_steps_whole_shift_windows(self) -> StudyConfig:
        flex = self.campus.flexibility
        has_flex = flex.shift_share > 0 or flex.curtail_share > 0
        step = self.dispatch.step_hours
        if self.dispatch.mode == "rolling" and has_flex and step % flex.window_hours:
            raise ValueError(
                f"dispatch.step_hours {step} is not a multiple of "
                f"campus.flexibility.window_hours {flex.window_hours}: a committed step would "
                f"cut a load-shift window; use a step of k x {flex.window_hours} h (and "
                "dispatch.window_hours at least that)"
            )
        water = self.campus.water
        priced = water.price > 0 or water.annual_limit is not None or water.peak_limit is not None
        if self.dispatch.mode == "rolling" and (self.campus.heat_reuse is not None or priced):
            raise ValueError(
                "dispatch.mode rolling does not model campus.heat_reuse or a water price or "
                "limit (campus.water); use dispatch.mode sizing, whose hourly dispatch has them"
            )
        return self

    @model_validator(mode="after")
    def _resilience_sizing_hourly(self) -> StudyConfig:
        sizing = self.resilience.sizing
        if sizing is None:
            return self
        if self.dispatch.mode != "sizing" or self.dispatch.capacities is not None:
            raise ValueError(
                "resilience.sizing sizes the supply: it needs dispatch.mode sizing without "
                "dispatch.capacities (analyse a fixed design with gridtwin resilience RESULT.nc)"
            )
        if self.resilience.gensets.redundancy != "as_built":
            raise ValueError(
                "resilience.sizing sizes the campus's own generator sets: "
                "resilience.gensets.redundancy must be as_built (N, N+1 and 2N are for "
                "gridtwin resilience, which studies a fleet without building it)"
            )
        if self.aggregation.segments is not None:
            raise ValueError(
                "resilience.sizing needs the hourly problem (outages run hour by hour from the "
                "dispatch's state of charge); remove aggregation.segments"
            )
        return self

    @model_validator(mode="after")
    def _fleet_links_name_its_campuses(self) -> StudyConfig:
        if self.fleet is None:
            return self
        names = {self.name, *self.fleet.sites}
        if self.name in self.fleet.sites:
            raise ValueError(
                f"fleet.sites: {self.name} is this study's own campus (its name); list only "
                "the other campuses"
            )
        for t in self.fleet.transfers:
            unknown = sorted({t.origin, t.destination} - names)
            if unknown:
                raise ValueError(
                    f"fleet.transfers: {unknown} is not a campus of the fleet {sorted(names)} "
                    "(this study's name or a key of fleet.sites)"
                )
        if self.investment is not None:
            raise ValueError(
                "fleet and investment cannot be combined yet: size the fleet for one period"
            )
        return self

    @model_validator(mode="after")
    def _periods_size_the_supply(self) -> StudyConfig:
        if self.investment is None and self.fleet is None:
            return self
        refused = {
            "campus.buildout": bool(self.campus.buildout),
            "dispatch.mode rolling / dispatch.capacities": self.dispatch.mode != "sizing"
            or self.dispatch.capacities is not None,
            "aggregation.segments": self.aggregation.segments is not None,
            "resilience.sizing": self.resilience.sizing is not None,
            "campus.heat_reuse": self.campus.heat_reuse is not None,
        }
        given = [name for name, on in refused.items() if on]
        if given:
            what = "investment periods" if self.fleet is None else "a fleet"
            hint = (
                " (campus.buildout: give each period's it_capacity instead)"
                if self.campus.buildout and self.investment is not None
                else ""
            )
            raise ValueError(
                f"{what} cannot be combined with {', '.join(given)} yet; remove it{hint}"
            )
        return self

    @model_validator(mode="after")
    def _cap_needs_intensity(self) -> StudyConfig:
        if self.policy.emissions_cap is not None and self.poi.grid_co2_intensity is None:
            raise ValueError(
                "policy.emissions_cap needs poi.grid_co2_intensity [t CO2/MWh] to count "
                "the emissions of grid imports; give it or remove emissions_cap"
            )
        return self

    @property
    def costed_technologies(self) -> list[str]:
        """Catalogue technology groups the study costs: those it uses, the site network's
        upgrades and, with ``campus.heat_reuse``, heat pumps and the hot-water tank."""
        used = list(self.technologies.used)
        used += ["network"] if self.network is not None else []
        return used + (["heat_reuse"] if self.campus.heat_reuse is not None else [])


@dataclass(frozen=True)
class Study:
    """A validated study together with where it came from.

    Attributes
    ----------
    config : StudyConfig
        Validated configuration; all relative paths already resolved.
    path : Path or None
        The study file, if read from disk.
    text : str
        The YAML text as read (stored in result files for reproducibility).
    overrides : tuple of str
        ``PATH=VALUE`` overrides applied on top of the text (e.g. from ``gridtwin run --set``).
    """

    config: StudyConfig
    path: Path | None
    text: str
    overrides: tuple[str, ...] = ()


__all__ = [
    "SERIES_FIELDS",
    "EuPolicyConfig",
    "PoiConfig",
    "PolicyConfig",
    "SeriesRef",
    "Study",
    "StudyConfig",
    "WeatherConfig",
]
