"""Assessment use cases: assess a scenario against the stored case base; evaluate the outlook.

Two things are prepared once per case-base revision (a counter every case change raises, in
its transaction), never per request (docs/assessment.md, "The evaluation's cache"):

- the *pool*: every stored case encoded as a feature matrix (`CasePool`), with who may see each
  row. A reader's assessment ranks the whole matrix and keeps the rows it may see (a mask), so
  a signed-in reader's own and workspace cases are found as similar for that reader only, and
  no reader causes a rebuild.
- the *fit*: the nested evaluation of the outlook over the public case base (bundled and
  published cases) and the outlook fitted on it, stored in the database per revision. After a
  change, assessments go on with the last stored fit, and the caveat says which revision it
  was measured on, while a background thread (or `parley evaluate`) computes the new one. Only
  a database that never had one computes it inside a request, once.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from parley.analysis.assess import CasePool, assess
from parley.analysis.conditions import OutlookSettings
from parley.analysis.evaluate import Evaluation
from parley.analysis.evaluate import SchemeResult as SchemeResult  # for the front ends
from parley.analysis.evaluate import evaluation_to_dict as evaluation_to_dict
from parley.analysis.fit import (
    OutlookFit,
    fit_case_base,
    fit_from_json,
    fit_to_json,
    settings_digest,
)
from parley.analysis.outlook import OutlookModel
from parley.analysis.outlook_text import english
from parley.analysis.similarity import SimilarityWeights
from parley.domain.access import ANONYMOUS, CaseReader, Visibility
from parley.domain.assessment import Assessment
from parley.domain.codebook import Codebook
from parley.domain.guideline import Guideline
from parley.domain.phrase import Phrase
from parley.domain.scenario import Scenario
from parley.domain.summary import BriefRules
from parley.knowledge.form import Section as Section  # the assessment form, for the web
from parley.knowledge.form import load_form as load_form
from parley.services.ports import CaseBaseSnapshot, CaseBaseStore, StoredEvaluation

log = logging.getLogger(__name__)
BoolArray = npt.NDArray[np.bool_]
MASKS = 64
BACKGROUND_MAX_PUBLIC = 2000
"""A server recomputes the evaluation in the background up to this many public cases: it is
quadratic (about 20 s at 112 cases), so beyond a few thousand it would hold a core for hours
in every worker process; there `parley evaluate` is the way (docs/assessment.md)."""
"""How many readers' masks each revision's pool keeps."""


class _Base:
    """One revision's pool of every stored case, and who may see each row."""

    def __init__(self, snapshot: CaseBaseSnapshot, codebook: Codebook,
                 weights: SimilarityWeights) -> None:
        self.revision = snapshot.revision
        stored = sorted(snapshot.cases, key=lambda c: c.id)
        self.pool = CasePool.from_rows(
            [(s.id, s.title, s.summary, s.outcome, s.values) for s in stored], codebook, weights)
        self.index = {case_id: i for i, case_id in enumerate(self.pool.ids)}
        self.public = np.array([s.visibility is Visibility.PUBLIC for s in stored], dtype=bool)
        owned: dict[str, list[int]] = {}
        shared: dict[str, list[int]] = {}
        for i, s in enumerate(stored):
            if s.visibility is Visibility.PUBLIC:
                continue
            if s.owner is not None:
                owned.setdefault(s.owner, []).append(i)
            if s.visibility is Visibility.WORKSPACE and s.workspace is not None:
                shared.setdefault(s.workspace, []).append(i)
        self.owned = {k: np.array(v, dtype=np.int64) for k, v in owned.items()}
        self.shared = {k: np.array(v, dtype=np.int64) for k, v in shared.items()}
        self.parent = np.array([self.index.get(s.parent, -1) if s.parent else -1
                                for s in stored], dtype=np.int64)
        self._masks: dict[CaseReader, BoolArray] = {}
        self._lock = threading.Lock()

    def seen(self, reader: CaseReader) -> BoolArray:
        """Rows `reader` may see (`domain.access.may_read_case`, as a mask)."""
        if reader.everything:
            return np.ones(self.pool.index.size, dtype=bool)
        mask = self.public.copy()
        if reader.user is not None:
            if (own := self.owned.get(reader.user)) is not None:
                mask[own] = True
            for workspace in reader.workspaces:
                if (rows := self.shared.get(workspace)) is not None:
                    mask[rows] = True
        return mask

    def visible(self, reader: CaseReader) -> BoolArray:
        """The leaf cases `reader` sees: seen, and no sub-case of theirs is seen (a parent
        summarises its sub-cases, so it would count twice)."""
        with self._lock:
            mask = self._masks.get(reader)
        if mask is not None:
            return mask
        seen = self.seen(reader)
        mask = seen.copy()
        parents = self.parent[seen & (self.parent >= 0)]
        mask[parents] = False
        mask.setflags(write=False)
        with self._lock:
            if len(self._masks) >= MASKS:
                self._masks.pop(next(iter(self._masks)))
            self._masks[reader] = mask
        return mask


