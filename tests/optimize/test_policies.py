"""Reference behaviour of 24/7 CFE sizing, reproduced on a Greensboro week.

Known qualitative results of the 24/7 CFE literature (Xu et al. 2021, Riepin & Brown 2022,
"System-level impacts of 24/7 carbon-free electricity procurement in Europe"): the cost rises
with the hourly target; annual (volumetric) matching of the same volume is cheaper than hourly
matching; the campus's own flexibility lowers the cost.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gridtwin.config import parse_study
from gridtwin.optimize import pypsa_backend
from gridtwin.optimize.problem import SystemProblem
from gridtwin.study import prepare_problem
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> SystemProblem:
    """A July week at Greensboro with the default technologies, campus and flexibility."""
    folder = tmp_path_factory.mktemp("policies")
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(
        time=slice(4368, 4368 + 168)
    )
    write_weather(weather, folder / "week.nc")
    text = (
        "name: week\nweather: {path: week.nc}\n"
        "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
    )
    problem, _, _ = prepare_problem(parse_study(text, base=folder).config)
    return problem


def _cost(problem: SystemProblem) -> float:
    return pypsa_backend.solve(problem).objective


def test_cost_rises_with_the_hourly_target(week: SystemProblem) -> None:
    costs = [_cost(replace(week, cfe_target=x)) for x in (0.6, 0.8, 0.9, 0.95)]
    assert costs == sorted(costs)
    assert costs[0] < costs[-1]
    # steeper at the top: the last 5 points cost more per point than the 20 from 0.6 to 0.8
    assert (costs[3] - costs[2]) / 5 > (costs[1] - costs[0]) / 20


def test_annual_matching_is_cheaper_than_hourly(week: SystemProblem) -> None:
    hourly = _cost(replace(week, cfe_target=0.9))
    annual = _cost(replace(week, cfe_target=0.9, matching="annual"))
    assert annual < hourly


def test_flexibility_lowers_the_cost(week: SystemProblem) -> None:
    with_flex = _cost(week)
    without = _cost(replace(week, flex=None))
    assert with_flex < without
