"""`flask --app server users create NAME --role officer|staff|admin` and friends."""
from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from bot.accounts.service import ROLES, TEAMS, create_user
from bot.models import User
from config.database import Session

users_cli = AppGroup("users", help="Manage officer, staff and admin accounts.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--teams", default="general", show_default=True,
              help=f"Comma-separated teams for officers ({', '.join(TEAMS)}).")
@click.option("--password", default=None,
              help="Password; prompted for when omitted (use --generate-password in scripts).")
@click.option("--generate-password", is_flag=True, help="Generate a random password and print it.")
@click.option("--display-name", default=None)
@click.option("--org", default=None, help="Code of the account's organisation (the tree in the back end); "
              "an officer or leader sees its subtree only. Without it: the whole city.")
def create(name, role, teams, password, generate_password, display_name, org):
    """Create an account; prints its API token (shown only once)."""
    if generate_password:
        password = secrets.token_urlsafe(12)
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.UsageError("password must be at least 8 characters")
    if org:
        from bot.orgs.tree import check_org_code

        problem = check_org_code(org)
        if problem:
            raise click.UsageError(problem)
    try:
        user, token = create_user(name, role, password, teams.split(","), display_name, org)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if generate_password:
        click.echo(f"password: {password}")
    click.echo(f"created {user.role} {user.name} (teams: {user.teams}, org: {user.org or 'city'})")
    click.echo(f"token: {token}")


@users_cli.command("list")
def list_users():
    for user in Session.query(User).order_by(User.name):
        click.echo(f"{user.name}\t{user.role}\t{user.teams}\t{user.org or '-'}\t{'active' if user.active else 'disabled'}")
