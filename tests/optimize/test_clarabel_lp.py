"""Clarabel on PyPSA's LP (gridtwin/optimize/clarabel_lp.py) against HiGHS on the same LP:
the cone form and its duals on a small LP solved by both, then every case of the backend
comparison solved by the PyPSA backend with each solver."""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import replace

import highspy
import numpy as np
import pytest
import scipy.sparse as sp
from hand_cases import HAND_CASES, INFEASIBLE_CASES, battery_two_hours
from test_backends import CASES, REL_OBJECTIVE, _problem, _solve

from gridtwin.exceptions import InfeasibleError, SolverError
from gridtwin.optimize import backends, progress
from gridtwin.optimize.clarabel_lp import DEFAULT_SETTINGS, cone_form, implied_bounds, row_duals
from gridtwin.optimize.outcome import Status
from gridtwin.optimize.problem import Solution

INF = highspy.kHighsInf


def _highs(c, A, lower, upper, lb, ub):  # type: ignore[no-untyped-def]
    """Primal values and row duals of ``min c'x, lower <= Ax <= upper, lb <= x <= ub``."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    A = sp.csc_matrix(A)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, lb, ub
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    solution = h.getSolution()
    return np.array(solution.col_value), np.array(solution.row_dual)


def _clarabel(c, A, b, sense, lb, ub):  # type: ignore[no-untyped-def]
    import clarabel

    form = cone_form(sp.csr_matrix(A), b, sense, lb, ub)
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    for name, value in DEFAULT_SETTINGS.items():
        setattr(settings, name, value)
    cones = [clarabel.ZeroConeT(form.n_zero), clarabel.NonnegativeConeT(form.n_nonneg)]
    n = len(c)
    found = clarabel.DefaultSolver(sp.csc_matrix((n, n)), c, form.A, form.b, cones, settings)
    result = found.solve()
    assert str(result.status).endswith("Solved")
    return np.array(result.x), row_duals(form, np.array(result.z), len(b))


def test_cone_form_gives_highs_primal_and_row_duals() -> None:
    """Each kind of row and bound, binding: ``>=``, ``<=``, ``=``, a fixed variable, a free
    variable, a finite upper bound. The duals must carry HiGHS's signs (a binding ``<=`` row
    of a minimisation has a dual <= 0)."""
    c = np.array([1.0, 2.0, 0.0, 3.0, 0.5, 1.5])
    A = np.array(
        [
            [1.0, 1.0, 0.0, 0.0, 0.0, 0.0],  # x0 + x1 >= 1
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # x0 <= 0.5
            [0.0, 0.0, -1.0, 0.0, 0.0, 1.0],  # x5 - x2 = 0 (x2 free)
            [0.0, 0.0, 1.0, 1.0, 1.0, 0.0],  # x2 + x3 + x4 >= 1.2
        ]
    )
    lb = np.array([0.0, 0.0, -np.inf, 0.1, 0.0, 0.0])
    ub = np.array([np.inf, np.inf, np.inf, 0.1, 0.4, np.inf])  # x3 fixed at 0.1, x4 <= 0.4
    sense = np.array([">", "<", "=", ">"])
    b = np.array([1.0, 0.5, 0.0, 1.2])
    lower = np.where(sense == "<", -INF, b)
    upper = np.where(sense == ">", INF, b)
    x_h, y_h = _highs(
        c, A, lower, upper, np.where(np.isinf(lb), -INF, lb), np.where(np.isinf(ub), INF, ub)
    )
    x_c, y_c = _clarabel(c, A, b, sense, lb, ub)
    np.testing.assert_allclose(x_c, x_h, atol=1e-7)
    np.testing.assert_allclose(y_c, y_h, atol=1e-7)
    # the signs the test is about are really tested: x1 (2/MWh) makes up what x0 (1/MWh)
    # cannot, x5 (1.5) what x4 (0.5, up to 0.4) and x3 (fixed) cannot
    np.testing.assert_allclose(y_h[[0, 1, 3]], [2.0, -1.0, 1.5], atol=1e-9)
    assert abs(y_h[2]) == pytest.approx(1.5)


def test_rows_without_a_finite_bound_are_left_out() -> None:
    form = cone_form(
        sp.csr_matrix(np.eye(3)),
        np.array([np.inf, -np.inf, 1.0]),
        np.array(["<", ">", "="]),
        np.zeros(3),
        np.full(3, np.inf),
    )
    assert form.n_zero == 1 and form.n_nonneg == 3  # one equality row, three lower bounds
    assert list(form.row_of) == [2, -1, -1, -1]


@pytest.mark.parametrize("case", list(CASES))
def test_pypsa_with_clarabel_reaches_the_highs_optimum(case: str) -> None:
    """Every backend-comparison case (hand cases worked out by hand, Greensboro weeks and
    months): PyPSA's LP solved by Clarabel reaches the objective HiGHS reaches on it (the
    conftest verifier recomputes every constraint family of the solution). On the Greensboro
    cases also the same capacities and the same price of the CFE target (a dual). The hand cases
    are small and degenerate on purpose (e.g. a CFE row that the islanded balance already
    implies, two equally cheap builds): there the optimal capacities and the CFE price form a
    range, HiGHS returns a vertex of it and an interior point method a point inside, so only
    the objective is unique."""
    reference, _ = _solve(case, "pypsa")
    problem = _problem(case)
    candidate = backends.solve(problem, "pypsa", "clarabel")
    assert candidate.objective == pytest.approx(reference.objective, rel=REL_OBJECTIVE, abs=1e-6)
    assert candidate.solver["status"] == "ok"
    if candidate.solver["name"] != "clarabel":  # a vertex for counting curtailed hours
        assert "curtails load" in candidate.solver["retried"], candidate.solver
        assert (reference.load_curtailment > 1e-6).any()
    _within_bounds(candidate)
    if case.startswith("hand_"):
        return
    if CASES[case][1]:
        for name, value in reference.p_nom.items():
            assert candidate.p_nom[name] == pytest.approx(value, rel=1e-4, abs=1e-3), name
        for name, value in reference.e_nom.items():
            assert candidate.e_nom[name] == pytest.approx(value, rel=1e-4, abs=1e-3), name
    if problem.cfe_target < 1.0:
        assert reference.cfe_price > 1.0  # the target binds: its price is unique
        assert candidate.cfe_price == pytest.approx(reference.cfe_price, rel=1e-5)


def _within_bounds(sol: Solution) -> None:
    """No impossible sign where the LP has a variable bound (fixed-size components, sizes):
    an interior point's values are put back on their bounds. The dispatch of an extendable
    component is limited by a row (``p <= p_nom``, PyPSA), within the solver's tolerance."""
    for name in ("load_curtailment", "grid_export"):
        assert (getattr(sol, name) >= 0.0).all(), name
    for group in (sol.p_nom, sol.e_nom):
        assert all(v >= 0.0 for v in group.values())
    for group in (sol.charge, sol.state_of_charge):
        assert all((v >= -1e-6).all() for v in group.values())


