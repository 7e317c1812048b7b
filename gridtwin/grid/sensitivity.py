"""Linear pre-screen of the firm hosting capacity of many buses: sensitivities, no AC search.

:func:`linear_hosting` estimates, for every candidate bus at once, the firm hosting capacity
that :func:`gridtwin.grid.hosting.hosting_capacity` finds by AC bisection, under the same rules:
the same outages (:func:`gridtwin.grid.contingency.contingency_positions`), the new load at
``power_factor`` balanced by the generators in proportion to their dispatch, the same limits,
distribution-factor and voltage-change cutoffs, and the same ``p_max_mw`` cap. Each limit is a
straight line in the new load ``P`` [MW], so its binding load is a division, and the estimate is
the smallest over limits and outage states.

* **Thermal limits**, DC sensitivities on the AC background (Wood & Wollenberg): the
  power transfer distribution factors (PTDF) and line outage distribution factors (LODF) of
  the case (pandapower's ``makePTDF`` / ``makeLODF`` on its internal case). The load's
  distribution factor on branch ``l`` is ``d_l = PTDF_l · (g - e_b)`` (``g`` the generators'
  shares, ``e_b`` the bus), and with branch ``k`` out ``d_l + LODF_lk d_k``. The background is
  the case's AC power flow: active flow ``f_l`` (with ``k`` out ``f_l + LODF_lk f_k``) and
  reactive flow ``q_l``, held. A branch limits the load where ``|d| >= df_cutoff``, at
  ``|f + d P| = max(sqrt(S² - q²), |f|)``, ``S`` its rating (``max_loading_percent`` of
  ``sqrt(3) vn max_i_ka`` or ``sn_mva``): its AC loading reaches the rating, or its background
  loading where that is higher, as in the AC search. (The DC background flow instead of the AC
  one misses the reactive part of the loading: on case30 it puts the linear estimate up to
  70 MW above AC where the background already overloads a branch, 15 MW with the AC
  background.)
* **Voltage limits**, linearised AC model: a DC model has no voltage magnitudes, and the band
  binds first at most buses of large transmission cases (see ``docs/grid.md``). The load's
  voltage sensitivities are ``J⁻¹ r_b``, with ``J`` the power-flow Jacobian at the case's AC
  solution (pandapower's ``dSbus_dV``) and ``r_b`` the load's injection pattern (``-1`` MW and
  ``-tan φ`` Mvar at the bus, the generators' shares). A branch outage changes ``J`` in the
  rows and columns of its two end buses only (rank <= 4), so each outage state follows from
  the intact factorisation by the Sherman-Morrison-Woodbury identity, as LODFs follow from
  PTDFs; the background voltages after the outage by one compensated Newton step (the outaged
  branch's flows injected at its ends). A monitored PQ bus limits the load once it leaves its
  band *and* has moved ``dv_cutoff``: at ``P = max(dv_cutoff, margin) / |dV/dP|``.

The estimate is first order: it misses the curvature of the voltage drop with load and the
voltage collapse at the nose of the PV curve, so it is optimistic for loads of hundreds of MW
(on the IEEE 118-bus case, 3,000 to 5,000 MW at buses where AC finds 350 to 1,000 MW), and it
linearises each outage state at the intact operating point (exact for the Jacobian with the
branch out, but not for the angles the outage shifts: where an outage reroutes much power the
voltage sensitivity can be half the AC one). It also keeps outages whose AC background does
not converge, which the AC search drops. On case1888rte (1,523 buses >= 220 kV) it is within
16 MW of the AC search at half of the buses and ranks them with a Spearman correlation of
0.99, but the largest errors, up to 725 MW, sit among the buses it ranks highest; it ranks,
and :func:`gridtwin.grid.screen.screen` checks the best of them with the AC search.

References
----------
Wood, A. J., Wollenberg, B. F., Sheblé, G. B. (2014). Power Generation, Operation, and
Control, 3rd ed., Wiley; chapter "Power System Security" (linear sensitivity factors: power
transfer and line outage distribution factors).

Zimmerman, R. D., Murillo-Sánchez, C. E., Thomas, R. J. (2011). MATPOWER: Steady-state
operations, planning and analysis tools. IEEE Trans. Power Syst. 26(1), 12-19,
doi:10.1109/TPWRS.2010.2051168 (``makePTDF``, ``makeLODF``, ``dSbus_dV``, ported in pandapower).

Alsaç, O., Stott, B., Tinney, W. F. (1983). Sparsity-oriented compensation methods for
modified network solutions. IEEE Trans. Power App. Syst. PAS-102(5), 1050-1060 (outages as
low-rank changes of a factorised matrix).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gridtwin.exceptions import DataError, PowerFlowNotConverged
from gridtwin.grid.advice import nonconvergence_advice
from gridtwin.grid.contingency import BranchTopology, Contingencies, contingency_positions
from gridtwin.grid.elements import element_labels
from gridtwin.grid.powerflow import limits

#: Margins against round-off, as in the AC search [p.u.].
_VM_EPS = 1e-6
#: Outages whose (candidate, outage) pairs are solved together; bounds the dense blocks' memory.
_BLOCK_STATES = 64
#: Right-hand sides per SuperLU solve: SciPy's multi-column solve slows down sharply beyond a
#: few dozen columns, so many columns go in slices of this width.
_SOLVE_COLUMNS = 16


@dataclass
class _Case:
    """The linear models of one case, in pandapower's internal (ppci) order."""

    branch_row: np.ndarray  # ppci branch row per table branch (-1 out of service)
    bus_row: np.ndarray  # ppci bus of each pandapower bus (by position in net.bus)
    ptdf: np.ndarray  # (ppci branch, ppci bus) [MW/MW]
    lodf_t: np.ndarray  # LODF transposed: row k = flow change per MW on k when k is out [-]
    flow_mw: np.ndarray  # AC background active flow per ppci branch (from / hv end) [MW]
    limit_mw: np.ndarray  # active flow at the rating, background reactive flow held [MW]
    gen_inj: np.ndarray  # generators' share of the new load per ppci bus [-]
    vm: np.ndarray  # AC background voltage per ppci bus [p.u.]
    v: np.ndarray  # complex AC voltages [p.u.]
    ybranch: tuple[np.ndarray, ...]  # Yff, Yft, Ytf, Ytt per ppci branch [p.u.]
    ends: np.ndarray  # (ppci branch, 2) from / to ppci bus
    prow: np.ndarray  # Jacobian row/col of P/θ per ppci bus (-1: none)
    qrow: np.ndarray  # Jacobian row/col of Q/|V| per ppci bus (-1: none)
    lu: Any  # scipy.sparse.linalg.splu of the Jacobian
    mon_bus: np.ndarray  # ppci buses with a voltage limit checked (PQ, >= monitor_min_kv)
    vmin: np.ndarray  # per mon_bus [p.u.]
    vmax: np.ndarray
    base_mva: float


