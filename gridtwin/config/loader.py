"""Reading a study: YAML (unique keys, YAML 1.2 floats), ``--set`` overrides, relative paths
resolved against the study file, and every input file checked to exist.

Relative paths inside a study (``weather.path``, series files) are resolved against the folder
of the study file, so a study can be run from any working directory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel, ValidationError

from gridtwin.config.messages import format_validation_error
from gridtwin.config.study import SERIES_FIELDS, Study, StudyConfig
from gridtwin.exceptions import ConfigError


def _path_fields(cfg: StudyConfig) -> Iterator[tuple[str, Any, str | int]]:
    """Every path field of a study that is set: (dotted field, the object or list holding it,
    its attribute name or list position)."""
    weather = cfg.weather.path
    if isinstance(weather, list):
        yield from ((f"weather.path.{i}", weather, i) for i in range(len(weather)))
    else:
        yield "weather.path", cfg.weather, "path"
    optional = [
        ("offwind.weather", cfg.offwind, "weather"),
        *((f"poi.{f}.path", getattr(cfg.poi, f), "path") for f in SERIES_FIELDS),
        ("technologies.catalogue", cfg.technologies, "catalogue"),
        ("dispatch.capacities", cfg.dispatch, "capacities"),
        ("network.path", cfg.network, "path"),
        ("offsite.weather", cfg.offsite, "weather"),
    ]
    if cfg.investment is not None:
        optional += [
            (f"investment.periods.{i}.weather", period, "weather")
            for i, period in enumerate(cfg.investment.periods)
        ]
    if cfg.fleet is not None:
        optional += [(f"fleet.sites.{site}", cfg.fleet.sites, site) for site in cfg.fleet.sites]
    for field, owner, name in optional:
        if isinstance(owner, dict):
            value = owner.get(name)
        else:
            value = getattr(owner, str(name), None) if isinstance(owner, BaseModel) else None
        if isinstance(value, Path):  # not a built-in name ("us", "eu" catalogues)
            yield field, owner, name


def _get(owner: Any, name: str | int) -> Path:
    if isinstance(owner, dict):
        found: Path = owner[name]
        return found
    path: Path = owner[int(name)] if isinstance(owner, list) else getattr(owner, str(name))
    return path


def input_files(cfg: StudyConfig) -> dict[str, Path]:
    """Every file a study reads, by dotted field (``weather.path.1`` for a list entry).

    An output must never replace one of them; all must exist when the study is loaded.
    """
    return {field: _get(owner, name) for field, owner, name in _path_fields(cfg)}


def _resolve_paths(cfg: StudyConfig, base: Path) -> None:
    """Make every relative path field absolute, relative to ``base`` (the study's folder)."""
    for _, owner, name in list(_path_fields(cfg)):
        path = _get(owner, name)
        resolved = path if path.is_absolute() else (base / path).resolve()
        if isinstance(owner, list):
            owner[int(name)] = resolved
        elif isinstance(owner, dict):
            owner[name] = resolved
        else:
            setattr(owner, str(name), resolved)


def _check_catalogue(cfg: StudyConfig, source: str) -> None:
    """The catalogue has the study's technologies in the study's currency and year: checked
    when the study loads, before any weather is read (a catalogue is a few hundred rows)."""
    from gridtwin.exceptions import DataError
    from gridtwin.technologies import annualised_costs, default_catalogue, load_catalogue

    try:
        annualised_costs(
            load_catalogue(cfg.technologies.catalogue or default_catalogue(cfg.currency)),
            cfg.costed_technologies,
            cfg.currency,
            cfg.currency_year,
            cfg.technologies.discount_rate,
        )
    except (DataError, ConfigError) as err:
        raise ConfigError(f"{source}: {err}") from None


def _check_files(cfg: StudyConfig, source: str) -> None:
    if isinstance(cfg.weather.path, list) and not cfg.weather.path:
        raise ConfigError(f"{source}: field 'weather.path': the list of weather files is empty")
    for field, path in input_files(cfg).items():
        if path.is_dir():
            raise ConfigError(
                f"{source}: field '{field}': {path} is a folder, not a file; give the file's "
                "path (relative to the study file or absolute)"
            )
        if not path.is_file():
            raise ConfigError(
                f"{source}: field '{field}': file not found: {path}; "
                "give a path relative to the study file or an absolute path"
            )


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that rejects a key given twice in one mapping (PyYAML keeps the last) and
    reads YAML 1.2 floats with an exponent (``1e4``, ``-2.5E-3``, ``7.5e1``) as numbers, where
    PyYAML's YAML 1.1 rules read them as strings (see :data:`_YAML12_EXPONENT_FLOAT`)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # '<<: *anchor', merged by PyYAML
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date that YAML's pattern accepts but the calendar does not (``2019-13-45``) is
        a YAML error at its line, not a ``ValueError`` traceback."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date ({exc})", node.start_mark
            ) from None


