"""Technology catalogue and annuity: reference values, ties to the source file, bad input."""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from gridtwin import technologies
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.technologies import (
    COST_COLUMNS,
    FUEL,
    STUDY_TECHNOLOGIES,
    annualised_costs,
    annuity,
    load_catalogue,
)

# ---------------------------------------------------------------------------------------------
# annuity: capital recovery factors from published interest tables (5 decimals), e.g.
# Short, Packey & Holt 1995 (NREL/TP-462-5173) and any engineering-economics CRF table.


@pytest.mark.parametrize(
    ("rate", "years", "crf"),
    [
        (0.07, 20, 0.09439),
        (0.05, 30, 0.06505),
        (0.10, 10, 0.16275),
        (0.08, 25, 0.09368),
    ],
)
def test_annuity_matches_published_tables(rate: float, years: int, crf: float) -> None:
    assert annuity(rate, years) == pytest.approx(crf, abs=5e-6)


def test_annuity_zero_rate_is_straight_line() -> None:
    assert annuity(0.0, 20) == pytest.approx(1 / 20)
    assert annuity(0.0, 40) == pytest.approx(0.025)


@pytest.mark.parametrize(("rate", "years"), [(0.05, 0), (0.05, -3), (-0.01, 20)])
def test_annuity_rejects_bad_input(rate: float, years: float) -> None:
    with pytest.raises(ConfigError):
        annuity(rate, years)


def test_docstring_examples() -> None:
    result = doctest.testmod(technologies)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------
# The shipped catalogue against the reference file it was read from (PyPSA technology-data,
# outputs/US/costs_2030.csv, NREL ATB 2024 Market financial case, Moderate scenario).

# technology-data writes every investment, VOM and fuel value in the money of its output year
# (2025) while keeping the source's currency_year label (scripts/_helpers.py
# adjust_for_inflation, its last step). The factors of that chain, read off the file against the
# original sources (gridtwin/data/make_technologies_eu.py): USD from 2022, EUR from 2015 and
# 2023. The catalogue holds the source's number: file value / factor.
TD_USD_2022 = 1.07634
TD_EUR = {2015: 1.33580, 2020: 1.25733, 2023: 1.05165}


# ATB gives storage and hydrogen no financial assumptions and the file has no discount rate for
# them: proxy = utility PV WACC (see the table notes).
PV_WACC = ("solar-utility", "discount rate", 1.0)
NG_CC = "NG 2-on-1 Combined Cycle (F-Frame)"
ALKALINE = "Alkaline electrolyzer large size"

