"""Who is asking, and may they: the ONE access dependency, sessions, CSRF.

Every confidential route declares `guard(Action)`; the guard authenticates (API: bearer token;
pages: the session cookie), then asks the services' permission check, which calls
`domain.access.is_allowed`. Handlers never branch on roles. Routes without a guard must be
listed in `PUBLIC_ROUTES`; tests/web/test_access_matrix.py fails on any route that is neither.

CSRF: pages set a random `parley_csrf` cookie and put an itsdangerous-signed copy of it into
every form; `csrf_check` (a dependency of every page router that handles forms) rejects a POST
whose field does not match. The session cookie is HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from parley.bootstrap import Parley
from parley.domain.access import CASE_ACTIONS, Action, is_allowed
from parley.domain.account import Principal
from parley.domain.errors import Forbidden, InvalidInput, NotAuthenticated
from parley.services.cases import CaseCatalogue
from parley.services.curation import CURATOR_NEEDED
from parley.web.deps import get_parley, is_api_path

SESSION_COOKIE = "parley_session"
CSRF_COOKIE = "parley_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 12 * 3600

PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset({
    # case base (readable without login unless PARLEY_PUBLIC_CASES=false: see cases_gate)
    ("GET", "/"), ("GET", "/cases"), ("GET", "/cases/export"), ("GET", "/cases/{case_id}"),
    ("GET", "/compare"),
    # (each reader sees bundled and published cases, and its own and its workspaces' cases;
    # changing the case base is guarded: curators and administrators only)
    ("GET", "/codebook"), ("GET", "/api/cases"), ("GET", "/api/cases/{case_id}"),
    ("GET", "/api/compare"), ("GET", "/api/codebook"),
    # comparative analysis of the case base
    ("GET", "/api/crosstab"), ("GET", "/api/qca/mapping"), ("POST", "/api/qca/cases"),
    ("POST", "/api/qca/calibrate"), ("POST", "/api/qca"), ("GET", "/analysis"),
    ("GET", "/analysis/qca"), ("GET", "/analysis/calibrate"), ("POST", "/analysis/calibrate"),
    # assessment (no confidential data)
    ("GET", "/assess"), ("POST", "/assess"), ("POST", "/api/assess"), ("POST", "/assess/download"),
    # signing in
    ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
    ("GET", "/setup/{token}"), ("POST", "/setup/{token}"),
    # monitoring: a member's Atom feed of alerts, behind the member's personal feed token
    ("GET", "/feeds/workspaces/{workspace_id}/alerts.atom"),
    # the language switch (sets only a preference cookie; goes back to a local page)
    ("GET", "/language"),
    # infrastructure
    ("GET", "/openapi.json"), ("GET", "/api/docs"), ("GET", "/healthz"), ("GET", "/static"),
})
"""Routes that need no guard (anything else without `guard` fails the access-matrix test)."""


def principal_of(request: Request) -> Principal | None:
    """The authenticated principal: API by bearer token, pages by session cookie."""
    parley = get_parley(request)
    if is_api_path(request.url.path):
        header = request.headers.get("authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            return None
        return parley.accounts.token(secret.strip())
    return parley.accounts.session(request.cookies.get(SESSION_COOKIE, ""))


def client_address(request: Request) -> str:
    """The peer address the sign-in throttle counts attempts against."""
    return request.client.host if request.client else "-"


def require_principal(request: Request) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise NotAuthenticated("sign in first (API: Authorization: Bearer <token>)")
    return principal


class Guard:
    """The access dependency of one route: `action`, checked on the workspace and, when the
    route names an item, at that item's classification."""

    def __init__(self, action: Action) -> None:
        self.action = action

    def __call__(self, request: Request) -> Principal:
        principal = require_principal(request)
        self.authorise(request, principal)
        return principal

    def authorise(self, request: Request, principal: Principal) -> None:
        """Raise unless `principal` may take the action on what the route names."""
        parley = get_parley(request)
        workspace_id = request.path_params.get("workspace_id")
        item_id = request.path_params.get("item_id")
        if workspace_id is None:
            role = principal.account_role
            if not is_allowed(None, self.action, scope=principal.scope, account=role):
                if self.action in CASE_ACTIONS and not is_allowed(None, self.action,
                                                                  account=role):
                    raise Forbidden(CURATOR_NEEDED)
                raise Forbidden(f"{self.action.value} needs a token with write scope")
        elif item_id is not None:
            parley.workspaces.authorise_item(principal, workspace_id, item_id, self.action)
        else:
            parley.workspaces.authorise(principal, workspace_id, self.action)


