"""Study models of investment periods: the campus grows in phases and the supply is built as it
grows (:mod:`gridtwin.optimize.plan`, :mod:`gridtwin.periods`)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from gridtwin.config.base import Fraction, PositivePower, StrictModel

#: First and last year a period may start in: the range of the catalogue's cost trajectories
#: (:mod:`gridtwin.periods.costs`) with room for what a custom catalogue covers.
YEARS = (2000, 2100)


class PeriodConfig(StrictModel):
    """One investment period: from its first year until the next period starts.

    Attributes
    ----------
    year : int
        First year of the period. Its costs are the catalogue's for that year
        (``investment.cost_trajectory``); capacity built in it is in service from this year on.
    it_capacity : float or None
        IT capacity online during the period [MW]; ``None``: ``campus.it_capacity``.
    cfe_target : float or None
        Hourly CFE target of the period [-]; ``None``: ``policy.cfe_target``. The target holds
        in every period on its own.
    weather : Path or None
        Representative weather of the period (a file as ``weather.path`` takes, relative to the
        study file); ``None``: the study's weather. Every period's weather must be of the same
        site and cover the same UTC hours (a typical year is re-indexed to
        ``weather.reference_year``).
    """

    year: Annotated[int, Field(strict=True, ge=YEARS[0], le=YEARS[1])]
    it_capacity: PositivePower | None = None
    cfe_target: Fraction | None = None
    weather: Path | None = None


class InvestmentConfig(StrictModel):
    """Investment periods of a study (``gridtwin run`` sizes them together).

    The supply is built in vintages: a vintage built in a period is in service from that period
    until its lifetime (the catalogue's ``lifetime`` of the technology) ends, and pays its
    period's annualised cost in each period it is in service, weighted by the period's
    discounted years (PyPSA's multi-investment formulation; :mod:`gridtwin.optimize.plan`).

    Attributes
    ----------
    periods : list of PeriodConfig
        In increasing years, at least one.
    discount_rate : float
        Rate the periods' costs are discounted at to the first period's year [a-1], in
        [0, 0.3]. No default: it is the study owner's choice (e.g. a company's real WACC, or a
        social rate for a public study).
    last_period_years : float or None
        Length of the last period [a], in (0, 50]; ``None``: as long as the period before it
        (one year for a single period).
    cost_trajectory : {"catalogue", "none"}
        ``catalogue`` (default): each period pays the investment costs of its year, the
        catalogue's cost trajectory (:mod:`gridtwin.periods.costs`: NREL ATB 2024 Moderate and
        the Danish Energy Agency via PyPSA technology-data, by year); ``none``: the
        catalogue's single-year costs in every period.
    """

    periods: Annotated[list[PeriodConfig], Field(min_length=1)]
    discount_rate: Annotated[float, Field(strict=True, ge=0.0, le=0.3)]
    last_period_years: Annotated[float, Field(strict=True, gt=0.0, le=50.0)] | None = None
    cost_trajectory: Literal["catalogue", "none"] = "catalogue"

    @field_validator("periods")
    @classmethod
    def _increasing(cls, periods: list[PeriodConfig]) -> list[PeriodConfig]:
        years = [p.year for p in periods]
        if any(b <= a for a, b in itertools.pairwise(years)):
            raise ValueError(f"years {years} must increase, one period per year at most")
        return periods

    @property
    def years(self) -> list[int]:
        """First year of each period."""
        return [p.year for p in self.periods]


__all__ = ["InvestmentConfig", "PeriodConfig"]
