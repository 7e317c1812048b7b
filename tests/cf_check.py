"""The CF check every result file is held to: the IOOS compliance checker (CF 1.10) and
UDUNITS-2 parsing of every ``units`` string (cf-units)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

#: The one warning results keep: CF 2.4's recommended dimension order (other dims left of
#: time); results keep PyPSA's (time, technology) order (docs/conventions.md).
EXPECTED = {"high": [], "medium": ["§2.4 Dimensions"], "low": []}


def cf_failures(path: Path, work: Path) -> dict[str, list[str]]:
    """Names of the failed CF 1.10 checks of ``path`` by priority; ``work`` holds the
    checker's report. Skips the test when the checker is not installed."""
    checker = pytest.importorskip("compliance_checker.runner")
    from cf_units import Unit

    with xr.open_dataset(path) as ds:
        for name in ds.variables:
            if "units" in ds[name].attrs:
                Unit(ds[name].attrs["units"])  # raises ValueError for a non-UDUNITS string
    checker.CheckSuite.load_all_available_checkers()
    report = work / "cf.json"
    checker.ComplianceChecker.run_checker(
        str(path), ["cf:1.10"], 0, "normal", output_filename=str(report), output_format="json"
    )
    cf = json.loads(report.read_text())["cf:1.10"]
    return {
        level: [c["name"] for c in cf[f"{level}_priorities"] if c["value"][0] < c["value"][1]]
        for level in ("high", "medium", "low")
    }
