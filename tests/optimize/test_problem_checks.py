"""The Python API refuses what the study schema refuses (gridtwin.optimize.problem_checks),
for both backends, with one line naming the field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hand_cases import SOLAR_MIDDAY, Solve, battery_two_hours, four_hours, index

from gridtwin.exceptions import ConfigError
from gridtwin.optimize.problem import GeneratorSpec, StorageSpec, SystemProblem

BASE = four_hours(grid=None)


def _with(**changes: Any) -> SystemProblem:
    return replace(BASE, **changes)


def _gen(**changes: Any) -> SystemProblem:
    return _with(generators=(replace(SOLAR_MIDDAY, **changes),))


def _store(**changes: Any) -> SystemProblem:
    problem = battery_two_hours()
    return replace(problem, storage=(replace(problem.storage[0], **changes),))


CASES = {
    "tz-aware snapshots": (
        lambda: _with(snapshots=index(4).tz_localize("Europe/Paris")),
        r"snapshots are in time zone Europe/Paris; give tz-naive UTC",
    ),
    "unsorted snapshots": (
        lambda: _with(snapshots=index(4)[[0, 2, 1, 3]]),
        r"snapshots must be strictly increasing; 2019-01-01 01:00:00 repeats or goes back",
    ),
    "repeated snapshot": (
        lambda: _with(snapshots=pd.DatetimeIndex([*index(3), index(3)[-1]])),
        r"snapshots must be strictly increasing; 2019-01-01 02:00:00 repeats",
    ),
    "empty snapshots": (
        lambda: SystemProblem(
            snapshots=pd.DatetimeIndex([]),
            load=np.zeros(0),
            generators=(),
            storage=(),
            poi=BASE.poi,
            cfe_target=0.5,
        ),
        r"snapshots must be a non-empty pandas\.DatetimeIndex",
    ),
    "negative load": (
        lambda: _with(load=np.array([100.0, -5.0, 100.0, 100.0])),
        r"load is -5 at 2019-01-01 01:00:00 \(UTC, 1 snapshots\), outside \[0, inf\]",
    ),
    "capacity factor in percent": (
        lambda: _gen(capacity_factor=np.array([0.0, 85.0, 90.0, 0.0])),
        r"solar\.capacity_factor is 85 at .* outside \[0, 1\]",
    ),
    "NaN size": (lambda: _gen(p_nom=float("nan")), r"solar\.p_nom must be a finite number"),
    "infinite capital cost": (
        lambda: _gen(capital_cost=float("inf")),
        r"solar\.capital_cost must be a finite number",
    ),
    "build limit below existing": (
        lambda: _gen(p_nom=50.0, p_nom_max=20.0),
        r"solar\.p_nom_max must be a number >= 50; got 20",
    ),
    "negative storage energy": (lambda: _store(e_nom=-1.0), r"battery\.e_nom must be"),
    "NaN POI": (
        lambda: _with(poi=replace(BASE.poi, p_nom=float("nan"))),
        r"poi\.p_nom must be a finite number",
    ),
    "grid CFE share in percent": (
        lambda: _with(poi=replace(BASE.poi, grid_cfe_share=np.full(4, 40.0))),
        r"poi\.grid_cfe_share is 40 .* outside \[0, 1\]",
    ),
    "NaN budget": (
        lambda: _gen(e_sum_max=float("nan")),
        r"solar\.e_sum_max must be a number >= 0; got nan",
    ),
    "POI prices as Python lists": (
        lambda: _with(poi=replace(BASE.poi, import_price=[75.0] * 4)),
        r"poi\.import_price must be a numpy array of numbers, shape \(4,\); got a list",
    ),
    "capacity factor of strings": (
        lambda: _gen(capacity_factor=np.array(["a"] * 4)),
        r"solar\.capacity_factor must be a numpy array of numbers, .* got a <U1 array",
    ),
    "30-min snapshots without weights": (
        lambda: _with(snapshots=pd.date_range("2019-06-01", periods=4, freq="30min")),
        r"snapshots 2019-06-01 00:00:00 and 2019-06-01 00:30:00 are 0\.5 h apart; they must "
        r"be 1 h apart",
    ),
    "weights that do not match the steps": (
        lambda: _with(weights=np.array([2.0, 1.0, 1.0, 1.0])),
        r"snapshots 2019-01-01 00:00:00 and 2019-01-01 01:00:00 are 1 h apart; they must be "
        r"as far apart as the weights say",
    ),
    "negative emissions cap": (
        lambda: _with(emissions_cap=-1.0),
        r"emissions_cap must be a number >= 0",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_problems_are_refused_when_built(case: str) -> None:
    build, message = CASES[case]
    with pytest.raises(ConfigError, match=rf"^problem: {message}"):
        build()


def test_an_array_changed_after_building_is_refused_by_both_backends(solve: Solve) -> None:
    """The arrays of a frozen problem can still be written to; the solve checks again."""
    problem = four_hours((GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), 10.0),))
    problem.load[2] = np.nan
    with pytest.raises(ConfigError, match=r"^problem: load contains NaN or infinite values"):
        solve(problem)


def test_a_sound_storage_problem_still_builds() -> None:
    problem = battery_two_hours()
    assert isinstance(problem.storage[0], StorageSpec)
