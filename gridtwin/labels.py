"""Short, readable labels of sweep scenarios for tables and figures.

A scenario's name is made of its swept values and names its result file
(``cfe_target-0.95_p_nom-1200``); the label shows the same values for people:
``cfe 0.95 · poi 1200``. Labels are at most :data:`MAX_LABEL` characters and unique within a
sweep. The full values stay in the result file: the scenario names, and one coordinate per
swept field along ``scenario``; the labels are stored as the coordinate ``scenario_label``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

import numpy as np
import xarray as xr

#: Longest label [characters].
MAX_LABEL = 40

#: Short names of swept fields (the last part of the dotted path).
ABBREVIATIONS = {
    "cfe_target": "cfe",
    "shift_share": "shift",
    "curtail_share": "curtail",
    "it_capacity": "IT",
    "import_price": "price",
    "grid_cfe_share": "grid cfe",
    "grid_co2_intensity": "grid co2",
    "export_price_share": "export",
    "max_export_share": "max export",
    "emissions_cap": "co2 cap",
    "extendable": "tech",
    "discount_rate": "rate",
    "training_share": "training",
}

#: Field names that say little alone: the label uses the section they belong to instead
#: (``poi.p_nom`` -> ``poi``, ``technologies.solar.p_nom_max`` -> ``solar``).
GENERIC = {"p_nom", "p_nom_max", "e_nom", "e_nom_max", "path", "value", "max_hours", "name"}

SEPARATOR = " · "


def field_key(path: str) -> str:
    """Short name of a swept field for labels (``policy.cfe_target`` -> ``cfe``)."""
    parts = path.split(".")
    last = parts[-1]
    if last in GENERIC and len(parts) > 1:
        return ABBREVIATIONS.get(parts[-2], parts[-2])
    return ABBREVIATIONS.get(last, last)


def value_text(path: str, value: Any) -> str:
    """Compact text of one swept value: ``0.95``, ``1200``, ``on``, ``solar+battery``, the
    stem of a file path."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "+".join(value_text(path, v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}={value_text(path, v)}" for k, v in value.items())
    text = str(value)
    if path.split(".")[-1] == "path":
        return PurePath(text).stem
    return text


def _fit(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def short_labels(
    values: Sequence[dict[str, Any]], names: Sequence[str], *, named: bool = False
) -> list[str]:
    """Labels of a sweep's scenarios, at most :data:`MAX_LABEL` characters and unique.

    Parameters
    ----------
    values : sequence of dict
        Swept field path -> value of each scenario.
    names : sequence of str
        Scenario names (same order).
    named : bool
        The names were given in the study (``sweep.scenarios``): a name that fits is its own
        label.

    Returns
    -------
    list of str
        ``cfe 0.95 · poi 1200`` style labels: one ``key value`` pair per field whose value
        differs between scenarios (:func:`field_key`, :func:`value_text`), cut with ``…``
        when too long and numbered (``#2``) where that makes two alike.
    """
    paths = list(dict.fromkeys(p for v in values for p in v))
    texts = [{p: value_text(p, v[p]) for p in v} for v in values]
    varying = [p for p in paths if len({t.get(p) for t in texts}) > 1] or paths
    keys = {p: field_key(p) for p in varying}
    if len(set(keys.values())) < len(keys):  # two fields with one short name: longer names
        keys = {p: ".".join(p.split(".")[-2:]) for p in varying}
    out = []
    for name, text in zip(names, texts, strict=True):
        if named and len(name) <= MAX_LABEL:
            out.append(name)
            continue
        label = SEPARATOR.join(f"{keys[p]} {text[p]}" for p in varying if p in text)
        out.append(_fit(label or name, MAX_LABEL))
    seen: dict[str, int] = {}
    repeated = {label for label in out if out.count(label) > 1}
    for i, label in enumerate(out):
        if label in repeated:
            seen[label] = seen.get(label, 0) + 1
            suffix = f" #{seen[label]}"
            out[i] = _fit(label, MAX_LABEL - len(suffix)) + suffix
    return out


def scenario_labels(ds: xr.Dataset) -> list[str]:
    """Labels of the scenarios of a sweep result: its ``scenario_label`` coordinate, or for
    files written before it existed, :func:`short_labels` of the swept-field coordinates."""
    names = [str(s) for s in ds["scenario"].values]
    if "scenario_label" in ds.coords:
        return [str(v) for v in ds["scenario_label"].values]
    swept = [
        str(c) for c in ds.coords
        if c not in ("scenario", "scenario_label") and ds[c].dims == ("scenario",)
        and str(ds[c].attrs.get("long_name", "")).startswith("swept ")
    ]  # fmt: skip
    values = [{c: ds[c].values[i] for c in swept} for i in range(len(names))]
    return short_labels(values, names)


__all__ = ["MAX_LABEL", "field_key", "scenario_labels", "short_labels", "value_text"]
