"""Hourly AC power flow of a pandapower network: time series, limit violations, N-1.

Conventions
-----------
* Loads (``net.load``) are in load convention (positive ``p_mw`` consumes), static generators
  (``net.sgen``) in generator convention (positive ``p_mw`` injects), both in MW.
* Reactive power follows active power: by default each element keeps the ratio
  ``q_mvar / p_mw`` it has in ``net`` (an element with ``p_mw == 0`` gets ``q_mvar = 0``).
  With ``load_power_factor`` the named loads instead draw ``q = p * tan(acos(pf))`` Mvar
  (lagging, inductive); static generators always keep their ratio.
* Branches are lines and two-winding transformers, labelled ``line:<name>`` and
  ``trafo:<name>``; buses ``bus:<name>``. Where names are missing or not unique the pandapower
  index is used instead of the name.
* Losses are the sum of series and shunt losses of lines and transformers [MW].

Backends: ``"lightsim2grid"`` and ``"auto"`` first solve all hours (and all outages) in one
batch with :class:`gridtwin.grid.batch.BatchPowerFlow` (lightsim2grid's C++ Newton-Raphson with
KLU, every hour from the base-case voltages); hours the batch does not converge, and networks
it cannot represent (switches, three-winding transformers, wards...), are solved one at a time
with pandapower's ``runpp`` — with lightsim2grid's solver inside for ``"lightsim2grid"``, and
falling back to pandapower's own Newton-Raphson for ``"auto"``. ``"pandapower"`` uses only
pandapower's Newton-Raphson, one hour at a time (the reference).

References
----------
Thurner, L. et al. (2018). pandapower — an open-source Python tool for convenient modeling,
analysis, and optimization of electric power systems. IEEE Trans. Power Syst. 33(6),
6510-6521. https://doi.org/10.1109/TPWRS.2018.2829021

Donnot, B. (2020). LightSim2grid: a C++ backend for grid2op.
https://github.com/Grid2Op/lightsim2grid
"""

from __future__ import annotations

import copy
import importlib.util
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.exceptions import DataError, PowerFlowNotConverged
from gridtwin.grid.advice import nonconvergence_advice
from gridtwin.grid.batch import BatchPowerFlow, UnsupportedNetwork
from gridtwin.grid.elements import (
    check_islands,
    check_profiles,
    element_labels,
    injection_matrices,
    name_to_index,
    q_ratios,
)

logger = logging.getLogger(__name__)

Backend = Literal["lightsim2grid", "pandapower", "auto"]

DEFAULT_MIN_VM_PU = 0.95
DEFAULT_MAX_VM_PU = 1.05
DEFAULT_MAX_LOADING_PERCENT = 100.0
#: Columns of the :func:`n_minus_1` table.
N1_COLUMNS = [
    "contingency",
    "hour",
    "status",
    "max_loading_percent",
    "min_vm_pu",
    "max_loading_branch",
]


def lightsim2grid_available() -> bool:
    """Return True when the optional ``lightsim2grid`` package can be imported."""
    return importlib.util.find_spec("lightsim2grid") is not None


def _solve(net: Any, backend: Backend, init: str) -> str:
    """Run one AC power flow in place; return the backend that solved it."""
    import pandapower as pp

    if backend in ("lightsim2grid", "auto") and lightsim2grid_available():
        try:
            pp.runpp(net, lightsim2grid=True, numba=False, init=init)
            used = "lightsim2grid" if net._options.get("lightsim2grid") else "pandapower"
            return used
        except Exception as err:
            if backend == "lightsim2grid":
                raise
            logger.info("lightsim2grid failed (%s); retrying with pandapower NR", err)
    elif backend == "lightsim2grid":
        raise DataError(
            "backend='lightsim2grid' but lightsim2grid is not installed; "
            "`pip install lightsim2grid` or use backend='pandapower' / 'auto'."
        )
    pp.runpp(net, lightsim2grid=False, numba=False, init="flat" if backend == "auto" else init)
    return "pandapower"


