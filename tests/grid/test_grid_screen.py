"""Siting screen: dask workers give the serial answer; the CLI writes a ranked netCDF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

pp = pytest.importorskip("pandapower")
pn = pytest.importorskip("pandapower.networks")
pytest.importorskip("lightsim2grid")
pytest.importorskip("distributed")

from gridtwin.cli import app  # noqa: E402
from gridtwin.exceptions import DataError  # noqa: E402
from gridtwin.grid.hosting import HostingEngine, hosting_capacity  # noqa: E402
from gridtwin.grid.screen import candidate_buses, screen  # noqa: E402

runner = CliRunner()


def test_two_workers_match_serial_and_single_bus_calls() -> None:
    net = pn.case118()
    buses = candidate_buses(net, 300.0)
    assert len(buses) == 11  # the 345 kV buses of the IEEE 118-bus case
    serial = screen(net, min_kv=300.0, workers=1, tol_mw=2.0)
    parallel = screen(net, min_kv=300.0, workers=2, tol_mw=2.0)
    assert list(serial.bus.values) == list(parallel.bus.values)
    np.testing.assert_array_equal(serial.firm_mw, parallel.firm_mw)
    assert (np.diff(serial.firm_mw) <= 0).all() and list(serial["rank"]) == list(range(1, 12))
    assert (serial["error"] == "").all()
    # the ranking's top bus is the firm value hosting_capacity gives for that bus alone
    top = int(serial.bus_index[0])
    alone = hosting_capacity(net, top, contingencies="local", tol_mw=2.0, budgets=())
    assert float(serial.firm_mw[0]) == pytest.approx(alone.firm_mw)


def test_ac_verifies_the_best_linear_estimates_and_ranks_them_first() -> None:
    net = pn.case39()
    ds = screen(net, min_kv=0.0, workers=1, verify_top=6, tol_mw=2.0)
    assert ds.sizes["bus"] == 39 and int(ds["ac_verified"].sum()) == 6
    verified = ds.where(ds["ac_verified"], drop=True)
    others = ds.where(~ds["ac_verified"], drop=True)
    # the six largest linear estimates are the verified buses
    assert float(verified["firm_mw_linear"].min()) >= float(others["firm_mw_linear"].max())
    # ranking: verified by AC value, then the rest by linear estimate
    assert list(ds["rank"].values) == list(range(1, 40))
    assert bool(ds["ac_verified"][:6].all())
    assert (np.diff(verified["firm_mw"]) <= 0).all()
    assert (np.diff(others["firm_mw_linear"]) <= 0).all() and others["firm_mw"].isnull().all()
    diff = verified["firm_mw_linear"] - verified["firm_mw"]
    np.testing.assert_allclose(verified["firm_mw_linear_minus_ac"], diff)
    assert ds.attrs["screen_linear_max_abs_diff_mw"] == pytest.approx(float(abs(diff).max()))
    assert ds.attrs["screen_linear_mean_abs_diff_mw"] == pytest.approx(float(abs(diff).mean()))
    assert ds["firm_mw_linear"].attrs["units"] == "MW"
    # linear only: no AC at all, ranked by the estimate
    alone = screen(net, min_kv=0.0, workers=2, verify_top=0)
    assert not bool(alone["ac_verified"].any())
    assert np.isnan(alone.attrs["screen_linear_max_abs_diff_mw"])
    assert (np.diff(alone["firm_mw_linear"]) <= 0).all()


def test_one_engine_for_many_buses_gives_each_bus_its_own_answer() -> None:
    net = pn.case118()
    buses = [int(b) for b in candidate_buses(net, 300.0)[:4]]
    engine = HostingEngine(net, buses)
    options = {"contingencies": "local", "tol_mw": 2.0, "budgets": (), "monitor_min_kv": 100.0}
    for b in buses:
        shared = engine.capacity(b, **options)
        fresh = hosting_capacity(net, b, **options)
        assert abs(shared.firm_mw - fresh.firm_mw) <= 2.0
        assert shared.firm_limit == fresh.firm_limit and shared.contingencies == fresh.contingencies
    with pytest.raises(DataError, match="not one of the 4 buses"):
        engine.capacity(int(candidate_buses(net, 300.0)[5]))


@pytest.fixture(scope="module")
def case9() -> pp.pandapowerNet:
    return pn.case9()  # screen() does not modify it


@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"verify_top": -1}, "verify_top=-1"),
        ({"verify_top": "some"}, "verify_top='some'"),
        ({"radius": -1}, "radius=-1"),
        ({"workers": 0}, "workers=0"),
        ({"power_factor": 2.0}, "power_factor=2.0"),
        ({"buses": [10_000]}, "not in service"),
    ],
)
def test_bad_screen_option_is_one_clear_line(
    case9: pp.pandapowerNet, option: dict, match: str
) -> None:
    with pytest.raises(DataError, match=match) as err:
        screen(case9, min_kv=0.0, **option)
    assert "\n" not in str(err.value)


def test_no_candidate_bus_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="lower --min-kv"):
        screen(pn.case9(), min_kv=500.0, workers=1)


def test_cli_screen_and_hosting(tmp_path: Path) -> None:
    out = tmp_path / "screen.nc"
    res = runner.invoke(
        app, ["grid", "screen", "case118", "--min-kv", "300", "--limit", "3", "--workers", "1",
              "-o", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out)
    assert ds.sizes["bus"] == 3 and ds["firm_mw"].attrs["units"] == "MW"
    assert bool(ds["ac_verified"].all()) and ds["firm_mw_linear"].attrs["units"] == "MW"
    ds.close()
    res = runner.invoke(
        app, ["grid", "screen", "case39", "--min-kv", "0", "--verify-top", "2", "--workers", "1",
              "-o", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "2 of 39 bus(es) verified in AC" in " ".join(res.output.split())
    res = runner.invoke(
        app, ["grid", "screen", "case39", "--verify-top", "2", "--verify-all", "-o", str(out)]
    )
    assert res.exit_code == 2 and "not both" in res.output

    csv = tmp_path / "background.csv"
    hours = np.arange(24)
    solar = np.clip(600.0 * np.sin((hours - 6) / 12 * np.pi), 0.0, None)
    lines = ["time,load:campus,sgen:solar"] + [
        f"{h},0,{s:.3f}" for h, s in zip(hours, solar, strict=True)
    ]
    csv.write_text("\n".join(lines) + "\n")
    network = Path(__file__).resolve().parents[2] / "networks" / "greensboro_poi.json"
    host = tmp_path / "hosting.nc"
    res = runner.invoke(
        app, ["grid", "hosting", str(network), "--bus", "campus_34.5kV", "--profile", str(csv),
              "--power-factor", "1", "-o", str(host)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    hd = xr.open_dataset(host)
    assert hd.sizes["time"] == 24 and float(hd["hosting_firm_mw"]) > 400.0
    hd.close()

    bad = tmp_path / "bad.csv"
    bad.write_text("time,campus\n0,1\n")
    res = runner.invoke(app, ["grid", "hosting", str(network), "--bus", "poi_230kV",
                              "--profile", str(bad)])  # fmt: skip
    assert res.exit_code == 1 and "load:<name>" in res.output and "Traceback" not in res.output


def test_bad_contingency_set_fails_before_any_bus() -> None:
    with pytest.raises(DataError, match="contingencies"):
        screen(pn.case118(), min_kv=300.0, contingencies="n-2", workers=2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "not a readable CSV"),
        ("time,load:campus\n0,1\n1,2,3\n", "not a readable CSV"),
        ("time,load:campus\n0,1\n1,abc\n", "row 3"),
        ("time,load:campus\n", "no data rows"),
    ],
)
def test_cli_profile_csv_errors_name_the_file(tmp_path: Path, text: str, match: str) -> None:
    csv = tmp_path / "bg.csv"
    csv.write_text(text)
    network = Path(__file__).resolve().parents[2] / "networks" / "greensboro_poi.json"
    res = runner.invoke(app, ["grid", "hosting", str(network), "--bus", "poi_230kV",
                              "--profile", str(csv)])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "bg.csv" in res.output and match in res.output and "Traceback" not in res.output
