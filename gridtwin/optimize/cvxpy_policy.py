"""The renewable-share row of the cvxpy formulation (a balance-sheet limit such as Germany's
EnEfG § 11(5)), with guarantees of origin bought at a price where they count; stated in its
own words, as :mod:`gridtwin.optimize.pypsa_policy` states it for PyPSA."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from gridtwin.optimize.problem import SystemProblem

if TYPE_CHECKING:
    from gridtwin.optimize.cvxpy_backend import Model


def renewable_share(
    problem: SystemProblem,
    model: Model,
    periods: sp.csr_array,
    constraints: list[cp.Constraint],
    cost: list[Any],
) -> None:
    """Per weather year ``k``: renewable output + certificates ``>= share x`` the load
    served (``load + shift - curtail``); certificates cost ``certificate_price`` per MWh.
    ``periods`` sums energy over the weather years (:func:`~gridtwin.optimize.cvxpy_assets.
    periods_matrix`)."""
    share = problem.renewable_share_min
    if share is None or share <= 0:
        return
    served: Any = problem.load
    if model.curtail is not None:
        served = served - model.curtail
    if model.defer is not None and model.recover is not None:
        served = served + model.recover - model.defer
    supply: Any = sum(
        (periods @ model.p[g.name] for g in problem.generators if g.renewable),
        np.zeros(periods.shape[0]),
    )
    if problem.certificate_price is not None:
        model.certificates = cp.Variable(periods.shape[0], name="certificates", nonneg=True)
        supply = supply + model.certificates
        cost.append(problem.certificate_price * cp.sum(model.certificates))
    constraints.append(supply >= share * (periods @ served))


def certificates(model: Model, problem: SystemProblem) -> np.ndarray:
    """Certificates bought, each weather year's volume spread over its hours [MW], shape
    (n_time,); empty when none may be bought."""
    if model.certificates is None or model.certificates.value is None:
        return np.zeros(0)
    groups, _ = problem.budget_shares()
    hours = np.bincount(groups, problem.snapshot_weights)
    volume = np.clip(np.asarray(model.certificates.value, dtype=float), 0.0, None)
    return volume[groups] / hours[groups]


__all__ = ["certificates", "renewable_share"]
