"""`WorkspacesTx` in memory: workspaces, members and items, with the SQL store's contract
(versions checked on every update and delete, NotFound for what does not exist, a deleted
workspace takes its members, items, invitations and indicator series with it, and gives its
saved assessments back to their authors)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from parley.domain.access import Classification, Role
from parley.domain.errors import NotFound
from parley.domain.workspace import (
    Attachment,
    Item,
    ItemKind,
    ItemListing,
    ItemUnreadable,
    Member,
    Workspace,
)
from tests.fakes.scenarios import detach
from tests.fakes.state import State, check_version, now


class FakeWorkspaces:
    """`WorkspacesTx` over a `State`."""

    def __init__(self, st: State) -> None:
        self.st = st

    def _ws(self, workspace_id: str) -> Workspace:
        return self.st.workspace(workspace_id)

    def _user(self, name: str) -> str:
        return self.st.user(name).name

    def add_workspace(self, name: str, description: str, owner: str) -> Workspace:
        ws = Workspace(secrets.token_hex(6), name, description, 1, now())
        self.st.workspaces[ws.id] = ws
        self.st.members[ws.id] = {self._user(owner): Role.OWNER}
        return ws

    def get_workspace(self, workspace_id: str) -> Workspace:
        return self._ws(workspace_id)

    def update_workspace(self, workspace_id: str, name: str, description: str,
                         expected_version: int) -> Workspace:
        ws = self._ws(workspace_id)
        check_version("workspace", workspace_id, ws.version, expected_version)
        self.st.workspaces[workspace_id] = replace(ws, name=name, description=description,
                                                   version=ws.version + 1)
        return self.st.workspaces[workspace_id]

    def delete_workspace(self, workspace_id: str, expected_version: int) -> None:
        ws = self._ws(workspace_id)
        check_version("workspace", workspace_id, ws.version, expected_version)
        detach(self.st, workspace_id)  # saved assessments go back to their authors alone
        del self.st.workspaces[workspace_id]
        del self.st.members[workspace_id]
        for i in [i for i, r in self.st.series.items() if r.stored.workspace_id == workspace_id]:
            del self.st.series[i]
        for i in [i for i, it in self.st.items.items() if it.workspace_id == workspace_id]:
            del self.st.items[i]
        for i in [i for i, inv in self.st.invitations.items() if inv.workspace == workspace_id]:
            del self.st.invitations[i]

    def workspaces_of(self, user: str) -> list[tuple[Workspace, Role]]:
        return [(ws, self.st.members[ws.id][user]) for ws in self.st.workspaces.values()
                if user in self.st.members[ws.id]]

    def workspace_ids_of(self, user: str) -> list[str]:
        return [ws for ws, members in self.st.members.items() if user in members]

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
                    created_by, now(), now(), attachment[0] if attachment else None)
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
        check_version("item", item_id, item.version, expected_version)
        new = replace(item, classification=classification, fields=dict(fields),
                      version=item.version + 1, updated_at=now())
        self.st.items[item_id] = new
        return new

    def delete_item(self, workspace_id: str, item_id: str, expected_version: int) -> None:
        item = self._item(workspace_id, item_id)
        check_version("item", item_id, item.version, expected_version)
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
