"""The path a case has taken: the BPMN elements it has completed, in the order of its task tree.

Task ids are random, so two runs of the same commands differ in ids but not in the path; replay
and point-in-time views compare and show this instead of the saved state.
"""

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
