"""Survival of grid outages (gridtwin.resilience): hand cases worked out below, the vectorised
chain against the brute-force hour-by-hour loop, and the analysis of a solved study written
into its result file by ``gridtwin resilience``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

import gridtwin
from gridtwin.cli import app
from gridtwin.config import ResilienceConfig, parse_study
from gridtwin.exceptions import DataError
from gridtwin.resilience.analysis import survival_analysis
from gridtwin.resilience.island import IslandSystem, island_system
from gridtwin.resilience.reference import survival_loop
from gridtwin.resilience.survival import hours_survived, survival_probability
from gridtwin.results.outage import outage_residual
from gridtwin.study import run_study
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def flat(hours: int = 24, **kw: float) -> IslandSystem:
    """A campus of 10 MW critical load, no generation, one 6 MW unit that never fails, and a
    full 20 MWh / 5 MW storage without losses; fields overridden by ``kw``."""
    base = IslandSystem(
        time=pd.date_range("2019-01-01", periods=hours, freq="h"),
        critical_load=np.full(hours, 10.0),
        generation=np.zeros(hours),
        soc_start=np.full(hours, 20.0),
        e_nom=20.0,
        p_charge=5.0,
        p_discharge=5.0,
        efficiency_charge=1.0,
        efficiency_discharge=1.0,
        units=1,
        unit_p_nom=6.0,
        availability=1.0,
        failure_to_start=0.0,
        failure_rate=0.0,
        fuel=1e6,
        refuel_delay_h=0.0,
        refuel_rate=0.0,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_storage_limited_hand_case() -> None:
    """The unit gives 6 MW of the 10: the storage covers 4 MW, 20 MWh / 4 MW = 5 h; the sixth
    hour fails. 11 levels of 2 MWh hold the 4 MWh per hour exactly (2 levels an hour)."""
    s = flat()
    assert (hours_survived(s, 12) == 5).all()
    p = survival_probability(s, 12, soc_bins=11)
    expected = np.r_[np.ones(5), np.zeros(7)]
    np.testing.assert_allclose(p, np.tile(expected, (24, 1)), atol=1e-12)


def test_fuel_limited_hand_case_and_refuelling() -> None:
    """18 MWh of fuel = 3 h at 6 MW: hours 0-2 burn 6 and draw 4 from storage (20 -> 8); in
    hour 3 the unit has no fuel and 10 MW > 5 MW of storage power: 3 h. With 6 MWh an hour
    delivered from hour 3 on, hours 3 and 4 draw 4 each (8 -> 0) and hour 5 fails: 5 h."""
    s = flat(fuel=18.0)
    assert (hours_survived(s, 12) == 3).all()
    np.testing.assert_allclose(
        survival_probability(s, 12, soc_bins=11)[0], np.r_[1, 1, 1, np.zeros(9)]
    )
    refuelled = flat(fuel=18.0, refuel_delay_h=3.0, refuel_rate=6.0)
    assert (hours_survived(refuelled, 12) == 5).all()
    np.testing.assert_allclose(
        survival_probability(refuelled, 12, soc_bins=11)[0], np.r_[np.ones(5), np.zeros(7)]
    )


def test_solar_surplus_recharges_the_storage() -> None:
    """Hours 2-3 have 16 MW of generation for the 10 MW load: 6 MW surplus, 5 MW of it
    charged (power limit) at 0.9 -> 4.5 MWh an hour. Start at 8 MWh: hours 0-1 draw 4 + 4
    (-> 0), hours 2-3 charge 4.5 + 4.5 (-> 9), hours 4-5 draw 4 + 4 (-> 1), hour 6 needs 4
    of 1: 6 h exactly (no levels)."""
    gen = np.zeros(24)
    gen[2:4] = 16.0
    s = flat(generation=gen, soc_start=np.full(24, 8.0), efficiency_charge=0.9)
    assert hours_survived(s, 12)[0] == 6


def test_generator_reliability_hand_case() -> None:
    """No storage, 5 MW of load, two 6 MW units, either carries it. Each works after d hours
    with probability a (1 - f) (1 - lam)^d (failures applied before each hour, as REopt), so
    P(survive d) = 1 - (1 - 0.9 x 0.9 x 0.99^d)^2; d = 1: 1 - 0.1981^2 = 0.96075639."""
    s = flat(
        critical_load=np.full(24, 5.0), e_nom=0.0, p_charge=0.0, p_discharge=0.0,
        units=2, availability=0.9, failure_to_start=0.1, failure_rate=0.01,
    )  # fmt: skip
    d = np.arange(1, 49)
    expected = 1.0 - (1.0 - 0.81 * 0.99**d) ** 2
    p = survival_probability(s, 48)
    np.testing.assert_allclose(p, np.tile(expected, (24, 1)), rtol=1e-12)
    assert p[0, 0] == pytest.approx(0.96075639, abs=1e-8)


def _random_system(rng: np.random.Generator, storage: bool) -> IslandSystem:
    n = int(rng.integers(20, 40))
    e = float(rng.uniform(10, 40)) if storage else 0.0
    return flat(
        hours=n,
        critical_load=rng.uniform(5, 14, n),
        generation=rng.uniform(0, 10, n) * (rng.random(n) < 0.5),
        soc_start=rng.uniform(0, e, n),
        e_nom=e,
        p_charge=float(rng.uniform(2, 8)) if storage else 0.0,
        p_discharge=float(rng.uniform(2, 8)) if storage else 0.0,
        efficiency_charge=float(rng.uniform(0.85, 1.0)),
        efficiency_discharge=float(rng.uniform(0.85, 1.0)),
        units=int(rng.integers(1, 6)),
        unit_p_nom=float(rng.uniform(2, 5)),
        availability=float(rng.uniform(0.8, 1.0)),
        failure_to_start=float(rng.uniform(0.0, 0.1)),
        failure_rate=float(rng.uniform(0.0, 0.1)),
        fuel=float(rng.uniform(20, 150)),
        refuel_delay_h=float(rng.integers(0, 10)),
        refuel_rate=float(rng.uniform(0, 10)),
    )


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_chain_equals_brute_force_loop(seed: int) -> None:
    """On random campuses (with and without storage, fuel limits, refuelling, surpluses) the
    chain vectorised over start hours equals the plain loop over starts, hours and states."""
    rng = np.random.default_rng(seed)
    s = _random_system(rng, storage=seed % 3 != 0)
    hours, bins = int(rng.integers(6, 14)), int(rng.integers(3, 16))
    fast = survival_probability(s, hours, soc_bins=bins)
    slow = survival_loop(s, hours, soc_bins=bins)
    np.testing.assert_allclose(fast, slow, atol=1e-10)
    assert np.diff(fast, axis=1).max() <= 1e-15  # non-increasing with duration
    assert fast.min() >= 0.0 and fast.max() <= 1.0
    assert 0.0 < fast.mean() < 1.0  # the cases exercise both outcomes


@pytest.mark.parametrize("seed", range(3))
def test_levels_give_lower_bounds_of_the_exact_storage(seed: int) -> None:
    """With units that never fail, the chain is 1 up to the exact hours survived and 0 after,
    except that rounding storage use up may end it earlier (never later)."""
    rng = np.random.default_rng(100 + seed)
    s = replace(_random_system(rng, storage=True), availability=1.0, failure_to_start=0.0,
                failure_rate=0.0)  # fmt: skip
    exact = hours_survived(s, 12)
    p = survival_probability(s, 12, soc_bins=51)
    assert set(np.unique(np.round(p, 12))) <= {0.0, 1.0}
    chain_hours = p.sum(axis=1).round().astype(int)
    assert (chain_hours <= exact).all()
    assert (chain_hours == exact).mean() > 0.5


STUDY = (
    "name: res\nweather: {path: days.nc}\n"
    "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
    "campus:\n  backup: [{name: diesel_gensets, kind: diesel, p_nom: 1200.0, fuel_cost: 105.0}]\n"
    "resilience: {outages: {durations_h: [1, 8, 24], probabilities: [0.5, 0.3, 0.2]}}\n"
)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resilience")
    weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(
        time=slice(4320, 4320 + 240)
    )
    write_weather(weather, folder / "days.nc")
    run_study(parse_study(STUDY, base=folder), output=folder / "result.nc")
    return folder / "result.nc"


def test_island_system_reads_the_result(result: Path) -> None:
    """Critical load = IT x PUE (everything critical); the pool holds the battery and the UPS
    (its ride-through reserve included); 1200 MW of backup = 400 units of 3 MW."""
    ds = gridtwin.open_results(result)
    cfg = ResilienceConfig()
    s = island_system(ds, cfg)
    np.testing.assert_allclose(s.critical_load, (ds["it_load"] * ds["pue"]).to_numpy())
    assert s.units == 400 and s.fleet_p_nom == pytest.approx(1200.0)
    reserve = 1000.0 * (1 / 6) * 0.5  # campus defaults: 10 min of UPS, half kept in reserve
    assert s.e_nom == pytest.approx(float(ds["e_nom_opt"].sum()) + reserve, rel=1e-9)
    soc = ds["state_of_charge"].sum("storage").to_numpy() + reserve
    np.testing.assert_allclose(s.soc_start[1:], soc[:-1], rtol=1e-9)
    solar = float(ds["p_nom_opt"].sel(technology="solar"))
    np.testing.assert_allclose(s.generation, solar * ds["capacity_factor"].sel(technology="solar"))
    interruptible = ResilienceConfig(critical_load={"training": 0.0})
    crit = island_system(ds, interruptible).critical_load
    expected = ((ds["it_load"] - ds["it_load_training"]) * ds["pue"]).to_numpy()
    np.testing.assert_allclose(crit, expected)


def test_command_writes_the_analysis_into_the_result(result: Path, tmp_path: Path) -> None:
    out = tmp_path / "with_resilience.nc"
    res = runner.invoke(app, ["resilience", str(result), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "survival" in res.output and "expected survival" in res.output
    ds = gridtwin.open_results(out)
    by_start = ds["survival_probability_by_start"]
    assert by_start.sizes == {"time": 240, "outage_duration": 24}
    np.testing.assert_allclose(ds["survival_probability"], by_start.mean("time"))
    local = pd.DatetimeIndex(ds["time"].values) + pd.Timedelta(hours=-5)
    july = by_start.isel(time=np.flatnonzero(local.month == 7)).mean("time")
    np.testing.assert_allclose(ds["survival_probability_by_month"].sel(month=7), july)
    assert np.isnan(ds["survival_probability_by_month"].sel(month=1)).all()
    expected = sum(
        p * float(ds["survival_probability"].sel(outage_duration=d))
        for p, d in ((0.5, 1), (0.3, 8), (0.2, 24))
    )
    assert float(ds.attrs["resilience_expected_survival"]) == pytest.approx(expected, rel=1e-5)
    assert (np.diff(ds["survival_probability"]) <= 1e-15).all()
    assert int(ds["outage_hours_survived"].min()) >= 0
    # a second run with other settings replaces the first analysis
    res = runner.invoke(
        app,
        ["resilience", str(out), "--set",
         "resilience.outages={durations_h: [4], probabilities: null}"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    again = gridtwin.open_results(out)
    assert again.sizes["outage_duration"] == 4
    assert "resilience_expected_survival" not in again.attrs


def test_command_refuses_bad_settings_in_one_line(result: Path) -> None:
    for args, words in (
        (["--set", "resilience.gensets.failure_to_start=2"], "failure_to_start"),
        (["--set", "policy.cfe_target=1"], "only resilience"),
        (["--set", "resilience.outages.probabilities=[0.5]"], "one per duration"),
        (["--set", "resilience.sizing={duration_h: 24}"], "applies to gridtwin run"),
    ):
        res = runner.invoke(app, ["resilience", str(result), *args])
        assert res.exit_code == 2, res.output
        assert words in res.output and "Traceback" not in res.output


def test_aggregated_or_sweep_results_are_refused(result: Path) -> None:
    ds = gridtwin.open_results(result)
    with pytest.raises(DataError, match="longer than the result"):
        survival_analysis(ds, ResilienceConfig(outages={"durations_h": [241]}))
    with pytest.raises(DataError, match="capacity_factor"):
        survival_analysis(ds.drop_vars("capacity_factor"), ResilienceConfig())
    # a unit size that does not divide the fleet: the rating stays the fleet's
    odd = island_system(ds, ResilienceConfig(gensets={"unit_p_nom": 70.0}))
    assert odd.units == 18 and odd.fleet_p_nom == pytest.approx(1200.0)
    assert odd.fuel == pytest.approx(48.0 * 1200.0)
    with pytest.raises(DataError, match="hourly"):
        survival_analysis(ds.assign(snapshot_weight=ds["snapshot_weight"] * 2), ResilienceConfig())
    with pytest.raises(DataError, match="one run"):
        survival_analysis(ds.expand_dims(scenario=["a"]), ResilienceConfig())


def test_survival_figure(result: Path) -> None:
    from gridtwin import plots

    ds = survival_analysis(gridtwin.open_results(result), ResilienceConfig())
    fig = plots.survival_curve(ds)
    assert len(fig.axes) == 4  # three panels and a colour bar
    with pytest.raises(DataError, match="gridtwin resilience"):
        plots.survival_curve(gridtwin.open_results(result))
    assert isinstance(ds, xr.Dataset)


SIZING = (
    "name: res_sizing\nweather: {path: days.nc}\n"
    "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
    "campus:\n  backup: [{name: diesel_gensets, kind: diesel, p_nom: 1200.0, fuel_cost: 105.0}]\n"
    "resilience:\n  gensets: {fuel_hours: 2.0}\n"
    "  sizing: {duration_h: 24, target: 0.999, fuel_capital_cost: 30.0, rounds: 3}\n"
)


@pytest.fixture(scope="module")
def sized(result: Path) -> xr.Dataset:
    """The 10-day study with 2 h of fuel, sized to ride through 24 h outages at 99.9 %."""
    folder = result.parent
    return run_study(parse_study(SIZING, base=folder), output=folder / "sized.nc")


def test_sizing_meets_the_target_and_the_analysis_confirms_it(sized: xr.Dataset) -> None:
    """2 h of fuel cannot carry 24 h: round 0 fails; the LP buys fuel for its outage
    scenarios and the survival analysis of the written result confirms the target."""
    rounds = json.loads(sized.attrs["survival_sizing_rounds"])
    assert rounds[0]["survival"] < 0.999 and rounds[0]["outages"] == 0
    assert sized.attrs["survival_sizing_met"] == "1"
    assert float(sized["survival_probability"].sel(outage_duration=24)) >= 0.999
    assert (np.diff(sized["survival_probability"]) <= 1e-15).all()
    fuel = float(sized["outage_fuel"])
    assert fuel > 0
    # the fuel bought is what the worst scenario burns beyond the 2 h at 1200 MW (hand
    # check of the LP's fuel row, recomputed from the file)
    burnt = float(sized["outage_net_load"].sum("outage_hour").max())
    assert fuel == pytest.approx(burnt - 2.0 * 1200.0, rel=1e-5)
    # the outage rows hold in the file, and the fuel is costed in the system cost
    assert float(outage_residual(sized).max()) <= 1e-4
    cost = sized["cost_breakdown"].sel(cost_component="resilience")
    assert float(cost) == pytest.approx(30.0 * fuel, rel=1e-6)  # per year, like every part
    assert float(sized.attrs["survival_sizing_cost"]) >= float(cost) * (1 - 1e-6)
    assert int(sized.attrs["verify_passed"]) == 1


def _network(
    lengths: dict[str, float], kinds: dict[str, str], ends: dict[str, tuple[str, str]]
) -> xr.Dataset:
    names = list(lengths)
    return xr.Dataset(
        {
            "branch_bus0": ("branch", [ends[n][0] for n in names]),
            "branch_bus1": ("branch", [ends[n][1] for n in names]),
            "branch_kind": ("branch", [kinds[n] for n in names]),
            "branch_length": ("branch", [lengths[n] for n in names]),
        },
        coords={"branch": names},
        attrs={"network_load_bus": "load", "network_grid_bus": "grid"},
    )


def test_islanding_cut_sets_and_their_risk_by_hand() -> None:
    """Grid --(two 50 km lines)--> POI --(one transformer)--> campus, and a solar feeder off
    the campus bus. The transformer alone islands the campus (order 1); the two lines only
    together (order 2); the feeder never. Lines 1 per 100 km a year for 10 h, the transformer
    0.02 a year for 100 h:

    * transformer: f = 0.02 /a, r = 100 h;
    * both lines: f = 0.5 x 0.5 x (10 + 10) / 8760 = 5.708e-4 /a, r = 10 x 10 / 20 = 5 h.

    With a campus that rides through exactly 3 h (S = 1, 1, 1, 0, ...), an event of mean r is
    ridden through with probability 1 - exp(-3 / r)."""
    from gridtwin.config import GridOutageConfig
    from gridtwin.resilience.grid_risk import cut_risk, expected_survival, islanding_cuts

    ds = _network(
        {"line:a": 50.0, "line:b": 50.0, "trafo:T": 0.0, "line:feeder": 5.0},
        {"line:a": "line", "line:b": "line", "trafo:T": "trafo", "line:feeder": "line"},
        {"line:a": ("grid", "poi"), "line:b": ("grid", "poi"), "trafo:T": ("poi", "load"),
         "line:feeder": ("load", "solar")},
    )  # fmt: skip
    cuts = islanding_cuts(ds)
    assert sorted(cuts) == [("line:a", "line:b"), ("trafo:T",)]
    cfg = GridOutageConfig(
        line_outage_rate=1.0, line_repair_h=10.0, transformer_outage_rate=0.02,
        transformer_repair_h=100.0,
    )  # fmt: skip
    risk = {c.branches: c for c in cut_risk(ds, cuts, cfg)}
    assert risk[("trafo:T",)].frequency == pytest.approx(0.02)
    assert risk[("trafo:T",)].duration == pytest.approx(100.0)
    assert risk[("line:a", "line:b")].frequency == pytest.approx(0.25 * 20 / 8760)
    assert risk[("line:a", "line:b")].duration == pytest.approx(5.0)
    curve = np.r_[np.ones(3), np.zeros(21)]
    for r in (5.0, 100.0):
        assert expected_survival(curve, r) == pytest.approx(1 - np.exp(-3 / r), rel=1e-12)
    # an N-1 secure POI: no branch alone islands the campus
    secure = _network(
        {"line:a": 50.0, "line:b": 50.0}, {"line:a": "line", "line:b": "line"},
        {"line:a": ("grid", "load"), "line:b": ("grid", "load")},
    )  # fmt: skip
    assert islanding_cuts(secure) == [("line:a", "line:b")]


def test_resilience_settings_are_checked() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="one per duration"):
        ResilienceConfig(outages={"durations_h": [1, 2], "probabilities": [1.0]})
    with pytest.raises(ValidationError, match="sum to"):
        ResilienceConfig(outages={"durations_h": [1, 2], "probabilities": [0.5, 0.6]})
    with pytest.raises(ValidationError, match="redundancy"):
        ResilienceConfig(gensets={"redundancy": "3N"})
    with pytest.raises(ValidationError, match="duration_h"):
        ResilienceConfig(sizing={"target": 0.99})
    study = (
        "name: x\nweather: {path: greensboro_tmy3.nc}\n"
        "poi: {p_nom: 1, import_price: 1, grid_cfe_share: 0}\n"
    )
    from gridtwin.exceptions import ConfigError

    with pytest.raises(ConfigError, match="as_built"):
        parse_study(
            study + "resilience: {gensets: {redundancy: 2N}, sizing: {duration_h: 24}}\n",
            base=ROOT / "weather",
        )
    with pytest.raises(ConfigError, match=r"aggregation\.segments"):
        parse_study(
            study + "aggregation: {segments: 100}\nresilience: {sizing: {duration_h: 24}}\n",
            base=ROOT / "weather",
        )


def test_sweep_results_with_and_without_outage_scenarios_line_up(
    result: Path, sized: xr.Dataset, tmp_path: Path
) -> None:
    """A sweep over resilience settings stacks results whose outage scenarios differ (or are
    absent): padded with nan, the sizing's cost and target met per scenario."""
    from gridtwin.results import write_results
    from gridtwin.sweep import OK, Scenario, combine

    write_results(gridtwin.open_results(result), tmp_path / "plain.nc")
    write_results(sized, tmp_path / "sized.nc")
    todo = [Scenario("plain", {}, "a"), Scenario("sized", {}, "b")]
    ds = combine(todo, tmp_path, {"plain": OK, "sized": OK}, {})
    assert ds.sizes["scenario"] == 2
    assert np.isnan(float(ds["outage_fuel"].sel(scenario="plain")))
    assert float(ds["outage_fuel"].sel(scenario="sized")) == float(sized["outage_fuel"])
    assert float(ds["survival_sizing_met"].sel(scenario="sized")) == 1.0
    resilience = ds["cost_breakdown"].sel(cost_component="resilience")
    assert float(resilience.sel(scenario="plain")) == 0.0
