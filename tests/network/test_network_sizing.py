"""The site network inside the sizing LP: hand-computed optima, both backends, and the linear
power flow checked against pandapower's own DC power flow."""

from __future__ import annotations

import copy
import itertools
from dataclasses import replace

import numpy as np
import pandapower as pp
import pytest
import xarray as xr
from hand_cases import Solve, index, poi

from gridtwin.network import BranchSpec, NetworkSpec
from gridtwin.network.from_pandapower import network_spec
from gridtwin.optimize import cvxpy_backend, pypsa_backend
from gridtwin.optimize.problem import GeneratorSpec, StorageSpec, SystemProblem

N = 24


def _feeder_case(upgrade_cost: float) -> SystemProblem:
    """A cheap generator behind a 50 MVA transformer, 100 MW of load, grid at 1 per MWh.

    Per horizon a generator MW costs 10 and serves 24 MWh that would cost 24 from the grid; one
    beyond 50 MW also needs one MVA of transformer upgrade at ``upgrade_cost``.
    """
    net = NetworkSpec(
        ("G", "L", "R"),
        (
            BranchSpec("line:feed", "G", "L", 0.01, 1000.0),
            BranchSpec(
                "trafo:TR",
                "R",
                "L",
                0.05,
                50.0,
                kind="trafo",
                extendable=True,
                capital_cost=upgrade_cost,
            ),
        ),
        load_bus="L",
        grid_bus="G",
        asset_bus={"gen": "R"},
    )
    return SystemProblem(
        index(N),
        np.full(N, 100.0),
        (GeneratorSpec("gen", np.ones(N), 10.0),),
        (),
        poi(N, 1000.0, 1.0, 0.0),
        0.0,
        network=net,
    )


@pytest.mark.parametrize(
    ("upgrade_cost", "objective", "gen", "rating"),
    [
        # 10 + 5 < 24: build 100 MW and upgrade to 100 MVA: 100 x 10 + 50 x 5
        (5.0, 1250.0, 100.0, 100.0),
        # 10 + 20 > 24: stop at the transformer's 50 MW, import the rest: 50 x 10 + 50 x 24
        (20.0, 1700.0, 50.0, 50.0),
    ],
)
def test_upgrade_is_built_exactly_when_it_pays(
    solve: Solve, upgrade_cost: float, objective: float, gen: float, rating: float
) -> None:
    sol = solve(_feeder_case(upgrade_cost))
    assert sol.objective == pytest.approx(objective, rel=1e-6)
    assert sol.p_nom["gen"] == pytest.approx(gen, rel=1e-6)
    assert sol.s_nom["trafo:TR"] == pytest.approx(rating, rel=1e-6)
    assert sol.s_nom["line:feed"] == pytest.approx(1000.0)
    np.testing.assert_allclose(sol.branch_flow["trafo:TR"], gen, rtol=1e-6)


def _parallel_case(n1: bool) -> SystemProblem:
    """150 MW of load behind two 100 MVA transformers; a generator at the load bus costs 30
    per MW and horizon (more than the grid's 24)."""
    net = NetworkSpec(
        ("G", "L"),
        (
            BranchSpec("trafo:T1", "G", "L", 0.1, 100.0, kind="trafo"),
            BranchSpec("trafo:T2", "G", "L", 0.1, 100.0, kind="trafo"),
        ),
        load_bus="L",
        grid_bus="G",
        n1=n1,
    )
    return SystemProblem(
        index(N),
        np.full(N, 150.0),
        (GeneratorSpec("gen", np.ones(N), 30.0),),
        (),
        poi(N, 1000.0, 1.0, 0.0),
        0.0,
        network=net,
    )


def test_parallel_transformers_under_n1_carry_one_rating_together(solve: Solve) -> None:
    secure = solve(_parallel_case(n1=True))
    # with one out, the other carries both flows: import <= 100 MW, 50 MW generated on site
    assert secure.objective == pytest.approx(100 * 24 + 50 * 30, rel=1e-6)
    total = secure.branch_flow["trafo:T1"] + secure.branch_flow["trafo:T2"]
    assert total.max() <= 100.0 * (1 + 1e-6)
    np.testing.assert_allclose(secure.branch_flow["trafo:T1"], 50.0, rtol=1e-6)
    intact = solve(_parallel_case(n1=False))
    assert intact.objective == pytest.approx(150 * 24, rel=1e-6)  # no generator needed


