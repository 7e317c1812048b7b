"""Tests of gridtwin.grid.network and the Greensboro POI network file.

Hand estimates for the POI: 1000 MW at 230 kV draws I = P / (sqrt(3) V) = 1000 / (1.732 * 230)
= 2.51 kA (2.56 kA at the ~0.98 pu the POI settles at). Shared by two circuits that is ~1.28 kA
each, 67 % of the 1.92 kA twin-bundle rating; with one circuit out the other carries ~2.6 kA,
about 135 %.
"""

from __future__ import annotations

import doctest
import math
import runpy
import sys
from pathlib import Path

import numpy as np
import pandapower as pp
import pandapower.networks
import pytest
from pandapower.toolbox import nets_equal

from gridtwin.exceptions import ConfigError, DataError
from gridtwin.grid import network as network_module
from gridtwin.grid.network import attach_campus, load_network, network_summary

ROOT = Path(__file__).resolve().parents[2]
POI_JSON = ROOT / "networks" / "greensboro_poi.json"
MAKE_POI = ROOT / "networks" / "make_greensboro_poi.py"


def _run(net: pp.pandapowerNet) -> None:
    pp.runpp(net, numba=False)


def _line(net: pp.pandapowerNet, name: str) -> int:
    return int(net.line.index[net.line["name"] == name][0])


def _bus(net: pp.pandapowerNet, name: str) -> int:
    return int(net.bus.index[net.bus["name"] == name][0])


@pytest.fixture
def poi() -> pp.pandapowerNet:
    """The POI network with the 1000 MW campus and no solar or wind."""
    net = load_network(POI_JSON)
    attach_campus(net, "campus_34.5kV", p_mw=1000.0)
    net.sgen["p_mw"] = 0.0
    return net


def _small_net() -> pp.pandapowerNet:
    """Slack - line - b1 - switch - b2; plus b3 on an out-of-service line; two buses named 'dup'."""
    net = pp.create_empty_network(name="small", f_hz=60.0)
    b0 = pp.create_bus(net, 110.0, name="slack")
    b1 = pp.create_bus(net, 110.0, name="dup")
    b2 = pp.create_bus(net, 110.0, name="dup")
    b3 = pp.create_bus(net, 110.0, name="island")
    b4 = pp.create_bus(net, 110.0, name="off", in_service=False)
    pp.create_ext_grid(net, b0, name="grid")
    line = "149-AL1/24-ST1A 110.0"
    pp.create_line(net, b0, b1, 10.0, line, name="l")
    pp.create_line(net, b0, b3, 10.0, line, name="l", in_service=False)
    pp.create_line(net, b0, b4, 10.0, line, name="l")
    pp.create_switch(net, b1, b2, et="b", closed=True, name="sw")
    pp.create_load(net, b1, 5.0, name="other")
    pp.create_load(net, b1, 5.0, name="other")
    return net


# ---------------------------------------------------------------- the POI network file


def test_poi_json_matches_its_generator(tmp_path: Path) -> None:
    out = tmp_path / "poi.json"
    sys_argv = sys.argv
    try:
        sys.argv = [str(MAKE_POI), str(out)]
        runpy.run_path(str(MAKE_POI), run_name="__main__")
    finally:
        sys.argv = sys_argv
    assert nets_equal(pp.from_json(str(out)), load_network(POI_JSON))


def test_poi_round_trips_through_json(tmp_path: Path) -> None:
    net = load_network(POI_JSON)
    copy = tmp_path / "copy.json"
    pp.to_json(net, str(copy))
    assert nets_equal(net, load_network(copy))


def test_poi_elements_are_named_uniquely_and_limited() -> None:
    net = load_network(POI_JSON)
    for element in ("bus", "line", "trafo", "load", "sgen", "ext_grid"):
        names = net[element]["name"]
        assert names.notna().all() and names.is_unique, element
    assert set(net.sgen["name"]) == {"solar", "onwind"}
    assert list(net.load["name"]) == ["campus"]
    assert (net.bus["min_vm_pu"] == 0.95).all() and (net.bus["max_vm_pu"] == 1.05).all()
    assert (net.line["max_loading_percent"] == 100.0).all()
    assert net.f_hz == 60.0
    assert network_summary(net)["voltage_levels_kv"] == [34.5, 230.0]


