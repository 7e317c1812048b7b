"""Linear pre-screen of the hosting capacity: its linear algebra, and how close it comes to AC."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

pp = pytest.importorskip("pandapower")
pn = pytest.importorskip("pandapower.networks")
pytest.importorskip("lightsim2grid")

from gridtwin.grid import sensitivity  # noqa: E402
from gridtwin.grid.hosting import HostingEngine, generator_shares  # noqa: E402
from gridtwin.grid.sensitivity import linear_hosting  # noqa: E402


def test_outage_sensitivities_equal_the_jacobian_without_the_branch() -> None:
    """Sherman-Morrison-Woodbury on the intact factorisation gives the voltage response of
    the Jacobian rebuilt without the branch (MATPOWER's makeYbus / dSbus_dV), to round-off."""
    from pandapower.pypower.idx_brch import BR_STATUS
    from pandapower.pypower.makeYbus import makeYbus
    from scipy.sparse.linalg import spsolve

    net = pn.case39()
    _, shares = generator_shares(net, None)
    case = sensitivity._build_case(net, shares, 0.0)
    tan_phi = math.tan(math.acos(0.95))
    bus_rows = case.bus_row[[3, 15, 20]]
    _, dx = sensitivity._load_response(case, bus_rows, tan_phi)
    work = copy.deepcopy(net)
    pp.runpp(work, numba=False)
    ppci = work._ppc["internal"]
    for k in (0, 11, 27):
        out = sensitivity._outages(case, np.array([k]))
        branch = ppci["branch"].copy()
        branch[k, BR_STATUS] = 0
        ybus, _, _ = makeYbus(ppci["baseMVA"], ppci["bus"], branch)
        jac = sensitivity._jacobian(ybus, case.v, ppci["pv"], ppci["pq"])
        for j, row in enumerate(bus_rows):
            c = out.a[0] @ dx[j, out.idx[0]]
            smw = dx[j, case.qrow[case.mon_bus]] - c @ out.z_mon[0]
            rhs = np.zeros(jac.shape[0])
            gens = np.nonzero((case.gen_inj != 0) & (case.prow >= 0))[0]
            rhs[case.prow[gens]] += case.gen_inj[gens]
            rhs[case.prow[row]] -= 1.0
            rhs[case.qrow[row]] -= tan_phi
            direct = spsolve(jac.tocsc(), rhs / case.base_mva)[case.qrow[case.mon_bus]]
            np.testing.assert_allclose(smw, direct, rtol=1e-8, atol=1e-12)


def test_linear_estimate_tracks_the_ac_search_on_case39() -> None:
    """Stated tolerance, IEEE 39-bus case, every bus, local N-1: the linear estimate is exact
    where AC finds the bus blocked by a limit the background already violates (0 MW), within
    20 % (or 1 MW) of AC for at least 85 % of the buses, and ranks the buses as AC does
    (Spearman >= 0.95). It is a ranking device: at a few buses a different limit binds (up to
    a factor two apart)."""
    from scipy.stats import spearmanr

    net = pn.case39()
    buses = [int(b) for b in net.bus.index]
    _, shares = generator_shares(net, None)
    lin = linear_hosting(net, buses, shares, contingencies="local", radius=2)
    engine = HostingEngine(net, buses)
    ac = np.array(
        [engine.capacity(b, contingencies="local", radius=2, budgets=()).firm_mw for b in buses]
    )
    est = lin["firm_mw_linear"].to_numpy()
    blocked = ac == 0.0
    assert blocked.sum() >= 20 and (est[blocked] == 0.0).all()
    close = np.abs(est - ac) <= np.maximum(1.0, 0.2 * ac)
    assert close.mean() >= 0.85, np.c_[buses, est, ac][~close]
    assert spearmanr(est, ac).statistic >= 0.95
    assert lin["n_contingencies"].sum() > 4 * len(buses)
    assert lin["limiting_linear"].str.contains("overload|voltage").all()