def _meshed_case() -> SystemProblem:
    """A triangle (grid, load, generation) with a storage, a CFE target, N-1 and upgrades."""
    n = 48
    hours = np.arange(n)
    solar = np.clip(np.sin((hours % 24 - 6) / 12 * np.pi), 0, None)
    net = NetworkSpec(
        ("G", "L", "R"),
        (
            BranchSpec("line:GL", "G", "L", 0.02, 120.0, extendable=True, capital_cost=30.0),
            BranchSpec("line:GR", "G", "R", 0.03, 80.0, extendable=True, capital_cost=20.0),
            BranchSpec("line:RL", "R", "L", 0.01, 60.0, extendable=True, capital_cost=10.0),
        ),
        load_bus="L",
        grid_bus="G",
        asset_bus={"solar": "R"},
    )
    return SystemProblem(
        index(n),
        100.0 + 10.0 * np.cos(hours / 24 * 2 * np.pi),
        (GeneratorSpec("solar", solar, 40.0),),
        (StorageSpec("battery", 15.0, 5.0, 0.95, 0.95),),
        poi(n, 500.0, 2.0, 0.3),
        0.7,
        network=net,
    )


def test_backends_agree_on_a_meshed_secure_network() -> None:
    problem = _meshed_case()
    a, b = pypsa_backend.solve(problem), cvxpy_backend.solve(problem)
    assert a.objective == pytest.approx(b.objective, rel=1e-6)
    for name in a.s_nom:
        assert a.s_nom[name] == pytest.approx(b.s_nom[name], rel=1e-5, abs=1e-4)
    # the flows obey the N-1 rows: recompute every post-contingency flow from the BODF
    pairs = problem.network.contingencies()
    names = [br.name for br in problem.network.branches]
    for ell, k, factor in zip(pairs.monitored, pairs.outage, pairs.bodf, strict=True):
        after = a.branch_flow[names[ell]] + factor * a.branch_flow[names[k]]
        assert np.abs(after).max() <= a.s_nom[names[ell]] * (1 + 1e-6) + 1e-6


def test_merging_identical_parallels_keeps_the_optimum() -> None:
    """Corridors (merged identical parallels) against the same network with the parallels made
    different by 1e-9 (not merged): same optimum."""
    problem = _parallel_case(n1=True)
    t1, t2 = problem.network.branches
    apart = replace(problem.network, branches=(t1, replace(t2, x=t2.x * (1 + 1e-9))))
    assert len(problem.network.linear().spec.branches) == 1
    assert len(apart.linear().spec.branches) == 2
    merged = pypsa_backend.solve(problem).objective
    assert pypsa_backend.solve(replace(problem, network=apart)).objective == pytest.approx(
        merged, rel=1e-6
    )


def _pandapower_triangle() -> pp.pandapowerNet:
    net = pp.create_empty_network(sn_mva=100.0)
    buses = [pp.create_bus(net, 110.0, name=name) for name in ("G", "L", "R", "S")]
    pp.create_ext_grid(net, buses[0])
    for a, b, km in ((0, 1, 20.0), (0, 2, 35.0), (2, 1, 15.0)):
        pp.create_line_from_parameters(
            net, buses[a], buses[b], km, 0.05, 0.4, 10.0, 0.6, name=f"{a}{b}"
        )
    pp.create_transformer_from_parameters(
        net, buses[2], buses[3], 120.0, 110.0, 33.0, 0.4, 12.0, 0.0, 0.0, name="TS"
    )
    return net


def test_flows_and_outage_factors_match_pandapower_dc_power_flow() -> None:
    """PTDF and BODF of the spec against pandapower's DC power flow (rundcpp) of the same
    network, intact and with a line out: an external reference for the LP's rows."""
    net = _pandapower_triangle()
    spec = network_spec(
        net, load_bus="L", asset_bus={}, line_cost=0.0, cable_cost=0.0, trafo_cost=0.0
    )
    inject = {"L": -80.0, "R": 30.0, "S": 20.0}
    for bus, p in inject.items():
        pp.create_sgen(net, int(net.bus.index[net.bus.name == bus][0]), p_mw=p)
    pp.rundcpp(net)
    ptdf = spec.ptdf()
    injection = np.array([inject.get(b, 0.0) for b in spec.buses])
    flows = ptdf @ injection
    reference = np.concatenate([net.res_line.p_from_mw, net.res_trafo.p_hv_mw])
    np.testing.assert_allclose(flows, reference, atol=1e-6)
    pairs = spec.contingencies()
    assert pairs.islanding == ("trafo:TS",)
    out = 0  # line G-L out: the others carry what BODF says
    cut = copy.deepcopy(net)
    cut.line.at[out, "in_service"] = False
    pp.rundcpp(cut)
    after = np.concatenate([cut.res_line.p_from_mw, cut.res_trafo.p_hv_mw])
    for ell, k, factor in zip(pairs.monitored, pairs.outage, pairs.bodf, strict=True):
        if k == out:
            assert flows[ell] + factor * flows[k] == pytest.approx(after[ell], abs=1e-6)


