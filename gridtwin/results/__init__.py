"""Result files: the dataset of a solved problem (:mod:`.build`), the figures recomputed from
it (:mod:`.recompute`) and netCDF I/O (:mod:`.io`).

A result is one :class:`xarray.Dataset` (dims ``time``, ``technology``, ``storage``, and
``branch`` with a site network) holding the inputs that shaped the answer, the solution and
scalars recomputed from the dispatch (``cfe_score``, ``system_cost``, ``lcoe``), never copied
from the solver; global attributes carry the CF conventions, provenance and the study YAML text.
"""

from gridtwin.results.build import add_network, build_results
from gridtwin.results.io import open_results, single_run, write_results
from gridtwin.results.recompute import (
    COST_COMPONENTS,
    annual_matching_score,
    cfe_score,
    cost_breakdown,
    curtailment_energy,
    energy_balance_residual,
    land_used,
    market_import,
    network_cost,
    offsite_delivered,
    offsite_mask,
    onsite_technologies,
    summary,
    system_cost,
    weights,
)

__all__ = [
    "COST_COMPONENTS",
    "add_network",
    "annual_matching_score",
    "build_results",
    "cfe_score",
    "cost_breakdown",
    "curtailment_energy",
    "energy_balance_residual",
    "land_used",
    "market_import",
    "network_cost",
    "offsite_delivered",
    "offsite_mask",
    "onsite_technologies",
    "open_results",
    "single_run",
    "summary",
    "system_cost",
    "weights",
    "write_results",
]