class Titles(Mapping[str, str]):
    """The titles of the cases one reader sees, without copying them (for briefs)."""

    def __init__(self, base: _Base, seen: BoolArray) -> None:
        self._base, self._seen = base, seen

    def __getitem__(self, case_id: str) -> str:
        i = self._base.index.get(case_id)
        if i is None or not self._seen[i]:
            raise KeyError(case_id)
        return self._base.pool.titles[i]

    def __iter__(self) -> Iterator[str]:
        return (self._base.pool.ids[i] for i in np.flatnonzero(self._seen).tolist())

    def __len__(self) -> int:
        return int(self._seen.sum())


@dataclass(frozen=True)
class FitInUse:
    """The outlook fit an assessment uses: the one measured at `measured_at`, the case base
    being at `revision` (stale when they differ)."""

    fit: OutlookFit
    model: OutlookModel
    measured_at: int
    revision: int
    caveat: str
    caveat_phrases: tuple[Phrase, ...] = ()  # the caveat to say in the reader's language

    @property
    def stale(self) -> bool:
        return self.measured_at != self.revision


class Assessments:
    """Assess scenarios and evaluate the outlook over the stored case base."""

    def __init__(self, store: CaseBaseStore, codebook: Codebook,
                 guidelines: Sequence[Guideline], weights: SimilarityWeights,
                 settings: OutlookSettings, rules: BriefRules | None = None, *,
                 background: bool = True) -> None:
        self.store = store
        self.codebook = codebook
        self.guidelines = tuple(guidelines)
        self.weights = weights
        self.settings = settings
        self.rules = rules
        self.background = background
        self.digest = settings_digest(codebook, weights, settings)
        self._base: _Base | None = None
        self._fits: dict[int, tuple[OutlookFit, OutlookModel]] = {}  # by measured revision
        self._latest: int | None = None  # the newest stored fit's revision, when last read
        self._checked: int | None = None  # the revision whose public cases were compared
        self._lock = threading.Lock()  # building a pool
        self._fit_lock = threading.Lock()  # computing a fit
        self._worker: threading.Thread | None = None
        self._warmer: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self._sized: tuple[int, bool] | None = None  # (revision, few enough public cases)

    # -- the pool ----------------------------------------------------------------------------

    def _pool(self, revision: int) -> _Base:
        base = self._base
        if base is not None and base.revision >= revision:
            return base
        with self._lock:
            base = self._base
            if base is None or base.revision < revision:
                # Millions of small objects and no cyclic garbage: collection passes over the
                # growing heap cost a third of the build (bench/assess.py), so none run.
                collecting = gc.isenabled()
                gc.disable()
                try:
                    base = _Base(self.store.snapshot(), self.codebook, self.weights)
                finally:
                    if collecting:
                        gc.enable()
                self._base = base
            return base

    def titles(self, reader: CaseReader = ANONYMOUS) -> Mapping[str, str]:
        """Titles of the cases `reader` sees, by id (for rendering a brief)."""
        base = self._pool(self.store.revision())
        return Titles(base, base.seen(reader))

    # -- the fit -----------------------------------------------------------------------------

    def _parsed(self, stored: StoredEvaluation) -> tuple[OutlookFit, OutlookModel]:
        cached = self._fits.get(stored.revision)
        if cached is None:
            fit = fit_from_json(stored.result)
            cached = (fit, fit.model(self.settings))
            kept = {k: v for k, v in sorted(self._fits.items())[-3:]
                    if k != stored.revision}  # a few: readers mid-switch
            self._fits = {**kept, stored.revision: cached}
        return cached

    def _usable(self, stored: StoredEvaluation) -> bool:
        try:
            self._parsed(stored)
        except ValueError:  # edited or damaged in the database: never served, recomputed
            log.warning("the stored evaluation of revision %s does not parse; recomputing it",
                        stored.revision)
            return False
        return True

    def _newest(self) -> StoredEvaluation | None:
        stored = self.store.latest_evaluation(self.digest)
        if stored is not None and not self._usable(stored):
            stored = self._compute(replace=True)
        if stored is not None:
            self._latest = stored.revision
        return stored

    def fit_in_use(self, revision: int | None = None) -> FitInUse:
        """The stored fit for the case base at `revision` (now, if None): the newest one
        stored, which may be older than the case base (then a refresh starts in the
        background when enabled). Computed here only when none was ever stored."""
        revision = self.store.revision() if revision is None else revision
        latest = self._latest
        if latest is None or latest < revision:
            newest = self.store.latest_evaluation_revision(self.digest)  # one small query
            if newest is None:
                with self._fit_lock:  # a database that never had one: compute it, once
                    if self.store.latest_evaluation_revision(self.digest) is None:
                        self.refresh()
            elif newest != latest:
                self._newest()
            latest = self._latest
        assert latest is not None
        if latest < revision and self._checked != revision:
            # Once per revision: a change that left the public cases as they were (a private
            # case, a workspace's, a restored bundled file) keeps the stored fit: carried over.
            self._checked = revision
            if self._reuse(*self.store.public_digest()) is not None:
                self._newest()
                latest = max(latest, self._latest or latest)
        fit, model = self._fits[latest]
        if latest >= revision:
            return FitInUse(fit, model, latest, revision, fit.caveat, fit.caveat_phrases)
        background = self.background and self._background_sized(revision)
        if background:
            self._start_refresh()
        phrases = (*fit.caveat_phrases, Phrase(
            "stale_background" if background else "stale_cli",
            {"measured": latest, "revision": revision}))
        return FitInUse(fit, model, latest, revision, english(*phrases), phrases)

    def refresh(self) -> StoredEvaluation:
        """Bring the stored fit up to the case base's current revision: reuse a stored one
        computed on the same public cases, or compute it (expensive) and store it."""
        revision, digest = self.store.public_digest()
        stored = self._reuse(revision, digest) or self._compute()
        self._newest()
        return stored

    def _compute(self, *, replace: bool = False) -> StoredEvaluation:
        """The expensive step: evaluate and fit on the public cases of now, and store it."""
        public = self.store.public_cases()
        start = time.perf_counter()
        fit = fit_case_base(public.cases, self.codebook, self.weights, self.settings)
        stored = StoredEvaluation(public.revision, self.digest, public.digest,
                                  len(public.cases), fit_to_json(fit), datetime.now(UTC),
                                  time.perf_counter() - start)
        self.store.store_evaluation(stored, replace=replace)
        self._parsed(stored)
        return stored

    def _reuse(self, revision: int, digest: str) -> StoredEvaluation | None:
        """The stored fit of the same public cases, stored again for `revision` if older."""
        same = self.store.evaluation_of(self.digest, digest)
        if same is None or not self._usable(same):
            return None
        if same.revision >= revision:
            return same
        stored = StoredEvaluation(revision, self.digest, digest, same.n_public, same.result,
                                  same.computed_at, same.seconds)
        self.store.store_evaluation(stored)
        return stored

    def _start_refresh(self) -> None:
        with self._worker_lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._refresh_quietly,
                                            name="parley-evaluation", daemon=True)
            self._worker.start()

    def _background_sized(self, revision: int) -> bool:
        """Whether the public cases at `revision` are few enough to recompute in the
        background (BACKGROUND_MAX_PUBLIC; counted once per revision)."""
        known = self._sized
        if known is None or known[0] != revision:
            known = self._sized = (revision, self.store.public_count() <= BACKGROUND_MAX_PUBLIC)
        return known[1]

    def _refresh_quietly(self) -> None:
        try:
            with self._fit_lock:
                self.refresh()
        except Exception:  # a background thread has nobody to raise to: log it
            log.exception("recomputing the outlook's evaluation failed")

    def warm(self) -> None:
        """Prepare, in a background thread, what the first assessment needs: the feature
        matrix of the current revision and an up-to-date stored fit (a server's start)."""
        def run() -> None:
            try:
                revision = self.store.revision()
                self._pool(revision)
                with self._fit_lock:
                    if self.store.latest_evaluation_revision(self.digest) is None:
                        self.refresh()
                self.fit_in_use(revision)  # carries a fit over, or starts its refresh
            except Exception:  # nobody to raise to: log it; requests will retry
                log.exception("preparing assessments at start failed")

        self._warmer = threading.Thread(target=run, name="parley-warm", daemon=True)
        self._warmer.start()

    def wait_for_refresh(self, timeout: float | None = None) -> None:
        """Wait for a background refresh to finish (tests, shutdown)."""
        if self._warmer is not None:
            self._warmer.join(timeout)
        worker = self._worker  # read after warming, which may have started it
        if worker is not None:
            worker.join(timeout)

    # -- use cases ---------------------------------------------------------------------------

    def assess(self, scenario: Scenario, reader: CaseReader = ANONYMOUS) -> Assessment:
        """The assessment of a validated scenario: similar cases among those `reader` sees,
        the outlook fitted on the public case base (its stored fit)."""
        revision = self.store.revision()
        base = self._pool(revision)
        used = self.fit_in_use(base.revision)
        return assess(scenario, self.guidelines, base.pool, used.model,
                      used.caveat_phrases or used.caveat, rules=self.rules,
                      visible=base.visible(reader))

    def evaluate(self) -> Evaluation:
        """Nested leave-one-out and leave-one-country-out evaluation of the outlook over the
        public case base at its current revision: stored, computed (and stored) if missing."""
        stored = self.refresh()
        return self._parsed(stored)[0].evaluation