# (technology, parameter) -> (row in costs_2030 US, parameter there, factor to our unit)
FROM_REFERENCE = {
    ("solar", "investment"): ("solar-utility", "investment", 1000.0),  # USD/kW -> USD/MW
    ("solar", "fom"): ("solar-utility", "FOM", 1.0),
    ("solar", "lifetime"): ("solar-utility", "lifetime", 1.0),
    ("solar", "discount_rate"): ("solar-utility", "discount rate", 1.0),
    ("onwind", "investment"): ("onwind", "investment", 1000.0),
    ("onwind", "fom"): ("onwind", "FOM", 1.0),
    ("onwind", "lifetime"): ("onwind", "lifetime", 1.0),
    ("onwind", "discount_rate"): ("onwind", "discount rate", 1.0),
    ("offwind", "investment"): ("offwind", "investment", 1000.0),
    ("offwind", "fom"): ("offwind", "FOM", 1.0),
    ("offwind", "lifetime"): ("offwind", "lifetime", 1.0),
    ("offwind", "discount_rate"): ("offwind", "discount rate", 1.0),
    ("battery_energy", "investment"): ("battery storage", "investment", 1000.0),  # /kWh -> /MWh
    ("battery_energy", "fom"): ("battery storage", "FOM", 1.0),
    ("battery_energy", "lifetime"): ("battery storage", "lifetime", 1.0),
    ("battery_energy", "discount_rate"): PV_WACC,
    ("battery_power", "investment"): ("battery inverter", "investment", 1000.0),
    ("battery_power", "fom"): ("battery inverter", "FOM", 1.0),
    ("battery_power", "lifetime"): ("battery inverter", "lifetime", 1.0),
    ("battery_power", "discount_rate"): PV_WACC,
    ("iron_air_energy", "fom"): ("iron-air battery", "FOM", 1.0),
    ("iron_air_energy", "lifetime"): ("iron-air battery", "lifetime", 1.0),
    ("iron_air_energy", "discount_rate"): PV_WACC,
    ("iron_air_power", "fom"): ("iron-air battery", "FOM", 1.0),
    ("iron_air_power", "lifetime"): ("iron-air battery", "lifetime", 1.0),
    ("iron_air_power", "discount_rate"): PV_WACC,
    ("iron_air_power", "efficiency_charge"): ("iron-air battery charge", "efficiency", 1.0),
    ("iron_air_power", "efficiency_discharge"): ("iron-air battery discharge", "efficiency", 1.0),
    ("electrolysis", "investment"): (ALKALINE, "investment", 1000.0),  # per kW electricity in
    ("electrolysis", "fom"): (ALKALINE, "FOM", 1.0),
    ("electrolysis", "lifetime"): (ALKALINE, "lifetime", 1.0),
    ("electrolysis", "discount_rate"): PV_WACC,
    ("electrolysis", "efficiency"): ("electrolysis", "efficiency", 1.0),  # DEA, H2 LHV / el
    ("hydrogen_storage", "fom"): ("hydrogen storage tank type 1", "FOM", 1.0),
    ("hydrogen_storage", "lifetime"): ("hydrogen storage tank type 1", "lifetime", 1.0),
    ("hydrogen_storage", "discount_rate"): PV_WACC,
    ("fuel_cell", "fom"): ("fuel cell", "FOM", 1.0),
    ("fuel_cell", "lifetime"): ("fuel cell", "lifetime", 1.0),
    ("fuel_cell", "discount_rate"): PV_WACC,
    ("fuel_cell", "efficiency"): ("fuel cell", "efficiency", 1.0),
    ("geothermal", "investment"): ("geothermal", "investment", 1000.0),
    ("geothermal", "fom"): ("geothermal", "FOM", 1.0),
    ("geothermal", "lifetime"): ("geothermal", "lifetime", 1.0),
    ("geothermal", "discount_rate"): ("geothermal", "discount rate", 1.0),
    ("geothermal", "availability"): ("geothermal", "CF", 1.0),
    ("nuclear", "investment"): ("nuclear", "investment", 1000.0),
    ("nuclear", "fom"): ("nuclear", "FOM", 1.0),
    ("nuclear", "lifetime"): ("nuclear", "lifetime", 1.0),
    ("nuclear", "discount_rate"): ("nuclear", "discount rate", 1.0),
    ("nuclear", "vom"): ("nuclear", "VOM", 1.0),
    ("nuclear", "availability"): ("nuclear", "CF", 1.0),
    ("nuclear", "efficiency"): ("nuclear", "efficiency", 1.0),
    # The file's "CCGT" costs are ATB's NG Combustion Turbine (F-Frame), a simple cycle
    # (see test_reference_ccgt_row_is_a_combustion_turbine): they are our ocgt.
    ("ocgt", "investment"): ("CCGT", "investment", 1000.0),
    ("ocgt", "fom"): ("CCGT", "FOM", 1.0),
    ("ocgt", "vom"): ("CCGT", "VOM", 1.0),
    ("ocgt", "lifetime"): ("OCGT", "lifetime", 1.0),
    ("ocgt", "discount_rate"): ("OCGT", "discount rate", 1.0),
    ("ocgt", "efficiency"): ("OCGT", "efficiency", 1.0),
    ("ccgt", "investment"): (NG_CC, "investment", 1000.0),
    ("ccgt", "fom"): (NG_CC, "FOM", 1.0),
    ("ccgt", "vom"): (NG_CC, "VOM", 1.0),
    ("ccgt", "lifetime"): (NG_CC, "lifetime", 1.0),
    ("ccgt", "discount_rate"): (NG_CC, "discount rate", 1.0),
    ("ccgt", "efficiency"): (NG_CC, "efficiency", 1.0),
    ("gas", "co2_intensity"): ("gas", "CO2 intensity", 1.0),
}
# Rows kept in another currency or year: (technology, parameter) -> (row, parameter there,
# factor to our unit, unit and label there, our currency and currency_year).
CONVERTED = {
    ("iron_air_energy", "investment"): (
        "iron-air battery",
        "investment",
        1000.0 / TD_EUR[2023],  # Form Energy's 20 EUR2023/kWh
        ("EUR/kWh", 2023),
        ("EUR", 2023),
    ),
    # kW_e: per kW of electrical OUTPUT, like our fuel_cell investment (no efficiency factor).
    ("fuel_cell", "investment"): (
        "fuel cell",
        "investment",
        1000.0 / TD_EUR[2015],  # DEA's 1100 EUR2015/kW_e
        ("EUR/kW_e", 2015),
        ("EUR", 2015),
    ),
    # district heating (DEA sheets 40 and 141; the same rows as the European catalogue's)
    ("heat_pump", "investment"): (
        "central excess-heat-sourced heat pump",
        "investment",
        1000.0 / TD_EUR[2015],  # DEA's excess-heat heat pump, EUR2015 per kW of heat
        ("EUR/kW", 2015),
        ("EUR", 2015),
    ),
    ("heat_pump", "vom"): (
        "central excess-heat-sourced heat pump",
        "VOM",
        1.0 / TD_EUR[2015],
        ("EUR/MWh", 2015),
        ("EUR", 2015),
    ),
    ("heat_storage", "investment"): (
        "central water tank storage",
        "investment",
        1000.0 / TD_EUR[2020],  # DEA's large hot-water tank, EUR2020 per kWh
        ("EUR/kWhCapacity", 2020),
        ("EUR", 2020),
    ),
    # labelled 2010 by technology-data, 2025 money like every row: back to 2022 by its chain
    ("gas", "fuel_cost"): ("gas", "fuel", 1.0 / TD_USD_2022, ("USD/MWh_th", 2010), ("USD", 2022)),
}


