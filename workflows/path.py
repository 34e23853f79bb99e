"""The path a case has taken: the BPMN elements it has completed, in the order of its task tree.

Task ids are random, so two runs of the same commands differ in ids but not in the path; replay
and point-in-time views compare and show this instead of the saved state.
"""

import json

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def path_taken(workflow: BpmnWorkflow) -> list[str]:
    """BPMN ids of completed elements, depth first through the tree and into sub-processes.

    Walks the tree itself: the library's iterator stops at a depth of 1,000, which a long-lived
    case with a loop passes.
    """
    path: list[str] = []
    stack = [workflow.task_tree]
    subprocesses = getattr(workflow, "subprocesses", {})
    while stack:
        task = stack.pop()
        if task is None:
            continue
        if task.state == TaskState.COMPLETED and getattr(task.task_spec, "bpmn_id", None):
            path.append(task.task_spec.bpmn_id)
        children = list(task.children)
        sub = subprocesses.get(task.id)
        if sub is not None:
            children = [sub.task_tree, *children]
        stack.extend(reversed(children))
    return path


def path_in_saved_state(state: str, spec, subprocess_specs: dict) -> list[str]:
    """``path_taken`` of the workflow saved as ``state``, read from the text without restoring
    it: restoring a long case's workflow costs ten times as much as reading its text.

    The same walk over the saved task tree: each task names its spec, which gives its BPMN
    id; a task that called a process is followed by that run's own tree first.
    """
    saved = json.loads(state)
    runs = saved.get("subprocesses") or {}
    path: list[str] = []
    stack = [(saved["tasks"], spec, saved["root"])]
    while stack:
        tasks, owner, task_id = stack.pop()
        task = tasks.get(task_id)
        if task is None:
            continue
        if task["state"] == TaskState.COMPLETED and owner is not None:
            bpmn_id = getattr(owner.task_specs.get(task["task_spec"]), "bpmn_id", None)
            if bpmn_id:
                path.append(bpmn_id)
        children = [(tasks, owner, child) for child in task["children"]]
        run = runs.get(task_id)
        if run is not None:
            children.insert(0, (run["tasks"], subprocess_specs.get(run["spec"]), run["root"]))
        stack.extend(reversed(children))
    return path
