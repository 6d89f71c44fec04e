"""/api/account and /api/invitations: your password, your sessions, invitations to workspaces."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from parley.web.auth import AccountUser, client_address
from parley.web.deps import get_parley
from parley.web.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad input: names each field and what is allowed"},
    401: {"model": ErrorOut, "description": "No valid bearer token"},
    403: {"model": ErrorOut, "description": "A read-only token"},
    404: {"model": ErrorOut, "description": "No such pending invitation for you"},
}
router = APIRouter(prefix="/api", tags=["account"], responses=ERRORS)


class PasswordIn(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class LanguageIo(BaseModel):
    """The account's language: a supported code (`en`, `es`), or null for none (then the
    browser's switch, Accept-Language and the server's default decide)."""

    language: str | None = Field(default=None, max_length=16)


class SessionsOut(BaseModel):
    sessions_ended: int


class InvitationOut(BaseModel):
    id: str
    workspace: str
    workspace_name: str
    role: str
    invited_by: str
    expires_at: str


@router.post("/account/password", status_code=204)
def change_password(request: Request, body: PasswordIn, actor: AccountUser) -> Response:
    """Change your password; every web session of your account ends (tokens stay)."""
    get_parley(request).accounts.change_password(actor, body.current_password,
                                                 body.new_password,
                                                 client=client_address(request))
    return Response(status_code=204)


@router.get("/account/language", response_model=LanguageIo)
def account_language(request: Request, actor: AccountUser) -> LanguageIo:
    """Your account's language (null: none chosen)."""
    return LanguageIo(language=get_parley(request).accounts.user(actor.name).language)


@router.put("/account/language", response_model=LanguageIo)
def set_account_language(request: Request, body: LanguageIo, actor: AccountUser) -> LanguageIo:
    """Choose your account's language (null or "": none); it then wins over the browser's
    switch and Accept-Language (docs/i18n.md). Audited as `user.language_changed`."""
    user = get_parley(request).accounts.set_language(actor, actor.name, body.language)
    return LanguageIo(language=user.language)


@router.post("/account/sessions/revoke", response_model=SessionsOut)
def sign_out_everywhere(request: Request, actor: AccountUser) -> SessionsOut:
    """End every web session of your account."""
    return SessionsOut(sessions_ended=get_parley(request).accounts.revoke_sessions(
        actor, actor.name))


@router.get("/invitations", response_model=list[InvitationOut])
def pending_invitations(request: Request, actor: AccountUser) -> list[InvitationOut]:
    """Your pending invitations to workspaces."""
    return [InvitationOut(id=p.invitation.id, workspace=p.invitation.workspace,
                          workspace_name=p.workspace_name, role=p.invitation.role.value,
                          invited_by=p.invitation.invited_by,
                          expires_at=p.invitation.expires_at.isoformat())
            for p in get_parley(request).invitations.pending(actor)]


@router.post("/invitations/{invitation_id}/accept", status_code=204)
def accept_invitation(request: Request, invitation_id: str, actor: AccountUser) -> Response:
    """Accept: you become a member with the offered role."""
    get_parley(request).invitations.answer(actor, invitation_id, accept=True)
    return Response(status_code=204)


@router.post("/invitations/{invitation_id}/decline", status_code=204)
def decline_invitation(request: Request, invitation_id: str, actor: AccountUser) -> Response:
    """Decline: the invitation is gone."""
    get_parley(request).invitations.answer(actor, invitation_id, accept=False)
    return Response(status_code=204)
