"""The stored audit chain verifies after any sequence of appends (property test, SQLite)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.domain.audit import (
    ItemCreated,
    ItemUpdated,
    LoginFailed,
    SecretRead,
    WorkspaceExported,
)
from tests.support import build

text = st.text(max_size=12)
events = st.one_of(
    st.builds(ItemCreated, workspace=text, item=text, kind=text, classification=text),
    st.builds(ItemUpdated, workspace=text, item=text, version=st.integers(0, 10**6),
              changed=st.lists(text, max_size=3).map(tuple)),
    st.builds(LoginFailed, user=text, reason=text),
    st.builds(SecretRead, workspace=st.none() | text,
              items=st.lists(text, max_size=3).map(tuple)),
    st.builds(WorkspaceExported, workspace=text, anonymised=st.booleans(),
              items=st.integers(0, 100)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(st.tuples(text, events), max_size=6), max_size=4))
def test_random_appends_verify(tmp_path: Path, batches: list[list[tuple[str, object]]]) -> None:
    app = build(f"sqlite:///{tmp_path / 'audit.db'}", tmp_path)
    before = app.audit.verify().count
    for batch in batches:  # each batch is one transaction
        with app.vault.write() as tx:
            for actor, event in batch:
                tx.audit.append(actor[:64] or "-", event)  # type: ignore[arg-type]
    report = app.audit.verify()
    assert report.ok, report.reason
    assert report.count == before + sum(len(b) for b in batches)
    app.close()
