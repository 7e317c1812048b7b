"""Study configuration: the only place where YAML becomes objects.

A study file is YAML with the sections of :class:`StudyConfig`. Unknown keys, wrong types and
out-of-range values are rejected by :func:`load_study` with a
:class:`~gridtwin.exceptions.ConfigError` whose message names the file, the dotted field path
and the fix.

Relative paths inside a study (``weather.path``, series files) are resolved against the folder
of the study file, so a study can be run from any working directory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from gridtwin.config.base import (
    ALL_TECHNOLOGIES,
    OFFSITE_TECHNOLOGIES,
    PRICE_BOUNDS,
    Fraction,
    NonNegative,
    Price,
    StrictModel,
)
from gridtwin.config.campus import CampusConfig
from gridtwin.config.network import NetworkConfig, OffsiteConfig, SiteConfig
from gridtwin.config.resources import OffwindConfig, SolarConfig, WindConfig
from gridtwin.config.technologies import TechnologiesConfig
from gridtwin.exceptions import ConfigError
from gridtwin.highs import fd1_silenced


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
    """

    path: Path | list[Path]
    format: Literal[
        "auto", "epw", "pvgis", "nsrdb", "psm3", "psm4", "tmy3", "tmy2", "netcdf", "era5"
    ] = "auto"
    reference_year: Annotated[int, Field(strict=True, ge=1900, le=2100)] = 2019


class SeriesRef(StrictModel):
    """An hourly series read from a CSV file (columns ``time`` in UTC and ``column``)."""

    path: Path
    column: str


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

    p_nom: NonNegative
    import_price: Price | SeriesRef
    export_price_share: Fraction = 0.0
    grid_cfe_share: Fraction | SeriesRef
    grid_co2_intensity: Annotated[float, Field(strict=True, ge=0.0, le=2.0)] | SeriesRef | None = (
        None
    )
    demand_charge: Annotated[float, Field(strict=True, ge=0.0, le=1.0e6)] = 0.0


class PolicyConfig(StrictModel):
    """Procurement policy.

    Attributes
    ----------
    cfe_target : float
        Carbon-free energy target x in [0, 1].
    matching : {"hourly", "annual"}
        ``hourly`` (24/7 CFE, default): clean supply counts only in the hour the campus uses
        it (Xu et al. 2021, doi:10.5281/zenodo.5874413); ``annual``: volumetric matching, all
        clean generation of the year counts, exported or not, as in annual REC/PPA accounting.
    max_export_share : float or None
        Limit on excess energy exported at the POI, as a share of the campus load over the
        horizon [-] (e.g. 0.2: at most 20 % of the load; the 24/7 studies of Xu et al. 2021
        cap excess sales this way). ``None``: no limit beyond the POI rating.
    emissions_cap : float or None
        Largest CO2 emissions of on-site generation and grid imports [t CO2 per year]
        (pro-rated to the horizon); needs ``poi.grid_co2_intensity``. ``None``: no cap.
    """

    cfe_target: Fraction = 0.9
    matching: Literal["hourly", "annual"] = "hourly"
    max_export_share: Annotated[float, Field(strict=True, ge=0.0, le=10.0)] | None = None
    emissions_cap: NonNegative | None = None


class SolverConfig(StrictModel):
    """Solver and its settings.

    Attributes
    ----------
    backend : {"pypsa", "cvxpy"}
        Model builder: PyPSA + linopy (default) or cvxpy. Both state the same LP and reach the
        same optimum (checked in tests/test_backends.py).
    name : {"highs", "clarabel"}
        The solver; Clarabel (interior point) only with the cvxpy backend.
    options : dict
        Solver options by the solver's own names. For HiGHS (e.g. ``solver: ipm``,
        ``run_crossover: "off"``, ``time_limit: 600``) unknown names and values HiGHS refuses
        (wrong type, out of range, not among the choices) are rejected when the study loads.
    tie_break_cost : float
        Cost per MWh of storage discharge and of grid export [currency/MWh], default 0.01.
        Where renewable energy is curtailed it is free, and the LP then has many equally cheap
        optima that cycle the battery (charge and discharge in the same hour) or export at zero
        value instead of curtailing; this tiny cost selects the optimum without them. On the
        default study it adds about 3e-5 of the annual cost and leaves the capacities unchanged
        (measured: 0 hours of simultaneous charge and discharge with it, 1926 hours without).
        It is part of the objective and of ``system_cost``. Set 0 to disable.
    """

    backend: Literal["pypsa", "cvxpy"] = "pypsa"
    name: Literal["highs", "clarabel"] = "highs"
    options: dict[str, Any] = Field(default_factory=dict)
    tie_break_cost: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.01

    @model_validator(mode="after")
    def _solver_fits(self) -> SolverConfig:
        if self.name == "clarabel" and self.backend != "cvxpy":
            raise ValueError("solver.name 'clarabel' needs solver.backend 'cvxpy'")
        if self.name == "highs":
            import highspy

            known = highspy.HighsOptions()
            unknown = sorted(k for k in self.options if not hasattr(known, k))
            if unknown:
                raise ValueError(
                    f"unknown HiGHS option(s) {unknown} in solver.options; see the HiGHS "
                    "documentation for option names"
                )
            _check_highs_values(self.options)
        return self


