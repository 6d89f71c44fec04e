"""Saved scenarios: what an adviser described, stored so an assessment can be reopened."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from parley.domain.codebook import Codebook
from parley.domain.errors import NotFound
from parley.domain.scenario import SavedScenario, Scenario, parse_scenario, scenario_to_dict
from parley.storage.database import Database
from parley.storage.tables import Base, utcnow

MAX_LIST = 200


class SavedScenarioRow(Base):
    """One saved scenario; `document` is the normalised scenario as JSON."""

    __tablename__ = "saved_scenarios"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScenarioRepository:
    """Saved scenarios in one database, validated again against the codebook on the way out."""

    def __init__(self, db: Database, codebook: Codebook) -> None:
        self.db = db
        self.codebook = codebook

    def _to_saved(self, row: SavedScenarioRow) -> SavedScenario:
        scenario = parse_scenario(json.loads(row.document), self.codebook,
                                  file=f"database:scenario {row.id}")
        return SavedScenario(row.id, scenario, row.created_at)

    def save(self, scenario: Scenario) -> str:
        """Store a scenario; returns its new, unguessable id."""
        new_id = secrets.token_urlsafe(12)
        document = json.dumps(scenario_to_dict(scenario), ensure_ascii=False)
        with self.db.write() as s:
            s.add(SavedScenarioRow(id=new_id, title=scenario.title[:300], document=document))
        return new_id

    def get(self, scenario_id: str) -> SavedScenario:
        with self.db.read() as s:
            row = s.scalars(select(SavedScenarioRow).where(SavedScenarioRow.id == scenario_id)
                            ).first()
            if row is None:
                raise NotFound(f"no saved scenario '{scenario_id}'")
            return self._to_saved(row)

    def recent(self, limit: int = 50) -> list[SavedScenario]:
        with self.db.read() as s:
            rows = s.scalars(select(SavedScenarioRow).order_by(SavedScenarioRow.pk.desc())
                             .limit(min(limit, MAX_LIST))).all()
            return [self._to_saved(r) for r in rows]