def _tank_plus_compressor(ref: Callable[[str, str], float]) -> float:
    """Steel tank with compressor [USD/MWh H2]."""
    tank = ref("hydrogen storage tank type 1", "investment")
    return 1000.0 * (tank + ref("hydrogen storage compressor", "investment")) / TD_USD_2022


def _uranium_per_mwh_th(ref: Callable[[str, str], float]) -> float:
    """ATB's nuclear fuel cost is per MWh_e: times the efficiency gives per MWh_th."""
    return ref("nuclear", "fuel") * ref("nuclear", "efficiency") / TD_USD_2022


# Rows combined from several reference rows: (technology, parameter) -> formula.
DERIVED: dict[tuple[str, str], Callable[[Callable[[str, str], float]], float]] = {
    ("hydrogen_storage", "investment"): _tank_plus_compressor,
    ("uranium", "fuel_cost"): _uranium_per_mwh_th,
}
# Rows deliberately not taken from the file: (technology, parameter) -> expected value.
NOT_IN_REFERENCE = {
    ("solar", "vom"): 0.0,
    ("onwind", "vom"): 0.0,
    ("offwind", "vom"): 0.0,
    ("geothermal", "vom"): 0.0,
    ("battery_power", "efficiency_roundtrip"): 0.85,  # NREL ATB 2024 utility-scale battery
    ("iron_air_power", "investment"): 0.0,  # Form Energy's all-in cost is per kWh
}


@pytest.fixture(scope="module")
def reference(shared_data: Path) -> pd.DataFrame:
    """Market/Moderate rows, plus rows without a financial case (lifetimes)."""
    ref = pd.read_csv(shared_data / "costs" / "technology-data_costs_2030_US.csv")
    market = (ref["financial_case"] == "Market") & (ref["scenario"] == "Moderate")
    return ref[market | ref["financial_case"].isna()]


def _row(reference: pd.DataFrame, tech: str, par: str) -> pd.Series:
    rows = reference[(reference["technology"] == tech) & (reference["parameter"] == par)]
    assert len(rows) == 1, f"expected one {tech}/{par} row, found {len(rows)}"
    return rows.iloc[0]


def _ours(key: tuple[str, str]) -> pd.Series:
    cat = load_catalogue()
    return cat[(cat["technology"] == key[0]) & (cat["parameter"] == key[1])].iloc[0]