#: How to name the value types of HiGHS options in messages, by ``HighsOptionType`` name.
_HIGHS_TYPES: Final = {
    "kBool": "true or false",
    "kInt": "an integer",
    "kDouble": "a number",
    "kString": "a string",
}


def _check_highs_values(options: dict[str, Any]) -> None:
    """Set each option on a silent HiGHS instance; raise ``ValueError`` for a value HiGHS
    refuses (at run time HiGHS would print an error and silently keep its default).

    Nothing reaches stdout: the HiGHS banner of the first instance of a process and its
    messages are printed by C++ on file descriptor 1, which is sent to the null device for the
    check, and ``output_flag`` is off before every option is set.
    """
    if not options:
        return
    import highspy

    with fd1_silenced():
        highs = highspy.Highs()
        for name, value in options.items():
            highs.setOptionValue("output_flag", False)
            try:
                ok = highs.setOptionValue(name, value) == highspy.HighsStatus.kOk
            except TypeError:  # a value of no HiGHS type (null, a list, a mapping)
                ok = False
            if not ok:
                raise ValueError(_highs_value_message(highs, name, value))


def _highs_value_message(highs: Any, name: str, value: Any) -> str:
    """Why HiGHS refused ``value`` for the option ``name``, and what it takes instead."""
    import highspy

    status, kind = highs.getOptionType(name)
    kind_name = kind.name if status == highspy.HighsStatus.kOk else ""
    expected = _HIGHS_TYPES.get(kind_name, "a value")
    quote = ""
    if isinstance(value, bool) and kind_name == "kString":
        quote = " (YAML reads unquoted on/off/yes/no as true/false: quote it, e.g. 'off')"
    return (
        f"solver.options.{name}: HiGHS rejects the value {value!r}{quote}; give {expected} "
        "within the range or choices of the HiGHS documentation"
    )


class AggregationConfig(StrictModel):
    """Time-series aggregation of the sizing problem (for sweeps and quick looks).

    Attributes
    ----------
    segments : int or None
        Number of time segments of variable length the horizon is reduced to (tsam
        segmentation, chronology kept; :mod:`gridtwin.optimize.aggregate`). ``None``: full
        hourly resolution. On the default study 1095 segments (a mean of 8 h) solved about 19x
        faster at -1.0 % cost error and 730 segments 24x faster at -1.9 % (bench/aggregation.py);
        365 segments lose the daily cycle (-22 %).
    check_full : bool
        Also solve the full-resolution problem and report the cost error of the aggregated one
        (``aggregation_cost_error`` in the result); doubles the work, so use it on one scenario
        of a sweep. Needs ``segments``.
    """

    segments: Annotated[int, Field(strict=True, ge=1)] | None = None
    check_full: Annotated[bool, Field(strict=True)] = False

    @model_validator(mode="after")
    def _check_needs_segments(self) -> AggregationConfig:
        if self.check_full and self.segments is None:
            raise ValueError(
                "check_full: true needs aggregation.segments (it compares the aggregated solve "
                "with the full one); set segments or remove check_full"
            )
        return self


