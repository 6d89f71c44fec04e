"""Saved assessments: the scenario an adviser described, sealed and owned by its author.

A scenario can describe secret talks, so nothing of it is stored in the clear: each row has
its own AES-256 data key, wrapped by the master key ring (`key_version` says which version,
so rotation can re-wrap it: `KeyRepository.rewrap_scenario_keys`), and its title, notes and
values are one sealed JSON document. The associated data binds the ciphertext to its id and
author, so a row moved to another account or swapped with another row fails to open.
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
from parley.storage.workspace_tables import UserRow

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


def key_owner(scenario_id: str) -> str:
    """The name a scenario's data key is wrapped under (never a workspace id: those have no ':')."""
    return f"scenario:{scenario_id}"


def _aad(scenario_id: str, author_pk: int) -> str:
    return f"scenario|{scenario_id}|author={author_pk}"


class ScenarioRepository:
    """Saved scenarios inside one transaction of the confidential store."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self.s = session
        self.vault = vault

    def _open(self, row: SavedScenarioRow, author: str, codebook: Codebook) -> SavedScenario:
        """Unseal a row and validate it again against today's codebook."""
        key = self.vault.data_key(key_owner(row.id), row.data_key, row.key_version)
        document = json.loads(unseal(key, row.sealed, _aad(row.id, row.author_pk)))
        scenario = parse_scenario(document, codebook, file=f"saved assessment {row.id}")
        return SavedScenario(row.id, scenario, aware(row.created_at), author)

    def save(self, author: str, scenario: Scenario) -> SavedScenario:
        """Seal and store a scenario for `author`; returns it with its new, unguessable id."""
        scenario_id = new_id()
        author_pk = user_row(self.s, author).pk
        data_key = new_data_key()
        wrapped, version = self.vault.wrap_data_key(self.s, data_key, key_owner(scenario_id))
        document = json.dumps(scenario_to_dict(scenario), ensure_ascii=False).encode("utf-8")
        row = SavedScenarioRow(id=scenario_id, author_pk=author_pk,
                               sealed=seal(data_key, document, _aad(scenario_id, author_pk)),
                               data_key=wrapped, key_version=version, created_at=now())
        self.s.add(row)
        self.s.flush()
        return SavedScenario(scenario_id, scenario, aware(row.created_at), author)

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
