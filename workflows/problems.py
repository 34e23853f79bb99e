"""What is wrong with input: a located problem in a process owner's files (at deploy time), a
field of submitted form data that is not valid, or why the engine refused a command."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    element_id: str | None
    message: str
    line: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element_id:
            where += f" [{self.element_id}]"
        return f"{where}: {self.message}"


class DefinitionProblems(Exception):
    """The files cannot be deployed; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
        super().__init__(f"{len(self.problems)} problem(s) in the process definitions")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


class DiagramError(Exception):
    """The diagram itself failed while running (a script, condition or timer expression)."""

    def __init__(self, message: str, element_id: str | None = None):
        self.element_id = element_id
        super().__init__(message)


class LimitExceeded(DiagramError):
    """A command went past one of the engine's limits (see workflows.limits)."""

    def __init__(self, message: str, element_id: str | None, limit: str, figure: str):
        self.limit, self.figure = limit, figure
        super().__init__(message, element_id)


class CaseStalled(DiagramError):
    """After the command a running case would wait on nothing: no open task, no timer."""


class TaskNotOpen(Exception):
    """The task is not (or no longer) waiting for a person."""


class FormInvalid(Exception):
    """The submitted data does not satisfy the task's (or start event's) form."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__(", ".join(dict.fromkeys(error.field for error in errors)))


class StateVersionMismatch(Exception):
    """The saved state was written by another engine or serializer version."""
