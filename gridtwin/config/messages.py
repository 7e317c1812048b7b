"""What a refused study says: pydantic's validation errors as one line naming the field as
written in YAML, the fix, and the other fields with problems."""

from __future__ import annotations

import re
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from gridtwin.config.base import (
    ALL_TECHNOLOGIES,
)
from gridtwin.config.study import SERIES_FIELDS, StudyConfig


def _field_names() -> set[str]:
    names: set[str] = set()
    todo: list[type[BaseModel]] = [StudyConfig]
    while todo:
        model = todo.pop()
        for name, info in model.model_fields.items():
            names.add(name)
            for arg in (*getattr(info.annotation, "__args__", ()), info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in todo:
                    todo.append(arg)
    return names


def _user_location(error: Any, fields: set[str]) -> str:
    """The dotted field path of a pydantic error as the user wrote it.

    pydantic adds union-member tags ('float', 'constrained-float', 'SeriesRef') to locations;
    only field names, technology names (keys of ``technologies.assets``) and list positions
    are kept (and an unknown key as written).
    """
    keep = fields | set(ALL_TECHNOLOGIES)
    *head, last = error["loc"] or ("",)
    parts = [str(p) for p in head if isinstance(p, int) or p in keep]
    if isinstance(last, int) or last in keep or error["type"] == "extra_forbidden":
        parts.append(str(last))
    return ".".join(parts)


#: A validator message that starts with a dotted path below its model's location, e.g.
#: ``technologies.assets.solar: ...`` from the ``technologies`` validator: the error is
#: reported at that path.
_PATH_PREFIX: Final = re.compile(r"^([A-Za-z_]\w*(?:\.\w+)+): (.+)$")

#: A dict or list input with more items than this is not repeated in a message.
_MAX_SHOWN_ITEMS: Final = 3


def _where_and_what(error: Any, fields: set[str]) -> tuple[str, str, bool]:
    """Location, message and whether the input is worth showing, for one pydantic error.

    Errors raised by validators (``value_error``) lose pydantic's ``Value error, `` prefix; a
    message starting with a finer dotted path (see :data:`_PATH_PREFIX`) moves the location
    there. The input is not shown at the top level (it is the whole study), for a dict or list
    of more than a few items, or for a validator's error on a section or a list (its message
    names the values that do not fit).
    """
    loc = _user_location(error, fields)
    text = str(error["msg"])
    value = error.get("input")
    show = bool(loc) and not (
        isinstance(value, dict | list | tuple) and len(value) > _MAX_SHOWN_ITEMS
    )
    if error["type"] == "value_error":
        text = text.removeprefix("Value error, ")
        show = show and not isinstance(value, dict | list | tuple)
        match = _PATH_PREFIX.match(text)
        if match and (not loc or match[1].startswith(f"{loc}.")):
            loc, text = match[1], match[2]
    return loc, text, show


def format_validation_error(source: str, err: ValidationError) -> str:
    """One line naming the first offending field (as written in YAML), the fix, and which
    other fields have problems."""
    fields = _field_names()
    errors = err.errors()
    first = errors[0]
    loc = _where_and_what(first, fields)[0]
    if loc.rsplit(".", 1)[-1] in SERIES_FIELDS and isinstance(first.get("input"), dict):
        # a file reference {path, column, ...}: its own error, not "expected a number"
        inside = [e for e in errors if _where_and_what(e, fields)[0].startswith(f"{loc}.")]
        first = inside[0] if inside else first
    kind = first["type"]
    loc, text, show = _where_and_what(first, fields)
    last = loc.rsplit(".", 1)[-1]
    value = first.get("input")
    got = f" (got {value!r})" if show else ""
    if kind == "extra_forbidden":
        hint = "; remove it or check its spelling (fields are documented in gridtwin/config/)"
        if "." not in loc:
            hint += "; a top-level key that only holds YAML anchors must start with 'x-'"
        msg = f"unknown field '{loc}'"
    elif kind == "missing":
        hint = "; add it"
        msg = f"field '{loc}' is required"
    elif kind == "value_error":  # a validator's message names the fields and the fix
        hint = ""
        msg = f"field '{loc}': {text}{got}" if loc else text
    elif last in SERIES_FIELDS:
        lo, hi = SERIES_FIELDS[last]
        msg = f"field '{loc}': expected a number within [{lo:g}, {hi:g}]{got}"
        hint = "; or give an hourly series as {path: FILE.csv, column: NAME}"
    else:
        hint = "; fix the value"
        msg = f"field '{loc or '(top level)'}': {text}{got}"
    where = {_where_and_what(e, fields)[0] for e in errors}
    others = sorted(w for w in where - {loc} if w)
    more = f" (also: {', '.join(others)})" if others else ""
    return f"{source}: {msg}{hint}{more}"


__all__ = ["format_validation_error"]
