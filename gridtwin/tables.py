"""Tables of a result for people: capacities, curtailment, the cost breakdown and a sweep's
scenarios, as rows (for the HTML report) and as rich tables (for the terminal).

Every number comes from the result file (:mod:`gridtwin.results.recompute`); a file written
before a variable existed gets it recomputed. Rich tables are built with :func:`column`, which
keeps each header on one line (no header is cut or wrapped) and folds long cell text instead;
every table here fits a terminal 80 characters wide.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from rich.table import Table

from gridtwin.console import column, key_value_table
from gridtwin.conventions import COST_COMPONENT, CURTAILABLE, display_units
from gridtwin.results import COST_COMPONENTS, cost_breakdown, curtailment_energy, summary

#: How each part of :func:`gridtwin.results.cost_breakdown` is shown.
COST_LABELS = {
    "capital": "capital (annuity)",
    "fixed_om": "fixed O&M",
    "variable": "variable (VOM, fuel)",
    "grid": "grid (POI energy, certificates)",
    "network": "network upgrades",
    "flexibility": "load flexibility",
    "heat": "heat pumps' variable O&M less heat sold",
    "water": "water",
    "resilience": "outage generator sets and fuel",
}

Rows = tuple[list[str], list[list[str]]]
"""A table as (header, rows of cell text)."""


def rich_table(title: str, rows: Rows, *, text: tuple[int, ...] = (0,)) -> Table:
    """A rich table of ``rows``.

    Parameters
    ----------
    title : str
    rows : (header, rows)
    text : tuple of int
        Positions of the text columns (left-justified, folded onto more lines when the
        terminal is narrow; ``-1`` is the last); the others are numbers, right-justified on
        one line.
    """
    header, body = rows
    table = Table(title=title, title_justify="left")
    wrap = {i % len(header) for i in text}
    for i, name in enumerate(header):
        column(table, name, right=i not in wrap, wrap=i in wrap)
    for row in body:
        table.add_row(*row)
    return table


def _fmt(value: float, digits: int = 0) -> str:
    if not np.isfinite(value):
        return "-"
    return f"{0.0 if abs(value) < 0.5 * 10.0**-digits else value:,.{digits}f}"


def currency(ds: xr.Dataset) -> str:
    """Currency code of a result's money (``USD``)."""
    return display_units(ds["system_cost"]).replace(" yr-1", "") or str(
        ds.attrs.get("currency", "")
    )


def capacity_rows(ds: xr.Dataset) -> Rows:
    """Capacities and energy of every technology (:func:`gridtwin.results.summary`)."""
    table = summary(ds)
    header = ["technology", "p_nom [MW]", "e_nom [MWh]", "energy [GWh/a]", "used CF [-]"]
    rows = [
        [str(tech), _fmt(p), _fmt(e), _fmt(energy), _fmt(cf, 3)]
        for tech, (p, e, energy, cf) in table.iterrows()
    ]
    return header, rows


def _curtailment(ds: xr.Dataset) -> xr.Dataset:
    names = ("available_energy", "curtailed_energy", "curtailment_share")
    if all(n in ds for n in names):
        return ds[list(names)]
    return curtailment_energy(ds)


def curtailment_rows(ds: xr.Dataset) -> Rows:
    """Available and curtailed energy [MWh/a] and the curtailed share [%] of every clean
    generator (storage and fossil generators are left out)."""
    cur = _curtailment(ds)
    header = ["technology", "available [MWh/a]", "curtailed [MWh/a]", "curtailed [%]"]
    rows = []
    for tech in cur[CURTAILABLE].values:
        row = cur.sel({CURTAILABLE: tech})
        available = float(row["available_energy"])
        rows.append(
            [
                str(tech),
                _fmt(available),
                _fmt(float(row["curtailed_energy"])),
                _fmt(100.0 * float(row["curtailment_share"]), 1),
            ]
        )
    return header, rows


def cost_rows(ds: xr.Dataset) -> Rows:
    """The annualised system cost by part [M currency/a] and its share [%], then the total."""
    parts = ds["cost_breakdown"] if "cost_breakdown" in ds else cost_breakdown(ds)
    total = float(ds["system_cost"])
    cur = currency(ds)
    header = ["cost", f"[M{cur}/a]", "share [%]"]
    rows = []
    recorded = "fixed_om_cost" in ds  # older files: fixed O&M is inside the capital cost
    present = {str(x) for x in parts[COST_COMPONENT].values}
    for name in COST_COMPONENTS:
        if name not in present:  # files written before the part existed
            continue
        value = float(parts.sel({COST_COMPONENT: name}))
        if name in ("heat", "water") and value == 0.0:  # no heat reuse, no water bill
            continue
        share = 100.0 * value / total if total else float("nan")
        label = COST_LABELS[name]
        if not recorded and name == "capital":
            label = "capital + fixed O&M"
        elif not recorded and name == "fixed_om":
            rows.append([label, "-", "-"])
            continue
        rows.append([label, _fmt(value / 1e6, 1), _fmt(share, 1)])
    rows.append(["system cost", _fmt(total / 1e6, 1), _fmt(100.0, 1)])
    return header, rows


