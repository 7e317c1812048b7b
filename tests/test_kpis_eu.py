"""The EU reporting KPIs recomputed by their standards' formulas on a hand case.

Four hours, 110 MW at the site bus, 100 MW of it IT (PUE 1.1 every hour); the cooling system
draws 8 MW and removes 102 MW of heat (IT and electrical losses); the last hour is curtailed
by 11 MW (load served 99 MW: 90 MW IT). On-site solar makes 60, 60, 0, 0 MW and the POI exports
10 MW in hour 1. Two offsite contracts, renewable wind (30 MW every hour) and a nuclear share
(90 MW every hour), deliver 60 MW through the POI in each hour; the rest is sold.

By hand, over the four hours:

* E_DC = 110 + 110 + 110 + 99 = 429 MWh; E_IT = 100 x 3 + 90 = 390 MWh; PUE = 1.1;
* on-site renewable used = 60 + 50 = 110 MWh; PPA = 60 x 30 / 120 = 15 MWh per hour, 60 MWh;
  certificates 5 MWh per hour, 20 MWh; REF = 190 / 429 with parts 110, 60, 20 over 429;
* CER = (102 x 3 + 102 x 0.9) / (8 x 3 + 8 x 0.9) = 3.825 x ... = 102 / 8 = 12.75 (both scaled
  alike by the curtailment);
* no water and no heat-reuse model: WUE and ERF are nan, "not modelled"; with
  ``water_use`` 1.8 m3/h (7.2 m3 = 7,200 L over 390,000 kWh) WUE = 0.018462 L/kWh and with
  ``heat_reused`` 20 MW (80 MWh) ERF = 80 / 429.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridtwin.kpis.eu import KPIS, add_eu_kpis, eu_kpis


def hand_case() -> xr.Dataset:
    time = pd.date_range("2024-06-01", periods=4, freq="h")
    techs = ["solar", "onwind_offsite", "nuclear_contract"]
    p = np.array([[60.0, 30.0, 90.0], [60.0, 30.0, 90.0], [0.0, 30.0, 90.0], [0.0, 30.0, 90.0]])
    return xr.Dataset(
        {
            "load": ("time", np.full(4, 110.0)),
            "load_served": ("time", np.array([110.0, 110.0, 110.0, 99.0])),
            "it_load": ("time", np.full(4, 100.0)),
            "cooling_load": ("time", np.full(4, 8.0)),
            "heat_load": ("time", np.full(4, 102.0)),
            "p": (("time", "technology"), p),
            "is_clean": ("technology", [1, 1, 1]),
            "is_renewable": ("technology", [1, 1, 0]),
            "is_offsite": ("technology", [0, 1, 1]),
            "grid_export": ("time", np.array([0.0, 10.0, 0.0, 0.0])),
            "offsite_delivered": ("time", np.full(4, 60.0)),
            "certificates": ("time", np.full(4, 5.0)),
            "snapshot_weight": ("time", np.ones(4)),
        },
        coords={"time": time, "technology": techs},
    )


def test_every_kpi_by_its_formula() -> None:
    k = eu_kpis(hand_case())
    assert k["PUE"] == pytest.approx(429 / 390)
    assert k["REF on-site"] == pytest.approx(110 / 429)
    assert k["REF PPA"] == pytest.approx(60 / 429)
    assert k["REF certificates"] == pytest.approx(20 / 429)
    assert k["REF"] == pytest.approx(190 / 429)
    assert k["CER"] == pytest.approx(102 / 8)
    assert np.isnan(k["WUE"]) and np.isnan(k["ERF"])


def test_water_and_heat_reuse_when_modelled() -> None:
    ds = hand_case()
    ds["water_use"] = ("time", np.full(4, 1.8))  # m3/h
    ds["heat_reused"] = ("time", np.full(4, 20.0))  # MW
    k = eu_kpis(ds)
    assert k["WUE"] == pytest.approx(7200.0 / 390000.0)
    assert k["ERF"] == pytest.approx(80 / 429)


def test_nuclear_is_not_renewable_and_the_grid_mix_is_not_counted() -> None:
    ds = hand_case()
    ds["is_renewable"] = ("technology", [1, 0, 0])  # the wind contract gone too
    ds["certificates"] = ("time", np.zeros(4))
    assert eu_kpis(ds)["REF"] == pytest.approx(110 / 429)


def test_variables_carry_units_and_standard() -> None:
    ds = add_eu_kpis(hand_case())
    for _, (name, units, standard, _long) in KPIS.items():
        assert ds[name].attrs["units"] == units
        assert ds[name].attrs["standard"] == standard
    assert ds["kpi_wue"].attrs["comment"] == "not modelled"
    assert "comment" not in ds["kpi_pue"].attrs


def test_enefg_limits_by_year_and_site() -> None:
    """EnEfG § 11(1), (2), (5): new sites PUE 1.2 and reuse 10/15/20 % by start year; existing
    sites PUE 1.5 from July 2027 (1.3 from July 2030); renewable 50 % from 2024, 100 % from
    2027."""
    from gridtwin.kpis.compliance import enefg_limits

    assert enefg_limits(2028, "new", start_year=2026) == {
        "pue_max": 1.2,
        "erf_min": 0.10,
        "renewable_share_min": 1.0,
    }
    assert enefg_limits(2030, "new", start_year=2028)["erf_min"] == 0.20
    # within two years of the start, only the renewable share binds
    early = enefg_limits(2027, "new", start_year=2026)
    assert np.isnan(early["pue_max"]) and np.isnan(early["erf_min"])
    assert early["renewable_share_min"] == 1.0
    assert np.isnan(enefg_limits(2026, "existing")["pue_max"])
    assert enefg_limits(2029, "existing")["pue_max"] == 1.5
    assert enefg_limits(2031, "existing")["pue_max"] == 1.3
    assert np.isnan(enefg_limits(2031, "existing")["erf_min"])
    assert enefg_limits(2027, "existing")["renewable_share_min"] == 1.0


def test_compliance_table_states_each_limit() -> None:
    from gridtwin.kpis.compliance import STATUS, add_compliance

    ds = add_eu_kpis(hand_case())
    ds = add_compliance(ds, 2029, "new", start_year=2027)
    pairs = zip(ds["eu_rule"].values, ds["eu_status"].values, strict=True)
    status = {str(rule): STATUS[int(code)] for rule, code in pairs}
    # PUE 1.1 <= 1.2 holds; no heat-reuse model; renewable output (60+60+4x30 = 240 MWh plus
    # 20 MWh certificates) over 429 MWh is short of 100 %
    assert status == {
        "pue_max": "holds",
        "erf_min": "not_modelled",
        "renewable_share_min": "fails",
    }
    assert float(ds["eu_value"].sel(eu_rule="renewable_share_min")) == pytest.approx(260 / 429)
