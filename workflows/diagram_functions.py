"""Date and time helpers offered to diagram code (scripts, conditions, timers).

Conventions, so that diagrams behave the same on every server:

* Instants are timezone-aware and UTC, in and out. Text without a time zone
  ("2026-01-05T10:00") is refused: we cannot guess whether the author meant
  UTC or London time.
* Where a *calendar day* matters (days, months, working days, "today"), the day
  is the Europe/London local date, and the London time of day is kept.
* Task data is JSON, so every helper accepts ISO 8601 text as well as
  datetime/date objects, and helpers whose result is normally stored in task
  data return ISO text: a datetime input gives "2026-12-29T10:00:00+00:00", a
  date-only input ("2026-12-24") gives a date-only result ("2026-12-29").
  ``now()`` and ``parse_datetime()`` return datetime objects for comparisons
  and arithmetic; store them with ``isoformat()``.
* Working days are England & Wales working days: Monday to Friday, excluding
  bank holidays (the ``holidays`` library, union of ENG and WLS).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

from . import clock

LONDON = ZoneInfo("Europe/London")

# Bounds the work a single call can do; ten years of working days is plenty.
MAX_WORKING_DAYS = 2_600

DateLike = str | date | datetime


def _parse_text(text: str) -> date | datetime:
    """Parse ISO text into a date (date-only text) or an aware UTC datetime."""
    text = text.strip()
    if len(text) == 10:  # YYYY-MM-DD
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or date-time: {text!r}") from None
    return _aware_utc(parsed, text)


def _aware_utc(value: datetime, shown: object) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"date-time {shown!r} has no time zone; write it with an offset, "
            "e.g. '2026-01-05T10:00:00+00:00' or '2026-01-05T10:00:00Z'"
        )
    return value.astimezone(UTC)


def _moment(value: DateLike) -> date | datetime:
    """A date, or an aware UTC datetime, from any accepted input."""
    if isinstance(value, datetime):
        return _aware_utc(value, value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse_text(value)
    raise TypeError(f"expected a date, a date-time or ISO 8601 text, got {type(value).__name__}")


def _london_date(value: DateLike) -> date:
    moment = _moment(value)
    if isinstance(moment, datetime):
        return moment.astimezone(LONDON).date()
    return moment


def _int(value: Any, what: str) -> int:
    # bool is an int, but add_days(x, True) is certainly a mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a whole number, got {value!r}")
    return value


def _with_london_date(moment: date | datetime, new_day: date) -> str:
    """Move ``moment`` to ``new_day`` (London calendar), keeping the London time of day."""
    if not isinstance(moment, datetime):
        return new_day.isoformat()
    local = moment.astimezone(LONDON)
    # fold=0: at the autumn change the earlier of the two wall times is used.
    moved = datetime.combine(new_day, local.timetz().replace(tzinfo=None), tzinfo=LONDON)
    return moved.astimezone(UTC).isoformat()


# --- now and parsing ------------------------------------------------------


def now() -> datetime:
    """The current instant, as an aware UTC datetime (store it with ``isoformat``)."""
    # The engine's clock: a command's recorded time while it runs, so replay sees the same.
    return clock.now()


def today() -> str:
    """Today's date in London, as "YYYY-MM-DD" (fixed width, so it compares as text)."""
    return now().astimezone(LONDON).date().isoformat()


def parse_datetime(text: str | datetime) -> datetime:
    """ISO 8601 text to an aware UTC datetime. Text without a time zone is refused."""
    if isinstance(text, datetime):
        return _aware_utc(text, text)
    if not isinstance(text, str):
        raise TypeError(f"expected ISO 8601 text, got {type(text).__name__}")
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}") from None
    return _aware_utc(parsed, text)


def isoformat(value: DateLike) -> str:
    """ISO 8601 text for storing in task data: UTC date-time, or "YYYY-MM-DD" for a date."""
    moment = _moment(value)
    return moment.isoformat()


