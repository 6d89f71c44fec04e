"""The kinds' declarations agree with the codebook, and older items upgrade losing nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from parley.domain.item_kinds import (
    ACTOR_TYPES,
    KINDS,
    RULES,
    FieldType,
    ItemKind,
    upgrade_legacy,
)
from parley.domain.workspace import validate_fields
from parley.knowledge.loader import load_codebook


def test_every_codebook_field_offers_exactly_the_codebooks_codes() -> None:
    codebook = load_codebook()
    declared = [(k, f) for k, specs in KINDS.items() for f in specs if f.codebook]
    assert {f.codebook for _, f in declared} >= {"spoilers", "group_demands", "secrecy",
                                                 "design_elements", "justice_mechanisms"}
    for kind, spec in declared:
        codes = tuple(codebook[str(spec.codebook)].codes)
        assert spec.choices == codes, f"{kind.value}.{spec.name} drifted from the codebook"


def test_every_kind_has_its_rules_and_links_name_a_kind() -> None:
    assert set(RULES) == set(KINDS)
    assert [k for k in KINDS if RULES[k].single] == [ItemKind.PROCESS_DESIGN,
                                                     ItemKind.SITUATION]
    for specs in KINDS.values():
        for f in specs:  # a link names its kind, but for what addresses a risk (any item)
            if f.name != "addressed_by":
                assert (f.type is FieldType.REF) == (f.refers_to is not None)


old_party = st.fixed_dictionaries({
    "name": st.text(min_size=1, max_size=20).filter(str.strip),
    "type": st.sampled_from(ACTOR_TYPES),
    "role": st.none() | st.text(max_size=10),
    "stance": st.sampled_from(["supportive", "open", "neutral", "sceptical", "opposed",
                               "spoiler", "unknown"]) | st.none(),
    "influence": st.none() | st.integers(0, 5),
    "interests": st.lists(st.text(min_size=1, max_size=10), max_size=3),
    "notes": st.none() | st.text(max_size=30),
})


@given(old_party)
def test_a_party_becomes_a_valid_actor_keeping_every_value(party: dict[str, Any]) -> None:
    kind, fields = upgrade_legacy("party", party)
    assert kind is ItemKind.ACTOR
    assert set(fields) <= {f.name for f in KINDS[ItemKind.ACTOR]}
    for key in ("name", "type", "role", "interests"):
        assert fields[key] == party[key]
    if party["notes"]:
        assert party["notes"] in fields["notes"]
    if party["stance"] == "spoiler":
        assert fields["spoiler_type"] == "unspecified"
    if party["influence"] == 0:
        assert "recorded as 0" in fields["notes"]
    # what comes out passes today's validation (names are cleaned the same way)
    validate_fields(ItemKind.ACTOR, {k: v for k, v in fields.items() if v is not None
                                     and k not in ("name", "interests", "role", "notes")}
                    | {"name": "x"})
    assert upgrade_legacy("actor", fields) == (ItemKind.ACTOR, fields)  # idempotent
