"""A small looping process for the audit tests and bench/audit.py.

An Investigator writes a note; a script counts the rounds and stamps the engine's clock; the
case loops until a note says it is done. A note "boom" makes the script fail (a diagram error).
"""

import json

from service.auth import Actor, create_user
from service.db import db
from service.definitions import deploy
from tests.names import with_welsh_names
from tests.test_catalog import flow, lane, process, user_task

LOOP = "audit_loop"
LANE = "Investigator"

LOOP_FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Note",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "note": {"title": "Note", "type": "string"},
        "done": {"title": "Done", "type": "boolean"},
    },
}
LOOP_WELSH = {
    "schema": {
        "/title": "Nodyn",
        "/properties/note/title": "Nodyn",
        "/properties/done/title": "Wedi",
    },
    "uischema": {},
}
SCRIPT = "rounds = rounds + 1\nstamped = isoformat(now())\ncheck = 1 / (0 if note == 'boom' else 1)"


def loop_bpmn() -> str:
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("note", form="loop_note.schema.json")
        + f'<bpmn:scriptTask id="count"><bpmn:script>{SCRIPT}</bpmn:script></bpmn:scriptTask>'
        + '<bpmn:exclusiveGateway id="more" default="again"/>'
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "note")
        + flow("f2", "note", "count")
        + flow("f3", "count", "more")
        + flow("finish", "more", "end", "done == True")
        + flow("again", "more", "note")
    )
    return process(body, lane(LANE, "start", "note", "count", "more", "end"), process_id=LOOP)


def loop_files() -> dict[str, bytes]:
    return {
        "bpmn/audit_loop.bpmn": loop_bpmn().encode(),
        "forms/loop_note.schema.json": json.dumps(LOOP_FORM).encode(),
        "forms/loop_note.cy.json": json.dumps(LOOP_WELSH).encode(),
    }


def deploy_loop() -> int:
    """Deploy the loop process (call inside an app context); return the version id."""
    version, _ = deploy(with_welsh_names(loop_files()), actor="tests")
    db.session.commit()
    return version.id


def investigator(name: str = "audit-investigator") -> tuple[Actor, str]:
    user, token = create_user(name, [LANE])
    return Actor(user.id, user.name, frozenset({LANE})), token
