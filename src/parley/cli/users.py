"""`parley users ...` and `parley tokens ...`: accounts from scripts (no default password)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import Scope
from parley.domain.account import SYSTEM
from parley.services.accounts import read_password

app = typer.Typer(help="Accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Login name (lowercase letters, digits, . _ -).")],
    admin: Annotated[bool, typer.Option("--admin", help="Administrator account.")] = False,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password (first line) from stdin.")] = False,
) -> None:
    """Create an account; the password comes from stdin, never from the command line.

    Example: printf '%s\\n' "$PW" | parley users create ana --admin --password-stdin
    """
    with reported():
        if not password_stdin:
            from parley.domain.errors import InvalidInput

            raise InvalidInput("give --password-stdin and pipe the password in (there is no "
                               "default password)")
        password = read_password(sys.stdin.read())
        user = open_parley().accounts.create_user(SYSTEM, name, password, admin=admin)
        typer.echo(f"created {'administrator' if user.is_admin else 'user'} {user.name}",
                   err=True)


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Argument(help="The account the token acts as.")],
    scope: Annotated[Scope, typer.Option(help="read: only GET; write: everything the user's "
                                         "roles allow.")] = Scope.WRITE,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Print a new API token for USER on stdout (shown once; only its hash is stored).

    Example: TOKEN=$(parley tokens create ana --scope read --label nightly-export)
    """
    with reported():
        new = open_parley().accounts.create_token(SYSTEM, user, scope=scope, label=label)
        typer.echo(new.secret)
        typer.echo(f"token {new.info.id} ({scope.value}) for {user}: keep it secret; revoke it "
                   "in the web app or the API", err=True)
