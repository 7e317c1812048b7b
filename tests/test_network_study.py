"""A study with a site network, end to end on two April days: the network section, a new
collector substation, the AC loop, the grid check and the export; and one-line errors for
bad network sections."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gridtwin.cli import app
from gridtwin.config import parse_study
from gridtwin.exceptions import ConfigError, GridTwinError
from gridtwin.export import to_pypsa
from gridtwin.results import open_results
from gridtwin.study import run_study
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "networks" / "greensboro_poi.json"
STUDY = f"""
name: netdays
weather: {{path: days.nc}}
poi: {{p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}}
policy: {{cfe_target: 0.5}}
technologies: {{extendable: [solar, battery]}}
site: {{land_area_ha: 1500.0}}
network:
  path: {NETWORK}
  load_bus: campus_34.5kV
  substations: {{solar: {{bus: poi_230kV, vn_kv: 34.5}}}}
  s_max_pu: 0.95
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("netdays")
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(
        time=slice(2160, 2160 + 48)
    )
    write_weather(weather, folder / "days.nc")
    return folder


@pytest.fixture(scope="module")
def result(folder: Path) -> Path:
    run_study(parse_study(STUDY, base=folder), output=folder / "result.nc")
    return folder / "result.nc"


def test_new_substation_is_sized_and_checked(result: Path, tmp_path: Path) -> None:
    ds = open_results(result)
    name = "trafo:solar_substation"
    solar = ds["p"].sel(technology="solar").to_numpy()
    assert str(ds["technology_bus"].sel(technology="solar").item()) == "solar_substation"
    # the new transformer carries the solar output and is sized for its peak (95 % usable)
    np.testing.assert_allclose(ds["branch_flow"].sel(branch=name), -solar, atol=1e-3)
    assert float(ds["s_nom"].sel(branch=name)) == 0.0
    assert float(ds["s_nom_opt"].sel(branch=name)) == pytest.approx(solar.max() / 0.95, rel=1e-4)
    assert float(ds["land_used"]) <= 1500.0 + 1e-6
    assert ds.attrs["ac_loop_converged"] == 1
    res = CliRunner().invoke(app, ["grid", "check", str(result), "-o", str(tmp_path / "c.nc")])
    assert res.exit_code == 0, res.output
    checked = open_results(tmp_path / "c.nc")
    assert int(checked.attrs["grid_violations"]) == 0
    assert "trafo:solar_substation" in set(checked["contingency"].values)
    loading = checked["loading_percent"].sel(branch=name).to_numpy()
    assert np.isfinite(loading).all() and loading.max() <= 100.0


def test_backends_agree_on_the_network_study(folder: Path) -> None:
    pypsa_cost = float(run_study(parse_study(STUDY, base=folder))["system_cost"])
    cvxpy = STUDY + "solver: {backend: cvxpy}\n"
    cvxpy_cost = float(run_study(parse_study(cvxpy, base=folder))["system_cost"])
    assert cvxpy_cost == pytest.approx(pypsa_cost, rel=1e-6)


def test_export_balances_every_bus(result: Path) -> None:
    """The exported PyPSA network keeps the site network; PyPSA's own statistics find every
    bus balanced in every hour."""
    n = to_pypsa(open_results(result))
    assert "solar_substation" in n.buses.index and "trafo:solar_substation" in n.lines.index
    balance = n.statistics.energy_balance(groupby=["bus"], aggregate_time=False)
    assert balance.groupby(level="bus").sum().abs().to_numpy().max() <= 1e-4


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (("load_bus: campus_34.5kV", "load_bus: nowhere"), r"load bus 'nowhere' is not a bus"),
        (
            ("substations: {solar: {bus: poi_230kV, vn_kv: 34.5}}", "buses: {onwind: poi_230kV}"),
            r"network\.buses: \['onwind'\] are not technologies of this study",
        ),
        (
            (
                "substations: {solar: {bus: poi_230kV, vn_kv: 34.5}}",
                "substations: {solar: {bus: x}}",
            ),
            r"network\.substations\.solar\.bus: 'x' is not a bus of network",
        ),
        (("path: " + str(NETWORK), "path: missing.json"), r"network\.path.*file not found"),
        (("path: " + str(NETWORK), "path: case9"), r"pandapower JSON file \(\.json\)"),
    ],
)
def test_bad_network_sections_are_one_line_errors(
    folder: Path, change: tuple[str, str], pattern: str
) -> None:
    text = STUDY.replace(*change)
    with pytest.raises(GridTwinError, match=pattern) as info:
        run_study(parse_study(text, base=folder))
    assert "\n" not in str(info.value)


def test_offsite_contract_needs_a_size_limit(folder: Path) -> None:
    text = STUDY.replace("extendable: [solar, battery]", "extendable: [solar, solar_offsite]")
    with pytest.raises(ConfigError, match=r"technologies\.assets\.solar_offsite\.p_nom_max"):
        parse_study(text, base=folder)


