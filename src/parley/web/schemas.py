"""API response models (Pydantic), separate from domain classes and tables."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from parley.domain.case import Case, case_to_dict
from parley.domain.listing import CasePage, CaseSummary, StoredCase, marked_html


class Evidence(BaseModel):
    source: str
    section: str
    quote: str


class CodedValueOut(BaseModel):
    value: str | int | list[str] = Field(description='"unknown" where the source is silent')
    evidence: list[Evidence] = []
    note: str | None = None


class CaseOut(BaseModel):
    """A case in the interchange shape of docs/interfaces.md."""

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
    visibility: Literal["private", "workspace", "public"] = Field(
        "public", description="who sees the case: its owner, the members of `workspace` too, "
        "or everyone (bundled and published cases)")
    owner: str | None = Field(None, description="the account the case belongs to (shown to "
                              "signed-in readers; none for bundled cases)")
    workspace: str | None = Field(None, description="the workspace it is shared with")

    @classmethod
    def of_stored(cls, stored: StoredCase, children: list[str], *,
                  signed_in: bool) -> CaseDetailOut:
        base = CaseOut.of(stored.case).model_dump()
        return cls(**base, origin=stored.origin, version=stored.version, children=children,
                   visibility=stored.visibility.value,
                   owner=stored.owner if signed_in else None,
                   workspace=stored.workspace if signed_in else None)


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
    visibility: str = "public"
    matched: list[str] | None = Field(
        None, description="a search hit: where its words were found (title, summary, quotes, "
        "translation)")

    @classmethod
    def of(cls, s: CaseSummary) -> CaseSummaryOut:
        snippet = marked_html(s.snippet) if s.snippet is not None else None
        return cls(id=s.id, title=s.title, country=s.country, parent=s.parent, origin=s.origin,
                   region=s.region, start_year=s.start_year, outcome_class=s.outcome_class,
                   snippet=snippet, rank=s.rank, visibility=s.visibility.value,
                   matched=list(s.matched) if s.snippet is not None else None)


class CaseListOut(BaseModel):
    total: int = Field(description="every matching case, parents of listed sub-cases included")
    leaves: int = Field(description="the cases counted: total less `parents` (the facets, the "
                        "cross-tab and QCA count these, so no negotiation counts twice)")
    parents: int = Field(description="matching cases that are parents of sub-cases you see")
    limit: int
    offset: int
    cases: list[CaseSummaryOut]
    facets: dict[str, dict[str, int]] = Field(description="counts of leaf cases")

    @classmethod
    def of(cls, page: CasePage, limit: int, offset: int) -> CaseListOut:
        return cls(total=page.total, leaves=page.leaves, parents=page.parents, limit=limit,
                   offset=offset,
                   cases=[CaseSummaryOut.of(i) for i in page.items],
                   facets={k: dict(v) for k, v in page.facets.items()})


class ComparisonOut(BaseModel):
    cases: list[CaseOut]
    differing: list[str]


class CaseImportOut(BaseModel):
    imported: list[str]


class VisibilityIn(BaseModel):
    """Publish a case (public), share it with a workspace you belong to, or make it private."""

    model_config = ConfigDict(extra="forbid")

    visibility: Literal["private", "workspace", "public"]
    workspace: str | None = Field(None, max_length=64,
                                  description="the workspace to share with (visibility "
                                  "'workspace' only)")


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
