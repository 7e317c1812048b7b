"""Checks of a :class:`~gridtwin.optimize.problem.SystemProblem` built in Python.

A study file is validated by its schema (:mod:`gridtwin.config`); a problem built directly
through the Python API gets the same guarantees here, before any backend sees it: a time
axis PyPSA and the result file can use (tz-naive UTC, strictly increasing, no duplicates),
series of the right shape with finite values in their physical range, finite sizes and
costs, and consistent limits. Every message names the field and the fix, in one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gridtwin.conventions import RESERVED_NAMES
from gridtwin.exceptions import ConfigError
from gridtwin.kpis.matching import REGIMES

if TYPE_CHECKING:
    from gridtwin.optimize.problem import SystemProblem


def check_problem(p: SystemProblem) -> None:
    """Refuse a problem no backend can solve correctly.

    Raises
    ------
    ConfigError
        Naming the field: a tz-aware, unsorted or repeated time axis; a series of the wrong
        shape, with NaN or infinite values or out of its range (load < 0, capacity factor
        outside [0, 1], grid CFE share outside [0, 1]); a NaN or infinite size or cost, a
        negative one, or a build limit below the existing capacity; offsite contracts without
        a size limit or not clean; network buses of unknown technologies; bad weights,
        efficiencies, matching or CFE target.
    """
    _check_snapshots(p.snapshots)
    _check_steps(p)
    _check_offsite_and_network(p)
    _check_heat_and_water(p)
    _check_outage(p)
    _check_series(p)
    _check_sizes(p)
    above = p.poi.export_price > p.poi.import_price
    if above.any():
        first = p.snapshots[int(np.argmax(above))]
        raise ConfigError(
            f"problem: the export price exceeds the import price at {first} (UTC, "
            f"{int(above.sum())} hours): importing and exporting at once would earn money; "
            "an export price must not be above the import price"
        )
    if p.matching not in REGIMES:
        raise ConfigError(f"problem: matching {p.matching!r} is not one of {list(REGIMES)}")
    if p.renewable_share_min is not None and not 0.0 <= p.renewable_share_min <= 1.0:
        raise ConfigError(f"problem: renewable_share_min {p.renewable_share_min} is outside [0, 1]")
    if p.certificate_price is not None and not (
        np.isfinite(p.certificate_price) and p.certificate_price >= 0
    ):
        raise ConfigError(
            f"problem: certificate_price {p.certificate_price} must be a finite price >= 0"
        )
    if p.low_price_threshold is not None and not np.isfinite(p.low_price_threshold):
        raise ConfigError(
            f"problem: low_price_threshold {p.low_price_threshold} must be a finite price"
        )
    if not 0.0 <= p.cfe_target <= 1.0:
        raise ConfigError(f"problem: cfe_target {p.cfe_target} is outside [0, 1]")


def _check_snapshots(snapshots: pd.DatetimeIndex) -> None:
    """tz-naive UTC, strictly increasing, as PyPSA snapshots and the result file expect."""
    if not isinstance(snapshots, pd.DatetimeIndex) or len(snapshots) == 0:
        raise ConfigError(
            "problem: snapshots must be a non-empty pandas.DatetimeIndex of UTC hours "
            f"(got {type(snapshots).__name__} of length {len(snapshots)})"
        )
    if snapshots.tz is not None:
        raise ConfigError(
            f"problem: snapshots are in time zone {snapshots.tz}; give tz-naive UTC "
            "(snapshots.tz_convert('UTC').tz_localize(None))"
        )
    if snapshots.has_duplicates or not snapshots.is_monotonic_increasing:
        steps = np.diff(snapshots.asi8)
        first = snapshots[int(np.argmax(steps <= 0)) + 1]
        raise ConfigError(
            f"problem: snapshots must be strictly increasing; {first} repeats or goes back "
            "in time (sort and drop duplicate hours)"
        )


def _check_steps(p: SystemProblem) -> None:
    """Snapshots one hour apart, or (aggregated) each segment starting where the previous one
    ends: the weights are the hours between the starts."""
    if len(p.snapshots) < 2:
        return
    steps = np.diff(p.snapshots.asi8) / 3.6e12  # [h]
    if p.weights is None:
        off = ~np.isclose(steps, 1.0)
        expected = "1 h apart (hourly; give weights [h] for other steps)"
    else:
        w = np.asarray(p.weights, dtype=float)
        if w.shape != (len(p.snapshots),):
            return  # _check_series names the shape
        off = ~np.isclose(steps, w[:-1])
        expected = "as far apart as the weights say (each segment starts where the last ends)"
    if off.any():
        i = int(np.argmax(off))
        raise ConfigError(
            f"problem: snapshots {p.snapshots[i]} and {p.snapshots[i + 1]} are {steps[i]:g} h "
            f"apart; they must be {expected}"
        )


def _check_offsite_and_network(p: SystemProblem) -> None:
    unbounded = [g.name for g in p.offsite if not np.isfinite(g.p_nom + g.p_nom_max)]
    if unbounded:
        raise ConfigError(
            f"problem: offsite contracts {unbounded} need a finite size limit p_nom_max [MW] "
            "(the largest contract on offer)"
        )
    dirty = [g.name for g in p.offsite if not g.clean]
    if dirty:
        raise ConfigError(f"problem: offsite contracts {dirty} must be clean supply")
    names = p.technologies
    if len(set(names)) != len(names) or RESERVED_NAMES & set(names):
        raise ConfigError(
            f"problem: technology names must be unique and not one of "
            f"{sorted(RESERVED_NAMES)}; got {names}"
        )
    if p.network is None:
        return
    if {g.name for g in p.offsite} & set(p.network.asset_bus):
        raise ConfigError("problem: offsite contracts have no bus in the site network")
    unknown = set(p.network.asset_bus) - set(names)
    if unknown:
        raise ConfigError(
            f"problem: network buses are given for unknown technologies {sorted(unknown)}"
        )
    clash = set(p.network.buses) & set(names)
    if clash:
        raise ConfigError(
            f"network {p.network.name}: buses {sorted(clash)} have the names of "
            "technologies (storage gets a bus of its own name); rename those buses"
        )


def _check_series(p: SystemProblem) -> None:
    """Hourly arrays: shape (n_time,), finite, within their physical range."""
    n = len(p.snapshots)
    if p.weights is not None:
        w = np.asarray(p.weights, dtype=float)
        if w.shape != (n,) or not np.all(np.isfinite(w)) or not np.all(w > 0):
            raise ConfigError(
                f"problem: weights must be {n} positive finite hours, one per snapshot"
            )
    # name -> (array, lowest, highest)
    series: dict[str, tuple[np.ndarray, float, float]] = {
        "load": (p.load, 0.0, np.inf),
        "poi.import_price": (p.poi.import_price, -np.inf, np.inf),
        "poi.export_price": (p.poi.export_price, -np.inf, np.inf),
        "poi.grid_cfe_share": (p.poi.grid_cfe_share, 0.0, 1.0),
        "poi.grid_co2_intensity": (p.poi.co2_intensity(n), 0.0, np.inf),
    }
    for g in p.generators:
        series[f"{g.name}.capacity_factor"] = (g.capacity_factor, 0.0, 1.0)
    if p.flex is not None:
        for name in ("shift_max", "ramp_max", "curtail_max"):
            series[f"flex.{name}"] = (getattr(p.flex, name), 0.0, np.inf)
    for name, (arr, low, high) in series.items():
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "fiu":
            kind = f"{arr.dtype} array" if isinstance(arr, np.ndarray) else type(arr).__name__
            raise ConfigError(
                f"problem: {name} must be a numpy array of numbers, shape ({n},); got a {kind} "
                "(convert it with numpy.asarray(values, dtype=float))"
            )
        if np.shape(arr) != (n,):
            raise ConfigError(f"problem: {name} has shape {np.shape(arr)}, expected ({n},)")
        values = np.asarray(arr, dtype=float)
        if not np.all(np.isfinite(values)):
            raise ConfigError(f"problem: {name} contains NaN or infinite values")
        outside = (values < low - 1e-9) | (values > high + 1e-9)
        if outside.any():
            i = int(np.argmax(outside))
            raise ConfigError(
                f"problem: {name} is {values[i]:g} at {p.snapshots[i]} (UTC, "
                f"{int(outside.sum())} snapshots), outside [{low:g}, {high:g}]"
            )


def _finite(name: str, value: float, low: float = 0.0, allow_inf: bool = False) -> None:
    """A size, cost or budget: not NaN, at least ``low``, finite unless ``allow_inf``."""
    if np.isnan(value) or value < low or (np.isinf(value) and not allow_inf):
        kind = "a number" if allow_inf else "a finite number"
        raise ConfigError(f"problem: {name} must be {kind} >= {low:g}; got {value}")


def _check_sizes(p: SystemProblem) -> None:
    """Sizes [MW, MWh], costs, build limits and budgets of every asset and of the problem."""
    for g in p.generators:
        _finite(f"{g.name}.p_nom", g.p_nom)
        _finite(f"{g.name}.p_nom_max", g.p_nom_max, g.p_nom if g.extendable else 0.0, True)
        _finite(f"{g.name}.capital_cost", g.capital_cost, -np.inf)
        _finite(f"{g.name}.marginal_cost", g.marginal_cost, -np.inf)
        _finite(f"{g.name}.co2_intensity", g.co2_intensity)
        _finite(f"{g.name}.e_sum_max", g.e_sum_max, allow_inf=True)
        _finite(f"{g.name}.land_use", g.land_use)
    for s in p.storage:
        _finite(f"{s.name}.p_nom", s.p_nom)
        _finite(f"{s.name}.e_nom", s.e_nom)
        _finite(f"{s.name}.p_nom_max", s.p_nom_max, s.p_nom if s.extendable else 0.0, True)
        _finite(f"{s.name}.e_nom_max", s.e_nom_max, s.e_nom if s.extendable else 0.0, True)
        _finite(f"{s.name}.capital_cost_power", s.capital_cost_power, -np.inf)
        _finite(f"{s.name}.capital_cost_energy", s.capital_cost_energy, -np.inf)
        effs = (s.efficiency_charge, s.efficiency_discharge)
        if not all(0.0 < e <= 1.0 for e in effs) or (s.max_hours or 1.0) <= 0:
            raise ConfigError(
                f"problem: storage {s.name}: efficiencies must be in (0, 1] and max_hours "
                f"> 0; got {effs} and {s.max_hours}"
            )
    _finite("poi.p_nom", p.poi.p_nom)
    _finite("horizon_years", p.horizon_years, 1e-12)
    for name in ("export_limit", "emissions_cap", "land_area"):
        value = getattr(p, name)
        if value is not None:
            _finite(name, value, allow_inf=True)
    if p.flex is not None:
        _finite("flex.curtail_energy_max", p.flex.curtail_energy_max, allow_inf=True)


def _check_heat_and_water(p: SystemProblem) -> None:
    """Shapes and ranges of the heat side and water, and a water limit that a fixed use
    (nothing in the LP can lower it) already breaks."""
    n = len(p.snapshots)
    arrays: dict[str, np.ndarray] = {}
    if p.heat is not None:
        h = p.heat
        arrays.update(
            {
                "heat.heat_per_load": h.heat_per_load,
                "heat.power_per_heat": h.power_per_heat,
                "heat.source_per_heat": h.source_per_heat,
                "heat.heat_pump_share": h.heat_pump_share,
                "heat.saving_per_source": h.saving_per_source,
                "heat.demand": h.demand,
            }
        )
        for name, value in (
            ("heat.price", h.price),
            ("heat.heat_pump_capital_cost", h.heat_pump_capital_cost),
            ("heat.heat_pump_marginal_cost", h.heat_pump_marginal_cost),
            ("heat.storage_capital_cost", h.storage_capital_cost),
            ("heat.storage_standing_loss", h.storage_standing_loss),
        ):
            _finite(name, value)
        _finite("heat.heat_pump_p_nom_max", h.heat_pump_p_nom_max, allow_inf=True)
        if not (np.isfinite(h.storage_hours) and h.storage_hours > 0):
            raise ConfigError(f"problem: heat.storage_hours must be > 0; got {h.storage_hours}")
        if np.any(np.asarray(h.source_per_heat) <= 0):
            raise ConfigError("problem: heat.source_per_heat must be > 0 (a COP above 1)")
    if p.water is not None:
        arrays.update({"water.per_load": p.water.per_load, "water.per_source": p.water.per_source})
        _finite("water.price", p.water.price)
    for name, arr in arrays.items():
        if np.shape(arr) != (n,):
            raise ConfigError(f"problem: {name} has shape {np.shape(arr)}, expected ({n},)")
        if not np.all(np.isfinite(arr)) or np.any(np.asarray(arr) < 0):
            raise ConfigError(f"problem: {name} must hold finite values >= 0")
    if p.water is None or p.heat is not None or p.flex is not None:
        return
    use = p.water.per_load * p.load  # fixed: nothing in the LP can lower it
    if p.water.peak_max is not None and use.max() > p.water.peak_max:
        when = p.snapshots[int(np.argmax(use))]
        raise ConfigError(
            f"campus.water.peak_limit: the cooling draws {use.max():.4g} m3/h at {when}, above "
            f"the limit {p.water.peak_max:.4g} m3/h, and nothing in the study can lower it; "
            "raise the limit, add heat reuse or flexibility, or choose a drier cooling design"
        )
    if p.water.annual_max is not None:
        total = float(p.snapshot_weights @ use)
        if total > p.water.annual_max * (1.0 + 1e-9):
            raise ConfigError(
                f"campus.water.annual_limit: the cooling draws {total:.4g} m3 over the horizon, "
                f"above the limit {p.water.annual_max:.4g} m3, and nothing in the study can "
                "lower it; raise the limit, add heat reuse or flexibility, or choose a drier "
                "cooling design"
            )


def _check_outage(p: SystemProblem) -> None:
    """Outage scenarios: hourly snapshots, known assets, starts on the axis, finite values."""
    o = p.outage
    if o is None:
        return
    n = len(p.snapshots)
    if p.weights is not None:
        raise ConfigError(
            "problem: outage scenarios need hourly snapshots; resilience sizing cannot run on "
            "an aggregated problem (drop aggregation.segments)"
        )
    if not 1 <= o.hours <= n:
        raise ConfigError(f"problem: outage.hours {o.hours} must be within 1..{n}")
    starts = np.asarray(o.starts)
    if starts.ndim != 1 or len(starts) == 0 or starts.min() < 0 or starts.max() >= n:
        raise ConfigError(f"problem: outage.starts must be snapshot indices within 0..{n - 1}")
    crit = np.asarray(o.critical_load, dtype=float)
    if crit.shape != (n,) or not np.all(np.isfinite(crit)) or crit.min() < 0:
        raise ConfigError(f"problem: outage.critical_load must hold ({n},) finite values >= 0")
    gens = {g.name for g in p.generators if not g.offsite}
    stores = {s.name for s in p.storage}
    unknown = sorted((set(o.generators) - gens) | (set(o.storage) - stores))
    if unknown:
        raise ConfigError(f"problem: outage names {unknown}, not on-site assets of the problem")
    for name, value in (
        ("outage.backup_p_nom", o.backup_p_nom),
        ("outage.fuel_hours", o.fuel_hours),
        ("outage.refuel_delay_h", o.refuel_delay_h),
        ("outage.refuel_share", o.refuel_share),
        ("outage.reserve", o.reserve),
        ("outage.genset_capital_cost", o.genset_capital_cost or 0.0),
        ("outage.fuel_capital_cost", o.fuel_capital_cost or 0.0),
    ):
        _finite(name, value)
    if not 0.0 <= o.derate <= 1.0:
        raise ConfigError(f"problem: outage.derate must be in [0, 1]; got {o.derate}")
    for name, value in (
        ("outage.efficiency_charge", o.efficiency_charge),
        ("outage.efficiency_discharge", o.efficiency_discharge),
    ):
        if not 0.0 < value <= 1.0:
            raise ConfigError(f"problem: {name} must be in (0, 1]; got {value}")
