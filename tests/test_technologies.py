"""Technology catalogue and annuity: reference values, ties to the source file, bad input."""

from __future__ import annotations

import doctest
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from gridtwin import technologies
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.technologies import annualised_costs, annuity, load_catalogue

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
    ("battery_energy", "investment"): ("battery storage", "investment", 1000.0),  # /kWh -> /MWh
    ("battery_energy", "fom"): ("battery storage", "FOM", 1.0),
    ("battery_energy", "lifetime"): ("battery storage", "lifetime", 1.0),
    # ATB gives storage no financial assumptions: proxy = utility PV WACC (see table note).
    ("battery_energy", "discount_rate"): ("solar-utility", "discount rate", 1.0),
    ("battery_power", "investment"): ("battery inverter", "investment", 1000.0),
    ("battery_power", "fom"): ("battery inverter", "FOM", 1.0),
    ("battery_power", "lifetime"): ("battery inverter", "lifetime", 1.0),
    ("battery_power", "discount_rate"): ("solar-utility", "discount rate", 1.0),
}
# Rows deliberately not taken from the file: (technology, parameter) -> expected value.
NOT_IN_REFERENCE = {
    ("solar", "vom"): 0.0,
    ("onwind", "vom"): 0.0,
    ("battery_power", "efficiency_roundtrip"): 0.85,  # NREL ATB 2024 utility-scale battery
}


@pytest.fixture(scope="module")
def reference(shared_data: Path) -> pd.DataFrame:
    """Market/Moderate rows, plus rows without a financial case (lifetimes)."""
    ref = pd.read_csv(shared_data / "costs" / "technology-data_costs_2030_US.csv")
    market = (ref["financial_case"] == "Market") & (ref["scenario"] == "Moderate")
    return ref[market | ref["financial_case"].isna()]


def test_every_catalogue_row_is_accounted_for() -> None:
    cat = load_catalogue()
    keys = set(zip(cat["technology"], cat["parameter"], strict=True))
    assert keys == set(FROM_REFERENCE) | set(NOT_IN_REFERENCE)


@pytest.mark.parametrize("key", sorted(FROM_REFERENCE))
def test_catalogue_equals_reference_file(reference: pd.DataFrame, key: tuple[str, str]) -> None:
    tech, par, factor = FROM_REFERENCE[key]
    rows = reference[(reference["technology"] == tech) & (reference["parameter"] == par)]
    assert len(rows) == 1, f"expected one {tech}/{par} row, found {len(rows)}"
    row = rows.iloc[0]
    if par == "investment":
        assert row["unit"] in ("USD/kW", "USD/kWh")
        assert row["currency_year"] == 2022
    cat = load_catalogue()
    ours = cat[(cat["technology"] == key[0]) & (cat["parameter"] == key[1])].iloc[0]
    assert ours["value"] == pytest.approx(row["value"] * factor, rel=1e-12)
    assert "via PyPSA technology-data (costs_2030 US)" in ours["note"]


def test_rows_not_in_reference_are_really_absent(reference: pd.DataFrame) -> None:
    for tech in ("solar-utility", "onwind"):
        assert not ((reference["technology"] == tech) & (reference["parameter"] == "VOM")).any()
    for tech in ("battery storage", "battery inverter"):
        has_dr = (reference["technology"] == tech) & (reference["parameter"] == "discount rate")
        assert not has_dr.any()
    cat = load_catalogue().set_index(["technology", "parameter"])
    for key, value in NOT_IN_REFERENCE.items():
        assert cat.loc[key, "value"] == value
    assert "not in" in cat.loc[("battery_power", "efficiency_roundtrip"), "note"].lower()


def test_catalogue_currency_and_sources() -> None:
    cat = load_catalogue()
    money = cat[cat["parameter"].isin(["investment", "vom"])]
    assert (money["currency"] == "USD").all()
    assert (money["currency_year"] == 2022).all()
    assert cat["source"].str.len().gt(0).all()


# ---------------------------------------------------------------------------------------------
# Annualised costs


def test_annualised_solar_by_hand() -> None:
    costs = annualised_costs(load_catalogue(), ["solar"], "USD", 2022)
    # 1284.5909 USD/kW, 4.38 % WACC, 40 years, FOM 1.51 %/a
    crf = 0.0438 / (1 - 1.0438**-40)
    expected = 1284.5909e3 * (crf + 0.0151)
    assert costs.loc["solar", "capital_cost"] == pytest.approx(expected, rel=1e-12)
    assert costs.loc["solar", "capital_cost"] == pytest.approx(88014.5, abs=0.1)
    assert costs.loc["solar", "capital_unit"] == "MW"
    assert costs.loc["solar", "marginal_cost"] == 0.0


def test_battery_expands_and_override_rate() -> None:
    costs = annualised_costs(load_catalogue(), ["battery"], "USD", 2022, discount_rate=0.07)
    assert list(costs.index) == ["battery_energy", "battery_power"]
    assert costs.loc["battery_energy", "capital_unit"] == "MWh"
    assert costs.loc["battery_power", "efficiency_roundtrip"] == 0.85
    assert (costs["discount_rate"] == 0.07).all()
    expected = 274.2514e3 * (0.07 / (1 - 1.07**-15) + 0.025)
    assert costs.loc["battery_energy", "capital_cost"] == pytest.approx(expected, rel=1e-12)
    assert costs.attrs == {"currency": "USD", "currency_year": 2022}


@pytest.mark.parametrize(("currency", "year"), [("EUR", 2022), ("USD", 2023)])
def test_currency_mismatch_is_an_error(currency: str, year: int) -> None:
    with pytest.raises(DataError, match=rf"USD of 2022.*study uses {currency} of {year}.*convert"):
        annualised_costs(load_catalogue(), ["solar", "battery"], currency, year)


def test_unknown_study_technology() -> None:
    with pytest.raises(ConfigError, match="nuclear"):
        annualised_costs(load_catalogue(), ["nuclear"], "USD", 2022)


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
    lines = [ln.replace("1284590.9,USD/MW,", "1284.5909,USD/kW,") for ln in _package_lines()]
    with pytest.raises(DataError, match=r"\(solar, investment\): unit 'USD/kW' should be 'USD/MW'"):
        load_catalogue(_write(tmp_path, lines))


def test_missing_column_and_file(tmp_path: Path) -> None:
    lines = [ln.rsplit(",", 1)[0] if i == 0 else ln for i, ln in enumerate(_package_lines())]
    with pytest.raises(DataError, match=r"missing column\(s\) \['note'\]"):
        load_catalogue(_write(tmp_path, lines[:1]))
    with pytest.raises(DataError, match="not found"):
        load_catalogue(tmp_path / "absent.csv")
