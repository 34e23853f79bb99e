"""Case data as people read it in instructions and letters.

A case holds times as ISO 8601 text. People read a time as "28 November 2026, 09:30"
(Europe/London), or "28 Tachwedd 2026, 09:30" in Welsh. Templates keep comparing the values;
only what they show changes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .diagram_functions import london_time

# The whole value is an ISO 8601 date, or a date-time with a UTC offset: a time the case holds
# (a form's date or date-time, or a time a script or helper wrote).
_ISO_MOMENT = re.compile(
    r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?", re.IGNORECASE
)


def shown(value: Any, language: str) -> Any:
    """``value`` as a template shows it to a reader of ``language``."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_MOMENT.fullmatch(value)):
        try:
            return london_time(value, language)
        except ValueError:  # such as 2026-02-30, or a time without a zone: shown as it is
            return value
    return value