_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _UniqueKeyLoader.construct_yaml_timestamp
)


#: YAML 1.2 (core schema) floats with an exponent that YAML 1.1 reads as strings: YAML 1.1
#: needs a dot and a signed exponent (``1.0e+4``), YAML 1.2 takes ``1e4``, ``1E4``, ``7.5e1``,
#: ``-2.5E-3``, ``.5e3``. Other floats and the integers already resolve as numbers.
_YAML12_EXPONENT_FLOAT: Final = re.compile(
    r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"
)
# On the loader class only: yaml.SafeLoader itself keeps YAML 1.1 (add_implicit_resolver
# copies the resolver table into the subclass before adding).
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", _YAML12_EXPONENT_FLOAT, list("-+0123456789.")
)


#: Prefix of top-level keys that are not study fields but hold YAML anchors, e.g.
#: ``x-grid: &grid {p_nom: 1500, import_price: 75}`` then ``poi: {<<: *grid, ...}``.
EXTENSION_PREFIX: Final = "x-"
#: Most values a study file may expand to, aliases counted at every use [-]: a study with
#: a large sweep has a few thousand; an alias "bomb" (nested anchors, each used many times)
#: reaches billions and would exhaust memory when the study is validated.
MAX_YAML_VALUES: Final = 100_000


