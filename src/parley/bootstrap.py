"""The one place that wires settings to the database, knowledge and services."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from parley.config import Settings
from parley.domain.codebook import Codebook
from parley.domain.guideline import Guideline
from parley.domain.listing import SyncReport
from parley.domain.source import SourceText
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import load_bundled_cases, load_codebook, load_source_texts
from parley.knowledge.weights import load_similarity_weights
from parley.services.assessments import Assessments, SavedScenarios
from parley.services.cases import CaseCatalogue
from parley.storage.cases import CaseRepository
from parley.storage.database import Database
from parley.storage.scenarios import ScenarioRepository


@dataclass
class Parley:
    """Parley's wired services for one settings object. Build with `Parley.build(settings)`."""

    settings: Settings
    codebook: Codebook
    db: Database

    @classmethod
    def build(cls, settings: Settings | None = None) -> Parley:
        settings = settings or Settings()
        codebook = load_codebook()  # validated now: a broken codebook fails at start
        return cls(settings, codebook, Database(settings.resolved_database_url()))

    @cached_property
    def sources(self) -> dict[str, SourceText]:
        return load_source_texts(self.settings.sources)

    @cached_property
    def cases(self) -> CaseCatalogue:
        return CaseCatalogue(CaseRepository(self.db, self.codebook), self.codebook, self.sources)

    @cached_property
    def guidelines(self) -> list[Guideline]:
        return load_guidelines(self.codebook, self.sources)

    @cached_property
    def assessments(self) -> Assessments:
        return Assessments(self.cases, self.codebook, self.guidelines,
                           load_similarity_weights(self.codebook))

    @cached_property
    def scenarios(self) -> SavedScenarios:
        return SavedScenarios(ScenarioRepository(self.db, self.codebook))

    def upgrade(self) -> SyncReport:
        """Migrate the database and load the bundled cases (idempotent)."""
        self.db.upgrade()
        return self.cases.load_bundled(load_bundled_cases(self.codebook))

    def close(self) -> None:
        self.db.dispose()
