"""Input the database cannot hold never reaches it.

PostgreSQL refuses a NUL character in any text (and SQLite's drivers stop a string there);
text is stored as UTF-8, which has no place for half of a surrogate pair on its own (a JSON
body can send one as an escape); and ids past what their column holds (32 bits on PostgreSQL,
64 on SQLite). Such input is answered here, before any view runs: a path that holds one names
nothing (404), a query value 400 and a body value 422, each naming the field.
"""

import json
import re
import sys

from flask import request
from werkzeug.routing import IntegerConverter, ValidationError

from ..models import LARGEST_ID
from ..problems import ApiProblem

_NUL = "\x00"
# A NUL, or half of a surrogate pair on its own: no text the database stores holds either.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """``<id:incident_id>``: a whole number the database can hold, or no match (404)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > LARGEST_ID:
            raise ValidationError()
        return number


def id_schema(_converter) -> dict:
    """How an ``<id:...>`` path parameter looks in the OpenAPI document."""
    return {"type": "integer", "minimum": 0, "maximum": LARGEST_ID}


def refuse_unreadable_body() -> None:
    """Before every request to the API: a body comes as JSON, or as files (multipart) to a
    deployment. (The pages take forms.)"""
    if not request.content_length or request.is_json or not request.path.startswith("/api/"):
        return
    if request.mimetype != "multipart/form-data":
        raise ApiProblem(
            415,
            "Unsupported Media Type",
            "Send the request body as JSON, with 'Content-Type: application/json' "
            "(a deployment sends its files as multipart/form-data).",
        )


def refuse_unstorable_input() -> None:
    """Before every request: no NUL character in the path, the query or a JSON body."""
    if _NUL in request.path:
        raise ApiProblem(404, "Not Found", "There is nothing at this address.")
    for name, value in [*request.args.items(multi=True), *_form_fields()]:
        if _NUL in name or _NUL in value:
            raise ApiProblem(
                400,
                "Bad Request",
                f"The query parameter '{_printable(name)}' holds a NUL character, which "
                "no field may hold.",
                errors=[{"field": _printable(name), "message": "must not hold a NUL character"}],
            )
    if request.is_json:
        found = _first_unstorable(_json_body(), "")
        if found is not None:
            field, what = found
            raise ApiProblem(
                422,
                "Unprocessable Content",
                f"The field '{field}' holds {what}, which no field may hold.",
                errors=[{"field": field, "message": f"must not hold {what}"}],
            )


def _json_body() -> object:
    """The request's JSON body; None when there is none or it is not JSON, which the view's
    own reading answers as it always has. A body Python's reader cannot hold is refused here:
    the readers after this would fail on it as a fault of the service's own."""
    try:
        return json.loads(request.get_data(cache=True))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    except RecursionError:
        raise ApiProblem(
            400,
            "Bad Request",
            "The request body nests lists or objects more deeply than this service reads.",
        ) from None
    except ValueError:  # a whole number longer than Python reads (sys.get_int_max_str_digits)
        raise ApiProblem(
            400,
            "Bad Request",
            f"The request body holds a whole number of more than {sys.get_int_max_str_digits()} "
            "digits, longer than this service reads.",
        ) from None


def _form_fields() -> list[tuple[str, str]]:
    """A page's form fields (the API takes no forms but a deployment's, whose files these are
    not)."""
    if request.path.startswith("/api/") or request.mimetype != "application/x-www-form-urlencoded":
        return []
    return list(request.form.items(multi=True))


def _first_unstorable(value: object, path: str) -> tuple[str, str] | None:
    """The path of the first name or text in a JSON value that holds a character no text may
    hold, and which character that is."""
    stack = [(value, path)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return path or "(body)", _which(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{_printable(key)}" if path else _printable(key)
                if _UNSTORABLE.search(key):
                    return where, _which(key)
                stack.append((item, where))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
    return None


def _which(text: str) -> str:
    found = _UNSTORABLE.search(text).group()
    if found == _NUL:
        return "a NUL character"
    return f"half of a surrogate pair on its own ({_printable(found)})"


def _printable(text: str) -> str:
    return _UNSTORABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