class DispatchConfig(StrictModel):
    """Operational dispatch of the capacities with limited foresight (after sizing).

    Attributes
    ----------
    mode : {"sizing", "rolling"}
        ``sizing`` (default): the result is the perfect-foresight dispatch of the sizing LP.
        ``rolling``: the sized capacities (or those of ``capacities``) are dispatched again in
        cvxpy with a rolling horizon, windows of ``window_hours`` committed ``step_hours`` at a
        time, the hourly CFE target priced at ``cfe_price``
        (:func:`gridtwin.optimize.dispatch.rolling_dispatch`); the result file holds that
        dispatch in the same schema, with the CFE score it actually reaches. With
        ``aggregation.segments`` the capacities are sized on the segments and then operated
        hour by hour (the result is hourly): a quick check of an aggregated design.
    window_hours, step_hours : int
        Foresight and commitment of each window [h]; default 48 h stepped daily, as a day-ahead
        operator with a day of look-ahead. When the campus has flexibility (a nonzero
        ``campus.flexibility.shift_share`` or ``curtail_share``), ``step_hours`` must be a
        multiple of ``campus.flexibility.window_hours``, so that no step cuts a shift window.
    cfe_price : float or None
        Price of clean shortfall [currency/MWh]; ``None``: the sizing's shadow price of the
        CFE constraint (with perfect foresight the priced and the constrained problems then
        have the same optimum).
    capacities : Path or None
        A gridtwin result file whose capacities (``p_nom_opt``, ``e_nom_opt``,
        ``p_nom_discharge_opt``) are dispatched instead of sizing anew; it must have the same
        technologies and weather hours as the study (an aggregated result is fine).
    """

    mode: Literal["sizing", "rolling"] = "sizing"
    window_hours: Annotated[int, Field(strict=True, ge=1, le=8784)] = 48
    step_hours: Annotated[int, Field(strict=True, ge=1, le=8784)] = 24
    cfe_price: Annotated[float, Field(strict=True, ge=0.0, le=1.0e5)] | None = None
    capacities: Path | None = None

    @model_validator(mode="after")
    def _step_in_window(self) -> DispatchConfig:
        if self.step_hours > self.window_hours:
            raise ValueError(
                f"dispatch.step_hours {self.step_hours} exceeds dispatch.window_hours "
                f"{self.window_hours}: a window can only commit hours it has seen; lower "
                "step_hours or raise window_hours"
            )
        if self.capacities is not None and self.mode != "rolling":
            raise ValueError(
                "dispatch.capacities needs dispatch.mode: rolling; set it or remove capacities"
            )
        return self


class SweepScenario(StrictModel):
    """One explicitly listed scenario of a sweep.

    Attributes
    ----------
    name : str
        Scenario name (letters, digits, ``_ . -``; not starting with ``.``; at most 120
        characters), unique within the sweep; the file name of its result.
    set : dict
        Dotted field path -> value, applied to the study like ``gridtwin run --set``.
    """

    name: Annotated[
        str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
    ]
    set: dict[str, Any] = Field(default_factory=dict)


class SweepConfig(StrictModel):
    """Scenarios of a study, for ``gridtwin sweep``.

    Every scenario is the study with some fields changed, given by dotted paths as in
    ``gridtwin run --set`` (``policy.cfe_target``, ``campus.flexibility.shift_share``,
    ``technologies.assets.battery.p_nom_max``, ``weather.path`` ...). Exactly one of:

    Attributes
    ----------
    grid : dict of str to list
        Every combination of the listed values (cartesian product), e.g.
        ``{policy.cfe_target: [0.8, 0.9, 1.0], campus.flexibility.shift_share: [0, 0.25]}``
        gives 6 scenarios, named from their values (``cfe_target-0.8_shift_share-0.0``).
    zip : dict of str to list
        The i-th values of all lists together (lists of equal length).
    scenarios : list of SweepScenario
        Named scenarios, each with its own ``set``.
    """

    grid: dict[str, list[Any]] | None = None
    zip: dict[str, list[Any]] | None = None
    scenarios: list[SweepScenario] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SweepConfig:
        given = [k for k in ("grid", "zip", "scenarios") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of sweep.grid (all combinations), sweep.zip (lists taken "
                f"together) or sweep.scenarios (named list); got {given or 'none'}"
            )
        for kind in ("grid", "zip"):
            table = getattr(self, kind) or {}
            for path, values in table.items():
                if not values:
                    raise ValueError(f"sweep.{kind}.{path}: give at least one value")
                if path.split(".")[0] in ("sweep", "name"):
                    raise ValueError(f"sweep.{kind}.{path}: cannot sweep '{path}'")
        if self.zip and len({len(v) for v in self.zip.values()}) > 1:
            lengths = {k: len(v) for k, v in self.zip.items()}
            raise ValueError(f"sweep.zip lists must have equal lengths; got {lengths}")
        if self.scenarios:
            names = [s.name for s in self.scenarios]
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"sweep.scenarios names must be unique; repeated: {repeated}")
        return self


