"""Cases: start one, list those the caller may read, show one (service.case_access)."""

from sqlalchemy import select

from ..audit.reads import log_read
from ..auth import current_user
from ..case_access import WITHHELD, readable_case, readable_cases
from ..commands import start_case
from ..db import db
from ..messages import StartCase
from ..models import Case
from ..personal import withhold
from .blueprint import Blueprint
from .language import request_language
from .representations import case_summary, case_view, shown_names
from .schemas import PROBLEM, CaseQuerySchema, CaseSchema, CaseSummarySchema, StartCaseSchema

blp = Blueprint("cases", __name__, url_prefix="/cases")


@blp.post("")
@blp.arguments(StartCaseSchema())
@blp.response(201, CaseSchema)
@blp.alt_response(
    422, description="The start form's data is not valid; each field is named", **PROBLEM
)
def create_case(body):
    """Start a case of a process; the data is checked against the process's start form."""
    changed = start_case(
        StartCase(body["process"], body["data"], current_user(), request_language())
    )
    names = shown_names().know(changed.case, changed.catalog)
    return case_view(changed.case, names, changed.open_tasks, changed.timers)


@blp.get("")
@blp.arguments(CaseQuerySchema(), location="query")
@blp.response(200, CaseSummarySchema(many=True))
def list_cases(query):
    """The cases the caller may read, most recently changed first."""
    statement = (
        select(Case)
        .where(readable_cases(current_user()))
        .order_by(Case.updated_at.desc())
        .limit(query["limit"])
    )
    if "process" in query:
        statement = statement.where(Case.process_id == query["process"])
    if "status" in query:
        statement = statement.where(Case.status == query["status"])
    names = shown_names()
    return [case_summary(case, names) for case in db.session.scalars(statement)]


@blp.get("/<case_id>")
@blp.response(200, CaseSchema)
@blp.alt_response(404, description="No such case, or not one the caller may read", **PROBLEM)
def get_case(case_id: str):
    """A case: its status, data and open tasks; its personal data withheld from an
    Administrator who does not work on it."""
    actor = current_user()
    case, reading = readable_case(actor, case_id, "case.view")
    log_read(actor, "case.view", case_id)
    view = case_view(case, shown_names())
    if reading == WITHHELD:
        view["data"] = withhold(view["data"])
    return view
