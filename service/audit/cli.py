"""The audit CLI: `audit verify [--case ID | --all] [--full]`, `audit replay CASE` and
`audit export [--case ID ... | --all] --format jsonl|csv --out FOLDER`.

The CLI has no account; its reads are logged under the operating-system user who ran it.
"""

import getpass
import sys
from pathlib import Path

import click
from sqlalchemy import select

from ..db import db
from ..models import Case
from ..schema import ServiceGroup
from .chain import verify_all
from .export import as_csv, as_jsonl, event_rows, event_view
from .reads import log_read
from .replay import replay_case

audit = ServiceGroup("audit", help="Verify and replay case histories.")


def operator_name() -> str:
    """Who runs the command line, as logs name them: `cli:<operating-system user>`."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@audit.command("verify")
@click.option("--case", "case_id", help="Verify one case.")
@click.option("--all", "everything", is_flag=True, help="Verify every case.")
@click.option(
    "--full",
    is_flag=True,
    help="Also replay each case from its first event, checking every checkpoint on the way.",
)
def verify_command(case_id: str | None, everything: bool, full: bool) -> None:
    """Recompute hash chains and check checkpoints against them; exit 1 if any case is
    damaged, naming its first bad event. With --full, each case is also replayed."""
    if bool(case_id) == everything:
        raise click.UsageError("give --case ID or --all")
    if case_id and db.session.get(Case, case_id) is None:
        raise click.ClickException(f"There is no case '{case_id}'.")
    damaged = checked = 0
    for report in verify_all([case_id] if case_id else None):
        checked += 1
        log_read(None, "case.verify", report.case_id, actor_name=operator_name())
        replayed = None
        if report.ok and full:
            replayed = replay_case(report.case_id)
            log_read(None, "case.replay", report.case_id, actor_name=operator_name())
        if report.ok and (replayed is None or replayed["match"]):
            if case_id:
                click.echo(f"ok  {report.case_id}: {_verified(report, replayed)}")
            continue
        damaged += 1
        if not report.ok:
            click.echo(
                f"DAMAGED  {report.case_id}: event {report.first_bad_seq} {report.problem}: "
                f"{report.detail}"
            )
        else:
            difference = replayed["first_difference"]
            where = f"event {difference['seq']}" if difference["seq"] is not None else "the end"
            click.echo(
                f"DAMAGED  {report.case_id}: {where} replay_differs "
                f"({difference['what']}): {difference['detail']}"
            )
    if everything:
        click.echo(f"{checked} case(s) checked, {damaged} damaged.")
    if damaged:
        sys.exit(1)


def _verified(report, replayed: dict | None) -> str:
    said = f"{report.events} events, {report.checkpoints} checkpoint(s)"
    if replayed is not None:
        said += f"; replayed {replayed['commands']} commands from the first event, matching"
    return said


@audit.command("replay")
@click.argument("case_id")
def replay_command(case_id: str) -> None:
    """Rebuild a case from its recorded commands; exit 1 if it differs from the stored case."""
    if db.session.get(Case, case_id) is None:
        raise click.ClickException(f"There is no case '{case_id}'.")
    report = replay_case(case_id)
    log_read(None, "case.replay", case_id, actor_name=operator_name())
    if report["match"]:
        click.echo(
            f"match  {case_id}: {report['commands']} commands, {report['events']} events replayed"
            f", {report['checkpoints']} checkpoint(s) checked"
        )
        return
    difference = report["first_difference"]
    where = f"event {difference['seq']}" if difference["seq"] is not None else "the end"
    click.echo(f"DIFFERS  {case_id} at {where} ({difference['what']}): {difference['detail']}")
    click.echo(f"  recorded: {difference['recorded']!r}")
    click.echo(f"  replayed: {difference['replayed']!r}")
    sys.exit(1)


@audit.command("export")
@click.option("--case", "case_ids", multiple=True, help="A case to export; repeat for several.")
@click.option("--all", "everything", is_flag=True, help="Export every case.")
@click.option("--format", "form", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the files, one per case (created if missing).",
)
def export_command(case_ids: tuple[str, ...], everything: bool, form: str, out: Path) -> None:
    """Write each case's history to FOLDER/<case id>.<format>, with a progress line."""
    if bool(case_ids) == everything:
        raise click.UsageError("give --case ID (one or more) or --all")
    ids = list(case_ids) or list(db.session.scalars(select(Case.id).order_by(Case.created_at)))
    unknown = [case_id for case_id in case_ids if db.session.get(Case, case_id) is None]
    if unknown:
        raise click.ClickException(f"There is no case {', '.join(repr(c) for c in unknown)}.")
    out.mkdir(parents=True, exist_ok=True)
    render = as_jsonl if form == "jsonl" else as_csv
    progress = sys.stderr.isatty() or len(ids) > 1
    for done, case_id in enumerate(ids, start=1):
        events = [event_view(row) for row in event_rows(case_id)]
        (out / f"{case_id}.{form}").write_text(render(events), encoding="utf-8")
        log_read(None, "case.events", case_id, detail={"format": form}, actor_name=operator_name())
        db.session.rollback()  # end the read transaction; nothing here writes through it
        if progress:
            click.echo(f"\rexported {done}/{len(ids)} case(s)", nl=False, err=True)
    if progress:
        click.echo("", err=True)
    click.echo(f"Exported the history of {len(ids)} case(s) to {out} as {form}.")