# Site-network upgrades and land use, recomputed here from the published numbers the catalogue
# cites (MISO MTEP19 unit costs via NREL reVX in USD of 2019; NREL land-use reports).
KM_PER_MILE = 1.609344
HA_PER_ACRE = 0.404686
LINE_USD_2019 = 1_694_747 / 400 / KM_PER_MILE  # 230 kV, 400 MW class
OWN_SOURCES = {
    ("ac_line", "investment"): LINE_USD_2019,
    ("ac_cable", "investment"): LINE_USD_2019 * 4510.0 / 750.0,  # DEA underground / overhead
    ("transformer", "investment"): 4970 + 2.2e6 / 600,
    ("transformer", "fom"): 1.5,  # NREL ReEDS trans_fom_frac
    ("transformer", "lifetime"): 40.0,  # NREL ReEDS trans_crp
    ("solar", "land_use"): 8.3 * HA_PER_ACRE,  # Ong et al. 2013, large PV, single-axis, total
    ("onwind", "land_use"): 34.5,  # Denholm et al. 2009, total project area
    ("battery_power", "land_use"): 40 * HA_PER_ACRE / 409,  # FPL Manatee, 409 MW on 40 acres
    **{
        (t, "discount_rate"): 0.0438
        for t in ("ac_line", "ac_cable", "transformer", "heat_pump", "heat_storage")
    },
}
# fixed O&M and lifetime of lines and cables: the Danish Energy Agency rows of the reference file
DEA_ROWS = {
    ("ac_line", "fom"): ("HVAC overhead", "FOM"),
    ("ac_line", "lifetime"): ("HVAC overhead", "lifetime"),
    ("ac_cable", "fom"): ("HVAC underground", "FOM"),
    ("ac_cable", "lifetime"): ("HVAC underground", "lifetime"),
    ("heat_pump", "fom"): ("central excess-heat-sourced heat pump", "FOM"),
    ("heat_pump", "lifetime"): ("central excess-heat-sourced heat pump", "lifetime"),
    ("heat_pump", "cop"): ("central excess-heat-sourced heat pump", "efficiency"),
    ("heat_storage", "fom"): ("central water tank storage", "FOM"),
    ("heat_storage", "lifetime"): ("central water tank storage", "lifetime"),
    ("heat_storage", "standing_loss"): ("central water tank storage", "standing losses"),
    ("heat_storage", "energy_to_power"): ("central water tank storage", "energy to power ratio"),
}


@pytest.mark.parametrize("key", sorted(OWN_SOURCES))
def test_network_and_land_rows_follow_their_sources(key: tuple[str, str]) -> None:
    assert _ours(key)["value"] == pytest.approx(OWN_SOURCES[key], rel=1e-3)


@pytest.mark.parametrize("key", sorted(DEA_ROWS))
def test_line_and_cable_om_equal_reference_file(
    reference: pd.DataFrame, key: tuple[str, str]
) -> None:
    assert _ours(key)["value"] == pytest.approx(_row(reference, *DEA_ROWS[key])["value"])


def test_every_catalogue_row_is_accounted_for() -> None:
    cat = load_catalogue()
    keys = set(zip(cat["technology"], cat["parameter"], strict=True))
    expected = set(FROM_REFERENCE) | set(CONVERTED) | set(DERIVED) | set(NOT_IN_REFERENCE)
    expected |= set(OWN_SOURCES) | set(DEA_ROWS)
    assert keys == expected


@pytest.mark.parametrize("key", sorted(FROM_REFERENCE))
def test_catalogue_equals_reference_file(reference: pd.DataFrame, key: tuple[str, str]) -> None:
    tech, par, factor = FROM_REFERENCE[key]
    row = _row(reference, tech, par)
    if par in ("investment", "VOM"):
        assert row["unit"] in ("USD/kW", "USD/kWh", "USD/MWh")
        assert row["currency_year"] == 2022
    ours = _ours(key)
    if par in ("investment", "VOM"):  # the file's 2025 dollars back to the source's 2022
        factor /= TD_USD_2022
        assert "1.07634" in ours["note"]
    assert ours["value"] == pytest.approx(row["value"] * factor, rel=1e-7)
    assert "via PyPSA technology-data (costs_2030 US)" in ours["note"]


@pytest.mark.parametrize("key", sorted(CONVERTED))
def test_converted_rows_equal_reference_file(reference: pd.DataFrame, key: tuple[str, str]) -> None:
    tech, par, factor, there, money = CONVERTED[key]
    row = _row(reference, tech, par)
    assert (row["unit"], row["currency_year"]) == there
    ours = _ours(key)
    assert (ours["currency"], ours["currency_year"]) == money
    assert ours["value"] == pytest.approx(row["value"] * factor, rel=1e-4)
    assert "via PyPSA technology-data (costs_2030 US)" in ours["note"]
    # the note names technology-data's chain factor that was divided out
    assert any(f in ours["note"] for f in ("1.07634", "1.05165", "1.33580", "1.25733"))


@pytest.mark.parametrize("key", sorted(DERIVED))
def test_derived_rows_equal_reference_file(reference: pd.DataFrame, key: tuple[str, str]) -> None:
    def ref(tech: str, par: str) -> float:
        return float(_row(reference, tech, par)["value"])

    ours = _ours(key)
    assert ours["value"] == pytest.approx(DERIVED[key](ref), rel=1e-7)
    assert "via PyPSA technology-data (costs_2030 US)" in ours["note"]


