"""Time-series aggregation by chronological segmentation (gridtwin.optimize.aggregate)."""

from __future__ import annotations

import doctest
from dataclasses import fields, is_dataclass, replace

import numpy as np
import pandas as pd
import pytest
from hand_cases import Solve
from hand_cases import flex as hand_flex
from hand_cases import poi as hand_poi

from gridtwin.exceptions import ConfigError
from gridtwin.optimize import aggregate as aggregate_module
from gridtwin.optimize import pypsa_backend
from gridtwin.optimize.aggregate import PER_WINDOW_FIELDS, aggregate, disaggregate
from gridtwin.optimize.problem import (
    FlexSpec,
    GeneratorSpec,
    PoiSpec,
    StorageSpec,
    SystemProblem,
    horizon_years,
)


def _synthetic(n: int, seed: int = 1) -> SystemProblem:
    """A campus problem with the shapes of real data: diurnal load and solar with cloudy days,
    wind in multi-day weather systems, time-of-day prices, battery, 100-h storage, backup
    generator, grid CO2 and flexibility on 24-h windows. Costs are annual x horizon share."""
    rng = np.random.default_rng(seed)
    hours = np.arange(n)
    hod = hours % 24
    days = n // 24 + 1
    load = 100.0 + 8.0 * np.sin(2 * np.pi * (hod - 9) / 24) + rng.normal(0.0, 2.0, n)
    cloud = np.repeat(rng.uniform(0.25, 1.0, days), 24)[:n]
    solar = np.clip(np.sin(np.pi * (hod - 6) / 12), 0.0, None) * cloud
    weather = np.repeat(rng.uniform(0.05, 0.9, days // 3 + 1), 72)[:n]
    wind = np.clip(weather + rng.normal(0.0, 0.08, n), 0.0, 1.0)
    price = 45.0 + 25.0 * (np.abs(hod - 18) < 3) + rng.normal(0.0, 3.0, n)
    years = horizon_years(n)
    windows = -(-n // 24)
    return SystemProblem(
        snapshots=pd.date_range("2019-03-01", periods=n, freq="h"),
        load=load,
        generators=(
            GeneratorSpec("solar", solar, years * 60_000.0),
            GeneratorSpec("onwind", wind, years * 120_000.0, marginal_cost=1.0),
            GeneratorSpec(
                "backup",
                np.ones(n),
                0.0,
                marginal_cost=200.0,
                clean=False,
                p_nom=50.0,
                extendable=False,
                co2_intensity=0.7,
                e_sum_max=100.0 * n / 8760,
            ),
        ),
        storage=(
            StorageSpec("battery", years * 25_000.0, years * 15_000.0, 0.95, 0.95),
            StorageSpec("ironair", years * 40_000.0, years * 1_500.0, 0.7, 0.6, max_hours=100.0),
        ),
        poi=PoiSpec(
            p_nom=150.0,
            import_price=price,
            export_price=0.5 * price,
            grid_cfe_share=0.4 + 0.1 * np.sin(2 * np.pi * hours / (24 * 7)),
            grid_co2_intensity=0.5 - 0.1 * np.sin(2 * np.pi * hod / 24),
        ),
        cfe_target=0.9,
        tie_break_cost=0.01,
        flex=FlexSpec(
            shift_max=0.15 * load,
            shift_in_max=0.1 * load,
            ramp_max=np.full(n, 10.0),
            window_hours=24,
            shift_cost=1.0,
            curtail_max=0.2 * load,
            curtail_energy_max=0.005 * load.sum(),
            curtail_window_energy_max=np.full(windows, 3 * 0.2 * 100.0),
            curtail_cost=1000.0,
        ),
        horizon_years=years,
        export_limit=0.2 * load.sum(),
        emissions_cap=1e6,
    )


def _hourly_arrays(problem: SystemProblem) -> dict[str, np.ndarray]:
    """Every hourly array of the problem, by dotted name (found by walking the dataclasses)."""
    n = len(problem.snapshots)
    found: dict[str, np.ndarray] = {}

    def walk(obj: object, prefix: str) -> None:
        for f in fields(obj):  # type: ignore[arg-type]
            value = getattr(obj, f.name)
            name = f"{prefix}{f.name}"
            if isinstance(value, np.ndarray) and value.shape[:1] == (n,):
                if f.name not in PER_WINDOW_FIELDS and f.name != "weights":
                    found[name] = value
            elif is_dataclass(value):
                walk(value, f"{name}.")
            elif isinstance(value, tuple):
                for item in value:
                    if is_dataclass(item):
                        walk(item, f"{name}.{item.name}.")  # type: ignore[attr-defined]

    walk(problem, "")
    return found


FULL = _synthetic(24 * 14)


def test_synthetic_problem_has_every_kind_of_hourly_array() -> None:
    names = set(_hourly_arrays(FULL))
    assert {
        "load",
        "generators.solar.capacity_factor",
        "generators.backup.capacity_factor",
        "poi.import_price",
        "poi.export_price",
        "poi.grid_cfe_share",
        "poi.grid_co2_intensity",
        "flex.shift_max",
        "flex.shift_in_max",
        "flex.ramp_max",
        "flex.curtail_max",
    } <= names


@pytest.mark.parametrize("n_segments", [1, 2, 37, 84, 335])
def test_every_series_keeps_its_energy_and_is_the_segment_mean(n_segments: int) -> None:
    agg = aggregate(FULL, n_segments)
    w = agg.snapshot_weights
    n_time = len(FULL.snapshots)
    assert agg.weights is not None and w.shape == (n_segments,)
    assert np.all(w >= 1) and np.array_equal(w, np.rint(w))
    assert w.sum() == n_time
    starts = np.concatenate([[0], np.cumsum(w)[:-1]]).astype(int)
    # snapshots: the first hour of each segment, strictly increasing, from the first hour
    assert agg.snapshots[0] == FULL.snapshots[0]
    assert agg.snapshots.is_monotonic_increasing and agg.snapshots.is_unique
    assert agg.snapshots.equals(FULL.snapshots[0] + pd.to_timedelta(starts, unit="h"))
    full_arrays, agg_arrays = _hourly_arrays(FULL), _hourly_arrays(agg)
    assert agg_arrays.keys() == full_arrays.keys()
    for name, hourly in full_arrays.items():
        seg = agg_arrays[name]
        assert float(seg @ w) == pytest.approx(float(hourly.sum()), rel=1e-12, abs=1e-9), name
        means = [hourly[s : s + int(k)].mean() for s, k in zip(starts, w, strict=True)]
        np.testing.assert_allclose(seg, means, rtol=1e-12, atol=1e-12, err_msg=name)


def test_no_warning_from_tsam_rounding() -> None:
    """tsam warns when its own segment values pass the input range by 1e-14; unused here."""
    agg = aggregate(_synthetic(24 * 28, seed=3), 336)  # warned before: warnings are errors
    assert len(agg.snapshots) == 336


def test_horizon_totals_and_per_window_budgets_are_unchanged() -> None:
    agg = aggregate(FULL, 50)
    assert FULL.weights is None  # the input is not changed
    for name in ("horizon_years", "export_limit", "emissions_cap", "cfe_target", "tie_break_cost"):
        assert getattr(agg, name) == getattr(FULL, name)
    for g_full, g_agg in zip(FULL.generators, agg.generators, strict=True):
        assert (g_agg.capital_cost, g_agg.e_sum_max, g_agg.p_nom) == (
            g_full.capital_cost,
            g_full.e_sum_max,
            g_full.p_nom,
        )
    assert agg.storage == FULL.storage  # no hourly arrays: equal specs
    assert FULL.flex is not None and agg.flex is not None
    np.testing.assert_array_equal(
        agg.flex.curtail_window_energy_max, FULL.flex.curtail_window_energy_max
    )
    assert agg.flex.curtail_energy_max == FULL.flex.curtail_energy_max
    assert agg.flex.window_hours == FULL.flex.window_hours
    # windows are counted in hours: each segment lies in the window its first hour is in
    full_window = FULL.window_index(24)
    starts = np.searchsorted(FULL.snapshots, agg.snapshots)
    np.testing.assert_array_equal(agg.window_index(24), full_window[starts])


def test_segments_equal_hours_is_the_identity() -> None:
    n = len(FULL.snapshots)
    agg = aggregate(FULL, n)
    np.testing.assert_array_equal(agg.snapshot_weights, np.ones(n))
    assert agg.snapshots.equals(FULL.snapshots)
    full_arrays, agg_arrays = _hourly_arrays(FULL), _hourly_arrays(agg)
    assert agg_arrays.keys() == full_arrays.keys()
    for name, hourly in full_arrays.items():
        np.testing.assert_array_equal(agg_arrays[name], hourly, err_msg=name)


def test_piecewise_constant_series_are_segmented_at_their_steps() -> None:
    """Series constant on k runs of hours, k segments: the boundaries are the steps exactly
    and nothing is lost."""
    lengths = np.array([5, 11, 3, 20, 9])
    n = int(lengths.sum())
    runs = np.repeat(np.arange(len(lengths)), lengths)
    level = np.array([0.1, 0.9, 0.3, 0.7, 0.0])
    prob = SystemProblem(
        snapshots=pd.date_range("2019-01-01", periods=n, freq="h"),
        load=100.0 + 50.0 * level[runs],
        generators=(GeneratorSpec("solar", level[::-1][runs], 1.0),),
        storage=(),
        poi=PoiSpec(1e3, np.full(n, 50.0), np.zeros(n), np.full(n, 0.4)),
        cfe_target=0.5,
    )
    agg = aggregate(prob, len(lengths))
    np.testing.assert_array_equal(agg.snapshot_weights, lengths)
    np.testing.assert_allclose(agg.load, 100.0 + 50.0 * level, rtol=1e-15)
    np.testing.assert_array_equal(disaggregate(agg.load, agg.snapshot_weights), prob.load)


def test_solver_weights_move_the_boundaries() -> None:
    """Two segments on noisy load and one price step at hour 30: weighted heavily, the price
    decides where the horizon is cut."""
    n = 48
    rng = np.random.default_rng(3)
    price = np.where(np.arange(n) < 30, 40.0, 90.0)
    prob = SystemProblem(
        snapshots=pd.date_range("2019-01-01", periods=n, freq="h"),
        load=100.0 + rng.normal(0.0, 20.0, n),
        generators=(GeneratorSpec("solar", rng.uniform(0.0, 1.0, n), 1.0),),
        storage=(),
        poi=PoiSpec(1e3, price, np.zeros(n), np.full(n, 0.4)),
        cfe_target=0.5,
    )
    agg = aggregate(prob, 2, solver_weights={"poi.import_price": 100.0})
    np.testing.assert_array_equal(agg.snapshot_weights, [30, 18])
    np.testing.assert_allclose(agg.poi.import_price, [40.0, 90.0])


@pytest.mark.parametrize(
    "weights", [{"price": 2.0}, {"load": 0.0}, {"load": -1.0}, {"load": float("nan")}]
)
def test_bad_solver_weights(weights: dict[str, float]) -> None:
    with pytest.raises(ConfigError, match=r"aggregation\.solver_weights"):
        aggregate(FULL, 10, solver_weights=weights)


@pytest.mark.parametrize("n_segments", [0, -3, 24 * 14 + 1, 2.5, "10", None, True])
def test_bad_segment_counts(n_segments: object) -> None:
    with pytest.raises(ConfigError, match=r"aggregation\.segments.*from 1 to 336"):
        aggregate(FULL, n_segments)  # type: ignore[arg-type]


def test_numpy_integer_segment_count_is_accepted() -> None:
    assert len(aggregate(FULL, np.int64(12)).snapshots) == 12  # type: ignore[arg-type]


def test_aggregating_twice_is_an_error() -> None:
    once = aggregate(FULL, 100)
    with pytest.raises(ConfigError, match="already aggregated"):
        aggregate(once, 50)


def test_disaggregate_repeats_segments_back_to_hours() -> None:
    agg = aggregate(FULL, 40)
    hourly = disaggregate(agg.load, agg.snapshot_weights)
    assert hourly.shape == FULL.load.shape
    assert hourly.sum() == pytest.approx(FULL.load.sum(), rel=1e-12)
    both = disaggregate(np.stack([agg.load, 2 * agg.load], axis=1), agg.snapshot_weights)
    assert both.shape == (len(FULL.load), 2)
    np.testing.assert_array_equal(both[:, 1], 2 * hourly)
    with pytest.raises(ValueError, match="whole hours"):
        disaggregate(np.ones(2), np.array([1.5, 2.0]))
    with pytest.raises(ValueError, match="one weight per row"):
        disaggregate(np.ones(3), np.array([1.0, 2.0]))


def test_docstring_examples() -> None:
    result = doctest.testmod(aggregate_module)
    assert result.attempted > 0 and result.failed == 0


def test_quarter_of_the_snapshots_solves_close_to_full_resolution() -> None:
    """Four weeks, 25 % of the snapshots: the objective stays within 3 % of the hourly one
    (PyPSA backend with snapshot weights), and the energy bookkeeping holds."""
    full = _synthetic(24 * 28, seed=7)
    agg = aggregate(full, 24 * 7)
    sol_full = pypsa_backend.solve(full)
    sol_agg = pypsa_backend.solve(agg)
    error = abs(sol_agg.objective - sol_full.objective) / sol_full.objective
    assert error < 0.03, (sol_full.objective, sol_agg.objective, sol_full.p_nom, sol_agg.p_nom)
    w = agg.snapshot_weights
    stored = sum(sol_agg.discharge[s] - sol_agg.charge[s] for s in sol_agg.charge)
    supply = sum(sol_agg.p.values()) + stored + sol_agg.grid_import - sol_agg.grid_export
    balance = supply + sol_agg.load_curtailment - (agg.load + sol_agg.load_shift)
    assert np.abs(balance).max() < 1e-4
    assert float(sol_agg.load_shift @ w) == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize(
    ("n_hours", "n_segments", "verdict"),
    [(8760, 365, "refused"), (8760, 729, "refused"), (336, 20, "refused"),
     (8760, 730, "warned"), (8760, 1094, "warned"), (8760, 1095, "quiet"), (336, 112, "quiet")],
)  # fmt: skip
def test_too_few_segments_for_a_sound_sizing(
    n_hours: int, n_segments: int, verdict: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Segments longer than 12 h on average merge day and night (-22 % at 24 h) and are
    refused naming the smallest sound count; 8-12 h are warned with the measured error."""
    from gridtwin.optimize.aggregate import check_segment_length

    if verdict == "refused":
        least = -(-n_hours // 12)
        with pytest.raises(ConfigError, match=rf"aggregation\.segments: .*at least {least}\b"):
            check_segment_length(n_hours, n_segments)
        return
    with caplog.at_level("WARNING", logger="gridtwin.optimize.aggregate"):
        check_segment_length(n_hours, n_segments)
    warned = [r for r in caplog.records if "cost about 2 % low" in r.getMessage()]
    assert len(warned) == (verdict == "warned")


def test_ramp_limit_scales_with_segment_length(solve: Solve) -> None:
    """Two segments of 6 h, a ramp limit of 10 MW/h: the shift may change by 60 MW between
    the segments' centres (6 h apart), so 30 MW moves from the dear to the cheap segment. Read
    per snapshot, the limit would allow only 5 MW and mis-price flexibility."""
    flexibility = hand_flex(2, shift=100.0, ramp=10.0, window=12)
    problem = SystemProblem(
        snapshots=pd.DatetimeIndex(["2019-01-01 00:00", "2019-01-01 06:00"]),
        load=np.full(2, 100.0),
        generators=(),
        storage=(),
        poi=replace(hand_poi(2, 1000.0, 0.0, 0.0), import_price=np.array([100.0, 10.0])),
        cfe_target=0.0,
        flex=flexibility,
        weights=np.array([6.0, 6.0]),
    )
    np.testing.assert_allclose(problem.ramp_limit(), [35.0, 60.0])
    sol = solve(problem)
    np.testing.assert_allclose(sol.load_shift, [-30.0, 30.0], atol=1e-5)
    hourly = replace(
        problem,
        snapshots=pd.date_range("2019-01-01", periods=12, freq="h"),
        load=np.full(12, 100.0),
        weights=None,
        poi=replace(hand_poi(12, 1000.0, 0.0, 0.0), import_price=np.repeat([100.0, 10.0], 6)),
        flex=hand_flex(12, shift=100.0, ramp=10.0, window=12),
    )
    np.testing.assert_allclose(hourly.ramp_limit(), 10.0)  # unchanged at hourly resolution
