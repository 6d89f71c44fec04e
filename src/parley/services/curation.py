"""Changes to the case base: import, edit, delete, visibility, and the bundled cases' sync.

Each change is one unit of work: the actor's account is read inside the transaction (a curator
flag taken away meanwhile holds), `is_allowed` decides the case action for its account role,
the per-case rules of `domain.access` decide the rest (`may_read_case`, `case_change_refusal`,
`audience_covers`), then the change and ONE audit entry commit together.

- Only curators and administrators change the case base (the operator at the command line
  too, audited under its own actor name).
- A case someone cannot see is answered as a missing one (404), never 403.
- Bundled cases change only through a release: replacing, editing, deleting them or changing
  their visibility is refused, naming the case and why; `sync_bundled` (at `parley db upgrade`
  and every start) rewrites any bundled id whose stored content differs from its file.
- A sub-case is never seen by more people than its parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from parley.domain.access import (
    ANONYMOUS,
    OPERATOR,
    Action,
    CaseAccess,
    CaseReader,
    Visibility,
    audience_covers,
    case_change_refusal,
    is_allowed,
    may_read_case,
)
from parley.domain.account import SYSTEM, Principal
from parley.domain.audit import (
    BundledCasesSynced,
    CaseDeleted,
    CasesImported,
    CaseUpdated,
    CaseVisibilityChanged,
)
from parley.domain.case import Case
from parley.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    Problem,
    ValidationFailed,
)
from parley.domain.listing import CaseRecord, StoredCase, SyncReport
from parley.services.cases import CaseCatalogue, RawDocument
from parley.services.ports import VaultStore, VaultTx

CURATOR_NEEDED = ("changing the case base needs a curator or administrator account (the "
                  "operator grants it: `parley users curator NAME`)")
BUNDLED_PROBLEM = ("is a bundled case: bundled cases change only through a Parley release and "
                   "`parley db upgrade`; import your version under another id")
TAKEN = ("this id is taken by a case you cannot see; choose another id")


class CaseCuration:
    """Who may change the case base, and the change with its audit entry."""

    def __init__(self, vault: VaultStore, catalogue: CaseCatalogue) -> None:
        self.vault = vault
        self.catalogue = catalogue

    # -- who reads ---------------------------------------------------------------------------

    def reader(self, actor: Principal | None) -> CaseReader:
        """What `actor` reads as: anonymous, the operator (everything), or an account with
        the workspaces it belongs to (cases shared with them)."""
        if actor is None:
            return ANONYMOUS
        if actor.system:
            return OPERATOR
        with self.vault.read() as tx:
            return _reader_in(tx, actor)

    def seen_by(self, actor: Principal | None) -> CaseCatalogue:
        """The case base as `actor` sees it."""
        return self.catalogue.seen_by(self.reader(actor))

    # -- the one permission check ------------------------------------------------------------

    @staticmethod
    def _authorise(tx: VaultTx, actor: Principal, *actions: Action) -> CaseReader:
        """The actor's reader, after checking its account (as stored now) may take `actions`."""
        if actor.system:
            return OPERATOR
        user = tx.accounts.get_user(actor.name)
        if user is None or user.disabled:
            raise NotAuthenticated("sign in first (API: Authorization: Bearer <token>)")
        for action in actions:
            if not is_allowed(None, action, scope=actor.scope, account=user.account_role):
                if is_allowed(None, action, account=user.account_role):
                    raise Forbidden("a read-only token cannot change the case base")
                raise Forbidden(CURATOR_NEEDED)
        return _reader_in(tx, actor)

    @staticmethod
    def _changeable(reader: CaseReader, record: CaseRecord | None, case_id: str) -> CaseRecord:
        """The record, if the reader may change it: 404 unseen, 409 bundled, 403 not theirs."""
        if record is None:
            raise NotFound(f"no case with id '{case_id}'")
        refusal = case_change_refusal(reader, record.access)
        if refusal is None:
            return record
        kind, message = refusal
        if kind == "missing":
            raise NotFound(message)
        if kind == "bundled":
            raise Conflict(message)
        raise Forbidden(message)

    @staticmethod
    def _target(tx: VaultTx, reader: CaseReader, visibility: Visibility,
                workspace: str | None) -> str | None:
        """The workspace a case is shared with (None unless `visibility` is WORKSPACE); a
        workspace the actor is no member of is answered as missing."""
        if visibility is not Visibility.WORKSPACE:
            if workspace:
                raise ValidationFailed([Problem(
                    f"is only for visibility 'workspace' (this is '{visibility.value}')",
                    field="workspace")])
            return None
        if not workspace:
            raise ValidationFailed([Problem("name the workspace to share the case with "
                                            "(visibility 'workspace')", field="workspace")])
        known = (tx.workspaces.workspace_exists(workspace) if reader.everything
                 else workspace in reader.workspaces)
        if not known:
            raise NotFound(f"no workspace '{workspace}'")
        return workspace

    # -- changes -----------------------------------------------------------------------------

    def import_documents(self, actor: Principal, documents: Sequence[tuple[str, RawDocument]],
                         *, replace_existing: bool = False,
                         visibility: Visibility = Visibility.PRIVATE,
                         workspace: str | None = None, owner: str | None = None) -> list[str]:
        """Validate every case, then store all or nothing, audited as one `cases.imported`.

        New cases belong to the actor (the operator may name an `owner`, or none) with
        `visibility`; replaced cases keep their owner and visibility. Bundled ids, ids of cases
        the actor cannot see, and (unless `replace_existing`) stored ids are refused, each
        named.
        """
        cases = self.catalogue.parse_documents(documents)
        problems = _duplicates(cases)
        actions = [Action.CASE_IMPORT] + ([Action.CASE_PUBLISH]
                                          if visibility is Visibility.PUBLIC else [])
        with self.vault.write() as tx:
            reader = self._authorise(tx, actor, *actions)
            if not actor.system and owner not in (None, actor.name):
                raise Forbidden("only the operator can import cases for another account")
            owner = actor.name if not actor.system else owner
            if owner is not None and tx.accounts.get_user(owner) is None:
                raise NotFound(f"no user '{owner}'")
            shared = self._target(tx, reader, visibility, workspace)
            existing = tx.cases.records([c.id for c in cases])
            replaced: list[str] = []
            for case_id, record in sorted(existing.items()):
                refusal = case_change_refusal(reader, record.access)
                kind, message = refusal if refusal else ("", "")
                if kind == "bundled":
                    problems.append(Problem(BUNDLED_PROBLEM, case=case_id, field="id"))
                elif kind == "missing":
                    problems.append(Problem(TAKEN, case=case_id, field="id"))
                elif not replace_existing:
                    problems.append(Problem("a case with this id already exists (use replace "
                                            "to overwrite it)", case=case_id, field="id"))
                elif kind == "owner":
                    problems.append(Problem(message, case=case_id, field="id"))
                else:
                    replaced.append(case_id)
            if replaced and not actor.system:
                self._authorise(tx, actor, Action.CASE_UPDATE)
            new_access = CaseAccess("", False, visibility, owner, shared)
            access = {c.id: (existing[c.id].access if c.id in existing
                             else replace(new_access, id=c.id)) for c in cases}
            problems += self._parent_problems(tx, reader, cases, access)
            if problems:
                raise ValidationFailed(problems)
            tx.cases.insert([c for c in cases if c.id not in existing], new_access)
            for case in cases:
                if case.id in existing:
                    tx.cases.replace(case)
            tx.audit.append(actor.name, CasesImported(
                shared, added=tuple(c.id for c in cases if c.id not in existing),
                replaced=tuple(replaced), visibility=visibility.value, owner=owner or ""))
        return [c.id for c in cases]

    @staticmethod
    def _parent_problems(tx: VaultTx, reader: CaseReader, cases: Sequence[Case],
                         access: dict[str, CaseAccess]) -> list[Problem]:
        """A parent must exist where the actor sees it (in the batch or stored), and be seen
        by everyone who will see the sub-case."""
        outside = sorted({c.parent for c in cases if c.parent and c.parent not in access})
        stored = {i: r.access for i, r in tx.cases.records(outside).items()
                  if may_read_case(reader, r.access)}
        problems: list[Problem] = []
        for case in cases:
            if case.parent is None:
                continue
            parent = access.get(case.parent) or stored.get(case.parent)
            if parent is None:
                problems.append(Problem(f"parent '{case.parent}' is not a known case",
                                        case=case.id, field="parent"))
            elif not audience_covers(parent, access[case.id]):
                problems.append(Problem(
                    f"parent '{case.parent}' is seen by fewer people than this case would be "
                    f"({access[case.id].visibility.value}); share or publish the parent first",
                    case=case.id, field="parent"))
        return problems

    def update(self, actor: Principal, case_id: str, document: RawDocument,
               expected_version: int, *, name: str = "body") -> StoredCase:
        """Replace one stored case's content (an edit); its owner and visibility stay."""
        cases = self.catalogue.parse_documents([(name, document)])
        if len(cases) != 1:
            raise InvalidInput(f"give exactly one case to replace '{case_id}' (got "
                               f"{len(cases)})")
        case = cases[0]
        if case.id != case_id:
            raise ValidationFailed([Problem(
                f"must be '{case_id}', the case being edited (to rename a case, import it "
                "under the new id and delete the old one)", file=name, case=case.id,
                field="id")])
        with self.vault.write() as tx:
            reader = self._authorise(tx, actor, Action.CASE_UPDATE)
            record = self._changeable(reader, tx.cases.records([case_id]).get(case_id), case_id)
            problems = self._parent_problems(tx, reader, [case], {case_id: record.access})
            if problems:
                raise ValidationFailed(problems)
            version = tx.cases.replace(case, expected_version)
            stored = tx.cases.records([case_id])[case_id]
            tx.audit.append(actor.name, CaseUpdated(case=case_id, version=version,
                                                    content_hash=stored.content_hash))
            return tx.cases.get(case_id)

    def delete(self, actor: Principal, case_id: str, expected_version: int | None = None
               ) -> None:
        """Delete a stored case that has no sub-cases."""
        with self.vault.write() as tx:
            reader = self._authorise(tx, actor, Action.CASE_DELETE)
            record = self._changeable(reader, tx.cases.records([case_id]).get(case_id), case_id)
            kids = tx.cases.children(case_id)
            if kids:
                seen = [k.access.id for k in kids if may_read_case(reader, k.access)]
                unseen = len(kids) - len(seen)
                named = ", ".join(seen) + (f"{' and ' if seen else ''}{unseen} case(s) you "
                                           "cannot see" if unseen else "")
                raise Conflict(f"case '{case_id}' is the parent of {named}; delete them or "
                               "give them another parent first")
            tx.cases.delete(case_id, expected_version)
            tx.audit.append(actor.name, CaseDeleted(
                record.access.workspace, case=case_id, owner=record.access.owner or "",
                visibility=record.access.visibility.value))

    def set_visibility(self, actor: Principal, case_id: str, visibility: Visibility,
                       workspace: str | None = None) -> StoredCase:
        """Publish a case (public), share it with a workspace the actor belongs to, or make
        it private. A case without an owner that stops being public becomes the actor's."""
        with self.vault.write() as tx:
            reader = self._authorise(tx, actor, Action.CASE_PUBLISH)
            record = self._changeable(reader, tx.cases.records([case_id]).get(case_id), case_id)
            shared = self._target(tx, reader, visibility, workspace)
            owner = record.access.owner
            if owner is None and visibility is not Visibility.PUBLIC and not actor.system:
                owner = actor.name
            new = replace(record.access, visibility=visibility, workspace=shared, owner=owner)
            if record.parent is not None:
                parent = tx.cases.records([record.parent]).get(record.parent)
                if parent is not None and not audience_covers(parent.access, new):
                    raise Conflict(f"parent '{record.parent}' is seen by fewer people than "
                                   f"'{case_id}' would be; share or publish the parent first")
            wider = [k for k in tx.cases.children(case_id) if not audience_covers(new, k.access)]
            if wider:
                seen = [k.access.id for k in wider if may_read_case(reader, k.access)]
                raise Conflict(f"{len(wider)} sub-case(s) of '{case_id}' "
                               f"{'(' + ', '.join(seen) + ') ' if seen else ''}are seen by "
                               "more people than it would be; narrow them first")
            tx.cases.set_visibility(case_id, visibility, shared, owner)
            tx.audit.append(actor.name, CaseVisibilityChanged(
                shared, case=case_id, visibility=visibility.value,
                previous=record.access.visibility.value))
            return tx.cases.get(case_id)

    def sync_bundled(self, cases: Sequence[Case], actor: Principal = SYSTEM,
                     digest: str | None = None) -> SyncReport:
        """Make every bundled id hold its bundled file (`parley db upgrade`, every start).

        Audited as one `bundled.synced` whenever it changed anything, except the first load
        into an empty case base (installing the release is not a change of anyone's data).
        """
        with self.vault.write() as tx:
            report = tx.cases.sync_bundled(cases)
            if digest is not None:
                tx.cases.mark_bundled(digest)
            if report.changed and not report.installed:
                tx.audit.append(actor.name, BundledCasesSynced(
                    added=report.added, updated=report.updated, restored=report.restored))
        return report


def _reader_in(tx: VaultTx, actor: Principal) -> CaseReader:
    return CaseReader(actor.name, frozenset(tx.workspaces.workspace_ids_of(actor.name)))


def _duplicates(cases: Sequence[Case]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            problems.append(Problem("duplicate id in the imported files", case=c.id, field="id"))
        seen.add(c.id)
    return problems
