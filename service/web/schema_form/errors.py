"""A form's validation messages placed: each under the path of the question it is about, and
in the GOV.UK error summary, linked to the input to correct."""

from __future__ import annotations

from .fields import Field
from .schema import DATETIME_PARTS, schema_at, sentence, type_of


def errors_by_field(field_errors, schema: dict | None = None) -> dict[str, str]:
    """The first message for each field's path. A path naming a part of a date or date-time
    (``reported_at.day``, ``reported_at.time``) is the field's own; given the ``schema``, only
    where the field is a date or date-time."""
    found: dict[str, str] = {}
    for error in field_errors:
        path = _whole_field(str(error.field), schema)
        found.setdefault(path, error.message)
    return found


def _whole_field(path: str, schema: dict | None) -> str:
    head, _, last = path.rpartition(".")
    if not head or last not in DATETIME_PARTS:
        return path
    if schema is None:
        return head
    node = schema_at(schema, head)
    if (
        node is not None
        and type_of(node) == "string"
        and node.get("format") in ("date", "date-time")
    ):
        return head
    return path


def error_summary_items(fields: list[Field], errors: dict[str, str] | None = None) -> list[dict]:
    """The GOV.UK error summary's list: each question's message, in page order, linked to the
    input to correct. Given the ``errors`` the fields were drawn with, messages no question
    shows (about the form as a whole) follow, unlinked."""
    items = []
    shown: set[str] = set()  # names whose messages are beside them
    leaves: list[str] = []  # questions that show a message about a part of them
    for top in fields:
        for each in top.walk():
            if not each.error:
                continue
            shown.add(each.name)
            if each.kind not in ("object", "array"):
                leaves.append(f"{each.name}.")
            where = f"{each.context}, {each.label}" if each.context else each.label
            items.append({"text": f"{where}: {each.error}", "href": f"#{each.focus_id}"})
    for path, message in (errors or {}).items():
        if path in shown or path.startswith(tuple(leaves)):
            continue
        items.append({"text": sentence(message)})
    return items
