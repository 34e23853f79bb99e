"""Case data as people read it in instructions and letters.

A case holds times as ISO 8601 text and choices as their values (``immediate_attendance``).
People read a time as "28 November 2026, 09:30" (Europe/London), or "28 Tachwedd 2026, 09:30"
in Welsh, and a choice by its title in the form that defines it ("Immediate attendance",
"Mynychu ar unwaith"). Templates keep comparing the values (``risk_grade == "high"``); only
what they show changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .diagram_functions import london_time
from .forms import Form
from .languages import LANGUAGES

# The whole value is an ISO 8601 date, or a date-time with a UTC offset: a time the case holds
# (a form's date or date-time, or a time a script or helper wrote).
_ISO_MOMENT = re.compile(
    r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?", re.IGNORECASE
)


class Choice(str):
    """A choice's value that a template shows as its title, and that is the value everywhere
    else: in comparisons, as a key, to helpers and filters."""

    def __new__(cls, value: str, title: str) -> Choice:
        choice = super().__new__(cls, value)
        choice._title = title  # a name templates cannot reach
        return choice


def shown(value: Any, language: str) -> Any:
    """``value`` as a template shows it to a reader of ``language``."""
    if isinstance(value, Choice):
        return value._title
    if isinstance(value, date) or (isinstance(value, str) and _ISO_MOMENT.fullmatch(value)):
        try:
            return london_time(value, language)
        except ValueError:  # such as 2026-02-30, or a time without a zone: shown as it is
            return value
    if isinstance(value, list | tuple):
        return ", ".join(str(shown(item, language)) for item in value)
    return value


class ChoiceTitles:
    """The title of every choice of a set's forms, by the path of its field in case data
    (``first_response``, ``caller.relationship_to_victim``, ``flags[]`` for a list's items)
    and by language.

    A field defined by several forms takes its titles from the first of them by name.
    """

    def __init__(self, forms: Iterable[Form]) -> None:
        self.titles: dict[str, dict[str, dict[str, str]]] = {}
        for form in forms:
            for language in LANGUAGES:
                schema, _ = form.localized(language)
                for path, options in _choice_fields(schema, ""):
                    titles = {
                        option["const"]: option["title"]
                        for option in options
                        if isinstance(option["const"], str) and option.get("title")
                    }
                    if titles:  # choices of text, not yes/no
                        self.titles.setdefault(path, {}).setdefault(language, titles)
        # Every path that leads to a choice: the parts of the data worth walking.
        self._leads = {lead for path in self.titles for lead in _leads(path)}

    def readable(self, data: Mapping[str, Any], language: str) -> dict[str, Any]:
        """A copy of ``data`` whose choices show as their titles in ``language``."""
        return {key: self._mark(value, key, language) for key, value in data.items()}

    def _mark(self, value: Any, path: str, language: str) -> Any:
        if path not in self._leads:
            return value
        if isinstance(value, str):
            title = self.titles.get(path, {}).get(language, {}).get(value)
            return value if title is None else Choice(value, title)
        if isinstance(value, dict):
            return {key: self._mark(item, f"{path}.{key}", language) for key, item in value.items()}
        if isinstance(value, list):
            return [self._mark(item, f"{path}[]", language) for item in value]
        return value


def _choice_fields(schema: Any, path: str) -> Iterable[tuple[str, list[dict]]]:
    """(path, options) for every field of ``schema`` written as a list of ``const``s."""
    if not isinstance(schema, dict):
        return
    options = schema.get("oneOf")
    if (
        path
        and isinstance(options, list)
        and options
        and all(isinstance(option, dict) and "const" in option for option in options)
    ):
        yield path, options
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, field in properties.items():
            yield from _choice_fields(field, f"{path}.{name}" if path else name)
    if "items" in schema:
        yield from _choice_fields(schema["items"], f"{path}[]")


def _leads(path: str) -> Iterable[str]:
    """``path`` and the paths it goes through: ``a.b[]`` gives ``a``, ``a.b`` and ``a.b[]``."""
    for step in re.finditer(r"\.|\[\]", path):
        yield path[: step.start()]
    yield path
