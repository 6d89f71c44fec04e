"""Parse YAML or JSON documents, keeping the line of every key so errors can name it.

Every document a user can hand Parley (case files, scenarios, mappings, JSON request bodies)
goes through the limits here, so a hostile file costs at most a linear pass over its bytes:

* size: at most MAX_DOCUMENT_BYTES (the web refuses larger bodies before reading them);
* YAML aliases (``*name``): refused. An alias re-uses a node, so nine aliases per level over
  eight levels expand a 288-byte file into 43 million values, and ``&a [*a]`` is a cycle. No
  file Parley reads needs them: write the value out again;
* nesting: at most MAX_DEPTH levels of mappings and sequences (JSON or YAML);
* integers: at most MAX_INTEGER_DIGITS digits (Python refuses over 4,300 with a ValueError);
* text: no lone UTF-16 surrogates (``"\\ud800"`` in JSON), which no UTF-8 store can hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Any

import yaml

from parley.domain.errors import Problem, ValidationFailed

KeyPath = tuple[str | int, ...]
Locator = Callable[[KeyPath], int | None]
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
MAX_INTEGER_DIGITS = 100
_YAML_INT = re.compile(r"[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(:[0-5]?[0-9])*)")


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
        value = parse_json_text(text, name)
    else:
        try:
            _check_yaml_events(text, name)
            value = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            raise ValidationFailed([Problem(f"malformed YAML: {exc.problem or exc}", name, line)]
                                   ) from exc
        except yaml.YAMLError as exc:
            raise ValidationFailed([Problem(f"malformed YAML: {exc}", name)]) from exc
        except (ValueError, RecursionError) as exc:  # a value no check above foresaw
            raise ValidationFailed([Problem(f"unreadable YAML value: {exc}", name)]) from exc
        _check_text(value, name, _locator(text))
    return value, _locator(text)


def _check_yaml_events(text: str, name: str) -> None:
    """One pass over the parser's events, before anything is built: refuse aliases, deep
    nesting and over-long integers with the line where they are."""
    depth = 0
    for event in yaml.parse(text, Loader=_Safe):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise ValidationFailed([Problem(
                f"YAML alias *{event.anchor} is not allowed: aliases can expand a small file "
                "into an enormous one (or a cycle); write the value out instead", name, line)])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ValidationFailed([Problem(
                    f"nested more than {MAX_DEPTH} levels deep; at most {MAX_DEPTH} are allowed",
                    name, line)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif (isinstance(event, yaml.ScalarEvent) and not event.style  # plain: '' or None
              and len(event.value) > MAX_INTEGER_DIGITS and _YAML_INT.fullmatch(event.value)):
            raise ValidationFailed([Problem(
                f"integer of {len(event.value)} characters; at most {MAX_INTEGER_DIGITS} digits "
                "are allowed", name, line)])


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"integer of {len(text)} characters; at most {MAX_INTEGER_DIGITS} "
                         "digits are allowed")
    return int(text)


def parse_json_text(text: str, name: str) -> Any:
    """Parse JSON text within the limits (depth, integer length, no lone surrogates).

    Raises:
        ValidationFailed: naming `name`, the line where the syntax breaks, or the key path
            of the value over a limit.
    """
    try:
        value = json.loads(text, object_pairs_hook=_no_dup_pairs, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise ValidationFailed([Problem(f"malformed JSON: {exc.msg} (column {exc.colno})",
                                        name, exc.lineno)]) from exc
    except RecursionError as exc:
        raise ValidationFailed([Problem(
            f"JSON nested too deeply; at most {MAX_DEPTH} levels are allowed", name)]) from exc
    except ValueError as exc:
        raise ValidationFailed([Problem(f"malformed JSON: {exc}", name)]) from exc
    _check_text(value, name, None)
    return value


def _check_text(value: Any, name: str, locate: Locator | None) -> None:
    """Walk the parsed value (without recursion): depth within MAX_DEPTH, text encodable."""
    stack: list[tuple[Any, KeyPath]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise ValidationFailed([Problem(
                f"nested more than {MAX_DEPTH} levels deep; at most {MAX_DEPTH} are allowed",
                name, locate(path) if locate else None, field=_dotted(path[:MAX_DEPTH]))])
        if isinstance(node, str):
            _check_str(node, name, path, locate)
        elif isinstance(node, dict):
            for key, item in node.items():
                sub = (*path, key if isinstance(key, int) else str(key))
                if isinstance(key, str):
                    _check_str(key, name, sub, locate)
                stack.append((item, sub))
        elif isinstance(node, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(node))


def _check_str(text: str, name: str, path: KeyPath, locate: Locator | None) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationFailed([Problem(
            f"text holds a lone UTF-16 surrogate (\\u{ord(text[exc.start]):04x} at character "
            f"{exc.start}); only valid Unicode text is allowed", name,
            locate(path) if locate else None, field=_dotted(path) or None)]) from None
    if "\x00" in text:  # no text Parley keeps holds one, and PostgreSQL refuses it
        raise ValidationFailed([Problem(
            f"text holds a NUL character (\\u0000 at character {text.index(chr(0))}); "
            "it is not allowed", name, locate(path) if locate else None,
            field=_dotted(path) or None)])


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


def parse_json_body(data: bytes, name: str = "request body") -> Any:
    """A JSON request body, bytes as received: size, UTF-8 and every limit of parse_json_text."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed([Problem(
            f"body is {len(data)} bytes; at most {MAX_DOCUMENT_BYTES} are allowed", name)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(
            f"body is not UTF-8 text (byte {exc.start}); expected JSON", name)]) from exc
    return parse_json_text(text, name)


def read_document(path: FsPath) -> tuple[Any, Locator]:
    """Read and parse a YAML or JSON file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed([Problem(f"cannot read file: {exc.strerror}", str(path))]) from exc
    return parse_document(data, str(path))
