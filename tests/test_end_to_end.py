"""The default study, full year, through the CLI: invariants recomputed independently.

Nothing here is compared with numbers the code printed: the energy balance, the CFE score, the
storage dynamics and the costs are recomputed in this file from the result arrays and from the
technology catalogue with the textbook annuity formula, and the file is re-opened from disk.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from cf_check import EXPECTED, cf_failures
from typer.testing import CliRunner

from gridtwin.cli import app
from gridtwin.conventions import display_units
from gridtwin.results import open_results

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "load": ("time",),
    "it_load": ("time",),
    "pue": ("time",),
    "capacity_factor": ("time", "technology"),
    "p": ("time", "technology"),
    "p_nom_opt": ("technology",),
    "e_nom_opt": ("storage",),
    "state_of_charge": ("time", "storage"),
    "grid_import": ("time",),
    "grid_export": ("time",),
    "grid_cfe_share": ("time",),
    "grid_price": ("time",),
    "capital_cost": ("technology",),
    "marginal_cost": ("technology",),
    "cfe_target": (),
    "cfe_score": (),
    "system_cost": (),
    "lcoe": (),
}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[xr.Dataset, Path, str]:
    out = tmp_path_factory.mktemp("e2e") / "default.nc"
    result = CliRunner().invoke(
        app, ["run", str(ROOT / "studies" / "default.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return open_results(out), out, result.output


def test_schema_units_and_provenance(default_run: tuple[xr.Dataset, Path, str]) -> None:
    ds, _, _ = default_run
    for name, dims in REQUIRED.items():
        assert name in ds, name
        assert ds[name].dims == dims, name
        assert ds[name].attrs.get("units"), name
        assert ds[name].attrs.get("long_name"), name
    assert ds.sizes["time"] == 8760
    assert list(ds["technology"].values) == [
        "solar",
        "solar_offsite",
        "onwind_offsite",
        "diesel_gensets",
        "battery",
        "ups",
    ]
    assert list(ds["storage"].values) == ["battery", "ups"]
    assert ds.attrs["Conventions"] == "CF-1.10"
    assert ds.attrs["source"].startswith("gridtwin ")
    for key in ("title", "history", "institution"):
        assert ds.attrs[key]
    assert ds.attrs["study_yaml"] == (ROOT / "studies" / "default.yaml").read_text()
    # CF units (UDUNITS-2); money carries its currency apart (docs/conventions.md)
    assert ds["capital_cost"].attrs["units"] == "MW-1 yr-1"
    assert ds["capital_cost"].attrs["currency"] == "USD"
    assert ds["capital_cost"].attrs["currency_year"] == ds.attrs["currency_year"] == 2022
    assert display_units(ds["capital_cost"]) == "USD MW-1 yr-1"
    assert display_units(ds["system_cost"]) == "USD yr-1"
    assert ds["e_nom_opt"].attrs["units"] == "MW h"
    # N-1 results are NaN only for the outage that islands the solar collector (no flow to
    # solve there: n1_status says "islanding"); ERF is not modelled without heat reuse (the
    # default study sells no heat), WUE is the towers' water
    nan = [v for v in ds.data_vars if bool(ds[v].isnull().any())]
    assert nan == ["kpi_erf", "n1_max_loading_percent", "n1_min_vm_pu"], nan
    assert ds["kpi_erf"].attrs["comment"] == "not modelled"
    # published range of tower-cooled designs (docs/cooling.md); recomputed from the file below
    assert 1.0 < float(ds["kpi_wue"]) < 2.0
    w = ds["snapshot_weight"]
    it = float((w * ds["load_served"] * ds["it_load"] / ds["load"]).sum())
    assert float(ds["kpi_wue"]) == pytest.approx(float((w * ds["water_use"]).sum()) / it, rel=1e-9)
    islanded = ds["n1_status"] == "islanding"
    assert bool(ds["n1_max_loading_percent"][~islanded.values].notnull().all())
    assert list(ds["contingency"].values[islanded.values]) == ["line:collector"]


def test_cf_conventions_check(default_run: tuple[xr.Dataset, Path, str], tmp_path: Path) -> None:
    """The IOOS compliance checker (CF 1.10) finds no error in the default result.

    Every ``units`` string must parse with UDUNITS-2 (cf-units). The one warning left is CF
    2.4's recommended dimension order (other dims left of time): results keep PyPSA's
    (time, technology) order, documented in docs/conventions.md.
    """
    _, path, _ = default_run
    failed = cf_failures(path, tmp_path)
    assert failed == EXPECTED, failed


OFFSITE = ["solar_offsite", "onwind_offsite"]
ONSITE = ["solar", "diesel_gensets", "battery", "ups"]


def test_energy_balance_every_hour(default_run: tuple[xr.Dataset, Path, str]) -> None:
    ds, _, _ = default_run
    onsite = ds["p"].sel(technology=ONSITE).sum("technology")
    supply = onsite + ds["grid_import"] - ds["grid_export"]
    served = ds["load"] + ds["load_shift"] - ds["load_curtailment"]
    residual = np.abs((supply - served).to_numpy())
    assert residual.max() <= 1e-6 * ds["load"].to_numpy().max()
    np.testing.assert_allclose(ds["load_served"], served, rtol=0, atol=1e-9)
    assert float(ds["grid_import"].max()) <= float(ds["poi_p_nom"]) * (1 + 1e-6)
    # the offsite contracts' output is delivered (within the import) or sold, nothing else
    output = ds["p"].sel(technology=OFFSITE).sum("technology").to_numpy()
    delivered, sold = ds["offsite_delivered"].to_numpy(), ds["offsite_sold"].to_numpy()
    np.testing.assert_allclose(output, delivered + sold, atol=1e-5)
    assert np.all(delivered <= ds["grid_import"].to_numpy() + 1e-6)


def test_kirchhoff_and_ratings_in_the_site_network(
    default_run: tuple[xr.Dataset, Path, str],
) -> None:
    """Flows balance at every bus of the site network, the two circuits and the two
    transformers share equally (equal impedances), and every rating holds, also with one of a
    pair out (N-1: the other carries both flows)."""
    ds, _, _ = default_run
    flow = ds["branch_flow"]
    f = {str(b): flow.sel(branch=b).to_numpy() for b in ds["branch"].values}
    served = ds["load_served"].to_numpy()
    p = {str(t): ds["p"].sel(technology=t).to_numpy() for t in ONSITE}
    imp = (ds["grid_import"] - ds["grid_export"]).to_numpy()
    atol = 1e-5 * float(np.abs(served).max())
    # grid bus: import leaves through the circuits; poi bus: circuits in, transformers out
    np.testing.assert_allclose(imp, f["line:circuit_1"] + f["line:circuit_2"], atol=atol)
    np.testing.assert_allclose(
        f["line:circuit_1"] + f["line:circuit_2"], f["trafo:T1"] + f["trafo:T2"], atol=atol
    )
    # collector: the on-site solar; campus bus: transformers + collector + other assets = load
    np.testing.assert_allclose(p["solar"], f["line:collector"], atol=atol)
    campus = f["trafo:T1"] + f["trafo:T2"] + f["line:collector"]
    campus += p["diesel_gensets"] + p["battery"] + p["ups"]
    np.testing.assert_allclose(campus, served, atol=atol)
    np.testing.assert_allclose(f["line:circuit_1"], f["line:circuit_2"], atol=atol)
    usable = (ds["s_max_pu"] * ds["s_nom_opt"]).to_series()
    for a, b in (("line:circuit_1", "line:circuit_2"), ("trafo:T1", "trafo:T2")):
        assert np.abs(f[a] + f[b]).max() <= usable[a] * (1 + 1e-6)  # N-1
    assert np.abs(f["line:collector"]).max() <= usable["line:collector"] * (1 + 1e-6)
    # land: 3.36 ha/MW of solar, 0.0396 ha/MW of batteries (catalogue) within 1500 ha
    land = 3.36 * float(ds["p_nom_opt"].sel(technology="solar"))
    land += 0.0396 * float(ds["p_nom_opt"].sel(technology="battery"))
    assert float(ds["land_used"]) == pytest.approx(land, rel=1e-9)
    assert land <= 1500.0 * (1 + 1e-6)


def test_default_passes_its_own_grid_check(
    default_run: tuple[xr.Dataset, Path, str], tmp_path: Path
) -> None:
    """The done-when line of issue 14: `gridtwin grid check` on the default result finds no
    violating element-hour and no branch above its rating under N-1, in every hour."""
    ds, path, _ = default_run
    assert ds.attrs["ac_loop_converged"] == 1
    out = tmp_path / "checked.nc"
    result = CliRunner().invoke(app, ["grid", "check", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    checked = open_results(out)
    assert int(checked.attrs["grid_violations"]) == 0
    assert json.loads(checked.attrs["grid_n1_hours"]) == list(range(8760))
    ok = checked["n1_status"] == "ok"
    assert float(checked["n1_max_loading_percent"].where(ok).max()) <= 100.0
    assert set(checked["contingency"].values[~ok.values]) == {"line:collector"}  # islands solar
    assert float(checked["vm_pu"].min()) >= 0.95 and float(checked["vm_pu"].max()) <= 1.05


def test_cfe_score_recomputed(default_run: tuple[xr.Dataset, Path, str]) -> None:
    ds, _, _ = default_run
    load = (ds["load"] + ds["load_shift"] - ds["load_curtailment"]).to_numpy()
    clean = ["solar", "battery", "ups"]  # on site, not the diesel gensets
    onsite = ds["p"].sel(technology=clean).to_numpy().sum(axis=1)
    imp, exp = ds["grid_import"].to_numpy(), ds["grid_export"].to_numpy()
    delivered = ds["offsite_delivered"].to_numpy()  # offsite output up to the hour's import
    market = imp - delivered
    cfe = (onsite + delivered - exp + ds["grid_cfe_share"].to_numpy() * market).sum() / load.sum()
    assert cfe >= float(ds["cfe_target"]) - 1e-6
    assert float(ds["cfe_score"]) == pytest.approx(cfe, rel=1e-9)
    # the target binds at the cost optimum (clean supply is dearer than grid energy here)
    assert cfe == pytest.approx(0.9, abs=1e-4)


def test_storage_dynamics(default_run: tuple[xr.Dataset, Path, str]) -> None:
    ds, _, _ = default_run
    soc = ds["state_of_charge"].sel(storage="battery").to_numpy()
    ch = ds["storage_charge"].sel(storage="battery").to_numpy()
    dis = ds["storage_discharge"].sel(storage="battery").to_numpy()
    e_nom = float(ds["e_nom_opt"].sel(storage="battery"))
    p_nom = float(ds["p_nom_opt"].sel(technology="battery"))
    eta = math.sqrt(float(ds["efficiency_roundtrip"].sel(storage="battery")))
    tol = 1e-5 * e_nom
    assert soc.min() >= -tol and soc.max() <= e_nom + tol
    assert ch.max() <= p_nom * (1 + 1e-6) and dis.max() <= p_nom * (1 + 1e-6)
    expected = np.roll(soc, 1) + eta * ch - dis / eta  # cyclic: hour 0 follows the last hour
    assert np.abs(soc - expected).max() <= tol
    # no charging and discharging in the same hour (the tie-break cost removes such optima)
    assert np.minimum(ch, dis).max() <= 1e-3 * p_nom


def test_surplus_is_curtailed_not_dumped(default_run: tuple[xr.Dataset, Path, str]) -> None:
    """Export earns nothing in the default study, so surplus is curtailed, not exported: what
    is left is the interior point's noise, 1e-5 of the load at most (11 MWh a year, 1.3 kW on
    average: 0.1 USD of tie-break cost, far inside the solver's optimality gap)."""
    ds, _, _ = default_run
    assert float(ds["grid_export_price"].max()) == 0.0
    assert float(ds["grid_export"].sum()) <= 1e-5 * float(ds["load"].sum())
    assert float(ds["curtailment"].min()) >= -1e-6


