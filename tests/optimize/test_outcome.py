"""How a solve ends, on both backends: a time limit, an iteration limit, infeasibility and
unboundedness are forced on small problems and each must give its own error and message."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pytest
from hand_cases import (
    INFEASIBLE_CASES,
    SOLAR_MIDDAY,
    Solve,
    battery_two_hours,
    flex,
    four_hours,
    index,
    poi,
)

from gridtwin.exceptions import ConfigError, InfeasibleError, SolverError, UnboundedError
from gridtwin.optimize import backends
from gridtwin.optimize.dispatch import rolling_dispatch
from gridtwin.optimize.outcome import Status, infeasibility_message, limit_reached
from gridtwin.optimize.problem import GeneratorSpec, StorageSpec, SystemProblem

HOURS = 72


def _campus(target: float = 0.8) -> SystemProblem:
    """Three days of a 100 MW campus with solar, wind and a battery behind a 150 MW POI."""
    t = np.arange(HOURS)
    sun = np.clip(np.sin(2 * np.pi * (t % 24 - 6) / 24), 0.0, None)
    wind = 0.35 + 0.25 * np.sin(2 * np.pi * t / 53.0)
    eta = math.sqrt(0.85)
    return SystemProblem(
        snapshots=index(HOURS),
        load=100.0 + 10.0 * np.sin(2 * np.pi * t / 24),
        generators=(
            GeneratorSpec("solar", sun, 60.0),
            GeneratorSpec("onwind", wind, 110.0),
        ),
        storage=(StorageSpec("battery", 20.0, 2.0, eta, eta),),
        poi=poi(HOURS, 150.0, 60.0, 0.3),
        cfe_target=target,
    )


def _unbounded() -> SystemProblem:
    """Solar paid to be built (a negative capital cost) and no size limit."""
    problem = _campus()
    solar = replace(problem.generators[0], capital_cost=-1.0)
    return replace(problem, generators=(solar, *problem.generators[1:]))


def _infeasible() -> SystemProblem:
    """Islanded, solar only: the night load cannot be served."""
    problem = _campus()
    return replace(
        problem,
        generators=problem.generators[:1],
        storage=(),
        poi=replace(problem.poi, p_nom=0.0),
    )


#: backend, solver, options -> (problem, error class, message pattern)
CASES = {
    "time_limit": (
        _campus,
        {"time_limit": 0.0},
        SolverError,
        r"stopped at its time limit \(solver\.options\.time_limit = 0\.0 s\)",
    ),
    "iteration_limit": (
        _campus,
        {"presolve": "off", "simplex_iteration_limit": 1},
        SolverError,
        r"stopped at an iteration limit \(solver\.options \{'simplex_iteration_limit': 1\}",
    ),
    "infeasible": (
        _infeasible,
        {},
        InfeasibleError,
        r"infeasible at cfe_target=0\.8: the campus load cannot be served",
    ),
    "unbounded": (_unbounded, {}, UnboundedError, r"the sizing problem is unbounded"),
}


@pytest.mark.parametrize("backend", ["pypsa", "cvxpy"])
@pytest.mark.parametrize("case", list(CASES))
def test_each_ending_has_its_own_error_on_both_backends(backend: str, case: str) -> None:
    build, options, error, pattern = CASES[case]
    with pytest.raises(error, match=pattern) as raised:
        backends.solve(build(), backend, "highs", options)
    others = [p for name, (_, _, _, p) in CASES.items() if name != case]
    assert not any(re.search(p, str(raised.value)) for p in others)
    if case != "infeasible":  # limits and unboundedness are not reported as infeasible
        assert not isinstance(raised.value, InfeasibleError)


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"time_limit": 1e-9}, r"stopped at its time limit"),
        ({"max_iter": 1}, r"stopped at an iteration limit \(solver\.options \{'max_iter': 1\}"),
        # Clarabel calls the point after 3 iterations "AlmostDualInfeasible": still the limit
        ({"max_iter": 3}, r"stopped at an iteration limit \(solver\.options \{'max_iter': 3\}"),
    ],
)
@pytest.mark.parametrize("backend", ["pypsa", "cvxpy"])
def test_clarabel_limits_are_told_apart(options: dict, pattern: str, backend: str) -> None:
    """cvxpy says only "user_limit"; the limit that stopped Clarabel is named (on PyPSA's LP
    too, where gridtwin reads Clarabel's own status)."""
    with pytest.raises(SolverError, match=pattern):
        backends.solve(_campus(), backend, "clarabel", options)


@pytest.mark.parametrize("backend", ["pypsa", "cvxpy"])
def test_clarabel_unbounded(backend: str) -> None:
    with pytest.raises(UnboundedError, match="unbounded"):
        backends.solve(_unbounded(), backend, "clarabel")


def test_clarabel_infeasible_on_pypsa() -> None:
    build, _, error, pattern = CASES["infeasible"]
    with pytest.raises(error, match=pattern):
        backends.solve(build(), "pypsa", "clarabel")


def test_the_case_problem_solves_without_limits() -> None:
    """The base problem of the forced cases is feasible and bounded: the errors come from the
    limits and the changes, not from the problem."""
    a = backends.solve(_campus(), "pypsa")
    b = backends.solve(_campus(), "cvxpy")
    assert a.objective == pytest.approx(b.objective, rel=1e-6)
    assert a.solver["termination_condition"] == Status.OPTIMAL == b.solver["termination_condition"]


@pytest.mark.parametrize(
    ("opts", "run_time", "iterations", "expected"),
    [
        ({"time_limit": 5.0}, 5.01, {"simplex": 30}, Status.TIME_LIMIT),
        ({"simplex_iteration_limit": 30}, 0.1, {"simplex": 30}, Status.ITERATION_LIMIT),
        ({"time_limit": 5.0, "max_iter": 10}, 0.2, {"total": 10}, Status.ITERATION_LIMIT),
        ({"time_limit": 5.0, "max_iter": 10}, 5.2, {"total": 3}, Status.TIME_LIMIT),
        ({"ipm_iteration_limit": 4}, 0.1, {}, Status.ITERATION_LIMIT),
    ],
)
def test_limit_reached(opts: dict, run_time: float, iterations: dict, expected: Status) -> None:
    assert limit_reached(opts, run_time, iterations) is expected


def test_rolling_dispatch_window_names_the_limit() -> None:
    problem = _campus()
    sized = backends.solve(problem, "cvxpy")
    with pytest.raises(SolverError, match=r"window 1 .*stopped at its time limit"):
        rolling_dispatch(
            problem, sized, window_hours=48, step_hours=24, options={"time_limit": 0.0}
        )


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"solver\.backend: 'gurobi' is not one of"):
        backends.solve(_campus(), "gurobi")


