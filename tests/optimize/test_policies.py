"""Reference behaviour of 24/7 CFE sizing, reproduced on a Greensboro week.

Known qualitative results of the 24/7 CFE literature (Xu et al. 2021, Riepin & Brown 2022,
"System-level impacts of 24/7 carbon-free electricity procurement in Europe"): the cost rises
with the hourly target; annual (volumetric) matching of the same volume is cheaper than hourly
matching; the campus's own flexibility lowers the cost.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
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


def _renewable_share(problem: SystemProblem, solution: Any) -> float:
    w = problem.snapshot_weights
    output = sum((solution.p[g.name] for g in problem.generators if g.renewable), np.zeros(len(w)))
    bought = solution.certificates if solution.certificates.size else np.zeros(len(w))
    return float(w @ (output + bought)) / float(w @ problem.load)


def test_german_renewable_limit_binds_and_changes_the_design(week: SystemProblem) -> None:
    """EnEfG § 11(5) from 2027: 100 % renewable on a balance-sheet basis, for a campus with
    no hourly target of its own. Without the limit the week buys most of its energy from the
    grid (27 % renewable, 1.3 GW of solar); the limit more than triples the solar and adds a
    battery; guarantees of origin at 1 USD/MWh take the design back to about where it was."""
    base_problem = replace(week, cfe_target=0.0)
    assert any(g.renewable for g in base_problem.generators)
    base = pypsa_backend.solve(base_problem)
    assert _renewable_share(base_problem, base) < 0.5
    limited_problem = replace(base_problem, renewable_share_min=1.0)
    limited = pypsa_backend.solve(limited_problem)
    assert _renewable_share(limited_problem, limited) >= 1.0 - 1e-6
    assert limited.p_nom["solar"] > 2.0 * base.p_nom["solar"]
    assert limited.objective > 1.2 * base.objective
    cheap = replace(limited_problem, certificate_price=1.0)
    with_gos = pypsa_backend.solve(cheap)
    assert with_gos.certificates.sum() > 0
    assert with_gos.p_nom["solar"] < 1.1 * base.p_nom["solar"]
    assert base.objective < with_gos.objective < limited.objective
    assert _renewable_share(cheap, with_gos) >= 1.0 - 1e-6
