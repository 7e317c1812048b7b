"""Flexibility envelope, dispatch checker, UPS storage and backup generators."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridtwin.campus import (
    FlexibilityEnvelope,
    backup_assets,
    check_dispatch,
    flexibility_cost,
    flexibility_envelope,
    ups_storage,
)
from gridtwin.campus.flexibility import curtailment_events
from gridtwin.config import CampusConfig, FlexibilityConfig, UpsConfig, parse_study
from gridtwin.exceptions import ConfigError, DataError

N = 24 * 14


def _campus(n: int = N, seed: int = 0) -> xr.Dataset:
    """A synthetic campus set: IT load 700-900 MW, PUE 1.1-1.3."""
    rng = np.random.default_rng(seed)
    it = rng.uniform(700.0, 900.0, n)
    pue = rng.uniform(1.1, 1.3, n)
    return xr.Dataset(
        {
            "it_load": ("time", it),
            "it_load_training": ("time", 0.8 * it),
            "pue": ("time", pue),
            "load": ("time", it * pue),
        },
        coords={"time": pd.date_range("2019-01-01", periods=n, freq="h").to_numpy()},
    )


def _env(**flex: object) -> tuple[xr.Dataset, FlexibilityEnvelope]:
    ds = _campus()
    cfg = CampusConfig(it_capacity=1000.0, flexibility=FlexibilityConfig.model_validate(flex))
    return ds, flexibility_envelope(ds, cfg)


def _feasible_shift(e: FlexibilityEnvelope, rng: np.random.Generator) -> np.ndarray:
    """Random shift inside the hourly and ramp bounds, netting to zero in every window."""
    s = np.zeros(e.n_hours)
    for w in e.windows():
        n = w.stop - w.start
        half = n // 2
        x = np.zeros(n)
        x[:half] = -rng.uniform(0.0, 1.0, half)
        x[half : 2 * half] = -x[:half][::-1]
        s[w] = x
    bound = np.minimum(e.shift_max, e.ramp_max / 2.0)
    scale = 0.99 * bound.min()
    return s * scale


def test_envelope_arrays_site_bus_mw() -> None:
    ds, env = _env()
    pue = ds["pue"].values
    f = FlexibilityConfig()
    np.testing.assert_allclose(env.shift_max, f.shift_share * ds["it_load_training"].values * pue)
    np.testing.assert_allclose(env.curtail_max, f.curtail_share * ds["load"].values)
    np.testing.assert_allclose(env.ramp_max, f.ramp_max_share * 1000.0 * pue)
    assert env.window_hours == 24 and env.curtail_event_hours_max == 3
    assert env.curtail_hours_max == 175.0
    assert env.curtail_hours_limit == pytest.approx(175.0 * N / 8760)
    all_it = flexibility_envelope(
        ds, CampusConfig(flexibility=FlexibilityConfig(flexible_workload="all"))
    )
    np.testing.assert_allclose(all_it.shift_max, f.shift_share * ds["load"].values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.window_hours = 2  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        env.shift_max[0] = 0.0


@pytest.mark.parametrize("window", [24, 5, 1])
def test_moved_load_keeps_window_energy(window: int) -> None:
    _, env = _env(window_hours=window)
    rng = np.random.default_rng(3)
    s = _feasible_shift(env, rng)
    c = np.zeros(env.n_hours)
    c[[10, 11, 12, 40]] = 0.5 * env.curtail_max[[10, 11, 12, 40]]
    check_dispatch(env, s, c)  # respects the envelope hour by hour
    for w in env.windows():
        assert abs(s[w].sum()) <= 1e-6
    assert np.all(np.abs(s) <= env.shift_max)
    # the shifted load keeps each window's energy
    moved = env.load + s
    for w in env.windows():
        assert moved[w].sum() == pytest.approx(env.load[w].sum(), abs=1e-6)
    # flexibility cost recomputed by hand
    expected = env.shift_cost * s[s > 0].sum() + env.curtail_cost * c.sum()
    assert flexibility_cost(env, s, c) == pytest.approx(expected, rel=1e-12)


def test_checker_rejects_each_violation() -> None:
    _, env = _env()
    n = env.n_hours
    zero = np.zeros(n)
    s = _feasible_shift(env, np.random.default_rng(0))

    bad = s.copy()
    bad[5] += 1e-3  # window no longer balances
    with pytest.raises(DataError, match="window"):
        check_dispatch(env, bad, zero)

    big = zero.copy()
    big[3], big[4] = env.shift_max[3] + 1.0, -(env.shift_max[3] + 1.0)
    with pytest.raises(DataError, match="shift_max"):
        check_dispatch(env, big, zero)

    _, slow = _env(ramp_max_share=0.05)  # ramp limit (about 60 MW/h) below shift_max
    r = float(slow.ramp_max.min())
    assert r < slow.shift_max.min()
    steep = zero.copy()
    steep[6], steep[7] = 0.6 * r, -0.6 * r  # step of 1.2 r into hour 7
    with pytest.raises(DataError, match="ramp_max"):
        check_dispatch(slow, steep, zero)
    steep[6], steep[7] = 0.4 * r, -0.4 * r  # step of 0.8 r: fine
    check_dispatch(slow, steep, zero)

    over = zero.copy()
    over[2] = env.curtail_max[2] * 1.01
    with pytest.raises(DataError, match="curtail_max"):
        check_dispatch(env, zero, over)
    neg = zero.copy()
    neg[2] = -1.0
    with pytest.raises(DataError, match="curtail"):
        check_dispatch(env, zero, neg)

    long_event = zero.copy()
    long_event[10:14] = 1.0  # 4 h > 3 h
    with pytest.raises(DataError, match="curtail_event_hours_max"):
        check_dispatch(env, zero, long_event)

    many = zero.copy()
    many[::3] = 1.0  # 112 single-hour events > 175 h x 336 / 8760 = 6.7 h
    with pytest.raises(DataError, match="curtailed hour"):
        check_dispatch(env, zero, many)

    with pytest.raises(DataError, match="shape"):
        check_dispatch(env, zero[:-1], zero)


def test_curtailment_counting() -> None:
    assert curtailment_events(np.array([1.0, 1.0, 0.0, 0.0, 2.0, 2.0, 2.0])) == [(0, 2), (4, 3)]
    assert curtailment_events(np.zeros(5)) == []
    assert curtailment_events(np.array([1e-9, 1.0])) == [(1, 1)]  # below tolerance: not counted


def test_window_longer_than_horizon_rejected() -> None:
    ds = _campus(n=48)
    cfg = CampusConfig(flexibility=FlexibilityConfig(window_hours=72))
    with pytest.raises(ConfigError, match=r"campus\.flexibility\.window_hours"):
        flexibility_envelope(ds, cfg)


@pytest.mark.parametrize(
    ("yaml", "field"),
    [
        ("  flexibility:\n    shift_share: 1.5\n", r"campus\.flexibility\.shift_share"),
        ("  flexibility:\n    curtail_share: -0.1\n", r"campus\.flexibility\.curtail_share"),
        ("  flexibility:\n    window_hours: 0\n", r"campus\.flexibility\.window_hours"),
        ("  ups:\n    reserve_share: 2\n", r"campus\.ups\.reserve_share"),
        (
            "  backup:\n    - {name: g, kind: diesel, p_nom: -1, fuel_cost: 1}\n",
            r"campus\.backup\.0\.p_nom",
        ),
        (
            "  backup:\n    - {name: g, kind: coal, p_nom: 1, fuel_cost: 1}\n",
            r"campus\.backup\.0\.kind",
        ),
        (
            "  backup:\n    - {name: g, kind: diesel, p_nom: 1, fuel_cost: 1}\n"
            "    - {name: g, kind: gas_engine, p_nom: 1, fuel_cost: 1}\n",
            r"campus\.backup.*twice",
        ),
    ],
)
def test_bad_flexibility_and_backup_fields_named(yaml: str, field: str) -> None:
    study = "name: t\nweather:\n  path: w.nc\npoi:\n  p_nom: 10\ncampus:\n" + yaml
    with pytest.raises(ConfigError, match=field):
        parse_study(study, source="s.yaml")


def test_backup_assets_from_ipcc_factors() -> None:
    cfg = CampusConfig.model_validate(
        {
            "backup": [
                {"name": "gensets", "kind": "diesel", "p_nom": 1200.0, "fuel_cost": 105.0},
                {"name": "recips", "kind": "gas_engine", "p_nom": 300.0, "fuel_cost": 20.0},
                {
                    "name": "ocgt",
                    "kind": "gas_turbine",
                    "p_nom": 100.0,
                    "fuel_cost": 20.0,
                    "efficiency": 0.4,
                    "max_run_hours": 250.0,
                },
            ]
        }
    )
    diesel, engine, turbine = backup_assets(cfg)
    # IPCC 2006 vol. 2 table 2.2: 74.1 t/TJ (diesel), 56.1 t/TJ (gas); 1 MWh = 3.6 GJ
    diesel_t_per_mwh_fuel = 74_100.0 / 1e3 * 3.6 / 1e3  # 0.26676 t/MWh_fuel
    gas_t_per_mwh_fuel = 56_100.0 / 1e3 * 3.6 / 1e3  # 0.20196 t/MWh_fuel
    assert diesel.co2_intensity == pytest.approx(0.26676 / 0.38, rel=1e-12)
    assert diesel.co2_intensity == pytest.approx(diesel_t_per_mwh_fuel / 0.38, rel=1e-12)
    assert diesel.marginal_cost == pytest.approx(105.0 / 0.38)
    assert diesel.max_energy == pytest.approx(1200.0 * 100.0)  # EPA 100 h/a
    assert engine.co2_intensity == pytest.approx(gas_t_per_mwh_fuel / 0.42, rel=1e-12)
    assert engine.marginal_cost == pytest.approx(20.0 / 0.42)
    assert turbine.co2_intensity == pytest.approx(0.20196 / 0.4, rel=1e-12)
    assert turbine.max_energy == pytest.approx(25_000.0)
    assert (diesel.name, turbine.p_nom) == ("gensets", 100.0)


def test_ups_storage() -> None:
    u = ups_storage(CampusConfig(it_capacity=1000.0))
    total = 1000.0 * 10.0 / 60.0  # 10 min of full IT load
    assert u.e_nom + u.e_reserved == pytest.approx(total)
    assert u.e_nom == pytest.approx(total / 2)
    assert u.p_nom == 1000.0 and u.efficiency_roundtrip == 0.85
    none = ups_storage(CampusConfig(ups=UpsConfig(reserve_share=1.0)))
    assert none.e_nom == 0.0
