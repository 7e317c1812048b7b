"""``gridtwin grid check``: hourly AC power flow of a solved 48-hour study at the POI network.

The external-grid exchange found by the power flow is cross-checked against the result's own
``grid_import - grid_export`` (the optimiser's energy balance) and an independent pandapower
run at the peak-import hour.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

pp = pytest.importorskip("pandapower")

from gridtwin.cli import app  # noqa: E402
from gridtwin.config import parse_study  # noqa: E402
from gridtwin.grid.network import load_network  # noqa: E402
from gridtwin.results import open_results, write_results  # noqa: E402
from gridtwin.study import run_study  # noqa: E402
from gridtwin.weather import open_weather, write_weather  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NETWORK = ROOT / "networks" / "greensboro_poi.json"
STUDY = (
    "name: grid\nweather: {path: days.nc}\n"
    "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
)
runner = CliRunner()


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A solved two-day April study of the default campus."""
    folder = tmp_path_factory.mktemp("grid")
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(
        time=slice(2160, 2160 + 48)
    )
    write_weather(weather, folder / "days.nc")
    run_study(parse_study(STUDY, base=folder), output=folder / "result.nc")
    return folder / "result.nc"


def _campus_and_sgens(ds: xr.Dataset, t: int) -> tuple[float, float, float]:
    """Net campus draw, solar and wind of hour ``t`` [MW], recomputed here from the result."""
    p = ds["p"].isel(time=t)
    techs = [str(x) for x in ds["technology"].values]
    solar = float(p.sel(technology="solar")) if "solar" in techs else 0.0
    wind = float(p.sel(technology="onwind")) if "onwind" in techs else 0.0
    other = sum(float(p.sel(technology=x)) for x in techs if x not in ("solar", "onwind"))
    return float(ds["load_served"].isel(time=t)) - other, solar, wind


def test_cli_adds_grid_variables_and_matches_poi_exchange(result: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.nc"
    res = runner.invoke(
        app, ["grid", "check", str(result), "--network", str(NETWORK), "--n1-hours", "3",
              "-o", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "max loading" in res.output and "worst N-1" in res.output
    before, after = open_results(result), open_results(out)
    # existing variables untouched
    for name in before.data_vars:
        xr.testing.assert_identical(before[name], after[name])
    assert after["vm_pu"].dims == ("time", "bus") and after["vm_pu"].attrs["units"] == "1"
    assert after["loading_percent"].dims == ("time", "branch")
    assert after["loading_percent"].attrs["units"] == "%"
    assert after["losses_mw"].attrs["units"] == "MW"
    assert after["n1_max_loading_percent"].dims == ("contingency",)
    assert after.sizes["contingency"] == 5  # 2 circuits, 2 transformers, 1 collector
    assert set(after["n1_status"].values) <= {"ok", "not_converged", "islanding"}
    assert after.attrs["grid_network"] == str(NETWORK)
    assert int(after.attrs["grid_violations"]) >= 0
    assert np.isfinite(after["vm_pu"]).all()

    # the AC exchange at the external grid is the optimiser's POI exchange plus network losses
    exchange = (after["grid_import"] - after["grid_export"]).to_numpy()
    ext = after["ext_grid_p_mw"].to_numpy()
    losses = after["losses_mw"].to_numpy()
    assert (losses > 0).all()
    np.testing.assert_allclose(ext, exchange + losses, atol=1e-3)

    # independent pandapower run at the peak-import hour
    t = int(np.argmax(exchange))
    campus, solar, wind = _campus_and_sgens(before, t)
    net = copy.deepcopy(load_network(NETWORK))
    net.load.loc[net.load.name == "campus", "p_mw"] = campus
    net.sgen.loc[net.sgen.name == "solar", "p_mw"] = solar
    net.sgen.loc[net.sgen.name == "onwind", "p_mw"] = wind
    pp.runpp(net, numba=False)
    pf_losses = float(net.res_line.pl_mw.sum() + net.res_trafo.pl_mw.sum())
    assert float(net.res_ext_grid.p_mw.sum()) == pytest.approx(exchange[t] + pf_losses, abs=1e-3)
    assert pf_losses == pytest.approx(losses[t], rel=1e-4)


def test_hours_option_checks_a_prefix_in_place(result: Path, tmp_path: Path) -> None:
    copy_path = tmp_path / "inplace.nc"
    write_results(open_results(result), copy_path)
    res = runner.invoke(
        app, ["grid", "check", str(copy_path), "--network", str(NETWORK), "--hours", "6",
              "--n1-hours", "2"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    ds = open_results(copy_path)
    assert ds.attrs["grid_hours"] == 6
    assert np.isfinite(ds["losses_mw"].isel(time=slice(0, 6))).all()
    assert np.isnan(ds["losses_mw"].isel(time=slice(6, None))).all()


def test_aggregated_result_is_refused(result: Path, tmp_path: Path) -> None:
    ds = open_results(result).isel(time=slice(0, 24))
    ds["snapshot_weight"] = xr.full_like(ds["snapshot_weight"], 2.0)
    agg = write_results(ds, tmp_path / "agg.nc")
    res = runner.invoke(app, ["grid", "check", str(agg), "--network", str(NETWORK)])
    assert res.exit_code == 1
    assert "aggregated" in res.output and "Traceback" not in res.output
    assert "vm_pu" not in open_results(agg)


def test_missing_network_is_one_line_error(result: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    res = runner.invoke(app, ["grid", "check", str(result), "--network", str(missing)])
    assert res.exit_code == 1
    assert "network file not found" in res.output
    assert len(res.output.strip().splitlines()) <= 3  # one line, soft-wrapped at most


def test_cli_refuses_network_with_line_to_missing_bus_in_one_line(
    result: Path, tmp_path: Path
) -> None:
    net = load_network(NETWORK)
    net.line.loc[0, "to_bus"] = 7
    bad = tmp_path / "dangling.json"
    pp.to_json(net, str(bad))
    res = runner.invoke(app, ["grid", "check", str(result), "--network", str(bad)])
    assert res.exit_code == 1, res.output
    assert res.output.startswith(f"error: {bad}: net.line row 0 (circuit_1) has to_bus = 7")
    assert res.output.count("\n") == 1