class YamlTooLarge(yaml.YAMLError):
    """A YAML document that expands past :data:`MAX_YAML_VALUES`; its text is the reason."""


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Values ``node`` stands for once every alias is expanded; counted on the node graph
    (shared by aliases), so it costs one visit per distinct node."""
    key = id(node)
    if key not in memo:
        memo[key] = 1  # a recursive alias counts once
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        memo[key] = 1 + sum(_expanded_size(child, memo) for child in children)
    return memo[key]


def _load_yaml(text: str) -> Any:
    """Read YAML text the way study files and ``--set`` values are read.

    Safe (no Python objects), a key given twice in a mapping is an error, YAML 1.2
    exponent floats such as ``1e4`` are numbers, and a document that expands to more than
    :data:`MAX_YAML_VALUES` values (anchors and aliases counted at every use) is refused
    before it is built.

    Raises
    ------
    yaml.YAMLError
        Malformed YAML, a duplicate key or a document too large once aliases are expanded.

    Examples
    --------
    >>> _load_yaml("demand_charge: 1e4")
    {'demand_charge': 10000.0}
    """
    loader = _UniqueKeyLoader(text)  # a SafeLoader subclass
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, {})
        if size > MAX_YAML_VALUES:
            raise YamlTooLarge(
                f"the document expands to {size:.3g} values once its aliases (*name) are "
                f"expanded, more than the {MAX_YAML_VALUES} a study may hold; use anchors "
                "for a few shared blocks, not nested repeats"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def apply_override(raw: dict[str, Any], item: str) -> None:
    """Set one ``dotted.path=VALUE`` override in a raw (unvalidated) study mapping.

    ``VALUE`` is read as YAML like the study file (:func:`_load_yaml`), so ``0.95``, ``1e4``,
    ``true``, ``[solar, battery]`` and ``{path: p.csv, column: usd}`` all work. Sections are
    created as needed; a mapping set on a section is merged into it (``campus.flexibility=
    {window_hours: 12}`` changes that field and keeps the study's other flexibility fields);
    the result is validated like the file itself.

    Raises
    ------
    ConfigError
        If ``item`` is not ``PATH=VALUE``, the value is not valid YAML, or the path runs through
        a field that is not a section.
    """
    path, sep, text = item.partition("=")
    keys = path.strip().split(".")
    if not sep or not all(k.strip() for k in keys):
        raise ConfigError(
            f"--set {item!r}: expected PATH=VALUE with a dotted field path, "
            "e.g. --set policy.cfe_target=0.95"
        )
    try:
        value = _load_yaml(text) if text.strip() else None
    except YamlTooLarge as exc:
        raise ConfigError(f"--set {path.strip()}: {exc}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None)
        why = f" ({problem})" if problem else ""
        raise ConfigError(f"--set {item!r}: the value is not valid YAML{why}; quote it") from None
    node = raw
    for depth, key in enumerate(keys[:-1]):
        if node.get(key.strip()) is None:  # absent, or cleared by an earlier PATH=null
            node[key.strip()] = {}
        child = node[key.strip()]
        if not isinstance(child, dict):
            where = ".".join(keys[: depth + 1])
            raise ConfigError(f"--set {item!r}: '{where}' is a value, not a section")
        node = child
    last = keys[-1].strip()
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        _merge(node[last], value)
    else:
        node[last] = value


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    """Merge ``update`` into ``into`` recursively (mappings into mappings, others replaced)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def parse_study(
    text: str,
    source: str = "<study>",
    base: Path | None = None,
    overrides: Sequence[str] = (),
) -> Study:
    """Validate study YAML text.

    Parameters
    ----------
    text : str
        YAML text of the study.
    source : str
        Name used in error messages (usually the file path).
    base : Path, optional
        Folder against which relative paths are resolved; default the working directory.
    overrides : sequence of str
        ``PATH=VALUE`` overrides applied before validation (see :func:`apply_override`).

    Returns
    -------
    Study

    Raises
    ------
    ConfigError
        Malformed YAML, unknown or missing fields, invalid values, or missing input files.

    Notes
    -----
    Top-level keys starting with ``x-`` are skipped: they hold YAML anchors to merge into
    the study's sections (``x-grid: &grid {...}`` then ``poi: {<<: *grid, p_nom: 1200}``).
    """
    try:
        raw = _load_yaml(text)
    except YamlTooLarge as exc:
        raise ConfigError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{source}: malformed YAML{where}: {problem}; fix the syntax") from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: a study must be a YAML mapping of sections (name, weather, ...)"
        )
    # top-level keys starting with 'x-' hold YAML anchors for reuse (as in docker-compose
    # files); they are not study fields
    raw = {k: v for k, v in raw.items() if not str(k).startswith(EXTENSION_PREFIX)}
    for item in overrides:
        apply_override(raw, item)
    if overrides:
        source = f"{source} (with --set {' '.join(overrides)})"
    try:
        cfg = StudyConfig.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(format_validation_error(source, err)) from None
    _resolve_paths(cfg, (base or Path.cwd()).resolve())
    _check_files(cfg, source)
    _check_catalogue(cfg, source)
    return Study(config=cfg, path=None, text=text, overrides=tuple(overrides))


def load_study(path: str | Path, overrides: Sequence[str] = ()) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path : str or Path
        Study YAML file.
    overrides : sequence of str
        ``PATH=VALUE`` overrides (see :func:`apply_override`).

    Returns
    -------
    Study

    Raises
    ------
    ConfigError
        If the file is missing or invalid (see :func:`parse_study`).
    """
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"{p}: is a folder; give the path of a study YAML file in it")
    if not p.is_file():
        raise ConfigError(f"{p}: study file not found; give the path of a study YAML file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read study file ({exc})") from None
    study = parse_study(text, source=str(p), base=p.parent, overrides=overrides)
    moved = sorted({o.split("=", 1)[0].strip() for o in overrides} & {"currency", "currency_year"})
    if moved:
        logging.getLogger("gridtwin.config").warning(
            "%s: --set %s: the catalogue is converted to %s of %d, but the study's own money "
            "values (poi.import_price, fuel, flexibility and certificate prices) are read as "
            "written, now in that currency and year; convert them too",
            p.name,
            " ".join(moved),
            study.config.currency,
            study.config.currency_year,
        )
    return Study(config=study.config, path=p.resolve(), text=text, overrides=study.overrides)


__all__ = ["apply_override", "input_files", "load_study", "parse_study"]