def test_site_network_is_checked() -> None:
    from gridtwin.exceptions import ConfigError

    with pytest.raises(ConfigError, match="load bus 'nowhere' is not a bus"):
        NetworkSpec(("G",), (), load_bus="nowhere", grid_bus="G")
    with pytest.raises(ConfigError, match="not connected to the grid bus"):
        NetworkSpec(("G", "L"), (), load_bus="L", grid_bus="G")
    with pytest.raises(ConfigError, match="positive reactance"):
        NetworkSpec(("G", "L"), (BranchSpec("line:x", "G", "L", 0.0, 10.0),), "L", "G")


def _voltage_rise_case() -> tuple[SystemProblem, pp.pandapowerNet]:
    """A cheap generator at the end of a weak 33 kV line feeding a 50 MW campus: the linear
    power flow lets it carry the whole load, but then its voltage rises about 9 % (R P / V^2
    = 2 Ohm x 50 MW / 33 kV^2), above the 1.05 p.u. band."""
    net = pp.create_empty_network(sn_mva=100.0)
    kw = {"min_vm_pu": 0.95, "max_vm_pu": 1.05}
    grid = pp.create_bus(net, 33.0, name="grid", **kw)
    site = pp.create_bus(net, 33.0, name="site", **kw)
    farm = pp.create_bus(net, 33.0, name="farm", **kw)
    pp.create_ext_grid(net, grid, vm_pu=1.0)
    pp.create_line_from_parameters(net, grid, site, 2.0, 0.05, 0.1, 10.0, 3.0, name="feed")
    pp.create_line_from_parameters(net, farm, site, 20.0, 0.1, 0.1, 10.0, 3.0, name="tie")
    pp.create_load(net, site, p_mw=0.0, name="campus")
    spec = network_spec(
        net, load_bus="site", asset_bus={"gen": "farm"}, line_cost=0.0, cable_cost=0.0,
        trafo_cost=0.0, upgrades=False,
    )  # fmt: skip
    problem = SystemProblem(
        index(N),
        np.full(N, 50.0),
        (GeneratorSpec("gen", np.ones(N), 1.0),),
        (),
        poi(N, 1000.0, 10.0, 0.0),
        0.0,
        network=spec,
    )
    return problem, net


def _campus(problem: SystemProblem) -> xr.Dataset:
    zeros = np.zeros(len(problem.snapshots))
    return xr.Dataset(
        {
            "it_load": ("time", problem.load),
            "pue": ("time", zeros + 1.0),
            "temp_wetbulb": ("time", zeros + 10.0),
            "load": ("time", problem.load),
        },
        coords={"time": problem.snapshots},
    )


def test_ac_loop_fixes_a_voltage_violation_in_bounded_rounds(solve: Solve) -> None:
    from gridtwin.ac_loop import run_ac_loop
    from gridtwin.results import build_results

    problem, net = _voltage_rise_case()
    first = solve(problem)
    assert first.p_nom["gen"] == pytest.approx(50.0)  # the LP alone uses the cheap farm fully
    problem, solution, checked, history = run_ac_loop(
        problem,
        first,
        solve=solve,
        results=lambda p, s: build_results(p, s, _campus(p)),
        net=net,
        network_name="voltage rise",
        rounds=6,
        margin=0.01,
    )
    assert history[0].violations > 0 and history[0].max_vm_pu > 1.05
    assert history[-1].feasible, [r.__dict__ for r in history]
    assert len(history) <= 6
    assert float(checked.dataset["vm_pu"].max()) <= 1.05 + 1e-9
    # the voltage proxy capped the tie line's flow; the rest comes from the grid
    assert np.isfinite(problem.network.branches[1].flow_max)
    assert 0.0 < solution.p_nom["gen"] < 50.0
    # each round costs more than the one before (a tighter problem)
    objectives = [r.objective for r in history]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(objectives))


