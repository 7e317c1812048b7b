"""Study-level modes: time-series aggregation with its cost error, rolling-horizon dispatch of
the sized capacities or of a result file's, and the errors of combinations that cannot work.

Runs on two weeks of the Greensboro weather with the default campus (flexibility, UPS, backup)
so that each study solves in seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gridtwin.config import parse_study
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.results import energy_balance_residual, open_results, system_cost, weights
from gridtwin.study import run_study
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]
POI = "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two April weeks of the Greensboro TMY3 set."""
    out = tmp_path_factory.mktemp("modes")
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(
        time=slice(2160, 2160 + 336)
    )
    write_weather(weather, out / "weeks.nc")
    return out


def _run(folder: Path, body: str = "", output: Path | None = None):  # type: ignore[no-untyped-def]
    text = f"name: modes\nweather: {{path: weeks.nc}}\n{POI}{body}"
    return run_study(parse_study(text, base=folder), output=output)


def test_aggregation_reports_its_cost_error(folder: Path) -> None:
    full = _run(folder)
    agg = _run(folder, "aggregation: {segments: 112, check_full: true}\n")
    assert agg.sizes["time"] == 112 and float(weights(agg).sum()) == 336
    error = float(agg["aggregation_cost_error"])
    # the error is the aggregated optimum against the full-resolution optimum of the same study
    assert error == pytest.approx(agg.attrs["objective"] / full.attrs["objective"] - 1, abs=1e-9)
    assert abs(error) < 0.05
    # the recomputed cost and CFE score of the aggregated result hold with the weights
    assert system_cost(agg) == pytest.approx(float(agg["system_cost"]))
    assert float(agg["cfe_score"]) >= 0.9 - 1e-6
    assert float(np.abs(energy_balance_residual(agg)).max()) < 1e-5


def test_rolling_dispatch_of_this_runs_sizing(folder: Path) -> None:
    sized = _run(folder)
    rolling = _run(folder, "dispatch: {mode: rolling}\n")
    assert rolling.attrs["mode"] == "rolling_dispatch"
    np.testing.assert_allclose(rolling["p_nom_opt"], sized["p_nom_opt"], rtol=1e-9)
    assert float(np.abs(energy_balance_residual(rolling)).max()) < 1e-5
    # limited foresight: close to the target and never cheaper than perfect foresight
    # once the clean shortfall is paid at the CFE price
    score = float(rolling["cfe_score"])
    assert 0.85 < score <= 0.9 + 1e-6
    assert rolling.attrs["sizing_objective"] == pytest.approx(sized.attrs["objective"])
    shortfall = (0.9 - score) * float((rolling["load_served"]).sum())
    paid = float(rolling["system_cost"]) * 336 / 8760 + rolling.attrs["cfe_price"] * shortfall
    assert paid >= float(sized["system_cost"]) * 336 / 8760 * (1 - 1e-6)


def test_rolling_dispatch_of_a_result_file(folder: Path, tmp_path: Path) -> None:
    sized = _run(folder, output=tmp_path / "sized.nc")
    body = f"dispatch: {{mode: rolling, capacities: {tmp_path / 'sized.nc'}}}\n"
    rolling = _run(folder, body)
    np.testing.assert_allclose(rolling["p_nom_opt"], sized["p_nom_opt"], rtol=1e-9)
    assert rolling.attrs["cfe_price"] == pytest.approx(
        open_results(tmp_path / "sized.nc").attrs["cfe_price"]
    )
    other = "technologies: {extendable: [solar, battery]}\n"
    with pytest.raises(DataError, match=r"sized\.nc: its technologies .* differ"):
        _run(folder, other + body)


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("dispatch: {mode: rolling, window_hours: 24, step_hours: 48}\n", r"exceeds"),
        ("dispatch: {capacities: x.nc}\n", r"needs dispatch\.mode: rolling"),
        ("dispatch: {mode: rolling, step_hours: 12, window_hours: 24}\n", r"multiple"),
    ],
)
def test_impossible_combinations_are_config_errors(folder: Path, body: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        _run(folder, body)


def test_a_list_of_weather_files_is_stacked(tmp_path: Path) -> None:
    """``weather.path`` as a list of consecutive single-period files of one site: one horizon,
    one set of capacities (here the last week of 2018 and the first of 2019)."""
    ds = open_weather(ROOT / "weather" / "greensboro_tmy3.nc")
    for name, part, start in (
        ("w2018.nc", slice(8760 - 168, 8760), "2018-12-25"),
        ("w2019.nc", slice(0, 168), "2019-01-01"),
        ("later.nc", slice(0, 168), "2019-01-10"),
    ):
        week = ds.isel(time=part).assign_coords(time=pd.date_range(start, periods=168, freq="h"))
        week.attrs.pop("reference_year", None)
        write_weather(week, tmp_path / name)
    text = f"name: stacked\nweather: {{path: [w2018.nc, w2019.nc]}}\n{POI}"
    out = run_study(parse_study(text, base=tmp_path))
    assert out.sizes["time"] == 336
    assert str(out["time"].values[0])[:10] == "2018-12-25"
    assert out.attrs["weather_file"] == "w2018.nc, w2019.nc"
    assert float(out["cfe_score"]) >= 0.9 - 1e-6
    # a gap between the files is refused
    text_gap = f"name: gap\nweather: {{path: [w2018.nc, later.nc]}}\n{POI}"
    with pytest.raises(DataError, match=r"w2018\.nc and .*later\.nc: .* must be contiguous"):
        run_study(parse_study(text_gap, base=tmp_path))


def test_size_on_segments_then_operate_hour_by_hour(folder: Path, tmp_path: Path) -> None:
    """The sweep workflow: size fast on segments, then check the design hour by hour with the
    rolling dispatch, in one run or from the aggregated result file."""
    body = "aggregation: {segments: 112}\n"
    sized = _run(folder, body, output=tmp_path / "agg.nc")
    rolling = _run(folder, body + "dispatch: {mode: rolling}\n")
    assert rolling.sizes["time"] == 336 and float(weights(rolling).max()) == 1.0
    assert rolling.attrs["aggregation_segments"] == 112
    np.testing.assert_allclose(rolling["p_nom_opt"], sized["p_nom_opt"], rtol=1e-9)
    assert float(np.abs(energy_balance_residual(rolling)).max()) < 1e-5
    # the same from the file, without aggregating again
    again = _run(folder, f"dispatch: {{mode: rolling, capacities: {tmp_path / 'agg.nc'}}}\n")
    np.testing.assert_allclose(again["p_nom_opt"], sized["p_nom_opt"], rtol=1e-9)
    np.testing.assert_allclose(again["grid_import"], rolling["grid_import"], atol=1e-4)


def test_offshore_wind_from_inland_weather_is_warned(caplog: pytest.LogCaptureFixture) -> None:
    """Offshore wind without offwind.weather uses the site's weather: at Greensboro (inland)
    that is a capacity factor of a few percent, which the LP would build tens of GW of."""
    from gridtwin.config import load_study
    from gridtwin.inputs import capacity_factors

    study = load_study(ROOT / "studies" / "default.yaml",
                       overrides=["technologies.extendable=[offwind, battery]"])  # fmt: skip
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc")
    with caplog.at_level("WARNING", logger="gridtwin.study"):
        cfs = capacity_factors(study.config, weather)
    assert float(cfs["offwind"].mean()) < 0.1
    warned = [r.getMessage() for r in caplog.records if "offwind.weather" in r.getMessage()]
    assert len(warned) == 1 and "capacity factor of 0.0" in warned[0]
