"""Study models of the data-center campus: IT workload, cooling, flexibility, UPS, backup."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from gridtwin.config.base import (
    PRICE_BOUNDS,
    Fraction,
    NonNegative,
    PositivePower,
    Power,
    StrictModel,
)
from gridtwin.config.cooling import CoolingConfig, HeatReuseConfig, WaterConfig
from gridtwin.conventions import RESERVED_NAMES


class BuildoutStep(StrictModel):
    """One phase of the campus build-out: IT capacity online from a date on.

    Attributes
    ----------
    date : datetime
        First instant (UTC, tz-naive; a plain date means 00:00 UTC) at which the capacity is
        online. With a typical-year weather set, give dates in its ``reference_year``.
    it_capacity : float
        IT capacity online from ``date`` on [MW] (cumulative, not the increment).
    """

    date: dt.datetime
    it_capacity: Power

    @field_validator("date", mode="before")
    @classmethod
    def _date_to_datetime(cls, value: Any) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day)
        return value

    @field_validator("date")
    @classmethod
    def _naive_utc(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


class TrainingConfig(StrictModel):
    """Training workload: near-flat draw with short periodic dips (checkpoints, restarts).

    Attributes
    ----------
    utilisation : float
        Mean draw of the training halls outside dips, share of their IT capacity [-]. Default
        0.8: Latif et al. (2025), arXiv:2506.14551, measured about 76 % of the rated power of
        8-GPU H100 nodes on average during training (82 % at the peak).
    dip_depth : float
        Relative drop of the training draw during a dip [-]. Default 0.3, an **assumption**:
        synchronous pauses (checkpoint writes, collective waits, restarts after failures) drop
        GPU power towards idle for seconds to minutes (Choukse et al. 2025, "Power
        Stabilization for AI Training Datacenters", arXiv:2508.14318; Llama 3 team, Dubey et
        al. 2024, arXiv:2407.21783, report tens-of-MW site swings); across many independent
        jobs of a campus only part of the load dips together.
    dip_duration : float
        Length of a dip [h]. Default 0.25 (15 min), an **assumption** of the order of a
        checkpoint-and-restart cycle.
    dip_period : float
        Time between dip starts [h], dips start at the first timestamp of the index. Default
        6, an **assumption** (Dubey et al. 2024 report about 8 unexpected interruptions a day
        for a 16k-GPU job; checkpoints are taken hourly to daily).
    """

    utilisation: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.8
    dip_depth: Fraction = 0.3
    dip_duration: NonNegative = 0.25
    dip_period: Annotated[float, Field(strict=True, gt=0.0, le=8784.0)] = 6.0

    @model_validator(mode="after")
    def _dip_shorter_than_period(self) -> TrainingConfig:
        if self.dip_duration > self.dip_period:
            raise ValueError(
                f"dip_duration ({self.dip_duration} h) must not exceed dip_period "
                f"({self.dip_period} h)"
            )
        return self


class InferenceConfig(StrictModel):
    """Inference workload: daily and weekly shape in local standard time.

    The hourly shape is ``1 + diurnal_amplitude * cos(2 pi (h - peak_hour) / 24)`` (mean 1 over
    a day) times ``weekend_factor`` on Saturdays and Sundays (normalised to mean 1 over a week).
    The diurnal and weekly pattern follows the request-rate and power traces of production LLM
    inference clusters (Patel et al. 2024, "Characterizing Power Management Opportunities for
    LLMs in the Cloud", ASPLOS, doi:10.1145/3620666.3651329; Azure LLM inference traces); the
    magnitudes below are **assumptions**, as those papers publish normalised traces only.

    Attributes
    ----------
    utilisation : float
        Mean draw of the inference halls, share of their IT capacity [-]. Default 0.6, an
        **assumption**: Patel et al. (2024) find average and peak power of inference clusters
        well below the provisioned power.
    diurnal_amplitude : float
        Half peak-to-trough amplitude of the daily shape, relative to the mean [-]. Default 0.15
        (assumption).
    peak_hour : float
        Local hour of the daily maximum [h]. Default 14 (assumption: business-hours peak).
    weekend_factor : float
        Saturday and Sunday draw relative to weekdays [-]. Default 0.9 (assumption).
    """

    utilisation: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.6
    diurnal_amplitude: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.15
    peak_hour: Annotated[float, Field(strict=True, ge=0.0, lt=24.0)] = 14.0
    weekend_factor: Annotated[float, Field(strict=True, gt=0.0, le=2.0)] = 0.9


class WorkloadConfig(StrictModel):
    """Mix of the IT capacity between training and inference halls.

    Attributes
    ----------
    training_share : float
        Share of the online IT capacity that runs training [-]; the rest runs inference.
        Default 0.8, an **assumption** for a training-dominated AI campus.
    training : TrainingConfig
        Shape of the training workload (utilisation, checkpoints, maintenance).
    inference : InferenceConfig
        Shape of the inference workload (daily and weekly traffic).
    """

    training_share: Fraction = 0.8
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    inference: InferenceConfig = Field(default_factory=InferenceConfig)


class VariabilityConfig(StrictModel):
    """Reproducible hour-to-hour variability of the IT load: multiplicative AR(1) noise.

    ``e_t = rho e_(t-1) + sqrt(1 - rho^2) std z_t``, ``z_t ~ N(0, 1)`` from
    ``numpy.random.default_rng(seed)``, started in the stationary distribution; the IT load is
    multiplied by ``1 + e_t``.

    Attributes
    ----------
    std : float
        Stationary standard deviation of the relative noise [-]. Default 0.02, an
        **assumption**: hourly means of a whole campus average out the sub-second swings of
        single jobs (Choukse et al. 2025).
    autocorrelation : float
        Lag-1 (one hour) autocorrelation ``rho`` [-]. Default 0.8 (assumption).
    seed : int
        Seed of the random generator; the same seed gives the same profile.
    """

    std: Annotated[float, Field(strict=True, ge=0.0, le=0.3)] = 0.02
    autocorrelation: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.8
    seed: Annotated[int, Field(strict=True, ge=0)] = 42


class FlexibilityConfig(StrictModel):
    """Load flexibility the campus offers the optimiser (see :mod:`gridtwin.campus.flexibility`).

    All powers of the envelope are site-bus MW (IT x PUE).

    Attributes
    ----------
    flexible_workload : {"training", "all"}
        IT load that can move in time: the training halls (default; batch jobs can wait,
        latency-bound inference cannot - the split made by Emerald AI 2025 and Radovanovic et
        al. 2022) or the whole IT load.
    shift_share : float
        Share of the flexible IT load that may be moved away from or into each hour [-].
        Default 0.2, an **assumption**: Google's carbon-intelligent computing platform shifts
        the flexible (batch) part of its fleet's load within the day (Radovanovic et al. 2022,
        IEEE Trans. Power Syst. 38(2), doi:10.1109/TPWRS.2022.3173250) but publishes no share;
        Riepin et al. (2025, Adv. Appl. Energy, arXiv:2405.00036) study 0-40 % flexible load.
    window_hours : int
        Energy-balance window [h]: moved energy nets to zero within each window, windows
        aligned to the first timestamp. Default 24, the daily balance of Radovanovic et al.
        (2022).
    shift_cost : float
        Cost per MWh moved (counted once, on the hours it is moved into) [currency/MWh].
        Default 1, an **assumption** (a small cost against needless moves).
    curtail_share : float
        Share of the campus load that can be curtailed in an hour [-]. Default 0.25, the
        reduction held for three hours by a 256-GPU cluster in the Emerald AI / Oracle / NVIDIA
        field demonstration in Phoenix, May 2025 (Colangelo et al. 2025, "Turning AI Data
        Centers into Grid-Interactive Assets", arXiv:2507.00909).
    curtail_hours_max : float
        Hours with curtailment per year [h/a]. Default 175 = 0.5 % of the annual energy at 25 %
        depth (0.005 x 8760 / 0.25), the central curtailment rate of Norris et al. (2025),
        "Rethinking Load Growth", Duke Nicholas Institute, hdl:10161/32077 (0.25 % / 0.5 % / 1 %
        give 88 / 175 / 350 h at that depth). Pro-rated for shorter horizons.
    curtail_event_hours_max : int
        Longest run of consecutive curtailed hours [h]. Default 3, the event length of the
        Phoenix demonstration (Colangelo et al. 2025).
    ramp_max_share : float
        Largest hour-to-hour change of the shifted load, share of ``it_capacity`` x PUE per hour
        [1/h]. Default 0.25, an **assumption**: GPUs change power within seconds (the London
        trial of Emerald AI cut 30 % within 30 s), so the limit stands for operating practice
        and the cooling plant, not the IT hardware.
    curtail_cost : float
        Cost of curtailed load [currency/MWh]. Default 1000, an **assumption** of the order of
        the rental value of the lost GPU hours (about 2 USD per GPU-hour at about 1.4 kW of IT
        power per GPU including its host share gives about 1400 USD/MWh).
    """

    flexible_workload: Literal["training", "all"] = "training"
    shift_share: Fraction = 0.2
    window_hours: Annotated[int, Field(strict=True, ge=1, le=8784)] = 24
    shift_cost: Annotated[float, Field(strict=True, ge=0.0, le=PRICE_BOUNDS[1])] = 1.0
    curtail_share: Fraction = 0.25
    curtail_hours_max: Annotated[float, Field(strict=True, ge=0.0, le=8784.0)] = 175.0
    curtail_event_hours_max: Annotated[int, Field(strict=True, ge=1, le=8784)] = 3
    ramp_max_share: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.25
    curtail_cost: Annotated[float, Field(strict=True, ge=0.0, le=PRICE_BOUNDS[1])] = 1000.0


class UpsConfig(StrictModel):
    """UPS batteries: ride-through reserve, the rest usable as existing storage.

    Power equals the campus ``it_capacity`` (the UPS carries the full IT load).

    Attributes
    ----------
    energy_per_mw : float
        Battery energy per MW of IT capacity [MWh/MW]. Default 1/6 (10 min at full load), the
        middle of the 5-15 min ride-through UPS batteries are typically sized for (e.g.
        Schneider Electric White Paper 229 on battery technologies for data centers); an
        assumption for a given site.
    reserve_share : float
        Share of the energy kept for ride-through [-]; the optimiser may cycle the rest.
        Default 0.5, an **assumption**: NFPA 110 Level 1 Type 10 generators carry the load
        within 10 s, so half of a 10-minute battery still leaves 5 min of margin.
    efficiency_roundtrip : float
        AC-to-AC round-trip efficiency [-]. Default 0.85, the Li-ion value of the technology
        catalogue (NREL ATB 2024, utility-scale battery storage).
    """

    energy_per_mw: Annotated[float, Field(strict=True, ge=0.0, le=4.0)] = 1.0 / 6.0
    reserve_share: Fraction = 0.5
    efficiency_roundtrip: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.85


#: Defaults of backup generators by kind: efficiency [-] (net, lower heating value), CO2
#: [t/MWh_fuel] (IPCC 2006 GL vol. 2 ch. 2 table 2.2: gas/diesel oil 74.1 t/TJ, natural gas
#: 56.1 t/TJ; 1 MWh = 0.0036 TJ), max_run_hours [h/a]. Sources in :class:`BackupGeneratorConfig`.
BACKUP_KIND_DEFAULTS: dict[str, dict[str, float]] = {
    "diesel": {"efficiency": 0.38, "co2": 74.1 * 0.0036, "max_run_hours": 100.0},
    "gas_engine": {"efficiency": 0.42, "co2": 56.1 * 0.0036, "max_run_hours": 100.0},
    "gas_turbine": {"efficiency": 0.35, "co2": 56.1 * 0.0036, "max_run_hours": 500.0},
}


#: Asset names the model uses itself (the default technologies, the UPS, the backends' own
#: components); backup generators must be named otherwise. A backup named like another
#: catalogue technology clashes only when that technology is also extendable, which the
#: problem refuses (unique technology names).
RESERVED_ASSET_NAMES = RESERVED_NAMES | {"solar", "onwind", "battery", "ups"}


class BackupGeneratorConfig(StrictModel):
    """A backup generator (fleet) on the site bus. Fuel quantities are on a net (lower) heating
    value basis, as the IPCC emission factors.

    Attributes
    ----------
    name : str
        Unique name.
    kind : {"diesel", "gas_engine", "gas_turbine"}
        Prime mover; selects the defaults of the fields below (:data:`BACKUP_KIND_DEFAULTS`).
    p_nom : float
        Electrical rating [MW].
    fuel_cost : float
        Fuel price [currency/MWh_fuel]; required (no default, prices are site and year specific).
    efficiency : float
        Electrical efficiency [-]. Defaults, indicative full-load values of the Danish Energy
        Agency's Technology Data for Generation of Electricity and District Heating and of
        manufacturer data sheets (**assumptions** for a given unit): diesel 0.38, gas engine
        0.42, gas turbine (simple cycle) 0.35.
    co2 : float
        Emission factor [t CO2/MWh_fuel]. Default IPCC (2006) Guidelines vol. 2 ch. 2 table 2.2
        stationary combustion: diesel 74.1 t/TJ = 0.26676, natural gas 56.1 t/TJ = 0.20196.
    max_run_hours : float
        Permitted full-load hours per year [h/a]. Defaults: engines 100 h (US EPA, 40 CFR
        63.6640(f): emergency stationary engines may run up to 100 h/a for maintenance, testing
        and emergency demand response, of which at most 50 h in non-emergency situations);
        gas turbines 500 h (US EPA, Seitz memorandum "Calculating Potential to Emit for
        Emergency Generators", 1995). Site permits govern.
    """

    #: Defaults that depend on ``kind`` (the study reference shows them as defaults).
    defaults_by_kind: ClassVar[dict[str, dict[str, float]]] = BACKUP_KIND_DEFAULTS

    name: Annotated[str, Field(min_length=1)]
    kind: Literal["diesel", "gas_engine", "gas_turbine"]
    p_nom: Power
    fuel_cost: Annotated[float, Field(strict=True, ge=0.0, le=PRICE_BOUNDS[1])]
    efficiency: Annotated[float, Field(strict=True, gt=0.0, le=1.0)]
    co2: Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
    max_run_hours: Annotated[float, Field(strict=True, ge=0.0, le=8784.0)]

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") in BACKUP_KIND_DEFAULTS:
            return {**BACKUP_KIND_DEFAULTS[data["kind"]], **data}
        return data


class CampusConfig(StrictModel):
    """The data-center campus: IT load, cooling, flexibility, UPS and backup generation.

    Attributes
    ----------
    it_capacity : float
        Installed (nameplate) IT capacity at completion [MW]; sets the UPS power and the ramp
        limit of the flexibility envelope.
    utilisation : float or None
        Average IT power draw as a share of the IT capacity online [-]; the hourly profile is
        scaled so that its mean over the horizon equals ``utilisation`` x online capacity
        exactly. ``null``: the mean follows from the ``workload`` parameters instead. Default
        0.8, an assumption: large AI training clusters run near their power envelope most hours,
        but even compute-bound training draws less than rated power - Latif et al. (2025),
        arXiv:2506.14551, measured about 76 % of the 10.2 kW rating of 8-GPU H100 nodes on
        average during training (82 % at the peak). 0.8 thus suits a training-dominated campus;
        inference-heavy or partly idle fleets draw less. No single published campus-level factor
        was found; set it per study.
    buildout : list of BuildoutStep
        Phased build-out: IT capacity online from each date on (dates strictly increasing,
        capacities non-decreasing and at most ``it_capacity``). Before the first date nothing
        is online. Default empty: ``it_capacity`` online throughout.
    profile : {"workload", "flat"}
        ``"workload"``: hourly shape from ``workload`` and ``variability``
        (:func:`gridtwin.campus.profiles.it_load_profile`); ``"flat"``: constant
        ``utilisation`` x online capacity (the full online capacity if ``utilisation`` is
        ``null``).
    utc_offset_h : float or None
        Offset of local standard time from UTC [h] for the daily and weekly inference shape.
        Default ``null``: ``round(longitude / 15)`` from the weather set's ``longitude``
        attribute (no daylight saving time).
    workload : WorkloadConfig
        Training / inference mix and their shapes.
    variability : VariabilityConfig
        Seeded AR(1) noise of the IT load.
    cooling : CoolingConfig
        Cooling design and facility overhead model parameters.
    heat_reuse : HeatReuseConfig or None
        Waste heat sold to a district heating network; ``None`` (default): none.
    water : WaterConfig
        Water price and limits of the cooling.
    flexibility : FlexibilityConfig
        Load shifting and curtailment the optimiser may use.
    ups : UpsConfig
        UPS batteries.
    backup : list of BackupGeneratorConfig
        Backup generators (names unique). Default none.
    """

    it_capacity: PositivePower = 1000.0
    utilisation: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] | None = 0.8
    buildout: list[BuildoutStep] = Field(default_factory=list)
    profile: Literal["workload", "flat"] = "workload"
    utc_offset_h: Annotated[float, Field(strict=True, ge=-12.0, le=14.0)] | None = None
    workload: WorkloadConfig = Field(default_factory=WorkloadConfig)
    variability: VariabilityConfig = Field(default_factory=VariabilityConfig)
    cooling: CoolingConfig = Field(default_factory=CoolingConfig)
    heat_reuse: HeatReuseConfig | None = None
    water: WaterConfig = Field(default_factory=WaterConfig)
    flexibility: FlexibilityConfig = Field(default_factory=FlexibilityConfig)
    ups: UpsConfig = Field(default_factory=UpsConfig)
    backup: list[BackupGeneratorConfig] = Field(default_factory=list)

    @field_validator("buildout")
    @classmethod
    def _buildout_ordered(cls, steps: list[BuildoutStep]) -> list[BuildoutStep]:
        for i in range(1, len(steps)):
            prev, step = steps[i - 1], steps[i]
            if step.date <= prev.date:
                raise ValueError(
                    f"buildout[{i}].date ({step.date}) must come after buildout[{i - 1}].date "
                    f"({prev.date}); list the phases in date order"
                )
            if step.it_capacity < prev.it_capacity:
                raise ValueError(
                    f"buildout[{i}].it_capacity ({step.it_capacity} MW) is below "
                    f"buildout[{i - 1}].it_capacity ({prev.it_capacity} MW); the capacity "
                    "online must not decrease (give cumulative MW)"
                )
        return steps

    @field_validator("backup")
    @classmethod
    def _backup_names_unique(cls, gens: list[BackupGeneratorConfig]) -> list[BackupGeneratorConfig]:
        names = [g.name for g in gens]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"backup generator name(s) {dup} given twice; names must be unique")
        taken = sorted(set(names) & RESERVED_ASSET_NAMES)
        if taken:
            raise ValueError(
                f"backup generator name(s) {taken} are taken by other assets; rename them "
                "(e.g. diesel_gensets)"
            )
        return gens

    @model_validator(mode="after")
    def _buildout_within_capacity(self) -> CampusConfig:
        for i, step in enumerate(self.buildout):
            if step.it_capacity > self.it_capacity:
                raise ValueError(
                    f"buildout[{i}].it_capacity ({step.it_capacity} MW) exceeds it_capacity "
                    f"({self.it_capacity} MW); raise it_capacity or lower the phase"
                )
        return self
