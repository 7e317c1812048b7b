"""Studies with investment periods: the written file passes its own checks (vintages against
each period's capacities, the weighted periods against the plan's objective, every period's
CFE target and verifier), both backends agree, the cost trajectories follow their table, and
bad period settings stop with one line.

Runs on two April weeks of the Greensboro weather so that each plan solves in seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gridtwin.config import parse_study
from gridtwin.exceptions import ConfigError
from gridtwin.inputs import study_costs
from gridtwin.periods.costs import TRAJECTORIES, cost_factor
from gridtwin.periods.results import in_service, plan_cost, plan_residual
from gridtwin.results import open_results, system_cost
from gridtwin.study import run_study
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]
POI = "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
PERIODS = """investment:
  discount_rate: 0.05
  cost_trajectory: {trajectory}
  periods:
    - {{year: 2027, it_capacity: 400}}
    - {{year: 2029, it_capacity: 700}}
    - {{year: 2031, it_capacity: 1000, cfe_target: {target}}}
"""
NETWORK = f"""technologies:
  extendable: [solar, battery, solar_offsite, onwind_offsite]
  assets: {{solar_offsite: {{p_nom_max: 4000.0}}, onwind_offsite: {{p_nom_max: 2000.0}}}}
site: {{land_area_ha: 1500.0}}
network:
  path: {ROOT}/networks/greensboro_poi.json
  load_bus: campus_34.5kV
  buses: {{solar: collector_34.5kV}}
  s_max_pu: 0.95
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two April weeks of the Greensboro TMY3 set."""
    out = tmp_path_factory.mktemp("periods")
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(
        time=slice(2160, 2160 + 336)
    )
    write_weather(weather, out / "weeks.nc")
    return out


def _study(  # type: ignore[no-untyped-def]
    folder: Path,
    body: str = "",
    trajectory: str = "catalogue",
    backend: str = "pypsa",
    target: float = 0.95,
):
    text = (
        f"name: phased\nweather: {{path: weeks.nc}}\n{POI}solver: {{backend: {backend}}}\n"
        f"{body}{PERIODS.format(trajectory=trajectory, target=target)}"
    )
    return parse_study(text, base=folder)


@pytest.fixture(scope="module")
def written(folder: Path) -> Path:
    out = folder / "phased.nc"
    run_study(_study(folder), output=out)
    return out


def test_the_written_plan_passes_its_own_checks(written: Path) -> None:
    ds = open_results(written)
    assert list(ds["period"].values) == [2027, 2029, 2031]
    # each period's capacities are existing + the vintages still in service
    assert float(np.abs(plan_residual(ds)).max()) < 1e-6
    # the periods' system costs, weighted by their discounted years, are the plan's objective
    assert plan_cost(ds) == pytest.approx(ds.attrs["plan_objective"], rel=1e-9)
    # weights by hand: 2-year periods at 5 %, the last as long as the one before
    d = 1.05
    expected = [1 + 1 / d, 1 / d**2 + 1 / d**3, 1 / d**4 + 1 / d**5]
    np.testing.assert_allclose(ds["period_weight"], expected, rtol=1e-12)
    # every period meets its own target and passes the verifier
    np.testing.assert_array_less([0.9 - 1e-6, 0.9 - 1e-6, 0.95 - 1e-6], ds["cfe_score"].values)
    assert ds.attrs["verify_passed"] == 1
    # nothing retires within 6 years (lifetimes 15-40 a): capacity never falls
    assert bool((in_service(ds).diff("period") >= -1e-6).all())
    # the campus grows as the periods say
    assert float(ds["load"].sel(period=2031).mean()) > float(ds["load"].sel(period=2027).mean())


def test_a_period_is_a_single_studys_result(written: Path) -> None:
    ds = open_results(written)
    period = ds.sel(period=2029)
    # the recomputed system cost of the period is its reported one
    assert system_cost(period) == pytest.approx(float(period["system_cost"]), rel=1e-9)
    # what the period's solar costs a year is what its vintages in service pay that year
    vintages = ds["built"] * ds["investment_capital_cost"]
    paid = float(vintages.sel(investment="solar", period=[2027, 2029]).sum())
    solar = period.sel(technology="solar")
    assert float(solar["capital_cost"] * solar["p_nom_opt"]) == pytest.approx(paid, rel=1e-9)


def test_costs_follow_the_trajectory_table(folder: Path, written: Path) -> None:
    table = pd.read_csv(TRAJECTORIES, comment="#")
    solar = table[(table.catalogue == "us") & (table.technology == "solar")].set_index("year")
    value = solar["investment"]
    # 2027 lies 2/5 of the way from 2025 to 2030, 2031 1/5 of the way from 2030 to 2035
    expected = {
        2027: (value[2025] + 0.4 * (value[2030] - value[2025])) / value[2030],
        2031: (value[2030] + 0.2 * (value[2035] - value[2030])) / value[2030],
    }
    assert cost_factor("us", "solar", 2027) == pytest.approx(expected[2027], rel=1e-12)
    assert cost_factor("us", "solar", 2030) == 1.0
    # the plan's solar costs against the catalogue's annualised 2030 cost
    study = _study(folder)
    annual = float(study_costs(study.config).at["solar", "capital_cost"])
    ds = open_results(written)
    paid = ds["investment_capital_cost"].sel(investment="solar")
    for year, factor in expected.items():
        assert float(paid.sel(period=year)) == pytest.approx(annual * factor, rel=1e-9)
    # 2027 and 2029 pay more than the catalogue's 2030 costs, 2031 less
    assert expected[2027] > 1 > expected[2031]


@pytest.mark.slow
def test_backends_agree_with_the_site_network_and_its_ac_check(folder: Path) -> None:
    results = {
        b: run_study(_study(folder, NETWORK, trajectory="none", backend=b, target=0.9))
        for b in ("pypsa", "cvxpy")
    }
    a, b = results["pypsa"], results["cvxpy"]
    assert a.attrs["plan_objective"] == pytest.approx(b.attrs["plan_objective"], rel=1e-6)
    np.testing.assert_allclose(a["built"], b["built"], atol=1e-3)
    for ds in results.values():
        kinds = set(ds["investment_kind"].values)
        assert "s_nom" in kinds  # corridor upgrades are vintages too
        assert float(np.abs(plan_residual(ds)).max()) < 1e-6
        assert plan_cost(ds) == pytest.approx(ds.attrs["plan_objective"], rel=1e-9)
        assert ds.attrs["ac_loop_converged"] == 1
        assert ds.attrs["verify_passed"] == 1


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        (
            "campus: {buildout: [{date: 2019-04-01, it_capacity: 500}]}\n",
            "investment periods cannot be combined with campus.buildout",
        ),
        ("aggregation: {segments: 112}\n", "aggregation.segments"),
        ("technologies: {catalogue: custom.csv}\n", "custom.csv"),
    ],
)
def test_settings_periods_cannot_take_are_refused(folder: Path, body: str, pattern: str) -> None:
    (folder / "custom.csv").write_text((ROOT / "gridtwin/data/technologies.csv").read_text())
    with pytest.raises(ConfigError, match=pattern):
        run_study(_study(folder, body))


def test_bad_period_lists_are_refused_in_one_line(folder: Path) -> None:
    base = f"name: phased\nweather: {{path: weeks.nc}}\n{POI}"
    with pytest.raises(ConfigError, match="must increase"):
        parse_study(
            base + "investment: {discount_rate: 0.05, periods: [{year: 2029}, {year: 2027}]}\n",
            base=folder,
        )
    with pytest.raises(ConfigError, match="discount_rate"):
        parse_study(base + "investment: {periods: [{year: 2029}]}\n", base=folder)
    late = base + "investment: {discount_rate: 0.05, periods: [{year: 2027}, {year: 2060}]}\n"
    with pytest.raises(ConfigError, match="2060 is outside the cost trajectories"):
        run_study(parse_study(late, base=folder))
    # a period's weather on other hours than the first's
    other = open_weather(folder / "weeks.nc").isel(time=slice(0, 168))
    write_weather(other, folder / "week.nc")
    shifted = base + (
        "investment: {discount_rate: 0.05, cost_trajectory: none, periods: "
        "[{year: 2027}, {year: 2029, weather: week.nc}]}\n"
    )
    with pytest.raises(ConfigError, match="weather of 2029 covers"):
        run_study(parse_study(shifted, base=folder))


def test_summary_report_and_single_run_commands(written: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gridtwin.cli import app
    from gridtwin.periods.tables import capacity_by_period_rows

    ds = open_results(written)
    header, rows = capacity_by_period_rows(ds)
    assert header == ["in service (+ built)", "2027", "2029", "2031"]
    solar = next(r for r in rows if r[0] == "solar power [MW]")
    held = in_service(ds).sel(investment="solar").to_numpy()
    assert solar[3].startswith(f"{held[2]:,.0f}")
    runner = CliRunner()
    out = runner.invoke(app, ["report", str(written), "-o", str(tmp_path / "rep")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "rep" / "capacity_by_period.png").is_file()
    page = (tmp_path / "rep" / "index.html").read_text()
    assert "Capacity by period" in page and "Investment periods" in page
    for command in (["export", str(written), "-o", str(tmp_path / "x.nc")],
                    ["resilience", str(written)], ["grid", "check", str(written)]):  # fmt: skip
        out = runner.invoke(app, command)
        assert out.exit_code != 0
        assert "investment periods [2027, 2029, 2031]" in out.output
        assert "Traceback" not in out.output


def test_a_period_on_another_sites_weather_is_refused(folder: Path) -> None:
    lyon = open_weather(ROOT / "weather" / "lyon_bron_tmyx.nc")
    write_weather(lyon.sel(time=open_weather(folder / "weeks.nc")["time"].values), folder / "ly.nc")
    text = f"name: phased\nweather: {{path: weeks.nc}}\n{POI}" + (
        "investment: {discount_rate: 0.05, cost_trajectory: none, periods: "
        "[{year: 2027}, {year: 2029, weather: ly.nc}]}\n"
    )
    with pytest.raises(ConfigError, match="every period is the same campus"):
        run_study(parse_study(text, base=folder))


def test_sweeps_of_plans_are_refused(folder: Path) -> None:
    from gridtwin.sweep import run_sweep

    study = _study(folder, "sweep: {grid: {investment.discount_rate: [0.03, 0.07]}}\n")
    with pytest.raises(ConfigError, match="gridtwin sweep does not run investment periods"):
        run_sweep(study, folder / "sweep.nc")
