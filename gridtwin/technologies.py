"""Technology catalogue: investment, O&M, lifetimes, efficiencies, fuels and annualised costs.

The catalogue is a long table, one row per (technology, parameter), with the columns
``technology, parameter, value, unit, currency, currency_year, source, note``. The package
ships ``gridtwin/data/technologies.csv`` (NREL ATB 2024, Danish Energy Agency, ICCT, Form
Energy and other numbers, read through PyPSA technology-data, USD of 2022); a study may point
to its own file with the same columns.

Parameters and their units (``<cur>`` is the row's ``currency``):

==================== ================================= =======================================
parameter            unit                              meaning
==================== ================================= =======================================
investment           <cur>/MW (storage energy /MWh,    overnight capital cost
                     lines /MW/km)
fom                  %/year                            fixed O&M, share of investment per year
vom                  <cur>/MWh                         variable O&M per MWh of electricity
lifetime             years                             lifetime used for annualisation
discount_rate        per unit                          real discount rate (WACC)
efficiency           per unit, (0, 1]                  output / input: electricity / fuel
                                                       (thermal, LHV), electricity / H2 (fuel
                                                       cell), H2 (LHV) / electricity
                                                       (electrolysis)
efficiency_roundtrip per unit, (0, 1]                  storage AC-AC round-trip efficiency
efficiency_charge    per unit, (0, 1]                  storage charge efficiency
efficiency_discharge per unit, (0, 1]                  storage discharge efficiency
availability         per unit, (0, 1]                  constant share of p_nom available
fuel_cost            <cur>/MWh_th                      fuel price per MWh of fuel (LHV)
co2_intensity        t/MWh_th                          CO2 emitted per MWh of fuel burnt
land_use             ha/MW                             land a plant takes per MW (site land)
==================== ================================= =======================================

Energy-capacity technologies (:data:`ENERGY_CAPACITY`: ``battery_energy``,
``iron_air_energy``, ``hydrogen_storage``) give ``investment`` per MWh of storage; all others
per MW (electrolysis: MW of electricity input; fuel cell and generators: MW of electrical
output).

A study technology is one or more catalogue technologies (:data:`STUDY_TECHNOLOGIES`):
``battery`` and ``iron_air`` are an energy part (``e_nom``) and a power part (``p_nom``) that
carries the efficiencies, either ``efficiency_roundtrip`` (optimisers use its square root for
charge and discharge) or ``efficiency_charge`` and ``efficiency_discharge``; ``hydrogen`` is
``electrolysis``, ``hydrogen_storage`` and ``fuel_cell``.

A *fuel* (``gas``, ``uranium``) is a catalogue technology with only ``fuel_cost`` and optionally
``co2_intensity``; the generators that burn one are listed in :data:`FUEL`. Fuels need no
investment and are not rows of :func:`annualised_costs`: they enter the marginal cost and CO2
intensity of their generator.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pandas as pd

from gridtwin.currency import conversion
from gridtwin.exceptions import ConfigError, DataError

COLUMNS = "technology parameter value unit currency currency_year source note".split()
HOURS_PER_YEAR = 8760.0
#: Built-in catalogues by name: NREL ATB and others for the US (USD), the European technology
#: data (Danish Energy Agency and others, via PyPSA technology-data) for Europe (EUR).
BUILTIN = {"us": "technologies.csv", "eu": "technologies_eu.csv"}
# Unit of each parameter; "{cur}" is replaced by the row's currency.
UNITS = {
    "investment": "{cur}/MW",
    "fom": "%/year",
    "vom": "{cur}/MWh",
    "lifetime": "years",
    "discount_rate": "per unit",
    "efficiency": "per unit",
    "efficiency_roundtrip": "per unit",
    "efficiency_charge": "per unit",
    "efficiency_discharge": "per unit",
    "availability": "per unit",
    "fuel_cost": "{cur}/MWh_th",
    "co2_intensity": "t/MWh_th",
    "land_use": "ha/MW",
    "contract_price": "{cur}/MWh",
    "cop": "per unit",
    "standing_loss": "%/hour",
    "energy_to_power": "h",
}
MONETARY = {"investment", "vom", "fuel_cost", "contract_price"}
#: Parameters whose value must lie in (0, 1].
UNIT_INTERVAL = {
    "efficiency",
    "efficiency_roundtrip",
    "efficiency_charge",
    "efficiency_discharge",
    "availability",
}
REQUIRED = {"investment", "fom", "lifetime", "discount_rate"}
#: Supply contracts: a share of a plant's capacity bought at a price per MWh of its expected
#: output (take-or-pay), with the plant's availability and the contract term as lifetime.
CONTRACTS = {"nuclear_contract"}
CONTRACT_REQUIRED = {"contract_price", "availability", "lifetime"}
EXTRA_REQUIRED = {
    "solar": {"vom"},
    "onwind": {"vom"},
    "offwind": {"vom"},
    "geothermal": {"vom"},
    "nuclear": {"vom", "efficiency"},
    "ocgt": {"vom", "efficiency"},
    "ccgt": {"vom", "efficiency"},
    "electrolysis": {"efficiency"},
    "fuel_cell": {"efficiency"},
}
ENERGY_CAPACITY = {"battery_energy", "iron_air_energy", "hydrogen_storage", "heat_storage"}
#: Technologies costed per MW (MVA) and km of length: lines of the site network.
PER_KM = {"ac_line", "ac_cable"}
#: Storage power parts: need efficiency_roundtrip, or efficiency_charge and _discharge.
STORAGE_POWER = {"battery_power", "iron_air_power"}
#: Fuel burnt by each generator (a catalogue technology with fuel_cost [, co2_intensity]).
FUEL = {"ocgt": "gas", "ccgt": "gas", "nuclear": "uranium"}
FUEL_PARAMETERS = {"fuel_cost", "co2_intensity"}
STUDY_TECHNOLOGIES = {
    "solar": ["solar"],
    "onwind": ["onwind"],
    "offwind": ["offwind"],
    "battery": ["battery_energy", "battery_power"],
    "iron_air": ["iron_air_energy", "iron_air_power"],
    "hydrogen": ["electrolysis", "hydrogen_storage", "fuel_cell"],
    "geothermal": ["geothermal"],
    "nuclear": ["nuclear"],
    "ocgt": ["ocgt"],
    "ccgt": ["ccgt"],
    # contracts with plants elsewhere in the grid zone, costed as the plant of the catalogue
    "solar_offsite": ["solar"],
    "onwind_offsite": ["onwind"],
    # a capacity share of a nuclear fleet at a price per MWh (e.g. EDF's CAPN in France)
    "nuclear_contract": ["nuclear_contract"],
    # upgrades of the site network (gridtwin.network): lines per MVA-km, transformers per MVA
    "network": ["ac_line", "ac_cable", "transformer"],
    # heat reuse into a district heating network (campus.heat_reuse): heat pumps per MW_th of
    # output, hot-water tanks per MWh_th
    "heat_reuse": ["heat_pump", "heat_storage"],
}
#: Columns of :func:`annualised_costs` (besides the ``technology`` index).
COST_COLUMNS = [
    "capital_cost",
    "fixed_om",
    "marginal_cost",
    "efficiency",
    "efficiency_charge",
    "efficiency_discharge",
    "efficiency_roundtrip",
    "co2_intensity",
    "availability",
    "lifetime",
    "discount_rate",
    "investment",
    "capital_unit",
    "land_use",
]


def annuity(discount_rate: float, lifetime: float) -> float:
    """Capital recovery factor: the share of an investment paid back each year.

    .. math::

        CRF(r, n) = \\frac{r}{1 - (1 + r)^{-n}} = \\frac{r (1 + r)^n}{(1 + r)^n - 1},
        \\qquad CRF(0, n) = \\frac{1}{n}

    Parameters
    ----------
    discount_rate : float
        Real discount rate r [per unit/year], >= 0.
    lifetime : float
        Economic lifetime n [years], > 0.

    Returns
    -------
    float
        Capital recovery factor [1/year].

    Raises
    ------
    ConfigError
        If ``lifetime <= 0`` or ``discount_rate < 0`` (or either is not finite).

    References
    ----------
    .. [1] W. Short, D. J. Packey, T. Holt, "A Manual for the Economic Evaluation of Energy
       Efficiency and Renewable Energy Technologies", NREL/TP-462-5173, 1995.

    Examples
    --------
    >>> round(annuity(0.07, 20), 5)
    0.09439
    >>> annuity(0.0, 25)
    0.04
    """
    r, n = float(discount_rate), float(lifetime)
    if not (math.isfinite(n) and n > 0):
        raise ConfigError(f"lifetime must be a positive number of years, got {lifetime!r}")
    if not (math.isfinite(r) and r >= 0):
        raise ConfigError(f"discount_rate must be >= 0 (per unit), got {discount_rate!r}")
    if r == 0:
        return 1.0 / n
    return r / (1.0 - (1.0 + r) ** -n)


def default_catalogue(currency: str) -> str:
    """Name of the built-in catalogue of a study currency: ``"eu"`` for EUR, ``"us"`` for
    USD (either works with either currency: money is converted when loaded)."""
    return "eu" if currency == "EUR" else "us"


def _read(path: Path | str | None) -> tuple[pd.DataFrame, str]:
    if path is None or (isinstance(path, str) and path in BUILTIN):
        name = BUILTIN["us" if path is None else str(path)]
        ref = resources.files("gridtwin") / "data" / name
        with ref.open("r", encoding="utf-8") as fh:
            return pd.read_csv(fh, dtype=str, keep_default_na=False), str(ref)
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: technology catalogue not found; give the path of a CSV file")
    try:
        return pd.read_csv(p, dtype=str, keep_default_na=False), str(p)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{p}: cannot read technology catalogue as CSV ({exc})") from None


def _out_of_range(par: str, v: float) -> str | None:
    """Why ``v`` is not a valid value of ``par``, or None."""
    if par == "lifetime":
        return None if v > 0 else "must be > 0"
    if par in UNIT_INTERVAL:
        return None if 0 < v <= 1 else "must be in (0, 1]"
    return None if v >= 0 else "must be >= 0"


def _check_parameters(name: str, tech: str, pars: set[str]) -> None:
    """Required parameters of one technology (a fuel, a storage power part or other)."""
    if tech in FUEL.values() or pars & FUEL_PARAMETERS:
        if "fuel_cost" not in pars:
            raise DataError(
                f"{name}: technology {tech!r} is a fuel but has no fuel_cost row; add "
                "fuel_cost [<currency>/MWh_th] (and co2_intensity [t/MWh_th] if it emits CO2)"
            )
        other = sorted(pars - FUEL_PARAMETERS)
        if other:
            raise DataError(
                f"{name}: technology {tech!r} is a fuel and may only have "
                f"{sorted(FUEL_PARAMETERS)}; move {other} to the technology that burns it"
            )
        return
    need = CONTRACT_REQUIRED if tech in CONTRACTS else REQUIRED | EXTRA_REQUIRED.get(tech, set())
    absent = sorted(need - pars)
    if absent:
        raise DataError(f"{name}: technology {tech!r}: missing required parameter(s) {absent}")
    if tech in STORAGE_POWER:
        given = sorted(pars & {"efficiency_roundtrip", "efficiency_charge", "efficiency_discharge"})
        if given not in (["efficiency_roundtrip"], ["efficiency_charge", "efficiency_discharge"]):
            raise DataError(
                f"{name}: technology {tech!r}: give either efficiency_roundtrip or both "
                f"efficiency_charge and efficiency_discharge, found {given or 'none'}"
            )


def load_catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a technology catalogue.

    Parameters
    ----------
    path : str or Path, optional
        CSV catalogue with the columns of :data:`COLUMNS`, or the name of a built-in one
        (:data:`BUILTIN`: ``"us"``, ``gridtwin/data/technologies.csv``; ``"eu"``,
        ``gridtwin/data/technologies_eu.csv``); default ``"us"``.

    Returns
    -------
    pandas.DataFrame
        The rows, ``value`` as float, ``currency_year`` as nullable integer (``<NA>`` for
        non-monetary parameters), in file order. ``attrs["source"]`` holds the file name.

    Raises
    ------
    DataError
        Naming the file, the row (line number) or technology and the parameter when a column
        is missing, a value is not numeric or out of range, a unit or currency is wrong, a
        (technology, parameter) pair appears twice, a required parameter is missing (a fuel
        without ``fuel_cost``; a storage power part without efficiencies), or a fuel has
        parameters other than ``fuel_cost`` and ``co2_intensity``.
    """
    builtin = path is None or (isinstance(path, str) and path in BUILTIN)
    df, name = _read(path if builtin else Path(str(path)))
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{name}: missing column(s) {missing}; expected columns {COLUMNS}")
    df = df[COLUMNS].reset_index(drop=True)
    if df.empty:
        raise DataError(f"{name}: technology catalogue has no rows")
    for col in ("technology", "parameter", "unit", "currency", "currency_year"):
        df[col] = df[col].str.strip()

    def fail(i: int, msg: str) -> DataError:
        row = df.loc[i]
        where = f"line {i + 2} ({row['technology']}, {row['parameter']})"
        return DataError(f"{name}: {where}: {msg}")

    values = pd.to_numeric(df["value"].str.strip(), errors="coerce")
    years: list[int | None] = []
    for i, row in enumerate(df.to_dict("records")):
        par, cur = row["parameter"], row["currency"]
        if not row["technology"]:
            raise fail(i, "empty technology name")
        if par not in UNITS:
            raise fail(i, f"unknown parameter {par!r}; use one of {sorted(UNITS)}")
        if not math.isfinite(values[i]):
            raise fail(i, f"value {row['value']!r} is not a finite number")
        if par in MONETARY and not (cur and row["currency_year"]):
            raise fail(i, "a monetary parameter needs currency and currency_year")
        try:
            years.append(int(row["currency_year"]) if row["currency_year"] else None)
        except ValueError:
            raise fail(i, f"currency_year {row['currency_year']!r} is not a year") from None
        unit = UNITS[par].format(cur=cur)
        if par == "investment" and row["technology"] in ENERGY_CAPACITY:
            unit += "h"
        if par == "investment" and row["technology"] in PER_KM:
            unit += "/km"
        if row["unit"] != unit:
            raise fail(i, f"unit {row['unit']!r} should be {unit!r} (convert the value)")
        why = _out_of_range(par, float(values[i]))
        if why:
            raise fail(i, f"value {values[i]} is out of range for {par} ({why})")
    df["value"] = values.astype(float)
    df["currency_year"] = pd.array(years, dtype="Int64")
    dup = df.duplicated(["technology", "parameter"], keep="first")
    if dup.any():
        i = int(dup.idxmax())
        key = (df["technology"] == df.loc[i, "technology"]) & (
            df["parameter"] == df.loc[i, "parameter"]
        )
        first = int(key.idxmax()) + 2
        raise fail(i, f"duplicate row (same technology and parameter as line {first}); keep one")
    for tech, group in df.groupby("technology", sort=False):
        _check_parameters(name, str(tech), set(group["parameter"]))
    df.attrs["source"] = name
    return df


