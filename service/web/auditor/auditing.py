"""Who may see the auditor's pages: holders of the ``audit`` grant. Anyone else is refused
(403), and a refusal to see a case is in the read log, as every view of it is."""

from flask import abort, g

from ...audit.reads import log_read
from ...auth import Actor
from ...case_access import readable_case
from ...models import Case
from ...roles import holds_grant


def auditor(case_id: str | None = None, action: str = "case.history") -> Actor:
    """The signed-in user, if they audit; a 403 page otherwise (logged, for a case)."""
    actor = g.actor
    if not holds_grant(actor, "audit"):
        if case_id is not None:
            log_read(actor, f"{action}.refused", case_id)
        abort(403)
    return actor


def audited_case(case_id: str, action: str) -> tuple[Actor, Case]:
    """The auditor and the case they asked for (404 when there is no such case)."""
    actor = auditor(case_id, action)
    case, _reading = readable_case(actor, case_id, action)
    return actor, case


def asked_number(text: str) -> int | None:
    """A whole number as typed into a query (an event, a version), or None when it is not one:
    only the digits 0 to 9, and few enough of them to be a number the service keeps."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
