"""Personal data in a case, as the data dictionary (docs/data-dictionary.md) marks it, and
case data with it withheld, for those who run the service rather than the cases.

A field is personal when its type in the dictionary ends in ``**personal**``. ``a.b`` names
``b`` inside the object ``a``, ``a[].b`` names ``b`` in each item of the list ``a``, and
``<name>`` stands for any name. A withheld value is replaced by ``WITHHELD``, so a reader sees
that a field is there and that it holds personal data, never what it holds.
"""

import re
from functools import cache

from .config import PROJECT_ROOT

DATA_DICTIONARY = PROJECT_ROOT / "docs" / "data-dictionary.md"
WITHHELD = "(personal: withheld)"
MARK = "**personal**"
_ROW = re.compile(r"^\| `([^`]+)` \| ([^|]*) \|")
_EACH = None  # a path step into each item of a list


def marked_fields(dictionary: str) -> tuple[str, ...]:
    """The fields a data dictionary marks personal, in its order, each once."""
    marked = {}
    for line in dictionary.splitlines():
        row = _ROW.match(line)
        if row and row.group(2).rstrip().endswith(MARK):
            marked.setdefault(row.group(1))
    return tuple(marked)


@cache
def personal_paths() -> tuple[tuple[re.Pattern | None, ...], ...]:
    """The marked fields of the data dictionary, as paths of name patterns."""
    fields = marked_fields(DATA_DICTIONARY.read_text(encoding="utf-8"))
    return tuple(_path(field) for field in fields)


def _path(field: str) -> tuple[re.Pattern | None, ...]:
    steps = field.replace("[]", ".[]").split(".")
    return tuple(
        _EACH if step == "[]" else re.compile(re.sub(r"<[^>]+>", ".+", re.escape(step)))
        for step in steps
    )


def withhold(data: dict) -> dict:
    """Case data with the value of every personal field withheld."""
    return _withhold(data, personal_paths())


def _withhold(value, paths):
    if isinstance(value, list):
        inner = [path[1:] for path in paths if path[0] is _EACH]
        return [_withhold(item, inner) for item in value] if inner else value
    if not isinstance(value, dict) or not paths:
        return value
    shown = {}
    for key, item in value.items():
        matching = [p[1:] for p in paths if p[0] is not _EACH and p[0].fullmatch(str(key))]
        shown[key] = WITHHELD if () in matching else _withhold(item, matching)
    return shown


def withhold_anywhere(value):
    """A value that may hold case data at any depth (an event's payload, a difference found
    by replay), with every object's fields withheld whole when they are personal or hold a
    personal field: a history says ``caller`` changed, not to what."""
    if isinstance(value, list):
        return [withhold_anywhere(item) for item in value]
    if not isinstance(value, dict):
        return value
    firsts = [path[0] for path in personal_paths() if path[0] is not _EACH]
    return {
        key: WITHHELD
        if any(first.fullmatch(str(key)) for first in firsts)
        else withhold_anywhere(item)
        for key, item in value.items()
    }