def _money_rows(
    sub: pd.DataFrame,
    source: str,
    what: str,
    currency: str,
    currency_year: int,
    conversions: dict[str, str],
) -> dict[str, float]:
    """Parameters of one catalogue technology, money converted to the study's currency and
    year (:func:`gridtwin.currency.conversion`); each conversion is noted in ``conversions``
    (``"<technology> <parameter>"`` -> its description)."""
    values = dict(zip(sub["parameter"], sub["value"], strict=True))
    for _, row in sub[sub["parameter"].isin(MONETARY)].iterrows():
        money = (str(row["currency"]), int(row["currency_year"]))
        if money == (currency, currency_year):
            continue
        try:
            step = conversion(*money, currency, currency_year)
        except ConfigError as err:
            raise DataError(
                f"{source}: {what} {row['parameter']} is in {money[0]} of {money[1]}: {err}"
            ) from None
        values[row["parameter"]] = float(row["value"]) * step.factor
        conversions[f"{what} {row['parameter']}"] = step.describe()
    return values


def _contract_costs(tech: str, par: dict[str, float]) -> dict[str, object]:
    """Annual cost of one MW of a supply contract: ``contract_price x availability x 8760 h``
    [currency MW-1 a-1] (take-or-pay: the share's expected output is paid whether used or
    not); no marginal cost, no investment."""
    annual = par["contract_price"] * par["availability"] * HOURS_PER_YEAR
    return {
        "technology": tech,
        "capital_cost": annual,
        "fixed_om": 0.0,
        "marginal_cost": 0.0,
        "efficiency": math.nan,
        "efficiency_charge": math.nan,
        "efficiency_discharge": math.nan,
        "efficiency_roundtrip": math.nan,
        "co2_intensity": 0.0,
        "availability": par["availability"],
        "lifetime": par["lifetime"],
        "discount_rate": math.nan,
        "investment": 0.0,
        "capital_unit": "MW",
        "land_use": 0.0,
    }