@dataclass(frozen=True)
class FormActor:
    """The actor of a page form post, with the guard's role refusal (if any) handed to the
    handler, which must raise it where it re-renders the form with what the user typed."""

    principal: Principal
    refused: Forbidden | None


class FormGuard(Guard):
    """`Guard` for a page form whose refusal for the role must keep the user's input (issue 8,
    item 13: e.g. demoted while typing). Only a Forbidden is handed on: not signed in, not a
    member or above clearance still fail here, before the handler runs."""

    def __call__(self, request: Request) -> FormActor:  # type: ignore[override]
        principal = require_principal(request)
        try:
            self.authorise(request, principal)
        except Forbidden as exc:
            return FormActor(principal, exc)
        return FormActor(principal, None)


def guard(action: Action) -> Any:
    """`Depends` for a confidential route: authenticate, then authorise `action`."""
    return Depends(Guard(action))


def guard_of(call: Callable[..., Any]) -> Action | None:
    return call.action if isinstance(call, Guard) else None


def cases_gate(request: Request) -> None:
    """The case base is public unless PARLEY_PUBLIC_CASES=false; then it needs a sign-in."""
    if not get_parley(request).settings.public_cases:
        require_principal(request)


def csrf_serializer(parley: Parley) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(parley.derived_secret("csrf"), salt="parley-csrf")


def csrf_token(request: Request, response_cookies: dict[str, str]) -> str:
    """A signed token for forms; creates the CSRF cookie when the browser has none."""
    raw = request.cookies.get(CSRF_COOKIE)
    if not raw:
        raw = secrets.token_urlsafe(24)
        response_cookies[CSRF_COOKIE] = raw
    return str(csrf_serializer(get_parley(request)).dumps(raw))


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


async def csrf_check(request: Request) -> None:
    """Reject form posts whose CSRF field does not match the browser's CSRF cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    try:
        value = csrf_serializer(get_parley(request)).loads(sent, max_age=CSRF_MAX_AGE)
    except BadSignature:
        value = None
    if not cookie or value != cookie:
        raise InvalidInput("the form has expired or did not come from Parley (CSRF check "
                           "failed): reload the page and submit it again")


Authenticated = Annotated[Principal, Depends(require_principal)]

# One alias per action, for handler signatures: `actor: ItemReader`.
AccountUser = Annotated[Principal, guard(Action.ACCOUNT_USE)]
WorkspaceCreator = Annotated[Principal, guard(Action.WORKSPACE_CREATE)]
WorkspaceReader = Annotated[Principal, guard(Action.WORKSPACE_READ)]
WorkspaceUpdater = Annotated[Principal, guard(Action.WORKSPACE_UPDATE)]
WorkspaceDeleter = Annotated[Principal, guard(Action.WORKSPACE_DELETE)]
MemberManager = Annotated[Principal, guard(Action.MEMBERS_MANAGE)]
ItemReader = Annotated[Principal, guard(Action.ITEM_READ)]
ItemCreator = Annotated[Principal, guard(Action.ITEM_CREATE)]
ItemUpdater = Annotated[Principal, guard(Action.ITEM_UPDATE)]
ItemDeleter = Annotated[Principal, guard(Action.ITEM_DELETE)]
RevocationDecider = Annotated[Principal, guard(Action.REVOCATION_DECIDE)]
RevocationDeciderForm = Annotated[FormActor, Depends(FormGuard(Action.REVOCATION_DECIDE))]
ItemCreatorForm = Annotated[FormActor, Depends(FormGuard(Action.ITEM_CREATE))]
ItemUpdaterForm = Annotated[FormActor, Depends(FormGuard(Action.ITEM_UPDATE))]
AuditReader = Annotated[Principal, guard(Action.AUDIT_READ)]
Exporter = Annotated[Principal, guard(Action.WORKSPACE_EXPORT)]
CaseImporter = Annotated[Principal, guard(Action.CASE_IMPORT)]
CaseUpdater = Annotated[Principal, guard(Action.CASE_UPDATE)]
CaseDeleter = Annotated[Principal, guard(Action.CASE_DELETE)]
CasePublisher = Annotated[Principal, guard(Action.CASE_PUBLISH)]


def get_catalogue(request: Request) -> CaseCatalogue:
    """The case base as the request's reader sees it: anonymous readers bundled and public
    cases; a signed-in reader also its own cases and those shared with its workspaces."""
    return get_parley(request).curation.seen_by(principal_of(request))


CatalogueDep = Annotated[CaseCatalogue, Depends(get_catalogue)]