def _ratings_mva(net: Any) -> np.ndarray:
    """Thermal rating at 1 p.u. voltage of every line, then transformer [MVA]."""
    line, trafo = net.line, net.trafo
    vn = net.bus.loc[line["from_bus"], "vn_kv"].to_numpy(float)
    line_mva = (
        math.sqrt(3.0) * vn * (line["max_i_ka"] * line["df"] * line["parallel"]).to_numpy(float)
    )
    trafo_mva = (trafo["sn_mva"] * trafo["df"] * trafo["parallel"]).to_numpy(float)
    return np.r_[line_mva, trafo_mva]


def _lodf(branch: np.ndarray, ptdf: np.ndarray) -> np.ndarray:
    """pandapower's ``makeLODF``; bridges (no LODF) come out as NaN, silently."""
    from pandapower.pypower.makeLODF import makeLODF

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(makeLODF(branch, ptdf))


def _headroom(work: Any) -> tuple[np.ndarray, np.ndarray]:
    """Background active flow [MW] and the active flow at which each branch reaches its limit
    with its background reactive flow [MW], lines then transformers, from the AC solution.

    A branch's loading is ``sqrt(p² + q²) / rating`` (current-based: MVA at 1 p.u.); with the
    reactive part ``q`` held at its background value, the active flow may reach
    ``sqrt((rating * max_loading_percent / 100)² - q²)``.
    """
    p = np.nan_to_num(np.r_[work.res_line["p_from_mw"], work.res_trafo["p_hv_mw"]].astype(float))
    loading = np.r_[work.res_line["loading_percent"], work.res_trafo["loading_percent"]]
    rating = _ratings_mva(work)
    q2 = np.maximum((np.nan_to_num(loading.astype(float)) / 100.0 * rating) ** 2 - p**2, 0.0)
    _, _, lmax = limits(work)
    return p, np.sqrt(np.maximum((rating * lmax / 100.0) ** 2 - q2, 0.0))


