"""Tables of a result with investment periods: each period's key numbers, and the capacity
in service and built by period (the terminal summary of ``gridtwin run`` and the report)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from rich.table import Table

from gridtwin.periods.results import PERIOD, in_service
from gridtwin.results import system_cost

Rows = tuple[list[str], list[list[str]]]

#: How each investment kind is labelled in a table.
KIND_LABELS = {
    "p_nom": "power",
    "p_nom_discharge": "discharge power",
    "e_nom": "energy",
    "s_nom": "upgrade of rating",
}


def _fmt(value: float, digits: int = 0) -> str:
    if not np.isfinite(value):
        return "-"
    return f"{0.0 if abs(value) < 0.5 * 10.0**-digits else value:,.{digits}f}"


def investment_labels(ds: xr.Dataset) -> list[str]:
    """``asset kind [unit]`` of each investment, e.g. ``battery energy [MWh]``."""
    return [
        f"{asset} {KIND_LABELS[str(kind)]} [{unit}]"
        for asset, kind, unit in zip(
            ds["investment_asset"].values,
            ds["investment_kind"].values,
            ds["investment_unit"].values,
            strict=True,
        )
    ]


def period_rows(ds: xr.Dataset) -> Rows:
    """One row per period: IT capacity [MW], CFE target and score [%], system cost
    [M currency/a], LCOE [currency/MWh] and whether the verifier passed."""
    cur = ds.attrs.get("currency", "")
    header = [
        "period",
        "IT [MW]",
        "target [%]",
        "CFE [%]",
        f"cost [M{cur}/a]",
        f"LCOE [{cur}/MWh]",
        "verified",
    ]
    rows = []
    for year in ds[PERIOD].values:
        p = ds.sel({PERIOD: year})
        it = p["campus_it_capacity_mw"] if "campus_it_capacity_mw" in p else np.nan
        if "campus_it_capacity_mw" in ds.attrs:  # the same in every period
            it = ds.attrs["campus_it_capacity_mw"]
        verified = p["verify_passed"] if "verify_passed" in p else ds.attrs.get("verify_passed")
        rows.append(
            [
                str(int(year)),
                _fmt(float(it)),
                _fmt(100 * float(p["cfe_target"]), 1),
                _fmt(100 * float(p["cfe_score"]), 2),
                _fmt(system_cost(p) / 1e6, 1),
                _fmt(float(p["lcoe"]), 2),
                "yes" if verified is not None and int(verified) == 1 else "NO",
            ]
        )
    return header, rows


def capacity_by_period_rows(ds: xr.Dataset) -> Rows:
    """Capacity in service in each period, with what was built in it in brackets."""
    years = [str(int(y)) for y in ds[PERIOD].values]
    held = in_service(ds).to_numpy()
    built = ds["built"].to_numpy()
    rows = []
    for i, label in enumerate(investment_labels(ds)):
        if not (np.abs(held[:, i]).max() > 1e-6 or np.abs(built[:, i]).max() > 1e-6):
            continue
        cells = [
            f"{_fmt(held[p, i])} (+{_fmt(built[p, i])})" if built[p, i] > 0.5 else _fmt(held[p, i])
            for p in range(len(years))
        ]
        rows.append([label, *cells])
    return ["in service (+ built)", *years], rows


def plan_tables(ds: xr.Dataset) -> list[Table]:
    """The rich tables of a result with investment periods: the periods and the capacity."""
    from gridtwin.tables import rich_table

    return [
        rich_table("Investment periods", period_rows(ds), text=()),
        rich_table("Capacity by period", capacity_by_period_rows(ds)),
    ]


__all__ = [
    "KIND_LABELS",
    "capacity_by_period_rows",
    "investment_labels",
    "period_rows",
    "plan_tables",
]
