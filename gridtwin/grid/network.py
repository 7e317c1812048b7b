"""Load pandapower networks and attach the data-center campus to them.

Three kinds of source are accepted by :func:`load_network`: a pandapower JSON file, a MATPOWER
case (``.mat``, or ``.m`` when the optional ``matpowercaseframes`` package is installed) and
the name of a case function of :mod:`pandapower.networks` (``"case9"``, ``"case1888rte"``,
``"GBnetwork"``). :func:`attach_campus` adds the campus as one pandapower ``load`` at a bus given
by name or index.

Units follow pandapower: voltages [kV] and [pu], active power [MW], reactive power [Mvar].

References
----------
.. [1] L. Thurner et al., "pandapower — An Open-Source Python Tool for Convenient Modeling,
   Analysis, and Optimization of Electric Power Systems", IEEE Trans. Power Systems 33(6),
   2018, doi:10.1109/TPWRS.2018.2829021.
.. [2] R. D. Zimmerman, C. E. Murillo-Sánchez, R. J. Thomas, "MATPOWER: Steady-State
   Operations, Planning and Analysis Tools for Power Systems Research and Education", IEEE
   Trans. Power Systems 26(1), 2011, doi:10.1109/TPWRS.2010.2051168.
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
import warnings
from pathlib import Path
from typing import Any

import pandapower as pp
import pandapower.networks as pn
import pandapower.topology as top

from gridtwin.exceptions import ConfigError, DataError
from gridtwin.grid.validate import check_network

#: File endings :func:`load_network` reads, mapped to a short description for messages.
NETWORK_SUFFIXES = {
    ".json": "pandapower JSON (pandapower.to_json)",
    ".mat": "MATPOWER case saved as .mat (version 2)",
    ".m": "MATPOWER case file (needs `pip install matpowercaseframes`)",
}


def _case_functions() -> dict[str, Any]:
    """Public network-building functions of :mod:`pandapower.networks`, by name."""
    return {
        name: obj
        for name, obj in vars(pn).items()
        if not name.startswith("_")
        and inspect.isfunction(obj)
        and obj.__module__.startswith("pandapower.networks")
    }


def _looks_like_path(source: str | Path) -> bool:
    if isinstance(source, Path):
        return True
    return Path(source).suffix.lower() in NETWORK_SUFFIXES or "/" in source or "\\" in source


def _read_file(path: Path, f_hz: float) -> pp.pandapowerNet:
    suffix = path.suffix.lower()
    if suffix not in NETWORK_SUFFIXES:
        kinds = "; ".join(f"{k}: {v}" for k, v in NETWORK_SUFFIXES.items())
        raise DataError(f"{path}: unknown network file type {suffix!r}; use one of {kinds}")
    if not path.is_file():
        raise DataError(
            f"{path}: network file not found; check the path (relative paths start at "
            f"{Path.cwd()}) or give a pandapower case name such as 'case9'"
        )
    if suffix == ".m":
        try:
            import matpowercaseframes  # noqa: F401
        except ImportError as err:
            raise DataError(
                f"{path}: reading MATPOWER .m files needs the package 'matpowercaseframes'; "
                "install it (`pip install matpowercaseframes`) or save the case as .mat "
                "(MATPOWER: `savecase('case.mat', mpc)`)"
            ) from err
    try:
        if suffix == ".json":
            net = pp.from_json(str(path))
        else:
            from pandapower.converter.matpower import from_mpc

            with warnings.catch_warnings():
                # the .m reader trips pandas dtype FutureWarnings inside pandapower 3.5
                warnings.simplefilter("ignore", FutureWarning)
                net = from_mpc(str(path), f_hz=f_hz)
    except Exception as err:
        # any reader failure is a defect of the input file; pandapower *raises* UserWarning
        # for unreadable JSON, so warnings cannot be told apart and are wrapped as well
        raise DataError(
            f"{path}: cannot read as {NETWORK_SUFFIXES[suffix].split(' (')[0]} "
            f"({type(err).__name__}: {err}); "
            "check that the file is complete and was written by that tool"
        ) from err
    if not isinstance(net, pp.pandapowerNet):
        raise DataError(f"{path}: holds a {type(net).__name__}, not a pandapower network")
    return net


def _build_case(name: str) -> pp.pandapowerNet:
    functions = _case_functions()
    if name not in functions:
        close = difflib.get_close_matches(name, functions, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise DataError(
            f"network {name!r} is neither a file path (ending in "
            f"{', '.join(NETWORK_SUFFIXES)}) nor a case of pandapower.networks; {hint}"
            "examples: 'case9', 'case118', 'case1888rte', 'GBnetwork'"
        )
    required = [
        p.name
        for p in inspect.signature(functions[name]).parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if required:
        raise DataError(
            f"pandapower.networks.{name} needs arguments ({', '.join(required)}); build the "
            "network in Python, save it with pandapower.to_json and pass the .json file"
        )
    net = functions[name]()
    if not isinstance(net, pp.pandapowerNet):
        raise DataError(f"pandapower.networks.{name} does not return a pandapower network")
    return net


def load_network(
    source: str | Path,
    *,
    f_hz: float = 60.0,
    ratings: bool = False,
    label: str | None = None,
) -> pp.pandapowerNet:
    """Load a pandapower network from a file or a pandapower case name.

    Parameters
    ----------
    source : str or pathlib.Path
        A pandapower JSON file (``.json``), a MATPOWER case (``.mat``; ``.m`` needs the package
        ``matpowercaseframes``) or the name of a function of :mod:`pandapower.networks`
        (``"case9"``, ``"case1888rte"``, ``"GBnetwork"``). Strings ending in one of these
        suffixes or containing a path separator are read as files.
    f_hz : float, default 60.0
        System frequency [Hz] given to MATPOWER cases, which do not record it. JSON files and
        pandapower cases carry their own frequency.
    ratings : bool, default False
        Also require the line current ratings (``max_i_ka`` > 0) that thermal limits need
        (hosting capacity, the grid check, sizing); a power flow alone does not.
    label : str, optional
        How messages name the source (default: ``source`` as given).

    Returns
    -------
    pandapower.pandapowerNet
        The network, with power [MW, Mvar] and voltages [kV].

    Raises
    ------
    DataError
        If the file is missing, of an unknown type or unreadable, the name is not a case of
        :mod:`pandapower.networks`, or the network is impossible: a branch or element on a
        missing bus, a zero-impedance line or transformer, a NaN, infinite, negative or zero
        parameter or rating (:func:`gridtwin.grid.validate.check_network`, the one place of
        these checks); the message names the source, element, column, value and the fix.

    Examples
    --------
    >>> net = load_network("case9")
    >>> len(net.bus)
    9
    """
    net = _read_file(Path(source), f_hz) if _looks_like_path(source) else _build_case(str(source))
    check_network(net, label if label is not None else str(source), ratings=ratings)
    return net


def resolve_bus(net: pp.pandapowerNet, bus: str | int) -> int:
    """Index of the bus given by name or index, which must exist and be in service.

    A string is a bus name (``"bus:"`` prefix allowed), or an index when no bus carries that
    name; an int is always an index.
    """
    if isinstance(bus, bool) or not isinstance(bus, str | numbers.Integral):
        raise ConfigError(f"bus: expected a bus name (str) or index (int), got {bus!r}")
    if isinstance(bus, str):
        # the labels gridtwin writes ("bus:<name>", or "bus:<index>" for unnamed buses) are
        # accepted as given; names are compared as text (case files often carry numbers)
        key = bus[4:] if bus.startswith("bus:") else bus
        names = net.bus["name"]
        matches = [int(i) for i in net.bus.index[names.notna() & (names.astype(str) == key)]]
        if not matches and key.lstrip("-").isdigit():
            return resolve_bus(net, int(key))
        if not matches:
            names = [str(n) for n in net.bus["name"].dropna().unique()]
            close = difflib.get_close_matches(bus, names, n=3)
            hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
            raise DataError(
                f"bus {bus!r} not found in network {net.name!r}; {hint}"
                "pass an existing bus name or index (see net.bus)"
            )
        if len(matches) > 1:
            raise DataError(
                f"bus name {bus!r} is ambiguous in network {net.name!r}: buses {matches} carry "
                "it; pass the bus index instead"
            )
        index = matches[0]
    else:
        index = int(bus)
        if index not in net.bus.index:
            raise DataError(
                f"bus index {index} not found in network {net.name!r} "
                f"(indices {int(net.bus.index.min())}..{int(net.bus.index.max())}, "
                f"{len(net.bus)} buses); pass an existing index or a bus name"
            )
    if not bool(net.bus.at[index, "in_service"]):
        raise DataError(
            f"bus {index} ({net.bus.at[index, 'name']!r}) is out of service; "
            "set net.bus.in_service to True or pick another bus"
        )
    return index


def attach_campus(
    net: pp.pandapowerNet,
    bus: str | int,
    p_mw: float,
    name: str = "campus",
    *,
    q_mvar: float = 0.0,
    require_supplied: bool = True,
) -> int:
    """Add the campus as a load at a bus, or replace the load already named ``name``.

    The network is changed in place. A load already named ``name`` is replaced by a new one
    with the same index (so result tables and controllers keep pointing at it), whatever its
    bus, power, scaling or service state were.

    Parameters
    ----------
    net : pandapower.pandapowerNet
        The network to change.
    bus : str or int
        Bus name (must be unique among buses) or bus index.
    p_mw : float
        Active power drawn by the campus [MW], at least 0.
    name : str, default "campus"
        Name of the load element.
    q_mvar : float, default 0.0
        Reactive power drawn by the campus [Mvar] (positive = inductive).
    require_supplied : bool, default True
        Refuse a bus that no external grid reaches through in-service lines, transformers and
        closed switches.

    Returns
    -------
    int
        Index of the campus load in ``net.load``.

    Raises
    ------
    ConfigError
        If ``p_mw`` or ``q_mvar`` is not a finite number or ``p_mw`` is negative.
    DataError
        If the bus is missing, ambiguous, out of service or (with ``require_supplied``)
        unsupplied, or several loads are already named ``name``.

    Examples
    --------
    >>> net = load_network("case9")
    >>> i = attach_campus(net, 4, p_mw=100.0)
    >>> float(net.load.at[i, "p_mw"])
    100.0
    """
    for field, value in (("p_mw", p_mw), ("q_mvar", q_mvar)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ConfigError(f"campus.{field}: expected a number [MW/Mvar], got {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"campus.{field}: must be finite, got {value!r}")
    if p_mw < 0:
        raise ConfigError(f"campus.p_mw: must be >= 0 MW (a load), got {p_mw!r}")

    index = resolve_bus(net, bus)
    if require_supplied and index in top.unsupplied_buses(net):
        raise DataError(
            f"bus {index} ({net.bus.at[index, 'name']!r}) is not reached by any external grid "
            "through in-service branches and closed switches; close the switch or put the "
            "branch back in service, pick another bus, or pass require_supplied=False"
        )

    existing = [int(i) for i in net.load.index[net.load["name"] == name]]
    if len(existing) > 1:
        raise DataError(
            f"loads {existing} are all named {name!r}; remove the extra ones or give the "
            "campus another name"
        )
    load_index = existing[0] if existing else None
    if load_index is not None:
        net.load = net.load.drop(index=load_index)
    return int(
        pp.create_load(
            net, index, p_mw=float(p_mw), q_mvar=float(q_mvar), name=name, index=load_index
        )
    )


def bundled_line_type(
    net: pp.pandapowerNet, base: str, name: str, conductors: int = 2, voltage_rating: str = "HV"
) -> dict[str, Any]:
    """Store in ``net`` a line type of ``conductors`` sub-conductors of the library type
    ``base`` per phase, under ``name``, and return it.

    Resistance divides and ampacity multiplies by ``conductors``; reactance and capacitance
    keep the library's single-conductor values (bundling lowers x and raises c by some 10-20 %,
    so the type errs on the side of voltage drop: a screening choice).

    Parameters
    ----------
    net : pandapowerNet
    base : str
        pandapower standard line type, e.g. ``"490-AL1/64-ST1A 380.0"``.
    name : str
        Name of the new type in ``net``'s own type table.
    conductors : int
        Sub-conductors per phase (>= 1).
    voltage_rating : str
        pandapower's ``voltage_rating`` label (``"HV"``, ``"EHV"``).

    Returns
    -------
    dict
        The type's parameters (``r_ohm_per_km`` [Ohm km-1], ``max_i_ka`` [kA], ...).
    """
    lib = pp.load_std_type(net, base, element="line")
    bundle = {
        "r_ohm_per_km": lib["r_ohm_per_km"] / conductors,
        "x_ohm_per_km": lib["x_ohm_per_km"],
        "c_nf_per_km": lib["c_nf_per_km"],
        "max_i_ka": lib["max_i_ka"] * conductors,
        "type": "ol",
        "q_mm2": lib["q_mm2"],
        "alpha": lib["alpha"],
        "voltage_rating": voltage_rating,
    }
    pp.create_std_type(net, bundle, name, element="line")
    return bundle


def network_summary(net: pp.pandapowerNet) -> dict[str, Any]:
    """Element counts and voltage levels of a network.

    Parameters
    ----------
    net : pandapower.pandapowerNet
        The network.

    Returns
    -------
    dict
        ``name``, ``f_hz`` [Hz], ``voltage_levels_kv`` (sorted nominal bus voltages [kV]), and
        for each of bus, line, trafo, trafo3w, switch, load, sgen, gen and ext_grid the number
        of elements (``n_<element>``) and of those in service (``n_<element>_in_service``;
        switches: closed).

    Examples
    --------
    >>> network_summary(load_network("case9"))["voltage_levels_kv"]
    [345.0]
    """
    summary: dict[str, Any] = {
        "name": net.name,
        "f_hz": float(net.f_hz),
        "voltage_levels_kv": sorted({float(v) for v in net.bus["vn_kv"]}),
    }
    for element in ("bus", "line", "trafo", "trafo3w", "switch", "load", "sgen", "gen"):
        table = net[element]
        column = "closed" if element == "switch" else "in_service"
        summary[f"n_{element}"] = len(table)
        summary[f"n_{element}_in_service"] = int(table[column].sum()) if len(table) else 0
    summary["n_ext_grid"] = len(net.ext_grid)
    summary["n_ext_grid_in_service"] = int(net.ext_grid["in_service"].sum())
    return summary