def test_poi_power_flow_with_both_circuits(poi: pp.pandapowerNet) -> None:
    _run(poi)
    assert poi.converged
    vm_poi = poi.res_bus.at[_bus(poi, "poi_230kV"), "vm_pu"]
    assert 0.95 <= vm_poi <= 1.05
    assert 0.95 <= poi.res_bus.at[_bus(poi, "campus_34.5kV"), "vm_pu"] <= 1.05
    # the grid supplies the load plus losses (a few MW, below 2 %)
    p_grid = poi.res_ext_grid.at[0, "p_mw"]
    assert 1000.0 < p_grid < 1020.0
    for name in ("circuit_1", "circuit_2"):
        i_ka = poi.res_line.at[_line(poi, name), "i_ka"]
        expected = 1000.0 / (math.sqrt(3) * 230.0 * vm_poi) / 2
        assert i_ka == pytest.approx(expected, rel=0.05)
        assert 50.0 < poi.res_line.at[_line(poi, name), "loading_percent"] < 100.0


def test_poi_power_flow_n_minus_1_overloads_remaining_circuit(poi: pp.pandapowerNet) -> None:
    poi.line.at[_line(poi, "circuit_2"), "in_service"] = False
    _run(poi)
    assert poi.converged
    assert poi.res_line.at[_line(poi, "circuit_1"), "i_ka"] == pytest.approx(2.6, rel=0.06)
    assert poi.res_line.at[_line(poi, "circuit_1"), "loading_percent"] > 100.0


def test_poi_solar_relieves_circuits(poi: pp.pandapowerNet) -> None:
    _run(poi)
    before = poi.res_line["i_ka"].iloc[:2].sum()
    poi.sgen.loc[poi.sgen["name"] == "solar", "p_mw"] = 300.0
    _run(poi)
    assert poi.res_line["i_ka"].iloc[:2].sum() < 0.8 * before


# ---------------------------------------------------------------- load_network


def test_load_case_by_name() -> None:
    net = load_network("case9")
    assert len(net.bus) == 9
    _run(net)
    assert net.converged


# pandapower 3.5 from_ppc assigns an empty list into an int64 column under pandas 2.3
@pytest.mark.filterwarnings(
    "ignore:Setting an item of incompatible dtype:FutureWarning:pandapower.converter.pypower"
)
def test_load_matpower_mat_file(tmp_path: Path) -> None:
    from pandapower.converter.matpower import to_mpc

    source = load_network("case9")
    path = tmp_path / "case9.mat"
    to_mpc(source, str(path), init="flat")  # no results yet
    net = load_network(path, f_hz=60.0)
    assert len(net.bus) == 9 and len(net.line) + len(net.trafo) == 9
    assert net.f_hz == 60.0
    _run(net)
    _run(source)
    assert net.res_bus["vm_pu"].to_numpy() == pytest.approx(source.res_bus["vm_pu"].to_numpy())


def test_load_unknown_name_suggests_cases() -> None:
    with pytest.raises(DataError, match=r"'case99'.*did you mean.*case9"):
        load_network("case99")


def test_load_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.json: network file not found"):
        load_network(tmp_path / "nope.json")


def test_load_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"unknown network file type '\.csv'"):
        load_network(tmp_path / "net.csv")


@pytest.mark.parametrize("suffix", [".json", ".mat"])
def test_load_corrupt_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_text("this is not a network")
    with pytest.raises(DataError, match=rf"broken\{suffix}: cannot read"):
        load_network(path)


def test_load_case_function_needing_arguments() -> None:
    with pytest.raises(DataError, match=r"needs arguments \(net, busbar_index\)"):
        load_network("create_dickert_lv_feeders")


