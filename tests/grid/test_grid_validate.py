"""Impossible networks are refused on load with one line naming the file, element, field and fix
(:mod:`gridtwin.grid.validate`), through every entry point: the loader, ``grid hosting``,
``grid screen`` and the study's site network (``grid check`` in test_grid_check.py)."""

from __future__ import annotations

import doctest
import re
from collections.abc import Callable
from pathlib import Path

import pandapower as pp
import pandapower.networks as pn
import pytest
from typer.testing import CliRunner

from gridtwin.cli import app
from gridtwin.config import NetworkConfig
from gridtwin.exceptions import DataError
from gridtwin.grid import validate
from gridtwin.grid.network import load_network
from gridtwin.network.assemble import read_site_network

ROOT = Path(__file__).resolve().parents[2]
POI_JSON = ROOT / "networks" / "greensboro_poi.json"
runner = CliRunner()


def _set(table: str, row: int, **values: float) -> Callable[[pp.pandapowerNet], None]:
    def change(net: pp.pandapowerNet) -> None:
        for column, value in values.items():
            net[table].loc[row, column] = value

    return change


#: name -> (change to the POI network, pattern of the message after "<file>: ")
BROKEN = {
    "line_to_missing_bus": (
        _set("line", 0, to_bus=7),
        r"net\.line row 0 \(circuit_1\) has to_bus = 7, which is not a bus of the network "
        r"\(net\.bus has 4 buses, indices 0\.\.3\); point it at an existing bus",
    ),
    "trafo_to_missing_bus": (
        _set("trafo", 1, lv_bus=9),
        r"net\.trafo row 1 \(T2\) has lv_bus = 9, which is not a bus",
    ),
    "load_on_missing_bus": (
        _set("load", 0, bus=12),
        r"net\.load row 0 \(campus\) has bus = 12, which is not a bus",
    ),
    "sgen_on_missing_bus": (_set("sgen", 1, bus=12), r"net\.sgen row 1 \(onwind\) has bus = 12"),
    "ext_grid_on_missing_bus": (
        _set("ext_grid", 0, bus=40),
        r"net\.ext_grid row 0 \(grid\) has bus = 40, which is not a bus",
    ),
    "zero_impedance_line": (
        _set("line", 0, r_ohm_per_km=0.0, x_ohm_per_km=0.0),
        r"net\.line row 0 \(circuit_1\) has r_ohm_per_km = 0 and x_ohm_per_km = 0 "
        r"\(a zero-impedance line",
    ),
    "line_without_reactance": (
        _set("line", 2, x_ohm_per_km=0.0),
        r"net\.line row 2 \(collector\) has x_ohm_per_km = 0 \(the linearised power flow "
        r"divides by the series reactance\); give the line's reactance per km",
    ),
    "trafo_with_vk_0": (
        _set("trafo", 0, vk_percent=0.0),
        r"net\.trafo row 0 \(T1\) has vk_percent = 0 \(a zero-impedance transformer",
    ),
    "trafo_vkr_above_vk": (
        _set("trafo", 0, vkr_percent=13.0),
        r"net\.trafo row 0 \(T1\) has vkr_percent = 13\.0 above vk_percent = 12\.0",
    ),
    "negative_length": (
        _set("line", 1, length_km=-30.0),
        r"net\.line row 1 \(circuit_2\) has length_km = -30\.0 \(must be > 0\)",
    ),
    "negative_current_rating": (
        _set("line", 1, max_i_ka=-1.92),
        r"net\.line row 1 \(circuit_2\) has max_i_ka = -1\.92 \(a current rating cannot be",
    ),
    "negative_trafo_rating": (
        _set("trafo", 0, sn_mva=-600.0),
        r"net\.trafo row 0 \(T1\) has sn_mva = -600\.0 \(must be > 0\); give the rated power",
    ),
    "negative_sgen_rating": (
        _set("sgen", 0, sn_mva=-400.0),
        r"net\.sgen row 0 \(solar\) has sn_mva = -400\.0 \(a rating cannot be negative\)",
    ),
    "non_finite_reactance": (
        _set("line", 0, x_ohm_per_km=float("nan")),
        r"net\.line row 0 \(circuit_1\) has x_ohm_per_km = nan \(must be finite\); fix the "
        r"value or set the line out of service",
    ),
    "zero_loading_limit": (
        _set("trafo", 1, max_loading_percent=0.0),
        r"net\.trafo row 1 \(T2\) has max_loading_percent = 0\.0 \(must be > 0 if given\)",
    ),
    "no_parallel_trafo": (
        _set("trafo", 1, parallel=0),
        r"net\.trafo row 1 \(T2\) has parallel = 0 \(must be a whole number >= 1\)",
    ),
}