def _offsite_case(target: float, matching: str = "hourly") -> SystemProblem:
    """100 MW of load for 24 h, a grid without clean share at 1 per MWh, and an offsite solar
    contract (10 per MW and horizon, size limit 1000 MW) producing at its full size in the first
    12 hours only."""
    cf = np.r_[np.ones(12), np.zeros(12)]
    return SystemProblem(
        index(N),
        np.full(N, 100.0),
        (GeneratorSpec("solar_offsite", cf, 10.0, offsite=True, p_nom_max=1000.0),),
        (),
        poi(N, 1000.0, 1.0, 0.0),
        target,
        matching=matching,  # type: ignore[arg-type]
    )


def test_offsite_contract_counts_as_clean_only_up_to_the_hourly_import(solve: Solve) -> None:
    sol = solve(_offsite_case(0.5))
    # 1200 MWh of 2400 must be clean: 100 MW delivered in each of the 12 sunny hours
    assert sol.p_nom["solar_offsite"] == pytest.approx(100.0, rel=1e-6)
    np.testing.assert_allclose(sol.offsite_delivered[:12], 100.0, rtol=1e-6)
    np.testing.assert_allclose(sol.grid_import, 100.0, rtol=1e-6)  # physical import
    assert sol.objective == pytest.approx(100 * 10 + 1200 * 1.0, rel=1e-6)
    # beyond the sunny hours' import nothing more counts: 60 % is out of reach hour by hour
    from gridtwin.exceptions import InfeasibleError

    with pytest.raises(InfeasibleError, match=r"0\.5000"):
        solve(_offsite_case(0.6))
    # ... but volumetric matching counts the excess (sold at the export price, 0 here)
    annual = solve(_offsite_case(0.6, "annual"))
    assert annual.p_nom["solar_offsite"] == pytest.approx(120.0, rel=1e-6)
    np.testing.assert_allclose(annual.offsite_sold[:12], 20.0, rtol=1e-6, atol=1e-6)


def test_site_land_area_binds(solve: Solve) -> None:
    """Solar at 10 per MW (cheaper than 24 MWh of grid) wants 100 MW, 2 ha/MW on 100 ha of
    land allows 50 MW; the storage takes land too (1 ha/MW) but is not worth building."""
    problem = SystemProblem(
        index(N),
        np.full(N, 100.0),
        (GeneratorSpec("solar", np.ones(N), 10.0, land_use=2.0),),
        (StorageSpec("battery", 5.0, 1.0, 0.9, 0.9, land_use=1.0),),
        poi(N, 1000.0, 1.0, 0.0),
        0.0,
        land_area=100.0,
    )
    sol = solve(problem)
    assert sol.p_nom["solar"] == pytest.approx(50.0, rel=1e-6)
    assert sol.objective == pytest.approx(50 * 10 + 50 * 24, rel=1e-6)
    unlimited = solve(replace(problem, land_area=None))
    assert unlimited.p_nom["solar"] == pytest.approx(100.0, rel=1e-6)


@pytest.mark.parametrize("case", ["parallel", "offsite", "meshed"])
def test_rolling_dispatch_of_one_window_reproduces_the_sizing(case: str) -> None:
    """Dispatching the sized capacities (network ratings after upgrades, contracts) in one
    window of the whole horizon solves the same LP with capacities fixed: same cost, same
    deliveries, same flows."""
    from gridtwin.optimize.dispatch import rolling_dispatch

    problem = {
        "parallel": lambda: _parallel_case(n1=True),
        "offsite": lambda: _offsite_case(0.5),
        "meshed": _meshed_case,
    }[case]()
    sized = cvxpy_backend.solve(problem)
    n = len(problem.snapshots)
    run = rolling_dispatch(problem, sized, window_hours=n, step_hours=n)
    assert run.objective == pytest.approx(sized.objective, rel=1e-6)
    if case != "meshed":  # with storage the hour a battery cycles in is not unique
        np.testing.assert_allclose(run.grid_import, sized.grid_import, atol=1e-4)
    if problem.offsite:
        np.testing.assert_allclose(run.offsite_delivered, sized.offsite_delivered, atol=1e-4)
    for name in sized.branch_flow:
        assert run.s_nom[name] == pytest.approx(sized.s_nom[name])
        assert np.abs(run.branch_flow[name]).max() <= run.s_nom[name] * (1 + 1e-6) + 1e-6
