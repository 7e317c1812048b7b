"""Study configuration: the only place where YAML becomes objects.

A study file is YAML with the sections of :class:`StudyConfig`. Unknown keys, wrong types and
out-of-range values are rejected by :func:`load_study` with a
:class:`~gridtwin.exceptions.ConfigError` whose message names the file, the dotted field path
and the fix.

Relative paths inside a study (``weather.path``, series files) are resolved against the folder
of the study file, so a study can be run from any working directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from gridtwin.config.base import (
    PRICE_BOUNDS,
    STORAGE_TECHNOLOGIES,
    TECHNOLOGY_NAMES,
    Fraction,
    NonNegative,
    Price,
    StrictModel,
    TechnologyName,
)
from gridtwin.config.campus import CampusConfig
from gridtwin.config.resources import OffwindConfig, SolarConfig, WindConfig
from gridtwin.exceptions import ConfigError


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


class AssetConfig(StrictModel):
    """Existing capacity and build limits of one technology.

    Attributes
    ----------
    p_nom : float
        Existing (brownfield) power capacity [MW], sized on top of and paid for already: it
        costs no investment. For storage, the existing charge and discharge power.
    p_nom_max : float or None
        Largest capacity to build, existing included [MW] (land, permits, interconnection);
        ``None``: no limit.
    e_nom : float
        Existing storage energy [MWh] (storage only).
    e_nom_max : float or None
        Largest storage energy, existing included [MWh] (storage only).
    max_hours : float or None
        Fix the new storage's energy to power ratio [h]: ``e_nom = max_hours x p_nom`` in hours
        of rated discharge power (PyPSA's ``max_hours``), e.g. 100 for a 100-h iron-air
        product. ``None``: power and energy sized freely (storage only).
    """

    p_nom: NonNegative = 0.0
    p_nom_max: NonNegative | None = None
    e_nom: NonNegative = 0.0
    e_nom_max: NonNegative | None = None
    max_hours: Annotated[float, Field(strict=True, gt=0.0, le=10000.0)] | None = None

    @model_validator(mode="after")
    def _limits_hold(self) -> AssetConfig:
        if self.p_nom_max is not None and self.p_nom_max < self.p_nom:
            raise ValueError(f"p_nom_max {self.p_nom_max} is below the existing p_nom {self.p_nom}")
        if self.e_nom_max is not None and self.e_nom_max < self.e_nom:
            raise ValueError(f"e_nom_max {self.e_nom_max} is below the existing e_nom {self.e_nom}")
        return self


class TechnologiesConfig(StrictModel):
    """Technology catalogue selection.

    Attributes
    ----------
    catalogue : Path or None
        CSV catalogue; ``None`` uses the one shipped in ``gridtwin/data/technologies.csv``.
    extendable : list of str
        Technologies the optimiser may build.
    discount_rate : float or None
        Overrides the per-technology discount rate of the catalogue [-].
    assets : dict
        Per technology, existing capacity and build limits (:class:`AssetConfig`), e.g.
        ``{solar: {p_nom: 200, p_nom_max: 2500}, iron_air: {max_hours: 100}}``. A technology
        with existing capacity that is not in ``extendable`` is kept as it is.

    Technologies: ``solar``, ``onwind``, ``offwind`` (resource from the ``offwind`` section),
    ``battery`` (Li-ion), ``iron_air`` (multi-day storage), ``hydrogen`` (electrolyser, tank,
    fuel cell; power in and out sized apart), ``geothermal`` and ``nuclear`` (clean firm, at the
    catalogue's availability), ``ocgt`` and ``ccgt`` (natural gas, not clean, with CO2).
    """

    catalogue: Path | None = None
    extendable: list[TechnologyName] = Field(default_factory=lambda: list(TECHNOLOGY_NAMES))
    discount_rate: Annotated[float, Field(strict=True, ge=0.0, le=0.5)] | None = None
    assets: dict[TechnologyName, AssetConfig] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _storage_fields(self) -> TechnologiesConfig:
        for tech, asset in self.assets.items():
            storage_only = ("e_nom", "e_nom_max", "max_hours")
            given = [f for f in storage_only if getattr(asset, f) not in (None, 0.0)]
            if tech not in STORAGE_TECHNOLOGIES and given:
                raise ValueError(f"technologies.assets.{tech}: {given} apply to storage only")
        return self


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
        ``run_crossover: "off"``, ``time_limit: 600``) unknown names are rejected.
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
        return self


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
        of a sweep.
    """

    segments: Annotated[int, Field(strict=True, ge=1)] | None = None
    check_full: Annotated[bool, Field(strict=True)] = False


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
        dispatch in the same schema, with the CFE score it actually reaches.
    window_hours, step_hours : int
        Foresight and commitment of each window [h]; default 48 h stepped daily, as a day-ahead
        operator with a day of look-ahead. ``step_hours`` must divide into the campus
        flexibility window.
    cfe_price : float or None
        Price of clean shortfall [currency/MWh]; ``None``: the sizing's shadow price of the
        CFE constraint (with perfect foresight the priced and the constrained problems then
        have the same optimum).
    capacities : Path or None
        A gridtwin result file whose capacities (``p_nom_opt``, ``e_nom_opt``,
        ``p_nom_discharge_opt``) are dispatched instead of sizing anew; it must have the same
        technologies as the study.
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
                f"{self.window_hours}: a window can only commit hours it has seen"
            )
        if self.capacities is not None and self.mode != "rolling":
            raise ValueError("dispatch.capacities needs dispatch.mode: rolling")
        return self


class StudyConfig(StrictModel):
    """A whole study, as written in a study YAML file."""

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

    @model_validator(mode="after")
    def _rolling_is_hourly(self) -> StudyConfig:
        if self.dispatch.mode == "rolling" and self.aggregation.segments is not None:
            raise ValueError(
                "dispatch.mode 'rolling' dispatches hour by hour: remove aggregation.segments"
            )
        return self

    @model_validator(mode="after")
    def _cap_needs_intensity(self) -> StudyConfig:
        if self.policy.emissions_cap is not None and self.poi.grid_co2_intensity is None:
            raise ValueError(
                "policy.emissions_cap needs poi.grid_co2_intensity [t CO2/MWh] to count "
                "the emissions of grid imports"
            )
        return self

    @model_validator(mode="after")
    def _unique_extendable(self) -> StudyConfig:
        if len(set(self.technologies.extendable)) != len(self.technologies.extendable):
            raise ValueError("technologies.extendable lists a technology twice")
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
    only field names and list positions are kept (and an unknown key as written).
    """
    *head, last = error["loc"] or ("",)
    parts = [str(p) for p in head if isinstance(p, int) or p in fields]
    if isinstance(last, int) or last in fields or error["type"] == "extra_forbidden":
        parts.append(str(last))
    return ".".join(parts)


def _format_validation_error(source: str, err: ValidationError) -> str:
    """One line naming the first offending field (as written in YAML), the fix, and how many
    other fields have problems."""
    fields = _field_names()
    errors = err.errors()
    first = errors[0]
    kind = first["type"]
    loc = _user_location(first, fields) or "(top level)"
    last = loc.rsplit(".", 1)[-1]
    value = first.get("input")
    if kind == "extra_forbidden":
        hint = "remove it or check its spelling (fields are documented in gridtwin/config/)"
        msg = f"unknown field '{loc}'"
    elif kind == "missing":
        hint = "add it"
        msg = f"field '{loc}' is required"
    elif last in SERIES_FIELDS:
        lo, hi = SERIES_FIELDS[last]
        msg = f"field '{loc}': expected a number within [{lo:g}, {hi:g}] (got {value!r})"
        hint = "or give an hourly series as {path: FILE.csv, column: NAME}"
    else:
        hint = "fix the value"
        msg = f"field '{loc}': {first['msg']} (got {value!r})"
    others = sorted({_user_location(e, fields) for e in errors} - {_user_location(first, fields)})
    more = f" (also: {', '.join(others)})" if others else ""
    return f"{source}: {msg}; {hint}{more}"


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
    """YAML loader that rejects a key given twice in one mapping (PyYAML keeps the last)."""

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


def apply_override(raw: dict[str, Any], item: str) -> None:
    """Set one ``dotted.path=VALUE`` override in a raw (unvalidated) study mapping.

    ``VALUE`` is read as YAML, so ``0.95``, ``true``, ``[solar, battery]`` and
    ``{path: p.csv, column: usd}`` all work. Sections are created as needed; the result is
    validated like the file itself.

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
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        raise ConfigError(f"--set {item!r}: the value is not valid YAML; quote it") from None
    node = raw
    for depth, key in enumerate(keys[:-1]):
        child = node.setdefault(key.strip(), {})
        if not isinstance(child, dict):
            where = ".".join(keys[: depth + 1])
            raise ConfigError(f"--set {item!r}: '{where}' is a value, not a section")
        node = child
    node[keys[-1].strip()] = value


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
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
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
