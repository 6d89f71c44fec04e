"""Parse YAML or JSON documents, keeping the line of every key so errors can name it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Any

import yaml

from parley.domain.errors import Problem, ValidationFailed

KeyPath = tuple[str | int, ...]
Locator = Callable[[KeyPath], int | None]
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


_Safe: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built


class _LineLoader(_Safe):  # type: ignore[valid-type,misc]
    """Safe loader that rejects duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _index_lines(node: yaml.Node, path: KeyPath, out: dict[KeyPath, int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            sub = (*path, key)
            out[sub] = key_node.start_mark.line + 1
            _index_lines(value_node, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), out)


def _locator(text: str) -> Locator:
    """Lines are indexed on first use only: valid documents (the usual case) never pay for it."""
    lines: dict[KeyPath, int] = {}
    indexed = False

    def locate(path: KeyPath) -> int | None:
        nonlocal indexed
        if not indexed:
            indexed = True
            try:
                node = yaml.compose(text, Loader=_Safe)
                if node is not None:
                    _index_lines(node, (), lines)
            except yaml.YAMLError:
                pass  # JSON that YAML cannot read: errors then name the file without a line
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return lines.get(())

    return locate


def _no_dup_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key '{k}'")
        out[k] = v
    return out


def parse_document(data: bytes, name: str) -> tuple[Any, Locator]:
    """Parse bytes as JSON (name ends .json) or YAML; returns the data and a key-path locator.

    Raises:
        ValidationFailed: naming the file and line of the syntax error, or why the bytes are
            not a text document (binary, too large).
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed([Problem(
            f"file is {len(data)} bytes; at most {MAX_DOCUMENT_BYTES} are allowed", name)])
    if b"\x00" in data:
        raise ValidationFailed([Problem("file is binary, not YAML or JSON text", name)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(
            f"file is not UTF-8 text (byte {exc.start}); expected YAML or JSON", name)]) from exc
    if name.lower().endswith(".json"):
        try:
            value = json.loads(text, object_pairs_hook=_no_dup_pairs)
        except json.JSONDecodeError as exc:
            raise ValidationFailed([Problem(f"malformed JSON: {exc.msg} (column {exc.colno})",
                                            name, exc.lineno)]) from exc
        except ValueError as exc:
            raise ValidationFailed([Problem(f"malformed JSON: {exc}", name)]) from exc
    else:
        try:
            value = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            raise ValidationFailed([Problem(f"malformed YAML: {exc.problem or exc}", name, line)]
                                   ) from exc
        except yaml.YAMLError as exc:
            raise ValidationFailed([Problem(f"malformed YAML: {exc}", name)]) from exc
    return value, _locator(text)


def read_document(path: FsPath) -> tuple[Any, Locator]:
    """Read and parse a YAML or JSON file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed([Problem(f"cannot read file: {exc.strerror}", str(path))]) from exc
    return parse_document(data, str(path))
