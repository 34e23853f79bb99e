"""Command-line tools: `flask --app service users ...` and `flask --app service definitions ...`."""

import logging
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from workflows.problems import DefinitionProblems

from .audit.cli import audit, operator_name
from .auth import (
    create_user,
    deactivate_user,
    find_user,
    issue_token,
    revoke_token,
    set_roles,
    token_status,
    tokens_of,
)
from .case_migrations import work_migrations
from .db import db
from .definitions import deploy_directory, export_version, latest_version
from .matching import reindex_all
from .models import ApiToken, DefinitionVersion, User, utcnow
from .passwords import SHORTEST, new_password, set_password
from .roles import role_catalogue
from .scheduler import fire_all_due, scheduler_health
from .scheduler import run as run_scheduler
from .schema import ServiceGroup

users = ServiceGroup("users", help="Manage users, their roles and API tokens.")
tokens = ServiceGroup("token", help="List, issue and revoke a user's API tokens.")
users.add_command(tokens)
definitions = ServiceGroup("definitions", help="Load and validate BPMN, DMN and form files.")
scheduler = ServiceGroup("scheduler", help="Fire escalation timers when they fall due.")
cases = ServiceGroup("cases", help="Look after the cases' records.")


ROLE_OPTION = click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="A role of the role catalogue (roles.toml) to give; repeat for several.",
)


def _user(name: str) -> User:
    try:
        return find_user(name)
    except LookupError as error:
        raise click.ClickException(f"{error}; `users list` shows them") from error


@users.command("create")
@click.argument("name")
@ROLE_OPTION
@click.option(
    "--password",
    help=f"The password to sign in to the pages with (at least {SHORTEST} characters); "
    "one is made up and printed when left out.",
)
def create_user_command(name: str, roles: tuple[str, ...], password: str | None) -> None:
    """Create a user with a password and an API token; the token is printed once, alone on the
    last line."""
    made_up = password is None
    password = new_password() if made_up else password
    try:
        user, token = create_user(name, list(roles), password)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created user '{user.name}' with roles: {', '.join(sorted(user.role_names))}.")
    if made_up:
        click.echo(f"Password to sign in with (shown once): {password}")
    click.echo("Keep this API token now; it is not stored and cannot be shown again:")
    click.echo(token)


@users.command("password")
@click.argument("name")
@click.option("--password", help="The new password; one is made up and printed when left out.")
def password_command(name: str, password: str | None) -> None:
    """Give a user a new password to sign in to the pages with."""
    user = _user(name)
    made_up = password is None
    password = new_password() if made_up else password
    try:
        set_password(user, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"'{user.name}' has a new password" + (f": {password}" if made_up else "."))


@users.command("list")
def list_users_command() -> None:
    """Every user: name, roles, whether active, and how many tokens still work."""
    now = utcnow()
    working: dict[int, int] = {}
    for token in tokens_of(None):
        if token_status(token, now) == "active":
            working[token.user_id] = working.get(token.user_id, 0) + 1
    for user in db.session.scalars(select(User).order_by(User.name)):
        state = "active" if user.deactivated_at is None else "deactivated"
        click.echo(
            f"{user.name:<28} {state:<12} tokens: {working.get(user.id, 0):<3} "
            f"roles: {', '.join(sorted(user.role_names))}"
        )


@users.command("roles")
@click.argument("name")
@ROLE_OPTION
def roles_command(name: str, roles: tuple[str, ...]) -> None:
    """Replace a user's roles with those given."""
    user = _user(name)
    try:
        set_roles(user, list(roles), by=operator_name())
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"'{user.name}' now has the roles: {', '.join(sorted(user.role_names))}.")


@users.command("deactivate")
@click.argument("name")
def deactivate_command(name: str) -> None:
    """Deactivate a user: every token they hold stops working at once."""
    user = _user(name)
    revoked = deactivate_user(user, by=operator_name())
    click.echo(f"'{user.name}' is deactivated; {revoked} token(s) revoked.")


@tokens.command("issue")
@click.argument("name")
@click.option("--label", help="A label to tell the token apart, such as where it will be used.")
def issue_token_command(name: str, label: str | None) -> None:
    """Issue a user a new token; it is printed once, alone on the last line."""
    user = _user(name)
    try:
        token, secret = issue_token(user, by=operator_name(), name=label)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Issued token {token.id} to '{user.name}', expiring {token.expires_at:%Y-%m-%d}.")
    click.echo("Keep this API token now; it is not stored and cannot be shown again:")
    click.echo(secret)


