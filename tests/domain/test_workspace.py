"""Workspace items: declared fields, validation naming each field, filters, personal names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parley.domain.access import Classification
from parley.domain.anonymise import Pseudonymiser, pseudonym
from parley.domain.errors import ValidationFailed
from parley.domain.workspace import (
    KINDS,
    Item,
    ItemKind,
    parse_filter,
    personal_names,
    validate_fields,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def item(kind: ItemKind, **fields: object) -> Item:
    return Item("i1", "w1", kind, Classification.SECRET, validate_fields(kind, fields), 1, "u",
                NOW, NOW)


def test_every_kind_of_the_issue_is_declared() -> None:
    assert {k.value for k in KINDS} == {
        "actor", "relationship", "demand", "agenda-item", "redline", "process-design",
        "victims-justice", "leniency-condition", "commitment", "breach", "dispute-step",
        "contingency", "note", "document", "session", "incident",
        "situation", "risk-response"}  # the living assessment's (issue 11, item 2)
    commitment = {f.name for f in KINDS[ItemKind.COMMITMENT]}
    assert {"actor", "text", "deadline", "status", "verification", "status_history"
            } <= commitment


def test_validation_names_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        validate_fields(ItemKind.COMMITMENT, {"text": "", "status": "done", "deadline": "soon",
                                              "colour": "red"})
    fields = {p.field for p in err.value.problems}
    assert fields == {"text", "status", "deadline", "colour"}
    assert "proposed, agreed" in str(err.value)


def test_normalisation() -> None:
    fields = validate_fields(ItemKind.ACTOR, {"name": "  Don\x00 Pedro ", "type": "person",
                                              "influence": "4", "interests": "a; b;;"})
    assert fields["name"] == "Don Pedro"
    assert fields["influence"] == 4
    assert fields["interests"] == ["a", "b"]
    with pytest.raises(ValidationFailed, match="between 1 and 5"):
        validate_fields(ItemKind.ACTOR, {"name": "x", "type": "person", "influence": 9})


def test_filters_reject_unknown_codes_and_match() -> None:
    with pytest.raises(ValidationFailed, match="status"):
        parse_filter(None, None, "' OR 1=1 --", None)
    with pytest.raises(ValidationFailed, match="kind"):
        parse_filter("note; DROP TABLE", None, None, None)
    f = parse_filter("commitment", "secret", "agreed", "amnesty")
    c = item(ItemKind.COMMITMENT, text="Amnesty for minors", status="agreed")
    assert f.matches(c)
    assert not f.matches(item(ItemKind.NOTE, title="amnesty"))


def test_personal_names_and_stable_pseudonyms() -> None:
    items = [item(ItemKind.ACTOR, name="Ana Ruiz", type="person"),
             item(ItemKind.ACTOR, name="Barrio 18", type="criminal-group"),
             item(ItemKind.SESSION, date="2026-01-02", participants=["Luis Mora"])]
    names = personal_names(items)
    assert names == {"Ana Ruiz", "Luis Mora"}
    p = Pseudonymiser(names, b"k")
    assert p.text("Ana Ruiz met luis mora; Barrio 18 absent") == (
        f"{pseudonym('Ana Ruiz', b'k')} met {pseudonym('Luis Mora', b'k')}; Barrio 18 absent")
    assert pseudonym("Ana Ruiz", b"k") == pseudonym("ana  ruiz", b"k") != pseudonym("Ana Ruiz", b"j")
