"""The verifier: every constraint family of a :class:`SystemProblem` evaluated on a
:class:`Solution`, from any backend, the rolling dispatch or a result file.

Each family is one small function returning the violations of its rows (how far each row is
from holding, >= 0 where it is violated) in one unit; :func:`verify` keeps the worst row of each
family, with where it happened, and judges it against a tolerance relative to the family's
scale (:data:`RTOL` x the peak load for power rows, x the load energy for energy rows, ...).
The equations are those of :mod:`gridtwin.optimize.problem` (module docstring), evaluated
without either backend's model; the objective is recomputed by
:func:`gridtwin.optimize.evaluate.objective_terms`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridtwin.exceptions import DataError
from gridtwin.optimize import verify_heat, verify_outage
from gridtwin.optimize.evaluate import (
    above as _above,
)
from gridtwin.optimize.evaluate import (
    campus_served,
    cfe_shortfall_by_period,
    load_served,
    objective_terms,
    series,
)
from gridtwin.optimize.evaluate import (
    off as _off,
)
from gridtwin.optimize.problem import Solution, SystemProblem

#: Relative tolerance of every family [-] (of its scale); HiGHS's default primal feasibility
#: tolerance is 1e-7 on scaled rows, so an optimal basis of the campus LPs stays far below it.
RTOL = 1e-6
#: Absolute floor of every tolerance (in the family's unit).
ATOL = 1e-6

Rows = Iterator[tuple[str, np.ndarray | float]]
"""What a family yields: (row name, violations >= 0 where violated; shape (n_time,) or a
scalar)."""


@dataclass(frozen=True)
class FamilyCheck:
    """The worst row of one constraint family.

    Attributes
    ----------
    family : str
    worst : float
        Largest violation [``unit``] (0 when every row holds exactly).
    unit : str
    tolerance : float
        Violation allowed [``unit``]: ``RTOL x scale + ATOL``.
    where : str
        The row and time stamp (UTC) of the worst violation.
    rows : int
        Number of rows evaluated.
    """

    family: str
    worst: float
    unit: str
    tolerance: float
    where: str
    rows: int

    @property
    def ok(self) -> bool:
        """Whether the worst violation is within the tolerance."""
        return bool(self.worst <= self.tolerance)


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found: one :class:`FamilyCheck` per family evaluated."""

    checks: tuple[FamilyCheck, ...]
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every family holds within its tolerance."""
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[FamilyCheck]:
        """The families whose worst violation exceeds the tolerance."""
        return [c for c in self.checks if not c.ok]

    def frame(self) -> pd.DataFrame:
        """One row per family: ``worst``, ``unit``, ``tolerance``, ``ok``, ``where``, ``rows``."""
        return pd.DataFrame(
            [
                {
                    "family": c.family,
                    "worst": c.worst,
                    "unit": c.unit,
                    "tolerance": c.tolerance,
                    "ok": c.ok,
                    "where": c.where,
                    "rows": c.rows,
                }
                for c in self.checks
            ]
        ).set_index("family")

    def attrs(self) -> dict[str, str | int]:
        """Global attributes a result records: ``verify_passed`` (1/0), ``verify_report``
        (JSON: family -> worst, unit, tolerance, where) and ``verify_skipped``."""
        report = {
            c.family: {"worst": c.worst, "unit": c.unit, "tolerance": c.tolerance, "where": c.where}
            for c in self.checks
        }
        return {
            "verify_passed": int(self.ok),
            "verify_report": json.dumps(report),
            "verify_skipped": json.dumps(list(self.skipped)),
        }

    def message(self) -> str:
        """One line naming each failed family, its worst violation and where."""
        return "; ".join(
            f"{c.family} violated by {c.worst:.3g} {c.unit} (tolerance {c.tolerance:.2g}) at "
            f"{c.where}"
            for c in self.failed
        )


def _injections(p: SystemProblem, s: Solution) -> dict[str, np.ndarray]:
    """Net injection of each on-site asset [MW] (generators' output, storage discharge less
    charge), offsite contracts left out."""
    out = {g.name: s.p[g.name] for g in p.generators if not g.offsite}
    out.update({st.name: s.discharge[st.name] - s.charge[st.name] for st in p.storage})
    return out


def balance(p: SystemProblem, s: Solution) -> Rows:
    """Energy balance [MW]: at the site bus, or at every bus of the site network."""
    served = load_served(p, s)
    poi = s.grid_import - s.grid_export
    if p.network is None:
        supply = sum(_injections(p, s).values(), np.zeros(len(served))) + poi
        yield "site bus", _off(supply, served)
        return
    lin = p.network.linear()
    net = lin.spec
    flows = _corridor_flows(p, s)
    incidence = net.incidence()
    for i, bus in enumerate(net.buses):
        injected = sum(
            (v for k, v in _injections(p, s).items() if net.bus_of(k) == bus), np.zeros(len(served))
        )
        injected = injected + (poi if bus == net.grid_bus else 0.0)
        withdrawn = served if bus == net.load_bus else 0.0
        yield f"bus {bus}", _off(injected - withdrawn, incidence[i] @ flows)


def availability(p: SystemProblem, s: Solution) -> Rows:
    """Generator output within ``[0, capacity_factor x p_nom]`` [MW]."""
    for g in p.generators:
        yield f"{g.name} output", _above(s.p[g.name], g.capacity_factor * s.p_nom[g.name])
        yield f"{g.name} output >= 0", _above(0.0, s.p[g.name])


def capacity(p: SystemProblem, s: Solution) -> Rows:
    """Capacities within their bounds, fixed where not extendable, storage ratings coupled
    and fixed durations held [MW] / [MWh]."""
    for g in p.generators:
        yield from _bounds(g.name, s.p_nom[g.name], g.p_nom, g.p_nom_max, g.extendable)
    for st in p.storage:
        out = s.p_nom_discharge.get(st.name, s.p_nom[st.name])
        yield from _bounds(st.name, s.p_nom[st.name], st.p_nom, st.p_nom_max, st.extendable)
        yield from _bounds(f"{st.name} energy", s.e_nom[st.name], st.e_nom, st.e_nom_max,
                           st.extendable)  # fmt: skip
        if st.separate_discharge:
            yield from _bounds(f"{st.name} discharge", out, st.p_nom, st.p_nom_max, st.extendable)
        else:
            yield f"{st.name} one rating", _off(out, s.p_nom[st.name])
        if st.max_hours is not None and st.extendable:
            yield f"{st.name} max_hours", _off(s.e_nom[st.name], st.max_hours_energy_ratio * out)


def _bounds(name: str, value: float, existing: float, upper: float, extendable: bool) -> Rows:
    if not extendable:
        yield f"{name} fixed", _off(value, existing)
        return
    yield f"{name} >= existing", _above(existing, value)
    yield f"{name} <= max", _above(value, upper)


def storage(p: SystemProblem, s: Solution, cyclic: bool = True) -> Rows:
    """Stored-energy dynamics (cyclic unless ``cyclic`` is False: then from the first hour
    on) [MWh], state of charge within ``[0, e_nom]`` and AC charge / discharge within their
    ratings [MW]."""
    w = p.snapshot_weights
    for st in p.storage:
        soc, ch, dis = s.state_of_charge[st.name], s.charge[st.name], s.discharge[st.name]
        gain = w * (st.efficiency_charge * ch - dis / st.efficiency_discharge)
        step = _off(soc - np.roll(soc, 1), gain)
        yield f"{st.name} state of charge", step if cyclic else np.r_[0.0, step[1:]]
        yield f"{st.name} state of charge <= e_nom", _above(soc, s.e_nom[st.name])
        out = s.p_nom_discharge.get(st.name, s.p_nom[st.name])
        for label, x, bound in (("charge", ch, s.p_nom[st.name]), ("discharge", dis, out)):
            yield f"{st.name} {label} <= rating", _above(x, bound)
        for label, x in (("state of charge", soc), ("charge", ch), ("discharge", dis)):
            yield f"{st.name} {label} >= 0", _above(0.0, x)


def poi(p: SystemProblem, s: Solution) -> Rows:
    """POI import (physical, offsite deliveries included) and export within
    ``[0, poi.p_nom]``; market import >= 0 [MW]."""
    market = s.grid_import - series(s, "offsite_delivered", len(p.snapshots))
    yield "import <= poi.p_nom", _above(s.grid_import, p.poi.p_nom)
    yield "export <= poi.p_nom", _above(s.grid_export, p.poi.p_nom)
    for label, x in (("market import", market), ("export", s.grid_export)):
        yield f"{label} >= 0", _above(0.0, x)


def flexibility(p: SystemProblem, s: Solution) -> Rows:
    """Load shift and curtailment within the envelope [MW], zero net shift per window and
    the curtailment energy budgets [MWh]; none without flexibility."""
    n = len(p.snapshots)
    shift, curtail = series(s, "load_shift", n), series(s, "load_curtailment", n)
    f = p.flex
    if f is None:
        yield "no load shift", np.abs(shift)
        yield "no curtailment", np.abs(curtail)
        return
    w = p.snapshot_weights
    window = p.window_index(f.window_hours)
    yield "shift within shift_max", _above(np.abs(shift), f.shift_max)
    yield "shift in within shift_in_max", _above(shift, f.shift_in_bound)
    yield "ramp", _above(np.abs(np.diff(shift, prepend=0.0)), p.ramp_limit())
    yield "curtailment within curtail_max", _above(curtail, f.curtail_max)
    yield "curtailment >= 0", _above(0.0, curtail)
    yield "net shift per window", _off(np.bincount(window, w * shift), 0.0)
    yield "curtailment energy", _above(_by_year(p, curtail), _share(p, f.curtail_energy_max))
    by_window = np.bincount(window, w * curtail, minlength=len(f.curtail_window_energy_max))
    yield "curtailment energy per window", _above(by_window, f.curtail_window_energy_max)


def cfe(p: SystemProblem, s: Solution) -> Rows:
    """The CFE rows: clean supply short of ``cfe_target x load served`` in each CFE period
    [MWh]."""
    if p.cfe_target > 0:
        yield "CFE period", np.maximum(cfe_shortfall_by_period(p, s), 0.0)


def budgets(p: SystemProblem, s: Solution) -> Rows:
    """Horizon budgets, per weather year of stacked years: generators' ``e_sum_max`` and the
    export limit [MWh], the emissions cap [t CO2]."""
    n = len(p.snapshots)
    for g in p.generators:
        if np.isfinite(g.e_sum_max):
            yield f"{g.name} e_sum_max", _above(_by_year(p, s.p[g.name]), _share(p, g.e_sum_max))
    if p.export_limit is not None:
        yield "export_limit", _above(_by_year(p, s.grid_export), _share(p, p.export_limit))
    if p.emissions_cap is not None:
        market = s.grid_import - series(s, "offsite_delivered", n)
        co2 = p.poi.co2_intensity(n) * market
        co2 = co2 + sum((g.co2_intensity * s.p[g.name] for g in p.generators), np.zeros(n))
        yield "emissions_cap", _above(_by_year(p, co2), _share(p, p.emissions_cap))


def renewable(p: SystemProblem, s: Solution) -> Rows:
    """The renewable share per weather year: renewable output and certificates short of
    ``renewable_share_min x campus load served`` [MWh] (the data centre's load; the heat
    pumps serve the district network and are reported apart)."""
    if p.renewable_share_min is None or p.renewable_share_min <= 0:
        return
    n = len(p.snapshots)
    output = sum((s.p[g.name] for g in p.generators if g.renewable), np.zeros(n))
    supply = output + series(s, "certificates", n)
    wanted = p.renewable_share_min * campus_served(p, s)
    yield "renewable share", np.maximum(_by_year(p, wanted - supply), 0.0)
    yield "certificates >= 0", _above(0.0, series(s, "certificates", n))


def _by_year(p: SystemProblem, rate: np.ndarray) -> np.ndarray:
    """Energy of an hourly rate per CFE period (weather year), shape (n_periods,)."""
    groups, _ = p.budget_shares()
    return np.bincount(groups, weights=p.snapshot_weights * rate)


def _share(p: SystemProblem, budget: float) -> np.ndarray:
    """A horizon budget's share of each weather year, shape (n_periods,)."""
    return budget * p.budget_shares()[1]