def _jacobian(ybus: Any, v: np.ndarray, pv: np.ndarray, pq: np.ndarray) -> Any:
    """Newton-Raphson power-flow Jacobian [dP; dQ] / [dθ; d|V|] (MATPOWER ``newtonpf`` order)."""
    from pandapower.pypower.dSbus_dV import dSbus_dV
    from scipy.sparse import bmat

    ds_dvm, ds_dva = dSbus_dV(ybus, v)
    pvpq = np.r_[pv, pq]
    return bmat(
        [
            [ds_dva[pvpq][:, pvpq].real, ds_dvm[pvpq][:, pq].real],
            [ds_dva[pq][:, pvpq].imag, ds_dvm[pq][:, pq].imag],
        ],
        format="csc",
    )


def _solve(lu: Any, rhs: np.ndarray) -> np.ndarray:
    """``J⁻¹ rhs`` for a dense ``rhs`` of many columns, in slices of :data:`_SOLVE_COLUMNS`."""
    out = np.empty_like(rhs)
    for start in range(0, rhs.shape[1], _SOLVE_COLUMNS):
        part = slice(start, start + _SOLVE_COLUMNS)
        out[:, part] = lu.solve(np.asfortranarray(rhs[:, part]))
    return out


def _factor(jac: Any) -> Any:
    """SuperLU factors of the Jacobian: minimum degree on ``J + Jᵀ`` with diagonal pivots keeps
    them sparse (the default column ordering fills them in 1.5 times as much on case1888rte)."""
    from scipy.sparse.linalg import splu

    return splu(jac, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0)