@dataclass
class _Arrays:
    vm: np.ndarray
    loading: np.ndarray
    p_from: np.ndarray
    losses: np.ndarray
    ext_p: np.ndarray

    @classmethod
    def empty(cls, n_hours: int, n_bus: int, n_branch: int) -> _Arrays:
        return cls(
            np.empty((n_hours, n_bus)),
            np.empty((n_hours, n_branch)),
            np.empty((n_hours, n_branch)),
            np.empty(n_hours),
            np.empty(n_hours),
        )


def batch_engine(net: Any) -> BatchPowerFlow | None:
    """Return a :class:`~gridtwin.grid.batch.BatchPowerFlow` for ``net``, or None.

    None when lightsim2grid is missing or cannot represent ``net`` (the reason is logged);
    callers then solve one power flow at a time with ``pandapower.runpp``.
    """
    try:
        return BatchPowerFlow(net)
    except UnsupportedNetwork as err:
        logger.info("batch power flow unavailable (%s); solving hour by hour", err)
        return None


def run_timeseries(
    net: Any,
    load_p_mw: Mapping[str, np.ndarray],
    sgen_p_mw: Mapping[str, np.ndarray],
    *,
    backend: Backend = "auto",
    times: pd.DatetimeIndex | None = None,
    load_power_factor: float | None = None,
) -> xr.Dataset:
    """Run one AC power flow per hour with loads and static generators set from profiles.

    Parameters
    ----------
    net : pandapowerNet
        Network; not modified (the function works on a deep copy).
    load_p_mw : mapping of str to array
        Active power per hour of the loads named in ``net.load.name`` [MW].
    sgen_p_mw : mapping of str to array
        Active power per hour of the static generators named in ``net.sgen.name`` [MW].
    backend : {"auto", "lightsim2grid", "pandapower"}
        Newton-Raphson implementation; see the module docstring.
    times : pandas.DatetimeIndex, optional
        Time stamps of the hours; default hours ``0 .. n-1`` as integers [h].
    load_power_factor : float, optional
        Lagging power factor of the named loads [-]; default keeps each load's ``q/p``.

    Returns
    -------
    xarray.Dataset
        ``vm_pu`` (time, bus) [p.u.], ``loading_percent`` (time, branch) [%],
        ``p_from_mw`` (time, branch) [MW], ``losses_mw`` (time) [MW] and ``ext_grid_p_mw``
        (time) [MW]; coordinates ``bus_index`` and ``element_index`` map back to ``net``.

    Raises
    ------
    PowerFlowNotConverged
        An hour did not converge (message names it) or a bus is islanded from every ext_grid.
    DataError
        A profile names an unknown element, has the wrong length or non-finite values.
    """
    if backend not in ("auto", "lightsim2grid", "pandapower"):
        raise DataError(f"backend={backend!r}; use 'auto', 'lightsim2grid' or 'pandapower'.")
    if load_power_factor is not None and not 0.0 < load_power_factor <= 1.0:
        raise DataError(f"load_power_factor={load_power_factor} must be in (0, 1].")
    loads, n_hours = check_profiles(load_p_mw, None, "load")
    sgens, n_hours = check_profiles(sgen_p_mw, n_hours, "sgen")
    if n_hours is None:
        raise DataError("no load or sgen profile given; nothing to vary over time.")
    time_index = _time_index(times, n_hours)
    net = copy.deepcopy(net)
    load_idx = name_to_index(net.load, list(loads), "load")
    sgen_idx = name_to_index(net.sgen, list(sgens), "sgen")
    hours = _Hours(
        net,
        loads,
        sgens,
        load_idx,
        sgen_idx,
        load_ratio=q_ratios(net.load, load_idx, load_power_factor),
        sgen_ratio=q_ratios(net.sgen, sgen_idx, None),
        time_index=time_index,
    )
    check_islands(net, "before the power flow")
    bus_ids = net.bus.index[net.bus.in_service]
    out = _Arrays.empty(n_hours, len(bus_ids), len(net.line) + len(net.trafo))
    used: set[str] = set()
    todo = np.arange(n_hours)
    engine = None
    if backend != "pandapower" and not any(hours.sgen_ratio.values()):
        engine = batch_engine(net)
    if engine is not None:
        todo = _solve_batch(engine, hours, out)  # hours left are retried one by one
        used.add("lightsim2grid")
    used |= hours.solve_one_by_one(todo, backend, bus_ids, out)
    return _timeseries_dataset(net, out, bus_ids, time_index, used, backend)


