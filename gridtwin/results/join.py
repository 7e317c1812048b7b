"""Several results of one study on a new dimension: the periods of a plan, the campuses of a
fleet (:mod:`gridtwin.periods.results`, :mod:`gridtwin.fleet.results`)."""

from __future__ import annotations

import json
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr


def join_along(datasets: Sequence[xr.Dataset], dim: str, labels: Sequence[object]) -> xr.Dataset:
    """Concatenate results on ``dim`` (coordinate ``labels``).

    Variables and coordinates are joined by name; a label (technology, storage, branch) one
    result lacks is ``NaN`` there: it has no such asset (:func:`part`). Attributes equal in
    every result are kept; those that differ become variables on ``dim`` (numbers; named
    ``<dim>_<name>`` if the name is taken) or a JSON object by label (text, e.g.
    ``verify_report``).
    """
    index = pd.Index(list(labels), name=dim)
    per_label = _differing_attrs(datasets)
    ds = xr.concat(
        list(datasets),
        dim=index,
        data_vars="all",
        coords="minimal",
        compat="override",
        join="outer",
        combine_attrs="drop_conflicts",
    )
    for name, values in per_label.items():
        if all(isinstance(v, numbers.Number) for v in values):
            target = name if name not in ds.variables else f"{dim}_{name}"
            ds[target] = (dim, np.asarray(values, dtype=float))
        else:
            by_label = {str(k): str(v) for k, v in zip(labels, values, strict=True)}
            ds.attrs[name] = json.dumps(by_label)
    for flag in ("verify_passed", "ac_loop_converged"):  # passes if every part that has it does
        present = [int(d.attrs[flag]) for d in datasets if flag in d.attrs]
        if present:
            ds.attrs[flag] = int(all(v == 1 for v in present))
    return ds


def part(ds: xr.Dataset, dim: str, label: object) -> xr.Dataset:
    """One result of a joined file, without the labels it lacks (technologies, storage,
    branches another part has: all ``NaN`` here)."""
    out = ds.sel({dim: label})
    for name in list(out.dims):
        if name != "time":
            out = out.dropna(str(name), how="all")
    labels = {str(v) for v in ds[dim].values}
    for key, value in list(out.attrs.items()):  # the part's own text attributes
        by_label = _json_object(value)
        if by_label is not None and set(by_label) == labels:
            out.attrs[key] = by_label[str(label)]
    return out


def _json_object(value: object) -> dict[str, object] | None:
    """``value`` as a JSON object, or ``None`` if it is not one."""
    if not isinstance(value, str) or not value.startswith("{"):
        return None
    try:
        found = json.loads(value)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _differing_attrs(datasets: Sequence[xr.Dataset]) -> dict[str, list[object]]:
    """Attributes whose values are not the same in every result, by name."""
    out = {}
    for name in datasets[0].attrs:
        values = [ds.attrs.get(name) for ds in datasets]
        if any(not _same(values[0], v) for v in values[1:]):
            out[name] = values
    return out


def _same(a: object, b: object) -> bool:
    try:
        return bool(np.all(a == b))
    except (TypeError, ValueError):
        return False


__all__ = ["join_along", "part"]
