"""The audit API: a case's history, its verification, replay and point-in-time views, and the
read log. Roles with the audit or administer grant (Auditors and Administrators) read
histories of the cases they may read (service.case_access), an Administrator who does not
work on the case with its personal data withheld; only the audit grant reads the read log.
Every read is itself logged, and so is every refused one."""

from flask import Response

from ..audit import export
from ..audit.chain import verify_case
from ..audit.reads import log_read, reads
from ..audit.replay import replay_case, state_at
from ..case_access import WITHHELD, readable_case
from ..personal import withhold, withhold_anywhere
from ..restrictions import access_openings
from .access import require_grant
from .access_schemas import AccessOpeningQuerySchema, CaseAccessSchema
from .audit_schemas import (
    ChainReportSchema,
    EventQuerySchema,
    EventSchema,
    PointInTimeSchema,
    ReadLogEntrySchema,
    ReadLogQuerySchema,
    ReplayReportSchema,
    StateQuerySchema,
)
from .blueprint import Blueprint
from .representations import shown_names
from .schemas import PROBLEM

blp = Blueprint("audit", __name__, url_prefix="", description="Audit trail")
# The grants whose holders read a case's history (Auditors and Administrators).
HISTORY_READERS = ("audit", "administer")
MEDIA_TYPES = {"jsonl": "application/jsonl", "csv": "text/csv"}


@blp.get("/cases/<case_id>/events")
@blp.arguments(EventQuerySchema(), location="query")
@blp.response(200, EventSchema(many=True))
def case_events(query, case_id: str):
    """A case's history, oldest first: JSON (default), JSON Lines or CSV (`format`)."""
    actor, reading = _history_reader(case_id, "case.events")
    events = [export.event_view(event) for event in export.event_rows(case_id)]
    if reading == WITHHELD:
        events = [{**event, "payload": withhold_anywhere(event["payload"])} for event in events]
    log_read(actor, "case.events", case_id, detail={"format": query["format"]})
    if query["format"] == "json":
        return events
    body = export.as_jsonl(events) if query["format"] == "jsonl" else export.as_csv(events)
    filename = f"case-{case_id}-events.{query['format']}"
    return Response(
        body,
        mimetype=MEDIA_TYPES[query["format"]],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.get("/cases/<case_id>/verify")
@blp.response(200, ChainReportSchema)
def verify(case_id: str):
    """Recompute the case's hash chain: ok, or the first event altered, missing or out of order."""
    actor, _ = _history_reader(case_id, "case.verify")
    report = verify_case(case_id)
    log_read(actor, "case.verify", case_id)
    return report.as_dict()


@blp.post("/cases/<case_id>/replay")
@blp.response(200, ReplayReportSchema)
def replay(case_id: str):
    """Rebuild the case from its recorded commands and compare it with the stored case.

    Changes nothing; answers whether they match, or where they first differ."""
    actor, reading = _history_reader(case_id, "case.replay")
    report = replay_case(case_id)
    log_read(actor, "case.replay", case_id)
    if reading == WITHHELD and report["first_difference"] is not None:
        report["first_difference"] = _withheld_difference(report["first_difference"])
    return report


@blp.get("/cases/<case_id>/state")
@blp.arguments(StateQuerySchema(), location="query")
@blp.response(200, PointInTimeSchema)
@blp.alt_response(
    422, description="The sequence number or time is outside the case's history", **PROBLEM
)
def point_in_time(query, case_id: str):
    """The case's data, open tasks and path as they stood after event `at_seq`, or at `at`."""
    actor, reading = _history_reader(case_id, "case.state")
    view = state_at(case_id, query.get("at_seq"), query.get("at"))
    if reading == WITHHELD:
        view["data"] = withhold(view["data"])
        if view["difference"] is not None:
            view["difference"] = _withheld_difference(view["difference"])
    names = shown_names()
    for task in view["open_tasks"]:
        task["name"] = names.element(case_id, task["bpmn_id"], task["name"])
    detail = {key: str(value) for key, value in query.items() if key != "lang"}
    log_read(actor, "case.state", case_id, detail=detail)
    return view


@blp.get("/audit/reads")
@blp.arguments(ReadLogQuerySchema(), location="query")
@blp.response(200, ReadLogEntrySchema(many=True))
def read_log(query):
    """Who read what and when, newest first; filter by `case` and/or `user` (a user's name)."""
    actor = require_grant("audit")
    entries = reads(query.get("case"), query.get("user"), query.get("before"), query["limit"])
    filters = {key: str(value) for key, value in query.items() if key != "limit"}
    log_read(actor, "read_log.list", query.get("case"), detail=filters)
    return entries


def _history_reader(case_id: str, action: str):
    """The caller, if they read histories, and how they read this case's."""
    actor = require_grant(*HISTORY_READERS)
    _, reading = readable_case(actor, case_id, action)
    return actor, reading


def _withheld_difference(difference: dict) -> dict:
    """A difference replay found, its values withheld where they hold personal data: a field
    of the case's data (``data.<field>``) is withheld as that field."""
    field = difference["what"].removeprefix("data.")
    if field != difference["what"]:
        recorded, replayed = (
            withhold({field: difference[side]})[field] for side in ("recorded", "replayed")
        )
    else:
        recorded, replayed = (
            withhold_anywhere(difference[side]) for side in ("recorded", "replayed")
        )
    return {**difference, "recorded": recorded, "replayed": replayed}


@blp.get("/access-openings")
@blp.arguments(AccessOpeningQuerySchema(), location="query")
@blp.response(200, CaseAccessSchema(many=True))
@blp.alt_response(403, description="The caller's roles do not audit", **PROBLEM)
def list_access_openings(query):
    """Cases opened by people not involved in them ("break glass"), each with its reason and
    until when it could be read, newest first: for Auditors to review."""
    actor = require_grant("audit")
    openings = access_openings(query.get("user"), query.get("case"), query["limit"])
    log_read(actor, "access_openings.view", detail={k: v for k, v in query.items() if k != "limit"})
    return openings