def _time_index(times: pd.DatetimeIndex | None, n_hours: int) -> pd.Index:
    """The time coordinate: the given stamps, or hours ``0 .. n-1``."""
    if times is None:
        return pd.RangeIndex(n_hours, name="time")
    index = pd.DatetimeIndex(times, name="time")
    if len(index) != n_hours:
        raise DataError(f"times has {len(index)} entries but profiles {n_hours} hours.")
    return index


@dataclass
class _Hours:
    """The profiles of a time series and the elements they drive."""

    net: Any
    loads: dict[str, np.ndarray]
    sgens: dict[str, np.ndarray]
    load_idx: dict[str, Any]
    sgen_idx: dict[str, Any]
    load_ratio: dict[str, float]
    sgen_ratio: dict[str, float]
    time_index: pd.Index

    def set_hour(self, t: int) -> None:
        """Write hour ``t`` of the profiles into the network's load and sgen tables."""
        net = self.net
        for name, idx in self.load_idx.items():
            p = self.loads[name][t]
            net.load.at[idx, "p_mw"] = p
            net.load.at[idx, "q_mvar"] = p * self.load_ratio[name]
        for name, idx in self.sgen_idx.items():
            p = self.sgens[name][t]
            net.sgen.at[idx, "p_mw"] = p
            net.sgen.at[idx, "q_mvar"] = p * self.sgen_ratio[name]

    def solve_one_by_one(
        self, todo: np.ndarray, backend: Backend, bus_ids: pd.Index, out: _Arrays
    ) -> set[str]:
        """Solve the hours ``todo`` with ``pandapower.runpp``, each from the last one's
        voltages; returns the backends used."""
        from pandapower.auxiliary import LoadflowNotConverged

        net, used = self.net, set()
        n_line = len(net.line)
        for k, t in enumerate(todo):
            self.set_hour(t)
            when = self.time_index[t]
            try:
                used.add(_solve(net, backend, init="auto" if k == 0 else "results"))
            except LoadflowNotConverged as err:
                raise PowerFlowNotConverged(
                    f"AC power flow did not converge at hour {when} (index {t}). "
                    + nonconvergence_advice(net)
                ) from err
            res_vm = net.res_bus.vm_pu.loc[bus_ids].to_numpy(dtype=float)
            if not np.isfinite(res_vm).all():
                bad = bus_ids[~np.isfinite(res_vm)]
                check_islands(net, f"hour {when}")
                raise PowerFlowNotConverged(
                    f"hour {when}: no voltage result for bus(es) {list(bad)}. "
                    + nonconvergence_advice(net)
                )
            out.vm[t] = res_vm
            out.loading[t, :n_line] = net.res_line.loading_percent.to_numpy(dtype=float)
            out.loading[t, n_line:] = net.res_trafo.loading_percent.to_numpy(dtype=float)
            out.p_from[t, :n_line] = net.res_line.p_from_mw.to_numpy(dtype=float)
            out.p_from[t, n_line:] = net.res_trafo.p_hv_mw.to_numpy(dtype=float)
            out.losses[t] = float(net.res_line.pl_mw.sum() + net.res_trafo.pl_mw.sum())
            out.ext_p[t] = float(net.res_ext_grid.p_mw.sum())
        return used


