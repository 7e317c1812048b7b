"""Study fields of the technologies: which may be built, existing capacity and build limits
(``technologies:``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from gridtwin.config.base import (
    OFFSITE_TECHNOLOGIES,
    STORAGE_TECHNOLOGIES,
    TECHNOLOGY_NAMES,
    Energy,
    Power,
    StrictModel,
    TechnologyName,
)


class AssetConfig(StrictModel):
    """Existing capacity and build limits of one technology.

    Attributes
    ----------
    p_nom : float
        Existing (brownfield) power capacity [MW], sized on top of and paid for already: it
        costs no investment. For storage, the existing charge and discharge power.
    p_nom_max : float or None
        Largest capacity to build, existing included [MW] (land, permits, interconnection);
        ``None``: no limit.
    e_nom : float
        Existing storage energy [MWh] (storage only).
    e_nom_max : float or None
        Largest storage energy, existing included [MWh] (storage only).
    max_hours : float or None
        Fix the new storage's duration in hours at rated power [h]: the full store delivers
        its rated AC discharge power for ``max_hours`` whatever the discharge efficiency, so
        ``e_nom = max_hours x p_nom_discharge / efficiency_discharge`` (the convention of
        pypsa-usa#760), e.g. 100 for a 100-h iron-air product. ``None``: power and energy
        sized freely (storage only).
    land_use : float or None
        Site land per MW [ha MW-1] instead of the catalogue's (e.g. 3.04 for fixed-tilt PV,
        Ong et al. 2013); counted against ``site.land_area_ha``.
    """

    p_nom: Power = 0.0
    p_nom_max: Power | None = None
    e_nom: Energy = 0.0
    e_nom_max: Energy | None = None
    max_hours: Annotated[float, Field(strict=True, gt=0.0, le=10000.0)] | None = None
    land_use: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)] | None = None

    @model_validator(mode="after")
    def _limits_hold(self) -> AssetConfig:
        if self.p_nom_max is not None and self.p_nom_max < self.p_nom:
            raise ValueError(
                f"p_nom_max {self.p_nom_max} is below the existing p_nom {self.p_nom}; the limit "
                "counts the existing capacity: raise p_nom_max or lower p_nom"
            )
        if self.e_nom_max is not None and self.e_nom_max < self.e_nom:
            raise ValueError(
                f"e_nom_max {self.e_nom_max} is below the existing e_nom {self.e_nom}; the limit "
                "counts the existing energy: raise e_nom_max or lower e_nom"
            )
        return self


class TechnologiesConfig(StrictModel):
    """Technology catalogue selection.

    Attributes
    ----------
    catalogue : {"us", "eu"}, Path or None
        The technology catalogue: ``us`` (NREL ATB 2024 and others, USD;
        ``gridtwin/data/technologies.csv``), ``eu`` (Danish Energy Agency and others via PyPSA
        technology-data, EUR; ``gridtwin/data/technologies_eu.csv``) or the path of a CSV
        file with the same columns. ``None``: ``eu`` for a EUR study, ``us`` for a USD one.
        Money in another currency or year than the study's is converted when loaded
        (:mod:`gridtwin.currency`).
    extendable : list of str
        Technologies the optimiser may build.
    discount_rate : float or None
        Overrides the per-technology discount rate of the catalogue [-].
    assets : dict
        Per technology, existing capacity and build limits (:class:`AssetConfig`), e.g.
        ``{solar: {p_nom: 200, p_nom_max: 2500}, iron_air: {max_hours: 100}}``. A technology
        with existing capacity that is not in ``extendable`` is kept as it is; build limits
        (``p_nom_max``, ``e_nom_max``, ``max_hours``) apply to new capacity, so they need the
        technology in ``extendable`` (except the size limit of an offsite contract, what the
        zone offers, which must be given for a chosen contract). Existing storage needs both
        ``p_nom`` and ``e_nom``.

    Technologies: ``solar``, ``onwind``, ``offwind`` (resource from the ``offwind`` section),
    ``solar_offsite`` and ``onwind_offsite`` (contracts with plants elsewhere in the grid zone,
    delivered through the POI; the ``offsite`` section), ``nuclear_contract`` (a capacity
    share of a nuclear fleet at a price per MWh, delivered through the POI at the catalogue's
    availability, e.g. EDF's CAPN contracts in France),
    ``battery`` (Li-ion), ``iron_air`` (multi-day storage), ``hydrogen`` (electrolyser, tank,
    fuel cell; power in and out sized apart), ``geothermal`` and ``nuclear`` (clean firm, at the
    catalogue's availability), ``ocgt`` and ``ccgt`` (natural gas, not clean, with CO2).
    """

    catalogue: Literal["us", "eu"] | Path | None = None
    extendable: list[TechnologyName] = Field(default_factory=lambda: list(TECHNOLOGY_NAMES))
    discount_rate: Annotated[float, Field(strict=True, ge=0.0, le=0.5)] | None = None
    assets: dict[TechnologyName, AssetConfig] = Field(default_factory=dict)

    @field_validator("extendable")
    @classmethod
    def _unique_extendable(cls, techs: list[TechnologyName]) -> list[TechnologyName]:
        twice = sorted({t for t in techs if techs.count(t) > 1})
        if twice:
            raise ValueError(f"lists {twice} more than once; list each technology once")
        return techs

    @model_validator(mode="after")
    def _assets_fit(self) -> TechnologiesConfig:
        # messages start with the asset's dotted path: the error is reported there
        for tech, asset in self.assets.items():
            where = f"technologies.assets.{tech}"
            storage_only = ("e_nom", "e_nom_max", "max_hours")
            given = [f for f in storage_only if getattr(asset, f) not in (None, 0.0)]
            if tech not in STORAGE_TECHNOLOGIES and given:
                raise ValueError(f"{where}: {given} apply to storage only; remove them")
            if tech in STORAGE_TECHNOLOGIES and (asset.p_nom > 0) != (asset.e_nom > 0):
                has, lacks = ("e_nom", "p_nom") if asset.e_nom > 0 else ("p_nom", "e_nom")
                raise ValueError(
                    f"{where}: existing storage has {has} {getattr(asset, has)} but no {lacks}; "
                    f"existing storage needs power (p_nom [MW]) and energy (e_nom [MWh]): give "
                    f"{lacks} too or remove {has}"
                )
            limits = [f for f in ("p_nom_max", "e_nom_max", "max_hours") if getattr(asset, f)]
            # an offsite contract's size limit is what the zone offers: it may be given while
            # the contract is not chosen (sweeps switch it on and off)
            if limits and tech not in self.extendable and tech not in OFFSITE_TECHNOLOGIES:
                raise ValueError(
                    f"{where}: {limits} limit new capacity, but '{tech}' is not in "
                    f"technologies.extendable, so they have no effect; add '{tech}' to "
                    "technologies.extendable or remove the limit"
                )
        return self

    @property
    def used(self) -> list[str]:
        """Technologies a study uses: the extendable ones and those with existing capacity."""
        used = [str(t) for t in self.extendable]
        used += [
            t for t, a in self.assets.items() if t not in used and (a.p_nom > 0 or a.e_nom > 0)
        ]
        return used


__all__ = ["AssetConfig", "TechnologiesConfig"]