def test_derived_inputs_are_usd_2022_and_per_kwh(reference: pd.DataFrame) -> None:
    for tech in ("hydrogen storage tank type 1", "hydrogen storage compressor"):
        row = _row(reference, tech, "investment")
        assert (row["unit"], row["currency_year"]) == ("USD/kWh_H2", 2022)
        assert _row(reference, tech, "FOM")["value"] == 4.0
        assert _row(reference, tech, "lifetime")["value"] == 30.0
    fuel = _row(reference, "nuclear", "fuel")
    assert (fuel["unit"], fuel["currency_year"]) == ("USD/MWh", 2022)  # ATB: per MWh_e


def test_european_inputs_are_carried_unchanged_into_the_us_file(
    reference: pd.DataFrame, shared_data: Path
) -> None:
    eu = pd.read_csv(shared_data / "costs" / "technology-data_costs_2030_EU.csv")
    for tech, par in [("iron-air battery", "investment"), ("fuel cell", "investment")]:
        ours = _row(reference, tech, par)
        theirs = _row(eu, tech, par)
        assert (ours["value"], ours["unit"]) == (theirs["value"], theirs["unit"])


def test_reference_ccgt_row_is_a_combustion_turbine(reference: pd.DataFrame) -> None:
    # technology-data renames ATB's "NG Combustion Turbine (F-Frame)" to CCGT, so the ATB
    # name is absent while every ATB combined cycle keeps its own name; a simple cycle's
    # variable O&M is several times that of a combined cycle.
    names = set(reference["technology"])
    assert "NG Combustion Turbine (F-Frame)" not in names
    assert NG_CC in names
    assert _row(reference, "CCGT", "VOM")["value"] > 3 * _row(reference, NG_CC, "VOM")["value"]


def test_rows_not_in_reference_are_really_absent(reference: pd.DataFrame) -> None:
    for tech in ("solar-utility", "onwind", "offwind", "geothermal"):
        assert not ((reference["technology"] == tech) & (reference["parameter"] == "VOM")).any()
    for tech in (
        "battery storage",
        "battery inverter",
        "iron-air battery",
        ALKALINE,
        "hydrogen storage tank type 1",
        "fuel cell",
    ):
        has_dr = (reference["technology"] == tech) & (reference["parameter"] == "discount rate")
        assert not has_dr.any()
    iron_air = reference[reference["technology"].str.startswith("iron-air")]
    assert list(iron_air.loc[iron_air["parameter"] == "investment", "unit"]) == ["EUR/kWh"]
    cat = load_catalogue().set_index(["technology", "parameter"])
    for key, value in NOT_IN_REFERENCE.items():
        assert cat.loc[key, "value"] == value
    assert "not in" in cat.loc[("battery_power", "efficiency_roundtrip"), "note"].lower()


def test_catalogue_currency_and_sources() -> None:
    """Money stays in its source's currency and year: USD 2022 (NREL ATB, ICCT), USD 2019
    (MISO MTEP19), EUR 2015, 2020 and 2023 (Danish Energy Agency, Form Energy)."""
    cat = load_catalogue()
    money = cat[cat["parameter"].isin(["investment", "vom", "fuel_cost"])]
    other = {
        "iron_air_energy": ("EUR", 2023),
        "iron_air_power": ("EUR", 2023),
        "fuel_cell": ("EUR", 2015),
        "ac_line": ("USD", 2019),
        "ac_cable": ("USD", 2019),
        "transformer": ("USD", 2019),
        "heat_pump": ("EUR", 2015),
        "heat_storage": ("EUR", 2020),
    }
    for _, row in money.iterrows():
        expected = other.get(row["technology"], ("USD", 2022))
        assert (row["currency"], row["currency_year"]) == expected, row["technology"]
    assert cat["source"].str.len().gt(0).all()


# ---------------------------------------------------------------------------------------------
# Annualised costs


def test_annualised_solar_by_hand() -> None:
    costs = annualised_costs(load_catalogue(), ["solar"], "USD", 2022)
    # ATB 1193.48 USD2022/kW (the file's 1284.5909 / 1.07634), 4.38 % WACC, 40 years, FOM 1.51 %/a
    crf = 0.0438 / (1 - 1.0438**-40)
    expected = 1284.5909e3 / TD_USD_2022 * (crf + 0.0151)
    assert costs.loc["solar", "capital_cost"] == pytest.approx(expected, rel=1e-7)
    assert costs.loc["solar", "capital_cost"] == pytest.approx(81772.0, abs=0.1)
    assert costs.loc["solar", "capital_unit"] == "MW"
    assert costs.loc["solar", "marginal_cost"] == 0.0


