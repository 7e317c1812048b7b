"""Scenario sweeps: many studies from one, on dask.distributed, resumable, nothing lost.

A study's ``sweep`` section (:class:`gridtwin.config.SweepConfig`) turns it into scenarios,
each the study with some fields changed (dotted paths as in ``gridtwin run --set``).
:func:`run_sweep` runs them on a dask.distributed cluster — a ``LocalCluster`` of ``workers``
processes by default, or the running scheduler at ``scheduler`` (the same code path) — and:

* writes every finished scenario atomically to ``<OUT stem>.scenarios/<name>.nc`` as soon as it
  completes, with its key in the attributes;
* skips, when run again, every scenario whose file holds the same key: a SHA-256 of the
  resolved scenario configuration (all fields after overrides and defaults, except the name)
  and of the contents of every input file it reads (weather, series, catalogue). Changing a
  value or an input file reruns exactly the scenarios it touches;
* records a scenario that fails (infeasible, solver error, bad value, killed worker) with its
  error and goes on with the rest;
* combines all scenarios into one netCDF with a ``scenario`` dimension, the swept fields as
  coordinates along it, a short ``scenario_label`` for tables and figures
  (:mod:`gridtwin.labels`), and ``scenario_status`` / ``scenario_error``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import yaml

from gridtwin.config import Study, input_files, parse_study
from gridtwin.exceptions import ConfigError, DataError, GridTwinError
from gridtwin.labels import short_labels

logger = logging.getLogger(__name__)

#: Status values of a scenario.
OK, CACHED, FAILED = "ok", "cached", "failed"

#: Longest scenario name [characters]; longer automatic names are cut and get a hash suffix.
MAX_NAME = 120


@dataclass(frozen=True)
class Scenario:
    """One scenario of a sweep.

    Attributes
    ----------
    name : str
        Unique name; also the file name of its result.
    values : dict
        Swept field path -> value.
    key : str
        SHA-256 (hex) of the resolved configuration and input files; equal keys, equal result.
    base_overrides : tuple of str
        The study's own ``--set`` items.
    named : bool
        The name was given in the study (``sweep.scenarios``), not made of the values.
    """

    name: str
    values: dict[str, Any]
    key: str
    base_overrides: tuple[str, ...] = ()
    named: bool = False

    @property
    def overrides(self) -> list[str]:
        """``PATH=VALUE`` items for :func:`gridtwin.config.parse_study`: the study's own
        overrides (``--set``), then the scenario's values."""
        own = [f"{path}={json.dumps(value)}" for path, value in self.values.items()]
        return [*self.base_overrides, *own]


