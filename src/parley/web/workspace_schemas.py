"""API models of accounts, workspaces, items and the audit log (separate from domain classes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from parley.domain.account import TokenInfo
from parley.domain.audit import AuditEntry
from parley.domain.guideline import Guideline
from parley.domain.item_kinds import ItemKind, describe_kinds
from parley.domain.workspace import Item, Workspace
from parley.services.living_assessments import LivingAssessment

ClassificationName = Literal["public", "restricted", "secret"]
RoleName = Literal["owner", "negotiator", "analyst", "observer"]


class WorkspaceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)


class WorkspaceUpdateIn(WorkspaceIn):
    version: int = Field(ge=1, le=2**31 - 1,
                         description="the version you read: a stale one gets 409")


class MemberOut(BaseModel):
    user: str
    role: RoleName


class WorkspaceOut(BaseModel):
    id: str
    name: str
    description: str
    version: int
    created_at: str
    role: RoleName | None = None
    members: list[MemberOut] | None = None

    @classmethod
    def of(cls, ws: Workspace, role: str | None = None,
           members: list[MemberOut] | None = None) -> WorkspaceOut:
        return cls(id=ws.id, name=ws.name, description=ws.description, version=ws.version,
                   created_at=ws.created_at.isoformat(), role=role,
                   members=members)


class MemberIn(BaseModel):
    role: RoleName


class ItemIn(BaseModel):
    kind: ItemKind = Field(description="documents are uploaded through /documents; `party` "
                           "was renamed `actor`")
    classification: ClassificationName
    fields: dict[str, Any] = Field(
        description="the kind's fields (see docs/security.md and GET /api/workspace-kinds)")


class ItemUpdateIn(BaseModel):
    classification: ClassificationName
    fields: dict[str, Any]
    version: int = Field(ge=1, le=2**31 - 1,
                         description="the version you read: a stale one gets 409")


class AttachmentOut(BaseModel):
    filename: str
    content_type: str
    size: int
    sha256: str


class WarningOut(BaseModel):
    guideline: str
    title: str
    message: str
    citations: list[str] = Field(description="where the paper says it (section: quote)")


class ItemOut(BaseModel):
    id: str
    workspace_id: str
    kind: ItemKind
    classification: ClassificationName
    title: str
    fields: dict[str, Any]
    version: int
    created_by: str
    created_at: str
    updated_at: str
    attachment: AttachmentOut | None = None
    warnings: list[WarningOut] | None = Field(
        None, description="a demand's: the paper's warnings its code triggers (guidelines)")

    @classmethod
    def of(cls, item: Item, warnings: Sequence[Guideline] = ()) -> ItemOut:
        att = item.attachment
        return cls(id=item.id, workspace_id=item.workspace_id,
                   kind=item.kind.value,
                   classification=item.classification.value,
                   title=item.title, fields=dict(item.fields), version=item.version,
                   created_by=item.created_by, created_at=item.created_at.isoformat(),
                   updated_at=item.updated_at.isoformat(),
                   attachment=AttachmentOut(**att.__dict__) if att else None,
                   warnings=[WarningOut(guideline=g.id, title=g.title, message=g.message,
                                        citations=[f"{c.section}: {c.quote}"
                                                   for c in g.citations])
                             for g in warnings] if item.kind is ItemKind.DEMAND else None)


class TokenIn(BaseModel):
    scope: Literal["read", "write"] = "write"
    label: str = Field("", max_length=200)
    expires_days: int = Field(90, ge=1, le=3650, description="days until the token expires")


class TokenOut(BaseModel):
    id: str
    label: str
    scope: Literal["read", "write"]
    created_at: str
    revoked: bool
    expires_at: str | None = None
    last_used_at: str | None = None

    @classmethod
    def of(cls, t: TokenInfo) -> TokenOut:
        return cls(id=t.id, label=t.label, scope=t.scope.value,
                   created_at=t.created_at.isoformat(), revoked=t.revoked,
                   expires_at=t.expires_at.isoformat() if t.expires_at else None,
                   last_used_at=t.last_used_at.isoformat() if t.last_used_at else None)


class NewTokenOut(TokenOut):
    token: str = Field(description="the secret: shown this once, never stored")


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    actor: str
    event: str
    workspace: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryOut:
        return cls(seq=e.seq, at=e.at, actor=e.actor, event=e.event, workspace=e.workspace,
                   details=dict(e.details), prev_hash=e.prev_hash, hash=e.hash)


class FieldOut(BaseModel):
    name: str
    type: str = Field(description="line, text, choice, choices, names, date, integer, boolean, "
                      "ref (an item id), log (kept by Parley, never set by a client)")
    label: str
    required: bool
    choices: list[str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    refers_to: ItemKind | None = Field(None, description="the kind a ref field must name")
    codebook: str | None = Field(None, description="the codebook variable whose codes these are")
    personal: bool = Field(description="holds personal names (pseudonymised in anonymised "
                           "exports)")
    help: str | None = None


class KindOut(BaseModel):
    kind: ItemKind
    label: str
    purpose: str
    single: bool = Field(description="at most one per workspace (edited, its versions kept)")
    written_by: str | None = Field(None, description="set: not written through the item "
                                   "routes but by this (an upload, the living assessment)")
    fields: list[FieldOut]


def workspace_kinds() -> list[KindOut]:
    return [KindOut.model_validate(d) for d in describe_kinds()]


class RevocationIn(BaseModel):
    breach: str = Field(min_length=1, max_length=64, description="the breach that opened it")
    decision: Literal["revoke", "retain"]
    reason: str = Field(min_length=1, max_length=2000)
    version: int = Field(ge=1, le=2**31 - 1,
                         description="the condition's version you read: a stale one gets 409")


class ProfileValueOut(BaseModel):
    variable: str
    value: str | list[str]
    source: Literal["items", "hand"]
    items: list[str] = Field(description="ids of the items that tell it")


class FindingStateOut(BaseModel):
    guideline: str
    title: str
    kind: str
    phase: str
    severity: str
    message: str
    citations: list[str]
    status: Literal["open", "addressed", "accepted"]
    addressed_by: str | None = Field(None, description="the addressing item's title")
    response: str | None = Field(None, description="id of the risk-response item")
    by: str | None = None
    at: str | None = None
    reason: str | None = None


class ChecklistOut(BaseModel):
    item: str
    status: str
    guideline: str


class LivingAssessmentOut(BaseModel):
    workspace: str
    profile: list[ProfileValueOut]
    overridden: list[str] = Field(description="set by hand, but the items tell it: items win")
    counts: dict[str, int]
    findings: list[FindingStateOut]
    checklist: dict[str, list[ChecklistOut]] = Field(description="by phase")
    situation: str | None = Field(None, description="id of the situation item")
    situation_version: int | None = None
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, a: LivingAssessment) -> LivingAssessmentOut:
        return cls(
            workspace=a.workspace.id,
            profile=[ProfileValueOut(variable=v.variable, value=list(v.value)
                                     if isinstance(v.value, tuple) else v.value,
                                     source="items" if v.source == "items" else "hand",
                                     items=list(v.items)) for v in a.profile.values],
            overridden=list(a.profile.overridden), counts=a.counts,
            findings=[FindingStateOut(
                guideline=s.finding.guideline, title=s.finding.title, kind=s.finding.kind,
                phase=s.finding.phase, severity=s.finding.severity, message=s.finding.message,
                citations=[f"{c.section}: {c.quote}" for c in s.finding.citations],
                status="open" if s.status == "open" else
                "addressed" if s.status == "addressed" else "accepted",
                addressed_by=s.addressed_by, response=s.response.id if s.response else None,
                by=s.by, at=s.at,
                reason=str(s.response.fields.get("reason") or "") or None if s.response
                else None) for s in a.findings],
            checklist={phase: [ChecklistOut(item=e.item, status=e.status, guideline=e.guideline)
                               for e in entries] for phase, entries in a.checklist.items()},
            situation=a.situation.id if a.situation else None,
            situation_version=a.situation.version if a.situation else None,
            history=[dict(h) for h in a.history])


class SituationIn(BaseModel):
    values: dict[str, str | list[str]] = Field(
        description="scenario variables the items do not tell, as in a scenario file")
    notes: str = Field("", max_length=20000)
    classification: ClassificationName = "restricted"
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="the situation's version you read (to change it)")


class ResponseIn(BaseModel):
    status: Literal["open", "addressed", "accepted"]
    addressed_by: str | None = Field(None, max_length=64, description="id of the item")
    reason: str = Field("", max_length=20000)
    classification: ClassificationName = "restricted"
