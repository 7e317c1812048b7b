"""Study models of a fleet: several campuses sized together, training work moving between them
(:mod:`gridtwin.optimize.fleet`, :mod:`gridtwin.fleet`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from gridtwin.config.base import PRICE_BOUNDS, Fraction, Power, StrictModel

#: Campus name: it labels the ``site`` dimension of the result.
SiteName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]


class TransferConfig(StrictModel):
    """A link training work may move along, between two campuses of the fleet.

    Attributes
    ----------
    origin : str
        Campus the work leaves (the study's ``name`` is its own campus).
    destination : str
        Campus the work goes to.
    p_max : float
        Largest IT load moved in an hour [MW of IT load]: what the data network between the
        sites can carry for moved jobs, expressed as the IT load it feeds.
    cost : float
        Cost per MWh of IT load moved [currency/MWh] (data transfer, checkpoint traffic),
        >= 0. No default: it depends on the operator's network contracts.
    latency_ms : float
        Round-trip latency between the sites [ms], e.g. measured, or about 1 ms per 100 km of
        fibre route. Compared with ``fleet.latency_max_ms``.
    both_ways : bool
        Whether work may also move from ``destination`` to ``origin`` (same limits). Default
        true.
    """

    origin: SiteName
    destination: SiteName
    p_max: Power
    cost: Annotated[float, Field(strict=True, ge=0.0, le=PRICE_BOUNDS[1])]
    latency_ms: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)]
    both_ways: Annotated[bool, Field(strict=True)] = True


class FleetConfig(StrictModel):
    """Campuses sized together with this study's (``gridtwin run``).

    Attributes
    ----------
    sites : dict of str to Path
        The other campuses: name -> study file (relative to this file), each a complete study
        (its weather, campus, grid signals, POI, network, technologies) in the same currency.
        Typical years are put on this study's UTC hours (:func:`gridtwin.weather.align.on_hours`).
    transfers : list of TransferConfig
        Links work may move along; at least one.
    movable_share : float
        Share of a campus's training IT load that may move away in an hour [-]. Default 0.2, an
        assumption like ``campus.flexibility.shift_share`` (jobs that checkpoint and restart
        elsewhere); with the campus's own shifting it may not exceed 1.
    latency_max_ms : float or None
        Links with a higher latency carry no work [ms]; ``None``: no limit. Training tolerates
        far more latency than serving: Riepin, Brown & Zavala (2025) move work across Europe.
    cfe_target : float or None
        One hourly CFE target for the fleet's load together [-]; ``None``: each campus meets
        its own ``policy.cfe_target``.
    """

    sites: Annotated[dict[SiteName, Path], Field(min_length=1)]
    transfers: Annotated[list[TransferConfig], Field(min_length=1)]
    movable_share: Fraction = 0.2
    latency_max_ms: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)] | None = None
    cfe_target: Fraction | None = None

    @model_validator(mode="after")
    def _links_between_two_campuses(self) -> FleetConfig:
        seen: set[tuple[str, str]] = set()
        for t in self.transfers:
            ways = {(t.origin, t.destination)} | (
                {(t.destination, t.origin)} if t.both_ways else set()
            )
            if ways & seen:
                raise ValueError(
                    f"transfers: {t.origin} -> {t.destination} is listed twice (both_ways links "
                    "count in both directions); give each direction one link"
                )
            seen |= ways
            if t.origin == t.destination:
                raise ValueError(
                    f"transfers: {t.origin} -> {t.destination} joins a campus to itself"
                )
        return self


__all__ = ["FleetConfig", "TransferConfig"]
