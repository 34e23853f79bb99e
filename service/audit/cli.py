"""The audit CLI: `flask --app service audit verify [--case ID | --all]` and `audit replay CASE`.

The CLI has no account; its reads are logged under the operating-system user who ran it.
"""

import getpass
import sys

import click
from flask.cli import AppGroup

from ..db import db
from ..models import Case
from .chain import verify_all
from .reads import log_read
from .replay import replay_case

audit = AppGroup("audit", help="Verify and replay case histories.")


def _reader() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@audit.command("verify")
@click.option("--case", "case_id", help="Verify one case.")
@click.option("--all", "everything", is_flag=True, help="Verify every case.")
def verify_command(case_id: str | None, everything: bool) -> None:
    """Recompute hash chains; exit 1 if any chain is damaged, naming its first bad event."""
    if bool(case_id) == everything:
        raise click.UsageError("give --case ID or --all")
    if case_id and db.session.get(Case, case_id) is None:
        raise click.ClickException(f"There is no case '{case_id}'.")
    damaged = checked = 0
    for report in verify_all([case_id] if case_id else None):
        checked += 1
        log_read(None, "case.verify", report.case_id, actor_name=_reader())
        if report.ok:
            if case_id:
                click.echo(f"ok  {report.case_id}: {report.events} events")
            continue
        damaged += 1
        click.echo(
            f"DAMAGED  {report.case_id}: event {report.first_bad_seq} {report.problem}: "
            f"{report.detail}"
        )
    if everything:
        click.echo(f"{checked} case(s) checked, {damaged} damaged.")
    if damaged:
        sys.exit(1)


@audit.command("replay")
@click.argument("case_id")
def replay_command(case_id: str) -> None:
    """Rebuild a case from its recorded commands; exit 1 if it differs from the stored case."""
    if db.session.get(Case, case_id) is None:
        raise click.ClickException(f"There is no case '{case_id}'.")
    report = replay_case(case_id)
    log_read(None, "case.replay", case_id, actor_name=_reader())
    if report["match"]:
        click.echo(
            f"match  {case_id}: {report['commands']} commands, {report['events']} events replayed"
        )
        return
    difference = report["first_difference"]
    where = f"event {difference['seq']}" if difference["seq"] is not None else "the end"
    click.echo(f"DIFFERS  {case_id} at {where} ({difference['what']}): {difference['detail']}")
    click.echo(f"  recorded: {difference['recorded']!r}")
    click.echo(f"  replayed: {difference['replayed']!r}")
    sys.exit(1)
