"""Parse limits of YAML and JSON documents (issue 8, items 2 and 12): each hostile input is
refused quickly with a ValidationFailed naming the file and line (or field)."""

from __future__ import annotations

import time

import pytest

from parley.domain.errors import ValidationFailed
from parley.interchange.documents import parse_document

MAX_DEPTH = 64


def alias_bomb() -> bytes:
    """The issue's bomb: 288 bytes, 8 levels of 9 aliases, used in `id` and `title`."""
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    data = ("\n".join([*lines, "id: *h", "title: *h"]) + "\n").encode()
    assert len(data) == 288
    return data


def refused(data: bytes, name: str) -> str:
    start = time.monotonic()
    with pytest.raises(ValidationFailed) as info:
        parse_document(data, name)
    assert time.monotonic() - start < 2
    return str(info.value)


def test_alias_bomb_is_refused_at_its_first_alias() -> None:
    message = refused(alias_bomb(), "bomb.yaml")
    assert message.startswith("bomb.yaml:2: YAML alias *a is not allowed"), message


def test_self_referencing_alias_is_refused() -> None:
    message = refused(b"id: x\ntitle: &a [*a]\n", "loop.yaml")
    assert message.startswith("loop.yaml:2: YAML alias *a is not allowed"), message


@pytest.mark.parametrize("name", ["big.yaml", "big.json"])
def test_integer_over_4300_digits_is_refused(name: str) -> None:
    digits = b"7" * 4301
    data = b'{"id": "x", "start_year": ' + digits + b"}" if name.endswith(".json") \
        else b"id: x\nstart_year: " + digits + b"\n"
    message = refused(data, name)
    assert "integer of 4301 characters; at most 100 digits are allowed" in message
    assert message.startswith(name)


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_nesting_100000_deep_is_refused(name: str) -> None:
    message = refused(b"[" * 100_000 + b"]" * 100_000, name)
    assert "nest" in message and message.startswith(name), message


def test_nesting_just_over_the_limit_names_the_line() -> None:
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    message = refused(f"id: x\ntitle: {deep}\n".encode(), "deep.yaml")
    assert message.startswith("deep.yaml:2: nested more than 64 levels"), message


def test_lone_surrogate_is_refused_naming_the_field() -> None:
    message = refused(b'{"id": "x", "title": "a\\ud800b"}', "s.json")
    assert "field 'title'" in message and "lone UTF-16 surrogate" in message, message
    from parley.interchange.documents import parse_json_body

    with pytest.raises(ValidationFailed, match=r"title.*surrogate"):
        parse_json_body(b'{"title": "\\ud800"}')


def test_ordinary_documents_still_parse() -> None:
    value, _ = parse_document(b"id: x\ntitle: T\nstart_year: 2012\nlist: [a, b]\n", "ok.yaml")
    assert value == {"id": "x", "title": "T", "start_year": 2012, "list": ["a", "b"]}
    anchored, _ = parse_document(b"id: &i x\n", "anchor.yaml")  # an anchor alone is harmless
    assert anchored == {"id": "x"}