def test_battery_expands_and_override_rate() -> None:
    costs = annualised_costs(load_catalogue(), ["battery"], "USD", 2022, discount_rate=0.07)
    assert list(costs.index) == ["battery_energy", "battery_power"]
    assert costs.loc["battery_energy", "capital_unit"] == "MWh"
    assert costs.loc["battery_power", "efficiency_roundtrip"] == 0.85
    assert (costs["discount_rate"] == 0.07).all()
    expected = 274.2514e3 / TD_USD_2022 * (0.07 / (1 - 1.07**-15) + 0.025)
    assert costs.loc["battery_energy", "capital_cost"] == pytest.approx(expected, rel=1e-7)
    assert costs.attrs == {"currency": "USD", "currency_year": 2022, "conversions": {}}


def test_other_currencies_and_years_are_converted() -> None:
    """EUR of 2024: US dollars of 2022 inflated by CPI-U (313.689 / 292.655, BLS) and exchanged
    at 1.0824 USD/EUR (ECB annual average 2024)."""
    usd = annualised_costs(load_catalogue(), ["solar"], "USD", 2022)
    eur = annualised_costs(load_catalogue(), ["solar"], "EUR", 2024)
    factor = 313.689 / 292.655 / 1.0824
    assert eur.loc["solar", "investment"] == pytest.approx(
        usd.loc["solar", "investment"] * factor, rel=1e-9
    )
    assert "USD 2022 -> EUR 2024" in eur.attrs["conversions"]["solar investment"]


def test_a_year_outside_the_price_tables_is_refused() -> None:
    with pytest.raises(DataError, match=r"solar investment is in USD of 2022: .*2030 is not in"):
        annualised_costs(load_catalogue(), ["solar"], "USD", 2030)


def test_unknown_study_technology() -> None:
    with pytest.raises(ConfigError, match="unknown technology 'coal'") as info:
        annualised_costs(load_catalogue(), ["coal"], "USD", 2022)
    for name in STUDY_TECHNOLOGIES:
        assert f"'{name}'" in str(info.value)
    assert {"offwind", "iron_air", "hydrogen", "geothermal", "nuclear", "ocgt", "ccgt"} <= set(
        STUDY_TECHNOLOGIES
    )


def test_every_study_technology_annualises() -> None:
    """Every technology of the US catalogue; nuclear_contract (a French CAPN) is European."""
    cat = load_catalogue()
    techs = [t for t in STUDY_TECHNOLOGIES if t != "nuclear_contract"]
    costs = annualised_costs(cat, techs, "USD", 2022)
    assert list(costs.columns) == COST_COLUMNS
    fuels = set(FUEL.values())
    assert set(costs.index) == set(cat["technology"]) - fuels  # fuels are not rows
    numeric = ["capital_cost", "marginal_cost", "co2_intensity", "availability", "investment"]
    assert costs[numeric].notna().all().all()
    assert set(costs.index[costs["capital_unit"] == "MWh"]) == {
        "battery_energy",
        "iron_air_energy",
        "hydrogen_storage",
        "heat_storage",
    }
    clean = costs.drop(index=["ocgt", "ccgt"])
    assert (clean["co2_intensity"] == 0.0).all()


def test_annualised_ccgt_by_hand() -> None:
    costs = annualised_costs(load_catalogue(), ["ccgt"], "USD", 2022)
    assert list(costs.index) == ["ccgt"]  # gas enters through marginal cost and CO2 only
    ccgt = costs.loc["ccgt"]
    # ATB 2024 NG 2-on-1 CC (F-Frame): 1510.4351 / 1.07634 USD2022/kW, 5.36 % WACC, FOM
    # 2.27 %/a; 30 years
    crf = 0.0536 / (1 - 1.0536**-30)
    invest = 1510.4351e3 / TD_USD_2022
    assert ccgt["capital_cost"] == pytest.approx(invest * (crf + 0.0227), rel=1e-7)
    # VOM 2.1957 USD/MWh + gas 19.9574 USD/MWh_th, both the file's 2025 dollars / 1.07634;
    # efficiency 0.573
    assert ccgt["marginal_cost"] == pytest.approx(
        (2.1957 + 19.9574 / 0.573) / TD_USD_2022, rel=1e-6
    )
    assert ccgt["co2_intensity"] == pytest.approx(0.198 / 0.573, rel=1e-12)  # t/MWh_e
    assert ccgt["efficiency"] == 0.573
    assert ccgt["availability"] == 1.0
    assert math.isnan(ccgt["efficiency_charge"]) and math.isnan(ccgt["efficiency_roundtrip"])


