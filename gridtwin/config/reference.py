"""The study YAML reference (docs/reference/study.md), generated from the pydantic schema.

Every section of :class:`~gridtwin.config.study.StudyConfig` becomes a table of its fields:
dotted path (as used by ``--set`` and ``sweep``), type, default and the description from the
``Attributes`` section of the model's numpydoc docstring. Nothing is written by hand, so the
reference cannot drift from the validation.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
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


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.default
    if value is PydanticUndefined:
        value = field.default_factory() if field.default_factory else None
    if isinstance(value, BaseModel):
        return "(section)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if value == "":
        return '`""`'
    return f"`{value}`" if value != [] else "`[]`"


def _cell(text: str) -> str:
    """Table cell text: reST ``literals`` and :role:`targets` as Markdown code, pipes escaped."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return text.replace("|", "\\|").replace("\n", " ")


def study_reference() -> str:
    """Markdown tables of every study section and field (see the module docstring)."""
    from gridtwin.config.study import StudyConfig

    parts: list[str] = []
    seen: set[tuple[str, type[BaseModel]]] = set()

    def section(prefix: str, model: type[BaseModel]) -> None:
        if (prefix, model) in seen:
            return
        seen.add((prefix, model))
        docs = attribute_docs(model)
        summary = inspect.cleandoc(model.__doc__ or "").split("\n\n")[0].replace("\n", " ")
        title = f"`{prefix}`" if prefix else "Top level"
        parts.append(f"## {title}\n\n{summary}\n")
        parts.append("| field | type | default | description |\n| --- | --- | --- | --- |")
        nested: list[tuple[str, type[BaseModel]]] = []
        for name, field in model.model_fields.items():
            path = f"{prefix}.{name}" if prefix else name
            parts.append(
                f"| `{path}` | {_cell(_type_name(field.annotation))} | {_default(field)} | "
                f"{_cell(docs.get(name, ''))} |"
            )
            for sub in _models(field.annotation):
                origin = typing.get_origin(field.annotation)
                key = f"{path}.<name>" if origin is dict else path
                nested.append((key, sub))
        parts.append("")
        for path, sub in nested:
            section(path, sub)

    section("", StudyConfig)
    return "\n".join(parts)
