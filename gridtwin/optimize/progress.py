"""Progress of a long solve: HiGHS's log read back while it runs, Clarabel's iterations.

HiGHS writes its log to a file (``log_file``) as it goes; a reader thread follows that file
while ``Highs.run`` works (highspy releases the GIL) and turns it into:

* with ``-v`` (INFO logging of ``gridtwin.optimize``): every log line, on the logger
  ``gridtwin.optimize.highs``;
* always: a one-line summary of where the solver is (phase, iteration, primal and dual
  objective, elapsed time and, for the interior point method, the estimated iterations and
  seconds left), passed to the listeners registered with :func:`listen` (the CLI shows it in
  its status line) at most every :data:`REPORT_EVERY_S` seconds.

The estimate of the interior point method assumes the relative gap keeps shrinking at the rate
of the last :data:`RATE_WINDOW` iterations down to HiGHS's ``ipm_optimality_tolerance``
(default 1e-8). Interior point methods speed up near the end (Wright 1997, *Primal-Dual
Interior-Point Methods*, ch. 7: superlinear local convergence), so this is an upper estimate:
on a real month of the Greensboro case it was 1-4 times the iterations then needed
(``tests/optimize/test_progress.py``). Crossover, when on, comes after and is not estimated.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

log_lines = logging.getLogger("gridtwin.optimize.highs")

#: Seconds between two progress summaries.
REPORT_EVERY_S = 1.0
#: Iterations over which the interior point method's convergence rate is measured.
RATE_WINDOW = 5
#: HiGHS's default ``ipm_optimality_tolerance`` (HiGHS option reference).
IPM_TOLERANCE = 1e-8

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
#: IPX iteration line: iter, primal obj, dual obj, pinf, dinf, gap, time.
_IPX = re.compile(
    rf"^\s*(\d+)\*?\s+({_NUMBER})\s+({_NUMBER})\s+{_NUMBER}\s+{_NUMBER}\s+"
    rf"({_NUMBER})\s+({_NUMBER})\s*$"
)
#: Simplex iteration line: iteration, objective, then infeasibilities and time.
_SIMPLEX = re.compile(rf"^\s*[A-Z]?\s*(\d+)\s+({_NUMBER})\s+(?:Pr|Du|Ph)")
_PHASES = (
    ("Presolving", "presolve"),
    ("Interior point solve", "interior point"),
    ("Running crossover", "crossover"),
    ("Iteration        Objective", "simplex"),
    ("Solving the original LP", "postsolve"),
)

Listener = Callable[[str], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Register ``listener(summary)`` for the progress summaries of HiGHS solves.

    Parameters
    ----------
    listener : callable
        Called with one line of text, e.g. ``"HiGHS interior point, iteration 42, primal
        1.0183e+09, dual 1.0179e+09, 35 s, at most about 12 iterations (9 s) left"``, at most
        every :data:`REPORT_EVERY_S` seconds while a solve of the PyPSA backend runs, from the
        thread that reads the solver's log (so keep it short and thread-safe).

    Returns
    -------
    callable
        Call it without arguments to stop listening.
    """
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


@dataclass
class _State:
    """What the log said so far."""

    solver: str = "HiGHS"
    phase: str = "starting"
    iteration: int | None = None
    primal: float | None = None
    dual: float | None = None
    gaps: list[tuple[int, float, float]] = field(default_factory=list)  # iter, gap, time

    def read(self, line: str) -> None:
        for marker, phase in _PHASES:
            if marker in line:
                self.phase = phase
                return
        ipx = _IPX.match(line)
        if ipx and self.phase == "interior point":
            it, primal, dual, gap, seconds = ipx.groups()
            self.iteration, self.primal, self.dual = int(it), float(primal), float(dual)
            self.gaps.append((int(it), float(gap), float(seconds)))
            return
        simplex = _SIMPLEX.match(line)
        if simplex and self.phase == "simplex":
            self.iteration, self.primal, self.dual = int(simplex[1]), float(simplex[2]), None

    def remaining(self, tolerance: float) -> tuple[float, float] | None:
        """Estimated iterations and seconds left of the interior point method, if known."""
        if self.phase != "interior point" or len(self.gaps) <= RATE_WINDOW:
            return None
        (i0, g0, t0), (i1, g1, t1) = self.gaps[-RATE_WINDOW - 1], self.gaps[-1]
        if min(g0, g1) <= 0 or i1 <= i0:
            return None
        rate = (math.log10(g0) - math.log10(g1)) / (i1 - i0)  # decades per iteration
        if rate <= 0:
            return None
        left = max(0.0, (math.log10(g1) - math.log10(tolerance)) / rate)
        return left, left * (t1 - t0) / (i1 - i0)

    def summary(self, elapsed: float, tolerance: float) -> str:
        parts = [f"{self.solver} {self.phase}"]
        if self.iteration is not None and self.phase in ("interior point", "simplex"):
            parts.append(f"iteration {self.iteration}")
            if self.primal is not None:
                parts.append(f"primal {self.primal:.6g}")
            if self.dual is not None:
                parts.append(f"dual {self.dual:.6g}")
        parts.append(f"{elapsed:.0f} s")
        left = self.remaining(tolerance)
        if left is not None:
            parts.append(f"at most about {left[0]:.0f} iterations ({left[1]:.0f} s) left")
        return ", ".join(parts)


