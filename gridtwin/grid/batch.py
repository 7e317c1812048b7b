"""Many AC power flows of one network in one call: lightsim2grid's ``ScenarioSweep`` engine.

Hourly time series, N-1 and hosting-capacity searches all solve the *same* network under many
rows of (injections, one branch out). :class:`BatchPowerFlow` converts the pandapower network
once to a lightsim2grid grid model, checks that the converted model reproduces pandapower's
own power flow of the base case (≤ 1e-6 p.u.), and then solves any number of rows in C++
(Newton-Raphson with the KLU sparse solver), each from the base-case voltages. Results are
put back into pandapower's terms: bus voltage magnitudes [p.u.], branch loading [%] computed
with pandapower's formulas (lines: ``max(i_from, i_to) / (max_i_ka * df * parallel)``;
transformers: current-based, ``max(i_hv vn_hv, i_lv vn_lv) sqrt(3) / sn_mva / (parallel * df)``),
active flow at the from / hv side [MW] and losses [MW].

Networks lightsim2grid does not convert (switches, three-winding transformers, wards,
impedances, motors, asymmetric loads) raise :class:`UnsupportedNetwork`; callers then fall back
to pandapower's own Newton-Raphson, one power flow at a time.

References
----------
Donnot, B. (2020). LightSim2grid: a C++ backend for grid2op. https://github.com/Grid2Op/lightsim2grid
(``ScenarioSweepCPP``, ``init_from_pandapower(pp_orig_file="pandapower_v3")``).

Thurner, L. et al. (2018). pandapower. IEEE Trans. Power Syst. 33(6), 6510-6521,
doi:10.1109/TPWRS.2018.2829021 (branch loading definitions, ``results_branch.py``).
"""

from __future__ import annotations

import copy
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from gridtwin.exceptions import GridTwinError

logger = logging.getLogger(__name__)

#: pandapower tables that lightsim2grid's converter cannot represent.
UNSUPPORTED_TABLES = (
    "switch",
    "trafo3w",
    "ward",
    "xward",
    "impedance",
    "motor",
    "asymmetric_load",
)

#: Largest voltage difference between pandapower and the converted model accepted [p.u.].
CONVERSION_TOL_PU = 1e-6

_SQRT3 = float(np.sqrt(3.0))


class UnsupportedNetwork(GridTwinError):
    """The network cannot be solved by the batch engine; use pandapower one flow at a time."""


@dataclass(frozen=True)
class BatchResult:
    """AC power-flow results of a batch, one row per solved case.

    Attributes
    ----------
    converged : numpy.ndarray of bool, shape (rows,)
    vm_pu : numpy.ndarray, shape (rows, bus)
        Voltage magnitude of the in-service buses [p.u.]; NaN where not converged.
    loading_percent : numpy.ndarray, shape (rows, branch)
        Loading of lines then transformers [%]; 0 for a branch out of service; NaN where not
        converged.
    p_from_mw : numpy.ndarray, shape (rows, branch)
        Active power entering at the from (line) or hv (transformer) side [MW].
    losses_mw : numpy.ndarray, shape (rows,)
        Active losses of all lines and transformers [MW].
    ext_grid_p_mw : numpy.ndarray, shape (rows,)
        Active power delivered by the ext_grid(s) [MW].
    """

    converged: np.ndarray
    vm_pu: np.ndarray
    loading_percent: np.ndarray
    p_from_mw: np.ndarray
    losses_mw: np.ndarray
    ext_grid_p_mw: np.ndarray


def _prepare(net: Any) -> tuple[Any, np.ndarray]:
    """Copy ``net`` into the form lightsim2grid converts; return it and the new bus positions.

    Parallel lines become one equivalent line (impedance / k, shunt admittance and rating x k),
    bus indices become ``0..n-1``.
    """
    import pandapower as pp

    for table in UNSUPPORTED_TABLES:
        if table in net and len(net[table]):
            raise UnsupportedNetwork(f"net.{table} has {len(net[table])} row(s)")
    if "trafo" in net and len(net.trafo) and (net.trafo["parallel"] != 1).any():
        raise UnsupportedNetwork("transformers with parallel != 1")
    work = copy.deepcopy(net)
    old_bus = np.asarray(work.bus.index)
    pp.toolbox.create_continuous_bus_index(work, start=0, store_old_index=False)
    k = work.line["parallel"].to_numpy(dtype=float)
    if (k != 1).any():
        for col in ("r_ohm_per_km", "x_ohm_per_km"):
            work.line[col] = work.line[col] / k
        for col in ("c_nf_per_km", "g_us_per_km", "max_i_ka"):
            if col in work.line:
                work.line[col] = work.line[col] * k
        work.line["parallel"] = 1
    return work, old_bus


