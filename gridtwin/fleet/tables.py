"""Tables of a fleet result: each campus's key numbers and where the work went (the terminal
summary of ``gridtwin run`` and the report)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from rich.table import Table

from gridtwin.fleet.results import SITE, TRANSFER, fleet_cfe_score, site_result
from gridtwin.results import system_cost, weights

Rows = tuple[list[str], list[list[str]]]


def _fmt(value: float, digits: int = 0) -> str:
    if not np.isfinite(value):
        return "-"
    return f"{0.0 if abs(value) < 0.5 * 10.0**-digits else value:,.{digits}f}"


def site_rows(ds: xr.Dataset) -> Rows:
    """One row per campus: CFE target and score [%], system cost [M currency/a], IT energy
    moved away and taken in [GWh/a], verified."""
    cur = ds.attrs.get("currency", "")
    header = ["campus", "target [%]", "CFE [%]", f"cost [M{cur}/a]", "out [GWh/a]",
              "in [GWh/a]", "verified"]  # fmt: skip
    rows = []
    pooled = float(ds.attrs.get("fleet_cfe_target", -1.0)) >= 0
    for site in ds[SITE].values:
        one = site_result(ds, str(site))
        years = float(one["horizon_years"])
        w = weights(one)
        out = (ds["transfer_origin"] == site) * ds["moved"]
        into = (ds["transfer_destination"] == site) * ds["moved"]
        passed = one["verify_passed"] if "verify_passed" in one else ds.attrs.get("verify_passed")
        rows.append(
            [
                str(site),
                "fleet" if pooled else _fmt(100 * float(one["cfe_target"]), 1),
                _fmt(100 * float(one["cfe_score"]), 2),
                _fmt(system_cost(one) / 1e6, 1),
                _fmt(float((w * out.sum(TRANSFER)).sum()) / 1e3 / years, 1),
                _fmt(float((w * into.sum(TRANSFER)).sum()) / 1e3 / years, 1),
                "yes" if passed is not None and int(passed) == 1 else "NO",
            ]
        )
    return header, rows


def transfer_rows(ds: xr.Dataset) -> Rows:
    """Where the work went: one row per link direction, IT energy moved [GWh/a], hours it
    moved work, its largest move and its limit's [MW of IT load], its cost [M currency/a]."""
    cur = ds.attrs.get("currency", "")
    header = ["work moved", "IT [GWh/a]", "hours", "peak [MW]", "limit [MW]", f"cost [M{cur}/a]"]
    years = float(ds["horizon_years"].max())
    w = ds["snapshot_weight"].isel(site=0) if "snapshot_weight" in ds else 1.0
    rows = []
    for name in ds[TRANSFER].values:
        moved = ds["moved"].sel({TRANSFER: name})
        energy = float((w * moved).sum()) / years
        rows.append(
            [
                str(name),
                _fmt(energy / 1e3, 1),
                str(int((moved > 1e-3).sum())),
                _fmt(float(moved.max())),
                _fmt(float(ds["moved_max"].sel({TRANSFER: name}).max())),
                _fmt(float(ds["transfer_cost"].sel({TRANSFER: name})) * energy / 1e6, 2),
            ]
        )
    return header, rows


def fleet_tables(ds: xr.Dataset) -> list[Table]:
    """The rich tables of a fleet result."""
    from gridtwin.tables import rich_table

    target = float(ds.attrs.get("fleet_cfe_target", -1.0))
    title = "Campuses"
    if target >= 0:
        title += (
            f" (fleet target {100 * target:.1f} %, fleet score {100 * fleet_cfe_score(ds):.2f} %)"
        )
    return [
        rich_table(title, site_rows(ds)),
        rich_table("Where the work went", transfer_rows(ds)),
    ]


__all__ = ["fleet_tables", "site_rows", "transfer_rows"]
