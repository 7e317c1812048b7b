"""Shared fixtures: where the read-only reference data lives, every solve verified, and the
``solve`` fixture that runs a test on both backends."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of real reference files (``GRIDTWIN_SHARED_DATA``, default ``../shared/data``)."""
    path = Path(os.environ.get("GRIDTWIN_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        reason = f"reference data folder {path} is absent (set GRIDTWIN_SHARED_DATA)"
        if os.environ.get("CI"):  # CI always has it: never let reference tests skip there
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(autouse=True)
def _every_solve_is_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every solve of every test passes the verifier (:mod:`gridtwin.optimize.verify`): each
    constraint family recomputed from the solution, whichever backend made it."""
    from gridtwin.optimize import backends
    from gridtwin.optimize.verify import verify

    real = backends.solve

    def verified(problem, *args, **kwargs):  # type: ignore[no-untyped-def]
        solution = real(problem, *args, **kwargs)
        found = verify(problem, solution)
        assert found.ok, f"verifier: {found.message()}"
        return solution

    monkeypatch.setattr(backends, "solve", verified)


@pytest.fixture(params=["pypsa", "cvxpy"])
def solve(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Each backend in turn: a test that takes ``solve`` runs on both from one declaration
    (each solution verified by :func:`_every_solve_is_verified`)."""
    from gridtwin.optimize import backends

    name = request.param

    def run(problem: Any, options: dict[str, Any] | None = None) -> Any:
        return backends.solve(problem, name, None, options)

    return run
