"""The PyPSA backend's site network, offsite contracts and land (:mod:`gridtwin.network.spec`
rows as PyPSA components and linopy constraints); used by
:mod:`gridtwin.optimize.pypsa_backend`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import pandas as pd
import pypsa

from gridtwin.network.spec import BASE_MVA, NetworkSpec
from gridtwin.optimize.problem import SystemProblem

#: Bus of the offsite contracts (the grid zone outside the site).
OFFSITE_BUS = "offsite_zone"


def existing_branch_cost(problem: SystemProblem) -> float:
    """Capital cost of the existing ratings of upgradable branches over the horizon
    [currency]: PyPSA charges ``capital_cost x s_nom`` for the whole rating of an extendable
    branch, so its objective exceeds the cost of the upgrades alone by this constant."""
    if problem.network is None:
        return 0.0
    return float(sum(b.capital_cost * b.s_nom for b in problem.network.branches if b.extendable))


def add_offsite(n: pypsa.Network, problem: SystemProblem, grid_bus: str) -> None:
    """The grid zone of the offsite contracts: their output is delivered to the POI
    (``offsite_delivery``, part of the physical import; the joint POI limit is a row of the
    hook) or sold at the export price (``offsite_sale``, negative output, bounded by the
    contracts' summed size limits)."""
    export = problem.poi.export_price - problem.tie_break_cost
    n.add(
        "Link",
        "offsite_delivery",
        bus0=OFFSITE_BUS,
        bus1=grid_bus,
        carrier="grid",
        p_nom=problem.poi.p_nom,
    )
    n.add(
        "Generator",
        "offsite_sale",
        bus=OFFSITE_BUS,
        carrier="grid",
        p_nom=max(problem.offsite_limit, 1e-9),
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=pd.Series(export, index=problem.snapshots),
    )


def add_site_network(n: pypsa.Network, net: NetworkSpec) -> None:
    """Buses and branches of the site network.

    Reactances are per unit of 100 MVA in the spec; PyPSA works on a 1 MVA base
    (``x_pu = x / v_nom^2`` for lines, ``x / s_nom`` for transformers), so the buses get
    ``v_nom`` 1 and a line ``x = spec.x / 100``; transformers with an existing rating are
    PyPSA transformers with ``x`` on their own rating. Ratings: ``s_nom`` (upgradable between
    the existing rating and ``s_nom_max`` at ``capital_cost`` per MVA) times ``s_max_pu``.
    """
    n.add("Bus", list(net.buses), carrier="AC", v_nom=1.0)
    for b in net.branches:
        common: dict[str, Any] = {
            "bus0": b.bus0,
            "bus1": b.bus1,
            "s_nom": b.s_nom,
            "s_nom_min": b.s_nom,
            "s_nom_max": b.s_nom_max,
            "s_nom_extendable": b.extendable,
            "capital_cost": b.capital_cost,
            "s_max_pu": b.s_max_pu,
            "r": b.x / BASE_MVA * 1e-2,  # not in the linear rows; PyPSA warns on r = 0
        }
        if b.kind == "trafo" and b.s_nom > 0:
            n.add("Transformer", b.name, x=b.x / BASE_MVA * b.s_nom, **common)
        else:
            n.add("Line", b.name, x=b.x / BASE_MVA, **common)


def branch_component(n: pypsa.Network, name: str) -> str:
    return "Transformer" if name in n.transformers.index else "Line"


def network_constraints(
    m: linopy.Model, n: pypsa.Network, net: NetworkSpec, pick: Callable[[str, str], Any]
) -> None:
    """N-1 rows between corridors and the AC loop's absolute flow caps of the site network.

    For each N-1 row of :meth:`NetworkSpec.linear` (monitored corridor l, outaged corridor k):
    ``-share s_nom_l <= F_l + coef F_k <= share s_nom_l``; for each corridor with a finite
    ``flow_max``: ``-flow_max <= F_l <= flow_max`` [MW].
    """
    lin = net.linear()
    branches = lin.spec.branches
    comp = {b.name: branch_component(n, b.name) for b in branches}

    def flow(name: str) -> Any:
        return pick(f"{comp[name]}-s", name)

    for ell, k, coef, share in zip(lin.monitored, lin.outage, lin.coef, lin.share, strict=True):
        lb, kb = branches[ell], branches[k]
        after = flow(lb.name) + float(coef) * flow(kb.name)
        tag = f"{lb.name}~{kb.name}"
        if lb.extendable:
            limit = float(share) * pick(f"{comp[lb.name]}-s_nom", lb.name)
            m.add_constraints(after - limit <= 0, name=f"n1-upper-{tag}")
            m.add_constraints(after + limit >= 0, name=f"n1-lower-{tag}")
        else:
            m.add_constraints(after <= float(share) * lb.s_nom, name=f"n1-upper-{tag}")
            m.add_constraints(after >= -float(share) * lb.s_nom, name=f"n1-lower-{tag}")
    for b in branches:
        if np.isfinite(b.flow_max):
            m.add_constraints(flow(b.name) <= b.flow_max, name=f"flow_max-upper-{b.name}")
            m.add_constraints(flow(b.name) >= -b.flow_max, name=f"flow_max-lower-{b.name}")


def land_constraint(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """Site land: ``sum land_use x p_nom <= land_area`` over on-site generators and storage
    (charge power) [ha]; existing capacity takes its land first."""
    assert problem.land_area is not None
    used, terms = 0.0, []
    for g in problem.generators:
        if g.offsite or not g.land_use:
            continue
        if g.extendable:
            terms.append(g.land_use * pick("Generator-p_nom", g.name))
        else:
            used += g.land_use * g.p_nom
    for s in problem.storage:
        if not s.land_use:
            continue
        if s.extendable:
            terms.append(s.land_use * pick("Link-p_nom", f"{s.name} charger"))
        else:
            used += s.land_use * s.p_nom
    if terms:
        total = sum(terms[1:], terms[0])
        m.add_constraints(total <= problem.land_area - used, name="site-land")


def branch_results(
    n: pypsa.Network, problem: SystemProblem
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Ratings after upgrades [MVA] and flows [MW] of the site-network branches (corridors
    split evenly between their members)."""
    if problem.network is None:
        return {}, {}
    lin = problem.network.linear()
    s_nom, flows = {}, {}
    for b in lin.spec.branches:
        if b.name in n.transformers.index:
            static, series = n.transformers, n.transformers_t.p0
        else:
            static, series = n.lines, n.lines_t.p0
        s_nom[b.name] = float(static.at[b.name, "s_nom_opt"])
        flows[b.name] = series[b.name].to_numpy(dtype=float)
    return lin.member_values(s_nom, problem.network), lin.member_values(flows, problem.network)


__all__ = [
    "OFFSITE_BUS",
    "add_offsite",
    "add_site_network",
    "branch_component",
    "branch_results",
    "existing_branch_cost",
    "land_constraint",
    "network_constraints",
]
