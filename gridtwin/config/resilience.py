"""Study models of resilience: which load must ride through a grid outage, the outages studied,
and how reliable the backup generators are (:mod:`gridtwin.resilience`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from gridtwin.config.base import Fraction, StrictModel

#: Longest outage a survival analysis studies [h]: two weeks.
MAX_OUTAGE_H = 336
#: An outage duration [h].
Duration = Annotated[int, Field(strict=True, ge=1, le=MAX_OUTAGE_H)]


class CriticalLoadConfig(StrictModel):
    """The load that must be carried through a grid outage, by workload class.

    The critical load at the site bus is the critical IT load times the hour's PUE (the cooling
    and electrical overhead of that hour, so an outage in a heatwave needs more power).

    Attributes
    ----------
    inference : float
        Share of the inference IT load that is critical [-]. Default 1: latency-bound serving
        cannot wait for the grid.
    training : float
        Share of the training IT load that is critical [-]. Default 1: the conventional design
        basis (backup carries the whole facility). Training jobs checkpoint and can stop, so
        0 treats training as interruptible; ``1 - campus.flexibility.curtail_share`` (0.75 by
        default) keeps it within the flexibility envelope the optimiser was given.
    """

    inference: Fraction = 1.0
    training: Fraction = 1.0


class GensetReliabilityConfig(StrictModel):
    """Reliability of the backup generators, unit by unit, and their fuel.

    Defaults are those of NREL's REopt backup-reliability model (its ``generator_*`` inputs),
    which takes them from Marqusee, J., Jenket, D. (2020), "Reliability of emergency and standby
    diesel generators: Impact on energy resiliency solutions", Applied Energy 268, 114918,
    doi:10.1016/j.apenergy.2020.114918 (US DoD fleet data).

    Attributes
    ----------
    unit_p_nom : float
        Rating of one generator set [MW]; the campus's backup fleet (all entries, and the
        sets a resilience sizing built) is ``ceil(p_nom / unit_p_nom)`` equal units sharing
        its rating ``p_nom`` (a 1,200 MW fleet of 3 MW sets is 400 units). Default
        3.0, an **assumption**: the largest high-speed diesel standby sets (2.5-3.5 MW, e.g.
        Caterpillar 3516 and Cummins QSK95 data sheets) are what large data centres install.
        From 0.1 to 100 MW; a fleet may hold at most
        :data:`gridtwin.resilience.island.MAX_UNITS` units.
    operational_availability : float
        Probability that a unit is not in maintenance or repair when the outage starts [-].
        Default 0.995 (REopt; Marqusee & Jenket 2020).
    failure_to_start : float
        Probability that an available unit fails to start and take load [-]. Default 0.0094
        (REopt; Marqusee & Jenket 2020).
    mean_time_to_failure : float
        Mean running hours between failures of a unit [h]; each hour a running unit fails with
        probability 1 / mean_time_to_failure and is not repaired during the outage. Default
        1100 (REopt; Marqusee & Jenket 2020).
    redundancy : {"as_built", "N", "N+1", "2N"}
        Fleet studied. ``as_built`` (default): the backup generators of the result.
        ``N``, ``N+1``, ``2N``: a fleet of ``unit_p_nom`` units sized to the peak critical
        load ``m = ceil(peak / unit_p_nom)`` with m, m + 1 or 2 m units on one paralleling bus
        (a study of topologies; the result's own fleet and its cost are left as they are).
    fuel_hours : float
        Fuel stored on site, in hours at the fleet's full rating [h]. Default 48, NFPA 110
        Class 48 (48 h at rated load without refuelling), a common specification for the
        Level 1 systems of data centres (**assumption** for a given site; Uptime Institute Tier
        III/IV ask for at least 12 h).
    refuel_delay_h : float
        Hours after the outage starts before fuel deliveries arrive [h]. Default 24, an
        **assumption**.
    refuel_share : float
        Fuel delivered per hour once deliveries arrive, as a share of the fleet's full-load
        use [-]. Default 0: no refuelling is counted on (a regional outage may cut the supply
        chain; set it to the site's contract).
    """

    unit_p_nom: Annotated[float, Field(strict=True, ge=0.1, le=100.0)] = 3.0
    operational_availability: Fraction = 0.995
    failure_to_start: Fraction = 0.0094
    mean_time_to_failure: Annotated[float, Field(strict=True, ge=1.0, le=1.0e7)] = 1100.0
    redundancy: Literal["as_built", "N", "N+1", "2N"] = "as_built"
    fuel_hours: Annotated[float, Field(strict=True, ge=0.0, le=8784.0)] = 48.0
    refuel_delay_h: Annotated[float, Field(strict=True, ge=0.0, le=8784.0)] = 24.0
    refuel_share: Fraction = 0.0


class OutageConfig(StrictModel):
    """The outages a survival analysis studies: every start hour of the horizon, and every
    duration from 1 h to ``max(durations_h)``.

    Attributes
    ----------
    durations_h : list of int
        Outage durations of interest [h]; the analysis runs to the longest. Default
        ``[1, 4, 8, 24, 48, 72]``.
    probabilities : list of float or None
        Probability of each duration given an outage (same length, sum 1): weights the
        expected survival. Default ``None``: not reported. Outage data by duration come from
        the utility's reliability records (IEEE Std 1366 indices) or the site's history.
    """

    durations_h: Annotated[list[Duration], Field(min_length=1)] = Field(
        default_factory=lambda: [1, 4, 8, 24, 48, 72]
    )
    probabilities: list[Fraction] | None = None

    @model_validator(mode="after")
    def _probabilities_match(self) -> OutageConfig:
        if self.probabilities is None:
            return self
        if len(self.probabilities) != len(self.durations_h):
            raise ValueError(
                f"probabilities has {len(self.probabilities)} values for "
                f"{len(self.durations_h)} durations_h; give one per duration"
            )
        total = sum(self.probabilities)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"probabilities sum to {total:.6g}, not 1; they are shares")
        return self

    @property
    def max_duration(self) -> int:
        """The longest duration studied [h]."""
        return max(self.durations_h)


class GridOutageConfig(StrictModel):
    """Outage rates and repair times of the site network's branches, for the islanding risk
    (:mod:`gridtwin.resilience.grid_risk`). No defaults: they are the utility's records for
    these circuits and transformers (in the US NERC's Transmission Availability Data System
    for elements of 200 kV and above, in Europe the TSO's disturbance statistics; IEEE Std
    493 "Gold Book" tables for industrial equipment).

    Attributes
    ----------
    line_outage_rate : float
        Sustained forced outages of a line per 100 km per year [a-1 (100 km)-1].
    line_repair_h : float
        Mean duration of a line outage [h].
    transformer_outage_rate : float
        Forced outages of a transformer per year [a-1].
    transformer_repair_h : float
        Mean duration of a transformer outage [h].
    """

    line_outage_rate: Annotated[float, Field(strict=True, ge=0.0, le=100.0)]
    line_repair_h: Annotated[float, Field(strict=True, gt=0.0, le=8760.0)]
    transformer_outage_rate: Annotated[float, Field(strict=True, ge=0.0, le=100.0)]
    transformer_repair_h: Annotated[float, Field(strict=True, gt=0.0, le=8760.0)]


class ResilienceSizingConfig(StrictModel):
    """Size the supply so that the campus rides through grid outages (``gridtwin run``).

    The LP must carry the critical load through outages of ``duration_h`` starting at chosen
    hours, islanded from the grid with on-site generation, the storage as the grid-connected
    dispatch leaves it, and the generator sets derated to the share that works through the
    outage with the target's probability (REopt's outage scenarios, Cutler et al. 2017, NREL/
    TP-7A40-70022). After each solve the survival analysis (every start hour) checks the
    design; outage starts that fall short are added and the LP is solved again, at most
    ``rounds`` times (:mod:`gridtwin.resilience.sizing`).

    Attributes
    ----------
    duration_h : int
        Outage duration the design must ride through [h].
    target : float
        Survival probability for ``duration_h``, averaged over every start hour [-], in
        (0, 1). Default 0.999.
    genset_capital_cost : float or None
        Annualised investment plus fixed O&M of new generator sets that run only in outages
        [currency MW-1 a-1]; ``None`` (default): none are built. For reference, REopt's
        defaults (REopt.jl ``Generator``: 650 USD/kW installed, 20 USD/kW-yr O&M) over 25
        years at the catalogue's 4.38 % give about 63,300 USD/MW/a.
    fuel_capital_cost : float or None
        Annualised cost of on-site fuel storage beyond ``gensets.fuel_hours``, tank and the
        fuel kept in it [currency per MWh of generator output per year]; ``None`` (default):
        none is built. Site specific (tank type, permits, fuel price); no default.
    starts_per_round : int
        Outage starts added to the LP each round (the worst of the survival analysis, at
        least half a duration apart). Default 8.
    rounds : int
        Solves at most. Default 4.
    """

    duration_h: Duration
    target: Annotated[float, Field(strict=True, gt=0.0, lt=1.0)] = 0.999
    genset_capital_cost: Annotated[float, Field(strict=True, ge=0.0, le=1.0e8)] | None = None
    fuel_capital_cost: Annotated[float, Field(strict=True, ge=0.0, le=1.0e6)] | None = None
    starts_per_round: Annotated[int, Field(strict=True, ge=1, le=100)] = 8
    rounds: Annotated[int, Field(strict=True, ge=1, le=20)] = 4


class ResilienceConfig(StrictModel):
    """Survival of grid outages (:mod:`gridtwin.resilience`), analysed by
    ``gridtwin resilience RESULT.nc``.

    Attributes
    ----------
    critical_load : CriticalLoadConfig
        The load to carry, by workload class.
    outages : OutageConfig
        Durations studied (every start hour of the horizon).
    gensets : GensetReliabilityConfig
        Unit size, reliability and fuel of the backup generators.
    grid : GridOutageConfig or None
        Outage rates of the site network's branches: with them the analysis gives how often
        and how long the campus is islanded and how many outages a year it would not ride
        through; ``None`` (default): only which branch outages island it.
    sizing : ResilienceSizingConfig or None
        Size the supply for a survival target (``gridtwin run``); ``None`` (default): the
        design ignores outages (``gridtwin resilience`` still analyses it).
    soc_bins : int
        Number of state-of-charge levels of the site's storage in the probability model (as
        REopt's ``num_battery_bins``, default 101 there). Default 101. Storage use is rounded
        up and charging down to these levels, so the probabilities are lower bounds; more
        levels tighten them at the cost of time.
    """

    critical_load: CriticalLoadConfig = Field(default_factory=CriticalLoadConfig)
    outages: OutageConfig = Field(default_factory=OutageConfig)
    gensets: GensetReliabilityConfig = Field(default_factory=GensetReliabilityConfig)
    grid: GridOutageConfig | None = None
    sizing: ResilienceSizingConfig | None = None
    soc_bins: Annotated[int, Field(strict=True, ge=2, le=2001)] = 101
