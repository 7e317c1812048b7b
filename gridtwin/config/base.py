"""Shared pieces of the study models: the strict base model and constrained number types."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

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
]
#: Every technology a study may build (catalogue rows in gridtwin/data/technologies.csv).
ALL_TECHNOLOGIES: tuple[TechnologyName, ...] = get_args(TechnologyName)
#: Default ``technologies.extendable``: on-site solar, onshore wind and Li-ion batteries.
TECHNOLOGY_NAMES: tuple[TechnologyName, ...] = ("solar", "onwind", "battery")
#: Contracts with plants elsewhere in the grid zone, delivered through the POI.
OFFSITE_TECHNOLOGIES = frozenset({"solar_offsite", "onwind_offsite"})
#: Technologies with stored energy (``e_nom``).
STORAGE_TECHNOLOGIES = frozenset({"battery", "iron_air", "hydrogen"})
Fraction = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
Positive = Annotated[float, Field(strict=True, gt=0.0)]
NonNegative = Annotated[float, Field(strict=True, ge=0.0)]
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