#: US BLS CPI-U annual averages, to bring the catalogue's MTEP19 (2019) dollars to 2022.
CPI_U = {2019: 255.657, 2022: 292.655}


def _hand_capital_cost(tech: str) -> float:
    cat = pd.read_csv(ROOT / "gridtwin" / "data" / "technologies.csv")
    rows = cat[cat.technology == tech].set_index("parameter")
    par = rows["value"].astype(float)
    year = int(rows.loc["investment", "currency_year"])
    assert rows.loc["investment", "currency"] == "USD"
    r, n = par["discount_rate"], par["lifetime"]
    crf = r / (1 - (1 + r) ** -n)
    return float(par["investment"] * CPI_U[2022] / CPI_U[year] * (crf + par["fom"] / 100))


def test_costs_recomputed_from_capacities_and_dispatch(
    default_run: tuple[xr.Dataset, Path, str],
) -> None:
    ds, _, _ = default_run
    cc = {
        "solar": _hand_capital_cost("solar"),
        "solar_offsite": _hand_capital_cost("solar"),  # a contract costed as the plant
        "onwind_offsite": _hand_capital_cost("onwind"),
        "battery": _hand_capital_cost("battery_power"),
    }
    for tech, value in cc.items():
        assert float(ds["capital_cost"].sel(technology=tech)) == pytest.approx(value, rel=1e-9)
    ce = _hand_capital_cost("battery_energy")
    capex = sum(cc[t] * float(ds["p_nom_opt"].sel(technology=t)) for t in cc)
    capex += ce * float(ds["e_nom_opt"].sel(storage="battery"))
    # branch upgrades: 30 km of 230 kV line per circuit, transformers per MVA (catalogue)
    per_mva = {
        "line:circuit_1": 30.0 * _hand_capital_cost("ac_line"),
        "line:circuit_2": 30.0 * _hand_capital_cost("ac_line"),
        "line:collector": 2.0 * _hand_capital_cost("ac_cable"),
        "trafo:T1": _hand_capital_cost("transformer"),
        "trafo:T2": _hand_capital_cost("transformer"),
    }
    added = (ds["s_nom_opt"] - ds["s_nom"]).to_series()
    network = sum(per_mva[b] * added[b] for b in per_mva)
    assert float(ds["network_cost"]) == pytest.approx(network, rel=1e-9)
    market = ds["grid_import"] - ds["offsite_delivered"]
    grid = float((ds["grid_price"] * market).sum())
    grid -= float((ds["grid_export_price"] * (ds["grid_export"] + ds["offsite_sold"])).sum())
    tie = float(ds["tie_break_cost"])
    assert tie == 0.01  # the documented default of solver.tie_break_cost
    tie_cost = tie * float(
        ds["storage_discharge"].sum() + ds["grid_export"].sum() + ds["offsite_sold"].sum()
    )
    # diesel fuel: fuel cost / efficiency (default study: 105 USD/MWh_fuel, efficiency 0.38)
    fuel = 105.0 / 0.38 * float(ds["p"].sel(technology="diesel_gensets").sum())
    flex = 1.0 * float(ds["load_shift"].clip(min=0).sum())  # shift_cost 1 USD/MWh
    flex += 1000.0 * float(ds["load_curtailment"].sum())  # curtail_cost 1000 USD/MWh
    total = capex + network + grid + tie_cost + fuel + flex  # catalogue marginal costs are zero
    assert float(ds["system_cost"]) == pytest.approx(total, rel=1e-6)
    assert ds.attrs["objective"] == pytest.approx(total, rel=1e-6)
    served = float(ds["load_served"].sum())
    assert float(ds["lcoe"]) == pytest.approx(total / served, rel=1e-9)


