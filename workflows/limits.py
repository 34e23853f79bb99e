"""The engine's limits on one command: what diagram code may cost before the command is refused.

Two kinds of limit. Engine steps and the size of case data are counted by the runner itself,
in any process. CPU time and memory must hold even inside C code (comparing lists that share
themselves, building a huge string), where no Python-level check runs: only a process with
resource limits can stop that, so they are enforced by the engine process (workflows.isolation).
"""

import json
from dataclasses import dataclass

from .problems import DiagramError, LimitExceeded


@dataclass(frozen=True)
class EngineLimits:
    cpu_seconds: float = 2.0  # CPU time of one command
    timer_cpu_seconds: float = 0.5  # CPU time of firing one case's due timers
    memory_mb: int = 256  # address space the engine process may add during one command
    max_steps: int = 10_000  # tasks the engine runs in one command
    max_data_bytes: int = 1_000_000  # the case's data after the command, as JSON

    def cpu_for(self, operation: str) -> float:
        return self.timer_cpu_seconds if operation == "fire_due_timers" else self.cpu_seconds


class StepBudget:
    """Counts the tasks the engine runs in one command; refuses the one past the limit.

    Pass as ``will_complete_task`` to ``do_engine_steps``. ``on_step`` hears each element
    before it runs, so whoever stops a runaway command can say where it was.
    """

    def __init__(self, max_steps: int, on_step=None) -> None:
        self.max_steps = max_steps
        self.steps = 0
        self.on_step = on_step
        self.element_id: str | None = None

    def __call__(self, task) -> None:
        spec = task.task_spec
        self.element_id = getattr(spec, "bpmn_id", None) or spec.name
        if self.on_step is not None:
            self.on_step(self.element_id)
        self.steps += 1
        if self.steps > self.max_steps:
            raise LimitExceeded(
                f"the process ran more than {self.max_steps} engine steps in one command and "
                "was stopped; a loop that never ends?",
                self.element_id,
                "engine steps",
                f"more than {self.max_steps}",
            )


def check_data_size(data: dict, limit: int, element_id: str | None) -> None:
    """Refuse case data that would be larger than ``limit`` bytes as JSON in UTF-8, or that
    cannot be written so at all."""
    try:
        size = len(_as_json(data))
    except (ValueError, TypeError, RecursionError) as error:
        raise unsavable(error, element_id, _first_unsavable(data)) from None
    if size > limit:
        raise LimitExceeded(
            f"the case's data would be {size} bytes; the limit is {limit}",
            element_id,
            "case data size",
            f"{size} bytes",
        )


class UnsavableData(DiagramError):
    """Diagram code left data that cannot be written as JSON, so the case cannot be saved."""


def unsavable(error: Exception, element_id: str | None, field: str | None = None) -> DiagramError:
    """Why data that diagram code left cannot be saved (``error`` is what writing it raised):
    case data holds text, numbers, true and false, lists, and dicts with text keys."""
    named = f" ('{field}')" if field else ""
    said = str(error)
    if isinstance(error, RecursionError):
        what = f"values nested too deeply to be saved{named}"
    elif "Circular reference" in said:
        what = f"a list or dict that contains itself{named}, which cannot be saved"
    elif isinstance(error, UnicodeEncodeError):
        what = f"text with half of a surrogate pair on its own{named}, which is not a character"
    elif "Out of range float" in said:
        what = f"a number that is infinite or not a number{named}, which cannot be saved"
    elif isinstance(error, ValueError):
        what = f"a number too long to be saved{named}"
    else:
        what = (
            f"a value that is not text, a number, true or false, a list or a dict with text "
            f"keys{named}, which cannot be saved"
        )
    return UnsavableData(f"the case's data would hold {what}", element_id)


def _as_json(value) -> bytes:
    """``value`` as the database stores it: JSON, in UTF-8."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode()


def _first_unsavable(data: dict) -> str | None:
    return next((str(field) for field, value in data.items() if not savable(value)), None)


def savable(value) -> bool:
    """Whether ``value`` can be written as case data."""
    try:
        _as_json(value)
    except (ValueError, TypeError, RecursionError):
        return False
    return True