# Month names as people write them in a date, in English and Welsh: "28 Tachwedd 2026".
_MONTH_NAMES = (
    ("January", "Ionawr"),
    ("February", "Chwefror"),
    ("March", "Mawrth"),
    ("April", "Ebrill"),
    ("May", "Mai"),
    ("June", "Mehefin"),
    ("July", "Gorffennaf"),
    ("August", "Awst"),
    ("September", "Medi"),
    ("October", "Hydref"),
    ("November", "Tachwedd"),
    ("December", "Rhagfyr"),
)
MONTHS = {"en": [en for en, _ in _MONTH_NAMES], "cy": [cy for _, cy in _MONTH_NAMES]}


def london_time(value: DateLike, language: str = "en") -> str:
    """How a person in England and Wales reads a time: "28 November 2026, 09:30" in
    Europe/London (GMT or BST as the date falls), or in Welsh ("cy") "28 Tachwedd 2026, 09:30";
    a date alone is "28 November 2026". For instructions and letters; store times with
    ``isoformat``."""
    if language not in MONTHS:
        raise ValueError(f"times are shown in English ('en') or Welsh ('cy'), not {language!r}")
    moment = _moment(value)
    day = moment.astimezone(LONDON) if isinstance(moment, datetime) else moment
    text = f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"
    if isinstance(day, datetime):
        text += f", {day:%H:%M}"
    return text


# --- arithmetic -------------------------------------------------------------


def add_days(start: DateLike, days: int) -> str:
    """``start`` plus ``days`` London calendar days, same London time of day; ISO text.

    Across a clock change this is 23 or 25 hours, which is what a deadline
    "in 7 days" means to people.
    """
    moment = _moment(start)
    new_day = _london_date(moment) + timedelta(days=_int(days, "days"))
    return _with_london_date(moment, new_day)


def add_months(start: DateLike, months: int) -> str:
    """``start`` plus calendar months (London), clamped to month end (31 Jan + 1 = 28/29 Feb)."""
    moment = _moment(start)
    new_day = _london_date(moment) + relativedelta(months=_int(months, "months"))
    return _with_london_date(moment, new_day)


def add_hours(start: DateLike, hours: int | float) -> str:
    """``start`` plus elapsed hours (exact time, ignores clock changes); ISO UTC text."""
    return _add_elapsed(start, timedelta(hours=hours))


def add_minutes(start: DateLike, minutes: int | float) -> str:
    """``start`` plus elapsed minutes (exact time); ISO UTC text."""
    return _add_elapsed(start, timedelta(minutes=minutes))


def _add_elapsed(start: DateLike, delta: timedelta) -> str:
    moment = _moment(start)
    if not isinstance(moment, datetime):
        raise ValueError(f"{start!r} is a date without a time; hours and minutes need a date-time")
    return (moment + delta).isoformat()


def duration(
    days: int = 0,
    hours: int = 0,
    minutes: int = 0,
    seconds: int = 0,
    weeks: int = 0,
) -> str:
    """An ISO 8601 duration for timer expressions, e.g. ``duration(minutes=30)`` -> "PT30M"."""
    parts = {"weeks": weeks, "days": days, "hours": hours, "minutes": minutes, "seconds": seconds}
    for name, value in parts.items():
        if _int(value, name) < 0:
            raise ValueError(f"a duration cannot be negative ({name}={value})")
    # Weeks are folded into days: "P1W2D" is not valid ISO 8601.
    total_days = weeks * 7 + days
    text = "P" + (f"{total_days}D" if total_days else "")
    clock = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if v)
    if clock:
        text += "T" + clock
    return text if text != "P" else "PT0S"


# --- calendar days and working days -----------------------------------------


@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list today; the union keeps us right if that changes.
    days = set(holidays.UK(subdiv="ENG", years=year)) | set(holidays.UK(subdiv="WLS", years=year))
    return frozenset(days)


