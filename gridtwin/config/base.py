"""Shared pieces of the study models: the strict base model and constrained number types."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

TechnologyName = Literal[
    "solar",
    "onwind",
    "offwind",
    "battery",
    "iron_air",
    "hydrogen",
    "geothermal",
    "nuclear",
    "ocgt",
    "ccgt",
    "solar_offsite",
    "onwind_offsite",
    "nuclear_contract",
]
#: Every technology a study may build (catalogue rows in gridtwin/data/technologies.csv).
ALL_TECHNOLOGIES: tuple[TechnologyName, ...] = get_args(TechnologyName)
#: Default ``technologies.extendable``: on-site solar, onshore wind and Li-ion batteries.
TECHNOLOGY_NAMES: tuple[TechnologyName, ...] = ("solar", "onwind", "battery")
#: Contracts with plants elsewhere in the grid zone, delivered through the POI.
OFFSITE_TECHNOLOGIES = frozenset({"solar_offsite", "onwind_offsite", "nuclear_contract"})
#: Technologies with stored energy (``e_nom``).
STORAGE_TECHNOLOGIES = frozenset({"battery", "iron_air", "hydrogen"})
Fraction = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
Positive = Annotated[float, Field(strict=True, gt=0.0)]
NonNegative = Annotated[float, Field(strict=True, ge=0.0)]
#: Largest power a study field may give [MW]: 100 GW, above the peak load of France (about
#: 88 GW, RTE 2012) and fifty times the largest campus announced; a larger value is a unit
#: slip (kW or W for MW) or a typo.
MAX_POWER_MW = 1.0e5
#: Largest energy a study field may give [MWh]: 10 TWh, about a week of France's electricity
#: consumption (about 450 TWh a year, RTE).
MAX_ENERGY_MWH = 1.0e7


def _plausible(limit: float, unit: str, why: str) -> Any:
    def check(value: float) -> float:
        if value > limit:
            raise ValueError(
                f"{value:.4g} {unit} is more than {limit:.4g} {unit} ({why}); the field is "
                f"in {unit}: check the unit and the digits"
            )
        return value

    return AfterValidator(check)


#: A power [MW] from 0 to :data:`MAX_POWER_MW`.
Power = Annotated[
    float,
    Field(strict=True, ge=0.0),
    _plausible(MAX_POWER_MW, "MW", "100 GW, above the peak load of France"),
]
#: A power [MW] above 0, up to :data:`MAX_POWER_MW`.
PositivePower = Annotated[
    float,
    Field(strict=True, gt=0.0),
    _plausible(MAX_POWER_MW, "MW", "100 GW, above the peak load of France"),
]
#: An energy [MWh] from 0 to :data:`MAX_ENERGY_MWH`.
Energy = Annotated[
    float,
    Field(strict=True, ge=0.0),
    _plausible(MAX_ENERGY_MWH, "MWh", "10 TWh, about a week of France's consumption"),
]
#: Bounds of energy prices [currency/MWh]; wider than any market has cleared (the ERCOT cap is
#: 5000 USD/MWh, the EU harmonised limits are -500 / +4000 EUR/MWh).
PRICE_BOUNDS = (-1.0e4, 1.0e5)
Price = Annotated[float, Field(strict=True, ge=PRICE_BOUNDS[0], le=PRICE_BOUNDS[1])]


class StrictModel(BaseModel):
    """Base model: unknown keys are errors, numbers must be finite and real numbers (a YAML
    ``true`` is not 1), and values are validated on assignment too."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False
    )
