"""The study YAML reference (docs/reference/study.md), generated from the pydantic schema.

Every section of :class:`~gridtwin.config.study.StudyConfig` becomes a list of definition
blocks, one per field: dotted path (as used by ``--set`` and ``sweep``), type, default and the
field's own description -- its ``description=`` if it has one, else its entry in the
``Attributes`` section of the model's numpydoc docstring (or of a parent model's). Lines are at
most :data:`WIDTH` characters, so the file reads well in a terminal or on GitHub too.

The page is committed; regenerate it after changing the schema with::

    python -m gridtwin.config.reference docs/reference/study.md

``tests/config/test_reference.py`` fails when the committed page is out of date.
"""

from __future__ import annotations

import inspect
import re
import sys
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined


def attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """Descriptions of a model's fields from the ``Attributes`` section of its docstring.

    Names listed together (``p_nom, e_nom : float``) share the description.
    """
    doc = inspect.cleandoc(model.__doc__ or "")
    match = re.search(r"^Attributes\n-+\n(.*?)(?:\n\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
    if not match:
        return {}
    out: dict[str, str] = {}
    names: list[str] = []
    lines: list[str] = []
    for line in match.group(1).splitlines():
        head = re.match(r"^([A-Za-z_][\w, ]*?)\s*:\s*.*$", line)
        if head and not line.startswith(" "):
            for name in names:
                out[name] = " ".join(lines)
            names = [n.strip() for n in head.group(1).split(",")]
            lines = []
        elif line.strip():
            lines.append(line.strip())
    for name in names:
        out[name] = " ".join(lines)
    return out


def _models(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (``X``, ``X | None``, ``list[X]``, ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        for model in _models(arg):
            if model not in found:
                found.append(model)
    return found


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is not None:
        inner = ", ".join(_type_name(a) for a in args)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


#: Longest line of the generated page [characters].
WIDTH = 80

INTRO = """\
# Study YAML reference

A study is one YAML file (`studies/default.yaml` shows every field with its
source). Every field below can also be set from the command line with
`--set PATH=VALUE` and swept in a `sweep:` section by the same dotted path.
Sections that are mappings (`campus.flexibility`, ...) merge: setting one field
keeps the others. Unknown fields are errors. Units are in each description;
money is in the study `currency` of its `currency_year`. A field marked
**required** must be given; every other field has the default shown.

YAML anchors and merge keys work; a top-level key starting with `x-` is not a
field but a place to keep anchors (`x-grid: &grid {p_nom: 1500, import_price:
75}`, then `poi: {<<: *grid, grid_cfe_share: 0.45}`). A file that expands to
more than 100 000 values once its aliases are expanded is refused.

This page is generated from the validation schema itself
(`python -m gridtwin.config.reference docs/reference/study.md`), and a test
fails when it is out of date, so it cannot drift from what `gridtwin run`
accepts.
"""


def _own_entry(model: type[BaseModel], name: str) -> str:
    """The docstring entry of ``name`` in ``model`` or the nearest parent model that lists
    it alone (``a, b : float`` entries are shared, not own)."""
    for klass in model.__mro__:
        if not (isinstance(klass, type) and issubclass(klass, BaseModel)):
            continue
        doc = inspect.cleandoc(klass.__doc__ or "")
        match = re.search(rf"^{re.escape(name)}\s*:", doc, re.M)
        text = attribute_docs(klass).get(name, "")
        if match and text:
            return text
    return ""


def field_description(model: type[BaseModel], name: str) -> str:
    """The field's own description: ``description=`` of the field, else its own entry in the
    ``Attributes`` docstring section of the model or a parent (empty if it has none)."""
    field = model.model_fields[name]
    if field.description:
        return field.description
    return _own_entry(model, name)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _default(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    by_kind: dict[str, dict[str, Any]] = getattr(model, "defaults_by_kind", {})
    kinds = {kind: values[name] for kind, values in by_kind.items() if name in values}
    if kinds:
        return "default by `kind`: " + ", ".join(f"{k} `{_number(v)}`" for k, v in kinds.items())
    if field.is_required():
        return "**required**"
    value = field.default
    if value is PydanticUndefined:
        value = field.default_factory() if field.default_factory else None  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        return "a section (fields below)"
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = str(value).lower()
    elif value == "":
        text = '""'
    elif isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = str(value)
    return f"default `{text}`"


def _text(text: str) -> str:
    """Description text: reST ``literals`` and :role:`targets` as Markdown code."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`").replace("\n", " ")


def _wrap(text: str, indent: str = "") -> str:
    lines = textwrap.wrap(
        text, WIDTH - 2, initial_indent=indent, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip
    for i in range(1, len(lines)):  # a line starting with "|" would be a Markdown table row
        if lines[i].lstrip().startswith("| "):
            lines[i - 1] += " |"
            lines[i] = indent + lines[i].lstrip()[2:]
    return "\n".join(lines)


def study_reference() -> str:
    """Markdown reference of every study section and field (see the module docstring)."""
    from gridtwin.config.study import StudyConfig

    parts: list[str] = []
    seen: set[tuple[str, type[BaseModel]]] = set()

    def section(prefix: str, model: type[BaseModel]) -> None:
        if (prefix, model) in seen:
            return
        seen.add((prefix, model))
        summary = inspect.cleandoc(model.__doc__ or "").split("\n\n")[0].replace("\n", " ")
        title = f"`{prefix}`" if prefix else "Top level"
        parts.append(f"## {title}\n\n{_wrap(_text(summary))}\n")
        nested: list[tuple[str, type[BaseModel]]] = []
        for name, field in model.model_fields.items():
            path = f"{prefix}.{name}" if prefix else name
            kind = _text(_type_name(field.annotation))
            parts.append(f"### `{path}`\n")
            parts.append(_wrap(f"*{kind}*, {_default(model, name)}") + "\n")
            parts.append(_wrap(_text(field_description(model, name))) + "\n")
            for sub in _models(field.annotation):
                origin = typing.get_origin(field.annotation)
                key = f"{path}.<name>" if origin is dict else path
                nested.append((key, sub))
        for path, sub in nested:
            section(path, sub)

    section("", StudyConfig)
    return "\n".join(parts)


def study_page() -> str:
    """The whole page docs/reference/study.md: :data:`INTRO`, then :func:`study_reference`."""
    return INTRO + "\n" + study_reference().rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write :func:`study_page` to the file given (default docs/reference/study.md)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "docs/reference/study.md")
    target.write_text(study_page(), encoding="utf-8")
    print(f"written {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