# ---------------------------------------------------------------- attach_campus


def test_attach_by_name_and_replace() -> None:
    net = load_network(POI_JSON)
    first = attach_campus(net, "campus_34.5kV", p_mw=800.0)
    net.load.at[first, "in_service"] = False
    net.load.at[first, "scaling"] = 0.5
    second = attach_campus(net, _bus(net, "poi_230kV"), p_mw=900.0, q_mvar=50.0)
    assert second == first and len(net.load) == 1
    row = net.load.loc[second]
    assert (row["bus"], row["p_mw"], row["q_mvar"]) == (_bus(net, "poi_230kV"), 900.0, 50.0)
    assert row["in_service"] and row["scaling"] == 1.0


def test_attach_new_name_adds_load() -> None:
    net = load_network(POI_JSON)
    index = attach_campus(net, "campus_34.5kV", p_mw=100.0, name="campus_phase2")
    assert len(net.load) == 2 and net.load.at[index, "name"] == "campus_phase2"


def test_attach_missing_bus_by_name() -> None:
    with pytest.raises(DataError, match=r"bus 'poi_230' not found.*did you mean 'poi_230kV'"):
        attach_campus(load_network(POI_JSON), "poi_230", p_mw=1.0)


def test_attach_missing_bus_by_index() -> None:
    with pytest.raises(DataError, match=r"bus index 42 not found"):
        attach_campus(load_network(POI_JSON), 42, p_mw=1.0)


def test_attach_ambiguous_bus_name_lists_indices() -> None:
    with pytest.raises(DataError, match=r"ambiguous.*buses \[1, 2\].*index instead"):
        attach_campus(_small_net(), "dup", p_mw=1.0)


def test_attach_out_of_service_bus() -> None:
    with pytest.raises(DataError, match=r"bus 4 \('off'\) is out of service"):
        attach_campus(_small_net(), "off", p_mw=1.0)


def test_attach_unsupplied_bus() -> None:
    net = _small_net()
    with pytest.raises(DataError, match=r"bus 3 \('island'\) is not reached"):
        attach_campus(net, "island", p_mw=1.0)
    assert attach_campus(net, "island", p_mw=1.0, require_supplied=False) in net.load.index


def test_attach_behind_open_switch() -> None:
    net = _small_net()
    net.switch.at[0, "closed"] = False
    with pytest.raises(DataError, match="not reached"):
        attach_campus(net, 2, p_mw=1.0)
    net.switch.at[0, "closed"] = True
    index = attach_campus(net, 2, p_mw=20.0)
    _run(net)
    assert net.converged
    assert net.res_load.at[index, "p_mw"] == pytest.approx(20.0)


def test_attach_with_duplicate_names_elsewhere() -> None:
    net = _small_net()  # duplicate bus, line and load names
    index = attach_campus(net, 1, p_mw=10.0)
    _run(net)
    assert net.converged
    assert net.res_ext_grid.at[0, "p_mw"] == pytest.approx(20.0, rel=0.02)
    assert index == 2 and network_summary(net)["n_line_in_service"] == 2


def test_attach_refuses_several_loads_with_the_campus_name() -> None:
    with pytest.raises(DataError, match=r"loads \[0, 1\] are all named 'other'"):
        attach_campus(_small_net(), 1, p_mw=1.0, name="other")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"p_mw": -1.0}, "p_mw"),
        ({"p_mw": math.nan}, "p_mw"),
        ({"p_mw": "1000"}, "p_mw"),
        ({"p_mw": 1.0, "q_mvar": math.inf}, "q_mvar"),
    ],
)
def test_attach_rejects_bad_power(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=f"campus.{field}"):
        attach_campus(_small_net(), 1, **kwargs)  # type: ignore[arg-type]


def test_attach_rejects_bad_bus_type() -> None:
    with pytest.raises(ConfigError, match="bus: expected"):
        attach_campus(_small_net(), 1.5, p_mw=1.0)  # type: ignore[arg-type]


