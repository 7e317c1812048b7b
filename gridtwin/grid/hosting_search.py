"""The vectorised search behind :func:`gridtwin.grid.hosting.hosting_capacity`: a bisection
over every hour at once, each step one lightsim2grid batch of hours x outage states, with the
limits (voltage band, thermal rating) fixed per row from the background without the new load.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gridtwin.exceptions import PowerFlowNotConverged
from gridtwin.grid.advice import nonconvergence_advice
from gridtwin.grid.batch import BatchPowerFlow
from gridtwin.grid.elements import element_labels
from gridtwin.grid.powerflow import limits

#: Margins against round-off when comparing with the limits [p.u.], [%].
_VM_EPS, _LOADING_EPS = 1e-6, 1e-4
#: First load tried; the bracket doubles from here up to ``p_max_mw`` [MW].
P_START_MW = 250.0


class HostingSearch:
    """Vectorised bisection over hours; every step solves hours x states in one batch."""

    def __init__(
        self,
        engine: BatchPowerFlow,
        lp: np.ndarray,
        lq: np.ndarray,
        sp: np.ndarray,
        states: list[int],
        gen_w: np.ndarray,
        tan_phi: float,
        probe: int,
    ) -> None:
        self.engine, self.states, self.gen_w, self.tan_phi = engine, states, gen_w, tan_phi
        self.n_hours = lp.shape[0]
        s = len(states)
        self.lp, self.lq, self.sp = (np.tile(a, (s, 1)) for a in (lp, lq, sp))
        self.gp = np.tile(engine.gen_p0, (s * self.n_hours, 1))
        self.outage = np.repeat(states, self.n_hours)
        self.probe = probe  # position of the new load's row among net.load rows
        self.active = np.ones(s, dtype=bool)

    def _solve(self, p_hour: np.ndarray) -> Any:
        p_rows = np.tile(p_hour, len(self.states))
        lp, lq = self.lp.copy(), self.lq.copy()
        lp[:, self.probe] = p_rows
        lq[:, self.probe] = p_rows * self.tan_phi
        gp = self.gp + p_rows[:, None] * self.gen_w[None, :]
        return self.engine.solve(load_p=lp, load_q=lq, sgen_p=self.sp, gen_p=gp, outage=self.outage)

    def check_background(
        self, times: pd.Index, df_cutoff: float, dv_cutoff: float, monitor_min_kv: float
    ) -> None:
        """Solve the background (no new load); fix limits per row; drop failing outages."""
        base = self._solve(np.zeros(self.n_hours))
        conv = base.converged.reshape(len(self.states), self.n_hours)
        if not conv[0].all():
            t = int(np.nonzero(~conv[0])[0][0])
            raise PowerFlowNotConverged(
                f"the background power flow does not converge at hour {times[t]} (index {t}) "
                "without any new load; check the background profiles. "
                + nonconvergence_advice(self.engine.net)
            )
        self.active = conv.all(axis=1)
        vmin, vmax, lmax = limits(self.engine.net)
        net = self.engine.net
        vn = net.bus["vn_kv"].to_numpy(float)[net.bus["in_service"].to_numpy(bool)]
        self.vmon = vn >= monitor_min_kv
        vm0, ld0 = base.vm_pu, base.loading_percent
        # violations already present without the new load (rows x [low | high | overload])
        with np.errstate(invalid="ignore"):
            self.base_bad = np.concatenate(
                [(vm0 < vmin - _VM_EPS) & self.vmon, (vm0 > vmax + _VM_EPS) & self.vmon,
                 ld0 > lmax + _LOADING_EPS],
                axis=1,
            ) & np.repeat(self.active, self.n_hours)[:, None]  # fmt: skip
        self.vmin, self.vmax = vmin[None, :] - _VM_EPS, vmax[None, :] + _VM_EPS
        self.vm0 = np.nan_to_num(vm0, nan=1.0)
        self.dv_cutoff = dv_cutoff
        self.lmax = np.fmax(lmax[None, :], np.nan_to_num(ld0, nan=-np.inf)) + _LOADING_EPS
        self.ld0 = np.nan_to_num(ld0)
        self.p0 = np.nan_to_num(base.p_from_mw)
        self.df_cutoff = df_cutoff
        self.row_active = np.repeat(self.active, self.n_hours)

    def _feasible(self, p_hour: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per hour: feasible?, and for infeasible rows the worst (kind, element) code."""
        res = self._solve(p_hour)
        vm = np.nan_to_num(res.vm_pu, nan=1.0)
        moved = self.dv_cutoff - 1e-12
        low = np.where((self.vm0 - vm >= moved) & self.vmon, self.vmin - vm, 0.0)
        high = np.where((vm - self.vm0 >= moved) & self.vmon, vm - self.vmax, 0.0)
        over = np.nan_to_num((res.loading_percent - self.lmax) / 100.0, nan=0.0)
        if self.df_cutoff > 0.0:
            # distribution factor: active flow change per MW of new load [MW/MW]
            p_rows = np.tile(np.maximum(p_hour, 1e-9), len(self.states))[:, None]
            dfax = np.abs(res.p_from_mw - self.p0) / p_rows
            over = np.where(np.nan_to_num(dfax) >= self.df_cutoff, over, 0.0)
        scores = np.concatenate([low, high, over], axis=1)
        worst = np.argmax(scores, axis=1)
        bad_row = (~res.converged | (scores.max(axis=1) > 0.0)) & self.row_active
        worst = np.where(res.converged, worst, -1)
        s, t = len(self.states), self.n_hours
        bad = bad_row.reshape(s, t)
        feasible = ~bad.any(axis=0)
        # the state that fails first (lowest state index that is bad) names the limit
        first_state = np.argmax(bad, axis=0)
        code = worst.reshape(s, t)[first_state, np.arange(t)]
        return feasible, first_state, code

    def bisect(
        self, p_max: float, tol: float, net: Any, labels: list[str]
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        t = self.n_hours
        lo, hi = np.zeros(t), np.full(t, np.inf)
        why_state, why_code = np.zeros(t, dtype=int), np.full(t, -1)
        # bracket: double from P_START_MW until a limit binds or p_max is reached
        p = np.full(t, min(P_START_MW, p_max))
        growing = np.ones(t, dtype=bool)
        while growing.any():
            ok, state, code = self._feasible(np.where(growing, p, lo))
            fail = growing & ~ok
            hi = np.where(fail, p, hi)
            why_state = np.where(fail, state, why_state)
            why_code = np.where(fail, code, why_code)
            lo = np.where(growing & ok, p, lo)
            growing = growing & ok & (p < p_max)
            p = np.minimum(2.0 * p, p_max)
        capped = ~np.isfinite(hi)
        hi = np.where(capped, lo, hi)
        while np.any(hi - lo > tol):
            open_ = hi - lo > tol
            mid = np.where(open_, 0.5 * (lo + hi), lo)
            ok, state, code = self._feasible(mid)
            lo = np.where(open_ & ok, mid, lo)
            fail = open_ & ~ok
            hi = np.where(fail, mid, hi)
            why_state = np.where(fail, state, why_state)
            why_code = np.where(fail, code, why_code)
        names = self._describe(net, labels, why_state, why_code, capped)
        return lo, capped, names

    def _describe(
        self,
        net: Any,
        labels: list[str],
        state: np.ndarray,
        code: np.ndarray,
        capped: np.ndarray,
    ) -> list[str]:
        buses = np.asarray(element_labels(net.bus, "bus"))[net.bus["in_service"].to_numpy(bool)]
        branches = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
        n_bus = len(buses)
        out = []
        for k in range(self.n_hours):
            if capped[k]:
                out.append("none up to p_max_mw")
                continue
            s, c = int(state[k]), int(code[k])
            where = "N-0" if s == 0 else f"outage {labels[s - 1]}"
            if c < 0:
                what = "power flow does not converge (voltage collapse)"
            elif c < n_bus:
                what = f"{buses[c]} voltage below min_vm_pu"
            elif c < 2 * n_bus:
                what = f"{buses[c - n_bus]} voltage above max_vm_pu"
            else:
                what = f"{branches[c - 2 * n_bus]} overload"
            if c >= 0 and self.base_bad[s * self.n_hours + k, c]:
                what += " — already violated without the new load"
            out.append(f"{what} ({where})")
        return out

    def background_violations(self, net: Any, labels: list[str]) -> list[str]:
        """Limits the background violates without any new load, with their hour counts."""
        buses = np.asarray(element_labels(net.bus, "bus"))[net.bus["in_service"].to_numpy(bool)]
        branches = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
        names = (
            [f"{b} voltage below min_vm_pu" for b in buses]
            + [f"{b} voltage above max_vm_pu" for b in buses]
            + [f"{b} overload" for b in branches]
        )
        hours = self.base_bad.reshape(len(self.states), self.n_hours, -1).sum(axis=1)
        found = []
        for s, c in zip(*np.nonzero(hours), strict=True):
            where = "N-0" if s == 0 else f"outage {labels[s - 1]}"
            found.append((int(hours[s, c]), f"{names[c]} ({where}) in {int(hours[s, c])} h"))
        return [text for _, text in sorted(found, key=lambda x: -x[0])]


__all__ = ["P_START_MW", "HostingSearch"]
