"""The cold `parley assess`: an assessment without SQLAlchemy, Alembic or pydantic-settings.

A command pays for every import before it does anything, and the full wiring
(`bootstrap.Parley`: settings, engine, migrations, vault) costs more than the half second the
command has (issue 9). Most runs need none of it: the database is an SQLite file already at
the migrations' head, the bundled cases are as released, and the outlook's evaluation is stored
for the case base's current revision. Then `quick_assessments` serves the assessment from a
read-only, one-transaction `sqlite3` reader. Otherwise it answers None and the command takes
the full path, which migrates, syncs and computes what is missing (and checks the key ring:
an assessment reads no sealed data, so the quick path needs no key). Both paths use the same
service (`services.assessments.Assessments`) and give the same bytes (tests/test_quick.py).

`qca_service` is the same idea for `parley qca --data`: QCA on a CSV needs no database, so
its wiring stays out of `bootstrap` (whose imports alone take over a second).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from parley.analysis.fit import settings_digest
from parley.domain.codebook import Codebook
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import bundled_digest, load_codebook, load_source_texts
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights
from parley.paths import quick_locations
from parley.services.assessments import Assessments
from parley.storage.migration_head import head_revision, sqlite_revision
from parley.storage.sqlite_reader import ReadOnlyCaseBase, SqliteCaseBase

if TYPE_CHECKING:
    from parley.services.qca import QcaService

__all__ = ["QuickAssessments", "ReadOnlyCaseBase", "qca_service", "quick_assessments"]


@dataclass
class QuickAssessments:
    """The assessments service over a read-only reader; close it (or use `with`)."""

    assessments: Assessments
    codebook: Codebook
    reader: SqliteCaseBase

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> QuickAssessments:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def quick_assessments(environ: Mapping[str, str]) -> QuickAssessments | None:
    """Assessments served read-only when nothing needs migrating, syncing or computing."""
    locations = quick_locations(environ)
    path = None if locations is None else locations.sqlite_file
    if path is None or not path.is_file() or sqlite_revision(path) != head_revision():
        return None  # the full path refuses a file that is behind, leaving it as it was
    codebook = load_codebook()
    try:
        reader = SqliteCaseBase(path, codebook)
    except sqlite3.Error:  # unreadable here: the full path says why
        return None
    try:
        quick = _ready(reader, codebook)
    except sqlite3.Error:
        quick = None
    if quick is None:
        reader.close()
    return quick


def _ready(reader: SqliteCaseBase, codebook: Codebook) -> QuickAssessments | None:
    if reader.migration() != head_revision() or not reader.bundled_synced(bundled_digest()):
        return None
    weights = load_similarity_weights(codebook)
    settings = load_outlook_settings(codebook)
    digest = settings_digest(codebook, weights, settings)
    if reader.latest_evaluation_revision(digest) != reader.revision():
        return None  # none stored for this revision: computing and storing it is a write
    sources = load_source_texts()
    service = Assessments(reader, codebook, load_guidelines(codebook, sources), weights,
                          settings, load_brief_rules(codebook, sources), background=False)
    return QuickAssessments(service, codebook, reader)


def qca_service() -> QcaService:
    """`services.qca` wired to the CSV reader and the condition mapping, without a database
    (the codebook is loaded only if a mapping is asked for); no size limit on files."""
    from parley.services.qca import QcaService, qca_adapters

    book: list[Codebook] = []

    def codebook() -> Codebook:
        if not book:
            book.append(load_codebook())
        return book[0]

    return QcaService(qca_adapters(codebook))
