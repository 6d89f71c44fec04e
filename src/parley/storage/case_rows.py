"""Stored case rows decoded for ranking, shared by the SQLAlchemy store (`case_base`) and the
stdlib reader of the cold command line (`sqlite_reader`): one decoding, so the two cannot
give different pools. No SQLAlchemy here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from parley.domain.access import Visibility
from parley.domain.case import parse_case, parse_value
from parley.domain.codebook import Codebook
from parley.domain.evidence import Unknown, Value
from parley.services.ports import PoolRow
from parley.storage.packing import unpack_document

OUTCOME = "outcome_class"
POOL_COLUMNS = ("id", "title", "summary", "parent_id", "document", "visibility", "owner",
                "workspace_id")
"""The `cases` columns a pool row is decoded from, in `PoolRowDecoder`'s order."""


def visibility_of(value: str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:  # an unknown value written into the database: nobody but the operator
        return Visibility.PRIVATE


def public_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """The digest of the public cases, from their (id, content hash) pairs in id order."""
    return hashlib.sha256("\n".join(f"{i} {h}" for i, h in pairs).encode()).hexdigest()


class PoolRowDecoder:
    """Decode `POOL_COLUMNS` into a `PoolRow`. Values are read from the stored document with
    the domain's own `parse_value` (so they are what `parse_case` would give), without
    building the evidence (a third of the time, half the memory)."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.variables = [*codebook.scenario_variables, codebook[OUTCOME]]

    def __call__(self, values: tuple[Any, ...]) -> PoolRow:
        case_id, title, summary, parent, document, visibility, owner, workspace = values
        document = unpack_document(document)
        stored = json.loads(document)["values"]
        decoded: dict[str, Value | Unknown] = {}
        for var in self.variables:
            entry = stored.get(var.name, "unknown")
            value, problem = parse_value(var, entry["value"] if isinstance(entry, dict)
                                         else entry)
            if value is None or problem is not None:  # not as Parley wrote it: say where
                parse_case(json.loads(document), self.codebook, file=f"database:{case_id}")
                raise RuntimeError(f"case {case_id}: {var.name}: {problem}")
            decoded[var.name] = value
        out = decoded.pop(OUTCOME)
        return PoolRow(case_id, title, summary, parent, str(out), decoded,
                       visibility_of(visibility), owner, workspace)
