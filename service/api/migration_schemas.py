"""Shapes of moving running cases onto another version."""

from marshmallow import Schema, fields, validate

from ..models import LARGEST_ID

_ELEMENT = fields.String(validate=validate.Length(min=1, max=200))


class MoveCasesBodySchema(Schema):
    to_version = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=LARGEST_ID),
        metadata={"description": "the version to move onto, as GET /processes/{id} numbers it"},
    )
    cases = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)),
        load_default=None,
        validate=validate.Length(min=1, max=10_000),
        metadata={
            "description": "the cases to move; left out, every running case of the process "
            "on another version"
        },
    )
    mapping = fields.Dict(
        keys=_ELEMENT,
        values=_ELEMENT,
        load_default=dict,
        validate=validate.Length(max=1000),
        metadata={
            "description": "element id of the old version -> the element of the new version "
            "that takes its place"
        },
    )
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "answer what would happen to each case, and move none"},
    )


class ReasonSchema(Schema):
    code = fields.String(
        metadata={
            "description": "waits_on_missing, passed_missing, runs_missing_process, "
            "kind_changed, timer_kind_changed, form_refuses, path_unknown, not_running, "
            "already_on_version, diagram_error, state_version or engine_failed"
        }
    )
    element_id = fields.String(allow_none=True)
    detail = fields.String()


class CaseMoveSchema(Schema):
    case_id = fields.String()
    from_version = fields.Integer()
    status = fields.String(
        metadata={"description": "moved (or, in a dry run, movable), blocked, failed or waiting"}
    )
    reasons = fields.List(fields.Nested(ReasonSchema))
    changes = fields.Dict(
        allow_none=True,
        metadata={"description": "tasks_cancelled, tasks_created and timers_rescheduled"},
    )
    worked_at = fields.DateTime(allow_none=True)


class MovePlanSchema(Schema):
    process = fields.String()
    to_version = fields.Integer()
    mapping = fields.Dict(keys=fields.String(), values=fields.String())
    dry_run = fields.Boolean()
    movable = fields.Integer()
    blocked = fields.Integer()
    failed = fields.Integer()
    cases = fields.List(fields.Nested(CaseMoveSchema))


class MigrationSchema(Schema):
    id = fields.Integer()
    process = fields.String()
    to_version = fields.Integer()
    mapping = fields.Dict(keys=fields.String(), values=fields.String())
    status = fields.String(metadata={"description": "running or finished"})
    created_by = fields.String()
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    total = fields.Integer()
    done = fields.Integer(metadata={"description": "cases worked: moved, blocked or failed"})
    waiting = fields.Integer()
    moved = fields.Integer()
    blocked = fields.Integer()
    failed = fields.Integer()
    cases = fields.List(fields.Nested(CaseMoveSchema))