def offsite(p: SystemProblem, s: Solution) -> Rows:
    """Offsite contracts: output = delivered + sold, both >= 0, sold within the contracts'
    size, delivered within the POI [MW]."""
    if not p.offsite:
        return
    n = len(p.snapshots)
    delivered, sold = series(s, "offsite_delivered", n), series(s, "offsite_sold", n)
    output = sum((s.p[g.name] for g in p.offsite), np.zeros(n))
    yield "output = delivered + sold", _off(output, delivered + sold)
    yield "sold <= contracts", _above(sold, p.offsite_limit)
    yield "delivered <= poi.p_nom", _above(delivered, p.poi.p_nom)
    for label, x in (("delivered", delivered), ("sold", sold)):
        yield f"{label} >= 0", _above(0.0, x)


def land(p: SystemProblem, s: Solution) -> Rows:
    """On-site land use within ``land_area`` [ha]."""
    if p.land_area is None:
        return
    used = sum(g.land_use * s.p_nom[g.name] for g in p.generators if not g.offsite)
    used += sum(st.land_use * s.p_nom[st.name] for st in p.storage)
    yield "land_area", _above(used, p.land_area)


def _corridor_flows(p: SystemProblem, s: Solution) -> np.ndarray:
    """Flows of the corridors of :meth:`NetworkSpec.linear` [MW], shape (n_corridor,
    n_time): the sum of their members' flows."""
    assert p.network is not None
    lin = p.network.linear()
    names = [b.name for b in p.network.branches]
    zero = np.zeros(len(p.snapshots))
    return np.array(
        [sum((s.branch_flow.get(names[j], zero) for j in members), zero) for members in lin.members]
    ).reshape(len(lin.members), len(zero))


