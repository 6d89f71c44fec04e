"""Saved assessments: the scenario an adviser described, sealed and owned by its author.

A scenario can describe secret talks, so nothing of it is stored in the clear: each row has
its own AES-256 data key, wrapped by the master key ring (`key_version` says which version,
so rotation can re-wrap it: `KeyRepository.rewrap_scenario_keys`), and its title, notes and
values are one sealed JSON document. The associated data binds the ciphertext to its id,
author and (when it is shared with one) workspace, so a row moved to another account or another
workspace, or swapped with another row, fails to open. Renaming and moving re-seal the row; a
workspace being deleted first moves its saved assessments back to their authors alone.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from parley.domain.codebook import Codebook
from parley.domain.errors import NotFound
from parley.domain.scenario import SavedScenario, Scenario, parse_scenario, scenario_to_dict
from parley.storage.keys import new_data_key, seal, unseal
from parley.storage.records import aware, new_id, now, user_row
from parley.storage.tables import Base
from parley.storage.workspace_tables import UserRow, WorkspaceRow

if TYPE_CHECKING:
    from parley.storage.vault import Vault

MAX_LIST = 200


class SavedScenarioRow(Base):
    """One saved scenario: `sealed` holds the normalised scenario (JSON), `data_key` its key."""

    __tablename__ = "saved_scenarios"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    author_pk: Mapped[int] = mapped_column(ForeignKey("users.pk", ondelete="CASCADE"),
                                           nullable=False, index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    data_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # wrapped
    key_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    workspace_pk: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.pk", ondelete="SET NULL"), nullable=True, index=True)


def key_owner(scenario_id: str) -> str:
    """The name a scenario's data key is wrapped under (never a workspace id: those have no ':')."""
    return f"scenario:{scenario_id}"


def _aad(scenario_id: str, author_pk: int, workspace_pk: int | None = None) -> str:
    base = f"scenario|{scenario_id}|author={author_pk}"
    return base if workspace_pk is None else f"{base}|workspace={workspace_pk}"


