"""The script environment and engine Spiff calls to run diagram code in the sandbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from workflows.diagram_functions import DIAGRAM_FUNCTIONS

from .errors import SandboxError, WorkLimitExceeded
from .guards import GUARDS, run_guarded
from .policy import compile_expression, compile_script

DEFAULT_MAX_STEPS = 100_000  # loop iterations + function calls + comprehension items
DEFAULT_MAX_SECONDS = 2.0
# Child tasks one multi-instance loop may create: the engine makes every one of them in memory
# (a parallel loop all at once), so a cardinality of 10**9 would never finish.
DEFAULT_MAX_INSTANCES = 10_000

_GUARD_NAMES = frozenset(GUARDS)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff script environment with TaskDataEnvironment's data semantics, sandboxed.

    ``functions`` adds trusted helpers to the built-in diagram functions.
    """

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        max_steps: int = DEFAULT_MAX_STEPS,
        max_seconds: float = DEFAULT_MAX_SECONDS,
    ) -> None:
        helpers = {**DIAGRAM_FUNCTIONS, **(functions or {})}
        clashes = sorted(name for name in helpers if name.startswith("_"))
        if clashes:
            raise ValueError(f"helper names must not start with '_': {clashes}")
        super().__init__({**helpers, **GUARDS})
        self.max_steps = max_steps
        self.max_seconds = max_seconds

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        code = compile_expression(expression)
        namespace = self.globals.copy()
        shadowed = not context.keys().isdisjoint(_GUARD_NAMES)
        if external_context:
            namespace.update(external_context)
            shadowed = shadowed or not external_context.keys().isdisjoint(_GUARD_NAMES)
        namespace.update(context)
        if shadowed:  # data may shadow helpers (as in Spiff), never the guards
            namespace.update(GUARDS)
        return run_guarded(code, namespace, self, evaluate=True)

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> bool:
        external_context = external_context or {}
        code = compile_script(script)  # refuse before touching the data
        self.check_for_overwrite(context, external_context)
        context.update(self.globals)
        context.update(external_context)
        context.update(GUARDS)
        try:
            run_guarded(code, context, self, evaluate=False)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise SandboxError("service tasks are not available")

    def _remove_globals_and_functions_from_context(
        self, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> None:
        """Same as Spiff's: drop injected names and anything callable from the data."""
        for key in list(context):
            if (
                key == "__builtins__"
                or callable(context[key])
                or key in self.globals
                or (external_context and key in external_context)
            ):
                context.pop(key)

    def check_for_overwrite(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any]
    ) -> None:
        """Refuse task data that would hide a helper (else: baffling errors later)."""
        clashes = set(self.globals).intersection(context)
        clashes.update(set(external_context).intersection(context))
        if clashes:
            raise SandboxError(
                "task data uses names reserved for diagram functions; rename these "
                f"variables or form fields: {', '.join(sorted(clashes))}"
            )


def _shown(expression: Any) -> Any:
    # Expressions from XML often carry the indentation around them.
    return expression.strip() if isinstance(expression, str) else expression


class SandboxScriptEngine(PythonScriptEngine):
    """Spiff's script engine around the sandbox: it says why an expression failed, and
    refuses a multi-instance loop of more than ``max_instances`` instances."""

    def __init__(
        self, environment: SandboxEnvironment, *, max_instances: int = DEFAULT_MAX_INSTANCES
    ) -> None:
        super().__init__(environment=environment)
        self.max_instances = max_instances

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        # Spiff's own evaluate reports only "Error evaluating expression"; the reason is what
        # the person who fixes the diagram needs.
        try:
            result = self.environment.evaluate(expression, task.data, external_context)
            spec = task.task_spec
            if isinstance(spec, MultiInstanceTask) and expression == spec.cardinality:
                self._check_instances(result)
            timer = _timer_of(spec, expression)
            if timer is not None:
                _check_timer_value(timer, result)
            return result
        except SpiffWorkflowException as error:
            error.add_note(f"Error evaluating expression '{_shown(expression)}'")
            raise
        except Exception as error:
            raise WorkflowTaskException(
                f"Error evaluating expression '{_shown(expression)}': {error}",
                task=task,
                exception=error,
            ) from error

    def _check_instances(self, cardinality: Any) -> None:
        """Refuse a loop cardinality before the engine creates a child task for each count."""
        if isinstance(cardinality, bool) or not isinstance(cardinality, int) or cardinality < 0:
            raise SandboxError(
                f"a loop cardinality must be a whole number of 0 or more, not {cardinality!r}"
            )
        if cardinality > self.max_instances:
            raise WorkLimitExceeded(
                f"the loop would run {cardinality} times; the limit is {self.max_instances} "
                "instances per loop"
            )


_TIMER_EXAMPLES = {
    CycleTimerEventDefinition: ("cycle", "'R3/PT1H'"),
    TimeDateEventDefinition: ("date", "'2026-12-01T09:00:00Z'"),
    DurationTimerEventDefinition: ("duration", "'P5D'"),
}


def _timer_of(spec: Any, expression: str) -> TimerEventDefinition | None:
    """The timer of the element (or of the events an event-based gateway waits on) whose
    expression this is."""
    definition = getattr(spec, "event_definition", None)
    members = getattr(definition, "event_definitions", None) or [definition]
    return next(
        (
            each
            for each in members
            if isinstance(each, TimerEventDefinition) and each.expression == expression
        ),
        None,
    )


def _check_timer_value(timer: TimerEventDefinition, value: Any) -> None:
    """Refuse what a timer's expression gave unless the engine can read it as the timer's kind
    (the engine itself would fail on it outside any check, naming nothing)."""
    kind, example = next(
        (words for cls, words in _TIMER_EXAMPLES.items() if isinstance(timer, cls)),
        ("time", "'P5D'"),
    )
    try:
        if not isinstance(value, str):
            raise TypeError
        if isinstance(timer, CycleTimerEventDefinition):
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif isinstance(timer, TimeDateEventDefinition):
            if not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
                raise ValueError  # a duration, where a date was wanted
        else:
            parsed = TimerEventDefinition.parse_iso_duration(value)
            datetime.now(UTC) + TimerEventDefinition.get_timedelta_from_start(parsed)
    except OverflowError:
        raise SandboxError(f"a timer's {kind} {_brief(value)} falls after the year 9999") from None
    except Exception:  # the engine's parsers raise bare Exception too
        raise SandboxError(
            f"a timer's {kind} must be ISO 8601 text such as {example}, not {_brief(value)}"
        ) from None


def _brief(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else f"{shown[:57]}..."


def make_script_engine(
    functions: Mapping[str, Callable[..., Any]] | None = None,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    max_instances: int = DEFAULT_MAX_INSTANCES,
) -> SandboxScriptEngine:
    """A Spiff script engine that runs all diagram code in the sandbox.

    ``functions`` adds trusted helpers; ``max_steps`` and ``max_seconds`` bound the work of one
    script or expression; ``max_instances`` bounds the instances of one multi-instance loop (its
    ``loopCardinality``): a larger count stops the case with WorkLimitExceeded before the engine
    creates any of them.
    """
    environment = SandboxEnvironment(functions, max_steps=max_steps, max_seconds=max_seconds)
    return SandboxScriptEngine(environment, max_instances=max_instances)
