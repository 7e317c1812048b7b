"""Hosting capacity of a bus for a large new load: firm, and flexible with a curtailment budget.

For every hour of a background (the network's own state, or hourly profiles of its loads and
generators) :func:`hosting_capacity` finds — doubling from 250 MW to bracket it, then by
bisection — the largest extra load ``L_t`` [MW] the bus takes with no new or worsened limit
violation (bus voltage outside ``[min_vm_pu, max_vm_pu]``, branch loading above
``max_loading_percent``) in the intact network (N-0) and with each single line or transformer
out (N-1), every case an AC power flow.

* **Firm hosting capacity** ``min_t L_t``: the load that never has to curtail.
* **Flexible headroom** for a curtailment budget ``b`` (share of the new load's annual energy):
  the largest ``P`` with ``sum_t max(0, P - L_t) <= b * P * T``, i.e. a campus of ``P`` MW that
  curtails down to ``L_t`` in the hours where limits bind. Solved exactly on the sorted
  ``L_t`` (the left side is convex and piecewise linear in ``P``). Default budgets 0.25 %,
  0.5 % and 1 %, as in Norris et al. (2025).

"No new or worsened violation", with the screening conventions of interconnection studies:

* a branch limits the load only when the load's distribution factor on it — the change of its
  active power flow per MW of new load — is at least ``df_cutoff`` (default 5 %, the DFAX
  cutoff of PJM's deliverability tests, PJM Manual 14B, Attachment C); remote branches the load
  barely touches, and radial generator ties whose flow the load does not change, do not limit
  it;
* where the background already overloads a branch, its limit becomes its background loading;
* a bus voltage limits the load only when the voltage is outside its band *and* the load moved
  it at least ``dv_cutoff`` (default 0.005 p.u.) towards the violation — the voltage analogue
  of the distribution-factor cutoff. Marginal buses of large cases that sit at a limit in some
  contingency whatever is connected elsewhere thus neither hide the load's own effect nor block
  every load in the case; a bus already outside its band may worsen by less than
  ``dv_cutoff``. Bisection assumes the feasible loads of an hour form one interval starting
at 0 MW (the first limit reached as the load grows).

Contingencies: ``"all"`` single outages of in-service lines and transformers except those that
split the network (graph bridges, listed in the result as excluded); ``"local"`` only branches
within ``radius`` buses of the studied bus — the circuits that feed it, a screening
approximation for large transmission cases; ``"none"`` N-0 only.

The added load draws ``power_factor`` (lagging) and is balanced by the slack (``"slack"``) or by
all in-service generators in proportion to their dispatch (``"generators"``, the slack still
covers losses).

References
----------
Norris, T. H., Profeta, T., Patiño-Echeverri, D., Cowie-Haskell, A. (2025). Rethinking Load
Growth: Assessing the Potential for Integration of Large Flexible Loads in US Power Systems.
Nicholas Institute for Energy, Environment & Sustainability, Duke University, NI R 25-01.

EPRI (2015). Distribution Feeder Hosting Capacity: What Matters When Planning for DER?
Report 3002004777 (hosting capacity as the load or generation a node takes without violating
operating criteria).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.exceptions import DataError, PowerFlowNotConverged
from gridtwin.grid.batch import BatchPowerFlow, UnsupportedNetwork, bridge_branches
from gridtwin.grid.elements import (
    check_islands,
    check_profiles,
    element_labels,
    injection_matrices,
    name_to_index,
    q_ratios,
)
from gridtwin.grid.network import check_parameters, resolve_bus
from gridtwin.grid.powerflow import limits

#: Curtailment budgets [share of the new load's annual energy], Norris et al. (2025).
DEFAULT_BUDGETS = (0.0025, 0.005, 0.01)
#: Largest load searched [MW]; an hour that takes it is reported as ``>=`` this value.
DEFAULT_P_MAX_MW = 5000.0
#: First load tried; the bracket doubles from here up to ``p_max_mw`` [MW].
P_START_MW = 250.0
#: Bisection stops when the bracket is this narrow [MW].
DEFAULT_TOL_MW = 1.0
#: Lagging power factor of the new load [-]; large data centres run near unity (IEEE 1547-style
#: interconnection requirements ask >= 0.95 at the POI).
DEFAULT_POWER_FACTOR = 0.95
#: Smallest distribution factor (active flow change per MW of new load) that lets a branch
#: limit the load [MW/MW]; PJM Manual 14B, Attachment C (5 % DFAX).
DEFAULT_DF_CUTOFF = 0.05
#: Smallest voltage change caused by the new load that lets a bus limit it [p.u.].
DEFAULT_DV_CUTOFF = 0.005
#: Tolerances when comparing to limits [p.u.] and [%].
_VM_EPS, _LOADING_EPS = 1e-6, 1e-4

PROBE = "__hosting_probe__"

Contingencies = Literal["all", "local", "none"]
Balance = Literal["slack", "generators"]


@dataclass
class HostingResult:
    """Hosting capacity of one bus; see the module docstring for definitions.

    Attributes
    ----------
    bus : str
        Label of the bus (``bus:<name>``).
    vn_kv : float
        Nominal voltage [kV].
    max_load_mw : numpy.ndarray, shape (time,)
        Largest extra load per hour with no new violation [MW].
    capped : numpy.ndarray of bool, shape (time,)
        Hours where ``max_load_mw`` reached ``p_max_mw`` (the true value is larger).
    limiting : list of str, length time
        What binds just above ``max_load_mw`` each hour (element, kind, outage).
    firm_mw : float
        Firm hosting capacity [MW].
    flexible_mw : dict of float to float
        Flexible headroom per curtailment budget [MW]; NaN for a single-hour background (a
        budget is a share of a year's energy and needs hourly data).
    curtailed_hours : dict of float to int
        Hours the flexible campus curtails, per budget [h].
    contingencies : list of str
        Outages studied.
    excluded : list of str
        Outages left out: they split the network, or the background does not converge with them.
    times : pandas.Index
    background_violations : list of str
        Limits violated before any new load is added (element, state, hours), most hours first.
    """

    bus: str
    vn_kv: float
    max_load_mw: np.ndarray
    capped: np.ndarray
    limiting: list[str]
    firm_mw: float
    flexible_mw: dict[float, float]
    curtailed_hours: dict[float, int]
    contingencies: list[str]
    excluded: list[str]
    times: pd.Index
    background_violations: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def firm_limit(self) -> str:
        """What limits the firm hosting capacity (at its hour)."""
        return self.limiting[int(np.argmin(self.max_load_mw))]

    def to_dataset(self) -> xr.Dataset:
        """The result as a CF-style xarray Dataset (dims ``time`` and ``budget``) with units."""
        from gridtwin.conventions import provenance_attrs

        budgets = sorted(self.flexible_mw)
        return xr.Dataset(
            {
                "hosting_max_load_mw": (
                    "time",
                    self.max_load_mw,
                    {"units": "MW", "long_name": "largest extra load without new violation"},
                ),
                "hosting_capped": (
                    "time",
                    self.capped,
                    {"long_name": "true where hosting_max_load_mw reached p_max_mw"},
                ),
                "hosting_limiting": (
                    "time",
                    np.array(self.limiting, dtype=object),
                    {"long_name": "limit that binds just above hosting_max_load_mw"},
                ),
                "hosting_firm_mw": (
                    (),
                    self.firm_mw,
                    {"units": "MW", "long_name": "firm hosting capacity (smallest hour)"},
                ),
                "hosting_flexible_mw": (
                    "budget",
                    [self.flexible_mw[b] for b in budgets],
                    {"units": "MW", "long_name": "flexible headroom at curtailment budget"},
                ),
                "hosting_curtailed_hours": (
                    "budget",
                    [self.curtailed_hours[b] for b in budgets],
                    {"units": "h", "long_name": "hours the flexible load curtails"},
                ),
            },
            coords={
                "time": ("time", self.times, {"long_name": "hour of the background"}),
                "budget": (
                    "budget",
                    budgets,
                    {"units": "1", "long_name": "curtailment budget, share of annual energy"},
                ),
            },
            attrs={
                **provenance_attrs(f"gridtwin hosting capacity at {self.bus}"),
                "hosting_bus": self.bus,
                "hosting_vn_kv": self.vn_kv,
                "hosting_contingencies": ", ".join(self.contingencies) or "none",
                "hosting_excluded": ", ".join(self.excluded) or "none",
                "hosting_background_violations": "; ".join(self.background_violations) or "none",
                **{f"hosting_{k}": v for k, v in self.settings.items()},
            },
        )


def flexible_headroom(max_load_mw: np.ndarray, budget: float) -> tuple[float, int]:
    """Largest load that curtails at most ``budget`` of its energy, given hourly limits.

    Parameters
    ----------
    max_load_mw : numpy.ndarray, shape (time,)
        Hourly largest load without violation ``L_t`` [MW], all >= 0.
    budget : float
        Curtailment budget, share of the load's energy over the period [-], in [0, 1).

    Returns
    -------
    tuple
        ``P`` [MW] with ``sum_t max(0, P - L_t) = budget * P * T`` (or ``min L`` at budget 0),
        and the number of hours curtailed.
    """
    limit = np.sort(np.asarray(max_load_mw, dtype=float))
    n = limit.size
    allowed = budget * n
    if budget <= 0.0 or n == 0:
        return (float(limit[0]) if n else 0.0), 0
    # g(P) = sum_{L_i < P} (P - L_i) - allowed * P; on [L_(k), L_(k+1)] slope k - allowed.
    cum = np.cumsum(limit)
    for k in range(1, n + 1):
        slope = k - allowed
        if slope <= 0.0:
            continue
        p = cum[k - 1] / slope
        upper = limit[k] if k < n else math.inf
        if limit[k - 1] <= p <= upper:
            return float(p), int(np.count_nonzero(limit < p))
    return float(limit[-1]), n  # not reached: g is convex and positive for large P


def _contingency_positions(
    net: Any, bus_index: int, mode: Contingencies, radius: int
) -> tuple[list[int], list[str], list[str]]:
    """Branch positions to outage, their labels and the labels of excluded bridges."""
    labels = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
    in_service = np.r_[
        net.line["in_service"].to_numpy(bool), net.trafo["in_service"].to_numpy(bool)
    ]
    if mode == "none":
        return [], [], []
    bridges = bridge_branches(net)
    candidates = np.nonzero(in_service)[0]
    if mode == "local":
        import pandapower.topology as top

        graph = top.create_nxgraph(net, respect_switches=True)
        import networkx as nx

        near = set(nx.single_source_shortest_path_length(graph, bus_index, cutoff=radius))
        ends = np.r_[
            np.c_[net.line["from_bus"], net.line["to_bus"]],
            np.c_[net.trafo["hv_bus"], net.trafo["lv_bus"]],
        ].reshape(-1, 2)
        candidates = np.array(
            [p for p in candidates if ends[p, 0] in near or ends[p, 1] in near], dtype=int
        )
    keep = [int(p) for p in candidates if not bridges[p]]
    excluded = [labels[p] for p in candidates if bridges[p]]
    return keep, [labels[p] for p in keep], excluded


def hosting_capacity(
    net: Any,
    bus: str | int,
    *,
    load_p_mw: Mapping[str, np.ndarray] | None = None,
    sgen_p_mw: Mapping[str, np.ndarray] | None = None,
    times: Sequence[Any] | None = None,
    contingencies: Contingencies = "all",
    radius: int = 2,
    budgets: Sequence[float] = DEFAULT_BUDGETS,
    power_factor: float = DEFAULT_POWER_FACTOR,
    balance: Balance | None = None,
    p_max_mw: float = DEFAULT_P_MAX_MW,
    tol_mw: float = DEFAULT_TOL_MW,
    df_cutoff: float = DEFAULT_DF_CUTOFF,
    dv_cutoff: float = DEFAULT_DV_CUTOFF,
    monitor_min_kv: float = 0.0,
    threads: int = 1,
) -> HostingResult:
    """Firm hosting capacity and flexible headroom for a new load at ``bus``.

    Parameters
    ----------
    net : pandapowerNet
        Network in its background state; not modified.
    bus : str or int
        Bus name (``net.bus.name``, also as a label ``"bus:<name>"``; a digit string that is no
        name is an index) or index (int).
    load_p_mw, sgen_p_mw : mapping of str to array, optional
        Hourly background of named loads / static generators [MW], as for
        :func:`gridtwin.grid.powerflow.run_timeseries`. Without them the network's own state
        is the single hour studied (flexible headroom is then NaN).
    times : sequence, optional
        Time stamps of the hours.
    contingencies : {"all", "local", "none"}
        Outage set; see the module docstring.
    radius : int
        Bus hops for ``contingencies="local"``.
    budgets : sequence of float
        Curtailment budgets [share of annual energy], each in [0, 1).
    power_factor : float
        Lagging power factor of the new load [-], in [0.5, 1].
    balance : {"slack", "generators"}, optional
        Who supplies the new load; default ``"generators"`` when the network has in-service
        generators with positive dispatch, else ``"slack"``.
    p_max_mw : float
        Upper end of the search [MW].
    tol_mw : float
        Bisection tolerance [MW].
    df_cutoff : float
        Distribution-factor cutoff for branches [MW/MW], in [0, 1].
    dv_cutoff : float
        Voltage-change cutoff for buses [p.u.].
    monitor_min_kv : float
        Voltage limits are checked at buses with ``vn_kv >= monitor_min_kv`` only [kV]; 0
        checks every bus (thermal limits are checked on every branch).
    threads : int
        lightsim2grid threads per batch.

    Returns
    -------
    HostingResult

    Raises
    ------
    DataError
        Unknown bus or element, bad settings, or a network the lightsim2grid batch engine cannot
        represent (switches, three-winding transformers, wards...; the message names it).
    PowerFlowNotConverged
        The background itself does not converge in the intact network, or the bus is islanded.
    """
    if contingencies not in ("all", "local", "none"):
        raise DataError(f"contingencies={contingencies!r}; use 'all', 'local' or 'none'.")
    if not 0.5 <= power_factor <= 1.0:
        raise DataError(
            f"power_factor={power_factor} must be in [0.5, 1] (lagging; data-centre campuses run "
            "at 0.95 to 1)."
        )
    bad = [b for b in budgets if not 0.0 <= b < 1.0]
    if bad:
        raise DataError(f"curtailment budgets {bad} must be shares in [0, 1) (0.01 = 1 %).")
    if not (p_max_mw > 0 and tol_mw > 0 and tol_mw < p_max_mw):
        raise DataError(f"need 0 < tol_mw ({tol_mw}) < p_max_mw ({p_max_mw}) [MW].")
    if not (0.0 <= df_cutoff <= 1.0 and dv_cutoff >= 0.0):
        raise DataError(f"need 0 <= df_cutoff ({df_cutoff}) <= 1 and dv_cutoff ({dv_cutoff}) >= 0.")
    if balance not in (None, "slack", "generators"):
        raise DataError(f"balance={balance!r}; use 'slack' or 'generators'.")

    check_parameters(net, ratings=True)
    bus_index = resolve_bus(net, bus)
    work = copy.deepcopy(net)
    check_islands(work, "background network")
    import pandapower as pp

    pp.create_load(work, bus_index, p_mw=0.0, q_mvar=0.0, name=PROBE)
    loads, n_hours = check_profiles(load_p_mw or {}, None, "load")
    sgens, n_hours = check_profiles(sgen_p_mw or {}, n_hours, "sgen")
    try:
        engine = BatchPowerFlow(work)
    except UnsupportedNetwork as err:
        raise DataError(
            f"hosting capacity needs lightsim2grid's batch power flow, which cannot solve this "
            f"network: {err}. "
            + (
                "Install lightsim2grid (`pip install gridtwin[grid]`)."
                if "not installed" in str(err)
                else "Replace switches by in/out-of-service branches (pandapower.toolbox."
                "fuse_buses for closed bus-bus switches) and three-winding transformers by "
                "two-winding ones."
            )
        ) from err
    if n_hours is None:
        lp, lq, sp = (engine.load_p0[None, :], engine.load_q0[None, :], engine.sgen_p0[None, :])
        n_hours = 1
    else:
        load_idx = name_to_index(work.load, list(loads), "load")
        lp, lq, sp = injection_matrices(
            engine, work, loads, sgens, q_ratios(work.load, load_idx, None)
        )
    time_index = pd.Index(times if times is not None else range(n_hours), name="time")
    if len(time_index) != n_hours:
        raise DataError(f"times has {len(time_index)} entries but profiles {n_hours} hours.")

    gen_w = np.zeros_like(engine.gen_p0)
    gen_p = work.gen["p_mw"].to_numpy(float) * work.gen["in_service"].to_numpy(float)
    if balance is None:
        balance = "generators" if (gen_p > 0).any() else "slack"
    if balance == "generators":
        if not (gen_p > 0).any():
            raise DataError("balance='generators' but no in-service generator has p_mw > 0.")
        gen_w[: engine.n_gen_pp] = np.clip(gen_p, 0.0, None) / np.clip(gen_p, 0.0, None).sum()

    states, labels, excluded = _contingency_positions(work, bus_index, contingencies, radius)
    search = _Search(engine, lp, lq, sp, [-1, *states], gen_w, math.tan(math.acos(power_factor)))
    search.check_background(time_index, df_cutoff, dv_cutoff, monitor_min_kv)
    max_load, capped, limiting = search.bisect(p_max_mw, tol_mw, work, labels)

    flexible, hours = {}, {}
    for b in budgets:
        if n_hours == 1:
            flexible[float(b)], hours[float(b)] = math.nan, 0
        else:
            flexible[float(b)], hours[float(b)] = flexible_headroom(max_load, float(b))
    return HostingResult(
        bus=element_labels(work.bus, "bus")[work.bus.index.get_loc(bus_index)],
        vn_kv=float(work.bus.at[bus_index, "vn_kv"]),
        max_load_mw=max_load,
        capped=capped,
        limiting=limiting,
        firm_mw=float(max_load.min()),
        flexible_mw=flexible,
        curtailed_hours=hours,
        contingencies=[lab for k, lab in enumerate(labels) if search.active[k + 1]],
        excluded=excluded + [lab for k, lab in enumerate(labels) if not search.active[k + 1]],
        times=time_index,
        background_violations=search.background_violations(work, labels),
        settings={
            "power_factor": power_factor,
            "balance": balance,
            "contingency_set": contingencies,
            "p_max_mw": p_max_mw,
            "tol_mw": tol_mw,
            "df_cutoff": df_cutoff,
            "dv_cutoff": dv_cutoff,
            "monitor_min_kv": monitor_min_kv,
        },
    )


class _Search:
    """Vectorised bisection over hours; every step solves hours x states in one batch."""

    def __init__(
        self,
        engine: BatchPowerFlow,
        lp: np.ndarray,
        lq: np.ndarray,
        sp: np.ndarray,
        states: list[int],
        gen_w: np.ndarray,
        tan_phi: float,
    ) -> None:
        self.engine, self.states, self.gen_w, self.tan_phi = engine, states, gen_w, tan_phi
        self.n_hours = lp.shape[0]
        s = len(states)
        self.lp, self.lq, self.sp = (np.tile(a, (s, 1)) for a in (lp, lq, sp))
        self.gp = np.tile(engine.gen_p0, (s * self.n_hours, 1))
        self.outage = np.repeat(states, self.n_hours)
        self.probe = engine.load_p0.size - 1  # the probe load is the last row of net.load
        self.active = np.ones(s, dtype=bool)

    def _solve(self, p_hour: np.ndarray) -> Any:
        p_rows = np.tile(p_hour, len(self.states))
        lp, lq = self.lp.copy(), self.lq.copy()
        lp[:, self.probe] = p_rows
        lq[:, self.probe] = p_rows * self.tan_phi
        gp = self.gp + p_rows[:, None] * self.gen_w[None, :]
        return self.engine.solve(load_p=lp, load_q=lq, sgen_p=self.sp, gen_p=gp, outage=self.outage)

    def check_background(
        self, times: pd.Index, df_cutoff: float, dv_cutoff: float, monitor_min_kv: float
    ) -> None:
        """Solve the background (no new load); fix limits per row; drop failing outages."""
        base = self._solve(np.zeros(self.n_hours))
        conv = base.converged.reshape(len(self.states), self.n_hours)
        if not conv[0].all():
            t = int(np.nonzero(~conv[0])[0][0])
            raise PowerFlowNotConverged(
                f"the background power flow does not converge at hour {times[t]} (index {t}) "
                "without any new load; check the background profiles and the network."
            )
        self.active = conv.all(axis=1)
        vmin, vmax, lmax = limits(self.engine.net)
        net = self.engine.net
        vn = net.bus["vn_kv"].to_numpy(float)[net.bus["in_service"].to_numpy(bool)]
        self.vmon = vn >= monitor_min_kv
        vm0, ld0 = base.vm_pu, base.loading_percent
        # violations already present without the new load (rows x [low | high | overload])
        with np.errstate(invalid="ignore"):
            self.base_bad = np.concatenate(
                [(vm0 < vmin - _VM_EPS) & self.vmon, (vm0 > vmax + _VM_EPS) & self.vmon,
                 ld0 > lmax + _LOADING_EPS],
                axis=1,
            ) & np.repeat(self.active, self.n_hours)[:, None]  # fmt: skip
        self.vmin, self.vmax = vmin[None, :] - _VM_EPS, vmax[None, :] + _VM_EPS
        self.vm0 = np.nan_to_num(vm0, nan=1.0)
        self.dv_cutoff = dv_cutoff
        self.lmax = np.fmax(lmax[None, :], np.nan_to_num(ld0, nan=-np.inf)) + _LOADING_EPS
        self.ld0 = np.nan_to_num(ld0)
        self.p0 = np.nan_to_num(base.p_from_mw)
        self.df_cutoff = df_cutoff
        self.row_active = np.repeat(self.active, self.n_hours)

    def _feasible(self, p_hour: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per hour: feasible?, and for infeasible rows the worst (kind, element) code."""
        res = self._solve(p_hour)
        vm = np.nan_to_num(res.vm_pu, nan=1.0)
        moved = self.dv_cutoff - 1e-12
        low = np.where((self.vm0 - vm >= moved) & self.vmon, self.vmin - vm, 0.0)
        high = np.where((vm - self.vm0 >= moved) & self.vmon, vm - self.vmax, 0.0)
        over = np.nan_to_num((res.loading_percent - self.lmax) / 100.0, nan=0.0)
        if self.df_cutoff > 0.0:
            # distribution factor: active flow change per MW of new load [MW/MW]
            p_rows = np.tile(np.maximum(p_hour, 1e-9), len(self.states))[:, None]
            dfax = np.abs(res.p_from_mw - self.p0) / p_rows
            over = np.where(np.nan_to_num(dfax) >= self.df_cutoff, over, 0.0)
        scores = np.concatenate([low, high, over], axis=1)
        worst = np.argmax(scores, axis=1)
        bad_row = (~res.converged | (scores.max(axis=1) > 0.0)) & self.row_active
        worst = np.where(res.converged, worst, -1)
        s, t = len(self.states), self.n_hours
        bad = bad_row.reshape(s, t)
        feasible = ~bad.any(axis=0)
        # the state that fails first (lowest state index that is bad) names the limit
        first_state = np.argmax(bad, axis=0)
        code = worst.reshape(s, t)[first_state, np.arange(t)]
        return feasible, first_state, code

    def bisect(
        self, p_max: float, tol: float, net: Any, labels: list[str]
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        t = self.n_hours
        lo, hi = np.zeros(t), np.full(t, np.inf)
        why_state, why_code = np.zeros(t, dtype=int), np.full(t, -1)
        # bracket: double from P_START_MW until a limit binds or p_max is reached
        p = np.full(t, min(P_START_MW, p_max))
        growing = np.ones(t, dtype=bool)
        while growing.any():
            ok, state, code = self._feasible(np.where(growing, p, lo))
            fail = growing & ~ok
            hi = np.where(fail, p, hi)
            why_state = np.where(fail, state, why_state)
            why_code = np.where(fail, code, why_code)
            lo = np.where(growing & ok, p, lo)
            growing = growing & ok & (p < p_max)
            p = np.minimum(2.0 * p, p_max)
        capped = ~np.isfinite(hi)
        hi = np.where(capped, lo, hi)
        while np.any(hi - lo > tol):
            open_ = hi - lo > tol
            mid = np.where(open_, 0.5 * (lo + hi), lo)
            ok, state, code = self._feasible(mid)
            lo = np.where(open_ & ok, mid, lo)
            fail = open_ & ~ok
            hi = np.where(fail, mid, hi)
            why_state = np.where(fail, state, why_state)
            why_code = np.where(fail, code, why_code)
        names = self._describe(net, labels, why_state, why_code, capped)
        return lo, capped, names

    def _describe(
        self,
        net: Any,
        labels: list[str],
        state: np.ndarray,
        code: np.ndarray,
        capped: np.ndarray,
    ) -> list[str]:
        buses = np.asarray(element_labels(net.bus, "bus"))[net.bus["in_service"].to_numpy(bool)]
        branches = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
        n_bus = len(buses)
        out = []
        for k in range(self.n_hours):
            if capped[k]:
                out.append("none up to p_max_mw")
                continue
            s, c = int(state[k]), int(code[k])
            where = "N-0" if s == 0 else f"outage {labels[s - 1]}"
            if c < 0:
                what = "power flow does not converge (voltage collapse)"
            elif c < n_bus:
                what = f"{buses[c]} voltage below min_vm_pu"
            elif c < 2 * n_bus:
                what = f"{buses[c - n_bus]} voltage above max_vm_pu"
            else:
                what = f"{branches[c - 2 * n_bus]} overload"
            if c >= 0 and self.base_bad[s * self.n_hours + k, c]:
                what += " — already violated without the new load"
            out.append(f"{what} ({where})")
        return out

    def background_violations(self, net: Any, labels: list[str]) -> list[str]:
        """Limits the background violates without any new load, with their hour counts."""
        buses = np.asarray(element_labels(net.bus, "bus"))[net.bus["in_service"].to_numpy(bool)]
        branches = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
        names = (
            [f"{b} voltage below min_vm_pu" for b in buses]
            + [f"{b} voltage above max_vm_pu" for b in buses]
            + [f"{b} overload" for b in branches]
        )
        hours = self.base_bad.reshape(len(self.states), self.n_hours, -1).sum(axis=1)
        found = []
        for s, c in zip(*np.nonzero(hours), strict=True):
            where = "N-0" if s == 0 else f"outage {labels[s - 1]}"
            found.append((int(hours[s, c]), f"{names[c]} ({where}) in {int(hours[s, c])} h"))
        return [text for _, text in sorted(found, key=lambda x: -x[0])]