def network(p: SystemProblem, s: Solution) -> Rows:
    """Site network rows [MW]: Kirchhoff's voltage law on every cycle (flows times
    reactance), ratings within upgrade bounds, flows within ``s_max_pu x s_nom`` and
    ``flow_max``, and the N-1 rows, on the corridors both backends build."""
    if p.network is None:
        return
    lin = p.network.linear()
    flows = _corridor_flows(p, s)
    s_nom = []
    for c, b in enumerate(lin.spec.branches):
        members = [p.network.branches[j] for j in lin.members[c]]
        rating = sum(s.s_nom.get(m.name, m.s_nom) for m in members)
        s_nom.append(rating)
        yield from _bounds(f"branch {b.name} s_nom", rating, b.s_nom, b.s_nom_max, b.extendable)
        yield f"branch {b.name} flow", _above(np.abs(flows[c]), b.s_max_pu * rating)
        yield f"branch {b.name} flow_max", _above(np.abs(flows[c]), b.flow_max)
    cycles = lin.spec.cycles()
    if cycles.shape[1]:
        x = np.array([b.x for b in lin.spec.branches])
        for k in range(cycles.shape[1]):  # per unit reactance x MW: scaled by the largest x
            yield f"cycle {k} (KVL)", _off((cycles[:, k] * x) @ flows / x.max(), 0.0)
    for ell, k, coef, share in zip(lin.monitored, lin.outage, lin.coef, lin.share, strict=True):
        after = np.abs(flows[ell] + coef * flows[k])
        name = f"N-1 {lin.spec.branches[ell].name} after {lin.spec.branches[k].name} out"
        yield name, _above(after, share * s_nom[ell])


