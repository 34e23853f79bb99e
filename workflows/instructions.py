"""Render task instructions: Jinja templates written in diagrams, shown in forms.

Templates are untrusted like the rest of a diagram. They render in Jinja's
immutable sandbox, with the diagram sandbox's attribute and size policy on
top, filters that can build huge text in one call removed, a cap on the
output size and a step/time budget. Output is plain text/markdown, so there
is no HTML autoescaping; the form must display it as text.

What a template shows reads as people read it, in the reader's language: times
as "28 November 2026, 09:30" in Europe/London, and choices by their forms'
titles (see ``workflows.readable``); the template's logic still sees the stored
values.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Mapping
from types import FrameType
from typing import Any

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.filters import make_attrgetter
from jinja2.sandbox import ImmutableSandboxedEnvironment

from workflows.diagram_functions import DIAGRAM_FUNCTIONS, london_time
from workflows.languages import LANGUAGES
from workflows.readable import ChoiceTitles, shown
from workflows.sandbox import CHECKED_OPERATORS, SandboxError, guarded_attribute

MAX_OUTPUT = 200_000  # characters of rendered instructions
MAX_LINES = 1_000_000  # Python lines run while rendering (template and Jinja code)
MAX_SECONDS = 2.0

# Filters whose width/count argument builds a huge value in one call.
_REMOVED_FILTERS = ("center", "indent", "format", "batch", "slice", "wordwrap")


class _InstructionsEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(CHECKED_OPERATORS)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return CHECKED_OPERATORS[operator](left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(attribute, str):
            try:
                bound = guarded_attribute(obj, attribute)
            except SandboxError as error:
                raise SecurityError(str(error)) from None
            if bound is not None:
                return bound
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        try:
            return obj[argument]
        except (TypeError, LookupError):
            # Jinja falls back to attributes (x['upper']); keep our policy there too.
            if isinstance(argument, str):
                return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        # Jinja would render an empty string; a refused access should be loud.
        raise SecurityError(f"names starting with '_' are not allowed: {attribute!r}")


def _make_environment(language: str) -> _InstructionsEnvironment:
    """The environment for readers of ``language``: what a template shows (``{{ x }}``) reads
    as people read it (times in Europe/London, choices by their titles; see
    ``workflows.readable``), in that language."""

    def show(value: Any) -> Any:
        return shown(value, language)

    def london(value: Any) -> str:
        # A time the case does not hold yet shows empty, like any other missing field.
        if value is None or isinstance(value, Undefined):
            return ""
        return london_time(value, language)

    def london_time_for_reader(value: Any, in_language: str = language) -> str:
        return london_time(value, in_language)

    def join(items: Any, separator: str = "", attribute: str | int | None = None) -> str:
        if attribute is not None:
            items = map(make_attrgetter(env, attribute), items)
        return str(separator).join(str(show(item)) for item in items)

    env = _InstructionsEnvironment(autoescape=False, undefined=ChainableUndefined, finalize=show)
    for name in _REMOVED_FILTERS:
        env.filters.pop(name, None)
    env.globals.pop("lipsum", None)
    env.globals.update(DIAGRAM_FUNCTIONS)
    env.globals["london_time"] = london_time_for_reader
    # {{ reported_at | london }} is {{ reported_at }}; it also reads a time given as a date-time.
    env.filters["london"] = london
    env.filters["join"] = join
    return env


_ENVIRONMENTS = {language: _make_environment(language) for language in LANGUAGES}


@functools.lru_cache(maxsize=512)
def _compile(template: str, language: str = "en") -> Template | str:
    """The compiled template, or the syntax problem as text (cached either way)."""
    try:
        return _ENVIRONMENTS[language].from_string(template)
    except TemplateSyntaxError as error:
        return f"line {error.lineno}: {error.message}"


def check_template(template: str) -> list[str]:
    """Problems that stop ``template`` from rendering (empty when fine). For deploy time."""
    if not isinstance(template, str):
        return [f"instructions must be text, not {type(template).__name__}"]
    compiled = _compile(template)
    return [compiled] if isinstance(compiled, str) else []


class _Budget:
    def __init__(self) -> None:
        self.lines = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.exceeded: str | None = None

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines += 1
            if self.lines > MAX_LINES or (
                not self.lines & 255 and time.monotonic() > self.deadline
            ):
                self.exceeded = "the instructions took too much work to render; an endless loop?"
                raise SandboxError(self.exceeded)
        return self.trace


def render_instructions(
    template: str,
    data: Mapping[str, Any],
    language: str = "en",
    choices: ChoiceTitles | None = None,
) -> str:
    """Render ``template`` with task ``data`` for a reader of ``language``; undefined variables
    render empty. Times show as people read them, and the choices of ``choices`` by their
    titles, in that language.

    Raises SandboxError with a readable message for syntax errors, refused
    access, oversized output or too much work.
    """
    compiled = _compile(template, language) if isinstance(template, str) else None
    if not isinstance(compiled, Template):
        problems = check_template(template)
        raise SandboxError("the instructions cannot be shown: " + "; ".join(problems))
    context = choices.readable(data, language) if choices is not None else dict(data)
    budget = _Budget()
    pieces: list[str] = []
    size = 0
    # Traces every frame while rendering (there is no try/except in templates,
    # so a tracer that raises is enough). Restores any debugger's tracer.
    previous = sys.gettrace()
    sys.settrace(budget.trace)
    try:
        for piece in compiled.generate(context):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise SandboxError(f"the instructions are longer than {MAX_OUTPUT} characters")
            pieces.append(piece)
    except SandboxError:
        raise
    except (TemplateError, SecurityError) as error:
        raise SandboxError(f"the instructions cannot be shown: {error}") from None
    except Exception as error:
        raise SandboxError(
            f"the instructions cannot be shown: {type(error).__name__}: {error}"
        ) from None
    finally:
        sys.settrace(previous)
    if budget.exceeded is not None:
        raise SandboxError(budget.exceeded)
    return "".join(pieces)