def _build_case(net: Any, gen_share: np.ndarray, monitor_min_kv: float) -> _Case:
    """PTDF, LODF, AC background, the Jacobian's factorisation and the limits of ``net``."""
    import pandapower as pp
    from pandapower.auxiliary import LoadflowNotConverged
    from pandapower.pypower.idx_brch import F_BUS, T_BUS
    from pandapower.pypower.idx_bus import BASE_KV
    from pandapower.pypower.makePTDF import makePTDF
    from pandapower.pypower.makeYbus import branch_vectors

    work = copy.deepcopy(net)
    try:
        pp.runpp(work, numba=False, lightsim2grid=False, init="auto")
    except LoadflowNotConverged as err:
        raise PowerFlowNotConverged(
            "the network's own state (no new load) does not converge. "
            + nonconvergence_advice(work)
        ) from err
    ppci = work._ppc["internal"]
    lookup = work._pd2ppc_lookups
    n_line, n_trafo = len(work.line), len(work.trafo)
    n_branch = n_line + n_trafo
    # table branch -> ppci branch row (lines, then transformers, in-service rows kept in order)
    ranges = lookup["branch"]
    in_ppc = np.full(n_branch, -1)
    for table, offset in (("line", 0), ("trafo", n_line)):
        if table in ranges:
            lo, hi = ranges[table]
            in_ppc[offset : offset + hi - lo] = np.arange(lo, hi)
    is_ = np.asarray(ppci["branch_is"], dtype=bool)
    ppci_of_ppc = np.where(is_, np.cumsum(is_) - 1, -1)
    branch_row = np.where(in_ppc >= 0, ppci_of_ppc[np.maximum(in_ppc, 0)], -1)
    keep = branch_row >= 0

    bus, branch, base = ppci["bus"], ppci["branch"], float(ppci["baseMVA"])
    n_bus = bus.shape[0]
    bus_row = np.asarray(lookup["bus"])[net.bus.index.to_numpy()]
    ref = np.asarray(ppci["ref"], dtype=int)
    pv, pq = np.asarray(ppci["pv"], dtype=int), np.asarray(ppci["pq"], dtype=int)
    ptdf = makePTDF(base, bus, branch, slack=int(ref[0]), using_sparse_solver=True)

    flow_mw, limit_mw = np.zeros(len(branch)), np.zeros(len(branch))
    flow_mw[branch_row[keep]], limit_mw[branch_row[keep]] = (x[keep] for x in _headroom(work))
    gen_inj = np.zeros(n_bus)
    supplying = gen_share > 0
    np.add.at(gen_inj, np.asarray(lookup["bus"])[work.gen["bus"].to_numpy()[supplying]],
              gen_share[supplying])  # fmt: skip

    v = np.asarray(ppci["V"], dtype=complex)
    prow, qrow = np.full(n_bus, -1), np.full(n_bus, -1)
    prow[np.r_[pv, pq]] = np.arange(len(pv) + len(pq))
    qrow[pq] = len(pv) + len(pq) + np.arange(len(pq))
    ytt, yff, yft, ytf = branch_vectors(branch, len(branch))
    vn = bus[:, BASE_KV]
    mon = pq[vn[pq] >= monitor_min_kv]
    vmin_all, vmax_all, _ = limits(work)
    # limits() follows the in-service pandapower buses; map them to ppci rows
    in_service = work.bus["in_service"].to_numpy(bool)
    vmin_ppci, vmax_ppci = np.full(n_bus, -np.inf), np.full(n_bus, np.inf)
    vmin_ppci[bus_row[in_service]] = vmin_all
    vmax_ppci[bus_row[in_service]] = vmax_all
    return _Case(
        branch_row=branch_row,
        bus_row=bus_row,
        ptdf=ptdf,
        lodf_t=np.ascontiguousarray(_lodf(branch, ptdf).T),
        flow_mw=flow_mw,
        limit_mw=limit_mw,
        gen_inj=gen_inj,
        vm=np.abs(v),
        v=v,
        ybranch=(yff, yft, ytf, ytt),
        ends=np.real(branch[:, [F_BUS, T_BUS]]).astype(int),
        prow=prow,
        qrow=qrow,
        lu=_factor(_jacobian(ppci["Ybus"], v, pv, pq)),
        mon_bus=mon,
        vmin=vmin_ppci[mon],
        vmax=vmax_ppci[mon],
        base_mva=base,
    )


@dataclass
class _Outages:
    """Per outaged ppci branch ``k``: the Sherman-Morrison-Woodbury pieces of the Jacobian
    with ``k`` out, at the monitored buses' voltage rows."""

    idx: np.ndarray  # (k, 4) Jacobian rows/cols [P_f, P_t, Q_f, Q_t] (0 where absent)
    z_mon: np.ndarray  # (k, 4, monitored bus): J⁻¹ E at the monitored |V| rows
    a: np.ndarray  # (k, 4, 4): (I + M W)⁻¹ M
    vm0: np.ndarray  # (k, monitored bus): background voltage with k out [p.u.]


