"""The case repository: store, query, search and facet cases on SQLite or PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Float, Integer, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from parley.domain.case import Case, case_to_dict, parse_case
from parley.domain.codebook import Codebook, VarType
from parley.domain.errors import InvalidInput, NotFound, Problem, ValidationFailed
from parley.domain.evidence import UNKNOWN
from parley.domain.listing import (
    MARK_END,
    MARK_START,
    CasePage,
    CaseSummary,
    Origin,
    StoredCase,
    SyncReport,
)
from parley.domain.query import Node
from parley.storage.database import Database
from parley.storage.querysql import compile_query
from parley.storage.tables import CaseRow, CaseValueRow

BATCH = 500
VALUES: Table = CaseValueRow.__table__  # type: ignore[assignment]
ANALYZE_AFTER = 200  # refresh planner statistics after writing this many cases
_PG_START, _PG_END = "\u27e6", "\u27e7"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_LIMIT = 1000


def content_hash(case: Case) -> str:
    data = json.dumps(case_to_dict(case), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def value_rows(case: Case, codebook: Codebook) -> list[dict[str, Any]]:
    """The indexed rows of a case's values: one per code, number or folded text item."""
    rows: list[dict[str, Any]] = []
    for name, coded in case.values.items():
        value = coded.value
        if value is UNKNOWN:
            continue
        vtype = codebook[name].type
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if vtype is VarType.INTEGER:
                rows.append({"variable": name, "code": None, "num": int(item)})
            elif vtype in (VarType.TEXT, VarType.TEXT_LIST):
                rows.append({"variable": name, "code": str(item).casefold()[:500], "num": None})
            else:
                rows.append({"variable": name, "code": str(item), "num": None})
    return rows


def fts_query(search: str) -> str:
    """User text as an FTS5 query: every word must match (quoted, so no operator injection)."""
    words = _WORD.findall(search)
    if not words:
        raise InvalidInput(f"search text {search!r} has no words to search for")
    return " ".join('"' + w.replace('"', '""') + '"' for w in words[:32])