def test_nuclear_marginal_cost_is_atb_vom_plus_fuel() -> None:
    nuclear = annualised_costs(load_catalogue(), ["nuclear"], "USD", 2022).loc["nuclear"]
    # ATB 2024 Nuclear - Large: VOM 3.0138 and fuel 10.9594 USD per MWh of electricity in the
    # file's 2025 dollars, / 1.07634 to ATB's 2022 dollars
    assert nuclear["marginal_cost"] == pytest.approx((3.0138 + 10.9594) / TD_USD_2022, rel=1e-6)
    assert nuclear["co2_intensity"] == 0.0
    assert nuclear["availability"] == 0.93


def test_storage_efficiency_split() -> None:
    costs = annualised_costs(load_catalogue(), ["iron_air", "battery", "solar"], "USD", 2022)
    iron = costs.loc["iron_air_power"]
    assert (iron["efficiency_charge"], iron["efficiency_discharge"]) == (0.71, 0.6)
    assert iron["efficiency_roundtrip"] == pytest.approx(0.426, rel=1e-12)
    assert iron["capital_cost"] == 0.0  # power conversion is in the per-kWh system cost
    battery = costs.loc["battery_power"]
    assert battery["efficiency_charge"] == pytest.approx(0.85**0.5, rel=1e-12)
    assert battery["efficiency_discharge"] == battery["efficiency_charge"]
    assert battery["efficiency_roundtrip"] == 0.85
    for tech in ("iron_air_energy", "battery_energy", "solar"):
        assert costs.loc[tech, ["efficiency_charge", "efficiency_roundtrip"]].isna().all()
    energy = costs.loc["iron_air_energy"]
    assert energy["capital_unit"] == "MWh"
    # Form Energy 20 EUR(2023)/kWh -> USD 2022: euro area HICP 2023 -> 2022 (1 / 1.054,
    # Eurostat) x 1.0530 USD/EUR (ECB 2022); 4.38 % WACC (proxy), 17.5 years, FOM 1 %/a
    crf = 0.0438 / (1 - 1.0438**-17.5)
    invest = 20e3 / 1.054 * 1.0530
    assert energy["capital_cost"] == pytest.approx(invest * (crf + 0.01), rel=1e-7)


def test_hydrogen_chain() -> None:
    costs = annualised_costs(load_catalogue(), ["hydrogen"], "USD", 2022)
    assert list(costs.index) == ["electrolysis", "hydrogen_storage", "fuel_cell"]
    assert list(costs["capital_unit"]) == ["MW", "MWh", "MW"]
    assert costs.loc["electrolysis", "efficiency"] == 0.6217  # H2 (LHV) out / electricity in
    assert costs.loc["fuel_cell", "efficiency"] == 0.5  # electricity out / H2 in
    # ICCT tank 16.87 + compressor 2.28 USD2022/kWh_H2
    assert costs.loc["hydrogen_storage", "investment"] == pytest.approx(19150.0, rel=1e-4)
    assert (costs["marginal_cost"] == 0.0).all()


# ---------------------------------------------------------------------------------------------
# Malformed catalogues


def _package_lines() -> list[str]:
    ref = resources.files("gridtwin") / "data" / "technologies.csv"
    return ref.read_text(encoding="utf-8").splitlines()


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "catalogue.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_missing_parameter(tmp_path: Path) -> None:
    lines = [ln for ln in _package_lines() if not ln.startswith("onwind,fom,")]
    with pytest.raises(DataError, match=r"catalogue\.csv: technology 'onwind'.*\['fom'\]"):
        load_catalogue(_write(tmp_path, lines))


def test_non_numeric_value(tmp_path: Path) -> None:
    lines = [ln.replace("solar,lifetime,40,", "solar,lifetime,forty,") for ln in _package_lines()]
    with pytest.raises(DataError, match=r"line 4 \(solar, lifetime\).*'forty' is not"):
        load_catalogue(_write(tmp_path, lines))


def test_duplicate_row(tmp_path: Path) -> None:
    lines = _package_lines()
    lines.append("solar,fom,1.6,%/year,,,somewhere,else")
    with pytest.raises(DataError, match=r"\(solar, fom\): duplicate row.*line 3"):
        load_catalogue(_write(tmp_path, lines))


def test_per_kw_unit_is_rejected(tmp_path: Path) -> None:
    lines = [ln.replace("1193480.6,USD/MW,", "1193.4806,USD/kW,") for ln in _package_lines()]
    with pytest.raises(DataError, match=r"\(solar, investment\): unit 'USD/kW' should be 'USD/MW'"):
        load_catalogue(_write(tmp_path, lines))