def _is_working(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def is_working_day(day: DateLike) -> bool:
    """True on England & Wales working days (London date): not a weekend or bank holiday."""
    return _is_working(_london_date(day))


def add_working_days(start: DateLike, days: int) -> str:
    """Move ``days`` England & Wales working days from ``start`` (negative goes back).

    Counted on London dates, keeping the London time of day; ISO text. From a
    Friday, 1 working day is the Monday (or later, if Monday is a bank holiday).
    With 0, ``start`` is returned unchanged even if it is not a working day.
    """
    count = _int(days, "days")
    if abs(count) > MAX_WORKING_DAYS:
        raise ValueError(f"at most {MAX_WORKING_DAYS} working days at a time")
    moment = _moment(start)
    day = _london_date(moment)
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if _is_working(day):
            remaining -= 1
    return _with_london_date(moment, day)


def working_days_between(start: DateLike, end: DateLike) -> int:
    """Working days after ``start``'s date up to and including ``end``'s date (London dates).

    Negative when ``end`` is earlier. For a working day ``end``,
    ``add_working_days(start, working_days_between(start, end))`` lands on ``end``'s date.
    """
    first, last = _london_date(start), _london_date(end)
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    span = (last - first).days
    if span > MAX_WORKING_DAYS * 2:
        raise ValueError("dates are too far apart to count working days")
    count = sum(1 for n in range(1, span + 1) if _is_working(first + timedelta(days=n)))
    return sign * count


def days_between(start: DateLike, end: DateLike) -> int:
    """London calendar days from ``start``'s date to ``end``'s date (negative if earlier)."""
    return (_london_date(end) - _london_date(start)).days


# --- courses of conduct and time limits -------------------------------------

# Magistrates' Courts Act 1980 s127: an information for a summary-only offence (PHA 1997 s2 and
# s2A) must be laid within six months of the offence; for a course of conduct, of its last
# incident. A diagram may change the warning points, not this rule.
STATUTORY_TIME_LIMIT_MONTHS = 6


def last_incident(timeline: list[dict[str, Any]]) -> str:
    """The latest ``occurred_at`` of a list of incidents (dicts), as ISO text.

    Date-times give UTC text ("2026-11-27T17:30:00+00:00"), as ``isoformat`` does; a timeline of
    dates only ("2026-11-27") gives a date. The list need not be in order. An empty timeline, an
    incident without ``occurred_at``, or a mix of dates and date-times is refused.
    """
    if isinstance(timeline, str | bytes | dict) or not isinstance(timeline, list | tuple):
        raise TypeError(f"expected a list of incidents, got {type(timeline).__name__}")
    if not timeline:
        raise ValueError("the timeline has no incidents")
    moments = []
    for index, incident in enumerate(timeline):
        if not isinstance(incident, dict) or incident.get("occurred_at") is None:
            raise ValueError(f"incident {index} of the timeline has no 'occurred_at'")
        moments.append(_moment(incident["occurred_at"]))
    kinds = {isinstance(moment, datetime) for moment in moments}
    if len(kinds) > 1:
        raise ValueError("the timeline mixes dates and date-times; give every incident a time")
    return max(moments).isoformat()


def statutory_time_limit(last_incident: DateLike) -> str:
    """The last day on which an information may be laid for a summary-only offence (s2, s2A).

    Six calendar months after the London date of the last incident of the course of conduct, on
    the corresponding day (the day of the incident itself is not counted); where the later month
    has no such day, its last day (31 Aug + 6 months = 28/29 Feb). Always a date,
    "YYYY-MM-DD": the whole of that day is in time.
    """
    day = _london_date(last_incident) + relativedelta(months=STATUTORY_TIME_LIMIT_MONTHS)
    return day.isoformat()


DIAGRAM_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "now": now,
    "today": today,
    "parse_datetime": parse_datetime,
    "isoformat": isoformat,
    "london_time": london_time,
    "add_days": add_days,
    "add_hours": add_hours,
    "add_minutes": add_minutes,
    "add_months": add_months,
    "add_working_days": add_working_days,
    "is_working_day": is_working_day,
    "working_days_between": working_days_between,
    "days_between": days_between,
    "duration": duration,
    "last_incident": last_incident,
    "statutory_time_limit": statutory_time_limit,
}

__all__ = [
    *DIAGRAM_FUNCTIONS,
    "DIAGRAM_FUNCTIONS",
    "LONDON",
    "MAX_WORKING_DAYS",
    "STATUTORY_TIME_LIMIT_MONTHS",
]
