"""The case base in memory: `CasesTx` (the changes, inside a fake vault transaction) and
`CaseStore` (the reads, on what the vault has committed).

Mirrors `storage.cases.CaseRecords` and `CaseRepository`: an id is unique (a second insert is a
Conflict), versions are checked when given and move only when the row changes, a missing case
is NotFound, a parent is a plain id (deleting it leaves its sub-cases, as the column has no
foreign key; the service refuses first), and `sync_bundled` reports added, updated (an older
release), restored (changed outside a release) and unchanged ids as the SQL store does.
Full-text search, facets and paging (`list_cases`) stay on the databases: the fake would have
to reimplement FTS5 and PostgreSQL's ranking, and a copy would prove nothing about them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import replace

from parley.domain.access import ANONYMOUS, CaseAccess, CaseReader, Visibility, may_read_case
from parley.domain.case import Case, case_to_dict
from parley.domain.errors import Conflict, NotFound
from parley.domain.listing import CasePage, CaseRecord, Origin, StoredCase, SyncReport
from parley.domain.query import Node, evaluate
from tests.fakes.state import CaseRec, State, check_version


def content_hash(case: Case) -> str:
    """As `storage.cases.content_hash`: SHA-256 of the case's canonical JSON."""
    data = json.dumps(case_to_dict(case), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _missing(case_id: str) -> NotFound:
    return NotFound(f"no case with id '{case_id}'")


class FakeCases:
    """`CasesTx` over a `State`."""

    def __init__(self, state: State) -> None:
        self.st = state

    def _rec(self, case_id: str) -> CaseRec:
        try:
            return self.st.cases[case_id]
        except KeyError:
            raise _missing(case_id) from None

    def records(self, ids: Sequence[str]) -> dict[str, CaseRecord]:
        return {i: self.st.cases[i].record() for i in sorted(set(ids)) if i in self.st.cases}

    def children(self, case_id: str) -> list[CaseRecord]:
        return [r.record() for _, r in sorted(self.st.cases.items())
                if r.case.parent == case_id]

    def get(self, case_id: str) -> StoredCase:
        return self._rec(case_id).stored()

    def insert(self, cases: Sequence[Case], access: CaseAccess, origin: Origin = "user"
               ) -> None:
        for case in cases:
            if case.id in self.st.cases:
                raise Conflict(f"the write conflicts with existing data: cases.id '{case.id}'")
            self.st.cases[case.id] = CaseRec(case, origin, 1, content_hash(case),
                                             access.visibility, access.owner, access.workspace)

    def _rewrite(self, rec: CaseRec, **changes: object) -> CaseRec:
        """`rec` with `changes`; the version moves only if something changed (SQLAlchemy's
        version counter counts UPDATEs, and an unchanged row is not updated)."""
        new = replace(rec, **changes)  # type: ignore[arg-type]
        if new != rec:
            new = replace(new, version=rec.version + 1)
        self.st.cases[rec.case.id] = new
        return new

    def replace(self, case: Case, expected_version: int | None = None) -> int:
        rec = self._rec(case.id)
        if expected_version is not None:
            check_version("case", case.id, rec.version, expected_version)
        return self._rewrite(rec, case=case, content_hash=content_hash(case)).version

    def delete(self, case_id: str, expected_version: int | None = None) -> None:
        rec = self._rec(case_id)
        if expected_version is not None:
            check_version("case", case_id, rec.version, expected_version)
        del self.st.cases[case_id]

    def set_visibility(self, case_id: str, visibility: Visibility, workspace: str | None,
                       owner: str | None) -> int:
        shared = workspace if visibility is Visibility.WORKSPACE else None
        return self._rewrite(self._rec(case_id), visibility=visibility, workspace=shared,
                             owner=owner).version

    def is_empty(self) -> bool:
        return not self.st.cases

    def sync_bundled(self, cases: Sequence[Case]) -> SyncReport:
        installed = self.is_empty()
        added: list[str] = []
        updated: list[str] = []
        restored: list[str] = []
        unchanged = 0
        for case in cases:
            rec = self.st.cases.get(case.id)
            if rec is None:
                self.insert([case], CaseAccess("", True), "bundled")
                added.append(case.id)
                continue
            intact = (rec.origin == "bundled" and rec.owner is None and rec.workspace is None
                      and rec.visibility is Visibility.PUBLIC)
            if intact and rec.case == case:
                unchanged += 1
                continue
            (updated if intact else restored).append(case.id)
            self._rewrite(rec, case=case, content_hash=content_hash(case), origin="bundled",
                          visibility=Visibility.PUBLIC, owner=None, workspace=None)
        return SyncReport(tuple(added), tuple(updated), unchanged, tuple(restored), installed)

    def mark_bundled(self, digest: str) -> None:
        self.st.bundled_digest = digest


class FakeCaseStore:
    """`CaseStore` over the committed state of a fake vault (`state` is read at each call, as
    a repository opens a session per read). Each read sees only what its reader may."""

    def __init__(self, state: Callable[[], State]) -> None:
        self.state = state

    def _seen(self, reader: CaseReader) -> list[CaseRec]:
        return [r for _, r in sorted(self.state().cases.items())
                if may_read_case(reader, r.access)]

    def get(self, case_id: str, *, reader: CaseReader = ANONYMOUS) -> StoredCase:
        rec = self.state().cases.get(case_id)
        if rec is None or not may_read_case(reader, rec.access):
            raise _missing(case_id)
        return rec.stored()

    def ids(self, *, reader: CaseReader = ANONYMOUS) -> set[str]:
        return {r.case.id for r in self._seen(reader)}

    def count(self, *, reader: CaseReader = ANONYMOUS) -> int:
        return len(self._seen(reader))

    def children(self, case_id: str, *, reader: CaseReader = ANONYMOUS) -> list[str]:
        return [r.case.id for r in self._seen(reader) if r.case.parent == case_id]

    def all_cases(self, where: Node | None = None, *,
                  reader: CaseReader = ANONYMOUS) -> list[Case]:
        """The domain's evaluator, which the SQL compiler is tested against
        (tests/storage), decides `where`."""
        return [r.case for r in self._seen(reader)
                if where is None or evaluate(where, {k: v.value
                                                     for k, v in r.case.values.items()})]

    def list_cases(self, where: Node | None = None, search: str | None = None, *,
                   limit: int = 50, offset: int = 0, facets: Sequence[str] = (),
                   reader: CaseReader = ANONYMOUS) -> CasePage:
        raise NotImplementedError("listing, full-text search and facets are the SQL stores' "
                                  "own: test them on a database")
