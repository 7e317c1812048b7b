"""The European catalogue and the money conversions: rows against their original sources,
technology-data's currency-year rule, and the price tables against published values."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from gridtwin import currency
from gridtwin.exceptions import ConfigError
from gridtwin.technologies import STUDY_TECHNOLOGIES, annualised_costs, load_catalogue

ROOT = Path(__file__).resolve().parents[1]


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_technologies_eu", ROOT / "gridtwin" / "data" / "make_technologies_eu.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def eu_file(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(
        shared_data / "costs" / "technology-data_costs_2030_EU.csv", dtype=str,
        keep_default_na=False,
    )  # fmt: skip


def _value(tech: str, par: str) -> float:
    cat = load_catalogue("eu")
    row = cat[(cat["technology"] == tech) & (cat["parameter"] == par)]
    assert len(row) == 1, (tech, par)
    return float(row["value"].iloc[0])


def test_script_rebuilds_the_committed_catalogue(eu_file: pd.DataFrame) -> None:
    """The catalogue is what the script makes of technology-data's file (no hand edits)."""
    module = _script()
    us = pd.read_csv(ROOT / "gridtwin" / "data" / "technologies.csv", dtype=str,
                     keep_default_na=False)  # fmt: skip
    rows = module.build(eu_file, us)
    committed = pd.read_csv(ROOT / "gridtwin" / "data" / "technologies_eu.csv", dtype=str,
                            keep_default_na=False)  # fmt: skip
    assert [list(r) for r in committed.itertuples(index=False)] == rows


# Original sources' numbers, independent of technology-data's output:
# * DEA, Technology Data for Generation of Electricity and District Heating, 2030 values in
#   EUR of 2015, as technology-data wrote them while its output year was 2015 (outputs/
#   costs_2030.csv at commit dac74c3c): onshore wind 1035.5613 EUR/kW, CCGT 830 EUR/kW;
# * DEA sheet 12 LT-PEMFC CHP, 1.1 MEUR2015/MW_e;
# * Form Energy (2023): 20 EUR2023/kWh for a ~100 h iron-air system;
# * DEA Energy Transport (July 2025), datasheet 1.6: HVAC overhead 750 EUR/MW/km (EUR 2025).
SOURCES = [
    ("onwind", "investment", 1035.5613e3),
    ("ccgt", "investment", 830e3),
    ("fuel_cell", "investment", 1.1e6),
    ("iron_air_energy", "investment", 20e3),
    ("ac_line", "investment", 750.0 / 1.025),  # EUR 2025 -> 2024 by technology-data's 2.5 %
]


@pytest.mark.parametrize(("tech", "par", "source"), SOURCES)
def test_rows_equal_their_original_sources(tech: str, par: str, source: float) -> None:
    assert _value(tech, par) == pytest.approx(source, rel=2e-5)


def test_the_file_holds_its_output_years_money(eu_file: pd.DataFrame) -> None:
    """Rows of one label year grow by one factor whatever their source: the rule is an
    inflation of the label year's money to technology-data's output year."""
    module = _script()

    def row(tech: str, par: str = "investment") -> float:
        hit = eu_file[(eu_file["technology"] == tech) & (eu_file["parameter"] == par)]
        return float(hit["value"].iloc[0])

    assert row("onwind") / 1035.5613 == pytest.approx(module.CHAIN[2015], rel=1e-5)
    assert row("CCGT") / 830.0 == pytest.approx(module.CHAIN[2015], rel=1e-5)
    assert row("CO2 pipeline") / 2000.0 == pytest.approx(module.CHAIN[2015], rel=1e-5)
    assert row("iron-air battery") / 20.0 == pytest.approx(module.CHAIN[2023], rel=1e-5)
    # the label is left at the source's year
    hit = eu_file[(eu_file["technology"] == "onwind") & (eu_file["parameter"] == "investment")]
    assert hit["currency_year"].iloc[0] == "2015.0"


def test_us_file_follows_the_same_rule(shared_data: Path) -> None:
    """ICCT's tank at 16.87 USD2022/kWh appears as 18.1579 labelled 2022; the catalogue keeps
    16.87 (technology-data manual_input_usa.csv)."""
    us = pd.read_csv(shared_data / "costs" / "technology-data_costs_2030_US.csv")
    tank = us[(us["technology"] == "hydrogen storage tank type 1")
              & (us["parameter"] == "investment")]  # fmt: skip
    assert set(tank["value"]) == {18.1579}
    assert set(tank["currency_year"]) == {2022.0}
    assert 18.1579 / 16.87 == pytest.approx(1.07634, rel=1e-4)
    ours = load_catalogue()
    h2 = ours[(ours["technology"] == "hydrogen_storage") & (ours["parameter"] == "investment")]
    assert float(h2["value"].iloc[0]) == pytest.approx((16.87 + 2.28) * 1e3, rel=1e-4)


@pytest.mark.parametrize(("money", "year"), [("EUR", 2024), ("USD", 2022), ("EUR", 2015)])
def test_every_technology_annualises_from_the_european_catalogue(money: str, year: int) -> None:
    costs = annualised_costs(load_catalogue("eu"), list(STUDY_TECHNOLOGIES), money, year)
    assert costs["capital_cost"].notna().all()
    assert (costs["capital_cost"] >= 0).all()
    assert costs.attrs["currency"] == money


def test_the_contract_costs_its_expected_output() -> None:
    """70 EUR2023/MWh x 0.685 x 8760 h per MW-year, in EUR 2023."""
    costs = annualised_costs(load_catalogue("eu"), ["nuclear_contract"], "EUR", 2023)
    row = costs.loc["nuclear_contract"]
    assert row["capital_cost"] == pytest.approx(70.0 * 0.685 * 8760.0, rel=1e-12)
    assert row["marginal_cost"] == 0.0
    assert row["availability"] == 0.685


# Price tables against published values.


def test_price_tables_match_published_values() -> None:
    # BLS CPI-U annual averages; ECB reference rate annual averages (the Federal Reserve's H.10
    # averages are within 0.0015 of them: 2022 1.0534, 2024 1.0820)
    assert currency.CPI_U[2022] == 292.655
    assert currency.CPI_U[2024] == 313.689
    assert currency.USD_PER_EUR[2022] == pytest.approx(1.0534, abs=0.0015)
    assert currency.USD_PER_EUR[2024] == pytest.approx(1.0820, abs=0.0015)
    # euro area HICP 2022 -> 2024: 5.4 % then 2.4 %
    index = currency.PRICE_INDEX["EUR"]
    assert index[2024] / index[2022] == pytest.approx(1.054 * 1.024, rel=1e-12)
    assert index[2015] == pytest.approx(100.0)


def test_conversion_steps_and_errors() -> None:
    step = currency.conversion("EUR", 2020, "USD", 2022)
    assert step.inflation == pytest.approx(1.026 * 1.084, rel=1e-12)
    assert step.exchange == currency.USD_PER_EUR[2022]
    assert currency.convert(100.0, "USD", 2024, "USD", 2024) == 100.0
    with pytest.raises(ConfigError, match="2031 is not in gridtwin's tables"):
        currency.conversion("USD", 2022, "EUR", 2031)
    with pytest.raises(ConfigError, match="currency 'GBP'"):
        currency.conversion("GBP", 2022, "EUR", 2022)
    assert doctest.testmod(currency).failed == 0