class ScenarioRepository:
    """Saved scenarios inside one transaction of the confidential store."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self.s = session
        self.vault = vault

    def _key(self, row: SavedScenarioRow) -> bytes:
        return self.vault.data_key(key_owner(row.id), row.data_key, row.key_version)

    def _workspace_id(self, workspace_pk: int | None) -> str | None:
        if workspace_pk is None:
            return None
        return self.s.scalar(select(WorkspaceRow.id).where(WorkspaceRow.pk == workspace_pk))

    def _open(self, row: SavedScenarioRow, author: str, codebook: Codebook) -> SavedScenario:
        """Unseal a row and validate it again against today's codebook."""
        document = json.loads(unseal(self._key(row), row.sealed,
                                     _aad(row.id, row.author_pk, row.workspace_pk)))
        scenario = parse_scenario(document, codebook, file=f"saved assessment {row.id}")
        return SavedScenario(row.id, scenario, aware(row.created_at), author,
                             self._workspace_id(row.workspace_pk))

    def _seal(self, row: SavedScenarioRow, scenario: Scenario) -> None:
        document = json.dumps(scenario_to_dict(scenario), ensure_ascii=False).encode("utf-8")
        row.sealed = seal(self._key(row), document, _aad(row.id, row.author_pk,
                                                         row.workspace_pk))

    def _workspace_pk(self, workspace_id: str | None) -> int | None:
        if workspace_id is None:
            return None
        pk = self.s.scalar(select(WorkspaceRow.pk).where(WorkspaceRow.id == workspace_id))
        if pk is None:
            raise NotFound(f"no workspace '{workspace_id}'")
        return pk

    def save(self, author: str, scenario: Scenario, workspace: str | None = None
             ) -> SavedScenario:
        """Seal and store a scenario for `author` (shared with `workspace`, if given); returns
        it with its new, unguessable id."""
        scenario_id = new_id()
        author_pk = user_row(self.s, author).pk
        workspace_pk = self._workspace_pk(workspace)
        data_key = new_data_key()
        wrapped, version = self.vault.wrap_data_key(self.s, data_key, key_owner(scenario_id))
        document = json.dumps(scenario_to_dict(scenario), ensure_ascii=False).encode("utf-8")
        row = SavedScenarioRow(id=scenario_id, author_pk=author_pk,
                               sealed=seal(data_key, document,
                                           _aad(scenario_id, author_pk, workspace_pk)),
                               data_key=wrapped, key_version=version, created_at=now(),
                               workspace_pk=workspace_pk)
        self.s.add(row)
        self.s.flush()
        return SavedScenario(scenario_id, scenario, aware(row.created_at), author, workspace)

    def _row(self, scenario_id: str) -> SavedScenarioRow:
        row = self.s.scalars(select(SavedScenarioRow)
                             .where(SavedScenarioRow.id == scenario_id)).first()
        if row is None:
            raise NotFound(f"no saved assessment '{scenario_id}'")
        return row

    def replace(self, scenario_id: str, scenario: Scenario, codebook: Codebook) -> SavedScenario:
        """Re-seal a saved assessment with new content (e.g. a new title)."""
        row = self._row(scenario_id)
        self._open(row, "", codebook)  # the old content must open: never overwrite a forgery
        self._seal(row, scenario)
        self.s.flush()
        return self.get(scenario_id, codebook)

    def workspace_of(self, scenario_id: str) -> str | None:
        """The id of the workspace a saved assessment is shared with, if any."""
        return self._workspace_id(self._row(scenario_id).workspace_pk)

    def in_workspace(self, workspace_id: str, codebook: Codebook, limit: int = 50
                     ) -> list[SavedScenario]:
        """The saved assessments shared with a workspace, newest first."""
        rows = self.s.execute(
            select(SavedScenarioRow, UserRow.name)
            .join(UserRow, SavedScenarioRow.author_pk == UserRow.pk)
            .join(WorkspaceRow, SavedScenarioRow.workspace_pk == WorkspaceRow.pk)
            .where(WorkspaceRow.id == workspace_id)
            .order_by(SavedScenarioRow.pk.desc()).limit(min(limit, MAX_LIST))).all()
        return [self._open(r, name, codebook) for r, name in rows]

    def detach_workspace(self, workspace_pk: int) -> int:
        """Give a workspace's saved assessments back to their authors alone (before the
        workspace is deleted): each is re-sealed without the workspace. Returns how many."""
        rows = self.s.scalars(select(SavedScenarioRow)
                              .where(SavedScenarioRow.workspace_pk == workspace_pk)).all()
        for row in rows:
            plain = unseal(self._key(row), row.sealed,
                           _aad(row.id, row.author_pk, row.workspace_pk))
            row.workspace_pk = None
            row.sealed = seal(self._key(row), plain, _aad(row.id, row.author_pk))
        self.s.flush()
        return len(rows)

    def author_of(self, scenario_id: str) -> str | None:
        """The author's name, or None when no such scenario exists."""
        return self.s.scalars(
            select(UserRow.name).join(SavedScenarioRow, SavedScenarioRow.author_pk == UserRow.pk)
            .where(SavedScenarioRow.id == scenario_id)).first()

    def get(self, scenario_id: str, codebook: Codebook) -> SavedScenario:
        found = self.s.execute(
            select(SavedScenarioRow, UserRow.name)
            .join(UserRow, SavedScenarioRow.author_pk == UserRow.pk)
            .where(SavedScenarioRow.id == scenario_id)).first()
        if found is None:
            raise NotFound(f"no saved assessment '{scenario_id}'")
        return self._open(found[0], found[1], codebook)

    def by_author(self, author: str, codebook: Codebook, limit: int = 50
                  ) -> list[SavedScenario]:
        """The author's saved scenarios, newest first."""
        rows = self.s.scalars(
            select(SavedScenarioRow).join(UserRow, SavedScenarioRow.author_pk == UserRow.pk)
            .where(UserRow.name == author)
            .order_by(SavedScenarioRow.pk.desc()).limit(min(limit, MAX_LIST))).all()
        return [self._open(r, author, codebook) for r in rows]

    def delete(self, scenario_id: str) -> None:
        done = self.s.execute(delete(SavedScenarioRow).where(SavedScenarioRow.id == scenario_id))
        if not getattr(done, "rowcount", 1):
            raise NotFound(f"no saved assessment '{scenario_id}'")