def _broken(folder: Path, case: str) -> Path:
    net = pp.from_json(str(POI_JSON))
    BROKEN[case][0](net)
    path = folder / f"{case}.json"
    pp.to_json(net, str(path))
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_load_refuses_impossible_network_naming_element(tmp_path: Path, case: str) -> None:
    path = _broken(tmp_path, case)
    with pytest.raises(DataError, match=BROKEN[case][1]) as info:
        load_network(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_hosting_cli_refuses_impossible_network_in_one_line(tmp_path: Path, case: str) -> None:
    path = _broken(tmp_path, case)
    res = runner.invoke(
        app, ["grid", "hosting", str(path), "--bus", "poi_230kV", "--contingencies", "none"]
    )
    assert res.exit_code == 1, res.output
    assert res.output.count("\n") == 1 and res.output.startswith(f"error: {path}: ")
    assert "Traceback" not in res.output


@pytest.mark.parametrize("case", ["line_to_missing_bus", "line_without_reactance"])
def test_screen_cli_refuses_impossible_network_in_one_line(tmp_path: Path, case: str) -> None:
    path = _broken(tmp_path, case)
    out = tmp_path / "screen.nc"
    res = runner.invoke(app, ["grid", "screen", str(path), "-o", str(out), "--min-kv", "30"])
    assert res.exit_code == 1, res.output
    assert res.output.count("\n") == 1 and re.search(BROKEN[case][1], res.output)
    assert not out.exists()


@pytest.mark.parametrize(
    "case", ["load_on_missing_bus", "trafo_with_vk_0", "line_without_reactance"]
)
def test_study_site_network_refuses_impossible_network(tmp_path: Path, case: str) -> None:
    path = _broken(tmp_path, case)
    cfg = NetworkConfig(path=path, load_bus="campus_34.5kV")
    with pytest.raises(DataError, match=BROKEN[case][1]) as info:
        read_site_network(cfg)
    assert str(info.value).startswith(f"{case}.json (study field network.path): ")


def test_ratings_are_required_only_for_thermal_limits(tmp_path: Path) -> None:
    net = pp.from_json(str(POI_JSON))
    net.line.loc[0, "max_i_ka"] = 0.0
    path = tmp_path / "unrated.json"
    pp.to_json(net, str(path))
    load_network(path)  # a power flow does not need the rating
    with pytest.raises(DataError, match=r"max_i_ka = 0\.0 \(must be > 0\)"):
        load_network(path, ratings=True)
    res = runner.invoke(app, ["grid", "hosting", str(path), "--bus", "poi_230kV"])
    assert res.exit_code == 1 and res.output.startswith(f"error: {path}: net.line row 0")


def test_out_of_service_trafo_is_checked_too(tmp_path: Path) -> None:
    """pandapower computes every transformer's impedance, in service or not."""
    net = pp.from_json(str(POI_JSON))
    net.trafo.loc[1, ["vk_percent", "in_service"]] = [0.0, False]
    with pytest.raises(DataError, match=r"net\.trafo row 1 \(T2\) has vk_percent = 0"):
        validate.check_network(net, "poi")


@pytest.mark.parametrize("name", ["case9", "case118", "case145", "iceland"])
def test_real_cases_with_negative_impedances_pass(name: str) -> None:
    """MATPOWER equivalents carry negative r, x and vk (series compensation, three-winding
    equivalents); they are not refused."""
    validate.check_network(getattr(pn, name)(), name, ratings=True)


def test_switch_to_missing_line_is_refused() -> None:
    net = pp.from_json(str(POI_JSON))
    pp.create_switch(net, bus=1, element=0, et="l", name="breaker")
    net.switch.loc[0, "element"] = 5  # a line deleted after the switch was made
    with pytest.raises(DataError, match=r"net\.switch row 0 \(breaker\) has et = 'l' and "):
        validate.check_network(net, "poi")


def test_docstring_examples() -> None:
    assert doctest.testmod(validate, optionflags=doctest.ELLIPSIS).failed == 0
