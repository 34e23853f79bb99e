"""A task as a person reads it: its data, its letter and its instructions in their language.
Letters and instructions are diagram code, rendered where commands run (an engine process). The
API and the pages both read a task this way."""

import contextlib
from dataclasses import dataclass

from workflows.isolation import EngineProcessFailed
from workflows.problems import DiagramError, TaskNotOpen

from .definitions import runner_for
from .models import Case, Task

OPEN = "open"
_NOT_SHOWN = {
    "en": "(The instructions could not be shown: {error})",
    "cy": "(Nid oedd modd dangos y cyfarwyddiadau: {error})",
}


@dataclass(frozen=True)
class TaskView:
    form: object  # workflows.forms.Form, or None for a task without a form
    data: dict
    letter: str | None
    instructions: str | None


def task_view(case: Case, task: Task, language: str) -> TaskView:
    """The task's form, data, letter and instructions for a reader of ``language``. When the
    diagram's code cannot render them, the form is still shown and the instructions say why."""
    runner = runner_for(case.definition_version_id)
    form = runner.catalog.form(task.form)
    template = form.instructions(language, task.instructions) if form else task.instructions
    try:
        if task.status == OPEN:
            with contextlib.suppress(TaskNotOpen):
                data, letter, instructions = runner.task_view(
                    case.process_id, case.state, task.id, template, language
                )
                return TaskView(form, data, letter, instructions)
        instructions = runner.instructions(template, case.data, language)
        return TaskView(form, case.data, None, instructions)
    except (DiagramError, EngineProcessFailed) as error:
        text = _NOT_SHOWN.get(language, _NOT_SHOWN["en"]).format(error=error)
        return TaskView(form, case.data, None, text)
