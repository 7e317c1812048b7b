"""Shared fixtures: where the read-only reference data lives."""

from __future__ import annotations

import os
from pathlib import Path

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