def test_reachable_score_counts_curtailment(solve: Solve) -> None:
    """Grid-connected (grid CFE share 0), solar only at midday, night load curtailable up to
    150 MWh: serving 400 - 150 = 250 MWh with 200 MWh of solar reaches 0.8 (0.5 if curtailing
    were ignored). The message says 0.8 and a target of 0.8 solves (Dinkelbach's ratio)."""
    problem = four_hours(
        (SOLAR_MIDDAY,),
        1.0,
        poi(4, 1000.0, 50.0, 0.0),
        flexibility=flex(4, curtail=100.0, curtail_energy=150.0, curtail_cost=3.0),
    )
    with pytest.raises(InfeasibleError, match=r"reachable .* is 0\.8000"):
        solve(problem)
    assert backends.max_reachable_cfe(problem) == pytest.approx(0.8, abs=1e-6)
    assert backends.max_reachable_cfe(problem, "cvxpy") == pytest.approx(0.8, abs=1e-6)
    solve(replace(problem, cfe_target=0.8))  # feasible (and verified)


def test_load_served_only_with_curtailment_is_not_called_unservable(solve: Solve) -> None:
    """A 50 MW POI cannot serve the 100 MW night load: without curtailment the load cannot be
    served, with 100 MWh of it curtailed it can. The message gives the reachable score
    (200 MWh of solar over 300 MWh served), not 'cannot be served'."""
    problem = four_hours(
        (SOLAR_MIDDAY,),
        1.0,
        poi(4, 50.0, 50.0, 0.0),
        flexibility=flex(4, curtail=100.0, curtail_energy=100.0),
    )
    with pytest.raises(InfeasibleError, match=r"reachable .* is 0\.6666") as err:
        solve(problem)
    assert "cannot be served" not in str(err.value)
    best = backends.max_reachable_cfe(problem)
    assert best == pytest.approx(2 / 3, abs=1e-6)
    solve(replace(problem, cfe_target=best - 1e-6))


