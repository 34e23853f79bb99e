"""Command-line tools: `flask --app service users ...` and `flask --app service definitions ...`."""

import logging
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from workflows.problems import DefinitionProblems

from .audit.cli import audit
from .auth import create_user
from .db import db
from .definitions import deploy_directory
from .models import User
from .roles import role_catalogue
from .scheduler import fire_all_due, scheduler_health
from .scheduler import run as run_scheduler

users = AppGroup("users", help="Manage users, their roles and API tokens.")
definitions = AppGroup("definitions", help="Load and validate BPMN, DMN and form files.")
scheduler = AppGroup("scheduler", help="Fire escalation timers when they fall due.")


@users.command("create")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="A role of the role catalogue (roles.toml) to give; repeat for several.",
)
def create_user_command(name: str, roles: tuple[str, ...]) -> None:
    """Create a user; the API token is printed once, alone on the last line."""
    try:
        user, token = create_user(name, list(roles))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created user '{user.name}' with roles: {', '.join(sorted(user.role_names))}.")
    click.echo("Keep this API token now; it is not stored and cannot be shown again:")
    click.echo(token)


@users.command("demo")
def demo_users_command() -> None:
    """Create one demo user per role (skipping those already there) and print their tokens."""
    created = 0
    for role in role_catalogue().roles:
        name = "demo-" + role.name.lower().replace(" ", "-")
        if db.session.scalar(select(User).where(User.name == name)) is not None:
            continue
        _, token = create_user(name, [role.name])
        click.echo(f"{role.name:<20} {name:<28} {token}")
        created += 1
    if created:
        click.echo("These tokens are shown once; keep the ones you need.")
    else:
        click.echo("Demo users already exist; their tokens were shown when they were created.")


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
        click.echo(f"Definitions unchanged: version {version.id} ({processes}).")


@scheduler.command("run")
def run_scheduler_command() -> None:
    """Fire timers as they fall due until stopped (overdue ones first, oldest first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_scheduler(current_app._get_current_object())


@scheduler.command("drain")
def drain_command() -> None:
    """Fire every timer that is due now, then stop."""
    click.echo(f"Fired {fire_all_due()} due timer(s).")


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


def register_cli(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(definitions)
    app.cli.add_command(scheduler)
    app.cli.add_command(audit)
