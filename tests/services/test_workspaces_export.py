"""Issue 8, item 11, through the export itself (the pseudonymiser alone is tested in
tests/domain/test_anonymise.py): a party "Ana M." and a party whose surname appears alone in a
note; the anonymised export of the workspace names neither. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from parley.domain.access import Classification
from parley.domain.workspace import ItemKind
from tests.support import build, user


def test_anonymised_export_replaces_a_name_ending_in_a_dot_and_a_surname_alone(
        database_url: str, tmp_path: Path) -> None:
    app = build(database_url, tmp_path)
    owner = user(app, "olga")
    ws = app.workspaces.create(owner, "Talks").id
    for name in ("Ana M.", "Luis Ruiz"):
        app.workspaces.create_item(owner, ws, ItemKind.ACTOR, Classification.SECRET,
                                   {"name": name, "type": "person"})
    app.workspaces.create_item(owner, ws, ItemKind.NOTE, Classification.RESTRICTED, {
        "title": "Session with Ana M.", "text": "Ana M. and Ruiz agreed. Ruiz calls Monday."})
    exported = app.workspaces.export(owner, ws, anonymise=True)
    app.close()
    # what was typed (fields) and who (members), not the random ids, where "Ana" could occur
    text_ = json.dumps([[i["fields"] for i in exported["items"]], exported["members"]],
                       ensure_ascii=False)
    assert len(exported["items"]) == 3 and "agreed" in text_ and "Monday" in text_
    for leaked in ("Ana", "M.", "Ruiz", "Luis"):
        assert leaked not in text_, f"{leaked!r} survives the anonymised export: {text_}"
