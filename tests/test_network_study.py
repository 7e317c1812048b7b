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
