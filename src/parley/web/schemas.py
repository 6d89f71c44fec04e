"""API response models (Pydantic), separate from domain classes and tables."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from parley.domain.case import Case, case_to_dict
from parley.domain.listing import MARK_END, MARK_START, CasePage, CaseSummary


class Evidence(BaseModel):
    source: str
    section: str
    quote: str


class CodedValueOut(BaseModel):
    value: str | int | list[str] = Field(description='"unknown" where the source is silent')
    evidence: list[Evidence] = []
    note: str | None = None


class CaseOut(BaseModel):
    """A case in the interchange shape of spec/interfaces.md."""

    id: str
    title: str
    country: str | None
    parent: str | None
    summary: str
    values: dict[str, CodedValueOut]

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        return cls.model_validate(case_to_dict(case))


class CaseDetailOut(CaseOut):
    origin: str
    version: int
    children: list[str]


class CaseSummaryOut(BaseModel):
    id: str
    title: str
    country: str | None
    parent: str | None
    origin: str
    region: str | None
    start_year: int | None
    outcome_class: str | None
    snippet: str | None = Field(None, description="matching text; matches wrapped in <mark>…</mark>"
                                " (the rest HTML-escaped)")
    rank: float | None = None

    @classmethod
    def of(cls, s: CaseSummary) -> CaseSummaryOut:
        from html import escape

        snippet = None
        if s.snippet is not None:
            snippet = escape(s.snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
        return cls(id=s.id, title=s.title, country=s.country, parent=s.parent, origin=s.origin,
                   region=s.region, start_year=s.start_year, outcome_class=s.outcome_class,
                   snippet=snippet, rank=s.rank)


class CaseListOut(BaseModel):
    total: int
    limit: int
    offset: int
    cases: list[CaseSummaryOut]
    facets: dict[str, dict[str, int]]

    @classmethod
    def of(cls, page: CasePage, limit: int, offset: int) -> CaseListOut:
        return cls(total=page.total, limit=limit, offset=offset,
                   cases=[CaseSummaryOut.of(i) for i in page.items],
                   facets={k: dict(v) for k, v in page.facets.items()})


class ComparisonOut(BaseModel):
    cases: list[CaseOut]
    differing: list[str]


class ImportOut(BaseModel):
    imported: list[str]


class VariableOut(BaseModel):
    name: str
    type: str
    group: str
    definition: str
    codes: dict[str, str]
    ordered: bool
    scenario: bool


class ErrorDetail(BaseModel):
    message: str
    problems: list[dict[str, Any]] | None = None
    position: int | None = None
    query: str | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail
