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
from gridtwin.grid.advice import nonconvergence_advice
from gridtwin.grid.batch import BatchPowerFlow, UnsupportedNetwork
from gridtwin.grid.contingency import BranchTopology, Contingencies, contingency_positions
from gridtwin.grid.elements import (
    check_islands,
    check_profiles,
    element_labels,
    injection_matrices,
    name_to_index,
    q_ratios,
)
from gridtwin.grid.hosting_search import HostingSearch
from gridtwin.grid.network import resolve_bus
from gridtwin.grid.validate import check_network

#: Curtailment budgets [share of the new load's annual energy], Norris et al. (2025).
DEFAULT_BUDGETS = (0.0025, 0.005, 0.01)
#: Largest load searched [MW]; an hour that takes it is reported as ``>=`` this value.
DEFAULT_P_MAX_MW = 5000.0
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

PROBE = "__hosting_probe__"

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
    check_settings(contingencies, power_factor, budgets, p_max_mw, tol_mw, df_cutoff,
                    dv_cutoff, balance)  # fmt: skip
    engine = HostingEngine(
        net, [bus], load_p_mw=load_p_mw, sgen_p_mw=sgen_p_mw, times=times, balance=balance,
        threads=threads,
    )  # fmt: skip
    return engine.capacity(
        bus, contingencies=contingencies, radius=radius, budgets=budgets,
        power_factor=power_factor, p_max_mw=p_max_mw, tol_mw=tol_mw, df_cutoff=df_cutoff,
        dv_cutoff=dv_cutoff, monitor_min_kv=monitor_min_kv,
    )  # fmt: skip


class HostingEngine:
    """The AC hosting-capacity search of many buses of one network on one lightsim2grid engine.

    The network is copied once with a 0 MW probe load at each of ``buses``; its batch engine,
    background, generators' shares and branch topology are built once, and :meth:`capacity`
    searches one bus at a time, moving the new load onto that bus's probe. A probe at 0 MW
    changes no power flow, so each result is the one :func:`hosting_capacity` gives for the bus
    alone (which builds an engine with that single probe).

    Parameters
    ----------
    net : pandapowerNet
        Network in its background state; not modified.
    buses : sequence of str or int
        The buses :meth:`capacity` may be asked about (names, labels or indices).
    load_p_mw, sgen_p_mw, times, balance, threads
        As for :func:`hosting_capacity`.

    Raises
    ------
    DataError, PowerFlowNotConverged
        As :func:`hosting_capacity`, for the network, the buses and the background.
    """

    def __init__(
        self,
        net: Any,
        buses: Sequence[str | int],
        *,
        load_p_mw: Mapping[str, np.ndarray] | None = None,
        sgen_p_mw: Mapping[str, np.ndarray] | None = None,
        times: Sequence[Any] | None = None,
        balance: Balance | None = None,
        threads: int = 1,
    ) -> None:
        import pandapower as pp

        if balance not in (None, "slack", "generators"):
            raise DataError(f"balance={balance!r}; use 'slack' or 'generators'.")
        check_network(net, str(net.name or "network"), ratings=True)
        indices = list(dict.fromkeys(resolve_bus(net, b) for b in buses))
        work = copy.deepcopy(net)
        check_islands(work, "background network")
        created = {b: pp.create_load(work, b, p_mw=0.0, q_mvar=0.0, name=PROBE) for b in indices}
        #: position of each bus's probe among the net.load rows
        self.probe = {b: int(work.load.index.get_loc(i)) for b, i in created.items()}
        self.net = work
        self.engine = _engine(work, threads)
        self.lp, self.lq, self.sp, self.times = _background(
            self.engine, work, load_p_mw, sgen_p_mw, times
        )
        self.balance, self.gen_w = _generator_weights(self.engine, work, balance)
        self.topology = BranchTopology.of(work)

    def capacity(
        self,
        bus: str | int,
        *,
        contingencies: Contingencies = "all",
        radius: int = 2,
        budgets: Sequence[float] = DEFAULT_BUDGETS,
        power_factor: float = DEFAULT_POWER_FACTOR,
        p_max_mw: float = DEFAULT_P_MAX_MW,
        tol_mw: float = DEFAULT_TOL_MW,
        df_cutoff: float = DEFAULT_DF_CUTOFF,
        dv_cutoff: float = DEFAULT_DV_CUTOFF,
        monitor_min_kv: float = 0.0,
    ) -> HostingResult:
        """Firm hosting capacity and flexible headroom at ``bus``, one of the engine's buses;
        the settings as for :func:`hosting_capacity`."""
        check_settings(contingencies, power_factor, budgets, p_max_mw, tol_mw, df_cutoff,
                        dv_cutoff, self.balance)  # fmt: skip
        work = self.net
        bus_index = resolve_bus(work, bus)
        if bus_index not in self.probe:
            raise DataError(
                f"bus {bus!r} is not one of the {len(self.probe)} buses this HostingEngine was "
                "built for; pass it in `buses`."
            )
        n_hours = len(self.times)
        states, labels, excluded = contingency_positions(
            work, bus_index, contingencies, radius, self.topology
        )
        search = HostingSearch(
            self.engine, self.lp, self.lq, self.sp, [-1, *states], self.gen_w,
            math.tan(math.acos(power_factor)), self.probe[bus_index],
        )  # fmt: skip
        search.check_background(self.times, df_cutoff, dv_cutoff, monitor_min_kv)
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
            times=self.times,
            background_violations=search.background_violations(work, labels),
            settings={
                "power_factor": power_factor,
                "balance": self.balance,
                "contingency_set": contingencies,
                "p_max_mw": p_max_mw,
                "tol_mw": tol_mw,
                "df_cutoff": df_cutoff,
                "dv_cutoff": dv_cutoff,
                "monitor_min_kv": monitor_min_kv,
            },
        )


def check_settings(
    contingencies: str,
    power_factor: float,
    budgets: Sequence[float],
    p_max_mw: float,
    tol_mw: float,
    df_cutoff: float,
    dv_cutoff: float,
    balance: str | None,
) -> None:
    """Raise ``DataError`` for settings of :func:`hosting_capacity` out of their range."""
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


def _engine(work: Any, threads: int = 1) -> BatchPowerFlow:
    """The lightsim2grid batch engine of the network with its probe loads."""
    try:
        return BatchPowerFlow(work, threads=threads)
    except UnsupportedNetwork as err:
        if "does not converge" in str(err):
            raise PowerFlowNotConverged(
                f"the network's own state (no new load) does not converge ({err}). "
                + nonconvergence_advice(work)
            ) from err
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


def _background(
    engine: BatchPowerFlow,
    work: Any,
    load_p_mw: Mapping[str, np.ndarray] | None,
    sgen_p_mw: Mapping[str, np.ndarray] | None,
    times: Sequence[Any] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Load P, load Q and sgen P of every hour [MW, Mvar, MW], shape (hours, elements), and
    the hours: the profiles, or the network's own state as a single hour."""
    loads, n_hours = check_profiles(load_p_mw or {}, None, "load")
    sgens, n_hours = check_profiles(sgen_p_mw or {}, n_hours, "sgen")
    if n_hours is None:
        lp, lq, sp = (engine.load_p0[None, :], engine.load_q0[None, :], engine.sgen_p0[None, :])
        n_hours = 1
    else:
        load_idx = name_to_index(work.load, list(loads), "load")
        ratios = q_ratios(work.load, load_idx, None)
        lp, lq, sp = injection_matrices(engine, work, loads, sgens, ratios)
    time_index = pd.Index(times if times is not None else range(n_hours), name="time")
    if len(time_index) != n_hours:
        raise DataError(f"times has {len(time_index)} entries but profiles {n_hours} hours.")
    return lp, lq, sp, time_index


def generator_shares(net: Any, balance: Balance | None) -> tuple[Balance, np.ndarray]:
    """Who supplies the new load, and each ``net.gen`` row's share of it [-].

    Parameters
    ----------
    net : pandapowerNet
    balance : {"slack", "generators"}, optional
        ``"generators"``: all in-service generators in proportion to their dispatch ``p_mw``;
        ``"slack"``: none (the ext_grid). Default ``"generators"`` when any in-service generator
        has ``p_mw > 0``.

    Returns
    -------
    tuple
        The balance used and the shares, shape (n_gen,), summing to 1 (all 0 for the slack).
    """
    gen_p = net.gen["p_mw"].to_numpy(float) * net.gen["in_service"].to_numpy(float)
    if balance is None:
        balance = "generators" if (gen_p > 0).any() else "slack"
    if balance == "slack":
        return balance, np.zeros_like(gen_p)
    if not (gen_p > 0).any():
        raise DataError("balance='generators' but no in-service generator has p_mw > 0.")
    return balance, np.clip(gen_p, 0.0, None) / np.clip(gen_p, 0.0, None).sum()


def _generator_weights(
    engine: BatchPowerFlow, work: Any, balance: Balance | None
) -> tuple[Balance, np.ndarray]:
    """:func:`generator_shares` over lightsim2grid's generators (ext_grids get none)."""
    gen_w = np.zeros_like(engine.gen_p0)
    balance, gen_w[: engine.n_gen_pp] = generator_shares(work, balance)
    return balance, gen_w