def result_tables(ds: xr.Dataset) -> list[Table]:
    """The rich tables of a single-run result: capacities, curtailment (when a clean generator
    was available) and the cost breakdown."""
    cur = currency(ds)
    year = ds["system_cost"].attrs.get("currency_year", ds.attrs.get("currency_year", ""))
    out = [rich_table(str(ds.attrs.get("title", "result")), capacity_rows(ds))]
    curtailment = curtailment_rows(ds)
    if curtailment[1]:
        out.append(rich_table("Curtailment of clean generators", curtailment))
    out.append(rich_table(f"Annual system cost ({cur} of {year})".strip(), cost_rows(ds)))
    return out


def scenario_rows(
    ds: xr.Dataset,
    status: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Rows:
    """One row per scenario of a sweep result: short label
    (:func:`gridtwin.labels.scenario_labels`), status, CFE score [%], system cost
    [M currency/a], LCOE [currency/MWh] and the error of a failed scenario."""
    from gridtwin.labels import scenario_labels

    names = [str(s) for s in ds["scenario"].values]
    labels = scenario_labels(ds)
    if status is None:
        values = ds["scenario_status"].values if "scenario_status" in ds else ["ok"] * len(names)
        status = dict(zip(names, (str(v) for v in values), strict=True))
    if errors is None:
        values = ds["scenario_error"].values if "scenario_error" in ds else [""] * len(names)
        errors = dict(zip(names, (str(v) for v in values), strict=True))
    cur = currency(ds) if "system_cost" in ds else ""
    header = ["scenario", "status", "CFE [%]", f"cost [M{cur}/a]", f"LCOE [{cur}/MWh]", "error"]
    rows = []
    for name, label in zip(names, labels, strict=True):
        state = status.get(name, "failed")
        ok = state != "failed" and "cfe_score" in ds
        row = ds.sel(scenario=name)
        rows.append(
            [
                label,
                state,
                _fmt(100 * float(row["cfe_score"]), 2) if ok else "-",
                _fmt(float(row["system_cost"]) / 1e6, 1) if ok else "-",
                _fmt(float(row["lcoe"]), 2) if ok and "lcoe" in row else "-",
                errors.get(name, ""),
            ]
        )
    return header, rows


__all__ = [
    "COST_LABELS",
    "capacity_rows",
    "column",
    "cost_rows",
    "curtailment_rows",
    "key_value_table",
    "result_tables",
    "rich_table",
    "scenario_rows",
]


def cooling_lines(ds: xr.Dataset) -> list[tuple[str, str]]:
    """The summary's cooling lines: the design's water and hottest days, and heat reuse."""
    w = ds["snapshot_weight"] if "snapshot_weight" in ds else 1.0
    years = float(ds["horizon_years"]) if "horizon_years" in ds else 1.0
    lines: list[tuple[str, str]] = []
    design = ds.attrs.get("campus_cooling_design")
    if "water_use" in ds:
        water = float((w * ds["water_use"]).sum()) / years
        text = f"{design}: water {water / 1e6:,.2f} Mm3/a" if design else f"{water:,.0f} m3/a"
        lines.append(("cooling", text))
    if "heatwave_pue_mean" in ds:
        start = ds["heatwave_temp_air"].attrs.get("heatwave_start", "?")
        peak = float(ds["heatwave_water_peak"])
        peak_text = f", peak water {peak:,.0f} m3/h" if np.isfinite(peak) else ""
        lines.append(
            (
                "hottest days",
                f"from {start}: {float(ds['heatwave_temp_air']):.1f} degC mean, PUE "
                f"{float(ds['heatwave_pue_mean']):.3f} ({float(ds['heatwave_pue_rise']):+.3f} "
                f"on the year, hourly max {float(ds['heatwave_pue_max']):.3f}){peak_text}",
            )
        )
    if "heat_pump_p_nom" in ds:
        delivered = float((w * ds["heat_delivered"]).sum()) / 1e3 / years
        sold = float((w * ds["heat_reused"]).sum()) / 1e3 / years
        lost = delivered - sold  # what the tank's standing losses took
        if delivered > 0 and lost > 0.01 * delivered:
            lines.append(
                (
                    "[yellow]warning[/]",
                    f"the hot-water tank loses {lost:,.1f} GWh_th/a ({100 * lost / delivered:.0f} "
                    "% of the heat delivered): it serves as a heat sink, typically for a water "
                    "limit heat reuse cannot meet; a drier cooling design is the real answer",
                )
            )
        demand = float((w * ds["district_heat_demand"]).sum()) / 1e3 / years
        power = float((w * ds["heat_pump_power"]).sum()) / 1e3 / years
        lines.append(
            (
                "heat reuse",
                f"{sold:,.0f} of {demand:,.0f} GWh_th/a sold; heat pumps "
                f"{float(ds['heat_pump_p_nom']):,.0f} MW_th ({power:,.0f} GWh/a of electricity), "
                f"tank {float(ds['heat_storage_e_nom']):,.0f} MWh_th",
            )
        )
    return lines