def test_docstring_examples() -> None:
    result = doctest.testmod(network_module)
    assert result.attempted >= 3 and result.failed == 0


def test_load_matpower_m_without_reader_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "case.m"
    path.write_text("function mpc = case\n")
    monkeypatch.setitem(sys.modules, "matpowercaseframes", None)  # force ImportError
    with pytest.raises(DataError, match=r"case\.m: .*pip install matpowercaseframes"):
        load_network(path)


# MATPOWER's case9 (Chow, Power System Dynamics, 1982; MATPOWER data/case9.m, BSD licence),
# typed in MATPOWER's own text format
_BUS = [  # bus, type, Pd [MW], Qd [Mvar]; Gs Bs area Vm Va baseKV zone Vmax Vmin follow
    (1, 3, 0, 0),
    (2, 2, 0, 0),
    (3, 2, 0, 0),
    (4, 1, 0, 0),
    (5, 1, 90, 30),
    (6, 1, 0, 0),
    (7, 1, 100, 35),
    (8, 1, 0, 0),
    (9, 1, 125, 50),
]
_GEN = [  # bus, Pg [MW], Qg, Qmax, Qmin, Vg [pu], mBase, status, Pmax, Pmin
    "1 72.3 27.03 300 -300 1.04 100 1 250 10",
    "2 163 6.54 300 -300 1.025 100 1 300 10",
    "3 85 -10.95 300 -300 1.025 100 1 270 10",
]
_BRANCH = [  # fbus tbus r x b [pu]; rateA B C ratio angle status angmin angmax follow
    "1 4 0 0.0576 0",
    "4 5 0.017 0.092 0.158",
    "5 6 0.039 0.17 0.358",
    "3 6 0 0.0586 0",
    "6 7 0.0119 0.1008 0.209",
    "7 8 0.0085 0.072 0.149",
    "8 2 0 0.0625 0",
    "8 9 0.032 0.161 0.306",
    "9 4 0.01 0.085 0.176",
]
_RATE = ["250", "250", "150", "300", "150", "250", "250", "250", "250"]
CASE9_M = "\n".join(
    ["function mpc = case9", "mpc.version = '2';", "mpc.baseMVA = 100;", "mpc.bus = ["]
    + [f"{b} {t} {p} {q} 0 0 1 1 0 345 1 1.1 0.9;" for b, t, p, q in _BUS]
    + ["];", "mpc.gen = ["]
    + [f"{g} 0 0 0 0 0 0 0 0 0 0 0;" for g in _GEN]
    + ["];", "mpc.branch = ["]
    + [f"{br} {r} {r} {r} 0 0 1 -360 360;" for br, r in zip(_BRANCH, _RATE, strict=True)]
    + ["];", ""]
)


def test_load_matpower_m_file_matches_pandapower_case9(tmp_path: Path) -> None:
    pytest.importorskip("matpowercaseframes")
    path = tmp_path / "case9.m"
    path.write_text(CASE9_M)
    net = load_network(path)
    ref = pandapower.networks.case9()
    # pandapower ships case9 with 1.0 p.u. setpoints; MATPOWER's file holds 1.04 / 1.025 / 1.025
    ref.ext_grid["vm_pu"] = 1.04
    ref.gen["vm_pu"] = 1.025
    assert len(net.bus) == 9 and len(net.gen) == 2 and len(net.ext_grid) == 1
    pp.runpp(net, numba=False)
    pp.runpp(ref, numba=False)
    np.testing.assert_allclose(net.res_bus.vm_pu, ref.res_bus.vm_pu, atol=1e-8)
    np.testing.assert_allclose(net.res_bus.va_degree, ref.res_bus.va_degree, atol=1e-6)
    # the WSCC 9-bus solution (Anderson & Fouad, Power System Control and Stability, 1977,
    # Fig. 2.19): lowest voltage 0.996 p.u. at the 125 MW load bus
    assert net.res_bus.vm_pu.min() == pytest.approx(0.9956, abs=1e-4)
