"""What a backend returns for a :class:`~gridtwin.optimize.problem.SystemProblem`: the same
fields whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Solution:
    """What a backend returns; the same fields for every backend.

    Attributes
    ----------
    p_nom : dict[str, float]
        Optimal power capacity per technology [MW] (storage: AC power rating; charging power
        where discharge is sized apart).
    p_nom_discharge : dict[str, float]
        Optimal AC discharge power per storage [MW] (equal to ``p_nom`` where one rating
        serves both directions).
    e_nom : dict[str, float]
        Optimal energy capacity per storage [MWh].
    p : dict[str, numpy.ndarray]
        Output of each generator [MW], shape (n_time,).
    charge, discharge : dict[str, numpy.ndarray]
        AC-side storage charging (consumption) and discharging (injection) [MW].
    state_of_charge : dict[str, numpy.ndarray]
        Stored energy at the end of each hour [MWh].
    grid_import, grid_export : numpy.ndarray
        POI exchange [MW], both >= 0 (import: the physical flow, offsite deliveries included).
    load_shift, load_curtailment : numpy.ndarray
        Load moved into each hour (negative: moved away) and load curtailed [MW]; zeros
        without flexibility.
    objective : float
        Solver objective [currency a-1].
    solver : dict
        Solver name, options, status, termination condition, iterations, ``solve_time_s``
        (model build and solve through PyPSA [s]) and ``highs_run_time_s`` (HiGHS alone [s]).
    s_nom : dict[str, float]
        Rating of each site-network branch after upgrades [MVA] (empty without a network).
    branch_flow : dict[str, numpy.ndarray]
        Active-power flow of each branch from ``bus0`` to ``bus1`` [MW], shape (n_time,).
    offsite_delivered, offsite_sold : numpy.ndarray
        Output of the offsite contracts delivered to the campus through the POI (part of
        ``grid_import``) and sold at the export price [MW], shape (n_time,); empty without
        offsite contracts.
    certificates : numpy.ndarray
        Guarantees of origin bought for ``renewable_share_min`` [MW: each weather year's
        volume spread evenly over its hours], shape (n_time,); empty when none may be bought.
    cfe_price : float
        Shadow price of the hourly CFE constraint [currency MWh-1 of clean supply], >= 0: what
        one more MWh of required clean supply would add to the objective. For a multi-year
        horizon (one CFE row per year, :meth:`SystemProblem.cfe_groups`) the mean of the
        yearly prices. ``nan`` when there is no CFE row (``cfe_target`` 0) or the solver gave
        no duals; for a rolling dispatch the price the shortfall was penalised at.
    heat : dict[str, numpy.ndarray]
        Heat side (:mod:`gridtwin.optimize.heat`), shape (n_time,) each; empty without heat
        reuse: ``delivered`` (to the network by heat exchangers and heat pumps) [MW_th],
        ``storage_p`` (tank discharge, negative charging) [MW_th], ``storage_e`` (stored heat
        at the end of each hour) [MWh_th], ``sold`` [MW_th], ``source`` (warm-loop heat taken)
        [MW_th], ``heat_pump_power`` (heat-pump electricity) [MW] and ``rejection_saving``
        (on-site rejection power saved) [MW].
    heat_capacity : dict[str, float]
        ``heat_pump`` output rating [MW_th] and ``heat_storage`` energy [MWh_th]; empty
        without heat reuse.
    water : numpy.ndarray
        Water of the cooling on the problem's basis [m3 h-1], shape (n_time,); empty without
        a water spec.
    outage : dict[str, numpy.ndarray]
        Dispatch of each outage scenario (:data:`gridtwin.optimize.outage.OUTAGE_KEYS`), shape
        (n_outage, hours) each [MW; ``energy`` MWh]; empty without outage scenarios.
    outage_capacity : dict[str, float]
        New generator sets ``genset`` [MW] and fuel storage ``fuel`` [MWh of generator
        output] built for the outages; empty without outage scenarios.

    ``objective`` excludes the capital cost of the existing branch ratings (only upgrades
    are paid), as it excludes that of existing generators and storage.
    """

    p_nom: dict[str, float]
    e_nom: dict[str, float]
    p: dict[str, np.ndarray]
    charge: dict[str, np.ndarray]
    discharge: dict[str, np.ndarray]
    state_of_charge: dict[str, np.ndarray]
    grid_import: np.ndarray
    grid_export: np.ndarray
    objective: float
    load_shift: np.ndarray = field(default_factory=lambda: np.zeros(0))
    load_curtailment: np.ndarray = field(default_factory=lambda: np.zeros(0))
    solver: dict[str, Any] = field(default_factory=dict)
    p_nom_discharge: dict[str, float] = field(default_factory=dict)
    cfe_price: float = float("nan")
    s_nom: dict[str, float] = field(default_factory=dict)
    branch_flow: dict[str, np.ndarray] = field(default_factory=dict)
    offsite_delivered: np.ndarray = field(default_factory=lambda: np.zeros(0))
    offsite_sold: np.ndarray = field(default_factory=lambda: np.zeros(0))
    certificates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    heat: dict[str, np.ndarray] = field(default_factory=dict)
    heat_capacity: dict[str, float] = field(default_factory=dict)
    water: np.ndarray = field(default_factory=lambda: np.zeros(0))
    outage: dict[str, np.ndarray] = field(default_factory=dict)
    outage_capacity: dict[str, float] = field(default_factory=dict)


__all__ = ["Solution"]
