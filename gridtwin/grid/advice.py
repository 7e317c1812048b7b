"""What to check when an AC power flow does not converge, from what the network holds.

:func:`nonconvergence_advice` lists only causes the network can have: transformer ratios and
taps only when it has in-service transformers (taps only when one is off its neutral
position), generator voltage set points only when it has generators, line units only when it
has lines, the injection of static generators only when they inject, shunts only when it has
them, islanding only when a bus has no path to an external grid. Every message of gridtwin
about a power flow that did not converge ends with it.

References
----------
.. [1] P. Kundur, *Power System Stability and Control*, McGraw-Hill, 1994, ch. 14 (voltage
   stability: the nose of the P-V curve beyond which no power-flow solution exists).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _active(net: Any, table: str) -> pd.DataFrame:
    """In-service rows of ``net[table]`` (empty when the table is missing)."""
    if table not in net or not len(net[table]):
        return pd.DataFrame()
    df = net[table]
    return df[df["in_service"].astype(bool)] if "in_service" in df else df


def _floats(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[column], errors="coerce").astype(float).to_numpy()


def _off_neutral_taps(trafo: pd.DataFrame) -> int:
    """Number of transformers whose tap position differs from the neutral one."""
    pos, neutral = _floats(trafo, "tap_pos"), _floats(trafo, "tap_neutral")
    return int((np.isfinite(pos) & np.isfinite(neutral) & (pos != neutral)).sum())


def nonconvergence_advice(net: Any) -> str:
    """Likely causes of a non-converged AC power flow that this network can have.

    Parameters
    ----------
    net : pandapowerNet
        The network as it was solved (loads and generation of the failing hour).

    Returns
    -------
    str
        One sentence, ``"Likely causes: ...; ...."``, naming for each cause the element or
        column to check and the fix.

    Examples
    --------
    >>> import pandapower.networks as pn
    >>> advice = nonconvergence_advice(pn.case9())
    >>> "transformer" in advice, "generator voltage set points" in advice
    (False, True)
    """
    causes = []
    loads = _active(net, "load")
    if len(loads):
        p = _floats(loads, "p_mw") * np.nan_to_num(_floats(loads, "scaling"), nan=1.0)
        causes.append(
            f"voltage collapse from too much load ({np.nansum(p):.0f} MW in {len(loads)} "
            "load(s)): reduce the load or add reactive support (shunt capacitors, a STATCOM) "
            "near it"
        )
    sgens = _active(net, "sgen")
    if len(sgens) and np.nansum(np.abs(_floats(sgens, "p_mw"))) > 0:
        causes.append(
            "more static generation (net.sgen) than the network can export: lower sgen p_mw"
        )
    trafo = _active(net, "trafo")
    if len(trafo):
        taps = _off_neutral_taps(trafo)
        tap_text = f", and the tap positions of {taps} off neutral (tap_pos)" if taps else ""
        causes.append(
            f"transformer ratios: vn_hv_kv / vn_lv_kv of {len(trafo)} transformer(s) must match "
            f"the nominal voltages of their buses{tap_text}"
        )
    gens = _active(net, "gen")
    if len(gens):
        causes.append(
            f"generator voltage set points (net.gen vm_pu of {len(gens)} generator(s)) that "
            "fight each other or the ext_grid"
        )
    shunts = _active(net, "shunt")
    if len(shunts):
        causes.append("shunt signs (net.shunt q_mvar > 0 absorbs reactive power)")
    if len(_active(net, "line")):
        causes.append(
            "line parameters in the wrong units (r/x_ohm_per_km are per km and multiplied by "
            "length_km)"
        )
    if len(loads) or len(sgens):
        causes.append("powers in the wrong units (p_mw in MW, not kW)")
    if _islanded(net):
        causes.append("buses with no path to an ext_grid (islanded)")
    if not causes:
        return "Check the network's parameters and the ext_grid voltage set point."
    return "Likely causes: " + "; ".join(causes) + "."


def _islanded(net: Any) -> bool:
    """Whether an in-service bus has no path to an ext_grid or slack gen."""
    from pandapower.topology import unsupplied_buses

    in_service = set(net.bus.index[net.bus["in_service"].astype(bool)])
    return bool(set(unsupplied_buses(net)) & in_service)


__all__ = ["nonconvergence_advice"]
