"""Hourly AC power flow of a solved study at its point-of-interconnection (POI) network.

Mapping of a result (:mod:`gridtwin.results`) onto the pandapower network
------------------------------------------------------------------------
* The load named ``"campus"`` draws the campus's **net** demand at the site bus [MW]::

      campus_t = load_served_t - sum_{tech not in (solar, onwind)} p_{t, tech}

  i.e. the load after shifting and curtailment minus the on-site output of every technology
  other than solar and onshore wind, including the net discharge of storage
  (``discharge - charge``, so charging raises the draw) and backup generation. It may be
  negative (the site bus then injects). Its reactive power keeps the network's ``q/p`` ratio
  (0 Mvar for ``networks/greensboro_poi.json``: unity power factor).
* The static generators named ``"solar"`` and ``"onwind"`` inject the ``p`` of those
  technologies [MW] (0 when the result has no such technology; a network without such an sgen
  is accepted only if the result's output of that technology is zero).
* The external grid then supplies ``campus - solar - onwind + losses``. Because the result's
  energy balance is ``sum_tech p + grid_import - grid_export = load_served``, the external-grid
  exchange must equal ``grid_import - grid_export`` up to the network losses (lines and
  transformers, incl. no-load losses). :func:`check_result` reports this **mismatch**
  ``ext_grid_p_mw - (grid_import - grid_export) - losses_mw`` [MW] as a consistency check; it is
  zero up to solver tolerances for a correct result and mapping.

Only hourly results can be checked: an aggregated result (``snapshot_weight`` != 1) has no
chronological hours, so :func:`check_result` raises :class:`~gridtwin.exceptions.DataError`.

A result sized with the site network (:mod:`gridtwin.network`; variable ``technology_bus``) is
laid out as its sizing problem saw it (:func:`placed_network`): the campus load draws
``load_served`` at the study's load bus, every technology is a static generator at its bus
(storage: net discharge), and upgraded branches carry their new ratings.

N-1: every in-service line and transformer is taken out alone
(:func:`gridtwin.grid.powerflow.n_minus_1`) in every hour checked (or, for quick looks, the
``n1_hours`` hours of highest POI import ``grid_import - grid_export``). Per contingency the
file holds the maximum loading of the remaining branches and the minimum bus voltage over those
hours, and the worst status over those hours (``ok`` < ``not_converged`` < ``islanding``).

Variables added to the result (existing variables are kept untouched; variables of an earlier
check are replaced): ``vm_pu`` (time, bus) [p.u.], ``loading_percent`` (time, branch) [%],
``losses_mw`` (time) [MW], ``ext_grid_p_mw`` (time) [MW], ``grid_mismatch_mw`` (time) [MW],
``n1_max_loading_percent`` (contingency) [%], ``n1_min_vm_pu`` (contingency) [p.u.] and
``n1_status`` (contingency); hours beyond ``--hours`` are NaN. Attributes ``grid_network``,
``grid_violations`` (number of voltage and thermal limit violations over the checked hours),
``grid_hours``, ``grid_n1_hours`` (JSON list of hour positions) and ``grid_backend``.

References
----------
Thurner, L. et al. (2018). pandapower — an open-source Python tool for convenient modeling,
analysis, and optimization of electric power systems. IEEE Trans. Power Syst. 33(6),
6510-6521. https://doi.org/10.1109/TPWRS.2018.2829021
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandapower as pp
import pandas as pd
import xarray as xr

from gridtwin.conventions import BRANCH, TECHNOLOGY, TIME
from gridtwin.exceptions import DataError
from gridtwin.grid.elements import element_labels
from gridtwin.grid.powerflow import Backend, n_minus_1, run_timeseries, violations
from gridtwin.results import onsite_technologies, weights

#: Network used when none is given, relative to the working directory (else the repository).
DEFAULT_NETWORK = Path("networks") / "greensboro_poi.json"

#: Technologies represented by static generators of the POI network (sgen name = technology).
SGEN_TECHNOLOGIES = ("solar", "onwind")

#: Name of the campus load in the POI network.
CAMPUS_LOAD = "campus"

#: Variables this module writes; removed before a new check is added.
GRID_VARIABLES = (
    "vm_pu",
    "loading_percent",
    "losses_mw",
    "ext_grid_p_mw",
    "grid_mismatch_mw",
    "n1_max_loading_percent",
    "n1_min_vm_pu",
    "n1_status",
)

_STATUS_RANK = {"ok": 0, "not_converged": 1, "islanding": 2}


def default_network(ds: xr.Dataset | None = None) -> Path:
    """The network a result is checked against when none is given.

    The site network the result was sized with (attribute ``network_file``) when that file
    still exists; else ``networks/greensboro_poi.json`` in the working directory, else in the
    repository.

    Raises
    ------
    DataError
        Neither exists (a non-editable install does not carry the repository's ``networks/``).
    """
    sized = Path(str(ds.attrs.get("network_file", ""))) if ds is not None else None
    if sized is not None and sized.name and sized.is_file():
        return sized
    here = Path.cwd() / DEFAULT_NETWORK
    if here.is_file():
        return here
    repo = Path(__file__).resolve().parents[2] / DEFAULT_NETWORK
    if repo.is_file():
        return repo
    raise DataError(
        f"the default POI network {DEFAULT_NETWORK} is not in {Path.cwd()} nor next to the "
        "installed package; run from a gridtwin clone or pass --network FILE (a pandapower "
        "JSON or MATPOWER case with a load named 'campus')"
    )


@dataclass(frozen=True)
class GridCheck:
    """Outcome of :func:`check_result`.

    Attributes
    ----------
    dataset : xarray.Dataset
        The result with the grid variables added.
    violations : pandas.DataFrame
        Output of :func:`gridtwin.grid.powerflow.violations`.
    n1 : pandas.DataFrame
        Output of :func:`gridtwin.grid.powerflow.n_minus_1` (one row per contingency and hour).
    """

    dataset: xr.Dataset
    violations: pd.DataFrame
    n1: pd.DataFrame


def campus_profiles(ds: xr.Dataset) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Load and static-generator profiles of a result, mapped as in the module docstring.

    Parameters
    ----------
    ds : xarray.Dataset
        An hourly result dataset.

    Returns
    -------
    tuple of dict
        Without a site network in the result: ``({"campus": net draw [MW]}, {"solar": [MW],
        "onwind": [MW]})``. With one (variable ``technology_bus``): ``({"campus":
        load_served [MW]}, {technology: p [MW] for every technology})``, each technology an
        sgen at its bus (:func:`placed_network`).
    """
    # offsite contracts are outside the network: their deliveries are in the POI import
    techs = onsite_technologies(ds)
    p = ds["p"]
    if "technology_bus" in ds:
        served = np.asarray(ds["load_served"], dtype=float)
        return {CAMPUS_LOAD: served}, {t: np.asarray(p.sel({TECHNOLOGY: t}), float) for t in techs}
    others = [t for t in techs if t not in SGEN_TECHNOLOGIES]
    other = p.sel({TECHNOLOGY: others}).sum(TECHNOLOGY) if others else 0.0
    campus = np.asarray(ds["load_served"] - other, dtype=float)
    n_t = ds.sizes[TIME]
    sgens = {
        t: np.asarray(p.sel({TECHNOLOGY: t}), dtype=float) if t in techs else np.zeros(n_t)
        for t in SGEN_TECHNOLOGIES
    }
    return {CAMPUS_LOAD: campus}, sgens


def placed_network(ds: xr.Dataset, net: Any) -> Any:
    """A copy of ``net`` laid out as the sizing problem of the result saw it.

    For a result sized with a site network (variables ``technology_bus`` and ``s_nom_opt``):
    the campus load moves to ``network_load_bus``, every technology becomes a static
    generator of its name at its bus (one already of that name is moved there), and every
    upgraded branch gets its new rating, ``s_nom_opt / s_nom`` times the old, as parallel
    capacity (:func:`_upgrade`). Other results: ``net`` itself.

    Raises
    ------
    DataError
        A bus or branch of the result is not in ``net`` (the result was sized on another
        network).
    """
    if "technology_bus" not in ds:
        return net
    from gridtwin.grid.network import resolve_bus

    work = copy.deepcopy(net)
    _add_substations(work, ds)
    campus = work.load.index[work.load["name"].astype(str) == CAMPUS_LOAD]
    load_bus = resolve_bus(work, str(ds.attrs["network_load_bus"]))
    if len(campus):
        work.load.loc[campus, "bus"] = load_bus
    else:
        pp.create_load(work, load_bus, p_mw=0.0, name=CAMPUS_LOAD)
    for tech, bus in zip(ds[TECHNOLOGY].values, ds["technology_bus"].values, strict=True):
        if not str(bus):  # an offsite contract
            continue
        if (
            str(bus) in json.loads(str(ds.attrs.get("network_new_buses", "{}")))
            and not (work.bus["name"].astype(str) == str(bus)).any()
        ):  # an unbuilt substation: its technology delivers nothing
            bus = ds.sel({BRANCH: f"trafo:{bus}"})["branch_bus0"].item()
        index = resolve_bus(work, str(bus))
        rows = work.sgen.index[work.sgen["name"].astype(str) == str(tech)]
        if len(rows):
            work.sgen.loc[rows, "bus"] = index
        else:
            pp.create_sgen(work, index, p_mw=0.0, name=str(tech))
    if BRANCH in ds.dims:
        labels = {
            **dict(zip(element_labels(work.line, "line"), work.line.index, strict=True)),
            **dict(zip(element_labels(work.trafo, "trafo"), work.trafo.index, strict=True)),
        }
        created = {f"trafo:{b}" for b in json.loads(str(ds.attrs.get("network_new_buses", "{}")))}
        for name, before, after in zip(
            ds[BRANCH].values, ds["s_nom"].values, ds["s_nom_opt"].values, strict=True
        ):
            if str(name) in created:  # built at its optimal rating by _add_substations
                continue
            if str(name) not in labels:
                raise DataError(
                    f"the result was sized with branch {name!r}, which is not in network "
                    f"{net.name!r}; check it against the network of its study (network.path)"
                )
            if after > before * (1 + 1e-9):
                _upgrade(work, str(name), labels[str(name)], float(after / before))
    return work


def attach_check(ds: xr.Dataset, checked: xr.Dataset) -> xr.Dataset:
    """``ds`` with the grid variables, coordinates and ``grid_*`` attributes of a check of the
    same result (``checked``, the dataset of :func:`check_result`)."""
    names = [v for v in (*GRID_VARIABLES, "n1_max_loading_branch") if v in checked]
    out = ds.drop_vars([v for v in names if v in ds]).assign({v: checked[v] for v in names})
    out = out.assign_coords(bus_index=checked["bus_index"], element_index=checked["element_index"])
    out.attrs.update({k: v for k, v in checked.attrs.items() if k.startswith("grid_")})
    return out


#: Per-unit parameters of a new collector transformer in the AC check: short-circuit voltage
#: 12 % (IEC 60076-5 asks at least 12.5 % above 100 MVA; 10-15 % is typical), X/R about 40,
#: no-load losses and magnetising current 0.05 % of the rating (the POI transformers of
#: networks/README.md).
SUBSTATION_TRAFO = {"vk_percent": 12.0, "vkr_percent": 0.3, "i0_percent": 0.05}


def _add_substations(net: Any, ds: xr.Dataset) -> None:
    """Create the new collector substations of a result (attribute ``network_new_buses``): the
    bus and, when the optimiser built it, its transformer at the optimal rating (unbuilt ones
    carry nothing: their technology is placed at the substation's existing bus)."""
    from gridtwin.grid.network import resolve_bus

    new_buses = json.loads(str(ds.attrs.get("network_new_buses", "{}")))
    for bus, vn_kv in new_buses.items():
        name = f"trafo:{bus}"
        row = ds.sel({BRANCH: name})
        rating = float(row["s_nom_opt"])
        hv = resolve_bus(net, str(row["branch_bus0"].item()))
        if rating <= 1e-6:
            continue
        lv = pp.create_bus(net, float(vn_kv), name=bus, min_vm_pu=0.95, max_vm_pu=1.05)
        pp.create_transformer_from_parameters(
            net,
            hv_bus=hv,
            lv_bus=lv,
            sn_mva=rating,
            vn_hv_kv=float(net.bus.at[hv, "vn_kv"]),
            vn_lv_kv=float(vn_kv),
            pfe_kw=0.0005 * rating * 1000.0,
            name=bus,
            max_loading_percent=100.0,
            **SUBSTATION_TRAFO,
        )


def _upgrade(net: Any, label: str, index: Any, factor: float) -> None:
    """Raise a branch's rating by ``factor`` as parallel capacity would: a line's
    ``max_i_ka`` and ``c_nf_per_km`` times ``factor``, its ``r_ohm_per_km`` and
    ``x_ohm_per_km`` divided by it; a transformer's ``sn_mva`` and ``pfe_kw`` times ``factor``
    with its per-unit ``vk_percent``, ``vkr_percent`` and ``i0_percent`` kept (a larger unit of
    the same design: its impedance in ohms falls as its rating rises)."""
    if label.startswith("line:"):
        for column, power in (
            ("max_i_ka", 1), ("c_nf_per_km", 1), ("r_ohm_per_km", -1), ("x_ohm_per_km", -1)
        ):  # fmt: skip
            net.line.at[index, column] = float(net.line.at[index, column]) * factor**power
        return
    for column in ("sn_mva", "pfe_kw"):
        net.trafo.at[index, column] = float(net.trafo.at[index, column]) * factor


def require_hourly(ds: xr.Dataset) -> None:
    """Raise ``DataError`` for an aggregated result (its steps are not chronological hours)."""
    w = weights(ds).to_numpy()
    if not np.allclose(w, 1.0):
        raise DataError(
            f"result is aggregated ({ds.sizes[TIME]} time steps standing for {w.sum():.0f} h; "
            "snapshot_weight != 1): the grid check needs hourly chronological dispatch; run the "
            "study without 'aggregation' (or with dispatch: {mode: rolling}) and check that file"
        )


def check_result(
    ds: xr.Dataset,
    net: Any,
    *,
    network_name: str = "",
    hours: int | None = None,
    n1_hours: int | None = None,
    backend: Backend = "auto",
) -> GridCheck:
    """Run the hourly AC power flow and N-1 of a result at its POI network.

    Parameters
    ----------
    ds : xarray.Dataset
        Hourly result (:mod:`gridtwin.results`); not modified.
    net : pandapowerNet
        POI network with a load named ``"campus"`` (and sgens ``"solar"`` / ``"onwind"`` where
        the result has their output); not modified.
    network_name : str
        Source of the network, stored in the attribute ``grid_network``.
    hours : int, optional
        Check only the first ``hours`` hours [h] (quick looks); default all.
    n1_hours : int, optional
        Number of hours of highest POI import ``grid_import - grid_export`` studied under N-1
        (quick looks); default every hour checked.
    backend : {"auto", "lightsim2grid", "pandapower"}
        Power-flow backend.

    Returns
    -------
    GridCheck
        The result with the variables listed in the module docstring, the violations and the
        N-1 table.

    Raises
    ------
    DataError
        Aggregated result, missing variables, or a network without the needed elements.
    PowerFlowNotConverged
        An hour of the intact network did not converge.
    """
    _check_input(ds, hours)
    n_total = ds.sizes[TIME]
    n = n_total if hours is None else min(hours, n_total)
    part = ds.isel({TIME: slice(0, n)})
    loads, sgens = campus_profiles(part)
    net = placed_network(ds, net)
    _require_elements(net, sgens, network_name or str(net.name))
    rating_notes = [] if "technology_bus" in ds else _rating_notes(net, sgens)
    times = pd.DatetimeIndex(part[TIME].values)
    flow = run_timeseries(net, loads, sgens, backend=backend, times=times)
    found = violations(flow, net)
    exchange = (part["grid_import"] - part["grid_export"]).to_numpy()
    order = np.argsort(-exchange, kind="stable")
    peak = sorted(int(h) for h in order[: n if n1_hours is None else min(n1_hours, n)])
    n1 = n_minus_1(net, loads, sgens, peak, backend=backend)
    out = _with_flows(ds, flow, exchange)
    out = _with_n1(out, n1)
    out.attrs.update(
        {
            "grid_network": network_name or str(net.name),
            "grid_violations": len(found),
            "grid_hours": n,
            "grid_n1_hours": json.dumps(peak),
            "grid_backend": flow.attrs.get("backend", backend),
            "grid_rating_warnings": "; ".join(rating_notes) or "none",
        }
    )
    return GridCheck(dataset=out, violations=found, n1=n1)


def _check_input(ds: xr.Dataset, hours: int | None) -> None:
    """Refuse a sweep, an aggregated result, a file without dispatch, or ``hours`` < 1."""
    if "scenario" in ds.dims:
        raise DataError(
            "grid check: this is a sweep result (dimension 'scenario'); check one scenario's "
            "file from the sweep's OUT.scenarios/ folder"
        )
    require_hourly(ds)
    for name in ("load_served", "p", "grid_import", "grid_export"):
        if name not in ds:
            raise DataError(f"result has no variable {name!r}; is it a gridtwin result?")
    if hours is not None and hours < 1:
        raise DataError(f"hours={hours}: must be at least 1")


def _require_elements(net: Any, sgens: dict[str, np.ndarray], name: str) -> None:
    """The campus load and an sgen for every technology with output must be in the network;
    technologies without output and without an sgen are dropped from ``sgens``."""
    if CAMPUS_LOAD not in set(net.load["name"].astype(str)):
        raise DataError(
            f"network {name!r} has no load named {CAMPUS_LOAD!r}; add it at the campus bus "
            "with gridtwin.grid.network.attach_campus and save the network"
        )
    sgen_names = set(net.sgen["name"].astype(str))
    for tech in list(sgens):
        if tech in sgen_names:
            continue
        top = np.abs(sgens[tech]).max()
        if top > 1e-6:
            raise DataError(
                f"network {name!r} has no sgen named {tech!r} but the result's {tech} output "
                f"is up to {top:.1f} MW; add an sgen of that name at the generation bus"
            )
        del sgens[tech]


def _rating_notes(net: Any, sgens: dict[str, np.ndarray]) -> list[str]:
    """The network's generator ratings against what a study sized without it built."""
    notes = []
    for tech in sgens:
        row = net.sgen.loc[net.sgen["name"].astype(str) == tech]
        sn = float(row["sn_mva"].sum()) if "sn_mva" in row else float("nan")
        top = float(np.max(sgens[tech]))
        if np.isfinite(sn) and sn > 0 and top > sn * (1 + 1e-6):
            notes.append(
                f"{tech}: the study dispatches up to {top:.0f} MW but the network's sgen "
                f"{tech!r} is rated {sn:.0f} MVA; the collector and transformers behind it were "
                "sized for that rating"
            )
    return notes


def _with_flows(ds: xr.Dataset, flow: xr.Dataset, exchange: np.ndarray) -> xr.Dataset:
    """The result with the hourly AC flow's variables (replacing an earlier check's) and the
    mismatch of the ext_grid exchange against the LP's POI exchange and losses."""
    # a result sized with the site network keeps its branch dimension (same labels)
    sized = BRANCH in ds.dims and "s_nom_opt" in ds
    if sized:  # an unbuilt new substation carries nothing
        flow = flow.reindex({BRANCH: ds[BRANCH].values})
        flow["loading_percent"] = flow["loading_percent"].fillna(0.0)
        flow["element_index"] = flow["element_index"].fillna(-1).astype(int)
    out = ds.drop_vars([v for v in (*GRID_VARIABLES, "bus_index", "element_index") if v in ds])
    dims = ("bus", "contingency") if sized else ("bus", BRANCH, "contingency")
    out = out.drop_dims([d for d in dims if d in out.dims])
    full_time = ds[TIME].values
    for name in ("vm_pu", "loading_percent", "losses_mw", "ext_grid_p_mw"):
        out[name] = flow[name].reindex({TIME: full_time}).drop_vars(TIME)
    mismatch = flow["ext_grid_p_mw"] - flow["losses_mw"] - exchange
    out["grid_mismatch_mw"] = mismatch.reindex({TIME: full_time}).drop_vars(TIME)
    out["grid_mismatch_mw"].attrs.update(
        units="MW",
        long_name="ext_grid exchange minus (grid_import - grid_export) minus network losses",
    )
    out = out.assign_coords(
        bus_index=("bus", flow["bus_index"].values),
        element_index=("branch", flow["element_index"].values),
    )
    out["bus"].attrs["long_name"] = "bus of the POI network"
    out["branch"].attrs["long_name"] = "line or transformer of the POI network"
    out["bus_index"].attrs["long_name"] = "index of the bus in the pandapower network"
    out["element_index"].attrs["long_name"] = "index of the line or trafo in its pandapower table"
    return out


def _with_n1(out: xr.Dataset, n1: pd.DataFrame) -> xr.Dataset:
    """The N-1 table folded per contingency: worst loading and its branch, lowest voltage and
    worst status over the hours studied."""
    labels = list(dict.fromkeys(n1["contingency"]))
    by = n1.groupby("contingency", sort=False)
    max_loading = by["max_loading_percent"].max().reindex(labels)
    worst_row = n1.loc[by["max_loading_percent"].idxmax().dropna().astype(int)]
    worst_branch = worst_row.set_index("contingency")["max_loading_branch"].reindex(labels)
    min_vm = by["min_vm_pu"].min().reindex(labels)
    status = by["status"].agg(lambda s: max(s, key=_STATUS_RANK.__getitem__)).reindex(labels)
    out = out.assign_coords(contingency=np.array(labels, dtype=object))
    out["n1_max_loading_percent"] = (
        "contingency",
        max_loading.to_numpy(dtype=float),
        {"units": "%", "long_name": "N-1: maximum loading of the remaining branches"},
    )
    out["n1_max_loading_branch"] = (
        "contingency",
        np.array(worst_branch.fillna("").tolist(), dtype=object),
        {"long_name": "N-1: branch carrying n1_max_loading_percent"},
    )
    out["n1_min_vm_pu"] = (
        "contingency",
        min_vm.to_numpy(dtype=float),
        {"units": "1", "long_name": "N-1: minimum bus voltage magnitude, per unit of nominal"},
    )
    out["n1_status"] = (
        "contingency",
        np.array(status.tolist(), dtype=object),
        {"long_name": "N-1: worst power-flow status (ok, not_converged, islanding)"},
    )
    out["contingency"].attrs["long_name"] = "branch taken out of service"
    return out