def objective(p: SystemProblem, s: Solution) -> Rows:
    """The reported objective against the one recomputed from capacities and dispatch
    [currency]."""
    terms = objective_terms(p, s)
    yield "objective", _off(terms["capital"] + terms["operating"], s.objective)


Family = Callable[[SystemProblem, Solution], Rows]

#: Family name -> (rows, unit, scale of its tolerance).
FAMILIES: dict[str, tuple[Family, str, Callable[[SystemProblem, Solution], float]]] = {
    "balance": (balance, "MW", lambda p, s: float(np.max(p.load, initial=1.0))),
    "availability": (availability, "MW", lambda p, s: float(np.max(p.load, initial=1.0))),
    "capacity": (capacity, "MW or MWh", lambda p, s: float(np.max(p.load, initial=1.0))),
    "storage": (storage, "MW or MWh", lambda p, s: float(np.max(p.load, initial=1.0))),
    "poi": (poi, "MW", lambda p, s: max(p.poi.p_nom, 1.0)),
    "flexibility": (flexibility, "MW or MWh", lambda p, s: float(np.max(p.load, initial=1.0))),
    "cfe": (cfe, "MWh", lambda p, s: float(p.snapshot_weights @ p.load)),
    "budgets": (budgets, "MWh or t CO2", lambda p, s: float(p.snapshot_weights @ p.load)),
    "renewable": (renewable, "MWh", lambda p, s: float(p.snapshot_weights @ p.load)),
    "offsite": (offsite, "MW", lambda p, s: max(p.offsite_limit, 1.0)),
    "land": (land, "ha", lambda p, s: max(p.land_area or 0.0, 1.0)),
    "network": (network, "MW", lambda p, s: float(np.max(p.load, initial=1.0))),
    "heat": (verify_heat.heat, "MW_th or MWh_th", lambda p, s: float(np.max(p.load, initial=1.0))),
    "water": (
        verify_heat.water,
        "m3 h-1 or m3",
        lambda p, s: max(float(np.abs(s.water).sum()), 1.0),
    ),
    "outage": (verify_outage.outage, "MW or MWh", lambda p, s: float(np.max(p.load, initial=1.0))),
    "objective": (objective, "currency", lambda p, s: max(abs(s.objective), 1.0)),
}