def _outages(case: _Case, rows: np.ndarray) -> _Outages:
    """Jacobian updates for the outage of each ppci branch in ``rows``.

    With ``E`` the unit columns of the branch's end buses' equations and ``M`` minus the
    branch's own 4 x 4 block of ``J``, ``(J + E M Eᵀ)⁻¹ = J⁻¹ - Z (I + M W)⁻¹ M Eᵀ J⁻¹`` with
    ``Z = J⁻¹ E`` and ``W = Eᵀ Z``.
    """
    yff, yft, ytf, ytt = (y[rows] for y in case.ybranch)
    f, t = case.ends[rows, 0], case.ends[rows, 1]
    v = np.stack([case.v[f], case.v[t]], axis=1)  # (k, 2)
    y = np.stack([np.stack([yff, yft], axis=1), np.stack([ytf, ytt], axis=1)], axis=1)
    cur = np.einsum("kij,kj->ki", y, v)  # current into the branch at each end [p.u.]
    vn = v / np.abs(v)
    eye = np.eye(2)[None]
    # the branch's own terms of dSbus_dV (MATPOWER) on its two end buses
    ds_dvm = v[:, :, None] * np.conj(y * vn[:, None, :]) + eye * (np.conj(cur) * vn)[:, :, None]
    ds_dva = 1j * v[:, :, None] * np.conj(eye * cur[:, :, None] - y * v[:, None, :])
    block = np.concatenate(
        [
            np.concatenate([ds_dva.real, ds_dvm.real], axis=2),
            np.concatenate([ds_dva.imag, ds_dvm.imag], axis=2),
        ],
        axis=1,
    )  # (k, [P_f P_t Q_f Q_t], [θ_f θ_t V_f V_t])
    idx = np.stack([case.prow[f], case.prow[t], case.qrow[f], case.qrow[t]], axis=1)
    present = idx >= 0  # the slack has no P row, PV buses no Q row
    m = -block * present[:, :, None] * present[:, None, :]
    idx = np.where(present, idx, 0)
    n_x = case.lu.shape[0]
    unit = np.zeros((n_x, idx.size))
    cols = np.nonzero(present.ravel())[0]
    unit[idx.ravel()[cols], cols] = 1.0
    z = _solve(case.lu, unit).reshape(n_x, len(rows), 4).transpose(1, 0, 2)  # (k, n_x, 4)
    w = np.take_along_axis(z, idx[:, :, None], axis=1)  # (k, 4, 4)
    tmat = np.eye(4)[None] + m @ w
    # background with k out: one compensated Newton step from the intact state, the flows the
    # branch drew from its end buses returned to them as mismatch: dx = Z (I + M W)⁻¹ s
    s_end = v * np.conj(cur)
    s = np.concatenate([s_end.real, s_end.imag], axis=1) * present
    dx0 = np.einsum("knj,kj->kn", z, np.linalg.solve(tmat, s[:, :, None])[:, :, 0])
    vrow = case.qrow[case.mon_bus]
    return _Outages(
        idx=idx,
        z_mon=np.ascontiguousarray(z[:, vrow, :].transpose(0, 2, 1)),
        a=np.linalg.solve(tmat, m),
        vm0=case.vm[case.mon_bus][None, :] + dx0[:, vrow],
    )


def _load_response(case: _Case, bus_rows: np.ndarray, tan_phi: float) -> tuple[np.ndarray, ...]:
    """Per MW of new load at each bus (rows): DC flow change of every ppci branch [MW/MW] and
    the linearised AC state change [rad/MW, p.u./MW]."""
    m = len(bus_rows)
    flow = (case.ptdf @ case.gen_inj)[None, :] - case.ptdf[:, bus_rows].T
    rhs = np.zeros((case.lu.shape[0], m))
    gens = np.nonzero((case.gen_inj != 0) & (case.prow >= 0))[0]
    rhs[case.prow[gens]] += case.gen_inj[gens][:, None]
    cols = np.arange(m)
    p_at, q_at = case.prow[bus_rows], case.qrow[bus_rows]
    rhs[p_at[p_at >= 0], cols[p_at >= 0]] -= 1.0
    rhs[q_at[q_at >= 0], cols[q_at >= 0]] -= tan_phi
    return np.ascontiguousarray(flow), _solve(case.lu, rhs / case.base_mva).T.copy()


