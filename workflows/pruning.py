"""What a case's saved workflow lets go of: the finished rounds of its loops.

SpiffWorkflow keeps every task it ever made in the task tree, and every run of a called process
or sub-process in the workflow, and a saved case writes all of them every time. A loop (the
Sergeant's recurring review, a round of bail review, a policy's two-yearly cycle, a month's
performance report) adds a round to the tree each time it goes round, so a case that has been
reviewed 300 times wrote 300 rounds with every command, and walked them on every engine step.

Once a round has finished and its loop has taken in what it left (the loop task's ``merged``
list names it), the engine never looks at it again but for two things: how many rounds there
have been (``len(merged)``: a standard loop's round number and its maximum), and the latest
round (a multi-instance's completion condition reads it; the case's data is what the latest
step of each branch left behind). So every finished round of a loop but the latest is let go,
with the runs of called processes and sub-processes it made; its place in ``merged`` is kept
by a marker (``LET_GO``), which the saved text writes as a count. What each round did stays in
the case's history (the audit log), which is the record; the saved workflow is only what the
engine needs to go on.
"""

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

# Stands in ``merged`` for a round let go: the list keeps its length, the round its place.
LET_GO = ""
# How the saved text writes the markers at the head of ``merged``: their count.
LET_GO_COUNT = "merged_let_go"
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def prune(workflow: BpmnWorkflow) -> None:
    """Let go of every finished round of every loop but the latest, in place."""
    for run_id in [None, *workflow.subprocesses]:
        run = workflow if run_id is None else workflow.subprocesses.get(run_id)
        if run is None:
            continue  # let go with a round of an outer loop
        for task in [t for t in run.tasks.values() if isinstance(t.task_spec, LoopTask)]:
            if task.id in run.tasks:
                _prune_rounds(workflow, task)
    for run in [workflow, *workflow.subprocesses.values()]:
        if run.last_task is not None and run.last_task.id not in run.tasks:
            run.last_task = None


def _prune_rounds(top: BpmnWorkflow, loop) -> None:
    merged = loop.internal_data.get("merged")
    if not merged:
        return
    latest = next((round_id for round_id in reversed(merged) if round_id != LET_GO), None)
    taken_in = set(merged)
    finished = {
        str(child.id): child
        for child in loop.children
        if child is not None and str(child.id) != latest and str(child.id) in taken_in
    }
    if not finished:
        return
    let_go = set()
    for round_id, child in finished.items():
        subtree = _subtree(top, child)
        if any(task.state & _LIVE for task in subtree):
            continue  # still at work somewhere (never so for a round its loop took in)
        _remove(top, child, subtree)
        let_go.add(round_id)
    if let_go:
        loop.internal_data["merged"] = [LET_GO if m in let_go else m for m in merged]


def _subtree(top: BpmnWorkflow, task) -> list:
    """The task, its descendants, and every task of the runs they made, however nested."""
    found, stack = [], [task]
    while stack:
        each = stack.pop()
        found.append(each)
        stack.extend(child for child in each.children if child is not None)
        run = top.subprocesses.get(each.id)
        if run is not None and run.task_tree is not None:
            stack.append(run.task_tree)
    return found


def _remove(top: BpmnWorkflow, task, subtree: list) -> None:
    task.parent._children.remove(task.id)
    for each in subtree:
        each.workflow.tasks.pop(each.id, None)
        top.subprocesses.pop(each.id, None)
        top.event_manager.remove_task(each)


def compact(saved_tasks: dict) -> None:
    """In a saved workflow's tasks (as dicts): the markers at the head of each ``merged`` list
    written as their count, so the saved text does not grow with the rounds let go."""
    for task in saved_tasks.values():
        internal = task.get("internal_data")
        merged = internal.get("merged") if isinstance(internal, dict) else None
        if not merged or merged[0] != LET_GO:
            continue
        count = next((i for i, m in enumerate(merged) if m != LET_GO), len(merged))
        task["internal_data"] = {**internal, "merged": merged[count:], LET_GO_COUNT: count}


def expand(saved_tasks: dict) -> None:
    """The reverse of ``compact``, before the tasks are restored (a state saved before rounds
    were let go has no count, and is restored as it is)."""
    for task in saved_tasks.values():
        internal = task.get("internal_data")
        if isinstance(internal, dict) and LET_GO_COUNT in internal:
            count = internal.pop(LET_GO_COUNT)
            internal["merged"] = [LET_GO] * count + list(internal.get("merged", []))
