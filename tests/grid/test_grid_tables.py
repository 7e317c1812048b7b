"""The grid commands' tables fit a terminal 80 characters wide, headers whole, long values
folded onto more lines (rendered with rich at width 80 from hand-made outcomes)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from rich.console import Console

from gridtwin.grid.check import GridCheck
from gridtwin.grid.cli import _check_table, _hosting_table, _screen_table
from gridtwin.grid.hosting import HostingResult

LONG = "line 'collector feeder between the substation and the west campus hall' at 101 %"


def _text(table: object) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def _fits(text: str, headers: tuple[str, ...] = ()) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, text
    for header in headers:
        assert any(header in line for line in lines), (header, text)


def test_screen_table_fits_80_columns() -> None:
    n = 12
    ds = xr.Dataset(
        {
            "rank": ("bus", np.arange(1, n + 1)),
            "vn_kv": ("bus", np.full(n, 345.0)),
            "firm_mw": ("bus", np.r_[np.linspace(2500, 300, n // 2), np.full(n // 2, np.nan)]),
            "firm_mw_linear": ("bus", np.linspace(2700, 250, n)),
            "ac_verified": ("bus", np.arange(n) < n // 2),
            "limiting": ("bus", np.array([LONG] * n, dtype=object)),
            "limiting_linear": ("bus", np.array(["bus:7 voltage"] * n, dtype=object)),
        },
        coords={"bus": [f"bus {i} of the interconnection case" for i in range(n)]},
    )
    text = _text(_screen_table(ds, "siting screen of case2869pegase: all 12 buses >= 220 kV"))
    _fits(text, ("rank", "bus", "kV", "AC [MW]", "linear [MW]", "limited by"))
    assert "2500" in text and "2700" in text and "linear: bus:7" in text


def test_hosting_and_check_tables_fit_80_columns(tmp_path: Path) -> None:
    res = HostingResult(
        bus="west campus 345 kV", vn_kv=345.0, max_load_mw=np.array([900.0, 1200.0]),
        capped=np.array([False, False]), limiting=[LONG, LONG], firm_mw=900.0,
        flexible_mw={0.01: 1100.0, 0.05: float("nan")}, curtailed_hours={0.01: 80, 0.05: 0},
        contingencies=["line:a", "line:b"], excluded=["line:collector"],
        times=pd.RangeIndex(2), background_violations=[LONG] * 4,
    )  # fmt: skip
    text = _text(_hosting_table(res, tmp_path / "a_long_folder_name" / "hosting_result.nc"))
    _fits(text)
    assert "flexible at 1 %" in text and "1100.0 MW" in text
    t = 4
    ds = xr.Dataset(
        {
            "loading_percent": (("time", "branch"), np.full((t, 2), 55.0)),
            "grid_mismatch_mw": ("time", np.zeros(t)),
            "vm_pu": (("time", "bus"), np.ones((t, 2))),
            "losses_mw": ("time", np.ones(t)),
        },
        coords={"branch": ["line:a", "line:b"], "bus": ["a", "b"]},
        attrs={"grid_hours": t, "grid_backend": "pandapower", "grid_violations": 0,
               "grid_network": "greensboro_poi.json", "grid_n1_hours": json.dumps([0]),
               "grid_rating_warnings": LONG},
    )  # fmt: skip
    check = GridCheck(ds, pd.DataFrame(), pd.DataFrame())
    text = _text(_check_table(check, tmp_path / "checked.nc"))
    _fits(text)
    assert "max loading" in text and "55.0 %" in text