def test_netcdf_reopens_identical(default_run: tuple[xr.Dataset, Path, str]) -> None:
    ds, path, _ = default_run
    with xr.open_dataset(path) as again:
        xr.testing.assert_identical(ds, again.load())
    assert json.loads(ds.attrs["solver"])["termination_condition"] == "optimal"


def test_cli_summary_and_pue(default_run: tuple[xr.Dataset, Path, str]) -> None:
    ds, _, output = default_run
    for word in ("solar", "onwind_offsi", "battery", "CFE score", "LCOE", "AC check", "passes"):
        assert word in output
    assert 1.1 <= float(ds["pue"].mean()) <= 1.4
    assert float(ds["it_load"].mean()) == pytest.approx(800.0)


def test_flexibility_within_envelope(default_run: tuple[xr.Dataset, Path, str]) -> None:
    """Shifted load nets to zero in every 24 h window and stays within the hourly envelope."""
    ds, _, _ = default_run
    shift = ds["load_shift"].to_numpy()
    curtail = ds["load_curtailment"].to_numpy()
    pue = ds["pue"].to_numpy()
    # envelope from the default study: 20 % of the training IT load, ramp 25 % of 1000 MW IT
    shift_max = 0.2 * ds["it_load_training"].to_numpy() * pue
    assert np.all(np.abs(shift) <= shift_max + 1e-6)
    steps = np.diff(np.concatenate([[0.0], shift]))
    assert np.all(np.abs(steps) <= 0.25 * 1000.0 * pue + 1e-6)
    windows = shift.reshape(-1, 24).sum(axis=1)  # 8760 h = 365 windows of 24 h
    # zero to the interior point's feasibility tolerance (1e-8 of the row's scale, ~300 MW)
    assert np.abs(windows).max() <= 1e-5
    assert np.all(curtail >= -1e-9) and np.all(curtail <= 0.25 * ds["load"].to_numpy() + 1e-6)
    assert float(np.abs(shift).sum()) > 0  # the optimiser does use the flexibility
    # shifted work never runs the IT load above the capacity online
    it_after = ds["it_load"].to_numpy() + shift / pue
    assert np.all(it_after <= ds["capacity_online"].to_numpy() + 1e-6)
    assert ds.attrs["curtailment_within_hour_limits"] == 1