@dataclass
class SweepOutcome:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    dataset : xarray.Dataset
        Combined results (dim ``scenario``).
    status : dict of str to str
        Scenario name -> ``ok`` (computed now), ``cached`` (from an earlier run) or ``failed``.
    errors : dict of str to str
        Scenario name -> error message, for failed scenarios.
    folder : Path
        Where the per-scenario files are.
    """

    dataset: xr.Dataset
    status: dict[str, str]
    errors: dict[str, str]
    folder: Path

    @property
    def failed(self) -> list[str]:
        return [n for n, s in self.status.items() if s == FAILED]


def _short_paths(paths: list[str]) -> dict[str, str]:
    """The fewest trailing parts of each path that tell the paths apart (``cfe_target``,
    ``solar.p_nom_max`` next to ``battery.p_nom_max``)."""
    short = {}
    for path in paths:
        parts = path.split(".")
        for n in range(1, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if not any(o != path and (o == tail or o.endswith("." + tail)) for o in paths):
                break
        short[path] = tail
    return short


def _label(field: str, value: Any) -> str:
    """Short, file-safe text for one swept value: ``cfe_target-0.9``."""
    if field.split(".")[-1] == "path" and isinstance(value, str):
        text = Path(value).stem
    elif isinstance(value, list):
        text = ".".join(str(v) for v in value)
    else:
        text = value if isinstance(value, str) else json.dumps(value)
    raw = f"{field}-{text}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", raw).strip("-.")


def _combinations(study: Study) -> list[tuple[str, dict[str, Any]]]:
    sweep = study.config.sweep
    if sweep is None:
        raise ConfigError(
            f"{study.path or '<study>'}: has no 'sweep' section; add one, e.g. "
            "sweep: {grid: {policy.cfe_target: [0.8, 0.9, 1.0]}}"
        )
    if sweep.scenarios:
        return [(s.name, dict(s.set)) for s in sweep.scenarios]
    table = sweep.grid or sweep.zip or {}
    paths = list(table)
    rows = itertools.product(*table.values()) if sweep.grid else zip(*table.values(), strict=True)
    short = _short_paths(paths)
    out = []
    for row in rows:
        values = dict(zip(paths, row, strict=True))
        name = "_".join(_label(short[p], v) for p, v in values.items())
        if len(name) > MAX_NAME:  # file names stay well below the 255-byte limit
            tag = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:8]
            name = f"{name[: MAX_NAME - 9]}-{tag}"
        out.append((name, values))
    seen: dict[str, dict[str, Any]] = {}
    for name, values in out:
        if name in seen:
            raise ConfigError(
                f"sweep: scenarios {seen[name]} and {values} both get the name {name!r} (names "
                "are made of the swept values, a file by its stem); name them with "
                "sweep.scenarios: [{name: ..., set: {...}}, ...]"
            )
        seen[name] = values
    return out


_FILE_HASHES: dict[tuple[str, float, int], str] = {}


def _file_hash(path: Path) -> str:
    stat = path.stat()
    cache = (str(path), stat.st_mtime, stat.st_size)
    if cache not in _FILE_HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _FILE_HASHES[cache] = digest.hexdigest()
    return _FILE_HASHES[cache]


def scenarios(study: Study) -> list[Scenario]:
    """Expand a study's sweep into validated scenarios.

    Raises
    ------
    ConfigError
        No sweep section, a path or value that does not validate (the message names the
        scenario), or two scenarios with the same name.
    """
    from gridtwin import __version__

    base = study.path.parent if study.path else Path.cwd()
    source = str(study.path or "<study>")
    combos = _combinations(study)
    swept = {p for _, values in combos for p in values}
    for item in study.overrides:
        field = item.partition("=")[0].strip()
        clash = [
            p for p in swept if p == field or p.startswith(field + ".") or field.startswith(p + ".")
        ]
        if clash:
            raise ConfigError(
                f"--set {item!r}: {clash[0]} is swept by the study's sweep section, so the "
                "--set would be overridden in every scenario; change the sweep values instead"
            )
    out: list[Scenario] = []
    by_key: dict[str, str] = {}
    for name, values in combos:
        items = Scenario(name, values, "", tuple(study.overrides)).overrides
        try:
            scenario_study = parse_study(study.text, source=source, base=base, overrides=items)
        except ConfigError as err:
            raise ConfigError(f"sweep scenario {name!r}: {err}") from None
        cfg = scenario_study.config
        text = cfg.model_dump_json(exclude={"name", "sweep"})
        files = sorted(input_files(cfg).items())
        for _, path in files:  # where a file lies does not matter, what it holds does
            text = text.replace(json.dumps(str(path))[1:-1], f"sha256:{_file_hash(path)}")
        digest = hashlib.sha256(f"gridtwin {__version__}\n{text}".encode())
        for label, path in files:
            digest.update(f"{label}:{_file_hash(path)}".encode())
        key = digest.hexdigest()
        if key in by_key:
            raise ConfigError(
                f"sweep: scenarios {by_key[key]!r} and {name!r} are the same study (e.g. 1500 "
                "and 1500.0); remove one"
            )
        by_key[key] = name
        named = bool(study.config.sweep and study.config.sweep.scenarios)
        out.append(Scenario(name, values, key, tuple(study.overrides), named))
    return out


def scenario_folder(output: Path) -> Path:
    """Folder of the per-scenario files of a sweep written to ``output``."""
    return output.with_name(output.stem + ".scenarios")


def _cached_key(path: Path) -> str | None:
    import netCDF4

    if not path.is_file():
        return None
    try:
        with netCDF4.Dataset(path) as nc:
            return str(getattr(nc, "scenario_key", "")) or None
    except OSError:
        return None


def run_scenario(
    text: str, source: str, base: str, scenario: Scenario, study_name: str, path: str
) -> dict[str, Any]:
    """Run one scenario and write its result atomically to ``path`` (a dask task).

    Returns a record ``{"name", "status", "error", "seconds"}``; never raises for a scenario
    that fails on its own (bad value, infeasible, solver error).
    """
    import dask

    start = time.perf_counter()
    record: dict[str, Any] = {"name": scenario.name, "status": OK, "error": ""}
    _worker_logging(scenario.name)
    # a dask computation inside the task (xarray) runs here, not through a client of the
    # worker's own: that client would outlive a cancelled sweep and complain on exit
    with dask.config.set(scheduler="synchronous"):
        return _scenario_record(text, source, base, scenario, study_name, path, record, start)


def _scenario_record(
    text: str,
    source: str,
    base: str,
    scenario: Scenario,
    study_name: str,
    path: str,
    record: dict[str, Any],
    start: float,
) -> dict[str, Any]:
    """The body of :func:`run_scenario`."""
    from gridtwin.results import write_results
    from gridtwin.study import run_study, study_inputs

    try:
        items = [*scenario.overrides, f"name={json.dumps(study_name + '.' + scenario.name)}"]
        study = parse_study(text, source=source, base=Path(base), overrides=items)
        ds = run_study(study)
        ds.attrs["scenario"] = scenario.name
        ds.attrs["scenario_key"] = scenario.key
        ds.attrs["scenario_values"] = json.dumps(scenario.values)
        target = Path(path)
        if target.exists() and _cached_key(target) is None:  # damaged: our folder, replace it
            target.unlink()
        write_results(ds, path, inputs=study_inputs(study.config))
    except GridTwinError as err:
        record.update(status=FAILED, error=f"{type(err).__name__}: {err}")
    except Exception as err:  # a defect, but one scenario's defect must not stop the sweep
        logger.exception("scenario %s crashed", scenario.name)
        record.update(status=FAILED, error=f"unexpected {type(err).__name__}: {err}")
    record["seconds"] = time.perf_counter() - start
    return record


def _worker_logging(name: str) -> None:
    """Log lines of a scenario name it; the solver libraries' INFO chatter stays off.

    Runs in the worker process before each scenario (one scenario at a time per process). With
    DEBUG logging in the process (``gridtwin -v`` on an in-process run) nothing is changed.
    """
    root = logging.getLogger()
    if root.isEnabledFor(logging.DEBUG):
        return
    logging.basicConfig(
        level=logging.WARNING,
        format=f"%(levelname)s [scenario {name}] %(name)s: %(message)s",
        force=True,
    )
    for noisy in ("linopy", "pypsa", "distributed", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def run_sweep(
    study: Study,
    output: str | Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> SweepOutcome:
    """Run every scenario of ``study`` not already finished, then combine them into ``output``.

    Parameters
    ----------
    study : Study
        A study with a ``sweep`` section.
    output : str or Path
        Combined netCDF file; per-scenario files go to :func:`scenario_folder` of it.
    workers : int
        Processes of the LocalCluster (ignored with ``scheduler``).
    scheduler : str, optional
        Address of a running dask scheduler (``tcp://host:8786``).
    progress : callable, optional
        ``progress(done, total, name)`` after each scenario (cached ones count as done).

    Returns
    -------
    SweepOutcome

    Raises
    ------
    ConfigError
        Bad sweep section or scenario value (before anything runs).
    DataError
        ``output`` cannot be written, or the scheduler cannot be reached.
    """
    from gridtwin.io import check_writable, write_netcdf

    if workers < 1:
        raise DataError(f"workers={workers} must be >= 1.")
    out = check_writable(output, kind="result")
    folder = scenario_folder(out)
    if study.config.investment is not None or study.config.fleet is not None:
        raise ConfigError(
            "gridtwin sweep does not run investment periods or fleets yet: their results have "
            "their own period / site dimension; run each case with gridtwin run --set ..."
        )
    todo = scenarios(study)  # validates everything before any folder is made
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: is a file, but the sweep keeps its scenarios there; move it")
    folder.mkdir(parents=True, exist_ok=True)
    with _sole_sweep(folder, out):
        for stale in folder.glob(".*.tmp"):  # left by a run that was killed while writing
            stale.unlink(missing_ok=True)
        status: dict[str, str] = {}
        errors: dict[str, str] = {}
        pending = []
        for sc in todo:
            if _cached_key(folder / f"{sc.name}.nc") == sc.key:
                status[sc.name] = CACHED
            else:
                pending.append(sc)
        done = len(status)
        if progress:
            progress(done, len(todo), "")
        if pending:
            base = str(study.path.parent if study.path else Path.cwd())
            source = str(study.path or "<study>")
            for record in _run_on_dask(study, pending, folder, base, source, workers, scheduler):
                status[record["name"]] = record["status"]
                if record["error"]:
                    errors[record["name"]] = record["error"]
                done += 1
                if progress:
                    progress(done, len(todo), record["name"])
        combined = combine(todo, folder, status, errors)
        combined.attrs["study_yaml"] = study.text
        combined.attrs["study_overrides"] = json.dumps(list(study.overrides))
        write_netcdf(combined, out, kind="result")
    ordered = {sc.name: status[sc.name] for sc in todo}
    return SweepOutcome(dataset=combined, status=ordered, errors=errors, folder=folder)


@contextmanager
def _sole_sweep(folder: Path, out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` while a sweep writes it and ``out``.

    Two sweeps to one output would mix their scenario files (each taking the other's as its
    own, since the cache key is checked only by name) and race on the combined file; the
    second is refused. The lock (``flock`` on ``folder/.lock``) goes with the process, so a
    killed sweep leaves none behind. No-op where ``fcntl`` is missing (Windows).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(folder / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise DataError(
                f"{out}: another gridtwin sweep is writing this output now (its scenario folder "
                f"{folder} is locked); wait for it to finish or give another -o"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_on_dask(
    study: Study,
    pending: list[Scenario],
    folder: Path,
    base: str,
    source: str,
    workers: int,
    scheduler: str | None,
) -> Any:
    """Yield one record per pending scenario as it finishes."""
    from distributed import as_completed

    from gridtwin.cluster import dask_client

    with dask_client(workers, scheduler) as client:
        futures = {
            client.submit(
                run_scenario,
                study.text,
                source,
                base,
                sc,
                study.config.name,
                str(folder / f"{sc.name}.nc"),
                key=f"scenario-{sc.name}-{sc.key[:12]}",
                pure=False,
            ): sc
            for sc in pending
        }
        for fut in as_completed(futures):
            sc = futures[fut]
            try:
                yield fut.result()
            except Exception as err:  # KilledWorker, lost connection, cancelled
                yield {
                    "name": sc.name,
                    "status": FAILED,
                    "error": f"worker lost ({type(err).__name__}: {err})",
                    "seconds": float("nan"),
                }


def _resolved_value(config: dict[str, Any] | None, path: str) -> Any:
    """The value at dotted ``path`` of a scenario's resolved configuration (None if unknown)."""
    node: Any = config
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


#: Attributes of a scenario's result that become variables along ``scenario``.
PER_SCENARIO = {
    "objective": "optimal objective value of the solve",
    "verify_passed": "1 if every constraint family held (verifier), 0 if not",
    "survival_sizing_met": "1 if the resilience sizing met its survival target, 0 if not",
    "survival_sizing_cost": "annual cost of the survival target over the design without it",
}


def _per_scenario_scalars(ds: xr.Dataset) -> xr.Dataset:
    """The scenario's :data:`PER_SCENARIO` attributes as scalar variables."""
    for key, long_name in PER_SCENARIO.items():
        if key in ds.attrs:
            ds[key] = ((), float(ds.attrs[key]), {"long_name": long_name})
    return ds


def combine(
    todo: list[Scenario], folder: Path, status: dict[str, str], errors: dict[str, str]
) -> xr.Dataset:
    """Stack the per-scenario results along ``scenario``; failed ones are NaN with their error.

    Swept fields become coordinates along ``scenario`` named by their path
    (``policy.cfe_target``); values of mixed types are stored as text.
    """
    from gridtwin.conventions import provenance_attrs
    from gridtwin.results import open_results

    parts, names, resolved = [], [], {}
    for sc in todo:
        if status.get(sc.name) in (OK, CACHED):
            ds = open_results(folder / f"{sc.name}.nc")
            resolved[sc.name] = str(ds.attrs.get("study_resolved", ""))
            parts.append(_per_scenario_scalars(ds))
            names.append(sc.name)
    all_names = [sc.name for sc in todo]
    if parts:
        combined = xr.concat(
            parts,
            dim=xr.Variable("scenario", names),
            join="outer",
            coords="minimal",
            compat="override",
            combine_attrs="drop_conflicts",  # units, long_name, currency ... are kept
        ).reindex(scenario=all_names)
    else:
        combined = xr.Dataset(coords={"scenario": all_names})
    for name in combined.variables:  # the first file's fixed string widths must not carry over
        combined[name].encoding = {}
    per_scenario = ("objective", "verify_passed", "verify_report", "verify_skipped")
    for key in ("history", "scenario", "scenario_key", "scenario_values", *per_scenario):
        combined.attrs.pop(key, None)
    combined["study_resolved"] = (
        "scenario",
        np.array([resolved.get(n, "") for n in all_names], dtype=object),
        {"long_name": "validated configuration each scenario ran (YAML; empty if it failed)"},
    )
    configs = {name: yaml.safe_load(text) for name, text in resolved.items() if text}
    paths = list(dict.fromkeys(p for sc in todo for p in sc.values))
    for path in paths:
        values = [
            sc.values[path] if path in sc.values else _resolved_value(configs.get(sc.name), path)
            for sc in todo
        ]
        numeric = all(
            (isinstance(v, int | float) and not isinstance(v, bool)) or v is None for v in values
        )
        data = (
            np.array([np.nan if v is None else v for v in values], dtype=float)
            if numeric
            else np.array(
                [json.dumps(v) if not isinstance(v, str) else v for v in values], dtype=object
            )
        )
        combined = combined.assign_coords(
            {path: ("scenario", data, {"long_name": f"swept {path}"})}
        )
    combined["scenario_status"] = (
        "scenario",
        np.array([status.get(n, FAILED) for n in all_names], dtype=object),
        {"long_name": "ok (computed), cached (earlier run) or failed"},
    )
    combined["scenario_error"] = (
        "scenario",
        np.array([errors.get(n, "") for n in all_names], dtype=object),
        {"long_name": "why the scenario failed (empty when it ran)"},
    )
    combined["scenario"].attrs["long_name"] = "scenario of the sweep"
    labels = short_labels([sc.values for sc in todo], all_names, named=any(s.named for s in todo))
    combined = combined.assign_coords(
        scenario_label=(
            "scenario",
            np.array(labels, dtype=object),
            {"long_name": "short label of the scenario for tables and figures"},
        )
    )
    combined.attrs.update(provenance_attrs("gridtwin sweep: results by scenario"))
    return combined
