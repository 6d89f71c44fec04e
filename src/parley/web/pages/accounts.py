"""Sign-in, sign-out, first-start setup, your account (password, sessions), invitations, tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parley.domain.access import Scope
from parley.domain.account import Principal
from parley.domain.errors import InvalidInput, NotAuthenticated, ValidationFailed
from parley.web.auth import (
    SESSION_COOKIE,
    AccountUser,
    client_address,
    csrf_check,
    set_cookie,
)
from parley.web.deps import get_parley
from parley.web.pages.forms import render_form

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_check)])


def _safe_next(target: str) -> str:
    """Only local paths: never redirect off-site after signing in."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/workspaces"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/workspaces") -> HTMLResponse:
    return render_form(request, "account/login.html", {"next": _safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)],
          next: Annotated[str, Form(max_length=500)] = "/workspaces",
          ) -> Response:
    parley = get_parley(request)
    try:
        secret = parley.accounts.login(username.strip(), password, client_address(request))
    except NotAuthenticated as exc:
        return render_form(request, "account/login.html",
                           {"next": _safe_next(next), "error": str(exc),
                            "username": username}, 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, secret,
               int(parley.accounts.policy.session_lifetime.total_seconds()))
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    get_parley(request).accounts.logout(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/setup/{token}", response_class=HTMLResponse)
def setup_form(request: Request, token: str) -> HTMLResponse:
    get_parley(request).accounts.check_setup_token(token)
    return render_form(request, "account/setup.html", {"token": token})


@router.post("/setup/{token}", response_class=HTMLResponse)
def setup(request: Request, token: str, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)]) -> Response:
    parley = get_parley(request)
    try:
        user = parley.accounts.complete_setup(token, username.strip(), password)
    except ValidationFailed as exc:
        return render_form(request, "account/setup.html",
                           {"token": token, "username": username, "error": str(exc)}, 400)
    secret = parley.accounts.login(user.name, password, client_address(request))
    response = RedirectResponse("/workspaces", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, secret,
               int(parley.accounts.policy.session_lifetime.total_seconds()))
    return response


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens(request: Request, actor: AccountUser) -> HTMLResponse:
    parley = get_parley(request)
    return render_form(request, "account/tokens.html",
                       {"tokens": parley.accounts.tokens(actor), "now": parley.accounts.clock()})


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, actor: AccountUser,
                 scope: Annotated[Scope, Form()] = Scope.WRITE,
                 label: Annotated[str, Form(max_length=200)] = "",
                 expires_days: Annotated[int, Form(ge=1, le=3650)] = 90) -> HTMLResponse:
    parley = get_parley(request)
    new = parley.accounts.create_token(actor, actor.name, scope=scope, label=label,
                                       expires_days=expires_days)
    return render_form(request, "account/tokens.html",
                       {"tokens": parley.accounts.tokens(actor), "new_token": new.secret,
                        "now": parley.accounts.clock()})


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, actor: AccountUser) -> Response:
    get_parley(request).accounts.revoke_token(actor, token_id)
    return RedirectResponse("/account/tokens", status_code=303)


def _account_page(request: Request, actor: Principal, **extra: object) -> dict[str, object]:
    parley = get_parley(request)
    return {"actor": actor, "saved": parley.scenarios.mine(actor),
            "account_language": parley.accounts.user(actor.name).language or "", **extra}


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, actor: AccountUser, changed: bool = False) -> HTMLResponse:
    return render_form(request, "account/account.html",
                       _account_page(request, actor, changed=changed))


@router.post("/account/language", response_class=HTMLResponse)
def choose_language(request: Request, actor: AccountUser,
                    language: Annotated[str, Form(max_length=16)] = "") -> Response:
    """Your account's language (empty: this browser's choice, then the browser's languages)."""
    try:
        get_parley(request).accounts.set_language(actor, actor.name, language)
    except InvalidInput as exc:
        return render_form(request, "account/account.html",
                           _account_page(request, actor, language_error=str(exc)), 400)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, actor: AccountUser,
                    current_password: Annotated[str, Form(max_length=1024)] = "",
                    new_password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    """Change your password: every session ends; this browser gets a fresh one."""
    parley = get_parley(request)
    try:
        secret = parley.accounts.change_password(actor, current_password, new_password,
                                                 client=client_address(request), reopen=True)
    except ValidationFailed as exc:
        return render_form(request, "account/account.html",
                           _account_page(request, actor, error=str(exc)), 400)
    response = RedirectResponse("/account?changed=true", status_code=303)
    if secret:
        set_cookie(request, response, SESSION_COOKIE, secret,
                   int(parley.accounts.policy.session_lifetime.total_seconds()))
    return response


@router.post("/account/sessions/revoke")
def sign_out_everywhere(request: Request, actor: AccountUser) -> Response:
    """End every session of your account, this one included."""
    get_parley(request).accounts.revoke_sessions(actor, actor.name)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/invitations", response_class=HTMLResponse)
def invitations(request: Request, actor: AccountUser) -> HTMLResponse:
    return render_form(request, "account/invitations.html",
                       {"pending": get_parley(request).invitations.pending(actor)})


@router.post("/account/invitations/{invitation_id}/accept")
def accept_invitation(request: Request, invitation_id: str, actor: AccountUser) -> Response:
    invitation = get_parley(request).invitations.answer(actor, invitation_id, accept=True)
    return RedirectResponse(f"/workspaces/{invitation.workspace}", status_code=303)


@router.post("/account/invitations/{invitation_id}/decline")
def decline_invitation(request: Request, invitation_id: str, actor: AccountUser) -> Response:
    get_parley(request).invitations.answer(actor, invitation_id, accept=False)
    return RedirectResponse("/account/invitations", status_code=303)
