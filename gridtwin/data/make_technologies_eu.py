"""Build ``gridtwin/data/technologies_eu.csv``, the European technology catalogue, from PyPSA
technology-data's European cost table (``outputs/costs_2030.csv``).

Run from the repository root (the shared reference data is read-only and never copied)::

    python gridtwin/data/make_technologies_eu.py \
        ../shared/data/costs/technology-data_costs_2030_EU.csv

The currency year of technology-data's numbers
-----------------------------------------------
technology-data multiplies every ``investment``, ``VOM`` and ``fuel`` value by the Eurostat
HICP chain (``prc_hicp_aind``, annual rates; the EU-27 row for EUR, the United States row for
USD) from the row's ``currency_year`` to its own output year, as the last step before writing
the file, and leaves ``currency_year`` at the source's year (``scripts/_helpers.py:
adjust_for_inflation``, called last in ``compile_cost_assumptions.py`` and
``compile_cost_assumptions_usa.py``; its PR #275 of May 2026 changes the label only after the
commit our file comes from, 634cdc1a of 2026-05-15). So a row labelled 2020 holds 2025 money.

The output year and the chain factors below are read off the file itself: each factor is the
ratio of a row's value to its original source's number, and every row of the same label shows
the same factor whatever its source.

=========== ======== =====================================================================
label year  factor   rows that show it (file value / source value)
=========== ======== =====================================================================
2015        1.33580  onwind investment 1383.3059 / 1035.5613 (DEA sheet 20, 2030); CCGT
                     1108.7166 / 830; CO2 pipeline 2671.6062 / 2000
2020        1.25733  solar-utility 482.4785 / 383.731 (DEA sheet 22, 2030); csp-tower
                     136.2574 / 108.37
2021        1.22190  2020's factor over the EU-27 rate of 2021 (2.9 %)
2022        1.11896  H2 liquefaction 1118.9556 / 1000
2023        1.05165  iron-air battery 21.033 / 20 (Form Energy 2023)
2024        1.02500  CO2 dense phase compression 34120.2 / 33288
2025        1        DEA Energy Transport (July 2025) rows, round numbers
=========== ======== =====================================================================

This script divides each money value by the factor of its label year, so the catalogue holds
the original source's number in its own currency year (DEA 2015 and 2020 euros, Form Energy's
2023 euros); the study converts it to its own currency and year with
:mod:`gridtwin.currency`. Rows labelled 2025 (the July 2025 DEA transport data) are brought to
2024 with technology-data's own 2025 step (2.5 %), since gridtwin's price tables end in 2024.

Everything technology-data's European table lacks (land use, availability, a discount rate, a
transformer cost, a geothermal plant) is written below by hand with its source.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

#: technology-data's output year and its chain factor from each label year (module docstring).
OUTPUT_YEAR = 2025
CHAIN = {
    2015: 1.33580,
    2020: 1.25733,
    2021: 1.25733 / 1.029,
    2022: 1.11896,
    2023: 1.05165,
    2024: 1.02500,
    2025: 1.0,
}
#: technology-data's 2025 step (EU-27 HICP), used to bring 2025-labelled rows to 2024.
STEP_2025 = 1.025
SOURCE_FILE = "PyPSA technology-data 634cdc1a (2026-05-15), outputs/costs_2030.csv"

#: (our technology, our parameter) -> (technology-data row, parameter, multiplier, unit).
#: The multiplier converts per-kW to per-MW (x 1000).
ROWS: dict[tuple[str, str], tuple[str, str, float, str]] = {
    ("solar", "investment"): ("solar-utility single-axis tracking", "investment", 1e3, "EUR/MW"),
    ("solar", "fom"): ("solar-utility single-axis tracking", "FOM", 1.0, "%/year"),
    ("solar", "lifetime"): ("solar-utility single-axis tracking", "lifetime", 1.0, "years"),
    ("onwind", "investment"): ("onwind", "investment", 1e3, "EUR/MW"),
    ("onwind", "fom"): ("onwind", "FOM", 1.0, "%/year"),
    ("onwind", "vom"): ("onwind", "VOM", 1.0, "EUR/MWh"),
    ("onwind", "lifetime"): ("onwind", "lifetime", 1.0, "years"),
    ("offwind", "investment"): ("offwind", "investment", 1e3, "EUR/MW"),
    ("offwind", "fom"): ("offwind", "FOM", 1.0, "%/year"),
    ("offwind", "vom"): ("offwind", "VOM", 1.0, "EUR/MWh"),
    ("offwind", "lifetime"): ("offwind", "lifetime", 1.0, "years"),
    ("battery_energy", "investment"): ("battery storage", "investment", 1e3, "EUR/MWh"),
    ("battery_energy", "lifetime"): ("battery storage", "lifetime", 1.0, "years"),
    ("battery_power", "investment"): ("battery inverter", "investment", 1e3, "EUR/MW"),
    ("battery_power", "fom"): ("battery inverter", "FOM", 1.0, "%/year"),
    ("battery_power", "lifetime"): ("battery inverter", "lifetime", 1.0, "years"),
    ("battery_power", "efficiency_charge"): ("battery inverter", "efficiency", 1.0, "per unit"),
    ("battery_power", "efficiency_discharge"): ("battery inverter", "efficiency", 1.0, "per unit"),
    ("iron_air_energy", "investment"): ("iron-air battery", "investment", 1e3, "EUR/MWh"),
    ("iron_air_energy", "fom"): ("iron-air battery", "FOM", 1.0, "%/year"),
    ("iron_air_energy", "lifetime"): ("iron-air battery", "lifetime", 1.0, "years"),
    ("iron_air_power", "fom"): ("iron-air battery", "FOM", 1.0, "%/year"),
    ("iron_air_power", "lifetime"): ("iron-air battery", "lifetime", 1.0, "years"),
    ("iron_air_power", "efficiency_charge"): (
        "iron-air battery charge",
        "efficiency",
        1.0,
        "per unit",
    ),
    ("iron_air_power", "efficiency_discharge"): (
        "iron-air battery discharge",
        "efficiency",
        1.0,
        "per unit",
    ),
    ("electrolysis", "investment"): ("electrolysis", "investment", 1e3, "EUR/MW"),
    ("electrolysis", "fom"): ("electrolysis", "FOM", 1.0, "%/year"),
    ("electrolysis", "lifetime"): ("electrolysis", "lifetime", 1.0, "years"),
    ("electrolysis", "efficiency"): ("electrolysis", "efficiency", 1.0, "per unit"),
    ("hydrogen_storage", "investment"): (
        "hydrogen storage tank type 1 including compressor",
        "investment",
        1e3,
        "EUR/MWh",
    ),
    ("hydrogen_storage", "fom"): (
        "hydrogen storage tank type 1 including compressor",
        "FOM",
        1.0,
        "%/year",
    ),
    ("hydrogen_storage", "lifetime"): (
        "hydrogen storage tank type 1 including compressor",
        "lifetime",
        1.0,
        "years",
    ),
    ("heat_pump", "investment"): (
        "central excess-heat-sourced heat pump",
        "investment",
        1e3,
        "EUR/MW",
    ),
    ("heat_pump", "fom"): ("central excess-heat-sourced heat pump", "FOM", 1.0, "%/year"),
    ("heat_pump", "vom"): ("central excess-heat-sourced heat pump", "VOM", 1.0, "EUR/MWh"),
    ("heat_pump", "lifetime"): (
        "central excess-heat-sourced heat pump",
        "lifetime",
        1.0,
        "years",
    ),
    ("heat_pump", "cop"): ("central excess-heat-sourced heat pump", "efficiency", 1.0, "per unit"),
    ("heat_storage", "investment"): ("central water tank storage", "investment", 1e3, "EUR/MWh"),
    ("heat_storage", "fom"): ("central water tank storage", "FOM", 1.0, "%/year"),
    ("heat_storage", "lifetime"): ("central water tank storage", "lifetime", 1.0, "years"),
    ("heat_storage", "standing_loss"): (
        "central water tank storage",
        "standing losses",
        1.0,
        "%/hour",
    ),
    ("heat_storage", "energy_to_power"): (
        "central water tank storage",
        "energy to power ratio",
        1.0,
        "h",
    ),
    ("fuel_cell", "investment"): ("fuel cell", "investment", 1e3, "EUR/MW"),
    ("fuel_cell", "fom"): ("fuel cell", "FOM", 1.0, "%/year"),
    ("fuel_cell", "lifetime"): ("fuel cell", "lifetime", 1.0, "years"),
    ("fuel_cell", "efficiency"): ("fuel cell", "efficiency", 1.0, "per unit"),
    ("nuclear", "investment"): ("nuclear", "investment", 1e3, "EUR/MW"),
    ("nuclear", "fom"): ("nuclear", "FOM", 1.0, "%/year"),
    ("nuclear", "vom"): ("nuclear", "VOM", 1.0, "EUR/MWh"),
    ("nuclear", "lifetime"): ("nuclear", "lifetime", 1.0, "years"),
    ("nuclear", "efficiency"): ("nuclear", "efficiency", 1.0, "per unit"),
    ("uranium", "fuel_cost"): ("uranium", "fuel", 1.0, "EUR/MWh_th"),
    ("ocgt", "investment"): ("OCGT", "investment", 1e3, "EUR/MW"),
    ("ocgt", "fom"): ("OCGT", "FOM", 1.0, "%/year"),
    ("ocgt", "vom"): ("OCGT", "VOM", 1.0, "EUR/MWh"),
    ("ocgt", "lifetime"): ("OCGT", "lifetime", 1.0, "years"),
    ("ocgt", "efficiency"): ("OCGT", "efficiency", 1.0, "per unit"),
    ("ccgt", "investment"): ("CCGT", "investment", 1e3, "EUR/MW"),
    ("ccgt", "fom"): ("CCGT", "FOM", 1.0, "%/year"),
    ("ccgt", "vom"): ("CCGT", "VOM", 1.0, "EUR/MWh"),
    ("ccgt", "lifetime"): ("CCGT", "lifetime", 1.0, "years"),
    ("ccgt", "efficiency"): ("CCGT", "efficiency", 1.0, "per unit"),
    ("gas", "fuel_cost"): ("gas", "fuel", 1.0, "EUR/MWh_th"),
    ("gas", "co2_intensity"): ("gas", "CO2 intensity", 1.0, "t/MWh_th"),
    ("ac_line", "investment"): ("HVAC overhead", "investment", 1.0, "EUR/MW/km"),
    ("ac_line", "fom"): ("HVAC overhead", "FOM", 1.0, "%/year"),
    ("ac_line", "lifetime"): ("HVAC overhead", "lifetime", 1.0, "years"),
    ("ac_cable", "investment"): ("HVAC underground", "investment", 1.0, "EUR/MW/km"),
    ("ac_cable", "fom"): ("HVAC underground", "FOM", 1.0, "%/year"),
    ("ac_cable", "lifetime"): ("HVAC underground", "lifetime", 1.0, "years"),
}
MONEY = {"investment", "VOM", "fuel"}

PYPSA_EUR_RATE = (
    "PyPSA-Eur, config/config.default.yaml, costs: fill_values: 'discount rate': 0.07 (the "
    "rate PyPSA-Eur gives every technology without its own)"
)
#: Rows technology-data's European table does not have: (technology, parameter, value, unit,
#: currency, currency_year, source, note).
HAND_ROWS: list[tuple[str, str, float, str, str, str, str, str]] = [
    *(
        (
            tech,
            "discount_rate",
            0.07,
            "per unit",
            "",
            "",
            PYPSA_EUR_RATE,
            "real WACC assumption for European utility-scale assets; override with "
            "technologies.discount_rate",
        )
        for tech in (
            "solar",
            "onwind",
            "offwind",
            "battery_energy",
            "battery_power",
            "iron_air_energy",
            "iron_air_power",
            "electrolysis",
            "hydrogen_storage",
            "fuel_cell",
            "geothermal",
            "nuclear",
            "ocgt",
            "ccgt",
            "ac_line",
            "ac_cable",
            "transformer",
            "heat_pump",
            "heat_storage",
        )
    ),
    (
        "solar",
        "vom",
        0.0,
        "EUR/MWh",
        "EUR",
        "2020",
        "Danish Energy Agency, Technology Data for Generation of Electricity and District "
        "Heating, sheet 22 Utility-scale PV tracker: no variable O&M",
        "DEA books all PV O&M as fixed",
    ),
    (
        "battery_energy",
        "fom",
        0.0,
        "%/year",
        "",
        "",
        "Danish Energy Agency, Technology Data for Energy Storage, sheet 180 Lithium Ion "
        "Battery: fixed O&M given for the power part only",
        "the battery's fixed O&M sits on battery_power (technology-data row battery inverter)",
    ),
    (
        "nuclear_contract",
        "contract_price",
        70.0,
        "EUR/MWh",
        "EUR",
        "2023",
        "Agreement of the French State and EDF of 14 November 2023 on the price of nuclear "
        "electricity after ARENH: a target of 70 EUR/MWh on average over 15 years from 2026, "
        "EDF returning 50 % of revenue above 78-80 EUR/MWh and 90 % above 110 EUR/MWh "
        "(Reuters, 14 Nov 2023)",
        "the public anchor of EDF's long-term nuclear contracts (CAPN: a share of the existing "
        "fleet's capacity for 10-15 years, paid in advance, up to 50 % of the buyer's "
        "consumption; Senat report r23-714); CAPN prices themselves are not published: "
        "replace with the offer at hand; taken as nominal euros of 2023",
    ),
    (
        "nuclear_contract",
        "availability",
        0.685,
        "per unit",
        "",
        "",
        "RTE eCO2mix 2019 (shared reference data france_eco2mix_2019.csv): French nuclear "
        "output 379.0 TWh (mean 43,271 MW) over the installed fleet of 63,130 MW (RTE, Bilan "
        "electrique 2019)",
        "a capacity share delivers the fleet's availability; 2019 is a normal year (2022, with "
        "stress-corrosion outages, gives 0.504)",
    ),
    (
        "nuclear_contract",
        "lifetime",
        15.0,
        "years",
        "",
        "",
        "CAPN term of 10 to 15 years (Senat, rapport r23-714) and the 15-year horizon of the "
        "State-EDF agreement",
        "contract term; the contract has no investment to annualise",
    ),
    (
        "iron_air_power",
        "investment",
        0.0,
        "EUR/MW",
        "EUR",
        "2023",
        "none: Form Energy's cost is per kWh of a ~100 h system (iron_air_energy)",
        "0 by choice, as in the US catalogue; power conversion is in the energy cost",
    ),
]
#: Rows taken from the US catalogue (non-monetary, or monetary in USD: converted by the
#: study): technology, parameter -> why the European table does not give it.
FROM_US = {
    ("solar", "land_use"): "no European land-use figure in technology-data",
    ("onwind", "land_use"): "no European land-use figure in technology-data",
    ("battery_power", "land_use"): "no European land-use figure in technology-data",
    ("nuclear", "availability"): "technology-data has no availability for nuclear",
    ("geothermal", "investment"): "technology-data's European table has no geothermal plant",
    ("geothermal", "fom"): "as geothermal investment",
    ("geothermal", "lifetime"): "as geothermal investment",
    ("geothermal", "vom"): "as geothermal investment",
    ("geothermal", "availability"): "as geothermal investment",
    ("transformer", "investment"): "technology-data's European table has no transformer",
    ("transformer", "fom"): "as transformer investment",
    ("transformer", "lifetime"): "as transformer investment",
}


def source_value(row: pd.Series) -> tuple[float, int]:
    """A technology-data row's value in its source's own money and year: the output year's
    money divided by the chain factor of its label (2025 labels go to 2024)."""
    value, year = float(row["value"]), int(float(row["currency_year"]))
    if row["parameter"] not in MONEY:
        return value, year
    if year not in CHAIN:
        raise SystemExit(f"no chain factor for currency_year {year} ({row['technology']})")
    value /= CHAIN[year]
    if year == OUTPUT_YEAR:
        value, year = value / STEP_2025, OUTPUT_YEAR - 1
    return value, year


def build(table: pd.DataFrame, us_catalogue: pd.DataFrame) -> list[list[str]]:
    """The European catalogue's rows, in the columns of ``gridtwin.technologies.COLUMNS``."""
    out: list[list[str]] = []
    for (tech, par), (td_tech, td_par, scale, unit) in ROWS.items():
        hits = table[(table["technology"] == td_tech) & (table["parameter"] == td_par)]
        if len(hits) != 1:
            raise SystemExit(f"expected one row {td_tech!r} {td_par!r}, found {len(hits)}")
        row = hits.iloc[0]
        money = td_par in MONEY
        value, year = source_value(row) if money else (float(row["value"]), 0)
        label = int(float(row["currency_year"])) if str(row["currency_year"]) else None
        note = f"via {SOURCE_FILE}, row {td_tech!r} {td_par}"
        if money:
            note += (
                f": file value {float(row['value']):g} is {OUTPUT_YEAR} money; divided by "
                f"technology-data's HICP chain factor {CHAIN[label or 0]:.5f} from its label "
                f"year {label}"
            )
            if label == OUTPUT_YEAR:
                note += f", then by its 2025 step {STEP_2025} to {year}"
        if scale != 1.0:
            note += f"; x {scale:g} (per kW to per MW)"
        description = str(row.get("further description", "") or "").strip()
        source = str(row["source"]).strip() + (f" ({description})" if description else "")
        out.append(
            [
                tech,
                par,
                f"{value * scale:.6g}" if money else f"{value:g}",
                unit,
                "EUR" if money else "",
                str(year) if money else "",
                source,
                note,
            ]
        )
    for tech, par, number, unit, cur, label_year, text, why in HAND_ROWS:
        out.append([tech, par, f"{number:g}", unit, cur, label_year, text, why])
    for (tech, par), why in FROM_US.items():
        hits = us_catalogue[
            (us_catalogue["technology"] == tech) & (us_catalogue["parameter"] == par)
        ]
        if len(hits) != 1:
            raise SystemExit(f"US catalogue has no single row {tech} {par}")
        row = hits.iloc[0]
        note = f"from gridtwin's US catalogue: {why}; {row['note']}".strip("; ")
        out.append([tech, par, row["value"], row["unit"], row["currency"],
                    row["currency_year"], row["source"], note])  # fmt: skip
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1])
        return 2
    table = pd.read_csv(argv[1], dtype=str, keep_default_na=False)
    here = Path(__file__).resolve().parent
    us = pd.read_csv(here / "technologies.csv", dtype=str, keep_default_na=False)
    rows = build(table, us)
    target = here / "technologies_eu.csv"
    tmp = target.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        header = "technology parameter value unit currency currency_year source note"
        writer.writerow(header.split())
        writer.writerows(rows)
    tmp.replace(target)
    print(f"wrote {target} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