class CaseRepository:
    """Cases in one database. Reads open their own sessions; writes are serialised."""

    def __init__(self, db: Database, codebook: Codebook) -> None:
        self.db = db
        self.codebook = codebook

    # ----- reading ---------------------------------------------------------------------------

    def _to_case(self, row: CaseRow) -> Case:
        return parse_case(json.loads(row.document), self.codebook, file=f"database:{row.id}")

    def get(self, case_id: str) -> StoredCase:
        with self.db.read() as s:
            row = s.scalars(select(CaseRow).where(CaseRow.id == case_id)).first()
            if row is None:
                raise NotFound(f"no case with id '{case_id}'")
            return StoredCase(self._to_case(row), _origin(row.origin), row.version)

    def ids(self) -> set[str]:
        with self.db.read() as s:
            return set(s.scalars(select(CaseRow.id)))

    def count(self) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(CaseRow)) or 0)

    def children(self, case_id: str) -> list[str]:
        with self.db.read() as s:
            return list(s.scalars(select(CaseRow.id).where(CaseRow.parent_id == case_id)
                                  .order_by(CaseRow.id)))

    def all_cases(self, where: Node | None = None) -> list[Case]:
        with self.db.read() as s:
            stmt = select(CaseRow).order_by(CaseRow.id)
            if where is not None:
                stmt = stmt.where(compile_query(where, self.codebook))
            return [self._to_case(r) for r in s.scalars(stmt)]

    def _search_subquery(self, search: str, *, ranked: bool = True) -> Any:
        """Matching pks, with their rank (lower is better) when `ranked`; no snippets: those
        are made for the returned page only, as they are the expensive part."""
        if self.db.is_sqlite:
            rank = "bm25(cases_fts, 10.0, 4.0, 1.0)" if ranked else "0.0"
            return text(
                f"SELECT rowid AS pk, {rank} AS rank FROM cases_fts WHERE cases_fts MATCH :q"  # noqa: S608
            ).bindparams(q=fts_query(search)).columns(pk=Integer, rank=Float).subquery("hits")
        rank = "-ts_rank_cd(search_vector, websearch_to_tsquery('english', :q))" if ranked \
            else "0.0"
        return text(
            f"SELECT pk, {rank} AS rank FROM cases "  # noqa: S608 - fixed fragments only
            "WHERE search_vector @@ websearch_to_tsquery('english', :q)"
        ).bindparams(q=search).columns(pk=Integer, rank=Float).subquery("hits")

    def _snippets(self, s: Session, search: str, pks: Sequence[int]) -> dict[int, str]:
        if not pks:
            return {}
        if self.db.is_sqlite:
            rows = s.execute(text(
                "SELECT rowid, snippet(cases_fts, -1, :ms, :me, '…', 24) FROM cases_fts "
                "WHERE cases_fts MATCH :q AND rowid IN (SELECT value FROM json_each(:pks))"
            ), {"q": fts_query(search), "ms": MARK_START, "me": MARK_END,
                "pks": json.dumps(list(pks))})
            return {int(pk): str(snip) for pk, snip in rows}
        opts = f"StartSel={_PG_START}, StopSel={_PG_END}, MaxFragments=2, MaxWords=24, MinWords=8"
        rows = s.execute(text(
            "SELECT pk, ts_headline('english', title || ' — ' || summary || ' ' || quotes_text, "
            "websearch_to_tsquery('english', :q), :opts) FROM cases WHERE pk = ANY(:pks)"
        ), {"q": search, "opts": opts, "pks": list(pks)})
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
    ) -> CasePage:
        """Matching cases (ranked when searching), their total, and facet counts."""
        if not 0 <= limit <= MAX_LIMIT or offset < 0:
            raise InvalidInput(f"limit must be 0 to {MAX_LIMIT} and offset at least 0")
        cond = compile_query(where, self.codebook) if where is not None else None
        searching = bool(search and search.strip())
        with self.db.read() as s:
            base = select(CaseRow.pk)
            stmt = select(CaseRow.pk, CaseRow.id, CaseRow.title, CaseRow.parent_id,
                          CaseRow.origin, CaseRow.document)
            if searching:
                assert search is not None
                hits = self._search_subquery(search)
                matches = self._search_subquery(search, ranked=False)
                base = base.join(matches, matches.c.pk == CaseRow.pk)
                stmt = stmt.add_columns(hits.c.rank).join(
                    hits, hits.c.pk == CaseRow.pk).order_by(hits.c.rank, CaseRow.id)
            else:
                stmt = stmt.order_by(CaseRow.id)
            if cond is not None:
                base = base.where(cond)
                stmt = stmt.where(cond)
            total = int(s.scalar(select(func.count()).select_from(base.subquery())) or 0)
            rows = s.execute(stmt.limit(limit).offset(offset)).all()
            snippets = self._snippets(s, search, [r.pk for r in rows]) if searching and search \
                else {}
            items = tuple(self._summary(r, snippets, searching) for r in rows)
            facet_counts = (self._facets(s, base, facets, total, cond is not None or searching)
                            if facets else {})
        return CasePage(items, total, facet_counts)

    def _summary(self, row: Any, snippets: dict[int, str], searching: bool) -> CaseSummary:
        doc = json.loads(row.document)
        values = doc["values"]

        def single(name: str) -> Any:
            v = values.get(name, {}).get("value", "unknown")
            return None if v == "unknown" else v

        snippet = None
        rank = None
        if searching:
            snippet = snippets.get(row.pk, "")
            rank = float(row.rank) if row.rank is not None else None
        return CaseSummary(
            id=row.id, title=row.title, country=single("country"), parent=row.parent_id,
            origin=_origin(row.origin), region=single("region"), start_year=single("start_year"),
            outcome_class=single("outcome_class"), snippet=snippet, rank=rank,
        )

    def _facets(self, s: Session, base: Any, names: Sequence[str], total: int,
                filtered: bool) -> dict[str, dict[str, int]]:
        for name in names:
            if name not in self.codebook:
                raise InvalidInput(f"unknown facet variable '{name}'")
        scope = [CaseValueRow.variable.in_(list(names))]
        if filtered:  # unfiltered: every case counts, and the IN would only cost time
            scope.append(CaseValueRow.case_pk.in_(base))
        # One row per (case, variable, code): a plain count is a count of cases. Codes and
        # numbers are grouped apart so that (variable, code, case_pk) is a covering index.
        out: dict[str, dict[str, int]] = {n: {} for n in names}
        numeric = [n for n in names if self.codebook[n].type is VarType.INTEGER]
        coded = [n for n in names if n not in numeric]
        if coded:
            stmt = (select(CaseValueRow.variable, CaseValueRow.code, func.count())
                    .where(CaseValueRow.variable.in_(coded), *scope[1:])
                    .group_by(CaseValueRow.variable, CaseValueRow.code))
            for variable, code, count in s.execute(stmt):
                out[variable][str(code)] = int(count)
        if numeric:
            nstmt = (select(CaseValueRow.variable, CaseValueRow.num, func.count())
                     .where(CaseValueRow.variable.in_(numeric), *scope[1:])
                     .group_by(CaseValueRow.variable, CaseValueRow.num))
            for variable, num, count in s.execute(nstmt):
                out[variable][str(num)] = int(count)
        known = {n: sum(out[n].values()) for n in names if not self.codebook[n].type.is_list}
        lists = [n for n in names if self.codebook[n].type.is_list]
        if lists:
            list_scope = [CaseValueRow.variable.in_(lists), *scope[1:]]
            known_stmt = (select(CaseValueRow.variable,
                                 func.count(func.distinct(CaseValueRow.case_pk)))
                          .where(*list_scope).group_by(CaseValueRow.variable))
            known.update({v: int(c) for v, c in s.execute(known_stmt)})
        for name in names:
            var = self.codebook[name]
            counts = out[name]
            if var.type.has_codes:
                counts = {c: counts.get(c, 0) for c in var.codes}
            counts["unknown"] = total - known.get(name, 0)
            out[name] = counts
        return out

    # ----- writing ---------------------------------------------------------------------------

    def _insert(self, s: Session, cases: Iterable[Case], origin: Origin) -> None:
        batch = list(cases)
        for start in range(0, len(batch), BATCH):
            chunk = batch[start:start + BATCH]
            params = [self._row_params(c, origin) for c in chunk]
            pks = s.execute(insert(CaseRow).returning(CaseRow.id, CaseRow.pk), params).all()
            by_id = {i: pk for i, pk in pks}
            values = [
                {"case_pk": by_id[c.id], **v} for c in chunk for v in value_rows(c, self.codebook)
            ]
            if values:
                # Core executemany on the table: the ORM's bulk insert would split batches
                # wherever a None (code or num) changes the set of keys.
                s.execute(insert(VALUES), values)

    def _row_params(self, case: Case, origin: Origin) -> dict[str, Any]:
        doc = case_to_dict(case)
        return {
            "id": case.id, "title": case.title, "parent_id": case.parent,
            "summary": case.summary, "origin": origin,
            "quotes_text": "\n".join(c.quote for c in case.citations()),
            "document": json.dumps(doc, ensure_ascii=False),
            "content_hash": content_hash(case), "version": 1,
        }

    def _replace(self, s: Session, row: CaseRow, case: Case, origin: Origin) -> None:
        params = self._row_params(case, origin)
        params.pop("version")
        for key, value in params.items():
            setattr(row, key, value)
        s.flush()
        s.execute(delete(CaseValueRow).where(CaseValueRow.case_pk == row.pk))
        values = [{"case_pk": row.pk, **v} for v in value_rows(case, self.codebook)]
        if values:
            s.execute(insert(VALUES), values)

    def import_cases(self, cases: Sequence[Case], *, replace: bool = False) -> list[str]:
        """Add user cases, all or nothing.

        Raises:
            ValidationFailed: a duplicate id (in the batch, or already stored unless `replace`),
                or a parent that does not exist; nothing is written.
        """
        problems: list[Problem] = []
        seen: set[str] = set()
        for c in cases:
            if c.id in seen:
                problems.append(Problem("duplicate id in the imported files", case=c.id, field="id"))
            seen.add(c.id)
        with self.db.write() as s:
            existing = {r.id: r for r in s.scalars(select(CaseRow).where(CaseRow.id.in_(seen)))}
            parents = {c.parent for c in cases if c.parent is not None} - seen
            stored_ids = set(s.scalars(select(CaseRow.id).where(CaseRow.id.in_(parents))))
            if existing and not replace:
                problems.extend(
                    Problem("a case with this id already exists (use --replace to overwrite it)",
                            case=i, field="id") for i in sorted(existing))
            for c in cases:
                if c.parent is not None and c.parent not in seen | stored_ids:
                    problems.append(Problem(f"parent '{c.parent}' is not a known case",
                                            case=c.id, field="parent"))
            if problems:
                raise ValidationFailed(problems)
            new = [c for c in cases if c.id not in existing]
            for c in cases:
                if c.id in existing:
                    self._replace(s, existing[c.id], c, "user")
            self._insert(s, new, "user")
        if len(cases) >= ANALYZE_AFTER:
            self._analyze()
        return [c.id for c in cases]

    def _analyze(self) -> None:
        """Refresh the query planner's statistics (SQLite has none until asked)."""
        with self.db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()

    def sync_bundled(self, cases: Sequence[Case]) -> SyncReport:
        """Load the bundled cases: add new ones, update changed bundled ones, never touch a
        user's own case with the same id. Idempotent."""
        added: list[str] = []
        updated: list[str] = []
        kept: list[str] = []
        unchanged = 0
        with self.db.write() as s:
            rows = {r.id: r for r in s.scalars(select(CaseRow))}
            new = []
            for case in cases:
                row = rows.get(case.id)
                if row is None:
                    new.append(case)
                    added.append(case.id)
                elif row.origin == "user":
                    kept.append(case.id)
                elif row.content_hash != content_hash(case):
                    self._replace(s, row, case, "bundled")
                    updated.append(case.id)
                else:
                    unchanged += 1
            self._insert(s, new, "bundled")
        return SyncReport(tuple(added), tuple(updated), unchanged, tuple(kept))

    def delete(self, case_id: str) -> None:
        with self.db.write() as s:
            row = s.scalars(select(CaseRow).where(CaseRow.id == case_id)).first()
            if row is None:
                raise NotFound(f"no case with id '{case_id}'")
            kids = list(s.scalars(select(CaseRow.id).where(CaseRow.parent_id == case_id)))
            if kids:
                raise InvalidInput(f"case '{case_id}' is the parent of {', '.join(kids)}")
            s.delete(row)


def _origin(value: str) -> Origin:
    return "user" if value == "user" else "bundled"
