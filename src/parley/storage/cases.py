"""The case repository: store, query, search and facet cases on SQLite or PostgreSQL.

Every read takes the `CaseReader` it answers for and sees only the cases that reader may see:
it leaves out the cases of `hidden_clause`, the SQL form of `not domain.access.may_read_case`
(hidden cases are few: drafts and shared cases, never the bundled or published ones). Writes by
people go through `CaseRecords` inside the confidential store's unit of work, so each change commits with its
audit entry (`services/curation.py`); `CaseRepository.import_cases` and `.sync_bundled` are
the unaudited bulk loaders of tests and benchmarks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from parley.domain.access import ANONYMOUS, CaseAccess, CaseReader, Visibility, may_read_case
from parley.domain.case import Case, case_to_dict, parse_case
from parley.domain.codebook import Codebook, VarType
from parley.domain.errors import InvalidInput, NotFound, Problem, ValidationFailed
from parley.domain.evidence import UNKNOWN
from parley.domain.listing import (
    MARK_END,
    MARK_START,
    CasePage,
    CaseRecord,
    CaseSummary,
    Origin,
    StoredCase,
    SyncReport,
)
from parley.domain.query import Node
from parley.domain.search_syntax import SearchQuery, parse_search, to_fts5, to_tsquery
from parley.domain.stemming import index_prefix, index_stem, spanish_stems
from parley.storage.case_rows import visibility_of
from parley.storage.case_values import ValueWriter, index_key, value_rows
from parley.storage.database import Database
from parley.storage.querysql import compile_query
from parley.storage.records import check_version
from parley.storage.tables import CaseBaseStateRow, CaseRow, CaseTermRow, CaseValueRow, CaseVariableRow

BATCH = 500
ANALYZE_AFTER = 200  # refresh planner statistics after writing this many cases
_PG_START, _PG_END = "\u27e6", "\u27e7"

SearchText = Callable[[str], str]
"""Case id -> the translated title and summary of a bundled case, indexed beside its English
(knowledge/i18n; wired in bootstrap). User cases have none."""


def no_translations(case_id: str) -> str:
    return ""


PG_QUERY = ("(to_tsquery('english', parley_unaccent(:q)) || "
            "to_tsquery('spanish', parley_unaccent(:q)) || to_tsquery('simple', :qs))")
"""A PostgreSQL search (`:q` compiled by `domain.search_syntax.to_tsquery`, `:qs` the same
with Snowball Spanish stems: `pg_params`): the words with the English stemmer, with
PostgreSQL's Spanish one, or as the stems SQLite also searches (migration 0017: the vector holds
English text stemmed as English, Parley's Spanish as Spanish and its stems as they are), accents
folded by migration 0014's `parley_unaccent`."""

MATCH_COLUMNS = (("title", "title", "english"), ("summary", "summary", "english"),
                 ("quotes", "quotes_text", "english"), ("translation", "translated_text",
                                                        "spanish"))
"""Where a hit can match: (label, column, the text search configuration of its language)."""
FTS_LABELS = (*(label for label, _, _ in MATCH_COLUMNS), "translation")
"""The label of each FTS5 column in order: the fifth, `translated_stems`, is the translation
too (a word found only through its Spanish stem was found in the translation)."""
STEM_COLUMN = "translated_stems"
MAX_LIMIT = 1000