class BatchPowerFlow:
    """One network, many AC power flows: injections and a branch outage per row.

    Parameters
    ----------
    net : pandapowerNet
        Network in its base state (loads, static generators, generators as given); not modified.
    threads : int
        OS threads lightsim2grid uses for a batch (results do not depend on it).
    tol : float
        Newton-Raphson mismatch tolerance [p.u. power].
    max_iter : int
        Newton-Raphson iterations per row; 10 is pandapower's default for ``runpp`` (a row that
        needs more counts as not converged, as it would in pandapower).

    Raises
    ------
    UnsupportedNetwork
        lightsim2grid is missing, the network holds elements it cannot convert, the base case
        does not converge, or the converted model differs from pandapower's result by more than
        :data:`CONVERSION_TOL_PU`.
    """

    def __init__(self, net: Any, *, threads: int = 1, tol: float = 1e-8, max_iter: int = 10):
        try:
            from lightsim2grid.algorithm import AlgorithmType
            from lightsim2grid.network import init_from_pandapower
        except ImportError as err:
            raise UnsupportedNetwork("lightsim2grid is not installed") from err
        import pandapower as pp
        from pandapower.auxiliary import LoadflowNotConverged

        work, old_bus = _prepare(net)
        try:
            pp.runpp(work, numba=False, lightsim2grid=False, init="auto")
        except LoadflowNotConverged as err:
            raise UnsupportedNetwork("the base case does not converge in pandapower") from err
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                grid = init_from_pandapower(work, pp_orig_file="pandapower_v3")
            except Exception as err:  # the converter raises bare RuntimeErrors
                raise UnsupportedNetwork(f"lightsim2grid cannot convert it: {err}") from err
        grid.change_algorithm(AlgorithmType.NR_KLU)
        vm = work.res_bus.vm_pu.to_numpy(dtype=float)
        va = np.deg2rad(work.res_bus.va_degree.to_numpy(dtype=float))
        v0 = np.where(np.isfinite(vm), vm, 1.0) * np.exp(1j * np.where(np.isfinite(va), va, 0.0))
        self._v0 = v0.astype(complex)
        self._tol, self._max_iter, self._threads = tol, max_iter, threads
        self._grid = grid
        self._net = work
        #: the prepared copy the engine solves (parallel lines merged, buses 0..n-1)
        self.net = work
        self.bus_in_service = work.bus["in_service"].to_numpy(dtype=bool)
        self.old_bus_index = old_bus

        self.n_line, self.n_trafo = len(work.line), len(work.trafo)
        if len(grid.get_loads()) != len(work.load) or len(grid.get_static_generators()) != len(
            work.sgen
        ):
            raise UnsupportedNetwork("element counts differ after conversion")
        self.load_p0 = work.load["p_mw"].to_numpy(dtype=float) * work.load["scaling"].to_numpy(
            dtype=float
        )
        self.load_q0 = work.load["q_mvar"].to_numpy(dtype=float) * work.load["scaling"].to_numpy(
            dtype=float
        )
        self.sgen_p0 = work.sgen["p_mw"].to_numpy(dtype=float) * work.sgen["scaling"].to_numpy(
            dtype=float
        )
        self.gen_p0 = np.array([g.target_p_mw for g in grid.get_generators()], dtype=float)
        self.n_gen_pp = len(work.gen)
        n_ext = int(work.ext_grid["in_service"].sum()) if len(work.ext_grid) else 0
        if len(self.gen_p0) - self.n_gen_pp != n_ext:
            raise UnsupportedNetwork("an ext_grid shares its bus with a generator")
        self._branch_setup(net)

        # the converted model must reproduce pandapower's base case
        base = self.solve(load_p=self.load_p0[np.newaxis, :])
        if not base.converged[0]:
            raise UnsupportedNetwork("the converted base case does not converge")
        ref = work.res_bus.vm_pu.to_numpy(dtype=float)[self.bus_in_service]
        diff = float(np.nanmax(np.abs(base.vm_pu[0] - ref))) if ref.size else 0.0
        if not diff <= CONVERSION_TOL_PU:
            raise UnsupportedNetwork(
                f"converted model differs from pandapower by {diff:.2e} p.u. in the base case"
            )

    def _branch_setup(self, original: Any) -> None:
        work = self._net
        line, trafo = work.line, work.trafo
        # ratings from the *original* table (parallel lines carry k x max_i_ka)
        self._line_imax = (
            original.line["max_i_ka"].to_numpy(dtype=float)
            * original.line["df"].to_numpy(dtype=float)
            * original.line["parallel"].to_numpy(dtype=float)
        )
        self._line_vn = (
            work.bus.loc[line["from_bus"], "vn_kv"].to_numpy(dtype=float),
            work.bus.loc[line["to_bus"], "vn_kv"].to_numpy(dtype=float),
        )
        self._line_bus = (line["from_bus"].to_numpy(int), line["to_bus"].to_numpy(int))
        self._trafo_bus = (trafo["hv_bus"].to_numpy(int), trafo["lv_bus"].to_numpy(int))
        self._trafo_sn = (
            trafo["sn_mva"].to_numpy(dtype=float)
            * trafo["parallel"].to_numpy(dtype=float)
            * trafo["df"].to_numpy(dtype=float)
        )
        self.line_in_service = line["in_service"].to_numpy(dtype=bool)
        self.trafo_in_service = trafo["in_service"].to_numpy(dtype=bool)

    @property
    def n_branch(self) -> int:
        """Number of branches: lines, then transformers."""
        return self.n_line + self.n_trafo

    def solve(
        self,
        *,
        load_p: np.ndarray | None = None,
        load_q: np.ndarray | None = None,
        sgen_p: np.ndarray | None = None,
        gen_p: np.ndarray | None = None,
        outage: np.ndarray | None = None,
    ) -> BatchResult:
        """Solve one AC power flow per row.

        Parameters
        ----------
        load_p, load_q : numpy.ndarray, shape (rows, n_load), optional
            Active [MW] and reactive [Mvar] power of every ``net.load`` row (scaling applied);
            default: the base case.
        sgen_p : numpy.ndarray, shape (rows, n_sgen), optional
            Active power of every ``net.sgen`` row [MW]; reactive setpoints stay as in the base.
        gen_p : numpy.ndarray, shape (rows, n_gen_ls), optional
            Active setpoints of lightsim2grid's generators (``net.gen`` rows, then one per
            ext_grid without a generator) [MW]; the slack still balances.
        outage : numpy.ndarray of int, shape (rows,), optional
            Branch position (lines, then transformers) taken out in each row; -1 for none.

        Returns
        -------
        BatchResult
        """
        from lightsim2grid.scenarioSweep import ScenarioSweepCPP

        given = [a for a in (load_p, load_q, sgen_p, gen_p, outage) if a is not None]
        rows = len(given[0]) if given else 1

        def full(arr: np.ndarray | None, base: np.ndarray) -> np.ndarray:
            if arr is None:
                return np.tile(base, (rows, 1))
            return np.ascontiguousarray(arr, dtype=float).reshape(rows, base.size)

        lp = full(load_p, self.load_p0)
        lq = full(load_q, self.load_q0)
        sp = full(sgen_p, self.sgen_p0)
        gp = full(gen_p, self.gen_p0)
        out = np.full(rows, -1, dtype=int) if outage is None else np.asarray(outage, dtype=int)
        line_mask = np.zeros((rows, self.n_line), dtype=bool)
        trafo_mask = np.zeros((rows, self.n_trafo), dtype=bool)
        is_line = (out >= 0) & (out < self.n_line)
        is_trafo = out >= self.n_line
        line_mask[np.nonzero(is_line)[0], out[is_line]] = True
        trafo_mask[np.nonzero(is_trafo)[0], out[is_trafo] - self.n_line] = True

        computer = ScenarioSweepCPP(self._grid)
        computer.nb_thread = self._threads
        computer.compute_gen_results = True
        computer.modify_load_p(lp)
        computer.modify_load_q(lq)
        if sp.shape[1]:
            computer.modify_sgen_p(sp)
        if gp.shape[1]:
            computer.modify_gen_p(gp)
        if self.n_line:
            computer.set_contingency_lines(line_mask)
        if self.n_trafo:
            computer.set_contingency_trafos(trafo_mask)
        computer.compute(self._v0, self._max_iter, self._tol)
        # copies: the arrays are views into memory the computer frees on close()
        converged = np.array(computer.converged_mask(), dtype=bool)
        volts = np.array(computer.get_voltages(), copy=True)
        res = np.array(computer.compute_branch_results(), copy=True)  # (rows, branch, 4)
        gens = np.array(computer.get_gen_results(), copy=True)  # (rows, gen, [p, q])
        computer.close()
        ext_p = gens[:, self.n_gen_pp :, 0].sum(axis=1)
        return self._to_result(converged, volts, res, ext_p)

    def _to_result(
        self, converged: np.ndarray, volts: np.ndarray, res: np.ndarray, ext_p: np.ndarray
    ) -> BatchResult:
        vm_all = np.abs(volts)
        s1 = np.hypot(res[:, :, 0], res[:, :, 1])
        s2 = np.hypot(res[:, :, 2], res[:, :, 3])
        nl = self.n_line
        with np.errstate(divide="ignore", invalid="ignore"):
            fb, tb = self._line_bus
            i_from = s1[:, :nl] / (_SQRT3 * vm_all[:, fb] * self._line_vn[0])
            i_to = s2[:, :nl] / (_SQRT3 * vm_all[:, tb] * self._line_vn[1])
            line_load = 100.0 * np.fmax(i_from, i_to) / self._line_imax
            hb, lb = self._trafo_bus
            # current-based loading: i * vn * sqrt(3) / sn = s / vm / sn
            trafo_load = (
                100.0 * np.fmax(s1[:, nl:] / vm_all[:, hb], s2[:, nl:] / vm_all[:, lb])
            ) / self._trafo_sn
        loading = np.nan_to_num(np.concatenate([line_load, trafo_load], axis=1), posinf=0.0)
        p_from = res[:, :, 0].copy()
        losses = (res[:, :, 0] + res[:, :, 2]).sum(axis=1)
        vm = vm_all[:, self.bus_in_service].copy()
        bad = ~converged
        vm[bad] = np.nan
        loading[bad] = np.nan
        p_from[bad] = np.nan
        losses[bad] = np.nan
        ext_p = np.where(bad, np.nan, ext_p)
        return BatchResult(converged, vm, loading, p_from, losses, ext_p)