def test_dispatch_figure_counts_offsite_energy_once(folder: Path) -> None:
    """Offsite contracts arrive in the import: the dispatch stack shows their delivered part
    and the market import apart, and still sums to the load served."""
    from gridtwin.plots import dispatch_frame

    text = STUDY.replace(
        "extendable: [solar, battery]}",
        "extendable: [solar, battery, solar_offsite], assets: {solar_offsite: {p_nom_max: 800}}}",
    )
    ds = run_study(parse_study(text, base=folder))
    assert float(ds["offsite_delivered"].max()) > 1.0
    frame = dispatch_frame(ds, start=str(ds["time"].values[0])[:10], days=2)
    supply = frame.drop(columns=["load", "load_served"]).sum(axis=1)
    np.testing.assert_allclose(supply, frame["load_served"], atol=1e-4)
    assert "solar_offsite" not in frame and "offsite delivered" in frame


def _weak_network(path: Path) -> Path:
    """One 300 km 230 kV line to the campus: the LP reinforces its rating, but 1 GW over
    120 Ohm of reactance collapses the voltage in the AC power flow."""
    import pandapower as pp

    net = pp.create_empty_network(sn_mva=100.0, f_hz=60.0)
    grid = pp.create_bus(net, 230.0, name="grid", min_vm_pu=0.95, max_vm_pu=1.05)
    site = pp.create_bus(net, 230.0, name="site", min_vm_pu=0.95, max_vm_pu=1.05)
    pp.create_ext_grid(net, grid)
    pp.create_line_from_parameters(net, grid, site, 300.0, 0.03, 0.4, 10.0, 1.0, name="long")
    pp.create_load(net, site, p_mw=0.0, name="campus")
    pp.to_json(net, str(path))
    return path


def test_ac_power_flow_failure_keeps_the_sized_result_and_says_so(folder: Path) -> None:
    weak = _weak_network(folder / "weak.json")
    text = STUDY.replace(f"path: {NETWORK}", f"path: {weak}").replace("campus_34.5kV", "site")
    text = text.replace("substations: {solar: {bus: poi_230kV, vn_kv: 34.5}}", "buses: {}")
    out = folder / "weak.nc"
    (folder / "weak.yaml").write_text(text)
    res = CliRunner().invoke(app, ["run", str(folder / "weak.yaml"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = open_results(out)
    assert ds.attrs["ac_loop_converged"] == 0
    assert "AC power flow failed" in ds.attrs["ac_loop_rounds"]
    assert "failed" in res.output and "vm_pu" not in ds


def test_n1_off_reports_overloads_without_failing_the_loop(folder: Path) -> None:
    text = STUDY.replace("  s_max_pu: 0.95", "  s_max_pu: 0.95\n  n1: false")
    text = text.replace("cfe_target: 0.5", "cfe_target: 0.3")
    ds = run_study(parse_study(text, base=folder))
    assert ds.attrs["ac_loop_converged"] == 1  # N-0 passes; N-1 was not asked for


@pytest.mark.parametrize(
    ("column", "value", "pattern"),
    [
        ("parallel", 0, r"net\.line row \d+ \(circuit_1\) has parallel = 0 \(must be a whole"),
        ("df", 0.0, r"has df = 0\.0 \(must be in \(0, 1\]\)"),
    ],
)
def test_line_multipliers_are_checked(
    folder: Path, column: str, value: float, pattern: str
) -> None:
    import pandapower as pp

    net = pp.from_json(str(NETWORK))
    net.line.loc[net.line["name"] == "circuit_1", column] = value
    bad = folder / f"bad_{column}.json"
    pp.to_json(net, str(bad))
    with pytest.raises(GridTwinError, match=pattern):
        run_study(parse_study(STUDY.replace(str(NETWORK), str(bad)), base=folder))


def test_duplicate_bus_names_are_refused(folder: Path) -> None:
    import pandapower as pp

    net = pp.from_json(str(NETWORK))
    net.bus.loc[net.bus["name"] == "collector_34.5kV", "name"] = "campus_34.5kV"
    bad = folder / "dup.json"
    pp.to_json(net, str(bad))
    with pytest.raises(GridTwinError, match=r"bus names \['campus_34\.5kV'\] are given to more"):
        run_study(parse_study(STUDY.replace(str(NETWORK), str(bad)), base=folder))


def test_existing_capacity_beyond_the_land_is_refused(folder: Path) -> None:
    text = STUDY.replace(
        "extendable: [solar, battery]}",
        "extendable: [solar, battery], assets: {solar: {p_nom: 800}}}",
    )
    with pytest.raises(ConfigError, match=r"site\.land_area_ha: the existing on-site capacity"):
        run_study(parse_study(text, base=folder))


def test_offsite_weather_from_a_longer_file_takes_the_study_hours(folder: Path) -> None:
    """A full-year offsite weather file serves a two-day study: its matching hours are used,
    so the contract's capacity factor equals the on-site one of the same site."""
    text = (
        STUDY.replace(
            "extendable: [solar, battery]}",
            "extendable: [solar, battery, solar_offsite], "
            "assets: {solar_offsite: {p_nom_max: 800}}}",
        )
        + f"offsite: {{weather: {ROOT / 'weather' / 'greensboro_tmy3.nc'}}}\n"
    )
    ds = run_study(parse_study(text, base=folder))
    cf = ds["capacity_factor"]
    np.testing.assert_allclose(cf.sel(technology="solar_offsite"), cf.sel(technology="solar"))