def _thermal(
    case: _Case, dflow: np.ndarray, flow: np.ndarray, df_cutoff: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per row (candidate in a state): the load [MW] at which a branch with a distribution
    factor ``|d| >= df_cutoff`` reaches its rating (or its background flow, where larger), and
    that branch (ppci row)."""
    limit = np.fmax(case.limit_mw[None, :], np.abs(flow))
    size = np.abs(dflow)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (limit - np.sign(dflow) * flow) / size
    p[~(size >= df_cutoff)] = np.inf
    return _row_min(np.maximum(p, 0.0))


def _voltage(
    case: _Case, sens: np.ndarray, vm0: np.ndarray, dv_cutoff: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the load [MW] at which a monitored bus leaves its band having moved at least
    ``dv_cutoff``, and that limit (monitored position; + n_monitored for the upper limit)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.fmax(dv_cutoff, vm0 - case.vmin[None, :] + _VM_EPS) / -sens
        high = np.fmax(dv_cutoff, case.vmax[None, :] + _VM_EPS - vm0) / sens
    low[~(sens < 0)] = np.inf
    high[~(sens > 0)] = np.inf
    lo, lo_at = _row_min(low)
    hi, hi_at = _row_min(high)
    above = hi < lo
    return np.where(above, hi, lo), np.where(above, hi_at + sens.shape[1], lo_at)


def _row_min(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest value of each row and its column (-1 for an empty or all-inf row)."""
    if p.shape[1] == 0:
        return np.full(p.shape[0], np.inf), np.full(p.shape[0], -1)
    col = np.argmin(p, axis=1)
    val = p[np.arange(p.shape[0]), col]
    return val, np.where(np.isfinite(val), col, -1)


def linear_hosting(
    net: Any,
    buses: Sequence[int],
    gen_share: np.ndarray,
    *,
    contingencies: Contingencies = "local",
    radius: int = 2,
    power_factor: float = 0.95,
    p_max_mw: float = 5000.0,
    df_cutoff: float = 0.05,
    dv_cutoff: float = 0.005,
    monitor_min_kv: float = 0.0,
    topology: BranchTopology | None = None,
) -> pd.DataFrame:
    """Linear estimate of the firm hosting capacity of every bus in ``buses``.

    Parameters
    ----------
    net : pandapowerNet
        Case in its operating state (one hour); not modified.
    buses : sequence of int
        pandapower indices of in-service buses.
    gen_share : numpy.ndarray, shape (n_gen,)
        Share of the new load each ``net.gen`` row supplies [-] (sum 1, or all 0 for the slack),
        as :func:`gridtwin.grid.hosting.generator_shares` gives it.
    contingencies, radius, power_factor, p_max_mw, df_cutoff, dv_cutoff, monitor_min_kv
        As for :func:`gridtwin.grid.hosting.hosting_capacity`: outage set, bus hops, lagging
        power factor [-], search cap [MW], distribution-factor cutoff [MW/MW], voltage-change
        cutoff [p.u.], lowest monitored voltage level [kV].
    topology : BranchTopology, optional
        Reused when given.

    Returns
    -------
    pandas.DataFrame
        One row per bus, in the order given: ``bus_index``, ``firm_mw_linear`` [MW] (capped at
        ``p_max_mw``), ``capped_linear``, ``limiting_linear`` (what binds: element, kind and
        outage), ``n_contingencies``.

    Raises
    ------
    DataError
        A bus is not in ``net.bus`` or out of service.
    PowerFlowNotConverged
        The case's own state does not converge in AC.
    """
    tan_phi = math.tan(math.acos(power_factor))
    topo = topology if topology is not None else BranchTopology.of(net)
    position = net.bus.index.get_indexer(list(buses))
    bad = [
        b for b, p in zip(buses, position, strict=True) if p < 0 or not net.bus.in_service.iat[p]
    ]
    if bad:
        raise DataError(f"buses {bad[:5]} are not in service in net.bus; pass in-service indices.")
    case = _build_case(net, np.asarray(gen_share, dtype=float), monitor_min_kv)
    bus_rows = case.bus_row[position]
    dflow, dx = _load_response(case, bus_rows, tan_phi)  # rows: candidates
    sens = np.ascontiguousarray(dx[:, case.qrow[case.mon_bus]])  # [p.u./MW]

    best = np.full(len(buses), np.inf)
    # per candidate, what binds: (state: outaged ppci branch or -1, 0 thermal / 1 voltage, code)
    why = np.full((len(buses), 3), -1)
    th, th_at = _thermal(case, dflow, case.flow_mw[None, :], df_cutoff)
    vo, vo_at = _voltage(case, sens, case.vm[case.mon_bus][None, :], dv_cutoff)
    _keep_min(best, why, np.arange(len(buses)), -1, th, th_at, vo, vo_at)

    pair_bus, pair_out, n_cont = [], [], np.zeros(len(buses), dtype=int)
    for j, b in enumerate(buses):
        positions, _, _ = contingency_positions(net, int(b), contingencies, radius, topo)
        rows = case.branch_row[np.asarray(positions, dtype=int)]
        rows = rows[rows >= 0]
        n_cont[j] = len(rows)
        pair_bus.append(np.full(len(rows), j))
        pair_out.append(rows)
    pb = np.concatenate([np.empty(0, dtype=int), *pair_bus]).astype(int)
    po = np.concatenate([np.empty(0, dtype=int), *pair_out]).astype(int)
    outaged = np.unique(po)
    for start in range(0, len(outaged), _BLOCK_STATES):
        block = outaged[start : start + _BLOCK_STATES]
        sel = np.nonzero(np.isin(po, block))[0]
        jb, k = pb[sel], po[sel]
        kk = np.searchsorted(block, k)
        # DC: flows and distribution factors with branch k out (LODF)
        lodf_k = case.lodf_t[k]
        d_k = dflow[jb] + lodf_k * dflow[jb, k][:, None]
        f_k = case.flow_mw[None, :] + lodf_k * case.flow_mw[k][:, None]
        th, th_at = _thermal(case, d_k, f_k, df_cutoff)
        # linearised AC: voltage sensitivities with branch k out (Sherman-Morrison-Woodbury)
        out = _outages(case, block)
        c = np.einsum("pij,pj->pi", out.a[kk], np.take_along_axis(dx[jb], out.idx[kk], axis=1))
        s_k = sens[jb] - np.einsum("pi,pin->pn", c, out.z_mon[kk])
        vo, vo_at = _voltage(case, s_k, out.vm0[kk], dv_cutoff)
        _keep_min(best, why, jb, k, th, th_at, vo, vo_at)

    firm = np.minimum(best, p_max_mw)
    capped = best >= p_max_mw
    return pd.DataFrame(
        {
            "bus_index": [int(b) for b in buses],
            "firm_mw_linear": firm,
            "capped_linear": capped,
            "limiting_linear": _describe(net, case, topo, why, capped),
            "n_contingencies": n_cont,
        }
    )


def _keep_min(
    best: np.ndarray,
    why: np.ndarray,
    cand: np.ndarray,
    state: np.ndarray | int,
    th: np.ndarray,
    th_at: np.ndarray,
    vo: np.ndarray,
    vo_at: np.ndarray,
) -> None:
    """Fold the binding loads of (candidate, state) pairs into each candidate's minimum."""
    state = np.broadcast_to(np.asarray(state), cand.shape)
    volt = vo < th
    p = np.where(volt, vo, th)
    code = np.where(volt, vo_at, th_at)
    order = np.lexsort((p, cand))  # per candidate, its smallest first
    first = np.r_[True, cand[order][1:] != cand[order][:-1]]
    idx = order[first]
    c = cand[idx]
    better = p[idx] < best[c]
    c, idx = c[better], idx[better]
    best[c] = p[idx]
    why[c] = np.c_[state[idx], volt[idx].astype(int), code[idx]]


def _describe(
    net: Any, case: _Case, topo: BranchTopology, why: np.ndarray, capped: np.ndarray
) -> list[str]:
    """The binding limit of each candidate, worded as the AC search words it."""
    ppci_to_table = np.full(len(case.ptdf), -1)
    ok = case.branch_row >= 0
    ppci_to_table[case.branch_row[ok]] = np.nonzero(ok)[0]
    in_service = net.bus["in_service"].to_numpy(bool)
    bus_label = np.full(len(case.vm), "", dtype=object)
    bus_label[case.bus_row[in_service]] = np.asarray(element_labels(net.bus, "bus"))[in_service]
    n_mon = len(case.mon_bus)
    out = []
    for (state, kind, code), cap in zip(why, capped, strict=True):
        if cap or code < 0:
            out.append("none up to p_max_mw")
            continue
        where = "N-0" if state < 0 else f"outage {topo.labels[ppci_to_table[state]]}"
        if kind == 0:
            what = f"{topo.labels[ppci_to_table[code]]} overload"
        elif code < n_mon:
            what = f"{bus_label[case.mon_bus[code]]} voltage below min_vm_pu"
        else:
            what = f"{bus_label[case.mon_bus[code - n_mon]]} voltage above max_vm_pu"
        out.append(f"{what} ({where})")
    return out


__all__ = ["linear_hosting"]