def content_hash(case: Case) -> str:
    data = json.dumps(case_to_dict(case), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def document_hash(document: str) -> str | None:
    """The content hash of a stored `document` as it is (None if it is not JSON), computed
    like `content_hash`, so an edit of the column that left `content_hash` alone shows."""
    try:
        data = json.dumps(json.loads(document), sort_keys=True, ensure_ascii=False)
    except ValueError:
        return None
    return hashlib.sha256(data.encode()).hexdigest()


def hidden_clause(reader: CaseReader) -> ColumnElement[bool] | None:
    """The SQL form of `not domain.access.may_read_case(reader, case)` (None: nothing is
    hidden from this reader), written NULL-safe (a NULL owner or workspace never matches)."""
    if reader.everything:
        return None
    public = Visibility.PUBLIC.value
    # "<> public" as two ranges, so the visibility index finds the few non-public rows
    hidden: list[ColumnElement[bool]] = [or_(CaseRow.visibility < public,
                                             CaseRow.visibility > public)]
    if reader.user is not None:
        hidden.append(or_(CaseRow.owner.is_(None), CaseRow.owner != reader.user))
        if reader.workspaces:
            hidden.append(or_(CaseRow.visibility != Visibility.WORKSPACE.value,
                              CaseRow.workspace_id.is_(None),
                              CaseRow.workspace_id.not_in(sorted(reader.workspaces))))
    return and_(*hidden)


LIST_COLUMNS = (CaseRow.pk, CaseRow.id, CaseRow.title, CaseRow.parent_id, CaseRow.origin,
                CaseRow.visibility, CaseRow.country, CaseRow.region, CaseRow.start_year,
                CaseRow.outcome_class)
"""What a list row reads (never the document)."""


def _ranked(row: Any, rank: float) -> SimpleNamespace:
    """A list row with its rank, read apart from it (`CaseRepository._ranked_page`): plain
    attributes (a wrapper's `__getattr__` cost 8% of a search's time)."""
    return SimpleNamespace(**row._asdict(), rank=rank)


def _access(row: CaseRow) -> CaseAccess:
    return CaseAccess(row.id, row.origin == "bundled", visibility_of(row.visibility), row.owner,
                      row.workspace_id)


def fts_query(search: str) -> str:
    """User text as an FTS5 query (`domain/search_syntax.py`: AND, OR, phrases, prefixes,
    NOT; every word quoted, so no operator injection), each whole word or phrase also sought
    as its Spanish stems in `translated_stems`."""
    return _fts5(parse_search(search))


def _fts5(query: SearchQuery) -> str:
    return to_fts5(query, index_stem, STEM_COLUMN, index_prefix)


def pg_params(query: SearchQuery) -> dict[str, str]:
    """The bound parameters of `PG_QUERY` for a query."""
    return {"q": to_tsquery(query), "qs": to_tsquery(query, index_stem, index_prefix)}


def _any_word(query: SearchQuery) -> SearchQuery:
    """Any of the query's terms to find, for telling in which fields a hit matched."""
    return SearchQuery(tuple((t,) for g in query.groups for t in g if not t.negated))


@dataclass(frozen=True)
class _Shape:
    """The part of a reader's list that depends only on the case base's revision."""

    hidden: bool  # some case is hidden from the reader
    parents: tuple[int, ...]  # pks of the parents of the sub-cases the reader sees
    total: int  # the cases the reader sees


SHAPES_KEPT = 256
"""Readers' shapes kept at once (a new revision makes the old ones unreachable)."""


class CaseRepository:
    """Cases in one database. Reads open their own sessions; writes are serialised."""

    def __init__(self, db: Database, codebook: Codebook,
                 search_text: SearchText = no_translations) -> None:
        self.search_text = search_text
        self.db = db
        self.codebook = codebook
        self._shapes: dict[tuple[int, CaseReader], _Shape] = {}

    # ----- reading ---------------------------------------------------------------------------

    def _to_case(self, row: CaseRow) -> Case:
        return parse_case(json.loads(row.document), self.codebook, file=f"database:{row.id}")

    def _hidden(self, s: Session, reader: CaseReader) -> Select[Any] | None:
        """The pks hidden from `reader`, or None when there are none (the common case: then
        the unfiltered fast paths of counts and facets stay)."""
        clause = hidden_clause(reader)
        if clause is None:
            return None
        if s.scalars(select(CaseRow.pk).where(clause).limit(1)).first() is None:
            return None
        return select(CaseRow.pk).where(clause)

    def _shape(self, s: Session, reader: CaseReader) -> _Shape:
        """What every list of `reader` needs before its own query: whether anything is hidden,
        the parents and the unfiltered total. Three queries (1.2 ms of a 2 ms list at 10,000
        cases), so kept per case-base revision, which every change of `cases` raises (trigger,
        migration 0012) and which is read in the list's own transaction. Stored only if the
        revision is unchanged after reading (PostgreSQL's statements may see a later commit)."""
        revision = s.scalar(select(CaseBaseStateRow.revision).where(CaseBaseStateRow.id == 1))
        key = (int(revision), reader) if revision is not None else None
        cached = self._shapes.get(key) if key is not None else None
        if cached is not None:
            return cached
        hidden = self._hidden(s, reader)
        seen = select(CaseRow.pk) if hidden is None else select(CaseRow.pk).where(
            CaseRow.pk.not_in(hidden))
        shape = _Shape(hidden is not None, tuple(self._parent_pks(s, hidden)),
                       int(s.scalar(select(func.count()).select_from(seen.subquery())) or 0))
        again = s.scalar(select(CaseBaseStateRow.revision).where(CaseBaseStateRow.id == 1))
        if key is not None and again == revision:
            if len(self._shapes) >= SHAPES_KEPT:
                self._shapes.clear()
            self._shapes[key] = shape
        return shape

    def _seen(self, s: Session, reader: CaseReader) -> ColumnElement[bool] | None:
        hidden = self._hidden(s, reader)
        return None if hidden is None else CaseRow.pk.not_in(hidden)

    def get(self, case_id: str, *, reader: CaseReader = ANONYMOUS) -> StoredCase:
        """The case, if `reader` may see it; NotFound otherwise (as if it did not exist)."""
        with self.db.read() as s:
            row = s.scalars(select(CaseRow).where(CaseRow.id == case_id)).first()
            if row is None or not may_read_case(reader, _access(row)):
                raise NotFound(f"no case with id '{case_id}'")
            return stored_case(row, self._to_case(row))

    def ids(self, *, reader: CaseReader = ANONYMOUS) -> set[str]:
        with self.db.read() as s:
            stmt = select(CaseRow.id)
            seen = self._seen(s, reader)
            return set(s.scalars(stmt if seen is None else stmt.where(seen)).all())

    def count(self, *, reader: CaseReader = ANONYMOUS) -> int:
        with self.db.read() as s:
            stmt = select(func.count()).select_from(CaseRow)
            seen = self._seen(s, reader)
            return int(s.scalar(stmt if seen is None else stmt.where(seen)) or 0)

    def children(self, case_id: str, *, reader: CaseReader = ANONYMOUS) -> list[str]:
        with self.db.read() as s:
            stmt = select(CaseRow.id).where(CaseRow.parent_id == case_id).order_by(CaseRow.id)
            seen = self._seen(s, reader)
            return list(s.scalars(stmt if seen is None else stmt.where(seen)))

    def all_cases(self, where: Node | None = None, *,
                  reader: CaseReader = ANONYMOUS) -> list[Case]:
        with self.db.read() as s:
            stmt = select(CaseRow).order_by(CaseRow.id)
            if where is not None:
                stmt = stmt.where(compile_query(where, self.codebook))
            seen = self._seen(s, reader)
            if seen is not None:
                stmt = stmt.where(seen)
            return [self._to_case(r) for r in s.scalars(stmt)]

    def _search_subquery(self, search: str, *, ranked: bool = True) -> Any:
        """Matching pks, with their rank (lower is better) when `ranked`; no snippets: those
        are made for the returned page only, as they are the expensive part."""
        if self.db.is_sqlite:
            rank = "bm25(cases_fts, 10.0, 4.0, 1.0, 4.0, 4.0)" if ranked else "0.0"
            return text(
                f"SELECT rowid AS pk, {rank} AS rank FROM cases_fts WHERE cases_fts MATCH :q"  # noqa: S608
            ).bindparams(q=fts_query(search)).columns(pk=Integer, rank=Float).subquery("hits")
        rank = f"-ts_rank_cd(search_vector, {PG_QUERY})" if ranked else "0.0"
        return text(
            f"SELECT pk, {rank} AS rank FROM cases "  # noqa: S608 - fixed fragments only
            f"WHERE search_vector @@ {PG_QUERY}"
        ).bindparams(**pg_params(parse_search(search))).columns(
            pk=Integer, rank=Float).subquery("hits")

    def _matched(self, s: Session, search: str, pks: Sequence[int]) -> dict[int, list[str]]:
        """For each hit of the page, the fields holding a word it was found by (title,
        summary, quotes, translation): a case found through one shared quote says so."""
        found: dict[int, list[str]] = {pk: [] for pk in pks}
        if not pks:
            return found
        anything = _any_word(parse_search(search))
        if self.db.is_sqlite:
            # one pass over the page's rows: a column holds a match if its highlight marks one
            # (a column filter per field rescanned the words' whole doclists: 20 ms at 10k)
            marks = ", ".join(f"instr(highlight(cases_fts, {i}, char(1), char(2)), char(1)) > 0"
                              for i in range(len(FTS_LABELS)))
            rows = s.execute(text(
                f"SELECT rowid, {marks} FROM cases_fts WHERE cases_fts MATCH :q "  # noqa: S608
                "AND +rowid IN (SELECT value FROM json_each(:pks))"
            ), {"q": _fts5(anything), "pks": json.dumps(list(pks))})
            for pk, *hits in rows:
                labels = [label for label, hit in zip(FTS_LABELS, hits, strict=True) if hit]
                found[int(pk)] = list(dict.fromkeys(labels))
            return found
        tests = ", ".join(
            f"to_tsvector('{config}', parley_unaccent(coalesce({column}, ''))) @@ "
            f"to_tsquery('{config}', parley_unaccent(:q))" for _, column, config in MATCH_COLUMNS)
        tests += f", to_tsvector('simple', {STEM_COLUMN}) @@ to_tsquery('simple', :qs)"
        rows = s.execute(text(
            f"SELECT pk, {tests} FROM cases WHERE pk = ANY(:pks)"  # noqa: S608 - fixed names
        ), {**pg_params(anything), "pks": list(pks)})
        for pk, *hits in rows:
            labels = [label for label, hit in zip(FTS_LABELS, hits, strict=True) if hit]
            found[int(pk)] = list(dict.fromkeys(labels))
        return found

    def _highlights(self, s: Session, search: str, pks: Sequence[int]
                    ) -> tuple[dict[int, str], dict[int, list[str]]]:
        """Each page hit's snippet and the fields it matched in (two passes over the page's
        rows only: the snippet must skip the Spanish stems column, which holds no text to
        show, while the fields must count it as the translation)."""
        return self._snippets(s, search, pks), self._matched(s, search, pks)

    def _ranked_page(self, s: Session, search: str, limit: int, offset: int,
                     keep: set[int] | None) -> list[Any]:
        """SQLite: a search's page ranked inside the FTS index (best first, ties by storage
        order), then only its rows read from `cases`. Joining every hit to `cases` first read
        thousands of case rows to sort them (most of a search's time at 10k), and filtering
        first probed the FTS index once per kept case. With a filter (or hidden cases) `keep`
        holds the matching cases, and the ranked hits are kept to those."""
        sql = ("SELECT rowid, bm25(cases_fts, 10.0, 4.0, 1.0, 4.0) FROM cases_fts "
               "WHERE cases_fts MATCH :q {kept}ORDER BY 2, rowid LIMIT :limit OFFSET :offset")
        params: dict[str, Any] = {"q": fts_query(search), "limit": limit, "offset": offset}
        kept = ""
        if keep is not None:  # only the kept hits ranked (`+rowid`: see `_hits_among`)
            kept = "AND +rowid IN (SELECT value FROM json_each(:keep)) "
            params["keep"] = json.dumps(sorted(keep))
        ranked = s.execute(text(sql.format(kept=kept)), params).all()
        rank = {int(pk): float(r) for pk, r in ranked}
        rows = {r.pk: r for r in s.execute(select(*LIST_COLUMNS).where(
            CaseRow.pk.in_(list(rank))))}
        return [_ranked(rows[pk], r) for pk, r in rank.items() if pk in rows]

    @staticmethod
    def _hits_among(s: Session, search: str, pks: Sequence[int]) -> list[int]:
        """SQLite: which of `pks` the search finds. Written `+rowid` here and in the page's
        snippets and fields: a plain `rowid IN (...)` beside MATCH makes FTS5 run the whole
        search once per listed row (500 parents of 10,000 cases: 26 ms; one pass: 0.6 ms)."""
        return [int(pk) for pk in s.scalars(text(
            "SELECT rowid FROM cases_fts WHERE cases_fts MATCH :q "
            "AND +rowid IN (SELECT value FROM json_each(:pks))"
        ), {"q": fts_query(search), "pks": json.dumps(list(pks))}).all()]

    def _snippets(self, s: Session, search: str, pks: Sequence[int]) -> dict[int, str]:
        if not pks:
            return {}
        if self.db.is_sqlite:
            anything = _any_word(parse_search(search))
            rows = s.execute(text(
                "SELECT rowid, snippet(cases_fts, -1, :ms, :me, '…', 24) FROM cases_fts "
                "WHERE cases_fts MATCH :q AND +rowid IN (SELECT value FROM json_each(:pks))"
            ), {"q": to_fts5(anything), "ms": MARK_START,
                "me": MARK_END, "pks": json.dumps(list(pks))})
            snippets = {int(pk): str(snip) for pk, snip in rows}
            rest = [pk for pk in pks if pk not in snippets]
            if rest:
                # found only through Spanish stems: the stems are no text to show, so the
                # snippet is the start of the Spanish title and summary they come from
                rows = s.execute(text(
                    "SELECT rowid, snippet(cases_fts, 3, :ms, :me, '…', 24) FROM cases_fts "
                    "WHERE cases_fts MATCH :q AND +rowid IN (SELECT value FROM json_each(:pks))"
                ), {"q": _fts5(anything), "ms": MARK_START, "me": MARK_END,
                    "pks": json.dumps(rest)})
                snippets.update({int(pk): str(snip) for pk, snip in rows})
            return snippets
        opts = f"StartSel={_PG_START}, StopSel={_PG_END}, MaxFragments=2, MaxWords=24, MinWords=8"
        rows = s.execute(text(
            "SELECT pk, ts_headline('english', title || ' — ' || summary || "  # noqa: S608
            "' ' || quotes_text || ' ' || translated_text, "
            f"{PG_QUERY}, :opts) FROM cases WHERE pk = ANY(:pks)"
        ), {**pg_params(_any_word(parse_search(search))), "opts": opts,
            "pks": list(pks)})
        return {int(pk): str(snip).replace(_PG_START, MARK_START).replace(_PG_END, MARK_END)
                for pk, snip in rows}

    def list_cases(
        self,
        where: Node | None = None,
        search: str | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        facets: Sequence[str] = (),
        reader: CaseReader = ANONYMOUS,
    ) -> CasePage:
        """Matching cases that `reader` may see (ranked when searching), their total, and
        facet counts over them."""
        if not 0 <= limit <= MAX_LIMIT or offset < 0:
            raise InvalidInput(f"limit must be 0 to {MAX_LIMIT} and offset at least 0")
        cond = compile_query(where, self.codebook) if where is not None else None
        searching = bool(search and search.strip())
        with self.db.read() as s:
            user_filtered = cond is not None or searching
            shape = self._shape(s, reader)
            clause = hidden_clause(reader) if shape.hidden else None
            hidden = None if clause is None else select(CaseRow.pk).where(clause)
            if hidden is not None:
                seen = CaseRow.pk.not_in(hidden)
                cond = seen if cond is None else and_(cond, seen)
            base = select(CaseRow.pk)
            stmt: Select[Any] = select(*LIST_COLUMNS)  # type: ignore[assignment]
            fts = searching and self.db.is_sqlite  # ranked inside the FTS index
            fast = fts and cond is None
            if searching:
                assert search is not None
                hits = self._search_subquery(search)
                matches = self._search_subquery(search, ranked=False)
                # a semi-join, evaluated once: as a join, SQLite probed the FTS index once per
                # case the filter kept (90 ms for "truce" in one region at 10k; now 3 ms)
                base = (select(matches.c.pk) if fast  # every FTS row is a case
                        else base.where(CaseRow.pk.in_(select(matches.c.pk))))
                stmt = stmt.add_columns(hits.c.rank).join(
                    hits, hits.c.pk == CaseRow.pk).order_by(hits.c.rank, CaseRow.pk)
            else:
                stmt = stmt.order_by(CaseRow.id)
            if cond is not None:
                base = base.where(cond)
                stmt = stmt.where(cond)
            parent_pks = list(shape.parents)
            found: set[int] | None = None
            ordered: list[int] | None = None
            if fts and not fast:
                # the filtered matches, which the ranked hits are kept to; they give the total
                # and the parents among them too (fetched at once: row by row, 3,400 pks took
                # 20 ms of Python). The filter first, then the search among its matches in one
                # pass over the index: joined in SQL, SQLite's planner probed each hit's wide
                # row for the filter (5.3 ms for 3,400 hits; now under 1 ms).
                assert cond is not None and search is not None
                kept = s.scalars(select(CaseRow.pk).where(cond)).all()
                found = set(self._hits_among(s, search, kept)) if kept else set()
            elif user_filtered and not searching:  # a filter, no search
                # one pass over the matching rows gives the total, the parents among them and
                # the page (in list order): reading each row once, not once to count and
                # again to sort (a filter keeping 7% of 10,000 cases: 9.7 ms to 4)
                ordered = list(s.scalars(base.order_by(CaseRow.id)).all())
                found = set(ordered)
            if found is not None:
                total = len(found)
                parents_in = [pk for pk in parent_pks if pk in found]
            elif not user_filtered:  # the whole base: every parent is in it
                total = shape.total
                parents_in = parent_pks
            else:  # counted in the database; the few parents sought among the matches
                total = int(s.scalar(select(func.count()).select_from(base.subquery())) or 0)
                parents_in = parent_pks
                if parent_pks and fast:
                    assert search is not None
                    parents_in = self._hits_among(s, search, parent_pks)
                elif parent_pks and (cond is not None or searching):
                    key = base.selected_columns[0]
                    parents_in = list(s.scalars(base.where(key.in_(parent_pks))).all())
            if fts and search is not None:
                rows: Sequence[Any] = self._ranked_page(s, search, limit, offset,
                                                        None if fast else found)
            elif ordered is not None:
                page = ordered[offset:offset + limit]
                by_pk = {r.pk: r for r in s.execute(select(*LIST_COLUMNS).where(
                    CaseRow.pk.in_(page)))}
                rows = [by_pk[pk] for pk in page]
            else:
                rows = s.execute(stmt.limit(limit).offset(offset)).all()
            snippets, matched = (self._highlights(s, search, [r.pk for r in rows])
                                 if searching and search else ({}, {}))
            items = tuple(self._summary(r, snippets, searching, matched) for r in rows)
            facet_counts: dict[str, dict[str, int]] = {}
            if facets and hidden is not None and not user_filtered:
                facet_counts = self._facets_without(s, hidden, facets, total)
            elif facets:
                # the matches already read are counted as a list, not found again
                scope = base if found is None else self._pk_list(found)
                facet_counts = self._facets(s, scope, facets, total, cond is not None or searching)
            n_parents = len(parents_in)
            if facets and n_parents:  # counts are additive: the few parents taken away
                less = self._facets(s, self._pk_list(parents_in), facets, n_parents, True)
                facet_counts = {name: {code: n - less[name].get(code, 0)
                                       for code, n in counts.items()
                                       if n - less[name].get(code, 0) or code == "unknown"
                                       or self.codebook[name].type.has_codes}
                                for name, counts in facet_counts.items()}
        return CasePage(items, total, facet_counts, n_parents)

    def _pk_list(self, pks: Collection[int]) -> Any:
        """Case pks known in Python as a subquery to test `IN` against: a JSON array on SQLite,
        an array on PostgreSQL (one parameter, however many cases)."""
        ordered = sorted(pks)
        if self.db.is_sqlite:
            return text("SELECT value FROM json_each(:pk_list)").bindparams(
                pk_list=json.dumps(ordered)).columns(value=Integer)
        return text("SELECT unnest(CAST(:pk_list AS integer[]))").bindparams(pk_list=ordered)

    @staticmethod
    def _parent_pks(s: Session, hidden: Select[Any] | None) -> list[int]:
        """The cases that are parents of a sub-case the reader sees: listed, but not counted
        (their sub-cases are). Few, so fetched once and then looked up by key."""
        children = select(CaseRow.parent_id).where(CaseRow.parent_id.is_not(None))
        if hidden is not None:
            children = children.where(CaseRow.pk.not_in(hidden))
        return list(s.scalars(select(CaseRow.pk).where(CaseRow.id.in_(children))).all())

    def _facets_without(self, s: Session, hidden: Select[Any], names: Sequence[str],
                        total: int) -> dict[str, dict[str, int]]:
        """Facet counts of every case but the hidden ones: those of the whole base (its fast,
        unfiltered path) less those of the few hidden cases (counts are additive)."""
        everything = int(s.scalar(select(func.count()).select_from(CaseRow)) or 0)
        full = self._facets(s, select(CaseRow.pk), names, everything, False)
        less = self._facets(s, hidden, names, everything - total, True)
        out: dict[str, dict[str, int]] = {}
        for name in names:
            keep_zero = self.codebook[name].type.has_codes
            counts = {code: n - less[name].get(code, 0) for code, n in full[name].items()}
            out[name] = {code: n for code, n in counts.items()
                         if n or keep_zero or code == "unknown"}
        return out

    def _summary(self, row: Any, snippets: dict[int, str], searching: bool,
                 matched: dict[int, list[str]]) -> CaseSummary:
        snippet = None
        rank = None
        if searching:
            snippet = snippets.get(row.pk, "")
            rank = float(row.rank) if row.rank is not None else None
        return CaseSummary(
            id=row.id, title=row.title, country=row.country, parent=row.parent_id,
            origin=_origin(row.origin), region=row.region, start_year=row.start_year,
            outcome_class=row.outcome_class, snippet=snippet, rank=rank,
            visibility=visibility_of(row.visibility), matched=tuple(matched.get(row.pk, ())),
        )

    def _facets(self, s: Session, base: Any, names: Sequence[str], total: int,
                filtered: bool) -> dict[str, dict[str, int]]:
        for name in names:
            if name not in self.codebook:
                raise InvalidInput(f"unknown facet variable '{name}'")
        scope = [CaseValueRow.case_pk.in_(base)] if filtered else []
        # unfiltered, every case counts, and the IN would only cost time. One row per (case,
        # variable, value): a plain count is a count of cases. Counted by the numbers of
        # migration 0018 along the primary key, then named: a few rows to join, not one a case.
        out: dict[str, dict[str, int]] = {n: {} for n in names}
        numeric = [n for n in names if self.codebook[n].type is VarType.INTEGER]
        coded = [n for n in names if n not in numeric]
        for group, termed in ((coded, True), (numeric, False)):
            if not group:
                continue
            grouped = (select(CaseValueRow.variable, CaseValueRow.value,
                              func.count().label("n"))
                       .where(CaseValueRow.variable.in_(
                           select(CaseVariableRow.id).where(CaseVariableRow.name.in_(group))),
                           *scope)
                       .group_by(CaseValueRow.variable, CaseValueRow.value).subquery())
            named = (select(CaseVariableRow.name, CaseTermRow.text, grouped.c.n)
                     .join(CaseTermRow, CaseTermRow.id == grouped.c.value) if termed
                     else select(CaseVariableRow.name, grouped.c.value, grouped.c.n))
            named = named.select_from(grouped).join(CaseVariableRow,
                                                    CaseVariableRow.id == grouped.c.variable)
            for variable, value, count in s.execute(named):
                out[variable][str(value)] = int(count)
        known = {n: sum(out[n].values()) for n in names if not self.codebook[n].type.is_list}
        lists = [n for n in names if self.codebook[n].type.is_list]
        if lists:
            known_stmt = (select(CaseVariableRow.name,
                                 func.count(func.distinct(CaseValueRow.case_pk)))
                          .join(CaseVariableRow, CaseVariableRow.id == CaseValueRow.variable)
                          .where(CaseVariableRow.name.in_(lists), *scope)
                          .group_by(CaseVariableRow.name))
            known.update({v: int(c) for v, c in s.execute(known_stmt)})
        for name in names:
            var = self.codebook[name]
            counts = out[name]
            if var.type.has_codes:
                counts = {c: counts.get(c, 0) for c in var.codes}
            counts["unknown"] = total - known.get(name, 0)
            out[name] = counts
        return out

    # ----- writing (unaudited bulk loaders: tests, benchmarks) ---------------------------------

    def import_cases(self, cases: Sequence[Case], *, replace: bool = False,
                     visibility: Visibility = Visibility.PUBLIC,
                     owner: str | None = None) -> list[str]:
        """Add user cases, all or nothing, without an audit entry (people import through
        `services.curation.CaseCuration`, which audits).

        Raises:
            ValidationFailed: a duplicate id (in the batch, or already stored unless `replace`),
                a bundled id, or a parent that does not exist; nothing is written.
        """
        problems = batch_problems(cases)
        with self.db.write() as s:
            records = CaseRecords(s, self.codebook, self.search_text)
            existing = records.records([c.id for c in cases])
            known = set(records.records(sorted({c.parent for c in cases if c.parent})))
            for case_id, record in sorted(existing.items()):
                if record.access.bundled:
                    problems.append(Problem(BUNDLED_PROBLEM, case=case_id, field="id"))
                elif not replace:
                    problems.append(Problem(
                        "a case with this id already exists (use --replace to overwrite it)",
                        case=case_id, field="id"))
            problems += parent_problems(cases, known | {c.id for c in cases})
            if problems:
                raise ValidationFailed(problems)
            records.insert([c for c in cases if c.id not in existing],
                           CaseAccess("", False, visibility, owner))
            for c in cases:
                if c.id in existing:
                    records.replace(c)
        if len(cases) >= ANALYZE_AFTER:
            self._analyze()
        return [c.id for c in cases]

    def _analyze(self) -> None:
        """Refresh the query planner's statistics (SQLite has none until asked)."""
        with self.db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()

    def sync_bundled(self, cases: Sequence[Case]) -> SyncReport:
        """`CaseRecords.sync_bundled` in a transaction of its own, without an audit entry."""
        with self.db.write() as s:
            return CaseRecords(s, self.codebook, self.search_text).sync_bundled(cases)


BUNDLED_PROBLEM = ("is a bundled case: bundled cases change only through a Parley release and "
                   "`parley db upgrade`; import your version under another id")


def batch_problems(cases: Sequence[Case]) -> list[Problem]:
    """Ids given twice in one import."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            problems.append(Problem("duplicate id in the imported files", case=c.id, field="id"))
        seen.add(c.id)
    return problems


def parent_problems(cases: Sequence[Case], known: set[str]) -> list[Problem]:
    """Cases whose parent is neither in `known` (stored and seen, or in the batch)."""
    return [Problem(f"parent '{c.parent}' is not a known case", case=c.id, field="parent")
            for c in cases if c.parent is not None and c.parent not in known]


def stored_case(row: CaseRow, case: Case) -> StoredCase:
    return StoredCase(case, _origin(row.origin), row.version, visibility_of(row.visibility),
                      row.owner, row.workspace_id)


class CaseRecords:
    """Case rows inside one write transaction (the unit of work's `tx.cases`): what a change
    needs to know about stored cases, and the change itself. Rules live in the service."""

    def __init__(self, session: Session, codebook: Codebook,
                 search_text: SearchText = no_translations) -> None:
        self.s = session
        self.codebook = codebook
        self.search_text = search_text
        self.values = ValueWriter(session, codebook)

    def _rows(self, ids: Sequence[str]) -> dict[str, CaseRow]:
        found: dict[str, CaseRow] = {}
        unique = sorted(set(ids))
        for start in range(0, len(unique), BATCH):
            stmt = select(CaseRow).where(CaseRow.id.in_(unique[start:start + BATCH]))
            if self.s.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update()
            found.update((r.id, r) for r in self.s.scalars(stmt))
        return found

    def _row(self, case_id: str) -> CaseRow:
        row = self._rows([case_id]).get(case_id)
        if row is None:
            raise NotFound(f"no case with id '{case_id}'")
        return row

    def records(self, ids: Sequence[str]) -> dict[str, CaseRecord]:
        """The stored cases among `ids`, locked for this transaction (PostgreSQL FOR UPDATE;
        SQLite writers are serialised by BEGIN IMMEDIATE)."""
        return {i: _record(r) for i, r in self._rows(ids).items()}

    def children(self, case_id: str) -> list[CaseRecord]:
        rows = self.s.scalars(select(CaseRow).where(CaseRow.parent_id == case_id)
                              .order_by(CaseRow.id))
        return [_record(r) for r in rows]

    def get(self, case_id: str) -> StoredCase:
        row = self._row(case_id)
        return stored_case(row, parse_case(json.loads(row.document), self.codebook,
                                           file=f"database:{row.id}"))

    def insert(self, cases: Sequence[Case], access: CaseAccess, origin: Origin = "user") -> None:
        """Store new cases with `access`'s visibility, owner and workspace."""
        for start in range(0, len(cases), BATCH):
            chunk = cases[start:start + BATCH]
            params = [{**_row_params(c, origin, self.search_text), "visibility": access.visibility.value,
                       "owner": access.owner, "workspace_id": access.workspace} for c in chunk]
            pks = self.s.execute(insert(CaseRow).returning(CaseRow.id, CaseRow.pk), params).all()
            by_id = {i: pk for i, pk in pks}
            self.values.insert([(by_id[c.id], c) for c in chunk])

    def replace(self, case: Case, expected_version: int | None = None) -> int:
        """Replace a stored case's content (its origin, owner and visibility stay); returns
        the new version. A stale `expected_version` is a Conflict."""
        row = self._row(case.id)
        if expected_version is not None:
            check_version("case", case.id, row.version, expected_version)
        self._rewrite(row, case, _origin(row.origin))
        return row.version

    def _rewrite(self, row: CaseRow, case: Case, origin: Origin) -> None:
        params = _row_params(case, origin, self.search_text)
        params.pop("version")
        for key, value in params.items():
            setattr(row, key, value)
        self.s.flush()
        self.s.execute(delete(CaseValueRow).where(CaseValueRow.case_pk == row.pk))
        self.values.insert([(row.pk, case)])

    def delete(self, case_id: str, expected_version: int | None = None) -> None:
        row = self._row(case_id)
        if expected_version is not None:
            check_version("case", case_id, row.version, expected_version)
        self.s.delete(row)
        self.s.flush()

    def set_visibility(self, case_id: str, visibility: Visibility, workspace: str | None,
                       owner: str | None) -> int:
        row = self._row(case_id)
        row.visibility = visibility.value
        row.workspace_id = workspace if visibility is Visibility.WORKSPACE else None
        row.owner = owner
        self.s.flush()
        return row.version

    def is_empty(self) -> bool:
        return self.s.scalars(select(CaseRow.pk).limit(1)).first() is None

    def mark_bundled(self, digest: str) -> None:
        """Record, in this transaction, that the bundled files of `digest` are synced as of
        the revision this transaction leaves (after its own changes)."""
        self.s.flush()
        self.s.execute(update(CaseBaseStateRow).where(CaseBaseStateRow.id == 1).values(
            bundled_digest=digest, bundled_revision=CaseBaseStateRow.revision))

    def sync_bundled(self, cases: Sequence[Case]) -> SyncReport:
        """Make every bundled id hold its bundled file: add missing ones, and rewrite every one
        whose stored content differs from the file in any way (document, the columns and
        index rows derived from it, origin, owner, visibility). Idempotent."""
        installed = self.is_empty()
        rows = self._rows([c.id for c in cases])
        indexed = self.values.read([r.pk for r in rows.values()])
        added: list[str] = []
        updated: list[str] = []
        restored: list[str] = []
        unchanged = 0
        new = []
        for case in cases:
            row = rows.get(case.id)
            if row is None:
                new.append(case)
                added.append(case.id)
                continue
            expected = _row_params(case, "bundled", self.search_text)
            stored_hash = document_hash(row.document)
            intact = (row.origin == "bundled" and row.owner is None
                      and row.visibility == Visibility.PUBLIC.value and row.workspace_id is None
                      and stored_hash == row.content_hash)
            same = intact and row.content_hash == expected["content_hash"] and all(
                getattr(row, k) == expected[k]
                for k in ("title", "parent_id", "summary", "quotes_text", "translated_text",
                          "translated_stems", *LISTED)) and (
                indexed.get(row.pk, []) == index_key(value_rows(case, self.codebook)))
            if same:
                unchanged += 1
                continue
            if intact and row.content_hash != expected["content_hash"]:
                updated.append(case.id)  # stored as an older release had it
            else:
                restored.append(case.id)  # changed outside a release
            self._rewrite(row, case, "bundled")
            row.owner, row.visibility, row.workspace_id = None, Visibility.PUBLIC.value, None
        self.s.flush()
        self.insert(new, CaseAccess("", True), "bundled")
        return SyncReport(tuple(added), tuple(updated), unchanged, tuple(restored), installed)


def _record(row: CaseRow) -> CaseRecord:
    return CaseRecord(_access(row), row.version, row.content_hash, row.parent_id)


LISTED = ("country", "region", "start_year", "outcome_class")
"""The coded values a list row shows, kept in columns of their own (migration 0016)."""


def listed_values(case: Case) -> dict[str, Any]:
    """The `LISTED` values of a case (None where unknown)."""
    out: dict[str, Any] = {}
    for name in LISTED:
        value = case.values[name].value if name in case.values else UNKNOWN
        out[name] = None if value is UNKNOWN else value
    return out


def quotes_text(case: Case) -> str:
    """The case's distinct quotes, one per line, for full-text search: a quote backing
    several values is indexed (and ranked) once, and stored once."""
    return "\n".join(dict.fromkeys(c.quote for c in case.citations()))


def _row_params(case: Case, origin: Origin,
                search_text: SearchText = no_translations) -> dict[str, Any]:
    doc = case_to_dict(case)
    translated = search_text(case.id) if origin == "bundled" else ""
    return {
        "id": case.id, "title": case.title, "parent_id": case.parent,
        "summary": case.summary, "origin": origin, **listed_values(case),
        "quotes_text": quotes_text(case),
        "translated_text": translated,
        "translated_stems": spanish_stems(translated),
        "document": json.dumps(doc, ensure_ascii=False),
        "content_hash": content_hash(case), "version": 1,
    }


def _origin(value: str) -> Origin:
    return "user" if value == "user" else "bundled"