def _storage_efficiencies(par: dict[str, float]) -> tuple[float, float, float]:
    """(charge, discharge, round trip) of a storage power part [per unit]."""
    if "efficiency_charge" in par:
        charge, discharge = par["efficiency_charge"], par["efficiency_discharge"]
        return charge, discharge, charge * discharge
    roundtrip = par["efficiency_roundtrip"]
    return math.sqrt(roundtrip), math.sqrt(roundtrip), roundtrip


def annualised_costs(
    catalogue: pd.DataFrame,
    technologies: list[str],
    currency: str,
    currency_year: int,
    discount_rate: float | None = None,
) -> pd.DataFrame:
    """Annualised capital costs, marginal costs, efficiencies and emissions of technologies.

    ``capital_cost = investment * (annuity(discount_rate, lifetime) + fom / 100)``;
    for a generator that burns a fuel (:data:`FUEL`)
    ``marginal_cost = vom + fuel_cost / efficiency`` and
    ``co2_intensity = fuel co2_intensity / efficiency``.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        As returned by :func:`load_catalogue`.
    technologies : list of str
        Study technology names, keys of :data:`STUDY_TECHNOLOGIES` (``"solar"``, ``"onwind"``,
        ``"offwind"``, ``"battery"``, ``"iron_air"``, ``"hydrogen"``, ``"geothermal"``,
        ``"nuclear"``, ``"ocgt"``, ``"ccgt"``); each expands to its catalogue technologies.
    currency : str
        Study currency, ``"USD"`` or ``"EUR"``.
    currency_year : int
        Study currency year.
    discount_rate : float, optional
        Overrides the catalogue's per-technology discount rate [per unit].

    Returns
    -------
    pandas.DataFrame
        Indexed by catalogue technology (fuels are not rows), columns :data:`COST_COLUMNS`:

        * ``capital_cost`` -- annualised investment + fixed O&M [currency/MW/a], or
          [currency/MWh/a] when ``capital_unit`` is ``"MWh"``
        * ``fixed_om`` -- the fixed O&M part of ``capital_cost``, ``investment * fom / 100``
          [same unit]
        * ``marginal_cost`` -- [currency/MWh of electrical output]: ``vom`` (0 when the
          catalogue has none) plus, for a fuel generator, ``fuel_cost / efficiency``
        * ``efficiency`` -- [per unit] output / input as in the catalogue; NaN where not given
        * ``efficiency_charge``, ``efficiency_discharge`` -- [per unit] of storage power parts
          (``battery_power``, ``iron_air_power``): the catalogue's values, else the square
          root of ``efficiency_roundtrip`` each; NaN for other technologies
        * ``efficiency_roundtrip`` -- [per unit] of storage power parts: the catalogue's value,
          else ``efficiency_charge * efficiency_discharge``; NaN for other technologies
        * ``co2_intensity`` -- [t CO2/MWh of electrical output]: the fuel's ``co2_intensity
          / efficiency``; 0 for technologies without a fuel or with a fuel without CO2
        * ``availability`` -- [per unit] constant available share of ``p_nom``; 1.0 where
          the catalogue gives none
        * ``lifetime`` [years], ``discount_rate`` [per unit] (the one used)
        * ``investment`` [currency/MW or currency/MWh]
        * ``capital_unit`` -- ``"MW"`` or ``"MWh"``

        ``attrs`` holds ``currency`` and ``currency_year``.

    Raises
    ------
    ConfigError
        Unknown study technology or invalid ``discount_rate`` override.
    DataError
        A technology or the fuel of a generator is absent from the catalogue, or its monetary
        rows (fuel: ``fuel_cost``) are in another currency or currency year than the study.
    """
    source = catalogue.attrs.get("source", "technology catalogue")
    names: list[str] = []
    for tech in technologies:
        if tech not in STUDY_TECHNOLOGIES:
            raise ConfigError(
                f"technologies.extendable: unknown technology {tech!r}; "
                f"use one of {sorted(STUDY_TECHNOLOGIES)}"
            )
        names.extend(n for n in STUDY_TECHNOLOGIES[tech] if n not in names)
    if discount_rate is not None:
        annuity(discount_rate, 1.0)  # validates the override
    rows = []
    conversions: dict[str, str] = {}
    for tech in names:
        sub = catalogue[catalogue["technology"] == tech]
        if sub.empty:
            raise DataError(f"{source}: technology {tech!r} is not in the catalogue; add its rows")
        par = _money_rows(sub, source, tech, currency, currency_year, conversions)
        if tech in CONTRACTS:
            rows.append(_contract_costs(tech, par))
            continue
        rate = par["discount_rate"] if discount_rate is None else float(discount_rate)
        fixed_om = par["investment"] * par["fom"] / 100.0
        capital = par["investment"] * (annuity(rate, par["lifetime"]) + par["fom"] / 100.0)
        efficiency = par.get("efficiency", math.nan)
        marginal, co2 = par.get("vom", 0.0), 0.0
        if tech in FUEL:
            fuel = FUEL[tech]
            fuel_rows = catalogue[catalogue["technology"] == fuel]
            if "fuel_cost" not in set(fuel_rows["parameter"]):
                what = "has no fuel_cost row" if len(fuel_rows) else "is not in the catalogue"
                raise DataError(
                    f"{source}: fuel {fuel!r} of {tech} {what}; add fuel_cost "
                    f"[{currency}/MWh_th] (and co2_intensity [t/MWh_th] if it emits CO2)"
                )
            if not efficiency > 0:
                raise DataError(f"{source}: technology {tech!r} burns {fuel} but has no efficiency")
            fuel_par = _money_rows(
                fuel_rows, source, f"{fuel} (fuel of {tech})", currency, currency_year, conversions
            )
            marginal += fuel_par["fuel_cost"] / efficiency
            co2 = fuel_par.get("co2_intensity", 0.0) / efficiency
        charge = discharge = roundtrip = math.nan
        if tech in STORAGE_POWER:
            charge, discharge, roundtrip = _storage_efficiencies(par)
        rows.append(
            {
                "technology": tech,
                "capital_cost": capital,
                "fixed_om": fixed_om,
                "marginal_cost": marginal,
                "efficiency": efficiency,
                "efficiency_charge": charge,
                "efficiency_discharge": discharge,
                "efficiency_roundtrip": roundtrip,
                "co2_intensity": co2,
                "availability": par.get("availability", 1.0),
                "lifetime": par["lifetime"],
                "discount_rate": rate,
                "investment": par["investment"],
                "capital_unit": (
                    "MWh" if tech in ENERGY_CAPACITY else "MW km" if tech in PER_KM else "MW"
                ),
                "land_use": par.get("land_use", 0.0),
            }
        )
    out = pd.DataFrame(rows, columns=["technology", *COST_COLUMNS]).set_index("technology")
    out.attrs.update(currency=currency, currency_year=currency_year, conversions=conversions)
    return out
