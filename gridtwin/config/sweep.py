"""Scenario sweeps of a study (``gridtwin sweep``): the ``sweep`` section."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field, model_validator

from gridtwin.config.base import (
    StrictModel,
)


class SweepScenario(StrictModel):
    """One explicitly listed scenario of a sweep.

    Attributes
    ----------
    name : str
        Scenario name (letters, digits, ``_ . -``; not starting with ``.``; at most 120
        characters), unique within the sweep; the file name of its result.
    set : dict
        Dotted field path -> value, applied to the study like ``gridtwin run --set``.
    """

    name: Annotated[
        str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
    ]
    set: dict[str, Any] = Field(default_factory=dict)


#: Most scenarios a sweep may define [-]: a sweep of that size already runs for days on a
#: workstation (about 20 aggregated scenarios a minute per worker, ``bench/sweep.py``);
#: larger ones are refused before any list is expanded.
MAX_SCENARIOS = 10_000


class SweepConfig(StrictModel):
    """Scenarios of a study, for ``gridtwin sweep``.

    Every scenario is the study with some fields changed, given by dotted paths as in
    ``gridtwin run --set`` (``policy.cfe_target``, ``campus.flexibility.shift_share``,
    ``technologies.assets.battery.p_nom_max``, ``weather.path`` ...). Exactly one of:

    Attributes
    ----------
    grid : dict of str to list
        Every combination of the listed values (cartesian product), e.g.
        ``{policy.cfe_target: [0.8, 0.9, 1.0], campus.flexibility.shift_share: [0, 0.25]}``
        gives 6 scenarios, named from their values (``cfe_target-0.8_shift_share-0.0``).
    zip : dict of str to list
        The i-th values of all lists together (lists of equal length).
    scenarios : list of SweepScenario
        Named scenarios, each with its own ``set``.
    """

    grid: dict[str, list[Any]] | None = None
    zip: dict[str, list[Any]] | None = None
    scenarios: list[SweepScenario] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SweepConfig:
        given = [k for k in ("grid", "zip", "scenarios") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of sweep.grid (all combinations), sweep.zip (lists taken "
                f"together) or sweep.scenarios (named list); got {given or 'none'}"
            )
        for kind in ("grid", "zip"):
            table = getattr(self, kind) or {}
            for path, values in table.items():
                if not values:
                    raise ValueError(f"sweep.{kind}.{path}: give at least one value")
                if path.split(".")[0] in ("sweep", "name"):
                    raise ValueError(f"sweep.{kind}.{path}: cannot sweep '{path}'")
        count = math.prod(len(v) for v in self.grid.values()) if self.grid else 0
        count = max(count, *(len(v) for v in (self.zip or {}).values()), 0)
        count = max(count, len(self.scenarios or []))
        if count > MAX_SCENARIOS:
            sizes = {k: len(v) for k, v in (self.grid or self.zip or {}).items()}
            raise ValueError(
                f"the sweep defines {count:.3g} scenarios, more than {MAX_SCENARIOS}; "
                f"shorten the lists {sizes or ''} or split the sweep into several studies"
            )
        if self.zip and len({len(v) for v in self.zip.values()}) > 1:
            lengths = {k: len(v) for k, v in self.zip.items()}
            raise ValueError(f"sweep.zip lists must have equal lengths; got {lengths}")
        if self.scenarios:
            names = [s.name for s in self.scenarios]
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"sweep.scenarios names must be unique; repeated: {repeated}")
        return self


__all__ = ["MAX_SCENARIOS", "SweepConfig", "SweepScenario"]
