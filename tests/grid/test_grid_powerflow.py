"""Tests of gridtwin.grid.powerflow against analytic solutions, PyPSA and between backends."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

pp = pytest.importorskip("pandapower")
pn = pytest.importorskip("pandapower.networks")

from gridtwin.exceptions import PowerFlowNotConverged  # noqa: E402
from gridtwin.grid.powerflow import (  # noqa: E402
    lightsim2grid_available,
    n_minus_1,
    run_timeseries,
    violations,
)

needs_ls2g = pytest.mark.skipif(not lightsim2grid_available(), reason="lightsim2grid missing")
BACKENDS = ["pandapower", pytest.param("lightsim2grid", marks=needs_ls2g)]

# daily load shape [-], peak 1.0 at 18:00
PROFILE = 0.7 + 0.3 * np.sin(np.linspace(0.0, 2.0 * np.pi, 24, endpoint=False) - 1.2) ** 2


def named_case9() -> pp.pandapowerNet:
    """IEEE 9-bus case with unique element names (PyPSA import and our profiles need them)."""
    net = pn.case9()
    for table in ("load", "gen", "line", "ext_grid", "sgen", "trafo", "shunt"):
        df = getattr(net, table)
        df["name"] = [f"{table}{i}" for i in df.index]
    return net


def case9_profiles(scale: float = 1.0) -> dict[str, np.ndarray]:
    net = named_case9()
    return {name: p * scale * PROFILE for name, p in zip(net.load.name, net.load.p_mw, strict=True)}


# ---------------------------------------------------------------- two-bus analytic case
R_OHM, X_OHM, VN_KV, P_MW = 0.2 * 10, 0.4 * 10, 110.0, 80.0


def two_bus() -> pp.pandapowerNet:
    net = pp.create_empty_network(sn_mva=100.0)
    b1 = pp.create_bus(net, vn_kv=VN_KV, name="grid")
    b2 = pp.create_bus(net, vn_kv=VN_KV, name="campus")
    pp.create_ext_grid(net, b1, vm_pu=1.0, va_degree=0.0)
    pp.create_line_from_parameters(
        net, b1, b2, length_km=10.0, r_ohm_per_km=0.2, x_ohm_per_km=0.4, c_nf_per_km=0.0,
        max_i_ka=1.0, name="feeder",
    )  # fmt: skip
    pp.create_load(net, b2, p_mw=P_MW, q_mvar=0.0, name="campus")
    return net


def analytic_two_bus(p_mw: float) -> tuple[float, float]:
    """Receiving-end voltage [kV] and line losses [MW] of a series R+jX line, load P + j0.

    With sending voltage V1 and S = P + jQ drawn at the far end,
    V2^4 + (2(RP + XQ) - V1^2) V2^2 + (R^2 + X^2)(P^2 + Q^2) = 0  (kV, ohm, MW, Mvar);
    the high-voltage root is the operating point. Losses = R (P^2 + Q^2) / V2^2.
    """
    v1 = VN_KV
    b = 2.0 * R_OHM * p_mw - v1**2
    c = (R_OHM**2 + X_OHM**2) * p_mw**2
    v2_sq = (-b + math.sqrt(b * b - 4.0 * c)) / 2.0
    return math.sqrt(v2_sq), R_OHM * p_mw**2 / v2_sq


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_bus_matches_analytic_solution(backend: str) -> None:
    loads = {"campus": np.array([P_MW, 0.5 * P_MW])}
    ds = run_timeseries(two_bus(), loads, {}, backend=backend)
    for t, p in enumerate([P_MW, 0.5 * P_MW]):
        v2_kv, loss_mw = analytic_two_bus(p)
        assert ds.vm_pu.sel(bus="bus:campus")[t] == pytest.approx(v2_kv / VN_KV, abs=1e-6)
        assert ds.losses_mw[t] == pytest.approx(loss_mw, abs=1e-4)
        assert ds.ext_grid_p_mw[t] == pytest.approx(p + loss_mw, abs=1e-4)
        assert ds.p_from_mw.sel(branch="line:feeder")[t] == pytest.approx(p + loss_mw, abs=1e-4)
    assert ds.attrs["backend"] == backend
    assert ds.vm_pu.attrs["units"] == "1" and ds.losses_mw.attrs["units"] == "MW"


# ---------------------------------------------------------------- cross-tool comparison
@pytest.mark.filterwarnings(
    # PyPSA 1.2's pandapower importer calls DataFrame.fillna on object columns (pandas 2.3)
    "ignore:Downcasting object dtype arrays:FutureWarning"
)
def test_case9_pandapower_lightsim2grid_pypsa_agree() -> None:
    pypsa = pytest.importorskip("pypsa")
    net = named_case9()
    nominal = {n: np.array([p]) for n, p in zip(net.load.name, net.load.p_mw, strict=True)}
    results = {"pandapower": run_timeseries(net, nominal, {}, backend="pandapower")}
    if lightsim2grid_available():
        results["lightsim2grid"] = run_timeseries(net, nominal, {}, backend="lightsim2grid")

    solved = named_case9()
    pp.runpp(solved, numba=False)
    n = pypsa.Network()
    # extra_line_data=True: without it PyPSA looks lines up by std_type, which case9 lacks,
    # and silently imports r = x = b = 0.
    n.import_from_pandapower_net(solved, extra_line_data=True)
    assert n.pf(x_tol=1e-10)["converged"].all().all()
    # case9 has no transformers or shunts (the step-up units are lossless lines), so the
    # models are identical: pi-model lines, PV gens, ext_grid as slack.
    vm_pypsa = n.buses_t.v_mag_pu.iloc[0].to_numpy()
    p_pypsa = n.lines_t.p0.iloc[0].loc[net.line.name].to_numpy()
    for ds in results.values():
        np.testing.assert_allclose(ds.vm_pu[0], vm_pypsa, atol=1e-6)
        np.testing.assert_allclose(ds.p_from_mw[0], p_pypsa, atol=1e-4)
    if "lightsim2grid" in results:
        a, b = results["pandapower"], results["lightsim2grid"]
        np.testing.assert_allclose(a.vm_pu, b.vm_pu, atol=1e-8)
        np.testing.assert_allclose(a.p_from_mw, b.p_from_mw, atol=1e-6)


# ---------------------------------------------------------------- 24 h time series
@needs_ls2g
def test_case9_day_both_backends_agree() -> None:
    times = pd.date_range("2030-07-01", periods=24, freq="h")
    net = named_case9()
    a = run_timeseries(net, case9_profiles(), {}, backend="pandapower", times=times)
    b = run_timeseries(net, case9_profiles(), {}, backend="lightsim2grid", times=times)
    assert a.attrs["backend"] == "pandapower" and b.attrs["backend"] == "lightsim2grid"
    assert a.sizes == {"time": 24, "bus": 9, "branch": 9}
    for var in ("vm_pu", "loading_percent", "p_from_mw", "losses_mw", "ext_grid_p_mw"):
        np.testing.assert_allclose(a[var], b[var], atol=1e-6, err_msg=var)
    # energy balance: ext_grid + gens = loads + losses, every hour
    gen_mw = net.gen.p_mw.sum()
    load_mw = sum(case9_profiles().values())
    np.testing.assert_allclose(a.ext_grid_p_mw + gen_mw, load_mw + a.losses_mw, atol=1e-6)
    assert pd.DatetimeIndex(a.time.values).equals(times)
    assert net.res_bus.empty  # the caller's net is not modified


def test_violations_count_matches_direct_check() -> None:
    net = named_case9()
    profiles = case9_profiles()
    profiles["load2"] = profiles["load2"] * 2.5  # bus 9 load up to 312 MW
    ds = run_timeseries(net, profiles, {}, backend="auto")
    v = violations(ds, net)
    assert list(v.columns) == ["time", "element", "kind", "value", "limit"]

    base = violations(run_timeseries(net, case9_profiles(), {}), net)
    assert len(v) > len(base)
    # direct check: case9 limits are 0.9 / 1.1 p.u. and 100 %
    vm, loading = ds.vm_pu.to_numpy(), ds.loading_percent.to_numpy()
    assert set(net.bus.min_vm_pu) == {0.9} and set(net.bus.max_vm_pu) == {1.1}
    expected = {
        "voltage_low": int((vm < 0.9).sum()),
        "voltage_high": int((vm > 1.1).sum()),
        "overload": int((loading > 100.0).sum()),
    }
    got = v.kind.value_counts().reindex(list(expected), fill_value=0).to_dict()
    assert got == expected
    assert expected["voltage_low"] > 0 and expected["overload"] > 0
    low = v[v.kind == "voltage_low"]
    assert (low.value < low.limit).all()


def test_violations_default_limits() -> None:
    net = named_case9()
    profiles = case9_profiles()
    profiles["load2"] = profiles["load2"] * 1.6
    ds = run_timeseries(net, profiles, {})
    net.bus = net.bus.drop(columns=["min_vm_pu", "max_vm_pu"])
    net.line = net.line.drop(columns=["max_loading_percent"], errors="ignore")
    v = violations(ds, net)
    vm = ds.vm_pu.to_numpy()
    assert (v.kind == "voltage_low").sum() == int((vm < 0.95).sum()) > 0
    assert set(v.loc[v.kind == "voltage_low", "limit"]) == {0.95}


# ---------------------------------------------------------------- failures
@pytest.mark.parametrize("backend", ["auto", *BACKENDS])
def test_load_100x_raises_with_hour(backend: str) -> None:
    times = pd.date_range("2030-07-01", periods=24, freq="h")
    profiles = case9_profiles()
    profiles["load1"] = profiles["load1"].copy()
    profiles["load1"][5] *= 100.0
    with pytest.raises(PowerFlowNotConverged, match=r"2030-07-01 05:00:00.*voltage collapse"):
        run_timeseries(named_case9(), profiles, {}, backend=backend, times=times)


def test_islanded_bus_is_a_clear_error() -> None:
    net = two_bus()
    island = pp.create_bus(net, vn_kv=VN_KV, name="island")
    pp.create_load(net, island, p_mw=10.0, name="stranded")
    with pytest.raises(PowerFlowNotConverged, match=r"islanded\): bus:island"):
        run_timeseries(net, {"campus": np.array([P_MW])}, {})


def test_unknown_load_name_is_a_data_error() -> None:
    from gridtwin.exceptions import DataError

    with pytest.raises(DataError, match="'nope' not found"):
        run_timeseries(two_bus(), {"nope": np.array([1.0])}, {})


def test_sgen_and_power_factor() -> None:
    net = two_bus()
    pp.create_sgen(net, 1, p_mw=0.0, name="pv")
    ds = run_timeseries(
        net, {"campus": np.array([P_MW])}, {"pv": np.array([P_MW])}, load_power_factor=0.95
    )
    # PV offsets the active load; the grid still supplies Q = P tan(acos 0.95) + line I^2 X
    assert abs(ds.ext_grid_p_mw[0]) < 0.5
    q = P_MW * math.tan(math.acos(0.95))
    assert ds.losses_mw[0] == pytest.approx(
        R_OHM * q**2 / (VN_KV * float(ds.vm_pu[0, 1])) ** 2, rel=1e-3
    )


# ---------------------------------------------------------------- N-1
def test_n_minus_1_case9() -> None:
    net = named_case9()
    out = n_minus_1(net, case9_profiles(), {}, hours=[0, 18])
    assert len(out) == 9 * 2
    # lines 0, 3, 6 connect the generators / ext_grid radially: losing them islands a bus
    islanding = set(out.loc[out.status == "islanding", "contingency"])
    assert islanding == {"line:line0", "line:line3", "line:line6"}
    ok = out[out.status == "ok"]
    assert (ok.min_vm_pu > 0.5).all() and (ok.max_loading_percent > 0).all()
