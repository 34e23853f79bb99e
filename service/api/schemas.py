"""Request and response shapes of the API (marshmallow), which also feed the OpenAPI document."""

from marshmallow import Schema, fields, validate

from ..problems import PROBLEM_JSON

TASK_STATUSES = ("open", "completed", "cancelled")


class FieldErrorSchema(Schema):
    field = fields.String()
    message = fields.String()


class DefinitionProblemSchema(Schema):
    file = fields.String()
    element_id = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "what kind of problem it is, for programs"})
    message = fields.String(metadata={"description": "the problem, in the caller's language"})
    line = fields.Integer(allow_none=True)


class ProblemSchema(Schema):
    """Every error answer: RFC 9457 problem details, as application/problem+json."""

    type = fields.String()
    status = fields.Integer()
    title = fields.String()
    detail = fields.String(metadata={"description": "the rule, in the caller's language"})
    errors = fields.List(
        fields.Nested(FieldErrorSchema), metadata={"description": "each field that is not valid"}
    )
    problems = fields.List(
        fields.Nested(DefinitionProblemSchema),
        metadata={"description": "each problem in definitions that could not be deployed"},
    )
    element_id = fields.String(
        allow_none=True, metadata={"description": "the diagram element a refusal happened at"}
    )
    lane = fields.String(metadata={"description": "the lane a refusal names"})
    limit = fields.String(metadata={"description": "the limit a command went past"})
    figure = fields.String(metadata={"description": "the limit's figure"})


# Documents an error answer: ``@blp.alt_response(422, description=..., **PROBLEM)``.
PROBLEM = {"schema": ProblemSchema, "content_type": PROBLEM_JSON}


class FormSchema(Schema):
    name = fields.String()
    schema = fields.Dict(metadata={"description": "JSON Schema (Draft 2020-12) of the form"})
    ui_schema = fields.Dict(metadata={"description": "react-jsonschema-form UI schema"})
    language = fields.String()


class ProcessSchema(Schema):
    id = fields.String()
    name = fields.String()
    version = fields.Integer(metadata={"description": "definition version number"})
    content_hash = fields.String()
    file = fields.String()
    start_lane = fields.String(allow_none=True)
    start_form = fields.Nested(FormSchema, allow_none=True)
    called_by = fields.String(
        allow_none=True,
        metadata={
            "description": "the process this one is a step of: it runs only inside a case of "
            "that process and is not started on its own"
        },
    )


class DeployResultSchema(Schema):
    version = fields.Integer()
    content_hash = fields.String()
    created = fields.Boolean()
    processes = fields.List(fields.String())


class TaskSummarySchema(Schema):
    id = fields.String()
    case_id = fields.String()
    bpmn_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    status = fields.String()
    assignee = fields.String(allow_none=True)
    assigned_by = fields.String(
        allow_none=True,
        metadata={"description": "who gave the task to its assignee; none when they claimed it"},
    )
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class LetterSchema(Schema):
    template = fields.String(metadata={"description": "the letter's name in letters/"})
    language = fields.String(metadata={"description": "the victim's language: en or cy"})
    text = fields.String(metadata={"description": "the letter as the victim will read it"})
    problem = fields.String(metadata={"description": "why the letter could not be written"})


class TaskDetailSchema(TaskSummarySchema):
    form = fields.Nested(FormSchema, allow_none=True)
    instructions = fields.String(allow_none=True)
    letter = fields.Nested(
        LetterSchema,
        allow_none=True,
        metadata={"description": "the letter this task sends to the victim, if it sends one"},
    )
    data = fields.Dict()


class TimerSchema(Schema):
    id = fields.Integer()
    case_id = fields.String()
    task_id = fields.String()
    bpmn_id = fields.String()
    name = fields.String()
    kind = fields.String()
    due_at = fields.DateTime()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class CaseSchema(Schema):
    id = fields.String()
    process_id = fields.String()
    process_name = fields.String(metadata={"description": "in the caller's language"})
    definition_version = fields.Integer()
    status = fields.String()
    data = fields.Dict()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    open_tasks = fields.List(fields.Nested(TaskSummarySchema))
    timers = fields.List(fields.Nested(TimerSchema), metadata={"description": "waiting timers"})


class CaseSummarySchema(Schema):
    id = fields.String()
    process_id = fields.String()
    process_name = fields.String(metadata={"description": "in the caller's language"})
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StartCaseSchema(Schema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class CompleteTaskSchema(Schema):
    data = fields.Dict(keys=fields.String(), required=True)


class AssignTaskSchema(Schema):
    user = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the username of the officer to give the task to"},
    )


class LanguageQuerySchema(Schema):
    lang = fields.String(validate=validate.OneOf(("en", "cy")))


class TaskQuerySchema(LanguageQuerySchema):
    case = fields.String()
    lane = fields.String()
    status = fields.String(load_default="open", validate=validate.OneOf(TASK_STATUSES + ("all",)))
    due_before = fields.AwareDateTime()
    overdue = fields.Boolean(metadata={"description": "only open tasks past their due time"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class CaseQuerySchema(LanguageQuerySchema):
    process = fields.String()
    status = fields.String(validate=validate.OneOf(("running", "completed")))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class TokenSchema(Schema):
    id = fields.Integer()
    user = fields.String(metadata={"description": "the name of the user the token belongs to"})
    prefix = fields.String(
        allow_none=True,
        metadata={
            "description": "the token's first characters, to tell it apart (none for tokens "
            "issued before they were kept)"
        },
    )
    name = fields.String(allow_none=True, metadata={"description": "the label given at issue"})
    status = fields.String(validate=validate.OneOf(("active", "expired", "revoked")))
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(
        allow_none=True, metadata={"description": "to within five minutes; null if never used"}
    )
    revoked_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(
        metadata={"description": "the secret: shown this once, never stored or shown again"}
    )


class IssueTokenSchema(Schema):
    name = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "an optional label, such as where the token will be used"},
    )


class TokenQuerySchema(Schema):
    user = fields.String(metadata={"description": "this user's tokens (Administrator)"})
    all = fields.Boolean(
        load_default=False, metadata={"description": "every user's tokens (Administrator)"}
    )
