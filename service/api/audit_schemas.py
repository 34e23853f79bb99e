"""Request and response shapes of the audit API."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .schemas import LanguageQuerySchema

EXPORT_FORMATS = ("json", "jsonl", "csv")


class EventQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(EXPORT_FORMATS))


class ActorSchema(Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    role = fields.String(allow_none=True, metadata={"description": "the role the actor used"})


class EventSchema(Schema):
    seq = fields.Integer()
    type = fields.String()
    at = fields.String(metadata={"description": "UTC, ISO 8601 with microseconds"})
    actor = fields.Nested(ActorSchema)
    payload = fields.Raw()
    state_hash = fields.String(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


class ChainReportSchema(Schema):
    case_id = fields.String()
    ok = fields.Boolean()
    events = fields.Integer(metadata={"description": "events that checked out before any damage"})
    first_bad_seq = fields.Integer(allow_none=True)
    problem = fields.String(
        allow_none=True, metadata={"description": "altered, missing, out_of_order, state_altered"}
    )
    detail = fields.String(allow_none=True)
    checkpoints = fields.Integer(
        metadata={"description": "checkpoints found to match the events recording them"}
    )


class DifferenceSchema(Schema):
    seq = fields.Integer(allow_none=True)
    what = fields.String()
    recorded = fields.Raw(allow_none=True)
    replayed = fields.Raw(allow_none=True)
    detail = fields.String()


class ReplayReportSchema(Schema):
    case_id = fields.String()
    match = fields.Boolean()
    commands = fields.Integer()
    events = fields.Integer()
    checkpoints = fields.Integer(
        metadata={"description": "checkpoints found equal to the case replayed to their event"}
    )
    first_difference = fields.Nested(DifferenceSchema, allow_none=True)


class StateQuerySchema(LanguageQuerySchema):
    at_seq = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "the case as it was after this event; not with `at`"},
    )
    at = fields.AwareDateTime(
        metadata={"description": "the case as it was at this time; not with `at_seq`"}
    )

    @validates_schema
    def _one_of(self, data, **_kwargs):
        if "at_seq" in data and "at" in data:
            raise ValidationError("give at_seq or at, not both", "at")


class PastTaskSchema(Schema):
    id = fields.String()
    bpmn_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)


class PointInTimeSchema(Schema):
    case_id = fields.String()
    as_of_seq = fields.Integer(allow_none=True)
    as_of = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(PastTaskSchema))
    path = fields.List(fields.String(), metadata={"description": "BPMN ids completed, in order"})
    consistent = fields.Boolean(
        metadata={"description": "false when replay differed from the record before this point"}
    )
    difference = fields.Nested(DifferenceSchema, allow_none=True)
    checkpoint_seq = fields.Integer(
        allow_none=True,
        metadata={"description": "the checkpoint replay began from; null: the first event"},
    )
    commands_replayed = fields.Integer(
        metadata={"description": "commands run again after the checkpoint (or the first event)"}
    )


class ReadLogQuerySchema(Schema):
    # As long as the read log's columns hold: the filter is itself written there when logged.
    case = fields.String(validate=validate.Length(max=36))
    user = fields.String(validate=validate.Length(max=200))
    before = fields.AwareDateTime()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ReadLogEntrySchema(Schema):
    at = fields.DateTime()
    user = fields.String()
    user_id = fields.Integer(allow_none=True)
    roles = fields.String(allow_none=True)
    action = fields.String()
    case_id = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
