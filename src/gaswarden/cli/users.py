"""gaswarden user create | token"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from gaswarden.cli.common import console, err_console, load_settings, transaction
from gaswarden.core.auth import SYSTEM
from gaswarden.core.enums import Role
from gaswarden.core.errors import GasWardenError
from gaswarden.domains.account import service as accounts
from gaswarden.domains.account.models import User
from gaswarden.domains.organization.models import Organization

app = typer.Typer(help="User accounts and API tokens. 用户与令牌", no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir")]


@app.command()
def create(
    username: str,
    role: Annotated[Role, typer.Option(help="role")],
    org: Annotated[str, typer.Option(help="organisation name")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    display_name: Annotated[str | None, typer.Option()] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user in an existing organisation. 创建用户"""
    with transaction(load_settings(data_dir)) as session:
        org_id = session.scalar(select(Organization.id).where(Organization.name == org))
        if org_id is None:
            err_console.print(f"[red]no organisation named {org!r}[/red]")
            raise typer.Exit(2)
        try:
            user = accounts.users.create(
                session=session,
                principal=SYSTEM,
                data={
                    "username": username,
                    "display_name": display_name or username,
                    "password": password,
                    "role": role,
                    "org_id": org_id,
                },
            )
        except GasWardenError as exc:
            err_console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(2) from exc
        console.print(f"created user {user.username} ({role.zh} {role.en})")


@app.command()
def token(
    username: str,
    name: Annotated[str, typer.Option(help="what the token is for")] = "script",
    days: Annotated[int, typer.Option(help="days until it expires")] = 90,
    data_dir: DataDir = None,
) -> None:
    """Issue an API token for USERNAME and print it (shown once). 签发接口令牌"""
    with transaction(load_settings(data_dir)) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            err_console.print(f"[red]no user {username!r}[/red]")
            raise typer.Exit(2)
        _, plain = accounts.create_token(session=session, user=user, name=name, expires_days=days)
    console.print(plain)