@pytest.mark.parametrize(
    ("backend", "solver", "options", "pattern"),
    [
        ("pypsa", "highs", {"bogus": 1}, r"unknown HiGHS option\(s\) \['bogus'\]"),
        ("cvxpy", "highs", {"time_limit": "abc"}, r"solver\.options\.time_limit: HiGHS rejects"),
        ("pypsa", "highs", "notadict", r"solver\.options: give a mapping"),
        ("cvxpy", "clarabel", {"max_iter": -1}, r"solver\.options\.max_iter: Clarabel needs"),
        ("cvxpy", "clarabel", {"max_iter": 10**30}, r"beyond Clarabel's range"),
        ("cvxpy", "clarabel", {"solver": "ipm"}, r"not Clarabel settings"),
        ("pypsa", "clarabel", {"run_crossover": "on"}, r"not Clarabel settings"),
    ],
)
def test_bad_solver_options_are_refused_before_solving(
    backend: str, solver: str, options: object, pattern: str
) -> None:
    with pytest.raises(ConfigError, match=pattern):
        backends.solve(_campus(), backend, solver, options)  # type: ignore[arg-type]


def test_yaml_off_is_refused_with_the_shell_form_of_the_fix() -> None:
    """``presolve: off`` unquoted is a YAML boolean, which HiGHS would ignore with only a
    printed error; the refusal says how to quote it in a file and on a shell."""
    with pytest.raises(ConfigError, match=r"--set \"solver\.options\.presolve='off'\""):
        backends.solve(_campus(), "pypsa", "highs", {"presolve": False})


def test_pdlp_iteration_limit_names_the_pdlp_count() -> None:
    """PDLP counts its own iterations; the message names them (49 after a limit of 50)."""
    options = {"solver": "pdlp", "pdlp_iteration_limit": 50}
    with pytest.raises(SolverError, match=r"iterations done: pdlp \d+\)"):
        backends.solve(_campus(), "pypsa", "highs", options)


def test_infeasibility_advice_names_only_what_is_missing() -> None:
    """The advice lists storage, firm clean options, offsite contracts and land only where the
    problem does not have them."""
    with_storage = battery_two_hours(0.99)
    text = infeasibility_message(with_storage, 0.5)
    assert "storage" not in text.split("at most that")[1]
    without = INFEASIBLE_CASES["no_storage_at_night"]()
    assert "allow storage" in infeasibility_message(without, 0.5)
    assert "allow storage" in infeasibility_message(without, float("nan"))
    firm = four_hours((SOLAR_MIDDAY, GeneratorSpec("nuclear", np.full(4, 0.93), 500.0)), 1.0)
    advice = infeasibility_message(firm, 0.5).split("at most that")[1]
    assert "firm" not in advice and "allow storage" in advice and "more land" not in advice
    assert "more land" in infeasibility_message(replace(firm, land_area=10.0), 0.5)
