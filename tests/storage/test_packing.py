"""storage/packing.py: documents packed with the preset dictionary unpack to themselves, and
every form stored before it (no dictionary, plain text) still reads."""

from __future__ import annotations

import json
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.domain.case import Case, case_to_dict
from parley.storage.packing import DICTIONARIES, dictionary, pack_document, unpack_document


def test_every_dictionary_is_as_written() -> None:
    """A stored stream names its dictionary by Adler-32: editing a dictionary file would make
    every document packed with it unreadable, so each must still hash to its key."""
    for dict_id in DICTIONARIES:
        assert zlib.adler32(dictionary(dict_id)) == dict_id


@settings(max_examples=50, deadline=None)
@given(st.text())
def test_a_packed_document_unpacks_to_itself(document: str) -> None:
    assert unpack_document(pack_document(document)) == document
    assert unpack_document(zlib.compress(document.encode("utf-8"))) == document  # 0016's
    assert unpack_document(document) == document  # text stored before 0016, read as is


def test_the_dictionary_makes_real_cases_smaller(bundled_cases: list[Case]) -> None:
    texts = [json.dumps(case_to_dict(c), ensure_ascii=False) for c in bundled_cases]
    with_dictionary = sum(len(pack_document(t)) for t in texts)
    without = sum(len(zlib.compress(t.encode("utf-8"), 6)) for t in texts)
    assert with_dictionary < 0.9 * without
    assert all(unpack_document(pack_document(t)) == t for t in texts)


def test_bytes_that_are_not_a_packed_document_read_as_text() -> None:
    assert unpack_document(b'{"id": "x"}') == '{"id": "x"}'
    assert unpack_document(b"\x78\x20garbage") == "x garbage"
