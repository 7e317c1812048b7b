"""A fleet of campuses: moving work is worth exactly what the hand calculation says, a fleet
target pools the campuses' clean supply, both backends agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridtwin.exceptions import ConfigError, InfeasibleError
from gridtwin.optimize.fleet import FleetProblem, Transfer, site_results
from gridtwin.optimize.plan_solve import solve_fleet
from gridtwin.optimize.problem import GeneratorSpec, PoiSpec, SystemProblem
from gridtwin.optimize.verify import verify

HOURS = pd.date_range("2019-06-01", periods=2, freq="h")
BACKENDS = ("cvxpy", "pypsa")


def campus(load: float, cost: float, target: float = 1.0) -> SystemProblem:
    """A flat site-bus load, a clean firm plant at ``cost`` per MW over the horizon, and a
    grid that is free and not clean."""
    n = len(HOURS)
    return SystemProblem(
        snapshots=HOURS,
        load=np.full(n, float(load)),
        generators=(GeneratorSpec("firm", np.ones(n), capital_cost=cost),),
        storage=(),
        poi=PoiSpec(1000.0, np.zeros(n), np.zeros(n), np.zeros(n)),
        cfe_target=target,
    )


def fleet(
    p_max: float = 40.0,
    spare: float = 40.0,
    cost: float = 0.5,
    target: float = 1.0,
    fleet_target: float | None = None,
) -> FleetProblem:
    # A: 100 MW of IT at PUE 1.2 (120 MW), clean power at 10 per MW; B: 100 MW of IT at PUE
    # 1.1 (110 MW), clean power at 6 per MW
    n = len(HOURS)
    return FleetProblem(
        sites=("a", "b"),
        blocks=(campus(120, 10, target), campus(110, 6, target)),
        pue=(np.full(n, 1.2), np.full(n, 1.1)),
        spare=(np.zeros(n), np.full(n, spare)),
        transfers=(Transfer("a", "b", np.full(n, p_max), cost),),
        fleet_target=fleet_target,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_moving_work_is_worth_the_hand_calculation(backend: str) -> None:
    # Each campus must be clean every hour. Moving y MW of IT load from a to b: a needs
    # 120 - 1.2 y of clean power, b 110 + 1.1 y, and the move costs 0.5 x 2 h x y:
    # cost(y) = 10 (120 - 1.2 y) + 6 (110 + 1.1 y) + y = 1860 - 4.4 y, so y is as large as
    # the link allows (40 MW): 1860 - 176 = 1684. Each MW moved saves 5.4 of plant.
    alone = solve_fleet(fleet(p_max=0.0), backend)
    assert alone.objective == pytest.approx(1860.0, rel=1e-9)
    moved = solve_fleet(fleet(), backend)
    assert moved.objective == pytest.approx(1684.0, rel=1e-9)
    np.testing.assert_allclose(moved.moved["a->b"], [40, 40], atol=1e-6)
    assert moved.blocks[0].p_nom["firm"] == pytest.approx(72.0, abs=1e-6)
    assert moved.blocks[1].p_nom["firm"] == pytest.approx(154.0, abs=1e-6)
    np.testing.assert_allclose(moved.exchange[0], [48, 48], atol=1e-6)
    np.testing.assert_allclose(moved.exchange[1], [-44, -44], atol=1e-6)
    # b has room for only 25 MW of IT load: 1860 - 4.4 x 25
    assert solve_fleet(fleet(spare=25.0), backend).objective == pytest.approx(1750.0, rel=1e-9)
    # moving at 3 per MWh costs more than it saves (6 per MW over 2 h > 5.4): nothing moves
    costly = solve_fleet(fleet(cost=3.0), backend)
    assert costly.objective == pytest.approx(1860.0, rel=1e-9)
    np.testing.assert_allclose(costly.moved["a->b"], 0.0, atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fleet_target_pools_the_clean_supply(backend: str) -> None:
    # 50 % per campus: a 60 MW at 10, b 55 MW at 6 = 930. 50 % for the fleet: 115 MW clean
    # in all; b's cheaper plant counts up to b's own load (110 MW: exports do not count hour
    # by hour), a builds the last 5 MW: 110 x 6 + 5 x 10 = 710.
    per_site = solve_fleet(fleet(target=0.5, p_max=0.0), backend)
    assert per_site.objective == pytest.approx(930.0, rel=1e-9)
    pooled = solve_fleet(fleet(target=0.5, fleet_target=0.5, p_max=0.0), backend)
    assert pooled.objective == pytest.approx(710.0, rel=1e-9)
    assert pooled.blocks[1].p_nom["firm"] == pytest.approx(110.0, abs=1e-6)
    # Moving y MW of IT to b lowers the fleet's need to 115 - 0.05 y and raises b's load to
    # 110 + 1.1 y: at y = 5 / 1.15 b's plant covers it all, 6 (115 - 0.05 y) + y (the move)
    y = 5 / 1.15
    both = solve_fleet(fleet(target=0.5, fleet_target=0.5), backend)
    assert both.objective == pytest.approx(6 * (115 - 0.05 * y) + y, rel=1e-9)
    np.testing.assert_allclose(both.moved["a->b"], [y, y], atol=1e-6)
    assert both.blocks[0].p_nom["firm"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_campus_is_a_verified_study_on_the_load_it_served(backend: str) -> None:
    solution = solve_fleet(fleet(), backend)
    for problem, part in site_results(fleet(), solution):
        found = verify(problem, part)
        assert found.ok, found.message()
    assert site_results(fleet(), solution)[1][0].load[0] == pytest.approx(154.0)


def test_both_backends_agree_on_a_sunny_and_a_windy_campus() -> None:
    t = pd.date_range("2019-06-01", periods=48, freq="h")
    hour = np.arange(48) % 24
    sun = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    wind = 0.35 + 0.25 * np.cos(np.arange(48) / 9.0)
    n = len(t)

    def site(cf: np.ndarray, name: str, price: np.ndarray) -> SystemProblem:
        return SystemProblem(
            snapshots=t,
            load=np.full(n, 110.0),
            generators=(GeneratorSpec(name, cf, capital_cost=60_000 * n / 8760),),
            storage=(),
            poi=PoiSpec(400.0, price, price - 5, np.full(n, 0.3)),
            cfe_target=0.6,
            horizon_years=n / 8760,
        )

    pue = (np.full(n, 1.1), 1.1 + 0.05 * sun)
    spare = (np.full(n, 30.0), np.full(n, 30.0))
    transfers = (
        Transfer("sunny", "windy", np.full(n, 20.0), 1.0),
        Transfer("windy", "sunny", np.full(n, 20.0), 1.0),
    )
    for fleet_target in (None, 0.7):
        problem = FleetProblem(
            ("sunny", "windy"),
            (site(sun, "solar", 60 + 20 * sun), site(wind, "onwind", np.full(n, 70.0))),
            pue,
            spare,
            transfers,
            fleet_target,
        )
        a, b = (solve_fleet(problem, name) for name in BACKENDS)
        assert a.objective == pytest.approx(b.objective, rel=1e-6)
        for key in a.moved:
            assert float(np.sum(a.moved[key])) == pytest.approx(
                float(np.sum(b.moved[key])), abs=1e-3
            )
        assert sum(float(v.sum()) for v in a.moved.values()) > 1.0  # work does move


def test_bad_fleets_are_refused() -> None:
    with pytest.raises(ConfigError, match="two different campuses"):
        FleetProblem(("a", "b"), fleet().blocks, fleet().pue, fleet().spare,
                     (Transfer("a", "c", np.zeros(2)),))  # fmt: skip
    other = campus(100, 5)
    other = SystemProblem(**{**other.__dict__, "snapshots": HOURS + pd.Timedelta(hours=1)})
    with pytest.raises(ConfigError, match="same UTC hours"):
        FleetProblem(("a", "b"), (campus(100, 5), other), fleet().pue, fleet().spare, ())
    # no clean plant can serve more than a campus's own load: the fleet target is out of reach
    impossible = fleet(target=0.5, fleet_target=1.0, p_max=0.0)
    limited = tuple(
        SystemProblem(
            **{
                **b.__dict__,
                "generators": (GeneratorSpec("firm", np.ones(2), 1.0, p_nom_max=50.0),),
            }
        )
        for b in impossible.blocks
    )
    with pytest.raises(InfeasibleError, match=r"fleet target 1\.0 cannot be met"):
        solve_fleet(
            FleetProblem(impossible.sites, limited, impossible.pue, impossible.spare, (), 1.0),
            "pypsa",
        )