def _tell(text: str) -> None:
    for listener in list(_listeners):
        listener(text)


class Tracker:
    """Progress of a solver that reports its iterations through a callback (Clarabel) rather
    than a log: the same summaries and estimate as for HiGHS's interior point method.

    Parameters
    ----------
    solver : str
        Name shown in the summary, e.g. ``"Clarabel"``.
    tolerance : float
        The solver's relative gap tolerance [-], the end point of the estimate.
    """

    def __init__(self, solver: str, tolerance: float) -> None:
        self.state = _State(solver=solver, phase="interior point")
        self.tolerance = tolerance
        self.start = self.last_report = time.perf_counter()

    def iteration(self, iteration: int, primal: float, dual: float, gap: float) -> None:
        """Record one iteration (relative gap ``gap`` [-]) and tell the listeners if due."""
        now = time.perf_counter()
        state = self.state
        state.iteration, state.primal, state.dual = iteration, float(primal), float(dual)
        state.gaps.append((iteration, gap, now - self.start))
        if _listeners and now - self.last_report >= REPORT_EVERY_S:
            self.last_report = now
            _tell(state.summary(now - self.start, self.tolerance))


def _follow(path: str, state: _State, stop: threading.Event, tolerance: float) -> None:
    """Read the log file as it grows until ``stop`` is set; report as the module says."""
    start = time.perf_counter()
    last_report = start
    with open(path, encoding="utf-8", errors="replace") as f:
        pending = ""
        while True:
            chunk = f.read()
            if chunk:
                pending += chunk
                *lines, pending = pending.split("\n")
                for line in lines:
                    state.read(line)
                    log_lines.info(line.rstrip())
            now = time.perf_counter()
            if _listeners and now - last_report >= REPORT_EVERY_S:
                last_report = now
                _tell(state.summary(now - start, tolerance))
            if stop.is_set() and not chunk:
                return
            stop.wait(0.2)


@contextlib.contextmanager
def highs_progress(options: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """HiGHS options with the log sent to a temporary file that is followed while the solve
    runs (see the module docstring).

    A user's own ``log_file`` is left alone (no progress then). The log never reaches the
    terminal directly (``log_to_console`` off), whatever ``output_flag`` says.

    Parameters
    ----------
    options : dict
        HiGHS options as :func:`gridtwin.highs.highs_options` returns them.

    Yields
    ------
    dict
        The options to solve with.
    """
    opts = dict(options)
    if opts.get("log_file"):
        yield opts
        return
    fd, path = tempfile.mkstemp(prefix="gridtwin-highs-", suffix=".log")
    os.close(fd)
    opts.update(output_flag=True, log_file=path)  # the caller keeps log_to_console off
    tolerance = float(opts.get("ipm_optimality_tolerance", IPM_TOLERANCE))
    stop = threading.Event()
    reader = threading.Thread(target=_follow, args=(path, _State(), stop, tolerance), daemon=True)
    reader.start()
    try:
        yield opts
    finally:
        stop.set()
        reader.join(timeout=5.0)
        with contextlib.suppress(OSError):
            os.unlink(path)


__all__ = ["REPORT_EVERY_S", "Tracker", "highs_progress", "listen"]