@pytest.mark.parametrize("case", list(INFEASIBLE_CASES))
def test_infeasible_with_clarabel_has_the_highs_message(case: str) -> None:
    problem = INFEASIBLE_CASES[case]()
    with pytest.raises(InfeasibleError) as reference:
        backends.solve(problem, "pypsa", "highs")
    with pytest.raises(InfeasibleError) as candidate:
        backends.solve(problem, "pypsa", "clarabel")
    assert str(candidate.value) == str(reference.value)


def test_progress_and_log_follow_the_iterations(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Listeners hear every iteration (the report interval set to 0) in order, ending at the
    count Clarabel reports; with INFO logging each iteration is a log line."""
    monkeypatch.setattr(progress, "REPORT_EVERY_S", 0.0)
    heard: list[str] = []
    stop = progress.listen(heard.append)
    try:
        with caplog.at_level(logging.INFO, logger="gridtwin.optimize.clarabel"):
            sol = backends.solve(battery_two_hours(0.5), "pypsa", "clarabel")
    finally:
        stop()
    done = sol.solver["iterations"]["ipm"]
    counted = [int(t.split("iteration ")[1].split(",")[0]) for t in heard]
    assert counted == list(range(1, done + 1)) or counted == list(range(done + 1))
    assert all(t.startswith("Clarabel interior point, iteration") for t in heard)
    lines = [r for r in caplog.records if r.name == "gridtwin.optimize.clarabel"]
    assert len(lines) == len(counted) + 1  # the header, then one line per iteration


def test_rows_with_one_nonzero_are_bounds() -> None:
    A = np.array([[2.0, 0, 0], [0, -1.0, 0], [0, 0, 1.0], [1.0, 1.0, 0], [0, 0, 1.0]])
    b = np.array([4.0, -1.0, 3.0, 10.0, 2.0])  # the last row contradicts x2 = 3
    sense = np.array(["<", "<", "=", "<", "<"])
    lower, upper = implied_bounds(sp.csr_matrix(A), b, sense, np.zeros(3), np.full(3, np.inf))
    np.testing.assert_array_equal(lower, [0.0, 1.0, 0.0])  # x2: contradiction, own bounds
    np.testing.assert_array_equal(upper, [2.0, np.inf, np.inf])


def test_ctrl_c_stops_clarabel_and_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGINT during the solve (sent here at the second iteration, as Ctrl-C would arrive)
    stops Clarabel at its next callback and raises KeyboardInterrupt once it has returned,
    instead of being printed and ignored inside the callback."""
    real = progress.Tracker.iteration
    seen: list[int] = []

    def interrupt_at_two(self, iteration, primal, dual, gap):  # type: ignore[no-untyped-def]
        seen.append(iteration)
        if iteration == 2:
            os.kill(os.getpid(), signal.SIGINT)
        real(self, iteration, primal, dual, gap)

    monkeypatch.setattr(progress.Tracker, "iteration", interrupt_at_two)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        backends.solve(battery_two_hours(0.5), "pypsa", "clarabel")
    assert max(seen) <= 3  # stopped at once, not after the ~20 iterations of a full solve
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


def test_curtailment_is_solved_again_for_a_vertex() -> None:
    """An interior point spreads load curtailment over equally cheap hours; the study counts
    curtailed hours, so a Clarabel optimum that curtails is solved again with HiGHS, and the
    report says so."""
    problem = HAND_CASES["hand_curtail"]()
    reference = backends.solve(problem, "pypsa", "highs")
    assert (reference.load_curtailment > 1e-6).any()  # the case does curtail
    sol = backends.solve(problem, "pypsa", "clarabel")
    assert sol.solver["name"] == "highs" and "curtails load" in sol.solver["retried"]
    np.testing.assert_allclose(sol.load_curtailment, reference.load_curtailment, atol=1e-6)


def _clarabel_says(monkeypatch: pytest.MonkeyPatch, status: Status, said: str) -> None:
    """Make the PyPSA backend's Clarabel runs end with ``status`` (HiGHS runs as they are)."""
    backend = backends.backend("pypsa")
    real = type(backend).attempt

    def clarabel_says(self, problem, solver, opts, maximise_cfe=False):  # type: ignore[no-untyped-def]
        run = real(self, problem, solver, opts, maximise_cfe)
        if solver == "CLARABEL":
            return replace(run, status=status, said=said)
        return run

    monkeypatch.setattr(type(backend), "attempt", clarabel_says)


def test_a_false_unbounded_verdict_is_checked_with_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clarabel's certificates can be false at loose tolerances (it called the default study
    unbounded at its default 1e-8): such a verdict is solved again with HiGHS."""
    _clarabel_says(monkeypatch, Status.UNBOUNDED, "DualInfeasible")
    problem = battery_two_hours(0.5)
    sol = backends.solve(problem, "pypsa", "clarabel")
    assert sol.solver["name"] == "highs" and sol.solver["status"] == "ok"
    assert sol.solver["retried"] == "Clarabel stopped with DualInfeasible"
    assert sol.objective == pytest.approx(backends.solve(problem, "pypsa").objective, rel=1e-9)


@pytest.mark.parametrize(("options", "retried"), [(None, True), ({"max_iter": 150}, False)])
def test_clarabel_own_iteration_limit_is_solved_again_with_highs(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, int] | None, retried: bool
) -> None:
    """Clarabel's default limit of 200 iterations (the Lyon study at 100 % ran into it) is
    not the user's: HiGHS solves again; a limit the user set is reported as theirs."""
    _clarabel_says(monkeypatch, Status.ITERATION_LIMIT, "MaxIterations")
    problem = battery_two_hours(0.5)
    if retried:
        sol = backends.solve(problem, "pypsa", "clarabel", options)
        assert sol.solver["name"] == "highs" and sol.solver["status"] == "ok"
        assert "default iteration limit" in sol.solver["retried"]
    else:
        with pytest.raises(SolverError, match="iteration limit"):
            backends.solve(problem, "pypsa", "clarabel", options)
