"""Memory given back between the stages of a study (gridtwin.memory)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hand_cases import battery_two_hours

from gridtwin import study
from gridtwin.config import SolverConfig
from gridtwin.memory import release_memory
from gridtwin.optimize import pypsa_backend


@pytest.fixture
def no_automatic_collection() -> Iterator[None]:
    """Python's collector off, so only an explicit collection frees reference cycles."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Node:
    """An object in a reference cycle (as a PyPSA component and its network)."""

    def __init__(self) -> None:
        self.me = self
        self.data = np.zeros(1000)


@pytest.mark.usefixtures("no_automatic_collection")
def test_release_memory_frees_reference_cycles() -> None:
    node = _Node()
    alive = weakref.ref(node)
    del node
    assert alive() is not None  # a cycle: reference counting alone does not free it
    assert release_memory() >= 1
    assert alive() is None


@pytest.mark.usefixtures("no_automatic_collection")
def test_a_study_solve_frees_the_solved_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The solved PyPSA network (with its linopy model and the solver's copy of the LP) is
    held in reference cycles; a study's solve frees it before returning, so the next stage or
    solve does not start with it still in memory (about 430 MiB on the default study)."""
    built: list[weakref.ref[Any]] = []
    build = pypsa_backend.build_network

    def spy(problem: Any) -> Any:
        network = build(problem)
        built.append(weakref.ref(network))
        return network

    monkeypatch.setattr(pypsa_backend, "build_network", spy)
    solution = study.solve(battery_two_hours(), SolverConfig())
    assert np.isfinite(solution.objective)
    assert len(built) == 1 and built[0]() is None


def test_a_sizing_run_does_not_import_what_only_other_studies_use() -> None:
    """``gridtwin run`` loads the CLI and the study pipeline; cvxpy (rolling dispatch, cvxpy
    backend: about 12 MiB resident), scikit-learn and tsam (aggregation) and dask (sweeps)
    are imported only by the studies that use them."""
    optional = ("cvxpy", "sklearn", "tsam", "distributed")
    code = (
        "import sys, gridtwin.cli, gridtwin.study; "
        f"print(','.join(m for m in {optional!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
