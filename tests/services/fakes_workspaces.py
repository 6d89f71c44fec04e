"""In-memory fakes of `WorkspacesTx` and `AuditTx` (and a vault holding them), so the workspace
service's rules are tested without a database, alongside the real SQLite and PostgreSQL.

A write transaction holds one lock (like SQLite's BEGIN IMMEDIATE) and works on a copy of the
state that replaces the state only on success, so a refused write changes nothing.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from parley.domain.access import Classification, Role
from parley.domain.audit import AuditEntry
from parley.domain.errors import Conflict, NotFound
from parley.domain.workspace import (
    Attachment,
    Item,
    ItemKind,
    ItemListing,
    ItemUnreadable,
    Member,
    Workspace,
)
from tests.services.fake_audit import FakeAudit


@dataclass
class State:
    users: set[str] = field(default_factory=set)
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    members: dict[str, dict[str, Role]] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)  # insertion order = creation order
    files: dict[str, bytes] = field(default_factory=dict)
    corrupt: set[str] = field(default_factory=set)  # item ids that fail their check
    audit: list[AuditEntry] = field(default_factory=list)
    audit_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


def _now() -> datetime:
    return datetime.now(UTC)


def _check_version(what: str, ident: str, current: int, expected: int) -> None:
    if current != expected:
        raise Conflict(f"{what} '{ident}' was changed by someone else (version {current}, "
                       f"yours {expected})")


class FakeWorkspaces:
    """`WorkspacesTx` over a `State`."""

    def __init__(self, st: State) -> None:
        self.st = st

    def _ws(self, workspace_id: str) -> Workspace:
        try:
            return self.st.workspaces[workspace_id]
        except KeyError:
            raise NotFound(f"no workspace '{workspace_id}'") from None

    def _user(self, name: str) -> str:
        if name not in self.st.users:
            raise NotFound(f"no user '{name}'")
        return name

    def add_workspace(self, name: str, description: str, owner: str) -> Workspace:
        ws = Workspace(secrets.token_hex(6), name, description, 1, _now())
        self.st.workspaces[ws.id] = ws
        self.st.members[ws.id] = {self._user(owner): Role.OWNER}
        return ws

    def get_workspace(self, workspace_id: str) -> Workspace:
        return self._ws(workspace_id)

    def update_workspace(self, workspace_id: str, name: str, description: str,
                         expected_version: int) -> Workspace:
        ws = self._ws(workspace_id)
        _check_version("workspace", workspace_id, ws.version, expected_version)
        self.st.workspaces[workspace_id] = replace(ws, name=name, description=description,
                                                   version=ws.version + 1)
        return self.st.workspaces[workspace_id]

    def delete_workspace(self, workspace_id: str, expected_version: int) -> None:
        ws = self._ws(workspace_id)
        _check_version("workspace", workspace_id, ws.version, expected_version)
        del self.st.workspaces[workspace_id]
        del self.st.members[workspace_id]
        for i in [i for i, it in self.st.items.items() if it.workspace_id == workspace_id]:
            del self.st.items[i]

    def workspaces_of(self, user: str) -> list[tuple[Workspace, Role]]:
        return [(ws, self.st.members[ws.id][user]) for ws in self.st.workspaces.values()
                if user in self.st.members[ws.id]]

    def all_workspace_ids(self) -> list[str]:
        return list(self.st.workspaces)

    def role_of(self, user: str, workspace_id: str) -> Role | None:
        return self.st.members.get(workspace_id, {}).get(user)

    def workspace_exists(self, workspace_id: str) -> bool:
        return workspace_id in self.st.workspaces

    def lock_workspace(self, workspace_id: str) -> None:
        self._ws(workspace_id)  # the vault's lock already serialises writers

    def classifications(self, workspace_id: str) -> dict[str, Classification]:
        return {i.id: i.classification for i in self.st.items.values()
                if i.workspace_id == workspace_id}

    def members(self, workspace_id: str) -> list[Member]:
        self._ws(workspace_id)
        return [Member(u, r) for u, r in sorted(self.st.members[workspace_id].items())]

    def set_member(self, workspace_id: str, user: str, role: Role) -> None:
        self._ws(workspace_id)
        self.st.members[workspace_id][self._user(user)] = role

    def remove_member(self, workspace_id: str, user: str) -> None:
        self._ws(workspace_id)
        if self.st.members[workspace_id].pop(self._user(user), None) is None:
            raise NotFound(f"'{user}' is not a member of workspace '{workspace_id}'")

    def item_classification(self, workspace_id: str, item_id: str) -> Classification | None:
        item = self.st.items.get(item_id)
        return item.classification if item and item.workspace_id == workspace_id else None

    def item_kind(self, workspace_id: str, item_id: str) -> str | None:
        item = self.st.items.get(item_id)
        return item.kind.value if item and item.workspace_id == workspace_id else None

    def add_item(self, workspace_id: str, kind: ItemKind, classification: Classification,
                 fields: dict[str, Any], created_by: str,
                 attachment: tuple[Attachment, bytes] | None = None) -> Item:
        self._ws(workspace_id)
        item = Item(secrets.token_hex(6), workspace_id, kind, classification, dict(fields), 1,
                    created_by, _now(), _now(), attachment[0] if attachment else None)
        self.st.items[item.id] = item
        if attachment:
            self.st.files[item.id] = attachment[1]
        return item

    def _item(self, workspace_id: str, item_id: str) -> Item:
        item = self.st.items.get(item_id)
        if item is None or item.workspace_id != workspace_id:
            raise NotFound(f"no item '{item_id}' in workspace '{workspace_id}'")
        if item_id in self.st.corrupt:
            raise ItemUnreadable(workspace_id, item_id, "corrupted (fake)")
        return item

    def get_item(self, workspace_id: str, item_id: str) -> Item:
        return self._item(workspace_id, item_id)

    def items(self, workspace_id: str, classifications: Sequence[Classification]
              ) -> ItemListing:
        self._ws(workspace_id)
        chosen = [i for i in self.st.items.values()
                  if i.workspace_id == workspace_id and i.classification in classifications]
        return ItemListing(tuple(i for i in chosen if i.id not in self.st.corrupt),
                           tuple(i.id for i in chosen if i.id in self.st.corrupt))

    def update_item(self, workspace_id: str, item_id: str, classification: Classification,
                    fields: dict[str, Any], expected_version: int) -> Item:
        item = self._item(workspace_id, item_id)
        _check_version("item", item_id, item.version, expected_version)
        new = replace(item, classification=classification, fields=dict(fields),
                      version=item.version + 1, updated_at=_now())
        self.st.items[item_id] = new
        return new

    def delete_item(self, workspace_id: str, item_id: str, expected_version: int) -> None:
        item = self._item(workspace_id, item_id)
        _check_version("item", item_id, item.version, expected_version)
        del self.st.items[item_id]

    def attachment(self, workspace_id: str, item_id: str) -> bytes:
        self._item(workspace_id, item_id)
        try:
            return self.st.files[item_id]
        except KeyError:
            raise NotFound(f"item '{item_id}' has no attachment") from None

    def pseudonym_secret(self, workspace_id: str) -> bytes:
        return ("fake-secret|" + workspace_id).encode()

    def check_items(self) -> list[ItemUnreadable]:
        return [ItemUnreadable(self.st.items[i].workspace_id, i, "corrupted (fake)")
                for i in sorted(self.st.corrupt) if i in self.st.items]

    def has_legacy_items(self) -> bool:
        return False

    def reseal_legacy(self) -> tuple[int, list[ItemUnreadable]]:
        return 0, []



class FakeTx:
    def __init__(self, st: State) -> None:
        self.workspaces = FakeWorkspaces(st)
        self.audit = FakeAudit(st.audit, st.audit_key)

    @property
    def accounts(self) -> Any:
        raise NotImplementedError("the workspace fakes hold no accounts")

    @property
    def keys(self) -> Any:
        raise NotImplementedError("the workspace fakes hold no keys")


class FakeVault:
    """A `VaultStore` in memory: one lock, copy-on-write transactions."""

    def __init__(self) -> None:
        self.state = State()
        self._lock = threading.RLock()

    def add_user(self, name: str) -> None:
        self.state.users.add(name)

    @contextmanager
    def read(self) -> Iterator[FakeTx]:
        with self._lock:
            yield FakeTx(copy.deepcopy(self.state))

    @contextmanager
    def write(self) -> Iterator[FakeTx]:
        with self._lock:
            draft = copy.deepcopy(self.state)
            yield FakeTx(draft)
            self.state = draft

    def rotate(self) -> tuple[int, int]:
        raise NotImplementedError

    def scrub(self) -> None:
        pass
