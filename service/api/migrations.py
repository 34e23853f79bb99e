"""Moving running cases onto another version of their process (service.case_migrations)."""

from flask import jsonify

from ..case_migrations import MoveCases, migration_view, plan_move, start_move
from .access import require_grant
from .blueprint import Blueprint
from .migration_schemas import MigrationSchema, MoveCasesBodySchema, MovePlanSchema
from .schemas import PROBLEM

blp = Blueprint("migrations", __name__, url_prefix="")
GRANT = "deploy_definitions"


@blp.post("/processes/<process_id>/migrations")
@blp.arguments(MoveCasesBodySchema())
@blp.response(202, MigrationSchema)
@blp.alt_response(200, schema=MovePlanSchema, description="The dry run: what would happen")
@blp.alt_response(403, description="A role with the deploy_definitions grant is needed", **PROBLEM)
@blp.alt_response(404, description="No such process", **PROBLEM)
@blp.alt_response(
    422, description="A version, mapping or case that cannot be used, each named", **PROBLEM
)
def move_cases(body, process_id: str):
    """Move running cases of a process onto another version (Process Owner).

    With ``dry_run``, answers at once, case by case: movable with what would change (tasks
    cancelled and created, timers rescheduled), or blocked with the reasons. Otherwise the move
    is stored and the scheduler works it, each case in its own transaction (202): follow it at
    ``GET /migrations/{id}``. Cases not moved stay on their version.
    """
    actor = require_grant(GRANT)
    command = MoveCases(
        process_id=process_id,
        to_version=body["to_version"],
        case_ids=tuple(body["cases"]) if body["cases"] is not None else None,
        mapping=dict(body["mapping"]),
        actor=actor,
        dry_run=body["dry_run"],
    )
    if command.dry_run:
        # Another shape than the 202's, so sent as it is (flask-smorest leaves a response be).
        return jsonify(MovePlanSchema().dump(plan_move(command)))
    job = start_move(command)
    return migration_view(job.id), 202


@blp.get("/migrations/<id:migration_id>")
@blp.response(200, MigrationSchema)
@blp.alt_response(403, description="A role with the deploy_definitions grant is needed", **PROBLEM)
@blp.alt_response(404, description="No such migration", **PROBLEM)
def get_migration(migration_id: int):
    """A migration's progress: cases done, moved, blocked and failed, each case with its
    reasons or what moving it changed."""
    require_grant(GRANT)
    return migration_view(migration_id)
