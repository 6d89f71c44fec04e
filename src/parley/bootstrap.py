"""The one place that wires settings to the database, knowledge and services.

`Settings` is re-exported here: the front ends receive the wiring's settings from this module,
not from `parley.config`.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import re
import secrets
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import SecretStr

from parley.config import Settings as Settings
from parley.domain.account import SYSTEM, Principal
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, KeyUnavailable, NotFound
from parley.domain.guideline import Guideline
from parley.domain.listing import SyncReport
from parley.domain.source import SourceText
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import (
    bundled_case_files,
    bundled_digest,
    load_bundled_cases,
    load_codebook,
    load_source_texts,
)
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.passwords import password_rule
from parley.knowledge.translations import translated_search_text
from parley.knowledge.weights import load_similarity_weights
from parley.locale import LANGUAGES
from parley.processes import end_with_parent
from parley.services.accounts import Accounts
from parley.services.assessments import Assessments
from parley.services.audit import AuditTrail, KeyAdmin
from parley.services.cases import CaseCatalogue
from parley.services.curation import CaseCuration
from parley.services.demand_warnings import DemandWarnings
from parley.services.invitations import Invitations
from parley.services.living_assessments import LivingAssessments
from parley.services.maintenance import Maintenance
from parley.services.monitoring import Monitoring
from parley.services.ports import CaseBaseStore, PasswordHasher
from parley.services.process_reports import ProcessReports
from parley.services.qca import QcaService
from parley.services.read_only import EvaluationsInMemory
from parley.services.saved_scenarios import SavedScenarios
from parley.services.workspaces import Workspaces
from parley.storage.audit_log import CheckpointPolicy
from parley.storage.backup import BackupFiles
from parley.storage.case_base import CaseBaseRevisions
from parley.storage.cases import CaseRepository
from parley.storage.database import Database
from parley.storage.keys import RingSource, derive
from parley.storage.migration_head import head_revision, sqlite_revision
from parley.storage.passwords import Argon2Hasher
from parley.storage.vault import Vault


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///"):].split("?", 1)[0]
    return Path(path).expanduser() if path not in ("", ":memory:") else None


def _behind(shown: str, revision: str | None, head: str, hint: str) -> ConfigurationError:
    state = "is not a Parley database" if revision is None else f"is at migration {revision}"
    return ConfigurationError(f"{shown} {state}; this Parley needs migration {head}: run {hint}")


@dataclass
class Parley:
    """Parley's wired services for one settings object. Build with `Parley.build(settings)`."""

    settings: Settings
    codebook: Codebook
    db: Database
    hasher: PasswordHasher = field(default_factory=Argon2Hasher)
    background: bool = True
    """Recompute the outlook's evaluation in a background thread after the case base changes
    (the server); a command that exits at once leaves it to `parley evaluate`."""
    read_only: bool = False
    """Keep what assessments compute in this process instead of storing it (the library,
    which promises to leave the database as it found it)."""

    @classmethod
    def build(cls, settings: Settings | None = None, *,
              hasher: PasswordHasher | None = None) -> Parley:
        """Wire everything; `hasher` replaces Argon2's production cost (tests only)."""
        settings = settings or Settings()
        codebook = load_codebook()  # validated now: a broken codebook fails at start
        return cls(settings, codebook, Database(settings.resolved_database_url()),
                   hasher or Argon2Hasher())

    @classmethod
    def open_current(cls, settings: Settings, *, upgrade_hint: str) -> Parley:
        """Parley on an existing database already at this version's migrations, for what only
        reads (the read-only commands, the Python library): nothing is created, migrated or
        loaded, and no write lock is taken. A missing SQLite file is NotFound; a database that
        is not Parley's or is behind is a ConfigurationError; both name `upgrade_hint`, the
        command that makes it current. SQLite files are asked through the standard library in
        read-only mode first, so even an empty or foreign file is left exactly as it was."""
        url = settings.resolved_database_url()
        shown = redacted(url)
        revision: str | None = None
        sqlite_file = _sqlite_file(url)
        if sqlite_file is not None:
            if not sqlite_file.is_file():
                raise NotFound(f"no database file {sqlite_file}: create one with {upgrade_hint}")
            revision = sqlite_revision(sqlite_file)
        head = head_revision()
        if sqlite_file is not None and revision != head:
            raise _behind(shown, revision, head, upgrade_hint)
        app = cls.build(settings)
        try:
            if sqlite_file is None:
                try:
                    revision = app.db.current_revision()
                except Exception as exc:  # the driver's own error: unreachable, credentials
                    raise ConfigurationError(f"cannot open {shown}: {exc}") from exc
                if revision != head:
                    raise _behind(shown, revision, head, upgrade_hint)
        except BaseException:
            app.close()
            raise
        return app

    @classmethod
    def in_memory(cls) -> Parley:
        """A private case base in memory holding the bundled cases, gone when closed.

        Loaded as every database is (migrations, then the bundled files, audited), under a
        master key that lives only as long as it; no file, environment database, key file or
        audit checkpoint is touched. The paper's text is still read from PARLEY_SOURCES when
        there, as everywhere.
        """
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        settings = Settings(database_url="sqlite://", master_key=SecretStr(key),
                            master_key_file=None, audit_checkpoint_file=None,
                            audit_checkpoint_every=0)
        app = cls.build(settings)
        app.background = False  # a script computes what it asks for, when it asks
        app.upgrade()
        return app

    def ring_source(self) -> RingSource:
        """PARLEY_MASTER_KEY, else the key file (and its `.retired` ring beside it)."""
        if self.settings.master_key is not None:
            return RingSource(None, self.settings.master_key.get_secret_value())
        return RingSource(self.settings.resolved_master_key_file().expanduser())

    def check_keys(self) -> None:
        """Start-up check: KeyUnavailable (exit 1) if the ring cannot open the data here."""
        self.vault.check_keys()

    def derived_secret(self, purpose: str) -> bytes:
        """A secret for `purpose` (e.g. CSRF signing) derived from the active master key."""
        ring = self.vault.keyring()
        return derive(ring.key(ring.active_version), purpose)

    @cached_property
    def vault(self) -> Vault:
        every, path = self.settings.audit_checkpoint_every, self.settings.audit_checkpoint_file
        checkpoints = CheckpointPolicy(path, every) if path is not None and every else None
        return Vault(self.db, self.ring_source(),
                     notice=lambda text: print(f"parley: {text}", file=sys.stderr, flush=True),
                     audit_checkpoints=checkpoints, codebook=self.codebook,
                     case_search_text=translated_search_text)

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.vault, self.hasher, passwords=password_rule(),
                        languages=tuple(LANGUAGES))

    @cached_property
    def workspaces(self) -> Workspaces:
        return Workspaces(self.vault, self.settings.max_upload_bytes)

    @cached_property
    def monitoring(self) -> Monitoring:
        return Monitoring(self.vault, self.workspaces)

    @cached_property
    def process_reports(self) -> ProcessReports:
        return ProcessReports(self.workspaces, self.monitoring,
                              living=self.living_assessments)

    @cached_property
    def invitations(self) -> Invitations:
        return Invitations(self.vault)

    @cached_property
    def audit(self) -> AuditTrail:
        return AuditTrail(self.vault)

    @cached_property
    def maintenance(self) -> Maintenance:
        return Maintenance(BackupFiles(self.db, self.vault), self.vault, self.upgrade)

    @cached_property
    def keys(self) -> KeyAdmin:
        return KeyAdmin(self.vault)

    @cached_property
    def sources(self) -> dict[str, SourceText]:
        return load_source_texts(self.settings.sources)

    @cached_property
    def cases(self) -> CaseCatalogue:
        """The case base as anonymous readers see it; `curation.seen_by(actor)` for others."""
        return CaseCatalogue(CaseRepository(self.db, self.codebook, translated_search_text),
                             self.codebook, self.sources)

    @cached_property
    def curation(self) -> CaseCuration:
        """Changes to the case base (curators, administrators, the operator), audited."""
        return CaseCuration(self.vault, self.cases)

    @cached_property
    def guidelines(self) -> list[Guideline]:
        return load_guidelines(self.codebook, self.sources)

    @cached_property
    def living_assessments(self) -> LivingAssessments:
        """The assessment engine on each workspace's own situation (issue 11, item 2)."""
        return LivingAssessments(self.workspaces, self.codebook, self.guidelines,
                                 load_brief_rules(self.codebook, self.sources))

    @cached_property
    def demand_warnings(self) -> DemandWarnings:
        """The paper's warnings on a workspace's demands."""
        return DemandWarnings(self.guidelines, self.codebook)

    @cached_property
    def case_base(self) -> CaseBaseRevisions:
        """The case base's revision and the evaluations stored per revision."""
        return CaseBaseRevisions(self.db, self.codebook)

    @cached_property
    def assessments(self) -> Assessments:
        store: CaseBaseStore = (EvaluationsInMemory(self.case_base) if self.read_only
                                else self.case_base)
        return Assessments(store, self.codebook,
                           self.guidelines, load_similarity_weights(self.codebook),
                           load_outlook_settings(self.codebook),
                           load_brief_rules(self.codebook, self.sources),
                           background=self.background)

    @cached_property
    def scenarios(self) -> SavedScenarios:
        return SavedScenarios(self.vault, self.codebook)

    def upgrade(self, actor: Principal = SYSTEM) -> SyncReport:
        """Migrate the database and make every bundled id hold its bundled file (idempotent;
        a bundled case changed outside a release is restored, audited as `actor`). Items of
        the old, unbound format are re-sealed (once; audited) only when the key ring opens the
        data: otherwise the start-up check refuses, and the key tools still run."""
        self.db.upgrade()
        try:
            self.vault.check_keys()
        except KeyUnavailable:
            pass
        else:
            self.workspaces.reseal_legacy()
        digest = bundled_digest()
        if self.case_base.bundled_synced(digest):  # nothing changed since: skip parsing
            return SyncReport(unchanged=len(bundled_case_files()))
        return self.curation.sync_bundled(load_bundled_cases(self.codebook), actor, digest)

    @cached_property
    def qca(self) -> QcaService:
        """QCA for the web: CSV files up to `interchange.set_table.MAX_BYTES`, searches in the
        worker processes (`cpu`)."""
        from parley.interchange.set_table import MAX_BYTES
        from parley.services.qca import qca_adapters

        return QcaService(qca_adapters(lambda: self.codebook), executor=lambda: self.cpu,
                          max_bytes=MAX_BYTES)

    @cached_property
    def cpu(self) -> ProcessPoolExecutor:
        """Worker processes for long pure-Python searches (QCA) of the web app; started on
        first use. Spawned, not forked: a fork would copy the database pool and locks."""
        workers = self.settings.cpu_workers or os.cpu_count() or 1
        return ProcessPoolExecutor(max_workers=workers,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=end_with_parent)  # no orphans (processes.py)

    def close(self) -> None:
        if "cpu" in self.__dict__:
            self.cpu.shutdown(wait=False, cancel_futures=True)
        self.db.dispose()
