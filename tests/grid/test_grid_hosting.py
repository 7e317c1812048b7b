"""Hosting capacity: analytic two-bus limits, pandapower re-checks, and the budget arithmetic."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest

pp = pytest.importorskip("pandapower")
pytest.importorskip("lightsim2grid")

from gridtwin.exceptions import DataError  # noqa: E402
from gridtwin.grid.hosting import flexible_headroom, hosting_capacity  # noqa: E402
from gridtwin.grid.network import load_network  # noqa: E402

NETWORK = Path(__file__).resolve().parents[2] / "networks" / "greensboro_poi.json"
R, X, VN = 2.0, 4.0, 110.0  # ohm, ohm, kV of the two-bus feeder


def two_bus(max_i_ka: float) -> pp.pandapowerNet:
    net = pp.create_empty_network()
    b1 = pp.create_bus(net, vn_kv=VN, name="grid")
    b2 = pp.create_bus(net, vn_kv=VN, name="site")
    pp.create_ext_grid(net, b1, vm_pu=1.0)
    pp.create_line_from_parameters(
        net, b1, b2, length_km=1.0, r_ohm_per_km=R, x_ohm_per_km=X, c_nf_per_km=0.0,
        max_i_ka=max_i_ka, name="feeder",
    )  # fmt: skip
    return net


def analytic_voltage_limit(v2_pu: float, tan_phi: float) -> float:
    """P [MW] that pulls the far end of R + jX to ``v2_pu`` with Q = P tan(phi).

    From V2^4 + (2(RP + XQ) - V1^2) V2^2 + (R^2 + X^2)(P^2 + Q^2) = 0, a quadratic in P:
    (R^2 + X^2)(1 + tan^2) P^2 + 2 (R + X tan) V2^2 P + V2^4 - V1^2 V2^2 = 0.
    """
    v1, v2 = VN, v2_pu * VN
    a = (R**2 + X**2) * (1 + tan_phi**2)
    b = 2 * (R + X * tan_phi) * v2**2
    c = v2**4 - v1**2 * v2**2
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def analytic_thermal_limit(i_max_ka: float, tan_phi: float) -> float:
    """P [MW] at which the feeder current reaches ``i_max_ka``: |S| = sqrt(3) V2 I, V2 from
    the voltage equation — solved by fixed point on V2."""
    v2 = VN
    for _ in range(200):
        s = math.sqrt(3) * v2 * i_max_ka
        p = s / math.sqrt(1 + tan_phi**2)
        q = p * tan_phi
        b = 2 * (R * p + X * q) - VN**2
        c = (R**2 + X**2) * (p**2 + q**2)
        v2 = math.sqrt((-b + math.sqrt(b * b - 4 * c)) / 2)
    return p


@pytest.mark.parametrize("pf", [1.0, 0.95])
def test_two_bus_voltage_limit_matches_analytic(pf: float) -> None:
    res = hosting_capacity(two_bus(10.0), "site", contingencies="none", power_factor=pf,
                           tol_mw=0.01)  # fmt: skip
    expected = analytic_voltage_limit(0.95, math.tan(math.acos(pf)))
    assert res.firm_mw == pytest.approx(expected, abs=0.02)
    assert "voltage below" in res.firm_limit


def test_two_bus_thermal_limit_matches_analytic() -> None:
    res = hosting_capacity(two_bus(0.3), "site", contingencies="none", power_factor=1.0,
                           tol_mw=0.01)  # fmt: skip
    assert res.firm_mw == pytest.approx(analytic_thermal_limit(0.3, 0.0), abs=0.02)
    assert res.firm_limit == "line:feeder overload (N-0)"


def _pandapower_violates(net: pp.pandapowerNet, bus: str, p_mw: float, pf: float) -> bool:
    """Any violation of the N-0 or N-1 states (bridges skipped) with ``p_mw`` added at ``bus``."""
    base = copy.deepcopy(net)
    b = int(base.bus.index[base.bus.name == bus][0])
    pp.create_load(base, b, p_mw=p_mw, q_mvar=p_mw * math.tan(math.acos(pf)))
    states = [None] + [("line", i) for i in (0, 1)] + [("trafo", i) for i in (0, 1)]
    for state in states:
        case = copy.deepcopy(base)
        if state:
            getattr(case, state[0]).at[state[1], "in_service"] = False
        try:
            pp.runpp(case, numba=False)
        except pp.LoadflowNotConverged:
            return True
        vm = case.res_bus.vm_pu
        loading = np.r_[case.res_line.loading_percent.fillna(0), case.res_trafo.loading_percent]
        if (vm < 0.95 - 1e-9).any() or (vm > 1.05 + 1e-9).any() or (loading > 100 + 1e-9).any():
            return True
    return False


@pytest.mark.parametrize("bus", ["poi_230kV", "campus_34.5kV"])
def test_poi_firm_hosting_rechecked_with_pandapower(bus: str) -> None:
    net = load_network(NETWORK)
    net.load["p_mw"] = 0.0  # empty site: how large a campus fits?
    res = hosting_capacity(net, bus, contingencies="all", tol_mw=0.5)
    assert res.excluded == ["line:collector"]  # its outage only islands the solar collector
    assert not _pandapower_violates(net, bus, res.firm_mw, 0.95)
    assert _pandapower_violates(net, bus, res.firm_mw + 1.0, 0.95)
    n0 = hosting_capacity(net, bus, contingencies="none", tol_mw=0.5)
    assert n0.firm_mw > res.firm_mw  # N-1 never allows more


def test_hourly_background_solar_raises_campus_headroom_at_noon() -> None:
    net = load_network(NETWORK)
    net.load["p_mw"] = 0.0
    hours = np.arange(24)
    solar = np.clip(600.0 * np.sin((hours - 6) / 12 * np.pi), 0.0, None)
    res = hosting_capacity(
        net, "campus_34.5kV", sgen_p_mw={"solar": solar}, tol_mw=0.5, power_factor=1.0
    )
    night, noon = res.max_load_mw[0], res.max_load_mw[12]
    # at unity power factor the remaining transformer's rating binds; solar at the collector
    # supplies the campus beside it (at 0.95 the campus bus voltage binds and solar helps less)
    assert noon > night + 500.0
    assert res.limiting[0] == "trafo:T2 overload (outage trafo:T1)"
    assert res.firm_mw == pytest.approx(res.max_load_mw.min())
    flex = res.flexible_mw
    assert res.firm_mw <= flex[0.0025] <= flex[0.005] <= flex[0.01]
    assert "campus_34.5kV" in res.to_dataset().attrs["hosting_bus"]


def test_flexible_headroom_meets_its_budget_exactly() -> None:
    rng = np.random.default_rng(3)
    limit = rng.uniform(300.0, 900.0, 8760)
    for budget in (0.0025, 0.005, 0.01, 0.05):
        p, hours = flexible_headroom(limit, budget)
        curtailed = np.clip(p - limit, 0.0, None).sum()
        assert curtailed == pytest.approx(budget * p * limit.size, rel=1e-9)
        assert hours == int((limit < p).sum())
        # a slightly larger campus breaks the budget
        p2 = p * 1.001
        assert np.clip(p2 - limit, 0.0, None).sum() > budget * p2 * limit.size
    assert flexible_headroom(limit, 0.0)[0] == pytest.approx(limit.min())


def test_flexible_headroom_hand_case() -> None:
    # 99 hours at 100 MW, one hour at 0 MW; budget 1 %: P curtailed fully in that hour,
    # P = 0.01 * P * 100 holds for every P up to 100 -> headroom 100 MW with 1 hour curtailed.
    limit = np.r_[np.full(99, 100.0), 0.0]
    assert flexible_headroom(limit, 0.01) == (pytest.approx(100.0), 1)
    # budget 0.5 %: P = 0.005 * 100 * P only at P = 0 -> firm 0 MW
    assert flexible_headroom(limit, 0.005)[0] == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bus": "nowhere"}, "nowhere"),
        ({"bus": "poi_230kV", "budgets": [1.0]}, "budgets"),
        ({"bus": "poi_230kV", "contingencies": "n-2"}, "contingencies"),
        ({"bus": "poi_230kV", "power_factor": 0.0}, "power_factor"),
        ({"bus": "poi_230kV", "sgen_p_mw": {"sun": np.ones(3)}}, "sun"),
        ({"bus": "poi_230kV", "balance": "generators"}, "generators"),
    ],
)
def test_bad_settings_are_data_errors(kwargs: dict[str, object], match: str) -> None:
    net = load_network(NETWORK)
    with pytest.raises((DataError, Exception), match=match) as err:
        hosting_capacity(net, **kwargs)  # type: ignore[arg-type]
    assert "gridtwin" in type(err.value).__module__


def test_switches_are_refused_with_a_fix() -> None:
    net = load_network(NETWORK)
    pp.create_switch(net, bus=1, element=0, et="l", closed=True)
    with pytest.raises(DataError, match="switch"):
        hosting_capacity(net, "poi_230kV")


def test_numeric_bus_names_and_labels_resolve_to_the_named_bus() -> None:
    pn = pytest.importorskip("pandapower.networks")
    net = pn.case118()  # names 1..118 on indices 0..117
    by_label = hosting_capacity(net, "bus:116", contingencies="none", tol_mw=5.0, budgets=())
    by_name = hosting_capacity(net, "116", contingencies="none", tol_mw=5.0, budgets=())
    by_index = hosting_capacity(net, 115, contingencies="none", tol_mw=5.0, budgets=())
    assert by_label.bus == by_name.bus == by_index.bus == "bus:116"
    assert by_label.firm_mw == by_name.firm_mw == by_index.firm_mw


def test_background_violations_are_reported_and_flexible_needs_hours() -> None:
    net = load_network(NETWORK)  # the 1000 MW campus already overloads a circuit under N-1
    res = hosting_capacity(net, "poi_230kV", tol_mw=1.0)
    assert res.firm_mw == 0.0
    assert "already violated without the new load" in res.firm_limit
    assert any(v.startswith("line:circuit_2 overload (outage line:circuit_1)")
               for v in res.background_violations)  # fmt: skip
    assert all(np.isnan(v) for v in res.flexible_mw.values())
    ds = res.to_dataset()
    assert (
        ds.attrs["Conventions"].startswith("CF-")
        and "circuit_2" in ds.attrs["hosting_background_violations"]
    )


def test_overloaded_radial_generator_tie_does_not_block_a_load_elsewhere() -> None:
    """The collector cable carries the solar; a load at the POI barely changes its MW flow."""
    net = load_network(NETWORK)
    net.load["p_mw"] = 0.0
    net.sgen.loc[net.sgen.name == "solar", "p_mw"] = 1700.0  # collector at ~250 % loading
    res = hosting_capacity(net, "poi_230kV", contingencies="none", power_factor=1.0, budgets=())
    assert any(v.startswith("line:collector overload (N-0)") for v in res.background_violations)
    assert res.firm_mw > 500.0
    assert "collector" not in res.firm_limit