class StudyConfig(StrictModel):
    """A whole study, as written in a study YAML file.

    Attributes
    ----------
    name : str
        Short name (letters, digits, ``_ . -``); names the default result file
        ``results/<name>.nc``.
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
    """

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
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
        return self

    @model_validator(mode="after")
    def _cap_needs_intensity(self) -> StudyConfig:
        if self.policy.emissions_cap is not None and self.poi.grid_co2_intensity is None:
            raise ValueError(
                "policy.emissions_cap needs poi.grid_co2_intensity [t CO2/MWh] to count "
                "the emissions of grid imports; give it or remove emissions_cap"
            )
        return self


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


def _field_names() -> set[str]:
    names: set[str] = set()
    todo: list[type[BaseModel]] = [StudyConfig]
    while todo:
        model = todo.pop()
        for name, info in model.model_fields.items():
            names.add(name)
            for arg in (*getattr(info.annotation, "__args__", ()), info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in todo:
                    todo.append(arg)
    return names


def _user_location(error: Any, fields: set[str]) -> str:
    """The dotted field path of a pydantic error as the user wrote it.

    pydantic adds union-member tags ('float', 'constrained-float', 'SeriesRef') to locations;
    only field names, technology names (keys of ``technologies.assets``) and list positions
    are kept (and an unknown key as written).
    """
    keep = fields | set(ALL_TECHNOLOGIES)
    *head, last = error["loc"] or ("",)
    parts = [str(p) for p in head if isinstance(p, int) or p in keep]
    if isinstance(last, int) or last in keep or error["type"] == "extra_forbidden":
        parts.append(str(last))
    return ".".join(parts)


#: A validator message that starts with a dotted path below its model's location, e.g.
#: ``technologies.assets.solar: ...`` from the ``technologies`` validator: the error is
#: reported at that path.
_PATH_PREFIX: Final = re.compile(r"^([A-Za-z_]\w*(?:\.\w+)+): (.+)$")

#: A dict or list input with more items than this is not repeated in a message.
_MAX_SHOWN_ITEMS: Final = 3


def _where_and_what(error: Any, fields: set[str]) -> tuple[str, str, bool]:
    """Location, message and whether the input is worth showing, for one pydantic error.

    Errors raised by validators (``value_error``) lose pydantic's ``Value error, `` prefix; a
    message starting with a finer dotted path (see :data:`_PATH_PREFIX`) moves the location
    there. The input is not shown at the top level (it is the whole study), for a dict or list
    of more than a few items, or for a validator's error on a section or a list (its message
    names the values that do not fit).
    """
    loc = _user_location(error, fields)
    text = str(error["msg"])
    value = error.get("input")
    show = bool(loc) and not (
        isinstance(value, dict | list | tuple) and len(value) > _MAX_SHOWN_ITEMS
    )
    if error["type"] == "value_error":
        text = text.removeprefix("Value error, ")
        show = show and not isinstance(value, dict | list | tuple)
        match = _PATH_PREFIX.match(text)
        if match and (not loc or match[1].startswith(f"{loc}.")):
            loc, text = match[1], match[2]
    return loc, text, show


def _format_validation_error(source: str, err: ValidationError) -> str:
    """One line naming the first offending field (as written in YAML), the fix, and which
    other fields have problems."""
    fields = _field_names()
    errors = err.errors()
    first = errors[0]
    kind = first["type"]
    loc, text, show = _where_and_what(first, fields)
    last = loc.rsplit(".", 1)[-1]
    value = first.get("input")
    got = f" (got {value!r})" if show else ""
    if kind == "extra_forbidden":
        hint = "; remove it or check its spelling (fields are documented in gridtwin/config/)"
        msg = f"unknown field '{loc}'"
    elif kind == "missing":
        hint = "; add it"
        msg = f"field '{loc}' is required"
    elif kind == "value_error":  # a validator's message names the fields and the fix
        hint = ""
        msg = f"field '{loc}': {text}{got}" if loc else text
    elif last in SERIES_FIELDS:
        lo, hi = SERIES_FIELDS[last]
        msg = f"field '{loc}': expected a number within [{lo:g}, {hi:g}]{got}"
        hint = "; or give an hourly series as {path: FILE.csv, column: NAME}"
    else:
        hint = "; fix the value"
        msg = f"field '{loc or '(top level)'}': {text}{got}"
    where = {_where_and_what(e, fields)[0] for e in errors}
    others = sorted(w for w in where - {loc} if w)
    more = f" (also: {', '.join(others)})" if others else ""
    return f"{source}: {msg}{hint}{more}"


def input_files(cfg: StudyConfig) -> dict[str, Path]:
    """Every file a study reads, by dotted field (``weather.path.1`` for a list entry).

    An output must never replace one of them; all must exist when the study is loaded.
    """
    files: dict[str, Path] = {}
    weather = cfg.weather.path
    if isinstance(weather, list):
        files.update({f"weather.path.{i}": p for i, p in enumerate(weather)})
    else:
        files["weather.path"] = weather
    if cfg.offwind.weather is not None:
        files["offwind.weather"] = cfg.offwind.weather
    for field in SERIES_FIELDS:
        ref = getattr(cfg.poi, field)
        if isinstance(ref, SeriesRef):
            files[f"poi.{field}.path"] = ref.path
    if cfg.technologies.catalogue is not None:
        files["technologies.catalogue"] = cfg.technologies.catalogue
    if cfg.dispatch.capacities is not None:
        files["dispatch.capacities"] = cfg.dispatch.capacities
    if cfg.network is not None:
        files["network.path"] = cfg.network.path
    if cfg.offsite.weather is not None:
        files["offsite.weather"] = cfg.offsite.weather
    return files


def _resolve_paths(cfg: StudyConfig, base: Path) -> None:
    def res(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

    weather = cfg.weather.path
    cfg.weather.path = [res(p) for p in weather] if isinstance(weather, list) else res(weather)
    if cfg.offwind.weather is not None:
        cfg.offwind.weather = res(cfg.offwind.weather)
    for field in SERIES_FIELDS:
        ref = getattr(cfg.poi, field)
        if isinstance(ref, SeriesRef):
            ref.path = res(ref.path)
    if cfg.technologies.catalogue is not None:
        cfg.technologies.catalogue = res(cfg.technologies.catalogue)
    if cfg.dispatch.capacities is not None:
        cfg.dispatch.capacities = res(cfg.dispatch.capacities)
    if cfg.network is not None:
        cfg.network.path = res(cfg.network.path)
    if cfg.offsite.weather is not None:
        cfg.offsite.weather = res(cfg.offsite.weather)


def _check_files(cfg: StudyConfig, source: str) -> None:
    if isinstance(cfg.weather.path, list) and not cfg.weather.path:
        raise ConfigError(f"{source}: field 'weather.path': the list of weather files is empty")
    for field, path in input_files(cfg).items():
        if not path.is_file():
            raise ConfigError(
                f"{source}: field '{field}': file not found: {path}; "
                "give a path relative to the study file or an absolute path"
            )


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that rejects a key given twice in one mapping (PyYAML keeps the last) and
    reads YAML 1.2 floats with an exponent (``1e4``, ``-2.5E-3``, ``7.5e1``) as numbers, where
    PyYAML's YAML 1.1 rules read them as strings (see :data:`_YAML12_EXPONENT_FLOAT`)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


#: YAML 1.2 (core schema) floats with an exponent that YAML 1.1 reads as strings: YAML 1.1
#: needs a dot and a signed exponent (``1.0e+4``), YAML 1.2 takes ``1e4``, ``1E4``, ``7.5e1``,
#: ``-2.5E-3``, ``.5e3``. Other floats and the integers already resolve as numbers.
_YAML12_EXPONENT_FLOAT: Final = re.compile(
    r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"
)
# On the loader class only: yaml.SafeLoader itself keeps YAML 1.1 (add_implicit_resolver
# copies the resolver table into the subclass before adding).
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", _YAML12_EXPONENT_FLOAT, list("-+0123456789.")
)


def _load_yaml(text: str) -> Any:
    """Read YAML text the way study files and ``--set`` values are read.

    Safe (no Python objects), a key given twice in a mapping is an error, and YAML 1.2
    exponent floats such as ``1e4`` are numbers.

    Raises
    ------
    yaml.YAMLError
        Malformed YAML or a duplicate key.

    Examples
    --------
    >>> _load_yaml("demand_charge: 1e4")
    {'demand_charge': 10000.0}
    """
    return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass


def apply_override(raw: dict[str, Any], item: str) -> None:
    """Set one ``dotted.path=VALUE`` override in a raw (unvalidated) study mapping.

    ``VALUE`` is read as YAML like the study file (:func:`_load_yaml`), so ``0.95``, ``1e4``,
    ``true``, ``[solar, battery]`` and ``{path: p.csv, column: usd}`` all work. Sections are
    created as needed; a mapping set on a section is merged into it (``campus.flexibility=
    {window_hours: 12}`` changes that field and keeps the study's other flexibility fields);
    the result is validated like the file itself.

    Raises
    ------
    ConfigError
        If ``item`` is not ``PATH=VALUE``, the value is not valid YAML, or the path runs through
        a field that is not a section.
    """
    path, sep, text = item.partition("=")
    keys = path.strip().split(".")
    if not sep or not all(k.strip() for k in keys):
        raise ConfigError(
            f"--set {item!r}: expected PATH=VALUE with a dotted field path, "
            "e.g. --set policy.cfe_target=0.95"
        )
    try:
        value = _load_yaml(text) if text.strip() else None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None)
        why = f" ({problem})" if problem else ""
        raise ConfigError(f"--set {item!r}: the value is not valid YAML{why}; quote it") from None
    node = raw
    for depth, key in enumerate(keys[:-1]):
        child = node.setdefault(key.strip(), {})
        if not isinstance(child, dict):
            where = ".".join(keys[: depth + 1])
            raise ConfigError(f"--set {item!r}: '{where}' is a value, not a section")
        node = child
    last = keys[-1].strip()
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        _merge(node[last], value)
    else:
        node[last] = value


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    """Merge ``update`` into ``into`` recursively (mappings into mappings, others replaced)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def parse_study(
    text: str,
    source: str = "<study>",
    base: Path | None = None,
    overrides: Sequence[str] = (),
) -> Study:
    """Validate study YAML text.

    Parameters
    ----------
    text : str
        YAML text of the study.
    source : str
        Name used in error messages (usually the file path).
    base : Path, optional
        Folder against which relative paths are resolved; default the working directory.
    overrides : sequence of str
        ``PATH=VALUE`` overrides applied before validation (see :func:`apply_override`).

    Returns
    -------
    Study

    Raises
    ------
    ConfigError
        Malformed YAML, unknown or missing fields, invalid values, or missing input files.
    """
    try:
        raw = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{source}: malformed YAML{where}: {problem}; fix the syntax") from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: a study must be a YAML mapping of sections (name, weather, ...)"
        )
    for item in overrides:
        apply_override(raw, item)
    if overrides:
        source = f"{source} (with --set {' '.join(overrides)})"
    try:
        cfg = StudyConfig.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_format_validation_error(source, err)) from None
    _resolve_paths(cfg, (base or Path.cwd()).resolve())
    _check_files(cfg, source)
    return Study(config=cfg, path=None, text=text, overrides=tuple(overrides))


def load_study(path: str | Path, overrides: Sequence[str] = ()) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path : str or Path
        Study YAML file.
    overrides : sequence of str
        ``PATH=VALUE`` overrides (see :func:`apply_override`).

    Returns
    -------
    Study

    Raises
    ------
    ConfigError
        If the file is missing or invalid (see :func:`parse_study`).
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: study file not found; give the path of a study YAML file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read study file ({exc})") from None
    study = parse_study(text, source=str(p), base=p.parent, overrides=overrides)
    return Study(config=study.config, path=p.resolve(), text=text, overrides=study.overrides)
