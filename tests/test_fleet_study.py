"""Fleet studies: Greensboro and Lyon sized together on two April weeks. The written file
passes its own checks, both backends agree, moving work pays more as the target rises (the
reference behaviour of Riepin, Brown & Zavala 2025), and bad fleets stop with one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gridtwin.config import parse_study
from gridtwin.exceptions import ConfigError
from gridtwin.fleet.results import (
    fleet_cfe_score,
    fleet_cost,
    fleet_residual,
    site_result,
)
from gridtwin.results import cfe_score, energy_balance_residual, open_results
from gridtwin.study import run_study
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]
LYON = """name: lyon
weather: {path: lyon_weeks.nc}
poi: {p_nom: 1500, import_price: 60, grid_cfe_share: 0.9}
technologies: {catalogue: us}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two April weeks of Greensboro and the same UTC hours of Lyon, and Lyon's study."""
    out = tmp_path_factory.mktemp("fleet")
    home = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(time=slice(2160, 2160 + 336))
    write_weather(home, out / "weeks.nc")
    lyon = open_weather(ROOT / "weather" / "lyon_bron_tmyx.nc").sel(time=home["time"].values)
    write_weather(lyon, out / "lyon_weeks.nc")
    (out / "lyon.yaml").write_text(LYON)
    return out


def _fleet(  # type: ignore[no-untyped-def]
    folder: Path,
    p_max: float = 300.0,
    target: float = 0.9,
    backend: str = "pypsa",
    extra: str = "",
):
    text = f"""name: greensboro
weather: {{path: weeks.nc}}
poi: {{p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}}
policy: {{cfe_target: {target}}}
solver: {{backend: {backend}}}
fleet:
  sites: {{lyon: lyon.yaml}}
  cfe_target: {target}
  transfers:
    - {{origin: greensboro, destination: lyon, p_max: {p_max}, cost: 2.0, latency_ms: 90}}
{extra}"""
    return parse_study(text, base=folder)


@pytest.fixture(scope="module")
def written(folder: Path) -> Path:
    out = folder / "fleet.nc"
    run_study(_fleet(folder), output=out)
    return out


def test_the_written_fleet_passes_its_own_checks(written: Path) -> None:
    ds = open_results(written)
    assert list(ds["site"].values) == ["greensboro", "lyon"]
    # every exchange is the moves at the campus's PUE; moves within their limits
    for name, value in fleet_residual(ds).items():
        assert value < 1e-6, name
    # the campuses' recomputed costs and the moving costs are the fleet's objective
    assert fleet_cost(ds) == pytest.approx(ds.attrs["fleet_objective"], rel=1e-9)
    # the fleet target holds on the recomputed scores; each campus balances every hour
    assert fleet_cfe_score(ds) >= 0.9 - 1e-6
    for site in ds["site"].values:
        one = site_result(ds, str(site))
        assert float(np.abs(energy_balance_residual(one)).max()) < 1e-5
        assert cfe_score(one) == pytest.approx(float(one["cfe_score"]), abs=1e-9)
    assert ds.attrs["verify_passed"] == 1
    # work moves, and the campus that takes it in serves more than its own load
    assert float(ds["moved"].sum()) > 1.0
    lyon = site_result(ds, "lyon")
    assert float(lyon["load"].sum()) > float((lyon["it_load"] * lyon["pue"]).sum())


@pytest.mark.slow
def test_moving_work_saves_more_as_the_target_rises(folder: Path) -> None:
    # Riepin, Brown & Zavala (2025): spatial flexibility lowers the cost of hourly matching,
    # and the cost falls further the more of the load can move; here: the same campuses with
    # and without the link, at 80 % and 95 % of the fleet's load matched hour by hour
    saving = {}
    for target in (0.8, 0.95):
        alone = run_study(_fleet(folder, p_max=0.0, target=target)).attrs["fleet_objective"]
        moved = run_study(_fleet(folder, target=target)).attrs["fleet_objective"]
        saving[target] = alone - moved
    assert 0 < saving[0.8] < saving[0.95]