def _solve_batch(engine: BatchPowerFlow, hours: _Hours, out: _Arrays) -> np.ndarray:
    """Solve every hour in one lightsim2grid batch; returns the hours it did not converge."""
    lp, lq, sp = injection_matrices(engine, hours.net, hours.loads, hours.sgens, hours.load_ratio)
    res = engine.solve(load_p=lp, load_q=lq, sgen_p=sp)
    ok = res.converged
    out.vm[ok], out.loading[ok], out.p_from[ok] = (
        res.vm_pu[ok],
        res.loading_percent[ok],
        res.p_from_mw[ok],
    )
    out.losses[ok], out.ext_p[ok] = res.losses_mw[ok], res.ext_grid_p_mw[ok]
    return np.nonzero(~ok)[0]


def _timeseries_dataset(
    net: Any, out: _Arrays, bus_ids: pd.Index, time_index: pd.Index, used: set[str], backend: str
) -> xr.Dataset:
    """The result of :func:`run_timeseries` (out-of-service branches: 0 flow, 0 % loading)."""
    bus_labels = dict(zip(net.bus.index, element_labels(net.bus, "bus"), strict=True))
    branch_labels = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
    attrs = {
        "vm_pu": {"units": "1", "long_name": "voltage magnitude, per unit of nominal"},
        "loading_percent": {"units": "%", "long_name": "branch loading relative to its rating"},
        "p_from_mw": {"units": "MW", "long_name": "active power entering at from / hv side"},
        "losses_mw": {"units": "MW", "long_name": "active losses of lines and transformers"},
        "ext_grid_p_mw": {"units": "MW", "long_name": "active power imported from ext_grid(s)"},
    }
    values = {
        "vm_pu": (("time", "bus"), out.vm),
        "loading_percent": (("time", "branch"), np.nan_to_num(out.loading)),
        "p_from_mw": (("time", "branch"), np.nan_to_num(out.p_from)),
        "losses_mw": ("time", out.losses),
        "ext_grid_p_mw": ("time", out.ext_p),
    }
    return xr.Dataset(
        {k: (*v, attrs[k]) for k, v in values.items()},
        coords={
            "time": time_index,
            "bus": [bus_labels[b] for b in bus_ids],
            "branch": branch_labels,
            "bus_index": ("bus", np.asarray(bus_ids)),
            "element_index": ("branch", np.r_[net.line.index, net.trafo.index]),
        },
        attrs={"backend": ",".join(sorted(used)), "requested_backend": backend},
    )


def _limit(table: pd.DataFrame, column: str, index: Any, default: float) -> np.ndarray:
    if column not in table:
        return np.full(len(index), default)
    return table[column].reindex(index).astype(float).fillna(default).to_numpy()


