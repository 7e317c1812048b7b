"""Progress of a HiGHS solve read back from its log (:mod:`gridtwin.optimize.progress`),
checked against HiGHS's own account of the same run."""

from __future__ import annotations

import logging
import re

import pytest
from greensboro_cases import greensboro

from gridtwin.optimize import progress, pypsa_backend

IPM = {"solver": "ipm", "run_crossover": "on"}


@pytest.fixture(scope="module")
def solved_with_log() -> tuple[list[str], list[str], dict]:
    """A month of the Greensboro case solved with interior point: the log lines the reader
    passed on, the summaries a listener got, and the solver report."""
    lines: list[str] = []
    summaries: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Keep(level=logging.INFO)
    log = progress.log_lines
    saved = (log.level, progress.REPORT_EVERY_S)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    progress.REPORT_EVERY_S = 0.0
    stop = progress.listen(summaries.append)
    try:
        solution = pypsa_backend.solve(greensboro(672, flex=True), IPM)
    finally:
        stop()
        log.removeHandler(handler)
        log.setLevel(saved[0])
        progress.REPORT_EVERY_S = saved[1]
    return lines, summaries, solution.solver


def test_the_whole_log_is_passed_on(solved_with_log: tuple[list[str], list[str], dict]) -> None:
    lines, _, report = solved_with_log
    assert any(line.startswith("Model status") and "Optimal" in line for line in lines)
    assert any("Interior point solve" in line for line in lines)
    stated = [line for line in lines if line.startswith("IPM       iterations")]
    assert stated and int(stated[-1].split(":")[1]) == report["iterations"]["ipm"]


def test_iterations_read_from_the_log_are_highs_own(
    solved_with_log: tuple[list[str], list[str], dict],
) -> None:
    """Feeding the log to the reader gives the iteration count HiGHS reports, and the
    objectives of its last iteration line."""
    lines, summaries, report = solved_with_log
    state = progress._State()
    for line in lines:
        if line.startswith("Running crossover"):
            break
        state.read(line)
    assert state.phase == "interior point"
    assert state.iteration is not None and state.primal is not None and state.dual is not None
    # IPX counts its iterations from 0 on the lines and reports the number done
    assert state.iteration == report["iterations"]["ipm"] - 1 or (
        state.iteration == report["iterations"]["ipm"]
    )
    assert state.dual <= state.primal + 1e-6 * abs(state.primal)
    assert summaries  # the listener heard from the solve


@pytest.mark.parametrize("share", [0.5, 0.75])
def test_remaining_iterations_estimate_is_of_the_right_size(
    solved_with_log: tuple[list[str], list[str], dict], share: float
) -> None:
    """Part way through the interior point iterations of a real run, the estimate of the
    iterations left is at least what the run then needed (the method speeds up near the end;
    the estimate assumes it does not) and not more than 5 times as many. (On this 672-hour
    case IPX took 30 iterations in December 2026, and the estimate at half way was 62 for the
    15 left: 4.1 times; the path of IPX's iterations differs between machines.)"""
    lines, _, report = solved_with_log
    total = report["iterations"]["ipm"]
    assert total >= 15  # the case is long enough to estimate
    state = progress._State()
    for line in lines:
        state.read(line)
        if state.iteration is not None and state.iteration >= int(total * share):
            break
    assert state.iteration is not None
    estimate = state.remaining(progress.IPM_TOLERANCE)
    assert estimate is not None
    actual = total - state.iteration
    assert actual <= estimate[0] <= 5 * actual
    text = state.summary(12.0, progress.IPM_TOLERANCE)
    assert re.search(r"iteration \d+, primal .*, dual .*, 12 s, at most about \d+ iterations", text)


def test_a_users_log_file_is_left_alone(tmp_path) -> None:
    given = {"log_file": str(tmp_path / "mine.log")}
    with progress.highs_progress(given) as opts:
        assert opts == given