#: Families a dispatch of fixed capacities is not held to: it prices the CFE shortfall
#: instead of constraining it, leaves the year's balance-sheet renewable share to the sizing
#: (certificates settle it over the year) and reports its own operating objective.
OPERATION_SKIPS = ("cfe", "renewable", "objective")


def verify(
    problem: SystemProblem,
    solution: Solution,
    *,
    operation: bool = False,
    rtol: float = RTOL,
) -> Verification:
    """Evaluate every constraint family of ``problem`` on ``solution``.

    Parameters
    ----------
    problem : SystemProblem
    solution : Solution
        Capacities and dispatch on the problem's snapshots, from any backend.
    operation : bool
        The solution is a rolling dispatch of fixed capacities
        (:func:`gridtwin.optimize.dispatch.rolling_dispatch`): the CFE rows and the objective
        (:data:`OPERATION_SKIPS`) are skipped and storage is not cyclic.
    rtol : float
        Relative tolerance of every family [-].

    Returns
    -------
    Verification
        The worst violation of each family of :data:`FAMILIES`, with its tolerance.
    """
    _require_match(problem, solution)
    checks = []
    skipped = OPERATION_SKIPS if operation else ()
    for name, (family, unit, scale) in FAMILIES.items():
        if name in skipped:
            continue
        rows = storage(problem, solution, cyclic=False) if operation and name == "storage" else (
            family(problem, solution)
        )  # fmt: skip
        checks.append(_worst(name, rows, unit, rtol * scale(problem, solution) + ATOL, problem))
    return Verification(tuple(checks), skipped)


def _require_match(p: SystemProblem, s: Solution) -> None:
    """Raise ``DataError`` when the solution is not one of this problem (technologies or
    hours missing), naming what is missing."""
    n = len(p.snapshots)
    missing = [t for t in p.technologies if t not in s.p_nom]
    missing += [g.name for g in p.generators if g.name not in s.p]
    for st in p.storage:
        for kind, values in (
            ("charge", s.charge),
            ("discharge", s.discharge),
            ("state_of_charge", s.state_of_charge),
            ("e_nom", s.e_nom),
        ):
            if st.name not in values:
                missing.append(f"{st.name} {kind}")  # fmt: skip
    if missing:
        raise DataError(
            f"verify: the solution has no values for {sorted(set(missing))}; verify a solution "
            "of this problem (same technologies)"
        )
    series = {"grid_import": s.grid_import, "grid_export": s.grid_export}
    series.update({f"p[{g.name}]": s.p[g.name] for g in p.generators})
    wrong = [k for k, v in series.items() if np.shape(v) != (n,)]
    if wrong:
        raise DataError(
            f"verify: {wrong} do not have the problem's {n} time steps; verify a solution of "
            "this problem (same hours)"
        )


def _worst(family: str, rows: Rows, unit: str, tolerance: float, p: SystemProblem) -> FamilyCheck:
    """The largest violation of a family's rows (NaN counts as infinite)."""
    worst, where, count = 0.0, "-", 0
    for name, values in rows:
        arr = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
        count += arr.size
        if not arr.size:
            continue
        arr = np.where(np.isnan(arr), np.inf, arr)
        i = int(np.argmax(arr))
        if where == "-" or arr[i] > worst:
            at = f" at {p.snapshots[i]}" if arr.size == len(p.snapshots) else ""
            worst, where = float(arr[i]), f"{name}{at}"
    return FamilyCheck(family, worst, unit, tolerance, where, count)


__all__ = ["FAMILIES", "FamilyCheck", "Verification", "verify"]
