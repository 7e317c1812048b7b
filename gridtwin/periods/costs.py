"""Technology costs by year: the cost trajectories of the built-in catalogues.

The catalogues (``gridtwin/data/technologies.csv``, ``technologies_eu.csv``) hold the costs of
one year, 2030 (PyPSA technology-data ``costs_2030``). ``gridtwin/data/cost_trajectories.csv``
holds the investment cost of the same source rows for 2025, 2030, ..., 2050 (the same
technology-data outputs, from NREL ATB 2024 Moderate for the US catalogue and the Danish
Energy Agency's technology catalogues for the European one, with the source of every row). A
period starting in year ``y`` pays the catalogue's capital cost times
``investment(y) / investment(2030)``, interpolated linearly between the tabulated years. The
whole annualised capital cost (annuity and fixed O&M) is scaled: fixed O&M is a share of the
investment in these sources.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridtwin.assembly import STORAGE_ROWS, catalogue_row
from gridtwin.config import StudyConfig
from gridtwin.exceptions import ConfigError
from gridtwin.optimize.problem import SystemProblem
from gridtwin.technologies import default_catalogue

logger = logging.getLogger(__name__)

#: The trajectory table shipped with gridtwin.
TRAJECTORIES = Path(__file__).resolve().parents[1] / "data" / "cost_trajectories.csv"
#: Year of the catalogues' costs: the trajectories are relative to it.
CATALOGUE_YEAR = 2030


@functools.cache
def trajectories() -> pd.DataFrame:
    """The trajectory table: investment cost by (catalogue, technology, year)."""
    table = pd.read_csv(TRAJECTORIES, comment="#")
    return table.set_index(["catalogue", "technology", "year"]).sort_index()


def cost_factor(catalogue: str, technology: str, year: int) -> float | None:
    """Investment cost in ``year`` over the catalogue year's [-] for a catalogue row; ``None``
    when the table has no trajectory for it.

    Raises
    ------
    ConfigError
        ``year`` outside the tabulated years.
    """
    table = trajectories()
    try:
        rows = table.loc[(catalogue, technology)]["investment"]
    except KeyError:
        return None
    years = rows.index.to_numpy(dtype=float)
    if not years.min() <= year <= years.max():
        raise ConfigError(
            f"investment.periods: year {year} is outside the cost trajectories "
            f"({int(years.min())}-{int(years.max())}); use investment.cost_trajectory: none"
        )
    value = float(np.interp(year, years, rows.to_numpy(dtype=float)))
    return value / float(np.interp(CATALOGUE_YEAR, years, rows.to_numpy(dtype=float)))


def scale_to_year(problem: SystemProblem, cfg: StudyConfig, year: int) -> SystemProblem:
    """The problem with the capital costs of ``year`` (see the module).

    Technologies without a trajectory keep the catalogue's costs (logged once per study).

    Raises
    ------
    ConfigError
        A custom catalogue (its trajectory is unknown), or a year outside the table.
    """
    catalogue = cfg.technologies.catalogue or default_catalogue(cfg.currency)
    if not isinstance(catalogue, str):
        raise ConfigError(
            "investment.cost_trajectory: catalogue needs a built-in catalogue (us or eu); with "
            f"technologies.catalogue {catalogue} use cost_trajectory: none"
        )
    kept: list[str] = []

    def factor(row: str) -> float:
        value = cost_factor(catalogue, row, year)
        if value is None:
            kept.append(row)
            return 1.0
        return value

    gens = tuple(_scaled(g, factor(catalogue_row(g.name)), ("capital_cost", "fixed_om_cost"))
                 if g.extendable else g for g in problem.generators)  # fmt: skip
    stores = []
    for s in problem.storage:
        if not s.extendable or s.name not in STORAGE_ROWS:
            stores.append(s)
            continue
        power, energy, power_out = STORAGE_ROWS[s.name]
        s = _scaled(s, factor(power), ("capital_cost_power", "fixed_om_cost_power"))
        s = _scaled(s, factor(energy), ("capital_cost_energy", "fixed_om_cost_energy"))
        if power_out is not None:
            s = _scaled(s, factor(power_out), ("capital_cost_discharge", "fixed_om_cost_discharge"))
        stores.append(s)
    if kept:
        logger.info(
            "cost trajectory %d: %s keep the catalogue's %d costs (no trajectory)",
            year,
            ", ".join(sorted(set(kept))),
            CATALOGUE_YEAR,
        )
    return replace(problem, generators=gens, storage=tuple(stores))


def _scaled(spec: Any, factor: float, fields: tuple[str, ...]) -> Any:
    """``spec`` with the given cost fields times ``factor`` (``None`` stays ``None``)."""
    update = {f: getattr(spec, f) * factor for f in fields if getattr(spec, f) is not None}
    return replace(spec, **update)


__all__ = ["CATALOGUE_YEAR", "TRAJECTORIES", "cost_factor", "scale_to_year", "trajectories"]
