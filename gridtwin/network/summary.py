"""What a result says about the site network, the land and the offsite contracts, as short
labelled lines for the run summary and the report (one source for both)."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from gridtwin.conventions import BRANCH

#: LP utilisation [-] from which a branch counts as binding.
BINDING = 0.999
#: Upgrade factor [-] above which the summary asks to check the ratings (a rebuilt corridor
#: rather than a reinforcement).
LARGE_UPGRADE = 3.0


def network_lines(ds: xr.Dataset) -> list[tuple[str, str]]:
    """Labelled lines on the site network, land, offsite contracts and the AC loop.

    Parameters
    ----------
    ds : xarray.Dataset
        A result (:mod:`gridtwin.results`).

    Returns
    -------
    list of (str, str)
        Empty for a result without network, land or contracts.
    """
    cur = ds.attrs.get("currency", "")
    years = float(ds["horizon_years"])
    w = ds["snapshot_weight"] if "snapshot_weight" in ds else xr.ones_like(ds["grid_import"])
    lines: list[tuple[str, str]] = []
    if "s_nom_opt" in ds:
        added = (ds["s_nom_opt"] - ds["s_nom"]).to_series()
        upgrades = [
            f"{name} {float(ds['s_nom'].sel({BRANCH: name})):,.0f} -> "
            f"{float(ds['s_nom_opt'].sel({BRANCH: name})):,.0f} MVA"
            for name, extra in added.items()
            if extra > 1e-3
        ]
        islands = json.loads(str(ds.attrs.get("network_islanding_outages", "[]")))
        n1 = "on" if int(ds.attrs.get("network_n1", 0)) else "off"
        if n1 == "on" and islands:
            n1 += f" (not secured, they island part of the site: {', '.join(islands)})"
        lines.append(
            (
                "network",
                f"{ds.attrs.get('network_name', '')}, N-1 {n1}; upgrades "
                f"{'; '.join(upgrades) or 'none'}; {float(ds['network_cost']) / 1e6:,.2f} "
                f"M{cur}/a",
            )
        )
        before = ds["s_nom"].to_series()
        large = [
            f"{name} x{float(ds['s_nom_opt'].sel({BRANCH: name})) / before[name]:.1f}"
            for name in before.index
            if before[name] > 0
            and float(ds["s_nom_opt"].sel({BRANCH: name})) > LARGE_UPGRADE * before[name]
        ]
        if large:
            lines.append(
                (
                    "large upgrades",
                    f"[yellow]{', '.join(large)} today's rating: check the network's ratings, "
                    "or bound them with network.s_nom_max_factor[/yellow]",
                )
            )
        if "branch_utilisation" in ds:
            use = ds["branch_utilisation"].to_series()
            binding = [str(n) for n, u in use.items() if u >= BINDING]
            lines.append(("binding branches", ", ".join(binding) or "none"))
    if "ac_loop_rounds" in ds.attrs:
        rounds = json.loads(ds.attrs["ac_loop_rounds"])
        last = rounds[-1]
        stopped = next((r.get("stopped") for r in rounds if r.get("stopped")), "")
        if last["violations"] < 0:
            lines.append(("AC check", f"[red]failed[/red] after {len(rounds)} solve(s): {stopped}"))
            return _land_and_contracts(ds, lines, w, years)
        state = (
            "passes"
            if int(ds.attrs.get("ac_loop_converged", 0))
            else f"[red]still violates[/red]: {last['violations']} element-hours, "
            f"{last['n1_overloads']} N-1 overloads"
        )
        if not last.get("n1_required", True) and last["n1_overloads"]:
            state += (
                f" (N-1 not constrained, network.n1 false: {last['n1_overloads']} "
                "contingency-hours overloaded)"
            )
        lines.append(
            (
                "AC check",
                f"{state} after {len(rounds)} solve(s); every hour, N-1 of every hour; "
                f"max loading {last['max_loading_percent']:.1f} %, voltage "
                f"{last['min_vm_pu']:.3f} .. {last['max_vm_pu']:.3f} p.u."
                + (f"; stopped: {stopped}" if stopped else ""),
            )
        )
    elif "ac_loop_skipped" in ds.attrs:
        lines.append(("AC check", f"[yellow]skipped: {ds.attrs['ac_loop_skipped']}[/yellow]"))
    return _land_and_contracts(ds, lines, w, years)


def _land_and_contracts(
    ds: xr.Dataset, lines: list[tuple[str, str]], w: xr.DataArray, years: float
) -> list[tuple[str, str]]:
    if "land_area" in ds:
        lines.append(
            ("site land", f"{float(ds['land_used']):,.0f} of {float(ds['land_area']):,.0f} ha")
        )
    if "is_offsite" in ds and bool(np.any(ds["is_offsite"].values)):
        delivered = float((w * ds["offsite_delivered"]).sum()) / 1e3 / years
        sold = float((w * ds["offsite_sold"]).sum()) / 1e3 / years
        lines.append(
            (
                "offsite contracts",
                f"{delivered:,.0f} GWh/a delivered through the POI, {sold:,.0f} GWh/a sold",
            )
        )
    return lines


__all__ = ["network_lines"]
