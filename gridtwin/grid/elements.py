"""Elements of a pandapower network as the grid code names them, and the hourly profiles that
drive them: labels, name lookup, islanded buses, profile checks, reactive ratios and the
injection matrices of a batch power flow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gridtwin.exceptions import DataError, PowerFlowNotConverged
from gridtwin.grid.batch import BatchPowerFlow


def element_labels(table: pd.DataFrame, prefix: str) -> list[str]:
    """``prefix:<name>`` per row, or ``prefix:<index>`` when names are missing or repeated."""
    names = table["name"] if "name" in table else pd.Series(None, index=table.index)
    if len(table) and names.notna().all() and names.astype(str).is_unique:
        return [f"{prefix}:{n}" for n in names.astype(str)]
    return [f"{prefix}:{i}" for i in table.index]


def name_to_index(table: pd.DataFrame, names: Sequence[str], kind: str) -> dict[str, Any]:
    """Map element names to pandapower indices; raise DataError for unknown or repeated names."""
    out: dict[str, Any] = {}
    column = table["name"].astype(str)
    for name in names:
        hits = table.index[column == str(name)]
        if len(hits) != 1:
            what = "not found" if len(hits) == 0 else f"found {len(hits)} times"
            raise DataError(
                f"{kind} name {name!r} {what} in net.{kind}.name; profiles are matched by "
                f"name, give each {kind} a unique name."
            )
        out[name] = hits[0]
    return out


def unsupplied_buses(net: Any) -> list[Any]:
    """Return in-service buses with no electrical path to an ext_grid or slack gen.

    Parameters
    ----------
    net : pandapowerNet
        Network; open switches and out-of-service branches are respected.

    Returns
    -------
    list
        pandapower bus indices, sorted.
    """
    from pandapower.topology import unsupplied_buses as _unsupplied

    in_service = set(net.bus.index[net.bus.in_service])
    return sorted(set(_unsupplied(net)) & in_service)


def check_islands(net: Any, when: str) -> None:
    """Raise :class:`PowerFlowNotConverged` naming the buses with no path to an ext_grid
    (``when`` says at which step)."""
    islanded = unsupplied_buses(net)
    if islanded:
        labels = dict(zip(net.bus.index, element_labels(net.bus, "bus"), strict=True))
        shown = ", ".join(labels[b] for b in islanded[:10])
        more = f" and {len(islanded) - 10} more" if len(islanded) > 10 else ""
        raise PowerFlowNotConverged(
            f"{when}: {len(islanded)} in-service bus(es) have no path to an ext_grid "
            f"(islanded): {shown}{more}. Connect them with a line or transformer, close the "
            "open switch, add an ext_grid, or set the buses out of service."
        )


def check_profiles(
    profiles: Mapping[str, np.ndarray], n_hours: int | None, kind: str
) -> tuple[dict[str, np.ndarray], int | None]:
    """Hourly profiles [MW] as 1-D float arrays of one length (``n_hours``, or that of the
    first profile); returns them and the length.

    Raises
    ------
    DataError
        A profile that is not 1-D, of another length, or not finite.
    """
    out: dict[str, np.ndarray] = {}
    for name, values in profiles.items():
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1:
            raise DataError(f"{kind} profile {name!r} must be 1-D (one value per hour) [MW].")
        if n_hours is None:
            n_hours = arr.size
        if arr.size != n_hours:
            raise DataError(
                f"{kind} profile {name!r} has {arr.size} hours, expected {n_hours}; "
                "give every profile the same length."
            )
        if not np.isfinite(arr).all():
            raise DataError(f"{kind} profile {name!r} contains NaN or inf [MW].")
        out[name] = arr
    return out, n_hours


def q_ratios(
    table: pd.DataFrame, index: Mapping[str, Any], power_factor: float | None
) -> dict[str, float]:
    """``q / p`` per named element: from the table, or from a lagging power factor."""
    if power_factor is not None:
        return dict.fromkeys(index, math.tan(math.acos(power_factor)))
    out = {}
    for name, idx in index.items():
        p = float(table.at[idx, "p_mw"])
        out[name] = float(table.at[idx, "q_mvar"]) / p if p != 0.0 else 0.0
    return out


def injection_matrices(
    engine: BatchPowerFlow,
    net: Any,
    loads: Mapping[str, np.ndarray],
    sgens: Mapping[str, np.ndarray],
    load_ratio: Mapping[str, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-hour load P, load Q and sgen P of every element, the named ones from profiles.

    Returns arrays of shape (hours, n_load), (hours, n_load), (hours, n_sgen) [MW, Mvar, MW];
    elements without a profile keep their base-case values.
    """
    n_hours = len(next(iter({**loads, **sgens}.values())))
    lp = np.tile(engine.load_p0, (n_hours, 1))
    lq = np.tile(engine.load_q0, (n_hours, 1))
    sp = np.tile(engine.sgen_p0, (n_hours, 1))
    for name, values in loads.items():
        col = net.load.index.get_loc(name_to_index(net.load, [name], "load")[name])
        lp[:, col] = values
        lq[:, col] = values * load_ratio[name]
    for name, values in sgens.items():
        sp[:, net.sgen.index.get_loc(name_to_index(net.sgen, [name], "sgen")[name])] = values
    return lp, lq, sp


__all__ = [
    "check_islands",
    "check_profiles",
    "element_labels",
    "injection_matrices",
    "name_to_index",
    "q_ratios",
    "unsupplied_buses",
]
