"""Figures, the report folder and the PyPSA export, on a solved 10-day April study.

The numbers behind the figures are recomputed here from the result arrays (the dispatch stack
must sum to the load served every hour; the hardest week is found with pandas independently);
the PyPSA export is opened with PyPSA and checked with PyPSA's own statistics (energy balance
at every bus, capex + opex = the result's system cost).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

import gridtwin
from gridtwin import plots
from gridtwin.cli import app
from gridtwin.config import parse_study
from gridtwin.exceptions import DataError
from gridtwin.export import to_pypsa
from gridtwin.report import MARKER, write_report
from gridtwin.study import run_study
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]
STUDY = (
    "name: rep\nweather: {path: days.nc}\n"
    "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
)
PNG = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(
        time=slice(2160, 2160 + 240)
    )
    write_weather(weather, folder / "days.nc")
    run_study(parse_study(STUDY, base=folder), output=folder / "result.nc")
    return folder / "result.nc"


@pytest.fixture(scope="module")
def ds(result: Path) -> xr.Dataset:
    return gridtwin.open_results(result)


def test_dispatch_stack_sums_to_load_served(ds: xr.Dataset) -> None:
    frame = plots.dispatch_frame(ds, start="2019-04-03", days=3)
    assert frame.index[0] == pd.Timestamp("2019-04-03") and len(frame) == 72
    supply = frame.drop(columns=["load", "load_served"])
    assert (supply.filter(like="(charging)") <= 0).all().all()
    assert (supply["grid_import"] >= 0).all()
    np.testing.assert_allclose(supply.sum(axis=1), frame["load_served"], atol=1e-6)
    # against the result directly: solar column is the solar output of those hours
    hours = ds.sel(time=slice("2019-04-03", "2019-04-05T23:00"))
    np.testing.assert_allclose(frame["solar"], hours["p"].sel(technology="solar"), atol=1e-9)


def test_hardest_week_is_the_week_of_most_grid_import(ds: xr.Dataset) -> None:
    imports = ds["grid_import"].to_series()
    daily = imports.resample("1D").sum()
    best = max(
        (daily.index[i] for i in range(len(daily) - 6) if daily.index[i] >= daily.index[0]),
        key=lambda d: daily.loc[d : d + pd.Timedelta(days=6)].sum(),
    )
    assert plots.hardest_week(ds) == best
    assert plots.dispatch_frame(ds).index[0] == max(best, imports.index[0])


def test_duration_curve_covers_the_horizon(ds: xr.Dataset) -> None:
    fig = plots.duration_curves(ds)
    load_line = fig.axes[0].lines[0]
    x, y = load_line.get_xdata(), load_line.get_ydata()
    assert x[-1] == pytest.approx(240.0)
    assert y[0] == pytest.approx(float(ds["load"].max()))
    assert np.all(np.diff(y) <= 1e-9)  # sorted high to low


def test_figures_and_report_folder(ds: xr.Dataset, result: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    res = runner.invoke(app, ["report", str(result), "-o", str(out)])
    assert res.exit_code == 0, res.output
    expected = ["dispatch", "capacity_mix", "duration_curves", "state_of_charge"]
    page = (out / "index.html").read_text()
    for name in expected:
        data = (out / f"{name}.png").read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, name
        assert f"src='{name}.png'" in page
    assert "poi_loading" not in page  # no power-flow results in this file
    assert f"{100 * float(ds['cfe_score']):.2f} %" in page
    assert "no poi.grid_co2_intensity" in page  # imports without a CO2 intensity are not 0 t
    assert (out / MARKER).is_file()
    # the EU reporting page: the KPIs recomputed, the models it lacks said so
    eu = (out / "eu_reporting.html").read_text()
    assert "eu_reporting.html" in page
    assert f"<td>PUE</td><td>{float(ds['kpi_pue']):.3f}</td>" in eu
    assert f"<td>WUE</td><td>{float(ds['kpi_wue']):.3f}</td>" in eu  # the towers' water
    assert "<td>ERF</td><td>not modelled</td>" in eu
    assert "Delegated Regulation (EU) 2024/1364" in eu

    # rerun replaces the folder; a failing figure leaves the earlier report as it was
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(DataError, match="select fewer than 2 hours"):
        write_report(ds, out, start="2030-01-01")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".rep.")]  # no leftovers
    res = runner.invoke(app, ["report", str(result), "-o", str(out), "--start", "2019-04-05"])
    assert res.exit_code == 0, res.output
    assert (out / "dispatch.png").read_bytes() != before["dispatch.png"]


def test_report_refuses_a_foreign_folder_and_bad_dates(result: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    res = runner.invoke(app, ["report", str(result), "-o", str(mine)])
    assert res.exit_code == 1 and "not a gridtwin report" in res.output
    assert (mine / "notes.txt").read_text() == "keep me" and len(list(mine.iterdir())) == 1
    res = runner.invoke(app, ["report", str(result), "-o", str(tmp_path / "r"), "--start", "x"])
    assert res.exit_code == 1 and "not a date" in res.output
    assert not (tmp_path / "r").exists()
    res = runner.invoke(app, ["report", str(tmp_path / "missing.nc"), "-o", str(tmp_path / "r")])
    assert res.exit_code == 1 and "not found" in res.output
    res = runner.invoke(app, ["report", str(result), "-o", str(mine / "notes.txt" / "r")])
    assert res.exit_code == 1 and "cannot write here" in res.output  # parent is a file
    # a user's file added to an earlier report is never deleted by a rerun
    out = tmp_path / "rep"
    assert runner.invoke(app, ["report", str(result), "-o", str(out)]).exit_code == 0
    (out / "my_notes.md").write_text("mine")
    res = runner.invoke(app, ["report", str(result), "-o", str(out)])
    assert res.exit_code == 1 and "my_notes.md" in res.output
    assert (out / "my_notes.md").read_text() == "mine"
    (out / "my_notes.md").unlink()
    (out / MARKER).write_text("written by gridtwin report; the folder is replaced on rerun\n")
    res = runner.invoke(app, ["report", str(result), "-o", str(out)])  # a report of an older
    assert res.exit_code == 0, res.output  # version (marker without its file list) is replaced
    with pytest.raises(DataError, match="whole number of days"):
        plots.dispatch_frame(gridtwin.open_results(result), days=0)


def test_poi_loading_after_grid_check(result: Path, tmp_path: Path) -> None:
    pytest.importorskip("pandapower")
    checked = tmp_path / "checked.nc"
    res = runner.invoke(
        app, ["grid", "check", str(result), "--n1-hours", "2", "-o", str(checked)]
    )  # fmt: skip
    assert res.exit_code in (0, 1), res.output  # 1: violations found, file still written
    ds = gridtwin.open_results(checked)
    fig = ds.gridtwin.poi_loading()
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (24, 10)
    branch = fig.axes[0].get_title().split("Loading of ")[1].split(" (")[0]
    loading = ds["loading_percent"]
    assert branch == str(loading["branch"].values[int(np.argmax(loading.max("time").values))])
    # the site's local standard time (UTC-5): local hour 0 of 1 April is 05:00 UTC
    first = float(loading.sel(branch=branch).isel(time=0))
    assert float(image[0, 0]) == pytest.approx(first)
    out = tmp_path / "rep"
    write_report(ds, out)
    assert (out / "poi_loading.png").read_bytes().startswith(PNG)
    page = (out / "index.html").read_text()
    assert f"<td>{ds.attrs['grid_violations']}</td>" in page and "worst N-1 loading" in page
    assert ds["bus_index"].attrs["long_name"] and ds["element_index"].attrs["long_name"]
    with pytest.raises(DataError, match="no branch 'nope'"):
        plots.poi_loading(ds, branch="nope")


def test_figures_need_the_right_kind_of_result(ds: xr.Dataset) -> None:
    with pytest.raises(DataError, match="needs a sweep result"):
        ds.gridtwin.cost_curve()
    with pytest.raises(DataError, match="gridtwin grid check"):
        ds.gridtwin.poi_loading()
    sweep = xr.concat([ds, ds], dim=xr.Variable("scenario", ["a", "b"]))
    with pytest.raises(DataError, match="sweep result"):
        plots.dispatch(sweep)
    fig = plots.capacity_mix(sweep)  # one stacked bar per scenario
    assert len(fig.axes[0].patches) >= 2


def test_pypsa_export_balances_and_costs(ds: xr.Dataset, result: Path, tmp_path: Path) -> None:
    pypsa = pytest.importorskip("pypsa")
    out = tmp_path / "network.nc"
    res = runner.invoke(app, ["export", str(result), "-o", str(out)])
    assert res.exit_code == 0, res.output
    n = pypsa.Network(out)
    assert len(n.snapshots) == 240
    for tech in ("solar", "onwind"):
        assert n.generators.at[tech, "p_nom_opt"] == pytest.approx(
            float(ds["p_nom_opt"].sel(technology=tech)), abs=1e-9
        )
    assert n.stores.at["battery", "e_nom_opt"] == pytest.approx(
        float(ds["e_nom_opt"].sel(storage="battery"))
    )
    # PyPSA's own energy balance closes at every bus and snapshot
    balance = n.statistics.energy_balance(aggregate_time=False, groupby="bus", round=12)
    assert float(balance.groupby(level="bus").sum().abs().max().max()) < 1e-6
    # PyPSA's capex + opex = gridtwin's system cost over the horizon
    total = float(n.statistics.capex(round=12).sum() + n.statistics.opex(round=12).sum())
    horizon = float(ds["system_cost"]) * float(ds["horizon_years"])
    assert total == pytest.approx(horizon, rel=1e-9)
    # the store follows the state of charge it was given (PyPSA's storage equation)
    eta_c = float(n.links.at["battery charger", "efficiency"])
    eta_d = float(n.links.at["battery discharger", "efficiency"])
    e = n.stores_t.e["battery"].to_numpy()
    flow = eta_c * n.links_t.p0["battery charger"] - n.links_t.p0["battery discharger"]
    np.testing.assert_allclose(np.diff(e), flow.to_numpy()[1:], atol=1e-4)
    assert eta_c * eta_d == pytest.approx(float(ds["efficiency_roundtrip"].sel(storage="battery")))


def test_export_refuses_sweeps_and_its_input(ds: xr.Dataset, result: Path) -> None:
    sweep = xr.concat([ds, ds], dim=xr.Variable("scenario", ["a", "b"]))
    with pytest.raises(DataError, match="sweep result"):
        to_pypsa(sweep)
    before = os.stat(result).st_mtime_ns
    res = runner.invoke(app, ["export", str(result), "-o", str(result)])
    assert res.exit_code == 1 and "input" in res.output
    assert os.stat(result).st_mtime_ns == before


def test_curtailment_by_technology_is_available_less_output(ds: xr.Dataset) -> None:
    """Recomputed here from capacity factors, capacities and dispatch, per year."""
    years = float(ds["horizon_years"])
    assert ds["curtailed_energy"].attrs["units"] == "MW h yr-1"
    for tech in ("solar", "onwind"):
        row = ds.sel(technology=tech, curtailable=tech)
        available = float((row["capacity_factor"] * row["p_nom_opt"]).sum()) / years
        produced = float(row["p"].sum()) / years
        assert float(row["available_energy"]) == pytest.approx(available, rel=1e-9)
        assert float(row["curtailed_energy"]) == pytest.approx(available - produced, abs=1e-6)
        share = (available - produced) / available
        assert float(row["curtailment_share"]) == pytest.approx(share, abs=1e-9)
    assert "battery" not in ds["curtailable"].values  # storage is not curtailed
    assert not any(bool(ds[v].isnull().any()) for v in ("available_energy", "curtailment_share"))
    hourly = float(ds["curtailment"].sum()) / years  # the hourly total of the same generators
    assert hourly == pytest.approx(float(ds["curtailed_energy"].sum()), abs=1e-6)


def test_cost_breakdown_sums_to_the_system_cost_and_the_objective(ds: xr.Dataset) -> None:
    from gridtwin.technologies import annuity, load_catalogue

    parts = ds["cost_breakdown"].to_series()
    assert list(parts.index) == ["capital", "fixed_om", "variable", "grid", "network",
                                 "flexibility", "heat", "water", "resilience"]  # fmt: skip
    assert parts["heat"] == 0.0 and parts["water"] == 0.0  # no heat reuse, water not priced
    assert parts["resilience"] == 0.0  # no resilience sizing
    assert ds["cost_breakdown"].attrs["currency"] == "USD"
    assert parts.sum() == pytest.approx(float(ds["system_cost"]), rel=1e-12)
    objective = float(ds.attrs["objective"]) / float(ds["horizon_years"])  # the solver's
    assert parts.sum() == pytest.approx(objective, rel=1e-6)
    # capital and fixed O&M from the catalogue's investment, fom, lifetime and rate
    cat = load_catalogue().pivot(index="technology", columns="parameter", values="value")
    built = {
        "solar": float(ds["p_nom_opt"].sel(technology="solar")),
        "onwind": float(ds["p_nom_opt"].sel(technology="onwind")),
        "battery_power": float(ds["p_nom_opt"].sel(technology="battery")),
        "battery_energy": float(ds["e_nom_opt"].sel(storage="battery")),
    }
    fom = sum(cat.at[t, "investment"] * cat.at[t, "fom"] / 100 * x for t, x in built.items())
    crf = {t: annuity(cat.at[t, "discount_rate"], cat.at[t, "lifetime"]) for t in built}
    capital = sum(cat.at[t, "investment"] * crf[t] * x for t, x in built.items())
    assert parts["fixed_om"] == pytest.approx(fom, rel=1e-9) and fom > 0
    assert parts["capital"] == pytest.approx(capital, rel=1e-9)
    # grid: 75 USD/MWh on every MWh imported (no export price, no demand charge), per year
    grid = 75.0 * float(ds["grid_import"].sum()) / float(ds["horizon_years"])
    assert parts["grid"] == pytest.approx(grid, rel=1e-9)
    assert parts["network"] == 0.0 and parts["flexibility"] >= 0.0


def _fits(text: str, headers: list[str], width: int = 80) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, text
    for header in headers:  # each header whole on one line: not cut, not wrapped
        assert any(header in line for line in lines), (header, text)


def test_run_summary_tables_fit_80_columns(ds: xr.Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from gridtwin import cli
    from gridtwin.tables import capacity_rows, cost_rows, curtailment_rows

    console = Console(width=80, record=True, file=io.StringIO())
    monkeypatch.setattr(cli, "console", console)
    cli._print_summary(ds, Path("result.nc"))
    text = console.export_text()
    headers = [h for rows in (capacity_rows, cost_rows, curtailment_rows) for h in rows(ds)[0]]
    tables = text.split("campus load")[0]
    _fits(tables, headers)
    total = f"{float(ds['system_cost']) / 1e6:,.1f}"
    assert re.search(rf"system cost\s+│\s+{re.escape(total)}\s+│\s+100\.0", tables)
    solar = float(ds["curtailed_energy"].sel(curtailable="solar"))
    assert re.search(rf"solar\s+│[^\n]*│\s+{solar:,.0f}\s+│", tables)


def test_report_page_and_command_show_curtailment_and_costs(result: Path, tmp_path: Path) -> None:
    ds = gridtwin.open_results(result)
    res = runner.invoke(app, ["report", str(result), "-o", str(tmp_path / "r")], terminal_width=80)
    assert res.exit_code == 0, res.output
    assert "Curtailment of clean generators" in res.output and "system cost" in res.output
    page = (tmp_path / "r" / "index.html").read_text()
    assert "<h2>Annual system cost by part</h2>" in page and "fixed O&amp;M" in page
    assert f"<td>{float(ds['system_cost']) / 1e6:,.1f}</td>" in page
    assert "<th>curtailed [MWh/a]</th>" in page
