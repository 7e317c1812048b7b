"""Every accounting regime of the CFE target on a hand case whose optimum is worked out below,
on both backends; and the score of each solution under every regime, recomputed from the
result file's arrays.

The case: 4 hours across the end of January (31 Jan 22:00 - 1 Feb 01:00 UTC), 100 MW of load,
target 0.75 (300 MWh of the 400). ``solar`` runs in the two January hours (capital 10 per MW),
``wind`` in the two February hours (30 per MW), the grid has no clean share and costs 3 in
January and 1 in February; exports earn nothing. One MW of either plant gives 2 MWh.

* annual: 300 MWh of clean output, exported or not: solar 150 MW (1 500) + February imports
  200 MWh x 1 = 1 700.
* monthly: 150 MWh in each month: solar 75 MW and wind 75 MW (750 + 2 250) + imports 50 MWh x 3
  + 50 MWh x 1 = 3 200.
* hourly: solar counts up to the load (100 MW: 200 MWh), wind 50 MW brings the other 100 MWh:
  1 000 + 1 500 + February imports 100 MWh x 1 = 2 600.
* eu_hydrogen, threshold 1: the February hours (price 1) count their import as clean (200 MWh),
  solar 50 MW brings 100 MWh: 500 + January imports 100 MWh x 3 + February 200 MWh x 1 = 1 000.

Extra plant never pays for itself (a MW saves at most 2 MWh x 3 < 10), so each optimum is
unique.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridtwin.kpis.matching import REGIMES, matching_groups, regime_score
from gridtwin.optimize.problem import GeneratorSpec, PoiSpec, Solution, SystemProblem
from gridtwin.results.build import build_results

PRICE = np.array([3.0, 3.0, 1.0, 1.0])


def across_month_end(matching: str) -> SystemProblem:
    n = 4
    return SystemProblem(
        snapshots=pd.date_range("2019-01-31 22:00", periods=n, freq="h"),
        load=np.full(n, 100.0),
        generators=(
            GeneratorSpec("solar", np.array([1.0, 1.0, 0.0, 0.0]), 10.0),
            GeneratorSpec("wind", np.array([0.0, 0.0, 1.0, 1.0]), 30.0),
        ),
        storage=(),
        poi=PoiSpec(1000.0, PRICE, np.zeros(n), np.zeros(n)),
        cfe_target=0.75,
        matching=matching,  # type: ignore[arg-type]
        low_price_threshold=1.0,
    )


#: regime -> (objective, solar MW, wind MW), worked out in the module docstring.
OPTIMA = {
    "annual": (1700.0, 150.0, 0.0),
    "monthly": (3200.0, 75.0, 75.0),
    "hourly": (2600.0, 100.0, 50.0),
    "eu_hydrogen": (1000.0, 50.0, 0.0),
}

#: Score of each optimum under every regime [-], by hand: clean MWh matched / 400 MWh.
#: annual optimum (solar 150): annual 300; monthly Jan min(300, 200) + Feb 0 = 200; hourly
#: Jan 200 (100 exported) + Feb 0; eu_hydrogen 200 + Feb imports 200.
#: monthly optimum (solar 75, wind 75): 300 in every volumetric count; hourly 150 + 150; with
#: the February imports (50 MWh) counted clean, 350.
#: hourly optimum (solar 100, wind 50): annual 300, monthly Jan 200 + Feb 100, hourly 300,
#: eu_hydrogen 300 + February imports 100.
#: eu_hydrogen optimum (solar 50): 100 in every count but eu_hydrogen (100 + 200).
SCORES = {
    "annual": {"annual": 0.75, "monthly": 0.5, "hourly": 0.5, "eu_hydrogen": 1.0},
    "monthly": {"annual": 0.75, "monthly": 0.75, "hourly": 0.75, "eu_hydrogen": 0.875},
    "hourly": {"annual": 0.75, "monthly": 0.75, "hourly": 0.75, "eu_hydrogen": 1.0},
    "eu_hydrogen": {"annual": 0.25, "monthly": 0.25, "hourly": 0.25, "eu_hydrogen": 0.75},
}


def _campus(problem: SystemProblem) -> xr.Dataset:
    time = {"time": problem.snapshots}
    load = xr.DataArray(problem.load, coords=time, dims="time")
    return xr.Dataset(
        {"load": load, "it_load": load / 1.1, "pue": load * 0 + 1.1, "temp_wetbulb": load * 0}
    )


@pytest.mark.parametrize("regime", list(OPTIMA))
def test_each_regime_reaches_its_hand_optimum(regime: str, solve: Any) -> None:
    problem = across_month_end(regime)
    solution = solve(problem)
    objective, solar, wind = OPTIMA[regime]
    assert solution.objective == pytest.approx(objective, rel=1e-6)
    assert solution.p_nom["solar"] == pytest.approx(solar, abs=1e-4)
    assert solution.p_nom["wind"] == pytest.approx(wind, abs=1e-4)
    ds = build_results(problem, solution, _campus(problem))
    scores = ds["matching_score"].to_series()
    for other, expected in SCORES[regime].items():
        assert float(scores[other]) == pytest.approx(expected, abs=1e-6), other
    assert ds["matching_target"].attrs["flag_meanings"].split()[int(ds["matching_target"])] == (
        regime
    )


def test_scores_are_ordered_for_any_dispatch() -> None:
    """hourly <= monthly <= annual and hourly <= eu_hydrogen, recomputed from random
    dispatches of the hand case (every regime's score is bounded by the looser ones)."""
    rng = np.random.default_rng(7)
    problem = across_month_end("hourly")
    for _ in range(20):
        solar, wind = rng.uniform(0, 200, 2)
        p = {"solar": solar * problem.generators[0].capacity_factor}
        p["wind"] = wind * problem.generators[1].capacity_factor
        supply = p["solar"] + p["wind"]
        imports = np.maximum(problem.load - supply, 0.0)
        export = np.maximum(supply - problem.load, 0.0)
        solution = Solution(
            p_nom={"solar": solar, "wind": wind},
            e_nom={},
            p=p,
            charge={},
            discharge={},
            state_of_charge={},
            grid_import=imports,
            grid_export=export,
            objective=0.0,
        )
        ds = build_results(problem, solution, _campus(problem))
        s = ds["matching_score"].to_series()
        assert s["hourly"] <= s["monthly"] + 1e-12 <= s["annual"] + 2e-12
        assert s["hourly"] <= s["eu_hydrogen"] + 1e-12
        assert float(ds["cfe_score"]) == pytest.approx(float(s["hourly"]), abs=1e-12)


def test_monthly_groups_are_local_calendar_months() -> None:
    """31 Jan 23:00 UTC is already February in UTC+1: months follow local time."""
    snapshots = pd.date_range("2019-01-31 22:00", periods=4, freq="h")
    years = np.zeros(4, dtype=int)
    assert list(matching_groups("monthly", years, snapshots, 0.0)) == [0, 0, 1, 1]
    assert list(matching_groups("monthly", years, snapshots, 1.0)) == [0, 1, 1, 1]
    assert list(matching_groups("hourly", years, snapshots, 1.0)) == [0, 0, 0, 0]


def test_regime_score_caps_each_period_at_its_load() -> None:
    # 300 MWh clean in a month of 200 MWh load and none in the next: half the load matched
    score = regime_score(
        np.array([150.0, 150.0, 0.0, 0.0]), np.full(4, 100.0), np.ones(4), np.array([0, 0, 1, 1])
    )
    assert score == pytest.approx(0.5)
    assert set(REGIMES) == set(OPTIMA)


def test_low_price_hours_count_only_under_the_hydrogen_rule(solve: Any) -> None:
    """Without a threshold the eu_hydrogen regime is the hourly one (same optimum)."""
    problem = replace(across_month_end("eu_hydrogen"), low_price_threshold=None)
    assert solve(problem).objective == pytest.approx(OPTIMA["hourly"][0], rel=1e-6)


def _renewable_case(price: float | None) -> SystemProblem:
    """4 h of 100 MW, solar in the first two hours (10 per MW), grid at 1 per MWh, no CFE
    target, half the load renewable on a balance-sheet basis (EnEfG-like)."""
    n = 4
    return SystemProblem(
        snapshots=pd.date_range("2027-06-01", periods=n, freq="h"),
        load=np.full(n, 100.0),
        generators=(GeneratorSpec("solar", np.array([1.0, 1.0, 0.0, 0.0]), 10.0, renewable=True),),
        storage=(),
        poi=PoiSpec(1000.0, np.ones(n), np.zeros(n), np.zeros(n)),
        cfe_target=0.0,
        renewable_share_min=0.5,
        certificate_price=price,
    )


@pytest.mark.parametrize(
    ("price", "objective", "solar", "bought"),
    [
        # 200 MWh renewable: solar 100 MW (1 000) + 200 MWh imported at 1 = 1 200
        (None, 1200.0, 100.0, 0.0),
        # certificates at 3: 200 MWh bought (600) + 400 MWh imported (400) = 1 000
        (3.0, 1000.0, 0.0, 200.0),
    ],
)
def test_renewable_share_by_hand(
    solve: Any, price: float | None, objective: float, solar: float, bought: float
) -> None:
    solution = solve(_renewable_case(price))
    assert solution.objective == pytest.approx(objective, rel=1e-6)
    assert solution.p_nom["solar"] == pytest.approx(solar, abs=1e-4)
    volume = float(solution.certificates.sum()) if solution.certificates.size else 0.0
    assert volume == pytest.approx(bought, abs=1e-3)