def test_backends_agree_on_the_fleet(folder: Path, written: Path) -> None:
    other = run_study(_fleet(folder, backend="cvxpy"))
    ds = open_results(written)
    assert other.attrs["fleet_objective"] == pytest.approx(ds.attrs["fleet_objective"], rel=1e-6)
    np.testing.assert_allclose(other["p_nom_opt"], ds["p_nom_opt"], atol=1e-2)


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        ("    - {origin: greensboro, destination: paris, p_max: 1, cost: 1, latency_ms: 1}\n",
         r"\['paris'\] is not a campus of the fleet"),
        ("investment: {discount_rate: 0.05, periods: [{year: 2027}]}\n",
         "fleet and investment cannot be combined"),
        ("    - {origin: lyon, destination: greensboro, p_max: 1, cost: 1, latency_ms: 1}\n",
         "listed twice"),
    ],
)  # fmt: skip
def test_bad_fleets_are_refused_in_one_line(folder: Path, extra: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        run_study(_fleet(folder, extra=extra))


@pytest.mark.parametrize(
    ("line", "pattern"),
    [("currency: EUR", r"fleet\.sites\.lyon: costed in EUR"),
     ("currency_year: 2020", r"fleet\.sites\.lyon: money of 2020")],
)  # fmt: skip
def test_a_campus_in_another_currency_is_refused(folder: Path, line: str, pattern: str) -> None:
    (folder / "lyon_other.yaml").write_text(LYON.replace("name: lyon", f"name: lyon\n{line}"))
    text = _fleet(folder).text.replace("lyon: lyon.yaml", "lyon: lyon_other.yaml")
    with pytest.raises(ConfigError, match=pattern):
        run_study(parse_study(text, base=folder))


def test_what_leaves_a_campus_is_its_movable_load_over_all_links(folder: Path) -> None:
    # two links out of Greensboro (to Lyon, and to a third campus on Lyon's weather): together
    # they move at most movable_share x training load, not that much each
    (folder / "third.yaml").write_text(LYON.replace("name: lyon", "name: third"))
    text = _fleet(folder).text.replace("{lyon: lyon.yaml}", "{lyon: lyon.yaml, third: third.yaml}")
    text += (
        "    - {origin: greensboro, destination: third, p_max: 300, cost: 2.0, latency_ms: 90}\n"
    )
    ds = run_study(parse_study(text, base=folder))
    for name, value in fleet_residual(ds).items():
        assert value < 1e-6, name
    out = ds["moved"].where(ds["transfer_origin"] == "greensboro", 0.0).sum("transfer")
    assert float((out - ds["movable_it"].sel(site="greensboro")).max()) < 1e-6


def test_a_link_above_the_latency_limit_carries_nothing(folder: Path) -> None:
    ds = run_study(_fleet(folder, extra="  latency_max_ms: 50\n"))
    assert "greensboro->lyon" in ds.attrs["transfers_excluded"]
    assert ds.sizes["transfer"] == 0


@pytest.mark.slow
def test_a_campus_with_a_site_network_is_costed_and_checked(folder: Path) -> None:
    # the home campus with its POI network (upgrades, N-1, AC check): the existing ratings are
    # not paid, so the fleet's objective is still the campuses' recomputed costs plus the moves
    network = f"""technologies:
  extendable: [solar, battery, solar_offsite, onwind_offsite]
  assets: {{solar_offsite: {{p_nom_max: 4000.0}}, onwind_offsite: {{p_nom_max: 2000.0}}}}
site: {{land_area_ha: 1500.0}}
network:
  path: {ROOT}/networks/greensboro_poi.json
  load_bus: campus_34.5kV
  buses: {{solar: collector_34.5kV}}
  s_max_pu: 0.95
"""
    results = {b: run_study(_fleet(folder, backend=b, extra=network)) for b in ("pypsa", "cvxpy")}
    for ds in results.values():
        assert fleet_cost(ds) == pytest.approx(ds.attrs["fleet_objective"], rel=1e-9)
        assert ds.attrs["ac_loop_converged"] == 1
        assert ds.attrs["verify_passed"] == 1
    a, b = results["pypsa"], results["cvxpy"]
    assert a.attrs["fleet_objective"] == pytest.approx(b.attrs["fleet_objective"], rel=1e-6)
