"""The lightsim2grid batch engine against pandapower's own Newton-Raphson, row by row.

Every comparison solves the same case independently with ``pandapower.runpp`` (outage set by
``in_service = False``) and reads pandapower's own result tables.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

pp = pytest.importorskip("pandapower")
pn = pytest.importorskip("pandapower.networks")
pytest.importorskip("lightsim2grid")

from gridtwin.grid.batch import BatchPowerFlow, UnsupportedNetwork, bridge_branches  # noqa: E402
from gridtwin.grid.network import load_network  # noqa: E402
from gridtwin.grid.powerflow import batch_engine, n_minus_1, run_timeseries  # noqa: E402

NETWORK = Path(__file__).resolve().parents[2] / "networks" / "greensboro_poi.json"
HOURS = 24
# a campus day [MW] and a solar day [MW] on the POI network
CAMPUS = 800.0 + 250.0 * np.sin(np.linspace(0.0, 2.0 * np.pi, HOURS, endpoint=False)) ** 2
SOLAR = np.clip(700.0 * np.sin(np.linspace(-np.pi / 2, 3 * np.pi / 2, HOURS)), 0.0, None)


def pandapower_row(net: pp.pandapowerNet, load_p: np.ndarray, outage: int) -> dict[str, object]:
    """Solve one row with pandapower: loads set to ``load_p`` [MW], branch ``outage`` out."""
    case = copy.deepcopy(net)
    case.load["p_mw"] = load_p / case.load["scaling"].to_numpy()
    if outage >= 0:
        if outage < len(case.line):
            case.line.at[case.line.index[outage], "in_service"] = False
        else:
            case.trafo.at[case.trafo.index[outage - len(case.line)], "in_service"] = False
    pp.runpp(case, numba=False, lightsim2grid=False)
    return {
        "vm": case.res_bus.vm_pu[case.bus.in_service].to_numpy(),
        "loading": np.nan_to_num(
            np.r_[case.res_line.loading_percent.to_numpy(), case.res_trafo.loading_percent]
        ),
        "p_from": np.nan_to_num(np.r_[case.res_line.p_from_mw.to_numpy(), case.res_trafo.p_hv_mw]),
        "losses": float(case.res_line.pl_mw.sum() + case.res_trafo.pl_mw.sum()),
        "ext": float(case.res_ext_grid.p_mw.sum()),
    }


def assert_rows_match(net: pp.pandapowerNet, load_p: np.ndarray, outage: np.ndarray) -> None:
    res = BatchPowerFlow(net).solve(load_p=load_p, outage=outage)
    assert res.converged.all()
    for r in range(len(outage)):
        ref = pandapower_row(net, load_p[r], int(outage[r]))
        np.testing.assert_allclose(res.vm_pu[r], ref["vm"], atol=1e-8)
        np.testing.assert_allclose(res.loading_percent[r], ref["loading"], atol=1e-6)
        np.testing.assert_allclose(res.p_from_mw[r], ref["p_from"], atol=1e-4)
        assert abs(res.losses_mw[r] - ref["losses"]) < 1e-4
        assert abs(res.ext_grid_p_mw[r] - ref["ext"]) < 1e-4


def test_case118_rows_with_outages_match_pandapower() -> None:
    net = pn.case118()
    rng = np.random.default_rng(1)
    candidates = np.nonzero(~bridge_branches(net))[0]
    outage = np.r_[-1, rng.choice(candidates, 5, replace=False)]
    load_p = net.load.p_mw.to_numpy() * rng.uniform(0.9, 1.1, (6, len(net.load)))
    assert_rows_match(net, load_p, outage)


def test_parallel_lines_and_gapped_bus_index_match_pandapower() -> None:
    net = pp.create_empty_network()
    b = [pp.create_bus(net, vn_kv=110.0, index=i) for i in (10, 20, 35)]
    pp.create_ext_grid(net, b[0])
    pp.create_line(net, b[0], b[1], 20.0, "243-AL1/39-ST1A 110.0", parallel=3, name="triple")
    pp.create_line(net, b[1], b[2], 15.0, "243-AL1/39-ST1A 110.0", name="single")
    pp.create_line(net, b[0], b[2], 30.0, "149-AL1/24-ST1A 110.0", name="ring")
    pp.create_load(net, b[2], p_mw=150.0, q_mvar=30.0, name="campus")
    load_p = np.array([[150.0], [220.0], [120.0]])
    assert_rows_match(net, load_p, np.array([-1, 0, 2]))


def test_poi_network_time_series_and_n_minus_1_match_pandapower() -> None:
    net = load_network(NETWORK)
    loads, sgens = {"campus": CAMPUS}, {"solar": SOLAR}
    a = run_timeseries(net, loads, sgens, backend="pandapower")
    b = run_timeseries(net, loads, sgens, backend="auto")
    assert b.attrs["backend"] == "lightsim2grid"
    for var in ("vm_pu", "loading_percent", "p_from_mw", "losses_mw", "ext_grid_p_mw"):
        np.testing.assert_allclose(a[var], b[var], atol=1e-6, err_msg=var)

    hours = [0, 6, 12, 18]
    ref = n_minus_1(net, loads, sgens, hours, backend="pandapower")
    fast = n_minus_1(net, loads, sgens, hours, backend="auto")
    assert list(ref.contingency) == list(fast.contingency)
    assert list(ref.status) == list(fast.status)
    # losing the collector cable islands the solar bus; it is recognised, not solved
    assert set(fast.loc[fast.status == "islanding", "contingency"]) == {"line:collector"}
    for col in ("max_loading_percent", "min_vm_pu"):
        np.testing.assert_allclose(ref[col], fast[col], atol=1e-6, equal_nan=True, err_msg=col)
    # one circuit out at the 1050 MW hour overloads the other (cf. networks/README.md)
    worst = fast[(fast.contingency == "line:circuit_1") & (fast.hour == 6)]
    assert float(worst.max_loading_percent.iloc[0]) > 100.0
    assert worst.max_loading_branch.iloc[0] == "line:circuit_2"
    assert list(ref.max_loading_branch) == list(fast.max_loading_branch)


def test_network_with_switch_falls_back_to_one_flow_at_a_time() -> None:
    net = load_network(NETWORK)
    pp.create_switch(net, bus=1, element=0, et="l", closed=True, name="breaker")
    with pytest.raises(UnsupportedNetwork, match="switch"):
        BatchPowerFlow(net)
    assert batch_engine(net) is None
    ds = run_timeseries(net, {"campus": CAMPUS[:3]}, {}, backend="auto")
    ref = run_timeseries(net, {"campus": CAMPUS[:3]}, {}, backend="pandapower")
    np.testing.assert_allclose(ds.vm_pu, ref.vm_pu, atol=1e-8)


def test_hours_the_batch_cannot_solve_are_retried_and_then_reported() -> None:
    net = load_network(NETWORK)
    from gridtwin.exceptions import PowerFlowNotConverged

    with pytest.raises(PowerFlowNotConverged, match="index 1"):
        run_timeseries(net, {"campus": np.array([900.0, 1e5, 900.0])}, {}, backend="auto")


def test_bridges_of_case9_are_the_generator_connections() -> None:
    net = pn.case9()
    assert list(np.nonzero(bridge_branches(net))[0]) == [0, 3, 6]
