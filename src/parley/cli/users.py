"""`parley users ...` and `parley tokens ...`: accounts from scripts (no default password)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import AccountRole, Scope
from parley.domain.account import SYSTEM, Principal
from parley.domain.errors import InvalidInput
from parley.services.accounts import read_password

app = typer.Typer(help="Accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Login name (lowercase letters, digits, . _ -).")],
    admin: Annotated[bool, typer.Option("--admin", help="Administrator account.")] = False,
    curator: Annotated[bool, typer.Option(
        "--curator", help="May change the case base (import, edit, delete, publish).")] = False,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password (first line) from stdin.")] = False,
) -> None:
    """Create an account; the password comes from stdin, never from the command line.

    Example: printf '%s\\n' "$PW" | parley users create ana --admin --password-stdin
    """
    with reported():
        if not password_stdin:
            raise InvalidInput("give --password-stdin and pipe the password in (there is no "
                               "default password)")
        password = read_password(sys.stdin.read())
        user = open_parley().accounts.create_user(SYSTEM, name, password, admin=admin,
                                                  curator=curator)
        typer.echo(f"created {_kind(user.account_role)} {user.name}", err=True)


def _kind(role: AccountRole) -> str:
    return {AccountRole.ADMIN: "administrator", AccountRole.CURATOR: "curator"}.get(role, "user")


@app.command("curator")
def curator(
    name: Annotated[str, typer.Argument(help="The account.")],
    off: Annotated[bool, typer.Option("--off", help="Take the curator role away.")] = False,
) -> None:
    """Make NAME a curator (it may import, edit, delete and publish cases), or with --off a
    plain user again; audited. Administrators are curators already.

    Example: parley users curator ana
    """
    with reported():
        user = open_parley().accounts.set_curator(SYSTEM, name, not off)
        typer.echo(f"{user.name} is {'a curator' if user.is_curator else 'no curator'} now",
                   err=True)


@app.command("language")
def language(
    name: Annotated[str, typer.Argument(help="The account.")],
    code: Annotated[str | None, typer.Argument(
        help="en or es; omit to print the account's language.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="No language of its own: the "
                                        "browser's choice decides again.")] = False,
) -> None:
    """Print or set NAME's language, which wins over the browser's switch and Accept-Language
    (docs/i18n.md); audited when it changes.

    Example: parley users language ana es
    """
    with reported():
        accounts = open_parley().accounts
        if code is None and not clear:
            typer.echo(accounts.user(name).language or "-")
            return
        user = accounts.set_language(SYSTEM, name, None if clear else code)
        typer.echo(f"{user.name}: language {user.language or 'not set'}", err=True)


@app.command("password")
def password(
    name: Annotated[str, typer.Argument(help="The account whose password to set.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the new password (first line) from stdin.")] = False,
) -> None:
    """Set NAME's password (read from stdin); every web session of NAME ends.

    Example: printf '%s\\n' "$PW" | parley users password ana --password-stdin
    """
    with reported():
        if not password_stdin:
            raise InvalidInput("give --password-stdin and pipe the new password in")
        new = read_password(sys.stdin.read())
        open_parley().accounts.set_password(SYSTEM, name, new)
        typer.echo(f"password of {name} changed; its sessions were ended", err=True)


@app.command("list")
def list_users() -> None:
    """Every account: name, role (admin, curator or user), disabled or not, last password
    change."""
    with reported():
        for u in open_parley().accounts.users():
            changed = u.password_changed_at.strftime("%Y-%m-%d") if u.password_changed_at else "-"
            typer.echo(f"{u.name}\t{u.account_role.value}\t"
                       f"{'disabled' if u.disabled else 'active'}\tpassword changed {changed}")


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The account to disable.")]) -> None:
    """Disable NAME: its sessions end and its tokens stop working at once (kept, not revoked)."""
    with reported():
        open_parley().accounts.set_disabled(SYSTEM, name, True)
        typer.echo(f"disabled {name}", err=True)


@app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="The account to enable again.")]) -> None:
    """Enable NAME again (its unexpired, unrevoked tokens work again; it signs in anew)."""
    with reported():
        open_parley().accounts.set_disabled(SYSTEM, name, False)
        typer.echo(f"enabled {name}", err=True)


@app.command("sign-out")
def sign_out(name: Annotated[str, typer.Argument(help="The account to sign out.")]) -> None:
    """End every web session of NAME ("sign out everywhere" on their behalf)."""
    with reported():
        ended = open_parley().accounts.revoke_sessions(SYSTEM, name)
        typer.echo(f"ended {ended} session(s) of {name}", err=True)


@app.command("invitations")
def invitations(name: Annotated[str, typer.Argument(help="The invitee.")]) -> None:
    """List NAME's pending invitations to workspaces (they accept them in the web app or API)."""
    with reported():
        for p in open_parley().invitations.pending(Principal(name)):
            i = p.invitation
            typer.echo(f"{i.id}\t{i.workspace}\t{p.workspace_name}\t{i.role.value}\t"
                       f"invited by {i.invited_by}\texpires {i.expires_at:%Y-%m-%d}")


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Argument(help="The account the token acts as.")],
    scope: Annotated[Scope, typer.Option(help="read: only GET; write: everything the user's "
                                         "roles allow.")] = Scope.WRITE,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    expires_days: Annotated[int, typer.Option(
        "--expires-days", min=1, max=3650, help="Days until the token expires.")] = 90,
) -> None:
    """Print a new API token for USER on stdout (shown once; only its hash is stored).

    Example: TOKEN=$(parley tokens create ana --scope read --label nightly-export)
    """
    with reported():
        new = open_parley().accounts.create_token(SYSTEM, user, scope=scope, label=label,
                                                  expires_days=expires_days)
        typer.echo(new.secret)
        expires = f"{new.info.expires_at:%Y-%m-%d}" if new.info.expires_at else "never"
        typer.echo(f"token {new.info.id} ({scope.value}) for {user}, expires {expires}: keep it "
                   "secret; revoke it in the web app or the API", err=True)


@tokens_app.command("list")
def list_tokens(
    user: Annotated[str, typer.Argument(help="The account whose tokens to list.")],
) -> None:
    """USER's tokens: id, label, scope, state, expiry and last use (never the secrets)."""
    with reported():
        parley = open_parley()
        now = parley.accounts.clock()
        for t in parley.accounts.tokens(Principal(user)):
            expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            typer.echo(f"{t.id}\t{t.label or '-'}\t{t.scope.value}\t{t.status(now)}\t"
                       f"expires {expires}\tlast used {used}")