def test_missing_column_and_file(tmp_path: Path) -> None:
    lines = [ln.rsplit(",", 1)[0] if i == 0 else ln for i, ln in enumerate(_package_lines())]
    with pytest.raises(DataError, match=r"missing column\(s\) \['note'\]"):
        load_catalogue(_write(tmp_path, lines[:1]))
    with pytest.raises(DataError, match="not found"):
        load_catalogue(tmp_path / "absent.csv")


def test_fuel_without_fuel_cost(tmp_path: Path) -> None:
    lines = [ln for ln in _package_lines() if not ln.startswith("gas,fuel_cost,")]
    with pytest.raises(DataError, match=r"technology 'gas' is a fuel but has no fuel_cost row"):
        load_catalogue(_write(tmp_path, lines))


def test_fuel_with_plant_parameters(tmp_path: Path) -> None:
    lines = [*_package_lines(), "gas,lifetime,30,years,,,somewhere,else"]
    with pytest.raises(DataError, match=r"'gas' is a fuel and may only have .*\['lifetime'\]"):
        load_catalogue(_write(tmp_path, lines))


def test_missing_fuel_of_generator(tmp_path: Path) -> None:
    lines = [ln for ln in _package_lines() if not ln.startswith("gas,")]
    cat = load_catalogue(_write(tmp_path, lines))
    annualised_costs(cat, ["solar", "nuclear"], "USD", 2022)  # no gas needed
    with pytest.raises(DataError, match=r"catalogue\.csv: fuel 'gas' of ocgt is not in the"):
        annualised_costs(cat, ["ocgt"], "USD", 2022)


def test_fuel_in_another_year_is_converted(tmp_path: Path) -> None:
    """A fuel price of 2021 enters a 2022 study inflated by CPI-U (292.655 / 270.970, BLS)."""
    lines = [
        ln.replace(",USD/MWh_th,USD,2022,", ",USD/MWh_th,USD,2021,")
        if ln.startswith("gas,fuel_cost,")
        else ln
        for ln in _package_lines()
    ]
    cat = load_catalogue(_write(tmp_path, lines))
    moved = annualised_costs(cat, ["ccgt"], "USD", 2022).loc["ccgt", "marginal_cost"]
    base = annualised_costs(load_catalogue(), ["ccgt"], "USD", 2022).loc["ccgt", "marginal_cost"]
    vom = float(
        load_catalogue().query("technology == 'ccgt' and parameter == 'vom'")["value"].iloc[0]
    )
    assert moved - vom == pytest.approx((base - vom) * 292.655 / 270.970, rel=1e-9)


@pytest.mark.parametrize(
    ("extra", "drop", "found"),
    [
        ("iron_air_power,efficiency_roundtrip,0.43,per unit,,,x,y", None, "efficiency_roundtrip"),
        (None, "iron_air_power,efficiency_discharge,", r"\['efficiency_charge'\]"),
        (None, "battery_power,efficiency_roundtrip,", "none"),
    ],
)
def test_storage_efficiencies_are_either_roundtrip_or_split(
    tmp_path: Path, extra: str | None, drop: str | None, found: str
) -> None:
    lines = [ln for ln in _package_lines() if not (drop and ln.startswith(drop))]
    if extra:
        lines.append(extra)
    with pytest.raises(DataError, match=rf"give either efficiency_roundtrip .*found .*{found}"):
        load_catalogue(_write(tmp_path, lines))


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("ccgt,efficiency,0.573,", "ccgt,efficiency,1.2,", r"efficiency \(must be in \(0, 1\]\)"),
        ("gas,co2_intensity,0.198,", "gas,co2_intensity,-1,", r"co2_intensity \(must be >= 0\)"),
        ("nuclear,availability,0.93,", "nuclear,availability,0,", r"out of range for avail"),
        (
            "hydrogen_storage,investment,19150.083,USD/MWh,",
            "hydrogen_storage,investment,19150.083,USD/MW,",
            r"unit 'USD/MW' should be 'USD/MWh'",
        ),
        (
            "gas,fuel_cost,18.541911,USD/MWh_th,USD,2022",
            "gas,fuel_cost,18.541911,USD/MWh_th,,",
            r"\(gas, fuel_cost\): a monetary parameter needs currency",
        ),
    ],
)
def test_bad_new_parameters(tmp_path: Path, old: str, new: str, match: str) -> None:
    lines = [ln.replace(old, new) for ln in _package_lines()]
    assert lines != _package_lines()
    with pytest.raises(DataError, match=match):
        load_catalogue(_write(tmp_path, lines))
