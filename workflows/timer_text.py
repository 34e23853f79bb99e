"""Timer text as process owners write it.

SpiffWorkflow evaluates timer text as a Python expression, so ``P5D`` fails where ``"P5D"``
works. Camunda Modeler and other tools write plain ISO 8601, and so do people. This module
recognises plain ISO 8601 text, checks it, and turns it into the quoted literal the engine
expects; anything else is an expression for the sandbox.
"""

import ast
import re
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .problems import Words, words

DURATION = "timeDuration"
DATE = "timeDate"
CYCLE = "timeCycle"

_DURATION_RE = re.compile(
    r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+)?(Z|[+-]\d{2}(:?\d{2})?)?$")
_CYCLE_RE = re.compile(r"^R\d*/")


def is_plain_iso(text: str, kind: str) -> bool:
    """True when the text is written as bare ISO 8601 rather than as an expression."""
    text = text.strip()
    if kind == DURATION:
        return bool(_DURATION_RE.match(text))
    if kind == DATE:
        return bool(_DATE_RE.match(text))
    return bool(_CYCLE_RE.match(text))


def literal_value(text: str, kind: str) -> str | None:
    """The ISO text a timer holds when it is a constant (bare or quoted), else None."""
    text = text.strip()
    if is_plain_iso(text, kind):
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def check_iso(value: str, kind: str) -> Words | None:
    """Why the ISO text cannot be used, or None when it is fine."""
    try:
        if kind == DURATION:
            if not _DURATION_RE.match(value):
                raise ValueError
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == DATE:
            if datetime.fromisoformat(value).tzinfo is None:
                return words("iso_date_no_offset", value=value)
        else:
            _check_cycle(value)
    except (ValueError, TypeError, AttributeError):
        examples = {DURATION: "PT30M, P5D", DATE: "2026-12-01T09:00:00Z", CYCLE: "R/P1M"}
        return words("iso_not_valid", value=value, kind=kind, example=examples[kind])
    except Exception as error:  # the engine's own parser raises bare Exception
        return words("iso_not_valid_because", value=value, kind=kind, detail=str(error))
    return None


def _check_cycle(value: str) -> None:
    parts = value.upper().split("/")
    if len(parts) not in (2, 3) or not re.fullmatch(r"R\d*", parts[0]):
        raise ValueError
    for part in parts[1:]:
        if part.startswith("P"):
            if not _DURATION_RE.match(part):
                raise ValueError
        elif datetime.fromisoformat(part).tzinfo is None:
            raise ValueError("a cycle's start or end needs a UTC offset")
    TimerEventDefinition.parse_iso_recurring_interval(value)


def as_engine_expression(text: str, kind: str) -> str:
    """The expression to give the engine: bare ISO text becomes a quoted string."""
    text = text.strip()
    return repr(text) if is_plain_iso(text, kind) else text
