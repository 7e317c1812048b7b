"""Advice for a power flow that does not converge names only causes the network can have
(:mod:`gridtwin.grid.advice`), in every message that reports one."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandapower as pp
import pytest

from gridtwin.exceptions import PowerFlowNotConverged
from gridtwin.grid import advice
from gridtwin.grid.hosting import hosting_capacity
from gridtwin.grid.network import load_network
from gridtwin.grid.powerflow import run_timeseries

ROOT = Path(__file__).resolve().parents[2]
POI_JSON = ROOT / "networks" / "greensboro_poi.json"


def _feeder(with_trafo: bool = False) -> pp.pandapowerNet:
    """Grid - 300 km 230 kV line - site with the campus load (optionally behind a 230/34.5 kV
    transformer); no generators, static generators or shunts."""
    net = pp.create_empty_network(sn_mva=100.0, f_hz=60.0)
    grid = pp.create_bus(net, 230.0, name="grid")
    site = pp.create_bus(net, 230.0, name="site")
    pp.create_ext_grid(net, grid, name="grid")
    pp.create_line_from_parameters(net, grid, site, 300.0, 0.03, 0.4, 10.0, 1.0, name="long")
    load_bus = site
    if with_trafo:
        load_bus = pp.create_bus(net, 34.5, name="campus")
        pp.create_transformer_from_parameters(
            net, site, load_bus, 600.0, 230.0, 34.5, 0.3, 12.0, 0.0, 0.0, name="T1"
        )
    pp.create_load(net, load_bus, p_mw=10.0, name="campus")
    return net


def _not_converged(net: pp.pandapowerNet) -> str:
    with pytest.raises(PowerFlowNotConverged) as info:
        run_timeseries(net, {"campus": np.array([10.0, 5000.0])}, {}, backend="pandapower")
    return str(info.value)


def test_timeseries_advice_without_transformers_generators_or_islands() -> None:
    message = _not_converged(_feeder())
    assert "did not converge at hour 1 (index 1)" in message
    assert "voltage collapse from too much load" in message
    assert "line parameters in the wrong units" in message
    for absent in ("transformer", "tap", "generator", "shunt signs", "islanded", "sgen"):
        assert absent not in message, absent
    assert "\n" not in message


def test_timeseries_advice_names_transformers_when_there_are_some() -> None:
    net = _feeder(with_trafo=True)
    message = _not_converged(net)
    assert "transformer ratios: vn_hv_kv / vn_lv_kv of 1 transformer(s)" in message
    assert "tap" not in message  # the transformer is at its neutral tap
    assert "generator" not in message


def test_advice_names_taps_generators_shunts_and_islands_only_when_present() -> None:
    net = _feeder(with_trafo=True)
    net.trafo.loc[0, ["tap_side", "tap_neutral", "tap_pos", "tap_step_percent"]] = [
        "hv", 0, 2, 1.25,
    ]  # fmt: skip
    site = int(net.bus.index[net.bus["name"] == "site"][0])
    pp.create_gen(net, site, p_mw=50.0, vm_pu=1.02, name="g")
    pp.create_shunt(net, site, q_mvar=-20.0, name="cap")
    pp.create_sgen(net, site, p_mw=30.0, name="pv")
    pp.create_bus(net, 230.0, name="alone")
    text = advice.nonconvergence_advice(net)
    assert "tap positions of 1 off neutral (tap_pos)" in text
    assert "generator voltage set points (net.gen vm_pu of 1 generator(s))" in text
    assert "shunt signs" in text and "static generation (net.sgen)" in text
    assert "buses with no path to an ext_grid (islanded)" in text


def test_hosting_with_a_non_converging_network_state_gives_network_advice() -> None:
    """The network's own state does not converge: not a 'replace switches' data error."""
    net = load_network(POI_JSON)
    net.load.loc[net.load["name"] == "campus", "p_mw"] = 20000.0
    with pytest.raises(PowerFlowNotConverged) as info:
        hosting_capacity(net, "poi_230kV", contingencies="none")
    message = str(info.value)
    assert "does not converge" in message and "voltage collapse" in message
    assert "transformer ratios" in message and "switch" not in message
    assert "generator" not in message


def test_docstring_examples() -> None:
    assert doctest.testmod(advice).failed == 0