def bridge_branches(net: Any) -> np.ndarray:
    """Branches whose outage splits the in-service network (graph bridges).

    Parameters
    ----------
    net : pandapowerNet

    Returns
    -------
    numpy.ndarray of bool, shape (n_line + n_trafo,)
        True for an in-service line or transformer row that is the only connection between two
        parts of the network. A row stands for all its ``parallel`` circuits (they go out
        together); two rows between the same buses are never bridges.
    """
    import networkx as nx

    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(net.bus.index[net.bus.in_service])
    ends: list[tuple[Any, Any] | None] = []
    multiplicity: dict[frozenset[Any], int] = {}
    tables = [(net.line, "from_bus", "to_bus"), (net.trafo, "hv_bus", "lv_bus")]
    for table, a, b in tables:
        for idx in table.index:
            u, v = table.at[idx, a], table.at[idx, b]
            if not bool(table.at[idx, "in_service"]) or u == v:
                ends.append(None)
                continue
            key = frozenset((u, v))
            multiplicity[key] = multiplicity.get(key, 0) + 1
            graph.add_edge(u, v)
            ends.append((u, v))
    bridges = {frozenset(e) for e in nx.bridges(graph)}
    keys = [None if e is None else frozenset(e) for e in ends]
    return np.array(
        [k is not None and k in bridges and multiplicity[k] == 1 for k in keys], dtype=bool
    )