@tokens.command("list")
@click.argument("name")
def list_tokens_command(name: str) -> None:
    """A user's tokens, newest first: id, first characters, status, dates; never the secret."""
    user = _user(name)
    now = utcnow()
    found = tokens_of(user)
    for token in found:
        last_used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(
            f"{token.id:<6} {token.prefix or '(before prefixes)':<18} "
            f"{token_status(token, now):<8} created {token.created_at:%Y-%m-%d %H:%M}  "
            f"expires {token.expires_at:%Y-%m-%d %H:%M}  last used {last_used}"
            + (f"  {token.name}" if token.name else "")
        )
    if not found:
        click.echo(f"'{user.name}' has no tokens.")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def revoke_token_command(token_id: int) -> None:
    """Revoke a token by its id (from `users token list`); it is refused from then on."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"there is no token {token_id}")
    already = token.revoked_at is not None
    revoke_token(token, by=operator_name())
    click.echo(
        f"Token {token.id} of '{token.user.name}' "
        + ("was already revoked." if already else "is revoked.")
    )


@users.command("demo")
def demo_users_command() -> None:
    """Create one demo user per role (skipping those already there) and print their tokens."""
    created = 0
    for role in role_catalogue().roles:
        name = "demo-" + role.name.lower().replace(" ", "-")
        if db.session.scalar(select(User).where(User.name == name)) is not None:
            continue
        password = new_password()
        _, token = create_user(name, [role.name], password)
        click.echo(f"{role.name:<20} {name:<28} password {password}  token {token}")
        created += 1
    if created:
        click.echo("These passwords and tokens are shown once; keep the ones you need.")
    else:
        click.echo(
            "Demo users already exist; their passwords and tokens were shown when they were "
            "created."
        )
    click.echo(
        "Lost one? `.venv/bin/flask --app service users password demo-sergeant` gives a demo "
        "user a new password, and `users token issue demo-sergeant` a new token (any name from "
        "`users list`)."
    )


@definitions.command("load")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding bpmn/ and forms/ (default: the project folder).",
)
def load_definitions_command(root: Path | None) -> None:
    """Validate bpmn/ and forms/ and store them as a definition version if they changed."""
    root = root or Path(current_app.config["DEFINITIONS_ROOT"])
    try:
        version, created = deploy_directory(root, actor="cli")
    except DefinitionProblems as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s) found in {root}; nothing was loaded."
        ) from error
    db.session.commit()
    processes = ", ".join(sorted(p.process_id for p in version.processes))
    if created:
        click.echo(
            f"Loaded definition version {version.id} ({version.content_hash[:12]}): {processes}"
        )
    else:
        click.echo(f"Definitions unchanged: the files are version {version.id} ({processes}).")
    latest = latest_version()
    if latest.id != version.id:
        click.echo(
            f"Version {latest.id} ({latest.content_hash[:12]}, deployed by "
            f"{latest.created_by or 'unknown'} on {latest.created_at:%Y-%m-%d %H:%M} UTC) is newer "
            f"and is the one new cases start on; `flask definitions export {root}` writes it "
            "out as files."
        )
    else:
        click.echo(f"Version {latest.id} is the latest: new cases start on it.")


@definitions.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--version",
    "version_id",
    type=int,
    default=None,
    help="The version to write (default: the latest, which new cases start on).",
)
def export_definitions_command(directory: Path, version_id: int | None) -> None:
    """Write a deployed version's diagrams, Welsh names, forms and letters to DIRECTORY's
    bpmn/, forms/ and letters/, to commit them; files there that the version does not hold are
    left as they are and listed."""
    version = db.session.get(DefinitionVersion, version_id) if version_id else latest_version()
    if version is None:
        raise click.ClickException(
            f"there is no version {version_id}" if version_id else "nothing is deployed yet"
        )
    try:
        written, others = export_version(directory, version)
    except (ValueError, OSError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Wrote version {version.id} ({version.content_hash[:12]}): {len(written)} files "
        f"under {directory}."
    )
    if others:
        click.echo(f"Not in version {version.id}, left as they are:")
        for path in others:
            click.echo(f"  {path}")


@scheduler.command("run")
def run_scheduler_command() -> None:
    """Fire timers as they fall due until stopped (overdue ones first, oldest first), and move
    the cases of migrations waiting to be worked."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_scheduler(current_app._get_current_object())


@scheduler.command("drain")
def drain_command() -> None:
    """Fire every timer that is due now, move every case of a migration waiting to be
    worked, then stop."""
    click.echo(f"Fired {fire_all_due()} due timer(s).")
    click.echo(f"Worked {work_migrations()} case(s) of migrations.")


@scheduler.command("status")
def status_command() -> None:
    """Show the schedulers' heartbeat and the most overdue timer, as GET /health does; exit 1
    when a timer is overdue and no scheduler has woken lately."""
    report = scheduler_health()
    figures = report.view()["scheduler"]
    click.echo(f"status: {'ok' if report.healthy else 'unhealthy'}")
    for key, value in figures.items():
        click.echo(f"{key}: {'none' if value is None else value}")
    if not report.healthy:
        raise click.exceptions.Exit(1)


@cases.command("reindex-matches")
def reindex_matches_command() -> None:
    """Write again the values every case is found by (names, dates of birth, phone numbers,
    STORM references): once after upgrading, so cases started before are found too."""
    click.echo(f"{reindex_all()} case(s) can be found by a value they hold.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(definitions)
    app.cli.add_command(scheduler)
    app.cli.add_command(cases)
    app.cli.add_command(audit)
