"""Administrators' views of timers and incidents, and retrying an incident."""

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..db import db
from ..models import Incident, Timer
from ..problems import ApiProblem, not_found
from ..scheduler import retry_incident
from .access import require_grant
from .blueprint import Blueprint
from .representations import shown_names, timer_view
from .schemas import LanguageQuerySchema, TimerSchema

blp = Blueprint("timers", __name__, url_prefix="")
TIMER_STATUSES = ("waiting", "fired", "cancelled", "failed")


class TimerQuerySchema(LanguageQuerySchema):
    case = fields.String()
    due_before = fields.AwareDateTime()
    status = fields.String(validate=validate.OneOf(TIMER_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class IncidentSchema(Schema):
    id = fields.Integer()
    case_id = fields.String()
    timer_id = fields.Integer(allow_none=True)
    message = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class IncidentQuerySchema(Schema):
    case = fields.String()
    open = fields.Boolean(load_default=True)


@blp.get("/timers")
@blp.arguments(TimerQuerySchema(), location="query")
@blp.response(200, TimerSchema(many=True))
def list_timers(query):
    """Timers, soonest first (Administrator)."""
    require_grant("administer")
    statement = select(Timer).order_by(Timer.due_at, Timer.id).limit(query["limit"])
    if "case" in query:
        statement = statement.where(Timer.case_id == query["case"])
    if "status" in query:
        statement = statement.where(Timer.status == query["status"])
    if "due_before" in query:
        statement = statement.where(Timer.due_at < query["due_before"])
    timers = list(db.session.scalars(statement))
    names = shown_names().know_cases({timer.case_id for timer in timers})
    return [timer_view(timer, names) for timer in timers]


@blp.get("/incidents")
@blp.arguments(IncidentQuerySchema(), location="query")
@blp.response(200, IncidentSchema(many=True))
def list_incidents(query):
    """Work the service could not finish by itself (Administrator); open ones by default."""
    require_grant("administer")
    statement = select(Incident).order_by(Incident.created_at, Incident.id)
    if query["open"]:
        statement = statement.where(Incident.resolved_at.is_(None))
    if "case" in query:
        statement = statement.where(Incident.case_id == query["case"])
    return list(db.session.scalars(statement))


@blp.post("/incidents/<id:incident_id>/retry")
@blp.response(200, IncidentSchema)
def retry(incident_id: int):
    """Try the failed work again now (Administrator)."""
    actor = require_grant("administer")
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise not_found("Incident", incident_id)
    if incident.resolved_at is not None:
        raise ApiProblem(409, "Incident already resolved", "This incident was already retried.")
    return retry_incident(incident, actor)