def limits(net: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Voltage and thermal limits in the order of :func:`run_timeseries` results.

    Returns
    -------
    tuple of numpy.ndarray
        ``min_vm_pu`` and ``max_vm_pu`` of the in-service buses [p.u.] (``net.bus`` columns,
        default 0.95 / 1.05 as in ANSI C84.1 range A and EN 50160), and ``max_loading_percent``
        of the lines then transformers [%] (default 100).
    """
    buses = net.bus.index[net.bus.in_service]
    vmin = _limit(net.bus, "min_vm_pu", buses, DEFAULT_MIN_VM_PU)
    vmax = _limit(net.bus, "max_vm_pu", buses, DEFAULT_MAX_VM_PU)
    lmax = np.r_[
        _limit(net.line, "max_loading_percent", net.line.index, DEFAULT_MAX_LOADING_PERCENT),
        _limit(net.trafo, "max_loading_percent", net.trafo.index, DEFAULT_MAX_LOADING_PERCENT),
    ]
    return vmin, vmax, lmax


def violations(ds: xr.Dataset, net: Any) -> pd.DataFrame:
    """List voltage and thermal limit violations of a :func:`run_timeseries` result.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`run_timeseries` for ``net``.
    net : pandapowerNet
        Network holding the limits: ``bus.min_vm_pu`` / ``bus.max_vm_pu`` [p.u.] (default
        0.95 / 1.05) and ``line`` / ``trafo`` ``max_loading_percent`` [%] (default 100).

    Returns
    -------
    pandas.DataFrame
        Columns ``time``, ``element``, ``kind`` (``voltage_low``, ``voltage_high``,
        ``overload``), ``value`` and ``limit`` (p.u. for voltages, % for loading).
    """

    vmin, vmax, lmax = limits(net)

    frames = []
    checks = [
        ("voltage_low", ds["vm_pu"], vmin, lambda v, lim: v < lim),
        ("voltage_high", ds["vm_pu"], vmax, lambda v, lim: v > lim),
        ("overload", ds["loading_percent"], lmax, lambda v, lim: v > lim),
    ]
    for kind, da, lim, test in checks:
        values = da.to_numpy()
        ti, ei = np.nonzero(test(values, lim[np.newaxis, :]))
        frames.append(
            pd.DataFrame(
                {
                    "time": ds["time"].to_numpy()[ti],
                    "element": da[da.dims[1]].to_numpy()[ei],
                    "kind": kind,
                    "value": values[ti, ei],
                    "limit": lim[ei],
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["time", "kind", "element"], ignore_index=True)


def n_minus_1(
    net: Any,
    load_p_mw: Mapping[str, np.ndarray],
    sgen_p_mw: Mapping[str, np.ndarray],
    hours: Sequence[int],
    *,
    backend: Backend = "auto",
) -> pd.DataFrame:
    """Outage each in-service line and transformer alone and re-solve the given hours.

    Parameters
    ----------
    net : pandapowerNet
        Intact network; not modified.
    load_p_mw, sgen_p_mw : mapping of str to array
        Hourly profiles as for :func:`run_timeseries` [MW].
    hours : sequence of int
        Positions in the profiles to study [h].
    backend : {"auto", "lightsim2grid", "pandapower"}
        Power-flow backend.

    Returns
    -------
    pandas.DataFrame
        One row per (contingency, hour): ``contingency``, ``hour``, ``status`` (``ok``,
        ``islanding`` or ``not_converged``), ``max_loading_percent`` [%] and ``min_vm_pu``
        [p.u.] over the remaining network (NaN unless ``ok``), and ``max_loading_branch``, the
        branch carrying that loading.
    """
    hours = list(hours)
    loads = {k: np.asarray(v, dtype=float)[hours] for k, v in load_p_mw.items()}
    sgens = {k: np.asarray(v, dtype=float)[hours] for k, v in sgen_p_mw.items()}
    outages = [
        ("line", i, lab)
        for i, lab in zip(net.line.index, element_labels(net.line, "line"), strict=True)
    ]
    outages += [
        ("trafo", i, lab)
        for i, lab in zip(net.trafo.index, element_labels(net.trafo, "trafo"), strict=True)
    ]
    engine = batch_engine(net) if backend != "pandapower" and hours else None
    if engine is not None:
        return _n_minus_1_batch(engine, net, loads, sgens, hours, outages)
    rows = []
    for table, idx, label in outages:
        if not bool(getattr(net, table).at[idx, "in_service"]):
            continue
        case = copy.deepcopy(net)
        getattr(case, table).at[idx, "in_service"] = False
        record = {
            "contingency": label,
            "max_loading_percent": np.nan,
            "min_vm_pu": np.nan,
            "max_loading_branch": "",
        }
        try:
            ds = run_timeseries(case, loads, sgens, backend=backend)
        except PowerFlowNotConverged as err:
            status = "islanding" if "islanded" in str(err) else "not_converged"
            rows += [{**record, "hour": h, "status": status} for h in hours]
            continue
        kept = ds["branch"] != label
        remaining = ds["loading_percent"].sel(branch=kept)
        max_load = remaining.max("branch").to_numpy()
        max_branch = remaining["branch"].to_numpy()[remaining.argmax("branch").to_numpy()]
        min_vm = ds["vm_pu"].min("bus").to_numpy()
        for k, h in enumerate(hours):
            rows.append(
                {
                    "contingency": label,
                    "hour": h,
                    "status": "ok",
                    "max_loading_percent": float(max_load[k]),
                    "min_vm_pu": float(min_vm[k]),
                    "max_loading_branch": str(max_branch[k]),
                }
            )
    return pd.DataFrame(rows, columns=N1_COLUMNS)


def _n_minus_1_batch(
    engine: BatchPowerFlow,
    net: Any,
    loads: Mapping[str, np.ndarray],
    sgens: Mapping[str, np.ndarray],
    hours: list[int],
    outages: list[tuple[str, Any, str]],
) -> pd.DataFrame:
    """:func:`n_minus_1` in one lightsim2grid batch (rows = contingency x hour)."""
    from gridtwin.grid.batch import bridge_branches

    load_idx = name_to_index(net.load, list(loads), "load")
    lp, lq, sp = injection_matrices(engine, net, loads, sgens, q_ratios(net.load, load_idx, None))
    islands = bridge_branches(net)
    n_line = len(net.line)
    pos = []
    for table, idx, label in outages:
        p = (
            net.line.index.get_loc(idx)
            if table == "line"
            else n_line + net.trafo.index.get_loc(idx)
        )
        if bool(getattr(net, table).at[idx, "in_service"]):
            pos.append((p, label))
    solve = [(p, lab) for p, lab in pos if not islands[p]]
    n_h = len(hours)
    rows: list[dict[str, Any]] = []
    if solve:
        outage = np.repeat([p for p, _ in solve], n_h)
        res = engine.solve(
            load_p=np.tile(lp, (len(solve), 1)),
            load_q=np.tile(lq, (len(solve), 1)),
            sgen_p=np.tile(sp, (len(solve), 1)),
            outage=outage,
        )
        loading = res.loading_percent.copy()
        loading[np.arange(len(outage)), outage] = np.nan  # the outaged branch itself
        loading = np.where(res.converged[:, None], loading, 0.0)
        max_load = np.nanmax(loading, axis=1)
        max_pos = np.argmax(np.nan_to_num(loading, nan=-1.0), axis=1)
        branch_labels = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
        min_vm = np.nanmin(np.where(res.converged[:, None], res.vm_pu, np.inf), axis=1)
        for r, (c, (_, label)) in enumerate((c, s) for c, s in enumerate(solve) for _ in hours):
            ok = bool(res.converged[r])
            rows.append(
                {
                    "contingency": label,
                    "hour": hours[r - c * n_h],
                    "status": "ok" if ok else "not_converged",
                    "max_loading_percent": float(max_load[r]) if ok else np.nan,
                    "min_vm_pu": float(min_vm[r]) if ok else np.nan,
                    "max_loading_branch": branch_labels[int(max_pos[r])] if ok else "",
                }
            )
    for p, label in pos:
        if islands[p]:
            rows += [
                {
                    "contingency": label,
                    "hour": h,
                    "status": "islanding",
                    "max_loading_percent": np.nan,
                    "min_vm_pu": np.nan,
                    "max_loading_branch": "",
                }
                for h in hours
            ]
    order = {lab: k for k, (_, lab) in enumerate(pos)}
    frame = pd.DataFrame(rows, columns=N1_COLUMNS)
    frame["_o"] = frame["contingency"].map(order)
    return (
        frame.sort_values(["_o", "hour"], kind="stable").drop(columns="_o").reset_index(drop=True)
    )
