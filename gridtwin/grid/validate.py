"""Load-time checks of a pandapower network: one clear error for an impossible network.

Every loader of gridtwin (:func:`gridtwin.grid.network.load_network`, used by ``gridtwin grid
check``, ``grid hosting``, ``grid screen`` and the study's site network) calls
:func:`check_network` once, so a broken file is refused before any power flow or sizing with a
one-line :class:`~gridtwin.exceptions.DataError` naming the file, the table, the element (index
and name), the column, its value and how to fix it. Without these checks pandapower fails deep
inside its admittance matrix (``KeyError``, ``FloatingPointError``) or, worse, returns a wrong
answer (a zero rating makes every loading infinite, a NaN one hides every overload).

What is refused (the rules are the tables :data:`BUS_COLUMNS` and :data:`RULES`):

* **dangling references**: a branch (line, transformer, impedance, DC line, switch) or an
  element (load, sgen, gen, storage, ext_grid, shunt, ward, motor) whose bus column names no
  row of ``net.bus``; a switch whose ``element`` names no bus, line or transformer;
* **zero impedance**: a line with ``x_ohm_per_km = 0`` (with ``r_ohm_per_km = 0`` too it is a
  short circuit; with r alone the linearised (DC) flow and the power-flow initialisation divide
  by x), a transformer with ``vk_percent = 0`` or with ``|vkr_percent| > |vk_percent|`` (no
  real reactance). Negative impedances are accepted: MATPOWER equivalents carry them (case1888rte
  has 75 transformers with negative ``vk_percent``, case9241pegase lines with negative r and x);
* **impossible values**: NaN or infinite electrical parameters of in-service elements;
  non-positive nominal voltages, lengths, transformer ratings and voltage set points; negative
  line current ratings, apparent-power ratings or storage energy; ``parallel`` that is not a
  whole number >= 1; a derating factor ``df`` outside (0, 1]; a ``max_loading_percent`` <= 0;
* with ``ratings=True`` (thermal limits are used: hosting capacity, the grid check, sizing)
  also lines without a positive current rating ``max_i_ka``.

Impedance and reference checks cover out-of-service rows as well: pandapower computes the
parameters of every branch, in service or not, and fails on them the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gridtwin.exceptions import DataError

#: Columns holding a bus index, per pandapower table.
BUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "line": ("from_bus", "to_bus"),
    "trafo": ("hv_bus", "lv_bus"),
    "trafo3w": ("hv_bus", "mv_bus", "lv_bus"),
    "impedance": ("from_bus", "to_bus"),
    "dcline": ("from_bus", "to_bus"),
    "switch": ("bus",),
    "load": ("bus",),
    "sgen": ("bus",),
    "gen": ("bus",),
    "ext_grid": ("bus",),
    "storage": ("bus",),
    "shunt": ("bus",),
    "ward": ("bus",),
    "xward": ("bus",),
    "motor": ("bus",),
    "asymmetric_load": ("bus",),
    "asymmetric_sgen": ("bus",),
}

#: Table a switch's ``element`` points into, by its ``et`` (element type).
SWITCH_ELEMENT = {"b": "bus", "l": "line", "t": "trafo", "t3": "trafo3w"}


@dataclass(frozen=True)
class Rule:
    """One value rule: ``good(values)`` must hold for every checked row of ``table.column``.

    Attributes
    ----------
    table, column : str
        pandapower table and column.
    good : callable
        Takes the column as a float array (NaN where missing) and returns a bool array.
    requirement : str
        What a good value is, for the message (``"must be > 0"``).
    fix : str
        How to fix a bad value, for the message.
    in_service_only : bool
        Check in-service rows only (else every row).
    ratings_only : bool
        Check only when thermal ratings are used (``ratings=True``).
    """

    table: str
    column: str
    good: Callable[[np.ndarray], np.ndarray]
    requirement: str
    fix: str
    in_service_only: bool = True
    ratings_only: bool = False


def _finite(v: np.ndarray) -> np.ndarray:
    return np.isfinite(v)


def _positive(v: np.ndarray) -> np.ndarray:
    return np.isfinite(v) & (v > 0)


def _not_negative_if_given(v: np.ndarray) -> np.ndarray:
    return np.isnan(v) | (np.isfinite(v) & (v >= 0))


def _positive_if_given(v: np.ndarray) -> np.ndarray:
    return np.isnan(v) | (np.isfinite(v) & (v > 0))


def _whole_at_least_one(v: np.ndarray) -> np.ndarray:
    return np.isfinite(v) & (v >= 1) & (v == np.round(v))


def _share(v: np.ndarray) -> np.ndarray:
    return np.isfinite(v) & (v > 0) & (v <= 1)


_FIX_VALUE = "fix the value or set the {table} out of service"
_POWER = "give a finite power [MW, Mvar] or set the {table} out of service"


def _rules() -> tuple[Rule, ...]:
    """The value rules; see the module docstring."""
    r = Rule
    return (
        r("bus", "vn_kv", _positive, "must be > 0", "give the nominal voltage [kV]"),
        r("line", "r_ohm_per_km", _finite, "must be finite", _FIX_VALUE),
        r("line", "x_ohm_per_km", _finite, "must be finite", _FIX_VALUE),
        r("line", "c_nf_per_km", _finite, "must be finite", _FIX_VALUE),
        r("line", "length_km", _positive, "must be > 0",
          "give the line length [km]; a bus-bar coupling is a closed bus-bus switch",
          in_service_only=False),
        r("line", "max_i_ka", _not_negative_if_given, "a current rating cannot be negative",
          "give the thermal current rating per circuit [kA]", in_service_only=False),
        r("line", "max_i_ka", _positive, "must be > 0",
          "give the thermal current rating per circuit [kA]; thermal limits need it",
          ratings_only=True),
        r("line", "parallel", _whole_at_least_one, "must be a whole number >= 1",
          "give the number of parallel circuits", in_service_only=False),
        r("line", "df", _share, "must be in (0, 1]", "give the derating factor (1 = none)"),
        r("line", "max_loading_percent", _positive_if_given, "must be > 0 if given",
          "give the loading limit [%] (100 = the rating) or leave it empty"),
        r("trafo", "sn_mva", _positive, "must be > 0", "give the rated power [MVA]",
          in_service_only=False),
        r("trafo", "vn_hv_kv", _positive, "must be > 0", "give the rated voltage [kV]",
          in_service_only=False),
        r("trafo", "vn_lv_kv", _positive, "must be > 0", "give the rated voltage [kV]",
          in_service_only=False),
        r("trafo", "vk_percent", _finite, "must be finite",
          "give the short-circuit voltage [%] from the nameplate", in_service_only=False),
        r("trafo", "vkr_percent", _finite, "must be finite",
          "give the resistive part of the short-circuit voltage [%] (0 if unknown)",
          in_service_only=False),
        r("trafo", "parallel", _whole_at_least_one, "must be a whole number >= 1",
          "give the number of parallel units", in_service_only=False),
        r("trafo", "max_loading_percent", _positive_if_given, "must be > 0 if given",
          "give the loading limit [%] (100 = the rating) or leave it empty"),
        r("load", "p_mw", _finite, "must be finite", _POWER),
        r("load", "q_mvar", _finite, "must be finite", _POWER),
        r("sgen", "p_mw", _finite, "must be finite", _POWER),
        r("sgen", "q_mvar", _finite, "must be finite", _POWER),
        r("storage", "p_mw", _finite, "must be finite", _POWER),
        r("storage", "max_e_mwh", _not_negative_if_given, "cannot be negative",
          "give the energy capacity [MWh]"),
        r("gen", "p_mw", _finite, "must be finite", _POWER),
        r("gen", "vm_pu", _positive, "must be > 0", "give the voltage set point [p.u.]"),
        r("ext_grid", "vm_pu", _positive, "must be > 0", "give the voltage set point [p.u.]"),
        r("ext_grid", "va_degree", _finite, "must be finite", "give the voltage angle [degree]"),
        *(
            r(table, "sn_mva", _not_negative_if_given, "a rating cannot be negative",
              "give the rated apparent power [MVA] or leave it empty")
            for table in ("load", "sgen", "gen", "storage")
        ),
    )  # fmt: skip


#: The value rules applied by :func:`check_network`.
RULES: tuple[Rule, ...] = _rules()


def _label(table: pd.DataFrame, index: Any) -> str:
    """``<index> (<name>)``, or the index alone when the element has no name."""
    name = table.at[index, "name"] if "name" in table else None
    named = name is not None and bool(pd.notna(name)) and str(name) != ""
    return f"{index} ({name!s})" if named else f"{index}"


def _refuse(source: str, table: str, df: pd.DataFrame, bad: pd.Index, what: str) -> None:
    """Raise the one-line error for the first of the ``bad`` rows of ``net[table]``."""
    if len(bad):
        raise DataError(
            f"{source}: net.{table} row {_label(df, bad[0])} {what}; {len(bad)} such row(s)"
        )


def _rows(df: pd.DataFrame, in_service_only: bool) -> pd.DataFrame:
    if in_service_only and "in_service" in df:
        return df[df["in_service"].astype(bool)]
    return df


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()


def check_references(net: Any, source: str = "network") -> None:
    """Refuse elements and branches whose bus (or switch element) is not in the network.

    Parameters
    ----------
    net : pandapowerNet
        The network (every row is checked, in service or not).
    source : str
        File or case name used in messages.

    Raises
    ------
    DataError
        Naming the table, element, column, the missing index and the buses there are.
    """
    buses = net.bus.index
    span = f"{int(buses.min())}..{int(buses.max())}" if len(buses) else "none"
    for table, columns in BUS_COLUMNS.items():
        df = net[table] if table in net else None
        if df is None or not len(df):
            continue
        for col in columns:
            if col not in df:
                continue
            bad = df.index[~df[col].isin(buses)]
            if len(bad):
                value = df.at[bad[0], col]
                _refuse(
                    source, table, df, bad,
                    f"has {col} = {value!s}, which is not a bus of the network (net.bus has "
                    f"{len(buses)} buses, indices {span}); point it at an existing bus index or "
                    f"delete the {table}",
                )  # fmt: skip
    if "switch" in net and len(net.switch):
        sw = net.switch
        for et, target in SWITCH_ELEMENT.items():
            rows = sw[sw["et"] == et]
            known = net[target].index if target in net else pd.Index([])
            bad = rows.index[~rows["element"].isin(known)]
            if len(bad):
                value = sw.at[bad[0], "element"]
                _refuse(
                    source, "switch", sw, bad,
                    f"has et = {et!r} and element = {value!s}, which is not a row of "
                    f"net.{target}; point it at an existing {target} or delete the switch",
                )  # fmt: skip


def check_impedances(net: Any, source: str = "network") -> None:
    """Refuse lines without series reactance and transformers without a real reactance.

    A line with ``r_ohm_per_km`` and ``x_ohm_per_km`` both 0 is a short circuit; with only
    ``x_ohm_per_km = 0`` the linearised (DC) power flow of the sizing and of pandapower's
    initialisation divide by x. A transformer needs ``vk_percent != 0`` and
    ``|vkr_percent| <= |vk_percent|`` (its reactance is ``sqrt(vk^2 - vkr^2)``).

    Parameters
    ----------
    net : pandapowerNet
        The network; in-service lines and every transformer are checked.
    source : str
        File or case name used in messages.

    Raises
    ------
    DataError
        Naming the element, the column and its value, and what to do.
    """
    if "line" in net and len(net.line):
        line = _rows(net.line, in_service_only=True)
        r, x = _floats(line["r_ohm_per_km"]), _floats(line["x_ohm_per_km"])
        _refuse(
            source, "line", line, line.index[(r == 0) & (x == 0)],
            "has r_ohm_per_km = 0 and x_ohm_per_km = 0 (a zero-impedance line, which the power "
            "flow cannot solve); give its impedance per km [Ohm/km], or join the two buses "
            "with a closed bus-bus switch or merge them",
        )  # fmt: skip
        _refuse(
            source, "line", line, line.index[x == 0],
            "has x_ohm_per_km = 0 (the linearised power flow divides by the series reactance); "
            "give the line's reactance per km [Ohm/km], typically 0.25 to 0.45 for overhead "
            "lines and 0.1 to 0.2 for cables",
        )  # fmt: skip
    if "trafo" in net and len(net.trafo):
        trafo = net.trafo
        vk, vkr = _floats(trafo["vk_percent"]), _floats(trafo["vkr_percent"])
        _refuse(
            source, "trafo", trafo, trafo.index[vk == 0],
            "has vk_percent = 0 (a zero-impedance transformer, which the power flow cannot "
            "solve); give the short-circuit voltage [%] from the nameplate, typically 4 to 20 %",
        )  # fmt: skip
        bad = trafo.index[np.abs(vkr) > np.abs(vk)]
        if len(bad):
            i = bad[0]
            _refuse(
                source, "trafo", trafo, bad,
                f"has vkr_percent = {trafo.at[i, 'vkr_percent']!s} above vk_percent = "
                f"{trafo.at[i, 'vk_percent']!s} (no real reactance); vkr_percent is the "
                "resistive part of vk_percent: check the two values from the nameplate",
            )  # fmt: skip


def check_values(net: Any, source: str = "network", *, ratings: bool = False) -> None:
    """Apply :data:`RULES` (missing, infinite, non-positive or out-of-range values).

    Parameters
    ----------
    net : pandapowerNet
        The network.
    source : str
        File or case name used in messages.
    ratings : bool, default False
        Also apply the rules for thermal limits (line ``max_i_ka`` > 0).

    Raises
    ------
    DataError
        Naming the element, column, value, what a good value is and how to fix it.
    """
    for rule in RULES:
        if rule.ratings_only and not ratings:
            continue
        df = net[rule.table] if rule.table in net else None
        if df is None or not len(df) or rule.column not in df:
            continue
        rows = _rows(df, rule.in_service_only)
        bad = rows.index[~rule.good(_floats(rows[rule.column]))]
        if len(bad):
            value = rows.at[bad[0], rule.column]
            _refuse(
                source, rule.table, rows, bad,
                f"has {rule.column} = {value!s} ({rule.requirement}); "
                + rule.fix.format(table=rule.table),
            )  # fmt: skip


def check_network(net: Any, source: str = "network", *, ratings: bool = False) -> None:
    """Refuse a network that cannot be solved or would give a wrong answer.

    The one place of gridtwin's load-time network checks (see the module docstring): bus
    references, zero impedances and impossible values, in that order, so that the first
    message is about the most basic defect.

    Parameters
    ----------
    net : pandapowerNet
        The network; not modified.
    source : str, default "network"
        File or case name, the first word of every message.
    ratings : bool, default False
        Also require the line current ratings thermal limits need (``max_i_ka`` > 0); a power
        flow alone does not (some pandapower cases, e.g. ``case11_iwamoto``, carry none).

    Raises
    ------
    DataError
        One line: ``<source>: net.<table> row <index> (<name>) has <column> = <value> (...);
        <how to fix>; <n> such row(s)``.

    Examples
    --------
    >>> import pandapower.networks as pn
    >>> net = pn.case9()
    >>> check_network(net, "case9")
    >>> net.line.loc[1, "x_ohm_per_km"] = 0.0
    >>> try:
    ...     check_network(net, "case9")
    ... except DataError as err:
    ...     print(str(err)[:42])
    case9: net.line row 1 has x_ohm_per_km = 0
    """
    check_references(net, source)
    check_impedances(net, source)
    check_values(net, source, ratings=ratings)


__all__ = [
    "BUS_COLUMNS",
    "RULES",
    "Rule",
    "check_impedances",
    "check_network",
    "check_references",
    "check_values",
]
